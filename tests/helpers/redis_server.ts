/**
 * A private redis-server on a free loopback port for a test, stopped by its PID.
 *
 * @module
 */

/** A running redis-server. */
export interface RedisServer {
  readonly port: number;
  /** `redis://:password@127.0.0.1:port` */
  readonly url: string;
  readonly pid: number;
  /** Stops it (SIGTERM, then waits). */
  stop(): Promise<void>;
  /** Stops it and starts a new one on the same port (data kept only with a data folder). */
  restart(): Promise<RedisServer>;
  /** Stops it, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Starts redis-server (no persistence) and waits until it accepts connections. */
export async function startRedis(
  options: { password?: string; port?: number; dataDir?: string } = {},
): Promise<RedisServer> {
  const port = options.port ?? freePort();
  // With a data folder, an append-only file keeps the data across restarts, as in production.
  const persistence = options.dataDir
    ? ["--appendonly", "yes", "--appendfsync", "always", "--dir", options.dataDir]
    : ["--appendonly", "no"];
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", ...persistence];
  if (options.password) args.push("--requirepass", options.password);
  for (let attempt = 0;; attempt++) {
    const child = new Deno.Command("redis-server", { args, stdin: "null", stdout: "piped", stderr: "piped" })
      .spawn();
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
    if (/Ready to accept connections/.test(text)) {
      const auth = options.password ? `:${encodeURIComponent(options.password)}@` : "";
      const server: RedisServer = {
        port,
        url: `redis://${auth}127.0.0.1:${port}`,
        pid: child.pid,
        async stop() {
          try {
            child.kill("SIGTERM");
          } catch { /* gone */ }
          await child.status;
        },
        async restart() {
          await server.stop();
          return await startRedis({ ...options, port });
        },
        [Symbol.asyncDispose]() {
          return server.stop();
        },
      };
      return server;
    }
    await child.status;
    // The port can be busy for a moment after a stop: try again.
    if (attempt === 20) throw new Error(`redis-server did not start on ${port}: ${text}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
