// What a benchmark run covers, shared by the bench files and the report:
// the sizes, the functions, the methods and their names, and the
// environment variables that narrow a run for a quick look.
//
//   BENCH_SIZES      element counts, comma-separated: 1000,1e6
//   BENCH_FUNCTIONS  names from mod.ts, a gradient as its name in mod.ts:
//                    relu,reluGrad,geluTanh (gelu's tanh form)
//   BENCH_METHODS    method keys from METHODS below: native,copy-set
//   BENCH_MAX_CALL_MS  the slowest call worth waiting for (1000): a peer
//                    slower than that at a size is left out there
//   BENCH_SAMPLES    a folder for the medians (see _samples.ts)

/** The prefix of the stderr lines that the report collects. */
export const NOTE_PREFIX = "bench note: ";

/** Says on stderr, where the report looks for it, what a run left out:
 * stdout carries only deno bench's JSON. */
export function note(message: string): void {
  // deno-lint-ignore no-console
  console.error(NOTE_PREFIX + message);
}

/** Forward functions, or their gradients. */
export type Kind = "forward" | "gradient";

/** The sizes of a full run: a thousand to sixteen million elements. */
export const DEFAULT_SIZES: readonly number[] = [
  1_000,
  10_000,
  100_000,
  1_000_000,
  16_777_216,
];

/** Every way a function is computed, by key; the names are the benches'. */
export const METHODS = {
  "native": "native",
  "tfjs-cpu-user": "tfjs cpu, array in and out",
  "tfjs-cpu-op": "tfjs cpu, op alone",
  "tfjs-wasm-user": "tfjs wasm, array in and out",
  "tfjs-wasm-op": "tfjs wasm, op alone",
  "onnx": "onnxruntime-node",
  "loop": "TypeScript loop",
  "copy-set": "copy: TypedArray.set",
  "copy-stream": "copy: 2-core streaming",
} as const;

/** A method's key. */
export type MethodKey = keyof typeof METHODS;

/** The methods that make the copy floor: the faster of them is the floor. */
export const FLOOR_METHODS: readonly MethodKey[] = ["copy-set", "copy-stream"];

/** Peers whose one call would take longer than this, in milliseconds, are
 * left out at that size (BENCH_MAX_CALL_MS overrides it): `deno bench`
 * makes at least four calls of every bench. */
export const DEFAULT_MAX_CALL_MS = 1000;

/** What one run covers. */
export interface RunConfig {
  sizes: number[];
  /** Function names (`relu`, `reluGrad`), or undefined for all. */
  functions: Set<string> | undefined;
  methods: Set<MethodKey>;
  /** The slowest call of a peer worth waiting for, in milliseconds. */
  maxCallMs: number;
}

/** The bytes one element costs in memory traffic: a forward reads x and
 * writes y; a gradient reads dy and x (or y) and writes dx. */
export function bytesPerElement(kind: Kind): number {
  return kind === "forward" ? 8 : 12;
}

/** A function's name in the benchmark: mod.ts's, with `Grad` for its
 * gradient. */
export function functionName(id: string, kind: Kind): string {
  return kind === "forward" ? id : `${id}Grad`;
}

/** The group of one function at one size, as `deno bench` shows it. */
export function groupName(name: string, size: number): string {
  return `${name} ${size.toLocaleString("en-US")}`;
}

/** The function name and size of a group, or undefined for another's. */
export function parseGroup(
  group: string,
): { name: string; size: number } | undefined {
  const match = /^(\S+) ([\d,]+)$/.exec(group);
  if (match === null) return undefined;
  return { name: match[1]!, size: Number(match[2]!.replaceAll(",", "")) };
}

function readEnvironment(name: string): string | undefined {
  try {
    const value = Deno.env.get(name)?.trim();
    return value === "" ? undefined : value;
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable) return undefined;
    throw error;
  }
}

function list(value: string): string[] {
  return value.split(",").map((item) => item.trim()).filter((item) =>
    item !== ""
  );
}

/**
 * The run the environment asks for: every size, function and method unless
 * narrowed.
 *
 * @throws {RangeError} on a size that is not a positive integer, a method
 * key that does not exist, or a limit that is not a positive number.
 */
export function readConfig(): RunConfig {
  const sizesText = readEnvironment("BENCH_SIZES");
  const sizes = sizesText === undefined
    ? [...DEFAULT_SIZES]
    : list(sizesText).map(Number);
  for (const size of sizes) {
    if (!Number.isSafeInteger(size) || size <= 0) {
      throw new RangeError(
        `BENCH_SIZES must list positive integers: got "${sizesText}"`,
      );
    }
  }

  const functionsText = readEnvironment("BENCH_FUNCTIONS");
  const functions = functionsText === undefined
    ? undefined
    : new Set(list(functionsText));

  const methodsText = readEnvironment("BENCH_METHODS");
  const keys = Object.keys(METHODS) as MethodKey[];
  const methods = new Set<MethodKey>(
    methodsText === undefined ? keys : list(methodsText) as MethodKey[],
  );
  for (const method of methods) {
    if (!keys.includes(method)) {
      throw new RangeError(
        `BENCH_METHODS must list keys among ${keys.join(", ")}: got ` +
          `"${method}"`,
      );
    }
  }

  const maxCallText = readEnvironment("BENCH_MAX_CALL_MS");
  const maxCallMs = Number(maxCallText ?? DEFAULT_MAX_CALL_MS);
  if (!(maxCallMs > 0)) {
    throw new RangeError(
      `BENCH_MAX_CALL_MS must be a positive number: got "${maxCallText}"`,
    );
  }

  return { sizes, functions, methods, maxCallMs };
}

/** Measured time aimed at per bench, and warm-up time, in milliseconds. */
const MEASURE_MS = 200;
const WARMUP_MS = 50;

/**
 * The timed runs of one bench whose call takes about `callMs`: `deno
 * bench` runs each bench for 10 ms and then `n` more times (its warm-up
 * likewise), so that a slow call is run a few times and a fast one for
 * about MEASURE_MS. Calls under 10 us are timed by `deno bench` in batches
 * of ten thousand, at least ten batches, whatever `n` says.
 */
export function runsFor(callMs: number): { n: number; warmup: number } {
  const clamp = (value: number, most: number): number =>
    Math.max(1, Math.min(most, Math.round(value)));
  return {
    n: clamp(MEASURE_MS / callMs, 1000),
    warmup: clamp(WARMUP_MS / callMs, 200),
  };
}
