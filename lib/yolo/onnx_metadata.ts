/**
 * Reads what ONNX Runtime's JavaScript API does not expose from an `.onnx` file's bytes: the
 * custom `metadata_props` (where Ultralytics stores class names, image size and stride), and
 * the declared inputs and outputs with their element types and (possibly symbolic) shapes.
 *
 * It walks the protobuf wire format directly: only a handful of fields are needed, and large
 * fields (weights) are skipped without being decoded.
 *
 * @module
 */

/** Element type names, as ONNX Runtime's JavaScript API spells them. */
const ELEMENT_TYPES: Record<number, string> = {
  1: "float32",
  2: "uint8",
  3: "int8",
  4: "uint16",
  5: "int16",
  6: "int32",
  7: "int64",
  8: "string",
  9: "bool",
  10: "float16",
  11: "float64",
  12: "uint32",
  13: "uint64",
  16: "bfloat16",
};

/** One graph input or output. */
export interface OnnxValueInfo {
  /** tensor name */
  readonly name: string;
  /** element type (`float32`, `float16`, …), or `unknown` */
  readonly type: string;
  /** dimensions: a number when fixed, a string for a named symbolic one, null when unnamed */
  readonly shape: readonly (number | string | null)[];
}

/** What {@linkcode readOnnxMetadata} finds in a model file. */
export interface OnnxMetadata {
  /** ONNX IR version of the file */
  readonly irVersion: number;
  /** name of the tool that wrote the model (`pytorch`, …) */
  readonly producer: string;
  /** opset version per domain (`""` is the default ONNX domain) */
  readonly opsets: Readonly<Record<string, number>>;
  /** the model's custom key/value metadata */
  readonly props: Readonly<Record<string, string>>;
  /** graph inputs, initializers left out */
  readonly inputs: readonly OnnxValueInfo[];
  /** graph outputs */
  readonly outputs: readonly OnnxValueInfo[];
}

/** A protobuf field as read off the wire. */
interface Field {
  readonly no: number;
  /** varint value (wire type 0) */
  readonly int: number;
  /** payload of a length-delimited field (wire type 2) */
  readonly bytes: Uint8Array;
}

const EMPTY = new Uint8Array(0);

/** Iterates the top-level fields of one protobuf message. */
function* fields(buf: Uint8Array): Generator<Field> {
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let scale = 1;
    for (;;) {
      if (pos >= buf.length) throw new SyntaxError("onnx: truncated varint");
      const b = buf[pos++];
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 128;
    }
  };
  while (pos < buf.length) {
    const key = varint();
    const no = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) yield { no, int: varint(), bytes: EMPTY };
    else if (wire === 2) {
      const len = varint();
      if (pos + len > buf.length) throw new SyntaxError("onnx: truncated field");
      yield { no, int: 0, bytes: buf.subarray(pos, pos + len) };
      pos += len;
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else throw new SyntaxError(`onnx: unsupported wire type ${wire}`);
  }
}

const utf8 = new TextDecoder();

function valueInfo(buf: Uint8Array): OnnxValueInfo {
  let name = "";
  let type = "unknown";
  const shape: (number | string | null)[] = [];
  for (const f of fields(buf)) {
    if (f.no === 1) name = utf8.decode(f.bytes);
    else if (f.no === 2) {
      for (const t of fields(f.bytes)) {
        if (t.no !== 1) continue; // tensor_type
        for (const tt of fields(t.bytes)) {
          if (tt.no === 1) type = ELEMENT_TYPES[tt.int] ?? "unknown";
          else if (tt.no === 2) {
            for (const dim of fields(tt.bytes)) {
              if (dim.no !== 1) continue;
              let d: number | string | null = null;
              for (const df of fields(dim.bytes)) {
                if (df.no === 1) d = df.int;
                else if (df.no === 2) d = utf8.decode(df.bytes);
              }
              shape.push(d);
            }
          }
        }
      }
    }
  }
  return { name, type, shape };
}

/**
 * Reads the metadata, inputs and outputs of an ONNX model from its bytes. Graph inputs that
 * are really initializers (old exporters list weights as inputs) are left out.
 *
 * @param bytes the whole model file
 * @throws {SyntaxError} when the bytes are not a protobuf message (truncated, an unknown wire type) or
 *   hold no graph
 *
 * @example
 * ```ts
 * import { readOnnxMetadata } from "./onnx_metadata.ts";
 * const meta = readOnnxMetadata(await Deno.readFile("models/yolov8n_int8.onnx"));
 * console.log(meta.props.imgsz, meta.inputs[0].shape); // "[640, 640]" [1, 3, 640, 640]
 * ```
 */
export function readOnnxMetadata(bytes: Uint8Array): OnnxMetadata {
  let irVersion = 0;
  let producer = "";
  const opsets: Record<string, number> = {};
  const props: Record<string, string> = {};
  let inputs: OnnxValueInfo[] = [];
  const outputs: OnnxValueInfo[] = [];
  let sawGraph = false;
  for (const f of fields(bytes)) {
    if (f.no === 1) irVersion = f.int;
    else if (f.no === 2) producer = utf8.decode(f.bytes);
    else if (f.no === 8) {
      let domain = "";
      let version = 0;
      for (const o of fields(f.bytes)) {
        if (o.no === 1) domain = utf8.decode(o.bytes);
        else if (o.no === 2) version = o.int;
      }
      opsets[domain] = version;
    } else if (f.no === 14) {
      let key = "";
      let value = "";
      for (const p of fields(f.bytes)) {
        if (p.no === 1) key = utf8.decode(p.bytes);
        else if (p.no === 2) value = utf8.decode(p.bytes);
      }
      props[key] = value;
    } else if (f.no === 7) {
      sawGraph = true;
      const initializers = new Set<string>();
      for (const g of fields(f.bytes)) {
        if (g.no === 11) inputs.push(valueInfo(g.bytes));
        else if (g.no === 12) outputs.push(valueInfo(g.bytes));
        else if (g.no === 5) {
          for (const t of fields(g.bytes)) {
            if (t.no === 8) initializers.add(utf8.decode(t.bytes));
          }
        }
      }
      inputs = inputs.filter((v) => !initializers.has(v.name));
    }
  }
  if (!sawGraph) throw new SyntaxError("onnx: no graph in this file (is it an ONNX model?)");
  return { irVersion, producer, opsets, props, inputs, outputs };
}
