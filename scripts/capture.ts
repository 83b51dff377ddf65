/**
 * `deno task capture`: long-lived capture of one or more cameras. Settings from the
 * environment (RTSP_URL, CAMERA_NAME, VIDEO_DIR, CLIP_SECONDS, PREROLL_SECONDS, …) or a
 * CAMERAS_FILE for several cameras; see README. One log line per event; SIGTERM or Ctrl-C
 * finishes the clips in progress and exits 0. Redis does not hold it up: capture starts and
 * records while Redis is down or hung, keeping tasks in VIDEO_DIR/.outbox.jsonl until it answers.
 *
 * @module
 */

import { join } from "node:path";
import { CameraCapture, type CaptureLogEntry } from "../lib/capture/camera_capture.ts";
import { ClipStorage } from "../lib/capture/clip_storage.ts";
import { type ClipTask, parseTask } from "../lib/queue/clip_task.ts";
import { ClipPublisher } from "../lib/queue/clip_publisher.ts";
import {
  type CaptureSettings,
  readCaptureSettings,
  readMetricsSettings,
  readQueueSettings,
} from "../lib/ops/config.ts";
import { CamwatchError, ConfigError } from "../lib/errors.ts";
import { startHealthServer } from "../lib/ops/health_server.ts";
import { createLogger, type Logger, readLogSettings } from "../lib/ops/logger.ts";
import { MetricsRegistry } from "../lib/ops/metrics.ts";
import { TaskProducer } from "../lib/queue/task_producer.ts";
import { RedisConnection, type RedisState } from "../lib/queue/redis_connection.ts";

let logger: Logger;
function log(
  entry: CaptureLogEntry | { camera?: string; level: "info" | "warn" | "error"; message: string },
) {
  logger[entry.level](entry.message, entry.camera ? { camera: entry.camera } : {});
}

let settings: CaptureSettings, queueSettings, metricsSettings;
try {
  logger = createLogger({ component: "capture", ...readLogSettings(Deno.env.toObject()) });
  settings = readCaptureSettings();
  queueSettings = readQueueSettings();
  metricsSettings = readMetricsSettings(Deno.env.toObject(), 9464);
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(`capture: ${e.message}`);
    Deno.exit(2);
  }
  throw e;
}

// Finished clips become tasks in Redis; while Redis is unreachable or slow they wait in an outbox file.
// Capture records with or without Redis: it starts when Redis is down (tasks go to the outbox until it comes).
let connection: RedisConnection | undefined;
let producer: TaskProducer<ClipTask> | undefined;
if (queueSettings.redis) {
  try {
    connection = await RedisConnection.open(queueSettings.redis, {
      unreachable: "retry",
      onUnreachable: (message) =>
        log({ level: "warn", message: `${message}; tasks go to the outbox meanwhile` }),
    });
    producer = await TaskProducer.connect({
      redis: connection,
      parse: parseTask,
      stream: queueSettings.stream,
      outboxPath: join(settings.videoDir, ".outbox.jsonl"),
    });
  } catch (e) {
    console.error(`capture: ${e instanceof CamwatchError ? e.message : e}`);
    Deno.exit(1);
  }
}

const metrics = new MetricsRegistry();
const publisher = producer && new ClipPublisher(producer, { metrics, onLog: log });
await publisher?.outboxSize(); // the outbox gauge from the start

/** Redis as a health check sees it (a PING), with the `camwatch_redis_up` gauge set to match. */
async function redisState(): Promise<RedisState | "not configured"> {
  if (!connection) return "not configured";
  const state = await connection.probe();
  metrics.gauge("camwatch_redis_up", "1 when Redis answers a PING in time, 0 when it is unreachable or slow.")
    .set(state === "connected" ? 1 : 0);
  return state;
}
await redisState();

// One storage for all cameras: the free-space floor and retention count the whole video folder.
const storage = new ClipStorage({
  videoDir: settings.videoDir,
  minFreeBytes: settings.minFreeMb * 2 ** 20,
  maxAgeDays: settings.retentionDays,
  maxBytes: settings.retentionGb === undefined ? undefined : settings.retentionGb * 1e9,
  metrics,
  onLog: log,
});
await storage.health(); // the floor kept from the start, before the cameras write

const captures = settings.cameras.map((camera) =>
  new CameraCapture({
    camera: camera.name,
    url: camera.url,
    videoDir: settings.videoDir,
    source: {
      transport: camera.transport,
      motionFps: settings.motionFps,
      detectUrl: camera.detectUrl,
      audio: camera.audio,
      hwaccel: settings.hwaccel,
    },
    motion: { threshold: camera.threshold, minArea: camera.minArea, masks: camera.masks },
    clips: {
      clipSeconds: settings.clipSeconds,
      prerollSeconds: settings.prerollSeconds,
      maxClipSeconds: settings.maxClipSeconds,
      cooldownSeconds: settings.cooldownSeconds,
      storage,
    },
    onLog: log,
    metrics,
    onClip: publisher?.onClip,
  })
);

const server = metricsSettings.port === undefined ? undefined : startHealthServer({
  port: metricsSettings.port,
  hostname: metricsSettings.hostname,
  registry: metrics,
  // ok: every camera is connected and the disk has room, so clips are being recorded. Redis does not decide
  // it: while Redis is unreachable or slow, tasks wait in the outbox and `redis` says so (degraded, still 200).
  health: async () => {
    const [redis, disk] = await Promise.all([redisState(), storage.health(), publisher?.outboxSize()]);
    const cameras = Object.fromEntries(captures.map((c) => [c.camera, c.status]));
    return {
      ok: captures.every((c) => c.status.connected) && !disk.short,
      cameras,
      disk,
      redis,
      ...(producer ? { outbox: await producer.outboxSize() } : {}),
    };
  },
  beforeMetrics: () => Promise.all([redisState(), storage.health(), publisher?.outboxSize()]),
}, (message) => log({ level: "warn", message }));

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  log({ level: "info", message: "stopping: finishing the clips in progress" });
  for (const c of captures) c.stop();
};
Deno.addSignalListener("SIGTERM", stop);
Deno.addSignalListener("SIGINT", stop);

if (server) {
  log({ level: "info", message: `health and metrics on http://${metricsSettings.hostname}:${server.port}/` });
}
log({
  level: "info",
  message: `capturing ${captures.length} camera(s) into ${settings.videoDir}` +
    (producer
      ? `, tasks to ${producer.stream} on ${producer.connection.display}` +
        (producer.connection.connected ? "" : " (unreachable for now: outbox)")
      : " (no REDIS_URL or RDS_HOST: clips are not queued)"),
});
const results = await Promise.allSettled(captures.map((c) => c.run()));
let failed = false;
for (const [i, r] of results.entries()) {
  if (r.status === "rejected") {
    failed = true;
    const message = r.reason instanceof CamwatchError ? r.reason.message : String(r.reason);
    log({ camera: captures[i].camera, level: "error", message });
  }
}
// The clips are finished and their tasks handed over (queued or in the outbox); Redis cannot hold the exit.
await producer?.close();
await Promise.race([connection?.close(), new Promise((r) => setTimeout(r, 1000))]);
await server?.close();
log({ level: "info", message: "stopped" });
Deno.exit(failed ? 1 : 0);
