// Per-call times for the median, which `deno bench --json` does not give
// (it has the mean, the extremes and percentiles from p75 up). On a shared
// machine the mean follows whatever else ran; the median does not.
//
// When BENCH_SAMPLES names a folder, each bench's call is wrapped so that
// it records its own times, and the medians are written there as
// `<kind>.json` when the bench file ends. Reading the clock costs about
// 0.2 us here, so calls under 100 us are timed in batches long enough that
// the clock costs under 0.1 percent. The warm-up that `deno bench` does
// first (10 ms, then the `warmup` count) is left out, as it leaves it out.

/** The median time of one bench, in nanoseconds, and its sample count. */
export interface SampleSummary {
  group: string;
  name: string;
  median: number;
  samples: number;
}

const BATCH_TIME_MS = 0.5;
const ALONE_FROM_MS = 0.1;
const WARMUP_BUDGET_MS = 10;
const CALIBRATION_CALLS = 3;

/** The middle of the sorted values: the mean of the two middle ones. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? sorted[middle]!
    : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Times calls alone, or in batches when they are short. */
class Timer {
  /** Calls timed alone, in order, in milliseconds. */
  readonly #alone: number[] = [];
  /** Batches after the warm-up, per call, in milliseconds. */
  readonly #batches: number[] = [];
  #batch = 0;
  #inBatch = 0;
  #batchStart = 0;
  #firstStart = 0;
  readonly #warmupCalls: number;

  constructor(warmupCalls: number) {
    this.#warmupCalls = warmupCalls;
  }

  /** Whether the next call is timed alone; else it belongs to a batch. */
  get alone(): boolean {
    return this.#batch <= 1;
  }

  /** Records one call timed alone, from `start` to `end`. */
  recordAlone(start: number, end: number): void {
    if (this.#alone.length === 0) this.#firstStart = start;
    this.#alone.push(end - start);
    if (this.#batch !== 0 || this.#alone.length < CALIBRATION_CALLS) return;

    const fastest = Math.max(Math.min(...this.#alone), 1e-6);
    this.#batch = fastest >= ALONE_FROM_MS
      ? 1
      : Math.ceil(BATCH_TIME_MS / fastest);
    this.#batchStart = end;
  }

  /** Counts one call of a batch. */
  countBatched(): void {
    if (++this.#inBatch < this.#batch) return;
    const now = performance.now();
    // deno bench warms up for 10 ms of calls, then `warmup` more calls;
    // with calls this short, the wall clock tells when that ended.
    const fastest = Math.min(...this.#alone);
    const warmEnd = this.#firstStart + WARMUP_BUDGET_MS +
      this.#warmupCalls * fastest;
    if (now > warmEnd) {
      this.#batches.push((now - this.#batchStart) / this.#batch);
    }
    this.#batchStart = now;
    this.#inBatch = 0;
  }

  /** The times after the warm-up, per call, in milliseconds. */
  samples(): number[] {
    if (this.#batch > 1) return this.#batches;

    // Leave out the calls deno bench warms up with: those until 10 ms have
    // passed in calls, then `warmup` more.
    let spent = 0;
    let first = 0;
    while (first < this.#alone.length && spent < WARMUP_BUDGET_MS) {
      spent += this.#alone[first++]!;
    }
    return this.#alone.slice(first + this.#warmupCalls);
  }
}

/** The timers of one bench file, written out when it ends. */
export class Sampler {
  readonly #timers = new Map<string, { group: string; timer: Timer }>();

  /** The sampler of this run, or undefined when BENCH_SAMPLES is unset. */
  static fromEnvironment(kind: string): Sampler | undefined {
    let folder: string | undefined;
    try {
      folder = Deno.env.get("BENCH_SAMPLES");
    } catch (error) {
      if (!(error instanceof Deno.errors.NotCapable)) throw error;
    }
    if (folder === undefined || folder === "") return undefined;

    const sampler = new Sampler();
    globalThis.addEventListener("unload", () => {
      Deno.writeTextFileSync(
        `${folder}/${kind}.json`,
        JSON.stringify(sampler.summaries()),
      );
    });
    return sampler;
  }

  #timer(group: string, name: string, warmup: number): Timer {
    const timer = new Timer(warmup);
    this.#timers.set(`${group}\u0000${name}`, { group, timer });
    return timer;
  }

  /** Wraps a synchronous call so that it records its times. */
  wrap(
    group: string,
    name: string,
    warmup: number,
    call: () => void,
  ): () => void {
    const timer = this.#timer(group, name, warmup);
    return () => {
      if (timer.alone) {
        const start = performance.now();
        call();
        timer.recordAlone(start, performance.now());
      } else {
        call();
        timer.countBatched();
      }
    };
  }

  /** Wraps an asynchronous call so that it records its times. */
  wrapAsync(
    group: string,
    name: string,
    warmup: number,
    call: () => Promise<void>,
  ): () => Promise<void> {
    const timer = this.#timer(group, name, warmup);
    return async () => {
      if (timer.alone) {
        const start = performance.now();
        await call();
        timer.recordAlone(start, performance.now());
      } else {
        await call();
        timer.countBatched();
      }
    };
  }

  /** Every bench's median so far, in nanoseconds. */
  summaries(): SampleSummary[] {
    const summaries: SampleSummary[] = [];
    for (const [key, { group, timer }] of this.#timers) {
      const samples = timer.samples();
      if (samples.length === 0) continue;
      summaries.push({
        group,
        name: key.slice(group.length + 1),
        median: median(samples) * 1e6,
        samples: samples.length,
      });
    }
    return summaries;
  }
}
