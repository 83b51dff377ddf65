/**
 * `FfmpegStderr`: what a running ffmpeg says on stderr, read as it comes (so ffmpeg never
 * blocks on a full pipe): the last few error lines for a failure's reason, the first line saying
 * the input is damaged, and every line handed to a callback. Shared by the frame reader and the
 * camera's recorder.
 *
 * @module
 */

import { streamLines } from "./stream_chunks.ts";

/**
 * Lines that mean the input itself is damaged (cut short, broken packets), as opposed to the
 * decoder concealing a glitch in an otherwise sound stream, which ffmpeg also reports.
 */
const DAMAGED = /partial file|corrupt input packet|error while decoding stream|invalid nal unit size/i;
const ERRORISH =
  /error|invalid|no such|not found|denied|unsupported|failed|partial|corrupt|unauthorized|refused|timed out/i;

/** Options of {@linkcode FfmpegStderr}. */
export interface FfmpegStderrOptions {
  /**
   * Takes a line before anything else looks at it (`showinfo` lines, say); a line it returns
   * true for is neither an error nor passed to `onLine`.
   * @default takes none
   */
  readonly take?: (line: string) => boolean;
  /**
   * Called with every other non-empty line.
   * @default not called
   */
  readonly onLine?: (line: string) => void;
  /**
   * Called after each chunk of lines, and once when stderr ends (a reader waiting for lines
   * wakes up).
   * @default not called
   */
  readonly onChunk?: () => void;
}

/**
 * Reads an ffmpeg's stderr from construction until it ends.
 *
 * @example
 * ```ts
 * import { FfmpegStderr } from "./ffmpeg_stderr.ts";
 * const child = new Deno.Command("ffmpeg", { args: ["-i", "missing.mp4"], stderr: "piped" }).spawn();
 * const stderr = new FfmpegStderr(child.stderr);
 * await child.status;
 * await stderr.done;
 * console.log(stderr.errors.at(-1)); // "missing.mp4: No such file or directory"
 * ```
 */
export class FfmpegStderr {
  /** the last few error lines (five at most), oldest first */
  readonly errors: string[] = [];
  /** the first line saying the input is damaged, if any */
  damage: string | undefined;
  /** resolves when stderr has ended (never rejects) */
  readonly done: Promise<void>;

  /** Starts reading `stream` at once. */
  constructor(stream: ReadableStream<Uint8Array>, options: FfmpegStderrOptions = {}) {
    this.done = this.#read(stream, options).catch(() => {});
  }

  async #read(stream: ReadableStream<Uint8Array>, options: FfmpegStderrOptions): Promise<void> {
    const line = (text: string) => {
      if (!text || options.take?.(text)) return;
      if (ERRORISH.test(text)) {
        this.errors.push(text.trim());
        if (this.errors.length > 5) this.errors.shift();
        if (!this.damage && DAMAGED.test(text)) this.damage = text.trim();
      }
      options.onLine?.(text);
    };
    try {
      for await (const lines of streamLines(stream, /\r?\n|\r/)) {
        lines.forEach(line);
        options.onChunk?.();
      }
    } finally {
      options.onChunk?.();
    }
  }
}
