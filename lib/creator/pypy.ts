/**
 * PyPy 3 on POSIX and Windows. The environment offers `pypy3`, `pypy`, `python`, `python3` and `python3.X`; PyPy's
 * shared library (`libpypy3*-c.so`, or every DLL on Windows) comes along into the bin folder, since PyPy finds it
 * next to the executable. Portable (non-`/usr`) builds also need what their `lib/` holds besides the stdlib.
 *
 * @module
 */
import type { PythonInfo } from "../discovery/py_info.ts";
import { builtinCreator, type FileRef } from "./builtin.ts";
import type { Creator, CreatorInput, VenvLayout } from "./creator.ts";

/** The names a PyPy environment offers, main first. */
export function pypyNames(input: CreatorInput): string[] {
  const v = input.python.info.versionInfo;
  const suffix = input.platform.exeSuffix;
  return ["pypy3", "pypy", "python", `python${v.major}`, `python${v.major}.${v.minor}`].map((n) => n + suffix);
}

function notPyPy3(info: PythonInfo): string | undefined {
  if (info.implementation !== "PyPy") return `it creates PyPy environments, not ${info.implementation}`;
  if (info.versionInfo.major !== 3) return `it creates PyPy 3 environments, not Python ${info.versionInfo.major}`;
  return undefined;
}

/** PyPy's shared libraries from the folder of the real executable. */
function sharedLibs(input: CreatorInput, layout: VenvLayout, pattern: RegExp): FileRef[] {
  const p = input.platform.path;
  const dir = p.dirname(input.host.realPath(input.python.info.systemExecutable));
  return input.host.list(dir).filter((name) => pattern.test(name)).map((name) => ({
    source: p.join(dir, name),
    path: p.join(layout.binDir, name),
  }));
}

/** A portable build's `lib/` entries other than the stdlib (Tcl/Tk, OpenSSL, ...), or those its deps file lists. */
function portableLibs(input: CreatorInput): FileRef[] {
  const info = input.python.info;
  if (info.basePrefix === "/usr") return [];
  const p = input.platform.path;
  const hostLib = p.join(info.basePrefix, "lib");
  if (!input.host.isDir(hostLib)) return [];
  const deps = input.host.readText(p.join(hostLib, "PYPY_PORTABLE_DEPS.txt"));
  const listed = deps === undefined
    ? input.host.list(hostLib).filter((name) => p.join(hostLib, name) !== info.stdlib)
    : deps.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  const names = listed.filter((name) =>
    input.host.isFile(p.join(hostLib, name)) || input.host.isDir(p.join(hostLib, name))
  );
  return names.map((name) => ({
    source: p.join(hostLib, name),
    path: p.join(input.dest, "lib", name),
    tree: input.host.isDir(p.join(hostLib, name)),
  }));
}

/** The `pypy3-posix` creator. */
export const pypy3Posix: Creator = builtinCreator({
  name: "pypy3-posix",
  displayName: "PyPy3Posix",
  exeStem: "pypy3",
  os: "posix",
  cannotCreate: (info: PythonInfo) => notPyPy3(info),
  executables: (input) => [{ source: input.python.info.systemExecutable, names: pypyNames(input) }],
  refs: (input, layout) => [...sharedLibs(input, layout, /^libpypy3.*\.(so|dylib)/), ...portableLibs(input)],
});

/** The `pypy3-win` creator. */
export const pypy3Win: Creator = builtinCreator({
  name: "pypy3-win",
  displayName: "Pypy3Windows",
  exeStem: "pypy3",
  os: "windows",
  cannotCreate: (info: PythonInfo) => notPyPy3(info),
  // PyPy has no venv launcher: the executable and every DLL of its folder are needed.
  executables: (input) => [{ source: input.python.info.systemExecutable, names: pypyNames(input) }],
  refs: (input, layout) => sharedLibs(input, layout, /\.dll$/i),
});
