/**
 * QueueMonitor against a real redis-server: counts, held tasks and dead letters as the consumer
 * left them, reading without creating anything, and the worker heartbeats it alone stores.
 */
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { parseTask } from "../../lib/queue/clip_task.ts";
import { QueueMonitor } from "../../lib/queue/queue_monitor.ts";
import { TaskConsumer } from "../../lib/queue/task_consumer.ts";
import { TaskProducer } from "../../lib/queue/task_producer.ts";
import { startRedis } from "../helpers/redis_server.ts";
import { until } from "../helpers/until.ts";
import { take, task } from "./queue_fixtures.ts";

Deno.test("counts, held tasks and the newest dead letters, read without creating the stream or group", async () => {
  await using redis = await startRedis();
  await using monitor = await QueueMonitor.connect({ redis: redis.url, parse: parseTask });
  assert.deepEqual(await monitor.stats(), { length: 0, lag: 0, pending: 0, dead: 0 });
  assert.deepEqual(await monitor.pendingTasks(), []);
  assert.deepEqual(await monitor.deadLetters(), []);
  const raw = new Redis({ port: redis.port, password: redis.password });
  try {
    assert.equal(await raw.exists("video_queue"), 0, "monitoring created nothing");

    await using producer = await TaskProducer.connect({ redis: redis.url, parse: parseTask });
    await producer.publish(task(1));
    assert.deepEqual(await monitor.stats(), { length: 1, lag: 1, pending: 0, dead: 0 }, "no worker yet");

    await using worker = await TaskConsumer.connect({
      redis: redis.url,
      parse: parseTask,
      consumer: "w1",
      blockMs: 100,
    });
    await raw.xadd("video_queue", "*", "task", '{"v": 1, "id": "x", "path": "../../etc/shadow"}');
    await raw.xadd("video_queue", "*", "task", "cos\nsystem\n(S'rm -rf /'\ntR."); // a pickle, as RQ sent
    await producer.publish(task(2));
    const got = await take(worker, 2);
    await worker.ack(got[1]);

    const [held] = await monitor.pendingTasks();
    assert.deepEqual([held.entryId, held.consumer, held.deliveries, held.task?.id], [
      got[0].entryId,
      "w1",
      1,
      task(1).id,
    ]);
    assert.equal(held.raw, JSON.stringify(task(1)));
    assert.ok(held.idleMs >= 0 && held.idleMs < 10_000);
    assert.deepEqual(await monitor.stats(), { length: 4, lag: 0, pending: 1, dead: 2 });

    const listed = await monitor.deadLetters();
    assert.deepEqual(listed.map((d) => d.reason.slice(0, 16)), ["task is not JSON", "task.camera must"]);
    assert.equal(listed[0].task, undefined);
    assert.match(listed[0].raw ?? "", /^cos\nsystem/);
    assert.equal(listed[0].consumer, "w1");
    assert.ok(!Number.isNaN(Date.parse(listed[0].at)));
    assert.notEqual(listed[0].deadId, listed[0].entryId);
    assert.deepEqual((await monitor.deadLetters(1)).map((d) => d.deadId), [listed[0].deadId]);
  } finally {
    raw.disconnect();
  }
});

Deno.test("heartbeats: a beating worker is listed with what it reports; it drops off when it stops or goes quiet", async () => {
  await using redis = await startRedis();
  await using monitor = await QueueMonitor.connect({ redis: redis.url, parse: parseTask });
  await using elsewhere = await QueueMonitor.connect({ redis: redis.url, parse: parseTask, stream: "other" });
  assert.deepEqual(await monitor.workers(), []);

  let clips = 0;
  const heartbeat = await monitor.startHeartbeat(
    "w1",
    () => ({ model: "yolov8n_int8.onnx", clips: ++clips }),
    {
      intervalMs: 50,
      ttlSeconds: 5,
    },
  );
  const [first] = await monitor.workers();
  assert.deepEqual([first.name, first.model, first.clips], ["w1", "yolov8n_int8.onnx", 1]);
  assert.ok(!Number.isNaN(Date.parse(first.at)));
  // Each beat asks again what to report.
  await until(async () => ((await monitor.workers())[0]?.clips as number) >= 3, 5000, "later beats");
  assert.deepEqual(await elsewhere.workers(), [], "heartbeats belong to their stream");

  await monitor.heartbeat("w2", { model: "yolo11n_int8_320.onnx" }, 1); // one beat, then silence
  assert.deepEqual((await monitor.workers()).map((w) => w.name), ["w1", "w2"]);
  await heartbeat.stop();
  assert.deepEqual((await monitor.workers()).map((w) => w.name), ["w2"], "a stopped worker is gone at once");
  await until(async () => (await monitor.workers()).length === 0, 5000, "w2's beat to expire");

  await assert.rejects(
    () => monitor.startHeartbeat("w3", () => ({}), { intervalMs: 30_000, ttlSeconds: 30 }),
    RangeError,
  );
});
