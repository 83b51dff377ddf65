/**
 * Polygons in normalised coordinates (0..1 of the frame's width and height, so that they do not
 * depend on the stream's resolution), the shape of zones and object masks, and the point of a box
 * that is tested against them: its bottom centre, where the object stands (as Frigate does), so a
 * person's head above a zone's edge does not put them in it.
 *
 * @module
 */

import { insidePolygon as insideAt } from "../geometry.ts";
import type { PixelBox } from "./object_tracker.ts";

/** A point `[x, y]` in fractions of the frame's width and height. */
export type FramePoint = readonly [number, number];

/** A polygon: three or more points in fractions of the frame, in order around its edge. */
export type Polygon = readonly FramePoint[];

/**
 * Why a value is not a polygon, or `undefined` when it is one.
 *
 * @returns a phrase such as `"needs at least 3 points, got 2"`, for a message naming the polygon
 *
 * @example
 * ```ts
 * import { polygonProblem } from "./polygon.ts";
 * console.log(polygonProblem([[0, 0], [1, 0], [1, 1]])); // undefined
 * console.log(polygonProblem([[0, 0], [1.5, 0], [1, 1]])); // "point 2 is not [x, y] with both between 0 and 1"
 * ```
 */
export function polygonProblem(value: unknown): string | undefined {
  if (!Array.isArray(value)) return "is not a list of [x, y] points";
  if (value.length < 3) return `needs at least 3 points, got ${value.length}`;
  for (const [i, p] of value.entries()) {
    const ok = Array.isArray(p) && p.length === 2 &&
      p.every((v) => typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= 1);
    if (!ok) return `point ${i + 1} is not [x, y] with both between 0 and 1`;
  }
  return undefined;
}

/**
 * Whether a point is inside a polygon (even-odd rule; a point exactly on an edge may fall either
 * way).
 *
 * @example
 * ```ts
 * import { insidePolygon } from "./polygon.ts";
 * const square: [number, number][] = [[0.2, 0.2], [0.8, 0.2], [0.8, 0.8], [0.2, 0.8]];
 * console.log(insidePolygon([0.5, 0.5], square), insidePolygon([0.9, 0.5], square)); // true false
 * ```
 */
export function insidePolygon(point: FramePoint, polygon: Polygon): boolean {
  return insideAt(point[0], point[1], polygon);
}

/**
 * A box's bottom centre in fractions of the frame: the point zones and masks test.
 *
 * @param box `[x1, y1, x2, y2]` in the frame's pixels
 *
 * @example
 * ```ts
 * import { bottomCentre } from "./polygon.ts";
 * console.log(bottomCentre([100, 50, 200, 250], 400, 500)); // [0.375, 0.5]
 * ```
 */
export function bottomCentre(box: PixelBox, width: number, height: number): FramePoint {
  return [(box[0] + box[2]) / 2 / width, box[3] / height];
}
