/**
 * `TaskProducer`: the publishing side of the queue. It validates each task with the parser it
 * was given and adds it to the Redis Stream; with an outbox file, a task that cannot reach Redis
 * at once is kept there and sent, in order, when Redis is back (capture goes on recording while
 * Redis is down).
 *
 * @module
 */

import { TaskError } from "./clip_task.ts";
import { QUEUE_DEFAULTS, TASK_FIELD, utf8Bytes } from "./queue_defaults.ts";
import { type ConnectionSource, type RedisConnection, useConnection } from "./redis_connection.ts";

/** Options of {@linkcode TaskProducer.connect}. */
export interface TaskProducerOptions<T> {
  /** the Redis server, or a connection shared with other roles */
  readonly redis: ConnectionSource;
  /**
   * Checks a task and returns it typed; throws (its message saying why) when it is not valid.
   * It is given the task as published, or the JSON text of an outbox line.
   */
  readonly parse: (input: unknown) => T;
  /**
   * Stream name (the prototype's `RDSQ_OUTMSG`).
   * @default "video_queue"
   */
  readonly stream?: string;
  /**
   * A JSONL file that keeps tasks published while Redis is unreachable; they are sent, in
   * order, once it is back.
   * @default no outbox: publishing waits for Redis
   */
  readonly outboxPath?: string;
  /**
   * Most entries the stream keeps (approximately; acknowledged history is trimmed).
   * @default 100000
   */
  readonly maxLength?: number;
  /**
   * Largest task, in UTF-8 bytes of its JSON text; a bigger one is refused (consumers
   * dead-letter bigger entries too).
   * @default 16384
   */
  readonly maxTaskBytes?: number;
  /**
   * Ms between attempts to send the outbox while it holds tasks (after a send timed out, or while Redis is
   * away).
   * @default 1000
   */
  readonly outboxRetryMs?: number;
}

/**
 * Publishes typed tasks to a Redis Stream.
 *
 * @example
 * ```ts
 * import { parseTask } from "./clip_task.ts";
 * import { TaskProducer } from "./task_producer.ts";
 * await using producer = await TaskProducer.connect({
 *   redis: "redis://127.0.0.1:6379",
 *   parse: parseTask,
 *   outboxPath: "video/.outbox.jsonl",
 * });
 * const id = await producer.publish({
 *   v: 1, id: "front-2026-02-23T14:46:57.000+01:00", camera: "front", path: "front/20260223-144657.mp4",
 *   start: "2026-02-23T14:46:57.000+01:00", end: "2026-02-23T14:47:32.000+01:00",
 *   motion: { peak: 0.12, boxes: [] },
 * });
 * console.log(id ?? "kept in the outbox until Redis is back");
 * ```
 */
export class TaskProducer<T> {
  /** the connection (shared or owned) */
  readonly connection: RedisConnection;
  /** stream name */
  readonly stream: string;
  readonly #owned: boolean;
  readonly #options: TaskProducerOptions<T>;
  readonly #onReady = () => void this.flushOutbox().catch(() => {});
  #flushing: Promise<void> | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  private constructor(connection: RedisConnection, owned: boolean, options: TaskProducerOptions<T>) {
    this.connection = connection;
    this.#owned = owned;
    this.#options = options;
    this.stream = options.stream ?? QUEUE_DEFAULTS.stream;
    connection.client.on("ready", this.#onReady);
  }

  /**
   * Connects (a wrong password or an unreachable server at start is a `QueueError`) and sends
   * what the outbox holds from an earlier run.
   *
   * @throws {QueueError} when Redis cannot be reached or refuses the password at start, or the URL is not a
   *   Redis URL
   * @throws {Deno.errors.PermissionDenied} and other file errors when the outbox holds tasks but cannot be
   *   rewritten
   */
  static async connect<T>(options: TaskProducerOptions<T>): Promise<TaskProducer<T>> {
    const { connection, owned } = await useConnection(options.redis);
    const producer = new TaskProducer(connection, owned, options);
    await producer.flushOutbox();
    return producer;
  }

  /**
   * Publishes a task (validated first: an invalid one throws the parser's error). With an
   * outbox, a task that cannot reach Redis at once (no connection, or no answer within the command
   * timeout, `QUEUE_DEFAULTS.commandTimeoutMs`) is appended to it and sent later, in order.
   * Returns the stream entry id, or undefined when the task went to the outbox.
   *
   * @returns without an outbox, the call waits while Redis is away, up to the command timeout (then it
   *   throws)
   * @throws {TaskError} (or whatever the `parse` option throws) when the task is not valid, and a
   *   `TaskError` when its JSON text is over `maxTaskBytes`; nothing is sent then
   * @throws {Deno.errors.PermissionDenied} and other file errors when the outbox cannot be written
   */
  async publish(task: T): Promise<string | undefined> {
    const text = this.#checkSize(JSON.stringify(this.#options.parse(task)));
    const outbox = this.#options.outboxPath;
    if (outbox) {
      // Keep order: while the outbox holds tasks, new ones queue behind them.
      if (!this.connection.connected || (await fileSize(outbox)) > 0) {
        await Deno.writeTextFile(outbox, text + "\n", { append: true });
        await this.#flushIfAnswering();
        return undefined;
      }
      try {
        return await this.#add(text);
      } catch {
        // Redis is slow (the command timed out) or went away meanwhile: keep the task for later. A timed-out
        // XADD may still be applied by a server that wakes up: the task is then queued twice, which the
        // at-least-once contract allows.
        await Deno.writeTextFile(outbox, text + "\n", { append: true });
        this.#scheduleRetry();
        return undefined;
      }
    }
    return await this.#add(text);
  }

  /**
   * Sends the outbox when Redis answers a PING in time; otherwise tries again later. The PING comes first
   * because on a hung server each timed-out XADD may still be applied when it wakes: one PING piles up
   * nothing, where retried XADDs would queue the first task many times.
   */
  async #flushIfAnswering(): Promise<void> {
    if (this.#closed) return;
    if (
      (await this.connection.probe(this.#options.outboxRetryMs ?? QUEUE_DEFAULTS.outboxRetryMs)) ===
        "connected"
    ) {
      await this.flushOutbox();
    }
    if ((await this.outboxSize()) > 0) this.#scheduleRetry();
  }

  /** Tries the outbox again later while it holds tasks (a hung server sends no "ready" when it wakes). */
  #scheduleRetry(): void {
    if (this.#retry !== undefined || this.#closed) return;
    const ms = this.#options.outboxRetryMs ?? QUEUE_DEFAULTS.outboxRetryMs;
    const timer = setTimeout(async () => {
      this.#retry = undefined;
      if (this.#closed) return;
      await this.#flushIfAnswering().catch(() => {});
    }, ms);
    Deno.unrefTimer(timer as unknown as number);
    this.#retry = timer;
  }

  /**
   * Sends the tasks waiting in the outbox, oldest first; stops at the first failure to reach
   * Redis. Lines that no longer parse are dropped. Called on its own when Redis comes back.
   *
   * @returns a promise shared by concurrent calls: one flush runs at a time; it resolves when the outbox is
   *   empty or Redis went away again
   */
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
            if (!this.connection.connected) break;
            let task: string | undefined;
            try {
              task = this.#checkSize(JSON.stringify(this.#options.parse(line)));
            } catch {
              // A line that no longer parses (or is too big) will never be sent: drop it rather than
              // block the rest.
            }
            if (task !== undefined) {
              try {
                await this.#add(task);
              } catch {
                break; // Redis went away again: keep the rest
              }
            }
            sent++;
          }
          // Rewrite what is left (tasks published meanwhile were appended after the lines read).
          const now = (await Deno.readTextFile(outbox)).split("\n").filter((l) => l.trim());
          const rest = now.slice(sent);
          await Deno.writeTextFile(outbox, rest.length ? rest.join("\n") + "\n" : "");
          if (rest.length > 0 && sent < lines.length) this.#scheduleRetry();
          if (sent < lines.length || rest.length === 0) return;
        }
      } finally {
        this.#flushing = undefined;
      }
    })();
    return this.#flushing;
  }

  /**
   * Tasks waiting in the outbox for Redis (0 without an outbox).
   *
   * @returns the number of non-blank lines in the outbox; 0 when there is no outbox or it cannot be read
   */
  async outboxSize(): Promise<number> {
    const outbox = this.#options.outboxPath;
    if (!outbox) return 0;
    try {
      return (await Deno.readTextFile(outbox)).split("\n").filter((l) => l.trim()).length;
    } catch {
      return 0;
    }
  }

  /** Stops flushing on reconnect; closes the connection when this producer opened it. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    this.connection.client.off("ready", this.#onReady);
    if (this.#owned) await this.connection.close();
  }

  /** Closes, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #checkSize(text: string): string {
    const max = this.#options.maxTaskBytes ?? QUEUE_DEFAULTS.maxTaskBytes;
    const bytes = utf8Bytes(text, max);
    if (bytes > max) throw new TaskError(`task is ${bytes} bytes, over the limit of ${max}`);
    return text;
  }

  async #add(task: string): Promise<string> {
    const maxLength = this.#options.maxLength ?? QUEUE_DEFAULTS.maxLength;
    const id = await this.connection.client.xadd(
      this.stream,
      "MAXLEN",
      "~",
      maxLength,
      "*",
      TASK_FIELD,
      task,
    );
    return id as string;
  }
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await Deno.stat(path)).size;
  } catch {
    return 0;
  }
}
