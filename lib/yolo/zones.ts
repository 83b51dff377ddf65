/**
 * Zones: named polygons of a camera's view, in fractions of the frame. An object is in a zone
 * when its box's bottom centre is inside the polygon; a track lists the zones it entered.
 *
 * @module
 */

import { type FramePoint, type Polygon, polygonProblem } from "./polygon.ts";
import { insidePolygon } from "./polygon.ts";

/** A named polygon of the view. */
export interface Zone {
  /** 1-64 letters, digits, `_` or `-` */
  readonly name: string;
  /** three or more `[x, y]` points in fractions of the frame */
  readonly points: Polygon;
}

/**
 * What a zone's name may be: 1-64 letters, digits, `_` or `-` (a name goes into log lines and
 * file names).
 *
 * @example
 * ```ts
 * import { ZONE_NAME_PATTERN } from "./zones.ts";
 * console.log(ZONE_NAME_PATTERN.test("driveway"), ZONE_NAME_PATTERN.test("a b")); // true false
 * ```
 */
export const ZONE_NAME_PATTERN: RegExp = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Checks a list of zones: names follow {@linkcode ZONE_NAME_PATTERN} and differ, polygons have at
 * least three points within the frame.
 *
 * @returns the zones, as given
 * @throws {RangeError} naming the first zone that is wrong and why
 *
 * @example
 * ```ts
 * import { checkZones } from "./zones.ts";
 * checkZones([{ name: "door", points: [[0, 0.5], [0.3, 0.5], [0.3, 1], [0, 1]] }]);
 * try {
 *   checkZones([{ name: "door", points: [[0, 0], [1, 1]] }]);
 * } catch (e) {
 *   console.log((e as RangeError).message); // zone "door": needs at least 3 points, got 2
 * }
 * ```
 */
export function checkZones(zones: readonly Zone[]): readonly Zone[] {
  const names = new Set<string>();
  for (const [i, zone] of zones.entries()) {
    if (typeof zone?.name !== "string" || !ZONE_NAME_PATTERN.test(zone.name)) {
      throw new RangeError(
        `zone ${i + 1}: name must be 1-64 letters, digits, _ or -, got ${JSON.stringify(zone?.name)}`,
      );
    }
    if (names.has(zone.name)) throw new RangeError(`zone "${zone.name}" is named twice`);
    names.add(zone.name);
    const problem = polygonProblem(zone.points);
    if (problem) throw new RangeError(`zone "${zone.name}": ${problem}`);
  }
  return zones;
}

/**
 * The zones a point is in, in the order they are given.
 *
 * @param point a bottom centre in fractions of the frame (`bottomCentre` in polygon.ts)
 *
 * @example
 * ```ts
 * import { zonesAt } from "./zones.ts";
 * const zones = [{ name: "left", points: [[0, 0], [0.5, 0], [0.5, 1], [0, 1]] as [number, number][] }];
 * console.log(zonesAt([0.25, 0.9], zones), zonesAt([0.75, 0.9], zones)); // ["left"] []
 * ```
 */
export function zonesAt(point: FramePoint, zones: readonly Zone[]): string[] {
  return zones.filter((z) => insidePolygon(point, z.points)).map((z) => z.name);
}
