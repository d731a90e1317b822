// The asynchronous forms against the synchronous ones: the same bits in
// every way of calling, hundreds in flight at once, the same errors (as
// rejected promises), and arrays kept alive while a kernel runs.

import assert from "node:assert/strict";
import * as act from "../mod.ts";
import type { FloatArray } from "../mod.ts";
import { DESCRIPTIONS } from "../src/catalog.ts";
import {
  type ChildResult,
  LIBRARY_PERMISSIONS,
  runChildScript,
} from "./_child.ts";
import {
  argumentsFor,
  ARRAY_TYPES,
  asyncForm,
  type Call,
  CALLS,
  copyOf,
  firstDifference,
  type FloatArrayType,
  resultArrays,
  sameBits,
  sampleArray,
  syncForm,
} from "./_calls.ts";

const LENGTHS = [0, 1, 9, 1035, 262_152];

const RUNTIME_EXPORTS = new Set(["setThreads", "getThreads", "info"]);

function assertSameArrays(
  actual: FloatArray[],
  expected: FloatArray[],
  context: string,
): void {
  assert.equal(actual.length, expected.length, context);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(
      sameBits(actual[i]!, expected[i]!),
      `${context}, result ${i}: ${firstDifference(actual[i]!, expected[i]!)}`,
    );
  }
}

/** A view of a copy of `array` that starts `offset` elements into a larger
 * buffer, with a guard element after it. */
function offsetCopy(array: FloatArray, offset: number): FloatArray {
  const Type = array.constructor as FloatArrayType;
  const buffer = new ArrayBuffer(
    (array.length + offset + 1) * Type.BYTES_PER_ELEMENT,
  );
  const view = new Type(buffer, offset * Type.BYTES_PER_ELEMENT, array.length);
  view.set(array);
  return view;
}

Deno.test("every public function has an asynchronous form, built from the catalog", () => {
  const exports = act as unknown as Record<string, unknown>;
  const functions = Object.keys(exports).filter((name) =>
    typeof exports[name] === "function" && name !== "NativeError" &&
    !RUNTIME_EXPORTS.has(name) && !name.endsWith("Async")
  );

  const described = new Set(DESCRIPTIONS.map((entry) => entry.name));
  for (const name of functions) {
    assert.equal(
      typeof exports[`${name}Async`],
      "function",
      `${name} has no asynchronous form`,
    );
    if (name !== "swish" && name !== "swishGrad") {
      assert.ok(described.has(name), `${name} is not in the catalog`);
    }
  }
  assert.equal(described.size, functions.length - 2);
  assert.equal(act.swishAsync, act.siluAsync);
  assert.equal(act.swishGradAsync, act.siluGradAsync);

  const asyncNames = Object.keys(exports).filter((name) =>
    name.endsWith("Async")
  );
  assert.equal(asyncNames.length, functions.length);
});

/** The ways of calling: a new output, a given one, in place over each input
 * that may be the output, and views at odd offsets. */
function callingWays(
  call: Call,
  arrays: FloatArray[],
): { way: string; arrays: FloatArray[]; out?: number; dalphaOut?: boolean }[] {
  const ways: {
    way: string;
    arrays: FloatArray[];
    out?: number;
    dalphaOut?: boolean;
  }[] = [
    { way: "new output", arrays },
    { way: "into out", arrays, out: -1, dalphaOut: true },
    { way: "in place", arrays, out: 0 },
    {
      way: "odd offsets",
      arrays: arrays.map((array, i) => offsetCopy(array, 2 * i + 1)),
      out: -1,
      dalphaOut: true,
    },
  ];
  if (
    call.description.shape !== "forward" && call.description.shape !== "prelu"
  ) {
    ways.push({ way: "in place over the second", arrays, out: 1 });
  }
  return ways;
}

/** The options of one way of calling, with its output arrays made. */
function optionsFor(
  call: Call,
  arrays: FloatArray[],
  out: number | undefined,
  dalphaOut: boolean | undefined,
): Record<string, unknown> {
  const options = call.options(arrays[0]!.length);
  const Type = arrays[0]!.constructor as FloatArrayType;
  if (out === -1) options.out = new Type(arrays[0]!.length).fill(NaN);
  else if (out !== undefined) options.out = arrays[out];
  if (dalphaOut && call.description.shape === "preluGradient") {
    options.dalphaOut = new Type(arrays[2]!.length).fill(NaN);
  }
  return options;
}

Deno.test("each asynchronous form gives its synchronous form's bits", async (t) => {
  for (const call of CALLS) {
    await t.step(call.label, async () => {
      for (const Type of ARRAY_TYPES) {
        for (const length of LENGTHS) {
          const originals = argumentsFor(call, Type, length);
          for (const way of callingWays(call, originals)) {
            // Large arrays, split between threads, only in two ways: the
            // offsets and outputs do not change how a split is made.
            if (
              length > 1 << 16 && way.way !== "new output" &&
              way.way !== "in place"
            ) {
              continue;
            }
            const context = `${call.label}, ${Type.name}, ${length}, ` +
              way.way;
            const asyncArrays = way.arrays.map(copyOf).map((array, i) =>
              way.way === "odd offsets" ? offsetCopy(array, 2 * i + 1) : array
            );
            const syncArrays = way.arrays.map(copyOf);
            const asyncOptions = optionsFor(
              call,
              asyncArrays,
              way.out,
              way.dalphaOut,
            );
            const syncOptions = optionsFor(
              call,
              syncArrays,
              way.out,
              way.dalphaOut,
            );

            const pending = asyncForm(call)(...asyncArrays, asyncOptions);
            assert.ok(pending instanceof Promise, context);
            const expected = syncForm(call)(...syncArrays, syncOptions);
            const actual = await pending;

            assertSameArrays(
              resultArrays(actual),
              resultArrays(expected),
              context,
            );
            if (asyncOptions.out !== undefined) {
              assert.equal(resultArrays(actual)[0], asyncOptions.out, context);
            }
            if (asyncOptions.dalphaOut !== undefined) {
              assert.equal(
                resultArrays(actual)[1],
                asyncOptions.dalphaOut,
                context,
              );
            }
            // The inputs not written in place hold what they held.
            for (let i = 0; i < asyncArrays.length; i++) {
              if (asyncArrays[i] === asyncOptions.out) continue;
              assert.ok(
                sameBits(asyncArrays[i]!, way.arrays[i]!),
                `${context}: argument ${i} changed`,
              );
            }
          }
        }
      }
    });
  }
});

Deno.test("hundreds of asynchronous calls in flight at once each give the synchronous result", async () => {
  const CALL_COUNT = 600;
  let seed = 7;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };

  let settled = 0;
  const started: {
    context: string;
    pending: Promise<unknown>;
    expected: FloatArray[];
    inputs: FloatArray[];
    originals: FloatArray[];
    out: FloatArray | undefined;
  }[] = [];
  for (let i = 0; i < CALL_COUNT; i++) {
    const call = CALLS[Math.floor(random() * CALLS.length)]!;
    const Type = ARRAY_TYPES[i % 2]!;
    const length = 9 * (1 + Math.floor(random() * 800));
    const inputs = argumentsFor(call, Type, length, i);
    const originals = inputs.map(copyOf);
    const inPlace = random() < 0.3;
    const options = call.options(length);
    if (inPlace) options.out = inputs[0];

    const syncInputs = originals.map(copyOf);
    const expected = resultArrays(
      syncForm(call)(
        ...syncInputs,
        inPlace ? { ...options, out: syncInputs[0] } : options,
      ),
    );
    const pending = asyncForm(call)(...inputs, options);
    pending.then(() => settled++);
    started.push({
      context: `call ${i}: ${call.label}, ${Type.name}, ${length}` +
        (inPlace ? ", in place" : ""),
      pending,
      expected,
      inputs,
      originals,
      out: options.out as FloatArray | undefined,
    });
  }
  // No promise can settle before this function yields, so all were started
  // while the others were in flight.
  assert.equal(settled, 0);

  const results = await Promise.all(started.map((entry) => entry.pending));
  for (let i = 0; i < started.length; i++) {
    const entry = started[i]!;
    assertSameArrays(resultArrays(results[i]), entry.expected, entry.context);
    for (let j = 0; j < entry.inputs.length; j++) {
      if (entry.inputs[j] === entry.out) continue;
      assert.ok(
        sameBits(entry.inputs[j]!, entry.originals[j]!),
        `${entry.context}: argument ${j} changed`,
      );
    }
  }
  assert.equal(settled, CALL_COUNT);
});

Deno.test("synchronous calls run while asynchronous ones are in flight", async () => {
  const x = sampleArray(Float32Array, 1 << 20, 3);
  const pending = [act.geluAsync(x), act.softplusAsync(x), act.mishAsync(x)];
  const small = sampleArray(Float64Array, 1000, 4);
  const syncResults = Array.from({ length: 100 }, () => act.tanh(small));
  const expected = [act.gelu(x), act.softplus(x), act.mish(x)];

  assertSameArrays(await Promise.all(pending), expected, "large calls");
  for (const result of syncResults) {
    assertSameArrays([result], [act.tanh(small)], "sync calls");
  }
});

// ---------------------------------------------------------------------------
// Bad arguments

/** A detached array of the given type. */
function detached(Type: FloatArrayType, length: number): FloatArray {
  const array = new Type(length);
  array.buffer.transfer();
  return array;
}

interface BadCall {
  label: string;
  args: unknown[];
}

/** Bad arguments for one call: each array and each option replaced in
 * turn, in every way the checks refuse. */
function badCalls(call: Call, Type: FloatArrayType): BadCall[] {
  const length = 18;
  const good = (): FloatArray[] => argumentsFor(call, Type, length);
  const options = (): Record<string, unknown> => call.options(length);
  const Other = Type === Float32Array ? Float64Array : Float32Array;
  const bad: BadCall[] = [];

  const shape = call.description.shape;
  const slopesIndex = shape === "prelu"
    ? 1
    : shape === "preluGradient"
    ? 2
    : -1;
  const arrayCount = good().length;
  for (let i = 0; i < arrayCount; i++) {
    // A forward's input alone fixes the output's type and length, and the
    // slopes may have any length but 0.
    const typeMatters = shape !== "forward";
    const lengthMatters = i !== slopesIndex &&
      !(i === 0 && (shape === "forward" || shape === "prelu"));
    const emptyMatters = lengthMatters || i === slopesIndex;
    const replacements: [string, () => unknown, boolean][] = [
      ["undefined", () => undefined, true],
      ["null", () => null, true],
      ["a number", () => 1, true],
      ["a plain Array", () => Array.from({ length }, () => 1), true],
      ["an Int32Array", () => new Int32Array(length), true],
      ["a detached array", () => detached(Type, length), true],
      ["of the other type", () => new Other(length), typeMatters],
      ["a shorter array", () => new Type(length - 1), lengthMatters],
      ["an empty array", () => new Type(0), emptyMatters],
    ];
    for (const [what, make, refused] of replacements) {
      if (!refused) continue;
      const args: unknown[] = [...good(), options()];
      args[i] = make();
      bad.push({ label: `argument ${i} is ${what}`, args });
    }
  }
  bad.push({ label: "an argument is missing", args: good().slice(0, -1) });

  for (const value of ["options", 5, null, true]) {
    bad.push({ label: `options is ${value}`, args: [...good(), value] });
  }

  const outs: [string, (arrays: FloatArray[]) => unknown][] = [
    ["of the other type", () => new Other(length)],
    ["of another length", () => new Type(length + 1)],
    ["a plain Array", () => new Array(length).fill(0)],
    ["detached", () => detached(Type, length)],
    [
      "overlapping the first input",
      (arrays) =>
        new Type(
          arrays[0]!.buffer as ArrayBuffer,
          Type.BYTES_PER_ELEMENT,
          length - 1,
        ),
    ],
    [
      "overlapping the second input",
      (arrays) =>
        arrays.length > 1 && arrays[1]!.length === length
          ? new Type(
            arrays[1]!.buffer as ArrayBuffer,
            Type.BYTES_PER_ELEMENT,
            length - 1,
          )
          : undefined,
    ],
  ];
  for (const [what, make] of outs) {
    const arrays = good();
    const out = make(arrays);
    if (out === undefined) continue;
    bad.push({
      label: `out is ${what}`,
      args: [...arrays, { ...options(), out }],
    });
  }

  for (const reader of call.description.options) {
    const values: unknown[] = reader.kind === "axisLength"
      ? ["9", 0, -9, 1.5, NaN, 4]
      : reader.kind === "approximate"
      ? ["exact", 1, null]
      : reader.kind === "nonZero"
      ? ["1", NaN, Infinity, -Infinity, 0, 2n]
      : ["1", NaN, Infinity, -Infinity, 2n];
    const name = reader.kind === "axisLength"
      ? "axisLength"
      : reader.kind === "approximate"
      ? "approximate"
      : reader.name;
    for (const value of values) {
      bad.push({
        label: `${name} is ${String(value)}`,
        args: [...good(), { ...options(), [name]: value }],
      });
    }
  }

  if (call.description.shape === "prelu") {
    // An output that shares memory with the slopes.
    const buffer = new ArrayBuffer((length + 3) * Type.BYTES_PER_ELEMENT);
    const alpha = new Type(buffer, 0, 3).fill(0.5);
    const out = new Type(buffer, Type.BYTES_PER_ELEMENT, length);
    bad.push({
      label: "out shares memory with alpha",
      args: [good()[0], alpha, { out }],
    });
  }
  if (call.description.shape === "preluGradient") {
    const [dy, x, alpha] = good();
    const dalphaOuts: [string, unknown][] = [
      ["of the other type", new Other(3)],
      ["of another length", new Type(4)],
      ["alpha itself", alpha],
      ["over dy", new Type(dy!.buffer as ArrayBuffer, 0, 3)],
      ["over x", new Type(x!.buffer as ArrayBuffer, 0, 3)],
    ];
    for (const [what, dalphaOut] of dalphaOuts) {
      bad.push({
        label: `dalphaOut is ${what}`,
        args: [dy, x, alpha, { dalphaOut }],
      });
    }
    const out = new Type(length);
    bad.push({
      label: "dalphaOut is over out",
      args: [dy, x, alpha, { out, dalphaOut: new Type(out.buffer, 0, 3) }],
    });
  }
  return bad;
}

/** Copies of every array among the arguments, to check none changed. */
function snapshot(args: unknown[]): () => void {
  const arrays: [FloatArray, FloatArray][] = [];
  const visit = (value: unknown): void => {
    if (
      (value instanceof Float32Array || value instanceof Float64Array) &&
      !(value.buffer as ArrayBuffer).detached
    ) {
      arrays.push([value, value.slice()]);
    } else if (value !== null && typeof value === "object") {
      for (const inner of Object.values(value)) visit(inner);
    }
  };
  args.forEach(visit);
  return () => {
    for (const [array, copy] of arrays) {
      assert.ok(sameBits(array, copy), "an argument changed");
    }
  };
}

Deno.test("a bad argument rejects the promise with the synchronous form's error", async (t) => {
  let checked = 0;
  for (const call of CALLS) {
    await t.step(call.label, async () => {
      for (const Type of ARRAY_TYPES) {
        for (const { label, args } of badCalls(call, Type)) {
          const context = `${call.label}, ${Type.name}: ${label}`;
          let syncError: unknown;
          try {
            syncForm(call)(...args);
          } catch (error) {
            syncError = error;
          }
          assert.ok(
            syncError instanceof TypeError || syncError instanceof RangeError,
            `${context}: the synchronous form did not refuse it`,
          );

          const unchanged = snapshot(args);
          let pending: Promise<unknown> | undefined;
          assert.doesNotThrow(() => {
            pending = asyncForm(call)(...args);
          }, context);
          assert.ok(pending instanceof Promise, context);
          const asyncError = await pending.then(
            () => assert.fail(`${context}: the promise resolved`),
            (error: unknown) => error,
          );
          assert.equal(
            (asyncError as Error).constructor,
            syncError.constructor,
            context,
          );
          assert.equal((asyncError as Error).message, syncError.message);
          unchanged();
          checked++;
        }
      }
    });
  }
  assert.ok(checked > 1500, `only ${checked} bad calls`);
});

/** The names of a call's array arguments, as its errors give them. */
function argumentNames(call: Call): string[] {
  const { shape, inputName } = call.description;
  switch (shape) {
    case "forward":
      return ["x"];
    case "gradient":
      return ["dy", inputName!];
    case "prelu":
      return ["x", "alpha"];
    case "preluGradient":
      return ["dy", "x", "alpha"];
  }
}

Deno.test("arrays over resizable buffers are refused by the asynchronous forms alone", async (t) => {
  const makers: [string, (bytes: number) => ArrayBufferLike][] = [
    [
      "resizable ArrayBuffer",
      (bytes) => new ArrayBuffer(bytes, { maxByteLength: 2 * bytes }),
    ],
    [
      "growable SharedArrayBuffer",
      (bytes) => new SharedArrayBuffer(bytes, { maxByteLength: 2 * bytes }),
    ],
  ];
  for (const [what, make] of makers) {
    await t.step(what, async () => {
      for (const call of CALLS) {
        for (const Type of ARRAY_TYPES) {
          const arrays = argumentsFor(call, Type, 18);
          const names = [...argumentNames(call), "out"];
          for (let i = 0; i < names.length; i++) {
            const args: unknown[] = arrays.map(copyOf);
            const options = call.options(18);
            const source = i < arrays.length ? arrays[i]! : new Type(18);
            const resizable = new Type(
              make(source.byteLength) as ArrayBuffer,
            ) as FloatArray;
            resizable.set(source);
            if (i < arrays.length) args[i] = resizable;
            else options.out = resizable;
            args.push(options);

            // The synchronous form takes it.
            const expected = syncForm(call)(
              ...args.map((value) =>
                ArrayBuffer.isView(value) ? copyOf(value as FloatArray) : value
              ),
            );
            assert.ok(resultArrays(expected).length > 0);

            const before = resizable.slice();
            const error = await asyncForm(call)(...args).then(
              () => assert.fail(`${call.label}: the promise resolved`),
              (error: unknown) => error,
            );
            assert.ok(error instanceof TypeError, call.label);
            assert.equal(
              error.message,
              `\`${names[i]}\` must be backed by a fixed-length buffer in ` +
                `an asynchronous call, got a ${Type.name} over a resizable ` +
                resizable.buffer.constructor.name,
            );
            assert.ok(sameBits(resizable, before), call.label);
          }
        }
      }
    });
  }
});

// ---------------------------------------------------------------------------
// In child processes: the collector, and a library that cannot be opened

const modUrl = new URL("../mod.ts", import.meta.url).href;

function runScript(
  script: string,
  env: Record<string, string> = {},
  v8Flags: string[] = [],
): Promise<ChildResult> {
  return runChildScript(script, {
    env,
    args: [...LIBRARY_PERMISSIONS, ...v8Flags],
  });
}

Deno.test("arrays the caller dropped stay alive until the promise settles", async () => {
  // Each call's input and output are reachable only through the call while
  // the collector runs, over and over, under the running kernels.
  const script = `
    import * as act from "${modUrl}";
    const expected = [];
    const pending = [];
    for (let i = 0; i < 24; i++) {
      (() => {
        const x = new Float64Array(1 << 16);
        for (let j = 0; j < x.length; j++) x[j] = Math.sin(i * 7919 + j) * 20;
        expected.push(act.softplus(x));
        pending.push(i % 2 ? act.softplusAsync(x) :
          act.softplusAsync(x, { out: x }));
      })();
      globalThis.gc();
    }
    for (let i = 0; i < 10; i++) {
      globalThis.gc();
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    const results = await Promise.all(pending);
    let same = 0;
    for (let i = 0; i < results.length; i++) {
      if (results[i].every((v, j) => Object.is(v, expected[i][j]))) same++;
    }
    console.log(same + " of " + results.length);
  `;
  const result = await runScript(script, {}, ["--v8-flags=--expose-gc"]);
  assert.equal(result.stdout.trim(), "24 of 24", result.stderr);
  assert.equal(result.code, 0);
});

Deno.test("a library that cannot be opened rejects the promise, after the argument checks", async () => {
  const script = `
    import * as act from "${modUrl}";
    const report = async (promise) => {
      try {
        await promise;
        return "resolved";
      } catch (error) {
        return error.constructor.name + ": " + error.message.split("\\n")[0];
      }
    };
    let threw = false;
    let bad, good;
    try {
      bad = act.reluAsync(null);
      good = act.reluAsync(new Float32Array(4));
    } catch {
      threw = true;
    }
    console.log(JSON.stringify({
      threw,
      bad: await report(bad),
      good: await report(good),
    }));
  `;
  const result = await runScript(script, {
    ACTIVATIONS_LIB_PATH: "/nonexistent/libactivations.so",
  });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), {
    threw: false,
    bad: "TypeError: `x` must be a Float32Array or Float64Array, got null",
    good: "Error: Cannot load the native library: ACTIVATIONS_LIB_PATH " +
      'names "/nonexistent/libactivations.so", which is not a file',
  });
});
