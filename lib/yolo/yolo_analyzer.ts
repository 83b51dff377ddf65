/**
 * `YoloAnalyzer`: any Ultralytics YOLO detection export (ONNX) → detections on images and
 * videos, with Ultralytics' own preprocessing and NMS, inference in a worker thread.
 *
 * @module
 */

import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import {
  ClipTracks,
  type TrackedObjectStats,
  type TrackingOptions,
  type TrackSummary,
} from "./clip_tracks.ts";
import { MediaError, ModelError } from "../errors.ts";
import { decodeImage, type ImageInput } from "../media/image.ts";
import { probeMedia } from "../media/ffmpeg.ts";
import { MEDIA_LIMITS } from "../media/media_limits.ts";
import { readVideoFrames } from "../media/video_frames.ts";
import { decodeOutput } from "./decode_output.ts";
import { prepareInput } from "./input_tensor.ts";
import { type LetterboxPlan, unletterboxBox } from "./letterbox.ts";
import { nonMaxSuppression } from "./nms.ts";
import { readOnnxMetadata } from "./onnx_metadata.ts";
import { WorkerSession } from "./worker_session.ts";
import { describeYoloModel, type YoloModelInfo } from "./yolo_model.ts";

/**
 * The model shipped with the toolkit (YOLOv8n, int8), used when no model is given. Only a
 * local checkout has it: the published package leaves models out.
 *
 * @example
 * ```ts
 * import { DEFAULT_MODEL_URL } from "./yolo_analyzer.ts";
 * console.log(DEFAULT_MODEL_URL.pathname.endsWith("models/yolov8n_int8.onnx")); // true
 * ```
 */
export const DEFAULT_MODEL_URL: URL = new URL("../../models/yolov8n_int8.onnx", import.meta.url);

/** Options of {@linkcode YoloAnalyzer.create}. */
export interface YoloAnalyzerOptions {
  /**
   * Path of an Ultralytics detection model exported to ONNX (`yolo export format=onnx`).
   * @default the bundled models/yolov8n_int8.onnx
   */
  model?: string;
  /**
   * Minimum class score of a detection.
   * @default 0.25
   */
  confidence?: number;
  /**
   * IoU above which overlapping boxes of one class are merged by NMS.
   * @default 0.7
   */
  iou?: number;
  /**
   * Most detections per image.
   * @default 300
   */
  maxDetections?: number;
  /**
   * Keep only these classes (names or ids).
   * @default all classes
   */
  classes?: readonly (string | number)[];
  /**
   * ONNX Runtime intra-op threads.
   * @default 1
   */
  threads?: number;
  /**
   * Class names for models exported without metadata.
   * @default the model's metadata
   */
  names?: readonly string[];
  /**
   * Input size for dynamic models, `[height, width]` or one number.
   * @default the model's fixed input shape, else its `imgsz` metadata, else 640
   */
  imgsz?: number | readonly [number, number];
}

/** One detected object. */
export interface Detection {
  /** class name */
  readonly label: string;
  /** class id, the index into the model's class names */
  readonly classId: number;
  /** confidence, 0..1 */
  readonly score: number;
  /** `[x1, y1, x2, y2]` in source-image pixels */
  readonly box: readonly [number, number, number, number];
}

/** Detections in one image. */
export interface ImageDetections {
  /** source image width in pixels */
  readonly width: number;
  /** source image height in pixels */
  readonly height: number;
  /** the objects found, above the confidence threshold */
  readonly detections: readonly Detection[];
  /** milliseconds spent in `session.run` */
  readonly inferenceMs: number;
}

/** A detection in a video frame, with the track that took it. */
export interface TrackedDetection extends Detection {
  /** the id of the track (the object) it belongs to; `undefined` for a weak detection no track took */
  readonly track: number | undefined;
}

/** Detections in one video frame. */
export interface FrameDetections extends ImageDetections {
  /** the objects found, above the confidence threshold and kept by the filters and masks, with their tracks */
  readonly detections: readonly TrackedDetection[];
  /** position among the analysed frames */
  readonly index: number;
  /** seconds from the start of the video */
  readonly time: number;
}

/** Options of {@linkcode YoloAnalyzer.analyzeVideo}. */
export interface AnalyzeVideoOptions {
  /**
   * Frames per second to analyse, picked by their real timestamps; `"all"` for every frame.
   * @default 2
   */
  sampleFps?: number | "all";
  /**
   * Stops decoding and analysis when aborted.
   * @default runs to the end of the video
   */
  signal?: AbortSignal;
  /**
   * Largest frame analysed, in pixels (width × height): a bigger video is refused from
   * ffprobe's figures before anything is decoded.
   * @default 40000000 (`MEDIA_LIMITS.maxFramePixels`)
   */
  maxFramePixels?: number;
  /**
   * Longest video analysed, in seconds: a video ffprobe says is longer is refused before
   * decoding (decoding also stops there, should the container understate it).
   * @default 3600 (`MEDIA_LIMITS.maxDurationSeconds`)
   */
  maxDurationSeconds?: number;
  /**
   * Longest ffprobe run, in ms.
   * @default 30000 (`MEDIA_LIMITS.probeTimeoutMs`)
   */
  probeTimeoutMs?: number;
  /**
   * Longest decoding of the video, in ms, analysis included.
   * @default 1800000 (`MEDIA_LIMITS.decodeTimeoutMs`)
   */
  decodeTimeoutMs?: number;
  /**
   * How objects are followed across frames, confirmed, filtered and placed in zones.
   * @default the defaults of `TRACKER_SETTINGS` and `CONFIRMATION_SETTINGS`, no filters, masks or zones
   */
  tracking?: TrackingOptions;
}

/** The summary of a video, with the log's field names (see docs/architecture.md, "Log line"). */
export interface VideoSummary {
  /** the video was analysed */
  readonly ok: true;
  /** the video as it was given */
  readonly filename: string;
  /** analysed frames */
  readonly frames: number;
  /** classes with at least one confirmed object, in order of first appearance */
  readonly detected: string[];
  /** number of such classes */
  readonly count: number;
  /** per class: confirmed objects (`count`), and the frames, most at once, best score, first and last times of them */
  readonly objects: Record<string, TrackedObjectStats>;
  /** the confirmed objects, in order of first appearance */
  readonly tracks: TrackSummary[];
  /** tracks rejected as too weak or too brief, per class */
  readonly rejected: Record<string, number>;
  /** model file name */
  readonly model: string;
  /** wall-clock time of the whole analysis, in milliseconds */
  readonly elapsed_ms: number;
  /** duration of the video in seconds, when known */
  readonly duration: number | undefined;
  /** frames per second analysed, or `"all"` */
  readonly sample_fps: number | "all";
}

/** How the frame generator reports to its {@linkcode VideoAnalysis}. */
interface AnalysisReport {
  duration(seconds: number | undefined): void;
  done(summary: VideoSummary): void;
}

/** Frames prepared ahead of the one being inferred, so that the worker never waits. */
const PIPELINE_DEPTH = 2;

/**
 * A video analysis in progress: iterate it for per-frame results, and/or await
 * {@linkcode VideoAnalysis.summary}.
 *
 * @example
 * ```ts
 * import { YoloAnalyzer } from "./yolo_analyzer.ts";
 * await using analyzer = await YoloAnalyzer.create();
 * const analysis = analyzer.analyzeVideo("video/samples/vtest.mp4", { sampleFps: 1 });
 * for await (const frame of analysis) console.log(frame.time, frame.detections.length);
 * console.log((await analysis.summary()).detected);
 * ```
 */
export class VideoAnalysis implements AsyncIterable<FrameDetections> {
  #frames: AsyncGenerator<FrameDetections>;
  #summary: Promise<VideoSummary>;
  #resolve!: (s: VideoSummary) => void;
  #reject!: (e: unknown) => void;
  #started = false;
  #duration: number | undefined;

  /** @internal Created by {@linkcode YoloAnalyzer.analyzeVideo}. */
  constructor(frames: (report: AnalysisReport) => AsyncGenerator<FrameDetections>) {
    this.#summary = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#summary.catch(() => {}); // reported through the iterator or summary(), not unhandled
    this.#frames = frames({
      duration: (d) => (this.#duration = d),
      done: (s) => this.#resolve(s),
    });
  }

  /** Duration of the video in seconds, once ffprobe has read it (before the first frame), for progress. */
  get duration(): number | undefined {
    return this.#duration;
  }

  /**
   * Yields each analysed frame's detections, in order; a VideoAnalysis can be iterated only once.
   *
   * @throws {Error} when iterated a second time
   * @throws {MediaError} when the video cannot be probed or decoded (see {@linkcode
   *   YoloAnalyzer.analyzeVideo})
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<FrameDetections> {
    if (this.#started) throw new Error("a VideoAnalysis can be iterated only once");
    this.#started = true;
    try {
      yield* this.#frames;
    } catch (e) {
      this.#reject(e);
      throw e;
    } finally {
      this.#reject(new Error("the analysis was stopped before the end of the video"));
    }
  }

  /**
   * The summary, once every frame is analysed (runs the analysis if nobody iterates it).
   *
   * @throws {MediaError} what the iteration throws
   * @throws {Error} when the iteration was stopped before the end of the video (a `break`, an abort)
   */
  async summary(): Promise<VideoSummary> {
    if (!this.#started) { for await (const _ of this) { /* drain */ } }
    return await this.#summary;
  }
}

/**
 * Runs an Ultralytics YOLO detection model (ONNX) on images and videos.
 *
 * Class names, input size and stride come from the model's own metadata, so any v8/11 export
 * (fp32, fp16 or int8, fixed or dynamic input) works without configuration. Inputs are
 * letterboxed exactly as Ultralytics does (OpenCV's bilinear resize, pad 114); boxes come back
 * in source pixels. Inference runs in a worker thread, overlapped with decoding and
 * preprocessing of the next frame.
 *
 * @example
 * ```ts
 * import { YoloAnalyzer } from "./yolo_analyzer.ts";
 * await using analyzer = await YoloAnalyzer.create({ confidence: 0.25 });
 * const { detections } = await analyzer.detect("tests/fixtures/bus.jpg");
 * for (const d of detections) console.log(d.label, d.score.toFixed(2), d.box.map(Math.round));
 * ```
 */
export class YoloAnalyzer {
  /** what the model is: names, input size, stride, … */
  readonly info: YoloModelInfo;
  /** path of the model file */
  readonly modelPath: string;
  /** model file name, as written to the log */
  readonly modelName: string;
  #session: WorkerSession;
  #confidence: number;
  #iou: number;
  #maxDetections: number;
  #classes: ReadonlySet<number> | undefined;
  #buffers: ArrayBuffer[] = [];

  private constructor(
    modelPath: string,
    info: YoloModelInfo,
    session: WorkerSession,
    options: YoloAnalyzerOptions,
  ) {
    this.modelPath = modelPath;
    this.modelName = basename(modelPath);
    this.info = info;
    this.#session = session;
    this.#confidence = options.confidence ?? 0.25;
    this.#iou = options.iou ?? 0.7;
    this.#maxDetections = options.maxDetections ?? 300;
    this.#classes = options.classes && new Set(options.classes.map((c) => this.#classId(c)));
  }

  /**
   * Loads a model and starts its inference worker. Throws {@linkcode ModelError} when the file
   * is missing, is not ONNX, or is not a usable detection model.
   *
   * @throws {RangeError} when `confidence` or `iou` is outside 0..1, `threads` is not a positive integer, or
   *   `classes` names a class the model does not have
   * @throws {ModelError} when the model file is missing or unreadable, is not ONNX, is not a usable detection
   *   model, or ONNX Runtime cannot load it
   */
  static async create(options: YoloAnalyzerOptions = {}): Promise<YoloAnalyzer> {
    checkUnit("confidence", options.confidence);
    checkUnit("iou", options.iou);
    if (options.threads !== undefined && !(Number.isInteger(options.threads) && options.threads > 0)) {
      throw new RangeError(`threads must be a positive integer, got ${options.threads}`);
    }
    const modelPath = options.model ?? fileURLToPath(DEFAULT_MODEL_URL);
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(modelPath);
    } catch (cause) {
      throw new ModelError(
        cause instanceof Deno.errors.NotFound
          ? `model file not found: ${modelPath}`
          : `cannot read model file ${modelPath}: ${(cause as Error).message}`,
        { cause },
      );
    }
    let info: YoloModelInfo;
    try {
      info = describeYoloModel(readOnnxMetadata(bytes), options);
    } catch (cause) {
      if (cause instanceof ModelError) {
        throw new ModelError(`${modelPath}: ${cause.message}`, { cause });
      }
      throw new ModelError(`${modelPath} is not an ONNX model (${(cause as Error).message})`, { cause });
    }
    const session = await WorkerSession.open(modelPath, { threads: options.threads ?? 1 });
    try {
      return new YoloAnalyzer(modelPath, info, session, options);
    } catch (e) {
      session.close();
      throw e;
    }
  }

  /**
   * Detects objects in one image: a file path or URL, encoded bytes, or raw RGB with its size.
   * Throws {@linkcode MediaError} for an unreadable image.
   *
   * @returns detections highest score first, boxes `[x1, y1, x2, y2]` in the image's pixels (after its EXIF
   *   rotation)
   * @throws {MediaError} when the image is missing or cannot be decoded
   * @throws {RangeError} when raw RGB has a bad size
   * @throws {Error} when inference fails or the analyzer is closed
   */
  async detect(image: ImageInput): Promise<ImageDetections> {
    const rgb = await decodeImage(image);
    return await this.#infer(rgb.data, rgb.width, rgb.height);
  }

  /**
   * Analyses a video: decodes it with ffmpeg, samples frames by their real timestamps, and
   * yields each frame's detections; {@linkcode VideoAnalysis.summary} gives the log summary.
   *
   * @returns the analysis, not started: nothing is read until it is iterated or its summary is asked for. The
   *   iteration throws {@linkcode MediaError} when the file is missing, not a regular file (a FIFO, a
   *   folder, a device), not a video, has no video stream, has frames over `maxFramePixels`, lasts longer
   *   than `maxDurationSeconds`, takes longer than `probeTimeoutMs` or `decodeTimeoutMs`, or no frame can be
   *   decoded; `RangeError` for a bad `sampleFps`; and the signal's reason when it aborts
   */
  analyzeVideo(path: string, options: AnalyzeVideoOptions = {}): VideoAnalysis {
    return new VideoAnalysis((report) => this.#videoFrames(path, options, report));
  }

  /** Stops the inference worker. */
  close(): void {
    this.#session.close();
  }

  /** Stops the inference worker, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  async *#videoFrames(
    path: string,
    options: AnalyzeVideoOptions,
    report: AnalysisReport,
  ): AsyncGenerator<FrameDetections> {
    const {
      sampleFps = 2,
      signal,
      maxFramePixels = MEDIA_LIMITS.maxFramePixels,
      maxDurationSeconds = MEDIA_LIMITS.maxDurationSeconds,
      probeTimeoutMs,
      decodeTimeoutMs,
      tracking,
    } = options;
    // Checked before anything is decoded: a bad zone is the caller's error, not the video's.
    const clip = new ClipTracks(tracking);
    const started = performance.now();
    // ffprobe first: a clear error for a file that is missing, not a video or over the limits, before decoding.
    const media = await probeMedia(path, { timeoutMs: probeTimeoutMs, maxFramePixels });
    if (!media.video) throw new MediaError(`${path}: has no video stream`);
    const { width, height } = media.video;
    if (!(width * height <= maxFramePixels)) {
      throw new MediaError(
        `${path}: frames of ${width}x${height} are over the limit of ${maxFramePixels} pixels (maxFramePixels)`,
      );
    }
    if (media.duration !== undefined && media.duration > maxDurationSeconds) {
      throw new MediaError(
        `${path}: lasts ${media.duration} s, over the limit of ${maxDurationSeconds} s (maxDurationSeconds)`,
      );
    }
    report.duration(media.duration);
    let analysed = 0;
    const inflight: Promise<FrameDetections>[] = [];
    /** Frames are tracked in order, as they leave the pipeline. */
    const track = (r: FrameDetections): FrameDetections => {
      analysed++;
      return { ...r, detections: clip.add(r.time, r.width, r.height, r.detections) };
    };
    const frames = readVideoFrames(path, {
      sampleFps,
      signal,
      maxFramePixels,
      maxDurationSeconds,
      timeoutMs: decodeTimeoutMs,
    });
    for await (const frame of frames) {
      const { index, time } = frame;
      const pending = this.#infer(frame.data, frame.width, frame.height)
        .then((r) => ({
          ...r,
          index,
          time,
          detections: r.detections.map((d) => ({ ...d, track: undefined })),
        }));
      pending.catch(() => {}); // awaited below, in order
      inflight.push(pending);
      if (inflight.length >= PIPELINE_DEPTH) {
        yield track(await inflight.shift()!);
      }
    }
    while (inflight.length) {
      yield track(await inflight.shift()!);
    }
    if (analysed === 0) throw new MediaError(`${path}: no video frames could be decoded`);
    const objects = clip.result();
    report.done({
      ok: true,
      filename: path,
      frames: analysed,
      detected: objects.detected,
      count: objects.count,
      objects: objects.objects,
      tracks: objects.tracks,
      rejected: objects.rejected,
      model: this.modelName,
      elapsed_ms: Math.round(performance.now() - started),
      duration: media.duration,
      sample_fps: sampleFps,
    });
  }

  /** Letterbox + tensor now, inference in the worker, then decode + NMS when it answers. */
  async #infer(rgb: Uint8Array, width: number, height: number): Promise<ImageDetections> {
    const { info } = this;
    const { plan, dims, data } = prepareInput(rgb, width, height, info, this.#buffers.pop());
    const out = await this.#session.run(
      { name: info.inputName, type: info.inputType, dims, data },
      info.outputName,
    );
    this.#buffers.push(out.input);
    return {
      width,
      height,
      detections: this.#postprocess(out.data, out.dims, plan),
      inferenceMs: out.ms,
    };
  }

  #postprocess(data: Float32Array, dims: readonly number[], plan: LetterboxPlan): Detection[] {
    const candidates = decodeOutput(data, dims, {
      numClasses: this.info.names.length,
      confidence: this.#confidence,
      endToEnd: this.info.endToEnd,
      classes: this.#classes,
    });
    const kept = this.info.endToEnd
      ? candidates.sort((a, b) => b.score - a.score).slice(0, this.#maxDetections)
      : nonMaxSuppression(candidates, { iou: this.#iou, maxDetections: this.#maxDetections });
    return kept.map((c) => ({
      label: this.info.names[c.classId] ?? `class${c.classId}`,
      classId: c.classId,
      score: c.score,
      box: unletterboxBox(c.box, plan),
    }));
  }

  #classId(c: string | number): number {
    const id = typeof c === "number" ? c : this.info.names.indexOf(c);
    if (!(id >= 0 && id < this.info.names.length && Number.isInteger(id))) {
      throw new RangeError(
        `unknown class ${JSON.stringify(c)}; the model knows ${this.info.names.length} classes`,
      );
    }
    return id;
  }
}

function checkUnit(name: string, value: number | undefined): void {
  if (value !== undefined && !(value >= 0 && value <= 1)) {
    throw new RangeError(`${name} must be between 0 and 1, got ${value}`);
  }
}
