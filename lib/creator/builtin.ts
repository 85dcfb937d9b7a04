/**
 * The one mechanism behind every builtin creator: a creator names the interpreter executables and the other files of
 * the base install an environment needs ({@linkcode ExecutableRef}, {@linkcode FileRef}), and
 * {@linkcode builtinCreator} turns them into a plan that links or copies each, writes `pyvenv.cfg`, and adds what
 * every environment gets (folders, the distutils patch for old Pythons, stdlib venv's `lib64` link).
 *
 * @module
 */
import type { PythonInfo } from "../discovery/py_info.ts";
import type { Platform } from "../platform.ts";
import type { PlanOp } from "../plan/ops.ts";
import {
  type Creator,
  type CreatorInput,
  pyvenvCfgEntries,
  pyvenvCfgOp,
  schemeLayout,
  type VenvLayout,
} from "./creator.ts";
import { DISTUTILS_PATCH_SCRIPT } from "./distutils_patch_script.gen.ts";

/** An interpreter executable of the base install and the names it gets in the environment's bin folder. */
export interface ExecutableRef {
  /** The file to link or copy (absolute). */
  readonly source: string;
  /** Names in the bin folder. The first links to `source`; the others link to the first (or all are copies). */
  readonly names: readonly string[];
  /** Always copy, whatever the environment's mode (Windows launchers cannot be links). */
  readonly mustCopy?: boolean | undefined;
  /** Skip when the source is missing (`pythonw.exe` of some builds). */
  readonly optional?: boolean | undefined;
  /** Mach-O library name to rewrite in copies (macOS framework builds). */
  readonly rewriteDylib?: { readonly from: string; readonly to: string } | undefined;
  /** Re-sign copies ad hoc (macOS: a rewritten Mach-O loses its signature). */
  readonly adhocSign?: boolean | undefined;
}

/** Another file or folder of the base install the environment needs. */
export interface FileRef {
  /** The file or folder to link or copy (absolute). */
  readonly source: string;
  /** Where it goes in the environment (absolute). */
  readonly path: string;
  /** `copies`: only when the interpreter is copied (a copied interpreter needs its shared library beside it). */
  readonly when?: "always" | "copies" | undefined;
  /** Link or copy regardless of the environment's mode. */
  readonly must?: "copy" | "symlink" | undefined;
  /** The source is a folder. */
  readonly tree?: boolean | undefined;
}

/** What a builtin creator declares; {@linkcode builtinCreator} does the rest. */
export interface BuiltinSpec {
  /** The name `--creator` takes. */
  readonly name: string;
  /** virtualenv's class name for the same creator, used in the report. */
  readonly displayName: string;
  /** The environment's main interpreter, without `.exe` (`python`, `pypy3`, `graalpy`). */
  readonly exeStem: string;
  /** The operating system family the layout is for. */
  readonly os: "posix" | "windows";
  /** Why it cannot handle `info` on `platform`, or undefined when it can. */
  cannotCreate(info: PythonInfo, platform: Platform): string | undefined;
  /** Why it cannot copy the interpreter, if so. */
  cannotCopy?(info: PythonInfo): string | undefined;
  /** Why it cannot link the interpreter, if so. */
  cannotLink?(info: PythonInfo): string | undefined;
  /** The executables, main interpreter first. */
  executables(input: CreatorInput): ExecutableRef[];
  /** Other files of the base install the environment needs. */
  refs?(input: CreatorInput, layout: VenvLayout): FileRef[];
  /** Adjusts the `pyvenv.cfg` entries (GraalPy's `home`, its Windows launcher key). */
  cfg?(input: CreatorInput, entries: [string, string][]): [string, string][];
}

/** Name and content of the configuration patch, and the `.pth` line that loads it at start-up. */
const DISTUTILS_PATCH_MODULE = "_virtualenv";

/**
 * Whether an environment for `info` gets the distutils/setuptools configuration patch: Pythons before 3.10, whose
 * distutils would let a user's or the system's `distutils.cfg`/`setup.cfg` redirect installs out of the environment.
 */
export function needsDistutilsPatch(info: PythonInfo): boolean {
  return info.versionInfo.major === 3 && info.versionInfo.minor < 10;
}

/** The operations that install the distutils configuration patch into `purelib`, when the target needs it. */
export function distutilsPatchOps(input: CreatorInput, layout: VenvLayout): PlanOp[] {
  if (!needsDistutilsPatch(input.python.info)) return [];
  const p = input.platform.path;
  return [
    { op: "write", path: p.join(layout.purelib, `${DISTUTILS_PATCH_MODULE}.py`), content: DISTUTILS_PATCH_SCRIPT },
    { op: "write", path: p.join(layout.purelib, `${DISTUTILS_PATCH_MODULE}.pth`), content: "import _virtualenv" },
  ];
}

/** stdlib venv's rule: a 64-bit POSIX environment (not macOS) gets `lib64 -> lib`, unless something is there. */
export function lib64Ops(input: CreatorInput): PlanOp[] {
  const info = input.python.info;
  if (input.platform.isWindows || info.bits !== 64 || info.platform === "darwin") return [];
  if (!/^lib[\\/]/.test(info.venvPaths.purelib)) return [];
  const path = input.platform.path.join(input.dest, "lib64");
  return [{ op: "symlink", path, target: "lib", ifAbsent: true, optional: true }];
}

/** The folders every environment has, parents first, each once. */
export function layoutDirs(layout: VenvLayout): string[] {
  return [...new Set([layout.dest, layout.binDir, layout.purelib, layout.platlib, layout.include])];
}

function executableOps(input: CreatorInput, layout: VenvLayout, ref: ExecutableRef): PlanOp[] {
  const p = input.platform.path;
  if (ref.optional && !input.host.isFile(ref.source)) return [];
  const [main, ...aliases] = ref.names;
  if (main === undefined) return [];
  if (input.symlinks && !ref.mustCopy) {
    // Aliases point at the main name, relatively, so the environment keeps working when moved as a whole.
    return [
      { op: "symlink", path: p.join(layout.binDir, main), target: ref.source },
      ...aliases.map((alias): PlanOp => ({ op: "symlink", path: p.join(layout.binDir, alias), target: main })),
    ];
  }
  return ref.names.map((name): PlanOp => ({
    op: "copy",
    path: p.join(layout.binDir, name),
    source: ref.source,
    mode: 0o755,
    rewriteDylib: ref.rewriteDylib,
    adhocSign: ref.adhocSign,
  }));
}

function fileRefOp(input: CreatorInput, ref: FileRef): PlanOp | undefined {
  const link = ref.must === "symlink" || (ref.must !== "copy" && input.symlinks);
  if (ref.when === "copies" && link) return undefined;
  if (link) return { op: "symlink", path: ref.path, target: ref.source };
  return { op: "copy", path: ref.path, source: ref.source, ...(ref.tree ? { tree: true } : {}) };
}

/** Builds a {@linkcode Creator} from a {@linkcode BuiltinSpec}. */
export function builtinCreator(spec: BuiltinSpec): Creator {
  return {
    name: spec.name,
    displayName: spec.displayName,
    cannotCreate: (info, platform) =>
      spec.cannotCreate(info, platform) ??
        ((spec.os === "windows") === (info.osName === "nt" && platform.isWindows)
          ? undefined
          : `it creates ${spec.os === "windows" ? "Windows" : "POSIX"} environments`),
    cannotCopy: (info) => spec.cannotCopy?.(info),
    cannotLink: (info) => spec.cannotLink?.(info),
    layout: (input) => schemeLayout(input, spec.exeStem + input.platform.exeSuffix),
    plan(input, layout) {
      const p = input.platform.path;
      const entries = pyvenvCfgEntries(input);
      const dirs = layoutDirs(layout);
      // pyvenv.cfg first: a run cut short leaves a folder mkvenv recognises as its own, which --clear may empty.
      const ops: PlanOp[] = [
        ...dirs.map((path): PlanOp => ({ op: "mkdir", path })),
        pyvenvCfgOp(layout, spec.cfg ? spec.cfg(input, entries) : entries),
      ];
      for (const ref of spec.executables(input)) ops.push(...executableOps(input, layout, ref));
      for (const ref of spec.refs?.(input, layout) ?? []) {
        const op = fileRefOp(input, ref);
        if (!op) continue;
        const parent = p.dirname(ref.path);
        if (!dirs.includes(parent)) {
          dirs.push(parent);
          ops.push({ op: "mkdir", path: parent });
        }
        ops.push(op);
      }
      ops.push(...distutilsPatchOps(input, layout), ...lib64Ops(input));
      return ops;
    },
  };
}
