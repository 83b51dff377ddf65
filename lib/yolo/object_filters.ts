/**
 * Which detections are kept before tracking: per-class minimum score and minimum and maximum
 * box area (a "person" the size of the whole frame is a shadow, one of 20 pixels a leaf), and
 * object masks, polygons where detections are dropped whatever they are (a poster, a parked
 * car's reflection): a detection whose bottom centre is inside a mask is dropped, as Frigate does.
 *
 * @module
 */

import { bottomCentre, insidePolygon, type Polygon, polygonProblem } from "./polygon.ts";
import type { TrackInput } from "./object_tracker.ts";

/** Limits for one class. */
export interface ObjectFilter {
  /**
   * Least score of a kept detection (only above the detector's own confidence does it matter).
   * @default 0 (the detector's confidence decides)
   */
  readonly minScore?: number;
  /**
   * Least box area, in fractions of the frame's area.
   * @default 0
   */
  readonly minArea?: number;
  /**
   * Largest box area, in fractions of the frame's area.
   * @default 1
   */
  readonly maxArea?: number;
}

/** Options of {@linkcode filterDetections}. */
export interface ObjectFilterOptions {
  /**
   * Limits by class name; classes not named are kept as the detector gives them.
   * @default no limits
   */
  readonly filters?: Readonly<Record<string, ObjectFilter>>;
  /**
   * Polygons in fractions of the frame: a detection whose bottom centre is inside one is dropped.
   * @default no masks
   */
  readonly masks?: readonly Polygon[];
}

/**
 * Checks filters and masks: scores and areas between 0 and 1, `minArea` not above `maxArea`,
 * masks real polygons.
 *
 * @returns the options, as given
 * @throws {RangeError} naming the class or mask that is wrong and why
 *
 * @example
 * ```ts
 * import { checkObjectFilters } from "./object_filters.ts";
 * try {
 *   checkObjectFilters({ filters: { car: { minArea: 0.5, maxArea: 0.1 } } });
 * } catch (e) {
 *   console.log((e as RangeError).message); // filter for "car": minArea 0.5 is above maxArea 0.1
 * }
 * ```
 */
export function checkObjectFilters(options: ObjectFilterOptions): ObjectFilterOptions {
  for (const [label, f] of Object.entries(options.filters ?? {})) {
    for (const key of ["minScore", "minArea", "maxArea"] as const) {
      const v = f[key];
      if (v !== undefined && !(typeof v === "number" && v >= 0 && v <= 1)) {
        throw new RangeError(`filter for "${label}": ${key} must be a number between 0 and 1, got ${v}`);
      }
    }
    if ((f.minArea ?? 0) > (f.maxArea ?? 1)) {
      throw new RangeError(`filter for "${label}": minArea ${f.minArea} is above maxArea ${f.maxArea}`);
    }
  }
  for (const [i, mask] of (options.masks ?? []).entries()) {
    const problem = polygonProblem(mask);
    if (problem) throw new RangeError(`mask ${i + 1}: ${problem}`);
  }
  return options;
}

/**
 * The detections that pass the class limits and fall outside every mask, in their order.
 *
 * @param width the frame's width in pixels (boxes are in its pixels)
 * @param height the frame's height in pixels
 *
 * @example
 * ```ts
 * import { filterDetections } from "./object_filters.ts";
 * const detections = [
 *   { label: "person", score: 0.4, box: [0, 0, 10, 30] as const },
 *   { label: "person", score: 0.9, box: [50, 20, 70, 80] as const },
 * ];
 * const kept = filterDetections(detections, 100, 100, { filters: { person: { minScore: 0.5 } } });
 * console.log(kept.length); // 1
 * ```
 */
export function filterDetections<T extends TrackInput>(
  detections: readonly T[],
  width: number,
  height: number,
  options: ObjectFilterOptions,
): T[] {
  const { filters = {}, masks = [] } = options;
  const frameArea = width * height;
  return detections.filter((d) => {
    const f = Object.hasOwn(filters, d.label) ? filters[d.label] : undefined;
    if (f) {
      const area = ((d.box[2] - d.box[0]) * (d.box[3] - d.box[1])) / frameArea;
      if (d.score < (f.minScore ?? 0) || area < (f.minArea ?? 0) || area > (f.maxArea ?? 1)) return false;
    }
    if (masks.length === 0) return true;
    const point = bottomCentre(d.box, width, height);
    return !masks.some((m) => insidePolygon(point, m));
  });
}
