/**
 * CPython on POSIX (Linux, and macOS builds that are neither framework nor Homebrew builds until those creators
 * land): `bin/python` links to the base interpreter, `python3` and `python3.X` link to `python`.
 *
 * @module
 */
import type { PlanOp } from "../plan/ops.ts";
import { type Creator, type CreatorInput, pyvenvCfgOp, schemeLayout, type VenvLayout } from "./creator.ts";

/** Executable names an environment offers for its interpreter, `python` first. */
export function interpreterNames(input: CreatorInput): string[] {
  const info = input.python.info;
  const v = info.versionInfo;
  const names = ["python", `python${v.major}`, `python${v.major}.${v.minor}`];
  if (info.freeThreaded) names.push(`python${v.major}.${v.minor}t`);
  names.push(input.platform.path.basename(info.systemExecutable));
  return [...new Set(names)];
}

/** The `cpython3-posix` creator. */
export const cpython3Posix: Creator = {
  name: "cpython3-posix",
  displayName: "CPython3Posix",
  cannotCreate(info, platform) {
    if (info.implementation !== "CPython") return `it creates CPython environments, not ${info.implementation}`;
    if (info.versionInfo.major !== 3) return `it creates Python 3 environments, not Python ${info.versionInfo.major}`;
    if (info.osName !== "posix" || platform.isWindows) return "it creates POSIX environments";
    return undefined;
  },
  layout(input: CreatorInput): VenvLayout {
    return schemeLayout(input, "python");
  },
  plan(input: CreatorInput, layout: VenvLayout): PlanOp[] {
    const p = input.platform.path;
    const info = input.python.info;
    const dirs = [...new Set([layout.dest, layout.binDir, layout.purelib, layout.platlib, layout.include])];
    // pyvenv.cfg first: a run cut short leaves a folder mkvenv recognises as its own, which --clear may empty.
    const ops: PlanOp[] = [...dirs.map((path): PlanOp => ({ op: "mkdir", path })), pyvenvCfgOp(input, layout)];
    const [main, ...aliases] = interpreterNames(input);
    const mainPath = p.join(layout.binDir, main!);
    if (input.symlinks) {
      ops.push({ op: "symlink", path: mainPath, target: info.systemExecutable });
      for (const alias of aliases) ops.push({ op: "symlink", path: p.join(layout.binDir, alias), target: main! });
    } else {
      for (const name of [main!, ...aliases]) {
        ops.push({ op: "copy", path: p.join(layout.binDir, name), source: info.systemExecutable, mode: 0o755 });
      }
      const { Py_ENABLE_SHARED: shared, INSTSONAME: soname, LIBDIR: libdir } = info.configVars;
      if (shared === 1 && soname && libdir) {
        // A copied interpreter of a shared build may load libpython relative to itself ($ORIGIN/../lib).
        ops.push({ op: "mkdir", path: p.join(layout.dest, "lib") });
        ops.push({
          op: "copy",
          path: p.join(layout.dest, "lib", soname),
          source: p.join(libdir, soname),
          optional: true,
        });
      }
    }
    // stdlib venv's rule: 64-bit POSIX but not macOS gets lib64 -> lib, unless something is there already.
    if (info.bits === 64 && info.platform !== "darwin" && /^lib[\\/]/.test(info.venvPaths.purelib)) {
      ops.push({ op: "symlink", path: p.join(layout.dest, "lib64"), target: "lib", ifAbsent: true });
    }
    return ops;
  },
};
