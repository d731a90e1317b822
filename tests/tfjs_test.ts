// Every function that TensorFlow.js has, forward and gradient, against tfjs
// on its CPU backend in float32. The tolerance is what tfjs's own float32
// arithmetic allows; the places where tfjs is known to be less exact are
// left out of the grid here and measured against the float64 reference in
// accuracy_test.ts instead.

import assert from "node:assert/strict";
import * as act from "../mod.ts";
import { tf } from "./_helpers.ts";

interface Comparison {
  name: string;
  ours: (x: Float32Array) => Float32Array;
  theirs: (t: tf.Tensor) => tf.Tensor;
  gradient: (dy: Float32Array, x: Float32Array) => Float32Array;
  /** The grid's range: tfjs's weak spots lie outside it. */
  range: [number, number];
  /** The gradient's range, where it differs from the forward's. */
  gradientRange?: [number, number];
  rtol: number;
  atol: number;
}

function layer(activation: string): (t: tf.Tensor) => tf.Tensor {
  const applied = tf.layers.activation({
    activation: activation as "relu",
  });
  return (t) => applied.apply(t) as tf.Tensor;
}

const comparisons: Comparison[] = [
  {
    name: "relu",
    ours: (x) => act.relu(x),
    theirs: tf.relu,
    gradient: (dy, x) => act.reluGrad(dy, x),
    range: [-10, 10],
    rtol: 0,
    atol: 0,
  },
  {
    name: "relu6",
    ours: (x) => act.relu6(x),
    theirs: tf.relu6,
    gradient: (dy, x) => act.relu6Grad(dy, x),
    range: [-10, 10],
    rtol: 0,
    atol: 0,
  },
  {
    name: "leakyRelu",
    ours: (x) => act.leakyRelu(x, { alpha: 0.3 }),
    theirs: (t) => tf.leakyRelu(t, 0.3),
    gradient: (dy, x) => act.leakyReluGrad(dy, x, { alpha: 0.3 }),
    range: [-10, 10],
    rtol: 2.4e-7,
    atol: 0,
  },
  {
    name: "elu",
    ours: (x) => act.elu(x),
    theirs: tf.elu,
    gradient: (dy, x) => act.eluGrad(dy, x),
    // tfjs's exp(x) - 1 cancels for tiny negative x, and its gradient, taken
    // as y + 1, cancels for very negative x.
    range: [-10, -0.01],
    gradientRange: [-1, -0.01],
    rtol: 1e-6,
    atol: 0,
  },
  {
    name: "selu",
    ours: (x) => act.selu(x),
    theirs: tf.selu,
    gradient: (dy, x) => act.seluGrad(dy, x),
    // tfjs's exp(x) - 1 cancels for tiny negative x, and its gradient, taken
    // as y + 1, cancels for very negative x.
    range: [-10, -0.01],
    gradientRange: [-1, -0.01],
    rtol: 1e-6,
    atol: 0,
  },
  {
    name: "sigmoid",
    ours: (x) => act.sigmoid(x),
    theirs: tf.sigmoid,
    gradient: (dy, x) => act.sigmoidGrad(dy, x),
    // tfjs's s * (1 - s) loses the gradient where s rounds near 1.
    range: [-10, 3],
    rtol: 1e-6,
    atol: 0,
  },
  {
    name: "tanh",
    ours: (x) => act.tanh(x),
    theirs: tf.tanh,
    gradient: (dy, x) => act.tanhGrad(dy, x),
    range: [-1, 1],
    rtol: 1e-6,
    atol: 0,
  },
  {
    name: "softplus",
    ours: (x) => act.softplus(x),
    theirs: tf.softplus,
    gradient: (dy, x) => act.softplusGrad(dy, x),
    // tfjs returns x from 13.94 on, 1 ulp below the true value.
    range: [-10, 10],
    rtol: 1e-6,
    atol: 0,
  },
  {
    name: "softsign",
    ours: (x) => act.softsign(x),
    theirs: layer("softsign"),
    gradient: (dy, x) => act.softsignGrad(dy, x),
    range: [-10, 10],
    rtol: 1e-6,
    atol: 0,
  },
  {
    name: "silu",
    ours: (x) => act.silu(x),
    theirs: layer("swish"),
    gradient: (dy, x) => act.siluGrad(dy, x),
    range: [-10, 10],
    rtol: 1e-6,
    atol: 1e-7,
  },
  {
    name: "mish",
    ours: (x) => act.mish(x),
    theirs: layer("mish"),
    gradient: (dy, x) => act.mishGrad(dy, x),
    range: [-10, 10],
    rtol: 1e-5,
    atol: 1e-7,
  },
  {
    name: "gelu",
    ours: (x) => act.gelu(x),
    theirs: layer("gelu"),
    gradient: (dy, x) => act.geluGrad(dy, x),
    // tfjs's erf is Abramowitz and Stegun 7.1.26, good to 1.5e-7 absolute.
    range: [-4, 10],
    rtol: 1e-6,
    atol: 1e-6,
  },
  {
    name: "gelu (tanh form)",
    ours: (x) => act.gelu(x, { approximate: "tanh" }),
    theirs: layer("gelu_new"),
    gradient: (dy, x) => act.geluGrad(dy, x, { approximate: "tanh" }),
    // tfjs computes 1 + tanh, which cancels in the negative tail.
    range: [-3, 10],
    rtol: 1e-5,
    atol: 1e-6,
  },
  {
    name: "hardSigmoid",
    ours: (x) => act.hardSigmoid(x),
    theirs: layer("hardSigmoid"),
    gradient: (dy, x) => act.hardSigmoidGrad(dy, x),
    range: [-10, 10],
    rtol: 2.4e-7,
    atol: 1e-7,
  },
];

/** A grid that steps over no kink: 0, 6 and ±2.5 fall between points. */
function grid(from: number, to: number): Float32Array {
  const points: number[] = [];
  const step = (to - from) / 997;
  for (let v = from + step / 3; v < to; v += step) points.push(v);
  return Float32Array.from(points);
}

function assertClose(
  actual: Float32Array,
  expected: Float32Array,
  x: Float32Array,
  rtol: number,
  atol: number,
  context: string,
): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(a) && Number.isNaN(e)) continue;
    const bound = atol + rtol * Math.abs(e);
    if (!(Math.abs(a - e) <= bound) && a !== e) {
      assert.fail(
        `${context} at x = ${x[i]}: got ${a}, tfjs gives ${e} ` +
          `(bound ${bound})`,
      );
    }
  }
}

for (const c of comparisons) {
  Deno.test(`${c.name}() and its gradient agree with tfjs`, async (t) => {
    const x = grid(...c.range);
    const xTensor = tf.tensor1d(x);

    await t.step("forward", () => {
      const theirs = tf.tidy(() => c.theirs(xTensor).dataSync());
      assertClose(c.ours(x), theirs as Float32Array, x, c.rtol, c.atol, "y");
    });

    await t.step("gradient through tf.grad", () => {
      const x = grid(...(c.gradientRange ?? c.range));
      const xTensor = tf.tensor1d(x);
      const dy = Float32Array.from(x, (_, i) => 0.5 + (i % 7) / 4);
      const theirs = tf.tidy(() =>
        tf.grad((t: tf.Tensor) => c.theirs(t))(xTensor, tf.tensor1d(dy))
          .dataSync()
      );
      assertClose(
        c.gradient(dy, x),
        theirs as Float32Array,
        x,
        c.rtol * 4,
        c.atol * 4,
        "dx",
      );
      xTensor.dispose();
    });
    xTensor.dispose();
  });
}

Deno.test("prelu() and preluGrad() agree with tfjs", () => {
  const x = grid(-5, 5).subarray(0, 996);
  const alpha = new Float32Array([0.1, -0.2, 0.3, 0.25]);
  const dy = Float32Array.from(x, (_, i) => 1 + (i % 5) / 8);
  const [xT, aT, dyT] = [
    tf.tensor2d(x, [249, 4]),
    tf.tensor1d(alpha),
    tf.tensor2d(dy, [249, 4]),
  ];

  const y = tf.prelu(xT, aT as tf.Tensor).dataSync() as Float32Array;
  assertClose(act.prelu(x, alpha), y, x, 2.4e-7, 0, "y");

  const [dxT, daT] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.prelu(a, b))(
    [xT, aT],
    dyT,
  );
  const { dx, dalpha } = act.preluGrad(dy, x, alpha);
  assertClose(dx, dxT!.dataSync() as Float32Array, x, 2.4e-7, 0, "dx");
  assertClose(
    dalpha,
    daT!.dataSync() as Float32Array,
    alpha,
    1e-5,
    1e-5,
    "dalpha",
  );
  tf.dispose([xT, aT, dyT, dxT!, daT!]);
});

Deno.test("softmax() and logSoftmax() agree with tfjs row by row", async (t) => {
  const rows = 64;
  const axisLength = 33;
  const x = Float32Array.from(
    { length: rows * axisLength },
    (_, i) => Math.sin(i * 0.37) * (1 + (i % 11) * 3),
  );
  const dy = Float32Array.from(x, (_, i) => Math.cos(i));
  const xT = tf.tensor2d(x, [rows, axisLength]);
  const dyT = tf.tensor2d(dy, [rows, axisLength]);

  await t.step("softmax", () => {
    const y = act.softmax(x, { axisLength });
    assertClose(
      y,
      tf.softmax(xT).dataSync() as Float32Array,
      x,
      1e-5,
      1e-7,
      "y",
    );
    const theirs = tf.grad((t: tf.Tensor) => tf.softmax(t))(xT, dyT);
    assertClose(
      act.softmaxGrad(dy, y, { axisLength }),
      theirs.dataSync() as Float32Array,
      x,
      1e-4,
      1e-6,
      "dx",
    );
  });

  await t.step("logSoftmax", () => {
    const y = act.logSoftmax(x, { axisLength });
    assertClose(
      y,
      tf.logSoftmax(xT).dataSync() as Float32Array,
      x,
      1e-5,
      1e-6,
      "y",
    );
    const theirs = tf.grad((t: tf.Tensor) => tf.logSoftmax(t))(xT, dyT);
    assertClose(
      act.logSoftmaxGrad(dy, y, { axisLength }),
      theirs.dataSync() as Float32Array,
      x,
      1e-4,
      1e-5,
      "dx",
    );
  });

  await t.step("rows of -Infinity, +Infinity and huge values", () => {
    const special = new Float32Array([
      ...[-Infinity, -Infinity, -Infinity],
      ...[Infinity, 1, 2],
      ...[3e38, 3e38, -3e38],
      ...[-Infinity, 0, 1],
    ]);
    const sT = tf.tensor2d(special, [4, 3]);
    assertClose(
      act.softmax(special, { axisLength: 3 }),
      tf.softmax(sT).dataSync() as Float32Array,
      special,
      1e-6,
      0,
      "softmax",
    );
    assertClose(
      act.logSoftmax(special, { axisLength: 3 }),
      tf.logSoftmax(sT).dataSync() as Float32Array,
      special,
      1e-6,
      0,
      "logSoftmax",
    );
    sT.dispose();
  });
  tf.dispose([xT, dyT]);
});
