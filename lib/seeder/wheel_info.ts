/**
 * What mkvenv needs to know from inside a seed wheel (its `Requires-Python`, console scripts and `.dist-info`
 * folder), cached per wheel file in the app-data folder: a warm run reads one small JSON file per wheel and loads no
 * zip code.
 *
 * @module
 */
import { replaceAtomicallySync } from "../app_data.ts";
import { hostPath as path } from "../path.ts";
import { fnv1a64 } from "../fnv1a.ts";

/** A `console_scripts` entry point. */
export interface ConsoleScriptEntry {
  /** The script name, e.g. `pip`. */
  readonly name: string;
  /** The module, e.g. `pip._internal.cli.main`. */
  readonly module: string;
  /** The callable, e.g. `main`. */
  readonly attr: string;
}

/** What a wheel says about itself. */
export interface WheelInfo {
  /** The wheel file (absolute). */
  readonly path: string;
  /** `Name` from METADATA. */
  readonly name: string;
  /** `Version` from METADATA. */
  readonly version: string;
  /** `Requires-Python` from METADATA, if any. */
  readonly requiresPython: string | undefined;
  /** Its console scripts. */
  readonly consoleScripts: readonly ConsoleScriptEntry[];
  /** The `.dist-info` folder name. */
  readonly distInfo: string;
  /** The file's SHA-256 digest (hex): with its name, what tells its install image apart from another wheel's. */
  readonly sha256: string;
}

interface CachedWheelInfo {
  readonly size: number;
  readonly mtimeMs: number;
  readonly info: WheelInfo;
}

/** Reads wheel metadata, from the cache when the file is unchanged (same size and modification time). */
export class WheelInfoCache {
  readonly #dir: string;
  readonly #readOnly: boolean;

  /** A cache keeping its entries in `dir`; a `readOnly` one reads them but never writes (`--read-only-app-data`). */
  constructor(dir: string, options: { readonly readOnly?: boolean | undefined } = {}) {
    this.#dir = dir;
    this.#readOnly = options.readOnly ?? false;
  }

  /** The metadata of the wheel at `file`. */
  async get(file: string): Promise<WheelInfo> {
    const stat = Deno.statSync(file);
    const key = path.join(this.#dir, `${fnv1a64(file)}.json`);
    try {
      const cached = JSON.parse(Deno.readTextFileSync(key)) as CachedWheelInfo;
      if (
        cached.size === stat.size && cached.mtimeMs === stat.mtime?.getTime() && cached.info.path === file &&
        typeof cached.info.sha256 === "string" // entries of earlier releases lack it
      ) {
        return cached.info;
      }
    } catch { /* missing or unreadable: read the wheel */ }
    const { readWheelMetadata } = await import("../on_demand.ts");
    const bytes = Deno.readFileSync(file);
    const meta = await readWheelMetadata(bytes, path.basename(file));
    // WebCrypto: one native call for the whole file, done once per wheel (the answer is cached).
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    const info: WheelInfo = {
      path: file,
      name: meta.name,
      version: meta.version,
      requiresPython: meta.requiresPython,
      consoleScripts: meta.consoleScripts.map((s) => ({ name: s.name, module: s.module, attr: s.attr })),
      distInfo: meta.distInfo,
      sha256: Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join(""),
    };
    if (this.#readOnly) return info;
    try {
      Deno.mkdirSync(this.#dir, { recursive: true });
      const entry: CachedWheelInfo = { size: stat.size, mtimeMs: stat.mtime?.getTime() ?? 0, info };
      replaceAtomicallySync(key, (temp) => Deno.writeTextFileSync(temp, JSON.stringify(entry)));
    } catch { /* a read-only cache only costs speed */ }
    return info;
  }
}
