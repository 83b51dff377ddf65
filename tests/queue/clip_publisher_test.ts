/**
 * ClipPublisher against a real redis-server: a finished clip becomes its task on the stream,
 * counted and logged; a clip whose task can never be queued is logged, not thrown; as the capture
 * hook, an outbox on a full disk is thrown, for the capture to hand the clip over again.
 */
import assert from "node:assert/strict";
import type { FinishedClip } from "../../lib/capture/clip_recorder.ts";
import { ClipPublisher, type ClipPublisherLogEntry } from "../../lib/queue/clip_publisher.ts";
import { type ClipTask, parseTask, taskFromClip } from "../../lib/queue/clip_task.ts";
import { TaskConsumer } from "../../lib/queue/task_consumer.ts";
import { TaskProducer } from "../../lib/queue/task_producer.ts";
import { RedisConnection } from "../../lib/queue/redis_connection.ts";
import { MetricsRegistry } from "../../lib/ops/metrics.ts";
import { startRedis } from "../helpers/redis_server.ts";
import { mountTmpfs } from "../helpers/tmpfs.ts";
import { take } from "./queue_fixtures.ts";

const clip = (camera: string, second: number): FinishedClip => ({
  camera,
  path: `/v/${camera}/20260223-1446${second}.mp4`,
  relativePath: `${camera}/20260223-1446${second}.mp4`,
  sidecarPath: `/v/${camera}/20260223-1446${second}.json`,
  start: Date.UTC(2026, 1, 23, 13, 46, second),
  end: Date.UTC(2026, 1, 23, 13, 47, second),
  motionStart: Date.UTC(2026, 1, 23, 13, 46, second + 2),
  peak: 0.12,
  boxes: [[0.1, 0.2, 0.3, 0.4]],
  truncated: false,
});

Deno.test("each finished clip is published as its task, counted by camera and logged; a bad one is logged, not thrown", async () => {
  await using redis = await startRedis();
  const roles = { redis: redis.url, parse: parseTask };
  await using consumer = await TaskConsumer.connect({ ...roles, blockMs: 100 });
  await using producer = await TaskProducer.connect(roles);
  const metrics = new MetricsRegistry();
  const seen: ClipTask[] = [];
  const log: ClipPublisherLogEntry[] = [];
  const publisher = new ClipPublisher(producer, {
    metrics,
    onTask: (t) => seen.push(t),
    onLog: (e) => log.push(e),
  });

  const task = await publisher.publish(clip("front", 10));
  assert.deepEqual(task, taskFromClip(clip("front", 10)));
  await publisher.onClip(clip("yard", 20)); // the capture hook: same work, nothing returned
  const got = await take(consumer, 2);
  assert.deepEqual(got.map((d) => d.task), [task, taskFromClip(clip("yard", 20))]);
  assert.deepEqual(seen, got.map((d) => d.task), "onTask saw each task before it was sent");
  assert.deepEqual(log, [
    { camera: "front", level: "info", message: "task front/20260223-144610.mp4 queued on video_queue" },
    { camera: "yard", level: "info", message: "task yard/20260223-144620.mp4 queued on video_queue" },
  ]);
  const text = metrics.render();
  assert.match(text, /camwatch_tasks_published_total\{camera="front"\} 1\n/);
  assert.match(text, /camwatch_tasks_published_total\{camera="yard"\} 1\n/);
  assert.match(text, /camwatch_outbox_tasks 0\n/);

  // A camera name no task may carry: the publisher says so and capture goes on.
  assert.equal(await publisher.publish(clip("front door", 30)), undefined);
  assert.equal(log.length, 3);
  assert.deepEqual([log[2].camera, log[2].level], ["front door", "error"]);
  assert.match(log[2].message, /^task front door\/20260223-144630\.mp4 not queued: task\.camera/);
  assert.doesNotMatch(metrics.render(), /camera="front door"/);
});

Deno.test("the capture hook: a bad task is logged, an outbox that cannot be written (a full disk) is thrown so capture tries again", async () => {
  const redis = await startRedis();
  const url = redis.url;
  await redis.stop(); // Redis away: the task must go to the outbox
  await using disk = await mountTmpfs(1);
  const outboxPath = `${disk.path}/.outbox.jsonl`;
  const filler = await disk.fill(0); // every write: ENOSPC
  await using connection = await RedisConnection.open(url, { unreachable: "retry", onUnreachable: () => {} });
  await using producer = await TaskProducer.connect({ redis: connection, parse: parseTask, outboxPath });
  const log: ClipPublisherLogEntry[] = [];
  const publisher = new ClipPublisher(producer, { onLog: (e) => log.push(e) });
  await assert.rejects(publisher.onClip(clip("front", 10)), /No space left on device/);
  assert.equal(log.length, 0, "not logged as lost: the capture logs it and tries again");
  await publisher.onClip(clip("front door", 30)); // never a valid task: logged, not thrown
  assert.equal(log.length, 1);
  assert.match(log[0].message, /^task front door\/20260223-144630\.mp4 not queued: task\.camera/);
  // Space again: the same clip is taken.
  await Deno.remove(filler);
  await publisher.onClip(clip("front", 10));
  assert.match(log[1].message, /^task front\/20260223-144610\.mp4 kept in the outbox until Redis is back$/);
  assert.equal((await Deno.readTextFile(outboxPath)).trim().split("\n").length, 1);
});
