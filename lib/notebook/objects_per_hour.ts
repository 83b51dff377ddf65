/**
 * Distinct objects per local hour, per camera and class: how many people, cars, … came, rather
 * than how many clips saw them. An object counts once, in the hour it was first seen in its clip
 * (the clip's start plus its `first`), so a crowd of seven is seven and one walker is one.
 *
 * @example
 * ```ts
 * import { objectsPerHour } from "./objects_per_hour.ts";
 * const df = await objectsPerHour("video/detections.d", { day: "today", timeZone: "Europe/Berlin" });
 * console.log(df.columns); // [ "hour", "hour_label", "utc_offset", "camera", "label", "objects", "stationary" ]
 * ```
 *
 * @module
 */

import type pl from "nodejs-polars";
import { type TimeRangeOptions, Zone } from "./local_time.ts";
import type { LogSource } from "./log_source.ts";
import { trackRecords } from "./tracks_data_frame.ts";
import { compare, typedFrame } from "./typed_frame.ts";

/**
 * Objects per local hour, camera and class: every hour of the range (by default from the first object
 * to the last) for every (camera, class) seen, zeros included, so that the empty hours show.
 *
 * @param source a log's path, a `DetectionLog`, or lines already read
 * @returns columns `hour` (Datetime, the instant the local hour starts), `hour_label` (`"YYYY-MM-DD HH:00"`),
 *   `utc_offset`, `camera`, `label` (Utf8), `objects` (UInt32, confirmed objects first seen in that hour) and
 *   `stationary` (UInt32, how many of them did not move); rows in time order, then by camera and class; no
 *   rows when nothing was tracked
 * @throws {RangeError} when `from`, `to` or `day` cannot be read, `timeZone` is not an IANA zone, or `to` is
 *   before `from`
 * @throws {TypeError} when both `day` and `from`/`to` are given, or `source` is not a log
 *
 * @example
 * ```ts
 * import * as Plot from "@observablehq/plot";
 * import { objectsPerHour } from "./objects_per_hour.ts";
 * import { renderChart } from "./chart.ts";
 * const rows = (await objectsPerHour("video/detections.d", { day: "today" })).toRecords();
 * const chart = renderChart({
 *   marks: [Plot.rectY(rows, { x1: "hour", x2: (d) => new Date(+d.hour + 3_600_000), y: "objects", fill: "label" })],
 * });
 * ```
 */
export async function objectsPerHour(
  source: LogSource,
  options: TimeRangeOptions = {},
): Promise<pl.DataFrame> {
  const zone = Zone.of(options);
  let [start, end] = zone.range(options);
  const { records } = await trackRecords(source, options);
  const timed = records.filter((r) => Number.isFinite(r.seen));
  if (!isFinite(start)) start = timed.reduce((a, r) => Math.min(a, r.seen), Infinity);
  if (!isFinite(end)) end = timed.length ? timed.reduce((a, r) => Math.max(a, r.seen), -Infinity) + 1 : start;
  const hours = isFinite(start) && end > start ? zone.hours(start, end) : [];
  const starts = hours.map((h) => h.start);
  const groups = new Map<
    string,
    { camera: string; label: string; objects: number[]; stationary: number[] }
  >();
  for (const r of timed) {
    // An object first seen after the range's last hour started belongs to it only while inside the range.
    if (!hours.length || r.seen < starts[0] || r.seen >= end) continue;
    let i = starts.length - 1;
    while (i > 0 && starts[i] > r.seen) i--;
    const key = `${r.camera}\u0000${r.label}`;
    let g = groups.get(key);
    if (!g) {
      g = { camera: r.camera, label: r.label, objects: hours.map(() => 0), stationary: hours.map(() => 0) };
      groups.set(key, g);
    }
    g.objects[i]++;
    if (r.stationary) g.stationary[i]++;
  }
  const ordered = [...groups.values()].sort((a, b) =>
    compare(a.camera, b.camera) || compare(a.label, b.label)
  );
  const rows = hours.flatMap((h, i) => ordered.map((g) => ({ h, g, i })));
  return await typedFrame([
    ["hour", "datetime", rows.map((r) => r.h.start)],
    ["hour_label", "str", rows.map((r) => r.h.label)],
    ["utc_offset", "str", rows.map((r) => r.h.utcOffset)],
    ["camera", "str", rows.map((r) => r.g.camera)],
    ["label", "str", rows.map((r) => r.g.label)],
    ["objects", "u32", rows.map((r) => r.g.objects[r.i])],
    ["stationary", "u32", rows.map((r) => r.g.stationary[r.i])],
  ]);
}
