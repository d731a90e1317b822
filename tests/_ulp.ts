// Measuring accuracy in ulps: the distance between a kernel's output and the
// float64 reference rounded to the output type, and the inputs to measure on.
//
// Kept free of tfjs so that the accuracy probe loads quickly.

/** Either array type. */
export type FloatArray = Float32Array | Float64Array;

/** The constructor of either array type. */
export type FloatArrayType = typeof Float32Array | typeof Float64Array;

/** The limits of one floating-point type. */
export interface TypeLimits {
  /** Smallest positive subnormal. */
  minSubnormal: number;
  /** Largest subnormal. */
  maxSubnormal: number;
  /** Smallest positive normal. */
  minNormal: number;
  /** Largest finite value. */
  maxFinite: number;
}

export const FLOAT32_LIMITS: TypeLimits = {
  minSubnormal: 2 ** -149,
  maxSubnormal: 2 ** -126 - 2 ** -149,
  minNormal: 2 ** -126,
  maxFinite: (2 - 2 ** -23) * 2 ** 127,
};

export const FLOAT64_LIMITS: TypeLimits = {
  minSubnormal: Number.MIN_VALUE,
  maxSubnormal: 2 ** -1022 - Number.MIN_VALUE,
  minNormal: 2 ** -1022,
  maxFinite: Number.MAX_VALUE,
};

/** The limits of the type that `Type` holds. */
export function limitsOf(Type: FloatArrayType): TypeLimits {
  return Type === Float32Array ? FLOAT32_LIMITS : FLOAT64_LIMITS;
}

const view = new DataView(new ArrayBuffer(8));

/** The bits of a float32 as an unsigned integer. */
function float32Bits(x: number): number {
  view.setFloat32(0, x);
  return view.getUint32(0);
}

/**
 * The position of a value on the type's number line, as a signed count of
 * representable magnitudes from zero (so -0 and +0 are both 0), split as
 * sign, high and low parts so that float64 differences stay exact.
 */
function position(x: number, Type: FloatArrayType): [number, number, number] {
  if (Type === Float32Array) {
    const bits = float32Bits(x);
    return [bits >>> 31 ? -1 : 1, 0, bits & 0x7fffffff];
  }
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  return [hi >>> 31 ? -1 : 1, hi & 0x7fffffff, view.getUint32(4)];
}

/**
 * The value nearest `x` in the type, with an option for a halfway case:
 * where the float64 value lies exactly halfway between two float32 values
 * and the exact value it stands for is known to lie above it (`tiesUp`),
 * the upper one is correct, where Math.fround would pick the even one.
 */
export function roundToType(
  x: number,
  Type: FloatArrayType,
  tiesUp = false,
): number {
  if (Type === Float64Array) return x;
  const r = Math.fround(x);
  if (!tiesUp || r === x || !Number.isFinite(r)) return r;
  const other = r < x ? stepUlps(r, 1, Type) : stepUlps(r, -1, Type);
  // A true halfway point is equally far from both neighbours.
  return Math.abs(other - x) === Math.abs(r - x) ? Math.max(r, other) : r;
}

/**
 * The number of representable values of the type between `actual` and the
 * reference rounded to the type: 0 when equal (and for NaN against NaN, and
 * +0 against -0), Infinity when only one is NaN or when either is infinite
 * and they differ. `actual` is read as a value of the type.
 */
export function ulpDistance(
  actual: number,
  reference: number,
  Type: FloatArrayType,
  tiesUp = false,
): number {
  const expected = roundToType(reference, Type, tiesUp);
  const a = Type === Float32Array ? Math.fround(actual) : actual;
  if (Number.isNaN(a) || Number.isNaN(expected)) {
    return Number.isNaN(a) && Number.isNaN(expected) ? 0 : Infinity;
  }
  if (!Number.isFinite(a) || !Number.isFinite(expected)) {
    return a === expected ? 0 : Infinity;
  }
  const [sa, ha, la] = position(a, Type);
  const [se, he, le] = position(expected, Type);
  if (sa === se) return Math.abs((ha - he) * 2 ** 32 + (la - le));
  // Across zero the distance is the sum of both magnitudes' positions.
  return ha * 2 ** 32 + la + he * 2 ** 32 + le;
}

/** The value `n` representable steps above `x` in the type (below if n < 0). */
export function stepUlps(x: number, n: number, Type: FloatArrayType): number {
  if (Number.isNaN(x) || n === 0) return x;
  const up = n > 0;
  let v = x;
  for (let i = 0; i < Math.abs(n); i++) v = nextToward(v, up, Type);
  return v;
}

function nextToward(x: number, up: boolean, Type: FloatArrayType): number {
  if (x === (up ? Infinity : -Infinity)) return x;
  if (x === 0) {
    const tiny = limitsOf(Type).minSubnormal;
    return up ? tiny : -tiny;
  }
  const away = (x > 0) === up;
  if (Type === Float32Array) {
    view.setFloat32(0, x);
    view.setUint32(0, view.getUint32(0) + (away ? 1 : -1));
    return view.getFloat32(0);
  }
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  if (away) {
    view.setUint32(4, (lo + 1) >>> 0);
    if (lo === 0xffffffff) view.setUint32(0, hi + 1);
  } else {
    view.setUint32(4, (lo - 1) >>> 0);
    if (lo === 0) view.setUint32(0, hi - 1);
  }
  return view.getFloat64(0);
}

/** One input and what it gave against what it should have. */
export interface UlpSample {
  /** Index into the inputs. */
  index: number;
  /** The input there. */
  input: number;
  /** The output under test. */
  actual: number;
  /** The reference rounded to the output type. */
  expected: number;
}

/** The result of measuring one output array against its reference. */
export interface UlpReport {
  /** The largest finite ulp distance; 0 when there was none. */
  maxUlp: number;
  /** The input of the largest distance (NaN when there was none). */
  worstInput: number;
  /** What the function gave there. */
  worstActual: number;
  /** The reference there, rounded to the output type. */
  worstExpected: number;
  /** Index of that input. */
  worstIndex: number;
  /** How many elements were compared. */
  count: number;
  /**
   * The largest |actual - expected| / max(1, |expected|): an absolute error
   * for outputs below 1 in size, a relative one above. It keeps a scale
   * where ulps mislead (0 for 1e-17 is 10^9 ulps, yet 1e-17 off).
   */
  maxError: number;
  /**
   * Elements whose distance is infinite (NaN, infinities or overflow not
   * matching) or, when signed zeros are checked, whose zero has the wrong
   * sign. They are left out of maxUlp so that one convention difference at
   * a special value does not hide the accuracy everywhere else.
   */
  mismatches: number;
  /** The first of those, if any. */
  firstMismatch?: UlpSample;
}

/** How to compare. */
export interface CompareOptions {
  /** Count +0 against -0 as a mismatch (for forward values). */
  signedZeros?: boolean;
  /** Round float64 references that fall halfway between floats upward. */
  tiesUp?: boolean;
}

/**
 * Compares outputs with reference values (float64, rounded here to the
 * type of `actual`) element by element.
 */
export function compareUlp(
  inputs: ArrayLike<number>,
  actual: FloatArray,
  reference: ArrayLike<number>,
  options: CompareOptions = {},
): UlpReport {
  const Type = actual instanceof Float32Array ? Float32Array : Float64Array;
  const report: UlpReport = {
    maxUlp: 0,
    worstInput: NaN,
    worstActual: NaN,
    worstExpected: NaN,
    worstIndex: -1,
    count: actual.length,
    maxError: 0,
    mismatches: 0,
  };
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const expected = roundToType(reference[i]!, Type, options.tiesUp);
    const d = ulpDistance(a, expected, Type);
    const wrongZero = options.signedZeros === true && a === 0 &&
      expected === 0 && !Object.is(a, expected);
    if (d === Infinity || wrongZero) {
      report.mismatches++;
      report.firstMismatch ??= {
        index: i,
        input: inputs[i]!,
        actual: a,
        expected,
      };
      continue;
    }
    // NaN against NaN and equal infinities are no error.
    const error = a === expected || Number.isNaN(a)
      ? 0
      : Math.abs(a - expected) / Math.max(1, Math.abs(expected));
    if (error > report.maxError) report.maxError = error;
    if (d > report.maxUlp || report.worstIndex < 0) {
      report.maxUlp = d;
      report.worstInput = inputs[i]!;
      report.worstActual = a;
      report.worstExpected = expected;
      report.worstIndex = i;
    }
  }
  return report;
}

/**
 * Runs `run` on `inputs` and measures its output against the scalar
 * `reference` applied to each input.
 */
export function measureUlp<T extends FloatArray>(
  run: (x: T) => FloatArray,
  reference: (x: number) => number,
  inputs: T,
  options: CompareOptions = {},
): UlpReport {
  const expected = Float64Array.from(inputs, (x) => reference(x));
  return compareUlp(inputs, run(inputs), expected, options);
}

/**
 * A seeded generator of uniform numbers in [0, 1), so that a sweep is the
 * same on every run (Marsaglia's xorshift on two
 * 32-bit words).
 */
export function seededUniform(seed: number): () => number {
  let a = (seed ^ 0x9e3779b9) >>> 0 || 1;
  let b = Math.imul(seed, 0x85ebca6b) >>> 0 || 2;
  return () => {
    let t = a ^ (a << 11);
    a = b;
    t ^= t >>> 8;
    b = (b ^ (b >>> 19) ^ t) >>> 0;
    return b / 4294967296;
  };
}

/** What to put in a sweep besides the type's special values. */
export interface SweepOptions {
  /** The dense grid's range, both ends included. Default [-30, 30]. */
  range?: [number, number];
  /** The grid's step. Default 2^-9. */
  step?: number;
  /** Points to include with their 3 neighbours on either side (kinks). */
  points?: number[];
  /** Seeded random inputs: half uniform in `range`, half log-uniform over
   * all magnitudes of the type, either sign. Default 20000. */
  randomCount?: number;
  /** The random seed. Default 1. */
  seed?: number;
  /** Log-spaced magnitudes per decade, both signs. Default 8. */
  perDecade?: number;
}

/**
 * The special values of a type: NaN, +-Infinity, +-0, the smallest and
 * largest subnormals, the smallest normal and the largest finite value,
 * each of either sign. For float64 those of float32 are added, since
 * kernels switch formulas at float32-like thresholds.
 */
export function specialValues(Type: FloatArrayType): number[] {
  const values = [NaN, Infinity, -Infinity, 0, -0];
  const types = Type === Float32Array
    ? [FLOAT32_LIMITS]
    : [FLOAT64_LIMITS, FLOAT32_LIMITS];
  for (const limits of types) {
    for (const v of Object.values(limits)) values.push(v, -v);
  }
  return values;
}

/**
 * The inputs of an accuracy sweep: the type's special values, a dense grid
 * over `range`, log-spaced magnitudes from the smallest subnormal to the
 * largest finite value (covering 1e-38..1e38 for float32 and
 * 1e-308..1e308 for float64), given points with their neighbours, and
 * seeded random values.
 */
export function sweepInputs<T extends FloatArrayType>(
  Type: T,
  options: SweepOptions = {},
): InstanceType<T> {
  const {
    range = [-30, 30],
    step = 2 ** -9,
    points = [],
    randomCount = 20000,
    seed = 1,
    perDecade = 8,
  } = options;
  const limits = limitsOf(Type);
  const values = specialValues(Type);

  const [lo, hi] = range;
  const steps = Math.floor((hi - lo) / step);
  for (let i = 0; i <= steps; i++) values.push(lo + i * step);
  values.push(hi);

  const minExp = Math.log10(limits.minSubnormal);
  const maxExp = Math.log10(limits.maxFinite);
  for (let e = Math.ceil(minExp * perDecade); e <= maxExp * perDecade; e++) {
    const m = 10 ** (e / perDecade);
    values.push(m, -m);
  }

  for (const p of points) {
    const v = Type === Float32Array ? Math.fround(p) : p;
    for (let k = -3; k <= 3; k++) values.push(stepUlps(v, k, Type));
  }

  const random = seededUniform(seed);
  for (let i = 0; i < randomCount; i++) {
    if (i % 2 === 0) {
      values.push(lo + random() * (hi - lo));
    } else {
      const sign = random() < 0.5 ? -1 : 1;
      values.push(sign * 10 ** (minExp + random() * (maxExp - minExp)));
    }
  }
  return new Type(values) as InstanceType<T>;
}
