const lib = Deno.dlopen("/tmp/perf/libnoop.so", {
  noop_usize: { parameters: ["buffer", "buffer", "usize"], result: "i32" },
  noop_u32: { parameters: ["buffer", "buffer", "u32"], result: "i32" },
  noop_f64: { parameters: ["buffer", "buffer", "f64"], result: "i32" },
}).symbols;
const x = new Float32Array(16);
const out = new Float32Array(16);
let sink = 0;
const n16 = 16n;
let lastLen = -1, lastBig = 0n;
function big(n: number): bigint { if (n !== lastLen) { lastLen = n; lastBig = BigInt(n); } return lastBig; }
const cases: [string, () => void][] = [
  ["usize const bigint", () => { sink += lib.noop_usize(x, out, n16); }],
  ["usize BigInt(len)", () => { sink += lib.noop_usize(x, out, BigInt(x.length)); }],
  ["usize cached BigInt", () => { sink += lib.noop_usize(x, out, big(x.length)); }],
  ["u32 number", () => { sink += lib.noop_u32(x, out, x.length); }],
  ["f64 number", () => { sink += lib.noop_f64(x, out, x.length); }],
  ["x.buffer === out.buffer", () => { sink += x.buffer === out.buffer ? 1 : 0; }],
  ["x.length===0&&detached", () => { sink += x.length === 0 && (x.buffer as ArrayBuffer).detached ? 1 : 0; }],
];
const N = 20_000;
for (const [, fn] of cases) for (let i = 0; i < 50 * N; i++) fn();
const best = cases.map(() => Infinity);
for (let r = 0; r < 300; r++) {
  cases.forEach(([, fn], k) => {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) fn();
    best[k] = Math.min(best[k]!, (performance.now() - t0) * 1e6 / N);
  });
}
cases.forEach(([name], k) => console.log(`${name.padEnd(30)} ${best[k]!.toFixed(1)} ns`));
console.log(sink > 0);
