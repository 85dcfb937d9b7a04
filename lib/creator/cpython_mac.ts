/**
 * CPython on macOS from Apple (the framework build of Xcode and the Command Line Tools) and from Homebrew.
 *
 * Apple's `bin/python3` is a stub; the real interpreter is `Resources/Python.app/Contents/MacOS/Python`, which loads
 * the framework library at `@executable_path/../../../../Python3`. An environment links that interpreter, or copies
 * it with the library reference rewritten to `@executable_path/../.Python` (a link to the framework library in the
 * environment) and re-signs the copy. Homebrew's builds break when copied, so that creator only links.
 *
 * @module
 */
import { builtinCreator } from "./builtin.ts";
import type { Creator } from "./creator.ts";
import { interpreterNames, isMacBrew, isMacFramework, notCPython3, sharedLibpythonRef } from "./cpython_posix.ts";

/** The framework library reference of Apple's interpreter, and what a copy in an environment uses instead. */
export const FRAMEWORK_DYLIB = {
  from: "@executable_path/../../../../Python3",
  to: "@executable_path/../.Python",
} as const;

/** The `cpython3-mac-framework` creator. */
export const cpython3MacFramework: Creator = builtinCreator({
  name: "cpython3-mac-framework",
  displayName: "CPython3macOsFramework",
  exeStem: "python",
  os: "posix",
  cannotCreate(info) {
    return notCPython3(info) ??
      (isMacFramework(info) ? undefined : "it creates environments for Apple's framework Python (Python3.framework)");
  },
  executables(input) {
    const p = input.platform.path;
    const prefix = input.python.info.basePrefix;
    return [{
      source: p.join(prefix, "Resources", "Python.app", "Contents", "MacOS", "Python"),
      names: interpreterNames(input),
      rewriteDylib: FRAMEWORK_DYLIB,
      adhocSign: true,
    }];
  },
  refs(input) {
    const p = input.platform.path;
    return [{
      source: p.join(input.python.info.basePrefix, "Python3"),
      path: p.join(input.dest, ".Python"),
      must: "symlink",
    }];
  },
});

/** Why Homebrew's builds are link-only. */
export const BREW_COPY_ERROR = "Brew disables copy creation: https://github.com/Homebrew/homebrew-core/issues/138159";

/** The `cpython3-mac-brew` creator. */
export const cpython3MacBrew: Creator = builtinCreator({
  name: "cpython3-mac-brew",
  displayName: "CPython3macOsBrew",
  exeStem: "python",
  os: "posix",
  cannotCreate(info) {
    return notCPython3(info) ?? (isMacBrew(info) ? undefined : "it creates Homebrew Python environments");
  },
  cannotCopy: () => BREW_COPY_ERROR,
  executables: (input) => [{ source: input.python.info.systemExecutable, names: interpreterNames(input) }],
  refs: sharedLibpythonRef,
});
