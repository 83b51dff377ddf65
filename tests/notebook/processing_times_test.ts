/**
 * processingTimes and processingSummary: per clip, per frame, median and p95.
 */
import assert from "node:assert/strict";
import { processingSummary, processingTimes } from "../../lib/notebook/processing_times.ts";
import { column, failed, line, writeLog } from "../helpers/log_lines.ts";

Deno.test("processingTimes and processingSummary: per clip, per frame, median and p95", async () => {
  const elapsed = [1000, 2000, 3000, 4000, 10000];
  const log = await writeLog([
    ...elapsed.map((ms, i) =>
      line("front", `2026-02-23T0${i}:00:00+01:00`, {
        elapsed_ms: ms,
        frames: 10 * (i + 1),
        clip_end: `2026-02-23T0${i}:00:${10 * (i + 1)}+01:00`,
      })
    ),
    failed("front", "2026-02-23T07:00:00+01:00", "<clip>: moov atom not found"),
    line("yard", "2026-02-23T08:00:00+01:00", { frames: 0, elapsed_ms: 0, objects: {} }),
  ]);
  const perClip = await processingTimes(log);
  assert.equal(perClip.height, 6, "failures left out");
  assert.deepEqual(column(perClip, "ms_per_frame"), [100, 100, 100, 100, 200, null]);
  assert.deepEqual(column(perClip, "clip_seconds"), [10, 20, 30, 40, 50, 30]);
  assert.deepEqual(column(perClip, "realtime_factor"), [10, 10, 10, 10, 5, null]);
  assert.equal(column(perClip, "model")[0], "yolov8n_int8.onnx");

  const summary = await processingSummary(log);
  assert.deepEqual(summary.columns, ["metric", "count", "mean", "median", "p95", "min", "max"]);
  const elapsedRow = summary.toRecords().find((r) => r.metric === "elapsed_ms")!;
  // 6 values 0, 1000, 2000, 3000, 4000, 10000: the p95 lies 0.75 of the way from 4000 to 10000.
  assert.deepEqual(elapsedRow, {
    metric: "elapsed_ms",
    count: 6,
    mean: 20000 / 6,
    median: 2500,
    p95: 8500,
    min: 0,
    max: 10000,
  });
  const perFrame = summary.toRecords().find((r) => r.metric === "ms_per_frame")!;
  assert.deepEqual([perFrame.count, perFrame.median, perFrame.max], [5, 100, 200]);
});
