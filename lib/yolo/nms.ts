/**
 * Class-aware non-maximum suppression, with the semantics of Ultralytics'
 * `non_max_suppression` (greedy, highest score first, a box is dropped when its IoU with a kept
 * box of the same class is above the threshold).
 *
 * @module
 */

/** A box `[x1, y1, x2, y2]` with its best class and score. */
export interface Candidate {
  /** `[x1, y1, x2, y2]` corners of the box */
  readonly box: readonly [number, number, number, number];
  /** score of the best class */
  readonly score: number;
  /** id of the best class */
  readonly classId: number;
}

/** Options of {@linkcode nonMaxSuppression}. */
export interface NmsOptions {
  /**
   * IoU above which the weaker of two overlapping boxes is dropped.
   * @default 0.7
   */
  iou?: number;
  /**
   * Keep at most this many boxes (highest scores first).
   * @default 300
   */
  maxDetections?: number;
  /**
   * Suppress across classes too (one box per object whatever its class).
   * @default false
   */
  agnostic?: boolean;
}

/** Most candidates NMS considers, as in Ultralytics (`max_nms`). */
const MAX_CANDIDATES = 30000;

/**
 * Intersection over union of two `[x1, y1, x2, y2]` boxes.
 *
 * @returns a value in 0..1: 0 for boxes that do not overlap or have no area
 *
 * @example
 * ```ts
 * import { iou } from "./nms.ts";
 * console.log(iou([0, 0, 2, 2], [1, 0, 3, 2])); // 0.3333333333333333
 * ```
 */
export function iou(
  a: readonly [number, number, number, number],
  b: readonly [number, number, number, number],
): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Greedy non-maximum suppression, per class unless `agnostic`. Returns the kept candidates,
 * highest score first.
 *
 * @returns at most `maxDetections` candidates; only the 30000 best scores are considered, as Ultralytics does
 *
 * @example
 * ```ts
 * import { nonMaxSuppression } from "./nms.ts";
 * const kept = nonMaxSuppression([
 *   { box: [0, 0, 10, 10], score: 0.9, classId: 0 },
 *   { box: [1, 1, 10, 10], score: 0.8, classId: 0 }, // same object: dropped
 *   { box: [1, 1, 10, 10], score: 0.7, classId: 5 }, // other class: kept
 * ]);
 * console.log(kept.length); // 2
 * ```
 */
export function nonMaxSuppression(
  candidates: readonly Candidate[],
  options: NmsOptions = {},
): Candidate[] {
  const { iou: threshold = 0.7, maxDetections = 300, agnostic = false } = options;
  const sorted = [...candidates].sort((a, b) => b.score - a.score).slice(0, MAX_CANDIDATES);
  const kept: Candidate[] = [];
  for (const c of sorted) {
    if (kept.length >= maxDetections) break;
    let keep = true;
    for (const k of kept) {
      if ((agnostic || k.classId === c.classId) && iou(k.box, c.box) > threshold) {
        keep = false;
        break;
      }
    }
    if (keep) kept.push(c);
  }
  return kept;
}
