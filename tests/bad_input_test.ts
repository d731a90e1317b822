import assert from "node:assert/strict";
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
