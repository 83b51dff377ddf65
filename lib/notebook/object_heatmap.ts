/**
 * Where objects went: the bottom centres of confirmed objects (the points of their `path`, where
 * they stood, in fractions of the frame) binned into a heatmap over the camera's view, a frame of
 * the camera underneath so that the hot cells land on the driveway, the door, the pavement.
 *
 * @example
 * ```ts
 * import { grabFrame } from "./camera_preview.ts";
 * import { objectHeatmap, objectPositions } from "./object_heatmap.ts";
 * const points = await objectPositions("video/detections.d", { day: "today", camera: "front", labels: ["person"] });
 * const chart = await objectHeatmap(points, { background: await grabFrame("video/front/20260223-144657.mp4") });
 * await Deno.writeFile("where.png", await chart.png());
 * ```
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import sharp from "sharp";
import type { RgbImage } from "../media/image.ts";
import { type Chart, renderChart } from "./chart.ts";
import { base64 } from "./displayable.ts";
import type { TimeRangeOptions } from "./local_time.ts";
import type { LogSource } from "./log_source.ts";
import { trackRecords } from "./tracks_data_frame.ts";

/**
 * One point of an object's way.
 *
 * @example
 * ```ts
 * import type { ObjectPosition } from "./object_heatmap.ts";
 * const p: ObjectPosition = { camera: "front", label: "person", track: 3, id: "front-…", x: 0.4, y: 0.8, t: 2.5 };
 * ```
 */
export interface ObjectPosition {
  /** camera name */
  readonly camera: string;
  /** class name */
  readonly label: string;
  /** the clip's task id */
  readonly id: string;
  /** the track's id within the clip */
  readonly track: number;
  /** seconds into the clip */
  readonly t: number;
  /** bottom centre, fraction of the frame's width from the left */
  readonly x: number;
  /** bottom centre, fraction of the frame's height from the top */
  readonly y: number;
}

/** Options of {@linkcode objectPositions}. */
export interface ObjectPositionsOptions extends TimeRangeOptions {
  /**
   * Only this camera's objects (positions of different cameras do not share a view).
   * @default every camera
   */
  readonly camera?: string;
  /**
   * Only these classes.
   * @default every class
   */
  readonly labels?: readonly string[];
}

/**
 * The path points of the confirmed objects in the range (up to 8 per object and clip, first and last
 * included).
 *
 * @param source a log's path, a `DetectionLog`, or lines already read
 * @returns one record per point, in log order
 * @throws {RangeError} when the range cannot be read
 * @throws {TypeError} when both `day` and `from`/`to` are given, or `source` is not a log
 *
 * @example
 * ```ts
 * import { objectPositions } from "./object_heatmap.ts";
 * const points = await objectPositions("video/detections.d", { camera: "front" });
 * console.log(points.length);
 * ```
 */
export async function objectPositions(
  source: LogSource,
  options: ObjectPositionsOptions = {},
): Promise<ObjectPosition[]> {
  const { records } = await trackRecords(source, options);
  return records
    .filter((r) =>
      (options.camera === undefined || r.camera === options.camera) &&
      (options.labels === undefined || options.labels.includes(r.label))
    )
    .flatMap((r) =>
      r.path.map(([t, x, y]) => ({ camera: r.camera, label: r.label, id: r.id, track: r.track, t, x, y }))
    );
}

/** Options of {@linkcode objectHeatmap}. */
export interface ObjectHeatmapOptions {
  /**
   * A frame of the camera, drawn under the heatmap (a `grabFrame` of a clip or of the camera, a decoded
   * image, or JPEG/PNG bytes).
   * @default a plain frame
   */
  readonly background?: RgbImage | Uint8Array;
  /**
   * Width of the view in CSS pixels.
   * @default 640
   */
  readonly width?: number;
  /**
   * Height over width of the view.
   * @default the background's, else 9 / 16
   */
  readonly aspect?: number;
  /**
   * Cells across the view (the rows follow the aspect).
   * @default 32
   */
  readonly cells?: number;
  /**
   * Chart title.
   * @default "Where objects went"
   */
  readonly title?: string;
  /**
   * Line under the title.
   * @default how many points of how many objects
   */
  readonly subtitle?: string;
}

const MARGIN = { top: 4, right: 4, bottom: 24, left: 4 };

/** A JPEG data URL of the background, at the chart's size (an SVG stays small). */
async function backgroundUrl(
  image: RgbImage | Uint8Array,
  width: number,
): Promise<{ url: string; aspect: number }> {
  const input = image instanceof Uint8Array
    ? sharp(image)
    : sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
  const { data, info } = await input.resize({ width: Math.round(width * 2) }).jpeg({ quality: 70 })
    .toBuffer({ resolveWithObject: true });
  return { url: `data:image/jpeg;base64,${base64(new Uint8Array(data))}`, aspect: info.height / info.width };
}

/**
 * A heatmap of positions over the camera's view: the frame fractions binned into square-ish cells,
 * each cell coloured by how many points fell in it (a log scale, so that a path walked once still
 * shows beside a parked car's thousand), the frame underneath, the y axis downwards as in the picture.
 *
 * @param points from {@linkcode objectPositions} (or any `{x, y}` in fractions of the frame)
 * @returns a chart of the view, a colour legend of the counts; with no points, the view alone
 * @throws {RangeError} when `width` or `cells` is not a positive integer, or `aspect` not a positive number
 * @throws {Error} sharp's error when the background cannot be decoded
 *
 * @example
 * ```ts
 * import { objectHeatmap } from "./object_heatmap.ts";
 * const chart = await objectHeatmap([{ x: 0.5, y: 0.9 }, { x: 0.52, y: 0.88 }], { cells: 16 });
 * console.log(chart.svg.startsWith("<svg")); // true
 * ```
 */
export async function objectHeatmap(
  points: readonly { readonly x: number; readonly y: number }[],
  options: ObjectHeatmapOptions = {},
): Promise<Chart> {
  const { width = 640, cells = 32 } = options;
  if (!(Number.isInteger(width) && width > 0)) {
    throw new RangeError(`width must be a positive integer, got ${width}`);
  }
  if (!(Number.isInteger(cells) && cells > 0)) {
    throw new RangeError(`cells must be a positive integer, got ${cells}`);
  }
  const background = options.background && await backgroundUrl(options.background, width);
  const aspect = options.aspect ?? background?.aspect ?? 9 / 16;
  if (!(aspect > 0 && Number.isFinite(aspect))) {
    throw new RangeError(`aspect must be a positive number, got ${aspect}`);
  }
  const inner = width - MARGIN.left - MARGIN.right;
  const innerHeight = Math.round(inner * aspect);
  const rows = Math.max(1, Math.round(cells * aspect));
  const inside = points.filter((p) => p.x >= 0 && p.x <= 1 && p.y >= 0 && p.y <= 1);
  // Bin by hand: fixed cells over the whole view, whatever the points' spread.
  const counts = new Map<string, { x1: number; x2: number; y1: number; y2: number; n: number }>();
  for (const p of inside) {
    const cx = Math.min(cells - 1, Math.floor(p.x * cells));
    const cy = Math.min(rows - 1, Math.floor(p.y * rows));
    const key = `${cx},${cy}`;
    const c = counts.get(key) ??
      { x1: cx / cells, x2: (cx + 1) / cells, y1: cy / rows, y2: (cy + 1) / rows, n: 0 };
    c.n++;
    counts.set(key, c);
  }
  const binned = [...counts.values()];
  const max = Math.max(1, ...binned.map((c) => c.n));
  return renderChart({
    title: options.title ?? "Where objects went",
    subtitle: options.subtitle ??
      `${inside.length} positions (bottom centres of the boxes); ${binned.length} of ${
        cells * rows
      } cells visited`,
    width,
    height: innerHeight + MARGIN.top + MARGIN.bottom,
    marginTop: MARGIN.top,
    marginRight: MARGIN.right,
    marginBottom: MARGIN.bottom,
    marginLeft: MARGIN.left,
    x: { domain: [0, 1], label: null, ticks: 5, tickFormat: ".0%" },
    y: { domain: [0, 1], reverse: true, axis: null },
    color: { type: "log", domain: [1, max], scheme: "ylorrd", legend: true, label: "points in the cell" },
    marks: [
      background
        ? Plot.image([0], {
          x: 0.5,
          y: 0.5,
          width: inner,
          height: innerHeight,
          src: () => background.url,
          preserveAspectRatio: "none",
        })
        : Plot.frame({ fill: "#eee" }),
      Plot.rect(binned, { x1: "x1", x2: "x2", y1: "y1", y2: "y2", fill: "n", fillOpacity: 0.7 }),
      Plot.frame({ stroke: "#888" }),
    ],
  });
}
