// Property tests with fast-check: laws every activation and gradient must
// obey on arbitrary arrays of both types, NaN, infinities, -0 and subnormals
// included, with arbitrary finite parameters. Where a law meets rounding its
// bound is derived beside it; where it meets calculus, the gradient is held
// against a central difference of the forward function in float64.
//
// Every property runs from a fixed seed with a fixed number of runs, so CI
// is reproducible and bounded; a failure prints the seed and path that
// replay it, and fast-check's shrunk counterexample.

import assert from "node:assert/strict";
import fc from "fast-check";
import * as act from "../mod.ts";
import type { FloatArray } from "../mod.ts";
import { CONTRACT_ULP, EXACT_FUNCTIONS } from "./_accuracy.ts";
import { stepUlps } from "./_ulp.ts";

type FloatArrayType = typeof Float32Array | typeof Float64Array;

const ARRAY_TYPES: FloatArrayType[] = [Float32Array, Float64Array];
// PROPERTY_SEED replays another seed, and PROPERTY_RUNS scales the runs,
// for searching beyond what CI runs; by default both are fixed.
const SEED = Number(Deno.env.get("PROPERTY_SEED") ?? 0x5eed);
const SCALE = Number(Deno.env.get("PROPERTY_RUNS") ?? 1);
const MAX_LENGTH = 300;
// fast-check draws short arrays unless told the whole range is wanted.
const LENGTHS = { maxLength: MAX_LENGTH, size: "max" } as const;

// Runs per property, chosen to keep the file near 15 s: the checks are cheap
// per element, and each run already draws up to 300 of them.
const RUNS = Math.round(40 * SCALE);
const GRADIENT_RUNS = Math.round(40 * SCALE);
const ROW_GRADIENT_RUNS = Math.round(20 * SCALE);

/** Half an ulp of 1 in float64: the relative error of one rounding. */
const EPS = 2 ** -53;
/** An ulp of 1 in float64. */
const ULP = 2 ** -52;

/** The relative error of rounding a double to the array type. */
function storeRounding(Type: FloatArrayType): number {
  return Type === Float32Array ? 2 ** -24 : EPS;
}

/** The absolute error of rounding into the type's subnormal range. */
function storeFloor(Type: FloatArrayType): number {
  return Type === Float32Array ? 2 ** -150 : Number.MIN_VALUE;
}

function maxFinite(Type: FloatArrayType): number {
  return Type === Float32Array ? 3.4028234663852886e38 : Number.MAX_VALUE;
}

function minNormal(Type: FloatArrayType): number {
  return Type === Float32Array ? 2 ** -126 : 2 ** -1022;
}

function options(seed: number, numRuns: number): fc.Parameters<unknown> {
  return { seed: SEED + seed, numRuns };
}

/** Asserts two arrays hold the same values: NaN equals NaN, -0 is not 0. */
function assertSameValues(
  actual: FloatArray,
  expected: FloatArray,
  context: string,
): void {
  assert.equal(actual.length, expected.length, `${context}: length`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(a) && Number.isNaN(e)) continue;
    if (!Object.is(a, e)) {
      assert.fail(`${context}: element ${i} is ${show(a)}, not ${show(e)}`);
    }
  }
}

function show(v: number): string {
  return Object.is(v, -0) ? "-0" : String(v);
}

/**
 * Asserts that `actual`, a value stored in the array type, is within
 * `bound` of the float64 `expected`, after the one rounding into the type.
 * An `expected` that leaves the type's range must have become an infinity of
 * its sign; a reference that overflowed float64 itself is not compared.
 */
function assertClose(
  actual: number,
  expected: number,
  bound: number,
  Type: FloatArrayType,
  context: () => string,
): void {
  const total = bound + storeRounding(Type) * Math.abs(expected) +
    storeFloor(Type);
  if (!Number.isFinite(expected) || !Number.isFinite(total)) return;
  // A finite actual must be within the bound; an infinite one, allowed only
  // where the bound reaches past the largest finite value on its side.
  const max = maxFinite(Type);
  if (Math.abs(actual - expected) <= total) return;
  if (actual === Infinity && expected + total > max) return;
  if (actual === -Infinity && expected - total < -max) return;
  assert.fail(
    `${context()}: got ${show(actual)}, expected ${expected} ± ${total}`,
  );
}

/** The accuracy every kernel is built to, in ulps of the type, from
 * tests/_accuracy.ts: 0 for the exact functions, else the type's contract
 * on every input (what the accuracy test measures on its sweep is at most
 * that). */
function monotonicSlack(name: string, Type: FloatArrayType): number {
  if (EXACT_FUNCTIONS.has(name)) return 0;
  return CONTRACT_ULP[Type === Float32Array ? 0 : 1];
}

/** The spacing of the type's values just above |v| (the larger of the two
 * around a power of two; below, for the largest finite value). */
function ulpAbove(v: number, Type: FloatArrayType): number {
  const a = Math.abs(v);
  if (!Number.isFinite(a)) return 0;
  const next = stepUlps(a, 1, Type);
  return Number.isFinite(next) ? next - a : a - stepUlps(a, -1, Type);
}

// ---------------------------------------------------------------------------
// Arbitraries

/** Any value of the type: NaN, ±Infinity, -0, subnormals, every exponent. */
function anyValue(Type: FloatArrayType): fc.Arbitrary<number> {
  return Type === Float32Array ? fc.float() : fc.double();
}

/** Values where the activations bend. Drawn over every exponent alike, under
 * 2% of float32 values and 1% of float64 ones would land there. */
function moderateValue(Type: FloatArrayType): fc.Arbitrary<number> {
  return Type === Float32Array
    ? fc.float({ min: -64, max: 64, noNaN: true })
    : fc.double({ min: -64, max: 64, noNaN: true });
}

function finiteValue(Type: FloatArrayType): fc.Arbitrary<number> {
  return fc.oneof(
    Type === Float32Array
      ? fc.float({ noNaN: true, noDefaultInfinity: true })
      : fc.double({ noNaN: true, noDefaultInfinity: true }),
    moderateValue(Type),
  );
}

/** Any value, with the moderate ones made common. */
function mixedValue(Type: FloatArrayType): fc.Arbitrary<number> {
  return fc.oneof(anyValue(Type), moderateValue(Type));
}

function arrayOf(
  Type: FloatArrayType,
  value: fc.Arbitrary<number>,
): fc.Arbitrary<FloatArray> {
  return fc.array(value, LENGTHS).map((v) => Type.from(v));
}

/** Arbitrary arrays of 0 to 300 elements: fast-check's own typed arrays,
 * and arrays whose elements are often moderate. */
function anyArray(Type: FloatArrayType): fc.Arbitrary<FloatArray> {
  return fc.oneof(
    Type === Float32Array ? fc.float32Array(LENGTHS) : fc.float64Array(LENGTHS),
    arrayOf(Type, mixedValue(Type)),
  );
}

/** Two arrays of one length, `dy` and `x`. */
function arrayPair(
  Type: FloatArrayType,
  dyValue: fc.Arbitrary<number>,
  xValue: fc.Arbitrary<number>,
): fc.Arbitrary<[FloatArray, FloatArray]> {
  return fc.array(fc.tuple(dyValue, xValue), LENGTHS).map((
    pairs,
  ) => [Type.from(pairs.map((p) => p[0])), Type.from(pairs.map((p) => p[1]))]);
}

/** Rows: an array and a row length that divides its length. */
interface Rows {
  dy: FloatArray;
  x: FloatArray;
  axisLength: number;
}

/** `x` (and `dy`) cut into whole rows of a length drawn from 1 to its own
 * length, so that one long row and many short ones both come up. */
function rowsOf(
  Type: FloatArrayType,
  dyValue: fc.Arbitrary<number>,
  xValue: fc.Arbitrary<number>,
): fc.Arbitrary<Rows> {
  return fc.tuple(arrayPair(Type, dyValue, xValue), fc.nat()).map((
    [[dy, x], k],
  ) => {
    const axisLength = x.length === 0 ? 1 + k % 8 : 1 + k % x.length;
    const n = x.length - x.length % axisLength;
    return { dy: dy.subarray(0, n), x: x.subarray(0, n), axisLength };
  });
}

// ---------------------------------------------------------------------------
// The functions

/** The parameters of a call; each function reads the ones it has. */
interface Params {
  alpha?: number;
  beta?: number;
  slopes?: FloatArray;
}

interface Elementwise {
  name: string;
  params: (Type: FloatArrayType) => fc.Arbitrary<Params>;
  forward: (x: FloatArray, p: Params, out?: FloatArray) => FloatArray;
  backward: (
    dy: FloatArray,
    x: FloatArray,
    p: Params,
    out?: FloatArray,
  ) => FloatArray;
  /** Where f' or f'' jumps: a central difference is not O(h^2) there. */
  kinks?: (p: Params) => number[];
  /** The distance over which f bends near 0, when not about 1. */
  lengthScale?: (p: Params) => number;
  /** The size of what the forward rounds at x, when more than |f(x)|. */
  roundingScale?: (x: number, y: number, p: Params) => number;
  /**
   * How many Number.MIN_VALUE the float64 forward may be off at x where its
   * intermediates underflow: a subnormal intermediate times a factor k is
   * off by k MIN_VALUE / 2. By default 1 + |x|, for the forms x g(x).
   */
  underflowScale?: (x: number, p: Params) => number;
  /** Parameters under which f is non-decreasing, when some are. */
  monotonicParams?: (Type: FloatArrayType) => fc.Arbitrary<Params>;
  /** Bounds of f's values on any non-NaN input. */
  range?: [number, number];
}

const finiteParam = fc.double({ noNaN: true, noDefaultInfinity: true });
const nonZeroParam = finiteParam.filter((v) => v !== 0);
const nonNegativeParam = fc.double({
  min: 0,
  noNaN: true,
  noDefaultInfinity: true,
});

function none(): fc.Arbitrary<Params> {
  return fc.constant({});
}

function alphaFrom(alpha: fc.Arbitrary<number>): () => fc.Arbitrary<Params> {
  return () => alpha.map((a) => ({ alpha: a }));
}

function betaFrom(beta: fc.Arbitrary<number>): () => fc.Arbitrary<Params> {
  return () => beta.map((b) => ({ beta: b }));
}

/** PReLU's slopes as an array of the type of `x`, copied when the type
 * differs (the float64 finite differences of float32 slopes). */
function slopesFor(x: FloatArray, p: Params): FloatArray {
  const slopes = p.slopes!;
  if (slopes.constructor === x.constructor) return slopes;
  return x instanceof Float32Array
    ? Float32Array.from(slopes)
    : Float64Array.from(slopes);
}

function slopeParams(Type: FloatArrayType): fc.Arbitrary<Params> {
  const value = Type === Float32Array
    ? fc.float({ noNaN: true, noDefaultInfinity: true })
    : finiteParam;
  return fc.array(value, { minLength: 1, maxLength: 8 }).map((s) => ({
    slopes: Type.from(s),
  }));
}

function hardSigmoidKinks(p: Params): number[] {
  const alpha = p.alpha!;
  const beta = p.beta!;
  return alpha === 0 ? [] : [-beta / alpha, (1 - beta) / alpha];
}

const ELEMENTWISE: Elementwise[] = [
  {
    name: "relu",
    params: none,
    forward: (x, _, out) => act.relu(x, { out }),
    backward: (dy, x, _, out) => act.reluGrad(dy, x, { out }),
    kinks: () => [0],
    monotonicParams: none,
  },
  {
    name: "relu6",
    params: none,
    forward: (x, _, out) => act.relu6(x, { out }),
    backward: (dy, x, _, out) => act.relu6Grad(dy, x, { out }),
    kinks: () => [0, 6],
    monotonicParams: none,
    range: [0, 6],
  },
  {
    name: "leakyRelu",
    params: alphaFrom(finiteParam),
    forward: (x, p, out) => act.leakyRelu(x, { out, alpha: p.alpha }),
    backward: (dy, x, p, out) =>
      act.leakyReluGrad(dy, x, { out, alpha: p.alpha }),
    kinks: () => [0],
    monotonicParams: alphaFrom(nonNegativeParam),
  },
  {
    name: "prelu",
    params: slopeParams,
    forward: (x, p, out) => act.prelu(x, slopesFor(x, p), { out }),
    backward: (dy, x, p, out) =>
      act.preluGrad(dy, x, slopesFor(x, p), { out }).dx,
    kinks: () => [0],
  },
  {
    name: "elu",
    params: alphaFrom(finiteParam),
    forward: (x, p, out) => act.elu(x, { out, alpha: p.alpha }),
    backward: (dy, x, p, out) => act.eluGrad(dy, x, { out, alpha: p.alpha }),
    kinks: () => [0],
    underflowScale: (_, p) => 1 + Math.abs(p.alpha!),
    monotonicParams: alphaFrom(nonNegativeParam),
  },
  {
    name: "selu",
    params: none,
    forward: (x, _, out) => act.selu(x, { out }),
    backward: (dy, x, _, out) => act.seluGrad(dy, x, { out }),
    kinks: () => [0],
    underflowScale: () => 3,
    monotonicParams: none,
  },
  {
    name: "celu",
    params: alphaFrom(nonZeroParam),
    forward: (x, p, out) => act.celu(x, { out, alpha: p.alpha }),
    backward: (dy, x, p, out) => act.celuGrad(dy, x, { out, alpha: p.alpha }),
    kinks: () => [0],
    lengthScale: (p) => Math.abs(p.alpha!),
    underflowScale: (_, p) => 1 + Math.abs(p.alpha!),
    // celu'(x) is e^(x/alpha) > 0 for x < 0 whatever the sign of alpha.
    monotonicParams: alphaFrom(nonZeroParam),
  },
  {
    name: "gelu",
    params: none,
    forward: (x, _, out) => act.gelu(x, { out }),
    backward: (dy, x, _, out) => act.geluGrad(dy, x, { out }),
  },
  {
    name: "gelu tanh",
    params: none,
    forward: (x, _, out) => act.gelu(x, { out, approximate: "tanh" }),
    backward: (dy, x, _, out) =>
      act.geluGrad(dy, x, { out, approximate: "tanh" }),
  },
  {
    name: "silu",
    params: betaFrom(finiteParam),
    forward: (x, p, out) => act.silu(x, { out, beta: p.beta }),
    backward: (dy, x, p, out) => act.siluGrad(dy, x, { out, beta: p.beta }),
    lengthScale: (p) => 1 / Math.abs(p.beta!),
  },
  {
    name: "mish",
    params: none,
    forward: (x, _, out) => act.mish(x, { out }),
    backward: (dy, x, _, out) => act.mishGrad(dy, x, { out }),
  },
  {
    name: "sigmoid",
    params: none,
    forward: (x, _, out) => act.sigmoid(x, { out }),
    backward: (dy, x, _, out) => act.sigmoidGrad(dy, x, { out }),
    monotonicParams: none,
    range: [0, 1],
  },
  {
    name: "hardSigmoid",
    params: () =>
      fc.record({ alpha: finiteParam, beta: finiteParam }) as fc.Arbitrary<
        Params
      >,
    forward: (x, p, out) =>
      act.hardSigmoid(x, { out, alpha: p.alpha, beta: p.beta }),
    backward: (dy, x, p, out) =>
      act.hardSigmoidGrad(dy, x, { out, alpha: p.alpha, beta: p.beta }),
    kinks: hardSigmoidKinks,
    // alpha * x + beta cancels inside (0, 1) when both terms are large.
    roundingScale: (x, _, p) => Math.abs(p.alpha! * x) + Math.abs(p.beta!),
    underflowScale: () => 1,
    monotonicParams: () =>
      fc.record({ alpha: nonNegativeParam, beta: finiteParam }) as fc.Arbitrary<
        Params
      >,
    range: [0, 1],
  },
  {
    name: "hardSwish",
    params: none,
    forward: (x, _, out) => act.hardSwish(x, { out }),
    backward: (dy, x, _, out) => act.hardSwishGrad(dy, x, { out }),
    kinks: () => [-3, 3],
  },
  {
    name: "tanh",
    params: none,
    forward: (x, _, out) => act.tanh(x, { out }),
    backward: (dy, x, _, out) => act.tanhGrad(dy, x, { out }),
    monotonicParams: none,
    range: [-1, 1],
  },
  {
    name: "softplus",
    params: betaFrom(nonZeroParam),
    forward: (x, p, out) => act.softplus(x, { out, beta: p.beta }),
    backward: (dy, x, p, out) => act.softplusGrad(dy, x, { out, beta: p.beta }),
    lengthScale: (p) => 1 / Math.abs(p.beta!),
    underflowScale: (_, p) => 1 + 1 / Math.abs(p.beta!),
    // softplus'(x) is sigmoid(beta * x) > 0 whatever the sign of beta.
    monotonicParams: betaFrom(nonZeroParam),
  },
  {
    name: "softsign",
    params: none,
    forward: (x, _, out) => act.softsign(x, { out }),
    backward: (dy, x, _, out) => act.softsignGrad(dy, x, { out }),
    kinks: () => [0],
    monotonicParams: none,
    range: [-1, 1],
  },
];

interface RowFunction {
  name: string;
  forward: (x: FloatArray, axisLength: number, out?: FloatArray) => FloatArray;
  backward: (
    dy: FloatArray,
    y: FloatArray,
    axisLength: number,
    out?: FloatArray,
  ) => FloatArray;
  /**
   * How far the gradient at `g` may move when each y in the row is off by a
   * relative `u` plus an absolute `floor` (log-softmax: off by
   * `u * (1 + |y|)`), as the y it is given is rounded, among the
   * subnormals to their grid: `dy` and `y` are the row, `i` the element's
   * place in it.
   */
  inputError: (
    dy: FloatArray,
    y: FloatArray,
    i: number,
    u: number,
    floor: number,
  ) => number;
  /** The size of what the float64 forward rounds, for a value y. */
  roundingScale: (y: number) => number;
}

const ROW_FUNCTIONS: RowFunction[] = [
  {
    name: "softmax",
    forward: (x, axisLength, out) => act.softmax(x, { axisLength, out }),
    backward: (dy, y, axisLength, out) =>
      act.softmaxGrad(dy, y, { axisLength, out }),
    // dx_i = y_i (dy_i - s), s = sum dy_j y_j: moving each y_j by
    // d_j <= u y_j + floor moves dx_i by at most
    // d_i (|dy_i| + |s|) + y_i sum |dy_j| d_j, that is
    // u y_i (|dy_i| + 2 sum |dy_j| y_j) + floor (|dy_i| + sum |dy_j| y_j +
    // y_i sum |dy_j|). The u part matters where y_i is near 1 and dy_i - s
    // cancels; the floor where y_i is a subnormal float32 (a logit 88 below
    // the row's maximum), which keeps only a few bits of its own.
    roundingScale: (y) => Math.abs(y),
    inputError: (dy, y, i, u, floor) => {
      let weighted = 0;
      let total = 0;
      for (let j = 0; j < y.length; j++) {
        weighted += Math.abs(dy[j]! * y[j]!);
        total += Math.abs(dy[j]!);
      }
      const di = Math.abs(dy[i]!);
      return u * y[i]! * (di + 2 * weighted) +
        floor * (di + weighted + y[i]! * total);
    },
  },
  {
    name: "logSoftmax",
    forward: (x, axisLength, out) => act.logSoftmax(x, { axisLength, out }),
    backward: (dy, y, axisLength, out) =>
      act.logSoftmaxGrad(dy, y, { axisLength, out }),
    // dx_i = dy_i - e^(y_i) sum dy_j: y_i off by d moves e^(y_i) by about
    // e^(y_i) d; twice that covers exp's own rounding and d^2.
    // log(sum) of a sum near 1 is off by EPS whatever its size, so each
    // value is off by ulps of |y| + 1, not of |y| alone.
    roundingScale: (y) => Math.abs(y) + 1,
    // Among the subnormals y is off by the floor, which u (1 + |y|) covers.
    inputError: (dy, y, i, u, _floor) => {
      let total = 0;
      for (let j = 0; j < dy.length; j++) total += Math.abs(dy[j]!);
      return 2 * u * (1 + Math.abs(y[i]!)) * Math.exp(y[i]!) * total;
    },
  },
];

function describeParams(p: Params): string {
  return JSON.stringify(
    p,
    (_, v) =>
      v instanceof Float32Array || v instanceof Float64Array
        ? Array.from(v)
        : v,
  );
}

// ---------------------------------------------------------------------------
// Finite differences

// The forward values a finite difference reads are trusted to within ULPS
// float64 ulps (of |f|, or of the roundingScale): the kernels claim one ulp
// for libm functions and a few for the formulas built on them.
const ULPS = 8;

// What the gradient may differ from the central difference by, relative to
// it, beyond the truncation estimate and the rounding noise below: the
// gradient kernels' own error (a few ulps, up to ~1e-13 where an argument
// near 745 feeds exp), the rounding of arguments inside the forward, which
// reaches ~EPS * |arg| / (h * |arg'|) ~ 2e-10 of the slope since h grows
// with |x|, and the O(h^4) terms, (1e-3)^4 at most. 1e-7 covers all three
// with a margin of several hundred.
const RTOL = 1e-7;

/** The largest power of two at or below v (within a factor 2). */
function powerOfTwoBelow(v: number): number {
  return 2 ** Math.floor(Math.log2(v));
}

/**
 * The step of the central difference at x: about 1e-6 of max(|x|, L) with
 * L the function's length scale capped at 1. Growing with |x| keeps the
 * rounding noise, ULPS ulps of |f| / h, small where f ~ x; tying it to L
 * near 0 keeps h / L small where f bends fastest. Exponential tails only
 * matter while |x| / L < 745, so h / L stays under ~1e-3 there. A power of
 * two, so that x +- h and x +- 2h are exact for |x| >= L.
 */
function stepAt(x: number, lengthScale: number): number {
  return 2 ** -20 *
    powerOfTwoBelow(Math.max(Math.abs(x), Math.min(1, lengthScale)));
}

/** x moved by k steps, element by element. */
function moved(x: Float64Array, h: Float64Array, k: number): Float64Array {
  return x.map((v, i) => v + k * h[i]!);
}

/**
 * The central difference (f(x + h) - f(x - h)) / width over the points
 * actually reached, and the bound on its rounding noise, given the bound
 * `error(x, f(x))` on each value's own error.
 */
function difference(
  fp: number,
  fm: number,
  xp: number,
  xm: number,
  error: (x: number, y: number) => number,
): { slope: number; noise: number } {
  const width = xp - xm;
  return {
    slope: (fp - fm) / width,
    noise: (error(xp, fp) + error(xm, fm)) / width,
  };
}

// ---------------------------------------------------------------------------
// Shapes, purity and where the result goes

for (const Type of ARRAY_TYPES) {
  Deno.test(`forward functions in ${Type.name}: shape, input, out, in place`, async (t) => {
    for (const [k, spec] of ELEMENTWISE.entries()) {
      await t.step(spec.name, () => {
        fc.assert(
          fc.property(
            anyArray(Type),
            spec.params(Type),
            anyValue(Type),
            (x, p, filler) => {
              const before = x.slice();
              const slopes = p.slopes?.slice();
              const y = spec.forward(x, p);
              assert.ok(y instanceof Type, "type");
              assert.equal(y.length, x.length);
              assert.notEqual(y.buffer, x.buffer, "a new array");
              assertSameValues(x, before, "input changed");
              if (slopes) assertSameValues(p.slopes!, slopes, "slopes changed");

              const out = new Type(x.length).fill(filler);
              assert.equal(spec.forward(x, p, out), out);
              assertSameValues(out, y, "into out");

              const inPlace = x.slice();
              assert.equal(spec.forward(inPlace, p, inPlace), inPlace);
              assertSameValues(inPlace, y, "in place");
            },
          ),
          options(k, RUNS),
        );
      });
    }
  });

  Deno.test(`gradients in ${Type.name}: shape, inputs, out, in place`, async (t) => {
    for (const [k, spec] of ELEMENTWISE.entries()) {
      await t.step(`${spec.name}Grad`, () => {
        fc.assert(
          fc.property(
            arrayPair(Type, mixedValue(Type), mixedValue(Type)),
            spec.params(Type),
            anyValue(Type),
            ([dy, x], p, filler) => {
              const dyBefore = dy.slice();
              const xBefore = x.slice();
              const dx = spec.backward(dy, x, p);
              assert.ok(dx instanceof Type, "type");
              assert.equal(dx.length, x.length);
              assert.notEqual(dx.buffer, dy.buffer, "a new array");
              assert.notEqual(dx.buffer, x.buffer, "a new array");
              assertSameValues(dy, dyBefore, "dy changed");
              assertSameValues(x, xBefore, "x changed");

              const out = new Type(x.length).fill(filler);
              assert.equal(spec.backward(dy, x, p, out), out);
              assertSameValues(out, dx, "into out");

              const overDy = dy.slice();
              assert.equal(spec.backward(overDy, x, p, overDy), overDy);
              assertSameValues(overDy, dx, "in place over dy");

              const overX = x.slice();
              assert.equal(spec.backward(dy, overX, p, overX), overX);
              assertSameValues(overX, dx, "in place over x");
            },
          ),
          options(100 + k, RUNS),
        );
      });
    }

    await t.step("preluGrad's dalpha", () => {
      fc.assert(
        fc.property(
          arrayPair(Type, mixedValue(Type), mixedValue(Type)),
          slopeParams(Type),
          anyValue(Type),
          ([dy, x], p, filler) => {
            const slopes = p.slopes!;
            const before = slopes.slice();
            const { dalpha } = act.preluGrad(dy, x, slopes);
            assert.ok(dalpha instanceof Type, "type");
            assert.equal(dalpha.length, slopes.length);
            assertSameValues(slopes, before, "slopes changed");

            const out = new Type(x.length);
            const dalphaOut = new Type(slopes.length).fill(filler);
            const given = act.preluGrad(dy, x, slopes, { out, dalphaOut });
            assert.equal(given.dalpha, dalphaOut);
            assertSameValues(dalphaOut, dalpha, "into dalphaOut");

            const overX = x.slice();
            assertSameValues(
              act.preluGrad(dy, overX, slopes, { out: overX }).dalpha,
              dalpha,
              "dalpha with dx in place over x",
            );
          },
        ),
        options(199, RUNS),
      );
    });
  });

  Deno.test(`row functions in ${Type.name}: shape, inputs, out, in place`, async (t) => {
    for (const [k, spec] of ROW_FUNCTIONS.entries()) {
      await t.step(spec.name, () => {
        fc.assert(
          fc.property(
            rowsOf(Type, mixedValue(Type), mixedValue(Type)),
            anyValue(Type),
            ({ x, axisLength }, filler) => {
              const before = x.slice();
              const y = spec.forward(x, axisLength);
              assert.ok(y instanceof Type, "type");
              assert.equal(y.length, x.length);
              assert.notEqual(y.buffer, x.buffer, "a new array");
              assertSameValues(x, before, "input changed");

              const out = new Type(x.length).fill(filler);
              assert.equal(spec.forward(x, axisLength, out), out);
              assertSameValues(out, y, "into out");

              const inPlace = x.slice();
              assert.equal(spec.forward(inPlace, axisLength, inPlace), inPlace);
              assertSameValues(inPlace, y, "in place");
            },
          ),
          options(200 + k, RUNS),
        );
      });

      await t.step(`${spec.name}Grad`, () => {
        fc.assert(
          fc.property(
            rowsOf(Type, mixedValue(Type), mixedValue(Type)),
            anyValue(Type),
            ({ dy, x: y, axisLength }, filler) => {
              const dyBefore = dy.slice();
              const yBefore = y.slice();
              const dx = spec.backward(dy, y, axisLength);
              assert.ok(dx instanceof Type, "type");
              assert.equal(dx.length, y.length);
              assert.notEqual(dx.buffer, dy.buffer, "a new array");
              assertSameValues(dy, dyBefore, "dy changed");
              assertSameValues(y, yBefore, "y changed");

              const out = new Type(y.length).fill(filler);
              assert.equal(spec.backward(dy, y, axisLength, out), out);
              assertSameValues(out, dx, "into out");

              const overDy = dy.slice();
              assert.equal(
                spec.backward(overDy, y, axisLength, overDy),
                overDy,
              );
              assertSameValues(overDy, dx, "in place over dy");

              const overY = y.slice();
              assert.equal(spec.backward(dy, overY, axisLength, overY), overY);
              assertSameValues(overY, dx, "in place over y");
            },
          ),
          options(210 + k, RUNS),
        );
      });
    }
  });
}

Deno.test("swish and swishGrad are silu and siluGrad", () => {
  // The same functions, so silu's properties are swish's.
  assert.equal(act.swish, act.silu);
  assert.equal(act.swishGrad, act.siluGrad);
});

// ---------------------------------------------------------------------------
// Values

for (const Type of ARRAY_TYPES) {
  Deno.test(`forward values in ${Type.name}`, async (t) => {
    await t.step("relu(x) is max(x, 0) exactly: NaN stays, -0 gives +0", () => {
      fc.assert(
        fc.property(anyArray(Type), (x) => {
          const expected = x.map((v) => Number.isNaN(v) ? v : v > 0 ? v : 0);
          assertSameValues(act.relu(x), expected, "relu");
        }),
        options(300, RUNS),
      );
    });

    for (const [k, spec] of ELEMENTWISE.entries()) {
      const range = spec.range;
      if (!range) continue;
      await t.step(`${spec.name} lies in [${range}]`, () => {
        fc.assert(
          fc.property(anyArray(Type), spec.params(Type), (x, p) => {
            const y = spec.forward(x, p);
            x.forEach((v, i) => {
              if (Number.isNaN(v)) return;
              const w = y[i]!;
              if (!(w >= range[0] && w <= range[1])) {
                assert.fail(
                  `${spec.name}(${show(v)}) = ${w} with ${describeParams(p)}`,
                );
              }
            });
          }),
          options(310 + k, RUNS),
        );
      });
    }

    await t.step("tanh is odd exactly: tanh(-x) = -tanh(x)", () => {
      fc.assert(
        fc.property(anyArray(Type), (x) => {
          const negated = act.tanh(x.map((v) => -v));
          assertSameValues(negated, act.tanh(x).map((v) => -v), "tanh(-x)");
        }),
        options(330, RUNS),
      );
    });

    for (const [k, spec] of ELEMENTWISE.entries()) {
      const monotonicParams = spec.monotonicParams;
      if (!monotonicParams) continue;
      await t.step(`${spec.name} is non-decreasing`, () => {
        fc.assert(
          fc.property(
            arrayOf(Type, finiteValue(Type)),
            monotonicParams(Type),
            (values, p) => {
              const x = values.sort();
              const y = spec.forward(x, p);
              const bound = monotonicSlack(spec.name, Type);
              for (let i = 1; i < x.length; i++) {
                // Each output is within `bound` ulps of the correctly
                // rounded value r, and r is non-decreasing (rounding is), so
                // y[i-1] <= r[i-1] + bound ulp <= r[i] + bound ulp
                // <= y[i] + bound (ulp(y[i-1]) + ulp(y[i])). With bound 0
                // (the exact functions) this is y[i-1] <= y[i].
                const a = y[i - 1]!;
                const b = y[i]!;
                const slack = bound === 0
                  ? 0
                  : bound * (ulpAbove(a, Type) + ulpAbove(b, Type));
                if (!(a <= b + slack)) {
                  assert.fail(
                    `${spec.name}(${show(x[i - 1]!)}) = ${a} but ` +
                      `${spec.name}(${show(x[i]!)}) = ${b}, ` +
                      `more than ${bound} ulp each below, with ` +
                      describeParams(p),
                  );
                }
              }
            },
          ),
          options(340 + k, RUNS),
        );
      });
    }
  });

  Deno.test(`softmax and logSoftmax values in ${Type.name}`, async (t) => {
    // The kernels work in float64 and round each output once into the type.
    // In float64 each p_i = e^(x_i - max) / total is within 4 EPS of itself
    // relative (exp 2, the division 1, the compensated total 1), plus an
    // absolute EPS d e^-d <= 0.37 EPS from rounding d = max - x_i before exp.
    // The outputs therefore sum to within 4 EPS + 0.37 L EPS of 1; rounding
    // them into the type adds at most u sum(p_i) = u (u = 2^-24 for float32,
    // nothing more for float64), and summing them here in float64 adds
    // (L - 1) EPS. In all, |sum - 1| <= u + (L + 4) 2^-52.
    const u = Type === Float32Array ? 2 ** -24 : 0;

    await t.step("rows of finite values sum to 1; all in [0, 1]", () => {
      fc.assert(
        fc.property(
          rowsOf(Type, fc.constant(0), finiteValue(Type)),
          ({ x, axisLength: L }) => {
            const y = act.softmax(x, { axisLength: L });
            const bound = u + (L + 4) * ULP;
            for (let start = 0; start < x.length; start += L) {
              let sum = 0;
              for (let i = start; i < start + L; i++) {
                assert.ok(y[i]! >= 0 && y[i]! <= 1, `softmax ${y[i]}`);
                sum += y[i]!;
              }
              assert.ok(
                Math.abs(sum - 1) <= bound,
                `row at ${start} of ${L} sums to 1 ${
                  sum - 1 < 0 ? "-" : "+"
                } ` +
                  `${Math.abs(sum - 1)}, bound ${bound}: ` +
                  `[${x.subarray(start, start + L).join(", ")}]`,
              );
            }
          },
        ),
        options(400, RUNS),
      );
    });

    await t.step(
      "any row, infinities and NaN included, is NaN or in [0, 1]",
      () => {
        fc.assert(
          fc.property(
            rowsOf(Type, fc.constant(0), mixedValue(Type)),
            ({ x, axisLength }) => {
              for (const v of act.softmax(x, { axisLength })) {
                assert.ok(Number.isNaN(v) || (v >= 0 && v <= 1), `${v}`);
              }
            },
          ),
          options(401, RUNS),
        );
      },
    );

    await t.step("adding a constant to a row leaves softmax unchanged", () => {
      fc.assert(
        fc.property(
          rowsOf(Type, fc.constant(0), finiteValue(Type)),
          fc.oneof(moderateValue(Type), finiteValue(Type)),
          ({ x, axisLength: L }, c) => {
            const shifted = x.map((v) => v + c);
            const y = act.softmax(x, { axisLength: L });
            const ys = act.softmax(shifted, { axisLength: L });
            for (let start = 0; start < x.length; start += L) {
              // Storing x + c rounds, so each element moves by its own d_i.
              // Then ys_i / y_i lies within e^(+-spread), spread being
              // max d - min d (its float64 difference off by 2 EPS max |d|),
              // and each computed side is off by (u' + 4 EPS) of itself plus
              // 0.37 EPS, u' being 2^-24 for float32 and 0 for float64.
              let lo = Infinity;
              let hi = -Infinity;
              let largest = 0;
              const row = shifted.subarray(start, start + L);
              // Where x + c overflowed, there is no shifted row to compare.
              if (!row.every(Number.isFinite)) continue;
              for (let i = start; i < start + L; i++) {
                const d = shifted[i]! - x[i]!;
                lo = Math.min(lo, d);
                hi = Math.max(hi, d);
                largest = Math.max(largest, Math.abs(d));
              }
              const spread = hi - lo + 4 * EPS * largest;
              for (let i = start; i < start + L; i++) {
                const m = Math.max(y[i]!, ys[i]!) * (1 + 2 * u + 16 * EPS);
                const bound = (m === 0 ? 0 : m * Math.expm1(spread)) +
                  2 * (u + 4 * EPS) * m + EPS;
                assert.ok(
                  Math.abs(ys[i]! - y[i]!) <= bound,
                  `softmax of ${x[i]} + ${c}: ${ys[i]} against ${y[i]}, ` +
                    `bound ${bound}`,
                );
              }
            }
          },
        ),
        options(402, RUNS),
      );
    });

    await t.step("logSoftmax = log(softmax) and is at most 0", () => {
      fc.assert(
        fc.property(
          rowsOf(Type, fc.constant(0), finiteValue(Type)),
          ({ x, axisLength }) => {
            const y = act.logSoftmax(x, { axisLength });
            const s = act.softmax(x, { axisLength });
            for (let i = 0; i < x.length; i++) {
              const v = y[i]!;
              assert.ok(v <= 0, `logSoftmax ${v}`);
              // Where softmax is normal (below, its relative precision goes).
              // Both share x_i - max, so the float64 parts differ by exp's,
              // the division's and the log-sum's rounding (<= 10 EPS, the
              // log-sum being at most log 300) plus 3 EPS |y| (a subtraction
              // and Math.log here); rounding into the type adds u (1 + |y|):
              // u |y| to logSoftmax and u in log space to softmax.
              if (!(s[i]! >= minNormal(Type))) continue;
              const bound = (u + 16 * ULP) * (1 + Math.abs(v));
              assert.ok(
                Math.abs(v - Math.log(s[i]!)) <= bound,
                `logSoftmax ${v}, log(softmax) ${Math.log(s[i]!)}`,
              );
            }
          },
        ),
        options(403, RUNS),
      );
    });
  });
}

// ---------------------------------------------------------------------------
// Gradients against central differences of the forward functions in float64

for (const Type of ARRAY_TYPES) {
  Deno.test(`gradients in ${Type.name} against finite differences`, async (t) => {
    for (const [k, spec] of ELEMENTWISE.entries()) {
      await t.step(`${spec.name}Grad`, () => {
        let compared = 0;
        fc.assert(
          fc.property(
            arrayPair(Type, finiteValue(Type), mixedValue(Type)),
            spec.params(Type),
            ([dy, x], p) => {
              const dx = spec.backward(dy, x, p);
              const x64 = Float64Array.from(x);
              const lengthScale = spec.lengthScale?.(p) ?? 1;
              const h = x64.map((v) =>
                Number.isFinite(v) ? stepAt(v, lengthScale) : 0
              );
              const f = (z: Float64Array): FloatArray => spec.forward(z, p);
              const [xp1, xm1, xp2, xm2] = [1, -1, 2, -2].map((s) =>
                moved(x64, h, s)
              ) as [Float64Array, Float64Array, Float64Array, Float64Array];
              const [fp1, fm1, fp2, fm2] = [xp1, xm1, xp2, xm2].map(f);
              const kinks = spec.kinks?.(p) ?? [];
              // Each value off by ULPS ulps of its scale, and by what its
              // underflowing intermediates lose.
              const scale = spec.roundingScale ?? ((_, y) => Math.abs(y));
              const underflow = spec.underflowScale ??
                ((z) => 1 + Math.abs(z));
              const error = (z: number, y: number): number =>
                ULPS * ULP * scale(z, y, p) +
                underflow(z, p) * Number.MIN_VALUE;

              for (let i = 0; i < x64.length; i++) {
                const v = x64[i]!;
                const context = (): string =>
                  `${spec.name}Grad at x = ${show(v)}, dy = ${dy[i]}, ` +
                  describeParams(p);
                if (Number.isNaN(v)) {
                  assert.ok(Number.isNaN(dx[i]), `${context()}: not NaN`);
                  continue;
                }
                if (!Number.isFinite(v)) continue;
                // Skip kinks, whose stencil reaches 2h, with a margin of 2.
                if (kinks.some((kink) => Math.abs(v - kink) <= 4 * h[i]!)) {
                  continue;
                }
                const points = [xp1[i]!, xm1[i]!, xp2[i]!, xm2[i]!] as const;
                const near = [fp1![i]!, fm1![i]!, fp2![i]!, fm2![i]!] as const;
                if (![...points, ...near].every(Number.isFinite)) continue;
                if (!(points[0] > points[1] && points[2] > points[3])) continue;

                const one = difference(
                  near[0],
                  near[1],
                  points[0],
                  points[1],
                  error,
                );
                const two = difference(
                  near[2],
                  near[3],
                  points[2],
                  points[3],
                  error,
                );
                // The truncation error of a central difference is c h^2 +
                // O(h^4), so D(2h) - D(h) is about 3 c h^2: three times the
                // error of D(h), which lets the check find its own margin
                // where f' nears 0 or f bends fast. It also carries D(2h)'s
                // noise, so it can only loosen, never tighten, the bound.
                const tolerance = RTOL * Math.abs(one.slope) +
                  Math.abs(two.slope - one.slope) + one.noise;
                const g = dy[i]!;
                assertClose(
                  dx[i]!,
                  g * one.slope,
                  Math.abs(g) * tolerance,
                  Type,
                  context,
                );
                compared++;
              }
            },
          ),
          options(500 + k, GRADIENT_RUNS),
        );
        // The filters above must leave the check something to do.
        assert.ok(
          compared >= 10 * GRADIENT_RUNS,
          `${compared} points compared`,
        );
      });
    }

    await t.step("preluGrad's dalpha", () => {
      fc.assert(
        fc.property(
          arrayPair(Type, finiteValue(Type), mixedValue(Type)),
          slopeParams(Type),
          ([dy, x], p) => {
            const slopes = p.slopes!;
            const m = slopes.length;
            const { dalpha } = act.preluGrad(dy, x, slopes);
            const x64 = Float64Array.from(x);
            // Each element depends on its own slope only, so moving every
            // slope at once gives each element's partial derivative.
            const a = Float64Array.from(slopes);
            const h = a.map((v) => stepAt(v, 1));
            const ap1 = moved(a, h, 1);
            const am1 = moved(a, h, -1);
            const ap2 = moved(a, h, 2);
            const am2 = moved(a, h, -2);
            const [fp1, fm1, fp2, fm2] = [ap1, am1, ap2, am2].map((s) =>
              act.prelu(x64, s)
            );
            const error = (_: number, y: number): number =>
              ULPS * ULP * Math.abs(y) + Number.MIN_VALUE;

            for (let j = 0; j < m; j++) {
              let expected = 0;
              let magnitude = 0;
              let tolerance = 0;
              let count = 0;
              let nan = false;
              for (let i = j; i < x64.length; i += m) {
                if (Number.isNaN(x64[i])) nan = true;
                const one = difference(
                  fp1![i]!,
                  fm1![i]!,
                  ap1[j]!,
                  am1[j]!,
                  error,
                );
                const two = difference(
                  fp2![i]!,
                  fm2![i]!,
                  ap2[j]!,
                  am2[j]!,
                  error,
                );
                const g = dy[i]!;
                expected += g * one.slope;
                magnitude += Math.abs(g * one.slope);
                tolerance += Math.abs(g) * (RTOL * Math.abs(one.slope) +
                  Math.abs(two.slope - one.slope) + one.noise);
                count++;
              }
              const context = (): string =>
                `dalpha[${j}] of ${describeParams(p)}`;
              if (nan) {
                assert.ok(Number.isNaN(dalpha[j]), `${context()}: not NaN`);
                continue;
              }
              // Summing here in float64 adds count EPS of the magnitude.
              tolerance += count * EPS * magnitude;
              assertClose(dalpha[j]!, expected, tolerance, Type, context);
            }
          },
        ),
        options(599, GRADIENT_RUNS),
      );
    });

    for (const [k, spec] of ROW_FUNCTIONS.entries()) {
      await t.step(`${spec.name}Grad: the vector-Jacobian product`, () => {
        // The library's own output is the y the gradient is given: off from
        // the exact value by the rounding into the type, u, plus ULPS of
        // float64 error.
        const u = (Type === Float32Array ? 2 ** -24 : 0) + ULPS * ULP;
        let compared = 0;
        fc.assert(
          fc.property(
            rowsOf(Type, finiteValue(Type), finiteValue(Type)),
            ({ dy, x, axisLength: L }) => {
              const y = spec.forward(x, L);
              const dx = spec.backward(dy, y, L);
              const n = x.length;
              const x64 = Float64Array.from(x);
              // Softmax bends over a distance of about 1 wherever the row
              // lies, so h is 2^-20 everywhere; past 2^30 a float64 no longer
              // holds x +- 2h with room to spare and the element is skipped.
              const h = 2 ** -20;
              // Row by row, for each element g: g's row with x_g moved by
              // s h, laid one after another, so that one call of the forward
              // function covers every element.
              const rowsMoved = (s: number): Float64Array => {
                const z = new Float64Array(n * L);
                for (let g = 0; g < n; g++) {
                  const start = g - g % L;
                  z.set(x64.subarray(start, start + L), g * L);
                  z[g * L + g % L] = x64[g]! + s * h;
                }
                return z;
              };
              const [fp1, fm1, fp2, fm2] = [1, -1, 2, -2].map((s) =>
                spec.forward(rowsMoved(s), L)
              );

              for (let g = 0; g < n; g++) {
                const v = x64[g]!;
                if (Math.abs(v) >= 2 ** 30) continue;
                const start = g - g % L;
                const rowDy = dy.subarray(start, start + L);
                // The points reached, as rowsMoved computed them.
                const width1 = (v + h) - (v - h);
                const width2 = (v + 2 * h) - (v - 2 * h);
                // sum_j dy_j (f_j(x + h e_g) - f_j(x - h e_g)) / 2h, term by
                // term so that no large sums cancel.
                let one = 0;
                let two = 0;
                let magnitude = 0;
                let noise = 0;
                for (let j = 0; j < L; j++) {
                  const a = rowDy[j]!;
                  const p1 = fp1![g * L + j]!;
                  const m1 = fm1![g * L + j]!;
                  const p2 = fp2![g * L + j]!;
                  const m2 = fm2![g * L + j]!;
                  one += a * (p1 - m1) / width1;
                  two += a * (p2 - m2) / width2;
                  magnitude += Math.abs(a * (p1 - m1)) / width1;
                  // Each value off by ULPS ulps or among the subnormals, and
                  // the product with dy rounded among them too.
                  noise += (Math.abs(a) *
                      (ULPS * ULP *
                          (spec.roundingScale(p1) + spec.roundingScale(m1)) +
                        Number.MIN_VALUE) + Number.MIN_VALUE) / width1;
                }
                // The tolerance is relative to the sum of the terms' sizes,
                // not to their sum, which may cancel to nothing; each term's
                // truncation error is O(h^2) of itself, as every derivative of
                // softmax carries the factors p_g and p_j. L EPS covers the
                // float64 summation here, and L MIN_VALUE the kernel's sum of
                // products dy_j y_j that land among the subnormals.
                const tolerance = (RTOL + L * EPS) * magnitude +
                  L * Number.MIN_VALUE +
                  Math.abs(two - one) + noise +
                  spec.inputError(
                    rowDy,
                    y.subarray(start, start + L),
                    g % L,
                    u,
                    storeFloor(Type),
                  );
                const context = (): string =>
                  `${spec.name}Grad of element ${g % L} of row ` +
                  `[${x.subarray(start, start + L).join(", ")}], dy ` +
                  `[${rowDy.join(", ")}]`;
                assertClose(dx[g]!, one, tolerance, Type, context);
                compared++;
              }
            },
          ),
          options(600 + k, ROW_GRADIENT_RUNS),
        );
        assert.ok(compared >= 10 * ROW_GRADIENT_RUNS, `${compared} compared`);
      });
    }
  });
}
