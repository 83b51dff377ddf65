/**
 * Deterministic pseudo-random bytes (xorshift32, low byte of each state), the same generator
 * as tests/fixtures/opencv_reference.py, so both sides build identical test images.
 *
 * @module
 */

/**
 * `n` bytes from the xorshift32 sequence started at `seed` (non-zero).
 *
 * @example
 * ```ts
 * import { pseudoRandomBytes } from "./pseudo_random.ts";
 * console.log(pseudoRandomBytes(1000, 4).length); // 4
 * ```
 */
export function pseudoRandomBytes(seed: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * SHA-256 of some bytes (or of a typed array's bytes), as lowercase hex.
 *
 * @example
 * ```ts
 * import { sha256Hex } from "./pseudo_random.ts";
 * console.log((await sha256Hex(new Uint8Array())).slice(0, 8)); // "e3b0c442"
 * ```
 */
export async function sha256Hex(data: ArrayBufferView | ArrayBuffer): Promise<string> {
  const bytes = data instanceof ArrayBuffer
    ? new Uint8Array(data)
    : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
