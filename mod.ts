/**
 * mkvenv: create Python virtual environments from Deno, fast, as virtualenv does.
 *
 * @example Create an environment
 * ```ts ignore
 * import { createVenv } from "@mkvenv/mkvenv";
 * const result = await createVenv({ dest: ".venv", python: ["3.12"] });
 * console.log(result.layout.python);
 * ```
 *
 * @module
 */
export {
  createVenv,
  type CreateVenvOptions,
  type CreateVenvResult,
  describeVenv,
  type SeededPackage,
  type VenvDescription,
} from "./lib/create.ts";
export { type CliIo, runCli, type RunCliOptions } from "./lib/run_cli.ts";
export { MkvenvError, type MkvenvErrorOptions } from "./lib/errors.ts";
export type {
  FoundPython,
  PythonConfigVars,
  PythonInfo,
  PythonSource,
  VenvPaths,
  VersionInfo,
} from "./lib/discovery/py_info.ts";
export type { ListedPython } from "./lib/discovery/find.ts";
export type { VenvLayout } from "./lib/creator/creator.ts";
export type {
  ClearOp,
  CopyOp,
  InstallTreeOp,
  MergeCfgOp,
  MkdirOp,
  Plan,
  PlanOp,
  RemoveOp,
  RunOp,
  SymlinkOp,
  WriteOp,
} from "./lib/plan/ops.ts";
export type { DestState } from "./lib/creator/dest.ts";
export { findPython, listPythons } from "./lib/api.ts";
export type { FindPythonOptions } from "./lib/api.ts";
