/**
 * dataset_split: the stable seeded split of clips, item names, and planning the clips of an export.
 */
import assert from "node:assert/strict";
import {
  datasetItemName,
  datasetSplit,
  planClips,
  plannedItemName,
} from "../../lib/notebook/dataset_split.ts";

Deno.test("datasetSplit: stable, by the seeded hash, near the asked fraction", () => {
  const clips = Array.from({ length: 2000 }, (_, k) => `cam${k % 7}/2026${String(k).padStart(6, "0")}.mp4`);
  const first = clips.map((c) => datasetSplit(c, 0.2));
  assert.deepEqual(clips.map((c) => datasetSplit(c, 0.2)), first);
  const val = first.filter((s) => s === "val").length / clips.length;
  assert.ok(val > 0.17 && val < 0.23, `val share ${val}`);
  assert.ok(clips.every((c) => datasetSplit(c, 0) === "train"));
  assert.ok(clips.every((c) => datasetSplit(c, 1) === "val"));
  // A larger fraction only moves clips from train to val.
  assert.ok(clips.every((c, k) => first[k] === "train" || datasetSplit(c, 0.5) === "val"));
  // The same clip written differently is the same clip; another seed draws another split.
  assert.equal(datasetSplit("./front//a.mp4", 0.5), datasetSplit("front/a.mp4", 0.5));
  const reseeded = clips.map((c) => datasetSplit(c, 0.2, "v2"));
  assert.ok(reseeded.some((s, k) => s !== first[k]));
  // FNV-1a's published values (a → 0xe40c292c, foobar → 0xbf9cf968) as fractions of 2³²: the
  // hash must never change, or every dataset would reshuffle on upgrade.
  assert.equal(datasetSplit("a", 0.8908), "train");
  assert.equal(datasetSplit("a", 0.8909), "val");
  assert.equal(datasetSplit("foobar", 0.7484), "train");
  assert.equal(datasetSplit("foobar", 0.7485), "val");
  assert.throws(() => datasetSplit("a.mp4", 1.5), RangeError);
});

Deno.test("datasetItemName: camera or folder, clip stem, zero-padded ms; safe characters only", () => {
  assert.equal(datasetItemName("front/20260223-144657.mp4", 1.5), "front_20260223-144657_001500");
  assert.equal(datasetItemName("front/20260223-144657.mp4", 1.5, "porch"), "porch_20260223-144657_001500");
  assert.equal(datasetItemName("clip.mp4", 0), "clip_000000");
  assert.equal(datasetItemName("site/a b/x.mkv", 123.4567), "site_a_b_x_123457");
  assert.equal(datasetItemName("x.mp4", 2, "cam:1/é*?"), "cam_1_x_002000");
  assert.equal(datasetItemName(".hidden.mp4", 0), "hidden_000000");
  for (const name of ["../../etc/x.mp4", "c:\\videos\\y.mp4", "a/.../b.mp4", "前/门.mp4"]) {
    assert.match(datasetItemName(name, 3), /^[A-Za-z0-9][A-Za-z0-9._-]*_003000$/, name);
  }
  assert.throws(() => datasetItemName("x.mp4", NaN), RangeError);
});

Deno.test("planClips: normalised, de-duplicated, clashing stems told apart by a hash", () => {
  const planned = planClips([
    { filename: "front/a.mp4", camera: "door" },
    "door/a.mp4",
    "./front//a.mp4",
    "b.mp4",
  ]);
  assert.deepEqual(planned.map((p) => p.key), ["front/a.mp4", "door/a.mp4", "b.mp4"]);
  assert.deepEqual(planned.map((p) => p.given), ["front/a.mp4", "door/a.mp4", "b.mp4"]);
  assert.match(planned[0].stem, /^door_a_[0-9a-f]{8}$/);
  assert.match(planned[1].stem, /^door_a_[0-9a-f]{8}$/);
  assert.notEqual(planned[0].stem, planned[1].stem);
  assert.equal(planned[2].stem, "b");
  assert.equal(plannedItemName(planned[2], 1.5), datasetItemName("b.mp4", 1.5));
  assert.throws(() => planClips([{ filename: "" }]), TypeError);
});
