/**
 * camwatch: watch IP cameras, record clips when something moves, and find out what is in them
 * with a YOLO detector, from Deno.
 *
 * The pipeline is camera → motion → clip → queue → detector → log → notebook. This module
 * exports the typed library the long-running scripts (`deno task analyze`, …) are built on.
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
} from "./lib/yolo_analyzer.ts";
export type { YoloModelInfo, YoloModelOverrides } from "./lib/yolo/yolo_model.ts";
export { DetectionSummary, type LabelledScore, type ObjectStats } from "./lib/detection_summary.ts";
export {
  analyzeFile,
  type AnalyzeFileOptions,
  type FailedFileResult,
  type FileResult,
  formatResult,
  type ImageFileResult,
  type VideoFileResult,
} from "./lib/file_analysis.ts";
export { decodeImage, type ImageInput, isImageFile, type RgbImage } from "./lib/image.ts";
export { readVideoFrames, type ReadVideoFramesOptions, type VideoFrame } from "./lib/video_frames.ts";
export { type DecodeFramesOptions, type MediaInfo, probeMedia, type VideoStreamInfo } from "./lib/ffmpeg.ts";
export {
  type AnalyzerSettings,
  type CameraSettings,
  type CaptureSettings,
  type Env,
  type JupyterSettings,
  type NotebookSettings,
  numberVar,
  parseSampleFps,
  type QueueSettings,
  readAnalyzerSettings,
  readCaptureSettings,
  readJupyterSettings,
  readNotebookSettings,
  readQueueSettings,
  readVar,
  readWorkerSettings,
  type WorkerSettings,
} from "./lib/config.ts";
export {
  type Box,
  type GrayFrame,
  MotionDetector,
  type MotionDetectorOptions,
  type MotionEvent,
  type MotionUpdate,
  type Point,
} from "./lib/motion_detector.ts";
export { CameraEmulator, CameraEmulatorError, type CameraEmulatorOptions } from "./lib/camera_emulator.ts";
export {
  type CameraSegment,
  RtspSource,
  RtspSourceError,
  type RtspSourceOptions,
  type SourceEvent,
} from "./lib/rtsp_source.ts";
export {
  ClipError,
  ClipRecorder,
  type ClipRecorderOptions,
  type FinishedClip,
  isoLocal,
  type RetentionOptions,
} from "./lib/clip_recorder.ts";
export { CameraCapture, type CameraCaptureOptions, type CaptureLogEntry } from "./lib/camera_capture.ts";
export { type ClipTask, parseTask, resolveClipPath, TaskError, taskFromClip } from "./lib/clip_task.ts";
export { DetectionLog, type FollowOptions, type LogLine } from "./lib/detection_log.ts";
export {
  type BuriedTask,
  type ConsumeOptions,
  type DeadLetter,
  type Delivery,
  type PendingTask,
  QueueError,
  type RedisTarget,
  RedisTaskQueue,
  type RedisTaskQueueOptions,
} from "./lib/redis_task_queue.ts";
export { ClipWorker, type ClipWorkerOptions, type TaskOutcome } from "./lib/clip_worker.ts";
export { PrivateRedis, PrivateRedisError, type PrivateRedisOptions } from "./lib/private_redis.ts";
export {
  Counter,
  Gauge,
  Histogram,
  type Labels,
  type MetricFamily,
  MetricsRegistry,
  SingleValueMetric,
} from "./lib/metrics.ts";
export {
  type HealthReport,
  type HealthServer,
  type HealthServerOptions,
  serveHealth,
} from "./lib/health_server.ts";
export {
  createLogger,
  type LogFields,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  readLogSettings,
} from "./lib/logger.ts";
export { redactText, redactUrl, urlPassword } from "./lib/redact.ts";
export {
  base64,
  type Displayable,
  displayable,
  escapeHtml,
  htmlDisplay,
  JUPYTER_DISPLAY,
  type MimeBundle,
  pngDisplay,
  type TableData,
  tableDisplay,
  tableHtml,
} from "./lib/displayable.ts";
export { Chart, type ChartOptions, renderChart } from "./lib/chart.ts";
export {
  annotateDetections,
  type AnnotateDetectionsOptions,
  type AnnotatedImage,
  annotateMotion,
  type AnnotateMotionOptions,
  annotateStrip,
  type AnnotateStripOptions,
  classColor,
  type MotionOverlay,
  type StripTile,
} from "./lib/annotate.ts";
export {
  checkEnvironment,
  type CheckEnvironmentOptions,
  type CheckResult,
  EnvironmentReport,
} from "./lib/environment_check.ts";
export {
  type ClipFile,
  type ClipSidecar,
  listClips,
  type ListClipsOptions,
  readClipSidecar,
} from "./lib/clip_files.ts";
export {
  type GrabbedFrame,
  grabFrame,
  type GrabFrameOptions,
  type MotionPreview,
  type MotionSample,
  previewMotion,
  type PreviewMotionOptions,
} from "./lib/camera_preview.ts";
export {
  clipsPerCamera,
  clipsPerClass,
  clipsPerHour,
  type ClipsPerHourOptions,
  clipsWith,
  type ClipsWithOptions,
  type DayInput,
  type FailureCountOptions,
  failureCounts,
  failures,
  localDayRange,
  type LocalHour,
  localHours,
  type LogSource,
  processingSummary,
  processingTimes,
  type ScoreOptions,
  type TimeInput,
  type TimeRangeOptions,
} from "./lib/log_analysis.ts";
export {
  ClipTimeline,
  clipTimeline,
  type ClipTimelineOptions,
  type TimelineFrame,
  type TimelineRow,
} from "./lib/clip_timeline.ts";
export {
  clipBox,
  type ClipExport,
  type DatasetClip,
  DatasetError,
  type DatasetItem,
  datasetItemName,
  type DatasetSplit,
  datasetSplit,
  type ExportProgress,
  exportYoloDataset,
  type ExportYoloDatasetOptions,
  formatDataYaml,
  formatYoloLabels,
  type FrameContext,
  type FrameFilter,
  hasClass,
  lowConfidence,
  type LowConfidenceOptions,
  parseYoloLabels,
  type PixelBox,
  readYoloLabels,
  sampleItems,
  type SkippedClip,
  type YoloDatasetSummary,
  type YoloLabel,
} from "./lib/yolo_dataset.ts";
export { QueueOverview, queueOverview, type QueueSnapshot } from "./lib/queue_overview.ts";
export { ProbeResult, ProbeTimeoutError, sendTestTask, type SendTestTaskOptions } from "./lib/queue_probe.ts";
export {
  ensureDenoKernel,
  JupyterError,
  JupyterServer,
  type JupyterServerOptions,
} from "./lib/jupyter_server.ts";
export {
  joinSource,
  missingOutputs,
  type Notebook,
  type NotebookCell,
  type NotebookOutput,
  type NotebookRun,
  runNotebook,
  type RunNotebookOptions,
} from "./lib/notebook_run.ts";
export { CamwatchError, ConfigError, MediaError, ModelError } from "./lib/errors.ts";
