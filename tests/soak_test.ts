// The soak of bench/soak.ts in a shorter form: over a million small calls
// and a thousand large ones, in a child process of its own so that the
// memory of the other tests does not count, with a full collection before
// each sample. Resident memory must stay flat after the warm-up: no sample
// more than RSS_BOUND above the first, and the median of the last third of
// the rounds within MEDIAN_BOUND of the median of the first third (a leak of 3
// bytes a call would break it). Only memory is asserted, never time.

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import type { SoakReport } from "../bench/soak.ts";

const MiB = 2 ** 20;
const RSS_BOUND = 32 * MiB;
const MEDIAN_BOUND = 8 * MiB;
const HEAP_BOUND = 8 * MiB;

const root = fileURLToPath(new URL("../", import.meta.url));

Deno.test("resident memory stays flat over a million calls", async () => {
  const command = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-lock",
      "--allow-ffi",
      "--allow-read",
      "--allow-env",
      "--v8-flags=--expose-gc",
      "bench/soak.ts",
      "--rounds=30",
      `--large=${1 << 18}`,
      "--json",
    ],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  });
  const { code, stdout, stderr } = await command.output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const report = JSON.parse(new TextDecoder().decode(stdout)) as SoakReport;

  assert.ok(report.collectedBeforeSamples);
  assert.ok(report.smallCalls >= 1_000_000, `${report.smallCalls} calls`);
  assert.ok(report.largeCalls >= 1_000, `${report.largeCalls} large calls`);
  assert.ok(report.refusedCalls >= 10_000, `${report.refusedCalls} refused`);

  const start = report.rssAfterWarmupBytes;
  for (const sample of report.samples) {
    assert.ok(
      sample.rssBytes <= start + RSS_BOUND,
      `rss ${(sample.rssBytes / MiB).toFixed(1)} MiB after ` +
        `${sample.smallCalls} small calls, ${(start / MiB).toFixed(1)} MiB ` +
        "after the warm-up",
    );
  }
  assert.ok(
    report.rssMedianLastThirdBytes <= report.rssMedianFirstThirdBytes +
        MEDIAN_BOUND,
    `the median rss rose from ${report.rssMedianFirstThirdBytes} to ` +
      `${report.rssMedianLastThirdBytes} bytes`,
  );
  assert.ok(
    report.heapUsedAtEndBytes <=
      report.heapUsedAfterWarmupBytes + HEAP_BOUND,
    "the JavaScript heap grew",
  );
  assert.ok(
    report.externalAtEndBytes <=
      report.externalAfterWarmupBytes + HEAP_BOUND,
    "the live ArrayBuffers grew",
  );
});
