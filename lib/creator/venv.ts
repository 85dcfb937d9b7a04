/**
 * The `venv` creator: lets the target interpreter's own `python -m venv --without-pip` lay out the environment,
 * then adds what mkvenv adds to every environment (its `pyvenv.cfg` keys, the shared libpython of a copied
 * interpreter, the distutils patch for old Pythons); seeding, activators and ignore files follow as for any creator.
 *
 * @module
 */
import type { PlanOp } from "../plan/ops.ts";
import { distutilsPatchOps, layoutDirs } from "./builtin.ts";
import { type Creator, type CreatorInput, pyvenvCfgEntries, schemeLayout, type VenvLayout } from "./creator.ts";
import { isMacFramework, sharedLibpythonRef } from "./cpython_posix.ts";
import { isStorePython } from "./cpython_win.ts";

/** Keys whose value `python -m venv` decides; mkvenv's own keys are added around them. */
const VENV_OWNED_KEYS = ["home", "version", "executable", "command", "include-system-site-packages"];

/** The command that creates the environment. */
export function venvArgv(input: CreatorInput): string[] {
  const info = input.python.info;
  const modern = info.versionInfo.major > 3 || info.versionInfo.minor >= 13;
  return [
    info.systemExecutable,
    // Isolated: no PYTHON* variables, no user site, and no module of the current folder shadowing venv.
    "-I",
    "-m",
    "venv",
    "--without-pip",
    // mkvenv writes its own ignore file (or none, with --no-vcs-ignore).
    ...(modern ? ["--without-scm-ignore-files"] : []),
    ...(input.systemSitePackages ? ["--system-site-packages"] : []),
    // venv's own activation scripts show it.
    ...(input.prompt !== undefined ? ["--prompt", input.prompt] : []),
    input.symlinks ? "--symlinks" : "--copies",
    input.dest,
  ];
}

/** The `venv` creator. */
export const venvCreator: Creator = {
  name: "venv",
  displayName: "Venv",
  cannotCreate(info) {
    if (info.versionInfo.major !== 3) return `it creates Python 3 environments, not Python ${info.versionInfo.major}`;
    if (!info.hasVenv) {
      return "the interpreter has no venv module" +
        (info.systemExecutable.startsWith("/usr/") ? " (on Debian and Ubuntu: apt install python3-venv)" : "");
    }
    return undefined;
  },
  cannotLink: (info) =>
    isStorePython(info) ? "Windows Store Python does not support virtual environments via symlink" : undefined,
  cannotCopy(info) {
    // PyPy's venv --copies copies every entry of <prefix>/lib but the stdlib: for a /usr install, all of /usr/lib.
    if (info.implementation === "PyPy" && info.basePrefix === "/usr") {
      return "PyPy's venv module would copy all of /usr/lib into the environment";
    }
    // A copied framework interpreter needs its library reference rewritten, which venv does not do.
    if (isMacFramework(info)) return "venv cannot copy Apple's framework Python (use --creator builtin)";
    return undefined;
  },
  layout: (input: CreatorInput): VenvLayout => schemeLayout(input, "python" + input.platform.exeSuffix),
  plan(input, layout) {
    const p = input.platform.path;
    const { minor } = input.python.info.versionInfo;
    const names = input.platform.isWindows ? ["python.exe", "pythonw.exe"] : ["python", "python3", `python3.${minor}`];
    const writes = names.map((name) => p.join(layout.binDir, name));
    const ops: PlanOp[] = [{ op: "run", path: input.dest, argv: venvArgv(input), writes }];
    ops.push(...layoutDirs(layout).map((path): PlanOp => ({ op: "mkdir", path })));
    if (!input.symlinks && input.python.info.implementation === "CPython" && !input.platform.isWindows) {
      for (const ref of sharedLibpythonRef(input)) {
        ops.push({ op: "mkdir", path: p.dirname(ref.path) }, { op: "copy", path: ref.path, source: ref.source });
      }
    }
    ops.push(...distutilsPatchOps(input, layout));
    // venv's own values for the keys it writes; virtualenv's base-* keys are builtin-only.
    const entries = pyvenvCfgEntries(input).filter(([key]) => !key.startsWith("base-"));
    ops.push({ op: "mergeCfg", path: layout.pyvenvCfg, entries, keepExisting: VENV_OWNED_KEYS });
    return ops;
  },
};
