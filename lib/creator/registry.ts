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

/** Every creator, in the order `builtin` tries them. */
export const CREATORS: Creator[] = [cpython3Posix];

/** Throws a usage error unless `name` is `builtin` or a known creator. */
export function checkCreatorName(name: string): void {
  if (name !== "builtin" && !CREATORS.some((c) => c.name === name)) {
    throw usageError(`Unknown creator "${name}"`, `choose one of: builtin, ${CREATORS.map((c) => c.name).join(", ")}`);
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
