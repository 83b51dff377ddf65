import assert from "node:assert/strict";
import { ObjectTracker, type PixelBox } from "../../lib/yolo/object_tracker.ts";
import { CONFIRMATION_SETTINGS, confirmTrack, median } from "../../lib/yolo/track_confirmation.ts";

const track = (seen: [number, number, PixelBox][]) => ({
  id: 7,
  label: "car",
  observations: seen.map(([time, score, box]) => ({ time, score, box })),
});
const parked: PixelBox = [100, 50, 300, 150];

Deno.test("median: odd, even, one, none", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([0.4]), 0.4);
  assert.ok(Number.isNaN(median([])));
});

Deno.test("confirmed by the median score, not the best: one lucky frame does not make an object", () => {
  const lucky = track([[0, 0.3, parked], [0.5, 0.9, parked], [1, 0.3, parked]]);
  assert.equal(confirmTrack(lucky).confirmed, false);
  assert.equal(confirmTrack(lucky).best, 1);
  const steady = track([[0, 0.55, parked], [0.5, 0.45, parked], [1, 0.6, parked]]);
  assert.deepEqual(confirmTrack(steady), { confirmed: true, score: 0.55, best: 2, stationary: true });
});

Deno.test("a track seen in fewer than minFrames frames is rejected whatever its score", () => {
  const once = track([[0, 0.95, parked]]);
  assert.equal(CONFIRMATION_SETTINGS.minFrames.default, 2);
  assert.equal(confirmTrack(once).confirmed, false);
  assert.equal(confirmTrack(once, { minFrames: 1 }).confirmed, true);
  // seen once, nothing says it stays
  assert.equal(confirmTrack(once, { minFrames: 1 }).stationary, false);
});

Deno.test("stationary: a parked car's jittering box is, an arriving car's box is not", () => {
  const jitter = track(
    [0, 1, 2, 3, 4].map((k) => [k, 0.8, [100 + (k % 2) * 6, 50 - (k % 3) * 3, 300 + (k % 2) * 4, 150]]),
  );
  assert.equal(confirmTrack(jitter).stationary, true);
  // it parks in the last three frames: it moved in its life
  const arriving = track(
    [0, 1, 2, 3, 4].map((
      k,
    ) => [k, 0.8, [Math.max(0, 300 - 150 * k) + 100, 50, Math.max(0, 300 - 150 * k) + 300, 150]]),
  );
  assert.equal(confirmTrack(arriving).stationary, false);
});

Deno.test("works on a tracker's tracks; bad options and empty tracks are refused", () => {
  const tracker = new ObjectTracker();
  for (let k = 0; k < 3; k++) tracker.update(k, [{ label: "car", score: 0.7, box: parked }]);
  assert.equal(confirmTrack(tracker.tracks()[0]).confirmed, true);
  assert.throws(() => confirmTrack(track([[0, 0.9, parked]]), { minFrames: 0 }), RangeError);
  assert.throws(() => confirmTrack(track([[0, 0.9, parked]]), { minScore: 1.5 }), RangeError);
  assert.throws(() => confirmTrack(track([])), /no observation/);
});
