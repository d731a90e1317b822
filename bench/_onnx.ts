// One-node ONNX models, encoded here so that the benchmark needs no model
// files and no protobuf library: a model is a handful of nested protobuf
// messages, and only the few fields below are needed. Field numbers are
// those of onnx/onnx.proto.

/** An attribute of a node: ONNX keeps floats, integers and strings apart. */
export type OnnxAttribute =
  | { name: string; float: number }
  | { name: string; int: number }
  | { name: string; string: string };

/** A constant input of a node, stored in the model as an initializer. */
export interface OnnxConstant {
  name: string;
  dims: number[];
  values: number[];
}

/** What one node computes, and on which input shape. */
export interface OnnxNode {
  /** The operator, as ONNX spells it: `"Relu"`, `"HardSigmoid"`. */
  op: string;
  /** The operator set that has the operator in the form wanted. */
  opset: number;
  attributes?: OnnxAttribute[];
  /** Inputs after the first, in the operator's order. */
  constants?: OnnxConstant[];
  /** The input's shape: numbers are fixed, strings are named free sizes. */
  shape: (number | string)[];
}

const VARINT = 0;
const FIXED32 = 5;
const BYTES = 2;

// ONNX's element type and attribute type codes.
const FLOAT_TENSOR = 1;
const ATTRIBUTE_FLOAT = 1;
const ATTRIBUTE_INT = 2;
const ATTRIBUTE_STRING = 3;

/** Builds one protobuf message from its fields, in the order given. */
class Message {
  #bytes: number[] = [];

  #tag(field: number, wireType: number): void {
    this.#varint((field << 3) | wireType);
  }

  #varint(value: number): void {
    // Values here are small and non-negative: plain arithmetic is exact.
    let rest = value;
    while (rest >= 0x80) {
      this.#bytes.push((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    this.#bytes.push(rest);
  }

  int(field: number, value: number): this {
    this.#tag(field, VARINT);
    this.#varint(value);
    return this;
  }

  float(field: number, value: number): this {
    this.#tag(field, FIXED32);
    const bytes = new Uint8Array(new Float32Array([value]).buffer);
    this.#bytes.push(...bytes);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.#tag(field, BYTES);
    this.#varint(value.length);
    this.#bytes.push(...value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, value: Message): this {
    return this.bytes(field, value.encode());
  }

  encode(): Uint8Array {
    return Uint8Array.from(this.#bytes);
  }
}

/** A float tensor's name, element type and shape (ValueInfoProto). */
function valueInfo(name: string, shape: (number | string)[]): Message {
  const dims = new Message();
  for (const size of shape) {
    const dim = new Message();
    if (typeof size === "number") dim.int(1, size);
    else dim.string(2, size);
    dims.message(1, dim);
  }

  const tensorType = new Message().int(1, FLOAT_TENSOR).message(2, dims);
  const type = new Message().message(1, tensorType);
  return new Message().string(1, name).message(2, type);
}

function attribute(value: OnnxAttribute): Message {
  const message = new Message().string(1, value.name);
  if ("float" in value) {
    return message.float(2, value.float).int(20, ATTRIBUTE_FLOAT);
  }
  if ("int" in value) return message.int(3, value.int).int(20, ATTRIBUTE_INT);
  return message.string(4, value.string).int(20, ATTRIBUTE_STRING);
}

function initializer(constant: OnnxConstant): Message {
  const tensor = new Message();
  for (const size of constant.dims) tensor.int(1, size);
  tensor.int(2, FLOAT_TENSOR).string(8, constant.name);
  const raw = new Uint8Array(Float32Array.from(constant.values).buffer);
  return tensor.bytes(9, raw);
}

/**
 * The bytes of a model with one node that reads `x` and writes `y`, ready
 * for `InferenceSession.create`.
 */
export function oneNodeModel(node: OnnxNode): Uint8Array {
  const constants = node.constants ?? [];

  const nodeMessage = new Message().string(1, "x");
  for (const constant of constants) nodeMessage.string(1, constant.name);
  nodeMessage.string(2, "y").string(3, node.op).string(4, node.op);
  for (const value of node.attributes ?? []) {
    nodeMessage.message(5, attribute(value));
  }

  const graph = new Message().message(1, nodeMessage).string(2, node.op);
  for (const constant of constants) graph.message(5, initializer(constant));
  graph.message(11, valueInfo("x", node.shape));
  graph.message(12, valueInfo("y", node.shape));

  // IR version 9 is the one that goes with operator set 20.
  const opset = new Message().string(1, "").int(2, node.opset);
  return new Message()
    .int(1, 9)
    .string(2, "activations-bench")
    .message(7, graph)
    .message(8, opset)
    .encode();
}
