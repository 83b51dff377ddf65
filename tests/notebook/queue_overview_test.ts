import assert from "node:assert/strict";
import { join } from "node:path";
import { Redis } from "ioredis";
import { listClips } from "../../lib/capture/clip_files.ts";
import { readClipSidecar } from "../../lib/capture/clip_sidecar.ts";
import { parseTask } from "../../lib/queue/clip_task.ts";
import { ClipWorker } from "../../lib/queue/clip_worker.ts";
import { DetectionLog } from "../../lib/queue/detection_log.ts";
import { JUPYTER_DISPLAY } from "../../lib/notebook/displayable.ts";
import { checkQueue, queueOverview } from "../../lib/notebook/queue_overview.ts";
import {
  ProbeSkipped,
  ProbeTimeoutError,
  sendTestTask,
  tryTestTask,
} from "../../lib/notebook/queue_probe.ts";
import { QueueMonitor } from "../../lib/queue/queue_monitor.ts";
import { RedisConnection } from "../../lib/queue/redis_connection.ts";
import { TaskConsumer } from "../../lib/queue/task_consumer.ts";
import { TaskProducer } from "../../lib/queue/task_producer.ts";
import { YoloAnalyzer } from "../../lib/yolo/yolo_analyzer.ts";
import { cutSample } from "../helpers/media.ts";
import { startRedis } from "../helpers/redis_server.ts";
import { freePort } from "../../tools/free_port.ts";

Deno.test("clips are listed newest first, hidden and unfinished files skipped, sidecars read", async () => {
  const dir = await Deno.makeTempDir({ prefix: "camwatch-clips-" });
  try {
    assert.deepEqual(await listClips(join(dir, "missing")), []);
    for (
      const [camera, name, start] of [
        ["front", "20260223-144657", "2026-02-23T14:46:57.000+01:00"],
        ["front", "20260223-150000", "2026-02-23T15:00:00.000+01:00"],
        ["yard", "20260223-144000", "2026-02-23T14:40:00.000+01:00"],
      ]
    ) {
      await Deno.mkdir(join(dir, camera), { recursive: true });
      await Deno.writeTextFile(join(dir, camera, `${name}.mp4`), "x");
      await Deno.writeTextFile(
        join(dir, camera, `${name}.json`),
        JSON.stringify({
          camera,
          start,
          end: start,
          duration: 10,
          motion: { peak: 0.1, boxes: [], timeline: [] },
        }),
      );
    }
    await Deno.writeTextFile(join(dir, "front", ".20260223-160000.mp4.part"), "x");
    await Deno.mkdir(join(dir, ".cache", "front"), { recursive: true });
    await Deno.writeTextFile(join(dir, ".cache", "front", "seg.mp4"), "x");
    await Deno.writeTextFile(join(dir, "yard", "by-hand.mp4"), "x"); // no sidecar: by mtime
    await Deno.utime(join(dir, "yard", "by-hand.mp4"), new Date(0), new Date("2026-02-23T13:00:00Z"));

    const all = await listClips(dir);
    assert.deepEqual(all.map((c) => c.path), [
      "front/20260223-150000.mp4",
      "front/20260223-144657.mp4",
      "yard/20260223-144000.mp4",
      "yard/by-hand.mp4",
    ]);
    assert.equal(all[0].sidecar?.duration, 10);
    assert.equal(all[3].sidecar, undefined);
    assert.equal(
      (await readClipSidecar(dir, "front/20260223-144657.mp4"))?.start,
      "2026-02-23T14:46:57.000+01:00",
    );
    assert.equal(await readClipSidecar(dir, "yard/by-hand.mp4"), undefined);
    assert.deepEqual((await listClips(dir, { camera: "yard", limit: 1 })).map((c) => c.path), [
      "yard/20260223-144000.mp4",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("queue overview and a test task answered by a real worker", async () => {
  await using redis = await startRedis();
  const dir = await Deno.makeTempDir({ prefix: "camwatch-probe-" });
  const controller = new AbortController();
  let running: Promise<void> | undefined;
  try {
    await Deno.mkdir(join(dir, "front"));
    await cutSample(join(dir, "front", "clip.mp4"), 2);
    const log = new DetectionLog(join(dir, "detections_log.jsonl"));
    // As the queue notebook does: one connection for watching and for the test task.
    await using notebook = await RedisConnection.open(redis.url);
    const producer = await TaskProducer.connect({ redis: notebook, parse: parseTask });
    const monitor = await QueueMonitor.connect({ redis: notebook, parse: parseTask });

    // No worker yet: the probe gives up with a message that says what to look at.
    await assert.rejects(
      () => sendTestTask(producer, log, "front/clip.mp4", { timeoutMs: 500 }),
      (e: Error) => e instanceof ProbeTimeoutError && /is a worker running/.test(e.message),
    );
    const raw = new Redis({ port: redis.port, password: redis.password });
    await raw.xadd("video_queue", "*", "task", "not json");
    raw.disconnect();

    await using consumer = await TaskConsumer.connect({
      redis: redis.url,
      parse: parseTask,
      consumer: "w1",
      blockMs: 200,
    });
    await using workerMonitor = await QueueMonitor.connect({ redis: redis.url, parse: parseTask });
    await using _heartbeat = await workerMonitor.startHeartbeat("w1", () => ({ model: "yolov8n_int8.onnx" }));
    await using analyzer = await YoloAnalyzer.create();
    const worker = new ClipWorker({
      consumer,
      analyzer,
      log,
      videoDir: dir,
      sampleFps: 1,
      name: "w1",
    });
    running = worker.run(controller.signal);

    const result = await sendTestTask(producer, log, "front/clip.mp4");
    assert.equal(result.line.id, result.task.id);
    assert.match(result.task.id, /^test-\d{4}-\d\d-\d\dT/);
    assert.equal(result.line.ok, true);
    assert.ok(result.line.detected.includes("person"), String(result));
    assert.ok(result.seconds > 0);
    assert.match(result[JUPYTER_DISPLAY]()["text/html"], /<td>front\/clip\.mp4<\/td>/);

    const overview = await queueOverview(monitor);
    const s = overview.snapshot;
    assert.equal(s.length, 3, "the timed-out task, the bad entry, the answered task");
    assert.equal(s.dead, 1);
    assert.equal(s.deadLetters[0].reason.startsWith("task is not JSON"), true);
    assert.equal(s.pending, 0);
    assert.deepEqual(s.workers.map((w) => [w.name, w.model]), [["w1", "yolov8n_int8.onnx"]]);
    assert.doesNotMatch(
      String(overview) + overview[JUPYTER_DISPLAY]()["text/html"],
      new RegExp(redis.password),
    );
    assert.equal(overview[JUPYTER_DISPLAY]()["text/html"].match(/<table>/g)?.length, 4);
  } finally {
    controller.abort();
    await running;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("no Redis configured: the queue status says so and how to start a worker; no test task is sent", async () => {
  await using queue = await checkQueue({ redis: undefined, videoDir: "/srv/video" });
  assert.equal(queue.state, "no-redis");
  assert.equal(queue.workerAlive, false);
  assert.equal(queue.monitor, undefined);
  assert.equal(queue.overview, undefined);
  assert.match(queue.found, /^no Redis configured/);
  assert.match(
    queue.toDo[0],
    /set REDIS_URL .*`deno task worker` with the same REDIS_URL and VIDEO_DIR \(\/srv\/video\)/,
  );
  assert.match(queue.toDo[1], /`deno task demo` \(it starts a private Redis/);
  assert.equal(await queue.refresh(), queue);
  const bundle = queue[JUPYTER_DISPLAY]();
  assert.match(bundle["text/html"], /<table>.*Queue: no Redis configured.*deno task worker/s);
  assert.match(bundle["text/plain"], /no Redis configured .*— to do: set REDIS_URL/);

  const skipped = await tryTestTask(queue, new DetectionLog("/nonexistent/log.jsonl"), "front/a.mp4");
  assert.ok(skipped instanceof ProbeSkipped, String(skipped));
  assert.equal(skipped.reason, queue.found);
  assert.deepEqual(skipped.toDo, queue.toDo);
  assert.match(skipped[JUPYTER_DISPLAY]()["text/html"], /<table>.*Test task: not sent.*no Redis configured/s);
});

Deno.test("Redis not reachable: reported with the URL masked, at once when refused", async () => {
  const port = freePort(); // nothing listens there
  await using queue = await checkQueue({ redis: `redis://:hunter2@127.0.0.1:${port}`, timeoutMs: 10_000 });
  assert.equal(queue.state, "unreachable");
  assert.equal(queue.redis, `redis://:***@127.0.0.1:${port}`);
  assert.match(
    queue.found,
    new RegExp(`^Redis not reachable at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}: connect ECONNREFUSED`),
  );
  assert.match(
    queue.toDo[0],
    /start redis-server .*`deno task worker` with the same REDIS_URL \(redis:\/\/:\*\*\*@/,
  );
  const shown = String(queue) + JSON.stringify(queue[JUPYTER_DISPLAY]());
  assert.doesNotMatch(shown, /hunter2/);
  assert.match(shown, /Queue: Redis not reachable/);
  const skipped = await tryTestTask(queue, new DetectionLog("/nonexistent/log.jsonl"), "front/a.mp4");
  assert.ok(skipped instanceof ProbeSkipped);
  assert.match(String(skipped), /^test task not sent: Redis not reachable/);
});

Deno.test("a Redis that accepts but never answers is reported unreachable once the time is up", async () => {
  // A server that takes connections and says nothing, as a hung Redis or a wrong port would.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted: Deno.Conn[] = [];
  const accepting = (async () => {
    try {
      for await (const conn of listener) accepted.push(conn);
    } catch { /* closed */ }
  })();
  const { port } = listener.addr as Deno.NetAddr;
  try {
    const started = performance.now();
    const queue = await checkQueue({ redis: `redis://:hunter2@127.0.0.1:${port}`, timeoutMs: 300 });
    const seconds = (performance.now() - started) / 1000;
    assert.equal(queue.state, "unreachable");
    assert.match(
      queue.found,
      new RegExp(`no answer from Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port} within 0\\.3 s`),
    );
    assert.ok(seconds < 5, `gave up after ${seconds.toFixed(1)} s`);
    assert.equal(accepted.length, 1, "it did try to connect");
  } finally {
    listener.close();
    await accepting;
    for (const conn of accepted) conn.close();
  }
});

Deno.test("Redis answers but no worker beats: the figures, no live worker heartbeat, and no test task sent until one beats", async () => {
  await using redis = await startRedis();
  const dir = await Deno.makeTempDir({ prefix: "camwatch-status-" });
  try {
    const log = new DetectionLog(join(dir, "detections_log.jsonl"));
    await using queue = await checkQueue({ redis: redis.url, videoDir: dir });
    assert.equal(queue.state, "no-worker");
    assert.equal(queue.workerAlive, false);
    assert.match(queue.found, /no live worker heartbeat/);
    assert.match(
      queue.toDo.join("\n"),
      new RegExp(
        `deno task worker\` with the same REDIS_URL \\(redis://:\\*\\*\\*@127\\.0\\.0\\.1:${redis.port}\\) and VIDEO_DIR \\(${
          dir.replaceAll("/", "\\/")
        }\\)`,
      ),
    );
    assert.match(queue.toDo.join("\n"), /deno task demo/);
    assert.equal(queue.overview?.snapshot.workers.length, 0);
    const html = queue[JUPYTER_DISPLAY]()["text/html"];
    assert.equal(html.match(/<table>/g)?.length, 5, "the status, then the overview's four tables");
    assert.doesNotMatch(html + String(queue), new RegExp(redis.password));

    const skipped = await tryTestTask(queue, log, "front/a.mp4");
    assert.ok(skipped instanceof ProbeSkipped, String(skipped));
    assert.match(skipped.reason, /no live worker heartbeat/);
    assert.equal((await queue.refresh()).overview?.snapshot.length, 0, "nothing was published");

    // A worker beats: the same connection sees it; without a clip there is still nothing to send.
    await using beating = await QueueMonitor.connect({ redis: redis.url, parse: parseTask });
    await beating.heartbeat("w1", { model: "yolov8n_int8.onnx" });
    const now = await queue.refresh();
    assert.equal(now.state, "ready");
    assert.equal(now.workerAlive, true);
    assert.equal(now.found, "1 live worker on video_queue: w1");
    assert.deepEqual(now.toDo, []);
    const noClip = await tryTestTask(queue, log, undefined);
    assert.ok(noClip instanceof ProbeSkipped);
    assert.match(noClip.reason, /no recorded clip/);
    assert.equal((await queue.refresh()).overview?.snapshot.length, 0, "still nothing published");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a connection given to checkQueue is shared and left open", async () => {
  await using redis = await startRedis();
  await using connection = await RedisConnection.open(redis.url);
  const queue = await checkQueue({ redis: connection, stream: "other_queue" });
  assert.equal(queue.state, "no-worker");
  assert.equal(queue.monitor?.connection, connection);
  assert.equal(queue.overview?.snapshot.stream, "other_queue");
  await queue.close();
  assert.equal(connection.connected, true);
});
