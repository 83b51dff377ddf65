/**
 * One clip, frame by frame, for the clip notebook: what the detector found at each sampled
 * moment (a class-versus-time chart), and a strip of frames with their boxes. From the boxes the
 * worker stored beside the clip ({@linkcode storedClipTimeline}, no detector), or by running the
 * detector again ({@linkcode clipTimeline}).
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { annotateDetections, type AnnotatedImage, annotateStrip } from "./annotate.ts";
import { type Chart, renderChart } from "./chart.ts";
import { MediaError } from "../errors.ts";
import { probeMedia } from "../media/ffmpeg.ts";
import { readVideoFrames, type VideoFrame } from "../media/video_frames.ts";
import type { ImageDetections, YoloAnalyzer } from "../yolo/yolo_analyzer.ts";
import { readStoredDetections, type StoredDetection } from "./stored_detections.ts";

/**
 * One class in one analysed frame.
 *
 * @example
 * ```ts
 * import type { TimelineRow } from "./clip_timeline.ts";
 * const row: TimelineRow = { time: 2.5, label: "person", count: 3, best: 0.91 };
 * ```
 */
export interface TimelineRow {
  /** seconds into the clip */
  readonly time: number;
  /** class name */
  readonly label: string;
  /** how many of it in the frame */
  readonly count: number;
  /** its best score in the frame, 0..1 */
  readonly best: number;
}

/**
 * Options of {@linkcode clipTimeline}.
 *
 * @example
 * ```ts
 * import type { ClipTimelineOptions } from "./clip_timeline.ts";
 * const options: ClipTimelineOptions = { sampleFps: 5, show: 9, signal: AbortSignal.timeout(60_000) };
 * ```
 */
export interface ClipTimelineOptions {
  /**
   * Frames per second to analyse (`"all"` for every frame).
   * @default 2
   */
  readonly sampleFps?: number | "all";
  /**
   * Frames to keep for the strip: the one with the most objects in each equal share of the
   * analysed frames.
   * @default 6
   */
  readonly show?: number;
  /**
   * Stops the analysis: {@linkcode clipTimeline} then rejects with the signal's reason (there is
   * no partial timeline).
   * @default runs to the end of the clip
   */
  readonly signal?: AbortSignal;
}

/**
 * A frame kept for the strip, with what was found in it.
 *
 * @example
 * ```ts
 * import { annotateDetections } from "./annotate.ts";
 * import type { TimelineFrame } from "./clip_timeline.ts";
 * const picture = (f: TimelineFrame) => annotateDetections(f.frame, f.found, { height: 360 });
 * ```
 */
export interface TimelineFrame {
  /** the decoded frame (RGB, the clip's own size), with its time in seconds into the clip */
  readonly frame: VideoFrame;
  /** the detections in it, boxes in the frame's pixels */
  readonly found: ImageDetections;
}

/**
 * What the detector saw in a clip over time.
 *
 * @example
 * ```ts
 * import { clipTimeline } from "./clip_timeline.ts";
 * import { YoloAnalyzer } from "../yolo/yolo_analyzer.ts";
 * await using analyzer = await YoloAnalyzer.create();
 * const timeline = await clipTimeline(analyzer, "video/samples/vtest.mp4", { sampleFps: 1 });
 * console.log(timeline.labels, timeline.rows.length);
 * const chart = timeline.chart();
 * const strip = await timeline.strip();
 * ```
 */
export class ClipTimeline {
  /** the clip */
  readonly path: string;
  /** seconds, as ffprobe reads it; undefined when the file does not say */
  readonly duration: number | undefined;
  /** frames analysed (sampled), not the clip's frame count */
  readonly frames: number;
  /** one row per class per analysed frame, in time order */
  readonly rows: readonly TimelineRow[];
  /** the frames kept for the strip, in time order */
  readonly shown: readonly TimelineFrame[];

  /**
   * Wraps an analysed clip; {@linkcode clipTimeline} makes one.
   *
   * @param rows in time order
   * @param shown in time order; at least one for {@linkcode ClipTimeline.strip}
   */
  constructor(
    path: string,
    duration: number | undefined,
    frames: number,
    rows: readonly TimelineRow[],
    shown: readonly TimelineFrame[],
  ) {
    this.path = path;
    this.duration = duration;
    this.frames = frames;
    this.rows = rows;
    this.shown = shown;
  }

  /**
   * The classes seen: in the most frames first, then the most objects.
   *
   * @returns each class once; ties broken by name; empty when nothing was seen
   */
  get labels(): string[] {
    const seen = new Map<string, { frames: number; objects: number }>();
    for (const r of this.rows) {
      const s = seen.get(r.label) ?? { frames: 0, objects: 0 };
      seen.set(r.label, { frames: s.frames + 1, objects: s.objects + r.count });
    }
    return [...seen].sort(([la, a], [lb, b]) =>
      b.frames - a.frames || b.objects - a.objects || la.localeCompare(lb)
    )
      .map(([l]) => l);
  }

  /**
   * Class versus time: a dot per class per analysed frame, sized by how many were in it.
   *
   * @param title the chart's title; by default it names the clip's file
   * @returns a chart whose x axis runs from 0 to the clip's duration in seconds (or the last row's time,
   *   if later), with one row per class in the order of {@linkcode ClipTimeline.labels}
   */
  chart(title = `What was seen, second by second: ${this.path.split("/").pop()}`): Chart {
    return renderChart({
      title,
      subtitle: `${this.frames} frames analysed; dot size = objects of that class in the frame`,
      marginLeft: 90,
      height: Math.max(140, 40 + 28 * this.labels.length),
      x: {
        label: "seconds into the clip",
        domain: [0, Math.max(this.duration ?? 0, ...this.rows.map((r) => r.time))],
      },
      y: { label: null, domain: this.labels },
      r: { range: [2, 9] },
      marks: [
        Plot.dot(this.rows, { x: "time", y: "label", r: "count", fill: "label", fillOpacity: 0.8 }),
        Plot.frame({ stroke: "#ddd" }),
      ],
    });
  }

  /**
   * The kept frames side by side, boxes drawn, each captioned with its time and count.
   *
   * @param options `height` of each picture in pixels (default 240), `columns` per row (default 3)
   * @throws {RangeError} when `height` or `columns` is not an integer of at least 1, or no frame was kept
   */
  strip(options: { readonly height?: number; readonly columns?: number } = {}): Promise<AnnotatedImage> {
    const height = options.height ?? 240;
    return annotateStrip(
      this.shown.map(({ frame, found }) => ({
        image: annotateDetections(frame, found, { height }),
        caption: `${frame.time.toFixed(1)} s: ${found.detections.length} objects`,
      })),
      { height, columns: options.columns ?? 3 },
    );
  }
}

/**
 * Analyses a clip frame by frame with the caller's analyzer and keeps what the clip notebook
 * shows: per-frame classes and counts, and a few frames with their boxes. Throws
 * {@linkcode MediaError} for a missing or broken clip.
 *
 * @param analyzer used as it is (its model, confidence and threads) and left open
 * @param path a video file
 * @returns rows in time order, one per class seen per analysed frame; `shown` holds the busiest frame of
 *   each of `show` equal shares of the frames (the first one when tied), in time order
 * @throws {MediaError} when ffprobe or ffmpeg is not installed, or the clip is missing, not a video,
 *   damaged or without a frame
 * @throws {RangeError} when `sampleFps` is neither `"all"` nor a positive finite number
 * @throws {DOMException} the signal's reason when `signal` aborts (an `AbortError`, or a `TimeoutError`
 *   from `AbortSignal.timeout`)
 * @throws {Error} when inference fails or the analyzer is closed
 *
 * @example
 * ```ts
 * import { clipTimeline } from "./clip_timeline.ts";
 * import { YoloAnalyzer } from "../yolo/yolo_analyzer.ts";
 * await using analyzer = await YoloAnalyzer.create();
 * const timeline = await clipTimeline(analyzer, "video/samples/vtest.mp4", { sampleFps: 0.5, show: 4 });
 * console.log(timeline.shown.map((s) => s.frame.time));
 * ```
 */
export async function clipTimeline(
  analyzer: YoloAnalyzer,
  path: string,
  options: ClipTimelineOptions = {},
): Promise<ClipTimeline> {
  const show = options.show ?? 6;
  const { duration, video } = await probeMedia(path);
  const sampleFps = options.sampleFps ?? 2;
  // Slots by frame count, not by time: sampled times sit on slot edges and would leave gaps.
  const rate = sampleFps === "all" ? video?.fps : sampleFps;
  const expected = duration && rate ? Math.max(1, Math.round(duration * rate)) : undefined;
  const rows: TimelineRow[] = [];
  // The busiest frame of each equal share of the frames: spread over time, at most `show`.
  const slots = new Map<number, TimelineFrame>();
  let frames = 0;
  for await (
    const frame of readVideoFrames(path, { sampleFps, signal: options.signal })
  ) {
    const found = await analyzer.detect(frame);
    frames++;
    const byLabel = new Map<string, { count: number; best: number }>();
    for (const d of found.detections) {
      const seen = byLabel.get(d.label) ?? { count: 0, best: 0 };
      byLabel.set(d.label, { count: seen.count + 1, best: Math.max(seen.best, d.score) });
    }
    for (const [label, s] of byLabel) rows.push({ time: frame.time, label, ...s });
    const slot = expected ? Math.min(show - 1, Math.floor(((frames - 1) * show) / expected)) : frames - 1;
    if (slot < show && found.detections.length > (slots.get(slot)?.found.detections.length ?? -1)) {
      // Copy: the decoder reuses its frame buffers.
      slots.set(slot, { frame: { ...frame, data: frame.data.slice() }, found });
    }
  }
  if (frames === 0) throw new MediaError(`no frames in ${path}`);
  const shown = [...slots.values()].sort((a, b) => a.frame.time - b.frame.time);
  return new ClipTimeline(path, duration, frames, rows, shown);
}

/** Options of {@linkcode storedClipTimeline}. */
export interface StoredClipTimelineOptions extends ClipTimelineOptions {
  /**
   * Only the detections of confirmed objects (not the glimpses and weak tracks the worker rejected).
   * @default true
   */
  readonly confirmedOnly?: boolean;
}

/** Frames decoded again are matched to the stored rows by time; the two decodings give the same times. */
const SAME_TIME = 1e-3;

/**
 * A clip's timeline from the boxes the worker stored beside it (`<stem>.detections.csv`): no detector
 * is run; the clip is decoded only for the strip's frames. Give the rate the worker analysed at (the log
 * line's `sample_fps`) so that the decoded frames are the analysed ones.
 *
 * @param path the clip (its detections CSV lies beside it)
 * @returns as {@linkcode clipTimeline}'s, each frame's boxes those stored for its time (track ids are not
 *   drawn); `found.inferenceMs` is 0; undefined when the clip has no detections CSV (evidence off, or the
 *   clip predates it): run {@linkcode clipTimeline} then
 * @throws {MediaError} when the clip is missing, not a video, damaged, or none of its decoded frames has the
 *   stored times (another `sampleFps` than the worker's)
 * @throws {TypeError} when the CSV beside it is not a detections CSV
 * @throws {DOMException} the signal's reason when `signal` aborts
 *
 * @example
 * ```ts
 * import { storedClipTimeline } from "./clip_timeline.ts";
 * const timeline = await storedClipTimeline("video/front/20260223-144657.mp4", { sampleFps: 2 });
 * if (timeline) console.log(timeline.labels, timeline.rows.length);
 * ```
 */
export async function storedClipTimeline(
  path: string,
  options: StoredClipTimelineOptions = {},
): Promise<ClipTimeline | undefined> {
  const stored = await readStoredDetections(path);
  if (!stored) return undefined;
  const { confirmedOnly = true, show = 6 } = options;
  const kept = confirmedOnly ? stored.filter((d) => d.confirmed) : stored;
  const byTime = new Map<number, StoredDetection[]>();
  // Every analysed frame has its time in the CSV only when something was seen in it: the frames are the
  // decoded ones; the rows say what they held.
  for (const d of kept) byTime.get(d.time)?.push(d) ?? byTime.set(d.time, [d]);
  const times = [...byTime.keys()].sort((a, b) => a - b);
  const rows: TimelineRow[] = [];
  for (const time of times) {
    const byLabel = new Map<string, { count: number; best: number }>();
    for (const d of byTime.get(time)!) {
      const seen = byLabel.get(d.label) ?? { count: 0, best: 0 };
      byLabel.set(d.label, { count: seen.count + 1, best: Math.max(seen.best, d.score) });
    }
    for (const [label, s] of byLabel) rows.push({ time, label, ...s });
  }
  const { duration } = await probeMedia(path);
  const sampleFps = options.sampleFps ?? 2;
  const slots = new Map<number, TimelineFrame>();
  let frames = 0;
  let matched = 0;
  const slotOf = (time: number) =>
    duration ? Math.min(show - 1, Math.floor((time / duration) * show)) : Math.min(show - 1, frames - 1);
  for await (const frame of readVideoFrames(path, { sampleFps, signal: options.signal })) {
    frames++;
    const at = times.find((t) => Math.abs(t - frame.time) < SAME_TIME);
    if (at !== undefined) matched++;
    const detections = (at === undefined ? [] : byTime.get(at)!).map((d) => ({
      label: d.label,
      classId: -1,
      score: d.score,
      box: d.box as [number, number, number, number],
    }));
    const slot = slotOf(frame.time);
    if (detections.length > (slots.get(slot)?.found.detections.length ?? -1)) {
      slots.set(slot, {
        frame: { ...frame, data: frame.data.slice() },
        found: { width: frame.width, height: frame.height, detections, inferenceMs: 0 },
      });
    }
  }
  if (frames === 0) throw new MediaError(`no frames in ${path}`);
  if (times.length && matched === 0) {
    throw new MediaError(
      `${path}: no frame at ${sampleFps} fps has the stored detections' times; give the log line's sample_fps`,
    );
  }
  const shown = [...slots.values()].sort((a, b) => a.frame.time - b.frame.time);
  return new ClipTimeline(path, duration, frames, rows, shown);
}
