// The package as JSR would publish it: its file list, its build entry point
// (build.ts) against the Makefile, and a copy outside the repository that
// builds its own library and calls gelu. The copy compiles the library once
// (about 10 to 20 s here); everything runs in child processes, with the
// cache in a temporary folder.

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { dirname, join, relative } from "node:path";
import { nativeBuildPlan } from "../build.ts";
import { libraryCacheFolder, PACKAGE_VERSION } from "../ffi/load.ts";
import packageConfig from "../deno.json" with { type: "json" };

const root = fileURLToPath(new URL("../", import.meta.url));

interface Output {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(
  program: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<Output> {
  const { code, stdout, stderr } = await new Deno.Command(program, {
    args,
    cwd: options.cwd ?? root,
    env: options.env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code,
    stdout: decoder.decode(stdout),
    stderr: decoder.decode(stderr),
  };
}

/** The files `deno publish` would upload, relative to the repository. */
async function publishedFiles(): Promise<string[]> {
  const result = await run(Deno.execPath(), [
    "publish",
    "--dry-run",
    "--allow-dirty",
    "--no-check",
  ]);
  assert.equal(result.code, 0, result.stderr);
  // The dry run lists each file as `file:///path (size)`, on stderr.
  const files = [...(result.stdout + result.stderr).matchAll(
    /^\s*(file:\/\/\S+) \(/gm,
  )].map((match) => relative(root, fileURLToPath(match[1]!)));
  assert.ok(files.length > 0, `no files listed:\n${result.stderr}`);
  return files.sort();
}

Deno.test("the published files carry the native sources and no build output", async () => {
  const files = await publishedFiles();
  const plan = nativeBuildPlan({ os: "linux", arch: "x86_64" });

  for (const name of plan.files) {
    assert.ok(files.includes(`native/${name}`), `native/${name} missing`);
  }
  // Every source the Makefile builds from is one the plan copies.
  for await (const entry of Deno.readDir(join(root, "native"))) {
    if (entry.isFile && /\.(h|cc)$/.test(entry.name)) {
      assert.ok(
        plan.files.includes(entry.name),
        `native/${entry.name} is not in build.ts's list of sources`,
      );
    }
  }
  for (const entry of Object.values(packageConfig.exports)) {
    assert.ok(files.includes(entry.replace(/^\.\//, "")), `${entry} missing`);
  }
  for (const folder of ["src", "ffi"]) {
    for await (const entry of Deno.readDir(join(root, folder))) {
      const name = `${folder}/${entry.name}`;
      if (entry.isFile) assert.ok(files.includes(name), `${name} missing`);
    }
  }
  assert.ok(files.includes("deno.json"));

  const unwanted = files.filter((file) =>
    /^(tests|bench|examples|node_modules|\.tools|native\/build)\//.test(file) ||
    ["Makefile", "Dockerfile", "deno.lock"].includes(file)
  );
  assert.deepEqual(unwanted, []);
});

Deno.test("build.ts compiles with the Makefile's commands", {
  ignore: Deno.build.os !== "linux",
}, async () => {
  // A dry run of a forced build prints every command without running one.
  const result = await run("make", [
    "-n",
    "-B",
    "CXX=compiler",
    "CXXFLAGS=-O3",
    "LDFLAGS=",
    "build",
  ]);
  assert.equal(result.code, 0, result.stderr);
  const commands = result.stdout.split("\n")
    .filter((line) => line.startsWith("compiler "))
    .map((line) => line.trim().split(/\s+/).slice(1));

  const compiled = commands.filter((words) => words.includes("-c"))
    .map((words) => {
      const source = words[words.indexOf("-c") + 1]!;
      const flags = words.filter((_, i) =>
        i < words.indexOf("-c") || i > words.indexOf("-o") + 1
      );
      return { source: source.replace(/^native\//, ""), flags };
    });
  const plan = nativeBuildPlan();
  assert.deepEqual(compiled, plan.compile);

  const linked = commands.filter((words) => !words.includes("-c"));
  assert.equal(linked.length, 1, result.stdout);
  const link = linked[0]!;
  assert.deepEqual(
    link.filter((word) => word.endsWith(".o")).map((o) => o.split("/").pop()),
    plan.compile.map((step) => step.source.replace(/\.cc$/, ".o")),
  );
  assert.deepEqual(link.slice(link.indexOf("-o") + 2), plan.link);

  // Every header of native/ is read by both (the Makefile's prerequisites
  // are native/*.h), and no other .cc file sits there.
  const onDisk: string[] = [];
  for await (const entry of Deno.readDir(join(root, "native"))) {
    if (entry.isFile && /\.(h|cc)$/.test(entry.name)) onDisk.push(entry.name);
  }
  assert.deepEqual(onDisk.sort(), [...plan.files].sort());
});

Deno.test("the cache folder follows each platform's convention", async (t) => {
  const reader = (env: Record<string, string>) => (name: string) => env[name];
  const version = PACKAGE_VERSION;
  assert.equal(version, packageConfig.version);

  await t.step("XDG_CACHE_HOME, else ~/.cache", () => {
    assert.deepEqual(
      libraryCacheFolder(reader({ XDG_CACHE_HOME: "/x", HOME: "/h" }), "linux"),
      { folder: `/x/activations/${version}` },
    );
    assert.deepEqual(
      libraryCacheFolder(reader({ HOME: "/h" }), "linux"),
      { folder: `/h/.cache/activations/${version}` },
    );
    // The XDG specification says to ignore a relative value.
    assert.deepEqual(
      libraryCacheFolder(reader({ XDG_CACHE_HOME: "x", HOME: "/h" }), "linux"),
      { folder: `/h/.cache/activations/${version}` },
    );
  });

  await t.step("~/Library/Caches on macOS", () => {
    assert.deepEqual(
      libraryCacheFolder(
        reader({ XDG_CACHE_HOME: "/x", HOME: "/h" }),
        "darwin",
      ),
      { folder: `/h/Library/Caches/activations/${version}` },
    );
  });

  await t.step("ACTIVATIONS_CACHE_DIR first, absolute only", () => {
    assert.deepEqual(
      libraryCacheFolder(
        reader({ ACTIVATIONS_CACHE_DIR: "/c/", HOME: "/h" }),
        "linux",
      ),
      { folder: `/c/${version}` },
    );
    assert.throws(
      () => libraryCacheFolder(reader({ ACTIVATIONS_CACHE_DIR: "c" })),
      /ACTIVATIONS_CACHE_DIR must be an absolute path, got "c"/,
    );
  });

  await t.step("nothing to go by", () => {
    const none = libraryCacheFolder(reader({}), "linux");
    assert.ok("missing" in none);
    assert.match(none.missing, /HOME and ACTIVATIONS_CACHE_DIR are unset/);
  });
});

Deno.test("a copy of the package outside the repository builds itself and calls gelu", async (t) => {
  const outside = await Deno.makeTempDir({ prefix: "activations-package-" });
  try {
    const copy = join(outside, "package");
    for (const file of await publishedFiles()) {
      await Deno.mkdir(dirname(join(copy, file)), { recursive: true });
      await Deno.copyFile(join(root, file), join(copy, file));
    }
    const app = join(outside, "app");
    await Deno.mkdir(app);
    const cache = join(outside, "cache");
    const library = join(cache, PACKAGE_VERSION, "libactivations.so");
    const env = { ACTIVATIONS_LIB_PATH: "", ACTIVATIONS_CACHE_DIR: cache };
    const deno = (args: string[], extra: Record<string, string> = {}) =>
      run(Deno.execPath(), ["run", "--no-config", "-A", ...args], {
        cwd: app,
        env: { ...env, ...extra },
      });

    await t.step(
      "unbuilt, the error names each place and the command",
      async () => {
        await Deno.writeTextFile(
          join(app, "unbuilt.ts"),
          `import { gelu } from "../package/mod.ts";\n` +
            `gelu(new Float32Array(1));\n`,
        );
        const result = await deno(["unbuilt.ts"]);
        assert.notEqual(result.code, 0);
        assert.match(result.stderr, /Cannot find the native library/);
        assert.ok(
          result.stderr.includes("ACTIVATIONS_LIB_PATH (not set)"),
          result.stderr,
        );
        assert.ok(result.stderr.includes(library), result.stderr);
        assert.ok(
          result.stderr.includes(
            join(copy, "native", "build", "libactivations.so"),
          ),
          result.stderr,
        );
        assert.ok(
          result.stderr.includes(
            `Build it with: deno run -A ${join(copy, "build.ts")}`,
          ),
          result.stderr,
        );
      },
    );

    await t.step("a script builds the library and calls gelu", async () => {
      await Deno.writeTextFile(
        join(app, "main.ts"),
        `import { buildNativeLibrary } from "../package/build.ts";\n` +
          `import { gelu } from "../package/mod.ts";\n` +
          `import { loadedLibraryPath } from "../package/ffi/load.ts";\n` +
          `const built = await buildNativeLibrary();\n` +
          `const y = gelu(new Float64Array([-1, 0, 1, 3]));\n` +
          `console.log(JSON.stringify({ ...built, y: [...y],\n` +
          `  loaded: loadedLibraryPath() }));\n`,
      );
      const result = await deno(["main.ts"]);
      assert.equal(result.code, 0, result.stderr);
      const output = JSON.parse(result.stdout);
      assert.equal(output.path, library);
      assert.equal(output.loaded, library);
      assert.equal(output.compiled, true);
      // x * Phi(x), computed with 30 digits and rounded to float64.
      const expected = [
        -0.15865525393145705,
        0,
        0.8413447460685429,
        2.99595030590511,
      ];
      output.y.forEach((y: number, i: number) =>
        assert.ok(
          Math.abs(y - expected[i]!) <= 1e-14 * Math.abs(expected[i]!),
          `gelu at element ${i}: ${y}, expected ${expected[i]}`,
        )
      );
      assert.deepEqual(
        [...Deno.readDirSync(dirname(library))].map((entry) => entry.name),
        ["libactivations.so"],
      );
    });

    await t.step("as a command it reuses the library", async () => {
      const before = Deno.statSync(library).mtime;
      const result = await deno([join(copy, "build.ts")]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(
        result.stdout.trim(),
        `Already built: ${library} (--rebuild compiles it again)`,
      );
      assert.deepEqual(Deno.statSync(library).mtime, before);
    });

    await t.step(
      "a failed rebuild leaves the library and no debris",
      async () => {
        const before = await Deno.readFile(library);
        const failing = await deno([join(copy, "build.ts"), "--rebuild"], {
          CXX: "false",
        });
        assert.equal(failing.code, 1);
        assert.match(
          failing.stderr,
          /^Cannot build the native library: `false -std=c\+\+17 .* -c \S+\.cc -o \S+\.o` exited with status 1:/,
        );
        const missing = await deno([join(copy, "build.ts"), "--rebuild"], {
          CXX: join(outside, "no-such-compiler"),
        });
        assert.equal(missing.code, 1);
        assert.match(
          missing.stderr,
          /the compiler `.*no-such-compiler` was not found/,
        );
        assert.deepEqual(await Deno.readFile(library), before);
        assert.deepEqual(
          [...Deno.readDirSync(dirname(library))].map((entry) => entry.name),
          ["libactivations.so"],
        );

        const wrong = await deno([join(copy, "build.ts"), "--force"]);
        assert.equal(wrong.code, 2);
        assert.match(wrong.stderr, /Unknown argument --force; usage:/);
      },
    );

    await t.step(
      "imported from a URL, it fetches the sources it compiles",
      async () => {
        // The copy served over HTTP by a child process, which prints its port
        // and then each path asked for.
        await Deno.writeTextFile(
          join(outside, "serve.ts"),
          `const root = Deno.args[0];\n` +
            `Deno.serve({ hostname: "127.0.0.1", port: 0,\n` +
            `  onListen: ({ port }) => console.log(port) }, async (request) => {\n` +
            `  const path = new URL(request.url).pathname;\n` +
            `  console.log(path);\n` +
            `  try { return new Response(await Deno.readFile(root + path)); }\n` +
            `  catch { return new Response("", { status: 404 }); }\n` +
            `});\n`,
        );
        const server = new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "--no-config",
            "--allow-net=127.0.0.1",
            `--allow-read=${copy}`,
            join(outside, "serve.ts"),
            copy,
          ],
          stdout: "piped",
          stderr: "null",
        }).spawn();
        const reader = server.stdout.getReader();
        const decoder = new TextDecoder();
        let served = "";
        const readMore = async (): Promise<boolean> => {
          const { value, done } = await reader.read();
          if (value !== undefined) served += decoder.decode(value);
          return !done;
        };
        try {
          while (!served.includes("\n") && await readMore());
          const url = `http://127.0.0.1:${served.split("\n")[0]}`;
          // Remote modules go into a cache of the test's own.
          const remote = { DENO_DIR: join(outside, "deno-dir") };

          await Deno.writeTextFile(
            join(app, "remote_unbuilt.ts"),
            `import { gelu } from "${url}/mod.ts";\n` +
              `gelu(new Float32Array(1));\n`,
          );
          const unbuilt = await deno(["remote_unbuilt.ts"], {
            ...remote,
            ACTIVATIONS_CACHE_DIR: join(outside, "empty-cache"),
          });
          assert.notEqual(unbuilt.code, 0);
          assert.ok(
            unbuilt.stderr.includes(
              "native/build/ (the module was not imported from a file)",
            ),
            unbuilt.stderr,
          );
          assert.ok(
            unbuilt.stderr.includes(
              `Build it with: deno run -A ${url}/build.ts`,
            ),
            unbuilt.stderr,
          );

          // A compiler that fails at once: what matters is what it was given.
          await Deno.writeTextFile(
            join(app, "remote_build.ts"),
            `import { buildNativeLibrary } from "${url}/build.ts";\n` +
              `await buildNativeLibrary({ rebuild: true });\n`,
          );
          const build = await deno(["remote_build.ts"], {
            ...remote,
            CXX: "false",
          });
          assert.notEqual(build.code, 0);
          assert.match(build.stderr, /`false -std=c\+\+17 .*` exited with/);
        } finally {
          server.kill();
          while (await readMore());
          await server.status;
        }
        const paths = served.split("\n");
        for (const name of nativeBuildPlan().files) {
          assert.ok(
            paths.includes(`/native/${name}`),
            `/native/${name} not fetched`,
          );
        }
      },
    );
  } finally {
    await Deno.remove(outside, { recursive: true });
  }
});
