import assert from "node:assert/strict";
import { bottomCentre, insidePolygon, polygonProblem } from "../../lib/yolo/polygon.ts";
import { checkZones, zonesAt } from "../../lib/yolo/zones.ts";

const driveway: [number, number][] = [[0.1, 0.5], [0.6, 0.5], [0.9, 1], [0, 1]];

Deno.test("insidePolygon: a concave polygon's notch is outside", () => {
  // a U: the notch between its arms is outside
  const u: [number, number][] = [[0, 0], [0.3, 0], [0.3, 0.6], [0.7, 0.6], [0.7, 0], [1, 0], [1, 1], [0, 1]];
  assert.equal(insidePolygon([0.5, 0.3], u), false);
  assert.equal(insidePolygon([0.15, 0.3], u), true);
  assert.equal(insidePolygon([0.5, 0.8], u), true);
  assert.equal(insidePolygon([1.5, 0.8], u), false);
});

Deno.test("an object is in a zone by its bottom centre, not by its box", () => {
  // 640x360 frame: a person whose head is above the driveway but whose feet are on it
  const feetIn = bottomCentre([200, 60, 260, 300], 640, 360);
  assert.deepEqual(zonesAt(feetIn, [{ name: "driveway", points: driveway }]), ["driveway"]);
  // a box that covers much of the driveway but stands above it
  const above = bottomCentre([50, 20, 400, 170], 640, 360);
  assert.deepEqual(zonesAt(above, [{ name: "driveway", points: driveway }]), []);
});

Deno.test("zonesAt lists every zone holding the point, in the zones' order", () => {
  const all: [number, number][] = [[0, 0], [1, 0], [1, 1], [0, 1]];
  const zones = [{ name: "yard", points: all }, { name: "driveway", points: driveway }];
  assert.deepEqual(zonesAt([0.3, 0.9], zones), ["yard", "driveway"]);
});

Deno.test("checkZones names the wrong zone and why", () => {
  assert.throws(() => checkZones([{ name: "a b", points: driveway }]), /zone 1: name must be 1-64 letters/);
  assert.throws(
    () => checkZones([{ name: "d", points: driveway }, { name: "d", points: driveway }]),
    /zone "d" is named twice/,
  );
  assert.throws(
    () => checkZones([{ name: "d", points: [[0, 0], [2, 0], [1, 1]] }]),
    /zone "d": point 2 is not/,
  );
  assert.equal(polygonProblem("square"), "is not a list of [x, y] points");
  assert.equal(
    polygonProblem([[0, 0], [1, 0], [1, Number.NaN]]),
    "point 3 is not [x, y] with both between 0 and 1",
  );
});
