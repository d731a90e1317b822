/**
 * A description of every public function: the arrays it takes, the options
 * it reads (in the order the synchronous form reads them, so that the first
 * bad argument is the same one), and the native symbols it calls. The
 * asynchronous forms are built from it, and the tests walk it to reach every
 * function.
 *
 * @module
 */

import { isFloat32 } from "../ffi/arrays.ts";
import {
  axisLengthOption,
  checkDisjoint,
  checkSlopes,
  type FloatArray,
  forwardOutput,
  gradientOutput,
  nonZeroOption,
  numberOption,
  type OutputOptions,
  slopesGradientOutput,
  usesTanhForm,
} from "./common.ts";

/**
 * The arrays a function takes, which fixes the order of its checks and of
 * the kernel's parameters:
 *
 * - `"forward"`: `(x, options)`, the kernel `(x, y, n, ...)`
 * - `"gradient"`: `(dy, input, options)`, the kernel `(dy, input, dx, n, ...)`
 * - `"prelu"`: `(x, alpha, options)`, the kernel `(x, y, n, alpha, alpha_n)`
 * - `"preluGradient"`: `(dy, x, alpha, options)`, the kernel
 *   `(dy, x, dx, n, alpha, alpha_n, dalpha)`
 */
export type Shape = "forward" | "gradient" | "prelu" | "preluGradient";

/** One option a function reads, and how it reaches the kernel. */
export type OptionReader =
  /** A finite number, passed as an `f64`. */
  | { kind: "number"; name: "alpha" | "beta"; fallback: number }
  /** A finite number other than 0, passed as an `f64`. */
  | { kind: "nonZero"; name: "alpha" | "beta"; fallback: number }
  /** The row length, passed as a `usize` after the element count. */
  | { kind: "axisLength" }
  /** GELU's form: `"tanh"` selects the description's `tanhSymbol`. */
  | { kind: "approximate" };

/** What one public function is, in the terms the wrappers need. */
export interface FunctionDescription {
  /** The public name, say `"leakyReluGrad"`. */
  readonly name: string;
  /** The arrays it takes. */
  readonly shape: Shape;
  /** The gradient's second array, the forward's input or output: `"x"` or
   * `"y"`. Only gradients have it. */
  readonly inputName?: "x" | "y";
  /** The C name without its element type, say `"act_leaky_relu_grad"`. */
  readonly symbol: string;
  /** GELU only: the symbol of the tanh form. */
  readonly tanhSymbol?: string;
  /** The options it reads, in order. */
  readonly options: readonly OptionReader[];
}

/** A call checked and ready: the native symbol to call, its arguments, and
 * what the call returns once the kernel has run. */
export interface PreparedCall {
  /** The C name without its element type, for error messages. */
  readonly symbol: string;
  /** The full C name, element type included. */
  readonly kernel: string;
  /** The kernel's arguments. */
  readonly args: readonly (FloatArray | number | bigint)[];
  /** Every array the kernel reads or writes, with the argument's name. */
  readonly arrays: readonly (readonly [string, FloatArray])[];
  /** The function's result: the output array, or PReLU's pair. */
  readonly result: FloatArray | { dx: FloatArray; dalpha: FloatArray };
}

const alpha = (fallback: number): OptionReader => ({
  kind: "number",
  name: "alpha",
  fallback,
});
const nonZeroAlpha = (fallback: number): OptionReader => ({
  kind: "nonZero",
  name: "alpha",
  fallback,
});
const beta = (fallback: number): OptionReader => ({
  kind: "number",
  name: "beta",
  fallback,
});
const nonZeroBeta = (fallback: number): OptionReader => ({
  kind: "nonZero",
  name: "beta",
  fallback,
});
const AXIS_LENGTH: OptionReader = { kind: "axisLength" };
const APPROXIMATE: OptionReader = { kind: "approximate" };

/** The forward function `name` and its gradient `nameGrad`, which read the
 * same options and call `symbol` and `symbol_grad`. */
function pair(
  name: string,
  symbol: string,
  options: readonly OptionReader[] = [],
  inputName: "x" | "y" = "x",
): [FunctionDescription, FunctionDescription] {
  const tanhSymbol = options.includes(APPROXIMATE)
    ? `${symbol}_tanh`
    : undefined;
  return [
    { name, shape: "forward", symbol, tanhSymbol, options },
    {
      name: `${name}Grad`,
      shape: "gradient",
      inputName,
      symbol: `${symbol}_grad`,
      tanhSymbol: tanhSymbol && `${tanhSymbol}_grad`,
      options,
    },
  ];
}

/** Every public function but the aliases `swish` and `swishGrad`. */
export const DESCRIPTIONS: readonly FunctionDescription[] = [
  ...pair("relu", "act_relu"),
  ...pair("relu6", "act_relu6"),
  ...pair("leakyRelu", "act_leaky_relu", [alpha(0.2)]),
  { name: "prelu", shape: "prelu", symbol: "act_prelu", options: [] },
  {
    name: "preluGrad",
    shape: "preluGradient",
    inputName: "x",
    symbol: "act_prelu_grad",
    options: [],
  },
  ...pair("elu", "act_elu", [alpha(1)]),
  ...pair("selu", "act_selu"),
  ...pair("celu", "act_celu", [nonZeroAlpha(1)]),
  ...pair("gelu", "act_gelu", [APPROXIMATE]),
  ...pair("silu", "act_silu", [beta(1)]),
  ...pair("mish", "act_mish"),
  ...pair("sigmoid", "act_sigmoid"),
  ...pair("hardSigmoid", "act_hard_sigmoid", [alpha(0.2), beta(0.5)]),
  ...pair("hardSwish", "act_hard_swish"),
  ...pair("tanh", "act_tanh"),
  ...pair("softplus", "act_softplus", [nonZeroBeta(1)]),
  ...pair("softsign", "act_softsign"),
  ...pair("softmax", "act_softmax", [AXIS_LENGTH], "y"),
  ...pair("logSoftmax", "act_log_softmax", [AXIS_LENGTH], "y"),
];

const BY_NAME = new Map(DESCRIPTIONS.map((entry) => [entry.name, entry]));

/** The description of the public function `name`. */
export function describeFunction(name: string): FunctionDescription {
  const description = BY_NAME.get(name);
  if (description === undefined) {
    throw new Error(`No public function is named ${name}`);
  }
  return description;
}

/** Reads the options after the arrays are checked, as the synchronous form
 * does, and returns the kernel's trailing arguments and the symbol chosen. */
function readOptions(
  description: FunctionDescription,
  options: object | undefined,
  length: number,
): { symbol: string; trailing: (number | bigint)[] } {
  let symbol = description.symbol;
  const trailing: (number | bigint)[] = [];
  for (const reader of description.options) {
    switch (reader.kind) {
      case "number":
        trailing.push(numberOption(options, reader.name, reader.fallback));
        break;
      case "nonZero":
        trailing.push(nonZeroOption(options, reader.name, reader.fallback));
        break;
      case "axisLength":
        trailing.push(BigInt(axisLengthOption(options, length)));
        break;
      case "approximate":
        if (usesTanhForm(options)) symbol = description.tanhSymbol!;
        break;
    }
  }
  return { symbol, trailing };
}

/** The element-type suffix of the kernel for `array`. */
function suffix(array: FloatArray): "_f32" | "_f64" {
  return isFloat32(array) ? "_f32" : "_f64";
}

/**
 * Checks a call's arguments exactly as the synchronous form does, in the
 * same order and with the same errors, and returns the native call to make.
 *
 * @param description The function called.
 * @param arrays Its array arguments, in order, as the caller gave them.
 * @param options Its options argument.
 * @throws {TypeError} {RangeError} as the synchronous form throws.
 */
export function prepareCall(
  description: FunctionDescription,
  arrays: readonly unknown[],
  options: unknown,
): PreparedCall {
  const outputOptions = options as OutputOptions<FloatArray> | undefined;
  switch (description.shape) {
    case "forward": {
      const x = arrays[0] as FloatArray;
      const y = forwardOutput(x, outputOptions);
      const { symbol, trailing } = readOptions(
        description,
        outputOptions,
        x.length,
      );
      return {
        symbol,
        kernel: symbol + suffix(x),
        args: [x, y, BigInt(x.length), ...trailing],
        arrays: [["x", x], ["out", y]],
        result: y,
      };
    }

    case "gradient": {
      const dy = arrays[0] as FloatArray;
      const input = arrays[1] as FloatArray;
      const dx = gradientOutput(
        dy,
        input,
        description.inputName!,
        outputOptions,
      );
      const { symbol, trailing } = readOptions(
        description,
        outputOptions,
        dy.length,
      );
      return {
        symbol,
        kernel: symbol + suffix(dy),
        args: [dy, input, dx, BigInt(dy.length), ...trailing],
        arrays: [["dy", dy], [description.inputName!, input], ["out", dx]],
        result: dx,
      };
    }

    case "prelu": {
      const x = arrays[0] as FloatArray;
      const alpha = arrays[1];
      const y = forwardOutput(x, outputOptions);
      checkSlopes(alpha, x);
      checkDisjoint(y, "out", alpha, "alpha");
      return {
        symbol: description.symbol,
        kernel: description.symbol + suffix(x),
        args: [x, y, BigInt(x.length), alpha, BigInt(alpha.length)],
        arrays: [["x", x], ["alpha", alpha], ["out", y]],
        result: y,
      };
    }

    case "preluGradient": {
      const dy = arrays[0] as FloatArray;
      const x = arrays[1] as FloatArray;
      const alpha = arrays[2];
      const dx = gradientOutput(dy, x, "x", outputOptions);
      checkSlopes(alpha, x);
      checkDisjoint(dx, "out", alpha, "alpha");
      const dalpha = slopesGradientOutput(
        dy,
        x,
        alpha,
        dx,
        options as { dalphaOut?: FloatArray } | undefined,
      );
      return {
        symbol: description.symbol,
        kernel: description.symbol + suffix(dy),
        args: [
          dy,
          x,
          dx,
          BigInt(dy.length),
          alpha,
          BigInt(alpha.length),
          dalpha,
        ],
        arrays: [
          ["dy", dy],
          ["x", x],
          ["alpha", alpha],
          ["out", dx],
          ["dalphaOut", dalpha],
        ],
        result: { dx, dalpha },
      };
    }
  }
}
