import assert from "node:assert/strict";
import { DetectionSummary, type LabelledScore } from "../../lib/yolo/detection_summary.ts";

const d = (label: string, score: number): LabelledScore => ({ label, score });

Deno.test("DetectionSummary: empty", () => {
  const s = new DetectionSummary();
  assert.equal(s.frames, 0);
  assert.deepEqual(s.detected, []);
  assert.equal(s.count, 0);
  assert.deepEqual(s.objects, {});
});

Deno.test("DetectionSummary: frames without detections are counted but add no class", () => {
  const s = new DetectionSummary();
  s.add(0, []);
  s.add(0.5, []);
  assert.equal(s.frames, 2);
  assert.equal(s.count, 0);
  assert.deepEqual(s.objects, {});
});

Deno.test("DetectionSummary: a clip with people and a car", () => {
  const s = new DetectionSummary();
  // t=0.0: nothing
  s.add(0, []);
  // t=0.5: two people, best 0.9
  s.add(0.5, [d("person", 0.9), d("person", 0.7)]);
  // t=1.0: one car (first seen here), one person
  s.add(1.0, [d("car", 0.6), d("person", 0.95)]);
  // t=1.5: three people at once, weaker scores
  s.add(1.5, [d("person", 0.5), d("person", 0.4), d("person", 0.3)]);
  // t=2.0: nothing
  s.add(2.0, []);

  assert.equal(s.frames, 5);
  // order of first appearance
  assert.deepEqual(s.detected, ["person", "car"]);
  assert.equal(s.count, 2);
  assert.deepEqual(s.objects, {
    // in 3 frames (0.5, 1.0, 1.5), at most 3 at once (t=1.5), best 0.95 (t=1.0)
    person: { frames: 3, max: 3, best: 0.95, first: 0.5, last: 1.5 },
    // in 1 frame, once
    car: { frames: 1, max: 1, best: 0.6, first: 1, last: 1 },
  });
});

Deno.test("DetectionSummary: frames counts frames, not detections", () => {
  const s = new DetectionSummary();
  s.add(1, [d("dog", 0.5), d("dog", 0.6), d("dog", 0.7), d("dog", 0.8)]);
  const dog = s.objects.dog;
  assert.equal(dog.frames, 1);
  assert.equal(dog.max, 4);
  assert.equal(dog.best, 0.8);
});

Deno.test("DetectionSummary: max is the most in one frame, not a running total", () => {
  const s = new DetectionSummary();
  s.add(0, [d("car", 0.5), d("car", 0.5)]);
  s.add(1, [d("car", 0.5)]);
  s.add(2, [d("car", 0.5), d("car", 0.5)]);
  assert.deepEqual(s.objects.car, { frames: 3, max: 2, best: 0.5, first: 0, last: 2 });
});

Deno.test("DetectionSummary: first and last are the earliest and latest times, whatever the order", () => {
  const s = new DetectionSummary();
  s.add(5, [d("cat", 0.5)]);
  s.add(2, [d("cat", 0.5)]);
  s.add(9, [d("cat", 0.5)]);
  s.add(3, [d("cat", 0.5)]);
  assert.equal(s.objects.cat.first, 2);
  assert.equal(s.objects.cat.last, 9);
  assert.equal(s.objects.cat.frames, 4);
});

Deno.test("DetectionSummary: scores rounded to 3 decimals, times to milliseconds", () => {
  const s = new DetectionSummary();
  // 1/3 s -> 0.333; 2/3 s -> 0.667
  s.add(1 / 3, [d("person", 0.88881)]);
  s.add(2 / 3, [d("person", 0.123456)]);
  // best = max(0.88881, 0.123456) = 0.88881 -> 0.889
  assert.deepEqual(s.objects.person, { frames: 2, max: 1, best: 0.889, first: 0.333, last: 0.667 });
});

Deno.test("DetectionSummary: objects is a snapshot the caller cannot corrupt", () => {
  const s = new DetectionSummary();
  s.add(1, [d("bus", 0.75)]);
  const snapshot = s.objects;
  snapshot.bus.frames = 99;
  snapshot.bus.best = 0;
  delete snapshot.bus;
  assert.deepEqual(s.objects.bus, { frames: 1, max: 1, best: 0.75, first: 1, last: 1 });
  const detected = s.detected;
  detected.push("truck");
  assert.deepEqual(s.detected, ["bus"]);
});

Deno.test("DetectionSummary: later frames keep adding to existing classes", () => {
  const s = new DetectionSummary();
  s.add(0, [d("a", 0.2)]);
  s.add(1, [d("b", 0.3)]);
  s.add(2, [d("a", 0.9), d("b", 0.1), d("c", 0.5)]);
  assert.deepEqual(s.detected, ["a", "b", "c"]);
  assert.equal(s.count, 3);
  assert.deepEqual(s.objects, {
    a: { frames: 2, max: 1, best: 0.9, first: 0, last: 2 },
    b: { frames: 2, max: 1, best: 0.3, first: 1, last: 2 },
    c: { frames: 1, max: 1, best: 0.5, first: 2, last: 2 },
  });
});
