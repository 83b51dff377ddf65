/**
 * log_source: every kind of source (a DetectionLog, a path, lines, async lines, an empty or
 * missing log) through the analyses, the default time zone, and lines in a range.
 */
import assert from "node:assert/strict";
import type pl from "nodejs-polars";
import { DetectionLog, type LogLine } from "../../lib/queue/detection_log.ts";
import { clipsPerCamera, clipsPerClass } from "../../lib/notebook/clip_counts.ts";
import { clipsPerHour } from "../../lib/notebook/clips_per_hour.ts";
import { clipsWith } from "../../lib/notebook/clips_with.ts";
import { failureCounts, failures } from "../../lib/notebook/failures.ts";
import { linesInRange, readLogLines } from "../../lib/notebook/log_source.ts";
import { processingTimes } from "../../lib/notebook/processing_times.ts";
import { column, line, logPath, writeLog } from "../helpers/log_lines.ts";

Deno.test("an empty or missing log: no rows, the same columns, and zero hours over a given day", async () => {
  const empty = await writeLog([]);
  const missing = logPath("never-written.jsonl");
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

Deno.test("readLogLines and linesInRange: log order, start instants, unreadable starts only without a range", async () => {
  const lines = [
    line("front", "2026-02-23T08:10:00+01:00"),
    line("yard", "2026-02-23T08:40:00Z", { clip_start: "not a time" }),
    line("yard", "2026-02-23T09:10:00Z"),
  ];
  const path = await writeLog(lines);
  assert.deepEqual((await readLogLines(path)).map((l) => l.id), lines.map((l) => l.id));
  assert.deepEqual(await readLogLines(logPath("never-written.jsonl")), []);
  const all = await linesInRange(path);
  assert.deepEqual(all.map(({ t }) => t), [
    Date.parse("2026-02-23T07:10:00Z"),
    NaN,
    Date.parse("2026-02-23T09:10:00Z"),
  ]);
  const later = await linesInRange(lines, { from: "2026-02-23T08:00:00Z" });
  assert.deepEqual(later.map(({ line }) => line.camera), ["yard"]);
  await assert.rejects(
    () => readLogLines(42 as unknown as string),
    /source must be a DetectionLog, a path or log lines, got 42/,
  );
});
