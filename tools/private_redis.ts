/**
 * `PrivateRedis`: a redis-server of our own on a free loopback port, for the demo and the
 * tests when no Redis is configured. It listens on 127.0.0.1 only, with a password.
 *
 * @module
 */

import { CamwatchError } from "../lib/errors.ts";
import { freePort } from "./free_port.ts";
import { stopProcess } from "../lib/media/process.ts";

/** Options of {@linkcode PrivateRedis.start}. */
export interface PrivateRedisOptions {
  /**
   * Port on 127.0.0.1.
   * @default a free one
   */
  readonly port?: number;
  /**
   * Password clients must give.
   * @default a random one
   */
  readonly password?: string;
  /**
   * Folder for an append-only file, so that data survives a restart.
   * @default no persistence
   */
  readonly dataDir?: string;
}

/** redis-server is missing or did not start. */
export class PrivateRedisError extends CamwatchError {}

/**
 * A running private redis-server.
 *
 * @example
 * ```ts
 * import { PrivateRedis } from "./private_redis.ts";
 * await using redis = await PrivateRedis.start();
 * console.log(redis.displayUrl); // redis://:***@127.0.0.1:40321
 * ```
 */
export class PrivateRedis {
  /** `redis://:password@127.0.0.1:port` */
  readonly url: string;
  /** the URL with its password masked */
  readonly displayUrl: string;
  /** the port it listens on */
  readonly port: number;
  /** its process id */
  readonly pid: number;
  readonly #child: Deno.ChildProcess;

  private constructor(child: Deno.ChildProcess, port: number, password: string) {
    this.#child = child;
    this.port = port;
    this.pid = child.pid;
    this.url = `redis://:${encodeURIComponent(password)}@127.0.0.1:${port}`;
    this.displayUrl = `redis://:***@127.0.0.1:${port}`;
  }

  /** Starts redis-server and waits until it accepts connections (retrying a busy port). */
  static async start(options: PrivateRedisOptions = {}): Promise<PrivateRedis> {
    const port = options.port ?? freePort();
    const password = options.password ?? crypto.randomUUID();
    const persistence = options.dataDir
      ? ["--appendonly", "yes", "--appendfsync", "always", "--dir", options.dataDir]
      : ["--appendonly", "no"];
    // The password goes through stdin as a config file, never on the command line.
    const args = ["-", "--port", String(port), "--bind", "127.0.0.1", "--save", "", ...persistence];
    for (let attempt = 0;; attempt++) {
      let child: Deno.ChildProcess;
      try {
        child = new Deno.Command("redis-server", { args, stdin: "piped", stdout: "piped", stderr: "piped" })
          .spawn();
      } catch (e) {
        throw new PrivateRedisError(
          e instanceof Deno.errors.NotFound
            ? "redis-server is not installed (apt-get install redis-server, or brew install redis)"
            : `cannot run redis-server: ${(e as Error).message}`,
          { cause: e },
        );
      }
      const writer = child.stdin.getWriter();
      await writer.write(new TextEncoder().encode(`requirepass "${password.replaceAll('"', "")}"\n`));
      await writer.close();
      const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let text = "";
      while (!/Ready to accept connections/.test(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
      }
      (async () => {
        while (!(await reader.read()).done);
      })().catch(() => {});
      child.stderr.cancel().catch(() => {});
      if (/Ready to accept connections/.test(text)) return new PrivateRedis(child, port, password);
      await child.status;
      // A port just freed can stay busy for a moment: try again.
      if (attempt === 20) {
        throw new PrivateRedisError(`redis-server did not start on port ${port}: ${text.trim()}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Stops the server (SIGTERM, then SIGKILL after 5 s). */
  async stop(): Promise<void> {
    await stopProcess(this.#child, "SIGTERM");
  }

  /** Stops the server, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}
