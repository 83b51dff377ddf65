/**
 * ClipWorker with a real redis-server, the real detector and real clips: an analysis longer
 * than the visibility timeout stays with its worker (no other worker analyses the clip at the
 * same time), and hostile clips (a 24-hour video, a FIFO) give `ok: false` lines naming the limit
 * within moments.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseTask } from "../../lib/queue/clip_task.ts";
import { ClipWorker } from "../../lib/queue/clip_worker.ts";
import { DetectionLog, type LogLine } from "../../lib/queue/detection_log.ts";
import { type Delivery, TaskConsumer } from "../../lib/queue/task_consumer.ts";
import { TaskProducer } from "../../lib/queue/task_producer.ts";
import { YoloAnalyzer } from "../../lib/yolo/yolo_analyzer.ts";
import { cutSample, makeDayLongVideo } from "../helpers/media.ts";
import { startRedis } from "../helpers/redis_server.ts";
import { until } from "../helpers/until.ts";
import { task } from "./queue_fixtures.ts";

const VISIBILITY_MS = 2000;
const videoDir = await Deno.makeTempDir({ prefix: "camwatch-hold-" });
await Deno.mkdir(join(videoDir, "front"));
await cutSample(join(videoDir, task(1).path), 6); // every frame: about 60 inferences
await new Deno.Command("mkfifo", { args: [join(videoDir, task(2).path)] }).output();
await makeDayLongVideo(join(videoDir, task(3).path));

Deno.test("a clip analysed for longer than the visibility timeout is analysed by its worker only; hostile clips fail fast", async () => {
  await using redis = await startRedis();
  await using analyzer = await YoloAnalyzer.create();
  const options = { redis: redis.url, parse: parseTask, blockMs: 100, visibilityTimeoutMs: VISIBILITY_MS };
  await using producer = await TaskProducer.connect(options);
  await using w1 = await TaskConsumer.connect({ ...options, consumer: "w1" });
  await using w2 = await TaskConsumer.connect({ ...options, consumer: "w2" });
  const logPath = join(videoDir, "detections_log.jsonl");
  const log = new DetectionLog(logPath);
  const worker = new ClipWorker({ consumer: w1, analyzer, log, videoDir, sampleFps: "all" });
  const lines = async () => await Array.fromAsync(log.read()) as LogLine[];
  await producer.publish(task(1));
  const stop = new AbortController();
  const running = worker.run(stop.signal);
  // Another worker polls (XAUTOCLAIM of tasks idle over 2 s, then new ones) all along.
  const stolen: Delivery<unknown>[] = [];
  const polling = new AbortController();
  const poller = (async () => {
    await until(
      async () => (await w1.connection.client.xpending("video_queue", "workers"))[0] === 1,
      20_000,
      "w1 to take the task",
    );
    for await (const d of w2.consume({ signal: polling.signal })) stolen.push(d);
  })();
  try {
    await until(async () => (await lines()).length === 1, 120_000, "the long clip's line");
    polling.abort();
    await poller;
    const [line] = await lines();
    assert.equal(line.ok, true);
    assert.ok(line.frames >= 50, `${line.frames} frames`);
    assert.ok(
      line.elapsed_ms > VISIBILITY_MS,
      `analysed for ${line.elapsed_ms} ms, over the visibility timeout`,
    );
    assert.equal(stolen.length, 0, "no other worker got the clip while it was analysed");
    assert.equal((await w1.connection.client.xpending("video_queue", "workers"))[0], 0, "acknowledged");

    // A FIFO and a 24-hour video: ok:false lines naming the limit, in moments.
    await producer.publish(task(2));
    await producer.publish(task(3));
    await until(async () => (await lines()).length === 3, 30_000, "the hostile clips' lines");
    const [, fifo, long] = await lines();
    assert.deepEqual([fifo.ok, long.ok], [false, false]);
    assert.equal(fifo.error, `${task(2).path}: not a regular file (a FIFO), refused before opening it`);
    assert.equal(long.error, `${task(3).path}: lasts 90000 s, over the limit of 3600 s (maxDurationSeconds)`);
    assert.ok(
      fifo.elapsed_ms < 2000 && long.elapsed_ms < 5000,
      `${fifo.elapsed_ms} ms, ${long.elapsed_ms} ms`,
    );
    console.log(
      `long clip: ${line.frames} frames in ${line.elapsed_ms} ms, not taken over; FIFO refused in ${fifo.elapsed_ms} ms, 24-hour video in ${long.elapsed_ms} ms`,
    );
  } finally {
    polling.abort();
    await poller.catch(() => {});
    stop.abort();
    await running;
  }
});

globalThis.addEventListener("unload", () => Deno.removeSync(videoDir, { recursive: true }));
