/**
 * The queue at a glance, for the queue notebook: stream length, group lag, pending and dead
 * counts, the live workers (their heartbeats), the tasks they hold, and the newest dead letters.
 *
 * @module
 */

import { htmlDisplay, JUPYTER_DISPLAY, type MimeBundle, tableHtml } from "./displayable.ts";
import type { ClipTask } from "../queue/clip_task.ts";
import type { PendingTask, QueueMonitor, WorkerStatus } from "../queue/queue_monitor.ts";
import type { BuriedTask } from "../queue/task_consumer.ts";

/** A snapshot of the queue. */
export interface QueueSnapshot {
  /** Redis, password masked */
  readonly redis: string;
  /** the stream */
  readonly stream: string;
  /** entries in the stream (done or not; the stream is capped, not emptied) */
  readonly length: number;
  /** entries not yet delivered to any worker (undefined on Redis before 7) */
  readonly lag: number | undefined;
  /** delivered, not acknowledged */
  readonly pending: number;
  /** entries in the dead-letter stream */
  readonly dead: number;
  /** live workers and what their last heartbeat said */
  readonly workers: WorkerStatus[];
  /** the tasks workers hold now, oldest first */
  readonly pendingTasks: PendingTask<ClipTask>[];
  /** the newest dead letters, newest first */
  readonly deadLetters: BuriedTask<ClipTask>[];
  /** when the snapshot was taken */
  readonly at: Date;
}

/**
 * A snapshot of the queue that a notebook shows as tables.
 *
 * @example
 * ```ts
 * import { parseTask } from "../queue/clip_task.ts";
 * import { QueueMonitor } from "../queue/queue_monitor.ts";
 * import { queueOverview } from "./queue_overview.ts";
 * await using monitor = await QueueMonitor.connect({ redis: "redis://127.0.0.1:6379", parse: parseTask });
 * const overview = await queueOverview(monitor);
 * console.log(overview.snapshot.pending, overview.snapshot.workers.length);
 * ```
 */
export class QueueOverview {
  /** the figures */
  readonly snapshot: QueueSnapshot;

  /** Wraps a snapshot; {@linkcode queueOverview} takes one. */
  constructor(snapshot: QueueSnapshot) {
    this.snapshot = snapshot;
  }

  /** Plain text: one line of counts. */
  toString(): string {
    const s = this.snapshot;
    return `${s.redis} ${s.stream}: ${s.length} entries, lag ${s.lag ?? "?"}, ${s.pending} pending, ` +
      `${s.dead} dead, ${s.workers.length} live workers`;
  }

  /** The MIME bundle Deno's Jupyter kernel sends: four tables. */
  [JUPYTER_DISPLAY](): MimeBundle {
    const s = this.snapshot;
    const counts = [{
      redis: s.redis,
      stream: s.stream,
      entries: s.length,
      "not yet delivered (lag)": s.lag ?? "?",
      pending: s.pending,
      "dead letters": s.dead,
      "live workers": s.workers.length,
    }];
    const pending = s.pendingTasks.map((p) => ({
      entry: p.entryId,
      worker: p.consumer,
      "held for (s)": (p.idleMs / 1000).toFixed(1),
      deliveries: p.deliveries,
      clip: p.task?.path ?? p.raw ?? "(entry trimmed)",
    }));
    const dead = s.deadLetters.map((d) => ({
      at: d.at,
      entry: d.entryId,
      reason: d.reason,
      worker: d.consumer,
      task: d.task?.path ?? d.raw?.slice(0, 80) ?? "",
    }));
    const html = [
      tableHtml(counts, `Queue at ${s.at.toISOString()}`),
      tableHtml(s.workers, "Live workers (heartbeats)"),
      tableHtml(pending, "Tasks held by workers"),
      tableHtml(dead, "Newest dead letters"),
    ].join("<br>");
    return htmlDisplay(html, this.toString())[JUPYTER_DISPLAY]();
  }
}

/**
 * Takes a {@linkcode QueueOverview} of a queue through its monitor.
 *
 * @example
 * ```ts
 * import { parseTask } from "../queue/clip_task.ts";
 * import { QueueMonitor } from "../queue/queue_monitor.ts";
 * import { queueOverview } from "./queue_overview.ts";
 * await using monitor = await QueueMonitor.connect({ redis: "redis://127.0.0.1:6379", parse: parseTask });
 * console.log(String(await queueOverview(monitor, { deadLetters: 5 })));
 * ```
 */
export async function queueOverview(
  monitor: QueueMonitor<ClipTask>,
  options: { readonly deadLetters?: number; readonly pendingTasks?: number } = {},
): Promise<QueueOverview> {
  const [stats, workers, pendingTasks, deadLetters] = await Promise.all([
    monitor.stats(),
    monitor.workers(),
    monitor.pendingTasks(options.pendingTasks ?? 20),
    monitor.deadLetters(options.deadLetters ?? 10),
  ]);
  return new QueueOverview({
    redis: monitor.connection.display,
    stream: monitor.stream,
    ...stats,
    workers,
    pendingTasks,
    deadLetters,
    at: new Date(),
  });
}
