/**
 * The rules of the log's files: which file a clip start goes to (UTC, whatever the offset written),
 * the start read back from a task id, the span of a file, and the files a range names.
 */
import assert from "node:assert/strict";
import {
  isFolderLog,
  partitionInRange,
  partitionKey,
  partitionKeys,
  partitionSpan,
  startOfId,
  UNDATED,
} from "../../lib/queue/log_partitions.ts";

Deno.test("a clip start goes to the file of its UTC day or month; an unreadable one to undated", () => {
  assert.equal(partitionKey("2026-03-01T00:30:00.000+01:00", "day"), "2026-02-28");
  assert.equal(partitionKey("2026-03-01T00:30:00.000+01:00", "month"), "2026-02");
  assert.equal(partitionKey("2026-02-28T23:30:00.000-05:00", "day"), "2026-03-01");
  assert.equal(partitionKey("not a time", "day"), UNDATED);
  assert.equal(partitionKey(undefined, "day"), UNDATED);
  assert.equal(partitionKey("+020000-01-01T00:00:00Z", "day"), UNDATED, "a year no file name holds");
  assert.equal(isFolderLog("video/detections.d"), true);
  assert.equal(isFolderLog("video/detections_log.jsonl"), false);
});

Deno.test("the start is read back from a task id, whatever dashes the camera's name holds", () => {
  assert.equal(startOfId("front-door-2-2026-02-23T14:46:57.120+01:00"), "2026-02-23T14:46:57.120+01:00");
  assert.equal(startOfId("yard-2026-02-23T14:46:57Z"), "2026-02-23T14:46:57Z");
  assert.equal(startOfId("clip-3"), undefined);
  assert.equal(startOfId("front-2026-02-23"), undefined, "a date alone is not a start");
});

Deno.test("a file's span, and the files a range names (across a month and a leap day)", () => {
  assert.deepEqual(partitionSpan("2028-02"), [Date.UTC(2028, 1, 1), Date.UTC(2028, 2, 1)]);
  assert.deepEqual(partitionSpan("2028-02-29"), [Date.UTC(2028, 1, 29), Date.UTC(2028, 2, 1)]);
  assert.equal(partitionSpan(UNDATED), undefined);
  assert.equal(partitionSpan("notes"), undefined);
  const range = { from: Date.UTC(2028, 1, 28, 23), to: Date.UTC(2028, 2, 1, 0, 0, 1) };
  assert.deepEqual(partitionKeys(range, "day", 400), ["2028-02-28", "2028-02-29", "2028-03-01"]);
  assert.deepEqual(partitionKeys({ from: Date.UTC(2027, 11, 31), to: Date.UTC(2028, 1, 1) }, "month", 400), [
    "2027-12",
    "2028-01",
  ]);
  assert.deepEqual(partitionKeys({ from: 5, to: 5 }, "day", 400), []);
  assert.equal(partitionKeys({ from: Date.UTC(2026, 0, 1) }, "day", 400), undefined, "open: list the folder");
  assert.equal(partitionKeys({ from: 0, to: Date.UTC(2026, 0, 1) }, "day", 400), undefined, "too many: list");
  assert.equal(partitionInRange("2028-02-29", range), true);
  assert.equal(partitionInRange("2028-03-02", range), false);
  assert.equal(partitionInRange(UNDATED, range), false);
  assert.equal(partitionInRange(UNDATED, {}), true);
});
