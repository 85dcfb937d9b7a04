/**
 * CPython on POSIX: Linux and the macOS builds that are neither Apple's framework nor Homebrew's (python.org, pyenv,
 * uv). `bin/python` links to the base interpreter, `python3` and `python3.X` link to `python`; copies bring the
 * shared libpython along, as a copied interpreter looks for it relative to itself.
 *
 * @module
 */
import type { PythonInfo } from "../discovery/py_info.ts";
import { builtinCreator, type FileRef } from "./builtin.ts";
import type { Creator, CreatorInput } from "./creator.ts";

/** Executable names an environment offers for a CPython interpreter, `python` first. */
export function interpreterNames(input: CreatorInput): string[] {
  const info = input.python.info;
  const v = info.versionInfo;
  const names = ["python", `python${v.major}`, `python${v.major}.${v.minor}`];
  if (info.freeThreaded) names.push(`python${v.major}.${v.minor}t`);
  names.push(input.platform.path.basename(info.systemExecutable));
  return [...new Set(names)];
}

/** Why `info` is not a CPython 3 interpreter, or undefined when it is (the OS is checked by builtinCreator). */
export function notCPython3(info: PythonInfo): string | undefined {
  if (info.implementation !== "CPython") return `it creates CPython environments, not ${info.implementation}`;
  if (info.versionInfo.major !== 3) return `it creates Python 3 environments, not Python ${info.versionInfo.major}`;
  return undefined;
}

/** Apple's framework build (Xcode and the Command Line Tools), whose interpreter lives in `Python3.framework`. */
export function isMacFramework(info: PythonInfo): boolean {
  return info.platform === "darwin" && info.configVars.PYTHONFRAMEWORK === "Python3";
}

const BREW_PREFIX = new RegExp(
  String.raw`^/(usr/local|opt/homebrew)/(opt/python@3\.\d{1,2}|Cellar/python@3\.\d{1,2}/3\.\d{1,2}\.\d{1,2})/` +
    String.raw`Frameworks/Python\.framework/Versions/3\.\d{1,2}$`,
);

/** A Homebrew build: its prefix is inside Homebrew's cellar or `opt` links. */
export function isMacBrew(info: PythonInfo): boolean {
  return info.platform === "darwin" && BREW_PREFIX.test(info.basePrefix);
}

/** The shared libpython a copied interpreter needs in `DEST/lib`, when the build has one. */
export function sharedLibpythonRef(input: CreatorInput): FileRef[] {
  const { Py_ENABLE_SHARED: shared, INSTSONAME: soname, LIBDIR: libdir } = input.python.info.configVars;
  if (shared !== 1 || !soname || !libdir) return [];
  const p = input.platform.path;
  const source = p.join(libdir, soname);
  if (!input.host.isFile(source)) return [];
  // A copied interpreter of a shared build loads libpython relative to itself ($ORIGIN/../lib).
  return [{ source, path: p.join(input.dest, "lib", soname), when: "copies" }];
}

/** The `cpython3-posix` creator. */
export const cpython3Posix: Creator = builtinCreator({
  name: "cpython3-posix",
  displayName: "CPython3Posix",
  exeStem: "python",
  os: "posix",
  cannotCreate(info) {
    const reason = notCPython3(info);
    if (reason) return reason;
    if (isMacFramework(info)) return "Apple's framework Python needs cpython3-mac-framework";
    if (isMacBrew(info)) return "Homebrew's Python needs cpython3-mac-brew";
    return undefined;
  },
  executables: (input) => [{ source: input.python.info.systemExecutable, names: interpreterNames(input) }],
  refs: sharedLibpythonRef,
});
