import assert from "node:assert/strict";
import { ClipTracks } from "../../lib/yolo/clip_tracks.ts";

type Box = [number, number, number, number];
const person = (score: number, box: Box) => ({ label: "person", score, box });
const car = (score: number, box: Box) => ({ label: "car", score, box });

Deno.test("result: confirmed tracks counted per class, detected in order of first appearance, rejects apart", () => {
  const clip = new ClipTracks();
  const parked: Box = [400, 50, 600, 150];
  for (let k = 0; k < 10; k++) {
    const t = k * 0.5;
    const frame = [car(0.7, parked)];
    if (k >= 2) frame.push(person(0.9, [40 * k, 100, 40 * k + 40, 300]));
    if (k >= 4) frame.push(person(0.8, [600 - 40 * k, 150, 640 - 40 * k, 340]));
    if (k === 5) frame.push({ label: "bird", score: 0.6, box: [10, 10, 20, 20] }); // once
    if (k === 6) frame.push({ label: "skis", score: 0.29, box: [300, 330, 340, 340] }); // weak, once
    clip.add(t, 640, 360, frame);
  }
  const r = clip.result();
  assert.deepEqual(r.detected, ["car", "person"]);
  assert.equal(r.count, 2);
  assert.equal(r.objects.car.count, 1);
  assert.equal(r.objects.person.count, 2);
  assert.deepEqual(r.objects.person, { count: 2, frames: 8, max: 2, best: 0.9, first: 1, last: 4.5 });
  assert.deepEqual(r.rejected, { bird: 1 });
  assert.deepEqual(r.tracks.map((t) => [t.label, t.first, t.stationary]), [
    ["car", 0, true],
    ["person", 1, false],
    ["person", 2, false],
  ]);
  const walker = r.tracks[1];
  assert.equal(walker.frames, 8);
  assert.equal(walker.score, 0.9);
  assert.deepEqual(walker.box, [80, 100, 120, 300]);
  assert.equal(walker.best_time, 1);
  // a few points, first and last included, bottom centres in fractions of the frame
  assert.ok(walker.path.length >= 2 && walker.path.length <= 8);
  assert.deepEqual(walker.path[0], [1, 0.156, 0.833]);
  assert.deepEqual(walker.path.at(-1), [4.5, 0.594, 0.833]);
});

Deno.test("add returns the kept detections with their track ids; filters and masks drop before tracking", () => {
  const clip = new ClipTracks({
    filters: { person: { minScore: 0.6 } },
    masks: [[[0.8, 0], [1, 0], [1, 1], [0.8, 1]]],
  });
  const out = clip.add(0, 640, 360, [
    person(0.9, [10, 10, 50, 110]),
    person(0.5, [100, 10, 140, 110]), // filtered: under 0.6
    car(0.9, [560, 10, 630, 110]), // masked: bottom centre at x 0.93
  ]);
  assert.deepEqual(out, [{ ...person(0.9, [10, 10, 50, 110]), track: 1 }]);
});

Deno.test("zones: each track lists the zones its bottom centre entered, in order of entry", () => {
  const clip = new ClipTracks({
    zones: [
      { name: "right", points: [[0.5, 0], [1, 0], [1, 1], [0.5, 1]] },
      { name: "left", points: [[0, 0], [0.5, 0], [0.5, 1], [0, 1]] },
    ],
  });
  for (let k = 0; k < 6; k++) clip.add(k * 0.5, 600, 300, [person(0.9, [50 + 90 * k, 50, 90 + 90 * k, 250])]);
  assert.deepEqual(clip.result().tracks[0].zones, ["left", "right"]);
});

Deno.test("nothing seen: an empty result", () => {
  const clip = new ClipTracks();
  clip.add(0, 640, 360, []);
  assert.deepEqual(clip.result(), { detected: [], count: 0, objects: {}, tracks: [], rejected: {} });
});

Deno.test("bad options are refused before any frame", () => {
  assert.throws(() => new ClipTracks({ minFrames: 0 }), RangeError);
  assert.throws(() => new ClipTracks({ zones: [{ name: "x", points: [] }] }), /zone "x"/);
  assert.throws(() => new ClipTracks({ masks: [[[0, 0]]] }), /mask 1/);
});
