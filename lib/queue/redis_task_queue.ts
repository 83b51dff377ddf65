/**
 * `RedisTaskQueue`: clip tasks over a Redis Stream with a consumer group. At-least-once
 * delivery (a task is acknowledged only when its log line is written), reclaim of tasks left
 * pending by a dead worker (XAUTOCLAIM), an attempts cap with a dead-letter stream, validation
 * on both sides, and, for capture, an outbox file that keeps tasks while Redis is unreachable.
 *
 * @module
 */

import { hostname } from "node:os";
import { Redis, type RedisOptions } from "ioredis";
import { type ClipTask, parseTask, TaskError } from "./clip_task.ts";
import { CamwatchError } from "../errors.ts";
import { redactUrl } from "../ops/redact.ts";

/** Redis cannot be used: wrong password, unreachable at start, not a Redis. */
export class QueueError extends CamwatchError {}

/** Where Redis is: a `redis://` / `rediss://` URL, or host, port and password. */
export type RedisTarget = string | { host: string; port: number; password?: string; tls?: boolean };

/** Options of {@linkcode RedisTaskQueue.connect}. */
export interface RedisTaskQueueOptions {
  /** the Redis server */
  readonly redis: RedisTarget;
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
   * Capture side: a JSONL file that keeps tasks published while Redis is unreachable; they are
   * sent, in order, once it is back.
   * @default no outbox: publishing waits for Redis
   */
  readonly outboxPath?: string;
  /**
   * Most entries the stream keeps (approximately; acknowledged history is trimmed).
   * @default 100000
   */
  readonly maxLength?: number;
}

/** A task handed to a worker. */
export interface Delivery {
  /** Redis stream entry id */
  readonly entryId: string;
  /** the validated task */
  readonly task: ClipTask;
  /** how many times it has been delivered, this time included */
  readonly attempt: number;
}

/** A task (or entry) that went to the dead-letter stream, and why. */
export interface DeadLetter {
  /** Redis stream entry id in the task stream */
  readonly entryId: string;
  /** the task when it could be read */
  readonly task: ClipTask | undefined;
  /** the raw `task` field */
  readonly raw: string | undefined;
  /** why it could not be processed */
  readonly reason: string;
}

/** A task a worker holds without having acknowledged it yet. */
export interface PendingTask {
  /** Redis stream entry id */
  readonly entryId: string;
  /** the consumer (worker) that holds it */
  readonly consumer: string;
  /** milliseconds since it was last delivered */
  readonly idleMs: number;
  /** how many times it has been delivered */
  readonly deliveries: number;
  /** the task, when it is valid */
  readonly task: ClipTask | undefined;
  /** the raw `task` field, undefined if the entry is gone (trimmed) */
  readonly raw: string | undefined;
}

/** An entry of the dead-letter stream. */
export interface BuriedTask extends DeadLetter {
  /** its id in the dead-letter stream */
  readonly deadId: string;
  /** the worker that gave up on it */
  readonly consumer: string;
  /** when, ISO 8601 */
  readonly at: string;
}

/** Options of {@linkcode RedisTaskQueue.consume}. */
export interface ConsumeOptions {
  /** stops consuming (after the current read) */
  readonly signal?: AbortSignal;
  /** called for every entry sent to the dead letters by the queue itself */
  readonly onDeadLetter?: (dead: DeadLetter) => void | Promise<void>;
}

function redisOptions(target: RedisTarget): { options: RedisOptions; display: string } {
  const common: RedisOptions = {
    lazyConnect: true,
    // Keep trying (1 s doubling to 10 s) when Redis goes away; commands wait meanwhile.
    retryStrategy: (times) => Math.min(1000 * 2 ** Math.min(times - 1, 4), 10_000),
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
  };
  if (typeof target === "string") {
    const url = new URL(target);
    if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
      throw new QueueError(`REDIS_URL must start with redis:// or rediss://, got ${redactUrl(target)}`);
    }
    return {
      options: {
        ...common,
        host: url.hostname,
        port: Number(url.port || 6379),
        username: url.username ? decodeURIComponent(url.username) : undefined,
        password: url.password ? decodeURIComponent(url.password) : undefined,
        db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : undefined,
        tls: url.protocol === "rediss:" ? {} : undefined,
      },
      display: redactUrl(target),
    };
  }
  return {
    options: {
      ...common,
      host: target.host,
      port: target.port,
      password: target.password,
      tls: target.tls ? {} : undefined,
    },
    display: `redis://${target.password ? ":***@" : ""}${target.host}:${target.port}`,
  };
}

/** Opens a connection and checks it once; a refused password or a missing server is fatal. */
async function open(target: RedisTarget): Promise<{ redis: Redis; display: string }> {
  const { options, display } = redisOptions(target);
  const redis = new Redis(options);
  let lastError: Error | undefined;
  redis.on("error", (e: Error) => (lastError = e)); // reported by the checks below
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    redis.disconnect();
    const message = lastError?.message ?? ((e as Error).message || String(e));
    if (
      /WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(
        `${message} ${(e as Error).message}`,
      )
    ) {
      throw new QueueError(`Redis at ${display} refused the password (${message.split("\n")[0]})`, {
        cause: e,
      });
    }
    throw new QueueError(`cannot reach Redis at ${display}: ${message}`, { cause: e });
  }
  return { redis, display };
}

/**
 * A typed task queue on a Redis Stream.
 *
 * @example
 * ```ts
 * import { RedisTaskQueue } from "./redis_task_queue.ts";
 * await using queue = await RedisTaskQueue.connect({ redis: "redis://127.0.0.1:6379" });
 * for await (const delivery of queue.consume()) {
 *   console.log(delivery.task.path);
 *   await queue.ack(delivery); // after the log line is written
 * }
 * ```
 */
export class RedisTaskQueue {
  /** the Redis server, password masked, for logs */
  readonly display: string;
  /** stream name */
  readonly stream: string;
  /** dead-letter stream name (`<stream>:dead`) */
  readonly deadStream: string;
  /** consumer group */
  readonly group: string;
  /** this consumer's name */
  readonly consumer: string;
  readonly #redis: Redis;
  readonly #options: RedisTaskQueueOptions;
  #groupReady = false;
  #flushing: Promise<void> | undefined;
  #readers = new Set<Redis>();

  private constructor(redis: Redis, display: string, options: RedisTaskQueueOptions) {
    this.#redis = redis;
    this.display = display;
    this.#options = options;
    this.stream = options.stream ?? "video_queue";
    this.deadStream = `${this.stream}:dead`;
    this.group = options.group ?? "workers";
    this.consumer = options.consumer ?? `${hostname()}:${Deno.pid}`;
    // Later outages are retried by ioredis; only log-worthy, never fatal.
    redis.on("error", () => {});
    redis.on("ready", () => this.flushOutbox().catch(() => {}));
  }

  /**
   * Connects and checks the connection once: a wrong password or an unreachable server at
   * start gives a {@linkcode QueueError} at once, instead of a retry storm.
   */
  static async connect(options: RedisTaskQueueOptions): Promise<RedisTaskQueue> {
    const { redis, display } = await open(options.redis);
    const queue = new RedisTaskQueue(redis, display, options);
    await queue.flushOutbox();
    return queue;
  }

  /**
   * Publishes a task (validated first). With an outbox, a task that cannot reach Redis at
   * once is appended to the outbox and sent later, in order; returns the stream entry id, or
   * undefined when the task went to the outbox.
   */
  async publish(task: ClipTask): Promise<string | undefined> {
    const checked = parseTask(task);
    const outbox = this.#options.outboxPath;
    if (outbox) {
      // Keep order: while the outbox holds tasks, new ones queue behind them.
      if (this.#redis.status !== "ready" || (await fileSize(outbox)) > 0) {
        await Deno.writeTextFile(outbox, JSON.stringify(checked) + "\n", { append: true });
        if (this.#redis.status === "ready") await this.flushOutbox();
        return undefined;
      }
    }
    return await this.#add(checked);
  }

  /** Sends the tasks waiting in the outbox, oldest first; stops at the first failure. */
  flushOutbox(): Promise<void> {
    const outbox = this.#options.outboxPath;
    if (!outbox) return Promise.resolve();
    this.#flushing ??= (async () => {
      try {
        for (;;) {
          let text: string;
          try {
            text = await Deno.readTextFile(outbox);
          } catch {
            return;
          }
          const lines = text.split("\n").filter((l) => l.trim());
          if (lines.length === 0) return;
          let sent = 0;
          for (const line of lines) {
            if (this.#redis.status !== "ready") break;
            try {
              await this.#add(parseTask(line));
            } catch (e) {
              if (!(e instanceof TaskError)) break; // Redis went away again: keep the rest
            }
            sent++;
          }
          // Rewrite what is left (tasks published meanwhile were appended after the lines read).
          const now = (await Deno.readTextFile(outbox)).split("\n").filter((l) => l.trim());
          const rest = now.slice(sent);
          await Deno.writeTextFile(outbox, rest.length ? rest.join("\n") + "\n" : "");
          if (sent < lines.length || rest.length === 0) return;
        }
      } finally {
        this.#flushing = undefined;
      }
    })();
    return this.#flushing;
  }

  /**
   * Yields tasks for this consumer: first tasks left pending too long by a dead worker
   * (taken over with XAUTOCLAIM), then new ones. Entries that do not validate, and tasks
   * delivered more than `maxAttempts` times, go to the dead-letter stream. Survives Redis
   * restarts (the group is created again when missing).
   */
  async *consume(options: ConsumeOptions = {}): AsyncGenerator<Delivery> {
    const { signal, onDeadLetter } = options;
    const { blockMs = 2000, visibilityTimeoutMs = 300_000, maxAttempts = 3 } = this.#options;
    // A blocking read holds its connection: each consumer loop gets one of its own.
    const reader = this.#redis.duplicate();
    reader.on("error", () => {});
    this.#readers.add(reader);
    try {
      yield* this.#consume(reader, signal, onDeadLetter, { blockMs, visibilityTimeoutMs, maxAttempts });
    } finally {
      this.#readers.delete(reader);
      reader.disconnect();
    }
  }

  async *#consume(
    reader: Redis,
    signal: AbortSignal | undefined,
    onDeadLetter: ConsumeOptions["onDeadLetter"],
    { blockMs, visibilityTimeoutMs, maxAttempts }: {
      blockMs: number;
      visibilityTimeoutMs: number;
      maxAttempts: number;
    },
  ): AsyncGenerator<Delivery> {
    while (!signal?.aborted) {
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
          const raw = fieldOf(fields, "task");
          let task: ClipTask;
          try {
            task = parseTask(raw ?? "");
          } catch (e) {
            const reason = e instanceof TaskError ? e.message : String(e);
            await this.#bury({ entryId, task: undefined, raw, reason });
            await onDeadLetter?.({ entryId, task: undefined, raw, reason });
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
        if (signal?.aborted) return;
        if (/NOGROUP/.test((e as Error).message)) {
          this.#groupReady = false; // Redis lost its data (restart without persistence)
          continue;
        }
        // Connection trouble: ioredis reconnects; wait a little instead of spinning.
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /** Acknowledges a delivered task (call it once its log line is written). */
  async ack(delivery: Delivery): Promise<void> {
    await this.#redis.xack(this.stream, this.group, delivery.entryId);
  }

  /** Sends a delivered task to the dead letters with a reason, and acknowledges it. */
  async deadLetter(delivery: Delivery, reason: string): Promise<void> {
    await this.#bury({
      entryId: delivery.entryId,
      task: delivery.task,
      raw: JSON.stringify(delivery.task),
      reason,
    });
  }

  /** Stream length, group lag, pending and dead-letter counts, for monitoring. */
  async stats(): Promise<{ length: number; pending: number; dead: number; lag: number | undefined }> {
    await this.#ensureGroup();
    const [length, dead, groups] = await Promise.all([
      this.#redis.xlen(this.stream),
      this.#redis.xlen(this.deadStream),
      this.#redis.xinfo("GROUPS", this.stream) as Promise<unknown[][]>,
    ]);
    const mine = groups.map((g) => Object.fromEntries(pairs(g))).find((g) => g.name === this.group);
    return {
      length,
      dead,
      pending: Number(mine?.pending ?? 0),
      lag: mine?.lag === undefined || mine.lag === null ? undefined : Number(mine.lag),
    };
  }

  /**
   * The tasks delivered to a worker and not yet acknowledged, oldest first: who holds each,
   * for how long, and how many times it was delivered.
   */
  async pendingTasks(count = 100): Promise<PendingTask[]> {
    await this.#ensureGroup();
    const rows = await this.#redis.xpending(this.stream, this.group, "-", "+", count) as [
      string,
      string,
      number,
      number,
    ][];
    return await Promise.all(rows.map(async ([entryId, consumer, idleMs, deliveries]) => {
      const [entry] = await this.#redis.xrange(this.stream, entryId, entryId);
      const raw = entry ? fieldOf(entry[1], "task") : undefined;
      const task = validTask(raw);
      return { entryId, consumer, idleMs: Number(idleMs), deliveries: Number(deliveries), task, raw };
    }));
  }

  /** The newest entries of the dead-letter stream, newest first, with why each was put there. */
  async deadLetters(count = 20): Promise<BuriedTask[]> {
    const entries = await this.#redis.xrevrange(this.deadStream, "+", "-", "COUNT", count);
    return entries.map(([deadId, fields]) => {
      const raw = fieldOf(fields, "task") || undefined;
      return {
        deadId,
        entryId: fieldOf(fields, "entry") ?? "",
        task: validTask(raw),
        raw,
        reason: fieldOf(fields, "reason") ?? "",
        consumer: fieldOf(fields, "consumer") ?? "",
        at: fieldOf(fields, "at") ?? "",
      };
    });
  }

  /** Whether the connection to Redis is up now. */
  get connected(): boolean {
    return this.#redis.status === "ready";
  }

  /** Tasks waiting in the outbox for Redis (0 without an outbox). */
  async outboxSize(): Promise<number> {
    const outbox = this.#options.outboxPath;
    if (!outbox) return 0;
    try {
      return (await Deno.readTextFile(outbox)).split("\n").filter((l) => l.trim()).length;
    } catch {
      return 0;
    }
  }

  /**
   * Records that a worker is alive, with what it wants to show (counts, model…), for
   * `ttlSeconds`; monitoring lists the live ones with {@linkcode RedisTaskQueue.workers}.
   */
  async heartbeat(name: string, info: Record<string, unknown>, ttlSeconds = 30): Promise<void> {
    const value = JSON.stringify({ name, ...info, at: new Date().toISOString() });
    await this.#redis.set(`${this.stream}:worker:${name}`, value, "EX", ttlSeconds);
  }

  /** The workers whose heartbeat has not expired, with what they reported. */
  async workers(): Promise<Record<string, unknown>[]> {
    const keys: string[] = [];
    let cursor = "0";
    do {
      const [next, found] = await this.#redis.scan(cursor, "MATCH", `${this.stream}:worker:*`, "COUNT", 100);
      cursor = next;
      keys.push(...found);
    } while (cursor !== "0");
    if (keys.length === 0) return [];
    const values = await this.#redis.mget(...keys);
    return values.flatMap((v) => (v ? [JSON.parse(v)] : []));
  }

  /** Closes the connections. */
  async close(): Promise<void> {
    for (const reader of this.#readers) reader.disconnect();
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }

  /** Closes the connections, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #add(task: ClipTask): Promise<string> {
    const maxLength = this.#options.maxLength ?? 100_000;
    const id = await this.#redis.xadd(
      this.stream,
      "MAXLEN",
      "~",
      maxLength,
      "*",
      "task",
      JSON.stringify(task),
    );
    return id as string;
  }

  async #ensureGroup(): Promise<void> {
    if (this.#groupReady) return;
    try {
      await this.#redis.xgroup("CREATE", this.stream, this.group, "0", "MKSTREAM");
    } catch (e) {
      if (!/BUSYGROUP/.test((e as Error).message)) throw e;
    }
    this.#groupReady = true;
  }

  async #deliveries(entryId: string): Promise<number> {
    const info = await this.#redis.xpending(this.stream, this.group, entryId, entryId, 1) as [
      string,
      string,
      number,
      number,
    ][];
    return info[0]?.[3] ?? 1;
  }

  async #bury(dead: DeadLetter): Promise<void> {
    await this.#redis.xadd(
      this.deadStream,
      "*",
      "entry",
      dead.entryId,
      "task",
      dead.raw ?? "",
      "reason",
      dead.reason,
      "consumer",
      this.consumer,
      "at",
      new Date().toISOString(),
    );
    await this.#redis.xack(this.stream, this.group, dead.entryId);
  }
}

/** The task in a raw field, or undefined when it is missing or invalid (it is shown raw then). */
function validTask(raw: string | undefined): ClipTask | undefined {
  try {
    return raw === undefined ? undefined : parseTask(raw);
  } catch {
    return undefined;
  }
}

function fieldOf(fields: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

function* pairs(list: unknown[]): Generator<[string, unknown]> {
  for (let i = 0; i + 1 < list.length; i += 2) yield [String(list[i]), list[i + 1]];
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await Deno.stat(path)).size;
  } catch {
    return 0;
  }
}
