/**
 * annotate: pictures rendered with the real sharp and decoded again, checked pixel by pixel
 * (box colours on the edges, untouched pixels elsewhere, labels kept inside, strip layout,
 * motion tint), and the real detector's boxes on bus.jpg.
 */
import assert from "node:assert/strict";
import sharp from "sharp";
import {
  annotateDetections,
  type AnnotatedImage,
  annotateMotion,
  annotateStrip,
  classColor,
} from "../../lib/notebook/annotate.ts";
import { base64, JUPYTER_DISPLAY } from "../../lib/notebook/displayable.ts";
import { decodeImage, type RgbImage } from "../../lib/media/image.ts";
import type { Detection } from "../../lib/yolo/yolo_analyzer.ts";
import { YoloAnalyzer } from "../../lib/yolo/yolo_analyzer.ts";
import { repoPath } from "../helpers/media.ts";

type Rgb = [number, number, number];

interface Decoded {
  width: number;
  height: number;
  channels: number;
  at(x: number, y: number): Rgb;
}

async function decode(picture: AnnotatedImage): Promise<Decoded> {
  const { data, info } = await sharp(picture.png).raw().toBuffer({ resolveWithObject: true });
  const { width, height, channels } = info;
  return {
    width,
    height,
    channels,
    at: (x, y) => {
      const i = (y * width + x) * channels;
      return [data[i], data[i + 1], data[i + 2]];
    },
  };
}

const hex = (color: string): Rgb => {
  const n = parseInt(color.slice(1), 16);
  return [n >> 16, (n >> 8) & 0xff, n & 0xff];
};

function solid(width: number, height: number, [r, g, b]: Rgb): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) data[i] = r, data[i + 1] = g, data[i + 2] = b;
  return { width, height, data };
}

const det = (
  label: string,
  classId: number,
  box: [number, number, number, number],
  score = 0.9,
): Detection => ({
  label,
  classId,
  score,
  box,
});

const GREY: Rgb = [128, 128, 128];
const PERSON = hex(classColor(0));
const BUS = hex(classColor(5));

/** Columns of `row` whose pixel has `color`. */
function columnsWith(img: Decoded, row: number, color: Rgb): number[] {
  const xs: number[] = [];
  for (let x = 0; x < img.width; x++) if (img.at(x, row).every((v, k) => v === color[k])) xs.push(x);
  return xs;
}

Deno.test("detections: class colour on each box edge, untouched pixels elsewhere, same size", async () => {
  const picture = await annotateDetections(solid(400, 300, GREY), [
    det("person", 0, [40, 80, 160, 260]),
    det("bus", 5, [250, 90, 380, 280]),
  ]);
  assert.equal(picture.width, 400);
  assert.equal(picture.height, 300);
  const img = await decode(picture);
  assert.deepEqual([img.width, img.height, img.channels], [400, 300, 3]);

  assert.deepEqual(img.at(40, 200), PERSON, "person box, left edge");
  assert.deepEqual(img.at(159, 200), PERSON, "person box, right edge");
  assert.deepEqual(img.at(100, 259), PERSON, "person box, bottom edge");
  assert.deepEqual(img.at(379, 200), BUS, "bus box, right edge");
  assert.notDeepEqual(PERSON, BUS, "classes get different colours");

  assert.deepEqual(img.at(200, 150), GREY, "between the boxes");
  assert.deepEqual(img.at(100, 180), GREY, "inside the person box: an outline, not a fill");
  assert.deepEqual(img.at(39, 200), GREY, "just left of the person box");
  assert.deepEqual(img.at(5, 295), GREY, "corner");
  // The label sits on top of the box, in the class colour, with text on it.
  const labelRow = 80 - 5;
  const band = columnsWith(img, labelRow, PERSON);
  assert.ok(band[0] === 40 && band.at(-1)! > 100, `label band ${band[0]}..${band.at(-1)}`);
  let ink = 0; // person red takes white text
  for (let y = 60; y < 80; y++) {
    for (let x = band[0]; x <= band.at(-1)!; x++) if (img.at(x, y).every((v) => v > 200)) ink++;
  }
  assert.ok(ink > 20, `white text on the label: ${ink} pixels`);
});

Deno.test("detections: a label at the top-right corner is moved inside, whole", async () => {
  const long = det("traffic light", 9, [120, 100, 200, 200]);
  const color = hex(classColor(9));
  // Reference: the same label with room around it, to know its full width.
  const free = await decode(await annotateDetections(solid(400, 300, GREY), [long]));
  const freeBand = columnsWith(free, 95, color);
  const fullWidth = freeBand.at(-1)! - freeBand[0] + 1;
  assert.ok(fullWidth > 80 && freeBand[0] === 120, `reference label ${freeBand[0]}..${freeBand.at(-1)}`);

  const corner = await annotateDetections(solid(400, 300, GREY), [
    det("traffic light", 9, [370, 0, 400, 60]),
  ]);
  const img = await decode(corner);
  assert.deepEqual([img.width, img.height], [400, 300]);
  // No room above the box: the label goes inside it, at the top, shifted left to end at the edge.
  const band = columnsWith(img, 3, color);
  assert.equal(band.at(-1), 399, "label reaches the right edge");
  assert.equal(399 - band[0] + 1, fullWidth, "label not clipped");
  assert.ok(band[0] < 370, "label moved left of the box");
  assert.deepEqual(img.at(399, 50), color, "box right edge");
});

Deno.test("detections: labels shrink to fit a small image; text is escaped", async () => {
  const img = await decode(
    await annotateDetections(solid(48, 32, GREY), [
      det(`<b>&"o'k"\u0001</b> very long name`, 3, [4, 4, 40, 28]),
    ]),
  );
  assert.deepEqual([img.width, img.height], [48, 32]);
  const color = hex(classColor(3));
  assert.ok(columnsWith(img, 2, color).length > 0 || columnsWith(img, 6, color).length > 0, "label drawn");
});

Deno.test("detections: ImageDetections of another size are scaled; height option scales the output", async () => {
  const found = {
    width: 800,
    height: 600,
    inferenceMs: 0,
    detections: [det("person", 0, [80, 160, 320, 520])],
  };
  const img = await decode(await annotateDetections(solid(400, 300, GREY), found));
  assert.deepEqual(img.at(40, 200), PERSON, "box scaled by 1/2");
  assert.deepEqual(img.at(80, 200), GREY, "not at the unscaled place");

  const big = await annotateDetections(solid(400, 300, GREY), found, { height: 600, lineWidth: 4 });
  assert.deepEqual([big.width, big.height], [800, 600]);
  const scaled = await decode(big);
  assert.deepEqual(scaled.at(80, 400), PERSON);
  assert.deepEqual(scaled.at(83, 400), PERSON, "line 4 px wide");
  assert.deepEqual(scaled.at(84, 400), GREY);
});

Deno.test("motion: tint where the mask is set, the original grey elsewhere, boxes drawn", async () => {
  const W = 80, H = 60;
  const data = new Uint8Array(W * H).map((_, i) => 40 + (i % W)); // a horizontal ramp
  const mask = new Uint8Array(W * H);
  for (let y = 10; y < 30; y++) mask.fill(1, y * W + 20, y * W + 40);
  const picture = await annotateMotion({ ts: 0, width: W, height: H, data }, {
    mask,
    boxes: [[0.5, 0.5, 0.9, 0.9]],
  }, { tintOpacity: 0.5, lineWidth: 2 });
  assert.deepEqual([picture.width, picture.height], [W, H]);
  const img = await decode(picture);
  const grey = (x: number): Rgb => [40 + x, 40 + x, 40 + x];
  const tinted = (
    x: number,
  ): Rgb => [Math.round((40 + x + 255) / 2), Math.round((40 + x) / 2), Math.round((40 + x) / 2)];
  for (const [x, y] of [[20, 10], [30, 20], [39, 29]]) {
    assert.deepEqual(img.at(x, y), tinted(x), `tint at ${x},${y}`);
  }
  for (const [x, y] of [[19, 20], [40, 20], [30, 9], [30, 30], [5, 55], [70, 5]]) {
    assert.deepEqual(img.at(x, y), grey(x), `untouched at ${x},${y}`);
  }
  // Box [0.5, 0.5, 0.9, 0.9] of 80x60 is x 40..72, y 30..54.
  assert.deepEqual(img.at(40, 40), [0, 255, 0]);
  assert.deepEqual(img.at(71, 40), [0, 255, 0]);
  assert.deepEqual(img.at(55, 30), [0, 255, 0]);
  assert.deepEqual(img.at(55, 40), grey(55), "inside the box");

  const rgbFrame = { width: W, height: H, data: solid(W, H, [10, 20, 30]).data };
  const onRgb = await decode(
    await annotateMotion(rgbFrame, { mask }, { tint: "#00f", tintOpacity: 1, height: 120 }),
  );
  assert.deepEqual([onRgb.width, onRgb.height], [160, 120]);
  assert.deepEqual(onRgb.at(60, 40), [0, 0, 255], "tint, scaled ×2");
  assert.deepEqual(onRgb.at(150, 110), [10, 20, 30]);

  await assert.rejects(
    annotateMotion({ ts: 0, width: W, height: H, data }, { mask: new Uint8Array(5) }),
    /mask/,
  );
  await assert.rejects(annotateMotion({ ts: 0, width: W, height: H, data }, {}, { tint: "red" }), TypeError);
});

Deno.test("strip: widths and heights add up, pictures in place, captions in their band", async () => {
  const red = await annotateDetections(solid(100, 50, [255, 0, 0]), []);
  const tiles = [
    { image: red, caption: "t=0.0 s" },
    { image: solid(200, 100, [0, 255, 0]), caption: "t=3.5 s" }, // raw RGB, scaled to 100x50
    { image: annotateDetections(solid(60, 30, [0, 0, 255]), []), caption: "t=7.0 s" }, // a promise
  ];
  const strip = await annotateStrip(tiles, { height: 50, gap: 8, fontSize: 20 });
  assert.deepEqual([strip.width, strip.height], [100 + 8 + 100 + 8 + 100, 50 + 30]);
  const img = await decode(strip);
  assert.deepEqual([img.width, img.height, img.channels], [316, 80, 3]);
  assert.deepEqual(img.at(50, 25), [255, 0, 0]);
  assert.deepEqual(img.at(108 + 50, 25), [0, 255, 0]);
  assert.deepEqual(img.at(216 + 50, 25), [0, 0, 255]);
  assert.deepEqual(img.at(104, 25), [255, 255, 255], "gap");
  let ink = 0;
  for (let y = 50; y < 80; y++) for (let x = 0; x < 100; x++) if (img.at(x, y)[0] < 128) ink++;
  assert.ok(ink > 20, `caption ink under the first picture: ${ink}`);
  assert.deepEqual(img.at(2, 78), [255, 255, 255], "caption band background");

  const wrapped = await annotateStrip(tiles, { height: 50, gap: 8, fontSize: 20, columns: 2 });
  assert.deepEqual([wrapped.width, wrapped.height], [208, 2 * (50 + 30) + 8]);
  const w = await decode(wrapped);
  assert.deepEqual(w.at(50, 88 + 25), [0, 0, 255], "third picture starts the second row");
  assert.deepEqual(w.at(150, 88 + 25), [255, 255, 255], "second row is shorter");

  const bare = await annotateStrip([red, red], { gap: 0 });
  assert.deepEqual([bare.width, bare.height], [200, 50], "no captions, no band; default height");
  await assert.rejects(annotateStrip([]), RangeError);
});

Deno.test("an annotated image displays as a PNG in a notebook and converts to JPEG", async () => {
  const picture = await annotateDetections(solid(64, 48, GREY), [det("cat", 15, [8, 8, 40, 40])]);
  assert.deepEqual([...picture.png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  const bundle = picture[JUPYTER_DISPLAY]();
  assert.equal(bundle["image/png"], base64(picture.png));
  assert.match(bundle["text/plain"], /1 detections, 64x48/);
  const jpeg = await picture.jpeg(90);
  assert.deepEqual([...jpeg.subarray(0, 3)], [0xff, 0xd8, 0xff]);
  assert.equal((await sharp(jpeg).metadata()).width, 64);
  await assert.rejects(picture.jpeg(0), RangeError);
});

Deno.test("classColor: stable by id, by name hash, and from a custom palette", () => {
  assert.equal(classColor(0), "#ff3838");
  assert.equal(classColor(20), classColor(0), "wraps around the palette");
  assert.equal(classColor("forklift"), classColor("forklift"));
  assert.notEqual(classColor("forklift"), classColor("pallet"));
  assert.equal(classColor(3, ["#000000", "#111111"]), "#111111");
  assert.throws(() => classColor(1, []), RangeError);
});

Deno.test("bus.jpg: the real detector's boxes annotate, each edge in its class colour", async () => {
  const bus = repoPath("tests/fixtures/bus.jpg");
  await using analyzer = await YoloAnalyzer.create();
  const found = await analyzer.detect(bus);
  assert.ok(found.detections.length >= 4);
  const picture = await annotateDetections(bus, found);
  assert.deepEqual([picture.width, picture.height], [810, 1080]);
  const img = await decode(picture);
  for (const d of found.detections) {
    const color = hex(classColor(d.classId));
    const x = Math.round(d.box[0]);
    const [y1, y2] = [Math.round(d.box[1]), Math.round(d.box[3])];
    // Sample the left edge away from the labels, which may cover a neighbour's edge.
    let hits = 0;
    for (let k = 1; k <= 10; k++) {
      if (img.at(x, Math.round(y1 + (y2 - y1) * (0.4 + k * 0.05))).every((v, c) => v === color[c])) hits++;
    }
    assert.ok(
      hits >= 5,
      `${d.label} ${d.box.map(Math.round)}: ${hits}/10 edge samples in ${classColor(d.classId)}`,
    );
  }
  const original = await decodeImage(bus);
  const i = (1000 * original.width + 460) * 3;
  assert.deepEqual(img.at(460, 1000), [...original.data.subarray(i, i + 3)], "pavement untouched");
});
