// A real pretrained model on the native kernels: face-api's five networks,
// with the weights and the photo its npm package ships, predict the same on
// tfjs's cpu kernels and on the native ones (examples/real_model.ts runs the
// same comparison as a script, with timings). The whole pipeline takes
// about 7 s a run on this project's machine, and runs twice.

import assert from "node:assert/strict";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import {
  comparePredictions,
  faceApiFolder,
  loadFaceApi,
  predictFaces,
  readImage,
  withNativeKernels,
} from "../examples/real_model.ts";
import { NATIVE_KERNEL_NAMES } from "../tfjs.ts";

Deno.test("face-api predicts the same faces on native kernels", async () => {
  const faceapi = await loadFaceApi();
  const image = await readImage(
    faceapi,
    join(faceApiFolder(), "demo", "sample1.jpg"),
  );
  const kernels = NATIVE_KERNEL_NAMES.map((name) => tf.getKernel(name, "cpu"));

  const theirs = await predictFaces(faceapi, image);
  const ours = await withNativeKernels(() => predictFaces(faceapi, image));
  image.dispose();

  // The photo has three faces; each network saw them all.
  assert.equal(theirs.length, 3);
  for (const face of theirs) {
    assert.equal(face.landmarks.length, 68 * 2);
    assert.equal(face.descriptor.length, 128);
  }

  // ReLU is exact on both sides; softmax (expressions, gender) may differ
  // in the last bit, and the detector's sigmoid is computed without the
  // Sigmoid kernel, so only probabilities may move, by a few ulp.
  const difference = comparePredictions(theirs, ours);
  assert.deepEqual(difference.mismatches, []);
  assert.ok(
    difference.probability <= 1e-6,
    `probabilities differ by ${difference.probability}, expected <= 1e-6`,
  );
  assert.ok(
    difference.pixels <= 1e-3,
    `boxes or landmarks differ by ${difference.pixels} px, expected <= 1e-3`,
  );
  assert.ok(
    difference.age <= 1e-4,
    `ages differ by ${difference.age} years, expected <= 1e-4`,
  );
  assert.ok(
    difference.descriptor <= 1e-6,
    `descriptors differ by ${difference.descriptor}, expected <= 1e-6`,
  );

  // withNativeKernels put back the kernels it found.
  assert.deepEqual(
    NATIVE_KERNEL_NAMES.map((name) => tf.getKernel(name, "cpu")),
    kernels,
  );
});
