// Every activation forward, native and against its peers, from a thousand
// to sixteen million elements. `make bench` runs it; `make report` turns a
// run into the README's tables and charts. See _config.ts for the
// environment variables that narrow a run.

import { registerSuite } from "./_suite.ts";

await registerSuite("forward");
