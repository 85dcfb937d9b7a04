/**
 * The Windows registry as PEP 514 discovery reads it: a small read-only interface ({@linkcode RegistryReader}) with
 * two implementations, the real one over `advapi32.dll` (`advapi32.ts`, loaded only on Windows) and an in-memory
 * one ({@linkcode MemoryRegistry}) that tests and other operating systems use.
 *
 * @module
 */

/** A registry root: `HKEY_CURRENT_USER` or `HKEY_LOCAL_MACHINE`. */
export type Hive = "HKCU" | "HKLM";

/**
 * Which view of the registry to open a key in: `default` (no WOW64 flag), `64` (`KEY_WOW64_64KEY`, the native
 * `Software`) or `32` (`KEY_WOW64_32KEY`, what 32-bit programs see: `Software\WOW6432Node` on 64-bit Windows).
 * `HKEY_CURRENT_USER\Software` is shared by both views.
 */
export type RegistryView = "default" | "64" | "32";

/**
 * Read access to the registry. Every key `openKey` returns must be given back to `close`. Missing keys and values are
 * `undefined`; other failures (access denied, a broken handle) throw.
 */
export interface RegistryReader<Key = unknown> {
  /** Opens `path` (`Software\Python`, `\`-separated, case-insensitive) under `hive`, or `undefined` when missing. */
  openKey(hive: Hive, path: string, view: RegistryView): Key | undefined;
  /** The names of the key's subkeys, in the registry's order. */
  subkeys(key: Key): string[];
  /**
   * The value `name` of the key (`""` for the key's default value): a string for `REG_SZ` and `REG_EXPAND_SZ` (the
   * latter with `%VARIABLES%` expanded), a number for `REG_DWORD`, `undefined` when missing or of any other type.
   */
  value(key: Key, name: string): string | number | undefined;
  /** Releases the key. Closing a key twice does nothing. */
  close(key: Key): void;
}

/**
 * Expands `%NAME%` references as Windows does for `REG_EXPAND_SZ` values: a variable that is not set is left as
 * written, and `%%` stays.
 *
 * @param text The value as stored.
 * @param env Looks up an environment variable (Windows names are case-insensitive; the lookup decides).
 * @returns The expanded value.
 */
export function expandEnvironmentStrings(text: string, env: (name: string) => string | undefined): string {
  return text.replace(/%([^%]+)%/g, (whole, name: string) => env(name) ?? whole);
}

/** A value of a {@linkcode MemoryRegistry} key: `REG_SZ`, `REG_DWORD`, `REG_EXPAND_SZ`, or any other type. */
export type MemoryValue = string | number | { readonly expand: string } | { readonly binary: Uint8Array };

/** A key of a {@linkcode MemoryRegistry}: its values (`""` is the default value) and subkeys. */
export interface MemoryKey {
  /** Values by name. */
  readonly values?: Readonly<Record<string, MemoryValue>>;
  /** Subkeys by name. */
  readonly keys?: Readonly<Record<string, MemoryKey>>;
}

/** The trees of a {@linkcode MemoryRegistry}: `HKCU`, and `HKLM` in its 64-bit and 32-bit views. */
export interface MemoryTrees {
  /** `HKEY_CURRENT_USER` (the same in every view). */
  readonly HKCU?: MemoryKey;
  /** `HKEY_LOCAL_MACHINE` as 64-bit programs see it (also the `default` view). */
  readonly HKLM64?: MemoryKey;
  /** `HKEY_LOCAL_MACHINE` as 32-bit programs see it. */
  readonly HKLM32?: MemoryKey;
}

/** An open key of a {@linkcode MemoryRegistry}. */
export interface MemoryHandle {
  /** The key, until the handle is closed. */
  node: MemoryKey | undefined;
}

function child(node: MemoryKey, name: string): MemoryKey | undefined {
  const keys = node.keys ?? {};
  const lower = name.toLowerCase();
  const found = Object.keys(keys).find((k) => k.toLowerCase() === lower);
  return found === undefined ? undefined : keys[found];
}

/**
 * A registry held in memory, for tests and for trying the PEP 514 logic on any OS. Names are case-insensitive as in
 * the real registry; `openHandles` counts keys opened and not yet closed.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryRegistry } from "./reader.ts";
 * const registry = new MemoryRegistry({ HKCU: { keys: { Software: { keys: { Python: {} } } } } });
 * const key = registry.openKey("HKCU", "software\\python", "default");
 * assert(key !== undefined && registry.openHandles === 1);
 * registry.close(key!);
 * ```
 */
export class MemoryRegistry implements RegistryReader<MemoryHandle> {
  #trees: MemoryTrees;
  #env: (name: string) => string | undefined;
  /** How many keys are open. */
  openHandles = 0;

  /**
   * @param trees The keys of each hive and view.
   * @param env Expands `REG_EXPAND_SZ` values. @default {no variables}
   */
  constructor(trees: MemoryTrees, env: (name: string) => string | undefined = () => undefined) {
    this.#trees = trees;
    this.#env = env;
  }

  /** Opens a key, or returns `undefined` when it is missing. */
  openKey(hive: Hive, path: string, view: RegistryView): MemoryHandle | undefined {
    let node = hive === "HKCU" ? this.#trees.HKCU : view === "32" ? this.#trees.HKLM32 : this.#trees.HKLM64;
    for (const part of path.split("\\").filter((p) => p !== "")) {
      node = node && child(node, part);
    }
    if (!node) return undefined;
    this.openHandles++;
    return { node };
  }

  /** The subkey names. */
  subkeys(key: MemoryHandle): string[] {
    return Object.keys(this.#open(key).keys ?? {});
  }

  /** A string or DWORD value, else `undefined`. */
  value(key: MemoryHandle, name: string): string | number | undefined {
    const values = this.#open(key).values ?? {};
    const lower = name.toLowerCase();
    const found = Object.keys(values).find((k) => k.toLowerCase() === lower);
    const v = found === undefined ? undefined : values[found];
    if (typeof v === "string" || typeof v === "number") return v;
    if (v && "expand" in v) return expandEnvironmentStrings(v.expand, this.#env);
    return undefined;
  }

  /** Closes the key. */
  close(key: MemoryHandle): void {
    if (key.node) this.openHandles--;
    key.node = undefined;
  }

  #open(key: MemoryHandle): MemoryKey {
    if (!key.node) throw new Error("registry key used after close");
    return key.node;
  }
}
