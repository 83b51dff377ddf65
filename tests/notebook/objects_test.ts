/**
 * The notebook's object helpers on log lines with tracks: objects per hour, time in view, moving and
 * parked, zone entries, positions and the heatmap over a frame, the stored detections and the
 * snapshots beside a clip; lines written before tracking give nothing and break nothing.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import sharp from "sharp";
import type { LogLine } from "../../lib/queue/detection_log.ts";
import type { TrackSummary } from "../../lib/yolo/clip_tracks.ts";
import { detectionsCsv } from "../../lib/yolo/clip_evidence.ts";
import {
  dwellTimes,
  evidencePaths,
  findSnapshots,
  movingVsParked,
  objectHeatmap,
  objectPositions,
  objectsPerHour,
  parseStoredDetections,
  readStoredDetections,
  snapshotGallery,
  trackRecords,
  tracksDataFrame,
  zoneEntries,
} from "../../notebook.ts";

function track(id: number, label: string, first: number, last: number, extra: Partial<TrackSummary> = {}) {
  return {
    id,
    label,
    first,
    last,
    frames: Math.round((last - first) * 2) + 1,
    score: 0.8,
    best: 0.9,
    best_time: first,
    stationary: false,
    zones: [],
    box: [100, 100, 140, 200] as [number, number, number, number],
    path: [[first, 0.2, 0.9], [last, 0.8, 0.9]] as [number, number, number][],
    ...extra,
  };
}

function line(n: number, start: string, tracks: TrackSummary[] | undefined, camera = "front"): LogLine {
  return {
    ok: true,
    filename: `${camera}/clip${n}.mp4`,
    detected: [...new Set((tracks ?? []).map((t) => t.label))],
    count: 0,
    timestamp: start,
    id: `${camera}-${start}`,
    camera,
    clip_start: start,
    clip_end: start,
    frames: 20,
    objects: {},
    ...(tracks ? { tracks, rejected: {} } : {}),
    model: "m",
    elapsed_ms: 1,
    worker: "w",
  };
}

const LINES: LogLine[] = [
  line(1, "2026-02-23T08:59:50Z", [
    track(1, "person", 0, 6, { zones: ["door"] }), // first seen 08:59:50, in hour 08
    track(2, "car", 0, 9.5, { stationary: true }),
    track(3, "person", 12, 14, { zones: ["door", "path"] }), // first seen 09:00:02, in hour 09
  ]),
  line(2, "2026-02-23T09:30:00Z", [track(1, "person", 1, 3), track(2, "car", 0, 9.5, { stationary: true })]),
  line(3, "2026-02-23T09:40:00Z", undefined), // before tracking
  line(4, "2026-02-23T09:45:00Z", [track(1, "person", 0, 20)], "yard"),
];

Deno.test("tracksDataFrame and trackRecords: one row per object, its time in view and where it was last", async () => {
  const { records, untracked } = await trackRecords(LINES);
  assert.equal(records.length, 6);
  assert.equal(untracked, 1);
  assert.equal(records[2].seen, Date.parse("2026-02-23T09:00:02Z"));
  const df = await tracksDataFrame(LINES);
  assert.equal(df.height, 6);
  assert.deepEqual(df.getColumn("seconds").toArray(), [6, 9.5, 2, 2, 9.5, 20]);
  assert.deepEqual(df.row(0).slice(-2), [0.8, 0.9]);
  assert.equal((await tracksDataFrame([])).width, df.width, "the columns of an empty log");
});

Deno.test("objectsPerHour: each object in the hour it was first seen, per camera and class, empty hours kept", async () => {
  const df = await objectsPerHour(LINES, { timeZone: "UTC" });
  const rows = df.toRecords() as { hour_label: string; camera: string; label: string; objects: number }[];
  const at = (hour: string, camera: string, label: string) =>
    rows.find((r) => r.hour_label === hour && r.camera === camera && r.label === label)?.objects;
  assert.equal(at("2026-02-23 08:00", "front", "person"), 1);
  assert.equal(at("2026-02-23 09:00", "front", "person"), 2);
  assert.equal(at("2026-02-23 08:00", "front", "car"), 1);
  assert.equal(at("2026-02-23 09:00", "yard", "person"), 1);
  assert.equal(at("2026-02-23 08:00", "yard", "person"), 0, "zeros for the quiet hours");
  const day = await objectsPerHour(LINES, { day: "2026-02-23", timeZone: "UTC" });
  assert.equal(day.height, 24 * 3);
  assert.equal((await objectsPerHour([])).height, 0);
});

Deno.test("dwellTimes, movingVsParked and zoneEntries", async () => {
  const dwell = (await dwellTimes(LINES)).toRecords();
  const person = dwell.find((r) => r.camera === "front" && r.label === "person")!;
  assert.deepEqual([person.objects, person.median_s, person.max_s], [3, 2, 6]);
  const car = dwell.find((r) => r.label === "car")!;
  assert.deepEqual([car.stationary, car.moving_median_s], [2, null]);
  const parked = (await movingVsParked(LINES, { labels: ["car", "person"] })).toRecords();
  assert.deepEqual(parked.map((r) => [r.camera, r.label, r.moving, r.parked]), [
    ["front", "person", 3, 0],
    ["front", "car", 0, 2],
    ["yard", "person", 1, 0],
  ]);
  const zones = (await zoneEntries(LINES)).toRecords();
  assert.deepEqual(zones.map((r) => [r.zone, r.label, r.entries]), [["door", "person", 2], [
    "path",
    "person",
    1,
  ]]);
  assert.equal((zones[0].first_seen as unknown as Date).toISOString(), "2026-02-23T08:59:50.000Z");
});

Deno.test("objectPositions and objectHeatmap: the path points of one camera, binned over a frame of it", async () => {
  const points = await objectPositions(LINES, { camera: "front", labels: ["person"] });
  assert.equal(points.length, 6);
  const frame = await sharp({ create: { width: 320, height: 180, channels: 3, background: "#336633" } }).png()
    .toBuffer();
  const chart = await objectHeatmap(points, { background: new Uint8Array(frame), cells: 10 });
  assert.match(chart.svg, /data:image\/jpeg;base64,/);
  assert.match(chart.svg, /Where objects went/);
  const png = await sharp(await chart.png(1)).metadata();
  assert.equal(png.width, 640);
  const empty = await objectHeatmap([]);
  assert.match(empty.svg, /0 positions/);
  await assert.rejects(() => objectHeatmap(points, { cells: 0 }), RangeError);
});

Deno.test("stored detections and snapshots beside a clip: read back, found from the log, shown as a gallery", async () => {
  const dir = await Deno.makeTempDir({ prefix: "camwatch-objects-" });
  try {
    await Deno.mkdir(join(dir, "front"));
    const clip = join(dir, "front", "clip1.mp4");
    const paths = evidencePaths(clip);
    assert.equal(paths.csv, join(dir, "front", "clip1.detections.csv"));
    assert.equal(await readStoredDetections(clip), undefined, "no evidence: undefined");
    const frames = [{
      time: 0.5,
      detections: [
        { label: "person", score: 0.9, box: [100, 100, 140, 200] as const, track: 1 },
        { label: 'odd, "label"', score: 0.3, box: [1, 2, 3, 4] as const, track: undefined },
      ],
    }];
    await Deno.writeTextFile(paths.csv, detectionsCsv(frames, new Set([1])));
    const stored = await readStoredDetections(clip);
    assert.deepEqual(stored, [
      { time: 0.5, track: 1, label: "person", score: 0.9, box: [100, 100, 140, 200], confirmed: true },
      { time: 0.5, track: undefined, label: 'odd, "label"', score: 0.3, box: [1, 2, 3, 4], confirmed: false },
    ]);
    assert.throws(() => parseStoredDetections("a,b\n1,2\n"), TypeError);
    // One snapshot on disk (person 1 of clip 1), the others missing.
    await sharp({ create: { width: 320, height: 240, channels: 3, background: "#888" } }).jpeg()
      .toFile(paths.snapshot({ label: "person", id: 1 }));
    const { snapshots, missing } = await findSnapshots(LINES, { videoDir: dir, timeZone: "UTC" });
    assert.equal(snapshots.length, 1);
    assert.equal(missing, 5);
    assert.equal(snapshots[0].caption, "front 08:59:50 person 0.90");
    const gallery = await snapshotGallery(snapshots);
    assert.equal(gallery.height > 160, true);
    await assert.rejects(() => snapshotGallery([]), RangeError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the clip timeline and the dataset export from the boxes stored beside a clip, no detector run", async () => {
  const { cutSample } = await import("../helpers/media.ts");
  const { storedClipTimeline } = await import("../../lib/notebook/clip_timeline.ts");
  const { exportYoloDataset } = await import("../../lib/notebook/yolo_dataset_export.ts");
  const { YoloAnalyzer } = await import("../../lib/yolo/yolo_analyzer.ts");
  const dir = await Deno.makeTempDir({ prefix: "camwatch-stored-" });
  try {
    await Deno.mkdir(join(dir, "front"));
    const clip = join(dir, "front", "a.mp4");
    await cutSample(clip, 2);
    assert.equal(await storedClipTimeline(clip), undefined, "no CSV: undefined, to detect again");
    const frames = [0, 0.5, 1, 1.5].map((time) => ({
      time,
      detections: [
        { label: "person", score: 0.8, box: [100 + 40 * time, 100, 140 + 40 * time, 200] as const, track: 1 },
        { label: "bird", score: 0.25, box: [10, 10, 20, 20] as const, track: 2 },
      ],
    }));
    await Deno.writeTextFile(evidencePaths(clip).csv, detectionsCsv(frames, new Set([1])));
    const timeline = (await storedClipTimeline(clip, { sampleFps: 2, show: 2 }))!;
    assert.deepEqual(timeline.labels, ["person"], "the rejected bird left out");
    assert.equal(timeline.frames, 4);
    assert.equal(timeline.shown.length, 2);
    assert.deepEqual(timeline.shown[0].found.detections.map((d) => d.label), ["person"]);
    const all = (await storedClipTimeline(clip, { sampleFps: 2, confirmedOnly: false }))!;
    assert.deepEqual(all.labels.sort(), ["bird", "person"]);

    await using analyzer = await YoloAnalyzer.create();
    const summary = await exportYoloDataset(analyzer, ["front/a.mp4", "front/none.mp4"], join(dir, "ds"), {
      videoDir: dir,
      boxes: "stored",
      sampleFps: 1,
    });
    assert.equal(summary.items.length, 2, "the frames at 0 and 1 s");
    assert.deepEqual(summary.boxes, { person: 2 });
    assert.equal(summary.skipped.length, 1);
    assert.match(summary.skipped[0].error, /no stored detections beside it|not a readable|no such file/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
