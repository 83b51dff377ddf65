/**
 * `CameraEmulator`: an RTSP camera on 127.0.0.1 for demos and tests, built on GStreamer's RTSP
 * server (Debian packages; see README). It loops a video file, or shows a still test pattern,
 * over TCP or UDP, optionally behind basic authentication, and serves what real cameras send:
 * H.264 or H.265, B-frames, an AAC or G.711 sound track, a main stream with a smaller sub-stream.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { CamwatchError } from "../lib/errors.ts";
import { stopProcess } from "../lib/media/process.ts";
import { redactUrl } from "../lib/ops/redact.ts";
import {
  EMULATOR_AUDIO,
  type EmulatorAudioCodec,
  type EmulatorVideoCodec,
  type FrameSize,
  prepareEmulatorStreams,
} from "./emulator_streams.ts";

export type { EmulatorAudioCodec, EmulatorVideoCodec, FrameSize } from "./emulator_streams.ts";

/** Options of {@linkcode CameraEmulator.start}. */
export interface CameraEmulatorOptions {
  /**
   * Video file to loop (any format ffmpeg reads). It is streamed as is when it already is
   * `codec` without B-frames and neither `fps` nor `size` changes it; else re-encoded once at start.
   * @default a still test pattern (colour bars)
   */
  file?: string;
  /**
   * Seconds of the file looped (the loop is encoded at start: a few seconds start fast). For the
   * test pattern, the length of its loop.
   * @default the whole file; 10 for the test pattern
   */
  seconds?: number;
  /**
   * Video codec served: H.264 (`rtph264pay`) or H.265 (`rtph265pay`), as cameras offer.
   * @default "h264"
   */
  codec?: EmulatorVideoCodec;
  /**
   * B-frames between reference frames. With more than 0 the video is re-encoded with them and
   * sent with their real presentation and decode times (pts != dts), as cameras with B-frames do.
   * @default 0
   */
  bFrames?: number;
  /**
   * A sound track served alongside the video: AAC (16 kHz mono, RTP mpeg4-generic) or G.711
   * A-law / µ-law (8 kHz mono, what Tapo cameras send). The file's own sound when it has one,
   * else a 1 kHz tone; its loop starts with the video's, so both keep rising together.
   * @default none
   */
  audio?: EmulatorAudioCodec;
  /**
   * Size the main stream is scaled to (even numbers), e.g. 1920x1080 from the 768x576 sample.
   * @default the file's own size, 640x480 for the test pattern
   */
  size?: FrameSize;
  /**
   * The same scene also served scaled down on a second path of the same server, as a camera's
   * sub-stream (same codec, B-frames, audio and login as the main stream); see `subUrl`.
   * `path` defaults to "/sub".
   * @default none
   */
  subStream?: FrameSize & { path?: string };
  /**
   * A video device to serve live instead of a file (a laptop webcam: `/dev/video0`, read with
   * GStreamer's v4l2src and encoded to H.264 on the fly).
   * @default none
   */
  device?: string;
  /**
   * Any live GStreamer source description to serve instead of a file, for devices v4l2src
   * does not cover (`videotestsrc pattern=ball is-live=true`, …). Overrides `device`.
   * @default none
   */
  gstSource?: string;
  /**
   * Address to listen on (`0.0.0.0` to serve other containers or machines).
   * @default "127.0.0.1"
   */
  host?: string;
  /**
   * TCP port of the RTSP server; 0 picks a free one.
   * @default 0
   */
  port?: number;
  /**
   * Path of the stream in the URL.
   * @default "/stream"
   */
  path?: string;
  /**
   * Frames per second sent.
   * @default the file's own frame rate, 10 for the test pattern
   */
  fps?: number;
  /**
   * User name for basic authentication; with `password`, clients must log in.
   * @default no authentication
   */
  user?: string;
  /**
   * Password for basic authentication.
   * @default none
   */
  password?: string;
  /**
   * RTSP transports the server accepts. With only `["udp"]` it answers a client asking for TCP
   * with `461 Unsupported transport`, as VLC's RTSP server does; with only `["tcp"]` it refuses UDP.
   * @default ["tcp", "udp"] (and UDP multicast)
   */
  transports?: readonly ("tcp" | "udp")[];
  /**
   * Python 3 with PyGObject and GStreamer's RTSP server introspection data.
   * @default `CAMWATCH_PYTHON`, else /usr/bin/python3 when present, else python3
   */
  python?: string;
}

/** The emulator could not start (missing packages, bad file, port taken). */
export class CameraEmulatorError extends CamwatchError {}

const SERVER = fileURLToPath(new URL("./camera_emulator.py", import.meta.url));
const PACKAGES = "python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base " +
  "gstreamer1.0-plugins-good gstreamer1.0-plugins-bad";

function defaultPython(): string {
  const fromEnv = Deno.env.get("CAMWATCH_PYTHON");
  if (fromEnv) return fromEnv;
  try {
    Deno.statSync("/usr/bin/python3");
    return "/usr/bin/python3"; // the one Debian's python3-gi is installed for
  } catch {
    return "python3";
  }
}

/**
 * An RTSP camera emulator process. Start it, read its `url`, stop it.
 *
 * @example
 * ```ts
 * import { CameraEmulator } from "./camera_emulator.ts";
 * await using camera = await CameraEmulator.start({ file: "video/samples/vtest.mp4" });
 * console.log(camera.displayUrl); // rtsp://127.0.0.1:40123/stream
 * ```
 */
export class CameraEmulator {
  /** the stream's URL, with the credentials when there are any */
  readonly url: string;
  /** the URL with its password masked, for logs */
  readonly displayUrl: string;
  /** the sub-stream's URL (same credentials), when `subStream` was asked for */
  readonly subUrl: string | undefined;
  /** the sub-stream's URL with its password masked, when there is one */
  readonly subDisplayUrl: string | undefined;
  /** TCP port the server listens on */
  readonly port: number;
  /** process id of the server */
  readonly pid: number;
  #child: Deno.ChildProcess;
  #dir: string;
  #stopped: Promise<void> | undefined;

  private constructor(child: Deno.ChildProcess, dir: string, port: number, url: string, subUrl?: string) {
    this.#child = child;
    this.#dir = dir;
    this.port = port;
    this.pid = child.pid;
    this.url = url;
    this.displayUrl = redactUrl(url);
    this.subUrl = subUrl;
    this.subDisplayUrl = subUrl === undefined ? undefined : redactUrl(subUrl);
  }

  /** Prepares the stream, starts the server and waits until it listens. */
  static async start(options: CameraEmulatorOptions = {}): Promise<CameraEmulator> {
    const { port = 0, path = "/stream", user, password } = options;
    if (!path.startsWith("/")) throw new RangeError(`camera path must start with '/', got ${path}`);
    if ((user === undefined) !== (password === undefined)) {
      throw new RangeError("camera user and password go together");
    }
    if (options.transports?.length === 0 || options.transports?.some((t) => t !== "tcp" && t !== "udp")) {
      throw new RangeError(
        `camera transports must be "tcp" and/or "udp", got ${JSON.stringify(options.transports)}`,
      );
    }
    checkStreamOptions(options, path);
    const live = options.gstSource ??
      (options.device === undefined ? undefined : `v4l2src device=${JSON.stringify(options.device)}`);
    const dir = await Deno.makeTempDir({ prefix: "camwatch-camera-" });
    try {
      let source: string[];
      let fps = options.fps ?? 10;
      if (live === undefined) {
        const streams = await prepareEmulatorStreams({
          file: options.file,
          dir,
          fps: options.fps,
          seconds: options.seconds,
          codec: options.codec,
          bFrames: options.bFrames,
          size: options.size,
          sub: options.subStream,
          audio: options.audio,
        }).catch((e) => {
          throw e instanceof CamwatchError ? new CameraEmulatorError(e.message, { cause: e }) : e;
        });
        fps = streams.fps;
        source = ["--file", streams.main, "--codec", options.codec ?? "h264"];
        if (streams.mainOrder) source.push("--order", streams.mainOrder);
        if (streams.sub) source.push("--sub-file", streams.sub, "--sub-path", subPath(options)!);
        if (streams.subOrder) source.push("--sub-order", streams.subOrder);
        if (streams.audio) {
          const rate = EMULATOR_AUDIO[options.audio!].rate;
          source.push(
            "--audio",
            streams.audio,
            "--audio-codec",
            options.audio!,
            "--audio-rate",
            String(rate),
          );
        }
      } else {
        source = ["--live", live];
      }
      const host = options.host ?? "127.0.0.1";
      const args = [
        SERVER,
        ...source,
        "--fps",
        String(fps),
        "--port",
        String(port),
        "--path",
        path,
        "--address",
        host,
      ];
      if (user !== undefined) args.push("--user", user);
      if (options.transports) args.push("--transports", options.transports.join(","));
      let child: Deno.ChildProcess;
      try {
        child = new Deno.Command(options.python ?? defaultPython(), {
          args,
          // The password travels in the environment, never on a command line others can read.
          env: password === undefined ? {} : { CAMWATCH_CAMERA_PASSWORD: password },
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
        }).spawn();
      } catch (e) {
        throw new CameraEmulatorError(`cannot run Python for the camera emulator (${(e as Error).message})`, {
          cause: e,
        });
      }
      const bound = await readyPort(child);
      const auth = user === undefined ? "" : `${encodeURIComponent(user)}:${encodeURIComponent(password!)}@`;
      const reach = host === "0.0.0.0" ? "127.0.0.1" : host;
      const base = `rtsp://${auth}${reach}:${bound}`;
      const sub = subPath(options);
      return new CameraEmulator(
        child,
        dir,
        bound,
        `${base}${path}`,
        sub === undefined ? undefined : `${base}${sub}`,
      );
    } catch (e) {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      throw e;
    }
  }

  /** Whether the server process has exited. */
  get exited(): Promise<Deno.CommandStatus> {
    return this.#child.status;
  }

  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and removes its files. */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      await stopProcess(this.#child, "SIGTERM");
      await Deno.remove(this.#dir, { recursive: true }).catch(() => {});
    })();
    return this.#stopped;
  }

  /** Stops the server, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}

/** The sub-stream's path, when there is one. */
function subPath(options: CameraEmulatorOptions): string | undefined {
  return options.subStream === undefined ? undefined : options.subStream.path ?? "/sub";
}

/** Rejects stream options that cannot be served, before anything is started. */
function checkStreamOptions(options: CameraEmulatorOptions, path: string): void {
  const { codec, bFrames, audio, size, subStream, seconds, fps } = options;
  if (codec !== undefined && codec !== "h264" && codec !== "h265") {
    throw new RangeError(`camera codec must be "h264" or "h265", got ${JSON.stringify(codec)}`);
  }
  if (bFrames !== undefined && !(Number.isInteger(bFrames) && bFrames >= 0 && bFrames <= 16)) {
    throw new RangeError(`camera bFrames must be an integer from 0 to 16, got ${bFrames}`);
  }
  if (audio !== undefined && !(audio in EMULATOR_AUDIO)) {
    throw new RangeError(
      `camera audio must be "aac", "pcm_alaw" or "pcm_mulaw", got ${JSON.stringify(audio)}`,
    );
  }
  if (seconds !== undefined && !(Number.isFinite(seconds) && seconds > 0)) {
    throw new RangeError(`camera seconds must be a positive number, got ${seconds}`);
  }
  if (fps !== undefined && !(Number.isFinite(fps) && fps > 0)) {
    throw new RangeError(`camera fps must be a positive number, got ${fps}`);
  }
  for (const [name, s] of [["size", size], ["subStream", subStream]] as const) {
    if (s === undefined) continue;
    const even = (n: number) => Number.isInteger(n) && n >= 2 && n % 2 === 0;
    if (!even(s.width) || !even(s.height)) {
      throw new RangeError(`camera ${name} must have an even width and height, got ${s.width}x${s.height}`);
    }
  }
  const sub = subPath(options);
  if (sub !== undefined && (!sub.startsWith("/") || sub === path)) {
    throw new RangeError(`camera subStream path must start with '/' and differ from ${path}, got ${sub}`);
  }
  const live = options.gstSource !== undefined || options.device !== undefined;
  const streamOptions = { codec: codec === "h265", bFrames: !!bFrames, audio, size, subStream, seconds };
  const asked = Object.entries(streamOptions).filter(([, v]) => v).map(([k]) => k);
  if (live && asked.length) {
    throw new RangeError(`camera ${asked.join(", ")}: for a file or the test pattern, not a live source`);
  }
}

/** Waits for the server's "READY <port>" line; explains a failed start. */
async function readyPort(child: Deno.ChildProcess): Promise<number> {
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const stderr = new Response(child.stderr).text();
  let text = "";
  const timeout = setTimeout(() => child.kill("SIGKILL"), 15_000);
  try {
    for (;;) {
      const { value, done } = await lines.read();
      if (done) break;
      text += value;
      const m = /READY (\d+)/.exec(text);
      if (m) {
        // Keep draining stdout so the server never blocks on a full pipe.
        (async () => {
          while (!(await lines.read()).done);
        })().catch(() => {});
        stderr.catch(() => {});
        return Number(m[1]);
      }
    }
  } finally {
    clearTimeout(timeout);
  }
  await child.status;
  const why = (await stderr).trim().split("\n").slice(-3).join(" | ");
  const hint = /No module named 'gi'|Namespace GstRtspServer not available|Gst/.test(why)
    ? ` (on Debian/Ubuntu: apt-get install ${PACKAGES})`
    : "";
  throw new CameraEmulatorError(`the camera emulator did not start: ${why || "no output"}${hint}`);
}
