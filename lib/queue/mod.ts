/**
 * The queue, the worker and the log: a finished clip becomes a {@linkcode ClipTask} on a Redis
 * Stream ({@linkcode RedisTaskQueue}); a {@linkcode ClipWorker} takes it, runs the detector
 * over the clip and appends one line per clip to the {@linkcode DetectionLog}, then
 * acknowledges the task. At least once, logged once.
 *
 * @example A worker: analyse each queued clip and log it
 * ```ts
 * import { YoloAnalyzer } from "../yolo/mod.ts";
 * import { ClipWorker, DetectionLog, RedisTaskQueue } from "./mod.ts";
 *
 * await using queue = await RedisTaskQueue.connect({ redis: "redis://127.0.0.1:6379" });
 * await using analyzer = await YoloAnalyzer.create();
 * const worker = new ClipWorker({
 *   queue,
 *   analyzer,
 *   log: new DetectionLog("video/detections_log.jsonl"),
 *   videoDir: "video",
 * });
 * const stop = new AbortController();
 * Deno.addSignalListener("SIGTERM", () => stop.abort());
 * await worker.run(stop.signal); // finishes the clips in progress, then returns
 * ```
 *
 * @module
 */

export { type ClipTask, parseTask, resolveClipPath, TaskError, taskFromClip } from "./clip_task.ts";
export { DetectionLog, type FollowOptions, type LogLine } from "./detection_log.ts";
export {
  type BuriedTask,
  type ConsumeOptions,
  type DeadLetter,
  type Delivery,
  type PendingTask,
  QueueError,
  type RedisTarget,
  RedisTaskQueue,
  type RedisTaskQueueOptions,
} from "./redis_task_queue.ts";
export { ClipWorker, type ClipWorkerOptions, type TaskOutcome } from "./clip_worker.ts";
