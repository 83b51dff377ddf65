/**
 * The queue's defaults and the names its roles share, in one place: the settings
 * (`lib/ops/config.ts`), the producer, the consumer and the monitor all read them from here, so
 * a stream written by one is the stream read by the others. This module imports nothing, so
 * that reading settings does not load the Redis client.
 *
 * @module
 */

/** The queue's defaults: see {@linkcode QUEUE_DEFAULTS}. */
export interface QueueDefaults {
  /** the stream tasks travel on (the prototype's `RDSQ_OUTMSG` default) */
  readonly stream: string;
  /** the consumer group the workers share */
  readonly group: string;
  /** ms a delivered task may stay unacknowledged before another worker takes it over */
  readonly visibilityTimeoutMs: number;
  /** deliveries of one task before it goes to the dead letters */
  readonly maxAttempts: number;
  /** ms one blocking read waits for new tasks */
  readonly blockMs: number;
  /** most entries the stream keeps (approximately) */
  readonly maxLength: number;
}

/**
 * Defaults of the queue roles (`TaskProducer`, `TaskConsumer`, `QueueMonitor`) and of the
 * settings that configure them.
 *
 * @example
 * ```ts
 * import { QUEUE_DEFAULTS } from "./queue_defaults.ts";
 * console.log(QUEUE_DEFAULTS.stream, QUEUE_DEFAULTS.maxAttempts); // "video_queue" 3
 * ```
 */
export const QUEUE_DEFAULTS: QueueDefaults = Object.freeze({
  stream: "video_queue",
  group: "workers",
  visibilityTimeoutMs: 300_000,
  maxAttempts: 3,
  blockMs: 2000,
  maxLength: 100_000,
});

/**
 * The stream field that carries a task's JSON: written by the producer, read by the consumer
 * and the monitor.
 *
 * @example
 * ```ts
 * import { TASK_FIELD } from "./queue_defaults.ts";
 * console.log(TASK_FIELD); // "task"
 * ```
 */
export const TASK_FIELD = "task";

/**
 * The dead-letter stream of a task stream: where the consumer puts what it gives up on and
 * where the monitor lists it.
 *
 * @returns the name with `:dead` appended: producer, consumer and monitor all derive it this way
 *
 * @example
 * ```ts
 * import { deadLetterStream } from "./queue_defaults.ts";
 * console.log(deadLetterStream("video_queue")); // "video_queue:dead"
 * ```
 */
export function deadLetterStream(stream: string): string {
  return `${stream}:dead`;
}
