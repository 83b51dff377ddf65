/**
 * The queue, the worker and the log. The queue is split by role, the way BullMQ splits Queue,
 * Worker and QueueEvents, over one kind of {@linkcode RedisConnection}:
 *
 * - {@linkcode TaskProducer} publishes tasks to a Redis Stream (with an outbox file while Redis
 *   is unreachable); capture uses it through a {@linkcode ClipPublisher}, which turns each
 *   finished clip into a {@linkcode ClipTask};
 * - {@linkcode TaskConsumer} takes them as one consumer of a group (at least once, reclaim of
 *   stale tasks, an attempts cap and dead letters); a {@linkcode ClipWorker} runs the detector
 *   over each clip, appends one line per clip to the {@linkcode DetectionLog}, then acknowledges;
 * - {@linkcode QueueMonitor} counts, lists held tasks and dead letters, and keeps the worker
 *   heartbeats.
 *
 * The roles are generic over the task type: each is given a parser (`parseTask` for clips)
 * that validates what travels. Defaults shared with the settings are in {@linkcode QUEUE_DEFAULTS}.
 *
 * @example A worker: analyse each queued clip, log it, and show that it is alive
 * ```ts
 * import { YoloAnalyzer } from "../yolo/mod.ts";
 * import { ClipWorker, DetectionLog, parseTask, QueueMonitor, RedisConnection, TaskConsumer } from "./mod.ts";
 *
 * // One connection shared by the two roles of this process.
 * await using connection = await RedisConnection.open("redis://127.0.0.1:6379");
 * const consumer = await TaskConsumer.connect({ redis: connection, parse: parseTask });
 * const monitor = await QueueMonitor.connect({ redis: connection, parse: parseTask });
 * await using analyzer = await YoloAnalyzer.create();
 * const worker = new ClipWorker({
 *   consumer,
 *   analyzer,
 *   log: new DetectionLog("video/detections.d"),
 *   videoDir: "video",
 * });
 * await using _heartbeat = await monitor.startHeartbeat(worker.name, () => ({ tasks: worker.counts }));
 * const stop = new AbortController();
 * Deno.addSignalListener("SIGTERM", () => stop.abort());
 * await worker.run(stop.signal); // finishes the clips in progress, then returns
 * ```
 *
 * @module
 */

export { type ClipTask, parseTask, resolveClipPath, TaskError, taskFromClip } from "./clip_task.ts";
export {
  DetectionLog,
  type DetectionLogOptions,
  type FollowOptions,
  type LogLine,
  LogWriteError,
} from "./detection_log.ts";
export {
  isFolderLog,
  type LogPartition,
  type LogRange,
  partitionKey,
  partitionKeys,
  partitionSpan,
  startOfId,
  UNDATED,
} from "./log_partitions.ts";
export {
  deadLetterStream,
  defaultLogPath,
  QUEUE_DEFAULTS,
  type QueueDefaults,
  retryBackoffMs,
  truncateText,
} from "./queue_defaults.ts";
export {
  type ConnectionSource,
  QueueError,
  RedisConnection,
  type RedisTarget,
  type WaitOptions,
} from "./redis_connection.ts";
export { TaskProducer, type TaskProducerOptions } from "./task_producer.ts";
export {
  type BuriedTask,
  type ConsumeOptions,
  type DeadLetter,
  type Delivery,
  TaskConsumer,
  type TaskConsumerOptions,
  type TaskHold,
} from "./task_consumer.ts";
export {
  type Heartbeat,
  type HeartbeatOptions,
  type PendingTask,
  QueueMonitor,
  type QueueMonitorOptions,
  type QueueStats,
  type WorkerStatus,
} from "./queue_monitor.ts";
export { ClipPublisher, type ClipPublisherLogEntry, type ClipPublisherOptions } from "./clip_publisher.ts";
export { ClipWorker, type ClipWorkerOptions, QueueStepError, type TaskOutcome } from "./clip_worker.ts";
