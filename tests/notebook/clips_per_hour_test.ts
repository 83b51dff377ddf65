/**
 * clipsPerHour on logs written to a temporary folder: DST days, a half-hour DST zone, the
 * default range, splits per camera and class, the long layout, and bad options.
 */
import assert from "node:assert/strict";
import { clipsPerHour } from "../../lib/notebook/clips_per_hour.ts";
import { cat, column, failed, line, writeLog } from "../helpers/log_lines.ts";

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
