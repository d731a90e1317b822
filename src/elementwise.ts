/**
 * The elementwise activations, forward: each reads `x` and writes `y` of the
 * same type and length.
 *
 * @module
 */

import { isFloat32 } from "../ffi/arrays.ts";
import { loadLibrary } from "../ffi/load.ts";
import {
  type AlphaOptions,
  type BetaOptions,
  checkStatus,
  type FloatArray,
  forwardOutput,
  type GeluOptions,
  type HardSigmoidOptions,
  nonZeroOption,
  numberOption,
  type OutputOptions,
  usesTanhForm,
} from "./common.ts";

/**
 * Rectified linear unit: `max(x, 0)`.
 *
 * Matches `tf.relu` bit for bit: NaN stays NaN, `-0` gives `+0`, and
 * `±Infinity` behave as numbers. Exact in both array types.
 *
 * @param x The input array.
 * @param options `out`: where to write the result; `x` itself for in place.
 * @returns The output array: `options.out` when given, else a new array of
 * the type and length of `x`.
 * @throws {TypeError} when `x` or `out` is not a live Float32Array or
 * Float64Array, or they differ in type.
 * @throws {RangeError} when `out` differs from `x` in length or overlaps it
 * without being it.
 *
 * @example
 * ```ts
 * import { relu } from "@activations/activations";
 *
 * const x = new Float64Array([-1, 2, -3]);
 * const y = relu(x); // Float64Array [0, 2, 0]
 * ```
 */
export function relu<T extends FloatArray>(
  x: T,
  options?: OutputOptions<T>,
): T {
  const y = forwardOutput(x, options);

  const native = loadLibrary();
  const n = BigInt(x.length);
  checkStatus(
    "act_relu",
    isFloat32(x) ? native.act_relu_f32(x, y, n) : native.act_relu_f64(x, y, n),
  );
  return y;
}

/**
 * ReLU capped at 6: `min(max(x, 0), 6)`.
 *
 * Exact in both array types. NaN stays NaN and `-0` gives `+0`.
 *
 * @param x The input array.
 * @param options `out`: where to write the result; `x` itself for in place.
 * @returns The output array: `options.out` when given, else a new array of
 * the type and length of `x`.
 * @throws {TypeError} when `x` or `out` is not a live Float32Array or
 * Float64Array, or they differ in type.
 * @throws {RangeError} when `out` differs from `x` in length or overlaps it
 * without being it.
 *
 * @example
 * ```ts
 * import { relu6 } from "@activations/activations";
 *
 * const x = new Float32Array([-1, 3, 8]);
 * const y = relu6(x); // Float32Array [0, 3, 6]
 * ```
 */
export function relu6<T extends FloatArray>(
  x: T,
  options?: OutputOptions<T>,
): T {
  const y = forwardOutput(x, options);

  const native = loadLibrary();
  const n = BigInt(x.length);
  checkStatus(
    "act_relu6",
    isFloat32(x)
      ? native.act_relu6_f32(x, y, n)
      : native.act_relu6_f64(x, y, n),
  );
  return y;
}

/**
 * Leaky ReLU: `x < 0 ? alpha * x : x`.
 *
 * `alpha` defaults to 0.2, as in `tf.leakyRelu` (Keras layers use 0.3,
 * PyTorch 0.01). Any finite `alpha` is accepted, above 1 too.
 *
 * @param x The input array.
 * @param options `alpha` (default 0.2); `out`: where to write the result,
 * `x` itself for in place.
 * @returns The output array: `options.out` when given, else a new array of
 * the type and length of `x`.
 * @throws {TypeError} when `x` or `out` is not a live Float32Array or
 * Float64Array, or they differ in type, or `alpha` is
 * not a number.
 * @throws {RangeError} when `out` differs from `x` in length or overlaps it
 * without being it, or `alpha` is not finite.
 *
 * @example
 * ```ts
 * import { leakyRelu } from "@activations/activations";
 *
 * const x = new Float64Array([-10, 10]);
 * const y = leakyRelu(x, { alpha: 0.1 }); // Float64Array [-1, 10]
 * ```
 */
export function leakyRelu<T extends FloatArray>(
  x: T,
  options?: AlphaOptions<T>,
): T {
  const y = forwardOutput(x, options);
  const alpha = numberOption(options, "alpha", 0.2);

  const native = loadLibrary();
  const n = BigInt(x.length);
  checkStatus(
    "act_leaky_relu",
    isFloat32(x)
      ? native.act_leaky_relu_f32(x, y, n, alpha)
      : native.act_leaky_relu_f64(x, y, n, alpha),
  );
  return y;
}

/**
 * Exponential linear unit: `x > 0 ? x : alpha * (e^x - 1)`.
 *
 * `alpha` defaults to 1. Uses `expm1`, so tiny negative inputs keep their
 * precision (TensorFlow.js computes `exp(x) - 1`, which cancels).
 *
 * @param x The input array.
 * @param options `alpha` (default 1); `out`: where to write the result,
 * `x` itself for in place.
 * @returns The output array: `options.out` when given, else a new array of
 * the type and length of `x`.
 * @throws {TypeError} when `x` or `out` is not a live Float32Array or
 * Float64Array, or they differ in type, or `alpha` is
 * not a number.
 * @throws {RangeError} when `out` differs from `x` in length or overlaps it
 * without being it, or `alpha` is not finite.
 *
 * @example
 * ```ts
 * import { elu } from "@activations/activations";
 *
 * const x = new Float32Array([-1, 0, 2]);
 * const y = elu(x); // Float32Array [-0.63212055, 0, 2]
 * ```
 */
export function elu<T extends FloatArray>(
  x: T,
  options?: AlphaOptions<T>,
): T {
  const y = forwardOutput(x, options);
  const alpha = numberOption(options, "alpha", 1);

  const native = loadLibrary();
  const n = BigInt(x.length);
  checkStatus(
    "act_elu",
    isFloat32(x)
      ? native.act_elu_f32(x, y, n, alpha)
      : native.act_elu_f64(x, y, n, alpha),
  );
  return y;
}

/**
 * Scaled ELU: `scale * (x > 0 ? x : alpha * (e^x - 1))`.
 *
 * `alpha` = 1.6732632423543772 and `scale` = 1.0507009873554805, the
 * self-normalizing constants of Klambauer et al.
 *
 * @param x The input array.
 * @param options `out`: where to write the result; `x` itself for in place.
 * @returns The output array: `options.out` when given, else a new array of
 * the type and length of `x`.
 * @throws {TypeError} when `x` or `out` is not a live Float32Array or
 * Float64Array, or they differ in type.
 * @throws {RangeError} when `out` differs from `x` in length or overlaps it
 * without being it.
 *
 * @example
 * ```ts
 * import { selu } from "@activations/activations";
 *
 * const x = new Float64Array([-1, 1]);
 * const y = selu(x); // Float64Array [-1.1113307378125628, 1.0507009873554805]
 * ```
 */
export function selu<T extends FloatArray>(
  x: T,
  options?: OutputOptions<T>,
): T {
  const y = forwardOutput(x, options);

  const native = loadLibrary();
  const n = BigInt(x.length);
  checkStatus(
    "act_selu",
    isFloat32(x) ? native.act_selu_f32(x, y, n) : native.act_selu_f64(x, y, n),
  );
  return y;
}

/**
 * Continuously differentiable ELU: `max(0, x) + min(0, alpha * (e^(x/alpha) - 1))`.
 *
 * `alpha` defaults to 1 and must not be 0.
 *
 * @param x The input array.
 * @param options `alpha` (default 1); `out`: where to write the result,
 * `x` itself for in place.
 * @returns The output array: `options.out` when given, else a new array of
 * the type and length of `x`.
 * @throws {TypeError} when `x` or `out` is not a live Float32Array or
 * Float64Array, or they differ in type, or `alpha` is
 * not a number.
 * @throws {RangeError} when `out` differs from `x` in length or overlaps it
 * without being it, or `alpha` is not finite or is 0.
 *
 * @example
 * ```ts
 * import { celu } from "@activations/activations";
 *
 * const x = new Float32Array([-2, 2]);
 * const y = celu(x, { alpha: 2 }); // Float32Array [-1.2642411, 2]
 * ```
 */
export function celu<T extends FloatArray>(
  x: T,
  options?: AlphaOptions<T>,
): T {
  const y = forwardOutput(x, options);
  const alpha = nonZeroOption(options, "alpha", 1);

  const native = loadLibrary();
  const n = BigInt(x.length);
  checkStatus(
    "act_celu",
    isFloat32(x)
      ? native.act_celu_f32(x, y, n, alpha)
      : native.act_celu_f64(x, y, n, alpha),
  );
  return y;
}

/**
 * Gaussian error linear unit: `x * Phi(x)`.
 *
 * `approximate: "none"` (the default) is the exact form,
 * `x / 2 * erfc(-x / sqrt(2))`, correct in the negative tail where
 * `1 + erf` cancels; `"tanh"` is the form
 * `x / 2 * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 x^3)))`. TensorFlow.js
 * loses the negative tail of both (its erf is a 1e-7 approximation).
 *
 * @param x The input array.
 * @param options `approximate` (`"none"` or `"tanh"`); `out`: where to
 * write the result, `x` itself for in place.
 * @returns The output array: `options.out` when given, else a new array of
 * the type and length of `x`.
 * @throws {TypeError} when `x` or `out` is not a live Float32Array or
 * Float64Array, or they differ in type, or `approximate` is
 * not a string.
 * @throws {RangeError} when `out` differs from `x` in length or overlaps it
 * without being it, or `approximate` is not
 * `"none"` or `"tanh"`.
 *
 * @example
 * ```ts
 * import { gelu } from "@activations/activations";
 *
 * const x = new Float32Array([-1, 0, 1]);
 * const y = gelu(x); // Float32Array [-0.15865526, 0, 0.8413447]
 * ```
 */
export function gelu<T extends FloatArray>(
  x: T,
  options?: GeluOptions<T>,
): T {
  const y = forwardOutput(x, options);
  const tanhForm = usesTanhForm(options);

  const native = loadLibrary();
  const n = BigInt(x.length);
  if (tanhForm) {
    checkStatus(
      "act_gelu_tanh",
      isFloat32(x)
        ? native.act_gelu_tanh_f32(x, y, n)
        : native.act_gelu_tanh_f64(x, y, n),
    );
  } else {
    checkStatus(
      "act_gelu",
      isFloat32(x)
        ? native.act_gelu_f32(x, y, n)
        : native.act_gelu_f64(x, y, n),
    );
  }
  return y;
}

/**
 * Sigmoid linear unit (swish): `x * sigmoid(beta * x)`.
 *
 * `beta` defaults to 1. Also exported as `swish`.
 *
 * @param x The input array.
 * @param options `beta` (default 1); `out`: where to write the result,
 * `x` itself for in place.
 * @returns The output array: `options.out` when given, else a new array of
 * the type and length of `x`.
 * @throws {TypeError} when `x` or `out` is not a live Float32Array or
 * Float64Array, or they differ in type, or `beta` is
 * not a number.
 * @throws {RangeError} when `out` differs from `x` in length or overlaps it
 * without being it, or `beta` is not finite.
 *
 * @example
 * ```ts
 * import { silu } from "@activations/activations";
 *
 * const x = new Float32Array([-1, 0, 1]);
 * const y = silu(x); // Float32Array [-0.26894143, 0, 0.7310586]
 * ```
 */
export function silu<T extends FloatArray>(
  x: T,
  options?: BetaOptions<T>,
): T {
  const y = forwardOutput(x, options);
  const beta = numberOption(options, "beta", 1);

  const native = loadLibrary();
  const n = BigInt(x.length);
  checkStatus(
    "act_silu",
    isFloat32(x)
      ? native.act_silu_f32(x, y, n, beta)
      : native.act_silu_f64(x, y, n, beta),
  );
  return y;
}

/**
 * Mish: `x * tanh(softplus(x))`.
 *
 * Evaluated as `x * n / (n + 2)` with `n = e^x (e^x + 2)`, which stays
 * exact for very negative `x`; `mish(-Infinity)` is `-0`, its limit.
 *
 * @param x The input array.
 * @param options `out`: where to write the result; `x` itself for in place.
 * @returns The output array: `options.out` when given, else a new array of
 * the type and length of `x`.
 * @throws {TypeError} when `x` or `out` is not a live Float32Array or
 * Float64Array, or they differ in type.
 * @throws {RangeError} when `out` differs from `x` in length or overlaps it
 * without being it.
 *
 * @example
 * ```ts
 * import { mish } from "@activations/activations";
 *
 * const x = new Float32Array([-1, 0, 1]);
 * const y = mish(x); // Float32Array [-0.30340144, 0, 0.86509836]
 * ```
 */
export function mish<T extends FloatArray>(
  x: T,
  options?: OutputOptions<T>,
): T {
  const y = forwardOutput(x, options);

  const native = loadLibrary();
  const n = BigInt(x.length);
  checkStatus(
    "act_mish",
    isFloat32(x) ? native.act_mish_f32(x, y, n) : native.act_mish_f64(x, y, n),
  );
  return y;
}

/**
 * Logistic sigmoid: `1 / (1 + e^-x)`.
 *
 * Never overflows; results below the smallest normal number are kept as
 * subnormals.
 *
 * @param x The input array.
 * @param options `out`: where to write the result; `x` itself for in place.
 * @returns The output array: `options.out` when given, else a new array of
 * the type and length of `x`.
 * @throws {TypeError} when `x` or `out` is not a live Float32Array or
 * Float64Array, or they differ in type.
 * @throws {RangeError} when `out` differs from `x` in length or overlaps it
 * without being it.
 *
 * @example
 * ```ts
 * import { sigmoid } from "@activations/activations";
 *
 * const x = new Float32Array([-1, 0, 1]);
 * const y = sigmoid(x); // Float32Array [0.26894143, 0.5, 0.7310586]
 * ```
 */
export function sigmoid<T extends FloatArray>(
  x: T,
  options?: OutputOptions<T>,
): T {
  const y = forwardOutput(x, options);

  const native = loadLibrary();
  const n = BigInt(x.length);
  checkStatus(
    "act_sigmoid",
    isFloat32(x)
      ? native.act_sigmoid_f32(x, y, n)
      : native.act_sigmoid_f64(x, y, n),
  );
  return y;
}

/**
 * Hard sigmoid: `clamp(alpha * x + beta, 0, 1)`.
 *
 * `alpha` defaults to 0.2 and `beta` to 0.5, as in TensorFlow.js layers;
 * `{ alpha: 1 / 6 }` gives the form of PyTorch and Keras 3.
 *
 * @param x The input array.
 * @param options `alpha` (default 0.2), `beta` (default 0.5); `out`: where to
 * write the result, `x` itself for in place.
 * @returns The output array: `options.out` when given, else a new array of
 * the type and length of `x`.
 * @throws {TypeError} when `x` or `out` is not a live Float32Array or
 * Float64Array, or they differ in type, or `alpha` or `beta` is
 * not a number.
 * @throws {RangeError} when `out` differs from `x` in length or overlaps it
 * without being it, or `alpha` or `beta` is not finite.
 *
 * @example
 * ```ts
 * import { hardSigmoid } from "@activations/activations";
 *
 * const x = new Float32Array([-3, 0, 1]);
 * const y = hardSigmoid(x, { alpha: 1 / 6 }); // Float32Array [0, 0.5, 0.6666667]
 * ```
 */
export function hardSigmoid<T extends FloatArray>(
  x: T,
  options?: HardSigmoidOptions<T>,
): T {
  const y = forwardOutput(x, options);
  const alpha = numberOption(options, "alpha", 0.2);
  const beta = numberOption(options, "beta", 0.5);

  const native = loadLibrary();
  const n = BigInt(x.length);
  checkStatus(
    "act_hard_sigmoid",
    isFloat32(x)
      ? native.act_hard_sigmoid_f32(x, y, n, alpha, beta)
      : native.act_hard_sigmoid_f64(x, y, n, alpha, beta),
  );
  return y;
}

/**
 * Hard swish: `x * relu6(x + 3) / 6`.
 *
 * Every `x <= -3` gives `-0`, as the product does.
 *
 * @param x The input array.
 * @param options `out`: where to write the result; `x` itself for in place.
 * @returns The output array: `options.out` when given, else a new array of
 * the type and length of `x`.
 * @throws {TypeError} when `x` or `out` is not a live Float32Array or
 * Float64Array, or they differ in type.
 * @throws {RangeError} when `out` differs from `x` in length or overlaps it
 * without being it.
 *
 * @example
 * ```ts
 * import { hardSwish } from "@activations/activations";
 *
 * const x = new Float32Array([-4, 1, 4]);
 * const y = hardSwish(x); // Float32Array [-0, 0.6666667, 4]
 * ```
 */
export function hardSwish<T extends FloatArray>(
  x: T,
  options?: OutputOptions<T>,
): T {
  const y = forwardOutput(x, options);

  const native = loadLibrary();
  const n = BigInt(x.length);
  checkStatus(
    "act_hard_swish",
    isFloat32(x)
      ? native.act_hard_swish_f32(x, y, n)
      : native.act_hard_swish_f64(x, y, n),
  );
  return y;
}

/**
 * Hyperbolic tangent.
 *
 * @param x The input array.
 * @param options `out`: where to write the result; `x` itself for in place.
 * @returns The output array: `options.out` when given, else a new array of
 * the type and length of `x`.
 * @throws {TypeError} when `x` or `out` is not a live Float32Array or
 * Float64Array, or they differ in type.
 * @throws {RangeError} when `out` differs from `x` in length or overlaps it
 * without being it.
 *
 * @example
 * ```ts
 * import { tanh } from "@activations/activations";
 *
 * const x = new Float64Array([-1, 0, 1]);
 * const y = tanh(x); // Float64Array [-0.7615941559557649, 0, 0.7615941559557649]
 * ```
 */
export function tanh<T extends FloatArray>(
  x: T,
  options?: OutputOptions<T>,
): T {
  const y = forwardOutput(x, options);

  const native = loadLibrary();
  const n = BigInt(x.length);
  checkStatus(
    "act_tanh",
    isFloat32(x) ? native.act_tanh_f32(x, y, n) : native.act_tanh_f64(x, y, n),
  );
  return y;
}

/**
 * Softplus: `log(1 + e^(beta * x)) / beta`.
 *
 * `beta` defaults to 1 and must not be 0. Evaluated as
 * `x + log1p(e^-(beta x)) / beta` for positive `beta * x`, so it never
 * overflows and is exact for large and very negative inputs.
 *
 * @param x The input array.
 * @param options `beta` (default 1); `out`: where to write the result,
 * `x` itself for in place.
 * @returns The output array: `options.out` when given, else a new array of
 * the type and length of `x`.
 * @throws {TypeError} when `x` or `out` is not a live Float32Array or
 * Float64Array, or they differ in type, or `beta` is
 * not a number.
 * @throws {RangeError} when `out` differs from `x` in length or overlaps it
 * without being it, or `beta` is not finite or is 0.
 *
 * @example
 * ```ts
 * import { softplus } from "@activations/activations";
 *
 * const x = new Float32Array([-20, 0, 100]);
 * const y = softplus(x); // Float32Array [2.0611537e-9, 0.6931472, 100]
 * ```
 */
export function softplus<T extends FloatArray>(
  x: T,
  options?: BetaOptions<T>,
): T {
  const y = forwardOutput(x, options);
  const beta = nonZeroOption(options, "beta", 1);

  const native = loadLibrary();
  const n = BigInt(x.length);
  checkStatus(
    "act_softplus",
    isFloat32(x)
      ? native.act_softplus_f32(x, y, n, beta)
      : native.act_softplus_f64(x, y, n, beta),
  );
  return y;
}

/**
 * Softsign: `x / (1 + |x|)`.
 *
 * `softsign(±Infinity)` is ±1, its limit (TensorFlow.js gives NaN).
 *
 * @param x The input array.
 * @param options `out`: where to write the result; `x` itself for in place.
 * @returns The output array: `options.out` when given, else a new array of
 * the type and length of `x`.
 * @throws {TypeError} when `x` or `out` is not a live Float32Array or
 * Float64Array, or they differ in type.
 * @throws {RangeError} when `out` differs from `x` in length or overlaps it
 * without being it.
 *
 * @example
 * ```ts
 * import { softsign } from "@activations/activations";
 *
 * const x = new Float32Array([-1, 0, 3]);
 * const y = softsign(x); // Float32Array [-0.5, 0, 0.75]
 * ```
 */
export function softsign<T extends FloatArray>(
  x: T,
  options?: OutputOptions<T>,
): T {
  const y = forwardOutput(x, options);

  const native = loadLibrary();
  const n = BigInt(x.length);
  checkStatus(
    "act_softsign",
    isFloat32(x)
      ? native.act_softsign_f32(x, y, n)
      : native.act_softsign_f64(x, y, n),
  );
  return y;
}

/** Another name of {@link silu}: `x * sigmoid(beta * x)`.
 *
 * @example
 * ```ts
 * import { swish } from "@activations/activations";
 *
 * const y = swish(new Float32Array([1])); // Float32Array [0.7310586]
 * ```
 */
export const swish: typeof silu = silu;
