/**
 * Proposes candidate interpreters for a spec, in the order they are tried: `--try-first-with`, then registered
 * sources placed `first`, then on Windows the PEP 514 registry and Store packages (where virtualenv proposes the
 * registry: after its own interpreter, before PATH), then PATH (exact names across PATH first, then versioned names
 * found in each PATH folder, newest first; shims resolved), then installed-but-unselected versions of version
 * managers, then uv-managed installs, then the other registered sources. Pure apart from reading folders (and what
 * registered and Windows sources do); nothing here runs Python.
 *
 * @module
 */
import type { EnvLookup } from "../app_data.ts";
import type { Platform } from "../platform.ts";
import type { PythonSource } from "./py_info.ts";
import { compareNumberLists, compareVersionNamesDesc, isExecutableFile, resolveShim } from "./shims.ts";
import { registeredSources, sourceContext } from "./sources.ts";
import { FolderNames } from "./folder_names.ts";
import { exactNames, matchExecutableName, pathScanFilter, type PythonSpec, versionFromName } from "./spec.ts";

/** A path worth interrogating, and how strictly it must match the spec. */
export interface Candidate {
  /** Absolute path of the executable. */
  readonly path: string;
  /** Where it was found. */
  readonly source: PythonSource;
  /** Whether the interpreter's implementation must equal the spec's (false when found by a literal name). */
  readonly implMustMatch: boolean;
}

/** What candidate proposal reads from the outside world. */
export interface ProposalContext {
  /** Environment variables. */
  readonly env: EnvLookup;
  /** Folder relative paths and `.python-version` lookups start from. */
  readonly cwd: string;
  /** The OS rules. */
  readonly platform: Platform;
  /** Executables to try before anything else (`--try-first-with`). */
  readonly tryFirstWith: readonly string[];
  /**
   * Windows interpreters (PEP 514 registrations, Store packages) that may satisfy a spec, best first; tried after
   * the registered `first` sources, before PATH. Read lazily: only when the proposal gets there.
   */
  readonly windows?: ((spec: PythonSpec) => Iterable<Candidate>) | undefined;
  /** Where PATH folders' interpreter-like names are kept across runs. @default {none: every folder is listed} */
  readonly folderNames?: FolderNames | undefined;
}

/** The folders of PATH, in order, without empty entries or repeats. */
export function pathDirs(ctx: ProposalContext): string[] {
  const raw = ctx.env("PATH") ?? (ctx.platform.isWindows ? "" : "/usr/local/bin:/usr/bin:/bin");
  const seen = new Set<string>();
  const dirs: string[] = [];
  for (const entry of raw.split(ctx.platform.pathListSeparator)) {
    if (!entry) continue; // an empty entry would mean the current folder; virtualenv skips it too
    const dir = ctx.platform.path.resolve(ctx.cwd, entry);
    if (!seen.has(dir)) {
      seen.add(dir);
      dirs.push(dir);
    }
  }
  return dirs;
}

/** Folder names of uv-managed installs: `<impl>-<version>[+variant...]-<os>-<arch>-<libc>`. */
const UV_KEY = /^([a-z]+)-(\d+)\.(\d+)(?:\.(\d+))?([a-z]+\d+)?((?:\+[a-z]+)*)-([a-z0-9]+)-([a-z0-9_]+)-([a-z0-9_]+)$/i;

/** Where uv keeps managed Pythons: `UV_PYTHON_INSTALL_DIR`, else the platform's uv data folder. */
export function uvInstallRoots(env: EnvLookup, platform: Platform): string[] {
  const explicit = env("UV_PYTHON_INSTALL_DIR");
  if (explicit) return [explicit];
  const p = platform.path;
  const roots: string[] = [];
  if (platform.isWindows) {
    const appData = env("APPDATA");
    if (appData) roots.push(p.join(appData, "uv", "data", "python"), p.join(appData, "uv", "python"));
    return roots;
  }
  const home = env("HOME");
  if (platform.os === "darwin" && home) roots.push(p.join(home, "Library", "Application Support", "uv", "python"));
  const xdg = env("XDG_DATA_HOME");
  if (xdg && p.isAbsolute(xdg)) roots.push(p.join(xdg, "uv", "python"));
  else if (home) roots.push(p.join(home, ".local", "share", "uv", "python"));
  return roots;
}

/** Executables inside a uv-managed install folder, in the order uv's layout offers them. */
const UV_EXECUTABLES_POSIX = ["bin/python3", "bin/python", "bin/pypy3", "bin/graalpy"];
const UV_EXECUTABLES_WINDOWS = ["python.exe", "pypy3.exe", "graalpy.exe"];

/** Proposes uv-managed interpreters that the folder name says may match `spec`, newest first. */
function* uvCandidates(spec: PythonSpec, ctx: ProposalContext): Generator<Candidate> {
  const p = ctx.platform.path;
  for (const root of uvInstallRoots(ctx.env, ctx.platform)) {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(root)];
    } catch {
      continue;
    }
    const keyed = entries.filter((e) => !e.name.startsWith(".")).flatMap((e) => {
      const m = UV_KEY.exec(e.name);
      if (!m) return [{ entry: e, ok: true }]; // unknown naming: still worth a probe, as virtualenv does
      const [, impl, major, minor, micro, , variants] = m;
      const wantImpl = spec.implementation ?? "cpython";
      const ft = (variants ?? "").toLowerCase().includes("+freethreaded");
      const ok = impl!.toLowerCase() === wantImpl &&
        (spec.major === undefined || spec.major === Number(major)) &&
        (spec.minor === undefined || spec.minor === Number(minor)) &&
        (spec.micro === undefined || micro === undefined || spec.micro === Number(micro)) &&
        (spec.freeThreaded === undefined || spec.freeThreaded === ft);
      return [{ entry: e, ok }];
    }).filter((k) => k.ok).map((k) => k.entry);
    // Real install folders before the minor-version links that point into them; newest first.
    keyed.sort((a, b) => Number(a.isSymlink) - Number(b.isSymlink) || compareVersionNamesDesc(a.name, b.name));
    for (const entry of keyed) {
      const dir = p.join(root, entry.name);
      for (const base of [dir, p.join(dir, "install")]) {
        const names = ctx.platform.isWindows ? UV_EXECUTABLES_WINDOWS : UV_EXECUTABLES_POSIX;
        const exe = names.map((n) => p.join(base, ...n.split("/"))).find((f) => isExecutableFile(f, ctx.platform));
        if (exe) {
          yield { path: exe, source: "uv", implMustMatch: true };
          break;
        }
      }
    }
  }
}

/** The candidates registered sources at `position` propose for `spec`. */
function* registeredCandidates(
  spec: PythonSpec,
  ctx: ProposalContext,
  position: "first" | "last",
): Generator<Candidate> {
  const implMustMatch = spec.implementation !== undefined;
  for (const source of registeredSources(position)) {
    for (const exe of source.candidates(spec, sourceContext(ctx))) {
      yield { path: ctx.platform.path.resolve(ctx.cwd, exe), source: source.name, implMustMatch };
    }
  }
}

/**
 * Yields the candidates for `spec` in the order they should be tried. Lazy: a spec satisfied by the first `python3`
 * on PATH reads no folder listing at all.
 */
export function* proposeCandidates(spec: PythonSpec, ctx: ProposalContext): Generator<Candidate> {
  const p = ctx.platform.path;
  if (spec.path !== undefined) {
    // A path names the interpreter: nothing else is proposed, not even --try-first-with (as in virtualenv).
    yield { path: p.resolve(ctx.cwd, spec.path), source: "path-spec", implMustMatch: false };
    return;
  }
  for (const exe of ctx.tryFirstWith) {
    yield { path: p.resolve(ctx.cwd, exe), source: "try-first-with", implMustMatch: true };
  }
  yield* registeredCandidates(spec, ctx, "first");
  if (ctx.windows) yield* ctx.windows(spec);
  const implMustMatch = spec.implementation !== undefined;
  const unselected: (() => Candidate[])[] = [];
  // A shim becomes what it would run now; versions it could run if selected wait until PATH is exhausted.
  function* expand(file: string, mustMatch: boolean): Generator<Candidate> {
    const shim = resolveShim(file, ctx.env, ctx.cwd, ctx.platform);
    if (!shim) {
      yield { path: file, source: "PATH", implMustMatch: mustMatch };
      return;
    }
    for (const exe of shim.selected) yield { path: exe, source: shim.source, implMustMatch: mustMatch };
    unselected.push(() => shim.others().map((exe) => ({ path: exe, source: shim.source, implMustMatch: mustMatch })));
  }
  const dirs = pathDirs(ctx);
  const exact = exactNames(spec, ctx.platform);
  for (const name of exact) {
    const mustMatch = spec.name !== undefined && name === spec.name + ctx.platform.exeSuffix ? false : implMustMatch;
    for (const dir of dirs) {
      const file = p.join(dir, name);
      if (isExecutableFile(file, ctx.platform)) yield* expand(file, mustMatch);
    }
  }
  // /usr/bin alone has a thousand names or more: what could be an interpreter is kept (across runs too, while the
  // folder is unchanged, with a FolderNames cache) before each spec clause is weighed.
  const scan = pathScanFilter(spec, ctx.platform);
  const folderNames = ctx.folderNames ?? new FolderNames(undefined);
  for (const dir of dirs) {
    const names = folderNames.list(dir, scan.kind, scan.keep);
    if (names === undefined) continue; // missing or unreadable PATH entries are skipped
    const matching: { name: string; implMustMatch: boolean; version: readonly number[] }[] = [];
    for (const name of names) {
      if (exact.includes(name)) continue;
      const m = matchExecutableName(spec, name, ctx.platform);
      if (m) matching.push({ name, implMustMatch: m.implMustMatch, version: versionFromName(name) ?? [] });
    }
    // Newest first, so `>=3.11` prefers python3.13 over python3.11 within a folder; a stable order, unlike
    // virtualenv's directory order.
    matching.sort((a, b) => compareNumberLists(b.version, a.version) || (a.name < b.name ? -1 : 1));
    for (const m of matching) {
      const file = p.join(dir, m.name);
      if (isExecutableFile(file, ctx.platform)) yield* expand(file, m.implMustMatch);
    }
  }
  for (const others of unselected) yield* others();
  yield* uvCandidates(spec, ctx);
  yield* registeredCandidates(spec, ctx, "last");
}
