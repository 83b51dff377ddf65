import assert from "node:assert/strict";
import { type Candidate, iou, nonMaxSuppression } from "../lib/yolo/nms.ts";
import { decodeOutput } from "../lib/yolo/decode_output.ts";

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

// --- decodeOutput ---------------------------------------------------------------------------------

/**
 * Lays out a [1, 4 + nc, N] YOLO output: `rows[r][a]` goes to index r * N + a (one row of
 * cx, of cy, of w, of h, then one row of scores per class).
 */
function layout(rows: number[][]): Float32Array {
  const n = rows[0].length;
  const data = new Float32Array(rows.length * n);
  rows.forEach((row, r) => row.forEach((v, a) => (data[r * n + a] = v)));
  return data;
}

// Three anchors, two classes. Scores are binary fractions so float32 holds them exactly.
//   anchor 0: centre (10, 20), 4x6,  scores 0.875 / 0.125  -> class 0, box [8, 17, 12, 23]
//   anchor 1: centre (50, 60), 10x20, scores 0.5 / 0.75    -> class 1, box [45, 50, 55, 70]
//   anchor 2: centre (100, 100), 2x2, scores 0.25 / 0.125  -> best 0.25
const THREE = layout([
  [10, 50, 100], // cx
  [20, 60, 100], // cy
  [4, 10, 2], // w
  [6, 20, 2], // h
  [0.875, 0.5, 0.25], // class 0
  [0.125, 0.75, 0.125], // class 1
]);

Deno.test("decodeOutput: best class per anchor and xywh -> xyxy", () => {
  const out = decodeOutput(THREE, [1, 6, 3], { numClasses: 2, confidence: 0.1 });
  assert.deepEqual(out, [
    { box: [8, 17, 12, 23], score: 0.875, classId: 0 },
    { box: [45, 50, 55, 70], score: 0.75, classId: 1 },
    { box: [99, 99, 101, 101], score: 0.25, classId: 0 },
  ]);
});

Deno.test("decodeOutput: the confidence threshold is strict (equal score dropped)", () => {
  // anchor 2's best score is exactly 0.25
  const out = decodeOutput(THREE, [1, 6, 3], { numClasses: 2, confidence: 0.25 });
  assert.deepEqual(out.map((c) => c.classId), [0, 1]);
  // above every score: nothing
  assert.deepEqual(decodeOutput(THREE, [1, 6, 3], { numClasses: 2, confidence: 0.875 }), []);
});

Deno.test("decodeOutput: classes filter drops an anchor whose best class is not allowed", () => {
  // anchor 1's class 0 score (0.5) clears 0.25, but its best class is 1: Ultralytics drops
  // the anchor instead of falling back to class 0
  const out = decodeOutput(THREE, [1, 6, 3], { numClasses: 2, confidence: 0.25, classes: new Set([0]) });
  assert.deepEqual(out, [{ box: [8, 17, 12, 23], score: 0.875, classId: 0 }]);
  const ones = decodeOutput(THREE, [1, 6, 3], { numClasses: 2, confidence: 0.25, classes: new Set([1]) });
  assert.deepEqual(ones, [{ box: [45, 50, 55, 70], score: 0.75, classId: 1 }]);
  assert.deepEqual(
    decodeOutput(THREE, [1, 6, 3], { numClasses: 2, confidence: 0.25, classes: new Set() }),
    [],
  );
});

Deno.test("decodeOutput: a tie between classes goes to the lower class id", () => {
  // 1 anchor, 3 classes; classes 1 and 2 tie at 0.5 (argmax picks the first)
  const data = layout([[0], [0], [2], [2], [0.25], [0.5], [0.5]]);
  const out = decodeOutput(data, [1, 7, 1], { numClasses: 3, confidence: 0.1 });
  assert.deepEqual(out, [{ box: [-1, -1, 1, 1], score: 0.5, classId: 1 }]);
});

Deno.test("decodeOutput: the last class is found too", () => {
  // 2 anchors, 4 classes; anchor 0's best is class 3, anchor 1's is class 2
  const data = layout([
    [8, 16],
    [8, 16],
    [4, 8],
    [2, 4],
    [0.125, 0],
    [0, 0.25],
    [0.25, 0.5],
    [0.625, 0.375],
  ]);
  const out = decodeOutput(data, [1, 8, 2], { numClasses: 4, confidence: 0.2 });
  assert.deepEqual(out, [
    { box: [6, 7, 10, 9], score: 0.625, classId: 3 },
    { box: [12, 14, 20, 18], score: 0.5, classId: 2 },
  ]);
});

Deno.test("decodeOutput: a single-class model", () => {
  // the module's own example, derived by hand: anchor 0 centre (10, 20) size 4x4 -> [8, 18, 12, 22]
  const out = decodeOutput(
    new Float32Array([10, 50, 20, 60, 4, 8, 4, 8, 0.875, 0.125]),
    [1, 5, 2],
    { numClasses: 1, confidence: 0.25 },
  );
  assert.deepEqual(out, [{ box: [8, 18, 12, 22], score: 0.875, classId: 0 }]);
});

Deno.test("decodeOutput: end-to-end [1, N, 6] rows are ready boxes", () => {
  // rows: x1, y1, x2, y2, score, class
  const data = new Float32Array([
    ...[1, 2, 3, 4, 0.875, 0],
    ...[5, 6, 7, 8, 0.25, 2], // score equal to the threshold: dropped
    ...[9, 10, 11, 12, 0.5, 3],
    ...[0, 0, 0, 0, 0, 0], // padding row
  ]);
  const out = decodeOutput(data, [1, 4, 6], { numClasses: 80, confidence: 0.25, endToEnd: true });
  assert.deepEqual(out, [
    { box: [1, 2, 3, 4], score: 0.875, classId: 0 },
    { box: [9, 10, 11, 12], score: 0.5, classId: 3 },
  ]);
  const filtered = decodeOutput(data, [1, 4, 6], {
    numClasses: 80,
    confidence: 0.1,
    endToEnd: true,
    classes: new Set([2, 3]),
  });
  assert.deepEqual(filtered.map((c) => c.classId), [2, 3]);
});

Deno.test("decodeOutput: row count that is not 4 + classes -> RangeError", () => {
  assert.throws(
    () => decodeOutput(THREE, [1, 6, 3], { numClasses: 3, confidence: 0.25 }),
    (e: unknown) => e instanceof RangeError && /6 rows/.test(e.message) && /expected 7/.test(e.message),
  );
  assert.throws(
    () => decodeOutput(new Float32Array(84 * 2), [1, 84, 2], { numClasses: 79, confidence: 0 }),
    RangeError,
  );
});

Deno.test("decodeOutput: an output with no anchors decodes to nothing", () => {
  assert.deepEqual(decodeOutput(new Float32Array(0), [1, 6, 0], { numClasses: 2, confidence: 0 }), []);
});

Deno.test("decodeOutput then nonMaxSuppression: duplicates of one object collapse", () => {
  // two anchors on the same 20x20 object shifted by 1 px: IoU = 19*20 / (800 - 380) = 0.905
  const data = layout([
    [50, 51, 200],
    [50, 50, 200],
    [20, 20, 20],
    [20, 20, 20],
    [0.875, 0.75, 0.5],
  ]);
  const kept = nonMaxSuppression(decodeOutput(data, [1, 5, 3], { numClasses: 1, confidence: 0.25 }));
  assert.deepEqual(kept, [
    { box: [40, 40, 60, 60], score: 0.875, classId: 0 },
    { box: [190, 190, 210, 210], score: 0.5, classId: 0 },
  ]);
});
