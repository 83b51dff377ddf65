/**
 * `ClipPublisher`: the hook between capture and the queue. Each finished clip becomes a
 * {@linkcode ClipTask} published through a {@linkcode TaskProducer}; a clip that cannot be
 * queued is logged, never thrown back into the recorder (a clip on disk is kept either way).
 *
 * @module
 */

import type { FinishedClip } from "../capture/clip_recorder.ts";
import type { MetricsRegistry } from "../ops/metrics.ts";
import { type ClipTask, TaskError, taskFromClip } from "./clip_task.ts";
import type { TaskProducer } from "./task_producer.ts";

/**
 * One event of the publisher, for the caller's log.
 *
 * @example
 * ```ts
 * import type { ClipPublisherLogEntry } from "./clip_publisher.ts";
 * const entry: ClipPublisherLogEntry = { camera: "front", level: "info", message: "task queued" };
 * console.log(`${entry.camera}: ${entry.message}`);
 * ```
 */
export interface ClipPublisherLogEntry {
  /** the clip's camera */
  readonly camera: string;
  /** `info` when the task is queued (or kept in the outbox), `error` when it is not */
  readonly level: "info" | "error";
  /** what happened, in words */
  readonly message: string;
}

/** Options of {@linkcode ClipPublisher}. */
export interface ClipPublisherOptions {
  /**
   * Called with each task just before it is published: a fast worker may log it before
   * `publish` returns.
   * @default not called
   */
  readonly onTask?: (task: ClipTask) => void;
  /**
   * Called with one entry per clip: queued, kept in the outbox, or not queued and why.
   * @default failures to `console.error`, nothing else
   */
  readonly onLog?: (entry: ClipPublisherLogEntry) => void;
  /**
   * Where to count published tasks (by camera) and the tasks waiting in the outbox.
   * @default not counted
   */
  readonly metrics?: MetricsRegistry;
}

/**
 * Publishes the task of each finished clip. Hand {@linkcode ClipPublisher.onClip} to a capture.
 *
 * @example
 * ```ts
 * import { CameraCapture } from "../capture/camera_capture.ts";
 * import { ClipPublisher } from "./clip_publisher.ts";
 * import { parseTask } from "./clip_task.ts";
 * import { TaskProducer } from "./task_producer.ts";
 * await using producer = await TaskProducer.connect({
 *   redis: "redis://127.0.0.1:6379",
 *   parse: parseTask,
 *   outboxPath: "video/.outbox.jsonl",
 * });
 * const publisher = new ClipPublisher(producer, { onLog: (e) => console.log(`${e.camera}: ${e.message}`) });
 * const capture = new CameraCapture({
 *   camera: "front",
 *   url: "rtsp://127.0.0.1:8554/front",
 *   videoDir: "video",
 *   onClip: publisher.onClip,
 * });
 * await capture.run();
 * ```
 */
export class ClipPublisher {
  /** the producer tasks go through */
  readonly producer: TaskProducer<ClipTask>;
  /**
   * {@linkcode ClipPublisher.publish} as a capture's `onClip` hook: bound, and returns nothing.
   * A task that can never be published (not a valid task) is logged as an error; any other
   * failure (the outbox cannot be written on a full disk) is thrown, so that the capture hands the
   * clip over again later instead of dropping it.
   */
  readonly onClip = async (clip: FinishedClip): Promise<void> => {
    try {
      await this.#publish(clip);
    } catch (e) {
      if (!(e instanceof TaskError)) throw e;
      this.#notQueued(clip, e);
    }
  };
  readonly #options: ClipPublisherOptions;

  /** Wraps a producer; nothing is sent until a clip comes. */
  constructor(producer: TaskProducer<ClipTask>, options: ClipPublisherOptions = {}) {
    this.producer = producer;
    this.#options = options;
  }

  /**
   * Publishes the clip's task. Returns the task when it is queued or kept in the outbox, and
   * undefined when it could not be (logged with why).
   */
  async publish(clip: FinishedClip): Promise<ClipTask | undefined> {
    try {
      return await this.#publish(clip);
    } catch (e) {
      this.#notQueued(clip, e);
      return undefined;
    }
  }

  #notQueued(clip: FinishedClip, e: unknown): void {
    const why = e instanceof Error ? e.message : String(e);
    const onLog = this.#options.onLog ?? failuresToConsole;
    onLog({ camera: clip.camera, level: "error", message: `task ${clip.relativePath} not queued: ${why}` });
  }

  async #publish(clip: FinishedClip): Promise<ClipTask> {
    const { onTask, onLog = failuresToConsole, metrics } = this.#options;
    const task = taskFromClip(clip);
    onTask?.(task);
    const id = await this.producer.publish(task);
    metrics?.counter("camwatch_tasks_published_total", "Clip tasks handed to the queue (or its outbox).")
      .inc({ camera: clip.camera });
    await this.outboxSize();
    const where = id ? `queued on ${this.producer.stream}` : "kept in the outbox until Redis is back";
    onLog({ camera: clip.camera, level: "info", message: `task ${clip.relativePath} ${where}` });
    return task;
  }

  /** Tasks waiting in the outbox for Redis; the outbox gauge is set to it as well. */
  async outboxSize(): Promise<number> {
    const size = await this.producer.outboxSize();
    this.#options.metrics?.gauge("camwatch_outbox_tasks", "Tasks waiting in the outbox for Redis.").set(size);
    return size;
  }
}

function failuresToConsole(entry: ClipPublisherLogEntry): void {
  if (entry.level === "error") console.error(`${entry.camera}: ${entry.message}`);
}
