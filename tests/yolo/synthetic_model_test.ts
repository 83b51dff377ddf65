/**
 * YoloAnalyzer on small ONNX models the test builds itself and runs with the real ONNX
 * Runtime: a half-precision model with a dynamic input size, a model without metadata, and an
 * end-to-end export. Their outputs are constants, so the boxes that come back can be worked
 * out by hand through the letterbox geometry.
 */
import assert from "node:assert/strict";
import { ModelError } from "../../lib/errors.ts";
import { YoloAnalyzer } from "../../lib/yolo/yolo_analyzer.ts";
import { buildOnnxModel, type ModelSpec } from "../helpers/onnx_builder.ts";
import { repoPath } from "../helpers/media.ts";

const BUS = repoPath("tests/fixtures/bus.jpg"); // 810x1080

/** Half-precision bits, little-endian, for values exactly representable in fp16. */
function float16Raw(values: number[]): Uint8Array {
  const bits = values.map((v) => {
    if (v === 0) return 0;
    const e = Math.floor(Math.log2(v));
    const mant = Math.round((v / 2 ** e - 1) * 1024);
    return ((e + 15) << 10) | mant;
  });
  return new Uint8Array(new Uint16Array(bits).buffer);
}

/** A model whose only node copies a constant `[1, rows, anchors]` tensor to its output. */
function constantModel(
  values: number[],
  dims: number[],
  elemType: "float32" | "float16",
  inputShape: (number | string)[],
  metadata: Record<string, string>,
): ModelSpec {
  return {
    metadata,
    inputs: [{ name: "images", elemType, shape: inputShape }],
    outputs: [{ name: "output0", elemType, shape: dims }],
    initializers: [{
      name: "constant",
      dims,
      dataType: elemType,
      rawData: elemType === "float16" ? float16Raw(values) : new Uint8Array(new Float32Array(values).buffer),
    }],
    nodes: [{ opType: "Identity", inputs: ["constant"], outputs: ["output0"] }],
  };
}

// Two anchors, two classes (cat, dog), stored row by row: cx, cy, w, h, cat, dog.
// anchor 0: a 16x16 box centred at (32, 32), cat 0.875; anchor 1: 8x8 at (20, 40), dog 0.625.
const ROWS = [
  [32, 20],
  [32, 40],
  [16, 8],
  [16, 8],
  [0.875, 0.25],
  [0.125, 0.625],
].flat();

const dir = await Deno.makeTempDir({ prefix: "camwatch-models-" });
async function writeModel(name: string, spec: ModelSpec): Promise<string> {
  const path = `${dir}/${name}`;
  await Deno.writeFile(path, buildOnnxModel(spec));
  return path;
}

Deno.test("fp16 model with a dynamic input: names from metadata, auto letterbox, boxes by hand", async () => {
  const model = await writeModel(
    "tiny_fp16_dynamic.onnx",
    constantModel(ROWS, [1, 6, 2], "float16", [1, 3, "height", "width"], {
      names: "{0: 'cat', 1: 'dog'}",
      imgsz: "[64, 64]",
      stride: "32",
      task: "detect",
    }),
  );
  await using analyzer = await YoloAnalyzer.create({ model });
  assert.deepEqual(analyzer.info.names, ["cat", "dog"]);
  assert.equal(analyzer.info.dynamic, true);
  assert.equal(analyzer.info.inputType, "float16");
  const r = await analyzer.detect(BUS);
  // 810x1080 into 64: ratio 64/1080 (1/ratio = 16.875), 48x64, padded only to a multiple of
  // 32 (auto): 16 columns, 8 on each side. Model x maps to (x - 8) * 16.875, y to y * 16.875.
  assert.equal(r.detections.length, 2);
  const [cat, dog] = r.detections;
  assert.equal(cat.label, "cat");
  assert.equal(cat.score, 0.875);
  assert.deepEqual(cat.box, [(24 - 8) * 16.875, 24 * 16.875, (40 - 8) * 16.875, 40 * 16.875]);
  assert.equal(dog.label, "dog");
  assert.equal(dog.score, 0.625);
  assert.deepEqual(dog.box, [(16 - 8) * 16.875, 36 * 16.875, (24 - 8) * 16.875, 44 * 16.875]);
});

Deno.test("a fixed-size float32 model without metadata needs names, and then works", async () => {
  const model = await writeModel(
    "no_metadata.onnx",
    constantModel(ROWS, [1, 6, 2], "float32", [1, 3, 64, 64], {}),
  );
  await assert.rejects(
    () => YoloAnalyzer.create({ model }),
    (e: unknown) => e instanceof ModelError && /no class names in its metadata/.test(e.message),
  );
  await using analyzer = await YoloAnalyzer.create({ model, names: ["cat", "dog"], confidence: 0.7 });
  assert.deepEqual(analyzer.info.imgsz, [64, 64]); // from the fixed input shape
  const r = await analyzer.detect(BUS);
  // Fixed size: padded to the full 64x64, 8 columns each side as above. conf 0.7 keeps the cat.
  assert.deepEqual(r.detections.map((d) => d.label), ["cat"]);
  assert.deepEqual(r.detections[0].box, [270, 405, 540, 675]);
});

Deno.test("an end-to-end export ([1, N, 6] rows) is read as ready boxes", async () => {
  const rows = [
    [8, 8, 24, 40, 0.5, 1], // x1, y1, x2, y2, score, class: a dog
    [0, 0, 4, 4, 0.1, 0], // below the threshold
  ].flat();
  const model = await writeModel(
    "end2end.onnx",
    constantModel(rows, [1, 2, 6], "float32", [1, 3, 64, 64], {
      names: "{0: 'cat', 1: 'dog'}",
      end2end: "True",
    }),
  );
  await using analyzer = await YoloAnalyzer.create({ model });
  assert.equal(analyzer.info.endToEnd, true);
  const r = await analyzer.detect(BUS);
  assert.deepEqual(r.detections.map((d) => [d.label, d.score, d.box]), [
    ["dog", 0.5, [0, 8 * 16.875, (24 - 8) * 16.875, 40 * 16.875]],
  ]);
});

globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
