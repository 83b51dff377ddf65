import assert from "node:assert/strict";
import {
  letterbox,
  type LetterboxPlan,
  PAD_VALUE,
  planLetterbox,
  unletterboxBox,
} from "../../lib/yolo/letterbox.ts";
import { resizeLinear } from "../../lib/yolo/resize_linear.ts";

/**
 * The plan's integer fields as plain numbers. `+ 0` turns a -0 (what JS's `Math.round(-0.1)`
 * gives for a zero pad) into 0, which is what Python's `int(round(-0.1))` gives; the two are the
 * same pixel count.
 */
function geometry(p: LetterboxPlan) {
  return {
    width: p.width + 0,
    height: p.height + 0,
    left: p.left + 0,
    top: p.top + 0,
    outWidth: p.outWidth + 0,
    outHeight: p.outHeight + 0,
  };
}

function close(actual: readonly number[], expected: readonly number[], eps = 1e-9) {
  assert.equal(actual.length, expected.length);
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) <= eps, `[${i}] ${v} vs ${expected[i]}`));
}

// --- planLetterbox --------------------------------------------------------------------------------

Deno.test("planLetterbox: 810x1080 portrait into 640x640", () => {
  // ratio = min(640/1080, 640/810) = 640/1080 = 0.5926; width = round(810 * 0.5926) = 480,
  // height = 640; dw = 160 / 2 = 80 -> left round(79.9) = 80, right round(80.1) = 80; dh = 0
  const p = planLetterbox(810, 1080, [640, 640]);
  assert.equal(p.ratio, 640 / 1080);
  assert.equal(p.srcWidth, 810);
  assert.equal(p.srcHeight, 1080);
  assert.deepEqual(geometry(p), { width: 480, height: 640, left: 80, top: 0, outWidth: 640, outHeight: 640 });
});

Deno.test("planLetterbox: 1280x720 landscape into 640x640", () => {
  // ratio = min(640/720, 640/1280) = 0.5 -> 640x360; dh = 280 / 2 = 140 -> top 140, bottom 140
  const p = planLetterbox(1280, 720, [640, 640]);
  assert.equal(p.ratio, 0.5);
  assert.deepEqual(geometry(p), {
    width: 640,
    height: 360,
    left: 0,
    top: 140,
    outWidth: 640,
    outHeight: 640,
  });
});

Deno.test("planLetterbox: a non-square target [height, width]", () => {
  // 1920x1080 into [384, 640]: ratio = min(384/1080, 640/1920) = 1/3 -> 640x360; dh = 24/2 = 12
  const p = planLetterbox(1920, 1080, [384, 640]);
  assert.equal(p.ratio, 1 / 3);
  assert.deepEqual(geometry(p), { width: 640, height: 360, left: 0, top: 12, outWidth: 640, outHeight: 384 });
});

Deno.test("planLetterbox: sizes round half to even, as Python's round()", () => {
  // 1280x5 into 640x640: ratio = min(640/5, 640/1280) = 0.5; height = round(2.5) = 2 in Python
  // (half to even; Math.round would say 3). dh = (640 - 2) / 2 = 319 -> top = round(318.9) = 319.
  // With a height of 3, dh would be 318.5 and top round(318.4) = 318.
  const p = planLetterbox(1280, 5, [640, 640]);
  assert.equal(p.ratio, 0.5);
  assert.deepEqual(geometry(p), { width: 640, height: 2, left: 0, top: 319, outWidth: 640, outHeight: 640 });
  // 1280x7: round(3.5) = 4 (already even): dh = 636 / 2 = 318
  const q = planLetterbox(1280, 7, [640, 640]);
  assert.deepEqual(geometry(q), { width: 640, height: 4, left: 0, top: 318, outWidth: 640, outHeight: 640 });
  // 5x1280, transposed: width = round(2.5) = 2, left 319
  const r = planLetterbox(5, 1280, [640, 640]);
  assert.deepEqual(geometry(r), { width: 2, height: 640, left: 319, top: 0, outWidth: 640, outHeight: 640 });
});

Deno.test("planLetterbox: an odd padding puts the extra pixel after the image", () => {
  // 641x1 into 640x640: ratio = 640/641, width 640, height round(0.998) = 1;
  // dh = 639 / 2 = 319.5 -> top = round(319.4) = 319, bottom = round(319.6) = 320
  const p = planLetterbox(641, 1, [640, 640]);
  assert.deepEqual(geometry(p), { width: 640, height: 1, left: 0, top: 319, outWidth: 640, outHeight: 640 });
});

Deno.test("planLetterbox: auto pads only up to a multiple of the stride", () => {
  // 1280x720, auto: dw = 0, dh = 280 % 32 = 24 -> 12 above and 12 below: 640x384 (= 12 * 32)
  const p = planLetterbox(1280, 720, [640, 640], { auto: true });
  assert.deepEqual(geometry(p), { width: 640, height: 360, left: 0, top: 12, outWidth: 640, outHeight: 384 });
  // stride 64: dh = 280 % 64 = 24 as well; 810x1080: dw = 160 % 64 = 32 -> 16 each side, 512 wide
  const q = planLetterbox(810, 1080, [640, 640], { auto: true, stride: 64 });
  assert.deepEqual(geometry(q), { width: 480, height: 640, left: 16, top: 0, outWidth: 512, outHeight: 640 });
  assert.equal(q.outWidth % 64, 0);
  // dw = 160 % 32 = 0 with the default stride: no padding at all
  const r = planLetterbox(810, 1080, [640, 640], { auto: true });
  assert.deepEqual(geometry(r), { width: 480, height: 640, left: 0, top: 0, outWidth: 480, outHeight: 640 });
});

Deno.test("planLetterbox: scaleUp false keeps small images at ratio 1", () => {
  // 320x240 into 640x640: would scale by min(640/240, 640/320) = 2; capped to 1 it is padded:
  // dw = 320 / 2 = 160, dh = 400 / 2 = 200
  const p = planLetterbox(320, 240, [640, 640], { scaleUp: false });
  assert.equal(p.ratio, 1);
  assert.deepEqual(geometry(p), {
    width: 320,
    height: 240,
    left: 160,
    top: 200,
    outWidth: 640,
    outHeight: 640,
  });
  // scaling up (the default): 640x480, dh = 160 / 2 = 80
  const q = planLetterbox(320, 240, [640, 640]);
  assert.equal(q.ratio, 2);
  assert.deepEqual(geometry(q), { width: 640, height: 480, left: 0, top: 80, outWidth: 640, outHeight: 640 });
  // scaleUp false does not stop shrinking
  assert.equal(planLetterbox(1280, 720, [640, 640], { scaleUp: false }).ratio, 0.5);
});

Deno.test("planLetterbox: bad source sizes -> RangeError", () => {
  assert.throws(() => planLetterbox(0, 10, [640, 640]), RangeError);
  assert.throws(() => planLetterbox(10, -1, [640, 640]), RangeError);
  assert.throws(() => planLetterbox(NaN, 10, [640, 640]), RangeError);
});

// --- letterbox ------------------------------------------------------------------------------------

/** The RGB value of pixel (x, y) of a packed image `width` pixels wide. */
function pixelAt(img: Uint8Array, width: number, x: number, y: number): number[] {
  const o = (y * width + x) * 3;
  return [img[o], img[o + 1], img[o + 2]];
}

Deno.test("letterbox: same scale, pads above and below with 114", () => {
  // 4x2 of value 10 into 4x4: ratio min(4/2, 4/4) = 1, dh = 2/2 = 1 -> top 1, bottom 1
  const plan = planLetterbox(4, 2, [4, 4]);
  const out = letterbox(new Uint8Array(4 * 2 * 3).fill(10), plan);
  assert.equal(PAD_VALUE, 114);
  assert.equal(out.length, 4 * 4 * 3);
  const expected = [
    ...new Array(4 * 3).fill(114), // row 0: pad
    ...new Array(8 * 3).fill(10), // rows 1-2: image
    ...new Array(4 * 3).fill(114), // row 3: pad
  ];
  assert.deepEqual([...out], expected);
});

Deno.test("letterbox: output size, padding 114 and the image area at its place", () => {
  // 30x20 into 16x16: ratio = min(16/20, 16/30) = 0.5333; width = round(16.0) = 16,
  // height = round(10.67) = 11; dh = 5 / 2 = 2.5 -> top round(2.4) = 2, bottom round(2.6) = 3
  const plan = planLetterbox(30, 20, [16, 16]);
  assert.deepEqual(geometry(plan), { width: 16, height: 11, left: 0, top: 2, outWidth: 16, outHeight: 16 });
  // an RGB colour: a uniform image resizes to the same colour
  const src = new Uint8Array(30 * 20 * 3);
  for (let i = 0; i < src.length; i += 3) src.set([200, 7, 0], i);
  const out = letterbox(src, plan);
  assert.equal(out.length, 16 * 16 * 3);
  for (let y = 0; y < 16; y++) {
    for (let x = 0; x < 16; x++) {
      const inImage = y >= 2 && y < 13;
      assert.deepEqual(pixelAt(out, 16, x, y), inImage ? [200, 7, 0] : [114, 114, 114], `(${x}, ${y})`);
    }
  }
});

Deno.test("letterbox: left/right padding and an exact 2x reduction", () => {
  // 16x32 into 8x8: ratio = min(8/32, 8/16) = 0.25 -> 4x8, dw = 4 / 2 = 2 -> left 2, right 2.
  // A uniform source, so only the placement of image and padding is checked here.
  const plan = planLetterbox(16, 32, [8, 8]);
  assert.deepEqual(geometry(plan), { width: 4, height: 8, left: 2, top: 0, outWidth: 8, outHeight: 8 });
  const out = letterbox(new Uint8Array(16 * 32 * 3).fill(50), plan);
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) {
      const v = x >= 2 && x < 6 ? 50 : 114;
      assert.deepEqual(pixelAt(out, 8, x, y), [v, v, v], `(${x}, ${y})`);
    }
  }
  // 8x4 -> 4x2 is an exact 2x reduction: each output pixel is its 2x2 block's mean
  const half = planLetterbox(8, 4, [4, 4]); // ratio 0.5 -> 4x2, top 1
  const src = new Uint8Array(8 * 4 * 3);
  for (let y = 0; y < 4; y++) {
    for (let x = 0; x < 8; x++) src.fill(x < 4 ? 20 : 220, (y * 8 + x) * 3, (y * 8 + x + 1) * 3);
  }
  const img = letterbox(src, half);
  // row 0 and 3 pad; rows 1-2: two pixels of 20 then two of 220
  assert.deepEqual(pixelAt(img, 4, 0, 1), [20, 20, 20]);
  assert.deepEqual(pixelAt(img, 4, 1, 2), [20, 20, 20]);
  assert.deepEqual(pixelAt(img, 4, 2, 1), [220, 220, 220]);
  assert.deepEqual(pixelAt(img, 4, 3, 2), [220, 220, 220]);
  assert.deepEqual(pixelAt(img, 4, 0, 0), [114, 114, 114]);
  assert.deepEqual(pixelAt(img, 4, 3, 3), [114, 114, 114]);
});

// --- unletterboxBox -------------------------------------------------------------------------------

Deno.test("unletterboxBox: maps the image area back to the whole source", () => {
  const plan = planLetterbox(1280, 720, [640, 640]); // ratio 0.5, top 140
  assert.deepEqual(unletterboxBox([0, 140, 640, 500], plan), [0, 0, 1280, 720]);
});

Deno.test("unletterboxBox: inverts the forward mapping", () => {
  const plan = planLetterbox(1280, 720, [640, 640]);
  // source [200, 120, 600, 520] -> x * 0.5 + 0, y * 0.5 + 140 = [100, 200, 300, 400]
  assert.deepEqual(unletterboxBox([100, 200, 300, 400], plan), [200, 120, 600, 520]);

  const portrait = planLetterbox(810, 1080, [640, 640]); // ratio 640/1080, left 80
  // source [81, 108, 405, 540] * 640/1080 = [48, 64, 240, 320]; + left 80 on x
  close(unletterboxBox([128, 64, 320, 320], portrait), [81, 108, 405, 540]);

  // any source box survives the round trip
  const forward = (b: number[], p: LetterboxPlan) =>
    [b[0] * p.ratio + p.left, b[1] * p.ratio + p.top, b[2] * p.ratio + p.left, b[3] * p.ratio + p.top] as [
      number,
      number,
      number,
      number,
    ];
  for (const src of [[0, 0, 810, 1080], [10.5, 20.25, 300, 999], [400, 500, 401, 501]]) {
    close(unletterboxBox(forward(src, portrait), portrait), src, 1e-9);
  }
});

Deno.test("unletterboxBox: clips to the source image", () => {
  const plan = planLetterbox(1280, 720, [640, 640]);
  // x1 = -10 / 0.5 = -20 -> 0; y1 = (100 - 140) / 0.5 = -80 -> 0;
  // x2 = 700 / 0.5 = 1400 -> 1280; y2 = (600 - 140) / 0.5 = 920 -> 720
  assert.deepEqual(unletterboxBox([-10, 100, 700, 600], plan), [0, 0, 1280, 720]);
  // a box entirely in the top padding collapses onto the top edge
  assert.deepEqual(unletterboxBox([10, 0, 20, 100], plan), [20, 0, 40, 0]);
});

// --- resizeLinear ---------------------------------------------------------------------------------

Deno.test("resizeLinear: the same size returns a copy", () => {
  const src = Uint8Array.from({ length: 3 * 2 * 3 }, (_, i) => i * 13);
  const out = resizeLinear(src, 3, 2, 3, 3, 2);
  assert.deepEqual(out, src);
  assert.notEqual(out, src);
  out[0] = 99;
  assert.equal(src[0], 0, "the source is not shared");
  // a larger buffer is trimmed to the image
  const padded = new Uint8Array(src.length + 5).fill(1);
  padded.set(src);
  assert.deepEqual(resizeLinear(padded, 3, 2, 3, 3, 2), src);
});

Deno.test("resizeLinear: a uniform image stays uniform whatever the sizes", () => {
  // Every output is a weighted mean of equal values, so it must equal them.
  const sizes: [number, number, number, number][] = [
    [7, 5, 3, 9], // shrink x, grow y
    [10, 10, 13, 4],
    [1, 1, 5, 5], // from one pixel
    [5, 5, 1, 1], // to one pixel
    [640, 480, 320, 213],
    [270, 360, 160, 213],
    [33, 17, 100, 51],
    [4, 4, 2, 2], // exact 2x reduction
    [6, 4, 3, 2],
  ];
  for (const channels of [1, 3, 4]) {
    for (const value of [0, 1, 77, 128, 254, 255]) {
      for (const [sw, sh, dw, dh] of sizes) {
        const out = resizeLinear(new Uint8Array(sw * sh * channels).fill(value), sw, sh, channels, dw, dh);
        assert.equal(out.length, dw * dh * channels);
        const wrong = out.findIndex((v) => v !== value);
        assert.equal(
          wrong,
          -1,
          `${sw}x${sh}x${channels} -> ${dw}x${dh} of ${value}: [${wrong}] = ${out[wrong]}`,
        );
      }
    }
  }
});

Deno.test("resizeLinear: exact 2x reduction averages 2x2 blocks, rounding half up", () => {
  // 4x2, one channel: two 2x2 blocks [a b; c d] -> (a + b + c + d + 2) >> 2
  //   block 1: 10, 20, 30, 41 -> (101 + 2) >> 2 = 25   (mean 25.25)
  //   block 2: 0, 0, 0, 2     -> (2 + 2) >> 2 = 1      (mean 0.5 rounds up)
  // deno-fmt-ignore
  const src = Uint8Array.from([
    10, 20,   0, 0,
    30, 41,   0, 2,
  ]);
  assert.deepEqual([...resizeLinear(src, 4, 2, 1, 2, 1)], [25, 1]);

  // 2x2, three channels: per channel
  //   R: 255, 255, 255, 254 -> (1019 + 2) >> 2 = 255  (mean 254.75)
  //   G: 1, 2, 2, 2         -> (7 + 2) >> 2 = 2       (mean 1.75)
  //   B: 0, 1, 0, 0         -> (1 + 2) >> 2 = 0       (mean 0.25)
  // deno-fmt-ignore
  const rgb = Uint8Array.from([
    255, 1, 0,   255, 2, 1,
    255, 2, 0,   254, 2, 0,
  ]);
  assert.deepEqual([...resizeLinear(rgb, 2, 2, 3, 1, 1)], [255, 2, 0]);
});

Deno.test("resizeLinear: 2x horizontal upscale of a two-pixel ramp", () => {
  // OpenCV's INTER_LINEAR maps dst x to src (x + 0.5) * 0.5 - 0.5 = -0.25, 0.25, 0.75, 1.25;
  // the ends clamp to the edge pixels, the middle two blend 0 and 255 at 1/4 and 3/4:
  // 255 * 0.25 = 63.75 -> 64, 255 * 0.75 = 191.25 -> 191
  const out = resizeLinear(Uint8Array.from([0, 255]), 2, 1, 1, 4, 1);
  assert.deepEqual([...out], [0, 64, 191, 255]);
});

Deno.test("resizeLinear: bad buffers and sizes -> RangeError", () => {
  assert.throws(() => resizeLinear(new Uint8Array(11), 2, 2, 3, 1, 1), RangeError); // 12 needed
  assert.throws(() => resizeLinear(new Uint8Array(12), 2, 2, 3, 0, 1), RangeError);
  assert.throws(() => resizeLinear(new Uint8Array(12), 2, 2, 3, 1, 0), RangeError);
});
