/**
 * Discovery for library users: find one interpreter, or list them all, with the same rules and cache as the CLI.
 *
 * @module
 */
import { discoveryContext } from "./create.ts";
import { findPython as find, type ListedPython, listPythons as list } from "./discovery/find.ts";
import type { FoundPython } from "./discovery/py_info.ts";

/** Options for {@linkcode findPython} and {@linkcode listPythons}. */
export interface FindPythonOptions {
  /** Interpreters to try before searching. @default {[]} */
  readonly tryFirstWith?: readonly string[] | undefined;
  /** The app-data folder holding the interpreter cache. @default {the platform cache folder for mkvenv} */
  readonly appData?: string | undefined;
  /** Folder relative paths and `.python-version` lookups start from. @default {Deno.cwd()} */
  readonly cwd?: string | undefined;
  /** Environment variables to use instead of the process's. */
  readonly env?: Readonly<Record<string, string>> | undefined;
  /** Receives debug messages (skipped candidates and why). */
  readonly debug?: ((message: string) => void) | undefined;
}

function specList(spec: string | readonly string[] | undefined): readonly string[] {
  return spec === undefined ? [] : typeof spec === "string" ? [spec] : spec;
}

/**
 * Finds the interpreter for a spec (or the first of several that finds one); with none, the default: the nearest
 * `.python-version`, else `python3`, else `python` on PATH. Throws {@linkcode MkvenvError} when nothing matches.
 *
 * @example Usage
 * ```ts ignore
 * import { findPython } from "@mkvenv/mkvenv";
 * const python = await findPython(">=3.11");
 * console.log(python.path, python.info.versionInfo);
 * ```
 */
export function findPython(
  spec?: string | readonly string[],
  options: FindPythonOptions = {},
): Promise<FoundPython> {
  return find(specList(spec), discoveryContext(options));
}

/**
 * Lists every interpreter found (for the spec, if given), marking the one {@linkcode findPython} would return.
 *
 * @example Usage
 * ```ts ignore
 * import { listPythons } from "@mkvenv/mkvenv";
 * for (const p of await listPythons()) console.log(p.selected ? "*" : " ", p.path);
 * ```
 */
export function listPythons(
  spec?: string | readonly string[],
  options: FindPythonOptions = {},
): Promise<ListedPython[]> {
  return list(specList(spec), discoveryContext(options));
}
