/**
 * Creators lay out a virtual environment for one kind of interpreter. Each is a value in {@linkcode CREATORS}: a
 * name, a predicate saying why it cannot handle an interpreter, and pure functions returning the layout and the plan.
 * `builtin` is the first creator that can handle the interpreter.
 *
 * @module
 */
import type { Platform } from "../platform.ts";
import type { PlanOp } from "../plan/ops.ts";
import type { FoundPython, PythonInfo } from "../discovery/py_info.ts";
import type { HostView } from "./host_view.ts";
import { renderPyvenvCfg } from "./pyvenv_cfg.ts";
import { MKVENV_VERSION } from "../version.ts";

export type { HostView };

/** What a creator needs to plan an environment. */
export interface CreatorInput {
  /** The environment's root folder (absolute, symlinks resolved). */
  readonly dest: string;
  /** The interpreter to build it from. */
  readonly python: FoundPython;
  /** `info.systemExecutable` with every symlink resolved (the `executable` key of pyvenv.cfg). */
  readonly systemExecutableRealPath: string;
  /** The OS the environment is for. */
  readonly platform: Platform;
  /** Link the interpreter (true) or copy it (false). */
  readonly symlinks: boolean;
  /** Give the environment access to the base's site-packages. */
  readonly systemSitePackages: boolean;
  /** The prompt to record, if the user chose one. */
  readonly prompt: string | undefined;
  /** Read-only access to the base install's files (which launchers and libraries exist). */
  readonly host: HostView;
}

/** Where things are in a created environment (absolute paths). */
export interface VenvLayout {
  /** The environment root. */
  readonly dest: string;
  /** Folder of executables and activation scripts (`bin` or `Scripts`). */
  readonly binDir: string;
  /** The environment's interpreter. */
  readonly python: string;
  /** Pure-Python site-packages. */
  readonly purelib: string;
  /** Platform-specific site-packages (often the same as purelib). */
  readonly platlib: string;
  /** C headers folder. */
  readonly include: string;
  /** The `pyvenv.cfg` file. */
  readonly pyvenvCfg: string;
}

/** One way of laying out an environment. */
export interface Creator {
  /** The name `--creator` takes, e.g. `cpython3-posix`. */
  readonly name: string;
  /** The name virtualenv's report uses for the same creator, e.g. `CPython3Posix`. */
  readonly displayName: string;
  /** Why this creator cannot handle `info` on `platform`, or undefined when it can. */
  cannotCreate(info: PythonInfo, platform: Platform): string | undefined;
  /** Why this creator cannot copy the interpreter for `info` (Homebrew builds), or undefined when it can. */
  cannotCopy?(info: PythonInfo): string | undefined;
  /** Why this creator cannot link the interpreter for `info` (Microsoft Store builds), or undefined when it can. */
  cannotLink?(info: PythonInfo): string | undefined;
  /** The environment's layout. */
  layout(input: CreatorInput): VenvLayout;
  /** The operations that create the environment. */
  plan(input: CreatorInput, layout: VenvLayout): PlanOp[];
}

/** Resolves a venv-relative scheme path (`lib/python3.12/site-packages`) under `dest`. */
export function underDest(input: CreatorInput, relative: string): string {
  const p = input.platform.path;
  return p.join(input.dest, ...relative.split(/[\\/]/).filter(Boolean));
}

/** The layout every CPython-style creator shares, from the interpreter's own venv scheme. */
export function schemeLayout(input: CreatorInput, exeName: string): VenvLayout {
  const paths = input.python.info.venvPaths;
  const binDir = underDest(input, paths.scripts);
  return {
    dest: input.dest,
    binDir,
    python: input.platform.path.join(binDir, exeName),
    purelib: underDest(input, paths.purelib),
    platlib: underDest(input, paths.platlib),
    // Like virtualenv: an empty `include` folder at the root, not the scheme's include/pythonX.Y.
    include: input.platform.path.join(input.dest, input.platform.isWindows ? "Include" : "include"),
    pyvenvCfg: input.platform.path.join(input.dest, "pyvenv.cfg"),
  };
}

/** The `pyvenv.cfg` keys and values, virtualenv's keys in virtualenv's order and ours naming mkvenv. */
export function pyvenvCfgEntries(input: CreatorInput): [string, string][] {
  const info = input.python.info;
  const v = info.versionInfo;
  const p = input.platform.path;
  const entries: [string, string][] = [
    ["home", p.dirname(info.systemExecutable)],
    ["implementation", info.implementation],
    ["python-version", `${v.major}.${v.minor}`],
    ["version_info", `${v.major}.${v.minor}.${v.micro}.${v.releaselevel}.${v.serial}`],
    ["version", `${v.major}.${v.minor}.${v.micro}`],
    ["executable", input.systemExecutableRealPath],
    ["mkvenv", MKVENV_VERSION],
  ];
  if (input.prompt !== undefined) entries.push(["prompt", input.prompt]);
  entries.push(
    ["include-system-site-packages", input.systemSitePackages ? "true" : "false"],
    ["base-prefix", info.basePrefix],
    ["base-exec-prefix", info.baseExecPrefix],
    ["base-executable", info.systemExecutable],
  );
  return entries;
}

/** The `pyvenv.cfg` write operation for `entries`. */
export function pyvenvCfgOp(layout: VenvLayout, entries: readonly (readonly [string, string])[]): PlanOp {
  return { op: "write", path: layout.pyvenvCfg, content: renderPyvenvCfg(entries) };
}
