/**
 * `ClipWorker`: takes clip tasks from the queue, analyses each clip (its objects tracked with the
 * camera's zones, filters and masks), writes the evidence beside the clip (the detections CSV and a
 * snapshot per object), appends its log line, then acknowledges the task: at-least-once delivery,
 * exactly one line per clip. Evidence that cannot be written does not hold the line back: the line
 * says `evidence: false` and the reason goes to `onLog`. When the line
 * cannot be written (a full disk, a read-only or failing file system), the task is not
 * acknowledged: it is given back to the queue (without counting the delivery) and the worker
 * waits, longer after each failure in a row, before taking more work.
 *
 * @module
 */

import { hostname } from "node:os";
import { basename, dirname, extname } from "node:path";
import { type ClipTask, resolveClipPath, TaskError } from "./clip_task.ts";
import { type DetectionLog, type LogLine, LogWriteError } from "./detection_log.ts";
import { QUEUE_DEFAULTS, retryBackoffMs } from "./queue_defaults.ts";
import { CamwatchError } from "../errors.ts";
import type { MetricsRegistry } from "../ops/metrics.ts";
import type { DeadLetter, Delivery, TaskConsumer } from "./task_consumer.ts";
import type { VideoSummary, YoloAnalyzer } from "../yolo/yolo_analyzer.ts";
import type { TrackingOptions } from "../yolo/clip_tracks.ts";
import type { EvidenceOptions, EvidenceSource, TrackedFrame } from "../yolo/clip_evidence.ts";

/** Writes a clip's evidence; `writeEvidence` of lib/yolo/clip_evidence.ts, or a stand-in in tests. */
export type EvidenceWriter = (
  video: string,
  result: EvidenceSource,
  frames: readonly TrackedFrame[],
  options: EvidenceOptions,
) => Promise<string[]>;

/**
 * Redis did not take a step of a task (its acknowledgement, its dead letter): down, or slower than the
 * command timeout. The message starts with Redis's own error; the task is delivered again.
 *
 * @example
 * ```ts
 * import { QueueStepError } from "./clip_worker.ts";
 * const e = new QueueStepError("Command timed out (acknowledging front/a.mp4)");
 * console.log(e.name); // "QueueStepError"
 * ```
 */
export class QueueStepError extends CamwatchError {}

/** Runs one Redis step of a task, turning its failure into a {@linkcode QueueStepError}. */
async function queueStep(task: ClipTask, step: string, run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (cause) {
    throw new QueueStepError(`${cause instanceof Error ? cause.message : cause} (${step} ${task.path})`, {
      cause,
    });
  }
}

/** Options of {@linkcode ClipWorker}. */
export interface ClipWorkerOptions {
  /** where tasks come from */
  readonly consumer: TaskConsumer<ClipTask>;
  /** the detector */
  readonly analyzer: YoloAnalyzer;
  /** where results go */
  readonly log: DetectionLog;
  /** folder the task paths are relative to */
  readonly videoDir: string;
  /**
   * Video frames analysed per second.
   * @default 2
   */
  readonly sampleFps?: number | "all";
  /**
   * How a camera's objects are tracked: its zones, filters, object masks and the tracker's and
   * confirmation's settings, by the task's `camera`.
   * @default the defaults of `TRACKER_SETTINGS` and `CONFIRMATION_SETTINGS`, no zones, filters or masks
   */
  readonly tracking?: (camera: string) => TrackingOptions | undefined;
  /**
   * Writes each analysed clip's evidence beside it (dir = the clip's folder, stem = its name without the
   * extension, so that retention deletes it with the clip): pass `writeEvidence` (lib/yolo/clip_evidence.ts).
   * Its failure is reported through `onLog` (`evidence failed: <path>: …`) and the line says
   * `evidence: false`; the line is written and the task acknowledged all the same.
   * @default no evidence (the line has no `evidence` field)
   */
  readonly evidence?: EvidenceWriter;
  /**
   * Clips analysed at once (more overlaps decoding with inference; one is right on 2 cores).
   * @default 1
   */
  readonly concurrency?: number;
  /**
   * Name written in the log lines.
   * @default `<host>:<pid>`
   */
  readonly name?: string;
  /**
   * Called with one line of text per task (`<outcome>: <path>: …`).
   * @default lines are dropped
   */
  readonly onLog?: (message: string) => void;
  /**
   * Where to count tasks by outcome and time inference and clip analysis.
   * @default not counted
   */
  readonly metrics?: MetricsRegistry;
  /**
   * Ms to wait after a first failure to write the log before taking more work; doubled after
   * each failure in a row, up to `maxRetryBackoffMs`, and back to this after a success.
   * @default 1000
   */
  readonly retryBackoffMs?: number;
  /**
   * Most ms to wait after failures to write the log.
   * @default 60000
   */
  readonly maxRetryBackoffMs?: number;
}

/**
 * What happened to one task: `retry` is a task whose log line could not be written (given back
 * to the queue, unacknowledged).
 */
export type TaskOutcome = "logged" | "failed" | "duplicate" | "dead-letter" | "retry";

/**
 * A worker loop. Start it with {@linkcode ClipWorker.run}; abort its signal to stop after the
 * clips in progress are logged and acknowledged.
 *
 * @example
 * ```ts
 * import { parseTask } from "./clip_task.ts";
 * import { ClipWorker } from "./clip_worker.ts";
 * import { DetectionLog } from "./detection_log.ts";
 * import { TaskConsumer } from "./task_consumer.ts";
 * import { YoloAnalyzer } from "../yolo/yolo_analyzer.ts";
 * const controller = new AbortController();
 * Deno.addSignalListener("SIGTERM", () => controller.abort());
 * const worker = new ClipWorker({
 *   consumer: await TaskConsumer.connect({ redis: "redis://127.0.0.1:6379", parse: parseTask }),
 *   analyzer: await YoloAnalyzer.create(),
 *   log: new DetectionLog("video/detections.d"),
 *   videoDir: "video",
 * });
 * await worker.run(controller.signal);
 * ```
 */
export class ClipWorker {
  /** the name written into log lines */
  readonly name: string;
  readonly #options: ClipWorkerOptions;
  /** tasks handled, by outcome */
  readonly counts: Record<TaskOutcome, number> = {
    logged: 0,
    failed: 0,
    duplicate: 0,
    "dead-letter": 0,
    retry: 0,
  };
  /** log writes (a task's line or a dead letter's) that failed in a row, across the loops */
  #failures = 0;

  /** Builds the worker; nothing runs until {@linkcode ClipWorker.run}. */
  constructor(options: ClipWorkerOptions) {
    this.#options = options;
    this.name = options.name ?? `${hostname()}:${Deno.pid}`;
  }

  /**
   * Consumes tasks until the signal aborts; the clips in progress are finished first.
   *
   * A task whose log line cannot be written ({@linkcode LogWriteError}) is not acknowledged: it is
   * given back to the queue without counting the delivery, the error is reported through `onLog`
   * (`retry: <path>: …`), and this loop waits (`retryBackoffMs`, doubling up to `maxRetryBackoffMs`)
   * before taking more work.
   *
   * @throws {RangeError} when `concurrency` is not a positive integer
   * @throws {Error} what else {@linkcode ClipWorker.handle} throws: `run` rejects with it (the other loops
   *   go on) and the task stays unacknowledged, to be delivered again
   */
  async run(signal?: AbortSignal): Promise<void> {
    const { concurrency = 1 } = this.#options;
    if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
      throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
    }
    await Promise.all(Array.from({ length: concurrency }, () => this.#loop(signal)));
  }

  /**
   * Handles one delivery: analyse, log, acknowledge (exposed for tests and tools).
   *
   * @returns `duplicate` when the log already has the task's id (acknowledged, nothing written),
   *   `dead-letter` when the path leaves the video folder (an `ok: false` line, then the dead letters),
   *   `failed` when the clip cannot be read or the model fails on it (an `ok: false` line), `logged`
   *   otherwise
   *   (an `ok: true` line is written even after a dead letter's `ok: false` line for the same clip: the
   *   real result supersedes it)
   * @throws {LogWriteError} when the log line cannot be written: the task is left unacknowledged
   * @throws {QueueStepError} when Redis does not take the acknowledgement or the dead letter (down, or slower
   *   than the command timeout): the line is written, the task is delivered again and found in the log
   * @throws {Error} any error that is not a {@linkcode CamwatchError} (the inference worker crashed): the task
   *   is left unacknowledged, to be retried
   */
  async handle(delivery: Delivery<ClipTask>): Promise<TaskOutcome> {
    const { consumer, log, videoDir } = this.#options;
    const { task } = delivery;
    // Keep the task while this worker is alive, however long the clip takes.
    using _hold = consumer.hold(delivery);
    // Delivered again after its result was written (the worker died before acknowledging).
    if (await log.has(task.id, "ok", task.start)) {
      await queueStep(task, "acknowledging", () => consumer.ack(delivery));
      return this.#count("duplicate", `${task.path}: already in the log`);
    }
    let path: string;
    try {
      path = await resolveClipPath(videoDir, task.path);
    } catch (e) {
      if (!(e instanceof TaskError)) throw e;
      await log.append(this.#line(task, undefined, e.message, 0));
      await queueStep(task, "dead-lettering", () => consumer.deadLetter(delivery, e.message));
      return this.#count("dead-letter", `${task.path}: ${e.message}`);
    }
    const started = performance.now();
    let summary: VideoSummary | undefined;
    let error: string | undefined;
    let evidence: boolean | undefined;
    const writer = this.#options.evidence;
    const frames: TrackedFrame[] = [];
    const metrics = this.#options.metrics;
    const inference = metrics?.histogram(
      "camwatch_inference_ms",
      "Inference time per analysed frame, in milliseconds.",
      [10, 25, 50, 75, 100, 150, 250, 500, 1000],
    );
    try {
      const analysis = this.#options.analyzer.analyzeVideo(path, {
        sampleFps: this.#options.sampleFps ?? 2,
        tracking: this.#options.tracking?.(task.camera),
      });
      for await (const frame of analysis) {
        inference?.observe(frame.inferenceMs);
        if (writer) frames.push({ time: frame.time, detections: frame.detections });
      }
      summary = await analysis.summary();
      metrics?.histogram("camwatch_clip_analysis_seconds", "Time to analyse one clip, in seconds.", [
        1,
        2,
        5,
        10,
        20,
        30,
        60,
        120,
        300,
      ]).observe((performance.now() - started) / 1000);
    } catch (e) {
      // A clip that cannot be read will not get better: log the failure. Anything else (the
      // inference worker crashed, …) is left unacknowledged, to be retried.
      if (!(e instanceof CamwatchError)) throw e;
      error = e.message.replace(path, task.path);
    }
    if (summary && writer) {
      const stem = basename(path, extname(path));
      try {
        await writer(path, summary, frames, { dir: dirname(path), stem });
        evidence = true;
      } catch (e) {
        // The result stands without its pictures: say so, log the line, acknowledge.
        evidence = false;
        const reason = e instanceof Error ? e.message : String(e);
        this.#options.onLog?.(
          `evidence failed: ${task.path}: ${truncate(reason.replaceAll(path, task.path))}`,
        );
      }
    }
    await log.append(
      this.#line(task, summary, error, Math.round(performance.now() - started), evidence),
    );
    await queueStep(task, "acknowledging", () => consumer.ack(delivery));
    return summary
      ? this.#count(
        "logged",
        `${task.path}: ${
          summary.detected.map((l) => `${summary!.objects[l]?.count ?? 0} ${l}`).join(", ") || "nothing"
        } (${summary.frames} frames${evidence === undefined ? "" : evidence ? ", evidence written" : ""})`,
      )
      : this.#count("failed", `${task.path}: ${error}`);
  }

  /**
   * Writes the `ok: false` line for a task the queue gave up on. A line that cannot be written (a full disk)
   * is tried again after the same backoff as a task's line (`retryBackoffMs` doubling up to
   * `maxRetryBackoffMs`, shared with the task loop: one disk, one count of failures in a row), each failure
   * reported through `onLog` (`retry: <path>: dead letter's line: …; next attempt in <ms> ms`), until it is
   * written or the signal aborts.
   *
   * @param dead the dead letter; an entry whose task did not parse gets no line, since it has no id to log it
   *   under
   * @param signal stops retrying
   * @throws {LogWriteError} when the line cannot be written and the signal has aborted: the consumer then
   *   leaves the entry pending, to be dead-lettered again by the next worker
   */
  async deadLettered(dead: DeadLetter<ClipTask>, signal?: AbortSignal): Promise<void> {
    if (dead.task) {
      const line = this.#line(dead.task, undefined, dead.reason, 0);
      for (;;) {
        try {
          await this.#options.log.append(line);
          this.#failures = 0;
          break;
        } catch (e) {
          if (!(e instanceof LogWriteError) || signal?.aborted) throw e;
          const delay = this.#nextBackoff();
          this.#count(
            "retry",
            `${dead.task.path}: dead letter's line: ${e.message}; next attempt in ${delay} ms`,
          );
          await abortableDelay(delay, signal);
        }
      }
    }
    this.#count("dead-letter", `${dead.task?.path ?? `entry ${dead.entryId}`}: ${dead.reason}`);
  }

  /** Counts one more failure in a row and returns how long to wait before the next try. */
  #nextBackoff(): number {
    return retryBackoffMs(++this.#failures, this.#options.retryBackoffMs, this.#options.maxRetryBackoffMs);
  }

  async #loop(signal?: AbortSignal): Promise<void> {
    const { consumer } = this.#options;
    const deliveries = consumer.consume({ signal, onDeadLetter: (d) => this.deadLettered(d, signal) });
    for await (const delivery of deliveries) {
      try {
        await this.handle(delivery);
        this.#failures = 0;
      } catch (e) {
        let delay: number;
        if (e instanceof QueueStepError && !signal?.aborted) {
          // Redis hiccuped after the line was written: the task comes back and is found in the log.
          delay = this.#nextBackoff();
          this.#count("retry", `${delivery.task.path}: ${e.message}; next task in ${delay} ms`);
        } else if (e instanceof LogWriteError) {
          // Not acknowledged: the task comes back, and its attempt is not spent on the disk's fault.
          await consumer.release(delivery).catch(() => {});
          delay = this.#nextBackoff();
          this.#count("retry", `${delivery.task.path}: ${e.message}; next task in ${delay} ms`);
        } else throw e;
        await abortableDelay(delay, signal);
      }
    }
  }

  #line(
    task: ClipTask,
    summary: VideoSummary | undefined,
    error: string | undefined,
    elapsed: number,
    evidence?: boolean,
  ): LogLine {
    return {
      ok: summary !== undefined,
      filename: task.path,
      detected: summary?.detected ?? [],
      count: summary?.count ?? 0,
      timestamp: new Date().toISOString(),
      id: task.id,
      camera: task.camera,
      clip_start: task.start,
      clip_end: task.end,
      frames: summary?.frames ?? 0,
      objects: summary?.objects ?? {},
      ...(summary
        ? { tracks: summary.tracks, rejected: summary.rejected, sample_fps: summary.sample_fps }
        : {}),
      model: this.#options.analyzer.modelName,
      elapsed_ms: summary?.elapsed_ms ?? elapsed,
      worker: this.name,
      ...(evidence === undefined ? {} : { evidence }),
      ...(error === undefined ? {} : { error }),
    };
  }

  #count(outcome: TaskOutcome, message: string): TaskOutcome {
    // a 16 KiB task's path can still make a long message
    message = truncate(message);
    this.counts[outcome]++;
    this.#options.metrics?.counter("camwatch_tasks_total", "Tasks handled, by outcome.").inc({ outcome });
    this.#options.onLog?.(`${outcome}: ${message}`);
    return outcome;
  }
}

/** A message cut to the log's field length. */
function truncate(message: string): string {
  return message.length > QUEUE_DEFAULTS.logFieldChars
    ? message.slice(0, QUEUE_DEFAULTS.logFieldChars) + "…"
    : message;
}

/** Waits `ms`, or less when the signal aborts. */
function abortableDelay(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
