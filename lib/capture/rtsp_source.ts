/**
 * `RtspSource`: one camera, one supervised ffmpeg. It records the stream by stream copy into
 * short segments (recording costs no encode) and yields small grey frames for motion detection,
 * reconnecting with capped exponential backoff when the camera goes away.
 *
 * @module
 */

import { join, resolve } from "node:path";
import { CamwatchError } from "../errors.ts";
import { captureArgs, spawnFfmpeg } from "../media/ffmpeg.ts";
import { stopProcess } from "../media/process.ts";
import { FrameStream } from "../media/ffmpeg_frames.ts";
import type { GrayFrame } from "./motion_detector.ts";
import { redactText, redactUrl, urlPassword } from "../ops/redact.ts";

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
  /** folder for this camera's segment cache (created; each connection gets a subfolder) */
  readonly cacheDir: string;
  /**
   * RTSP transport.
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
 * The camera cannot be used as configured (wrong credentials, a missing file): retrying would
 * not help, so the source stops instead of reconnecting.
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
  readonly #options: RtspSourceOptions;
  readonly #secrets: string[];
  readonly #queue = new Queue<SourceEvent>();
  #closing = false;
  #child: Deno.ChildProcess | undefined;
  #wakeSleep: (() => void) | undefined;
  #running: Promise<void> | undefined;
  #session = 0;
  #collecting: Promise<void> = Promise.resolve();

  /** Creates the source; nothing starts until it is iterated. */
  constructor(options: RtspSourceOptions) {
    // Absolute paths: segment lists are read by other ffmpeg runs from other folders.
    this.#options = { ...options, cacheDir: resolve(options.cacheDir) };
    this.displayUrl = redactUrl(options.url);
    const password = urlPassword(options.url);
    this.#secrets = password ? [password] : [];
  }

  /**
   * Starts the camera (on first iteration) and yields its events until closed.
   *
   * @throws {Error} when the source is iterated a second time
   * @throws {RtspSourceError} from the iteration when the camera is a file that does not exist, or when the
   *   camera refuses the login (401 Unauthorized); other connection failures are retried, not thrown
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
    if (this.#child) await stopProcess(this.#child, "SIGINT");
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
    }
    let attempt = 0;
    while (!this.#closing) {
      const session = ++this.#session;
      this.#queue.push({ type: "connecting", session, attempt });
      const result = await this.#connect(session);
      if (result.frames > 0) attempt = 0;
      this.#queue.push({ type: "disconnected", session, reason: result.reason, frames: result.frames });
      if (result.unauthorized) {
        throw new RtspSourceError(
          `camera ${this.displayUrl} refused the login (401 Unauthorized): check the user and password`,
        );
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

  /** One ffmpeg run: frames and segments until it exits. */
  async #connect(session: number): Promise<{ frames: number; reason: string; unauthorized: boolean }> {
    const { url, cacheDir, stallTimeoutMs = 10_000 } = this.#options;
    const segmentDir = join(cacheDir, `session-${String(session).padStart(4, "0")}`);
    await Deno.mkdir(segmentDir, { recursive: true });
    const child = spawnFfmpeg(captureArgs(url, {
      segmentDir,
      transport: this.#options.transport,
      segmentSeconds: this.#options.segmentSeconds,
      motionFps: this.#options.motionFps,
      motionWidth: this.#options.motionWidth,
      timeoutSeconds: stallTimeoutMs / 1000,
    }));
    this.#child = child;
    let unauthorized = false;
    const stream = new FrameStream(child, {
      bytesPerPixel: 1,
      onLine: (line) => {
        if (/401 Unauthorized/i.test(line)) unauthorized = true;
      },
    });

    // Wall-clock time of ffmpeg's time zero: frames arrive after they were captured, so the
    // smallest (arrival - pts) over the frames is the best estimate.
    let zero = Infinity;
    let frames = 0;
    let lastFrame = performance.now();
    let stalled = false;
    const watchdog = setInterval(() => {
      const silent = performance.now() - lastFrame;
      if (!stalled && silent > (frames > 0 ? stallTimeoutMs : 2 * stallTimeoutMs)) {
        stalled = true;
        this.#queue.push({ type: "stalled", session, silentMs: Math.round(silent) });
        stopProcess(child, "SIGINT");
      }
    }, 500);
    const list = new SegmentList(join(segmentDir, "segments.csv"), segmentDir, session);
    const poll = setInterval(() => this.#collect(list, zero).catch(() => {}), 500);
    try {
      for await (const raw of stream) {
        const arrival = Date.now();
        zero = Math.min(zero, arrival - raw.time * 1000);
        lastFrame = performance.now();
        if (frames++ === 0) this.#queue.push({ type: "connected", session });
        const frame: GrayFrame = {
          ts: Math.round(zero + raw.time * 1000),
          width: raw.width,
          height: raw.height,
          data: raw.data,
        };
        this.#queue.push({ type: "frame", session, frame });
      }
      await child.status;
      await stream.stderrDone;
    } finally {
      clearInterval(watchdog);
      clearInterval(poll);
      this.#child = undefined;
    }
    // ffmpeg writes the last segment's line as it exits.
    if (Number.isFinite(zero)) await this.#collect(list, zero);
    const reason = this.#closing
      ? "closed"
      : stalled
      ? `no frames for ${stallTimeoutMs} ms`
      : stream.errors.length
      ? redactText(stream.errors.slice(-2).join("; "), this.#secrets)
      : "stream ended";
    return { frames, reason, unauthorized };
  }

  /** Reports newly completed segments; calls are chained so that none is read twice. */
  #collect(list: SegmentList, zero: number): Promise<void> {
    this.#collecting = this.#collecting.then(async () => {
      if (!Number.isFinite(zero)) return;
      for (const s of await list.read(zero)) this.#queue.push({ type: "segment", segment: s });
    });
    return this.#collecting;
  }
}

/** The CSV segment list ffmpeg appends a line to as each segment completes. */
class SegmentList {
  #offset = 0;
  #pending = "";
  constructor(readonly path: string, readonly dir: string, readonly session: number) {}

  /** Segments completed since the last read, with wall-clock times from `zero`. */
  async read(zero: number): Promise<CameraSegment[]> {
    // Only the bytes added since the last read: the list grows for as long as the camera runs.
    let added: Uint8Array;
    try {
      const file = await Deno.open(this.path);
      await file.seek(this.#offset, Deno.SeekMode.Start);
      added = new Uint8Array(await new Response(file.readable).arrayBuffer()); // closes the file
    } catch {
      return [];
    }
    this.#offset += added.length;
    const text = this.#pending + new TextDecoder().decode(added);
    const lines = text.split("\n");
    this.#pending = lines.pop() ?? "";
    const out: CameraSegment[] = [];
    for (const line of lines) {
      const [name, start, end] = line.split(",");
      if (!name || !Number.isFinite(Number(start)) || !Number.isFinite(Number(end))) continue;
      out.push({
        path: join(this.dir, name),
        start: Math.round(zero + Number(start) * 1000),
        end: Math.round(zero + Number(end) * 1000),
        session: this.session,
      });
    }
    return out;
  }
}
