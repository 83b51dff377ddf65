/**
 * The pipeline end to end with real processes: camera emulator, capture, redis-server, workers
 * with the real model, the detection log. Nothing may be lost or logged twice. The scripts are
 * started as a user starts them, `deno task capture|worker|demo`, with the tasks' permissions.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { CameraCapture } from "../../lib/capture/camera_capture.ts";
import { CameraEmulator } from "../../tools/camera_emulator.ts";
import { type ClipTask, parseTask } from "../../lib/queue/clip_task.ts";
import { ClipPublisher } from "../../lib/queue/clip_publisher.ts";
import { ClipWorker } from "../../lib/queue/clip_worker.ts";
import { DetectionLog, type LogLine } from "../../lib/queue/detection_log.ts";
import { freePort } from "../../tools/free_port.ts";
import { QueueMonitor } from "../../lib/queue/queue_monitor.ts";
import { TaskConsumer } from "../../lib/queue/task_consumer.ts";
import { TaskProducer } from "../../lib/queue/task_producer.ts";
import { YoloAnalyzer } from "../../lib/yolo/yolo_analyzer.ts";
import { denoTask } from "../helpers/deno_task.ts";
import { cutSample, repoPath } from "../helpers/media.ts";
import { startRedis } from "../helpers/redis_server.ts";
import { until } from "../helpers/until.ts";

const decoder = new TextDecoder();
const dir = await Deno.makeTempDir({ prefix: "camwatch-pipeline-" });
const SAMPLE = repoPath("video/samples/vtest.mp4");
function task(n: number, path: string): ClipTask {
  const start = new Date(Date.UTC(2026, 1, 23, 14, 0, n)).toISOString().replace("Z", "+00:00");
  return {
    v: 1,
    id: `front-${start}`,
    camera: "front",
    path,
    start,
    end: start,
    motion: { peak: 0.1, boxes: [] },
  };
}

async function logLines(path: string): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  for await (const l of new DetectionLog(path).read()) lines.push(l);
  return lines;
}

/** The value of one sample line in Prometheus text (`name{labels} value`), or NaN. */
function metric(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
  return line ? Number(line.slice(series.length + 1)) : NaN;
}

/** `deno task capture` or `deno task worker`, started as a user starts it, with the task's permissions. */
function startTask(name: "capture" | "worker", env: Record<string, string>): Deno.ChildProcess {
  return denoTask(name, [], { env }).spawn();
}

async function stopScript(
  child: Deno.ChildProcess,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    child.kill("SIGTERM");
  } catch { /* exited */ }
  const out = await child.output();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

Deno.test("end to end with the real scripts: emulator → capture → Redis → worker → a log line with person", async () => {
  await using redis = await startRedis({ password: "pipeline-pw" });
  await using camera = await CameraEmulator.start({ file: SAMPLE });
  const videoDir = join(dir, "e2e");
  const env = {
    REDIS_URL: redis.url,
    VIDEO_DIR: videoDir,
    RTSP_URL: camera.url,
    CAMERA_NAME: "front",
    CLIP_SECONDS: "3",
    PREROLL_SECONDS: "1",
    MAX_CLIP_SECONDS: "3",
  };
  const [capturePort, workerPort] = [freePort(), freePort()];
  const capture = startTask("capture", { ...env, METRICS_PORT: String(capturePort) });
  const worker = startTask("worker", { ...env, METRICS_PORT: String(workerPort) });
  const log = join(videoDir, "detections.d");
  try {
    await until(async () => (await logLines(log)).length >= 1, 60_000, "the first log line");
    // Health and metrics of both processes while they run.
    const health = await (await fetch(`http://127.0.0.1:${capturePort}/healthz`)).json();
    assert.equal(health.ok, true);
    assert.equal(health.cameras.front.connected, true);
    assert.equal(health.redis, "connected");
    const captureMetrics = await (await fetch(`http://127.0.0.1:${capturePort}/metrics`)).text();
    assert.ok(metric(captureMetrics, 'camwatch_frames_total{camera="front"}') > 10, captureMetrics);
    assert.ok(metric(captureMetrics, 'camwatch_clips_total{camera="front"}') >= 1);
    assert.ok(metric(captureMetrics, 'camwatch_tasks_published_total{camera="front"}') >= 1);
    assert.equal(metric(captureMetrics, "camwatch_outbox_tasks"), 0);
    const workerHealth = await fetch(`http://127.0.0.1:${workerPort}/healthz`);
    assert.equal(workerHealth.status, 200);
    await workerHealth.body?.cancel();
    const workerMetrics = await (await fetch(`http://127.0.0.1:${workerPort}/metrics`)).text();
    assert.ok(metric(workerMetrics, 'camwatch_tasks_total{outcome="logged"}') >= 1, workerMetrics);
    assert.ok(metric(workerMetrics, "camwatch_inference_ms_count") >= 6);
    assert.ok(metric(workerMetrics, "camwatch_clip_analysis_seconds_count") >= 1);
    await using monitor = await QueueMonitor.connect({ redis: redis.url, parse: parseTask });
    const alive = await monitor.workers();
    assert.equal(alive.length, 1);
    assert.equal(alive[0].model, "yolov8n_int8.onnx");
  } finally {
    const c = await stopScript(capture);
    const w = await stopScript(worker);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(w.code, 0, w.stderr);
    assert.match(w.stdout, /stopped: /);
    // Not a terminal: one JSON object per line.
    const events = c.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.ok(events.every((e) => e.component === "capture" && e.level && e.ts && e.msg));
    assert.ok(events.some((e) => e.camera === "front" && /^clip front\//.test(e.msg)));
    assert.doesNotMatch(c.stdout + c.stderr + w.stdout + w.stderr, /pipeline-pw/);
  }
  const [first] = await logLines(log);
  assert.equal(first.ok, true);
  assert.equal(first.camera, "front");
  assert.match(first.filename, /^front\/\d{8}-\d{6}\.mp4$/);
  assert.ok(first.detected.includes("person"), JSON.stringify(first.detected));
  assert.equal(first.count, first.detected.length);
  assert.ok(first.frames >= 6 && first.objects.person.frames >= 1);
});

Deno.test("kill -9 a worker mid-clip: another takes the task over; exactly one log line", async () => {
  await using redis = await startRedis();
  const videoDir = join(dir, "kill");
  await Deno.mkdir(join(videoDir, "front"), { recursive: true });
  await Deno.copyFile(SAMPLE, join(videoDir, "front", "long.mp4")); // 79.5 s: long to analyse
  await using producer = await TaskProducer.connect({ redis: redis.url, parse: parseTask });
  await using monitor = await QueueMonitor.connect({ redis: redis.url, parse: parseTask });
  const t = task(1, "front/long.mp4");
  await producer.publish(t);
  const env = { REDIS_URL: redis.url, VIDEO_DIR: videoDir, SAMPLE_FPS: "1", TASK_VISIBILITY_SECONDS: "2" };
  const metricsA = freePort();
  const a = startTask("worker", { ...env, WORKER_NAME: "worker-a", METRICS_PORT: String(metricsA) });
  // Wait until worker a holds the task (pending in the group) and is analysing it (a frame
  // through the model), then kill it without warning.
  try {
    await until(async () => (await monitor.stats()).pending === 1, 30_000, "worker a to take the task");
    await until(
      async () => {
        try {
          const text = await (await fetch(`http://127.0.0.1:${metricsA}/metrics`)).text();
          return metric(text, "camwatch_inference_ms_count") >= 1;
        } catch {
          return false; // not serving yet
        }
      },
      30_000,
      "worker a's first inference",
    );
    // The worker itself, not `deno task` (a SIGKILL cannot be passed on): the PID its heartbeat gives.
    const beat = (await monitor.workers()).find((w) => w.name === "worker-a");
    assert.ok(beat && typeof beat.pid === "number" && beat.pid !== a.pid, JSON.stringify(beat));
    Deno.kill(beat.pid as number, "SIGKILL");
  } catch (e) {
    await stopScript(a); // SIGTERM, which deno task passes on
    throw e;
  }
  const killed = await a.output();
  assert.equal(killed.success, false, "deno task worker ends with its worker");
  const b = startTask("worker", { ...env, WORKER_NAME: "worker-b" });
  const log = join(videoDir, "detections.d");
  try {
    await until(async () => (await logLines(log)).length >= 1, 90_000, "worker b's log line");
    await until(async () => (await monitor.stats()).pending === 0, 10_000, "the acknowledgement");
  } finally {
    const out = await stopScript(b);
    assert.equal(out.code, 0, out.stderr);
  }
  const lines = await logLines(log);
  assert.equal(lines.length, 1);
  assert.equal(lines[0].id, t.id);
  assert.equal(lines[0].worker, "worker-b");
  assert.equal(lines[0].ok, true);
});

Deno.test("three workers, many tasks; bad tasks become ok:false lines or dead letters; workers go on", async () => {
  await using redis = await startRedis();
  const videoDir = join(dir, "many");
  await Deno.mkdir(join(videoDir, "front"), { recursive: true });
  await cutSample(join(videoDir, "front", "short.mp4"), 2);
  await Deno.writeFile(
    join(videoDir, "front", "corrupt.mp4"),
    (await Deno.readFile(SAMPLE)).subarray(0, 150_000),
  );
  await using producer = await TaskProducer.connect({ redis: redis.url, parse: parseTask });
  await using monitor = await QueueMonitor.connect({ redis: redis.url, parse: parseTask });
  const good: ClipTask[] = [];
  for (let n = 0; n < 12; n++) {
    await Deno.copyFile(join(videoDir, "front", "short.mp4"), join(videoDir, "front", `c${n}.mp4`));
    good.push(task(n, `front/c${n}.mp4`));
  }
  const corrupt = task(50, "front/corrupt.mp4");
  const missing = task(51, "front/missing.mp4");
  const escape = task(52, "../../etc/passwd");
  for (const t of [...good.slice(0, 6), corrupt, missing, escape, ...good.slice(6)]) {
    await producer.publish(t);
  }
  await producer.publish(good[0]); // the same clip twice: still one line
  const { Redis } = await import("ioredis");
  const raw = new Redis({ port: redis.port, password: redis.password });
  await raw.xadd("video_queue", "*", "task", "not json at all");
  raw.disconnect();

  const log = new DetectionLog(join(videoDir, "detections.d"));
  const analyzer = await YoloAnalyzer.create();
  const controller = new AbortController();
  const workers = await Promise.all(["one", "two", "three"].map(async (name) => {
    const consumer = await TaskConsumer.connect({
      redis: redis.url,
      parse: parseTask,
      consumer: name,
      blockMs: 200,
    });
    return { consumer, worker: new ClipWorker({ consumer, analyzer, log, videoDir, sampleFps: 2, name }) };
  }));
  const running = workers.map(({ worker }) => worker.run(controller.signal));
  try {
    await until(async () => (await logLines(log.path)).length >= 15, 120_000, "15 log lines");
    await until(async () => (await monitor.stats()).dead >= 2, 10_000, "the dead letters");
  } finally {
    controller.abort();
    await Promise.all(running);
    for (const { consumer } of workers) await consumer.close();
    analyzer.close();
  }
  const lines = await logLines(log.path);
  assert.equal(lines.length, 15, "12 clips + corrupt + missing + escape");
  assert.equal(new Set(lines.map((l) => l.id)).size, 15);
  const byId = new Map(lines.map((l) => [l.id, l]));
  for (const t of good) assert.equal(byId.get(t.id)?.ok, true);
  assert.match(byId.get(corrupt.id)!.error!, /front\/corrupt\.mp4: damaged or truncated video/);
  assert.match(byId.get(missing.id)!.error!, /front\/missing\.mp4.*(No such file|not a readable video)/i);
  assert.match(byId.get(escape.id)!.error!, /leaves the video folder/);
  assert.ok(workers.every(({ worker }) => worker.counts.logged > 0), "every worker took part");
  const stats = await monitor.stats();
  assert.equal(stats.pending, 0);
  assert.equal(stats.dead, 2, "the ../ task and the malformed entry");
});

Deno.test("Redis restarts while capture runs: every finished clip reaches the log", async () => {
  const dataDir = await Deno.makeTempDir({ dir });
  let redis = await startRedis({ dataDir });
  await using camera = await CameraEmulator.start({ file: SAMPLE });
  const videoDir = join(dir, "restart");
  const producer = await TaskProducer.connect({
    redis: redis.url,
    parse: parseTask,
    outboxPath: join(videoDir, ".outbox.jsonl"),
  });
  const clips: string[] = [];
  const failures: string[] = [];
  const publisher = new ClipPublisher(producer, {
    onTask: (t) => clips.push(t.id),
    onLog: (e) => e.level === "error" && failures.push(e.message),
  });
  const capture = new CameraCapture({
    camera: "front",
    url: camera.url,
    videoDir,
    clips: { clipSeconds: 2, prerollSeconds: 0, maxClipSeconds: 2, cooldownSeconds: 0 },
    onClip: publisher.onClip,
  });
  const capturing = capture.run();
  const log = new DetectionLog(join(videoDir, "detections.d"));
  const analyzer = await YoloAnalyzer.create();
  const consumer = await TaskConsumer.connect({
    redis: redis.url,
    parse: parseTask,
    consumer: "w",
    blockMs: 200,
  });
  const controller = new AbortController();
  const worker = new ClipWorker({ consumer, analyzer, log, videoDir, sampleFps: 1 }).run(controller.signal);
  try {
    await until(() => clips.length >= 2, 30_000, "two clips before the restart");
    await redis.stop();
    const before = clips.length;
    await until(() => clips.length >= before + 2, 30_000, "two clips while Redis is down");
    redis = await startRedis({ dataDir, port: redis.port });
    await until(() => clips.length >= before + 3, 30_000, "a clip after the restart");
    await capture.stop();
    await capturing;
    const wanted = new Set(clips);
    await until(
      async () => {
        const ids = new Set((await logLines(log.path)).map((l) => l.id));
        return [...wanted].every((id) => ids.has(id));
      },
      60_000,
      `all ${wanted.size} clips in the log`,
    );
  } finally {
    await capture.stop();
    controller.abort();
    await worker;
    await consumer.close();
    await producer.close();
    analyzer.close();
    await redis.stop();
  }
  const lines = await logLines(log.path);
  assert.equal(lines.length, new Set(clips).size, "one line per clip, none twice");
  assert.deepEqual(failures, [], "every clip was queued or kept in the outbox");
  assert.ok(lines.every((l) => l.ok));
});

Deno.test("deno task worker with a wrong Redis password: a clear error at start, no retry storm", async () => {
  await using redis = await startRedis({ password: "the-right-one" });
  const started = performance.now();
  const out = await denoTask("worker", [], {
    env: { REDIS_URL: redis.url.replace("the-right-one", "nope-nope"), VIDEO_DIR: dir },
  }).output();
  const stderr = decoder.decode(out.stderr);
  assert.equal(out.code, 1, stderr);
  assert.match(stderr, /worker: Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ refused the password/);
  assert.doesNotMatch(stderr, /nope-nope|the-right-one/);
  assert.ok(performance.now() - started < 15_000);
  const none = await denoTask("worker", [], { env: { VIDEO_DIR: dir } }).output();
  assert.equal(none.code, 2);
  assert.match(decoder.decode(none.stderr), /REDIS_URL \(or RDS_HOST\) is not set/);
});

globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));

Deno.test("deno task demo (the README's main command) runs the whole pipeline with a private Redis", async () => {
  const videoDir = join(dir, "demo");
  const out = await denoTask("demo", [], {
    // SAMPLE_FPS unset: the default rate, at which the tracking defaults were measured.
    env: { VIDEO_DIR: videoDir, DEMO_CLIPS: "1", CLIP_SECONDS: "3", PREROLL_SECONDS: "1" },
  }).output();
  const stdout = decoder.decode(out.stdout);
  assert.equal(out.code, 0, decoder.decode(out.stderr));
  assert.match(stdout, /started a private redis-server at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+/);
  assert.match(stdout, /demo: 1 clip\(s\) analysed/);
  const json = stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
  assert.equal(json.length, 1);
  assert.ok(json[0].ok && json[0].detected.includes("person"), JSON.stringify(json[0]));
  // Objects, not glimpses: tracks confirmed over 2+ frames with a median score of 0.5+; the sample's
  // single-frame bird and skis (0.25, 0.29) are rejected, not detected; the parked vehicles are stationary.
  const line: LogLine = json[0];
  assert.ok(line.tracks && line.tracks.length > 0, JSON.stringify(line));
  for (const t of line.tracks) assert.ok(t.frames >= 2 && t.score >= 0.5, JSON.stringify(t));
  assert.deepEqual(line.detected, [...new Set(line.tracks.map((t) => t.label))]);
  for (const glimpse of ["bird", "skis", "frisbee", "skateboard"]) {
    assert.ok(!line.detected.includes(glimpse));
  }
  assert.ok(line.tracks.some((t) => t.label !== "person" && t.stationary), "a parked vehicle");
  assert.equal(line.sample_fps, 2);
  assert.ok(line.rejected !== undefined);
  // The evidence beside the clip, named after it, so that retention deletes it with the clip.
  assert.equal(line.evidence, true);
  const stem = line.filename.replace(/\.mp4$/, "");
  await Deno.stat(join(videoDir, `${stem}.detections.csv`));
  for (const t of line.tracks) await Deno.stat(join(videoDir, `${stem}.${t.label}-${t.id}.jpg`));
  assert.match(stdout, /stationary: (car|truck) \d+/);
  assert.equal(
    (await logLines(join(videoDir, "detections.d"))).some((l) => l.id === json[0].id),
    true,
  );
  assert.equal(
    [...Deno.readDirSync(videoDir)].some((e) => e.name === ".cache"),
    false,
    "the segment cache is gone",
  );
});

Deno.test("SIGTERM to a worker mid-clip: it finishes the clip, logs it, acknowledges, exits 0", async () => {
  await using redis = await startRedis();
  const videoDir = join(dir, "sigterm");
  await Deno.mkdir(join(videoDir, "front"), { recursive: true });
  await cutSample(join(videoDir, "front", "clip.mp4"), 30);
  await using producer = await TaskProducer.connect({ redis: redis.url, parse: parseTask });
  await using monitor = await QueueMonitor.connect({ redis: redis.url, parse: parseTask });
  const t = task(7, "front/clip.mp4");
  await producer.publish(t);
  const worker = startTask("worker", { REDIS_URL: redis.url, VIDEO_DIR: videoDir, SAMPLE_FPS: "2" });
  await until(async () => (await monitor.stats()).pending === 1, 30_000, "the worker to take the task");
  const out = await stopScript(worker); // SIGTERM while the 60 frames are being analysed
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /stopping after the clip in progress/);
  const lines = await logLines(join(videoDir, "detections.d"));
  assert.deepEqual(lines.map((l) => [l.id, l.ok, l.frames]), [[t.id, true, 60]]);
  assert.equal((await monitor.stats()).pending, 0, "acknowledged before exiting");
});
