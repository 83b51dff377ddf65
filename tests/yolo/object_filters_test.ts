import assert from "node:assert/strict";
import { checkObjectFilters, filterDetections } from "../../lib/yolo/object_filters.ts";

const d = (label: string, score: number, box: [number, number, number, number]) => ({ label, score, box });

Deno.test("per-class minimum score and area bounds; other classes pass untouched", () => {
  const detections = [
    d("person", 0.45, [10, 10, 40, 100]), // under the person minimum score
    d("person", 0.8, [10, 10, 14, 20]), // 40 px² of 10,000: under minArea 0.01
    d("person", 0.8, [0, 0, 100, 95]), // 95% of the frame: over maxArea 0.5
    d("person", 0.8, [20, 20, 50, 90]), // kept
    d("car", 0.3, [0, 0, 100, 100]), // no filter for cars
  ];
  const kept = filterDetections(detections, 100, 100, {
    filters: { person: { minScore: 0.5, minArea: 0.01, maxArea: 0.5 } },
  });
  assert.deepEqual(kept, [detections[3], detections[4]]);
});

Deno.test("a mask drops detections whose bottom centre is inside it, whatever their class", () => {
  // the lower left quarter of a 200x100 frame
  const mask: [number, number][] = [[0, 0.5], [0.5, 0.5], [0.5, 1], [0, 1]];
  const detections = [
    d("person", 0.9, [10, 10, 40, 90]), // feet at (0.125, 0.9): masked
    d("car", 0.9, [10, 10, 40, 40]), // bottom centre at (0.125, 0.4): above the mask, kept
    d("person", 0.9, [150, 10, 190, 90]), // right half, kept
  ];
  assert.deepEqual(filterDetections(detections, 200, 100, { masks: [mask] }), [detections[1], detections[2]]);
});

Deno.test("a class named like an Object property is not mistaken for a filter", () => {
  const detections = [d("constructor", 0.3, [0, 0, 10, 10])];
  assert.deepEqual(filterDetections(detections, 100, 100, { filters: {} }), detections);
});

Deno.test("checkObjectFilters names the wrong class or mask", () => {
  assert.throws(
    () => checkObjectFilters({ filters: { car: { minScore: 2 } } }),
    /filter for "car": minScore must be/,
  );
  assert.throws(
    () => checkObjectFilters({ filters: { car: { minArea: 0.5, maxArea: 0.1 } } }),
    /above maxArea/,
  );
  assert.throws(() => checkObjectFilters({ masks: [[[0, 0], [1, 1]]] }), /mask 1: needs at least 3 points/);
  assert.doesNotThrow(() => checkObjectFilters({ filters: { car: { maxArea: 0.3 } } }));
});
