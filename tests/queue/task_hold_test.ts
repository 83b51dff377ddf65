/**
 * TaskConsumer.hold against a real redis-server: a task that takes longer than the visibility
 * timeout stays with its live worker, and is taken over within the visibility timeout once its
 * worker stops refreshing or its process is killed.
 */
import assert from "node:assert/strict";
import { parseTask } from "../../lib/queue/clip_task.ts";
import type { Delivery } from "../../lib/queue/task_consumer.ts";
import { TaskConsumer } from "../../lib/queue/task_consumer.ts";
import { TaskProducer } from "../../lib/queue/task_producer.ts";
import { startRedis } from "../helpers/redis_server.ts";
import { until } from "../helpers/until.ts";
import { take, task } from "./queue_fixtures.ts";

const VISIBILITY_MS = 2000;

/** Polls `consumer` (XAUTOCLAIM, then new entries) in the background, recording what it gets and when. */
function poll(consumer: TaskConsumer<ReturnType<typeof parseTask>>) {
  const controller = new AbortController();
  const got: { delivery: Delivery<unknown>; at: number }[] = [];
  const done = (async () => {
    for await (const delivery of consumer.consume({ signal: controller.signal })) {
      got.push({ delivery, at: performance.now() });
    }
  })();
  return { got, stop: async () => (controller.abort(), await done) };
}

Deno.test("a held task outlives the visibility timeout; it is taken over once its holder stops refreshing", async () => {
  await using redis = await startRedis();
  const options = { redis: redis.url, parse: parseTask, visibilityTimeoutMs: VISIBILITY_MS, blockMs: 100 };
  await using a = await TaskConsumer.connect({ ...options, consumer: "a" });
  await using b = await TaskConsumer.connect({ ...options, consumer: "b" });
  await using producer = await TaskProducer.connect({ redis: redis.url, parse: parseTask });
  await producer.publish(task(1));
  const [delivery] = await take(a, 1);
  const hold = a.hold(delivery);
  const other = poll(b);
  try {
    // "a" works for 6 s, three visibility timeouts, while "b" polls with XAUTOCLAIM.
    const start = performance.now();
    await until(
      () => performance.now() - start >= 3 * VISIBILITY_MS || other.got.length > 0,
      10_000,
      "6 s of work",
    );
    assert.equal(other.got.length, 0, "a live holder's task is not taken over");
    assert.ok(hold.refreshes >= 6, `refreshed every visibility/3 (${hold.refreshes} times)`);
    assert.equal(hold.lost, false);
    // "a" stops refreshing (hung, or its loop ended without acknowledging).
    hold.stop();
    const stopped = performance.now();
    await until(() => other.got.length > 0, 3 * VISIBILITY_MS, "the takeover");
    const after = other.got[0].at - stopped;
    assert.ok(after < VISIBILITY_MS + 1000, `taken over ${Math.round(after)} ms after the last refresh`);
    assert.equal(other.got[0].delivery.entryId, delivery.entryId);
    assert.equal(other.got[0].delivery.attempt, 2, "refreshes spend no attempt");
  } finally {
    hold.stop();
    await other.stop();
  }
});

Deno.test("a held task is taken over within the visibility timeout after its worker process is killed", async () => {
  await using redis = await startRedis();
  const options = { redis: redis.url, parse: parseTask, visibilityTimeoutMs: VISIBILITY_MS, blockMs: 100 };
  await using b = await TaskConsumer.connect({ ...options, consumer: "b" });
  await using producer = await TaskProducer.connect({ redis: redis.url, parse: parseTask });
  await producer.publish(task(1));
  // The holder: a separate Deno process that takes the task, holds it and prints its refreshes.
  const script = `
    import { parseTask } from "${new URL("../../lib/queue/clip_task.ts", import.meta.url)}";
    import { TaskConsumer } from "${new URL("../../lib/queue/task_consumer.ts", import.meta.url)}";
    const consumer = await TaskConsumer.connect({
      redis: ${JSON.stringify(redis.url)}, parse: parseTask, consumer: "a",
      visibilityTimeoutMs: ${VISIBILITY_MS}, blockMs: 100,
    });
    for await (const delivery of consumer.consume()) {
      const hold = consumer.hold(delivery);
      console.log("took " + delivery.entryId);
      setInterval(() => console.log("refreshes " + hold.refreshes), 100);
      break;
    }
  `;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--quiet", "--no-check", script],
    stdout: "piped",
    stderr: "inherit",
    stdin: "null",
  }).spawn();
  const lines: string[] = [];
  const reading = (async () => {
    let buffer = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      const parts = buffer.split("\n");
      buffer = parts.pop()!;
      lines.push(...parts);
    }
  })();
  let other: ReturnType<typeof poll> | undefined;
  try {
    await until(() => lines.some((l) => l.startsWith("took ")), 20_000, "the child to take the task");
    const polling = other = poll(b); // from now on "b" polls, with XAUTOCLAIM
    const took = performance.now();
    await until(
      () => performance.now() - took >= 3 * VISIBILITY_MS || polling.got.length > 0,
      10_000,
      "6 s of work",
    );
    assert.equal(polling.got.length, 0, `a live process's task is not taken over (${lines.join(" / ")})`);
    const refreshes = Number(lines.findLast((l) => l.startsWith("refreshes "))?.split(" ")[1]);
    assert.ok(refreshes >= 6, `the child refreshed ${refreshes} times`);
    child.kill("SIGKILL");
    await child.status;
    const killed = performance.now();
    await until(() => polling.got.length > 0, 3 * VISIBILITY_MS, "the takeover");
    const after = polling.got[0].at - killed;
    assert.ok(after < VISIBILITY_MS + 1000, `taken over ${Math.round(after)} ms after the kill`);
    assert.equal(polling.got[0].delivery.attempt, 2);
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await child.status;
    await reading;
    await other?.stop();
  }
});

Deno.test("a hold stops once the task is acknowledged, and never takes back a task another consumer took over", async () => {
  await using redis = await startRedis();
  const options = { redis: redis.url, parse: parseTask, visibilityTimeoutMs: 600, blockMs: 100 };
  await using a = await TaskConsumer.connect({ ...options, consumer: "a", holdRefreshMs: 100 });
  await using b = await TaskConsumer.connect({ ...options, consumer: "b" });
  await using producer = await TaskProducer.connect({ redis: redis.url, parse: parseTask });
  await producer.publish(task(1));
  const [first] = await take(a, 1);
  const [taken] = await take(b, 1); // "a" never held it: "b" takes it over after 600 ms
  assert.equal(taken.entryId, first.entryId);
  using late = a.hold(first); // "a" wakes up late: its hold must not steal the task back
  await until(() => late.lost, 5000, "the late hold to notice");
  assert.equal(late.refreshes, 0);
  using held = b.hold(taken);
  await until(() => held.refreshes >= 2, 5000, "two refreshes");
  await b.ack(taken);
  await until(() => held.lost, 5000, "the hold to notice the ack");
  const pending = await b.connection.client.xpending("video_queue", "workers") as [number];
  assert.equal(pending[0], 0, "nothing pending: no refresh claimed an acknowledged task");
});
