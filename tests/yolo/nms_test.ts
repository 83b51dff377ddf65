import assert from "node:assert/strict";
import { type Candidate, iou, nonMaxSuppression } from "../../lib/yolo/nms.ts";

type Box = [number, number, number, number];

// --- iou ----------------------------------------------------------------------------------------

Deno.test("iou: disjoint and edge-touching boxes have no overlap", () => {
  assert.equal(iou([0, 0, 1, 1], [2, 2, 3, 3]), 0);
  // overlapping in x only
  assert.equal(iou([0, 0, 2, 2], [1, 5, 3, 7]), 0);
  // sharing an edge: zero-width intersection
  assert.equal(iou([0, 0, 1, 1], [1, 0, 2, 1]), 0);
  // sharing a corner
  assert.equal(iou([0, 0, 1, 1], [1, 1, 2, 2]), 0);
});

Deno.test("iou: identical boxes -> 1", () => {
  assert.equal(iou([0, 0, 2, 2], [0, 0, 2, 2]), 1);
  assert.equal(iou([10.5, 20, 30.25, 40], [10.5, 20, 30.25, 40]), 1);
});

Deno.test("iou: half-overlapping boxes", () => {
  // two 2x2 boxes offset by 1 in x: intersection 1x2 = 2, union 4 + 4 - 2 = 6 -> 1/3
  assert.equal(iou([0, 0, 2, 2], [1, 0, 3, 2]), 2 / 6);
  // offset by 1 in both x and y: intersection 1x1 = 1, union 4 + 4 - 1 = 7 -> 1/7
  assert.equal(iou([0, 0, 2, 2], [1, 1, 3, 3]), 1 / 7);
});

Deno.test("iou: a contained box -> area ratio", () => {
  // 2x2 inside 4x4: intersection 4, union 16 -> 0.25
  assert.equal(iou([0, 0, 4, 4], [1, 1, 3, 3]), 0.25);
  assert.equal(iou([1, 1, 3, 3], [0, 0, 4, 4]), 0.25);
});

Deno.test("iou: symmetric, and zero for degenerate boxes", () => {
  const a: Box = [3, 1, 9, 7], b: Box = [5, 4, 12, 10];
  // intersection [5,4]-[9,7] = 4x3 = 12; areas 36 and 42; union 66
  assert.equal(iou(a, b), 12 / 66);
  assert.equal(iou(b, a), 12 / 66);
  assert.equal(iou([0, 0, 0, 0], [0, 0, 0, 0]), 0);
  assert.equal(iou([1, 1, 1, 5], [0, 0, 4, 4]), 0); // zero width
});

// --- nonMaxSuppression ----------------------------------------------------------------------------

const cand = (box: Box, score: number, classId = 0): Candidate => ({ box, score, classId });

Deno.test("nonMaxSuppression: keeps the highest of overlapping same-class boxes", () => {
  // A and B: intersection 9x10 = 90, union 100 + 100 - 90 = 110, IoU 0.818 > 0.7
  const a = cand([0, 0, 10, 10], 0.9);
  const b = cand([1, 0, 11, 10], 0.8);
  // given lowest first: NMS must sort itself
  const kept = nonMaxSuppression([b, a]);
  assert.deepEqual(kept, [a]);
});

Deno.test("nonMaxSuppression: default threshold 0.7 keeps boxes overlapping less", () => {
  // intersection 8x10 = 80, union 120, IoU 0.667 <= 0.7: both kept
  const a = cand([0, 0, 10, 10], 0.9);
  const b = cand([2, 0, 12, 10], 0.8);
  assert.deepEqual(nonMaxSuppression([a, b]), [a, b]);
  // with a lower threshold the weaker goes
  assert.deepEqual(nonMaxSuppression([a, b], { iou: 0.6 }), [a]);
});

Deno.test("nonMaxSuppression: other classes are kept unless agnostic", () => {
  const a = cand([0, 0, 10, 10], 0.9, 0);
  const b = cand([1, 0, 11, 10], 0.8, 1); // IoU 0.818 with a, other class
  const c = cand([0, 1, 10, 11], 0.7, 0); // IoU 0.818 with a, same class
  assert.deepEqual(nonMaxSuppression([a, b, c]), [a, b]);
  assert.deepEqual(nonMaxSuppression([a, b, c], { agnostic: true }), [a]);
});

Deno.test("nonMaxSuppression: the threshold is strict (IoU equal to it is kept)", () => {
  // 3x1 boxes offset by 1: intersection 2, union 3 + 3 - 2 = 4, IoU exactly 0.5
  const a = cand([0, 0, 3, 1], 0.9);
  const b = cand([1, 0, 4, 1], 0.8);
  assert.equal(iou(a.box, b.box), 0.5);
  assert.deepEqual(nonMaxSuppression([a, b], { iou: 0.5 }), [a, b]);
  assert.deepEqual(nonMaxSuppression([a, b], { iou: 0.49 }), [a]);
});

Deno.test("nonMaxSuppression: suppression is greedy (a dropped box suppresses nothing)", () => {
  // A-B IoU 80/120 = 0.667, B-C IoU 0.667, A-C: intersection 6x10 = 60, union 140, 0.43
  const a = cand([0, 0, 10, 10], 0.9);
  const b = cand([2, 0, 12, 10], 0.8);
  const c = cand([4, 0, 14, 10], 0.7);
  // B goes (0.667 > 0.5 with A); C only meets A (0.43), so it stays
  assert.deepEqual(nonMaxSuppression([c, b, a], { iou: 0.5 }), [a, c]);
});

Deno.test("nonMaxSuppression: maxDetections caps the result, best first", () => {
  // 5 disjoint boxes, scores out of order
  const boxes = [0.3, 0.9, 0.1, 0.7, 0.5].map((s, i) => cand([i * 10, 0, i * 10 + 5, 5], s));
  const kept = nonMaxSuppression(boxes, { maxDetections: 3 });
  assert.deepEqual(kept.map((k) => k.score), [0.9, 0.7, 0.5]);
  assert.equal(nonMaxSuppression(boxes, { maxDetections: 0 }).length, 0);
  assert.equal(nonMaxSuppression(boxes).length, 5);
});

Deno.test("nonMaxSuppression: result sorted by score, input untouched", () => {
  const boxes = [0.2, 0.8, 0.4, 0.6].map((s, i) => cand([0, i * 10, 5, i * 10 + 5], s, i % 2));
  const copy = [...boxes];
  const kept = nonMaxSuppression(boxes);
  assert.deepEqual(kept.map((k) => k.score), [0.8, 0.6, 0.4, 0.2]);
  assert.deepEqual(boxes, copy);
  assert.deepEqual(nonMaxSuppression([]), []);
});
