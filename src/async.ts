/**
 * The asynchronous form of every public function: `reluAsync` and so on.
 * Each checks its arguments on the calling thread, exactly as its
 * synchronous form does, then runs the same kernel on a thread of Deno's
 * blocking pool through the kernel's nonblocking twin, and resolves to what
 * the synchronous form returns.
 *
 * A bad argument never throws: the promise rejects with the error the
 * synchronous form would throw. While a promise is pending, its arrays are
 * held here, so they stay alive, and they must stay unwritten, unresized and
 * undetached: the kernel reads and writes them from another thread.
 *
 * @module
 */

import { loadLibrary } from "../ffi/load.ts";
import { describe } from "../ffi/arrays.ts";
import { describeFunction, prepareCall, type PreparedCall } from "./catalog.ts";
import {
  type AlphaOptions,
  type AxisOptions,
  type BetaOptions,
  checkStatus,
  type FloatArray,
  type GeluOptions,
  type HardSigmoidOptions,
  type OutputOptions,
} from "./common.ts";
import type { PreluGradients, PreluGradOptions } from "./prelu.ts";

/** A nonblocking twin, as the wrappers call it. */
type NonblockingKernel = (
  ...args: readonly (FloatArray | number | bigint)[]
) => Promise<number>;

/** The calls whose kernels are running. Holding each call holds its arrays,
 * so that none is collected while a thread reads or writes it. */
const inFlight = new Set<PreparedCall>();

// The getters behind `resizable` and `growable` read the buffer's internal
// slots: an own property or another prototype on the buffer cannot make
// them lie, and they run no code of the caller's. Each throws for the other
// kind of buffer.
const isResizableArrayBuffer = Object.getOwnPropertyDescriptor(
  ArrayBuffer.prototype,
  "resizable",
)!.get as (this: unknown) => boolean;
const isGrowableSharedBuffer = Object.getOwnPropertyDescriptor(
  SharedArrayBuffer.prototype,
  "growable",
)!.get as (this: unknown) => boolean;

/** The kind of an array's buffer when it can change size, else undefined:
 * Deno refuses those in nonblocking calls, since the memory could move
 * under the kernel. */
function resizableKind(
  array: FloatArray,
): "ArrayBuffer" | "SharedArrayBuffer" | undefined {
  const buffer = array.buffer;
  try {
    return isResizableArrayBuffer.call(buffer) ? "ArrayBuffer" : undefined;
  } catch {
    return isGrowableSharedBuffer.call(buffer)
      ? "SharedArrayBuffer"
      : undefined;
  }
}

/** Checks that no array of the call is over a resizable buffer. */
function checkFixedLength(call: PreparedCall): void {
  for (const [name, array] of call.arrays) {
    const kind = resizableKind(array);
    if (kind !== undefined) {
      throw new TypeError(
        `\`${name}\` must be backed by a fixed-length buffer in an ` +
          `asynchronous call, got a ${describe(array)} over a resizable ` +
          kind,
      );
    }
  }
}

/**
 * Runs the public function `name` off the JavaScript thread: checks the
 * arguments as its synchronous form does, starts its kernel's nonblocking
 * twin, and resolves to the synchronous form's result once the kernel has
 * run. Every failure, a bad argument included, rejects the promise.
 */
function callAsync(
  name: string,
  arrays: readonly unknown[],
  options: unknown,
): Promise<unknown> {
  let call: PreparedCall;
  let kernel: NonblockingKernel;
  let running: Promise<number>;
  try {
    call = prepareCall(describeFunction(name), arrays, options);
    checkFixedLength(call);
    const native = loadLibrary() as unknown as Record<
      string,
      NonblockingKernel
    >;
    kernel = native[`${call.kernel}_nonblocking`]!;
    running = kernel(...call.args);
  } catch (error) {
    return Promise.reject(error);
  }

  inFlight.add(call);
  return running.then(
    (status) => {
      inFlight.delete(call);
      checkStatus(call.symbol, status);
      return call.result;
    },
    (error) => {
      inFlight.delete(call);
      throw error;
    },
  );
}

/**
 * {@link relu} off the JavaScript thread.
 *
 * A bad argument rejects the promise with the error `relu` throws
 * (nothing is thrown). Leave every array unwritten until it settles.
 *
 * @param x The input array, over a fixed-length buffer.
 * @param options `out`: as for `relu`.
 * @returns A promise of what `relu(x, options)` returns.
 *
 * @example
 * ```ts
 * import { reluAsync } from "@activations/activations";
 *
 * const y = await reluAsync(new Float32Array([-1, 2]));
 * // [0, 2]
 * ```
 */
export function reluAsync<T extends FloatArray>(
  x: T,
  options?: OutputOptions<T>,
): Promise<T> {
  return callAsync("relu", [x], options) as Promise<T>;
}

/**
 * {@link reluGrad} off the JavaScript thread.
 *
 * A bad argument rejects the promise with the error `reluGrad` throws
 * (nothing is thrown). Leave every array unwritten until it settles.
 *
 * @param dy The gradient with respect to the output of `relu`.
 * @param x The input of `relu`: the type and length of `dy`.
 * @param options `out`: as for `reluGrad`.
 * @returns A promise of what `reluGrad(dy, x, options)` returns.
 *
 * @example
 * ```ts
 * import { reluGradAsync } from "@activations/activations";
 *
 * const dy = new Float32Array([1, 1]);
 * const x = new Float32Array([-1, 2]);
 * const dx = await reluGradAsync(dy, x);
 * // [0, 1]
 * ```
 */
export function reluGradAsync<T extends FloatArray>(
  dy: T,
  x: T,
  options?: OutputOptions<T>,
): Promise<T> {
  return callAsync("reluGrad", [dy, x], options) as Promise<T>;
}

/**
 * {@link relu6} off the JavaScript thread.
 *
 * A bad argument rejects the promise with the error `relu6` throws
 * (nothing is thrown). Leave every array unwritten until it settles.
 *
 * @param x The input array, over a fixed-length buffer.
 * @param options `out`: as for `relu6`.
 * @returns A promise of what `relu6(x, options)` returns.
 *
 * @example
 * ```ts
 * import { relu6Async } from "@activations/activations";
 *
 * const y = await relu6Async(new Float32Array([-1, 8]));
 * // [0, 6]
 * ```
 */
export function relu6Async<T extends FloatArray>(
  x: T,
  options?: OutputOptions<T>,
): Promise<T> {
  return callAsync("relu6", [x], options) as Promise<T>;
}

/**
 * {@link relu6Grad} off the JavaScript thread.
 *
 * A bad argument rejects the promise with the error `relu6Grad` throws
 * (nothing is thrown). Leave every array unwritten until it settles.
 *
 * @param dy The gradient with respect to the output of `relu6`.
 * @param x The input of `relu6`: the type and length of `dy`.
 * @param options `out`: as for `relu6Grad`.
 * @returns A promise of what `relu6Grad(dy, x, options)` returns.
 *
 * @example
 * ```ts
 * import { relu6GradAsync } from "@activations/activations";
 *
 * const dy = new Float32Array([1, 1]);
 * const x = new Float32Array([-1, 8]);
 * const dx = await relu6GradAsync(dy, x);
 * // [0, 0]
 * ```
 */
export function relu6GradAsync<T extends FloatArray>(
  dy: T,
  x: T,
  options?: OutputOptions<T>,
): Promise<T> {
  return callAsync("relu6Grad", [dy, x], options) as Promise<T>;
}

/**
 * {@link leakyRelu} off the JavaScript thread.
 *
 * A bad argument rejects the promise with the error `leakyRelu` throws
 * (nothing is thrown). Leave every array unwritten until it settles.
 *
 * @param x The input array, over a fixed-length buffer.
 * @param options `alpha`, `out`: as for `leakyRelu`.
 * @returns A promise of what `leakyRelu(x, options)` returns.
 *
 * @example
 * ```ts
 * import { leakyReluAsync } from "@activations/activations";
 *
 * const y = await leakyReluAsync(new Float32Array([-10, 10]), { alpha: 0.1 });
 * // [-1, 10]
 * ```
 */
export function leakyReluAsync<T extends FloatArray>(
  x: T,
  options?: AlphaOptions<T>,
): Promise<T> {
  return callAsync("leakyRelu", [x], options) as Promise<T>;
}

/**
 * {@link leakyReluGrad} off the JavaScript thread.
 *
 * A bad argument rejects the promise with the error `leakyReluGrad` throws
 * (nothing is thrown). Leave every array unwritten until it settles.
 *
 * @param dy The gradient with respect to the output of `leakyRelu`.
 * @param x The input of `leakyRelu`: the type and length of `dy`.
 * @param options `alpha`, `out`: as for `leakyReluGrad`.
 * @returns A promise of what `leakyReluGrad(dy, x, options)` returns.
 *
 * @example
 * ```ts
 * import { leakyReluGradAsync } from "@activations/activations";
 *
 * const dy = new Float32Array([1, 1]);
 * const x = new Float32Array([-10, 10]);
 * const dx = await leakyReluGradAsync(dy, x, { alpha: 0.1 });
 * // [0.1, 1]
 * ```
 */
export function leakyReluGradAsync<T extends FloatArray>(
  dy: T,
  x: T,
  options?: AlphaOptions<T>,
): Promise<T> {
  return callAsync("leakyReluGrad", [dy, x], options) as Promise<T>;
}

/**
 * {@link prelu} off the JavaScript thread.
 *
 * A bad argument rejects the promise with the error `prelu` throws
 * (nothing is thrown). Leave every array unwritten until it settles.
 *
 * @param x The input array, over a fixed-length buffer.
 * @param alpha The slopes: an array of the type of `x`, not empty.
 * @param options `out`: as for `prelu`.
 * @returns A promise of what `prelu(x, alpha, options)` returns.
 *
 * @example
 * ```ts
 * import { preluAsync } from "@activations/activations";
 *
 * const x = new Float32Array([-1, -1, 2, -4]);
 * const y = await preluAsync(x, new Float32Array([0.1, 0.5]));
 * // [-0.1, -0.5, 2, -2]
 * ```
 */
export function preluAsync<T extends FloatArray>(
  x: T,
  alpha: T,
  options?: OutputOptions<T>,
): Promise<T> {
  return callAsync("prelu", [x, alpha], options) as Promise<T>;
}

/**
 * {@link preluGrad} off the JavaScript thread.
 *
 * A bad argument rejects the promise with the error `preluGrad` throws
 * (nothing is thrown). Leave every array unwritten until it settles.
 *
 * @param dy The gradient with respect to the output of `prelu`.
 * @param x The input of `prelu`: the type and length of `dy`.
 * @param alpha The slopes `prelu` used.
 * @param options `out`, `dalphaOut`: as for `preluGrad`.
 * @returns A promise of what `preluGrad(dy, x, alpha, options)` returns.
 *
 * @example
 * ```ts
 * import { preluGradAsync } from "@activations/activations";
 *
 * const dy = new Float32Array([1, 1, 1]);
 * const x = new Float32Array([-1, -0.5, 2]);
 * const { dx, dalpha } = await preluGradAsync(dy, x, new Float32Array([0.25]));
 * // dx: [0.25, 0.25, 1], dalpha: [-1.5]
 * ```
 */
export function preluGradAsync<T extends FloatArray>(
  dy: T,
  x: T,
  alpha: T,
  options?: PreluGradOptions<T>,
): Promise<PreluGradients<T>> {
  return callAsync("preluGrad", [dy, x, alpha], options) as Promise<
    PreluGradients<T>
  >;
}

/**
 * {@link elu} off the JavaScript thread.
 *
 * A bad argument rejects the promise with the error `elu` throws
 * (nothing is thrown). Leave every array unwritten until it settles.
 *
 * @param x The input array, over a fixed-length buffer.
 * @param options `alpha`, `out`: as for `elu`.
 * @returns A promise of what `elu(x, options)` returns.
 *
 * @example
 * ```ts
 * import { eluAsync } from "@activations/activations";
 *
 * const y = await eluAsync(new Float32Array([-1, 2]));
 * // [-0.63212055, 2]
 * ```
 */
export function eluAsync<T extends FloatArray>(
  x: T,
  options?: AlphaOptions<T>,
): Promise<T> {
  return callAsync("elu", [x], options) as Promise<T>;
}

/**
 * {@link eluGrad} off the JavaScript thread.
 *
 * A bad argument rejects the promise with the error `eluGrad` throws
 * (nothing is thrown). Leave every array unwritten until it settles.
 *
 * @param dy The gradient with respect to the output of `elu`.
 * @param x The input of `elu`: the type and length of `dy`.
 * @param options `alpha`, `out`: as for `eluGrad`.
 * @returns A promise of what `eluGrad(dy, x, options)` returns.
 *
 * @example
 * ```ts
 * import { eluGradAsync } from "@activations/activations";
 *
 * const dy = new Float32Array([1, 1]);
 * const x = new Float32Array([-1, 2]);
 * const dx = await eluGradAsync(dy, x);
 * // [0.36787945, 1]
 * ```
 */
export function eluGradAsync<T extends FloatArray>(
  dy: T,
  x: T,
  options?: AlphaOptions<T>,
): Promise<T> {
  return callAsync("eluGrad", [dy, x], options) as Promise<T>;
}

/**
 * {@link selu} off the JavaScript thread.
 *
 * A bad argument rejects the promise with the error `selu` throws
 * (nothing is thrown). Leave every array unwritten until it settles.
 *
 * @param x The input array, over a fixed-length buffer.
 * @param options `out`: as for `selu`.
 * @returns A promise of what `selu(x, options)` returns.
 *
 * @example
 * ```ts
 * import { seluAsync } from "@activations/activations";
 *
 * const y = await seluAsync(new Float32Array([-1, 1]));
 * // [-1.1113307, 1.050701]
 * ```
 */
export function seluAsync<T extends FloatArray>(
  x: T,
  options?: OutputOptions<T>,
): Promise<T> {
  return callAsync("selu", [x], options) as Promise<T>;
}

/**
 * {@link seluGrad} off the JavaScript thread.
 *
 * A bad argument rejects the promise with the error `seluGrad` throws
 * (nothing is thrown). Leave every array unwritten until it settles.
 *
 * @param dy The gradient with respect to the output of `selu`.
 * @param x The input of `selu`: the type and length of `dy`.
 * @param options `out`: as for `seluGrad`.
 * @returns A promise of what `seluGrad(dy, x, options)` returns.
 *
 * @example
 * ```ts
 * import { seluGradAsync } from "@activations/activations";
 *
 * const dy = new Float32Array([1, 1]);
 * const x = new Float32Array([-1, 1]);
 * const dx = await seluGradAsync(dy, x);
 * // [0.6467686, 1.050701]
 * ```
 */
export function seluGradAsync<T extends FloatArray>(
  dy: T,
  x: T,
  options?: OutputOptions<T>,
): Promise<T> {
  return callAsync("seluGrad", [dy, x], options) as Promise<T>;
}

/**
 * {@link celu} off the JavaScript thread.
 *
 * A bad argument rejects the promise with the error `celu` throws
 * (nothing is thrown). Leave every array unwritten until it settles.
 *
 * @param x The input array, over a fixed-length buffer.
 * @param options `alpha`, `out`: as for `celu`.
 * @returns A promise of what `celu(x, options)` returns.
 *
 * @example
 * ```ts
 * import { celuAsync } from "@activations/activations";
 *
 * const y = await celuAsync(new Float32Array([-2, 2]), { alpha: 2 });
 * // [-1.2642411, 2]
 * ```
 */
export function celuAsync<T extends FloatArray>(
  x: T,
  options?: AlphaOptions<T>,
): Promise<T> {
  return callAsync("celu", [x], options) as Promise<T>;
}

/**
 * {@link celuGrad} off the JavaScript thread.
 *
 * A bad argument rejects the promise with the error `celuGrad` throws
 * (nothing is thrown). Leave every array unwritten until it settles.
 *
 * @param dy The gradient with respect to the output of `celu`.
 * @param x The input of `celu`: the type and length of `dy`.
 * @param options `alpha`, `out`: as for `celuGrad`.
 * @returns A promise of what `celuGrad(dy, x, options)` returns.
 *
 * @example
 * ```ts
 * import { celuGradAsync } from "@activations/activations";
 *
 * const dy = new Float32Array([1, 1]);
 * const x = new Float32Array([-2, 2]);
 * const dx = await celuGradAsync(dy, x, { alpha: 2 });
 * // [0.36787945, 1]
 * ```
 */
export function celuGradAsync<T extends FloatArray>(
  dy: T,
  x: T,
  options?: AlphaOptions<T>,
): Promise<T> {
  return callAsync("celuGrad", [dy, x], options) as Promise<T>;
}

/**
 * {@link gelu} off the JavaScript thread.
 *
 * A bad argument rejects the promise with the error `gelu` throws
 * (nothing is thrown). Leave every array unwritten until it settles.
 *
 * @param x The input array, over a fixed-length buffer.
 * @param options `approximate`, `out`: as for `gelu`.
 * @returns A promise of what `gelu(x, options)` returns.
 *
 * @example
 * ```ts
 * import { geluAsync } from "@activations/activations";
 *
 * const y = await geluAsync(
 *   new Float32Array([-1, 1]),
 *   { approximate: "tanh" },
 * );
 * // [-0.15880801, 0.841192]
 * ```
 */
export function geluAsync<T extends FloatArray>(
  x: T,
  options?: GeluOptions<T>,
): Promise<T> {
  return callAsync("gelu", [x], options) as Promise<T>;
}

/**
 * {@link geluGrad} off the JavaScript thread.
 *
 * A bad argument rejects the promise with the error `geluGrad` throws
 * (nothing is thrown). Leave every array unwritten until it settles.
 *
 * @param dy The gradient with respect to the output of `gelu`.
 * @param x The input of `gelu`: the type and length of `dy`.
 * @param options `approximate`, `out`: as for `geluGrad`.
 * @returns A promise of what `geluGrad(dy, x, options)` returns.
 *
 * @example
 * ```ts
 * import { geluGradAsync } from "@activations/activations";
 *
 * const dy = new Float32Array([1, 1]);
 * const x = new Float32Array([-1, 1]);
 * const dx = await geluGradAsync(dy, x, { approximate: "tanh" });
 * // [-0.082964085, 1.0829641]
 * ```
 */
export function geluGradAsync<T extends FloatArray>(
  dy: T,
  x: T,
  options?: GeluOptions<T>,
): Promise<T> {
  return callAsync("geluGrad", [dy, x], options) as Promise<T>;
}

/**
 * {@link silu} off the JavaScript thread.
 *
 * A bad argument rejects the promise with the error `silu` throws
 * (nothing is thrown). Leave every array unwritten until it settles.
 *
 * @param x The input array, over a fixed-length buffer.
 * @param options `beta`, `out`: as for `silu`.
 * @returns A promise of what `silu(x, options)` returns.
 *
 * @example
 * ```ts
 * import { siluAsync } from "@activations/activations";
 *
 * const y = await siluAsync(new Float32Array([-1, 1]));
 * // [-0.26894143, 0.7310586]
 * ```
 */
export function siluAsync<T extends FloatArray>(
  x: T,
  options?: BetaOptions<T>,
): Promise<T> {
  return callAsync("silu", [x], options) as Promise<T>;
}

/**
 * {@link siluGrad} off the JavaScript thread.
 *
 * A bad argument rejects the promise with the error `siluGrad` throws
 * (nothing is thrown). Leave every array unwritten until it settles.
 *
 * @param dy The gradient with respect to the output of `silu`.
 * @param x The input of `silu`: the type and length of `dy`.
 * @param options `beta`, `out`: as for `siluGrad`.
 * @returns A promise of what `siluGrad(dy, x, options)` returns.
 *
 * @example
 * ```ts
 * import { siluGradAsync } from "@activations/activations";
 *
 * const dy = new Float32Array([1, 1]);
 * const x = new Float32Array([-1, 1]);
 * const dx = await siluGradAsync(dy, x);
 * // [0.07232949, 0.92767054]
 * ```
 */
export function siluGradAsync<T extends FloatArray>(
  dy: T,
  x: T,
  options?: BetaOptions<T>,
): Promise<T> {
  return callAsync("siluGrad", [dy, x], options) as Promise<T>;
}

/**
 * {@link mish} off the JavaScript thread.
 *
 * A bad argument rejects the promise with the error `mish` throws
 * (nothing is thrown). Leave every array unwritten until it settles.
 *
 * @param x The input array, over a fixed-length buffer.
 * @param options `out`: as for `mish`.
 * @returns A promise of what `mish(x, options)` returns.
 *
 * @example
 * ```ts
 * import { mishAsync } from "@activations/activations";
 *
 * const y = await mishAsync(new Float32Array([-1, 1]));
 * // [-0.30340147, 0.8650984]
 * ```
 */
export function mishAsync<T extends FloatArray>(
  x: T,
  options?: OutputOptions<T>,
): Promise<T> {
  return callAsync("mish", [x], options) as Promise<T>;
}

/**
 * {@link mishGrad} off the JavaScript thread.
 *
 * A bad argument rejects the promise with the error `mishGrad` throws
 * (nothing is thrown). Leave every array unwritten until it settles.
 *
 * @param dy The gradient with respect to the output of `mish`.
 * @param x The input of `mish`: the type and length of `dy`.
 * @param options `out`: as for `mishGrad`.
 * @returns A promise of what `mishGrad(dy, x, options)` returns.
 *
 * @example
 * ```ts
 * import { mishGradAsync } from "@activations/activations";
 *
 * const dy = new Float32Array([1, 1]);
 * const x = new Float32Array([-1, 1]);
 * const dx = await mishGradAsync(dy, x);
 * // [0.059216756, 1.0490363]
 * ```
 */
export function mishGradAsync<T extends FloatArray>(
  dy: T,
  x: T,
  options?: OutputOptions<T>,
): Promise<T> {
  return callAsync("mishGrad", [dy, x], options) as Promise<T>;
}

/**
 * {@link sigmoid} off the JavaScript thread.
 *
 * A bad argument rejects the promise with the error `sigmoid` throws
 * (nothing is thrown). Leave every array unwritten until it settles.
 *
 * @param x The input array, over a fixed-length buffer.
 * @param options `out`: as for `sigmoid`.
 * @returns A promise of what `sigmoid(x, options)` returns.
 *
 * @example
 * ```ts
 * import { sigmoidAsync } from "@activations/activations";
 *
 * const y = await sigmoidAsync(new Float32Array([0, 1]));
 * // [0.5, 0.7310586]
 * ```
 */
export function sigmoidAsync<T extends FloatArray>(
  x: T,
  options?: OutputOptions<T>,
): Promise<T> {
  return callAsync("sigmoid", [x], options) as Promise<T>;
}

/**
 * {@link sigmoidGrad} off the JavaScript thread.
 *
 * A bad argument rejects the promise with the error `sigmoidGrad` throws
 * (nothing is thrown). Leave every array unwritten until it settles.
 *
 * @param dy The gradient with respect to the output of `sigmoid`.
 * @param x The input of `sigmoid`: the type and length of `dy`.
 * @param options `out`: as for `sigmoidGrad`.
 * @returns A promise of what `sigmoidGrad(dy, x, options)` returns.
 *
 * @example
 * ```ts
 * import { sigmoidGradAsync } from "@activations/activations";
 *
 * const dy = new Float32Array([1, 1]);
 * const x = new Float32Array([0, 1]);
 * const dx = await sigmoidGradAsync(dy, x);
 * // [0.25, 0.19661193]
 * ```
 */
export function sigmoidGradAsync<T extends FloatArray>(
  dy: T,
  x: T,
  options?: OutputOptions<T>,
): Promise<T> {
  return callAsync("sigmoidGrad", [dy, x], options) as Promise<T>;
}

/**
 * {@link hardSigmoid} off the JavaScript thread.
 *
 * A bad argument rejects the promise with the error `hardSigmoid` throws
 * (nothing is thrown). Leave every array unwritten until it settles.
 *
 * @param x The input array, over a fixed-length buffer.
 * @param options `alpha`, `beta`, `out`: as for `hardSigmoid`.
 * @returns A promise of what `hardSigmoid(x, options)` returns.
 *
 * @example
 * ```ts
 * import { hardSigmoidAsync } from "@activations/activations";
 *
 * const y = await hardSigmoidAsync(
 *   new Float32Array([-3, 1]),
 *   { alpha: 1 / 6 },
 * );
 * // [0, 0.6666667]
 * ```
 */
export function hardSigmoidAsync<T extends FloatArray>(
  x: T,
  options?: HardSigmoidOptions<T>,
): Promise<T> {
  return callAsync("hardSigmoid", [x], options) as Promise<T>;
}

/**
 * {@link hardSigmoidGrad} off the JavaScript thread.
 *
 * A bad argument rejects the promise with the error `hardSigmoidGrad` throws
 * (nothing is thrown). Leave every array unwritten until it settles.
 *
 * @param dy The gradient with respect to the output of `hardSigmoid`.
 * @param x The input of `hardSigmoid`: the type and length of `dy`.
 * @param options `alpha`, `beta`, `out`: as for `hardSigmoidGrad`.
 * @returns A promise of what `hardSigmoidGrad(dy, x, options)` returns.
 *
 * @example
 * ```ts
 * import { hardSigmoidGradAsync } from "@activations/activations";
 *
 * const dy = new Float32Array([1, 1]);
 * const x = new Float32Array([-3, 1]);
 * const dx = await hardSigmoidGradAsync(dy, x, { alpha: 1 / 6 });
 * // [0, 0.16666667]
 * ```
 */
export function hardSigmoidGradAsync<T extends FloatArray>(
  dy: T,
  x: T,
  options?: HardSigmoidOptions<T>,
): Promise<T> {
  return callAsync("hardSigmoidGrad", [dy, x], options) as Promise<T>;
}

/**
 * {@link hardSwish} off the JavaScript thread.
 *
 * A bad argument rejects the promise with the error `hardSwish` throws
 * (nothing is thrown). Leave every array unwritten until it settles.
 *
 * @param x The input array, over a fixed-length buffer.
 * @param options `out`: as for `hardSwish`.
 * @returns A promise of what `hardSwish(x, options)` returns.
 *
 * @example
 * ```ts
 * import { hardSwishAsync } from "@activations/activations";
 *
 * const y = await hardSwishAsync(new Float32Array([-4, 1]));
 * // [-0, 0.6666667]
 * ```
 */
export function hardSwishAsync<T extends FloatArray>(
  x: T,
  options?: OutputOptions<T>,
): Promise<T> {
  return callAsync("hardSwish", [x], options) as Promise<T>;
}

/**
 * {@link hardSwishGrad} off the JavaScript thread.
 *
 * A bad argument rejects the promise with the error `hardSwishGrad` throws
 * (nothing is thrown). Leave every array unwritten until it settles.
 *
 * @param dy The gradient with respect to the output of `hardSwish`.
 * @param x The input of `hardSwish`: the type and length of `dy`.
 * @param options `out`: as for `hardSwishGrad`.
 * @returns A promise of what `hardSwishGrad(dy, x, options)` returns.
 *
 * @example
 * ```ts
 * import { hardSwishGradAsync } from "@activations/activations";
 *
 * const dy = new Float32Array([1, 1]);
 * const x = new Float32Array([-4, 1]);
 * const dx = await hardSwishGradAsync(dy, x);
 * // [0, 0.8333333]
 * ```
 */
export function hardSwishGradAsync<T extends FloatArray>(
  dy: T,
  x: T,
  options?: OutputOptions<T>,
): Promise<T> {
  return callAsync("hardSwishGrad", [dy, x], options) as Promise<T>;
}

/**
 * {@link tanh} off the JavaScript thread.
 *
 * A bad argument rejects the promise with the error `tanh` throws
 * (nothing is thrown). Leave every array unwritten until it settles.
 *
 * @param x The input array, over a fixed-length buffer.
 * @param options `out`: as for `tanh`.
 * @returns A promise of what `tanh(x, options)` returns.
 *
 * @example
 * ```ts
 * import { tanhAsync } from "@activations/activations";
 *
 * const y = await tanhAsync(new Float32Array([0, 1]));
 * // [0, 0.7615942]
 * ```
 */
export function tanhAsync<T extends FloatArray>(
  x: T,
  options?: OutputOptions<T>,
): Promise<T> {
  return callAsync("tanh", [x], options) as Promise<T>;
}

/**
 * {@link tanhGrad} off the JavaScript thread.
 *
 * A bad argument rejects the promise with the error `tanhGrad` throws
 * (nothing is thrown). Leave every array unwritten until it settles.
 *
 * @param dy The gradient with respect to the output of `tanh`.
 * @param x The input of `tanh`: the type and length of `dy`.
 * @param options `out`: as for `tanhGrad`.
 * @returns A promise of what `tanhGrad(dy, x, options)` returns.
 *
 * @example
 * ```ts
 * import { tanhGradAsync } from "@activations/activations";
 *
 * const dy = new Float32Array([1, 1]);
 * const x = new Float32Array([0, 1]);
 * const dx = await tanhGradAsync(dy, x);
 * // [1, 0.41997433]
 * ```
 */
export function tanhGradAsync<T extends FloatArray>(
  dy: T,
  x: T,
  options?: OutputOptions<T>,
): Promise<T> {
  return callAsync("tanhGrad", [dy, x], options) as Promise<T>;
}

/**
 * {@link softplus} off the JavaScript thread.
 *
 * A bad argument rejects the promise with the error `softplus` throws
 * (nothing is thrown). Leave every array unwritten until it settles.
 *
 * @param x The input array, over a fixed-length buffer.
 * @param options `beta`, `out`: as for `softplus`.
 * @returns A promise of what `softplus(x, options)` returns.
 *
 * @example
 * ```ts
 * import { softplusAsync } from "@activations/activations";
 *
 * const y = await softplusAsync(new Float32Array([0, 100]));
 * // [0.6931472, 100]
 * ```
 */
export function softplusAsync<T extends FloatArray>(
  x: T,
  options?: BetaOptions<T>,
): Promise<T> {
  return callAsync("softplus", [x], options) as Promise<T>;
}

/**
 * {@link softplusGrad} off the JavaScript thread.
 *
 * A bad argument rejects the promise with the error `softplusGrad` throws
 * (nothing is thrown). Leave every array unwritten until it settles.
 *
 * @param dy The gradient with respect to the output of `softplus`.
 * @param x The input of `softplus`: the type and length of `dy`.
 * @param options `beta`, `out`: as for `softplusGrad`.
 * @returns A promise of what `softplusGrad(dy, x, options)` returns.
 *
 * @example
 * ```ts
 * import { softplusGradAsync } from "@activations/activations";
 *
 * const dy = new Float32Array([1, 1]);
 * const x = new Float32Array([0, 100]);
 * const dx = await softplusGradAsync(dy, x);
 * // [0.5, 1]
 * ```
 */
export function softplusGradAsync<T extends FloatArray>(
  dy: T,
  x: T,
  options?: BetaOptions<T>,
): Promise<T> {
  return callAsync("softplusGrad", [dy, x], options) as Promise<T>;
}

/**
 * {@link softsign} off the JavaScript thread.
 *
 * A bad argument rejects the promise with the error `softsign` throws
 * (nothing is thrown). Leave every array unwritten until it settles.
 *
 * @param x The input array, over a fixed-length buffer.
 * @param options `out`: as for `softsign`.
 * @returns A promise of what `softsign(x, options)` returns.
 *
 * @example
 * ```ts
 * import { softsignAsync } from "@activations/activations";
 *
 * const y = await softsignAsync(new Float32Array([-1, 3]));
 * // [-0.5, 0.75]
 * ```
 */
export function softsignAsync<T extends FloatArray>(
  x: T,
  options?: OutputOptions<T>,
): Promise<T> {
  return callAsync("softsign", [x], options) as Promise<T>;
}

/**
 * {@link softsignGrad} off the JavaScript thread.
 *
 * A bad argument rejects the promise with the error `softsignGrad` throws
 * (nothing is thrown). Leave every array unwritten until it settles.
 *
 * @param dy The gradient with respect to the output of `softsign`.
 * @param x The input of `softsign`: the type and length of `dy`.
 * @param options `out`: as for `softsignGrad`.
 * @returns A promise of what `softsignGrad(dy, x, options)` returns.
 *
 * @example
 * ```ts
 * import { softsignGradAsync } from "@activations/activations";
 *
 * const dy = new Float32Array([1, 1]);
 * const x = new Float32Array([-1, 3]);
 * const dx = await softsignGradAsync(dy, x);
 * // [0.25, 0.0625]
 * ```
 */
export function softsignGradAsync<T extends FloatArray>(
  dy: T,
  x: T,
  options?: OutputOptions<T>,
): Promise<T> {
  return callAsync("softsignGrad", [dy, x], options) as Promise<T>;
}

/**
 * {@link softmax} off the JavaScript thread.
 *
 * A bad argument rejects the promise with the error `softmax` throws
 * (nothing is thrown). Leave every array unwritten until it settles.
 *
 * @param x The input array, over a fixed-length buffer.
 * @param options `axisLength`, `out`: as for `softmax`.
 * @returns A promise of what `softmax(x, options)` returns.
 *
 * @example
 * ```ts
 * import { softmaxAsync } from "@activations/activations";
 *
 * const y = await softmaxAsync(
 *   new Float32Array([1, 2, 0, 0]),
 *   { axisLength: 2 },
 * );
 * // [0.26894143, 0.7310586, 0.5, 0.5]
 * ```
 */
export function softmaxAsync<T extends FloatArray>(
  x: T,
  options?: AxisOptions<T>,
): Promise<T> {
  return callAsync("softmax", [x], options) as Promise<T>;
}

/**
 * {@link softmaxGrad} off the JavaScript thread.
 *
 * A bad argument rejects the promise with the error `softmaxGrad` throws
 * (nothing is thrown). Leave every array unwritten until it settles.
 *
 * @param dy The gradient with respect to the output of `softmax`.
 * @param y The output of `softmax`: the type and length of `dy`.
 * @param options `axisLength`, `out`: as for `softmaxGrad`.
 * @returns A promise of what `softmaxGrad(dy, y, options)` returns.
 *
 * @example
 * ```ts
 * import { softmaxGradAsync, softmaxAsync } from "@activations/activations";
 *
 * const dy = new Float32Array([1, 0, 1, 0]);
 * const y = await softmaxAsync(
 *   new Float32Array([1, 2, 0, 0]),
 *   { axisLength: 2 },
 * );
 * const dx = await softmaxGradAsync(dy, y, { axisLength: 2 });
 * // [0.19661194, -0.19661194, 0.25, -0.25]
 * ```
 */
export function softmaxGradAsync<T extends FloatArray>(
  dy: T,
  y: T,
  options?: AxisOptions<T>,
): Promise<T> {
  return callAsync("softmaxGrad", [dy, y], options) as Promise<T>;
}

/**
 * {@link logSoftmax} off the JavaScript thread.
 *
 * A bad argument rejects the promise with the error `logSoftmax` throws
 * (nothing is thrown). Leave every array unwritten until it settles.
 *
 * @param x The input array, over a fixed-length buffer.
 * @param options `axisLength`, `out`: as for `logSoftmax`.
 * @returns A promise of what `logSoftmax(x, options)` returns.
 *
 * @example
 * ```ts
 * import { logSoftmaxAsync } from "@activations/activations";
 *
 * const y = await logSoftmaxAsync(new Float32Array([0, 0]));
 * // [-0.6931472, -0.6931472]
 * ```
 */
export function logSoftmaxAsync<T extends FloatArray>(
  x: T,
  options?: AxisOptions<T>,
): Promise<T> {
  return callAsync("logSoftmax", [x], options) as Promise<T>;
}

/**
 * {@link logSoftmaxGrad} off the JavaScript thread.
 *
 * A bad argument rejects the promise with the error `logSoftmaxGrad` throws
 * (nothing is thrown). Leave every array unwritten until it settles.
 *
 * @param dy The gradient with respect to the output of `logSoftmax`.
 * @param y The output of `logSoftmax`: the type and length of `dy`.
 * @param options `axisLength`, `out`: as for `logSoftmaxGrad`.
 * @returns A promise of what `logSoftmaxGrad(dy, y, options)` returns.
 *
 * @example
 * ```ts
 * import { logSoftmaxGradAsync, logSoftmaxAsync } from "@activations/activations";
 *
 * const dy = new Float32Array([1, 0]);
 * const y = await logSoftmaxAsync(new Float32Array([0, 0]));
 * const dx = await logSoftmaxGradAsync(dy, y);
 * // [0.5, -0.5]
 * ```
 */
export function logSoftmaxGradAsync<T extends FloatArray>(
  dy: T,
  y: T,
  options?: AxisOptions<T>,
): Promise<T> {
  return callAsync("logSoftmaxGrad", [dy, y], options) as Promise<T>;
}

/** Another name of {@link siluAsync}.
 *
 * @example
 * ```ts
 * import { swishAsync } from "@activations/activations";
 *
 * const y = await swishAsync(new Float32Array([1])); // [0.7310586]
 * ```
 */
export const swishAsync: typeof siluAsync = siluAsync;

/** Another name of {@link siluGradAsync}.
 *
 * @example
 * ```ts
 * import { swishGradAsync } from "@activations/activations";
 *
 * const dx = await swishGradAsync(
 *   new Float32Array([1]),
 *   new Float32Array([0]),
 * ); // Float32Array [0.5]
 * ```
 */
export const swishGradAsync: typeof siluGradAsync = siluGradAsync;
