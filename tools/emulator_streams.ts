/**
 * The streams the camera emulator loops, prepared with one ffmpeg run: the main video (H.264 or
 * H.265 Annex-B, an access unit delimiter before every frame), optionally a smaller sub-stream of
 * the same scene, the display order of their frames when they have B-frames, and an audio track
 * (AAC in ADTS, or raw G.711) that lasts exactly one video loop. tools/camera_emulator.py serves
 * them.
 *
 * @module
 */

import { CamwatchError } from "../lib/errors.ts";
import { probeMedia, runFfmpeg } from "../lib/media/ffmpeg.ts";

/** Video codecs the emulator serves. */
export type EmulatorVideoCodec = "h264" | "h265";

/** Audio codecs the emulator serves: AAC, or G.711 A-law / µ-law (Tapo, many NVRs). */
export type EmulatorAudioCodec = "aac" | "pcm_alaw" | "pcm_mulaw";

/** A frame size in pixels (both even: the streams are 4:2:0). */
export interface FrameSize {
  /** width in pixels */
  readonly width: number;
  /** height in pixels */
  readonly height: number;
}

/**
 * Sample rate and samples per packet of each audio codec, as cameras send them: AAC at 16 kHz
 * mono (1024 samples a frame), G.711 at 8 kHz mono (any number of samples a packet).
 *
 * @example
 * ```ts
 * import { EMULATOR_AUDIO } from "./emulator_streams.ts";
 * console.log(EMULATOR_AUDIO.aac.rate, EMULATOR_AUDIO.pcm_alaw.rate); // 16000 8000
 * ```
 */
export const EMULATOR_AUDIO: Readonly<
  Record<EmulatorAudioCodec, { readonly rate: number; readonly packetSamples: number }>
> = {
  aac: { rate: 16_000, packetSamples: 1024 },
  pcm_alaw: { rate: 8000, packetSamples: 1 },
  pcm_mulaw: { rate: 8000, packetSamples: 1 },
};

/** What {@linkcode emulatorEncodeArgs} makes: every choice already taken. */
export interface EmulatorEncodePlan {
  /** a video file, or `lavfi:<filter graph>` for a generated test pattern */
  readonly input: string;
  /** folder the streams are written to */
  readonly dir: string;
  /** frame rate of the streams */
  readonly fps: number;
  /**
   * Frames of one loop (ffmpeg's `-frames:v`).
   * @default as many as the input has
   */
  readonly frames?: number;
  /**
   * Seconds of the input read (ffmpeg's input `-t`).
   * @default the whole input
   */
  readonly inputSeconds?: number;
  /** codec of the streams */
  readonly codec: EmulatorVideoCodec;
  /** copy the input's video as it is (it already is `codec` without B-frames) instead of encoding it */
  readonly copy: boolean;
  /** B-frames between reference frames (0: none) */
  readonly bFrames: number;
  /**
   * Size of the main stream.
   * @default the input's
   */
  readonly size?: FrameSize;
  /**
   * Size of a sub-stream of the same scene.
   * @default no sub-stream
   */
  readonly sub?: FrameSize;
  /**
   * An audio track: the input's first audio stream, or a 1 kHz tone.
   * @default no audio
   */
  readonly audio?: { readonly codec: EmulatorAudioCodec; readonly source: "file" | "tone" };
}

/**
 * The files {@linkcode emulatorEncodeArgs} writes, in the plan's folder: the Annex-B streams,
 * the `framecrc` listings of streams with B-frames, and the audio (ADTS or raw G.711).
 *
 * @example
 * ```ts
 * import { EMULATOR_FILES } from "./emulator_streams.ts";
 * console.log(EMULATOR_FILES.main); // main.es
 * ```
 */
export const EMULATOR_FILES = {
  main: "main.es",
  mainFrames: "main.framecrc",
  sub: "sub.es",
  subFrames: "sub.framecrc",
  audio: "audio.raw",
} as const;

/** Seconds of audio written past the video loop: AAC's encoder delay and rounding fit in it. */
const AUDIO_MARGIN_SECONDS = 0.25;

/** Keyframes every 2 seconds, as cameras are usually set. */
const KEYFRAME_SECONDS = 2;

/**
 * Arguments for one ffmpeg run that writes the emulator's streams ({@linkcode EMULATOR_FILES}):
 * the main video, the sub-stream, and the audio. A stream with B-frames goes through the tee
 * muxer to a `framecrc` listing too, whose timestamps give each frame's display order.
 *
 * @example
 * ```ts
 * import { emulatorEncodeArgs } from "./emulator_streams.ts";
 * const args = emulatorEncodeArgs({
 *   input: "video/samples/vtest.mp4",
 *   dir: "/tmp/camera",
 *   fps: 15,
 *   frames: 30,
 *   inputSeconds: 2.1,
 *   codec: "h265",
 *   copy: false,
 *   bFrames: 2,
 *   size: { width: 1920, height: 1080 },
 *   sub: { width: 640, height: 360 },
 *   audio: { codec: "pcm_alaw", source: "tone" },
 * });
 * console.log(args.includes("libx265")); // true
 * ```
 */
export function emulatorEncodeArgs(plan: EmulatorEncodePlan): string[] {
  const { fps, codec, copy, bFrames, size, sub, audio, frames } = plan;
  const args = ["-hide_banner", "-nostdin", "-loglevel", "error", "-y"];
  const limit = plan.inputSeconds === undefined ? [] : ["-t", String(plan.inputSeconds)];
  if (plan.input.startsWith("lavfi:")) args.push(...limit, "-f", "lavfi", "-i", plan.input.slice(6));
  else args.push(...limit, "-i", plan.input);
  const audioSeconds = frames === undefined ? undefined : frames / fps + AUDIO_MARGIN_SECONDS;
  if (audio?.source === "tone") {
    const { rate } = EMULATOR_AUDIO[audio.codec];
    const duration = audioSeconds === undefined ? "" : `:duration=${audioSeconds}`;
    args.push("-f", "lavfi", "-i", `sine=frequency=1000:sample_rate=${rate}${duration}`);
  }

  // One decode and one frame rate for both streams, so that frame n of the main stream and of the
  // sub-stream show the same moment. setsar=1: square pixels, as a camera's, whatever the scaling.
  const scaled = (s: FrameSize) => `scale=${s.width}:${s.height},setsar=1`;
  const graph: string[] = [];
  let mainLabel: string | undefined;
  let subLabel: string | undefined;
  if (!copy) {
    const chain = [`fps=${fps}`, ...(size ? [scaled(size)] : []), "format=yuv420p"];
    if (sub) {
      graph.push(`[0:v:0]${chain.join(",")},split=2[main][tosub]`, `[tosub]${scaled(sub)}[sub]`);
      subLabel = "[sub]";
    } else {
      graph.push(`[0:v:0]${chain.join(",")}[main]`);
    }
    mainLabel = "[main]";
  } else if (sub) {
    graph.push(`[0:v:0]fps=${fps},${scaled(sub)},format=yuv420p[sub]`);
    subLabel = "[sub]";
  }
  if (graph.length) args.push("-filter_complex", graph.join(";"));

  const dir = plan.dir;
  const count = frames === undefined ? [] : ["-frames:v", String(frames)];
  const aud = codec === "h264" ? "h264_metadata=aud=insert" : "hevc_metadata=aud=insert";
  const raw = codec === "h264" ? "h264" : "hevc";
  const encoded = (label: string, out: string, listing: string) => {
    args.push("-map", label, ...count, ...encoderArgs(codec, bFrames, fps));
    if (bFrames === 0) args.push("-bsf:v", aud, "-f", raw, `${dir}/${out}`);
    else {
      // The tee muxer writes the one encoding twice: the raw stream, and its packets' timestamps.
      const slave = (path: string) => path.replace(/[\\|'[\]]/g, "\\$&");
      args.push(
        "-f",
        "tee",
        `[f=${raw}:bsfs/v=${aud}]${slave(`${dir}/${out}`)}|[f=framecrc]${slave(`${dir}/${listing}`)}`,
      );
    }
  };
  if (mainLabel) encoded(mainLabel, EMULATOR_FILES.main, EMULATOR_FILES.mainFrames);
  else {
    const toAnnexB = codec === "h264" ? "h264_mp4toannexb" : "hevc_mp4toannexb";
    args.push("-map", "0:v:0", ...count, "-c:v", "copy", "-bsf:v", `${toAnnexB},${aud}`, "-f", raw);
    args.push(`${dir}/${EMULATOR_FILES.main}`);
  }
  if (subLabel) encoded(subLabel, EMULATOR_FILES.sub, EMULATOR_FILES.subFrames);

  if (audio) {
    const { rate } = EMULATOR_AUDIO[audio.codec];
    args.push("-map", audio.source === "tone" ? "1:a:0" : "0:a:0");
    // A file's sound may stop before its picture: silence then fills the loop.
    if (audio.source === "file") args.push("-af", "apad");
    if (audioSeconds !== undefined) args.push("-t", String(audioSeconds));
    args.push("-ac", "1", "-ar", String(rate));
    if (audio.codec === "aac") args.push("-c:a", "aac", "-b:a", "32k", "-f", "adts");
    else args.push("-c:a", audio.codec, "-f", audio.codec === "pcm_alaw" ? "alaw" : "mulaw");
    args.push(`${dir}/${EMULATOR_FILES.audio}`);
  }
  return args;
}

/** Encoder options: the fastest presets (start-up matters more than bits here), closed GOPs. */
function encoderArgs(codec: EmulatorVideoCodec, bFrames: number, fps: number): string[] {
  const gop = String(Math.max(1, Math.round(KEYFRAME_SECONDS * fps)));
  const common = ["-preset", "ultrafast", "-bf", String(bFrames), "-g", gop, "-pix_fmt", "yuv420p"];
  if (codec === "h264") return ["-c:v", "libx264", ...common];
  // x265 logs to stderr on its own; open GOPs would make each keyframe's leading B-frames depend on
  // the GOP before, which a client joining there cannot decode (cameras use closed GOPs).
  return ["-c:v", "libx265", ...common, "-x265-params", "log-level=error:open-gop=0"];
}

/**
 * The display index of each frame of a `framecrc` listing, in its (decode) order: frame j is
 * shown `order[j]`-th. Timestamps are read in the listing's time base and counted in frames of
 * `fps`.
 *
 * @throws {CamwatchError} when the listing is not a permutation of its frames at that rate
 *
 * @example
 * ```ts
 * import { displayOrder } from "./emulator_streams.ts";
 * const listing = "#tb 0: 1/15\n0, -2, 0, 1, 900, 0x0\n0, -1, 2, 1, 400, 0x0\n0, 0, 1, 1, 100, 0x0\n";
 * console.log(displayOrder(listing, 15)); // [0, 2, 1]
 * ```
 */
export function displayOrder(framecrc: string, fps: number): number[] {
  const tb = /^#tb 0: (\d+)\/(\d+)$/m.exec(framecrc);
  if (!tb) throw new CamwatchError("the framecrc listing has no time base");
  const seconds = Number(tb[1]) / Number(tb[2]);
  const pts = framecrc.split("\n").filter((line) => /^0,/.test(line)).map((line) =>
    Number(line.split(",")[2])
  );
  const first = Math.min(...pts);
  const order = pts.map((p) => Math.round((p - first) * seconds * fps));
  const sorted = [...order].sort((a, b) => a - b);
  if (!sorted.every((v, i) => v === i)) {
    throw new CamwatchError(`the encoded frames are not evenly spaced at ${fps} fps`);
  }
  return order;
}

/**
 * Frames in one loop: the most, up to `available`, whose duration holds a whole number of audio
 * packets, so that the audio's loop ends exactly where the video's does (no gap, no overlap, at
 * every loop). `available` when no such number is within a few seconds of it.
 *
 * @example
 * ```ts
 * import { loopFrames } from "./emulator_streams.ts";
 * console.log(loopFrames(30, 15, "aac")); // 24: 1.6 s, 25 AAC frames at 16 kHz
 * console.log(loopFrames(30, 15, "pcm_alaw")); // 30
 * ```
 */
export function loopFrames(available: number, fps: number, audio?: EmulatorAudioCodec): number {
  if (!audio) return available;
  const { rate, packetSamples } = EMULATOR_AUDIO[audio];
  for (let n = available; n >= Math.max(1, available - 10 * fps); n--) {
    const packets = (n / fps) * rate / packetSamples;
    if (Math.abs(packets - Math.round(packets)) < 1e-6) return n;
  }
  return available;
}

/** Options of {@linkcode prepareEmulatorStreams}. */
export interface PrepareEmulatorStreamsOptions {
  /**
   * Video file to loop.
   * @default a test pattern (colour bars)
   */
  readonly file?: string;
  /**
   * Folder the streams are written to (it must exist).
   */
  readonly dir: string;
  /**
   * Frames per second.
   * @default the file's own frame rate, 10 for the test pattern
   */
  readonly fps?: number;
  /**
   * Seconds of the file looped.
   * @default the whole file, 10 for the test pattern
   */
  readonly seconds?: number;
  /**
   * Video codec.
   * @default "h264"
   */
  readonly codec?: EmulatorVideoCodec;
  /**
   * B-frames between reference frames.
   * @default 0
   */
  readonly bFrames?: number;
  /**
   * Size of the main stream.
   * @default the file's, 640x480 for the test pattern
   */
  readonly size?: FrameSize;
  /**
   * Size of a sub-stream of the same scene.
   * @default none
   */
  readonly sub?: FrameSize;
  /**
   * Audio track: the file's own sound when it has one, else a 1 kHz tone.
   * @default none
   */
  readonly audio?: EmulatorAudioCodec;
}

/** The prepared streams, as tools/camera_emulator.py reads them. */
export interface EmulatorStreams {
  /** the main stream's Annex-B file */
  readonly main: string;
  /** display order of the main stream's frames (one number a line), when it has B-frames */
  readonly mainOrder?: string;
  /** the sub-stream's Annex-B file, when asked for */
  readonly sub?: string;
  /** display order of the sub-stream's frames, when it has B-frames */
  readonly subOrder?: string;
  /** the audio file (ADTS for AAC, raw bytes for G.711), when asked for */
  readonly audio?: string;
  /** frame rate the streams are served at */
  readonly fps: number;
}

/**
 * Prepares the emulator's streams in `dir`: the file (or a test pattern) copied when it already
 * is what is asked for, else encoded once, with the asked codec, B-frames, size, sub-stream and
 * audio.
 *
 * @throws {CamwatchError} when the file has no video or ffmpeg fails
 *
 * @example
 * ```ts
 * import { prepareEmulatorStreams } from "./emulator_streams.ts";
 * const dir = await Deno.makeTempDir();
 * const streams = await prepareEmulatorStreams({
 *   file: "video/samples/vtest.mp4",
 *   dir,
 *   seconds: 2,
 *   bFrames: 2,
 *   audio: "aac",
 * });
 * console.log(streams.mainOrder !== undefined); // true
 * ```
 */
export async function prepareEmulatorStreams(
  options: PrepareEmulatorStreamsOptions,
): Promise<EmulatorStreams> {
  const { file, dir, codec = "h264", bFrames = 0, size, sub, audio } = options;
  let fps = options.fps ?? 10;
  let input: string;
  let available: number | undefined;
  let inputSeconds = options.seconds;
  let copy = false;
  let hasAudio = false;
  if (file !== undefined) {
    const info = await probeMedia(file);
    if (!info.video) throw new CamwatchError(`${file}: has no video stream`);
    fps = options.fps ?? info.video.fps ?? 10;
    input = file;
    const sameCodec = info.video.codec === (codec === "h264" ? "h264" : "hevc");
    copy = sameCodec && info.video.reorderDelay === 0 && bFrames === 0 && options.fps === undefined &&
      size === undefined;
    const seconds = Math.min(options.seconds ?? Infinity, info.duration ?? Infinity);
    available = Number.isFinite(seconds) ? Math.floor(seconds * fps + 1e-6) : info.video.frames;
    if (audio) hasAudio = await hasAudioStream(file);
  } else {
    const seconds = options.seconds ?? 10;
    const { width, height } = size ?? { width: 640, height: 480 };
    input = `lavfi:smptebars=size=${width}x${height}:rate=${fps}:duration=${seconds}`;
    available = Math.round(seconds * fps);
    inputSeconds = undefined;
  }
  if (available === undefined && audio) {
    throw new CamwatchError(`${file}: its length is unknown, give the seconds to loop with the audio`);
  }
  const frames = available === undefined ? undefined : loopFrames(available, fps, audio);
  // A frame more than the loop is read, so that rounding in the fps filter cannot leave it short.
  if (frames !== undefined && inputSeconds !== undefined) inputSeconds = (frames + 1) / fps;
  const args = emulatorEncodeArgs({
    input,
    dir,
    fps,
    frames,
    inputSeconds,
    codec,
    copy,
    bFrames,
    size: file === undefined ? undefined : size,
    sub,
    audio: audio ? { codec: audio, source: hasAudio ? "file" : "tone" } : undefined,
  });
  const out = await runFfmpeg(args);
  if (!out.success) {
    const why = new TextDecoder().decode(out.stderr).trim();
    throw new CamwatchError(`cannot prepare ${file ?? "the test pattern"}: ${why}`);
  }
  const order = async (listing: string, name: string) => {
    const text = await Deno.readTextFile(`${dir}/${listing}`);
    const path = `${dir}/${name}`;
    await Deno.writeTextFile(path, displayOrder(text, fps).join("\n") + "\n");
    return path;
  };
  return {
    main: `${dir}/${EMULATOR_FILES.main}`,
    mainOrder: bFrames > 0 ? await order(EMULATOR_FILES.mainFrames, "main.order") : undefined,
    sub: sub ? `${dir}/${EMULATOR_FILES.sub}` : undefined,
    subOrder: sub && bFrames > 0 ? await order(EMULATOR_FILES.subFrames, "sub.order") : undefined,
    audio: audio ? `${dir}/${EMULATOR_FILES.audio}` : undefined,
    fps,
  };
}

/** Whether a file has an audio stream. */
async function hasAudioStream(file: string): Promise<boolean> {
  const out = await new Deno.Command("ffprobe", {
    args: ["-v", "error", "-select_streams", "a:0", "-show_entries", "stream=index", "-of", "csv=p=0", file],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).output();
  return out.success && new TextDecoder().decode(out.stdout).trim() !== "";
}
