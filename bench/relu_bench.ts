// ReLU at sizes from a thousand to sixteen million elements: the native
// kernel, TensorFlow.js on its CPU backend (with the copies a user pays, and
// on a ready tensor), a plain TypeScript loop, and a copy of the same bytes,
// which is the floor ReLU can at best reach. Run with `make bench`.

import * as tf from "@tensorflow/tfjs";
import { relu } from "../mod.ts";

await tf.setBackend("cpu");

const SIZES = [1_000, 10_000, 100_000, 1_000_000, 16_777_216];

/** Fewer timed runs where one run takes tens of milliseconds. */
function runsFor(size: number): { n?: number; warmup?: number } {
  return size >= 1_000_000 ? { n: 20, warmup: 3 } : {};
}

function sampleInput(size: number): Float32Array {
  const x = new Float32Array(size);
  for (let i = 0; i < size; i++) x[i] = Math.sin(i) * 100;
  return x;
}

for (const size of SIZES) {
  const group = `relu ${size.toLocaleString("en-US")}`;
  const x = sampleInput(size);
  const out = new Float32Array(size);
  const ready = tf.tensor1d(x);
  const runs = runsFor(size);

  Deno.bench({
    name: "copy (TypedArray.set)",
    group,
    baseline: true,
    ...runs,
    fn: () => {
      out.set(x);
    },
  });

  Deno.bench({
    name: "native relu",
    group,
    ...runs,
    fn: () => {
      relu(x, { out });
    },
  });

  Deno.bench({
    name: "TypeScript loop",
    group,
    ...runs,
    fn: () => {
      for (let i = 0; i < x.length; i++) {
        const v = x[i]!;
        out[i] = v > 0 ? v : v !== v ? v : 0;
      }
    },
  });

  Deno.bench({
    name: "tfjs cpu, array in and out",
    group,
    ...runs,
    fn: () => {
      const result = tf.tidy(() => tf.relu(tf.tensor1d(x)));
      out.set(result.dataSync());
      result.dispose();
    },
  });

  Deno.bench({
    name: "tfjs cpu, op on a ready tensor",
    group,
    ...runs,
    fn: () => {
      tf.relu(ready).dispose();
    },
  });
}
