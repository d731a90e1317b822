// Bad input over every export of mod.ts, from one table. Each export has a
// row that says which arrays it takes and which parameters it reads; the
// cases are generated from the row: every wrong kind of value in every
// array argument and output, outputs that overlap an input, detached and
// disguised arrays, bad parameters, options that are not an object, and
// missing arguments. Each must throw the documented TypeError or RangeError
// with a message that starts with the argument's name, before any native
// call, leaving every array it was given as it was.
//
// An asynchronous form (`reluAsync`, …) takes the row of its synchronous
// twin: it must return a promise that rejects with the error its twin
// throws, the same class and message. It also refuses arrays over buffers
// that can change size, which its twin accepts: those are cases of its own.
// `setThreads` has cases of its own shape; `getThreads` and `info` take no
// arguments, so they have no bad input, and a test checks that they ignore
// extra arguments and report sane values.
//
// The first test runs the table with FFI denied and checks that the library
// was never opened: no bad input gets as far as the native code. The second
// runs it again with the library open and checks that good calls still give
// the same results. The last tests call every export with inputs that are
// unusual but valid: shared and resizable buffers, empty arrays, odd
// offsets, outputs over exactly the memory of an input.

import assert from "node:assert/strict";
import * as act from "../mod.ts";
import {
  isAbsolutePath,
  loadedLibraryPath,
  PACKAGE_VERSION,
} from "../ffi/load.ts";
import { ABI_VERSION } from "../ffi/symbols.ts";

type FloatArray = Float32Array | Float64Array;
type FloatArrayType = typeof Float32Array | typeof Float64Array;
type ErrorType = typeof TypeError | typeof RangeError;
type AnyFunction = (...args: unknown[]) => unknown;

/** How a parameter in `options` is checked. */
type ParameterKind =
  | "finite" // any finite number
  | "nonZero" // a finite number other than 0
  | "form" // gelu's "none" or "tanh"
  | "rowLength"; // a positive integer that divides the length

/** What an export takes: its array arguments, outputs and parameters. */
interface Signature {
  /** The array arguments in order, by the names the messages use. */
  arrays: readonly string[];
  /** The output arrays `options` may hold, by name. */
  outputs: readonly string[];
  /** The parameters `options` may hold, by name. */
  parameters: Readonly<Record<string, ParameterKind>>;
  /** Set for an asynchronous form: it rejects where its twin throws. */
  async?: true;
}

/** The row of an export that is not called with arrays. */
const ERROR_CLASS = "an error class, thrown by the others" as const;

/** The row of `setThreads`: one thread count, an integer from 1 to 256. */
const THREAD_COUNT = "a thread count" as const;

/** The row of `getThreads` and `info`: no arguments, so no bad input. */
const NO_ARGUMENTS = "no arguments" as const;

type Row =
  | Signature
  | typeof ERROR_CLASS
  | typeof THREAD_COUNT
  | typeof NO_ARGUMENTS;

function forward(parameters: Record<string, ParameterKind> = {}): Signature {
  return { arrays: ["x"], outputs: ["out"], parameters };
}

function gradient(
  parameters: Record<string, ParameterKind> = {},
  input = "x",
): Signature {
  return { arrays: ["dy", input], outputs: ["out"], parameters };
}

/** The rows of the synchronous functions, each the row of its
 * asynchronous form too. */
const SYNC_SIGNATURES: Record<string, Signature> = {
  relu: forward(),
  relu6: forward(),
  leakyRelu: forward({ alpha: "finite" }),
  prelu: { arrays: ["x", "alpha"], outputs: ["out"], parameters: {} },
  elu: forward({ alpha: "finite" }),
  selu: forward(),
  celu: forward({ alpha: "nonZero" }),
  gelu: forward({ approximate: "form" }),
  silu: forward({ beta: "finite" }),
  swish: forward({ beta: "finite" }),
  mish: forward(),
  sigmoid: forward(),
  hardSigmoid: forward({ alpha: "finite", beta: "finite" }),
  hardSwish: forward(),
  tanh: forward(),
  softplus: forward({ beta: "nonZero" }),
  softsign: forward(),
  softmax: forward({ axisLength: "rowLength" }),
  logSoftmax: forward({ axisLength: "rowLength" }),

  reluGrad: gradient(),
  relu6Grad: gradient(),
  leakyReluGrad: gradient({ alpha: "finite" }),
  preluGrad: {
    arrays: ["dy", "x", "alpha"],
    outputs: ["out", "dalphaOut"],
    parameters: {},
  },
  eluGrad: gradient({ alpha: "finite" }),
  seluGrad: gradient(),
  celuGrad: gradient({ alpha: "nonZero" }),
  geluGrad: gradient({ approximate: "form" }),
  siluGrad: gradient({ beta: "finite" }),
  swishGrad: gradient({ beta: "finite" }),
  mishGrad: gradient(),
  sigmoidGrad: gradient(),
  hardSigmoidGrad: gradient({ alpha: "finite", beta: "finite" }),
  hardSwishGrad: gradient(),
  tanhGrad: gradient(),
  softplusGrad: gradient({ beta: "nonZero" }),
  softsignGrad: gradient(),
  softmaxGrad: gradient({ axisLength: "rowLength" }, "y"),
  logSoftmaxGrad: gradient({ axisLength: "rowLength" }, "y"),
};

/** The suffix of an asynchronous form's name. */
const ASYNC = "Async";

/** One row per export of mod.ts: a new export without a row fails the
 * coverage test below. */
const SIGNATURES: Record<string, Row> = {
  NativeError: ERROR_CLASS,
  setThreads: THREAD_COUNT,
  getThreads: NO_ARGUMENTS,
  info: NO_ARGUMENTS,
  ...SYNC_SIGNATURES,
  ...Object.fromEntries(
    Object.entries(SYNC_SIGNATURES).map((
      [name, signature],
    ) => [name + ASYNC, { ...signature, async: true }]),
  ),
};

const exports = act as unknown as Record<string, unknown>;

/** The exports called with arrays, each with its row. */
function callableRows(): [string, AnyFunction, Signature][] {
  const rows: [string, AnyFunction, Signature][] = [];
  for (const [name, signature] of Object.entries(SIGNATURES)) {
    if (typeof signature === "string") continue;
    rows.push([name, exports[name] as AnyFunction, signature]);
  }
  return rows;
}

// The shapes every case builds on: arrays of LENGTH elements, slopes of
// SLOPES elements, rows of ROW elements (ROW divides LENGTH).
const LENGTH = 6;
const SLOPES = 2;
const ROW = 3;
const VALUES = [-2, -0.5, 0, 0.5, 1, 3];

const ARRAY_TYPES: FloatArrayType[] = [Float32Array, Float64Array];

function otherType(Type: FloatArrayType): FloatArrayType {
  return Type === Float32Array ? Float64Array : Float32Array;
}

/** The length an array argument or output must have. */
function lengthOf(name: string): number {
  return name === "alpha" || name === "dalphaOut" ? SLOPES : LENGTH;
}

/** A fresh array of `length` elements holding recognizable values. */
function filled(Type: FloatArrayType, length: number, seed = 0): FloatArray {
  const array = new Type(length);
  for (let i = 0; i < length; i++) {
    array[i] = VALUES[(i + seed) % VALUES.length]! * (1 + seed / 8);
  }
  return array;
}

/** Fresh valid arguments of a row: its arrays, in order. */
function validArrays(signature: Signature, Type: FloatArrayType): unknown[] {
  return signature.arrays.map((name, index) =>
    filled(Type, lengthOf(name), index)
  );
}

// Every view type but the two accepted ones, each filled with a byte pattern
// so that a write into it would show.
const WRONG_VIEW_TYPES: [string, (length: number) => ArrayBufferView][] = [
  ["Int8Array", (n) => new Int8Array(n)],
  ["Uint8Array", (n) => new Uint8Array(n)],
  ["Uint8ClampedArray", (n) => new Uint8ClampedArray(n)],
  ["Int16Array", (n) => new Int16Array(n)],
  ["Uint16Array", (n) => new Uint16Array(n)],
  ["Int32Array", (n) => new Int32Array(n)],
  ["Uint32Array", (n) => new Uint32Array(n)],
  ...("Float16Array" in globalThis
    ? [["Float16Array", (n: number) => new Float16Array(n)] as [
      string,
      (length: number) => ArrayBufferView,
    ]]
    : []),
  ["BigInt64Array", (n) => new BigInt64Array(n)],
  ["BigUint64Array", (n) => new BigUint64Array(n)],
  ["DataView", (n) => new DataView(new ArrayBuffer(n * 8))],
];

function patterned(view: ArrayBufferView): ArrayBufferView {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 37 + 11) & 0xff;
  return view;
}

/** A bad value for an array argument or output, and what its message must
 * say. */
interface BadArray {
  label: string;
  make: () => unknown;
  error: ErrorType;
  /** What the message must hold: what was expected, what came. */
  says: string[];
  /** Arrays hidden from the search of the arguments (behind a Proxy). */
  hidden?: ArrayBufferView[];
}

const FLOAT = "must be a Float32Array or Float64Array";
const LIVE = "must be backed by a live buffer";

/** The values that are not a live Float32Array or Float64Array, whatever
 * the argument. */
function notFloatArrays(Type: FloatArrayType, length: number): BadArray[] {
  const bad: BadArray[] = [
    {
      label: "a plain array",
      make: () => VALUES.slice(0, length),
      error: TypeError,
      says: [FLOAT, "got an Array"],
    },
    ...WRONG_VIEW_TYPES.map(([name, make]): BadArray => ({
      label: `a ${name}`,
      make: () => patterned(make(length)),
      error: TypeError,
      says: [FLOAT, `got ${name}`],
    })),
    {
      label: "an ArrayBuffer",
      make: () => filled(Type, length).buffer,
      error: TypeError,
      says: [FLOAT, "got an object (ArrayBuffer)"],
    },
    {
      label: "null",
      make: () => null,
      error: TypeError,
      says: [FLOAT, "got null"],
    },
    {
      label: "a number",
      make: () => 3,
      error: TypeError,
      says: [FLOAT, "got a number (3)"],
    },
    {
      label: "a string",
      make: () => "x",
      error: TypeError,
      says: [FLOAT, "got a string (x)"],
    },
    {
      label: "an array-like object",
      make: () => ({ length, 0: 1 }),
      error: TypeError,
      says: [FLOAT, "got an object (Object)"],
    },
    {
      label: "a detached array",
      make: () => {
        const array = filled(Type, length);
        (array.buffer as ArrayBuffer).transfer();
        return array;
      },
      error: TypeError,
      says: [LIVE, `got a detached ${Type.name}`],
    },
    {
      // The buffer's own `detached` says false: only the built-in getter
      // tells the truth.
      label: "a detached array whose buffer claims to be live",
      make: () => {
        const array = filled(Type, length);
        const buffer = array.buffer as ArrayBuffer;
        buffer.transfer();
        Object.defineProperty(buffer, "detached", { value: false });
        return array;
      },
      error: TypeError,
      says: [LIVE, `got a detached ${Type.name}`],
    },
    {
      // A resizable buffer shrank below the end of a fixed-length view: the
      // view's length reads 0, but every built-in method refuses it.
      label: "a view out of its resized buffer's bounds",
      make: () => {
        const bytes = length * Type.BYTES_PER_ELEMENT;
        const buffer = new ArrayBuffer(bytes, { maxByteLength: bytes });
        const array = new Type(buffer, 0, length);
        buffer.resize(0);
        return array;
      },
      error: TypeError,
      says: [LIVE, `got a ${Type.name} out of its resized buffer's bounds`],
    },
    {
      label: "a detached array whose buffer has another prototype",
      make: () => {
        const array = filled(Type, length);
        const buffer = array.buffer as ArrayBuffer;
        buffer.transfer();
        Object.setPrototypeOf(buffer, { detached: false });
        return array;
      },
      error: TypeError,
      says: [LIVE, `got a detached ${Type.name}`],
    },
  ];

  // Arrays that pass `instanceof` but would make the checks read the
  // wrong layout: a longer `length` would send the kernel past the end.
  for (const property of ["length", "byteLength", "byteOffset", "buffer"]) {
    bad.push({
      label: `a ${Type.name} with its own \`${property}\``,
      make: () => {
        const array = filled(Type, length);
        const value = property === "buffer"
          ? new ArrayBuffer(1 << 20)
          : 1 << 20;
        Object.defineProperty(array, property, { value });
        return array;
      },
      error: TypeError,
      says: [FLOAT, `got a ${Type.name} with its own \`${property}\``],
    });
  }
  bad.push(
    {
      label: `a subclass of ${Type.name}`,
      make: () => {
        class Longer extends Type {
          get length(): number {
            return 1 << 20;
          }
        }
        return new Longer(length);
      },
      error: TypeError,
      says: [
        FLOAT,
        `got a ${Type.name} whose prototype is not ${Type.name}.prototype`,
      ],
    },
    {
      label: `a ${Type.name} with the prototype of the other type`,
      make: () => {
        const array = filled(Type, length);
        Object.setPrototypeOf(array, otherType(Type).prototype);
        return array;
      },
      error: TypeError,
      says: [
        FLOAT,
        `got a ${Type.name} whose prototype is not ${Type.name}.prototype`,
      ],
    },
    {
      label: "an object made from the prototype",
      make: () => Object.create(Type.prototype),
      error: TypeError,
      says: [FLOAT, `got an object (${Type.name})`],
    },
  );
  const target = filled(Type, length);
  bad.push({
    label: `a Proxy of a ${Type.name}`,
    make: () => new Proxy(target, {}),
    error: TypeError,
    says: [FLOAT, `got an object (${Type.name})`],
    hidden: [target],
  });
  return bad;
}

/** One generated case: a call and the error it must throw. */
interface Case {
  label: string;
  /** Fresh arguments for the call, and arrays the search cannot find. */
  build: () => { args: unknown[]; hidden: ArrayBufferView[] };
  error: ErrorType;
  /** The argument the message must start with. */
  names: string;
  /** What the message must also hold: what was expected or what came. */
  says: string[];
  /** Set when the case itself changes an array (from a getter), so that
   * only the error is checked. */
  mutates?: boolean;
}

/** A valid value of each kind of parameter. */
const GOOD_PARAMETERS: Record<ParameterKind, unknown> = {
  finite: 0.5,
  nonZero: 0.5,
  form: "tanh",
  rowLength: ROW,
};

/** A buffer holding two views of `lengthA` and `lengthB` elements whose
 * starts are `shift` elements apart (negative: `b` starts first). */
function overlapping(
  Type: FloatArrayType,
  lengthA: number,
  lengthB: number,
  shift: number,
): [FloatArray, FloatArray] {
  const startA = shift < 0 ? -shift : 0;
  const startB = shift < 0 ? 0 : shift;
  const whole = filled(
    Type,
    Math.max(startA + lengthA, startB + lengthB),
    5,
  );
  return [
    whole.subarray(startA, startA + lengthA),
    whole.subarray(startB, startB + lengthB),
  ];
}

/** Every bad-input case of one export in one array type. */
function casesOf(signature: Signature, Type: FloatArrayType): Case[] {
  const cases: Case[] = [];
  const [first] = signature.arrays;
  const fresh = (): unknown[] => validArrays(signature, Type);

  // Each array argument replaced by each bad value, or left out.
  signature.arrays.forEach((name, index) => {
    for (const bad of notFloatArrays(Type, lengthOf(name))) {
      cases.push({
        label: `\`${name}\` as ${bad.label}`,
        build: () => {
          const args = fresh();
          args[index] = bad.make();
          return { args, hidden: bad.hidden ?? [] };
        },
        error: bad.error,
        names: name,
        says: bad.says,
      });
    }
    cases.push({
      label: `\`${name}\` missing`,
      build: () => ({ args: fresh().slice(0, index), hidden: [] }),
      error: TypeError,
      names: name,
      says: [FLOAT, "got undefined"],
    });
    if (index === 0) return;

    const Other = otherType(Type);
    cases.push({
      label: `\`${name}\` of the other type`,
      build: () => {
        const args = fresh();
        args[index] = filled(Other, lengthOf(name));
        return { args, hidden: [] };
      },
      error: TypeError,
      names: name,
      says: [`must be a ${Type.name} like`, `got ${Other.name}`],
    });
    if (name === "alpha") {
      cases.push({
        label: "no slopes",
        build: () => {
          const args = fresh();
          args[index] = new Type(0);
          return { args, hidden: [] };
        },
        error: RangeError,
        names: name,
        says: ["got 0"],
      });
      return;
    }
    for (const length of [LENGTH - 1, LENGTH + 1, 0]) {
      cases.push({
        label: `\`${name}\` of length ${length}`,
        build: () => {
          const args = fresh();
          args[index] = filled(Type, length);
          return { args, hidden: [] };
        },
        error: RangeError,
        names: name,
        says: [
          `must have the length of \`${first}\` (${LENGTH})`,
          `got ${length}`,
        ],
      });
    }
  });

  // Each output replaced by each bad value.
  for (const output of signature.outputs) {
    const length = lengthOf(output);
    const like = output === "dalphaOut" ? "alpha" : first!;
    const withOutput = (value: unknown): unknown[] => [
      ...fresh(),
      { [output]: value },
    ];
    for (const bad of notFloatArrays(Type, length)) {
      cases.push({
        label: `\`${output}\` as ${bad.label}`,
        build: () => ({
          args: withOutput(bad.make()),
          hidden: bad.hidden ?? [],
        }),
        error: bad.error,
        names: output,
        says: bad.says,
      });
    }
    const Other = otherType(Type);
    cases.push({
      label: `\`${output}\` of the other type`,
      build: () => ({ args: withOutput(filled(Other, length)), hidden: [] }),
      error: TypeError,
      names: output,
      says: [`must be a ${Type.name} like \`${like}\``, `got ${Other.name}`],
    });
    for (const wrong of [length - 1, length + 1, 0]) {
      cases.push({
        label: `\`${output}\` of length ${wrong}`,
        build: () => ({ args: withOutput(filled(Type, wrong)), hidden: [] }),
        error: RangeError,
        names: output,
        says: [
          `must have the length of \`${like}\` (${length})`,
          `got ${wrong}`,
        ],
      });
    }

    // The output over part of another array's memory: shifted by one
    // element either way, or sharing only its first or last element.
    const others = [
      ...signature.arrays,
      ...(output === "dalphaOut" ? ["out"] : []),
    ];
    for (const other of others) {
      const otherLength = lengthOf(other);
      const shifts = [1, -1, otherLength - 1, -(length - 1)];
      for (const shift of shifts) {
        cases.push({
          label: `\`${output}\` overlapping \`${other}\` shifted by ${shift}`,
          build: () => {
            const [otherView, outputView] = overlapping(
              Type,
              otherLength,
              length,
              shift,
            );
            const args = fresh();
            const options: Record<string, unknown> = { [output]: outputView };
            const index = signature.arrays.indexOf(other);
            if (index >= 0) args[index] = otherView;
            else options[other] = otherView;
            return { args: [...args, options], hidden: [] };
          },
          error: RangeError,
          names: output,
          says: [`\`${other}\``, "got bytes"],
        });
      }
    }
  }

  // Getters in options that change the arrays as the call reads them: the
  // checks must see the arrays as the native call will.
  for (const output of signature.outputs) {
    cases.push({
      label: `a getter of \`${output}\` that detaches \`${first}\``,
      build: () => {
        const args = fresh();
        const options = {
          get [output](): undefined {
            ((args[0] as FloatArray).buffer as ArrayBuffer).transfer();
            return undefined;
          },
        };
        return { args: [...args, options], hidden: [] };
      },
      error: TypeError,
      names: first!,
      says: [LIVE],
      mutates: true,
    });
  }
  for (const [name, kind] of Object.entries(signature.parameters)) {
    cases.push({
      label: `a getter of \`${name}\` that shrinks \`out\``,
      build: () => {
        const args = fresh();
        const size = Type.BYTES_PER_ELEMENT;
        const buffer = new ArrayBuffer(LENGTH * size, {
          maxByteLength: LENGTH * size,
        });
        const options = {
          out: new Type(buffer),
          get [name](): unknown {
            buffer.resize(0);
            return GOOD_PARAMETERS[kind];
          },
        };
        return { args: [...args, options], hidden: [] };
      },
      error: RangeError,
      names: "out",
      says: ["got 0"],
      mutates: true,
    });
  }

  // Options that are not an object.
  const notObjects: [string, unknown, string][] = [
    ["a number", 5, "got a number (5)"],
    ["a string", "fast", "got a string (fast)"],
    ["a boolean", true, "got a boolean (true)"],
    ["null", null, "got null"],
    ["a bigint", 1n, "got a bigint (1)"],
    ["a symbol", Symbol("s"), "got a symbol (Symbol(s))"],
  ];
  for (const [label, value, came] of notObjects) {
    cases.push({
      label: `options as ${label}`,
      build: () => ({ args: [...fresh(), value], hidden: [] }),
      error: TypeError,
      names: "options",
      says: [came],
    });
  }

  // Each parameter given each bad value.
  for (const [name, kind] of Object.entries(signature.parameters)) {
    for (const [value, error, came] of badParameters(kind)) {
      cases.push({
        label: `\`${name}\` as ${describeValue(value)}`,
        build: () => ({ args: [...fresh(), { [name]: value }], hidden: [] }),
        error,
        names: name,
        says: [came],
      });
    }
  }
  return cases;
}

/** Memory that can change size, as a function that places an array's
 * contents in it: Deno's nonblocking calls refuse such memory, so the
 * asynchronous forms must refuse it first, however it is disguised. */
const RESIZABLE_PLACEMENTS: [
  string,
  "ArrayBuffer" | "SharedArrayBuffer",
  (contents: FloatArray) => FloatArray,
][] = [
  ["a resizable ArrayBuffer", "ArrayBuffer", (contents) =>
    // A length-tracking view.
    placeIn(
      new ArrayBuffer(contents.byteLength, {
        maxByteLength: 2 * contents.byteLength,
      }),
      contents,
      true,
    )],
  ["a growable SharedArrayBuffer", "SharedArrayBuffer", (contents) =>
    placeIn(
      new SharedArrayBuffer(contents.byteLength, {
        maxByteLength: 2 * contents.byteLength,
      }),
      contents,
    )],
  [
    "a resizable ArrayBuffer with its own `resizable`",
    "ArrayBuffer",
    (contents) => {
      const buffer = new ArrayBuffer(contents.byteLength, {
        maxByteLength: 2 * contents.byteLength,
      });
      Object.defineProperty(buffer, "resizable", { value: false });
      return placeIn(buffer, contents);
    },
  ],
  [
    "a growable SharedArrayBuffer with its own `growable`",
    "SharedArrayBuffer",
    (contents) => {
      const buffer = new SharedArrayBuffer(contents.byteLength, {
        maxByteLength: 2 * contents.byteLength,
      });
      Object.defineProperty(buffer, "growable", { value: false });
      return placeIn(buffer, contents);
    },
  ],
  [
    "a resizable ArrayBuffer whose prototype says it is not",
    "ArrayBuffer",
    (contents) => {
      const buffer = new ArrayBuffer(contents.byteLength, {
        maxByteLength: 2 * contents.byteLength,
      });
      Object.setPrototypeOf(
        buffer,
        Object.create(ArrayBuffer.prototype, {
          resizable: { value: false },
          growable: { value: false },
        }),
      );
      return placeIn(buffer, contents);
    },
  ],
];

/** A view of `contents.length` elements (or tracking the buffer's length)
 * over `buffer`, holding `contents`. */
function placeIn(
  buffer: ArrayBufferLike,
  contents: FloatArray,
  tracking = false,
): FloatArray {
  const Type = contents.constructor as FloatArrayType;
  const view = tracking
    ? new Type(buffer as ArrayBuffer)
    : new Type(buffer as ArrayBuffer, 0, contents.length);
  view.set(contents);
  return view;
}

/** What an asynchronous form's refusal of memory that can change size
 * says. */
function fixedLengthRefusal(
  Type: FloatArrayType,
  bufferType: string,
): string[] {
  return [
    "must be backed by a fixed-length buffer in an asynchronous call",
    `got a ${Type.name} over a resizable ${bufferType}`,
  ];
}

/** The cases an asynchronous form has beyond its twin's: each array
 * argument and output, alone, over memory that can change size. */
function fixedLengthCases(signature: Signature, Type: FloatArrayType): Case[] {
  const cases: Case[] = [];
  const names = [...signature.arrays, ...signature.outputs];
  for (const name of names) {
    const index = signature.arrays.indexOf(name);
    for (const [label, bufferType, place] of RESIZABLE_PLACEMENTS) {
      cases.push({
        label: `\`${name}\` over ${label}`,
        build: () => {
          const args = validArrays(signature, Type);
          const array = place(filled(Type, lengthOf(name), 3));
          if (index >= 0) args[index] = array;
          else args.push({ [name]: array });
          return { args, hidden: [] };
        },
        error: TypeError,
        names: name,
        says: fixedLengthRefusal(Type, bufferType),
      });
    }
  }
  return cases;
}

/** The cases of `setThreads`: counts that are not numbers, and numbers that
 * are not integers from 1 to 256. */
function threadCountCases(): Case[] {
  const NUMBER = "must be a number";
  const notNumbers: [string, unknown[], string][] = [
    ["missing", [], "got undefined"],
    ["undefined", [undefined], "got undefined"],
    ["a string", ["2"], "got a string (2)"],
    ["an empty string", [""], "got a string ()"],
    ["null", [null], "got null"],
    ["a bigint", [2n], "got a bigint (2)"],
    ["a boolean", [true], "got a boolean (true)"],
    ["a Number object", [new Number(2)], "got an object (Number)"],
    ["an Array", [[2]], "got an Array"],
    ["a plain object", [{ valueOf: () => 2 }], "got an object (Object)"],
    ["a symbol", [Symbol("n")], "got a symbol (Symbol(n))"],
    ["a function", [() => 2], "got a function"],
  ];
  const RANGE = "must be an integer from 1 to 256";
  const outOfRange = [
    NaN,
    0,
    -0,
    -1,
    0.5,
    1.5,
    255.5,
    257,
    1024,
    2 ** 32 + 1, // 1 if it were cut to 32 bits
    2 ** 53,
    Number.MIN_VALUE,
    Number.MAX_VALUE,
    Infinity,
    -Infinity,
  ];
  return [
    ...notNumbers.map(([label, args, came]): Case => ({
      label: `\`count\` ${label === "missing" ? "" : "as "}${label}`,
      build: () => ({ args, hidden: [] }),
      error: TypeError,
      names: "count",
      says: [NUMBER, came],
    })),
    ...outOfRange.map((count): Case => ({
      label: `\`count\` as ${describeValue(count)}`,
      build: () => ({ args: [count], hidden: [] }),
      error: RangeError,
      names: "count",
      says: [RANGE, `got ${count}`],
    })),
  ];
}

function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (Object.is(value, -0)) return "-0";
  if (Array.isArray(value)) return `[${value}]`;
  if (typeof value === "object" && value !== null) {
    return value.constructor.name;
  }
  return String(value);
}

/** Bad values of a parameter, the error each gets, and what its message
 * must say came. */
function badParameters(kind: ParameterKind): [unknown, ErrorType, string][] {
  const notNumbers: [unknown, ErrorType, string][] = [
    ["0.2", TypeError, "got a string (0.2)"],
    [null, TypeError, "got null"],
    [1n, TypeError, "got a bigint (1)"],
    [true, TypeError, "got a boolean (true)"],
    [new Number(1), TypeError, "got an object (Number)"],
    [[1], TypeError, "got an Array"],
  ];
  const nonFinite: [unknown, ErrorType, string][] = [
    [NaN, RangeError, "must be finite, got NaN"],
    [Infinity, RangeError, "must be finite, got Infinity"],
    [-Infinity, RangeError, "must be finite, got -Infinity"],
  ];
  switch (kind) {
    case "finite":
      return [...notNumbers, ...nonFinite];
    case "nonZero":
      return [
        ...notNumbers,
        ...nonFinite,
        [0, RangeError, "must not be 0"],
        [-0, RangeError, "must not be 0"],
      ];
    case "form":
      return [
        ["erf", RangeError, 'must be "none" or "tanh", got "erf"'],
        ["", RangeError, 'got ""'],
        ["TANH", RangeError, 'got "TANH"'],
        ["tanh ", RangeError, 'got "tanh "'],
        // Not a string: a TypeError, as gelu's documentation says.
        [1, TypeError, "got a number (1)"],
        [null, TypeError, "got null"],
        [true, TypeError, "got a boolean (true)"],
        [{}, TypeError, "got an object (Object)"],
      ];
    case "rowLength":
      return [
        ...notNumbers,
        ...[0, -0, -1, -LENGTH, 1.5, NaN, Infinity, -Infinity, 2 ** 53]
          .map((value): [unknown, ErrorType, string] => [
            value,
            RangeError,
            `must be a positive integer, got ${value}`,
          ]),
        ...[4, 5, LENGTH * 2, LENGTH + ROW].map((
          value,
        ): [unknown, ErrorType, string] => [
          value,
          RangeError,
          `must divide the array's length (${LENGTH}), got ${value}`,
        ]),
      ];
  }
}

// The intrinsic accessors, so that a disguised array cannot hide its bytes
// from the before-and-after comparison.
const typedArrayPrototype = Object.getPrototypeOf(Int8Array.prototype);
const intrinsic = (prototype: object, name: string) =>
  Object.getOwnPropertyDescriptor(prototype, name)!.get!;
const typedArrayBuffer = intrinsic(typedArrayPrototype, "buffer");
const dataViewBuffer = intrinsic(DataView.prototype, "buffer");
const arrayBufferLength = intrinsic(ArrayBuffer.prototype, "byteLength");
const sharedBufferLength = intrinsic(SharedArrayBuffer.prototype, "byteLength");
const arrayBufferDetached = intrinsic(ArrayBuffer.prototype, "detached");

/** The whole buffer behind a view, whatever the view claims. */
function bufferBehind(view: ArrayBufferView): ArrayBufferLike {
  return view instanceof DataView
    ? dataViewBuffer.call(view)
    : typedArrayBuffer.call(view);
}

/** Whether `buffer` is a SharedArrayBuffer, whatever its prototype says. */
function isSharedBuffer(buffer: ArrayBufferLike): boolean {
  try {
    sharedBufferLength.call(buffer);
    return true;
  } catch {
    return false;
  }
}

function bufferBytes(buffer: ArrayBufferLike): Uint8Array | "detached" {
  const shared = isSharedBuffer(buffer);
  if (!shared && arrayBufferDetached.call(buffer)) return "detached";
  const length = shared
    ? sharedBufferLength.call(buffer)
    : arrayBufferLength.call(buffer);
  return new Uint8Array(buffer, 0, length).slice();
}

/** Every buffer and plain array a call's arguments reach, options
 * included. */
function reachable(args: unknown[], hidden: ArrayBufferView[]): unknown[] {
  const found: unknown[] = [...hidden];
  const visit = (value: unknown, depth: number): void => {
    if (ArrayBuffer.isView(value)) found.push(bufferBehind(value));
    else if (value instanceof ArrayBuffer) found.push(value);
    else if (Array.isArray(value)) found.push(value);
    else if (depth === 0 && typeof value === "object" && value !== null) {
      // Data properties only: a getter must run in the call, not here.
      const properties = Object.getOwnPropertyDescriptors(value);
      for (const { value: inner } of Object.values(properties)) {
        visit(inner, 1);
      }
    }
  };
  for (const arg of args) visit(arg, 0);
  return found.map((item) =>
    ArrayBuffer.isView(item) ? bufferBehind(item) : item
  );
}

function snapshot(item: unknown): unknown {
  return Array.isArray(item) ? [...item] : bufferBytes(item as ArrayBuffer);
}

/** One entry of the table: a case and the export it calls. */
interface Entry {
  /** The export called. */
  name: string;
  label: string;
  call: AnyFunction;
  testCase: Case;
  /** Whether the export is an asynchronous form, which must reject. */
  rejects: boolean;
  /** The synchronous twin, for a case the twin shares: it must throw what
   * the asynchronous form rejects with. */
  twin?: AnyFunction;
}

/** Calls `call` and returns what it threw or, for an asynchronous form,
 * what its promise rejected with; or else what went wrong. */
async function failureOf(
  call: AnyFunction,
  args: unknown[],
  rejects: boolean,
): Promise<{ error: unknown } | { problem: string }> {
  let result: unknown;
  try {
    result = call(...args);
  } catch (error) {
    return rejects
      ? { problem: `threw ${String(error)} instead of rejecting` }
      : { error };
  }
  if (!rejects) return { problem: "did not throw" };
  if (!(result instanceof Promise)) return { problem: "returned no promise" };
  try {
    await result;
  } catch (error) {
    return { error };
  }
  return { problem: "did not reject" };
}

/** Runs one case; returns what went wrong, or undefined. */
async function runCase(entry: Entry): Promise<string | undefined> {
  const { testCase } = entry;
  const { args, hidden } = testCase.build();
  const items = reachable(args, hidden);
  const before = items.map(snapshot);

  const outcome = await failureOf(entry.call, args, entry.rejects);

  const problems: string[] = [];
  if ("problem" in outcome) {
    problems.push(outcome.problem);
  } else if (
    !(outcome.error instanceof Error) ||
    outcome.error.constructor !== testCase.error
  ) {
    problems.push(
      `threw ${String(outcome.error)}, expected a ${testCase.error.name}`,
    );
  } else {
    const message = outcome.error.message;
    if (!message.startsWith(`\`${testCase.names}\` `)) {
      problems.push(
        `message does not start with \`${testCase.names}\`: ${message}`,
      );
    }
    for (const part of testCase.says) {
      if (!message.includes(part)) {
        problems.push(`message lacks "${part}": ${message}`);
      }
    }
    if (entry.twin !== undefined) {
      const twin = await failureOf(entry.twin, testCase.build().args, false);
      const error = "error" in twin ? twin.error : undefined;
      if (
        !(error instanceof Error) ||
        error.constructor !== outcome.error.constructor ||
        error.message !== message
      ) {
        problems.push(
          `the synchronous form threw ${String(error)}, not the same ` +
            `${outcome.error.constructor.name}: ${message}`,
        );
      }
    }
  }
  if (testCase.mutates) items.length = 0;
  items.forEach((item, i) => {
    try {
      assert.deepEqual(snapshot(item), before[i]);
    } catch {
      problems.push(`changed argument memory ${i}`);
    }
  });
  return problems.length === 0 ? undefined : problems.join("; ");
}

/** Every case of every export (in both types, for the exports that take
 * arrays), with the export to call. */
export function allCases(): Entry[] {
  const all: Entry[] = [];
  const add = (name: string, testCase: Case, Type?: FloatArrayType) => {
    const row = SIGNATURES[name] as Signature;
    all.push({
      name,
      label: `${name}, ${Type ? `${Type.name}: ` : ""}${testCase.label}`,
      call: exports[name] as AnyFunction,
      testCase,
      rejects: row.async === true,
    });
  };
  for (const [name, row] of Object.entries(SIGNATURES)) {
    if (row === THREAD_COUNT) {
      for (const testCase of threadCountCases()) add(name, testCase);
    }
    if (typeof row === "string") continue;
    for (const Type of ARRAY_TYPES) {
      for (const testCase of casesOf(row, Type)) {
        add(name, testCase, Type);
        if (row.async) {
          all.at(-1)!.twin =
            exports[name.slice(0, -ASYNC.length)] as AnyFunction;
        }
      }
      if (!row.async) continue;
      for (const testCase of fixedLengthCases(row, Type)) {
        add(name, testCase, Type);
      }
    }
  }
  return all;
}

async function runTable(): Promise<void> {
  const failures: string[] = [];
  for (const entry of allCases()) {
    const problem = await runCase(entry);
    if (problem !== undefined) failures.push(`${entry.label}: ${problem}`);
  }
  assert.equal(
    failures.length,
    0,
    `${failures.length} bad inputs were not refused as documented:\n` +
      failures.slice(0, 40).join("\n"),
  );
}

Deno.test({
  name: "every bad input is refused before the library is even opened",
  // Denied FFI: a case that reached the loader would throw NotCapable.
  permissions: { ffi: false, read: "inherit", env: "inherit" },
  async fn(): Promise<void> {
    assert.equal(loadedLibraryPath(), undefined, "opened by an earlier test");
    await runTable();
    assert.equal(loadedLibraryPath(), undefined);

    // Without FFI a good call does fail, so the run above proves something:
    // each bad input was refused before the loader.
    const good = new Float32Array(LENGTH);
    for (
      const call of [
        () => act.relu(good),
        () => act.setThreads(2),
        () => act.getThreads(),
        () => act.info(),
      ]
    ) {
      assert.throws(call, Deno.errors.NotCapable);
    }
    await assert.rejects(act.reluAsync(good), Deno.errors.NotCapable);
    assert.equal(loadedLibraryPath(), undefined);
  },
});

Deno.test("the table has a row for every export, and cases for every row", () => {
  assert.deepEqual(
    Object.keys(exports).sort(),
    Object.keys(SIGNATURES).sort(),
    "every export of mod.ts needs a row in SIGNATURES, and only they",
  );
  const counts = new Map<string, number>();
  for (const { name } of allCases()) {
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  for (const [name, call, signature] of callableRows()) {
    // The row's arrays, then options: the function's declared parameters.
    assert.equal(call.length, signature.arrays.length + 1, `${name} arity`);
    const perType = 2 * (signature.arrays.length * 20 + 30);
    assert.ok(
      (counts.get(name) ?? 0) >= perType,
      `${name} has ${counts.get(name)} cases, expected ${perType} at least`,
    );
    if (!signature.async) continue;
    // The twin's cases, and each array alone over memory that can change
    // size.
    const twin = name.slice(0, -ASYNC.length);
    const arrays = signature.arrays.length + signature.outputs.length;
    assert.equal(
      counts.get(name),
      counts.get(twin)! + 2 * arrays * RESIZABLE_PLACEMENTS.length,
      `${name} against ${twin}`,
    );
  }
  assert.equal(act.setThreads.length, 1);
  assert.ok(counts.get("setThreads")! >= 25);
  for (const [name, row] of Object.entries(SIGNATURES)) {
    if (row !== NO_ARGUMENTS) continue;
    assert.equal((exports[name] as AnyFunction).length, 0, name);
    assert.equal(counts.get(name), undefined, name);
  }

  const error = new act.NativeError("act_relu_f32", 3);
  assert.ok(error instanceof Error);
  assert.equal(error.name, "NativeError");
  assert.equal(error.code, 3);
  assert.match(error.message, /act_relu_f32 failed with status 3/);
});

/** Calls an export with fresh valid arrays and returns every array it
 * wrote. */
async function validResults(
  call: AnyFunction,
  signature: Signature,
  Type: FloatArrayType,
  arrays: unknown[] = validArrays(signature, Type),
  options: Record<string, unknown> = {},
): Promise<FloatArray[]> {
  const pending = call(...arrays, options);
  assert.equal(pending instanceof Promise, signature.async === true);
  const result = await pending;
  if (ArrayBuffer.isView(result)) return [result as FloatArray];
  const { dx, dalpha } = result as { dx: FloatArray; dalpha: FloatArray };
  return [dx, dalpha];
}

function assertSameBits(
  actual: FloatArray,
  expected: FloatArray,
  context: string,
): void {
  assert.equal(actual.constructor, expected.constructor, `${context}: type`);
  assert.equal(actual.length, expected.length, `${context}: length`);
  const a = new Uint8Array(actual.buffer, actual.byteOffset, actual.byteLength);
  const e = new Uint8Array(
    expected.buffer,
    expected.byteOffset,
    expected.byteLength,
  );
  assert.deepEqual(a, e, context);
}

Deno.test("after every bad input the library goes on giving the same results", async () => {
  const before = new Map<string, FloatArray[]>();
  for (const [name, call, signature] of callableRows()) {
    for (const Type of ARRAY_TYPES) {
      before.set(
        `${name} ${Type.name}`,
        await validResults(call, signature, Type),
      );
    }
  }
  assert.ok(loadedLibraryPath() !== undefined);
  const threads = act.getThreads();
  const report = act.info();

  await runTable();

  // No refused count changed the setting.
  assert.equal(act.getThreads(), threads);
  assert.deepEqual(act.info(), report);
  for (const [name, call, signature] of callableRows()) {
    for (const Type of ARRAY_TYPES) {
      const now = await validResults(call, signature, Type);
      const then = before.get(`${name} ${Type.name}`)!;
      now.forEach((array, i) =>
        assertSameBits(array, then[i]!, `${name} ${Type.name}`)
      );
      if (!signature.async) continue;
      const twin = before.get(`${name.slice(0, -ASYNC.length)} ${Type.name}`)!;
      now.forEach((array, i) =>
        assertSameBits(array, twin[i]!, `${name} against its twin`)
      );
    }
  }
});

Deno.test("getThreads, info and setThreads ignore extra arguments and report sane values", () => {
  const threads = act.getThreads();
  try {
    assert.ok(
      Number.isInteger(threads) && threads >= 1 && threads <= 256,
      `getThreads() gave ${threads}`,
    );
    assert.equal((act.getThreads as AnyFunction)(7, "x", {}), threads);

    const report = act.info();
    assert.deepEqual(Object.keys(report).sort(), [
      "abiVersion",
      "isa",
      "isaLevels",
      "libraryPath",
      "threads",
      "version",
    ]);
    assert.equal(report.version, PACKAGE_VERSION);
    assert.equal(report.abiVersion, ABI_VERSION);
    const levels = Deno.build.arch === "aarch64"
      ? ["neon"]
      : ["baseline", "avx2", "avx512"];
    assert.ok(report.isaLevels.length >= 1);
    assert.deepEqual(
      report.isaLevels,
      levels.slice(0, report.isaLevels.length),
    );
    assert.ok(report.isaLevels.includes(report.isa), report.isa);
    assert.equal(report.threads, threads);
    assert.equal(report.libraryPath, loadedLibraryPath());
    assert.ok(isAbsolutePath(report.libraryPath), report.libraryPath);
    const again = (act.info as AnyFunction)(1, "x", null);
    assert.notEqual(again, report);
    assert.deepEqual(again, report);

    // Both ends of the range; a second argument is ignored.
    for (const count of [1, 256, 2]) {
      assert.equal((act.setThreads as AnyFunction)(count, 99), undefined);
      assert.equal(act.getThreads(), count);
      assert.equal(act.info().threads, count);
    }
  } finally {
    act.setThreads(threads);
  }
  assert.equal(act.getThreads(), threads);
});

/** Builds an array of `name` holding `contents`, in some unusual memory. */
type Placement = (name: string, contents: FloatArray) => FloatArray;

/**
 * Calls an export with its arrays and outputs placed by `place`, and checks
 * that it writes the given outputs with the bits of a call on plain arrays
 * holding the same contents. Returns the arrays placed, for further checks.
 *
 * When `resizable` names the type of the buffers `place` makes, which can
 * change size, an asynchronous form must instead reject the call with a
 * TypeError that names its first array, and write nothing.
 */
async function assertSameAsPlain(
  name: string,
  call: AnyFunction,
  signature: Signature,
  Type: FloatArrayType,
  place: Placement,
  contents: unknown[] = validArrays(signature, Type),
  resizable?: "ArrayBuffer" | "SharedArrayBuffer",
): Promise<FloatArray[]> {
  const expected = await validResults(
    call,
    signature,
    Type,
    (contents as FloatArray[]).map((array) => array.slice()),
  );
  const inputs = signature.arrays.map((arrayName, i) =>
    place(arrayName, contents[i] as FloatArray)
  );
  const lengths = (contents as FloatArray[]).map((array) => array.length);
  const outputs = signature.outputs.map((output) =>
    place(
      output,
      new Type(output === "dalphaOut" ? lengths[2]! : lengths[0]!).fill(9),
    )
  );
  const options = Object.fromEntries(
    signature.outputs.map((output, i) => [output, outputs[i]]),
  );
  if (signature.async && resizable !== undefined) {
    const pending = call(...inputs, options);
    assert.ok(pending instanceof Promise, `${name}: returned no promise`);
    await assert.rejects(pending, (error: Error) => {
      assert.equal(error.constructor, TypeError, `${name}: ${error}`);
      const [first] = signature.arrays;
      assert.ok(error.message.startsWith(`\`${first}\` `), error.message);
      for (const part of fixedLengthRefusal(Type, resizable)) {
        assert.ok(error.message.includes(part), error.message);
      }
      return true;
    });
    outputs.forEach((output) =>
      assertSameBits(
        output,
        new Type(output.length).fill(9),
        `${name}: wrote an output it refused`,
      )
    );
  } else {
    const results = await validResults(call, signature, Type, inputs, options);
    results.forEach((result, i) => {
      assert.equal(result, outputs[i], `${name}: wrote another array`);
      assertSameBits(result, expected[i]!, `${name} ${Type.name}`);
    });
  }
  inputs.forEach((input, i) =>
    assertSameBits(input, contents[i] as FloatArray, `${name}: input ${i}`)
  );
  return [...inputs, ...outputs];
}

function copyInto(
  Type: FloatArrayType,
  buffer: ArrayBufferLike,
  contents: FloatArray,
  offset = 0,
  tracking = false,
): FloatArray {
  const view = tracking
    ? new Type(buffer as ArrayBuffer, offset * Type.BYTES_PER_ELEMENT)
    : new Type(
      buffer as ArrayBuffer,
      offset * Type.BYTES_PER_ELEMENT,
      contents.length,
    );
  view.set(contents);
  return view;
}

Deno.test("every export accepts arrays over a SharedArrayBuffer", async () => {
  for (const [name, call, signature] of callableRows()) {
    for (const Type of ARRAY_TYPES) {
      const place: Placement = (_, contents) =>
        copyInto(
          Type,
          new SharedArrayBuffer(contents.byteLength),
          contents,
        );
      await assertSameAsPlain(name, call, signature, Type, place);
    }
  }
});

// The asynchronous forms refuse arrays over buffers that can change size
// (Deno's nonblocking calls do): the next two tests check that they reject
// each call with a TypeError, where the synchronous forms follow the size.
Deno.test("a growable SharedArrayBuffer: followed as it grows, refused by async forms", async () => {
  for (const [name, call, signature] of callableRows()) {
    for (const Type of ARRAY_TYPES) {
      const size = Type.BYTES_PER_ELEMENT;
      const buffers = new Map<string, SharedArrayBuffer>();
      const place: Placement = (arrayName, contents) => {
        let buffer = buffers.get(arrayName);
        if (buffer === undefined) {
          buffer = new SharedArrayBuffer(0, { maxByteLength: 64 * size });
          buffers.set(arrayName, buffer);
        }
        buffer.grow(contents.length * size);
        return copyInto(Type, buffer, contents, 0, true);
      };
      for (const scale of [1, 2, 5]) {
        const contents = signature.arrays.map((arrayName, i) =>
          filled(Type, lengthOf(arrayName) * scale, i + scale)
        );
        await assertSameAsPlain(
          name,
          call,
          signature,
          Type,
          place,
          contents,
          "SharedArrayBuffer",
        );
      }
    }
  }
});

Deno.test("a resizable buffer: its length read at each call, refused by async forms", async () => {
  for (const [name, call, signature] of callableRows()) {
    for (const Type of ARRAY_TYPES) {
      const size = Type.BYTES_PER_ELEMENT;
      const views = new Map<string, [ArrayBuffer, FloatArray]>();
      const place: Placement = (arrayName, contents) => {
        let entry = views.get(arrayName);
        if (entry === undefined) {
          const buffer = new ArrayBuffer(0, { maxByteLength: 64 * size });
          entry = [buffer, new Type(buffer)];
          views.set(arrayName, entry);
        }
        // The same length-tracking view at every call, resized.
        const [buffer, view] = entry;
        buffer.resize(contents.length * size);
        view.set(contents);
        return view;
      };
      // Lengths up, down to nothing and back, all multiples of ROW.
      for (const [step, length] of [6, 12, 3, 0, 9].entries()) {
        const contents = signature.arrays.map((arrayName, i) =>
          arrayName === "alpha"
            ? filled(Type, 1 + (step % 3), i)
            : filled(Type, length, i + step)
        );
        const placed = await assertSameAsPlain(
          name,
          call,
          signature,
          Type,
          place,
          contents,
          "ArrayBuffer",
        );
        assert.equal(placed[0]!.length, length, `${name}: length tracked`);
      }
    }
  }
});

Deno.test("every export accepts empty arrays", async () => {
  for (const [name, call, signature] of callableRows()) {
    for (const Type of ARRAY_TYPES) {
      const contents = signature.arrays.map((arrayName, i) =>
        arrayName === "alpha" ? filled(Type, SLOPES, i) : new Type(0)
      );
      const results = await validResults(call, signature, Type, contents);
      assert.equal(results[0]!.length, 0, name);
      assert.ok(results[0] instanceof Type, name);
      if (results.length > 1) {
        // No element uses a slope, so every slope's gradient is +0.
        assertSameBits(results[1]!, new Type(SLOPES), `${name} dalpha`);
      }
      for (const parameter of Object.keys(signature.parameters)) {
        if (signature.parameters[parameter] !== "rowLength") continue;
        const rows = await validResults(call, signature, Type, contents, {
          [parameter]: ROW,
        });
        assert.equal(rows[0]!.length, 0, `${name} with rows of ${ROW}`);
      }
    }
  }
});

Deno.test("every export accepts views at odd element offsets", async () => {
  const GUARD = 1234.5;
  for (const [name, call, signature] of callableRows()) {
    for (const Type of ARRAY_TYPES) {
      for (const offset of [1, 3]) {
        const wholes: FloatArray[] = [];
        const place: Placement = (_, contents) => {
          const whole = new Type(contents.length + offset + 2).fill(GUARD);
          wholes.push(whole);
          return copyInto(Type, whole.buffer, contents, offset);
        };
        const placed = await assertSameAsPlain(
          name,
          call,
          signature,
          Type,
          place,
        );
        wholes.forEach((whole, i) => {
          const length = placed[i]!.length;
          const guards = [
            ...whole.subarray(0, offset),
            ...whole.subarray(offset + length),
          ];
          assert.deepEqual(
            guards,
            [GUARD, GUARD, GUARD].concat(
              offset === 3 ? [GUARD, GUARD] : [],
            ),
            `${name}: wrote outside the view at offset ${offset}`,
          );
        });
      }
    }
  }
});

Deno.test("an output may be another view of exactly an input's memory", async () => {
  for (const [name, call, signature] of callableRows()) {
    for (const Type of ARRAY_TYPES) {
      // Any input the output has the length of, but not the slopes.
      const inputs = signature.arrays.filter((input) => input !== "alpha");
      for (const input of inputs) {
        const contents = validArrays(signature, Type) as FloatArray[];
        const index = signature.arrays.indexOf(input);
        const expected = await validResults(
          call,
          signature,
          Type,
          contents.map((array) => array.slice()),
        );
        const args = contents.slice();
        const source = args[index]!;
        const out = new Type(
          source.buffer as ArrayBuffer,
          source.byteOffset,
          source.length,
        );
        const results = await validResults(call, signature, Type, args, {
          out,
        });
        assert.equal(results[0], out);
        assertSameBits(out, expected[0]!, `${name} in place over ${input}`);
      }
    }
  }
});

Deno.test("an output may touch an input's memory without overlapping it", async () => {
  for (const [name, call, signature] of callableRows()) {
    for (const Type of ARRAY_TYPES) {
      for (const output of signature.outputs) {
        for (const other of signature.arrays) {
          for (const outputFirst of [false, true]) {
            const contents = validArrays(signature, Type) as FloatArray[];
            const expected = await validResults(
              call,
              signature,
              Type,
              contents.map((array) => array.slice()),
            );
            const index = signature.arrays.indexOf(other);
            const otherLength = lengthOf(other);
            const outputLength = lengthOf(output);
            const whole = new Type(otherLength + outputLength);
            const [otherStart, outputStart] = outputFirst
              ? [outputLength, 0]
              : [0, otherLength];
            const args = contents.slice();
            args[index] = whole.subarray(otherStart, otherStart + otherLength);
            args[index].set(contents[index]!);
            const view = whole.subarray(
              outputStart,
              outputStart + outputLength,
            );
            const results = await validResults(call, signature, Type, args, {
              [output]: view,
            });
            const written = results[output === "out" ? 0 : 1]!;
            assert.equal(written, view);
            assertSameBits(
              written,
              expected[output === "out" ? 0 : 1]!,
              `${name}: \`${output}\` beside \`${other}\``,
            );
          }
        }
      }
    }
  }
});

Deno.test("a program's Symbol.hasInstance cannot choose the kernel's type", async () => {
  // `instanceof` runs whatever the program installed; the kernel of the other
  // element type would read and write past the array's memory.
  const sigmoidOf = (Type: typeof Float32Array | typeof Float64Array) => [
    ...act.sigmoid(new Type([0, 1])),
  ];
  const expected = [sigmoidOf(Float32Array), sigmoidOf(Float64Array)];
  for (const values of expected) {
    assert.equal(values[0], 0.5);
    assert.ok(Math.abs(values[1]! - 0.7310585786300049) < 2e-7);
  }
  for (const answer of [false, true]) {
    for (const Type of [Float32Array, Float64Array]) {
      Object.defineProperty(Type, Symbol.hasInstance, {
        value: () => answer,
        configurable: true,
      });
    }
    try {
      for (const Type of [Float32Array, Float64Array]) {
        const memory = new Type(12).fill(-1);
        const x = memory.subarray(4, 8);
        x.set([-2, -1, 1, 2]);
        assert.equal(act.relu(x, { out: x }), x);
        const guard = [-1, -1, -1, -1];
        assert.deepEqual([...memory], [...guard, 0, 0, 1, 2, ...guard]);

        const y = act.sigmoid(new Type([0, 1]));
        assert.equal(Object.getPrototypeOf(y), Type.prototype);
        assert.deepEqual([...y], expected[Type === Float32Array ? 0 : 1]);

        const z = await act.reluAsync(new Type([-3, 3]));
        assert.equal(Object.getPrototypeOf(z), Type.prototype);
        assert.deepEqual([...z], [0, 3]);
      }
    } finally {
      for (const Type of [Float32Array, Float64Array]) {
        delete (Type as unknown as Record<symbol, unknown>)[Symbol.hasInstance];
      }
    }
  }
});
