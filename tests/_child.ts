// Runs a script in a child Deno process, for the tests that need a process
// of its own: no library opened yet, its own environment or V8 flags.

/** What a child process printed, and how it ended. */
export interface ChildResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The permissions a script that calls the library needs. */
export const LIBRARY_PERMISSIONS = [
  "--allow-ffi",
  "--allow-read",
  "--allow-env",
];

/**
 * Runs `script`, given on standard input, with `deno run --no-lock` and
 * `args` (the library's permissions unless given), in `cwd` with `env`
 * added to this process's environment.
 */
export async function runChildScript(
  script: string,
  options: { args?: string[]; env?: Record<string, string>; cwd?: string } = {},
): Promise<ChildResult> {
  const command = new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-lock", ...(options.args ?? LIBRARY_PERMISSIONS), "-"],
    cwd: options.cwd,
    env: options.env,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  });
  const child = command.spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(script));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  const decoder = new TextDecoder();
  return {
    code,
    stdout: decoder.decode(stdout),
    stderr: decoder.decode(stderr),
  };
}
