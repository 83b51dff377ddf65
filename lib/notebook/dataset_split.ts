/**
 * Where the frames of a clip go in a dataset and what they are called: clips are split between
 * train and val by a stable hash of their path, so that the frames of one clip never land on
 * both sides (neighbouring frames are near duplicates: a split by frame would leak), and each
 * frame is named after its camera, its clip and its time in the clip. Both work on one
 * normalised form of the clip path, so that `./front//a.mp4` and `front/a.mp4` are one clip.
 *
 * @example
 * ```ts
 * import { datasetItemName, datasetSplit } from "./dataset_split.ts";
 *
 * const clip = "front/20260223-144657.mp4";
 * console.log(datasetSplit(clip, 0.2), datasetItemName(clip, 1.5)); // train front_20260223-144657_001500
 * ```
 *
 * @module
 */

import { basename, dirname, extname, normalize } from "node:path";

/**
 * Which side of the dataset an image belongs to.
 *
 * @example
 * ```ts
 * import type { DatasetSplit } from "./dataset_split.ts";
 * const split: DatasetSplit = "val";
 * ```
 */
export type DatasetSplit = "train" | "val";

/**
 * A clip to export: a path relative to the video folder, or a detection-log line (its
 * `filename`, and its `camera` for the image names).
 *
 * @example
 * ```ts
 * import type { DatasetClip } from "./dataset_split.ts";
 * const clips: DatasetClip[] = ["front/20260223-144657.mp4", { filename: "back/x.mp4", camera: "back" }];
 * ```
 */
export type DatasetClip = string | { readonly filename: string; readonly camera?: string };

/**
 * A clip of an export, as {@linkcode planClips} prepares it.
 *
 * @example
 * ```ts
 * import { planClips, type PlannedClip } from "./dataset_split.ts";
 * const [clip]: PlannedClip[] = planClips(["./front//a.mp4"]);
 * console.log(clip.given, clip.key, clip.stem); // ./front//a.mp4 front/a.mp4 front_a
 * ```
 */
export interface PlannedClip {
  /** as the caller gave it, for messages */
  readonly given: string;
  /** normalised relative path: the split key and the resolution input */
  readonly key: string;
  /** image name prefix, unique among the planned clips */
  readonly stem: string;
}

/**
 * The side of the split a clip goes to: a stable hash (FNV-1a) of its path and the seed,
 * taken as a fraction of 2³², against `valFraction`. The same clip always gets the same side,
 * on any machine and in any run, whatever the other clips.
 *
 * @param clip a path relative to the video folder; `\` is read as `/`, and `./` and doubled slashes do
 *   not change the side
 * @param valFraction the share of clips (not frames) that goes to val, from 0 (all train) to 1 (all val)
 * @param seed any text; another seed gives another split of the same clips
 * @throws {RangeError} when `valFraction` is not from 0 to 1
 *
 * @example
 * ```ts
 * import { datasetSplit } from "./dataset_split.ts";
 * console.log(datasetSplit("front/20260223-144657.mp4", 0.2)); // "train" or "val", always the same
 * console.log(datasetSplit("front/20260223-144657.mp4", 0)); // "train"
 * ```
 */
export function datasetSplit(clip: string, valFraction: number, seed = ""): DatasetSplit {
  checkValFraction(valFraction);
  return fnv1a(seed + clipKey(clip)) / 2 ** 32 < valFraction ? "val" : "train";
}

/**
 * The file name (without extension) of a clip's frame: `<camera>_<clip stem>_<ms>`, where the
 * camera is the one given or else the clip's folder, and `<ms>` the frame's time in the clip,
 * zero-padded to 6 digits. Anything but letters, digits, `.`, `_` and `-` becomes `_`.
 *
 * @param time seconds into the clip; negative times count as 0, and more than 999.999 s gives more digits
 * @param camera used instead of the clip's folder; without either the name has no camera part
 * @returns the name without an extension: add `.jpg` for the image and `.txt` for its labels
 * @throws {RangeError} when `time` is not a finite number
 *
 * @example
 * ```ts
 * import { datasetItemName } from "./dataset_split.ts";
 * console.log(datasetItemName("front/20260223-144657.mp4", 1.5)); // "front_20260223-144657_001500"
 * console.log(datasetItemName("x.mp4", 0.25, "porch cam")); // "porch_cam_x_000250"
 * ```
 */
export function datasetItemName(clip: string, time: number, camera?: string): string {
  if (!Number.isFinite(time)) throw new RangeError(`time must be a finite number, got ${time}`);
  return `${clipStem(clip, camera)}_${msOf(time)}`;
}

/**
 * Normalises, de-duplicates (first one kept) and names the clips of an export; stems shared by
 * two clips (the log line's camera `door` and a folder `door/`) get a hash of the clip each.
 * Throws `TypeError` for a clip that is neither a path nor has a filename.
 *
 * @returns one entry per distinct clip, in the order first given; a clashing stem gets `_` and 8 hex
 *   digits of the clip's hash, the same whatever the list's order
 * @throws {TypeError} when a clip is an empty string, or an object without a non-empty string `filename`
 *
 * @example
 * ```ts
 * import { planClips } from "./dataset_split.ts";
 * const planned = planClips([{ filename: "front/a.mp4", camera: "door" }, "door/a.mp4", "./front/a.mp4"]);
 * console.log(planned.map((p) => p.stem)); // door_a_<hash>, door_a_<hash>: two clips, two names
 * ```
 */
export function planClips(clips: readonly DatasetClip[]): PlannedClip[] {
  const seen = new Map<string, { given: string; key: string; stem: string }>();
  for (const clip of clips) {
    const given = typeof clip === "string" ? clip : clip.filename;
    if (typeof given !== "string" || given === "") {
      throw new TypeError(`a clip must be a path or have a filename, got ${JSON.stringify(clip)}`);
    }
    const key = clipKey(given);
    if (seen.has(key)) continue;
    const camera = typeof clip === "string" ? undefined : clip.camera;
    seen.set(key, { given, key, stem: clipStem(key, camera) });
  }
  const planned = [...seen.values()];
  const uses = new Map<string, number>();
  for (const p of planned) uses.set(p.stem, (uses.get(p.stem) ?? 0) + 1);
  // Every clip of a clash gets the suffix, so a clip's names do not depend on the list order.
  return planned.map((p) =>
    uses.get(p.stem)! > 1 ? { ...p, stem: `${p.stem}_${fnv1a(p.key).toString(16).padStart(8, "0")}` } : p
  );
}

/**
 * The name of a planned clip's frame at `time` seconds: its stem and the time in ms, zero-padded
 * to 6 digits, as {@linkcode datasetItemName} makes it.
 *
 * @param time seconds into the clip; unlike {@linkcode datasetItemName} it is not checked (NaN gives
 *   `000NaN` in the name), so give frame times as the decoder reports them
 *
 * @example
 * ```ts
 * import { plannedItemName, planClips } from "./dataset_split.ts";
 * const [clip] = planClips(["front/20260223-144657.mp4"]);
 * console.log(plannedItemName(clip, 1.5)); // front_20260223-144657_001500
 * ```
 */
export function plannedItemName(clip: PlannedClip, time: number): string {
  return `${clip.stem}_${msOf(time)}`;
}

/**
 * Throws `RangeError` naming `valFraction` unless it is from 0 to 1.
 *
 * @throws {RangeError} when `value` is below 0, above 1 or NaN
 *
 * @example
 * ```ts
 * import { checkValFraction } from "./dataset_split.ts";
 * checkValFraction(0.2); // fine
 * ```
 */
export function checkValFraction(value: number): void {
  if (!(value >= 0 && value <= 1)) throw new RangeError(`valFraction must be between 0 and 1, got ${value}`);
}

/** A clip path with `/` separators and no `./` or doubled slashes, the same on every system. */
function clipKey(clip: string): string {
  return normalize(clip.replaceAll("\\", "/")).replace(/^\.\//, "");
}

function clipStem(clip: string, camera?: string): string {
  const key = clipKey(clip);
  const dir = dirname(key);
  const prefix = camera || (dir === "." || dir === "/" ? undefined : dir);
  const stem = basename(key, extname(key));
  return [prefix, stem].filter((p) => p !== undefined).map(safePart).join("_");
}

function safePart(text: string): string {
  // Leading dots would make hidden files; runs of anything unsafe collapse to one "_", and none
  // at the ends, so that the parts join with exactly one "_".
  const safe = text.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[._]+|_+$/g, "");
  return safe || "clip";
}

function msOf(time: number): string {
  return String(Math.max(0, Math.round(time * 1000))).padStart(6, "0");
}

/** FNV-1a, 32 bits, over the UTF-8 bytes: tiny, stable across runtimes, well spread. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
