/**
 * Finds and opens the native library.
 *
 * The search order is fixed:
 *
 * 1. `ACTIVATIONS_LIB_PATH`, when set: an absolute path to the library file.
 *    A relative path is refused, since the system loader would resolve it
 *    against the working directory, not against this module.
 * 2. The build folder beside this module, `native/build/`, when the module
 *    was imported from a file.
 *
 * @module
 */

import { ABI_VERSION, type NativeSymbols, symbols } from "./symbols.ts";

/** The environment variable that names the library explicitly. */
export const LIBRARY_PATH_VARIABLE = "ACTIVATIONS_LIB_PATH";

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
  /** `"environment"` for the explicit variable, `"build"` for the folder. */
  source: "environment" | "build";
}

let opened:
  | { library: Deno.DynamicLibrary<typeof symbols>; path: string }
  | undefined;

/** Reads an environment variable, treating a denied permission as unset. */
function readEnvironment(name: string): string | undefined {
  try {
    return Deno.env.get(name);
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
function isAbsolute(path: string): boolean {
  if (Deno.build.os !== "windows") return path.startsWith("/");
  return /^[A-Za-z]:[\\/]/.test(path) || path.startsWith("\\\\");
}

function fileExists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** The build folder beside this module, or undefined when not a file. */
function buildFolderCandidate(): string | undefined {
  const url = new URL(`../native/build/${LIBRARY_FILE_NAME}`, import.meta.url);
  if (url.protocol !== "file:") return undefined;

  const path = decodeURIComponent(url.pathname);
  return Deno.build.os === "windows" ? path.slice(1) : path;
}

/**
 * Resolves the library's path by the documented order, without opening it.
 *
 * @throws {Error} when no library is found; the message lists every place
 * looked at and the command that builds the library.
 */
export function locateLibrary(): LibraryLocation {
  const explicit = readEnvironment(LIBRARY_PATH_VARIABLE);
  if (explicit !== undefined && explicit !== "") {
    if (!isAbsolute(explicit)) {
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
  const built = buildFolderCandidate();
  if (built !== undefined) {
    if (fileExists(built)) return { path: built, source: "build" };
    looked.push(built);
  } else {
    looked.push("native/build/ (the module was not imported from a file)");
  }

  const moduleRoot = built?.replace(/native[\\/]build[\\/][^\\/]+$/, "");
  throw new Error(
    "Cannot find the native library. Looked in:\n" +
      looked.map((place) => `  - ${place}`).join("\n") + "\n" +
      (moduleRoot
        ? `Build it with: make -C ${moduleRoot}`
        : `Build it with make and set ${LIBRARY_PATH_VARIABLE}`),
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
  let library: Deno.DynamicLibrary<typeof symbols>;
  try {
    library = Deno.dlopen(path, symbols);
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
        `${ABI_VERSION}: rebuild it from this module's sources`,
    );
  }

  opened = { library, path };
  return library.symbols;
}

/** The path of the opened library, or undefined before the first call. */
export function loadedLibraryPath(): string | undefined {
  return opened?.path;
}
