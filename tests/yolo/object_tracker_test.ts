import assert from "node:assert/strict";
import { ObjectTracker, type PixelBox, type TrackInput } from "../../lib/yolo/object_tracker.ts";

const person = (score: number, box: PixelBox): TrackInput => ({ label: "person", score, box });
/** A box of w x h whose top-left corner is at (x, y). */
const at = (x: number, y: number, w = 40, h = 100): PixelBox => [x, y, x + w, y + h];

Deno.test("a walker moving a body width or more per analysed frame keeps one track", () => {
  const tracker = new ObjectTracker();
  const ids = [];
  // 60 px a frame for a 40 px wide box: boxes never overlap from one frame to the next.
  for (let k = 0; k < 8; k++) ids.push(...tracker.update(k * 0.5, [person(0.9, at(60 * k, 100))]));
  assert.deepEqual(ids, [1, 1, 1, 1, 1, 1, 1, 1]);
  assert.equal(tracker.tracks().length, 1);
  assert.equal(tracker.tracks()[0].observations.length, 8);
});

Deno.test("three people walking side by side, each moving about their own spacing, keep their tracks", () => {
  const tracker = new ObjectTracker();
  const rows = [];
  for (let k = 0; k < 6; k++) {
    const x = 38 * k;
    rows.push(tracker.update(k * 0.5, [
      person(0.85, at(90 + x, 190, 45, 120)),
      person(0.8, at(0 + x, 150, 40, 110)),
      person(0.75, at(40 + x, 170, 35, 115)),
    ]));
  }
  for (const r of rows) assert.deepEqual(r, [1, 2, 3]);
});

Deno.test("two people crossing in opposite directions keep their own tracks through the crossing", () => {
  const tracker = new ObjectTracker();
  for (let k = 0; k <= 10; k++) {
    const t = k * 0.5;
    const ids = tracker.update(t, [person(0.9, at(20 + 50 * k, 130)), person(0.7, at(520 - 50 * k, 125))]);
    assert.deepEqual(ids, [1, 2], `at ${t} s`);
  }
});

Deno.test("a weak detection continues a track but never starts one (ByteTrack's second association)", () => {
  const tracker = new ObjectTracker();
  assert.deepEqual(tracker.update(0, [person(0.9, at(0, 0))]), [1]);
  // half hidden: the score drops under highScore, the track still takes it
  assert.deepEqual(tracker.update(0.5, [person(0.3, at(20, 0))]), [1]);
  // a weak box far from any track starts nothing
  assert.deepEqual(tracker.update(1, [person(0.9, at(40, 0)), person(0.3, at(500, 300))]), [1, undefined]);
  assert.equal(tracker.tracks().length, 1);
});

Deno.test("a confident detection is matched before a weak one of the same object", () => {
  const tracker = new ObjectTracker();
  tracker.update(0, [person(0.9, at(0, 0))]);
  // the weak box sits right on the prediction, the strong one a little off: the strong one wins
  assert.deepEqual(tracker.update(0.5, [person(0.3, at(0, 0)), person(0.8, at(15, 0))]), [undefined, 1]);
});

Deno.test("classes are tracked apart: a car does not continue a person's track", () => {
  const tracker = new ObjectTracker();
  tracker.update(0, [person(0.9, at(0, 0))]);
  assert.deepEqual(tracker.update(0.5, [{ label: "car", score: 0.9, box: at(0, 0) }]), [2]);
});

Deno.test("a track waits maxLostSeconds for its object, then ends; the prediction carries it meanwhile", () => {
  const tracker = new ObjectTracker({ maxLostSeconds: 2 });
  for (let k = 0; k < 4; k++) tracker.update(k * 0.5, [person(0.9, at(50 * k, 0))]);
  // hidden for 1.5 s while walking on at 100 px/s, then seen where the velocity says
  for (const t of [2, 2.5]) tracker.update(t, []);
  assert.deepEqual(tracker.update(3, [person(0.9, at(300, 0))]), [1]);
  // a parked car unseen for 2.5 s (five analysed frames): a new object when it is seen again
  assert.deepEqual(tracker.update(3.5, [{ label: "car", score: 0.9, box: at(500, 300) }]), [2]);
  for (const t of [4, 4.5, 5, 5.5]) tracker.update(t, []);
  assert.deepEqual(tracker.update(6, [{ label: "car", score: 0.9, box: at(500, 300) }]), [3]);
});

Deno.test("frames analysed seconds apart: a track still waits two frames, so a parked car stays one", () => {
  const tracker = new ObjectTracker({ maxLostSeconds: 2 });
  const ids = [0, 10, 20, 40, 50].map((t) =>
    tracker.update(t, t === 40 ? [] : [{ label: "car", score: 0.8, box: at(100, 100) }])
  );
  assert.deepEqual(ids, [[1], [1], [1], [], [1]]);
});

Deno.test("boxes of very different sizes or far apart are not the same object", () => {
  const tracker = new ObjectTracker();
  tracker.update(0, [person(0.9, at(100, 100))]);
  assert.deepEqual(tracker.update(0.5, [person(0.9, at(100, 100, 120, 300))]), [2]);
  assert.deepEqual(tracker.update(1, [person(0.9, at(400, 100))]), [3]);
});

Deno.test("frames out of time order and bad options are refused", () => {
  const tracker = new ObjectTracker();
  tracker.update(1, []);
  assert.throws(() => tracker.update(1, []), RangeError);
  assert.throws(
    () => new ObjectTracker({ highScore: 2 }),
    /highScore must be a number between 0 and 1, got 2/,
  );
  assert.throws(() => new ObjectTracker({ maxLostSeconds: -1 }), RangeError);
});
