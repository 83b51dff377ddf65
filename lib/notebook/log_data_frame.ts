/**
 * The detection log as nodejs-polars DataFrames, for notebooks that want the raw lines rather
 * than one of the analyses: one row per clip ({@linkcode logDataFrame}), or one row per clip
 * and class seen ({@linkcode objectsDataFrame}). Fields are those of the log line
 * (docs/architecture.md); times are `Datetime("ms")` columns of UTC instants. The columns and
 * their types are fixed, so an empty log gives an empty frame with the same columns.
 *
 * This lives on the notebook side so that the pipeline, which appends to the log, never loads
 * nodejs-polars.
 *
 * @example The newest clips of one camera
 * ```ts
 * import pl from "nodejs-polars";
 * import { logDataFrame } from "./log_data_frame.ts";
 *
 * const df = await logDataFrame("video/detections.d");
 * console.log(df.filter(pl.col("camera").eq(pl.lit("front"))).sort("clip_start").tail(5).toRecords());
 * ```
 *
 * @module
 */

import type pl from "nodejs-polars";
import type { TimeRangeOptions } from "./local_time.ts";
import { lineRecord, linesInRange, type LogSource } from "./log_source.ts";
import { recordFrame } from "./typed_frame.ts";

const LOG_COLUMNS = "ok:bool id:str camera:str filename:str clip_start:datetime clip_end:datetime " +
  "timestamp:datetime detected:str[] count:u32 frames:u32 model:str worker:str elapsed_ms:f64 error:str";
const OBJECT_COLUMNS = "id:str camera:str clip_start:datetime label:str frames:u32 max:u32 best:f64 " +
  "first:f64 last:f64";

/**
 * The log, one row per clip in log order: `ok`, `id`, `camera`, `filename`, `clip_start` /
 * `clip_end` / `timestamp` (Datetime, UTC), `detected` (list of strings), `count`, `frames`,
 * `model`, `worker`, `elapsed_ms`, `error` (null on analysed clips). Times that cannot be read
 * are null; a line without a camera has `""`, as in the analyses.
 *
 * @param source a JSONL log's path (a file that does not exist yet is an empty log), a `DetectionLog`, or
 *   lines already read
 * @param options the clips whose `clip_start` is in the range; without one, every line (also those whose
 *   `clip_start` cannot be read)
 * @returns columns of types `ok` Boolean, `id`, `camera`, `filename`, `model`, `worker`, `error` Utf8,
 *   `clip_start`, `clip_end`, `timestamp` Datetime("ms"), `detected` List(Utf8), `count`, `frames`
 *   UInt32 (0 when a line lacks them), `elapsed_ms` Float64; rows in the order of the log
 * @throws {RangeError} when `from`, `to` or `day` cannot be read, `timeZone` is not an IANA zone, or `to` is
 *   before `from`
 * @throws {TypeError} when both `day` and `from`/`to` are given, or `source` is not a log
 * @throws {Deno.errors.PermissionDenied} and other file errors when the log file exists but cannot be read
 *
 * @example
 * ```ts
 * import { logDataFrame } from "./log_data_frame.ts";
 * const today = await logDataFrame("video/detections.d", { day: "today" });
 * console.log(`${today.height} clips today`, today.getColumn("filename").toArray());
 * ```
 */
export async function logDataFrame(source: LogSource, options: TimeRangeOptions = {}): Promise<pl.DataFrame> {
  return await recordFrame(LOG_COLUMNS, (await linesInRange(source, options)).map(lineRecord));
}

/**
 * One row per (clip, class) seen, in log order: `id`, `camera`, `clip_start` (Datetime, UTC),
 * `label`, and the class's `frames`, `max`, `best`, `first`, `last` (seconds into the clip).
 * Failed clips have no rows.
 *
 * @param source a JSONL log's path (a file that does not exist yet is an empty log), a `DetectionLog`, or
 *   lines already read
 * @returns columns of types `id`, `camera`, `label` Utf8, `clip_start` Datetime("ms"), `frames` (frames
 *   the class was seen in) and `max` (most at once) UInt32, `best` (best score, 0..1), `first` and `last`
 *   Float64; every class of every analysed clip, whatever its score; within a clip, the classes in the
 *   line's order
 * @throws {RangeError} when `from`, `to` or `day` cannot be read, `timeZone` is not an IANA zone, or `to` is
 *   before `from`
 * @throws {TypeError} when both `day` and `from`/`to` are given, or `source` is not a log
 * @throws {Deno.errors.PermissionDenied} and other file errors when the log file exists but cannot be read
 *
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { objectsDataFrame } from "./log_data_frame.ts";
 * const objects = await objectsDataFrame("video/detections.d");
 * console.log(objects.filter(pl.col("label").eq(pl.lit("cat"))).select("camera", "best").toRecords());
 * ```
 */
export async function objectsDataFrame(
  source: LogSource,
  options: TimeRangeOptions = {},
): Promise<pl.DataFrame> {
  const rows = (await linesInRange(source, options)).filter(({ line }) => line.ok).flatMap(({ line, t }) =>
    Object.entries(line.objects ?? {}).map(([label, stats]) => ({
      ...stats,
      id: line.id,
      camera: line.camera,
      clip_start: t,
      label,
    }))
  );
  return await recordFrame(OBJECT_COLUMNS, rows);
}
