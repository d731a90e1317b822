// A real pretrained model on the native kernels: face-api's networks, whose
// weights ship in the npm package @vladmandic/face-api (model/), run on a
// photo the package also ships (demo/sample1.jpg), on tfjs's cpu kernels
// and then on the native ones. Everything is read from local files; nothing
// is fetched at run time.
//
// The pipeline is face-api's own: the tiny face detector, then for each face
// its 68 landmarks, expression, age and gender, and its 128-number
// descriptor (a ResNet-34). The script prints each face's predictions from
// both runs, the largest difference between them, and the time of each.
//
//   deno run --allow-ffi --allow-read --allow-env examples/real_model.ts \
//     [image.jpg] [--runs N]
//
// Printing the results is what the script is for:
// deno-lint-ignore-file no-console

import * as tf from "@tensorflow/tfjs";
import jpeg from "jpeg-js";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { registerNativeKernels, unregisterNativeKernels } from "../tfjs.ts";

/** The face-api module: its networks, its pipeline and its `tf`. */
export type FaceApi =
  typeof import("@vladmandic/face-api/dist/face-api.esm.js");

/**
 * An image as face-api takes it: an int32 RGB tensor of shape
 * [height, width, 3], made by face-api's copy of tfjs.
 */
export type FaceImage = ReturnType<FaceApi["tf"]["tensor3d"]>;

/**
 * The folder of the installed @vladmandic/face-api package.
 *
 * @example
 * ```ts
 * import { faceApiFolder } from "./real_model.ts";
 *
 * const sample = `${faceApiFolder()}/demo/sample1.jpg`;
 * ```
 */
export function faceApiFolder(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve("@vladmandic/face-api/package.json"));
}

/**
 * Imports face-api on the `@tensorflow/tfjs` this module uses, with the
 * `cpu` backend, and loads the weights of its five networks from the
 * package's `model/` folder.
 *
 * face-api's ESM build carries its own copy of tfjs. tfjs keeps its engine,
 * flags and kernel registry global, so that copy shares this one's, and the
 * native kernels registered through either serve both. Two flags are held
 * while it loads: `IS_NODE`, since that copy would otherwise install a Node
 * platform built on a stub of `util` and throw; and `PROD`, which keeps it
 * from warning about each cpu kernel it registers again.
 *
 * @example
 * ```ts
 * import { loadFaceApi } from "./real_model.ts";
 *
 * const faceapi = await loadFaceApi();
 * ```
 */
export async function loadFaceApi(): Promise<FaceApi> {
  await tf.setBackend("cpu");
  const env = tf.env();
  const flags = { IS_NODE: env.getBool("IS_NODE"), PROD: env.getBool("PROD") };
  env.set("IS_NODE", false);
  env.set("PROD", true);
  let faceapi: FaceApi;
  try {
    faceapi = await import("@vladmandic/face-api/dist/face-api.esm.js");
  } finally {
    env.set("IS_NODE", flags.IS_NODE);
    env.set("PROD", flags.PROD);
  }

  const models = join(faceApiFolder(), "model");
  const networks = [
    [faceapi.nets.tinyFaceDetector, "tiny_face_detector_model"],
    [faceapi.nets.faceLandmark68Net, "face_landmark_68_model"],
    [faceapi.nets.faceExpressionNet, "face_expression_model"],
    [faceapi.nets.ageGenderNet, "age_gender_model"],
    [faceapi.nets.faceRecognitionNet, "face_recognition_model"],
  ] as const;
  for (const [network, name] of networks) {
    network.loadFromWeightMap(await readWeights(faceapi, models, name));
  }
  return faceapi;
}

/** One group of a weights manifest, as tfjs writes it. */
interface WeightsGroup {
  paths: string[];
  weights: Parameters<FaceApi["tf"]["io"]["decodeWeights"]>[1];
}

/** Reads a network's weights: its manifest and the shards it lists,
 * decoded as tfjs's loaders do, but from files instead of URLs. */
async function readWeights(
  faceapi: FaceApi,
  folder: string,
  name: string,
): Promise<ReturnType<FaceApi["tf"]["io"]["decodeWeights"]>> {
  const manifestPath = join(folder, `${name}-weights_manifest.json`);
  const manifest = JSON.parse(
    await Deno.readTextFile(manifestPath),
  ) as WeightsGroup[];
  if (!Array.isArray(manifest)) {
    throw new TypeError(
      `${manifestPath} must hold an array of weight groups, got ` +
        typeof manifest,
    );
  }
  const shards = await Promise.all(
    manifest.flatMap((group) => group.paths).map((path) =>
      Deno.readFile(join(folder, path))
    ),
  );
  const data = new Uint8Array(shards.reduce((n, s) => n + s.length, 0));
  let offset = 0;
  for (const shard of shards) {
    data.set(shard, offset);
    offset += shard.length;
  }
  // Decoded by face-api's copy of tfjs, so that the tensors have the type
  // its networks declare.
  return faceapi.tf.io.decodeWeights(
    data.buffer,
    manifest.flatMap((group) => group.weights),
  );
}

/**
 * Decodes a JPEG file into an int32 RGB tensor of shape [height, width, 3],
 * the form face-api takes a decoded image in.
 *
 * @example
 * ```ts
 * import { faceApiFolder, loadFaceApi, readImage } from "./real_model.ts";
 *
 * const faceapi = await loadFaceApi();
 * const image = await readImage(faceapi, `${faceApiFolder()}/demo/sample1.jpg`);
 * ```
 */
export async function readImage(
  faceapi: FaceApi,
  path: string,
): Promise<FaceImage> {
  const image = jpeg.decode(await Deno.readFile(path), {
    useTArray: true,
    formatAsRGBA: false,
  });
  return faceapi.tf.tensor3d(
    image.data,
    [image.height, image.width, 3],
    "int32",
  );
}

/** What face-api says of one face, as plain numbers to compare. */
export interface FacePrediction {
  /** The detector's confidence. */
  score: number;
  /** The face's box: x, y, width, height, in pixels. */
  box: number[];
  /** The 68 landmarks, x and y in turn, in pixels. */
  landmarks: number[];
  /** The probability of each expression, by name. */
  expressions: Record<string, number>;
  /** The estimated age, in years. */
  age: number;
  /** `"male"` or `"female"`. */
  gender: string;
  /** The probability of that gender. */
  genderProbability: number;
  /** The 128-number descriptor that identifies the face. */
  descriptor: number[];
}

/**
 * Runs face-api's whole pipeline on an image: detection with the tiny face
 * detector, then landmarks, expressions, age and gender, and descriptors.
 *
 * @example
 * ```ts
 * import {
 *   faceApiFolder,
 *   loadFaceApi,
 *   predictFaces,
 *   readImage,
 * } from "./real_model.ts";
 * const faceapi = await loadFaceApi();
 * const image = await readImage(faceapi, `${faceApiFolder()}/demo/sample1.jpg`);
 * const faces = await predictFaces(faceapi, image);
 * ```
 */
export async function predictFaces(
  faceapi: FaceApi,
  image: FaceImage,
): Promise<FacePrediction[]> {
  const options = new faceapi.TinyFaceDetectorOptions({
    inputSize: 416,
    scoreThreshold: 0.5,
  });
  const faces = await faceapi
    .detectAllFaces(image, options)
    .withFaceLandmarks()
    .withFaceExpressions()
    .withAgeAndGender()
    .withFaceDescriptors();
  return faces.map((face) => {
    const { x, y, width, height } = face.detection.box;
    return {
      score: face.detection.score,
      box: [x, y, width, height],
      landmarks: face.landmarks.positions.flatMap((p) => [p.x, p.y]),
      expressions: { ...face.expressions } as Record<string, number>,
      age: face.age,
      gender: face.gender,
      genderProbability: face.genderProbability,
      descriptor: [...face.descriptor],
    };
  });
}

/** The largest difference between two runs' predictions, by kind. */
export interface PredictionDifference {
  /** Faces found by one run and not the other, or a gender that changed. */
  mismatches: string[];
  /** The largest absolute difference of any probability or score. */
  probability: number;
  /** The largest absolute difference of any box or landmark coordinate, in
   * pixels. */
  pixels: number;
  /** The largest absolute difference of an age, in years. */
  age: number;
  /** The largest absolute difference of a descriptor's entry. */
  descriptor: number;
}

/**
 * Compares the predictions of two runs face by face.
 *
 * @example
 * ```ts
 * import {
 *   comparePredictions,
 *   faceApiFolder,
 *   loadFaceApi,
 *   predictFaces,
 *   readImage,
 *   withNativeKernels,
 * } from "./real_model.ts";
 * const faceapi = await loadFaceApi();
 * const image = await readImage(faceapi, `${faceApiFolder()}/demo/sample1.jpg`);
 * const theirs = await predictFaces(faceapi, image);
 * const ours = await withNativeKernels(() => predictFaces(faceapi, image));
 * const { mismatches, probability } = comparePredictions(theirs, ours);
 * ```
 */
export function comparePredictions(
  a: FacePrediction[],
  b: FacePrediction[],
): PredictionDifference {
  const difference: PredictionDifference = {
    mismatches: [],
    probability: 0,
    pixels: 0,
    age: 0,
    descriptor: 0,
  };
  const largest = (x: number[], y: number[]): number =>
    x.reduce((m, v, i) => Math.max(m, Math.abs(v - (y[i] ?? NaN))), 0);

  if (a.length !== b.length) {
    difference.mismatches.push(`${a.length} faces against ${b.length}`);
  }
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const [p, q] = [a[i]!, b[i]!];
    if (p.gender !== q.gender) {
      difference.mismatches.push(`face ${i}: ${p.gender} against ${q.gender}`);
    }
    const names = Object.keys(p.expressions);
    difference.probability = Math.max(
      difference.probability,
      largest(
        [p.score, p.genderProbability, ...names.map((n) => p.expressions[n]!)],
        [q.score, q.genderProbability, ...names.map((n) => q.expressions[n]!)],
      ),
    );
    difference.pixels = Math.max(
      difference.pixels,
      largest([...p.box, ...p.landmarks], [...q.box, ...q.landmarks]),
    );
    difference.age = Math.max(difference.age, Math.abs(p.age - q.age));
    difference.descriptor = Math.max(
      difference.descriptor,
      largest(p.descriptor, q.descriptor),
    );
  }
  return difference;
}

/**
 * Runs `f` on the native kernels, and puts tfjs's back after.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { withNativeKernels } from "./real_model.ts";
 *
 * const y = await withNativeKernels(() =>
 *   tf.sigmoid(tf.tensor1d([0, 1])).data()
 * );
 * ```
 */
export async function withNativeKernels<T>(f: () => Promise<T>): Promise<T> {
  registerNativeKernels(tf);
  try {
    return await f();
  } finally {
    unregisterNativeKernels(tf);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2
    ? sorted[middle]!
    : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The time of each run of the pipeline, on tfjs's kernels and on the
 * native ones. The two take turns, so that whatever changes over the
 * process's life (the optimizing compiler, the heap's size) weighs on both
 * alike. */
async function timeInTurns(
  faceapi: FaceApi,
  image: FaceImage,
  runs: number,
): Promise<{ tfjs: number[]; native: number[] }> {
  const tfjs: number[] = [];
  const native: number[] = [];
  const timed = async (run: () => Promise<unknown>): Promise<number> => {
    const start = performance.now();
    await run();
    return performance.now() - start;
  };
  for (let i = 0; i < runs; i++) {
    tfjs.push(await timed(() => predictFaces(faceapi, image)));
    native.push(
      await timed(() => withNativeKernels(() => predictFaces(faceapi, image))),
    );
  }
  return { tfjs, native };
}

/** The time and number of calls of each kernel in one run, from
 * `tf.profile`. */
async function profileKernels(
  faceapi: FaceApi,
  image: FaceImage,
): Promise<Map<string, [number, number]>> {
  const profile = await tf.profile(async () => {
    await predictFaces(faceapi, image);
  });
  const kernels = new Map<string, [number, number]>();
  for (const kernel of profile.kernels) {
    const [ms, calls] = kernels.get(kernel.name) ?? [0, 0];
    kernels.set(kernel.name, [ms + Number(kernel.kernelTimeMs), calls + 1]);
  }
  return kernels;
}

function parseArguments(args: string[]): { image: string; runs: number } {
  let image = join(faceApiFolder(), "demo", "sample1.jpg");
  let runs = 3;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--runs") {
      runs = Number(args[++i]);
      if (!Number.isSafeInteger(runs) || runs < 1) {
        throw new RangeError(
          `--runs must be a positive integer, got ${args[i]}`,
        );
      }
    } else {
      image = args[i]!;
    }
  }
  return { image, runs };
}

function printFaces(label: string, faces: FacePrediction[]): void {
  console.log(`\n${label}: ${faces.length} faces`);
  for (const [i, face] of faces.entries()) {
    const [expression, probability] = Object.entries(face.expressions)
      .sort((a, b) => b[1] - a[1])[0]!;
    console.log(
      `  face ${i}: score ${face.score.toFixed(6)}, box ` +
        `${face.box.map((v) => v.toFixed(1)).join(" ")}, ` +
        `${expression} ${probability.toFixed(6)}, ${face.gender} ` +
        `${face.genderProbability.toFixed(6)}, age ${face.age.toFixed(3)}, ` +
        `descriptor ${
          face.descriptor.slice(0, 3).map((v) => v.toFixed(6)).join(" ")
        } ...`,
    );
  }
}

async function main(): Promise<void> {
  const { image: path, runs } = parseArguments(Deno.args);
  const faceapi = await loadFaceApi();
  const image = await readImage(faceapi, path);
  console.log(`${path}: ${image.shape[1]} x ${image.shape[0]}`);

  // The first run compiles and warms up; it is not measured.
  const theirs = await predictFaces(faceapi, image);
  const ours = await withNativeKernels(() => predictFaces(faceapi, image));
  printFaces("tfjs cpu kernels", theirs);
  printFaces("native kernels", ours);
  const difference = comparePredictions(theirs, ours);
  console.log("\nlargest difference:", difference);

  const times = await timeInTurns(faceapi, image, runs);
  console.log(`\nmedian of ${runs} runs of the whole pipeline, in turns:`);
  console.log(`  tfjs cpu kernels ${median(times.tfjs).toFixed(0)} ms`);
  console.log(`  native kernels   ${median(times.native).toFixed(0)} ms`);

  const tfjsKernels = await profileKernels(faceapi, image);
  const nativeKernels = await withNativeKernels(() =>
    profileKernels(faceapi, image)
  );
  console.log("\nkernel time in one run (tf.profile), ms:");
  const total = (m: Map<string, [number, number]>): number =>
    [...m.values()].reduce((sum, [ms]) => sum + ms, 0);
  console.log(
    `  all kernels: tfjs ${total(tfjsKernels).toFixed(0)}, ` +
      `native ${total(nativeKernels).toFixed(0)}`,
  );
  for (const [name, [ms, calls]] of tfjsKernels) {
    const native = nativeKernels.get(name);
    if (!["Relu", "Sigmoid", "Softmax", "LeakyRelu", "Prelu"].includes(name)) {
      continue;
    }
    console.log(
      `  ${name} (${calls} calls): tfjs ${ms.toFixed(1)}, native ` +
        `${native?.[0].toFixed(1)}`,
    );
  }
  image.dispose();
}

if (import.meta.main) await main();
