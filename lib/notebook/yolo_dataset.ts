/**
 * Exports chosen frames of chosen clips as an Ultralytics YOLO detection dataset, pre-labelled
 * by the detector, for a labelling tool (CVAT, Label Studio, …) or for fine-tuning with
 * `yolo train data=<out>/data.yaml`:
 *
 * ```
 * <out>/data.yaml                 path (absolute), train, val, names (id → name, all the model's)
 * <out>/images/{train,val}/<name>.jpg
 * <out>/labels/{train,val}/<name>.txt   one line per box: class_id cx cy w h, normalised 0..1
 * ```
 *
 * Frames are chosen by a sample rate and a filter over their detections; clips are split
 * between train and val by a stable hash of their path, so that the frames of one clip never
 * land on both sides (neighbouring frames are near duplicates: a split by frame would leak).
 *
 * @example
 * ```ts
 * import { YoloAnalyzer } from "../yolo/yolo_analyzer.ts";
 * import { exportYoloDataset, lowConfidence } from "./yolo_dataset.ts";
 * await using analyzer = await YoloAnalyzer.create();
 * const summary = await exportYoloDataset(analyzer, ["front/20260223-144657.mp4"], "dataset", {
 *   videoDir: "video",
 *   classes: ["person"],
 *   filter: lowConfidence({ min: 0.25, max: 0.5 }),
 * });
 * console.log(summary.images, summary.boxes, summary.skipped);
 * ```
 *
 * @module
 */

import { basename, dirname, extname, join, normalize, resolve } from "node:path";
import sharp from "sharp";
import YAML from "yaml";
import { resolveClipPath, TaskError } from "../queue/clip_task.ts";
import { CamwatchError, MediaError } from "../errors.ts";
import { readVideoFrames, type VideoFrame } from "../media/video_frames.ts";
import type { Detection, ImageDetections, YoloAnalyzer } from "../yolo/yolo_analyzer.ts";

/**
 * A dataset that cannot be written or read as asked: an output folder that is not empty (or
 * holds a dataset of other classes), or a label file that is not in the YOLO format.
 *
 * @example
 * ```ts
 * import { DatasetError } from "./yolo_dataset.ts";
 * const err = new DatasetError("dataset is not empty", { cause: new Error("found data.yaml") });
 * console.log(err.name, err.cause); // "DatasetError" Error: found data.yaml
 * ```
 */
export class DatasetError extends CamwatchError {}

/**
 * Which side of the dataset an image belongs to.
 *
 * @example
 * ```ts
 * import type { DatasetSplit } from "./yolo_dataset.ts";
 * const split: DatasetSplit = "val";
 * ```
 */
export type DatasetSplit = "train" | "val";

/**
 * A box `[x1, y1, x2, y2]` in image pixels.
 *
 * @example
 * ```ts
 * import type { PixelBox } from "./yolo_dataset.ts";
 * const box: PixelBox = [10, 20, 110, 220];
 * ```
 */
export type PixelBox = readonly [number, number, number, number];

/**
 * One line of a YOLO label file, back in pixels.
 *
 * @example
 * ```ts
 * import type { YoloLabel } from "./yolo_dataset.ts";
 * const label: YoloLabel = { classId: 0, box: [10, 20, 110, 220] };
 * ```
 */
export interface YoloLabel {
  /** class id, an index into data.yaml's `names` */
  readonly classId: number;
  /** `[x1, y1, x2, y2]` in image pixels */
  readonly box: PixelBox;
}

/**
 * A clip to export: a path relative to the video folder, or a detection-log line (its
 * `filename`, and its `camera` for the image names).
 *
 * @example
 * ```ts
 * import type { DatasetClip } from "./yolo_dataset.ts";
 * const clips: DatasetClip[] = ["front/20260223-144657.mp4", { filename: "back/x.mp4", camera: "back" }];
 * ```
 */
export type DatasetClip = string | { readonly filename: string; readonly camera?: string };

/**
 * Where a frame comes from, as a {@linkcode FrameFilter} sees it.
 *
 * @example
 * ```ts
 * import type { FrameContext } from "./yolo_dataset.ts";
 * const late = (frame: FrameContext) => frame.time >= 10;
 * ```
 */
export interface FrameContext {
  /** the clip, relative to the video folder, with `/` separators */
  readonly clip: string;
  /** seconds from the start of the clip */
  readonly time: number;
  /** position among the clip's sampled frames */
  readonly index: number;
  /** frame width in pixels */
  readonly width: number;
  /** frame height in pixels */
  readonly height: number;
}

/**
 * Chooses frames: gets the frame's detections (already narrowed to the `classes` option and
 * clipped to the image) and says whether to export it.
 *
 * @example
 * ```ts
 * import type { FrameFilter } from "./yolo_dataset.ts";
 * const crowded: FrameFilter = (detections) => detections.length >= 5;
 * ```
 */
export type FrameFilter = (detections: readonly Detection[], frame: FrameContext) => boolean;

/**
 * How far an export has got, for a progress bar.
 *
 * @example
 * ```ts
 * import type { ExportProgress } from "./yolo_dataset.ts";
 * const show = (p: ExportProgress) => console.log(`${p.done}/${p.total} clips, ${p.images} images`);
 * ```
 */
export interface ExportProgress {
  /** the clip just finished (exported or skipped) */
  readonly clip: string;
  /** clips finished so far */
  readonly done: number;
  /** clips to do in all */
  readonly total: number;
  /** images written so far */
  readonly images: number;
}

/**
 * Options of {@linkcode exportYoloDataset}.
 *
 * @example
 * ```ts
 * import type { ExportYoloDatasetOptions } from "./yolo_dataset.ts";
 * const options: ExportYoloDatasetOptions = { videoDir: "video", sampleFps: 2, maxFramesPerClip: 10 };
 * ```
 */
export interface ExportYoloDatasetOptions {
  /**
   * Folder the clip paths are relative to; clips that lead outside it are skipped.
   * @default "." (the working directory)
   */
  videoDir?: string;
  /**
   * Frames per second to consider, picked by their real timestamps; `"all"` for every frame.
   * @default 1
   */
  sampleFps?: number | "all";
  /**
   * Keep only boxes of these classes (names or ids); other boxes are left out of the labels,
   * so the frames chosen are those with one of these classes ("every frame with a person").
   * @default every class the analyzer reports
   */
  classes?: readonly (string | number)[];
  /**
   * Further choice of frames over their (kept) detections, e.g. {@linkcode lowConfidence}.
   * @default every frame
   */
  filter?: FrameFilter;
  /**
   * Also export chosen frames that have no kept box, with an empty label file (background
   * images teach the model what is not an object).
   * @default false
   */
  background?: boolean;
  /**
   * Most images written in all; the export stops there.
   * @default Infinity
   */
  maxFrames?: number;
  /**
   * Most images written from one clip (its first chosen frames).
   * @default Infinity
   */
  maxFramesPerClip?: number;
  /**
   * Share of the clips that go to val, chosen by a hash of each clip's path.
   * @default 0.2
   */
  valFraction?: number;
  /**
   * Mixed into the split hash: another seed draws another split.
   * @default ""
   */
  splitSeed?: string;
  /**
   * What to do with an output folder that is not empty: `"create"` refuses it, `"overwrite"`
   * deletes its `images/`, `labels/` and `data.yaml` first (and nothing else), `"append"` adds
   * to the dataset there (which must have the same class names).
   * @default "create"
   */
  mode?: "create" | "overwrite" | "append";
  /**
   * JPEG quality, 1..100.
   * @default 95
   */
  quality?: number;
  /**
   * Stops the export (the clip in progress is removed again) when aborted.
   * @default none
   */
  signal?: AbortSignal;
  /**
   * Called after each clip.
   * @default none
   */
  onProgress?: (progress: ExportProgress) => void;
}

/**
 * One exported image: where it went and the boxes in its label file (in pixels), enough to
 * show it with its boxes.
 *
 * @example
 * ```ts
 * import type { DatasetItem } from "./yolo_dataset.ts";
 * const describe = (item: DatasetItem) => `${item.image}: ${item.detections.length} boxes`;
 * ```
 */
export interface DatasetItem {
  /** file name without extension, shared by the image and its label file */
  readonly name: string;
  /** side of the split */
  readonly split: DatasetSplit;
  /** the clip, relative to the video folder, with `/` separators */
  readonly clip: string;
  /** seconds from the start of the clip */
  readonly time: number;
  /** absolute path of the JPEG */
  readonly image: string;
  /** absolute path of the label file */
  readonly label: string;
  /** image width in pixels */
  readonly width: number;
  /** image height in pixels */
  readonly height: number;
  /** the boxes written to the label file, clipped to the image, in pixels */
  readonly detections: readonly Detection[];
}

/**
 * What happened to one clip that was read.
 *
 * @example
 * ```ts
 * import type { ClipExport } from "./yolo_dataset.ts";
 * const line = (c: ClipExport) => `${c.clip} → ${c.split}: ${c.images}/${c.frames}`;
 * ```
 */
export interface ClipExport {
  /** the clip, relative to the video folder */
  readonly clip: string;
  /** side of the split its images went to */
  readonly split: DatasetSplit;
  /** sampled frames looked at */
  readonly frames: number;
  /** images written */
  readonly images: number;
}

/**
 * A clip left out, and why.
 *
 * @example
 * ```ts
 * import type { SkippedClip } from "./yolo_dataset.ts";
 * const line = (s: SkippedClip) => `${s.clip}: ${s.error}`;
 * ```
 */
export interface SkippedClip {
  /** the clip as given */
  readonly clip: string;
  /** why, in words */
  readonly error: string;
  /** the underlying error */
  readonly cause: unknown;
}

/**
 * The result of {@linkcode exportYoloDataset}; counts are of this run (an append adds to what
 * was there).
 *
 * @example
 * ```ts
 * import type { YoloDatasetSummary } from "./yolo_dataset.ts";
 * const report = (s: YoloDatasetSummary) => `${s.images.train} train, ${s.images.val} val in ${s.outDir}`;
 * ```
 */
export interface YoloDatasetSummary {
  /** absolute path of the dataset folder */
  readonly outDir: string;
  /** absolute path of its data.yaml */
  readonly dataYaml: string;
  /** images written, per split */
  readonly images: Record<DatasetSplit, number>;
  /** boxes written, per class name */
  readonly boxes: Record<string, number>;
  /** the clips read, in order */
  readonly clips: ClipExport[];
  /** the clips left out (unreadable, missing, outside the video folder) */
  readonly skipped: SkippedClip[];
  /** every image written, by clip then time */
  readonly items: DatasetItem[];
  /** wall-clock time of the export in milliseconds */
  readonly elapsedMs: number;
}

/**
 * Options of {@linkcode lowConfidence}.
 *
 * @example
 * ```ts
 * import type { LowConfidenceOptions } from "./yolo_dataset.ts";
 * const band: LowConfidenceOptions = { min: 0.3, max: 0.6 };
 * ```
 */
export interface LowConfidenceOptions {
  /**
   * Lowest score in the band (included).
   * @default 0.25
   */
  min?: number;
  /**
   * Score above the band (excluded).
   * @default 0.5
   */
  max?: number;
}

const SPLITS: readonly DatasetSplit[] = ["train", "val"];

/**
 * A box clipped to a `width` × `height` image, or `undefined` when nothing of it is left
 * inside (or it is not a finite box).
 *
 * @example
 * ```ts
 * import { clipBox } from "./yolo_dataset.ts";
 * console.log(clipBox([-5, 10, 50, 120], 100, 100)); // [0, 10, 50, 100]
 * console.log(clipBox([120, 10, 150, 20], 100, 100)); // undefined
 * ```
 */
export function clipBox(box: PixelBox, width: number, height: number): PixelBox | undefined {
  checkSize(width, height);
  const x1 = Math.max(0, box[0]), y1 = Math.max(0, box[1]);
  const x2 = Math.min(width, box[2]), y2 = Math.min(height, box[3]);
  // `>` is false for NaN, so a box with a NaN corner is dropped too.
  return x2 > x1 && y2 > y1 ? [x1, y1, x2, y2] : undefined;
}

/**
 * The text of a YOLO label file: one `class_id cx cy w h` line per box, normalised to the
 * image size with 6 decimals, boxes clipped to the image (those left empty dropped).
 *
 * @example
 * ```ts
 * import { formatYoloLabels } from "./yolo_dataset.ts";
 * console.log(formatYoloLabels([{ classId: 0, box: [0, 0, 384, 288] }], 768, 576));
 * // "0 0.250000 0.250000 0.500000 0.500000\n"
 * ```
 */
export function formatYoloLabels(
  boxes: readonly { readonly classId: number; readonly box: PixelBox }[],
  width: number,
  height: number,
): string {
  let text = "";
  for (const { classId, box } of boxes) {
    if (!(Number.isInteger(classId) && classId >= 0)) {
      throw new RangeError(`class id must be a non-negative integer, got ${classId}`);
    }
    const clipped = clipBox(box, width, height);
    if (!clipped) continue;
    const [x1, y1, x2, y2] = clipped;
    const values = [(x1 + x2) / 2 / width, (y1 + y2) / 2 / height, (x2 - x1) / width, (y2 - y1) / height];
    text += `${classId} ${values.map((v) => v.toFixed(6)).join(" ")}\n`;
  }
  return text;
}

/**
 * Reads the text of a YOLO detection label file back to pixel boxes for a `width` × `height`
 * image. Blank lines are ignored; a line that is not `class_id cx cy w h` (five numbers, an
 * integer class) throws {@linkcode DatasetError} naming the line.
 *
 * @example
 * ```ts
 * import { parseYoloLabels } from "./yolo_dataset.ts";
 * console.log(parseYoloLabels("0 0.25 0.25 0.5 0.5\n", 768, 576));
 * // [{ classId: 0, box: [0, 0, 384, 288] }]
 * ```
 */
export function parseYoloLabels(text: string, width: number, height: number): YoloLabel[] {
  checkSize(width, height);
  const labels: YoloLabel[] = [];
  for (const [k, line] of text.split(/\r?\n/).entries()) {
    if (!line.trim()) continue;
    const fields = line.trim().split(/\s+/);
    const values = fields.map(Number);
    if (fields.length !== 5 || !values.every(Number.isFinite)) {
      throw new DatasetError(
        `label line ${k + 1} is not "class_id cx cy w h" (a detection label): ${JSON.stringify(line)}`,
      );
    }
    const [classId, cx, cy, w, h] = values;
    if (!(Number.isInteger(classId) && classId >= 0)) {
      throw new DatasetError(`label line ${k + 1} has a bad class id: ${JSON.stringify(line)}`);
    }
    labels.push({
      classId,
      box: [(cx - w / 2) * width, (cy - h / 2) * height, (cx + w / 2) * width, (cy + h / 2) * height],
    });
  }
  return labels;
}

/**
 * Reads a YOLO label file back to pixel boxes for a `width` × `height` image (see
 * {@linkcode parseYoloLabels}); a missing file means no boxes, as for YOLO itself.
 *
 * @example
 * ```ts
 * import { readYoloLabels } from "./yolo_dataset.ts";
 * const boxes = await readYoloLabels("dataset/labels/train/front_20260223-144657_001000.txt", 768, 576);
 * for (const { classId, box } of boxes) console.log(classId, box.map(Math.round));
 * ```
 */
export async function readYoloLabels(path: string, width: number, height: number): Promise<YoloLabel[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  try {
    return parseYoloLabels(text, width, height);
  } catch (cause) {
    if (cause instanceof DatasetError) throw new DatasetError(`${path}: ${cause.message}`, { cause });
    throw cause;
  }
}

/**
 * The side of the split a clip goes to: a stable hash (FNV-1a) of its path and the seed,
 * taken as a fraction of 2³², against `valFraction`. The same clip always gets the same side,
 * on any machine and in any run, whatever the other clips.
 *
 * @example
 * ```ts
 * import { datasetSplit } from "./yolo_dataset.ts";
 * console.log(datasetSplit("front/20260223-144657.mp4", 0.2)); // "train" or "val", always the same
 * console.log(datasetSplit("front/20260223-144657.mp4", 0)); // "train"
 * ```
 */
export function datasetSplit(clip: string, valFraction: number, seed = ""): DatasetSplit {
  checkFraction(valFraction);
  return fnv1a(seed + clipKey(clip)) / 2 ** 32 < valFraction ? "val" : "train";
}

/**
 * The file name (without extension) of a clip's frame: `<camera>_<clip stem>_<ms>`, where the
 * camera is the one given or else the clip's folder, and `<ms>` the frame's time in the clip,
 * zero-padded to 6 digits. Anything but letters, digits, `.`, `_` and `-` becomes `_`.
 *
 * @example
 * ```ts
 * import { datasetItemName } from "./yolo_dataset.ts";
 * console.log(datasetItemName("front/20260223-144657.mp4", 1.5)); // "front_20260223-144657_001500"
 * console.log(datasetItemName("x.mp4", 0.25, "porch cam")); // "porch_cam_x_000250"
 * ```
 */
export function datasetItemName(clip: string, time: number, camera?: string): string {
  if (!Number.isFinite(time)) throw new RangeError(`time must be a finite number, got ${time}`);
  return `${clipStem(clip, camera)}_${msOf(time)}`;
}

/**
 * The text of data.yaml: the dataset's absolute `path`, `train` and `val` image folders, and
 * `names` as a mapping from class id to name (all the model's classes, so ids stay its own).
 *
 * @example
 * ```ts
 * import { formatDataYaml } from "./yolo_dataset.ts";
 * console.log(formatDataYaml("/data/set", ["person", "bicycle"]));
 * // path: /data/set
 * // train: images/train
 * // val: images/val
 * // names:
 * //   0: person
 * //   1: bicycle
 * ```
 */
export function formatDataYaml(outDir: string, names: readonly string[]): string {
  // A Map keeps the ids as YAML integers (an object's keys would be quoted strings).
  return YAML.stringify({
    path: resolve(outDir),
    train: "images/train",
    val: "images/val",
    names: new Map(names.map((name, id) => [id, name])),
  });
}

/**
 * A filter keeping frames with at least one detection of one of these classes (names or ids).
 * The `classes` option of {@linkcode exportYoloDataset} does the same and also leaves the other
 * classes' boxes out; this keeps them.
 *
 * @example
 * ```ts
 * import { hasClass } from "./yolo_dataset.ts";
 * const filter = hasClass("person", "bicycle");
 * console.log(filter([{ label: "bicycle", classId: 1, score: 0.8, box: [0, 0, 9, 9] }], {
 *   clip: "a.mp4", time: 0, index: 0, width: 10, height: 10,
 * })); // true
 * ```
 */
export function hasClass(...classes: (string | number)[]): FrameFilter {
  if (classes.length === 0) throw new RangeError("hasClass needs at least one class");
  const wanted = new Set<string | number>(classes);
  return (detections) => detections.some((d) => wanted.has(d.label) || wanted.has(d.classId));
}

/**
 * A filter keeping frames where any detection scores in `[min, max)`: the doubtful ones, most
 * worth a human look when labelling.
 *
 * @example
 * ```ts
 * import { lowConfidence } from "./yolo_dataset.ts";
 * const filter = lowConfidence({ min: 0.25, max: 0.5 });
 * const frame = { clip: "a.mp4", time: 0, index: 0, width: 10, height: 10 };
 * console.log(filter([{ label: "person", classId: 0, score: 0.3, box: [0, 0, 9, 9] }], frame)); // true
 * console.log(filter([{ label: "person", classId: 0, score: 0.9, box: [0, 0, 9, 9] }], frame)); // false
 * ```
 */
export function lowConfidence(options: LowConfidenceOptions = {}): FrameFilter {
  const { min = 0.25, max = 0.5 } = options;
  if (!(min >= 0 && max <= 1 && min < max)) {
    throw new RangeError(`lowConfidence needs 0 <= min < max <= 1, got min ${min}, max ${max}`);
  }
  return (detections) => detections.some((d) => d.score >= min && d.score < max);
}

/**
 * Up to `count` items spread evenly over the list (so over the clips, in order), to show a
 * sample of an export.
 *
 * @example
 * ```ts
 * import { sampleItems } from "./yolo_dataset.ts";
 * console.log(sampleItems([1, 2, 3, 4, 5, 6], 3)); // [1, 3, 5]
 * ```
 */
export function sampleItems<T>(items: readonly T[], count: number): T[] {
  if (!(Number.isInteger(count) && count >= 0)) {
    throw new RangeError(`count must be a non-negative integer, got ${count}`);
  }
  if (items.length <= count) return [...items];
  return Array.from({ length: count }, (_, k) => items[Math.floor(k * items.length / count)]);
}

/**
 * Exports chosen frames of chosen clips as a YOLO dataset in `outDir`, labelled by `analyzer`
 * (which the caller keeps and closes). Each clip is decoded once at `sampleFps`; a frame is
 * written when it passes the filter and has a kept box (or `background` is set), as a JPEG
 * of the full frame plus its label file. A clip that cannot be read (missing, corrupt,
 * truncated, outside the video folder) is skipped, its images removed again, and reported
 * in `skipped`; the others are exported. Throws {@linkcode DatasetError} when `outDir` is not
 * empty and `mode` is `"create"`, `RangeError` for a bad option.
 *
 * @example
 * ```ts
 * import { DetectionLog } from "../queue/detection_log.ts";
 * import { YoloAnalyzer } from "../yolo/yolo_analyzer.ts";
 * import { exportYoloDataset, sampleItems } from "./yolo_dataset.ts";
 * await using analyzer = await YoloAnalyzer.create();
 * const lines = (await new DetectionLog("video/detections_log.jsonl").tail(20)).filter((l) => l.ok);
 * const summary = await exportYoloDataset(analyzer, lines, "datasets/people", {
 *   videoDir: "video",
 *   classes: ["person"],
 *   maxFramesPerClip: 5,
 *   mode: "overwrite",
 * });
 * for (const item of sampleItems(summary.items, 4)) console.log(item.image, item.detections.length);
 * ```
 */
export async function exportYoloDataset(
  analyzer: YoloAnalyzer,
  clips: readonly DatasetClip[],
  outDir: string,
  options: ExportYoloDatasetOptions = {},
): Promise<YoloDatasetSummary> {
  const started = performance.now();
  const {
    videoDir = ".",
    sampleFps = 1,
    filter,
    background = false,
    maxFrames = Infinity,
    maxFramesPerClip = Infinity,
    valFraction = 0.2,
    splitSeed = "",
    mode = "create",
    quality = 95,
    signal,
    onProgress,
  } = options;
  if (sampleFps !== "all" && !(sampleFps > 0 && Number.isFinite(sampleFps))) {
    throw new RangeError(`sampleFps must be a positive number or "all", got ${sampleFps}`);
  }
  checkLimit("maxFrames", maxFrames);
  checkLimit("maxFramesPerClip", maxFramesPerClip);
  checkFraction(valFraction);
  if (!(Number.isInteger(quality) && quality >= 1 && quality <= 100)) {
    throw new RangeError(`quality must be an integer from 1 to 100, got ${quality}`);
  }
  if (!["create", "overwrite", "append"].includes(mode)) {
    throw new RangeError(`mode must be "create", "overwrite" or "append", got ${JSON.stringify(mode)}`);
  }
  const names = analyzer.info.names;
  const classIds = options.classes && new Set(options.classes.map((c) => classIdOf(c, names)));
  signal?.throwIfAborted();

  const out = resolve(outDir);
  await prepareOutDir(out, mode, names);
  for (const dir of ["images", "labels"]) {
    for (const split of SPLITS) await Deno.mkdir(join(out, dir, split), { recursive: true });
  }
  const dataYaml = join(out, "data.yaml");
  await Deno.writeTextFile(dataYaml, formatDataYaml(out, names));

  const planned = planClips(clips);
  const items: DatasetItem[] = [];
  const clipExports: ClipExport[] = [];
  const skipped: SkippedClip[] = [];
  for (const [k, clip] of planned.entries()) {
    if (items.length >= maxFrames) break;
    signal?.throwIfAborted();
    const split = datasetSplit(clip.key, valFraction, splitSeed);
    const written: DatasetItem[] = [];
    let frames = 0;
    try {
      const path = await resolveClipPath(videoDir, clip.key).catch((cause) => {
        if (!(cause instanceof TaskError)) throw cause;
        throw new MediaError(`${clip.given}: outside the video folder ${videoDir}`, { cause });
      });
      const limit = Math.min(maxFramesPerClip, maxFrames - items.length);
      for await (const { frame, result } of detectFrames(analyzer, path, sampleFps, signal)) {
        frames++;
        const detections = keptDetections(result.detections, classIds, frame);
        const context = {
          clip: clip.key,
          time: frame.time,
          index: frame.index,
          width: frame.width,
          height: frame.height,
        };
        if (filter && !filter(detections, context)) continue;
        if (detections.length === 0 && !background) continue;
        const name = `${clip.stem}_${msOf(frame.time)}`;
        written.push(await writeItem(out, name, split, clip.key, frame, detections, quality, mode));
        if (written.length >= limit) break;
      }
    } catch (e) {
      // A clip goes in whole or not at all, so that a reported clip leaves nothing behind.
      await removeItems(written);
      if (!(e instanceof MediaError)) throw e;
      skipped.push({ clip: clip.given, error: e.message, cause: e });
      onProgress?.({ clip: clip.given, done: k + 1, total: planned.length, images: items.length });
      continue;
    }
    items.push(...written);
    clipExports.push({ clip: clip.key, split, frames, images: written.length });
    onProgress?.({ clip: clip.given, done: k + 1, total: planned.length, images: items.length });
  }

  const images: Record<DatasetSplit, number> = { train: 0, val: 0 };
  const boxes: Record<string, number> = {};
  for (const item of items) {
    images[item.split]++;
    for (const d of item.detections) boxes[d.label] = (boxes[d.label] ?? 0) + 1;
  }
  return {
    outDir: out,
    dataYaml,
    images,
    boxes,
    clips: clipExports,
    skipped,
    items,
    elapsedMs: Math.round(performance.now() - started),
  };
}

interface PlannedClip {
  /** as the caller gave it, for messages */
  readonly given: string;
  /** normalised relative path: the split key and the resolution input */
  readonly key: string;
  /** image name prefix, unique among the planned clips */
  readonly stem: string;
}

/** Normalises, de-duplicates and names the clips; stems shared by two clips get a hash each. */
function planClips(clips: readonly DatasetClip[]): PlannedClip[] {
  const seen = new Map<string, { given: string; key: string; stem: string }>();
  for (const clip of clips) {
    const given = typeof clip === "string" ? clip : clip.filename;
    if (typeof given !== "string" || given === "") {
      throw new TypeError(`a clip must be a path or have a filename, got ${JSON.stringify(clip)}`);
    }
    const key = clipKey(given);
    if (seen.has(key)) continue;
    const camera = typeof clip === "string" ? undefined : clip.camera;
    seen.set(key, { given, key, stem: clipStem(key, camera) });
  }
  const planned = [...seen.values()];
  const uses = new Map<string, number>();
  for (const p of planned) uses.set(p.stem, (uses.get(p.stem) ?? 0) + 1);
  // Every clip of a clash gets the suffix, so a clip's names do not depend on the list order.
  return planned.map((p) =>
    uses.get(p.stem)! > 1 ? { ...p, stem: `${p.stem}_${fnv1a(p.key).toString(16).padStart(8, "0")}` } : p
  );
}

/**
 * Decodes the clip's sampled frames and detects in each, one frame inferring while the next
 * decodes; stopping the iteration stops ffmpeg and waits for the inference in flight.
 */
async function* detectFrames(
  analyzer: YoloAnalyzer,
  path: string,
  sampleFps: number | "all",
  signal: AbortSignal | undefined,
): AsyncGenerator<{ frame: VideoFrame; result: ImageDetections }> {
  const inflight: Promise<{ frame: VideoFrame; result: ImageDetections }>[] = [];
  try {
    for await (const frame of readVideoFrames(path, { sampleFps, signal })) {
      const pending = analyzer.detect(frame).then((result) => ({ frame, result }));
      pending.catch(() => {}); // awaited below, in order
      inflight.push(pending);
      if (inflight.length >= 2) yield await inflight.shift()!;
    }
    while (inflight.length) yield await inflight.shift()!;
  } finally {
    // The caller may close the analyzer right after: leave no inference behind.
    await Promise.allSettled(inflight);
  }
}

function keptDetections(
  detections: readonly Detection[],
  classIds: ReadonlySet<number> | undefined,
  frame: VideoFrame,
): Detection[] {
  const kept: Detection[] = [];
  for (const d of detections) {
    if (classIds && !classIds.has(d.classId)) continue;
    const box = clipBox(d.box, frame.width, frame.height);
    if (box) kept.push({ ...d, box });
  }
  return kept;
}

async function writeItem(
  out: string,
  name: string,
  split: DatasetSplit,
  clip: string,
  frame: VideoFrame,
  detections: Detection[],
  quality: number,
  mode: string,
): Promise<DatasetItem> {
  const { width, height } = frame;
  if (mode === "append") {
    // A re-export under another split (a new valFraction or seed) must not leave the frame on both sides.
    const other = split === "train" ? "val" : "train";
    await removeFiles([join(out, "images", other, `${name}.jpg`), join(out, "labels", other, `${name}.txt`)]);
  }
  const item: DatasetItem = {
    name,
    split,
    clip,
    time: frame.time,
    image: join(out, "images", split, `${name}.jpg`),
    label: join(out, "labels", split, `${name}.txt`),
    width,
    height,
    detections,
  };
  await sharp(frame.data, { raw: { width, height, channels: 3 } }).jpeg({ quality }).toFile(item.image);
  await Deno.writeTextFile(item.label, formatYoloLabels(detections, width, height));
  return item;
}

async function removeItems(items: readonly DatasetItem[]): Promise<void> {
  await removeFiles(items.flatMap((item) => [item.image, item.label]));
}

async function removeFiles(paths: readonly string[]): Promise<void> {
  for (const path of paths) {
    await Deno.remove(path).catch((e) => {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    });
  }
}

/** Applies `mode` to an existing output folder; a missing one is created. */
async function prepareOutDir(out: string, mode: string, names: readonly string[]): Promise<void> {
  let entries: string[];
  try {
    entries = [];
    for await (const entry of Deno.readDir(out)) entries.push(entry.name);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      await Deno.mkdir(out, { recursive: true });
      return;
    }
    throw new DatasetError(`cannot use ${out} as the dataset folder: ${(e as Error).message}`, { cause: e });
  }
  if (entries.length === 0) return;
  if (mode === "create") {
    throw new DatasetError(
      `${out} is not empty (${entries.slice(0, 3).join(", ")}${entries.length > 3 ? ", …" : ""}); ` +
        `pass mode "overwrite" to replace the dataset there or "append" to add to it`,
    );
  }
  if (mode === "overwrite") {
    for (const entry of ["images", "labels", "data.yaml"]) {
      await Deno.remove(join(out, entry), { recursive: true }).catch((e) => {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      });
    }
    return;
  }
  if (entries.includes("data.yaml")) {
    const existing = await readNames(join(out, "data.yaml"));
    if (existing && (existing.length !== names.length || existing.some((n, i) => n !== names[i]))) {
      throw new DatasetError(
        `${out} holds a dataset of other classes (${existing.length} names, ${existing.slice(0, 3)}…) ` +
          `than the model's (${names.length}, ${names.slice(0, 3)}…); appending would mix class ids`,
      );
    }
  }
}

/** The class names of an existing data.yaml (a list or an id → name mapping), if it has any. */
async function readNames(path: string): Promise<string[] | undefined> {
  let parsed: unknown;
  try {
    parsed = YAML.parse(await Deno.readTextFile(path));
  } catch (cause) {
    throw new DatasetError(`${path} is not readable YAML: ${(cause as Error).message}`, { cause });
  }
  const names = (parsed as { names?: unknown } | null)?.names;
  if (Array.isArray(names)) return names.map(String);
  if (names && typeof names === "object") {
    const list: string[] = [];
    for (const [id, name] of Object.entries(names)) list[Number(id)] = String(name);
    return list;
  }
  return undefined;
}

function classIdOf(c: string | number, names: readonly string[]): number {
  const id = typeof c === "number" ? c : names.indexOf(c);
  if (!(Number.isInteger(id) && id >= 0 && id < names.length)) {
    throw new RangeError(`unknown class ${JSON.stringify(c)}; the model knows ${names.length} classes`);
  }
  return id;
}

/** A clip path with `/` separators and no `./` or doubled slashes, the same on every system. */
function clipKey(clip: string): string {
  return normalize(clip.replaceAll("\\", "/")).replace(/^\.\//, "");
}

function clipStem(clip: string, camera?: string): string {
  const key = clipKey(clip);
  const dir = dirname(key);
  const prefix = camera || (dir === "." || dir === "/" ? undefined : dir);
  const stem = basename(key, extname(key));
  return [prefix, stem].filter((p) => p !== undefined).map(safePart).join("_");
}

function safePart(text: string): string {
  // Leading dots would make hidden files; runs of anything unsafe collapse to one "_", and none
  // at the ends, so that the parts join with exactly one "_".
  const safe = text.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[._]+|_+$/g, "");
  return safe || "clip";
}

function msOf(time: number): string {
  return String(Math.max(0, Math.round(time * 1000))).padStart(6, "0");
}

/** FNV-1a, 32 bits, over the UTF-8 bytes: tiny, stable across runtimes, well spread. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function checkSize(width: number, height: number): void {
  if (!(width > 0 && height > 0 && Number.isFinite(width) && Number.isFinite(height))) {
    throw new RangeError(`image size must be positive, got ${width}x${height}`);
  }
}

function checkFraction(value: number): void {
  if (!(value >= 0 && value <= 1)) throw new RangeError(`valFraction must be between 0 and 1, got ${value}`);
}

function checkLimit(name: string, value: number): void {
  if (!(value === Infinity || (Number.isInteger(value) && value > 0))) {
    throw new RangeError(`${name} must be a positive integer or Infinity, got ${value}`);
  }
}
