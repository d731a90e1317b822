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

// The getter behind every typed array's Symbol.toStringTag reads the element
// type from the array's internal slot: a Proxy, a subclass or a changed
// prototype cannot make it lie, and it runs no code of the caller's.
const typedArrayTag = Object.getOwnPropertyDescriptor(
  Object.getPrototypeOf(Float32Array.prototype),
  Symbol.toStringTag,
)!.get as (this: unknown) => string | undefined;

/**
 * The first of the properties the checks and the native call read from an
 * array that `array` shadows with its own, if any. An own `length` (or a
 * subclass's getter) could report more elements than the memory holds and
 * send a kernel past its end; an own `buffer` or `byteOffset` could hide an
 * overlap.
 */
function shadowedLayout(array: object): string | undefined {
  if (Object.hasOwn(array, "length")) return "length";
  if (Object.hasOwn(array, "byteLength")) return "byteLength";
  if (Object.hasOwn(array, "byteOffset")) return "byteOffset";
  if (Object.hasOwn(array, "buffer")) return "buffer";
  return undefined;
}

/**
 * Checks that `value` is a live Float32Array or Float64Array, whose layout
 * (`length`, `buffer`, …) is the one of its memory.
 *
 * @throws {TypeError} for any other value, a detached buffer, a subclass,
 * another prototype, or an own property that shadows the layout.
 */
export function checkFloatArray(
  value: unknown,
  name: string,
): asserts value is FloatArray {
  const type = typedArrayTag.call(value);
  if (type !== "Float32Array" && type !== "Float64Array") {
    throw new TypeError(
      `\`${name}\` must be a Float32Array or Float64Array, got ` +
        describe(value),
    );
  }
  const prototype = type === "Float32Array"
    ? Float32Array.prototype
    : Float64Array.prototype;
  if (Object.getPrototypeOf(value) !== prototype) {
    throw new TypeError(
      `\`${name}\` must be a Float32Array or Float64Array, got a ${type} ` +
        `whose prototype is not ${type}.prototype`,
    );
  }
  const shadowed = shadowedLayout(value as object);
  if (shadowed !== undefined) {
    throw new TypeError(
      `\`${name}\` must be a Float32Array or Float64Array, got a ${type} ` +
        `with its own \`${shadowed}\``,
    );
  }
  if (isDetached(value as FloatArray)) {
    throw new TypeError(
      `\`${name}\` must be backed by a live buffer, got a detached ` +
        type,
    );
  }
}

/** The element type of a checked array, as its memory holds it. */
export function typeName(array: FloatArray): string {
  return typedArrayTag.call(array)!;
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
  if (Object.getPrototypeOf(value) !== Object.getPrototypeOf(like)) {
    throw new TypeError(
      `\`${name}\` must be a ${typeName(like)} like \`${likeName}\`, ` +
        `got ${typeName(value)}`,
    );
  }
  if (value.length !== like.length) {
    throw new RangeError(
      `\`${name}\` must have the length of \`${likeName}\` (${like.length}), ` +
        `got ${value.length}`,
    );
  }
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
  if (output.buffer !== input.buffer) return;

  const outputStart = output.byteOffset;
  const inputStart = input.byteOffset;
  if (outputStart === inputStart && output.length === input.length) return;

  const outputEnd = outputStart + output.byteLength;
  const inputEnd = inputStart + input.byteLength;
  if (outputStart < inputEnd && inputStart < outputEnd) {
    throw new RangeError(
      `\`${outputName}\` must be \`${inputName}\` itself or not overlap it, ` +
        `got bytes ${outputStart}..${outputEnd} against ` +
        `${inputStart}..${inputEnd} of the same buffer`,
    );
  }
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
  checkMatchingArray(out, "out", x, xName);
  checkNoPartialOverlap(out, "out", x, xName);
  return out;
}
