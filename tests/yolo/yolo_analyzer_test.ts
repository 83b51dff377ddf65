/**
 * YoloAnalyzer with the real bundled model and ONNX Runtime on real photos and footage.
 */
import assert from "node:assert/strict";
import { MediaError, ModelError } from "../../lib/errors.ts";
import { decodeImage } from "../../lib/media/image.ts";
import { type Detection, type FrameDetections, YoloAnalyzer } from "../../lib/yolo/yolo_analyzer.ts";
import { analyzeFile } from "../../lib/yolo/file_analysis.ts";
import { cutSample, makeDayLongVideo, makeHugeFrameVideo, repoPath } from "../helpers/media.ts";

const BUS = repoPath("tests/fixtures/bus.jpg");
const ZIDANE = repoPath("tests/fixtures/zidane.jpg");
const SAMPLE = repoPath("video/samples/vtest.mp4");

function countLabels(detections: readonly Detection[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const d of detections) counts[d.label] = (counts[d.label] ?? 0) + 1;
  return counts;
}

Deno.test("YoloAnalyzer on real images and video", async (t) => {
  await using analyzer = await YoloAnalyzer.create();

  await t.step("reads names, size and stride from the model's own metadata", () => {
    assert.equal(analyzer.info.names.length, 80);
    assert.equal(analyzer.info.names[0], "person");
    assert.deepEqual(analyzer.info.imgsz, [640, 640]);
    assert.equal(analyzer.info.stride, 32);
    assert.equal(analyzer.modelName, "yolov8n_int8.onnx");
  });

  await t.step("bus.jpg: 4 persons and 1 bus, boxes in source pixels", async () => {
    const r = await analyzer.detect(BUS);
    assert.equal(r.width, 810);
    assert.equal(r.height, 1080);
    assert.deepEqual(countLabels(r.detections), { person: 4, bus: 1 });
    for (const d of r.detections) {
      const [x1, y1, x2, y2] = d.box;
      assert.ok(0 <= x1 && x1 < x2 && x2 <= 810 && 0 <= y1 && y1 < y2 && y2 <= 1080, `${d.label} ${d.box}`);
      assert.ok(d.score > 0.25 && d.score <= 1);
    }
    const bus = r.detections.find((d) => d.label === "bus")!;
    // The bus spans almost the whole width of the photo, in its middle band.
    assert.ok(bus.box[2] - bus.box[0] > 700, `bus box ${bus.box}`);
    assert.ok(bus.box[1] > 150 && bus.box[3] < 850, `bus box ${bus.box}`);
    const scores = r.detections.map((d) => d.score);
    assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
  });

  await t.step("zidane.jpg: at least 2 persons and a tie", async () => {
    const counts = countLabels((await analyzer.detect(ZIDANE)).detections);
    assert.ok(counts.person >= 2, JSON.stringify(counts));
    assert.ok(counts.tie >= 1, JSON.stringify(counts));
  });

  await t.step("a path, encoded bytes and raw RGB give the same detections", async () => {
    const fromPath = await analyzer.detect(BUS);
    const fromBytes = await analyzer.detect(await Deno.readFile(BUS));
    const fromRaw = await analyzer.detect(await decodeImage(BUS));
    assert.deepEqual(fromBytes.detections, fromPath.detections);
    assert.deepEqual(fromRaw.detections, fromPath.detections);
  });

  await t.step("classes option keeps only the asked classes", async () => {
    await using busOnly = await YoloAnalyzer.create({ classes: ["bus"] });
    assert.deepEqual(countLabels((await busOnly.detect(BUS)).detections), { bus: 1 });
    await assert.rejects(() => YoloAnalyzer.create({ classes: ["unicorn"] }), RangeError);
  });

  await t.step("vtest footage: person in most sampled frames, real timestamps, summary", async () => {
    const analysis = analyzer.analyzeVideo(SAMPLE, { sampleFps: 0.5 });
    const frames: FrameDetections[] = [];
    for await (const f of analysis) frames.push(f);
    const summary = await analysis.summary();
    // 79.5 s at one frame every 2 s: slots 0, 2, …, 78.
    assert.equal(frames.length, 40);
    assert.equal(summary.frames, 40);
    for (const [k, f] of frames.entries()) {
      assert.equal(f.index, k);
      assert.ok(f.time >= 2 * k - 1e-6 && f.time < 2 * k + 0.1, `frame ${k} at ${f.time}`);
      assert.equal(f.width, 768);
      assert.equal(f.height, 576);
    }
    const withPerson = frames.filter((f) => f.detections.some((d) => d.label === "person")).length;
    assert.ok(withPerson >= 0.8 * frames.length, `person in ${withPerson} of ${frames.length} frames`);
    assert.equal(summary.detected[0], "person");
    assert.equal(summary.count, summary.detected.length);
    // The per-class figures count confirmed objects only: frames with a confirmed person, most at once.
    const confirmed = new Set(summary.tracks.map((t) => t.id));
    const people = frames.map((f) =>
      f.detections.filter((d) => d.label === "person" && confirmed.has(d.track!))
    );
    assert.equal(summary.objects.person.frames, people.filter((p) => p.length).length);
    assert.ok(summary.objects.person.frames <= withPerson);
    assert.equal(summary.objects.person.max, Math.max(...people.map((p) => p.length)));
    assert.equal(summary.objects.person.count, summary.tracks.filter((t) => t.label === "person").length);
    assert.ok(summary.objects.person.count >= 5, `${summary.objects.person.count} people`);
    assert.equal(summary.model, "yolov8n_int8.onnx");
    assert.equal(summary.duration, 79.5);
    assert.ok(summary.elapsed_ms > 0);
  });

  await t.step("summary() alone runs the analysis; every frame of a 2 s cut is analysed", async () => {
    const dir = await Deno.makeTempDir({ prefix: "camwatch-analyzer-" });
    try {
      const cut = `${dir}/cut.mp4`;
      await cutSample(cut, 2);
      const summary = await analyzer.analyzeVideo(cut, { sampleFps: "all" }).summary();
      assert.equal(summary.frames, 20);
      assert.ok(summary.objects.person.frames >= 16, JSON.stringify(summary.objects.person));
      assert.ok(summary.objects.person.last >= 1.8);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });

  await t.step("stopping the iteration early stops the analysis", async () => {
    const analysis = analyzer.analyzeVideo(SAMPLE, { sampleFps: 2 });
    let n = 0;
    for await (const _ of analysis) if (++n === 3) break;
    await assert.rejects(() => analysis.summary(), /stopped before the end/);
  });

  await t.step("bad inputs give MediaError with the reason", async () => {
    const dir = await Deno.makeTempDir({ prefix: "camwatch-bad-" });
    try {
      const truncated = `${dir}/truncated.mp4`;
      await Deno.writeFile(truncated, (await Deno.readFile(SAMPLE)).subarray(0, 200_000));
      await assert.rejects(
        () => analyzer.analyzeVideo(truncated).summary(),
        (e: unknown) => e instanceof MediaError && /truncated\.mp4: damaged or truncated/.test(e.message),
      );
      await assert.rejects(
        () => analyzer.analyzeVideo(`${dir}/missing.mp4`).summary(),
        (e: unknown) => e instanceof MediaError && /missing\.mp4/.test(e.message),
      );
      await assert.rejects(
        () => analyzer.detect(new TextEncoder().encode("no image here")),
        (e: unknown) => e instanceof MediaError && /not a readable image/.test(e.message),
      );
      await assert.rejects(
        () => analyzer.detect(`${dir}/missing.jpg`),
        (e: unknown) => e instanceof MediaError && /missing\.jpg: no such file/.test(e.message),
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });

  await t.step("the event loop keeps running while a frame is inferred", async () => {
    // Raw RGB input: nothing asynchronous happens on this thread but the inference itself, so
    // timer callbacks can only run during it if it runs elsewhere (in the worker).
    const raw = await decodeImage(BUS);
    let ticks = 0;
    let running = true;
    const tick = () => {
      if (!running) return;
      ticks++;
      setTimeout(tick, 0);
    };
    setTimeout(tick, 0);
    const result = await analyzer.detect(raw);
    running = false;
    assert.ok(result.inferenceMs > 0);
    assert.ok(
      ticks >= 5,
      `${ticks} timer callbacks ran during a ${result.inferenceMs.toFixed(0)} ms inference`,
    );
  });
});

Deno.test("bad model files give ModelError naming the file", async () => {
  await assert.rejects(
    () => YoloAnalyzer.create({ model: "no/such/model.onnx" }),
    (e: unknown) => e instanceof ModelError && /model file not found: no\/such\/model\.onnx/.test(e.message),
  );
  const dir = await Deno.makeTempDir({ prefix: "camwatch-model-" });
  try {
    const text = `${dir}/text.onnx`;
    await Deno.writeTextFile(text, "definitely not protobuf ~~~~~~~~");
    await assert.rejects(
      () => YoloAnalyzer.create({ model: text }),
      (e: unknown) => e instanceof ModelError && /text\.onnx is not an ONNX model/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  await assert.rejects(() => YoloAnalyzer.create({ confidence: 2 }), /confidence must be between 0 and 1/);
});

Deno.test("another export works unchanged: YOLO11n int8 at 320 (size and names from its metadata)", async () => {
  await using analyzer = await YoloAnalyzer.create({
    model: repoPath("tests/fixtures/yolo11n_int8_320.onnx"),
  });
  assert.deepEqual(analyzer.info.imgsz, [320, 320]);
  assert.equal(analyzer.info.names.length, 80);
  const bus = countLabels((await analyzer.detect(BUS)).detections);
  assert.ok(bus.person >= 3 && bus.bus === 1, JSON.stringify(bus));
  const zidane = countLabels((await analyzer.detect(ZIDANE)).detections);
  assert.ok(zidane.person >= 2, JSON.stringify(zidane));
});

Deno.test("a closed analyzer refuses work instead of hanging", async () => {
  const analyzer = await YoloAnalyzer.create();
  analyzer.close();
  await assert.rejects(() => analyzer.detect(BUS), /inference session closed/);
});

Deno.test("hostile videos are refused from ffprobe's figures, fast and without memory: a huge frame, 24 hours, a FIFO", async () => {
  const dir = await Deno.makeTempDir({ prefix: "camwatch-hostile-" });
  try {
    const big = `${dir}/big.mp4`; // one 16000x16000 frame, 0.75 MB
    await makeHugeFrameVideo(big);
    const long = `${dir}/long.mp4`;
    await makeDayLongVideo(long);
    const fifo = `${dir}/fifo.mp4`;
    await new Deno.Command("mkfifo", { args: [fifo] }).output();
    await using analyzer = await YoloAnalyzer.create();
    const before = Deno.memoryUsage().rss;
    const started = performance.now();
    const results = [];
    for (const file of [big, long, fifo]) results.push(await analyzeFile(analyzer, file));
    const ms = performance.now() - started;
    const grown = Deno.memoryUsage().rss - before;
    assert.deepEqual(results.map((r) => r.ok), [false, false, false]);
    const errors = results.map((r) => r.ok ? "" : r.error);
    assert.equal(
      errors[0],
      `${big}: frames of 16000x16000 are over the limit of 40000000 pixels (maxFramePixels)`,
    );
    assert.equal(errors[1], `${long}: lasts 90000 s, over the limit of 3600 s (maxDurationSeconds)`);
    assert.equal(errors[2], `${fifo}: not a regular file (a FIFO), refused before opening it`);
    assert.ok(ms < 5000, `three refusals in ${Math.round(ms)} ms`);
    assert.ok(grown < 100 * 2 ** 20, `the worker's memory grew by ${(grown / 2 ** 20).toFixed(0)} MB`);
    // With the duration limit lifted, the time limit still ends the analysis: killed at 1.5 s.
    const start = performance.now();
    let frames = 0;
    await assert.rejects(
      async () => {
        const analysis = analyzer.analyzeVideo(long, { maxDurationSeconds: 90000, decodeTimeoutMs: 1500 });
        for await (const _ of analysis) frames++;
      },
      (e: unknown) =>
        e instanceof MediaError && /took longer than 1\.5 s \(decodeTimeoutMs\): killed/.test(e.message),
    );
    const killedAfter = performance.now() - start;
    assert.ok(frames > 0, "frames were analysed until the limit");
    assert.ok(killedAfter >= 1400 && killedAfter < 8000, `killed after ${Math.round(killedAfter)} ms`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
