/**
 * `deno task demo`: the whole pipeline on the bundled sample. A camera emulator loops the
 * pedestrian footage; a private redis-server is started on a free loopback port unless
 * REDIS_URL / RDS_HOST name one; capture records clips and queues them; a worker analyses them
 * and writes the detection log. It stops after the first clips are in the log (DEMO_CLIPS,
 * default 2) and prints their lines. Clips are 10 s here (and capped at that, since the
 * sample never stops moving) unless CLIP_SECONDS / MAX_CLIP_SECONDS say otherwise. The worker tracks
 * objects and writes the evidence beside each clip as `deno task worker` does (EVIDENCE, TRACK_*,
 * ZONES, OBJECT_FILTERS, OBJECT_MASKS, CAMERAS_FILE for the camera `demo`).
 *
 * @module
 */

import { join, relative } from "node:path";
import { CameraCapture } from "../lib/capture/camera_capture.ts";
import { CameraEmulator } from "../tools/camera_emulator.ts";
import { parseTask } from "../lib/queue/clip_task.ts";
import { ClipPublisher } from "../lib/queue/clip_publisher.ts";
import { ClipWorker } from "../lib/queue/clip_worker.ts";
import {
  numberVar,
  readAnalyzerSettings,
  readQueueSettings,
  readTrackingSettings,
  readVar,
  readWorkerSettings,
  trackingFor,
} from "../lib/ops/config.ts";
import { writeEvidence } from "../lib/yolo/clip_evidence.ts";
import { DetectionLog, type LogLine } from "../lib/queue/detection_log.ts";
import { CamwatchError, ConfigError } from "../lib/errors.ts";
import { PrivateRedis } from "../tools/private_redis.ts";
import { defaultLogPath } from "../lib/queue/queue_defaults.ts";
import { RedisConnection } from "../lib/queue/redis_connection.ts";
import { TaskConsumer } from "../lib/queue/task_consumer.ts";
import { TaskProducer } from "../lib/queue/task_producer.ts";
import { YoloAnalyzer } from "../lib/yolo/yolo_analyzer.ts";

const say = (message: string) => console.log(`demo: ${message}`);
const SAMPLE = relative(Deno.cwd(), new URL("../video/samples/vtest.mp4", import.meta.url).pathname);

function describe(line: LogLine): string {
  if (!line.ok) return `${line.filename}: FAILED: ${line.error}`;
  const objects = Object.entries(line.objects)
    .map(([label, s]) =>
      `${s.count ?? "?"} ${label} (${s.frames} frames, up to ${s.max} at once, best ${s.best.toFixed(2)})`
    )
    .join(", ");
  const tracks = line.tracks ?? [];
  const parked = tracks.filter((t) => t.stationary).map((t) => `${t.label} ${t.id}`);
  const rejected = Object.entries(line.rejected ?? {}).map(([label, n]) => `${n} ${label}`).join(", ");
  return `${line.filename}: ${line.frames} frames analysed in ${(line.elapsed_ms / 1000).toFixed(1)} s: ${
    objects || "nothing"
  }; stationary: ${parked.join(", ") || "none"}; rejected: ${rejected || "none"}; evidence: ${
    line.evidence === undefined ? "off" : line.evidence ? "written" : "FAILED"
  }`;
}

async function main(): Promise<void> {
  const env = Deno.env.toObject();
  const analysis = readAnalyzerSettings(env);
  const tracking = readTrackingSettings(env);
  const { evidence } = readWorkerSettings(env);
  const queueSettings = readQueueSettings(env);
  const videoDir = readVar(env, "VIDEO_DIR") ?? "video";
  const wanted = numberVar(env, "DEMO_CLIPS", 2, { min: 1, max: 100, integer: true });
  const clipSeconds = numberVar(env, "CLIP_SECONDS", 10, { min: 1, max: 3600 });
  const prerollSeconds = numberVar(env, "PREROLL_SECONDS", 3, { min: 0, max: 600 });
  // The sample never stops moving: cap clips at their length so the demo stays short.
  const maxClipSeconds = numberVar(env, "MAX_CLIP_SECONDS", clipSeconds, { min: clipSeconds, max: 86_400 });
  const stack = new AsyncDisposableStack();
  try {
    let redisUrl = queueSettings.redis;
    if (!redisUrl) {
      const redis = stack.use(await PrivateRedis.start());
      redisUrl = redis.url;
      say(`started a private redis-server at ${redis.displayUrl} (set REDIS_URL to use your own)`);
    }
    const camera = stack.use(await CameraEmulator.start({ file: SAMPLE }));
    say(`camera emulator streaming ${SAMPLE} at ${camera.displayUrl}`);
    // Capture and worker in one process: one connection for both roles.
    const connection = stack.use(await RedisConnection.open(redisUrl));
    const { stream } = queueSettings;
    const producer = stack.use(
      await TaskProducer.connect({
        redis: connection,
        parse: parseTask,
        stream,
        outboxPath: join(videoDir, ".outbox.jsonl"),
      }),
    );
    const consumer = stack.use(await TaskConsumer.connect({ redis: connection, parse: parseTask, stream }));
    const analyzer = stack.use(await YoloAnalyzer.create(analysis));
    const log = new DetectionLog(defaultLogPath(videoDir));
    const published = new Set<string>();
    const publisher = new ClipPublisher(producer, {
      onTask: (task) => published.add(task.id),
      onLog: (e) => say(`capture ${e.camera}: ${e.message}`),
    });
    const capture = new CameraCapture({
      camera: "demo",
      url: camera.url,
      videoDir,
      clips: { clipSeconds, prerollSeconds, maxClipSeconds },
      onClip: publisher.onClip,
      onLog: (e) => say(`capture ${e.camera}: ${e.message}`),
    });
    const controller = new AbortController();
    const lines: LogLine[] = [];
    const worker = new ClipWorker({
      consumer,
      analyzer,
      log,
      videoDir,
      sampleFps: analysis.sampleFps,
      tracking: (name) => trackingFor(tracking, name),
      evidence: evidence ? writeEvidence : undefined,
      onLog: (m) => say(`worker: ${m}`),
    });
    const following = (async () => {
      for await (const line of log.follow({ signal: controller.signal, fromStart: false })) {
        if (!published.has(line.id)) continue;
        lines.push(line);
        if (lines.length >= wanted) controller.abort();
      }
    })();
    const stop = () => controller.abort();
    Deno.addSignalListener("SIGINT", stop);
    Deno.addSignalListener("SIGTERM", stop);
    say(
      `recording ${clipSeconds} s clips (+${prerollSeconds} s before the motion) until ${wanted} are analysed`,
    );
    const capturing = capture.run();
    const working = worker.run(controller.signal);
    await following;
    await capture.stop();
    await capturing;
    await working;
    Deno.removeSignalListener("SIGINT", stop);
    Deno.removeSignalListener("SIGTERM", stop);
    console.log(`\ndemo: ${lines.length} clip(s) analysed; their lines in ${log.path}:`);
    for (const line of lines) console.log(`  ${describe(line)}`);
    for (const line of lines) console.log(JSON.stringify(line));
  } finally {
    await stack.disposeAsync();
  }
}

try {
  await main();
  Deno.exit(0);
} catch (e) {
  if (e instanceof ConfigError || e instanceof CamwatchError) {
    console.error(`demo: ${e.message}`);
    Deno.exit(e instanceof ConfigError ? 2 : 1);
  }
  throw e;
}
