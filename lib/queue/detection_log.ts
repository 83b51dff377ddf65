/**
 * `DetectionLog`: the append-only JSONL log of analysed clips, one line per clip (the log line,
 * docs/architecture.md). Appends are idempotent by task id and safe with several worker
 * processes (an exclusive file lock around check-and-append); readers get typed lines. The
 * notebook surface turns them into DataFrames (`logDataFrame`), so the pipeline never loads
 * nodejs-polars.
 *
 * @module
 */

import type { ObjectStats } from "../yolo/detection_summary.ts";

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
  #ids = new Set<string>();
  #scanned = 0;

  /** Points at a log file; nothing is read or created until used. */
  constructor(path: string) {
    this.path = path;
  }

  /**
   * Appends a line unless the log already has one with the same id; returns whether it was
   * written. Several processes may append at once: the check and the write happen under an
   * exclusive lock of the file, and a line is written in one piece.
   *
   * @returns false when a line with `line.id` is already in the file (written by any process)
   * @throws {Deno.errors.PermissionDenied} and other file errors when the log cannot be opened, locked or
   *   written
   */
  async append(line: LogLine): Promise<boolean> {
    const file = await Deno.open(this.path, { read: true, append: true, create: true });
    try {
      await file.lock(true);
      await this.#catchUp(file);
      if (this.#ids.has(line.id)) return false;
      const bytes = encoder.encode(JSON.stringify(line) + "\n");
      let written = 0;
      while (written < bytes.length) written += await file.write(bytes.subarray(written));
      this.#scanned += bytes.length;
      this.#ids.add(line.id);
      return true;
    } finally {
      file.close(); // closing releases the lock
    }
  }

  /**
   * Whether a line with this id is in the log.
   *
   * @returns false when the log does not exist yet
   * @throws {Deno.errors.PermissionDenied} and other file errors except a missing file
   */
  async has(id: string): Promise<boolean> {
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
    return this.#ids.has(id);
  }

  /**
   * Every line, in order. Lines that do not parse (a file edited by hand) are skipped.
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
    for (const line of text.split("\n")) {
      const parsed = parseLine(line);
      if (parsed) yield parsed;
    }
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
   * Yields lines as they are appended (`tail -f`), until the signal aborts.
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
        if (parsed) yield parsed;
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

  /** Reads what other writers appended since this object last looked, to know their ids. */
  async #catchUp(file: Deno.FsFile): Promise<void> {
    const size = (await file.stat()).size;
    if (size < this.#scanned) {
      // The file was replaced or truncated: start over.
      this.#ids.clear();
      this.#scanned = 0;
    }
    if (size === this.#scanned) return;
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
    for (const line of text.slice(0, end).split("\n")) {
      const id = parseLine(line)?.id;
      if (id) this.#ids.add(id);
    }
    this.#scanned += encoder.encode(text.slice(0, end)).length;
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
