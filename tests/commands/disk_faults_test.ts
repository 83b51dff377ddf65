/**
 * A full disk, for real: `deno task capture` recording the camera emulator into a tmpfs of a few
 * megabytes. With a free-space floor it deletes the oldest clips and records on; with the disk
 * filled by something else it survives every ENOSPC (segments, clip lists, clips), keeps the clip
 * it could not write, and writes it, queues it and records on once space is back.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { CameraEmulator } from "../../tools/camera_emulator.ts";
import { RedisConnection } from "../../lib/queue/redis_connection.ts";
import { freePort } from "../../tools/free_port.ts";
import { spawnTask } from "../helpers/deno_task.ts";
import { repoPath } from "../helpers/media.ts";
import { startRedis } from "../helpers/redis_server.ts";
import { mountTmpfs } from "../helpers/tmpfs.ts";
import { until } from "../helpers/until.ts";

const SAMPLE = repoPath("video/samples/vtest.mp4"); // people walking the whole time: a clip every 2-3 s
const CLIPS = { CLIP_SECONDS: "2", MAX_CLIP_SECONDS: "2", PREROLL_SECONDS: "1", LOG_FORMAT: "text" };

/** Finished clips of a camera, oldest first (names are their start times). */
function clipsIn(videoDir: string, camera: string): string[] {
  try {
    return [...Deno.readDirSync(join(videoDir, camera))].map((e) => e.name).filter((n) =>
      /^\d{8}-\d{6}(-\d+)?\.mp4$/.test(n)
    )
      .sort();
  } catch {
    return [];
  }
}

const count = (text: string, pattern: RegExp) => text.match(new RegExp(pattern.source, "g"))?.length ?? 0;

Deno.test("deno task capture: MIN_FREE_MB keeps the floor by deleting the oldest clips, and records on", async () => {
  await using disk = await mountTmpfs(12);
  await using camera = await CameraEmulator.start({ file: SAMPLE });
  const t0 = performance.now();
  const metricsPort = freePort();
  await using capture = spawnTask("capture", [], {
    env: {
      ...CLIPS,
      RTSP_URL: camera.url,
      CAMERA_NAME: "front",
      VIDEO_DIR: disk.path,
      MIN_FREE_MB: "8",
      METRICS_PORT: String(metricsPort),
    },
  });
  // 4 MB above the floor hold about a dozen clips; then each new clip makes room by deleting the oldest.
  await capture.waitFor(/(deleted front\/\S+ \([\d.]+ MB, free space\)[\s\S]*){3}/, 120_000);
  const deletedSoFar = count(capture.stdout(), /deleted front\/\S+ \([\d.]+ MB, free space\)/g);
  const clipsSoFar = count(capture.stdout(), /clip front\/\S+ \(/g);
  await until(() => count(capture.stdout(), /clip front\/\S+ \(/g) >= clipsSoFar + 3, 60_000, "3 more clips");
  // /healthz shows the disk kept at its floor; /metrics counts the deletions by reason.
  const health = await (await fetch(`http://127.0.0.1:${metricsPort}/healthz`)).json();
  assert.equal(health.ok, true, JSON.stringify(health));
  assert.equal(health.disk.short, false);
  assert.equal(health.disk.min_free_mb, 8);
  assert.ok(health.disk.free_mb >= 7, JSON.stringify(health.disk));
  const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const deletedMetric = Number(
    metrics.match(/^camwatch_clips_deleted_total\{reason="free space"\} (\d+)$/m)?.[1],
  );
  assert.ok(deletedMetric >= deletedSoFar, metrics);
  assert.match(metrics, /^camwatch_disk_free_bytes \d+$/m);
  const out = await capture.stop("SIGTERM");
  const seconds = (performance.now() - t0) / 1000;
  assert.equal(out.code, 0, out.stderr);
  assert.doesNotMatch(out.stdout + out.stderr, /No space left|cannot write|error/i);
  const written = count(out.stdout, /clip front\/\S+ \(/g);
  const deleted = count(out.stdout, /deleted front\/\S+ \([\d.]+ MB, free space\)/g);
  const left = clipsIn(disk.path, "front");
  const freeMb = (await disk.free()) / 2 ** 20;
  console.log(
    `12 MB disk, MIN_FREE_MB=8: ${written} clips written and ${deleted} deleted in ${
      seconds.toFixed(0)
    } s, ` +
      `${left.length} kept, ${freeMb.toFixed(1)} MB free at the end`,
  );
  assert.ok(deleted > deletedSoFar, "clips were still being deleted to make room at the end");
  assert.equal(left.length, written - deleted);
  // What is kept is the newest: every deleted clip is older than every clip left.
  const deletedNames = [...out.stdout.matchAll(/deleted front\/(\S+) \(/g)].map((m) => m[1]);
  assert.ok(deletedNames.every((d) => d < left[0]), `deleted ${deletedNames.at(-1)}, kept from ${left[0]}`);
  assert.ok(freeMb >= 7, `${freeMb} MB free`); // the floor, less at most the segments of one clip
});

Deno.test("deno task capture: a disk filled by something else is survived, the clip kept is written and queued once there is room", async () => {
  await using disk = await mountTmpfs(16);
  await using redis = await startRedis();
  await using camera = await CameraEmulator.start({ file: SAMPLE });
  await using capture = spawnTask("capture", [], {
    env: {
      ...CLIPS,
      RTSP_URL: camera.url,
      CAMERA_NAME: "front",
      VIDEO_DIR: disk.path,
      MIN_FREE_MB: "0",
      REDIS_URL: redis.url,
    },
  });
  await capture.waitFor(/task front\/\S+ queued/, 60_000);
  const filler = await disk.fill(0);
  const fullAt = capture.stderr().length; // warnings go to stderr
  // Every write fails now: the segments ffmpeg writes and the clips capture cuts. Capture goes on.
  await until(
    () => /No space left on device/.test(capture.stderr().slice(fullAt)),
    30_000,
    "capture to meet the full disk",
  ).catch((e) => {
    throw new Error(`${e.message}: ${capture.stderr().slice(fullAt)}`);
  });
  // ffmpeg cannot write its segments either (it writes nothing and goes on): capture stops each
  // connection that records nothing, says why, and tries again.
  await until(
    () => count(capture.stderr().slice(fullAt), /reconnecting in/g) >= 2,
    90_000,
    "two failed connections survived",
  ).catch((e) => {
    throw new Error(`${e.message}: ${capture.stderr().slice(fullAt)}`);
  });
  const whileFull = capture.stderr().slice(fullAt);
  assert.match(
    whileFull,
    /disconnected: frames arrive but no segment was written for \d+ s; the disk is full \(0 MB free\)/,
  );
  const keptWhileFull = /its segments are kept and it is written once there is room/.test(whileFull);
  assert.ok(keptWhileFull, whileFull);
  await Deno.remove(filler);
  const freedAt = capture.stdout().length;
  await until(
    () => count(capture.stdout().slice(freedAt), /clip front\/\S+ \(/g) >= 3,
    60_000,
    "3 clips once space is back",
  );
  const out = await capture.stop("SIGTERM");
  assert.equal(out.code, 0, out.stderr);
  assert.doesNotMatch(out.stdout + out.stderr, /^\S+ error |lost|not handed over/m);
  const written = clipsIn(disk.path, "front");
  await using connection = await RedisConnection.open(redis.url);
  const queued = await connection.client.xlen("video_queue");
  console.log(
    `full disk: ${count(whileFull, /reconnecting in/g)} failed connections survived` +
      `${
        keptWhileFull ? ", a clip kept until there was room" : ""
      }; ${written.length} clips on disk, ${queued} queued`,
  );
  // Nothing dropped: every clip on disk was queued.
  assert.ok(written.length >= 4);
  assert.equal(queued, written.length);
});
