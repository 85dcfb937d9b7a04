/**
 * A plan: the ordered file operations that create a virtual environment, as plain data. Creators (and later seeders
 * and activators) return plans; {@linkcode applyPlan} in `apply.ts` is the only code that touches the destination.
 *
 * @module
 */

/** Make a folder (and its parents). */
export interface MkdirOp {
  /** Operation kind. */
  readonly op: "mkdir";
  /** Folder to create. */
  readonly path: string;
}

/** Make a symbolic link, replacing a file or link already there. */
export interface SymlinkOp {
  /** Operation kind. */
  readonly op: "symlink";
  /** The link to create. */
  readonly path: string;
  /** What it points at: absolute, or relative to the link's folder. */
  readonly target: string;
  /** Leave anything already at `path` alone (stdlib venv's rule for `lib64`). */
  readonly ifAbsent?: boolean | undefined;
  /** A convenience, not a need: skip it where the file system cannot hold links (`lib64`). */
  readonly optional?: boolean | undefined;
}

/** Copy a file (or, with `tree`, a folder and everything in it), replacing one already there. */
export interface CopyOp {
  /** Operation kind. */
  readonly op: "copy";
  /** Destination file. */
  readonly path: string;
  /** Source file (outside the destination is fine: it is only read). */
  readonly source: string;
  /** Permission bits to set on the copy (POSIX). */
  readonly mode?: number | undefined;
  /** Skip silently when the source does not exist (for files only some builds have). */
  readonly optional?: boolean | undefined;
  /** The source is a folder: copy it recursively (links inside are recreated as links). */
  readonly tree?: boolean | undefined;
  /** Rewrite this Mach-O load-command library name in the copy (macOS framework interpreters). */
  readonly rewriteDylib?: { readonly from: string; readonly to: string } | undefined;
  /** Re-sign the copy ad hoc with `codesign` (a modified Mach-O loses its signature); a failure is a warning. */
  readonly adhocSign?: boolean | undefined;
}

/** Write a file with the given content. */
export interface WriteOp {
  /** Operation kind. */
  readonly op: "write";
  /** File to write. */
  readonly path: string;
  /** Text (written as UTF-8) or bytes. */
  readonly content: string | Uint8Array;
  /**
   * Permission bits (POSIX), exactly. Without them a file gets what Python's `open()` would give it, 0o666 less the
   * process's umask (0o644 under the usual 022), as virtualenv's and pip's files do.
   */
  readonly mode?: number | undefined;
  /**
   * Make the file executable as distlib makes pip's scripts: the umask's mode plus read and execute for everyone
   * (0o755 under umask 022, 0o775 under 002). Ignored when `mode` is given.
   */
  readonly executable?: boolean | undefined;
  /** Leave an existing file alone (for files the user may have edited, like `.gitignore`). */
  readonly ifAbsent?: boolean | undefined;
  /** A failure is a warning, not an error (the `.venv` redirect beside the environment). */
  readonly bestEffort?: boolean | undefined;
}

/** Empty a folder: remove everything inside it (links are removed, never followed), keeping the folder. */
export interface ClearOp {
  /** Operation kind. */
  readonly op: "clear";
  /** Folder to empty. */
  readonly path: string;
}

/** Remove a file or link left by an earlier run (a folder only with `recursive`). Nothing there is fine. */
export interface RemoveOp {
  /** Operation kind. */
  readonly op: "remove";
  /** File or link to remove. */
  readonly path: string;
  /** Remove a folder and everything in it (a seed package being replaced). */
  readonly recursive?: boolean | undefined;
}

/** Run a program that writes into `path` (the `venv` creator's `python -m venv`, the pip seeder). */
export interface RunOp {
  /** Operation kind. */
  readonly op: "run";
  /** The folder the program writes into. */
  readonly path: string;
  /** Program and arguments. */
  readonly argv: readonly string[];
  /** The whole environment of the program, when it must not inherit this process's. */
  readonly env?: Readonly<Record<string, string>> | undefined;
  /**
   * Files and folders the program is known to write (and so replace where they exist): what the check against
   * replacing a user's files looks at, since it cannot see inside the program.
   */
  readonly writes?: readonly string[] | undefined;
}

/**
 * Install the files of a folder outside the destination (an app-data image) into `path`: hard links, falling back
 * to copies where links cannot cross file systems, or copies.
 */
export interface InstallTreeOp {
  /** Operation kind. */
  readonly op: "installTree";
  /** The folder to install into (site-packages). */
  readonly path: string;
  /** The folder to install from. */
  readonly source: string;
  /** Folders to make under `path`, parents first ('/'-separated, relative). */
  readonly dirs: readonly string[];
  /** Files to link or copy ('/'-separated, relative). */
  readonly files: readonly string[];
  /** How: hard links (copies where impossible) or copies. */
  readonly link: "hardlink" | "copy";
}

/**
 * Write a `pyvenv.cfg`, merging with one a program wrote before: keys listed in `keepExisting` keep the file's
 * value, the rest take ours; keys only the file has follow ours, in the file's order.
 */
export interface MergeCfgOp {
  /** Operation kind. */
  readonly op: "mergeCfg";
  /** The `pyvenv.cfg` file. */
  readonly path: string;
  /** Our keys and values, in order. */
  readonly entries: readonly (readonly [string, string])[];
  /** Keys whose existing value wins. */
  readonly keepExisting: readonly string[];
}

/** One file operation. */
export type PlanOp =
  | MkdirOp
  | SymlinkOp
  | CopyOp
  | WriteOp
  | ClearOp
  | RemoveOp
  | RunOp
  | MergeCfgOp
  | InstallTreeOp;

/** A plan: operations confined to one root folder, applied in order. */
export interface Plan {
  /** The destination: every operation's path lies inside it. */
  readonly root: string;
  /** The operations, in order. */
  readonly ops: readonly PlanOp[];
  /** Files outside `root` that `write` operations may create (the `.venv` redirect beside the environment). */
  readonly outside?: readonly string[] | undefined;
}
