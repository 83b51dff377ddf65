/**
 * Moving versus parked: per camera and class, how many confirmed objects moved through the view and
 * how many stood still for their whole time in it (`stationary`, a box that kept an IoU of 0.6 with
 * its median box). The same parked car is counted once in every clip it is in.
 *
 * @example
 * ```ts
 * import { movingVsParked } from "./moving_parked.ts";
 * const df = await movingVsParked("video/detections.d", { day: "today" });
 * console.log(df.toRecords()); // [{ camera: "front", label: "car", moving: 3, parked: 12, objects: 15 }, …]
 * ```
 *
 * @module
 */

import type pl from "nodejs-polars";
import type { TimeRangeOptions } from "./local_time.ts";
import type { LogSource } from "./log_source.ts";
import { trackRecords } from "./tracks_data_frame.ts";
import { compare, recordFrame } from "./typed_frame.ts";

/**
 * Moving and parked (stationary) objects per camera and class.
 *
 * @param source a log's path, a `DetectionLog`, or lines already read
 * @param options the range, and `labels` to keep only some classes (say the vehicles)
 * @returns columns `camera`, `label` (Utf8), `moving`, `parked`, `objects` (UInt32); rows by camera, then
 *   most objects first
 * @throws {RangeError} when the range cannot be read
 * @throws {TypeError} when both `day` and `from`/`to` are given, or `source` is not a log
 *
 * @example
 * ```ts
 * import { movingVsParked } from "./moving_parked.ts";
 * const cars = await movingVsParked("video/detections.d", { day: "today", labels: ["car", "truck", "bus"] });
 * console.log(cars.toRecords());
 * ```
 */
export async function movingVsParked(
  source: LogSource,
  options: TimeRangeOptions & { readonly labels?: readonly string[] } = {},
): Promise<pl.DataFrame> {
  const { records } = await trackRecords(source, options);
  const groups = new Map<string, { camera: string; label: string; moving: number; parked: number }>();
  for (const r of records) {
    if (options.labels && !options.labels.includes(r.label)) continue;
    const key = `${r.camera}\u0000${r.label}`;
    const g = groups.get(key) ?? { camera: r.camera, label: r.label, moving: 0, parked: 0 };
    groups.set(key, g);
    if (r.stationary) g.parked++;
    else g.moving++;
  }
  const rows = [...groups.values()].map((g) => ({ ...g, objects: g.moving + g.parked }))
    .sort((a, b) => compare(a.camera, b.camera) || b.objects - a.objects || compare(a.label, b.label));
  return await recordFrame("camera:str label:str moving:u32 parked:u32 objects:u32", rows);
}
