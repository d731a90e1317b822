// Every function and gradient, in both array types, against the bounds of
// tests/_accuracy.ts, which the README's accuracy table states: the largest
// ulp error over a sweep of the specials (NaN, infinities, signed zeros,
// subnormals, the largest finite values), a dense grid and seeded random
// inputs, and absolute bounds where a derivative crosses zero. Then every
// instruction level the processor runs must give the same bits.
//
// tests/accuracy_probe.ts measures the same cases over more inputs and
// prints the numbers.

import assert from "node:assert/strict";
import { loadLibrary } from "../ffi/load.ts";
import {
  type FloatArrayType,
  measureAll,
  prepare,
  type Row,
  showNumber,
  violation,
} from "./_accuracy.ts";

const native = loadLibrary();
const LEVEL_NAMES = ["baseline", "avx2", "avx512"];

/** The first element where two outputs differ in bits, NaN payloads aside. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    if (!Object.is(x, y)) return i;
  }
  return -1;
}

for (const Type of [Float32Array, Float64Array] as FloatArrayType[]) {
  Deno.test(`every function and gradient in ${Type.name} meets its bound, at every level`, async (t) => {
    const prepared = prepare(Type, "quick");
    const initial = native.act_isa_level();
    const levels = native.act_isa_level_max() + 1;
    let first: Row[] | undefined;
    try {
      for (let level = 0; level < levels; level++) {
        assert.equal(native.act_set_isa_level(level), 0);
        const rows = measureAll(Type, prepared);
        const name = LEVEL_NAMES[level] ?? `level ${level}`;
        if (first === undefined) {
          first = rows;
          for (const row of rows) {
            await t.step(`${row.label}: ${row.quantity}`, () => {
              const problem = violation(row);
              if (problem !== undefined) {
                assert.fail(
                  `${row.label}, ${row.quantity}, ${Type.name}: ${problem}`,
                );
              }
            });
          }
          continue;
        }
        const baseline = first;
        await t.step(`${name} gives the bits of ${LEVEL_NAMES[0]}`, () => {
          rows.forEach((row, k) => {
            const reference = baseline[k]!;
            const i = firstDifference(row.output, reference.output);
            if (i >= 0) {
              assert.fail(
                `${row.label}, ${row.quantity}: element ${i} is ` +
                  `${showNumber(row.output[i]!)} on ${name} and ` +
                  `${showNumber(reference.output[i]!)} on ${LEVEL_NAMES[0]}`,
              );
            }
          });
        });
      }
    } finally {
      native.act_set_isa_level(initial);
    }
  });
}
