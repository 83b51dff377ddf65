/**
 * Which tracks count as objects: a track is confirmed when the median score of its detections
 * reaches a threshold and it was seen in enough analysed frames, as Frigate confirms its objects
 * by the median over their history. What is left (a bird glimpsed once at 0.25, a piece of a bus
 * behind a person) is rejected, counted apart. A confirmed track whose box barely moves over its
 * life is stationary: a parked car, not an arriving one.
 *
 * @module
 */

import { checkSetting, type NumberSetting } from "../number_setting.ts";
import { iou } from "./nms.ts";
import type { PixelBox, Track } from "./object_tracker.ts";

/**
 * The defaults and bounds of confirmation, the one place they are written. `minScore` and
 * `minFrames` were chosen by measurement on the ground-truth videos (docs/architecture.md,
 * "Facts measured").
 *
 * @example
 * ```ts
 * import { CONFIRMATION_SETTINGS } from "./track_confirmation.ts";
 * console.log(CONFIRMATION_SETTINGS.minFrames.default); // 2
 * ```
 */
export const CONFIRMATION_SETTINGS = {
  /** least median score of a confirmed track */
  minScore: { default: 0.5, min: 0, max: 1 },
  /** fewest analysed frames a confirmed track was seen in */
  minFrames: { default: 2, min: 1, integer: true },
  /** least IoU of every box of a stationary track with its median box */
  stationaryIou: { default: 0.6, min: 0, max: 1 },
} as const satisfies Record<string, NumberSetting>;

/** Options of {@linkcode confirmTrack}; see {@linkcode CONFIRMATION_SETTINGS} for the bounds. */
export interface ConfirmationOptions {
  /**
   * Least median score of the track's detections.
   * @default 0.5
   */
  minScore?: number;
  /**
   * Fewest analysed frames the track was seen in.
   * @default 2
   */
  minFrames?: number;
  /**
   * Least IoU of each of the track's boxes with its median box for the track to be stationary.
   * @default 0.6
   */
  stationaryIou?: number;
}

/** What {@linkcode confirmTrack} says of a track. */
export interface TrackVerdict {
  /** the track counts as an object */
  readonly confirmed: boolean;
  /** median score of its detections */
  readonly score: number;
  /** its best detection's index into `observations` (the first of equal scores) */
  readonly best: number;
  /** its box barely moved over its life (false for a track seen once: nothing says it stays) */
  readonly stationary: boolean;
}

/**
 * The median of some numbers (the mean of the two middle ones for an even count).
 *
 * @returns NaN for no numbers
 *
 * @example
 * ```ts
 * import { median } from "./track_confirmation.ts";
 * console.log(median([0.9, 0.3, 0.8])); // 0.8
 * ```
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The box made of the median of each corner: steady against a few jumpy boxes. */
function medianBox(boxes: readonly PixelBox[]): PixelBox {
  return [0, 1, 2, 3].map((k) => median(boxes.map((b) => b[k]))) as unknown as PixelBox;
}

/**
 * Checks options against {@linkcode CONFIRMATION_SETTINGS} and fills in the defaults.
 *
 * @throws {RangeError} when an option is outside its bounds
 *
 * @example
 * ```ts
 * import { confirmationSettings } from "./track_confirmation.ts";
 * console.log(confirmationSettings({ minFrames: 3 })); // { minScore: 0.5, minFrames: 3, stationaryIou: 0.6 }
 * ```
 */
export function confirmationSettings(options: ConfirmationOptions = {}): Required<ConfirmationOptions> {
  const s = CONFIRMATION_SETTINGS;
  return {
    minScore: checkSetting("minScore", options.minScore, s.minScore),
    minFrames: checkSetting("minFrames", options.minFrames, s.minFrames),
    stationaryIou: checkSetting("stationaryIou", options.stationaryIou, s.stationaryIou),
  };
}

/**
 * Decides whether a track is an object, and whether it stood still.
 *
 * @throws {RangeError} when an option is outside its bounds, or the track has no observation
 *
 * @example
 * ```ts
 * import { confirmTrack } from "./track_confirmation.ts";
 * const seen = (time: number, score: number) => ({ time, score, box: [10, 10, 50, 90] as const });
 * const track = { id: 1, label: "car", observations: [seen(0, 0.8), seen(1, 0.9), seen(2, 0.4)] };
 * console.log(confirmTrack(track)); // { confirmed: true, score: 0.8, best: 1, stationary: true }
 * ```
 */
export function confirmTrack(track: Track, options: ConfirmationOptions = {}): TrackVerdict {
  const { minScore, minFrames, stationaryIou } = confirmationSettings(options);
  const seen = track.observations;
  if (seen.length === 0) throw new RangeError(`track ${track.id} has no observation`);
  const score = median(seen.map((o) => o.score));
  let best = 0;
  seen.forEach((o, i) => {
    if (o.score > seen[best].score) best = i;
  });
  const typical = medianBox(seen.map((o) => o.box));
  const stationary = seen.length > 1 && seen.every((o) => iou(o.box, typical) >= stationaryIou);
  return { confirmed: score >= minScore && seen.length >= minFrames, score, best, stationary };
}
