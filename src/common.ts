/**
 * What every public function shares: the option types, the checks of
 * arguments and parameters, and the status check after a native call.
 *
 * @module
 */

import {
  checkFloatArray,
  checkMatchingArray,
  checkNoPartialOverlap,
  describe,
  type FloatArray,
  outputFor,
} from "../ffi/arrays.ts";

export type { FloatArray };

/** Options of every function: where to write the result. */
export interface OutputOptions<T extends FloatArray> {
  /**
   * The array to write the result into: the type and length of the input,
   * and either an input itself (in place) or sharing no memory with one.
   * Without it, a new array is returned.
   */
  out?: T;
}

/** Options of a function with a slope or scale `alpha`. */
export interface AlphaOptions<T extends FloatArray> extends OutputOptions<T> {
  /** The function's `alpha`; each function documents its default. */
  alpha?: number;
}

/** Options of a function with a sharpness `beta`. */
export interface BetaOptions<T extends FloatArray> extends OutputOptions<T> {
  /** The function's `beta`; each function documents its default. */
  beta?: number;
}

/** Options of `hardSigmoid` and its gradient. */
export interface HardSigmoidOptions<T extends FloatArray>
  extends OutputOptions<T> {
  /** The slope, 0.2 by default (1/6 gives PyTorch's and Keras 3's form). */
  alpha?: number;
  /** The offset, 0.5 by default. */
  beta?: number;
}

/** Options of `gelu` and its gradient. */
export interface GeluOptions<T extends FloatArray> extends OutputOptions<T> {
  /** `"none"` (the default) for the erf form, `"tanh"` for the tanh form. */
  approximate?: "none" | "tanh";
}

/** Options of the functions along rows: softmax, logSoftmax, their
 * gradients. */
export interface AxisOptions<T extends FloatArray> extends OutputOptions<T> {
  /**
   * The length of each row; it must divide the array's length. By default
   * the whole array is one row.
   */
  axisLength?: number;
}

/** A failure reported by a native kernel, with its status code. */
export class NativeError extends Error {
  /** The `act_status` code the kernel returned. */
  readonly code: number;

  /**
   * @param symbol The native function that failed.
   * @param code The status it returned.
   */
  constructor(symbol: string, code: number) {
    super(`Native kernel ${symbol} failed with status ${code}`);
    this.name = "NativeError";
    this.code = code;
  }
}

/** Throws a NativeError for any status but OK. */
export function checkStatus(symbol: string, status: number): void {
  if (status !== 0) throw new NativeError(symbol, status);
}

/** Checks that `options` is undefined or an object. */
function checkOptions(options: unknown): void {
  if (options !== undefined && (typeof options !== "object" || !options)) {
    throwNotOptions(options);
  }
}

// Apart, so that the check above stays small enough to inline.
function throwNotOptions(options: unknown): never {
  throw new TypeError(
    `\`options\` must be an object, got ${describe(options)}`,
  );
}

/**
 * Reads a finite number option, or its default when absent.
 *
 * @throws {TypeError} when the option is not a number.
 * @throws {RangeError} when it is NaN or infinite.
 */
export function numberOption(
  options: object | undefined,
  name: string,
  fallback: number,
): number {
  const value = (options as Record<string, unknown> | undefined)?.[name];
  if (value === undefined) return fallback;
  if (typeof value !== "number") {
    throw new TypeError(
      `\`${name}\` must be a number, got ${describe(value)}`,
    );
  }
  if (!Number.isFinite(value)) {
    throw new RangeError(`\`${name}\` must be finite, got ${value}`);
  }
  return value;
}

/** Reads a finite, non-zero number option (a divisor). */
export function nonZeroOption(
  options: object | undefined,
  name: string,
  fallback: number,
): number {
  const value = numberOption(options, name, fallback);
  if (value === 0) throw new RangeError(`\`${name}\` must not be 0, got 0`);
  return value;
}

/** Reads `approximate` and tells whether it asks for the tanh form. */
export function usesTanhForm(options: object | undefined): boolean {
  const value = (options as Record<string, unknown> | undefined)
    ?.approximate;
  if (value === undefined || value === "none") return false;
  if (value === "tanh") return true;
  throw new RangeError(
    `\`approximate\` must be "none" or "tanh", got ${
      typeof value === "string" ? `"${value}"` : describe(value)
    }`,
  );
}

/**
 * Reads `axisLength`: a positive integer that divides `length`. Without it,
 * the whole array is one row.
 */
export function axisLengthOption(
  options: object | undefined,
  length: number,
): number {
  const value = (options as Record<string, unknown> | undefined)
    ?.axisLength;
  if (value === undefined) return length === 0 ? 1 : length;
  if (typeof value !== "number") {
    throw new TypeError(
      `\`axisLength\` must be a number, got ${describe(value)}`,
    );
  }
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(
      `\`axisLength\` must be a positive integer, got ${value}`,
    );
  }
  if (length % value !== 0) {
    throw new RangeError(
      `\`axisLength\` must divide the array's length (${length}), got ${value}`,
    );
  }
  return value;
}

/**
 * Checks the input and options of a forward function and returns the array
 * to write: `options.out` (checked) or a new one.
 */
export function forwardOutput<T extends FloatArray>(
  x: T,
  options: OutputOptions<T> | undefined,
): T {
  checkFloatArray(x, "x");
  checkOptions(options);
  return outputFor(x, "x", options?.out);
}

/**
 * Checks the arguments of a gradient, `dy` and the forward's `input` (named
 * `inputName`), and returns the array to write: `options.out` (checked; it
 * may be `dy` or the input itself) or a new one.
 */
export function gradientOutput<T extends FloatArray>(
  dy: T,
  input: T,
  inputName: string,
  options: OutputOptions<T> | undefined,
): T {
  checkFloatArray(dy, "dy");
  checkMatchingArray(input, inputName, dy, "dy");
  checkOptions(options);

  const out = options?.out;
  if (out === undefined) return outputFor(dy, "dy", undefined);
  checkMatchingArray(out, "out", dy, "dy");
  checkNoPartialOverlap(out, "out", dy, "dy");
  checkNoPartialOverlap(out, "out", input, inputName);
  return out;
}

/** Checks PReLU's slope array: a live array of the type of `x`, not
 * empty. */
export function checkSlopes<T extends FloatArray>(
  alpha: unknown,
  x: T,
): asserts alpha is T {
  checkFloatArray(alpha, "alpha");
  if (alpha.constructor !== x.constructor) {
    throw new TypeError(
      `\`alpha\` must be a ${x.constructor.name} like \`x\`, got ` +
        alpha.constructor.name,
    );
  }
  if (alpha.length === 0) {
    throw new RangeError("`alpha` must hold at least one slope, got 0");
  }
}

/** Checks that `a` and `b` share no memory at all. */
export function checkDisjoint(
  a: FloatArray,
  aName: string,
  b: FloatArray,
  bName: string,
): void {
  if (a.buffer !== b.buffer || a.byteLength === 0 || b.byteLength === 0) {
    return;
  }
  const aEnd = a.byteOffset + a.byteLength;
  const bEnd = b.byteOffset + b.byteLength;
  if (a.byteOffset < bEnd && b.byteOffset < aEnd) {
    throw new RangeError(
      `\`${aName}\` must not share memory with \`${bName}\`, got bytes ` +
        `${a.byteOffset}..${aEnd} against ${b.byteOffset}..${bEnd}`,
    );
  }
}
