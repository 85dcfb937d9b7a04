/**
 * The `.venv` redirect file (virtualenv 21.8+ `point_venv_redirect`, the PEP 832 draft): after creating an environment
 * at DEST, a file `<parent of DEST>/.venv` holding the environment's folder name, so tools that look for `.venv` next
 * to a project find an environment that has another name.
 *
 * Deciding whether to write it reads the parent folder at plan time (like `dest.ts` reads DEST); the write itself is a
 * plan operation, so `applyPlan` stays the only code that changes anything.
 *
 * @module
 */
import type { WriteOp } from "../plan/ops.ts";
import type { Platform } from "../platform.ts";
import { parsePyvenvCfg } from "./pyvenv_cfg.ts";

// Re-exported so the documentation of this module's signatures is complete (`deno doc --lint`).
export type { PathModule, Platform } from "../platform.ts";
export type { WriteOp } from "../plan/ops.ts";

/** Name of the redirect file, and the folder name tools look for. */
const REDIRECT_NAME = ".venv";

/** A redirect holds one path; a bigger file is something else, and is not worth reading whole to find that out. */
const MAX_REDIRECT_BYTES = 64 * 1024;

/** `pyvenv.cfg` keys that only mkvenv and virtualenv write: their presence marks an environment one of them made. */
const OUR_KEYS = ["mkvenv", "virtualenv"] as const;

/** What to do about the `.venv` redirect file next to a new environment, and why. */
export interface VenvRedirectDecision {
  /** The redirect file: `.venv` in the destination's parent folder. */
  readonly path: string;
  /** The write to add to the plan, or `undefined` when the redirect is left as it is (or not made at all). */
  readonly op: WriteOp | undefined;
  /** A short sentence for verbose output saying what was decided and why. */
  readonly reason: string;
}

/** lstat of `file`: `undefined` when nothing is there, `null` when it cannot be told (e.g. permission denied). */
function lstatOrUndefined(file: string): Deno.FileInfo | undefined | null {
  try {
    return Deno.lstatSync(file);
  } catch (e) {
    return e instanceof Deno.errors.NotFound ? undefined : null;
  }
}

/**
 * Whether `folder` holds a `pyvenv.cfg` with a `mkvenv` or `virtualenv` key: an environment made by mkvenv or
 * virtualenv (stdlib venv and other tools write neither). Any failure to read the file counts as "no".
 */
export function isVenvMadeByUs(folder: string, platform: Platform): boolean {
  let text: string;
  try {
    text = Deno.readTextFileSync(platform.path.join(folder, "pyvenv.cfg"));
  } catch {
    return false;
  }
  const cfg = parsePyvenvCfg(text);
  return OUR_KEYS.some((key) => cfg.has(key));
}

/**
 * Reads the redirect file's text, or `undefined` when it cannot be read or is too big to be a redirect (either way the
 * caller must treat it as someone else's file and keep it).
 */
function readRedirect(file: string, info: Deno.FileInfo): string | undefined {
  if (info.size > MAX_REDIRECT_BYTES) return undefined;
  try {
    return Deno.readTextFileSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Whether redirect text points at an environment mkvenv or virtualenv made, i.e. a redirect one of them wrote and may
 * replace. Its first line names the environment, relative to `parent` or absolute.
 */
function isOurRedirect(text: string, parent: string, platform: Platform): boolean {
  const target = text.split(/\r?\n/, 1)[0]?.trim() ?? "";
  if (target === "") return false;
  return isVenvMadeByUs(platform.path.resolve(parent, target), platform);
}

/** Whether `file` is a regular file, following symlinks (a linked `pyproject.toml` still marks a project). */
function isRegularFile(file: string): boolean {
  try {
    return Deno.statSync(file).isFile;
  } catch {
    return false;
  }
}

/** Describes a non-file entry at the redirect path, for the `kept:` reason. */
function describeKept(info: Deno.FileInfo): string {
  if (info.isSymlink) return "is a symbolic link";
  if (info.isDirectory) return "is a directory";
  return "is not a regular file";
}

/**
 * Decides whether to write the `.venv` redirect file next to the environment at `dest` (absolute, symlinks resolved).
 *
 * `setting` is `true` for `--venv-redirect`, `false` for `--no-venv-redirect` and `undefined` when unset:
 * - `false`, or `dest` itself named `.venv`: nothing.
 * - unset: written only when the parent folder has a `pyproject.toml` and nothing at all is at `<parent>/.venv`.
 * - `true`: written unless `<parent>/.venv` is a symlink, a directory, or a file that is not a redirect to an
 *   environment made by mkvenv or virtualenv; such a redirect of ours is replaced.
 *
 * A write into an empty place carries `ifAbsent`, so a file created between planning and applying is never
 * overwritten. A redirect that already holds the content to write needs no operation.
 */
export function planVenvRedirect(dest: string, setting: boolean | undefined, platform: Platform): VenvRedirectDecision {
  const p = platform.path;
  const parent = p.dirname(dest);
  const name = p.basename(dest);
  const path = p.join(parent, REDIRECT_NAME);
  const none = (reason: string): VenvRedirectDecision => ({ path, op: undefined, reason });

  if (setting === false) return none("not written: disabled by --no-venv-redirect");
  if (name === REDIRECT_NAME) return none(`not written: the environment itself is named ${REDIRECT_NAME}`);
  // A filesystem root has no parent to put the redirect in.
  if (name === "" || parent === dest) return none(`not written: ${dest} has no parent folder`);
  if (setting === undefined && !isRegularFile(p.join(parent, "pyproject.toml"))) {
    return none(`not written: no pyproject.toml in ${parent}`);
  }

  const content = `${name}\n`;
  const write = (ifAbsent: boolean): WriteOp =>
    ifAbsent
      ? { op: "write", path, content, mode: 0o644, ifAbsent: true }
      : { op: "write", path, content, mode: 0o644 };

  // lstat, not stat: a dangling symlink is still something the user put there.
  const info = lstatOrUndefined(path);
  if (info === null) return none(`kept: ${path} cannot be inspected`);
  if (info === undefined) return { path, op: write(true), reason: "written" };
  if (!info.isFile) return none(`kept: ${path} ${describeKept(info)}`);

  const text = readRedirect(path, info);
  if (text === content) return none(`up to date: ${path} already points at ${name}`);
  if (text === undefined || !isOurRedirect(text, parent, platform)) {
    return none(`kept: ${path} is not a redirect mkvenv or virtualenv wrote`);
  }
  // virtualenv only adds a missing redirect unless asked: replacing one is for an explicit --venv-redirect.
  if (setting === undefined) return none(`kept: ${path} already exists (pass --venv-redirect to replace it)`);
  return { path, op: write(false), reason: `written: replaced the redirect in ${path}` };
}
