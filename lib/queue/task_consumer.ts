/**
 * `TaskConsumer`: the working side of the queue. A consumer in a Redis Stream consumer group:
 * at-least-once delivery (a task is acknowledged only when its result is written), reclaim of
 * tasks left pending by a dead worker (XAUTOCLAIM), an attempts cap with a dead-letter stream,
 * and validation of every entry with the parser it was given.
 *
 * @module
 */

import { hostname } from "node:os";
import type { Redis } from "ioredis";
import { deadLetterStream, QUEUE_DEFAULTS, TASK_FIELD, truncateText, utf8Bytes } from "./queue_defaults.ts";
import {
  type ConnectionSource,
  entryField,
  type RedisConnection,
  useConnection,
} from "./redis_connection.ts";

/** Options of {@linkcode TaskConsumer.connect}. */
export interface TaskConsumerOptions<T> {
  /** the Redis server, or a connection shared with other roles */
  readonly redis: ConnectionSource;
  /**
   * Checks an entry's task (the JSON text of its field) and returns it typed; throws, its
   * message saying why, for anything else: such entries go to the dead letters with that reason.
   */
  readonly parse: (input: unknown) => T;
  /**
   * Stream name (the prototype's `RDSQ_OUTMSG`).
   * @default "video_queue"
   */
  readonly stream?: string;
  /**
   * Consumer group shared by the workers.
   * @default "workers"
   */
  readonly group?: string;
  /**
   * This consumer's name, unique per worker process.
   * @default `<host>:<pid>`
   */
  readonly consumer?: string;
  /**
   * Deliveries of one task before it goes to the dead letters.
   * @default 3
   */
  readonly maxAttempts?: number;
  /**
   * Milliseconds a delivered task may stay unacknowledged before another worker takes it over.
   * @default 300000
   */
  readonly visibilityTimeoutMs?: number;
  /**
   * How long one read waits for new tasks, in ms (also how quickly `consume` notices its signal).
   * @default 2000
   */
  readonly blockMs?: number;
  /**
   * Largest task, in UTF-8 bytes of its text: a bigger entry is dead-lettered unparsed (with a
   * cut copy) and deleted from the stream.
   * @default 16384
   */
  readonly maxTaskBytes?: number;
  /**
   * Most entries the dead-letter stream keeps (approximately: `MAXLEN ~`, whole nodes are trimmed).
   * @default 10000
   */
  readonly deadLetterMaxLength?: number;
  /**
   * Most characters of a task's text kept in its dead letter; a longer text is cut and ends with
   * a note giving its size (`… [cut: 10485760 bytes]`). The reason is cut to 1024 characters.
   * @default 4096
   */
  readonly deadLetterTaskChars?: number;
  /**
   * How often, in ms, {@linkcode TaskConsumer.hold} refreshes a task it keeps (resets its idle
   * time), so that a task taking longer than `visibilityTimeoutMs` stays with its live worker.
   * @default visibilityTimeoutMs / 3
   */
  readonly holdRefreshMs?: number;
}

/**
 * A delivered task kept by its worker ({@linkcode TaskConsumer.hold}): its idle time is reset
 * every `holdRefreshMs` until {@linkcode TaskHold.stop} (or the end of a `using` block).
 *
 * @example
 * ```ts
 * import type { TaskHold } from "./task_consumer.ts";
 * declare const hold: TaskHold;
 * console.log(hold.refreshes, hold.lost);
 * hold.stop();
 * ```
 */
export interface TaskHold extends Disposable {
  /** refreshes that reached Redis and found the task still this consumer's */
  readonly refreshes: number;
  /** true once a refresh found the task acknowledged or owned by another consumer (refreshing stops) */
  readonly lost: boolean;
  /** Stops refreshing (the task is then taken over after the visibility timeout unless acknowledged). */
  stop(): void;
}

/**
 * Resets a pending entry's idle time when, and only when, it is still pending for this consumer
 * (a task taken over by another consumer is not taken back). KEYS[1] stream; ARGV group,
 * consumer, entry id. Returns 1 when refreshed, 0 when not pending for this consumer.
 */
const REFRESH_SCRIPT = `
local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
if #p == 0 or p[1][2] ~= ARGV[2] then return 0 end
redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'JUSTID')
return 1
`;

/**
 * A task handed to a worker.
 *
 * @example
 * ```ts
 * import type { Delivery } from "./task_consumer.ts";
 * declare const delivery: Delivery<{ path: string }>;
 * console.log(delivery.entryId, delivery.task.path, delivery.attempt);
 * ```
 */
export interface Delivery<T> {
  /** Redis stream entry id */
  readonly entryId: string;
  /** the validated task */
  readonly task: T;
  /** how many times it has been delivered, this time included */
  readonly attempt: number;
}

/**
 * A task (or entry) that went to the dead-letter stream, and why.
 *
 * @example
 * ```ts
 * import type { DeadLetter } from "./task_consumer.ts";
 * declare const dead: DeadLetter<{ path: string }>;
 * console.log(dead.task?.path ?? dead.raw, dead.reason);
 * ```
 */
export interface DeadLetter<T> {
  /** Redis stream entry id in the task stream */
  readonly entryId: string;
  /** the task when it could be read */
  readonly task: T | undefined;
  /** the raw task field (in a dead letter, cut to `deadLetterTaskChars` with a note) */
  readonly raw: string | undefined;
  /** why it could not be processed */
  readonly reason: string;
}

/**
 * An entry of the dead-letter stream, as {@linkcode readDeadLetter} reads it back.
 *
 * @example
 * ```ts
 * import type { BuriedTask } from "./task_consumer.ts";
 * declare const buried: BuriedTask<{ path: string }>;
 * console.log(`${buried.at} ${buried.consumer}: ${buried.reason}`);
 * ```
 */
export interface BuriedTask<T> extends DeadLetter<T> {
  /** its id in the dead-letter stream */
  readonly deadId: string;
  /** the worker that gave up on it */
  readonly consumer: string;
  /** when, ISO 8601 */
  readonly at: string;
}

/** Options of {@linkcode TaskConsumer.consume}. */
export interface ConsumeOptions<T> {
  /**
   * Stops consuming (after the current read).
   * @default runs until the loop breaks
   */
  readonly signal?: AbortSignal;
  /**
   * Called for every entry the consumer itself sends to the dead letters.
   * @default not called
   */
  readonly onDeadLetter?: (dead: DeadLetter<T>) => void | Promise<void>;
}

/**
 * Takes typed tasks from a Redis Stream as one consumer of a group.
 *
 * @example
 * ```ts
 * import { parseTask } from "./clip_task.ts";
 * import { TaskConsumer } from "./task_consumer.ts";
 * await using consumer = await TaskConsumer.connect({ redis: "redis://127.0.0.1:6379", parse: parseTask });
 * for await (const delivery of consumer.consume()) {
 *   console.log(delivery.task.path);
 *   await consumer.ack(delivery); // after the result is written
 * }
 * ```
 */
export class TaskConsumer<T> {
  /** the connection (shared or owned) */
  readonly connection: RedisConnection;
  /** stream name */
  readonly stream: string;
  /** dead-letter stream name (`<stream>:dead`) */
  readonly deadStream: string;
  /** consumer group */
  readonly group: string;
  /** this consumer's name */
  readonly consumer: string;
  readonly #owned: boolean;
  readonly #options: TaskConsumerOptions<T>;
  readonly #readers = new Set<Redis>();
  readonly #holds = new Set<() => void>();
  #groupReady = false;
  #closed = false;

  private constructor(connection: RedisConnection, owned: boolean, options: TaskConsumerOptions<T>) {
    this.connection = connection;
    this.#owned = owned;
    this.#options = options;
    this.stream = options.stream ?? QUEUE_DEFAULTS.stream;
    this.deadStream = deadLetterStream(this.stream);
    this.group = options.group ?? QUEUE_DEFAULTS.group;
    this.consumer = options.consumer ?? `${hostname()}:${Deno.pid}`;
  }

  /**
   * Connects (a wrong password or an unreachable server at start is a `QueueError`) and
   * creates the group when it is missing, so that tasks published from now on are kept for it.
   *
   * @throws {QueueError} when Redis cannot be reached or refuses the password at start, or the URL is not a
   *   Redis URL
   * @throws {Error} the Redis reply error when the group cannot be created (the stream key holds something
   *   else than a stream, say); an owned connection is closed first
   */
  static async connect<T>(options: TaskConsumerOptions<T>): Promise<TaskConsumer<T>> {
    const { connection, owned } = await useConnection(options.redis);
    const consumer = new TaskConsumer(connection, owned, options);
    try {
      await consumer.#ensureGroup();
    } catch (e) {
      if (owned) await connection.close();
      throw e;
    }
    return consumer;
  }

  /**
   * Yields tasks for this consumer: first tasks left pending too long by a dead worker
   * (taken over with XAUTOCLAIM), then new ones. Entries that do not parse, entries over
   * `maxTaskBytes` (also deleted from the stream), and tasks delivered more than `maxAttempts`
   * times, go to the dead-letter stream. Survives Redis
   * restarts (the group is created again when missing). Ends when the signal aborts or the
   * consumer (or its connection) is closed.
   *
   * @returns deliveries one at a time. It never throws: errors of a read (Redis restarting, a lost group)
   *   or of `onDeadLetter` are swallowed and the loop reads again after half a second
   */
  async *consume(options: ConsumeOptions<T> = {}): AsyncGenerator<Delivery<T>> {
    // A blocking read holds its connection: each consumer loop gets one of its own.
    const reader = this.connection.duplicate();
    this.#readers.add(reader);
    try {
      yield* this.#consume(reader, options);
    } finally {
      this.#readers.delete(reader);
      this.connection.release(reader);
    }
  }

  async *#consume(reader: Redis, { signal, onDeadLetter }: ConsumeOptions<T>): AsyncGenerator<Delivery<T>> {
    const {
      blockMs = QUEUE_DEFAULTS.blockMs,
      visibilityTimeoutMs = QUEUE_DEFAULTS.visibilityTimeoutMs,
      maxAttempts = QUEUE_DEFAULTS.maxAttempts,
      maxTaskBytes = QUEUE_DEFAULTS.maxTaskBytes,
      parse,
    } = this.#options;
    // Closing ends the loop too: its reads would only fail from then on.
    const stopped = () => signal?.aborted || this.#closed || this.connection.closed;
    while (!stopped()) {
      try {
        await this.#ensureGroup();
        const entries: [string, string[]][] = [];
        const claimed = await reader.xautoclaim(
          this.stream,
          this.group,
          this.consumer,
          visibilityTimeoutMs,
          "0-0",
          "COUNT",
          10,
        ) as [string, [string, string[]][], string[]?];
        entries.push(...(claimed[1] ?? []).filter((e) => e && e[1]));
        if (entries.length === 0) {
          const read = await reader.xreadgroup(
            "GROUP",
            this.group,
            this.consumer,
            "COUNT",
            1,
            "BLOCK",
            blockMs,
            "STREAMS",
            this.stream,
            ">",
          ) as [string, [string, string[]][]][] | null;
          for (const [, list] of read ?? []) entries.push(...list);
        }
        for (const [entryId, fields] of entries) {
          const raw = entryField(fields, TASK_FIELD);
          const bytes = utf8Bytes(raw ?? "", maxTaskBytes);
          if (bytes > maxTaskBytes) {
            const reason = `task is ${bytes} bytes, over the limit of ${maxTaskBytes}`;
            await this.#bury({ entryId, task: undefined, raw, reason });
            // Acknowledged history would keep the whole entry until MAXLEN trims it.
            await this.connection.client.xdel(this.stream, entryId);
            await onDeadLetter?.({ entryId, task: undefined, raw: this.#cut(raw), reason });
            continue;
          }
          let task: T;
          try {
            task = parse(raw ?? "");
          } catch (e) {
            const reason = e instanceof Error ? e.message : String(e);
            await this.#bury({ entryId, task: undefined, raw, reason });
            await onDeadLetter?.({ entryId, task: undefined, raw: this.#cut(raw), reason });
            continue;
          }
          const attempt = await this.#deliveries(entryId);
          if (attempt > maxAttempts) {
            const reason = `gave up after ${maxAttempts} attempts (its worker never finished it)`;
            await onDeadLetter?.({ entryId, task, raw, reason });
            await this.#bury({ entryId, task, raw, reason });
            continue;
          }
          yield { entryId, task, attempt };
        }
      } catch (e) {
        if (stopped()) return;
        if (/NOGROUP/.test((e as Error).message)) {
          this.#groupReady = false; // Redis lost its data (restart without persistence)
          continue;
        }
        // Connection trouble: ioredis reconnects; wait a little instead of spinning.
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /**
   * Acknowledges a delivered task (call it once its result is written).
   *
   * @returns once Redis has it; while Redis is away the call waits for the reconnection (commands are queued,
   *   not failed)
   */
  async ack(delivery: Delivery<T>): Promise<void> {
    await this.connection.client.xack(this.stream, this.group, delivery.entryId);
  }

  /**
   * Sends a delivered task to the dead letters with a reason, and acknowledges it.
   *
   * @param reason why, in words: the monitor and the notebooks show it
   */
  async deadLetter(delivery: Delivery<T>, reason: string): Promise<void> {
    await this.#bury({
      entryId: delivery.entryId,
      task: delivery.task,
      raw: JSON.stringify(delivery.task),
      reason,
    });
  }

  /**
   * Keeps a delivered task with this consumer while its worker is alive and working: every
   * `holdRefreshMs` (a third of the visibility timeout by default) the task's idle time is reset,
   * as `XCLAIM <stream> <group> <consumer> 0 <id> JUSTID` does (which spends no attempt), but only
   * while the task is still pending for this consumer. Other consumers' XAUTOCLAIM then takes it
   * over only when this process dies or stops refreshing, however long the analysis takes.
   * Refreshing stops at {@linkcode TaskHold.stop}, when the consumer is closed, or once the task is
   * found acknowledged or taken over. A refresh that fails (Redis away) is tried again at the next tick.
   *
   * @returns the hold; stop it (or `using` it) when the task is acknowledged or given back
   *
   * @example
   * ```ts
   * import { parseTask } from "./clip_task.ts";
   * import { TaskConsumer } from "./task_consumer.ts";
   * await using consumer = await TaskConsumer.connect({ redis: "redis://127.0.0.1:6379", parse: parseTask });
   * for await (const delivery of consumer.consume()) {
   *   using _hold = consumer.hold(delivery);
   *   // … a long analysis …
   *   await consumer.ack(delivery);
   * }
   * ```
   */
  hold(delivery: Delivery<T>): TaskHold {
    const visibilityTimeoutMs = this.#options.visibilityTimeoutMs ?? QUEUE_DEFAULTS.visibilityTimeoutMs;
    const every = this.#options.holdRefreshMs ?? Math.max(1, Math.floor(visibilityTimeoutMs / 3));
    const client = this.connection.client;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const state = { refreshes: 0, lost: false };
    const stop = () => {
      stopped = true;
      clearTimeout(timer);
      this.#holds.delete(stop);
    };
    const tick = async () => {
      if (stopped || this.#closed || this.connection.closed) return stop();
      try {
        const kept = await client.eval(
          REFRESH_SCRIPT,
          1,
          this.stream,
          this.group,
          this.consumer,
          delivery.entryId,
        );
        if (kept === 1) state.refreshes++;
        else {
          state.lost = true;
          return stop();
        }
      } catch { /* Redis away: try again at the next tick */ }
      if (!stopped) timer = setTimeout(tick, every);
    };
    this.#holds.add(stop);
    timer = setTimeout(tick, every);
    return {
      get refreshes() {
        return state.refreshes;
      },
      get lost() {
        return state.lost;
      },
      stop,
      [Symbol.dispose]: stop,
    };
  }

  /**
   * Gives a delivered task back unacknowledged, without counting this delivery against
   * `maxAttempts` (its result could not be written: a full disk is not the task's fault). It can
   * be taken over at once by any consumer's next read of stale tasks.
   *
   * @returns once Redis has it (a task no longer pending, acknowledged meanwhile, is left alone)
   */
  async release(delivery: Delivery<T>): Promise<void> {
    const visibilityTimeoutMs = this.#options.visibilityTimeoutMs ?? QUEUE_DEFAULTS.visibilityTimeoutMs;
    await this.connection.client.xclaim(
      this.stream,
      this.group,
      this.consumer,
      0,
      delivery.entryId,
      "IDLE",
      visibilityTimeoutMs,
      "RETRYCOUNT",
      Math.max(0, delivery.attempt - 1),
      "JUSTID",
    );
  }

  /** Ends the consume loops; closes the connection when this consumer opened it. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const stop of [...this.#holds]) stop();
    for (const reader of this.#readers) this.connection.release(reader);
    this.#readers.clear();
    if (this.#owned) await this.connection.close();
  }

  /** Closes, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #ensureGroup(): Promise<void> {
    if (this.#groupReady) return;
    try {
      await this.connection.client.xgroup("CREATE", this.stream, this.group, "0", "MKSTREAM");
    } catch (e) {
      if (!/BUSYGROUP/.test((e as Error).message)) throw e;
    }
    this.#groupReady = true;
  }

  async #deliveries(entryId: string): Promise<number> {
    const info = await this.connection.client.xpending(this.stream, this.group, entryId, entryId, 1) as [
      string,
      string,
      number,
      number,
    ][];
    return info[0]?.[3] ?? 1;
  }

  /** A task's text as a dead letter keeps it: cut, with a note of its size. */
  #cut(raw: string | undefined): string | undefined {
    const max = this.#options.deadLetterTaskChars ?? QUEUE_DEFAULTS.deadLetterTaskChars;
    if (raw === undefined || raw.length <= max) return raw;
    return `${raw.slice(0, max)}… [cut: ${utf8Bytes(raw)} bytes]`;
  }

  async #bury(dead: DeadLetter<T>): Promise<void> {
    const maxLength = this.#options.deadLetterMaxLength ?? QUEUE_DEFAULTS.deadLetterMaxLength;
    await this.connection.client.xadd(
      this.deadStream,
      "MAXLEN",
      "~",
      maxLength,
      "*",
      "entry",
      dead.entryId,
      TASK_FIELD,
      this.#cut(dead.raw) ?? "",
      "reason",
      truncateText(dead.reason, QUEUE_DEFAULTS.deadLetterReasonChars),
      "consumer",
      this.consumer,
      "at",
      new Date().toISOString(),
    );
    await this.connection.client.xack(this.stream, this.group, dead.entryId);
  }
}

/**
 * Reads back an entry of the dead-letter stream that {@linkcode TaskConsumer} wrote (the
 * monitor lists them with it). The task is undefined when it does not parse; it is shown raw.
 *
 * @param deadId the entry's id in the dead-letter stream
 * @param fields the entry's fields as Redis returns them (`[name, value, …]`)
 * @param parse the task parser; what it throws is caught
 * @returns the entry with missing fields as empty strings (`raw` undefined when the task field is missing or
 *   empty); it never throws
 *
 * @example
 * ```ts
 * import { parseTask } from "./clip_task.ts";
 * import { readDeadLetter } from "./task_consumer.ts";
 * const buried = readDeadLetter("1-0", ["entry", "0-1", "task", "oops", "reason", "task is not JSON"], parseTask);
 * console.log(buried.task, buried.reason); // undefined "task is not JSON"
 * ```
 */
export function readDeadLetter<T>(
  deadId: string,
  fields: readonly string[],
  parse: (input: unknown) => T,
): BuriedTask<T> {
  const raw = entryField(fields, TASK_FIELD) || undefined;
  return {
    deadId,
    entryId: entryField(fields, "entry") ?? "",
    task: parseOrUndefined(raw, parse),
    raw,
    reason: entryField(fields, "reason") ?? "",
    consumer: entryField(fields, "consumer") ?? "",
    at: entryField(fields, "at") ?? "",
  };
}

/**
 * The task in a raw field, or undefined when it is missing or does not parse (it is shown raw
 * then).
 *
 * @example
 * ```ts
 * import { parseTask } from "./clip_task.ts";
 * import { parseOrUndefined } from "./task_consumer.ts";
 * console.log(parseOrUndefined("not json", parseTask)); // undefined
 * ```
 */
export function parseOrUndefined<T>(raw: string | undefined, parse: (input: unknown) => T): T | undefined {
  try {
    return raw === undefined ? undefined : parse(raw);
  } catch {
    return undefined;
  }
}
