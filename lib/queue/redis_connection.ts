/**
 * `RedisConnection`: the one way the queue roles (`TaskProducer`, `TaskConsumer`,
 * `QueueMonitor`) reach Redis. It reads a target (a `redis://` / `rediss://` URL, or host, port
 * and password), checks the connection once at start so that a wrong password or a missing
 * server is a clear {@linkcode QueueError} instead of a retry storm, keeps reconnecting after
 * that, and never shows the password.
 *
 * @module
 */

import { Redis, type RedisOptions } from "ioredis";
import { CamwatchError } from "../errors.ts";
import { redactUrl } from "../ops/redact.ts";
import { QUEUE_DEFAULTS } from "./queue_defaults.ts";

/**
 * Redis cannot be used: wrong password, unreachable at start, not a Redis URL.
 *
 * @example
 * ```ts
 * import { QueueError, RedisConnection } from "./redis_connection.ts";
 * try {
 *   await RedisConnection.open("redis://127.0.0.1:1");
 * } catch (e) {
 *   if (e instanceof QueueError) console.error(e.message); // "cannot reach Redis at redis://127.0.0.1:1: …"
 * }
 * ```
 */
export class QueueError extends CamwatchError {}

/**
 * Where Redis is: a `redis://` / `rediss://` URL, or host, port and password.
 *
 * @example
 * ```ts
 * import type { RedisTarget } from "./redis_connection.ts";
 * const url: RedisTarget = "rediss://:secret@redis.example:6380/0";
 * const parts: RedisTarget = { host: "redis", port: 6379, password: "secret", tls: false };
 * console.log(url, parts.host);
 * ```
 */
export type RedisTarget = string | {
  /** host name or address */
  readonly host: string;
  /** TCP port */
  readonly port: number;
  /** the `requirepass` password */
  readonly password?: string;
  /** connect with TLS */
  readonly tls?: boolean;
};

/**
 * What a queue role is given to reach Redis: a target, which the role opens and closes itself,
 * or a connection opened already, which the role shares (several roles in one process, one
 * connection) and leaves open when it closes.
 *
 * @example
 * ```ts
 * import { type ConnectionSource, RedisConnection } from "./redis_connection.ts";
 * const own: ConnectionSource = "redis://127.0.0.1:6379";
 * const shared: ConnectionSource = await RedisConnection.open("redis://127.0.0.1:6379");
 * console.log(own, shared.display);
 * ```
 */
export type ConnectionSource = RedisTarget | RedisConnection;

function redisOptions(target: RedisTarget): { options: RedisOptions; display: string } {
  const common: RedisOptions = {
    lazyConnect: true,
    // Keep trying (1 s doubling to 10 s) when Redis goes away; commands wait meanwhile.
    retryStrategy: (times) => Math.min(1000 * 2 ** Math.min(times - 1, 4), 10_000),
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    // A hung server (SIGSTOP, a dead peer without a reset) must not hang the roles: every command fails after
    // this time, and a connection attempt too.
    commandTimeout: QUEUE_DEFAULTS.offlineCommandTimeoutMs, // until the connection is ready: see timeouts()
    connectTimeout: QUEUE_DEFAULTS.connectTimeoutMs,
  };
  if (typeof target === "string") {
    let url: URL;
    try {
      url = new URL(target);
    } catch (e) {
      throw new QueueError(`not a Redis URL: ${redactUrl(target)}`, { cause: e });
    }
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
    display: `redis${target.tls ? "s" : ""}://${target.password ? ":***@" : ""}${target.host}:${target.port}`,
  };
}

/**
 * How Redis answers a health check: see {@linkcode RedisConnection.probe}.
 *
 * @example
 * ```ts
 * import type { RedisState } from "./redis_connection.ts";
 * const state: RedisState = "slow";
 * console.log(state);
 * ```
 */
export type RedisState = "connected" | "slow" | "unreachable";

/** Options of {@linkcode RedisConnection.open}. */
export interface OpenOptions {
  /**
   * What to do when Redis cannot be reached at start: `fail` with a `QueueError`, or `retry` (return the
   * connection, not connected yet, which keeps reconnecting; for a capture that must record without Redis).
   * A refused password fails either way.
   * @default "fail"
   */
  readonly unreachable?: "fail" | "retry";
  /**
   * Called once with a sentence when Redis is unreachable at start and `unreachable` is `retry`.
   * @default not called
   */
  readonly onUnreachable?: (message: string) => void;
}

/** Options of {@linkcode RedisConnection.waitConnected}. */
export interface WaitOptions {
  /**
   * Stops waiting (the wait then resolves to false).
   * @default waits until connected or closed
   */
  readonly signal?: AbortSignal;
  /**
   * Called after each failed connection attempt with a sentence: the server (password masked), why, and the
   * delay before the next attempt.
   * @default not called
   */
  readonly onWaiting?: (message: string) => void;
}

/**
 * A checked connection to Redis, shared by the queue roles.
 *
 * @example
 * ```ts
 * import { RedisConnection } from "./redis_connection.ts";
 * await using connection = await RedisConnection.open({ host: "127.0.0.1", port: 6379 });
 * console.log(connection.display, connection.connected); // "redis://127.0.0.1:6379" true
 * ```
 */
export class RedisConnection {
  /** the server, password masked, for logs and errors */
  readonly display: string;
  /** the client the roles send their commands with */
  readonly client: Redis;
  readonly #extra = new Set<Redis>();
  #closed = false;

  private constructor(client: Redis, display: string) {
    this.client = client;
    this.display = display;
    // Later outages are retried by ioredis; only the check at start is fatal.
    client.on("error", () => {});
  }

  /**
   * Connects and checks the connection once: a wrong password or an unreachable server at
   * start gives a {@linkcode QueueError} at once, with the password masked.
   *
   * @param target a `redis://` or `rediss://` URL (user, password and database number taken from it; port
   *   6379 when none is given), or host, port, password and TLS
   * @param open what to do when Redis is unreachable at start
   * @throws {QueueError} when the URL does not parse or its scheme is not `redis:`/`rediss:`, when Redis
   *   refuses the password, or when the server cannot be reached or does not answer PING; the message shows
   *   the URL with its password masked
   */
  static async open(target: RedisTarget, open: OpenOptions = {}): Promise<RedisConnection> {
    const { options, display } = redisOptions(target);
    const client = new Redis(options);
    timeouts(client, QUEUE_DEFAULTS.commandTimeoutMs);
    let lastError: Error | undefined;
    client.on("error", (e: Error) => (lastError = e)); // reported by the checks below
    try {
      await client.connect();
      await client.ping();
    } catch (e) {
      const message = lastError?.message ?? ((e as Error).message || String(e));
      const refused = /WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(
        `${message} ${(e as Error).message}`,
      );
      if (open.unreachable === "retry" && !refused) {
        // Keep the client: ioredis goes on reconnecting (its retry strategy), and commands fail after
        // their timeout until Redis is there.
        open.onUnreachable?.(`cannot reach Redis at ${display} yet: ${redactUrl(message)}`);
        if (client.status === "end" || client.status === "wait") client.connect().catch(() => {});
        return new RedisConnection(client, display);
      }
      client.disconnect();
      if (refused) {
        throw new QueueError(`Redis at ${display} refused the password (${message.split("\n")[0]})`, {
          cause: e,
        });
      }
      throw new QueueError(`cannot reach Redis at ${display}: ${redactUrl(message)}`, { cause: e });
    }
    return new RedisConnection(client, display);
  }

  /** Whether the connection to Redis is up now. */
  get connected(): boolean {
    return !this.#closed && this.client.status === "ready";
  }

  /**
   * Waits until the connection is up: for a role that can do nothing without Redis (a worker) but should
   * not exit when it starts before Redis. The client keeps reconnecting with its backoff (1 s doubling to
   * 10 s) meanwhile, and each failed attempt is reported with the delay before the next one.
   *
   * @returns true once connected (at once when it is), false when the signal aborts first or the connection
   *   is closed or interrupted; it never throws
   *
   * @example
   * ```ts
   * import { RedisConnection } from "./redis_connection.ts";
   * const connection = await RedisConnection.open("redis://127.0.0.1:6379", { unreachable: "retry" });
   * const stop = new AbortController();
   * if (await connection.waitConnected({ signal: stop.signal, onWaiting: console.log })) {
   *   console.log("connected");
   * }
   * await connection.close();
   * ```
   */
  waitConnected(options: WaitOptions = {}): Promise<boolean> {
    const { signal, onWaiting } = options;
    if (this.connected) return Promise.resolve(true);
    if (signal?.aborted || this.#closed || this.client.status === "end") return Promise.resolve(false);
    const client = this.client;
    return new Promise((resolve) => {
      let lastError = "";
      const onError = (e: Error) => (lastError = redactUrl(e.message || String(e)));
      const onReconnecting = (delay: number) => {
        const why = lastError ? ` (${lastError})` : "";
        onWaiting?.(`waiting for Redis at ${this.display}${why}: next attempt in ${delay} ms`);
      };
      const done = (connected: boolean) => {
        client.off("error", onError);
        client.off("reconnecting", onReconnecting);
        client.off("ready", onReady);
        client.off("end", onEnd);
        signal?.removeEventListener("abort", onAbort);
        resolve(connected && !this.#closed);
      };
      const onReady = () => done(true);
      const onEnd = () => done(false);
      const onAbort = () => done(false);
      client.on("error", onError);
      client.on("reconnecting", onReconnecting);
      client.once("ready", onReady);
      client.once("end", onEnd);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /**
   * Asks Redis for a PING and says how it went: `connected` when it answers within `timeoutMs`, `slow` when
   * the connection is up but the answer is late (a hung or overloaded server), `unreachable` when there is
   * no connection.
   *
   * @param timeoutMs how long to wait for the answer
   * @default timeoutMs QUEUE_DEFAULTS.healthPingMs (1000)
   * @returns the state; never throws
   *
   * @example
   * ```ts
   * import { RedisConnection } from "./redis_connection.ts";
   * await using connection = await RedisConnection.open("redis://127.0.0.1:6379");
   * console.log(await connection.probe()); // "connected"
   * ```
   */
  async probe(timeoutMs: number = QUEUE_DEFAULTS.healthPingMs): Promise<RedisState> {
    if (!this.connected) return "unreachable";
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<RedisState>((resolve) => {
      timer = setTimeout(() => resolve("slow"), timeoutMs);
    });
    const ping = this.client.ping().then(
      (): RedisState => "connected",
      (): RedisState => (this.connected ? "slow" : "unreachable"),
    );
    try {
      return await Promise.race([ping, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Ends the blocking reads in progress at once (their clients are disconnected, so the reads reject): a
   * stopping worker need not wait for a read on a hung server to time out.
   */
  interruptReads(): void {
    for (const extra of this.#extra) hangUp(extra);
  }

  /**
   * Fails at once every command waiting on this connection and its duplicates, and stops reconnecting: for a
   * process that stops while Redis is away, whose commands would otherwise wait for their timeout.
   */
  interrupt(): void {
    this.interruptReads();
    hangUp(this.client);
  }

  /** Whether {@linkcode RedisConnection.close} was called: the roles using it stop then. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * A second client to the same server, for a blocking read (which holds its connection while
   * it waits). It is closed by {@linkcode RedisConnection.release} or with this connection.
   *
   * @returns a new ioredis client that connects on first use and reconnects like the main one; its errors are
   *   swallowed (commands on it still reject)
   */
  duplicate(): Redis {
    // A blocking read waits up to its block time: give it that and a margin before it fails.
    const extra = this.client.duplicate({ commandTimeout: QUEUE_DEFAULTS.offlineCommandTimeoutMs });
    timeouts(extra, QUEUE_DEFAULTS.blockMs + QUEUE_DEFAULTS.blockingReadMarginMs);
    extra.on("error", () => {});
    this.#extra.add(extra);
    return extra;
  }

  /** Closes a client made by {@linkcode RedisConnection.duplicate}. */
  release(extra: Redis): void {
    this.#extra.delete(extra);
    extra.disconnect();
  }

  /** Closes the connection and every client duplicated from it. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const extra of this.#extra) extra.disconnect();
    this.#extra.clear();
    if (this.client.status !== "ready") {
      hangUp(this.client); // nothing to say goodbye to
      return;
    }
    // QUIT fails after the command timeout on a hung server; disconnect then.
    await this.client.quit().catch(() => this.client.disconnect());
  }

  /** Closes the connection, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Sets a client's command timeout by the state of its connection, as ioredis reads it for each command
 * sent: `live` while the connection is ready (a command on a hung server fails after it), and
 * `QUEUE_DEFAULTS.offlineCommandTimeoutMs` while it is down (a command then waits for the reconnection, as
 * through a restart of Redis, but not for ever).
 */
function timeouts(client: Redis, live: number): void {
  const set = (ms: number) => (client.options.commandTimeout = ms);
  if (client.status === "ready") set(live);
  client.on("ready", () => set(live));
  for (const down of ["close", "reconnecting", "end"]) {
    client.on(down, () => set(QUEUE_DEFAULTS.offlineCommandTimeoutMs));
  }
}

/**
 * Disconnects a client and fails the commands it holds. `disconnect()` alone leaves the commands queued
 * for a reconnection (while ioredis waits to retry) to their timeout; ioredis's `flushQueue` fails them.
 */
function hangUp(client: Redis): void {
  client.disconnect();
  const flush = (client as unknown as { flushQueue?: (error: Error) => void }).flushQueue;
  flush?.call(client, new Error("Connection is closed."));
}

/**
 * The connection a role uses: the shared one it was given, or one it opens (and so owns, and
 * closes with itself).
 *
 * @returns `owned: false` with the connection itself when given a {@linkcode RedisConnection}, `owned: true`
 *   with a new one when given a target
 * @throws {QueueError} when a target is given and {@linkcode RedisConnection.open} fails
 *
 * @example
 * ```ts
 * import { useConnection } from "./redis_connection.ts";
 * const { connection, owned } = await useConnection("redis://127.0.0.1:6379");
 * console.log(owned); // true
 * if (owned) await connection.close();
 * ```
 */
export async function useConnection(
  source: ConnectionSource,
): Promise<{ connection: RedisConnection; owned: boolean }> {
  if (source instanceof RedisConnection) return { connection: source, owned: false };
  return { connection: await RedisConnection.open(source), owned: true };
}

/**
 * A field of a stream entry, as Redis returns them (`[name, value, name, value, …]`).
 *
 * @returns the value of the first field of that name, or undefined when there is none (a trailing name
 *   without a value does not count)
 *
 * @example
 * ```ts
 * import { entryField } from "./redis_connection.ts";
 * console.log(entryField(["task", "{}", "reason", "bad"], "reason")); // "bad"
 * ```
 */
export function entryField(fields: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}
