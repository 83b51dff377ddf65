/**
 * Charts for notebooks and reports: Observable Plot rendered on the server (with linkedom as
 * its DOM) into one standalone SVG, title and colour legend included, that Jupyter shows, a
 * browser opens, and sharp turns into a PNG.
 *
 * Plot draws titles and legends as HTML around its SVG, and its continuous colour legends need
 * a canvas, which a server has not got; so the title, subtitle, caption and legend are drawn
 * here, in SVG, around the plot Plot draws.
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";
import sharp from "sharp";
import { base64, escapeHtml as esc, JUPYTER_DISPLAY, type MimeBundle } from "./displayable.ts";

/**
 * What {@linkcode renderChart} takes: Observable Plot's options, without `document` (the
 * server's DOM is supplied). `title`, `subtitle`, `caption` and `color: { legend: true }` are
 * drawn in the SVG; other legends (`symbol`, `opacity`) and `figure: true` are refused.
 *
 * @example
 * ```ts
 * import * as Plot from "@observablehq/plot";
 * import { type ChartOptions, renderChart } from "./chart.ts";
 * const options: ChartOptions = {
 *   title: "Motion score",
 *   width: 640,
 *   y: { label: "moving pixels (%)", grid: true },
 *   marks: [Plot.lineY([0.5, 3.2, 1.1], { x: (_, i) => i, y: (d) => d })],
 * };
 * const chart = renderChart(options);
 * ```
 */
export type ChartOptions = Omit<Plot.PlotOptions, "document">;

const FONT = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";
const TITLE_SIZE = 16;
const TEXT_SIZE = 12;
const SWATCH = 12;
const GAP = 8;

/** What is used of the element Plot returns (Deno has no DOM types). */
interface PlotElement {
  readonly tagName: string;
  readonly outerHTML: string;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  scale(name: "color"): Plot.Scale | undefined;
}

let cachedDocument: unknown;

/** One DOM for every chart: linkedom documents are cheap, but there is no need for many. */
function serverDocument(): unknown {
  cachedDocument ??=
    (parseHTML("<!DOCTYPE html><html><body></body></html>") as unknown as { document: unknown })
      .document;
  return cachedDocument;
}

/**
 * A rendered chart: one standalone SVG document (with `xmlns`), shown as `image/svg+xml` by a
 * notebook.
 *
 * @example
 * ```ts
 * import * as Plot from "@observablehq/plot";
 * import { renderChart } from "./chart.ts";
 * const chart = renderChart({ title: "Squares", marks: [Plot.dot([1, 2, 3], { x: (d) => d, y: (d) => d * d })] });
 * await Deno.writeTextFile("squares.svg", chart.svg);
 * ```
 */
export class Chart {
  /** the SVG document, starting with `<svg xmlns="http://www.w3.org/2000/svg"` */
  readonly svg: string;
  /** width in CSS pixels */
  readonly width: number;
  /** height in CSS pixels */
  readonly height: number;
  /** the title, or "chart" */
  readonly title: string;

  /**
   * Wraps rendered SVG; use {@linkcode renderChart} to make one.
   *
   * @param svg a standalone SVG document, kept as it is (not checked)
   * @param width the document's width in CSS pixels, for the `<img>` a notebook shows
   * @param height the document's height in CSS pixels
   * @param title the image's alt text and the plain-text fallback (`<chart: title>`)
   */
  constructor(svg: string, width: number, height: number, title: string) {
    this.svg = svg;
    this.width = width;
    this.height = height;
    this.title = title;
  }

  /**
   * The chart as a PNG (rasterised by sharp), at `scale` times its CSS size.
   *
   * @param scale device pixels per CSS pixel: 2 makes a 640-pixel-wide chart a 1280-pixel-wide PNG
   * @returns an opaque PNG, on white; text in the system's fonts (fontconfig finds them)
   *
   * @example
   * ```ts
   * import * as Plot from "@observablehq/plot";
   * import { renderChart } from "./chart.ts";
   * const chart = renderChart({ width: 640, marks: [Plot.barY([3, 1, 2])] });
   * await Deno.writeFile("bars.png", await chart.png(1)); // 640 pixels wide
   * ```
   */
  async png(scale = 2): Promise<Uint8Array> {
    const image = sharp(new TextEncoder().encode(this.svg), { density: 72 * scale });
    return new Uint8Array(await image.flatten({ background: "#ffffff" }).png().toBuffer());
  }

  /**
   * The MIME bundle Deno's Jupyter kernel sends: the SVG, and an HTML `<img>` of it that
   * frontends prefer. As an image the chart keeps its styles to itself, and nbconvert's HTML
   * export, which strips SVG markup down to bare tags, shows it whole.
   */
  [JUPYTER_DISPLAY](): MimeBundle {
    const src = `data:image/svg+xml;base64,${base64(new TextEncoder().encode(this.svg))}`;
    return {
      "image/svg+xml": this.svg,
      "text/html": `<img alt="${esc(this.title)}" width="${this.width}" height="${this.height}" ` +
        `style="max-width:100%;height:auto" src="${src}">`,
      "text/plain": `<chart: ${this.title}>`,
    };
  }
}

/** A short, stable hash of a string (FNV-1a), for ids inside the SVG. */
function stringHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}

/** A colour legend: swatches for categories, a ramp with its ends labelled for numbers. */
function legend(scale: Plot.Scale, title: string | undefined, width: number, y: number): {
  svg: string;
  height: number;
} {
  const domain = [...(scale.domain ?? [])];
  if (scale.type === "ordinal" || scale.type === "categorical") {
    const parts: string[] = [];
    let x = 0;
    let row = 0;
    for (const value of domain) {
      const label = String(value);
      // No text metrics on a server: an average glyph width is close enough for spacing.
      const textWidth = label.length * TEXT_SIZE * 0.55;
      if (x > 0 && x + SWATCH + 4 + textWidth > width) {
        x = 0;
        row++;
      }
      const top = y + row * (SWATCH + GAP);
      parts.push(
        `<rect x="${x}" y="${top}" width="${SWATCH}" height="${SWATCH}" fill="${scale.apply(value)}"/>`,
        `<text x="${x + SWATCH + 4}" y="${top + SWATCH - 2}">${esc(label)}</text>`,
      );
      x += SWATCH + 4 + textWidth + 2 * GAP;
    }
    return { svg: parts.join(""), height: (row + 1) * (SWATCH + GAP) };
  }
  // Continuous: sample the scale into a gradient, as Plot's canvas ramp would.
  const [lo, hi] = [Number(domain[0]), Number(domain.at(-1))];
  const stops = Array.from({ length: 11 }, (_, i) => {
    const v = lo + ((hi - lo) * i) / 10;
    return `<stop offset="${i * 10}%" stop-color="${scale.apply(v)}"/>`;
  });
  // Named after its colours, so that the same chart gives the same SVG (stable notebook diffs).
  const id = `ramp-${stringHash(stops.join(""))}`;
  const ramp = Math.min(240, width);
  const label = title ? `<text x="0" y="${y + TEXT_SIZE - 2}">${esc(title)}</text>` : "";
  const top = y + (title ? TEXT_SIZE + 4 : 0);
  const svg = `<defs><linearGradient id="${id}">${stops.join("")}</linearGradient></defs>${label}` +
    `<rect x="0" y="${top}" width="${ramp}" height="${SWATCH}" fill="url(#${id})"/>` +
    `<text x="0" y="${top + SWATCH + TEXT_SIZE + 2}">${esc(String(domain[0]))}</text>` +
    `<text x="${ramp}" y="${top + SWATCH + TEXT_SIZE + 2}" text-anchor="end">${
      esc(String(domain.at(-1)))
    }</text>`;
  return { svg, height: top - y + SWATCH + TEXT_SIZE + GAP };
}

/**
 * Renders an Observable Plot chart on the server into a {@linkcode Chart}: the same options as
 * `Plot.plot`; `title`, `subtitle` and `caption` become SVG text and `color: { legend: true }`
 * an SVG legend (continuous scales too).
 *
 * @param options sizes in CSS pixels (Plot's default width is 640); the title, subtitle and legend go
 *   above the plot and the caption under it, so the chart is taller than `height`
 * @returns the chart: `width` is the plot's, `height` the plot's plus the text and legend around it;
 *   `title` is the option's text, or `"chart"` without one
 * @throws {TypeError} when the options make Plot wrap its SVG in HTML that is not drawn here: `figure:
 *   true`, or a legend other than the colour one (`symbol: { legend: true }`, `opacity: { legend: true }`)
 *
 * @example
 * ```ts
 * import * as Plot from "@observablehq/plot";
 * import { renderChart } from "./chart.ts";
 * const rows = [{ label: "person", clips: 12 }, { label: "car", clips: 3 }];
 * const chart = renderChart({
 *   title: "Clips per class",
 *   x: { label: "clips" },
 *   marks: [Plot.barX(rows, { x: "clips", y: "label", fill: "label" })],
 *   color: { legend: true },
 * });
 * await Deno.jupyter.display(chart); // in a notebook
 * ```
 */
export function renderChart(options: ChartOptions): Chart {
  const { title, subtitle, caption, ...rest } = options;
  // `color` may also be a scheme name or a boolean; only an options object can ask for a legend.
  const colorOptions = typeof rest.color === "object" && rest.color !== null ? rest.color : undefined;
  const color = colorOptions ? { ...colorOptions, legend: false } : rest.color;
  const plot = Plot.plot({ ...rest, color, document: serverDocument() as never }) as unknown as PlotElement;
  if (plot.tagName.toUpperCase() !== "SVG") {
    // Plot wraps its SVG in a figure only for titles and legends, which are handled here.
    throw new TypeError("renderChart: the plot options asked for HTML around the chart");
  }
  const width = Number(plot.getAttribute("width"));
  const plotHeight = Number(plot.getAttribute("height"));
  const parts: string[] = [];
  let y = 0;
  const [titleText, subtitleText, captionText] = [title, subtitle, caption].map((v) =>
    v === undefined || v === null ? "" : String(v)
  );
  if (titleText) {
    y += TITLE_SIZE + 4;
    parts.push(
      `<text x="0" y="${y - 4}" font-size="${TITLE_SIZE}" font-weight="bold">${esc(titleText)}</text>`,
    );
  }
  if (subtitleText) {
    y += TEXT_SIZE + 6;
    parts.push(`<text x="0" y="${y - 4}" fill="#555">${esc(subtitleText)}</text>`);
  }
  if (colorOptions?.legend === true) {
    const scale = plot.scale("color");
    if (scale) {
      y += 4;
      const asked = typeof colorOptions.label === "string" ? colorOptions.label : undefined;
      const drawn = legend(scale, scale.label ?? asked, width, y);
      parts.push(drawn.svg);
      y += drawn.height;
    }
  }
  plot.setAttribute("y", String(y));
  parts.push(plot.outerHTML);
  y += plotHeight;
  if (captionText) {
    y += TEXT_SIZE + 6;
    parts.push(`<text x="0" y="${y - 2}" fill="#555">${esc(captionText)}</text>`);
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" ` +
    `width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="${FONT}" font-size="${TEXT_SIZE}">` +
    `<rect width="100%" height="100%" fill="#ffffff"/>${parts.join("")}</svg>`;
  return new Chart(svg, width, y, titleText || "chart");
}
