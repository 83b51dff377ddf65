/**
 * The tracker on videos whose truth is known (tools/ground_truth.ts), with the real model at the
 * default settings: distinct objects per class, stationary ones, and brief or weak ones rejected;
 * then the real sample, whose two parked vehicles and single-frame false positives are known.
 */
import assert from "node:assert/strict";
import { makeSceneVideo, SCENES } from "../../tools/ground_truth.ts";
import { YoloAnalyzer } from "../../lib/yolo/yolo_analyzer.ts";
import { repoPath } from "../helpers/media.ts";

Deno.test("ground truth: counts, stationary objects and rejections at the defaults", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "camwatch-truth-" });
  await using analyzer = await YoloAnalyzer.create();
  try {
    for (const scene of SCENES) {
      await t.step(`${scene.name}: ${scene.description}`, async () => {
        const video = `${dir}/${scene.name}.mp4`;
        await makeSceneVideo(scene, video);
        const r = await analyzer.analyzeVideo(video).summary();
        const counts = Object.fromEntries(Object.entries(r.objects).map(([label, s]) => [label, s.count]));
        assert.deepEqual(counts, scene.truth.counts, JSON.stringify(r.tracks));
        assert.deepEqual(r.detected, Object.keys(scene.truth.counts));
        assert.equal(r.tracks.filter((k) => k.stationary).length, scene.truth.stationary);
        assert.ok((r.rejected.person ?? 0) >= scene.truth.glimpses, JSON.stringify(r.rejected));
        for (const track of r.tracks) {
          assert.ok(track.frames >= 2 && track.score >= 0.5, JSON.stringify(track));
          assert.ok(track.first <= track.best_time && track.best_time <= track.last);
        }
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the sample: two parked vehicles, stationary; no glimpsed bird, skis or frisbee", async () => {
  await using analyzer = await YoloAnalyzer.create();
  const r = await analyzer.analyzeVideo(repoPath("video/samples/vtest.mp4")).summary();
  assert.equal(r.objects.car.count, 1);
  assert.equal(r.objects.truck.count, 1);
  const parked = r.tracks.filter((k) => k.label === "car" || k.label === "truck");
  // parked from the first frame to the last, seen in nearly every frame
  for (const k of parked) {
    assert.ok(k.stationary && k.first === 0 && k.frames >= r.frames - 3, JSON.stringify(k));
    assert.ok(k.last >= (r.duration ?? 0) - 1, JSON.stringify(k));
  }
  // Every frame of the sample holds people; the other classes the detector glimpses are rejected.
  assert.deepEqual(r.detected.toSorted(), ["car", "person", "truck"]);
  assert.ok(r.objects.person.count >= 15 && r.objects.person.count <= 35, `${r.objects.person.count} people`);
  assert.ok(Object.keys(r.rejected).length >= 1, JSON.stringify(r.rejected));
});

Deno.test("zones and masks reach the analysis: the walker enters both halves; a mask hides the left third", async () => {
  const dir = await Deno.makeTempDir({ prefix: "camwatch-truth-" });
  await using analyzer = await YoloAnalyzer.create();
  try {
    const video = `${dir}/walk.mp4`;
    await makeSceneVideo(SCENES.find((s) => s.name === "walk")!, video);
    const zones = [
      { name: "right", points: [[0.5, 0], [1, 0], [1, 1], [0.5, 1]] as [number, number][] },
      { name: "left", points: [[0, 0], [0.5, 0], [0.5, 1], [0, 1]] as [number, number][] },
    ];
    const zoned = await analyzer.analyzeVideo(video, { tracking: { zones } }).summary();
    assert.equal(zoned.tracks.length, 1);
    assert.deepEqual(zoned.tracks[0].zones, ["left", "right"]);
    // the path goes left to right along the floor: bottom centres in fractions of the frame
    const xs = zoned.tracks[0].path.map(([, x]) => x);
    assert.ok(xs[0] < 0.1 && xs.at(-1)! > 0.85, JSON.stringify(zoned.tracks[0].path));
    assert.deepEqual(xs, xs.toSorted((a, b) => a - b));

    const mask: [number, number][] = [[0, 0], [0.33, 0], [0.33, 1], [0, 1]];
    const masked = await analyzer.analyzeVideo(video, { tracking: { masks: [mask] } }).summary();
    assert.equal(masked.tracks.length, 1);
    // walking 580 px in 6 s from x = -20: its bottom centre passes a third of 640 px after about 2 s
    assert.ok(
      masked.tracks[0].first >= 1.5 && masked.tracks[0].first <= 2.5,
      JSON.stringify(masked.tracks[0]),
    );
    assert.ok(masked.tracks[0].frames < zoned.tracks[0].frames);

    await assert.rejects(
      () =>
        analyzer.analyzeVideo(video, { tracking: { zones: [{ name: "bad zone", points: mask }] } }).summary(),
      RangeError,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
