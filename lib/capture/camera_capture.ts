/**
 * `CameraCapture`: one camera from stream to clips: an {@linkcode RtspSource} feeding a
 * {@linkcode MotionDetector} and a {@linkcode ClipRecorder}, with one log line per event.
 *
 * @module
 */

import { dirname, join } from "node:path";
import { ClipError, ClipRecorder, type ClipRecorderOptions, type FinishedClip } from "./clip_recorder.ts";
import type { MetricsRegistry } from "../ops/metrics.ts";
import type { ClipStorage } from "./clip_storage.ts";
import { MotionDetector, type MotionDetectorOptions } from "./motion_detector.ts";
import { RtspSource, type RtspSourceOptions } from "./rtsp_source.ts";

/** Waits between attempts to hand a clip to a failing `onClip` hook. */
const HOOK_RETRY_MS = { first: 1000, max: 30_000 };

/** One line for the log: what happened to which camera. */
export interface CaptureLogEntry {
  /** camera name */
  readonly camera: string;
  /** `info` for events, `warn` for trouble that capture works around, `error` for a clip lost or not handed over */
  readonly level: "info" | "warn" | "error";
  /** what happened, in words */
  readonly message: string;
}

/** Options of {@linkcode CameraCapture}. */
export interface CameraCaptureOptions {
  /** camera name (folder of its clips) */
  readonly camera: string;
  /** camera URL or file */
  readonly url: string;
  /** folder of clips (one subfolder per camera) */
  readonly videoDir: string;
  /**
   * Folder for the segment cache.
   * @default `<videoDir>/.cache/<camera>`
   */
  readonly cacheDir?: string;
  /**
   * How to read the camera (transport, motion frame rate, watchdog, retries).
   * @default the defaults of {@linkcode RtspSourceOptions}
   */
  readonly source?: Omit<RtspSourceOptions, "url" | "cacheDir">;
  /**
   * How to find motion.
   * @default the defaults of {@linkcode MotionDetectorOptions}
   */
  readonly motion?: MotionDetectorOptions;
  /**
   * How to cut clips (timings, retention).
   * @default the defaults of {@linkcode ClipRecorderOptions}
   */
  readonly clips?: Omit<ClipRecorderOptions, "camera" | "videoDir" | "onClip">;
  /**
   * Called with each finished clip (the hook the queue publishes from). It runs in the
   * background, one clip after another in order, so a slow hook (a hung Redis) never holds up
   * cutting the next clips. When it throws (the outbox cannot be written on a full disk), the
   * error is logged as a warning and the same clip is handed to it again with capped backoff
   * (1 s doubling to 30 s) until it succeeds; on stop it gets one last try, then the clips it never
   * took are logged as errors. The capture's {@linkcode CameraCapture.run} resolves only after
   * that.
   * @default none
   */
  readonly onClip?: (clip: FinishedClip) => void | Promise<void>;
  /**
   * Called with each log line.
   * @default lines are dropped
   */
  readonly onLog?: (entry: CaptureLogEntry) => void;
  /**
   * Where to count frames, motion events, clips and reconnects (labelled by camera).
   * @default not counted
   */
  readonly metrics?: MetricsRegistry;
}

/** What a camera is doing, for health checks. */
export interface CameraStatus {
  /** connected and delivering frames */
  readonly connected: boolean;
  /** wall-clock time of the last frame, ms since the epoch (0 before the first) */
  readonly lastFrame: number;
  /** whether a clip is being recorded */
  readonly recording: boolean;
}

/**
 * Captures one camera until stopped.
 *
 * @example
 * ```ts
 * import { CameraCapture } from "./camera_capture.ts";
 * const capture = new CameraCapture({
 *   camera: "front",
 *   url: "rtsp://127.0.0.1:8554/stream",
 *   videoDir: "video",
 *   onClip: (clip) => console.log("new clip", clip.relativePath),
 *   onLog: (e) => console.log(`${e.camera}: ${e.message}`),
 * });
 * const done = capture.run();
 * Deno.addSignalListener("SIGTERM", () => capture.stop());
 * await done;
 * ```
 */
export class CameraCapture {
  /** the camera's name */
  readonly camera: string;
  readonly #source: RtspSource;
  readonly #detector: MotionDetector;
  readonly #recorder: ClipRecorder;
  readonly #log: (level: CaptureLogEntry["level"], message: string) => void;
  readonly #cacheDir: string;
  readonly #storage: ClipStorage | undefined;
  readonly #count: (metric: string, help: string) => void;
  #running: Promise<void> | undefined;
  #hooks: Promise<void> = Promise.resolve();
  #stopping = false;
  #wakeHooks: (() => void) | undefined;
  #connected = false;
  #lastFrame = 0;

  /**
   * Builds the parts; nothing starts until {@linkcode CameraCapture.run}.
   *
   * @throws {RangeError} when the camera name is not a valid camera name, or a clip timing or motion option
   *   is out of bounds (checked by {@linkcode ClipRecorder} and {@linkcode MotionDetector})
   */
  constructor(options: CameraCaptureOptions) {
    this.camera = options.camera;
    this.#log = (level, message) => options.onLog?.({ camera: options.camera, level, message });
    const labels = { camera: options.camera };
    this.#count = (metric, help) => options.metrics?.counter(metric, help).inc(labels);
    this.#recorder = new ClipRecorder({
      ...options.clips,
      camera: options.camera,
      videoDir: options.videoDir,
      onClip: (clip) => {
        const seconds = ((clip.end - clip.start) / 1000).toFixed(1);
        const cut = clip.truncated ? ", cut short" : "";
        this.#log("info", `clip ${clip.relativePath} (${seconds} s, peak ${clip.peak.toFixed(3)}${cut})`);
        this.#count("camwatch_clips_total", "Clips written.");
        const hook = options.onClip;
        if (hook) this.#hooks = this.#hooks.then(() => this.#handOver(clip, hook));
      },
    });
    this.#storage = options.clips?.storage;
    this.#detector = new MotionDetector(options.motion);
    this.#cacheDir = options.cacheDir ?? join(options.videoDir, ".cache", options.camera);
    this.#source = new RtspSource({ ...options.source, url: options.url, cacheDir: this.#cacheDir });
  }

  /** What the camera is doing now. */
  get status(): CameraStatus {
    return { connected: this.#connected, lastFrame: this.#lastFrame, recording: this.#recorder.recording };
  }

  /**
   * Runs until {@linkcode CameraCapture.stop} (or a fatal camera error, which it rethrows).
   *
   * @returns the same promise on every call; it resolves after {@linkcode CameraCapture.stop}, or when a
   *   camera file reaches its end
   * @throws {RtspSourceError} when the camera file is missing or the camera refuses the login; a clip that
   *   cannot be written ({@linkcode ClipError}) and an error of `onClip` are logged as warnings instead,
   *   but other errors (from the file system) end the capture and are rethrown
   */
  run(): Promise<void> {
    this.#running ??= this.#loop();
    return this.#running;
  }

  /** Stops the camera, finishing the clip in progress with what was recorded. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wakeHooks?.();
    await this.#source.close();
    await this.#running?.catch(() => {});
  }

  async #loop(): Promise<void> {
    const url = this.#source.displayUrl;
    try {
      for await (const e of this.#source) {
        switch (e.type) {
          case "frame": {
            this.#lastFrame = e.frame.ts;
            this.#count("camwatch_frames_total", "Grey frames read for motion detection.");
            const update = this.#detector.update(e.frame);
            this.#recorder.motion(update);
            if (update.event?.type === "start") {
              this.#count("camwatch_motion_events_total", "Motion events started.");
              this.#log("info", `motion started (score ${update.event.score.toFixed(3)})`);
            } else if (update.event?.type === "end") {
              const seconds = ((update.event.end - update.event.start) / 1000).toFixed(1);
              this.#log("info", `motion ended after ${seconds} s (peak ${update.event.peak.toFixed(3)})`);
            }
            break;
          }
          case "segment":
            await this.#keepGoing(() => this.#recorder.segment(e.segment));
            break;
          case "connecting":
            if (e.attempt === 0) {
              const detect = this.#source.displayDetectUrl;
              this.#log("info", `connecting to ${url}${detect ? ` (motion watched on ${detect})` : ""}`);
            }
            break;
          case "connected":
            this.#connected = true;
            this.#log("info", `connected (connection ${e.session})`);
            break;
          case "stalled":
            this.#log("warn", `no frames for ${e.silentMs} ms: restarting the connection`);
            break;
          case "disconnected":
            this.#connected = false;
            // A new connection starts a new stream: learn its background afresh.
            this.#detector.reset();
            await this.#keepGoing(() => this.#recorder.cameraLost());
            if (e.reason !== "closed") {
              this.#log("warn", `disconnected: ${e.reason}${await this.#diskNote()}`);
            }
            break;
          case "retrying":
            this.#count("camwatch_reconnects_total", "Attempts to reconnect to the camera.");
            this.#log("warn", `reconnecting in ${(e.inMs / 1000).toFixed(1)} s (attempt ${e.attempt})`);
            break;
        }
      }
    } finally {
      try {
        await this.#keepGoing(() => this.#recorder.close());
      } finally {
        await this.#hooks; // the last clips handed over
      }
      // Segments left in the cache are of no use once capture stops.
      await Deno.remove(this.#cacheDir, { recursive: true }).catch(() => {});
      await Deno.remove(dirname(this.#cacheDir)).catch(() => {}); // the shared .cache, once empty
    }
  }

  /**
   * ffmpeg says "Invalid argument" or "Error initializing output stream" when it cannot write its
   * segments: name the likely cause when the disk is below its floor.
   */
  async #diskNote(): Promise<string> {
    const state = await this.#storage?.makeRoom().catch(() => undefined);
    // Below the floor, or under a megabyte (not one segment fits) when no floor is kept.
    const full = state && (state.short || state.freeBytes < 2 ** 20);
    return full ? `; the disk is full (${Math.floor(state.freeBytes / 2 ** 20)} MB free)` : "";
  }

  /** Hands a clip to the hook until it takes it, or the capture stops and a last try failed. */
  async #handOver(clip: FinishedClip, hook: (clip: FinishedClip) => void | Promise<void>): Promise<void> {
    for (let wait = HOOK_RETRY_MS.first;; wait = Math.min(HOOK_RETRY_MS.max, wait * 2)) {
      const last = this.#stopping;
      try {
        await hook(clip);
        return;
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        if (last) {
          this.#log("error", `clip ${clip.relativePath} was not handed over: ${why} (the clip is on disk)`);
          return;
        }
        this.#log("warn", `clip ${clip.relativePath}: ${why}; trying again in ${wait / 1000} s`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.#wakeHooks = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /**
   * A clip that cannot be written (disk full, …) is reported, as a warning while it is kept to be
   * written again, as an error once it is lost; capture goes on.
   */
  async #keepGoing(step: () => Promise<unknown>): Promise<void> {
    try {
      await step();
    } catch (e) {
      if (!(e instanceof ClipError)) throw e;
      this.#log(e.retrying ? "warn" : "error", e.message);
    }
  }
}
