/**
 * The detector: any Ultralytics YOLO detection export (ONNX) → detections on images and
 * videos. {@linkcode YoloAnalyzer} reads the model's own metadata (class names, input size,
 * stride), prepares the input exactly as Ultralytics does (letterbox with OpenCV's bilinear
 * resize), runs ONNX Runtime in a worker thread and applies class-aware NMS; a video's
 * detections are summarised per class by {@linkcode DetectionSummary};
 * {@linkcode analyzeFile} is the one-file job behind `deno task analyze`.
 *
 * @example Detect objects in an image and summarise a video
 * ```ts
 * import { YoloAnalyzer } from "./mod.ts";
 *
 * await using analyzer = await YoloAnalyzer.create({ confidence: 0.25 });
 * const { detections } = await analyzer.detect("tests/fixtures/bus.jpg");
 * for (const d of detections) console.log(d.label, d.score.toFixed(2), d.box);
 *
 * const summary = await analyzer.analyzeVideo("video/samples/vtest.mp4", { sampleFps: 2 }).summary();
 * console.log(summary.detected, summary.objects.person);
 * ```
 *
 * @module
 */

export {
  type AnalyzeVideoOptions,
  DEFAULT_MODEL_URL,
  type Detection,
  type FrameDetections,
  type ImageDetections,
  VideoAnalysis,
  type VideoSummary,
  YoloAnalyzer,
  type YoloAnalyzerOptions,
} from "./yolo_analyzer.ts";
export type { YoloModelInfo, YoloModelOverrides } from "./yolo_model.ts";
export { DetectionSummary, type LabelledScore, type ObjectStats } from "./detection_summary.ts";
export {
  analyzeFile,
  type AnalyzeFileOptions,
  type FailedFileResult,
  type FileResult,
  formatResult,
  type ImageFileResult,
  type VideoFileResult,
} from "./file_analysis.ts";
export { iou, type NmsOptions, nonMaxSuppression } from "./nms.ts";
export {
  letterbox,
  type LetterboxOptions,
  type LetterboxPlan,
  planLetterbox,
  unletterboxBox,
} from "./letterbox.ts";
export { type OnnxMetadata, type OnnxValueInfo, readOnnxMetadata } from "./onnx_metadata.ts";
