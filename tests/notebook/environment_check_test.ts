import assert from "node:assert/strict";
import { join } from "node:path";
import { readNotebookSettings } from "../../lib/ops/config.ts";
import { DetectionLog } from "../../lib/queue/detection_log.ts";
import { JUPYTER_DISPLAY } from "../../lib/notebook/displayable.ts";
import { checkEnvironment } from "../../lib/notebook/environment_check.ts";
import { parseTask } from "../../lib/queue/clip_task.ts";
import { QueueMonitor } from "../../lib/queue/queue_monitor.ts";
import { startRedis } from "../helpers/redis_server.ts";

Deno.test("every part present: all checks pass, with versions, the model's classes and the log's counts", async () => {
  await using redis = await startRedis();
  const dir = await Deno.makeTempDir({ prefix: "camwatch-check-" });
  try {
    const log = new DetectionLog(join(dir, "detections.d"));
    const now = new Date().toISOString();
    await log.append({
      ok: false,
      filename: "front/a.mp4",
      detected: [],
      count: 0,
      timestamp: "2026-02-23T14:48:00.000Z",
      id: "front-a",
      camera: "front",
      clip_start: now,
      clip_end: now,
      frames: 0,
      objects: {},
      model: "yolov8n_int8.onnx",
      elapsed_ms: 3,
      worker: "w",
      error: "not a video",
    });
    const settings = readNotebookSettings({ VIDEO_DIR: dir, REDIS_URL: redis.url });
    await using monitor = await QueueMonitor.connect({ redis: redis.url, parse: parseTask });
    await monitor.heartbeat("w1");
    const report = await checkEnvironment({ settings });
    assert.ok(report.ok, report.toString());
    const byName = Object.fromEntries(report.checks.map((c) => [c.name, c.detail]));
    assert.match(byName.ffmpeg, /^ffmpeg version \S+/);
    assert.match(byName["ONNX Runtime"], /onnxruntime-node 1\.\d+/);
    assert.match(byName.model, /yolov8n_int8\.onnx: 80 classes \(person, bicycle, car/);
    assert.match(byName.Redis, /stream video_queue holds 0, 0 pending, 0 dead/);
    assert.match(
      byName["detection log"],
      /detections\.d: 1 day files; 1 clips in the last 24 hours, 1 failed/,
    );
    assert.equal(byName.worker, "1 live: w1");
    assert.doesNotMatch(report.toString(), new RegExp(redis.password));
    const html = report[JUPYTER_DISPLAY]()["text/html"];
    assert.equal(html.match(/<tr><td/g)?.length, report.checks.length);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("missing parts are failed checks that say what to do, without secrets; nothing throws", async () => {
  const dir = await Deno.makeTempDir({ prefix: "camwatch-check-" });
  try {
    const settings = readNotebookSettings({
      VIDEO_DIR: join(dir, "missing"),
      REDIS_URL: "redis://:hunter2@127.0.0.1:1",
      YOLO_MODEL: join(dir, "none.onnx"),
    });
    const report = await checkEnvironment({ settings, timeoutMs: 5000 });
    assert.equal(report.ok, false);
    const failed = Object.fromEntries(report.checks.filter((c) => !c.ok).map((c) => [c.name, c]));
    assert.deepEqual(Object.keys(failed).sort(), ["Redis", "detection log", "model", "video folder"]);
    assert.match(failed.Redis.detail, /cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1/);
    assert.match(failed.Redis.fix ?? "", /REDIS_URL/);
    assert.match(failed.model.detail, /none\.onnx/);
    assert.match(failed.model.fix ?? "", /YOLO_MODEL/);
    assert.doesNotMatch(report.toString(), /hunter2/);
    assert.doesNotMatch(report[JUPYTER_DISPLAY]()["text/html"], /hunter2/);

    const noRedis = await checkEnvironment({ settings: readNotebookSettings({ VIDEO_DIR: dir }) });
    assert.match(noRedis.toString(), /✘ Redis: no Redis configured — set REDIS_URL.*deno task demo/);
    assert.equal(noRedis.checks.some((c) => c.name === "worker"), false, "no worker line without Redis");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Redis answers but no worker beats: a failed worker check saying how to start one", async () => {
  await using redis = await startRedis();
  const dir = await Deno.makeTempDir({ prefix: "camwatch-check-" });
  try {
    const report = await checkEnvironment({
      settings: readNotebookSettings({ VIDEO_DIR: dir, REDIS_URL: redis.url }),
    });
    const worker = report.checks.find((c) => c.name === "worker");
    assert.equal(worker?.ok, false, report.toString());
    assert.equal(worker?.detail, "no live worker heartbeat: queued clips wait");
    assert.equal(worker?.fix, `start one: deno task worker, with the same REDIS_URL and VIDEO_DIR (${dir})`);
    assert.equal(report.checks.find((c) => c.name === "Redis")?.ok, true);
    assert.doesNotMatch(report.toString(), new RegExp(redis.password));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a bad variable is one failed check naming it", async () => {
  const saved = Deno.env.get("YOLO_CONF");
  Deno.env.set("YOLO_CONF", "lots");
  try {
    const report = await checkEnvironment();
    assert.equal(report.checks.length, 1);
    assert.match(report.toString(), /✘ settings: .*YOLO_CONF/);
  } finally {
    if (saved === undefined) Deno.env.delete("YOLO_CONF");
    else Deno.env.set("YOLO_CONF", saved);
  }
});
