/**
 * A tiny protobuf encoder that builds ONNX `ModelProto` bytes for tests: model metadata, graph
 * inputs and outputs with element types and fixed or symbolic dims, initializers (with raw
 * data) and nodes with attributes. It is general enough to build a small runnable model (for
 * example a single `Identity`, `Slice` or `Concat` node with constant initializers).
 *
 * Field numbers follow onnx/onnx.proto:
 * - ModelProto: ir_version=1, producer_name=2, producer_version=3, domain=4, model_version=5,
 *   doc_string=6, graph=7, opset_import=8, metadata_props=14
 * - OperatorSetIdProto: domain=1, version=2
 * - GraphProto: node=1, name=2, initializer=5, doc_string=10, input=11, output=12, value_info=13
 * - NodeProto: input=1, output=2, name=3, op_type=4, attribute=5, doc_string=6, domain=7
 * - AttributeProto: name=1, f=2, i=3, s=4, t=5, floats=7, ints=8, strings=9, type=20
 * - TensorProto: dims=1, data_type=2, float_data=4, int32_data=5, int64_data=7, name=8, raw_data=9
 * - ValueInfoProto: name=1, type=2; TypeProto: tensor_type=1; TypeProto.Tensor: elem_type=1,
 *   shape=2; TensorShapeProto: dim=1; Dimension: dim_value=1, dim_param=2
 * - StringStringEntryProto: key=1, value=2
 *
 * Repeated scalars are written unpacked (one tag per element), as proto2 does by default;
 * protobuf parsers accept both encodings.
 *
 * @module
 */

/** `TensorProto.DataType` values. */
export const DataType = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  BFLOAT16: 16,
} as const;

/** `AttributeProto.AttributeType` values. */
export const AttributeType = {
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
} as const;

/** Element type names accepted in place of `DataType` numbers. */
const TYPE_NAMES: Record<string, number> = {
  float32: DataType.FLOAT,
  uint8: DataType.UINT8,
  int8: DataType.INT8,
  uint16: DataType.UINT16,
  int16: DataType.INT16,
  int32: DataType.INT32,
  int64: DataType.INT64,
  string: DataType.STRING,
  bool: DataType.BOOL,
  float16: DataType.FLOAT16,
  float64: DataType.DOUBLE,
  uint32: DataType.UINT32,
  uint64: DataType.UINT64,
  bfloat16: DataType.BFLOAT16,
};

/** An element type: a `DataType` number or a name such as `"float32"`. */
export type ElemType = number | keyof typeof TYPE_NAMES;

/** A dimension: fixed (number), named symbolic (string) or unnamed (null). */
export type Dim = number | string | null;

/** A graph input, output or value_info entry. */
export interface ValueInfoSpec {
  name: string;
  /** @default "float32" */
  elemType?: ElemType;
  /** omit to write a tensor type without a shape */
  shape?: readonly Dim[];
}

/** A tensor (initializer or `TENSOR` attribute value). */
export interface TensorSpec {
  name?: string;
  dims: readonly number[];
  dataType: ElemType;
  /** little-endian element bytes (see {@linkcode float32Raw}, {@linkcode int64Raw}) */
  rawData?: Uint8Array;
  /** written as packed `float_data` when given (and no rawData) */
  floatData?: readonly number[];
  /** written as unpacked `int64_data` when given (and no rawData) */
  int64Data?: readonly (number | bigint)[];
  /** written as unpacked `int32_data` when given (and no rawData) */
  int32Data?: readonly number[];
}

/** A node attribute; `type` is inferred from which value is given. */
export type AttributeSpec =
  | { name: string; i: number | bigint }
  | { name: string; f: number }
  | { name: string; s: string | Uint8Array }
  | { name: string; t: TensorSpec }
  | { name: string; ints: readonly (number | bigint)[] }
  | { name: string; floats: readonly number[] }
  | { name: string; strings: readonly string[] };

/** A graph node. */
export interface NodeSpec {
  opType: string;
  inputs?: readonly string[];
  outputs?: readonly string[];
  name?: string;
  domain?: string;
  attributes?: readonly AttributeSpec[];
}

/** What {@linkcode buildOnnxModel} builds. */
export interface ModelSpec {
  /** @default 8 */
  irVersion?: number;
  /** @default "onnx_builder" */
  producerName?: string;
  producerVersion?: string;
  /** opset per domain (`""` is the default ONNX domain); @default { "": 17 } */
  opsets?: Readonly<Record<string, number>>;
  /** custom metadata_props */
  metadata?: Readonly<Record<string, string>>;
  /** @default "main" */
  graphName?: string;
  inputs?: readonly ValueInfoSpec[];
  outputs?: readonly ValueInfoSpec[];
  initializers?: readonly TensorSpec[];
  nodes?: readonly NodeSpec[];
  valueInfo?: readonly ValueInfoSpec[];
}

const utf8 = new TextEncoder();

/** Appends protobuf fields to a growing list of byte chunks. */
export class ProtoWriter {
  readonly #chunks: Uint8Array[] = [];
  #length = 0;

  #push(chunk: Uint8Array): void {
    this.#chunks.push(chunk);
    this.#length += chunk.length;
  }

  #rawVarint(value: number | bigint): void {
    let v = typeof value === "bigint" ? value : BigInt(value);
    if (v < 0n) v = BigInt.asUintN(64, v); // int64 negatives: ten-byte two's complement
    const out: number[] = [];
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) byte |= 0x80;
      out.push(byte);
    } while (v !== 0n);
    this.#push(Uint8Array.from(out));
  }

  #tag(field: number, wire: number): void {
    this.#rawVarint(field * 8 + wire);
  }

  /** A varint field (wire type 0). */
  varint(field: number, value: number | bigint): this {
    this.#tag(field, 0);
    this.#rawVarint(value);
    return this;
  }

  /** A length-delimited field (wire type 2). */
  bytes(field: number, payload: Uint8Array): this {
    this.#tag(field, 2);
    this.#rawVarint(payload.length);
    this.#push(payload);
    return this;
  }

  /** A UTF-8 string field. */
  string(field: number, text: string): this {
    return this.bytes(field, utf8.encode(text));
  }

  /** An embedded message field. */
  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  /** A 32-bit float field (wire type 5). */
  float(field: number, value: number): this {
    this.#tag(field, 5);
    this.#push(new Uint8Array(new Float32Array([value]).buffer));
    return this;
  }

  /** The bytes written so far. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let pos = 0;
    for (const c of this.#chunks) {
      out.set(c, pos);
      pos += c.length;
    }
    return out;
  }
}

function elemType(t: ElemType | undefined): number {
  if (t === undefined) return DataType.FLOAT;
  if (typeof t === "number") return t;
  const n = TYPE_NAMES[t];
  if (n === undefined) throw new TypeError(`onnx_builder: unknown element type ${t}`);
  return n;
}

/** Little-endian float32 bytes, for `rawData`. */
export function float32Raw(values: readonly number[]): Uint8Array {
  return new Uint8Array(new Float32Array(values).buffer);
}

/** Little-endian int64 bytes, for `rawData`. */
export function int64Raw(values: readonly (number | bigint)[]): Uint8Array {
  return new Uint8Array(new BigInt64Array(values.map((v) => BigInt(v))).buffer);
}

function writeTensor(w: ProtoWriter, t: TensorSpec): void {
  for (const d of t.dims) w.varint(1, d);
  w.varint(2, elemType(t.dataType));
  if (t.rawData === undefined) {
    if (t.floatData) w.bytes(4, float32Raw(t.floatData)); // packed repeated float
    if (t.int32Data) { for (const v of t.int32Data) w.varint(5, v); }
    if (t.int64Data) { for (const v of t.int64Data) w.varint(7, v); }
  }
  if (t.name !== undefined) w.string(8, t.name);
  if (t.rawData !== undefined) w.bytes(9, t.rawData);
}

function writeValueInfo(w: ProtoWriter, v: ValueInfoSpec): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.varint(1, elemType(v.elemType));
      if (v.shape) {
        tensor.message(2, (shape) => {
          for (const d of v.shape!) {
            shape.message(1, (dim) => {
              if (typeof d === "number") dim.varint(1, d);
              else if (typeof d === "string") dim.string(2, d);
            });
          }
        });
      }
    }));
}

function writeAttribute(w: ProtoWriter, a: AttributeSpec): void {
  w.string(1, a.name);
  if ("i" in a) w.varint(3, a.i).varint(20, AttributeType.INT);
  else if ("f" in a) w.float(2, a.f).varint(20, AttributeType.FLOAT);
  else if ("s" in a) {
    w.bytes(4, typeof a.s === "string" ? utf8.encode(a.s) : a.s).varint(20, AttributeType.STRING);
  } else if ("t" in a) w.message(5, (t) => writeTensor(t, a.t)).varint(20, AttributeType.TENSOR);
  else if ("ints" in a) {
    for (const v of a.ints) w.varint(8, v);
    w.varint(20, AttributeType.INTS);
  } else if ("floats" in a) {
    for (const v of a.floats) w.float(7, v);
    w.varint(20, AttributeType.FLOATS);
  } else {
    for (const v of a.strings) w.string(9, v);
    w.varint(20, AttributeType.STRINGS);
  }
}

function writeNode(w: ProtoWriter, n: NodeSpec): void {
  for (const i of n.inputs ?? []) w.string(1, i);
  for (const o of n.outputs ?? []) w.string(2, o);
  if (n.name !== undefined) w.string(3, n.name);
  w.string(4, n.opType);
  for (const a of n.attributes ?? []) w.message(5, (attr) => writeAttribute(attr, a));
  if (n.domain !== undefined) w.string(7, n.domain);
}

/**
 * Builds the bytes of an ONNX `ModelProto`.
 *
 * @example
 * ```ts
 * const bytes = buildOnnxModel({
 *   metadata: { names: "{0: 'person'}" },
 *   inputs: [{ name: "x", shape: [1, 3] }],
 *   outputs: [{ name: "y", shape: [1, 3] }],
 *   nodes: [{ opType: "Identity", inputs: ["x"], outputs: ["y"] }],
 * });
 * ```
 */
export function buildOnnxModel(spec: ModelSpec): Uint8Array {
  const w = new ProtoWriter();
  w.varint(1, spec.irVersion ?? 8);
  w.string(2, spec.producerName ?? "onnx_builder");
  if (spec.producerVersion !== undefined) w.string(3, spec.producerVersion);
  w.message(7, (g) => {
    for (const n of spec.nodes ?? []) g.message(1, (node) => writeNode(node, n));
    g.string(2, spec.graphName ?? "main");
    for (const t of spec.initializers ?? []) g.message(5, (tensor) => writeTensor(tensor, t));
    for (const v of spec.inputs ?? []) g.message(11, (vi) => writeValueInfo(vi, v));
    for (const v of spec.outputs ?? []) g.message(12, (vi) => writeValueInfo(vi, v));
    for (const v of spec.valueInfo ?? []) g.message(13, (vi) => writeValueInfo(vi, v));
  });
  for (const [domain, version] of Object.entries(spec.opsets ?? { "": 17 })) {
    w.message(8, (o) => {
      if (domain !== "") o.string(1, domain);
      o.varint(2, version);
    });
  }
  for (const [key, value] of Object.entries(spec.metadata ?? {})) {
    w.message(14, (p) => p.string(1, key).string(2, value));
  }
  return w.finish();
}
