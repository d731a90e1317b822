// Float64 references for every activation and its derivative, written for
// accuracy rather than speed: the accuracy probe and the tests measure the
// native kernels against them in ulps.
//
// Each elementwise function comes in two forms. `exact.foo(x)` returns a
// `Precise` value, (hi + lo) * 2^scale with hi + lo a double-double, within
// about 2^-90 of the exact value relative to it, so that `roundPrecise`
// rounds it correctly to float32 or float64, ties and subnormals included;
// `foo(x)` is that value rounded to float64. A gradient's reference is
// `roundPrecise(times(exact.fooDerivative(x), dy), Type)`: dy * f'(x) rounded
// once, as an exact kernel would give it.
//
// To get there:
// - exp is evaluated in double-double (a table of e^(j/256), built at load
//   by a slower series, and a short series on what remains), and carries a
//   separate power of two, so that tails far below the smallest double keep
//   every digit until the final rounding;
// - expm1, log1p, erfc and tanh are built on it without subtracting nearly
//   equal numbers, or with the loss bounded (expm1 near 0 loses at most 25
//   of ~104 bits);
// - arguments that feed steep functions (erfc(-x/sqrt2) near x = -38,
//   exp(2u) in the tanh GELU, exp(beta * x), exp(x / alpha)) are carried as
//   double-doubles, since half an ulp in an argument of 700 is 350 ulps of
//   the exponential;
// - constants (SELU's alpha and scale, sqrt(2/pi), 0.044715 as the decimal
//   it is) are double-doubles taken from 32-digit values.
// tests/ulp_test.ts checks these against values computed with 300-bit
// arithmetic (tests/tools/reference_values.py, with mpmath).
//
// Non-finite inputs follow the limits: gelu, silu, mish and hardSwish of
// -Infinity are -0 (x times a factor that goes to 0 faster), not the NaN of
// a naive -Infinity * 0. NaN in gives NaN out, for derivatives too.

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

// Veltkamp's split overflows past 2^996, and the error term of a product
// below 2^-969 is not representable; mulExact scales its operands into the
// safe range first.
const SPLITTER = 134217729; // 2^27 + 1
const SPLIT_LIMIT = 2 ** 996;

/** a * b exactly, as a rounded product and its error (Dekker), for
 * operands below 2^996 in magnitude. */
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

function ddNeg(a: DD): DD {
  return [-a[0], -a[1]];
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

/** a / b for a number b, as a double-double. */
function ddDivNumber(a: DD, b: number): DD {
  const q = a[0] / b;
  if (q === 0 || !Number.isFinite(q)) return [q, 0];
  const [p, e] = twoProd(q, b);
  return twoSum(q, ((a[0] - p) - e + a[1]) / b);
}

/** hi + lo as a double, keeping the sign of a zero hi when lo is 0. */
function value(a: DD): number {
  return a[1] === 0 ? a[0] : a[0] + a[1];
}

/** The exponent e of |v| in [2^e, 2^(e+1)), for finite non-zero v. */
function exponentOf(v: number): number {
  const view = EXPONENT_VIEW;
  view.setFloat64(0, v);
  const biased = (view.getUint16(0) >>> 4) & 0x7ff;
  if (biased !== 0) return biased - 1023;
  // Subnormal: scale into the normal range first.
  view.setFloat64(0, v * 2 ** 64);
  return ((view.getUint16(0) >>> 4) & 0x7ff) - 1023 - 64;
}

const EXPONENT_VIEW = new DataView(new ArrayBuffer(8));

/** v * 2^n for any integer n, exact whenever the result is normal. */
function scale2(v: number, n: number): number {
  let r = v;
  let k = n;
  while (k > 1000) {
    r *= 2 ** 1000;
    k -= 1000;
  }
  while (k < -1000) {
    r *= 2 ** -1000;
    k += 1000;
  }
  return r * 2 ** k;
}

/** a * b as a double-double for any finite operands: they are scaled
 * toward 1 by powers of two, so that Dekker's product is exact. */
function mulExact(a: number, b: number): DD {
  if (a === 0 || b === 0 || !Number.isFinite(a) || !Number.isFinite(b)) {
    return [a * b, 0];
  }
  const ea = exponentOf(a);
  const eb = exponentOf(b);
  const [p, e] = twoProd(scale2(a, -ea), scale2(b, -eb));
  return [scale2(p, ea + eb), scale2(e, ea + eb)];
}

// ---------------------------------------------------------------------------
// Precise values and their rounding.

/**
 * (hi + lo) * 2^scale: a double-double with its own power of two, so that
 * values far below the smallest double (an exponential's tail before it is
 * multiplied by a large dy) keep their digits. Non-finite and zero values
 * have lo = 0 and scale = 0.
 */
export interface Precise {
  hi: number;
  lo: number;
  scale: number;
}

function precise(d: DD | number, scale = 0): Precise {
  if (typeof d === "number") return normalized(d, 0, scale);
  return normalized(d[0], d[1], scale);
}

/** Whether v is 0, infinite or NaN: a value without a mantissa. */
function special(v: number): boolean {
  return v === 0 || !Number.isFinite(v);
}

/** Moves the exponent of hi into the scale, so that 1 <= |hi| < 2. */
function normalized(hi: number, lo: number, scale: number): Precise {
  if (hi === 0 || !Number.isFinite(hi)) return { hi, lo: 0, scale: 0 };
  const e = exponentOf(hi);
  return { hi: scale2(hi, -e), lo: scale2(lo, -e), scale: scale + e };
}

function toDD(p: Precise): DD {
  return [scale2(p.hi, p.scale), scale2(p.lo, p.scale)];
}

/** d with its exponent taken out, 1 <= |hi| < 2, and that exponent. */
function mantissa(d: DD | number): { m: DD; e: number } {
  const v: DD = typeof d === "number" ? [d, 0] : d;
  const e = exponentOf(v[0]);
  return { m: [scale2(v[0], -e), scale2(v[1], -e)], e };
}

/** p * d. Both mantissas lie in [1, 2), so the product neither overflows
 * nor underflows whatever the scales. */
export function times(p: Precise, d: DD | number): Precise {
  const head = typeof d === "number" ? d : d[0];
  if (special(p.hi) || special(head)) return precise(p.hi * head);
  const { m, e } = mantissa(d);
  const [hi, lo] = ddMul([p.hi, p.lo], m);
  return normalized(hi, lo, p.scale + e);
}

function divide(p: Precise, d: DD): Precise {
  if (special(p.hi) || special(d[0])) return precise(p.hi / d[0]);
  const { m, e } = mantissa(d);
  const [hi, lo] = ddDiv([p.hi, p.lo], m);
  return normalized(hi, lo, p.scale - e);
}

/** A tiny value of the sign of `sign` that only breaks ties: the exact
 * value lies a hair beyond hi in that direction. */
function nudged(p: Precise, sign: number): Precise {
  if (p.lo !== 0 || p.hi === 0 || !Number.isFinite(p.hi)) return p;
  return { ...p, lo: sign * Math.abs(p.hi) * 2 ** -80 };
}

/** Either array type's constructor. */
type FloatType = typeof Float32Array | typeof Float64Array;

/**
 * The value of `p` rounded to nearest, ties to even, in the type: Infinity
 * past its range, subnormals rounded on their own grid, and the sign of a
 * zero kept.
 */
export function roundPrecise(p: Precise, Type: FloatType): number {
  const { hi, lo, scale } = p;
  if (hi === 0 || !Number.isFinite(hi)) {
    return Type === Float32Array ? Math.fround(hi) : hi;
  }
  const single = Type === Float32Array;
  const precision = single ? 24 : 53;
  const minExponent = single ? -126 : -1022;
  const maxExponent = single ? 127 : 1023;

  const sign = hi < 0 ? -1 : 1;
  const mHi = Math.abs(hi);
  const mLo = sign * lo;
  // The exponent of the exact magnitude: one less than hi's when hi is a
  // power of two and lo takes something off it.
  let e = exponentOf(mHi);
  if (mLo < 0 && mHi === 2 ** e) e -= 1;
  e += scale;
  if (e > maxExponent) return sign * Infinity;
  const quantum = Math.max(e, minExponent) - (precision - 1);

  // The magnitude in units of the quantum: an integer part, the rest of
  // hi (exact), and lo. Whether the whole exceeds whole + 1/2 or falls
  // below whole - 1/2 is decided by the signs of exactly formed sums.
  const units = scale2(mHi, scale - quantum);
  const whole = Math.floor(units);
  const fraction = units - whole;
  const rest = scale2(mLo, scale - quantum);
  const odd = whole % 2 === 1;
  let n = whole;
  const aboveHalf = (fraction - 0.5) + rest;
  if (aboveHalf > 0 || (aboveHalf === 0 && odd)) {
    n += 1;
  } else if (fraction < 0.5) {
    const belowHalf = (fraction + 0.5) + rest;
    if (belowHalf < 0 || (belowHalf === 0 && odd)) n -= 1;
  }
  if (n === 0) return sign < 0 ? -0 : 0;
  const result = sign * scale2(n, quantum);
  return single ? Math.fround(result) : result;
}

function rounded(p: Precise): number {
  return roundPrecise(p, Float64Array);
}

// ---------------------------------------------------------------------------
// Constants, as double-doubles from 32-digit decimal values.

const LN2: DD = [0.6931471805599453, 2.3190468138462996e-17];
const SQRT1_2: DD = [0.7071067811865476, -4.833646656726457e-17];
const SQRT_8_OVER_PI: DD = [1.5957691216057308, -9.96930880911092e-17];
const INV_SQRT_2PI: DD = [0.3989422804014327, -2.49232720227773e-17];
const TWO_OVER_SQRT_PI: DD = [1.1283791670955126, 1.533545961316588e-17];
const SQRT_PI: DD = [1.772453850905516, -7.666586499825799e-17];
const GELU_CUBIC: DD = [0.044715, 2.1960211427085595e-18];

/** SELU's alpha, 1.6732632423543772848170429916717. */
export const SELU_ALPHA = 1.6732632423543772;
/** SELU's scale, 1.0507009873554804934193349852946. */
export const SELU_SCALE = 1.0507009873554805;
const SELU_SCALE_DD: DD = [SELU_SCALE, 3.9874847667154144e-17];
const SELU_SCALE_ALPHA: DD = [1.7580993408473768, 1.41535193800845e-17];

// ---------------------------------------------------------------------------
// exp, expm1, log1p, sigmoid and erfc in double-double.

/** e^a for |a| <= 0.35 by Taylor's series on a / 256, squared 8 times:
 * about 2^-96 relative. Used only to build the table below. */
function expSeries(a: DD): DD {
  const small: DD = [a[0] / 256, a[1] / 256];
  let term: DD = [1, 0];
  let sum: DD = [1, 0];
  // |small| < 0.0014, so 10 terms reach 1e-34.
  for (let n = 1; n <= 10; n++) {
    term = ddDiv(ddMul(term, small), [n, 0]);
    sum = ddAdd(sum, term);
  }
  for (let i = 0; i < 8; i++) sum = ddMul(sum, sum);
  return sum;
}

// e^(j/256) for j in [-90, 90], the reach of ln2/2 * 256.
const EXP_TABLE_HALF = 90;
const EXP_TABLE: DD[] = Array.from(
  { length: 2 * EXP_TABLE_HALF + 1 },
  (_, i) => expSeries([(i - EXP_TABLE_HALF) / 256, 0]),
);

/**
 * e^a as a Precise value, for a double-double a: a = k ln2 + j/256 + r with
 * |r| <= 1/512, e^r by a short series (terms past r^3 in double, below
 * 2^-40 each), times the table entry, times 2^k: about 2^-92 relative.
 * Past 10^5 in size the result is 0 or Infinity, beyond any scale a test
 * reaches.
 */
function expP(a: DD): Precise {
  const hi = a[0];
  if (Number.isNaN(hi)) return precise(NaN);
  if (hi < -1e5) return precise(0);
  if (hi > 1e5) return precise(Infinity);
  const k = Math.round(hi / LN2[0]);
  const y = ddAdd(a, ddMulNumber(LN2, -k));
  const j = Math.round(y[0] * 256);
  const r = ddAdd(y, [-j / 256, 0]);
  const r0 = r[0];
  const r2 = ddMul(r, r);
  const cube = ddDiv(ddMul(r2, r), [6, 0]);
  const tail = r2[0] * r2[0] *
    (1 / 24 + r0 * (1 / 120 + r0 * (1 / 720 + r0 / 5040)));
  const lower = ddAdd(ddMulNumber(r2, 0.5), ddAdd(cube, [tail, 0]));
  const er = ddAdd(ddAdd([1, 0], r), lower);
  const m = ddMul(EXP_TABLE[j + EXP_TABLE_HALF]!, er);
  return normalized(m[0], m[1], k);
}

function expDD(a: DD): DD {
  return toDD(expP(a));
}

// 1/n! and (-1)^(n+1)/n as double-doubles, for the series below.
const INVERSE_FACTORIALS: DD[] = [];
const LOG_SERIES: DD[] = [];
{
  let factorial = 1;
  for (let n = 1; n <= 12; n++) {
    factorial *= n;
    INVERSE_FACTORIALS[n] = ddDiv([1, 0], [factorial, 0]);
  }
  for (let n = 1; n <= 14; n++) {
    LOG_SERIES[n] = ddDiv([n % 2 === 1 ? 1 : -1, 0], [n, 0]);
  }
}

/**
 * The series a * (c_1 + a (c_2 + ... + a c_top)) in double-double.
 */
function series(a: DD, coefficients: DD[], top: number): DD {
  let p = coefficients[top]!;
  for (let n = top - 1; n >= 1; n--) p = ddAdd(ddMul(p, a), coefficients[n]!);
  return ddMul(p, a);
}

/**
 * e^a - 1 for a double-double a, keeping its relative precision: below
 * 2^-8 by Taylor's series to a^12 (the next term is 2^-100 of a), above as
 * e^a - 1, which loses at most 8 bits.
 */
function expm1DD(a: DD): DD {
  if (a[0] === 0 || Number.isNaN(a[0])) return a;
  if (a[0] === -Infinity) return [-1, 0];
  if (Math.abs(a[0]) < 2 ** -8) return series(a, INVERSE_FACTORIALS, 12);
  return ddAdd(expDD(a), [-1, 0]);
}

/**
 * log(1 + y) for a double-double y >= 0: below 2^-8 by its series to y^14,
 * above by one Newton step on e^l from Math.log1p, which loses at most 8
 * bits in the residual.
 */
function log1pDD(y: DD): DD {
  const v = value(y);
  if (v === 0 || !Number.isFinite(v)) return [Math.log1p(v), 0];
  if (v < 2 ** -8) return series(y, LOG_SERIES, 14);
  const l0 = Math.log1p(v);
  const e = expDD([l0, 0]);
  const residual = ddAdd(ddAdd([1, 0], y), ddNeg(e));
  return ddAdd([l0, 0], ddDiv(residual, e));
}

/** 1 + e, where e may lie far below the precision of 1. */
function onePlus(e: Precise): DD {
  if (e.hi === 0 || e.scale < -200) return [1, 0];
  return ddAdd([1, 0], toDD(e));
}

/** sigmoid(z) = 1 / (1 + e^-z), never subtracting from 1. */
function sigmoidP(z: DD): Precise {
  if (Number.isNaN(z[0])) return precise(NaN);
  if (z[0] === Infinity) return precise(1);
  if (z[0] === -Infinity) return precise(0);
  if (z[0] < 0) {
    const e = expP(z);
    return divide(e, onePlus(e));
  }
  const e = expP(ddNeg(z));
  return precise(ddDiv([1, 0], onePlus(e)));
}

/** sigmoid'(z) = e / (1 + e)^2 with e = e^-|z|. */
function sigmoidSlopeP(z: DD): Precise {
  if (Number.isNaN(z[0])) return precise(NaN);
  if (!Number.isFinite(z[0])) return precise(0);
  const e = expP(z[0] < 0 ? z : ddNeg(z));
  const d = onePlus(e);
  return divide(e, ddMul(d, d));
}

/**
 * erfc(a) for a double-double a >= 0 whose square is `square` (passed in,
 * as callers have it exactly). Below 3, from erf's series of positive
 * terms, erf(a) = 2/sqrt(pi) e^(-a^2) sum 2^n a^(2n+1) / (1 3 ... (2n+1)),
 * which loses at most 5 digits in 1 - erf; from 3 on, e^(-a^2) times
 * erfcx(a), from Laplace's continued fraction.
 */
function erfcP(a: DD, square: DD): Precise {
  const decay = expP(ddNeg(square));
  if (a[0] >= 3) return times(decay, erfcxDD(a));
  const twoA2 = ddMulNumber(square, 2);
  let term: DD = a;
  let sum: DD = a;
  for (let n = 1; n < 200; n++) {
    term = ddDivNumber(ddMul(term, twoA2), 2 * n + 1);
    sum = ddAdd(sum, term);
    if (term[0] <= sum[0] * 1e-34) break;
  }
  const erf = ddMul(ddMul(TWO_OVER_SQRT_PI, sum), toDD(decay));
  return precise(ddAdd([1, 0], ddNeg(erf)));
}

/**
 * erfcx(a) = e^(a^2) erfc(a) for a double-double a >= 3, from Laplace's
 * continued fraction
 * sqrt(pi) erfcx(a) = 1/(a + (1/2)/(a + (2/2)/(a + (3/2)/(a + ...)))),
 * taken deep enough for 1e-31.
 */
function erfcxDD(a: DD): DD {
  // Deep enough for 1e-31 relative from a = 3 on (measured with mpmath:
  // 93 levels at 3, 44 at 5, 19 at 12, 10 at 42).
  const depth = Math.ceil(14 + 900 / (a[0] * a[0]));
  let t: DD = a;
  for (let n = depth; n >= 1; n--) t = ddAdd(a, ddDiv([n / 2, 0], t));
  return ddDiv([1, 0], ddMul(SQRT_PI, t));
}

/**
 * x/2 plus a term in x^2 of the sign of `sign`, for |x| < 2^-600 where the
 * term is far below any ulp: it only decides a halfway case, as the exact
 * value does (gelu, silu, hardSwish and the tanh GELU near 0).
 */
function halfPlusTiny(x: number, sign: number): Precise {
  return nudged({ hi: x * 2 ** 200 / 2, lo: 0, scale: -200 }, sign);
}

const TINY = 2 ** -600;

/** x * d for a number x that may be subnormal, without losing its
 * digits. */
function timesNumber(x: number, d: DD | Precise): Precise {
  const p = Array.isArray(d) ? precise(d) : d;
  if (x === 0 || !Number.isFinite(x) || Math.abs(x) >= TINY) {
    return times(p, x);
  }
  return times({ ...p, scale: p.scale - 200 }, x * 2 ** 200);
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

function leakyReluP(x: number, alpha = 0.2): Precise {
  return x < 0 ? timesNumber(x, precise(alpha)) : precise(x);
}

/** Leaky ReLU: alpha * x for x < 0, else x (so -0 stays -0). */
export function leakyRelu(x: number, alpha = 0.2): number {
  return rounded(leakyReluP(x, alpha));
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

/**
 * alpha * x + beta as a double-double, so that the clamp decides exactly.
 * With alpha = 0 the line is beta for every x, infinite x included.
 */
function hardSigmoidLine(x: number, alpha: number, beta: number): DD {
  if (Number.isNaN(x)) return [x, 0];
  if (alpha === 0) return [beta, 0];
  if (!Number.isFinite(x)) return [alpha * x, 0];
  return ddAdd(mulExact(alpha, x), [beta, 0]);
}

function hardSigmoidP(x: number, alpha = 0.2, beta = 0.5): Precise {
  const v = hardSigmoidLine(x, alpha, beta);
  if (Number.isNaN(v[0])) return precise(v[0]);
  if (v[0] < 0 || (v[0] === 0 && v[1] <= 0)) return precise(0);
  if (v[0] > 1 || (v[0] === 1 && v[1] >= 0)) return precise(1);
  return precise(v);
}

/** Hard sigmoid: clamp(alpha * x + beta, 0, 1), from the exact line. */
export function hardSigmoid(x: number, alpha = 0.2, beta = 0.5): number {
  return rounded(hardSigmoidP(x, alpha, beta));
}

/** Hard sigmoid'(x): alpha where 0 < alpha * x + beta < 1 exactly, else 0
 * (0 at both clamp edges, as TensorFlow, PyTorch and JAX give). */
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

function hardSwishP(x: number): Precise {
  if (Number.isNaN(x)) return precise(x);
  if (x <= -3) return precise(-0);
  if (x >= 3) return precise(x);
  if (Math.abs(x) < TINY) return halfPlusTiny(x, 1);
  // x * (x + 3) / 6 rounded once.
  return precise(ddDiv(ddMulNumber(twoSum(x, 3), x), [6, 0]));
}

/** Hard swish: x * clamp(x + 3, 0, 6) / 6; -0 for x <= -3. */
export function hardSwish(x: number): number {
  return rounded(hardSwishP(x));
}

function hardSwishDerivativeP(x: number): Precise {
  if (Number.isNaN(x)) return precise(x);
  if (x <= -3) return precise(0);
  if (x >= 3) return precise(1);
  return precise(ddDiv(twoSum(2 * x, 3), [6, 0]));
}

/** Hard swish'(x): 0 for x <= -3, 1 for x >= 3, else (2x + 3) / 6. */
export function hardSwishDerivative(x: number): number {
  return rounded(hardSwishDerivativeP(x));
}

// ---------------------------------------------------------------------------
// Exponential-linear family.

function eluP(x: number, alpha = 1): Precise {
  if (x > 0 || Number.isNaN(x)) return precise(x);
  if (x === 0) return precise(alpha * x);
  // Below 2^-600, expm1(x) = x + x^2/2: the square only decides ties,
  // toward 0 for alpha > 0.
  if (x > -TINY) return nudged(timesNumber(alpha, [x, 0]), Math.sign(alpha));
  return precise(ddMulNumber(expm1DD([x, 0]), alpha));
}

/** ELU: x for x > 0, else alpha * expm1(x). */
export function elu(x: number, alpha = 1): number {
  return rounded(eluP(x, alpha));
}

function eluDerivativeP(x: number, alpha = 1): Precise {
  if (Number.isNaN(x)) return precise(x);
  return x > 0 ? precise(1) : times(expP([x, 0]), alpha);
}

/** ELU'(x): 1 for x > 0, else alpha * exp(x) (alpha at 0). */
export function eluDerivative(x: number, alpha = 1): number {
  return rounded(eluDerivativeP(x, alpha));
}

function seluP(x: number): Precise {
  if (Number.isNaN(x)) return precise(x);
  if (x > 0) return timesNumber(x, SELU_SCALE_DD);
  if (x === 0) return precise(x);
  if (x > -TINY) return nudged(timesNumber(x, SELU_SCALE_ALPHA), 1);
  return precise(ddMul(SELU_SCALE_ALPHA, expm1DD([x, 0])));
}

/** SELU: scale * elu(x, alpha) with the 32-digit constants. */
export function selu(x: number): number {
  return rounded(seluP(x));
}

function seluDerivativeP(x: number): Precise {
  if (Number.isNaN(x)) return precise(x);
  if (x > 0) return precise(SELU_SCALE_DD);
  return times(expP([x, 0]), SELU_SCALE_ALPHA);
}

/** SELU'(x): scale for x > 0, else scale * alpha * exp(x) (so at 0 too). */
export function seluDerivative(x: number): number {
  return rounded(seluDerivativeP(x));
}

/** x / alpha as a double-double. */
function divideDD(x: number, alpha: number): DD {
  const q = x / alpha;
  if (!Number.isFinite(q) || q === 0) return [q, 0];
  const [p, e] = mulExact(q, alpha);
  return [q, ((x - p) - e) / alpha];
}

function celuP(x: number, alpha = 1): Precise {
  if (x > 0 || Number.isNaN(x)) return precise(x);
  if (x === 0) return precise(alpha * (x / alpha));
  if (x > -TINY) return nudged(precise(x), Math.sign(alpha));
  return precise(ddMulNumber(expm1DD(divideDD(x, alpha)), alpha));
}

/**
 * CELU: x for x > 0, else alpha * expm1(x / alpha). Equal to elu(x, 1) at
 * alpha = 1, -0 included.
 */
export function celu(x: number, alpha = 1): number {
  return rounded(celuP(x, alpha));
}

function celuDerivativeP(x: number, alpha = 1): Precise {
  if (Number.isNaN(x)) return precise(x);
  if (x > 0) return precise(1);
  return expP(divideDD(x, alpha));
}

/** CELU'(x): 1 for x > 0, else exp(x / alpha) (1 at 0). */
export function celuDerivative(x: number, alpha = 1): number {
  return rounded(celuDerivativeP(x, alpha));
}

// ---------------------------------------------------------------------------
// GELU.

/** p + q, at p's scale. */
function plus(p: Precise, q: Precise): Precise {
  if (special(q.hi)) return special(p.hi) ? precise(p.hi + q.hi) : p;
  if (special(p.hi)) return q;
  const shift = q.scale - p.scale;
  const sum = ddAdd([p.hi, p.lo], [scale2(q.hi, shift), scale2(q.lo, shift)]);
  return precise(sum, p.scale);
}

/** The normal CDF Phi(x) = erfc(-x / sqrt2) / 2 and density
 * phi(x) = e^(-x^2/2) / sqrt(2 pi), with x / sqrt2 and x^2 / 2 exact. */
function gauss(x: number): { cdf: Precise; pdf: Precise } {
  const [s, e] = twoProd(x, x);
  const half: DD = [0.5 * s, 0.5 * e];
  const pdf = times(expP(ddNeg(half)), INV_SQRT_2PI);
  const a = ddMulNumber(SQRT1_2, Math.abs(x));
  const tail = times(erfcP(a, half), 0.5);
  if (x < 0) return { cdf: tail, pdf };
  return { cdf: precise(ddAdd([1, 0], ddNeg(toDD(tail)))), pdf };
}

function geluP(x: number): Precise {
  if (Number.isNaN(x) || x === Infinity) return precise(x);
  if (x === -Infinity || x < -60) return precise(-0);
  if (Math.abs(x) < TINY) return halfPlusTiny(x, 1);
  if (x > 40) return precise(x);
  return timesNumber(x, gauss(x).cdf);
}

function geluDerivativeP(x: number): Precise {
  if (Number.isNaN(x)) return precise(x);
  if (x > 40) return precise(1);
  // Phi + x phi is negative below -0.75, and far below any double past -60.
  if (x < -60) return precise(-0);
  // Phi(x) + x phi(x): for x < 0 about phi/|x| and -|x| phi, cancelling
  // only near -0.75.
  const { cdf, pdf } = gauss(x);
  return plus(cdf, timesNumber(x, pdf));
}

/** w = 2u = sqrt(8/pi) * (x + 0.044715 x^3), as a double-double. */
function geluTanhArgument(x: number): DD {
  const cube = ddMulNumber(twoProd(x, x), x);
  return ddMul(SQRT_8_OVER_PI, ddAdd([x, 0], ddMul(GELU_CUBIC, cube)));
}

/** w'(x) = sqrt(8/pi) * (1 + 3 * 0.044715 * x^2), as a double-double. */
function geluTanhSlope(x: number): DD {
  return ddMul(
    SQRT_8_OVER_PI,
    ddAdd([1, 0], ddMul(ddMulNumber(GELU_CUBIC, 3), twoProd(x, x))),
  );
}

function geluTanhP(x: number): Precise {
  if (Number.isNaN(x) || x === Infinity) return precise(x);
  if (x === -Infinity || x < -1e10) return precise(-0);
  if (Math.abs(x) < TINY) return halfPlusTiny(x, 1);
  if (x > 1e10) return precise(x);
  return timesNumber(x, sigmoidP(geluTanhArgument(x)));
}

function geluTanhDerivativeP(x: number): Precise {
  if (Number.isNaN(x)) return precise(x);
  if (x > 1e10) return precise(1);
  if (x < -1e10) return precise(0);
  const w = geluTanhArgument(x);
  const slope = ddMulNumber(geluTanhSlope(x), x);
  // With e = e^-|w|: s = e/(1+e) or 1/(1+e), s' = e/(1+e)^2.
  const negative = w[0] < 0;
  const e = expP(negative ? w : ddNeg(w));
  const d = onePlus(e);
  if (negative) {
    // e (1/(1+e) + x w' / (1+e)^2): the tail keeps its scale.
    return times(e, ddAdd(ddDiv([1, 0], d), ddDiv(slope, ddMul(d, d))));
  }
  const s = ddDiv([1, 0], d);
  return precise(ddAdd(s, ddMul(toDD(e), ddDiv(slope, ddMul(d, d)))));
}

/**
 * GELU: x * Phi(x) ("none"), or x * sigmoid(2u) with
 * u = sqrt(2/pi) * (x + 0.044715 x^3) ("tanh"), which equals
 * 0.5 x (1 + tanh(u)) without its cancellation in the negative tail.
 */
export function gelu(x: number, approximate: "none" | "tanh" = "none"): number {
  return rounded(approximate === "tanh" ? geluTanhP(x) : geluP(x));
}

/**
 * GELU'(x): Phi(x) + x * phi(x) ("none"); for "tanh", the exact derivative
 * of x * sigmoid(w), w = 2u: sigmoid(w) + x * sigmoid'(w) * w'(x).
 */
export function geluDerivative(
  x: number,
  approximate: "none" | "tanh" = "none",
): number {
  return rounded(
    approximate === "tanh" ? geluTanhDerivativeP(x) : geluDerivativeP(x),
  );
}

// ---------------------------------------------------------------------------
// Sigmoid-weighted and smooth functions.

/** beta * x as a double-double. */
function scaled(x: number, beta: number): DD {
  return beta === 1 ? [x, 0] : mulExact(beta, x);
}

function siluP(x: number, beta = 1): Precise {
  if (Number.isNaN(x)) return precise(x);
  if (beta === 0) return { hi: x, lo: 0, scale: -1 };
  if (!Number.isFinite(x)) {
    // x sigmoid(beta x) goes to x where beta x -> +inf, to 0 (of the sign
    // of x) where it goes to -inf.
    return precise(beta * x > 0 ? x : (x < 0 ? -0 : 0));
  }
  if (Math.abs(x) < TINY) return halfPlusTiny(x, Math.sign(beta));
  const s = sigmoidP(scaled(x, beta));
  if (s.hi === 0) return precise(x < 0 ? -0 : 0);
  return timesNumber(x, s);
}

/** SiLU (swish): x * sigmoid(beta * x); -0 at -Infinity for beta > 0. */
export function silu(x: number, beta = 1): number {
  return rounded(siluP(x, beta));
}

function siluDerivativeP(x: number, beta = 1): Precise {
  if (Number.isNaN(x)) return precise(x);
  if (beta === 0) return precise(0.5);
  const z = scaled(x, beta);
  if (z[0] === Infinity) return precise(1);
  if (z[0] === -Infinity) return precise(0);
  // With e = e^-|z|: for z < 0, s = e/(1+e) and s + z s (1 - s) =
  // e (1 + e + z) / (1+e)^2; for z >= 0, s = 1/(1+e) and s (1 - s) =
  // e/(1+e)^2.
  const negative = z[0] < 0;
  const e = expP(negative ? z : ddNeg(z));
  const d = onePlus(e);
  const d2 = ddMul(d, d);
  if (negative) return times(e, ddDiv(ddAdd(d, z), d2));
  return precise(ddAdd(ddDiv([1, 0], d), ddMul(z, ddDiv(toDD(e), d2))));
}

/** SiLU'(x) = s + beta * x * s * (1 - s), with s = sigmoid(beta * x). */
export function siluDerivative(x: number, beta = 1): number {
  return rounded(siluDerivativeP(x, beta));
}

function sigmoidValueP(x: number): Precise {
  return sigmoidP([x, 0]);
}

/** Logistic sigmoid 1 / (1 + exp(-x)), stable in both tails. */
export function sigmoid(x: number): number {
  return rounded(sigmoidValueP(x));
}

function sigmoidDerivativeP(x: number): Precise {
  return sigmoidSlopeP([x, 0]);
}

/** sigmoid'(x) = s (1 - s), as exp(-|x|) / (1 + exp(-|x|))^2. */
export function sigmoidDerivative(x: number): number {
  return rounded(sigmoidDerivativeP(x));
}

function tanhP(x: number): Precise {
  if (Number.isNaN(x) || x === 0) return precise(x);
  const a = Math.abs(x);
  const sign = Math.sign(x);
  // Past 40, tanh is 1 - 2e^(-2|x|) to far beyond double precision.
  if (a > 40) return nudged(precise(sign), -sign);
  if (a < 2 ** -30) {
    // x - x^3/3: the cube only decides ties, toward 0.
    if (a < TINY) return nudged(precise(x), -sign);
    return precise(ddAdd([x, 0], [-x * x * x / 3, 0]));
  }
  const e = expm1DD([2 * a, 0]);
  const t = ddDiv(e, ddAdd(e, [2, 0]));
  return precise(sign < 0 ? ddNeg(t) : t);
}

/** tanh(x). */
export function tanh(x: number): number {
  return rounded(tanhP(x));
}

function tanhDerivativeP(x: number): Precise {
  if (Number.isNaN(x)) return precise(x);
  const e = expP([-2 * Math.abs(x), 0]);
  const d = onePlus(e);
  return divide(times(e, 4), ddMul(d, d));
}

/** tanh'(x) = 1 - tanh^2 = 4e / (1 + e)^2, e = exp(-2|x|): no cancellation. */
export function tanhDerivative(x: number): number {
  return rounded(tanhDerivativeP(x));
}

function softplusP(x: number, beta = 1): Precise {
  if (Number.isNaN(x)) return precise(x);
  const z = scaled(x, beta);
  // Where beta * x overflows, softplus is x itself.
  if (z[0] === Infinity) return precise(x);
  if (z[0] === -Infinity) return precise(beta > 0 ? 0 : -0);
  if (z[0] > 0) {
    // x + log1p(e^-z) / beta.
    const tail = ddDiv(log1pDD(expDD(ddNeg(z))), [beta, 0]);
    return precise(ddAdd([x, 0], tail));
  }
  // log1p(e^z) / beta; in the far tail log1p(e) is e (1 - e/2).
  const e = expP(z);
  if (e.hi === 0) return precise(beta > 0 ? 0 : -0);
  if (e.scale < -60) {
    return divide(times(e, ddAdd([1, 0], [-0.5 * value(toDD(e)), 0])), [
      beta,
      0,
    ]);
  }
  return precise(ddDiv(log1pDD(toDD(e)), [beta, 0]));
}

/**
 * Softplus: log1p(exp(beta x)) / beta, as max(z, 0) + log1p(exp(-|z|)) with
 * z = beta x, which neither overflows nor loses the tail (softplus(-745) is
 * 5e-324, softplus(-800) is 0).
 */
export function softplus(x: number, beta = 1): number {
  return rounded(softplusP(x, beta));
}

function softplusDerivativeP(x: number, beta = 1): Precise {
  if (Number.isNaN(x)) return precise(x);
  return sigmoidP(scaled(x, beta));
}

/** Softplus'(x) = sigmoid(beta * x). */
export function softplusDerivative(x: number, beta = 1): number {
  return rounded(softplusDerivativeP(x, beta));
}

function softsignP(x: number): Precise {
  if (Number.isNaN(x)) return precise(x);
  if (!Number.isFinite(x)) return precise(Math.sign(x));
  if (x === 0) return precise(x);
  // x - x|x| + ...: below 2^-600 the square only decides ties, toward 0.
  if (Math.abs(x) < TINY) return nudged(precise(x), -Math.sign(x));
  return precise(ddDiv([x, 0], twoSum(1, Math.abs(x))));
}

/** Softsign: x / (1 + |x|), and +-1 at +-Infinity. */
export function softsign(x: number): number {
  return rounded(softsignP(x));
}

function softsignDerivativeP(x: number): Precise {
  if (Number.isNaN(x)) return precise(x);
  if (!Number.isFinite(x)) return precise(0);
  // 1 / (1 + |x|)^2 from the mantissa of 1 + |x|, so that the square
  // stays in range; the exponent goes back into the scale.
  const { m, e } = mantissa(twoSum(1, Math.abs(x)));
  return divide({ hi: 1, lo: 0, scale: -2 * e }, ddMul(m, m));
}

/** Softsign'(x) = 1 / (1 + |x|)^2, 0 at +-Infinity. */
export function softsignDerivative(x: number): number {
  return rounded(softsignDerivativeP(x));
}

/**
 * tanh(softplus(x)) with e = e^x and n = e (e + 2): n / (n + 2), as
 * e (e + 2) / (n + 2) for x <= 0 so that the tail keeps its scale, and
 * (1 + 2q) / (1 + 2q + 2q^2) with q = e^-x for x > 0.
 */
function mishP(x: number): Precise {
  if (Number.isNaN(x) || x === Infinity) return precise(x);
  if (x === -Infinity) return precise(-0);
  if (x > 0) {
    const q = expDD([-x, 0]);
    const d = ddAdd(
      ddAdd([1, 0], ddMulNumber(q, 2)),
      ddMulNumber(ddMul(q, q), 2),
    );
    return timesNumber(x, ddDiv(ddAdd([1, 0], ddMulNumber(q, 2)), d));
  }
  const e = expP([x, 0]);
  if (e.hi === 0) return precise(-0);
  const eDD = toDD(e);
  const n = ddMul(eDD, ddAdd(eDD, [2, 0]));
  const factor = ddDiv(ddAdd(eDD, [2, 0]), ddAdd(n, [2, 0]));
  return timesNumber(x, times(e, factor));
}

/** Mish: x * tanh(softplus(x)); -0 at -Infinity. */
export function mish(x: number): number {
  return rounded(mishP(x));
}

/**
 * Mish'(x) = t + x sigmoid(x) (1 - t^2). For x <= 0, with e = e^x and
 * n = e (e + 2), it is e ((e + 2)/(n + 2) + 4x (1 + e)/(n + 2)^2); for
 * x > 0, with q = e^-x and D = 1 + 2q + 2q^2, (1 + 2q)/D + 4x q^2 (1+q)/D^2.
 */
function mishDerivativeP(x: number): Precise {
  if (Number.isNaN(x)) return precise(x);
  if (x === Infinity) return precise(1);
  if (x === -Infinity) return precise(0);
  // Past 800, 1 - mish'(x) is below e^-1600.
  if (x > 800) return precise(1);
  if (x > 0) {
    const q = expDD([-x, 0]);
    const q2 = ddMul(q, q);
    const d = ddAdd(ddAdd([1, 0], ddMulNumber(q, 2)), ddMulNumber(q2, 2));
    const t = ddDiv(ddAdd([1, 0], ddMulNumber(q, 2)), d);
    const term = ddDiv(
      ddMulNumber(ddMul(q2, ddAdd([1, 0], q)), 4 * x),
      ddMul(d, d),
    );
    return precise(ddAdd(t, term));
  }
  const e = expP([x, 0]);
  if (e.hi === 0) return precise(0);
  const eDD = toDD(e);
  const n2 = ddAdd(ddMul(eDD, ddAdd(eDD, [2, 0])), [2, 0]);
  const first = ddDiv(ddAdd(eDD, [2, 0]), n2);
  const second = ddDiv(
    ddMulNumber(ddAdd([1, 0], eDD), 4 * x),
    ddMul(n2, n2),
  );
  return times(e, ddAdd(first, second));
}

/** Mish'(x) = t + x * sigmoid(x) * (1 - t^2), t = tanh(softplus(x)). */
export function mishDerivative(x: number): number {
  return rounded(mishDerivativeP(x));
}

/**
 * The precise forms of every elementwise function and derivative, with the
 * parameters and defaults of the rounded forms above.
 */
export const exact = {
  relu: (x: number): Precise => precise(relu(x)),
  reluDerivative: (x: number): Precise => precise(reluDerivative(x)),
  relu6: (x: number): Precise => precise(relu6(x)),
  relu6Derivative: (x: number): Precise => precise(relu6Derivative(x)),
  leakyRelu: leakyReluP,
  leakyReluDerivative: (x: number, alpha = 0.2): Precise =>
    precise(leakyReluDerivative(x, alpha)),
  elu: eluP,
  eluDerivative: eluDerivativeP,
  selu: seluP,
  seluDerivative: seluDerivativeP,
  celu: celuP,
  celuDerivative: celuDerivativeP,
  gelu: geluP,
  geluDerivative: geluDerivativeP,
  geluTanh: geluTanhP,
  geluTanhDerivative: geluTanhDerivativeP,
  silu: siluP,
  siluDerivative: siluDerivativeP,
  mish: mishP,
  mishDerivative: mishDerivativeP,
  sigmoid: sigmoidValueP,
  sigmoidDerivative: sigmoidDerivativeP,
  hardSigmoid: hardSigmoidP,
  hardSigmoidDerivative: (x: number, alpha = 0.2, beta = 0.5): Precise =>
    precise(hardSigmoidDerivative(x, alpha, beta)),
  hardSwish: hardSwishP,
  hardSwishDerivative: hardSwishDerivativeP,
  tanh: tanhP,
  tanhDerivative: tanhDerivativeP,
  softplus: softplusP,
  softplusDerivative: softplusDerivativeP,
  softsign: softsignP,
  softsignDerivative: softsignDerivativeP,
};

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
    const e = row.shifted.map((d) => d[0] === -Infinity ? precise(0) : expP(d));
    const sum = e.map(toDD).reduce(ddAdd, [0, 0]);
    for (let i = 0; i < axisLength; i++) {
      y[start + i] = rounded(divide(e[i]!, sum));
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
    // Whether the sum has any term besides the maximum's: then log(sum) is
    // positive, and the maximum's own output negative, even where it
    // rounds to 0.
    let terms = false;
    row.shifted.forEach((d, i) => {
      if (i !== row.argmax && d[0] !== -Infinity) {
        rest = ddAdd(rest, expDD(d));
        terms = true;
      }
    });
    const lse = log1pDD(rest);
    for (let i = 0; i < axisLength; i++) {
      const d = row.shifted[i]!;
      const v = value(ddAdd(d, ddNeg(lse)));
      y[start + i] = d[0] === -Infinity
        ? -Infinity
        : (v === 0 && terms ? -0 : v);
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
      const diff = ddAdd([dy[i]!, 0], ddNeg(dot));
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
      const p = ddMul(sum, expDD([y[i]!, 0]));
      dx[i] = value(ddAdd([dy[i]!, 0], ddNeg(p)));
    }
  }
  return dx;
}
