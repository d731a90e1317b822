// Every public function, called with parameters other than its defaults,
// built from the catalog the asynchronous forms are built from. Shared by
// the tests of the asynchronous forms, the workers and the instruction
// levels; it imports nothing but the module, so that child processes and
// workers load it quickly.

import * as act from "../mod.ts";
import type { FloatArray } from "../mod.ts";
import {
  DESCRIPTIONS,
  type FunctionDescription,
  type OptionReader,
} from "../src/catalog.ts";

/** The constructor of either array type. */
export type FloatArrayType = typeof Float32Array | typeof Float64Array;

/** Both array types. */
export const ARRAY_TYPES: readonly FloatArrayType[] = [
  Float32Array,
  Float64Array,
];

/** One way of calling one public function. */
export interface Call {
  /** The function and its parameters, for messages. */
  label: string;
  /** The public name of the synchronous form. */
  name: string;
  /** The function's description. */
  description: FunctionDescription;
  /** Its options other than `out`, for `length` elements. */
  options(length: number): Record<string, unknown>;
}

/** Values on which kernels go wrong: NaN, infinities, signed zeros,
 * subnormals of both types, the extremes, and the edges of exp. */
const SPECIAL_VALUES = [
  NaN,
  Infinity,
  -Infinity,
  0,
  -0,
  1.401298464324817e-45,
  -1.401298464324817e-45,
  1.1754942106924411e-38,
  5e-324,
  -5e-324,
  3.4028234663852886e38,
  -3.4028234663852886e38,
  1.7976931348623157e308,
  -1.7976931348623157e308,
  88.72283935546875,
  -88.72283935546875,
  -103.97,
  709.78,
  -745.1,
  3,
  -3,
  6,
];

/** A seeded generator, so that a failure can be replayed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The special values, then values of both signs spread over magnitudes
 * from 1e-6 to 1e3. */
export function sampleArray(
  Type: FloatArrayType,
  length: number,
  seed: number,
): FloatArray {
  // Made once per type, length and seed, then copied: the tests ask for the
  // same long inputs many times.
  const key = `${Type.name} ${length} ${seed}`;
  let sample = samples.get(key);
  if (sample === undefined) {
    sample = makeSample(Type, length, seed);
    samples.set(key, sample);
  }
  return sample.slice();
}

const samples = new Map<string, FloatArray>();

function makeSample(
  Type: FloatArrayType,
  length: number,
  seed: number,
): FloatArray {
  const random = seededRandom(seed);
  const array = new Type(length);
  for (let i = 0; i < length; i++) {
    array[i] = i < SPECIAL_VALUES.length && length > 2 * SPECIAL_VALUES.length
      ? SPECIAL_VALUES[i]!
      : (random() < 0.5 ? -1 : 1) * 10 ** (random() * 9 - 6);
  }
  return array;
}

/** The row length the tests use: 9 when it divides the length. */
function axisLengthFor(length: number): number | undefined {
  return length > 0 && length % 9 === 0 ? 9 : undefined;
}

/** A value other than the default for each option. */
function optionValue(
  reader: OptionReader,
  length: number,
): [string, unknown] | undefined {
  switch (reader.kind) {
    case "number":
      return [reader.name, reader.name === "alpha" ? 0.3 : 1.5];
    case "nonZero":
      return [reader.name, reader.name === "alpha" ? 2 : 0.5];
    case "axisLength": {
      const axisLength = axisLengthFor(length);
      return axisLength === undefined ? undefined : ["axisLength", axisLength];
    }
    case "approximate":
      return undefined;
  }
}

/** Every public function, and GELU in each of its forms. */
export const CALLS: readonly Call[] = DESCRIPTIONS.flatMap((description) => {
  const options = (length: number): Record<string, unknown> =>
    Object.fromEntries(
      description.options
        .map((reader) => optionValue(reader, length))
        .filter((entry) => entry !== undefined),
    );
  const call = (label: string, extra: Record<string, unknown>): Call => ({
    label,
    name: description.name,
    description,
    options: (length) => ({ ...options(length), ...extra }),
  });
  if (description.tanhSymbol !== undefined) {
    return [
      call(`${description.name} erf`, {}),
      call(`${description.name} tanh`, { approximate: "tanh" }),
    ];
  }
  return [call(description.name, {})];
});

/** The arrays a call takes, new and filled, for `length` elements. */
export function argumentsFor(
  call: Call,
  Type: FloatArrayType,
  length: number,
  seed = 1,
): FloatArray[] {
  const slopes = new Type([0.1, -0.2, 0.25]);
  switch (call.description.shape) {
    case "forward":
      return [sampleArray(Type, length, seed)];
    case "gradient":
      return [
        sampleArray(Type, length, seed + 1),
        sampleArray(Type, length, seed),
      ];
    case "prelu":
      return [sampleArray(Type, length, seed), slopes];
    case "preluGradient":
      return [
        sampleArray(Type, length, seed + 1),
        sampleArray(Type, length, seed),
        slopes,
      ];
  }
}

type AnyFunction = (...args: unknown[]) => unknown;

/** The synchronous form of a call. */
export function syncForm(call: Call): AnyFunction {
  return (act as unknown as Record<string, AnyFunction>)[call.name]!;
}

/** The asynchronous form of a call. */
export function asyncForm(
  call: Call,
): (...args: unknown[]) => Promise<unknown> {
  return (act as unknown as Record<string, AnyFunction>)[
    `${call.name}Async`
  ]! as (...args: unknown[]) => Promise<unknown>;
}

/** The arrays a result holds: the output, or PReLU's pair. */
export function resultArrays(result: unknown): FloatArray[] {
  if (ArrayBuffer.isView(result)) return [result as FloatArray];
  const { dx, dalpha } = result as { dx: FloatArray; dalpha: FloatArray };
  return [dx, dalpha];
}

/**
 * Whether two arrays hold the same bits, NaN payloads aside: every element
 * the same number, `-0` apart from `+0`, and NaN where the other has NaN.
 * The sign and payload of a NaN that comes out of a kernel depend on the
 * code path (instruction level, and for large arrays the output's
 * alignment), so they are not compared.
 */
export function sameBits(a: FloatArray, b: FloatArray): boolean {
  if (a.constructor !== b.constructor || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const left = a[i]!;
    const right = b[i]!;
    if (!Object.is(left, right) && !(left !== left && right !== right)) {
      return false;
    }
  }
  return true;
}

/** The index of the first element that differs, for messages. */
export function firstDifference(a: FloatArray, b: FloatArray): string {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (!Object.is(a[i], b[i]) && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) {
      return `element ${i}: ${a[i]} against ${b[i]}`;
    }
  }
  return `lengths ${a.length} against ${b.length}`;
}

/** A copy of an array over a buffer of its own. */
export function copyOf(array: FloatArray): FloatArray {
  return array.slice();
}
