/**
 * Bilinear resize of packed 8-bit images that reproduces OpenCV's `cv2.resize(...,
 * interpolation=cv2.INTER_LINEAR)` value for value.
 *
 * Ultralytics letterboxes every input with that call, and a detector's weak scores move when
 * the resize kernel changes, so matching it exactly is what makes our results equal theirs.
 * OpenCV works in fixed point (11-bit coefficients), computes its coefficients in float and
 * rounds them half to even, narrows to 16 bits before the vertical blend (its SIMD kernel) and
 * switches to area averaging for an exact 2x reduction; each of those quirks is reproduced
 * below, and checked against OpenCV's own output by the tests.
 *
 * @module
 */

const COEF_SCALE = 2048; // OpenCV's INTER_RESIZE_COEF_SCALE (11 bits)

/**
 * Rounds half to even, like OpenCV's `cvRound` (default FPU rounding mode) and Python's
 * `round()`. Never returns -0.
 *
 * @example
 * ```ts
 * import { roundHalfEven } from "./resize_linear.ts";
 * console.log(roundHalfEven(2.5), roundHalfEven(3.5), roundHalfEven(-0.1)); // 2 4 0
 * ```
 */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return (r - x === 0.5 && r % 2 !== 0 ? r - 1 : r) || 0;
}

interface Taps {
  /** first source index for each destination index */
  readonly index: Int32Array;
  /** weight of `index` and of `index + 1`, scaled by 2048 */
  readonly w0: Int32Array;
  readonly w1: Int32Array;
}

/**
 * Source taps and fixed-point weights along one axis. Horizontally OpenCV clamps the source
 * index and zeroes the fraction at both edges; vertically it only clamps the row it reads, and
 * keeps the weights, so the two axes differ on purpose.
 */
function taps(src: number, dst: number, clampWeights: boolean): Taps {
  const scale = 1 / (dst / src);
  const index = new Int32Array(dst);
  const w0 = new Int32Array(dst);
  const w1 = new Int32Array(dst);
  for (let d = 0; d < dst; d++) {
    let f = Math.fround((d + 0.5) * scale - 0.5);
    let s = Math.floor(f);
    f = Math.fround(f - s);
    if (clampWeights) {
      if (s < 0) f = 0, s = 0;
      if (s >= src - 1) f = 0, s = src - 1;
    }
    index[d] = s;
    w0[d] = roundHalfEven(Math.fround(1 - f) * COEF_SCALE);
    w1[d] = roundHalfEven(f * COEF_SCALE);
  }
  return { index, w0, w1 };
}

/**
 * Resizes a packed image (`channels` bytes per pixel, rows without padding) to
 * `dstWidth x dstHeight` exactly as OpenCV 4's `INTER_LINEAR` does for 8-bit data.
 *
 * @returns a new buffer of `dstWidth * dstHeight * channels` bytes (a copy when the size does not change)
 * @throws {RangeError} when `src` holds fewer than `srcWidth * srcHeight * channels` bytes, or the target is
 *   smaller than 1x1
 *
 * @example
 * ```ts
 * import { resizeLinear } from "./resize_linear.ts";
 * const src = new Uint8Array(4 * 4 * 3).fill(200);
 * const out = resizeLinear(src, 4, 4, 3, 2, 2);
 * console.log(out.length); // 12
 * ```
 */
export function resizeLinear(
  src: Uint8Array,
  srcWidth: number,
  srcHeight: number,
  channels: number,
  dstWidth: number,
  dstHeight: number,
): Uint8Array {
  if (src.length < srcWidth * srcHeight * channels) {
    throw new RangeError(
      `resizeLinear: buffer of ${src.length} bytes is too small for ${srcWidth}x${srcHeight}x${channels}`,
    );
  }
  if (dstWidth < 1 || dstHeight < 1) {
    throw new RangeError(`resizeLinear: bad target size ${dstWidth}x${dstHeight}`);
  }
  if (dstWidth === srcWidth && dstHeight === srcHeight) {
    return src.slice(0, srcWidth * srcHeight * channels);
  }
  if (dstWidth * 2 === srcWidth && dstHeight * 2 === srcHeight) {
    // cv::resize turns an exact 2x INTER_LINEAR reduction into INTER_AREA.
    return halve(src, srcWidth, channels, dstWidth, dstHeight);
  }
  const h = taps(srcWidth, dstWidth, true);
  const v = taps(srcHeight, dstHeight, false);
  const rowLength = dstWidth * channels;
  const srcStride = srcWidth * channels;
  const out = new Uint8Array(rowLength * dstHeight);

  // Horizontally resized source rows, cached because neighbouring output rows share them.
  const rows = [new Int32Array(rowLength), new Int32Array(rowLength)];
  const rowOf = [-1, -1];
  const horizontal = (sy: number): Int32Array => {
    const hit = rowOf.indexOf(sy);
    if (hit >= 0) return rows[hit];
    // Evict the row that is not the other tap of the current output row.
    const slot = rowOf[0] < rowOf[1] ? 0 : 1;
    const row = rows[slot];
    rowOf[slot] = sy;
    const base = sy * srcStride;
    for (let dx = 0; dx < dstWidth; dx++) {
      const a0 = h.w0[dx], a1 = h.w1[dx];
      const s = base + h.index[dx] * channels;
      const d = dx * channels;
      if (a1 === 0) {
        for (let c = 0; c < channels; c++) row[d + c] = src[s + c] * a0;
      } else {
        for (let c = 0; c < channels; c++) {
          row[d + c] = src[s + c] * a0 + src[s + channels + c] * a1;
        }
      }
    }
    return row;
  };

  const lastRow = srcHeight - 1;
  for (let dy = 0; dy < dstHeight; dy++) {
    const sy = v.index[dy];
    const y0 = sy < 0 ? 0 : sy > lastRow ? lastRow : sy;
    const y1 = sy + 1 < 0 ? 0 : sy + 1 > lastRow ? lastRow : sy + 1;
    const r0 = horizontal(y0);
    const r1 = horizontal(y1);
    const b0 = v.w0[dy], b1 = v.w1[dy];
    const o = dy * rowLength;
    for (let x = 0; x < rowLength; x++) {
      // OpenCV's SIMD kernel: (S >> 4) as int16, multiply-high, then a rounding shift by 2.
      const t = (((b0 * (r0[x] >> 4)) >> 16) + ((b1 * (r1[x] >> 4)) >> 16) + 2) >> 2;
      out[o + x] = t < 0 ? 0 : t > 255 ? 255 : t;
    }
  }
  return out;
}

/** OpenCV's fast INTER_AREA for an exact 2x reduction: the mean of each 2x2 block. */
function halve(
  src: Uint8Array,
  srcWidth: number,
  channels: number,
  dstWidth: number,
  dstHeight: number,
): Uint8Array {
  const rowLength = dstWidth * channels;
  const srcStride = srcWidth * channels;
  const out = new Uint8Array(rowLength * dstHeight);
  for (let dy = 0; dy < dstHeight; dy++) {
    const s0 = 2 * dy * srcStride;
    const s1 = s0 + srcStride;
    const o = dy * rowLength;
    for (let dx = 0; dx < dstWidth; dx++) {
      for (let c = 0; c < channels; c++) {
        const a = s0 + 2 * dx * channels + c;
        const b = s1 + 2 * dx * channels + c;
        const sum = src[a] + src[a + channels] + src[b] + src[b + channels];
        out[o + dx * channels + c] = (sum + 2) >> 2;
      }
    }
  }
  return out;
}
