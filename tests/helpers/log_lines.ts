/**
 * Detection-log lines as the worker writes them, and JSONL logs of them in a temporary folder,
 * for the tests of the notebook's log analyses; plus reading DataFrame columns back.
 *
 * @module
 */
import { join } from "node:path";
import type pl from "nodejs-polars";
import type { LogLine } from "../../lib/queue/detection_log.ts";

/** Per-class stats of a clip that saw people, cars or a cat. */
export const person = { frames: 50, max: 3, best: 0.91, first: 0.5, last: 29 };
export const car = { frames: 10, max: 1, best: 0.6, first: 3, last: 8 };
export const cat = { frames: 4, max: 1, best: 0.7, first: 2, last: 3.5 };

/** A log line as the worker writes it, for a clip that starts at `start` (ISO with zone). */
export function line(camera: string, start: string, overrides: Partial<LogLine> = {}): LogLine {
  const objects = overrides.objects ?? { person, car };
  const end = new Date(Date.parse(start) + 30_000).toISOString();
  const stamp = start.slice(0, 19).replaceAll(/[-:]/g, "").replace("T", "-");
  return {
    ok: true,
    filename: `${camera}/${stamp}.mp4`,
    detected: Object.keys(objects),
    count: Object.keys(objects).length,
    timestamp: new Date(Date.parse(start) + 45_000).toISOString(),
    id: `${camera}-${start}`,
    camera,
    clip_start: start,
    clip_end: end,
    frames: 60,
    objects,
    model: "yolov8n_int8.onnx",
    elapsed_ms: 5400,
    worker: "vm:4242",
    ...overrides,
  };
}

/** A failed clip, as the worker logs it; `<clip>` in the error becomes the clip's file name. */
export function failed(camera: string, start: string, error: string, at?: string): LogLine {
  const l = line(camera, start, { ok: false, detected: [], count: 0, objects: {}, frames: 0, elapsed_ms: 0 });
  return { ...l, error: error.replace("<clip>", l.filename), ...(at ? { timestamp: at } : {}) };
}

let dir: string | undefined;
let logs = 0;

/** A path for a log file in this process's temporary folder (removed when the process ends). */
export function logPath(name: string): string {
  if (!dir) {
    const made = dir = Deno.makeTempDirSync({ prefix: "camwatch-analysis-" });
    globalThis.addEventListener("unload", () => Deno.removeSync(made, { recursive: true }));
  }
  return join(dir, name);
}

/** Writes the lines as a JSONL log file and returns its path. */
export async function writeLog(lines: readonly LogLine[]): Promise<string> {
  const path = logPath(`log-${++logs}.jsonl`);
  await Deno.writeTextFile(path, lines.map((l) => JSON.stringify(l) + "\n").join(""));
  return path;
}

/** A column's values. */
export const column = (df: pl.DataFrame, name: string): unknown[] =>
  df.getColumn(name).toArray() as unknown[];

/** A Datetime column's values as ISO strings (null stays null). */
export const times = (df: pl.DataFrame, name: string): (string | null)[] =>
  column(df, name).map((d) => d === null ? null : (d as Date).toISOString());
