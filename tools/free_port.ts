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
