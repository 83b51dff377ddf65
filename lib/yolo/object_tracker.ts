/**
 * A multi-object tracker over the analysed frames of one clip, in the manner of ByteTrack:
 * confident detections are matched to tracks first, weak ones only to tracks that lost their
 * object (so a person half-hidden by another keeps their track, but a weak box never starts one),
 * with a constant-velocity prediction of where each track's box is now.
 *
 * Frames are analysed a few times a second, not 30: a walking person can move more than a body
 * width between two analysed frames, and then predicted and detected boxes no longer overlap. So
 * a pair's cost is the lesser of 1 - IoU and the distance between the predicted and detected
 * centres, in box sizes: a track may take a detection of its class and of a similar size that
 * lies close to where it should be, overlap or not.
 *
 * Assignment is Hungarian (least total cost), not greedy. At 2 frames a second the people of a
 * group walking side by side each move about their own width: before a track has a velocity, the
 * box nearest to a person's last one is often their neighbour's new one, and greedy pairing takes
 * it and starts new tracks for the rest (12 tracks for the 4 people of the ground truth's `group`
 * video); the least total cost, where leaving a track or a detection alone costs too, pairs every
 * one of them right (4).
 *
 * @module
 */

import { checkSetting, type NumberSetting } from "../number_setting.ts";
import { assignMinCost } from "./assignment.ts";
import { iou } from "./nms.ts";

/** A box `[x1, y1, x2, y2]` in source pixels. */
export type PixelBox = readonly [number, number, number, number];

/** A detection as the tracker needs it. */
export interface TrackInput {
  /** class name: a track keeps one class */
  readonly label: string;
  /** confidence, 0..1 */
  readonly score: number;
  /** `[x1, y1, x2, y2]` in source pixels */
  readonly box: PixelBox;
}

/** One detection a track took. */
export interface Observation {
  /** seconds from the start of the video */
  readonly time: number;
  /** confidence, 0..1 */
  readonly score: number;
  /** `[x1, y1, x2, y2]` in source pixels */
  readonly box: PixelBox;
}

/** A track: one object followed over the clip, with every detection it took. */
export interface Track {
  /** 1, 2, … in order of creation, unique within the clip */
  readonly id: number;
  /** class name */
  readonly label: string;
  /** the detections it took, in time order */
  readonly observations: readonly Observation[];
}

/**
 * The tracker's defaults and bounds, the one place they are written.
 *
 * @example
 * ```ts
 * import { TRACKER_SETTINGS } from "./object_tracker.ts";
 * console.log(TRACKER_SETTINGS.highScore.default); // 0.5
 * ```
 */
export const TRACKER_SETTINGS = {
  /** score from which a detection is confident: matched first, and may start a track */
  highScore: { default: 0.5, min: 0, max: 1 },
  /** least IoU between a predicted and a detected box for an overlap match */
  matchIou: { default: 0.2, min: 0, max: 1 },
  /**
   * farthest a detection's centre may be from the predicted one for a distance match, in box
   * sizes (the larger side of the track's box)
   */
  maxDistance: { default: 1, min: 0 },
  /**
   * seconds a track waits for its object to come back before it ends (and at least two analysed
   * frames, so that a parked car is still followed when frames are analysed seconds apart)
   */
  maxLostSeconds: { default: 2, min: 0 },
} as const satisfies Record<string, NumberSetting>;

/** Options of {@linkcode ObjectTracker}; see {@linkcode TRACKER_SETTINGS} for the bounds. */
export interface ObjectTrackerOptions {
  /**
   * Score from which a detection is confident: matched before weaker ones, and the only kind that
   * starts a track.
   * @default 0.5
   */
  highScore?: number;
  /**
   * Least IoU between a track's predicted box and a detection for an overlap match.
   * @default 0.2
   */
  matchIou?: number;
  /**
   * Farthest a detection's centre may lie from a track's predicted centre, in sizes of the
   * track's box (its larger side), for a match without overlap.
   * @default 1
   */
  maxDistance?: number;
  /**
   * Seconds a track keeps waiting for its object after its last detection; it also waits for at
   * least two more analysed frames, whatever their interval.
   * @default 2
   */
  maxLostSeconds?: number;
}

/**
 * Seconds over which a track's velocity is measured: boxes jitter by a few pixels from frame to
 * frame, which at 10 frames a second would read as a fast walk; over a second it does not.
 */
const VELOCITY_SECONDS = 1;
/** Sizes of two boxes of one object differ less than this ratio between analysed frames. */
const MAX_SIZE_RATIO = 2;

interface LiveTrack {
  readonly id: number;
  readonly label: string;
  readonly observations: Observation[];
  /** centre velocity in pixels per second */
  vx: number;
  vy: number;
  /** analysed frames since it last took a detection */
  missed: number;
}

const centre = (b: PixelBox): [number, number] => [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2];

/**
 * Follows objects from one analysed frame to the next and gives each detection a track id.
 *
 * @example
 * ```ts
 * import { ObjectTracker } from "./object_tracker.ts";
 * const tracker = new ObjectTracker();
 * console.log(tracker.update(0, [{ label: "person", score: 0.9, box: [0, 0, 50, 100] }])); // [1]
 * console.log(tracker.update(1, [{ label: "person", score: 0.8, box: [40, 0, 90, 100] }])); // [1]
 * console.log(tracker.tracks().length); // 1
 * ```
 */
export class ObjectTracker {
  readonly #highScore: number;
  readonly #matchIou: number;
  readonly #maxDistance: number;
  readonly #maxLostSeconds: number;
  readonly #live: LiveTrack[] = [];
  readonly #ended: LiveTrack[] = [];
  #nextId = 1;
  #lastTime = -Infinity;

  /**
   * Starts a tracker with no track.
   *
   * @throws {RangeError} when an option is outside its bounds ({@linkcode TRACKER_SETTINGS})
   */
  constructor(options: ObjectTrackerOptions = {}) {
    const s = TRACKER_SETTINGS;
    this.#highScore = checkSetting("highScore", options.highScore, s.highScore);
    this.#matchIou = checkSetting("matchIou", options.matchIou, s.matchIou);
    this.#maxDistance = checkSetting("maxDistance", options.maxDistance, s.maxDistance);
    this.#maxLostSeconds = checkSetting("maxLostSeconds", options.maxLostSeconds, s.maxLostSeconds);
  }

  /**
   * Takes the detections of the next analysed frame.
   *
   * @param time seconds from the start of the video, later than the previous frame's
   * @returns for each detection, in order, the id of the track that took it, or `undefined` for a weak
   *   detection that no track took (it starts none)
   * @throws {RangeError} when `time` is not later than the previous frame's
   */
  update(time: number, detections: readonly TrackInput[]): (number | undefined)[] {
    if (!(time > this.#lastTime)) {
      throw new RangeError(`frames must come in time order: ${time} s after ${this.#lastTime} s`);
    }
    this.#lastTime = time;
    for (let i = this.#live.length - 1; i >= 0; i--) {
      const t = this.#live[i];
      if (t.missed >= 2 && time - t.observations[t.observations.length - 1].time > this.#maxLostSeconds) {
        this.#ended.push(...this.#live.splice(i, 1));
      }
    }
    const ids: (number | undefined)[] = detections.map(() => undefined);
    const high = detections.flatMap((d, i) => d.score >= this.#highScore ? [i] : []);
    const low = detections.flatMap((d, i) => d.score < this.#highScore ? [i] : []);
    for (const t of this.#live) t.missed++;
    const free = new Set(this.#live);
    for (const indexes of [high, low]) {
      if (indexes.length === 0 || free.size === 0) continue;
      for (const [track, i] of this.#assign(time, [...free], indexes, detections)) {
        free.delete(track);
        this.#take(track, time, detections[i]);
        ids[i] = track.id;
      }
    }
    for (const i of high) {
      if (ids[i] !== undefined) continue;
      const d = detections[i];
      const track: LiveTrack = {
        id: this.#nextId++,
        label: d.label,
        observations: [],
        vx: 0,
        vy: 0,
        missed: 0,
      };
      this.#take(track, time, d);
      this.#live.push(track);
      ids[i] = track.id;
    }
    return ids;
  }

  /** Every track so far, ended or not, in order of creation. */
  tracks(): Track[] {
    return [...this.#ended, ...this.#live]
      .sort((a, b) => a.id - b.id)
      .map((t) => ({ id: t.id, label: t.label, observations: [...t.observations] }));
  }

  /** The least-cost pairing of tracks with detections (Hungarian), gated pairs only. */
  #assign(
    time: number,
    tracks: readonly LiveTrack[],
    indexes: readonly number[],
    detections: readonly TrackInput[],
  ): [LiveTrack, number][] {
    const costs = tracks.map((track) => {
      const predicted = this.#predict(track, time);
      // After a long gap (frames analysed seconds apart) only a box that stayed put is the same object: a
      // walker is far away by then, and whoever is near is someone else.
      const near = time - track.observations[track.observations.length - 1].time <= this.#maxLostSeconds;
      return indexes.map((i) =>
        detections[i].label === track.label ? this.#cost(predicted, detections[i].box, near) : Infinity
      );
    });
    // Leaving a track and a detection both alone costs 1: any gated pair (cost below 1) is worth making.
    return assignMinCost(costs, 0.5).map(([t, k]) => [tracks[t], indexes[k]]);
  }

  /**
   * How unlikely it is that a detection is a track's object, 0..1, or `Infinity` outside the gates:
   * the lesser of 1 - IoU and the centre distance in units of `maxDistance` box sizes, so a box
   * that overlaps the prediction well and one that lies close to it both cost little.
   */
  #cost(predicted: PixelBox, box: PixelBox, byDistanceToo: boolean): number {
    const [pw, ph] = [predicted[2] - predicted[0], predicted[3] - predicted[1]];
    const [w, h] = [box[2] - box[0], box[3] - box[1]];
    const ratio = Math.max(pw * ph, w * h) / Math.max(Math.min(pw * ph, w * h), 1e-9);
    if (ratio > MAX_SIZE_RATIO ** 2) return Infinity;
    const overlap = iou(predicted, box);
    const [px, py] = centre(predicted);
    const [cx, cy] = centre(box);
    const distance = Math.hypot(cx - px, cy - py) / Math.max(pw, ph, 1e-9);
    const byOverlap = overlap > 0 && overlap >= this.#matchIou ? 1 - overlap : Infinity;
    const byDistance = byDistanceToo && distance <= this.#maxDistance && this.#maxDistance > 0
      ? distance / this.#maxDistance
      : Infinity;
    return Math.min(byOverlap, byDistance);
  }

  /** The last box moved by the track's velocity for the time since it was seen (at most `maxLostSeconds`). */
  #predict(track: LiveTrack, time: number): PixelBox {
    const last = track.observations[track.observations.length - 1];
    const dt = Math.min(time - last.time, this.#maxLostSeconds);
    const [dx, dy] = [track.vx * dt, track.vy * dt];
    return [last.box[0] + dx, last.box[1] + dy, last.box[2] + dx, last.box[3] + dy];
  }

  #take(track: LiveTrack, time: number, d: TrackInput): void {
    const seen = track.observations;
    if (seen.length) {
      // The earliest detection within the window, or the previous one when the gap is longer.
      let k = seen.length - 1;
      while (k > 0 && time - seen[k - 1].time <= VELOCITY_SECONDS) k--;
      const [x0, y0] = centre(seen[k].box);
      const [x1, y1] = centre(d.box);
      const dt = time - seen[k].time;
      track.vx = (x1 - x0) / dt;
      track.vy = (y1 - y0) / dt;
    }
    seen.push({ time, score: d.score, box: d.box });
    track.missed = 0;
  }
}
