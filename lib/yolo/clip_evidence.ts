/**
 * Evidence beside a clip, so that nobody has to run the detector again to see what it found: a
 * JPEG of each confirmed object's best frame with its box drawn (`<stem>.<label>-<id>.jpg`), and
 * every analysed frame's detections with their track ids in a CSV that polars reads as it is
 * (`<stem>.detections.csv`). Both are named after the clip's stem, so that they are deleted with
 * the clip (lib/capture/clip_storage.ts deletes `<stem>.*`).
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { join } from "node:path";
import sharp from "sharp";
import { MediaError } from "../errors.ts";
import { readVideoFrames } from "../media/video_frames.ts";
import type { TrackSummary } from "./clip_tracks.ts";
import type { PixelBox } from "./object_tracker.ts";

/** One analysed frame's detections, each with its track id, as the analysis yields them. */
export interface TrackedFrame {
  /** seconds from the start of the video */
  readonly time: number;
  /** the detections kept after filters and masks */
  readonly detections: readonly {
    readonly label: string;
    readonly score: number;
    readonly box: PixelBox;
    /** the track that took it, `undefined` for a weak detection no track took */
    readonly track: number | undefined;
  }[];
}

/** What the evidence is drawn from: the clip's result, as analyzeFile and the log give it. */
export interface EvidenceSource {
  /** the clip's confirmed objects */
  readonly tracks: readonly TrackSummary[];
  /** the frames per second that were analysed, so that the same frames are decoded again */
  readonly sample_fps: number | "all";
}

/** Options of {@linkcode writeEvidence}. */
export interface EvidenceOptions {
  /** the folder the files go to (it must exist) */
  readonly dir: string;
  /** the start of every file's name, usually the clip's name without its extension */
  readonly stem: string;
  /**
   * JPEG quality of the snapshots.
   * @default 85
   */
  readonly quality?: number;
  /**
   * Stops decoding when aborted.
   * @default runs to the end of the video
   */
  readonly signal?: AbortSignal;
}

/** The header of the detections CSV. */
const CSV_HEADER = "time,track,label,score,x1,y1,x2,y2,confirmed";

/** Frames of the second decoding are found by time; the two decodings give the same times. */
const SAME_TIME = 1e-4;

/**
 * The file name of a confirmed object's snapshot: `<stem>.<label>-<id>.jpg`, the label's spaces
 * as `_` (`traffic_light-4`).
 *
 * @example
 * ```ts
 * import { snapshotName } from "./clip_evidence.ts";
 * console.log(snapshotName("20260223-144657", { label: "traffic light", id: 4 })); // "20260223-144657.traffic_light-4.jpg"
 * ```
 */
export function snapshotName(stem: string, track: { readonly label: string; readonly id: number }): string {
  return `${stem}.${track.label.replace(/[^A-Za-z0-9_-]+/g, "_")}-${track.id}.jpg`;
}

/**
 * The detections CSV: one row per detection, times in seconds, boxes in source pixels, `track`
 * empty for a detection no track took, `confirmed` whether its track is one of the result's.
 *
 * @example
 * ```ts
 * import { detectionsCsv } from "./clip_evidence.ts";
 * const frames = [{ time: 0.5, detections: [{ label: "car", score: 0.91, box: [1, 2, 30, 40] as const, track: 1 }] }];
 * console.log(detectionsCsv(frames, new Set([1])));
 * // time,track,label,score,x1,y1,x2,y2,confirmed
 * // 0.5,1,car,0.91,1,2,30,40,true
 * ```
 */
export function detectionsCsv(frames: readonly TrackedFrame[], confirmed: ReadonlySet<number>): string {
  const rows = [CSV_HEADER];
  const quote = (s: string) => /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  for (const f of frames) {
    for (const d of f.detections) {
      const box = d.box.map((v) => Number(v.toFixed(1)));
      rows.push(
        [
          Number(f.time.toFixed(3)),
          d.track ?? "",
          quote(d.label),
          Number(d.score.toFixed(3)),
          ...box,
          d.track !== undefined && confirmed.has(d.track),
        ].join(","),
      );
    }
  }
  return rows.join("\n") + "\n";
}

/** An SVG of the frame's size with the object's box and a caption, to lay over the frame. */
function overlay(width: number, height: number, track: TrackSummary): string {
  const [x1, y1, x2, y2] = track.box;
  const stroke = Math.max(2, Math.round(Math.max(width, height) / 320));
  const size = Math.max(12, Math.round(height / 30));
  const caption = `${track.label} ${track.id} ${track.best.toFixed(2)}`;
  const textY = y1 - stroke - 2 >= size ? y1 - stroke - 2 : Math.min(y2 + size + stroke, height - 2);
  const esc = (s: string) => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<rect x="${x1}" y="${y1}" width="${x2 - x1}" height="${
      y2 - y1
    }" fill="none" stroke="#ff2d2d" stroke-width="${stroke}"/>` +
    `<text x="${x1}" y="${textY}" font-family="sans-serif" font-size="${size}" fill="#ff2d2d" stroke="#000" stroke-width="0.5">${
      esc(caption)
    }</text></svg>`;
}

/**
 * Writes a clip's evidence: the detections CSV, and a JPEG of each confirmed object's best frame
 * with its box drawn. The video is decoded again at the analysis' own rate, so the snapshot is the
 * very frame the best detection came from.
 *
 * @param video the clip that was analysed
 * @param result its result (`tracks`, `sample_fps`)
 * @param frames its analysed frames' tracked detections, in order
 * @returns the paths written, the CSV first
 * @throws {MediaError} when the video cannot be decoded again, or a best frame is not in it
 * @throws {Error} when a file cannot be written (`Deno.errors.NotFound` for a missing folder, …)
 *
 * @example
 * ```ts ignore
 * import { writeEvidence } from "./clip_evidence.ts";
 * import { YoloAnalyzer } from "./yolo_analyzer.ts";
 * await using analyzer = await YoloAnalyzer.create();
 * const analysis = analyzer.analyzeVideo("video/samples/vtest.mp4");
 * const frames = [];
 * for await (const frame of analysis) frames.push(frame);
 * const files = await writeEvidence("video/samples/vtest.mp4", await analysis.summary(), frames, {
 *   dir: "/tmp",
 *   stem: "vtest",
 * });
 * console.log(files);
 * ```
 */
export async function writeEvidence(
  video: string,
  result: EvidenceSource,
  frames: readonly TrackedFrame[],
  options: EvidenceOptions,
): Promise<string[]> {
  const { dir, stem, quality = 85, signal } = options;
  const csv = join(dir, `${stem}.detections.csv`);
  await Deno.writeTextFile(csv, detectionsCsv(frames, new Set(result.tracks.map((t) => t.id))));
  const written = [csv];
  const pending = [...result.tracks].sort((a, b) => a.best_time - b.best_time);
  if (pending.length === 0) return written;
  for await (const frame of readVideoFrames(video, { sampleFps: result.sample_fps, signal })) {
    while (pending.length && Math.abs(pending[0].best_time - frame.time) < SAME_TIME) {
      const track = pending.shift()!;
      const path = join(dir, snapshotName(stem, track));
      await sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 3 } })
        .composite([{ input: Buffer.from(overlay(frame.width, frame.height, track)) }])
        .jpeg({ quality })
        .toFile(path);
      written.push(path);
    }
    if (pending.length === 0) break;
    if (pending[0].best_time < frame.time - SAME_TIME) break;
  }
  if (pending.length) {
    throw new MediaError(
      `${video}: no frame at ${pending[0].best_time} s for ${pending[0].label} ${pending[0].id}'s snapshot`,
    );
  }
  return written;
}
