/**
 * Resolves version-manager shims (pyenv, mise, asdf) to the real interpreters they stand for, without running them:
 * a shim is a shell script that picks a version at run time, and pyenv's exit 127 for versions that are not selected.
 *
 * @module
 */
import { type EnvLookup, isDirectory } from "../app_data.ts";
import type { Platform } from "../platform.ts";
import type { PythonSource } from "./py_info.ts";

/** One version manager's folder layout and version selection. */
export interface VersionManager {
  /** The source name reported for interpreters it resolves. */
  readonly source: PythonSource;
  /** Its data root, from the environment. */
  root(env: EnvLookup, platform: Platform): string | undefined;
  /** Folder (relative to the root) holding one folder per installed version. */
  readonly versionsDir: string;
  /** Versions the user selected, most preferred first (empty when nothing is selected). */
  selected(env: EnvLookup, cwd: string, root: string, platform: Platform): string[];
}

/** Reads a text file, or undefined when it cannot be read. */
function readText(file: string): string | undefined {
  try {
    return Deno.readTextFileSync(file);
  } catch {
    return undefined;
  }
}

/** Non-empty, non-comment lines of a version file, each split on whitespace into words. */
function versionLines(text: string): string[][] {
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith("#")).map((l) => l.split(/\s+/));
}

const upwardCache = new Map<string, { file: string; text: string } | undefined>();

/**
 * Walks from `cwd` up to the filesystem root and returns the content of the first `name` file found. Remembered for
 * the process: discovery asks for `.python-version` more than once per run.
 */
export function findUpward(cwd: string, name: string, platform: Platform): { file: string; text: string } | undefined {
  const key = `${cwd}\0${name}`;
  if (!upwardCache.has(key)) upwardCache.set(key, searchUpward(cwd, name, platform));
  return upwardCache.get(key);
}

function searchUpward(cwd: string, name: string, platform: Platform): { file: string; text: string } | undefined {
  let dir = cwd;
  for (;;) {
    const file = platform.path.join(dir, name);
    const text = readText(file);
    if (text !== undefined) return { file, text };
    const parent = platform.path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Versions named by the nearest `.tool-versions` (asdf, mise) for the `python` tool. */
function toolVersions(cwd: string, platform: Platform, home: string | undefined): string[] {
  const found = findUpward(cwd, ".tool-versions", platform) ??
    (home ? { file: "", text: readText(platform.path.join(home, ".tool-versions")) ?? "" } : undefined);
  if (!found) return [];
  const line = versionLines(found.text).find((words) => words[0] === "python");
  return line ? line.slice(1) : [];
}

/** Versions named by the nearest `.python-version` (pyenv, uv, mise convention). */
function pythonVersionFile(cwd: string, platform: Platform): string[] {
  const found = findUpward(cwd, ".python-version", platform);
  return found ? versionLines(found.text).map((words) => words[0]!) : [];
}

function splitVersions(value: string | undefined): string[] {
  return value ? value.split(":").map((v) => v.trim()).filter(Boolean) : [];
}

function homeOf(env: EnvLookup): string | undefined {
  return env("HOME") ?? env("USERPROFILE");
}

/** pyenv, mise and asdf, as virtualenv's discovery knows them. */
export const VERSION_MANAGERS: readonly VersionManager[] = [
  {
    source: "pyenv",
    root: (env, platform) =>
      env("PYENV_ROOT") ?? (homeOf(env) ? platform.path.join(homeOf(env)!, ".pyenv") : undefined),
    versionsDir: "versions",
    selected(env, cwd, root, platform) {
      const fromEnv = splitVersions(env("PYENV_VERSION"));
      if (fromEnv.length) return fromEnv;
      const local = pythonVersionFile(cwd, platform);
      if (local.length) return local;
      const global = readText(platform.path.join(root, "version"));
      return global ? versionLines(global).map((w) => w[0]!) : [];
    },
  },
  {
    source: "mise",
    root(env, platform) {
      const explicit = env("MISE_DATA_DIR");
      if (explicit) return explicit;
      const xdg = env("XDG_DATA_HOME");
      const home = homeOf(env);
      if (xdg && platform.path.isAbsolute(xdg)) return platform.path.join(xdg, "mise");
      return home ? platform.path.join(home, ".local", "share", "mise") : undefined;
    },
    versionsDir: "installs/python",
    selected(env, cwd, _root, platform) {
      const fromEnv = splitVersions(env("MISE_PYTHON_VERSION"));
      if (fromEnv.length) return fromEnv;
      const tools = toolVersions(cwd, platform, homeOf(env));
      return tools.length ? tools : pythonVersionFile(cwd, platform);
    },
  },
  {
    source: "asdf",
    root: (env, platform) =>
      env("ASDF_DATA_DIR") ?? (homeOf(env) ? platform.path.join(homeOf(env)!, ".asdf") : undefined),
    versionsDir: "installs/python",
    selected(env, cwd, _root, platform) {
      const fromEnv = splitVersions(env("ASDF_PYTHON_VERSION"));
      return fromEnv.length ? fromEnv : toolVersions(cwd, platform, homeOf(env));
    },
  },
];

/** Whether `file` is an executable regular file (following symlinks). */
export function isExecutableFile(file: string, platform: Platform): boolean {
  try {
    const stat = Deno.statSync(file);
    return stat.isFile && (platform.isWindows || stat.mode === null || (stat.mode & 0o111) !== 0);
  } catch {
    return false;
  }
}

/** Compares lists of numbers part by part; a missing part sorts before any number (`3.12` < `3.12.0`). */
export function compareNumberLists(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

/** Compares version-like folder names newest first (`3.12.1` before `3.9.18`; non-numeric names last). */
export function compareVersionNamesDesc(a: string, b: string): number {
  const parts = (s: string) => s.match(/\d+/g)?.map(Number) ?? [];
  return compareNumberLists(parts(b), parts(a)) || (a < b ? -1 : a > b ? 1 : 0);
}

/** A shim resolved to real executables. */
export interface ShimResolution {
  /** The version manager the shim belongs to. */
  readonly source: PythonSource;
  /** What the shim runs now: the executable of each selected version that has it. */
  readonly selected: readonly string[];
  /**
   * The same name in installed versions that are not selected, newest first. Discovery ranks these after the rest of
   * PATH: with pyenv's `system` selected, `python3` means the next `python3` on PATH, not pyenv's newest.
   */
  readonly others: () => string[];
}

/**
 * If `exe` is a shim of a known version manager, returns the real executables it may stand for; undefined when it is
 * not a shim. A shim for a version that is not selected (pyenv's `python3.8` while 3.11 is selected) still finds the
 * installed 3.8 (in `others`), so `-p 3.8` works as it would with the version selected.
 */
export function resolveShim(
  exe: string,
  env: EnvLookup,
  cwd: string,
  platform: Platform,
): ShimResolution | undefined {
  const dir = platform.path.dirname(exe);
  const name = platform.path.basename(exe);
  if (platform.path.basename(dir) !== "shims") return undefined;
  const shimRoot = platform.path.dirname(dir);
  // The manager whose configured root holds these shims; else the one whose layout sits beside them, so a shim on
  // PATH is recognised (and never run) even when HOME or PYENV_ROOT point elsewhere.
  const configured = VERSION_MANAGERS.find((m) => {
    const root = m.root(env, platform);
    return root !== undefined && platform.path.resolve(root) === platform.path.resolve(shimRoot);
  });
  const manager = configured ??
    VERSION_MANAGERS.find((m) => isDirectory(platform.path.join(shimRoot, ...m.versionsDir.split("/"))));
  if (!manager) return undefined;
  const versionsRoot = platform.path.join(shimRoot, ...manager.versionsDir.split("/"));
  const bin = (version: string) => platform.path.join(versionsRoot, version, platform.isWindows ? "" : "bin", name);
  let installed: string[] | undefined;
  const installedVersions = (): string[] => {
    try {
      installed ??= [...Deno.readDirSync(versionsRoot)].map((e) => e.name).filter((n) => !n.startsWith("."))
        .sort(compareVersionNamesDesc);
    } catch {
      installed = [];
    }
    return installed;
  };
  // pyenv accepts a prefix: `3.12` selects the newest installed 3.12.x.
  const expand = (v: string): string[] => {
    if (isDirectory(platform.path.join(versionsRoot, v))) return [v];
    const newest = installedVersions().find((name) => name.startsWith(`${v}.`));
    return newest ? [newest] : [];
  };
  const selected = manager.selected(env, cwd, shimRoot, platform).filter((v) => v !== "system").flatMap(expand);
  const found = selected.map(bin).filter((file) => isExecutableFile(file, platform));
  return {
    source: manager.source,
    selected: found,
    // Listed only once PATH is exhausted: a warm run that finds the selected version never reads the folder.
    others: () =>
      installedVersions().map(bin).filter((file) => !found.includes(file) && isExecutableFile(file, platform)),
  };
}
