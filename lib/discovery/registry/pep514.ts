/**
 * PEP 514 discovery: the interpreters registered under `Software\Python\<Company>\<Tag>` in the Windows registry, as
 * pure code over a {@linkcode RegistryReader} (so it runs, and is tested, on any OS).
 *
 * What is read, as virtualenv and the `py` launcher read it:
 * - hives in order: `HKEY_CURRENT_USER`, then `HKEY_LOCAL_MACHINE` in its 64-bit view, then in its 32-bit view; the
 *   `PyLauncher` company is reserved and skipped;
 * - per tag: `SysVersion`, `SysArchitecture`, `Version`, `DisplayName`, and under `InstallPath` its default value,
 *   `ExecutablePath`, `ExecutableArguments` and `WindowedExecutablePath`. The executable is `ExecutablePath`, else
 *   `python.exe` in the default value's folder (PEP 514's rule for `PythonCore`, which virtualenv applies to every
 *   company), and it must exist;
 * - the Python version is `SysVersion`, else read from a `PythonCore` tag (`3.12`, `3.12-32`, `3.13t`, `3.11-arm64`),
 *   an Astral (uv) tag (`CPython3.13.1`) or a tag that is only a version (virtualenv's fallback). Other tags are
 *   opaque, as PEP 514 asks: an entry whose version is unknown is always interrogated;
 * - pointer size: `SysArchitecture` (`64bit`, `32bit`), else the HKLM view's, else a `PythonCore` tag's suffix;
 *   free-threading: a `t` tag or a `DisplayName` saying free-threaded; implementation: `PythonCore` and
 *   `ContinuumAnalytics` (conda) are CPython, `PyPy` is PyPy, Astral's tags name theirs, other companies are unknown
 *   (so a `cpython` spec still interrogates them, unlike virtualenv's #2491).
 *
 * A missing, partial or wrongly typed key never stops the search: the entry is skipped with a debug line.
 *
 * @module
 */
import type { PathModule } from "../../path.ts";
import { platformFor } from "../../platform.ts";
import { compareNumberLists } from "../shims.ts";
import { matchExecutableName, normalizeMachine, type PythonSpec } from "../spec.ts";
import type { Hive, RegistryReader, RegistryView } from "./reader.ts";

/** A Windows interpreter found in the registry (PEP 514) or as a Microsoft Store app. */
export interface WindowsPython {
  /** How it was found: a PEP 514 registration, or a Microsoft Store package. */
  readonly source: "registry" | "ms-store";
  /** The PEP 514 company (`PythonCore` for python.org and Store builds). */
  readonly company: string;
  /** The PEP 514 tag (`3.12`, `3.12-32`, `3.13t`, ...). */
  readonly tag: string;
  /** Where it was found: the registry key (`HKCU\Software\Python\PythonCore\3.12`) or the Store package folder. */
  readonly location: string;
  /** The hive of a registry entry. */
  readonly hive?: Hive | undefined;
  /** The registry view of a registry entry. */
  readonly view?: RegistryView | undefined;
  /** The console interpreter (absolute). */
  readonly executable: string;
  /** `InstallPath\ExecutableArguments`, read but not used (as virtualenv). */
  readonly executableArguments?: string | undefined;
  /** `InstallPath\WindowedExecutablePath` (`pythonw.exe`), for information. */
  readonly windowedExecutable?: string | undefined;
  /** `InstallPath`'s default value: the install's `sys.prefix`. */
  readonly installPath?: string | undefined;
  /** Lower-case implementation (`cpython`, `pypy`, `graalpy`), undefined when the registration does not say. */
  readonly implementation?: string | undefined;
  /** The Python version the registration states (`[3, 12]`, `[3, 12, 1]`), undefined when unknown. */
  readonly version?: readonly number[] | undefined;
  /** Pointer size, 32 or 64, undefined when unknown. */
  readonly bits?: number | undefined;
  /** Normalised machine when the registration says (`arm64` for a `-arm64` tag). */
  readonly machine?: string | undefined;
  /** Whether it is a free-threaded build, undefined when unknown. */
  readonly freeThreaded?: boolean | undefined;
  /** `DisplayName`. */
  readonly displayName?: string | undefined;
  /** `Version`: the distribution's own version (PyPy's `7.3.17`), not Python's. */
  readonly packageVersion?: string | undefined;
}

/** What {@linkcode readRegisteredPythons} needs besides the registry. */
export interface Pep514Options {
  /** Whether an executable exists; entries whose executable does not are skipped. @default {every file exists} */
  readonly exists?: ((file: string) => boolean) | undefined;
  /** Receives a line per skipped entry and why. */
  readonly debug?: ((message: string) => void) | undefined;
  /** Path rules for joining `InstallPath` and `python.exe`. @default {win32} */
  readonly path?: PathModule | undefined;
}

/** The three places PEP 514 registrations live, in the order they are read. */
export const PEP514_LOCATIONS: readonly {
  readonly hive: Hive;
  readonly view: RegistryView;
  /** The pointer size a `PythonCore` entry without `SysArchitecture` has there. */
  readonly bits: number | undefined;
}[] = [
  { hive: "HKCU", view: "default", bits: undefined },
  { hive: "HKLM", view: "64", bits: 64 },
  { hive: "HKLM", view: "32", bits: 32 },
];

const ROOT = "Software\\Python";

/** Opens a key, runs `fn` on it and closes it whatever happens; `undefined` when the key is missing. */
function withKey<K, T>(
  reader: RegistryReader<K>,
  hive: Hive,
  path: string,
  view: RegistryView,
  fn: (key: K) => T,
): T | undefined {
  const key = reader.openKey(hive, path, view);
  if (key === undefined) return undefined;
  try {
    return fn(key);
  } finally {
    reader.close(key);
  }
}

/** How a key is shown in messages: `HKCU\Software\Python\PythonCore\3.12`, with the view for HKLM. */
export function describeKey(hive: Hive, view: RegistryView, path: string): string {
  return `${hive}\\${path}${view === "default" ? "" : ` (${view}-bit view)`}`;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const VERSION = /^\d+(?:\.\d+){0,2}$/;
const CORE_TAG = /^(\d+(?:\.\d+){0,2})(t)?(?:-(32|64|arm64|arm32))?$/i;
const ASTRAL_TAG = /^(cpython|pypy|graalpy)-?(\d+(?:\.\d+){0,2})(?:(?:a|b|rc)\d+)?(t|\+freethreaded)?/i;
const BARE_VERSION_TAG = /^(\d+(?:\.\d+){0,2})(t)?$/i;

function parts(version: string): number[] {
  return version.split(".").map(Number);
}

/** The implementation a company's registrations are, when the company says. */
function companyImplementation(company: string, tag: string): string | undefined {
  const lower = company.toLowerCase();
  if (lower === "pythoncore" || lower === "continuumanalytics") return "cpython";
  if (lower === "pypy" || lower === "graalpy") return lower;
  if (lower === "astral") return ASTRAL_TAG.exec(tag)?.[1]?.toLowerCase();
  return undefined;
}

/** Version, free-threading, pointer size and machine as the tag tells them (only tags with a known form). */
function tagFacts(company: string, tag: string): {
  version?: number[];
  freeThreaded?: boolean;
  bits?: number;
  machine?: string;
} {
  const lower = company.toLowerCase();
  if (lower === "pythoncore") {
    const m = CORE_TAG.exec(tag);
    if (!m) return {};
    const version = parts(m[1]!);
    const suffix = m[3]?.toLowerCase();
    // Since 3.5 a 64-bit PythonCore tag has no suffix; before, the tag does not tell (PEP 514).
    const modern = version[0]! > 3 || (version[0] === 3 && (version[1] ?? 0) >= 5);
    const bits = suffix === "32" || suffix === "arm32" ? 32 : suffix || modern ? 64 : undefined;
    return {
      version,
      freeThreaded: m[2] !== undefined,
      ...(bits ? { bits } : {}),
      ...(suffix === "arm64" ? { machine: "arm64" } : {}),
    };
  }
  if (lower === "astral") {
    const m = ASTRAL_TAG.exec(tag);
    return m ? { version: parts(m[2]!), ...(m[3] ? { freeThreaded: true } : {}) } : {};
  }
  const m = BARE_VERSION_TAG.exec(tag);
  return m ? { version: parts(m[1]!), ...(m[2] ? { freeThreaded: true } : {}) } : {};
}

/** `64bit` → 64, `32bit` → 32, `ARM64` (the launcher's Store spelling) → 64 on arm64. */
function parseArchitecture(text: string): { bits: number; machine?: string } | undefined {
  const m = /^(\d+)bit$/i.exec(text.trim());
  if (m) return { bits: Number(m[1]) };
  if (/^arm64$/i.test(text.trim())) return { bits: 64, machine: "arm64" };
  return undefined;
}

function unquote(text: string | undefined): string | undefined {
  const t = text?.trim();
  if (!t) return undefined;
  return t.length > 1 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
}

/** Reads one `<Company>\<Tag>` key; `undefined` (with a debug line) when it does not name a usable interpreter. */
function readTag<K>(
  reader: RegistryReader<K>,
  location: (typeof PEP514_LOCATIONS)[number],
  company: string,
  tag: string,
  options: Pep514Options,
): WindowsPython | undefined {
  const { hive, view } = location;
  const keyPath = `${ROOT}\\${company}\\${tag}`;
  const where = describeKey(hive, view, keyPath);
  const violation = (what: string) => options.debug?.(`PEP 514 violation in the Windows registry at ${where}: ${what}`);
  const path = options.path ?? platformFor("windows").path;
  return withKey(reader, hive, keyPath, view, (tagKey) => {
    const text = (key: K, name: string): string | undefined => {
      const value = reader.value(key, name);
      if (value === undefined || typeof value === "string") return value;
      violation(`${name || "(Default)"} is not a string value`);
      return undefined;
    };
    const sysVersion = text(tagKey, "SysVersion");
    const sysArchitecture = text(tagKey, "SysArchitecture");
    const displayName = text(tagKey, "DisplayName");
    const packageVersion = text(tagKey, "Version");
    const install = withKey(reader, hive, `${keyPath}\\InstallPath`, view, (key) => ({
      dir: unquote(text(key, "")),
      exe: unquote(text(key, "ExecutablePath")),
      args: text(key, "ExecutableArguments"),
      windowed: unquote(text(key, "WindowedExecutablePath")),
    }));
    const skip = (what: string): undefined => {
      violation(what);
      return undefined;
    };
    if (!install) return skip("no InstallPath key");

    let executable = install.exe;
    if (executable !== undefined && !path.isAbsolute(executable)) {
      if (install.dir === undefined || !path.isAbsolute(install.dir)) {
        return skip(`ExecutablePath "${executable}" is not an absolute path`);
      }
      executable = path.join(install.dir, executable);
    }
    if (executable === undefined) {
      if (install.dir === undefined) return skip("InstallPath has no default value nor ExecutablePath");
      if (!path.isAbsolute(install.dir)) return skip(`InstallPath "${install.dir}" is not an absolute path`);
      executable = path.join(install.dir, "python.exe");
    }
    executable = path.normalize(executable);
    if (options.exists && !options.exists(executable)) {
      options.debug?.(`${where}: ${executable} does not exist`);
      return undefined;
    }

    const fromTag = tagFacts(company, tag);
    let version = fromTag.version;
    if (sysVersion !== undefined) {
      if (VERSION.test(sysVersion.trim())) version = parts(sysVersion.trim());
      else violation(`SysVersion "${sysVersion}" is not x.y or x.y.z`);
    }
    let arch: { bits: number | undefined; machine?: string | undefined } | undefined;
    if (sysArchitecture !== undefined) {
      arch = parseArchitecture(sysArchitecture);
      if (!arch) violation(`SysArchitecture "${sysArchitecture}" is not 32bit or 64bit`);
    }
    arch ??= { bits: location.bits ?? fromTag.bits };
    const core = company.toLowerCase() === "pythoncore";
    const freeThreaded = displayName !== undefined && /free-?threaded/i.test(displayName)
      ? true
      : fromTag.freeThreaded ?? (core ? false : undefined);
    const machine = arch.machine ?? fromTag.machine;
    return {
      source: "registry",
      company,
      tag,
      location: where,
      hive,
      view,
      executable,
      executableArguments: install.args,
      windowedExecutable: install.windowed,
      installPath: install.dir,
      implementation: companyImplementation(company, tag),
      version,
      bits: arch.bits,
      machine: machine === undefined ? undefined : normalizeMachine(machine),
      freeThreaded,
      displayName,
      packageVersion,
    };
  });
}

/** Subkey names, or none (with a debug line) when the key cannot be enumerated. */
function subkeysOf<K>(reader: RegistryReader<K>, key: K, where: string, options: Pep514Options): string[] {
  try {
    return reader.subkeys(key);
  } catch (e) {
    options.debug?.(`cannot list the subkeys of ${where}: ${message(e)}`);
    return [];
  }
}

/**
 * Every interpreter registered under PEP 514, in the order discovery tries them ({@linkcode orderWindowsPythons}).
 * Never throws for what the registry holds: unreadable keys and broken entries are skipped with a debug line. Every
 * key it opens is closed.
 *
 * @param reader The registry.
 * @param options Existence check, debug output and path rules.
 * @returns The registered interpreters, best first.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryRegistry } from "./reader.ts";
 * import { readRegisteredPythons } from "./pep514.ts";
 * const tag = { values: { SysVersion: "3.12" }, keys: { InstallPath: { values: { "": "C:\\Python312" } } } };
 * const core = { keys: { PythonCore: { keys: { "3.12": tag } } } };
 * const registry = new MemoryRegistry({ HKCU: { keys: { Software: { keys: { Python: core } } } } });
 * const [found] = readRegisteredPythons(registry);
 * assert(found?.executable === "C:\\Python312\\python.exe");
 * ```
 */
export function readRegisteredPythons<K>(reader: RegistryReader<K>, options: Pep514Options = {}): WindowsPython[] {
  const found: WindowsPython[] = [];
  for (const location of PEP514_LOCATIONS) {
    const { hive, view } = location;
    try {
      withKey(reader, hive, ROOT, view, (root) => {
        for (const company of subkeysOf(reader, root, describeKey(hive, view, ROOT), options)) {
          if (company.toLowerCase() === "pylauncher") continue; // reserved for the py launcher's own settings
          const companyPath = `${ROOT}\\${company}`;
          try {
            withKey(reader, hive, companyPath, view, (companyKey) => {
              for (const tag of subkeysOf(reader, companyKey, describeKey(hive, view, companyPath), options)) {
                try {
                  const entry = readTag(reader, location, company, tag, options);
                  if (entry) found.push(entry);
                } catch (e) {
                  options.debug?.(`cannot read ${describeKey(hive, view, `${companyPath}\\${tag}`)}: ${message(e)}`);
                }
              }
            });
          } catch (e) {
            options.debug?.(`cannot read ${describeKey(hive, view, companyPath)}: ${message(e)}`);
          }
        }
      });
    } catch (e) {
      options.debug?.(`cannot read ${describeKey(hive, view, ROOT)}: ${message(e)}`);
    }
  }
  return orderWindowsPythons(found);
}

/** The rank of where an entry was found when everything else ties: HKCU, HKLM 64-bit, HKLM 32-bit, the Store. */
function placeRank(p: WindowsPython): number {
  if (p.source === "ms-store") return 3;
  return p.hive === "HKCU" ? 0 : p.view === "32" ? 2 : 1;
}

/**
 * Puts Windows interpreters in the order discovery tries them, and drops the ones another entry stands for:
 *
 * - newest Python version first (unknown versions last), then 64-bit before 32-bit before unknown, then the default
 *   build before the free-threaded one, then `PythonCore` before other companies (alphabetical), then HKCU before
 *   HKLM's 64-bit view before its 32-bit view before Store packages. virtualenv sorts on (version, pointer size,
 *   PythonCore) the same way; the rest are the `py` launcher's tie-breaks;
 * - an HKCU registration shadows the HKLM one with the same company and tag (case-insensitive) and the same pointer
 *   size, as PEP 514 asks of tools that pick one environment; the HKLM 64-bit and 32-bit views never shadow each
 *   other (PEP 514's rule for older `PythonCore` tags, which both views may hold);
 * - an executable found twice (both views of one key on 32-bit Windows, two companies naming one install) is kept
 *   once, where it ranks best.
 *
 * @param pythons Interpreters in the order they were read.
 * @returns A new, ordered list.
 */
export function orderWindowsPythons(pythons: readonly WindowsPython[]): WindowsPython[] {
  const user = new Map<string, (number | undefined)[]>();
  for (const p of pythons) {
    if (p.source !== "registry" || p.hive !== "HKCU") continue;
    const key = `${p.company}\\${p.tag}`.toLowerCase();
    user.set(key, [...user.get(key) ?? [], p.bits]);
  }
  const visible = pythons.filter((p) =>
    p.source !== "registry" || p.hive !== "HKLM" ||
    !(user.get(`${p.company}\\${p.tag}`.toLowerCase()) ?? []).includes(p.bits)
  );
  const rank = (p: WindowsPython) => ({
    core: p.company.toLowerCase() === "pythoncore" ? 0 : 1,
    bits: p.bits === 64 ? 0 : p.bits === 32 ? 1 : 2,
    ft: p.freeThreaded ? 1 : 0,
  });
  const sorted = visible.map((p, i) => ({ p, i, r: rank(p) })).sort((a, b) =>
    compareNumberLists(b.p.version ?? [], a.p.version ?? []) ||
    a.r.bits - b.r.bits ||
    a.r.ft - b.r.ft ||
    a.r.core - b.r.core ||
    a.p.company.toLowerCase().localeCompare(b.p.company.toLowerCase()) ||
    placeRank(a.p) - placeRank(b.p) ||
    a.i - b.i
  );
  const seen = new Set<string>();
  return sorted.map((s) => s.p).filter((p) => {
    const id = p.executable.toLowerCase(); // Windows file names are case-insensitive
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

const LINUX = platformFor("linux");

/**
 * Whether a Windows interpreter may satisfy `spec` by what its registration states, so that a `3.11` install is
 * never interrogated for `-p 3.12`. Facts the registration leaves unknown never exclude it: the interrogation decides.
 *
 * @param python The registered interpreter.
 * @param spec The parsed `-p` spec.
 * @returns False only when the stated implementation, version, pointer size, machine or free-threading rules it out.
 */
export function windowsPythonMayMatch(python: WindowsPython, spec: PythonSpec): boolean {
  if (spec.path !== undefined) return false;
  const differs = <T>(wanted: T | undefined, stated: T | undefined) =>
    wanted !== undefined && stated !== undefined && wanted !== stated;
  if (differs(spec.implementation, python.implementation)) return false;
  if (differs(spec.bits, python.bits) || differs(spec.machine, python.machine)) return false;
  if (differs(spec.freeThreaded, python.freeThreaded)) return false;
  if (!python.version) return true;
  // The PATH name pre-filter, applied to the version the registry states: `python3.12` for 3.12.
  const versionOnly: PythonSpec = {
    raw: spec.raw,
    major: spec.major,
    minor: spec.minor,
    micro: spec.micro,
    specifiers: spec.specifiers,
  };
  return matchExecutableName(versionOnly, `python${python.version.join(".")}`, LINUX) !== undefined;
}
