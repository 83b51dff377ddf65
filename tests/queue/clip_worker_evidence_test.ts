/**
 * ClipWorker's tracked objects and evidence, with a real redis-server, the real detector and a real
 * clip: the line carries tracks, rejected and sample_fps; the camera's zones and filters reach the
 * analysis by the task's camera; the evidence lies beside the clip under its stem; a failed evidence
 * write is reported and the line is still written (evidence: false) and the task acknowledged.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseTask } from "../../lib/queue/clip_task.ts";
import { ClipWorker, type EvidenceWriter } from "../../lib/queue/clip_worker.ts";
import { DetectionLog } from "../../lib/queue/detection_log.ts";
import { QueueMonitor } from "../../lib/queue/queue_monitor.ts";
import { TaskConsumer } from "../../lib/queue/task_consumer.ts";
import { TaskProducer } from "../../lib/queue/task_producer.ts";
import { writeEvidence } from "../../lib/yolo/clip_evidence.ts";
import type { TrackingOptions } from "../../lib/yolo/clip_tracks.ts";
import { YoloAnalyzer } from "../../lib/yolo/yolo_analyzer.ts";
import { cutSample } from "../helpers/media.ts";
import { startRedis } from "../helpers/redis_server.ts";
import { take, task } from "./queue_fixtures.ts";

const videoDir = await Deno.makeTempDir({ prefix: "camwatch-evidence-" });
await Deno.mkdir(join(videoDir, "front"));
for (const n of [1, 2]) await cutSample(join(videoDir, task(n).path), 3);
globalThis.addEventListener("unload", () => Deno.removeSync(videoDir, { recursive: true }));

/** The right half of the view, and the parked vehicles (top right of the sample) filtered out. */
const FRONT: TrackingOptions = {
  zones: [{ name: "right", points: [[0.5, 0], [1, 0], [1, 1], [0.5, 1]] }],
  filters: { car: { minArea: 0.5 } },
};

async function handleOne(n: number, evidence: EvidenceWriter | undefined, messages: string[]) {
  await using redis = await startRedis();
  await using analyzer = await YoloAnalyzer.create();
  const roles = { redis: redis.url, parse: parseTask };
  await using producer = await TaskProducer.connect(roles);
  await using consumer = await TaskConsumer.connect({ ...roles, consumer: "w", blockMs: 100 });
  await using monitor = await QueueMonitor.connect(roles);
  const cameras: string[] = [];
  const worker = new ClipWorker({
    consumer,
    analyzer,
    log: new DetectionLog(join(videoDir, "detections.d")),
    videoDir,
    tracking: (camera) => (cameras.push(camera), camera === "front" ? FRONT : undefined),
    evidence,
    onLog: (m) => messages.push(m),
  });
  await producer.publish(task(n));
  const [delivery] = await take(consumer, 1);
  const outcome = await worker.handle(delivery);
  assert.equal((await monitor.stats()).pending, 0, "acknowledged");
  const [line] = await Array.fromAsync(new DetectionLog(join(videoDir, "detections.d")).read())
    .then((lines) => lines.filter((l) => l.id === task(n).id));
  return { outcome, line, cameras };
}

Deno.test("the line carries tracks, rejected and sample_fps; the camera's zones and filters apply; evidence beside the clip", async () => {
  const messages: string[] = [];
  const { outcome, line, cameras } = await handleOne(1, writeEvidence, messages);
  assert.equal(outcome, "logged");
  assert.deepEqual(cameras, ["front"]);
  assert.equal(line.sample_fps, 2);
  assert.equal(line.evidence, true);
  assert.ok(line.tracks && line.tracks.length > 0, JSON.stringify(line));
  assert.deepEqual(line.detected, [...new Set(line.tracks.map((t) => t.label))]);
  assert.equal(line.objects.person.count, line.tracks.filter((t) => t.label === "person").length);
  assert.ok(!line.detected.includes("car"), "the car filter (minArea 0.5) left no car");
  assert.ok(line.rejected !== undefined);
  for (const t of line.tracks) {
    assert.ok(t.frames >= 2 && t.score >= 0.5, JSON.stringify(t));
    const right = t.path.some(([, x]) => x > 0.5);
    if (!right) assert.deepEqual(t.zones, [], JSON.stringify(t));
  }
  assert.ok(line.tracks.some((t) => t.zones.includes("right")));
  const files = [...Deno.readDirSync(join(videoDir, "front"))].map((e) => e.name).sort();
  const stem = "20260223-144601";
  assert.ok(files.includes(`${stem}.detections.csv`), files.join(" "));
  for (const t of line.tracks) {
    assert.ok(files.includes(`${stem}.${t.label}-${t.id}.jpg`), `${t.label}-${t.id}`);
  }
  const csv = (await Deno.readTextFile(join(videoDir, "front", `${stem}.detections.csv`))).split("\n");
  assert.equal(csv[0], "time,track,label,score,x1,y1,x2,y2,confirmed");
  assert.match(messages.at(-1)!, /^logged: front\/20260223-144601\.mp4: \d+ person.*evidence written\)$/);
});

Deno.test("evidence that cannot be written: a warning, and the line is written (evidence: false) and acknowledged", async () => {
  const messages: string[] = [];
  const failing: EvidenceWriter = () => Promise.reject(new Error("No space left on device (os error 28)"));
  const { outcome, line } = await handleOne(2, failing, messages);
  assert.equal(outcome, "logged");
  assert.equal(line.ok, true);
  assert.equal(line.evidence, false);
  assert.ok(line.tracks && line.tracks.length > 0);
  assert.ok(
    messages.some((m) => /^evidence failed: front\/20260223-144602\.mp4: No space left/.test(m)),
    messages.join("\n"),
  );
});
