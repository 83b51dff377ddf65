/**
 * clipsWith: the clips that saw a class on a real local day, whatever offset the log carries.
 */
import assert from "node:assert/strict";
import { clipsWith } from "../../lib/notebook/clips_with.ts";
import { cat, column, failed, line, person, times, writeLog } from "../helpers/log_lines.ts";

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
