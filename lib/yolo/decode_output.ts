/**
 * Turns a YOLO detection head's raw output into scored candidate boxes in model-input pixels.
 *
 * @module
 */

import type { Candidate } from "./nms.ts";

/** Options of {@linkcode decodeOutput}. */
export interface DecodeOptions {
  /** number of classes the model predicts */
  readonly numClasses: number;
  /** minimum class score; boxes at or below it are dropped (Ultralytics keeps `> conf`) */
  readonly confidence: number;
  /**
   * The output is `[1, N, 6]` rows of x1, y1, x2, y2, score, class (end-to-end exports).
   * @default false
   */
  readonly endToEnd?: boolean;
  /**
   * Keep only these class ids.
   * @default every class
   */
  readonly classes?: ReadonlySet<number>;
}

/**
 * Decodes `[1, 4 + classes, anchors]` output (cx, cy, w, h, then one score per class, stored
 * row by row) into the best class of each anchor above the confidence threshold. End-to-end
 * outputs `[1, N, 6]` are read as ready boxes.
 *
 * @param dims the output's shape: `[1, 4 + classes, anchors]`, or `[1, N, 6]` with `endToEnd`
 * @returns boxes `[x1, y1, x2, y2]` in model-input pixels (letterboxed), in anchor order, not yet suppressed
 * @throws {RangeError} when the output's second dimension is not `4 + numClasses` (a model and names that do
 *   not match)
 *
 * @example
 * ```ts
 * import { decodeOutput } from "./decode_output.ts";
 * // 2 anchors, 1 class: rows cx, cy, w, h, score
 * const out = new Float32Array([10, 50, 20, 60, 4, 8, 4, 8, 0.9, 0.1]);
 * const c = decodeOutput(out, [1, 5, 2], { numClasses: 1, confidence: 0.25 });
 * console.log(c); // [{ box: [8, 18, 12, 22], score: 0.9..., classId: 0 }]
 * ```
 */
export function decodeOutput(
  data: Float32Array,
  dims: readonly number[],
  options: DecodeOptions,
): Candidate[] {
  const { numClasses, confidence, classes } = options;
  const out: Candidate[] = [];
  if (options.endToEnd) {
    const rows = dims[1];
    for (let i = 0; i < rows; i++) {
      const o = i * 6;
      const score = data[o + 4];
      const classId = Math.round(data[o + 5]);
      if (score > confidence && (!classes || classes.has(classId))) {
        out.push({ box: [data[o], data[o + 1], data[o + 2], data[o + 3]], score, classId });
      }
    }
    return out;
  }
  const anchors = dims[2];
  if (dims[1] !== 4 + numClasses) {
    throw new RangeError(`output has ${dims[1]} rows, expected ${4 + numClasses} (4 + classes)`);
  }
  // Best class per anchor, scanning the scores row by row (the output is stored per class).
  const best = data.slice(4 * anchors, 5 * anchors);
  const bestClass = new Int32Array(anchors);
  for (let c = 1; c < numClasses; c++) {
    const row = (4 + c) * anchors;
    for (let a = 0; a < anchors; a++) {
      const s = data[row + a];
      if (s > best[a]) {
        best[a] = s;
        bestClass[a] = c;
      }
    }
  }
  for (let a = 0; a < anchors; a++) {
    const score = best[a];
    const classId = bestClass[a];
    // As in Ultralytics, an anchor whose best class is filtered out is dropped altogether.
    if (!(score > confidence) || (classes && !classes.has(classId))) continue;
    const cx = data[a], cy = data[anchors + a];
    const hw = data[2 * anchors + a] / 2, hh = data[3 * anchors + a] / 2;
    out.push({ box: [cx - hw, cy - hh, cx + hw, cy + hh], score, classId });
  }
  return out;
}
