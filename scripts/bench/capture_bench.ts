/**
 * Capture benchmark: CPU time of the whole capture of one camera (ffmpeg recording segments
 * and producing grey frames, plus motion detection and clip cutting in Deno), next to a bare
 * `ffmpeg -c copy` recording of the same stream, both for the same wall time in one run.
 *
 * CPU time is read the way the shell's `times` reports it: user + system time of a finished
 * process and everything it waited for (ffmpeg included).
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { CameraEmulator } from "../../tools/camera_emulator.ts";

/** What to measure on. */
export interface CaptureBenchOptions {
  /** the video the emulated camera loops */
  readonly video: string;
  /** wall seconds each variant runs */
  readonly seconds: number;
}

/** CPU seconds of a variant and its share of one core. */
export interface CaptureBenchRow {
  readonly name: string;
  readonly cpuSeconds: number;
  readonly wallSeconds: number;
}

const CAPTURE = fileURLToPath(new URL("../capture.ts", import.meta.url));

/** Runs `command` for `seconds`, stops it with SIGTERM, and returns its children's CPU seconds. */
async function cpuOf(command: string, seconds: number, env: Record<string, string>): Promise<number> {
  // `times` prints two lines: the shell's own times, then those of its finished children.
  const script = `${command} & pid=$!; sleep ${seconds}; kill -TERM $pid; wait $pid; times`;
  const out = await new Deno.Command("bash", { args: ["-c", script], env, stdout: "piped", stderr: "null" })
    .output();
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  const children = lines.at(-1) ?? "";
  const parse = (t: string) => {
    const m = /(\d+)m([\d.]+)s/.exec(t);
    return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  };
  const [user, sys] = children.trim().split(/\s+/).map(parse);
  return user + sys;
}

/** Measures the full capture and the bare copy on the same emulated camera. */
export async function benchCapture(options: CaptureBenchOptions): Promise<CaptureBenchRow[]> {
  await using camera = await CameraEmulator.start({ file: options.video });
  const dir = await Deno.makeTempDir({ prefix: "camwatch-bench-capture-" });
  try {
    const deno = Deno.execPath();
    const capture =
      `'${deno}' run --allow-read --allow-write --allow-env --allow-run=ffmpeg,ffprobe '${CAPTURE}'`;
    const bare = `ffmpeg -nostdin -loglevel error -rtsp_transport tcp -i '${camera.url}' -map 0:v -c copy ` +
      `-f segment -segment_time 2 -reset_timestamps 1 '${dir}/bare-%06d.mp4'`;
    const env = {
      RTSP_URL: camera.url,
      CAMERA_NAME: "bench",
      VIDEO_DIR: `${dir}/video`,
      PATH: Deno.env.get("PATH") ?? "",
    };
    const bareCpu = await cpuOf(bare, options.seconds, env);
    const captureCpu = await cpuOf(capture, options.seconds, env);
    return [
      { name: "bare ffmpeg -c copy into segments", cpuSeconds: bareCpu, wallSeconds: options.seconds },
      {
        name: "full capture (ffmpeg + motion + clips)",
        cpuSeconds: captureCpu,
        wallSeconds: options.seconds,
      },
    ];
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
