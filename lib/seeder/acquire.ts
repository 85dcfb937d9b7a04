/**
 * Where a seed wheel comes from, in order: mkvenv's wheel store in the app-data folder, `--extra-search-dir`, the
 * wheels the target interpreter bundles for `ensurepip` and the OS wheel folders, then the package index (when
 * `--download` is given, `latest` is asked for, or a pinned version is not found locally).
 *
 * @module
 */
import { type EnvLookup, isWriteTemporary, removeStaleEntries } from "../app_data.ts";
import { slowWorkAhead } from "../deadline.ts";
import { MkvenvError } from "../errors.ts";
import { hostPath as path } from "../path.ts";
import type { Platform } from "../platform.ts";
import type { VersionInfo } from "../discovery/py_info.ts";
import type { WheelInfo, WheelInfoCache } from "./wheel_info.ts";
import {
  isPreReleaseWheel,
  isUniversalPy3,
  isVersion,
  newestFirst,
  normalizeProject,
  parseWheelFileName,
  requiresPythonAllows,
  type WheelFileName,
} from "./wheel_name.ts";

/**
 * Which version of a seed package to install: `bundle` or `embed` (the newest local wheel, or an adopted update;
 * only `bundle` starts periodic update checks), `latest`, or an exact version.
 */
export type SeedVersion = "bundle" | "embed" | "latest" | string;

/** Where a wheel was found. */
export type WheelSource = "store" | "update" | "extra-search-dir" | "ensurepip" | "os" | "index";

/** A wheel chosen for seeding. */
export interface AcquiredWheel {
  /** The wheel file (absolute). */
  readonly path: string;
  /** Where it came from. */
  readonly source: WheelSource;
  /** What it says about itself. */
  readonly info: WheelInfo;
}

/** What acquisition needs. */
export interface AcquireContext {
  /** mkvenv's wheel store (downloads land here). */
  readonly storeDir: string;
  /** `--extra-search-dir` folders. */
  readonly extraSearchDirs: readonly string[];
  /** Wheels the target interpreter bundles (`ensurepip/_bundled`). */
  readonly ensurepipWheels: readonly string[];
  /** OS wheel folders (Debian's `/usr/share/python-wheels`). */
  readonly osWheelDirs: readonly string[];
  /**
   * Wheels fetched by the periodic update: the folder, and per project the file names its update log lets this
   * target use now (`adoptableUpdates` in ./periodic_update.ts). A pinned version may use any wheel in the folder.
   */
  readonly updates?: {
    readonly dir: string;
    readonly adoptable: (project: string) => readonly string[];
  } | undefined;
  /** The target interpreter's version. */
  readonly python: VersionInfo;
  /** true: ask the index for the newest; false: never use the index; undefined: only for a pinned version. */
  readonly download: boolean | undefined;
  /** What forbids the index when `download` is false, for messages; `--no-download` when not given. */
  readonly noDownloadBy?: string | undefined;
  /** Environment variables (pip's configuration). */
  readonly env: EnvLookup;
  /** The host platform (pip's configuration files). */
  readonly platform: Platform;
  /** Wheel metadata cache. */
  readonly infoCache: WheelInfoCache;
  /** Network timeout in milliseconds. @default {pip's configured timeout, else 15 s} */
  readonly timeoutMs?: number | undefined;
  /** Receives download progress, when shown. */
  readonly progress?: ((name: string, received: number, total: number | undefined) => void) | undefined;
  /** Receives debug lines. */
  readonly debug?: ((message: string) => void) | undefined;
  /** Receives warnings (an index that could not be read). */
  readonly warn?: ((message: string) => void) | undefined;
  /** Cancels index requests and downloads (no partial file is left); acquisition then rejects with its reason. */
  readonly signal?: AbortSignal | undefined;
}

/** The OS wheel folders searched by default. */
export const OS_WHEEL_DIRS: readonly string[] = ["/usr/share/python-wheels"];

interface Candidate {
  readonly file: string;
  readonly source: WheelSource;
  readonly name: WheelFileName;
}

function wheelsIn(dir: string, source: WheelSource, project: string): Candidate[] {
  const out: Candidate[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch {
    return out;
  }
  for (const entry of entries) {
    // Folders of many wheels (an OS wheel folder, a find-links cache): only this project's names are parsed.
    const dash = entry.name.indexOf("-");
    if (dash <= 0 || normalizeProject(entry.name.slice(0, dash)) !== project) continue;
    const name = parseWheelFileName(entry.name);
    if (name && !entry.isDirectory) out.push({ file: path.join(dir, entry.name), source, name });
  }
  return out;
}

function localCandidates(ctx: AcquireContext, project: string, version: SeedVersion): Candidate[] {
  let updates = ctx.updates ? wheelsIn(ctx.updates.dir, "update", project) : [];
  // The update log is read only when there is something it could allow.
  if (updates.length && (version === "bundle" || version === "embed" || version === "latest")) {
    const adoptable = new Set(ctx.updates?.adoptable(project) ?? []);
    updates = updates.filter((c) => adoptable.has(path.basename(c.file)));
  }
  const all = [
    ...wheelsIn(ctx.storeDir, "store", project),
    ...updates,
    ...ctx.extraSearchDirs.flatMap((d) => wheelsIn(d, "extra-search-dir", project)),
    ...ctx.ensurepipWheels.flatMap((file): Candidate[] => {
      const name = parseWheelFileName(path.basename(file));
      return name ? [{ file, source: "ensurepip", name }] : [];
    }),
    ...ctx.osWheelDirs.flatMap((d) => wheelsIn(d, "os", project)),
  ];
  // Stable sort: for equal versions the earlier source (the store) wins.
  return all.filter((c) => c.name.project === project && isUniversalPy3(c.name)).sort((a, b) =>
    newestFirst(a.name, b.name)
  );
}

/**
 * The first accepted candidate whose metadata reads and whose `Requires-Python` allows the target. A wheel that
 * cannot be read is skipped with a warning, and listed in `unreadable` for an error to name.
 */
async function firstCompatible(
  candidates: readonly Candidate[],
  ctx: AcquireContext,
  accept: (c: Candidate) => boolean,
  unreadable: string[],
): Promise<AcquiredWheel | undefined> {
  for (const candidate of candidates) {
    if (!accept(candidate)) continue;
    let info: WheelInfo;
    try {
      info = await ctx.infoCache.get(candidate.file);
    } catch (e) {
      const reason = `${candidate.file} (${e instanceof Error ? e.message : e})`;
      if (!unreadable.includes(reason)) {
        unreadable.push(reason);
        ctx.warn?.(`skipped the unreadable wheel ${reason}`);
      }
      continue;
    }
    if (!requiresPythonAllows(info.requiresPython, ctx.python)) {
      ctx.debug?.(`skipping ${candidate.file}: Requires-Python ${info.requiresPython}`);
      continue;
    }
    return { path: candidate.file, source: candidate.source, info };
  }
  return undefined;
}

const HOUR_MS = 3_600_000;

async function fromIndex(project: string, version: string | undefined, ctx: AcquireContext): Promise<AcquiredWheel> {
  const { downloadFile, findDistributionFiles, hasDownloaded, rankWheels, redactUrl, resolvePipIndexes } = await import(
    "../on_demand.ts"
  );
  const config = resolvePipIndexes(ctx.env, ctx.platform);
  const timeoutMs = ctx.timeoutMs ?? (config.timeoutSeconds ?? 15) * 1000;
  // A failure leaves the run's warnings unprinted, so the error itself names the indexes that could not be read.
  const unread: string[] = [];
  slowWorkAhead();
  const files = await findDistributionFiles(project, config, {
    timeoutMs,
    signal: ctx.signal,
    onSkipped: (reason) => {
      unread.push(reason);
      ctx.warn?.(`${reason}; skipped that index`);
    },
  });
  // Download temporaries an interrupted run left in the store.
  removeStaleEntries(ctx.storeDir, isWriteTemporary, HOUR_MS);
  // Pages without data-requires-python (plain file indexes, find-links) are checked against the wheel's METADATA.
  for (const chosen of rankWheels(files, project, { version, pythonVersion: ctx.python })) {
    const existing = path.join(ctx.storeDir, chosen.filename);
    let file = existing;
    if (!await hasDownloaded(chosen, ctx.storeDir)) {
      Deno.mkdirSync(ctx.storeDir, { recursive: true });
      file = await downloadFile(chosen, ctx.storeDir, {
        timeoutMs,
        cert: config.cert,
        signal: ctx.signal,
        onProgress: ctx.progress
          ? (received: number, total: number | undefined) => ctx.progress!(chosen.filename, received, total)
          : undefined,
      });
    }
    const info = await ctx.infoCache.get(file);
    if (requiresPythonAllows(info.requiresPython, ctx.python)) return { path: file, source: "index", info };
    ctx.debug?.(`${chosen.filename} needs Python ${info.requiresPython}; trying an older one`);
  }
  const others = `choose another --${project} version, or give a folder of wheels with --extra-search-dir`;
  // Where pip's configuration had it look: no index at all under no-index, and the find-links locations.
  const sources = [
    ...(config.noIndex ? ["no-index is set"] : [config.indexUrl, ...config.extraIndexUrls].map(redactUrl)),
    ...config.findLinks.map((location) => `find-links ${redactUrl(location)}`),
  ];
  throw new MkvenvError(
    `No ${project}${version ? `==${version}` : ""} wheel for Python ${ctx.python.major}.${ctx.python.minor} on ` +
      `the package index (${sources.join(", ")})` +
      (unread.length ? `, and part of it could not be read: ${unread.join("; ")}` : ""),
    {
      hint: unread.length
        ? `check the network and pip's index settings (index-url, extra-index-url), ${others}`
        : others,
    },
  );
}

function searched(ctx: AcquireContext): string {
  const places = [
    ctx.storeDir,
    ...(ctx.updates ? [ctx.updates.dir] : []),
    ...ctx.extraSearchDirs,
    ...new Set(ctx.ensurepipWheels.map((w) => path.dirname(w))),
    ...ctx.osWheelDirs,
  ];
  return places.join(", ");
}

/** Finds the wheel to seed `project` at `version` with, downloading it when the rules above say so. */
export async function acquireWheel(project: string, version: SeedVersion, ctx: AcquireContext): Promise<AcquiredWheel> {
  // A failure leaves the run's warnings unprinted: its error names the local wheels that could not be read.
  const unreadable: string[] = [];
  try {
    return await acquire(project, version, ctx, unreadable);
  } catch (e) {
    if (!(e instanceof MkvenvError) || !unreadable.length) throw e;
    throw new MkvenvError(`${e.message}; skipped as unreadable: ${unreadable.join(", ")}`, {
      hint: e.hint,
      exitCode: e.exitCode,
      cause: e,
    });
  }
}

async function acquire(
  project: string,
  version: SeedVersion,
  ctx: AcquireContext,
  unreadable: string[],
): Promise<AcquiredWheel> {
  const normalized = normalizeProject(project);
  const local = localCandidates(ctx, normalized, version);
  const pinned = version !== "bundle" && version !== "embed" && version !== "latest" ? version : undefined;
  const where = `Python ${ctx.python.major}.${ctx.python.minor}`;
  if (version === "latest" || (ctx.download === true && version === "bundle")) {
    if (ctx.download === false) {
      const by = ctx.noDownloadBy ?? "--no-download";
      throw new MkvenvError(`--${project} latest needs the package index, but ${by} forbids it`, {
        hint: `use --${project} bundle, or drop ${by}`,
      });
    }
    try {
      return await fromIndex(normalized, undefined, ctx);
    } catch (e) {
      if (ctx.signal?.aborted) throw e; // cancelled, not failed: nothing to fall back to
      // --download with a local wheel to fall back to: the index being down is no reason to fail (virtualenv warns).
      const fallback = version === "latest"
        ? undefined
        : await firstCompatible(local, ctx, (c) => !isPreReleaseWheel(c.name), unreadable);
      if (!fallback) throw e;
      ctx.warn?.(
        `could not use the package index (${e instanceof Error ? e.message : e}); seeding from ${fallback.path}`,
      );
      return fallback;
    }
  }
  if (pinned !== undefined) {
    const exact = await firstCompatible(local, ctx, (c) => isVersion(c.name, pinned), unreadable);
    if (exact) return exact;
    if (ctx.download === false) {
      throw new MkvenvError(`No ${project}==${pinned} wheel for ${where} found in: ${searched(ctx)}`, {
        hint: `drop ${ctx.noDownloadBy ?? "--no-download"} to fetch it from the package index, or add its folder ` +
          `with --extra-search-dir`,
      });
    }
    return await fromIndex(normalized, pinned, ctx);
  }
  const newest = await firstCompatible(local, ctx, (c) => !isPreReleaseWheel(c.name), unreadable);
  if (newest) return newest;
  throw new MkvenvError(`No ${project} wheel for ${where} found in: ${searched(ctx)}`, {
    hint: version === "embed"
      ? `use --${project} bundle, which also looks in mkvenv's wheel store and the index`
      : `pass --download to fetch it from the package index, --extra-search-dir DIR for a folder of wheels, ` +
        `or --no-${project}`,
  });
}
