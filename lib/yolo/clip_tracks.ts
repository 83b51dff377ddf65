/**
 * A clip's objects: each analysed frame's detections are filtered (per-class limits, masks),
 * tracked, and at the end the tracks are confirmed or rejected, and summarised as the result's
 * `tracks`, `objects`, `detected`, `count` and `rejected` (docs/architecture.md, "Log line").
 *
 * @module
 */

import { DetectionSummary, type ObjectStats } from "./detection_summary.ts";
import { checkObjectFilters, filterDetections, type ObjectFilterOptions } from "./object_filters.ts";
import {
  ObjectTracker,
  type ObjectTrackerOptions,
  type PixelBox,
  type Track,
  type TrackInput,
} from "./object_tracker.ts";
import { bottomCentre } from "./polygon.ts";
import { type ConfirmationOptions, confirmationSettings, confirmTrack } from "./track_confirmation.ts";
import { checkZones, type Zone, zonesAt } from "./zones.ts";

/** How to follow a clip's objects: the tracker's, confirmation's and filters' options, and zones. */
export interface TrackingOptions extends ObjectTrackerOptions, ConfirmationOptions, ObjectFilterOptions {
  /**
   * Named polygons of the view; each track lists those its bottom centre entered.
   * @default no zones
   */
  readonly zones?: readonly Zone[];
}

/** One confirmed object of a clip, as the result and the log carry it. */
export interface TrackSummary {
  /** the track's id, unique within the clip (the sidecar's `track`) */
  readonly id: number;
  /** class name */
  readonly label: string;
  /** seconds into the clip of its first detection */
  readonly first: number;
  /** seconds into the clip of its last detection */
  readonly last: number;
  /** analysed frames it was detected in */
  readonly frames: number;
  /** median score of its detections */
  readonly score: number;
  /** its best score */
  readonly best: number;
  /** seconds into the clip of the frame with its best score (its snapshot) */
  readonly best_time: number;
  /** its box barely moved over its life */
  readonly stationary: boolean;
  /** zones its bottom centre entered, in order of entry */
  readonly zones: string[];
  /** `[x1, y1, x2, y2]` at its best frame, in source pixels */
  readonly box: [number, number, number, number];
  /**
   * a few `[t, x, y]` points of its way: seconds, and its box's bottom centre (where it stands, the
   * point zones test) in fractions of the frame; first and last detections included
   */
  readonly path: [number, number, number][];
}

/** How one class appeared in a clip, counted in confirmed objects. */
export interface TrackedObjectStats extends ObjectStats {
  /** confirmed objects (tracks) of the class */
  count: number;
}

/** The clip's objects, with the log's field names. */
export interface ClipObjects {
  /** classes with at least one confirmed object, in order of first appearance */
  readonly detected: string[];
  /** number of such classes */
  readonly count: number;
  /** per class: confirmed objects, and frames, most at once, best score, first and last times of them */
  readonly objects: Record<string, TrackedObjectStats>;
  /** the confirmed objects, in order of first appearance */
  readonly tracks: TrackSummary[];
  /** tracks rejected (too weak or too brief to count), per class */
  readonly rejected: Record<string, number>;
}

/** Most points of a track's `path`. */
const PATH_POINTS = 8;

const round = (v: number, digits: number) => Number(v.toFixed(digits));

/**
 * Follows a clip's objects frame by frame and summarises them once the clip is done.
 *
 * @example
 * ```ts
 * import { ClipTracks } from "./clip_tracks.ts";
 * const clip = new ClipTracks({ zones: [{ name: "left", points: [[0, 0], [0.5, 0], [0.5, 1], [0, 1]] }] });
 * for (const t of [0, 0.5, 1]) {
 *   clip.add(t, 640, 360, [{ label: "person", score: 0.9, box: [100 + 100 * t, 100, 160 + 100 * t, 300] }]);
 * }
 * clip.add(1.5, 640, 360, [{ label: "bird", score: 0.6, box: [500, 10, 520, 20] }]); // once: too brief
 * const { detected, tracks, rejected } = clip.result();
 * console.log(detected, tracks[0].zones, rejected); // ["person"] ["left"] { bird: 1 }
 * ```
 */
export class ClipTracks {
  readonly #tracker: ObjectTracker;
  readonly #options: TrackingOptions;
  readonly #confirmation: Required<ConfirmationOptions>;
  /** frame size by time, for normalised positions */
  readonly #sizes = new Map<number, [number, number]>();

  /**
   * Starts following a clip; options are checked now, before any frame.
   *
   * @throws {RangeError} when an option is outside its bounds, a zone, filter or mask is malformed
   */
  constructor(options: TrackingOptions = {}) {
    this.#tracker = new ObjectTracker(options);
    this.#confirmation = confirmationSettings(options);
    checkObjectFilters(options);
    checkZones(options.zones ?? []);
    this.#options = options;
  }

  /**
   * Takes one analysed frame.
   *
   * @param time seconds from the start of the video, later than the previous frame's
   * @param width the frame's width in pixels
   * @param height the frame's height in pixels
   * @returns the detections kept by the filters and masks, each with the id of its track (`undefined` for a
   *   weak detection no track took)
   * @throws {RangeError} when `time` is not later than the previous frame's
   */
  add<T extends TrackInput>(
    time: number,
    width: number,
    height: number,
    detections: readonly T[],
  ): (T & { readonly track: number | undefined })[] {
    const kept = filterDetections(detections, width, height, this.#options);
    const ids = this.#tracker.update(time, kept);
    this.#sizes.set(time, [width, height]);
    return kept.map((d, i) => ({ ...d, track: ids[i] }));
  }

  /** The clip's objects so far: confirmed tracks summarised, the others counted as rejected. */
  result(): ClipObjects {
    const confirmed: { track: Track; summary: TrackSummary }[] = [];
    const rejected: Record<string, number> = {};
    for (const track of this.#tracker.tracks()) {
      const verdict = confirmTrack(track, this.#confirmation);
      if (!verdict.confirmed) {
        rejected[track.label] = (rejected[track.label] ?? 0) + 1;
        continue;
      }
      confirmed.push({ track, summary: this.#summarise(track, verdict) });
    }
    confirmed.sort((a, b) => a.summary.first - b.summary.first || a.track.id - b.track.id);
    // The per-class figures the log always had, now over confirmed objects only.
    const byTime = new Map<number, TrackInput[]>();
    for (const { track } of confirmed) {
      for (const o of track.observations) {
        byTime.set(o.time, [...(byTime.get(o.time) ?? []), { ...o, label: track.label }]);
      }
    }
    const stats = new DetectionSummary();
    for (const time of [...byTime.keys()].sort((a, b) => a - b)) stats.add(time, byTime.get(time)!);
    const objects: Record<string, TrackedObjectStats> = {};
    const detected = [...new Set(confirmed.map((c) => c.track.label))];
    const perClass = stats.objects;
    for (const label of detected) {
      objects[label] = { count: confirmed.filter((c) => c.track.label === label).length, ...perClass[label] };
    }
    return { detected, count: detected.length, objects, tracks: confirmed.map((c) => c.summary), rejected };
  }

  #summarise(track: Track, verdict: { score: number; best: number; stationary: boolean }): TrackSummary {
    const seen = track.observations;
    const best = seen[verdict.best];
    const zones = this.#options.zones ?? [];
    const entered: string[] = [];
    const point = (o: { time: number; box: PixelBox }) => {
      const [w, h] = this.#sizes.get(o.time)!;
      return bottomCentre(o.box, w, h);
    };
    for (const o of seen) {
      for (const name of zonesAt(point(o), zones)) if (!entered.includes(name)) entered.push(name);
    }
    const step = Math.max(1, (seen.length - 1) / (PATH_POINTS - 1));
    const picked = new Set<number>();
    for (let k = 0; Math.round(k) < seen.length; k += step) picked.add(Math.round(k));
    picked.add(seen.length - 1);
    const path = [...picked].sort((a, b) => a - b).map((i): [number, number, number] => {
      const [x, y] = point(seen[i]);
      return [round(seen[i].time, 3), round(x, 3), round(y, 3)];
    });
    return {
      id: track.id,
      label: track.label,
      first: round(seen[0].time, 3),
      last: round(seen[seen.length - 1].time, 3),
      frames: seen.length,
      score: round(verdict.score, 3),
      best: round(best.score, 3),
      best_time: round(best.time, 3),
      stationary: verdict.stationary,
      zones: entered,
      box: best.box.map((v) => round(v, 1)) as [number, number, number, number],
      path,
    };
  }
}
