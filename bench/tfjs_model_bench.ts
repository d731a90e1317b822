// A tf.layers model predicted on tfjs's cpu kernels and on the native ones
// (tfjs.ts), for a batch of 256 rows of 512: the whole model, whose time
// the matrix products dominate, and its activations alone. Run with
// `make bench`, or alone:
//
//   deno bench --allow-ffi --allow-read --allow-env bench/tfjs_model_bench.ts

import * as tf from "@tensorflow/tfjs";
import { registerNativeKernels, unregisterNativeKernels } from "../tfjs.ts";

await tf.setBackend("cpu");

const BATCH = 256;
const WIDTH = 512;
const ACTIVATIONS = [
  "relu",
  "sigmoid",
  "tanh",
  "elu",
  "selu",
  "softplus",
] as const;

/** Dense layers with an activation each, as a model is usually written;
 * a softmax classifier last. tfjs fuses `relu` and `elu` into the matrix
 * product of their layer (`_FusedMatMul`), which applies its own copy of
 * the activation, so those two layers stay on tfjs's code. */
function denseModel(): tf.Sequential {
  const model = tf.sequential();
  for (const activation of ACTIVATIONS) {
    model.add(tf.layers.dense({
      inputShape: model.layers.length === 0 ? [WIDTH] : undefined,
      units: WIDTH,
      activation,
    }));
  }
  model.add(tf.layers.dense({ units: 10, activation: "softmax" }));
  return model;
}

/** The same activations as layers of their own, on the 256 x 512 input:
 * what the native kernels replace, without the matrix products. */
function activationModel(): tf.Sequential {
  const model = tf.sequential();
  for (const activation of [...ACTIVATIONS, "softmax"] as const) {
    model.add(tf.layers.activation({
      inputShape: model.layers.length === 0 ? [WIDTH] : undefined,
      activation,
    }));
  }
  return model;
}

const input = tf.randomNormal([BATCH, WIDTH], 0, 1, "float32", 42);

// A prediction of the dense model takes about a second: fewer runs.
for (
  const [group, model, runs] of [
    [`dense model, ${BATCH} x ${WIDTH}`, denseModel(), { n: 10, warmup: 2 }],
    [
      `activation layers only, ${BATCH} x ${WIDTH}`,
      activationModel(),
      { n: 50, warmup: 5 },
    ],
  ] as const
) {
  Deno.bench({
    name: "tfjs cpu kernels",
    group,
    baseline: true,
    ...runs,
    fn: () => {
      tf.dispose(model.predict(input));
    },
  });

  Deno.bench({
    name: "native kernels",
    group,
    ...runs,
    fn: (b) => {
      registerNativeKernels(tf);
      try {
        b.start();
        tf.dispose(model.predict(input));
        b.end();
      } finally {
        unregisterNativeKernels(tf);
      }
    },
  });
}
