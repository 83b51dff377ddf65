/**
 * local_time: local hours across DST changes and half-hour zones (checked against a
 * minute-by-minute scan), and local calendar days of 23 and 25 hours.
 */
import assert from "node:assert/strict";
import { localDayRange, localHours } from "../../lib/notebook/local_time.ts";

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
