/**
 * Log scale benchmark: whether a worker's memory, checking one id, and loading a day or a month of
 * the log into a DataFrame stay flat as the log grows. For each size (10k, 100k and 1M lines by
 * default), a log in day files is generated at the rate, 540 lines a day (20 cameras, 27
 * clips each), ending now, so that a bigger log is a longer history; then, each in a fresh process
 * (log_bench_child.ts):
 *
 * - a worker (`ClipWorker` on a private redis-server, an analyzer that answers at once): resident
 *   memory after start and after 1,000 tasks of the last day were logged;
 * - `logDataFrame` of one UTC day (yesterday) and of the last 30 days: time and memory;
 *
 * and in this process, the time of `has()` for ids spread over the history, each by a fresh
 * `DetectionLog` (nothing cached). Every figure is also given as a ratio against the smallest size,
 * measured in the same run. The biggest log is written in bulk (one write per day file); the smaller
 * ones are hard links to its newest days.
 *
 * A measurement whose process failed, or that did not do the work (tasks not all logged, a day with
 * no rows), is a {@linkcode BenchFailure}, not a figure.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DetectionLog, type LogLine } from "../../lib/queue/detection_log.ts";
import { PrivateRedis } from "../../tools/private_redis.ts";
import { BenchFailure, expectWork } from "./bench_failure.ts";

/** Lines a day in the generated logs: 20 cameras at 27 clips a day. */
export const LINES_PER_DAY = 540;
const DAY = 86_400_000;
const CAMERAS = Array.from({ length: 20 }, (_, i) => `cam${String(i + 1).padStart(2, "0")}`);
const CHILD = fileURLToPath(new URL("./log_bench_child.ts", import.meta.url));

/** The figures for one log size. */
export interface LogBenchRow {
  /** lines in the log */
  readonly lines: number;
  /** day files */
  readonly files: number;
  /** a worker's resident memory after start, bytes */
  readonly workerStart: number;
  /** … and after the tasks, bytes */
  readonly workerAfter: number;
  /** tasks the worker logged */
  readonly tasks: number;
  /** median ms of `has()` for one id by a fresh `DetectionLog` */
  readonly hasMs: number;
  /** loading one day: ms, rows, resident memory after (bytes) and its growth during the load */
  readonly day: QueryFigures;
  /** loading the last 30 days */
  readonly month: QueryFigures;
}

/** One DataFrame load. */
export interface QueryFigures {
  readonly ms: number;
  readonly rows: number;
  readonly rss: number;
  readonly grew: number;
}

/** Options of {@linkcode benchLog}. */
export interface LogBenchOptions {
  /** log sizes in lines, smallest first (the first is the baseline) */
  readonly sizes: readonly number[];
  /**
   * Tasks each worker handles.
   * @default 1000
   */
  readonly tasks?: number;
  /**
   * Called with a line of progress.
   * @default silent
   */
  readonly onProgress?: (message: string) => void;
}

/** One generated line, shaped as the worker writes them (two classes seen). */
function makeLine(camera: string, startMs: number, n: number): LogLine {
  const start = new Date(startMs).toISOString();
  const stamp = start.slice(0, 19).replaceAll(/[-:]/g, "").replace("T", "-");
  const cat = n % 7 === 0;
  return {
    ok: n % 50 !== 0,
    filename: `${camera}/${stamp}.mp4`,
    detected: cat ? ["person", "cat"] : ["person", "car"],
    count: 2,
    timestamp: new Date(startMs + 45_000).toISOString(),
    id: `${camera}-${start}`,
    camera,
    clip_start: start,
    clip_end: new Date(startMs + 35_000).toISOString(),
    frames: 70,
    objects: {
      person: { frames: 64, max: 3, best: 0.912, first: 0, last: 34.5 },
      [cat ? "cat" : "car"]: { frames: 12, max: 1, best: 0.77, first: 3, last: 8.5 },
    },
    model: "yolov8n_int8.onnx",
    elapsed_ms: 7310,
    worker: "bench:1",
    ...(n % 50 === 0 ? { error: `${camera}/${stamp}.mp4: moov atom not found` } : {}),
  };
}

/**
 * Writes `days` day files of {@linkcode LINES_PER_DAY} lines into `folder`, the last one ending now.
 *
 * @returns the day keys written, oldest first
 */
export async function generateLog(folder: string, days: number, now = Date.now()): Promise<string[]> {
  await Deno.mkdir(folder, { recursive: true });
  const today = Math.floor(now / DAY) * DAY;
  const keys: string[] = [];
  for (let d = days - 1; d >= 0; d--) {
    const dayStart = today - d * DAY;
    const rows: string[] = [];
    for (let i = 0; i < LINES_PER_DAY; i++) {
      // Spread over the day (today's only up to now), camera by camera in turn.
      const span = d === 0 ? Math.max(1, now - dayStart) : DAY;
      const t = dayStart + Math.floor((i * span) / LINES_PER_DAY);
      rows.push(JSON.stringify(makeLine(CAMERAS[i % CAMERAS.length], t, i)));
    }
    const key = new Date(dayStart).toISOString().slice(0, 10);
    await Deno.writeTextFile(join(folder, `${key}.jsonl`), rows.join("\n") + "\n");
    keys.push(key);
  }
  return keys;
}

async function child(args: string[], subject: string): Promise<Record<string, unknown>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-ffi",
      "--allow-net=127.0.0.1",
      // nodejs-polars asks for a system report (CPUs, OS release …) to choose its native library.
      "--allow-sys",
      CHILD,
      ...args,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) {
    throw new BenchFailure(
      subject,
      `exited with ${out.code}: ${new TextDecoder().decode(out.stderr).trim()}`,
    );
  }
  try {
    return JSON.parse(text.split("\n").at(-1) ?? "");
  } catch {
    throw new BenchFailure(subject, `printed no figures: ${text}`);
  }
}

async function query(folder: string, from: number, to: number, subject: string): Promise<QueryFigures> {
  const r = await child(["query", folder, String(from), String(to)], subject);
  const rows = Number(r.rows);
  expectWork(rows > 0, subject, "loaded no rows");
  return { ms: Number(r.ms), rows, rss: Number(r.after), grew: Number(r.after) - Number(r.before) };
}

/** Runs the benchmark for each size; the first is the baseline the ratios are taken against. */
export async function benchLog(options: LogBenchOptions): Promise<LogBenchRow[]> {
  const { sizes, tasks = 1000, onProgress } = options;
  const dir = await Deno.makeTempDir({ prefix: "camwatch-bench-log-" });
  try {
    const now = Date.now();
    const daysFor = (lines: number) => Math.max(32, Math.ceil(lines / LINES_PER_DAY)); // a month at least
    const biggest = Math.max(...sizes);
    const source = join(dir, "all.d");
    const g0 = performance.now();
    const keys = await generateLog(source, daysFor(biggest), now);
    onProgress?.(
      `generated ${keys.length * LINES_PER_DAY} lines in ${keys.length} day files in ${
        ((performance.now() - g0) / 1000).toFixed(1)
      } s`,
    );
    await using redis = await PrivateRedis.start();
    const rows: LogBenchRow[] = [];
    for (const size of sizes) {
      const days = daysFor(size);
      const videoDir = join(dir, `video-${size}`);
      const folder = join(videoDir, "detections.d");
      await Deno.mkdir(folder, { recursive: true });
      for (const key of keys.slice(-days)) {
        await Deno.link(join(source, `${key}.jsonl`), join(folder, `${key}.jsonl`));
      }
      // The worker appends to the newest files: give it copies, so that the other sizes keep theirs.
      for (const key of keys.slice(-2)) {
        await Deno.remove(join(folder, `${key}.jsonl`));
        await Deno.copyFile(join(source, `${key}.jsonl`), join(folder, `${key}.jsonl`));
      }
      await Deno.mkdir(join(videoDir, "bench"));
      await Deno.writeFile(join(videoDir, "bench", "clip.mp4"), new Uint8Array(0));
      const lines = days * LINES_PER_DAY;
      const label = `log of ${lines} lines`;

      // Ids spread over the whole history, each checked by a fresh DetectionLog (a worker's first look).
      let times: number[] = [];
      for (let i = 0; i < 63; i++) {
        if (i % 21 === 0) times = []; // the last of three rounds: page cache and code warm, as in a worker
        const k = i % 21;
        const d = Math.floor((k * (days - 2)) / 20); // whole days: today's is still being written
        const t = Date.parse(keys[keys.length - days + d]) + Math.floor((k * DAY) / LINES_PER_DAY);
        const line = makeLine(CAMERAS[k % CAMERAS.length], t, k);
        const t0 = performance.now();
        const found = await new DetectionLog(folder).has(line.id);
        times.push(performance.now() - t0);
        expectWork(found, `has() on the ${label}`, `did not find ${line.id}, which is in the log`);
      }
      const hasMs = times.sort((a, b) => a - b)[10];

      const yesterday = Math.floor(now / DAY) * DAY - DAY;
      const day = await query(folder, yesterday, yesterday + DAY, `one day of the ${label}`);
      const month = await query(folder, now - 30 * DAY, now, `30 days of the ${label}`);
      expectWork(
        day.rows === LINES_PER_DAY,
        `one day of the ${label}`,
        `${day.rows} rows, not ${LINES_PER_DAY}`,
      );

      const w = await child(
        ["worker", folder, videoDir, redis.url, String(tasks)],
        `worker on the ${label}`,
      );
      const counts = w.counts as Record<string, number>;
      expectWork(
        counts.logged === tasks,
        `worker on the ${label}`,
        `logged ${counts.logged} of ${tasks} tasks (${JSON.stringify(counts)})`,
      );
      rows.push({
        lines,
        files: days,
        workerStart: Number(w.afterStart),
        workerAfter: Number(w.afterTasks),
        tasks: counts.logged,
        hasMs,
        day,
        month,
      });
      onProgress?.(`measured the ${label}`);
    }
    return rows;
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** The table `deno task bench log` prints: figures, and ratios against the first row. */
export function formatLogBench(rows: readonly LogBenchRow[]): string[] {
  const mb = (b: number) => (b / 1048576).toFixed(0);
  const base = rows[0];
  const ratio = (v: number, b: number) => (v / b).toFixed(2);
  const out = [
    `  ${"lines".padStart(9)} ${"files".padStart(5)} | worker RSS MB: start, after ${base.tasks} tasks | ` +
    `has() ms | one day: ms, rows, RSS MB (+grew) | 30 days: ms, rows, RSS MB (+grew)`,
  ];
  for (const r of rows) {
    out.push(
      `  ${String(r.lines).padStart(9)} ${String(r.files).padStart(5)} | ${mb(r.workerStart).padStart(5)} ${
        mb(r.workerAfter).padStart(5)
      } (${ratio(r.workerAfter, base.workerAfter)}x) | ${r.hasMs.toFixed(2).padStart(6)} (${
        ratio(r.hasMs, base.hasMs)
      }x) | ${r.day.ms.toFixed(0).padStart(5)} (${ratio(r.day.ms, base.day.ms)}x) ${r.day.rows} ${
        mb(r.day.rss)
      } (+${mb(r.day.grew)}) | ${r.month.ms.toFixed(0).padStart(5)} (${
        ratio(r.month.ms, base.month.ms)
      }x) ${r.month.rows} ${mb(r.month.rss)} (+${mb(r.month.grew)})`,
    );
  }
  const last = rows.at(-1)!;
  const flat = (v: number, b: number) => v / b <= 1.1; // no more than 10% above the smallest log's
  out.push(
    `  goal, flat within 10% from ${base.lines} to ${last.lines} lines: worker RSS ${
      flat(last.workerAfter, base.workerAfter) ? "met" : "NOT met"
    } (${ratio(last.workerAfter, base.workerAfter)}x), one-day load ${
      flat(last.day.ms, base.day.ms) ? "met" : "NOT met"
    } (${ratio(last.day.ms, base.day.ms)}x)`,
  );
  return out;
}
