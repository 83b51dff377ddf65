/**
 * The per-clip summary of detections that goes into the log: which classes were seen, in how
 * many analysed frames, how many at once, how confidently, and when.
 *
 * @module
 */

/** How one class appeared in a clip. */
export interface ObjectStats {
  /** analysed frames in which the class was detected */
  frames: number;
  /** most detections of the class in a single frame */
  max: number;
  /** best score of the class */
  best: number;
  /** seconds into the clip of the first frame with the class */
  first: number;
  /** seconds into the clip of the last frame with the class */
  last: number;
}

/** A detection as the summary needs it. */
export interface LabelledScore {
  /** class name */
  readonly label: string;
  /** confidence, 0..1 */
  readonly score: number;
}

const round = (v: number, digits: number) => Number(v.toFixed(digits));

/**
 * Accumulates per-frame detections into the log's summary fields.
 *
 * @example
 * ```ts
 * import { DetectionSummary } from "./detection_summary.ts";
 * const summary = new DetectionSummary();
 * summary.add(0.5, [{ label: "person", score: 0.9 }, { label: "person", score: 0.7 }]);
 * summary.add(1.0, [{ label: "car", score: 0.6 }]);
 * console.log(summary.detected, summary.objects.person.max); // ["person", "car"] 2
 * ```
 */
export class DetectionSummary {
  /** number of frames added */
  frames = 0;
  readonly #objects = new Map<string, ObjectStats>();

  /**
   * Adds one analysed frame at `time` seconds with its detections.
   *
   * @param time seconds from the start of the video; frames may come in any order
   */
  add(time: number, detections: readonly LabelledScore[]): void {
    this.frames++;
    const counts = new Map<string, number>();
    for (const d of detections) {
      counts.set(d.label, (counts.get(d.label) ?? 0) + 1);
      let stats = this.#objects.get(d.label);
      if (!stats) {
        stats = { frames: 0, max: 0, best: 0, first: time, last: time };
        this.#objects.set(d.label, stats);
      }
      stats.best = Math.max(stats.best, d.score);
    }
    for (const [label, n] of counts) {
      const stats = this.#objects.get(label)!;
      stats.frames++;
      stats.max = Math.max(stats.max, n);
      stats.first = Math.min(stats.first, time);
      stats.last = Math.max(stats.last, time);
    }
  }

  /** Unique class names, in order of first appearance (the prototype's `detected`). */
  get detected(): string[] {
    return [...this.#objects.keys()];
  }

  /** Number of distinct classes (the prototype's `count`). */
  get count(): number {
    return this.#objects.size;
  }

  /** Per-class statistics, scores rounded to 3 decimals and times to milliseconds. */
  get objects(): Record<string, ObjectStats> {
    const out: Record<string, ObjectStats> = {};
    for (const [label, s] of this.#objects) {
      out[label] = { ...s, best: round(s.best, 3), first: round(s.first, 3), last: round(s.last, 3) };
    }
    return out;
  }
}
