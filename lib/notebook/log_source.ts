/**
 * Where the log analyses get their lines: a {@linkcode DetectionLog}, the path of a JSONL log,
 * or lines already read; the lines whose clip started in a time range; and which classes and
 * camera a line counts for. The log line is described in docs/architecture.md.
 *
 * @example The cat clips of today, read once and looked at twice
 * ```ts
 * import { linesInRange, readLogLines, seenLabels } from "./log_source.ts";
 *
 * const lines = await readLogLines("video/detections.d");
 * const today = await linesInRange(lines, { day: "today" });
 * console.log(today.filter(({ line }) => seenLabels(line, 0.5).includes("cat")).length);
 * ```
 *
 * @module
 */

import { DetectionLog, type LogLine } from "../queue/detection_log.ts";
import { type TimeRangeOptions, Zone } from "./local_time.ts";

/**
 * Where the log lines come from: a {@linkcode DetectionLog}, the path of a JSONL log, or lines
 * already read (read a big log once with `Array.fromAsync(log.read())` and pass the array to
 * several analyses).
 *
 * @example
 * ```ts
 * import type { LogSource } from "./log_source.ts";
 * import { DetectionLog } from "../queue/detection_log.ts";
 * const log = new DetectionLog("video/detections.d");
 * const sources: LogSource[] = [log, "video/detections.d", await Array.fromAsync(log.read())];
 * ```
 */
export type LogSource = DetectionLog | string | Iterable<LogLine> | AsyncIterable<LogLine>;

/**
 * A log line with the instant its clip started.
 *
 * @example
 * ```ts
 * import type { TimedLine } from "./log_source.ts";
 * const started = (timed: TimedLine) => isNaN(timed.t) ? "unknown" : new Date(timed.t).toISOString();
 * ```
 */
export interface TimedLine {
  /** the line as logged */
  readonly line: LogLine;
  /** `clip_start` in ms since the epoch; NaN when missing or unreadable */
  readonly t: number;
}

/**
 * Options of the analyses that look at detected classes.
 *
 * @example
 * ```ts
 * import type { ScoreOptions } from "./log_source.ts";
 * const sure: ScoreOptions = { minScore: 0.5 };
 * ```
 */
export interface ScoreOptions {
  /**
   * A class counts in a clip only when its best score reached this.
   * @default 0
   */
  readonly minScore?: number;
}

/**
 * Every line of a source, in log order; a missing log file has none. Throws `TypeError` for a
 * source that is none of a {@linkcode LogSource}'s kinds.
 *
 * @returns every line in log order; an empty array when the log file does not exist yet
 * @throws {TypeError} when `source` is not a path, a `DetectionLog` or an iterable of lines
 *
 * @example
 * ```ts
 * import { readLogLines } from "./log_source.ts";
 * const lines = await readLogLines("video/detections.d");
 * console.log(`${lines.length} clips logged`);
 * ```
 */
export async function readLogLines(source: LogSource): Promise<LogLine[]> {
  if (typeof source === "string") source = new DetectionLog(source);
  if (source instanceof DetectionLog) return await Array.fromAsync(source.read());
  if (source === null || typeof source !== "object") {
    throw new TypeError(`source must be a DetectionLog, a path or log lines, got ${String(source)}`);
  }
  return await Array.fromAsync(source);
}

/**
 * The lines whose `clip_start` is in the range of the options, in log order, each with its
 * start instant. A log on disk (a path or a `DetectionLog`) reads only what the range touches: the
 * files of its days in a folder log. Without a range every line comes back, also one whose start cannot be read
 * (its `t` is NaN); with one, such a line cannot be placed and is left out.
 *
 * @throws {RangeError} when `from`, `to` or `day` cannot be read, `timeZone` is not an IANA zone, or `to` is
 *   before `from`
 * @throws {TypeError} when both `day` and `from`/`to` are given, or `source` is not a log
 *
 * @example
 * ```ts
 * import { linesInRange } from "./log_source.ts";
 * const morning = await linesInRange("video/detections.d", {
 *   from: "2026-02-23T06:00",
 *   to: "2026-02-23T12:00",
 *   timeZone: "Europe/Berlin",
 * });
 * console.log(morning.map(({ line }) => line.filename));
 * ```
 */
export async function linesInRange(source: LogSource, options: TimeRangeOptions = {}): Promise<TimedLine[]> {
  const [start, end] = Zone.of(options).range(options);
  // A log on disk is asked for the range itself: a folder log then opens only the files it touches.
  if (typeof source === "string") source = new DetectionLog(source);
  const lines =
    (source instanceof DetectionLog
      ? await Array.fromAsync(source.read({ from: start, to: end }))
      : await readLogLines(source)).map((line) => ({ line, t: Date.parse(line.clip_start) }));
  if (start === -Infinity && end === Infinity) return lines;
  return lines.filter(({ t }) => t >= start && t < end);
}

/**
 * The classes of a line seen with a best score of at least `minScore`, in the line's order.
 *
 * @example
 * ```ts
 * import { seenLabels } from "./log_source.ts";
 * import type { LogLine } from "../queue/detection_log.ts";
 * const show = (line: LogLine) => console.log(line.filename, seenLabels(line, 0.5).join(", "));
 * ```
 */
export function seenLabels(line: LogLine, minScore: number): string[] {
  return Object.entries(line.objects ?? {}).filter(([, s]) => (s?.best ?? 0) >= minScore).map(([label]) =>
    label
  );
}

/**
 * The camera of a line; `""` when a hand-written line has none, so that it still has a group.
 *
 * @example
 * ```ts
 * import { cameraOf } from "./log_source.ts";
 * import type { LogLine } from "../queue/detection_log.ts";
 * const byCamera = (lines: LogLine[]) => Object.groupBy(lines, cameraOf);
 * ```
 */
export function cameraOf(line: LogLine): string {
  return typeof line.camera === "string" ? line.camera : "";
}

/**
 * {@linkcode linesInRange} for the analyses that look at detected classes: checks `minScore`
 * (a `RangeError` naming it unless it is from 0 to 1) before reading anything, and hands it
 * back with its default.
 *
 * @example
 * ```ts
 * import { scoredLines, seenLabels } from "./log_source.ts";
 * const { lines, minScore } = await scoredLines("video/detections.d", { day: "today", minScore: 0.5 });
 * console.log(lines.filter(({ line }) => seenLabels(line, minScore).length).length);
 * ```
 */
export async function scoredLines(
  source: LogSource,
  options: TimeRangeOptions & ScoreOptions = {},
): Promise<{ lines: TimedLine[]; minScore: number }> {
  const { minScore = 0 } = options;
  checkScore(minScore);
  return { lines: await linesInRange(source, options), minScore };
}

/**
 * A line as a row record for a DataFrame: its fields, with `clip_start`, `clip_end` and
 * `timestamp` as instants in ms (NaN when unreadable, null in a Datetime column) and its camera
 * as {@linkcode cameraOf} reads it.
 *
 * @example
 * ```ts
 * import { lineRecord, linesInRange } from "./log_source.ts";
 * const records = (await linesInRange("video/detections.d")).map(lineRecord);
 * console.log(records.map((r) => new Date(r.clip_start)));
 * ```
 */
export function lineRecord({ line, t }: TimedLine): LineRecord {
  return {
    ...line,
    camera: cameraOf(line),
    clip_start: t,
    clip_end: Date.parse(line.clip_end),
    timestamp: Date.parse(line.timestamp),
  };
}

/**
 * A log line with its times as instants, as {@linkcode lineRecord} makes it.
 *
 * @example
 * ```ts
 * import type { LineRecord } from "./log_source.ts";
 * const seconds = (r: LineRecord) => (r.clip_end - r.clip_start) / 1000;
 * ```
 */
export type LineRecord = Omit<LogLine, "clip_start" | "clip_end" | "timestamp"> & {
  /** when the clip started, ms since the epoch (NaN when unreadable) */
  readonly clip_start: number;
  /** when the clip ended, ms since the epoch (NaN when unreadable) */
  readonly clip_end: number;
  /** when processing finished, ms since the epoch (NaN when unreadable) */
  readonly timestamp: number;
};

function checkScore(minScore: number): void {
  if (!(typeof minScore === "number" && minScore >= 0 && minScore <= 1)) {
    throw new RangeError(`minScore must be a number from 0 to 1, got ${String(minScore)}`);
  }
}
