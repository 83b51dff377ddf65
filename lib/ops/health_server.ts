/**
 * `GET /healthz` and `GET /metrics` for a long-running process, on 127.0.0.1 by default.
 *
 * @module
 */

import type { MetricsRegistry } from "./metrics.ts";

/** What `/healthz` says: `ok` decides the status code (200 or 503); the rest is shown as JSON. */
export interface HealthReport {
  /** whether the process is doing its job */
  readonly ok: boolean;
  /** anything useful to a person looking (cameras connected, Redis reachable, …) */
  readonly [detail: string]: unknown;
}

/** Options of {@linkcode serveHealth}. */
export interface HealthServerOptions {
  /** TCP port; 0 picks a free one */
  readonly port: number;
  /**
   * Address to listen on.
   * @default "127.0.0.1"
   */
  readonly hostname?: string;
  /** the metrics `/metrics` renders */
  readonly registry: MetricsRegistry;
  /** the report `/healthz` returns */
  readonly health: () => HealthReport | Promise<HealthReport>;
  /**
   * Called before `/metrics` is rendered, to bring gauges up to date (Redis up or not, the outbox size); an
   * error it throws is ignored.
   * @default nothing is called
   */
  readonly beforeMetrics?: () => unknown;
}

/** A running health and metrics server. */
export interface HealthServer {
  /** the port it listens on */
  readonly port: number;
  /** Stops listening. */
  close(): Promise<void>;
}

/**
 * Serves `/healthz` (JSON, 200 or 503) and `/metrics` (Prometheus text).
 *
 * @returns the server, listening; `/healthz` answers 503 with the error message when `health` throws, and
 *   other paths 404
 * @throws {Deno.errors.AddrInUse} when the port is taken (see {@linkcode startHealthServer}), and
 *   `PermissionDenied` without `--allow-net`
 *
 * @example
 * ```ts
 * import { serveHealth } from "./health_server.ts";
 * import { MetricsRegistry } from "./metrics.ts";
 * const server = serveHealth({ port: 9464, registry: new MetricsRegistry(), health: () => ({ ok: true }) });
 * // curl http://127.0.0.1:9464/healthz
 * await server.close();
 * ```
 */
export function serveHealth(options: HealthServerOptions): HealthServer {
  const server = Deno.serve({
    port: options.port,
    hostname: options.hostname ?? "127.0.0.1",
    onListen: () => {},
  }, async (request) => {
    const { pathname } = new URL(request.url);
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response("method not allowed\n", { status: 405 });
    }
    if (pathname === "/healthz") {
      let report: HealthReport;
      try {
        report = await options.health();
      } catch (e) {
        report = { ok: false, error: e instanceof Error ? e.message : String(e) };
      }
      return Response.json(report, { status: report.ok ? 200 : 503 });
    }
    if (pathname === "/metrics") {
      try {
        await options.beforeMetrics?.();
      } catch { /* the metrics as they are */ }
      return new Response(options.registry.render(), {
        headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
      });
    }
    return new Response("not found: try /healthz or /metrics\n", { status: 404 });
  });
  return { port: server.addr.port, close: () => server.shutdown() };
}

/**
 * Like {@linkcode serveHealth}, but a port already in use (a second worker on the same host)
 * is reported through `warn` and the process goes on without the endpoints.
 *
 * @param warn called once, with a sentence for the log, when the port is in use
 * @returns undefined when the port is in use
 * @throws {Error} any other error of {@linkcode serveHealth} (no permission, a bad address)
 *
 * @example
 * ```ts
 * import { startHealthServer } from "./health_server.ts";
 * import { MetricsRegistry } from "./metrics.ts";
 * const server = startHealthServer({ port: 9465, registry: new MetricsRegistry(), health: () => ({ ok: true }) }, console.warn);
 * ```
 */
export function startHealthServer(
  options: HealthServerOptions,
  warn: (message: string) => void,
): HealthServer | undefined {
  try {
    return serveHealth(options);
  } catch (e) {
    if (!(e instanceof Deno.errors.AddrInUse)) throw e;
    warn(`port ${options.port} is in use: no /healthz or /metrics (set METRICS_PORT, or METRICS_PORT=off)`);
    return undefined;
  }
}
