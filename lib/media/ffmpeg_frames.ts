/**
 * Raw frames from a running ffmpeg: the pixels it writes to stdout, each matched with the
 * `showinfo` line it logs to stderr (real timestamp and size). Shared by file decoding and the
 * camera source.
 *
 * @module
 */

import { FfmpegStderr } from "./ffmpeg_stderr.ts";

/** One raw frame as ffmpeg wrote it. */
export interface RawFrame {
  /** position among the frames written (0, 1, 2, …) */
  readonly index: number;
  /** presentation time in seconds on ffmpeg's output timeline */
  readonly time: number;
  /** width in pixels */
  readonly width: number;
  /** height in pixels */
  readonly height: number;
  /** the pixels, `width * height * bytesPerPixel` bytes */
  readonly data: Uint8Array;
}

/** Options of {@linkcode FrameStream}. */
export interface FrameStreamOptions {
  /**
   * Bytes per pixel of the raw output (3 for rgb24, 1 for gray).
   * @default 3
   */
  bytesPerPixel?: number;
  /**
   * Called with every stderr line that is not a showinfo line.
   * @default not called
   */
  onLine?: (line: string) => void;
}

const SHOWINFO = /\bn:\s*(\d+)\s+pts:\s*\S+\s+pts_time:(\S+).*?\bs:(\d+)x(\d+)/;

/**
 * Reads exactly n bytes at a time from a byte stream, straight into the buffer it returns (a BYOB
 * read): no intermediate chunk to allocate and copy from.
 */
class ExactReader {
  #reader: ReadableStreamBYOBReader;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader({ mode: "byob" });
  }

  /** The next n bytes, or null when the stream ends first. */
  async read(n: number): Promise<Uint8Array | null> {
    let buffer = new ArrayBuffer(n);
    for (let filled = 0; filled < n;) {
      const { value, done } = await this.#reader.read(new Uint8Array(buffer, filled, n - filled));
      if (done || !value) return null;
      // The read took the buffer over and hands it back in `value`.
      buffer = value.buffer as ArrayBuffer;
      filled += value.byteLength;
    }
    return new Uint8Array(buffer);
  }

  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }
}

/**
 * The frames of one ffmpeg process started with piped stdout and stderr and a `showinfo`
 * filter last in its raw-video chain. Iterate it once; then `errors` and `damage` tell what
 * ffmpeg complained about.
 *
 * @example
 * ```ts
 * import { decodeFramesArgs } from "./ffmpeg.ts";
 * import { FrameStream } from "./ffmpeg_frames.ts";
 * const child = new Deno.Command("ffmpeg", {
 *   args: decodeFramesArgs("video/samples/vtest.mp4", { sampleFps: 1 }),
 *   stdout: "piped",
 *   stderr: "piped",
 * }).spawn();
 * for await (const frame of new FrameStream(child)) console.log(frame.index, frame.time);
 * await child.status;
 * ```
 */
export class FrameStream implements AsyncIterable<RawFrame> {
  /** resolves when ffmpeg's stderr has ended */
  readonly stderrDone: Promise<void>;
  readonly #stderr: FfmpegStderr;
  #stdout: ExactReader;
  #infos: { time: number; width: number; height: number }[] = [];
  #waiting: (() => void) | undefined;
  #ended = false;
  #bytesPerPixel: number;

  /**
   * Starts reading the child's stderr at once (so ffmpeg never blocks on it).
   *
   * @param child an ffmpeg spawned with `stdout` and `stderr` piped (as `spawnFfmpeg` does); its output
   *   must be raw video with `bytesPerPixel` bytes a pixel
   */
  constructor(child: Deno.ChildProcess, options: FrameStreamOptions = {}) {
    this.#bytesPerPixel = options.bytesPerPixel ?? 3;
    this.#stdout = new ExactReader(child.stdout);
    this.#stderr = new FfmpegStderr(child.stderr, {
      take: (text) => {
        const m = SHOWINFO.exec(text);
        if (m) this.#infos[Number(m[1])] = { time: Number(m[2]), width: Number(m[3]), height: Number(m[4]) };
        return m !== null;
      },
      onLine: options.onLine,
      onChunk: () => this.#waiting?.(),
    });
    this.stderrDone = this.#stderr.done.then(() => {
      this.#ended = true;
      this.#waiting?.();
    });
  }

  /** the last few error lines ffmpeg printed (five at most) */
  get errors(): readonly string[] {
    return this.#stderr.errors;
  }

  /** the first line saying the input is damaged, if any */
  get damage(): string | undefined {
    return this.#stderr.damage;
  }

  /**
   * Yields frames until ffmpeg's output ends.
   *
   * @returns frames in order; the iteration ends without an error when ffmpeg fails: read `errors` and
   *   `damage`, and the child's status, to tell
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<RawFrame> {
    try {
      for (let k = 0;; k++) {
        const info = await this.#infoFor(k);
        if (!info) return;
        const data = await this.#stdout.read(info.width * info.height * this.#bytesPerPixel);
        if (!data) return;
        delete this.#infos[k];
        yield { index: k, ...info, data };
      }
    } finally {
      await this.#stdout.cancel();
    }
  }

  async #infoFor(k: number) {
    while (!this.#infos[k] && !this.#ended) await new Promise<void>((r) => (this.#waiting = r));
    return this.#infos[k];
  }
}
