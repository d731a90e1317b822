// Every function of the module as the benchmark sees it: the native call,
// forward and gradient; a plain TypeScript loop for each, as a user would
// write it without this module; tfjs's same op (or the composition of tfjs
// ops that tfjs's layers use, where tfjs has no op); and ONNX's operator.
// Defaults are the module's: leakyRelu's alpha 0.2, hardSigmoid's 0.2 and
// 0.5, elu's and celu's alpha 1, silu's and softplus's beta 1.

import erf from "@stdlib/math-base-special-erf";
import * as act from "../mod.ts";
import type { OnnxNode } from "./_onnx.ts";
import type { tf } from "./_peers.ts";

/** How a function reads its input: element by element, along channels
 * (PReLU's slopes run along the last axis), or row by row (softmax). */
export type Layout = "elementwise" | "channels" | "rows";

/** The shape the functions are run on at one size. */
export interface Shape {
  size: number;
  /** PReLU's slope count: the last axis. */
  channels: number;
  /** PReLU's slopes, `channels` of them. */
  slopes: Float32Array;
  /** Where preluGrad writes the slopes' gradient. */
  slopesGradient: Float32Array;
  /** Softmax's row length. */
  axisLength: number;
}

/** A tfjs op on a ready tensor; `slopes` is PReLU's, on the same backend. */
export type TfOp = (x: tf.Tensor, slopes: tf.Tensor) => tf.Tensor;

type Forward = (x: Float32Array, y: Float32Array, shape: Shape) => void;
type Gradient = (
  dy: Float32Array,
  x: Float32Array,
  dx: Float32Array,
  shape: Shape,
) => void;

/** One function and every way the benchmark computes it. */
export interface Activation {
  /** The function's name in mod.ts; `geluTanh` is `gelu`'s tanh form. */
  id: string;
  layout: Layout;
  native: Forward;
  nativeGrad: Gradient;
  loop: Forward;
  loopGrad: Gradient;
  /** The gradient reads the forward's output where others read `x`. */
  gradientReadsOutput?: boolean;
  /** tfjs's op; its gradient is tfjs's, through `tf.grad`. */
  tfjs?: (tfjs: typeof tf) => TfOp;
  /** How tfjs gets there, when it has no op of that name. */
  tfjsNote?: string;
  /** ONNX's operator, given the input's dimensions (names for free ones)
   * and the shape it runs on. */
  onnx?: (dims: (number | string)[], shape: Shape) => OnnxNode;
}

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
const SQRT_HALF = Math.SQRT1_2;
const INV_SQRT_2PI = 0.3989422804014327;
const GELU_TANH_C = 0.7978845608028654; // sqrt(2 / pi)
const GELU_TANH_K = 0.044715;

/** A tfjs-layers activation applied eagerly, as `tf.layers` computes it. */
function layer(name: string): (tfjs: typeof tf) => TfOp {
  return (tfjs) => {
    const applied = tfjs.layers.activation({ activation: name as "relu" });
    return (x) => applied.apply(x) as tf.Tensor;
  };
}

function sigmoidOf(v: number): number {
  return 1 / (1 + Math.exp(-v));
}

function softplusOf(v: number): number {
  return v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v));
}

/** An elementwise ONNX operator with the attributes given. */
function onnxOp(
  op: string,
  attributes: OnnxNode["attributes"] = [],
  opset = 20,
): (dims: (number | string)[]) => OnnxNode {
  return (dims) => ({ op, opset, attributes, shape: dims });
}

/** The functions, in mod.ts's order. */
export const ACTIVATIONS: Activation[] = [
  {
    id: "relu",
    layout: "elementwise",
    native: (x, y) => act.relu(x, { out: y }),
    nativeGrad: (dy, x, dx) => act.reluGrad(dy, x, { out: dx }),
    loop: (x, y) => {
      for (let i = 0; i < x.length; i++) y[i] = Math.max(x[i]!, 0);
    },
    loopGrad: (dy, x, dx) => {
      for (let i = 0; i < x.length; i++) dx[i] = x[i]! > 0 ? dy[i]! : 0;
    },
    tfjs: (tfjs) => (x) => tfjs.relu(x),
    onnx: onnxOp("Relu"),
  },
  {
    id: "relu6",
    layout: "elementwise",
    native: (x, y) => act.relu6(x, { out: y }),
    nativeGrad: (dy, x, dx) => act.relu6Grad(dy, x, { out: dx }),
    loop: (x, y) => {
      for (let i = 0; i < x.length; i++) {
        y[i] = Math.min(Math.max(x[i]!, 0), 6);
      }
    },
    loopGrad: (dy, x, dx) => {
      for (let i = 0; i < x.length; i++) {
        const v = x[i]!;
        dx[i] = v > 0 && v < 6 ? dy[i]! : 0;
      }
    },
    tfjs: (tfjs) => (x) => tfjs.relu6(x),
    // Exporters write ReLU6 as Clip; its bounds are inputs since opset 11.
    onnx: (dims) => ({
      op: "Clip",
      opset: 20,
      shape: dims,
      constants: [
        { name: "min", dims: [], values: [0] },
        { name: "max", dims: [], values: [6] },
      ],
    }),
  },
  {
    id: "leakyRelu",
    layout: "elementwise",
    native: (x, y) => act.leakyRelu(x, { out: y }),
    nativeGrad: (dy, x, dx) => act.leakyReluGrad(dy, x, { out: dx }),
    loop: (x, y) => {
      for (let i = 0; i < x.length; i++) {
        const v = x[i]!;
        y[i] = v < 0 ? 0.2 * v : v;
      }
    },
    loopGrad: (dy, x, dx) => {
      for (let i = 0; i < x.length; i++) {
        dx[i] = x[i]! > 0 ? dy[i]! : 0.2 * dy[i]!;
      }
    },
    tfjs: (tfjs) => (x) => tfjs.leakyRelu(x, 0.2),
    onnx: onnxOp("LeakyRelu", [{ name: "alpha", float: 0.2 }]),
  },
  {
    id: "prelu",
    layout: "channels",
    native: (x, y, shape) => act.prelu(x, shape.slopes, { out: y }),
    nativeGrad: (dy, x, dx, shape) =>
      act.preluGrad(dy, x, shape.slopes, {
        out: dx,
        dalphaOut: shape.slopesGradient,
      }),
    loop: (x, y, { slopes, channels }) => {
      for (let row = 0; row < x.length; row += channels) {
        for (let c = 0; c < channels; c++) {
          const v = x[row + c]!;
          y[row + c] = v < 0 ? slopes[c]! * v : v;
        }
      }
    },
    loopGrad: (dy, x, dx, { slopes, slopesGradient, channels }) => {
      slopesGradient.fill(0);
      for (let row = 0; row < x.length; row += channels) {
        for (let c = 0; c < channels; c++) {
          const v = x[row + c]!;
          const g = dy[row + c]!;
          if (v > 0) {
            dx[row + c] = g;
          } else {
            dx[row + c] = slopes[c]! * g;
            slopesGradient[c] = slopesGradient[c]! + g * v;
          }
        }
      }
    },
    tfjs: (tfjs) => (x, slopes) => tfjs.prelu(x, slopes),
    onnx: (dims, { slopes }) => ({
      op: "PRelu",
      opset: 20,
      shape: dims,
      constants: [{
        name: "slope",
        dims: [slopes.length],
        values: [...slopes],
      }],
    }),
  },
  {
    id: "elu",
    layout: "elementwise",
    native: (x, y) => act.elu(x, { out: y }),
    nativeGrad: (dy, x, dx) => act.eluGrad(dy, x, { out: dx }),
    loop: (x, y) => {
      for (let i = 0; i < x.length; i++) {
        const v = x[i]!;
        y[i] = v > 0 ? v : Math.expm1(v);
      }
    },
    loopGrad: (dy, x, dx) => {
      for (let i = 0; i < x.length; i++) {
        const v = x[i]!;
        dx[i] = v > 0 ? dy[i]! : dy[i]! * Math.exp(v);
      }
    },
    tfjs: (tfjs) => (x) => tfjs.elu(x),
    onnx: onnxOp("Elu", [{ name: "alpha", float: 1 }]),
  },
  {
    id: "selu",
    layout: "elementwise",
    native: (x, y) => act.selu(x, { out: y }),
    nativeGrad: (dy, x, dx) => act.seluGrad(dy, x, { out: dx }),
    loop: (x, y) => {
      for (let i = 0; i < x.length; i++) {
        const v = x[i]!;
        y[i] = SELU_SCALE * (v > 0 ? v : SELU_ALPHA * Math.expm1(v));
      }
    },
    loopGrad: (dy, x, dx) => {
      for (let i = 0; i < x.length; i++) {
        const v = x[i]!;
        const slope = v > 0 ? 1 : SELU_ALPHA * Math.exp(v);
        dx[i] = dy[i]! * SELU_SCALE * slope;
      }
    },
    tfjs: (tfjs) => (x) => tfjs.selu(x),
    onnx: onnxOp("Selu"),
  },
  {
    id: "celu",
    layout: "elementwise",
    native: (x, y) => act.celu(x, { out: y }),
    nativeGrad: (dy, x, dx) => act.celuGrad(dy, x, { out: dx }),
    loop: (x, y) => {
      for (let i = 0; i < x.length; i++) {
        const v = x[i]!;
        y[i] = v > 0 ? v : Math.expm1(v);
      }
    },
    loopGrad: (dy, x, dx) => {
      for (let i = 0; i < x.length; i++) {
        const v = x[i]!;
        dx[i] = v > 0 ? dy[i]! : dy[i]! * Math.exp(v);
      }
    },
    // With alpha 1, CELU is ELU: what a tfjs user would call.
    tfjs: (tfjs) => (x) => tfjs.elu(x),
    tfjsNote: "tfjs has no CELU; with alpha 1 it is tf.elu",
    onnx: onnxOp("Celu", [{ name: "alpha", float: 1 }]),
  },
  {
    id: "gelu",
    layout: "elementwise",
    native: (x, y) => act.gelu(x, { out: y }),
    nativeGrad: (dy, x, dx) => act.geluGrad(dy, x, { out: dx }),
    loop: (x, y) => {
      for (let i = 0; i < x.length; i++) {
        const v = x[i]!;
        y[i] = 0.5 * v * (1 + erf(v * SQRT_HALF));
      }
    },
    loopGrad: (dy, x, dx) => {
      for (let i = 0; i < x.length; i++) {
        const v = x[i]!;
        const cdf = 0.5 * (1 + erf(v * SQRT_HALF));
        const pdf = INV_SQRT_2PI * Math.exp(-0.5 * v * v);
        dx[i] = dy[i]! * (cdf + v * pdf);
      }
    },
    tfjs: layer("gelu"),
    tfjsNote: "tfjs has no GELU op; tf.layers' `gelu` activation",
    onnx: onnxOp("Gelu", [{ name: "approximate", string: "none" }]),
  },
  {
    id: "geluTanh",
    layout: "elementwise",
    native: (x, y) => act.gelu(x, { approximate: "tanh", out: y }),
    nativeGrad: (dy, x, dx) =>
      act.geluGrad(dy, x, { approximate: "tanh", out: dx }),
    loop: (x, y) => {
      for (let i = 0; i < x.length; i++) {
        const v = x[i]!;
        const u = GELU_TANH_C * (v + GELU_TANH_K * v * v * v);
        y[i] = 0.5 * v * (1 + Math.tanh(u));
      }
    },
    loopGrad: (dy, x, dx) => {
      for (let i = 0; i < x.length; i++) {
        const v = x[i]!;
        const t = Math.tanh(GELU_TANH_C * (v + GELU_TANH_K * v * v * v));
        const du = GELU_TANH_C * (1 + 3 * GELU_TANH_K * v * v);
        dx[i] = dy[i]! * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * du);
      }
    },
    tfjs: layer("gelu_new"),
    tfjsNote: "tfjs has no GELU op; tf.layers' `gelu_new` activation",
    onnx: onnxOp("Gelu", [{ name: "approximate", string: "tanh" }]),
  },
  {
    id: "silu",
    layout: "elementwise",
    native: (x, y) => act.silu(x, { out: y }),
    nativeGrad: (dy, x, dx) => act.siluGrad(dy, x, { out: dx }),
    loop: (x, y) => {
      for (let i = 0; i < x.length; i++) {
        const v = x[i]!;
        y[i] = v / (1 + Math.exp(-v));
      }
    },
    loopGrad: (dy, x, dx) => {
      for (let i = 0; i < x.length; i++) {
        const v = x[i]!;
        const s = sigmoidOf(v);
        dx[i] = dy[i]! * s * (1 + v * (1 - s));
      }
    },
    tfjs: layer("swish"),
    tfjsNote: "tfjs has no SiLU op; tf.layers' `swish` activation",
  },
  {
    id: "mish",
    layout: "elementwise",
    native: (x, y) => act.mish(x, { out: y }),
    nativeGrad: (dy, x, dx) => act.mishGrad(dy, x, { out: dx }),
    loop: (x, y) => {
      for (let i = 0; i < x.length; i++) {
        const v = x[i]!;
        y[i] = v * Math.tanh(softplusOf(v));
      }
    },
    loopGrad: (dy, x, dx) => {
      for (let i = 0; i < x.length; i++) {
        const v = x[i]!;
        const t = Math.tanh(softplusOf(v));
        dx[i] = dy[i]! * (t + v * sigmoidOf(v) * (1 - t * t));
      }
    },
    tfjs: layer("mish"),
    tfjsNote: "tfjs has no Mish op; tf.layers' `mish` activation",
    onnx: onnxOp("Mish", [], 18),
  },
  {
    id: "sigmoid",
    layout: "elementwise",
    native: (x, y) => act.sigmoid(x, { out: y }),
    nativeGrad: (dy, x, dx) => act.sigmoidGrad(dy, x, { out: dx }),
    loop: (x, y) => {
      for (let i = 0; i < x.length; i++) y[i] = 1 / (1 + Math.exp(-x[i]!));
    },
    loopGrad: (dy, x, dx) => {
      for (let i = 0; i < x.length; i++) {
        const s = sigmoidOf(x[i]!);
        dx[i] = dy[i]! * s * (1 - s);
      }
    },
    tfjs: (tfjs) => (x) => tfjs.sigmoid(x),
    onnx: onnxOp("Sigmoid"),
  },
  {
    id: "hardSigmoid",
    layout: "elementwise",
    native: (x, y) => act.hardSigmoid(x, { out: y }),
    nativeGrad: (dy, x, dx) => act.hardSigmoidGrad(dy, x, { out: dx }),
    loop: (x, y) => {
      for (let i = 0; i < x.length; i++) {
        y[i] = Math.min(Math.max(0.2 * x[i]! + 0.5, 0), 1);
      }
    },
    loopGrad: (dy, x, dx) => {
      for (let i = 0; i < x.length; i++) {
        const u = 0.2 * x[i]! + 0.5;
        dx[i] = u > 0 && u < 1 ? 0.2 * dy[i]! : 0;
      }
    },
    tfjs: layer("hardSigmoid"),
    tfjsNote: "tfjs has no hard sigmoid op; tf.layers' `hardSigmoid`",
    onnx: onnxOp("HardSigmoid", [
      { name: "alpha", float: 0.2 },
      { name: "beta", float: 0.5 },
    ]),
  },
  {
    id: "hardSwish",
    layout: "elementwise",
    native: (x, y) => act.hardSwish(x, { out: y }),
    nativeGrad: (dy, x, dx) => act.hardSwishGrad(dy, x, { out: dx }),
    loop: (x, y) => {
      for (let i = 0; i < x.length; i++) {
        const v = x[i]!;
        y[i] = v * Math.min(Math.max(v + 3, 0), 6) / 6;
      }
    },
    loopGrad: (dy, x, dx) => {
      for (let i = 0; i < x.length; i++) {
        const v = x[i]!;
        const slope = v < -3 ? 0 : v > 3 ? 1 : (2 * v + 3) / 6;
        dx[i] = dy[i]! * slope;
      }
    },
    tfjs: (tfjs) => (x) => tfjs.mul(x, tfjs.div(tfjs.relu6(tfjs.add(x, 3)), 6)),
    tfjsNote: "tfjs has no hard swish; x * relu6(x + 3) / 6 in tfjs ops",
    onnx: onnxOp("HardSwish"),
  },
  {
    id: "tanh",
    layout: "elementwise",
    native: (x, y) => act.tanh(x, { out: y }),
    nativeGrad: (dy, x, dx) => act.tanhGrad(dy, x, { out: dx }),
    loop: (x, y) => {
      for (let i = 0; i < x.length; i++) y[i] = Math.tanh(x[i]!);
    },
    loopGrad: (dy, x, dx) => {
      for (let i = 0; i < x.length; i++) {
        const t = Math.tanh(x[i]!);
        dx[i] = dy[i]! * (1 - t * t);
      }
    },
    tfjs: (tfjs) => (x) => tfjs.tanh(x),
    onnx: onnxOp("Tanh"),
  },
  {
    id: "softplus",
    layout: "elementwise",
    native: (x, y) => act.softplus(x, { out: y }),
    nativeGrad: (dy, x, dx) => act.softplusGrad(dy, x, { out: dx }),
    loop: (x, y) => {
      for (let i = 0; i < x.length; i++) y[i] = softplusOf(x[i]!);
    },
    loopGrad: (dy, x, dx) => {
      for (let i = 0; i < x.length; i++) dx[i] = dy[i]! * sigmoidOf(x[i]!);
    },
    tfjs: (tfjs) => (x) => tfjs.softplus(x),
    onnx: onnxOp("Softplus"),
  },
  {
    id: "softsign",
    layout: "elementwise",
    native: (x, y) => act.softsign(x, { out: y }),
    nativeGrad: (dy, x, dx) => act.softsignGrad(dy, x, { out: dx }),
    loop: (x, y) => {
      for (let i = 0; i < x.length; i++) {
        const v = x[i]!;
        y[i] = v / (1 + Math.abs(v));
      }
    },
    loopGrad: (dy, x, dx) => {
      for (let i = 0; i < x.length; i++) {
        const d = 1 + Math.abs(x[i]!);
        dx[i] = dy[i]! / (d * d);
      }
    },
    tfjs: layer("softsign"),
    tfjsNote: "tfjs has no softsign op; tf.layers' `softsign` activation",
    onnx: onnxOp("Softsign"),
  },
  {
    id: "softmax",
    layout: "rows",
    gradientReadsOutput: true,
    native: (x, y, { axisLength }) => act.softmax(x, { axisLength, out: y }),
    nativeGrad: (dy, y, dx, { axisLength }) =>
      act.softmaxGrad(dy, y, { axisLength, out: dx }),
    loop: (x, y, { axisLength }) => {
      for (let row = 0; row < x.length; row += axisLength) {
        const end = row + axisLength;
        let max = -Infinity;
        for (let i = row; i < end; i++) max = Math.max(max, x[i]!);
        let sum = 0;
        for (let i = row; i < end; i++) {
          const e = Math.exp(x[i]! - max);
          y[i] = e;
          sum += e;
        }
        for (let i = row; i < end; i++) y[i] = y[i]! / sum;
      }
    },
    loopGrad: (dy, y, dx, { axisLength }) => {
      for (let row = 0; row < y.length; row += axisLength) {
        const end = row + axisLength;
        let dot = 0;
        for (let i = row; i < end; i++) dot += dy[i]! * y[i]!;
        for (let i = row; i < end; i++) dx[i] = y[i]! * (dy[i]! - dot);
      }
    },
    tfjs: (tfjs) => (x) => tfjs.softmax(x),
    onnx: onnxOp("Softmax", [{ name: "axis", int: 1 }]),
  },
  {
    id: "logSoftmax",
    layout: "rows",
    gradientReadsOutput: true,
    native: (x, y, { axisLength }) => act.logSoftmax(x, { axisLength, out: y }),
    nativeGrad: (dy, y, dx, { axisLength }) =>
      act.logSoftmaxGrad(dy, y, { axisLength, out: dx }),
    loop: (x, y, { axisLength }) => {
      for (let row = 0; row < x.length; row += axisLength) {
        const end = row + axisLength;
        let max = -Infinity;
        for (let i = row; i < end; i++) max = Math.max(max, x[i]!);
        let sum = 0;
        for (let i = row; i < end; i++) sum += Math.exp(x[i]! - max);
        const offset = max + Math.log(sum);
        for (let i = row; i < end; i++) y[i] = x[i]! - offset;
      }
    },
    loopGrad: (dy, y, dx, { axisLength }) => {
      for (let row = 0; row < y.length; row += axisLength) {
        const end = row + axisLength;
        let sum = 0;
        for (let i = row; i < end; i++) sum += dy[i]!;
        for (let i = row; i < end; i++) {
          dx[i] = dy[i]! - Math.exp(y[i]!) * sum;
        }
      }
    },
    tfjs: (tfjs) => (x) => tfjs.logSoftmax(x),
    onnx: onnxOp("LogSoftmax", [{ name: "axis", int: 1 }]),
  },
];
