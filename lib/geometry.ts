/**
 * Plane geometry shared by motion masks (lib/capture) and object zones and masks (lib/yolo):
 * one even-odd point-in-polygon rule for both, in any unit (pixels or frame fractions).
 *
 * @module
 */

/**
 * Whether a point lies inside a polygon, by the even-odd rule (a ray from the point crosses
 * its edges an odd number of times). The polygon is closed implicitly; points exactly on an
 * edge may fall either way.
 *
 * @param x the point's x, in the polygon's unit
 * @param y the point's y
 * @param polygon its corners in order, at least three
 *
 * @example
 * ```ts
 * import { insidePolygon } from "./geometry.ts";
 * const square: [number, number][] = [[0.2, 0.2], [0.8, 0.2], [0.8, 0.8], [0.2, 0.8]];
 * console.log(insidePolygon(0.5, 0.5, square), insidePolygon(0.9, 0.5, square)); // true false
 * ```
 */
export function insidePolygon(
  x: number,
  y: number,
  polygon: readonly (readonly [number, number])[],
): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i];
    const [xj, yj] = polygon[j];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
