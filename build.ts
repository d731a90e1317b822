/**
 * Builds the native library from the C++ sources this package ships, with
 * the machine's C++ compiler, into the per-user cache folder where the
 * loader looks for it. `Deno.dlopen` opens only local files, so a package
 * imported from JSR or another URL cannot open a library where it lies:
 * this entry point reads the sources through `import.meta.url` (fetching
 * them when the package is remote) and compiles them locally.
 *
 * Run it once as a command:
 *
 * ```sh
 * deno run -A jsr:@activations/activations/build
 * ```
 *
 * or call {@link buildNativeLibrary} from a script. It needs `--allow-read`,
 * `--allow-write` (the cache folder), `--allow-env` (`HOME`, `CXX`...),
 * `--allow-run` (the compiler), and `--allow-net` when the package is
 * remote.
 *
 * The compiler is `CXX` when set (split on spaces, as `make` does), else
 * the first of `g++`, `clang++` and `c++` that runs. The flags are those of
 * the repository's Makefile, which a test keeps in agreement: each
 * instruction-set level's kernels are compiled with that level's flags
 * (baseline, AVX2 and AVX-512 on x86-64), and the library picks among them
 * at run time.
 *
 * @example Build once, then use the module
 * ```ts
 * import { buildNativeLibrary } from "@activations/activations/build";
 * import { gelu } from "@activations/activations";
 *
 * await buildNativeLibrary(); // compiles only when the cache lacks it
 * const y = gelu(new Float32Array([-1, 0, 1]));
 * ```
 *
 * @module
 */

import {
  CACHE_DIR_VARIABLE,
  joinPath,
  LIBRARY_FILE_NAME,
  libraryCacheFolder,
  localPath,
  PACKAGE_VERSION,
  readEnvironment,
} from "./ffi/load.ts";

/** The platform a build is planned for. */
export interface BuildPlatform {
  /** The operating system, as `Deno.build.os` names it. */
  os: typeof Deno.build.os;
  /** The processor architecture, as `Deno.build.arch` names it. */
  arch: typeof Deno.build.arch;
}

/** One compilation of a source file into an object file. */
export interface CompileStep {
  /** The source file, relative to `native/`. */
  source: string;
  /** Every flag given to the compiler, besides `-c`, the source and `-o`. */
  flags: string[];
}

/** What a build reads, compiles and links, in order. */
export interface BuildPlan {
  /** Every file of `native/` the build reads: headers, then sources. */
  files: string[];
  /** One compilation per source file. */
  compile: CompileStep[];
  /** The flags given when linking, after the objects and `-o`. */
  link: string[];
}

// The build's one table. The Makefile, the developers' path, spells the
// same flags; tests/package_test.ts checks that the two agree.

const HEADERS = [
  "activation_math.h",
  "double_math.h",
  "float_math.h",
  "activations.h",
  "kernels-inl.h",
  "kernels.h",
  "lane_sums.h",
  "vector_math.h",
];

// Only symbols marked ACT_EXPORT leave the shared object, and
// -ffp-contract=off keeps a * b + c two roundings, so that every level
// gives the same bits; -fno-trapping-math lets the float kernels vectorize.
const BASE_FLAGS = [
  "-std=c++17",
  "-fPIC",
  "-fvisibility=hidden",
  "-fvisibility-inlines-hidden",
  "-fno-math-errno",
  "-fno-trapping-math",
  "-fno-exceptions",
  "-fno-rtti",
  "-ffp-contract=off",
  "-pthread",
  "-Wall",
  "-Wextra",
  "-Werror",
];

/** The Makefile's default `CXXFLAGS`. */
const OPTIMIZATION_FLAGS = ["-O3"];

/** The file of shared code, compiled without instruction-set flags. */
const COMMON_SOURCE = "activations.cc";

/** Each instruction-set level's kernels file, and its flags. */
const LEVELS: readonly {
  source: string;
  arch?: typeof Deno.build.arch;
  flags: string[];
}[] = [
  { source: "kernels_baseline.cc", flags: [] },
  { source: "kernels_avx2.cc", arch: "x86_64", flags: ["-mavx2", "-mfma"] },
  {
    source: "kernels_avx512.cc",
    arch: "x86_64",
    flags: [
      "-mavx512f",
      "-mavx512dq",
      "-mavx512vl",
      "-mavx512bw",
      "-mfma",
      "-mprefer-vector-width=512",
    ],
  },
];

// The C++ runtime is linked statically, so that the library loads without
// a matching libstdc++; nodelete keeps it mapped while its threads live.
const ELF_LINK_FLAGS = [
  "-shared",
  "-pthread",
  "-static-libstdc++",
  "-static-libgcc",
  "-Wl,-z,nodelete",
  "-Wl,--no-undefined",
];

const DARWIN_LINK_FLAGS = ["-dynamiclib", "-pthread"];

/**
 * The files, compilations and link of a build of the native library: the
 * same flags as the repository's Makefile.
 *
 * @param platform The operating system and architecture to plan for; by
 * default this machine's.
 * @returns The plan; the compilations come in link order.
 * @throws {Error} on Windows, where the library is not built.
 *
 * @example The compilations for x86-64 Linux
 * ```ts
 * import { nativeBuildPlan } from "@activations/activations/build";
 *
 * const plan = nativeBuildPlan({ os: "linux", arch: "x86_64" });
 * plan.compile.map((step) => step.source);
 * // ["activations.cc", "kernels_baseline.cc", "kernels_avx2.cc",
 * //  "kernels_avx512.cc"]
 * ```
 */
export function nativeBuildPlan(
  platform: BuildPlatform = { os: Deno.build.os, arch: Deno.build.arch },
): BuildPlan {
  if (platform.os === "windows") {
    throw new Error(
      "Cannot build the native library on Windows: build native/ with a " +
        "compiler of your choice and set ACTIVATIONS_LIB_PATH",
    );
  }

  const levels = LEVELS.filter((level) =>
    level.arch === undefined || level.arch === platform.arch
  );
  const sources = [COMMON_SOURCE, ...levels.map((level) => level.source)];
  return {
    files: [...HEADERS, ...sources],
    compile: [
      { source: COMMON_SOURCE, flags: [...BASE_FLAGS, ...OPTIMIZATION_FLAGS] },
      ...levels.map((level) => ({
        source: level.source,
        flags: [...BASE_FLAGS, ...OPTIMIZATION_FLAGS, ...level.flags],
      })),
    ],
    link: platform.os === "darwin" ? DARWIN_LINK_FLAGS : ELF_LINK_FLAGS,
  };
}

/** How {@link buildNativeLibrary} builds. */
export interface BuildOptions {
  /**
   * The cache's root folder, in place of `ACTIVATIONS_CACHE_DIR` or the
   * platform's cache; the library goes into its `<version>/` folder. Give
   * the loader the same root through `ACTIVATIONS_CACHE_DIR`.
   */
  cacheDir?: string;
  /** The compiler command, in place of `CXX` or the first found. */
  compiler?: string;
  /** Compile even when the cache already holds the library. */
  rebuild?: boolean;
}

/** What {@link buildNativeLibrary} did. */
export interface BuiltLibrary {
  /** The library's absolute path, where the loader finds it. */
  path: string;
  /** Whether it was compiled now (`false`: it was there already). */
  compiled: boolean;
  /** The compiler command used, when compiled. */
  compiler?: string;
}

/** Reads one of the package's native files, from disk or the network. */
async function readNativeFile(name: string): Promise<Uint8Array> {
  const url = new URL(`./native/${name}`, import.meta.url);
  if (url.protocol === "file:") return await Deno.readFile(localPath(url));

  const response = await fetch(url);
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(
      `Cannot build the native library: fetching ${url} gave HTTP ` +
        `${response.status}`,
    );
  }
  return new Uint8Array(await response.arrayBuffer());
}

/** Whether `command --version` runs. */
async function runs(command: string): Promise<boolean> {
  try {
    const { success } = await new Deno.Command(command, {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** The compiler command, split into program and arguments. */
async function findCompiler(explicit: string | undefined): Promise<string[]> {
  const given = explicit ?? readEnvironment("CXX");
  if (given !== undefined && given.trim() !== "") {
    return given.trim().split(/\s+/);
  }

  for (const candidate of ["g++", "clang++", "c++"]) {
    if (await runs(candidate)) return [candidate];
  }
  throw new Error(
    "Cannot build the native library: no C++ compiler found (CXX is unset " +
      "and none of g++, clang++, c++ runs): install one or set CXX",
  );
}

/** Runs a compiler command; throws with its output when it fails. */
async function run(command: string[], cwd: string): Promise<void> {
  const [program, ...args] = command as [string, ...string[]];
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(program, {
      args,
      cwd,
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(
        `Cannot build the native library: the compiler \`${program}\` was ` +
          "not found",
        { cause: error },
      );
    }
    throw error;
  }
  if (!output.success) {
    const decoder = new TextDecoder();
    throw new Error(
      `Cannot build the native library: \`${command.join(" ")}\` exited ` +
        `with status ${output.code}:\n` +
        decoder.decode(output.stderr) + decoder.decode(output.stdout),
    );
  }
}

/**
 * Runs `tasks`, at most `limit` at a time. After a failure it starts no
 * more, waits for those running, and throws the first error.
 */
async function runLimited(
  tasks: (() => Promise<void>)[],
  limit: number,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < tasks.length && failure === undefined) {
      const task = tasks[next++]!;
      try {
        await task();
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(limit, tasks.length) }, worker),
  );
  if (failure !== undefined) throw failure.error;
}

function fileExists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/**
 * Compiles the package's native sources into the library the loader finds
 * in the per-user cache: `<cache>/<version>/libactivations.so` (`.dylib`
 * on macOS), where `<cache>` is `ACTIVATIONS_CACHE_DIR`, else
 * `$XDG_CACHE_HOME/activations` or `~/.cache/activations` on Linux and
 * `~/Library/Caches/activations` on macOS.
 *
 * The objects are compiled in a temporary folder inside the cache folder,
 * and the linked library is renamed into place, so a reader never sees a
 * partial file and two builds at once leave one whole library.
 *
 * @param options The cache folder, the compiler, and whether to compile
 * when the library is already there (by default it is left as it is).
 * @returns The library's path, and whether it was compiled now.
 * @throws {Error} when no compiler is found, a compilation fails (the
 * message carries the command and its output), a remote source cannot be
 * fetched, or the cache folder is unknown or relative.
 * @throws {Deno.errors.PermissionDenied} when a permission it needs is
 * denied.
 *
 * @example Build into the default cache
 * ```ts
 * import { buildNativeLibrary } from "@activations/activations/build";
 *
 * const { path, compiled } = await buildNativeLibrary();
 * ```
 */
export async function buildNativeLibrary(
  options: BuildOptions = {},
): Promise<BuiltLibrary> {
  const plan = nativeBuildPlan();
  const cache = libraryCacheFolder(
    options.cacheDir === undefined
      ? readEnvironment
      : (name) =>
        name === CACHE_DIR_VARIABLE ? options.cacheDir : readEnvironment(name),
  );
  if ("missing" in cache) {
    throw new Error(
      `Cannot build the native library: no cache folder: ${cache.missing}`,
    );
  }
  const path = joinPath(cache.folder, LIBRARY_FILE_NAME);
  if (!options.rebuild && fileExists(path)) return { path, compiled: false };

  const compiler = await findCompiler(options.compiler);
  await Deno.mkdir(cache.folder, { recursive: true });
  const work = await Deno.makeTempDir({ dir: cache.folder, prefix: ".build-" });
  try {
    await Promise.all(plan.files.map(async (name) => {
      await Deno.writeFile(joinPath(work, name), await readNativeFile(name));
    }));

    const objects = plan.compile.map((step) => step.source + ".o");
    await runLimited(
      plan.compile.map((step, i) => () =>
        run(
          [...compiler, ...step.flags, "-c", step.source, "-o", objects[i]!],
          work,
        )
      ),
      Math.max(1, navigator.hardwareConcurrency),
    );

    const linked = joinPath(work, LIBRARY_FILE_NAME);
    await run([...compiler, ...objects, "-o", linked, ...plan.link], work);
    await Deno.rename(linked, path);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
  return { path, compiled: true, compiler: compiler.join(" ") };
}

/** The command: builds, prints the library's path, returns the exit code. */
async function main(args: string[]): Promise<number> {
  const unknown = args.find((arg) => arg !== "--rebuild");
  if (unknown !== undefined) {
    // deno-lint-ignore no-console
    console.error(`Unknown argument ${unknown}; usage: build.ts [--rebuild]`);
    return 2;
  }

  let built: BuiltLibrary;
  try {
    built = await buildNativeLibrary({ rebuild: args.includes("--rebuild") });
  } catch (error) {
    // deno-lint-ignore no-console
    console.error(error instanceof Error ? error.message : error);
    return 1;
  }
  // deno-lint-ignore no-console
  console.log(
    built.compiled
      ? `Built ${built.path} with ${built.compiler} (version ` +
        `${PACKAGE_VERSION})`
      : `Already built: ${built.path} (--rebuild compiles it again)`,
  );
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
