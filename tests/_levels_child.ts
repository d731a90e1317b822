// Run by levels_test.ts in a child process per instruction level (chosen by
// ACTIVATIONS_ISA): computes every function in both types over lengths that
// reach each kernel's vector body, its tail and its split between threads,
// and prints the level in use and a digest of each result.

import * as act from "../mod.ts";
import type { FloatArray } from "../mod.ts";
import {
  argumentsFor,
  ARRAY_TYPES,
  asyncForm,
  CALLS,
  resultArrays,
  syncForm,
} from "./_calls.ts";

const LENGTHS = [1, 7, 8, 9, 15, 17, 33, 63, 65, 1035, 9 * 29_128];

/** A SHA-256 of an array's bits, each NaN written as the one NaN: a NaN's
 * sign and payload depend on the code path and are not compared. */
async function digest(array: FloatArray): Promise<string> {
  const copy = array.slice();
  for (let i = 0; i < copy.length; i++) {
    if (Number.isNaN(copy[i])) copy[i] = NaN;
  }
  const hash = await crypto.subtle.digest("SHA-256", copy);
  return Array.from(
    new Uint8Array(hash),
    (byte) => byte.toString(16).padStart(2, "0"),
  ).join("");
}

/** A copy of `array` at an odd element offset into a larger buffer. */
function atOffset(array: FloatArray, offset: number): FloatArray {
  const Type = array.constructor as typeof Float32Array | typeof Float64Array;
  const view = new Type(
    new ArrayBuffer((array.length + offset) * Type.BYTES_PER_ELEMENT),
    offset * Type.BYTES_PER_ELEMENT,
    array.length,
  );
  view.set(array);
  return view;
}

const digests: Record<string, string> = {};
for (const call of CALLS) {
  for (const Type of ARRAY_TYPES) {
    for (const length of LENGTHS) {
      const args = argumentsFor(call, Type, length);
      const options = call.options(length);
      const label = `${call.label} ${Type.name} ${length}`;
      const results = resultArrays(syncForm(call)(...args, options));
      for (let i = 0; i < results.length; i++) {
        digests[`${label} result ${i}`] = await digest(results[i]!);
      }

      if (length === 1035) {
        const shifted = args.map((array, i) => atOffset(array, 2 * i + 1));
        const out = atOffset(new Type(length), 3);
        const viewed = resultArrays(
          await asyncForm(call)(...shifted, { ...options, out }),
        );
        for (let i = 0; i < viewed.length; i++) {
          digests[`${label} at odd offsets, async, result ${i}`] = await digest(
            viewed[i]!,
          );
        }
      }
    }
  }
}

const { isa, isaLevels } = act.info();
// The parent reads the report from standard output.
// deno-lint-ignore no-console
console.log(JSON.stringify({ isa, isaLevels, digests }));
