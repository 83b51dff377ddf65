import assert from "node:assert/strict";
import { ModelError } from "../../lib/errors.ts";
import { type OnnxMetadata, readOnnxMetadata } from "../../lib/yolo/onnx_metadata.ts";
import { describeYoloModel } from "../../lib/yolo/yolo_model.ts";
import {
  buildOnnxModel,
  DataType,
  float32Raw,
  type ModelSpec,
  ProtoWriter,
} from "../helpers/onnx_builder.ts";

/** Ultralytics-style metadata for a 2-class 320x320 detector. */
const ULTRALYTICS_PROPS = {
  description: "Ultralytics YOLOv8n model trained on two classes",
  author: "Ultralytics",
  version: "8.3.0",
  license: "AGPL-3.0 License (https://ultralytics.com/license)",
  stride: "32",
  task: "detect",
  batch: "1",
  imgsz: "[320, 320]",
  names: "{0: 'person', 1: 'car'}",
};

/**
 * A 320x320 detector with 2 classes: 4 + 2 = 6 output rows, and 40² + 20² + 10² = 2100
 * anchors for strides 8, 16 and 32.
 */
function modelSpec(overrides: Partial<ModelSpec> = {}): ModelSpec {
  return {
    metadata: ULTRALYTICS_PROPS,
    inputs: [{ name: "images", elemType: "float32", shape: [1, 3, 320, 320] }],
    outputs: [{ name: "output0", elemType: "float32", shape: [1, 6, 2100] }],
    ...overrides,
  };
}

/** Metadata as the reader sees it after a round trip through the builder. */
function meta(overrides: Partial<ModelSpec> = {}): OnnxMetadata {
  return readOnnxMetadata(buildOnnxModel(modelSpec(overrides)));
}

// --- readOnnxMetadata -------------------------------------------------------------------------

Deno.test("readOnnxMetadata: model header, opsets and metadata props round-trip", () => {
  const m = meta({ irVersion: 9, producerName: "pytorch", opsets: { "": 17, "com.microsoft": 1 } });
  assert.equal(m.irVersion, 9);
  assert.equal(m.producer, "pytorch");
  assert.deepEqual(m.opsets, { "": 17, "com.microsoft": 1 });
  assert.deepEqual(m.props, ULTRALYTICS_PROPS);
});

Deno.test("readOnnxMetadata: metadata with non-ASCII text and an empty value", () => {
  const m = meta({ metadata: { names: "{0: 'café', 1: '東京'}", empty: "" } });
  assert.deepEqual(m.props, { names: "{0: 'café', 1: '東京'}", empty: "" });
});

Deno.test("readOnnxMetadata: a model without metadata_props has empty props", () => {
  const m = meta({ metadata: {} });
  assert.deepEqual(m.props, {});
});

Deno.test("readOnnxMetadata: input and output names, element types and fixed dims", () => {
  const m = meta();
  assert.deepEqual(m.inputs, [{ name: "images", type: "float32", shape: [1, 3, 320, 320] }]);
  assert.deepEqual(m.outputs, [{ name: "output0", type: "float32", shape: [1, 6, 2100] }]);
});

Deno.test("readOnnxMetadata: element types by their ONNX number", () => {
  const m = meta({
    inputs: [
      { name: "half", elemType: 10, shape: [1] },
      { name: "float", elemType: 1, shape: [1] },
      { name: "u8", elemType: 2, shape: [1] },
      { name: "i64", elemType: 7, shape: [1] },
      { name: "double", elemType: 11, shape: [1] },
      { name: "weird", elemType: 99, shape: [1] }, // not a known type
    ],
  });
  assert.deepEqual(
    m.inputs.map((v) => [v.name, v.type]),
    [
      ["half", "float16"],
      ["float", "float32"],
      ["u8", "uint8"],
      ["i64", "int64"],
      ["double", "float64"],
      ["weird", "unknown"],
    ],
  );
});

Deno.test("readOnnxMetadata: symbolic and unnamed dims", () => {
  const m = meta({
    inputs: [{ name: "images", elemType: "float16", shape: ["batch", 3, "height", "width"] }],
    outputs: [{ name: "output0", shape: ["batch", 6, null] }],
  });
  assert.deepEqual(m.inputs, [{ name: "images", type: "float16", shape: ["batch", 3, "height", "width"] }]);
  // a Dimension with neither dim_value nor dim_param is unnamed -> null
  assert.deepEqual(m.outputs, [{ name: "output0", type: "float32", shape: ["batch", 6, null] }]);
});

Deno.test("readOnnxMetadata: a value without a shape has an empty shape", () => {
  const m = meta({ outputs: [{ name: "y" }] });
  assert.deepEqual(m.outputs, [{ name: "y", type: "float32", shape: [] }]);
});

Deno.test("readOnnxMetadata: several inputs and outputs keep their order", () => {
  const m = meta({
    inputs: [{ name: "a", shape: [1] }, { name: "b", shape: [2] }],
    outputs: [{ name: "y", shape: [3] }, { name: "z", shape: [4] }],
  });
  assert.deepEqual(m.inputs.map((v) => v.name), ["a", "b"]);
  assert.deepEqual(m.outputs.map((v) => v.name), ["y", "z"]);
});

Deno.test("readOnnxMetadata: an initializer listed as a graph input is left out", () => {
  // Old exporters list weights among the graph inputs; only "images" is a real input.
  const weights = float32Raw([0.5, -1, 2, 4]);
  const m = meta({
    inputs: [
      { name: "images", shape: [1, 3, 320, 320] },
      { name: "conv.weight", shape: [2, 2] },
    ],
    initializers: [{ name: "conv.weight", dims: [2, 2], dataType: DataType.FLOAT, rawData: weights }],
    nodes: [{ opType: "Conv", inputs: ["images", "conv.weight"], outputs: ["output0"], name: "conv" }],
  });
  assert.deepEqual(m.inputs.map((v) => v.name), ["images"]);
  assert.deepEqual(m.outputs.map((v) => v.name), ["output0"]);
});

Deno.test("readOnnxMetadata: nodes with attributes and large weights are skipped", () => {
  const m = meta({
    nodes: [{
      opType: "Constant",
      outputs: ["k"],
      attributes: [
        { name: "value", t: { dims: [3], dataType: "int64", int64Data: [1, -1, 2] } },
        { name: "axes", ints: [0, -1] },
        { name: "alpha", f: 0.5 },
        { name: "mode", s: "nearest" },
        { name: "axis", i: -1 },
      ],
    }],
    // 1 MiB of weights: read past, not decoded
    initializers: [{ name: "big", dims: [262144], dataType: "float32", rawData: new Uint8Array(1 << 20) }],
  });
  assert.deepEqual(m.inputs.map((v) => v.name), ["images"]);
  assert.deepEqual(m.props, ULTRALYTICS_PROPS);
});

Deno.test("readOnnxMetadata: non-ONNX bytes throw SyntaxError", () => {
  const enc = new TextEncoder();
  const cases: [string, Uint8Array][] = [
    // no fields at all -> no graph
    ["empty", new Uint8Array(0)],
    // "hello": 'h' = 0x68 is field 13 varint, 'e' its value, 'l' = 0x6c has wire type 4 (unsupported)
    ["text", enc.encode("hello world")],
    // a field 7 (graph) tag claiming 100 bytes with only 2 behind it
    ["truncated field", Uint8Array.from([0x3a, 100, 1, 2])],
    // a varint whose continuation bit is set on the last byte
    ["truncated varint", Uint8Array.from([0x08, 0x80])],
    // a valid message with only ir_version and a producer: it has no graph
    ["no graph", new ProtoWriter().varint(1, 8).string(2, "x").finish()],
  ];
  for (const [what, bytes] of cases) {
    assert.throws(() => readOnnxMetadata(bytes), SyntaxError, what);
  }
  // a real model cut short in the middle of its graph
  const whole = buildOnnxModel(modelSpec());
  assert.throws(() => readOnnxMetadata(whole.subarray(0, 20)), SyntaxError);
});

// --- describeYoloModel ------------------------------------------------------------------------

Deno.test("describeYoloModel: an Ultralytics-style fixed-size model", () => {
  const info = describeYoloModel(meta());
  assert.deepEqual(info.names, ["person", "car"]);
  assert.deepEqual(info.imgsz, [320, 320]);
  assert.equal(info.stride, 32);
  assert.equal(info.dynamic, false);
  assert.equal(info.inputName, "images");
  assert.equal(info.inputType, "float32");
  assert.equal(info.outputName, "output0");
  assert.equal(info.endToEnd, false);
  assert.equal(info.task, "detect");
  assert.equal(info.description, ULTRALYTICS_PROPS.description);
  assert.equal(info.version, "8.3.0");
  assert.equal(info.license, ULTRALYTICS_PROPS.license);
});

Deno.test("describeYoloModel: names as a list, and gaps in a names dict", () => {
  assert.deepEqual(describeYoloModel(meta({ metadata: { names: "['a', 'b']" } })).names, ["a", "b"]);
  // ids 0 and 2 given: id 1 gets a placeholder; 3 classes -> 7 output rows
  const info = describeYoloModel(meta({
    metadata: { names: "{0: 'a', 2: 'c'}" },
    outputs: [{ name: "output0", shape: [1, 7, 2100] }],
  }));
  assert.deepEqual(info.names, ["a", "class1", "c"]);
});

Deno.test("describeYoloModel: names override the metadata, or stand in for it", () => {
  const info = describeYoloModel(meta(), { names: ["cat", "dog"] });
  assert.deepEqual(info.names, ["cat", "dog"]);
  const bare = describeYoloModel(meta({ metadata: {} }), { names: ["cat", "dog"] });
  assert.deepEqual(bare.names, ["cat", "dog"]);
  // without metadata: stride defaults to 32, no task, no description
  assert.equal(bare.stride, 32);
  assert.equal(bare.task, undefined);
  assert.equal(bare.description, undefined);
});

Deno.test("describeYoloModel: missing or unreadable names -> ModelError mentioning 'names'", () => {
  const cases: Record<string, string>[] = [
    {}, // no metadata at all
    { names: "{}" }, // empty
    { names: "{0: 'a'" }, // not a literal
    { names: "{'a': 'b'}" }, // keys are not class ids
    { names: "{0: 1}" }, // values are not strings
    { names: "42" }, // neither dict nor list
  ];
  for (const metadata of cases) {
    assert.throws(
      () => describeYoloModel(meta({ metadata })),
      (e: unknown) => e instanceof ModelError && /names/.test(e.message),
      JSON.stringify(metadata),
    );
  }
  // an empty override is no better than none
  assert.throws(() => describeYoloModel(meta({ metadata: {} }), { names: [] }), ModelError);
});

Deno.test("describeYoloModel: non-detection tasks are refused", () => {
  for (const task of ["segment", "pose", "classify", "obb"]) {
    assert.throws(
      () => describeYoloModel(meta({ metadata: { ...ULTRALYTICS_PROPS, task } })),
      (e: unknown) => e instanceof ModelError && e.message.includes(`'${task}'`),
    );
  }
});

Deno.test("describeYoloModel: output rows that do not match 4 + classes -> ModelError", () => {
  // 2 names want 6 rows; 10 rows would be 6 classes
  assert.throws(
    () => describeYoloModel(meta({ outputs: [{ name: "output0", shape: [1, 10, 100] }] })),
    (e: unknown) =>
      e instanceof ModelError && /10 rows/.test(e.message) && /4 \+ classes = 6/.test(e.message),
  );
  // overriding with 6 names makes the same output fine
  const info = describeYoloModel(
    meta({ outputs: [{ name: "output0", shape: [1, 10, 100] }] }),
    { names: ["a", "b", "c", "d", "e", "f"] },
  );
  assert.equal(info.names.length, 6);
  // a symbolic row count cannot be checked, so it is accepted
  assert.equal(
    describeYoloModel(meta({ outputs: [{ name: "o", shape: [1, "rows", 100] }] })).endToEnd,
    false,
  );
});

Deno.test("describeYoloModel: a dynamic input takes imgsz from the metadata", () => {
  const dyn = {
    inputs: [{ name: "images", shape: ["batch", 3, "height", "width"] }],
    outputs: [{ name: "output0", shape: ["batch", 6, "anchors"] }],
  };
  const info = describeYoloModel(meta({ ...dyn, metadata: { ...ULTRALYTICS_PROPS, imgsz: "[480, 640]" } }));
  assert.equal(info.dynamic, true);
  assert.deepEqual(info.imgsz, [480, 640]);
  // no imgsz metadata -> 640 square
  const { imgsz: _, ...noSize } = ULTRALYTICS_PROPS;
  assert.deepEqual(describeYoloModel(meta({ ...dyn, metadata: noSize })).imgsz, [640, 640]);
  // an override wins: one number is a square, a pair is [height, width]
  assert.deepEqual(describeYoloModel(meta(dyn), { imgsz: 512 }).imgsz, [512, 512]);
  assert.deepEqual(describeYoloModel(meta(dyn), { imgsz: [384, 640] }).imgsz, [384, 640]);
  // only height symbolic is still dynamic
  const half = describeYoloModel(meta({ inputs: [{ name: "images", shape: [1, 3, "h", 320] }] }));
  assert.equal(half.dynamic, true);
});

Deno.test("describeYoloModel: a fixed input with imgsz metadata", () => {
  const info = describeYoloModel(meta({
    inputs: [{ name: "images", shape: [1, 3, 384, 640] }],
    metadata: { ...ULTRALYTICS_PROPS, imgsz: "[384, 640]", stride: "64" },
  }));
  assert.equal(info.dynamic, false);
  assert.deepEqual(info.imgsz, [384, 640]);
  assert.equal(info.stride, 64);
  // asking for another size than the fixed one is an error
  assert.throws(() => describeYoloModel(meta(), { imgsz: 640 }), ModelError);
  // asking for the same size is fine
  assert.deepEqual(describeYoloModel(meta(), { imgsz: [320, 320] }).imgsz, [320, 320]);
});

Deno.test("describeYoloModel: end-to-end output [1, 300, 6] skips the rows check", () => {
  const info = describeYoloModel(meta({ outputs: [{ name: "output0", shape: [1, 300, 6] }] }));
  assert.equal(info.endToEnd, true);
  assert.deepEqual(info.names, ["person", "car"]);
  // the end2end metadata flag says so too, whatever the shape
  const flagged = describeYoloModel(meta({
    metadata: { ...ULTRALYTICS_PROPS, end2end: "True" },
    outputs: [{ name: "output0", shape: [1, "n", 6] }],
  }));
  assert.equal(flagged.endToEnd, true);
});

Deno.test("describeYoloModel: float16 input is accepted", () => {
  const info = describeYoloModel(
    meta({ inputs: [{ name: "images", elemType: "float16", shape: [1, 3, 320, 320] }] }),
  );
  assert.equal(info.inputType, "float16");
});

Deno.test("describeYoloModel: unusable inputs and outputs -> ModelError", () => {
  const cases: [string, Partial<ModelSpec>][] = [
    ["uint8 input", { inputs: [{ name: "images", elemType: "uint8", shape: [1, 3, 320, 320] }] }],
    ["rank 3 input", { inputs: [{ name: "images", shape: [3, 320, 320] }] }],
    ["1 channel", { inputs: [{ name: "images", shape: [1, 1, 320, 320] }] }],
    ["no input", { inputs: [] }],
    ["no output", { outputs: [] }],
  ];
  for (const [what, spec] of cases) assert.throws(() => describeYoloModel(meta(spec)), ModelError, what);
});

// --- the bundled model ------------------------------------------------------------------------

Deno.test("readOnnxMetadata + describeYoloModel: models/yolov8n_int8.onnx", async () => {
  const bytes = await Deno.readFile(new URL("../../models/yolov8n_int8.onnx", import.meta.url));
  const m = readOnnxMetadata(bytes);
  assert.deepEqual(m.inputs, [{ name: "images", type: "float32", shape: [1, 3, 640, 640] }]);
  assert.deepEqual(m.outputs, [{ name: "output0", type: "float32", shape: [1, 84, 8400] }]);
  assert.equal(m.props.stride, "32");
  assert.equal(m.props.imgsz, "[640, 640]");

  const info = describeYoloModel(m);
  assert.equal(info.names.length, 80);
  assert.equal(info.names[0], "person");
  assert.equal(info.names[79], "toothbrush");
  assert.deepEqual(info.imgsz, [640, 640]);
  assert.equal(info.stride, 32);
  assert.equal(info.dynamic, false);
  assert.equal(info.inputName, "images");
  assert.equal(info.inputType, "float32");
  assert.equal(info.outputName, "output0");
  assert.equal(info.endToEnd, false);
});
