/**
 * failures and failureCounts on a log of only failures, and what the other analyses make of it.
 */
import assert from "node:assert/strict";
import { failureCounts, failures } from "../../lib/notebook/failures.ts";
import { clipsPerCamera, clipsPerClass } from "../../lib/notebook/clip_counts.ts";
import { clipsPerHour } from "../../lib/notebook/clips_per_hour.ts";
import { processingSummary, processingTimes } from "../../lib/notebook/processing_times.ts";
import { column, failed, times, writeLog } from "../helpers/log_lines.ts";

Deno.test("a log of only failures: failures, counts per message, and the other analyses", async () => {
  const log = await writeLog([
    failed("front", "2026-02-23T08:00:00+01:00", "<clip>: moov atom not found", "2026-02-23T07:01:00.000Z"),
    failed(
      "yard",
      "2026-02-23T09:00:00+01:00",
      "task.path leaves the video folder",
      "2026-02-23T08:01:00.000Z",
    ),
    failed("yard", "2026-02-23T10:00:00+01:00", "<clip>: moov atom not found", "2026-02-23T09:01:00.000Z"),
  ]);
  const list = await failures(log);
  assert.deepEqual(list.columns, ["id", "camera", "filename", "clip_start", "timestamp", "worker", "error"]);
  assert.deepEqual(column(list, "error"), [
    "front/20260223-080000.mp4: moov atom not found",
    "task.path leaves the video folder",
    "yard/20260223-100000.mp4: moov atom not found",
  ]);
  assert.deepEqual(times(list, "timestamp"), [
    "2026-02-23T07:01:00.000Z",
    "2026-02-23T08:01:00.000Z",
    "2026-02-23T09:01:00.000Z",
  ]);
  assert.equal((await failures(log, { from: "2026-02-23T08:30:00Z" })).height, 1);

  const counts = await failureCounts(log);
  assert.deepEqual(counts.columns, ["error", "clips", "first", "last", "example"]);
  assert.deepEqual(counts.toRecords().map((r) => [r.error, r.clips, r.example]), [
    ["<clip>: moov atom not found", 2, "yard/20260223-100000.mp4: moov atom not found"],
    ["task.path leaves the video folder", 1, "task.path leaves the video folder"],
  ]);
  assert.deepEqual(times(counts, "first").concat(times(counts, "last")), [
    "2026-02-23T07:01:00.000Z",
    "2026-02-23T08:01:00.000Z",
    "2026-02-23T09:01:00.000Z",
    "2026-02-23T08:01:00.000Z",
  ]);
  assert.equal((await failureCounts(log, { groupAcrossClips: false })).height, 3);

  assert.deepEqual(column(await clipsPerHour(log, { timeZone: "Europe/Berlin" }), "failed"), [1, 1, 1]);
  assert.deepEqual(column(await clipsPerCamera(log), "failed"), [1, 2]);
  assert.equal((await clipsPerClass(log)).height, 0);
  assert.equal((await processingTimes(log)).height, 0);
  assert.deepEqual(column(await processingSummary(log), "count"), [0, 0, 0, 0, 0]);
});
