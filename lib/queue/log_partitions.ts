/**
 * How a detection log kept in a folder is split: one JSONL file per UTC day (`2026-02-23.jsonl`) or
 * month (`2026-02.jsonl`) of each line's `clip_start`, and `undated.jsonl` for a line whose start
 * cannot be read. A clip's start never changes, so every line of one task (a dead letter's and the
 * real result) lands in the same file: idempotency is checked in that file alone, and a time range
 * is read from the files it touches alone. The rules live here, for the writer and the readers.
 *
 * @module
 */

/**
 * The period of a folder log's files.
 *
 * @example
 * ```ts
 * import type { LogPartition } from "./log_partitions.ts";
 * const partition: LogPartition = "month";
 * console.log(partition);
 * ```
 */
export type LogPartition = "day" | "month";

/**
 * The partition of lines whose `clip_start` cannot be read (a hand-written line).
 *
 * @example
 * ```ts
 * import { UNDATED } from "./log_partitions.ts";
 * console.log(`${UNDATED}.jsonl`); // "undated.jsonl"
 * ```
 */
export const UNDATED = "undated";

/**
 * A range of clip starts, `from` included, `to` excluded; either end may be left open.
 *
 * @example
 * ```ts
 * import type { LogRange } from "./log_partitions.ts";
 * const lastDay: LogRange = { from: Date.now() - 86_400_000 };
 * console.log(lastDay.from);
 * ```
 */
export interface LogRange {
  /**
   * The first instant (ms since the epoch, or a Date).
   * @default open: from the first line
   */
  readonly from?: number | Date;
  /**
   * The instant after the last (ms since the epoch, or a Date).
   * @default open: to the last line
   */
  readonly to?: number | Date;
}

/**
 * Whether a log path names a folder of partitions rather than one file: anything that does not end
 * in `.jsonl` is a folder.
 *
 * @example
 * ```ts
 * import { isFolderLog } from "./log_partitions.ts";
 * console.log(isFolderLog("video/detections.d"), isFolderLog("video/detections_log.jsonl")); // true false
 * ```
 */
export function isFolderLog(path: string): boolean {
  return !path.endsWith(".jsonl");
}

/**
 * The partition a line belongs to, from its clip start.
 *
 * @returns `YYYY-MM-DD` (day) or `YYYY-MM` (month) of the instant in UTC, or {@linkcode UNDATED} when it
 *   cannot be read
 *
 * @example
 * ```ts
 * import { partitionKey } from "./log_partitions.ts";
 * console.log(partitionKey("2026-02-24T00:30:00.000+01:00", "day")); // "2026-02-23"
 * ```
 */
export function partitionKey(clipStart: string | undefined, partition: LogPartition): string {
  const t = typeof clipStart === "string" ? Date.parse(clipStart) : NaN;
  if (isNaN(t)) return UNDATED;
  const iso = new Date(t).toISOString();
  // Years outside 0000-9999 print with a sign and six digits: no partition name can hold them.
  if (!/^\d{4}-/.test(iso)) return UNDATED;
  return iso.slice(0, partition === "day" ? 10 : 7);
}

/**
 * The clip start written into a task id (`<camera>-<start ISO with zone>`).
 *
 * @returns the ISO text, or undefined when the id does not end with one
 *
 * @example
 * ```ts
 * import { startOfId } from "./log_partitions.ts";
 * console.log(startOfId("front-door-2026-02-23T14:46:57.120+01:00")); // "2026-02-23T14:46:57.120+01:00"
 * ```
 */
export function startOfId(id: string): string | undefined {
  return /-(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))$/.exec(id)?.[1];
}

/**
 * The instants a partition covers, from its key (a file name without `.jsonl`).
 *
 * @returns `[start, end)` in ms since the epoch, or undefined for {@linkcode UNDATED} and for names that are
 *   no partition's
 *
 * @example
 * ```ts
 * import { partitionSpan } from "./log_partitions.ts";
 * const [start, end] = partitionSpan("2026-02")!;
 * console.log(new Date(start).toISOString(), new Date(end).toISOString()); // 2026-02-01… 2026-03-01…
 * ```
 */
export function partitionSpan(key: string): [number, number] | undefined {
  const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(key);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]) - 1, m[3] === undefined ? undefined : Number(m[3])];
  const start = Date.UTC(y, mo, d ?? 1);
  const end = d === undefined ? Date.UTC(y, mo + 1, 1) : Date.UTC(y, mo, d + 1);
  return isNaN(start) ? undefined : [start, end];
}

/**
 * A range's ends as numbers, open ends as infinities.
 *
 * @example
 * ```ts
 * import { rangeBounds } from "./log_partitions.ts";
 * console.log(rangeBounds({ to: new Date(0) })); // [-Infinity, 0]
 * ```
 */
export function rangeBounds(range: LogRange = {}): [number, number] {
  const n = (v: number | Date | undefined, open: number) => v === undefined ? open : +v;
  return [n(range.from, -Infinity), n(range.to, Infinity)];
}

/**
 * Whether a partition may hold lines in a range: its span overlaps it, or, for {@linkcode UNDATED}, the
 * range is open at both ends (an undated line belongs to no bounded range).
 *
 * @example
 * ```ts
 * import { partitionInRange } from "./log_partitions.ts";
 * console.log(partitionInRange("2026-02-23", { from: Date.UTC(2026, 1, 23, 23) })); // true
 * ```
 */
export function partitionInRange(key: string, range: LogRange = {}): boolean {
  const [from, to] = rangeBounds(range);
  const span = partitionSpan(key);
  if (!span) return from === -Infinity && to === Infinity;
  return span[0] < to && span[1] > from;
}

/**
 * The partitions a bounded range touches, oldest first, without looking at the folder.
 *
 * @param max most keys to name; a longer range gives undefined (listing the folder is cheaper then)
 * @returns the keys, or undefined when either end of the range is open or the range spans more than `max`
 *   partitions
 *
 * @example
 * ```ts
 * import { partitionKeys } from "./log_partitions.ts";
 * const range = { from: Date.UTC(2026, 1, 27, 12), to: Date.UTC(2026, 2, 2) };
 * console.log(partitionKeys(range, "day", 400)); // ["2026-02-27", "2026-02-28", "2026-03-01"]
 * ```
 */
export function partitionKeys(range: LogRange, partition: LogPartition, max: number): string[] | undefined {
  const [from, to] = rangeBounds(range);
  if (!isFinite(from) || !isFinite(to)) return undefined;
  const keys: string[] = [];
  if (to <= from) return keys;
  const first = new Date(from);
  // Walk period by period from the start of the first one, in UTC.
  const y = first.getUTCFullYear();
  let m = first.getUTCMonth();
  let d = partition === "day" ? first.getUTCDate() : 1;
  for (let t = Date.UTC(y, m, d); t < to; t = Date.UTC(y, m, d)) {
    if (keys.length >= max) return undefined;
    const key = partitionKey(new Date(t).toISOString(), partition);
    if (key === UNDATED) return undefined; // beyond the years a file name can hold
    keys.push(key);
    if (partition === "day") d++;
    else m++;
  }
  return keys;
}
