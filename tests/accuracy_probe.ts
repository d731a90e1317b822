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

import {
  type FloatArrayType,
  measureAll,
  type Measurement,
  prepare,
  type Row,
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

if (import.meta.main) {
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
