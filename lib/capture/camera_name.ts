/**
 * The rule for camera names, in one place: a name becomes a folder of clips, a part of each
 * task id and a metrics label, so it is kept to letters, digits, `_` and `-`.
 *
 * @module
 */

/**
 * What a camera name may hold (1 to 64 letters, digits, `_` or `-`).
 *
 * @example
 * ```ts
 * import { CAMERA_NAME_PATTERN } from "./camera_name.ts";
 * console.log(CAMERA_NAME_PATTERN.test("back_yard-2")); // true
 * ```
 */
export const CAMERA_NAME_PATTERN: RegExp = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The rule in words, for error messages.
 *
 * @example
 * ```ts
 * import { CAMERA_NAME_RULE, isCameraName } from "./camera_name.ts";
 * const name = "front door";
 * if (!isCameraName(name)) console.error(`camera name must be ${CAMERA_NAME_RULE}, got ${name}`);
 * ```
 */
export const CAMERA_NAME_RULE = "1-64 letters, digits, '_' or '-'";

/**
 * Whether a value is a valid camera name.
 *
 * @returns true only for a string of 1 to 64 ASCII letters, digits, `_` or `-` (no dots or slashes, so it is
 *   safe as a folder name)
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
