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
  /** largest task, in bytes of its JSON text: refused at publish, dead-lettered at consume */
  readonly maxTaskBytes: number;
  /** most entries the dead-letter stream keeps (approximately: `MAXLEN ~`) */
  readonly deadLetterMaxLength: number;
  /** most characters of a task's text kept in its dead letter (a note says how big it was) */
  readonly deadLetterTaskChars: number;
  /** most characters of a dead letter's reason */
  readonly deadLetterReasonChars: number;
  /** most characters of a log line's text field (`filename`, `error`, …), cut with "…" */
  readonly logFieldChars: number;
  /**
   * most tracked objects a log line carries (the first ones, in order of first appearance); the line's
   * `tracks_omitted` counts the others, which `objects[label].count` still counts
   */
  readonly logTracks: number;
  /** most `[t, x, y]` points of a track's `path` in a log line (evenly spread, first and last kept) */
  readonly logPathPoints: number;
  /** most zone names of a track in a log line (the first entered) */
  readonly logTrackZones: number;
  /** the log's folder inside the video folder (a name no camera can have: camera names hold no dot) */
  readonly logFolder: string;
  /** the prototype's log in one file inside the video folder, before the day files */
  readonly singleLogFile: string;
  /** the period of the log's files: one per UTC day of the clips' start */
  readonly logPartition: "day" | "month";
  /** files of a folder log whose ids a writer keeps in memory at once (the bound on its memory) */
  readonly logIndexPartitions: number;
  /**
   * most files a bounded range of a folder log is read from by name; a longer range lists the folder (one
   * listing of a few thousand names costs less than as many look-ups)
   */
  readonly logNamedPartitions: number;
  /** ms a worker waits after its first failure to write the log; doubled after each failure in a row */
  readonly retryBackoffMs: number;
  /** most ms a worker waits after failures to write the log */
  readonly maxRetryBackoffMs: number;
  /** ms a Redis command sent to a connected server may take before it fails (a hung server must not hang a role) */
  readonly commandTimeoutMs: number;
  /**
   * ms a Redis command issued while the connection is down waits for the reconnection before it fails (a
   * restart of Redis should not fail an acknowledgement; a stopping process fails them at once)
   */
  readonly offlineCommandTimeoutMs: number;
  /** ms a connection attempt to Redis may take */
  readonly connectTimeoutMs: number;
  /** ms a blocking read (`XREADGROUP BLOCK`) may take beyond its block time before it fails */
  readonly blockingReadMarginMs: number;
  /** ms between attempts to send the outbox while it holds tasks and Redis seems up */
  readonly outboxRetryMs: number;
  /** ms a health check's PING may take before Redis is reported `slow` */
  readonly healthPingMs: number;
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
  maxTaskBytes: 16 * 1024,
  deadLetterMaxLength: 10_000,
  deadLetterTaskChars: 4 * 1024,
  deadLetterReasonChars: 1024,
  logFieldChars: 1024,
  logTracks: 100,
  logPathPoints: 8,
  logTrackZones: 16,
  logFolder: "detections.d",
  singleLogFile: "detections_log.jsonl",
  logPartition: "day",
  logIndexPartitions: 4,
  logNamedPartitions: 400,
  retryBackoffMs: 1000,
  maxRetryBackoffMs: 60_000,
  commandTimeoutMs: 3000,
  offlineCommandTimeoutMs: 60_000,
  connectTimeoutMs: 3000,
  blockingReadMarginMs: 3000,
  outboxRetryMs: 1000,
  healthPingMs: 1000,
});

/**
 * How long a worker waits after `failures` failures in a row to write the log (its task line or a dead
 * letter's line): `first` ms after the first, doubled after each further failure, never more than `cap`.
 * The one backoff rule for a log that cannot be written, so that a full disk is not hammered.
 *
 * @param failures failures in a row, 1 or more (less counts as 1)
 * @param first ms after the first failure
 * @param cap most ms
 * @default first QUEUE_DEFAULTS.retryBackoffMs (1000)
 * @default cap QUEUE_DEFAULTS.maxRetryBackoffMs (60000)
 * @returns the delay in ms
 *
 * @example
 * ```ts
 * import { retryBackoffMs } from "./queue_defaults.ts";
 * console.log([1, 2, 3, 4, 10].map((n) => retryBackoffMs(n, 100, 400))); // [100, 200, 400, 400, 400]
 * ```
 */
export function retryBackoffMs(
  failures: number,
  first: number = QUEUE_DEFAULTS.retryBackoffMs,
  cap: number = QUEUE_DEFAULTS.maxRetryBackoffMs,
): number {
  // The exponent is bounded so that a long outage does not overflow to Infinity before the cap applies.
  return Math.min(cap, first * 2 ** Math.min(Math.max(0, failures - 1), 30));
}

/**
 * The detection log of a video folder when `DETECTION_LOG` does not name one: the folder
 * `<videoDir>/detections.d`, one file per day.
 *
 * @example
 * ```ts
 * import { defaultLogPath } from "./queue_defaults.ts";
 * console.log(defaultLogPath("/srv/video")); // "/srv/video/detections.d"
 * ```
 */
export function defaultLogPath(videoDir: string): string {
  return `${videoDir.replace(/\/+$/, "") || "/"}/${QUEUE_DEFAULTS.logFolder}`.replace(/^\/\//, "/");
}

/**
 * Cuts a text to at most `max` characters, the last of them "…" (a surrogate pair is not split).
 *
 * @returns the text itself when it is short enough
 *
 * @example
 * ```ts
 * import { truncateText } from "./queue_defaults.ts";
 * console.log(truncateText("front/clip.mp4", 8)); // "front/c…"
 * ```
 */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--; // do not leave half a surrogate pair
  return text.slice(0, end) + "…";
}

/**
 * The size of a text in UTF-8 bytes, as Redis stores it.
 *
 * @returns the byte count; a text of more than `limit` characters is not encoded (its length, already over
 *   any `limit` in bytes, is returned)
 *
 * @example
 * ```ts
 * import { utf8Bytes } from "./queue_defaults.ts";
 * console.log(utf8Bytes("é")); // 2
 * ```
 */
export function utf8Bytes(text: string, limit = Infinity): number {
  if (text.length > limit) return text.length;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

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
