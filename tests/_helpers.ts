// Shared by the tests: TensorFlow.js on its CPU backend, deterministic
// random inputs, and comparisons that treat the sign of zero and NaN exactly.

import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";

await tf.setBackend("cpu");

/** Either array type, for tests that run over both. */
export type FloatArray = Float32Array | Float64Array;

/** The constructor of either array type. */
export type FloatArrayType = typeof Float32Array | typeof Float64Array;

/** Both array types, for tests that run over each. */
export const ARRAY_TYPES: FloatArrayType[] = [Float32Array, Float64Array];
export { tf };

/** The lengths every elementwise test runs over. */
export const LENGTHS = [0, 1, 7, 8, 9, 1023, 1 << 20];

/** Values on which implementations of activations have gone wrong. */
export const SPECIAL_VALUES = [
  NaN,
  Infinity,
  -Infinity,
  0,
  -0,
  1.401298464324817e-45, // smallest float32 subnormal
  -1.401298464324817e-45,
  1.1754942106924411e-38, // largest float32 subnormal
  1.1754943508222875e-38, // smallest normal float32
  5e-324, // smallest float64 subnormal
  -5e-324,
  3.4028234663852886e38, // largest float32
  -3.4028234663852886e38,
  1.7976931348623157e308, // largest float64
  -1.7976931348623157e308,
  1,
  -1,
  0.5,
  -0.5,
  6,
  -6,
  88.72283935546875,
  -88.72283935546875,
  1e-7,
  -1e-7,
];

/** A small, seeded generator, so that a failure can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fills an array with special values, then random ones spread over
 * magnitudes from 1e-6 to 1e3, half of them negative. */
export function sampleInput(
  Type: FloatArrayType,
  length: number,
  seed = 1,
): FloatArray {
  const random = seededRandom(seed);
  const x = new Type(length);
  for (let i = 0; i < length; i++) {
    x[i] = i < SPECIAL_VALUES.length && length > SPECIAL_VALUES.length
      ? SPECIAL_VALUES[i]!
      : (random() < 0.5 ? -1 : 1) * 10 ** (random() * 9 - 6);
  }
  return x;
}

/** Runs a tfjs unary op on a float32 array, as a user of tfjs would. */
export function tfUnary(
  op: (t: tf.Tensor) => tf.Tensor,
  x: Float32Array,
): Float32Array {
  return tf.tidy(() =>
    op(tf.tensor1d(x, "float32")).dataSync() as Float32Array
  );
}

/** Asserts that two arrays hold the same bits, NaN payloads aside. */
export function assertSameBits(
  actual: FloatArray,
  expected: FloatArray,
  context = "",
): void {
  assert.equal(actual.length, expected.length, `${context} length`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (!Object.is(a, e)) {
      assert.fail(
        `${context} element ${i}: got ${Object.is(a, -0) ? "-0" : a}, ` +
          `expected ${Object.is(e, -0) ? "-0" : e}`,
      );
    }
  }
}

/** A view of `length` elements that starts `offsetElements` into a larger
 * buffer, so that it is not aligned to 16 or 32 bytes. */
export function offsetView(
  Type: FloatArrayType,
  source: ArrayLike<number>,
  offsetElements: number,
): FloatArray {
  const buffer = new ArrayBuffer(
    (source.length + offsetElements + 3) * Type.BYTES_PER_ELEMENT,
  );
  const view = new Type(
    buffer,
    offsetElements * Type.BYTES_PER_ELEMENT,
    source.length,
  );
  for (let i = 0; i < source.length; i++) view[i] = source[i]!;
  return view;
}
