/**
 * Ultralytics' letterbox: scale an image to fit the model input keeping its aspect ratio, pad
 * the rest with grey 114, and map boxes back to the source image afterwards.
 *
 * @module
 */

import { resizeLinear, roundHalfEven as pyRound } from "./resize_linear.ts";

/**
 * Grey level of the padding, as in Ultralytics' `LetterBox`.
 *
 * @example
 * ```ts
 * import { PAD_VALUE } from "./letterbox.ts";
 * console.log(PAD_VALUE / 255); // the value padding takes in the model input
 * ```
 */
export const PAD_VALUE = 114;

/** Where the resized image sits inside the model input. */
export interface LetterboxPlan {
  /** width of the source image in pixels */
  readonly srcWidth: number;
  /** height of the source image in pixels */
  readonly srcHeight: number;
  /** width of the resized image in pixels, before padding */
  readonly width: number;
  /** height of the resized image in pixels, before padding */
  readonly height: number;
  /** width of the padded result (the model input) in pixels */
  readonly outWidth: number;
  /** height of the padded result (the model input) in pixels */
  readonly outHeight: number;
  /** padding left of the image, in pixels */
  readonly left: number;
  /** padding above the image, in pixels */
  readonly top: number;
  /** scale factor applied to the source */
  readonly ratio: number;
}

/** Options of {@linkcode planLetterbox}. */
export interface LetterboxOptions {
  /**
   * Pad only up to the next multiple of `stride` instead of the full target (Ultralytics'
   * `auto`, used for models with a dynamic input size).
   * @default false
   */
  auto?: boolean;
  /**
   * Stride the padded size must be a multiple of when `auto` is on.
   * @default 32
   */
  stride?: number;
  /**
   * Allow enlarging images smaller than the target.
   * @default true
   */
  scaleUp?: boolean;
}

/**
 * Computes the letterbox geometry for a `srcWidth x srcHeight` image and a
 * `[height, width]` target, with Ultralytics' rounding (Python's round half to even).
 *
 * @param target the model's input size, `[height, width]` in pixels (height first, as Ultralytics writes
 *   `imgsz`)
 * @throws {RangeError} when the source is smaller than 1x1 (or its size is not a number)
 *
 * @example
 * ```ts
 * import { planLetterbox } from "./letterbox.ts";
 * const plan = planLetterbox(810, 1080, [640, 640]);
 * console.log(plan.width, plan.height, plan.left, plan.top); // 480 640 80 0
 * ```
 */
export function planLetterbox(
  srcWidth: number,
  srcHeight: number,
  target: readonly [number, number],
  options: LetterboxOptions = {},
): LetterboxPlan {
  const { auto = false, stride = 32, scaleUp = true } = options;
  if (!(srcWidth >= 1 && srcHeight >= 1)) {
    throw new RangeError(`letterbox: bad source size ${srcWidth}x${srcHeight}`);
  }
  const [th, tw] = target;
  let ratio = Math.min(th / srcHeight, tw / srcWidth);
  if (!scaleUp) ratio = Math.min(ratio, 1);
  const width = pyRound(srcWidth * ratio);
  const height = pyRound(srcHeight * ratio);
  let dw = tw - width;
  let dh = th - height;
  if (auto) {
    dw %= stride;
    dh %= stride;
  }
  dw /= 2;
  dh /= 2;
  const top = pyRound(dh - 0.1);
  const bottom = pyRound(dh + 0.1);
  const left = pyRound(dw - 0.1);
  const right = pyRound(dw + 0.1);
  return {
    srcWidth,
    srcHeight,
    width,
    height,
    outWidth: width + left + right,
    outHeight: height + top + bottom,
    left,
    top,
    ratio,
  };
}

/**
 * Applies a plan to packed RGB (or any 3-channel) pixels: bilinear resize exactly as OpenCV
 * does, then constant padding. Returns packed pixels of `outWidth x outHeight`.
 *
 * @throws {RangeError} when `rgb` holds fewer than `srcWidth * srcHeight * 3` bytes
 *
 * @example
 * ```ts
 * import { letterbox, planLetterbox } from "./letterbox.ts";
 * const plan = planLetterbox(4, 2, [4, 4]);
 * const out = letterbox(new Uint8Array(4 * 2 * 3).fill(10), plan);
 * console.log(out[0], out[4 * 3 + 0]); // 114 10
 * ```
 */
export function letterbox(rgb: Uint8Array, plan: LetterboxPlan): Uint8Array {
  const resized = resizeLinear(rgb, plan.srcWidth, plan.srcHeight, 3, plan.width, plan.height);
  const out = new Uint8Array(plan.outWidth * plan.outHeight * 3).fill(PAD_VALUE);
  const rowBytes = plan.width * 3;
  for (let y = 0; y < plan.height; y++) {
    out.set(
      resized.subarray(y * rowBytes, (y + 1) * rowBytes),
      ((y + plan.top) * plan.outWidth + plan.left) * 3,
    );
  }
  return out;
}

/**
 * Maps a box `[x1, y1, x2, y2]` from model-input pixels back to source pixels, clipped to the
 * source image (Ultralytics' `scale_boxes` followed by `clip_boxes`).
 *
 * @returns the box in source pixels (floats, not rounded), each coordinate clipped to 0..width or 0..height
 *
 * @example
 * ```ts
 * import { planLetterbox, unletterboxBox } from "./letterbox.ts";
 * const plan = planLetterbox(1280, 720, [640, 640]);
 * console.log(unletterboxBox([0, 140, 640, 500], plan)); // [0, 0, 1280, 720]
 * ```
 */
export function unletterboxBox(
  box: readonly [number, number, number, number],
  plan: LetterboxPlan,
): [number, number, number, number] {
  const clip = (v: number, max: number) => (v < 0 ? 0 : v > max ? max : v);
  return [
    clip((box[0] - plan.left) / plan.ratio, plan.srcWidth),
    clip((box[1] - plan.top) / plan.ratio, plan.srcHeight),
    clip((box[2] - plan.left) / plan.ratio, plan.srcWidth),
    clip((box[3] - plan.top) / plan.ratio, plan.srcHeight),
  ];
}
