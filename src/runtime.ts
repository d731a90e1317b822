/**
 * The library's settings and facts at run time: how many threads one call
 * may use, and what was loaded.
 *
 * @module
 */

import { describe } from "../ffi/arrays.ts";
import { loadedLibraryPath, loadLibrary } from "../ffi/load.ts";
import { checkStatus } from "./common.ts";

/** This module's version. `tests/runtime_test.ts` keeps it equal to the
 * `version` of `deno.json`, so that `info()` needs no file or network. */
const VERSION = "0.1.0";

/** The most threads the native library takes (its `kMaxThreads`). */
const MAX_THREADS = 256;

/** The names of the instruction-set levels in level order, as
 * `act_isa_name()` reports them; a processor runs a prefix of the list. */
const LEVEL_NAMES: readonly string[] = Deno.build.arch === "aarch64"
  ? ["neon"]
  : ["baseline", "avx2", "avx512"];

/** What `info()` reports. */
export interface LibraryInfo {
  /** This module's version, as in its `deno.json`. */
  version: string;
  /** The native library's ABI version (`act_abi_version()`). */
  abiVersion: number;
  /** The instruction-set level in use: `"baseline"`, `"avx2"` or
   * `"avx512"` on x86-64, `"neon"` on aarch64. */
  isa: string;
  /** Every level this processor runs, lowest first; `isa` is one of them,
   * the last unless `ACTIVATIONS_ISA` asked for a lower one. */
  isaLevels: string[];
  /** The most threads one call may use (see `setThreads`). */
  threads: number;
  /** The absolute path of the loaded library file. */
  libraryPath: string;
}

/**
 * Sets the most threads one call may use, for the whole process: every
 * worker shares the library, so a worker's setting applies to all. A call
 * splits its array between threads only when it is large enough for the
 * split to pay; with 1, no call ever splits. The default is the processor
 * count, at most 256.
 *
 * @param count An integer from 1 to 256.
 * @throws {TypeError} when `count` is not a number.
 * @throws {RangeError} when `count` is not an integer from 1 to 256.
 *
 * @example One thread per call
 * ```ts
 * import { getThreads, setThreads } from "@activations/activations";
 *
 * const before = getThreads();
 * setThreads(1);
 * // ... calls here run on the calling thread alone ...
 * setThreads(before);
 * ```
 */
export function setThreads(count: number): void {
  if (typeof count !== "number") {
    throw new TypeError(
      `\`count\` must be a number, got ${describe(count)}`,
    );
  }
  if (!Number.isInteger(count) || count < 1 || count > MAX_THREADS) {
    throw new RangeError(
      `\`count\` must be an integer from 1 to ${MAX_THREADS}, got ${count}`,
    );
  }

  checkStatus("act_set_threads", loadLibrary().act_set_threads(count));
}

/**
 * Returns the most threads one call may use: the processor count (at most
 * 256) until `setThreads` changes it.
 *
 * @returns An integer from 1 to 256.
 *
 * @example
 * ```ts
 * import { getThreads } from "@activations/activations";
 *
 * const threads = getThreads(); // 2 on a two-core machine
 * ```
 */
export function getThreads(): number {
  return loadLibrary().act_get_threads();
}

/**
 * Reports this module's version and what the loaded library runs: its ABI
 * version, the instruction-set level in use and those available, the
 * thread count and the library's path. Opens the library if no call has
 * yet.
 *
 * @returns A new object each call.
 * @throws {Error} when the library cannot be found or opened.
 *
 * @example
 * ```ts
 * import { info } from "@activations/activations";
 *
 * const { version, isa, isaLevels, threads } = info();
 * // e.g. "0.1.0", "avx512", ["baseline", "avx2", "avx512"], 2
 * ```
 */
export function info(): LibraryInfo {
  const native = loadLibrary();
  const name = native.act_isa_name();
  if (name === null) {
    throw new Error("The native library reported no instruction-set level");
  }

  return {
    version: VERSION,
    abiVersion: native.act_abi_version(),
    isa: Deno.UnsafePointerView.getCString(name),
    isaLevels: LEVEL_NAMES.slice(0, native.act_isa_level_max() + 1),
    threads: native.act_get_threads(),
    libraryPath: loadedLibraryPath()!,
  };
}
