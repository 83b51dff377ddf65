/**
 * TaskProducer against a real redis-server: validation before sending, the outbox while Redis is
 * down (in order, emptied once Redis is back, with the consumer coming back too), and an outbox
 * left by an earlier run.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { Redis } from "ioredis";
import { parseTask } from "../../lib/queue/clip_task.ts";
import { TaskConsumer } from "../../lib/queue/task_consumer.ts";
import { TaskProducer } from "../../lib/queue/task_producer.ts";
import { QUEUE_DEFAULTS } from "../../lib/queue/queue_defaults.ts";
import { QueueError, RedisConnection } from "../../lib/queue/redis_connection.ts";
import { startRedis } from "../helpers/redis_server.ts";
import { until } from "../helpers/until.ts";
import { take, task } from "./queue_fixtures.ts";

Deno.test("a task is validated before it is sent: an invalid one is refused and never reaches Redis", async () => {
  await using redis = await startRedis();
  await using producer = await TaskProducer.connect({ redis: redis.url, parse: parseTask, stream: "clips" });
  await assert.rejects(() => producer.publish({ ...task(3), path: "" }), /task\.path/);
  const id = await producer.publish(task(4));
  assert.match(id ?? "", /^\d+-\d+$/);
  const raw = new Redis({ port: redis.port, password: redis.password });
  try {
    const entries = await raw.xrange("clips", "-", "+");
    assert.deepEqual(entries.map(([, fields]) => JSON.parse(fields[1]).id), [task(4).id]);
  } finally {
    raw.disconnect();
  }
});

Deno.test("Redis restarts: the consumer comes back; the outbox keeps tasks, in order, until Redis returns", async () => {
  let redis = await startRedis();
  const dir = await Deno.makeTempDir({ prefix: "camwatch-outbox-" });
  try {
    const producer = await TaskProducer.connect({
      redis: redis.url,
      parse: parseTask,
      outboxPath: `${dir}/outbox.jsonl`,
    });
    const worker = await TaskConsumer.connect({
      redis: redis.url,
      parse: parseTask,
      consumer: "w",
      blockMs: 200,
    });
    await producer.publish(task(1));
    assert.equal((await take(worker, 1))[0].task.id, task(1).id);

    await redis.stop();
    // While Redis is down, capture keeps publishing: the tasks wait in the outbox.
    await until(() => !producer.connection.connected, 5000, "the producer to notice that Redis is gone");
    for (const n of [2, 3, 4]) assert.equal(await producer.publish(task(n)), undefined);
    assert.equal(await producer.outboxSize(), 3);
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

Deno.test("an outbox left by an earlier run is sent at connect; lines that no longer parse are dropped", async () => {
  await using redis = await startRedis();
  const dir = await Deno.makeTempDir({ prefix: "camwatch-outbox-" });
  try {
    const outboxPath = join(dir, "outbox.jsonl");
    await Deno.writeTextFile(
      outboxPath,
      [task(1), { v: 2, id: "from-the-future" }, task(2)].map((t) => JSON.stringify(t)).join("\n") + "\n",
    );
    await using consumer = await TaskConsumer.connect({ redis: redis.url, parse: parseTask, blockMs: 100 });
    await using producer = await TaskProducer.connect({ redis: redis.url, parse: parseTask, outboxPath });
    assert.equal(await producer.outboxSize(), 0);
    // Redis is up and the outbox empty: a new task goes straight to the stream, behind the others.
    assert.match(await producer.publish(task(3)) ?? "", /^\d+-\d+$/);
    const got = await take(consumer, 3);
    assert.deepEqual(got.map((d) => d.task.id), [task(1).id, task(2).id, task(3).id]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Redis hung (SIGSTOP): publish gives up after the command timeout into the outbox; sent after SIGCONT", async () => {
  await using redis = await startRedis();
  const dir = await Deno.makeTempDir({ prefix: "camwatch-hung-" });
  const outboxPath = join(dir, "outbox.jsonl");
  await using producer = await TaskProducer.connect({ redis: redis.url, parse: parseTask, outboxPath });
  assert.match((await producer.publish(task(1))) ?? "", /^\d+-\d+$/);
  Deno.kill(redis.pid, "SIGSTOP");
  let ms = NaN;
  try {
    const t0 = performance.now();
    assert.equal(await producer.publish(task(2)), undefined); // kept in the outbox
    ms = performance.now() - t0;
    assert.equal(await producer.outboxSize(), 1);
    assert.equal(await producer.publish(task(3)), undefined); // behind it, at once
    assert.equal(await producer.outboxSize(), 2);
  } finally {
    Deno.kill(redis.pid, "SIGCONT");
  }
  assert.ok(
    ms >= QUEUE_DEFAULTS.commandTimeoutMs - 100 && ms < QUEUE_DEFAULTS.commandTimeoutMs + 2000,
    `${ms} ms`,
  );
  // No new task is needed: the producer retries the outbox on its own.
  await until(async () => (await producer.outboxSize()) === 0, 10_000, "the outbox to be sent");
  const raw = new Redis({ port: redis.port, password: redis.password });
  try {
    const ids = (await raw.xrange(producer.stream, "-", "+")).map(([, fields]) => JSON.parse(fields[1]).id);
    // Task 2's timed-out XADD reached Redis when it woke, and the outbox sent it again: at least once.
    assert.deepEqual([...new Set(ids)], [task(1).id, task(2).id, task(3).id]);
  } finally {
    raw.disconnect();
  }
});

Deno.test("RedisConnection with unreachable: retry starts without Redis and connects once it is there", async () => {
  const first = await startRedis();
  await first.stop();
  const warnings: string[] = [];
  await using connection = await RedisConnection.open(first.url, {
    unreachable: "retry",
    onUnreachable: (m) => warnings.push(m),
  });
  assert.equal(connection.connected, false);
  assert.equal(await connection.probe(), "unreachable");
  assert.match(warnings.join(), /cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ yet/);
  await assert.rejects(() => RedisConnection.open(first.url), QueueError); // the default still fails
  await using redis = await startRedis({ port: first.port });
  await until(() => connection.connected, 15_000, "the connection");
  assert.equal(await connection.probe(), "connected");
  Deno.kill(redis.pid, "SIGSTOP");
  try {
    assert.equal(await connection.probe(200), "slow");
  } finally {
    Deno.kill(redis.pid, "SIGCONT");
  }
});
