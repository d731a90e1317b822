/**
 * Finds and opens the native library.
 *
 * The search order is fixed:
 *
 * 1. `ACTIVATIONS_LIB_PATH`, when set: an absolute path to the library file.
 *    A relative path is refused, since the system loader would resolve it
 *    against the working directory, not against this module.
 * 2. The per-user cache folder that `build.ts` compiles into (see
 *    {@link libraryCacheFolder}).
 * 3. The build folder beside this module, `native/build/`, when the module
 *    was imported from a file: where `make` puts it in a clone.
 *
 * @module
 */

import packageConfig from "../deno.json" with { type: "json" };
import { ABI_VERSION, librarySymbols, type NativeSymbols } from "./symbols.ts";

/** The environment variable that names the library explicitly. */
export const LIBRARY_PATH_VARIABLE = "ACTIVATIONS_LIB_PATH";

/** The environment variable that replaces the cache folder's root. */
export const CACHE_DIR_VARIABLE = "ACTIVATIONS_CACHE_DIR";

/** The package's version, which names its folder in the cache. */
export const PACKAGE_VERSION: string = packageConfig.version;

/** The library's file name on this operating system. */
export const LIBRARY_FILE_NAME: string = Deno.build.os === "windows"
  ? "activations.dll"
  : Deno.build.os === "darwin"
  ? "libactivations.dylib"
  : "libactivations.so";

/** Where a library was found, and how. */
export interface LibraryLocation {
  /** The absolute path of the library file. */
  path: string;
  /** `"environment"` for the explicit variable, `"cache"` for the per-user
   * cache, `"build"` for the folder beside the module. */
  source: "environment" | "cache" | "build";
}

/** Reads an environment variable; undefined when unset or not allowed. */
export type EnvironmentReader = (name: string) => string | undefined;

let opened:
  | { library: Deno.DynamicLibrary<typeof librarySymbols>; path: string }
  | undefined;

/** Reads an environment variable, treating a denied permission as unset. */
export function readEnvironment(name: string): string | undefined {
  try {
    const value = Deno.env.get(name);
    return value === "" ? undefined : value;
  } catch (error) {
    if (
      error instanceof Deno.errors.PermissionDenied ||
      error instanceof Deno.errors.NotCapable
    ) {
      return undefined;
    }
    throw error;
  }
}

/** Whether `path` is absolute on this system. A drive letter or a UNC
 * prefix makes a path absolute on Windows only: elsewhere `C:/x` is a
 * folder named `C:` in the working directory. */
export function isAbsolutePath(path: string): boolean {
  if (Deno.build.os !== "windows") return path.startsWith("/");
  return /^[A-Za-z]:[\\/]/.test(path) || path.startsWith("\\\\");
}

/** Joins path parts with this operating system's separator. */
export function joinPath(...parts: string[]): string {
  const separator = Deno.build.os === "windows" ? "\\" : "/";
  return parts.reduce((path, part) =>
    path.replace(/[\\/]+$/, "") + separator + part
  );
}

function fileExists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** The local path of a `file:` URL. */
export function localPath(url: URL): string {
  const path = decodeURIComponent(url.pathname);
  return Deno.build.os === "windows"
    ? path.slice(1).replaceAll("/", "\\")
    : path;
}

/**
 * The folder the build entry point writes this version's library into, and
 * the loader looks in second: `<root>/<version>/`, where the root is
 * `ACTIVATIONS_CACHE_DIR` when set, else the platform's cache folder plus
 * `activations`:
 *
 * - Linux and the BSDs: `$XDG_CACHE_HOME/activations`, or
 *   `~/.cache/activations` when `XDG_CACHE_HOME` is unset or relative (as
 *   the XDG specification says to treat it);
 * - macOS: `~/Library/Caches/activations`;
 * - Windows: `%LOCALAPPDATA%\activations`.
 *
 * @param env Reads the environment; by default `Deno.env`, with a denied
 * permission read as unset.
 * @param os The operating system whose convention applies.
 * @returns The folder, or an explanation of why there is none (the
 * variables it needs are unset or cannot be read).
 * @throws {Error} when `ACTIVATIONS_CACHE_DIR` is a relative path.
 */
export function libraryCacheFolder(
  env: EnvironmentReader = readEnvironment,
  os: typeof Deno.build.os = Deno.build.os,
): { folder: string } | { missing: string } {
  const explicit = env(CACHE_DIR_VARIABLE);
  if (explicit !== undefined) {
    if (!isAbsolutePath(explicit)) {
      throw new Error(
        `Cannot use the library cache: ${CACHE_DIR_VARIABLE} must be an ` +
          `absolute path, got "${explicit}"`,
      );
    }
    return { folder: joinPath(explicit, PACKAGE_VERSION) };
  }

  let root: string | undefined;
  let needs: string;
  if (os === "windows") {
    needs = "LOCALAPPDATA";
    const local = env("LOCALAPPDATA");
    if (local !== undefined) root = joinPath(local, "activations");
  } else {
    needs = "HOME";
    const xdg = env("XDG_CACHE_HOME");
    const home = env("HOME");
    if (os !== "darwin" && xdg !== undefined && xdg.startsWith("/")) {
      root = joinPath(xdg, "activations");
    } else if (home !== undefined) {
      root = os === "darwin"
        ? joinPath(home, "Library", "Caches", "activations")
        : joinPath(home, ".cache", "activations");
    }
  }
  if (root === undefined) {
    return {
      missing: `the cache (${needs} and ${CACHE_DIR_VARIABLE} are unset, ` +
        "or --allow-env was not granted)",
    };
  }
  return { folder: joinPath(root, PACKAGE_VERSION) };
}

/** The build folder beside this module, or undefined when not a file. */
function buildFolderCandidate(): string | undefined {
  const url = new URL(`../native/build/${LIBRARY_FILE_NAME}`, import.meta.url);
  return url.protocol === "file:" ? localPath(url) : undefined;
}

/**
 * The command that builds the library into the cache, naming the build
 * entry point the way this copy of the module was loaded: a path for a
 * file, a `jsr:` specifier for JSR, else the URL.
 */
export function buildCommand(): string {
  const entry = new URL("../build.ts", import.meta.url);
  const jsr = entry.href.match(
    /^https:\/\/jsr\.io\/(@[^/]+\/[^/]+)\/([^/]+)\/build\.ts$/,
  );
  const target = entry.protocol === "file:"
    ? localPath(entry)
    : jsr
    ? `jsr:${jsr[1]}@${jsr[2]}/build`
    : entry.href;
  return `deno run -A ${target}`;
}

/**
 * Resolves the library's path by the documented order, without opening it.
 *
 * @throws {Error} when no library is found; the message lists every place
 * looked at and the command that builds the library.
 */
export function locateLibrary(): LibraryLocation {
  const explicit = readEnvironment(LIBRARY_PATH_VARIABLE);
  if (explicit !== undefined) {
    if (!isAbsolutePath(explicit)) {
      throw new Error(
        `Cannot load the native library: ${LIBRARY_PATH_VARIABLE} must be ` +
          `an absolute path, got "${explicit}"`,
      );
    }
    if (!fileExists(explicit)) {
      throw new Error(
        `Cannot load the native library: ${LIBRARY_PATH_VARIABLE} names ` +
          `"${explicit}", which is not a file`,
      );
    }
    return { path: explicit, source: "environment" };
  }

  const looked = [`${LIBRARY_PATH_VARIABLE} (not set)`];
  const cache = libraryCacheFolder();
  if ("folder" in cache) {
    const cached = joinPath(cache.folder, LIBRARY_FILE_NAME);
    if (fileExists(cached)) return { path: cached, source: "cache" };
    looked.push(cached);
  } else {
    looked.push(cache.missing);
  }

  const built = buildFolderCandidate();
  if (built !== undefined) {
    if (fileExists(built)) return { path: built, source: "build" };
    looked.push(built);
  } else {
    looked.push("native/build/ (the module was not imported from a file)");
  }

  throw new Error(
    "Cannot find the native library. Looked in:\n" +
      looked.map((place) => `  - ${place}`).join("\n") + "\n" +
      `Build it with: ${buildCommand()}`,
  );
}

/**
 * Opens the library once and returns its symbols.
 *
 * @throws {Deno.errors.PermissionDenied} when FFI or read access is denied.
 * @throws {Error} when the library is missing, fails to open, or was built
 * for another ABI version.
 */
export function loadLibrary(): NativeSymbols {
  if (opened !== undefined) return opened.library.symbols;

  const { path } = locateLibrary();
  let library: Deno.DynamicLibrary<typeof librarySymbols>;
  try {
    library = Deno.dlopen(path, librarySymbols);
  } catch (error) {
    if (
      error instanceof Deno.errors.PermissionDenied ||
      error instanceof Deno.errors.NotCapable
    ) {
      throw error;
    }
    throw new Error(`Cannot open the native library at ${path}`, {
      cause: error,
    });
  }

  const version = library.symbols.act_abi_version();
  if (version !== ABI_VERSION) {
    library.close();
    throw new Error(
      `The native library at ${path} has ABI version ${version}, expected ` +
        `${ABI_VERSION}: rebuild it with ${buildCommand()} --rebuild, or ` +
        "make in a clone",
    );
  }

  opened = { library, path };
  return library.symbols;
}

/** The path of the opened library, or undefined before the first call. */
export function loadedLibraryPath(): string | undefined {
  return opened?.path;
}
