import assert from "node:assert/strict";
import { relu } from "../mod.ts";
import {
  ARRAY_TYPES,
  assertSameBits,
  type FloatArray,
  type FloatArrayType,
  LENGTHS,
  offsetView,
  sampleInput,
  SPECIAL_VALUES,
  tf,
  tfUnary,
} from "./_helpers.ts";

/** ReLU in float64 TypeScript: the reference where tfjs has no float64. */
function referenceRelu(x: FloatArray): FloatArray {
  const y = new (x.constructor as FloatArrayType)(x.length);
  x.forEach((v, i) => y[i] = v > 0 ? v : Number.isNaN(v) ? v : 0);
  return y;
}

Deno.test("relu() matches tf.relu bit for bit on Float32Array", async (t) => {
  for (const length of LENGTHS) {
    await t.step(`length ${length}`, () => {
      const x = sampleInput(Float32Array, length, length + 1) as Float32Array;
      const before = x.slice();
      const y = relu(x);

      assert.ok(y instanceof Float32Array);
      assert.notEqual(y, x);
      assertSameBits(y, tfUnary(tf.relu, x), `length ${length}`);
      assertSameBits(x, before, "input changed");
    });
  }
});

Deno.test("relu() equals max(x, 0) on Float64Array", async (t) => {
  for (const length of LENGTHS) {
    await t.step(`length ${length}`, () => {
      const x = sampleInput(Float64Array, length, length + 7);
      const y = relu(x);

      assert.ok(y instanceof Float64Array);
      assertSameBits(y, referenceRelu(x), `length ${length}`);
    });
  }
});

Deno.test("relu() edge values follow tf.relu", async (t) => {
  await t.step("NaN stays NaN, -0 gives +0, infinities clamp", () => {
    for (const Type of ARRAY_TYPES) {
      const y = relu(new Type([NaN, -0, 0, Infinity, -Infinity]));
      assert.ok(Number.isNaN(y[0]));
      assert.ok(Object.is(y[1], 0), "-0 must give +0");
      assert.ok(Object.is(y[2], 0));
      assert.equal(y[3], Infinity);
      assert.ok(Object.is(y[4], 0));
    }
  });

  await t.step("float32 specials equal tf.relu", () => {
    const x = new Float32Array(SPECIAL_VALUES);
    assertSameBits(relu(x), tfUnary(tf.relu, x));
  });

  await t.step("subnormals pass through unflushed", () => {
    const x32 = new Float32Array([1.401298464324817e-45, -1.4e-45]);
    assertSameBits(relu(x32), new Float32Array([1.401298464324817e-45, 0]));
    const x64 = new Float64Array([5e-324, -5e-324]);
    assertSameBits(relu(x64), new Float64Array([5e-324, 0]));
  });
});

Deno.test("relu() writes into out and in place", async (t) => {
  for (const Type of ARRAY_TYPES) {
    for (const length of [0, 1, 9, 1023]) {
      await t.step(`${Type.name} length ${length}`, () => {
        const x = sampleInput(Type, length, 3);
        const expected = relu(x);

        const out = new Type(length).fill(123);
        assert.equal(relu(x, { out }), out);
        assertSameBits(out, expected, "out of place");

        assert.equal(relu(x, { out: x }), x);
        assertSameBits(x, expected, "in place");
      });
    }
  }
});

Deno.test("relu() reads and writes views at odd offsets", async (t) => {
  for (const Type of ARRAY_TYPES) {
    for (const offset of [1, 3, 5, 7]) {
      await t.step(`${Type.name} offset ${offset} elements`, () => {
        const source = sampleInput(Type, 1031, offset);
        const expected = relu(source);

        const x = offsetView(Type, source, offset);
        const out = offsetView(Type, new Type(source.length), offset + 2);
        const guard = new Type(out.buffer as ArrayBuffer);
        const guardBefore = guard.slice();
        relu(x, { out });
        assertSameBits(out, expected, "out of place");

        // Nothing outside `out` in its buffer changed.
        const start = out.byteOffset / Type.BYTES_PER_ELEMENT;
        for (let i = 0; i < guard.length; i++) {
          if (i >= start && i < start + out.length) continue;
          assert.ok(Object.is(guard[i], guardBefore[i]), `guard ${i} changed`);
        }

        relu(x, { out: x });
        assertSameBits(x, expected, "in place");
      });
    }
  }
});

Deno.test("relu() accepts shared and resizable buffers", () => {
  const shared = new Float32Array(new SharedArrayBuffer(16));
  shared.set([-1, 2, -3, 4]);
  assertSameBits(relu(shared), new Float32Array([0, 2, 0, 4]));

  const resizable = new ArrayBuffer(16, { maxByteLength: 64 });
  const tracking = new Float32Array(resizable);
  tracking.set([-1, 2, -3, 4]);
  resizable.resize(32);
  assert.equal(tracking.length, 8);
  assertSameBits(relu(tracking), new Float32Array([0, 2, 0, 4, 0, 0, 0, 0]));
});

Deno.test("relu() gives the same results before and after optimization", () => {
  // The first calls go through Deno's slow FFI path, later ones through
  // V8's fast calls; both must see the same memory.
  const x = new Float32Array([-1.5, 0, 2.5, NaN]);
  const empty = new Float32Array(0);
  const expected = new Float32Array([0, 0, 2.5, NaN]);
  for (let i = 0; i < 20000; i++) {
    const y = relu(x);
    if (y[0] !== 0 || y[1] !== 0 || y[2] !== 2.5 || !Number.isNaN(y[3])) {
      assertSameBits(y, expected, `iteration ${i}`);
    }
    assert.equal(relu(empty).length, 0);
  }
});
