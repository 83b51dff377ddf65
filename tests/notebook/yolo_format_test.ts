/**
 * yolo_format: label lines (clipping, normalising, reading back, bad lines named) and data.yaml.
 */
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import YAML from "yaml";
import {
  clipBox,
  DatasetError,
  formatDataYaml,
  formatYoloLabels,
  parseYoloLabels,
  readDataYamlNames,
  readYoloLabels,
} from "../../lib/notebook/yolo_format.ts";

Deno.test("clipBox keeps what is inside the image and drops what is not", () => {
  assert.deepEqual(clipBox([10, 20, 30, 40], 100, 50), [10, 20, 30, 40]);
  assert.deepEqual(clipBox([-5, -1, 120, 60], 100, 50), [0, 0, 100, 50]);
  assert.equal(clipBox([100, 10, 130, 20], 100, 50), undefined); // touches the edge from outside
  assert.equal(clipBox([10, 10, 10, 20], 100, 50), undefined); // no width
  assert.equal(clipBox([NaN, 10, 20, 20], 100, 50), undefined);
  assert.throws(() => clipBox([0, 0, 1, 1], 0, 50), RangeError);
});

Deno.test("formatYoloLabels: class cx cy w h, normalised, 6 decimals, clipped", () => {
  assert.equal(
    formatYoloLabels([{ classId: 0, box: [0, 0, 384, 288] }], 768, 576),
    "0 0.250000 0.250000 0.500000 0.500000\n",
  );
  assert.equal(
    formatYoloLabels(
      [
        { classId: 5, box: [-10, -10, 100, 50] }, // clipped to [0, 0, 100, 50]
        { classId: 2, box: [300, 0, 400, 10] }, // wholly outside: dropped
        { classId: 79, box: [10, 20, 13, 27] },
      ],
      200,
      100,
    ),
    "5 0.250000 0.250000 0.500000 0.500000\n79 0.057500 0.235000 0.015000 0.070000\n",
  );
  assert.equal(formatYoloLabels([], 10, 10), "");
  assert.throws(() => formatYoloLabels([{ classId: -1, box: [0, 0, 1, 1] }], 10, 10), RangeError);
  assert.throws(() => formatYoloLabels([{ classId: 0.5, box: [0, 0, 1, 1] }], 10, 10), RangeError);
});

Deno.test("parseYoloLabels reads lines back to pixels, and names a bad line", () => {
  const boxes = [
    { classId: 0, box: [12.3, 45.6, 300.9, 500] as const },
    { classId: 17, box: [0, 0, 768, 576] as const },
  ];
  const back = parseYoloLabels(formatYoloLabels(boxes, 768, 576), 768, 576);
  assert.equal(back.length, 2);
  for (const [k, b] of back.entries()) {
    assert.equal(b.classId, boxes[k].classId);
    for (let i = 0; i < 4; i++) assert.ok(Math.abs(b.box[i] - boxes[k].box[i]) < 0.01, `${b.box}`);
  }
  assert.deepEqual(parseYoloLabels("\n  \n1 0.5 0.5 1 1\r\n", 10, 20), [{ classId: 1, box: [0, 0, 10, 20] }]);
  assert.throws(
    () => parseYoloLabels("0 0.5 0.5 0.1 0.1\n0 0.5 0.5 0.1\n", 10, 10),
    (e: unknown) => e instanceof DatasetError && /line 2/.test(e.message),
  );
  assert.throws(() => parseYoloLabels("0 0.1 0.1 0.2 0.2 0.3 0.3\n", 10, 10), DatasetError); // a polygon
  assert.throws(() => parseYoloLabels("x 0.5 0.5 0.1 0.1\n", 10, 10), DatasetError);
  assert.throws(() => parseYoloLabels("1.5 0.5 0.5 0.1 0.1\n", 10, 10), /bad class id/);
});

Deno.test("formatDataYaml: absolute path, the two folders, every name under its id", () => {
  const parsed = YAML.parse(formatDataYaml("some/dir", ["person", "traffic light", "yes"]));
  assert.equal(parsed.path, resolve("some/dir"));
  assert.equal(parsed.train, "images/train");
  assert.equal(parsed.val, "images/val");
  assert.deepEqual(parsed.names, { 0: "person", 1: "traffic light", 2: "yes" }); // "yes" stays a string
});

Deno.test("readYoloLabels and readDataYamlNames: missing files, lists and mappings, bad files named", async () => {
  const dir = await Deno.makeTempDir({ prefix: "camwatch-format-" });
  try {
    assert.deepEqual(await readYoloLabels(join(dir, "none.txt"), 10, 10), []);
    await Deno.writeTextFile(join(dir, "bad.txt"), "0 0.5 0.5\n");
    await assert.rejects(
      () => readYoloLabels(join(dir, "bad.txt"), 10, 10),
      (e: unknown) => e instanceof DatasetError && e.message.startsWith(join(dir, "bad.txt")),
    );
    await Deno.writeTextFile(join(dir, "data.yaml"), formatDataYaml(dir, ["person", "bicycle"]));
    assert.deepEqual(await readDataYamlNames(join(dir, "data.yaml")), ["person", "bicycle"]);
    await Deno.writeTextFile(join(dir, "list.yaml"), "names: [cat, dog]\n");
    assert.deepEqual(await readDataYamlNames(join(dir, "list.yaml")), ["cat", "dog"]);
    await Deno.writeTextFile(join(dir, "none.yaml"), "path: x\n");
    assert.equal(await readDataYamlNames(join(dir, "none.yaml")), undefined);
    await Deno.writeTextFile(join(dir, "broken.yaml"), "names: [cat\n");
    await assert.rejects(() => readDataYamlNames(join(dir, "broken.yaml")), DatasetError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
