/**
 * Every ffmpeg and ffprobe command line the toolkit runs, typed, in one place, and the small
 * helpers that run them. Arguments are passed as a list (never through a shell), so file names
 * need no quoting.
 *
 * @module
 */

import { MediaError } from "./errors.ts";

/** What ffprobe says about a media file. */
export interface MediaInfo {
  /** container format names, as ffprobe reports them (`mov,mp4,m4a,3gp,3g2,mj2`, …) */
  readonly format: string;
  /** duration in seconds, when known */
  readonly duration: number | undefined;
  /** the first video stream, if any */
  readonly video: VideoStreamInfo | undefined;
}

/** The first video stream of a file. */
export interface VideoStreamInfo {
  /** codec name, as ffprobe reports it (`h264`, `hevc`, …) */
  readonly codec: string;
  /** frame width in pixels */
  readonly width: number;
  /** frame height in pixels */
  readonly height: number;
  /** average frame rate, when known */
  readonly fps: number | undefined;
  /** number of frames, when the container says */
  readonly frames: number | undefined;
  /** frames the decoder must hold back for reordering (0: no B-frames), when known */
  readonly reorderDelay: number | undefined;
}

/**
 * Arguments for ffprobe to describe a file (container, duration, streams) as JSON.
 *
 * @example
 * ```ts
 * import { probeArgs } from "./ffmpeg.ts";
 * const out = await new Deno.Command("ffprobe", { args: probeArgs("clip.mp4") }).output();
 * ```
 */
export function probeArgs(path: string): string[] {
  return [
    "-v",
    "error",
    "-show_entries",
    "format=format_name,duration:stream=codec_type,codec_name,width,height,avg_frame_rate,nb_frames,duration,has_b_frames",
    "-of",
    "json",
    "--",
    path,
  ];
}

/** Options of {@linkcode decodeFramesArgs}. */
export interface DecodeFramesOptions {
  /**
   * Frames per second to keep, chosen by each frame's real timestamp (the first frame at or
   * after every 1/fps seconds); `"all"` keeps every frame.
   * @default "all"
   */
  sampleFps?: number | "all";
}

/**
 * Arguments for ffmpeg to decode the first video stream of `path` into packed RGB frames on
 * stdout, with a `showinfo` line per kept frame on stderr that carries its real timestamp and
 * size.
 *
 * Frames are picked with `select` on their own timestamps rather than with the `fps` filter,
 * which hands out frames at times other than the ones it labels them with. The RGB conversion
 * uses bicubic scaling flags, as OpenCV's `VideoCapture` does.
 *
 * @example
 * ```ts
 * import { decodeFramesArgs } from "./ffmpeg.ts";
 * console.log(decodeFramesArgs("clip.mp4", { sampleFps: 2 }).join(" "));
 * ```
 */
export function decodeFramesArgs(path: string, options: DecodeFramesOptions = {}): string[] {
  const { sampleFps = "all" } = options;
  const filters: string[] = [];
  if (sampleFps !== "all") {
    if (!(sampleFps > 0 && Number.isFinite(sampleFps))) {
      throw new RangeError(`sampleFps must be a positive number or "all", got ${sampleFps}`);
    }
    // Keep a frame when its time reaches the next slot, then move the slot past it (var 0).
    const f = String(sampleFps);
    filters.push(`select=if(gte(t\\,ld(0))\\,st(0\\,(floor(t*${f})+1)/${f}))`);
  }
  filters.push("showinfo=checksum=0");
  return [
    "-hide_banner",
    "-nostdin",
    "-nostats",
    "-loglevel",
    "info",
    "-i",
    path,
    "-map",
    "0:v:0",
    "-an",
    "-sn",
    "-dn",
    "-vf",
    filters.join(","),
    "-fps_mode",
    "passthrough",
    "-sws_flags",
    "bicubic",
    "-pix_fmt",
    "rgb24",
    "-f",
    "rawvideo",
    "pipe:1",
  ];
}

/**
 * Explains a failed spawn of ffmpeg/ffprobe, with the fix when the tool is missing.
 *
 * @example
 * ```ts
 * import { spawnError } from "./ffmpeg.ts";
 * try {
 *   new Deno.Command("ffmpeg", { args: ["-version"] }).spawn();
 * } catch (e) {
 *   throw spawnError("ffmpeg", e); // "ffmpeg is not installed (apt-get install ffmpeg, …)"
 * }
 * ```
 */
export function spawnError(tool: string, error: unknown): MediaError {
  if (error instanceof Deno.errors.NotFound) {
    return new MediaError(`${tool} is not installed (apt-get install ffmpeg, or brew install ffmpeg)`, {
      cause: error,
    });
  }
  return new MediaError(`cannot run ${tool}: ${error instanceof Error ? error.message : error}`, {
    cause: error,
  });
}

function rate(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const [n, d] = text.split("/").map(Number);
  const v = d ? n / d : n;
  return Number.isFinite(v) && v > 0 ? v : undefined;
}

function num(text: string | undefined): number | undefined {
  const v = Number(text);
  return text !== undefined && Number.isFinite(v) ? v : undefined;
}

/**
 * Describes a media file with ffprobe. Throws {@linkcode MediaError} for a missing file or one
 * ffprobe cannot read, quoting ffprobe's reason.
 *
 * @example
 * ```ts
 * import { probeMedia } from "./ffmpeg.ts";
 * const info = await probeMedia("video/samples/vtest.mp4");
 * console.log(info.video?.width, info.video?.height, info.duration); // 768 576 79.5
 * ```
 */
export async function probeMedia(path: string): Promise<MediaInfo> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("ffprobe", { args: probeArgs(path), stdin: "null" }).output();
  } catch (e) {
    throw spawnError("ffprobe", e);
  }
  if (!out.success) {
    const reason = new TextDecoder().decode(out.stderr).trim().split("\n").at(-1) ?? "";
    throw new MediaError(`${path}: not a readable video (${reason.replace(`${path}: `, "")})`);
  }
  // deno-lint-ignore no-explicit-any
  const json: any = JSON.parse(new TextDecoder().decode(out.stdout));
  // deno-lint-ignore no-explicit-any
  const v = (json.streams ?? []).find((s: any) => s.codec_type === "video");
  return {
    format: json.format?.format_name ?? "",
    duration: num(json.format?.duration) ?? num(v?.duration),
    video: v
      ? {
        codec: v.codec_name,
        width: v.width,
        height: v.height,
        fps: rate(v.avg_frame_rate),
        frames: num(v.nb_frames),
        reorderDelay: num(v.has_b_frames === undefined ? undefined : String(v.has_b_frames)),
      }
      : undefined,
  };
}

/** Options of {@linkcode emulatorStreamArgs}. */
export interface EmulatorStreamOptions {
  /**
   * Re-encode (needed unless the input is already H.264 without B-frames).
   * @default false
   */
  reencode?: boolean;
  /**
   * Frame rate of a re-encoded stream; keyframes every 2 seconds.
   * @default 10
   */
  fps?: number;
}

/**
 * Arguments for ffmpeg to turn a video into the raw H.264 stream the camera emulator loops:
 * Annex-B, an access unit delimiter before every frame (so that frames can be cut apart without
 * parsing slices), SPS/PPS before every keyframe, and no B-frames (frames in display order).
 *
 * @example
 * ```ts
 * import { emulatorStreamArgs } from "./ffmpeg.ts";
 * const args = emulatorStreamArgs("video/samples/vtest.mp4", "/tmp/cam.h264");
 * await new Deno.Command("ffmpeg", { args }).output();
 * ```
 */
export function emulatorStreamArgs(
  input: string,
  output: string,
  options: EmulatorStreamOptions = {},
): string[] {
  const { reencode = false, fps = 10 } = options;
  const codec = reencode
    ? [
      "-c:v",
      "libx264",
      "-preset",
      "veryfast",
      "-bf",
      "0",
      "-g",
      String(Math.round(2 * fps)),
      "-r",
      String(fps),
      "-pix_fmt",
      "yuv420p",
    ]
    : ["-c:v", "copy"];
  return [
    "-hide_banner",
    "-nostdin",
    "-loglevel",
    "error",
    "-y",
    ...(input.startsWith("lavfi:") ? ["-f", "lavfi", "-i", input.slice(6)] : ["-i", input]),
    "-map",
    "0:v:0",
    ...codec,
    "-bsf:v",
    "h264_mp4toannexb,h264_metadata=aud=insert",
    "-f",
    "h264",
    output,
  ];
}
