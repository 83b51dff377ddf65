/**
 * The log's tracked objects, one row per confirmed object of every analysed clip: the basis of the
 * notebook's counts of objects (rather than of clips). Lines written before tracking have no
 * `tracks`: they give no rows (and are counted by {@linkcode trackRecords}' `untracked`).
 *
 * An object is counted once per clip it was seen in: one that stays across two clips (a parked
 * car) is two rows, one in each.
 *
 * @example
 * ```ts
 * import { tracksDataFrame } from "./tracks_data_frame.ts";
 * const objects = await tracksDataFrame("video/detections.d", { day: "today" });
 * console.log(objects.select("camera", "label", "seconds", "stationary").head(5).toRecords());
 * ```
 *
 * @module
 */

import type pl from "nodejs-polars";
import type { TimeRangeOptions } from "./local_time.ts";
import { cameraOf, linesInRange, type LogSource } from "./log_source.ts";
import { recordFrame } from "./typed_frame.ts";

/**
 * One confirmed object as the notebook helpers see it.
 *
 * @example
 * ```ts
 * import type { TrackRecord } from "./tracks_data_frame.ts";
 * const stay = (r: TrackRecord) => `${r.label} ${r.track}: ${r.seconds} s`;
 * ```
 */
export interface TrackRecord {
  /** the clip's task id */
  readonly id: string;
  /** camera name (`""` when the line has none) */
  readonly camera: string;
  /** the clip, relative to the video folder */
  readonly filename: string;
  /** when the clip started, ms since the epoch */
  readonly clip_start: number;
  /** the track's id within the clip (the detections CSV's `track`, the snapshot's name) */
  readonly track: number;
  /** class name */
  readonly label: string;
  /** when it was first seen, ms since the epoch (`clip_start` + `first`) */
  readonly seen: number;
  /** seconds into the clip of its first detection */
  readonly first: number;
  /** seconds into the clip of its last detection */
  readonly last: number;
  /** how long it stayed in view within the clip, seconds (`last` − `first`) */
  readonly seconds: number;
  /** analysed frames it was seen in */
  readonly frames: number;
  /** median score */
  readonly score: number;
  /** best score */
  readonly best: number;
  /** seconds into the clip of its best frame (its snapshot) */
  readonly best_time: number;
  /** its box barely moved: parked, waiting */
  readonly stationary: boolean;
  /** zones its bottom centre entered, in order */
  readonly zones: readonly string[];
  /** `[x1, y1, x2, y2]` at its best frame (its snapshot's box), source pixels */
  readonly box: readonly [number, number, number, number];
  /** `[t, x, y]` points of its way: seconds, bottom centre in fractions of the frame */
  readonly path: readonly (readonly [number, number, number])[];
}

const TRACK_COLUMNS =
  "id:str camera:str filename:str clip_start:datetime track:u32 label:str seen:datetime " +
  "first:f64 last:f64 seconds:f64 frames:u32 score:f64 best:f64 stationary:bool zones:str[] x:f64 y:f64";

/**
 * The confirmed objects of the analysed clips whose start is in the range, in log order and within a
 * clip in the line's order (first appearance).
 *
 * @param source a log's path, a `DetectionLog`, or lines already read
 * @returns the records, and how many analysed lines in the range carried no `tracks` (written before
 *   tracking)
 * @throws {RangeError} when `from`, `to` or `day` cannot be read, `timeZone` is not an IANA zone, or `to` is
 *   before `from`
 * @throws {TypeError} when both `day` and `from`/`to` are given, or `source` is not a log
 *
 * @example
 * ```ts
 * import { trackRecords } from "./tracks_data_frame.ts";
 * const { records, untracked } = await trackRecords("video/detections.d", { day: "today" });
 * console.log(`${records.length} objects; ${untracked} clips logged before tracking`);
 * ```
 */
export async function trackRecords(
  source: LogSource,
  options: TimeRangeOptions = {},
): Promise<{ records: TrackRecord[]; untracked: number }> {
  const records: TrackRecord[] = [];
  let untracked = 0;
  for (const { line, t } of await linesInRange(source, options)) {
    if (!line.ok) continue;
    if (!Array.isArray(line.tracks)) {
      untracked++;
      continue;
    }
    for (const tr of line.tracks) {
      const first = Number(tr.first);
      const last = Number(tr.last);
      records.push({
        id: line.id,
        camera: cameraOf(line),
        filename: line.filename,
        clip_start: t,
        track: tr.id,
        label: tr.label,
        seen: t + first * 1000,
        first,
        last,
        seconds: Number((last - first).toFixed(3)),
        frames: tr.frames,
        score: tr.score,
        best: tr.best,
        best_time: tr.best_time,
        stationary: tr.stationary === true,
        zones: Array.isArray(tr.zones) ? tr.zones : [],
        box: tr.box,
        path: Array.isArray(tr.path) ? tr.path : [],
      });
    }
  }
  return { records, untracked };
}

/**
 * One row per confirmed object: `id`, `camera`, `filename`, `clip_start` (Datetime), `track`, `label`,
 * `seen` (Datetime: when it was first seen), `first`, `last`, `seconds` (how long it stayed in view,
 * `last` − `first`), `frames`, `score` (median), `best`, `stationary`, `zones` (list), and `x`, `y` (where
 * it was last seen: its box's bottom centre in fractions of the frame).
 *
 * @param source a log's path, a `DetectionLog`, or lines already read
 * @returns the columns above with their types even when empty (Utf8, Datetime("ms"), UInt32, Float64,
 *   Boolean, List(Utf8)); lines written before tracking give no rows
 * @throws {RangeError} when the range cannot be read (as {@linkcode trackRecords})
 * @throws {TypeError} when both `day` and `from`/`to` are given, or `source` is not a log
 *
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { tracksDataFrame } from "./tracks_data_frame.ts";
 * const df = await tracksDataFrame("video/detections.d", { day: "today" });
 * console.log(df.filter(pl.col("label").eq(pl.lit("person"))).height, "people today");
 * ```
 */
export async function tracksDataFrame(
  source: LogSource,
  options: TimeRangeOptions = {},
): Promise<pl.DataFrame> {
  const { records } = await trackRecords(source, options);
  return await recordFrame(
    TRACK_COLUMNS,
    records.map((r) => ({ ...r, x: r.path.at(-1)?.[1] ?? null, y: r.path.at(-1)?.[2] ?? null })),
  );
}
