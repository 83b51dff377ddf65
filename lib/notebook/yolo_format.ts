/**
 * The Ultralytics YOLO detection dataset format: label files (one `class_id cx cy w h` line
 * per box, normalised to the image size) written from and read back to pixel boxes, and the
 * dataset's data.yaml. {@linkcode DatasetError} is what a dataset that cannot be read or
 * written as asked throws.
 *
 * @example A box written and read back
 * ```ts
 * import { formatYoloLabels, parseYoloLabels } from "./yolo_format.ts";
 *
 * const text = formatYoloLabels([{ classId: 0, box: [0, 0, 384, 288] }], 768, 576);
 * console.log(text); // "0 0.250000 0.250000 0.500000 0.500000\n"
 * console.log(parseYoloLabels(text, 768, 576)); // [{ classId: 0, box: [0, 0, 384, 288] }]
 * ```
 *
 * @module
 */

import { resolve } from "node:path";
import YAML from "yaml";
import { CamwatchError } from "../errors.ts";

/**
 * A dataset that cannot be written or read as asked: an output folder that is not empty (or
 * holds a dataset of other classes), or a label file that is not in the YOLO format.
 *
 * @example
 * ```ts
 * import { DatasetError } from "./yolo_format.ts";
 * const err = new DatasetError("dataset is not empty", { cause: new Error("found data.yaml") });
 * console.log(err.name, err.cause); // "DatasetError" Error: found data.yaml
 * ```
 */
export class DatasetError extends CamwatchError {}

/**
 * A box `[x1, y1, x2, y2]` in image pixels.
 *
 * @example
 * ```ts
 * import type { PixelBox } from "./yolo_format.ts";
 * const box: PixelBox = [10, 20, 110, 220];
 * ```
 */
export type PixelBox = readonly [number, number, number, number];

/**
 * One line of a YOLO label file, back in pixels.
 *
 * @example
 * ```ts
 * import type { YoloLabel } from "./yolo_format.ts";
 * const label: YoloLabel = { classId: 0, box: [10, 20, 110, 220] };
 * ```
 */
export interface YoloLabel {
  /** class id, an index into data.yaml's `names` */
  readonly classId: number;
  /** `[x1, y1, x2, y2]` in image pixels */
  readonly box: PixelBox;
}

/**
 * A box clipped to a `width` × `height` image, or `undefined` when nothing of it is left
 * inside (or it is not a finite box).
 *
 * @param box `[x1, y1, x2, y2]` in pixels, `x1 < x2` and `y1 < y2` (a box given the other way round has
 *   nothing inside)
 * @param width the image's width in pixels
 * @param height the image's height in pixels
 * @returns a new box within `[0, 0, width, height]`, not rounded
 * @throws {RangeError} when `width` or `height` is not a positive finite number
 *
 * @example
 * ```ts
 * import { clipBox } from "./yolo_format.ts";
 * console.log(clipBox([-5, 10, 50, 120], 100, 100)); // [0, 10, 50, 100]
 * console.log(clipBox([120, 10, 150, 20], 100, 100)); // undefined
 * ```
 */
export function clipBox(box: PixelBox, width: number, height: number): PixelBox | undefined {
  checkSize(width, height);
  const x1 = Math.max(0, box[0]), y1 = Math.max(0, box[1]);
  const x2 = Math.min(width, box[2]), y2 = Math.min(height, box[3]);
  // `>` is false for NaN, so a box with a NaN corner is dropped too.
  return x2 > x1 && y2 > y1 ? [x1, y1, x2, y2] : undefined;
}

/**
 * The text of a YOLO label file: one `class_id cx cy w h` line per box, normalised to the
 * image size with 6 decimals, boxes clipped to the image (those left empty dropped).
 *
 * @param boxes `[x1, y1, x2, y2]` in pixels of the `width` × `height` image, with the class id to write
 * @returns lines in the order of `boxes`, each ending in `\n`; `""` (an empty label file: an image of
 *   background) when no box is left
 * @throws {RangeError} when a class id is not a non-negative integer, or, once there is a box, `width` or
 *   `height` is not a positive finite number
 *
 * @example
 * ```ts
 * import { formatYoloLabels } from "./yolo_format.ts";
 * console.log(formatYoloLabels([{ classId: 0, box: [0, 0, 384, 288] }], 768, 576));
 * // "0 0.250000 0.250000 0.500000 0.500000\n"
 * ```
 */
export function formatYoloLabels(
  boxes: readonly { readonly classId: number; readonly box: PixelBox }[],
  width: number,
  height: number,
): string {
  let text = "";
  for (const { classId, box } of boxes) {
    if (!(Number.isInteger(classId) && classId >= 0)) {
      throw new RangeError(`class id must be a non-negative integer, got ${classId}`);
    }
    const clipped = clipBox(box, width, height);
    if (!clipped) continue;
    const [x1, y1, x2, y2] = clipped;
    const values = [(x1 + x2) / 2 / width, (y1 + y2) / 2 / height, (x2 - x1) / width, (y2 - y1) / height];
    text += `${classId} ${values.map((v) => v.toFixed(6)).join(" ")}\n`;
  }
  return text;
}

/**
 * Reads the text of a YOLO detection label file back to pixel boxes for a `width` × `height`
 * image. Blank lines are ignored; a line that is not `class_id cx cy w h` (five numbers, an
 * integer class) throws {@linkcode DatasetError} naming the line.
 *
 * @param text the file's text; `\n` or `\r\n` line ends
 * @returns one label per line, in file order, `box` in pixels (not rounded, and not clipped: values
 *   outside 0..1 give boxes outside the image)
 * @throws {DatasetError} when a line does not hold exactly five finite numbers (a segmentation or pose
 *   label, say) or its class id is not a non-negative integer; the message gives the line's number
 * @throws {RangeError} when `width` or `height` is not a positive finite number
 *
 * @example
 * ```ts
 * import { parseYoloLabels } from "./yolo_format.ts";
 * console.log(parseYoloLabels("0 0.25 0.25 0.5 0.5\n", 768, 576));
 * // [{ classId: 0, box: [0, 0, 384, 288] }]
 * ```
 */
export function parseYoloLabels(text: string, width: number, height: number): YoloLabel[] {
  checkSize(width, height);
  const labels: YoloLabel[] = [];
  for (const [k, line] of text.split(/\r?\n/).entries()) {
    if (!line.trim()) continue;
    const fields = line.trim().split(/\s+/);
    const values = fields.map(Number);
    if (fields.length !== 5 || !values.every(Number.isFinite)) {
      throw new DatasetError(
        `label line ${k + 1} is not "class_id cx cy w h" (a detection label): ${JSON.stringify(line)}`,
      );
    }
    const [classId, cx, cy, w, h] = values;
    if (!(Number.isInteger(classId) && classId >= 0)) {
      throw new DatasetError(`label line ${k + 1} has a bad class id: ${JSON.stringify(line)}`);
    }
    labels.push({
      classId,
      box: [(cx - w / 2) * width, (cy - h / 2) * height, (cx + w / 2) * width, (cy + h / 2) * height],
    });
  }
  return labels;
}

/**
 * Reads a YOLO label file back to pixel boxes for a `width` × `height` image (see
 * {@linkcode parseYoloLabels}); a missing file means no boxes, as for YOLO itself.
 *
 * @returns an empty array when the file does not exist
 * @throws {DatasetError} when a line is not a detection label; the message starts with the file's path
 * @throws {RangeError} when the file exists and `width` or `height` is not a positive finite number
 * @throws {Deno.errors.PermissionDenied} and other file errors except a missing file
 *
 * @example
 * ```ts
 * import { readYoloLabels } from "./yolo_format.ts";
 * const boxes = await readYoloLabels("dataset/labels/train/front_20260223-144657_001000.txt", 768, 576);
 * for (const { classId, box } of boxes) console.log(classId, box.map(Math.round));
 * ```
 */
export async function readYoloLabels(path: string, width: number, height: number): Promise<YoloLabel[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  try {
    return parseYoloLabels(text, width, height);
  } catch (cause) {
    if (cause instanceof DatasetError) throw new DatasetError(`${path}: ${cause.message}`, { cause });
    throw cause;
  }
}

/**
 * The text of data.yaml: the dataset's absolute `path`, `train` and `val` image folders, and
 * `names` as a mapping from class id to name (all the model's classes, so ids stay its own).
 *
 * @param outDir the dataset's folder; a relative one is made absolute against the current directory
 * @param names the class names by id: `names[i]` is class `i`
 *
 * @example
 * ```ts
 * import { formatDataYaml } from "./yolo_format.ts";
 * console.log(formatDataYaml("/data/set", ["person", "bicycle"]));
 * // path: /data/set
 * // train: images/train
 * // val: images/val
 * // names:
 * //   0: person
 * //   1: bicycle
 * ```
 */
export function formatDataYaml(outDir: string, names: readonly string[]): string {
  // A Map keeps the ids as YAML integers (an object's keys would be quoted strings).
  return YAML.stringify({
    path: resolve(outDir),
    train: "images/train",
    val: "images/val",
    names: new Map(names.map((name, id) => [id, name])),
  });
}

/**
 * The class names of an existing data.yaml (a list or an id → name mapping, as Ultralytics
 * accepts both), or `undefined` when it has none. Throws {@linkcode DatasetError} when the file
 * is not YAML.
 *
 * @returns names by class id (a mapping's ids become indices; every name as a string), or `undefined`
 *   when the file has no `names` (or an empty document)
 * @throws {DatasetError} when the file cannot be read (a missing file included) or is not YAML
 *
 * @example
 * ```ts
 * import { readDataYamlNames } from "./yolo_format.ts";
 * const names = await readDataYamlNames("dataset/data.yaml");
 * console.log(names?.length, names?.[0]); // 80 person
 * ```
 */
export async function readDataYamlNames(path: string): Promise<string[] | undefined> {
  let parsed: unknown;
  try {
    parsed = YAML.parse(await Deno.readTextFile(path));
  } catch (cause) {
    throw new DatasetError(`${path} is not readable YAML: ${(cause as Error).message}`, { cause });
  }
  const names = (parsed as { names?: unknown } | null)?.names;
  if (Array.isArray(names)) return names.map(String);
  if (names && typeof names === "object") {
    const list: string[] = [];
    for (const [id, name] of Object.entries(names)) list[Number(id)] = String(name);
    return list;
  }
  return undefined;
}

function checkSize(width: number, height: number): void {
  if (!(width > 0 && height > 0 && Number.isFinite(width) && Number.isFinite(height))) {
    throw new RangeError(`image size must be positive, got ${width}x${height}`);
  }
}
