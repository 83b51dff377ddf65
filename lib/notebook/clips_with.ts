/**
 * The clips of the detection log that saw a class, on a real local calendar day: "how many
 * clips with a cat today" answered for the time zone asked, whatever UTC offset the log's
 * `clip_start` strings carry.
 *
 * @example
 * ```ts
 * import { clipsWith } from "./clips_with.ts";
 *
 * const cats = await clipsWith("video/detections.d", "cat", { day: "today" });
 * console.log(`${cats.height} clips with a cat today`);
 * ```
 *
 * @module
 */

import type pl from "nodejs-polars";
import { type TimeRangeOptions, Zone } from "./local_time.ts";
import { cameraOf, type LogSource, scoredLines, type ScoreOptions } from "./log_source.ts";
import { finite, recordFrame } from "./typed_frame.ts";

/**
 * Options of {@linkcode clipsWith}.
 *
 * @example
 * ```ts
 * import type { ClipsWithOptions } from "./clips_with.ts";
 * const options: ClipsWithOptions = { day: "today", camera: "yard", minScore: 0.5 };
 * ```
 */
export interface ClipsWithOptions extends TimeRangeOptions, ScoreOptions {
  /**
   * Only this camera's clips.
   * @default undefined (every camera)
   */
  readonly camera?: string;
}

const COLUMNS =
  "id:str camera:str clip_start:datetime local_time:str filename:str best:f64 frames:u32 max:u32";

/**
 * The analysed clips that saw a class, oldest first: "how many clips with a cat today" is
 * `(await clipsWith(log, "cat", { day: "today" })).height`. The day is a real local day of the
 * time zone ([local midnight, next local midnight) of `clip_start`'s instant), whatever UTC
 * offset the log's strings carry.
 *
 * Columns: `id`, `camera`, `clip_start` (Datetime, UTC), `local_time` (`"YYYY-MM-DD HH:MM:SS"`
 * in the time zone), `filename`, `best` (the class's best score in the clip), `frames` (frames
 * it was seen in), `max` (most at once).
 *
 * @param source a JSONL log's path (a file that does not exist yet is an empty log), a `DetectionLog`, or
 *   lines already read
 * @param label a class name as the model writes it (`"cat"`, case-sensitive)
 * @param options the range, `minScore` (the class's best score in the clip must reach it) and `camera`
 *   (compared with the line's camera, `""` for lines without one)
 * @returns columns of types `id`, `camera`, `local_time`, `filename` Utf8, `clip_start` Datetime("ms"),
 *   `best` Float64 (null when the line has none), `frames`, `max` UInt32 (0 when the line has none); rows
 *   by `clip_start`, oldest first; without a range, clips whose start cannot be read come last (with a
 *   null `clip_start` and `local_time`), in log order
 * @throws {TypeError} when `label` is not a string, both `day` and `from`/`to` are given, or `source` is
 *   not a log
 * @throws {RangeError} when `from`, `to` or `day` cannot be read, `timeZone` is not an IANA zone, `to` is
 *   before `from`, or `minScore` is not from 0 to 1
 * @throws {Deno.errors.PermissionDenied} and other file errors when the log file exists but cannot be read
 *
 * @example
 * ```ts
 * import { clipsWith } from "./clips_with.ts";
 * const cats = await clipsWith("video/detections.d", "cat", {
 *   day: "today",
 *   timeZone: "Europe/Berlin",
 *   minScore: 0.5,
 * });
 * console.log(`${cats.height} clips with a cat today`, cats.getColumn("filename").toArray());
 * ```
 */
export async function clipsWith(
  source: LogSource,
  label: string,
  options: ClipsWithOptions = {},
): Promise<pl.DataFrame> {
  if (typeof label !== "string") throw new TypeError(`label must be a string, got ${String(label)}`);
  const zone = Zone.of(options);
  const { lines, minScore } = await scoredLines(source, options);
  const { camera } = options;
  const rows = lines
    .filter(({ line }) => {
      const stats = line.ok ? line.objects?.[label] : undefined;
      return stats && (stats.best ?? 0) >= minScore && (camera === undefined || cameraOf(line) === camera);
    })
    // Clips without a readable start (only possible with no range) go last, in log order.
    .sort((a, b) => (isNaN(a.t) ? 1 : 0) - (isNaN(b.t) ? 1 : 0) || (isNaN(a.t) ? 0 : a.t - b.t));
  return await recordFrame(
    COLUMNS,
    rows.map(({ line, t }) => {
      const stats = line.objects[label];
      return {
        id: line.id,
        camera: cameraOf(line),
        clip_start: t,
        local_time: isNaN(t) ? null : zone.format(t, true),
        filename: line.filename,
        best: finite(stats.best),
        frames: finite(stats.frames) ?? 0,
        max: finite(stats.max) ?? 0,
      };
    }),
  );
}
