/**
 * The set-up check behind the first notebook: is every part the pipeline needs here and
 * working (Deno, ffmpeg, ONNX Runtime and the model, Redis and a live worker, a writable video
 * folder, the log)?
 * Each check says ok, or what is wrong and how to fix it; none of them throws.
 *
 * @module
 */

import { join } from "node:path";
import { type NotebookSettings, readNotebookSettings } from "../ops/config.ts";
import { DetectionLog } from "../queue/detection_log.ts";
import { escapeHtml, htmlDisplay, JUPYTER_DISPLAY, type MimeBundle } from "./displayable.ts";
import { redactUrl } from "../ops/redact.ts";
import { parseTask } from "../queue/clip_task.ts";
import { QueueMonitor, type WorkerStatus } from "../queue/queue_monitor.ts";
import { YoloAnalyzer } from "../yolo/yolo_analyzer.ts";

/**
 * The outcome of one check.
 *
 * @example
 * ```ts
 * import type { CheckResult } from "./environment_check.ts";
 * const failed: CheckResult = {
 *   name: "ffmpeg",
 *   ok: false,
 *   detail: "ffmpeg is not installed",
 *   fix: "install it: apt install ffmpeg (brew install ffmpeg on macOS)",
 * };
 * ```
 */
export interface CheckResult {
  /** what was checked */
  readonly name: string;
  /** whether it is usable */
  readonly ok: boolean;
  /** what was found (a version, a count) or what went wrong */
  readonly detail: string;
  /** what to do about it; set when not ok */
  readonly fix?: string;
}

/**
 * Options of {@linkcode checkEnvironment}.
 *
 * @example
 * ```ts
 * import { readNotebookSettings } from "../ops/config.ts";
 * import { checkEnvironment, type CheckEnvironmentOptions } from "./environment_check.ts";
 * const options: CheckEnvironmentOptions = { settings: readNotebookSettings(), timeoutMs: 3000 };
 * console.log(String(await checkEnvironment(options)));
 * ```
 */
export interface CheckEnvironmentOptions {
  /**
   * The settings to check.
   * @default readNotebookSettings() (the environment variables the scripts read)
   */
  readonly settings?: NotebookSettings;
  /**
   * Longest wait for any one check, in ms (a Redis that does not answer, say): a check that
   * takes longer fails with "no answer in N s". Loading the model counts, so do not set it
   * below a few seconds.
   * @default 10000
   */
  readonly timeoutMs?: number;
}

/**
 * All the checks, in order; `ok` when every one passed. Shown in a notebook as a table.
 *
 * @example
 * ```ts
 * import { EnvironmentReport } from "./environment_check.ts";
 * const report = new EnvironmentReport([{ name: "Deno", ok: true, detail: "2.9.6" }]);
 * console.log(report.ok, report.toString()); // true "✔ Deno: 2.9.6"
 * ```
 */
export class EnvironmentReport {
  /** the checks, in the order they ran */
  readonly checks: readonly CheckResult[];

  /**
   * Wraps check results.
   *
   * @param checks kept as given, in their order
   */
  constructor(checks: readonly CheckResult[]) {
    this.checks = checks;
  }

  /** Whether every check passed (also true for no checks). */
  get ok(): boolean {
    return this.checks.every((c) => c.ok);
  }

  /** One line per check: `✔ name: detail` or `✘ name: detail — fix`. */
  toString(): string {
    return this.checks.map((c) => `${c.ok ? "✔" : "✘"} ${c.name}: ${c.detail}${c.fix ? ` — ${c.fix}` : ""}`)
      .join("\n");
  }

  /** The MIME bundle Deno's Jupyter kernel sends: an HTML table, and the text lines. */
  [JUPYTER_DISPLAY](): MimeBundle {
    const rows = this.checks.map((c) =>
      `<tr><td style="color:${c.ok ? "#1a7f37" : "#cf222e"}">${c.ok ? "✔ ok" : "✘ fix"}</td>` +
      `<td><b>${escapeHtml(c.name)}</b></td><td>${escapeHtml(c.detail)}</td>` +
      `<td>${escapeHtml(c.fix ?? "")}</td></tr>`
    );
    const html = `<table><thead><tr><th></th><th>check</th><th>found</th><th>to do</th></tr></thead>` +
      `<tbody>${rows.join("")}</tbody></table>`;
    return htmlDisplay(html, this.toString())[JUPYTER_DISPLAY]();
  }
}

/** Runs one check, turning a throw or a timeout into a failed result. */
async function attempt(
  name: string,
  timeoutMs: number,
  fix: string,
  run: () => Promise<string>,
): Promise<CheckResult> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs / 1000} s`)), timeoutMs);
    });
    return { name, ok: true, detail: await Promise.race([run(), timeout]) };
  } catch (e) {
    return { name, ok: false, detail: e instanceof Error ? e.message : String(e), fix };
  } finally {
    clearTimeout(timer);
  }
}

/** Whether a worker is alive (its heartbeat is live), and how to start one when none is. */
function workerCheck(workers: readonly WorkerStatus[], videoDir: string): CheckResult {
  if (workers.length > 0) {
    return {
      name: "worker",
      ok: true,
      detail: `${workers.length} live: ${workers.map((w) => w.name).join(", ")}`,
    };
  }
  return {
    name: "worker",
    ok: false,
    detail: "no live worker heartbeat: queued clips wait",
    fix: `start one: deno task worker, with the same REDIS_URL and VIDEO_DIR (${videoDir})`,
  };
}

/** The first line of `<tool> -version`, which names the version. */
async function toolVersion(tool: string): Promise<string> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(tool, { args: ["-hide_banner", "-version"], stdin: "null" }).output();
  } catch (e) {
    throw new Error(e instanceof Deno.errors.NotFound ? `${tool} is not installed` : String(e), { cause: e });
  }
  const line = new TextDecoder().decode(out.stdout).split("\n")[0];
  if (!out.success) throw new Error(`${tool} -version failed`);
  return line.replace(/ Copyright.*$/, "");
}

/**
 * Checks what the pipeline needs, each part on its own: Deno, ffmpeg and ffprobe, ONNX Runtime
 * with the configured model (its classes and input size), Redis (reachable, the queue's
 * counts), a live worker (a heartbeat; checked once Redis answered), the video folder (writable) and the detection log (readable). Never throws: a
 * problem is a failed check with what to do.
 *
 * @param options without `settings`, the environment variables are read here; when they cannot be, the
 *   report holds one failed check, `settings`, naming the variable
 * @returns the checks in this order: `Deno`, `ffmpeg`, `ffprobe`, `ONNX Runtime`, `model`, `Redis`,
 *   `worker` (only when Redis answered), `video folder` (a file is written there and removed), `detection
 *   log`; one after the other, each within `timeoutMs`; passwords in URLs of the details masked
 *
 * @example
 * ```ts
 * import { checkEnvironment } from "./environment_check.ts";
 * const report = await checkEnvironment();
 * console.log(report.toString());
 * if (!report.ok) Deno.exitCode = 1;
 * ```
 */
export async function checkEnvironment(options: CheckEnvironmentOptions = {}): Promise<EnvironmentReport> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  let settings: NotebookSettings;
  try {
    settings = options.settings ?? readNotebookSettings();
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    return new EnvironmentReport([{
      name: "settings",
      ok: false,
      detail,
      fix: "correct the variable named",
    }]);
  }
  const checks: CheckResult[] = [{
    name: "Deno",
    ok: true,
    detail: `${Deno.version.deno} (V8 ${Deno.version.v8}, TypeScript ${Deno.version.typescript})`,
  }];
  for (const tool of ["ffmpeg", "ffprobe"]) {
    checks.push(
      await attempt(
        tool,
        timeoutMs,
        "install it: apt install ffmpeg (brew install ffmpeg on macOS)",
        () => toolVersion(tool),
      ),
    );
  }
  checks.push(
    await attempt(
      "ONNX Runtime",
      timeoutMs,
      "run deno install (onnxruntime-node is in deno.json)",
      async () => {
        const ort = await import("onnxruntime-node");
        return `onnxruntime-node ${ort.env.versions.node ?? ort.env.versions.common}`;
      },
    ),
  );
  checks.push(
    await attempt(
      "model",
      timeoutMs,
      "set YOLO_MODEL to an Ultralytics detection export (yolo export model=yolov8n.pt format=onnx)",
      async () => {
        await using analyzer = await YoloAnalyzer.create({ model: settings.analyzer.model, threads: 1 });
        const { names, imgsz } = analyzer.info;
        const shown = names.slice(0, 8).join(", ") + (names.length > 8 ? ", …" : "");
        return `${analyzer.modelName}: ${names.length} classes (${shown}), input ${imgsz[1]}x${imgsz[0]}`;
      },
    ),
  );
  const redis = settings.queue.redis;
  if (redis === undefined) {
    checks.push({
      name: "Redis",
      ok: false,
      detail: "no Redis configured",
      fix: "set REDIS_URL (redis://:password@host:6379) or RDS_HOST / RDS_PORT / RDS_PSW; `deno task demo` " +
        "alone starts a private Redis for a try-out",
    });
  } else {
    let workers: WorkerStatus[] | undefined;
    const reached = await attempt(
      "Redis",
      timeoutMs,
      "start redis-server, or correct REDIS_URL / RDS_HOST / RDS_PORT / RDS_PSW",
      async () => {
        await using monitor = await QueueMonitor.connect({
          redis,
          parse: parseTask,
          stream: settings.queue.stream,
        });
        const [s, live] = await Promise.all([monitor.stats(), monitor.workers()]);
        workers = live;
        return `${monitor.connection.display}: stream ${monitor.stream} holds ${s.length}, ${s.pending} pending, ` +
          `${s.dead} dead`;
      },
    );
    checks.push(reached);
    // Only once Redis answered: without it, the Redis line says what to do first.
    if (reached.ok && workers !== undefined) checks.push(workerCheck(workers, settings.videoDir));
  }
  checks.push(
    await attempt(
      "video folder",
      timeoutMs,
      "create VIDEO_DIR and make it writable for this user",
      async () => {
        const probe = join(settings.videoDir, `.camwatch-check-${Deno.pid}`);
        await Deno.writeTextFile(probe, "ok");
        await Deno.remove(probe);
        return `${settings.videoDir} is writable`;
      },
    ),
  );
  checks.push(
    await attempt("detection log", timeoutMs, "run a worker (deno task worker) to write it", async () => {
      try {
        await Deno.stat(settings.logPath);
      } catch (e) {
        throw new Error(`${settings.logPath} does not exist yet`, { cause: e });
      }
      // The last day only: a year of log is not read to say that the workers write it.
      const log = new DetectionLog(settings.logPath);
      const files = (await log.files()).length;
      let lines = 0;
      let failed = 0;
      for await (const line of log.read({ from: Date.now() - 86_400_000 })) {
        lines++;
        if (!line.ok) failed++;
      }
      const held = log.partition ? `${files} ${log.partition} files; ` : "";
      return `${settings.logPath}: ${held}${lines} clips in the last 24 hours, ${failed} failed`;
    }),
  );
  return new EnvironmentReport(checks.map((c) => ({ ...c, detail: redactUrl(c.detail) })));
}
