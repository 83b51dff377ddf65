import assert from "node:assert/strict";
import * as Plot from "@observablehq/plot";
import { DOMParser } from "linkedom";
import sharp from "sharp";
import { type ChartOptions, renderChart } from "../../lib/notebook/chart.ts";
import { JUPYTER_DISPLAY } from "../../lib/notebook/displayable.ts";

const rows = [
  { label: "person", clips: 12 },
  { label: "car & <bus>", clips: 3 },
];

/** The colour of a pixel of a PNG, as `#rrggbb`. */
async function pixel(png: Uint8Array, x: number, y: number): Promise<string> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * 3;
  return "#" + [data[i], data[i + 1], data[i + 2]].map((v) => v.toString(16).padStart(2, "0")).join("");
}

Deno.test("a bar chart with a title and a category legend is one standalone SVG", async () => {
  const chart = renderChart({
    title: "Clips per class",
    subtitle: "all cameras",
    caption: "from the detection log",
    marginLeft: 80,
    color: { legend: true, domain: rows.map((r) => r.label), range: ["#ff0000", "#0000ff"] },
    marks: [Plot.barX(rows, { x: "clips", y: "label", fill: "label" })],
  });
  assert.match(chart.svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  // Well-formed XML: an XML parser finds the root, the nested plot and the texts.
  const doc = new DOMParser().parseFromString(chart.svg, "image/svg+xml");
  const texts = [...doc.querySelectorAll("text")].map((t) => t.textContent);
  for (const t of ["Clips per class", "all cameras", "from the detection log", "person", "car & <bus>"]) {
    assert.ok(texts.includes(t), `text ${t} in ${JSON.stringify(texts)}`);
  }
  assert.equal(doc.querySelectorAll("svg").length, 2, "the plot nested in the chart");
  assert.ok(chart.width === 640 && chart.height > 150, `${chart.width}x${chart.height}`);

  // librsvg (through sharp) reads it: the legend swatches have the scale's colours.
  const png = await chart.png(1);
  const meta = await sharp(png).metadata();
  assert.equal(meta.width, chart.width);
  assert.equal(meta.height, chart.height);
  const swatch = chart.svg.match(/<rect x="(\d+)" y="(\d+)" width="12" height="12" fill="#ff0000"/);
  assert.ok(swatch, "a red swatch for the first category");
  assert.equal(await pixel(png, Number(swatch[1]) + 6, Number(swatch[2]) + 6), "#ff0000");
  assert.equal(await pixel(png, chart.width - 2, 2), "#ffffff", "white background");

  const bundle = chart[JUPYTER_DISPLAY]();
  assert.equal(bundle["image/svg+xml"], chart.svg);
  assert.equal(bundle["text/plain"], "<chart: Clips per class>");
  const src = bundle["text/html"].match(/src="data:image\/svg\+xml;base64,([^"]+)"/);
  assert.ok(src, bundle["text/html"].slice(0, 200));
  assert.equal(new TextDecoder().decode(Uint8Array.from(atob(src[1]), (c) => c.charCodeAt(0))), chart.svg);
});

Deno.test("a continuous colour legend is drawn without a canvas, and charts are deterministic", async () => {
  const points = [{ t: 0, score: 0.3 }, { t: 1, score: 0.9 }];
  const options: ChartOptions = {
    title: "Scores",
    color: { type: "linear", scheme: "viridis", legend: true, label: "score" },
    marks: [Plot.dot(points, { x: "t", y: "score", fill: "score" })],
  };
  const a = renderChart(options);
  const b = renderChart(options);
  assert.equal(a.svg, b.svg);
  assert.match(a.svg, /<linearGradient id="ramp-[a-z0-9]+"><stop offset="0%" stop-color="#440154"\/>/);
  assert.match(a.svg, />score<\/text>/);
  assert.match(a.svg, />0\.3<\/text>/);
  assert.ok((await a.png(1)).length > 1000);
});

Deno.test("a chart without title or legend is the plot alone, still standalone", () => {
  const chart = renderChart({ marks: [Plot.lineY([1, 3, 2])] });
  assert.equal(chart.title, "chart");
  assert.equal(chart.height, 400);
  assert.doesNotMatch(chart.svg, /font-weight="bold"/);
});
