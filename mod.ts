/**
 * Neural-network activation functions at native speed, over `Float32Array`
 * and `Float64Array` without copying.
 *
 * Every common activation and its gradient: `relu`, `relu6`, `leakyRelu`,
 * `prelu`, `elu`, `selu`, `celu`, `gelu`, `silu` (also `swish`), `mish`,
 * `sigmoid`, `hardSigmoid`, `hardSwish`, `tanh`, `softplus`, `softsign`,
 * `softmax` and `logSoftmax`, each with a `…Grad`. Each function reads its
 * input and writes a new array of the same type, or the caller's array given
 * as `options.out`; passing the input itself as `out` computes in place.
 *
 * Each function also has an asynchronous form, `reluAsync` and so on, that
 * runs its kernel off the JavaScript thread and resolves to the same result;
 * `setThreads`, `getThreads` and `info` tune and describe the library.
 *
 * The kernels are C++ compiled into a shared library and called through
 * `Deno.dlopen`, so the module needs `--allow-ffi`, and `--allow-read` to
 * find the library.
 *
 * @example Forward and backward
 * ```ts
 * import { gelu, geluGrad, relu } from "@activations/activations";
 *
 * const x = new Float32Array([-2, -0.5, 0, 1.5]);
 * const y = relu(x); // Float32Array [0, 0, 0, 1.5]
 * const g = gelu(x, { approximate: "tanh" });
 * const dx = geluGrad(new Float32Array(4).fill(1), x);
 * ```
 *
 * @module
 */

export {
  type AlphaOptions,
  type AxisOptions,
  type BetaOptions,
  type FloatArray,
  type GeluOptions,
  type HardSigmoidOptions,
  NativeError,
  type OutputOptions,
} from "./src/common.ts";
export * from "./src/elementwise.ts";
export * from "./src/elementwise_grad.ts";
export * from "./src/prelu.ts";
export * from "./src/rows.ts";
export * from "./src/async.ts";
export {
  getThreads,
  info,
  type LibraryInfo,
  setThreads,
} from "./src/runtime.ts";
