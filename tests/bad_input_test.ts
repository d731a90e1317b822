import assert from "node:assert/strict";
import * as act from "../mod.ts";
import { relu } from "../mod.ts";

// Each bad call must throw the named error class with a message that names
// the argument, before any native call, and leave the arrays untouched.

type Call = () => unknown;

function assertThrowsNaming(
  call: Call,
  ErrorClass: typeof TypeError | typeof RangeError,
  pattern: RegExp,
): void {
  assert.throws(call, (error: unknown) => {
    assert.ok(
      error instanceof ErrorClass,
      `expected ${ErrorClass.name}, got ${String(error)}`,
    );
    assert.match((error as Error).message, pattern);
    return true;
  });
}

Deno.test("relu() refuses inputs that are not float arrays", async (t) => {
  const cases: [string, unknown, RegExp][] = [
    ["a plain array", [1, -1], /`x` must be a Float32Array .* got an Array/],
    ["an Int32Array", new Int32Array(2), /got Int32Array/],
    ["a Uint8Array", new Uint8Array(8), /got Uint8Array/],
    ["a DataView", new DataView(new ArrayBuffer(8)), /got DataView/],
    ["an ArrayBuffer", new ArrayBuffer(8), /got an object \(ArrayBuffer\)/],
    ["undefined", undefined, /got undefined/],
    ["null", null, /got null/],
    ["a number", 3, /got a number \(3\)/],
  ];
  for (const [label, value, pattern] of cases) {
    await t.step(label, () => {
      assertThrowsNaming(
        () => relu(value as Float32Array),
        TypeError,
        pattern,
      );
    });
  }
});

Deno.test("relu() refuses an `out` that does not match `x`", async (t) => {
  const x = new Float32Array([-1, 2, -3, 4]);
  const before = x.slice();

  await t.step("another type", () => {
    const out = new Float64Array(4).fill(7);
    assertThrowsNaming(
      () => relu(x, { out: out as unknown as Float32Array }),
      TypeError,
      /`out` must be a Float32Array like `x`, got Float64Array/,
    );
    assert.deepEqual([...out], [7, 7, 7, 7]);
  });

  await t.step("another length", () => {
    const out = new Float32Array(3).fill(7);
    assertThrowsNaming(
      () => relu(x, { out }),
      RangeError,
      /`out` must have the length of `x` \(4\), got 3/,
    );
    assert.deepEqual([...out], [7, 7, 7]);
  });

  await t.step("a plain array", () => {
    assertThrowsNaming(
      () => relu(x, { out: [0, 0, 0, 0] as unknown as Float32Array }),
      TypeError,
      /`out` must be a Float32Array or Float64Array, got an Array/,
    );
  });

  await t.step("a view that overlaps `x` without being it", () => {
    const buffer = new Float32Array([-1, 2, -3, 4, -5]);
    const input = buffer.subarray(0, 4);
    const shifted = buffer.subarray(1, 5);
    assertThrowsNaming(
      () => relu(input, { out: shifted }),
      RangeError,
      /`out` must be `x` itself or not overlap it/,
    );
    assert.deepEqual([...buffer], [-1, 2, -3, 4, -5]);
  });

  assert.deepEqual(x, before);
});

Deno.test("relu() accepts disjoint views of one buffer", () => {
  const buffer = new Float32Array([-1, 2, -3, 4]);
  relu(buffer.subarray(0, 2), { out: buffer.subarray(2, 4) });
  assert.deepEqual([...buffer], [-1, 2, 0, 2]);
});

Deno.test("relu() refuses detached buffers", async (t) => {
  await t.step("a detached input", () => {
    const x = new Float32Array([1, -1]);
    x.buffer.transfer();
    assert.equal(x.length, 0);
    assertThrowsNaming(
      () => relu(x),
      TypeError,
      /`x` must be backed by a live buffer, got a detached Float32Array/,
    );
  });

  await t.step("a detached out", () => {
    const x = new Float64Array([1, -1]);
    const out = new Float64Array(2);
    out.buffer.transfer();
    assertThrowsNaming(
      () => relu(x, { out }),
      TypeError,
      /`out` must be backed by a live buffer/,
    );
    assert.deepEqual([...x], [1, -1]);
  });
});

Deno.test("parameters are checked before any native call", async (t) => {
  const x = new Float32Array([-1, 0.5, 2, -3]);
  const before = x.slice();
  const cases: [string, Call, typeof TypeError | typeof RangeError, RegExp][] =
    [
      [
        "a NaN alpha",
        () => act.leakyRelu(x, { alpha: NaN }),
        RangeError,
        /`alpha` must be finite, got NaN/,
      ],
      [
        "an infinite alpha",
        () => act.elu(x, { alpha: Infinity }),
        RangeError,
        /`alpha` must be finite, got Infinity/,
      ],
      [
        "a string alpha",
        () => act.leakyRelu(x, { alpha: "0.2" as unknown as number }),
        TypeError,
        /`alpha` must be a number, got a string \(0\.2\)/,
      ],
      [
        "a zero celu alpha",
        () => act.celu(x, { alpha: 0 }),
        RangeError,
        /`alpha` must not be 0/,
      ],
      [
        "a zero softplus beta",
        () => act.softplusGrad(x, x.slice(), { beta: 0 }),
        RangeError,
        /`beta` must not be 0/,
      ],
      [
        "an infinite hardSigmoid beta",
        () => act.hardSigmoid(x, { beta: -Infinity }),
        RangeError,
        /`beta` must be finite/,
      ],
      [
        "a NaN silu beta",
        () => act.silu(x, { beta: NaN }),
        RangeError,
        /`beta` must be finite/,
      ],
      [
        "an unknown gelu form",
        () => act.gelu(x, { approximate: "erf" as "none" }),
        RangeError,
        /`approximate` must be "none" or "tanh", got "erf"/,
      ],
      [
        "options that are not an object",
        () => act.relu(x, 5 as unknown as undefined),
        TypeError,
        /`options` must be an object, got a number/,
      ],
      [
        "slopes of another type",
        () => act.prelu(x, new Float64Array([0.1]) as unknown as Float32Array),
        TypeError,
        /`alpha` must be a Float32Array like `x`, got Float64Array/,
      ],
      [
        "slopes as a plain array",
        () => act.prelu(x, [0.1] as unknown as Float32Array),
        TypeError,
        /`alpha` must be a Float32Array or Float64Array, got an Array/,
      ],
      [
        "no slopes",
        () => act.prelu(x, new Float32Array(0)),
        RangeError,
        /`alpha` must hold at least one slope, got 0/,
      ],
      [
        "a missing slope argument",
        () => act.prelu(x, undefined as unknown as Float32Array),
        TypeError,
        /`alpha` must be a Float32Array or Float64Array, got undefined/,
      ],
      [
        "an axisLength of zero",
        () => act.softmax(x, { axisLength: 0 }),
        RangeError,
        /`axisLength` must be a positive integer, got 0/,
      ],
      [
        "an axisLength that does not divide the length",
        () => act.logSoftmax(x, { axisLength: 3 }),
        RangeError,
        /`axisLength` must divide the array's length \(4\), got 3/,
      ],
      [
        "a fractional axisLength",
        () => act.softmaxGrad(x, x.slice(), { axisLength: 1.5 }),
        RangeError,
        /`axisLength` must be a positive integer, got 1\.5/,
      ],
      [
        "an axisLength as a string",
        () => act.softmax(x, { axisLength: "2" as unknown as number }),
        TypeError,
        /`axisLength` must be a number, got a string/,
      ],
    ];
  for (const [label, call, ErrorClass, pattern] of cases) {
    await t.step(label, () => assertThrowsNaming(call, ErrorClass, pattern));
  }
  assert.deepEqual(x, before);
});

Deno.test("gradients check dy, x and out against each other", async (t) => {
  const dy = new Float64Array([1, 1, 1, 1]);
  const x = new Float64Array([-1, 0.5, 2, -3]);

  await t.step("x of another type", () => {
    assertThrowsNaming(
      () => act.tanhGrad(dy, new Float32Array(4) as unknown as Float64Array),
      TypeError,
      /`x` must be a Float64Array like `dy`, got Float32Array/,
    );
  });

  await t.step("x of another length", () => {
    assertThrowsNaming(
      () => act.sigmoidGrad(dy, new Float64Array(3)),
      RangeError,
      /`x` must have the length of `dy` \(4\), got 3/,
    );
  });

  await t.step("a missing x", () => {
    assertThrowsNaming(
      () => act.eluGrad(dy, undefined as unknown as Float64Array),
      TypeError,
      /`x` must be a Float32Array or Float64Array, got undefined/,
    );
  });

  await t.step("out partly over x", () => {
    const buffer = new Float64Array(5);
    const input = buffer.subarray(0, 4);
    input.set(x);
    assertThrowsNaming(
      () => act.geluGrad(dy, input, { out: buffer.subarray(1, 5) }),
      RangeError,
      /`out` must be `x` itself or not overlap it/,
    );
    assert.deepEqual([...buffer], [-1, 0.5, 2, -3, 0]);
  });

  await t.step("softmaxGrad names y", () => {
    assertThrowsNaming(
      () => act.softmaxGrad(dy, new Float64Array(2)),
      RangeError,
      /`y` must have the length of `dy` \(4\), got 2/,
    );
  });

  await t.step("preluGrad's dalphaOut", () => {
    const alpha = new Float64Array([0.1, 0.2]);
    assertThrowsNaming(
      () => act.preluGrad(dy, x, alpha, { dalphaOut: new Float64Array(3) }),
      RangeError,
      /`dalphaOut` must have the length of `alpha` \(2\), got 3/,
    );
    assertThrowsNaming(
      () => act.preluGrad(dy, x, alpha, { dalphaOut: dy.subarray(0, 2) }),
      RangeError,
      /`dalphaOut` must not share memory with `dy`/,
    );
    assertThrowsNaming(
      () => act.prelu(x, alpha, { out: new Float64Array(alpha.buffer) }),
      RangeError,
      /`out` must have the length of `x` \(4\), got 2/,
    );
  });
  assert.deepEqual([...dy], [1, 1, 1, 1]);
  assert.deepEqual([...x], [-1, 0.5, 2, -3]);
});
