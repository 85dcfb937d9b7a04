/**
 * Shared test helpers: the real interpreters on this machine, a clean environment for running Python, temporary
 * folders, and running the mkvenv CLI as a real process.
 *
 * @module
 */
import path from "node:path";

/** The repository root. */
export const ROOT: string = path.resolve(import.meta.dirname!, "..");
/** The CLI entry point. */
export const CLI: string = path.join(ROOT, "cli.ts");
/** The project's configuration (import map and lock). */
export const CONFIG: string = path.join(ROOT, "deno.json");

/** A real interpreter found on this machine for tests. */
export interface TestPython {
  /** A label such as `pyenv 3.12.1` or `debian 3.11`. */
  readonly label: string;
  /** Absolute path of the executable. */
  readonly exe: string;
  /** `major.minor`. */
  readonly minor: string;
}

function isExecutable(file: string): boolean {
  try {
    const s = Deno.statSync(file);
    return s.isFile && ((s.mode ?? 0o111) & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** The Deno cache of the process running the tests. */
export const DENO_DIR: string = Deno.env.get("DENO_DIR") ??
  path.join(Deno.env.get("XDG_CACHE_HOME") ?? path.join(Deno.env.get("HOME") ?? "/root", ".cache"), "deno");

/** pyenv's root on this machine. */
export const PYENV_ROOT: string = Deno.env.get("PYENV_ROOT") ?? path.join(Deno.env.get("HOME") ?? "/root", ".pyenv");

/** Every CPython 3.6+ under pyenv, plus Debian's /usr/bin/python3, that exists here. */
export function realPythons(): TestPython[] {
  const found: TestPython[] = [];
  let versions: string[] = [];
  try {
    versions = [...Deno.readDirSync(path.join(PYENV_ROOT, "versions"))].map((e) => e.name);
  } catch { /* no pyenv */ }
  for (const v of versions.sort()) {
    const m = /^3\.(\d+)\.\d+$/.exec(v);
    if (!m || Number(m[1]) < 6) continue;
    const exe = path.join(PYENV_ROOT, "versions", v, "bin", `python3.${m[1]}`);
    if (isExecutable(exe)) found.push({ label: `pyenv ${v}`, exe, minor: `3.${m[1]}` });
  }
  if (isExecutable("/usr/bin/python3")) {
    const real = Deno.realPathSync("/usr/bin/python3");
    const m = /python(3\.\d+)$/.exec(real);
    if (m) found.push({ label: `debian ${m[1]}`, exe: "/usr/bin/python3", minor: m[1]! });
  }
  return found;
}

/** The pyenv interpreter for a minor version (e.g. "3.12"), if installed. */
export function pyenvPython(minor: string): string | undefined {
  return realPythons().find((p) => p.label.startsWith("pyenv") && p.minor === minor)?.exe;
}

/**
 * The environment tests run Python and mkvenv with: this machine's shell exports PYTHONDONTWRITEBYTECODE and PIP_*
 * that users' shells lack, so tests pass only what they mean.
 */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYENV_ROOT"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  // Deno's own cache (where the npm dependency lives) stays the runner's when a test moves HOME.
  env["DENO_DIR"] = DENO_DIR;
  return { ...env, ...extra };
}

/** A temporary folder removed by the returned disposer. */
export async function tempDir(prefix = "mkvenv_test_"): Promise<{ path: string } & AsyncDisposable> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix }));
  return {
    path: dir,
    async [Symbol.asyncDispose]() {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** Output of a finished process. */
export interface RunResult {
  /** Exit code. */
  readonly code: number;
  /** Standard output. */
  readonly stdout: string;
  /** Standard error. */
  readonly stderr: string;
}

/** Runs a command to completion, capturing output. */
export async function run(
  cmd: string,
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<RunResult> {
  const out = await new Deno.Command(cmd, {
    args: [...args],
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    env: options.env ?? cleanEnv(),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/**
 * Runs the mkvenv CLI as a real process (`deno run -A cli.ts ...`). Creator and discovery tests get `--no-seed`
 * appended, so they check what they are about in a fraction of the time; seeding tests pass `seed: true`, and get
 * `--no-periodic-update` unless they pass `periodicUpdate: true` (no background processes outliving a test).
 */
export function mkvenv(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string>; seed?: boolean; periodicUpdate?: boolean } = {},
): Promise<RunResult> {
  const informational = args.some((a) =>
    a === "--list-pythons" || a === "--help" || a === "--version" || a === "--upgrade-embed-wheels"
  );
  const extra = informational
    ? []
    : !options.seed
    ? ["--no-seed"]
    : options.periodicUpdate
    ? []
    : ["--no-periodic-update"];
  // Tests run from other folders: the project's own deno.json, never one found there.
  return run(Deno.execPath(), ["run", "-A", "--config", CONFIG, CLI, ...args, ...extra], options);
}

/** Runs Python code with an interpreter and returns its stdout parsed as JSON. */
export async function pythonJson(exe: string, code: string, cwd?: string): Promise<unknown> {
  const r = await run(exe, ["-c", code], { cwd: cwd ?? "/" });
  if (r.code !== 0) throw new Error(`${exe} failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** Logs why a test is skipped and returns true when `condition` holds (use as `ignore:`). */
export function skipIf(condition: boolean, why: string): boolean {
  if (condition) console.log(`skipped: ${why}`);
  return condition;
}

/**
 * Waits until no install image under `appData` is being byte-compiled in the background (the run that builds an
 * image starts that), so a snapshot of the folder sees what later runs see.
 */
export async function imagesSettled(appData: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const busy = (): boolean => {
    const images = path.join(appData, "mkvenv-v1", "images");
    try {
      for (const minor of Deno.readDirSync(images)) {
        for (const image of Deno.readDirSync(path.join(images, minor.name))) {
          if (!image.isDirectory) continue;
          for (const e of Deno.readDirSync(path.join(images, minor.name, image.name))) {
            if (e.name.startsWith("compiling.")) return true;
          }
        }
      }
    } catch { /* no images (yet) */ }
    return false;
  };
  while (busy()) {
    if (Date.now() > deadline) throw new Error(`images under ${appData} are still being compiled`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
