/**
 * `deno task worker`: long-lived worker. Takes clip tasks from Redis, analyses each clip with
 * the YOLO model, appends one line per clip to the detection log, then acknowledges the task.
 * Settings: REDIS_URL (or RDS_HOST / RDS_PORT / RDS_PSW), RDSQ_OUTMSG, VIDEO_DIR,
 * DETECTION_LOG, WORKER_CONCURRENCY, WORKER_NAME, YOLO_*, SAMPLE_FPS, EVIDENCE, TRACK_*,
 * STATIONARY_IOU, and each camera's zones, filters and object masks from CAMERAS_FILE (or ZONES,
 * OBJECT_FILTERS, OBJECT_MASKS for every camera the file does not name). SIGTERM or Ctrl-C
 * finishes the clip in progress, acknowledges it and exits 0 — within a few seconds even when
 * Redis is down or hung (the acknowledgement may then fail: the task is delivered again).
 *
 * @module
 */

import { parseTask } from "../lib/queue/clip_task.ts";
import { ClipWorker } from "../lib/queue/clip_worker.ts";
import { hostname } from "node:os";
import { join } from "node:path";
import {
  readAnalyzerSettings,
  readMetricsSettings,
  readQueueSettings,
  readTrackingSettings,
  readWorkerSettings,
  trackingFor,
} from "../lib/ops/config.ts";
import { writeEvidence } from "../lib/yolo/clip_evidence.ts";
import { startHealthServer } from "../lib/ops/health_server.ts";
import { MetricsRegistry } from "../lib/ops/metrics.ts";
import { DetectionLog } from "../lib/queue/detection_log.ts";
import { CamwatchError, ConfigError } from "../lib/errors.ts";
import { defaultLogPath, QUEUE_DEFAULTS } from "../lib/queue/queue_defaults.ts";
import { QueueMonitor } from "../lib/queue/queue_monitor.ts";
import { RedisConnection, type RedisState } from "../lib/queue/redis_connection.ts";
import { TaskConsumer } from "../lib/queue/task_consumer.ts";
import { YoloAnalyzer } from "../lib/yolo/yolo_analyzer.ts";

const say = (message: string) => console.log(`${new Date().toISOString()} worker: ${message}`);

try {
  const analysis = readAnalyzerSettings();
  const queueSettings = readQueueSettings();
  const settings = readWorkerSettings();
  const tracking = readTrackingSettings();
  const metricsSettings = readMetricsSettings(Deno.env.toObject(), 9465);
  if (!queueSettings.redis) {
    throw new ConfigError("REDIS_URL (or RDS_HOST) is not set: the worker needs Redis");
  }
  const controller = new AbortController();
  // Assigned below, once the signal handlers are in place (deno lint misses that assignment).
  // deno-lint-ignore prefer-const
  let connection: RedisConnection | undefined;
  const stop = () => {
    if (controller.signal.aborted) return;
    say("stopping after the clip in progress");
    controller.abort();
    if (!connection) return;
    // A blocking read need not run to its end (or to its timeout on a hung server).
    connection.interruptReads();
    // With Redis away, commands queued for the reconnection (the group check, an acknowledgement) would only
    // time out: fail them now. The task in progress, if any, stays pending and is delivered again.
    if (!connection.connected) connection.interrupt();
    else connection.client.once("close", () => connection?.interrupt()); // should it go while stopping
  };
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
  // One connection for the consumer and the heartbeat (the consumer adds its own for reading). A worker that
  // starts before Redis (a machine booting) waits for it rather than exiting; a wrong password still stops it.
  connection = await RedisConnection.open(queueSettings.redis, {
    unreachable: "retry",
    onUnreachable: (message) => say(`${message}; waiting for it`),
  });
  if (controller.signal.aborted) connection.interrupt(); // stopped while the first attempt was under way
  if (!await connection.waitConnected({ signal: controller.signal, onWaiting: say })) {
    await connection.close();
    say("stopped before Redis was reachable");
    Deno.exit(0);
  }
  const consumer = await TaskConsumer.connect({
    redis: connection,
    parse: parseTask,
    stream: queueSettings.stream,
    consumer: settings.name,
    visibilityTimeoutMs: settings.visibilitySeconds * 1000,
    maxAttempts: settings.maxAttempts,
  });
  const monitor = await QueueMonitor.connect({
    redis: connection,
    parse: parseTask,
    stream: queueSettings.stream,
  });
  const analyzer = await YoloAnalyzer.create(analysis);
  const metrics = new MetricsRegistry();
  /** Redis as a health check sees it (a PING), with the `camwatch_redis_up` gauge set to match. */
  const redisState = async (): Promise<RedisState> => {
    const state = await connection.probe();
    metrics.gauge(
      "camwatch_redis_up",
      "1 when Redis answers a PING in time, 0 when it is unreachable or slow.",
    )
      .set(state === "connected" ? 1 : 0);
    return state;
  };
  const worker = new ClipWorker({
    metrics,
    consumer,
    analyzer,
    log: new DetectionLog(settings.logPath),
    videoDir: settings.videoDir,
    sampleFps: analysis.sampleFps,
    tracking: (camera) => trackingFor(tracking, camera),
    evidence: settings.evidence ? writeEvidence : undefined,
    concurrency: settings.concurrency,
    name: settings.name ?? consumer.consumer,
    onLog: say,
  });
  const server = metricsSettings.port === undefined ? undefined : startHealthServer({
    port: metricsSettings.port,
    hostname: metricsSettings.hostname,
    registry: metrics,
    // ok: Redis answers in time, so tasks can be taken and acknowledged; `redis` says `unreachable` or
    // `slow` otherwise (503: a worker does nothing without Redis).
    health: async () => {
      const redis = await redisState();
      return { ok: redis === "connected", redis, tasks: worker.counts };
    },
    beforeMetrics: redisState,
  }, say);
  // A heartbeat lets monitoring (the queue notebook) see which workers are alive.
  const started = new Date().toISOString();
  const heartbeat = await monitor.startHeartbeat(worker.name, () => ({
    host: hostname(),
    pid: Deno.pid,
    model: analyzer.modelName,
    started,
    tasks: worker.counts,
  }));
  say(
    `${worker.name} consuming ${consumer.stream} on ${connection.display} with ${analyzer.modelName}, log ${settings.logPath}`,
  );
  if (server) say(`health and metrics on http://${metricsSettings.hostname}:${server.port}/`);
  const cameras = Object.keys(tracking.cameras);
  say(
    `evidence ${settings.evidence ? "beside each clip" : "off"}; ` +
      (tracking.camerasFile
        ? `zones, filters and masks of ${cameras.length} camera(s) from ${tracking.camerasFile}`
        : `zones ${tracking.defaults.zones?.length ?? 0}, filters ${
          Object.keys(tracking.defaults.filters ?? {}).length
        }, object masks ${tracking.defaults.masks?.length ?? 0} for every camera`),
  );
  // A video folder from before the day files: its old log would otherwise look lost.
  const oldLog = join(settings.videoDir, QUEUE_DEFAULTS.singleLogFile);
  if (
    settings.logPath === defaultLogPath(settings.videoDir) &&
    await Deno.stat(oldLog).then(() => true, () => false)
  ) {
    say(
      `${oldLog} holds an older log in one file; new lines go to ${settings.logPath}, a file a day. ` +
        `Set DETECTION_LOG=${oldLog} to keep the one file, or move its lines with DetectionLog.appendAll (README)`,
    );
  }
  try {
    await worker.run(controller.signal);
  } catch (e) {
    // Redis down or hung while stopping: the acknowledgement of the clip in progress may fail (its command
    // times out). The task stays pending and is delivered again: at least once.
    if (!controller.signal.aborted) throw e;
    say(
      `stopping without Redis: ${
        e instanceof Error ? e.message : e
      } (a task not acknowledged is delivered again)`,
    );
  }
  // Saying goodbye to Redis (heartbeat, QUIT) must not hold the exit when it is down or hung.
  const cleanup = (async () => {
    await heartbeat.stop().catch(() => {});
    await consumer.close().catch(() => {});
    await connection.close();
  })();
  await Promise.race([cleanup, new Promise((r) => setTimeout(r, 1000))]);
  await server?.close();
  analyzer.close();
  say(`stopped: ${JSON.stringify(worker.counts)}`);
  Deno.exit(0);
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(`worker: ${e.message}`);
    Deno.exit(2);
  }
  if (e instanceof CamwatchError) {
    console.error(`worker: ${e.message}`);
    Deno.exit(1);
  }
  throw e;
}
