/**
 * The capture benchmark cannot lie: a capture that dies at start, or that never gets to its work,
 * makes the measurement throw a BenchFailure naming the process and the reason, instead of
 * returning a figure. Each case takes a few seconds (no camera is needed to fail).
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { BenchFailure } from "../../scripts/bench/bench_failure.ts";
import { counterValue, measureCapture } from "../../scripts/bench/capture_bench.ts";
import { EXITED_CHILDREN, treeCpu } from "../../scripts/bench/process_cpu.ts";
import { freePort } from "../../tools/free_port.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** Runs the measurement, which must throw a BenchFailure; returns it. */
async function failure(run: Promise<unknown>): Promise<BenchFailure> {
  const outcome = await run.then((value) => ({ value }), (error) => ({ error }));
  assert.ok("error" in outcome, `the bench returned a figure: ${JSON.stringify(outcome)}`);
  assert.ok(outcome.error instanceof BenchFailure, `not a BenchFailure: ${outcome.error}`);
  return outcome.error;
}

Deno.test("capture bench: a capture that dies at start (a bad setting) fails with its exit and message", async () => {
  const e = await failure(measureCapture({
    root,
    url: `rtsp://127.0.0.1:${freePort()}/stream`,
    seconds: 15,
    env: { CLIP_SECONDS: "0" },
  }));
  assert.equal(e.subject, "capture (deno task capture)");
  assert.match(e.reason, /exited with code 2 before its window/);
  assert.match(e.reason, /CLIP_SECONDS/, "the capture's own words are quoted");
});

Deno.test("capture bench: a capture that cannot reach its camera fails, quoting /healthz", async () => {
  // Nothing listens on the port: the capture stays up, retrying, and never reads a frame.
  const e = await failure(measureCapture({
    root,
    url: `rtsp://127.0.0.1:${freePort()}/stream`,
    seconds: 15,
    readyTimeoutMs: 4000,
  }));
  assert.equal(e.subject, "capture (deno task capture)");
  assert.match(e.reason, /not doing its work after 4 s/);
  assert.match(e.reason, /\/healthz 503 .*"connected":false/);
});

Deno.test("capture bench: counters are summed over label sets, absent ones are undefined", () => {
  const text = [
    "# TYPE camwatch_frames_total counter",
    'camwatch_frames_total{camera="a"} 10',
    'camwatch_frames_total{camera="b"} 5',
    'camwatch_clips_total{camera="a"} 1',
  ].join("\n");
  assert.equal(counterValue(text, "camwatch_frames_total"), 15);
  assert.equal(counterValue(text, "camwatch_clips"), undefined);
  assert.equal(counterValue(text, "camwatch_reconnects_total"), undefined);
});

Deno.test("capture bench: the CPU of a process tree counts children that exited", async () => {
  const before = await treeCpu(Deno.pid);
  assert.ok(before && before.total > 0 && (before.parts.deno ?? 0) > 0);
  // A child that burns some CPU and exits: its time must reach the tree through cutime.
  const out = await new Deno.Command("sh", {
    args: ["-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done"],
  })
    .output();
  assert.ok(out.success);
  const after = (await treeCpu(Deno.pid))!;
  assert.ok(after.parts[EXITED_CHILDREN] > before.parts[EXITED_CHILDREN], JSON.stringify({ before, after }));
  assert.equal(await treeCpu(2 ** 22 + 1), undefined, "a pid above pid_max is no process");
});
