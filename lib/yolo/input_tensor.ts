/**
 * The model input: letterboxed RGB pixels as a `[1, 3, height, width]` tensor of values in
 * 0..1, in float32 or in half precision, written into a reusable buffer.
 *
 * @module
 */

import { float32ToFloat16Bits } from "./float16.ts";
import { letterbox, type LetterboxPlan, planLetterbox } from "./letterbox.ts";
import type { YoloModelInfo } from "./yolo_model.ts";

// Every input value is one of 256 bytes divided by 255: look them up instead of dividing.
const F32 = new Float32Array(256).map((_, v) => v / 255);
const F16 = Uint16Array.from(F32, float32ToFloat16Bits);

/**
 * Writes packed RGB pixels (`width x height`) as planar (NCHW) values `v / 255` into `buffer`
 * (allocated when missing or of the wrong size) and returns the buffer.
 *
 * @param rgb at least `width * height * 3` bytes
 * @param buffer reused when its size is exactly right (the inference worker hands it back), otherwise ignored
 * @returns the buffer written: `3 * width * height` values, float32 or float16 bits, red plane first
 *
 * @example
 * ```ts
 * import { fillInputTensor } from "./input_tensor.ts";
 * const buf = fillInputTensor(new Uint8Array([255, 0, 0]), 1, 1, "float32");
 * console.log(new Float32Array(buf)); // Float32Array [1, 0, 0]
 * ```
 */
export function fillInputTensor(
  rgb: Uint8Array,
  width: number,
  height: number,
  type: "float32" | "float16",
  buffer?: ArrayBuffer,
): ArrayBuffer {
  const plane = width * height;
  const bytes = plane * 3 * (type === "float32" ? 4 : 2);
  const out = buffer && buffer.byteLength === bytes ? buffer : new ArrayBuffer(bytes);
  const values = type === "float32" ? new Float32Array(out) : new Uint16Array(out);
  const lut = type === "float32" ? F32 : F16;
  for (let p = 0, i = 0; p < plane; p++, i += 3) {
    values[p] = lut[rgb[i]];
    values[plane + p] = lut[rgb[i + 1]];
    values[2 * plane + p] = lut[rgb[i + 2]];
  }
  return out;
}

/** A model input ready to run, and the geometry needed to map boxes back. */
export interface PreparedInput {
  /** where the image sits in the input, to map boxes back */
  readonly plan: LetterboxPlan;
  /** `[1, 3, height, width]` */
  readonly dims: readonly number[];
  /** float32 or float16 bits, as the model wants */
  readonly data: ArrayBuffer;
}

/**
 * Letterboxes packed RGB pixels for a model (full padding for a fixed input size, padding to a
 * multiple of the stride for a dynamic one, as Ultralytics' predictor does) and writes the input
 * tensor, reusing `buffer` when it has the right size.
 *
 * @throws {RangeError} when `width` or `height` is below 1, or `rgb` holds fewer than `width * height * 3`
 *   bytes
 *
 * @example
 * ```ts
 * import { prepareInput } from "./input_tensor.ts";
 * import { readOnnxMetadata } from "./onnx_metadata.ts";
 * import { describeYoloModel } from "./yolo_model.ts";
 * const info = describeYoloModel(readOnnxMetadata(await Deno.readFile("models/yolov8n_int8.onnx")));
 * const input = prepareInput(new Uint8Array(768 * 576 * 3), 768, 576, info);
 * console.log(input.dims); // [1, 3, 640, 640]
 * ```
 */
export function prepareInput(
  rgb: Uint8Array,
  width: number,
  height: number,
  info: Pick<YoloModelInfo, "imgsz" | "dynamic" | "stride" | "inputType">,
  buffer?: ArrayBuffer,
): PreparedInput {
  const plan = planLetterbox(width, height, info.imgsz, { auto: info.dynamic, stride: info.stride });
  const padded = letterbox(rgb, plan);
  return {
    plan,
    dims: [1, 3, plan.outHeight, plan.outWidth],
    data: fillInputTensor(padded, plan.outWidth, plan.outHeight, info.inputType, buffer),
  };
}
