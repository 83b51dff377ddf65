/**
 * A free TCP port on the loopback interface, for servers started on demand (a private Redis,
 * test servers).
 *
 * @module
 */

/**
 * Asks the system for a free port on 127.0.0.1. Another process could take it before it is
 * used: callers that start a server on it retry when it turns out busy.
 *
 * @example
 * ```ts
 * import { freePort } from "./free_port.ts";
 * const port = freePort();
 * console.log(port > 0); // true
 * ```
 */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/**
 * A free loopback port below the kernel's ephemeral range, for a server that a test stops and
 * starts again on the same port. {@linkcode freePort} (a bind to port 0) takes its ports from
 * that range, so while the server is down no other test running beside it can be handed this
 * one.
 *
 * @throws {Error} when no port between 10000 and the ephemeral range is free after 100 tries
 *
 * @example
 * ```ts
 * import { restartablePort } from "./free_port.ts";
 * const port = restartablePort(); // e.g. 21473
 * ```
 */
export function restartablePort(): number {
  let below = 32768; // Linux's default start of the range
  try {
    below = Number(Deno.readTextFileSync("/proc/sys/net/ipv4/ip_local_port_range").trim().split(/\s+/)[0]);
  } catch { /* not Linux: the default */ }
  for (let i = 0; i < 100; i++) {
    const port = 10000 + Math.floor(Math.random() * (below - 10000));
    try {
      Deno.listen({ hostname: "127.0.0.1", port }).close();
      return port;
    } catch { /* taken: another */ }
  }
  throw new Error(`no free loopback port between 10000 and ${below}`);
}
