/**
 * The on-disk cache of interpreter answers: one JSON file per interpreter in `<app-data>/mkvenv-v1/py_info/`, so a
 * warm run starts no Python at all.
 *
 * An entry is keyed by the interpreter's path (shims already resolved) and is valid while the file behind that path
 * (symlinks followed) keeps its real path, inode, size and modification time, and while the interrogation script is
 * unchanged. That beats virtualenv, which keys on the link's own mtime and misses upgrades behind symlinks. Failed
 * probes are kept for {@linkcode FAILURE_TTL_MS} only; "too old" verdicts last as long as the file is unchanged.
 *
 * @module
 */
import { fnv1a64 } from "../fnv1a.ts";
import { hostPath as path } from "../path.ts";
import { writeFileAtomicSync } from "../app_data.ts";
import type { PythonInfo } from "./py_info.ts";

/** How long a failed probe (crash, timeout, garbage output) is remembered before the interpreter is tried again. */
export const FAILURE_TTL_MS = 10 * 60 * 1000;

/** The outcome of interrogating an interpreter, as cached. */
export type ProbeResult =
  | { readonly ok: true; readonly info: PythonInfo }
  | { readonly ok: false; readonly reason: string; readonly unsupported?: boolean | undefined };

/** Identity of the file behind an executable path: a change of any field invalidates its cache entry. */
export interface FileFingerprint {
  /** The path with every symlink resolved. */
  readonly realPath: string;
  /** Inode number (0 where the OS has none). */
  readonly ino: number;
  /** Size in bytes. */
  readonly size: number;
  /** Modification time in milliseconds. */
  readonly mtimeMs: number;
}

/** One cache file's content. */
interface CacheEntry {
  readonly path: string;
  readonly fingerprint: FileFingerprint;
  readonly scriptSha256: string;
  readonly checkedAtMs: number;
  readonly result: ProbeResult;
}

/**
 * Reads the fingerprint of the file behind `exe`, or undefined when it does not exist or is not a file. A Windows app
 * execution alias (a Microsoft Store Python's `python.exe`) cannot be opened, only run: its own entry stands for it.
 */
export function fingerprintOf(exe: string): FileFingerprint | undefined {
  try {
    let stat: Deno.FileInfo;
    try {
      stat = Deno.statSync(exe);
    } catch (e) {
      if (Deno.build.os !== "windows") throw e;
      stat = Deno.lstatSync(exe);
    }
    if (!stat.isFile) return undefined;
    return {
      realPath: realPathOr(exe),
      ino: stat.ino ?? 0,
      size: stat.size,
      mtimeMs: stat.mtime?.getTime() ?? 0,
    };
  } catch {
    return undefined;
  }
}

function realPathOr(exe: string): string {
  try {
    return Deno.realPathSync(exe);
  } catch (e) {
    if (Deno.build.os !== "windows") throw e;
    return exe;
  }
}

function sameFingerprint(a: FileFingerprint, b: FileFingerprint): boolean {
  return a.realPath === b.realPath && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/** Options for {@linkcode PyInfoCache}. */
export interface PyInfoCacheOptions {
  /** SHA-256 of the interrogation script; entries made by another script are stale. */
  readonly scriptSha256: string;
  /** Clock, for tests. @default {Date.now} */
  readonly now?: (() => number) | undefined;
  /** Read entries but never write any (`--read-only-app-data`). @default {false} */
  readonly readOnly?: boolean | undefined;
}

/** Interpreter answers cached in one folder; `undefined` as the folder keeps nothing on disk. */
export class PyInfoCache {
  readonly #dir: string | undefined;
  readonly #scriptSha256: string;
  readonly #now: () => number;
  readonly #readOnly: boolean;

  /** Creates a cache in `dir` (created on first write), or a cache that keeps nothing when `dir` is undefined. */
  constructor(dir: string | undefined, options: PyInfoCacheOptions) {
    this.#dir = dir;
    this.#scriptSha256 = options.scriptSha256;
    this.#now = options.now ?? Date.now;
    this.#readOnly = options.readOnly ?? false;
  }

  /** The cache file for an executable path. */
  fileFor(exe: string): string | undefined {
    return this.#dir === undefined ? undefined : path.join(this.#dir, `${fnv1a64(exe)}.json`);
  }

  /** Returns the cached result for `exe` if it is still valid for the file's current fingerprint. */
  get(exe: string, fingerprint: FileFingerprint): ProbeResult | undefined {
    const file = this.fileFor(exe);
    if (file === undefined) return undefined;
    let entry: CacheEntry;
    try {
      entry = JSON.parse(Deno.readTextFileSync(file)) as CacheEntry;
    } catch {
      return undefined; // missing or torn by a foreign writer: treat as absent, the next store replaces it
    }
    if (
      entry?.path !== exe || entry.scriptSha256 !== this.#scriptSha256 || !entry.fingerprint ||
      !sameFingerprint(entry.fingerprint, fingerprint) || !entry.result
    ) return undefined;
    if (entry.result.ok) {
      // The base install behind a venv's interpreter can vanish while the venv's link stays.
      try {
        if (!Deno.statSync(entry.result.info.systemExecutable).isFile) return undefined;
      } catch {
        return undefined;
      }
    } else if (!entry.result.unsupported && this.#now() - entry.checkedAtMs > FAILURE_TTL_MS) {
      return undefined;
    }
    return entry.result;
  }

  /** Stores a result for `exe`. Write failures (read-only or full disk) are ignored: the cache is an optimisation. */
  set(exe: string, fingerprint: FileFingerprint, result: ProbeResult): void {
    const file = this.fileFor(exe);
    if (file === undefined || this.#readOnly) return;
    const entry: CacheEntry = {
      path: exe,
      fingerprint,
      scriptSha256: this.#scriptSha256,
      checkedAtMs: this.#now(),
      result,
    };
    try {
      writeFileAtomicSync(file, JSON.stringify(entry, null, 1));
    } catch {
      // An unwritable cache costs a re-probe next time, nothing more.
    }
  }
}
