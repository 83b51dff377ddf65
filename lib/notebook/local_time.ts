/**
 * Local time for the log analyses: local calendar days and wall-clock hours of an IANA time
 * zone, with Intl only (nodejs-polars 0.25 has no reliable zone arithmetic, and Temporal is not
 * everywhere Deno notebooks run).
 *
 * A "day" is [local midnight, next local midnight) and an "hour" a local wall-clock hour, so a
 * day has 23 or 25 of them when the clocks change; the repeated hour of the autumn day appears
 * twice, with distinct starts and UTC offsets.
 *
 * @example Berlin's autumn day
 * ```ts
 * import { localDayRange, localHours } from "./local_time.ts";
 *
 * const { start, end } = localDayRange("2026-10-25", "Europe/Berlin");
 * console.log((end.getTime() - start.getTime()) / 3_600_000); // 25
 * console.log(localHours(start, end, "Europe/Berlin").length); // 25
 * ```
 *
 * @module
 */

/**
 * A local calendar day: `"YYYY-MM-DD"`, `"today"`, or a `Date` (the day it falls on in the time
 * zone of the analysis).
 *
 * @example
 * ```ts
 * import type { DayInput } from "./local_time.ts";
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
 * import type { TimeInput } from "./local_time.ts";
 * const times: TimeInput[] = [new Date(), "2026-03-29T01:30:00+01:00", "2026-03-29", "2026-03-29 08:00"];
 * ```
 */
export type TimeInput = Date | string;

/**
 * Which clips an analysis looks at (by their `clip_start`), and in which time zone.
 *
 * @example
 * ```ts
 * import type { TimeRangeOptions } from "./local_time.ts";
 * const today: TimeRangeOptions = { day: "today", timeZone: "Europe/Berlin" };
 * const morning: TimeRangeOptions = { from: "2026-02-23T06:00", to: "2026-02-23T12:00" };
 * ```
 */
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

/**
 * One local wall-clock hour, as {@linkcode localHours} lists them.
 *
 * @example
 * ```ts
 * import { type LocalHour, localHours } from "./local_time.ts";
 * const [first]: LocalHour[] = localHours("2026-02-23", "2026-02-24", "UTC");
 * console.log(first.label, first.utcOffset); // 2026-02-23 00:00 +00:00
 * ```
 */
export interface LocalHour {
  /** the instant the hour starts */
  readonly start: Date;
  /** local reading, `"YYYY-MM-DD HH:00"` (twice on the day the clocks go back) */
  readonly label: string;
  /** UTC offset of the local time at the start, `"+01:00"` */
  readonly utcOffset: string;
}

/**
 * A local hour as {@linkcode Zone.hours} lists it: a {@linkcode LocalHour} whose start is in
 * ms since the epoch, for arithmetic.
 *
 * @example
 * ```ts
 * import { Zone, type ZoneHour } from "./local_time.ts";
 * const hours: ZoneHour[] = new Zone("UTC").hours(0, 7_200_000);
 * console.log(hours.map((h) => h.start)); // [0, 3600000]
 * ```
 */
export interface ZoneHour {
  /** the instant the hour starts, in ms since the epoch */
  readonly start: number;
  /** local reading, `"YYYY-MM-DD HH:00"` */
  readonly label: string;
  /** UTC offset of the local time at the start, `"+01:00"` */
  readonly utcOffset: string;
}

const HOUR = 3_600_000;
const DAY = 86_400_000;

/**
 * The local wall-clock hours that start in [from, to) in a time zone, the hour that contains
 * `from` first. Every local hour appears once; on the day the clocks go back the repeated hour
 * appears twice, with distinct starts and offsets, and the skipped hour of the spring day does
 * not appear. Zones with half-hour offsets (Asia/Kolkata) get their hours at their local `:00`.
 *
 * @param from a `Date`, or an ISO 8601 date or time; one without an offset is read as local time in
 *   `timeZone`
 * @param timeZone an IANA zone name (`Europe/Berlin`)
 * @returns the hours in time order, each labelled `HH:00` with its UTC offset
 * @throws {RangeError} when `from` or `to` cannot be read as a time, `timeZone` is not an IANA zone, or `to`
 *   is before `from`
 *
 * @example
 * ```ts
 * import { localHours } from "./local_time.ts";
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
 * @param day `YYYY-MM-DD`, `today` (in `timeZone`, at `now`) or a `Date` (the local day it falls on)
 * @returns `end` exclusive
 * @throws {RangeError} when `day` is not one of those, or `timeZone` is not an IANA zone
 *
 * @example
 * ```ts
 * import { localDayRange } from "./local_time.ts";
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

function defaultTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?$/;
const formats = new Map<string, Intl.DateTimeFormat>();

/**
 * Local readings of instants in one IANA zone, in ms since the epoch. A "wall" value is a local
 * date and time encoded as if it were UTC (`Date.UTC(y, m, d, h, min, s)`), which makes
 * wall-clock arithmetic plain. The analyses use it directly; notebooks have
 * {@linkcode localHours} and {@linkcode localDayRange}.
 *
 * @example
 * ```ts
 * import { Zone } from "./local_time.ts";
 * const berlin = new Zone("Europe/Berlin");
 * console.log(berlin.format(Date.parse("2026-02-23T12:00:00Z"), true)); // 2026-02-23 13:00:00
 * console.log(berlin.offset(Date.parse("2026-07-01T00:00:00Z")) / 3_600_000); // 2
 * ```
 */
export class Zone {
  /** the IANA name */
  readonly name: string;
  readonly #format: Intl.DateTimeFormat;

  /** The zone of the options, or the process's own without one. */
  static of(options: TimeRangeOptions): Zone {
    return new Zone(options.timeZone ?? defaultTimeZone());
  }

  /** Throws `RangeError` naming `name` when it is not an IANA zone this runtime knows. */
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
  hours(start: number, end: number): ZoneHour[] {
    const hours: ZoneHour[] = [];
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

  /** A time option as an instant; `name` is the option's, for the error message. */
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

function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}
