/**
 * Decoded video frames, each with its real timestamp in the source, read from one ffmpeg
 * process.
 *
 * @module
 */

import { MediaError } from "../errors.ts";
import { decodeFramesArgs, type DecodeFramesOptions, spawnFfmpeg } from "./ffmpeg.ts";
import { FrameStream, type RawFrame } from "./ffmpeg_frames.ts";
import { assertRegularFile, MEDIA_LIMITS, timeoutError } from "./media_limits.ts";

/** One decoded frame: packed RGB (3 bytes per pixel, rows without padding), its time in seconds
 * from the start of the video, and its position among the frames kept. */
export type VideoFrame = RawFrame;

/** Options of {@linkcode readVideoFrames}. */
export interface ReadVideoFramesOptions extends DecodeFramesOptions {
  /**
   * Stops decoding (and ffmpeg) when aborted.
   * @default decodes to the end
   */
  signal?: AbortSignal;
  /**
   * Longest decoding in ms, from start to the last frame read: ffmpeg is then killed and the
   * iteration throws a {@linkcode MediaError} naming the limit.
   * @default 1800000 (`MEDIA_LIMITS.decodeTimeoutMs`)
   */
  timeoutMs?: number;
}

/**
 * Decodes a video with ffmpeg and yields its frames (all of them, or `sampleFps` per second
 * chosen by their real timestamps). Stopping the iteration early stops ffmpeg. Throws
 * {@linkcode MediaError} when ffmpeg fails, quoting its last error lines, and, after the frames
 * it could decode, when the file turns out to be cut short or to hold broken packets.
 *
 * @returns frames in decoding order, `index` counting the frames kept and `time` in seconds from the start of
 *   the video
 * @throws {RangeError} when `sampleFps` is neither `"all"` nor a positive finite number
 * @throws {MediaError} when ffmpeg is not installed, when the path is not a regular file (a FIFO, a folder, a
 *   device: refused before ffmpeg opens it), when it cannot decode the file (missing, not a video, a frame
 *   over `maxFramePixels`), when decoding takes longer than `timeoutMs`, or, after the last good frame, when
 *   the file is damaged or truncated
 * @throws {DOMException} the signal's reason (an `AbortError`) when the signal aborts: ffmpeg is killed and
 *   the iteration ends with it
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
  const { signal, timeoutMs = MEDIA_LIMITS.decodeTimeoutMs } = options;
  signal?.throwIfAborted();
  await assertRegularFile(path);
  const child = spawnFfmpeg(decodeFramesArgs(path, options));

  const frames = new FrameStream(child);
  let decoded = 0;
  let finished = false;
  let timedOut = false;
  const onAbort = () => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    onAbort();
  }, timeoutMs);
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    for await (const frame of frames) {
      if (timedOut) break;
      decoded = frame.index + 1;
      yield frame;
    }
    signal?.throwIfAborted();
    if (timedOut) {
      throw timeoutError(`decoding ${path} (${decoded} frames read)`, timeoutMs, "decodeTimeoutMs");
    }
    const status = await child.status;
    await frames.stderrDone;
    finished = true;
    if (frames.damage) {
      throw new MediaError(
        `${path}: damaged or truncated video, ${decoded} frames decoded before: ${frames.damage}`,
      );
    }
    if (!status.success) {
      const why = frames.errors.length ? frames.errors.join("; ") : `ffmpeg exited with code ${status.code}`;
      // The decoder's size check (-max_pixels) fails with these lines.
      if (/exceeds specified max pixel count|image parameters invalid/.test(why)) {
        const limit = options.maxFramePixels ?? MEDIA_LIMITS.maxFramePixels;
        throw new MediaError(`${path}: frames over the limit of ${limit} pixels (maxFramePixels): ${why}`);
      }
      throw new MediaError(`${path}: cannot decode video (${why})`);
    }
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
    if (!finished) {
      onAbort();
      await child.status;
      await frames.stderrDone;
    }
  }
}
