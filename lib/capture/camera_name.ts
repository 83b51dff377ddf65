/**
 * The rule for camera names, in one place: a name becomes a folder of clips, a part of each
 * task id and a metrics label, so it is kept to letters, digits, `_` and `-`.
 *
 * @module
 */

/** What a camera name may hold (1 to 64 letters, digits, `_` or `-`). */
export const CAMERA_NAME_PATTERN: RegExp = /^[A-Za-z0-9_-]{1,64}$/;

/** The rule in words, for error messages. */
export const CAMERA_NAME_RULE = "1-64 letters, digits, '_' or '-'";

/**
 * Whether a value is a valid camera name.
 *
 * @example
 * ```ts
 * import { isCameraName } from "./camera_name.ts";
 * console.log(isCameraName("front-door"), isCameraName("../etc")); // true false
 * ```
 */
export function isCameraName(value: unknown): value is string {
  return typeof value === "string" && CAMERA_NAME_PATTERN.test(value);
}
