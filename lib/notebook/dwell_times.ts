/**
 * How long objects stayed in view: per camera and class, the spread of `last` − `first` of each
 * confirmed object within its clip. A clip ends while an object may still be there (a parked car
 * outlasts every clip), so these are times in view within a clip, at most the clip's length.
 *
 * @example
 * ```ts
 * import { dwellTimes } from "./dwell_times.ts";
 * const df = await dwellTimes("video/detections.d", { day: "today" });
 * console.log(df.toRecords()); // [{ camera: "front", label: "person", objects: 23, median_s: 6.5, … }]
 * ```
 *
 * @module
 */

import type pl from "nodejs-polars";
import type { TimeRangeOptions } from "./local_time.ts";
import type { LogSource } from "./log_source.ts";
import { trackRecords } from "./tracks_data_frame.ts";
import { compare, recordFrame } from "./typed_frame.ts";

const DWELL_COLUMNS = "camera:str label:str objects:u32 median_s:f64 p90_s:f64 max_s:f64 " +
  "moving_median_s:f64 stationary:u32";

/** The q-quantile of sorted numbers, interpolated linearly; null for none. */
function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return Number((sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo)).toFixed(3));
}

/**
 * Time in view per camera and class: `objects`, the median, 90th percentile and longest `seconds`
 * (`last` − `first`), the median of the moving ones alone (`moving_median_s`: a parked car does not
 * lengthen the walkers' stay) and how many were `stationary`.
 *
 * @param source a log's path, a `DetectionLog`, or lines already read
 * @returns columns `camera`, `label` (Utf8), `objects`, `stationary` (UInt32), `median_s`, `p90_s`, `max_s`,
 *   `moving_median_s` (Float64, null when there are none); rows by camera, then most objects first
 * @throws {RangeError} when the range cannot be read
 * @throws {TypeError} when both `day` and `from`/`to` are given, or `source` is not a log
 *
 * @example
 * ```ts
 * import { dwellTimes } from "./dwell_times.ts";
 * const df = await dwellTimes("video/detections.d", { from: "2026-02-01", to: "2026-03-01" });
 * console.log(df.select("label", "median_s").toRecords());
 * ```
 */
export async function dwellTimes(source: LogSource, options: TimeRangeOptions = {}): Promise<pl.DataFrame> {
  const { records } = await trackRecords(source, options);
  const groups = new Map<string, { camera: string; label: string; all: number[]; moving: number[] }>();
  for (const r of records) {
    const key = `${r.camera}\u0000${r.label}`;
    const g = groups.get(key) ?? { camera: r.camera, label: r.label, all: [], moving: [] };
    groups.set(key, g);
    g.all.push(r.seconds);
    if (!r.stationary) g.moving.push(r.seconds);
  }
  const rows = [...groups.values()].map((g) => {
    const all = g.all.sort((a, b) => a - b);
    return {
      camera: g.camera,
      label: g.label,
      objects: all.length,
      median_s: quantile(all, 0.5),
      p90_s: quantile(all, 0.9),
      max_s: all.at(-1) ?? null,
      moving_median_s: quantile(g.moving.sort((a, b) => a - b), 0.5),
      stationary: all.length - g.moving.length,
    };
  }).sort((a, b) => compare(a.camera, b.camera) || b.objects - a.objects || compare(a.label, b.label));
  return await recordFrame(DWELL_COLUMNS, rows);
}
