import assert from "node:assert/strict";
import { join } from "node:path";
import { clipTimeline } from "../../lib/notebook/clip_timeline.ts";
import { MediaError } from "../../lib/errors.ts";
import { YoloAnalyzer } from "../../lib/yolo/yolo_analyzer.ts";
import { cutSample } from "../helpers/media.ts";

Deno.test("a clip's timeline: classes per frame, a chart, and a strip of the busiest frames", async () => {
  const dir = await Deno.makeTempDir({ prefix: "camwatch-timeline-" });
  await using analyzer = await YoloAnalyzer.create();
  try {
    const clip = join(dir, "clip.mp4");
    await cutSample(clip, 4);
    const timeline = await clipTimeline(analyzer, clip, { sampleFps: 2, show: 4 });
    assert.equal(timeline.frames, 8, "4 s at 2 fps");
    assert.equal(timeline.labels[0], "person", "people in every frame, the most objects");
    const people = timeline.rows.filter((r) => r.label === "person");
    assert.equal(people.length, 8);
    assert.ok(people.every((r) => r.count >= 1 && r.best >= 0.25 && r.best <= 1));
    const times = timeline.rows.map((r) => r.time);
    assert.deepEqual(times, [...times].sort((a, b) => a - b), "rows in time order");

    // One frame per quarter of the clip, the one with the most objects in it.
    assert.equal(timeline.shown.length, 4);
    timeline.shown.forEach((s, i) => {
      assert.ok(s.frame.time >= i && s.frame.time < i + 1, `frame ${i} at ${s.frame.time}`);
      const sameSlot = timeline.rows.filter((r) => r.time >= i && r.time < i + 1);
      const most = Math.max(
        ...[...new Set(sameSlot.map((r) => r.time))].map((t) =>
          sameSlot.filter((r) => r.time === t).reduce((n, r) => n + r.count, 0)
        ),
      );
      assert.equal(s.found.detections.length, most);
    });

    const chart = timeline.chart();
    assert.match(chart.svg, /<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(chart.svg, />person<\/text>/);
    assert.match(chart.svg, /What was seen, second by second: clip\.mp4/);
    const strip = await timeline.strip({ height: 120, columns: 2 });
    assert.ok(strip.height > 2 * 120 && strip.height < 2 * 120 + 100, `two rows: ${strip.height}`);
    assert.ok(strip.width > 2 * 150);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a clip that is not a video is a MediaError naming it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "camwatch-timeline-" });
  await using analyzer = await YoloAnalyzer.create();
  try {
    const bad = join(dir, "bad.mp4");
    await Deno.writeTextFile(bad, "not a video");
    await assert.rejects(
      () => clipTimeline(analyzer, bad),
      (e: Error) => e instanceof MediaError && e.message.includes("bad.mp4"),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
