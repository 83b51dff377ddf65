/**
 * A TCP proxy on 127.0.0.1 that can freeze: the connections stay open but no byte moves, as
 * when a camera hangs. Used to test watchdogs without breaking the server behind it.
 *
 * @module
 */

/** A running proxy: `port` forwards to the target; `frozen` holds every byte back. */
export interface TcpProxy {
  readonly port: number;
  frozen: boolean;
  close(): void;
}

/** Starts a proxy to `targetPort` on 127.0.0.1. */
export function startTcpProxy(targetPort: number): TcpProxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const proxy: TcpProxy = {
    port: (listener.addr as Deno.NetAddr).port,
    frozen: false,
    close() {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch { /* closed already */ }
      }
    },
  };
  const pump = async (from: Deno.Conn, to: Deno.Conn) => {
    const buf = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const n = await from.read(buf);
        if (n === null) break;
        while (proxy.frozen) await new Promise((r) => setTimeout(r, 20));
        let off = 0;
        while (off < n) off += await to.write(buf.subarray(off, n));
      }
    } catch { /* either side closed */ }
    for (const c of [from, to]) {
      try {
        c.close();
      } catch { /* closed already */ }
      conns.delete(c);
    }
  };
  (async () => {
    try {
      for await (const client of listener) {
        const server = await Deno.connect({ hostname: "127.0.0.1", port: targetPort });
        conns.add(client);
        conns.add(server);
        pump(client, server);
        pump(server, client);
      }
    } catch { /* listener closed */ }
  })();
  return proxy;
}
