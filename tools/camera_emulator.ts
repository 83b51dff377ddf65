/**
 * `CameraEmulator`: an RTSP camera on 127.0.0.1 for demos and tests, built on GStreamer's RTSP
 * server (Debian packages; see README). It loops a video file, or shows a still test pattern,
 * over TCP or UDP, optionally behind basic authentication.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { CamwatchError } from "../lib/errors.ts";
import { emulatorStreamArgs, probeMedia, runFfmpeg } from "../lib/media/ffmpeg.ts";
import { stopProcess } from "../lib/media/process.ts";
import { redactUrl } from "../lib/ops/redact.ts";

/** Options of {@linkcode CameraEmulator.start}. */
export interface CameraEmulatorOptions {
  /**
   * Video file to loop (any format ffmpeg reads; H.264 without B-frames is streamed as is).
   * @default a still test pattern (colour bars)
   */
  file?: string;
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
  /** TCP port the server listens on */
  readonly port: number;
  /** process id of the server */
  readonly pid: number;
  #child: Deno.ChildProcess;
  #dir: string;
  #stopped: Promise<void> | undefined;

  private constructor(child: Deno.ChildProcess, dir: string, port: number, url: string) {
    this.#child = child;
    this.#dir = dir;
    this.port = port;
    this.pid = child.pid;
    this.url = url;
    this.displayUrl = redactUrl(url);
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
    const live = options.gstSource ??
      (options.device === undefined ? undefined : `v4l2src device=${JSON.stringify(options.device)}`);
    const dir = await Deno.makeTempDir({ prefix: "camwatch-camera-" });
    try {
      const stream = `${dir}/stream.h264`;
      let fps = options.fps ?? 10;
      let input = `lavfi:smptebars=size=640x480:rate=${fps}:duration=10`;
      let reencode = true;
      if (options.file && live === undefined) {
        const info = await probeMedia(options.file);
        if (!info.video) throw new CameraEmulatorError(`${options.file}: has no video stream`);
        fps = options.fps ?? info.video.fps ?? 10;
        input = options.file;
        reencode = !(info.video.codec === "h264" && info.video.reorderDelay === 0 && !options.fps);
      }
      if (live === undefined) await prepareStream(input, stream, reencode, fps, options.file);
      const source = live === undefined ? ["--file", stream] : ["--live", live];
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
      return new CameraEmulator(child, dir, bound, `rtsp://${auth}${reach}:${bound}${path}`);
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

/** Writes the AUD-delimited H.264 stream the server loops. */
async function prepareStream(input: string, stream: string, reencode: boolean, fps: number, file?: string) {
  const out = await runFfmpeg(emulatorStreamArgs(input, stream, { reencode, fps }));
  if (!out.success) {
    const why = new TextDecoder().decode(out.stderr).trim();
    throw new CameraEmulatorError(`cannot prepare ${file ?? "the test pattern"}: ${why}`);
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
