/**
 * Pictures for notebooks and reports: detection boxes with class labels and scores over an
 * image, motion (the moving pixels tinted, the motion boxes) over a camera's grey frame, and
 * strips of several such pictures with captions. Every result is a PNG that a Deno Jupyter
 * notebook shows as an image (`await Deno.jupyter.display(picture)`, or a cell ending in it).
 *
 * Drawing is an SVG overlay that sharp (librsvg) composites onto the pixels, so labels are
 * anti-aliased text in the system's monospace font: DejaVu Sans Mono or Noto Sans Mono on
 * Debian. Label text needs such a font installed (fontconfig finds it); boxes do not.
 *
 * @example Detections on an image, motion on a frame, and a strip of both
 * ```ts
 * import { annotateDetections, annotateMotion, annotateStrip } from "./annotate.ts";
 * import { MotionDetector } from "../capture/motion_detector.ts";
 * import { YoloAnalyzer } from "../yolo/yolo_analyzer.ts";
 *
 * await using analyzer = await YoloAnalyzer.create();
 * const bus = await annotateDetections("tests/fixtures/bus.jpg", await analyzer.detect("tests/fixtures/bus.jpg"));
 * await Deno.writeFile("bus.png", bus.png);
 *
 * const detector = new MotionDetector();
 * const frame = { ts: Date.now(), width: 320, height: 240, data: new Uint8Array(320 * 240).fill(90) };
 * const update = detector.update(frame);
 * const motion = await annotateMotion(frame, { boxes: update.boxes, mask: detector.mask() });
 *
 * const strip = await annotateStrip([{ image: bus, caption: "bus" }, { image: motion, caption: "t=0.0 s" }]);
 * console.log(strip.width, strip.height);
 * ```
 *
 * @module
 */

import { Buffer } from "node:buffer";
import sharp, { type OverlayOptions, type Sharp } from "sharp";
import { type Displayable, escapeHtml, JUPYTER_DISPLAY, type MimeBundle, pngDisplay } from "./displayable.ts";
import { decodeImage, type ImageInput, type RgbImage } from "../media/image.ts";
import type { Box, GrayFrame } from "../capture/motion_detector.ts";
import type { Detection, ImageDetections } from "../yolo/yolo_analyzer.ts";

/**
 * An annotated picture: PNG bytes and their size, shown as an image by a Deno notebook.
 *
 * @example
 * ```ts
 * import { annotateDetections } from "./annotate.ts";
 * const picture = await annotateDetections("tests/fixtures/bus.jpg", []);
 * await Deno.writeFile("bus.png", picture.png);
 * await Deno.writeFile("bus.jpg", await picture.jpeg(80));
 * await Deno.jupyter.display(picture); // in a notebook
 * ```
 */
export interface AnnotatedImage extends Displayable {
  /** the picture, PNG-encoded (RGB, 8 bits) */
  readonly png: Uint8Array;
  /** width in pixels */
  readonly width: number;
  /** height in pixels */
  readonly height: number;
  /**
   * The same picture as a JPEG, usually several times smaller than the PNG (for files and
   * reports; the PNG keeps thin lines and text sharp).
   *
   * @param quality JPEG quality, an integer from 1 to 100 (default 85)
   * @returns the JPEG file's bytes, at the same size
   * @throws {RangeError} when `quality` is not an integer from 1 to 100
   */
  jpeg(quality?: number): Promise<Uint8Array>;
}

/**
 * Options of {@linkcode annotateDetections}.
 *
 * @example
 * ```ts
 * import { annotateDetections, type AnnotateDetectionsOptions } from "./annotate.ts";
 * const options: AnnotateDetectionsOptions = { height: 480, scores: false };
 * const picture = await annotateDetections("tests/fixtures/bus.jpg", [], options);
 * ```
 */
export interface AnnotateDetectionsOptions {
  /**
   * Height of the output in pixels; the width follows the image's aspect ratio. Lines and labels
   * are drawn at the output size, so they stay sharp when the picture is scaled down.
   * @default the image's own height
   */
  height?: number;
  /**
   * Box outline width in pixels of the output.
   * @default 0.3% of the mean of width and height, at least 2
   */
  lineWidth?: number;
  /**
   * Label font size in pixels of the output.
   * @default 2.4% of the mean of width and height, at least 11
   */
  fontSize?: number;
  /**
   * Write the class name over each box.
   * @default true
   */
  labels?: boolean;
  /**
   * Add the score to each label (`person 0.91`).
   * @default true
   */
  scores?: boolean;
  /**
   * Box colours as `#rrggbb`, picked by class id (modulo the length) as in {@linkcode classColor}.
   * @default Ultralytics' 20-colour palette
   */
  palette?: readonly string[];
}

/**
 * Motion to draw over a frame, as {@linkcode MotionDetector} gives it.
 *
 * @example
 * ```ts
 * import type { MotionOverlay } from "./annotate.ts";
 * import { MotionDetector } from "../capture/motion_detector.ts";
 * const detector = new MotionDetector();
 * const update = detector.update({ ts: 0, width: 4, height: 3, data: new Uint8Array(12) });
 * const overlay: MotionOverlay = { boxes: update.boxes, mask: detector.mask() };
 * ```
 */
export interface MotionOverlay {
  /**
   * Moving regions in fractions of the frame (0..1), as in `MotionUpdate.boxes`.
   * @default no boxes
   */
  readonly boxes?: readonly Box[];
  /**
   * `width * height` bytes, non-zero where something moves, as from `MotionDetector.mask()`.
   * @default nothing tinted
   */
  readonly mask?: Uint8Array;
}

/**
 * Options of {@linkcode annotateMotion}.
 *
 * @example
 * ```ts
 * import type { AnnotateMotionOptions } from "./annotate.ts";
 * const options: AnnotateMotionOptions = { height: 480, tint: "#ff00ff", tintOpacity: 0.6 };
 * ```
 */
export interface AnnotateMotionOptions {
  /**
   * Height of the output in pixels (motion frames are small: scaling up makes them readable).
   * @default the frame's own height
   */
  height?: number;
  /**
   * Colour laid over the moving pixels, `#rrggbb` or `#rgb`.
   * @default "#ff0000"
   */
  tint?: string;
  /**
   * Opacity of the tint, 0..1.
   * @default 0.45
   */
  tintOpacity?: number;
  /**
   * Colour of the motion boxes, `#rrggbb` or `#rgb`.
   * @default "#00ff00"
   */
  boxColor?: string;
  /**
   * Box outline width in pixels of the output.
   * @default 0.3% of the mean of width and height, at least 2
   */
  lineWidth?: number;
}

/**
 * One picture of a strip and its caption.
 *
 * @example
 * ```ts
 * import type { StripTile } from "./annotate.ts";
 * const tile: StripTile = { image: "tests/fixtures/zidane.jpg", caption: "t=3.5 s" };
 * ```
 */
export interface StripTile {
  /** an annotated picture (or its promise), or any image {@linkcode decodeImage} reads */
  readonly image: AnnotatedImage | PromiseLike<AnnotatedImage> | ImageInput;
  /**
   * Text under the picture, such as `t=3.5 s`.
   * @default no caption (a strip without any caption has no caption band)
   */
  readonly caption?: string;
}

/**
 * Options of {@linkcode annotateStrip}.
 *
 * @example
 * ```ts
 * import type { AnnotateStripOptions } from "./annotate.ts";
 * const options: AnnotateStripOptions = { height: 240, columns: 4, gap: 4 };
 * ```
 */
export interface AnnotateStripOptions {
  /**
   * Height every picture is scaled to, in pixels (captions come under it).
   * @default the smallest picture's height
   */
  height?: number;
  /**
   * Pictures per row; more wrap onto further rows.
   * @default all in one row
   */
  columns?: number;
  /**
   * Space between pictures and between rows, in pixels.
   * @default 8
   */
  gap?: number;
  /**
   * Caption font size in pixels. Each row with a caption gets a band of `round(1.5 * fontSize)`
   * pixels under its pictures.
   * @default 7% of the height, at least 12
   */
  fontSize?: number;
  /**
   * Colour of the background (gaps, caption bands), `#rrggbb` or `#rgb`.
   * @default "#ffffff"
   */
  background?: string;
  /**
   * Colour of the captions, `#rrggbb` or `#rgb`.
   * @default "#000000"
   */
  textColor?: string;
}

/** Ultralytics' palette (`ultralytics.utils.plotting.Colors`), so boxes look as users know them. */
const PALETTE: readonly string[] = [
  "#ff3838",
  "#ff9d97",
  "#ff701f",
  "#ffb21d",
  "#cfd231",
  "#48f90a",
  "#92cc17",
  "#3ddb86",
  "#1a9334",
  "#00d4bb",
  "#2c99a8",
  "#00c2ff",
  "#344593",
  "#6473ff",
  "#0018ec",
  "#8438ff",
  "#520085",
  "#cb38ff",
  "#ff95c8",
  "#ff37c7",
];

// Monospace, so that a label's width is known without measuring text: 0.6 em per character.
const FONT = `font-family="DejaVu Sans Mono, Noto Sans Mono, Liberation Mono, monospace" font-weight="bold"`;
const CHAR_EM = 0.6;

/**
 * The colour of a class: by class id from a palette (modulo its length), or for a class known
 * only by name, by a hash of the name. The same class gets the same colour in every picture.
 *
 * @param cls a class id (a non-negative integer picks `palette[cls % palette.length]`) or a class name;
 *   any other number (`-1`, `2.5`) is hashed like a name
 * @param palette colours, returned as they are given (not checked)
 * @returns one of the palette's entries (Ultralytics' `#rrggbb` colours by default)
 * @throws {RangeError} when the palette is empty
 *
 * @example
 * ```ts
 * import { classColor } from "./annotate.ts";
 * console.log(classColor(0)); // "#ff3838" (person, in COCO models)
 * console.log(classColor("forklift") === classColor("forklift")); // true
 * ```
 */
export function classColor(cls: number | string, palette: readonly string[] = PALETTE): string {
  if (palette.length === 0) throw new RangeError("the palette is empty");
  if (typeof cls === "number" && Number.isInteger(cls) && cls >= 0) return palette[cls % palette.length];
  // FNV-1a: stable across runs and platforms, unlike anything seeded.
  let hash = 0x811c9dc5;
  for (const c of String(cls)) hash = Math.imul(hash ^ c.codePointAt(0)!, 0x01000193) >>> 0;
  return palette[hash % palette.length];
}

/**
 * Draws detection boxes, each with its class name and score on a label of the class colour, over
 * an image. Boxes are in the image's pixels, as {@linkcode YoloAnalyzer.detect} returns them;
 * when `ImageDetections` of another size are given (found on a larger copy, say), their boxes
 * are scaled to this image. Labels sit on top of their box, or inside it when the box touches
 * the top edge, and are moved and if need be shrunk to stay inside the picture.
 *
 * @param image a path or `file:` URL, encoded bytes (JPEG, PNG, …) or raw RGB; decoded with its EXIF
 *   rotation applied, as the analyzer sees it
 * @param detections boxes `[x1, y1, x2, y2]` in pixels of the image, or of `width` × `height` when
 *   `ImageDetections` are given; parts outside the picture are cut off and boxes with nothing left
 *   inside (or a NaN corner) are not drawn
 * @returns an RGB PNG `options.height` pixels high (the image's height by default), its width following
 *   the image's aspect ratio
 * @throws {MediaError} when the image file is missing or is not an image that can be decoded
 * @throws {RangeError} when raw RGB has a bad size or length, `height` is not an integer of at least 1,
 *   or `lineWidth` or `fontSize` is not a positive number
 * @throws {TypeError} when a palette colour is not `#rrggbb` or `#rgb`
 *
 * @example
 * ```ts
 * import { annotateDetections } from "./annotate.ts";
 * import { YoloAnalyzer } from "../yolo/yolo_analyzer.ts";
 * await using analyzer = await YoloAnalyzer.create();
 * const found = await analyzer.detect("tests/fixtures/bus.jpg");
 * const picture = await annotateDetections("tests/fixtures/bus.jpg", found, { height: 480 });
 * await Deno.writeFile("bus-annotated.png", picture.png);
 * ```
 */
export async function annotateDetections(
  image: ImageInput,
  detections: ImageDetections | readonly Detection[],
  options: AnnotateDetectionsOptions = {},
): Promise<AnnotatedImage> {
  const rgb = await decodeImage(image);
  const list = "detections" in detections ? detections.detections : detections;
  const [W, H] = outputSize(rgb, options.height);
  const sx = W / ("detections" in detections ? detections.width : rgb.width);
  const sy = H / ("detections" in detections ? detections.height : rgb.height);
  const mean = (W + H) / 2;
  const lineWidth = positive("lineWidth", options.lineWidth ?? Math.max(2, Math.round(mean * 0.003)));
  const fontSize = positive("fontSize", options.fontSize ?? Math.max(11, Math.round(mean * 0.024)));
  const palette = (options.palette ?? PALETTE).map((c) => hexColor("palette colour", c));
  const { labels = true, scores = true } = options;

  const boxes: string[] = [];
  const tags: string[] = [];
  for (const d of list) {
    const [x1, y1, x2, y2] = d.box;
    const rect = pixelRect(x1 * sx, y1 * sy, x2 * sx, y2 * sy, W, H);
    if (!rect) continue;
    const color = classColor(Number.isInteger(d.classId) && d.classId >= 0 ? d.classId : d.label, palette);
    boxes.push(outline(rect, color, lineWidth));
    if (labels) {
      const text = scores ? `${d.label} ${d.score.toFixed(2)}` : d.label;
      tags.push(label(text, rect, color, fontSize, W, H));
    }
  }
  // Labels after all boxes, so that no box is drawn across another box's label.
  const svg = svgDocument(W, H, boxes.join("") + tags.join(""));
  const png = await render(rgbPipeline(rgb, W, H), svg);
  return new Picture(png, W, H, `${list.length} detections, ${W}x${H}`);
}

/**
 * Draws motion over a camera frame: the moving pixels tinted (red by default, half
 * transparent) and the motion boxes outlined. The frame is grey (one byte per pixel, as
 * {@linkcode MotionDetector} reads it) or RGB (three).
 *
 * @param frame grey (`width * height` bytes) or RGB (`width * height * 3` bytes), told apart by the
 *   length of `data`
 * @param motion `boxes` in fractions of the frame (0..1), as the detector gives them; `mask` at the
 *   frame's own size, non-zero where pixels moved; either may be left out
 * @returns an RGB PNG `options.height` pixels high (the frame's height by default), its width following
 *   the frame's aspect ratio; the mask is tinted at the frame's size, then scaled with the frame
 * @throws {RangeError} when the frame's size is not two positive integers, `data` is neither length,
 *   `mask` is not `width * height` bytes, `tintOpacity` is not from 0 to 1, `height` is not an integer
 *   of at least 1, or `lineWidth` is not a positive number
 * @throws {TypeError} when `tint` or `boxColor` is not `#rrggbb` or `#rgb`
 *
 * @example
 * ```ts
 * import { annotateMotion } from "./annotate.ts";
 * import { MotionDetector } from "../capture/motion_detector.ts";
 * const detector = new MotionDetector({ warmupFrames: 1 });
 * const still = new Uint8Array(160 * 120).fill(90);
 * const moved = still.slice();
 * for (let y = 40; y < 70; y++) moved.fill(230, y * 160 + 50, y * 160 + 90);
 * detector.update({ ts: 0, width: 160, height: 120, data: still });
 * const frame = { ts: 200, width: 160, height: 120, data: moved };
 * const update = detector.update(frame);
 * const picture = await annotateMotion(frame, { boxes: update.boxes, mask: detector.mask() }, { height: 360 });
 * console.log(picture.width, picture.height); // 480 360
 * ```
 */
export async function annotateMotion(
  frame: GrayFrame | RgbImage,
  motion: MotionOverlay,
  options: AnnotateMotionOptions = {},
): Promise<AnnotatedImage> {
  const { width: w, height: h, data } = frame;
  if (!(Number.isInteger(w) && Number.isInteger(h) && w > 0 && h > 0)) {
    throw new RangeError(`motion frame has a bad size ${w}x${h}`);
  }
  const channels = data.length === w * h ? 1 : data.length === w * h * 3 ? 3 : 0;
  if (channels === 0) {
    throw new RangeError(
      `motion frame of ${w}x${h} needs ${w * h} (grey) or ${w * h * 3} (RGB) bytes, got ${data.length}`,
    );
  }
  const { mask, boxes = [] } = motion;
  if (mask && mask.length !== w * h) {
    throw new RangeError(`motion mask of ${w}x${h} needs ${w * h} bytes, got ${mask.length}`);
  }
  const [tr, tg, tb] = rgbOf(hexColor("tint", options.tint ?? "#ff0000"));
  const alpha = options.tintOpacity ?? 0.45;
  if (!(alpha >= 0 && alpha <= 1)) throw new RangeError(`tintOpacity must be between 0 and 1, got ${alpha}`);
  const boxColor = hexColor("boxColor", options.boxColor ?? "#00ff00");

  // Tinting here, at the frame's own size, keeps the mask's pixels exact; sharp then only scales.
  const rgb = new Uint8Array(w * h * 3);
  const keep = 1 - alpha;
  for (let i = 0, o = 0; i < w * h; i++, o += 3) {
    const r = channels === 1 ? data[i] : data[o];
    const g = channels === 1 ? data[i] : data[o + 1];
    const b = channels === 1 ? data[i] : data[o + 2];
    if (mask && mask[i]) {
      rgb[o] = Math.round(r * keep + tr * alpha);
      rgb[o + 1] = Math.round(g * keep + tg * alpha);
      rgb[o + 2] = Math.round(b * keep + tb * alpha);
    } else {
      rgb[o] = r;
      rgb[o + 1] = g;
      rgb[o + 2] = b;
    }
  }
  const image = { width: w, height: h, data: rgb };
  const [W, H] = outputSize(image, options.height);
  const lineWidth = positive("lineWidth", options.lineWidth ?? Math.max(2, Math.round((W + H) / 2 * 0.003)));
  const outlines = boxes.flatMap(([x1, y1, x2, y2]) => {
    const rect = pixelRect(x1 * W, y1 * H, x2 * W, y2 * H, W, H);
    return rect ? [outline(rect, boxColor, lineWidth)] : [];
  });
  const png = await render(rgbPipeline(image, W, H), svgDocument(W, H, outlines.join("")));
  return new Picture(png, W, H, `motion, ${boxes.length} boxes, ${W}x${H}`);
}

/**
 * Lays several pictures side by side (wrapping after `columns`), each scaled to one height with
 * its caption underneath, into one PNG. Pictures may be given as promises, so that a whole strip
 * is one expression.
 *
 * The size adds up: a row is its pictures' scaled widths plus `gap` between them, and the strip
 * is as wide as its widest row; it is `rows * (height + band) + (rows - 1) * gap` high, where
 * `band` is `round(1.5 * fontSize)` when any caption is given and 0 otherwise. Pictures are
 * scaled as they are, lines and labels included: annotate large images at the strip's height
 * (their `height` option) to keep labels readable.
 *
 * @param tiles pictures in reading order, each an {@linkcode AnnotatedImage} (or its promise) or any
 *   image {@linkcode decodeImage} reads, with an optional caption; a caption too wide for its picture
 *   is cut with an ellipsis
 * @returns an RGB PNG on `background`, its size as above
 * @throws {RangeError} when `tiles` is empty, `height` or `columns` is not an integer of at least 1,
 *   `gap` is not an integer of at least 0, `fontSize` is not a positive number, or a tile's raw RGB has
 *   a bad size or length
 * @throws {TypeError} when `background` or `textColor` is not `#rrggbb` or `#rgb`
 * @throws {MediaError} when a tile's image is a file or bytes that cannot be decoded; a tile's promise
 *   that rejects rejects the strip with its own error
 *
 * @example
 * ```ts
 * import { annotateDetections, annotateStrip } from "./annotate.ts";
 * import { readVideoFrames } from "../media/video_frames.ts";
 * import { YoloAnalyzer } from "../yolo/yolo_analyzer.ts";
 * await using analyzer = await YoloAnalyzer.create();
 * const frames = await Array.fromAsync(readVideoFrames("video/samples/vtest.mp4", { sampleFps: 1 }));
 * const strip = await annotateStrip(
 *   frames.slice(0, 6).map((f) => ({
 *     image: analyzer.detect(f).then((found) => annotateDetections(f, found, { height: 240 })),
 *     caption: `t=${f.time.toFixed(1)} s`,
 *   })),
 *   { height: 240, columns: 3 },
 * );
 * await Deno.writeFile("strip.png", strip.png);
 * ```
 */
export async function annotateStrip(
  tiles: readonly (StripTile | AnnotatedImage)[],
  options: AnnotateStripOptions = {},
): Promise<AnnotatedImage> {
  if (tiles.length === 0) throw new RangeError("a strip needs at least one picture");
  const items = await Promise.all(tiles.map(async (tile) => {
    const { image, caption } = "image" in tile ? tile : { image: tile, caption: undefined };
    return { picture: await toPipeline(await image), caption };
  }));
  const height = wholeNumber("height", options.height ?? Math.min(...items.map((i) => i.picture.height)), 1);
  const columns = wholeNumber("columns", options.columns ?? items.length, 1);
  const gap = wholeNumber("gap", options.gap ?? 8, 0);
  const fontSize = positive("fontSize", options.fontSize ?? Math.max(12, Math.round(height * 0.07)));
  const background = hexColor("background", options.background ?? "#ffffff");
  const textColor = hexColor("textColor", options.textColor ?? "#000000");
  const band = items.some((i) => i.caption) ? Math.round(1.5 * fontSize) : 0;

  const layers: OverlayOptions[] = [];
  const captions: string[] = [];
  let width = 0, top = 0;
  for (let start = 0; start < items.length; start += columns) {
    if (start > 0) top += height + band + gap;
    let left = 0;
    for (const { picture, caption } of items.slice(start, start + columns)) {
      if (left > 0) left += gap;
      const w = Math.max(1, Math.round(picture.width * height / picture.height));
      const { data, info } = await picture.pipeline.resize({ width: w, height, fit: "fill" }).raw()
        .toBuffer({ resolveWithObject: true });
      layers.push({ input: data, raw: { width: w, height, channels: info.channels }, left, top });
      if (caption) captions.push(captionText(caption, left, top + height, w, band, fontSize, textColor));
      left += w;
    }
    width = Math.max(width, left);
  }
  const total = top + height + band;
  layers.push({ input: svgBytes(svgDocument(width, total, captions.join(""))), left: 0, top: 0 });
  const png = await sharp({ create: { width, height: total, channels: 3, background } })
    .composite(layers)
    .removeAlpha()
    .png()
    .toBuffer();
  return new Picture(bytesOf(png), width, total, `strip of ${items.length} pictures, ${width}x${total}`);
}

/** The {@linkcode AnnotatedImage} every function here returns. */
class Picture implements AnnotatedImage {
  readonly png: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly #alt: string;

  constructor(png: Uint8Array, width: number, height: number, alt: string) {
    this.png = png;
    this.width = width;
    this.height = height;
    this.#alt = alt;
  }

  async jpeg(quality = 85): Promise<Uint8Array> {
    if (!(Number.isInteger(quality) && quality >= 1 && quality <= 100)) {
      throw new RangeError(`quality must be an integer between 1 and 100, got ${quality}`);
    }
    return bytesOf(await sharp(this.png).jpeg({ quality }).toBuffer());
  }

  // Encoded on demand: a picture that is never shown costs no base64 string.
  [JUPYTER_DISPLAY](): MimeBundle {
    return pngDisplay(this.png, this.#alt)[JUPYTER_DISPLAY]();
  }
}

type Rect = { x1: number; y1: number; x2: number; y2: number };

/** A box in whole output pixels, clipped to the picture; undefined when nothing of it is left. */
function pixelRect(x1: number, y1: number, x2: number, y2: number, W: number, H: number): Rect | undefined {
  const clip = (v: number, max: number) => Math.min(max, Math.max(0, Math.round(v)));
  const r = {
    x1: clip(Math.min(x1, x2), W),
    y1: clip(Math.min(y1, y2), H),
    x2: clip(Math.max(x1, x2), W),
    y2: clip(Math.max(y1, y2), H),
  };
  return Number.isFinite(x1 + y1 + x2 + y2) && r.x2 > r.x1 && r.y2 > r.y1 ? r : undefined;
}

/** A box outline drawn inside its rectangle, so that edge boxes keep their whole line. */
function outline({ x1, y1, x2, y2 }: Rect, color: string, lineWidth: number): string {
  const w = x2 - x1, h = y2 - y1;
  if (w <= 2 * lineWidth || h <= 2 * lineWidth) {
    return `<rect x="${x1}" y="${y1}" width="${w}" height="${h}" fill="${color}"/>`;
  }
  const half = lineWidth / 2;
  return `<rect x="${x1 + half}" y="${y1 + half}" width="${w - lineWidth}" height="${h - lineWidth}" ` +
    `fill="none" stroke="${color}" stroke-width="${lineWidth}"/>`;
}

/** A label on the box's colour, above the box (inside it at the top edge), kept in the picture. */
function label(text: string, box: Rect, color: string, fontSize: number, W: number, H: number): string {
  let size = fontSize;
  const measure = (s: number) => ({ w: Math.ceil(textWidth(text, s) + s * 0.5), h: Math.round(s * 1.3) });
  let { w, h } = measure(size);
  if (w > W || h > H) {
    size = size * Math.min(W / w, H / h);
    ({ w, h } = measure(size));
  }
  const x = Math.max(0, Math.min(box.x1, W - w));
  const y = Math.max(0, Math.min(box.y1 >= h ? box.y1 - h : box.y1, H - h));
  const ink = luminance(color) > 0.55 ? "#000000" : "#ffffff";
  return `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="${color}"/>` +
    `<text x="${x + size * 0.25}" y="${y + size * 1.0}" font-size="${
      size.toFixed(1)
    }" fill="${ink}" ${FONT}>` +
    `${svgText(text)}</text>`;
}

/** A caption centred under its picture, cut with an ellipsis to the picture's width. */
function captionText(
  text: string,
  left: number,
  top: number,
  width: number,
  band: number,
  fontSize: number,
  color: string,
): string {
  let shown = text;
  while (shown.length > 1 && textWidth(shown, fontSize) > width) {
    shown = [...shown].slice(0, -2).join("") + "…";
  }
  const baseline = top + (band + fontSize * 0.7) / 2;
  return `<text x="${left + width / 2}" y="${baseline}" text-anchor="middle" font-size="${fontSize}" ` +
    `fill="${color}" ${FONT}>${svgText(shown)}</text>`;
}

/** Estimated advance of monospace text; wide (CJK, emoji) characters take about two cells. */
function textWidth(text: string, fontSize: number): number {
  let cells = 0;
  for (const c of text) cells += c.codePointAt(0)! >= 0x1100 ? 2 : 1;
  return cells * CHAR_EM * fontSize;
}

/** Text for SVG content: escaped, and without control characters, which XML forbids (librsvg rejects the whole overlay). */
function svgText(text: string): string {
  // deno-lint-ignore no-control-regex
  return escapeHtml(text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, ""));
}

function svgDocument(width: number, height: number, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}">${body}</svg>`;
}

function svgBytes(svg: string): Buffer {
  return Buffer.from(svg, "utf8");
}

/** Raw RGB into sharp, scaled to the output size when that differs. */
function rgbPipeline(rgb: RgbImage, W: number, H: number): Sharp {
  const pipeline = sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } });
  return W === rgb.width && H === rgb.height
    ? pipeline
    : pipeline.resize({ width: W, height: H, fit: "fill" });
}

/** Composites the overlay (sharp applies it after the resize) and encodes an RGB PNG. */
async function render(pipeline: Sharp, svg: string): Promise<Uint8Array> {
  const png = await pipeline.composite([{ input: svgBytes(svg), left: 0, top: 0 }]).removeAlpha().png()
    .toBuffer();
  return bytesOf(png);
}

/** A strip tile as a sharp pipeline and its size. */
async function toPipeline(
  image: AnnotatedImage | ImageInput,
): Promise<{ pipeline: Sharp; width: number; height: number }> {
  if (typeof image === "object" && "png" in image && image.png instanceof Uint8Array) {
    return { pipeline: sharp(image.png).removeAlpha(), width: image.width, height: image.height };
  }
  const rgb = await decodeImage(image as ImageInput);
  return { pipeline: rgbPipeline(rgb, rgb.width, rgb.height), width: rgb.width, height: rgb.height };
}

function outputSize(image: { width: number; height: number }, height: number | undefined): [number, number] {
  if (height === undefined) return [image.width, image.height];
  wholeNumber("height", height, 1);
  return [Math.max(1, Math.round(image.width * height / image.height)), height];
}

/** A Buffer's bytes as a plain Uint8Array (same memory), so that callers compare and copy plain arrays. */
function bytesOf(buffer: Uint8Array): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function positive(name: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new RangeError(`${name} must be a positive number, got ${value}`);
  }
  return value;
}

function wholeNumber(name: string, value: number, min: number): number {
  if (!(Number.isInteger(value) && value >= min)) {
    throw new RangeError(`${name} must be an integer of at least ${min}, got ${value}`);
  }
  return value;
}

/** A colour as `#rrggbb`; only hex is taken, as the value goes into SVG attributes and tint arithmetic. */
function hexColor(name: string, value: string): string {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(String(value));
  if (!m) throw new TypeError(`${name} must be a colour as #rrggbb or #rgb, got ${JSON.stringify(value)}`);
  const hex = m[1].length === 3 ? [...m[1]].map((c) => c + c).join("") : m[1];
  return `#${hex.toLowerCase()}`;
}

function rgbOf(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [n >> 16, (n >> 8) & 0xff, n & 0xff];
}

/** Relative luminance (sRGB, rough), to choose black or white label text. */
function luminance(hex: string): number {
  const [r, g, b] = rgbOf(hex);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}
