/**
 * Notebook helpers: what the Deno Jupyter notebooks use to look at cameras, the queue and the
 * log. Rich display ({@linkcode tableDisplay}, {@linkcode renderChart}, PNG images), boxes and
 * masks drawn on frames ({@linkcode annotateDetections}), a check of the set-up
 * ({@linkcode checkEnvironment}), camera previews ({@linkcode grabFrame},
 * {@linkcode previewMotion}), the queue at a glance ({@linkcode checkQueue},
 * {@linkcode queueOverview}, {@linkcode tryTestTask}), the log as nodejs-polars DataFrames (the lines themselves with
 * {@linkcode logDataFrame} and {@linkcode objectsDataFrame}, analyses such as
 * {@linkcode clipsPerHour} over local days and hours), one clip frame by frame
 * ({@linkcode clipTimeline}, or {@linkcode storedClipTimeline} from the boxes the worker stored) and a
 * YOLO training set from recorded clips ({@linkcode exportYoloDataset}). Objects rather than clips:
 * {@linkcode tracksDataFrame} (one row per tracked object), {@linkcode objectsPerHour},
 * {@linkcode dwellTimes}, {@linkcode objectHeatmap} over the camera's view, {@linkcode zoneEntries},
 * {@linkcode movingVsParked} and the snapshots ({@linkcode findSnapshots}, {@linkcode snapshotGallery}).
 *
 * This surface loads Observable Plot, linkedom, nodejs-polars and yaml; the pipeline
 * (`mod.ts`) loads none of them; nodejs-polars only once an analysis runs.
 *
 * Times: the analyses' Datetime columns hold UTC instants; local days, hours and labels are
 * those of the `timeZone` option (the process's zone by default), and a DST day has 23 or 25
 * hours. Sizes are in pixels, except motion boxes, which are fractions of the frame (0..1).
 *
 * Errors: options that cannot be used throw `RangeError` or `TypeError` (the log analyses
 * before they read the log); a clip, image or camera that cannot be read throws `MediaError`,
 * and a dataset that cannot be read or written as asked `DatasetError`. A missing log is an
 * empty one. What a notebook should report rather than fail on is reported:
 * {@linkcode checkEnvironment} never throws, and {@linkcode checkQueue} and
 * {@linkcode tryTestTask} say when there is no Redis or no live worker.
 *
 * @example Clips per hour of today, as a chart in a notebook cell
 * ```ts
 * import * as Plot from "@observablehq/plot";
 * import { clipsPerHour, renderChart } from "./mod.ts";
 *
 * const perHour = await clipsPerHour("video/detections.d", { day: new Date() });
 * const chart = renderChart({
 *   title: "Clips per hour, today",
 *   x: { type: "time", label: null },
 *   // Against `hour`, the instant the local hour starts: `hour_label` repeats when the clocks go back.
 *   marks: [
 *     Plot.rectY(perHour.toRecords(), { x1: "hour", x2: (d) => new Date(+d.hour + 3_600_000), y: "clips" }),
 *   ],
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
  storedClipTimeline,
  type StoredClipTimelineOptions,
  type TimelineFrame,
  type TimelineRow,
} from "./clip_timeline.ts";
export { type TrackRecord, trackRecords, tracksDataFrame } from "./tracks_data_frame.ts";
export { objectsPerHour } from "./objects_per_hour.ts";
export { dwellTimes } from "./dwell_times.ts";
export { movingVsParked } from "./moving_parked.ts";
export { zoneEntries } from "./zone_entries.ts";
export {
  objectHeatmap,
  type ObjectHeatmapOptions,
  type ObjectPosition,
  objectPositions,
  type ObjectPositionsOptions,
} from "./object_heatmap.ts";
export {
  evidencePaths,
  parseStoredDetections,
  readStoredDetections,
  type StoredDetection,
} from "./stored_detections.ts";
export {
  findSnapshots,
  type FindSnapshotsOptions,
  type Snapshot,
  snapshotGallery,
} from "./snapshot_gallery.ts";
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
