/**
 * MotionDetector on synthetic frames: a still (noisy) scene, a moving block, a global lighting
 * change, a masked region, the warm-up and the event timing.
 */
import assert from "node:assert/strict";
import { type GrayFrame, MotionDetector, type MotionUpdate } from "../../lib/capture/motion_detector.ts";
import { pseudoRandomBytes } from "../helpers/pseudo_random.ts";

const W = 160, H = 120, STEP_MS = 200; // 5 fps

/** A grey scene with a little sensor noise (±4 levels), different in every frame. */
function scene(index: number, level = 100): Uint8Array {
  const noise = pseudoRandomBytes(7 + index, W * H);
  return noise.map((n) => level + (n % 9) - 4);
}

/** Draws a filled square of side `size` at (x, y). */
function square(data: Uint8Array, x: number, y: number, size: number, level = 220): Uint8Array {
  for (let j = y; j < y + size; j++) for (let i = x; i < x + size; i++) data[j * W + i] = level;
  return data;
}

const frame = (index: number, data: Uint8Array): GrayFrame => ({
  ts: 1_000_000 + index * STEP_MS,
  width: W,
  height: H,
  data,
});

function run(detector: MotionDetector, frames: Uint8Array[]): MotionUpdate[] {
  return frames.map((data, i) => detector.update(frame(i, data)));
}

Deno.test("a still scene with sensor noise never shows motion", () => {
  const updates = run(new MotionDetector(), Array.from({ length: 50 }, (_, i) => scene(i)));
  assert.equal(updates.filter((u) => u.motion).length, 0);
  assert.equal(updates.filter((u) => u.event).length, 0);
});

Deno.test("the first frames (warm-up) never count, even when they differ", () => {
  const detector = new MotionDetector({ warmupFrames: 3 });
  const updates = run(detector, [scene(0), square(scene(1), 10, 10, 30), square(scene(2), 90, 60, 30)]);
  assert.deepEqual(updates.map((u) => u.motion), [false, false, false]);
  assert.ok(updates.every((u) => u.recalibrated));
});

Deno.test("a moving block: motion, a box around it, a start event after 2 frames, an end event", () => {
  const detector = new MotionDetector();
  const frames: Uint8Array[] = [];
  for (let i = 0; i < 10; i++) frames.push(scene(i)); // warm-up and quiet
  for (let i = 0; i < 10; i++) frames.push(square(scene(10 + i), 20 + 8 * i, 40, 20)); // moving right
  for (let i = 0; i < 20; i++) frames.push(scene(20 + i)); // gone
  const updates = run(detector, frames);

  assert.ok(updates.slice(0, 10).every((u) => !u.motion));
  assert.ok(updates.slice(10, 20).every((u) => u.motion), "motion while the block moves");
  // The block covers x 20+8i..40+8i, y 40..60 of 160x120; with blur and dilation the box
  // holds it and stays near it.
  const u = updates[15];
  const [x1, y1, x2, y2] = u.boxes[0];
  const bx1 = (20 + 8 * 5) / W, bx2 = (40 + 8 * 5) / W;
  assert.ok(x1 <= bx1 && x2 >= bx2 && y1 <= 40 / H && y2 >= 60 / H, `box ${u.boxes[0]}`);
  assert.ok(
    x1 > bx1 - 0.15 && x2 < bx2 + 0.15 && y1 > 40 / H - 0.15 && y2 < 60 / H + 0.15,
    `box ${u.boxes[0]}`,
  );
  assert.ok(u.score > 0.01 && u.score < 0.2, `score ${u.score}`);

  const events = updates.filter((x) => x.event).map((x) => x.event!);
  assert.equal(events.length, 2);
  const [start, end] = events;
  assert.equal(start.type, "start");
  assert.equal(updates.findIndex((x) => x.event?.type === "start"), 11); // second frame of motion
  if (start.type === "start") assert.equal(start.ts, frame(10, frames[10]).ts); // dated from the first
  assert.equal(end.type, "end");
  if (end.type === "end") {
    assert.equal(end.start, frame(10, frames[10]).ts);
    assert.equal(end.end, frame(19, frames[19]).ts);
    assert.ok(end.peak >= u.score);
  }
  // It ends 2 s (10 frames at 5 fps) after the last motion.
  assert.equal(updates.findIndex((x) => x.event?.type === "end"), 29);
});

Deno.test("a global lighting change recalibrates instead of reporting motion", () => {
  const detector = new MotionDetector();
  const frames: Uint8Array[] = [];
  for (let i = 0; i < 10; i++) frames.push(scene(i, 60));
  for (let i = 0; i < 20; i++) frames.push(scene(10 + i, 160)); // lights on
  const updates = run(detector, frames);
  assert.equal(updates.filter((u) => u.motion).length, 0);
  assert.ok(updates[10].recalibrated && updates[10].score > 0.9);
  // Something moving in the new light is seen again after the new warm-up.
  const later = detector.update(frame(40, square(scene(40, 160), 60, 50, 20, 250)));
  const later2 = detector.update(frame(41, square(scene(41, 160), 70, 50, 20, 250)));
  assert.ok(later.motion && later2.motion);
});

Deno.test("motion inside an ignore-mask is not reported; outside it is", () => {
  // Mask the left half of the frame.
  const masks = [[[0, 0], [0.5, 0], [0.5, 1], [0, 1]] as [number, number][]];
  const detector = new MotionDetector({ masks });
  const frames: Uint8Array[] = [];
  for (let i = 0; i < 10; i++) frames.push(scene(i));
  for (let i = 0; i < 5; i++) frames.push(square(scene(10 + i), 10 + 6 * i, 40, 20)); // left: masked
  for (let i = 0; i < 5; i++) frames.push(square(scene(15 + i), 100 + 6 * i, 40, 20)); // right: seen
  const updates = run(detector, frames);
  assert.ok(updates.slice(10, 15).every((u) => !u.motion), "masked block ignored");
  assert.ok(updates.slice(15, 20).every((u) => u.motion), "unmasked block seen");
  assert.ok(updates[17].boxes.every(([x1]) => x1 >= 0.45), `boxes ${JSON.stringify(updates[17].boxes)}`);
});

Deno.test("regions smaller than minArea do not count", () => {
  const detector = new MotionDetector({ minArea: 0.01 }); // 1% of 160x120 = 192 px
  const frames: Uint8Array[] = [];
  for (let i = 0; i < 8; i++) frames.push(scene(i));
  for (let i = 0; i < 4; i++) frames.push(square(scene(8 + i), 20 + 10 * i, 20, 6)); // 36 px
  for (let i = 0; i < 4; i++) frames.push(square(scene(12 + i), 20 + 10 * i, 60, 20)); // 400 px
  const updates = run(detector, frames);
  assert.ok(updates.slice(8, 12).every((u) => !u.motion));
  assert.ok(updates.slice(12, 16).every((u) => u.motion));
});

Deno.test("bad options and frames give RangeError naming them", () => {
  assert.throws(
    () => new MotionDetector({ threshold: 0 }),
    /motion threshold must be a number between 1 and 255, got 0/,
  );
  assert.throws(() => new MotionDetector({ minArea: 2 }), /minArea/);
  assert.throws(() => new MotionDetector({ masks: [[[0, 0], [1, 1]]] }), /at least 3 points/);
  assert.throws(
    () => new MotionDetector().update({ ts: 0, width: 10, height: 10, data: new Uint8Array(5) }),
    /10x10 needs 100 bytes, got 5/,
  );
});

Deno.test("reset() forgets the background: the next frames are warm-up again", () => {
  const detector = new MotionDetector({ warmupFrames: 2 });
  run(detector, [scene(0), scene(1), scene(2)]);
  detector.reset();
  const u = detector.update(frame(3, square(scene(3), 50, 50, 30)));
  assert.equal(u.motion, false);
  assert.equal(u.recalibrated, true);
});

Deno.test("mask(): the moving block's pixels are set, far pixels clear; zeros in warm-up and when still", () => {
  const warming = new MotionDetector({ warmupFrames: 3 });
  assert.equal(warming.mask().length, 0, "empty before the first frame");
  warming.update(frame(0, scene(0)));
  assert.ok(warming.update(frame(1, square(scene(1), 10, 10, 30))).recalibrated);
  assert.equal(warming.mask().length, W * H);
  assert.deepEqual([...new Set(warming.mask())], [0], "zeros in warm-up, even when frames differ");

  const detector = new MotionDetector();
  run(detector, Array.from({ length: 8 }, (_, i) => scene(i)));
  const moving = detector.update(frame(8, square(scene(8), 60, 40, 20)));
  assert.ok(moving.motion);
  assert.equal(moving.boxes.length, 1);
  const mask = detector.mask();
  assert.equal(mask.length, W * H);
  const at = (x: number, y: number) => mask[y * W + x];
  for (const [x, y] of [[60, 40], [70, 50], [79, 59]]) assert.equal(at(x, y), 1, `inside at ${x},${y}`);
  for (const [x, y] of [[5, 5], [150, 110], [20, 100], [70, 20]]) {
    assert.equal(at(x, y), 0, `far away at ${x},${y}`);
  }
  // The box is cut from this mask: every set pixel lies in it.
  const [x1, y1, x2, y2] = moving.boxes[0];
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    const x = (i % W + 0.5) / W, y = (Math.floor(i / W) + 0.5) / H;
    assert.ok(x >= x1 && x <= x2 && y >= y1 && y <= y2, `mask pixel ${i} outside the box ${moving.boxes[0]}`);
  }

  mask.fill(7); // a copy: the caller's changes do not reach the detector
  assert.equal(detector.mask()[0], 0);

  // The internal mask is only rebuilt when pixels change: a still frame must still clear it.
  assert.equal(detector.update(frame(9, scene(9))).score, 0);
  assert.deepEqual([...new Set(detector.mask())], [0], "zeros on a frame where nothing changed");
  detector.update(frame(10, square(scene(10), 60, 40, 20)));
  assert.equal(detector.mask()[50 * W + 70], 1);
  detector.reset();
  assert.deepEqual([...new Set(detector.mask())], [0], "zeros after reset()");
});
