/**
 * The functions along rows, softmax and log-softmax, and their gradients.
 * The array holds rows of `axisLength` elements one after another (the last
 * axis of a row-major tensor); by default the whole array is one row.
 *
 * @module
 */

import { isFloat32 } from "../ffi/arrays.ts";
import { loadLibrary } from "../ffi/load.ts";
import {
  axisLengthOption,
  type AxisOptions,
  checkStatus,
  type FloatArray,
  forwardOutput,
  gradientOutput,
} from "./common.ts";

/**
 * Softmax along each row: `e^(x - max) / sum(e^(x - max))`.
 *
 * Subtracting the row's maximum keeps huge values from overflowing, and the
 * sum is compensated, so long rows still sum to 1 within a few ulp. A row
 * of all `-Infinity` or with a `+Infinity` gives NaN, as in TensorFlow.js;
 * the other rows are unaffected.
 *
 * @param x The input array.
 * @param options `axisLength`: the row length, which must divide the
 * length of `x` (default: all of `x`); `out`: where to write the result,
 * `x` itself for in place.
 * @returns The output array: `options.out` when given, else a new array of
 * the type and length of `x`.
 * @throws {TypeError} when `x` or `out` is not a live Float32Array or
 * Float64Array, or they differ in type, or `axisLength` is not a number.
 * @throws {RangeError} when `axisLength` is not a positive integer dividing
 * the length, or `out` differs from `x` in length or overlaps it without
 * being it.
 *
 * @example Two rows of three
 * ```ts
 * import { softmax } from "@activations/activations";
 *
 * const x = new Float32Array([1, 2, 3, 0, 0, 0]);
 * const y = softmax(x, { axisLength: 3 });
 * // [0.09003057, 0.24472848, 0.66524094, 0.33333334, 0.33333334, 0.33333334]
 * ```
 */
export function softmax<T extends FloatArray>(
  x: T,
  options?: AxisOptions<T>,
): T {
  const y = forwardOutput(x, options);
  const axisLength = BigInt(axisLengthOption(options, x.length));

  const native = loadLibrary();
  const n = BigInt(x.length);
  checkStatus(
    "act_softmax",
    isFloat32(x)
      ? native.act_softmax_f32(x, y, n, axisLength)
      : native.act_softmax_f64(x, y, n, axisLength),
  );
  return y;
}

/**
 * Log-softmax along each row: `x - max - log(sum(e^(x - max)))`.
 *
 * Exact for rows whose other entries are negligible (it returns
 * `x - max` there), and never clamps: `-Infinity` inputs give `-Infinity`.
 *
 * @param x The input array.
 * @param options `axisLength`: the row length, which must divide the
 * length of `x` (default: all of `x`); `out`: where to write the result,
 * `x` itself for in place.
 * @returns The output array: `options.out` when given, else a new array of
 * the type and length of `x`.
 * @throws {TypeError} when `x` or `out` is not a live Float32Array or
 * Float64Array, or they differ in type, or `axisLength` is not a number.
 * @throws {RangeError} when `axisLength` is not a positive integer dividing
 * the length, or `out` differs from `x` in length or overlaps it without
 * being it.
 *
 * @example
 * ```ts
 * import { logSoftmax } from "@activations/activations";
 *
 * const y = logSoftmax(new Float64Array([0, 0])); // [-0.6931..., -0.6931...]
 * ```
 */
export function logSoftmax<T extends FloatArray>(
  x: T,
  options?: AxisOptions<T>,
): T {
  const y = forwardOutput(x, options);
  const axisLength = BigInt(axisLengthOption(options, x.length));

  const native = loadLibrary();
  const n = BigInt(x.length);
  checkStatus(
    "act_log_softmax",
    isFloat32(x)
      ? native.act_log_softmax_f32(x, y, n, axisLength)
      : native.act_log_softmax_f64(x, y, n, axisLength),
  );
  return y;
}

/**
 * The gradient of `softmax`, from its output `y`:
 * `dx = y * (dy - sum(dy * y))` along each row.
 *
 * @param dy The gradient of the loss with respect to the output of
 * `softmax`.
 * @param y The output of `softmax`: the type and length of `dy`.
 * @param options `axisLength`, as given to `softmax`; `out`: where to write
 * `dx`, `dy` or `y` itself for in place.
 * @returns `dx`: `options.out` when given, else a new array.
 * @throws {TypeError} when an array is not a live Float32Array or
 * Float64Array, or they differ in type, or `axisLength` is not a number.
 * @throws {RangeError} when lengths differ, `axisLength` does not divide
 * them, or `out` overlaps `dy` or `y` without being one of them.
 *
 * @example
 * ```ts
 * import { softmax, softmaxGrad } from "@activations/activations";
 *
 * const y = softmax(new Float32Array([1, 2]));
 * const dx = softmaxGrad(new Float32Array([1, 0]), y);
 * ```
 */
export function softmaxGrad<T extends FloatArray>(
  dy: T,
  y: T,
  options?: AxisOptions<T>,
): T {
  const dx = gradientOutput(dy, y, "y", options);
  const axisLength = BigInt(axisLengthOption(options, dy.length));

  const native = loadLibrary();
  const n = BigInt(dy.length);
  checkStatus(
    "act_softmax_grad",
    isFloat32(dy)
      ? native.act_softmax_grad_f32(dy, y, dx, n, axisLength)
      : native.act_softmax_grad_f64(dy, y, dx, n, axisLength),
  );
  return dx;
}

/**
 * The gradient of `logSoftmax`, from its output `y`:
 * `dx = dy - e^y * sum(dy)` along each row.
 *
 * @param dy The gradient of the loss with respect to the output of
 * `logSoftmax`.
 * @param y The output of `logSoftmax`: the type and length of `dy`.
 * @param options `axisLength`, as given to `logSoftmax`; `out`: where to
 * write `dx`, `dy` or `y` itself for in place.
 * @returns `dx`: `options.out` when given, else a new array.
 * @throws {TypeError} when an array is not a live Float32Array or
 * Float64Array, or they differ in type, or `axisLength` is not a number.
 * @throws {RangeError} when lengths differ, `axisLength` does not divide
 * them, or `out` overlaps `dy` or `y` without being one of them.
 *
 * @example
 * ```ts
 * import { logSoftmax, logSoftmaxGrad } from "@activations/activations";
 *
 * const y = logSoftmax(new Float32Array([1, 2]));
 * const dx = logSoftmaxGrad(new Float32Array([1, 0]), y);
 * ```
 */
export function logSoftmaxGrad<T extends FloatArray>(
  dy: T,
  y: T,
  options?: AxisOptions<T>,
): T {
  const dx = gradientOutput(dy, y, "y", options);
  const axisLength = BigInt(axisLengthOption(options, dy.length));

  const native = loadLibrary();
  const n = BigInt(dy.length);
  checkStatus(
    "act_log_softmax_grad",
    isFloat32(dy)
      ? native.act_log_softmax_grad_f32(dy, y, dx, n, axisLength)
      : native.act_log_softmax_grad_f64(dy, y, dx, n, axisLength),
  );
  return dx;
}
