/**
 * Clips of the detection log counted per class and per camera: how often each class was seen
 * and how well, and what each camera recorded and how much of it failed. Both take the time
 * range and score options of the other analyses.
 *
 * @example Which classes, and from which cameras, today
 * ```ts
 * import { clipsPerCamera, clipsPerClass } from "./clip_counts.ts";
 *
 * const log = "video/detections.d";
 * console.log((await clipsPerClass(log, { day: "today", minScore: 0.5 })).toRecords());
 * console.log((await clipsPerCamera(log, { day: "today" })).toRecords());
 * ```
 *
 * @module
 */

import type pl from "nodejs-polars";
import type { TimeRangeOptions } from "./local_time.ts";
import { cameraOf, type LogSource, scoredLines, type ScoreOptions, seenLabels } from "./log_source.ts";
import { compare, finite, recordFrame } from "./typed_frame.ts";

const CLASS_COLUMNS = "label:str clips:u32 share:f64 frames:u32 max:u32 best:f64 first_clip:datetime " +
  "last_clip:datetime";
const CAMERA_COLUMNS = "camera:str clips:u32 ok:u32 failed:u32 with_detections:u32 frames:u32 " +
  "first_clip:datetime last_clip:datetime";

/** A group's first and last clip start, NaN while it has none with a readable start. */
interface Span {
  first_clip: number;
  last_clip: number;
}

/** One row of {@linkcode clipsPerClass} while it counts (`share` comes last). */
interface ClassTally extends Span {
  readonly label: string;
  clips: number;
  frames: number;
  max: number;
  best: number;
}

/** One row of {@linkcode clipsPerCamera} while it counts. */
interface CameraTally extends Span {
  readonly camera: string;
  clips: number;
  ok: number;
  failed: number;
  with_detections: number;
  frames: number;
}

/**
 * Per class: in how many analysed clips it was seen, in how many analysed frames in all, the
 * most at once, its best score, and the first and last clip that saw it. Most clips first.
 *
 * Columns: `label`, `clips`, `share` (of the analysed clips in the range, 0..1), `frames`,
 * `max`, `best`, `first_clip`, `last_clip` (Datetime, `clip_start`, UTC).
 *
 * @param source a JSONL log's path (a file that does not exist yet is an empty log), a `DetectionLog`, or
 *   lines already read
 * @param options the range, and `minScore`: a class counts in a clip only when its best score there
 *   reached it (a failed clip counts for no class)
 * @returns columns of types `label` Utf8, `clips`, `frames`, `max` UInt32, `share`, `best` Float64,
 *   `first_clip`, `last_clip` Datetime("ms") (null when no clip of the class has a readable start); rows
 *   by `clips`, most first, then by label; no rows when no class counted
 * @throws {RangeError} when `from`, `to` or `day` cannot be read, `timeZone` is not an IANA zone, or `to` is
 *   before `from`, or `minScore` is not from 0 to 1
 * @throws {TypeError} when both `day` and `from`/`to` are given, or `source` is not a log
 * @throws {Deno.errors.PermissionDenied} and other file errors when the log file exists but cannot be read
 *
 * @example
 * ```ts
 * import { clipsPerClass } from "./clip_counts.ts";
 * const df = await clipsPerClass("video/detections.d", { minScore: 0.5 });
 * for (const row of df.toRecords()) console.log(row.label, row.clips, row.best);
 * ```
 */
export async function clipsPerClass(
  source: LogSource,
  options: TimeRangeOptions & ScoreOptions = {},
): Promise<pl.DataFrame> {
  const { lines, minScore } = await scoredLines(source, options);
  const ok = lines.filter(({ line }) => line.ok);
  const classes = new Map<string, ClassTally>();
  for (const { line, t } of ok) {
    for (const [label, stats] of Object.entries(line.objects ?? {})) {
      if (!((stats?.best ?? 0) >= minScore)) continue;
      let c = classes.get(label);
      if (!c) {
        classes.set(
          label,
          c = { label, clips: 0, frames: 0, max: 0, best: 0, first_clip: NaN, last_clip: NaN },
        );
      }
      c.clips++;
      c.frames += finite(stats.frames) ?? 0;
      c.max = Math.max(c.max, finite(stats.max) ?? 0);
      c.best = Math.max(c.best, finite(stats.best) ?? 0);
      widenSpan(c, t);
    }
  }
  const rows = [...classes.values()].sort((x, y) => y.clips - x.clips || compare(x.label, y.label));
  return await recordFrame(CLASS_COLUMNS, rows.map((c) => ({ ...c, share: c.clips / ok.length })));
}

/**
 * Per camera: its clips, how many were analysed and how many failed, how many had a class at
 * `minScore`, the frames analysed, and its first and last clip. By camera name.
 *
 * Columns: `camera`, `clips`, `ok`, `failed`, `with_detections`, `frames`, `first_clip`,
 * `last_clip` (Datetime, `clip_start`, UTC).
 *
 * @param source a JSONL log's path (a file that does not exist yet is an empty log), a `DetectionLog`, or
 *   lines already read
 * @param options the range, and `minScore` for `with_detections` (analysed clips with a class whose best
 *   score reached it)
 * @returns columns of types `camera` Utf8 (`""` for lines without one), `clips`, `ok`, `failed`,
 *   `with_detections`, `frames` (frames analysed, of analysed clips) UInt32, `first_clip`, `last_clip`
 *   Datetime("ms"); one row per camera with a clip in the range, by name (code-unit order)
 * @throws {RangeError} when `from`, `to` or `day` cannot be read, `timeZone` is not an IANA zone, or `to` is
 *   before `from`, or `minScore` is not from 0 to 1
 * @throws {TypeError} when both `day` and `from`/`to` are given, or `source` is not a log
 * @throws {Deno.errors.PermissionDenied} and other file errors when the log file exists but cannot be read
 *
 * @example
 * ```ts
 * import { clipsPerCamera } from "./clip_counts.ts";
 * const df = await clipsPerCamera("video/detections.d", { day: "today" });
 * console.log(df.toRecords());
 * ```
 */
export async function clipsPerCamera(
  source: LogSource,
  options: TimeRangeOptions & ScoreOptions = {},
): Promise<pl.DataFrame> {
  const { lines, minScore } = await scoredLines(source, options);
  const cameras = new Map<string, CameraTally>();
  for (const { line, t } of lines) {
    const camera = cameraOf(line);
    let c = cameras.get(camera);
    if (!c) {
      c = {
        camera,
        clips: 0,
        ok: 0,
        failed: 0,
        with_detections: 0,
        frames: 0,
        first_clip: NaN,
        last_clip: NaN,
      };
      cameras.set(camera, c);
    }
    c.clips++;
    if (line.ok) {
      c.ok++;
      c.frames += finite(line.frames) ?? 0;
      if (seenLabels(line, minScore).length) c.with_detections++;
    } else {
      c.failed++;
    }
    widenSpan(c, t);
  }
  return await recordFrame(CAMERA_COLUMNS, [...cameras.values()].sort((x, y) => compare(x.camera, y.camera)));
}

/** Stretches a group's first/last clip (NaN while empty) to take in time `t`; NaN times are skipped. */
function widenSpan(span: Span, t: number): void {
  if (isNaN(t)) return;
  span.first_clip = isNaN(span.first_clip) ? t : Math.min(span.first_clip, t);
  span.last_clip = isNaN(span.last_clip) ? t : Math.max(span.last_clip, t);
}
