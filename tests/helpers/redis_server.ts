/**
 * A private redis-server for a test (lib/private_redis.ts), with a restart on the same port.
 *
 * @module
 */
import { PrivateRedis } from "../../tools/private_redis.ts";
import { restartablePort } from "../../tools/free_port.ts";

/** The password test servers use unless a test gives its own. */
export const TEST_PASSWORD = "camwatch-test";

/** A running redis-server. */
export interface RedisServer {
  readonly port: number;
  /** `redis://:password@127.0.0.1:port` */
  readonly url: string;
  readonly password: string;
  readonly pid: number;
  /** Stops it (SIGTERM, then waits). */
  stop(): Promise<void>;
  /** Stops it, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts redis-server on a free loopback port (data kept across restarts with `dataDir`). The
 * port lies outside the range other tests' free ports come from, so a test can stop the server
 * and start it again on the same port without another test taking it meanwhile.
 */
export async function startRedis(
  options: { password?: string; port?: number; dataDir?: string } = {},
): Promise<RedisServer> {
  const password = options.password ?? TEST_PASSWORD;
  const redis = await PrivateRedis.start({ port: restartablePort(), ...options, password });
  return {
    port: redis.port,
    url: redis.url,
    password,
    pid: redis.pid,
    stop: () => redis.stop(),
    [Symbol.asyncDispose]: () => redis.stop(),
  };
}
