/**
 * A round trip through the pipeline's back half, for the queue notebook: publish a task for an
 * existing clip and wait for a worker's line about it in the detection log; {@linkcode tryTestTask}
 * sends it only when a worker is alive and otherwise says why it was not sent.
 *
 * @module
 */

import { isoLocal } from "../capture/clip_recorder.ts";
import { type ClipTask, parseTask } from "../queue/clip_task.ts";
import type { DetectionLog, LogLine } from "../queue/detection_log.ts";
import { htmlDisplay, JUPYTER_DISPLAY, type MimeBundle, tableHtml } from "./displayable.ts";
import { CamwatchError } from "../errors.ts";
import { TaskProducer } from "../queue/task_producer.ts";
import type { QueueStatus } from "./queue_overview.ts";

/**
 * No worker answered a test task in time: none is running, or it does not see the same video
 * folder or log.
 *
 * @example
 * ```ts
 * import { parseTask } from "../queue/clip_task.ts";
 * import { DetectionLog } from "../queue/detection_log.ts";
 * import { TaskProducer } from "../queue/task_producer.ts";
 * import { ProbeTimeoutError, sendTestTask } from "./queue_probe.ts";
 * await using producer = await TaskProducer.connect({ redis: "redis://127.0.0.1:6379", parse: parseTask });
 * try {
 *   await sendTestTask(producer, new DetectionLog("video/detections.d"), "front/a.mp4", { timeoutMs: 5000 });
 * } catch (e) {
 *   if (e instanceof ProbeTimeoutError) console.log(e.message);
 * }
 * ```
 */
export class ProbeTimeoutError extends CamwatchError {}

/**
 * Options of {@linkcode sendTestTask}.
 *
 * @example
 * ```ts
 * import type { SendTestTaskOptions } from "./queue_probe.ts";
 * const quick: SendTestTaskOptions = { camera: "probe", timeoutMs: 30_000 };
 * ```
 */
export interface SendTestTaskOptions {
  /**
   * The camera name the task carries, so that test lines are easy to tell apart in the log.
   * @default "test"
   */
  readonly camera?: string;
  /**
   * How long to wait for the log line, in ms.
   * @default 120000
   */
  readonly timeoutMs?: number;
}

/**
 * A test task and the log line a worker wrote for it.
 *
 * @example
 * ```ts
 * import { ProbeResult } from "./queue_probe.ts";
 * declare const result: ProbeResult;
 * console.log(`${result.line.detected.join(", ")} after ${result.seconds.toFixed(1)} s`);
 * ```
 */
export class ProbeResult {
  /** the task that was published */
  readonly task: ClipTask;
  /** the worker's line */
  readonly line: LogLine;
  /** seconds from publishing to the line appearing in the log */
  readonly seconds: number;

  /** Pairs a task with its log line. */
  constructor(task: ClipTask, line: LogLine, seconds: number) {
    this.task = task;
    this.line = line;
    this.seconds = seconds;
  }

  /** One line: what was found, by whom, how fast. */
  toString(): string {
    const l = this.line;
    const found = l.ok ? (l.detected.join(", ") || "nothing") : `FAILED: ${l.error}`;
    return `${this.task.path} → ${found} (worker ${l.worker}, ${this.seconds.toFixed(1)} s round trip)`;
  }

  /** The MIME bundle Deno's Jupyter kernel sends: a table of the round trip. */
  [JUPYTER_DISPLAY](): MimeBundle {
    const l = this.line;
    const row = {
      task: this.task.id,
      clip: this.task.path,
      ok: l.ok,
      detected: l.ok ? l.detected.join(", ") : l.error,
      frames: l.frames,
      "analysis (s)": (l.elapsed_ms / 1000).toFixed(1),
      "round trip (s)": this.seconds.toFixed(1),
      worker: l.worker,
    };
    return htmlDisplay(tableHtml([row], "Test task"), this.toString())[JUPYTER_DISPLAY]();
  }
}

/**
 * Publishes a task for a clip that is already in the video folder (`path` relative to it) and
 * waits until a worker has written its line to the log. The task id is new each time
 * (`<camera>-<now>`), so the log's de-duplication never hides the answer. Throws
 * {@linkcode ProbeTimeoutError} when no line comes in time: no worker is running, or it cannot
 * see the same video folder or log.
 *
 * @param path a clip path relative to the worker's video folder
 * @throws {ProbeTimeoutError} when no worker logs the task within `timeoutMs`
 * @throws {TaskError} when `path` or `camera` makes an invalid task (the producer's parser refuses it)
 *
 * @example
 * ```ts
 * import { parseTask } from "../queue/clip_task.ts";
 * import { DetectionLog } from "../queue/detection_log.ts";
 * import { TaskProducer } from "../queue/task_producer.ts";
 * import { sendTestTask } from "./queue_probe.ts";
 * await using producer = await TaskProducer.connect({ redis: "redis://127.0.0.1:6379", parse: parseTask });
 * const log = new DetectionLog("video/detections.d");
 * const result = await sendTestTask(producer, log, "front/20260223-144657.mp4");
 * console.log(String(result));
 * ```
 */
export async function sendTestTask(
  producer: TaskProducer<ClipTask>,
  log: DetectionLog,
  path: string,
  options: SendTestTaskOptions = {},
): Promise<ProbeResult> {
  const now = Date.now();
  const camera = options.camera ?? "test";
  const task: ClipTask = {
    v: 1,
    id: `${camera}-${isoLocal(now)}`,
    camera,
    path,
    start: isoLocal(now),
    end: isoLocal(now),
    motion: { peak: 0, boxes: [] },
  };
  const timeoutMs = options.timeoutMs ?? 120_000;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const started = performance.now();
  try {
    await producer.publish(task);
    // From the start: the id is new, so only the answer can match, however fast it came.
    for await (const line of log.follow({ signal: controller.signal, intervalMs: 100 })) {
      if (line.id === task.id) return new ProbeResult(task, line, (performance.now() - started) / 1000);
    }
  } finally {
    clearTimeout(timer);
  }
  throw new ProbeTimeoutError(
    `no worker logged ${task.id} within ${timeoutMs / 1000} s: is a worker running, with the same ` +
      `VIDEO_DIR and log (${log.path})?`,
  );
}

/**
 * A test task that was not sent, with why (no Redis, Redis unreachable, no live worker, no
 * clip to send) and what to do. Shown in a notebook as a table.
 *
 * @example
 * ```ts
 * import { ProbeSkipped } from "./queue_probe.ts";
 * const skipped = new ProbeSkipped("no live worker heartbeat", ["start a worker: `deno task worker`"]);
 * console.log(String(skipped)); // "test task not sent: no live worker heartbeat — to do: start a worker: …"
 * ```
 */
export class ProbeSkipped {
  /** why it was not sent */
  readonly reason: string;
  /** what to do so that it can be (one way per entry) */
  readonly toDo: readonly string[];

  /** Says why a test task was not sent. */
  constructor(reason: string, toDo: readonly string[]) {
    this.reason = reason;
    this.toDo = toDo;
  }

  /** One line: why, then what to do. */
  toString(): string {
    return `test task not sent: ${this.reason}${
      this.toDo.length ? ` — to do: ${this.toDo.join("; or ")}` : ""
    }`;
  }

  /** The MIME bundle Deno's Jupyter kernel sends: a table of why and what to do. */
  [JUPYTER_DISPLAY](): MimeBundle {
    const steps = this.toDo.length ? this.toDo : [""];
    const rows = steps.map((step, i) => ({ "not sent because": i === 0 ? this.reason : "", "to do": step }));
    return htmlDisplay(tableHtml(rows, "Test task: not sent"), this.toString())[JUPYTER_DISPLAY]();
  }
}

/**
 * The queue notebook's round trip, sent only when it can be answered: checks again that a
 * worker's heartbeat is live (through the status's connection) and that there is a clip, then
 * runs {@linkcode sendTestTask}. Without Redis, without a live worker or without a clip it
 * sends nothing and returns a {@linkcode ProbeSkipped} saying why and what to do. A live worker
 * that does not answer in time is still a {@linkcode ProbeTimeoutError}.
 *
 * @example
 * ```ts
 * import { DetectionLog } from "../queue/detection_log.ts";
 * import { checkQueue } from "./queue_overview.ts";
 * import { tryTestTask } from "./queue_probe.ts";
 * await using queue = await checkQueue({ redis: "redis://127.0.0.1:6379", videoDir: "video" });
 * const log = new DetectionLog("video/detections.d");
 * const outcome = await tryTestTask(queue, log, "front/20260223-144657.mp4");
 * console.log(String(outcome)); // the round trip, or why no test task was sent
 * ```
 */
export async function tryTestTask(
  queue: QueueStatus,
  log: DetectionLog,
  path: string | undefined,
  options: SendTestTaskOptions = {},
): Promise<ProbeResult | ProbeSkipped> {
  const now = await queue.refresh();
  const monitor = now.monitor;
  if (!now.workerAlive || !monitor) return new ProbeSkipped(now.found, now.toDo);
  if (path === undefined) {
    return new ProbeSkipped("there is no recorded clip to send yet", [
      "record some: `deno task capture` (or `deno task demo`) with the same VIDEO_DIR",
    ]);
  }
  await using producer = await TaskProducer.connect({
    redis: monitor.connection,
    parse: parseTask,
    stream: monitor.stream,
  });
  return await sendTestTask(producer, log, path, options);
}
