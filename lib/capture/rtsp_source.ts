/**
 * `RtspSource`: one camera, one supervised ffmpeg. It records the stream by stream copy into
 * short segments (recording costs no encode) and yields small grey frames for motion detection,
 * reconnecting with capped exponential backoff when the camera goes away.
 *
 * @module
 */

import { join, resolve } from "node:path";
import { CamwatchError } from "../errors.ts";
import type { AudioMode } from "../media/ffmpeg.ts";
import type { GrayFrame } from "./motion_detector.ts";
import { redactUrl, urlPassword } from "../ops/redact.ts";
import { CameraConnection } from "./camera_connection.ts";
import { passwordEncodingProblem, PERCENT_ENCODING_HINT } from "./camera_url.ts";

/** A recorded piece of the stream, complete and playable. */
export interface CameraSegment {
  /** path of the MP4 file */
  readonly path: string;
  /** wall-clock time of its first frame, ms since the epoch */
  readonly start: number;
  /** wall-clock time of its end, ms since the epoch */
  readonly end: number;
  /** connection it belongs to (1, 2, … after each reconnect) */
  readonly session: number;
  /** the video's codec as ffmpeg names it (`h264`, `hevc`, …), when ffmpeg said */
  readonly video?: string;
  /** the sound's codec in the segment (`aac`, …); absent when it has none */
  readonly audio?: string;
  /** its video's length in seconds as ffmpeg listed it (exact, unlike `end - start` in whole ms) */
  readonly duration?: number;
  /**
   * Why the segment is not fit for a clip, when it is not: ffmpeg had to repair its timestamps
   * (a stream with B-frames gives no decoding times until the decoder has seen a few frames, so
   * the first frames of a connection get guessed ones that step back)
   */
  readonly damaged?: string;
  /**
   * Its frames are stored out of display order (B-frames): stream copy cannot cut it exactly
   * between two frames (a cut in decoding order leaves holes in display order), so a clip that
   * ends inside it ends with it instead
   */
  readonly reordered?: boolean;
}

/** What a source reports, in order. */
export type SourceEvent =
  | { readonly type: "connecting"; readonly session: number; readonly attempt: number }
  | { readonly type: "connected"; readonly session: number }
  | { readonly type: "frame"; readonly session: number; readonly frame: GrayFrame }
  | { readonly type: "segment"; readonly segment: CameraSegment }
  | { readonly type: "stalled"; readonly session: number; readonly silentMs: number }
  | {
    readonly type: "disconnected";
    readonly session: number;
    /** why, in words (ffmpeg's reason, credentials masked) */
    readonly reason: string;
    /** frames the connection delivered */
    readonly frames: number;
  }
  | { readonly type: "retrying"; readonly inMs: number; readonly attempt: number };

/** Options of {@linkcode RtspSource}. */
export interface RtspSourceOptions {
  /** `rtsp://` / `rtsps://` URL (credentials allowed), `http(s)://` MJPEG URL, or a file */
  readonly url: string;
  /**
   * The camera's sub-stream (same camera, lower resolution), watched for motion instead of
   * `url`: the main stream is then recorded by stream copy and never decoded, which costs a
   * fraction of decoding it. Both are supervised together (one connection: the watchdog watches
   * both, and either failing reconnects both); clips are cut from the main stream at the times
   * motion was seen on this one, each timeline placed on the wall clock from its own timestamps.
   * @default none: motion is found on `url`
   */
  readonly detectUrl?: string;
  /**
   * Keep the camera's sound in the recording: copied when MP4 can hold it (AAC), transcoded to
   * AAC when not (G.711 A-law or µ-law): the first connection learns which and, for G.711, is
   * made again at once with the sound transcoded, and says so.
   * @default true
   */
  readonly audio?: boolean;
  /**
   * ffmpeg's `-hwaccel` for the stream that is decoded (the detect stream when there is one).
   * @default none: decoded on the CPU
   */
  readonly hwaccel?: string;
  /** folder for this camera's segment cache (created; each connection gets a subfolder) */
  readonly cacheDir: string;
  /**
   * RTSP transport. A camera that answers `461 Unsupported transport` to it is asked again at
   * once over the other one, for as long as the source runs (VLC's RTSP server refuses TCP),
   * and the `disconnected` event's reason says so; a camera refusing both stops the source.
   * @default "tcp"
   */
  readonly transport?: "tcp" | "udp";
  /**
   * Grey frames per second for motion detection.
   * @default 5
   */
  readonly motionFps?: number;
  /**
   * Width of the grey frames.
   * @default 320
   */
  readonly motionWidth?: number;
  /**
   * Target segment length in seconds.
   * @default 2
   */
  readonly segmentSeconds?: number;
  /**
   * Milliseconds without a frame after which a connected ffmpeg is restarted (the watchdog);
   * a connection that never delivers a frame is given twice as long.
   * @default 10000
   */
  readonly stallTimeoutMs?: number;
  /**
   * First wait before reconnecting, in ms; it doubles after each failed attempt.
   * @default 1000
   */
  readonly retryInitialMs?: number;
  /**
   * Longest wait between reconnection attempts, in ms.
   * @default 30000
   */
  readonly retryMaxMs?: number;
}

/**
 * The camera cannot be used as configured (wrong credentials, a refusal, a missing file, a
 * password that breaks its URL): retrying would not help, so the source stops instead of
 * reconnecting.
 *
 * @example
 * ```ts
 * import { RtspSource, RtspSourceError } from "./rtsp_source.ts";
 * const source = new RtspSource({ url: "missing.mp4", cacheDir: "/tmp/cam" });
 * try {
 *   for await (const _ of source);
 * } catch (e) {
 *   if (e instanceof RtspSourceError) console.error(e.message); // "camera file not found: missing.mp4"
 * }
 * ```
 */
export class RtspSourceError extends CamwatchError {}

/**
 * What a camera's refusal means. `stop`: `always` ends the source; `first` ends it only while
 * none of its connections has delivered a frame (a URL that never worked is reported once,
 * while a camera that worked with it and now answers so is likely restarting, and is retried);
 * `never` retries with the usual backoff.
 */
const ANSWERS: Record<
  number,
  { readonly what: string; readonly check: string; readonly stop: "always" | "first" | "never" }
> = {
  400: {
    what: "answered 400 Bad Request",
    check:
      "it does not understand the request for this URL; check the URL's path and query (the stream's name " +
      "and parameters as the camera's manual writes them, reserved characters percent-encoded)",
    stop: "first",
  },
  401: {
    what: "refused the login (401 Unauthorized)",
    check: `check the user and password (${PERCENT_ENCODING_HINT})`,
    stop: "always",
  },
  403: {
    what: "refused access (403 Forbidden)",
    check:
      "the camera refuses this user or this address; check the user's rights on the camera (live view, " +
      "RTSP) and any list of addresses it accepts",
    stop: "first",
  },
  404: {
    what: "has no stream at this path (404 Not Found)",
    check: "check the path, e.g. the main/sub stream names in the camera's manual (/stream1 and /stream2, " +
      "/Streaming/Channels/101 and /102, /cam/realmonitor?channel=1&subtype=0 and subtype=1); retrying, " +
      "in case the stream is not published yet",
    stop: "never",
  },
};

/** The setting that picks the transport, in words for a hint. */
function transportSetting(transport: "tcp" | "udp"): string {
  return `set RTSP_TRANSPORT=${transport} (or "transport": "${transport}" in the cameras file)`;
}

/** Items waiting for the consumer, and the consumer waiting for items. */
class Queue<T> {
  #items: T[] = [];
  #waiter: (() => void) | undefined;
  #done = false;
  #error: unknown;

  push(item: T) {
    this.#items.push(item);
    this.#wake();
  }
  end(error?: unknown) {
    this.#done = true;
    this.#error = error;
    this.#wake();
  }
  async *drain(): AsyncGenerator<T> {
    for (;;) {
      while (this.#items.length) yield this.#items.shift()!;
      if (this.#done) {
        if (this.#error) throw this.#error;
        return;
      }
      await new Promise<void>((r) => (this.#waiter = r));
    }
  }
  #wake() {
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.();
  }
}

/**
 * A supervised camera connection. Iterate it once for its events (frames, segments,
 * connects and disconnects), in order; `close()` ends it cleanly, finishing the segment being
 * written. Segment files stay in the cache until their user (the ClipRecorder) deletes them.
 *
 * @example
 * ```ts
 * import { RtspSource } from "./rtsp_source.ts";
 * await using source = new RtspSource({ url: "rtsp://127.0.0.1:8554/stream", cacheDir: "/tmp/cam" });
 * for await (const event of source) {
 *   if (event.type === "frame") console.log(event.frame.ts, event.frame.width);
 *   if (event.type === "segment") console.log(event.segment.path);
 * }
 * ```
 */
export class RtspSource implements AsyncIterable<SourceEvent> {
  /** the camera URL with its password masked, for logs */
  readonly displayUrl: string;
  /** the detect stream's URL with its password masked, when there is one */
  readonly displayDetectUrl: string | undefined;
  readonly #options: RtspSourceOptions;
  readonly #secrets: string[];
  readonly #queue = new Queue<SourceEvent>();
  #closing = false;
  #connection: CameraConnection | undefined;
  /** what is done with the sound: learned from the first connection */
  #audio: AudioMode;
  #wakeSleep: (() => void) | undefined;
  #running: Promise<void> | undefined;
  #session = 0;
  /** the RTSP transport asked for now: the configured one until the camera refuses it */
  #transport: "tcp" | "udp";
  /** whether any connection has delivered a frame */
  #delivered = false;

  /** Creates the source; nothing starts until it is iterated. */
  constructor(options: RtspSourceOptions) {
    // Absolute paths: segment lists are read by other ffmpeg runs from other folders.
    this.#options = { ...options, cacheDir: resolve(options.cacheDir) };
    this.displayUrl = redactUrl(options.url);
    this.displayDetectUrl = options.detectUrl === undefined ? undefined : redactUrl(options.detectUrl);
    this.#secrets = [options.url, options.detectUrl].flatMap((u) => (u && urlPassword(u)) || []);
    this.#audio = options.audio === false ? "off" : "copy";
    this.#transport = options.transport ?? "tcp";
  }

  /**
   * Starts the camera (on first iteration) and yields its events until closed.
   *
   * @throws {Error} when the source is iterated a second time
   * @throws {RtspSourceError} from the iteration when the camera is a file that does not exist; when its URL's
   *   password holds an unencoded `/`, `?`, `#`, space or stray `%` (the message explains percent-encoding);
   *   when the camera refuses the login (401 Unauthorized); when it answers 403 Forbidden or 400 Bad Request
   *   before any connection delivered a frame (once it has worked, they are retried: the camera may be
   *   restarting); when it refuses both RTSP transports (461 Unsupported transport). A 404 Not Found is
   *   retried (the stream may not be published yet), with the reason in the `disconnected` event, and so
   *   are other connection failures
   */
  [Symbol.asyncIterator](): AsyncIterator<SourceEvent> {
    if (this.#running) throw new Error("an RtspSource can be iterated only once");
    this.#running = this.#supervise().then(
      () => this.#queue.end(),
      (e) => this.#queue.end(e),
    );
    return this.#queue.drain();
  }

  /**
   * Stops the camera: ffmpeg is asked to finish (so the segment being written is complete and
   * reported), then the iteration ends.
   *
   * @returns once ffmpeg has exited and the iteration has ended; a source never iterated returns at once
   */
  async close(): Promise<void> {
    this.#closing = true;
    this.#wakeSleep?.();
    // SIGINT: ffmpeg closes its outputs properly (the last segment and its list line).
    await this.#connection?.stop();
    await this.#running;
  }

  /** Closes the source, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #supervise(): Promise<void> {
    const {
      url,
      retryInitialMs = 1000,
      retryMaxMs = 30_000,
    } = this.#options;
    const isFile = !/^[a-z][a-z0-9+.-]*:\/\//i.test(url);
    if (isFile) {
      try {
        await Deno.stat(url);
      } catch (cause) {
        throw new RtspSourceError(`camera file not found: ${url}`, { cause });
      }
    } else {
      for (const [u, shown] of [[url, this.displayUrl], [this.#options.detectUrl, this.displayDetectUrl]]) {
        const problem = u && passwordEncodingProblem(u);
        if (problem) throw new RtspSourceError(`camera ${shown}: ${problem}`);
      }
    }
    const isRtsp = /^rtsps?:\/\//i.test(url);
    const refused = new Set<"tcp" | "udp">();
    let attempt = 0;
    while (!this.#closing) {
      const session = ++this.#session;
      this.#queue.push({ type: "connecting", session, attempt });
      const result = await this.#connect(session);
      if (result.frames > 0) attempt = 0;
      let reason = result.reason;
      if (!this.#closing && result.transcode !== undefined && this.#audio === "copy") {
        // Made again at once with the sound transcoded: the camera works, MP4 cannot hold its sound.
        this.#audio = "aac";
        this.#queue.push({ type: "disconnected", session, reason, frames: result.frames });
        continue;
      }
      const answer = result.answer === undefined ? undefined : ANSWERS[result.answer];
      if (!this.#closing && result.answer === 461 && isRtsp) {
        const from = this.#transport;
        const to = from === "tcp" ? "udp" : "tcp";
        refused.add(from);
        const refusal = `refuses RTSP over ${from.toUpperCase()} (461 Unsupported transport)`;
        if (refused.has(to)) {
          this.#queue.push({
            type: "disconnected",
            session,
            reason: `the camera ${refusal} and over ${to.toUpperCase()}`,
            frames: result.frames,
          });
          throw new RtspSourceError(
            `camera ${this.displayUrl} refuses RTSP over both TCP and UDP (461 Unsupported transport)`,
          );
        }
        // Asked again at once over the other transport: no backoff, the camera answered.
        this.#transport = to;
        reason = `the camera ${refusal}: using ${to.toUpperCase()}; ${transportSetting(to)} to skip this`;
        this.#queue.push({ type: "disconnected", session, reason, frames: result.frames });
        continue;
      }
      if (answer && !this.#closing) {
        const message = `camera ${this.displayUrl} ${answer.what}: ${answer.check}`;
        const stop = answer.stop === "always" || (answer.stop === "first" && !this.#delivered);
        reason = stop || answer.stop === "never"
          ? message
          : `${message} (retrying: it worked before, the camera may be restarting)`;
        this.#queue.push({ type: "disconnected", session, reason, frames: result.frames });
        if (stop) throw new RtspSourceError(message);
      } else {
        this.#queue.push({ type: "disconnected", session, reason, frames: result.frames });
      }
      if (this.#closing || isFile) return;
      const inMs = Math.min(retryMaxMs, retryInitialMs * 2 ** attempt);
      attempt++;
      this.#queue.push({ type: "retrying", inMs, attempt });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, inMs);
        this.#wakeSleep = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** One connection: frames and segments until its ffmpeg exits. */
  async #connect(
    session: number,
  ): Promise<{ frames: number; reason: string; answer: number | undefined; transcode: string | undefined }> {
    const { url, cacheDir, stallTimeoutMs = 10_000 } = this.#options;
    const segmentDir = join(cacheDir, `session-${String(session).padStart(4, "0")}`);
    try {
      await Deno.mkdir(segmentDir, { recursive: true });
    } catch (e) {
      // A full disk (or a cache folder gone read-only) is a failed connection, retried with backoff.
      if (e instanceof Deno.errors.PermissionDenied && e.name === "NotCapable") throw e;
      return {
        frames: 0,
        reason: `cannot make the segment folder: ${(e as Error).message}`,
        answer: undefined,
        transcode: undefined,
      };
    }
    const connection = new CameraConnection({
      url,
      detectUrl: this.#options.detectUrl,
      segmentDir,
      session,
      stream: {
        transport: this.#transport,
        segmentSeconds: this.#options.segmentSeconds,
        motionFps: this.#options.motionFps,
        motionWidth: this.#options.motionWidth,
        timeoutSeconds: stallTimeoutMs / 1000,
        hwaccel: this.#options.hwaccel,
      },
      audio: this.#audio,
      stallTimeoutMs,
      secrets: this.#secrets,
      push: (event) => {
        if (event.type === "connected") this.#delivered = true;
        this.#queue.push(event);
      },
    });
    this.#connection = connection;
    if (this.#closing) connection.stop();
    try {
      return await connection.run();
    } finally {
      this.#connection = undefined;
    }
  }
}
