// Splitting a call between threads, and the streaming stores of large
// outputs, change no bit of any result: every function and gradient gives
// on 2 and 5 threads, at every instruction level this processor runs,
// what it gives on one thread at the baseline level, and writes nothing
// outside its output.

import assert from "node:assert/strict";
import * as act from "../mod.ts";
import type { FloatArray } from "../mod.ts";
import { loadLibrary } from "../ffi/load.ts";
import {
  ARRAY_TYPES,
  assertSameBits,
  type FloatArrayType,
  offsetView,
  sampleInput,
} from "./_helpers.ts";

type Call = (x: FloatArray, dy: FloatArray, out: FloatArray) => void;

const slopes = (Type: FloatArrayType) => new Type([0.1, 0.2, -0.3, 0.4]);

/** Each function and gradient, writing into `out`. */
function calls(Type: FloatArrayType): [string, Call][] {
  return [
    ["relu", (x, _, out) => act.relu(x, { out })],
    ["reluGrad", (x, dy, out) => act.reluGrad(dy, x, { out })],
    ["relu6", (x, _, out) => act.relu6(x, { out })],
    ["relu6Grad", (x, dy, out) => act.relu6Grad(dy, x, { out })],
    ["leakyRelu", (x, _, out) => act.leakyRelu(x, { out, alpha: 0.3 })],
    [
      "leakyReluGrad",
      (x, dy, out) => act.leakyReluGrad(dy, x, { out, alpha: 0.3 }),
    ],
    ["prelu", (x, _, out) => act.prelu(x, slopes(Type), { out })],
    ["elu", (x, _, out) => act.elu(x, { out, alpha: 0.5 })],
    ["eluGrad", (x, dy, out) => act.eluGrad(dy, x, { out, alpha: 0.5 })],
    ["selu", (x, _, out) => act.selu(x, { out })],
    ["seluGrad", (x, dy, out) => act.seluGrad(dy, x, { out })],
    ["celu", (x, _, out) => act.celu(x, { out, alpha: 2 })],
    ["celuGrad", (x, dy, out) => act.celuGrad(dy, x, { out, alpha: 2 })],
    ["gelu", (x, _, out) => act.gelu(x, { out })],
    ["geluGrad", (x, dy, out) => act.geluGrad(dy, x, { out })],
    ["gelu tanh", (x, _, out) => act.gelu(x, { out, approximate: "tanh" })],
    [
      "geluGrad tanh",
      (x, dy, out) => act.geluGrad(dy, x, { out, approximate: "tanh" }),
    ],
    ["silu", (x, _, out) => act.silu(x, { out, beta: 1.5 })],
    ["siluGrad", (x, dy, out) => act.siluGrad(dy, x, { out, beta: 1.5 })],
    ["mish", (x, _, out) => act.mish(x, { out })],
    ["mishGrad", (x, dy, out) => act.mishGrad(dy, x, { out })],
    ["sigmoid", (x, _, out) => act.sigmoid(x, { out })],
    ["sigmoidGrad", (x, dy, out) => act.sigmoidGrad(dy, x, { out })],
    ["hardSigmoid", (x, _, out) => act.hardSigmoid(x, { out })],
    ["hardSigmoidGrad", (x, dy, out) => act.hardSigmoidGrad(dy, x, { out })],
    ["hardSwish", (x, _, out) => act.hardSwish(x, { out })],
    ["hardSwishGrad", (x, dy, out) => act.hardSwishGrad(dy, x, { out })],
    ["tanh", (x, _, out) => act.tanh(x, { out })],
    ["tanhGrad", (x, dy, out) => act.tanhGrad(dy, x, { out })],
    ["softplus", (x, _, out) => act.softplus(x, { out, beta: 2 })],
    [
      "softplusGrad",
      (x, dy, out) => act.softplusGrad(dy, x, { out, beta: 2 }),
    ],
    ["softsign", (x, _, out) => act.softsign(x, { out })],
    ["softsignGrad", (x, dy, out) => act.softsignGrad(dy, x, { out })],
    ["softmax", (x, _, out) => act.softmax(x, { out, axisLength: 97 })],
    [
      "softmaxGrad",
      (x, dy, out) => act.softmaxGrad(dy, x, { out, axisLength: 97 }),
    ],
    ["logSoftmax", (x, _, out) => act.logSoftmax(x, { out, axisLength: 97 })],
    [
      "logSoftmaxGrad",
      (x, dy, out) => act.logSoftmaxGrad(dy, x, { out, axisLength: 97 }),
    ],
  ];
}

const native = loadLibrary();
const THREAD_COUNTS = [2, 5];

/** Runs `body` with the given thread count and level, then restores both. */
function withSettings(
  threads: number,
  level: number,
  body: () => void,
): void {
  const savedThreads = native.act_get_threads();
  const savedLevel = native.act_isa_level();
  assert.equal(native.act_set_threads(threads), 0);
  assert.equal(native.act_set_isa_level(level), 0);
  try {
    body();
  } finally {
    native.act_set_threads(savedThreads);
    native.act_set_isa_level(savedLevel);
  }
}

/** Asserts the same bits, NaN payloads aside, comparing 32-bit words first
 * since that is fast, and element by element only when some word differs. */
function assertSameResult(
  actual: FloatArray,
  expected: FloatArray,
  context: string,
): void {
  const words = (a: FloatArray) =>
    new Int32Array(a.buffer, a.byteOffset, a.byteLength / 4);
  const got = words(actual);
  const want = words(expected);
  assert.equal(got.length, want.length, `${context} length`);
  for (let i = 0; i < got.length; i++) {
    if (got[i] !== want[i]) {
      assertSameBits(actual, expected, context);
      return;
    }
  }
}

/** Calls into a view at an odd offset inside a buffer filled with a marker,
 * and checks that the marker around the view survives. */
function callIntoView(
  Type: FloatArrayType,
  call: Call,
  x: FloatArray,
  dy: FloatArray,
  context: string,
): FloatArray {
  const marker = -12345.5;
  const whole = new Type(x.length + 6).fill(marker);
  const out = whole.subarray(3, 3 + x.length);
  call(x, dy, out);
  for (let i = 0; i < 3; i++) assert.equal(whole[i], marker, context);
  for (let i = 3 + out.length; i < whole.length; i++) {
    assert.equal(whole[i], marker, `${context}: wrote past the end`);
  }
  return out;
}

// 97 * 3001 elements: several parts at each thread count, a length that is
// no multiple of a vector, and whole rows for the row functions.
const SPLIT_LENGTH = 97 * 3001;

for (const Type of ARRAY_TYPES) {
  for (const [name, call] of calls(Type)) {
    Deno.test(`${name} in ${Type.name}: same bits on any thread count and level`, () => {
      const x = offsetView(Type, sampleInput(Type, SPLIT_LENGTH, 3), 1);
      const dy = offsetView(Type, sampleInput(Type, SPLIT_LENGTH, 4), 5);
      let expected: FloatArray | undefined;
      withSettings(1, 0, () => {
        expected = callIntoView(Type, call, x, dy, `${name} on one thread`);
      });

      for (let level = 0; level <= native.act_isa_level_max(); level++) {
        for (const threads of THREAD_COUNTS) {
          const context = `${name} on ${threads} threads at level ${level}`;
          withSettings(threads, level, () => {
            const got = callIntoView(Type, call, x, dy, context);
            assertSameResult(got, expected!, context);
          });
        }
      }
    });
  }
}

// Outputs of 8 MiB and more are written with streaming stores, which have
// their own path for the unaligned head and the tail of each part.
const STREAMED: [string, Call][] = calls(Float32Array).filter(([name]) =>
  ["relu", "sigmoid", "gelu", "tanhGrad"].includes(name)
);
const STREAMED_LENGTH = (8 << 20) / 4 + 1001;

for (const [name, call] of STREAMED) {
  Deno.test(`${name} streams large outputs with the same bits`, () => {
    const x = offsetView(
      Float32Array,
      sampleInput(Float32Array, STREAMED_LENGTH, 8),
      1,
    );
    const dy = sampleInput(Float32Array, STREAMED_LENGTH, 9);
    let expected: FloatArray | undefined;
    withSettings(1, 0, () => {
      expected = callIntoView(Float32Array, call, x, dy, `${name} alone`);
    });
    const level = native.act_isa_level_max();
    withSettings(2, level, () => {
      const context = `${name} streamed on 2 threads at level ${level}`;
      const got = callIntoView(Float32Array, call, x, dy, context);
      assertSameResult(got, expected!, context);
    });
    withSettings(1, level, () => {
      const inPlace = x.slice();
      call(inPlace, dy, inPlace);
      assertSameResult(inPlace, expected!, `${name} in place`);
    });
  });
}

// In place, outputs stream from 32 MiB, on more than one thread.
Deno.test("relu streams large outputs in place with the same bits", () => {
  const length = (32 << 20) / 4 + 1001;
  const x = offsetView(Float32Array, sampleInput(Float32Array, length, 10), 3);
  let expected: FloatArray | undefined;
  withSettings(1, 0, () => {
    expected = act.relu(x);
  });
  withSettings(2, native.act_isa_level_max(), () => {
    act.relu(x, { out: x });
    assertSameResult(x, expected!, "relu streamed in place on 2 threads");
  });
});

// PReLU's slope of element i is alpha[i % alpha.length], found by runs of
// repeated slopes for short rows and by row for long ones: each way, on the
// ordinary and the streamed path, in place and not, against the formula.
Deno.test("prelu gives each element its slope at any slope count", () => {
  const streamed = (8 << 20) / 4 + 1001;
  for (const length of [5000, streamed]) {
    const x = offsetView(
      Float32Array,
      sampleInput(Float32Array, length, 11),
      1,
    );
    for (const count of [1, 7, 64, 1023, 1024, 1500]) {
      const alpha = Float32Array.from(
        { length: count },
        (_, i) => 0.01 * ((i % 13) - 6),
      );
      const expected = x.map((v, i) => {
        const a = alpha[i % count]!;
        return v < 0 ? Math.fround(v * a) : v;
      });
      withSettings(2, native.act_isa_level_max(), () => {
        const context = `prelu of ${length} with ${count} slopes`;
        const got = callIntoView(
          Float32Array,
          (input, _, out) => act.prelu(input, alpha, { out }),
          x,
          x,
          context,
        );
        assertSameResult(got, expected, context);
        const inPlace = x.slice();
        act.prelu(inPlace, alpha, { out: inPlace });
        assertSameResult(inPlace, expected, `${context}, in place`);
      });
    }
  }
});
