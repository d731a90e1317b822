// Runs the benchmark and writes what it measured for readers: a summary
// table in README.md (between the bench markers), one table per function
// in bench/report/details.md, and a chart of throughput against size per
// kind in bench/report/. Run it with `make report`; the environment
// variables of _config.ts narrow a run.
//
// The time of a method is the median of its calls (see _samples.ts), or
// deno bench's mean where no samples were taken. Its throughput is given in
// elements and bytes per second, and as a fraction of the copy floor: its
// bytes per second over those of the faster copy measured in the same
// group, so that 1 means "as fast as moving the bytes at all".

import { loadLibrary } from "../ffi/load.ts";
import {
  bytesPerElement,
  FLOOR_METHODS,
  type Kind,
  type MethodKey,
  METHODS,
  NOTE_PREFIX,
  parseGroup,
} from "./_config.ts";
import { ACTIVATIONS } from "./_functions.ts";
import type { SampleSummary } from "./_samples.ts";

/** The bench files the report runs, one per kind. */
export const BENCH_FILES: Record<Kind, string> = {
  forward: "bench/activations_bench.ts",
  gradient: "bench/gradients_bench.ts",
};

/** The markers in README.md between which the report writes. */
export const START_MARKER = "<!-- bench:start -->";
export const END_MARKER = "<!-- bench:end -->";

/** What `deno bench --json` writes, as far as the report reads it. */
interface BenchJson {
  runtime: string;
  cpu: string;
  benches: {
    group?: string;
    name: string;
    results: { ok?: { avg: number; n: number } }[];
  }[];
}

/** What one run of the bench files gave. */
export interface RawRun {
  json: BenchJson[];
  samples: SampleSummary[];
  /** What the benches said they left out, and why. */
  notes: string[];
  seconds: number;
}

/** One method's time for one function at one size. */
export interface Measurement {
  kind: Kind;
  /** The function's name in the benchmark: `relu`, `reluGrad`. */
  name: string;
  size: number;
  method: MethodKey;
  /** Time per call, in nanoseconds. */
  ns: number;
  statistic: "median" | "mean";
}

/** A measurement with its throughputs. */
export interface Throughput extends Measurement {
  elementsPerSecond: number;
  bytesPerSecond: number;
  /** Bytes per second over the copy floor's; undefined without a floor. */
  ofFloor: number | undefined;
}

/** The methods in the order tables and legends show them. */
const METHOD_ORDER = Object.keys(METHODS) as MethodKey[];

/** The methods compared with the native kernel (not the floor). */
const COMPARED: MethodKey[] = METHOD_ORDER.filter((key) =>
  !FLOOR_METHODS.includes(key)
);

/** The peers the native kernel is measured against in the summary's last
 * column: other libraries, not the plain loop. */
const PEERS: MethodKey[] = COMPARED.filter((key) =>
  key !== "native" && key !== "loop"
);

/** Short column heads for the summary, which has a column per method. */
const SHORT_NAMES: Record<MethodKey, string> = {
  "native": "native",
  "tfjs-cpu-user": "tfjs cpu",
  "tfjs-cpu-op": "tfjs cpu, op",
  "tfjs-wasm-user": "tfjs wasm",
  "tfjs-wasm-op": "tfjs wasm, op",
  "onnx": "onnxruntime",
  "loop": "TS loop",
  "copy-set": "set",
  "copy-stream": "streaming copy",
};

const METHOD_BY_NAME = new Map<string, MethodKey>(
  METHOD_ORDER.map((key) => [METHODS[key], key]),
);

/**
 * Runs `deno bench --json` on the bench files with medians recorded, and
 * passes its stderr through while collecting the notes.
 *
 * @throws {Error} when deno bench fails.
 */
export async function runBenchmarks(
  options: {
    files?: string[];
    env?: Record<string, string>;
    /** Whether deno bench's stderr is shown as it comes (default true). */
    echo?: boolean;
  } = {},
): Promise<RawRun> {
  const files = options.files ?? Object.values(BENCH_FILES);
  const samplesFolder = await Deno.makeTempDir({ prefix: "bench-samples-" });
  const started = performance.now();
  try {
    const json: BenchJson[] = [];
    const notes: string[] = [];
    // One process per file: each prints a JSON document of its own.
    for (const file of files) {
      const child = new Deno.Command(Deno.execPath(), {
        // `make check` type-checks the bench files; no need to here.
        args: [
          "bench",
          "--json",
          "--no-check",
          "--allow-ffi",
          "--allow-read",
          "--allow-env",
          "--allow-write",
          file,
        ],
        env: { ...options.env, BENCH_SAMPLES: samplesFolder },
        stdout: "piped",
        stderr: "piped",
      }).spawn();

      const [output, errors] = await Promise.all([
        new Response(child.stdout).text(),
        passThrough(child.stderr, options.echo ?? true),
        child.status,
      ]);
      const status = await child.status;
      if (!status.success) {
        throw new Error(
          `deno bench ${file} failed with code ${status.code}:\n` +
            errors.slice(-4000),
        );
      }
      for (const line of errors.split("\n")) {
        const at = line.indexOf(NOTE_PREFIX);
        if (at >= 0) notes.push(line.slice(at + NOTE_PREFIX.length).trim());
      }
      json.push(JSON.parse(output) as BenchJson);
    }

    const samples: SampleSummary[] = [];
    for await (const entry of Deno.readDir(samplesFolder)) {
      const text = await Deno.readTextFile(`${samplesFolder}/${entry.name}`);
      samples.push(...JSON.parse(text) as SampleSummary[]);
    }
    return {
      json,
      samples,
      notes,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await Deno.remove(samplesFolder, { recursive: true });
  }
}

/** Reads a child's stderr, copying it to ours as it comes when asked. */
async function passThrough(
  stream: ReadableStream<Uint8Array>,
  echo: boolean,
): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of stream) {
    if (echo) await Deno.stderr.write(chunk);
    text += decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}

/** The measurements of a run: medians where sampled, else means. */
export function parseRun(run: RawRun): Measurement[] {
  const medians = new Map(
    run.samples.map((s) => [`${s.group}\u0000${s.name}`, s.median]),
  );
  const measurements: Measurement[] = [];
  for (const document of run.json) {
    for (const bench of document.benches) {
      const group = parseGroup(bench.group ?? "");
      const method = METHOD_BY_NAME.get(bench.name);
      const ok = bench.results[0]?.ok;
      if (group === undefined || method === undefined || ok === undefined) {
        continue;
      }
      const median = medians.get(`${bench.group}\u0000${bench.name}`);
      measurements.push({
        kind: group.name.endsWith("Grad") ? "gradient" : "forward",
        name: group.name,
        size: group.size,
        method,
        ns: median ?? ok.avg,
        statistic: median === undefined ? "mean" : "median",
      });
    }
  }
  return measurements;
}

/** Adds throughputs, and the fraction of the floor of the same group. */
export function throughputs(measurements: Measurement[]): Throughput[] {
  const floors = new Map<string, number>();
  for (const m of measurements) {
    if (!FLOOR_METHODS.includes(m.method)) continue;
    const key = `${m.name} ${m.size}`;
    floors.set(key, Math.min(floors.get(key) ?? Infinity, m.ns));
  }
  return measurements.map((m) => {
    const seconds = m.ns / 1e9;
    const bytes = m.size * bytesPerElement(m.kind);
    const floorNs = floors.get(`${m.name} ${m.size}`);
    // The floor copies 8 bytes an element, whatever the function moves.
    const floorBytesPerSecond = floorNs === undefined
      ? undefined
      : (m.size * 8) / (floorNs / 1e9);
    return {
      ...m,
      elementsPerSecond: m.size / seconds,
      bytesPerSecond: bytes / seconds,
      ofFloor: floorBytesPerSecond === undefined
        ? undefined
        : bytes / seconds / floorBytesPerSecond,
    };
  });
}

/** `1.2 ms`, `340 µs`: three significant digits at most. */
export function formatTime(ns: number): string {
  const units: [number, string][] = [[1e9, "s"], [1e6, "ms"], [1e3, "µs"]];
  for (const [scale, unit] of units) {
    if (ns >= scale) return `${significant(ns / scale)} ${unit}`;
  }
  return `${significant(ns)} ns`;
}

/** `4.5 G`, `120 M`: a rate with an SI prefix. */
export function formatRate(value: number, unit: string): string {
  const prefixes: [number, string][] = [
    [1e12, "T"],
    [1e9, "G"],
    [1e6, "M"],
    [1e3, "k"],
  ];
  for (const [scale, prefix] of prefixes) {
    if (value >= scale) return `${significant(value / scale)} ${prefix}${unit}`;
  }
  return `${significant(value)} ${unit}`;
}

/** A fraction of the floor: two significant digits, plain decimals. */
export function formatFraction(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return "—";
  if (value >= 10) return value.toFixed(0);
  if (value >= 0.1) return value.toFixed(2);
  return value.toPrecision(2);
}

function significant(value: number): string {
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** `1,000`, `1M`, `16M`: sizes as headers show them. */
export function formatSize(size: number): string {
  if (size >= 1e6 && size % 1e6 === 0) return `${size / 1e6}M`;
  if (size === 16_777_216) return "16M";
  return size.toLocaleString("en-US");
}

function table(header: string[], rows: string[][]): string {
  const lines = [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ];
  return lines.join("\n");
}

/** The function names of one kind, in the table's order. */
function namesOf(results: Throughput[], kind: Kind): string[] {
  const order = ACTIVATIONS.map((a) =>
    kind === "forward" ? a.id : `${a.id}Grad`
  );
  const present = new Set(
    results.filter((r) => r.kind === kind).map((r) => r.name),
  );
  return order.filter((name) => present.has(name));
}

/** The two sizes the summary shows: a million and 2^24 when measured,
 * else the two largest. */
export function summarySizes(results: Throughput[]): number[] {
  const sizes = [...new Set(results.map((r) => r.size))].sort((a, b) => a - b);
  const preferred = sizes.filter((s) => s === 1_000_000 || s === 16_777_216);
  return preferred.length > 0 ? preferred : sizes.slice(-2);
}

function find(
  results: Throughput[],
  name: string,
  size: number,
  method: MethodKey,
): Throughput | undefined {
  return results.find((r) =>
    r.name === name && r.size === size && r.method === method
  );
}

/**
 * The summary: per kind, one row per function, one column per method; a
 * cell is the method's fraction of the floor at each summary size, and the
 * last column how many times faster the native kernel is than the fastest
 * peer.
 */
export function renderSummary(results: Throughput[]): string {
  const sizes = summarySizes(results);
  const sizesLabel = sizes.map(formatSize).join(" / ");
  const sections: string[] = [];

  for (const kind of ["forward", "gradient"] as const) {
    const names = namesOf(results, kind);
    if (names.length === 0) continue;
    const methods = COMPARED.filter((method) =>
      results.some((r) => r.kind === kind && r.method === method)
    );
    const rows = names.map((name) => {
      const cells = methods.map((method) =>
        sizes.map((size) =>
          formatFraction(find(results, name, size, method)?.ofFloor)
        ).join(" / ")
      );
      const lead = sizes.map((size) => {
        const native = find(results, name, size, "native");
        const peerTimes = PEERS.map((peer) =>
          find(results, name, size, peer)?.ns
        ).filter((ns): ns is number => ns !== undefined);
        if (native === undefined || peerTimes.length === 0) return "—";
        return `${significant(Math.min(...peerTimes) / native.ns)}×`;
      }).join(" / ");
      return [`\`${name}\``, ...cells, lead];
    });
    sections.push(
      `${kind === "forward" ? "Forward" : "Gradients"}, fraction of the ` +
        `copy floor at ${sizesLabel} elements (higher is faster; 1 is the ` +
        "speed of copying the bytes):\n\n" +
        table(
          [
            "function",
            ...methods.map((m) => SHORT_NAMES[m]),
            "native vs fastest peer",
          ],
          rows,
        ),
    );
  }
  sections.push(
    "A tfjs column pays for the arrays in and out (tensor made from the " +
      "array, the op, `dataSync`); `op` is the op alone on a ready tensor. " +
      "The last column is the fastest peer's time over the native " +
      "kernel's: how many times faster native is.",
  );
  return sections.join("\n\n");
}

/** Per function, a table of every method at every size. */
export function renderDetails(results: Throughput[]): string {
  const sections: string[] = [];
  for (const kind of ["forward", "gradient"] as const) {
    for (const name of namesOf(results, kind)) {
      const rows = results
        .filter((r) => r.name === name)
        .sort((a, b) =>
          a.size - b.size ||
          METHOD_ORDER.indexOf(a.method) - METHOD_ORDER.indexOf(b.method)
        )
        .map((r) => [
          r.size.toLocaleString("en-US"),
          METHODS[r.method],
          formatTime(r.ns),
          formatRate(r.elementsPerSecond, "/s"),
          formatRate(r.bytesPerSecond, "B/s"),
          formatFraction(r.ofFloor),
        ]);
      sections.push(
        `### \`${name}\`\n\n` +
          table(
            [
              "elements",
              "method",
              "time per call",
              "elements/s",
              "bytes/s",
              "of floor",
            ],
            rows,
          ),
      );
    }
  }
  return sections.join("\n\n");
}

/** Colors per method: native stands out, each peer family shares a hue. */
const METHOD_COLORS: Record<string, string> = {
  "native": "#d62728",
  "tfjs cpu, array in and out": "#9ecae1",
  "tfjs cpu, op alone": "#3182bd",
  "tfjs wasm, array in and out": "#a1d99b",
  "tfjs wasm, op alone": "#31a354",
  "onnxruntime-node": "#9467bd",
  "TypeScript loop": "#ff7f0e",
  "copy floor": "#000000",
};

/** The Vega-Lite chart of one kind: bytes per second against size, one
 * panel per function, the floor dashed. */
export function chartSpec(results: Throughput[], kind: Kind): object {
  const names = namesOf(results, kind);
  const values: object[] = [];
  for (const name of names) {
    const mine = results.filter((r) => r.name === name);
    for (const r of mine) {
      if (FLOOR_METHODS.includes(r.method)) continue;
      values.push({
        function: name,
        method: METHODS[r.method],
        size: r.size,
        gbps: r.bytesPerSecond / 1e9,
      });
    }
    for (const size of new Set(mine.map((r) => r.size))) {
      const floor = mine.filter((r) =>
        r.size === size && FLOOR_METHODS.includes(r.method)
      ).sort((a, b) => a.ns - b.ns)[0];
      if (floor === undefined) continue;
      values.push({
        function: name,
        method: "copy floor",
        size,
        // The floor's own bytes: 8 an element.
        gbps: (size * 8) / floor.ns,
      });
    }
  }

  const methods = Object.keys(METHOD_COLORS).filter((method) =>
    values.some((v) => (v as { method: string }).method === method)
  );
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: {
      text: `${kind === "forward" ? "Forward" : "Gradients"}: throughput ` +
        "against size (Float32Array, medians)",
      anchor: "start",
      fontSize: 15,
    },
    data: { values },
    facet: {
      field: "function",
      type: "nominal",
      sort: names,
      title: null,
      header: { labelFontSize: 13, labelFontWeight: "bold" },
    },
    columns: 4,
    spacing: { row: 16, column: 12 },
    spec: {
      width: 190,
      height: 130,
      mark: { type: "line", point: { size: 22 } },
      encoding: {
        x: {
          field: "size",
          type: "quantitative",
          scale: { type: "log" },
          axis: {
            title: "elements",
            format: "~s",
            values: [1e3, 1e4, 1e5, 1e6, 1e7],
            grid: true,
          },
        },
        y: {
          field: "gbps",
          type: "quantitative",
          scale: { type: "log" },
          axis: { title: "GB/s", format: "~g", tickCount: 4 },
        },
        color: {
          field: "method",
          type: "nominal",
          scale: {
            domain: methods,
            range: methods.map((m) => METHOD_COLORS[m]),
          },
          legend: {
            title: null,
            orient: "top",
            columns: 4,
            labelFontSize: 12,
            labelLimit: 260,
            symbolStrokeWidth: 3,
          },
        },
        strokeDash: {
          condition: { test: "datum.method === 'copy floor'", value: [5, 3] },
          value: [1, 0],
        },
        strokeWidth: {
          condition: { test: "datum.method === 'native'", value: 3 },
          value: 1.6,
        },
      },
    },
    resolve: { scale: { y: "shared" } },
    config: {
      font: "DejaVu Sans, Arial, sans-serif",
      view: { stroke: "#ccc" },
    },
  };
}

/** Renders a Vega-Lite spec to SVG, headless and offline. */
export async function renderSvg(spec: object): Promise<string> {
  const [vega, vegaLite] = await Promise.all([
    import("vega"),
    import("vega-lite"),
  ]);
  const compiled = vegaLite.compile(spec as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** The machine, in one line: processor, cores, memory, system, Deno, and
 * the native library's instruction level and threads. */
export async function describeMachine(cpuFromBench: string): Promise<string> {
  let cpu = cpuFromBench;
  try {
    const info = await Deno.readTextFile("/proc/cpuinfo");
    cpu = /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? cpu;
  } catch {
    // Not Linux: deno bench's name for the processor will do.
  }
  // Memory and the system's release need --allow-sys, which the tests'
  // runs lack: without it the line leaves them out.
  let system = `${Deno.build.os} (${Deno.build.arch})`;
  let memory = "";
  try {
    memory = `${(Deno.systemMemoryInfo().total / 2 ** 30).toFixed(0)} GiB, `;
    system = `${Deno.build.os} ${Deno.osRelease()} (${Deno.build.arch})`;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotCapable)) throw error;
  }
  const library = loadLibrary();
  const pointer = library.act_isa_name();
  const level = pointer === null
    ? "unknown"
    : Deno.UnsafePointerView.getCString(pointer);
  return `${cpu}, ${navigator.hardwareConcurrency} cores, ${memory}` +
    `${system}; Deno ${Deno.version.deno}; native kernels ${level}, ` +
    `${library.act_get_threads()} threads`;
}

/** The versions of the peers, as deno.json pins them. */
async function peerVersions(): Promise<string> {
  const config = JSON.parse(await Deno.readTextFile("deno.json")) as {
    imports: Record<string, string>;
  };
  const version = (name: string): string =>
    /@([^@]+)$/.exec(config.imports[name] ?? "")?.[1] ?? "?";
  return `tfjs ${version("@tensorflow/tfjs")} (\`cpu\`; \`wasm\` ` +
    `${version("@tensorflow/tfjs-backend-wasm")}, SIMD, one thread), ` +
    `onnxruntime-node ${version("onnxruntime-node")}`;
}

/** Replaces what lies between the markers, keeping the markers. */
export function replaceBetweenMarkers(text: string, content: string): string {
  const start = text.indexOf(START_MARKER);
  const end = text.indexOf(END_MARKER);
  if (start < 0 || end < start) {
    throw new Error(
      `README.md needs the markers ${START_MARKER} and ${END_MARKER}, in ` +
        "that order",
    );
  }
  return text.slice(0, start + START_MARKER.length) + "\n\n" + content +
    "\n\n" + text.slice(end);
}

/** What a run measured, with where and when: what the report keeps. */
export interface RunRecord {
  /** The day of the run, YYYY-MM-DD. */
  date: string;
  machine: string;
  seconds: number;
  notes: string[];
  measurements: Measurement[];
}

/** The record of a run just made, on this machine. */
export async function recordRun(run: RawRun): Promise<RunRecord> {
  return {
    date: new Date().toISOString().slice(0, 10),
    machine: await describeMachine(run.json[0]?.cpu ?? "unknown"),
    seconds: run.seconds,
    notes: run.notes,
    measurements: parseRun(run),
  };
}

/** Where the report writes. */
export interface ReportPaths {
  readme: string;
  /** The folder of the details and the charts. */
  folder: string;
}

/**
 * Writes the README's summary, the details and the charts for a run, and
 * returns the paths written.
 */
export async function writeReport(
  record: RunRecord,
  paths: ReportPaths,
): Promise<string[]> {
  const results = throughputs(record.measurements);
  const statistic = results.every((r) => r.statistic === "median")
    ? "median time per call"
    : "median time per call (mean where no samples were taken)";
  const minutes = (record.seconds / 60).toFixed(1);
  const about = `Run on ${record.date}: ${record.machine}. ` +
    `${await peerVersions()}. Float32Array, ${statistic}; the run took ` +
    `${minutes} minutes.`;

  await Deno.mkdir(paths.folder, { recursive: true });
  const written: string[] = [];
  const charts: string[] = [];
  for (const kind of ["forward", "gradient"] as const) {
    if (!results.some((r) => r.kind === kind)) continue;
    const file = `${paths.folder}/${kind}.svg`;
    await Deno.writeTextFile(file, await renderSvg(chartSpec(results, kind)));
    charts.push(`${kind}.svg`);
    written.push(file);
  }

  const relative = relativeFolder(paths.readme, paths.folder);
  const toolNotes = ACTIVATIONS.filter((a) => a.tfjsNote !== undefined)
    .map((a) => `\`${a.id}\`: ${a.tfjsNote}`);
  const notes = [
    ...record.notes,
    ...toolNotes,
    ...ACTIVATIONS.filter((a) => a.onnx === undefined).map((a) =>
      `\`${a.id}\`: ONNX has no such operator`
    ),
    "Gradients: onnxruntime has none; tfjs's are `tf.grad` of its op",
  ];
  const notesText = notes.map((note) => `- ${note}`).join("\n");

  const details = `# Benchmark details\n\n${about}\n\n` +
    "Each row is one method at one size: its time per call, its elements " +
    "and bytes per second (a forward moves 8 bytes an element, a gradient " +
    "12), and its bytes per second as a fraction of the faster copy " +
    "measured in the same group.\n\n" +
    charts.map((chart) => `![${chartTitle(chart)}](${chart})`).join("\n\n") +
    "\n\n" +
    `${renderDetails(results)}\n\n## Notes\n\n${notesText}\n`;
  const detailsFile = `${paths.folder}/details.md`;
  await Deno.writeTextFile(detailsFile, details);
  written.push(detailsFile);

  // The measurements themselves, so that the report can be written again
  // without running the benchmark (`bench/report.ts --from <file>`).
  const recordFile = `${paths.folder}/run.json`;
  await Deno.writeTextFile(recordFile, JSON.stringify(record, null, 1) + "\n");
  written.push(recordFile);

  const summary = `${about}\n\n${renderSummary(results)}\n\n` +
    charts.map((chart) => `![${chartTitle(chart)}](${relative}/${chart})`)
      .join("\n\n") +
    `\n\nEvery method at every size, in elements and bytes per second: ` +
    `[${relative}/details.md](${relative}/details.md), with what each run ` +
    "left out and why.";
  const readme = await Deno.readTextFile(paths.readme);
  await Deno.writeTextFile(
    paths.readme,
    replaceBetweenMarkers(readme, summary),
  );
  written.push(paths.readme);

  // deno fmt has the last word on the Markdown and the SVG, so that
  // `deno fmt --check` stays clean.
  const fmt = await new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--quiet", ...written],
  }).output();
  if (!fmt.success) {
    throw new Error(`deno fmt failed: ${new TextDecoder().decode(fmt.stderr)}`);
  }
  return written;
}

function chartTitle(file: string): string {
  const kind = file.startsWith("forward") ? "Forward" : "Gradients";
  return `${kind}: bytes per second against size, per function and method`;
}

function relativeFolder(readme: string, folder: string): string {
  const base = readme.includes("/")
    ? readme.slice(0, readme.lastIndexOf("/"))
    : ".";
  if (folder.startsWith(`${base}/`)) return folder.slice(base.length + 1);
  return folder;
}

if (import.meta.main) {
  // `--from bench/report/run.json` writes the report of an earlier run.
  const from = Deno.args[0] === "--from" ? Deno.args[1] : undefined;
  let record: RunRecord;
  if (from === undefined) {
    // deno-lint-ignore no-console
    console.error(
      "Running every benchmark; a full run takes about ten minutes.",
    );
    record = await recordRun(await runBenchmarks());
  } else {
    record = JSON.parse(await Deno.readTextFile(from)) as RunRecord;
  }
  const written = await writeReport(record, {
    readme: "README.md",
    folder: "bench/report",
  });
  // deno-lint-ignore no-console
  console.error(
    `The run took ${(record.seconds / 60).toFixed(1)} minutes; wrote ` +
      written.join(", "),
  );
}
