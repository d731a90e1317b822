// Measures the accuracy of every function and gradient of mod.ts, in both
// array types, against the float64 reference of tests/_reference.ts, and
// prints a Markdown table of the largest ulp error and where it occurs,
// beside the bound tests/accuracy_test.ts asserts.
//
//   make build
//   deno run --allow-ffi --allow-read --allow-env tests/accuracy_probe.ts
//
// A script rather than a test: it reports numbers for a person to judge,
// over more inputs than the test sweeps (tests/_accuracy.ts holds the cases,
// the inputs and the measuring for both).
//
// With --tfjs it measures TensorFlow.js (on its cpu backend, in float32) on
// the same float32 inputs instead, for the README's comparison, and prints
// tfjs's values at the places where it is known to lose digits.

import * as act from "../mod.ts";
import * as ref from "./_reference.ts";
import {
  CASES,
  type FloatArrayType,
  measure,
  measureAll,
  type Measurement,
  merge,
  prepare,
  type Row,
  ROW_LENGTHS,
  rowInputs,
  showNumber,
  violation,
} from "./_accuracy.ts";

function cell(m: Measurement): [string, string, string] {
  const where = m.worst === undefined || m.maxUlp === 0
    ? ""
    : `${showNumber(m.worst.input)}: ${showNumber(m.worst.actual)} vs ` +
      showNumber(m.worst.expected);
  const absolute = m.worstAbsolute === undefined
    ? ""
    : m.maxAbsolute.toExponential(1);
  return [String(m.maxUlp), where, absolute];
}

function mismatchText(type: string, m: Measurement): string {
  const s = m.firstMismatch;
  if (s === undefined) return "";
  return `${type}: ${m.mismatches} (e.g. x=${showNumber(s.input)}: ` +
    `${showNumber(s.actual)} vs ${showNumber(s.expected)})`;
}

function table(rows: Row[]): string {
  const lines = [
    "| function | output | f32 max ulp (bound) | f32 worst x: got vs want | " +
    "f32 near zero | f64 max ulp (bound) | f64 worst x: got vs want | " +
    "f64 near zero | mismatches | verdict |",
    "| --- | --- | ---: | --- | ---: | ---: | --- | ---: | --- | --- |",
  ];
  const byKey = new Map<string, Row[]>();
  for (const row of rows) {
    const key = `${row.label}\u0000${row.quantity}`;
    byKey.set(key, [...(byKey.get(key) ?? []), row]);
  }
  for (const pair of byKey.values()) {
    const cells: string[] = [];
    const mismatches: string[] = [];
    const failures: string[] = [];
    for (const Type of [Float32Array, Float64Array] as FloatArrayType[]) {
      const row = pair.find((r) => r.type === Type);
      const name = Type === Float32Array ? "f32" : "f64";
      if (row === undefined) {
        cells.push("", "", "");
        continue;
      }
      const [ulp, where, absolute] = cell(row.measurement);
      const absoluteBound = row.absoluteBound === undefined
        ? ""
        : ` (${row.absoluteBound})`;
      cells.push(
        `${ulp} (${row.ulpBound})`,
        where,
        absolute === "" ? "" : absolute + absoluteBound,
      );
      const text = mismatchText(name, row.measurement);
      if (text !== "") mismatches.push(text);
      const problem = violation(row);
      if (problem !== undefined) failures.push(`${name}: ${problem}`);
    }
    const first = pair[0]!;
    lines.push(
      `| ${first.label} | ${first.quantity} | ${cells.join(" | ")} | ` +
        `${mismatches.join("; ")} | ${
          failures.length === 0 ? "ok" : failures.join("; ")
        } |`,
    );
  }
  return lines.join("\n");
}

// ---------------------------------------------------------------------------
// TensorFlow.js on the same inputs.

type TfModule = typeof import("./_helpers.ts");
type Tensor = import("./_helpers.ts").tf.Tensor;

/** The tfjs op of each case label that tfjs has: a tf.* op or the
 * activation of tf.layers. */
function tfjsOps(
  h: TfModule,
): Record<string, (t: Tensor) => Tensor> {
  const tf = h.tf;
  const layer = (activation: string) => {
    const applied = tf.layers.activation({ activation: activation as "relu" });
    return (t: Tensor): Tensor => applied.apply(t) as Tensor;
  };
  return {
    "relu": tf.relu,
    "relu6": tf.relu6,
    "leakyRelu": (t) => tf.leakyRelu(t, 0.2),
    "leakyRelu alpha=0.01": (t) => tf.leakyRelu(t, 0.01),
    "elu": tf.elu,
    "selu": tf.selu,
    "gelu": layer("gelu"),
    "gelu tanh": layer("gelu_new"),
    "silu": layer("swish"),
    "mish": layer("mish"),
    "sigmoid": tf.sigmoid,
    "hardSigmoid": layer("hardSigmoid"),
    "tanh": tf.tanh,
    "softplus": tf.softplus,
    "softsign": layer("softsign"),
  };
}

function tfRun(
  h: TfModule,
  op: (t: Tensor) => Tensor,
  x: Float32Array,
  gradient: boolean,
): Float32Array {
  const tf = h.tf;
  return tf.tidy(() => {
    const input = tf.tensor1d(x, "float32");
    const out = gradient
      ? tf.grad((v: Tensor) => op(v).sum())(input)
      : op(input);
    return out.dataSync() as Float32Array;
  });
}

async function tfjsReport(): Promise<string> {
  const h = await import("./_helpers.ts");
  const ops = tfjsOps(h);
  const prepared = prepare(Float32Array, "full");
  const x = prepared.x as Float32Array;
  const lines = [
    "| function | tfjs y max ulp | worst x: tfjs vs exact | tfjs dx max ulp " +
    "| worst x: tfjs vs exact | mismatches (y; dx) |",
    "| --- | ---: | --- | ---: | --- | --- |",
  ];
  const where = (m: Measurement): string =>
    m.worst === undefined || m.maxUlp === 0
      ? ""
      : `${showNumber(m.worst.input)}: ${showNumber(m.worst.actual)} vs ` +
        showNumber(m.worst.expected);
  const mismatch = (m: Measurement): string =>
    m.firstMismatch === undefined
      ? "0"
      : `${m.mismatches} (x=${showNumber(m.firstMismatch.input)}: ` +
        `${showNumber(m.firstMismatch.actual)} vs ` +
        `${showNumber(m.firstMismatch.expected)})`;
  CASES.forEach((c, i) => {
    const op = ops[c.label];
    if (op === undefined) return;
    const reference = prepared.cases[i]!;
    const y = measure(x, tfRun(h, op, x, false), reference.y, {
      signedZeros: true,
    });
    const dx = measure(x, tfRun(h, op, x, true), reference.dx[0]);
    lines.push(
      `| ${c.label} | ${y.maxUlp} | ${where(y)} | ${dx.maxUlp} | ` +
        `${where(dx)} | ${mismatch(y)}; ${mismatch(dx)} |`,
    );
  });

  // Rows: tf.softmax and tf.logSoftmax over the probe's rows.
  for (const name of ["softmax", "logSoftmax"] as const) {
    const parts = ROW_LENGTHS.map((n) => {
      const rows = rowInputs(Float32Array, n) as Float32Array;
      const reference = name === "softmax" ? ref.softmax : ref.logSoftmax;
      const got = h.tf.tidy(() => {
        const t = h.tf.tensor2d(rows, [rows.length / n, n], "float32");
        const out = name === "softmax" ? h.tf.softmax(t) : h.tf.logSoftmax(t);
        return out.dataSync() as Float32Array;
      });
      return measure(rows, got, reference(rows, n).map(Math.fround), {
        signedZeros: true,
      });
    });
    const y = merge(parts);
    lines.push(
      `| ${name} | ${y.maxUlp} | ${where(y)} | | | ${mismatch(y)} |`,
    );
  }

  // The places where tfjs loses digits, each with this module's value and
  // the exact one rounded to float32.
  const tf = h.tf;
  const ones = (v: Float32Array): Float32Array =>
    new Float32Array(v.length).fill(1);
  const spots: [
    string,
    (t: Tensor) => Tensor,
    boolean,
    number,
    (x: number) => ref.Precise,
    (x: Float32Array) => Float32Array,
  ][] = [
    ["gelu", ops["gelu"]!, false, -5, ref.exact.gelu, (v) => act.gelu(v)],
    ["gelu", ops["gelu"]!, false, -5.6, ref.exact.gelu, (v) => act.gelu(v)],
    ["gelu", ops["gelu"]!, false, -10, ref.exact.gelu, (v) => act.gelu(v)],
    [
      "gelu tanh",
      ops["gelu tanh"]!,
      false,
      -5.2,
      ref.exact.geluTanh,
      (v) => act.gelu(v, { approximate: "tanh" }),
    ],
    [
      "gelu tanh",
      ops["gelu tanh"]!,
      false,
      -10,
      ref.exact.geluTanh,
      (v) => act.gelu(v, { approximate: "tanh" }),
    ],
    ["elu", tf.elu, false, -1e-12, (v) => ref.exact.elu(v), (v) => act.elu(v)],
    ["elu", tf.elu, false, -1e-17, (v) => ref.exact.elu(v), (v) => act.elu(v)],
    ["selu", tf.selu, false, -1e-17, ref.exact.selu, (v) => act.selu(v)],
    [
      "elu'",
      tf.elu,
      true,
      -20,
      (v) => ref.exact.eluDerivative(v),
      (v) => act.eluGrad(ones(v), v),
    ],
    [
      "sigmoid'",
      tf.sigmoid,
      true,
      20,
      ref.exact.sigmoidDerivative,
      (v) => act.sigmoidGrad(ones(v), v),
    ],
    [
      "sigmoid'",
      tf.sigmoid,
      true,
      40,
      ref.exact.sigmoidDerivative,
      (v) => act.sigmoidGrad(ones(v), v),
    ],
    [
      "tanh'",
      tf.tanh,
      true,
      9,
      ref.exact.tanhDerivative,
      (v) => act.tanhGrad(ones(v), v),
    ],
    [
      "tanh'",
      tf.tanh,
      true,
      20,
      ref.exact.tanhDerivative,
      (v) => act.tanhGrad(ones(v), v),
    ],
    [
      "softsign",
      ops["softsign"]!,
      false,
      Infinity,
      ref.exact.softsign,
      (v) => act.softsign(v),
    ],
    [
      "softsign'",
      ops["softsign"]!,
      true,
      16836428,
      ref.exact.softsignDerivative,
      (v) => act.softsignGrad(ones(v), v),
    ],
    [
      "hardSigmoid",
      ops["hardSigmoid"]!,
      false,
      -2.4999998,
      (v) => ref.exact.hardSigmoid(v),
      (v) => act.hardSigmoid(v),
    ],
    [
      "softplus",
      tf.softplus,
      false,
      -13.98,
      (v) => ref.exact.softplus(v),
      (v) => act.softplus(v),
    ],
    [
      "silu",
      ops["silu"]!,
      false,
      -Infinity,
      (v) => ref.exact.silu(v),
      (v) => act.silu(v),
    ],
    [
      "mish",
      ops["mish"]!,
      false,
      -Infinity,
      ref.exact.mish,
      (v) => act.mish(v),
    ],
  ];
  lines.push(
    "",
    "| spot | x | tfjs | this module | exact, to float32 |",
    "| --- | ---: | ---: | ---: | ---: |",
  );
  for (const [name, op, gradient, v, exact, ours] of spots) {
    const input = Float32Array.of(v);
    lines.push(
      `| ${name} | ${showNumber(Math.fround(v))} | ` +
        `${showNumber(tfRun(h, op, input, gradient)[0]!)} | ` +
        `${showNumber(ours(input)[0]!)} | ` +
        `${showNumber(ref.roundPrecise(exact(input[0]!), Float32Array))} |`,
    );
  }
  return lines.join("\n");
}

if (import.meta.main && Deno.args.includes("--tfjs")) {
  const text = await tfjsReport();
  const header = [
    "TensorFlow.js (cpu backend, float32) against the float64 reference on " +
    "the probe's float32 inputs, gradients with dy = 1 through tf.grad.",
    "",
  ].join("\n");
  await Deno.stdout.write(new TextEncoder().encode(`${header}\n${text}\n`));
} else if (import.meta.main) {
  const started = performance.now();
  const rows = ([Float32Array, Float64Array] as FloatArrayType[]).flatMap(
    (Type) => measureAll(Type, prepare(Type, "full")),
  );
  const text = table(rows);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const header = [
    "Accuracy against the float64 reference, in ulps of the output type, " +
    "with the bound tests/accuracy_test.ts asserts in parentheses.",
    `Deno ${Deno.version.deno} on ${Deno.build.os}-${Deno.build.arch}; ` +
    `measured in ${seconds} s.`,
    "Near zero: the largest |got - want| / |dy| within the windows around " +
    "the zeros of a derivative, where the bound is absolute (in " +
    "parentheses); those elements are left out of the ulp column.",
    "Worst x is the input (for rows: the element's logit or, for gradients, " +
    "its y); mismatches are NaN, infinity or zero-sign disagreements.",
    "",
  ].join("\n");
  await Deno.stdout.write(new TextEncoder().encode(`${header}\n${text}\n`));
}
