/**
 * The detector: any Ultralytics YOLO detection export (ONNX) → detections on images and
 * videos. {@linkcode YoloAnalyzer} reads the model's own metadata (class names, input size,
 * stride), prepares the input exactly as Ultralytics does (letterbox with OpenCV's bilinear
 * resize), runs ONNX Runtime in a worker thread and applies class-aware NMS; a video's
 * detections are followed across frames by {@linkcode ObjectTracker}, confirmed or rejected by
 * {@linkcode confirmTrack}, filtered, masked and placed in zones, and summarised as objects by
 * {@linkcode ClipTracks}; {@linkcode writeEvidence} keeps a snapshot of each object and the
 * per-frame detections beside a clip;
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
  type TrackedDetection,
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
export { assignMinCost } from "./assignment.ts";
export {
  ObjectTracker,
  type ObjectTrackerOptions,
  type Observation,
  type PixelBox,
  type Track,
  TRACKER_SETTINGS,
  type TrackInput,
} from "./object_tracker.ts";
export {
  CONFIRMATION_SETTINGS,
  type ConfirmationOptions,
  confirmationSettings,
  confirmTrack,
  median,
  type TrackVerdict,
} from "./track_confirmation.ts";
export { bottomCentre, type FramePoint, insidePolygon, type Polygon, polygonProblem } from "./polygon.ts";
export { checkZones, type Zone, ZONE_NAME_PATTERN, zonesAt } from "./zones.ts";
export {
  checkObjectFilters,
  filterDetections,
  type ObjectFilter,
  type ObjectFilterOptions,
} from "./object_filters.ts";
export {
  type ClipObjects,
  ClipTracks,
  type TrackedObjectStats,
  type TrackingOptions,
  type TrackSummary,
} from "./clip_tracks.ts";
export {
  detectionsCsv,
  type EvidenceOptions,
  type EvidenceSource,
  snapshotName,
  type TrackedFrame,
  writeEvidence,
} from "./clip_evidence.ts";
export {
  letterbox,
  type LetterboxOptions,
  type LetterboxPlan,
  planLetterbox,
  unletterboxBox,
} from "./letterbox.ts";
export { type OnnxMetadata, type OnnxValueInfo, readOnnxMetadata } from "./onnx_metadata.ts";
