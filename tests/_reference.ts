// Float64 references for every activation and its derivative, written for
// accuracy rather than speed: the accuracy probe and the tests measure the
// native kernels against them in ulps.
//
// Each scalar function returns the value, or the derivative f'(x), of the
// exact mathematical function at the given double, within a few float64
// ulps, so that rounding it to float32 is almost always correctly rounded.
// To get there:
// - exp-like tails use Math.expm1, Math.log1p and forms that never subtract
//   nearly equal numbers (sigmoid, softplus, tanh' and mish are rewritten so
//   that the small quantity is computed directly);
// - where a rounded argument feeds a steep function (erfc(-x/sqrt2) at
//   x = -37, exp(2u) in the tanh GELU, exp(beta*x)), the argument is carried
//   as a double-double and its low part applied as a first-order correction,
//   since a half-ulp error in an argument of 700 is 350 ulps in exp;
// - constants (SELU's alpha and scale, sqrt(2/pi), ...) are double-doubles
//   taken from 32-digit values;
// - row sums use double-double accumulation.
//
// Non-finite inputs follow the limits: gelu, silu, mish and hardSwish of
// -Infinity are -0 (x times a factor that goes to 0 faster), not the NaN of
// a naive -Infinity * 0. NaN in gives NaN out, for derivatives too.
//
// Names: `fooDerivative(x)` is f'(x); `fooGrad(dy, ...)` is the backward pass
// over whole arrays, as in mod.ts.

import erfc from "@stdlib/math-base-special-erfc";

/** A double-double: the unevaluated sum hi + lo, with |lo| <= ulp(hi) / 2. */
type DD = [number, number];

/** a + b exactly, as a rounded sum and its error (Knuth). */
function twoSum(a: number, b: number): DD {
  const s = a + b;
  // An infinite or NaN sum has no error term (it would come out NaN).
  if (!Number.isFinite(s)) return [s, 0];
  const bb = s - a;
  return [s, (a - (s - bb)) + (b - bb)];
}

// Veltkamp's split overflows past 2^996; callers keep their arguments far
// below that, and beyond it the error term is dropped.
const SPLITTER = 134217729; // 2^27 + 1
const SPLIT_LIMIT = 2 ** 996;

/** a * b exactly, as a rounded product and its error (Dekker). */
function twoProd(a: number, b: number): DD {
  const p = a * b;
  if (
    !Number.isFinite(p) || Math.abs(a) > SPLIT_LIMIT ||
    Math.abs(b) > SPLIT_LIMIT
  ) {
    return [p, 0];
  }
  const ca = SPLITTER * a;
  const ah = ca - (ca - a);
  const al = a - ah;
  const cb = SPLITTER * b;
  const bh = cb - (cb - b);
  const bl = b - bh;
  return [p, ((ah * bh - p) + ah * bl + al * bh) + al * bl];
}

function ddAdd(a: DD, b: DD): DD {
  const [s, e] = twoSum(a[0], b[0]);
  const t = e + a[1] + b[1];
  // Skipping a zero correction keeps the sign of a zero sum.
  return t === 0 ? [s, 0] : twoSum(s, t);
}

// A zero or non-finite leading product is returned alone: adding its zero
// error term would turn -0 into +0, and an infinite one would give NaN.

function ddMul(a: DD, b: DD): DD {
  const [p, e] = twoProd(a[0], b[0]);
  if (p === 0 || !Number.isFinite(p)) return [p, 0];
  return twoSum(p, e + a[0] * b[1] + a[1] * b[0]);
}

function ddMulNumber(a: DD, b: number): DD {
  const [p, e] = twoProd(a[0], b);
  if (p === 0 || !Number.isFinite(p)) return [p, 0];
  return twoSum(p, e + a[1] * b);
}

function ddDiv(a: DD, b: DD): DD {
  const q = a[0] / b[0];
  if (q === 0 || !Number.isFinite(q)) return [q, 0];
  // The remainder a - q*b, exact to double-double, gives the next digit.
  const r = ddAdd(a, ddMulNumber(b, -q));
  return twoSum(q, r[0] / b[0]);
}

/** hi + lo as a double, keeping the sign of a zero hi when lo is 0. */
function value(a: DD): number {
  return a[1] === 0 ? a[0] : a[0] + a[1];
}

// Constants as double-doubles, from 32-digit decimal values.
const SQRT1_2: DD = [0.7071067811865476, -4.833646656726457e-17];
const SQRT_8_OVER_PI: DD = [1.5957691216057308, -9.96930880911092e-17];
const INV_SQRT_2PI: DD = [0.3989422804014327, -2.49232720227773e-17];
const TWO_OVER_SQRT_PI = 1.1283791670955126;
const GELU_CUBIC: DD = [0.044715, 2.1960211427085595e-18];

/** SELU's alpha, 1.6732632423543772848170429916717. */
export const SELU_ALPHA = 1.6732632423543772;
/** SELU's scale, 1.0507009873554804934193349852946. */
export const SELU_SCALE = 1.0507009873554805;
const SELU_SCALE_DD: DD = [SELU_SCALE, 3.9874847667154144e-17];
const SELU_SCALE_ALPHA: DD = [1.7580993408473768, 1.41535193800845e-17];

/**
 * x/2 plus a positive term in x^2 too small to show: rounds a halfway case
 * upward, as the exact value does, where x * 0.5 would round it to even.
 * Used at tiny |x| by the functions that behave like x/2 + c*x^2 at 0.
 */
function halfPlusTiny(x: number): number {
  const half = x * 0.5;
  if (half * 2 === x) return half;
  const up = (x + Number.MIN_VALUE) * 0.5;
  // -MIN_VALUE / 2 plus a hair is still negative: -0, not +0.
  return up === 0 && x < 0 ? -0 : up;
}

const TINY = 2 ** -1000;

// Functions of a double-double argument z = hi + lo, first order in lo.

// ln 2 split so that k * LN2_HI is exact for k < 2^20 (fdlibm's constants).
const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
const SUBNORMAL_SCALE = 600;

/**
 * factor * exp(hi + lo) with a single rounding at the end, also where the
 * result is subnormal: there Math.exp(hi) would round to an absolute ulp
 * first, and a factor of 700 would make that 700 ulps. So the exponent is
 * raised by 600 ln 2, the product formed among normal numbers, and scaled
 * back by the exact power 2^-600.
 */
function expTimes(hi: number, lo: number, factor: number): number {
  if (hi >= -700) {
    const e = Math.exp(hi);
    return value(ddMulNumber([e, e * lo], factor));
  }
  const k = SUBNORMAL_SCALE;
  const a = ddAdd([hi, lo], twoSum(k * LN2_HI, k * LN2_LO));
  const e = Math.exp(a[0]);
  return value(ddMulNumber([e, e * a[1]], factor)) * 2 ** -k;
}

/** exp(hi + lo). */
function expDD(hi: number, lo: number): number {
  return expTimes(hi, lo, 1);
}

// ---------------------------------------------------------------------------
// Double-double exp, sigmoid and erf, good to about 1e-30 relative, for the
// neighbourhoods of the zeros of gelu', silu' and mish'. There the result is
// a difference of terms near 0.2 that cancel to as little as 1e-17, so the
// terms need twice the digits that Math.exp (within 1 ulp) gives them.

const LN2: DD = [0.6931471805599453, 2.3190468138462996e-17];

/** exp(a) for moderate |a|: a = k ln2 + r, exp(r / 256) by Taylor's
 * series, squared 8 times, times 2^k. */
function ddExp(a: DD): DD {
  const k = Math.round(a[0] / LN2[0]);
  const r = ddAdd(a, ddMulNumber(LN2, -k));
  const small: DD = [r[0] / 256, r[1] / 256];
  // |small| < 0.0014, so 10 terms reach 1e-34.
  let term: DD = [1, 0];
  let sum: DD = [1, 0];
  for (let n = 1; n <= 10; n++) {
    term = ddDiv(ddMul(term, small), [n, 0]);
    sum = ddAdd(sum, term);
  }
  for (let i = 0; i < 8; i++) sum = ddMul(sum, sum);
  return [sum[0] * 2 ** k, sum[1] * 2 ** k];
}

/** sigmoid(z) = 1 / (1 + exp(-z)) in double-double. */
function ddSigmoid(z: DD): DD {
  return ddDiv([1, 0], ddAdd([1, 0], ddExp([-z[0], -z[1]])));
}

/** sigmoid'(z) = exp(-z) / (1 + exp(-z))^2 in double-double. */
function ddSigmoidSlope(z: DD): DD {
  const e = ddExp([-z[0], -z[1]]);
  const d = ddAdd([1, 0], e);
  return ddDiv(e, ddMul(d, d));
}

const TWO_OVER_SQRT_PI_DD: DD = [TWO_OVER_SQRT_PI, 1.533545961316588e-17];

/** erf(z) for |z| < 1 by its Taylor series in double-double:
 * 2/sqrt(pi) * sum (-1)^n z^(2n+1) / (n! (2n+1)). */
function ddErfSmall(z: DD): DD {
  const z2 = ddMul(z, z);
  let power = z; // (-1)^n z^(2n+1) / n!
  let sum = z;
  for (let n = 1; n <= 40; n++) {
    power = ddDiv(ddMul(power, [-z2[0], -z2[1]]), [n, 0]);
    const term = ddDiv(power, [2 * n + 1, 0]);
    sum = ddAdd(sum, term);
    if (Math.abs(term[0]) < 1e-34) break;
  }
  return ddMul(TWO_OVER_SQRT_PI_DD, sum);
}

/** sigmoid(hi + lo) as a double-double, never subtracting from 1. */
function sigmoidDD(hi: number, lo: number): DD {
  if (Number.isNaN(hi)) return [hi, 0];
  // e = exp(-|z|) <= 1, so 1 + e neither overflows nor loses e.
  const negative = hi < 0;
  const e = expDD(negative ? hi : -hi, negative ? lo : -lo);
  const d = twoSum(1, e);
  return ddDiv(negative ? [e, 0] : [1, 0], d);
}

/** sigmoid'(hi + lo) = e / (1 + e)^2 with e = exp(-|z|). */
function sigmoidSlopeDD(hi: number, lo: number): number {
  if (Number.isNaN(hi)) return hi;
  const e = hi < 0 ? expDD(hi, lo) : expDD(-hi, -lo);
  const d = twoSum(1, e);
  return value(ddDiv([e, 0], ddMul(d, d)));
}

// ---------------------------------------------------------------------------
// Piecewise-linear functions.

/** ReLU: x for x > 0, NaN for NaN, else +0. */
export function relu(x: number): number {
  return x > 0 ? x : Number.isNaN(x) ? x : 0;
}

/** ReLU'(x): 1 for x > 0, NaN for NaN, else 0 (0 at 0, as TF/PyTorch). */
export function reluDerivative(x: number): number {
  return x > 0 ? 1 : Number.isNaN(x) ? x : 0;
}

/** ReLU6: min(max(x, 0), 6), with NaN kept and -0 giving +0. */
export function relu6(x: number): number {
  if (Number.isNaN(x)) return x;
  return x > 0 ? (x < 6 ? x : 6) : 0;
}

/** ReLU6'(x): 1 on the open interval (0, 6), else 0 (0 at both kinks). */
export function relu6Derivative(x: number): number {
  if (Number.isNaN(x)) return x;
  return x > 0 && x < 6 ? 1 : 0;
}

/** Leaky ReLU: alpha * x for x < 0, else x (so -0 stays -0). */
export function leakyRelu(x: number, alpha = 0.2): number {
  return x < 0 ? alpha * x : x;
}

/** Leaky ReLU'(x): 1 for x > 0, else alpha (alpha at 0). */
export function leakyReluDerivative(x: number, alpha = 0.2): number {
  if (Number.isNaN(x)) return x;
  return x > 0 ? 1 : alpha;
}

/** PReLU over an array: element i uses alpha[i % alpha.length]. */
export function prelu(
  x: ArrayLike<number>,
  alpha: ArrayLike<number>,
): Float64Array {
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    y[i] = leakyRelu(x[i]!, alpha[i % alpha.length]!);
  }
  return y;
}

/**
 * PReLU's backward pass: dx = dy * (x > 0 ? 1 : a), and for each alpha j the
 * sum of dy[i] * (x[i] > 0 ? 0 : x[i]) over i % alpha.length == j, summed in
 * double-double so that the sum is the correctly rounded one.
 */
export function preluGrad(
  dy: ArrayLike<number>,
  x: ArrayLike<number>,
  alpha: ArrayLike<number>,
): { dx: Float64Array; dalpha: Float64Array } {
  const m = alpha.length;
  const dx = new Float64Array(x.length);
  const sums: DD[] = Array.from({ length: m }, (): DD => [0, 0]);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    const dyi = dy[i]!;
    dx[i] = dyi * leakyReluDerivative(xi, alpha[i % m]!);
    const term = xi > 0 ? 0 : xi;
    const j = i % m;
    sums[j] = ddAdd(sums[j]!, twoProd(dyi, term));
  }
  return { dx, dalpha: Float64Array.from(sums, value) };
}

/** Hard sigmoid: clamp(alpha * x + beta, 0, 1), from the exact alpha*x+beta. */
export function hardSigmoid(x: number, alpha = 0.2, beta = 0.5): number {
  const v = hardSigmoidLine(x, alpha, beta);
  if (Number.isNaN(v[0])) return v[0];
  if (v[0] < 0 || (v[0] === 0 && v[1] <= 0)) return 0;
  if (v[0] > 1 || (v[0] === 1 && v[1] >= 0)) return 1;
  return value(v);
}

/** Hard sigmoid'(x): alpha where 0 < alpha * x + beta < 1 exactly, else 0. */
export function hardSigmoidDerivative(
  x: number,
  alpha = 0.2,
  beta = 0.5,
): number {
  const v = hardSigmoidLine(x, alpha, beta);
  if (Number.isNaN(v[0])) return v[0];
  const above0 = v[0] > 0 || (v[0] === 0 && v[1] > 0);
  const below1 = v[0] < 1 || (v[0] === 1 && v[1] < 0);
  return above0 && below1 ? alpha : 0;
}

/** alpha * x + beta as a double-double, so that the clamp decides exactly. */
function hardSigmoidLine(x: number, alpha: number, beta: number): DD {
  if (!Number.isFinite(x)) return [alpha * x + beta, 0];
  return ddAdd(twoProd(alpha, x), [beta, 0]);
}

/** Hard swish: x * clamp(x + 3, 0, 6) / 6; -0 for x <= -3. */
export function hardSwish(x: number): number {
  if (Number.isNaN(x)) return x;
  if (x <= -3) return -0;
  if (x >= 3) return x;
  if (Math.abs(x) < TINY) return halfPlusTiny(x);
  // x * (x + 3) / 6 rounded once.
  const p = ddMulNumber(twoSum(x, 3), x);
  return value(ddDiv(p, [6, 0]));
}

/** Hard swish'(x): 0 for x <= -3, 1 for x >= 3, else (2x + 3) / 6. */
export function hardSwishDerivative(x: number): number {
  if (Number.isNaN(x)) return x;
  if (x <= -3) return 0;
  if (x >= 3) return 1;
  return value(ddDiv(twoSum(2 * x, 3), [6, 0]));
}

// ---------------------------------------------------------------------------
// Exponential-linear family.

/** ELU: x for x > 0, else alpha * expm1(x). */
export function elu(x: number, alpha = 1): number {
  return x > 0 ? x : alpha * Math.expm1(x);
}

/** ELU'(x): 1 for x > 0, else alpha * exp(x) (alpha at 0). */
export function eluDerivative(x: number, alpha = 1): number {
  return x > 0 ? 1 : expTimes(x, 0, alpha);
}

/** SELU: scale * elu(x, alpha) with the 32-digit constants. */
export function selu(x: number): number {
  if (x > 0) return value(ddMulNumber(SELU_SCALE_DD, x));
  return value(ddMulNumber(SELU_SCALE_ALPHA, Math.expm1(x)));
}

/** SELU'(x): scale for x > 0, else scale * alpha * exp(x) (so at 0 too). */
export function seluDerivative(x: number): number {
  if (x > 0) return SELU_SCALE;
  if (x < -700) return expTimes(x, 0, SELU_SCALE_ALPHA[0]);
  return value(ddMulNumber(SELU_SCALE_ALPHA, Math.exp(x)));
}

/** x / alpha as a double-double. */
function divideDD(x: number, alpha: number): DD {
  const q = x / alpha;
  if (!Number.isFinite(q) || q === 0) return [q, 0];
  const [p, e] = twoProd(q, alpha);
  return [q, ((x - p) - e) / alpha];
}

/**
 * CELU: x for x > 0, else alpha * expm1(x / alpha). Equal to elu(x, 1) at
 * alpha = 1, -0 included.
 */
export function celu(x: number, alpha = 1): number {
  if (x > 0 || Number.isNaN(x)) return x;
  const [q, lo] = divideDD(x, alpha);
  const m = Math.expm1(q);
  return alpha * (lo === 0 ? m : m + Math.exp(q) * lo);
}

/** CELU'(x): 1 for x > 0, else exp(x / alpha) (1 at 0). */
export function celuDerivative(x: number, alpha = 1): number {
  if (x > 0) return 1;
  const [q, lo] = divideDD(x, alpha);
  return expDD(q, lo);
}

// ---------------------------------------------------------------------------
// GELU.

// Below this x, Phi(x) and phi(x) are taken as exp(-x^2/2) times a factor,
// so that results near float64 underflow round once.
const GELU_TAIL = -36;

/**
 * erfcx(z) = exp(z^2) erfc(z) for z >= 25 by its asymptotic series
 * 1/(z sqrt(pi)) * sum (-1)^k (2k-1)!! / (2z^2)^k, whose terms fall by 1/700
 * or more each, so a dozen reach 1e-20.
 */
function erfcxLarge(z: number): number {
  const r = 1 / (2 * z * z);
  let term = 1;
  let sum = 1;
  for (let k = 1; Math.abs(term) > 1e-20; k++) {
    term *= -(2 * k - 1) * r;
    sum += term;
  }
  return sum / (z * Math.sqrt(Math.PI));
}

/** -x^2 / 2 as a double-double. */
function minusHalfSquare(x: number): DD {
  const [s, e] = twoProd(x, x);
  return [-0.5 * s, -0.5 * e];
}

/** The standard normal CDF, Phi(x) = erfc(-x / sqrt2) / 2. */
function normalCdf(x: number): number {
  // erfc's relative slope is about 2z at z, so the argument's rounding
  // (half an ulp of z = 26 near float64 underflow) is corrected for.
  const z = ddMulNumber(SQRT1_2, -x);
  const c = erfc(z[0]);
  if (z[1] === 0 || c === 0) return 0.5 * c;
  return 0.5 * (c - z[1] * TWO_OVER_SQRT_PI * Math.exp(-z[0] * z[0]));
}

/** The standard normal density, exp(-x^2 / 2) / sqrt(2 pi). */
function normalPdf(x: number): number {
  if (Math.abs(x) > 40) return 0;
  const [s, e] = twoProd(x, x);
  return value(ddMulNumber(INV_SQRT_2PI, expDD(-0.5 * s, -0.5 * e)));
}

/**
 * GELU: x * Phi(x) ("none"), or x * sigmoid(2u) with
 * u = sqrt(2/pi) * (x + 0.044715 x^3) ("tanh"), which equals
 * 0.5 x (1 + tanh(u)) without its cancellation in the negative tail.
 */
export function gelu(x: number, approximate: "none" | "tanh" = "none"): number {
  if (Number.isNaN(x)) return x;
  if (x === Infinity) return x;
  if (x === -Infinity) return -0;
  if (Math.abs(x) < TINY) return halfPlusTiny(x);
  if (approximate === "tanh") {
    // Beyond these, sigmoid(2u) is 1 in float64, or the result underflows.
    if (x > 10) return x;
    if (x < -30) return -0;
    const w = geluTanhArgument(x);
    // Where sigmoid(w) is exp(w) to float64 precision, one rounding.
    if (w[0] < -700) return expTimes(w[0], w[1], x);
    return value(ddMulNumber(sigmoidDD(w[0], w[1]), x));
  }
  if (x > 40) return x;
  if (x < -40) return -0;
  if (x < GELU_TAIL) {
    const [h, l] = minusHalfSquare(x);
    return expTimes(h, l, 0.5 * x * erfcxLarge(-x * SQRT1_2[0]));
  }
  return x * normalCdf(x);
}

/**
 * GELU'(x): Phi(x) + x * phi(x) ("none"); for "tanh", the exact derivative
 * of x * sigmoid(w), w = 2u: sigmoid(w) + x * sigmoid'(w) * w'(x).
 */
export function geluDerivative(
  x: number,
  approximate: "none" | "tanh" = "none",
): number {
  if (Number.isNaN(x)) return x;
  if (x === Infinity) return 1;
  if (x === -Infinity) return 0;
  if (approximate === "tanh") {
    if (x > 10) return 1;
    if (x < -30) return 0;
    const w = geluTanhArgument(x);
    if (x > -1.25 && x < -0.25) {
      // Around the zero at -0.7525: every term in double-double.
      const slope = geluTanhSlope(x);
      const term = ddMul(ddMul(slope, ddSigmoidSlope(w)), [x, 0]);
      return value(ddAdd(ddSigmoid(w), term));
    }
    const s = sigmoidDD(w[0], w[1]);
    const slope = geluTanhSlope(x);
    // In the tail s = s(1 - s) = exp(w): exp(w) (1 + x w').
    if (w[0] < -700) return expTimes(w[0], w[1], 1 + x * value(slope));
    const term = ddMulNumber(
      ddMulNumber(slope, sigmoidSlopeDD(w[0], w[1])),
      x,
    );
    return value(ddAdd(s, term));
  }
  if (x > 40) return 1;
  if (x < -40) return 0;
  if (x < GELU_TAIL) {
    // Phi + x phi = exp(-x^2/2) (erfcx(z) / 2 + x / sqrt(2 pi)); the two
    // terms are 1/(|x| sqrt(2 pi)) and -|x|/sqrt(2 pi): no cancellation.
    const [h, l] = minusHalfSquare(x);
    const factor = 0.5 * erfcxLarge(-x * SQRT1_2[0]) + x * INV_SQRT_2PI[0];
    return expTimes(h, l, factor);
  }
  if (x > -1.25 && x < -0.25) {
    // Around the zero at -0.7518: Phi(x) = (1 + erf(x / sqrt2)) / 2 and
    // phi(x) = exp(-x^2 / 2) / sqrt(2 pi), both in double-double.
    const cdf = ddAdd([1, 0], ddErfSmall(ddMulNumber(SQRT1_2, x)));
    const pdf = ddMul(INV_SQRT_2PI, ddExp(minusHalfSquare(x)));
    return value(ddAdd([cdf[0] / 2, cdf[1] / 2], ddMulNumber(pdf, x)));
  }
  return normalCdf(x) + x * normalPdf(x);
}

/** w'(x) = sqrt(8/pi) * (1 + 3 * 0.044715 * x^2), as a double-double. */
function geluTanhSlope(x: number): DD {
  return ddMul(
    SQRT_8_OVER_PI,
    ddAdd([1, 0], ddMul(ddMulNumber(GELU_CUBIC, 3), twoProd(x, x))),
  );
}

/** w = 2u = sqrt(8/pi) * (x + 0.044715 x^3), as a double-double. */
function geluTanhArgument(x: number): DD {
  const cube = ddMulNumber(twoProd(x, x), x);
  return ddMul(SQRT_8_OVER_PI, ddAdd([x, 0], ddMul(GELU_CUBIC, cube)));
}

// ---------------------------------------------------------------------------
// Sigmoid-weighted and smooth functions.

/** beta * x as a double-double. */
function scaled(x: number, beta: number): DD {
  return beta === 1 ? [x, 0] : twoProd(beta, x);
}

/** Logistic sigmoid 1 / (1 + exp(-x)), stable in both tails. */
export function sigmoid(x: number): number {
  return value(sigmoidDD(x, 0));
}

/** sigmoid'(x) = s (1 - s), as exp(-|x|) / (1 + exp(-|x|))^2. */
export function sigmoidDerivative(x: number): number {
  return sigmoidSlopeDD(x, 0);
}

/** SiLU (swish): x * sigmoid(beta * x); -0 at -Infinity for beta > 0. */
export function silu(x: number, beta = 1): number {
  if (Number.isNaN(x)) return x;
  if (beta > 0 && Math.abs(x) < TINY) return halfPlusTiny(x);
  const z = scaled(x, beta);
  // In the tail sigmoid(z) is exp(z) to float64 precision: one rounding.
  if (z[0] < -700 && Number.isFinite(x)) return expTimes(z[0], z[1], x);
  const s = sigmoidDD(z[0], z[1]);
  if (s[0] === 0) return x < 0 ? -0 : 0;
  return value(ddMulNumber(s, x));
}

/** SiLU'(x) = s + beta * x * s * (1 - s), with s = sigmoid(beta * x). */
export function siluDerivative(x: number, beta = 1): number {
  if (Number.isNaN(x)) return x;
  const z = scaled(x, beta);
  if (z[0] < -700 && Number.isFinite(z[0])) {
    return expTimes(z[0], z[1], 1 + value(z));
  }
  if (z[0] > -1.8 && z[0] < -0.8) {
    // Around the zero at z = -1.2785: every term in double-double.
    return value(ddAdd(ddSigmoid(z), ddMul(z, ddSigmoidSlope(z))));
  }
  const s = sigmoidDD(z[0], z[1]);
  const slope = sigmoidSlopeDD(z[0], z[1]);
  // At infinite z the slope is 0 and z * slope would be NaN.
  if (slope === 0) return value(s);
  return value(ddAdd(s, ddMulNumber(z, slope)));
}

/** tanh(x), from V8's fdlibm port. */
export function tanh(x: number): number {
  return Math.tanh(x);
}

/** tanh'(x) = 1 - tanh^2 = 4e / (1 + e)^2, e = exp(-2|x|): no cancellation. */
export function tanhDerivative(x: number): number {
  if (Number.isNaN(x)) return x;
  const e = Math.exp(-2 * Math.abs(x));
  if (e < 2 ** -1000) return expTimes(-2 * Math.abs(x), 0, 4);
  const d = twoSum(1, e);
  return value(ddDiv([4 * e, 0], ddMul(d, d)));
}

/**
 * Softplus: log1p(exp(beta x)) / beta, as max(z, 0) + log1p(exp(-|z|)) with
 * z = beta x, which neither overflows nor loses the tail (softplus(-745) is
 * 5e-324, softplus(-800) is 0).
 */
export function softplus(x: number, beta = 1): number {
  if (Number.isNaN(x)) return x;
  const [zh, zl] = scaled(x, beta);
  // Where beta * x overflows, softplus is x itself.
  if (zh === Infinity) return x;
  // In the tail log1p(e) is e, which may be subnormal: divide before rounding.
  if (zh < -700) return expTimes(zh, zl, 1 / beta);
  const e = zh > 0 ? expDD(-zh, -zl) : expDD(zh, zl);
  const tail = Math.log1p(e);
  const sum = zh > 0 ? ddAdd([zh, zl], [tail, 0]) : [tail, 0] as DD;
  return beta === 1 ? value(sum) : value(ddDiv(sum, [beta, 0]));
}

/** Softplus'(x) = sigmoid(beta * x). */
export function softplusDerivative(x: number, beta = 1): number {
  const z = scaled(x, beta);
  return value(sigmoidDD(z[0], z[1]));
}

/** Softsign: x / (1 + |x|), and +-1 at +-Infinity. */
export function softsign(x: number): number {
  if (Number.isNaN(x)) return x;
  if (!Number.isFinite(x)) return Math.sign(x);
  return value(ddDiv([x, 0], twoSum(1, Math.abs(x))));
}

/** Softsign'(x) = 1 / (1 + |x|)^2, 0 at +-Infinity. */
export function softsignDerivative(x: number): number {
  if (Number.isNaN(x)) return x;
  const a = Math.abs(x);
  // Past 2^500 the square would overflow; 1/x^2 is then exact enough.
  if (a > 2 ** 500) return (1 / a) * (1 / a);
  const d = twoSum(1, a);
  return value(ddDiv([1, 0], ddMul(d, d)));
}

/**
 * tanh(softplus(x)) as a double-double, with 1 - tanh(softplus(x)) beside
 * it: with e = exp(x) and n = e (e + 2), tanh(softplus(x)) = n / (n + 2),
 * and for x > 0, with e = exp(-x), 1 - tanh = 2e^2 / (1 + 2e + 2e^2).
 */
function tanhSoftplus(
  x: number,
  precise = false,
): { t: DD; oneMinusT: DD } {
  if (x <= 0) {
    const e = precise ? ddExp([x, 0]) : [Math.exp(x), 0] as DD;
    const n = ddMul(ddAdd(e, [2, 0]), e);
    const d = ddAdd(n, [2, 0]);
    return { t: ddDiv(n, d), oneMinusT: ddDiv([2, 0], d) };
  }
  const e = Math.exp(-x);
  const e2 = twoProd(e, e);
  const d = ddAdd(ddAdd([1, 0], [2 * e, 0]), [2 * e2[0], 2 * e2[1]]);
  const oneMinusT = ddDiv([2 * e2[0], 2 * e2[1]], d);
  return { t: ddAdd([1, 0], [-oneMinusT[0], -oneMinusT[1]]), oneMinusT };
}

/** Mish: x * tanh(softplus(x)); -0 at -Infinity. */
export function mish(x: number): number {
  if (Number.isNaN(x)) return x;
  if (x === Infinity) return x;
  if (x === -Infinity) return -0;
  // In the tail tanh(softplus(x)) is exp(x) to float64 precision.
  if (x < -700) return expTimes(x, 0, x);
  return value(ddMulNumber(tanhSoftplus(x).t, x));
}

/**
 * Mish'(x) = t + x * sigmoid(x) * (1 - t^2), t = tanh(softplus(x)), with
 * 1 - t^2 = (1 - t)(2 - (1 - t)) so that it keeps its digits for large x.
 */
export function mishDerivative(x: number): number {
  if (Number.isNaN(x)) return x;
  if (x === Infinity) return 1;
  if (x === -Infinity) return 0;
  if (x < -700) return expTimes(x, 0, 1 + x);
  // Around the zero at -1.1916 every term is taken in double-double.
  const precise = x > -1.7 && x < -0.7;
  const { t, oneMinusT } = tanhSoftplus(x, precise);
  const sech2 = ddMul(oneMinusT, ddAdd([2, 0], [-oneMinusT[0], -oneMinusT[1]]));
  const s = precise ? ddSigmoid([x, 0]) : sigmoidDD(x, 0);
  const term = ddMulNumber(ddMul(sech2, s), x);
  return value(ddAdd(t, term));
}

// ---------------------------------------------------------------------------
// Row functions over whole arrays: rows of `axisLength` consecutive elements.

function checkRows(length: number, axisLength: number): void {
  if (
    !Number.isInteger(axisLength) || axisLength < 1 ||
    length % axisLength !== 0
  ) {
    throw new RangeError(
      `axisLength ${axisLength} does not divide the length ${length}`,
    );
  }
}

/**
 * The row's maximum, NaN when the row holds a NaN, and the shifted entries
 * x - max as double-doubles. A row whose maximum is not finite (+Infinity, all
 * -Infinity, or NaN) is all NaN, as tf.softmax and tf.logSoftmax give.
 */
function shiftedRow(x: ArrayLike<number>, start: number, n: number): {
  shifted: DD[];
  argmax: number;
} | undefined {
  let max = -Infinity;
  let argmax = start;
  for (let i = start; i < start + n; i++) {
    const v = x[i]!;
    if (Number.isNaN(v)) return undefined;
    if (v > max) {
      max = v;
      argmax = i;
    }
  }
  if (!Number.isFinite(max)) return undefined;
  const shifted: DD[] = [];
  for (let i = start; i < start + n; i++) {
    const v = x[i]!;
    shifted.push(v === -Infinity ? [-Infinity, 0] : twoSum(v, -max));
  }
  return { shifted, argmax: argmax - start };
}

/** Softmax along rows: exp(x - max) / sum(exp(x - max)). */
export function softmax(
  x: ArrayLike<number>,
  axisLength: number = x.length,
): Float64Array {
  checkRows(x.length, axisLength);
  const y = new Float64Array(x.length);
  for (let start = 0; start < x.length; start += axisLength) {
    const row = shiftedRow(x, start, axisLength);
    if (row === undefined) {
      y.fill(NaN, start, start + axisLength);
      continue;
    }
    const e = row.shifted.map((d): DD => [expDD(d[0], d[1]), 0]);
    const sum = e.reduce(ddAdd, [0, 0]);
    for (let i = 0; i < axisLength; i++) {
      const d = row.shifted[i]!;
      // A subnormal e would round twice; divide before rounding instead.
      y[start + i] = d[0] < -700
        ? expTimes(d[0], d[1], 1 / value(sum))
        : value(ddDiv(e[i]!, sum));
    }
  }
  return y;
}

/**
 * Log-softmax along rows: (x - max) - log(sum(exp(x - max))), with the log
 * taken as log1p of the sum without the maximum's own 1, so that a row
 * dominated by its maximum keeps the small terms.
 */
export function logSoftmax(
  x: ArrayLike<number>,
  axisLength: number = x.length,
): Float64Array {
  checkRows(x.length, axisLength);
  const y = new Float64Array(x.length);
  for (let start = 0; start < x.length; start += axisLength) {
    const row = shiftedRow(x, start, axisLength);
    if (row === undefined) {
      y.fill(NaN, start, start + axisLength);
      continue;
    }
    let rest: DD = [0, 0];
    row.shifted.forEach((d, i) => {
      if (i !== row.argmax) rest = ddAdd(rest, [expDD(d[0], d[1]), 0]);
    });
    const r = value(rest);
    // log(1 + r) to double-double: log1p(r_hi) corrected by r_lo / (1 + r).
    const lse: DD = twoSum(Math.log1p(rest[0]), rest[1] / (1 + r));
    for (let i = 0; i < axisLength; i++) {
      const d = row.shifted[i]!;
      y[start + i] = d[0] === -Infinity
        ? -Infinity
        : value(ddAdd(d, [-lse[0], -lse[1]]));
    }
  }
  return y;
}

/** Softmax's backward pass from its output: dx = y * (dy - sum(dy * y)). */
export function softmaxGrad(
  dy: ArrayLike<number>,
  y: ArrayLike<number>,
  axisLength: number = y.length,
): Float64Array {
  checkRows(y.length, axisLength);
  const dx = new Float64Array(y.length);
  for (let start = 0; start < y.length; start += axisLength) {
    let dot: DD = [0, 0];
    for (let i = start; i < start + axisLength; i++) {
      dot = ddAdd(dot, twoProd(dy[i]!, y[i]!));
    }
    for (let i = start; i < start + axisLength; i++) {
      // dy - dot can cancel; it is exact here, so only the product rounds.
      const diff = ddAdd([dy[i]!, 0], [-dot[0], -dot[1]]);
      dx[i] = value(ddMulNumber(diff, y[i]!));
    }
  }
  return dx;
}

/** Log-softmax's backward pass from its output: dx = dy - exp(y) sum(dy). */
export function logSoftmaxGrad(
  dy: ArrayLike<number>,
  y: ArrayLike<number>,
  axisLength: number = y.length,
): Float64Array {
  checkRows(y.length, axisLength);
  const dx = new Float64Array(y.length);
  for (let start = 0; start < y.length; start += axisLength) {
    let sum: DD = [0, 0];
    for (let i = start; i < start + axisLength; i++) {
      sum = ddAdd(sum, [dy[i]!, 0]);
    }
    for (let i = start; i < start + axisLength; i++) {
      // dy - p cancels where the row's dy are alike: p in double-double.
      const yi = y[i]!;
      const p = yi > -700 && yi < 700
        ? ddMul(sum, ddExp([yi, 0]))
        : ddMulNumber(sum, Math.exp(yi));
      dx[i] = value(ddAdd([dy[i]!, 0], [-p[0], -p[1]]));
    }
  }
  return dx;
}
