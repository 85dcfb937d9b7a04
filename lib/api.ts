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
  /** Cancels the search: running interrogations are killed, and the call rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
}

function specList(spec: string | readonly string[] | undefined): readonly string[] {
  return spec === undefined ? [] : typeof spec === "string" ? [spec] : spec;
}

/**
 * Finds the interpreter for a spec (or the first of several that finds one); with none, the default: the nearest
 * `.python-version`, else `python3`, else `python` on PATH. Specs are what `-p` takes: `3.12`, `cpython3.12-64`,
 * `>=3.11`, `python3`, a path. Rejects with a {@linkcode MkvenvError} when nothing matches (exit code 1) or a spec
 * cannot be parsed (exit code 2).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { findPython } from "@mkvenv/mkvenv";
 * const python = await findPython("python3");
 * console.log(python.path, python.source, python.info.versionInfo);
 * assert.equal(python.info.versionInfo.major, 3);
 * ```
 */
export function findPython(
  spec?: string | readonly string[],
  options: FindPythonOptions = {},
): Promise<FoundPython> {
  return find(specList(spec), discoveryContext(options));
}

/**
 * Lists every interpreter found (for the spec, if given; every implementation otherwise), marking the one
 * {@linkcode findPython} would return. Interpreters that fail to answer are left out.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { listPythons } from "@mkvenv/mkvenv";
 * const pythons = await listPythons("3");
 * for (const p of pythons) console.log(p.selected ? "*" : " ", p.path, `(${p.source})`);
 * assert.equal(pythons.filter((p) => p.selected).length, 1);
 * ```
 */
export function listPythons(
  spec?: string | readonly string[],
  options: FindPythonOptions = {},
): Promise<ListedPython[]> {
  return list(specList(spec), discoveryContext(options));
}
