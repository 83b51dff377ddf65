/** cameras_file: the cameras file's schema, its messages, and the JSON Schema shipped for editors. */
import assert from "node:assert/strict";
import { parseCamerasFile } from "../../lib/ops/cameras_file.ts";
import { camerasJsonSchema } from "../../tools/cameras_schema.ts";
import { ConfigError } from "../../lib/errors.ts";
import { repoPath } from "../helpers/media.ts";

const parse = (value: unknown) => parseCamerasFile(JSON.stringify(value), "cams.json");
const rejects = (value: unknown, message: RegExp) =>
  assert.throws(() => parse(value), (e) => e instanceof ConfigError && message.test(e.message));

Deno.test("a full file parses; optional fields stay unset for the environment to fill", () => {
  const cameras = parse({
    $schema: "./docs/cameras.schema.json",
    cameras: [
      { name: "front", url: "rtsp://admin:secret@10.0.0.5/a" },
      {
        name: "yard",
        url: "video/yard.mp4",
        transport: "udp",
        threshold: 40,
        minArea: 0.01,
        masks: [[[0, 0], [1, 0], [1, 0.1]]],
      },
    ],
  });
  assert.deepEqual(cameras.map((c) => [c.name, c.transport, c.threshold, c.masks?.length]), [
    ["front", undefined, undefined, undefined],
    ["yard", "udp", 40, 1],
  ]);
});

Deno.test("each mistake is named by its field, with the rule it breaks", () => {
  const url = "rtsp://cam/1";
  rejects(null, /^CAMERAS_FILE cams\.json: the file must be an object \{"cameras"/);
  rejects({ cameras: [1] }, /: cameras\[0\] must be an object with a name and a url, got 1$/);
  rejects({}, /: cameras is missing$/);
  rejects({ cameras: [] }, /: cameras must list at least one camera/);
  rejects({ cameras: [{ url }] }, /: cameras\[0\]\.name is missing$/);
  rejects({ cameras: [{ name: "front" }] }, /: cameras\[0\]\.url is missing$/);
  rejects(
    { cameras: [{ name: "a/b", url }] },
    /cameras\[0\]\.name must be 1-64 letters, digits, '_' or '-', got "a\/b"/,
  );
  rejects(
    { cameras: [{ name: "a", url }, { name: "b", url, threshold: 300 }] },
    /cameras\[1\]\.threshold must be a number between 1 and 255, got 300/,
  );
  rejects(
    { cameras: [{ name: "a", url, minArea: "big" }] },
    /cameras\[0\]\.minArea must be a number between 0 and 1, got "big"/,
  );
  rejects(
    { cameras: [{ name: "a", url, transport: "sctp" }] },
    /cameras\[0\]\.transport must be tcp or udp, got "sctp"/,
  );
  rejects(
    { cameras: [{ name: "a", url, masks: [[[0, 0], [2, 2], [0, 1]]] }] },
    /cameras\[0\]\.masks must be a list of polygons/,
  );
  rejects(
    { cameras: [{ name: "a", url, masks: [[[0, 0], [1, 1]]] }] },
    /cameras\[0\]\.masks must be a list of polygons/,
  );
  rejects({ cameras: [{ name: "a", url, treshold: 30 }] }, /cameras\[0\]\.treshold is not a known setting/);
  rejects({ cameras: [{ name: "a", url }, { name: "a", url }] }, /camera name 'a' is used twice/);
  assert.throws(() => parseCamerasFile("{ not json", "cams.json"), /cams\.json cannot be read as JSON/);
});

Deno.test("a bad URL is refused with its password masked", () => {
  assert.throws(
    () => parse({ cameras: [{ name: "a", url: "ftp://admin:Secr3t@cam/x" }] }),
    (e) =>
      e instanceof ConfigError && /cameras\[0\]\.url must be an rtsp:\/\//.test(e.message) &&
      !e.message.includes("Secr3t"),
  );
});

Deno.test("docs/cameras.schema.json is the schema the code checks against (regenerate with tools/cameras_schema.ts)", async () => {
  const shipped = JSON.parse(await Deno.readTextFile(repoPath("docs/cameras.schema.json")));
  assert.deepEqual(shipped, JSON.parse(JSON.stringify(camerasJsonSchema())));
  assert.equal(shipped.properties.cameras.items.properties.threshold.maximum, 255);
  assert.equal(shipped.properties.cameras.items.additionalProperties, false);
});

Deno.test("zones, filters and objectMasks: checked with the tracking rules, each mistake named", () => {
  const cam = (extra: Record<string, unknown>) => ({
    cameras: [{ name: "front", url: "rtsp://cam/1", ...extra }],
  });
  const [c] = parse(cam({
    zones: [{ name: "drive", points: [[0, 0.5], [1, 0.5], [1, 1]] }],
    filters: { person: { minScore: 0.6 }, car: { minArea: 0.01, maxArea: 0.5 } },
    objectMasks: [[[0, 0], [1, 0], [1, 0.1]]],
  }));
  assert.equal(c.zones?.[0].name, "drive");
  assert.deepEqual(c.filters?.car, { minArea: 0.01, maxArea: 0.5 });
  assert.equal(c.objectMasks?.length, 1);
  rejects(
    cam({ zones: [{ name: "a b", points: [[0, 0], [1, 0], [1, 1]] }] }),
    /cameras\[0\]\.zones must be a list of zones/,
  );
  rejects(
    cam({
      zones: [{ name: "a", points: [[0, 0], [1, 0], [1, 1]] }, {
        name: "a",
        points: [[0, 0], [1, 0], [1, 1]],
      }],
    }),
    /cameras\[0\]\.zones zone "a" is named twice/,
  );
  rejects(cam({ zones: [{ name: "a", points: [[0, 0], [1, 0]] }] }), /cameras\[0\]\.zones/);
  rejects(
    cam({ filters: { car: { minArea: 0.5, maxArea: 0.1 } } }),
    /filters filter for "car": minArea 0.5 is above maxArea 0.1/,
  );
  rejects(cam({ filters: { car: { minSize: 3 } } }), /cameras\[0\]\.filters/);
  rejects(cam({ objectMasks: [[[0, 0], [2, 0], [1, 1]]] }), /cameras\[0\]\.objectMasks/);
});
