// Registers the benches of one kind (forward or gradient) from the table in
// _functions.ts: for every function and size, one `deno bench` group with
// the native kernel, each peer that has the function, a plain TypeScript
// loop and the two copies of the floor, the faster copy as the baseline.
// Each peer is first run once on a small input and compared with the
// native result, so that a peer that is missing an op, or computes another
// function, is left out or noted instead of measured as if it were the same.

import { loadLibrary } from "../ffi/load.ts";
import {
  FLOOR_METHODS,
  functionName,
  groupName,
  type Kind,
  type MethodKey,
  METHODS,
  note,
  readConfig,
  runsFor,
} from "./_config.ts";
import {
  type Activation,
  ACTIVATIONS,
  type Layout,
  type Shape,
  type TfOp,
} from "./_functions.ts";
import { oneNodeModel } from "./_onnx.ts";
import { Sampler } from "./_samples.ts";
import { type Ort, peers, tf, type TfBackend, useBackend } from "./_peers.ts";

/** The arrays and tensors every function shares at one size. */
interface SizeData {
  shape: Shape;
  x: Float32Array;
  dy: Float32Array;
  y: Float32Array;
  /** Ready tfjs tensors, one set per backend, flat; shaped per layout. */
  tensors: Map<TfBackend, { x: tf.Tensor; dy: tf.Tensor; slopes: tf.Tensor }>;
}

/** One call of one method, ready to be timed, and a way to run it once
 * and read its result, for the comparison with the native one. */
type Prepared =
  | { async: false; call: () => void; result: () => Promise<Float32Array> }
  | {
    async: true;
    call: () => Promise<void>;
    result: () => Promise<Float32Array>;
  };

/** onnxruntime-node's sessions, one per distinct model. */
type Session = Awaited<ReturnType<Ort["InferenceSession"]["create"]>>;
type Sessions = Map<string, Promise<Session>>;

/** A seeded generator, so that every run sees the same inputs. */
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

function randomArray(
  size: number,
  from: number,
  to: number,
  seed: number,
): Float32Array {
  const random = seededRandom(seed);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = from + (to - from) * random();
  return values;
}

/** The largest divisor of `size` that is at most `limit`. */
function largestDivisor(size: number, limit: number): number {
  for (let d = Math.min(size, limit); d > 1; d--) {
    if (size % d === 0) return d;
  }
  return 1;
}

/** PReLU's slopes run along a last axis of up to 64 channels; softmax's
 * rows are up to 1024 long (1000 at the decimal sizes, 1024 at 2^24). */
function shapeFor(size: number): Shape {
  const channels = largestDivisor(size, 64);
  return {
    size,
    channels,
    slopes: Float32Array.from(
      { length: channels },
      (_, c) => 0.05 + 0.05 * (c % 5),
    ),
    slopesGradient: new Float32Array(channels),
    axisLength: largestDivisor(size, 1024),
  };
}

function dimsFor(layout: Layout, shape: Shape): number[] {
  if (layout === "channels") {
    return [shape.size / shape.channels, shape.channels];
  }
  if (layout === "rows") {
    return [shape.size / shape.axisLength, shape.axisLength];
  }
  return [shape.size];
}

/** ONNX's dimensions: names for the free ones, so one session serves all
 * sizes, except PReLU's channels, which its slopes fix. */
function onnxDimsFor(layout: Layout, shape: Shape): (number | string)[] {
  if (layout === "channels") return ["rows", shape.channels];
  if (layout === "rows") return ["rows", "axis"];
  return ["n"];
}

function makeSizeData(size: number, backends: TfBackend[]): SizeData {
  // Inputs over [-6, 6] reach every branch of every function.
  const x = randomArray(size, -6, 6, 1);
  const dy = randomArray(size, 0.5, 1.5, 2);
  const shape = shapeFor(size);
  const tensors: SizeData["tensors"] = new Map();
  for (const backend of backends) {
    useBackend(backend);
    tensors.set(backend, {
      x: tf.tensor1d(x),
      dy: tf.tensor1d(dy),
      slopes: tf.tensor1d(shape.slopes),
    });
  }
  useBackend("cpu");
  return { shape, x, dy, y: new Float32Array(size), tensors };
}

/** The worst difference between two results, relative to their size. */
function worstDifference(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const difference = Math.abs(a[i]! - b[i]!) / (1e-3 + Math.abs(b[i]!));
    if (!(difference <= worst)) worst = difference;
  }
  return worst;
}

/** The ways of computing one function, or its gradient, at one size. */
class Methods {
  readonly #activation: Activation;
  readonly #kind: Kind;
  readonly #data: SizeData;
  readonly #dims: number[];
  /** The gradient's second input: x, or the forward's output. */
  readonly #gradientInput: Float32Array;

  constructor(activation: Activation, kind: Kind, data: SizeData) {
    this.#activation = activation;
    this.#kind = kind;
    this.#data = data;
    this.#dims = dimsFor(activation.layout, data.shape);
    this.#gradientInput = data.x;
    if (kind === "gradient" && activation.gradientReadsOutput) {
      this.#gradientInput = new Float32Array(data.shape.size);
      activation.native(data.x, this.#gradientInput, data.shape);
    }
  }

  /** A call that writes the shared output array. */
  #writing(call: () => void): Prepared {
    const y = this.#data.y;
    return {
      async: false,
      call,
      result: () => {
        y.fill(NaN);
        call();
        return Promise.resolve(y.slice());
      },
    };
  }

  native(): Prepared {
    const { x, dy, y, shape } = this.#data;
    if (this.#kind === "forward") {
      const forward = this.#activation.native;
      return this.#writing(() => forward(x, y, shape));
    }
    const gradient = this.#activation.nativeGrad;
    const input = this.#gradientInput;
    return this.#writing(() => gradient(dy, input, y, shape));
  }

  loop(): Prepared {
    const { x, dy, y, shape } = this.#data;
    if (this.#kind === "forward") {
      const forward = this.#activation.loop;
      return this.#writing(() => forward(x, y, shape));
    }
    const gradient = this.#activation.loopGrad;
    const input = this.#gradientInput;
    return this.#writing(() => gradient(dy, input, y, shape));
  }

  /** tfjs's op, or its gradient by tf.grad, on tensors; the first result
   * is y or dx. */
  #tfjsFunction(
    op: TfOp,
    slopes: tf.Tensor,
  ): (x: tf.Tensor, dy: tf.Tensor) => tf.Tensor[] {
    if (this.#kind === "forward") return (x) => [op(x, slopes)];
    if (this.#activation.layout === "channels") {
      const gradients = tf.grads((a: tf.Tensor, b: tf.Tensor) => op(a, b));
      return (x, dy) => gradients([x, slopes], dy);
    }
    const gradient = tf.grad((t: tf.Tensor) => op(t, slopes));
    return (x, dy) => [gradient(x, dy)];
  }

  /** tfjs on `backend`: arrays in and out as a user pays, or the op alone
   * on ready tensors, its output disposed. */
  tfjs(backend: TfBackend, alone: boolean): Prepared | undefined {
    const makeOp = this.#activation.tfjs;
    const ready = this.#data.tensors.get(backend);
    if (makeOp === undefined || ready === undefined) return undefined;

    useBackend(backend);
    const run = this.#tfjsFunction(makeOp(tf), ready.slopes);
    const dims = this.#dims;
    const { x, dy } = this.#data;
    const readyX = ready.x.reshape(dims);
    const readyDy = ready.dy.reshape(dims);
    const inputs = alone
      ? () => [readyX, readyDy] as const
      : () => [tf.tensor(x, dims), tf.tensor(dy, dims)] as const;

    const result = (): Promise<Float32Array> => {
      useBackend(backend);
      const results = tf.tidy(() => run(...inputs()));
      const first = results[0]!.dataSync() as Float32Array;
      tf.dispose(results);
      return Promise.resolve(first);
    };
    if (alone) {
      return {
        async: false,
        call: () => {
          useBackend(backend);
          tf.dispose(tf.tidy(() => run(readyX, readyDy)));
        },
        result,
      };
    }
    return {
      async: false,
      call: () => {
        useBackend(backend);
        const results = tf.tidy(() =>
          run(tf.tensor(x, dims), tf.tensor(dy, dims))
        );
        for (const each of results) each.dataSync();
        tf.dispose(results);
      },
      result,
    };
  }

  /** onnxruntime-node's operator: an array in, an array out. */
  async onnx(ort: Ort, sessions: Sessions): Promise<Prepared | undefined> {
    const { layout, onnx } = this.#activation;
    if (this.#kind !== "forward" || onnx === undefined) return undefined;

    const { shape, x } = this.#data;
    const node = onnx(onnxDimsFor(layout, shape), shape);
    const key = JSON.stringify(node);
    let pending = sessions.get(key);
    if (pending === undefined) {
      // ORT's threads spin after each run by default, which on two cores
      // takes them from whatever is measured next; measured here, no
      // spinning also made ORT's own calls faster.
      pending = ort.InferenceSession.create(oneNodeModel(node), {
        extra: { session: { intra_op: { allow_spinning: "0" } } },
      });
      sessions.set(key, pending);
    }
    const session = await pending;
    const feeds = { x: new ort.Tensor("float32", x, this.#dims) };
    return {
      async: true,
      call: async () => {
        await session.run(feeds);
      },
      result: async () => (await session.run(feeds)).y!.data as Float32Array,
    };
  }
}

/** The native library's copy, two threads with streaming stores. */
function streamingCopy(): (x: Float32Array, y: Float32Array) => void {
  const library = loadLibrary();
  return (x, y) => {
    library.act_copy_f32(x, y, BigInt(x.length), 1);
  };
}

/** The two copies of the floor, on the shared input and output. */
function floorMethods(
  data: SizeData,
  stream: (x: Float32Array, y: Float32Array) => void,
): Map<MethodKey, Prepared> {
  const { x, y } = data;
  const copy = (call: () => void): Prepared => ({
    async: false,
    call,
    result: () => {
      call();
      return Promise.resolve(y.slice());
    },
  });
  return new Map([
    ["copy-set", copy(() => y.set(x))],
    ["copy-stream", copy(() => stream(x, y))],
  ]);
}

/** Prepares every method of one function at one size that exists. */
async function prepareAll(
  methods: Methods,
  data: SizeData,
  stream: (x: Float32Array, y: Float32Array) => void,
  wanted: Set<MethodKey>,
  sessions: Sessions,
): Promise<Map<MethodKey, Prepared>> {
  const ort = peers.ort;
  const prepared = new Map<MethodKey, Prepared | undefined>([
    ...floorMethods(data, stream),
    ["native", methods.native()],
    ["tfjs-cpu-user", methods.tfjs("cpu", false)],
    ["tfjs-cpu-op", methods.tfjs("cpu", true)],
    ["tfjs-wasm-user", methods.tfjs("wasm", false)],
    ["tfjs-wasm-op", methods.tfjs("wasm", true)],
    ["onnx", ort === undefined ? undefined : await methods.onnx(ort, sessions)],
    ["loop", methods.loop()],
  ]);
  const present = new Map<MethodKey, Prepared>();
  for (const [key, method] of prepared) {
    if (method !== undefined && wanted.has(key)) present.set(key, method);
  }
  return present;
}

/** The fastest of a few calls, in milliseconds. */
async function fastestCall(method: Prepared, calls: number): Promise<number> {
  let fastest = Infinity;
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    await method.call();
    fastest = Math.min(fastest, performance.now() - start);
  }
  return fastest;
}

/** The copy of the floor that is faster at this size, by the fastest of
 * enough calls of each to take a few milliseconds; `deno bench` makes it
 * the group's baseline. */
async function fasterCopy(
  prepared: Map<MethodKey, Prepared>,
): Promise<MethodKey | undefined> {
  let faster: MethodKey | undefined;
  let fastest = Infinity;
  for (const key of FLOOR_METHODS) {
    const method = prepared.get(key);
    if (method === undefined) continue;
    const once = await fastestCall(method, 1);
    const time = await fastestCall(method, Math.min(200, 3 + 5 / once));
    if (time < fastest) [faster, fastest] = [key, time];
  }
  return faster;
}

/** A method's time per call, in milliseconds, as a line through its
 * times at two sizes: a fixed cost and a cost per element. */
type CostModel = (size: number) => number;

const SURVEY_SIZES = [4096, 65536] as const;

/**
 * Runs every method of one function on two small sizes: once to compare
 * its result with the native one, then a few times for a cost model from
 * which each size's run counts are set. Methods that fail are noted and
 * left out; one that computes something else is noted.
 */
async function surveyMethods(
  activation: Activation,
  kind: Kind,
  wanted: Set<MethodKey>,
  stream: (x: Float32Array, y: Float32Array) => void,
  sessions: Sessions,
): Promise<Map<MethodKey, CostModel>> {
  const name = functionName(activation.id, kind);
  const times = new Map<MethodKey, number[]>();
  const failed = new Set<MethodKey>();

  for (const size of SURVEY_SIZES) {
    const data = makeSizeData(size, peers.backends);
    const prepared = await prepareAll(
      new Methods(activation, kind, data),
      data,
      stream,
      wanted,
      sessions,
    );
    const expected = await prepared.get("native")?.result();

    for (const [key, method] of prepared) {
      if (failed.has(key)) continue;
      try {
        const result = await method.result();
        const isCopy = key === "copy-set" || key === "copy-stream";
        const difference = expected === undefined || isCopy
          ? 0
          : worstDifference(result, expected);
        if (difference > 1e-3 && size === SURVEY_SIZES[0]) {
          note(
            `${METHODS[key]} computes another ${name}: off by ` +
              `${difference.toPrecision(2)} relative at worst`,
          );
        }
        const list = times.get(key) ?? [];
        list.push(await fastestCall(method, 3));
        times.set(key, list);
      } catch (error) {
        note(`${METHODS[key]} left out of ${name}: ${error}`);
        failed.add(key);
        times.delete(key);
      }
    }
    for (const { x, dy, slopes } of data.tensors.values()) {
      tf.dispose([x, dy, slopes]);
    }
  }

  const models = new Map<MethodKey, CostModel>();
  const [small, large] = SURVEY_SIZES;
  for (const [key, [atSmall, atLarge]] of times) {
    if (atSmall === undefined || atLarge === undefined) continue;
    const perElement = Math.max(atLarge - atSmall, 0) / (large - small);
    const fixed = Math.max(atSmall - perElement * small, 0);
    models.set(key, (size) => fixed + perElement * size);
  }
  return models;
}

/**
 * Registers the benches of `kind` that the environment asks for (every
 * function, size and method by default; see _config.ts).
 */
export async function registerSuite(kind: Kind): Promise<void> {
  const config = readConfig();
  const known = ACTIVATIONS.flatMap((activation) => [
    functionName(activation.id, "forward"),
    functionName(activation.id, "gradient"),
  ]);
  for (const name of config.functions ?? []) {
    if (!known.includes(name)) {
      throw new RangeError(
        `BENCH_FUNCTIONS must list names among ${known.join(", ")}: got ` +
          `"${name}"`,
      );
    }
  }
  const activations = ACTIVATIONS.filter((activation) =>
    config.functions === undefined ||
    config.functions.has(functionName(activation.id, kind))
  );
  if (activations.length === 0) return;

  const sampler = Sampler.fromEnvironment(kind);
  const stream = streamingCopy();
  const sessions: Sessions = new Map();
  const limit = config.maxCallMs;
  const sizes = config.sizes.map((size) => ({
    size,
    data: makeSizeData(size, peers.backends),
  }));

  for (const activation of activations) {
    const name = functionName(activation.id, kind);
    const costs = await surveyMethods(
      activation,
      kind,
      config.methods,
      stream,
      sessions,
    );

    for (const { size, data } of sizes) {
      const group = groupName(name, size);
      const prepared = await prepareAll(
        new Methods(activation, kind, data),
        data,
        stream,
        new Set(costs.keys()),
        sessions,
      );
      const baseline = await fasterCopy(prepared);

      for (const [key, method] of prepared) {
        const estimate = costs.get(key)!(size);
        const essential = key === "native" || FLOOR_METHODS.includes(key);
        if (!essential && estimate > limit) {
          note(
            `${METHODS[key]} left out of ${group}: one call would take ` +
              `about ${(estimate / 1000).toPrecision(2)} s ` +
              `(BENCH_MAX_CALL_MS=${limit})`,
          );
          continue;
        }

        const runs = runsFor(estimate);
        const fn = method.async
          ? sampler?.wrapAsync(group, METHODS[key], runs.warmup, method.call)
          : sampler?.wrap(group, METHODS[key], runs.warmup, method.call);
        Deno.bench({
          name: METHODS[key],
          group,
          baseline: key === baseline,
          ...runs,
          fn: fn ?? method.call,
        });
      }
    }
  }
}
