/**
 * Queue benchmark: tasks per second through publish → consume → ack with a no-op analysis,
 * and the latency from a finished clip to its log line with the real analyzer, next to the
 * analysis time alone, all against a private redis-server in one run.
 *
 * @module
 */

import { join } from "node:path";
import { type ClipTask, parseTask } from "../../lib/queue/clip_task.ts";
import { ClipWorker } from "../../lib/queue/clip_worker.ts";
import { DetectionLog } from "../../lib/queue/detection_log.ts";
import { PrivateRedis } from "../../tools/private_redis.ts";
import { TaskConsumer } from "../../lib/queue/task_consumer.ts";
import { TaskProducer } from "../../lib/queue/task_producer.ts";
import { YoloAnalyzer } from "../../lib/yolo/yolo_analyzer.ts";

/** What the queue benchmark found. */
export interface QueueBenchResult {
  /** tasks through publish → consume → ack per second, no analysis */
  readonly tasksPerSecond: number;
  /** tasks in that run */
  readonly tasks: number;
  /** analysis of the clip alone, ms */
  readonly analysisMs: number;
  /** from publishing the clip's task to its log line, ms */
  readonly latencyMs: number;
}

function task(n: number, path: string): ClipTask {
  const start = new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString().replace("Z", "+00:00");
  return {
    v: 1,
    id: `bench-${start}`,
    camera: "bench",
    path,
    start,
    end: start,
    motion: { peak: 0.1, boxes: [] },
  };
}

/** Runs both measurements. `video` is cut to `seconds` for the latency part. */
export async function benchQueue(video: string, seconds: number, tasks = 2000): Promise<QueueBenchResult> {
  await using redis = await PrivateRedis.start();
  const dir = await Deno.makeTempDir({ prefix: "camwatch-bench-queue-" });
  try {
    // Throughput: a publisher and a consumer at once, acknowledging without any work.
    const roles = { redis: redis.url, parse: parseTask, stream: "bench" };
    await using producer = await TaskProducer.connect(roles);
    await using consumer = await TaskConsumer.connect({ ...roles, blockMs: 100 }); // the group exists now
    const started = performance.now();
    const consuming = (async () => {
      let n = 0;
      for await (const d of consumer.consume()) {
        await consumer.ack(d);
        if (++n === tasks) break;
      }
    })();
    for (let n = 0; n < tasks; n++) await producer.publish(task(n, "bench/none.mp4"));
    await consuming;
    const tasksPerSecond = tasks / ((performance.now() - started) / 1000);

    // Latency with the real analyzer, against the analysis alone on the same clip.
    await Deno.mkdir(join(dir, "bench"));
    const clip = join(dir, "bench", "clip.mp4");
    const cut = await new Deno.Command("ffmpeg", {
      args: ["-loglevel", "error", "-i", video, "-t", String(seconds), "-c", "copy", clip],
    }).output();
    if (!cut.success) throw new Error(new TextDecoder().decode(cut.stderr));
    await using analyzer = await YoloAnalyzer.create();
    await analyzer.analyzeVideo(clip).summary(); // warm up
    const a0 = performance.now();
    await analyzer.analyzeVideo(clip).summary();
    const analysisMs = performance.now() - a0;

    const log = new DetectionLog(join(dir, "log.jsonl"));
    const controller = new AbortController();
    const clips = { redis: redis.url, parse: parseTask, stream: "clips" };
    await using clipProducer = await TaskProducer.connect(clips);
    await using clipConsumer = await TaskConsumer.connect({ ...clips, blockMs: 100 });
    const worker = new ClipWorker({ consumer: clipConsumer, analyzer, log, videoDir: dir }).run(
      controller.signal,
    );
    const t = task(1, "bench/clip.mp4");
    const l0 = performance.now();
    await clipProducer.publish(t);
    for await (const line of log.follow({ signal: controller.signal, intervalMs: 5 })) {
      if (line.id === t.id) break;
    }
    const latencyMs = performance.now() - l0;
    controller.abort();
    await worker;
    return { tasksPerSecond, tasks, analysisMs, latencyMs };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
