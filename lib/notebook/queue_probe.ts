/**
 * A round trip through the pipeline's back half, for the queue notebook: publish a task for an
 * existing clip and wait for a worker's line about it in the detection log.
 *
 * @module
 */

import { isoLocal } from "../capture/clip_recorder.ts";
import type { ClipTask } from "../queue/clip_task.ts";
import type { DetectionLog, LogLine } from "../queue/detection_log.ts";
import { htmlDisplay, JUPYTER_DISPLAY, type MimeBundle, tableHtml } from "./displayable.ts";
import { CamwatchError } from "../errors.ts";
import type { TaskProducer } from "../queue/task_producer.ts";

/** No worker answered a test task in time. */
export class ProbeTimeoutError extends CamwatchError {}

/** Options of {@linkcode sendTestTask}. */
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
 * @example
 * ```ts
 * import { parseTask } from "../queue/clip_task.ts";
 * import { DetectionLog } from "../queue/detection_log.ts";
 * import { TaskProducer } from "../queue/task_producer.ts";
 * import { sendTestTask } from "./queue_probe.ts";
 * await using producer = await TaskProducer.connect({ redis: "redis://127.0.0.1:6379", parse: parseTask });
 * const log = new DetectionLog("video/detections_log.jsonl");
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
