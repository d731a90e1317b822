import * as m from "./mod.ts";
import { loadLibrary } from "./ffi/load.ts";
const lib = loadLibrary();
const x = new Float32Array(16).map((_, i) => i - 8);
const out = new Float32Array(16);
const dy = new Float32Array(16).fill(1);
const cases: [string, () => void][] = [
  ["raw act_relu_f32(x,out,16n)", () => { lib.act_relu_f32(x, out, 16n); }],
  ["relu(x,{out})", () => { m.relu(x, { out }); }],
  ["relu(x,{out:x})", () => { m.relu(x, { out: x }); }],
  ["sigmoid(x,{out})", () => { m.sigmoid(x, { out }); }],
  ["elu(x,{out})", () => { m.elu(x, { out }); }],
  ["reluGrad(dy,x,{out})", () => { m.reluGrad(dy, x, { out }); }],
];
const N = 1_000_000;
for (const [, fn] of cases) for (let i = 0; i < N; i++) fn();
const best = cases.map(() => Infinity);
for (let r = 0; r < 15; r++) {
  cases.forEach(([, fn], k) => {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) fn();
    best[k] = Math.min(best[k]!, (performance.now() - t0) * 1e6 / N);
  });
}
cases.forEach(([name], k) => console.log(`${name.padEnd(30)} ${best[k]!.toFixed(1)} ns`));
