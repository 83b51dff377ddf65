/**
 * Queue benchmark: tasks per second through publish → consume → ack with a no-op analysis,
 * and the latency from a finished clip to its log line with the real analyzer, next to the
 * analysis time alone, all against a private redis-server in one run.
 *
 * Nothing is reported that was not done: every task published must reach Redis and come back
 * once to the consumer (distinct ids, the stream holding exactly the tasks published and none
 * left pending); the clip's task must give exactly one log line, `ok`, with as many frames as
 * the analysis alone; a loop that stalls fails after a timeout. Otherwise a
 * {@linkcode BenchFailure} says what.
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
import { BenchFailure, expectWork, within } from "./bench_failure.ts";

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
  /** frames of the clip analysed (alone, and again by the worker) */
  readonly frames: number;
}

/** How long a loop may take before it counts as stalled, ms. */
const STALL_MS = 120_000;
const THROUGHPUT = "queue throughput (publish → consume → ack)";
const LATENCY = "queue latency (clip task → worker → log line)";

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
    const seen = new Set<string>();
    const consuming = (async () => {
      for await (const d of consumer.consume()) {
        await consumer.ack(d);
        seen.add(d.task.id);
        if (seen.size === tasks) break;
      }
    })();
    let published = 0;
    const publishing = (async () => {
      for (let n = 0; n < tasks; n++) {
        if ((await producer.publish(task(n, "bench/none.mp4"))) !== undefined) published++;
      }
    })();
    await within(Promise.all([publishing, consuming]), STALL_MS, THROUGHPUT, `${tasks} tasks`);
    const tasksPerSecond = tasks / ((performance.now() - started) / 1000);
    expectWork(published === tasks, THROUGHPUT, `${published} of ${tasks} tasks reached Redis`);
    expectWork(seen.size === tasks, THROUGHPUT, `consumed ${seen.size} distinct tasks of ${tasks} published`);
    const client = producer.connection.client;
    const length = await client.xlen(roles.stream);
    expectWork(length === tasks, THROUGHPUT, `the stream holds ${length} entries, ${tasks} were published`);
    const pending = await client.xpending(roles.stream, consumer.group) as [number, ...unknown[]];
    expectWork(Number(pending[0]) === 0, THROUGHPUT, `${pending[0]} tasks left unacknowledged`);

    // Latency with the real analyzer, against the analysis alone on the same clip.
    await Deno.mkdir(join(dir, "bench"));
    const clip = join(dir, "bench", "clip.mp4");
    const cut = await new Deno.Command("ffmpeg", {
      args: ["-loglevel", "error", "-i", video, "-t", String(seconds), "-c", "copy", clip],
    }).output();
    if (!cut.success) {
      throw new BenchFailure("ffmpeg (cutting the clip)", new TextDecoder().decode(cut.stderr));
    }
    await using analyzer = await YoloAnalyzer.create();
    await analyzer.analyzeVideo(clip).summary(); // warm up
    const a0 = performance.now();
    const alone = await analyzer.analyzeVideo(clip).summary();
    const analysisMs = performance.now() - a0;
    expectWork(alone.frames > 0, LATENCY, `analysing the ${seconds} s clip alone gave no frame`);

    const log = new DetectionLog(join(dir, "log.jsonl"));
    const controller = new AbortController();
    const clips = { redis: redis.url, parse: parseTask, stream: "clips" };
    await using clipProducer = await TaskProducer.connect(clips);
    await using clipConsumer = await TaskConsumer.connect({ ...clips, blockMs: 100 });
    const clipWorker = new ClipWorker({ consumer: clipConsumer, analyzer, log, videoDir: dir });
    const worker = clipWorker.run(controller.signal);
    const t = task(1, "bench/clip.mp4");
    try {
      const l0 = performance.now();
      expectWork(
        (await clipProducer.publish(t)) !== undefined,
        LATENCY,
        "the clip's task did not reach Redis",
      );
      const logged = (async () => {
        for await (const line of log.follow({ signal: controller.signal, intervalMs: 5 })) {
          if (line.id === t.id) return line;
        }
      })();
      // A worker that crashes or returns has nothing more to log: fail now rather than at the timeout.
      const workerEnded = worker.then(
        () => Promise.reject(new BenchFailure(LATENCY, "the worker stopped before logging the clip")),
        (e) =>
          Promise.reject(
            new BenchFailure(LATENCY, `the worker failed: ${e instanceof Error ? e.message : e}`),
          ),
      );
      workerEnded.catch(() => {}); // handled by the race below, or moot once the line is there
      const line = await within(
        Promise.race([logged, workerEnded]),
        STALL_MS,
        LATENCY,
        "the clip's log line",
      );
      const latencyMs = performance.now() - l0;
      expectWork(line !== undefined, LATENCY, "the log ended without the clip's line");
      expectWork(line.ok, LATENCY, `the worker logged a failure: ${line.error}`);
      expectWork(
        line.frames === alone.frames,
        LATENCY,
        `the worker analysed ${line.frames} frames, the analysis alone ${alone.frames}`,
      );
      controller.abort();
      await within(worker, STALL_MS, LATENCY, "stopping the worker");
      const lines = [];
      for await (const l of log.read()) lines.push(l);
      expectWork(
        lines.length === 1 && clipWorker.counts.logged === 1,
        LATENCY,
        `1 task published, ${lines.length} log lines, ${clipWorker.counts.logged} logged by the worker`,
      );
      return { tasksPerSecond, tasks, analysisMs, latencyMs, frames: alone.frames };
    } finally {
      controller.abort();
      await worker.catch(() => {});
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
