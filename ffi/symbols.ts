/**
 * The foreign-function table of the native library: one entry per symbol of
 * `native/activations.h`, keyed by its C name. Typed arrays travel as
 * `"buffer"`, element counts as `"usize"`, parameters as `"f64"`, and every
 * kernel returns an `"i32"` status. The symbols of one function share a
 * shape, given once below with its C parameters; `T` is `float` in the
 * `_f32` symbols and `double` in the `_f64` ones.
 *
 * @module
 */

/** The ABI version this binding was written against (`ACT_ABI_VERSION`). */
export const ABI_VERSION = 3;

// (const T* x, T* y, size_t n)
const UNARY = {
  parameters: [
    "buffer", // const T* x
    "buffer", // T* y
    "usize", // size_t n
  ],
  result: "i32",
} as const;

// (const T* x, T* y, size_t n, double p)
const UNARY_WITH_1 = {
  parameters: [
    "buffer", // const T* x
    "buffer", // T* y
    "usize", // size_t n
    "f64", // double alpha or beta
  ],
  result: "i32",
} as const;

// (const T* x, T* y, size_t n, double alpha, double beta)
const UNARY_WITH_2 = {
  parameters: [
    "buffer", // const T* x
    "buffer", // T* y
    "usize", // size_t n
    "f64", // double alpha
    "f64", // double beta
  ],
  result: "i32",
} as const;

// (const T* dy, const T* x, T* dx, size_t n)
const GRADIENT = {
  parameters: [
    "buffer", // const T* dy
    "buffer", // const T* x
    "buffer", // T* dx
    "usize", // size_t n
  ],
  result: "i32",
} as const;

// (const T* dy, const T* x, T* dx, size_t n, double p)
const GRADIENT_WITH_1 = {
  parameters: [
    "buffer", // const T* dy
    "buffer", // const T* x
    "buffer", // T* dx
    "usize", // size_t n
    "f64", // double alpha or beta
  ],
  result: "i32",
} as const;

// (const T* dy, const T* x, T* dx, size_t n, double alpha, double beta)
const GRADIENT_WITH_2 = {
  parameters: [
    "buffer", // const T* dy
    "buffer", // const T* x
    "buffer", // T* dx
    "usize", // size_t n
    "f64", // double alpha
    "f64", // double beta
  ],
  result: "i32",
} as const;

// (const T* x, T* y, size_t n, const T* alpha, size_t alpha_n)
const PRELU = {
  parameters: [
    "buffer", // const T* x
    "buffer", // T* y
    "usize", // size_t n
    "buffer", // const T* alpha
    "usize", // size_t alpha_n
  ],
  result: "i32",
} as const;

// (const T* dy, const T* x, T* dx, size_t n, const T* alpha, size_t alpha_n, T* dalpha)
const PRELU_GRADIENT = {
  parameters: [
    "buffer", // const T* dy
    "buffer", // const T* x
    "buffer", // T* dx
    "usize", // size_t n
    "buffer", // const T* alpha
    "usize", // size_t alpha_n
    "buffer", // T* dalpha
  ],
  result: "i32",
} as const;

// (const T* x, T* y, size_t n, size_t axis_length)
const ROWS = {
  parameters: [
    "buffer", // const T* x
    "buffer", // T* y
    "usize", // size_t n
    "usize", // size_t axis_length
  ],
  result: "i32",
} as const;

// (const T* dy, const T* y, T* dx, size_t n, size_t axis_length)
const ROWS_GRADIENT = {
  parameters: [
    "buffer", // const T* dy
    "buffer", // const T* y
    "buffer", // T* dx
    "usize", // size_t n
    "usize", // size_t axis_length
  ],
  result: "i32",
} as const;

// (const T* x, T* y, size_t n, int32_t streaming)
const COPY = {
  parameters: [
    "buffer", // const T* x
    "buffer", // T* y
    "usize", // size_t n
    "i32", // int32_t streaming
  ],
  result: "i32",
} as const;

/** Every symbol of the native library, as `Deno.dlopen` takes them. */
export const symbols = {
  act_abi_version: { parameters: [], result: "u32" },

  act_isa_name: { parameters: [], result: "pointer" }, // const char*
  act_isa_level: { parameters: [], result: "u32" },
  act_isa_level_max: { parameters: [], result: "u32" },
  act_set_isa_level: {
    parameters: [
      "u32", // uint32_t level
    ],
    result: "i32",
  },

  act_set_threads: {
    parameters: [
      "u32", // uint32_t count
    ],
    result: "i32",
  },
  act_get_threads: { parameters: [], result: "u32" },

  act_copy_f32: COPY,
  act_copy_f64: COPY,

  act_relu_f32: UNARY,
  act_relu_f64: UNARY,
  act_relu_grad_f32: GRADIENT,
  act_relu_grad_f64: GRADIENT,

  act_relu6_f32: UNARY,
  act_relu6_f64: UNARY,
  act_relu6_grad_f32: GRADIENT,
  act_relu6_grad_f64: GRADIENT,

  act_leaky_relu_f32: UNARY_WITH_1,
  act_leaky_relu_f64: UNARY_WITH_1,
  act_leaky_relu_grad_f32: GRADIENT_WITH_1,
  act_leaky_relu_grad_f64: GRADIENT_WITH_1,

  act_prelu_f32: PRELU,
  act_prelu_f64: PRELU,
  act_prelu_grad_f32: PRELU_GRADIENT,
  act_prelu_grad_f64: PRELU_GRADIENT,

  act_elu_f32: UNARY_WITH_1,
  act_elu_f64: UNARY_WITH_1,
  act_elu_grad_f32: GRADIENT_WITH_1,
  act_elu_grad_f64: GRADIENT_WITH_1,

  act_selu_f32: UNARY,
  act_selu_f64: UNARY,
  act_selu_grad_f32: GRADIENT,
  act_selu_grad_f64: GRADIENT,

  act_celu_f32: UNARY_WITH_1,
  act_celu_f64: UNARY_WITH_1,
  act_celu_grad_f32: GRADIENT_WITH_1,
  act_celu_grad_f64: GRADIENT_WITH_1,

  act_gelu_f32: UNARY,
  act_gelu_f64: UNARY,
  act_gelu_grad_f32: GRADIENT,
  act_gelu_grad_f64: GRADIENT,

  act_gelu_tanh_f32: UNARY,
  act_gelu_tanh_f64: UNARY,
  act_gelu_tanh_grad_f32: GRADIENT,
  act_gelu_tanh_grad_f64: GRADIENT,

  act_silu_f32: UNARY_WITH_1,
  act_silu_f64: UNARY_WITH_1,
  act_silu_grad_f32: GRADIENT_WITH_1,
  act_silu_grad_f64: GRADIENT_WITH_1,

  act_mish_f32: UNARY,
  act_mish_f64: UNARY,
  act_mish_grad_f32: GRADIENT,
  act_mish_grad_f64: GRADIENT,

  act_sigmoid_f32: UNARY,
  act_sigmoid_f64: UNARY,
  act_sigmoid_grad_f32: GRADIENT,
  act_sigmoid_grad_f64: GRADIENT,

  act_hard_sigmoid_f32: UNARY_WITH_2,
  act_hard_sigmoid_f64: UNARY_WITH_2,
  act_hard_sigmoid_grad_f32: GRADIENT_WITH_2,
  act_hard_sigmoid_grad_f64: GRADIENT_WITH_2,

  act_hard_swish_f32: UNARY,
  act_hard_swish_f64: UNARY,
  act_hard_swish_grad_f32: GRADIENT,
  act_hard_swish_grad_f64: GRADIENT,

  act_tanh_f32: UNARY,
  act_tanh_f64: UNARY,
  act_tanh_grad_f32: GRADIENT,
  act_tanh_grad_f64: GRADIENT,

  act_softplus_f32: UNARY_WITH_1,
  act_softplus_f64: UNARY_WITH_1,
  act_softplus_grad_f32: GRADIENT_WITH_1,
  act_softplus_grad_f64: GRADIENT_WITH_1,

  act_softsign_f32: UNARY,
  act_softsign_f64: UNARY,
  act_softsign_grad_f32: GRADIENT,
  act_softsign_grad_f64: GRADIENT,

  act_softmax_f32: ROWS,
  act_softmax_f64: ROWS,
  act_softmax_grad_f32: ROWS_GRADIENT,
  act_softmax_grad_f64: ROWS_GRADIENT,

  act_log_softmax_f32: ROWS,
  act_log_softmax_f64: ROWS,
  act_log_softmax_grad_f32: ROWS_GRADIENT,
  act_log_softmax_grad_f64: ROWS_GRADIENT,
} as const satisfies Deno.ForeignLibraryInterface;

/** The kernels, the symbols that take arrays: every `_f32` and `_f64` symbol
 * but the copy the benchmarks use. */
export type KernelName = Exclude<
  Extract<keyof typeof symbols, `act_${string}_f32` | `act_${string}_f64`>,
  `act_copy_${string}`
>;

/** The key of a kernel's nonblocking twin. */
export type NonblockingName<K extends string> = `${K}_nonblocking`;

/** The nonblocking twin of each kernel: the same C symbol (its `name`) and
 * shape, called on a thread of Deno's blocking pool and giving a promise of
 * its status. */
export type NonblockingSymbols = {
  readonly [K in KernelName as NonblockingName<K>]: (typeof symbols)[K] & {
    readonly name: K;
    readonly nonblocking: true;
  };
};

/** Derives the twins from the table above, so that a kernel's shape is
 * written once. */
function nonblockingTwins(): NonblockingSymbols {
  const twins: Record<string, Deno.ForeignFunction> = {};
  for (const [name, definition] of Object.entries(symbols)) {
    if (!/^act_.+_f(32|64)$/.test(name) || name.startsWith("act_copy_")) {
      continue;
    }
    twins[`${name}_nonblocking`] = { ...definition, name, nonblocking: true };
  }
  return twins as unknown as NonblockingSymbols;
}

/** The whole table `Deno.dlopen` is given: every symbol, and the
 * nonblocking twin of every kernel. */
export const librarySymbols: typeof symbols & NonblockingSymbols = {
  ...symbols,
  ...nonblockingTwins(),
} satisfies Deno.ForeignLibraryInterface;

/** The opened library's callable symbols. */
export type NativeSymbols = Deno.DynamicLibrary<
  typeof librarySymbols
>["symbols"];
