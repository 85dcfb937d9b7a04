/**
 * `runCli`: the whole command line, from argv to an exit code. Prints to stdout (reports) and stderr (errors,
 * debug output); never exits the process itself, so it can run inside tests and other programs.
 *
 * @module
 */
import { createVenv, describeVenv, discoveryContext } from "./create.ts";
import { findPython, listPythons } from "./discovery/find.ts";
import { specString } from "./discovery/py_info.ts";
import { selectCreator } from "./creator/registry.ts";
import { hostPlatform } from "./platform.ts";
import {
  appDataError,
  appDataRoot,
  codeCacheWanted,
  defaultAppDataDir,
  type EnvLookup,
  requireReadOnlyAppData,
} from "./app_data.ts";
import { onSlowWork, sleep } from "./deadline.ts";
import { EXIT_FAILURE, EXIT_USAGE, MkvenvError, usageError } from "./errors.ts";
import { helpText, parseCommandLine, USAGE } from "./options.ts";
import { renderPlan } from "./plan/render.ts";
import { colorAllowed, labelled, listedJson, renderList, renderReport, reportJson } from "./report.ts";
import {
  configFileEpilog,
  configOrigin,
  describeSource,
  formatValue,
  type ResolvedOptions,
  resolveOptions,
} from "./config/resolve.ts";
import { timeoutFrom, upgradeEmbedWheels } from "./seeder/periodic_update.ts";
import { checkSeedOptions } from "./seeder/seeder.ts";
import { MKVENV_VERSION } from "./version.ts";
import { type ProgressLines, progressLines } from "./seeder/progress.ts";

/** Where {@linkcode runCli} writes; defaults to the process's stdout and stderr. */
export interface CliIo {
  /** Receives normal output. */
  readonly stdout: (text: string) => void;
  /** Receives errors and diagnostics. */
  readonly stderr: (text: string) => void;
}

const encoder = new TextEncoder();

/**
 * Milliseconds from the process's start until this module ran: mostly loading the modules, about 4 here when V8 read
 * them from Deno's code cache and 15 to 30 when it had to compile them.
 */
const MODULES_LOADED_MS = performance.now();
/** The app-data folder of this process's last successful run, for {@linkcode endProcess}. */
let lastRun: { readonly root: string; readonly readOnly: boolean } | undefined;

/**
 * Ends the process with `code`, the exit code of {@linkcode runCli}, for a process that ran nothing else. Deno writes
 * the code cache of the modules it compiled only while its event loop runs, and a warm run never gives it a turn. So
 * the process exits at once, unless `codeCacheWanted` (`app_data.ts`) finds that its modules were compiled, on the
 * build's first run or after its cache was deleted: then it ends on its own, once Deno has written the cache, so
 * that later runs read it instead of compiling again (0.7 ms slower than exiting at once).
 *
 * @param code The exit code.
 */
export function endProcess(code: number): void {
  // Each form loads its own number of modules, so each has its own measure: the compiled binary, the bundle (one
  // file, where this module's URL is the bundle's), the sources (here or on JSR).
  const form = Deno.build.standalone ? "binary" : import.meta.url.endsWith("/run_cli.ts") ? "source" : "bundle";
  const build = `${MKVENV_VERSION}+deno${Deno.version.deno}-${form}`;
  const wanted = lastRun !== undefined && !lastRun.readOnly && codeCacheWanted(lastRun.root, build, MODULES_LOADED_MS);
  if (wanted) Deno.exitCode = code;
  else Deno.exit(code);
}

function writeAll(write: (b: Uint8Array) => number, text: string): void {
  const bytes = encoder.encode(text);
  for (let off = 0; off < bytes.length;) off += write(bytes.subarray(off));
}

const defaultIo: CliIo = {
  stdout: (text) => writeAll((b) => Deno.stdout.writeSync(b), text),
  stderr: (text) => writeAll((b) => Deno.stderr.writeSync(b), text),
};

/** Options for {@linkcode runCli}, for embedding and tests. */
export interface RunCliOptions {
  /** Output sinks. @default {the process's stdout and stderr} */
  readonly io?: CliIo | undefined;
  /** Folder relative paths start from. @default {Deno.cwd()} */
  readonly cwd?: string | undefined;
  /** Environment variables to use instead of the process's (also for `VIRTUALENV_*` options and `NO_COLOR`). */
  readonly env?: Readonly<Record<string, string>> | undefined;
  /**
   * Colour the `error:`, `warning:` and `hint:` labels.
   * @default {true when writing to the process's stderr, it is a terminal, and NO_COLOR is unset or empty}
   */
  readonly color?: boolean | undefined;
  /**
   * The run is all the process does, as in mkvenv's own executable: see `ownsProcess` of `createVenv`'s options.
   * @default {false}
   */
  readonly ownsProcess?: boolean | undefined;
}

/**
 * An abort signal for Ctrl-C (SIGINT) and SIGTERM, whose listeners are set up only once slow work is ahead
 * ({@linkcode onSlowWork}): a warm run is over in a few milliseconds, and setting them up costs one. The first signal
 * aborts the run (exit code 130 or 143, as a shell reports a process the signal ended) and removes the listeners, so a
 * second one ends the process at once. Disposing of it removes the listeners and the hook.
 */
function interruptible(): { readonly signal: AbortSignal } & Disposable {
  const controller = new AbortController();
  const listening: [Deno.Signal, () => void][] = [];
  const stop = (): void => {
    for (const [signal, listener] of listening.splice(0)) Deno.removeSignalListener(signal, listener);
  };
  onSlowWork(() => {
    for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
      const listener = (): void => {
        stop();
        controller.abort(
          new MkvenvError(`Interrupted by ${signal}`, {
            exitCode: code,
            hint: "a destination this run created was removed again; one that was there before may be half " +
              "updated: run mkvenv again to finish it",
          }),
        );
      };
      try {
        Deno.addSignalListener(signal, listener);
        listening.push([signal, listener]);
      } catch { /* not a signal of this system (SIGTERM on Windows) */ }
    }
  });
  return {
    signal: controller.signal,
    [Symbol.dispose]: () => {
      onSlowWork(undefined);
      stop();
    },
  };
}

/** Which creator `builtin` means for the interpreter `-p` (or the default) finds, as virtualenv's help shows. */
async function builtinNote(common: CommonOptions): Promise<string> {
  try {
    const python = await findPython(common.python, discoveryContext(common));
    const creator = selectCreator("builtin", python.info, hostPlatform());
    return `builtin is ${creator.name} for ${specString(python.info)} (${python.path})`;
  } catch (e) {
    if (e instanceof MkvenvError) return `no interpreter found for builtin to choose for: ${e.message}`;
    throw e;
  }
}

/** `--upgrade-embed-wheels`: one line per package and Python, saying which wheel is now used. */
async function upgradeWheels(
  root: string,
  lookup: EnvLookup,
  io: CliIo,
  warn: (message: string) => void,
): Promise<number> {
  const platform = hostPlatform();
  const outcomes = await upgradeEmbedWheels(root, ["pip", "setuptools"], {
    now: () => new Date(),
    env: lookup,
    platform,
    timeoutMs: timeoutFrom(lookup),
    warn,
  }).catch((e) => {
    throw appDataError(e, root) ?? e;
  });
  for (const { project, python, added } of outcomes) {
    const target = `${project} for Python ${python.major}.${python.minor}`;
    io.stdout(added ? `upgraded ${target}: ${added}\n` : `${target}: no newer release\n`);
  }
  return 0;
}

/** JSON replacer: file contents given as bytes (Windows `.exe` scripts) show as their size, not a byte map. */
function binaryAsSize(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? `<${value.length} bytes>` : value;
}

/** What the command line and the config say about the interpreter and app-data, shared by every mode. */
interface CommonOptions {
  readonly python: string[];
  readonly tryFirstWith: string[];
  readonly appData: string | undefined;
  readonly readOnlyAppData: boolean;
  readonly cwd: string | undefined;
  readonly env: Readonly<Record<string, string>> | undefined;
  readonly debug: ((message: string) => void) | undefined;
}

/** Output settings, fixed once the options are known. */
interface Output {
  readonly io: CliIo;
  readonly color: boolean;
  /** Print stack traces (`--with-traceback`). */
  traceback: boolean;
  /** Download progress lines, for the process's own terminal. */
  readonly progress: ProgressLines | undefined;
}

/**
 * The verbosity: 0 normal, negative quieter, positive louder. `VIRTUALENV_VERBOSE` (or `verbose` in the config file)
 * holds virtualenv's level, where 2 is the default, so it counts from 2; `-v` and `VIRTUALENV_QUIET` count from 0.
 */
function verbosityOf(resolved: ResolvedOptions): number {
  const verbose = resolved.sources["verbose"];
  const quiet = (resolved.values["quiet"] as number | undefined) ?? 0;
  if (!verbose) return -quiet;
  return (verbose.value as number) - (verbose.source === "cli" ? 0 : 2) - quiet;
}

function errorOutput(error: unknown, out: Output): string {
  const usage = error instanceof MkvenvError && error.exitCode === EXIT_USAGE ? `${USAGE}\n` : "";
  // Deno's permission refusals name the flag to grant; mkvenv's own program has them all (-A).
  const hint = error instanceof MkvenvError
    ? error.hint
    : error instanceof Deno.errors.NotCapable
    ? "mkvenv needs Deno's permissions to read, write, run programs and read the environment: run it with -A"
    : undefined;
  let text = usage;
  if (out.traceback) {
    // As virtualenv re-raises: the stack, then each cause's.
    let stack = error instanceof Error ? error.stack ?? `${error.name}: ${error.message}` : String(error);
    for (let cause = error instanceof Error ? error.cause : undefined; cause !== undefined;) {
      stack += `\nCaused by: ${cause instanceof Error ? cause.stack ?? cause.message : String(cause)}`;
      cause = cause instanceof Error ? cause.cause : undefined;
    }
    text += labelled("error", stack, out.color);
  } else if (error instanceof MkvenvError) text += labelled("error", error.message, out.color);
  else {
    const name = error instanceof Error ? error.name : "Error";
    text += labelled("error", `${name}: ${error instanceof Error ? error.message : String(error)}`, out.color);
  }
  if (hint) text += labelled("hint", hint, out.color);
  else if (!(error instanceof MkvenvError) && !out.traceback) {
    text += labelled("hint", "run again with --with-traceback to see where it happened", out.color);
  }
  return text;
}

/**
 * Runs mkvenv with `argv` (without the program name) and returns the exit code: 0 on success, 1 on failure, 2 on a
 * usage mistake. A failure prints `error: ...` (and `hint: ...`) on stderr without a stack trace, unless
 * `--with-traceback` asks for one. Options not given in `argv` come from `VIRTUALENV_<NAME>` environment variables,
 * then `virtualenv.ini`, as virtualenv reads them.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { runCli } from "@mkvenv/mkvenv";
 * let out = "";
 * const code = await runCli(["--version"], { io: { stdout: (t) => out += t, stderr: () => {} } });
 * assert(code === 0 && out.startsWith("mkvenv "));
 * ```
 */
export async function runCli(argv: readonly string[], options: RunCliOptions = {}): Promise<number> {
  const terminal = options.io ?? defaultIo;
  const record = options.env;
  const lookup: EnvLookup = record ? (name) => record[name] : (name) => Deno.env.get(name);
  // A download's progress line is ended by whatever is printed next: a warning, an error, the report.
  const progress = options.io === undefined ? progressLines(terminal.stderr) : undefined;
  const io: CliIo = progress
    ? {
      stdout: (text) => {
        progress.end();
        terminal.stdout(text);
      },
      stderr: (text) => {
        progress.end();
        terminal.stderr(text);
      },
    }
    : terminal;
  const out: Output = {
    io,
    color: options.color ?? (options.io === undefined && colorAllowed(Deno.stderr.isTerminal(), lookup)),
    traceback: false,
    progress,
  };
  try {
    return await run(argv, out, options, lookup);
  } catch (e) {
    io.stderr(errorOutput(e, out));
    if (e instanceof MkvenvError) return e.exitCode;
    return EXIT_FAILURE;
  }
}

function readTextFile(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

async function run(argv: readonly string[], out: Output, options: RunCliOptions, lookup: EnvLookup): Promise<number> {
  const { io } = out;
  const platform = hostPlatform();
  const cwd = options.cwd ?? Deno.cwd();
  const resolved = resolveOptions(parseCommandLine(argv), { env: lookup, os: platform.os, cwd, readTextFile });
  const { values, positionals, sources } = resolved;
  out.traceback = values["with-traceback"] === true;
  const verbosity = verbosityOf(resolved);
  const warn = (message: string): void => {
    if (verbosity >= -1) io.stderr(labelled("warning", message, out.color));
  };
  const debug = verbosity >= 1 ? (message: string) => io.stderr(labelled("debug", message, out.color)) : undefined;
  for (const warning of resolved.warnings) warn(warning);
  const common: CommonOptions = {
    python: (values["python"] as string[] | undefined) ?? [],
    tryFirstWith: (values["try-first-with"] as string[] | undefined) ?? [],
    appData: values["app-data"] as string | undefined,
    readOnlyAppData: values["read-only-app-data"] === true,
    cwd: options.cwd,
    env: options.env,
    debug,
  };
  if (values["help"]) {
    const fromConfig = Object.fromEntries(Object.entries(sources).filter(([, s]) => s.source !== "cli"));
    io.stdout(helpText({
      notes: { creator: await builtinNote(common) },
      fromConfig,
      epilog: configFileEpilog(resolved.configFile),
    }));
    return 0;
  }
  if (values["version"]) {
    io.stdout(`mkvenv ${MKVENV_VERSION}\n`);
    return 0;
  }
  debug?.(configFileEpilog(resolved.configFile));
  for (const [name, sourced] of Object.entries(sources)) {
    if (sourced.source !== "cli") debug?.(`--${name} ${formatValue(sourced.value)} from ${describeSource(sourced)}`);
  }
  const discovery = values["discovery"] as string | undefined;
  if (discovery !== undefined && discovery !== "builtin") {
    throw usageError(`Unknown discovery "${discovery}"${configOrigin("discovery", sources)}`, "choose builtin");
  }
  if (values["wheel"] !== undefined || values["no-wheel"] === true) {
    warn(
      "DEPRECATION: the --wheel and --no-wheel options do nothing; virtualenv no longer bundles wheel. " +
        "They will be removed in a release after 2026-12. Stop passing them.",
    );
  }
  const appDataDir = platform.path.resolve(cwd, common.appData ?? defaultAppDataDir(platform.os, lookup));
  const root = appDataRoot(appDataDir);
  if (common.readOnlyAppData) {
    for (const name of ["reset-app-data", "upgrade-embed-wheels", "download"]) {
      if (values[name] === true) {
        throw usageError(
          `--${name}${configOrigin(name, sources)} needs to write to the app-data folder, which --read-only-app-data` +
            `${configOrigin("read-only-app-data", sources)} forbids`,
        );
      }
    }
    requireReadOnlyAppData(appDataDir);
  }
  const listing = values["list-pythons"] === true;
  const upgrading = values["upgrade-embed-wheels"] === true;
  if (values["reset-app-data"] === true) {
    // A background byte-compile may still be adding files to an image: retry a removal that raced with it.
    for (let attempt = 1;; attempt++) {
      try {
        await Deno.remove(root, { recursive: true });
        break;
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) break;
        if (attempt === 5) throw e;
        await sleep(100 * attempt);
      }
    }
    debug?.(`removed ${root}`);
    if (!positionals.length && !listing && !upgrading) {
      if (verbosity >= 0) io.stdout(`reset app data: removed ${root}\n`);
      return 0;
    }
  }
  const json = values["json"] === true;
  if (listing) {
    if (positionals.length) throw usageError("--list-pythons takes no destination");
    const pythons = await listPythons(common.python, discoveryContext(common));
    io.stdout(json ? JSON.stringify({ pythons: pythons.map(listedJson) }, null, 2) + "\n" : renderList(pythons));
    return 0;
  }
  if (upgrading) {
    if (positionals.length) throw usageError("--upgrade-embed-wheels takes no destination");
    if (values["no-download"] === true) {
      throw usageError(
        `--upgrade-embed-wheels asks the package index, which --no-download${configOrigin("no-download", sources)} ` +
          "forbids",
      );
    }
    return await upgradeWheels(root, lookup, io, warn);
  }
  if (positionals.length !== 1) {
    throw usageError(
      positionals.length
        ? `Expected one destination, got ${positionals.length}: ${positionals.join(" ")}`
        : "DEST is required",
      "pass the folder to create, e.g. mkvenv .venv",
    );
  }
  // mkvenv's own executable: Ctrl-C and SIGTERM abort the run, which removes a destination it created.
  using interrupt = options.ownsProcess ? interruptible() : undefined;
  const createOptions = {
    ...common,
    dest: positionals[0]!,
    clear: values["clear"] === true,
    force: values["force"] === true,
    noVcsIgnore: values["no-vcs-ignore"] === true,
    systemSitePackages: values["system-site-packages"] === true,
    copies: values["copies"] === true,
    symlinks: values["symlinks"] === true ? true : undefined,
    venvRedirect: values["venv-redirect"] ? true : values["no-venv-redirect"] ? false : undefined,
    noSeed: values["no-seed"] === true,
    seeder: values["seeder"] as string | undefined,
    pip: values["pip"] as string | undefined,
    setuptools: values["setuptools"] as string | undefined,
    noPip: values["no-pip"] === true,
    noSetuptools: values["no-setuptools"] === true,
    extraSearchDir: (values["extra-search-dir"] as string[] | undefined) ?? [],
    download: values["download"] ? true : values["no-download"] || common.readOnlyAppData ? false : undefined,
    // As virtualenv: a value from the environment or the config file only concerns the seeder that has the option.
    symlinkAppData: values["symlink-app-data"] === true &&
      (sources["symlink-app-data"]?.source === "cli" || (values["seeder"] ?? "app-data") === "app-data"),
    noPeriodicUpdate: values["no-periodic-update"] === true || common.readOnlyAppData,
    progress: out.progress && Deno.stderr.isTerminal() && verbosity >= 0 ? out.progress.report : undefined,
    prompt: values["prompt"] as string | undefined,
    creator: values["creator"] as string | undefined,
    activators: values["activators"] === undefined ? undefined : [values["activators"] as string],
    ownsProcess: options.ownsProcess,
    signal: interrupt?.signal,
  };
  // The library checks these too; here a mistake also names the variable or config key it came from.
  checkSeedOptions(createOptions, (name) => configOrigin(name, sources));
  if (values["dry-run"]) {
    const description = await describeVenv(createOptions);
    io.stdout(
      json ? JSON.stringify({ plan: description.plan }, binaryAsSize, 2) + "\n" : renderPlan(description.plan) + "\n",
    );
    return 0;
  }
  const result = await createVenv(createOptions);
  for (const warning of result.warnings) warn(warning);
  debug?.(`.venv redirect: ${result.venvRedirect}`);
  if (verbosity >= 2) {
    for (const line of renderPlan(result.plan).split("\n")) debug?.(`plan: ${line}`);
    const phases = Object.entries(result.timings ?? {}).map(([phase, ms]) => `${phase} ${ms.toFixed(1)} ms`);
    debug?.(`timings: ${[...phases, `total ${result.durationMs.toFixed(1)} ms`].join(", ")}`);
  }
  if (json) io.stdout(JSON.stringify(reportJson(result), null, 2) + "\n");
  else if (verbosity >= 0) {
    // As virtualenv's report: the extra search folders that exist, resolved.
    const extraSearchDir = createOptions.extraSearchDir.flatMap((d) => {
      try {
        return [Deno.realPathSync(platform.path.resolve(cwd, d))];
      } catch {
        return [];
      }
    });
    io.stdout(renderReport(result, { ...createOptions, extraSearchDir, appDataDir }));
  }
  lastRun = { root, readOnly: common.readOnlyAppData };
  return 0;
}
