/**
 * Install images: a seed wheel unpacked once per target Python into the app-data folder, with its RECORD checked and
 * pip's `INSTALLER` added, plus a manifest listing what it holds. Environments link (or copy) their seed packages
 * from it. An image is built in a temporary folder and renamed into place, so concurrent and interrupted runs never
 * see half of one.
 *
 * @module
 */
import { hostPath as path } from "../path.ts";
import type { PythonInfo, VersionInfo } from "../discovery/py_info.ts";
import { csvField, recordHash } from "./console_scripts.ts";
import { MkvenvError } from "../errors.ts";
import { slowWorkAhead } from "../deadline.ts";
import {
  appDataError,
  isDirectory,
  lstatOrUndefined,
  processGone,
  removeStaleEntries,
  replaceAtomicallySync,
} from "../app_data.ts";

/** What an image holds, stored as `manifest.json` beside its `site` folder. */
export interface ImageManifest {
  /** The wheel it was built from (file name). */
  readonly wheel: string;
  /** The `.dist-info` folder. */
  readonly distInfo: string;
  /** Folders under `site`, parents first ('/'-separated). */
  readonly dirs: readonly string[];
  /** Files under `site` ('/'-separated). */
  readonly files: readonly string[];
  /** The top-level entries under `site`. */
  readonly topLevel: readonly string[];
  /** RECORD lines for every file but RECORD itself, as pip writes them (`path,sha256=…,size`). */
  readonly record: readonly string[];
}

/** An image ready to install from. */
export interface Image {
  /** The folder whose content goes into site-packages. */
  readonly site: string;
  /** Its manifest. */
  readonly manifest: ImageManifest;
}

/**
 * The folder of the image of `wheelFile` for a target Python: `<X.Y>/<wheel name>@<first 16 hex digits of its
 * SHA-256>`. The digest tells apart wheels of one name with other contents (Debian's patched `pip-23.0.1` and
 * PyPI's), which would otherwise share an image, whichever was built first.
 */
export function imageDir(imagesRoot: string, python: VersionInfo, wheelFile: string, sha256: string): string {
  const name = path.basename(wheelFile).replace(/\.whl$/, "");
  return path.join(imagesRoot, `${python.major}.${python.minor}`, `${name}@${sha256.slice(0, 16)}`);
}

/**
 * Whether `site` is exactly an image's `site` folder in `imagesRoot` (`<imagesRoot>/<X.Y>/<image>/site`): never a
 * folder of the cache's elsewhere, nor one outside it.
 */
export function isImageSite(site: string, imagesRoot: string): boolean {
  const rel = path.relative(path.resolve(imagesRoot), path.dirname(path.resolve(site)));
  const parts = rel.split(path.sep);
  return path.basename(site) === "site" && !path.isAbsolute(rel) && parts.length === 2 && !parts.includes("..");
}

/**
 * Removes the image whose `site` folder is `site` (an installation from it found `file` missing), so that it is built
 * again. Says what it found:
 * - `discarded`: `file` is still missing; the image was renamed away (a run linking from it meanwhile fails whole
 *   rather than halfway through a folder being deleted) and removed;
 * - `replaced`: the image is gone or has `file` again, since another run repaired it first;
 * - `kept`: `site` is not an image's folder in `imagesRoot`, or it could not be removed.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { discardDamagedImage } from "./image.ts";
 * const root = await Deno.makeTempDir();
 * const site = `${root}/3.12/pip-26.2.1-py3-none-any/site`;
 * await Deno.mkdir(site, { recursive: true });
 * assert(discardDamagedImage("/elsewhere/site", "pip/__init__.py", root) === "kept");
 * assert(discardDamagedImage(`${root}/../site`, "pip/__init__.py", root) === "kept");
 * assert(discardDamagedImage(site, "pip/__init__.py", root) === "discarded");
 * assert(discardDamagedImage(site, "pip/__init__.py", root) === "replaced");
 * ```
 */
export function discardDamagedImage(site: string, file: string, imagesRoot: string): "discarded" | "replaced" | "kept" {
  if (!isImageSite(site, imagesRoot)) return "kept";
  const dir = path.dirname(path.resolve(site));
  if (!isDirectory(dir) || lstatOrUndefined(path.join(path.resolve(site), ...file.split("/")))) return "replaced";
  try {
    return discardFolder(dir) ? "discarded" : "kept";
  } catch {
    return "kept";
  }
}

/**
 * Removes an image folder `dir`, renamed away first; true when it is gone (also when another run removed it). Once
 * renamed, removing it is best effort: a build folder left over is cleared by a later build (`removeStaleBuilds`).
 */
function discardFolder(dir: string): boolean {
  const doomed = makeBuildFolder(dir);
  try {
    Deno.renameSync(dir, path.join(doomed, "image"));
  } catch {
    Deno.removeSync(doomed);
    return !isDirectory(dir);
  }
  try {
    Deno.removeSync(doomed, { recursive: true });
  } catch { /* out of the way already */ }
  return true;
}

/**
 * The image in `dir`, which the caller knows is built (a file only a finished image holds is there); its manifest
 * is read when first asked for.
 */
export function builtImage(dir: string): Image {
  let manifest: ImageManifest | undefined;
  return {
    site: path.join(dir, "site"),
    get manifest(): ImageManifest {
      return manifest ??= JSON.parse(Deno.readTextFileSync(path.join(dir, "manifest.json"))) as ImageManifest;
    },
  };
}

/** The image if it has been built, else undefined. */
export function readImage(dir: string): Image | undefined {
  try {
    const manifest = JSON.parse(Deno.readTextFileSync(path.join(dir, "manifest.json"))) as ImageManifest;
    return { site: path.join(dir, "site"), manifest };
  } catch {
    return undefined;
  }
}

/** The image of `wheelFile` in `dir`, which an earlier run must have built (`--read-only-app-data` builds none). */
export function requireImage(dir: string, wheelFile: string): Image {
  const image = readImage(dir);
  if (image) return image;
  throw new MkvenvError(
    `The read-only app-data folder holds no install image of ${path.basename(wheelFile)} (looked in ${dir})`,
    { hint: "run mkvenv once for this Python without --read-only-app-data to build it, or pass --no-seed" },
  );
}

/** How long a build folder may stand before it counts as left by a run that was killed: builds take seconds. */
const STALE_BUILD_MS = 60 * 60 * 1000;

/**
 * A new, empty folder beside `dir` to build its image in, named `.<name>.<random>.tmp`. Made with the umask's mode,
 * as `mkdir` makes one: `Deno.makeTempDirSync` gives 0700, and an image built as one user (a container build as
 * root) must stay readable to the others that link it or, with `--symlink-app-data`, import from it.
 */
function makeBuildFolder(dir: string): string {
  for (;;) {
    const temp = path.join(path.dirname(dir), `.${path.basename(dir)}.${crypto.randomUUID().slice(0, 8)}.tmp`);
    try {
      Deno.mkdirSync(temp);
      return temp;
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
    }
  }
}

/** Removes the build folders of `dir`'s image that a killed run left behind, so that they never pile up. */
function removeStaleBuilds(dir: string): void {
  const prefix = `.${path.basename(dir)}.`;
  removeStaleEntries(path.dirname(dir), (name) => name.startsWith(prefix) && name.endsWith(".tmp"), STALE_BUILD_MS);
}

/**
 * Builds the image of `wheelFile` in `dir` unless it exists; returns it. An abort of `signal` stops the build
 * before the image is put in place (the partial one is removed) and rejects with the signal's reason.
 */
export async function ensureImage(dir: string, wheelFile: string, signal?: AbortSignal): Promise<Image> {
  const ready = readImage(dir);
  if (ready) return ready;
  const parent = path.dirname(dir);
  Deno.mkdirSync(parent, { recursive: true });
  removeStaleBuilds(dir);
  const temp = makeBuildFolder(dir);
  slowWorkAhead();
  try {
    const site = path.join(temp, "site");
    Deno.mkdirSync(site);
    const { extractWheel } = await import("../on_demand.ts");
    const extracted = await extractWheel(Deno.readFileSync(wheelFile), site, path.basename(wheelFile), signal);
    // pip moves a .data folder's parts to other places (scripts to bin, headers, data to the prefix): an image holds
    // site-packages only, so such a wheel is refused rather than installed wrong. No pip or setuptools wheel has one.
    const data = extracted.files.find((f) => /^[^/]+\.data\//.test(f));
    if (data !== undefined) {
      throw new MkvenvError(`${path.basename(wheelFile)}: "${data.split("/")[0]}" is not installable from an image`, {
        hint: "use --seeder pip, which installs it as pip does, or seed another version",
      });
    }
    const installer = new TextEncoder().encode("pip\n");
    const installerPath = `${extracted.distInfo}/INSTALLER`;
    Deno.writeFileSync(path.join(site, ...installerPath.split("/")), installer, { mode: 0o644 });
    const recordPath = `${extracted.distInfo}/RECORD`;
    const files = [...new Set([...extracted.files, installerPath])].sort();
    const dirs = [
      ...new Set(files.flatMap((f) => {
        const parts = f.split("/").slice(0, -1);
        return parts.map((_, i) => parts.slice(0, i + 1).join("/"));
      })),
    ].sort();
    const record = [
      ...extracted.record.filter((r) => r.path !== recordPath && r.path !== installerPath).map((r) =>
        `${csvField(r.path)},${r.hash ?? ""},${r.size ?? ""}`
      ),
      `${installerPath},${recordHash(installer)},${installer.length}`,
    ];
    const manifest: ImageManifest = {
      wheel: path.basename(wheelFile),
      distInfo: extracted.distInfo,
      dirs,
      files: files.filter((f) => f !== recordPath),
      topLevel: [...new Set(files.map((f) => f.split("/")[0]!))].sort(),
      record,
    };
    Deno.writeTextFileSync(path.join(temp, "manifest.json"), JSON.stringify(manifest));
    signal?.throwIfAborted();
    try {
      Deno.renameSync(temp, dir);
    } catch (e) {
      // Another run finished the same image first: theirs is as good as ours.
      const theirs = readImage(dir);
      if (theirs) {
        Deno.removeSync(temp, { recursive: true });
        return theirs;
      }
      // A folder without a manifest is no image: the bytecode a compile still running wrote into an image removed
      // meanwhile (--reset-app-data, a damaged image) makes one. Nothing reads it, so it goes.
      let cleared = false;
      try {
        cleared = isDirectory(dir) && discardFolder(dir);
      } catch { /* left as it is: the rename's own error says more */ }
      if (!cleared) throw e;
      Deno.renameSync(temp, dir);
    }
    return { site: path.join(dir, "site"), manifest };
  } catch (e) {
    try {
      Deno.removeSync(temp, { recursive: true });
    } catch { /* already gone */ }
    // A write refused in the build folder (read-only app data, or the folder emptied meanwhile by --reset-app-data):
    // the file-system error itself, which the caller explains as the app-data folder's (appDataError).
    throw e instanceof MkvenvError && e.cause instanceof Error && appDataError(e.cause, temp) ? e.cause : e;
  }
}

/**
 * Compiles every module of an image with the interpreter running it, then lists the `.pyc` files written for the
 * interpreter's own cache tag in a JSON file (through a temporary name), and removes the lock file it was given.
 * Runs on Python 3.6 and later.
 */
const COMPILE_SCRIPT = `import compileall, json, os, sys
site, out, lock = sys.argv[1:4]
try:
    compileall.compile_dir(site, quiet=1)
    tag = "." + sys.implementation.cache_tag + "."
    found = []
    for root, dirs, files in os.walk(site):
        if os.path.basename(root) == "__pycache__":
            for name in files:
                if name.endswith(".pyc") and tag in name:
                    found.append(os.path.relpath(os.path.join(root, name), site).replace(os.sep, "/"))
    tmp = "%s.%d.tmp" % (out, os.getpid())
    with open(tmp, "w") as f:
        json.dump(sorted(found), f)
    os.replace(tmp, out)
finally:
    if lock:
        try:
            os.remove(lock)
        except OSError:
            pass
`;

/** The name an image's bytecode is kept under for one interpreter kind, e.g. `cpython-312` or `pypy-39`. */
export function bytecodeTag(info: Pick<PythonInfo, "implementation" | "versionInfo">): string {
  return `${info.implementation.toLowerCase()}-${info.versionInfo.major}${info.versionInfo.minor}`;
}

const compiledList = (image: Image, tag: string): string => path.join(path.dirname(image.site), `compiled.${tag}.json`);

/**
 * The `.pyc` files (relative, '/'-separated) an image holds for the interpreter kind `tag` (`cpython-312`), once
 * {@linkcode compileImage} or {@linkcode compileImageInBackground} has finished; undefined before.
 */
export function compiledFiles(image: Image, tag: string): readonly string[] | undefined {
  try {
    const files = JSON.parse(Deno.readTextFileSync(compiledList(image, tag)));
    return Array.isArray(files) && files.every((f) => typeof f === "string" && !f.startsWith("/") && !f.includes(".."))
      ? files
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Byte-compiles an image now, once per interpreter kind: `--symlink-app-data` environments then find valid `.pyc`
 * files in the image and never write their own into it. An abort of `signal` kills the compile and rejects with its
 * reason; the image stays as it was, uncompiled (the compiled list is written last).
 */
export async function compileImage(image: Image, python: string, tag: string, signal?: AbortSignal): Promise<void> {
  if (compiledFiles(image, tag)) return;
  slowWorkAhead();
  const out = await new Deno.Command(python, {
    args: ["-E", "-s", "-c", COMPILE_SCRIPT, image.site, compiledList(image, tag), ""],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
    ...(signal ? { signal } : {}),
  }).output();
  signal?.throwIfAborted();
  if (out.code !== 0) throw new Error(`compiling ${image.site} failed: ${new TextDecoder().decode(out.stderr)}`);
}

/** How long a compile lock holds before another run may start the compile again (one that died leaves it). */
const COMPILE_LOCK_MS = 10 * 60_000;

/**
 * Whether a compile lock was left by a compile that is over: older than {@linkcode COMPILE_LOCK_MS}, or naming the
 * process that compiles (written once it started) when that process is gone. An empty lock is a compile starting.
 */
function compileLockAbandoned(lock: string): boolean {
  const info = Deno.statSync(lock);
  if (Date.now() - (info.mtime?.getTime() ?? 0) >= COMPILE_LOCK_MS) return true;
  const pid = Deno.readTextFileSync(lock).trim();
  return /^\d+$/.test(pid) && processGone(Number(pid));
}

/**
 * Starts byte-compiling an image in a detached process, once per interpreter kind, so the first run that builds it
 * does not wait: later environments hard-link the `.pyc` files too, and their first `pip` call compiles nothing
 * (the files share their sources' inode, so the recorded modification times match). Compiled files are written
 * through temporary names by Python itself, so a run linking from the image meanwhile never sees half a file.
 *
 * @returns Whether a compile was started.
 */
export function compileImageInBackground(image: Image, python: string, tag: string): boolean {
  if (compiledFiles(image, tag)) return false;
  if (Deno.permissions.querySync({ name: "run", command: python }).state !== "granted") return false;
  const lock = path.join(path.dirname(image.site), `compiling.${tag}`);
  try {
    Deno.writeFileSync(lock, new Uint8Array(), { createNew: true });
  } catch {
    try {
      if (!compileLockAbandoned(lock)) return false;
      Deno.removeSync(lock);
      Deno.writeFileSync(lock, new Uint8Array(), { createNew: true });
    } catch {
      return false;
    }
  }
  try {
    const child = new Deno.Command(python, {
      args: ["-E", "-s", "-c", COMPILE_SCRIPT, image.site, compiledList(image, tag), lock],
      stdin: "null",
      stdout: "null",
      stderr: "null",
      detached: true,
    }).spawn();
    child.unref();
    try {
      // Who holds the lock, so that a run after a killed compile need not wait out the lock's age.
      Deno.writeTextFileSync(lock, String(child.pid), { create: false });
    } catch { /* the compile is over and took its lock along */ }
    return true;
  } catch {
    try {
      Deno.removeSync(lock);
    } catch { /* gone */ }
    return false;
  }
}

/**
 * What installing an image puts into site-packages: the image's folders and files, plus its bytecode for one
 * interpreter kind when hard links carry that along, and the RECORD lines for all of them.
 */
export interface TreeToInstall {
  /** The `.dist-info` folder. */
  readonly distInfo: string;
  /** Folders to make, parents first ('/'-separated, relative). */
  readonly dirs: readonly string[];
  /** Files to link or copy ('/'-separated, relative). */
  readonly files: readonly string[];
  /** RECORD lines of those files, each ending in a line break; the scripts and RECORD itself are not among them. */
  readonly record: string;
}

/**
 * The tree to install from an image with `compiled` (its `.pyc` files for one interpreter kind; none for copies).
 * Bytecode is recorded without a hash, as pip records the files it compiles.
 */
export function treeToInstall(manifest: ImageManifest, compiled: readonly string[]): TreeToInstall {
  // The __pycache__ folders the bytecode adds. The list is sorted, so a file's folder is mostly the previous
  // file's, found without hashing a new string.
  const dirs = new Set(manifest.dirs);
  let folder = "";
  for (const file of compiled) {
    const end = file.lastIndexOf("/");
    if (end !== folder.length || !file.startsWith(folder)) dirs.add(folder = file.slice(0, end));
  }
  const lines = [...manifest.record, ...recordLinesWithoutHash(compiled)];
  return {
    distInfo: manifest.distInfo,
    dirs: [...dirs],
    files: manifest.files.concat(compiled),
    record: lines.length ? lines.join("\n") + "\n" : "",
  };
}

/** RECORD lines without hash and size for `files`, as one block when no name needs quoting (one scan finds out). */
function recordLinesWithoutHash(files: readonly string[]): string[] {
  if (!files.length) return [];
  if (/[",\r\n]/.test(files.join(""))) return files.map((f) => `${csvField(f)},,`);
  return [files.join(",,\n") + ",,"];
}

const preparedTreeFile = (dir: string, tag: string): string => path.join(dir, `linked.${tag}.json`);

/**
 * The tree a hard-linked or copied install of the image in `dir` puts into site-packages for the interpreter kind `tag`,
 * as {@linkcode keepPreparedTree} kept it once the image was compiled; undefined before. A warm run then reads this
 * one file instead of the manifest and the compiled-file list, and works nothing out.
 */
export function readPreparedTree(dir: string, tag: string): TreeToInstall | undefined {
  try {
    const tree = JSON.parse(Deno.readTextFileSync(preparedTreeFile(dir, tag))) as TreeToInstall;
    return typeof tree.distInfo === "string" && Array.isArray(tree.dirs) && Array.isArray(tree.files) &&
        typeof tree.record === "string"
      ? tree
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Keeps the install tree of the image in `dir` for `tag` (through a temporary name: concurrent runs write the
 * same content). Only for a compiled image: its compiled-file list, like the image, never changes once written.
 * A folder that cannot be written to only means the next run works the tree out again.
 */
export function keepPreparedTree(dir: string, tag: string, tree: TreeToInstall): void {
  try {
    // Never into a folder made for it: an image removed meanwhile must not come back as this file alone.
    const text = JSON.stringify(tree);
    replaceAtomicallySync(preparedTreeFile(dir, tag), (temp) => Deno.writeTextFileSync(temp, text));
  } catch { /* read-only or gone: nothing is lost */ }
}
