/**
 * The JSON sidecar capture writes beside each clip (`front/20260223-144657.json` beside
 * `front/20260223-144657.mp4`): its schema, its name, how it is written and read. Written
 * here once, so that the recorder that writes it and the notebooks that read it share one type.
 *
 * @module
 */

import { join } from "node:path";

/** What capture knows about a clip, written beside it as JSON. */
export interface ClipSidecar {
  /** camera name */
  readonly camera: string;
  /** the clip's file name, without folders (`20260223-144657.mp4`) */
  readonly file: string;
  /** clip start (its first keyframe), ISO 8601 in local time with zone */
  readonly start: string;
  /** clip end, ISO 8601 with zone */
  readonly end: string;
  /** length in seconds */
  readonly duration: number;
  /** when the motion started, ISO 8601 with zone */
  readonly motion_start: string;
  /** seconds recorded before the motion started */
  readonly preroll: number;
  /** true when the camera dropped before the planned end (the clip holds what was recorded) */
  readonly truncated: boolean;
  /** motion seen while recording */
  readonly motion: {
    /** highest changed fraction of the frame */
    readonly peak: number;
    /** moving regions at the peak, `[x1, y1, x2, y2]` in frame fractions */
    readonly boxes: readonly (readonly number[])[];
    /** `[seconds into the clip, changed fraction]` for each frame with change */
    readonly timeline: readonly (readonly [number, number])[];
  };
  /** segments the clip was joined from */
  readonly segments: number;
  /** the video's codec (`h264`, `hevc`, …); absent in sidecars from before it was written */
  readonly video?: string;
  /**
   * the sound's codec (`aac`), or null for a clip without sound (a camera without a microphone,
   * or `AUDIO=off`); absent in sidecars from before it was written
   */
  readonly audio?: string | null;
}

/**
 * The sidecar's path for a clip's path (`.mp4` → `.json`); works for absolute paths and for
 * paths relative to the video folder alike.
 *
 * @returns the path with a trailing `.mp4` (any case) replaced by `.json`; a path without it gets `.json`
 *   appended
 *
 * @example
 * ```ts
 * import { sidecarPathOf } from "./clip_sidecar.ts";
 * console.log(sidecarPathOf("front/20260223-144657.mp4")); // "front/20260223-144657.json"
 * ```
 */
export function sidecarPathOf(clipPath: string): string {
  return clipPath.replace(/\.mp4$/i, "") + ".json";
}

/**
 * A sidecar as the text of its file (one-space indented JSON, ending with a newline).
 *
 * @example
 * ```ts
 * import { formatClipSidecar } from "./clip_sidecar.ts";
 * const text = formatClipSidecar({
 *   camera: "front", file: "20260223-144657.mp4",
 *   start: "2026-02-23T14:46:57.000+01:00", end: "2026-02-23T14:47:32.000+01:00", duration: 35,
 *   motion_start: "2026-02-23T14:47:02.000+01:00", preroll: 5, truncated: false,
 *   motion: { peak: 0.12, boxes: [[0.1, 0.2, 0.4, 0.9]], timeline: [[5, 0.03]] }, segments: 18,
 * });
 * console.log(JSON.parse(text).duration); // 35
 * ```
 */
export function formatClipSidecar(sidecar: ClipSidecar): string {
  return JSON.stringify(sidecar, null, 1) + "\n";
}

/**
 * The sidecar capture wrote next to a clip (`path` relative to the video folder), or undefined
 * when there is none or it is not a sidecar (clips copied in by hand have none).
 *
 * @param path the clip's path relative to `videoDir` (`front/20260223-144657.mp4`), as tasks and the log
 *   carry it
 * @returns the parsed sidecar when it holds at least `camera`, `start`, `end` and `motion`; undefined when
 *   the file is missing, unreadable or not such JSON (it never throws)
 *
 * @example
 * ```ts
 * import { readClipSidecar } from "./clip_sidecar.ts";
 * const sidecar = await readClipSidecar("video", "front/20260223-144657.mp4");
 * console.log(sidecar?.motion.peak);
 * ```
 */
export async function readClipSidecar(videoDir: string, path: string): Promise<ClipSidecar | undefined> {
  let value: unknown;
  try {
    value = JSON.parse(await Deno.readTextFile(join(videoDir, sidecarPathOf(path))));
  } catch {
    return undefined;
  }
  const s = value as Partial<ClipSidecar> | null;
  const looksRight = typeof s === "object" && s !== null && typeof s.camera === "string" &&
    typeof s.start === "string" && typeof s.end === "string" && typeof s.motion === "object";
  return looksRight ? value as ClipSidecar : undefined;
}
