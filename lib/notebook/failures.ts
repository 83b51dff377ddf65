/**
 * The clips of the detection log that could not be analysed (`ok: false` lines, with the
 * worker's `error`): listed one by one, or counted per message.
 *
 * @example What failed today, most frequent first
 * ```ts
 * import { failureCounts } from "./failures.ts";
 *
 * const counts = await failureCounts("video/detections.d", { day: "today" });
 * console.log(counts.toRecords());
 * ```
 *
 * @module
 */

import type pl from "nodejs-polars";
import type { TimeRangeOptions } from "./local_time.ts";
import { lineRecord, linesInRange, type LogSource } from "./log_source.ts";
import { compare, recordFrame } from "./typed_frame.ts";

/**
 * Options of {@linkcode failureCounts}.
 *
 * @example
 * ```ts
 * import type { FailureCountOptions } from "./failures.ts";
 * const perClip: FailureCountOptions = { day: "today", groupAcrossClips: false };
 * ```
 */
export interface FailureCountOptions extends TimeRangeOptions {
  /**
   * Replace the clip's own file name in each message by `<clip>`, so that the same failure of
   * different clips counts as one message (the worker names the clip in its errors).
   * @default true
   */
  readonly groupAcrossClips?: boolean;
}

const FAILURE_COLUMNS =
  "id:str camera:str filename:str clip_start:datetime timestamp:datetime worker:str error:str";
const COUNT_COLUMNS = "error:str clips:u32 first:datetime last:datetime example:str";

/**
 * The clips that could not be analysed (`ok: false` lines), in log order.
 *
 * Columns: `id`, `camera`, `filename`, `clip_start` and `timestamp` (Datetime, UTC; `timestamp`
 * is when the worker gave up), `worker`, `error`.
 *
 * @param source a JSONL log's path (a file that does not exist yet is an empty log), a `DetectionLog`, or
 *   lines already read
 * @returns columns of types `id`, `camera` (`""` for lines without one), `filename`, `worker`, `error`
 *   Utf8, `clip_start`, `timestamp` Datetime("ms") (null when unreadable)
 * @throws {RangeError} when `from`, `to` or `day` cannot be read, `timeZone` is not an IANA zone, or `to` is
 *   before `from`
 * @throws {TypeError} when both `day` and `from`/`to` are given, or `source` is not a log
 * @throws {Deno.errors.PermissionDenied} and other file errors when the log file exists but cannot be read
 *
 * @example
 * ```ts
 * import { failures } from "./failures.ts";
 * const df = await failures("video/detections.d");
 * for (const f of df.toRecords()) console.log(f.filename, f.error);
 * ```
 */
export async function failures(source: LogSource, options: TimeRangeOptions = {}): Promise<pl.DataFrame> {
  const rows = (await linesInRange(source, options)).filter(({ line }) => !line.ok).map(lineRecord);
  return await recordFrame(FAILURE_COLUMNS, rows);
}

/**
 * How often each failure happened, most frequent first. The worker names the clip in its
 * messages, so by default the clip's file name is replaced by `<clip>` before counting
 * (`groupAcrossClips`).
 *
 * Columns: `error`, `clips`, `first` and `last` (Datetime, UTC `timestamp` of the first and
 * last such failure), `example` (the full message of the latest one).
 *
 * @param source a JSONL log's path (a file that does not exist yet is an empty log), a `DetectionLog`, or
 *   lines already read
 * @param options the range (of `clip_start`, like the other analyses, though `first` and `last` are
 *   `timestamp`s), and `groupAcrossClips`
 * @returns columns of types `error`, `example` Utf8, `clips` UInt32, `first`, `last` Datetime("ms") (null
 *   when no line of the group has a readable `timestamp`; `example` is then the first one's message);
 *   rows by `clips`, most first, then by message (code-unit order); a line without an `error` counts
 *   under `""`
 * @throws {RangeError} when `from`, `to` or `day` cannot be read, `timeZone` is not an IANA zone, or `to` is
 *   before `from`
 * @throws {TypeError} when both `day` and `from`/`to` are given, or `source` is not a log
 * @throws {Deno.errors.PermissionDenied} and other file errors when the log file exists but cannot be read
 *
 * @example
 * ```ts
 * import { failureCounts } from "./failures.ts";
 * const df = await failureCounts("video/detections.d");
 * console.log(df.toRecords()); // [{ error: "<clip>: moov atom not found", clips: 3, ... }]
 * ```
 */
export async function failureCounts(
  source: LogSource,
  options: FailureCountOptions = {},
): Promise<pl.DataFrame> {
  const { groupAcrossClips = true } = options;
  const groups = new Map<
    string,
    { error: string; clips: number; first: number; last: number; example: string }
  >();
  for (const { line } of await linesInRange(source, options)) {
    if (line.ok) continue;
    const message = String(line.error ?? "");
    const error = groupAcrossClips && line.filename ? message.replaceAll(line.filename, "<clip>") : message;
    const at = Date.parse(line.timestamp);
    let g = groups.get(error);
    if (!g) groups.set(error, g = { error, clips: 0, first: NaN, last: NaN, example: message });
    g.clips++;
    if (!isNaN(at)) {
      g.first = isNaN(g.first) ? at : Math.min(g.first, at);
      if (isNaN(g.last) || at >= g.last) [g.last, g.example] = [at, message];
    }
  }
  const rows = [...groups.values()].sort((x, y) => y.clips - x.clips || compare(x.error, y.error));
  return await recordFrame(COUNT_COLUMNS, rows);
}
