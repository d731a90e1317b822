/**
 * Neural-network activation functions at native speed, over `Float32Array`
 * and `Float64Array` without copying.
 *
 * Each function reads its input array and writes a new array of the same
 * type, or the caller's array given as `out`. Passing the input itself as
 * `out` computes in place. The kernels are C++ compiled into a shared library
 * and called through `Deno.dlopen`, so the module needs `--allow-ffi` (and
 * `--allow-read` to find the library).
 *
 * @example Rectify an array
 * ```ts
 * import { relu } from "./mod.ts";
 *
 * const y = relu(new Float32Array([-2, -0.5, 0, 1.5]));
 * console.log(y); // Float32Array(4) [ 0, 0, 0, 1.5 ]
 * ```
 *
 * @module
 */

import { checkFloatArray, type FloatArray, outputFor } from "./ffi/arrays.ts";
import { loadLibrary } from "./ffi/load.ts";

export type { FloatArray } from "./ffi/arrays.ts";

/** Options of an elementwise function. */
export interface OutputOptions<T extends FloatArray> {
  /**
   * The array to write the result into: the same type and length as the
   * input, and either the input itself (in place) or not overlapping it.
   * Without it, a new array is returned.
   */
  out?: T;
}

/** A failure reported by a native kernel, with its status code. */
export class NativeError extends Error {
  /** The `act_status` code the kernel returned. */
  readonly code: number;

  /**
   * @param symbol The native symbol that failed.
   * @param code The status it returned.
   */
  constructor(symbol: string, code: number) {
    super(`Native kernel ${symbol} failed with status ${code}`);
    this.name = "NativeError";
    this.code = code;
  }
}

/**
 * Rectified linear unit: `max(x, 0)` for each element.
 *
 * Matches `tf.relu` bit for bit: NaN stays NaN, `-0` gives `+0`, and
 * `±Infinity` behave as numbers. Exact in both array types.
 *
 * @param x The input array.
 * @param options `out`: where to write the result; `x` itself for in place.
 * @returns The output array: `options.out` when given, else a new array of
 * the type and length of `x`.
 * @throws {TypeError} when `x` or `out` is not a live Float32Array or
 * Float64Array, or when they differ in type.
 * @throws {RangeError} when `out` differs from `x` in length, or overlaps it
 * without being it.
 *
 * @example Out of place and in place
 * ```ts
 * import { relu } from "./mod.ts";
 *
 * const x = new Float64Array([-1, 2, -3]);
 * const y = relu(x); // Float64Array [0, 2, 0]; x is unchanged
 * relu(x, { out: x }); // x is now [0, 2, 0]
 * ```
 */
export function relu<T extends FloatArray>(
  x: T,
  options?: OutputOptions<T>,
): T {
  checkFloatArray(x, "x");
  const y = outputFor(x, "x", options?.out);

  const native = loadLibrary();
  const status = x instanceof Float32Array
    ? native.act_relu_f32(x, y, BigInt(x.length))
    : native.act_relu_f64(x, y, BigInt(x.length));
  if (status !== 0) throw new NativeError("act_relu", status);
  return y;
}
