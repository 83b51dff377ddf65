/**
 * One measurement of the log scale benchmark, in a fresh process so that its memory is its own; prints
 * one JSON object on stdout. Started by log_bench.ts:
 *
 * - `worker LOG VIDEO_DIR REDIS_URL TASKS`: a `ClipWorker` on a real redis-server and the given log,
 *   with an analyzer that answers at once (the log and the queue are measured, not YOLO): resident
 *   memory after start, then after TASKS tasks published as capture does (clips of the last day) were
 *   all logged and acknowledged.
 * - `query LOG FROM_MS TO_MS`: `logDataFrame` of the clips started in [FROM, TO): its time, its rows
 *   and resident memory before and after.
 *
 * @module
 */

import { type ClipTask, parseTask } from "../../lib/queue/clip_task.ts";
import { ClipWorker } from "../../lib/queue/clip_worker.ts";
import { DetectionLog } from "../../lib/queue/detection_log.ts";
import { TaskConsumer } from "../../lib/queue/task_consumer.ts";
import { TaskProducer } from "../../lib/queue/task_producer.ts";
import type { YoloAnalyzer } from "../../lib/yolo/yolo_analyzer.ts";

const rss = () => Deno.memoryUsage().rss;
const [mode, ...args] = Deno.args;

if (mode === "worker") {
  const [logPath, videoDir, redisUrl, count] = args;
  const tasks = Number(count);
  // Answers every clip at once with one person: what is measured is the queue and the log.
  const analyzer = {
    modelName: "bench.onnx",
    analyzeVideo: () => ({
      async *[Symbol.asyncIterator]() {},
      summary: () =>
        Promise.resolve({
          detected: ["person"],
          count: 1,
          frames: 1,
          objects: { person: { frames: 1, max: 1, best: 0.9, first: 0, last: 0 } },
          elapsed_ms: 1,
        }),
    }),
  } as unknown as YoloAnalyzer;
  const roles = { redis: redisUrl, parse: parseTask, stream: "bench-log" };
  await using consumer = await TaskConsumer.connect({ ...roles, blockMs: 100 });
  const log = new DetectionLog(logPath);
  const worker = new ClipWorker({ consumer, analyzer, log, videoDir, name: "bench" });
  const controller = new AbortController();
  const running = worker.run(controller.signal);
  const afterStart = rss();
  await using producer = await TaskProducer.connect(roles);
  const now = Date.now();
  for (let n = 0; n < tasks; n++) {
    // Clips of the last 24 hours, as a camera's tasks would be: the newest day files are written to.
    const start = new Date(now - 86_400_000 + (n * 86_400_000) / tasks).toISOString();
    const task: ClipTask = {
      v: 1,
      id: `benchcam-${start}`,
      camera: "benchcam",
      path: "bench/clip.mp4",
      start,
      end: start,
      motion: { peak: 0.1, boxes: [] },
    };
    await producer.publish(task);
  }
  const t0 = performance.now();
  while (worker.counts.logged + worker.counts.duplicate < tasks) {
    if (performance.now() - t0 > 300_000) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const ms = performance.now() - t0;
  controller.abort();
  await running;
  console.log(JSON.stringify({ afterStart, afterTasks: rss(), ms, counts: worker.counts }));
  Deno.exit(0);
}

if (mode === "query") {
  const [logPath, from, to] = args;
  const { logDataFrame } = await import("../../lib/notebook/log_data_frame.ts");
  await logDataFrame([]); // nodejs-polars loaded before the measurement
  const range = { from: new Date(Number(from)), to: new Date(Number(to)) };
  const before = rss();
  const times: number[] = [];
  let rows = 0;
  let after = 0;
  // The median of three loads (the first also pays for a cold page cache); memory after the first.
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    rows = (await logDataFrame(logPath, range)).height;
    times.push(performance.now() - t0);
    if (i === 0) after = rss();
  }
  const ms = times.sort((a, b) => a - b)[1];
  console.log(JSON.stringify({ ms, rows, before, after }));
  Deno.exit(0);
}

console.error(`usage: log_bench_child.ts worker|query …, got ${mode}`);
Deno.exit(2);
