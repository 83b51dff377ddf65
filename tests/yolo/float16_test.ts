import assert from "node:assert/strict";
import { float16ToFloat32, float32ToFloat16Bits } from "../../lib/yolo/float16.ts";

/** Decodes one half-precision bit pattern. */
const half = (bits: number): number => float16ToFloat32(Uint16Array.of(bits))[0];

const hex = (n: number) => "0x" + n.toString(16).padStart(4, "0");

// Half layout: sign (1 bit) | exponent (5 bits, bias 15) | mantissa (10 bits).

Deno.test("float32ToFloat16Bits: known bit patterns", () => {
  const cases: [number, number, string][] = [
    [0, 0x0000, "zero"],
    [-0, 0x8000, "negative zero keeps its sign"],
    [1, 0x3c00, "exponent 15 << 10"],
    [-2, 0xc000, "sign | exponent 16 << 10"],
    [0.5, 0x3800, "exponent 14 << 10"],
    [1.5, 0x3e00, "exponent 15, mantissa 512"],
    [65504, 0x7bff, "largest finite: (2 - 2^-10) * 2^15"],
    [1e6, 0x7c00, "overflow -> +infinity"],
    [-1e6, 0xfc00, "overflow -> -infinity"],
    [Infinity, 0x7c00, "+infinity"],
    [-Infinity, 0xfc00, "-infinity"],
    [2 ** -14, 0x0400, "smallest normal"],
    [2 ** -24, 0x0001, "smallest subnormal"],
    [1023 * 2 ** -24, 0x03ff, "largest subnormal"],
    [-(2 ** -24), 0x8001, "negative subnormal"],
    [2 ** -26, 0x0000, "below half the smallest subnormal -> 0"],
    // 0.1 = 1.6 * 2^-4: exponent 11 -> 0x2c00, mantissa round(0.6 * 1024 = 614.4) = 614 = 0x266
    [0.1, 0x2e66, "0.1"],
    // 1/3 = 1.333 * 2^-2: exponent 13 -> 0x3400, mantissa round(341.33) = 341 = 0x155
    [1 / 3, 0x3555, "1/3"],
  ];
  for (const [value, bits, what] of cases) {
    assert.equal(hex(float32ToFloat16Bits(value)), hex(bits), `${value} (${what})`);
  }
});

Deno.test("float32ToFloat16Bits: ties round to even", () => {
  // halfway between 1 (0x3c00) and 1 + 2^-10 (0x3c01): the even one, 0x3c00
  assert.equal(hex(float32ToFloat16Bits(1 + 2 ** -11)), "0x3c00");
  // just above that halfway point: up
  assert.equal(hex(float32ToFloat16Bits(1 + 2 ** -11 + 2 ** -20)), "0x3c01");
  // halfway between 0x3c01 and 0x3c02: the even one, 0x3c02
  assert.equal(hex(float32ToFloat16Bits(1 + 3 * 2 ** -11)), "0x3c02");
  // 65519 is below the halfway point 65520 between 65504 and 65536: stays finite
  assert.equal(hex(float32ToFloat16Bits(65519)), "0x7bff");
  // 65520 is the halfway point; 0x7bff is odd, so it rounds up to infinity
  assert.equal(hex(float32ToFloat16Bits(65520)), "0x7c00");
  // subnormals: 2^-25 is half the smallest subnormal -> even 0; 1.5 * 2^-25 -> 1;
  // 3 * 2^-25 lies between 1 and 2 subnormal steps -> even 2
  assert.equal(hex(float32ToFloat16Bits(2 ** -25)), "0x0000");
  assert.equal(hex(float32ToFloat16Bits(1.5 * 2 ** -25)), "0x0001");
  assert.equal(hex(float32ToFloat16Bits(3 * 2 ** -25)), "0x0002");
  // the largest subnormal plus half a step rounds (to even) into the smallest normal
  assert.equal(hex(float32ToFloat16Bits(1023.5 * 2 ** -24)), "0x0400");
});

Deno.test("float32ToFloat16Bits: NaN is a NaN pattern", () => {
  const bits = float32ToFloat16Bits(NaN);
  assert.equal(bits & 0x7c00, 0x7c00, "exponent all ones");
  assert.notEqual(bits & 0x03ff, 0, "mantissa not zero (else it would be infinity)");
  assert.ok(Number.isNaN(half(bits)));
});

Deno.test("float16ToFloat32: known bit patterns", () => {
  assert.equal(half(0x3c00), 1);
  assert.equal(half(0xc000), -2);
  assert.equal(half(0x3800), 0.5);
  assert.equal(half(0x7bff), 65504);
  assert.equal(half(0x0001), 2 ** -24);
  assert.equal(half(0x03ff), 1023 * 2 ** -24);
  assert.equal(half(0x0400), 2 ** -14);
  assert.equal(half(0x3555), 1365 / 4096); // (1 + 341/1024) / 4
  assert.equal(half(0x0000), 0);
  assert.ok(Object.is(half(0x8000), -0));
  assert.equal(half(0x7c00), Infinity);
  assert.equal(half(0xfc00), -Infinity);
  assert.ok(Number.isNaN(half(0x7e00)));
  assert.ok(Number.isNaN(half(0x7c01)));
  const many = float16ToFloat32(Uint16Array.of(0x3c00, 0xc000, 0x3800));
  assert.ok(many instanceof Float32Array);
  assert.deepEqual([...many], [1, -2, 0.5]);
  assert.equal(float16ToFloat32(new Uint16Array(0)).length, 0);
});

Deno.test("float16: every half value survives float16 -> float32 -> float16", () => {
  // Every half is exactly representable as a float32, so converting it back must give the same
  // bits (NaN patterns excepted: any NaN is fine).
  const all = new Uint16Array(65536);
  for (let i = 0; i < all.length; i++) all[i] = i;
  const floats = float16ToFloat32(all);
  for (let h = 0; h < 65536; h++) {
    const isNaN = (h & 0x7c00) === 0x7c00 && (h & 0x03ff) !== 0;
    if (isNaN) {
      assert.ok(Number.isNaN(floats[h]), hex(h));
      continue;
    }
    const back = float32ToFloat16Bits(floats[h]);
    if (back !== h) assert.fail(`${hex(h)} -> ${floats[h]} -> ${hex(back)}`);
  }
});

Deno.test("float16: v/255 pixel values round-trip within half precision", () => {
  // What the input tensor holds for float16 models: the 256 levels v / 255.
  for (let v = 0; v <= 255; v++) {
    const x = v / 255;
    const bits = float32ToFloat16Bits(x);
    const y = half(bits);
    // relative error of round-to-nearest with an 11-bit significand: at most 2^-11
    // (plus the float32 step the input takes first, 2^-24)
    assert.ok(Math.abs(y - x) <= 2 ** -11 * x + 2 ** -24, `${v}/255: ${x} -> ${hex(bits)} -> ${y}`);
    // and it is the nearest half: no neighbour pattern is closer
    for (const n of [bits - 1, bits + 1]) {
      if (n < 0 || n > 0x7bff) continue;
      assert.ok(Math.abs(half(n) - x) >= Math.abs(y - x), `${v}/255: ${hex(n)} is closer than ${hex(bits)}`);
    }
  }
  // the ends are exact
  assert.equal(float32ToFloat16Bits(0), 0);
  assert.equal(float32ToFloat16Bits(255 / 255), 0x3c00);
});
