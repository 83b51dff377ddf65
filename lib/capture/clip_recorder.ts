/**
 * `ClipRecorder`: motion events + recorded segments → finished clips. A clip runs from
 * `prerollSeconds` before the motion to `clipSeconds` after it, is extended while the motion
 * goes on (up to `maxClipSeconds`), and is joined from the cached segments by stream copy into
 * `<videoDir>/<camera>/<YYYYMMDD-HHMMSS>.mp4`, written under a temporary name and renamed, with
 * a `.json` sidecar. A clip cut short by a camera drop is finished with what was recorded.
 *
 * @module
 */

import { join, resolve } from "node:path";
import { CamwatchError } from "../errors.ts";
import { concatArgs, concatList, runFfmpeg } from "../media/ffmpeg.ts";
import { FragmentJoinError, joinFragmentedMp4 } from "../media/fragmented_mp4_join.ts";
import type { Box, MotionUpdate } from "./motion_detector.ts";
import type { CameraSegment } from "./rtsp_source.ts";
import { CAMERA_NAME_RULE, isCameraName } from "./camera_name.ts";
import { type ClipTiming, clipTiming } from "./clip_timing.ts";
import { type ClipSidecar, formatClipSidecar, sidecarPathOf } from "./clip_sidecar.ts";
import type { ClipStorage } from "./clip_storage.ts";

/**
 * How long a clip that could not be written for want of space is tried again (in stream time),
 * its segments kept meanwhile: long enough for retention or an operator to free space, short
 * enough that the segment cache stays bounded on a disk that stays full.
 */
const UNWRITTEN_RETRY_MS = 10 * 60_000;

/** Options of {@linkcode ClipRecorder}. */
export interface ClipRecorderOptions extends Partial<ClipTiming> {
  /** camera name: letters, digits, `_` and `-` (it becomes a folder name) */
  readonly camera: string;
  /** folder that holds one subfolder of clips per camera */
  readonly videoDir: string;
  /**
   * The video folder's space, shared by the cameras: its free-space floor is kept before each
   * clip is written and on each segment, its retention applied after each clip.
   * @default no floor, no retention: every clip is kept
   */
  readonly storage?: ClipStorage;
  /**
   * Called with each finished clip (publishing it, logging it), after the clip and its sidecar
   * are in place; what it throws comes out of the call that finished the clip.
   * @default none
   */
  readonly onClip?: (clip: FinishedClip) => void | Promise<void>;
}

/** A clip on disk, complete. */
export interface FinishedClip {
  /** camera name */
  readonly camera: string;
  /** path of the MP4 file */
  readonly path: string;
  /** path relative to the video folder, as tasks carry it (`front/20260223-144657.mp4`) */
  readonly relativePath: string;
  /** path of the JSON sidecar */
  readonly sidecarPath: string;
  /** wall-clock time of the clip's first frame, ms since the epoch */
  readonly start: number;
  /** wall-clock time of the clip's end, ms since the epoch */
  readonly end: number;
  /** when the motion started, ms since the epoch */
  readonly motionStart: number;
  /** highest changed fraction of the frame during the clip */
  readonly peak: number;
  /** moving regions at the peak, in frame fractions */
  readonly boxes: Box[];
  /** true when the camera dropped before the planned end */
  readonly truncated: boolean;
  /** the video's codec (`h264`, `hevc`, …), when the camera's ffmpeg said */
  readonly video?: string;
  /** the sound's codec (`aac`); absent when the clip has no sound */
  readonly audio?: string;
}

/**
 * A clip could not be written (ffmpeg failed to join the segments, or the disk is full). Capture
 * logs it and goes on with the next clip. When space was the cause the clip is not lost yet: it
 * is written again once there is room (`retrying` is true).
 *
 * @example
 * ```ts
 * import { ClipError, ClipRecorder } from "./clip_recorder.ts";
 * const recorder = new ClipRecorder({ camera: "front", videoDir: "video" });
 * try {
 *   await recorder.close();
 * } catch (e) {
 *   if (e instanceof ClipError) console.warn(e.message);
 *   else throw e;
 * }
 * ```
 */
export class ClipError extends CamwatchError {
  /** true when the clip is kept and written again once there is room */
  readonly retrying: boolean;
  /**
   * An error about one clip.
   *
   * @param options `cause` as for any error, and `retrying` (default false): whether the clip is kept to be
   *   written again
   */
  constructor(message: string, options?: ErrorOptions & { retrying?: boolean }) {
    super(message, options);
    this.retrying = options?.retrying ?? false;
  }
}

/** What a clip being recorded remembers. */
interface OpenClip {
  from: number;
  motionStart: number;
  end: number;
  lastMotion: number;
  peak: number;
  boxes: Box[];
  timeline: [number, number][];
}

/** A finished clip still to be written: its motion, where it ends, and its segments. */
interface PendingClip {
  readonly open: OpenClip;
  readonly end: number;
  readonly truncated: boolean;
  readonly parts: CameraSegment[];
  /** stream time of the first failed write, for the retry window */
  failedAt?: number;
}

/** Local time as `YYYYMMDD-HHMMSS`. */
function stamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${
    p(d.getSeconds())
  }`;
}

/**
 * ISO 8601 in local time with its offset (`2026-02-23T14:46:57.120+01:00`), as the sidecars
 * carry times: a reader sees the camera's wall clock and can still place it in UTC.
 *
 * @param ms a time in milliseconds since the epoch
 * @returns always with milliseconds and a `±HH:MM` offset (`+00:00` in UTC, never `Z`)
 *
 * @example
 * ```ts
 * import { isoLocal } from "./clip_recorder.ts";
 * console.log(isoLocal(Date.UTC(2026, 1, 23, 13, 46, 57, 120)));
 * // "2026-02-23T14:46:57.120+01:00" in Paris, "2026-02-23T13:46:57.120+00:00" in UTC
 * ```
 */
export function isoLocal(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(Math.abs(n)).padStart(w, "0");
  const off = -d.getTimezoneOffset();
  const zone = `${off >= 0 ? "+" : "-"}${p(Math.floor(Math.abs(off) / 60))}:${p(Math.abs(off) % 60)}`;
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${
    p(d.getMinutes())
  }:` +
    `${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}${zone}`;
}

/**
 * Turns motion updates and recorded segments of one camera into clips. Feed it every motion
 * update and every segment, in order, and tell it when the camera drops; it deletes the
 * segments no clip can need any more.
 *
 * @example
 * ```ts
 * import { ClipRecorder } from "./clip_recorder.ts";
 * import { MotionDetector } from "./motion_detector.ts";
 * import { RtspSource } from "./rtsp_source.ts";
 * const source = new RtspSource({ url: "rtsp://127.0.0.1:8554/stream", cacheDir: "/tmp/cache/front" });
 * const detector = new MotionDetector();
 * const recorder = new ClipRecorder({
 *   camera: "front",
 *   videoDir: "video",
 *   onClip: (clip) => console.log("clip", clip.relativePath),
 * });
 * for await (const e of source) {
 *   if (e.type === "frame") recorder.motion(detector.update(e.frame));
 *   else if (e.type === "segment") await recorder.segment(e.segment);
 *   else if (e.type === "disconnected") await recorder.cameraLost();
 * }
 * ```
 */
export class ClipRecorder {
  readonly #options: ClipRecorderOptions;
  readonly #dir: string;
  readonly #clipMs: number;
  readonly #prerollMs: number;
  readonly #maxMs: number;
  readonly #cooldownMs: number;
  #segments: CameraSegment[] = [];
  #open: OpenClip | undefined;
  #lastEnd = -Infinity;
  #now = -Infinity;
  /** the detector's motion event is in progress (between its start and end events) */
  #inEvent = false;
  /** clips that could not be written for want of space, oldest first */
  #unwritten: PendingClip[] = [];
  #closed = false;

  /**
   * Checks the options; throws `RangeError` naming a bad one.
   *
   * @throws {RangeError} when `camera` is not a valid camera name, or a timing breaks a rule of {@linkcode
   *   clipTiming}
   */
  constructor(options: ClipRecorderOptions) {
    if (!isCameraName(options.camera)) {
      throw new RangeError(`camera name must be ${CAMERA_NAME_RULE}, got ${JSON.stringify(options.camera)}`);
    }
    const timing = clipTiming(options);
    this.#options = options;
    this.#dir = join(resolve(options.videoDir), options.camera);
    this.#clipMs = timing.clipSeconds * 1000;
    this.#prerollMs = timing.prerollSeconds * 1000;
    this.#maxMs = timing.maxClipSeconds * 1000;
    this.#cooldownMs = timing.cooldownSeconds * 1000;
  }

  /** Whether a clip is being recorded. */
  get recording(): boolean {
    return this.#open !== undefined;
  }

  /**
   * Takes one motion update (one per grey frame): starts, extends or closes the window.
   *
   * @param update the detector's result for a frame; frames must come in time order
   */
  motion(update: MotionUpdate): void {
    this.#now = Math.max(this.#now, update.ts);
    if (update.event?.type === "start") this.#inEvent = true;
    if (update.event?.type === "end") this.#inEvent = false;
    const open = this.#open;
    if (!open) {
      // A new clip starts with a motion event, or goes on from the last one when the motion
      // outlasted it (the clip reached its maximum while things kept moving).
      const start = update.event?.type === "start"
        ? { ts: update.event.ts, score: update.event.score, boxes: update.event.boxes }
        : this.#inEvent && update.motion
        ? { ts: update.ts, score: update.score, boxes: update.boxes }
        : undefined;
      if (!start) return;
      const t0 = start.ts;
      const continuing = update.event?.type !== "start" && Number.isFinite(this.#lastEnd);
      this.#open = {
        // A continuation picks up exactly where the previous clip ended.
        from: continuing ? this.#lastEnd : Math.max(t0 - this.#prerollMs, this.#lastEnd),
        motionStart: t0,
        end: t0 + this.#clipMs,
        lastMotion: t0,
        peak: start.score,
        boxes: start.boxes,
        timeline: [[t0, start.score]],
      };
      return;
    }
    if (update.motion) {
      open.lastMotion = update.ts;
      const wanted = Math.max(open.end, update.ts + this.#cooldownMs);
      open.end = Math.min(wanted, open.motionStart + this.#maxMs);
      if (update.score > open.peak) {
        open.peak = update.score;
        open.boxes = update.boxes;
      }
    }
    if (update.score > 0 && update.ts <= open.end) open.timeline.push([update.ts, update.score]);
  }

  /**
   * Takes a completed segment; finishes the clip once the segments cover its end. Clips that
   * could not be written for want of space are tried again first, and the free-space floor is
   * kept.
   *
   * @returns the clip this segment finished, after it is written, renamed and passed to `onClip`; undefined
   *   when no clip ended (or the clip had no recorded segment)
   * @throws {ClipError} when a clip cannot be written (ffmpeg cannot join the segments, the disk is full:
   *   then `retrying` says whether it will be written again), after the other clips due were handled
   * @throws {Error} whatever `onClip` throws
   */
  async segment(segment: CameraSegment): Promise<FinishedClip | undefined> {
    this.#segments.push(segment);
    this.#now = Math.max(this.#now, segment.end);
    const failures: ClipError[] = [];
    await this.#retryUnwritten(failures);
    let clip: FinishedClip | undefined;
    const open = this.#open;
    if (open && segment.end >= open.end) {
      clip = await this.#finish(false).catch((e) => this.#failed(e, failures));
    } else {
      await this.#options.storage?.makeRoom(); // ffmpeg writes the next segments meanwhile
      await this.#prune();
    }
    throwFailures(failures);
    return clip;
  }

  /**
   * The camera dropped: a clip in progress is finished with what was recorded.
   *
   * @returns the clip cut short (`truncated: true`), or undefined when none was being recorded or nothing of
   *   it was recorded yet
   * @throws {ClipError} when ffmpeg cannot join the segments into the clip, or the disk is full
   */
  async cameraLost(): Promise<FinishedClip | undefined> {
    this.#inEvent = false; // the detector starts afresh on the next connection
    return this.#open ? await this.#finish(true) : undefined;
  }

  /**
   * Shutting down: a clip in progress is finished now, with what was recorded, and clips waiting
   * for space are tried a last time.
   *
   * @returns the clip finished now, or undefined when none was being recorded
   * @throws {ClipError} when a clip cannot be written (it is then lost: `retrying` is false)
   */
  async close(): Promise<FinishedClip | undefined> {
    const failures: ClipError[] = [];
    this.#closed = true;
    await this.#retryUnwritten(failures);
    const clip = await this.cameraLost().catch((e) => this.#failed(e, failures));
    throwFailures(failures);
    return clip;
  }

  #failed(e: unknown, failures: ClipError[]): undefined {
    if (!(e instanceof ClipError)) throw e;
    failures.push(e);
    return undefined;
  }

  /** Clips waiting for space, oldest first: each written now, kept for later, or given up. */
  async #retryUnwritten(failures: ClipError[]): Promise<void> {
    while (this.#unwritten.length > 0) {
      const pending = this.#unwritten[0];
      try {
        await this.#write(pending);
        this.#unwritten.shift();
      } catch (e) {
        if (!(e instanceof ClipError)) throw e;
        if (e.retrying) return; // still no room: the rest waits behind it, in order
        this.#unwritten.shift();
        failures.push(e);
      }
    }
  }

  async #finish(truncated: boolean): Promise<FinishedClip | undefined> {
    const open = this.#open!;
    this.#open = undefined;
    const end = truncated ? Math.min(open.end, this.#now) : open.end;
    // A damaged segment (timestamps ffmpeg had to repair) would put frames out of order: left out.
    const parts = this.#segments.filter((s) => s.end > open.from && s.start < end && !s.damaged);
    this.#lastEnd = end;
    if (parts.length === 0) {
      await this.#prune();
      return undefined; // the camera dropped before anything of the clip was recorded
    }
    const pending: PendingClip = { open, end, truncated, parts };
    if (this.#unwritten.length > 0) {
      // Clips are written in order: this one waits behind those waiting for space.
      pending.failedAt = this.#now;
      this.#unwritten.push(pending);
      throw new ClipError(
        `clip of ${isoLocal(parts[0].start)} waits for disk space behind ${
          this.#unwritten.length - 1
        } other(s)`,
        { retrying: true },
      );
    }
    return await this.#write(pending);
  }

  /** Writes a clip, its sidecar, and hands it to `onClip`; a clip that fails for want of space is kept. */
  async #write(pending: PendingClip): Promise<FinishedClip> {
    const { open, end, truncated, parts } = pending;
    const last = parts.at(-1)!;
    // Frames out of display order cannot be cut between by stream copy: the clip ends with the segment.
    const cut = last.end > end && !last.reordered;
    const start = parts[0].start;
    const clipEnd = cut ? end : last.end;
    const video = parts.find((p) => p.video)?.video;
    const audio = parts.find((p) => p.audio)?.audio;

    let name = stamp(start);
    let path = join(this.#dir, `${name}.mp4`);
    let partPath: string | undefined;
    let clip: FinishedClip;
    try {
      let bytes = 0;
      for (const p of parts) bytes += (await Deno.stat(p.path).catch(() => undefined))?.size ?? 0;
      await this.#options.storage?.makeRoom(bytes);
      await Deno.mkdir(this.#dir, { recursive: true });
      for (let i = 1; await exists(join(this.#dir, `${name}.mp4`)); i++) name = `${stamp(start)}-${i}`;
      path = join(this.#dir, `${name}.mp4`);
      const sidecarPath = sidecarPathOf(path);
      partPath = join(this.#dir, `.${name}.mp4.part`);
      await this.#join(parts, partPath, cut ? end : undefined, video === "hevc", name);
      clip = {
        camera: this.#options.camera,
        path,
        relativePath: `${this.#options.camera}/${name}.mp4`,
        sidecarPath,
        start,
        end: clipEnd,
        motionStart: open.motionStart,
        peak: open.peak,
        boxes: open.boxes,
        truncated,
        ...(video ? { video } : {}),
        ...(audio ? { audio } : {}),
      };
      const sidecar: ClipSidecar = {
        camera: clip.camera,
        file: `${name}.mp4`,
        start: isoLocal(start),
        end: isoLocal(clipEnd),
        duration: Math.round(clipEnd - start) / 1000,
        motion_start: isoLocal(open.motionStart),
        preroll: Math.round(open.motionStart - start) / 1000,
        truncated,
        motion: {
          peak: Math.round(open.peak * 10000) / 10000,
          boxes: open.boxes,
          // [seconds into the clip, changed fraction] for each frame with change
          timeline: open.timeline.filter(([t]) => t >= start).map((
            [t, s],
          ) => [Math.round(t - start) / 1000, s] as const),
        },
        segments: parts.length,
        ...(video ? { video } : {}),
        audio: audio ?? null,
      };
      const sidecarPart = `${sidecarPath}.part`;
      try {
        await Deno.writeTextFile(sidecarPart, formatClipSidecar(sidecar));
      } catch (e) {
        await Deno.remove(sidecarPart).catch(() => {});
        throw e;
      }
      // The video appears first, then its sidecar: a reader that sees the .json finds the .mp4.
      await Deno.rename(partPath, path);
      await Deno.rename(sidecarPart, sidecarPath);
    } catch (cause) {
      throw this.#writeError(pending, path, cause);
    } finally {
      if (partPath) await Deno.remove(partPath).catch(() => {});
    }
    await this.#prune();
    await this.#options.storage?.applyRetention();
    await this.#options.onClip?.(clip);
    return clip;
  }

  /**
   * Joins the segments into `partPath`, cut at `end` (wall-clock ms) when given: in TypeScript
   * when they are fragments of one connection (no process to start: a 1080p clip costs a file
   * copy instead of 0.5 CPU s), else, or when the segments are not fragmented MP4, with ffmpeg's
   * concat demuxer.
   */
  async #join(
    parts: CameraSegment[],
    partPath: string,
    end: number | undefined,
    hvc1: boolean,
    name: string,
  ): Promise<void> {
    if (parts.every((p) => p.session === parts[0].session)) {
      try {
        const endSeconds = end === undefined ? undefined : (end - parts[0].start) / 1000;
        await joinFragmentedMp4(parts.map((p) => p.path), partPath, { endSeconds, hvc1 });
        return;
      } catch (e) {
        if (!(e instanceof FragmentJoinError)) throw e;
      }
    }
    const listPath = join(this.#dir, `.${name}.ffconcat`);
    // A segment's sound runs past its video: its listed length keeps the next video from starting
    // late. Without sound the file's own length is the video's, and exact.
    const files = parts.map((p) => ({ path: resolve(p.path), duration: p.audio ? p.duration : undefined }));
    try {
      const outpoint = end === undefined ? undefined : (end - parts.at(-1)!.start) / 1000;
      await Deno.writeTextFile(listPath, concatList(files, outpoint));
      const out = await runFfmpeg(concatArgs(listPath, partPath, { hvc1 }));
      if (!out.success) throw new FfmpegFailure(new TextDecoder().decode(out.stderr).trim());
    } finally {
      await Deno.remove(listPath).catch(() => {});
    }
  }

  /** The error for a clip that failed; one that failed for want of space is kept to be tried again. */
  #writeError(pending: PendingClip, path: string, cause: unknown): ClipError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const full = isOutOfSpace(cause);
    pending.failedAt ??= this.#now;
    const retrying = full && !this.#closed && this.#now - pending.failedAt < UNWRITTEN_RETRY_MS;
    if (retrying && !this.#unwritten.includes(pending)) this.#unwritten.push(pending);
    const what = retrying
      ? "; its segments are kept and it is written once there is room"
      : full
      ? `; lost after trying for ${Math.round((this.#now - pending.failedAt) / 1000)} s`
      : "";
    return new ClipError(`cannot write clip ${path}: ${reason}${what}`, { cause, retrying });
  }

  /** Deletes segments that neither the open clip, the clips waiting for space, nor the next pre-roll can need. */
  async #prune(): Promise<void> {
    const keepFrom = Math.min(
      this.#open ? this.#open.from : this.#now - this.#prerollMs - 1000,
      ...this.#unwritten.map((p) => p.parts[0].start),
    );
    const [old, keep] = [
      this.#segments.filter((s) => s.end < keepFrom),
      this.#segments.filter((s) => s.end >= keepFrom),
    ];
    this.#segments = keep;
    for (const s of old) await Deno.remove(s.path).catch(() => {});
  }
}

/** ffmpeg could not join the segments; its own words are the message. */
class FfmpegFailure extends Error {}

/** A write failed for want of space (ENOSPC, EDQUOT), in Deno's words or in ffmpeg's. */
function isOutOfSpace(e: unknown): boolean {
  const code = (e as { code?: unknown } | undefined)?.code;
  if (code === "ENOSPC" || code === "EDQUOT") return true;
  return e instanceof Error && /No space left on device|Disk quota exceeded/i.test(e.message);
}

function throwFailures(failures: ClipError[]): void {
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) {
    throw new ClipError(failures.map((f) => f.message).join("; "), {
      cause: failures,
      retrying: failures.some((f) => f.retrying),
    });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
