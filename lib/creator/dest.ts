/**
 * Checks and inspects the destination before anything is planned: the only reads of DEST outside the executor.
 *
 * @module
 */
import { lstatOrUndefined } from "../app_data.ts";
import { usageError } from "../errors.ts";
import type { PlanOp } from "../plan/ops.ts";
import type { Platform } from "../platform.ts";

/** What is at the destination now. */
export interface DestState {
  /** Absolute destination, with symlinks in its existing part resolved. */
  readonly path: string;
  /** Whether the folder exists. */
  readonly exists: boolean;
  /** The outermost folder of the path that does not exist yet (DEST or an ancestor): what a failed run removes. */
  readonly firstMissing?: string | undefined;
  /** Whether it exists and holds nothing. */
  readonly isEmpty: boolean;
  /** Whether it exists and holds a `pyvenv.cfg` (a virtual environment, ours or another tool's). */
  readonly isVenv: boolean;
  /**
   * In an existing environment, the files and links an interpreter layout puts there (`bin/python3.12`,
   * `Scripts\python.exe`, `lib/libpython3.12.so.1.0`, ...): a rerun for another interpreter removes those it does
   * not make again.
   */
  readonly interpreterFiles: readonly string[];
}

/** The longest existing part of an absolute path, its information, and the missing names after it. */
function existingPart(
  absolute: string,
  platform: Platform,
): { existing: string; info: Deno.FileInfo | undefined; rest: string[] } {
  const p = platform.path;
  let existing = absolute;
  const rest: string[] = [];
  let info = lstatOrUndefined(existing);
  while (!info) {
    const parent = p.dirname(existing);
    if (parent === existing) break;
    rest.unshift(p.basename(existing));
    existing = parent;
    info = lstatOrUndefined(existing);
  }
  return { existing, info, rest };
}

/**
 * An absolute path with the symbolic links of its existing part resolved, as {@linkcode inspectDest} resolves the
 * destination's, so the two compare; the path as given where that part cannot be resolved.
 */
export function resolvedPath(absolute: string, platform: Platform): string {
  const { existing, info, rest } = existingPart(absolute, platform);
  try {
    return info ? platform.path.join(Deno.realPathSync(existing), ...rest) : absolute;
  } catch {
    return absolute;
  }
}

/** Names of interpreter executables and launchers in a bin folder. */
const INTERPRETER_NAME = /^(python|pythonw|pypy|pypyw|graalpy)(\d+(\.\d+)?t?)?(_d)?(\.exe)?$/i;
/** Runtime libraries a copied interpreter brings into `lib/` or the bin folder. */
const RUNTIME_LIBRARY = /^((libpython|libpypy|libpythonvm|pythonvm).*\.(so(\.[\d.]+)?|dylib|dll)|python\d+\.dll)$/i;

function interpreterFilesIn(dest: string, platform: Platform): string[] {
  const p = platform.path;
  const found: string[] = [];
  const binFile = (name: string): boolean => INTERPRETER_NAME.test(name) || RUNTIME_LIBRARY.test(name);
  const libFile = (name: string): boolean => RUNTIME_LIBRARY.test(name);
  for (const [dir, wanted] of [["bin", binFile], ["Scripts", binFile], ["lib", libFile]] as const) {
    let entries: Deno.DirEntry[] = [];
    try {
      entries = [...Deno.readDirSync(p.join(dest, dir))];
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (!entry.isDirectory && wanted(entry.name)) found.push(p.join(dest, dir, entry.name));
    }
  }
  return found.sort();
}

/**
 * Whether this process may create entries in a folder, from its permission bits (`node:fs` access() would cost 15 ms
 * of start-up). Deno does not expose supplementary groups, so a group-writable folder of another group passes here
 * and a real refusal surfaces when writing, with a message naming the path; so does a read-only mount.
 */
function writable(info: Deno.FileInfo): boolean {
  let uid: number | null;
  try {
    uid = Deno.uid();
  } catch {
    return true; // a host program that was not granted --allow-sys=uid: the write itself will tell
  }
  if (uid === null || info.mode === null || uid === 0) return true;
  if (info.uid === uid) return (info.mode & 0o200) !== 0;
  return (info.mode & 0o022) !== 0;
}

/**
 * Validates `raw` (relative to `cwd`) as a destination and reports its state. Usage errors (exit 2): the path
 * contains the PATH-list separator, is an existing file or a broken link, or no existing ancestor is writable.
 */
export function inspectDest(raw: string, cwd: string, platform: Platform): DestState {
  const p = platform.path;
  if (raw === "") throw usageError("The destination is empty", "pass the folder to create, e.g. .venv");
  if (raw.includes(platform.pathListSeparator)) {
    throw usageError(
      `The destination "${raw}" must not contain the path separator (${platform.pathListSeparator}) as this ` +
        "would break the activation scripts",
      "choose a folder name without it",
    );
  }
  let absolute = p.resolve(cwd, raw);
  // Walk up to the first part that exists, resolve its symlinks, and put the rest back.
  const { existing, info, rest } = existingPart(absolute, platform);
  if (info?.isSymlink) {
    try {
      Deno.statSync(existing);
    } catch {
      throw usageError(`The destination "${existing}" is a broken symbolic link`, "remove it or choose another path");
    }
  }
  const resolvedExisting = info ? Deno.realPathSync(existing) : existing;
  absolute = p.join(resolvedExisting, ...rest);
  const stat = info ? Deno.statSync(resolvedExisting) : undefined;
  if (stat && !stat.isDirectory) {
    throw usageError(
      rest.length
        ? `The destination "${absolute}" cannot be created: "${resolvedExisting}" is a file`
        : `The destination "${absolute}" already exists and is a file`,
      "choose another path, or remove the file",
    );
  }
  if (!writable(stat!)) {
    throw usageError(
      rest.length
        ? `The destination "${absolute}" cannot be created: "${resolvedExisting}" is not writable`
        : `The destination "${absolute}" is not writable`,
      "choose a destination in a folder you can write to",
    );
  }
  if (rest.length) {
    const firstMissing = p.join(resolvedExisting, rest[0]!);
    return { path: absolute, exists: false, firstMissing, isEmpty: false, isVenv: false, interpreterFiles: [] };
  }
  let isEmpty = true;
  try {
    for (const _ of Deno.readDirSync(absolute)) {
      isEmpty = false;
      break;
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.PermissionDenied)) throw e;
    throw usageError(`The destination "${absolute}" cannot be read: permission denied`, "fix its permissions");
  }
  const cfg = lstatOrUndefined(p.join(absolute, "pyvenv.cfg"));
  const isVenv = cfg?.isFile ?? false;
  return {
    path: absolute,
    exists: true,
    isEmpty,
    isVenv,
    interpreterFiles: isVenv ? interpreterFilesIn(absolute, platform) : [],
  };
}

/**
 * The files (and links) a plan would replace, and what it would remove, that exist now, at most `limit` of them, in
 * plan order: in a folder that is not a virtual environment, they are the user's (or an interpreter's own, when the
 * destination is its prefix or the file system's root), not a previous environment's. Folders a plan makes are
 * merged, not replaced. A program the plan runs counts with what it declares it writes.
 */
export function filesReplaced(ops: readonly PlanOp[], platform: Platform, limit = 5): string[] {
  const p = platform.path;
  const found = new Set<string>();
  const check = (file: string, folderToo = false): boolean => {
    const info = lstatOrUndefined(file);
    if (info && (folderToo || !info.isDirectory)) found.add(file);
    return found.size >= limit;
  };
  for (const op of ops) {
    switch (op.op) {
      case "write":
      case "symlink":
        if (!op.ifAbsent && check(op.path)) return [...found];
        break;
      case "copy":
        if (check(op.path)) return [...found];
        break;
      case "remove":
        if (check(op.path, true)) return [...found];
        break;
      case "run":
        for (const file of op.writes ?? []) if (check(file, true)) return [...found];
        break;
      case "installTree": {
        // Each top-level name first: a tree whose names are all absent (the usual case) costs a few looks, not one
        // per file.
        const present = new Set(
          [...new Set(op.files.map((f) => f.split("/")[0]!))].filter((top) => lstatOrUndefined(p.join(op.path, top))),
        );
        for (const file of op.files) {
          if (present.has(file.split("/")[0]!) && check(p.join(op.path, file))) return [...found];
        }
        break;
      }
    }
  }
  return [...found];
}
