/**
 * RedisTaskQueue against a real redis-server: delivery and ack, malformed entries, reclaim
 * from a dead consumer, the attempts cap, a wrong password, a Redis restart, and the outbox.
 */
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import type { ClipTask } from "../../lib/queue/clip_task.ts";
import {
  type DeadLetter,
  type Delivery,
  QueueError,
  RedisTaskQueue,
} from "../../lib/queue/redis_task_queue.ts";
import { startRedis } from "../helpers/redis_server.ts";
import { until } from "../helpers/until.ts";

const task = (n: number): ClipTask => ({
  v: 1,
  id: `front-2026-02-23T14:46:${String(n).padStart(2, "0")}.000+01:00`,
  camera: "front",
  path: `front/20260223-1446${String(n).padStart(2, "0")}.mp4`,
  start: `2026-02-23T14:46:${String(n).padStart(2, "0")}.000+01:00`,
  end: `2026-02-23T14:47:${String(n).padStart(2, "0")}.000+01:00`,
  motion: { peak: 0.1, boxes: [[0.1, 0.1, 0.2, 0.2]] },
});

/** Takes `n` deliveries from a queue, then stops. */
async function take(
  queue: RedisTaskQueue,
  n: number,
  onDeadLetter?: (d: DeadLetter) => void,
): Promise<Delivery[]> {
  const controller = new AbortController();
  const got: Delivery[] = [];
  const timer = setTimeout(() => controller.abort(), 20_000);
  for await (const d of queue.consume({ signal: controller.signal, onDeadLetter })) {
    got.push(d);
    if (got.length >= n) break;
  }
  clearTimeout(timer);
  return got;
}

Deno.test("publish, consume, ack; a malformed entry goes to the dead letters with its reason", async () => {
  await using redis = await startRedis({ password: "s3cret" });
  await using producer = await RedisTaskQueue.connect({ redis: redis.url });
  await using worker = await RedisTaskQueue.connect({ redis: redis.url, consumer: "w1", blockMs: 200 });
  await worker.stats(); // creates the group before anything is published
  await producer.publish(task(1));
  const raw = new Redis({ port: redis.port, password: "s3cret" });
  await raw.xadd("video_queue", "*", "task", '{"v": 1, "id": "x", "path": "../../etc/shadow"}');
  await raw.xadd("video_queue", "*", "task", "cos\nsystem\n(S'rm -rf /'\ntR."); // a pickle, as RQ sent
  await producer.publish(task(2));
  const dead: DeadLetter[] = [];
  const got = await take(worker, 2, (d) => void dead.push(d));
  assert.deepEqual(got.map((d) => d.task.id), [task(1).id, task(2).id]);
  assert.deepEqual(got.map((d) => d.attempt), [1, 1]);
  for (const d of got) await worker.ack(d);
  assert.equal(dead.length, 2);
  assert.match(dead[0].reason, /task\.camera must be/);
  assert.match(dead[1].reason, /task is not JSON/);
  const stats = await worker.stats();
  assert.equal(stats.pending, 0);
  assert.equal(stats.dead, 2);
  const entries = await raw.xrange("video_queue:dead", "-", "+");
  assert.match(entries[0][1].join(" "), /reason task\.camera must be/);
  const listed = await producer.deadLetters();
  assert.deepEqual(listed.map((d) => d.reason.slice(0, 16)), ["task is not JSON", "task.camera must"]);
  assert.equal(listed[0].task, undefined);
  assert.match(listed[0].raw ?? "", /^cos\nsystem/);
  assert.equal(listed[0].consumer, "w1");
  assert.ok(!Number.isNaN(Date.parse(listed[0].at)));
  raw.disconnect();
  await assert.rejects(() => producer.publish({ ...task(3), path: "" }), /task\.path/);
});

Deno.test("a task left pending by a dead worker is taken over; after maxAttempts it is dead-lettered", async () => {
  await using redis = await startRedis();
  await using producer = await RedisTaskQueue.connect({ redis: redis.url });
  const options = { redis: redis.url, visibilityTimeoutMs: 300, blockMs: 100, maxAttempts: 2 };
  await using a = await RedisTaskQueue.connect({ ...options, consumer: "a" });
  await using b = await RedisTaskQueue.connect({ ...options, consumer: "b" });
  await a.stats();
  await producer.publish(task(1));
  const [first] = await take(a, 1); // "a" dies without acknowledging
  assert.equal(first.attempt, 1);
  const [held] = await producer.pendingTasks();
  assert.deepEqual([held.consumer, held.deliveries, held.task?.id], ["a", 1, task(1).id]);
  assert.ok(held.idleMs >= 0 && held.idleMs < 10_000);
  const [second] = await take(b, 1);
  assert.equal(second.task.id, task(1).id);
  assert.equal(second.attempt, 2);
  // "b" dies too: the third delivery is over the cap.
  const dead: DeadLetter[] = [];
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 3000);
  for await (const _ of a.consume({ signal: controller.signal, onDeadLetter: (d) => void dead.push(d) })) {
    assert.fail("a task over its attempts must not be delivered");
  }
  assert.equal(dead.length, 1);
  assert.equal(dead[0].task?.id, task(1).id);
  assert.match(dead[0].reason, /gave up after 2 attempts/);
  assert.equal((await a.stats()).pending, 0);
});

Deno.test("a wrong password is a clear error at once, without the password", async () => {
  await using redis = await startRedis({ password: "right-one" });
  const started = performance.now();
  await assert.rejects(
    () => RedisTaskQueue.connect({ redis: redis.url.replace("right-one", "wrong-one") }),
    (e: unknown) => {
      assert.ok(e instanceof QueueError);
      assert.match(e.message, /refused the password/);
      assert.match(e.message, /redis:\/\/:\*\*\*@127\.0\.0\.1/);
      assert.doesNotMatch(e.message, /wrong-one|right-one/);
      return true;
    },
  );
  assert.ok(performance.now() - started < 5000, "no retry storm before the error");
  await assert.rejects(
    () => RedisTaskQueue.connect({ redis: "http://127.0.0.1:1" }),
    /redis:\/\/ or rediss:\/\//,
  );
});

Deno.test("Redis restarts: the consumer comes back; the outbox keeps tasks, in order, until Redis returns", async () => {
  let redis = await startRedis();
  const dir = await Deno.makeTempDir({ prefix: "camwatch-outbox-" });
  try {
    const producer = await RedisTaskQueue.connect({ redis: redis.url, outboxPath: `${dir}/outbox.jsonl` });
    const worker = await RedisTaskQueue.connect({ redis: redis.url, consumer: "w", blockMs: 200 });
    await worker.stats();
    await producer.publish(task(1));
    assert.equal((await take(worker, 1))[0].task.id, task(1).id);

    await redis.stop();
    // While Redis is down, capture keeps publishing: the tasks wait in the outbox.
    await until(() => !producer.connected, 5000, "the producer to notice that Redis is gone");
    for (const n of [2, 3, 4]) assert.equal(await producer.publish(task(n)), undefined);
    const outbox = (await Deno.readTextFile(`${dir}/outbox.jsonl`)).trim().split("\n");
    assert.deepEqual(outbox.map((l) => JSON.parse(l).id), [task(2).id, task(3).id, task(4).id]);

    redis = await startRedis({ port: redis.port }); // empty: the group must be made again
    const got = await take(worker, 3);
    assert.deepEqual(got.map((d) => d.task.id), [task(2).id, task(3).id, task(4).id]);
    // The outbox is emptied once the sends are confirmed, which can be just after a worker
    // already has the tasks.
    await until(async () => (await producer.outboxSize()) === 0, 5000, "the outbox to empty");
    assert.equal((await Deno.readTextFile(`${dir}/outbox.jsonl`)).trim(), "");
    await producer.close();
    await worker.close();
  } finally {
    await redis.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
