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
import { appDataRoot, defaultAppDataDir } from "./app_data.ts";
import { EXIT_USAGE, MkvenvError, usageError } from "./errors.ts";
import { helpText, parseCommandLine, USAGE } from "./options.ts";
import { renderPlan } from "./plan/render.ts";
import { listedJson, renderList, renderReport, reportJson } from "./report.ts";
import { MKVENV_VERSION } from "./version.ts";

/** Where {@linkcode runCli} writes; defaults to the process's stdout and stderr. */
export interface CliIo {
  /** Receives normal output. */
  readonly stdout: (text: string) => void;
  /** Receives errors and diagnostics. */
  readonly stderr: (text: string) => void;
}

const encoder = new TextEncoder();

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
  /** Environment variables to use instead of the process's. */
  readonly env?: Readonly<Record<string, string>> | undefined;
}

/** Which creator `builtin` means for the interpreter `-p` (or the default) finds, as virtualenv's help shows. */
async function builtinNote(
  values: Readonly<Record<string, unknown>>,
  options: RunCliOptions,
): Promise<string> {
  const specs = (values["python"] as string[] | undefined) ?? [];
  try {
    const context = discoveryContext({ cwd: options.cwd, env: options.env, appData: values["app-data"] as string });
    const python = await findPython(specs, context);
    const creator = selectCreator("builtin", python.info, hostPlatform());
    return `builtin is ${creator.name} for ${specString(python.info)} (${python.path})`;
  } catch (e) {
    if (e instanceof MkvenvError) return `no interpreter found for builtin to choose for: ${e.message}`;
    throw e;
  }
}

/** Download progress on one terminal line, at most ten updates a second. */
function progressLine(io: CliIo): (name: string, received: number, total: number | undefined) => void {
  let last = 0;
  return (name, received, total) => {
    const now = performance.now();
    const done = total !== undefined && received >= total;
    if (!done && now - last < 100) return;
    last = now;
    const mb = (n: number): string => (n / 1e6).toFixed(1);
    io.stderr(`\rdownloading ${name}: ${mb(received)}${total ? `/${mb(total)}` : ""} MB${done ? "\n" : ""}`);
  };
}

/** `--upgrade-embed-wheels`: one line per package and Python, saying which wheel is now used. */
async function upgradeWheels(
  common: { appData: string | undefined; cwd: string | undefined; env: Readonly<Record<string, string>> | undefined },
  io: CliIo,
): Promise<number> {
  const { upgradeEmbedWheels, timeoutFrom } = await import("./seeder/periodic_update.ts");
  const platform = hostPlatform();
  const lookup = common.env ? (name: string) => common.env![name] : (name: string) => Deno.env.get(name);
  const cwd = common.cwd ?? Deno.cwd();
  const root = appDataRoot(platform.path.resolve(cwd, common.appData ?? defaultAppDataDir(platform.os, lookup)));
  const outcomes = await upgradeEmbedWheels(root, ["pip", "setuptools"], {
    now: () => new Date(),
    env: lookup,
    platform,
    timeoutMs: timeoutFrom(lookup),
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

function formatError(error: MkvenvError): string {
  const usage = error.exitCode === EXIT_USAGE ? `${USAGE}\n` : "";
  return `${usage}error: ${error.message}\n${error.hint ? `hint: ${error.hint}\n` : ""}`;
}

/**
 * Runs mkvenv with `argv` (without the program name) and returns the exit code: 0 on success, 1 on failure, 2 on a
 * usage mistake. Errors a user can cause print `error: ...` without a stack trace.
 *
 * @example Usage
 * ```ts
 * import { runCli } from "@mkvenv/mkvenv";
 * let out = "";
 * const code = await runCli(["--version"], { io: { stdout: (t) => out += t, stderr: () => {} } });
 * console.assert(code === 0 && out.startsWith("mkvenv "));
 * ```
 */
export async function runCli(argv: readonly string[], options: RunCliOptions = {}): Promise<number> {
  const io = options.io ?? defaultIo;
  try {
    return await run(argv, io, options);
  } catch (e) {
    if (e instanceof MkvenvError) {
      io.stderr(formatError(e));
      return e.exitCode;
    }
    throw e;
  }
}

async function run(argv: readonly string[], io: CliIo, options: RunCliOptions): Promise<number> {
  const { values, positionals } = parseCommandLine(argv);
  if (values["help"]) {
    io.stdout(helpText({ creator: await builtinNote(values, options) }));
    return 0;
  }
  if (values["version"]) {
    io.stdout(`mkvenv ${MKVENV_VERSION}\n`);
    return 0;
  }
  const verbosity = ((values["verbose"] as number) ?? 0) - ((values["quiet"] as number) ?? 0);
  const debug = verbosity >= 1 ? (message: string) => io.stderr(`debug: ${message}\n`) : undefined;
  const json = values["json"] === true;
  const common = {
    python: (values["python"] as string[]) ?? [],
    tryFirstWith: (values["try-first-with"] as string[]) ?? [],
    appData: values["app-data"] as string | undefined,
    cwd: options.cwd,
    env: options.env,
    debug,
  };
  if (values["list-pythons"]) {
    if (positionals.length) throw usageError("--list-pythons takes no destination");
    const pythons = await listPythons(common.python, discoveryContext(common));
    io.stdout(json ? JSON.stringify({ pythons: pythons.map(listedJson) }, null, 2) + "\n" : renderList(pythons));
    return 0;
  }
  if (values["upgrade-embed-wheels"]) {
    if (positionals.length) throw usageError("--upgrade-embed-wheels takes no destination");
    return await upgradeWheels(common, io);
  }
  if (positionals.length !== 1) {
    throw usageError(
      positionals.length
        ? `Expected one destination, got ${positionals.length}: ${positionals.join(" ")}`
        : "DEST is required",
      "pass the folder to create, e.g. mkvenv .venv",
    );
  }
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
    download: values["download"] ? true : values["no-download"] ? false : undefined,
    symlinkAppData: values["symlink-app-data"] === true,
    noPeriodicUpdate: values["no-periodic-update"] === true,
    progress: Deno.stderr.isTerminal() && verbosity >= 0 ? progressLine(io) : undefined,
    prompt: values["prompt"] as string | undefined,
    creator: values["creator"] as string | undefined,
    activators: values["activators"] === undefined ? undefined : [values["activators"] as string],
  };
  if (values["dry-run"]) {
    const description = await describeVenv(createOptions);
    io.stdout(
      json ? JSON.stringify({ plan: description.plan }, binaryAsSize, 2) + "\n" : renderPlan(description.plan) + "\n",
    );
    return 0;
  }
  const result = await createVenv(createOptions);
  for (const warning of result.warnings) io.stderr(`warning: ${warning}\n`);
  debug?.(`.venv redirect: ${result.venvRedirect}`);
  if (json) io.stdout(JSON.stringify(reportJson(result), null, 2) + "\n");
  else if (verbosity >= 0) io.stdout(renderReport(result, createOptions));
  return 0;
}
