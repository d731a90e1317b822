// Measures the accuracy of every function and gradient of mod.ts, in both
// array types, against the float64 reference of tests/_reference.ts, and
// prints a Markdown table of the largest ulp error and where it occurs.
//
//   make build
//   deno run --allow-ffi --allow-read --allow-env tests/accuracy_probe.ts
//
// A script rather than a test: it reports numbers for a person to judge.
// The float32 figures are exact measurements (the reference is good to 3
// float64 ulps, checked against 130-digit arithmetic, which is 2^-29 of a
// float32 ulp). The float64 figures include that reference error of up to
// 3 ulps. Where an output should be tiny (a clamp edge, a row's gradient
// cancelling to 1e-17) the ulp count is huge however small the error, so
// the table also gives |got - want| / max(1, |want|).

import * as act from "../mod.ts";
import * as ref from "./_reference.ts";
import {
  compareUlp,
  type FloatArray,
  type FloatArrayType,
  seededUniform,
  sweepInputs,
  type UlpReport,
} from "./_ulp.ts";

type Options = Record<string, unknown>;
type Forward = (x: FloatArray, options?: Options) => FloatArray;
type Backward = (
  dy: FloatArray,
  x: FloatArray,
  options?: Options,
) => FloatArray;

/** Looks an export of mod.ts up by name, so that the table is data. */
function exported<F>(name: string): F | undefined {
  const value = (act as Record<string, unknown>)[name];
  return typeof value === "function" ? value as F : undefined;
}

interface ElementwiseCase {
  /** The row's label. */
  label: string;
  /** The export of mod.ts; its gradient is `${name}Grad`. */
  name: string;
  options?: Options;
  forward: (x: number) => number;
  derivative: (x: number) => number;
  /** The exact value lies above a float64 reference that is a float32
   * halfway case (x/2 + c x^2 at tiny x). */
  tiesUp?: boolean;
}

const CASES: ElementwiseCase[] = [
  {
    label: "relu",
    name: "relu",
    forward: ref.relu,
    derivative: ref.reluDerivative,
  },
  {
    label: "relu6",
    name: "relu6",
    forward: ref.relu6,
    derivative: ref.relu6Derivative,
  },
  {
    label: "leakyRelu",
    name: "leakyRelu",
    forward: (x) => ref.leakyRelu(x),
    derivative: (x) => ref.leakyReluDerivative(x),
  },
  {
    label: "leakyRelu alpha=0.01",
    name: "leakyRelu",
    options: { alpha: 0.01 },
    forward: (x) => ref.leakyRelu(x, 0.01),
    derivative: (x) => ref.leakyReluDerivative(x, 0.01),
  },
  {
    label: "elu",
    name: "elu",
    forward: (x) => ref.elu(x),
    derivative: (x) => ref.eluDerivative(x),
  },
  {
    label: "elu alpha=0.5",
    name: "elu",
    options: { alpha: 0.5 },
    forward: (x) => ref.elu(x, 0.5),
    derivative: (x) => ref.eluDerivative(x, 0.5),
  },
  {
    label: "selu",
    name: "selu",
    forward: ref.selu,
    derivative: ref.seluDerivative,
  },
  {
    label: "celu",
    name: "celu",
    forward: (x) => ref.celu(x),
    derivative: (x) => ref.celuDerivative(x),
  },
  {
    label: "celu alpha=0.3",
    name: "celu",
    options: { alpha: 0.3 },
    forward: (x) => ref.celu(x, 0.3),
    derivative: (x) => ref.celuDerivative(x, 0.3),
  },
  {
    label: "gelu",
    name: "gelu",
    forward: (x) => ref.gelu(x),
    derivative: (x) => ref.geluDerivative(x),
    tiesUp: true,
  },
  {
    label: "gelu tanh",
    name: "gelu",
    options: { approximate: "tanh" },
    forward: (x) => ref.gelu(x, "tanh"),
    derivative: (x) => ref.geluDerivative(x, "tanh"),
    tiesUp: true,
  },
  {
    label: "silu",
    name: "silu",
    forward: (x) => ref.silu(x),
    derivative: (x) => ref.siluDerivative(x),
    tiesUp: true,
  },
  {
    label: "silu beta=1.702",
    name: "silu",
    options: { beta: 1.702 },
    forward: (x) => ref.silu(x, 1.702),
    derivative: (x) => ref.siluDerivative(x, 1.702),
    tiesUp: true,
  },
  {
    label: "mish",
    name: "mish",
    forward: ref.mish,
    derivative: ref.mishDerivative,
  },
  {
    label: "sigmoid",
    name: "sigmoid",
    forward: ref.sigmoid,
    derivative: ref.sigmoidDerivative,
  },
  {
    label: "hardSigmoid",
    name: "hardSigmoid",
    forward: (x) => ref.hardSigmoid(x),
    derivative: (x) => ref.hardSigmoidDerivative(x),
  },
  {
    label: "hardSigmoid alpha=1/6",
    name: "hardSigmoid",
    options: { alpha: 1 / 6 },
    forward: (x) => ref.hardSigmoid(x, 1 / 6),
    derivative: (x) => ref.hardSigmoidDerivative(x, 1 / 6),
  },
  {
    label: "hardSwish",
    name: "hardSwish",
    forward: ref.hardSwish,
    derivative: ref.hardSwishDerivative,
    tiesUp: true,
  },
  {
    label: "tanh",
    name: "tanh",
    forward: ref.tanh,
    derivative: ref.tanhDerivative,
  },
  {
    label: "softplus",
    name: "softplus",
    forward: (x) => ref.softplus(x),
    derivative: (x) => ref.softplusDerivative(x),
  },
  {
    label: "softplus beta=2",
    name: "softplus",
    options: { beta: 2 },
    forward: (x) => ref.softplus(x, 2),
    derivative: (x) => ref.softplusDerivative(x, 2),
  },
  {
    label: "softsign",
    name: "softsign",
    forward: ref.softsign,
    derivative: ref.softsignDerivative,
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
  -0.7517915241,
  -0.7493,
  -1.2784645428,
  -1.1915852,
  20,
  -20,
  88.72283935546875,
  -87.33654475,
  -103.972077,
  709.78,
  -708.39,
  -745.13,
];

/** The inputs of the elementwise functions: a fine grid over [-30, 30] and
 * a coarser one over the whole range where exp-based functions change. */
function elementwiseInputs(Type: FloatArrayType): FloatArray {
  const fine = sweepInputs(Type, { points: POINTS });
  const wide = Type === Float32Array ? 110 : 760;
  const coarse = sweepInputs(Type, {
    range: [-wide, wide],
    step: 2 ** -4,
    randomCount: 10000,
    seed: 2,
    perDecade: 1,
  });
  const x = new Type(fine.length + coarse.length);
  x.set(fine);
  x.set(coarse, fine.length);
  return x;
}

/** An array of the type filled from a generator. */
function generate(
  Type: FloatArrayType,
  length: number,
  next: () => number,
): FloatArray {
  const a = new Type(length);
  for (let i = 0; i < length; i++) a[i] = next();
  return a;
}

/** dy for the gradients: all ones, or seeded uniform values in [-2, 2). */
function upstream(
  Type: FloatArrayType,
  length: number,
  random: boolean,
): FloatArray {
  if (!random) return new Type(length).fill(1);
  const next = seededUniform(17);
  return generate(Type, length, () => 4 * next() - 2);
}

/** One measurement, or why there is none. */
type Outcome = UlpReport | string;

interface Row {
  label: string;
  quantity: string;
  results: Map<string, Outcome>;
}

function attempt(measure: () => UlpReport): Outcome {
  try {
    return measure();
  } catch (error) {
    return `throws ${(error as Error).name}: ${(error as Error).message}`;
  }
}

function measureElementwise(c: ElementwiseCase, Type: FloatArrayType): Row[] {
  const x = elementwiseInputs(Type);
  const forward = exported<Forward>(c.name);
  const backward = exported<Backward>(`${c.name}Grad`);
  const rows: Row[] = [];

  const y: Outcome = forward === undefined
    ? `${c.name} is not exported`
    : attempt(() =>
      compareUlp(x, forward(x, c.options), Float64Array.from(x, c.forward), {
        signedZeros: true,
        tiesUp: c.tiesUp,
      })
    );
  rows.push({
    label: c.label,
    quantity: "y",
    results: new Map([[Type.name, y]]),
  });

  const slope = Float64Array.from(x, c.derivative);
  for (const random of [false, true]) {
    const dy = upstream(Type, x.length, random);
    const dx: Outcome = backward === undefined
      ? `${c.name}Grad is not exported`
      : attempt(() =>
        compareUlp(
          x,
          backward(dy, x, c.options),
          slope.map((s, i) => dy[i]! * s),
        )
      );
    rows.push({
      label: c.label,
      quantity: random ? "dx, random dy" : "dx, dy = 1",
      results: new Map([[Type.name, dx]]),
    });
  }
  return rows;
}

/** Folds per-part reports into one: the worst element, all mismatches. */
function merge(reports: UlpReport[]): UlpReport {
  const worst = reports.reduce((a, b) => b.maxUlp > a.maxUlp ? b : a);
  return {
    ...worst,
    count: reports.reduce((n, r) => n + r.count, 0),
    maxError: Math.max(...reports.map((r) => r.maxError)),
    mismatches: reports.reduce((n, r) => n + r.mismatches, 0),
    firstMismatch: reports.find((r) => r.firstMismatch)?.firstMismatch,
  };
}

function measurePrelu(Type: FloatArrayType): Row[] {
  const forward = exported<
    (x: FloatArray, alpha: FloatArray) => FloatArray
  >("prelu");
  const backward = exported<
    (dy: FloatArray, x: FloatArray, alpha: FloatArray) => {
      dx: FloatArray;
      dalpha: FloatArray;
    }
  >("preluGrad");
  const rows: Row[] = [];
  for (const slopes of [[0.25], [0.1, 0.2, 0.3]]) {
    const label = `prelu alpha=[${slopes.join(", ")}]`;
    const alpha = Type.from(slopes);
    const x = elementwiseInputs(Type);
    const add = (quantity: string, outcome: Outcome): void => {
      rows.push({ label, quantity, results: new Map([[Type.name, outcome]]) });
    };
    add(
      "y",
      forward === undefined
        ? "prelu is not exported"
        : attempt(() =>
          compareUlp(x, forward(x, alpha), ref.prelu(x, alpha), {
            signedZeros: true,
          })
        ),
    );
    for (const random of [false, true]) {
      const dy = upstream(Type, x.length, random);
      const suffix = random ? "random dy" : "dy = 1";
      add(
        `dx, ${suffix}`,
        backward === undefined
          ? "preluGrad is not exported"
          : attempt(() =>
            compareUlp(
              x,
              backward(dy, x, alpha).dx,
              ref.preluGrad(dy, x, alpha).dx,
            )
          ),
      );
      // The slopes' gradient sums over the whole array, so it is measured
      // on finite inputs of moderate size, in arrays of several lengths.
      add(
        `dalpha, ${suffix}`,
        backward === undefined
          ? "preluGrad is not exported"
          : attempt(() =>
            merge([10, 1000, 100000].map((n) => {
              const next = seededUniform(n);
              const xs = generate(Type, n, () => 60 * next() - 30);
              const dys = upstream(Type, n, random);
              const dalpha = backward(dys, xs, alpha).dalpha;
              const expected = ref.preluGrad(dys, xs, alpha).dalpha;
              return compareUlp(alpha, dalpha, expected);
            }))
          ),
      );
    }
  }
  return rows;
}

/** Rows of several lengths: random logits of several spreads, and rows
 * with -Infinity, +Infinity, NaN, huge logits and ties. */
function rowInputs(Type: FloatArrayType, n: number): FloatArray {
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
  return Type.from(values);
}

const ROW_LENGTHS = [1, 2, 3, 10, 100, 1000];

function measureRows(Type: FloatArrayType): Row[] {
  const rows: Row[] = [];
  for (const name of ["softmax", "logSoftmax"] as const) {
    const reference = name === "softmax" ? ref.softmax : ref.logSoftmax;
    const referenceGrad = name === "softmax"
      ? ref.softmaxGrad
      : ref.logSoftmaxGrad;
    const forward = exported<Forward>(name);
    const backward = exported<Backward>(`${name}Grad`);
    const add = (quantity: string, outcome: Outcome): void => {
      rows.push({
        label: name,
        quantity,
        results: new Map([[Type.name, outcome]]),
      });
    };
    add(
      "y",
      forward === undefined
        ? `${name} is not exported`
        : attempt(() =>
          merge(ROW_LENGTHS.map((n) => {
            const x = rowInputs(Type, n);
            return compareUlp(
              x,
              forward(x, { axisLength: n }),
              reference(x, n),
              {
                signedZeros: true,
              },
            );
          }))
        ),
    );
    for (const random of [false, true]) {
      add(
        random ? "dx, random dy" : "dx, dy = 1",
        backward === undefined
          ? `${name}Grad is not exported`
          : attempt(() =>
            merge(ROW_LENGTHS.map((n) => {
              // y is the reference's output rounded to the type, so that
              // only the backward pass is measured.
              const y = Type.from(reference(rowInputs(Type, n), n));
              const dy = upstream(Type, y.length, random);
              return compareUlp(
                y,
                backward(dy, y, { axisLength: n }),
                referenceGrad(dy, y, n),
              );
            }))
          ),
      );
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------
// Formatting.

function show(v: number): string {
  if (Object.is(v, -0)) return "-0";
  if (!Number.isFinite(v) || v === 0) return String(v);
  return Number(v.toPrecision(9)).toString();
}

function cell(outcome: Outcome | undefined): [string, string, string] {
  if (outcome === undefined) return ["", "", ""];
  if (typeof outcome === "string") return ["n/a", outcome, ""];
  if (outcome.worstIndex < 0) return ["-", "no finite values", ""];
  const where = outcome.maxUlp === 0
    ? ""
    : `${show(outcome.worstInput)}: ${show(outcome.worstActual)} vs ${
      show(outcome.worstExpected)
    }`;
  const error = outcome.maxError === 0
    ? "0"
    : outcome.maxError.toExponential(1);
  return [String(outcome.maxUlp), where, error];
}

function mismatchText(type: string, outcome: Outcome | undefined): string {
  if (outcome === undefined || typeof outcome === "string") return "";
  const m = outcome.firstMismatch;
  if (m === undefined) return "";
  return `${type === "Float32Array" ? "f32" : "f64"}: ${outcome.mismatches}` +
    ` (e.g. x=${show(m.input)}: ${show(m.actual)} vs ${show(m.expected)})`;
}

function table(rows: Row[]): string {
  const types = ["Float32Array", "Float64Array"];
  const lines = [
    "| function | output | f32 max ulp | f32 worst x: got vs want | " +
    "f32 max err | f64 max ulp | f64 worst x: got vs want | " +
    "f64 max err | NaN/Inf/-0 mismatches |",
    "| --- | --- | ---: | --- | ---: | ---: | --- | ---: | --- |",
  ];
  for (const row of rows) {
    const cells = types.flatMap((t) => cell(row.results.get(t)));
    const mismatches = types.map((t) => mismatchText(t, row.results.get(t)))
      .filter((s) => s !== "").join("; ");
    lines.push(
      `| ${row.label} | ${row.quantity} | ${
        cells.join(" | ")
      } | ${mismatches} |`,
    );
  }
  return lines.join("\n");
}

/** Runs every measurement in both types and joins rows of the same output. */
function measureAll(): Row[] {
  const byKey = new Map<string, Row>();
  for (const Type of [Float32Array, Float64Array] as FloatArrayType[]) {
    const rows = [
      ...CASES.flatMap((c) => measureElementwise(c, Type)),
      ...measurePrelu(Type),
      ...measureRows(Type),
    ];
    for (const row of rows) {
      const key = `${row.label}\u0000${row.quantity}`;
      const existing = byKey.get(key);
      if (existing === undefined) byKey.set(key, row);
      else for (const [t, r] of row.results) existing.results.set(t, r);
    }
  }
  return [...byKey.values()];
}

if (import.meta.main) {
  const started = performance.now();
  const text = table(measureAll());
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const header = [
    "Accuracy against the float64 reference, in ulps of the output type.",
    `Deno ${Deno.version.deno} on ${Deno.build.os}-${Deno.build.arch}; ` +
    `measured in ${seconds} s.`,
    "Max err is the largest |got - want| / max(1, |want|) over the same " +
    "elements, for scale where ulps mislead (0 for 1e-17 is 10^9 ulps).",
    "Worst x is the input (for rows: the element's logit or, for gradients, " +
    "its y); mismatches are NaN, infinity or zero-sign disagreements, left " +
    "out of the ulp column.",
    "",
  ].join("\n");
  await Deno.stdout.write(new TextEncoder().encode(`${header}\n${text}\n`));
}
