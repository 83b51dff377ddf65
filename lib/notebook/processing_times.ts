/**
 * How long the workers take: the processing time of each analysed clip of the detection log,
 * per frame and against the clip's own length, and summary statistics of those.
 *
 * @example Does analysis keep up with the cameras?
 * ```ts
 * import { processingSummary } from "./processing_times.ts";
 *
 * const summary = await processingSummary("video/detections.d", { day: "today" });
 * console.log(summary.toRecords().find((r) => r.metric === "realtime_factor"));
 * ```
 *
 * @module
 */

import type pl from "nodejs-polars";
import type { TimeRangeOptions } from "./local_time.ts";
import { cameraOf, linesInRange, type LogSource } from "./log_source.ts";
import { finite, recordFrame } from "./typed_frame.ts";

const TIME_COLUMNS = "id:str camera:str clip_start:datetime filename:str model:str worker:str frames:u32 " +
  "elapsed_ms:f64 ms_per_frame:f64 clip_seconds:f64 realtime_factor:f64";
const SUMMARY_COLUMNS = "metric:str count:u32 mean:f64 median:f64 p95:f64 min:f64 max:f64";
const METRICS = ["elapsed_ms", "frames", "ms_per_frame", "clip_seconds", "realtime_factor"];

/**
 * Processing time of each analysed clip, in log order: how long the worker took, per analysed
 * frame, and against the clip's own length. Failed clips are left out.
 *
 * Columns: `id`, `camera`, `clip_start` (Datetime, UTC), `filename`, `model`, `worker`, `frames`,
 * `elapsed_ms`, `ms_per_frame` (null without frames), `clip_seconds` (`clip_end - clip_start`),
 * `realtime_factor` (clip seconds per second of processing; above 1 keeps up with the camera).
 *
 * @param source a JSONL log's path (a file that does not exist yet is an empty log), a `DetectionLog`, or
 *   lines already read
 * @returns columns of types `id`, `camera`, `filename`, `model`, `worker` Utf8, `clip_start`
 *   Datetime("ms"), `frames` UInt32 (0 when the line has none), `elapsed_ms`, `ms_per_frame`,
 *   `clip_seconds`, `realtime_factor` Float64; `elapsed_ms` and `clip_seconds` null when missing or
 *   unreadable, `ms_per_frame` null without them or without frames, `realtime_factor` null without a
 *   clip length or with `elapsed_ms` missing or 0
 * @throws {RangeError} when `from`, `to` or `day` cannot be read, `timeZone` is not an IANA zone, or `to` is
 *   before `from`
 * @throws {TypeError} when both `day` and `from`/`to` are given, or `source` is not a log
 * @throws {Deno.errors.PermissionDenied} and other file errors when the log file exists but cannot be read
 *
 * @example
 * ```ts
 * import { processingTimes } from "./processing_times.ts";
 * const df = await processingTimes("video/detections.d");
 * console.log(df.select("filename", "ms_per_frame").toRecords());
 * ```
 */
export async function processingTimes(
  source: LogSource,
  options: TimeRangeOptions = {},
): Promise<pl.DataFrame> {
  const rows = (await linesInRange(source, options)).filter(({ line }) => line.ok).map(({ line, t }) => {
    const elapsed = finite(line.elapsed_ms);
    const frames = finite(line.frames);
    const seconds = (Date.parse(line.clip_end) - t) / 1000;
    return {
      id: line.id,
      camera: cameraOf(line),
      clip_start: t,
      filename: line.filename,
      model: line.model,
      worker: line.worker,
      frames: frames ?? 0,
      elapsed_ms: elapsed,
      ms_per_frame: elapsed !== null && frames ? elapsed / frames : null,
      clip_seconds: finite(seconds),
      realtime_factor: elapsed ? finite(seconds / (elapsed / 1000)) : null,
    };
  });
  return await recordFrame(TIME_COLUMNS, rows);
}

/**
 * Summary statistics of {@linkcode processingTimes}: one row per measure (`elapsed_ms`,
 * `frames`, `ms_per_frame`, `clip_seconds`, `realtime_factor`). Percentiles interpolate
 * linearly between the two nearest values (as NumPy and polars do by default); with no clips
 * every row has `count` 0 and nulls.
 *
 * Columns: `metric`, `count`, `mean`, `median`, `p95`, `min`, `max`.
 *
 * @param source a JSONL log's path (a file that does not exist yet is an empty log), a `DetectionLog`, or
 *   lines already read
 * @returns five rows, always in the order above; `metric` Utf8, `count` UInt32 (the clips that have
 *   that measure: nulls are left out), the statistics Float64 in the measure's unit (ms, frames, ms,
 *   seconds, clip seconds per second)
 * @throws {RangeError} when `from`, `to` or `day` cannot be read, `timeZone` is not an IANA zone, or `to` is
 *   before `from`
 * @throws {TypeError} when both `day` and `from`/`to` are given, or `source` is not a log
 * @throws {Deno.errors.PermissionDenied} and other file errors when the log file exists but cannot be read
 *
 * @example
 * ```ts
 * import { processingSummary } from "./processing_times.ts";
 * const df = await processingSummary("video/detections.d", { day: "today" });
 * console.log(df.toRecords().find((r) => r.metric === "ms_per_frame"));
 * ```
 */
export async function processingSummary(
  source: LogSource,
  options: TimeRangeOptions = {},
): Promise<pl.DataFrame> {
  const times = await processingTimes(source, options);
  const stats = METRICS.map((metric) => {
    const values = (times.getColumn(metric).toArray() as (number | null)[])
      .filter((v): v is number => v !== null && Number.isFinite(v))
      .sort((a, b) => a - b);
    const n = values.length;
    return {
      metric,
      count: n,
      mean: n ? values.reduce((a, b) => a + b, 0) / n : null,
      median: quantile(values, 0.5),
      p95: quantile(values, 0.95),
      min: n ? values[0] : null,
      max: n ? values[n - 1] : null,
    };
  });
  return await recordFrame(SUMMARY_COLUMNS, stats);
}

/** Linear-interpolation quantile of sorted values. */
function quantile(sorted: readonly number[], q: number): number | null {
  if (!sorted.length) return null;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}
