/**
 * Clips per local hour of the detection log, with the hours that had none shown as zeros,
 * optionally split per class or per camera. Hours are local wall-clock hours of an IANA time
 * zone (as `localHours` in local_time.ts lists them): a DST day has 23 or 25 rows.
 *
 * @example Clips per hour today, per class
 * ```ts
 * import { clipsPerHour } from "./clips_per_hour.ts";
 *
 * const hours = await clipsPerHour("video/detections.d", { day: "today", by: "label" });
 * console.log(hours.toRecords());
 * ```
 *
 * @module
 */

import type pl from "nodejs-polars";
import { type TimeRangeOptions, Zone } from "./local_time.ts";
import { cameraOf, type LogSource, scoredLines, type ScoreOptions, seenLabels } from "./log_source.ts";
import { type Column, compare, typedFrame } from "./typed_frame.ts";

/**
 * Options of {@linkcode clipsPerHour}.
 *
 * @example
 * ```ts
 * import type { ClipsPerHourOptions } from "./clips_per_hour.ts";
 * const options: ClipsPerHourOptions = { day: "today", by: "camera", layout: "long" };
 * ```
 */
export interface ClipsPerHourOptions extends TimeRangeOptions, ScoreOptions {
  /**
   * Split the counts per class (`"label"`) or per camera.
   * @default undefined (no split: `clips`, `with_detections`, `failed`)
   */
  readonly by?: "label" | "camera";
  /**
   * With `by`: one column per class or camera (`"wide"`, for tables), or one row per hour and
   * class or camera (`"long"`, for `Plot.barY(rows, { x: "hour", y: "clips", fill: "label" })`).
   * @default "wide"
   */
  readonly layout?: "wide" | "long";
  /**
   * With `by`: the classes or cameras to show, in this order (shown with zeros when never seen).
   * @default undefined (every one seen in the range, most clips first)
   */
  readonly groups?: readonly string[];
}

const HOUR_COLUMNS = ["hour", "hour_label", "utc_offset", "clips"];

/**
 * Clips per local hour, with the hours that had none as rows of zeros, optionally split per
 * class or per camera. A clip counts in the hour its `clip_start` falls in. The range is
 * `day`, or `from`/`to` widened to whole hours, or by default the hours from the first clip to
 * the last; an empty log with no range gives no rows.
 *
 * Columns: `hour` (Datetime, UTC instant the local hour starts), `hour_label` (local
 * `"YYYY-MM-DD HH:00"`), `utc_offset` (`"+01:00"`: tells the repeated hour of the autumn day
 * apart), `clips` (every clip, analysed or failed), then
 * - without `by`: `with_detections` (analysed clips with a class at `minScore`), `failed`;
 * - `by`, wide: one column per class (clips that saw it) or per camera (its clips), named after
 *   it (`"label:clips"` should a class be called like a fixed column);
 * - `by`, long: `label` or `camera`, and `clips` counts that one.
 *
 * Plot against `hour` (a time scale), not `hour_label`, which repeats once a year.
 *
 * @param source a JSONL log's path (a file that does not exist yet is an empty log), a `DetectionLog`, or
 *   lines already read
 * @returns `hour` is Datetime("ms"), `hour_label`, `utc_offset` and the `label` or `camera` column of the
 *   long layout Utf8, every count UInt32; rows in time order (in the long layout, each hour's groups
 *   in the order of the columns of the wide one); wide columns are `groups` in their order, or every
 *   class or camera seen in the range by clips, most first; a wide group named `hour`, `hour_label`,
 *   `utc_offset` or `clips` is renamed `<by>:<name>` (`label:clips`)
 * @throws {TypeError} when `by` is not `"label"` or `"camera"`, `layout` is not `"wide"` or `"long"`, both
 *   `day` and `from`/`to` are given, or `source` is not a log
 * @throws {RangeError} when `from`, `to` or `day` cannot be read, `timeZone` is not an IANA zone, `to` is
 *   before `from`, or `minScore` is not from 0 to 1
 * @throws {Deno.errors.PermissionDenied} and other file errors when the log file exists but cannot be read
 *
 * @example
 * ```ts
 * import { clipsPerHour } from "./clips_per_hour.ts";
 * const df = await clipsPerHour("video/detections.d", {
 *   day: "2026-10-25",
 *   timeZone: "Europe/Berlin",
 *   by: "label",
 *   groups: ["person", "cat"],
 * });
 * console.log(df.height); // 25: the clocks went back that night
 * console.log(df.columns); // [ "hour", "hour_label", "utc_offset", "clips", "person", "cat" ]
 * ```
 */
export async function clipsPerHour(
  source: LogSource,
  options: ClipsPerHourOptions = {},
): Promise<pl.DataFrame> {
  const { by, layout = "wide", groups } = options;
  if (by !== undefined && by !== "label" && by !== "camera") {
    throw new TypeError(`by must be "label" or "camera", got ${JSON.stringify(by)}`);
  }
  if (layout !== "wide" && layout !== "long") {
    throw new TypeError(`layout must be "wide" or "long", got ${JSON.stringify(layout)}`);
  }
  const zone = Zone.of(options);
  let [start, end] = zone.range(options);
  const { lines, minScore } = await scoredLines(source, options);
  const timed = lines.filter(({ t }) => !isNaN(t));
  if (!isFinite(start) || !isFinite(end)) {
    // Open ends close on the first and last clip (reduce, not Math.min(...): a long log would
    // overflow the argument list).
    const first = timed.reduce((a, { t }) => Math.min(a, t), Infinity);
    const last = timed.reduce((a, { t }) => Math.max(a, t), -Infinity);
    if (!isFinite(start)) start = first;
    if (!isFinite(end)) end = timed.length ? last + 1 : start;
  }
  const hours = isFinite(start) && end > start ? zone.hours(start, end) : [];
  const starts = hours.map((h) => h.start);
  const stop = hours.length ? zone.nextHour(starts[starts.length - 1]) : -Infinity;

  const total = new Array<number>(hours.length).fill(0);
  const withDetections = new Array<number>(hours.length).fill(0);
  const failed = new Array<number>(hours.length).fill(0);
  const perGroup = new Map<string, number[]>();
  const count = (group: string, i: number) => {
    let counts = perGroup.get(group);
    if (!counts) perGroup.set(group, counts = new Array<number>(hours.length).fill(0));
    counts[i]++;
  };
  for (const { line, t } of timed) {
    if (!hours.length || t < starts[0] || t >= stop) continue;
    const i = lastAtOrBefore(starts, t);
    total[i]++;
    const labels = line.ok ? seenLabels(line, minScore) : [];
    if (!line.ok) failed[i]++;
    else if (labels.length) withDetections[i]++;
    if (by === "camera") count(cameraOf(line), i);
    if (by === "label") { for (const label of labels) count(label, i); }
  }

  const base: Column[] = [
    ["hour", "datetime", hours.map((h) => h.start)],
    ["hour_label", "str", hours.map((h) => h.label)],
    ["utc_offset", "str", hours.map((h) => h.utcOffset)],
  ];
  if (!by) {
    return await typedFrame([
      ...base,
      ["clips", "u32", total],
      ["with_detections", "u32", withDetections],
      ["failed", "u32", failed],
    ]);
  }
  const zeros = new Array<number>(hours.length).fill(0);
  const shown = groups ? [...new Set(groups)] : mostFirst(perGroup);
  if (layout === "wide") {
    return await typedFrame([
      ...base,
      ["clips", "u32", total],
      ...shown.map((g): Column => [
        HOUR_COLUMNS.includes(g) ? `${by}:${g}` : g,
        "u32",
        perGroup.get(g) ?? zeros,
      ]),
    ]);
  }
  const rows = hours.flatMap((h, i) => shown.map((g) => ({ h, g, n: (perGroup.get(g) ?? zeros)[i] })));
  return await typedFrame([
    ["hour", "datetime", rows.map((r) => r.h.start)],
    ["hour_label", "str", rows.map((r) => r.h.label)],
    ["utc_offset", "str", rows.map((r) => r.h.utcOffset)],
    [by, "str", rows.map((r) => r.g)],
    ["clips", "u32", rows.map((r) => r.n)],
  ]);
}

/** Group names by total count, then by name, for stable column orders. */
function mostFirst(counts: Map<string, number[]>): string[] {
  const sum = (g: string) => counts.get(g)!.reduce((a, b) => a + b, 0);
  return [...counts.keys()].sort((a, b) => sum(b) - sum(a) || compare(a, b));
}

/** Index of the last element of a sorted array that is <= t (t is known to be >= the first). */
function lastAtOrBefore(sorted: readonly number[], t: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (sorted[mid] <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
