/**
 * Zone entries: per camera, zone and class, how many confirmed objects entered each zone (their box's
 * bottom centre inside its polygon at some analysed frame), and when the first and the last came.
 * Zones are set per camera (the cameras file's `zones`, or `ZONES`); a log written without zones
 * has no entries.
 *
 * @example
 * ```ts
 * import { zoneEntries } from "./zone_entries.ts";
 * const df = await zoneEntries("video/detections.d", { day: "today" });
 * console.log(df.toRecords()); // [{ camera: "front", zone: "driveway", label: "car", entries: 4, … }]
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
 * Objects that entered each zone, per camera, zone and class.
 *
 * @param source a log's path, a `DetectionLog`, or lines already read
 * @returns columns `camera`, `zone`, `label` (Utf8), `entries` (UInt32: objects that entered), `stationary`
 *   (UInt32: of them, those that stood still there), `first_seen`, `last_seen` (Datetime: when the first
 *   and the last of them were first seen); rows by camera and zone, then most entries first
 * @throws {RangeError} when the range cannot be read
 * @throws {TypeError} when both `day` and `from`/`to` are given, or `source` is not a log
 *
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { zoneEntries } from "./zone_entries.ts";
 * const df = await zoneEntries("video/detections.d", { day: "today" });
 * console.log(df.filter(pl.col("zone").eq(pl.lit("driveway"))).toRecords());
 * ```
 */
export async function zoneEntries(source: LogSource, options: TimeRangeOptions = {}): Promise<pl.DataFrame> {
  const { records } = await trackRecords(source, options);
  const groups = new Map<
    string,
    {
      camera: string;
      zone: string;
      label: string;
      entries: number;
      stationary: number;
      first: number;
      last: number;
    }
  >();
  for (const r of records) {
    for (const zone of new Set(r.zones)) {
      const key = `${r.camera}\u0000${zone}\u0000${r.label}`;
      const g = groups.get(key) ??
        {
          camera: r.camera,
          zone,
          label: r.label,
          entries: 0,
          stationary: 0,
          first: Infinity,
          last: -Infinity,
        };
      groups.set(key, g);
      g.entries++;
      if (r.stationary) g.stationary++;
      if (Number.isFinite(r.seen)) {
        g.first = Math.min(g.first, r.seen);
        g.last = Math.max(g.last, r.seen);
      }
    }
  }
  const rows = [...groups.values()].map((g) => ({ ...g, first_seen: g.first, last_seen: g.last }))
    .sort((a, b) =>
      compare(a.camera, b.camera) || compare(a.zone, b.zone) || b.entries - a.entries ||
      compare(a.label, b.label)
    );
  return await recordFrame(
    "camera:str zone:str label:str entries:u32 stationary:u32 first_seen:datetime last_seen:datetime",
    rows,
  );
}
