/**
 * `DetectionLog`: the append-only JSONL log of analysed clips, one line per clip (the log line,
 * docs/architecture.md). Appends are idempotent by task id and safe with several worker
 * processes (an exclusive file lock around check-and-append); readers get typed lines. The
 * notebook surface turns them into DataFrames (`logDataFrame`), so the pipeline never loads
 * nodejs-polars.
 *
 * Two layouts: a folder (the default, `VIDEO_DIR/detections.d`) with one file per UTC day (or month)
 * of the clips' start (log_partitions.ts), or one file (a path ending in `.jsonl`, the prototype's
 * `detections_log.jsonl`). In a folder, a clip's lines are all in its start's file, so checking an
 * id reads that file only, and the ids kept in memory are those of the few files touched last
 * (`QUEUE_DEFAULTS.logIndexPartitions`): a worker's memory does not grow with the log. Readers take
 * a range of clip starts and open only the files it touches. One file keeps every id it has seen.
 *
 * Faults it survives:
 *
 * - a line is written whole or not at all: when a write fails part-way (a full disk: ENOSPC,
 *   EFBIG, EIO), the bytes written are cut off again before the error is thrown; a torn last
 *   line left by a process killed mid-write is repaired (cut back to the last newline, or given
 *   its newline when it is a whole line) by the next append, under the lock, and skipped by
 *   readers until then;
 * - a real result wins: an `ok: true` line is appended after `ok: false` lines of the same id
 *   (a dead letter written while a slow worker was still busy with the clip), and readers report,
 *   for each id, its first `ok: true` line, or its first line when it has none; a second line of
 *   the same kind is never written;
 * - bounded lines: every text field but `id` is cut to `QUEUE_DEFAULTS.logFieldChars`
 *   characters with "…"; a line carries at most `QUEUE_DEFAULTS.logTracks` tracked objects (the
 *   first ones; `tracks_omitted` counts the others), each with at most `logPathPoints` points of
 *   its path and `logTrackZones` zone names.
 *
 * @module
 */

import type { ObjectStats } from "../yolo/detection_summary.ts";
import type { TrackSummary } from "../yolo/clip_tracks.ts";
import { CamwatchError } from "../errors.ts";
import { basename, join } from "node:path";
import {
  isFolderLog,
  type LogPartition,
  type LogRange,
  partitionInRange,
  partitionKey,
  partitionKeys,
  partitionSpan,
  rangeBounds,
  startOfId,
  UNDATED,
} from "./log_partitions.ts";
import { QUEUE_DEFAULTS, truncateText } from "./queue_defaults.ts";

/** One log line: the prototype's fields (`ok`, `filename`, `detected`, `count`, `timestamp`)
 * with their meaning, and the richer ones. */
export interface LogLine {
  /** whether the clip was analysed */
  readonly ok: boolean;
  /** the clip, relative to the video folder */
  readonly filename: string;
  /** unique class names, in order of first appearance */
  readonly detected: string[];
  /** number of distinct classes */
  readonly count: number;
  /** when processing finished, ISO 8601 */
  readonly timestamp: string;
  /** task id (`<camera>-<start ISO>`): one line per id */
  readonly id: string;
  /** camera name */
  readonly camera: string;
  /** clip start, ISO 8601 with zone */
  readonly clip_start: string;
  /** clip end, ISO 8601 with zone */
  readonly clip_end: string;
  /** frames analysed */
  readonly frames: number;
  /**
   * per class: confirmed objects (`count`; absent in lines written before tracking), frames seen, most at
   * once, best score, first and last second in the clip
   */
  readonly objects: Record<string, ObjectStats & { readonly count?: number }>;
  /**
   * the confirmed objects, in order of first appearance (`TrackSummary`: id, label, first, last, frames,
   * score, best, best_time, stationary, zones, box, path); absent in lines written before tracking and in
   * `ok: false` lines
   */
  readonly tracks?: TrackSummary[];
  /** tracks rejected as too weak or too brief, per class; absent as `tracks` is */
  readonly rejected?: Record<string, number>;
  /** tracks left out of `tracks` to keep the line bounded (`QUEUE_DEFAULTS.logTracks`); absent when none */
  readonly tracks_omitted?: number;
  /** frames per second analysed, or `"all"` (the rate of the detections CSV); absent in older lines */
  readonly sample_fps?: number | "all";
  /**
   * the evidence beside the clip (`<stem>.detections.csv`, `<stem>.<label>-<id>.jpg`): true when written,
   * false when writing it failed (the worker logged why); absent when evidence is off, in `ok: false` lines
   * and in older lines
   */
  readonly evidence?: boolean;
  /** model file name */
  readonly model: string;
  /** analysis time in milliseconds */
  readonly elapsed_ms: number;
  /** worker that wrote the line (`host:pid`) */
  readonly worker: string;
  /** why the clip could not be analysed (with `ok: false`) */
  readonly error?: string;
}

/** Options of {@linkcode DetectionLog.follow}. */
export interface FollowOptions {
  /**
   * Stops following.
   * @default follows until the loop breaks
   */
  readonly signal?: AbortSignal;
  /**
   * How often to look for new lines, in ms.
   * @default 250
   */
  readonly intervalMs?: number;
  /**
   * Start with the lines already in the file.
   * @default true
   */
  readonly fromStart?: boolean;
}

/**
 * A log line could not be written (the log cannot be opened, locked or written: a full disk, a
 * read-only file system, an I/O error); `cause` is the file system's error. Nothing of the line
 * is left in the file. A worker does not acknowledge its task then, so that the task comes back.
 *
 * @example
 * ```ts
 * import { DetectionLog, LogWriteError } from "./detection_log.ts";
 * declare const log: DetectionLog;
 * declare const line: Parameters<DetectionLog["append"]>[0];
 * try {
 *   await log.append(line);
 * } catch (e) {
 *   if (e instanceof LogWriteError) console.log(e.message, (e.cause as Error).message);
 * }
 * ```
 */
export class LogWriteError extends CamwatchError {}

/** Options of {@linkcode DetectionLog}. */
export interface DetectionLogOptions {
  /**
   * Most characters of a text field of a line (`filename`, `error`, `camera`, …; not `id`);
   * longer ones are cut with "…".
   * @default 1024
   */
  readonly maxFieldChars?: number;
  /**
   * The period of a folder log's files (ignored for a single file): lines go to the file of their clip's
   * start, in UTC.
   * @default "day"
   */
  readonly partition?: LogPartition;
  /**
   * How many of a folder log's files have their ids kept in memory at once (the files touched last): the
   * bound on a worker's memory for idempotency.
   * @default 4
   */
  readonly indexedPartitions?: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The detection log: a folder of files by period (a path not ending in `.jsonl`), or one file.
 *
 * @example
 * ```ts
 * import { DetectionLog } from "./detection_log.ts";
 * const log = new DetectionLog("video/detections.d");
 * const from = Date.now() - 24 * 3600_000;
 * for await (const line of log.read({ from })) console.log(line.filename, line.detected);
 * ```
 */
export class DetectionLog {
  /** the folder of a partitioned log, or the JSONL file */
  readonly path: string;
  /** the period of the files, or undefined for a single file */
  readonly partition: LogPartition | undefined;
  readonly #maxFieldChars: number;
  readonly #indexed: number;
  /** the files whose ids are known, least recently used first */
  readonly #files = new Map<string, LogFile>();

  /** Points at a log; nothing is read or created until used. */
  constructor(path: string, options: DetectionLogOptions = {}) {
    this.path = path;
    this.partition = isFolderLog(path) ? options.partition ?? QUEUE_DEFAULTS.logPartition : undefined;
    this.#maxFieldChars = options.maxFieldChars ?? QUEUE_DEFAULTS.logFieldChars;
    this.#indexed = Math.max(1, options.indexedPartitions ?? QUEUE_DEFAULTS.logIndexPartitions);
  }

  /**
   * The file a clip's lines go to: the log itself when it is one file, else the file of the clip start's
   * period in the folder.
   *
   * @param clipStart the clip's start, ISO 8601 with zone
   * @returns a path; `<folder>/undated.jsonl` when the start cannot be read
   */
  fileFor(clipStart: string | undefined): string {
    if (this.partition === undefined) return this.path;
    return join(this.path, `${partitionKey(clipStart, this.partition)}.jsonl`);
  }

  /**
   * Appends a line unless the log already has one for the same id; returns whether it was
   * written. An `ok: true` line is still written when the id has only `ok: false` lines: the real
   * result supersedes them (readers prefer it). Several processes may append at once: the check
   * and the write happen under an exclusive lock of the file. A line is written whole or not at
   * all: a torn last line left by a crashed writer is repaired first, and a write that fails
   * part-way is cut off again. Text fields but `id` are cut to `maxFieldChars` with "…". In a folder
   * log the line goes to the file of its `clip_start` (made, with the folder, when missing).
   *
   * @returns false when the id already has an `ok: true` line, or when `line` is `ok: false` and the id
   *   has any line (written by any process)
   * @throws {LogWriteError} when the log cannot be opened, locked, repaired or written (ENOSPC, EFBIG,
   *   EROFS, EIO, permissions…), its `cause` the file system's error; nothing of the line is in the file
   */
  async append(line: LogLine): Promise<boolean> {
    const bounded = this.#bound(line);
    if (this.partition !== undefined) {
      try {
        await Deno.mkdir(this.path, { recursive: true });
      } catch (e) {
        throw new LogWriteError(`cannot make the log folder ${this.path}: ${(e as Error).message}`, {
          cause: e,
        });
      }
    }
    return (await this.#file(this.fileFor(bounded.clip_start)).append([bounded])) === 1;
  }

  /**
   * Appends many lines, as {@linkcode DetectionLog.append} would one by one (the same rules per id, also
   * between the lines given), with one lock and one write per file: for moving a log into another, say a
   * prototype's single file into day files. Each file's share is written whole or not at all.
   *
   * @returns how many lines were written (those the log already had are skipped)
   * @throws {LogWriteError} as `append`; the files written before the failing one keep their lines
   *
   * @example
   * ```ts
   * import { DetectionLog } from "./detection_log.ts";
   * const old = new DetectionLog("video/detections_log.jsonl");
   * const moved = await new DetectionLog("video/detections.d").appendAll(old.read());
   * console.log(`${moved} lines now in day files`);
   * ```
   */
  async appendAll(lines: Iterable<LogLine> | AsyncIterable<LogLine>): Promise<number> {
    const byFile = new Map<string, LogLine[]>();
    for await (const line of lines) {
      const bounded = this.#bound(line);
      const path = this.fileFor(bounded.clip_start);
      byFile.get(path)?.push(bounded) ?? byFile.set(path, [bounded]);
    }
    if (this.partition !== undefined && byFile.size) {
      try {
        await Deno.mkdir(this.path, { recursive: true });
      } catch (e) {
        throw new LogWriteError(`cannot make the log folder ${this.path}: ${(e as Error).message}`, {
          cause: e,
        });
      }
    }
    let written = 0;
    for (const [path, group] of byFile) written += await new LogFile(path).append(group);
    return written;
  }

  /**
   * Whether the log has a line with this id. In a folder log only the file of the clip's start is read.
   *
   * @param which `"ok"` counts only an `ok: true` line (a real result), `"any"` any line
   * @param clipStart the clip's start, which names its file in a folder log
   * @default which "any"
   * @default clipStart the start written in the id (`<camera>-<start>`)
   * @returns false when the log (or the clip's file) does not exist yet
   * @throws {Deno.errors.PermissionDenied} and other file errors except a missing file
   */
  async has(id: string, which: "any" | "ok" = "any", clipStart: string | undefined = startOfId(id)): Promise<
    boolean
  > {
    const ok = await this.#file(this.fileFor(clipStart)).lookup(id);
    return which === "ok" ? ok === true : ok !== undefined;
  }

  /**
   * One line per id, the files in time order and each in its own order: the id's first `ok: true`
   * line, or its first line when it has none. Lines that do not parse (a torn last line, a file
   * edited by hand) are skipped.
   *
   * @param range only the lines whose `clip_start` is in it; a folder log opens only the files it
   *   touches. A line whose start cannot be read is in no bounded range.
   * @default range every line
   * @returns nothing when the log does not exist; lines without a string `id` are skipped too
   * @throws {Deno.errors.PermissionDenied} and other file errors except a missing file
   */
  async *read(range: LogRange = {}): AsyncGenerator<LogLine> {
    const [from, to] = rangeBounds(range);
    const open = from === -Infinity && to === Infinity;
    for (const path of await this.files(range)) {
      for (const line of await readChosen(path)) {
        if (open) yield line;
        else {
          const t = Date.parse(line.clip_start);
          if (t >= from && t < to) yield line;
        }
      }
    }
  }

  /**
   * The files a range touches, in time order (a folder log's `undated.jsonl` last, and only for an open
   * range); the one file of a single-file log.
   *
   * @default range every file
   * @returns paths of files that exist (a missing folder has none); the single file's path even when missing
   * @throws {Deno.errors.PermissionDenied} and other errors listing the folder, except a missing one
   */
  async files(range: LogRange = {}): Promise<string[]> {
    if (this.partition === undefined) return [this.path];
    // A bounded range names its files: no listing of a folder that grows by one file a day.
    const named = partitionKeys(range, this.partition, QUEUE_DEFAULTS.logNamedPartitions);
    if (named) {
      const found: string[] = [];
      for (const key of named) {
        const path = join(this.path, `${key}.jsonl`);
        try {
          if (!(await Deno.stat(path)).isDirectory) found.push(path);
        } catch (e) {
          if (!(e instanceof Deno.errors.NotFound)) throw e;
        }
      }
      return found;
    }
    const keys: string[] = [];
    try {
      for await (const entry of Deno.readDir(this.path)) {
        if (entry.isDirectory || !entry.name.endsWith(".jsonl")) continue; // files, or links to them
        const key = entry.name.slice(0, -".jsonl".length);
        if ((key === UNDATED || partitionSpan(key)) && partitionInRange(key, range)) keys.push(key);
      }
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return [];
      throw e;
    }
    // A month sorts before its days ("2026-02" < "2026-02-01"), undated after every date.
    keys.sort((a, b) => a === UNDATED ? 1 : b === UNDATED ? -1 : a < b ? -1 : a > b ? 1 : 0);
    return keys.map((key) => join(this.path, `${key}.jsonl`));
  }

  /**
   * The last `n` lines: of a folder log, from its newest files back until there are `n`.
   *
   * @returns at most `n` lines, oldest first (fewer when the log is shorter)
   */
  async tail(n: number): Promise<LogLine[]> {
    const out: LogLine[] = [];
    const files = (await this.files()).filter((f) => !f.endsWith(`${UNDATED}.jsonl`) || !this.partition);
    for (let i = files.length - 1; i >= 0 && out.length < n; i--) {
      const lines = await readChosen(files[i]);
      out.unshift(...lines.slice(Math.max(0, lines.length - (n - out.length))));
    }
    return out;
  }

  /**
   * Yields lines as they are appended (`tail -f`), until the signal aborts: an id's first line,
   * and later its first `ok: true` line when the first was `ok: false` (the real result
   * superseding a dead letter's line). In a folder log, the files of the last two days and those made
   * since following began are watched: a line for an older clip (a backlog analysed days late) is not
   * followed, only read.
   *
   * @returns lines as they complete (a line still being written waits for its newline); a missing file is
   *   waited for
   * @throws {Deno.errors.PermissionDenied} and other file errors except a missing file
   */
  async *follow(options: FollowOptions = {}): AsyncGenerator<LogLine> {
    const { signal, intervalMs = 250, fromStart = true } = options;
    const offsets = new Map<string, { offset: number; rest: string }>();
    const seen = new Map<string, boolean>();
    const watched = async (first: boolean): Promise<string[]> => {
      if (this.partition === undefined) return [this.path];
      const recent = partitionKey(new Date(Date.now() - 2 * 86_400_000).toISOString(), this.partition);
      const all = await this.files();
      if (first && fromStart) return all;
      return all.filter((f) => {
        const key = basename(f, ".jsonl");
        return key >= recent || !offsets.has(f);
      });
    };
    let first = true;
    while (!signal?.aborted) {
      for (const path of await watched(first)) {
        let state = offsets.get(path);
        if (!state) {
          const size = !fromStart && (first || this.partition === undefined)
            ? await Deno.stat(path).then((s) => s.size, () => 0)
            : 0;
          state = { offset: size, rest: "" };
          offsets.set(path, state);
        }
        let chunk = new Uint8Array(0);
        try {
          const file = await Deno.open(path, { read: true });
          await file.seek(state.offset, Deno.SeekMode.Start);
          chunk = new Uint8Array(await new Response(file.readable).arrayBuffer());
        } catch (e) {
          if (!(e instanceof Deno.errors.NotFound)) throw e;
        }
        state.offset += chunk.length;
        const lines = (state.rest + decoder.decode(chunk)).split("\n");
        state.rest = lines.pop() ?? "";
        for (const line of lines) {
          const parsed = parseLine(line);
          if (!parsed) continue;
          const known = seen.get(parsed.id);
          if (known === true || (known === false && parsed.ok !== true)) continue;
          seen.set(parsed.id, parsed.ok === true);
          yield parsed;
        }
      }
      first = false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalMs);
        signal?.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve();
        }, { once: true });
      });
    }
  }

  /** The state of one file, kept among the few used last. */
  #file(path: string): LogFile {
    let file = this.#files.get(path);
    if (file) this.#files.delete(path); // to the most recently used end
    else file = new LogFile(path);
    this.#files.set(path, file);
    if (this.partition !== undefined) {
      for (const old of this.#files.keys()) {
        if (this.#files.size <= this.#indexed) break;
        this.#files.delete(old);
      }
    }
    return file;
  }

  /** The line with its text fields (all but `id`) cut to the limit, and its tracks bounded. */
  #bound(line: LogLine): LogLine {
    const max = this.#maxFieldChars;
    const out: Record<string, unknown> = { ...line };
    for (const [key, value] of Object.entries(line)) {
      if (key !== "id" && typeof value === "string" && value.length > max) {
        out[key] = truncateText(value, max);
      }
    }
    if (Array.isArray(line.tracks)) Object.assign(out, boundTracks(line.tracks, line.tracks_omitted, max));
    return out as unknown as LogLine;
  }
}

/**
 * One JSONL file of the log: the ids it holds (read incrementally as other writers append), and the
 * locked, whole-line append.
 */
class LogFile {
  readonly path: string;
  /** per id seen: whether it has an `ok: true` line */
  #ids = new Map<string, boolean>();
  #scanned = 0;

  constructor(path: string) {
    this.path = path;
  }

  /** Appends the lines that the file's ids allow, all in one write under the lock; returns how many. */
  async append(bounded: readonly LogLine[]): Promise<number> {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(this.path, { read: true, append: true, create: true });
    } catch (e) {
      throw new LogWriteError(`cannot open the log ${this.path}: ${(e as Error).message}`, { cause: e });
    }
    try {
      let tail: string;
      try {
        await file.lock(true);
        tail = await this.#catchUp(file);
        if (tail) await this.#repair(file, tail);
      } catch (e) {
        throw new LogWriteError(`cannot read or repair the log ${this.path}: ${(e as Error).message}`, {
          cause: e,
        });
      }
      // The batch's own lines count too: a second line of an id is held to the same rule.
      const known = new Map<string, boolean>();
      const rows: string[] = [];
      for (const line of bounded) {
        const was = known.has(line.id) ? known.get(line.id) : this.#ids.get(line.id);
        if (was === true || (was === false && !line.ok)) continue;
        known.set(line.id, line.ok === true);
        rows.push(JSON.stringify(line) + "\n");
      }
      if (rows.length === 0) return 0;
      const bytes = encoder.encode(rows.join(""));
      let written = 0;
      try {
        while (written < bytes.length) written += await file.write(bytes.subarray(written));
      } catch (e) {
        // Whole or not at all: cut off the part that made it to disk.
        if (written > 0) await file.truncate(this.#scanned).catch(() => {});
        const what = bounded.length === 1 ? `the line of ${bounded[0].id}` : `${rows.length} lines`;
        throw new LogWriteError(`cannot write ${what} to the log ${this.path}: ${(e as Error).message}`, {
          cause: e,
        });
      }
      this.#scanned += bytes.length;
      for (const [id, ok] of known) this.#ids.set(id, ok || this.#ids.get(id) === true);
      return rows.length;
    } finally {
      file.close(); // closing releases the lock
    }
  }

  /** Whether the file has the id: true with an `ok: true` line, false with only others, undefined without. */
  async lookup(id: string): Promise<boolean | undefined> {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(this.path, { read: true });
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return undefined;
      throw e;
    }
    try {
      await file.lock(false);
      await this.#catchUp(file);
    } finally {
      file.close();
    }
    return this.#ids.get(id);
  }

  /**
   * Reads what other writers appended since this object last looked, to know their ids.
   * Returns the text after the last newline ("" when the file ends with one).
   */
  async #catchUp(file: Deno.FsFile): Promise<string> {
    const size = (await file.stat()).size;
    if (size < this.#scanned) {
      // The file was replaced or truncated: start over.
      this.#ids.clear();
      this.#scanned = 0;
    }
    if (size === this.#scanned) return "";
    await file.seek(this.#scanned, Deno.SeekMode.Start);
    const buf = new Uint8Array(size - this.#scanned);
    let read = 0;
    while (read < buf.length) {
      const n = await file.read(buf.subarray(read));
      if (n === null) break;
      read += n;
    }
    const text = decoder.decode(buf.subarray(0, read));
    const end = text.lastIndexOf("\n") + 1; // a torn last line is read again next time
    for (const line of text.slice(0, end).split("\n")) this.#note(parseLine(line));
    this.#scanned += encoder.encode(text.slice(0, end)).length;
    return text.slice(end);
  }

  /**
   * Repairs a last line without its newline (under the exclusive lock, so no writer is busy
   * with it: its writer died mid-write): a whole line gets its newline, a torn one is cut off.
   */
  async #repair(file: Deno.FsFile, tail: string): Promise<void> {
    const whole = parseLine(tail);
    if (whole) {
      const bytes = encoder.encode("\n");
      await file.write(bytes); // one byte: written whole or throws
      this.#note(whole);
      this.#scanned += encoder.encode(tail).length + 1;
    } else {
      await file.truncate(this.#scanned);
    }
  }

  #note(line: LogLine | undefined): void {
    if (line) this.#ids.set(line.id, line.ok === true || this.#ids.get(line.id) === true);
  }
}

/**
 * A line's tracks within `QUEUE_DEFAULTS`' limits: the first `logTracks` tracks, each path cut to
 * `logPathPoints` evenly spread points (first and last kept), each zone list to `logTrackZones`
 * names, labels and zone names to `maxChars` characters.
 */
function boundTracks(
  tracks: readonly TrackSummary[],
  omitted: number | undefined,
  maxChars: number,
): { tracks: TrackSummary[]; tracks_omitted?: number } {
  const { logTracks, logPathPoints, logTrackZones } = QUEUE_DEFAULTS;
  const kept = tracks.slice(0, logTracks).map((t) => {
    const path = Array.isArray(t.path) && t.path.length > logPathPoints
      ? Array.from(
        { length: logPathPoints },
        (_, i) => t.path[Math.round((i * (t.path.length - 1)) / (logPathPoints - 1))],
      )
      : t.path;
    const zones = Array.isArray(t.zones)
      ? t.zones.slice(0, logTrackZones).map((z) => truncateText(String(z), maxChars))
      : t.zones;
    const label = typeof t.label === "string" ? truncateText(t.label, maxChars) : t.label;
    return path === t.path && zones === t.zones && label === t.label ? t : { ...t, label, path, zones };
  });
  const dropped = (omitted ?? 0) + tracks.length - kept.length;
  return dropped > 0 ? { tracks: kept, tracks_omitted: dropped } : { tracks: kept };
}

/** A file's lines, one per id (its first `ok: true` line, or its first line), in file order. */
async function readChosen(path: string): Promise<LogLine[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  const lines: LogLine[] = [];
  const chosen = new Map<string, number>();
  for (const row of text.split("\n")) {
    const parsed = parseLine(row);
    if (!parsed) continue;
    const at = chosen.get(parsed.id);
    if (at === undefined || (parsed.ok === true && lines[at].ok !== true)) {
      chosen.set(parsed.id, lines.length);
    }
    lines.push(parsed);
  }
  const keep = new Set(chosen.values());
  return lines.filter((_, i) => keep.has(i));
}

function parseLine(line: string): LogLine | undefined {
  if (!line.trim()) return undefined;
  try {
    const value = JSON.parse(line);
    return typeof value === "object" && value !== null && typeof value.id === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}
