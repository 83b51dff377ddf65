/**
 * Notebook helpers: what the Deno Jupyter notebooks use to look at cameras, the queue and the
 * log. Rich display ({@linkcode tableDisplay}, {@linkcode renderChart}, PNG images), boxes and
 * masks drawn on frames ({@linkcode annotateDetections}), a check of the set-up
 * ({@linkcode checkEnvironment}), camera previews ({@linkcode grabFrame},
 * {@linkcode previewMotion}), the queue at a glance ({@linkcode checkQueue},
 * {@linkcode queueOverview}, {@linkcode tryTestTask}), the log as nodejs-polars DataFrames (the lines themselves with
 * {@linkcode logDataFrame} and {@linkcode objectsDataFrame}, analyses such as
 * {@linkcode clipsPerHour} over local days and hours), one clip frame by frame
 * ({@linkcode clipTimeline}) and a YOLO training set from recorded clips
 * ({@linkcode exportYoloDataset}).
 *
 * This surface loads Observable Plot, linkedom, nodejs-polars and yaml; the pipeline
 * (`mod.ts`) loads none of them.
 *
 * @example Clips per hour of today, as a chart in a notebook cell
 * ```ts
 * import * as Plot from "@observablehq/plot";
 * import { clipsPerHour, renderChart } from "./mod.ts";
 *
 * const perHour = await clipsPerHour("video/detections_log.jsonl", { day: new Date() });
 * const chart = renderChart({
 *   title: "Clips per hour, today",
 *   marks: [Plot.barY(perHour.toRecords(), { x: "hour_label", y: "clips" })],
 * });
 * await Deno.jupyter.display(chart);
 * ```
 *
 * @module
 */

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
} from "./displayable.ts";
export { Chart, type ChartOptions, renderChart } from "./chart.ts";
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
} from "./annotate.ts";
export {
  checkEnvironment,
  type CheckEnvironmentOptions,
  type CheckResult,
  EnvironmentReport,
} from "./environment_check.ts";
export {
  type GrabbedFrame,
  grabFrame,
  type GrabFrameOptions,
  type MotionPreview,
  type MotionSample,
  previewMotion,
  type PreviewMotionOptions,
} from "./camera_preview.ts";
export {
  type DayInput,
  localDayRange,
  type LocalHour,
  localHours,
  type TimeInput,
  type TimeRangeOptions,
} from "./local_time.ts";
export { type LogSource, type ScoreOptions } from "./log_source.ts";
export { logDataFrame, objectsDataFrame } from "./log_data_frame.ts";
export { clipsPerHour, type ClipsPerHourOptions } from "./clips_per_hour.ts";
export { clipsPerCamera, clipsPerClass } from "./clip_counts.ts";
export { clipsWith, type ClipsWithOptions } from "./clips_with.ts";
export { processingSummary, processingTimes } from "./processing_times.ts";
export { type FailureCountOptions, failureCounts, failures } from "./failures.ts";
export {
  ClipTimeline,
  clipTimeline,
  type ClipTimelineOptions,
  type TimelineFrame,
  type TimelineRow,
} from "./clip_timeline.ts";
export {
  clipBox,
  DatasetError,
  formatDataYaml,
  formatYoloLabels,
  parseYoloLabels,
  type PixelBox,
  readYoloLabels,
  type YoloLabel,
} from "./yolo_format.ts";
export { type DatasetClip, datasetItemName, type DatasetSplit, datasetSplit } from "./dataset_split.ts";
export {
  type FrameContext,
  type FrameFilter,
  hasClass,
  lowConfidence,
  type LowConfidenceOptions,
  sampleItems,
} from "./frame_filters.ts";
export {
  type ClipExport,
  type DatasetItem,
  type ExportProgress,
  exportYoloDataset,
  type ExportYoloDatasetOptions,
  type SkippedClip,
  type YoloDatasetSummary,
} from "./yolo_dataset_export.ts";
export {
  checkQueue,
  type CheckQueueOptions,
  QueueOverview,
  queueOverview,
  type QueueSnapshot,
  type QueueState,
  QueueStatus,
  type QueueStatusInit,
} from "./queue_overview.ts";
export {
  ProbeResult,
  ProbeSkipped,
  ProbeTimeoutError,
  sendTestTask,
  type SendTestTaskOptions,
  tryTestTask,
} from "./queue_probe.ts";
