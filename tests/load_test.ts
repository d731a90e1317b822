import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { PACKAGE_VERSION } from "../ffi/load.ts";
import {
  type ChildResult,
  LIBRARY_PERMISSIONS,
  runChildScript,
} from "./_child.ts";

// The loader runs in child processes, so that each case starts with no
// library opened and its own environment.

const root = fileURLToPath(new URL("../", import.meta.url));
const modUrl = new URL("../mod.ts", import.meta.url).href;
const script = `import { relu } from "${modUrl}";` +
  `console.log(relu(new Float32Array([-1, 2])).join(","));`;

function runDeno(
  env: Record<string, string>,
  cwd: string,
  args: string[] = LIBRARY_PERMISSIONS,
): Promise<ChildResult> {
  return runChildScript(script, { env, cwd, args });
}

Deno.test("the library loads beside the module from any directory", async () => {
  const elsewhere = await Deno.makeTempDir();
  try {
    // An empty cache, so that the build folder is the one found.
    const result = await runDeno(
      { ACTIVATIONS_LIB_PATH: "", ACTIVATIONS_CACHE_DIR: elsewhere },
      elsewhere,
    );
    assert.equal(result.stdout.trim(), "0,2", result.stderr);
    assert.equal(result.code, 0);
  } finally {
    await Deno.remove(elsewhere);
  }
});

Deno.test("ACTIVATIONS_LIB_PATH must be an absolute path", async () => {
  const result = await runDeno(
    { ACTIVATIONS_LIB_PATH: "native/build/libactivations.so" },
    root,
  );
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /ACTIVATIONS_LIB_PATH must be an absolute path/);
});

Deno.test("a missing library names where it looked", async () => {
  const result = await runDeno(
    { ACTIVATIONS_LIB_PATH: "/nonexistent/libactivations.so" },
    root,
  );
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /\/nonexistent\/libactivations\.so/);
  assert.match(result.stderr, /not a file/);
});

Deno.test("the error for an unbuilt module lists places and the build command", async () => {
  // A copy of the sources with no build folder.
  const copy = await Deno.makeTempDir();
  try {
    for (const dir of ["ffi", "src"]) {
      await Deno.mkdir(`${copy}/${dir}`);
      for await (const entry of Deno.readDir(`${root}${dir}`)) {
        await Deno.copyFile(
          `${root}${dir}/${entry.name}`,
          `${copy}/${dir}/${entry.name}`,
        );
      }
    }
    for (const file of ["mod.ts", "deno.json"]) {
      await Deno.copyFile(`${root}${file}`, `${copy}/${file}`);
    }
    const copied = `import { relu } from "file://${copy}/mod.ts";` +
      `relu(new Float32Array(1));`;
    const command = new Deno.Command(Deno.execPath(), {
      args: ["eval", "--no-lock", copied],
      env: { ACTIVATIONS_LIB_PATH: "", ACTIVATIONS_CACHE_DIR: copy },
      stdout: "piped",
      stderr: "piped",
    });
    const { code, stderr } = await command.output();
    const message = new TextDecoder().decode(stderr);
    assert.notEqual(code, 0);
    assert.match(message, /Cannot find the native library\. Looked in:/);
    assert.match(message, /ACTIVATIONS_LIB_PATH \(not set\)/);
    assert.match(
      message,
      new RegExp(`${copy}/${PACKAGE_VERSION}/libactivations`),
    );
    assert.match(message, new RegExp(`${copy}/native/build/libactivations`));
    assert.match(
      message,
      new RegExp(`Build it with: deno run -A ${copy}/build\\.ts`),
    );
  } finally {
    await Deno.remove(copy, { recursive: true });
  }
});

Deno.test("without the env permission the variable counts as unset", async () => {
  const elsewhere = await Deno.makeTempDir();
  try {
    const result = await runDeno(
      { ACTIVATIONS_LIB_PATH: "relative/ignored.so" },
      elsewhere,
      ["--allow-ffi", "--allow-read"],
    );
    assert.equal(result.stdout.trim(), "0,2", result.stderr);
  } finally {
    await Deno.remove(elsewhere);
  }
});

Deno.test("the cache comes after ACTIVATIONS_LIB_PATH, before the build folder", async () => {
  const cache = await Deno.makeTempDir();
  try {
    // A copy of the built library in the cache, and the script reports
    // which file the loader found.
    const built = `${root}native/build/libactivations.so`;
    await Deno.mkdir(`${cache}/${PACKAGE_VERSION}`);
    const cached = `${cache}/${PACKAGE_VERSION}/libactivations.so`;
    await Deno.copyFile(built, cached);
    const locate = (env: Record<string, string>) =>
      new Deno.Command(Deno.execPath(), {
        args: [
          "eval",
          "--no-lock",
          `import { locateLibrary } from "${root}ffi/load.ts";` +
          `console.log(JSON.stringify(locateLibrary()));`,
        ],
        env: { ACTIVATIONS_CACHE_DIR: cache, ...env },
        stdout: "piped",
        stderr: "piped",
      }).output().then(({ stdout }) =>
        JSON.parse(new TextDecoder().decode(stdout))
      );

    assert.deepEqual(await locate({ ACTIVATIONS_LIB_PATH: "" }), {
      path: cached,
      source: "cache",
    });
    assert.deepEqual(await locate({ ACTIVATIONS_LIB_PATH: built }), {
      path: built,
      source: "environment",
    });
    await Deno.remove(cached);
    assert.deepEqual(await locate({ ACTIVATIONS_LIB_PATH: "" }), {
      path: built,
      source: "build",
    });
  } finally {
    await Deno.remove(cache, { recursive: true });
  }
});

const libraryPath = `${root}native/build/libactivations.so`;

/** Copies the real library to `path`, making its folders: a library there
 * would work, so only the path it was loaded from tells it apart. */
async function plant(path: string): Promise<void> {
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  await Deno.copyFile(libraryPath, path);
}

// Names a library could be found under relative to the working directory,
// each planted there by the tests below.
const RELATIVE_NAMES = [
  "libactivations.so",
  "./libactivations.so",
  "native/build/libactivations.so",
  "lib/libactivations.so",
  // Absolute on Windows only; on other systems, folders in the working
  // directory named "C:" and "\\server".
  ...(Deno.build.os === "windows" ? [] : [
    "C:/libactivations.so",
    "C:\\libactivations.so",
    "\\\\server\\libactivations.so",
  ]),
  "~/libactivations.so",
  "file:///libactivations.so",
];

Deno.test("a library planted in the working directory is never loaded", async () => {
  const cwd = await Deno.makeTempDir();
  try {
    for (const name of RELATIVE_NAMES) {
      if (!name.includes("://")) await plant(`${cwd}/${name}`);
    }
    const probe = `import { relu } from "${modUrl}";` +
      `import { loadedLibraryPath } from "${
        new URL("../ffi/load.ts", import.meta.url).href
      }";` +
      `relu(new Float32Array(1));` +
      `console.log(loadedLibraryPath());`;
    const command = new Deno.Command(Deno.execPath(), {
      args: ["eval", "--no-lock", probe],
      cwd,
      // The system loader's own search would look in "." too.
      env: {
        ACTIVATIONS_LIB_PATH: "",
        ACTIVATIONS_CACHE_DIR: cwd,
        LD_LIBRARY_PATH: ".",
      },
      stdout: "piped",
      stderr: "piped",
    });
    const { code, stdout, stderr } = await command.output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    assert.equal(new TextDecoder().decode(stdout).trim(), libraryPath);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("ACTIVATIONS_LIB_PATH refuses every relative form", async () => {
  const cwd = await Deno.makeTempDir();
  try {
    for (const name of RELATIVE_NAMES) {
      if (!name.includes("://")) await plant(`${cwd}/${name}`);
    }
    // One child tries every name in turn: a refused name opens nothing, so
    // the next starts from the same state.
    const probe = `import { relu } from "${modUrl}";` +
      `const results = [];` +
      `for (const name of ${JSON.stringify(RELATIVE_NAMES)}) {` +
      `  Deno.env.set("ACTIVATIONS_LIB_PATH", name);` +
      `  try { relu(new Float32Array(1)); results.push("loaded"); }` +
      `  catch (error) { results.push(String(error)); }` +
      `}` +
      `console.log(JSON.stringify(results));`;
    const command = new Deno.Command(Deno.execPath(), {
      args: ["eval", "--no-lock", probe],
      cwd,
      env: { LD_LIBRARY_PATH: "." },
      stdout: "piped",
      stderr: "piped",
    });
    const { code, stdout, stderr } = await command.output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    const results = JSON.parse(new TextDecoder().decode(stdout)) as string[];
    RELATIVE_NAMES.forEach((name, i) => {
      assert.match(
        results[i]!,
        /ACTIVATIONS_LIB_PATH must be an absolute path/,
        `${name} was not refused`,
      );
      assert.ok(results[i]!.includes(`"${name}"`), results[i]);
    });
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("the narrowest permissions load the library, and only them", async (t) => {
  const folder = libraryPath.slice(0, libraryPath.lastIndexOf("/"));
  const elsewhere = await Deno.makeTempDir();
  const other = `${elsewhere}/libother.so`;
  try {
    await t.step("FFI and read of the library file only", async () => {
      const result = await runDeno({ ACTIVATIONS_LIB_PATH: "" }, elsewhere, [
        `--allow-ffi=${libraryPath}`,
        `--allow-read=${libraryPath}`,
      ]);
      assert.equal(result.stdout.trim(), "0,2", result.stderr);
    });

    await t.step("and the variable, when it names the library", async () => {
      const result = await runDeno(
        { ACTIVATIONS_LIB_PATH: libraryPath },
        elsewhere,
        [
          `--allow-ffi=${libraryPath}`,
          `--allow-read=${libraryPath}`,
          "--allow-env=ACTIVATIONS_LIB_PATH",
        ],
      );
      assert.equal(result.stdout.trim(), "0,2", result.stderr);
    });

    await t.step("or the build folder", async () => {
      const result = await runDeno({ ACTIVATIONS_LIB_PATH: "" }, elsewhere, [
        `--allow-ffi=${folder}`,
        `--allow-read=${folder}`,
      ]);
      assert.equal(result.stdout.trim(), "0,2", result.stderr);
    });

    await t.step(
      "FFI of another path is refused, naming the library",
      async () => {
        const result = await runDeno({ ACTIVATIONS_LIB_PATH: "" }, elsewhere, [
          `--allow-ffi=${other}`,
          `--allow-read=${libraryPath}`,
        ]);
        assert.notEqual(result.code, 0);
        assert.equal(result.stdout, "");
        assert.ok(
          result.stderr.includes(`Requires ffi access to "${libraryPath}"`),
          result.stderr,
        );
      },
    );

    await t.step(
      "read of another path is refused, naming the library",
      async () => {
        const result = await runDeno({ ACTIVATIONS_LIB_PATH: "" }, elsewhere, [
          `--allow-ffi=${libraryPath}`,
          `--allow-read=${other}`,
        ]);
        assert.notEqual(result.code, 0);
        assert.equal(result.stdout, "");
        assert.ok(
          result.stderr.includes(`Requires read access to "${libraryPath}"`),
          result.stderr,
        );
      },
    );

    await t.step(
      "the variable may not name a library outside them",
      async () => {
        await plant(other);
        const result = await runDeno(
          { ACTIVATIONS_LIB_PATH: other },
          elsewhere,
          [
            `--allow-ffi=${libraryPath}`,
            `--allow-read=${libraryPath}`,
            "--allow-env=ACTIVATIONS_LIB_PATH",
          ],
        );
        assert.notEqual(result.code, 0);
        assert.equal(result.stdout, "");
        assert.ok(
          result.stderr.includes(`Requires read access to "${other}"`),
          result.stderr,
        );
      },
    );
  } finally {
    await Deno.remove(elsewhere, { recursive: true });
  }
});
