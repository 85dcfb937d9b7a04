/**
 * The creators mkvenv knows, in `builtin` preference order, and the selection rule.
 *
 * @module
 */
import { MkvenvError, usageError } from "../errors.ts";
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

/** The names `--creator` accepts. */
export function creatorNames(): string[] {
  return ["builtin", ...CREATORS.map((c) => c.name)];
}

/** Throws a usage error unless `name` is `builtin` or a known creator. */
export function checkCreatorName(name: string): void {
  if (name !== "builtin" && !CREATORS.some((c) => c.name === name)) {
    throw usageError(`Unknown creator "${name}"`, `choose one of: ${creatorNames().join(", ")}`);
  }
}

/**
 * Picks the creator: `builtin` means the first in {@linkcode CREATORS} that can handle the interpreter. Asking for
 * an unknown creator is a usage error; asking for one that cannot handle the interpreter says why.
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
  const creator = CREATORS.find((c) => c.name === name)!;
  const reason = creator.cannotCreate(info, platform);
  if (reason !== undefined) {
    throw new MkvenvError(`Creator "${name}" cannot make an environment for ${specString(info)}: ${reason}`, {
      hint: "use --creator builtin to pick one that can",
    });
  }
  return creator;
}
