// Every activation's gradient, native and against its peers (tfjs through
// tf.grad; onnxruntime has no gradients), from a thousand to sixteen
// million elements. See activations_bench.ts.

import { registerSuite } from "./_suite.ts";

await registerSuite("gradient");
