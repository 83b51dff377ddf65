/**
 * Every ffmpeg and ffprobe command line the toolkit runs, typed, in one place, and the small
 * helpers that run them. Arguments are passed as a list (never through a shell), so file names
 * need no quoting.
 *
 * @module
 */

import { PROGRESS_SECONDS } from "./ffmpeg_progress.ts";
import { MediaError } from "../errors.ts";
import { assertRegularFile, MEDIA_LIMITS, withinTimeLimit } from "./media_limits.ts";
import type { NumberSetting } from "../number_setting.ts";

/** Leading ffmpeg options for a one-shot job: no banner, no stdin, errors only, overwrite. */
const QUIET_OVERWRITE = ["-hide_banner", "-nostdin", "-loglevel", "error", "-y"];

/** Leading options when frames are read with `showinfo`: its lines are logged at level info. */
const SHOWINFO_LOGGING = ["-hide_banner", "-nostdin", "-nostats", "-loglevel", "info"];

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
 * @param maxFramePixels largest frame ffprobe's decoder accepts (default `MEDIA_LIMITS.maxFramePixels`): a
 *   bigger one makes ffprobe fail, with `Picture size WxH exceeds specified max pixel count` on stderr
 *
 * @example
 * ```ts
 * import { probeArgs } from "./ffmpeg.ts";
 * const out = await new Deno.Command("ffprobe", { args: probeArgs("clip.mp4") }).output();
 * ```
 */
export function probeArgs(path: string, maxFramePixels: number = MEDIA_LIMITS.maxFramePixels): string[] {
  return [
    "-v",
    "error",
    // ffprobe decodes a frame to describe the stream: the decoder refuses a frame over the limit.
    "-max_pixels",
    String(Math.floor(maxFramePixels)),
    "-show_entries",
    "format=format_name,duration:stream=codec_type,codec_name,width,height,avg_frame_rate,nb_frames,duration,has_b_frames",
    "-of",
    "json",
    "--",
    path,
  ];
}

/**
 * An ffmpeg `select` filter keeping `fps` frames per second by their real timestamps: a frame
 * is kept when its time reaches the next slot, and the slot then moves past it (expression
 * variable 0). Unlike the `fps` filter, it never relabels frames with times they do not have.
 *
 * @param fps frames per second to keep; fractions are allowed (0.5 keeps one frame every 2 seconds)
 * @throws {RangeError} when `fps` is not a positive finite number
 *
 * @example
 * ```ts
 * import { sampleFilter } from "./ffmpeg.ts";
 * console.log(sampleFilter(2)); // select=if(gte(t\,ld(0))\,st(0\,(floor(t*2)+1)/2))
 * ```
 */
export function sampleFilter(fps: number): string {
  if (!(fps > 0 && Number.isFinite(fps))) {
    throw new RangeError(`sampleFps must be a positive number or "all", got ${fps}`);
  }
  return `select=if(gte(t\\,ld(0))\\,st(0\\,(floor(t*${fps})+1)/${fps}))`;
}

/** Options of {@linkcode decodeFramesArgs}. */
export interface DecodeFramesOptions {
  /**
   * Frames per second to keep, chosen by each frame's real timestamp (the first frame at or
   * after every 1/fps seconds); `"all"` keeps every frame.
   * @default "all"
   */
  sampleFps?: number | "all";
  /**
   * Largest frame the decoder accepts, in pixels (`-max_pixels`): a bigger frame stops decoding
   * with an error instead of allocating it.
   * @default 40000000 (`MEDIA_LIMITS.maxFramePixels`)
   */
  maxFramePixels?: number;
  /**
   * Seconds of the input decoded at most (`-t` before `-i`, so the whole run stops there).
   * @default 3600 (`MEDIA_LIMITS.maxDurationSeconds`)
   */
  maxDurationSeconds?: number;
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
 * @throws {RangeError} when `sampleFps` is neither `"all"` nor a positive finite number
 *
 * @example
 * ```ts
 * import { decodeFramesArgs } from "./ffmpeg.ts";
 * console.log(decodeFramesArgs("clip.mp4", { sampleFps: 2 }).join(" "));
 * ```
 */
export function decodeFramesArgs(path: string, options: DecodeFramesOptions = {}): string[] {
  const {
    sampleFps = "all",
    maxFramePixels = MEDIA_LIMITS.maxFramePixels,
    maxDurationSeconds = MEDIA_LIMITS.maxDurationSeconds,
  } = options;
  const filters = sampleFps === "all" ? [] : [sampleFilter(sampleFps)];
  filters.push("showinfo=checksum=0");
  return [
    ...SHOWINFO_LOGGING,
    "-max_pixels",
    String(Math.floor(maxFramePixels)),
    "-t",
    String(maxDurationSeconds),
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
 * @param tool the program's name, as shown in the message
 * @param error what `Deno.Command` threw; `Deno.errors.NotFound` means the program is not installed
 * @returns the error to throw (it is not thrown here), with `error` as its cause
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

/**
 * Starts ffmpeg with piped stdout and stderr; a missing ffmpeg becomes a {@linkcode MediaError}
 * that says how to install it.
 *
 * @param stdin text written to ffmpeg's stdin, which is then closed (an input list read from `pipe:0`, see
 *   {@linkcode captureInputList}); without it stdin is null
 * @returns the running process; reading its stdout and stderr is the caller's job (ffmpeg blocks when a pipe
 *   fills up)
 * @throws {MediaError} when ffmpeg is not installed or cannot be started (no `--allow-run` for it, say)
 *
 * @example
 * ```ts
 * import { decodeFramesArgs, spawnFfmpeg } from "./ffmpeg.ts";
 * const child = spawnFfmpeg(decodeFramesArgs("video/samples/vtest.mp4"));
 * ```
 */
export function spawnFfmpeg(args: string[], stdin?: string): Deno.ChildProcess {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("ffmpeg", {
      args,
      stdin: stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    throw spawnError("ffmpeg", e);
  }
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    // An ffmpeg that exits before reading (bad arguments) closes the pipe: its stderr says why.
    writer.write(new TextEncoder().encode(stdin)).then(() => writer.close()).catch(() => {});
  }
  return child;
}

/** Options of {@linkcode runFfmpeg}. */
export interface RunFfmpegOptions {
  /**
   * Longest run in ms: ffmpeg is then killed and the call throws a {@linkcode MediaError}.
   * @default 600000 (`MEDIA_LIMITS.runTimeoutMs`)
   */
  readonly timeoutMs?: number;
}

/**
 * Runs ffmpeg to the end and returns its output; a missing ffmpeg becomes a
 * {@linkcode MediaError}, and so does a run longer than `timeoutMs` (ffmpeg is killed).
 *
 * @returns the output whatever ffmpeg's exit status: check `success` (and `stderr` for the reason)
 * @throws {MediaError} when ffmpeg is not installed or cannot be started, or runs longer than `timeoutMs`
 *
 * @example
 * ```ts
 * import { concatArgs, runFfmpeg } from "./ffmpeg.ts";
 * const out = await runFfmpeg(concatArgs("list.ffconcat", "clip.mp4"));
 * if (!out.success) console.error(new TextDecoder().decode(out.stderr));
 * ```
 */
export function runFfmpeg(args: string[], options: RunFfmpegOptions = {}): Promise<Deno.CommandOutput> {
  const { timeoutMs = MEDIA_LIMITS.runTimeoutMs } = options;
  return outputWithin("ffmpeg", args, timeoutMs, "an ffmpeg run", "runTimeoutMs");
}

/** Runs a program to the end, killing it (SIGKILL) after `timeoutMs`. */
async function outputWithin(
  tool: string,
  args: string[],
  timeoutMs: number,
  what: string,
  limit: string,
): Promise<Deno.CommandOutput> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(tool, { args, stdin: "null", stdout: "piped", stderr: "piped" }).spawn();
  } catch (e) {
    throw spawnError(tool, e);
  }
  return await withinTimeLimit(child, child.output(), timeoutMs, what, limit);
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

/** Options of {@linkcode probeMedia}. */
export interface ProbeMediaOptions {
  /**
   * Longest ffprobe run in ms: it is then killed and the call throws a {@linkcode MediaError}.
   * @default 30000 (`MEDIA_LIMITS.probeTimeoutMs`)
   */
  readonly timeoutMs?: number;
  /**
   * Largest frame, in pixels: a file with bigger frames is refused (ffprobe's decoder is not let
   * allocate them).
   * @default 40000000 (`MEDIA_LIMITS.maxFramePixels`)
   */
  readonly maxFramePixels?: number;
}

/**
 * Describes a media file with ffprobe. Throws {@linkcode MediaError} for a missing file or one
 * ffprobe cannot read, quoting ffprobe's reason. Only regular files are probed: a FIFO, a
 * folder or a device is refused before ffprobe opens it, and ffprobe is killed after
 * `timeoutMs`.
 *
 * @returns `video` undefined when the file has no video stream; `duration` in seconds from the container, or
 *   from the video stream when the container has none
 * @throws {MediaError} when ffprobe is not installed or cannot be started, when the file is missing, not a
 *   regular file or not media ffprobe can read, when its frames are over `maxFramePixels`, or when ffprobe
 *   runs longer than `timeoutMs`
 *
 * @example
 * ```ts
 * import { probeMedia } from "./ffmpeg.ts";
 * const info = await probeMedia("video/samples/vtest.mp4");
 * console.log(info.video?.width, info.video?.height, info.duration); // 768 576 79.5
 * ```
 */
export async function probeMedia(path: string, options: ProbeMediaOptions = {}): Promise<MediaInfo> {
  const { timeoutMs = MEDIA_LIMITS.probeTimeoutMs, maxFramePixels = MEDIA_LIMITS.maxFramePixels } = options;
  await assertRegularFile(path);
  const args = probeArgs(path, maxFramePixels);
  const out = await outputWithin("ffprobe", args, timeoutMs, `ffprobe of ${path}`, "probeTimeoutMs");
  if (!out.success) {
    const stderr = new TextDecoder().decode(out.stderr);
    const size = stderr.match(/Picture size (\d+x\d+) exceeds specified max pixel count/)?.[1];
    if (size) {
      throw new MediaError(
        `${path}: frames of ${size} are over the limit of ${maxFramePixels} pixels (maxFramePixels)`,
      );
    }
    const reason = stderr.trim().split("\n").at(-1) ?? "";
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

/** Whether an input is a network stream (RTSP or HTTP) rather than a file. */
function isLiveInput(input: string): boolean {
  return /^(rtsps?|https?):\/\//i.test(input);
}

/**
 * Input options for a camera: transport and a read timeout. RTSP keeps the camera's own
 * timestamps (RTP time): stamping packets with their arrival time instead would put B-frames out
 * of display order (pts = dts) and make frame gaps swing with the network. An MJPEG stream over
 * HTTP carries no time, so arrival time is all there is.
 */
function liveInputArgs(input: string, transport: "tcp" | "udp", timeoutSeconds: number): string[] {
  const micro = String(Math.round(timeoutSeconds * 1_000_000));
  if (/^rtsps?:\/\//i.test(input)) return ["-rtsp_transport", transport, "-timeout", micro];
  return ["-rw_timeout", micro, "-use_wallclock_as_timestamps", "1"];
}

/**
 * ffmpeg arguments that read one frame from a camera URL (or a file's first frame) and write
 * it as PNG on stdout.
 *
 * @param options `transport` applies to RTSP only (default `"tcp"`); `timeoutSeconds` (default 10) to network
 *   inputs only
 *
 * @example
 * ```ts
 * import { grabFrameArgs } from "./ffmpeg.ts";
 * const args = grabFrameArgs("rtsp://127.0.0.1:8554/stream", { transport: "tcp" });
 * ```
 */
export function grabFrameArgs(
  input: string,
  options: { readonly transport?: "tcp" | "udp"; readonly timeoutSeconds?: number } = {},
): string[] {
  const live = isLiveInput(input)
    ? liveInputArgs(input, options.transport ?? "tcp", options.timeoutSeconds ?? 10)
    : [];
  return [
    "-hide_banner",
    "-loglevel",
    "error",
    ...live,
    "-i",
    input,
    "-map",
    "0:v:0",
    "-frames:v",
    "1",
    "-f",
    "image2pipe",
    "-c:v",
    "png",
    "pipe:1",
  ];
}

/**
 * Defaults and bounds of the capture stream's numbers ({@linkcode CaptureArgsOptions}), the one
 * place they are written (the capture's settings read them too).
 *
 * @example
 * ```ts
 * import { CAPTURE_STREAM_SETTINGS } from "./ffmpeg.ts";
 * console.log(CAPTURE_STREAM_SETTINGS.motionFps.default); // 5
 * ```
 */
export const CAPTURE_STREAM_SETTINGS = {
  segmentSeconds: { default: 2, min: 0.5, max: 60 },
  motionFps: { default: 5, min: 0.5, max: 30 },
  motionWidth: { default: 320, min: 16, max: 3840, integer: true },
  timeoutSeconds: { default: 10, min: 1, max: 600 },
} as const satisfies Record<string, NumberSetting>;

/** Options of {@linkcode captureArgs}. */
export interface CaptureArgsOptions {
  /** folder for the stream-copied segments and their list (`segments.csv`) */
  readonly segmentDir: string;
  /**
   * RTSP transport.
   * @default "tcp"
   */
  readonly transport?: "tcp" | "udp";
  /**
   * Target length of a segment in seconds (cut at the next keyframe).
   * @default 2
   */
  readonly segmentSeconds?: number;
  /**
   * Grey frames per second for motion detection.
   * @default 5
   */
  readonly motionFps?: number;
  /**
   * Width of the grey frames (height keeps the aspect ratio, rounded to even).
   * @default 320
   */
  readonly motionWidth?: number;
  /**
   * Seconds without data before the camera connection counts as lost.
   * @default 10
   */
  readonly timeoutSeconds?: number;
  /**
   * Read a camera URL from an ffconcat list on stdin ({@linkcode captureInputList}, written with
   * `spawnFfmpeg(args, list)`) instead of the command line, where any local user can read it
   * (`ps`, /proc/PID/cmdline) with the password it holds. For `rtsp(s)://` and `http(s)://`
   * inputs; a file is always named on the command line.
   * @default false
   */
  readonly inputOnStdin?: boolean;
  /**
   * The camera's sound in the segments: `"copy"` as it comes (AAC and MP3 fit in MP4), `"aac"`
   * transcoded (G.711 A-law or µ-law, which MP4 cannot hold), `"off"` left out. A camera
   * without sound gives video-only segments in every mode.
   * @default "copy"
   */
  readonly audio?: AudioMode;
  /**
   * ffmpeg's `-hwaccel` for the decoded stream (`vaapi`, `qsv`, `cuda`, `videotoolbox`, `auto`…):
   * the motion frames are decoded by the GPU and copied back; the recording is never decoded.
   * @default none: decoded on the CPU
   */
  readonly hwaccel?: string;
}

/**
 * The hardware decoders ffmpeg's `-hwaccel` names (`ffmpeg -hwaccels`), and `auto` (the first
 * that works). Which ones a machine has depends on its GPU, drivers and ffmpeg build.
 *
 * @example
 * ```ts
 * import { HWACCELS } from "./ffmpeg.ts";
 * console.log(HWACCELS.includes("vaapi")); // true
 * ```
 */
export const HWACCELS: readonly string[] = [
  "auto",
  "vaapi",
  "qsv",
  "cuda",
  "vdpau",
  "drm",
  "opencl",
  "vulkan",
  "videotoolbox",
  "d3d11va",
  "dxva2",
];

/** What capture does with a camera's sound ({@linkcode CaptureArgsOptions.audio}). */
export type AudioMode = "copy" | "aac" | "off";

/**
 * Audio codecs an MP4 file holds as they are; a camera sending any other (G.711 A-law or µ-law,
 * as Tapo and many others do) is recorded with its sound transcoded to AAC.
 *
 * @example
 * ```ts
 * import { MP4_AUDIO_CODECS } from "./ffmpeg.ts";
 * console.log(MP4_AUDIO_CODECS.has("pcm_alaw")); // false
 * ```
 */
export const MP4_AUDIO_CODECS: ReadonlySet<string> = new Set(["aac", "mp3"]);

/**
 * What a camera input read from stdin may open: the list itself (pipe), RTSP with RTP over UDP
 * or TCP, TLS, and HTTP. ffmpeg's default for an input read from a pipe allows none of them.
 */
const LIVE_PROTOCOLS = "pipe,rtsp,rtsps,rtp,srtp,udp,tcp,tls,http,https,httpproxy,crypto,data";

/**
 * The ffconcat list that hands a camera URL to the ffmpeg of {@linkcode captureArgs} with
 * `inputOnStdin`: ffmpeg 5.1 has no way to read an option's value from a file (`-/option` came
 * in 7.0), but its concat demuxer reads a list from `pipe:0` whose one entry is the URL, with
 * the input options (transport, read timeout) as `option` lines. The URL
 * then never appears in ffmpeg's command line. Never write it to a file: it holds the password.
 *
 * @param options the options given to {@linkcode captureArgs}; `transport` and `timeoutSeconds` are used
 * @throws {RangeError} when `input` is not an `rtsp(s)://` or `http(s)://` URL, or holds a control character
 *   (a line break would end the list's line)
 *
 * @example
 * ```ts
 * import { captureArgs, captureInputList, spawnFfmpeg } from "./ffmpeg.ts";
 * const url = "rtsp://admin:secret@192.168.1.20/stream1";
 * const options = { segmentDir: "/tmp/cache/front", inputOnStdin: true };
 * const child = spawnFfmpeg(captureArgs(url, options), captureInputList(url, options));
 * ```
 */
export function captureInputList(
  input: string,
  options: Partial<CaptureArgsOptions> = {},
): string {
  if (!isLiveInput(input)) throw new RangeError("only an rtsp(s):// or http(s):// URL is read from a list");
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x1f\x7f]/.test(input)) throw new RangeError("a camera URL cannot hold a control character");
  const args = liveInputArgs(
    input,
    options.transport ?? "tcp",
    options.timeoutSeconds ?? CAPTURE_STREAM_SETTINGS.timeoutSeconds.default,
  );
  const lines = ["ffconcat version 1.0", `file '${input.replaceAll("'", "'\\''")}'`];
  for (let i = 0; i < args.length; i += 2) lines.push(`option ${args[i].slice(1)} ${args[i + 1]}`);
  return lines.join("\n") + "\n";
}

/** The camera input: its options, then the URL (or the list on stdin), or a file read at its own pace. */
function cameraInput(input: string, options: CaptureArgsOptions, decoded: boolean): string[] {
  const { transport = "tcp", timeoutSeconds = CAPTURE_STREAM_SETTINGS.timeoutSeconds.default } = options;
  const live = isLiveInput(input);
  // The URL and its options are in the list on stdin (captureInputList).
  const fromList = live && options.inputOnStdin === true;
  return [
    ...(fromList ? [] : live ? liveInputArgs(input, transport, timeoutSeconds) : ["-re"]),
    "-fflags",
    "+genpts+discardcorrupt",
    ...(decoded && options.hwaccel ? ["-hwaccel", options.hwaccel] : []),
    ...(fromList
      ? ["-protocol_whitelist", LIVE_PROTOCOLS, "-f", "concat", "-safe", "0", "-i", "pipe:0"]
      : ["-i", input]),
  ];
}

/**
 * How the recorded segments are written: fragmented MP4, so that a clip is joined from them
 * without ffmpeg (`joinFragmentedMp4`), with the `moov` written once the first fragment is cut,
 * so that its edit lists say where each track starts (the sound's place against the video).
 *
 * @example
 * ```ts
 * import { SEGMENT_MOVFLAGS } from "./ffmpeg.ts";
 * const args = ["-f", "mp4", "-movflags", SEGMENT_MOVFLAGS, "segment.mp4"];
 * ```
 */
export const SEGMENT_MOVFLAGS = "+frag_keyframe+delay_moov+default_base_moof";

/** The recording output: video (and sound) copied into short MP4 segments listed in `segments.csv`. */
function segmentOutput(options: CaptureArgsOptions): string[] {
  const { segmentDir, segmentSeconds = CAPTURE_STREAM_SETTINGS.segmentSeconds.default, audio = "copy" } =
    options;
  const sound = audio === "off" ? [] : ["-map", "0:a:0?", "-c:a", ...(audio === "aac" ? ["aac"] : ["copy"])];
  return [
    "-map",
    "0:v:0",
    "-c:v",
    "copy",
    ...sound,
    "-f",
    "segment",
    "-segment_time",
    String(segmentSeconds),
    // Without the delta the first segment is twice as long (the first packet has no time).
    "-segment_time_delta",
    "0.2",
    "-reset_timestamps",
    "1",
    "-segment_format_options",
    `movflags=${SEGMENT_MOVFLAGS}`,
    "-segment_list",
    `${segmentDir}/segments.csv`,
    "-segment_list_type",
    "csv",
    `${segmentDir}/%06d.mp4`,
  ];
}

/** The motion output: small grey frames on stdout, each announced by a `showinfo` line on stderr. */
function framesOutput(options: CaptureArgsOptions): string[] {
  const {
    motionFps = CAPTURE_STREAM_SETTINGS.motionFps.default,
    motionWidth = CAPTURE_STREAM_SETTINGS.motionWidth.default,
  } = options;
  return [
    "-map",
    "0:v:0",
    "-vf",
    `${sampleFilter(motionFps)},scale=${motionWidth}:-2,format=gray,showinfo=checksum=0`,
    "-fps_mode",
    "passthrough",
    "-f",
    "rawvideo",
    "pipe:1",
  ];
}

/**
 * Arguments for the one ffmpeg a camera needs, with two outputs: the video (and its sound, see
 * `audio`) stream-copied (no re-encode) into short MP4 segments listed in `segments.csv` as they
 * complete, and small grey frames for motion on stdout, each announced by a `showinfo` line on
 * stderr. `input` is an `rtsp://` or `rtsps://` URL, an `http(s)://` MJPEG stream, or a file (read
 * at its own pace). With `inputOnStdin`, a URL is read from {@linkcode captureInputList}'s list on
 * stdin instead of being named here. For a camera whose motion is watched on a second, smaller
 * stream, see {@linkcode recordArgs} and {@linkcode detectArgs}.
 *
 * @param options numbers are not range-checked here: {@linkcode CAPTURE_STREAM_SETTINGS} holds the bounds the
 *   configuration checks
 * @throws {RangeError} when `motionFps` is not a positive finite number
 *
 * @example
 * ```ts
 * import { captureArgs } from "./ffmpeg.ts";
 * const args = captureArgs("rtsp://127.0.0.1:8554/stream", { segmentDir: "/tmp/cache/front" });
 * ```
 */
export function captureArgs(input: string, options: CaptureArgsOptions): string[] {
  return [
    ...SHOWINFO_LOGGING,
    ...cameraInput(input, options, true),
    ...segmentOutput(options),
    ...framesOutput(options),
  ];
}

/**
 * Arguments for the recording half of a camera watched on two streams: the main stream copied
 * into segments as {@linkcode captureArgs} does, never decoded, and on stdout a progress report
 * every {@linkcode PROGRESS_SECONDS} (read with `FfmpegProgress`) so that the recording's
 * timeline can be placed on the wall clock without decoding it.
 *
 * @example
 * ```ts
 * import { recordArgs } from "./ffmpeg.ts";
 * const args = recordArgs("rtsp://127.0.0.1:8554/main", { segmentDir: "/tmp/cache/front" });
 * ```
 */
export function recordArgs(input: string, options: CaptureArgsOptions): string[] {
  return [
    ...SHOWINFO_LOGGING,
    "-progress",
    "pipe:1",
    "-stats_period",
    String(PROGRESS_SECONDS),
    ...cameraInput(input, options, false),
    ...segmentOutput(options),
  ];
}

/**
 * Arguments for the motion half of a camera watched on two streams: the detect stream (a
 * camera's small sub-stream) decoded into grey frames as {@linkcode captureArgs} does, nothing
 * recorded.
 *
 * @throws {RangeError} when `motionFps` is not a positive finite number
 *
 * @example
 * ```ts
 * import { detectArgs } from "./ffmpeg.ts";
 * const args = detectArgs("rtsp://127.0.0.1:8554/sub", { segmentDir: "/unused", hwaccel: "vaapi" });
 * ```
 */
export function detectArgs(input: string, options: CaptureArgsOptions): string[] {
  return [...SHOWINFO_LOGGING, ...cameraInput(input, options, true), ...framesOutput(options)];
}

/**
 * Arguments for ffmpeg to join recorded segments into one clip by stream copy, from a concat
 * list (see {@linkcode concatList}), with the index first so the clip plays while it downloads.
 * The sound is kept when the segments have it.
 *
 * @param options `hvc1` (default false): tag H.265 video `hvc1`, the sample entry Apple's players want
 *   (cameras and ffmpeg give `hev1`)
 *
 * @example
 * ```ts
 * import { concatArgs } from "./ffmpeg.ts";
 * const args = concatArgs("/tmp/list.ffconcat", "/video/front/.20260223-144657.mp4.part", { hvc1: true });
 * ```
 */
export function concatArgs(
  listPath: string,
  output: string,
  options: { readonly hvc1?: boolean } = {},
): string[] {
  return [
    ...QUIET_OVERWRITE,
    "-f",
    "concat",
    "-safe",
    "0",
    "-i",
    listPath,
    "-map",
    "0:v",
    "-map",
    "0:a?",
    "-c",
    "copy",
    ...(options.hvc1 ? ["-tag:v", "hvc1"] : []),
    "-movflags",
    "+faststart",
    "-f",
    "mp4",
    output,
  ];
}

/**
 * An ffconcat list of files, each with its length when known, the last one cut at `outpoint`
 * seconds when given. The lengths matter for segments with sound: a segment's sound runs a few
 * ms past its video (whole audio frames), and without `duration` the next segment's video would
 * start after the sound, leaving a gap in the video at every join.
 *
 * @param files absolute paths (ffmpeg resolves relative ones against the list's folder), each with its
 *   video's length in seconds when known
 * @param outpoint seconds into the last file where the clip ends
 *
 * @example
 * ```ts
 * import { concatList } from "./ffmpeg.ts";
 * console.log(concatList([{ path: "/c/000001.mp4", duration: 2 }, { path: "/c/000002.mp4" }], 1.4));
 * ```
 */
export function concatList(
  files: readonly { readonly path: string; readonly duration?: number }[],
  outpoint?: number,
): string {
  const quote = (path: string) => `'${path.replaceAll("'", "'\\''")}'`;
  const lines = ["ffconcat version 1.0"];
  files.forEach((file, i) => {
    lines.push(`file ${quote(file.path)}`);
    if (file.duration !== undefined) lines.push(`duration ${file.duration.toFixed(6)}`);
    if (i === files.length - 1 && outpoint !== undefined) lines.push(`outpoint ${outpoint.toFixed(3)}`);
  });
  return lines.join("\n") + "\n";
}
