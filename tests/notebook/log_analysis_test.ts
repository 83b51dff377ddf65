/**
 * log_analysis: local hours across DST changes and half-hour zones, local calendar days, and
 * every notebook analysis on logs written to a temporary folder (several zones in one log, only
 * failures, empty `objects`, an empty log).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type pl from "nodejs-polars";
import { DetectionLog, type LogLine } from "../../lib/queue/detection_log.ts";
import {
  clipsPerCamera,
  clipsPerClass,
  clipsPerHour,
  clipsWith,
  failureCounts,
  failures,
  localDayRange,
  localHours,
  processingSummary,
  processingTimes,
} from "../../lib/notebook/log_analysis.ts";

const dir = await Deno.makeTempDir({ prefix: "camwatch-analysis-" });
let logs = 0;

const person = { frames: 50, max: 3, best: 0.91, first: 0.5, last: 29 };
const car = { frames: 10, max: 1, best: 0.6, first: 3, last: 8 };
const cat = { frames: 4, max: 1, best: 0.7, first: 2, last: 3.5 };

/** A log line as the worker writes it, for a clip that starts at `start` (ISO with zone). */
function line(camera: string, start: string, overrides: Partial<LogLine> = {}): LogLine {
  const objects = overrides.objects ?? { person, car };
  const end = new Date(Date.parse(start) + 30_000).toISOString();
  const stamp = start.slice(0, 19).replaceAll(/[-:]/g, "").replace("T", "-");
  return {
    ok: true,
    filename: `${camera}/${stamp}.mp4`,
    detected: Object.keys(objects),
    count: Object.keys(objects).length,
    timestamp: new Date(Date.parse(start) + 45_000).toISOString(),
    id: `${camera}-${start}`,
    camera,
    clip_start: start,
    clip_end: end,
    frames: 60,
    objects,
    model: "yolov8n_int8.onnx",
    elapsed_ms: 5400,
    worker: "vm:4242",
    ...overrides,
  };
}

/** A failed clip, as the worker logs it. */
function failed(camera: string, start: string, error: string, at?: string): LogLine {
  const l = line(camera, start, { ok: false, detected: [], count: 0, objects: {}, frames: 0, elapsed_ms: 0 });
  return { ...l, error: error.replace("<clip>", l.filename), ...(at ? { timestamp: at } : {}) };
}

/** Writes the lines as a JSONL log file and returns its path. */
async function writeLog(lines: readonly LogLine[]): Promise<string> {
  const path = join(dir, `log-${++logs}.jsonl`);
  await Deno.writeTextFile(path, lines.map((l) => JSON.stringify(l) + "\n").join(""));
  return path;
}

const column = (df: pl.DataFrame, name: string) => df.getColumn(name).toArray() as unknown[];
const times = (df: pl.DataFrame, name: string) =>
  column(df, name).map((d) => d === null ? null : (d as Date).toISOString());

Deno.test("localHours: Berlin's spring day has 23 hours, its autumn day 25 with 02:00 twice", () => {
  const spring = localHours("2026-03-29", "2026-03-30", "Europe/Berlin");
  assert.equal(spring.length, 23);
  assert.deepEqual(
    spring.slice(0, 4).map((h) => [h.label, h.utcOffset, h.start.toISOString()]),
    [
      ["2026-03-29 00:00", "+01:00", "2026-03-28T23:00:00.000Z"],
      ["2026-03-29 01:00", "+01:00", "2026-03-29T00:00:00.000Z"],
      ["2026-03-29 03:00", "+02:00", "2026-03-29T01:00:00.000Z"], // 02:00 never happened
      ["2026-03-29 04:00", "+02:00", "2026-03-29T02:00:00.000Z"],
    ],
  );
  assert.equal(spring.at(-1)!.label, "2026-03-29 23:00");

  const autumn = localHours("2026-10-25", "2026-10-26", "Europe/Berlin");
  assert.equal(autumn.length, 25);
  assert.deepEqual(
    autumn.slice(1, 5).map((h) => [h.label, h.utcOffset, h.start.toISOString()]),
    [
      ["2026-10-25 01:00", "+02:00", "2026-10-24T23:00:00.000Z"],
      ["2026-10-25 02:00", "+02:00", "2026-10-25T00:00:00.000Z"],
      ["2026-10-25 02:00", "+01:00", "2026-10-25T01:00:00.000Z"],
      ["2026-10-25 03:00", "+01:00", "2026-10-25T02:00:00.000Z"],
    ],
  );
  assert.equal(new Set(autumn.map((h) => h.start.getTime())).size, 25, "distinct starts");

  // A range that starts mid-hour begins with the hour that contains it: here the second 02:00.
  assert.deepEqual(
    localHours("2026-10-25T01:40:00Z", "2026-10-25T03:00:00Z", "Europe/Berlin").map((
      h,
    ) => [h.label, h.utcOffset]),
    [["2026-10-25 02:00", "+01:00"], ["2026-10-25 03:00", "+01:00"]],
  );
});

Deno.test("localHours matches a minute-by-minute scan in half-hour zones and around clock changes", () => {
  const windows: [string, string][] = [
    ["Europe/Berlin", "2026-03-28T12:00:00Z"],
    ["Europe/Berlin", "2026-10-24T12:00:00Z"],
    ["Asia/Kolkata", "2026-03-28T12:00:00Z"], // +05:30 all year
    ["America/St_Johns", "2026-11-01T00:00:00Z"], // -02:30 → -03:30
    ["Australia/Lord_Howe", "2026-04-04T00:00:00Z"], // +11:00 → +10:30: a 90-minute hour
    ["Australia/Lord_Howe", "2026-10-03T00:00:00Z"], // +10:30 → +11:00
    ["America/Santiago", "2026-09-05T00:00:00Z"], // midnight is skipped
  ];
  for (const [zone, from] of windows) {
    const start = Date.parse(from);
    const end = start + 2 * 86_400_000;
    const minute = new Intl.DateTimeFormat("en-US", { timeZone: zone, minute: "numeric", second: "numeric" });
    const expected: string[] = [];
    for (let t = start; t < end; t += 60_000) {
      const parts = minute.formatToParts(t);
      const read = (type: string) => Number(parts.find((p) => p.type === type)!.value);
      if (read("minute") === 0 && read("second") === 0) expected.push(new Date(t).toISOString());
    }
    const got = localHours(new Date(start), new Date(end), zone).map((h) => h.start.toISOString());
    assert.ok(expected.length >= 47, `${zone}: the scan found hours`);
    // `start` is a local :00 in every window but Kolkata's and St John's, whose first hour began earlier.
    assert.deepEqual(got.filter((t) => Date.parse(t) >= start), expected, `${zone} from ${from}`);
  }
});

Deno.test("localDayRange: 23- and 25-hour days, a skipped midnight, bad days and zones", () => {
  const hours = (day: string, zone: string) => {
    const { start, end } = localDayRange(day, zone);
    return [start.toISOString(), (end.getTime() - start.getTime()) / 3_600_000];
  };
  assert.deepEqual(hours("2026-03-29", "Europe/Berlin"), ["2026-03-28T23:00:00.000Z", 23]);
  assert.deepEqual(hours("2026-10-25", "Europe/Berlin"), ["2026-10-24T22:00:00.000Z", 25]);
  assert.deepEqual(hours("2026-02-23", "Asia/Kolkata"), ["2026-02-22T18:30:00.000Z", 24]);
  // Chile skips 00:00 on 2026-09-06: the day begins at 01:00 -03:00.
  assert.deepEqual(hours("2026-09-06", "America/Santiago"), ["2026-09-06T04:00:00.000Z", 23]);
  // "today" and a Date are the local date of that instant: 23:30 UTC is already the 24th in Berlin.
  const now = new Date("2026-02-23T23:30:00Z");
  assert.equal(localDayRange("today", "Europe/Berlin", now).start.toISOString(), "2026-02-23T23:00:00.000Z");
  assert.equal(localDayRange(now, "America/New_York").start.toISOString(), "2026-02-23T05:00:00.000Z");

  for (const bad of ["2026-02-30", "2026-13-01", "23.02.2026", "yesterday"]) {
    assert.throws(
      () => localDayRange(bad, "Europe/Berlin"),
      (e: unknown) => e instanceof RangeError && e.message.includes(JSON.stringify(bad)),
    );
  }
  assert.throws(
    () => localDayRange("2026-02-23", "Mars/Olympus"),
    /timeZone must be an IANA time zone name, got "Mars\/Olympus"/,
  );
});

Deno.test("clipsPerHour on Berlin's DST days: each clip in its local hour, empty hours as 0", async () => {
  const log = await writeLog([
    line("front", "2026-03-29T01:59:00+01:00"), // the last minute before the jump
    line("front", "2026-03-29T03:05:00+02:00"), // the first hour after it
    line("yard", "2026-03-29T01:10:00Z", { objects: { cat } }), // 03:10 CEST, written in UTC
    line("front", "2026-10-25T02:30:00+02:00"), // the first 02:30
    line("front", "2026-10-25T02:30:00+01:00"), // the second 02:30, an hour later
    line("yard", "2026-10-25T01:45:00Z", { objects: { cat } }), // 02:45 CET
    failed("yard", "2026-10-24T22:15:00-01:00", "<clip>: moov atom not found"), // 01:15 CEST
  ]);
  const spring = await clipsPerHour(log, { day: "2026-03-29", timeZone: "Europe/Berlin" });
  assert.equal(spring.height, 23);
  assert.deepEqual(spring.columns, [
    "hour",
    "hour_label",
    "utc_offset",
    "clips",
    "with_detections",
    "failed",
  ]);
  assert.match(String(spring.getColumn("hour").dtype), /Datetime\(ms/);
  assert.match(String(spring.getColumn("clips").dtype), /UInt32/);
  assert.deepEqual(column(spring, "clips").slice(0, 4), [0, 1, 2, 0]);
  assert.deepEqual(column(spring, "hour_label").slice(1, 3), ["2026-03-29 01:00", "2026-03-29 03:00"]);
  assert.equal((column(spring, "clips") as number[]).reduce((a, b) => a + b), 3);

  const autumn = await clipsPerHour(log, { day: "2026-10-25", timeZone: "Europe/Berlin", by: "label" });
  assert.equal(autumn.height, 25);
  // Most clips first, ties by name.
  assert.deepEqual(autumn.columns, ["hour", "hour_label", "utc_offset", "clips", "car", "person", "cat"]);
  const rows = autumn.toRecords().slice(1, 5);
  assert.deepEqual(rows.map((r) => [r.hour_label, r.utc_offset, r.clips, r.person, r.cat]), [
    ["2026-10-25 01:00", "+02:00", 1, 0, 0], // the failed clip: counted in clips, seen nothing
    ["2026-10-25 02:00", "+02:00", 1, 1, 0],
    ["2026-10-25 02:00", "+01:00", 2, 1, 1],
    ["2026-10-25 03:00", "+01:00", 0, 0, 0],
  ]);
  // nodejs-polars types records without Date, but a Datetime column gives real Dates to plot.
  assert.ok((rows[0].hour as unknown) instanceof Date, "toRecords gives Dates for plotting");
  assert.equal((rows[2].hour as unknown as Date).toISOString(), "2026-10-25T01:00:00.000Z");

  // The same log read from New York: other hours, the same total.
  const ny = await clipsPerHour(log, { day: "2026-10-24", timeZone: "America/New_York" });
  assert.equal(ny.height, 24);
  assert.equal((column(ny, "clips") as number[]).reduce((a, b) => a + b), 4);
  assert.deepEqual(column(ny, "clips").slice(19, 22), [1, 1, 2], "19:15, 20:30, 21:30 and 21:45 EDT");
});

Deno.test("clipsPerHour in a half-hour DST zone: the 90-minute hour of Lord Howe Island", async () => {
  // On 2026-04-05 the clocks go from 02:00 +11:00 back to 01:30 +10:30: local 01:00 lasts 90 minutes.
  const log = await writeLog([
    line("front", "2026-04-05T01:45:00+11:00"), // 14:45Z
    line("front", "2026-04-05T01:45:00+10:30"), // 15:15Z, the same wall time half an hour later
    line("front", "2026-04-05T02:10:00+10:30"), // 15:40Z
  ]);
  const df = await clipsPerHour(log, { day: "2026-04-05", timeZone: "Australia/Lord_Howe" });
  assert.equal(df.height, 24);
  assert.deepEqual(df.toRecords().slice(1, 4).map((r) => [r.hour_label, r.utc_offset, r.clips]), [
    ["2026-04-05 01:00", "+11:00", 2],
    ["2026-04-05 02:00", "+10:30", 1],
    ["2026-04-05 03:00", "+10:30", 0],
  ]);
});

Deno.test("clipsPerHour: default range, per camera, long layout, groups, minScore, odd names", async () => {
  const log = await writeLog([
    line("front", "2026-02-23T08:10:00+01:00"),
    line("yard", "2026-02-23T08:50:00+01:00", { objects: { cat } }),
    line("yard", "2026-02-23T11:20:00+01:00", { objects: {} }), // nothing seen
    failed("front", "2026-02-23T11:40:00+01:00", "<clip>: moov atom not found"),
    // A class named like a fixed column.
    line("yard", "2026-02-23T10:05:00Z", { objects: { clips: { ...cat, best: 0.3 } } }),
  ]);
  const zone = { timeZone: "Europe/Berlin" };
  const all = await clipsPerHour(log, zone);
  assert.deepEqual(column(all, "hour_label"), [
    "2026-02-23 08:00",
    "2026-02-23 09:00",
    "2026-02-23 10:00",
    "2026-02-23 11:00",
  ]);
  assert.deepEqual(column(all, "clips"), [2, 0, 0, 3]);
  assert.deepEqual(column(all, "with_detections"), [2, 0, 0, 1]);
  assert.deepEqual(column(all, "failed"), [0, 0, 0, 1]);

  const cameras = await clipsPerHour(log, { ...zone, by: "camera" });
  assert.deepEqual(cameras.columns, ["hour", "hour_label", "utc_offset", "clips", "yard", "front"]);
  assert.deepEqual(column(cameras, "front"), [1, 0, 0, 1]);

  const labels = await clipsPerHour(log, { ...zone, by: "label", minScore: 0.5 });
  assert.deepEqual(labels.columns, ["hour", "hour_label", "utc_offset", "clips", "car", "cat", "person"]);
  const named = await clipsPerHour(log, { ...zone, by: "label" });
  assert.ok(named.columns.includes("label:clips"), named.columns.join());
  assert.deepEqual(column(named, "label:clips"), [0, 0, 0, 1]);

  const long = await clipsPerHour(log, {
    ...zone,
    by: "label",
    layout: "long",
    groups: ["cat", "dog"],
    from: "2026-02-23T08:30",
    to: "2026-02-23T10:00",
  });
  assert.deepEqual(long.columns, ["hour", "hour_label", "utc_offset", "label", "clips"]);
  assert.deepEqual(long.toRecords().map((r) => [r.hour_label, r.label, r.clips]), [
    ["2026-02-23 08:00", "cat", 1],
    ["2026-02-23 08:00", "dog", 0],
    ["2026-02-23 09:00", "cat", 0],
    ["2026-02-23 09:00", "dog", 0],
  ]);

  await assert.rejects(() => clipsPerHour(log, { by: "class" as "label" }), TypeError);
  await assert.rejects(
    () => clipsPerHour(log, { minScore: 2 }),
    /minScore must be a number from 0 to 1, got 2/,
  );
  await assert.rejects(
    () => clipsPerHour(log, { day: "today", from: "2026-01-01" }),
    /either day or from\/to/,
  );
  await assert.rejects(() => clipsPerHour(log, { from: "2026-02-24", to: "2026-02-23" }), RangeError);
});

Deno.test("clipsWith: a real local day, whatever offset the log's strings carry", async () => {
  const log = await writeLog([
    line("front", "2026-02-23T23:30:00+01:00", { objects: { cat } }), // 23:30 Berlin: in
    line("front", "2026-02-24T00:30:00+01:00", { objects: { cat } }), // 00:30 the next day: out
    line("yard", "2026-02-22T23:15:00Z", { objects: { cat: { ...cat, best: 0.4 } } }), // 00:15 Berlin: in
    line("yard", "2026-02-23T22:45:00-05:00", { objects: { cat } }), // 04:45 on the 24th in Berlin: out
    line("yard", "2026-02-23T12:00:00+01:00", { objects: { person } }), // no cat
    failed("yard", "2026-02-23T13:00:00+01:00", "<clip>: moov atom not found"),
  ]);
  const berlin = await clipsWith(log, "cat", { day: "2026-02-23", timeZone: "Europe/Berlin" });
  assert.deepEqual(berlin.columns, [
    "id",
    "camera",
    "clip_start",
    "local_time",
    "filename",
    "best",
    "frames",
    "max",
  ]);
  assert.deepEqual(column(berlin, "local_time"), ["2026-02-23 00:15:00", "2026-02-23 23:30:00"]);
  assert.deepEqual(times(berlin, "clip_start"), ["2026-02-22T23:15:00.000Z", "2026-02-23T22:30:00.000Z"]);
  assert.deepEqual(column(berlin, "filename"), ["yard/20260222-231500.mp4", "front/20260223-233000.mp4"]);
  assert.deepEqual(column(berlin, "best"), [0.4, 0.7]);

  // New York's 23rd is 05:00Z..05:00Z next day: a different set from the same lines.
  const ny = await clipsWith(log, "cat", { day: "2026-02-23", timeZone: "America/New_York" });
  assert.deepEqual(column(ny, "local_time"), [
    "2026-02-23 17:30:00",
    "2026-02-23 18:30:00",
    "2026-02-23 22:45:00",
  ]);

  // "today" is read from `now` in the zone: 2026-02-23T23:30Z is the 24th in Berlin.
  const now = new Date("2026-02-23T23:30:00Z");
  const today = await clipsWith(log, "cat", { day: "today", timeZone: "Europe/Berlin", now });
  assert.deepEqual(column(today, "local_time"), ["2026-02-24 00:30:00", "2026-02-24 04:45:00"]);
  assert.equal((await clipsWith(log, "cat", { day: "today", timeZone: "UTC", now })).height, 2);

  const sure = await clipsWith(log, "cat", { day: "2026-02-23", timeZone: "Europe/Berlin", minScore: 0.5 });
  assert.deepEqual(column(sure, "camera"), ["front"]);
  const yard = await clipsWith(log, "cat", { timeZone: "Europe/Berlin", camera: "yard" });
  assert.equal(yard.height, 2, "no day: every day");
  assert.equal((await clipsWith(log, "dog", { day: "2026-02-23" })).height, 0);
});

Deno.test("clipsPerClass and clipsPerCamera count clips, frames, best scores and outcomes", async () => {
  const log = await writeLog([
    line("front", "2026-02-23T08:00:00+01:00"),
    line("front", "2026-02-23T09:00:00+01:00", {
      objects: { person: { ...person, frames: 7, max: 5, best: 0.95 } },
      frames: 40,
    }),
    line("yard", "2026-02-23T10:00:00+01:00", { objects: { cat, car: { ...car, best: 0.2 } } }),
    line("yard", "2026-02-23T11:00:00+01:00", { objects: {} }),
    failed("yard", "2026-02-23T12:00:00+01:00", "<clip>: moov atom not found"),
  ]);
  const classes = await clipsPerClass(log);
  assert.deepEqual(classes.columns, [
    "label",
    "clips",
    "share",
    "frames",
    "max",
    "best",
    "first_clip",
    "last_clip",
  ]);
  assert.deepEqual(classes.toRecords().map((r) => [r.label, r.clips, r.share, r.frames, r.max, r.best]), [
    ["car", 2, 0.5, 20, 1, 0.6],
    ["person", 2, 0.5, 57, 5, 0.95],
    ["cat", 1, 0.25, 4, 1, 0.7],
  ]);
  assert.deepEqual(times(classes, "last_clip"), [
    "2026-02-23T09:00:00.000Z",
    "2026-02-23T08:00:00.000Z",
    "2026-02-23T09:00:00.000Z",
  ]);
  assert.deepEqual(column(await clipsPerClass(log, { minScore: 0.5 }), "clips"), [2, 1, 1]);
  assert.deepEqual(
    column(
      await clipsPerClass(log, { from: "2026-02-23T09:30:00+01:00", timeZone: "Europe/Berlin" }),
      "label",
    ),
    ["car", "cat"],
  );

  const cameras = await clipsPerCamera(log);
  assert.deepEqual(cameras.columns, [
    "camera",
    "clips",
    "ok",
    "failed",
    "with_detections",
    "frames",
    "first_clip",
    "last_clip",
  ]);
  assert.deepEqual(
    cameras.toRecords().map((r) => [r.camera, r.clips, r.ok, r.failed, r.with_detections, r.frames]),
    [
      ["front", 2, 2, 0, 2, 100],
      ["yard", 3, 2, 1, 1, 120],
    ],
  );
  assert.deepEqual(times(cameras, "last_clip"), ["2026-02-23T08:00:00.000Z", "2026-02-23T11:00:00.000Z"]);
  assert.deepEqual(column(await clipsPerCamera(log, { minScore: 0.8 }), "with_detections"), [2, 0]);
});

Deno.test("processingTimes and processingSummary: per clip, per frame, median and p95", async () => {
  const elapsed = [1000, 2000, 3000, 4000, 10000];
  const log = await writeLog([
    ...elapsed.map((ms, i) =>
      line("front", `2026-02-23T0${i}:00:00+01:00`, {
        elapsed_ms: ms,
        frames: 10 * (i + 1),
        clip_end: `2026-02-23T0${i}:00:${10 * (i + 1)}+01:00`,
      })
    ),
    failed("front", "2026-02-23T07:00:00+01:00", "<clip>: moov atom not found"),
    line("yard", "2026-02-23T08:00:00+01:00", { frames: 0, elapsed_ms: 0, objects: {} }),
  ]);
  const perClip = await processingTimes(log);
  assert.equal(perClip.height, 6, "failures left out");
  assert.deepEqual(column(perClip, "ms_per_frame"), [100, 100, 100, 100, 200, null]);
  assert.deepEqual(column(perClip, "clip_seconds"), [10, 20, 30, 40, 50, 30]);
  assert.deepEqual(column(perClip, "realtime_factor"), [10, 10, 10, 10, 5, null]);
  assert.equal(column(perClip, "model")[0], "yolov8n_int8.onnx");

  const summary = await processingSummary(log);
  assert.deepEqual(summary.columns, ["metric", "count", "mean", "median", "p95", "min", "max"]);
  const elapsedRow = summary.toRecords().find((r) => r.metric === "elapsed_ms")!;
  // 6 values 0, 1000, 2000, 3000, 4000, 10000: the p95 lies 0.75 of the way from 4000 to 10000.
  assert.deepEqual(elapsedRow, {
    metric: "elapsed_ms",
    count: 6,
    mean: 20000 / 6,
    median: 2500,
    p95: 8500,
    min: 0,
    max: 10000,
  });
  const perFrame = summary.toRecords().find((r) => r.metric === "ms_per_frame")!;
  assert.deepEqual([perFrame.count, perFrame.median, perFrame.max], [5, 100, 200]);
});

Deno.test("a log of only failures: failures, counts per message, and the other analyses", async () => {
  const log = await writeLog([
    failed("front", "2026-02-23T08:00:00+01:00", "<clip>: moov atom not found", "2026-02-23T07:01:00.000Z"),
    failed(
      "yard",
      "2026-02-23T09:00:00+01:00",
      "task.path leaves the video folder",
      "2026-02-23T08:01:00.000Z",
    ),
    failed("yard", "2026-02-23T10:00:00+01:00", "<clip>: moov atom not found", "2026-02-23T09:01:00.000Z"),
  ]);
  const list = await failures(log);
  assert.deepEqual(list.columns, ["id", "camera", "filename", "clip_start", "timestamp", "worker", "error"]);
  assert.deepEqual(column(list, "error"), [
    "front/20260223-080000.mp4: moov atom not found",
    "task.path leaves the video folder",
    "yard/20260223-100000.mp4: moov atom not found",
  ]);
  assert.deepEqual(times(list, "timestamp"), [
    "2026-02-23T07:01:00.000Z",
    "2026-02-23T08:01:00.000Z",
    "2026-02-23T09:01:00.000Z",
  ]);
  assert.equal((await failures(log, { from: "2026-02-23T08:30:00Z" })).height, 1);

  const counts = await failureCounts(log);
  assert.deepEqual(counts.columns, ["error", "clips", "first", "last", "example"]);
  assert.deepEqual(counts.toRecords().map((r) => [r.error, r.clips, r.example]), [
    ["<clip>: moov atom not found", 2, "yard/20260223-100000.mp4: moov atom not found"],
    ["task.path leaves the video folder", 1, "task.path leaves the video folder"],
  ]);
  assert.deepEqual(times(counts, "first").concat(times(counts, "last")), [
    "2026-02-23T07:01:00.000Z",
    "2026-02-23T08:01:00.000Z",
    "2026-02-23T09:01:00.000Z",
    "2026-02-23T08:01:00.000Z",
  ]);
  assert.equal((await failureCounts(log, { groupAcrossClips: false })).height, 3);

  assert.deepEqual(column(await clipsPerHour(log, { timeZone: "Europe/Berlin" }), "failed"), [1, 1, 1]);
  assert.deepEqual(column(await clipsPerCamera(log), "failed"), [1, 2]);
  assert.equal((await clipsPerClass(log)).height, 0);
  assert.equal((await processingTimes(log)).height, 0);
  assert.deepEqual(column(await processingSummary(log), "count"), [0, 0, 0, 0, 0]);
});

Deno.test("an empty or missing log: no rows, the same columns, and zero hours over a given day", async () => {
  const empty = await writeLog([]);
  const missing = join(dir, "never-written.jsonl");
  for (const source of [empty, missing, new DetectionLog(missing), [] as LogLine[]]) {
    const expected: [Promise<pl.DataFrame>, string[]][] = [
      [clipsPerHour(source), ["hour", "hour_label", "utc_offset", "clips", "with_detections", "failed"]],
      [clipsPerHour(source, { by: "label" }), ["hour", "hour_label", "utc_offset", "clips"]],
      [clipsPerHour(source, { by: "camera", layout: "long" }), [
        "hour",
        "hour_label",
        "utc_offset",
        "camera",
        "clips",
      ]],
      [clipsPerClass(source), [
        "label",
        "clips",
        "share",
        "frames",
        "max",
        "best",
        "first_clip",
        "last_clip",
      ]],
      [clipsPerCamera(source), [
        "camera",
        "clips",
        "ok",
        "failed",
        "with_detections",
        "frames",
        "first_clip",
        "last_clip",
      ]],
      [clipsWith(source, "cat", { day: "today" }), [
        "id",
        "camera",
        "clip_start",
        "local_time",
        "filename",
        "best",
        "frames",
        "max",
      ]],
      [processingTimes(source), [
        "id",
        "camera",
        "clip_start",
        "filename",
        "model",
        "worker",
        "frames",
        "elapsed_ms",
        "ms_per_frame",
        "clip_seconds",
        "realtime_factor",
      ]],
      [failures(source), ["id", "camera", "filename", "clip_start", "timestamp", "worker", "error"]],
      [failureCounts(source), ["error", "clips", "first", "last", "example"]],
    ];
    for (const [df, columns] of expected) {
      const frame = await df;
      assert.equal(frame.height, 0);
      assert.deepEqual(frame.columns, columns);
      assert.deepEqual(frame.toRecords(), []);
    }
    assert.equal((await clipsPerHour(source, { from: "2026-02-23T10:00:00Z" })).height, 0);
  }
  const day = await clipsPerHour(empty, {
    day: "2026-02-23",
    timeZone: "Europe/Berlin",
    by: "label",
    groups: ["cat"],
  });
  assert.equal(day.height, 24);
  assert.deepEqual(new Set(column(day, "cat")), new Set([0]));
  assert.match(String(day.getColumn("cat").dtype), /UInt32/);
});

Deno.test("sources: DetectionLog, path, lines, async lines; the zone defaults to the process's", async () => {
  const lines = [
    line("front", "2026-02-23T08:10:00+01:00"),
    line("yard", "2026-02-23T09:10:00+01:00", { objects: {} }),
  ];
  const path = await writeLog(lines);
  async function* stream() {
    yield* lines;
  }
  for (const source of [path, new DetectionLog(path), lines, stream()]) {
    assert.deepEqual(column(await clipsPerCamera(source), "with_detections"), [1, 0]);
  }
  const local = Intl.DateTimeFormat().resolvedOptions().timeZone;
  assert.deepEqual(
    (await clipsPerHour(path)).toRecords(),
    (await clipsPerHour(path, { timeZone: local })).toRecords(),
  );
  await assert.rejects(() => clipsPerHour(path, { timeZone: "Nowhere/Land" }), RangeError);
  await assert.rejects(() => clipsPerHour(42 as unknown as string), TypeError);
});

globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
