/**
 * The foreign-function table of the native library: one entry per symbol of
 * `native/activations.h`, keyed by its C name. Typed arrays travel as
 * `"buffer"`, element counts as `"usize"`, and every kernel returns an `"i32"`
 * status.
 *
 * @module
 */

/** The ABI version this binding was written against (`ACT_ABI_VERSION`). */
export const ABI_VERSION = 1;

/** Every symbol of the native library, as `Deno.dlopen` takes them. */
export const symbols = {
  act_abi_version: { parameters: [], result: "u32" },

  act_relu_f32: {
    parameters: [
      "buffer", // const float* x
      "buffer", // float* y
      "usize", // size_t n
    ],
    result: "i32",
  },

  act_relu_f64: {
    parameters: [
      "buffer", // const double* x
      "buffer", // double* y
      "usize", // size_t n
    ],
    result: "i32",
  },
} as const satisfies Deno.ForeignLibraryInterface;

/** The opened library's callable symbols. */
export type NativeSymbols = Deno.DynamicLibrary<typeof symbols>["symbols"];
