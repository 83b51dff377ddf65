/**
 * `MotionDetector`: motion in a stream of small grey frames, in plain TypeScript (no OpenCV):
 * blur, running-average background, absolute difference, threshold, dilation, changed area as
 * a fraction of the frame, boxes of the moving regions, and start/end events.
 *
 * It never touches the recorded video: it only reads the scaled grey copy of the stream.
 *
 * @module
 */

import { insidePolygon } from "../geometry.ts";
import { checkSetting, type NumberSetting } from "../number_setting.ts";

/** A grey frame: one byte per pixel, rows without padding. */
export interface GrayFrame {
  /** capture time, milliseconds since the epoch */
  readonly ts: number;
  /** width in pixels */
  readonly width: number;
  /** height in pixels */
  readonly height: number;
  /** `width * height` grey levels */
  readonly data: Uint8Array;
}

/** A point `[x, y]` in fractions of the frame's width and height (0..1). */
export type Point = readonly [number, number];

/** A box `[x1, y1, x2, y2]` in fractions of the frame's width and height (0..1). */
export type Box = [number, number, number, number];

/**
 * The defaults and bounds of {@linkcode MotionDetectorOptions}' numbers, the one place they are
 * written (the configuration reads them too).
 *
 * @example
 * ```ts
 * import { MOTION_SETTINGS } from "./motion_detector.ts";
 * console.log(MOTION_SETTINGS.threshold); // { default: 25, min: 1, max: 255 }
 * ```
 */
export const MOTION_SETTINGS = {
  threshold: { default: 25, min: 1, max: 255 },
  minArea: { default: 0.002, min: 0, max: 1 },
  backgroundRate: { default: 0.05, min: 0, max: 1 },
  blurRadius: { default: 2, min: 0, max: 50 },
  dilateRadius: { default: 3, min: 0, max: 50 },
  warmupFrames: { default: 5, min: 1, max: 1000 },
  lightingChange: { default: 0.6, min: 0, max: 1 },
  startFrames: { default: 2, min: 1, max: 1000 },
  endAfterMs: { default: 2000, min: 0, max: 3_600_000 },
} as const satisfies Record<string, NumberSetting>;

/** Options of {@linkcode MotionDetector}. */
export interface MotionDetectorOptions {
  /**
   * Grey-level difference from the background that counts as change (0..255).
   * @default 25
   */
  threshold?: number;
  /**
   * Smallest moving region, as a fraction of the (unmasked) frame area.
   * @default 0.002
   */
  minArea?: number;
  /**
   * How fast the background follows the scene, per frame (0..1).
   * @default 0.05
   */
  backgroundRate?: number;
  /**
   * Radius of the box blur applied before comparing, in pixels (0 for none).
   * @default 2
   */
  blurRadius?: number;
  /**
   * Radius of the dilation that joins nearby changed pixels into one region, in pixels.
   * @default 3
   */
  dilateRadius?: number;
  /**
   * Frames used to learn the background at start; they never count as motion.
   * @default 5
   */
  warmupFrames?: number;
  /**
   * Fraction of the frame changing at once that is taken for a lighting change (lights on,
   * camera switching to night mode): the background is learned anew instead of reporting
   * motion.
   * @default 0.6
   */
  lightingChange?: number;
  /**
   * Consecutive frames with motion needed to start an event (filters single-frame noise).
   * @default 2
   */
  startFrames?: number;
  /**
   * Milliseconds without motion after which an event ends.
   * @default 2000
   */
  endAfterMs?: number;
  /**
   * Regions to ignore (trees, a road, a timestamp overlay), as polygons in frame fractions.
   * @default none
   */
  masks?: readonly (readonly Point[])[];
}

/** A motion event: it starts, then ends. */
export type MotionEvent =
  | {
    /** motion has started */
    readonly type: "start";
    /** time of the first frame with motion, ms since the epoch */
    readonly ts: number;
    /** changed fraction of that frame */
    readonly score: number;
    /** moving regions in that frame */
    readonly boxes: Box[];
  }
  | {
    /** motion has ended */
    readonly type: "end";
    /** time of the first frame with motion, ms since the epoch */
    readonly start: number;
    /** time of the last frame with motion, ms since the epoch */
    readonly end: number;
    /** highest changed fraction during the event */
    readonly peak: number;
    /** moving regions of the frame with the highest score */
    readonly boxes: Box[];
  };

/** What one frame shows. */
export interface MotionUpdate {
  /** time of the frame, ms since the epoch */
  readonly ts: number;
  /** whether this frame has motion (after warm-up, outside masks, above the minimum area) */
  readonly motion: boolean;
  /** changed fraction of the unmasked frame, 0..1 */
  readonly score: number;
  /** moving regions, largest first */
  readonly boxes: Box[];
  /** the background was learned anew (warm-up or a lighting change) */
  readonly recalibrated: boolean;
  /** an event that starts or ends with this frame */
  readonly event?: MotionEvent;
}

/** Sample indices entering and leaving a running window of radius r, clamped at the edges. */
function windowEdges(n: number, r: number): { enter: Int32Array; leave: Int32Array; first: Int32Array } {
  const enter = new Int32Array(n);
  const leave = new Int32Array(n);
  const first = new Int32Array(2 * r + 1);
  for (let x = 0; x < n; x++) {
    enter[x] = Math.min(n - 1, x + r + 1);
    leave[x] = Math.max(0, x - r);
  }
  for (let k = -r; k <= r; k++) first[k + r] = Math.min(n - 1, Math.max(0, k));
  return { enter, leave, first };
}

/**
 * Separable box blur with clamped edges, into `out`, as window sums: values are the blurred
 * grey level times (2r + 1)^2, which spares a division per pixel.
 */
function boxBlur(
  src: Uint8Array,
  w: number,
  h: number,
  cols: ReturnType<typeof windowEdges>,
  rows: ReturnType<typeof windowEdges>,
  tmp: Int32Array,
  out: Float32Array,
) {
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let sum = 0;
    for (const k of cols.first) sum += src[row + k];
    for (let x = 0; x < w; x++) {
      tmp[row + x] = sum;
      sum += src[row + cols.enter[x]] - src[row + cols.leave[x]];
    }
  }
  // Vertical pass row by row (all columns at once): memory is read in order, not strided.
  const sums = new Int32Array(w);
  for (const k of rows.first) for (let x = 0; x < w; x++) sums[x] += tmp[k * w + x];
  for (let y = 0; y < h; y++) {
    const row = y * w, enter = rows.enter[y] * w, leave = rows.leave[y] * w;
    for (let x = 0; x < w; x++) {
      out[row + x] = sums[x];
      sums[x] += tmp[enter + x] - tmp[leave + x];
    }
  }
}

/** Separable square dilation of a 0/1 mask, in place (uses `tmp`). */
function dilate(mask: Uint8Array, w: number, h: number, r: number, tmp: Uint8Array) {
  if (r <= 0) return;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let count = 0; // set pixels in the window [x - r, x + r]
    for (let k = 0; k <= r && k < w; k++) count += mask[row + k];
    for (let x = 0; x < w; x++) {
      tmp[row + x] = count > 0 ? 1 : 0;
      if (x + r + 1 < w) count += mask[row + x + r + 1];
      if (x - r >= 0) count -= mask[row + x - r];
    }
  }
  // Vertical pass row by row, counting set pixels per column in the window [y - r, y + r].
  const counts = new Int32Array(w);
  for (let k = 0; k <= r && k < h; k++) for (let x = 0; x < w; x++) counts[x] += tmp[k * w + x];
  for (let y = 0; y < h; y++) {
    const row = y * w;
    const enter = y + r + 1 < h ? (y + r + 1) * w : -1;
    const leave = y - r >= 0 ? (y - r) * w : -1;
    for (let x = 0; x < w; x++) {
      mask[row + x] = counts[x] > 0 ? 1 : 0;
      if (enter >= 0) counts[x] += tmp[enter + x];
      if (leave >= 0) counts[x] -= tmp[leave + x];
    }
  }
}

const round4 = (v: number) => Math.round(v * 10000) / 10000;

/**
 * Finds motion in grey frames and turns it into start/end events. One detector per camera;
 * feed it every frame in order.
 *
 * @example
 * ```ts
 * import { MotionDetector } from "./motion_detector.ts";
 * const detector = new MotionDetector({ minArea: 0.005 });
 * const still = new Uint8Array(320 * 240).fill(90);
 * for (let i = 0; i < 10; i++) {
 *   const update = detector.update({ ts: i * 200, width: 320, height: 240, data: still });
 *   console.log(update.motion); // false: nothing moves
 * }
 * ```
 */
export class MotionDetector {
  readonly #threshold: number;
  readonly #minArea: number;
  readonly #rate: number;
  readonly #blur: number;
  readonly #dilate: number;
  readonly #warmup: number;
  readonly #lighting: number;
  readonly #startFrames: number;
  readonly #endAfterMs: number;
  readonly #masks: readonly (readonly Point[])[];

  #width = 0;
  #height = 0;
  #background: Float32Array | undefined;
  #blurred = new Float32Array(0);
  #tmp = new Int32Array(0);
  #cols = windowEdges(0, 0);
  #rows = windowEdges(0, 0);
  #changed = new Uint8Array(0);
  #grown = new Uint8Array(0);
  #tmpMask = new Uint8Array(0);
  #labels = new Int32Array(0);
  #ignore: Uint8Array | undefined;
  /** whether #grown holds the last frame's mask: it is only rebuilt when something changed */
  #grownValid = false;
  #active = 0;
  #learned = 0;

  #streak = 0;
  #event: { start: number; last: number; peak: number; boxes: Box[] } | undefined;
  #pendingStart: { ts: number; score: number; boxes: Box[] } | undefined;

  /**
   * Creates a detector; throws `RangeError` for an option out of range.
   *
   * @throws {RangeError} naming the option when a number is outside its bounds in {@linkcode
   *   MOTION_SETTINGS}, or when a mask has fewer than 3 points
   */
  constructor(options: MotionDetectorOptions = {}) {
    const check = (name: keyof typeof MOTION_SETTINGS) =>
      checkSetting(`motion ${name}`, options[name], MOTION_SETTINGS[name]);
    this.#threshold = check("threshold");
    this.#minArea = check("minArea");
    this.#rate = check("backgroundRate");
    this.#blur = Math.round(check("blurRadius"));
    this.#dilate = Math.round(check("dilateRadius"));
    this.#warmup = Math.round(check("warmupFrames"));
    this.#lighting = check("lightingChange");
    this.#startFrames = Math.round(check("startFrames"));
    this.#endAfterMs = check("endAfterMs");
    for (const polygon of options.masks ?? []) {
      if (polygon.length < 3) throw new RangeError("a motion mask needs at least 3 points");
    }
    this.#masks = options.masks ?? [];
  }

  /** Whether a motion event is in progress. */
  get active(): boolean {
    return this.#event !== undefined;
  }

  /**
   * Processes the next frame.
   *
   * @param frame the next grey frame, in time order; a frame of another size than the last one starts the
   *   background afresh
   * @returns what the frame shows; `event` is set only on the frame that starts or ends an event (a start is
   *   reported once `startFrames` frames in a row had motion, with the time of the first of them)
   * @throws {RangeError} when `data` does not hold exactly `width * height` bytes
   */
  update(frame: GrayFrame): MotionUpdate {
    const { width: w, height: h, data, ts } = frame;
    if (data.length !== w * h) {
      throw new RangeError(`motion frame of ${w}x${h} needs ${w * h} bytes, got ${data.length}`);
    }
    if (w !== this.#width || h !== this.#height) this.#resize(w, h);
    this.#grownValid = false;

    const blurred = this.#blurred;
    boxBlur(data, w, h, this.#cols, this.#rows, this.#tmp, blurred);

    // Warm-up: average the first frames into the background; none of them is motion.
    if (!this.#background || this.#learned < this.#warmup) {
      this.#learn(blurred);
      return this.#quiet(ts, 0, true);
    }

    const bg = this.#background;
    const changed = this.#changed;
    const ignore = this.#ignore;
    // Blurred values are window sums: scale the threshold instead of dividing every pixel.
    const side = 2 * this.#blur + 1;
    const threshold = this.#threshold * side * side;
    let count = 0;
    for (let i = 0; i < blurred.length; i++) {
      const d = blurred[i] - bg[i];
      const on = (d > threshold || d < -threshold) && !(ignore && ignore[i]) ? 1 : 0;
      changed[i] = on;
      count += on;
    }
    const score = this.#active > 0 ? count / this.#active : 0;

    if (score > this.#lighting) {
      // Most of the frame changed at once: a lighting change, not something moving.
      this.#background = undefined;
      this.#learned = 0;
      this.#learn(blurred);
      return this.#quiet(ts, score, true);
    }

    const boxes = count > 0 ? this.#regions(w, h) : [];
    for (let i = 0; i < bg.length; i++) bg[i] += (blurred[i] - bg[i]) * this.#rate;
    return this.#advance(ts, score, boxes);
  }

  /**
   * The moving pixels of the last frame given to {@linkcode MotionDetector.update}: a copy of the
   * dilated change mask the boxes are cut from, `width * height` bytes, 1 where something moves
   * and 0 elsewhere. It also holds regions too small to count as motion (below `minArea`), so
   * that one can see what was discarded. All zeros during warm-up, on a lighting change
   * (recalibration), on a frame where nothing changed and after {@linkcode MotionDetector.reset};
   * empty before the first frame. Costs one copy per call and nothing when not called.
   *
   * @example
   * ```ts
   * import { MotionDetector } from "./motion_detector.ts";
   * const detector = new MotionDetector({ warmupFrames: 1 });
   * const frame = (data: Uint8Array, ts: number) => ({ ts, width: 64, height: 48, data });
   * detector.update(frame(new Uint8Array(64 * 48).fill(90), 0));
   * const moved = new Uint8Array(64 * 48).fill(90);
   * for (let y = 10; y < 30; y++) moved.fill(250, y * 64 + 20, y * 64 + 40);
   * detector.update(frame(moved, 200));
   * const mask = detector.mask();
   * console.log(mask[20 * 64 + 30], mask[45 * 64 + 2]); // 1 0
   * ```
   */
  mask(): Uint8Array {
    return this.#grownValid ? this.#grown.slice() : new Uint8Array(this.#width * this.#height);
  }

  /** Forgets the background and any event in progress (after a camera reconnect, say). */
  reset(): void {
    this.#grownValid = false;
    this.#background = undefined;
    this.#learned = 0;
    this.#streak = 0;
    this.#event = undefined;
    this.#pendingStart = undefined;
  }

  #resize(w: number, h: number) {
    this.#width = w;
    this.#height = h;
    const n = w * h;
    this.#blurred = new Float32Array(n);
    this.#tmp = new Int32Array(n);
    this.#cols = windowEdges(w, this.#blur);
    this.#rows = windowEdges(h, this.#blur);
    this.#changed = new Uint8Array(n);
    this.#grown = new Uint8Array(n);
    this.#tmpMask = new Uint8Array(n);
    this.#labels = new Int32Array(n);
    this.#background = undefined;
    this.#learned = 0;
    this.#ignore = undefined;
    this.#active = n;
    if (this.#masks.length > 0) {
      const ignore = new Uint8Array(n);
      let masked = 0;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const px = (x + 0.5) / w, py = (y + 0.5) / h;
          if (this.#masks.some((p) => insidePolygon(px, py, p))) {
            ignore[y * w + x] = 1;
            masked++;
          }
        }
      }
      this.#ignore = ignore;
      this.#active = n - masked;
    }
  }

  #learn(blurred: Float32Array) {
    if (!this.#background) this.#background = Float32Array.from(blurred);
    else {
      const bg = this.#background;
      const k = 1 / (this.#learned + 1); // running mean of the warm-up frames
      for (let i = 0; i < bg.length; i++) bg[i] += (blurred[i] - bg[i]) * k;
    }
    this.#learned++;
  }

  /** Boxes of the connected regions of the dilated change mask that are large enough. */
  #regions(w: number, h: number): Box[] {
    const grown = this.#grown;
    grown.set(this.#changed);
    dilate(grown, w, h, this.#dilate, this.#tmpMask);
    this.#grownValid = true;
    const labels = this.#labels.fill(0);
    const changed = this.#changed;
    const minPixels = Math.max(1, this.#minArea * this.#active);
    const boxes: { box: Box; area: number }[] = [];
    const stack: number[] = [];
    let next = 0;
    for (let start = 0; start < grown.length; start++) {
      if (!grown[start] || labels[start]) continue;
      next++;
      let x1 = w, y1 = h, x2 = -1, y2 = -1, area = 0;
      labels[start] = next;
      stack.push(start);
      while (stack.length) {
        const i = stack.pop()!;
        const x = i % w, y = (i - x) / w;
        area += changed[i]; // count real changes, not the dilation
        if (x < x1) x1 = x;
        if (x > x2) x2 = x;
        if (y < y1) y1 = y;
        if (y > y2) y2 = y;
        if (x > 0 && grown[i - 1] && !labels[i - 1]) labels[i - 1] = next, stack.push(i - 1);
        if (x < w - 1 && grown[i + 1] && !labels[i + 1]) labels[i + 1] = next, stack.push(i + 1);
        if (y > 0 && grown[i - w] && !labels[i - w]) labels[i - w] = next, stack.push(i - w);
        if (y < h - 1 && grown[i + w] && !labels[i + w]) labels[i + w] = next, stack.push(i + w);
      }
      if (area >= minPixels) {
        boxes.push({
          box: [round4(x1 / w), round4(y1 / h), round4((x2 + 1) / w), round4((y2 + 1) / h)],
          area,
        });
      }
    }
    return boxes.sort((a, b) => b.area - a.area).map((b) => b.box);
  }

  #quiet(ts: number, score: number, recalibrated: boolean): MotionUpdate {
    const update = this.#advance(ts, 0, []);
    return { ...update, score, recalibrated };
  }

  /** Event bookkeeping: debounce the start, end after a quiet period. */
  #advance(ts: number, score: number, boxes: Box[]): MotionUpdate {
    const motion = boxes.length > 0;
    let event: MotionEvent | undefined;
    if (motion) {
      this.#streak++;
      if (this.#streak === 1) this.#pendingStart = { ts, score, boxes };
      if (this.#event) {
        this.#event.last = ts;
        if (score > this.#event.peak) this.#event.peak = score, this.#event.boxes = boxes;
      } else if (this.#streak >= this.#startFrames) {
        const first = this.#pendingStart!;
        const peakFirst = first.score >= score;
        this.#event = {
          start: first.ts,
          last: ts,
          peak: Math.max(first.score, score),
          boxes: peakFirst ? first.boxes : boxes,
        };
        event = { type: "start", ts: first.ts, score: first.score, boxes: first.boxes };
      }
    } else {
      this.#streak = 0;
      if (this.#event && ts - this.#event.last >= this.#endAfterMs) {
        const e = this.#event;
        this.#event = undefined;
        event = { type: "end", start: e.start, end: e.last, peak: round4(e.peak), boxes: e.boxes };
      }
    }
    return { ts, motion, score: round4(score), boxes, recalibrated: false, ...(event ? { event } : {}) };
  }
}
