// Every instruction level this processor runs gives the baseline's bits for
// every function. Each level runs in a child process of its own, chosen by
// ACTIVATIONS_ISA, so that nothing but the documented variable selects it.

import assert from "node:assert/strict";
import { info } from "../mod.ts";

interface LevelRun {
  isa: string;
  isaLevels: string[];
  digests: Record<string, string>;
}

const childUrl = new URL("./_levels_child.ts", import.meta.url);

async function runLevel(requested: string): Promise<LevelRun> {
  const command = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-lock",
      "--allow-ffi",
      "--allow-read",
      "--allow-env",
      childUrl.href,
    ],
    env: { ACTIVATIONS_ISA: requested },
    stdout: "piped",
    stderr: "piped",
  });
  const { code, stdout, stderr } = await command.output();
  const decoder = new TextDecoder();
  assert.equal(code, 0, `${requested}: ${decoder.decode(stderr)}`);
  return JSON.parse(decoder.decode(stdout));
}

const levels = info().isaLevels;

Deno.test(`every level gives the baseline's bits (${levels.join(", ")})`, async (t) => {
  const baseline = await runLevel(levels[0]!);
  assert.equal(baseline.isa, levels[0]);
  const labels = Object.keys(baseline.digests);
  assert.ok(labels.length > 900, `only ${labels.length} results`);

  for (const level of levels.slice(1)) {
    await t.step(level, async () => {
      const run = await runLevel(level);
      assert.equal(run.isa, level, "ACTIVATIONS_ISA chose another level");
      assert.deepEqual(run.isaLevels, levels);
      assert.deepEqual(Object.keys(run.digests), labels);
      const differing = labels.filter((label) =>
        run.digests[label] !== baseline.digests[label]
      );
      assert.deepEqual(differing, [], `${level} differs from the baseline`);
    });
  }
});

Deno.test("ACTIVATIONS_ISA picks the level it names, and is ignored otherwise", async () => {
  const script = `import { info } from "${
    new URL("../mod.ts", import.meta.url).href
  }"; console.log(info().isa);`;
  const isaFor = async (value: string): Promise<string> => {
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["eval", script],
      env: { ACTIVATIONS_ISA: value },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    return new TextDecoder().decode(stdout).trim();
  };

  for (const level of levels) assert.equal(await isaFor(level), level);
  const highest = levels.at(-1)!;
  for (const ignored of ["", "AVX2", "sse9", "avx512 "]) {
    assert.equal(await isaFor(ignored), highest, `"${ignored}"`);
  }
});
