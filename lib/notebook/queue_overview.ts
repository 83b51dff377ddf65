/**
 * The queue at a glance, for the queue notebook: stream length, group lag, pending and dead
 * counts, the live workers (their heartbeats), the tasks they hold, and the newest dead letters.
 * {@linkcode checkQueue} reports no Redis, an unreachable Redis or no live worker as what was
 * found and how to start one, instead of throwing.
 *
 * @module
 */

import { htmlDisplay, JUPYTER_DISPLAY, type MimeBundle, tableHtml } from "./displayable.ts";
import { type ClipTask, parseTask } from "../queue/clip_task.ts";
import { type PendingTask, QueueMonitor, type WorkerStatus } from "../queue/queue_monitor.ts";
import { QueueError, RedisConnection, type RedisTarget } from "../queue/redis_connection.ts";
import type { BuriedTask } from "../queue/task_consumer.ts";
import { redactUrl } from "../ops/redact.ts";

/**
 * A snapshot of the queue.
 *
 * @example
 * ```ts
 * import type { QueueSnapshot } from "./queue_overview.ts";
 * const backlog = (s: QueueSnapshot) => `${s.lag ?? "?"} waiting, ${s.pending} in work, ${s.workers.length} workers`;
 * ```
 */
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

  /**
   * Plain text: one line of counts.
   *
   * @returns `<redis> <stream>: N entries, lag N, N pending, N dead, N live workers` (`lag ?` when Redis
   *   does not report it)
   */
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
 * @param monitor its stream and group are the ones looked at; it is left open
 * @param options `deadLetters`: the most dead letters listed (default 10); `pendingTasks`: the most held
 *   tasks listed (default 20)
 * @returns a snapshot taken now; a stream no worker has read yet gives zeros, `lag` the stream length
 * @throws {Error} ioredis' error when a Redis command fails (the connection was closed, say); while Redis is
 *   away, ioredis reconnects and the call waits
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

/**
 * Where the queue stands for the queue notebook: `no-redis` (none configured), `unreachable`
 * (configured, not answering), `no-worker` (answering, no live worker heartbeat) or `ready` (at
 * least one live worker).
 *
 * @example
 * ```ts
 * import type { QueueState } from "./queue_overview.ts";
 * const canSendTestTask = (state: QueueState) => state === "ready";
 * ```
 */
export type QueueState = "no-redis" | "unreachable" | "no-worker" | "ready";

/**
 * Options of {@linkcode checkQueue}.
 *
 * @example
 * ```ts
 * import type { CheckQueueOptions } from "./queue_overview.ts";
 * const options: CheckQueueOptions = { redis: "redis://127.0.0.1:6379", videoDir: "video", timeoutMs: 2000 };
 * ```
 */
export interface CheckQueueOptions {
  /**
   * The Redis capture and the workers use (`settings.queue.redis`), or a connection opened
   * already (shared, and left open by {@linkcode QueueStatus.close}); undefined when none is
   * configured.
   */
  readonly redis: RedisTarget | RedisConnection | undefined;
  /**
   * Stream name (the prototype's `RDSQ_OUTMSG`).
   * @default "video_queue"
   */
  readonly stream?: string;
  /**
   * The video folder, named in how to start a worker (it must see the same one).
   * @default "the same VIDEO_DIR"
   */
  readonly videoDir?: string;
  /**
   * Longest wait for Redis to answer, in ms: a Redis that does not answer by then is reported
   * unreachable.
   * @default 5000
   */
  readonly timeoutMs?: number;
  /**
   * Most dead letters listed.
   * @default 10
   */
  readonly deadLetters?: number;
  /**
   * Most held tasks listed.
   * @default 20
   */
  readonly pendingTasks?: number;
}

/**
 * What {@linkcode QueueStatus} is made of.
 *
 * @example
 * ```ts
 * import { QueueStatus, type QueueStatusInit } from "./queue_overview.ts";
 * const init: QueueStatusInit = {
 *   state: "unreachable",
 *   redis: "redis://:***@cam-host:6379",
 *   found: "Redis not reachable at redis://:***@cam-host:6379: connect ECONNREFUSED",
 *   toDo: ["start redis-server there"],
 * };
 * console.log(new QueueStatus(init).workerAlive); // false
 * ```
 */
export interface QueueStatusInit {
  /** where the queue stands */
  readonly state: QueueState;
  /** Redis, password masked; undefined when none is configured */
  readonly redis: string | undefined;
  /** what was found, in one sentence */
  readonly found: string;
  /** how to get a worker going, when there is none (one way per entry) */
  readonly toDo: readonly string[];
  /**
   * The queue's figures, when Redis answered.
   * @default undefined (no figures shown)
   */
  readonly overview?: QueueOverview;
}

/** The options {@linkcode QueueStatus.refresh} needs again. */
interface Refresh {
  readonly monitor: QueueMonitor<ClipTask>;
  readonly connection: RedisConnection;
  readonly owned: boolean;
  readonly videoDir: string | undefined;
  readonly deadLetters: number | undefined;
  readonly pendingTasks: number | undefined;
}

/**
 * What {@linkcode checkQueue} found: the state, what it means and how to start a worker, and
 * the queue's figures when Redis answered. Shown in a notebook as a table of what was found
 * and what to do, followed by the {@linkcode QueueOverview} tables when there are figures.
 *
 * @example
 * ```ts
 * import { QueueStatus } from "./queue_overview.ts";
 * const status = new QueueStatus({
 *   state: "no-redis",
 *   redis: undefined,
 *   found: "no Redis configured",
 *   toDo: ["set REDIS_URL"],
 * });
 * console.log(status.workerAlive, String(status)); // false "no Redis configured — to do: set REDIS_URL"
 * ```
 */
export class QueueStatus {
  /** where the queue stands */
  readonly state: QueueState;
  /** Redis, password masked; undefined when none is configured */
  readonly redis: string | undefined;
  /** what was found, in one sentence */
  readonly found: string;
  /** how to get a worker going (empty when one is alive) */
  readonly toDo: readonly string[];
  /** the queue's figures, when Redis answered */
  readonly overview: QueueOverview | undefined;
  readonly #refresh: Refresh | undefined;

  /**
   * Wraps what was found; {@linkcode checkQueue} makes one.
   *
   * @param init kept as given (not checked against each other)
   * @param refresh what {@linkcode QueueStatus.refresh} and {@linkcode QueueStatus.close} use; without it
   *   the status has no monitor, and refreshing returns it unchanged
   */
  constructor(init: QueueStatusInit, refresh?: Refresh) {
    this.state = init.state;
    this.redis = init.redis;
    this.found = init.found;
    this.toDo = init.toDo;
    this.overview = init.overview;
    this.#refresh = refresh;
  }

  /** Whether a worker's heartbeat is live (`state` is `ready`), so that a test task would be answered. */
  get workerAlive(): boolean {
    return this.state === "ready";
  }

  /** The monitor watching the queue, while Redis answered and until {@linkcode QueueStatus.close}. */
  get monitor(): QueueMonitor<ClipTask> | undefined {
    return this.#refresh?.connection.closed ? undefined : this.#refresh?.monitor;
  }

  /**
   * The queue again, through the same connection; without one (no Redis, or it did not answer)
   * this same status.
   *
   * @returns a new status (`no-worker` or `ready`, with new figures), or this one when there is no
   *   connection or it was closed: an unreachable Redis is not tried again (call {@linkcode checkQueue})
   * @throws {Error} ioredis' error when a Redis command fails (the connection was closed, say); while
   *   Redis is away, ioredis reconnects and the call waits
   */
  async refresh(): Promise<QueueStatus> {
    const r = this.#refresh;
    if (!r || r.connection.closed) return this;
    return await statusOf(r);
  }

  /**
   * What was found, then what to do (one line).
   *
   * @returns `<found> — to do: <step>; or <step>`, or `found` alone when a worker is alive
   */
  toString(): string {
    return this.toDo.length ? `${this.found} — to do: ${this.toDo.join("; or ")}` : this.found;
  }

  /** The MIME bundle Deno's Jupyter kernel sends: what was found and what to do, then the figures. */
  [JUPYTER_DISPLAY](): MimeBundle {
    const rows = this.toDo.length
      ? this.toDo.map((step, i) => ({ found: i === 0 ? this.found : "", "to do": step }))
      : [{ found: this.found }];
    const html = [tableHtml(rows, `Queue: ${STATE_TITLES[this.state]}`)];
    const text = [this.toString()];
    if (this.overview) {
      const bundle = this.overview[JUPYTER_DISPLAY]();
      html.push(bundle["text/html"]);
      text.push(bundle["text/plain"]);
    }
    return htmlDisplay(html.join("<br>"), text.join("\n"))[JUPYTER_DISPLAY]();
  }

  /**
   * Closes the connection {@linkcode checkQueue} opened (one it was given stays open).
   *
   * @returns at once when there is nothing to close; {@linkcode QueueStatus.monitor} is undefined after
   */
  async close(): Promise<void> {
    const r = this.#refresh;
    if (r?.owned) await r.connection.close();
  }

  /** Closes, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

const STATE_TITLES: Record<QueueState, string> = {
  "no-redis": "no Redis configured",
  unreachable: "Redis not reachable",
  "no-worker": "no live worker",
  ready: "workers alive",
};

/** The demo, as a way to see a worker at work. */
function tryDemo(redis: string | undefined): string {
  return redis
    ? `try the whole pipeline once: \`deno task demo\` with the same REDIS_URL (it records and analyses ` +
      "two clips with its own worker, then stops)"
    : "try the whole pipeline once: `deno task demo` (it starts a private Redis, records and analyses two " +
      "clips with its own worker, then stops)";
}

/** The way to start a worker that sees what the notebook sees. */
function startWorker(redis: string | undefined, videoDir: string | undefined): string {
  const where = [
    redis ? `REDIS_URL (${redis})` : "REDIS_URL",
    videoDir ? `VIDEO_DIR (${videoDir})` : "VIDEO_DIR",
  ];
  return `start a worker: \`deno task worker\` with the same ${where.join(" and ")} as capture`;
}

/** A Redis target as shown: a URL with the password masked. */
function displayTarget(target: RedisTarget): string {
  if (typeof target === "string") return redactUrl(target);
  return `redis${target.tls ? "s" : ""}://${target.password ? ":***@" : ""}${target.host}:${target.port}`;
}

/**
 * Opens a connection, giving up after `timeoutMs`: a connection that opens later is closed at
 * once, and one that fails later is forgotten.
 */
async function openWithin(target: RedisTarget, timeoutMs: number): Promise<RedisConnection> {
  const opening = RedisConnection.open(target);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new QueueError(`no answer from Redis at ${displayTarget(target)} within ${timeoutMs / 1000} s`),
        ),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([opening, timeout]);
  } catch (e) {
    opening.then((c) => c.close(), () => {});
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/** The status of a queue whose Redis answered. */
async function statusOf(r: Refresh): Promise<QueueStatus> {
  const overview = await queueOverview(r.monitor, {
    deadLetters: r.deadLetters,
    pendingTasks: r.pendingTasks,
  });
  const { workers, redis } = overview.snapshot;
  if (workers.length === 0) {
    return new QueueStatus({
      state: "no-worker",
      redis,
      found: `Redis at ${redis} answers, but there is no live worker heartbeat: no worker is running on ` +
        `${r.monitor.stream}, so queued clips wait`,
      toDo: [startWorker(redis, r.videoDir), tryDemo(redis)],
      overview,
    }, r);
  }
  return new QueueStatus({
    state: "ready",
    redis,
    found: `${workers.length} live worker${workers.length === 1 ? "" : "s"} on ${r.monitor.stream}: ` +
      workers.map((w) => w.name).join(", "),
    toDo: [],
    overview,
  }, r);
}

/**
 * Looks at the queue without throwing for what a notebook should report instead: no Redis
 * configured, a Redis that does not answer within `timeoutMs` (or refuses the password), or no
 * live worker; each is a {@linkcode QueueStatus} saying what was found and how to start a
 * worker. When Redis answered, the status holds its {@linkcode QueueOverview} and keeps the
 * connection open for {@linkcode QueueStatus.refresh} and a test task; close it after.
 *
 * @returns `no-redis` when `redis` is undefined (nothing is tried), `unreachable` when it does not
 *   connect, refuses the password or does not answer within `timeoutMs` (reason and URL in `found`,
 *   password masked), else `no-worker` or `ready` with the figures
 * @throws {Error} ioredis' error when a Redis command fails once Redis answered (the connection was
 *   closed, say), after closing a connection `checkQueue` opened; while Redis is away, ioredis
 *   reconnects and the call waits
 *
 * @example
 * ```ts
 * import { readNotebookSettings } from "../ops/config.ts";
 * import { checkQueue } from "./queue_overview.ts";
 * const settings = readNotebookSettings();
 * await using queue = await checkQueue({
 *   redis: settings.queue.redis,
 *   stream: settings.queue.stream,
 *   videoDir: settings.videoDir,
 * });
 * console.log(queue.state, String(queue));
 * ```
 */
export async function checkQueue(options: CheckQueueOptions): Promise<QueueStatus> {
  const { redis: target, videoDir } = options;
  if (target === undefined) {
    return new QueueStatus({
      state: "no-redis",
      redis: undefined,
      found: "no Redis configured (REDIS_URL and RDS_HOST are unset), so there is no queue to look at",
      toDo: [
        "set REDIS_URL (redis://:password@host:6379) or RDS_HOST / RDS_PORT / RDS_PSW to the Redis capture " +
        `uses, then ${startWorker(undefined, videoDir)}`,
        tryDemo(undefined),
      ],
    });
  }
  let connection: RedisConnection;
  const owned = !(target instanceof RedisConnection);
  const shown = target instanceof RedisConnection ? target.display : displayTarget(target);
  try {
    connection = target instanceof RedisConnection
      ? target
      : await openWithin(target, options.timeoutMs ?? 5000);
  } catch (e) {
    // RedisConnection's "cannot reach Redis at <url>: " would say the same twice.
    const why = (e instanceof Error ? e.message : String(e)).replace(/^cannot reach Redis at \S+: /, "");
    return new QueueStatus({
      state: "unreachable",
      redis: shown,
      found: `Redis not reachable at ${shown}: ${redactUrl(why)}`,
      toDo: [
        `start redis-server there (or correct REDIS_URL / RDS_HOST / RDS_PORT / RDS_PSW), then ${
          startWorker(shown, videoDir)
        }`,
        tryDemo(shown),
      ],
    });
  }
  const monitor = await QueueMonitor.connect({ redis: connection, parse: parseTask, stream: options.stream });
  try {
    return await statusOf({
      monitor,
      connection,
      owned,
      videoDir,
      deadLetters: options.deadLetters,
      pendingTasks: options.pendingTasks,
    });
  } catch (e) {
    if (owned) await connection.close();
    throw e;
  }
}
