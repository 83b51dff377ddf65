/**
 * frame_filters: hasClass, lowConfidence and sampleItems on fixed detections.
 */
import assert from "node:assert/strict";
import type { Detection } from "../../lib/yolo/yolo_analyzer.ts";
import { type FrameContext, hasClass, lowConfidence, sampleItems } from "../../lib/notebook/frame_filters.ts";

const det = (label: string, classId: number, score: number): Detection => ({
  label,
  classId,
  score,
  box: [0, 0, 10, 10],
});
const frame: FrameContext = { clip: "a.mp4", time: 0, index: 0, width: 100, height: 100 };

Deno.test("frame filters: hasClass and lowConfidence", () => {
  assert.equal(hasClass("person")([det("car", 2, 0.9)], frame), false);
  assert.equal(hasClass("person", 2)([det("car", 2, 0.9)], frame), true);
  assert.equal(hasClass(0)([det("person", 0, 0.3)], frame), true);
  assert.throws(() => hasClass(), RangeError);
  const band = lowConfidence();
  assert.equal(band([det("person", 0, 0.9), det("person", 0, 0.25)], frame), true); // min included
  assert.equal(band([det("person", 0, 0.5)], frame), false); // max excluded
  assert.equal(band([det("person", 0, 0.24)], frame), false);
  assert.equal(band([], frame), false);
  assert.equal(lowConfidence({ min: 0.6, max: 0.95 })([det("person", 0, 0.9)], frame), true);
  assert.throws(() => lowConfidence({ min: 0.5, max: 0.5 }), RangeError);
});

Deno.test("sampleItems spreads the picks over the list", () => {
  assert.deepEqual(sampleItems([1, 2, 3, 4, 5, 6], 3), [1, 3, 5]);
  assert.deepEqual(sampleItems([1, 2], 5), [1, 2]);
  assert.deepEqual(sampleItems([1, 2, 3], 0), []);
  assert.throws(() => sampleItems([1], -1), RangeError);
});
