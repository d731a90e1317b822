// A soak: millions of small calls and thousands of large ones over forward
// functions, gradients and row functions, with refused calls mixed in, and
// the process's resident memory sampled after every round. Memory that grows
// round after round is a leak, in the binding or in the native library.
//
//   deno run --allow-ffi --allow-read --allow-env --v8-flags=--expose-gc \
//     bench/soak.ts [--seconds=60] [--rounds=N] [--large=1048576] [--json]
//
// It runs rounds for --seconds (60 by default), or exactly --rounds rounds
// when that is given. With --v8-flags=--expose-gc a full collection runs
// before each sample, so that a sample measures what is still held rather
// than garbage not yet collected. --json prints one JSON object instead of
// the table (tests/soak_test.ts reads it).

import * as act from "../mod.ts";

type FloatArray = Float32Array | Float64Array;

/** The command line, parsed. */
interface Settings {
  seconds: number;
  rounds: number | undefined;
  largeLength: number;
  json: boolean;
}

function parseSettings(args: string[]): Settings {
  const settings: Settings = {
    seconds: 60,
    rounds: undefined,
    largeLength: 1 << 20,
    json: false,
  };
  for (const arg of args) {
    const [name, value] = arg.split("=", 2);
    const number = Number(value);
    if (name === "--json" && value === undefined) settings.json = true;
    else if (name === "--seconds" && number > 0) settings.seconds = number;
    else if (name === "--rounds" && Number.isInteger(number) && number > 0) {
      settings.rounds = number;
    } else if (name === "--large" && Number.isInteger(number) && number > 0) {
      settings.largeLength = number;
    } else {
      throw new TypeError(`Unknown or invalid argument: ${arg}`);
    }
  }
  return settings;
}

const SMALL_LENGTH = 64;
const SMALL_ROW = 16;
const LARGE_ROW = 1024;

// Calls per round: each small call below runs SMALL_REPEATS times a round,
// each large call LARGE_REPEATS times, and one call in REFUSED_EVERY is a
// bad input whose error is caught.
const SMALL_REPEATS = 4_000;
const LARGE_REPEATS = 4;
const REFUSED_EVERY = 50;

function filled<T extends FloatArray>(array: T, seed: number): T {
  for (let i = 0; i < array.length; i++) {
    array[i] = Math.sin(i * 0.37 + seed) * 8;
  }
  return array;
}

/** The small calls of a round, in both array types: into an `out`, into a
 * new array, in place. */
function smallCalls(): (() => unknown)[] {
  const calls: (() => unknown)[] = [];
  for (const Type of [Float32Array, Float64Array]) {
    const x = filled(new Type(SMALL_LENGTH), 1);
    const dy = filled(new Type(SMALL_LENGTH), 2);
    const out = new Type(SMALL_LENGTH);
    const inPlace = filled(new Type(SMALL_LENGTH), 3);
    const slopes = filled(new Type(4), 4);
    const dalphaOut = new Type(4);
    calls.push(
      () => act.relu(x, { out }),
      () => act.gelu(x),
      () => act.sigmoid(inPlace, { out: inPlace }),
      () => act.leakyRelu(x, { alpha: 0.1, out }),
      () => act.prelu(x, slopes, { out }),
      () => act.tanhGrad(dy, x, { out }),
      () => act.geluGrad(dy, x, { approximate: "tanh" }),
      () => act.preluGrad(dy, x, slopes, { out, dalphaOut }),
      () => act.softmax(x, { axisLength: SMALL_ROW, out }),
      () => act.logSoftmaxGrad(dy, x, { axisLength: SMALL_ROW }),
    );
  }
  return calls;
}

/** The large calls of a round, Float32Array, `length` elements each. */
function largeCalls(length: number): (() => unknown)[] {
  const x = filled(new Float32Array(length), 5);
  const dy = filled(new Float32Array(length), 6);
  const out = new Float32Array(length);
  const inPlace = filled(new Float32Array(length), 7);
  const slopes = filled(new Float32Array(LARGE_ROW), 8);
  // Most into an array that is reused, as a model's layers call them; two
  // into new arrays, which the collector frees.
  return [
    () => act.relu(x, { out }),
    () => act.gelu(x, { approximate: "tanh", out }),
    () => act.sigmoid(inPlace, { out: inPlace }),
    () => act.siluGrad(dy, x, { out }),
    () => act.mishGrad(dy, x),
    () => act.softmax(x, { axisLength: LARGE_ROW, out }),
    () => act.logSoftmax(inPlace, { axisLength: LARGE_ROW, out: inPlace }),
    () => act.softmaxGrad(dy, x, { axisLength: LARGE_ROW }),
    () => act.preluGrad(dy, x, slopes, { out }),
  ];
}

/** Bad inputs, each refused with an error the soak catches. */
function refusedCalls(): (() => unknown)[] {
  const x = new Float32Array(SMALL_LENGTH);
  return [
    () => act.relu(x, { out: new Float32Array(SMALL_LENGTH - 1) }),
    () => act.softmax(x, { axisLength: 3 }),
    () => act.tanhGrad(x, new Float64Array(SMALL_LENGTH) as never),
    () => act.elu(x, { alpha: NaN }),
  ];
}

/** One sample of the process's memory. */
interface Sample {
  seconds: number;
  smallCalls: number;
  largeCalls: number;
  rssBytes: number;
  heapUsedBytes: number;
  /** Memory outside the JavaScript heap that V8 accounts for: the live
   * ArrayBuffers' contents. */
  externalBytes: number;
}

/** What a soak measured. */
export interface SoakReport {
  collectedBeforeSamples: boolean;
  smallLength: number;
  largeLength: number;
  rounds: number;
  warmupRounds: number;
  smallCalls: number;
  largeCalls: number;
  refusedCalls: number;
  seconds: number;
  /** Resident memory at the end of the warm-up rounds. */
  rssAfterWarmupBytes: number;
  /** Resident memory after the last round. */
  rssAtEndBytes: number;
  /** The highest resident memory of any round after the warm-up. */
  rssHighestBytes: number;
  /** The median resident memory in the first and in the last third of the
   * rounds: freed buffers go back to the system at the allocator's own
   * pace, which dips single samples by a chunk (8 MiB seen here) at
   * random, while a leak raises every sample, and so the median. */
  rssMedianFirstThirdBytes: number;
  rssMedianLastThirdBytes: number;
  heapUsedAfterWarmupBytes: number;
  heapUsedAtEndBytes: number;
  externalAfterWarmupBytes: number;
  externalAtEndBytes: number;
  samples: Sample[];
}

const collect = (globalThis as { gc?: () => void }).gc;

/** Runs the soak and returns what it measured. */
export function soak(settings: Settings): SoakReport {
  const small = smallCalls();
  const large = largeCalls(settings.largeLength);
  const refused = refusedCalls();

  const started = performance.now();
  const samples: Sample[] = [];
  let smallCount = 0;
  let largeCount = 0;
  let refusedCount = 0;

  const sample = (): void => {
    collect?.();
    const memory = Deno.memoryUsage();
    samples.push({
      seconds: (performance.now() - started) / 1000,
      smallCalls: smallCount,
      largeCalls: largeCount,
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      externalBytes: memory.external,
    });
  };

  const runRound = (): void => {
    for (let repeat = 0; repeat < SMALL_REPEATS; repeat++) {
      for (const call of small) {
        call();
        smallCount++;
        if (smallCount % REFUSED_EVERY === 0) {
          try {
            refused[refusedCount % refused.length]!();
          } catch {
            refusedCount++;
          }
        }
      }
    }
    for (let repeat = 0; repeat < LARGE_REPEATS; repeat++) {
      for (const call of large) {
        call();
        largeCount++;
      }
    }
  };

  // The warm-up: the functions optimized, the library's threads started,
  // the allocator's pools filled. Memory is measured from its end.
  const warmupRounds = 3;
  for (let round = 0; round < warmupRounds; round++) runRound();
  sample();

  let rounds = 0;
  const deadline = started + settings.seconds * 1000;
  while (
    settings.rounds === undefined
      ? performance.now() < deadline
      : rounds < settings.rounds
  ) {
    runRound();
    rounds++;
    sample();
  }

  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  const third = Math.max(1, Math.floor(samples.length / 3));
  const median = (part: Sample[]): number => {
    const sorted = part.map((s) => s.rssBytes).sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
  };
  return {
    collectedBeforeSamples: collect !== undefined,
    smallLength: SMALL_LENGTH,
    largeLength: settings.largeLength,
    rounds,
    warmupRounds,
    smallCalls: smallCount,
    largeCalls: largeCount,
    refusedCalls: refusedCount,
    seconds: last.seconds,
    rssAfterWarmupBytes: first.rssBytes,
    rssAtEndBytes: last.rssBytes,
    rssHighestBytes: Math.max(...samples.map((s) => s.rssBytes)),
    rssMedianFirstThirdBytes: median(samples.slice(0, third)),
    rssMedianLastThirdBytes: median(samples.slice(-third)),
    heapUsedAfterWarmupBytes: first.heapUsedBytes,
    heapUsedAtEndBytes: last.heapUsedBytes,
    externalAfterWarmupBytes: first.externalBytes,
    externalAtEndBytes: last.externalBytes,
    samples,
  };
}

const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);

function printTable(report: SoakReport): void {
  const every = Math.max(1, Math.floor(report.samples.length / 12));
  const lines = [
    `soak: ${report.seconds.toFixed(1)} s, ` +
    `${report.smallCalls.toLocaleString("en")} small calls ` +
    `(${report.smallLength} elements), ` +
    `${report.largeCalls.toLocaleString("en")} large calls ` +
    `(${report.largeLength.toLocaleString("en")} elements), ` +
    `${report.refusedCalls.toLocaleString("en")} refused calls; ` +
    (report.collectedBeforeSamples
      ? "a full GC before each sample"
      : "no GC before samples (run with --v8-flags=--expose-gc for one)"),
    "",
    "seconds   small calls   large calls   rss MiB   heap used MiB" +
    "   external MiB",
  ];
  report.samples.forEach((s, i) => {
    if (i % every !== 0 && i !== report.samples.length - 1) return;
    lines.push(
      `${s.seconds.toFixed(1).padStart(7)}` +
        `${s.smallCalls.toLocaleString("en").padStart(14)}` +
        `${s.largeCalls.toLocaleString("en").padStart(14)}` +
        `${mib(s.rssBytes).padStart(10)}` +
        `${mib(s.heapUsedBytes).padStart(16)}` +
        `${mib(s.externalBytes).padStart(15)}`,
    );
  });
  lines.push(
    "",
    `rss after warm-up ${mib(report.rssAfterWarmupBytes)} MiB, at end ` +
      `${mib(report.rssAtEndBytes)} MiB, highest after warm-up ` +
      `${mib(report.rssHighestBytes)} MiB; median in the first third ` +
      `${mib(report.rssMedianFirstThirdBytes)} MiB, in the last third ` +
      `${mib(report.rssMedianLastThirdBytes)} MiB`,
    `heap used after warm-up ${mib(report.heapUsedAfterWarmupBytes)} MiB, ` +
      `at end ${mib(report.heapUsedAtEndBytes)} MiB; external after ` +
      `warm-up ${mib(report.externalAfterWarmupBytes)} MiB, at end ` +
      `${mib(report.externalAtEndBytes)} MiB`,
  );
  // A script's output: this file is a benchmark, not library code.
  // deno-lint-ignore no-console
  console.log(lines.join("\n"));
}

if (import.meta.main) {
  const settings = parseSettings(Deno.args);
  const report = soak(settings);
  if (settings.json) {
    // deno-lint-ignore no-console
    console.log(JSON.stringify(report));
  } else {
    printTable(report);
  }
}
