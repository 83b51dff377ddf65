/**
 * RedisConnection against a real redis-server: the check at start (a wrong password, a wrong URL,
 * nobody listening), the password kept out of every message, and a connection shared by roles.
 */
import assert from "node:assert/strict";
import { parseTask } from "../../lib/queue/clip_task.ts";
import { QueueMonitor } from "../../lib/queue/queue_monitor.ts";
import { QueueError, RedisConnection } from "../../lib/queue/redis_connection.ts";
import { TaskConsumer } from "../../lib/queue/task_consumer.ts";
import { TaskProducer } from "../../lib/queue/task_producer.ts";
import { freePort } from "../../tools/free_port.ts";
import { startRedis } from "../helpers/redis_server.ts";
import { take, task } from "./queue_fixtures.ts";

Deno.test("a wrong password is a clear error at once, without the password", async () => {
  await using redis = await startRedis({ password: "right-one" });
  const started = performance.now();
  for (
    const role of [RedisConnection.open, (redis: string) => TaskProducer.connect({ redis, parse: parseTask })]
  ) {
    await assert.rejects(
      () => role(redis.url.replace("right-one", "wrong-one")),
      (e: unknown) => {
        assert.ok(e instanceof QueueError);
        assert.match(e.message, /refused the password/);
        assert.match(e.message, /redis:\/\/:\*\*\*@127\.0\.0\.1/);
        assert.doesNotMatch(e.message, /wrong-one|right-one/);
        return true;
      },
    );
  }
  assert.ok(performance.now() - started < 5000, "no retry storm before the error");
  await assert.rejects(() => RedisConnection.open("http://127.0.0.1:1"), /redis:\/\/ or rediss:\/\//);
  await assert.rejects(
    () => RedisConnection.open({ host: "127.0.0.1", port: freePort(), password: "hunter2" }),
    (e: unknown) => {
      assert.ok(e instanceof QueueError);
      assert.match(e.message, /^cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: /);
      assert.doesNotMatch(e.message, /hunter2/);
      return true;
    },
  );
});

Deno.test("roles given a connection share it and leave it open; closing it ends their consume loops", async () => {
  await using redis = await startRedis();
  const connection = await RedisConnection.open({
    host: "127.0.0.1",
    port: redis.port,
    password: redis.password,
  });
  assert.equal(connection.display, `redis://:***@127.0.0.1:${redis.port}`);
  const roles = { redis: connection, parse: parseTask };
  const producer = await TaskProducer.connect(roles);
  const consumer = await TaskConsumer.connect({ ...roles, blockMs: 100 });
  const monitor = await QueueMonitor.connect(roles);
  assert.equal(producer.connection, connection);
  await producer.publish(task(1));
  const [got] = await take(consumer, 1);
  await consumer.ack(got);
  await producer.close();
  await monitor.close();
  assert.equal(connection.connected, true, "the roles leave a shared connection open");
  assert.equal((await monitor.stats()).length, 1);
  const consuming = Array.fromAsync(consumer.consume()); // no signal: only closing ends it
  await connection.close();
  assert.deepEqual(await consuming, []);
  assert.equal(connection.connected, false);
  await consumer.close();
});
