/**
 * `deno task bench`: benchmarks that report ratios against a baseline measured in the same
 * run, so that figures from different machines compare.
 *
 * `deno task bench [analyzer] [queue] [capture] [imports] [log] [tracking]` runs only the benchmarks
 * named (all six without a name): `analyzer` (YOLO analysis against bare inference), `queue`
 * (tasks per second and clip-to-log latency), `capture` (CPU of `deno task capture` against a
 * bare stream copy, on the sample and on a 1920x1080 15 fps version of it, there also with motion
 * watched on a 640x360 sub-stream of the same scene, `DETECT_URL`), `imports` (time and
 * memory to import each public surface in a fresh process, against an empty module, and
 * whether its graph holds the notebook-only packages), `log` (a worker's memory, checking one id, and
 * loading a day and a month into a DataFrame, on logs of 10k, 100k and 1M lines, against the smallest),
 * `tracking` (objects counted per class on the ground-truth videos against their truth, and a clip
 * second's cost at SAMPLE_FPS with the tracker against the same analysis before it).
 *
 * A benchmark cannot lie: each one checks that the process or loop it measured did the work it
 * reports on (frames analysed, tasks consumed and logged, a capture alive and healthy all
 * through its window with frames reaching motion detection and clips written, imports that
 * exported something). When that fails it prints `FAILED <bench>: <process>: <why>` instead of a
 * figure, the other benchmarks still run, and the exit code is 1.
 *
 * Settings (environment):
 * - YOLO_MODEL, YOLO_THREADS (default 1), SAMPLE_FPS (default 2): the analyzer's, as for the worker
 * - BENCH_SECONDS (default 30): seconds of the sample the analyzer bench analyses
 * - BENCH_CAPTURE_SECONDS (default 60, at least 15): the window each capture comparison is
 *   measured over (the capture and the bare copy side by side; start-up not counted)
 * - BENCH_IMPORT_RUNS (default 5): fresh processes per surface
 * - BENCH_LOG_SIZES (default 10000,100000,1000000): log sizes in lines, the first the baseline (1M
 *   lines is 0.6 GB of log and about 3 minutes on 2 cores; CI runs small ones)
 *
 * The default run takes about 3.5 minutes on 2 cores (2 of them the capture windows); for a
 * quick look use e.g.
 * `BENCH_SECONDS=5 BENCH_CAPTURE_SECONDS=15 BENCH_IMPORT_RUNS=1 deno task bench`.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { numberVar, readAnalyzerSettings } from "../lib/ops/config.ts";
import { probeMedia } from "../lib/media/ffmpeg.ts";
import { benchAnalyzer } from "./bench/analyzer_bench.ts";
import {
  BENCH_CLIP_SETTINGS,
  benchCapture,
  type CaptureBenchRow,
  makeFullHdSource,
} from "./bench/capture_bench.ts";
import { EXITED_CHILDREN } from "./bench/process_cpu.ts";
import { benchQueue } from "./bench/queue_bench.ts";
import { benchImports, formatImportBench } from "./bench/import_bench.ts";
import { benchLog, formatLogBench } from "./bench/log_bench.ts";
import { benchTracking, formatTrackingBench } from "./bench/tracking_bench.ts";

const BENCHES = ["analyzer", "queue", "capture", "imports", "log", "tracking"] as const;
const unknown = Deno.args.filter((a) => !(BENCHES as readonly string[]).includes(a));
if (unknown.length) {
  console.error(`unknown benchmark ${unknown.join(", ")}; choose among ${BENCHES.join(", ")}`);
  Deno.exit(2);
}
const selected = new Set(Deno.args.length ? Deno.args : BENCHES);

const env = Deno.env.toObject();
const settings = readAnalyzerSettings(env);
const seconds = numberVar(env, "BENCH_SECONDS", 30, { min: 1 });
const captureSeconds = numberVar(env, "BENCH_CAPTURE_SECONDS", 60, { min: 15 });
const importRuns = numberVar(env, "BENCH_IMPORT_RUNS", 5, { min: 1, integer: true });
const logSizes = (env.BENCH_LOG_SIZES ?? "10000,100000,1000000").split(",").map(Number);
if (!logSizes.every((n) => Number.isInteger(n) && n > 0)) {
  console.error(`BENCH_LOG_SIZES must be line counts separated by commas, got ${env.BENCH_LOG_SIZES}`);
  Deno.exit(2);
}
const sampleFps = settings.sampleFps === "all" ? 10 : settings.sampleFps;
const root = fileURLToPath(new URL("..", import.meta.url));
const video = fileURLToPath(new URL("../video/samples/vtest.mp4", import.meta.url));

const failed: string[] = [];
/** Runs one benchmark; a failure is reported in place of its figures and the others go on. */
async function run(name: string, bench: () => Promise<void>): Promise<void> {
  if (!selected.has(name)) return;
  try {
    await bench();
  } catch (e) {
    failed.push(name);
    console.log(`  FAILED ${name}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

const started = performance.now();
console.log(`camwatch bench on ${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno}`);

await run("analyzer", async () => {
  console.log(`\nYOLO analysis:`);
  const analysis = await benchAnalyzer({
    video,
    seconds,
    sampleFps,
    threads: settings.threads,
    model: settings.model,
  });
  console.log(`  ${analysis.label}`);
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
});

await run("queue", async () => {
  console.log(`\nQueue (a private redis-server):`);
  const q = await benchQueue(video, 10);
  console.log(
    `  publish → consume → ack, no analysis: ${q.tasksPerSecond.toFixed(0)} tasks/s ` +
      `(${q.tasks} published, ${q.tasks} consumed and acknowledged)`,
  );
  console.log(
    `  a 10 s clip (${q.frames} frames): analysis alone ${q.analysisMs.toFixed(0)} ms; ` +
      `task published → log line ${q.latencyMs.toFixed(0)} ms ` +
      `(${(q.latencyMs / q.analysisMs).toFixed(2)}x, queue and log overhead ${
        (q.latencyMs - q.analysisMs).toFixed(0)
      } ms)`,
  );
});

await run("capture", async () => {
  const clipSettings = Object.entries(BENCH_CLIP_SETTINGS).map(([k, v]) => `${k}=${v}`).join(" ");
  console.log(
    `\nCapture of one camera: \`deno task capture\` (${clipSettings}) next to a bare ` +
      `\`ffmpeg -c copy\` of the same stream, side by side over ${captureSeconds} s:`,
  );
  const perMinute = (row: CaptureBenchRow) => (row.cpuSeconds / row.wallSeconds) * 60;
  const share = (cpu: number, row: CaptureBenchRow) => (100 * cpu) / row.wallSeconds;
  const dir = await Deno.makeTempDir({ prefix: "camwatch-bench-source-" });
  try {
    const info = await probeMedia(video);
    const sample = {
      label: `${info.video?.width}x${info.video?.height} at ${info.video?.fps} fps (the sample)`,
      file: video,
      width: info.video?.width ?? 0,
      height: info.video?.height ?? 0,
    };
    let sampleShare = NaN;
    for (const makeSource of [() => Promise.resolve(sample), () => makeFullHdSource(video, dir)]) {
      const source = await makeSource();
      const [{ bare, full, withSub }] = await benchCapture({
        root,
        sources: [source],
        seconds: captureSeconds,
      });
      console.log(`  ${source.label}:`);
      for (const row of withSub ? [bare, full, withSub] : [bare, full]) {
        console.log(
          `    ${row.name.padEnd(30)} ${perMinute(row).toFixed(2).padStart(6)} CPU s per minute ` +
            `${share(row.cpuSeconds, row).toFixed(1).padStart(5)}% of one core  (${row.work})`,
        );
      }
      // Processes alive through the window first, then the short runs that exited.
      for (const row of withSub ? [full, withSub] : [full]) {
        const parts = Object.entries(row.parts)
          .filter(([part, cpu]) => cpu > 0 && part !== EXITED_CHILDREN)
          .map(([part, cpu]) => `${part} ${share(cpu, row).toFixed(1)}%`);
        // Clips are joined inside Deno; an ffmpeg run that exited joined a clip across a reconnection.
        const exited = row.parts[EXITED_CHILDREN] ?? 0;
        parts.push(`ffmpeg runs that exited ${share(exited, row).toFixed(1)}%`);
        console.log(
          `    ${row === full ? "the capture" : "with the sub-stream"} by part: ${parts.join(", ")}`,
        );
      }
      console.log(`    full capture / bare copy: ${(full.cpuSeconds / bare.cpuSeconds).toFixed(1)}x`);
      if (source === sample) sampleShare = share(full.cpuSeconds, full);
      if (withSub) {
        // Judged on the figure printed, so that the line never contradicts itself.
        const ratio = Number((withSub.cpuSeconds / full.cpuSeconds).toFixed(2));
        console.log(
          `    motion on the sub-stream / on the main stream: ${(100 * ratio).toFixed(0)}% of the CPU ` +
            `(goal: at most 35%${ratio <= 0.35 ? ", met" : ", NOT met"}); / bare copy: ` +
            `${(withSub.cpuSeconds / bare.cpuSeconds).toFixed(1)}x`,
        );
        // The part Deno cannot change: the streams' own reading and decoding.
        const ffmpeg = (row: CaptureBenchRow) => (row.parts.ffmpeg ?? 0) + (row.parts[EXITED_CHILDREN] ?? 0);
        console.log(
          `    their ffmpeg processes alone: ${(100 * ffmpeg(withSub) / ffmpeg(full)).toFixed(0)}%; ` +
            `Deno alone: ${(100 * (withSub.parts.deno ?? 0) / (full.parts.deno ?? 0)).toFixed(0)}%`,
        );
      }
    }
    console.log(
      `  the full capture of the sample: ${sampleShare.toFixed(1)}% of one core ` +
        `(goal: under 5%, ${Number(sampleShare.toFixed(1)) < 5 ? "met" : "NOT met"}; ` +
        `the prototype's MOG2 + XVID approach used 16%)`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

await run("imports", async () => {
  console.log(`\nImport cost per surface, fresh process each, median of ${importRuns} runs:`);
  const imports = await benchImports({ root, runs: importRuns });
  for (const line of formatImportBench(imports)) console.log(line);
});

await run("log", async () => {
  console.log(
    `\nThe log as it grows (day files, 540 lines a day, ending now; each figure in a fresh process; ` +
      `ratios against the first size):`,
  );
  const rows = await benchLog({ sizes: logSizes, onProgress: (m) => console.log(`  ${m}`) });
  for (const line of formatLogBench(rows)) console.log(line);
});

await run("tracking", async () => {
  console.log(`\nTracked objects on the ground-truth videos (tools/ground_truth.ts) and the sample:`);
  const opts = { sample: video, sampleFps, threads: settings.threads, model: settings.model };
  for (const line of formatTrackingBench(await benchTracking(opts), sampleFps)) console.log(line);
});

const minutes = ((performance.now() - started) / 60_000).toFixed(1);
if (failed.length) {
  console.log(
    `\nbench FAILED (${failed.join(", ")}): no figure is reported for what failed; took ${minutes} min`,
  );
  Deno.exit(1);
}
console.log(`\nbench done in ${minutes} min`);
// Nothing left to wait for; exit even if a library keeps a handle open.
Deno.exit(0);
