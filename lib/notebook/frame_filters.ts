/**
 * Choosing the frames of a dataset export: a {@linkcode FrameFilter} sees each sampled frame's
 * detections and says whether to export it; {@linkcode hasClass} and {@linkcode lowConfidence}
 * are the usual ones. {@linkcode sampleItems} picks a few of the exported items to look at.
 *
 * @example Frames with a doubtful person or bicycle
 * ```ts
 * import { type FrameFilter, hasClass, lowConfidence } from "./frame_filters.ts";
 *
 * const doubtful = lowConfidence({ min: 0.25, max: 0.5 });
 * const wanted = hasClass("person", "bicycle");
 * const filter: FrameFilter = (detections, frame) => wanted(detections, frame) && doubtful(detections, frame);
 * ```
 *
 * @module
 */

import type { Detection } from "../yolo/yolo_analyzer.ts";

/**
 * Where a frame comes from, as a {@linkcode FrameFilter} sees it.
 *
 * @example
 * ```ts
 * import type { FrameContext } from "./frame_filters.ts";
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
 * import type { FrameFilter } from "./frame_filters.ts";
 * const crowded: FrameFilter = (detections) => detections.length >= 5;
 * ```
 */
export type FrameFilter = (detections: readonly Detection[], frame: FrameContext) => boolean;

/**
 * Options of {@linkcode lowConfidence}.
 *
 * @example
 * ```ts
 * import type { LowConfidenceOptions } from "./frame_filters.ts";
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

/**
 * A filter keeping frames with at least one detection of one of these classes (names or ids).
 * The `classes` option of {@linkcode exportYoloDataset} does the same and also leaves the other
 * classes' boxes out; this keeps them.
 *
 * @param classes class names (compared with `label`, case-sensitive) or class ids (compared with
 *   `classId`); `"0"` is a name, not the id 0
 * @returns a filter that keeps a frame when any of its detections is of one of them
 * @throws {RangeError} when no class is given
 *
 * @example
 * ```ts
 * import { hasClass } from "./frame_filters.ts";
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
 * @param options scores from 0 to 1, as the detector gives them; the analyzer has already dropped what
 *   scored below its `confidence` (0.25 by default), so a lower `min` keeps nothing more
 * @throws {RangeError} unless 0 <= `min` < `max` <= 1
 *
 * @example
 * ```ts
 * import { lowConfidence } from "./frame_filters.ts";
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
 * @returns a new array: all the items when there are `count` or fewer, else `count` of them in list order,
 *   the first item always included
 * @throws {RangeError} when `count` is not a non-negative integer
 *
 * @example
 * ```ts
 * import { sampleItems } from "./frame_filters.ts";
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
