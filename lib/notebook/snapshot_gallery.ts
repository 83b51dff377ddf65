/**
 * A gallery of the snapshots the worker keeps beside each clip: the best frame of each confirmed
 * object with its box drawn (`<stem>.<label>-<id>.jpg`), found from the log's tracks, so that the
 * day's visitors can be looked at without running the detector again.
 *
 * @example
 * ```ts
 * import { findSnapshots, snapshotGallery } from "./snapshot_gallery.ts";
 * const { snapshots } = await findSnapshots("video/detections.d", { videoDir: "video", day: "today", labels: ["person"] });
 * await Deno.writeFile("people-today.png", (await snapshotGallery(snapshots)).png);
 * ```
 *
 * @module
 */

import { join } from "node:path";
import sharp from "sharp";
import { type AnnotatedImage, annotateStrip } from "./annotate.ts";
import { type TimeRangeOptions, Zone } from "./local_time.ts";
import type { LogSource } from "./log_source.ts";
import { evidencePaths } from "./stored_detections.ts";
import { type TrackRecord, trackRecords } from "./tracks_data_frame.ts";

/**
 * A snapshot on disk and the object it shows.
 *
 * @example
 * ```ts
 * import type { Snapshot } from "./snapshot_gallery.ts";
 * const line = (s: Snapshot) => `${s.path}: ${s.caption}`;
 * ```
 */
export interface Snapshot {
  /** the JPEG */
  readonly path: string;
  /**
   * `14:46:59 person 0.91 parked`: local time first seen, class, best score, whether it stood still (and the
   * camera first when the snapshots are of several)
   */
  readonly caption: string;
  /** the object */
  readonly object: TrackRecord;
}

/** Options of {@linkcode findSnapshots}. */
export interface FindSnapshotsOptions extends TimeRangeOptions {
  /**
   * The folder the log's clip paths are relative to (`VIDEO_DIR`).
   * @default "video"
   */
  readonly videoDir?: string;
  /**
   * Only this camera.
   * @default every camera
   */
  readonly camera?: string;
  /**
   * Only these classes.
   * @default every class
   */
  readonly labels?: readonly string[];
  /**
   * Most snapshots, the latest kept.
   * @default 24
   */
  readonly limit?: number;
}

/**
 * The snapshots of the confirmed objects in the range that are on disk (evidence on, clip not yet
 * deleted by retention), in the order the objects were first seen.
 *
 * @param source a log's path, a `DetectionLog`, or lines already read
 * @returns at most `limit`, the latest; `missing` counts the objects whose snapshot is not on disk
 * @throws {RangeError} when the range cannot be read or `limit` is not a positive integer
 * @throws {TypeError} when both `day` and `from`/`to` are given, or `source` is not a log
 *
 * @example
 * ```ts
 * import { findSnapshots } from "./snapshot_gallery.ts";
 * const { snapshots, missing } = await findSnapshots("video/detections.d", { videoDir: "video", day: "today" });
 * console.log(snapshots.length, "snapshots;", missing, "objects without one");
 * ```
 */
export async function findSnapshots(
  source: LogSource,
  options: FindSnapshotsOptions = {},
): Promise<{ snapshots: Snapshot[]; missing: number }> {
  const { videoDir = "video", limit = 24 } = options;
  if (!(Number.isInteger(limit) && limit > 0)) {
    throw new RangeError(`limit must be a positive integer, got ${limit}`);
  }
  const zone = Zone.of(options);
  const { records } = await trackRecords(source, options);
  const chosen = records
    .filter((r) =>
      (options.camera === undefined || r.camera === options.camera) &&
      (options.labels === undefined || options.labels.includes(r.label))
    )
    .sort((a, b) => a.seen - b.seen);
  const snapshots: Snapshot[] = [];
  const several = new Set(chosen.map((r) => r.camera)).size > 1;
  let missing = 0;
  // From the latest back, so that only `limit` files are looked for.
  for (let i = chosen.length - 1; i >= 0 && snapshots.length < limit; i--) {
    const r = chosen[i];
    const path = evidencePaths(join(videoDir, r.filename)).snapshot({ label: r.label, id: r.track });
    try {
      if (!(await Deno.stat(path)).isFile) throw new Deno.errors.NotFound(path);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
      missing++;
      continue;
    }
    const when = Number.isFinite(r.seen) ? zone.format(r.seen, true).slice(11, 19) : "?";
    snapshots.unshift({
      path,
      caption: `${several ? `${r.camera} ` : ""}${when} ${r.label} ${r.best.toFixed(2)}${
        r.stationary ? " parked" : ""
      }`,
      object: r,
    });
  }
  return { snapshots, missing };
}

/** The snapshot cut around its object's box (the box, three times as wide and twice as high, within the frame). */
async function cropped(s: Snapshot): Promise<Uint8Array> {
  const image = sharp(await Deno.readFile(s.path));
  const { width = 0, height = 0 } = await image.metadata();
  const [x1, y1, x2, y2] = s.object.box;
  const h = Math.max(64, (y2 - y1) * 2);
  const w = Math.max(64, (x2 - x1) * 3, h * 1.2);
  const left = Math.max(0, Math.round((x1 + x2) / 2 - w / 2));
  const top = Math.max(0, Math.round((y1 + y2) / 2 - h / 2));
  const region = {
    left,
    top,
    width: Math.max(1, Math.min(Math.round(w), width - left)),
    height: Math.max(1, Math.min(Math.round(h), height - top)),
  };
  return new Uint8Array(await image.extract(region).jpeg({ quality: 90 }).toBuffer());
}

/**
 * The snapshots side by side, captioned; each cut around its object by default (the whole frame is in the
 * file).
 *
 * @param snapshots from {@linkcode findSnapshots} (its `snapshots`)
 * @param options `height` of each picture (default 160), `columns` per row (default 4), `crop` around the
 *   object (default true)
 * @returns one picture
 * @throws {RangeError} when there is no snapshot, or `height` or `columns` is not a positive integer
 * @throws {MediaError} when a snapshot cannot be decoded
 *
 * @example
 * ```ts
 * import { findSnapshots, snapshotGallery } from "./snapshot_gallery.ts";
 * const { snapshots } = await findSnapshots("video/detections.d", { videoDir: "video", day: "today" });
 * if (snapshots.length) await Deno.jupyter.display(await snapshotGallery(snapshots, { columns: 6 }));
 * ```
 */
export async function snapshotGallery(
  snapshots: readonly Snapshot[],
  options: { readonly height?: number; readonly columns?: number; readonly crop?: boolean } = {},
): Promise<AnnotatedImage> {
  const { height = 160, columns = 4, crop = true } = options;
  const images = await Promise.all(snapshots.map((s) => crop ? cropped(s) : s.path));
  return await annotateStrip(snapshots.map((s, i) => ({ image: images[i], caption: s.caption })), {
    height,
    columns: Math.min(columns, Math.max(1, snapshots.length)),
    fontSize: 12,
  });
}
