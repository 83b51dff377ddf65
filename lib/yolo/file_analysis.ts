/**
 * One-off analysis of image and video files, as `deno task analyze` does it: each file gives a
 * result object (never a thrown error), printable as JSON or as text for people.
 *
 * @module
 */

import { basename, extname } from "node:path";
import type { TrackedObjectStats, TrackSummary } from "./clip_tracks.ts";
import { type TrackedFrame, writeEvidence } from "./clip_evidence.ts";
import { CamwatchError } from "../errors.ts";
import { assertRegularFile } from "../media/media_limits.ts";
import { isImageFile } from "../media/image.ts";
import type { AnalyzeVideoOptions, FrameDetections, VideoSummary, YoloAnalyzer } from "./yolo_analyzer.ts";

/** The result for an image file. */
export interface ImageFileResult {
  /** the file was analysed */
  readonly ok: true;
  /** tells image results from video ones */
  readonly kind: "image";
  /** the file as it was given */
  readonly filename: string;
  /** image width in pixels */
  readonly width: number;
  /** image height in pixels */
  readonly height: number;
  /** unique class names, in order of first detection */
  readonly detected: string[];
  /** number of distinct classes */
  readonly count: number;
  /** the objects found, with scores rounded to 3 decimals and boxes to 0.1 pixel */
  readonly detections: { label: string; score: number; box: number[] }[];
  /** model file name */
  readonly model: string;
  /** wall-clock time spent on the file, in milliseconds */
  readonly elapsed_ms: number;
}

/** The result for a video file: the log summary, and the evidence files when they were asked for. */
export type VideoFileResult = VideoSummary & {
  readonly kind: "video";
  /** the evidence written (with {@linkcode AnalyzeFileOptions.evidenceDir}): the detections CSV, then the snapshots */
  readonly evidence?: string[];
};

/** A file that could not be analysed, and why. */
export interface FailedFileResult {
  /** the file could not be analysed */
  readonly ok: false;
  /** the file as it was given */
  readonly filename: string;
  /** what went wrong, naming the file */
  readonly error: string;
}

/** What {@linkcode analyzeFile} returns. */
export type FileResult = ImageFileResult | VideoFileResult | FailedFileResult;

/** Options of {@linkcode analyzeFile}. */
export interface AnalyzeFileOptions extends AnalyzeVideoOptions {
  /**
   * Frames per second analysed in videos, or `"all"`.
   * @default 2
   */
  sampleFps?: number | "all";
  /**
   * Called after each analysed video frame with the video's duration in seconds (for progress
   * displays).
   * @default not called
   */
  onFrame?: (frame: FrameDetections, duration: number | undefined) => void;
  /**
   * Stops a video analysis when aborted.
   * @default runs to the end of the video
   */
  signal?: AbortSignal;
  /**
   * A folder to write a video's evidence into (`writeEvidence` in clip_evidence.ts): the detections
   * CSV and a snapshot of each confirmed object, named after the video's file name without its
   * extension.
   * @default no evidence
   */
  evidenceDir?: string;
}

const round = (v: number, digits: number) => Number(v.toFixed(digits));

/**
 * Analyses one image or video file and returns its result; failures become `ok: false` results
 * with a message (errors the toolkit does not expect are rethrown).
 *
 * @returns an image result when the file's first bytes are an image's, a video result otherwise, or `ok:
 *   false` with the reason for a missing file, anything but a regular file (a folder, a FIFO, a device:
 *   refused before it is opened), an unreadable image or video, a file without video, or a video over the
 *   limits of {@linkcode AnalyzeFileOptions} (`MEDIA_LIMITS`)
 * @throws {RangeError} when `sampleFps` is neither `"all"` nor a positive number
 * @throws {Error} when inference fails or the inference worker crashed, and the signal's reason when it
 *   aborts: only the toolkit's own errors become `ok: false` results
 *
 * @example
 * ```ts
 * import { YoloAnalyzer } from "./yolo_analyzer.ts";
 * import { analyzeFile, formatResult } from "./file_analysis.ts";
 * await using analyzer = await YoloAnalyzer.create();
 * console.log(formatResult(await analyzeFile(analyzer, "tests/fixtures/bus.jpg")));
 * ```
 */
export async function analyzeFile(
  analyzer: YoloAnalyzer,
  filename: string,
  options: AnalyzeFileOptions = {},
): Promise<FileResult> {
  const started = performance.now();
  try {
    await assertRegularFile(filename);
    if (await isImageFile(filename)) {
      const r = await analyzer.detect(filename);
      const detected = [...new Set(r.detections.map((d) => d.label))];
      return {
        ok: true,
        kind: "image",
        filename,
        width: r.width,
        height: r.height,
        detected,
        count: detected.length,
        detections: r.detections.map((d) => ({
          label: d.label,
          score: round(d.score, 3),
          box: d.box.map((v) => round(v, 1)),
        })),
        model: analyzer.modelName,
        elapsed_ms: Math.round(performance.now() - started),
      };
    }
    const analysis = analyzer.analyzeVideo(filename, options);
    const frames: TrackedFrame[] = [];
    for await (const frame of analysis) {
      if (options.evidenceDir !== undefined) frames.push({ time: frame.time, detections: frame.detections });
      options.onFrame?.(frame, analysis.duration);
    }
    const summary = await analysis.summary();
    if (options.evidenceDir === undefined) return { kind: "video", ...summary };
    const stem = basename(filename, extname(filename));
    const evidence = await writeEvidence(filename, summary, frames, {
      dir: options.evidenceDir,
      stem,
      signal: options.signal,
    });
    return { kind: "video", ...summary, evidence };
  } catch (e) {
    if (e instanceof CamwatchError) return { ok: false, filename, error: e.message };
    throw e;
  }
}

const span = (first: number, last: number) =>
  first === last ? `at ${first.toFixed(1)} s` : `${first.toFixed(1)}–${last.toFixed(1)} s`;

function describeObject(label: string, s: TrackedObjectStats): string {
  return `  ${label.padEnd(14)} ${s.count} object${s.count === 1 ? "" : "s"}, in ${s.frames} frame${
    s.frames === 1 ? "" : "s"
  }, up to ${s.max} at once, best ${s.best.toFixed(2)}, ${span(s.first, s.last)}`;
}

function describeTrack(t: TrackSummary): string {
  const zones = t.zones.length ? `, in ${t.zones.join(", ")}` : "";
  return `    ${`${t.label} ${t.id}`.padEnd(16)} ${span(t.first, t.last)}, ${t.frames} frames, median ${
    t.score.toFixed(2)
  }, best ${t.best.toFixed(2)}${t.stationary ? ", stationary" : ""}${zones}`;
}

/**
 * Formats a result as a few lines of text for a terminal.
 *
 * @example
 * ```ts
 * import { formatResult } from "./file_analysis.ts";
 * console.log(formatResult({ ok: false, filename: "x.mp4", error: "x.mp4: no such file" }));
 * ```
 */
export function formatResult(result: FileResult): string {
  if (!result.ok) return `${result.filename}: FAILED: ${result.error}`;
  if (result.kind === "image") {
    const lines = [
      `${result.filename}  (${result.width}x${result.height}, ${result.detections.length} objects, ${result.elapsed_ms} ms)`,
    ];
    for (const d of result.detections) {
      lines.push(
        `  ${d.label.padEnd(14)} ${d.score.toFixed(2)}  [${d.box.map((v) => Math.round(v)).join(", ")}]`,
      );
    }
    return lines.join("\n");
  }
  const fps = result.sample_fps === "all" ? "every frame" : `${result.sample_fps} fps`;
  const duration = result.duration === undefined ? "" : `, ${result.duration.toFixed(1)} s of video`;
  const lines = [
    `${result.filename}  (${result.frames} frames analysed at ${fps}${duration}, ` +
    `${(result.elapsed_ms / 1000).toFixed(1)} s)`,
  ];
  if (result.count === 0) lines.push("  nothing detected");
  for (const [label, stats] of Object.entries(result.objects)) lines.push(describeObject(label, stats));
  for (const t of result.tracks) lines.push(describeTrack(t));
  const rejected = Object.entries(result.rejected).map(([label, n]) => `${n} ${label}`);
  if (rejected.length) lines.push(`  rejected (too weak or too brief): ${rejected.join(", ")}`);
  for (const file of result.evidence ?? []) lines.push(`  evidence: ${file}`);
  return lines.join("\n");
}
