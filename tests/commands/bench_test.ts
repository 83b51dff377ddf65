/**
 * `deno task bench` as a user runs it, with the task's permissions, on its two shortest benchmarks
 * and short settings (its documented interface: benchmark names as arguments, settings in the
 * environment): the import cost of each surface in fresh processes, and the queue through a
 * private redis-server with a real worker. It must print figures and exit 0.
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
