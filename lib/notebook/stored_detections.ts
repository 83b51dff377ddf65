/**
 * The evidence the worker leaves beside a clip, read back: every analysed frame's detections with
 * their track ids from `<stem>.detections.csv`, and the snapshot of each confirmed object,
 * `<stem>.<label>-<id>.jpg` (lib/yolo/clip_evidence.ts writes both). Reading them shows what the
 * detector found without running it again.
 *
 * @example
 * ```ts
 * import { readStoredDetections } from "./stored_detections.ts";
 * const stored = await readStoredDetections("video/front/20260223-144657.mp4");
 * console.log(stored?.length ?? "no evidence", stored?.filter((d) => d.confirmed).length);
 * ```
 *
 * @module
 */

import { basename, dirname, extname, join } from "node:path";
import { snapshotName } from "../yolo/clip_evidence.ts";

/**
 * One row of a clip's detections CSV.
 *
 * @example
 * ```ts
 * import type { StoredDetection } from "./stored_detections.ts";
 * const d: StoredDetection = { time: 0.5, track: 1, label: "car", score: 0.91, box: [1, 2, 30, 40], confirmed: true };
 * ```
 */
export interface StoredDetection {
  /** seconds into the clip */
  readonly time: number;
  /** the track that took it; undefined for a weak detection no track took */
  readonly track: number | undefined;
  /** class name */
  readonly label: string;
  /** score, 0..1 */
  readonly score: number;
  /** `[x1, y1, x2, y2]` in the clip's pixels */
  readonly box: readonly [number, number, number, number];
  /** whether its track is one of the clip's confirmed objects (a glimpse or a weak track is not) */
  readonly confirmed: boolean;
}

/**
 * Where a clip's evidence is: the detections CSV, and the snapshot of an object.
 *
 * @param clip the clip's path (the evidence lies beside it, named after its stem)
 *
 * @example
 * ```ts
 * import { evidencePaths } from "./stored_detections.ts";
 * const paths = evidencePaths("video/front/20260223-144657.mp4");
 * console.log(paths.csv, paths.snapshot({ label: "car", id: 4 }));
 * // video/front/20260223-144657.detections.csv video/front/20260223-144657.car-4.jpg
 * ```
 */
export function evidencePaths(clip: string): {
  csv: string;
  snapshot: (track: { readonly label: string; readonly id: number }) => string;
} {
  const dir = dirname(clip);
  const stem = basename(clip, extname(clip));
  return {
    csv: join(dir, `${stem}.detections.csv`),
    snapshot: (track) => join(dir, snapshotName(stem, track)),
  };
}

/** Splits one CSV line, with RFC 4180 quotes. */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') (field += '"', i++);
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") (fields.push(field), field = "");
    else field += c;
  }
  fields.push(field);
  return fields;
}

/**
 * Parses a detections CSV's text (`time,track,label,score,x1,y1,x2,y2,confirmed`).
 *
 * @returns the rows in the file's order; rows that do not parse are skipped
 * @throws {TypeError} when the header is not the detections CSV's
 *
 * @example
 * ```ts
 * import { parseStoredDetections } from "./stored_detections.ts";
 * const rows = parseStoredDetections("time,track,label,score,x1,y1,x2,y2,confirmed\n0.5,1,car,0.91,1,2,30,40,true\n");
 * console.log(rows[0].box, rows[0].confirmed); // [ 1, 2, 30, 40 ] true
 * ```
 */
export function parseStoredDetections(text: string): StoredDetection[] {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  if (lines[0]?.trim() !== "time,track,label,score,x1,y1,x2,y2,confirmed") {
    throw new TypeError(`not a detections CSV: its header is ${JSON.stringify(lines[0] ?? "")}`);
  }
  const rows: StoredDetection[] = [];
  for (const line of lines.slice(1)) {
    const f = csvFields(line);
    if (f.length !== 9) continue;
    const [time, score, x1, y1, x2, y2] = [f[0], f[3], f[4], f[5], f[6], f[7]].map(Number);
    if (![time, score, x1, y1, x2, y2].every(Number.isFinite)) continue;
    rows.push({
      time,
      track: f[1] === "" ? undefined : Number(f[1]),
      label: f[2],
      score,
      box: [x1, y1, x2, y2],
      confirmed: f[8] === "true",
    });
  }
  return rows;
}

/**
 * The detections the worker stored beside a clip.
 *
 * @param clip the clip's path
 * @returns the rows, or undefined when the clip has no detections CSV (evidence off, an older clip)
 * @throws {TypeError} when the file is not a detections CSV
 * @throws {Deno.errors.PermissionDenied} and other file errors but a missing file
 *
 * @example
 * ```ts
 * import { readStoredDetections } from "./stored_detections.ts";
 * const rows = await readStoredDetections("video/front/20260223-144657.mp4");
 * console.log(new Set(rows?.filter((d) => d.confirmed).map((d) => d.track)).size, "objects");
 * ```
 */
export async function readStoredDetections(clip: string): Promise<StoredDetection[] | undefined> {
  try {
    return parseStoredDetections(await Deno.readTextFile(evidencePaths(clip).csv));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}
