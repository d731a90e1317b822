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

// The getters behind every typed array's Symbol.toStringTag and `buffer`,
// and behind ArrayBuffer's `detached`, read the internal slots: a Proxy, a
// subclass, a changed prototype or an own property cannot make them lie,
// and they run no code of the caller's.
const typedArrayPrototype = Object.getPrototypeOf(Float32Array.prototype);
const typedArrayTag = Object.getOwnPropertyDescriptor(
  typedArrayPrototype,
  Symbol.toStringTag,
)!.get as (this: unknown) => string | undefined;
const typedArrayBuffer = Object.getOwnPropertyDescriptor(
  typedArrayPrototype,
  "buffer",
)!.get as (this: FloatArray) => ArrayBufferLike;
const bufferDetached = Object.getOwnPropertyDescriptor(
  ArrayBuffer.prototype,
  "detached",
)!.get as (this: ArrayBufferLike) => boolean;

const typedArrayAt = typedArrayPrototype.at as (
  this: FloatArray,
  index: number,
) => number | undefined;

/** Whether an empty-looking view is in fact out of its buffer's bounds: a
 * resizable buffer shrank below where the view starts or ends. Every
 * built-in method refuses such a view, `at` with no other effect. */
function isOutOfBounds(array: FloatArray): boolean {
  try {
    typedArrayAt.call(array, 0);
    return false;
  } catch {
    return true;
  }
}

function isDetached(array: FloatArray): boolean {
  try {
    return bufferDetached.call(typedArrayBuffer.call(array));
  } catch {
    // A SharedArrayBuffer has no such slot, and cannot be detached.
    return false;
  }
}

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

/** The prototype a plain array of element type `type` has, if any. */
function plainPrototype(type: string | undefined): object | undefined {
  if (type === "Float32Array") return Float32Array.prototype;
  if (type === "Float64Array") return Float64Array.prototype;
  return undefined;
}

/**
 * Checks that `value` is a live Float32Array or Float64Array, whose layout
 * (`length`, `buffer`, …) is the one of its memory.
 *
 * The checks in this file keep their error paths in functions of their
 * own: the hot part stays small enough for V8 to inline it into every
 * caller, which is much of what a call on a few elements costs.
 *
 * @throws {TypeError} for any other value, a detached buffer, a subclass,
 * another prototype, or an own property that shadows the layout.
 */
export function checkFloatArray(
  value: unknown,
  name: string,
): asserts value is FloatArray {
  const type = typedArrayTag.call(value);
  const prototype = plainPrototype(type);
  if (
    prototype === undefined || Object.getPrototypeOf(value) !== prototype ||
    shadowedLayout(value as object) !== undefined
  ) {
    throwNotFloatArray(value, name, type);
  }
  // Detaching a buffer sets the length of its views to 0, so a view with
  // elements is live; reading `buffer` costs more than the rest of a small
  // call's checks together, so only an empty view pays for it.
  const array = value as FloatArray;
  if (array.length === 0 && isOutOfBounds(array)) throwDetached(array, name);
}

function throwNotFloatArray(
  value: unknown,
  name: string,
  type: string | undefined,
): never {
  const expected = `\`${name}\` must be a Float32Array or Float64Array, got`;
  if (plainPrototype(type) === undefined) {
    throw new TypeError(`${expected} ${describe(value)}`);
  }
  const shadowed = shadowedLayout(value as object);
  if (shadowed === undefined) {
    throw new TypeError(
      `${expected} a ${type} whose prototype is not ${type}.prototype`,
    );
  }
  throw new TypeError(`${expected} a ${type} with its own \`${shadowed}\``);
}

function throwDetached(value: FloatArray, name: string): never {
  throw new TypeError(
    `\`${name}\` must be backed by a live buffer, got ` +
      (isDetached(value)
        ? `a detached ${typeName(value)}`
        : `a ${typeName(value)} out of its resized buffer's bounds`),
  );
}

/** The element type of a checked array, as its memory holds it. */
export function typeName(array: FloatArray): string {
  return typedArrayTag.call(array)!;
}

/**
 * Whether `array` is a typed array of float32 elements. The kernel of the wrong
 * type would read and write past the array's memory, so the choice is made
 * from the array's internal slot, never with `instanceof`, which runs any
 * `Symbol.hasInstance` the program installed.
 */
export function isFloat32(array: unknown): array is Float32Array {
  return typedArrayTag.call(array) === "Float32Array";
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
    Object.getPrototypeOf(value) !== Object.getPrototypeOf(like) ||
    value.length !== like.length
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
  if (Object.getPrototypeOf(value) !== Object.getPrototypeOf(like)) {
    throw new TypeError(
      `\`${name}\` must be a ${typeName(like)} like \`${likeName}\`, ` +
        `got ${typeName(value)}`,
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
    return (isFloat32(x)
      ? new Float32Array(x.length)
      : new Float64Array(x.length)) as T;
  }
  // `x` itself was checked by the caller; in place needs nothing more.
  if (out === x) return out;
  checkMatchingArray(out, "out", x, xName);
  checkNoPartialOverlap(out, "out", x, xName);
  return out;
}
