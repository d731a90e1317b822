// The speed targets, measured against the memory floor: moving the same
// bytes, by the faster of TypedArray.prototype.set and the library's
// streaming copy on every thread. Also the cost of one call on a small
// array, the sizes below which a plain TypeScript loop is faster, and what
// threads bring at each size.
//
// `deno bench --allow-ffi --allow-read --allow-env bench/floor_bench.ts`
// runs it as benchmarks; `deno run` with the same flags prints the ratios
// as tables instead, each number the best of several runs taken in turns,
// so that the load of a shared machine slows every method alike (arguments:
// the rounds, then which of the tables floor, small, loop, threads).

import * as act from "../mod.ts";
import { loadLibrary } from "../ffi/load.ts";

const native = loadLibrary();
const FLOOR_SIZE = 1 << 24;

function sampleInput(size: number): Float32Array {
  const x = new Float32Array(size);
  for (let i = 0; i < size; i++) x[i] = Math.sin(i) * 5;
  return x;
}

/** The functions the targets name, each as the library runs it and as a
 * TypeScript loop (gelu's erf form has no Math.erf to loop over). */
interface Method {
  name: string;
  native: (x: Float32Array, out: Float32Array) => void;
  loop?: (x: Float32Array, out: Float32Array) => void;
}

const METHODS: Method[] = [
  {
    name: "relu",
    native: (x, out) => act.relu(x, { out }),
    loop: (x, out) => {
      for (let i = 0; i < x.length; i++) {
        const v = x[i]!;
        out[i] = v > 0 ? v : v !== v ? v : 0;
      }
    },
  },
  {
    name: "sigmoid",
    native: (x, out) => act.sigmoid(x, { out }),
    loop: (x, out) => {
      for (let i = 0; i < x.length; i++) out[i] = 1 / (1 + Math.exp(-x[i]!));
    },
  },
  {
    name: "tanh",
    native: (x, out) => act.tanh(x, { out }),
    loop: (x, out) => {
      for (let i = 0; i < x.length; i++) out[i] = Math.tanh(x[i]!);
    },
  },
  {
    name: "silu",
    native: (x, out) => act.silu(x, { out }),
    loop: (x, out) => {
      for (let i = 0; i < x.length; i++) {
        const v = x[i]!;
        out[i] = v / (1 + Math.exp(-v));
      }
    },
  },
  {
    name: "elu",
    native: (x, out) => act.elu(x, { out }),
    loop: (x, out) => {
      for (let i = 0; i < x.length; i++) {
        const v = x[i]!;
        out[i] = v > 0 ? v : Math.expm1(v);
      }
    },
  },
  {
    name: "gelu tanh",
    native: (x, out) => act.gelu(x, { out, approximate: "tanh" }),
    loop: (x, out) => {
      for (let i = 0; i < x.length; i++) {
        const v = x[i]!;
        const u = 0.7978845608028654 * (v + 0.044715 * v * v * v);
        out[i] = 0.5 * v * (1 + Math.tanh(u));
      }
    },
  },
  { name: "gelu erf", native: (x, out) => act.gelu(x, { out }) },
];

const FLOOR_METHODS: [string, (x: Float32Array, out: Float32Array) => void][] =
  [
    ["TypedArray.set", (x, out) => out.set(x)],
    [
      "streaming copy",
      (x, out) => native.act_copy_f32(x, out, BigInt(x.length), 1),
    ],
  ];

/** Best time in milliseconds of each entry over `rounds` rounds, the
 * entries run in turns within a round; `prepare` runs untimed first. */
function bestOf(
  entries: { run: () => void; prepare?: () => void }[],
  rounds: number,
  repeat = 1,
): number[] {
  const best = entries.map(() => Infinity);
  for (let round = 0; round < rounds; round++) {
    entries.forEach((entry, k) => {
      entry.prepare?.();
      const start = performance.now();
      for (let i = 0; i < repeat; i++) entry.run();
      const elapsed = (performance.now() - start) / repeat;
      best[k] = Math.min(best[k]!, elapsed);
    });
  }
  return best;
}

/** The fraction of the floor each function reaches at 16M elements. */
function floorTable(rounds: number): string[] {
  const x = sampleInput(FLOOR_SIZE);
  const out = new Float32Array(FLOOR_SIZE);
  const inPlace = new Float32Array(FLOOR_SIZE);
  const entries = [
    ...FLOOR_METHODS.map(([name, run]) => ({ name, run: () => run(x, out) })),
    ...METHODS.map((m) => ({ name: m.name, run: () => m.native(x, out) })),
    {
      name: "relu in place",
      prepare: () => inPlace.set(x),
      run: () => act.relu(inPlace, { out: inPlace }),
    },
  ];
  const times = bestOf(entries, rounds);
  const floor = Math.min(times[0]!, times[1]!);
  const lines = [
    `16M float32 elements (64 MiB in, 64 MiB out), best of ${rounds}:`,
    "| method | ms | fraction of the floor |",
    "| --- | ---: | ---: |",
  ];
  entries.forEach((entry, k) => {
    const ms = times[k]!;
    lines.push(
      `| ${entry.name} | ${ms.toFixed(2)} | ${(floor / ms).toFixed(2)} |`,
    );
  });
  return lines;
}

/** The calls timed on 16 elements, each as a statement over `act`,
 * `native`, `x`, `out`, `dy` and `length`. */
const SMALL_CALLS: [string, string][] = [
  ["act_relu_f32 called directly", "native.act_relu_f32(x, out, length)"],
  ["relu(x, { out })", "act.relu(x, { out })"],
  ["relu(x, { out: x })", "act.relu(x, { out: x })"],
  ["relu(x), a new array", "act.relu(x)"],
  ["sigmoid(x, { out })", "act.sigmoid(x, { out })"],
  ["elu(x, { out })", "act.elu(x, { out })"],
  ["gelu(x, { out })", "act.gelu(x, { out })"],
  ["reluGrad(dy, x, { out })", "act.reluGrad(dy, x, { out })"],
];

/** Nanoseconds per call of `statement` on 16 elements: the best of many
 * short runs, in a worker of its own, so that what V8 learned from the
 * other calls (a check seen both in place and not) cannot slow this one. */
async function timeSmallCall(statement: string, runs: number): Promise<number> {
  const source = `
    import * as act from ${JSON.stringify(import.meta.resolve("../mod.ts"))};
    import { loadLibrary } from ${
    JSON.stringify(import.meta.resolve("../ffi/load.ts"))
  };
    const native = loadLibrary();
    const x = new Float32Array(16).map((_, i) => i - 8);
    const out = new Float32Array(16);
    const dy = new Float32Array(16).fill(1);
    const length = BigInt(x.length);
    const run = () => { ${statement}; };
    const calls = 20000;
    let best = Infinity;
    for (let r = 0; r < ${runs}; r++) {
      const start = performance.now();
      for (let i = 0; i < calls; i++) run();
      if (r >= 50) best = Math.min(best, (performance.now() - start) / calls);
    }
    self.postMessage(best * 1e6);
  `;
  const url = URL.createObjectURL(
    new Blob([source], { type: "application/javascript" }),
  );
  const worker = new Worker(url, { type: "module" });
  try {
    return await new Promise<number>((resolve, reject) => {
      worker.onmessage = (event) => resolve(event.data as number);
      worker.onerror = (event) => reject(new Error(event.message));
    });
  } finally {
    worker.terminate();
    URL.revokeObjectURL(url);
  }
}

async function smallCallTable(rounds: number): Promise<string[]> {
  // Short runs, many of them: on a loaded machine the best run is one
  // that no other process interrupted.
  const runs = 50 + rounds * 30;
  const lines = [
    `One call on 16 float32 elements, best of ${runs - 50} runs of 20000, ` +
    "each kind of call in a worker of its own:",
    "| call | ns |",
    "| --- | ---: |",
  ];
  for (const [name, statement] of SMALL_CALLS) {
    const ns = await timeSmallCall(statement, runs);
    lines.push(`| ${name} | ${ns.toFixed(1)} |`);
  }
  return lines;
}

const LOOP_SIZES = [4, 16, 64, 256, 1024, 4096];

/** Native call against a TypeScript loop at small sizes: the ratio of the
 * loop's time to the call's (above 1, the library wins). */
function loopTable(rounds: number): string[] {
  const lines = [
    `A TypeScript loop's time over the native call's, best of ${rounds}:`,
    `| function | ${LOOP_SIZES.join(" | ")} |`,
    `| --- |${" ---: |".repeat(LOOP_SIZES.length)}`,
  ];
  for (const method of METHODS) {
    if (method.loop === undefined) continue;
    const loop = method.loop;
    const cells = LOOP_SIZES.map((size) => {
      const x = sampleInput(size);
      const out = new Float32Array(size);
      const repeat = Math.max(1, Math.floor(200_000 / size));
      const entries = [
        { run: () => method.native(x, out) },
        { run: () => loop(x, out) },
      ];
      bestOf(entries, 2, repeat);
      const [call, typescript] = bestOf(entries, rounds, repeat);
      return (typescript! / call!).toFixed(2);
    });
    lines.push(`| ${method.name} | ${cells.join(" | ")} |`);
  }
  return lines;
}

const THREAD_SIZES = [1 << 14, 1 << 16, 1 << 18, 1 << 20, 1 << 22];

/** One thread's time over the default thread count's, by size. */
function threadTable(rounds: number): string[] {
  const threads = native.act_get_threads();
  const lines = [
    `Time on 1 thread over time on ${threads}, best of ${rounds}:`,
    `| function | ${THREAD_SIZES.map((n) => n.toString()).join(" | ")} |`,
    `| --- |${" ---: |".repeat(THREAD_SIZES.length)}`,
  ];
  const x = sampleInput(THREAD_SIZES[THREAD_SIZES.length - 1]!);
  const out = new Float32Array(x.length);
  for (const method of METHODS) {
    const cells = THREAD_SIZES.map((size) => {
      const input = x.subarray(0, size);
      const output = out.subarray(0, size);
      const repeat = Math.max(1, Math.floor((1 << 20) / size));
      // One untimed call after the switch, so that the workers are awake.
      const entries = [1, threads].map((count) => ({
        prepare: () => {
          native.act_set_threads(count);
          method.native(input, output);
        },
        run: () => method.native(input, output),
      }));
      const [one, all] = bestOf(entries, rounds, repeat);
      return (one! / all!).toFixed(2);
    });
    lines.push(`| ${method.name} | ${cells.join(" | ")} |`);
  }
  native.act_set_threads(threads);
  return lines;
}

if (import.meta.main) {
  // Arguments: the rounds (10 by default), then the tables to print, from
  // floor, small, loop and threads (all by default).
  const rounds = Number(Deno.args[0] ?? 10);
  const tables = Deno.args.length > 1
    ? Deno.args.slice(1)
    : ["floor", "small", "loop", "threads"];
  const isa = Deno.UnsafePointerView.getCString(native.act_isa_name()!);
  const report = [
    `Level ${isa}, ${native.act_get_threads()} threads, ${Deno.build.target}`,
  ];
  const makers: Record<string, () => string[] | Promise<string[]>> = {
    floor: () => floorTable(rounds),
    small: () => smallCallTable(rounds),
    loop: () => loopTable(rounds),
    threads: () => threadTable(rounds),
  };
  for (const table of tables) {
    const make = makers[table];
    if (make === undefined) throw new RangeError(`No table named ${table}`);
    report.push("", ...await make());
  }
  // A script's whole output is its report.
  // deno-lint-ignore no-console
  for (const line of report) console.log(line);
}

// The same measurements as benchmarks, the floor as each group's baseline.
{
  const x = sampleInput(FLOOR_SIZE);
  const out = new Float32Array(FLOOR_SIZE);
  const runs = { n: 20, warmup: 3 };
  const group = "16M float32 against the floor";
  Deno.bench({
    name: "streaming copy",
    group,
    baseline: true,
    ...runs,
    fn: () => {
      native.act_copy_f32(x, out, BigInt(x.length), 1);
    },
  });
  Deno.bench({
    name: "TypedArray.set",
    group,
    ...runs,
    fn: () => {
      out.set(x);
    },
  });
  for (const method of METHODS) {
    Deno.bench({
      name: method.name,
      group,
      ...runs,
      fn: () => method.native(x, out),
    });
  }
  Deno.bench({
    name: "relu in place",
    group,
    ...runs,
    fn: () => {
      act.relu(out, { out });
    },
  });
}

for (const size of [16, 256, 4096]) {
  const x = sampleInput(size);
  const out = new Float32Array(size);
  for (const method of METHODS) {
    if (method.loop === undefined) continue;
    const group = `${method.name} on ${size} elements`;
    const loop = method.loop;
    Deno.bench({
      name: "TypeScript loop",
      group,
      baseline: true,
      fn: () => loop(x, out),
    });
    Deno.bench({ name: "native", group, fn: () => method.native(x, out) });
  }
}
