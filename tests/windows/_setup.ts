/**
 * Helpers of the Windows suite (`tests/windows/`), which runs on Windows only: natively on a Windows CI runner
 * (`.github/workflows/windows.yml`), or under Wine on Linux (`tests/windows/run.sh`, which `.ci/run` calls).
 *
 * Under Wine there is no real CPython, so the suite builds stand-in installs (`_standin.ts`) from the mingw-built
 * programs in `tests/fixtures/windows/`; `run.sh` compiles them on the Linux side and names their folder in
 * `MKVENV_WINDOWS_STANDINS`. On a runner with real Pythons, the tests that need stand-ins skip and `native_test.ts`
 * runs instead.
 *
 * @module
 */
import { CONFIG, ROOT } from "../_helpers.ts";
import { runCli } from "../../lib/run_cli.ts";
import { win32 } from "../../lib/path.ts";

export { CONFIG, ROOT };

/** Whether this process runs on Windows (real, or Wine). */
export const IS_WINDOWS: boolean = Deno.build.os === "windows";

let wine: boolean | undefined;

/** Whether this Windows is Wine: its ntdll exports `wine_get_version`, which Windows' has not. */
export function underWine(): boolean {
  if (wine !== undefined) return wine;
  wine = false;
  if (!IS_WINDOWS) return wine;
  try {
    const lib = Deno.dlopen("ntdll.dll", { wine_get_version: { parameters: [], result: "pointer" } });
    lib.close();
    wine = true;
  } catch {
    wine = false;
  }
  return wine;
}

/** The folder of the stand-in executables (`MKVENV_WINDOWS_STANDINS`), when they were built. */
export function standinBuild(): string | undefined {
  if (!IS_WINDOWS) return undefined;
  const dir = Deno.env.get("MKVENV_WINDOWS_STANDINS");
  if (!dir) return undefined;
  const names = ["python.exe", "pythonw.exe", "venvlauncher.exe", "venvwlauncher.exe"];
  return names.every((n) => isFile(win32.join(dir, n))) ? dir : undefined;
}

/** Why stand-in tests cannot run here, or undefined when they can. */
export function standinSkipReason(): string | undefined {
  if (!IS_WINDOWS) return "the Windows suite runs on Windows (natively or under Wine: tests/windows/run.sh)";
  if (!standinBuild()) {
    return "no stand-in interpreters: set MKVENV_WINDOWS_STANDINS to the folder tests/windows/run.sh builds them in";
  }
  return undefined;
}

/** Whether a regular file exists at `file`. */
export function isFile(file: string): boolean {
  try {
    return Deno.statSync(file).isFile;
  } catch {
    return false;
  }
}

/** Whether a folder exists at `dir`. */
export function isDir(dir: string): boolean {
  try {
    return Deno.statSync(dir).isDirectory;
  } catch {
    return false;
  }
}

/** Logs why a test is skipped and returns true when a reason is given (use as `ignore:`). */
export function skipFor(reason: string | undefined): boolean {
  if (reason !== undefined) console.log(`skipped: ${reason}`);
  return reason !== undefined;
}

/** A temporary folder (its name may hold spaces and any characters), removed by the disposer. */
export async function tempDir(name = ""): Promise<{ path: string } & AsyncDisposable> {
  const base = await Deno.realPath(await Deno.makeTempDir({ prefix: "mkvenv_win_" }));
  const dir = name ? win32.join(base, name) : base;
  await Deno.mkdir(dir, { recursive: true });
  return {
    path: dir,
    async [Symbol.asyncDispose]() {
      await Deno.remove(base, { recursive: true }).catch(() => {});
    },
  };
}

/** What a run of the CLI printed, and its exit code. */
export interface CliResult {
  /** Exit code. */
  readonly code: number;
  /** Standard output. */
  readonly stdout: string;
  /** Standard error. */
  readonly stderr: string;
}

/** The environment runs get: this process's, without the variables that would change mkvenv's choices. */
export function suiteEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env = Deno.env.toObject();
  for (const name of Object.keys(env)) {
    if (/^(VIRTUALENV_|MKVENV_(?!WINDOWS_|STANDIN_)|PIP_|PYTHON)/i.test(name)) delete env[name];
  }
  return { ...env, ...extra };
}

/**
 * Runs the CLI in this process (`runCli`, what `cli.ts` calls): the fast way, each Deno start costing 0.2 to 1 s
 * under Wine. `--app-data` is the caller's to give.
 */
export async function cli(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  let stdout = "", stderr = "";
  const code = await runCli([...args], {
    io: { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) },
    cwd: options.cwd ?? Deno.cwd(),
    env: options.env ?? suiteEnv(),
    color: false,
  });
  return { code, stdout, stderr };
}

/** Runs a program to completion, capturing its output (decoded as UTF-8). Retries once when Wine kills it (137). */
export async function run(
  cmd: string,
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  for (let attempt = 0;; attempt++) {
    const out = await new Deno.Command(cmd, {
      args: [...args],
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      env: options.env ?? suiteEnv(),
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    // The Wine kit's README: rarely a process is killed (137) after finishing its work; once is worth a retry.
    if (out.code === 137 && attempt === 0 && underWine()) continue;
    const dec = new TextDecoder();
    return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  }
}

/**
 * Runs `cli.ts` in a new Deno process, as users do: `deno run -A --config deno.json cli.ts ...` (with
 * `--cached-only` when `MKVENV_DENO_CACHED_ONLY` is set, as tests/windows/run.sh sets it: no network under Wine).
 */
export function cliProcess(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  const cached = Deno.env.get("MKVENV_DENO_CACHED_ONLY") ? ["--cached-only"] : [];
  const deno = ["run", "-A", ...cached, "--config", CONFIG, win32.join(ROOT, "cli.ts")];
  return run(Deno.execPath(), [...deno, ...args], options);
}
