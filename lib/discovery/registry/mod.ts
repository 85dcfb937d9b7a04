/**
 * Windows interpreter discovery beyond PATH: PEP 514 registrations ({@linkcode readRegisteredPythons}) read through
 * FFI, and Microsoft Store packages ({@linkcode storePythons}). {@linkcode prepareWindowsPythons} is what discovery
 * calls; {@linkcode findWindowsPythons} runs the whole search at once.
 *
 * The FFI module is imported only when the registry is really read (Windows, or a library path given), so other
 * systems never load it. Without FFI permission for `advapi32.dll` the registry is skipped with a debug line: the
 * permission is queried, never prompted for.
 *
 * @module
 */
import type { EnvLookup } from "../../app_data.ts";
import { hostPlatform, type Platform } from "../../platform.ts";
import { isExecutableFile } from "../shims.ts";
import { orderWindowsPythons, readRegisteredPythons, type WindowsPython } from "./pep514.ts";
import type { RegistryReader } from "./reader.ts";
import { storePythons } from "./store.ts";

export { orderWindowsPythons, readRegisteredPythons, type WindowsPython, windowsPythonMayMatch } from "./pep514.ts";
export { type Hive, MemoryRegistry, type RegistryReader, type RegistryView } from "./reader.ts";
export { storePythons } from "./store.ts";

/** What Windows discovery reads from its caller. */
export interface WindowsDiscoveryOptions {
  /** Environment variables (`SystemRoot`, `LOCALAPPDATA`, those `REG_EXPAND_SZ` values name). @default {the process's} */
  readonly env?: EnvLookup | undefined;
  /** Receives skipped entries and why, and why the registry was not read. */
  readonly debug?: ((message: string) => void) | undefined;
  /** The OS rules. @default {the host's} */
  readonly platform?: Platform | undefined;
  /**
   * The registry to read: a reader (an in-memory one in tests), `null` for none. By default the real registry through
   * {@linkcode libraryPath}, on Windows only.
   */
  readonly registry?: RegistryReader | null | undefined;
  /**
   * The `advapi32.dll` to load; giving one also reads the registry on other systems (tests load a fake library).
   * @default {`%SystemRoot%\System32\advapi32.dll`}
   */
  readonly libraryPath?: string | undefined;
  /** Whether to look for Microsoft Store packages. @default {on Windows} */
  readonly store?: boolean | undefined;
  /** Whether an executable exists. @default {an executable file check} */
  readonly exists?: ((file: string) => boolean) | undefined;
}

/** The absolute path of the system's `advapi32.dll` (absolute, so no DLL next to a download can stand in for it). */
export function systemAdvapi32(env: EnvLookup): string {
  const root = env("SystemRoot") ?? env("SYSTEMROOT") ?? "C:\\Windows";
  return `${root.replace(/[\\/]+$/, "")}\\System32\\advapi32.dll`;
}

/** Whether FFI access to `path` is granted; never prompts. */
function ffiGranted(path: string): boolean {
  try {
    return Deno.permissions.querySync({ name: "ffi", path }).state === "granted";
  } catch {
    return false;
  }
}

function processEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // no --allow-env: as if unset
  }
}

/**
 * Gets Windows discovery ready: loads the FFI module when the registry is to be read, checks the permission, and
 * returns a function that does the reading (synchronously, once, on first call), or `undefined` when there is
 * nothing to read (not Windows, nothing injected). The registry library is loaded and unloaded within that call.
 *
 * @param options Where to read from.
 * @returns The reading function, best entries first, or `undefined`.
 */
export async function prepareWindowsPythons(
  options: WindowsDiscoveryOptions = {},
): Promise<(() => readonly WindowsPython[]) | undefined> {
  const env = options.env ?? processEnv;
  const platform = options.platform ?? hostPlatform();
  const debug = options.debug;
  const exists = options.exists ?? ((file: string) => isExecutableFile(file, platform));
  const pep514 = { exists, debug, path: platform.path };

  let registry: (() => WindowsPython[]) | undefined;
  const injected = options.registry;
  if (injected) {
    registry = () => readRegisteredPythons(injected, pep514);
  } else if (injected === undefined && (options.libraryPath || (platform.isWindows && Deno.build.os === "windows"))) {
    // An `env` option without SystemRoot still loads the system's library, not a guess at C:\Windows.
    const library = options.libraryPath ?? systemAdvapi32((name) => env(name) ?? processEnv(name));
    if (!ffiGranted(library)) {
      debug?.(`Windows registry (PEP 514) not read: no FFI permission for ${library} (run with --allow-ffi)`);
    } else {
      const { Advapi32Registry } = await import("./advapi32.ts");
      registry = () => {
        let reader;
        try {
          reader = Advapi32Registry.open(library, { env });
        } catch (e) {
          debug?.(`Windows registry (PEP 514) not read: cannot load ${library}: ${e instanceof Error ? e.message : e}`);
          return [];
        }
        using _ = reader;
        return readRegisteredPythons(reader, pep514);
      };
    }
  }
  const localAppData = (options.store ?? platform.isWindows) ? env("LOCALAPPDATA") : undefined;
  if (!registry && !localAppData) return undefined;

  let found: readonly WindowsPython[] | undefined;
  return () => {
    found ??= orderWindowsPythons([
      ...registry?.() ?? [],
      ...localAppData ? storePythons(localAppData, platform.path, Deno.build.arch) : [],
    ]);
    return found;
  };
}

/**
 * Every Windows interpreter registered under PEP 514 (HKCU, then HKLM's 64-bit and 32-bit views) or installed from
 * the Microsoft Store, in the order discovery tries them, with their executables checked to exist. On Windows it reads
 * the real registry through `advapi32.dll` (with `--allow-ffi`; without it, only Store packages are listed).
 *
 * @param options Where to read from; the defaults read this machine.
 * @returns The interpreters, best first (empty on other systems unless a registry or library is given).
 *
 * @example Usage
 * ```ts
 * import { findWindowsPythons } from "./mod.ts";
 * for (const python of await findWindowsPythons()) {
 *   console.log(python.location, python.executable, python.version?.join("."));
 * }
 * ```
 */
export async function findWindowsPythons(options: WindowsDiscoveryOptions = {}): Promise<WindowsPython[]> {
  const read = await prepareWindowsPythons(options);
  return read ? [...read()] : [];
}
