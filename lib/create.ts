/**
 * The creation pipeline: options → discovery → plan → apply. {@linkcode describeVenv} stops before applying, so
 * `--dry-run`, the library's description and the real run come from the same data.
 *
 * @module
 */
import {
  appDataError,
  appDataRoot,
  defaultAppDataDir,
  type EnvLookup,
  isDirectory,
  lstatOrUndefined,
  requireReadOnlyAppData,
} from "./app_data.ts";
import { PyInfoCache } from "./discovery/cache.ts";
import { FolderNames } from "./discovery/folder_names.ts";
import { type DiscoveryContext, findPython } from "./discovery/find.ts";
import type { FoundPython } from "./discovery/py_info.ts";
import { PY_INFO_SCRIPT_SHA256 } from "./discovery/py_info_script_hash.gen.ts";
import type { Creator, CreatorInput, VenvLayout } from "./creator/creator.ts";
import { type DestState, filesReplaced, inspectDest, resolvedPath } from "./creator/dest.ts";
import { diskHostView } from "./creator/host_view.ts";
import { checkCreatorName, selectCreator } from "./creator/registry.ts";
import { activatorOps, selectActivators } from "./activator/registry.ts";
import { planVenvRedirect } from "./creator/venv_redirect.ts";
import { checkpoint, slowWorkAhead } from "./deadline.ts";
import { MkvenvError } from "./errors.ts";
import {
  applyPlan,
  discardCreated,
  InstallSourceMissingError,
  isInside,
  SymlinkUnsupportedError,
} from "./plan/apply.ts";
import { type AcquireContext, type AcquiredWheel, acquireWheel, OS_WHEEL_DIRS } from "./seeder/acquire.ts";
import { checkSeedOptions, seedRequests } from "./seeder/seeder.ts";
import { discardDamagedImage, isImageSite } from "./seeder/image.ts";
import { type SeededPackage, type Seeder, selectSeeder } from "./seeder/registry.ts";
import { WheelInfoCache } from "./seeder/wheel_info.ts";
import { normalizeProject } from "./seeder/wheel_name.ts";
import {
  adoptableUpdates,
  needsUpdate,
  readUpdateLog,
  runUpdateJob,
  startPeriodicUpdate,
  timeoutFrom,
  type UpdateJob,
  updateLogFile,
  updatesDir,
} from "./seeder/periodic_update.ts";
import type { Plan, PlanOp } from "./plan/ops.ts";
import { hostPlatform, type Platform } from "./platform.ts";

export type { SeededPackage };

/** Options for {@linkcode createVenv} and {@linkcode describeVenv}. */
export interface CreateVenvOptions {
  /**
   * Where to create the environment (relative to `cwd`). An existing folder that is not a virtual environment gets
   * one merged in, unless that would replace files there (then a {@linkcode MkvenvError}, unless `force`); a folder
   * holding the interpreter's executable or standard library is always refused.
   */
  readonly dest: string;
  /** Interpreter specs, first match wins (`3.12`, `cpython3.12-64`, `>=3.11`, a path). @default {[]} (`.python-version`, else `python3`, else `python`) */
  readonly python?: readonly string[] | undefined;
  /** Interpreters to try before searching. @default {[]} */
  readonly tryFirstWith?: readonly string[] | undefined;
  /** The app-data folder for caches. @default {the platform cache folder for mkvenv} */
  readonly appData?: string | undefined;
  /**
   * Use the app-data folder without writing to it: cached interpreter answers, wheels and install images are used,
   * nothing new is cached, nothing is downloaded, no periodic update runs, and seeding fails unless an earlier run
   * built the images it needs. @default {false}
   */
  readonly readOnlyAppData?: boolean | undefined;
  /**
   * Empty the destination first (only an empty folder or a virtual environment, unless `force`; never one holding the
   * interpreter or the app-data folder). @default {false}
   */
  readonly clear?: boolean | undefined;
  /**
   * Allow a destination that exists and is not a virtual environment to lose files: with `clear`, empty it; without,
   * replace the files an environment puts there (`bin/python`, `bin/activate`, ...), which is otherwise refused.
   * @default {false}
   */
  readonly force?: boolean | undefined;
  /** Skip `.gitignore` and `CACHEDIR.TAG`. @default {false} */
  readonly noVcsIgnore?: boolean | undefined;
  /** Give the environment access to the base interpreter's site-packages. @default {false} */
  readonly systemSitePackages?: boolean | undefined;
  /** Copy the interpreter instead of linking it; wins over `symlinks`. @default {false} on POSIX, true on Windows */
  readonly copies?: boolean | undefined;
  /**
   * Link the interpreter. Asked for explicitly, a file system that cannot hold links is an error; by default
   * mkvenv falls back to copies there. @default {true on POSIX, false on Windows}
   */
  readonly symlinks?: boolean | undefined;
  /**
   * Write the PEP 832 `.venv` redirect file beside the environment (true), never (false), or only in a project
   * folder (a `pyproject.toml`) that has no `.venv` yet (undefined). A folder, link or foreign file named `.venv`
   * is never replaced. @default {undefined}
   */
  readonly venvRedirect?: boolean | undefined;
  /** The prompt activation shows; `.` means the current folder's name. @default {the environment's folder name, at activation time} */
  readonly prompt?: string | undefined;
  /** Which creator to use: `builtin`, one of `creatorNames()`, or a registered one. @default {"builtin"} */
  readonly creator?: string | undefined;
  /**
   * Which activation scripts to write, by name (`bash`, `cshell`, `fish`, `nushell`, `powershell`, `python`,
   * `xonsh`, `batch`, or a registered one); an entry may hold several separated by commas, and an empty list writes
   * none. @default {every one the OS has (all but batch on POSIX, all but cshell on Windows), and registered ones}
   */
  readonly activators?: readonly string[] | undefined;
  /** Folder relative paths start from. @default {Deno.cwd()} */
  readonly cwd?: string | undefined;
  /** Environment variables to use instead of the process's. */
  readonly env?: Readonly<Record<string, string>> | undefined;
  /** Receives debug messages from discovery. */
  readonly debug?: ((message: string) => void) | undefined;
  /** Seed nothing (no pip). @default {false} */
  readonly noSeed?: boolean | undefined;
  /**
   * `app-data` (link an unpacked wheel image), `pip` (run pip from the wheel) or a registered seeder's name.
   * @default {"app-data"}
   */
  readonly seeder?: string | undefined;
  /** pip to seed: `bundle`/`embed` (newest local wheel), `latest`, `none` or a version. @default {"bundle"} */
  readonly pip?: string | undefined;
  /** setuptools to seed, as `pip`. @default {"bundle" below Python 3.12, else "none"} */
  readonly setuptools?: string | undefined;
  /** Do not seed pip. @default {false} */
  readonly noPip?: boolean | undefined;
  /** Do not seed setuptools. @default {false} */
  readonly noSetuptools?: boolean | undefined;
  /** Folders of wheels to seed from. @default {[]} */
  readonly extraSearchDir?: readonly string[] | undefined;
  /** true: ask the index for the newest seeds; false: never use it; unset: only for a pinned version not found. */
  readonly download?: boolean | undefined;
  /** Link seed packages' top-level folders to the app-data image. @default {false} */
  readonly symlinkAppData?: boolean | undefined;
  /**
   * Do not start the background check for newer seed wheels (at most every 14 days; see `--no-periodic-update`).
   * `download: false` implies it. @default {false}
   */
  readonly noPeriodicUpdate?: boolean | undefined;
  /** Receives download progress (only when asked for, e.g. on a terminal). */
  readonly progress?: ((name: string, received: number, total: number | undefined) => void) | undefined;
  /**
   * Cancels the run. It is checked between phases, between the plan's operations and between the files of a wheel
   * being unpacked; interpreter interrogations, byte-compiles and programs the plan runs are killed, downloads
   * stopped. A destination this run created is removed again, and the call rejects with the signal's reason (an
   * `AbortError` `DOMException` unless another reason was given). Given a signal, the call gives the event loop a
   * turn at those points once a few milliseconds have passed since the last, so a timer (`AbortSignal.timeout`) can
   * cancel it; one operation (linking or copying a seed package's files) runs to its end first.
   */
  readonly signal?: AbortSignal | undefined;
  /**
   * The call is all the process does (mkvenv's own executable sets this): mkvenv may then change the working
   * directory while it links seed files, which makes each link cheaper, and changes it back before it goes on.
   * Leave it off in a program that does anything else meanwhile: another thread's relative path would resolve from
   * the wrong folder. @default {false}
   */
  readonly ownsProcess?: boolean | undefined;
}

/** What creating an environment does (or did): the interpreter, the creator, the layout and the plan. */
export interface VenvDescription {
  /** The interpreter the environment is built from. */
  readonly python: FoundPython;
  /** The creator's name, e.g. `cpython3-posix`. */
  readonly creator: string;
  /** The creator's name as virtualenv prints it, e.g. `CPython3Posix`. */
  readonly creatorDisplayName: string;
  /** Where things are. */
  readonly layout: VenvLayout;
  /** Whether the interpreter is linked (true) or copied (false). */
  readonly symlinks: boolean;
  /** What happens to the `.venv` redirect file, in words (for verbose output). */
  readonly venvRedirect: string;
  /** The seeder (`app-data`, `pip` or a registered one), or undefined when nothing is seeded. */
  readonly seeder: string | undefined;
  /** The seeder's name as virtualenv's report prints it (`FromAppData`, `PipInvoke`), or undefined. */
  readonly seederDisplayName: string | undefined;
  /** The packages seeded (after {@linkcode createVenv}: with the link mode really used). */
  readonly seeds: readonly SeededPackage[];
  /** The activators whose scripts are written, e.g. `["bash", "cshell", "fish", ...]`. */
  readonly activators: readonly string[];
  /** Problems found while planning that do not stop creation (a package index that could not be read). */
  readonly planWarnings: readonly string[];
  /** The destination as it was before creation. */
  readonly destState: DestState;
  /** The operations, in order. */
  readonly plan: Plan;
}

/** The outcome of {@linkcode createVenv}. */
export interface CreateVenvResult extends VenvDescription {
  /** Milliseconds spent, from the call to the last file written. */
  readonly durationMs: number;
  /**
   * Milliseconds spent per phase: `discovery` (finding and interrogating the interpreter), `seeding` (finding seed
   * wheels, building images, planning their install) and `apply` (writing the environment).
   */
  readonly timings: Readonly<Record<string, number>>;
  /** Problems that did not stop creation (a fallback to copies, a signature that could not be renewed). */
  readonly warnings: readonly string[];
}

/** The cache-folder comment and tag written unless `noVcsIgnore` (virtualenv's contents, naming mkvenv). */
const GITIGNORE = "# created by mkvenv automatically\n*\n";
const CACHEDIR_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n" +
  "# This file is a cache directory tag created by mkvenv.\n" +
  "# For information about cache directory tags, see:\n" +
  "#   https://bford.info/cachedir/";

/** Resolved inputs shared by planning: read once from options and the process. */
interface Resolved {
  readonly options: Partial<CreateVenvOptions>;
  readonly cwd: string;
  readonly env: EnvLookup;
  readonly platform: Platform;
}

function resolveInputs(options: Partial<CreateVenvOptions>): Resolved {
  const envRecord = options.env;
  return {
    options,
    cwd: options.cwd ?? Deno.cwd(),
    env: envRecord ? (name) => envRecord[name] : (name) => Deno.env.get(name),
    platform: hostPlatform(),
  };
}

/** The discovery context for a set of options (also used by `--list-pythons` and the library's discovery calls). */
export function discoveryContext(
  options: Pick<CreateVenvOptions, "tryFirstWith" | "appData" | "readOnlyAppData" | "cwd" | "env" | "debug" | "signal">,
): DiscoveryContext {
  return contextFor(resolveInputs(options));
}

/** Starts loading what reading a wheel takes, without waiting for it; a failure shows where it is used. */
function preloadColdPath(): void {
  import("./on_demand.ts").then((m) => m.loadNodeCodecs()).catch(() => {});
}

/** An interpreter is interrogated: slow work, and, for a seeding run, most likely a first one, which reads a wheel. */
function onInterrogate(seeding: boolean): () => void {
  return () => {
    slowWorkAhead();
    if (seeding) preloadColdPath();
  };
}

function contextFor({ options, cwd, env, platform }: Resolved): DiscoveryContext {
  const appData = options.appData ?? defaultAppDataDir(platform.os, env);
  const cacheDir = platform.path.join(appDataRoot(platform.path.resolve(cwd, appData)), "py_info");
  return {
    env,
    cwd,
    platform,
    tryFirstWith: options.tryFirstWith ?? [],
    cache: new PyInfoCache(cacheDir, { scriptSha256: PY_INFO_SCRIPT_SHA256, readOnly: options.readOnlyAppData }),
    folderNames: new FolderNames(platform.path.join(cacheDir, "path_folders.json"), {
      readOnly: options.readOnlyAppData,
    }),
    timeoutMs: Number(env("MKVENV_PY_TIMEOUT_MS")) || undefined,
    debug: options.debug,
    signal: options.signal,
  };
}

/** Whether to link, from the options, the platform's default and what the creator allows. */
function chooseSymlinks(
  options: CreateVenvOptions,
  creator: Creator,
  resolved: Resolved,
  python: FoundPython,
  linksImpossible: boolean,
): boolean {
  const wanted = !linksImpossible && (options.copies ? false : options.symlinks ?? !resolved.platform.isWindows);
  if (wanted) {
    const reason = creator.cannotLink?.(python.info);
    if (reason === undefined) return true;
    // Asked for, links are a demand; by default they are only a preference.
    if (options.symlinks) {
      throw new MkvenvError(`Cannot link the interpreter with creator ${creator.name}: ${reason}`, {
        hint: "drop --symlinks",
      });
    }
    return false;
  }
  const reason = creator.cannotCopy?.(python.info);
  if (reason !== undefined) {
    throw new MkvenvError(
      `Cannot copy the interpreter with creator ${creator.name}: ${reason}` +
        (linksImpossible ? ", and the file system cannot hold links" : ""),
      { hint: linksImpossible ? "create the environment on a file system that supports links" : "drop --copies" },
    );
  }
  return false;
}

/** The real path of each found interpreter's base executable, resolved once per found interpreter. */
const systemRealPaths = new WeakMap<FoundPython, string>();

function creatorInput(
  { platform, cwd }: Resolved,
  options: CreateVenvOptions,
  python: FoundPython,
  destState: DestState,
  symlinks: boolean,
): CreatorInput {
  let systemExecutableRealPath = systemRealPaths.get(python);
  if (systemExecutableRealPath === undefined) {
    systemRealPaths.set(python, systemExecutableRealPath = diskHostView.realPath(python.info.systemExecutable));
  }
  return {
    dest: destState.path,
    python,
    systemExecutableRealPath,
    platform,
    symlinks,
    systemSitePackages: options.systemSitePackages ?? false,
    prompt: options.prompt === "." ? platform.path.basename(cwd) : options.prompt,
    host: diskHostView,
  };
}

/**
 * Refuses a destination that holds what the run stands on, whatever the flags: the interpreter's executable or its
 * standard library (DEST is its prefix, an ancestor of it, or the file system's root: the environment's links would
 * replace the interpreter), and, for `clear`, mkvenv's app-data folder. Paths are compared with their symbolic links
 * resolved, as the destination's are.
 */
function refuseHeldFiles(
  resolved: Resolved,
  options: CreateVenvOptions,
  input: CreatorInput,
  destState: DestState,
): void {
  if (!destState.exists || destState.isEmpty) return;
  const { platform } = resolved;
  const held: [string, string][] = [
    ["the interpreter", input.systemExecutableRealPath],
    ["the interpreter's standard library", resolvedPath(input.python.info.stdlib, platform)],
  ];
  if (options.clear) held.push(["mkvenv's app-data folder", resolvedPath(appDataOf(resolved, options), platform)]);
  for (const [what, file] of held) {
    if (!isInside(destState.path, file, platform.path)) continue;
    throw new MkvenvError(
      `Refusing to ${options.clear ? "clear" : "create an environment in"} "${destState.path}": it holds ${what} ` +
        file,
      { hint: "choose another destination" },
    );
  }
}

function planFor(
  resolved: Resolved,
  options: CreateVenvOptions,
  python: FoundPython,
  destState: DestState,
  seeding: PreparedSeeds,
  linksImpossible = false,
): VenvDescription {
  const { platform } = resolved;
  const creator = selectCreator(options.creator ?? "builtin", python.info, platform);
  const symlinks = chooseSymlinks(options, creator, resolved, python, linksImpossible);
  const input = creatorInput(resolved, options, python, destState, symlinks);
  const layout = creator.layout(input);
  const ops: PlanOp[] = [];
  // The first plan only: a replan (no symbolic links here after all) follows what this run itself wrote.
  if (!linksImpossible) refuseHeldFiles(resolved, options, input, destState);
  if (options.clear && destState.exists && !destState.isEmpty) {
    if (!destState.isVenv && !options.force) {
      throw new MkvenvError(
        `Refusing to clear "${destState.path}": it is not empty and is not a virtual environment (no pyvenv.cfg)`,
        { hint: "pass --force as well to empty it anyway, or choose another destination" },
      );
    }
    ops.push({ op: "clear", path: destState.path });
  }
  const created = creator.plan(input, layout);
  if (!options.clear) {
    // A rerun for another interpreter: its executables and runtime libraries go, unless made again.
    const remade = new Set(created.map((op) => op.path));
    for (const path of destState.interpreterFiles) if (!remade.has(path)) ops.push({ op: "remove", path });
  }
  const activators = selectActivators(options.activators, platform);
  ops.push(
    ...created,
    ...seeding.ops,
    ...activatorOps(activators, {
      layout,
      platform,
      prompt: input.prompt,
      tclLibrary: python.info.tclLibrary ?? undefined,
      tkLibrary: python.info.tkLibrary ?? undefined,
    }),
  );
  const p = platform.path;
  if (!options.noVcsIgnore) {
    ops.push(
      { op: "write", path: p.join(layout.dest, ".gitignore"), content: GITIGNORE, ifAbsent: true },
      { op: "write", path: p.join(layout.dest, "CACHEDIR.TAG"), content: CACHEDIR_TAG, ifAbsent: true },
    );
  }
  const guarded = !linksImpossible && destState.exists && !destState.isEmpty && !destState.isVenv;
  if (guarded && !options.clear && !options.force) {
    // Merging into a folder that is no environment is fine (`mkvenv .` in a project); replacing its files is not.
    const shown = 5;
    const replaced = filesReplaced(ops, platform, shown + 1);
    if (replaced.length) {
      throw new MkvenvError(
        `Refusing to create an environment in "${destState.path}": it is not a virtual environment (no ` +
          `pyvenv.cfg), and creating one would replace ${replaced.slice(0, shown).join(", ")}` +
          (replaced.length > shown ? ", ..." : ""),
        { hint: "choose another destination, or pass --force to replace those files" },
      );
    }
  }
  const redirect = planVenvRedirect(destState.path, options.venvRedirect, platform);
  const seeded = seeding.seeds.length > 0 || seeding.ops.length > 0;
  // Beside DEST, not in it: a failure to write it is a warning, as in virtualenv.
  if (redirect.op) ops.push({ ...redirect.op, bestEffort: true });
  return {
    python,
    creator: creator.name,
    creatorDisplayName: creator.displayName,
    layout,
    symlinks,
    venvRedirect: redirect.reason,
    seeder: seeded ? seeding.seeder?.name : undefined,
    seederDisplayName: seeded ? seeding.seeder?.displayName : undefined,
    seeds: seeding.seeds,
    activators: activators.map((a) => a.name),
    planWarnings: seeding.warnings,
    destState,
    plan: { root: destState.path, ops, ...(redirect.op ? { outside: [redirect.op.path] } : {}) },
  };
}

/**
 * Finds the interpreter and plans the environment without touching the destination: the same plan
 * {@linkcode createVenv} would apply (what `--dry-run` prints), with the paths of the environment-to-be. Seed
 * wheels are found (and, when the options say so, downloaded) and unpacked into the app-data folder, as planning
 * needs them.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeVenv } from "@mkvenv/mkvenv";
 * const dir = await Deno.makeTempDir();
 * const planned = await describeVenv({ dest: `${dir}/.venv`, python: ["python3"], noSeed: true });
 * console.log(planned.creator, planned.layout.python, planned.layout.purelib);
 * for (const op of planned.plan.ops) console.log(op.op, op.path);
 * assert.ok(planned.plan.ops.some((op) => op.op === "write" && op.path === planned.layout.pyvenvCfg));
 * assert.deepEqual([...Deno.readDirSync(dir)], []); // nothing was created
 * await Deno.remove(dir);
 * ```
 */
export async function describeVenv(options: CreateVenvOptions): Promise<VenvDescription> {
  try {
    return (await describe(options)).description;
  } catch (e) {
    throw appDataFault(e, options) ?? e;
  }
}

/** {@linkcode appDataError} for this call's app-data folder; undefined when the options themselves do not resolve. */
function appDataFault(e: unknown, options: CreateVenvOptions): MkvenvError | undefined {
  try {
    return appDataError(e, appDataOf(resolveInputs(options), options));
  } catch {
    return undefined;
  }
}

async function describe(options: CreateVenvOptions): Promise<{
  description: VenvDescription;
  replan: () => VenvDescription;
  updateJobs: readonly UpdateJob[];
  timings: Record<string, number>;
}> {
  const check = checkpoint(options.signal);
  await check();
  const resolved = resolveInputs(options);
  // Mistakes in the options fail before any interpreter is searched for (which may run Python on a cold cache).
  if (options.creator !== undefined) checkCreatorName(options.creator);
  selectActivators(options.activators, resolved.platform);
  // The destination is checked first: a bad path fails before any interpreter is searched for.
  checkSeedOptions(options);
  if (!options.noSeed) selectSeeder(options.seeder);
  if (options.readOnlyAppData) requireReadOnlyAppData(appDataDirOf(resolved, options));
  const destState = inspectDest(options.dest, resolved.cwd, resolved.platform);
  const start = performance.now();
  // A seeding run that has to interrogate is most likely a first one, whose seeding reads a wheel: what reading it
  // takes (Deno's Node compatibility, about 20 ms) loads while the interpreter answers, instead of after.
  const python = await findPython(options.python ?? [], {
    ...contextFor(resolved),
    onInterrogate: onInterrogate(!options.noSeed),
  });
  await check();
  const found = performance.now();
  const seeding = await prepareSeeds(resolved, options, python, destState);
  await check();
  const timings = { discovery: found - start, seeding: performance.now() - found };
  return {
    timings,
    description: planFor(resolved, options, python, destState, seeding),
    replan: () => planFor(resolved, options, python, destState, seeding, true),
    updateJobs: seeding.updateJobs,
  };
}

/** Seed operations and what they install, prepared once (wheels found, images built) for both plans. */
interface PreparedSeeds {
  /** The seeder, or undefined with `noSeed`. */
  readonly seeder: Seeder | undefined;
  readonly ops: readonly PlanOp[];
  readonly seeds: readonly SeededPackage[];
  readonly warnings: readonly string[];
  /** Periodic update checks for the seeds taken as `bundle` from local wheels. */
  readonly updateJobs: readonly UpdateJob[];
}

async function prepareSeeds(
  resolved: Resolved,
  options: CreateVenvOptions,
  python: FoundPython,
  destState: DestState,
): Promise<PreparedSeeds> {
  if (options.noSeed) return { seeder: undefined, ops: [], seeds: [], warnings: [], updateJobs: [] };
  const seeder = selectSeeder(options.seeder);
  const warnings: string[] = [];
  const warn = (message: string): void => void warnings.push(message);
  const { platform } = resolved;
  const creator = selectCreator(options.creator ?? "builtin", python.info, platform);
  const target = creatorInput(resolved, options, python, destState, true);
  const layout = creator.layout(target);
  const appData = appDataOf(resolved, options);
  const updateJobs: UpdateJob[] = [];
  let acquired: Promise<readonly AcquiredWheel[]> | undefined;
  let context: AcquireContext | undefined;
  const acquiring = (): AcquireContext => context ??= acquireContext(resolved, options, python, appData, warn);
  const planned = await seeder.plan({
    target,
    layout,
    options,
    appData,
    env: resolved.env,
    wheels: () => acquired ??= acquireSeeds(acquiring, options, python, appData, updateJobs),
    acquire: (project, version = "bundle") => acquireWheel(project, version, acquiring()),
    warn,
    signal: options.signal,
  });
  return { seeder, ops: planned.ops, seeds: planned.seeds, warnings, updateJobs };
}

/** The run's app-data folder as given (absolute). */
function appDataDirOf({ platform, cwd, env }: Resolved, options: CreateVenvOptions): string {
  return platform.path.resolve(cwd, options.appData ?? defaultAppDataDir(platform.os, env));
}

/** The run's app-data folder (absolute, versioned). */
function appDataOf(resolved: Resolved, options: CreateVenvOptions): string {
  return appDataRoot(appDataDirOf(resolved, options));
}

/** Where and how this run looks for seed wheels. */
function acquireContext(
  resolved: Resolved,
  options: CreateVenvOptions,
  python: FoundPython,
  root: string,
  warn: (message: string) => void,
): AcquireContext {
  const { platform, env } = resolved;
  const extraSearchDirs = (options.extraSearchDir ?? []).map((d) => platform.path.resolve(resolved.cwd, d));
  // A missing folder is skipped quietly, as virtualenv skips it; a file given instead (a wheel) is a mistake to name.
  for (const dir of extraSearchDirs) {
    if (lstatOrUndefined(dir) && !isDirectory(dir)) warn(`--extra-search-dir ${dir} is not a folder: ignored it`);
  }
  return {
    storeDir: platform.path.join(root, "wheels"),
    extraSearchDirs,
    ensurepipWheels: python.info.ensurepipWheels,
    osWheelDirs: OS_WHEEL_DIRS,
    updates: {
      dir: updatesDir(root),
      adoptable: (project) =>
        adoptableUpdates(readUpdateLog(updateLogFile(root, python.info.versionInfo, project)), new Date()),
    },
    python: python.info.versionInfo,
    download: options.readOnlyAppData ? false : options.download,
    noDownloadBy: options.readOnlyAppData ? "--read-only-app-data" : undefined,
    env,
    platform,
    infoCache: new WheelInfoCache(platform.path.join(root, "wheel_info"), { readOnly: options.readOnlyAppData }),
    timeoutMs: Number(env("MKVENV_HTTP_TIMEOUT_MS")) || undefined,
    progress: options.progress,
    debug: options.debug,
    warn,
    signal: options.signal,
  };
}

/** The wheels of the seed packages the options ask for; the periodic update jobs they call for go to `updateJobs`. */
async function acquireSeeds(
  context: () => AcquireContext,
  options: CreateVenvOptions,
  python: FoundPython,
  root: string,
  updateJobs: UpdateJob[],
): Promise<readonly AcquiredWheel[]> {
  const requests = seedRequests(options, python.info);
  if (!requests.length) return [];
  const wheels: AcquiredWheel[] = [];
  for (const request of requests) {
    options.signal?.throwIfAborted();
    const wheel = await acquireWheel(request.project, request.version, context());
    wheels.push(wheel);
    if (request.version === "bundle" && wheel.source !== "index") {
      updateJobs.push({
        root,
        project: normalizeProject(request.project),
        python: python.info.versionInfo,
        source: "periodic",
        newestLocal: wheel.info.version,
      });
    }
  }
  return wheels;
}

/**
 * Starts the periodic check for newer seed wheels where one is due, in the background: the environment is done, and
 * nothing waits for the network. `MKVENV_PERIODIC_UPDATE_INLINE=1` runs it here instead, for debugging.
 */
async function checkForUpdates(
  jobs: readonly UpdateJob[],
  env: EnvLookup,
  options: CreateVenvOptions,
  warnings: string[],
): Promise<void> {
  const now = new Date();
  for (const job of jobs) {
    if (env("MKVENV_PERIODIC_UPDATE_INLINE") !== "1") {
      startPeriodicUpdate(job, { now, env: options.env, debug: options.debug });
      continue;
    }
    if (!needsUpdate(readUpdateLog(updateLogFile(job.root, job.python, job.project)), now)) continue;
    try {
      const added = await runUpdateJob(job, {
        now: () => new Date(),
        env,
        platform: hostPlatform(),
        timeoutMs: timeoutFrom(env),
      });
      options.debug?.(`periodic update of ${job.project}: ${added.map((a) => a.filename).join(", ") || "nothing new"}`);
    } catch (e) {
      warnings.push(`periodic update of ${job.project} failed: ${e instanceof Error ? e.message : e}`);
    }
  }
}

/**
 * Creates (or updates in place) a virtual environment and returns what was done. Rejects with a
 * {@linkcode MkvenvError} for anything a user can cause (exit code 2 for a mistake in the options), or with the
 * `signal`'s reason when cancelled; a destination the call created is then removed again.
 *
 * @example Create an environment with the first `python3` on PATH, without seeding pip
 * ```ts
 * import assert from "node:assert/strict";
 * import { createVenv } from "@mkvenv/mkvenv";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const result = await createVenv({ dest: `${dir}/.venv`, python: ["python3"], noSeed: true });
 *   console.log(`created ${result.layout.python} in ${Math.round(result.durationMs)} ms`);
 *   const out = await new Deno.Command(result.layout.python, { args: ["-c", "import sys; print(sys.prefix)"] }).output();
 *   assert.match(new TextDecoder().decode(out.stdout), /\.venv\n$/);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 *
 * @example Cancel a run
 * ```ts
 * import assert from "node:assert/strict";
 * import { createVenv } from "@mkvenv/mkvenv";
 * const dir = await Deno.makeTempDir();
 * const controller = new AbortController();
 * const creating = createVenv({ dest: `${dir}/.venv`, noSeed: true, signal: controller.signal });
 * controller.abort();
 * await assert.rejects(creating, { name: "AbortError" });
 * assert.deepEqual([...Deno.readDirSync(dir)], []); // nothing is left
 * await Deno.remove(dir);
 * ```
 */
export async function createVenv(options: CreateVenvOptions): Promise<CreateVenvResult> {
  const start = performance.now();
  const repairs: string[] = [];
  for (let retried = false;; retried = true) {
    try {
      const result = await createOnce(options, start);
      return repairs.length ? { ...result, warnings: [...repairs, ...result.warnings] } : result;
    } catch (e) {
      if (!(e instanceof InstallSourceMissingError)) throw appDataFault(e, options) ?? e;
      // An app-data image damaged since it was built (a file deleted from the cache) is built again, once; the
      // options resolved before, since the error comes from applying their plan.
      const resolved = resolveInputs(options);
      const images = resolved.platform.path.join(appDataOf(resolved, options), "images");
      if (retried || !isImageSite(e.source, images)) throw e;
      const image = resolved.platform.path.dirname(e.source);
      if (options.readOnlyAppData) {
        throw new MkvenvError(e.message, {
          hint: `run mkvenv once without --read-only-app-data to build the install image ${image} again`,
          cause: e,
        });
      }
      const found = discardDamagedImage(e.source, e.file, images);
      if (found === "kept") throw e;
      if (found === "discarded") repairs.push(`the install image ${image} had lost ${e.file}: built it again`);
    }
  }
}

async function createOnce(options: CreateVenvOptions, start: number): Promise<CreateVenvResult> {
  let { description, replan, updateJobs, timings } = await describe(options);
  const warnings: string[] = [...description.planWarnings];
  const installedVia = new Map<string, "hardlink" | "copy">();
  const signal = options.signal;
  signal?.throwIfAborted();
  const applying = performance.now();
  try {
    try {
      const outcome = await applyPlan(description.plan, { signal, ownsProcess: options.ownsProcess });
      warnings.push(...outcome.warnings);
      for (const [k, v] of outcome.installedVia) installedVia.set(k, v);
    } catch (e) {
      // Links were the default, not a demand: where the file system has none, copy instead (as virtualenv does).
      if (!(e instanceof SymlinkUnsupportedError) || options.symlinks || !description.symlinks) throw e;
      warnings.push(`${e.message}; copied the interpreter instead`);
      description = replan();
      const outcome = await applyPlan(description.plan, { signal, ownsProcess: options.ownsProcess });
      warnings.push(...outcome.warnings);
      for (const [k, v] of outcome.installedVia) installedVia.set(k, v);
    }
  } catch (e) {
    // A destination this run created is removed again, so a failure (or a cancel) leaves nothing half made behind.
    if (description.destState.firstMissing) discardCreated(description.destState.firstMissing);
    throw e;
  }
  timings.apply = performance.now() - applying;
  // Hard links fall back to copies across file systems: report what really happened.
  const via = [...installedVia.values()];
  const seeds = description.seeds.map((seed) =>
    seed.via === "hardlink" && via.includes("copy") ? { ...seed, via: "copy" } : seed
  );
  // Cancelled after the last file was written: the environment is whole; only the optional check is skipped.
  if (!options.noPeriodicUpdate && !options.readOnlyAppData && options.download !== false && !signal?.aborted) {
    await checkForUpdates(updateJobs, resolveInputs(options).env, options, warnings);
  }
  return { ...description, seeds, durationMs: performance.now() - start, timings, warnings };
}
