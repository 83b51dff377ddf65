/**
 * ClipWorker with a real redis-server, the real detector and a real clip: a log on a full disk
 * (/dev/full: every write fails with ENOSPC) is not acknowledged and the worker backs off until
 * there is space; a slow worker's real result wins over the dead letter's line written meanwhile.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseTask } from "../../lib/queue/clip_task.ts";
import { ClipWorker } from "../../lib/queue/clip_worker.ts";
import { DetectionLog } from "../../lib/queue/detection_log.ts";
import { QueueMonitor } from "../../lib/queue/queue_monitor.ts";
import { TaskConsumer } from "../../lib/queue/task_consumer.ts";
import { TaskProducer } from "../../lib/queue/task_producer.ts";
import { YoloAnalyzer } from "../../lib/yolo/yolo_analyzer.ts";
import { cutSample } from "../helpers/media.ts";
import { startRedis } from "../helpers/redis_server.ts";
import { until } from "../helpers/until.ts";
import { take, task } from "./queue_fixtures.ts";

const videoDir = await Deno.makeTempDir({ prefix: "camwatch-worker-" });
await Deno.mkdir(join(videoDir, "front"));
for (const n of [1, 2]) await cutSample(join(videoDir, task(n).path), 1);

Deno.test("a full disk: the task is not acknowledged, the worker backs off (capped), and the clip is logged once there is space", async () => {
  await using redis = await startRedis();
  await using analyzer = await YoloAnalyzer.create();
  const logPath = join(videoDir, "full.jsonl");
  await Deno.symlink("/dev/full", logPath); // every write: ENOSPC
  const roles = { redis: redis.url, parse: parseTask };
  await using producer = await TaskProducer.connect(roles);
  await using consumer = await TaskConsumer.connect({
    ...roles,
    consumer: "w1",
    blockMs: 100,
    maxAttempts: 3,
  });
  await using monitor = await QueueMonitor.connect(roles);
  const messages: string[] = [];
  const worker = new ClipWorker({
    consumer,
    analyzer,
    log: new DetectionLog(logPath),
    videoDir,
    retryBackoffMs: 100,
    maxRetryBackoffMs: 400,
    onLog: (m) => messages.push(m),
  });
  await producer.publish(task(1));
  const stop = new AbortController();
  const running = worker.run(stop.signal);
  try {
    await until(() => worker.counts.retry >= 5, 60_000, "five failed writes");
    const retries = messages.filter((m) => m.startsWith("retry:"));
    assert.match(retries[0], /^retry: front\/20260223-144601\.mp4: cannot write .*No space left on device/);
    assert.deepEqual(
      retries.slice(0, 5).map((m) => Number(/next task in (\d+) ms$/.exec(m)?.[1])),
      [100, 200, 400, 400, 400],
      "capped exponential backoff",
    );
    // More failures than maxAttempts, yet the task is neither acknowledged nor dead-lettered.
    const stats = await monitor.stats();
    assert.equal(stats.pending, 1);
    assert.equal(stats.dead, 0);
    const [held] = await monitor.pendingTasks();
    assert.ok(held.deliveries <= 1, `deliveries counted: ${held.deliveries}`);
    assert.equal(worker.counts.logged, 0);

    await Deno.remove(logPath); // space again
    await until(async () => (await monitor.stats()).pending === 0, 60_000, "the task to be acknowledged");
  } finally {
    stop.abort();
    await running;
  }
  const rows = (await Deno.readTextFile(logPath)).trimEnd().split("\n").map((r) => JSON.parse(r));
  assert.deepEqual(rows.map((r) => [r.id, r.ok, r.frames]), [[task(1).id, true, 2]]);
  assert.equal(worker.counts.logged, 1);
  assert.equal((await monitor.stats()).dead, 0);
  console.log(`full disk: ${worker.counts.retry} failed writes, then ${rows.length} line for ${task(1).id}`);
});

Deno.test("a dead letter's line on a full disk is retried with the same capped backoff, and written once there is space", async () => {
  await using redis = await startRedis();
  await using analyzer = await YoloAnalyzer.create();
  const logPath = join(videoDir, "full-dead.jsonl");
  await Deno.symlink("/dev/full", logPath); // every write: ENOSPC
  const options = {
    redis: redis.url,
    parse: parseTask,
    blockMs: 100,
    visibilityTimeoutMs: 300,
    maxAttempts: 1,
  };
  await using producer = await TaskProducer.connect(options);
  await using a = await TaskConsumer.connect({ ...options, consumer: "a" });
  await using b = await TaskConsumer.connect({ ...options, consumer: "b" });
  await using monitor = await QueueMonitor.connect(options);
  const messages: { at: number; text: string }[] = [];
  const worker = new ClipWorker({
    consumer: b,
    analyzer,
    log: new DetectionLog(logPath),
    videoDir,
    retryBackoffMs: 100,
    maxRetryBackoffMs: 400,
    onLog: (text) => messages.push({ at: performance.now(), text }),
  });
  await producer.publish(task(1));
  await take(a, 1); // "a" dies with it: "b" takes it over past the visibility timeout, over maxAttempts
  const stop = new AbortController();
  const running = worker.run(stop.signal);
  try {
    await until(() => worker.counts.retry >= 6, 30_000, "six failed writes of the dead letter's line");
    const retries = messages.filter((m) => m.text.startsWith("retry:"));
    assert.match(
      retries[0].text,
      /^retry: front\/20260223-144601\.mp4: dead letter's line: cannot write .*No space left on device/,
    );
    const delays = retries.map((m) => Number(/next attempt in (\d+) ms$/.exec(m.text)?.[1]));
    assert.deepEqual(delays.slice(0, 6), [100, 200, 400, 400, 400, 400], "capped exponential backoff");
    // Each attempt really waited its delay (a flat 500 ms loop would not give 100, 200 then 400).
    const gaps = retries.slice(1, 6).map((m, i) => m.at - retries[i].at);
    gaps.forEach((gap, i) => assert.ok(gap >= delays[i] - 15, `gap ${i}: ${gap} ms after ${delays[i]} ms`));
    assert.ok(gaps.slice(2).every((gap) => gap < 400 + 300), `capped: ${gaps}`);
    assert.equal(worker.counts["dead-letter"], 0);
    assert.equal((await monitor.stats()).dead, 0, "buried only once its line is written");
    console.log(`dead letter on a full disk: gaps between attempts ${gaps.map(Math.round).join(", ")} ms`);

    await Deno.remove(logPath); // space again
    await until(() => worker.counts["dead-letter"] === 1, 10_000, "the dead letter");
  } finally {
    stop.abort();
    await running;
  }
  const rows = (await Deno.readTextFile(logPath)).trimEnd().split("\n").map((r) => JSON.parse(r));
  assert.deepEqual(rows.map((r) => [r.id, r.ok]), [[task(1).id, false]]);
  assert.match(rows[0].error, /gave up after 1 attempts/);
  const stats = await monitor.stats();
  assert.equal(stats.dead, 1);
  assert.equal(stats.pending, 0);
});

Deno.test("a slow worker's real result wins over the ok:false line its task was dead-lettered with meanwhile", async () => {
  await using redis = await startRedis();
  await using analyzer = await YoloAnalyzer.create();
  const logPath = join(videoDir, "slow.jsonl");
  const options = {
    redis: redis.url,
    parse: parseTask,
    blockMs: 100,
    visibilityTimeoutMs: 300,
    maxAttempts: 1,
  };
  await using producer = await TaskProducer.connect(options);
  await using a = await TaskConsumer.connect({ ...options, consumer: "a" });
  await using b = await TaskConsumer.connect({ ...options, consumer: "b" });
  await using monitor = await QueueMonitor.connect(options);
  const slow = new ClipWorker({
    consumer: a,
    analyzer,
    log: new DetectionLog(logPath),
    videoDir,
    name: "slow",
  });
  const other = new ClipWorker({
    consumer: b,
    analyzer,
    log: new DetectionLog(logPath),
    videoDir,
    name: "other",
  });
  await producer.publish(task(2));
  const [delivery] = await take(a, 1); // "slow" has it, and takes its time
  const stop = new AbortController();
  const running = other.run(stop.signal);
  try {
    // "other" sees it idle past the visibility timeout, over maxAttempts: a dead letter and its line.
    await until(() => other.counts["dead-letter"] === 1, 20_000, "the dead letter");
  } finally {
    stop.abort();
    await running;
  }
  const log = new DetectionLog(logPath);
  assert.equal(await log.has(task(2).id), true);
  assert.equal(await log.has(task(2).id, "ok"), false);
  assert.equal(await slow.handle(delivery), "logged");
  const rows = (await Deno.readTextFile(logPath)).trimEnd().split("\n").map((r) => JSON.parse(r));
  assert.deepEqual(rows.map((r) => [r.ok, r.worker]), [[false, "other"], [true, "slow"]]);
  assert.match(rows[0].error, /gave up after 1 attempts/);
  const read = await Array.fromAsync(log.read());
  assert.deepEqual(read.map((r) => [r.id, r.ok, r.worker, r.frames]), [[task(2).id, true, "slow", 2]]);
  // Delivered once more (it was acknowledged by the dead letter; a replay, say): a duplicate now.
  assert.equal(await slow.handle(delivery), "duplicate");
  assert.equal((await Deno.readTextFile(logPath)).trimEnd().split("\n").length, 2);
  assert.equal((await monitor.stats()).dead, 1);
});

globalThis.addEventListener("unload", () => Deno.removeSync(videoDir, { recursive: true }));
