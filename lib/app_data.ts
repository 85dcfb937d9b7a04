/**
 * mkvenv's app-data folder: where it caches interpreter answers (and, later, wheel images). Everything written here
 * goes to a temporary name first and is renamed into place, so concurrent runs never read a half-written file and an
 * interrupted run leaves nothing a rerun trips over.
 *
 * @module
 */
import { MkvenvError } from "./errors.ts";
import { hostPath as path, posix, win32 } from "./path.ts";

/** Name of mkvenv's own versioned subfolder inside an app-data folder (which may be shared with virtualenv). */
export const APP_DATA_SUBFOLDER = "mkvenv-v1";

/** Environment lookup: returns a variable's value, or undefined when unset. */
export type EnvLookup = (name: string) => string | undefined;

/**
 * The app-data folder when none is chosen: `VIRTUALENV_OVERRIDE_APP_DATA` when set and not empty (virtualenv's
 * override of its default, so a setup made for virtualenv sends mkvenv's data there too, into its own subfolder),
 * else the platform cache folder for mkvenv: `$XDG_CACHE_HOME/mkvenv` or `~/.cache/mkvenv` on Linux,
 * `~/Library/Caches/mkvenv` on macOS, `%LOCALAPPDATA%\mkvenv\Cache` on Windows. A relative override is taken from
 * the working folder by the callers, as `--app-data` is.
 */
export function defaultAppDataDir(os: string, env: EnvLookup): string {
  // virtualenv tests the key's presence, so an empty value means the working folder there; that is a trap, not a
  // choice anyone makes on purpose, so here it means unset.
  const override = env("VIRTUALENV_OVERRIDE_APP_DATA");
  if (override) return override;
  if (os === "windows") {
    const local = env("LOCALAPPDATA") ?? win32.join(env("USERPROFILE") ?? "C:\\", "AppData", "Local");
    return win32.join(local, "mkvenv", "Cache");
  }
  if (os === "darwin") return posix.join(homeFolder(env), "Library", "Caches", "mkvenv");
  const xdg = env("XDG_CACHE_HOME");
  return posix.join(xdg && posix.isAbsolute(xdg) ? xdg : posix.join(homeFolder(env), ".cache"), "mkvenv");
}

/**
 * The user's home folder on POSIX: HOME when it is an absolute path, else (unset, empty or relative, as in some
 * containers and service managers) the home of the user's entry in `/etc/passwd` (users only a directory service
 * knows are not found there). A cache in `/` or in the working folder would be a surprise.
 */
function homeFolder(env: EnvLookup): string {
  const home = env("HOME");
  if (home && posix.isAbsolute(home)) return home;
  let uid: number | null = null;
  try {
    uid = Deno.uid();
    for (const line of Deno.readTextFileSync("/etc/passwd").split("\n")) {
      const fields = line.split(":");
      if (fields.length >= 7 && Number(fields[2]) === uid && posix.isAbsolute(fields[5]!)) return fields[5]!;
    }
  } catch { /* no passwd file, or no permission to read it or the user id */ }
  throw new MkvenvError(
    `Cannot tell where the app-data folder goes: HOME is ${home === undefined ? "not set" : `"${home}"`}` +
      (uid === null ? "" : `, and /etc/passwd has no home for user ${uid}`),
    { hint: "set HOME (or XDG_CACHE_HOME), or pass --app-data DIR" },
  );
}

/** The first existing part of `folder`'s path (itself or an ancestor) when it is not a folder; undefined otherwise. */
function fileInThePath(folder: string): string | undefined {
  for (let at = folder;; at = path.dirname(at)) {
    if (lstatOrUndefined(at)) return isDirectory(at) ? undefined : at;
    if (path.dirname(at) === at) return undefined;
  }
}

/** The folder mkvenv keeps its data in, inside the app-data folder the user chose (or the default). */
export function appDataRoot(appDataDir: string): string {
  return path.join(appDataDir, APP_DATA_SUBFOLDER);
}

let tempCounter = 0;

/**
 * Replaces whatever is at `file` (a file or link, never a folder) with what `create` makes at a unique temporary name
 * beside it, by renaming: readers see the old entry or the new one, never a mix, and a failure leaves no temporary.
 */
export function replaceAtomicallySync(file: string, create: (temp: string) => void): void {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${Deno.pid}.${++tempCounter}.tmp`);
  try {
    create(temp);
    Deno.renameSync(temp, file);
  } catch (e) {
    try {
      Deno.removeSync(temp);
    } catch { /* never made, or already gone */ }
    throw e;
  }
}

/**
 * Removes the entries of `dir` that `isLeftover` names and that have not changed for `maxAgeMs`: the temporaries of
 * a run that was killed (a run still at work changes its own within seconds). Best effort: what cannot be removed
 * stays.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { removeStaleEntries } from "./app_data.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/.pip.whl.1.tmp`, "partial");
 * removeStaleEntries(dir, (name) => name.endsWith(".tmp"), 3_600_000, Date.now() + 7_200_000);
 * assert([...Deno.readDirSync(dir)].length === 0);
 * ```
 */
export function removeStaleEntries(
  dir: string,
  isLeftover: (name: string) => boolean,
  maxAgeMs: number,
  now: number = Date.now(),
): void {
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!isLeftover(entry.name)) continue;
    const leftover = path.join(dir, entry.name);
    try {
      const info = Deno.lstatSync(leftover);
      const mtime = info.mtime?.getTime();
      if (mtime !== undefined && now - mtime > maxAgeMs) Deno.removeSync(leftover, { recursive: info.isDirectory });
    } catch { /* gone already, or not removable */ }
  }
}

/**
 * The error to show for `error` when it is a failure inside the app-data folder `root` that the user can act on:
 * a write refused (a read-only file system, no permission, or Deno's permissions not granting it), or a file gone
 * while this run used it (another process emptied the folder: `--reset-app-data`). Undefined for any other error.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { appDataError } from "./app_data.ts";
 * const denied = new Deno.errors.PermissionDenied("Permission denied (os error 13): mkdir '/cache/mkvenv-v1/images'");
 * assert(appDataError(denied, "/cache/mkvenv-v1")?.message.startsWith("Cannot write to the app-data folder"));
 * assert(appDataError(denied, "/elsewhere") === undefined);
 * const gone = new Deno.errors.NotFound("No such file or directory (os error 2): readfile '/cache/mkvenv-v1/w.whl'");
 * assert(appDataError(gone, "/cache/mkvenv-v1")?.message.endsWith("was removed while this run used it"));
 * const notGranted = new Deno.errors.NotCapable('Requires write access to "/cache/mkvenv-v1/images", run again ...');
 * assert(appDataError(notGranted, "/cache/mkvenv-v1")?.message.startsWith("Deno's permissions do not let"));
 * ```
 */
export function appDataError(error: unknown, root: string): MkvenvError | undefined {
  if (!(error instanceof Error) || error instanceof MkvenvError || !error.message.includes(root)) return undefined;
  if (error instanceof Deno.errors.NotFound) {
    return new MkvenvError(`A file of the app-data folder ${root} was removed while this run used it`, {
      hint: "run again once whatever empties the folder (mkvenv --reset-app-data elsewhere?) is done",
      cause: error,
    });
  }
  if (error instanceof Deno.errors.NotCapable) {
    return new MkvenvError(`Deno's permissions do not let this program use the app-data folder ${root}`, {
      hint: `grant it --allow-read and --allow-write for ${root}, or give an app-data folder it may write to ` +
        "(--app-data DIR), or --read-only-app-data to use this one as it is",
      cause: error,
    });
  }
  const blocker = error instanceof Deno.errors.NotADirectory || error instanceof Deno.errors.AlreadyExists
    ? fileInThePath(root)
    : undefined;
  if (blocker !== undefined) {
    return new MkvenvError(`The app-data folder ${root} cannot be made: ${blocker} is a file, not a folder`, {
      hint: "pass --app-data DIR naming a folder, or move the file away",
      cause: error,
    });
  }
  const readOnly = (error as { code?: unknown }).code === "EROFS" || error.message.includes("(os error 30)");
  if (!readOnly && !(error instanceof Deno.errors.PermissionDenied)) return undefined;
  return new MkvenvError(
    `Cannot write to the app-data folder ${root}: ${readOnly ? "read-only file system" : "permission denied"}`,
    {
      hint: "pass --app-data DIR with a folder you can write to, or --read-only-app-data to use this one as it is " +
        "(it must already hold what this run needs)",
      cause: error,
    },
  );
}

/**
 * Refuses a read-only app-data folder that does not exist (as virtualenv does): nothing could be read from it, and a
 * run would silently fall back to interrogating and downloading without keeping anything.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { requireReadOnlyAppData } from "./app_data.ts";
 * requireReadOnlyAppData(Deno.cwd());
 * assert.throws(() => requireReadOnlyAppData(`${Deno.cwd()}/no such folder`), /does not exist/);
 * ```
 *
 * @param dir The app-data folder given (absolute), not its versioned subfolder.
 * @throws {MkvenvError} When `dir` is not a folder.
 */
export function requireReadOnlyAppData(dir: string): void {
  if (isDirectory(dir)) return;
  if (lstatOrUndefined(dir)) {
    throw new MkvenvError(`The read-only app-data folder "${dir}" is not a folder`, {
      hint: "pass --app-data with the folder an earlier run filled, or drop --read-only-app-data",
    });
  }
  throw new MkvenvError(`The read-only app-data folder "${dir}" does not exist`, {
    hint: "run mkvenv once without --read-only-app-data to fill it, or drop --read-only-app-data",
  });
}

/**
 * Whether `name` is a temporary ({@linkcode isWriteTemporary}) of a process that is gone: not this one, and, on Linux,
 * none in `/proc` (elsewhere that cannot be told, so false). A run killed while it replaced files left it; one still
 * at work on the same folder keeps its own.
 */
export function isAbandonedTemporary(name: string): boolean {
  const pid = /^\..+\.(\d+)\.\d+\.tmp$/.exec(name)?.[1];
  return pid !== undefined && processGone(Number(pid));
}

/**
 * Whether process `pid` has ended: not this one, and, on Linux, not in `/proc` (elsewhere that cannot be told, so
 * false). A reused number reads as still running, which only delays taking over what the process left; a process of
 * another host or PID namespace (a cache shared between containers) reads as gone, which at worst repeats its work.
 */
export function processGone(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === Deno.pid || Deno.build.os !== "linux") return false;
  try {
    // A zombie (ended, not yet reaped by its parent, say a library host that never waits for it) is gone too.
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "Z";
  } catch {
    return true;
  }
}

/**
 * Whether `name` is a temporary of {@linkcode replaceAtomicallySync} or of a download (`.<file>.<pid>.<n>.tmp`, as
 * both name theirs): what a killed run may leave beside the file it was writing.
 */
export function isWriteTemporary(name: string): boolean {
  return /^\..+\.\d+\.\d+\.tmp$/.test(name);
}

/** The file's own information (a link's, not its target's); undefined when it cannot be looked at. */
export function lstatOrUndefined(file: string): Deno.FileInfo | undefined {
  try {
    return Deno.lstatSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Whether `path` is a folder, following links; false when it is anything else or cannot be looked at.
 *
 * @example Usage
 * ```ts
 * import { isDirectory } from "./app_data.ts";
 * console.assert(isDirectory(Deno.cwd()) && !isDirectory(`${Deno.cwd()}/no such folder`));
 * ```
 */
export function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

/** Writes a file atomically ({@linkcode replaceAtomicallySync}), creating the parent folder when missing. */
export function writeFileAtomicSync(file: string, data: string | Uint8Array): void {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  try {
    replaceAtomicallySync(file, (temp) => Deno.writeFileSync(temp, bytes));
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    Deno.mkdirSync(path.dirname(file), { recursive: true });
    replaceAtomicallySync(file, (temp) => Deno.writeFileSync(temp, bytes));
  }
}

/**
 * Whether this process should give Deno the time to write its code cache, judged from `loadMs`, how long the
 * process took to load its modules, against the load times of the build's earlier runs with the app-data folder
 * `root`, recorded under `root/builds/`:
 * - the build's first run: yes (and it records that it ran);
 * - the next run, whose modules came from the cache the first one left: no, and its load time becomes the measure;
 * - any later run: yes when it loaded much slower than the measure (more than twice it, plus 2 ms), as modules that
 *   V8 had to compile do (here about 4 ms from the cache, 15 to 30 compiled); a faster run lowers the measure.
 *
 * A record that cannot be written counts as known, so a read-only folder never makes every run look like the first.
 *
 * Why: Deno writes the code cache of the modules a process compiled only while its event loop runs, and a warm run
 * does all its work synchronously and exits at once. Without this, a program whose first run on a machine is warm,
 * or whose cache was deleted since (`deno clean`, an emptied temporary folder), would compile everything on every run.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { codeCacheWanted } from "./app_data.ts";
 * const root = await Deno.makeTempDir();
 * assert.equal(codeCacheWanted(root, "1.0.0", 20), true); // first run
 * assert.equal(codeCacheWanted(root, "1.0.0", 4), false); // its cache at work: 4 ms is the measure
 * assert.equal(codeCacheWanted(root, "1.0.0", 9), false); // slower, within twice the measure plus 2 ms
 * assert.equal(codeCacheWanted(root, "1.0.0", 3), false); // faster: 3 ms is the measure now
 * assert.equal(codeCacheWanted(root, "1.0.0", 9), true); // compiled again: the cache is gone
 * assert.equal(codeCacheWanted(root, "1.0.1", 4), true); // another build
 * await Deno.remove(root, { recursive: true });
 * ```
 *
 * @param root The app-data folder's mkvenv root.
 * @param build The running program's version string.
 * @param loadMs Milliseconds from the process's start until its modules had loaded.
 * @returns Whether the process should end on its own, letting Deno write the cache.
 */
export function codeCacheWanted(root: string, build: string, loadMs: number): boolean {
  const record = path.join(root, "builds", build.replace(/[^A-Za-z0-9._+-]/g, "_"));
  let text: string;
  try {
    text = Deno.readTextFileSync(record);
  } catch {
    try {
      writeFileAtomicSync(record, "");
      return true;
    } catch {
      return false;
    }
  }
  const measure = Number.parseFloat(text);
  if (measure > 0 && loadMs > 2 * measure + 2) return true;
  if (!(measure > 0) || loadMs < 0.8 * measure) {
    try {
      writeFileAtomicSync(record, `${loadMs.toFixed(1)}\n`);
    } catch { /* a read-only folder: the measure stays */ }
  }
  return false;
}
