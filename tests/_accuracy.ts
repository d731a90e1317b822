// The accuracy sweep of every function and gradient, shared by
// tests/accuracy_test.ts, which asserts the bounds below, and
// tests/accuracy_probe.ts, which prints what it measures: one case table,
// one set of inputs, one way of measuring.
//
// Each output is compared with the float64 reference of tests/_reference.ts
// rounded correctly to the output type (the reference is good to about
// 2^-90, so the rounded reference is the correctly rounded exact value), in
// units in the last place of the type. Gradients are dx = dy * f'(x) with
// the reference's dy * f'(x) rounded once. Where a derivative crosses zero,
// its ulps grow without bound however small the error, so within a window
// around each such zero the bound is an absolute error instead.

import * as act from "../mod.ts";
import * as ref from "./_reference.ts";
import type { Precise } from "./_reference.ts";
import {
  type FloatArray,
  type FloatArrayType,
  seededUniform,
  sweepInputs,
  ulpDistance,
} from "./_ulp.ts";

export type { FloatArray, FloatArrayType };

type Options = Record<string, unknown>;
type Forward = (x: FloatArray, options?: Options) => FloatArray;
type Backward = (
  dy: FloatArray,
  x: FloatArray,
  options?: Options,
) => FloatArray;

/** Per array type: float32 first, then float64. */
export type PerType<T> = [T, T];

/** The bounds one output is held to. */
export interface Bound {
  /** The largest ulp error, outside the zero windows. */
  ulp: PerType<number>;
}

/** A zero of a derivative, where its bound is absolute. */
export interface Zero {
  /** Where f' crosses zero. */
  at: number;
  /** Half the width of the window around it, per type. */
  window: PerType<number>;
  /** The largest |dx - exact| / |dy| inside the window, per type. */
  absolute: PerType<number>;
}

/** One elementwise function with one set of parameters. */
export interface ElementwiseCase {
  /** The row's label. */
  label: string;
  /** The export of mod.ts; its gradient is `${name}Grad`. */
  name: string;
  options?: Options;
  forward: (x: number) => Precise;
  derivative: (x: number) => Precise;
  /** The bound of y, and of dx. */
  bounds: { y: Bound; dx: Bound };
  /** Zeros of the derivative. */
  zeros?: Zero[];
}

const exact = ref.exact;

// The bounds are the largest errors tests/accuracy_probe.ts measures over
// its full sweep (the README's table states them); the test's sweep is a
// subset of it. 0 is the correctly rounded value everywhere measured, 1 a
// neighbour of it somewhere. Every kernel is built to be within one ulp,
// except the float32 kernels that evaluate in float (native/float_math.h),
// built to be within two.

/** What every kernel is built to, per type: within one ulp of the correctly
 * rounded value on every input in float64, two in float32 (sigmoid, tanh,
 * silu, elu, selu, celu, both forms of gelu and softplus with beta 1
 * evaluate in float there, and the gradients of sigmoid, tanh, elu, selu
 * and celu take their exponentials in float; the rest stay within one),
 * except the functions that are exact by construction (ReLU and ReLU6
 * compare and copy; PReLU's y and dx are one product of the element's own
 * type). The bounds in the table below are
 * what the sweep measures, which is at most this. */
export const CONTRACT_ULP: PerType<number> = [2, 1];
export const EXACT_FUNCTIONS: ReadonlySet<string> = new Set([
  "relu",
  "relu6",
  "prelu",
]);
export const CASES: ElementwiseCase[] = [
  {
    label: "relu",
    name: "relu",
    forward: exact.relu,
    derivative: exact.reluDerivative,
    bounds: { y: { ulp: [0, 0] }, dx: { ulp: [0, 0] } },
  },
  {
    label: "relu6",
    name: "relu6",
    forward: exact.relu6,
    derivative: exact.relu6Derivative,
    bounds: { y: { ulp: [0, 0] }, dx: { ulp: [0, 0] } },
  },
  {
    label: "leakyRelu",
    name: "leakyRelu",
    forward: (x) => exact.leakyRelu(x),
    derivative: (x) => exact.leakyReluDerivative(x),
    bounds: { y: { ulp: [0, 0] }, dx: { ulp: [0, 0] } },
  },
  {
    label: "leakyRelu alpha=0.01",
    name: "leakyRelu",
    options: { alpha: 0.01 },
    forward: (x) => exact.leakyRelu(x, 0.01),
    derivative: (x) => exact.leakyReluDerivative(x, 0.01),
    bounds: { y: { ulp: [1, 0] }, dx: { ulp: [0, 0] } },
  },
  {
    label: "elu",
    name: "elu",
    forward: (x) => exact.elu(x),
    derivative: (x) => exact.eluDerivative(x),
    bounds: { y: { ulp: [1, 0] }, dx: { ulp: [1, 1] } },
  },
  {
    label: "elu alpha=0.5",
    name: "elu",
    options: { alpha: 0.5 },
    forward: (x) => exact.elu(x, 0.5),
    derivative: (x) => exact.eluDerivative(x, 0.5),
    bounds: { y: { ulp: [1, 1] }, dx: { ulp: [1, 1] } },
  },
  {
    label: "selu",
    name: "selu",
    forward: exact.selu,
    derivative: exact.seluDerivative,
    bounds: { y: { ulp: [2, 1] }, dx: { ulp: [1, 1] } },
  },
  {
    label: "celu",
    name: "celu",
    forward: (x) => exact.celu(x),
    derivative: (x) => exact.celuDerivative(x),
    bounds: { y: { ulp: [1, 0] }, dx: { ulp: [1, 1] } },
  },
  {
    label: "celu alpha=0.3",
    name: "celu",
    options: { alpha: 0.3 },
    forward: (x) => exact.celu(x, 0.3),
    derivative: (x) => exact.celuDerivative(x, 0.3),
    bounds: { y: { ulp: [0, 0] }, dx: { ulp: [0, 1] } },
  },
  {
    label: "gelu",
    name: "gelu",
    forward: exact.gelu,
    derivative: exact.geluDerivative,
    bounds: { y: { ulp: [1, 1] }, dx: { ulp: [1, 1] } },
    zeros: [{
      at: -0.7517915246935645,
      window: [1e-4, 2e-3],
      absolute: [5e-12, 2e-19],
    }],
  },
  {
    label: "gelu tanh",
    name: "gelu",
    options: { approximate: "tanh" },
    forward: exact.geluTanh,
    derivative: exact.geluTanhDerivative,
    bounds: { y: { ulp: [2, 1] }, dx: { ulp: [0, 1] } },
    zeros: [{
      at: -0.7524614220710163,
      window: [1e-4, 2e-3],
      absolute: [5e-12, 2e-19],
    }],
  },
  {
    label: "silu",
    name: "silu",
    forward: (x) => exact.silu(x),
    derivative: (x) => exact.siluDerivative(x),
    bounds: { y: { ulp: [2, 1] }, dx: { ulp: [0, 1] } },
    zeros: [{
      at: -1.2784645427610737,
      window: [1e-4, 2e-3],
      absolute: [5e-12, 2e-19],
    }],
  },
  {
    label: "silu beta=1.702",
    name: "silu",
    options: { beta: 1.702 },
    forward: (x) => exact.silu(x, 1.702),
    derivative: (x) => exact.siluDerivative(x, 1.702),
    bounds: { y: { ulp: [1, 1] }, dx: { ulp: [0, 1] } },
    zeros: [{
      at: -1.2784645427610737 / 1.702,
      window: [1e-4, 2e-3],
      absolute: [5e-12, 2e-19],
    }],
  },
  {
    label: "mish",
    name: "mish",
    forward: exact.mish,
    derivative: exact.mishDerivative,
    bounds: { y: { ulp: [0, 1] }, dx: { ulp: [0, 1] } },
    zeros: [{
      at: -1.1924312145154952,
      window: [1e-4, 2e-3],
      absolute: [5e-12, 2e-19],
    }],
  },
  {
    label: "sigmoid",
    name: "sigmoid",
    forward: exact.sigmoid,
    derivative: exact.sigmoidDerivative,
    bounds: { y: { ulp: [2, 1] }, dx: { ulp: [1, 1] } },
  },
  {
    label: "hardSigmoid",
    name: "hardSigmoid",
    forward: (x) => exact.hardSigmoid(x),
    derivative: (x) => exact.hardSigmoidDerivative(x),
    bounds: { y: { ulp: [1, 0] }, dx: { ulp: [0, 0] } },
  },
  {
    label: "hardSigmoid alpha=1/6",
    name: "hardSigmoid",
    options: { alpha: 1 / 6 },
    forward: (x) => exact.hardSigmoid(x, 1 / 6),
    derivative: (x) => exact.hardSigmoidDerivative(x, 1 / 6),
    bounds: { y: { ulp: [1, 0] }, dx: { ulp: [0, 0] } },
  },
  {
    label: "hardSwish",
    name: "hardSwish",
    forward: exact.hardSwish,
    derivative: exact.hardSwishDerivative,
    bounds: { y: { ulp: [1, 1] }, dx: { ulp: [1, 0] } },
  },
  {
    label: "tanh",
    name: "tanh",
    forward: exact.tanh,
    derivative: exact.tanhDerivative,
    bounds: { y: { ulp: [2, 0] }, dx: { ulp: [1, 1] } },
  },
  {
    label: "softplus",
    name: "softplus",
    forward: (x) => exact.softplus(x),
    derivative: (x) => exact.softplusDerivative(x),
    bounds: { y: { ulp: [2, 1] }, dx: { ulp: [0, 1] } },
  },
  {
    label: "softplus beta=2",
    name: "softplus",
    options: { beta: 2 },
    forward: (x) => exact.softplus(x, 2),
    derivative: (x) => exact.softplusDerivative(x, 2),
    bounds: { y: { ulp: [0, 1] }, dx: { ulp: [0, 1] } },
  },
  {
    label: "softsign",
    name: "softsign",
    forward: exact.softsign,
    derivative: exact.softsignDerivative,
    bounds: { y: { ulp: [1, 0] }, dx: { ulp: [0, 1] } },
  },
];

/** Kinks, clamp ends and zeros of derivatives, with their neighbours. */
const POINTS = [
  0,
  1,
  -1,
  3,
  -3,
  6,
  2.5,
  -2.5,
  -1.5,
  20,
  -20,
  88.72283935546875,
  -87.33654475,
  -103.972077,
  709.78,
  -708.39,
  -745.13,
];

/** How many inputs: "full" for the probe, "quick" for the test. */
export type Density = "full" | "quick";

/**
 * The inputs of the elementwise functions: the type's special values, a
 * fine grid over [-30, 30] and a coarser one over the range where
 * exponentials change (to 110 for float32, 760 for float64), log-spaced
 * magnitudes over the whole type, seeded random values, the points above
 * and a close grid around every zero of a derivative.
 */
export function elementwiseInputs(
  Type: FloatArrayType,
  density: Density,
): FloatArray {
  const quick = density === "quick";
  const zeros = CASES.flatMap((c) => c.zeros ?? []);
  const fine = sweepInputs(Type, {
    points: [...POINTS, ...zeros.map((z) => z.at)],
    step: quick ? 2 ** -7 : 2 ** -9,
    randomCount: quick ? 6000 : 20000,
    perDecade: quick ? 4 : 8,
  });
  const wide = Type === Float32Array ? 110 : 760;
  const coarse = sweepInputs(Type, {
    range: [-wide, wide],
    step: quick ? 2 ** -2 : 2 ** -4,
    randomCount: quick ? 3000 : 10000,
    seed: 2,
    perDecade: 1,
  });
  const near: number[] = [];
  const random = seededUniform(3);
  for (const z of zeros) {
    const w = 4 * Math.max(...z.window);
    for (let i = 0; i < (quick ? 200 : 1000); i++) {
      near.push(z.at + w * (2 * random() - 1));
    }
  }
  const x = new Type(fine.length + coarse.length + near.length);
  x.set(fine);
  x.set(coarse, fine.length);
  x.set(Type.from(near), fine.length + coarse.length);
  return x;
}

/** dy for the gradients: all ones, or seeded uniform values in [-2, 2). */
export function upstream(
  Type: FloatArrayType,
  length: number,
  random: boolean,
): FloatArray {
  const dy = new Type(length);
  if (!random) return dy.fill(1);
  const next = seededUniform(17);
  for (let i = 0; i < length; i++) dy[i] = 4 * next() - 2;
  return dy;
}

// ---------------------------------------------------------------------------
// Measuring.

/** One element: its input, what the kernel gave, the rounded reference. */
export interface Sample {
  input: number;
  actual: number;
  expected: number;
}

/** The result of measuring one output. */
export interface Measurement {
  /** The largest ulp distance outside the zero windows. */
  maxUlp: number;
  worst?: Sample;
  /** The largest |actual - expected| / |dy| inside the zero windows. */
  maxAbsolute: number;
  worstAbsolute?: Sample;
  /** Disagreements in NaN, infinity, or (for values) the sign of zero. */
  mismatches: number;
  firstMismatch?: Sample;
  /** The largest |actual - expected| / max(1, |expected|), everywhere. */
  maxError: number;
  count: number;
}

function emptyMeasurement(): Measurement {
  return { maxUlp: 0, maxAbsolute: 0, mismatches: 0, maxError: 0, count: 0 };
}

/**
 * Measures `actual` against the rounded reference `expected` element by
 * element. `windowOf(i)` tells whether element i lies in a zero window, and
 * `scale(i)` the |dy| its absolute error is divided by.
 */
export function measure(
  inputs: ArrayLike<number>,
  actual: FloatArray,
  expected: ArrayLike<number>,
  options: {
    signedZeros?: boolean;
    inWindow?: (i: number) => boolean;
    scale?: (i: number) => number;
  } = {},
): Measurement {
  const Type = actual instanceof Float32Array ? Float32Array : Float64Array;
  const m = emptyMeasurement();
  m.count = actual.length;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const sample = (): Sample => ({
      input: inputs[i]!,
      actual: a,
      expected: e,
    });
    const d = ulpDistance(a, e, Type);
    const wrongZero = options.signedZeros === true && a === 0 && e === 0 &&
      !Object.is(a, e);
    if (d === Infinity || wrongZero) {
      m.mismatches++;
      m.firstMismatch ??= sample();
      continue;
    }
    const error = a === e || Number.isNaN(a)
      ? 0
      : Math.abs(a - e) / Math.max(1, Math.abs(e));
    m.maxError = Math.max(m.maxError, error);
    if (options.inWindow?.(i)) {
      const s = options.scale?.(i) ?? 1;
      const absolute = a === e ? 0 : Math.abs(a - e) / (s === 0 ? 1 : s);
      if (absolute > m.maxAbsolute || m.worstAbsolute === undefined) {
        m.maxAbsolute = Math.max(m.maxAbsolute, absolute);
        m.worstAbsolute = sample();
      }
      continue;
    }
    if (d > m.maxUlp || m.worst === undefined) {
      m.maxUlp = Math.max(m.maxUlp, d);
      m.worst = sample();
    }
  }
  return m;
}

/** Folds measurements of parts of one output into one. */
export function merge(parts: Measurement[]): Measurement {
  const m = emptyMeasurement();
  for (const p of parts) {
    if (p.maxUlp > m.maxUlp || m.worst === undefined) {
      m.maxUlp = Math.max(m.maxUlp, p.maxUlp);
      m.worst = p.worst ?? m.worst;
    }
    if (p.maxAbsolute > m.maxAbsolute || m.worstAbsolute === undefined) {
      m.maxAbsolute = Math.max(m.maxAbsolute, p.maxAbsolute);
      m.worstAbsolute = p.worstAbsolute ?? m.worstAbsolute;
    }
    m.mismatches += p.mismatches;
    m.firstMismatch ??= p.firstMismatch;
    m.maxError = Math.max(m.maxError, p.maxError);
    m.count += p.count;
  }
  return m;
}

/** One measured output of one case in one type, with its bound. */
export interface Row {
  label: string;
  quantity: string;
  type: FloatArrayType;
  measurement: Measurement;
  /** The largest ulp error allowed. */
  ulpBound: number;
  /** The largest absolute error allowed in the zero windows, if any. */
  absoluteBound?: number;
  /** The outputs themselves, for comparing instruction levels. */
  output: FloatArray;
}

/** Looks an export of mod.ts up by name, so that the table is data. */
function exported<F>(name: string): F {
  const value = (act as Record<string, unknown>)[name];
  if (typeof value !== "function") {
    throw new TypeError(`mod.ts does not export ${name}`);
  }
  return value as F;
}

function typeIndex(Type: FloatArrayType): 0 | 1 {
  return Type === Float32Array ? 0 : 1;
}

/** The reference values an elementwise sweep is measured against, computed
 * once per type and reused for every instruction level. */
export interface ElementwiseReference {
  x: FloatArray;
  y: Float64Array;
  /** dy * f'(x) rounded once, for dy = 1 and for random dy. */
  dx: [Float64Array, Float64Array];
  dy: [FloatArray, FloatArray];
  inWindow: (i: number) => boolean;
}

export function elementwiseReference(
  c: ElementwiseCase,
  Type: FloatArrayType,
  x: FloatArray,
): ElementwiseReference {
  const t = typeIndex(Type);
  const y = Float64Array.from(x, (v) => ref.roundPrecise(c.forward(v), Type));
  const slopes = Array.from(x, (v) => c.derivative(v));
  const dy: [FloatArray, FloatArray] = [
    upstream(Type, x.length, false),
    upstream(Type, x.length, true),
  ];
  const dx = dy.map((g) =>
    Float64Array.from(
      slopes,
      (s, i) => ref.roundPrecise(ref.times(s, g[i]!), Type),
    )
  ) as [Float64Array, Float64Array];
  const zeros = c.zeros ?? [];
  const inWindow = (i: number): boolean =>
    zeros.some((z) => Math.abs(x[i]! - z.at) <= z.window[t]);
  return { x, y, dx, dy, inWindow };
}

/** Runs one case's function and gradient and measures them. */
export function measureElementwise(
  c: ElementwiseCase,
  Type: FloatArrayType,
  reference: ElementwiseReference,
): Row[] {
  const t = typeIndex(Type);
  const { x, dy, inWindow } = reference;
  const forward = exported<Forward>(c.name);
  const backward = exported<Backward>(`${c.name}Grad`);

  const y = forward(x, c.options);
  const rows: Row[] = [{
    label: c.label,
    quantity: "y",
    type: Type,
    measurement: measure(x, y, reference.y, { signedZeros: true }),
    ulpBound: c.bounds.y.ulp[t],
    output: y,
  }];
  const absoluteBound = c.zeros === undefined
    ? undefined
    : Math.max(...c.zeros.map((z) => z.absolute[t]));
  dy.forEach((g, k) => {
    const dx = backward(g, x, c.options);
    rows.push({
      label: c.label,
      quantity: k === 0 ? "dx, dy = 1" : "dx, random dy",
      type: Type,
      measurement: measure(x, dx, reference.dx[k]!, {
        inWindow,
        scale: (i) => Math.abs(g[i]!),
      }),
      ulpBound: c.bounds.dx.ulp[t],
      absoluteBound,
      output: dx,
    });
  });
  return rows;
}

// ---------------------------------------------------------------------------
// PReLU and the row functions.

const PRELU_SLOPES = [[0.25], [0.1, 0.2, 0.3]];

/** The bounds of PReLU, by output. */
export const PRELU_BOUNDS: Record<string, PerType<number>> = {
  y: [0, 0],
  dx: [0, 0],
  dalpha: [0, 0],
};

/** One PReLU measurement: slopes, inputs and the reference outputs. */
interface PreluPart {
  label: string;
  quantity: string;
  alpha: FloatArray;
  dy?: FloatArray;
  x: FloatArray;
  expected: ArrayLike<number>;
  signedZeros: boolean;
}

function roundTo(v: number, Type: FloatArrayType): number {
  return Type === Float32Array ? Math.fround(v) : v;
}

function preparePrelu(Type: FloatArrayType, x: FloatArray): PreluPart[][] {
  const groups: PreluPart[][] = [];
  for (const slopes of PRELU_SLOPES) {
    const label = `prelu alpha=[${slopes.join(", ")}]`;
    const alpha = Type.from(slopes);
    groups.push([{
      label,
      quantity: "y",
      alpha,
      x,
      expected: ref.prelu(x, alpha),
      signedZeros: true,
    }]);
    for (const random of [false, true]) {
      const dy = upstream(Type, x.length, random);
      const suffix = random ? "random dy" : "dy = 1";
      groups.push([{
        label,
        quantity: `dx, ${suffix}`,
        alpha,
        dy,
        x,
        expected: ref.preluGrad(dy, x, alpha).dx,
        signedZeros: false,
      }]);
      // The slopes' gradient sums over the whole array, so it is measured
      // on finite inputs of moderate size, in arrays of several lengths.
      groups.push([10, 1000, 100000].map((n) => {
        const next = seededUniform(n);
        const xs = new Type(n).map(() => 60 * next() - 30);
        const dys = upstream(Type, n, random);
        return {
          label,
          quantity: `dalpha, ${suffix}`,
          alpha,
          dy: dys,
          x: xs,
          expected: ref.preluGrad(dys, xs, alpha).dalpha.map((v) =>
            roundTo(v, Type)
          ),
          signedZeros: false,
        };
      }));
    }
  }
  return groups;
}

function measurePrelu(Type: FloatArrayType, groups: PreluPart[][]): Row[] {
  const t = typeIndex(Type);
  return groups.map((parts) => {
    const outputs: FloatArray[] = [];
    const measurements = parts.map((p) => {
      const output = p.dy === undefined
        ? act.prelu(p.x, p.alpha)
        : p.quantity.startsWith("dalpha")
        ? act.preluGrad(p.dy, p.x, p.alpha).dalpha
        : act.preluGrad(p.dy, p.x, p.alpha).dx;
      outputs.push(output);
      const inputs = p.quantity.startsWith("dalpha") ? p.alpha : p.x;
      return measure(inputs, output, p.expected, {
        signedZeros: p.signedZeros,
      });
    });
    const first = parts[0]!;
    return {
      label: first.label,
      quantity: first.quantity,
      type: Type,
      measurement: merge(measurements),
      ulpBound: PRELU_BOUNDS[first.quantity.split(",")[0]!]![t],
      output: concatenated(Type, outputs),
    };
  });
}

/** Rows of several lengths: random logits of several spreads, and rows
 * with -Infinity, +Infinity, NaN, huge logits and ties. */
export function rowInputs(Type: FloatArrayType, n: number): FloatArray {
  const next = seededUniform(n + 100);
  const values: number[] = [];
  for (const spread of [1, 10, 100, 1000, 1e4]) {
    const count = Math.max(1, Math.floor(2000 / n));
    for (let i = 0; i < count * n; i++) values.push(spread * (next() - 0.5));
  }
  const special = (make: (i: number) => number): void => {
    for (let i = 0; i < n; i++) values.push(make(i));
  };
  special(() => -Infinity);
  special((i) => i === 0 ? Infinity : next());
  special((i) => i === n - 1 ? NaN : next());
  special((i) => i === 0 ? 1 : -Infinity);
  special((i) => 1e30 + i * 1e24);
  special(() => 3);
  special((i) => i % 2 ? 88 : -88);
  special((i) => i === 0 ? 40 : -i);
  return Type.from(values);
}

export const ROW_LENGTHS = [1, 2, 3, 10, 100, 1000];

/** The bounds of the row functions, by output. */
export const ROW_BOUNDS: Record<string, PerType<number>> = {
  "softmax y": [1, 1],
  "softmax dx": [0, 1],
  "logSoftmax y": [1, 1],
  "logSoftmax dx": [0, 1],
};

/**
 * logSoftmaxGrad's dx = dy - e^y sum(dy) crosses zero where its terms
 * cancel: where |dx| is below CANCELLATION_WINDOW times |dy| + e^y |sum dy|,
 * its error is bounded by CANCELLATION_ABSOLUTE times that instead (e^y
 * being good to about 2^-62 relative).
 */
export const CANCELLATION_WINDOW = 2 ** -8;
export const CANCELLATION_ABSOLUTE: PerType<number> = [2 ** -58, 2 ** -58];

/** |dy_i| + e^(y_i) |sum of the row's dy|, the size of dx_i's terms. */
function logSoftmaxTerms(
  dy: FloatArray,
  y: FloatArray,
  axisLength: number,
): Float64Array {
  const terms = new Float64Array(y.length);
  for (let start = 0; start < y.length; start += axisLength) {
    let sum = 0;
    for (let i = start; i < start + axisLength; i++) sum += dy[i]!;
    for (let i = start; i < start + axisLength; i++) {
      terms[i] = Math.abs(dy[i]!) + Math.exp(y[i]!) * Math.abs(sum);
    }
  }
  return terms;
}

type RowName = "softmax" | "logSoftmax";

/** One row-function measurement at one row length. */
interface RowPart {
  name: RowName;
  quantity: string;
  axisLength: number;
  /** The input: x for the forward, y for the gradient. */
  x: FloatArray;
  dy?: FloatArray;
  expected: ArrayLike<number>;
  /** For logSoftmaxGrad, the size of each element's terms. */
  terms?: Float64Array;
}

function prepareRows(Type: FloatArrayType): RowPart[][] {
  const groups: RowPart[][] = [];
  for (const name of ["softmax", "logSoftmax"] as const) {
    const reference = name === "softmax" ? ref.softmax : ref.logSoftmax;
    const referenceGrad = name === "softmax"
      ? ref.softmaxGrad
      : ref.logSoftmaxGrad;
    groups.push(ROW_LENGTHS.map((n) => {
      const x = rowInputs(Type, n);
      return {
        name,
        quantity: "y",
        axisLength: n,
        x,
        expected: reference(x, n).map((v) => roundTo(v, Type)),
      };
    }));
    for (const random of [false, true]) {
      groups.push(ROW_LENGTHS.map((n) => {
        // y is the reference's output rounded to the type, so that only
        // the backward pass is measured.
        const y = Type.from(reference(rowInputs(Type, n), n));
        const dy = upstream(Type, y.length, random);
        return {
          name,
          quantity: random ? "dx, random dy" : "dx, dy = 1",
          axisLength: n,
          x: y,
          dy,
          expected: referenceGrad(dy, y, n).map((v) => roundTo(v, Type)),
          terms: name === "logSoftmax" ? logSoftmaxTerms(dy, y, n) : undefined,
        };
      }));
    }
  }
  return groups;
}

function measureRows(Type: FloatArrayType, groups: RowPart[][]): Row[] {
  const t = typeIndex(Type);
  return groups.map((parts) => {
    const first = parts[0]!;
    const outputs: FloatArray[] = [];
    const measurements = parts.map((p) => {
      const options = { axisLength: p.axisLength };
      const output = p.dy === undefined
        ? exported<Forward>(p.name)(p.x, options)
        : exported<Backward>(`${p.name}Grad`)(p.dy, p.x, options);
      outputs.push(output);
      const terms = p.terms;
      return measure(p.x, output, p.expected, {
        signedZeros: p.dy === undefined,
        inWindow: terms === undefined
          ? undefined
          : (i) => Math.abs(p.expected[i]!) < CANCELLATION_WINDOW * terms[i]!,
        scale: terms === undefined ? undefined : (i) => terms[i]!,
      });
    });
    const gradient = first.dy !== undefined;
    return {
      label: first.name,
      quantity: first.quantity,
      type: Type,
      measurement: merge(measurements),
      ulpBound: ROW_BOUNDS[`${first.name} ${gradient ? "dx" : "y"}`]![t],
      absoluteBound: first.terms === undefined
        ? undefined
        : CANCELLATION_ABSOLUTE[t],
      output: concatenated(Type, outputs),
    };
  });
}

function concatenated(Type: FloatArrayType, parts: FloatArray[]): FloatArray {
  const out = new Type(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Every input of one type's sweep with its reference values, computed
 * once and measured against at each instruction level. */
export interface Prepared {
  x: FloatArray;
  cases: ElementwiseReference[];
  prelu: PreluPart[][];
  rows: RowPart[][];
}

export function prepare(Type: FloatArrayType, density: Density): Prepared {
  const x = elementwiseInputs(Type, density);
  return {
    x,
    cases: CASES.map((c) => elementwiseReference(c, Type, x)),
    prelu: preparePrelu(Type, x),
    rows: prepareRows(Type),
  };
}

/** Runs every function and gradient in one type and measures it. */
export function measureAll(Type: FloatArrayType, prepared: Prepared): Row[] {
  return [
    ...CASES.flatMap((c, i) => measureElementwise(c, Type, prepared.cases[i]!)),
    ...measurePrelu(Type, prepared.prelu),
    ...measureRows(Type, prepared.rows),
  ];
}

/** Whether a row's measurement meets its bounds, and if not, why. */
export function violation(row: Row): string | undefined {
  const m = row.measurement;
  const show = (s?: Sample): string =>
    s === undefined
      ? ""
      : `at x = ${showNumber(s.input)}: got ${showNumber(s.actual)}, ` +
        `want ${showNumber(s.expected)}`;
  if (m.mismatches > 0) {
    return `${m.mismatches} NaN, infinity or zero-sign mismatches, first ` +
      show(m.firstMismatch);
  }
  if (m.maxUlp > row.ulpBound) {
    return `${m.maxUlp} ulp (bound ${row.ulpBound}) ${show(m.worst)}`;
  }
  if (row.absoluteBound !== undefined && m.maxAbsolute > row.absoluteBound) {
    return `absolute error ${m.maxAbsolute} near a zero (bound ` +
      `${row.absoluteBound}) ${show(m.worstAbsolute)}`;
  }
  return undefined;
}

/** A number as the tables show it: 9 digits, -0 kept. */
export function showNumber(v: number): string {
  if (Object.is(v, -0)) return "-0";
  if (!Number.isFinite(v) || v === 0) return String(v);
  return Number(v.toPrecision(9)).toString();
}
