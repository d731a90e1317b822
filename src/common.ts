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
  isFloat32,
  outputFor,
  typeName,
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
   * Makes the error for a native function's status.
   *
   * @param symbol The native function that failed.
   * @param code The status it returned.
   */
  constructor(symbol: string, code: number) {
    super(`Native kernel ${symbol} failed with status ${code}`);
    this.name = "NativeError";
    this.code = code;
  }
}

/** Throws a NativeError for any status but OK. Every call ends here, so it
 * also forgets the call's options. */
export function checkStatus(symbol: string, status: number): void {
  takenFrom = undefined;
  taken = NO_OPTIONS;
  if (status !== 0) throw new NativeError(symbol, status);
}

// The options of the call in progress, as first read. A getter or a Proxy in
// `options` runs the caller's code at each read, and that code could resize
// or detach an array after its check; so `takeOptions` reads every option
// once, before any array is checked, and the later reads (`readOption`) see
// these values. `checkStatus` empties the slot after the native call, so that
// it keeps none of the caller's arrays alive (after a refused call, the slot
// holds that call's options until the next call).
const NO_OPTIONS: Record<string, unknown> = Object.freeze({});
let takenFrom: object | undefined;
let taken: Record<string, unknown> = NO_OPTIONS;

/** Checks that `options` is undefined or an object, and reads each option
 * once. */
function takeOptions(options: unknown): void {
  if (options === undefined) return;
  // An array in the options' place is most likely a misplaced `out`.
  if (typeof options !== "object" || !options || ArrayBuffer.isView(options)) {
    throwNotOptions(options);
  }
  const given = options as Record<string, unknown>;
  const values = {
    out: given.out,
    dalphaOut: given.dalphaOut,
    alpha: given.alpha,
    beta: given.beta,
    approximate: given.approximate,
    axisLength: given.axisLength,
  };
  takenFrom = options;
  taken = values;
}

/** The option `name` as the call read it first (see `takeOptions`). */
export function readOption(
  options: object | undefined,
  name: string,
): unknown {
  if (options === undefined) return undefined;
  if (options === takenFrom) return taken[name];
  return (options as Record<string, unknown>)[name];
}

// Apart, so that the check above stays small enough to inline.
function throwNotOptions(options: unknown): never {
  if (ArrayBuffer.isView(options)) {
    throw new TypeError(
      `\`options\` must be an object such as { out }, got ${describe(options)}`,
    );
  }
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
  const value = readOption(options, name);
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
  const value = readOption(options, "approximate");
  if (value === undefined || value === "none") return false;
  if (value === "tanh") return true;
  // Another string is out of range; anything else is of the wrong type.
  const ErrorType = typeof value === "string" ? RangeError : TypeError;
  throw new ErrorType(
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
  const value = readOption(options, "axisLength");
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
  takeOptions(options);
  checkFloatArray(x, "x");
  return outputFor(x, "x", readOption(options, "out") as T | undefined);
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
  takeOptions(options);
  checkFloatArray(dy, "dy");
  checkMatchingArray(input, inputName, dy, "dy");

  const out = readOption(options, "out");
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
  if (Object.getPrototypeOf(alpha) !== Object.getPrototypeOf(x)) {
    throw new TypeError(
      `\`alpha\` must be a ${typeName(x)} like \`x\`, got ` +
        typeName(alpha),
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

/**
 * Returns the array PReLU's gradient writes the slopes' gradient into:
 * `options.dalphaOut`, checked against `alpha` and kept apart from every
 * other argument, or a new array.
 */
export function slopesGradientOutput<T extends FloatArray>(
  dy: T,
  x: T,
  alpha: T,
  dx: T,
  options: { dalphaOut?: T } | undefined,
): T {
  const dalpha = readOption(options, "dalphaOut") as T | undefined;
  if (dalpha === undefined) {
    return (isFloat32(alpha)
      ? new Float32Array(alpha.length)
      : new Float64Array(alpha.length)) as T;
  }
  checkMatchingArray(dalpha, "dalphaOut", alpha, "alpha");
  checkDisjoint(dalpha, "dalphaOut", alpha, "alpha");
  checkDisjoint(dalpha, "dalphaOut", dy, "dy");
  checkDisjoint(dalpha, "dalphaOut", x, "x");
  checkDisjoint(dalpha, "dalphaOut", dx, "out");
  return dalpha;
}
