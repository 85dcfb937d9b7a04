/**
 * mkvenv: create Python virtual environments from Deno, fast, as virtualenv does.
 *
 * - {@linkcode createVenv} creates an environment; {@linkcode describeVenv} plans one (the interpreter, the paths
 *   and every file operation) without touching the destination, though it fills mkvenv's app-data cache as a run
 *   would (interpreter answers, install images); both take an `AbortSignal`.
 * - {@linkcode findPython} and {@linkcode listPythons} search for interpreters as `-p` does.
 * - {@linkcode runCli} is the whole command line, returning the exit code.
 * - Everything a user can cause fails with a {@linkcode MkvenvError} (exit code, message, hint).
 * - Extension points, as virtualenv's plugins: {@linkcode registerDiscoverySource}, {@linkcode registerCreator},
 *   {@linkcode registerSeeder} and {@linkcode registerActivator} add entries that discovery, `--creator`,
 *   `--seeder` and `--activators` (in the library and in {@linkcode runCli}) then offer. Each returns a
 *   {@linkcode Registration} that removes the entry again when disposed.
 *
 * @example Create an environment with the first `python3` on PATH and run its interpreter
 * ```ts
 * import assert from "node:assert/strict";
 * import { createVenv } from "@mkvenv/mkvenv";
 *
 * const dir = await Deno.makeTempDir();
 * try {
 *   const result = await createVenv({ dest: `${dir}/.venv`, python: ["python3"], noSeed: true });
 *   const { stdout } = await new Deno.Command(result.layout.python, {
 *     args: ["-c", "import sys; print(sys.prefix != sys.base_prefix)"],
 *   }).output();
 *   assert.equal(new TextDecoder().decode(stdout).trim(), "True");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
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

// Extension points.
export type { Registration } from "./lib/registry.ts";
export { hostPlatform, type PathModule, type Platform } from "./lib/platform.ts";
export type { Creator, CreatorInput, HostView, VenvLayout } from "./lib/creator/creator.ts";
export { creatorNames, registerCreator, selectCreator } from "./lib/creator/registry.ts";
export type { Activator, ActivatorInput } from "./lib/activator/activator.ts";
export { activatorNames, registerActivator } from "./lib/activator/registry.ts";
export { registerSeeder, type Seeder, type SeederInput, seederNames, type SeedPlan } from "./lib/seeder/registry.ts";
export type { AcquiredWheel, WheelSource } from "./lib/seeder/acquire.ts";
export type { ConsoleScriptEntry, WheelInfo } from "./lib/seeder/wheel_info.ts";
export {
  type DiscoverySource,
  type DiscoverySourceContext,
  discoverySourceNames,
  registerDiscoverySource,
} from "./lib/discovery/sources.ts";
export type { PythonSpec } from "./lib/discovery/spec.ts";
export type {
  Pep440Version,
  PreRelease,
  PreReleaseKind,
  Specifier,
  SpecifierOperator,
  SpecifierSet,
} from "./lib/discovery/pep440.ts";

// `deno run -A jsr:@mkvenv/mkvenv DEST` runs the command line, as `cli.ts` does.
if (import.meta.main) {
  const { endProcess, runCli } = await import("./lib/run_cli.ts");
  endProcess(await runCli(Deno.args, { ownsProcess: true }));
}
