/**
 * `deno task camera [--file F] [--port P] [--path /p] [--fps N] [--user U --password W]
 * [--codec h265] [--b-frames N] [--audio aac|pcm_alaw|pcm_mulaw] [--size WxH] [--sub WxH]`:
 * an RTSP camera emulator on 127.0.0.1 that loops a video file (or shows a still test
 * pattern), for demos and tests, sending what real cameras send. Prints its URL (and its
 * sub-stream's) when ready; stops on SIGTERM or Ctrl-C.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { CameraEmulator } from "../tools/camera_emulator.ts";
import { CamwatchError } from "../lib/errors.ts";

const USAGE = `usage: deno task camera [options]

  --file F          video to loop (default: a still test pattern)
  --device D        serve a live video device instead, e.g. a webcam: /dev/video0
  --port P          RTSP port (default: a free one)
  --host H          address to listen on (default 127.0.0.1; 0.0.0.0 for other containers)
  --path /p         stream path (default: /stream)
  --fps N           frames per second (default: the file's)
  --seconds S       loop only the file's first S seconds (default: all of it; start-up
                    grows with what is re-encoded)
  --codec C         h264 or h265 (default h264)
  --b-frames N      B-frames between reference frames, sent with their own timestamps (default 0)
  --audio A         a sound track: aac (16 kHz), pcm_alaw or pcm_mulaw (G.711, 8 kHz); the
                    file's own sound, else a 1 kHz tone (default: none)
  --size WxH        scale the main stream, e.g. 1920x1080 (default: the file's size)
  --sub WxH         also serve the scene scaled down as a sub-stream, e.g. 640x360
  --sub-path /p     the sub-stream's path (default: /sub)
  --user U          require basic authentication as U ...
  --password W      ... with password W (or env CAMERA_PASSWORD)

The file is streamed as it is when it already is the codec asked for without B-frames and
neither --fps nor --size changes it; otherwise it is re-encoded once at start.`;

const { values } = parseArgs({
  args: Deno.args,
  options: {
    file: { type: "string" },
    device: { type: "string" },
    port: { type: "string" },
    host: { type: "string" },
    path: { type: "string" },
    fps: { type: "string" },
    seconds: { type: "string" },
    codec: { type: "string" },
    "b-frames": { type: "string" },
    audio: { type: "string" },
    size: { type: "string" },
    sub: { type: "string" },
    "sub-path": { type: "string" },
    user: { type: "string" },
    password: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  console.log(USAGE);
  Deno.exit(0);
}
const number = (name: string, text: string | undefined) => {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!(Number.isFinite(n) && n >= 0)) {
    console.error(`camera: --${name} must be a non-negative number, got ${JSON.stringify(text)}`);
    Deno.exit(2);
  }
  return n;
};

const frameSize = (name: string, text: string | undefined) => {
  if (text === undefined) return undefined;
  const m = /^(\d+)x(\d+)$/.exec(text);
  if (!m) {
    console.error(`camera: --${name} must be WIDTHxHEIGHT, e.g. 1920x1080, got ${JSON.stringify(text)}`);
    Deno.exit(2);
  }
  return { width: Number(m[1]), height: Number(m[2]) };
};
const oneOf = <T extends string>(name: string, text: string | undefined, choices: readonly T[]) => {
  if (text === undefined || (choices as readonly string[]).includes(text)) return text as T | undefined;
  console.error(`camera: --${name} must be one of ${choices.join(", ")}, got ${JSON.stringify(text)}`);
  Deno.exit(2);
};
const sub = frameSize("sub", values.sub);
if (values["sub-path"] !== undefined && !sub) {
  console.error("camera: --sub-path needs --sub WxH");
  Deno.exit(2);
}

try {
  const camera = await CameraEmulator.start({
    file: values.file,
    device: values.device,
    port: number("port", values.port),
    host: values.host,
    path: values.path,
    fps: number("fps", values.fps),
    seconds: number("seconds", values.seconds),
    codec: oneOf("codec", values.codec, ["h264", "h265"] as const),
    bFrames: number("b-frames", values["b-frames"]),
    audio: oneOf("audio", values.audio, ["aac", "pcm_alaw", "pcm_mulaw"] as const),
    size: frameSize("size", values.size),
    subStream: sub && { ...sub, path: values["sub-path"] },
    user: values.user,
    password: values.password ?? (values.user ? Deno.env.get("CAMERA_PASSWORD") : undefined),
  });
  const what = values.device ?? values.file ?? "a test pattern";
  console.log(`camera: streaming ${what} at ${camera.displayUrl}`);
  if (camera.subDisplayUrl) console.log(`camera: sub-stream at ${camera.subDisplayUrl}`);
  const stop = () => camera.stop();
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
  const status = await camera.exited;
  await camera.stop();
  console.log("camera: stopped");
  Deno.exit(status.success || status.signal === "SIGTERM" ? 0 : 1);
} catch (e) {
  if (e instanceof CamwatchError || e instanceof RangeError) {
    console.error(`camera: ${e.message}`);
    Deno.exit(1);
  }
  throw e;
}
