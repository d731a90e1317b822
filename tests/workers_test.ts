// Several Web Workers, each opening the library through the module and
// running synchronous and asynchronous calls at once, every result checked
// here on the main thread; each worker opens the library once and is
// terminated, and the test sanitizers (on, as by default) find no leaked
// operation or resource.

import assert from "node:assert/strict";
import * as act from "../mod.ts";
import type { FloatArray } from "../mod.ts";
import {
  argumentsFor,
  ARRAY_TYPES,
  CALLS,
  firstDifference,
  resultArrays,
  sameBits,
  sampleArray,
  syncForm,
} from "./_calls.ts";

const workerUrl = new URL("./_worker.ts", import.meta.url);

// The main thread's library is opened once and stays open, as in any
// program; opened here, before the tests, the sanitizers do not count it.
const mainInfo = act.info();
const SANITIZED = {
  sanitizeOps: true,
  sanitizeResources: true,
  sanitizeExit: true,
};

/** A worker and a way to wait for its next message of a kind. */
class TestWorker {
  readonly worker: Worker;
  readonly #queue: MessageEvent[] = [];
  readonly #waiting: ((event: MessageEvent) => void)[] = [];

  constructor() {
    this.worker = new Worker(workerUrl, { type: "module" });
    this.worker.onmessage = (event) => {
      const waiter = this.#waiting.shift();
      if (waiter) waiter(event);
      else this.#queue.push(event);
    };
    this.worker.onerror = (event) => {
      event.preventDefault();
      const waiter = this.#waiting.shift();
      waiter?.(new MessageEvent("message", { data: { kind: "error", event } }));
    };
  }

  /** The next message, which must be of `kind`. */
  async next<T>(kind: string): Promise<T> {
    const event = this.#queue.shift() ??
      await new Promise<MessageEvent>((resolve) => this.#waiting.push(resolve));
    assert.equal(event.data.kind, kind, JSON.stringify(event.data));
    return event.data as T;
  }
}

/** The names of this process's threads that run workers (Linux names each
 * worker's thread `worker-N`); undefined elsewhere. */
function workerThreads(): string[] | undefined {
  if (Deno.build.os !== "linux") return undefined;
  const { code, stdout } = new Deno.Command("sh", {
    args: ["-c", `cat /proc/${Deno.pid}/task/*/comm 2>/dev/null; true`],
    stdout: "piped",
  }).outputSync();
  if (code !== 0) return undefined;
  return new TextDecoder().decode(stdout).split("\n")
    .filter((name) => /^worker-\d+$/.test(name));
}

/** Waits, a bounded number of times, until no worker thread is left but
 * those that ran `before`. */
async function assertWorkerThreadsEnd(
  before: string[] | undefined,
): Promise<void> {
  if (before === undefined) return;
  const remaining = (): string[] =>
    workerThreads()!.filter((name) => !before.includes(name));
  let left = remaining();
  for (let tries = 0; tries < 400 && left.length > 0; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    left = remaining();
  }
  assert.deepEqual(left, [], "worker threads remain");
}

function assertSame(
  actual: FloatArray[],
  expected: FloatArray[],
  context: string,
): void {
  assert.equal(actual.length, expected.length, context);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(
      sameBits(actual[i]!, expected[i]!),
      `${context}: ${firstDifference(actual[i]!, expected[i]!)}`,
    );
  }
}

interface Results {
  opened: number;
  info: act.LibraryInfo;
  results: { label: string; sync: FloatArray[]; async: FloatArray[] }[];
  inFlight: FloatArray[][];
}

Deno.test({
  name:
    "several workers each open the library once and give the main thread's results",
  ...SANITIZED,
  async fn(): Promise<void> {
    const WORKERS = 3;
    const LENGTH = 1035;
    const IN_FLIGHT = 150;
    const threadsBefore = workerThreads();
    const workers: TestWorker[] = [];
    try {
      // The first worker alone first: the test runner type-checks the
      // worker's modules when it starts, once if the others wait.
      for (let i = 0; i < WORKERS; i++) {
        workers.push(new TestWorker());
        if (i === 0) await workers[0]!.next("ready");
      }
      await Promise.all(workers.slice(1).map((worker) => worker.next("ready")));

      // Two rounds, all workers at once, each with its own inputs.
      for (let round = 0; round < 2; round++) {
        workers.forEach((worker, i) =>
          worker.worker.postMessage({
            kind: "compute",
            seed: 100 * round + 10 * i + 1,
            length: LENGTH,
            inFlight: IN_FLIGHT,
          })
        );
        const replies = await Promise.all(
          workers.map((worker) => worker.next<Results>("results")),
        );

        for (let i = 0; i < WORKERS; i++) {
          const reply = replies[i]!;
          const seed = 100 * round + 10 * i + 1;
          const context = `round ${round}, worker ${i}`;
          assert.equal(reply.opened, 1, `${context} opened the library`);
          assert.deepEqual(reply.info, mainInfo, context);

          let index = 0;
          for (const call of CALLS) {
            for (const Type of ARRAY_TYPES) {
              const expected = resultArrays(
                syncForm(call)(
                  ...argumentsFor(call, Type, LENGTH, seed),
                  call.options(LENGTH),
                ),
              );
              const got = reply.results[index++]!;
              const label = `${context}, ${call.label} ${Type.name}`;
              assert.equal(got.label, `${call.label} ${Type.name}`);
              assertSame(got.sync, expected, `${label}, sync`);
              assertSame(got.async, expected, `${label}, async`);
            }
          }
          assert.equal(index, reply.results.length);

          assert.equal(reply.inFlight.length, IN_FLIGHT);
          for (let j = 0; j < IN_FLIGHT; j++) {
            const call = CALLS[j % CALLS.length]!;
            const Type = ARRAY_TYPES[j % 2]!;
            const expected = resultArrays(
              syncForm(call)(
                ...argumentsFor(call, Type, LENGTH, seed + j),
                call.options(LENGTH),
              ),
            );
            assertSame(
              reply.inFlight[j]!,
              expected,
              `${context}, in flight ${j}, ${call.label} ${Type.name}`,
            );
          }
        }
      }
    } finally {
      for (const worker of workers) worker.worker.terminate();
    }
    await assertWorkerThreadsEnd(threadsBefore);
  },
});

Deno.test({
  name: "arrays transferred to a worker come back computed",
  ...SANITIZED,
  async fn(): Promise<void> {
    const threadsBefore = workerThreads();
    const worker = new TestWorker();
    try {
      await worker.next("ready");
      for (const Type of ARRAY_TYPES) {
        const x = sampleArray(Type, 50_000, 5);
        const expectedY = act.gelu(x);
        const expectedX = act.relu(x);
        worker.worker.postMessage({ kind: "transfer", x }, [
          x.buffer as ArrayBuffer,
        ]);
        assert.equal(x.length, 0, "the array was not transferred");

        const reply = await worker.next<{ x: FloatArray; y: FloatArray }>(
          "transferred",
        );
        assertSame([reply.x, reply.y], [expectedX, expectedY], Type.name);
      }
    } finally {
      worker.worker.terminate();
    }
    await assertWorkerThreadsEnd(threadsBefore);
  },
});

Deno.test({
  name: "terminating a worker while its calls run leaves the process sound",
  ...SANITIZED,
  async fn(): Promise<void> {
    const threadsBefore = workerThreads();
    for (let i = 0; i < 3; i++) {
      const worker = new TestWorker();
      await worker.next("ready");
      worker.worker.postMessage({
        kind: "start long calls",
        count: 8,
        length: 1 << 20,
      });
      await worker.next("started");
      worker.worker.terminate();
    }
    await assertWorkerThreadsEnd(threadsBefore);

    // The main thread's calls still run and are right.
    const x = sampleArray(Float64Array, 1 << 19, 9);
    const expected = act.gelu(x);
    assertSame([await act.geluAsync(x)], [expected], "after terminating");
  },
});
