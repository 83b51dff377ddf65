/**
 * Capture end to end with the real emulator, ffmpeg and ffprobe: motion → clip with pre-roll,
 * a still scene gives nothing, a camera drop finishes the clip and the capture reconnects,
 * wrong credentials and bad settings stop the script with a clear message.
 */
import assert from "node:assert/strict";
import { CameraCapture, type CaptureLogEntry } from "../../lib/capture/camera_capture.ts";
import { CameraEmulator } from "../../tools/camera_emulator.ts";
import type { FinishedClip } from "../../lib/capture/clip_recorder.ts";
import { decodeOutput, denoTask, spawnTask } from "../helpers/deno_task.ts";
import { ffmpeg, repoPath } from "../helpers/media.ts";
import { until } from "../helpers/until.ts";

const decoder = new TextDecoder();
const dir = await Deno.makeTempDir({ prefix: "camwatch-capture-" });
// The sample with its first frame held for 4 s: a still street, then people walk in.
const STILL_THEN_MOTION = `${dir}/still_then_motion.mp4`;
await ffmpeg(
  "-i",
  repoPath("video/samples/vtest.mp4"),
  "-t",
  "16",
  "-vf",
  "tpad=start_duration=4:start_mode=clone",
  "-c:v",
  "libx264",
  "-preset",
  "veryfast",
  "-bf",
  "0",
  "-g",
  "20",
  "-keyint_min",
  "20",
  "-sc_threshold",
  "0",
  STILL_THEN_MOTION,
);

async function probe(path: string, entries: string): Promise<string> {
  const out = await new Deno.Command("ffprobe", {
    args: ["-v", "error", "-show_entries", entries, "-of", "csv=p=0", path],
  }).output();
  assert.ok(out.success, decoder.decode(out.stderr));
  return decoder.decode(out.stdout).trim();
}

/** The first decoded frame of a video, as 64x48 grey pixels. */
async function firstFrame(path: string): Promise<Uint8Array> {
  const out = await new Deno.Command("ffmpeg", {
    args: [
      "-v",
      "error",
      "-i",
      path,
      "-frames:v",
      "1",
      "-vf",
      "scale=64:48,format=gray",
      "-f",
      "rawvideo",
      "pipe:1",
    ],
  }).output();
  assert.ok(out.success, decoder.decode(out.stderr));
  return out.stdout;
}

const meanDiff = (a: Uint8Array, b: Uint8Array) =>
  a.reduce((s, v, i) => s + Math.abs(v - b[i]), 0) / a.length;

/** Runs a capture until `until` is satisfied by the clips and log so far, then stops it. */
async function capture(
  url: string,
  clips: { clipSeconds: number; prerollSeconds: number; maxClipSeconds?: number },
  until: (clips: FinishedClip[], log: CaptureLogEntry[]) => boolean,
  timeoutMs = 40_000,
) {
  const videoDir = await Deno.makeTempDir({ dir, prefix: "video-" });
  const found: FinishedClip[] = [];
  const log: CaptureLogEntry[] = [];
  let done: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const check = () => until(found, log) && done();
  const cap = new CameraCapture({
    camera: "front",
    url,
    videoDir,
    clips: { maxClipSeconds: clips.clipSeconds, ...clips },
    source: { retryInitialMs: 200, retryMaxMs: 1000 },
    onClip: (clip) => {
      found.push(clip);
      check();
    },
    onLog: (entry) => {
      log.push(entry);
      check();
    },
  });
  const running = cap.run();
  const timer = setTimeout(() => done(), timeoutMs);
  await Promise.race([finished, running]);
  clearTimeout(timer);
  await cap.stop();
  await running;
  return { clips: found, log, videoDir };
}

Deno.test("motion gives a clip of CLIP_SECONDS + pre-roll (within a GOP) that starts before the motion", async () => {
  await using camera = await CameraEmulator.start({ file: STILL_THEN_MOTION });
  const { clips, log } = await capture(
    camera.url,
    { clipSeconds: 4, prerollSeconds: 2 },
    (c) => c.length >= 1,
  );
  // Stopped after the first clip; motion went on, so a second may have begun and been cut.
  assert.ok(clips.length >= 1, JSON.stringify(log));
  assert.ok(clips.slice(1).every((c) => c.truncated));
  const clip = clips[0];
  assert.equal(clip.truncated, false);
  assert.match(clip.relativePath, /^front\/\d{8}-\d{6}\.mp4$/);
  const duration = Number(await probe(clip.path, "format=duration"));
  // Starts at the keyframe at or before the pre-roll point (GOP 2 s), ends 4 s after the
  // motion. Wall-clock stamping moves segment bounds by a few ms, hence the same small margin
  // on both sides of [6, 8] s (a run measured 8.002 s).
  assert.ok(duration >= 6 - 0.3 && duration <= 6 + 2 + 0.3, `clip of ${duration} s`);
  assert.equal(await probe(clip.path, "stream=codec_name,width,height"), "h264,768,576");
  // Its first frame is the still street from before anyone moved.
  const diff = meanDiff(await firstFrame(clip.path), await firstFrame(STILL_THEN_MOTION));
  assert.ok(diff < 3, `first frame differs from the still scene by ${diff.toFixed(1)} grey levels`);
  const sidecar = JSON.parse(await Deno.readTextFile(clip.sidecarPath));
  assert.equal(sidecar.camera, "front");
  assert.ok(sidecar.preroll >= 1.5, `pre-roll ${sidecar.preroll} s`);
  assert.ok(Date.parse(sidecar.start) < Date.parse(sidecar.motion_start));
  assert.ok(sidecar.motion.peak > 0 && sidecar.motion.boxes.length > 0);
  assert.ok(log.some((e) => /motion started/.test(e.message)));
});

Deno.test("a still scene gives no motion and no clip", async () => {
  await using camera = await CameraEmulator.start(); // colour bars, nothing moves
  let connectedAt = Infinity;
  const { clips, log, videoDir } = await capture(
    camera.url,
    { clipSeconds: 2, prerollSeconds: 1 },
    (_, l) => {
      if (connectedAt === Infinity && l.some((e) => /connected \(/.test(e.message))) {
        connectedAt = performance.now();
      }
      // Log lines only come with events; a still scene has none, so the timeout ends the wait.
      return performance.now() > connectedAt + 8000;
    },
    12_000,
  );
  assert.ok(connectedAt < Infinity, "the camera was reached");
  assert.equal(clips.length, 0);
  assert.ok(!log.some((e) => /motion/.test(e.message)), JSON.stringify(log));
  assert.deepEqual([...Deno.readDirSync(videoDir)].map((e) => e.name).filter((n) => n !== ".cache"), []);
});

Deno.test("a camera drop mid-clip: the clip is finished short, then the capture reconnects", async () => {
  const first = await CameraEmulator.start({ file: repoPath("video/samples/vtest.mp4") });
  const port = first.port;
  let second: Promise<CameraEmulator> | undefined;
  let dropped = false;
  try {
    const { clips, log } = await capture(first.url, { clipSeconds: 20, prerollSeconds: 1 }, (c, l) => {
      const last = l.at(-1);
      if (!dropped && last && /motion started/.test(last.message)) {
        dropped = true;
        setTimeout(() => first.stop(), 3000); // 3 s into the clip
      }
      if (dropped && !second && last && /reconnecting/.test(last.message)) {
        second = (async () => {
          for (let i = 0;; i++) {
            try {
              return await CameraEmulator.start({ file: repoPath("video/samples/vtest.mp4"), port });
            } catch (e) {
              if (i === 50) throw e;
              await new Promise((r) => setTimeout(r, 100));
            }
          }
        })();
        second.catch(() => {});
      }
      return c.length >= 1 && l.some((e) => /connected \(connection [2-9]/.test(e.message));
    });
    assert.ok(clips.length >= 1, JSON.stringify(log));
    const clip = clips[0];
    assert.equal(clip.truncated, true);
    const duration = Number(await probe(clip.path, "format=duration"));
    assert.ok(duration > 1 && duration < 10, `cut clip of ${duration} s`);
    assert.ok(log.some((e) => e.level === "warn" && /disconnected/.test(e.message)));
    assert.ok(log.some((e) => /connected \(connection [2-9]/.test(e.message)), "reconnected");
  } finally {
    await first.stop();
    if (second) await (await second).stop();
  }
});

/** Every file under `dir` (and its subfolders), by path; none when it does not exist. */
function filesUnder(dir: string): string[] {
  try {
    return [...Deno.readDirSync(dir)].flatMap((e) =>
      e.isDirectory ? filesUnder(`${dir}/${e.name}`) : [`${dir}/${e.name}`]
    );
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
}

Deno.test("deno task capture: wrong credentials stop it with a clear message, no password shown", async () => {
  await using camera = await CameraEmulator.start({ user: "admin", password: "correct-horse" });
  const url = camera.url.replace("correct-horse", "battery-staple");
  const videoDir = await Deno.makeTempDir({ dir });
  const out = decodeOutput(
    await denoTask("capture", [], { env: { RTSP_URL: url, CAMERA_NAME: "door", VIDEO_DIR: videoDir } })
      .output(),
  );
  const stderr = out.stderr;
  assert.equal(out.code, 1, stderr);
  // Not a terminal: the error is a JSON log line naming the camera.
  const error = stderr.trim().split("\n").map((l) => JSON.parse(l)).find((e) => e.level === "error");
  assert.equal(error?.camera, "door", stderr);
  assert.match(
    error.msg,
    /^camera rtsp:\/\/admin:\*\*\*@127\.0\.0\.1:\d+\/stream refused the login \(401 Unauthorized\)/,
  );
  assert.doesNotMatch(stderr + out.stdout, /battery-staple|correct-horse/);
});

Deno.test("deno task capture: bad settings stop it at start, naming the variable", async () => {
  const run = async (env: Record<string, string>) =>
    decodeOutput(await denoTask("capture", [], { env }).output());
  const none = await run({});
  assert.equal(none.code, 2);
  assert.match(none.stderr, /RTSP_URL is not set/);
  const clip = await run({ RTSP_URL: "rtsp://127.0.0.1:1/x", CLIP_SECONDS: "long" });
  assert.equal(clip.code, 2);
  assert.match(clip.stderr, /CLIP_SECONDS must be a number between 1 and 3600, got "long"/);
  const name = await run({ RTSP_URL: "rtsp://127.0.0.1:1/x", CAMERA_NAME: "../etc" });
  assert.match(name.stderr, /CAMERA_NAME must be 1-64 letters/);
  const scheme = await run({ RTSP_URL: "ftp://user:pw@cam/x" });
  assert.match(scheme.stderr, /RTSP_URL must be an rtsp:\/\/.*got "ftp:\/\/user:\*\*\*@cam\/x"/);
});

globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));

Deno.test("deno task capture: SIGTERM finishes the clip in progress and exits 0", async () => {
  await using camera = await CameraEmulator.start({ file: STILL_THEN_MOTION });
  const videoDir = await Deno.makeTempDir({ dir });
  await using capture = spawnTask("capture", [], {
    env: {
      RTSP_URL: camera.url,
      CAMERA_NAME: "yard",
      VIDEO_DIR: videoDir,
      CLIP_SECONDS: "30",
      PREROLL_SECONDS: "2",
      LOG_FORMAT: "text",
    },
  });
  // Once the motion has started (a log line on stdout) and the segment it began in is complete (a
  // newer one appears in the cache), the clip in progress has something to finish.
  await capture.waitFor(/yard: motion started/, 60_000);
  const cache = `${videoDir}/.cache`;
  const before = new Set(filesUnder(cache));
  await until(() => filesUnder(cache).some((f) => !before.has(f)), 30_000, "a new segment after the motion");
  const { code, stdout, stderr } = await capture.stop("SIGTERM");
  assert.equal(code, 0, stderr);
  assert.match(stdout, /stopping: finishing the clips in progress/);
  assert.match(stdout, /capture yard: clip yard\/\d{8}-\d{6}\.mp4 \(\d+\.\d s, peak [\d.]+, cut short\)/);
  const clips = [...Deno.readDirSync(`${videoDir}/yard`)].map((e) => e.name);
  assert.equal(clips.filter((n) => n.endsWith(".mp4")).length, 1);
  assert.equal(clips.filter((n) => n.endsWith(".json")).length, 1);
  assert.ok(!clips.some((n) => n.startsWith(".")), `no temporary files: ${clips}`);
  assert.ok(!Deno.readDirSync(videoDir).some((e) => e.name === ".cache"), "the segment cache is removed");
});
