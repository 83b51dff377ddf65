/**
 * Decoded video frames, each with its real timestamp in the source, read from one ffmpeg
 * process.
 *
 * @module
 */

import { MediaError } from "./errors.ts";
import { decodeFramesArgs, type DecodeFramesOptions, spawnError } from "./ffmpeg.ts";

/** One decoded frame: packed RGB, 3 bytes per pixel, rows without padding. */
export interface VideoFrame {
  /** position among the frames kept (0, 1, 2, …) */
  readonly index: number;
  /** presentation time in seconds from the start of the video */
  readonly time: number;
  /** width in pixels */
  readonly width: number;
  /** height in pixels */
  readonly height: number;
  /** the pixels, `width * height * 3` bytes */
  readonly data: Uint8Array;
}

/** Options of {@linkcode readVideoFrames}. */
export interface ReadVideoFramesOptions extends DecodeFramesOptions {
  /** stops decoding (and ffmpeg) when aborted */
  signal?: AbortSignal;
}

interface FrameInfo {
  time: number;
  width: number;
  height: number;
}

/**
 * Lines that mean the file itself is damaged (cut short, broken packets), as opposed to the
 * decoder concealing a glitch in an otherwise sound stream, which ffmpeg also reports.
 */
const DAMAGED = /partial file|corrupt input packet|error while decoding stream|invalid nal unit size/i;

const SHOWINFO = /\bn:\s*(\d+)\s+pts:\s*\S+\s+pts_time:(\S+).*?\bs:(\d+)x(\d+)/;

/** Reads exactly n bytes at a time from a byte stream. */
class ExactReader {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #chunks: Uint8Array[] = [];
  #buffered = 0;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
  }

  /** The next n bytes, or null when the stream ends first. */
  async read(n: number): Promise<Uint8Array | null> {
    while (this.#buffered < n) {
      const { value, done } = await this.#reader.read();
      if (done) return null;
      this.#chunks.push(value);
      this.#buffered += value.length;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.#chunks[0];
      const take = Math.min(chunk.length, n - filled);
      out.set(chunk.subarray(0, take), filled);
      filled += take;
      if (take === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(take);
    }
    this.#buffered -= n;
    return out;
  }

  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }
}

/**
 * Decodes a video with ffmpeg and yields its frames (all of them, or `sampleFps` per second
 * chosen by their real timestamps). Stopping the iteration early stops ffmpeg. Throws
 * {@linkcode MediaError} when ffmpeg fails, quoting its last error lines, and, after the frames
 * it could decode, when the file turns out to be cut short or to hold broken packets.
 *
 * @example
 * ```ts
 * import { readVideoFrames } from "./video_frames.ts";
 * for await (const frame of readVideoFrames("video/samples/vtest.mp4", { sampleFps: 1 })) {
 *   console.log(frame.index, frame.time.toFixed(2), frame.width, frame.height);
 *   if (frame.index === 2) break;
 * }
 * ```
 */
export async function* readVideoFrames(
  path: string,
  options: ReadVideoFramesOptions = {},
): AsyncGenerator<VideoFrame> {
  const { signal } = options;
  signal?.throwIfAborted();
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("ffmpeg", {
      args: decodeFramesArgs(path, options),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    throw spawnError("ffmpeg", e);
  }

  // showinfo lines arrive on stderr before their frame is written to stdout; frame k waits
  // for line k, so the two streams never need to be in step.
  const infos: FrameInfo[] = [];
  const errors: string[] = [];
  let damage: string | undefined;
  let waiting: (() => void) | undefined;
  let stderrDone = false;
  const stderrTask = (async () => {
    let rest = "";
    const decoder = new TextDecoder();
    const onLine = (line: string) => {
      const m = SHOWINFO.exec(line);
      if (m) {
        infos[Number(m[1])] = { time: Number(m[2]), width: Number(m[3]), height: Number(m[4]) };
      } else if (/error|invalid|no such|not found|denied|unsupported|failed|partial|corrupt/i.test(line)) {
        damage ??= DAMAGED.test(line) ? line.trim() : undefined;
        errors.push(line.trim());
        if (errors.length > 5) errors.shift();
      }
    };
    for await (const chunk of child.stderr) {
      const lines = (rest + decoder.decode(chunk, { stream: true })).split(/\r?\n|\r/);
      rest = lines.pop() ?? "";
      lines.forEach(onLine);
      waiting?.();
    }
    onLine(rest);
    stderrDone = true;
    waiting?.();
  })();
  const infoFor = async (k: number): Promise<FrameInfo | undefined> => {
    while (!infos[k] && !stderrDone) await new Promise<void>((r) => (waiting = r));
    return infos[k];
  };

  const stdout = new ExactReader(child.stdout);
  let decoded = 0;
  let finished = false;
  const onAbort = () => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    for (let k = 0;; k++) {
      const info = await infoFor(k);
      if (!info) break;
      const data = await stdout.read(info.width * info.height * 3);
      if (!data) break;
      delete infos[k];
      decoded = k + 1;
      yield { index: k, ...info, data };
    }
    signal?.throwIfAborted();
    const status = await child.status;
    await stderrTask;
    finished = true;
    if (damage) {
      throw new MediaError(
        `${path}: damaged or truncated video, ${decoded} frames decoded before: ${damage}`,
      );
    }
    if (!status.success) {
      const why = errors.length ? errors.join("; ") : `ffmpeg exited with code ${status.code}`;
      throw new MediaError(`${path}: cannot decode video (${why})`);
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    if (!finished) {
      onAbort();
      await stdout.cancel();
      await child.status;
      await stderrTask.catch(() => {});
    }
  }
}
