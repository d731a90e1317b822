// Every function and gradient, in both array types, out of place, into a
// given array, in place, and on views at odd offsets: the four ways of
// calling must give the same values and touch nothing else.

import assert from "node:assert/strict";
import * as act from "../mod.ts";
import type { FloatArray } from "../mod.ts";
import {
  ARRAY_TYPES,
  assertSameBits,
  type FloatArrayType,
  offsetView,
  sampleInput,
} from "./_helpers.ts";

type Forward = (x: FloatArray, options?: { out?: FloatArray }) => FloatArray;
type Backward = (
  dy: FloatArray,
  x: FloatArray,
  options?: { out?: FloatArray },
) => FloatArray;

const slopes = (Type: FloatArrayType) => new Type([0.1, 0.2, -0.3]);

/** Each function with the parameters it is called with here. */
function family(Type: FloatArrayType): [string, Forward, Backward][] {
  return [
    ["relu", (x, o) => act.relu(x, o), (d, x, o) => act.reluGrad(d, x, o)],
    ["relu6", (x, o) => act.relu6(x, o), (d, x, o) => act.relu6Grad(d, x, o)],
    [
      "leakyRelu",
      (x, o) => act.leakyRelu(x, { ...o, alpha: 0.3 }),
      (d, x, o) => act.leakyReluGrad(d, x, { ...o, alpha: 0.3 }),
    ],
    [
      "prelu",
      (x, o) => act.prelu(x, slopes(Type), o),
      (d, x, o) => act.preluGrad(d, x, slopes(Type), o).dx,
    ],
    [
      "elu",
      (x, o) => act.elu(x, { ...o, alpha: 0.5 }),
      (d, x, o) => act.eluGrad(d, x, { ...o, alpha: 0.5 }),
    ],
    ["selu", (x, o) => act.selu(x, o), (d, x, o) => act.seluGrad(d, x, o)],
    [
      "celu",
      (x, o) => act.celu(x, { ...o, alpha: 2 }),
      (d, x, o) => act.celuGrad(d, x, { ...o, alpha: 2 }),
    ],
    ["gelu", (x, o) => act.gelu(x, o), (d, x, o) => act.geluGrad(d, x, o)],
    [
      "gelu tanh",
      (x, o) => act.gelu(x, { ...o, approximate: "tanh" }),
      (d, x, o) => act.geluGrad(d, x, { ...o, approximate: "tanh" }),
    ],
    [
      "silu",
      (x, o) => act.silu(x, { ...o, beta: 1.5 }),
      (d, x, o) => act.siluGrad(d, x, { ...o, beta: 1.5 }),
    ],
    ["mish", (x, o) => act.mish(x, o), (d, x, o) => act.mishGrad(d, x, o)],
    [
      "sigmoid",
      (x, o) => act.sigmoid(x, o),
      (d, x, o) => act.sigmoidGrad(d, x, o),
    ],
    [
      "hardSigmoid",
      (x, o) => act.hardSigmoid(x, { ...o, alpha: 1 / 6 }),
      (d, x, o) => act.hardSigmoidGrad(d, x, { ...o, alpha: 1 / 6 }),
    ],
    [
      "hardSwish",
      (x, o) => act.hardSwish(x, o),
      (d, x, o) => act.hardSwishGrad(d, x, o),
    ],
    ["tanh", (x, o) => act.tanh(x, o), (d, x, o) => act.tanhGrad(d, x, o)],
    [
      "softplus",
      (x, o) => act.softplus(x, { ...o, beta: 2 }),
      (d, x, o) => act.softplusGrad(d, x, { ...o, beta: 2 }),
    ],
    [
      "softsign",
      (x, o) => act.softsign(x, o),
      (d, x, o) => act.softsignGrad(d, x, o),
    ],
    [
      "softmax",
      (x, o) => act.softmax(x, o),
      (d, y, o) => act.softmaxGrad(d, y, o),
    ],
    [
      "logSoftmax",
      (x, o) => act.logSoftmax(x, o),
      (d, y, o) => act.logSoftmaxGrad(d, y, o),
    ],
  ];
}

const LENGTHS = [0, 1, 7, 8, 9, 1023];

for (const Type of ARRAY_TYPES) {
  for (const [name, forward, backward] of family(Type)) {
    Deno.test(`${name}() in ${Type.name}: new, into out, in place`, () => {
      for (const length of LENGTHS) {
        const x = sampleInput(Type, length, length + 11);
        const before = x.slice();
        const expected = forward(x);
        assert.ok(expected instanceof Type);
        assert.equal(expected.length, length);
        assertSameBits(x, before, `${name} changed its input`);

        const out = new Type(length).fill(42);
        assert.equal(forward(x, { out }), out);
        assertSameBits(out, expected, `${name} into out, length ${length}`);

        const view = offsetView(Type, x, 3);
        assertSameBits(forward(view), expected, `${name} on an odd view`);
        assert.equal(forward(view, { out: view }), view);
        assertSameBits(view, expected, `${name} in place, length ${length}`);
      }
    });

    Deno.test(`${name}Grad() in ${Type.name}: new, into out, in place`, () => {
      for (const length of LENGTHS) {
        const x = sampleInput(Type, length, length + 5);
        const dy = sampleInput(Type, length, length + 9);
        const expected = backward(dy, x);
        assert.ok(expected instanceof Type);
        assert.equal(expected.length, length);

        const out = new Type(length).fill(42);
        assert.equal(backward(dy, x, { out }), out);
        assertSameBits(out, expected, `${name}Grad into out`);

        const dyCopy = offsetView(Type, dy, 1);
        assert.equal(backward(dyCopy, x, { out: dyCopy }), dyCopy);
        assertSameBits(dyCopy, expected, `${name}Grad in place over dy`);

        const xCopy = offsetView(Type, x, 5);
        assert.equal(backward(dy, xCopy, { out: xCopy }), xCopy);
        assertSameBits(xCopy, expected, `${name}Grad in place over x`);
      }
    });
  }
}

// alpha (e^(x/alpha) - 1) is x to within 2^-61 of it once |x / alpha| is
// below 2^-60, also where the quotient underflows for a huge alpha.
Deno.test("celu keeps x where x / alpha is negligible or underflows", () => {
  const cases: [number, number][] = [
    [-1e-300, 1e300],
    [-1e-300, 1e20],
    [-3e-30, 1e300],
    [-1e-40, 1e300],
  ];
  for (const Type of ARRAY_TYPES) {
    for (const [x, alpha] of cases) {
      const input = Type.of(x);
      const got = act.celu(input, { alpha })[0];
      assert.equal(got, input[0], `celu(${x}) with alpha ${alpha}`);
    }
  }
});
