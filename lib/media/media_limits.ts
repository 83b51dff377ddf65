/**
 * The limits that keep one hostile or broken file from taking a worker down: the largest frame
 * decoded, the longest clip analysed, how long any ffprobe or ffmpeg run may take, and which
 * files are opened at all (regular files only: a FIFO, a folder or a device is refused before
 * any program opens it). Each default is written here once.
 *
 * @module
 */

import { MediaError } from "../errors.ts";

/**
 * Defaults of the media limits.
 *
 * - `maxFramePixels`: largest frame (width × height) decoded, 40 megapixels (8K UHD,
 *   7680x4320, is 33). A bigger video is refused from ffprobe's figures, before decoding (a
 *   16000x16000 frame is 768 MB of RGB), and the decoder itself refuses bigger frames
 *   (`-max_pixels`) in case the container lies.
 * - `maxDurationSeconds`: longest video analysed, 1 hour. A video ffprobe says is longer is
 *   refused; decoding stops at this time anyway (`-t` before `-i`) in case the container lies.
 * - `probeTimeoutMs`: longest ffprobe run, 30 s; it is then killed.
 * - `decodeTimeoutMs`: longest ffmpeg decoding of one video, 30 min; it is then killed.
 * - `runTimeoutMs`: longest one-shot ffmpeg run (`runFfmpeg`: joining a clip, grabbing a
 *   frame, preparing a stream), 10 min; it is then killed.
 *
 * @example
 * ```ts
 * import { MEDIA_LIMITS } from "./media_limits.ts";
 * console.log(MEDIA_LIMITS.maxFramePixels, MEDIA_LIMITS.maxDurationSeconds); // 40000000 3600
 * ```
 */
export const MEDIA_LIMITS = {
  maxFramePixels: 40_000_000,
  maxDurationSeconds: 3600,
  probeTimeoutMs: 30_000,
  decodeTimeoutMs: 30 * 60_000,
  runTimeoutMs: 10 * 60_000,
} as const;

/**
 * Refuses anything but a regular file (following links) before a program opens it: opening a
 * FIFO blocks until a writer comes, a device can be endless, a folder is not media.
 *
 * @throws {MediaError} `<path>: no such file`, or `<path>: not a regular file (a FIFO)` (a
 *   folder, a device, a socket), with the stat error as cause when there is one
 *
 * @example
 * ```ts
 * import { assertRegularFile } from "./media_limits.ts";
 * await assertRegularFile("video/samples/vtest.mp4");
 * ```
 */
export async function assertRegularFile(path: string): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (cause) {
    const why = cause instanceof Deno.errors.NotFound ? "no such file" : (cause as Error).message;
    throw new MediaError(`${path}: ${why}`, { cause });
  }
  if (info.isFile) return;
  const kind = info.isDirectory
    ? "a folder"
    : info.isFifo
    ? "a FIFO"
    : info.isCharDevice || info.isBlockDevice
    ? "a device"
    : info.isSocket
    ? "a socket"
    : "not a file";
  throw new MediaError(`${path}: not a regular file (${kind}), refused before opening it`);
}

/**
 * Waits for a child process, killing it (SIGKILL: a program blocked in `open` ignores SIGTERM)
 * when it runs longer than `timeoutMs`.
 *
 * @param what the program and its job, for the message (`ffprobe of clip.mp4`)
 * @param limit the limit's name, for the message (`probeTimeoutMs`)
 * @returns the status, when the process ends in time
 * @throws {MediaError} `<what> took longer than <n> s (<limit>): killed`, once the process is gone
 *
 * @example
 * ```ts
 * import { waitWithTimeout } from "./media_limits.ts";
 * const child = new Deno.Command("sleep", { args: ["60"] }).spawn();
 * await waitWithTimeout(child, 100, "sleep", "a test limit").catch((e) => console.log(e.message));
 * ```
 */
export function waitWithTimeout(
  child: Deno.ChildProcess,
  timeoutMs: number,
  what: string,
  limit: string,
): Promise<Deno.CommandStatus> {
  return withinTimeLimit(child, child.status, timeoutMs, what, limit);
}

/**
 * Waits for `result` (the process's status or output), killing the process (SIGKILL) when it is not
 * there after `timeoutMs`.
 *
 * @param child the process to kill at the limit
 * @param result what to wait for: `child.status`, or `child.output()`
 * @returns the result, when the process ends in time
 * @throws {MediaError} `<what> took longer than <n> s (<limit>): killed`, once the process is gone
 *
 * @example
 * ```ts
 * import { withinTimeLimit } from "./media_limits.ts";
 * const child = new Deno.Command("echo", { args: ["hi"], stdout: "piped" }).spawn();
 * const out = await withinTimeLimit(child, child.output(), 5000, "echo", "a test limit");
 * console.log(new TextDecoder().decode(out.stdout)); // "hi\n"
 * ```
 */
export async function withinTimeLimit<T>(
  child: Deno.ChildProcess,
  result: Promise<T>,
  timeoutMs: number,
  what: string,
  limit: string,
): Promise<T> {
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGKILL");
    } catch { /* exited meanwhile */ }
  }, timeoutMs);
  try {
    const value = await result;
    if (timedOut) throw timeoutError(what, timeoutMs, limit);
    return value;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The error of a program killed at its time limit.
 *
 * @example
 * ```ts
 * import { timeoutError } from "./media_limits.ts";
 * console.log(timeoutError("ffprobe of a.mp4", 30_000, "probeTimeoutMs").message);
 * ```
 */
export function timeoutError(what: string, timeoutMs: number, limit: string): MediaError {
  return new MediaError(`${what} took longer than ${timeoutMs / 1000} s (${limit}): killed`);
}
