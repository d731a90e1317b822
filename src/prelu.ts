/**
 * PReLU, whose slopes are an array of their own, and its gradient.
 *
 * @module
 */

import { isFloat32 } from "../ffi/arrays.ts";
import { loadLibrary } from "../ffi/load.ts";
import {
  checkDisjoint,
  checkSlopes,
  checkStatus,
  type FloatArray,
  forwardOutput,
  gradientOutput,
  type OutputOptions,
  slopesGradientOutput,
} from "./common.ts";

/**
 * Parametric ReLU: `x < 0 ? a * x : x`, where element `i` takes the slope
 * `a = alpha[i % alpha.length]`: the slopes run along the last axis of a
 * row-major array whose rows are `alpha.length` long.
 *
 * @param x The input array.
 * @param alpha The slopes: an array of the type of `x`, not empty.
 * @param options `out`: where to write the result; `x` itself for in place.
 * @returns The output array: `options.out` when given, else a new array of
 * the type and length of `x`.
 * @throws {TypeError} when `x`, `alpha` or `out` is not a live Float32Array
 * or Float64Array, or they differ in type.
 * @throws {RangeError} when `alpha` is empty, `out` differs from `x` in
 * length, overlaps it without being it, or shares memory with `alpha`.
 *
 * @example Two channels
 * ```ts
 * import { prelu } from "@activations/activations";
 *
 * const x = new Float32Array([-1, -1, 2, -4]);
 * const y = prelu(x, new Float32Array([0.1, 0.5])); // [-0.1, -0.5, 2, -2]
 * ```
 */
export function prelu<T extends FloatArray>(
  x: T,
  alpha: T,
  options?: OutputOptions<T>,
): T {
  const y = forwardOutput(x, options);
  checkSlopes(alpha, x);
  checkDisjoint(y, "out", alpha, "alpha");

  const native = loadLibrary();
  const n = BigInt(x.length);
  const slopes = BigInt(alpha.length);
  checkStatus(
    "act_prelu",
    isFloat32(x)
      ? native.act_prelu_f32(x, y, n, alpha, slopes)
      : native.act_prelu_f64(x, y, n, alpha, slopes),
  );
  return y;
}

/** Options of `preluGrad`. */
export interface PreluGradOptions<T extends FloatArray>
  extends OutputOptions<T> {
  /** Where to write the slopes' gradient: the type and length of `alpha`,
   * sharing no memory with any other argument. */
  dalphaOut?: T;
}

/** The gradients `preluGrad` returns. */
export interface PreluGradients<T extends FloatArray> {
  /** The gradient with respect to `x`: `dy * (x > 0 ? 1 : a)`. */
  dx: T;
  /** The gradient with respect to each slope: the sum of `dy * x` over the
   * elements that use it and are not positive. */
  dalpha: T;
}

/**
 * The gradients of `prelu` with respect to its input and its slopes.
 *
 * At `x = 0` the input's gradient is the slope, as TensorFlow.js and PyTorch
 * give.
 *
 * @param dy The gradient of the loss with respect to the output of `prelu`.
 * @param x The input `prelu` was applied to: the type and length of `dy`.
 * @param alpha The slopes `prelu` used.
 * @param options `out`: where to write `dx` (`dy` or `x` itself for in
 * place); `dalphaOut`: where to write `dalpha`.
 * @returns `{ dx, dalpha }`, in the arrays given in `options` or new ones.
 * @throws {TypeError} when an array is not a live Float32Array or
 * Float64Array, or they differ in type.
 * @throws {RangeError} when lengths differ, `alpha` is empty, `out`
 * overlaps `dy` or `x` without being one, or `dalphaOut` shares memory with
 * another argument.
 *
 * @example
 * ```ts
 * import { preluGrad } from "@activations/activations";
 *
 * const x = new Float32Array([-1, -0.5, 2]);
 * const dy = new Float32Array([1, 1, 1]);
 * const { dx, dalpha } = preluGrad(dy, x, new Float32Array([0.25]));
 * // dx: [0.25, 0.25, 1], dalpha: [-1.5]
 * ```
 */
export function preluGrad<T extends FloatArray>(
  dy: T,
  x: T,
  alpha: T,
  options?: PreluGradOptions<T>,
): PreluGradients<T> {
  const dx = gradientOutput(dy, x, "x", options);
  checkSlopes(alpha, x);
  checkDisjoint(dx, "out", alpha, "alpha");

  const dalpha = slopesGradientOutput(dy, x, alpha, dx, options);

  const native = loadLibrary();
  const n = BigInt(dy.length);
  const slopes = BigInt(alpha.length);
  checkStatus(
    "act_prelu_grad",
    isFloat32(dy)
      ? native.act_prelu_grad_f32(dy, x, dx, n, alpha, slopes, dalpha)
      : native.act_prelu_grad_f64(dy, x, dx, n, alpha, slopes, dalpha),
  );
  return { dx, dalpha };
}
