/**
 * clipsPerClass and clipsPerCamera: clips, frames, best scores and outcomes per group.
 */
import assert from "node:assert/strict";
import { clipsPerCamera, clipsPerClass } from "../../lib/notebook/clip_counts.ts";
import { car, cat, column, failed, line, person, times, writeLog } from "../helpers/log_lines.ts";

Deno.test("clipsPerClass and clipsPerCamera count clips, frames, best scores and outcomes", async () => {
  const log = await writeLog([
    line("front", "2026-02-23T08:00:00+01:00"),
    line("front", "2026-02-23T09:00:00+01:00", {
      objects: { person: { ...person, frames: 7, max: 5, best: 0.95 } },
      frames: 40,
    }),
    line("yard", "2026-02-23T10:00:00+01:00", { objects: { cat, car: { ...car, best: 0.2 } } }),
    line("yard", "2026-02-23T11:00:00+01:00", { objects: {} }),
    failed("yard", "2026-02-23T12:00:00+01:00", "<clip>: moov atom not found"),
  ]);
  const classes = await clipsPerClass(log);
  assert.deepEqual(classes.columns, [
    "label",
    "clips",
    "share",
    "frames",
    "max",
    "best",
    "first_clip",
    "last_clip",
  ]);
  assert.deepEqual(classes.toRecords().map((r) => [r.label, r.clips, r.share, r.frames, r.max, r.best]), [
    ["car", 2, 0.5, 20, 1, 0.6],
    ["person", 2, 0.5, 57, 5, 0.95],
    ["cat", 1, 0.25, 4, 1, 0.7],
  ]);
  assert.deepEqual(times(classes, "last_clip"), [
    "2026-02-23T09:00:00.000Z",
    "2026-02-23T08:00:00.000Z",
    "2026-02-23T09:00:00.000Z",
  ]);
  assert.deepEqual(column(await clipsPerClass(log, { minScore: 0.5 }), "clips"), [2, 1, 1]);
  assert.deepEqual(
    column(
      await clipsPerClass(log, { from: "2026-02-23T09:30:00+01:00", timeZone: "Europe/Berlin" }),
      "label",
    ),
    ["car", "cat"],
  );

  const cameras = await clipsPerCamera(log);
  assert.deepEqual(cameras.columns, [
    "camera",
    "clips",
    "ok",
    "failed",
    "with_detections",
    "frames",
    "first_clip",
    "last_clip",
  ]);
  assert.deepEqual(
    cameras.toRecords().map((r) => [r.camera, r.clips, r.ok, r.failed, r.with_detections, r.frames]),
    [
      ["front", 2, 2, 0, 2, 100],
      ["yard", 3, 2, 1, 1, 120],
    ],
  );
  assert.deepEqual(times(cameras, "last_clip"), ["2026-02-23T08:00:00.000Z", "2026-02-23T11:00:00.000Z"]);
  assert.deepEqual(column(await clipsPerCamera(log, { minScore: 0.8 }), "with_detections"), [2, 0]);
});
