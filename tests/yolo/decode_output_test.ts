/** decodeOutput: raw YOLO output rows → candidate boxes, before and with NMS. */
import assert from "node:assert/strict";
import { nonMaxSuppression } from "../../lib/yolo/nms.ts";
import { decodeOutput } from "../../lib/yolo/decode_output.ts";

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
