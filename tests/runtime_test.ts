// setThreads, getThreads and info(): what they report, what they refuse,
// and that the thread count never changes a result.

import assert from "node:assert/strict";
import * as act from "../mod.ts";
import { loadLibrary, locateLibrary } from "../ffi/load.ts";
import { ABI_VERSION } from "../ffi/symbols.ts";
import {
  argumentsFor,
  ARRAY_TYPES,
  asyncForm,
  CALLS,
  firstDifference,
  resultArrays,
  sameBits,
  syncForm,
} from "./_calls.ts";

/** Runs `body` and puts the thread count back as it was. */
async function withThreadsRestored(
  body: () => Promise<void> | void,
): Promise<void> {
  const before = act.getThreads();
  try {
    await body();
  } finally {
    act.setThreads(before);
  }
}

/** The levels this processor runs, from the flags Linux lists; the library
 * detects them with cpuid, so this is an independent account. */
function levelsFromCpuinfo(): string[] | undefined {
  if (Deno.build.os !== "linux") return undefined;
  if (Deno.build.arch === "aarch64") return ["neon"];
  // Deno reads /proc only with every permission; grep needs just --allow-run.
  const { code, stdout } = new Deno.Command("grep", {
    args: ["-m1", "^flags", "/proc/cpuinfo"],
    stdout: "piped",
  }).outputSync();
  if (code !== 0) return undefined;
  const flagsLine = new TextDecoder().decode(stdout);
  const flags = new Set(flagsLine.split(":")[1]!.trim().split(/\s+/));
  const levels = ["baseline"];
  if (flags.has("avx2") && flags.has("fma")) {
    levels.push("avx2");
    if (
      ["avx512f", "avx512dq", "avx512vl", "avx512bw"].every((flag) =>
        flags.has(flag)
      )
    ) {
      levels.push("avx512");
    }
  }
  return levels;
}

Deno.test("info() reports the version of deno.json", () => {
  const config = JSON.parse(
    Deno.readTextFileSync(new URL("../deno.json", import.meta.url)),
  );
  assert.equal(typeof config.version, "string");
  assert.equal(act.info().version, config.version);
});

Deno.test("info() reports the loaded library", () => {
  const report = act.info();
  assert.deepEqual(Object.keys(report).sort(), [
    "abiVersion",
    "isa",
    "isaLevels",
    "libraryPath",
    "threads",
    "version",
  ]);
  assert.equal(report.abiVersion, ABI_VERSION);
  assert.equal(report.libraryPath, locateLibrary().path);
  assert.ok(Deno.statSync(report.libraryPath).isFile);
  assert.equal(report.threads, act.getThreads());
});

Deno.test("info() names the instruction levels this processor runs", () => {
  const report = act.info();
  const expected = levelsFromCpuinfo();
  if (expected !== undefined) assert.deepEqual(report.isaLevels, expected);
  assert.ok(report.isaLevels.length >= 1);

  const native = loadLibrary();
  assert.equal(report.isaLevels.length, native.act_isa_level_max() + 1);
  assert.equal(report.isa, report.isaLevels[native.act_isa_level()]);

  const requested = Deno.env.get("ACTIVATIONS_ISA");
  if (requested === undefined || !report.isaLevels.includes(requested)) {
    assert.equal(report.isa, report.isaLevels.at(-1));
  } else {
    assert.equal(report.isa, requested);
  }
});

Deno.test("info() returns a new object each call", () => {
  const first = act.info();
  first.isaLevels.push("changed");
  first.threads = -1;
  const second = act.info();
  assert.notEqual(second, first);
  assert.ok(!second.isaLevels.includes("changed"));
  assert.ok(second.threads >= 1);
});

Deno.test("getThreads() starts at the processor count", async () => {
  // In a child process, which no other test has given a count.
  const modUrl = new URL("../mod.ts", import.meta.url).href;
  const command = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `import { getThreads, info } from "${modUrl}";` +
      `console.log(getThreads(), info().threads, ` +
      `navigator.hardwareConcurrency);`,
    ],
    stdout: "piped",
    stderr: "piped",
  });
  const { code, stdout, stderr } = await command.output();
  const decoder = new TextDecoder();
  assert.equal(code, 0, decoder.decode(stderr));
  const [threads, reported, processors] = decoder.decode(stdout).trim()
    .split(" ").map(Number);
  assert.equal(reported, threads);
  assert.equal(threads, Math.min(processors!, 256));
});

Deno.test("setThreads() sets what getThreads() and info() report", async () => {
  await withThreadsRestored(() => {
    for (const count of [1, 2, 3, 7, 255, 256]) {
      act.setThreads(count);
      assert.equal(act.getThreads(), count);
      assert.equal(act.info().threads, count);
    }
  });
});

Deno.test("setThreads() refuses what the native library refuses", async () => {
  await withThreadsRestored(() => {
    act.setThreads(3);
    const refused: [unknown, typeof TypeError | typeof RangeError, string][] = [
      [0, RangeError, "`count` must be an integer from 1 to 256, got 0"],
      [-1, RangeError, "`count` must be an integer from 1 to 256, got -1"],
      [257, RangeError, "`count` must be an integer from 1 to 256, got 257"],
      [
        2 ** 32 + 1,
        RangeError,
        "`count` must be an integer from 1 to 256, got 4294967297",
      ],
      [1.5, RangeError, "`count` must be an integer from 1 to 256, got 1.5"],
      [NaN, RangeError, "`count` must be an integer from 1 to 256, got NaN"],
      [
        Infinity,
        RangeError,
        "`count` must be an integer from 1 to 256, got Infinity",
      ],
      ["2", TypeError, "`count` must be a number, got a string (2)"],
      [2n, TypeError, "`count` must be a number, got a bigint (2)"],
      [undefined, TypeError, "`count` must be a number, got undefined"],
      [null, TypeError, "`count` must be a number, got null"],
      [
        new Number(2),
        TypeError,
        "`count` must be a number, got an object (Number)",
      ],
    ];
    for (const [count, ErrorType, message] of refused) {
      assert.throws(
        () => act.setThreads(count as number),
        (error: Error) =>
          error.constructor === ErrorType && error.message === message,
        `setThreads(${String(count)})`,
      );
      assert.equal(act.getThreads(), 3, `after setThreads(${String(count)})`);
    }

    // The bound is the native library's own.
    const native = loadLibrary();
    assert.equal(native.act_set_threads(257), 2);
    assert.equal(native.act_set_threads(0), 2);
    assert.equal(native.act_set_threads(256), 0);
  });
});

Deno.test("the thread count never changes a result", async (t) => {
  // Long enough that every kernel splits its array at two threads and more.
  const length = 9 * 29_128;
  await withThreadsRestored(async () => {
    for (const call of CALLS) {
      await t.step(call.label, async () => {
        for (const Type of ARRAY_TYPES) {
          const args = argumentsFor(call, Type, length);
          const options = call.options(length);
          act.setThreads(1);
          const alone = resultArrays(syncForm(call)(...args, options));
          for (const count of [2, 3]) {
            act.setThreads(count);
            const split = resultArrays(syncForm(call)(...args, options));
            if (count === 2) {
              split.push(
                ...resultArrays(await asyncForm(call)(...args, options)),
              );
            }
            for (let i = 0; i < split.length; i++) {
              const expected = alone[i % alone.length]!;
              assert.ok(
                sameBits(split[i]!, expected),
                `${call.label}, ${Type.name}, ${count} threads: ` +
                  firstDifference(split[i]!, expected),
              );
            }
          }
        }
      });
    }
  });
});
