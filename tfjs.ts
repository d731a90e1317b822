/**
 * TensorFlow.js on this module's native kernels: `registerNativeKernels(tf)`
 * puts them in place of the activation kernels of tfjs's `cpu` backend, so
 * that `tf.relu`, `tf.sigmoid`, `tf.softmax`, the activations of `tf.layers`
 * and every model that calls them run natively, and
 * `unregisterNativeKernels(tf)` puts tfjs's own kernels back.
 *
 * Replaced, when the `cpu` backend has them: `Relu`, `Relu6`, `LeakyRelu`,
 * `Prelu`, `Elu`, `Selu`, `Sigmoid`, `Tanh`, `Softplus` and `Softmax`. Each
 * runs natively on `float32` tensors and hands anything else (an `int32`
 * input, a PReLU slope tensor that does not run along the last axes, a
 * softmax over another axis) to the kernel it replaced, which gives tfjs's
 * result or tfjs's error.
 *
 * Not replaced, and why:
 *
 * - `LogSoftmax`: tfjs names the kernel but no backend has one;
 *   `tf.logSoftmax` is built from `Max`, `Sub`, `Exp`, `Log` and `Sum`.
 * - The gradients. `EluGrad` is the only activation gradient kernel tfjs
 *   has, and it receives the forward's output, where this module's `eluGrad`
 *   needs the input; the other gradients are compositions of general kernels
 *   (`Step`, `Mul`, `Where`...). So every gradient keeps tfjs's formula and
 *   its conventions: `relu6`'s derivative is 1 at 6, and the gradients of
 *   `sigmoid` and `tanh` are computed from their output as tfjs computes them.
 *   They see the native forward's output where tfjs saves it (`Sigmoid`,
 *   `Tanh`, `Elu`, `Softmax`), and differ from tfjs only as much as that
 *   output does.
 * - The activations inside fused kernels. `_FusedMatMul`, `FusedConv2D` and
 *   `FusedDepthwiseConv2D` apply their activation with the cpu backend's own
 *   code, not through the registry: a `tf.layers.dense` layer with `relu` or
 *   `elu` (which tfjs fuses into the matrix product) and a converted graph
 *   model's fused convolutions keep tfjs's activation.
 *
 * Results agree with tfjs's to float32 rounding, except where this module is
 * more exact: `elu` and `selu` use `expm1`, where tfjs's `exp(x) - 1` loses
 * negative inputs of magnitude below about 1e-8; `softplus` has no
 * thresholds, where tfjs returns `x` from 13.94 on and `e^x` below -13.94;
 * `softmax` keeps `x - max` exact and sums compensated, where tfjs rounds both
 * to float32 (entries far below a row's maximum of 100 move by up to 4e-6,
 * relative).
 *
 * The module does not import tfjs: it takes your `tf`, so it works with the
 * copy of tfjs you use (`@tensorflow/tfjs`, or `@tensorflow/tfjs-core` with
 * `@tensorflow/tfjs-backend-cpu`). The kernel registry is global to tfjs, so
 * one registration serves every tfjs module loaded in the process.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { registerNativeKernels, unregisterNativeKernels } from "@activations/activations/tfjs";
 *
 * await tf.setBackend("cpu");
 * registerNativeKernels(tf);
 * const y = tf.sigmoid(tf.tensor1d([-1, 0, 1])); // computed natively
 * unregisterNativeKernels(tf);
 * ```
 *
 * @module
 */

import {
  elu,
  leakyRelu,
  prelu,
  relu,
  relu6,
  selu,
  sigmoid,
  softmax,
  softplus,
  tanh,
} from "./mod.ts";
import { isFloat32 } from "./ffi/arrays.ts";

/**
 * What a kernel receives of a tensor, and returns of its result: the key of
 * its data in the backend, its shape and its type.
 *
 * @example
 * ```ts
 * import type { TensorInfo } from "@activations/activations/tfjs";
 *
 * const info: TensorInfo = { dataId: {}, shape: [2, 3], dtype: "float32" };
 * ```
 */
export interface TensorInfo {
  /** The key of the tensor's data in its backend. */
  dataId: object;
  /** The tensor's shape. */
  shape: number[];
  /** The tensor's type: `"float32"`, `"int32"`... */
  dtype: string;
}

/**
 * The argument of a kernel function: the inputs by name, the backend that
 * runs the kernel, and the op's attributes.
 *
 * @example
 * ```ts
 * import type { KernelParams } from "@activations/activations/tfjs";
 *
 * const params: KernelParams = {
 *   inputs: { x: { dataId: {}, shape: [4], dtype: "float32" } },
 *   backend: undefined,
 *   attrs: { alpha: 0.2 },
 * };
 * ```
 */
export interface KernelParams {
  /** The input tensors, by the names the op gives them (`x`, `logits`...). */
  inputs: Record<string, TensorInfo | undefined>;
  /** The backend running the kernel (tfjs types it as `{}`). */
  backend: unknown;
  /** The op's attributes (`alpha`, `dim`...). */
  attrs?: Record<string, unknown>;
}

/**
 * A kernel as tfjs's registry holds it: `tf.getKernel` returns one,
 * `tf.registerKernel` takes one.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import type { KernelConfig } from "@activations/activations/tfjs";
 *
 * const config: KernelConfig | undefined = tf.getKernel("Relu", "cpu");
 * ```
 */
export interface KernelConfig {
  /** The kernel's name, as in tfjs's `kernel_names` (`"Relu"`...). */
  kernelName: string;
  /** The backend the kernel is registered for (`"cpu"`...). */
  backendName: string;
  /** Computes the kernel's outputs. */
  kernelFunc(params: KernelParams): TensorInfo | TensorInfo[];
  /** Called once after the backend initializes. */
  setupFunc?(backend: unknown): void;
  /** Called once before the backend is disposed. */
  disposeFunc?(backend: unknown): void;
}

/**
 * The part of the tfjs namespace these functions use: its kernel registry.
 * `import * as tf from "@tensorflow/tfjs"` gives one, and so does
 * `@tensorflow/tfjs-core`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import type { TfjsKernelRegistry } from "@activations/activations/tfjs";
 *
 * const registry: TfjsKernelRegistry = tf;
 * ```
 */
export interface TfjsKernelRegistry {
  /** The kernel registered under a name for a backend, if any. */
  getKernel(kernelName: string, backendName: string): KernelConfig | undefined;
  /** Registers a kernel (tfjs warns when one is already registered). */
  registerKernel(config: KernelConfig): void;
  /** Removes a registered kernel (tfjs throws when there is none). */
  unregisterKernel(kernelName: string, backendName: string): void;
}

/** The backend whose kernels are replaced. */
const BACKEND = "cpu";

/** What a native kernel needs of tfjs's cpu backend, as its own kernels
 * use it. */
interface CpuBackend {
  data: { get(dataId: object): { values?: unknown } | undefined };
  makeTensorInfo(
    shape: number[],
    dtype: string,
    values: Float32Array,
  ): TensorInfo;
}

/**
 * A kernel computed natively: its result, or undefined when the inputs are
 * not ones it takes, so that the replaced kernel runs instead.
 */
type NativeKernel = (
  backend: CpuBackend,
  params: KernelParams,
) => TensorInfo | undefined;

/** The backend as the cpu backend, or undefined when it is some other. */
function asCpuBackend(backend: unknown): CpuBackend | undefined {
  const candidate = backend as Partial<CpuBackend> | null | undefined;
  if (
    typeof candidate?.makeTensorInfo !== "function" ||
    typeof candidate.data?.get !== "function"
  ) {
    return undefined;
  }
  return candidate as CpuBackend;
}

function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const dimension of shape) size *= dimension;
  return size;
}

/**
 * The values of a float32 tensor held by the cpu backend, or undefined for
 * any other tensor: another type, or data held in another form (complex
 * tensors keep theirs in two parts).
 */
function float32Values(
  backend: CpuBackend,
  tensor: TensorInfo | undefined,
): Float32Array | undefined {
  if (tensor === undefined || tensor.dtype !== "float32") return undefined;
  const values = backend.data.get(tensor.dataId)?.values;
  if (!isFloat32(values)) return undefined;
  return values.length === sizeOf(tensor.shape) ? values : undefined;
}

/** A kernel that applies `f` to each element of its input `x`. */
function elementwise(f: (x: Float32Array) => Float32Array): NativeKernel {
  return (backend, { inputs }) => {
    const x = inputs.x;
    const values = float32Values(backend, x);
    if (x === undefined || values === undefined) return undefined;
    return backend.makeTensorInfo(x.shape, "float32", f(values));
  };
}

const leakyReluKernel: NativeKernel = (backend, { inputs, attrs }) => {
  const x = inputs.x;
  const alpha = attrs?.alpha;
  const values = float32Values(backend, x);
  // A slope the module refuses (not finite) goes to tfjs, which takes it.
  if (
    x === undefined || values === undefined ||
    typeof alpha !== "number" || !Number.isFinite(alpha)
  ) {
    return undefined;
  }
  return backend.makeTensorInfo(
    x.shape,
    "float32",
    leakyRelu(values, { alpha }),
  );
};

/**
 * Whether broadcasting `alpha` over `x` gives element `i` the slope
 * `alpha[i % alpha.length]`, as the native PReLU applies them: when `alpha`,
 * less its leading 1s, is the trailing part of the shape of `x`. Any other
 * broadcast (a slope per row, or a result larger than `x`) goes to tfjs.
 */
function slopesRunAlongLastAxes(
  xShape: readonly number[],
  alphaShape: readonly number[],
): boolean {
  if (alphaShape.length > xShape.length) return false;
  let start = 0;
  while (start < alphaShape.length && alphaShape[start] === 1) start++;
  const offset = xShape.length - alphaShape.length;
  for (let i = start; i < alphaShape.length; i++) {
    if (alphaShape[i] !== xShape[offset + i]) return false;
  }
  return true;
}

const preluKernel: NativeKernel = (backend, { inputs }) => {
  const { x, alpha } = inputs;
  const values = float32Values(backend, x);
  const slopes = float32Values(backend, alpha);
  if (
    x === undefined || alpha === undefined || values === undefined ||
    slopes === undefined || slopes.length === 0 ||
    !slopesRunAlongLastAxes(x.shape, alpha.shape)
  ) {
    return undefined;
  }
  return backend.makeTensorInfo(x.shape, "float32", prelu(values, slopes));
};

const softmaxKernel: NativeKernel = (backend, { inputs, attrs }) => {
  const logits = inputs.logits;
  const values = float32Values(backend, logits);
  if (logits === undefined || values === undefined) return undefined;

  // tf.softmax passes the axis as `dim`, already resolved from -1; tfjs
  // computes only along the last axis and throws for any other, so any
  // other goes back to it for that error.
  const rank = logits.shape.length;
  const dim = attrs?.dim;
  if (rank === 0 || (dim !== -1 && dim !== rank - 1)) return undefined;
  const axisLength = logits.shape[rank - 1]!;
  if (values.length === 0) return undefined;

  return backend.makeTensorInfo(
    logits.shape,
    "float32",
    softmax(values, { axisLength }),
  );
};

/** The kernels this module replaces, by tfjs kernel name. */
const NATIVE_KERNELS: ReadonlyMap<string, NativeKernel> = new Map([
  ["Relu", elementwise((x) => relu(x))],
  ["Relu6", elementwise((x) => relu6(x))],
  ["LeakyRelu", leakyReluKernel],
  ["Prelu", preluKernel],
  ["Elu", elementwise((x) => elu(x))],
  ["Selu", elementwise((x) => selu(x))],
  ["Sigmoid", elementwise((x) => sigmoid(x))],
  ["Tanh", elementwise((x) => tanh(x))],
  ["Softplus", elementwise((x) => softplus(x))],
  ["Softmax", softmaxKernel],
]);

/**
 * The names of the tfjs kernels `registerNativeKernels` replaces when the
 * `cpu` backend has them.
 *
 * @example
 * ```ts
 * import { NATIVE_KERNEL_NAMES } from "@activations/activations/tfjs";
 *
 * NATIVE_KERNEL_NAMES.includes("Sigmoid"); // true
 * ```
 */
export const NATIVE_KERNEL_NAMES: readonly string[] = Object.freeze([
  ...NATIVE_KERNELS.keys(),
]);

/**
 * Each native kernel config this module registered, with the config it
 * replaced. Keyed by the config object, which the registry hands back as it
 * was given, so the registry itself tells what is registered, whichever
 * `tf` namespace was used.
 */
const replacedBy = new WeakMap<KernelConfig, KernelConfig>();

function checkRegistry(tf: unknown): asserts tf is TfjsKernelRegistry {
  const isObject = (typeof tf === "object" && tf !== null) ||
    typeof tf === "function";
  for (
    const name of ["getKernel", "registerKernel", "unregisterKernel"] as const
  ) {
    const member = isObject ? (tf as Record<string, unknown>)[name] : undefined;
    if (typeof member !== "function") {
      throw new TypeError(
        "`tf` must be the TensorFlow.js namespace, with a function " +
          `\`${name}\`; got ` +
          (isObject
            ? `an object whose \`${name}\` is ${typeof member}`
            : tf === null
            ? "null"
            : typeof tf),
      );
    }
  }
}

/**
 * Replaces the activation kernels of tfjs's `cpu` backend with native ones:
 * each of {@link NATIVE_KERNEL_NAMES} the backend has. Until
 * {@link unregisterNativeKernels}, every op that reaches these kernels on
 * the `cpu` backend runs natively for float32 tensors; other tensors still
 * go to tfjs's kernels.
 *
 * Registering again changes nothing: a kernel already replaced is skipped.
 * A kernel registered by someone else in between is replaced, and restored
 * on unregistering.
 *
 * @param tf The TensorFlow.js namespace (`import * as tf from
 * "@tensorflow/tfjs"`), or any object with its kernel registry functions.
 * @returns The names of the kernels replaced by this call.
 * @throws {TypeError} when `tf` lacks `getKernel`, `registerKernel` or
 * `unregisterKernel`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { registerNativeKernels, unregisterNativeKernels } from "@activations/activations/tfjs";
 *
 * await tf.setBackend("cpu");
 * const replaced = registerNativeKernels(tf); // ["Relu", "Relu6", ...]
 * const y = tf.softmax(tf.tensor2d([1, 2, 3, 4], [2, 2]));
 * unregisterNativeKernels(tf);
 * ```
 */
export function registerNativeKernels(tf: TfjsKernelRegistry): string[] {
  checkRegistry(tf);
  const replaced: string[] = [];
  for (const [name, run] of NATIVE_KERNELS) {
    const original = tf.getKernel(name, BACKEND);
    if (original === undefined || replacedBy.has(original)) continue;

    const native: KernelConfig = {
      // The original's setup and dispose functions, if any, still run with
      // the backend's life.
      ...original,
      kernelFunc: (params) => {
        const backend = asCpuBackend(params.backend);
        return (backend && run(backend, params)) ??
          original.kernelFunc(params);
      },
    };
    // Unregistering first keeps tfjs from warning about a kernel already
    // registered.
    tf.unregisterKernel(name, BACKEND);
    tf.registerKernel(native);
    replacedBy.set(native, original);
    replaced.push(name);
  }
  return replaced;
}

/**
 * Puts back the kernels {@link registerNativeKernels} replaced: the very
 * config objects tfjs had registered, so `tf.getKernel` returns them again.
 * A kernel that is not one of this module's (never replaced, or replaced by
 * someone else since) is left as it is.
 *
 * @param tf The TensorFlow.js namespace given to `registerNativeKernels`,
 * or another namespace over the same registry.
 * @returns The names of the kernels restored by this call.
 * @throws {TypeError} when `tf` lacks `getKernel`, `registerKernel` or
 * `unregisterKernel`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { registerNativeKernels, unregisterNativeKernels } from "@activations/activations/tfjs";
 *
 * const before = tf.getKernel("Relu", "cpu");
 * registerNativeKernels(tf);
 * unregisterNativeKernels(tf);
 * tf.getKernel("Relu", "cpu") === before; // true
 * ```
 */
export function unregisterNativeKernels(tf: TfjsKernelRegistry): string[] {
  checkRegistry(tf);
  const restored: string[] = [];
  for (const name of NATIVE_KERNELS.keys()) {
    const current = tf.getKernel(name, BACKEND);
    const original = current && replacedBy.get(current);
    if (original === undefined) continue;

    tf.unregisterKernel(name, BACKEND);
    tf.registerKernel(original);
    restored.push(name);
  }
  return restored;
}
