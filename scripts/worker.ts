/**
 * `deno task worker`: long-lived worker. Takes clip tasks from Redis, analyses each clip with
 * the YOLO model, appends one line per clip to the detection log, then acknowledges the task.
 * Settings: REDIS_URL (or RDS_HOST / RDS_PORT / RDS_PSW), RDSQ_OUTMSG, VIDEO_DIR,
 * DETECTION_LOG, WORKER_CONCURRENCY, WORKER_NAME, YOLO_*, SAMPLE_FPS. SIGTERM or Ctrl-C
 * finishes the clip in progress, acknowledges it and exits 0.
 *
 * @module
 */

import { parseTask } from "../lib/queue/clip_task.ts";
import { ClipWorker } from "../lib/queue/clip_worker.ts";
import { hostname } from "node:os";
import {
  readAnalyzerSettings,
  readMetricsSettings,
  readQueueSettings,
  readWorkerSettings,
} from "../lib/ops/config.ts";
import { startHealthServer } from "../lib/ops/health_server.ts";
import { MetricsRegistry } from "../lib/ops/metrics.ts";
import { DetectionLog } from "../lib/queue/detection_log.ts";
import { CamwatchError, ConfigError } from "../lib/errors.ts";
import { QueueMonitor } from "../lib/queue/queue_monitor.ts";
import { RedisConnection } from "../lib/queue/redis_connection.ts";
import { TaskConsumer } from "../lib/queue/task_consumer.ts";
import { YoloAnalyzer } from "../lib/yolo/yolo_analyzer.ts";

const say = (message: string) => console.log(`${new Date().toISOString()} worker: ${message}`);

try {
  const analysis = readAnalyzerSettings();
  const queueSettings = readQueueSettings();
  const settings = readWorkerSettings();
  const metricsSettings = readMetricsSettings(Deno.env.toObject(), 9465);
  if (!queueSettings.redis) {
    throw new ConfigError("REDIS_URL (or RDS_HOST) is not set: the worker needs Redis");
  }
  // One connection for the consumer and the heartbeat (the consumer adds its own for reading).
  const connection = await RedisConnection.open(queueSettings.redis);
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
  const worker = new ClipWorker({
    metrics,
    consumer,
    analyzer,
    log: new DetectionLog(settings.logPath),
    videoDir: settings.videoDir,
    sampleFps: analysis.sampleFps,
    concurrency: settings.concurrency,
    name: settings.name ?? consumer.consumer,
    onLog: say,
  });
  const controller = new AbortController();
  const stop = () => {
    if (controller.signal.aborted) return;
    say("stopping after the clip in progress");
    controller.abort();
  };
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
  const server = metricsSettings.port === undefined ? undefined : startHealthServer({
    port: metricsSettings.port,
    hostname: metricsSettings.hostname,
    registry: metrics,
    health: () => ({
      ok: connection.connected,
      redis: connection.connected ? "connected" : "reconnecting",
      tasks: worker.counts,
    }),
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
  await worker.run(controller.signal);
  await heartbeat.stop();
  await server?.close();
  analyzer.close();
  await consumer.close();
  await connection.close();
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
