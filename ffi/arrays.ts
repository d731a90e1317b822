/**
 * Checks on the arrays that cross into native code. Every public function
 * runs these before it calls a kernel, so that the kernel only ever sees
 * live memory of the type and length it expects.
 *
 * @module
 */

/** The array types the kernels accept. */
export type FloatArray = Float32Array | Float64Array;

/** Names a value for an error message: its array type, or what it is. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "an Array";
  if (ArrayBuffer.isView(value)) return value.constructor.name;
  if (typeof value === "object") {
    return `an object (${value.constructor?.name ?? "no prototype"})`;
  }
  return `a ${typeof value} (${String(value)})`;
}

function isDetached(array: ArrayBufferView): boolean {
  // A SharedArrayBuffer cannot be detached and has no `detached` property.
  return (array.buffer as ArrayBuffer).detached === true;
}

/**
 * Checks that `value` is a live Float32Array or Float64Array.
 *
 * The checks in this file keep their error paths in functions of their
 * own: the hot part stays small enough for V8 to inline it into every
 * caller, which is much of what a call on a few elements costs.
 *
 * @throws {TypeError} for any other value or a detached buffer.
 */
export function checkFloatArray(
  value: unknown,
  name: string,
): asserts value is FloatArray {
  if (!(value instanceof Float32Array) && !(value instanceof Float64Array)) {
    throwNotFloatArray(value, name);
  }
  // Detaching a buffer sets the length of its views to 0, so a view with
  // elements is live; reading `buffer` costs more than the rest of a small
  // call's checks together, so only an empty view pays for it.
  if (value.length === 0 && isDetached(value)) throwDetached(value, name);
}

function throwNotFloatArray(value: unknown, name: string): never {
  throw new TypeError(
    `\`${name}\` must be a Float32Array or Float64Array, got ` +
      describe(value),
  );
}

function throwDetached(value: FloatArray, name: string): never {
  throw new TypeError(
    `\`${name}\` must be backed by a live buffer, got a detached ` +
      value.constructor.name,
  );
}

/**
 * Checks that `value` is an array of the same type and length as `like`.
 *
 * @throws {TypeError} for another type or a detached buffer.
 * @throws {RangeError} for another length.
 */
export function checkMatchingArray<T extends FloatArray>(
  value: unknown,
  name: string,
  like: T,
  likeName: string,
): asserts value is T {
  checkFloatArray(value, name);
  if (
    value.constructor !== like.constructor || value.length !== like.length
  ) {
    throwMismatch(value, name, like, likeName);
  }
}

function throwMismatch(
  value: FloatArray,
  name: string,
  like: FloatArray,
  likeName: string,
): never {
  if (value.constructor !== like.constructor) {
    throw new TypeError(
      `\`${name}\` must be a ${like.constructor.name} like \`${likeName}\`, ` +
        `got ${value.constructor.name}`,
    );
  }
  throw new RangeError(
    `\`${name}\` must have the length of \`${likeName}\` (${like.length}), ` +
      `got ${value.length}`,
  );
}

/**
 * Checks that `output` either is `input` (the same memory, in place) or
 * shares none of its memory.
 *
 * @throws {RangeError} when the two overlap without coinciding.
 */
export function checkNoPartialOverlap(
  output: FloatArray,
  outputName: string,
  input: FloatArray,
  inputName: string,
): void {
  if (output === input || output.buffer !== input.buffer) return;

  const outputStart = output.byteOffset;
  const inputStart = input.byteOffset;
  if (outputStart === inputStart && output.length === input.length) return;

  const outputEnd = outputStart + output.byteLength;
  const inputEnd = inputStart + input.byteLength;
  if (outputStart < inputEnd && inputStart < outputEnd) {
    throwOverlap(
      outputName,
      outputStart,
      outputEnd,
      inputName,
      inputStart,
      inputEnd,
    );
  }
}

function throwOverlap(
  outputName: string,
  outputStart: number,
  outputEnd: number,
  inputName: string,
  inputStart: number,
  inputEnd: number,
): never {
  throw new RangeError(
    `\`${outputName}\` must be \`${inputName}\` itself or not overlap it, ` +
      `got bytes ${outputStart}..${outputEnd} against ` +
      `${inputStart}..${inputEnd} of the same buffer`,
  );
}

/**
 * Returns the array a function writes into: the caller's `out`, checked
 * against `x`, or a new array of the same type and length.
 */
export function outputFor<T extends FloatArray>(
  x: T,
  xName: string,
  out: T | undefined,
): T {
  if (out === undefined) {
    return (x instanceof Float32Array
      ? new Float32Array(x.length)
      : new Float64Array(x.length)) as T;
  }
  // `x` itself was checked by the caller; in place needs nothing more.
  if (out === x) return out;
  checkMatchingArray(out, "out", x, xName);
  checkNoPartialOverlap(out, "out", x, xName);
  return out;
}
