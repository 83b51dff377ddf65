/**
 * logDataFrame and objectsDataFrame: the detection log as DataFrames with real types, one row
 * per clip or per clip and class, and the same columns for an empty log.
 */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { DetectionLog } from "../../lib/queue/detection_log.ts";
import { logDataFrame, objectsDataFrame } from "../../lib/notebook/log_data_frame.ts";
import { cat, column, failed, line, logPath } from "../helpers/log_lines.ts";

Deno.test("logDataFrame and objectsDataFrame with real types", async () => {
  const path = logPath("frames.jsonl");
  const log = new DetectionLog(path);
  const start = "2026-02-23T14:46:57.000+01:00";
  await log.append(line("front", start, { id: "a" }));
  await log.append({ ...failed("front", start, "front/b.mp4: no such file"), id: "b" });
  await Deno.writeTextFile(path, "{ not json\n", { append: true }); // a hand-edited line is skipped
  await log.append(line("yard", start, { id: "c", objects: { cat } }));
  await log.append(line("front", start, { id: "d" }));

  const df = await logDataFrame(log);
  assert.equal(df.height, 4);
  assert.deepEqual(df.getColumn("id").toArray(), ["a", "b", "c", "d"]);
  assert.deepEqual(df.getColumn("ok").toArray(), [true, false, true, true]);
  assert.match(String(df.getColumn("clip_start").dtype), /Datetime\(ms/);
  assert.equal(
    (df.getColumn("clip_start").toArray()[0] as unknown as Date).getTime(),
    Date.parse("2026-02-23T13:46:57Z"),
  );
  assert.deepEqual(df.getColumn("error").toArray(), [null, "front/b.mp4: no such file", null, null]);
  assert.deepEqual(column(df, "detected"), [["person", "car"], [], ["cat"], ["person", "car"]]);
  const objects = await objectsDataFrame(path);
  assert.deepEqual(objects.getColumn("label").toArray(), ["person", "car", "cat", "person", "car"]);
  const cats = objects.filter(pl.col("label").eq(pl.lit("cat")));
  assert.deepEqual(cats.getColumn("camera").toArray(), ["yard"]);
  assert.deepEqual(cats.getColumn("best").toArray(), [0.7]);
  assert.equal((await logDataFrame(logPath("none.jsonl"))).height, 0);
});

Deno.test("an empty log: no rows, every column with its type", async () => {
  const empty = await logDataFrame([]);
  assert.equal(empty.height, 0);
  assert.deepEqual(empty.columns, [
    "ok",
    "id",
    "camera",
    "filename",
    "clip_start",
    "clip_end",
    "timestamp",
    "detected",
    "count",
    "frames",
    "model",
    "worker",
    "elapsed_ms",
    "error",
  ]);
  assert.match(String(empty.getColumn("detected").dtype), /List/);
  const objects = await objectsDataFrame([]);
  assert.deepEqual(objects.columns, [
    "id",
    "camera",
    "clip_start",
    "label",
    "frames",
    "max",
    "best",
    "first",
    "last",
  ]);
  // A notebook's filter runs on an empty log too.
  assert.equal(empty.filter(pl.col("camera").neq(pl.lit("test"))).height, 0);
});
