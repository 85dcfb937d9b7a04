/**
 * The creators mkvenv knows, in `builtin` preference order, the ones a program registered, and the selection rule.
 *
 * @module
 */
import { MkvenvError, usageError } from "../errors.ts";
import { type Registration, Registry } from "../registry.ts";
import type { Platform } from "../platform.ts";
import type { PythonInfo } from "../discovery/py_info.ts";
import { specString } from "../discovery/py_info.ts";
import type { Creator } from "./creator.ts";
import { cpython3Posix } from "./cpython_posix.ts";
import { cpython3MacBrew, cpython3MacFramework } from "./cpython_mac.ts";
import { cpython3Win } from "./cpython_win.ts";
import { graalpyPosix, graalpyWin } from "./graalpy.ts";
import { pypy3Posix, pypy3Win } from "./pypy.ts";
import { venvCreator } from "./venv.ts";

/**
 * Every creator, in the order `builtin` tries them. `venv` comes last: `builtin` falls back to it only for
 * interpreters no layout of mkvenv's own fits (the Microsoft Store's Python).
 */
export const CREATORS: Creator[] = [
  cpython3Posix,
  cpython3Win,
  cpython3MacFramework,
  cpython3MacBrew,
  pypy3Posix,
  pypy3Win,
  graalpyPosix,
  graalpyWin,
  venvCreator,
];

const registry = new Registry<Creator>("creator", CREATORS);

/**
 * Adds a creator that `--creator NAME` (and the `creator` option of {@linkcode createVenv}) can then choose. It is
 * never chosen by `builtin`, which picks among mkvenv's own creators, as in virtualenv. The name must be new:
 * neither `builtin` nor one already known.
 *
 * @example Wrap the creator `builtin` picks, adding a file to every environment
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Creator, createVenv, creatorNames, registerCreator, selectCreator } from "@mkvenv/mkvenv";
 * const stamped: Creator = {
 *   name: "stamped",
 *   displayName: "Stamped",
 *   cannotCreate: (info, platform) => {
 *     try {
 *       selectCreator("builtin", info, platform);
 *       return undefined;
 *     } catch (e) {
 *       return e instanceof Error ? e.message : String(e);
 *     }
 *   },
 *   layout: (input) => selectCreator("builtin", input.python.info, input.platform).layout(input),
 *   plan: (input, layout) => [
 *     ...selectCreator("builtin", input.python.info, input.platform).plan(input, layout),
 *     { op: "write", path: input.platform.path.join(layout.dest, "STAMP"), content: "made by stamped\n" },
 *   ],
 * };
 * using _ = registerCreator(stamped);
 * assert.ok(creatorNames().includes("stamped"));
 * const dir = await Deno.makeTempDir();
 * try {
 *   const result = await createVenv({ dest: `${dir}/env`, creator: "stamped", noSeed: true });
 *   assert.equal(result.creator, "stamped");
 *   assert.equal(await Deno.readTextFile(`${dir}/env/STAMP`), "made by stamped\n");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function registerCreator(creator: Creator): Registration {
  return registry.register(creator);
}

/**
 * The names `--creator` accepts: `builtin`, mkvenv's creators, then the registered ones.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { creatorNames } from "@mkvenv/mkvenv";
 * const names = creatorNames();
 * assert.equal(names[0], "builtin"); // the creator that fits the interpreter
 * assert.ok(names.includes("cpython3-posix") && names.includes("venv"));
 * ```
 */
export function creatorNames(): string[] {
  return ["builtin", ...registry.all().map((c) => c.name)];
}

/** Throws a usage error unless `name` is `builtin` or a known creator. */
export function checkCreatorName(name: string): void {
  if (name !== "builtin" && !registry.get(name)) {
    throw usageError(`Unknown creator "${name}"`, `choose one of: ${creatorNames().join(", ")}`);
  }
}

/**
 * Picks the creator: `builtin` means the first of mkvenv's own creators that can handle the interpreter. Asking
 * for an unknown creator is a usage error (exit code 2); asking for one that cannot handle the interpreter says why.
 *
 * @example Which creator `builtin` means for the first `python3` on PATH
 * ```ts
 * import { findPython, hostPlatform, selectCreator } from "@mkvenv/mkvenv";
 * const python = await findPython("python3");
 * const creator = selectCreator("builtin", python.info, hostPlatform());
 * console.log(creator.name); // e.g. cpython3-posix
 * ```
 */
export function selectCreator(name: string, info: PythonInfo, platform: Platform): Creator {
  if (name === "builtin") {
    const reasons: string[] = [];
    for (const creator of CREATORS) {
      const reason = creator.cannotCreate(info, platform);
      if (reason === undefined) return creator;
      reasons.push(`${creator.name}: ${reason}`);
    }
    throw new MkvenvError(`No creator can make an environment for ${specString(info)}: ${reasons.join("; ")}`, {
      hint: "choose another interpreter with -p",
    });
  }
  checkCreatorName(name);
  const creator = registry.get(name)!;
  const reason = creator.cannotCreate(info, platform);
  if (reason !== undefined) {
    throw new MkvenvError(`Creator "${name}" cannot make an environment for ${specString(info)}: ${reason}`, {
      hint: "use --creator builtin to pick one that can",
    });
  }
  return creator;
}
