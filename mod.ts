/**
 * camwatch: watch IP cameras, record clips when something moves, and find out what is in them
 * with a YOLO detector, from Deno.
 *
 * The pipeline is camera → motion → clip → queue → detector → log → notebook. This module is
 * the pipeline's public surface, one subsystem per folder of `lib/`:
 *
 * - capture (`lib/capture/`): {@linkcode RtspSource}, {@linkcode MotionDetector},
 *   {@linkcode ClipRecorder}, {@linkcode CameraCapture};
 * - queue, worker and log (`lib/queue/`): {@linkcode TaskProducer}, {@linkcode TaskConsumer},
 *   {@linkcode ClipWorker}, {@linkcode DetectionLog};
 * - the detector (`lib/yolo/`): {@linkcode YoloAnalyzer};
 * - media (`lib/media/`): ffprobe, frames and images;
 * - operations (`lib/ops/`): settings, logs, metrics, health, masking of secrets.
 *
 * The notebook helpers (charts, tables, log analysis) are a separate surface,
 * `@camwatch/camwatch/notebook`, so that capture and workers never load Observable Plot,
 * linkedom or nodejs-polars. docs/architecture.md describes the data flow and where each rule
 * lives.
 *
 * @example Detect objects in an image and summarise a video
 * ```ts
 * import { YoloAnalyzer } from "@camwatch/camwatch";
 *
 * await using analyzer = await YoloAnalyzer.create({ confidence: 0.25 });
 *
 * const { detections } = await analyzer.detect("tests/fixtures/bus.jpg");
 * for (const d of detections) console.log(d.label, d.score.toFixed(2), d.box);
 *
 * const analysis = analyzer.analyzeVideo("video/samples/vtest.mp4", { sampleFps: 2 });
 * for await (const frame of analysis) console.log(frame.time, frame.detections.length);
 * const summary = await analysis.summary();
 * console.log(summary.detected, summary.objects.person);
 * ```
 *
 * @module
 */

export * from "./lib/capture/mod.ts";
export * from "./lib/queue/mod.ts";
export * from "./lib/yolo/mod.ts";
export * from "./lib/media/mod.ts";
export * from "./lib/ops/mod.ts";
export { CamwatchError, ConfigError, MediaError, ModelError } from "./lib/errors.ts";
