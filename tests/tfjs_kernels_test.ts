// The native kernels inside TensorFlow.js (tfjs.ts): the same tfjs code run
// on tfjs's own cpu kernels, then on the native ones, then on tfjs's again
// after unregistering. Native results must agree with tfjs's within float32
// rounding (tfjs's own tests allow 1e-3 in float32; these allow a few ulp),
// the gradients too, and unregistering must give back tfjs's kernel configs
// themselves and its results bit for bit.

import assert from "node:assert/strict";
import {
  NATIVE_KERNEL_NAMES,
  registerNativeKernels,
  unregisterNativeKernels,
} from "../tfjs.ts";
import {
  assertSameBits,
  seededRandom,
  SPECIAL_VALUES,
  tf,
} from "./_helpers.ts";

const ROWS = 40;
const COLUMNS = 50;

/** Special values first, then a sweep over [-20, 20], then magnitudes
 * from 1e-6 to 1e2 of either sign; `ROWS` rows of `COLUMNS`. */
function sampleGrid(): Float32Array {
  const random = seededRandom(7);
  const x = new Float32Array(ROWS * COLUMNS);
  const sweep = 1000;
  for (let i = 0; i < x.length; i++) {
    if (i < SPECIAL_VALUES.length) x[i] = SPECIAL_VALUES[i]!;
    else if (i < sweep) x[i] = -20 + (40 * i) / sweep;
    else x[i] = (random() < 0.5 ? -1 : 1) * 10 ** (random() * 8 - 6);
  }
  return x;
}

interface Case {
  name: string;
  /** The tfjs call, on a [ROWS, COLUMNS] tensor. */
  op: (x: tf.Tensor) => tf.Tensor;
  /** Inputs left out where this module is documented to be more exact. */
  skip?: (x: number) => boolean;
  /** The relative tolerance, where tfjs's rounding needs more than
   * `FORWARD`'s. */
  rtol?: number;
}

// tfjs's exp(x) - 1 loses inputs within 1e-9 of 0 from below; expm1 keeps
// them (see the witness test below).
const tinyNegative = (x: number): boolean => x < 0 && x > -1e-9;

const cases: Case[] = [
  { name: "relu", op: (x) => tf.relu(x) },
  { name: "relu6", op: (x) => tf.relu6(x) },
  { name: "leakyRelu", op: (x) => tf.leakyRelu(x, 0.3) },
  {
    name: "prelu",
    op: (x) =>
      tf.prelu(x, tf.linspace(-0.5, 0.5, COLUMNS).reshape([1, COLUMNS])),
  },
  { name: "elu", op: (x) => tf.elu(x), skip: tinyNegative },
  { name: "selu", op: (x) => tf.selu(x), skip: tinyNegative },
  { name: "sigmoid", op: (x) => tf.sigmoid(x) },
  { name: "tanh", op: (x) => tf.tanh(x) },
  { name: "softplus", op: (x) => tf.softplus(x) },
  // tfjs subtracts each row's maximum in float32, which rounds x - max to
  // a multiple of ulp(max): an entry far below the maximum of a row that
  // reaches 100 comes out up to 4e-6 off, relative.
  { name: "softmax", op: (x) => tf.softmax(x), rtol: 1e-5 },
  // Not replaced (tfjs has no LogSoftmax kernel): must stay bit for bit.
  { name: "logSoftmax", op: (x) => tf.logSoftmax(x) },
];

/** Each case's forward result and its gradient through tf.grad. */
interface Results {
  y: Map<string, Float32Array>;
  dx: Map<string, Float32Array>;
}

function runAll(x: Float32Array, dy: Float32Array): Results {
  const results: Results = { y: new Map(), dx: new Map() };
  tf.tidy(() => {
    const xT = tf.tensor2d(x, [ROWS, COLUMNS]);
    const dyT = tf.tensor2d(dy, [ROWS, COLUMNS]);
    for (const c of cases) {
      results.y.set(c.name, c.op(xT).dataSync() as Float32Array);
      const dx = tf.grad((t: tf.Tensor) => c.op(t))(xT, dyT);
      results.dx.set(c.name, dx.dataSync() as Float32Array);
    }
  });
  return results;
}

function assertClose(
  actual: Float32Array,
  expected: Float32Array,
  x: Float32Array,
  tolerance: { rtol: number; atol: number },
  skip: ((x: number) => boolean) | undefined,
  context: string,
): void {
  assert.equal(actual.length, expected.length, `${context} length`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (a === e || (Number.isNaN(a) && Number.isNaN(e))) continue;
    if (skip?.(x[i]!)) continue;
    const bound = tolerance.atol + tolerance.rtol * Math.abs(e);
    if (!(Math.abs(a - e) <= bound)) {
      assert.fail(
        `${context} at x = ${x[i]} (element ${i}): native gives ${a}, ` +
          `tfjs ${e}, more than ${bound} apart`,
      );
    }
  }
}

/** A few float32 ulp, relative, for the forward results; in the
 * subnormals, where one ulp (2^-149) is more than 5e-7 of the value, two of
 * them, the bound the float kernels are built to. */
const FORWARD = { rtol: 5e-7, atol: 2 * 2 ** -149 };
/** Gradients are tfjs's formulas on the forward's output; an ulp of that
 * output near 1 becomes an absolute error of about 6e-8 times `dy`, which
 * `1 - y` and `y + 1` turn into a large relative one. */
const GRADIENT = { rtol: 5e-7, atol: 2e-7 };

Deno.test("tfjs ops agree before, during and after native kernels", async (t) => {
  const x = sampleGrid();
  const dy = Float32Array.from(x, (_, i) => 0.5 + (i % 7) / 4);
  const originals = new Map(
    NATIVE_KERNEL_NAMES.map((name) => [name, tf.getKernel(name, "cpu")]),
  );
  const originalCopies = new Map(
    [...originals].map(([name, config]) => [name, { ...config }]),
  );

  const before = runAll(x, dy);
  let native: Results;
  try {
    await t.step(
      "registering replaces every kernel the cpu backend has",
      () => {
        assert.deepEqual(registerNativeKernels(tf), [...NATIVE_KERNEL_NAMES]);
        for (const [name, original] of originals) {
          const current = tf.getKernel(name, "cpu");
          assert.notEqual(current, original, `${name} was not replaced`);
          assert.equal(current.kernelName, name);
          assert.equal(current.backendName, "cpu");
        }
      },
    );

    native = runAll(x, dy);

    for (const c of cases) {
      await t.step(`${c.name}: forward and gradient`, () => {
        assertClose(
          native.y.get(c.name)!,
          before.y.get(c.name)!,
          x,
          { ...FORWARD, rtol: c.rtol ?? FORWARD.rtol },
          c.skip,
          `${c.name} y`,
        );
        assertClose(
          native.dx.get(c.name)!,
          before.dx.get(c.name)!,
          x,
          { ...GRADIENT, rtol: c.rtol ?? GRADIENT.rtol },
          c.skip,
          `${c.name} dx`,
        );
      });
    }

    await t.step("registering twice changes nothing", () => {
      const configs = NATIVE_KERNEL_NAMES.map((n) => tf.getKernel(n, "cpu"));
      assert.deepEqual(registerNativeKernels(tf), []);
      assert.deepEqual(
        NATIVE_KERNEL_NAMES.map((n) => tf.getKernel(n, "cpu")),
        configs,
      );
      const again = runAll(x, dy);
      for (const c of cases) {
        assertSameBits(again.y.get(c.name)!, native.y.get(c.name)!, c.name);
        assertSameBits(again.dx.get(c.name)!, native.dx.get(c.name)!, c.name);
      }
    });
  } finally {
    unregisterNativeKernels(tf);
  }

  await t.step("unregistering puts tfjs's own kernels back", () => {
    for (const [name, original] of originals) {
      const current = tf.getKernel(name, "cpu");
      assert.equal(current, original, `${name} is not tfjs's config`);
      assert.deepEqual({ ...current }, originalCopies.get(name));
    }
    const after = runAll(x, dy);
    for (const c of cases) {
      assertSameBits(after.y.get(c.name)!, before.y.get(c.name)!, c.name);
      assertSameBits(after.dx.get(c.name)!, before.dx.get(c.name)!, c.name);
    }
    assert.deepEqual(unregisterNativeKernels(tf), []);
  });
});

/** Runs `f` with the native kernels registered, and unregisters after. */
function withNativeKernels<T>(f: () => T): T {
  registerNativeKernels(tf);
  try {
    return f();
  } finally {
    unregisterNativeKernels(tf);
  }
}

Deno.test("the native kernels are the ones that run", () => {
  // tfjs's exp(x) - 1 gives -1.000088900582341e-12 here; expm1 is exact.
  const x = tf.tensor1d([-1e-12]);
  const theirs = tf.elu(x).dataSync()[0];
  const ours = withNativeKernels(() => tf.elu(x).dataSync()[0]);
  assert.equal(ours, Math.fround(Math.expm1(Math.fround(-1e-12))));
  assert.notEqual(theirs, ours);
  x.dispose();
});

Deno.test("inputs the native kernels do not take go to tfjs's", async (t) => {
  await t.step("int32 relu stays int32", () => {
    const x = tf.tensor1d([-3, 0, 5], "int32");
    const theirs = tf.relu(x);
    const ours = withNativeKernels(() => tf.relu(x));
    assert.equal(ours.dtype, "int32");
    assert.deepEqual(ours.dataSync(), theirs.dataSync());
    tf.dispose([x, theirs, ours]);
  });

  await t.step("prelu with a slope per row", () => {
    const x = tf.tensor2d([-1, -2, -3, -4, 5, -6], [3, 2]);
    const alpha = tf.tensor2d([0.1, 0.2, 0.3], [3, 1]);
    const theirs = tf.prelu(x, alpha).dataSync() as Float32Array;
    const ours = withNativeKernels(() =>
      tf.prelu(x, alpha).dataSync() as Float32Array
    );
    assertSameBits(ours, theirs, "prelu");
    tf.dispose([x, alpha]);
  });

  await t.step("prelu whose slopes broadcast the result larger", () => {
    const x = tf.tensor1d([-1]);
    const alpha = tf.tensor1d([0.1, 0.2, 0.3]);
    const theirs = tf.prelu(x, alpha);
    const ours = withNativeKernels(() => tf.prelu(x, alpha));
    assert.deepEqual(ours.shape, theirs.shape);
    assertSameBits(
      ours.dataSync() as Float32Array,
      theirs.dataSync() as Float32Array,
      "prelu",
    );
    tf.dispose([x, alpha, theirs, ours]);
  });

  await t.step("softmax along another axis throws tfjs's error", () => {
    const logits = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const messageOf = (): string => {
      try {
        tf.engine().runKernel("Softmax", { logits }, { dim: 0 });
      } catch (error) {
        return (error as Error).message;
      }
      return "no error";
    };
    const theirs = messageOf();
    assert.match(theirs, /non-last dimension/);
    assert.equal(withNativeKernels(messageOf), theirs);
    logits.dispose();
  });

  await t.step("empty tensors", () => {
    const x = tf.tensor2d([], [0, 3]);
    const y = withNativeKernels(() => [tf.softmax(x), tf.relu(x)]);
    assert.deepEqual(y.map((t) => t.shape), [[0, 3], [0, 3]]);
    tf.dispose([x, ...y]);
  });
});

Deno.test("the native kernels leak no tensors", () => {
  const x = tf.tensor2d(sampleGrid(), [ROWS, COLUMNS]);
  const before = tf.memory().numTensors;
  withNativeKernels(() =>
    tf.tidy(() => {
      for (const c of cases) c.op(x).dataSync();
    })
  );
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
});

Deno.test("a tf.layers model predicts the same on native kernels", () => {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [32], units: 32, activation: "relu" }),
      tf.layers.dense({ units: 32, activation: "tanh" }),
      tf.layers.dense({ units: 32, activation: "elu" }),
      tf.layers.dense({ units: 32, activation: "selu" }),
      tf.layers.dense({ units: 32, activation: "softplus" }),
      tf.layers.dense({ units: 32, activation: "sigmoid" }),
      tf.layers.dense({ units: 10, activation: "softmax" }),
    ],
  });
  const input = tf.randomNormal([64, 32], 0, 1, "float32", 3);
  const theirs = tf.tidy(() =>
    (model.predict(input) as tf.Tensor).dataSync() as Float32Array
  );
  const ours = withNativeKernels(() =>
    tf.tidy(() =>
      (model.predict(input) as tf.Tensor).dataSync() as Float32Array
    )
  );
  const x = new Float32Array(theirs.length);
  assertClose(ours, theirs, x, { rtol: 1e-5, atol: 1e-7 }, undefined, "p");
  model.dispose();
  input.dispose();
});

Deno.test("registering refuses what is not tfjs", () => {
  assert.throws(
    () => registerNativeKernels({} as never),
    new TypeError(
      "`tf` must be the TensorFlow.js namespace, with a function " +
        "`getKernel`; got an object whose `getKernel` is undefined",
    ),
  );
  assert.throws(
    () => unregisterNativeKernels(null as never),
    /with a function `getKernel`; got null$/,
  );
});
