/** clip_sidecar: one schema for the sidecar the recorder writes and the notebooks read. */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  type ClipSidecar,
  formatClipSidecar,
  readClipSidecar,
  sidecarPathOf,
} from "../../lib/capture/clip_sidecar.ts";

const dir = await Deno.makeTempDir({ prefix: "camwatch-sidecar-" });
await Deno.mkdir(join(dir, "front"));

const SIDECAR: ClipSidecar = {
  camera: "front",
  file: "20260223-144657.mp4",
  start: "2026-02-23T14:46:57.000+01:00",
  end: "2026-02-23T14:47:32.000+01:00",
  duration: 35,
  motion_start: "2026-02-23T14:47:02.000+01:00",
  preroll: 5,
  truncated: false,
  motion: { peak: 0.12, boxes: [[0.1, 0.2, 0.4, 0.9]], timeline: [[5, 0.03], [5.2, 0.12]] },
  segments: 18,
};

Deno.test("sidecarPathOf: the .json beside the .mp4, relative or absolute", () => {
  assert.equal(sidecarPathOf("front/20260223-144657.mp4"), "front/20260223-144657.json");
  assert.equal(sidecarPathOf("/srv/video/front/a-1.mp4"), "/srv/video/front/a-1.json");
});

Deno.test("what formatClipSidecar writes, readClipSidecar reads back whole", async () => {
  await Deno.writeTextFile(join(dir, "front/20260223-144657.json"), formatClipSidecar(SIDECAR));
  assert.deepEqual(await readClipSidecar(dir, "front/20260223-144657.mp4"), SIDECAR);
});

Deno.test("readClipSidecar: no sidecar, broken JSON or another JSON file → undefined", async () => {
  assert.equal(await readClipSidecar(dir, "front/none.mp4"), undefined);
  await Deno.writeTextFile(join(dir, "front/broken.json"), '{"camera": "front", ');
  assert.equal(await readClipSidecar(dir, "front/broken.mp4"), undefined);
  await Deno.writeTextFile(join(dir, "front/other.json"), '{"hello": "world"}');
  assert.equal(await readClipSidecar(dir, "front/other.mp4"), undefined);
});

globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
