/**
 * Golden-file tests of the command line, in the style of Deno's spec tests: each folder under `tests/specs/` is one
 * scenario. Its `__test__.jsonc` says how to run mkvenv, and `stdout.out` / `stderr.out` hold the expected output
 * (a missing file means no output at all).
 *
 * `__test__.jsonc` fields (all optional but `args`):
 * - `args`: the arguments; `env`: extra environment variables (over a clean environment whose HOME is the
 *   scenario's temporary folder, so the default `virtualenv.ini` is missing unless a scenario writes one);
 * - `files`: files to write below the temporary folder first (path → content); `links`: symbolic links to make
 *   (path → target);
 * - `seed`: seed pip (otherwise `--no-seed` is appended, see `mkvenv()` in `tests/_helpers.ts`);
 * - `exitCode` (default 0); `exists` / `missing`: paths below the temporary folder checked afterwards;
 * - `requires`: `"python3.12"` skips the scenario where pyenv's CPython 3.12 is not installed.
 *
 * Placeholders in inputs and expected output: `[TMP]` the temporary folder, `[PYTHON]` pyenv's CPython 3.12,
 * `[PYVERSION]` its version (`3.12.1`), `[ARCH]` the machine (`x86_64`), `[VERSION]` mkvenv's version. Expected output
 * may also hold `[WILDCARD]` (any text, across lines) and `[WILDLINE]` (any text up to the end of the line).
 *
 * The scenarios run as real processes, several at a time; each test awaits its own. `MKVENV_SPECS_BLESS=1` writes
 * the output of failing scenarios into their `.out` files (review them, and put wildcards where output varies).
 */
import assert from "node:assert/strict";
import path from "node:path";
import { cleanEnv, mkvenv, pyenvPython, type RunResult, skipIf, tempDir } from "../_helpers.ts";
import { MKVENV_VERSION } from "../../lib/version.ts";

const SPECS = path.resolve(import.meta.dirname!, "..", "specs");
const PY312 = pyenvPython("3.12");
/** `MKVENV_SPECS_BLESS=1`: write the output of scenarios that do not match into their `.out` files, for review. */
const BLESS = Deno.env.get("MKVENV_SPECS_BLESS") === "1";
/** How many scenarios run at once. */
const CONCURRENCY = 4;

interface Scenario {
  readonly args: string[];
  readonly env?: Record<string, string>;
  readonly files?: Record<string, string>;
  readonly links?: Record<string, string>;
  readonly seed?: boolean;
  readonly exitCode?: number;
  readonly exists?: string[];
  readonly missing?: string[];
  readonly requires?: "python3.12";
}

/** JSON with `//` comment lines. */
function parseJsonc(text: string): unknown {
  return JSON.parse(text.split("\n").filter((line) => !/^\s*\/\//.test(line)).join("\n"));
}

async function readOptional(file: string): Promise<string> {
  try {
    return await Deno.readTextFile(file);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return "";
    throw e;
  }
}

/** Every placeholder of inputs and outputs, for one temporary folder. */
function placeholders(tmp: string): Record<string, string> {
  return {
    TMP: tmp,
    PYTHON: PY312 ?? "/missing/python3.12",
    PYVERSION: /versions\/(3\.12\.\d+)\//.exec(PY312 ?? "")?.[1] ?? "3.12.0",
    ARCH: Deno.build.arch,
    VERSION: MKVENV_VERSION,
  };
}

function substitute(text: string, values: Record<string, string>): string {
  return text.replace(/\[(TMP|PYTHON|PYVERSION|ARCH|VERSION)\]/g, (_, name: string) => values[name]!);
}

/** Whether `actual` matches `expected` with its placeholders and wildcards. */
function matches(expected: string, actual: string, values: Record<string, string>): boolean {
  const pattern = expected.split(/(\[WILDCARD\]|\[WILDLINE\])/).map((part) =>
    part === "[WILDCARD]" ? "[\\s\\S]*?" : part === "[WILDLINE]" ? "[^\\n]*" : RegExp.escape(substitute(part, values))
  ).join("");
  return new RegExp(`^${pattern}$`).test(actual);
}

/** `actual` with the temporary folder and the interpreter written as placeholders, for a readable diff. */
function normalized(actual: string, values: Record<string, string>): string {
  return actual.replaceAll(values.TMP!, "[TMP]").replaceAll(values.PYTHON!, "[PYTHON]");
}

interface Outcome {
  readonly result: RunResult;
  readonly checks: { exists: [string, boolean][]; missing: [string, boolean][] };
  readonly values: Record<string, string>;
}

async function exists(file: string): Promise<boolean> {
  try {
    await Deno.lstat(file);
    return true;
  } catch {
    return false;
  }
}

/** A shared cache folder: interpreters are interrogated and seed images built once for all scenarios. */
const sharedCache = await Deno.makeTempDir({ prefix: "mkvenv_specs_cache_" });

async function runScenario(scenario: Scenario): Promise<Outcome> {
  await using tmp = await tempDir("mkvenv_spec_");
  const values = placeholders(tmp.path);
  for (const [file, content] of Object.entries(scenario.files ?? {})) {
    const target = path.join(tmp.path, file);
    await Deno.mkdir(path.dirname(target), { recursive: true });
    await Deno.writeTextFile(target, substitute(content, values));
  }
  for (const [link, target] of Object.entries(scenario.links ?? {})) {
    await Deno.symlink(substitute(target, values), path.join(tmp.path, link));
  }
  const env = Object.fromEntries(Object.entries(scenario.env ?? {}).map(([k, v]) => [k, substitute(v, values)]));
  const result = await mkvenv(scenario.args.map((a) => substitute(a, values)), {
    cwd: tmp.path,
    env: cleanEnv({ HOME: tmp.path, XDG_CACHE_HOME: sharedCache, ...env }),
    seed: scenario.seed === true,
  });
  const check = (files: string[] = []) =>
    Promise.all(files.map(async (f): Promise<[string, boolean]> => [f, await exists(path.join(tmp.path, f))]));
  return { result, checks: { exists: await check(scenario.exists), missing: await check(scenario.missing) }, values };
}

/** Runs `task`s at most {@linkcode CONCURRENCY} at a time, each starting when asked for. */
function limiter(): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= CONCURRENCY) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

const limit = limiter();
const names = [...Deno.readDirSync(SPECS)].filter((e) => e.isDirectory).map((e) => e.name).sort();
const scenarios = await Promise.all(names.map(async (name) => {
  const dir = path.join(SPECS, name);
  const scenario = parseJsonc(await Deno.readTextFile(path.join(dir, "__test__.jsonc"))) as Scenario;
  const ignore = scenario.requires === "python3.12" && !PY312;
  return {
    name,
    scenario,
    ignore,
    stdout: await readOptional(path.join(dir, "stdout.out")),
    stderr: await readOptional(path.join(dir, "stderr.out")),
    // Started now, so scenarios overlap; each test below awaits its own.
    outcome: ignore ? undefined : limit(() => runScenario(scenario)).catch((e: unknown) => e as Error),
  };
}));

let remaining = scenarios.filter((s) => !s.ignore).length;

for (const { name, scenario, ignore, stdout, stderr, outcome } of scenarios) {
  Deno.test({
    name: `spec: ${name}`,
    ignore: skipIf(ignore, `${name}: pyenv CPython 3.12 not installed`),
    // The processes were started before this test; the sanitizers would count them against it.
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      try {
        const got = await outcome!;
        if (got instanceof Error) throw got;
        const { result, checks, values } = got;
        const context = `exit code ${result.code}\n--- stdout\n${result.stdout}--- stderr\n${result.stderr}`;
        for (const [stream, expected] of [["stdout", stdout], ["stderr", stderr]] as const) {
          if (!matches(expected, result[stream], values) && BLESS) {
            // Writes what ran, placeholders for the folder and interpreter; wildcards are for a human to add.
            const file = path.join(SPECS, name, `${stream}.out`);
            const text = normalized(result[stream], values);
            if (text) await Deno.writeTextFile(file, text);
            else await Deno.remove(file).catch(() => {});
          } else if (!matches(expected, result[stream], values)) {
            assert.equal(normalized(result[stream], values), expected, `${stream} differs (${context})`);
            assert.fail(`${stream} does not match its wildcards:\n${expected}\n(${context})`);
          }
        }
        assert.equal(result.code, scenario.exitCode ?? 0, context);
        for (const [file, present] of checks.exists) assert.ok(present, `${file} should exist`);
        for (const [file, present] of checks.missing) assert.ok(!present, `${file} should not exist`);
      } finally {
        if (--remaining === 0) await Deno.remove(sharedCache, { recursive: true }).catch(() => {});
      }
    },
  });
}
if (scenarios.every((s) => s.ignore)) await Deno.remove(sharedCache, { recursive: true }).catch(() => {});
