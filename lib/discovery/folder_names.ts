/**
 * The interpreter-like names of PATH folders, remembered across runs by each folder's modification time. A search
 * by version (`-p 3.12`) that finds no exact name lists every PATH folder, `/usr/bin` with a thousand names or more:
 * listing and matching them is most of what such a search costs once every interpreter's answer is cached. A folder's
 * modification time changes whenever a name is added, removed or renamed in it, so a kept list stays true while the
 * time does; a folder changed less than two seconds before it was listed is not kept, since a change within the same
 * clock tick would leave its time as it was (git treats its index the same way).
 *
 * @module
 */
import { isDirectory, writeFileAtomicSync } from "../app_data.ts";

/** How recent a folder's change may be for its listing to be kept. */
const RACY_MS = 2000;

/** One kept listing. */
interface FolderEntry {
  /** The folder's modification time, in milliseconds, when it was listed. */
  readonly mtimeMs: number;
  /** Its inode number (0 where the OS has none): a folder replaced by another of the same time is not the same. */
  readonly ino: number;
  /** The names that passed the filter, in listing order. */
  readonly names: readonly string[];
}

/** The file's content. */
interface FolderFile {
  readonly version: 1;
  readonly folders: Record<string, FolderEntry>;
}

/** Options for {@linkcode FolderNames}. */
export interface FolderNamesOptions {
  /** Never write the file (a read-only app-data folder). @default {false} */
  readonly readOnly?: boolean | undefined;
  /** The clock, in milliseconds since the epoch. @default {Date.now} */
  readonly now?: (() => number) | undefined;
}

/**
 * Listings of folders reduced to the names a filter keeps, kept in one JSON file.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { FolderNames } from "./folder_names.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/python3`, "");
 * const names = new FolderNames(`${dir}/cache/folders.json`, { now: () => Date.now() + 10_000 });
 * assert.deepEqual(names.list(dir, "py", (n) => n.startsWith("py")), ["python3"]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class FolderNames {
  readonly #file: string | undefined;
  readonly #readOnly: boolean;
  readonly #now: () => number;
  #folders: Record<string, FolderEntry> | undefined;

  /**
   * Keeps its listings in `file` (written on the first change; its folder is created then), or nowhere when `file`
   * is undefined.
   */
  constructor(file: string | undefined, options: FolderNamesOptions = {}) {
    this.#file = file;
    this.#readOnly = options.readOnly ?? false;
    this.#now = options.now ?? Date.now;
  }

  /**
   * The names in `dir` that `keep` accepts, from the kept listing while `dir` is unchanged, else from listing it
   * (and keeping that). `kind` names the filter: listings made with different filters are kept apart.
   *
   * @returns The names, or undefined when `dir` cannot be listed (missing, not a folder, no permission).
   */
  list(dir: string, kind: string, keep: (name: string) => boolean): readonly string[] | undefined {
    let stat: Deno.FileInfo;
    try {
      stat = Deno.statSync(dir);
    } catch {
      return undefined;
    }
    const mtimeMs = stat.mtime?.getTime();
    const ino = stat.ino ?? 0;
    const key = `${kind}\u0000${dir}`;
    const kept = this.#load()[key];
    if (mtimeMs !== undefined && kept?.mtimeMs === mtimeMs && kept.ino === ino) return kept.names;
    const names: string[] = [];
    try {
      for (const { name } of Deno.readDirSync(dir)) if (keep(name)) names.push(name);
    } catch {
      return undefined;
    }
    if (mtimeMs !== undefined && this.#now() - mtimeMs >= RACY_MS) this.#store(key, { mtimeMs, ino, names });
    return names;
  }

  #load(): Record<string, FolderEntry> {
    if (this.#folders) return this.#folders;
    this.#folders = {};
    if (this.#file === undefined) return this.#folders;
    try {
      const parsed = JSON.parse(Deno.readTextFileSync(this.#file)) as Partial<FolderFile>;
      if (parsed.version === 1 && typeof parsed.folders === "object" && parsed.folders !== null) {
        this.#folders = parsed.folders;
      }
    } catch { /* missing or torn: listings are made again and the file replaced */ }
    return this.#folders;
  }

  #store(key: string, entry: FolderEntry): void {
    const folders = this.#load();
    folders[key] = entry;
    if (this.#file === undefined || this.#readOnly) return;
    // Folders that no longer exist (temporary ones put on PATH for a while) leave, so the file does not only grow.
    for (const other of Object.keys(folders)) {
      if (other !== key && !isDirectory(other.slice(other.indexOf("\u0000") + 1))) delete folders[other];
    }
    const file: FolderFile = { version: 1, folders };
    try {
      writeFileAtomicSync(this.#file, JSON.stringify(file));
    } catch { /* a cache that cannot be written only costs the next run a listing */ }
  }
}
