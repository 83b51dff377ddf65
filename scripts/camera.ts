/**
 * `deno task camera [--file F] [--port P] [--path /p] [--fps N] [--user U --password W]`:
 * an RTSP camera emulator on 127.0.0.1 that loops a video file (or shows a still test
 * pattern), for demos and tests. Prints its URL when ready; stops on SIGTERM or Ctrl-C.
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
  --user U          require basic authentication as U ...
  --password W      ... with password W (or env CAMERA_PASSWORD)`;

const { values } = parseArgs({
  args: Deno.args,
  options: {
    file: { type: "string" },
    device: { type: "string" },
    port: { type: "string" },
    host: { type: "string" },
    path: { type: "string" },
    fps: { type: "string" },
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

try {
  const camera = await CameraEmulator.start({
    file: values.file,
    device: values.device,
    port: number("port", values.port),
    host: values.host,
    path: values.path,
    fps: number("fps", values.fps),
    user: values.user,
    password: values.password ?? (values.user ? Deno.env.get("CAMERA_PASSWORD") : undefined),
  });
  const what = values.device ?? values.file ?? "a test pattern";
  console.log(`camera: streaming ${what} at ${camera.displayUrl}`);
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
