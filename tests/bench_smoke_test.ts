// The benchmark report on a small real run: two sizes of relu, forward and
// gradient, every method. Checks that the run measures each method, that
// the numbers come out positive and the floor is where it should be, and
// that the tables, the chart and the README section are written.

import assert from "node:assert/strict";
import { FLOOR_METHODS, type MethodKey } from "../bench/_config.ts";
import {
  chartSpec,
  END_MARKER,
  parseRun,
  type RawRun,
  recordRun,
  renderDetails,
  renderSummary,
  renderSvg,
  runBenchmarks,
  START_MARKER,
  throughputs,
  writeReport,
} from "../bench/report.ts";

const SIZES = [1000, 20000];

const EVERY_METHOD: MethodKey[] = [
  "native",
  "tfjs-cpu-user",
  "tfjs-cpu-op",
  "tfjs-wasm-user",
  "tfjs-wasm-op",
  "onnx",
  "loop",
  "copy-set",
  "copy-stream",
];

/** The cells of the table row that starts with `name`. */
function rowOf(markdown: string, name: string): string[] {
  const line = markdown.split("\n").find((l) => l.startsWith(`| ${name} `));
  assert.ok(line, `no row for ${name} in:\n${markdown}`);
  return line.split("|").slice(1, -1).map((cell) => cell.trim());
}

Deno.test("the benchmark report measures and renders a small run", async (t) => {
  const run: RawRun = await runBenchmarks({
    env: { BENCH_SIZES: SIZES.join(","), BENCH_FUNCTIONS: "relu,reluGrad" },
    echo: false,
  });
  const results = throughputs(parseRun(run));

  await t.step("every method at every size, timed by its median", () => {
    for (
      const [name, methods] of [
        ["relu", EVERY_METHOD],
        ["reluGrad", EVERY_METHOD.filter((m) => m !== "onnx")],
      ] as const
    ) {
      for (const size of SIZES) {
        const measured = results
          .filter((r) => r.name === name && r.size === size)
          .map((r) => r.method)
          .sort();
        assert.deepEqual(measured, [...methods].sort(), `${name} at ${size}`);
      }
    }
    assert.ok(results.every((r) => r.statistic === "median"));
    assert.deepEqual(run.notes, [], "nothing should be left out");
  });

  await t.step("times and throughputs are positive and consistent", () => {
    for (const r of results) {
      const context = `${r.name} ${r.size} ${r.method}`;
      assert.ok(r.ns > 0 && Number.isFinite(r.ns), `${context}: ${r.ns} ns`);
      const bytes = r.kind === "forward" ? 8 : 12;
      assert.ok(
        Math.abs(r.bytesPerSecond - bytes * r.elementsPerSecond) <=
          1e-9 * r.bytesPerSecond,
        context,
      );
      assert.ok(r.ofFloor !== undefined && r.ofFloor > 0, context);
    }
    // The faster copy is the floor itself; the other is at most as fast.
    for (const name of ["relu", "reluGrad"]) {
      for (const size of SIZES) {
        const floors = results.filter((r) =>
          r.name === name && r.size === size &&
          FLOOR_METHODS.includes(r.method)
        ).map((r) => r.ofFloor! * (name === "relu" ? 1 : 8 / 12));
        assert.equal(floors.length, 2);
        assert.ok(Math.abs(Math.max(...floors) - 1) < 1e-12, `${floors}`);
      }
    }
  });

  await t.step("the summary has a number for every method", () => {
    const summary = renderSummary(results);
    const header = rowOf(summary, "function");
    assert.deepEqual(header, [
      "function",
      "native",
      "tfjs cpu",
      "tfjs cpu, op",
      "tfjs wasm",
      "tfjs wasm, op",
      "onnxruntime",
      "TS loop",
      "native vs fastest peer",
    ]);
    const cells = rowOf(summary, "`relu`").slice(1);
    assert.equal(cells.length, header.length - 1);
    for (const cell of cells) {
      // One value per summary size, "0.38 / 0.76", or "2.1× / 3.4×".
      const values = cell.split(" / ").map((v) => Number(v.replace("×", "")));
      assert.equal(values.length, 2, cell);
      assert.ok(values.every((v) => v > 0), cell);
    }
    assert.equal(rowOf(summary, "`reluGrad`").length, header.length - 1);
  });

  await t.step("the details list each method at each size", () => {
    const details = renderDetails(results);
    const rows = details.split("\n").filter((l) => /^\| [\d,]+ \|/.test(l));
    assert.equal(rows.length, SIZES.length * (2 * EVERY_METHOD.length - 1));
  });

  await t.step("the chart renders with a panel per function", async () => {
    const svg = await renderSvg(chartSpec(results, "forward"));
    assert.match(svg, /^<svg/);
    assert.match(svg, />relu</);
    assert.match(svg, />copy floor</);
  });

  await t.step(
    "the README section is rewritten between the markers",
    async () => {
      const folder = await Deno.makeTempDir();
      try {
        const readme = `${folder}/README.md`;
        await Deno.writeTextFile(
          readme,
          `# Title\n\n${START_MARKER}\nold\n${END_MARKER}\n\nAfter.\n`,
        );
        const record = await recordRun(run);
        await writeReport(record, { readme, folder: `${folder}/report` });
        const text = await Deno.readTextFile(readme);
        assert.ok(!text.includes("\nold\n"));
        assert.ok(text.startsWith("# Title\n"));
        assert.ok(text.trimEnd().endsWith("After."));
        assert.match(text, /\| `relu` +\|/);
        assert.match(text, /!\[Forward: [^\]]+\]\(report\/forward\.svg\)/);
        const svg = await Deno.readTextFile(`${folder}/report/gradient.svg`);
        assert.match(svg, />reluGrad</);
        const details = await Deno.readTextFile(`${folder}/report/details.md`);
        assert.match(details, /### `reluGrad`/);
      } finally {
        await Deno.remove(folder, { recursive: true });
      }
    },
  );
});
