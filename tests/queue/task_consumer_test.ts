/**
 * TaskConsumer against a real redis-server: delivery and ack, malformed entries, reclaim from a
 * dead consumer, the attempts cap, and a task type of the caller's own.
 */
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { parseTask } from "../../lib/queue/clip_task.ts";
import { QueueMonitor } from "../../lib/queue/queue_monitor.ts";
import { type DeadLetter, TaskConsumer } from "../../lib/queue/task_consumer.ts";
import { TaskProducer } from "../../lib/queue/task_producer.ts";
import { startRedis } from "../helpers/redis_server.ts";
import { take, task } from "./queue_fixtures.ts";

Deno.test("publish, consume, ack; malformed entries go to the dead letters with their reason", async () => {
  await using redis = await startRedis({ password: "s3cret" });
  await using producer = await TaskProducer.connect({ redis: redis.url, parse: parseTask });
  // The group is made at connect: what is published from now on is kept for it.
  await using worker = await TaskConsumer.connect({
    redis: redis.url,
    parse: parseTask,
    consumer: "w1",
    blockMs: 200,
  });
  await using monitor = await QueueMonitor.connect({ redis: redis.url, parse: parseTask });
  await producer.publish(task(1));
  const raw = new Redis({ port: redis.port, password: "s3cret" });
  try {
    await raw.xadd("video_queue", "*", "task", '{"v": 1, "id": "x", "path": "../../etc/shadow"}');
    await raw.xadd("video_queue", "*", "task", "cos\nsystem\n(S'rm -rf /'\ntR."); // a pickle, as RQ sent
    await producer.publish(task(2));
    const dead: DeadLetter<unknown>[] = [];
    const got = await take(worker, 2, (d) => void dead.push(d));
    assert.deepEqual(got.map((d) => d.task.id), [task(1).id, task(2).id]);
    assert.deepEqual(got.map((d) => d.attempt), [1, 1]);
    assert.equal((await monitor.stats()).pending, 2, "held until acknowledged");
    for (const d of got) await worker.ack(d);
    assert.equal(dead.length, 2);
    assert.equal(dead[0].task, undefined);
    assert.match(dead[0].reason, /task\.camera must be/);
    assert.match(dead[1].reason, /task is not JSON/);
    const stats = await monitor.stats();
    assert.equal(stats.pending, 0);
    assert.equal(stats.dead, 2);
    const entries = await raw.xrange("video_queue:dead", "-", "+");
    assert.match(entries[0][1].join(" "), /reason task\.camera must be/);
    assert.match(entries[0][1].join(" "), /consumer w1/);
  } finally {
    raw.disconnect();
  }
});

Deno.test("a task left pending by a dead worker is taken over; after maxAttempts it is dead-lettered", async () => {
  await using redis = await startRedis();
  const options = {
    redis: redis.url,
    parse: parseTask,
    visibilityTimeoutMs: 300,
    blockMs: 100,
    maxAttempts: 2,
  };
  await using a = await TaskConsumer.connect({ ...options, consumer: "a" });
  await using b = await TaskConsumer.connect({ ...options, consumer: "b" });
  await using producer = await TaskProducer.connect({ redis: redis.url, parse: parseTask });
  await using monitor = await QueueMonitor.connect({ redis: redis.url, parse: parseTask });
  await producer.publish(task(1));
  const [first] = await take(a, 1); // "a" dies without acknowledging
  assert.equal(first.attempt, 1);
  const [held] = await monitor.pendingTasks();
  assert.deepEqual([held.consumer, held.deliveries, held.task?.id], ["a", 1, task(1).id]);
  assert.ok(held.idleMs >= 0 && held.idleMs < 10_000);
  const [second] = await take(b, 1);
  assert.equal(second.task.id, task(1).id);
  assert.equal(second.attempt, 2);
  // "b" dies too: the third delivery is over the cap.
  const dead: DeadLetter<unknown>[] = [];
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 20_000);
  const onDeadLetter = (d: DeadLetter<unknown>) => {
    dead.push(d);
    controller.abort();
  };
  for await (const _ of a.consume({ signal: controller.signal, onDeadLetter })) {
    assert.fail("a task over its attempts must not be delivered");
  }
  clearTimeout(timer);
  assert.equal(dead.length, 1);
  assert.equal((dead[0].task as { id: string } | undefined)?.id, task(1).id);
  assert.match(dead[0].reason, /gave up after 2 attempts/);
  assert.equal((await monitor.stats()).pending, 0);
  assert.equal((await monitor.stats()).dead, 1);
});

Deno.test("the task type is the caller's: its parser validates, and its message is the dead letter's reason", async () => {
  await using redis = await startRedis();
  interface Job {
    readonly url: string;
  }
  const parseJob = (input: unknown): Job => {
    const value = typeof input === "string" ? JSON.parse(input) : input;
    if (typeof value?.url !== "string") throw new TypeError("a job needs a url");
    return { url: value.url };
  };
  const roles = { redis: redis.url, parse: parseJob, stream: "jobs" };
  await using consumer = await TaskConsumer.connect({ ...roles, blockMs: 100 });
  await using producer = await TaskProducer.connect(roles);
  await assert.rejects(() => producer.publish({} as Job), /a job needs a url/);
  const raw = new Redis({ port: redis.port, password: redis.password });
  try {
    await raw.xadd("jobs", "*", "task", '{"link": "x"}');
  } finally {
    raw.disconnect();
  }
  await producer.publish({ url: "https://example.org/a" });
  const dead: DeadLetter<Job>[] = [];
  const [got] = await take(consumer, 1, (d) => void dead.push(d));
  assert.equal(got.task.url, "https://example.org/a");
  await consumer.ack(got);
  assert.deepEqual(dead.map((d) => [d.raw, d.reason]), [['{"link": "x"}', "a job needs a url"]]);
  assert.equal(consumer.deadStream, "jobs:dead");
});
