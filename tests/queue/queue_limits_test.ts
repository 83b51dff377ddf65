/**
 * The queue's limits against a real redis-server, measured: a task over maxTaskBytes is refused
 * at publish and dead-lettered (cut, and deleted from the stream) at consume; the dead-letter
 * stream is capped; Redis memory stays flat under six 10 MB tasks.
 */
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { parseTask, TaskError } from "../../lib/queue/clip_task.ts";
import { QUEUE_DEFAULTS } from "../../lib/queue/queue_defaults.ts";
import { type DeadLetter, TaskConsumer } from "../../lib/queue/task_consumer.ts";
import { TaskProducer } from "../../lib/queue/task_producer.ts";
import { startRedis } from "../helpers/redis_server.ts";
import { until } from "../helpers/until.ts";
import { take, task } from "./queue_fixtures.ts";

const TEN_MB = 10 * 1024 * 1024;

async function usedMemory(raw: Redis): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await raw.info("memory"))![1]);
}

Deno.test("a task over maxTaskBytes is refused at publish, with its size and the limit", async () => {
  await using redis = await startRedis();
  await using producer = await TaskProducer.connect({ redis: redis.url, parse: (t: unknown) => t });
  const raw = new Redis({ port: redis.port, password: redis.password });
  try {
    const before = await usedMemory(raw);
    const big = { ...task(1), path: "front/" + "a".repeat(TEN_MB) };
    await assert.rejects(() => producer.publish(big), (e) => {
      assert.ok(e instanceof TaskError);
      assert.match(
        e.message,
        new RegExp(`^task is ${JSON.stringify(big).length} bytes, over the limit of 16384$`),
      );
      return true;
    });
    // Bytes, not characters: 6000 × "é" is 12000 bytes of UTF-8 over a 10000-byte limit.
    await using small = await TaskProducer.connect({
      redis: redis.url,
      parse: (t: unknown) => t,
      maxTaskBytes: 10_000,
    });
    await assert.rejects(() => small.publish({ note: "é".repeat(6000) }), /task is 12011 bytes/);
    assert.ok(await small.publish({ note: "é".repeat(4000) }));
    // The clip parser refuses such a path anyway.
    await assert.rejects(() => producer.publish(big), TaskError);
    await using clips = await TaskProducer.connect({ redis: redis.url, parse: parseTask });
    await assert.rejects(
      () => clips.publish(big),
      /task\.path must be a relative path to the clip of at most 4096/,
    );
    assert.equal(await raw.xlen("video_queue"), 1, "only the small task reached Redis");
    const grown = (await usedMemory(raw)) - before;
    assert.ok(grown < 1024 * 1024, `Redis grew by ${grown} bytes`);
  } finally {
    raw.disconnect();
  }
});

Deno.test("six 10 MB tasks written straight to the stream: dead-lettered cut to a few KiB and deleted; Redis memory back to where it was", async () => {
  await using redis = await startRedis();
  await using consumer = await TaskConsumer.connect({
    redis: redis.url,
    parse: parseTask,
    consumer: "w1",
    blockMs: 100,
  });
  const raw = new Redis({ port: redis.port, password: redis.password });
  try {
    const before = await usedMemory(raw);
    for (let i = 0; i < 6; i++) {
      await raw.xadd(
        "video_queue",
        "*",
        "task",
        JSON.stringify({ ...task(i), path: "front/" + "a".repeat(TEN_MB) }),
      );
    }
    const full = await usedMemory(raw);
    assert.ok(full - before > 6 * TEN_MB, `six entries of 10 MB are in Redis: ${full - before} bytes`);
    await raw.xadd("video_queue", "*", "task", JSON.stringify(task(9)));
    const dead: DeadLetter<unknown>[] = [];
    const got = await take(consumer, 1, (d) => void dead.push(d));
    assert.deepEqual(got.map((d) => d.task.id), [task(9).id], "the small task after them is delivered");
    await consumer.ack(got[0]);
    assert.equal(dead.length, 6);
    for (const d of dead) {
      assert.match(d.reason, /^task is 10485\d{3} bytes, over the limit of 16384$/);
      assert.equal(d.task, undefined);
      assert.ok(d.raw!.length < QUEUE_DEFAULTS.deadLetterTaskChars + 100);
    }
    const entries = await raw.xrange("video_queue:dead", "-", "+");
    assert.equal(entries.length, 6);
    for (const [, fields] of entries) {
      const size = fields.reduce((n, f) => n + f.length, 0);
      assert.ok(size < 5 * 1024, `a dead letter is ${size} characters`);
      assert.match(fields[3], /… \[cut: 10485\d{3} bytes\]$/);
      assert.ok(fields[3].startsWith('{"v":1,"id":"front-2026'));
    }
    const left = await raw.xrange("video_queue", "-", "+");
    assert.deepEqual(left.map(([, f]) => f[1]), [JSON.stringify(task(9))], "the big entries are deleted");
    await until(async () => (await usedMemory(raw)) - before < 1024 * 1024, 10_000, "Redis memory to drop");
    const after = await usedMemory(raw);
    console.log(
      `Redis used_memory: ${before} before, ${full} with six 10 MB tasks, ${after} after consuming them; ` +
        `dead letters of ${
          entries.map(([, f]) => f.reduce((n, x) => n + x.length, 0)).join(", ")
        } characters`,
    );
  } finally {
    raw.disconnect();
  }
});

Deno.test("the dead-letter stream is capped (MAXLEN ~) and a long reason is cut", async () => {
  await using redis = await startRedis();
  const reason = "r".repeat(5000);
  await using consumer = await TaskConsumer.connect({
    redis: redis.url,
    parse: (input: unknown) => {
      if (input === "good") return input;
      throw new Error(reason);
    },
    consumer: "w1",
    blockMs: 100,
    deadLetterMaxLength: 50,
  });
  const raw = new Redis({ port: redis.port, password: redis.password });
  try {
    const pipeline = raw.pipeline();
    for (let i = 0; i < 300; i++) pipeline.xadd("video_queue", "*", "task", `bad ${i}`);
    pipeline.xadd("video_queue", "*", "task", "good");
    await pipeline.exec();
    let dead = 0;
    const got = await take(consumer, 1, () => void dead++);
    assert.equal(got[0].task, "good");
    assert.equal(dead, 300);
    const length = await raw.xlen("video_queue:dead");
    // Approximate trimming removes whole nodes of 100 entries: between 50 and 150 remain.
    assert.ok(length >= 50 && length <= 150, `the dead-letter stream holds ${length} of 300`);
    const [[, fields]] = await raw.xrevrange("video_queue:dead", "+", "-", "COUNT", 1);
    assert.equal(fields[2 * 2 + 1].length, QUEUE_DEFAULTS.deadLetterReasonChars);
    assert.ok(fields[5].endsWith("…"));
    assert.equal(fields[3], "bad 299");
    console.log(`dead-letter stream: ${length} entries kept of 300 (MAXLEN ~ 50)`);
  } finally {
    raw.disconnect();
  }
});
