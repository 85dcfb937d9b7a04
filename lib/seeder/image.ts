/**
 * Install images: a seed wheel unpacked once per target Python into the app-data folder, with its RECORD checked and
 * pip's `INSTALLER` added, plus a manifest listing what it holds. Environments link (or copy) their seed packages
 * from it. An image is built in a temporary folder and renamed into place, so concurrent and interrupted runs never
 * see half of one.
 *
 * @module
 */
import { hostPath as path } from "../path.ts";
import type { VersionInfo } from "../discovery/py_info.ts";
import { csvField, recordHash } from "./console_scripts.ts";
import { MkvenvError } from "../errors.ts";

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

/** The folder of the image of `wheelFile` for a target Python. */
export function imageDir(imagesRoot: string, python: VersionInfo, wheelFile: string): string {
  return path.join(imagesRoot, `${python.major}.${python.minor}`, path.basename(wheelFile).replace(/\.whl$/, ""));
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

/**
 * Builds the image of `wheelFile` in `dir` unless it exists; returns it. An abort of `signal` stops the build
 * before the image is put in place (the partial one is removed) and rejects with the signal's reason.
 */
export async function ensureImage(dir: string, wheelFile: string, signal?: AbortSignal): Promise<Image> {
  const ready = readImage(dir);
  if (ready) return ready;
  const parent = path.dirname(dir);
  Deno.mkdirSync(parent, { recursive: true });
  const temp = Deno.makeTempDirSync({ dir: parent, prefix: `.${path.basename(dir)}.`, suffix: ".tmp" });
  try {
    const site = path.join(temp, "site");
    Deno.mkdirSync(site);
    const { extractWheel } = await import("./wheel.ts");
    const extracted = await extractWheel(Deno.readFileSync(wheelFile), site);
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
      `${installerPath},${await recordHash(installer)},${installer.length}`,
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
      if (!theirs) throw e;
      Deno.removeSync(temp, { recursive: true });
      return theirs;
    }
    return { site: path.join(dir, "site"), manifest };
  } catch (e) {
    try {
      Deno.removeSync(temp, { recursive: true });
    } catch { /* already gone */ }
    throw e;
  }
}

/**
 * Byte-compiles an image once per interpreter kind, for `--symlink-app-data`: environments then find valid `.pyc`
 * files in the image and never write their own into it. A marker file records each interpreter that compiled it.
 */
export function compileImage(image: Image, python: string, tag: string): void {
  const marker = path.join(path.dirname(image.site), `compiled.${tag}`);
  try {
    Deno.statSync(marker);
    return;
  } catch { /* not yet */ }
  const out = new Deno.Command(python, {
    args: ["-E", "-s", "-m", "compileall", "-q", image.site],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).outputSync();
  // compileall exits 1 when a file does not compile (setuptools ships such test data): the rest is still compiled.
  if (out.code > 1) throw new Error(`compiling ${image.site} failed: ${new TextDecoder().decode(out.stderr)}`);
  try {
    Deno.writeFileSync(marker, new Uint8Array(), { createNew: true });
  } catch { /* another run marked it */ }
}
