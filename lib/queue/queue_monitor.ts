/**
 * `QueueMonitor`: the watching side of the queue. Counts (stream length, group lag, pending,
 * dead letters), the tasks workers hold, the newest dead letters, and the worker heartbeats:
 * this module alone knows how a heartbeat is stored, so the worker beats through
 * {@linkcode QueueMonitor.startHeartbeat} and the notebooks list live workers through
 * {@linkcode QueueMonitor.workers}. Monitoring reads and never creates the group.
 *
 * @module
 */

import { deadLetterStream, QUEUE_DEFAULTS, TASK_FIELD } from "./queue_defaults.ts";
import {
  type ConnectionSource,
  entryField,
  type RedisConnection,
  useConnection,
} from "./redis_connection.ts";
import { type BuriedTask, parseOrUndefined, readDeadLetter } from "./task_consumer.ts";

/** Options of {@linkcode QueueMonitor.connect}. */
export interface QueueMonitorOptions<T> {
  /** the Redis server, or a connection shared with other roles */
  readonly redis: ConnectionSource;
  /** Reads an entry's task (JSON text); throws when it is not valid (it is shown raw then). */
  readonly parse: (input: unknown) => T;
  /**
   * Stream name (the prototype's `RDSQ_OUTMSG`).
   * @default "video_queue"
   */
  readonly stream?: string;
  /**
   * Consumer group the workers share.
   * @default "workers"
   */
  readonly group?: string;
}

/** Options of {@linkcode QueueMonitor.startHeartbeat}. */
export interface HeartbeatOptions {
  /**
   * Milliseconds between beats.
   * @default 10000
   */
  readonly intervalMs?: number;
  /**
   * Seconds a beat keeps a worker listed; a few intervals, so that one slow beat does not
   * make a busy worker look dead.
   * @default 30
   */
  readonly ttlSeconds?: number;
}

/**
 * What a live worker's last heartbeat said: its name, when, and what it chose to show (host,
 * model, counts…).
 *
 * @example
 * ```ts
 * import type { WorkerStatus } from "./queue_monitor.ts";
 * declare const status: WorkerStatus;
 * console.log(`${status.name} at ${status.at}: model ${status.model}`);
 * ```
 */
export interface WorkerStatus {
  /** the worker's name */
  readonly name: string;
  /** when it beat, ISO 8601 */
  readonly at: string;
  /** anything else it reported */
  readonly [field: string]: unknown;
}

/**
 * A worker's running heartbeat; stop it when the worker stops.
 *
 * @example
 * ```ts
 * import type { Heartbeat } from "./queue_monitor.ts";
 * declare const heartbeat: Heartbeat;
 * await heartbeat.stop(); // the worker drops off the list at once
 * ```
 */
export interface Heartbeat {
  /** Stops beating and removes the worker from the live list. */
  stop(): Promise<void>;
  /** Stops, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Queue counts, for monitoring. */
export interface QueueStats {
  /** entries in the stream (done or not; the stream is capped, not emptied) */
  readonly length: number;
  /** entries not yet delivered to any worker (undefined on Redis before 7) */
  readonly lag: number | undefined;
  /** delivered, not acknowledged */
  readonly pending: number;
  /** entries in the dead-letter stream */
  readonly dead: number;
}

/**
 * A task a worker holds without having acknowledged it yet.
 *
 * @example
 * ```ts
 * import type { PendingTask } from "./queue_monitor.ts";
 * declare const held: PendingTask<{ path: string }>;
 * console.log(`${held.consumer} holds ${held.task?.path ?? held.raw} for ${held.idleMs} ms`);
 * ```
 */
export interface PendingTask<T> {
  /** Redis stream entry id */
  readonly entryId: string;
  /** the consumer (worker) that holds it */
  readonly consumer: string;
  /** milliseconds since it was last delivered */
  readonly idleMs: number;
  /** how many times it has been delivered */
  readonly deliveries: number;
  /** the task, when it is valid */
  readonly task: T | undefined;
  /** the raw task field, undefined if the entry is gone (trimmed) */
  readonly raw: string | undefined;
}

const DEFAULT_BEAT_MS = 10_000;
const DEFAULT_BEAT_TTL_SECONDS = 30;

/**
 * Watches a queue: counts, held tasks, dead letters and live workers.
 *
 * @example
 * ```ts
 * import { parseTask } from "./clip_task.ts";
 * import { QueueMonitor } from "./queue_monitor.ts";
 * await using monitor = await QueueMonitor.connect({ redis: "redis://127.0.0.1:6379", parse: parseTask });
 * const { length, pending, dead } = await monitor.stats();
 * console.log(length, pending, dead, (await monitor.workers()).map((w) => w.name));
 * ```
 */
export class QueueMonitor<T> {
  /** the connection (shared or owned) */
  readonly connection: RedisConnection;
  /** stream name */
  readonly stream: string;
  /** dead-letter stream name (`<stream>:dead`) */
  readonly deadStream: string;
  /** consumer group */
  readonly group: string;
  readonly #owned: boolean;
  readonly #parse: (input: unknown) => T;

  private constructor(connection: RedisConnection, owned: boolean, options: QueueMonitorOptions<T>) {
    this.connection = connection;
    this.#owned = owned;
    this.#parse = options.parse;
    this.stream = options.stream ?? QUEUE_DEFAULTS.stream;
    this.deadStream = deadLetterStream(this.stream);
    this.group = options.group ?? QUEUE_DEFAULTS.group;
  }

  /**
   * Connects; a wrong password or an unreachable server at start is a `QueueError`.
   *
   * @throws {QueueError} when Redis cannot be reached or refuses the password at start, or the URL is not a
   *   Redis URL
   */
  static async connect<T>(options: QueueMonitorOptions<T>): Promise<QueueMonitor<T>> {
    const { connection, owned } = await useConnection(options.redis);
    return new QueueMonitor(connection, owned, options);
  }

  /**
   * Stream length, group lag, pending and dead-letter counts.
   *
   * @returns zeros for a stream that does not exist yet; before any worker created the group, `pending` is 0
   *   and `lag` is the stream length
   */
  async stats(): Promise<QueueStats> {
    const client = this.connection.client;
    const [length, dead, groups] = await Promise.all([
      client.xlen(this.stream),
      client.xlen(this.deadStream),
      (client.xinfo("GROUPS", this.stream) as Promise<unknown[][]>).catch(missing([])),
    ]);
    const mine = groups.map((g) => Object.fromEntries(pairs(g))).find((g) => g.name === this.group);
    if (!mine) return { length, dead, pending: 0, lag: length }; // no worker has joined yet
    return {
      length,
      dead,
      pending: Number(mine.pending ?? 0),
      lag: mine.lag === undefined || mine.lag === null ? undefined : Number(mine.lag),
    };
  }

  /**
   * The tasks delivered to a worker and not yet acknowledged, oldest first: who holds each,
   * for how long, and how many times it was delivered.
   *
   * @param count the most tasks to list
   * @returns an empty array when the stream or the group does not exist yet
   */
  async pendingTasks(count = 100): Promise<PendingTask<T>[]> {
    const client = this.connection.client;
    const rows = await (client.xpending(this.stream, this.group, "-", "+", count) as Promise<
      [string, string, number, number][]
    >).catch(missing([]));
    return await Promise.all(rows.map(async ([entryId, consumer, idleMs, deliveries]) => {
      const [entry] = await client.xrange(this.stream, entryId, entryId);
      const raw = entry ? entryField(entry[1], TASK_FIELD) : undefined;
      const task = parseOrUndefined(raw, this.#parse);
      return { entryId, consumer, idleMs: Number(idleMs), deliveries: Number(deliveries), task, raw };
    }));
  }

  /**
   * The newest entries of the dead-letter stream, newest first, with why each was put there.
   *
   * @param count the most entries to list
   */
  async deadLetters(count = 20): Promise<BuriedTask<T>[]> {
    const entries = await this.connection.client.xrevrange(this.deadStream, "+", "-", "COUNT", count);
    return entries.map(([deadId, fields]) => readDeadLetter(deadId, fields, this.#parse));
  }

  /**
   * Records once that a worker is alive, with what it wants to show (counts, model…), for
   * `ttlSeconds`. Workers usually call {@linkcode QueueMonitor.startHeartbeat} instead.
   *
   * @param name the worker's name; a beat under the same name replaces the last one
   * @param info fields shown beside `name` and `at` (which it cannot override); must be JSON-serialisable
   * @param ttlSeconds seconds before the worker drops off the list unless it beats again
   */
  async heartbeat(
    name: string,
    info: Readonly<Record<string, unknown>> = {},
    ttlSeconds = DEFAULT_BEAT_TTL_SECONDS,
  ): Promise<void> {
    const status: WorkerStatus = { ...info, name, at: new Date().toISOString() };
    await this.connection.client.set(this.#workerKey(name), JSON.stringify(status), "EX", ttlSeconds);
  }

  /**
   * Beats now and then every `intervalMs` with what `info()` returns then, until stopped. A
   * beat that fails (Redis away) is skipped: the next one comes after the interval.
   *
   * @returns once the first beat is done (or failed)
   * @throws {RangeError} when `intervalMs` is not positive or not shorter than `ttlSeconds` (in ms): the
   *   worker would drop off the list between beats
   */
  async startHeartbeat(
    name: string,
    info: () => Readonly<Record<string, unknown>> = () => ({}),
    options: HeartbeatOptions = {},
  ): Promise<Heartbeat> {
    const { intervalMs = DEFAULT_BEAT_MS, ttlSeconds = DEFAULT_BEAT_TTL_SECONDS } = options;
    if (!(intervalMs > 0 && ttlSeconds * 1000 > intervalMs)) {
      throw new RangeError(
        `a heartbeat needs 0 < intervalMs < ttlSeconds * 1000, got ${intervalMs} ms and ${ttlSeconds} s`,
      );
    }
    let beating: Promise<void> = Promise.resolve();
    const beat = () => {
      beating = beating.then(() => this.heartbeat(name, info(), ttlSeconds)).catch(() => {});
    };
    beat();
    await beating;
    const timer = setInterval(beat, intervalMs);
    let stopped: Promise<void> | undefined;
    const stop = () =>
      stopped ??= (async () => {
        clearInterval(timer);
        await beating;
        await this.connection.client.del(this.#workerKey(name)).catch(() => {});
      })();
    return { stop, [Symbol.asyncDispose]: stop };
  }

  /**
   * The workers whose heartbeat has not expired, with what they reported, by name.
   *
   * @returns the live workers sorted by name; keys that do not hold a heartbeat are skipped
   */
  async workers(): Promise<WorkerStatus[]> {
    const client = this.connection.client;
    const keys: string[] = [];
    let cursor = "0";
    do {
      const [next, found] = await client.scan(cursor, "MATCH", this.#workerKey("*"), "COUNT", 100);
      cursor = next;
      keys.push(...found);
    } while (cursor !== "0");
    if (keys.length === 0) return [];
    const values = await client.mget(...keys);
    return values.flatMap((v) => {
      try {
        const status = v ? JSON.parse(v) : undefined;
        return typeof status?.name === "string" ? [status as WorkerStatus] : [];
      } catch {
        return []; // not a heartbeat of ours
      }
    }).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Closes the connection when this monitor opened it. */
  async close(): Promise<void> {
    if (this.#owned) await this.connection.close();
  }

  /** Closes, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** The heartbeat key of a worker (`*` matches them all): `<stream>:worker:<name>`. */
  #workerKey(name: string): string {
    return `${this.stream}:worker:${name}`;
  }
}

/** For a read of a stream or group that does not exist yet: the empty answer instead. */
function missing<V>(empty: V): (e: unknown) => V {
  return (e) => {
    if (/no such key|NOGROUP/i.test((e as Error).message)) return empty;
    throw e;
  };
}

function* pairs(list: unknown[]): Generator<[string, unknown]> {
  for (let i = 0; i + 1 < list.length; i += 2) yield [String(list[i]), list[i + 1]];
}
