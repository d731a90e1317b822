/**
 * The elementwise activations, gradients: each reads `dy` and the forward's
 * input `x` and writes `dx = dy * f'(x)`, the product rounded once.
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
  type GeluOptions,
  gradientOutput,
  type HardSigmoidOptions,
  nonZeroOption,
  numberOption,
  type OutputOptions,
  usesTanhForm,
} from "./common.ts";

/**
 * The gradient of `relu`: `dx = dy * relu'(x)` for each element.
 *
 * The derivative is 0 at 0, as in TensorFlow, PyTorch and JAX.
 *
 * @param dy The gradient of the loss with respect to the output of `relu`.
 * @param x The input `relu` was applied to: the type and length of `dy`.
 * @param options `out`: where to write the result; `dy` or `x` itself for in place.
 * @returns `dx`: `options.out` when given, else a new array of the type and
 * length of `dy`.
 * @throws {TypeError} when `dy`, `x` or `out` is not a live Float32Array or
 * Float64Array, or they differ in type.
 * @throws {RangeError} when they differ in length, or `out` overlaps `dy` or
 * `x` without being one of them.
 *
 * @example
 * ```ts
 * import { reluGrad } from "@activations/activations";
 *
 * const x = new Float64Array([-1, 2, -3]);
 * const dx = reluGrad(new Float64Array(x.length).fill(1), x);
 * ```
 */
export function reluGrad<T extends FloatArray>(
  dy: T,
  x: T,
  options?: OutputOptions<T>,
): T {
  const dx = gradientOutput(dy, x, "x", options);

  const native = loadLibrary();
  const n = BigInt(dy.length);
  checkStatus(
    "act_relu_grad",
    isFloat32(dy)
      ? native.act_relu_grad_f32(dy, x, dx, n)
      : native.act_relu_grad_f64(dy, x, dx, n),
  );
  return dx;
}

/**
 * The gradient of `relu6`: `dx = dy * relu6'(x)` for each element.
 *
 * The derivative is 1 between 0 and 6 and 0 elsewhere, 0 at both kinks as in
 * TensorFlow, PyTorch and JAX; TensorFlow.js gives 1 at 6.
 *
 * @param dy The gradient of the loss with respect to the output of `relu6`.
 * @param x The input `relu6` was applied to: the type and length of `dy`.
 * @param options `out`: where to write the result; `dy` or `x` itself for in place.
 * @returns `dx`: `options.out` when given, else a new array of the type and
 * length of `dy`.
 * @throws {TypeError} when `dy`, `x` or `out` is not a live Float32Array or
 * Float64Array, or they differ in type.
 * @throws {RangeError} when they differ in length, or `out` overlaps `dy` or
 * `x` without being one of them.
 *
 * @example
 * ```ts
 * import { relu6Grad } from "@activations/activations";
 *
 * const x = new Float32Array([-1, 3, 8]);
 * const dx = relu6Grad(new Float32Array(x.length).fill(1), x);
 * ```
 */
export function relu6Grad<T extends FloatArray>(
  dy: T,
  x: T,
  options?: OutputOptions<T>,
): T {
  const dx = gradientOutput(dy, x, "x", options);

  const native = loadLibrary();
  const n = BigInt(dy.length);
  checkStatus(
    "act_relu6_grad",
    isFloat32(dy)
      ? native.act_relu6_grad_f32(dy, x, dx, n)
      : native.act_relu6_grad_f64(dy, x, dx, n),
  );
  return dx;
}

/**
 * The gradient of `leakyRelu`: `dx = dy * leakyRelu'(x)` for each element.
 *
 * The derivative is `alpha` at 0, as in TensorFlow and PyTorch.
 *
 * @param dy The gradient of the loss with respect to the output of `leakyRelu`.
 * @param x The input `leakyRelu` was applied to: the type and length of `dy`.
 * @param options `alpha` (default 0.2); `out`: where to write the result,
 * `dy` or `x` itself for in place.
 * @returns `dx`: `options.out` when given, else a new array of the type and
 * length of `dy`.
 * @throws {TypeError} when `dy`, `x` or `out` is not a live Float32Array or
 * Float64Array, or they differ in type, or `alpha` is
 * not a number.
 * @throws {RangeError} when they differ in length, or `out` overlaps `dy` or
 * `x` without being one of them, or `alpha` is not finite.
 *
 * @example
 * ```ts
 * import { leakyReluGrad } from "@activations/activations";
 *
 * const x = new Float64Array([-10, 10]);
 * const dx = leakyReluGrad(new Float64Array(x.length).fill(1), x);
 * ```
 */
export function leakyReluGrad<T extends FloatArray>(
  dy: T,
  x: T,
  options?: AlphaOptions<T>,
): T {
  const dx = gradientOutput(dy, x, "x", options);
  const alpha = numberOption(options, "alpha", 0.2);

  const native = loadLibrary();
  const n = BigInt(dy.length);
  checkStatus(
    "act_leaky_relu_grad",
    isFloat32(dy)
      ? native.act_leaky_relu_grad_f32(dy, x, dx, n, alpha)
      : native.act_leaky_relu_grad_f64(dy, x, dx, n, alpha),
  );
  return dx;
}

/**
 * The gradient of `elu`: `dx = dy * elu'(x)` for each element.
 *
 * At 0 the derivative is `alpha`, as PyTorch and JAX give.
 *
 * @param dy The gradient of the loss with respect to the output of `elu`.
 * @param x The input `elu` was applied to: the type and length of `dy`.
 * @param options `alpha` (default 1); `out`: where to write the result,
 * `dy` or `x` itself for in place.
 * @returns `dx`: `options.out` when given, else a new array of the type and
 * length of `dy`.
 * @throws {TypeError} when `dy`, `x` or `out` is not a live Float32Array or
 * Float64Array, or they differ in type, or `alpha` is
 * not a number.
 * @throws {RangeError} when they differ in length, or `out` overlaps `dy` or
 * `x` without being one of them, or `alpha` is not finite.
 *
 * @example
 * ```ts
 * import { eluGrad } from "@activations/activations";
 *
 * const x = new Float32Array([-1, 0, 2]);
 * const dx = eluGrad(new Float32Array(x.length).fill(1), x);
 * ```
 */
export function eluGrad<T extends FloatArray>(
  dy: T,
  x: T,
  options?: AlphaOptions<T>,
): T {
  const dx = gradientOutput(dy, x, "x", options);
  const alpha = numberOption(options, "alpha", 1);

  const native = loadLibrary();
  const n = BigInt(dy.length);
  checkStatus(
    "act_elu_grad",
    isFloat32(dy)
      ? native.act_elu_grad_f32(dy, x, dx, n, alpha)
      : native.act_elu_grad_f64(dy, x, dx, n, alpha),
  );
  return dx;
}

/**
 * The gradient of `selu`: `dx = dy * selu'(x)` for each element.
 *
 * At 0 the derivative is `scale * alpha`, as TensorFlow.js, PyTorch and
 * JAX give (TensorFlow gives `scale`).
 *
 * @param dy The gradient of the loss with respect to the output of `selu`.
 * @param x The input `selu` was applied to: the type and length of `dy`.
 * @param options `out`: where to write the result; `dy` or `x` itself for in place.
 * @returns `dx`: `options.out` when given, else a new array of the type and
 * length of `dy`.
 * @throws {TypeError} when `dy`, `x` or `out` is not a live Float32Array or
 * Float64Array, or they differ in type.
 * @throws {RangeError} when they differ in length, or `out` overlaps `dy` or
 * `x` without being one of them.
 *
 * @example
 * ```ts
 * import { seluGrad } from "@activations/activations";
 *
 * const x = new Float64Array([-1, 1]);
 * const dx = seluGrad(new Float64Array(x.length).fill(1), x);
 * ```
 */
export function seluGrad<T extends FloatArray>(
  dy: T,
  x: T,
  options?: OutputOptions<T>,
): T {
  const dx = gradientOutput(dy, x, "x", options);

  const native = loadLibrary();
  const n = BigInt(dy.length);
  checkStatus(
    "act_selu_grad",
    isFloat32(dy)
      ? native.act_selu_grad_f32(dy, x, dx, n)
      : native.act_selu_grad_f64(dy, x, dx, n),
  );
  return dx;
}

/**
 * The gradient of `celu`: `dx = dy * celu'(x)` for each element.
 *
 * @param dy The gradient of the loss with respect to the output of `celu`.
 * @param x The input `celu` was applied to: the type and length of `dy`.
 * @param options `alpha` (default 1); `out`: where to write the result,
 * `dy` or `x` itself for in place.
 * @returns `dx`: `options.out` when given, else a new array of the type and
 * length of `dy`.
 * @throws {TypeError} when `dy`, `x` or `out` is not a live Float32Array or
 * Float64Array, or they differ in type, or `alpha` is
 * not a number.
 * @throws {RangeError} when they differ in length, or `out` overlaps `dy` or
 * `x` without being one of them, or `alpha` is not finite or is 0.
 *
 * @example
 * ```ts
 * import { celuGrad } from "@activations/activations";
 *
 * const x = new Float32Array([-2, 2]);
 * const dx = celuGrad(new Float32Array(x.length).fill(1), x);
 * ```
 */
export function celuGrad<T extends FloatArray>(
  dy: T,
  x: T,
  options?: AlphaOptions<T>,
): T {
  const dx = gradientOutput(dy, x, "x", options);
  const alpha = nonZeroOption(options, "alpha", 1);

  const native = loadLibrary();
  const n = BigInt(dy.length);
  checkStatus(
    "act_celu_grad",
    isFloat32(dy)
      ? native.act_celu_grad_f32(dy, x, dx, n, alpha)
      : native.act_celu_grad_f64(dy, x, dx, n, alpha),
  );
  return dx;
}

/**
 * The gradient of `gelu`: `dx = dy * gelu'(x)` for each element.
 *
 * @param dy The gradient of the loss with respect to the output of `gelu`.
 * @param x The input `gelu` was applied to: the type and length of `dy`.
 * @param options `approximate` (`"none"` or `"tanh"`); `out`: where to
 * write the result, `dy` or `x` itself for in place.
 * @returns `dx`: `options.out` when given, else a new array of the type and
 * length of `dy`.
 * @throws {TypeError} when `dy`, `x` or `out` is not a live Float32Array or
 * Float64Array, or they differ in type, or `approximate` is
 * not a string.
 * @throws {RangeError} when they differ in length, or `out` overlaps `dy` or
 * `x` without being one of them, or `approximate` is not
 * `"none"` or `"tanh"`.
 *
 * @example
 * ```ts
 * import { geluGrad } from "@activations/activations";
 *
 * const x = new Float32Array([-1, 0, 1]);
 * const dx = geluGrad(new Float32Array(x.length).fill(1), x);
 * ```
 */
export function geluGrad<T extends FloatArray>(
  dy: T,
  x: T,
  options?: GeluOptions<T>,
): T {
  const dx = gradientOutput(dy, x, "x", options);
  const tanhForm = usesTanhForm(options);

  const native = loadLibrary();
  const n = BigInt(dy.length);
  if (tanhForm) {
    checkStatus(
      "act_gelu_tanh_grad",
      isFloat32(dy)
        ? native.act_gelu_tanh_grad_f32(dy, x, dx, n)
        : native.act_gelu_tanh_grad_f64(dy, x, dx, n),
    );
  } else {
    checkStatus(
      "act_gelu_grad",
      isFloat32(dy)
        ? native.act_gelu_grad_f32(dy, x, dx, n)
        : native.act_gelu_grad_f64(dy, x, dx, n),
    );
  }
  return dx;
}

/**
 * The gradient of `silu`: `dx = dy * silu'(x)` for each element.
 *
 * @param dy The gradient of the loss with respect to the output of `silu`.
 * @param x The input `silu` was applied to: the type and length of `dy`.
 * @param options `beta` (default 1); `out`: where to write the result,
 * `dy` or `x` itself for in place.
 * @returns `dx`: `options.out` when given, else a new array of the type and
 * length of `dy`.
 * @throws {TypeError} when `dy`, `x` or `out` is not a live Float32Array or
 * Float64Array, or they differ in type, or `beta` is
 * not a number.
 * @throws {RangeError} when they differ in length, or `out` overlaps `dy` or
 * `x` without being one of them, or `beta` is not finite.
 *
 * @example
 * ```ts
 * import { siluGrad } from "@activations/activations";
 *
 * const x = new Float32Array([-1, 0, 1]);
 * const dx = siluGrad(new Float32Array(x.length).fill(1), x);
 * ```
 */
export function siluGrad<T extends FloatArray>(
  dy: T,
  x: T,
  options?: BetaOptions<T>,
): T {
  const dx = gradientOutput(dy, x, "x", options);
  const beta = numberOption(options, "beta", 1);

  const native = loadLibrary();
  const n = BigInt(dy.length);
  checkStatus(
    "act_silu_grad",
    isFloat32(dy)
      ? native.act_silu_grad_f32(dy, x, dx, n, beta)
      : native.act_silu_grad_f64(dy, x, dx, n, beta),
  );
  return dx;
}

/**
 * The gradient of `mish`: `dx = dy * mish'(x)` for each element.
 *
 * @param dy The gradient of the loss with respect to the output of `mish`.
 * @param x The input `mish` was applied to: the type and length of `dy`.
 * @param options `out`: where to write the result; `dy` or `x` itself for in place.
 * @returns `dx`: `options.out` when given, else a new array of the type and
 * length of `dy`.
 * @throws {TypeError} when `dy`, `x` or `out` is not a live Float32Array or
 * Float64Array, or they differ in type.
 * @throws {RangeError} when they differ in length, or `out` overlaps `dy` or
 * `x` without being one of them.
 *
 * @example
 * ```ts
 * import { mishGrad } from "@activations/activations";
 *
 * const x = new Float32Array([-1, 0, 1]);
 * const dx = mishGrad(new Float32Array(x.length).fill(1), x);
 * ```
 */
export function mishGrad<T extends FloatArray>(
  dy: T,
  x: T,
  options?: OutputOptions<T>,
): T {
  const dx = gradientOutput(dy, x, "x", options);

  const native = loadLibrary();
  const n = BigInt(dy.length);
  checkStatus(
    "act_mish_grad",
    isFloat32(dy)
      ? native.act_mish_grad_f32(dy, x, dx, n)
      : native.act_mish_grad_f64(dy, x, dx, n),
  );
  return dx;
}

/**
 * The gradient of `sigmoid`: `dx = dy * sigmoid'(x)` for each element.
 *
 * Computed as `e / (1 + e)^2` with `e = exp(-|x|)`, so it keeps its relative
 * precision where the sigmoid saturates and `s * (1 - s)` would round to 0.
 *
 * @param dy The gradient of the loss with respect to the output of `sigmoid`.
 * @param x The input `sigmoid` was applied to: the type and length of `dy`.
 * @param options `out`: where to write the result; `dy` or `x` itself for in place.
 * @returns `dx`: `options.out` when given, else a new array of the type and
 * length of `dy`.
 * @throws {TypeError} when `dy`, `x` or `out` is not a live Float32Array or
 * Float64Array, or they differ in type.
 * @throws {RangeError} when they differ in length, or `out` overlaps `dy` or
 * `x` without being one of them.
 *
 * @example
 * ```ts
 * import { sigmoidGrad } from "@activations/activations";
 *
 * const x = new Float32Array([-1, 0, 1]);
 * const dx = sigmoidGrad(new Float32Array(x.length).fill(1), x);
 * ```
 */
export function sigmoidGrad<T extends FloatArray>(
  dy: T,
  x: T,
  options?: OutputOptions<T>,
): T {
  const dx = gradientOutput(dy, x, "x", options);

  const native = loadLibrary();
  const n = BigInt(dy.length);
  checkStatus(
    "act_sigmoid_grad",
    isFloat32(dy)
      ? native.act_sigmoid_grad_f32(dy, x, dx, n)
      : native.act_sigmoid_grad_f64(dy, x, dx, n),
  );
  return dx;
}

/**
 * The gradient of `hardSigmoid`: `dx = dy * hardSigmoid'(x)` for each element.
 *
 * The derivative is `alpha` where `0 < alpha * x + beta < 1`, else 0.
 *
 * @param dy The gradient of the loss with respect to the output of `hardSigmoid`.
 * @param x The input `hardSigmoid` was applied to: the type and length of `dy`.
 * @param options `alpha` (default 0.2), `beta` (default 0.5); `out`: where to
 * write the result, `dy` or `x` itself for in place.
 * @returns `dx`: `options.out` when given, else a new array of the type and
 * length of `dy`.
 * @throws {TypeError} when `dy`, `x` or `out` is not a live Float32Array or
 * Float64Array, or they differ in type, or `alpha` or `beta` is
 * not a number.
 * @throws {RangeError} when they differ in length, or `out` overlaps `dy` or
 * `x` without being one of them, or `alpha` or `beta` is not finite.
 *
 * @example
 * ```ts
 * import { hardSigmoidGrad } from "@activations/activations";
 *
 * const x = new Float32Array([-3, 0, 1]);
 * const dx = hardSigmoidGrad(new Float32Array(x.length).fill(1), x);
 * ```
 */
export function hardSigmoidGrad<T extends FloatArray>(
  dy: T,
  x: T,
  options?: HardSigmoidOptions<T>,
): T {
  const dx = gradientOutput(dy, x, "x", options);
  const alpha = numberOption(options, "alpha", 0.2);
  const beta = numberOption(options, "beta", 0.5);

  const native = loadLibrary();
  const n = BigInt(dy.length);
  checkStatus(
    "act_hard_sigmoid_grad",
    isFloat32(dy)
      ? native.act_hard_sigmoid_grad_f32(dy, x, dx, n, alpha, beta)
      : native.act_hard_sigmoid_grad_f64(dy, x, dx, n, alpha, beta),
  );
  return dx;
}

/**
 * The gradient of `hardSwish`: `dx = dy * hardSwish'(x)` for each element.
 *
 * The derivative is 0 at -3 and 1 at 3, as TensorFlow and JAX give;
 * PyTorch gives -0.5 and 1.5 there.
 *
 * @param dy The gradient of the loss with respect to the output of `hardSwish`.
 * @param x The input `hardSwish` was applied to: the type and length of `dy`.
 * @param options `out`: where to write the result; `dy` or `x` itself for in place.
 * @returns `dx`: `options.out` when given, else a new array of the type and
 * length of `dy`.
 * @throws {TypeError} when `dy`, `x` or `out` is not a live Float32Array or
 * Float64Array, or they differ in type.
 * @throws {RangeError} when they differ in length, or `out` overlaps `dy` or
 * `x` without being one of them.
 *
 * @example
 * ```ts
 * import { hardSwishGrad } from "@activations/activations";
 *
 * const x = new Float32Array([-4, 1, 4]);
 * const dx = hardSwishGrad(new Float32Array(x.length).fill(1), x);
 * ```
 */
export function hardSwishGrad<T extends FloatArray>(
  dy: T,
  x: T,
  options?: OutputOptions<T>,
): T {
  const dx = gradientOutput(dy, x, "x", options);

  const native = loadLibrary();
  const n = BigInt(dy.length);
  checkStatus(
    "act_hard_swish_grad",
    isFloat32(dy)
      ? native.act_hard_swish_grad_f32(dy, x, dx, n)
      : native.act_hard_swish_grad_f64(dy, x, dx, n),
  );
  return dx;
}

/**
 * The gradient of `tanh`: `dx = dy * tanh'(x)` for each element.
 *
 * Computed as `4e / (1 + e)^2` with `e = exp(-2|x|)`, which keeps its
 * relative precision where `1 - tanh(x)^2` would round to 0 (TensorFlow.js
 * gives 0 from x = 9 on).
 *
 * @param dy The gradient of the loss with respect to the output of `tanh`.
 * @param x The input `tanh` was applied to: the type and length of `dy`.
 * @param options `out`: where to write the result; `dy` or `x` itself for in place.
 * @returns `dx`: `options.out` when given, else a new array of the type and
 * length of `dy`.
 * @throws {TypeError} when `dy`, `x` or `out` is not a live Float32Array or
 * Float64Array, or they differ in type.
 * @throws {RangeError} when they differ in length, or `out` overlaps `dy` or
 * `x` without being one of them.
 *
 * @example
 * ```ts
 * import { tanhGrad } from "@activations/activations";
 *
 * const x = new Float64Array([-1, 0, 1]);
 * const dx = tanhGrad(new Float64Array(x.length).fill(1), x);
 * ```
 */
export function tanhGrad<T extends FloatArray>(
  dy: T,
  x: T,
  options?: OutputOptions<T>,
): T {
  const dx = gradientOutput(dy, x, "x", options);

  const native = loadLibrary();
  const n = BigInt(dy.length);
  checkStatus(
    "act_tanh_grad",
    isFloat32(dy)
      ? native.act_tanh_grad_f32(dy, x, dx, n)
      : native.act_tanh_grad_f64(dy, x, dx, n),
  );
  return dx;
}

/**
 * The gradient of `softplus`: `dx = dy * softplus'(x)` for each element.
 *
 * The derivative is `sigmoid(beta * x)`.
 *
 * @param dy The gradient of the loss with respect to the output of `softplus`.
 * @param x The input `softplus` was applied to: the type and length of `dy`.
 * @param options `beta` (default 1); `out`: where to write the result,
 * `dy` or `x` itself for in place.
 * @returns `dx`: `options.out` when given, else a new array of the type and
 * length of `dy`.
 * @throws {TypeError} when `dy`, `x` or `out` is not a live Float32Array or
 * Float64Array, or they differ in type, or `beta` is
 * not a number.
 * @throws {RangeError} when they differ in length, or `out` overlaps `dy` or
 * `x` without being one of them, or `beta` is not finite or is 0.
 *
 * @example
 * ```ts
 * import { softplusGrad } from "@activations/activations";
 *
 * const x = new Float32Array([-20, 0, 100]);
 * const dx = softplusGrad(new Float32Array(x.length).fill(1), x);
 * ```
 */
export function softplusGrad<T extends FloatArray>(
  dy: T,
  x: T,
  options?: BetaOptions<T>,
): T {
  const dx = gradientOutput(dy, x, "x", options);
  const beta = nonZeroOption(options, "beta", 1);

  const native = loadLibrary();
  const n = BigInt(dy.length);
  checkStatus(
    "act_softplus_grad",
    isFloat32(dy)
      ? native.act_softplus_grad_f32(dy, x, dx, n, beta)
      : native.act_softplus_grad_f64(dy, x, dx, n, beta),
  );
  return dx;
}

/**
 * The gradient of `softsign`: `dx = dy * softsign'(x)` for each element.
 *
 * @param dy The gradient of the loss with respect to the output of `softsign`.
 * @param x The input `softsign` was applied to: the type and length of `dy`.
 * @param options `out`: where to write the result; `dy` or `x` itself for in place.
 * @returns `dx`: `options.out` when given, else a new array of the type and
 * length of `dy`.
 * @throws {TypeError} when `dy`, `x` or `out` is not a live Float32Array or
 * Float64Array, or they differ in type.
 * @throws {RangeError} when they differ in length, or `out` overlaps `dy` or
 * `x` without being one of them.
 *
 * @example
 * ```ts
 * import { softsignGrad } from "@activations/activations";
 *
 * const x = new Float32Array([-1, 0, 3]);
 * const dx = softsignGrad(new Float32Array(x.length).fill(1), x);
 * ```
 */
export function softsignGrad<T extends FloatArray>(
  dy: T,
  x: T,
  options?: OutputOptions<T>,
): T {
  const dx = gradientOutput(dy, x, "x", options);

  const native = loadLibrary();
  const n = BigInt(dy.length);
  checkStatus(
    "act_softsign_grad",
    isFloat32(dy)
      ? native.act_softsign_grad_f32(dy, x, dx, n)
      : native.act_softsign_grad_f64(dy, x, dx, n),
  );
  return dx;
}

/** Another name of {@link siluGrad}.
 *
 * @example
 * ```ts
 * import { swishGrad } from "@activations/activations";
 *
 * const dx = swishGrad(new Float32Array([1]), new Float32Array([0])); // [0.5]
 * ```
 */
export const swishGrad: typeof siluGrad = siluGrad;
