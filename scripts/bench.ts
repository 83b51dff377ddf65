/**
 * `deno task bench`: benchmarks that report ratios against a baseline measured in the same
 * run, so that figures from different machines compare.
 *
 * `deno task bench [analyzer] [queue] [capture] [imports]` runs only the benchmarks named
 * (all four without a name): `analyzer` (YOLO analysis against bare inference), `queue`
 * (tasks per second and clip-to-log latency), `capture` (CPU of one camera against a bare
 * stream copy), `imports` (time and memory to import each public surface in a fresh process,
 * against an empty module, and whether its graph holds the notebook-only packages).
 *
 * Settings: YOLO_MODEL, YOLO_THREADS (default 1), BENCH_SECONDS (default 30, a clip's length),
 * SAMPLE_FPS (default 2), BENCH_CAPTURE_SECONDS (default 60, wall time of each capture run),
 * BENCH_IMPORT_RUNS (default 5, fresh processes per surface).
 *
 * @module
 */

import { numberVar, readAnalyzerSettings } from "../lib/ops/config.ts";
import { benchAnalyzer } from "./bench/analyzer_bench.ts";
import { benchCapture } from "./bench/capture_bench.ts";
import { benchQueue } from "./bench/queue_bench.ts";
import { benchImports, formatImportBench } from "./bench/import_bench.ts";

const BENCHES = ["analyzer", "queue", "capture", "imports"] as const;
const unknown = Deno.args.filter((a) => !(BENCHES as readonly string[]).includes(a));
if (unknown.length) {
  console.error(`unknown benchmark ${unknown.join(", ")}; choose among ${BENCHES.join(", ")}`);
  Deno.exit(2);
}
const selected = new Set(Deno.args.length ? Deno.args : BENCHES);

const env = Deno.env.toObject();
const settings = readAnalyzerSettings(env);
const seconds = numberVar(env, "BENCH_SECONDS", 30, { min: 1 });
const sampleFps = settings.sampleFps === "all" ? 10 : settings.sampleFps;
const video = new URL("../video/samples/vtest.mp4", import.meta.url).pathname;

console.log(`camwatch bench on ${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno}\n`);
if (selected.has("analyzer")) {
  const analysis = await benchAnalyzer({
    video,
    seconds,
    sampleFps,
    threads: settings.threads,
    model: settings.model,
  });
  console.log(`YOLO analysis: ${analysis.label}`);
  const base = analysis.rows[0].msPerFrame;
  for (const row of analysis.rows) {
    console.log(
      `  ${row.name.padEnd(44)} ${row.msPerFrame.toFixed(1).padStart(7)} ms/frame  ${
        (row.msPerFrame / base).toFixed(2)
      }x`,
    );
  }
  const ratio = analysis.rows[1].msPerFrame / base;
  console.log(`  pipeline / bare inference: ${ratio.toFixed(3)} (goal: at most 1.15)`);
}

if (selected.has("queue")) {
  const q = await benchQueue(video, 10);
  console.log(`\nQueue (a private redis-server):`);
  console.log(
    `  publish → consume → ack, no analysis: ${q.tasksPerSecond.toFixed(0)} tasks/s (${q.tasks} tasks)`,
  );
  console.log(
    `  a 10 s clip: analysis alone ${q.analysisMs.toFixed(0)} ms; task published → log line ${
      q.latencyMs.toFixed(0)
    } ms ` +
      `(${(q.latencyMs / q.analysisMs).toFixed(2)}x, queue and log overhead ${
        (q.latencyMs - q.analysisMs).toFixed(0)
      } ms)`,
  );
}

if (selected.has("capture")) {
  const captureSeconds = numberVar(env, "BENCH_CAPTURE_SECONDS", 60, { min: 5 });
  console.log(`\nCapture of one camera (the sample, 768x576 at 10 fps), ${captureSeconds} s each:`);
  const capture = await benchCapture({ video, seconds: captureSeconds });
  for (const row of capture) {
    const perMinute = (row.cpuSeconds / row.wallSeconds) * 60;
    const share = (100 * row.cpuSeconds) / row.wallSeconds;
    console.log(
      `  ${row.name.padEnd(44)} ${perMinute.toFixed(2).padStart(6)} CPU s per minute  ${
        share.toFixed(1)
      }% of one core`,
    );
  }
  const [bare, full] = capture;
  console.log(
    `  full capture / bare copy: ${(full.cpuSeconds / bare.cpuSeconds).toFixed(2)}x ` +
      `(goal: the full capture under 5% of one core; the prototype's MOG2 + XVID approach used 16%)`,
  );
}

if (selected.has("imports")) {
  const runs = numberVar(env, "BENCH_IMPORT_RUNS", 5, { min: 1 });
  console.log(`\nImport cost per surface, fresh process each, median of ${runs} runs:`);
  const imports = await benchImports({ root: new URL("..", import.meta.url).pathname, runs });
  for (const line of formatImportBench(imports)) console.log(line);
}
