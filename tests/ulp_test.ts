// Tests of the accuracy-measurement tools: ulp distances, the sweep of
// inputs, and the float64 reference they measure against, checked on the
// expected values of tests/data/cases.json and against tfjs.

import assert from "node:assert/strict";
import * as ref from "./_reference.ts";
import {
  compareUlp,
  FLOAT32_LIMITS,
  FLOAT64_LIMITS,
  type FloatArrayType,
  measureUlp,
  roundToType,
  seededUniform,
  specialValues,
  stepUlps,
  sweepInputs,
  ulpDistance,
} from "./_ulp.ts";
import { ARRAY_TYPES, tf } from "./_helpers.ts";

/** Values across every binade kind: subnormal, normal, both signs. */
const SAMPLE_VALUES = [
  1,
  -1,
  0.1,
  -2.5,
  6,
  1e-30,
  -3e38,
  1e-300,
  7e300,
  1.401298464324817e-45,
  1e-40,
  5e-324,
  -1e-310,
];

Deno.test("ulpDistance counts representable values", async (t) => {
  for (const Type of ARRAY_TYPES) {
    const limits = Type === Float32Array ? FLOAT32_LIMITS : FLOAT64_LIMITS;

    await t.step(`${Type.name}: adjacent values are 1 apart`, () => {
      for (const v of SAMPLE_VALUES) {
        const x = roundToType(v, Type);
        // Float64-only values round to 0 or Infinity in float32.
        if (x === 0 || !Number.isFinite(x)) continue;
        const up = stepUlps(x, 1, Type);
        assert.ok(up > x, `${x}`);
        assert.equal(ulpDistance(up, x, Type), 1, `${x} and ${up}`);
        assert.equal(ulpDistance(x, up, Type), 1);
        assert.equal(ulpDistance(stepUlps(x, -5, Type), x, Type), 5);
      }
    });

    await t.step(`${Type.name}: binade and zero crossings`, () => {
      // From the largest subnormal to the smallest normal is one step.
      assert.equal(
        ulpDistance(limits.minNormal, limits.maxSubnormal, Type),
        1,
      );
      assert.equal(ulpDistance(1, stepUlps(1, -1, Type), Type), 1);
      // Across zero: -tiny, 0, +tiny are two steps, and -0 equals +0.
      const tiny = limits.minSubnormal;
      assert.equal(ulpDistance(-tiny, tiny, Type), 2);
      assert.equal(ulpDistance(-0, 0, Type), 0);
      assert.equal(ulpDistance(tiny, 0, Type), 1);
      // 1 to 2 is one binade: 2^23 or 2^52 steps, counted exactly.
      assert.equal(
        ulpDistance(2, 1, Type),
        Type === Float32Array ? 2 ** 23 : 2 ** 52,
      );
      assert.equal(
        ulpDistance(-2, -1, Type),
        Type === Float32Array ? 2 ** 23 : 2 ** 52,
      );
      assert.equal(stepUlps(limits.maxFinite, 1, Type), Infinity);
      assert.equal(stepUlps(0, -1, Type), -tiny);
    });

    await t.step(`${Type.name}: NaN and infinities`, () => {
      assert.equal(ulpDistance(NaN, NaN, Type), 0);
      assert.equal(ulpDistance(NaN, 1, Type), Infinity);
      assert.equal(ulpDistance(1, NaN, Type), Infinity);
      assert.equal(ulpDistance(Infinity, Infinity, Type), 0);
      assert.equal(ulpDistance(-Infinity, -Infinity, Type), 0);
      assert.equal(ulpDistance(Infinity, -Infinity, Type), Infinity);
      assert.equal(ulpDistance(limits.maxFinite, Infinity, Type), Infinity);
      assert.equal(ulpDistance(Infinity, limits.maxFinite, Type), Infinity);
    });
  }
});

Deno.test("ulpDistance rounds the float64 reference to float32", () => {
  assert.equal(ulpDistance(Math.fround(0.1), 0.1, Float32Array), 0);
  // As float64 values they are 1.49e-9 apart, in steps of 2^-56.
  assert.equal(ulpDistance(0.1, Math.fround(0.1), Float64Array), 107374182);
  // A reference past the largest float32 rounds to Infinity.
  assert.equal(ulpDistance(Infinity, 1e39, Float32Array), 0);
  // One below the float32 tiny subnormal, halfway: rounds to even, 0.
  assert.equal(ulpDistance(0, 2 ** -150, Float32Array), 0);
});

Deno.test("roundToType can round halfway cases up", () => {
  // Halfway between 0 and the smallest float32 subnormal.
  assert.equal(roundToType(2 ** -150, Float32Array), 0);
  assert.equal(roundToType(2 ** -150, Float32Array, true), 2 ** -149);
  assert.equal(roundToType(-(2 ** -150), Float32Array, true), -0);
  // Halfway between 1 and the next float32 above it.
  assert.equal(roundToType(1 + 2 ** -24, Float32Array), 1);
  assert.equal(roundToType(1 + 2 ** -24, Float32Array, true), 1 + 2 ** -23);
  // Not halfway: unchanged.
  assert.equal(roundToType(1 + 2 ** -25, Float32Array, true), 1);
  assert.equal(roundToType(0.1, Float64Array, true), 0.1);
});

Deno.test("compareUlp reports the worst element and the mismatches", () => {
  const x = new Float32Array([1, 2, 3, 4, 5]);
  const actual = new Float32Array([
    1,
    stepUlps(2, 3, Float32Array),
    NaN,
    -0,
    5,
  ]);
  const reference = [1, 2, 3, 0, 5];

  const report = compareUlp(x, actual, reference);
  assert.equal(report.maxUlp, 3);
  assert.equal(report.worstInput, 2);
  assert.equal(report.worstIndex, 1);
  assert.equal(report.worstExpected, 2);
  assert.equal(report.count, 5);
  assert.equal(report.maxError, (stepUlps(2, 3, Float32Array) - 2) / 2);
  assert.equal(report.mismatches, 1, "NaN against 3");
  assert.deepEqual(report.firstMismatch, {
    index: 2,
    input: 3,
    actual: NaN,
    expected: 3,
  });

  const signed = compareUlp(x, actual, reference, { signedZeros: true });
  assert.equal(signed.mismatches, 2, "-0 against +0 as well");
});

Deno.test("measureUlp runs the function over the inputs", () => {
  const x = new Float64Array([0.5, 1, 2]);
  const exact = measureUlp((v) => v.map(Math.sqrt), Math.sqrt, x);
  assert.equal(exact.maxUlp, 0);
  assert.equal(exact.worstIndex, 0);

  const off = measureUlp(
    (v) => v.map((e) => stepUlps(Math.exp(e), e === 1 ? 2 : 0, Float64Array)),
    Math.exp,
    x,
  );
  assert.equal(off.maxUlp, 2);
  assert.equal(off.worstInput, 1);
});

Deno.test("sweepInputs covers specials, grid, magnitudes, kinks", async (t) => {
  for (const Type of ARRAY_TYPES) {
    await t.step(Type.name, () => {
      const x = sweepInputs(Type, { points: [6], randomCount: 1000 });
      assert.ok(x instanceof Type);
      const has = (v: number): boolean => x.some((e) => Object.is(e, v));

      assert.ok(x.some(Number.isNaN));
      for (const v of [Infinity, -Infinity, 0, -0, -30, 30, 0.5, -29.5]) {
        assert.ok(has(v), `${v}`);
      }
      const limits = Type === Float32Array ? FLOAT32_LIMITS : FLOAT64_LIMITS;
      for (const v of Object.values(limits)) {
        assert.ok(has(v) && has(-v), `${v}`);
      }
      // 6 and its neighbours.
      for (let k = -3; k <= 3; k++) assert.ok(has(stepUlps(6, k, Type)));
      // Log magnitudes, both signs, across the whole range.
      const big = Type === Float32Array ? 1e38 : 1e308;
      const small = Type === Float32Array ? 1e-38 : 1e-308;
      assert.ok(x.some((v) => v > big / 10) && x.some((v) => v < -big / 10));
      assert.ok(x.some((v) => v > 0 && v < small));
      assert.ok(x.some((v) => v < 0 && v > -small));
    });
  }

  await t.step("seeded: same seed, same inputs", () => {
    const a = sweepInputs(Float64Array, { seed: 5, randomCount: 100 });
    const b = sweepInputs(Float64Array, { seed: 5, randomCount: 100 });
    const c = sweepInputs(Float64Array, { seed: 6, randomCount: 100 });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  await t.step("float64 specials include float32 thresholds", () => {
    assert.ok(specialValues(Float64Array).includes(FLOAT32_LIMITS.maxFinite));
    assert.ok(!specialValues(Float32Array).includes(Number.MAX_VALUE));
  });

  await t.step("random values are uniform enough", () => {
    const random = seededUniform(1);
    let sum = 0;
    for (let i = 0; i < 10000; i++) {
      const r = random();
      assert.ok(r >= 0 && r < 1);
      sum += r;
    }
    assert.ok(Math.abs(sum / 10000 - 0.5) < 0.02);
  });
});

// ---------------------------------------------------------------------------
// The reference against the expected values of tests/data/cases.json.

interface Case {
  id: string;
  fn: string;
  params?: Record<string, unknown>;
  dtype: string | null;
  input: unknown;
  expected: unknown;
  tolerance: { mode: string; rtol?: number; atol?: number };
}

/** A number from the JSON, where specials are strings. */
function parse(v: unknown): number {
  return v === "-0" ? -0 : Number(v);
}

/** The reference's outputs for a case, in the case's own layout. */
function referenceOutputs(c: Case, round: (v: number) => number): number[] {
  const p = c.params ?? {};
  const x = (c.input as unknown[]).map(parse).map(round);
  // Parameters too are values of the case's type, as a float32 kernel
  // holds them (A25a's 1/6 only clamps to 0 at x = -3 as a float32).
  const num = (k: string): number | undefined =>
    typeof p[k] === "number" ? round(p[k] as number) : undefined;
  switch (c.fn) {
    case "preluGrad": {
      const alpha = (p.alpha as number[]).map(round);
      const { dx, dalpha } = ref.preluGrad(x.map(() => num("dy")!), x, alpha);
      return [...ref.prelu(x, alpha), ...dx, ...dalpha];
    }
    case "softmax":
      return [...ref.softmax(x, num("axisLength"))];
    case "logSoftmax":
      return [...ref.logSoftmax(x, num("axisLength"))];
  }
  const scalar: Record<string, (v: number) => number> = {
    relu: ref.relu,
    reluGrad: ref.reluDerivative,
    relu6Grad: ref.relu6Derivative,
    leakyRelu: (v) => ref.leakyRelu(v, num("alpha")),
    selu: ref.selu,
    seluGrad: ref.seluDerivative,
    softplus: (v) => ref.softplus(v),
    sigmoid: ref.sigmoid,
    tanh: ref.tanh,
    tanhGrad: ref.tanhDerivative,
    gelu: (v) => ref.gelu(v, p.approximate as "none" | "tanh"),
    hardSigmoid: (v) => ref.hardSigmoid(v, num("alpha"), num("beta")),
    hardSwish: ref.hardSwish,
    mish: ref.mish,
  };
  const f = scalar[c.fn];
  assert.ok(f, `no reference for ${c.fn}`);
  const dy = num("dy") ?? 1;
  return x.map((v) => c.fn.endsWith("Grad") ? dy * f(v) : f(v));
}

function expectedOutputs(c: Case): number[] {
  if (Array.isArray(c.expected)) return c.expected.map(parse);
  const e = c.expected as Record<string, unknown[]>;
  return [...e.y!, ...e.dx!, ...e.dalpha!].map(parse);
}

Deno.test("the reference meets the values of cases.json", async (t) => {
  const cases = (JSON.parse(
    await Deno.readTextFile(new URL("./data/cases.json", import.meta.url)),
  ) as Case[]).filter((c) => /^[a-zA-Z0-9]+$/.test(c.fn));
  assert.ok(cases.length >= 20, "the elementwise cases are there");

  for (const c of cases) {
    for (const dtype of c.dtype!.split("|")) {
      await t.step(`${c.id} ${dtype}`, () => {
        const Type: FloatArrayType = dtype === "float32"
          ? Float32Array
          : Float64Array;
        // The case's inputs and parameters are values of its type.
        const round = (v: number): number => roundToType(v, Type);
        const actual = referenceOutputs(c, round).map(round);
        const expected = expectedOutputs(c);
        const { mode, rtol = 0, atol = 0 } = c.tolerance;
        assert.equal(actual.length, expected.length);
        actual.forEach((a, i) => {
          const e = expected[i]!;
          const where = `element ${i}: got ${a}, expected ${e}`;
          if (Number.isNaN(e) || !Number.isFinite(e)) {
            assert.ok(Object.is(a, e), where);
          } else if (mode === "equal" || e === 0) {
            assert.ok(a === e, where);
          } else {
            assert.ok(Math.abs(a - e) <= atol + rtol * Math.abs(e), where);
          }
          if (e === 0 && mode === "equal" || Object.is(e, -0)) {
            assert.ok(Object.is(a, e), `${where}: sign of zero`);
          }
        });
      });
    }
  }
});

// ---------------------------------------------------------------------------
// The reference against exact values, computed with mpmath by
// tests/tools/reference_values.py: it must round each one correctly.

/** The precise forms of tests/data/reference_values.json's functions. */
const EXACT_FORMS: Record<
  string,
  [(x: number) => ref.Precise, (x: number) => ref.Precise]
> = {
  "elu": [(x) => ref.exact.elu(x), (x) => ref.exact.eluDerivative(x)],
  "elu alpha=0.5": [
    (x) => ref.exact.elu(x, 0.5),
    (x) => ref.exact.eluDerivative(x, 0.5),
  ],
  "selu": [ref.exact.selu, ref.exact.seluDerivative],
  "celu alpha=0.3": [
    (x) => ref.exact.celu(x, 0.3),
    (x) => ref.exact.celuDerivative(x, 0.3),
  ],
  "gelu": [ref.exact.gelu, ref.exact.geluDerivative],
  "geluTanh": [ref.exact.geluTanh, ref.exact.geluTanhDerivative],
  "silu": [(x) => ref.exact.silu(x), (x) => ref.exact.siluDerivative(x)],
  "silu beta=1.702": [
    (x) => ref.exact.silu(x, 1.702),
    (x) => ref.exact.siluDerivative(x, 1.702),
  ],
  "mish": [ref.exact.mish, ref.exact.mishDerivative],
  "sigmoid": [ref.exact.sigmoid, ref.exact.sigmoidDerivative],
  "tanh": [ref.exact.tanh, ref.exact.tanhDerivative],
  "softplus": [
    (x) => ref.exact.softplus(x),
    (x) => ref.exact.softplusDerivative(x),
  ],
  "softplus beta=2": [
    (x) => ref.exact.softplus(x, 2),
    (x) => ref.exact.softplusDerivative(x, 2),
  ],
  "softsign": [ref.exact.softsign, ref.exact.softsignDerivative],
  "hardSwish": [ref.exact.hardSwish, ref.exact.hardSwishDerivative],
};

Deno.test("the reference rounds exact values correctly to both types", async (t) => {
  const entries = JSON.parse(
    await Deno.readTextFile(
      new URL("./data/reference_values.json", import.meta.url),
    ),
  ) as [string, "y" | "dx", number, number, string][];
  assert.ok(entries.length > 1000, "the table is there");
  assert.deepEqual(
    [...new Set(entries.map((e) => e[0]))].sort(),
    Object.keys(EXACT_FORMS).sort(),
  );
  for (const Type of ARRAY_TYPES) {
    await t.step(Type.name, () => {
      const wrong: string[] = [];
      for (const [name, output, x, dy, exactValue] of entries) {
        const [forward, derivative] = EXACT_FORMS[name]!;
        const p = output === "y" ? forward(x) : ref.times(derivative(x), dy);
        const got = ref.roundPrecise(p, Type);
        // The decimal parses to the correctly rounded double; float32
        // rounds that again, which can differ from a direct rounding only
        // 2^-29 of the time, never at these points.
        const want = roundToType(Number(exactValue), Type);
        // An exact zero's sign is the reference's convention, not a value.
        const same = exactValue === "0" ? got === 0 : Object.is(got, want);
        if (!same) {
          wrong.push(`${name} ${output} at ${x} (dy ${dy}): ${got} vs ${want}`);
        }
      }
      assert.deepEqual(wrong, []);
    });
  }
});

// ---------------------------------------------------------------------------
// The reference against tfjs, which computes in float32 from float64 math,
// away from the spots where tfjs itself loses digits.

/** Runs a tfjs op, or its gradient with dy = 1, on float32 inputs. */
function tfRun(
  op: (t: tf.Tensor) => tf.Tensor,
  x: Float32Array,
  grad = false,
): Float32Array {
  return tf.tidy(() => {
    const input = tf.tensor1d(x, "float32");
    const out = grad
      ? tf.grad((v: tf.Tensor) => op(v).sum())(input)
      : op(input);
    return out.dataSync() as Float32Array;
  });
}

Deno.test("the reference agrees with tfjs in float32", async (t) => {
  const sweep = sweepInputs(Float32Array, { randomCount: 4000 });
  const finite = sweep.filter((v) => !Number.isNaN(v));
  const range = (lo: number, hi: number): Float32Array =>
    finite.filter((v) => v >= lo && v <= hi);

  // Where tfjs loses digits, the comparison leaves it out: elu and selu
  // are exp(x) - 1, losing digits near 0; their gradients come from y + 1;
  // sigmoid' and tanh' are s(1 - s) and 1 - y^2, cancelling for large x;
  // softplus is log(exp(x) + 1) in float32, off for x below about -10.
  // tfjs gives NaN' its own values (0.2 for leakyRelu), so NaN is left out
  // of the gradients.
  const checks: {
    name: string;
    op: (t: tf.Tensor) => tf.Tensor;
    reference: (x: number) => number;
    x: Float32Array;
    ulps: number;
    grad?: boolean;
  }[] = [
    { name: "relu", op: tf.relu, reference: ref.relu, x: sweep, ulps: 0 },
    { name: "relu6", op: tf.relu6, reference: ref.relu6, x: sweep, ulps: 0 },
    {
      name: "leakyRelu",
      op: (v) => tf.leakyRelu(v, 0.2),
      reference: (x) => ref.leakyRelu(x, 0.2),
      x: sweep,
      ulps: 0,
    },
    { name: "elu", op: tf.elu, reference: ref.elu, x: range(-30, -1), ulps: 1 },
    {
      name: "elu",
      op: tf.elu,
      reference: ref.elu,
      x: range(1, Infinity),
      ulps: 0,
    },
    {
      name: "selu",
      op: tf.selu,
      reference: ref.selu,
      x: range(-30, -1),
      ulps: 1,
    },
    {
      name: "sigmoid",
      op: tf.sigmoid,
      reference: ref.sigmoid,
      x: sweep,
      ulps: 0,
    },
    { name: "tanh", op: tf.tanh, reference: ref.tanh, x: sweep, ulps: 0 },
    {
      name: "softplus",
      op: tf.softplus,
      reference: ref.softplus,
      x: range(-10, Infinity),
      ulps: 1,
    },
    {
      name: "relu'",
      op: tf.relu,
      reference: ref.reluDerivative,
      x: finite,
      ulps: 0,
      grad: true,
    },
    {
      name: "relu6' (tfjs gives 1 at 6)",
      op: tf.relu6,
      reference: ref.relu6Derivative,
      x: finite.filter((v) => v !== 6),
      ulps: 0,
      grad: true,
    },
    {
      name: "leakyRelu'",
      op: (v) => tf.leakyRelu(v, 0.2),
      reference: (x) => ref.leakyReluDerivative(x, Math.fround(0.2)),
      x: finite,
      ulps: 0,
      grad: true,
    },
    {
      name: "elu'",
      op: tf.elu,
      reference: ref.eluDerivative,
      x: range(-1, Infinity),
      ulps: 1,
      grad: true,
    },
    {
      name: "selu'",
      op: tf.selu,
      reference: ref.seluDerivative,
      x: finite,
      ulps: 2,
      grad: true,
    },
    {
      name: "sigmoid'",
      op: tf.sigmoid,
      reference: ref.sigmoidDerivative,
      x: range(-Infinity, 0),
      ulps: 1,
      grad: true,
    },
    {
      name: "tanh'",
      op: tf.tanh,
      reference: ref.tanhDerivative,
      x: range(-1, 1),
      ulps: 2,
      grad: true,
    },
    {
      name: "softplus'",
      op: tf.softplus,
      reference: ref.softplusDerivative,
      x: finite,
      ulps: 0,
      grad: true,
    },
  ];
  for (const { name, op, reference, x, ulps, grad = false } of checks) {
    await t.step(`${name} within ${ulps} ulps`, () => {
      const report = measureUlp(
        (v) => tfRun(op, v, grad),
        (v) => reference(v),
        x,
      );
      assert.equal(report.mismatches, 0, JSON.stringify(report.firstMismatch));
      assert.ok(
        report.maxUlp <= ulps,
        `${report.maxUlp} ulps at ${report.worstInput}: tfjs ` +
          `${report.worstActual}, reference ${report.worstExpected}`,
      );
    });
  }

  await t.step("softmax and logSoftmax rows within 4 ulps", () => {
    const random = seededUniform(9);
    for (const n of [1, 2, 3, 10, 100]) {
      const x = Float32Array.from(
        { length: n * 20 },
        (_, i) => (random() - 0.5) * 10 ** (i % 4),
      );
      const rows = (op: (t: tf.Tensor) => tf.Tensor): Float32Array =>
        tf.tidy(() => op(tf.tensor2d(x, [20, n])).dataSync() as Float32Array);

      // tfjs works in float32: x - max rounds, and exp turns that into a
      // relative error of |x - max| ulps, and it takes log(sum) rather than
      // log1p(sum - 1). So compare where neither bites: softmax >= 0.01,
      // |log-softmax| >= 1.
      const check = (
        op: (t: tf.Tensor) => tf.Tensor,
        expected: Float64Array,
        keep: (y: number) => boolean,
      ): void => {
        const actual = rows(op);
        const where = (_: number, i: number): boolean => keep(expected[i]!);
        const report = compareUlp(
          x.filter(where),
          actual.filter(where),
          expected.filter(where),
        );
        assert.equal(report.mismatches, 0);
        assert.ok(report.maxUlp <= 4, `n=${n}: ${JSON.stringify(report)}`);
      };
      check(tf.softmax, ref.softmax(x, n), (y) => y >= 0.01);
      check(tf.logSoftmax, ref.logSoftmax(x, n), (y) => Math.abs(y) >= 1);
    }
  });
});
