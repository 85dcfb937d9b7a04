/**
 * GraalPy on POSIX and Windows. The environment offers `graalpy`, `python`, `python3` and `python3.X`; GraalPy's
 * native library (`lib/libpythonvm.so`, `.dylib` or `pythonvm.dll`) goes to `DEST/lib`, and a JVM build's `jvm`,
 * `jvmlibs` and `modules` folders to the environment's root, where the launcher looks for them.
 *
 * @module
 */
import type { PythonInfo } from "../discovery/py_info.ts";
import { builtinCreator, type FileRef } from "./builtin.ts";
import type { Creator, CreatorInput } from "./creator.ts";

function notGraalPy(info: PythonInfo): string | undefined {
  return info.implementation === "GraalPy" || info.implementation === "GraalVM"
    ? undefined
    : `it creates GraalPy environments, not ${info.implementation}`;
}

function names(input: CreatorInput): string[] {
  const v = input.python.info.versionInfo;
  return ["graalpy", "python", `python${v.major}`, `python${v.major}.${v.minor}`].map((n) =>
    n + input.platform.exeSuffix
  );
}

/** The install's root: the real executable's folder, or its parent when that is `bin`/`Scripts`. */
function installRoot(input: CreatorInput): string {
  const p = input.platform.path;
  const dir = p.dirname(input.host.realPath(input.python.info.systemExecutable));
  return ["bin", "Scripts"].includes(p.basename(dir)) ? p.dirname(dir) : dir;
}

function refs(input: CreatorInput): FileRef[] {
  const p = input.platform.path;
  const root = installRoot(input);
  const libName = input.platform.isWindows
    ? "pythonvm.dll"
    : input.python.info.platform === "darwin"
    ? "libpythonvm.dylib"
    : "libpythonvm.so";
  const out: FileRef[] = [];
  const lib = p.join(root, "lib", libName);
  if (input.host.isFile(lib)) out.push({ source: lib, path: p.join(input.dest, "lib", libName) });
  for (const dir of ["jvm", "jvmlibs", "modules"]) {
    const source = p.join(root, dir);
    if (input.host.isDir(source)) out.push({ source, path: p.join(input.dest, dir), tree: true });
  }
  return out;
}

/** GraalPy 24.0 and older (Python 3.10) expect `home` without the trailing `bin`. */
function oldHome(input: CreatorInput, entries: [string, string][]): [string, string][] {
  if (input.python.info.versionInfo.minor > 10) return entries;
  const p = input.platform.path;
  return entries.map(([key, value]) =>
    key === "home" && p.basename(value) === "bin" ? [key, p.dirname(value)] : [key, value]
  );
}

/** The `graalpy-posix` creator. */
export const graalpyPosix: Creator = builtinCreator({
  name: "graalpy-posix",
  displayName: "GraalPyPosix",
  exeStem: "graalpy",
  os: "posix",
  cannotCreate: (info: PythonInfo) => notGraalPy(info),
  executables: (input) => [{ source: input.python.info.systemExecutable, names: names(input) }],
  refs,
  cfg: oldHome,
});

/** The `graalpy-win` creator. */
export const graalpyWin: Creator = builtinCreator({
  name: "graalpy-win",
  displayName: "GraalPyWindows",
  exeStem: "graalpy",
  os: "windows",
  cannotCreate: (info: PythonInfo) => notGraalPy(info),
  executables: (input) => [{ source: input.python.info.systemExecutable, names: names(input) }],
  refs,
  // GraalPy's Windows launcher reads the interpreter to start from this key.
  cfg: (input, entries) => [...oldHome(input, entries), ["venvlauncher_command", input.python.info.systemExecutable]],
});
