/**
 * `CameraConnection`: one connection to a camera, from start to exit. Either one ffmpeg that
 * records the stream and decodes small grey frames from it, or, for a camera watched on its
 * sub-stream, two: one records the main stream without decoding it, the other decodes the
 * detect stream. Each timeline is placed on the wall clock once, from the camera's own
 * timestamps and the arrival of what ffmpeg writes. {@linkcode RtspSource} supervises
 * connections (retries, transports, the camera's refusals).
 *
 * @module
 */

import { join } from "node:path";
import {
  type AudioMode,
  CAPTURE_STREAM_SETTINGS,
  captureArgs,
  type CaptureArgsOptions,
  captureInputList,
  detectArgs,
  MP4_AUDIO_CODECS,
  recordArgs,
  spawnFfmpeg,
} from "../media/ffmpeg.ts";
import { FfmpegStderr } from "../media/ffmpeg_stderr.ts";
import { FrameStream } from "../media/ffmpeg_frames.ts";
import { FfmpegProgress } from "../media/ffmpeg_progress.ts";
import { isWholeMp4 } from "../media/mp4_boxes.ts";
import { stopProcess } from "../media/process.ts";
import { redactText, urlPassword } from "../ops/redact.ts";
import type { GrayFrame } from "./motion_detector.ts";
import type { CameraSegment, SourceEvent } from "./rtsp_source.ts";

/** Options of {@linkcode CameraConnection}. */
export interface CameraConnectionOptions {
  /** the camera (recorded; and watched for motion when there is no `detectUrl`) */
  readonly url: string;
  /**
   * A second stream of the same camera, watched for motion instead of `url` (its small
   * sub-stream), so that the main stream is recorded without ever being decoded.
   * @default none: motion is found on `url`
   */
  readonly detectUrl?: string;
  /** folder for this connection's segments and their list */
  readonly segmentDir: string;
  /** connection number (1, 2, … after each reconnect) */
  readonly session: number;
  /** how ffmpeg reads and writes: transport, timeouts, segment length, motion frames, sound, hwaccel */
  readonly stream: Omit<CaptureArgsOptions, "segmentDir" | "inputOnStdin" | "audio">;
  /**
   * The sound: kept (copied when MP4 can hold it, else transcoded to AAC) or left out.
   * @default "copy"
   */
  readonly audio?: AudioMode;
  /** ms without a frame (or a recorded packet) after which the connection is stopped */
  readonly stallTimeoutMs: number;
  /** passwords to mask in reasons; a URL with one reaches ffmpeg on stdin, never its command line */
  readonly secrets: readonly string[];
  /** where frames, segments, `connected` and `stalled` go */
  readonly push: (event: SourceEvent) => void;
}

/** How a connection ended. */
export interface ConnectionResult {
  /** grey frames it delivered */
  readonly frames: number;
  /** why it ended, in words, passwords masked (`closed` after {@linkcode CameraConnection.stop}) */
  readonly reason: string;
  /** the camera's last refusal (an RTSP or HTTP status of 400 and up), when it answered one */
  readonly answer: number | undefined;
  /**
   * The recording's audio codec when it cannot be copied into MP4 (`pcm_alaw`, `pcm_mulaw`, …):
   * the connection was stopped to be made again with the sound transcoded.
   */
  readonly transcode: string | undefined;
}

/** A status line ffmpeg reports from an RTSP or HTTP answer (its first try without a login is silent). */
const ANSWER = /(?:method \w+ failed: |Server returned |HTTP error )(\d{3})\b/i;
/**
 * How long frames may keep coming with no segment listed, as a multiple of the longest segment
 * seen (or of the length asked for, before the first): ffmpeg writing fragmented MP4 does not fail
 * when the disk is full or the folder cannot be written, it writes nothing and goes on. Three
 * keeps a camera whose keyframes come late, or a slow disk, from being taken for one.
 */
const SEGMENT_SILENCE_FACTOR = 3;

/** ffmpeg's description of an input stream: `Stream #0:1: Audio: pcm_alaw, 8000 Hz, mono, s16`. */
const INPUT_STREAM = /^\s*Stream #0:\d+.*?: (Video|Audio): (\w+)/;

/** What one ffmpeg of a connection said on stderr that the connection acts on. */
class Reporter {
  answer: number | undefined;
  video: string | undefined;
  audio: string | undefined;
  /** times ffmpeg repaired the recording's timestamps ("Non-monotonous DTS in output stream 0:0") */
  repairs = 0;
  #inputs = true;

  constructor(readonly onAudio?: (codec: string) => void) {}

  line = (line: string) => {
    if (/Non-monotonous DTS in output stream 0:0/.test(line)) this.repairs++;
    const status = Number(ANSWER.exec(line)?.[1]);
    if (status >= 400) this.answer = status;
    // Only the input's streams: the outputs are listed after "Output #0".
    if (/^Output #\d/.test(line)) this.#inputs = false;
    const stream = this.#inputs ? INPUT_STREAM.exec(line) : null;
    if (stream?.[1] === "Video") this.video ??= stream[2];
    if (stream?.[1] === "Audio" && this.audio === undefined) {
      this.audio = stream[2];
      this.onAudio?.(stream[2]);
    }
  };
}

/**
 * One run of a camera's ffmpeg (or pair of them): {@linkcode CameraConnection.run} resolves when
 * they have exited, after every frame and completed segment was pushed.
 *
 * @example
 * ```ts
 * import { CameraConnection } from "./camera_connection.ts";
 * const connection = new CameraConnection({
 *   url: "rtsp://127.0.0.1:8554/main",
 *   detectUrl: "rtsp://127.0.0.1:8554/sub",
 *   segmentDir: "/tmp/cache/front/session-0001",
 *   session: 1,
 *   stream: { transport: "tcp", motionFps: 5 },
 *   stallTimeoutMs: 10_000,
 *   secrets: [],
 *   push: (event) => console.log(event.type),
 * });
 * setTimeout(() => connection.stop(), 10_000);
 * console.log((await connection.run()).reason); // "closed"
 * ```
 */
export class CameraConnection {
  readonly #options: CameraConnectionOptions;
  readonly #children: Deno.ChildProcess[] = [];
  /** stop() was called: the connection ends as "closed" */
  #closed = false;
  /** the connection is ending, for whatever reason: ffmpeg started late is stopped at once */
  #halting = false;
  #collecting: Promise<void> = Promise.resolve();

  /** Prepares the connection; nothing starts until {@linkcode CameraConnection.run}. */
  constructor(options: CameraConnectionOptions) {
    this.#options = options;
  }

  /** Asks ffmpeg to finish (the segment being written is completed and listed), and waits for it. */
  async stop(): Promise<void> {
    this.#closed = true;
    await this.#halt();
  }

  async #halt(): Promise<void> {
    this.#halting = true;
    await Promise.all(this.#children.map((child) => stopProcess(child, "SIGINT")));
  }

  /** Runs until ffmpeg exits (the camera went away, a stall, {@linkcode CameraConnection.stop}). */
  async run(): Promise<ConnectionResult> {
    const { url, detectUrl, segmentDir, session, stallTimeoutMs, push } = this.#options;
    const audio = this.#options.audio ?? "copy";
    const args: CaptureArgsOptions = { ...this.#options.stream, segmentDir, audio };
    let transcode: string | undefined;
    // A sound MP4 cannot hold fails the recording at its first segment: stop at once and say why.
    const recorder = new Reporter((codec) => {
      if (audio === "copy" && !MP4_AUDIO_CODECS.has(codec)) {
        transcode = codec;
        this.#halt();
      }
    });
    // One ffmpeg both records and detects, unless motion is watched on a second stream.
    const single = detectUrl === undefined;
    const detector = single ? recorder : new Reporter();
    const record = single ? this.#spawn(url, captureArgs, args) : this.#spawn(url, recordArgs, args);
    const detect = single ? record : this.#spawn(detectUrl, detectArgs, args);
    const frames = new FrameStream(detect, { bytesPerPixel: 1, onLine: detector.line });
    const recordLog = single ? undefined : new FfmpegStderr(record.stderr, { onLine: recorder.line });

    // Each timeline's wall-clock zero: what ffmpeg writes arrives after it was captured, so the
    // smallest (arrival - pts) seen is the best estimate.
    let frameZero = Infinity;
    let recordZero = Infinity;
    let count = 0;
    let lastFrame = performance.now();
    let lastPacket = performance.now();
    let stalled = false;
    let lastSegment = performance.now();
    let longestSegment = this.#options.stream.segmentSeconds ??
      CAPTURE_STREAM_SETTINGS.segmentSeconds.default;
    let unwritten: number | undefined;
    let listed = 0;
    const watch = () => {
      const now = performance.now();
      const silent = now - Math.min(lastFrame, lastPacket);
      if (!stalled && silent > (count > 0 ? stallTimeoutMs : 2 * stallTimeoutMs)) {
        stalled = true;
        push({ type: "stalled", session, silentMs: Math.round(silent) });
        this.#halt();
      }
      // Frames arrive but nothing is recorded: stop, and say so, rather than record nothing.
      if (!stalled && unwritten === undefined && count > 0) {
        const noSegment = now - lastSegment;
        // The first segment also waits for the connection and the camera's first keyframe.
        const limit = Math.max(
          listed > 0 ? stallTimeoutMs : 2 * stallTimeoutMs,
          SEGMENT_SILENCE_FACTOR * longestSegment * 1000,
        );
        if (noSegment > limit) {
          unwritten = noSegment;
          this.#halt();
        }
      }
    };
    const zeroOfSegments = () => (single ? frameZero : recordZero);
    const list = new SegmentList(join(segmentDir, "segments.csv"), segmentDir, session);
    let repairsListed = 0;
    const collect = () => {
      this.#collecting = this.#collecting.then(async () => {
        const zero = zeroOfSegments();
        if (!Number.isFinite(zero)) return;
        const codecs = { video: recorder.video, audio: recordedAudio(audio, recorder.audio) };
        for (const s of await list.read(zero, codecs)) {
          // ffmpeg lists a segment it could not write (a full disk) as if it had: left out of clips.
          if (!(await isWholeMp4(s.path).catch(() => false))) {
            push({ type: "segment", segment: { ...s, damaged: "not written whole (is the disk full?)" } });
            continue;
          }
          lastSegment = performance.now();
          listed++;
          longestSegment = Math.max(longestSegment, s.duration ?? 0);
          // Repairs since the last segment listed were made in this one (at a connection's start,
          // where a stream with B-frames has no decoding times yet).
          const repaired = recorder.repairs > repairsListed;
          repairsListed = recorder.repairs;
          // Repairs mean frames stored out of display order: so are all this connection's segments.
          const segment = recorder.repairs > 0 ? { ...s, reordered: true } : s;
          push({
            type: "segment",
            segment: repaired
              ? { ...segment, damaged: "ffmpeg repaired its timestamps (frames out of order)" }
              : segment,
          });
        }
      });
      return this.#collecting;
    };
    // One timer for both: each wake-up of the process costs more than the work it does.
    const tick = setInterval(() => {
      watch();
      collect().catch(() => {});
    }, 500);
    // Either ffmpeg ending ends the connection: the other is stopped too.
    const exited = [record, detect].map((child) => child.status.then(() => this.#halt()));

    const packets = single ? Promise.resolve() : (async () => {
      let reached = -Infinity;
      for await (const report of new FfmpegProgress(record.stdout)) {
        const arrival = Date.now();
        // A report that did not move on is no sign of life: ffmpeg may be waiting on a frozen camera.
        if (report.time <= reached) continue;
        reached = report.time;
        lastPacket = performance.now();
        // A report follows the packet it counts: the smallest (arrival - time) is the best estimate.
        // Its time is a decoding time, which B-frames hold back by a frame or two: such a recording
        // is placed that much later, a fraction of the pre-roll.
        recordZero = Math.min(recordZero, arrival - report.time * 1000);
      }
    })().catch(() => {});
    try {
      for await (const raw of frames) {
        const arrival = Date.now();
        frameZero = Math.min(frameZero, arrival - raw.time * 1000);
        if (single) lastPacket = performance.now();
        lastFrame = performance.now();
        if (count++ === 0) push({ type: "connected", session });
        const frame: GrayFrame = {
          ts: Math.round(frameZero + raw.time * 1000),
          width: raw.width,
          height: raw.height,
          data: raw.data,
        };
        push({ type: "frame", session, frame });
      }
      await Promise.all([...exited, packets, frames.stderrDone, recordLog?.done]);
    } finally {
      clearInterval(tick);
    }
    // ffmpeg writes the last segment's line as it exits.
    await collect();
    const errors = [
      ...(recordLog?.errors ?? []),
      ...frames.errors.map((e) => (single ? e : `detect stream: ${e}`)),
    ];
    const reason = transcode !== undefined
      ? `the camera's sound is ${transcode}, which MP4 cannot hold: recording it as AAC`
      : this.#closed
      ? "closed"
      : stalled
      ? `no ${count > 0 ? "frames" : "frame yet"} for ${stallTimeoutMs} ms`
      : unwritten !== undefined
      ? `frames arrive but no segment was written for ${Math.round(unwritten / 1000)} s`
      : errors.length
      ? redactText(errors.slice(-2).join("; "), [...this.#options.secrets])
      : "stream ended";
    return { frames: count, reason, answer: recorder.answer ?? detector.answer, transcode };
  }

  #spawn(
    url: string,
    build: (input: string, options: CaptureArgsOptions) => string[],
    options: CaptureArgsOptions,
  ): Deno.ChildProcess {
    // A password on ffmpeg's command line is shown to every local user by `ps`.
    const inputOnStdin = urlPassword(url) !== undefined && /^(rtsps?|https?):\/\//i.test(url);
    const withList = { ...options, inputOnStdin };
    const child = spawnFfmpeg(
      build(url, withList),
      inputOnStdin ? captureInputList(url, withList) : undefined,
    );
    this.#children.push(child);
    if (this.#halting) stopProcess(child, "SIGINT");
    return child;
  }
}

/** The sound's codec in the segments: AAC when transcoded, the camera's when copied. */
function recordedAudio(mode: AudioMode, camera: string | undefined): string | undefined {
  if (mode === "off" || camera === undefined) return undefined;
  return mode === "aac" ? "aac" : camera;
}

/** The CSV segment list ffmpeg appends a line to as each segment completes. */
class SegmentList {
  #offset = 0;
  #pending = "";
  constructor(readonly path: string, readonly dir: string, readonly session: number) {}

  /** Segments completed since the last read, with wall-clock times from `zero`. */
  async read(
    zero: number,
    codecs: { video: string | undefined; audio: string | undefined },
  ): Promise<CameraSegment[]> {
    // Only the bytes added since the last read: the list grows for as long as the camera runs.
    let added: Uint8Array;
    try {
      // Most polls find nothing new: a stat on this thread says so without the thread hand-offs
      // of opening and reading (a list ffmpeg has not created yet throws, as a read would).
      if (Deno.statSync(this.path).size === this.#offset) return [];
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
        duration: Math.round((Number(end) - Number(start)) * 1e6) / 1e6,
        session: this.session,
        ...(codecs.video ? { video: codecs.video } : {}),
        ...(codecs.audio ? { audio: codecs.audio } : {}),
      });
    }
    return out;
  }
}
