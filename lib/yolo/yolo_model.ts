/**
 * What a YOLO detection model needs to be run correctly, taken from the model's own metadata:
 * class names, input size, stride, input element type, and whether its input size is fixed.
 *
 * @module
 */

import { ModelError } from "../errors.ts";
import type { OnnxMetadata } from "./onnx_metadata.ts";
import { parsePythonLiteral, type PyValue } from "./python_literal.ts";

/** A detection model, described. */
export interface YoloModelInfo {
  /** class names, indexed by class id */
  readonly names: readonly string[];
  /** input size the model was exported for, `[height, width]` */
  readonly imgsz: readonly [number, number];
  /** largest stride of the network (padded sizes are multiples of it) */
  readonly stride: number;
  /** true when the input height and width are symbolic (`dynamic=True` exports) */
  readonly dynamic: boolean;
  /** name of the image input */
  readonly inputName: string;
  /** element type of the image input */
  readonly inputType: "float32" | "float16";
  /** name of the output tensor */
  readonly outputName: string;
  /**
   * true for end-to-end exports whose output is already `[1, N, 6]` (x1, y1, x2, y2, score,
   * class) rather than `[1, 4 + classes, anchors]`
   */
  readonly endToEnd: boolean;
  /** Ultralytics' task (`detect`, …) when the metadata says */
  readonly task: string | undefined;
  /** free-text description from the metadata, when present */
  readonly description: string | undefined;
  /** author version from the metadata, when present */
  readonly version: string | undefined;
  /** licence from the metadata, when present */
  readonly license: string | undefined;
}

/** Overrides for models exported without Ultralytics metadata. */
export interface YoloModelOverrides {
  /**
   * Class names, index = class id. Required when the model has no `names` metadata.
   * @default the model's `names` metadata
   */
  names?: readonly string[];
  /**
   * Input size `[height, width]` (or one number for a square) for dynamic models.
   * @default the model's fixed input shape, else its `imgsz` metadata, else 640
   */
  imgsz?: number | readonly [number, number];
}

function literal(key: string, text: string | undefined): PyValue | undefined {
  if (text === undefined) return undefined;
  try {
    return parsePythonLiteral(text);
  } catch (cause) {
    throw new ModelError(`model metadata '${key}' cannot be read: ${text.slice(0, 60)}`, { cause });
  }
}

function namesFrom(value: PyValue | undefined): string[] | undefined {
  if (value instanceof Map) {
    const names: string[] = [];
    for (const [k, v] of value) {
      if (typeof k !== "number" || !Number.isInteger(k) || k < 0 || typeof v !== "string") {
        throw new ModelError("model metadata 'names' must map class ids to strings");
      }
      names[k] = v;
    }
    for (let i = 0; i < names.length; i++) names[i] ??= `class${i}`;
    return names;
  }
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value as string[];
  if (value !== undefined) throw new ModelError("model metadata 'names' is neither a dict nor a list");
  return undefined;
}

function sizeFrom(value: unknown): [number, number] | undefined {
  if (typeof value === "number") return [value, value];
  if (
    Array.isArray(value) && value.length === 2 &&
    value.every((v) => typeof v === "number" && Number.isInteger(v) && v > 0)
  ) {
    return [value[0], value[1]];
  }
  return undefined;
}

/**
 * Interprets an ONNX model's metadata as an Ultralytics detection model. Throws
 * {@linkcode ModelError} with a message saying what is missing or wrong.
 *
 * @param overrides `names` replaces the model's; `imgsz` (height, width in pixels) must match a fixed input,
 *   and is ignored unless it is a positive integer or a pair of them
 * @throws {ModelError} when the model is not for detection (`task` other than `detect`), has no input or
 *   output, an input that is not float32/float16 `[batch, 3, height, width]`, no class names, an `imgsz` that
 *   differs from its fixed input, metadata that cannot be read, or an output whose rows do not match the
 *   class names
 *
 * @example
 * ```ts
 * import { readOnnxMetadata } from "./onnx_metadata.ts";
 * import { describeYoloModel } from "./yolo_model.ts";
 * const info = describeYoloModel(readOnnxMetadata(await Deno.readFile("models/yolov8n_int8.onnx")));
 * console.log(info.names.length, info.imgsz); // 80 [640, 640]
 * ```
 */
export function describeYoloModel(
  meta: OnnxMetadata,
  overrides: YoloModelOverrides = {},
): YoloModelInfo {
  const { props } = meta;
  const task = props.task;
  if (task !== undefined && task !== "detect") {
    throw new ModelError(`this is a '${task}' model; only detection models ('detect') are supported`);
  }
  const input = meta.inputs[0];
  const output = meta.outputs[0];
  if (!input || !output) throw new ModelError("the model declares no input or no output");
  if (input.type !== "float32" && input.type !== "float16") {
    throw new ModelError(`the model's input '${input.name}' is ${input.type}; expected float32 or float16`);
  }
  if (input.shape.length !== 4) {
    throw new ModelError(
      `the model's input '${input.name}' has shape [${input.shape}]; expected [batch, 3, height, width]`,
    );
  }
  const [, channels, h, w] = input.shape;
  if (typeof channels === "number" && channels !== 3) {
    throw new ModelError(`the model expects ${channels} channels; only 3-channel (RGB) models are supported`);
  }
  const dynamic = typeof h !== "number" || typeof w !== "number";

  const names = overrides.names ? [...overrides.names] : namesFrom(literal("names", props.names));
  if (!names || names.length === 0) {
    throw new ModelError(
      "the model has no class names in its metadata (metadata_props 'names'); " +
        "export it with Ultralytics or pass `names` in the options",
    );
  }
  const fixed: [number, number] | undefined = dynamic ? undefined : [h as number, w as number];
  const imgsz = sizeFrom(overrides.imgsz) ?? fixed ?? sizeFrom(literal("imgsz", props.imgsz)) ??
    [640, 640];
  if (fixed && (imgsz[0] !== fixed[0] || imgsz[1] !== fixed[1])) {
    throw new ModelError(
      `imgsz ${imgsz.join("x")} does not match the model's fixed input ${fixed.join("x")}`,
    );
  }
  const strideValue = literal("stride", props.stride);
  const stride = typeof strideValue === "number" && strideValue > 0 ? strideValue : 32;
  const endToEnd = literal("end2end", props.end2end) === true ||
    (output.shape.length === 3 && output.shape[2] === 6 && output.shape[1] !== 6);

  if (!endToEnd) {
    const rows = output.shape[1];
    if (typeof rows === "number" && rows !== 4 + names.length) {
      throw new ModelError(
        `the model's output has ${rows} rows per anchor but ${names.length} class names ` +
          `(expected 4 + classes = ${4 + names.length}); is it a detection model with these names?`,
      );
    }
  }
  return {
    names,
    imgsz,
    stride,
    dynamic,
    inputName: input.name,
    inputType: input.type,
    outputName: output.name,
    endToEnd,
    task,
    description: props.description,
    version: props.version,
    license: props.license,
  };
}
