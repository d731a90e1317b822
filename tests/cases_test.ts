// The edge cases gathered from other frameworks' bug reports
// (tests/data/cases.json, see its README in the project's shared cases),
// each run against the function it names, in each type it names.

import assert from "node:assert/strict";
import * as activations from "../mod.ts";
import type { FloatArray } from "../mod.ts";
import type { FloatArrayType } from "./_helpers.ts";

interface Tolerance {
  mode: "equal" | "exact" | "close" | "behavior";
  rtol?: number;
  atol?: number;
}

interface Case {
  id: string;
  fn: string;
  params: Record<string, unknown>;
  dtype: string | null;
  input: unknown;
  expected: unknown;
  tolerance: Tolerance;
}

const cases: Case[] = JSON.parse(
  await Deno.readTextFile(new URL("./data/cases.json", import.meta.url)),
);

/** Reads a value of the file: a number or one of the special strings. */
function toNumber(value: unknown): number {
  if (typeof value === "number") return value;
  switch (value) {
    case "NaN":
      return NaN;
    case "Infinity":
      return Infinity;
    case "-Infinity":
      return -Infinity;
    case "-0":
      return -0;
  }
  throw new TypeError(`Unknown value in cases.json: ${String(value)}`);
}

function show(value: number): string {
  return Object.is(value, -0) ? "-0" : String(value);
}

function assertWithin(
  actual: ArrayLike<number>,
  expected: number[],
  tolerance: Tolerance,
  context: string,
): void {
  assert.equal(actual.length, expected.length, `${context}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const where = `${context}[${i}]: got ${show(a)}, expected ${show(e)}`;
    if (Number.isNaN(e) || Number.isNaN(a)) {
      assert.ok(Number.isNaN(e) && Number.isNaN(a), where);
      continue;
    }
    switch (tolerance.mode) {
      case "exact":
        assert.ok(Object.is(a, e), where);
        break;
      case "equal":
        assert.ok(a === e, where);
        break;
      case "close": {
        if (!Number.isFinite(e) || !Number.isFinite(a)) {
          assert.ok(a === e, where);
          break;
        }
        const bound = (tolerance.atol ?? 0) + (tolerance.rtol ?? 0) *
            Math.abs(e);
        assert.ok(Math.abs(a - e) <= bound, `${where} (bound ${bound})`);
        break;
      }
      default:
        assert.fail(`${context}: mode ${tolerance.mode} is not a value mode`);
    }
  }
}

/** The functions of the module by name, called the way the cases need. */
type Unary = (x: FloatArray, options?: object) => FloatArray;
type Gradient = (dy: FloatArray, x: FloatArray, options?: object) => FloatArray;
const forward = activations as unknown as Record<string, Unary>;
const gradient = activations as unknown as Record<string, Gradient>;

function typesOf(testCase: Case): FloatArrayType[] {
  return (testCase.dtype ?? "").split("|").map((name) => {
    if (name === "float32") return Float32Array;
    if (name === "float64") return Float64Array;
    throw new TypeError(`${testCase.id}: unknown dtype ${name}`);
  });
}

function runValueCase(testCase: Case, Type: FloatArrayType): void {
  const { dy, alpha, ...options } = testCase.params;
  const x = Type.from((testCase.input as unknown[]).map(toNumber));
  const context = `${testCase.id} ${Type.name}`;

  if (testCase.fn === "preluGrad") {
    const slopes = Type.from(alpha as number[]);
    const expected = testCase.expected as Record<string, unknown[]>;
    const ones = new Type(x.length).fill(dy as number);
    const y = activations.prelu(x, slopes);
    const { dx, dalpha } = activations.preluGrad(ones, x, slopes);
    assertWithin(y, expected.y!.map(toNumber), testCase.tolerance, context);
    assertWithin(dx, expected.dx!.map(toNumber), testCase.tolerance, context);
    assertWithin(
      dalpha,
      expected.dalpha!.map(toNumber),
      testCase.tolerance,
      context,
    );
    return;
  }

  if (alpha !== undefined) options.alpha = alpha;
  const expected = (testCase.expected as unknown[]).map(toNumber);
  let actual: FloatArray;
  if (testCase.fn.endsWith("Grad")) {
    const fn = gradient[testCase.fn];
    assert.ok(fn, `${testCase.id}: mod.ts has no ${testCase.fn}`);
    actual = fn(new Type(x.length).fill(dy as number), x, options);
  } else {
    const fn = forward[testCase.fn];
    assert.ok(fn, `${testCase.id}: mod.ts has no ${testCase.fn}`);
    actual = fn(x, options);
  }
  assertWithin(actual, expected, testCase.tolerance, context);
}

Deno.test("every value case of cases.json holds", async (t) => {
  // Cases whose `fn` is not a bare export name describe FFI behavior; they
  // have tests of their own below and in the other files.
  const valueCases = cases.filter((c) =>
    c.tolerance.mode !== "behavior" && /^\w+$/.test(c.fn)
  );
  assert.ok(valueCases.length >= 25, "the cases file lost its value cases");
  for (const testCase of valueCases) {
    await t.step(`${testCase.id} (${testCase.fn})`, () => {
      for (const Type of typesOf(testCase)) runValueCase(testCase, Type);
    });
  }
});

Deno.test("B02: empty arrays touch no memory, on both FFI paths", () => {
  const empty = new Float32Array(0);
  for (let i = 0; i < 20000; i++) {
    assert.equal(activations.relu(empty).length, 0);
    assert.equal(activations.softmax(empty, { axisLength: 3 }).length, 0);
    assert.equal(activations.softmaxGrad(empty, empty).length, 0);
  }
});

Deno.test("B05: a detached input is refused before the native call", () => {
  const x = new Float32Array([1, -1]);
  const out = new Float32Array(2);
  x.buffer.transfer();
  assert.throws(
    () => activations.relu(x, { out }),
    (error: unknown) =>
      error instanceof TypeError && /detached/.test(error.message),
  );
  assert.deepEqual([...out], [0, 0]);
});

// B07 (loading from another working directory) is in load_test.ts, and B08
// (the same results on the slow and the fast FFI path) in relu_test.ts.

Deno.test("B03: a pending asynchronous call keeps its arrays alive through collections", async () => {
  // In a child process, so that `gc` can be exposed: the input has no other
  // reference while collections run during the call.
  const mod = new URL("../mod.ts", import.meta.url).href;
  const script = `
    import { reluAsync } from "${mod}";
    const n = 4194304;
    const out = new Float32Array(n).fill(7);
    const pending = reluAsync(new Float32Array(n).fill(-1), { out });
    for (let i = 0; i < 20; i++) globalThis.gc();
    const y = await pending;
    for (let i = 0; i < 20; i++) globalThis.gc();
    console.log(y === out && out.every((v) => v === 0));
  `;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      "--no-lock",
      "--v8-flags=--expose-gc",
      script,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  assert.equal(new TextDecoder().decode(stdout).trim(), "true");
});

Deno.test("B04: a resizable buffer is refused by an asynchronous call before dispatch", async () => {
  const buffer = new ArrayBuffer(16, { maxByteLength: 1 << 20 });
  const x = new Float32Array(buffer);
  x.set([-1, 2, -3, 4]);
  const pending = activations.reluAsync(x, { out: x });
  buffer.resize(1 << 20);
  await assert.rejects(
    pending,
    (error: unknown) => error instanceof TypeError && /`x`/.test(error.message),
  );
  // Untouched, and the synchronous form still takes it.
  assert.deepEqual([...x.subarray(0, 4)], [-1, 2, -3, 4]);
  assert.equal(activations.relu(x, { out: x }), x);
  assert.deepEqual([...x.subarray(0, 4)], [0, 2, 0, 4]);
});
