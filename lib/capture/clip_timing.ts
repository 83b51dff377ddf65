/**
 * How long a clip is: the four timings, their defaults and bounds, written once. The recorder
 * applies them; the configuration reads `CLIP_SECONDS`, `PREROLL_SECONDS`, `MAX_CLIP_SECONDS`
 * and `COOLDOWN_SECONDS` against the same rules.
 *
 * @module
 */

import { checkSetting, type NumberSetting } from "../number_setting.ts";

/** When a clip starts and ends, relative to the motion that triggered it. */
export interface ClipTiming {
  /**
   * Seconds recorded after the start of the motion (the prototype's 30).
   * @default 30
   */
  readonly clipSeconds: number;
  /**
   * Seconds recorded before the start of the motion.
   * @default 5
   */
  readonly prerollSeconds: number;
  /**
   * Longest clip after the start of the motion (pre-roll not counted) while motion goes on;
   * never shorter than `clipSeconds`.
   * @default the larger of 120 and clipSeconds
   */
  readonly maxClipSeconds: number;
  /**
   * A clip ends no sooner than this many seconds after the last motion.
   * @default 5
   */
  readonly cooldownSeconds: number;
}

/**
 * The defaults and bounds of each timing, in seconds.
 *
 * @example
 * ```ts
 * import { CLIP_TIMING } from "./clip_timing.ts";
 * console.log(CLIP_TIMING.clipSeconds.default); // 30
 * ```
 */
export const CLIP_TIMING = {
  clipSeconds: { default: 30, min: 1, max: 3600 },
  prerollSeconds: { default: 5, min: 0, max: 600 },
  maxClipSeconds: { default: 120, min: 1, max: 86_400 },
  cooldownSeconds: { default: 5, min: 0, max: 3600 },
} as const satisfies Record<keyof ClipTiming, NumberSetting>;

/**
 * The full timing from partial options: defaults filled in, bounds checked, and the maximum
 * raised to the clip length when only the clip length is given. Throws a `RangeError` naming
 * the option that breaks a rule.
 *
 * @param options timings in seconds; any left out take their default
 * @throws {RangeError} when a timing is outside its bounds in {@linkcode CLIP_TIMING} or not a finite number,
 *   or when `maxClipSeconds` is given smaller than `clipSeconds`
 *
 * @example
 * ```ts
 * import { clipTiming } from "./clip_timing.ts";
 * console.log(clipTiming({ clipSeconds: 300 }));
 * // { clipSeconds: 300, prerollSeconds: 5, maxClipSeconds: 300, cooldownSeconds: 5 }
 * ```
 */
export function clipTiming(options: Partial<ClipTiming> = {}): ClipTiming {
  const clipSeconds = checkSetting("clipSeconds", options.clipSeconds, CLIP_TIMING.clipSeconds);
  const maxClipSeconds = checkSetting(
    "maxClipSeconds",
    options.maxClipSeconds ?? Math.max(CLIP_TIMING.maxClipSeconds.default, clipSeconds),
    CLIP_TIMING.maxClipSeconds,
  );
  if (maxClipSeconds < clipSeconds) {
    throw new RangeError(`maxClipSeconds (${maxClipSeconds}) must be at least clipSeconds (${clipSeconds})`);
  }
  return {
    clipSeconds,
    prerollSeconds: checkSetting("prerollSeconds", options.prerollSeconds, CLIP_TIMING.prerollSeconds),
    maxClipSeconds,
    cooldownSeconds: checkSetting("cooldownSeconds", options.cooldownSeconds, CLIP_TIMING.cooldownSeconds),
  };
}
