/**
 * Operations: what every long-running process shares. Settings read from the environment and
 * checked at start ({@linkcode readCaptureSettings}, {@linkcode readWorkerSettings}, …, each
 * failing with a `ConfigError` that names the variable); one-line logs as text or JSON
 * ({@linkcode createLogger}); Prometheus metrics ({@linkcode MetricsRegistry}) and `/healthz`
 * ({@linkcode serveHealth}); and the masking of secrets in URLs and messages
 * ({@linkcode redactUrl}, {@linkcode redactText}).
 *
 * @example Settings, a logger and a metrics endpoint for a worker
 * ```ts
 * import { createLogger, MetricsRegistry, readLogSettings, readWorkerSettings, serveHealth } from "./mod.ts";
 *
 * const env = Deno.env.toObject();
 * const settings = readWorkerSettings(env); // throws ConfigError naming a bad variable
 * const log = createLogger({ component: "worker", ...readLogSettings(env) });
 * const registry = new MetricsRegistry();
 * const health = serveHealth({ port: 9465, registry, health: () => ({ ok: true }) });
 * log.info("worker ready", { log: settings.logPath });
 * await health.close();
 * ```
 *
 * @module
 */

export {
  type AnalyzerSettings,
  type CameraSettings,
  type CaptureSettings,
  type Env,
  type JupyterSettings,
  type MetricsSettings,
  type NotebookSettings,
  numberVar,
  parseSampleFps,
  type QueueSettings,
  readAnalyzerSettings,
  readCaptureSettings,
  readJupyterSettings,
  readMetricsSettings,
  readNotebookSettings,
  readQueueSettings,
  readTrackingSettings,
  readVar,
  readWorkerSettings,
  trackingFor,
  type TrackingSettings,
  type WorkerSettings,
} from "./config.ts";
export {
  createLogger,
  type LogFields,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  readLogSettings,
} from "./logger.ts";
export {
  Counter,
  Gauge,
  Histogram,
  type Labels,
  type MetricFamily,
  MetricsRegistry,
  SingleValueMetric,
} from "./metrics.ts";
export {
  type HealthReport,
  type HealthServer,
  type HealthServerOptions,
  serveHealth,
} from "./health_server.ts";
export { redactText, redactUrl, urlPassword } from "./redact.ts";
export {
  type CameraEntry,
  type CamerasFile,
  camerasFileSchema,
  objectFiltersSchema,
  objectMasksSchema,
  parseCamerasFile,
  parseSettingValue,
  zonesSchema,
} from "./cameras_file.ts";
