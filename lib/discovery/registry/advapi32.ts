/**
 * The real Windows registry, read through Deno FFI from `advapi32.dll` (`RegOpenKeyExW`, `RegEnumKeyExW`,
 * `RegQueryValueExW`, `RegCloseKey`). Imported only on Windows (and by the tests, which load a fake library built
 * from `tests/fixtures/fake_advapi32.c`); needs `--allow-ffi` for the library's path.
 *
 * Strings cross as NUL-terminated UTF-16LE (JavaScript strings are UTF-16 code units already, so non-ASCII and
 * non-BMP names survive); handles are pointers; value buffers grow on `ERROR_MORE_DATA`.
 *
 * @module
 */
import { expandEnvironmentStrings, type Hive, type RegistryReader, type RegistryView } from "./reader.ts";

const SYMBOLS = {
  // LSTATUS RegOpenKeyExW(HKEY hKey, LPCWSTR lpSubKey, DWORD ulOptions, REGSAM samDesired, PHKEY phkResult)
  RegOpenKeyExW: { parameters: ["pointer", "buffer", "u32", "u32", "buffer"], result: "i32" },
  // LSTATUS RegEnumKeyExW(HKEY hKey, DWORD dwIndex, LPWSTR lpName, LPDWORD lpcchName, LPDWORD lpReserved,
  //   LPWSTR lpClass, LPDWORD lpcchClass, PFILETIME lpftLastWriteTime)
  RegEnumKeyExW: {
    parameters: ["pointer", "u32", "buffer", "buffer", "pointer", "pointer", "pointer", "pointer"],
    result: "i32",
  },
  // LSTATUS RegQueryValueExW(HKEY hKey, LPCWSTR lpValueName, LPDWORD lpReserved, LPDWORD lpType, LPBYTE lpData,
  //   LPDWORD lpcbData)
  RegQueryValueExW: { parameters: ["pointer", "buffer", "pointer", "buffer", "buffer", "buffer"], result: "i32" },
  // LSTATUS RegCloseKey(HKEY hKey)
  RegCloseKey: { parameters: ["pointer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

/** `HKEY_CURRENT_USER`: `(HKEY)(ULONG_PTR)(LONG)0x80000001`, sign-extended as winreg.h does. */
export const HKEY_CURRENT_USER = 0xFFFF_FFFF_8000_0001n;
/** `HKEY_LOCAL_MACHINE`. */
export const HKEY_LOCAL_MACHINE = 0xFFFF_FFFF_8000_0002n;
/** `KEY_READ` access. */
export const KEY_READ = 0x20019;
/** Open the 64-bit view of the registry. */
export const KEY_WOW64_64KEY = 0x0100;
/** Open the 32-bit view of the registry. */
export const KEY_WOW64_32KEY = 0x0200;

const ERROR_SUCCESS = 0;
const ERROR_FILE_NOT_FOUND = 2;
const ERROR_PATH_NOT_FOUND = 3;
const ERROR_MORE_DATA = 234;
const ERROR_NO_MORE_ITEMS = 259;
const REG_SZ = 1;
const REG_EXPAND_SZ = 2;
const REG_DWORD = 4;
/** Registry values larger than this are not what PEP 514 stores; growing stops there. */
const MAX_VALUE_BYTES = 1 << 20;

/** A registry call that failed with a Windows error code other than "not found". */
export class RegistryError extends Error {
  /** The Windows error code (`5`: access denied, `6`: invalid handle, ...). */
  readonly code: number;
  /**
   * @param what What was being done.
   * @param code The Windows error code.
   */
  constructor(what: string, code: number) {
    super(`${what}: Windows error ${code}`);
    this.name = "RegistryError";
    this.code = code;
  }
}

/** The NUL-terminated UTF-16 form of a string. */
export function toWide(text: string): Uint16Array {
  const out = new Uint16Array(text.length + 1);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** The string in the first `length` code units of `units`, up to the first NUL (code units kept exactly). */
export function fromWide(units: Uint16Array, length: number = units.length): string {
  let end = Math.min(length, units.length);
  const nul = units.subarray(0, end).indexOf(0);
  if (nul >= 0) end = nul;
  let text = "";
  for (let i = 0; i < end; i += 8192) text += String.fromCharCode(...units.subarray(i, Math.min(end, i + 8192)));
  return text;
}

/** An open registry key of an {@linkcode Advapi32Registry}. */
export class Advapi32Key {
  /** The HKEY, null once closed. */
  handle: Deno.PointerValue;
  /** The key's path, for messages. */
  readonly path: string;
  /**
   * @param handle The HKEY.
   * @param path The key's path, for messages.
   */
  constructor(handle: Deno.PointerValue, path: string) {
    this.handle = handle;
    this.path = path;
  }
}

/** What {@linkcode Advapi32Registry.open} takes besides the library's path. */
export interface Advapi32Options {
  /** Looks up environment variables to expand `REG_EXPAND_SZ` values. @default {no expansion of unset names} */
  readonly env?: ((name: string) => string | undefined) | undefined;
}

/**
 * The registry through `advapi32.dll`. Dispose of it to unload the library (every key should be closed first).
 *
 * @example Usage
 * ```ts ignore
 * import { Advapi32Registry } from "./advapi32.ts";
 * using registry = Advapi32Registry.open("C:\\Windows\\System32\\advapi32.dll");
 * const key = registry.openKey("HKCU", "Software\\Python", "default");
 * if (key) {
 *   console.log(registry.subkeys(key));
 *   registry.close(key);
 * }
 * ```
 */
export class Advapi32Registry implements RegistryReader<Advapi32Key>, Disposable {
  #library: Deno.DynamicLibrary<typeof SYMBOLS> | undefined;
  #api: Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];
  #env: (name: string) => string | undefined;

  private constructor(library: Deno.DynamicLibrary<typeof SYMBOLS>, options: Advapi32Options) {
    this.#library = library;
    this.#api = library.symbols;
    this.#env = options.env ?? (() => undefined);
  }

  /**
   * Loads the library. Throws when it cannot be loaded (FFI not permitted, missing file, missing symbols).
   *
   * @param libraryPath Absolute path of `advapi32.dll` (or of a stand-in exporting the same four functions).
   * @param options How `REG_EXPAND_SZ` values are expanded.
   */
  static open(libraryPath: string, options: Advapi32Options = {}): Advapi32Registry {
    return new Advapi32Registry(Deno.dlopen(libraryPath, SYMBOLS), options);
  }

  /** Opens a key for reading; `undefined` when it does not exist. */
  openKey(hive: Hive, path: string, view: RegistryView): Advapi32Key | undefined {
    const root = Deno.UnsafePointer.create(hive === "HKCU" ? HKEY_CURRENT_USER : HKEY_LOCAL_MACHINE);
    const access = KEY_READ | (view === "64" ? KEY_WOW64_64KEY : view === "32" ? KEY_WOW64_32KEY : 0);
    const out = new BigUint64Array(1);
    const rc = this.#api.RegOpenKeyExW(root, toWide(path), 0, access, out);
    if (rc === ERROR_FILE_NOT_FOUND || rc === ERROR_PATH_NOT_FOUND) return undefined;
    const where = `${hive}\\${path}`;
    if (rc !== ERROR_SUCCESS) throw new RegistryError(`cannot open ${where}`, rc);
    const handle = Deno.UnsafePointer.create(out[0]!);
    if (handle === null) throw new RegistryError(`cannot open ${where} (null handle)`, rc);
    return new Advapi32Key(handle, where);
  }

  /** The subkey names, in the registry's order. */
  subkeys(key: Advapi32Key): string[] {
    const handle = this.#handle(key);
    const names: string[] = [];
    let name = new Uint16Array(256); // key names are at most 255 characters
    const size = new Uint32Array(1);
    for (let index = 0;;) {
      size[0] = name.length; // characters, including the NUL; updated by every call
      const rc = this.#api.RegEnumKeyExW(handle, index, name, size, null, null, null, null);
      if (rc === ERROR_NO_MORE_ITEMS) return names;
      if (rc === ERROR_MORE_DATA && name.length < 32768) {
        name = new Uint16Array(name.length * 2);
        continue;
      }
      if (rc !== ERROR_SUCCESS) throw new RegistryError(`cannot list the subkeys of ${key.path}`, rc);
      names.push(fromWide(name, size[0]!));
      index++;
    }
  }

  /** A `REG_SZ`/`REG_EXPAND_SZ` value as a string, a `REG_DWORD` as a number, anything else `undefined`. */
  value(key: Advapi32Key, name: string): string | number | undefined {
    const handle = this.#handle(key);
    const wideName = toWide(name);
    const type = new Uint32Array(1);
    const size = new Uint32Array(1);
    let data = new Uint8Array(512);
    for (;;) {
      size[0] = data.byteLength;
      const rc = this.#api.RegQueryValueExW(handle, wideName, null, type, data, size);
      if (rc === ERROR_FILE_NOT_FOUND) return undefined;
      if (rc === ERROR_MORE_DATA && size[0]! > data.byteLength && size[0]! <= MAX_VALUE_BYTES) {
        data = new Uint8Array(size[0]! + 2); // one spare code unit: a stored string may lack its NUL
        continue;
      }
      if (rc !== ERROR_SUCCESS) throw new RegistryError(`cannot read "${name}" of ${key.path}`, rc);
      const length = Math.min(size[0]!, data.byteLength);
      switch (type[0]) {
        case REG_SZ:
          return fromWide(new Uint16Array(data.buffer, 0, length >> 1));
        case REG_EXPAND_SZ:
          return expandEnvironmentStrings(fromWide(new Uint16Array(data.buffer, 0, length >> 1)), this.#env);
        case REG_DWORD:
          return length === 4 ? new DataView(data.buffer).getUint32(0, true) : undefined;
        default:
          return undefined;
      }
    }
  }

  /** Closes the key (once). */
  close(key: Advapi32Key): void {
    const handle = key.handle;
    if (handle === null) return;
    key.handle = null;
    const rc = this.#api.RegCloseKey(handle);
    if (rc !== ERROR_SUCCESS) throw new RegistryError(`cannot close ${key.path}`, rc);
  }

  /** Unloads the library. */
  [Symbol.dispose](): void {
    this.#library?.close();
    this.#library = undefined;
  }

  #handle(key: Advapi32Key): NonNullable<Deno.PointerValue> {
    if (key.handle === null) throw new Error(`registry key ${key.path} used after close`);
    return key.handle;
  }
}
