/**
 * `DetectionLog`: the append-only JSONL log of analysed clips, one line per clip (the log line,
 * docs/architecture.md). Appends are idempotent by task id and safe with several worker
 * processes (an exclusive file lock around check-and-append); readers get typed lines. The
 * notebook surface turns them into DataFrames (`logDataFrame`), so the pipeline never loads
 * nodejs-polars.
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
 *   characters with "…".
 *
 * @module
 */

import type { ObjectStats } from "../yolo/detection_summary.ts";
import { CamwatchError } from "../errors.ts";
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
  /** per class: frames seen, most at once, best score, first and last second in the clip */
  readonly objects: Record<string, ObjectStats>;
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
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The detection log file.
 *
 * @example
 * ```ts
 * import { DetectionLog } from "./detection_log.ts";
 * const log = new DetectionLog("video/detections_log.jsonl");
 * for await (const line of log.read()) console.log(line.filename, line.detected);
 * ```
 */
export class DetectionLog {
  /** path of the JSONL file */
  readonly path: string;
  /** per id seen: whether it has an `ok: true` line */
  #ids = new Map<string, boolean>();
  #scanned = 0;
  readonly #maxFieldChars: number;

  /** Points at a log file; nothing is read or created until used. */
  constructor(path: string, options: DetectionLogOptions = {}) {
    this.path = path;
    this.#maxFieldChars = options.maxFieldChars ?? QUEUE_DEFAULTS.logFieldChars;
  }

  /**
   * Appends a line unless the log already has one for the same id; returns whether it was
   * written. An `ok: true` line is still written when the id has only `ok: false` lines: the real
   * result supersedes them (readers prefer it). Several processes may append at once: the check
   * and the write happen under an exclusive lock of the file. A line is written whole or not at
   * all: a torn last line left by a crashed writer is repaired first, and a write that fails
   * part-way is cut off again. Text fields but `id` are cut to `maxFieldChars` with "…".
   *
   * @returns false when the id already has an `ok: true` line, or when `line` is `ok: false` and the id
   *   has any line (written by any process)
   * @throws {LogWriteError} when the log cannot be opened, locked, repaired or written (ENOSPC, EFBIG,
   *   EROFS, EIO, permissions…), its `cause` the file system's error; nothing of the line is in the file
   */
  async append(line: LogLine): Promise<boolean> {
    const bounded = this.#bound(line);
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
      const known = this.#ids.get(bounded.id);
      if (known === true || (known === false && !bounded.ok)) return false;
      const bytes = encoder.encode(JSON.stringify(bounded) + "\n");
      let written = 0;
      try {
        while (written < bytes.length) written += await file.write(bytes.subarray(written));
      } catch (e) {
        // Whole or not at all: cut off the part that made it to disk.
        if (written > 0) await file.truncate(this.#scanned).catch(() => {});
        throw new LogWriteError(
          `cannot write the line of ${bounded.id} to the log ${this.path}: ${(e as Error).message}`,
          { cause: e },
        );
      }
      this.#scanned += bytes.length;
      this.#ids.set(bounded.id, bounded.ok);
      return true;
    } finally {
      file.close(); // closing releases the lock
    }
  }

  /**
   * Whether the log has a line with this id.
   *
   * @param which `"ok"` counts only an `ok: true` line (a real result), `"any"` any line
   * @returns false when the log does not exist yet
   * @throws {Deno.errors.PermissionDenied} and other file errors except a missing file
   */
  async has(id: string, which: "any" | "ok" = "any"): Promise<boolean> {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(this.path, { read: true });
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return false;
      throw e;
    }
    try {
      await file.lock(false);
      await this.#catchUp(file);
    } finally {
      file.close();
    }
    const ok = this.#ids.get(id);
    return which === "ok" ? ok === true : ok !== undefined;
  }

  /**
   * One line per id, in file order: the id's first `ok: true` line, or its first line when it has
   * none. Lines that do not parse (a torn last line, a file edited by hand) are skipped.
   *
   * @returns nothing when the file does not exist; lines without a string `id` are skipped too
   * @throws {Deno.errors.PermissionDenied} and other file errors except a missing file
   */
  async *read(): AsyncGenerator<LogLine> {
    let text: string;
    try {
      text = await Deno.readTextFile(this.path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return;
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
    for (let i = 0; i < lines.length; i++) if (keep.has(i)) yield lines[i];
  }

  /**
   * The last `n` lines.
   *
   * @returns at most `n` lines, oldest first (fewer when the log is shorter); it reads the whole file
   */
  async tail(n: number): Promise<LogLine[]> {
    const lines: LogLine[] = [];
    for await (const line of this.read()) {
      lines.push(line);
      if (lines.length > n) lines.shift();
    }
    return lines;
  }

  /**
   * Yields lines as they are appended (`tail -f`), until the signal aborts: an id's first line,
   * and later its first `ok: true` line when the first was `ok: false` (the real result
   * superseding a dead letter's line).
   *
   * @returns lines as they complete (a line still being written waits for its newline); a missing file is
   *   waited for
   * @throws {Deno.errors.PermissionDenied} and other file errors except a missing file
   */
  async *follow(options: FollowOptions = {}): AsyncGenerator<LogLine> {
    const { signal, intervalMs = 250, fromStart = true } = options;
    let offset = 0;
    if (!fromStart) offset = await Deno.stat(this.path).then((s) => s.size, () => 0);
    let rest = "";
    const seen = new Map<string, boolean>();
    while (!signal?.aborted) {
      let chunk = new Uint8Array(0);
      try {
        const file = await Deno.open(this.path, { read: true });
        await file.seek(offset, Deno.SeekMode.Start);
        chunk = new Uint8Array(await new Response(file.readable).arrayBuffer());
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
      offset += chunk.length;
      const lines = (rest + decoder.decode(chunk)).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) {
        const parsed = parseLine(line);
        if (!parsed) continue;
        const known = seen.get(parsed.id);
        if (known === true || (known === false && parsed.ok !== true)) continue;
        seen.set(parsed.id, parsed.ok === true);
        yield parsed;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalMs);
        signal?.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve();
        }, { once: true });
      });
    }
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

  /** The line with its text fields (all but `id`) cut to the limit. */
  #bound(line: LogLine): LogLine {
    const max = this.#maxFieldChars;
    const out: Record<string, unknown> = { ...line };
    for (const [key, value] of Object.entries(line)) {
      if (key !== "id" && typeof value === "string" && value.length > max) {
        out[key] = truncateText(value, max);
      }
    }
    return out as unknown as LogLine;
  }
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
