/**
 * Analyses of the detection log (DESIGN.md, "Log line") for the notebooks: clips per local hour
 * with the empty hours shown, clips per class and per camera, the clips that saw a class on a
 * local calendar day, processing times, and failures. Each returns a nodejs-polars DataFrame
 * with fixed columns (also when the log is empty), ready to show or to plot with
 * `df.toRecords()`.
 *
 * Times: the log's `clip_start` is an ISO 8601 string that may carry any UTC offset. Every
 * filter and bucket here works on the instant it names, seen from one IANA time zone (by
 * default the process's own): a "day" is [local midnight, next local midnight) and an "hour" is
 * a local wall-clock hour, so a DST day has 23 or 25 of them. Datetime columns hold UTC
 * instants (`Datetime("ms")`, as {@linkcode DetectionLog.toDataFrame} does), with string
 * columns beside them for the local reading.
 *
 * @example Clips per hour today, per class, and how many saw a cat
 * ```ts
 * import { clipsPerHour, clipsWith } from "./log_analysis.ts";
 *
 * const log = "video/detections_log.jsonl";
 * const hours = await clipsPerHour(log, { day: "today", by: "label" });
 * console.log(hours.toRecords());
 * const cats = await clipsWith(log, "cat", { day: "today", timeZone: "Europe/Berlin" });
 * console.log(`${cats.height} clips with a cat today`);
 * ```
 *
 * @module
 */

import type pl from "nodejs-polars";
import { DetectionLog, type LogLine } from "../queue/detection_log.ts";

/** nodejs-polars, loaded on first use, so that importing this module loads no native library. */
async function polars(): Promise<typeof pl> {
  return (await import("nodejs-polars")).default;
}

/**
 * Where the log lines come from: a {@linkcode DetectionLog}, the path of a JSONL log, or lines
 * already read (read a big log once with `Array.fromAsync(log.read())` and pass the array to
 * several analyses).
 *
 * @example
 * ```ts
 * import type { LogSource } from "./log_analysis.ts";
 * import { DetectionLog } from "../queue/detection_log.ts";
 * const log = new DetectionLog("video/detections_log.jsonl");
 * const sources: LogSource[] = [log, "video/detections_log.jsonl", await Array.fromAsync(log.read())];
 * ```
 */
export type LogSource = DetectionLog | string | Iterable<LogLine> | AsyncIterable<LogLine>;

/**
 * A local calendar day: `"YYYY-MM-DD"`, `"today"`, or a `Date` (the day it falls on in the time
 * zone of the analysis).
 *
 * @example
 * ```ts
 * import type { DayInput } from "./log_analysis.ts";
 * const days: DayInput[] = ["2026-03-29", "today", new Date()];
 * ```
 */
export type DayInput = Date | string;

/**
 * A point in time: a `Date`, an ISO 8601 string with a zone (`"2026-03-29T01:30:00Z"`), a local
 * date (`"2026-03-29"`: its local midnight) or a local date and time without a zone
 * (`"2026-03-29T08:00"`), both read in the time zone of the analysis.
 *
 * @example
 * ```ts
 * import type { TimeInput } from "./log_analysis.ts";
 * const times: TimeInput[] = [new Date(), "2026-03-29T01:30:00+01:00", "2026-03-29", "2026-03-29 08:00"];
 * ```
 */
export type TimeInput = Date | string;

/** Which clips an analysis looks at (by their `clip_start`), and in which time zone. */
export interface TimeRangeOptions {
  /**
   * IANA time zone for local days, hours and labels.
   * @default Intl.DateTimeFormat().resolvedOptions().timeZone (the process's zone)
   */
  readonly timeZone?: string;
  /**
   * Only clips that started on this local day: [local midnight, next local midnight). Takes
   * the place of `from` and `to`.
   * @default undefined (no day filter)
   */
  readonly day?: DayInput;
  /**
   * Only clips that started at or after this time.
   * @default undefined (from the first clip)
   */
  readonly from?: TimeInput;
  /**
   * Only clips that started before this time.
   * @default undefined (up to the last clip)
   */
  readonly to?: TimeInput;
  /**
   * The current time, which `day: "today"` is read from (tests pin it).
   * @default new Date()
   */
  readonly now?: Date;
}

/** Options of the analyses that look at detected classes. */
export interface ScoreOptions {
  /**
   * A class counts in a clip only when its best score reached this.
   * @default 0
   */
  readonly minScore?: number;
}

/** Options of {@linkcode clipsPerHour}. */
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

/** Options of {@linkcode clipsWith}. */
export interface ClipsWithOptions extends TimeRangeOptions, ScoreOptions {
  /**
   * Only this camera's clips.
   * @default undefined (every camera)
   */
  readonly camera?: string;
}

/** Options of {@linkcode failureCounts}. */
export interface FailureCountOptions extends TimeRangeOptions {
  /**
   * Replace the clip's own file name in each message by `<clip>`, so that the same failure of
   * different clips counts as one message (the worker names the clip in its errors).
   * @default true
   */
  readonly groupAcrossClips?: boolean;
}

/** One local wall-clock hour, as {@linkcode localHours} lists them. */
export interface LocalHour {
  /** the instant the hour starts */
  readonly start: Date;
  /** local reading, `"YYYY-MM-DD HH:00"` (twice on the day the clocks go back) */
  readonly label: string;
  /** UTC offset of the local time at the start, `"+01:00"` */
  readonly utcOffset: string;
}

const HOUR = 3_600_000;
const DAY = 86_400_000;
const HOUR_COLUMNS = ["hour", "hour_label", "utc_offset", "clips"];

/**
 * The local wall-clock hours that start in [from, to) in a time zone, the hour that contains
 * `from` first. Every local hour appears once; on the day the clocks go back the repeated hour
 * appears twice, with distinct starts and offsets, and the skipped hour of the spring day does
 * not appear. Zones with half-hour offsets (Asia/Kolkata) get their hours at their local `:00`.
 *
 * @example
 * ```ts
 * import { localHours } from "./log_analysis.ts";
 * const hours = localHours("2026-10-25", "2026-10-26", "Europe/Berlin");
 * console.log(hours.length); // 25
 * console.log(hours.slice(2, 4).map((h) => `${h.label} ${h.utcOffset}`)); // 02:00 +02:00, 02:00 +01:00
 * ```
 */
export function localHours(
  from: TimeInput,
  to: TimeInput,
  timeZone: string = defaultTimeZone(),
  now: Date = new Date(),
): LocalHour[] {
  const zone = new Zone(timeZone);
  const start = zone.parseTime(from, "from", now);
  const end = zone.parseTime(to, "to", now);
  if (end < start) throw new RangeError(`to (${String(to)}) is before from (${String(from)})`);
  return zone.hours(start, end).map((h) => ({
    start: new Date(h.start),
    label: h.label,
    utcOffset: h.utcOffset,
  }));
}

/**
 * The instants a local calendar day starts and ends: [local midnight, next local midnight).
 * A day is 23 or 25 hours long when the clocks change; where midnight itself is skipped, the
 * day starts when the clocks jump.
 *
 * @example
 * ```ts
 * import { localDayRange } from "./log_analysis.ts";
 * const { start, end } = localDayRange("2026-03-29", "Europe/Berlin");
 * console.log(start.toISOString()); // 2026-03-28T23:00:00.000Z
 * console.log((end.getTime() - start.getTime()) / 3_600_000); // 23
 * ```
 */
export function localDayRange(
  day: DayInput,
  timeZone: string = defaultTimeZone(),
  now: Date = new Date(),
): { start: Date; end: Date } {
  const [start, end] = new Zone(timeZone).dayRange(day, now);
  return { start: new Date(start), end: new Date(end) };
}

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
 * @example
 * ```ts
 * import { clipsPerHour } from "./log_analysis.ts";
 * const df = await clipsPerHour("video/detections_log.jsonl", {
 *   day: "2026-10-25",
 *   timeZone: "Europe/Berlin",
 *   by: "label",
 *   groups: ["person", "cat"],
 * });
 * console.log(df.height); // 25: the clocks went back that night
 * console.log(df.columns); // hour, hour_label, utc_offset, clips, person, cat
 * ```
 */
export async function clipsPerHour(
  source: LogSource,
  options: ClipsPerHourOptions = {},
): Promise<pl.DataFrame> {
  const { by, layout = "wide", groups, minScore = 0 } = options;
  if (by !== undefined && by !== "label" && by !== "camera") {
    throw new TypeError(`by must be "label" or "camera", got ${JSON.stringify(by)}`);
  }
  if (layout !== "wide" && layout !== "long") {
    throw new TypeError(`layout must be "wide" or "long", got ${JSON.stringify(layout)}`);
  }
  checkScore(minScore);
  const zone = zoneOf(options);
  const explicit = zone.range(options);
  const lines = await readLines(source);
  const timed = lines.map((line) => ({ line, t: Date.parse(line.clip_start) })).filter(({ t }) => !isNaN(t));
  let [start, end] = explicit;
  if (!isFinite(start) || !isFinite(end)) {
    // Open ends close on the first and last clip inside the given end (reduce, not Math.min(...):
    // a long log would overflow the argument list).
    const inside = timed.filter(({ t }) => t >= start && t < end).map(({ t }) => t);
    const first = inside.reduce((a, b) => Math.min(a, b), Infinity);
    const last = inside.reduce((a, b) => Math.max(a, b), -Infinity);
    if (!isFinite(start)) start = first;
    if (!isFinite(end)) end = inside.length ? last + 1 : start;
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
    ["hour", "datetime", hours.map((h) => new Date(h.start))],
    ["hour_label", "str", hours.map((h) => h.label)],
    ["utc_offset", "str", hours.map((h) => h.utcOffset)],
  ];
  if (!by) {
    return await frame([
      ...base,
      ["clips", "u32", total],
      ["with_detections", "u32", withDetections],
      ["failed", "u32", failed],
    ]);
  }
  const zeros = new Array<number>(hours.length).fill(0);
  const shown = groups ? [...new Set(groups)] : mostFirst(perGroup);
  if (layout === "wide") {
    return await frame([
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
  return await frame([
    ["hour", "datetime", rows.map((r) => new Date(r.h.start))],
    ["hour_label", "str", rows.map((r) => r.h.label)],
    ["utc_offset", "str", rows.map((r) => r.h.utcOffset)],
    [by, "str", rows.map((r) => r.g)],
    ["clips", "u32", rows.map((r) => r.n)],
  ]);
}

/**
 * Per class: in how many analysed clips it was seen, in how many analysed frames in all, the
 * most at once, its best score, and the first and last clip that saw it. Most clips first.
 *
 * Columns: `label`, `clips`, `share` (of the analysed clips in the range, 0..1), `frames`,
 * `max`, `best`, `first_clip`, `last_clip` (Datetime, `clip_start`, UTC).
 *
 * @example
 * ```ts
 * import { clipsPerClass } from "./log_analysis.ts";
 * const df = await clipsPerClass("video/detections_log.jsonl", { minScore: 0.5 });
 * for (const row of df.toRecords()) console.log(row.label, row.clips, row.best);
 * ```
 */
export async function clipsPerClass(
  source: LogSource,
  options: TimeRangeOptions & ScoreOptions = {},
): Promise<pl.DataFrame> {
  const { minScore = 0 } = options;
  checkScore(minScore);
  const lines = await linesInRange(source, options);
  const ok = lines.filter(({ line }) => line.ok);
  const classes = new Map<
    string,
    { clips: number; frames: number; max: number; best: number; first: number; last: number }
  >();
  for (const { line, t } of ok) {
    for (const [label, stats] of Object.entries(line.objects ?? {})) {
      if (!((stats?.best ?? 0) >= minScore)) continue;
      let c = classes.get(label);
      if (!c) classes.set(label, c = { clips: 0, frames: 0, max: 0, best: 0, first: NaN, last: NaN });
      c.clips++;
      c.frames += finite(stats.frames) ?? 0;
      c.max = Math.max(c.max, finite(stats.max) ?? 0);
      c.best = Math.max(c.best, finite(stats.best) ?? 0);
      widenSpan(c, t);
    }
  }
  const rows = [...classes].sort(([a, x], [b, y]) => y.clips - x.clips || compare(a, b));
  return await frame([
    ["label", "str", rows.map(([label]) => label)],
    ["clips", "u32", rows.map(([, c]) => c.clips)],
    ["share", "f64", rows.map(([, c]) => c.clips / ok.length)],
    ["frames", "u32", rows.map(([, c]) => c.frames)],
    ["max", "u32", rows.map(([, c]) => c.max)],
    ["best", "f64", rows.map(([, c]) => c.best)],
    ["first_clip", "datetime", rows.map(([, c]) => dateOrNull(c.first))],
    ["last_clip", "datetime", rows.map(([, c]) => dateOrNull(c.last))],
  ]);
}

/**
 * Per camera: its clips, how many were analysed and how many failed, how many had a class at
 * `minScore`, the frames analysed, and its first and last clip. By camera name.
 *
 * Columns: `camera`, `clips`, `ok`, `failed`, `with_detections`, `frames`, `first_clip`,
 * `last_clip` (Datetime, `clip_start`, UTC).
 *
 * @example
 * ```ts
 * import { clipsPerCamera } from "./log_analysis.ts";
 * const df = await clipsPerCamera("video/detections_log.jsonl", { day: "today" });
 * console.log(df.toRecords());
 * ```
 */
export async function clipsPerCamera(
  source: LogSource,
  options: TimeRangeOptions & ScoreOptions = {},
): Promise<pl.DataFrame> {
  const { minScore = 0 } = options;
  checkScore(minScore);
  const cameras = new Map<
    string,
    {
      clips: number;
      ok: number;
      failed: number;
      detections: number;
      frames: number;
      first: number;
      last: number;
    }
  >();
  for (const { line, t } of await linesInRange(source, options)) {
    const name = cameraOf(line);
    let c = cameras.get(name);
    if (!c) {
      cameras.set(name, c = { clips: 0, ok: 0, failed: 0, detections: 0, frames: 0, first: NaN, last: NaN });
    }
    c.clips++;
    if (line.ok) {
      c.ok++;
      c.frames += finite(line.frames) ?? 0;
      if (seenLabels(line, minScore).length) c.detections++;
    } else {
      c.failed++;
    }
    widenSpan(c, t);
  }
  const rows = [...cameras].sort(([a], [b]) => compare(a, b));
  return await frame([
    ["camera", "str", rows.map(([name]) => name)],
    ["clips", "u32", rows.map(([, c]) => c.clips)],
    ["ok", "u32", rows.map(([, c]) => c.ok)],
    ["failed", "u32", rows.map(([, c]) => c.failed)],
    ["with_detections", "u32", rows.map(([, c]) => c.detections)],
    ["frames", "u32", rows.map(([, c]) => c.frames)],
    ["first_clip", "datetime", rows.map(([, c]) => dateOrNull(c.first))],
    ["last_clip", "datetime", rows.map(([, c]) => dateOrNull(c.last))],
  ]);
}

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
 * @example
 * ```ts
 * import { clipsWith } from "./log_analysis.ts";
 * const cats = await clipsWith("video/detections_log.jsonl", "cat", {
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
  const { minScore = 0, camera } = options;
  checkScore(minScore);
  const zone = zoneOf(options);
  const rows = (await linesInRange(source, options))
    .filter(({ line }) => {
      const stats = line.ok ? line.objects?.[label] : undefined;
      return stats && (stats.best ?? 0) >= minScore && (camera === undefined || cameraOf(line) === camera);
    })
    // Clips without a readable start (only possible with no range) go last, in log order.
    .sort((a, b) => (isNaN(a.t) ? 1 : 0) - (isNaN(b.t) ? 1 : 0) || (isNaN(a.t) ? 0 : a.t - b.t));
  const stats = (line: LogLine) => line.objects[label];
  return await frame([
    ["id", "str", rows.map(({ line }) => line.id)],
    ["camera", "str", rows.map(({ line }) => cameraOf(line))],
    ["clip_start", "datetime", rows.map(({ t }) => dateOrNull(t))],
    ["local_time", "str", rows.map(({ t }) => isNaN(t) ? null : zone.format(t, true))],
    ["filename", "str", rows.map(({ line }) => line.filename ?? null)],
    ["best", "f64", rows.map(({ line }) => finite(stats(line).best))],
    ["frames", "u32", rows.map(({ line }) => finite(stats(line).frames) ?? 0)],
    ["max", "u32", rows.map(({ line }) => finite(stats(line).max) ?? 0)],
  ]);
}

/**
 * Processing time of each analysed clip, in log order: how long the worker took, per analysed
 * frame, and against the clip's own length. Failed clips are left out.
 *
 * Columns: `id`, `camera`, `clip_start` (Datetime, UTC), `filename`, `model`, `worker`, `frames`,
 * `elapsed_ms`, `ms_per_frame` (null without frames), `clip_seconds` (`clip_end - clip_start`),
 * `realtime_factor` (clip seconds per second of processing; above 1 keeps up with the camera).
 *
 * @example
 * ```ts
 * import { processingTimes } from "./log_analysis.ts";
 * const df = await processingTimes("video/detections_log.jsonl");
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
      line,
      t,
      elapsed,
      frames,
      perFrame: elapsed !== null && frames ? elapsed / frames : null,
      seconds: finite(seconds),
      factor: elapsed ? finite(seconds / (elapsed / 1000)) : null,
    };
  });
  return await frame([
    ["id", "str", rows.map((r) => r.line.id)],
    ["camera", "str", rows.map((r) => cameraOf(r.line))],
    ["clip_start", "datetime", rows.map((r) => dateOrNull(r.t))],
    ["filename", "str", rows.map((r) => r.line.filename ?? null)],
    ["model", "str", rows.map((r) => r.line.model ?? null)],
    ["worker", "str", rows.map((r) => r.line.worker ?? null)],
    ["frames", "u32", rows.map((r) => r.frames ?? 0)],
    ["elapsed_ms", "f64", rows.map((r) => r.elapsed)],
    ["ms_per_frame", "f64", rows.map((r) => r.perFrame)],
    ["clip_seconds", "f64", rows.map((r) => r.seconds)],
    ["realtime_factor", "f64", rows.map((r) => r.factor)],
  ]);
}

/**
 * Summary statistics of {@linkcode processingTimes}: one row per measure (`elapsed_ms`,
 * `frames`, `ms_per_frame`, `clip_seconds`, `realtime_factor`). Percentiles interpolate
 * linearly between the two nearest values (as NumPy and polars do by default); with no clips
 * every row has `count` 0 and nulls.
 *
 * Columns: `metric`, `count`, `mean`, `median`, `p95`, `min`, `max`.
 *
 * @example
 * ```ts
 * import { processingSummary } from "./log_analysis.ts";
 * const df = await processingSummary("video/detections_log.jsonl", { day: "today" });
 * console.log(df.toRecords().find((r) => r.metric === "ms_per_frame"));
 * ```
 */
export async function processingSummary(
  source: LogSource,
  options: TimeRangeOptions = {},
): Promise<pl.DataFrame> {
  const times = await processingTimes(source, options);
  const metrics = ["elapsed_ms", "frames", "ms_per_frame", "clip_seconds", "realtime_factor"];
  const stats = metrics.map((metric) => {
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
  return await frame([
    ["metric", "str", stats.map((s) => s.metric)],
    ["count", "u32", stats.map((s) => s.count)],
    ["mean", "f64", stats.map((s) => s.mean)],
    ["median", "f64", stats.map((s) => s.median)],
    ["p95", "f64", stats.map((s) => s.p95)],
    ["min", "f64", stats.map((s) => s.min)],
    ["max", "f64", stats.map((s) => s.max)],
  ]);
}

/**
 * The clips that could not be analysed (`ok: false` lines), in log order.
 *
 * Columns: `id`, `camera`, `filename`, `clip_start` and `timestamp` (Datetime, UTC; `timestamp`
 * is when the worker gave up), `worker`, `error`.
 *
 * @example
 * ```ts
 * import { failures } from "./log_analysis.ts";
 * const df = await failures("video/detections_log.jsonl");
 * for (const f of df.toRecords()) console.log(f.filename, f.error);
 * ```
 */
export async function failures(source: LogSource, options: TimeRangeOptions = {}): Promise<pl.DataFrame> {
  const rows = (await linesInRange(source, options)).filter(({ line }) => !line.ok);
  return await frame([
    ["id", "str", rows.map(({ line }) => line.id)],
    ["camera", "str", rows.map(({ line }) => cameraOf(line))],
    ["filename", "str", rows.map(({ line }) => line.filename ?? null)],
    ["clip_start", "datetime", rows.map(({ t }) => dateOrNull(t))],
    ["timestamp", "datetime", rows.map(({ line }) => dateOrNull(Date.parse(line.timestamp)))],
    ["worker", "str", rows.map(({ line }) => line.worker ?? null)],
    ["error", "str", rows.map(({ line }) => line.error ?? null)],
  ]);
}

/**
 * How often each failure happened, most frequent first. The worker names the clip in its
 * messages, so by default the clip's file name is replaced by `<clip>` before counting
 * (`groupAcrossClips`).
 *
 * Columns: `error`, `clips`, `first` and `last` (Datetime, UTC `timestamp` of the first and
 * last such failure), `example` (the full message of the latest one).
 *
 * @example
 * ```ts
 * import { failureCounts } from "./log_analysis.ts";
 * const df = await failureCounts("video/detections_log.jsonl");
 * console.log(df.toRecords()); // [{ error: "<clip>: moov atom not found", clips: 3, ... }]
 * ```
 */
export async function failureCounts(
  source: LogSource,
  options: FailureCountOptions = {},
): Promise<pl.DataFrame> {
  const { groupAcrossClips = true } = options;
  const groups = new Map<string, { clips: number; first: number; last: number; example: string }>();
  for (const { line } of await linesInRange(source, options)) {
    if (line.ok) continue;
    const message = String(line.error ?? "");
    const key = groupAcrossClips && line.filename ? message.replaceAll(line.filename, "<clip>") : message;
    const at = Date.parse(line.timestamp);
    let g = groups.get(key);
    if (!g) groups.set(key, g = { clips: 0, first: NaN, last: NaN, example: message });
    g.clips++;
    if (!isNaN(at)) {
      g.first = isNaN(g.first) ? at : Math.min(g.first, at);
      if (isNaN(g.last) || at >= g.last) [g.last, g.example] = [at, message];
    }
  }
  const rows = [...groups].sort(([a, x], [b, y]) => y.clips - x.clips || compare(a, b));
  return await frame([
    ["error", "str", rows.map(([error]) => error)],
    ["clips", "u32", rows.map(([, g]) => g.clips)],
    ["first", "datetime", rows.map(([, g]) => dateOrNull(g.first))],
    ["last", "datetime", rows.map(([, g]) => dateOrNull(g.last))],
    ["example", "str", rows.map(([, g]) => g.example)],
  ]);
}

// ---------------------------------------------------------------------------------------------
// Reading and filtering lines

interface TimedLine {
  readonly line: LogLine;
  /** `clip_start` in ms since the epoch; NaN when missing or unreadable */
  readonly t: number;
}

async function readLines(source: LogSource): Promise<LogLine[]> {
  if (typeof source === "string") source = new DetectionLog(source);
  if (source instanceof DetectionLog) return await Array.fromAsync(source.read());
  if (source === null || typeof source !== "object") {
    throw new TypeError(`source must be a DetectionLog, a path or log lines, got ${String(source)}`);
  }
  return await Array.fromAsync(source);
}

/** The lines whose `clip_start` is in the range of the options (all of them without one). */
async function linesInRange(source: LogSource, options: TimeRangeOptions): Promise<TimedLine[]> {
  const [start, end] = zoneOf(options).range(options);
  const lines = (await readLines(source)).map((line) => ({ line, t: Date.parse(line.clip_start) }));
  // Without a range a clip with an unreadable time still counts; with one it cannot be placed.
  if (start === -Infinity && end === Infinity) return lines;
  return lines.filter(({ t }) => t >= start && t < end);
}

/** The classes of a line seen with a best score of at least `minScore`. */
function seenLabels(line: LogLine, minScore: number): string[] {
  return Object.entries(line.objects ?? {}).filter(([, s]) => (s?.best ?? 0) >= minScore).map(([label]) =>
    label
  );
}

function cameraOf(line: LogLine): string {
  return typeof line.camera === "string" ? line.camera : "";
}

function checkScore(minScore: number): void {
  if (!(typeof minScore === "number" && minScore >= 0 && minScore <= 1)) {
    throw new RangeError(`minScore must be a number from 0 to 1, got ${String(minScore)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Small helpers

type Kind = "datetime" | "str" | "u32" | "f64";
type Column = readonly [name: string, kind: Kind, values: readonly unknown[]];

/** A DataFrame with explicit types, so that an empty one still has its columns and types. */
async function frame(columns: readonly Column[]): Promise<pl.DataFrame> {
  const p = await polars();
  const types = { datetime: p.Datetime("ms"), str: p.Utf8, u32: p.UInt32, f64: p.Float64 };
  return p.DataFrame(columns.map(([name, kind, values]) => p.Series(name, [...values], types[kind])));
}

/** Stretches a first/last pair (NaN while empty) to take in time `t`; NaN times are skipped. */
function widenSpan(span: { first: number; last: number }, t: number): void {
  if (isNaN(t)) return;
  span.first = isNaN(span.first) ? t : Math.min(span.first, t);
  span.last = isNaN(span.last) ? t : Math.max(span.last, t);
}

function finite(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function dateOrNull(t: number): Date | null {
  return Number.isFinite(t) ? new Date(t) : null;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
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

/** Linear-interpolation quantile of sorted values. */
function quantile(sorted: readonly number[], q: number): number | null {
  if (!sorted.length) return null;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

// ---------------------------------------------------------------------------------------------
// Time zones, with Intl only (nodejs-polars 0.25 has no reliable zone arithmetic, and Temporal
// is not everywhere Deno notebooks run)

function defaultTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

function zoneOf(options: TimeRangeOptions): Zone {
  return new Zone(options.timeZone ?? defaultTimeZone());
}

interface Hour {
  readonly start: number;
  readonly label: string;
  readonly utcOffset: string;
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?$/;
const formats = new Map<string, Intl.DateTimeFormat>();

/**
 * Local readings of instants in one IANA zone. A "wall" value is a local date and time encoded
 * as if it were UTC (`Date.UTC(y, m, d, h, min, s)`), which makes wall-clock arithmetic plain.
 */
class Zone {
  readonly name: string;
  readonly #format: Intl.DateTimeFormat;

  constructor(name: string) {
    let format = formats.get(name);
    if (!format) {
      try {
        format = new Intl.DateTimeFormat("en-US", {
          timeZone: name,
          hourCycle: "h23",
          year: "numeric",
          month: "numeric",
          day: "numeric",
          hour: "numeric",
          minute: "numeric",
          second: "numeric",
        });
      } catch (e) {
        throw new RangeError(`timeZone must be an IANA time zone name, got ${JSON.stringify(name)}`, {
          cause: e,
        });
      }
      formats.set(name, format);
    }
    this.name = name;
    this.#format = format;
  }

  /** Local time minus UTC at instant t, in ms. */
  offset(t: number): number {
    const p: Record<string, number> = {};
    for (const { type, value } of this.#format.formatToParts(t)) p[type] = Number(value);
    const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    return wall - (t - mod(t, 1000));
  }

  /** `"YYYY-MM-DD HH:MM:SS"` (or `"YYYY-MM-DD HH:00"` for an hour) in this zone. */
  format(t: number, seconds: boolean): string {
    const w = new Date(t + this.offset(t));
    const date = `${w.getUTCFullYear()}-${pad(w.getUTCMonth() + 1)}-${pad(w.getUTCDate())}`;
    return seconds
      ? `${date} ${pad(w.getUTCHours())}:${pad(w.getUTCMinutes())}:${pad(w.getUTCSeconds())}`
      : `${date} ${pad(w.getUTCHours())}:00`;
  }

  /**
   * The instant a local wall time names: the earlier one when it happens twice (clocks going
   * back), and when it is skipped (clocks going forward) the instant it would have had with the
   * offset before the jump, which lands after the jump (Temporal's "compatible").
   */
  instantOf(wall: number): number {
    const before = this.offset(wall - DAY);
    const offsets = new Set([before, this.offset(wall), this.offset(wall + DAY)]);
    const valid = [...offsets].map((o) => wall - o).filter((t) => this.offset(t) === wall - t);
    return valid.length ? Math.min(...valid) : wall - before;
  }

  /** The start of the local hour that contains t: the last instant <= t whose local time is HH:00:00. */
  hourStart(t: number): number {
    // Near a change of offset the hour start may lie on either side of it: try the offsets of
    // the last three hours and keep the latest candidate that really reads HH:00:00.
    let best = -Infinity;
    for (const o of new Set([this.offset(t), this.offset(t - HOUR), this.offset(t - 2 * HOUR)])) {
      const c = t - mod(t + o, HOUR);
      for (let k = 0; k < 3; k++) {
        if (c - k * HOUR > best && this.offset(c - k * HOUR) === o) best = c - k * HOUR;
      }
    }
    return isFinite(best) ? best : t - mod(t + this.offset(t), HOUR);
  }

  /** The next instant after hour start h whose local time is HH:00:00. */
  nextHour(h: number): number {
    const o = this.offset(h);
    if (this.offset(h + HOUR) === o) return h + HOUR;
    // The offset changes within the hour: half-hour shifts (Australia/Lord_Howe) can put the
    // next HH:00 up to 1.5 h away, so look at both offsets' candidates and keep the earliest.
    let best = Infinity;
    for (const p of new Set([o, this.offset(h + HOUR), this.offset(h + 2 * HOUR)])) {
      const c = h - mod(h + p, HOUR) + HOUR;
      for (let k = 0; k < 2; k++) {
        if (c + k * HOUR < best && this.offset(c + k * HOUR) === p) best = c + k * HOUR;
      }
    }
    return isFinite(best) ? best : h + HOUR;
  }

  /** Every local hour that starts in [hourStart(start), end). */
  hours(start: number, end: number): Hour[] {
    const hours: Hour[] = [];
    for (let h = this.hourStart(start); h < end; h = this.nextHour(h)) {
      const o = this.offset(h);
      const sign = o < 0 ? "-" : "+";
      const abs = Math.abs(Math.round(o / 60_000));
      hours.push({
        start: h,
        label: this.format(h, false),
        utcOffset: `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`,
      });
    }
    return hours;
  }

  /** [local midnight, next local midnight) of a day. */
  dayRange(day: DayInput, now: Date): [number, number] {
    let y: number, m: number, d: number;
    if (day instanceof Date || day === "today") {
      const t = day === "today" ? now.getTime() : day.getTime();
      if (isNaN(t)) throw new RangeError(`day must be a valid date, got ${String(day)}`);
      const w = new Date(t + this.offset(t));
      [y, m, d] = [w.getUTCFullYear(), w.getUTCMonth(), w.getUTCDate()];
    } else {
      const match = typeof day === "string" ? DATE_ONLY.exec(day) : null;
      // Date.UTC rolls 2026-02-30 over to March: a round trip tells real dates apart.
      const wall = match ? Date.UTC(+match[1], +match[2] - 1, +match[3]) : NaN;
      if (!match || isNaN(wall) || new Date(wall).toISOString().slice(0, 10) !== day) {
        throw new RangeError(`day must be "YYYY-MM-DD", "today" or a Date, got ${JSON.stringify(day)}`);
      }
      [y, m, d] = [+match[1], +match[2] - 1, +match[3]];
    }
    return [this.instantOf(Date.UTC(y, m, d)), this.instantOf(Date.UTC(y, m, d + 1))];
  }

  /** A time option as an instant. */
  parseTime(value: TimeInput, name: string, now: Date): number {
    if (value instanceof Date) {
      if (isNaN(value.getTime())) throw new RangeError(`${name} must be a valid date, got Invalid Date`);
      return value.getTime();
    }
    if (typeof value === "string") {
      if (value === "today" || DATE_ONLY.test(value)) return this.dayRange(value, now)[0];
      const local = LOCAL_DATE_TIME.exec(value);
      if (local) {
        const [, y, mo, d, h, mi, s = "0", ms = "0"] = local;
        return this.instantOf(Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, +ms.padEnd(3, "0")));
      }
      const t = Date.parse(value);
      if (!isNaN(t)) return t;
    }
    throw new RangeError(`${name} must be a Date or an ISO 8601 date or time, got ${JSON.stringify(value)}`);
  }

  /** The [start, end) of the options' day or from/to, with infinities for open ends. */
  range(options: TimeRangeOptions): [number, number] {
    const { day, from, to, now = new Date() } = options;
    if (day !== undefined) {
      if (from !== undefined || to !== undefined) throw new TypeError("give either day or from/to, not both");
      return this.dayRange(day, now);
    }
    const start = from === undefined ? -Infinity : this.parseTime(from, "from", now);
    const end = to === undefined ? Infinity : this.parseTime(to, "to", now);
    if (end < start) throw new RangeError(`to (${String(to)}) is before from (${String(from)})`);
    return [start, end];
  }
}
