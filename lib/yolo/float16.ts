/**
 * IEEE 754 half-precision conversions for models exported with `half=True`.
 *
 * @module
 */

/**
 * Converts a float to the bits of the nearest half-precision value (round to nearest even).
 *
 * @returns the 16 bits, rounded to nearest even; too large values become ±Infinity, too small ones ±0, NaN
 *   stays NaN
 *
 * @example
 * ```ts
 * import { float32ToFloat16Bits } from "./float16.ts";
 * console.log(float32ToFloat16Bits(1).toString(16)); // "3c00"
 * ```
 */
export function float32ToFloat16Bits(value: number): number {
  const f = new Float32Array([value]);
  const x = new Uint32Array(f.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && (half & 1))) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1))) half++;
  return sign | half;
}

/**
 * Converts half-precision bits to floats.
 *
 * @example
 * ```ts
 * import { float16ToFloat32 } from "./float16.ts";
 * console.log(float16ToFloat32(new Uint16Array([0x3c00, 0xc000]))); // Float32Array [1, -2]
 * ```
 */
export function float16ToFloat32(bits: Uint16Array): Float32Array<ArrayBuffer> {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i];
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    out[i] = exp === 0
      ? sign * mant * 2 ** -24
      : exp === 0x1f
      ? (mant ? NaN : sign * Infinity)
      : sign * (1 + mant / 1024) * 2 ** (exp - 15);
  }
  return out;
}
