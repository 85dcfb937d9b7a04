/**
 * The `-p/--python` spec: its grammar ({@linkcode parseSpec}), whether an interrogated interpreter satisfies it
 * ({@linkcode satisfies}), and which file names on PATH can hold such an interpreter ({@linkcode exactNames},
 * {@linkcode matchExecutableName}, {@linkcode versionFromName}).
 *
 * The grammar is virtualenv's (`python_discovery/_py_spec.py`) plus uv's spellings (`cpython@3.12`, `cp312`,
 * `3.13rc1`, `3.13+freethreaded`), except that text which fits no form is a usage error instead of a relative path.
 *
 * @module
 */
import { usageError } from "../errors.ts";
import type { Platform } from "../platform.ts";
import {
  isPreRelease,
  parseSpecifierSet,
  parseVersion,
  type Pep440Version,
  type Specifier,
  specifierPrecision,
  type SpecifierSet,
  specifierSetContains,
} from "./pep440.ts";
import { pep440Version, type PythonInfo, type VersionInfo } from "./py_info.ts";

// Re-exported so that this module's documentation is complete on its own.
export type { PathModule, Platform } from "../platform.ts";
export type { PythonConfigVars, PythonInfo, VenvPaths, VersionInfo } from "./py_info.ts";

/** A parsed `-p` value. Unset fields do not constrain the interpreter. */
export interface PythonSpec {
  /** The spec as the user wrote it. */
  readonly raw: string;
  /** Set for path specs: the path as written (absolute, or relative to the working directory). */
  readonly path?: string | undefined;
  /**
   * Set when the spec is also a literal executable name to look up on PATH (`mypython`, `python3.12`,
   * `python3.12-dbg`); without a Windows `.exe` suffix.
   */
  readonly name?: string | undefined;
  /** Lower-case implementation: `cpython`, `pypy`, `graalpy` or any other alphabetic name; undefined for any. */
  readonly implementation?: string | undefined;
  /** Required major version. */
  readonly major?: number | undefined;
  /** Required minor version. */
  readonly minor?: number | undefined;
  /** Required micro version. */
  readonly micro?: number | undefined;
  /** `true` with `t`, `false` when a version is given without `t`, undefined otherwise. */
  readonly freeThreaded?: boolean | undefined;
  /** `true` with `d`, `-dbg` or `-debug`; undefined (unconstrained) otherwise. */
  readonly debug?: boolean | undefined;
  /** Required pointer size: 32 or 64. */
  readonly bits?: number | undefined;
  /** Required machine, normalised by {@linkcode normalizeMachine}. */
  readonly machine?: string | undefined;
  /** Required PEP 440 specifier set (the `>=3.11` forms, and a pre-release such as `3.13rc1`). */
  readonly specifiers?: SpecifierSet | undefined;
}

/** How strictly {@linkcode satisfies} checks an interpreter. */
export interface MatchOptions {
  /**
   * Whether the interpreter's implementation must equal the spec's. False for an interpreter found under the
   * spec's literal name or under a plain `python` name for a spec without implementation.
   */
  readonly implMustMatch: boolean;
}

const EXPECTED = "expected a path, a version such as 3.12 or cpython3.12-64, or a specifier such as >=3.11";
const HINT =
  "Accepted forms: a path (/usr/bin/python3, ./venv/bin/python), an executable name (python3.12, mypython), " +
  "[impl][version][t][d][-32|-64][-machine] (3, 3.12, 312, 3.12.1, 3.13t, 3.12d, cpython3.12-64, pypy3.10, " +
  "3.11-64-x86_64, cpython@3.12), or [impl]<PEP 440 specifiers> (>=3.11, cpython~=3.12.0, >=3.9,!=3.11.*).";

/** Implementation words and what they mean: a canonical implementation, or null for "any". */
const IMPLEMENTATIONS: ReadonlyMap<string, string | null> = new Map([
  ["python", null],
  ["py", null],
  ["cpython", "cpython"],
  ["cp", "cpython"],
  ["pypy", "pypy"],
  ["pp", "pypy"],
  ["graalpy", "graalpy"],
  ["gp", "graalpy"],
  ["graalvm", "graalpy"],
]);

/** The executable name prefix of each known implementation. */
const EXECUTABLE_PREFIX: Readonly<Record<string, string>> = { cpython: "python", pypy: "pypy", graalpy: "graalpy" };

const VERSION_FORM = new RegExp(
  "^(?:([a-z]+)(@)?)?" + // 1 implementation, 2 uv's `@`
    "(\\d+(?:\\.\\d+){0,2})?" + // 3 version
    "(?:(a|b|rc)(\\d+))?" + // 4, 5 pre-release (uv)
    "(t)?" + // 6 free-threaded
    "(d|-dbg|-debug)?" + // 7 debug
    "((?:\\+(?:freethreaded|debug|gil))*)" + // 8 uv's variants
    "(?:-(32|64))?" + // 9 pointer size
    "(?:-([a-z][a-z0-9_]*))?$", // 10 machine
  "i",
);
const SPECIFIER_FORM = /^(?:([a-z]+)(?:@|\s*))?((?:===|==|~=|!=|<=|>=|<|>)[\s\S]*)$/i;

const MACHINES: Readonly<Record<string, string>> = {
  amd64: "x86_64",
  aarch64: "arm64",
  i386: "x86",
  i486: "x86",
  i586: "x86",
  i686: "x86",
  powerpc: "ppc",
  powerpc64: "ppc64",
  powerpc64le: "ppc64le",
  sparcv9: "sparc64",
};

/**
 * Normalises a machine name as virtualenv's `normalize_isa` does: `amd64` → `x86_64`, `aarch64` → `arm64`,
 * `i386`…`i686` → `x86`, `powerpc*` → `ppc*`, `sparcv9` → `sparc64`, anything else lower-cased.
 */
export function normalizeMachine(machine: string): string {
  const lower = machine.toLowerCase();
  return MACHINES[lower] ?? lower;
}

function fail(raw: string, detail?: string): never {
  throw usageError(`Cannot parse Python spec "${raw}": ${EXPECTED}${detail ? ` (${detail})` : ""}`, HINT);
}

function isPathLike(text: string, platform: Platform): boolean {
  if (platform.path.isAbsolute(text) || text.includes("/")) return true;
  return platform.isWindows && (text.includes("\\") || /^[a-z]:/i.test(text));
}

/** Splits `3`, `3.12`, `3.12.1` or the dotless `312` (first digit is the major) into numbers. */
function versionParts(text: string): number[] {
  if (text.includes(".")) return text.split(".").map(Number);
  return text.length === 1 ? [Number(text)] : [Number(text.slice(0, 1)), Number(text.slice(1))];
}

/**
 * Parses a `-p` value. Case-insensitive; surrounding whitespace is ignored. The forms, tried in order:
 *
 * 1. a path: absolute, or containing a path separator (`/`, and `\` or a drive letter on Windows);
 * 2. `[impl][@][version][t][d|-dbg|-debug][-32|-64][-machine]`: impl `python`/`py` (any), `cpython`/`cp`,
 *    `pypy`/`pp`, `graalpy`/`gp`/`graalvm`, or any other word (a literal executable name too); version `3`, `3.12`,
 *    `3.12.1`, or dotless `312` (3.12), optionally followed by a pre-release (`3.13rc1`); uv's `+freethreaded`,
 *    `+debug` and `+gil` variants; `@` only between an implementation and a version (`cpython@3.12`). On Windows a
 *    trailing `.exe` is ignored;
 * 3. `[impl][whitespace or @]<PEP 440 specifier set>`: `>=3.11`, `cpython~=3.12.0`, `pypy>=3.9,!=3.10.*`.
 *
 * @param text The value as the user wrote it.
 * @param platform The OS whose path rules decide what is a path.
 * @returns The parsed spec.
 * @throws {MkvenvError} A usage error (exit code 2) naming the spec when it fits no form.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSpec } from "./spec.ts";
 * import { platformFor } from "../platform.ts";
 * const spec = parseSpec("cpython3.12-64", platformFor("linux"));
 * assert(spec.implementation === "cpython" && spec.minor === 12 && spec.bits === 64);
 * ```
 */
export function parseSpec(text: string, platform: Platform): PythonSpec {
  const raw = text;
  let trimmed = text.trim();
  if (trimmed === "") fail(raw, "the spec is empty");
  if (isPathLike(trimmed, platform)) return { raw, path: trimmed };
  if (platform.isWindows && /\.exe$/i.test(trimmed)) trimmed = trimmed.slice(0, -4);

  const m = VERSION_FORM.exec(trimmed);
  if (m) {
    const [, word, at, version, preKind, preNumber, t, d, variantText, bits, machine] = m;
    if (word !== undefined || version !== undefined) {
      if (at !== undefined && version === undefined) fail(raw, `a version must follow "@"`);
      return versionSpec(raw, trimmed, { word, at, version, preKind, preNumber, t, d, variantText, bits, machine });
    }
  }

  const s = SPECIFIER_FORM.exec(trimmed);
  if (s) {
    const word = s[1]?.toLowerCase();
    let specifiers: SpecifierSet;
    try {
      specifiers = parseSpecifierSet(s[2] ?? "");
    } catch (e) {
      fail(raw, e instanceof SyntaxError ? e.message : String(e));
    }
    const implementation = word === undefined
      ? undefined
      : IMPLEMENTATIONS.has(word)
      ? IMPLEMENTATIONS.get(word)
      : word;
    return { raw, implementation: implementation ?? undefined, specifiers };
  }
  return fail(raw);
}

interface VersionGroups {
  readonly word: string | undefined;
  readonly at: string | undefined;
  readonly version: string | undefined;
  readonly preKind: string | undefined;
  readonly preNumber: string | undefined;
  readonly t: string | undefined;
  readonly d: string | undefined;
  readonly variantText: string | undefined;
  readonly bits: string | undefined;
  readonly machine: string | undefined;
}

function versionSpec(raw: string, trimmed: string, g: VersionGroups): PythonSpec {
  const word = g.word?.toLowerCase();
  const known = word !== undefined && IMPLEMENTATIONS.has(word);
  const implementation = word === undefined ? undefined : known ? IMPLEMENTATIONS.get(word) ?? undefined : word;
  const variants = (g.variantText ?? "").toLowerCase().split("+").filter((v) => v !== "");
  const parts = g.version === undefined ? [] : versionParts(g.version);
  if (parts.some((p) => !Number.isSafeInteger(p))) fail(raw, "version number too large");

  let freeThreaded: boolean | undefined = g.t !== undefined || variants.includes("freethreaded");
  if (variants.includes("gil")) {
    if (freeThreaded) fail(raw, "a spec cannot ask for both a free-threaded and a GIL build");
  } else if (!freeThreaded && parts.length === 0) {
    freeThreaded = undefined;
  }
  const debug = g.d !== undefined || variants.includes("debug") ? true : undefined;

  let specifiers: SpecifierSet | undefined;
  if (g.preKind !== undefined) {
    specifiers = parseSpecifierSet(`==${parts.join(".")}${g.preKind.toLowerCase()}${g.preNumber}`);
  }
  // Words that name an executable (python, an unknown name) make the spec a literal name too, unless it uses syntax
  // no file name has.
  const literal = word !== undefined && (word === "python" || !known) && g.at === undefined &&
    variants.length === 0 && g.bits === undefined && g.machine === undefined && g.preKind === undefined;
  return {
    raw,
    name: literal ? trimmed : undefined,
    implementation,
    major: parts[0],
    minor: parts[1],
    micro: parts[2],
    freeThreaded,
    debug,
    bits: g.bits === undefined ? undefined : Number(g.bits),
    machine: g.machine === undefined ? undefined : normalizeMachine(g.machine),
    specifiers,
  };
}

/** The PEP 440 version of an interpreter's `sys.version_info`: `3.13.0rc2` for (3, 13, 0, "candidate", 2). */
function interpreterVersion(v: VersionInfo): Pep440Version {
  return parseVersion(pep440Version(v));
}

/**
 * Whether an interrogated interpreter satisfies `spec`, checking in virtualenv's order: implementation (only when
 * `options.implMustMatch`; case-insensitive, so `cpython` matches `CPython`), pointer size, machine, free-threading
 * (exact when the spec sets it), debug (required when the spec asks for it), the specifier set (each clause at its own
 * precision, see {@linkcode specifierSetContains}), then the major, minor and micro numbers the spec gives. A path
 * spec is satisfied by any interpreter: the user chose the file.
 *
 * @param info What the interpreter reported.
 * @param spec The parsed spec.
 * @param options Whether the implementation must match.
 * @returns Whether the interpreter is acceptable.
 *
 * @example Usage
 * ```ts ignore
 * import { parseSpec, satisfies } from "./spec.ts";
 * import { platformFor } from "../platform.ts";
 * declare const info: import("./py_info.ts").PythonInfo;
 * satisfies(info, parseSpec(">=3.11", platformFor("linux")), { implMustMatch: false });
 * ```
 */
export function satisfies(info: PythonInfo, spec: PythonSpec, options: MatchOptions): boolean {
  if (spec.path !== undefined) return true;
  if (options.implMustMatch && spec.implementation !== undefined) {
    if (info.implementation.toLowerCase() !== spec.implementation) return false;
  }
  if (spec.bits !== undefined && info.bits !== spec.bits) return false;
  if (spec.machine !== undefined && normalizeMachine(info.machine) !== spec.machine) return false;
  if (spec.freeThreaded !== undefined && info.freeThreaded !== spec.freeThreaded) return false;
  if (spec.debug === true && !info.debug) return false;
  const v = info.versionInfo;
  if (spec.specifiers && !specifierSetContains(spec.specifiers, interpreterVersion(v))) return false;
  return (spec.major === undefined || spec.major === v.major) &&
    (spec.minor === undefined || spec.minor === v.minor) &&
    (spec.micro === undefined || spec.micro === v.micro);
}

/** The executable name prefix for the spec's implementation: `python`, `pypy`, `graalpy` or the name itself. */
function executablePrefix(implementation: string | undefined): string {
  return implementation === undefined ? "python" : EXECUTABLE_PREFIX[implementation] ?? implementation;
}

/**
 * Names to try first in each PATH directory, most specific first, with `platform.exeSuffix` appended: `3.12` →
 * `python3.12`, `pypy3.10` → `pypy3.10`, `3.13t` → `python3.13t`, `3.12d` → `python3.12d`, `python` →
 * `python3`, `python`; a literal name that is none of these (`mypython`, `python3.12-dbg`) comes first. Path specs
 * and versionless specifier specs (`>=3.11`) give none: the directory scan ({@linkcode matchExecutableName}) handles
 * those.
 *
 * @param spec The parsed spec.
 * @param platform The OS whose executable suffix to append.
 * @returns File names, without duplicates.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { exactNames, parseSpec } from "./spec.ts";
 * import { platformFor } from "../platform.ts";
 * const win = platformFor("windows");
 * assert(exactNames(parseSpec("3.12", win), win)[0] === "python3.12.exe");
 * ```
 */
export function exactNames(spec: PythonSpec, platform: Platform): string[] {
  if (spec.path !== undefined || (spec.specifiers !== undefined && spec.major === undefined)) return [];
  const prefix = executablePrefix(spec.implementation);
  const known = spec.implementation === undefined || spec.implementation in EXECUTABLE_PREFIX;
  const version = [spec.major, spec.minor, spec.micro].filter((p) => p !== undefined).join(".");
  const flags = `${spec.freeThreaded ? "t" : ""}${spec.debug ? "d" : ""}`;
  const generated = version !== ""
    ? [`${prefix}${version}${flags}`]
    : known
    ? [`${prefix}3${flags}`, `${prefix}${flags}`]
    : [`${prefix}${flags}`];
  const names = spec.name === undefined || generated.includes(spec.name) ? generated : [spec.name, ...generated];
  return [...new Set(names.map((n) => `${n}${platform.exeSuffix}`))];
}

const NAME_VERSION = /^[a-z]+(\d+(?:\.\d+){0,2})t?(?:d|-dbg|-debug|_d)?m?(?:\.exe)?$/i;

/**
 * The version an executable name suggests, for ordering candidates newest first: `python3.12` → `[3, 12]`,
 * `pypy3.10.exe` → `[3, 10]`, `python3` → `[3]`; undefined for unversioned or unrecognised names.
 *
 * @param fileName A file name (no directory).
 * @returns The version numbers, or undefined.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { versionFromName } from "./spec.ts";
 * assert(versionFromName("python3.13t")?.join(".") === "3.13");
 * assert(versionFromName("python") === undefined);
 * ```
 */
export function versionFromName(fileName: string): readonly number[] | undefined {
  const m = NAME_VERSION.exec(fileName);
  return m?.[1] === undefined ? undefined : m[1].split(".").map(Number);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The name pattern for each executable prefix, made once: a PATH scan tests every name of every folder on it. */
const EXECUTABLE_NAME_PATTERNS = new Map<string, RegExp>();

/** `python` or `prefix`, then an optional version, `t`, debug and `m` suffix: groups version, t, debug, m. */
function executableNamePattern(prefix: string): RegExp {
  let re = EXECUTABLE_NAME_PATTERNS.get(prefix);
  if (!re) {
    const words = [...new Set(["python", prefix])].map(escapeRegExp).join("|");
    re = new RegExp(`^(?:${words})(\\d+(?:\\.\\d+){0,2})?(t)?(d|-dbg|-debug|_d)?(m)?$`, "i");
    EXECUTABLE_NAME_PATTERNS.set(prefix, re);
  }
  return re;
}

/**
 * What a PATH scan for `spec` keeps of a folder's names before {@linkcode matchExecutableName} judges each: the names
 * any version of the spec's implementation could have, and the spec's literal name. `kind` tells such filters apart,
 * for a cache of kept names.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSpec, pathScanFilter } from "./spec.ts";
 * import { hostPlatform } from "../platform.ts";
 * const { keep } = pathScanFilter(parseSpec("3.12", hostPlatform()), hostPlatform());
 * assert(keep("python3.11") && keep("python") && !keep("perl") && !keep("python3-config"));
 * ```
 *
 * @param spec A parsed spec.
 * @param platform The OS rules (Windows names end in `.exe`, compared without case).
 * @returns The filter and its kind.
 */
export function pathScanFilter(
  spec: PythonSpec,
  platform: Platform,
): { readonly kind: string; readonly keep: (fileName: string) => boolean } {
  const prefix = executablePrefix(spec.implementation);
  const pattern = executableNamePattern(prefix);
  const literal = spec.name;
  return {
    kind: `${prefix}/${literal ?? ""}/${platform.isWindows ? "windows" : "posix"}`,
    keep: (fileName) => {
      let stem = fileName;
      if (platform.isWindows && /\.exe$/i.test(stem)) stem = stem.slice(0, -4);
      if (
        literal !== undefined && (platform.isWindows ? stem.toLowerCase() === literal.toLowerCase() : stem === literal)
      ) {
        return true;
      }
      return pattern.test(stem);
    },
  };
}

/**
 * Whether a clause of the spec rules out every interpreter whose version starts with `parts` (a name's version).
 * Clauses of precision 1 or 2 that the name covers are evaluated as for an interpreter. Otherwise the clause is decided
 * only when the name's numbers differ from the clause's within the numbers both give (`python3.9` against
 * `>=3.11.2`, `python3.12` against `>=3.13rc1`); equal leading numbers (`python3.12` against `<3.12.1`) or an `===`
 * clause leave the name a candidate, as the interpreter may still be a pre-release or another micro version.
 */
function clauseExcludes(clause: Specifier, parts: readonly number[]): boolean {
  const c = clause.version;
  if (clause.operator === "===" || !c) return false;
  const precision = specifierPrecision(clause);
  const version: Pep440Version = { epoch: 0, release: parts };
  if (precision <= parts.length && precision < 3 && !isPreRelease(c)) {
    return !specifierSetContains({ specifiers: [clause] }, version);
  }
  const shared = Math.min(parts.length, precision);
  const differs = c.epoch !== 0 || parts.slice(0, shared).some((part, i) => part !== (c.release[i] ?? 0));
  return differs && !specifierSetContains({ specifiers: [clause] }, version, { precision: "full" });
}

/**
 * Pre-filters a file name found in a PATH directory, so that `python3.11` is never interrogated for spec `3.12`.
 *
 * Accepted names are `<word><version>[t][d|-dbg|-debug|_d][m]` (plus `.exe` on Windows), case-insensitively, where
 * the word is `python`, or the spec's implementation's executable prefix (`pypy`, `graalpy`, an unknown name), and
 * the version (`3`, `3.12`, `3.12.1`) is optional; `m` is the ABI flag of CPython 3.6 and 3.7 (`python3.7m`). The
 * spec's literal name always matches. A name is rejected only when its interpreter cannot satisfy the spec:
 * - a version part that differs from the spec's major/minor/micro, or a specifier clause that the name's version
 *   decides (`python3.9` for `>=3.11`); unversioned `python` and `python3` stay candidates;
 * - a `t` name for a spec that excludes free-threading; a name with a minor version but no `t` for a free-threaded
 *   spec;
 * - a debug-marked name for a spec that does not ask for debug (as virtualenv; a non-debug name stays a candidate
 *   for a debug spec, because debug builds also install the plain name).
 *
 * @param spec The parsed spec.
 * @param fileName A file name (no directory).
 * @param platform The OS, for the `.exe` suffix and case rules.
 * @returns Undefined when the file cannot be a matching interpreter; otherwise whether its implementation must be
 * checked: false for the spec's literal name and for specs without implementation, true otherwise.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { matchExecutableName, parseSpec } from "./spec.ts";
 * import { platformFor } from "../platform.ts";
 * const linux = platformFor("linux");
 * const spec = parseSpec("3.12", linux);
 * assert(matchExecutableName(spec, "python3.12", linux)?.implMustMatch === false);
 * assert(matchExecutableName(spec, "python3.11", linux) === undefined);
 * ```
 */
export function matchExecutableName(
  spec: PythonSpec,
  fileName: string,
  platform: Platform,
): { implMustMatch: boolean } | undefined {
  if (spec.path !== undefined) return undefined;
  let stem = fileName;
  if (platform.isWindows && /\.exe$/i.test(stem)) stem = stem.slice(0, -4);
  if (spec.name !== undefined) {
    const literal = platform.isWindows ? stem.toLowerCase() === spec.name.toLowerCase() : stem === spec.name;
    if (literal) return { implMustMatch: false };
  }
  const m = executableNamePattern(executablePrefix(spec.implementation)).exec(stem);
  if (!m) return undefined;
  const [, version, t, d, abiM] = m;
  if (version === undefined && (t !== undefined || abiM !== undefined)) return undefined;
  const parts = version === undefined ? [] : version.split(".").map(Number);

  const wanted = [spec.major, spec.minor, spec.micro];
  if (parts.some((p, i) => wanted[i] !== undefined && wanted[i] !== p)) return undefined;
  if (spec.specifiers && parts.length > 0 && spec.specifiers.specifiers.some((c) => clauseExcludes(c, parts))) {
    return undefined;
  }
  if (t !== undefined && spec.freeThreaded === false) return undefined;
  if (t === undefined && spec.freeThreaded === true && parts.length >= 2) return undefined;
  if (d !== undefined && spec.debug !== true) return undefined;
  return { implMustMatch: spec.implementation !== undefined };
}
