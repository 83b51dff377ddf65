/**
 * `deno task capture`: long-lived capture of one or more cameras. Settings from the
 * environment (RTSP_URL, CAMERA_NAME, VIDEO_DIR, CLIP_SECONDS, PREROLL_SECONDS, …) or a
 * CAMERAS_FILE for several cameras; see README. One log line per event; SIGTERM or Ctrl-C
 * finishes the clips in progress and exits 0.
 *
 * @module
 */

import { join } from "node:path";
import { CameraCapture, type CaptureLogEntry } from "../lib/capture/camera_capture.ts";
import { type ClipTask, parseTask } from "../lib/queue/clip_task.ts";
import { ClipPublisher } from "../lib/queue/clip_publisher.ts";
import { readCaptureSettings, readMetricsSettings, readQueueSettings } from "../lib/ops/config.ts";
import { CamwatchError, ConfigError } from "../lib/errors.ts";
import { startHealthServer } from "../lib/ops/health_server.ts";
import { createLogger, type Logger, readLogSettings } from "../lib/ops/logger.ts";
import { MetricsRegistry } from "../lib/ops/metrics.ts";
import { TaskProducer } from "../lib/queue/task_producer.ts";

let logger: Logger;
function log(
  entry: CaptureLogEntry | { camera?: string; level: "info" | "warn" | "error"; message: string },
) {
  logger[entry.level](entry.message, entry.camera ? { camera: entry.camera } : {});
}

let settings, queueSettings, metricsSettings;
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

// Finished clips become tasks in Redis; while Redis is unreachable they wait in an outbox file.
let producer: TaskProducer<ClipTask> | undefined;
if (queueSettings.redis) {
  try {
    producer = await TaskProducer.connect({
      redis: queueSettings.redis,
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

const captures = settings.cameras.map((camera) =>
  new CameraCapture({
    camera: camera.name,
    url: camera.url,
    videoDir: settings.videoDir,
    source: { transport: camera.transport, motionFps: settings.motionFps },
    motion: { threshold: camera.threshold, minArea: camera.minArea, masks: camera.masks },
    clips: {
      clipSeconds: settings.clipSeconds,
      prerollSeconds: settings.prerollSeconds,
      maxClipSeconds: settings.maxClipSeconds,
      cooldownSeconds: settings.cooldownSeconds,
      retention: {
        maxAgeDays: settings.retentionDays,
        maxBytes: settings.retentionGb === undefined ? undefined : settings.retentionGb * 1e9,
      },
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
  health: async () => {
    await publisher?.outboxSize();
    const cameras = Object.fromEntries(captures.map((c) => [c.camera, c.status]));
    return {
      ok: captures.every((c) => c.status.connected),
      cameras,
      redis: producer
        ? (producer.connection.connected ? "connected" : "unreachable (tasks go to the outbox)")
        : "not configured",
    };
  },
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
      ? `, tasks to ${producer.stream} on ${producer.connection.display}`
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
await producer?.close();
await server?.close();
log({ level: "info", message: "stopped" });
Deno.exit(failed ? 1 : 0);
