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
 * Boxes come from the detector (`analyzer`), or, with `boxes: "stored"`, from the detections the
 * worker stored beside each clip (`<stem>.detections.csv`, the confirmed objects' boxes: no
 * inference, the analyzer only names the classes).
 *
 * Frames are chosen by a sample rate and a filter over their detections (frame_filters.ts);
 * clips are split between train and val by a stable hash of their path, and their frames
 * named, as dataset_split.ts does; labels and data.yaml are written as yolo_format.ts does.
 *
 * @example
 * ```ts
 * import { YoloAnalyzer } from "../yolo/yolo_analyzer.ts";
 * import { lowConfidence } from "./frame_filters.ts";
 * import { exportYoloDataset } from "./yolo_dataset_export.ts";
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

import { join, resolve } from "node:path";
import sharp from "sharp";
import { resolveClipPath, TaskError } from "../queue/clip_task.ts";
import { MediaError } from "../errors.ts";
import { readVideoFrames, type VideoFrame } from "../media/video_frames.ts";
import type { Detection, ImageDetections, YoloAnalyzer } from "../yolo/yolo_analyzer.ts";
import {
  checkValFraction,
  type DatasetClip,
  type DatasetSplit,
  datasetSplit,
  planClips,
  plannedItemName,
} from "./dataset_split.ts";
import type { FrameFilter } from "./frame_filters.ts";
import { clipBox, DatasetError, formatDataYaml, formatYoloLabels, readDataYamlNames } from "./yolo_format.ts";
import { readStoredDetections } from "./stored_detections.ts";

/**
 * How far an export has got, for a progress bar.
 *
 * @example
 * ```ts
 * import type { ExportProgress } from "./yolo_dataset_export.ts";
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
 * import type { ExportYoloDatasetOptions } from "./yolo_dataset_export.ts";
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
   * Where the boxes come from: `"detector"` runs `analyzer` on every sampled frame; `"stored"` reads the
   * boxes of the confirmed objects the worker stored beside each clip (`<stem>.detections.csv`), with no
   * inference. With `"stored"`, give the worker's rate (`SAMPLE_FPS`, the log line's `sample_fps`) or a
   * divisor of it, so that the frames are analysed ones; a frame without stored rows has no box, and a clip
   * without the CSV (evidence off) is skipped.
   * @default "detector"
   */
  boxes?: "detector" | "stored";
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
 * import type { DatasetItem } from "./yolo_dataset_export.ts";
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
 * import type { ClipExport } from "./yolo_dataset_export.ts";
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
 * import type { SkippedClip } from "./yolo_dataset_export.ts";
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
 * import type { YoloDatasetSummary } from "./yolo_dataset_export.ts";
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

const SPLITS: readonly DatasetSplit[] = ["train", "val"];

/**
 * Exports chosen frames of chosen clips as a YOLO dataset in `outDir`, labelled by `analyzer`
 * (which the caller keeps and closes). Each clip is decoded once at `sampleFps`; a frame is
 * written when it passes the filter and has a kept box (or `background` is set), as a JPEG
 * of the full frame plus its label file. A clip that cannot be read (missing, corrupt,
 * truncated, outside the video folder) is skipped, its images removed again, and reported
 * in `skipped`; the others are exported. Throws {@linkcode DatasetError} when `outDir` is not
 * empty and `mode` is `"create"`, `RangeError` for a bad option.
 *
 * @param clips log lines or paths relative to `videoDir`; a clip named twice is exported once
 * @returns what was written: images per split, boxes per class, each clip's frames and images, and the clips
 *   skipped with why
 * @throws {RangeError} when `sampleFps`, `maxFrames`, `maxFramesPerClip`, `valFraction`, `quality` or `mode`
 *   is invalid, or `classes` names a class the model does not have
 * @throws {DatasetError} when `outDir` cannot be read, is not empty with mode `"create"`, or (with
 *   `"append"`) holds a dataset of other class names
 * @throws {DOMException} the signal's reason when it aborts; the images of the clip in progress are removed
 *   first
 *
 * @example
 * ```ts
 * import { DetectionLog } from "../queue/detection_log.ts";
 * import { YoloAnalyzer } from "../yolo/yolo_analyzer.ts";
 * import { sampleItems } from "./frame_filters.ts";
 * import { exportYoloDataset } from "./yolo_dataset_export.ts";
 * await using analyzer = await YoloAnalyzer.create();
 * const lines = (await new DetectionLog("video/detections.d").tail(20)).filter((l) => l.ok);
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
  checkValFraction(valFraction);
  if (!(Number.isInteger(quality) && quality >= 1 && quality <= 100)) {
    throw new RangeError(`quality must be an integer from 1 to 100, got ${quality}`);
  }
  if (!["create", "overwrite", "append"].includes(mode)) {
    throw new RangeError(`mode must be "create", "overwrite" or "append", got ${JSON.stringify(mode)}`);
  }
  const { boxes: source = "detector" } = options;
  if (source !== "detector" && source !== "stored") {
    throw new RangeError(`boxes must be "detector" or "stored", got ${JSON.stringify(source)}`);
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
      const found = source === "stored"
        ? storedFrames(path, clip.given, names, sampleFps, signal)
        : detectFrames(analyzer, path, sampleFps, signal);
      for await (const { frame, result } of found) {
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
        const name = plannedItemName(clip, frame.time);
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

/** The clip's sampled frames with the confirmed boxes stored beside it for their times (no inference). */
async function* storedFrames(
  path: string,
  given: string,
  names: readonly string[],
  sampleFps: number | "all",
  signal: AbortSignal | undefined,
): AsyncGenerator<{ frame: VideoFrame; result: ImageDetections }> {
  const stored = await readStoredDetections(path).catch((cause) => {
    throw new MediaError(`${given}: its detections CSV cannot be read: ${(cause as Error).message}`, {
      cause,
    });
  });
  if (!stored) {
    throw new MediaError(`${given}: no stored detections beside it (the worker's EVIDENCE was off?)`);
  }
  const confirmed = stored.filter((d) => d.confirmed);
  for (const d of confirmed) {
    if (!names.includes(d.label)) {
      throw new MediaError(`${given}: stored class ${JSON.stringify(d.label)} is not one of the model's`);
    }
  }
  for await (const frame of readVideoFrames(path, { sampleFps, signal })) {
    const detections = confirmed.filter((d) => Math.abs(d.time - frame.time) < 1e-3).map((d) => ({
      label: d.label,
      classId: names.indexOf(d.label),
      score: d.score,
      box: d.box as [number, number, number, number],
    }));
    yield { frame, result: { width: frame.width, height: frame.height, detections, inferenceMs: 0 } };
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
    await removePaths([join(out, "images", other, `${name}.jpg`), join(out, "labels", other, `${name}.txt`)]);
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
  await removePaths(items.flatMap((item) => [item.image, item.label]));
}

/** Removes files or whole folders; one already gone is no error. */
async function removePaths(paths: readonly string[]): Promise<void> {
  for (const path of paths) {
    await Deno.remove(path, { recursive: true }).catch((e) => {
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
    await removePaths(["images", "labels", "data.yaml"].map((entry) => join(out, entry)));
    return;
  }
  if (entries.includes("data.yaml")) {
    const existing = await readDataYamlNames(join(out, "data.yaml"));
    if (existing && (existing.length !== names.length || existing.some((n, i) => n !== names[i]))) {
      throw new DatasetError(
        `${out} holds a dataset of other classes (${existing.length} names, ${existing.slice(0, 3)}…) ` +
          `than the model's (${names.length}, ${names.slice(0, 3)}…); appending would mix class ids`,
      );
    }
  }
}

function classIdOf(c: string | number, names: readonly string[]): number {
  const id = typeof c === "number" ? c : names.indexOf(c);
  if (!(Number.isInteger(id) && id >= 0 && id < names.length)) {
    throw new RangeError(`unknown class ${JSON.stringify(c)}; the model knows ${names.length} classes`);
  }
  return id;
}

function checkLimit(name: string, value: number): void {
  if (!(value === Infinity || (Number.isInteger(value) && value > 0))) {
    throw new RangeError(`${name} must be a positive integer or Infinity, got ${value}`);
  }
}
