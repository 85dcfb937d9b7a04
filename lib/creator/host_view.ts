/**
 * A read-only view of the base interpreter's install, the one thing creators may look at while planning: which
 * launchers, DLLs and shared libraries exist decides what an environment needs. Planning receives it as an
 * interface, so Windows and macOS installs can be described in memory and planned on Linux.
 *
 * @module
 */

/** Read-only questions a creator asks about files of the base install (absolute paths of the planned OS). */
export interface HostView {
  /** Whether `path` is a regular file (symlinks followed). */
  isFile(path: string): boolean;
  /** Whether `path` is a folder (symlinks followed). */
  isDir(path: string): boolean;
  /** Names of the entries of a folder, sorted; empty when it cannot be read. */
  list(dir: string): string[];
  /** `path` with every symlink resolved; `path` itself when that fails. */
  realPath(path: string): string;
  /** A small text file's content, or undefined when it cannot be read. */
  readText(path: string): string | undefined;
}

function statOrUndefined(path: string): Deno.FileInfo | undefined {
  try {
    return Deno.statSync(path);
  } catch {
    return undefined;
  }
}

/** The view of this machine's file system. */
export const diskHostView: HostView = {
  isFile: (path) => statOrUndefined(path)?.isFile ?? false,
  isDir: (path) => statOrUndefined(path)?.isDirectory ?? false,
  list(dir) {
    try {
      return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    } catch {
      return [];
    }
  },
  realPath(path) {
    try {
      return Deno.realPathSync(path);
    } catch {
      return path;
    }
  },
  readText(path) {
    try {
      return Deno.readTextFileSync(path);
    } catch {
      return undefined;
    }
  },
};
