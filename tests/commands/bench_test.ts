/**
 * `deno task bench` as a user runs it, with the task's permissions, on its shortest benchmarks
 * and short settings (its documented interface: benchmark names as arguments, settings in the
 * environment): the import cost of each surface in fresh processes, and the queue through a
 * private redis-server with a real worker, the log, tracked objects, and the capture against a
 * bare copy (with its sub-stream row). It must print figures and exit 0.
 */
import assert from "node:assert/strict";
import { decodeOutput, denoTask } from "../helpers/deno_task.ts";

Deno.test("deno task bench imports queue: figures for each surface and for the queue, status 0", async () => {
  const out = decodeOutput(
    await denoTask("bench", ["imports", "queue"], { env: { BENCH_IMPORT_RUNS: "1", NO_COLOR: "1" } })
      .output(),
  );
  assert.equal(out.code, 0, `${out.stdout}\n${out.stderr}`);
  assert.doesNotMatch(out.stderr, /NotCapable|PermissionDenied|Requires \w+ access/);
  assert.match(out.stdout, /camwatch bench on \d+ cores/);
  // imports: a line per public surface with its figures.
  for (const surface of ["mod.ts", "lib/queue/mod.ts", "notebook.ts"]) {
    assert.match(
      out.stdout,
      new RegExp(`^ +${surface.replace(".", "\\.")} +\\d+\\.\\d +\\d+`, "m"),
      out.stdout,
    );
  }
  // queue: tasks per second and a clip's latency, measured.
  assert.match(out.stdout, /[1-9]\d* tasks\/s/);
  assert.match(out.stdout, /[1-9]\d* ms/);
});

Deno.test("deno task bench log on small logs: a row per size with every figure, the goal line, status 0", async () => {
  const out = decodeOutput(
    await denoTask("bench", ["log"], { env: { BENCH_LOG_SIZES: "2000,20000", NO_COLOR: "1" } }).output(),
  );
  assert.equal(out.code, 0, `${out.stdout}\n${out.stderr}`);
  assert.doesNotMatch(out.stderr, /NotCapable|PermissionDenied|Requires \w+ access/);
  assert.match(out.stdout, /generated 20\d{3} lines in \d+ day files/);
  // A row per size: lines, files, worker RSS after start and after the tasks, has(), a day, 30 days.
  const rows = [
    ...out.stdout.matchAll(
      /^ +(\d+) +(\d+) \| +(\d+) +(\d+) \(([\d.]+)x\) \| +([\d.]+) .*\| +(\d+) \([\d.]+x\) 540 /gm,
    ),
  ];
  assert.equal(rows.length, 2, out.stdout);
  assert.deepEqual(rows.map((r) => Number(r[1])), [17280, 20520], "a month at least, then 38 days");
  for (const r of rows) assert.ok(Number(r[4]) > 0 && Number(r[6]) > 0 && Number(r[7]) > 0, r[0]);
  assert.match(out.stdout, /goal, flat within 10% from 17280 to 20520 lines: worker RSS (met|NOT met)/);
});

Deno.test("deno task bench tracking: accuracy per class on the ground truth, a clip second's cost, status 0", async () => {
  const out = decodeOutput(await denoTask("bench", ["tracking"], { env: { NO_COLOR: "1" } }).output());
  assert.equal(out.code, 0, `${out.stdout}\n${out.stderr}`);
  assert.doesNotMatch(out.stderr, /NotCapable|PermissionDenied|Requires \w+ access/);
  // the defaults count the ground truth right: every class at 100%
  for (const [label, truth] of [["person", 10], ["car", 1], ["truck", 1]] as const) {
    assert.match(
      out.stdout,
      new RegExp(`^ +${label} +truth +${truth} +counted +${truth} +errors +0 +accuracy 100%$`, "m"),
      out.stdout,
    );
  }
  assert.match(out.stdout, /^ +group +truth: person 4; counted: person 4$/m);
  const cost = out.stdout.match(
    /cost per clip second at 2 fps \((\d+) frames over [\d.]+ s\): before tracking ([\d.]+) ms, with tracking ([\d.]+) ms \(([\d.]+)x/,
  );
  assert.ok(cost, out.stdout);
  assert.ok(Number(cost[1]) > 200 && Number(cost[2]) > 0 && Number(cost[3]) >= Number(cost[2]), cost[0]);
  assert.ok(Number(cost[4]) < 1.05, `the tracker costs ${cost[4]}x`);
});

Deno.test("deno task bench capture: the sample, then 1080p with and without the sub-stream, each row measured, status 0", async () => {
  const out = decodeOutput(
    await denoTask("bench", ["capture"], { env: { BENCH_CAPTURE_SECONDS: "15", NO_COLOR: "1" } }).output(),
  );
  assert.equal(out.code, 0, `${out.stdout}\n${out.stderr}`);
  assert.doesNotMatch(out.stderr, /NotCapable|PermissionDenied|Requires \w+ access/);
  // Every row: CPU seconds per minute, a share of one core, and the work done in the window.
  const rows = [
    ...out.stdout.matchAll(
      /^ {4}(.+?) +([\d.]+) CPU s per minute +([\d.]+)% of one core +\((?:(\d+) segments|(\d+) frames to motion detection, (\d+) clips?)/gm,
    ),
  ];
  assert.deepEqual(rows.map((r) => r[1].replace(/ \(.*/, "")), [
    "bare copy",
    "capture",
    "bare copy",
    "capture",
    "capture, motion on the 640x360 sub-stream",
  ], out.stdout);
  for (const r of rows) {
    assert.ok(Number(r[2]) > 0 && Number(r[3]) > 0, r[0]);
    // Work done: segments for the bare copy; frames and at least one clip for each capture.
    assert.ok(Number(r[4] ?? 0) > 0 || (Number(r[5]) > 0 && Number(r[6]) > 0), r[0]);
  }
  // Parts of each capture: Deno, its ffmpeg processes, and ffmpeg runs that exited (clips are joined in Deno).
  const parts = [
    ...out.stdout.matchAll(/by part: deno ([\d.]+)%, ffmpeg ([\d.]+)%, ffmpeg runs that exited ([\d.]+)%$/gm),
  ];
  assert.equal(parts.length, 3, out.stdout);
  for (const p of parts) assert.ok(Number(p[1]) > 0 && Number(p[2]) > 0, p[0]);
  const ratio = out.stdout.match(
    /motion on the sub-stream \/ on the main stream: (\d+)% of the CPU \(goal: at most 35%, (met|NOT met)\)/,
  );
  assert.ok(ratio, out.stdout);
  assert.equal(ratio[2], Number(ratio[1]) <= 35 ? "met" : "NOT met");
  const alone = out.stdout.match(/their ffmpeg processes alone: (\d+)%; Deno alone: (\d+)%$/m);
  assert.ok(alone && Number(alone[1]) > 0 && Number(alone[2]) > 0, out.stdout);
  const sample = out.stdout.match(
    /the full capture of the sample: ([\d.]+)% of one core \(goal: under 5%, (met|NOT met);/,
  );
  assert.ok(sample && Number(sample[1]) > 0, out.stdout);
  assert.equal(sample[2], Number(sample[1]) < 5 ? "met" : "NOT met");
});
