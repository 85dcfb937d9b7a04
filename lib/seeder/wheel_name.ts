/**
 * Wheel file names (PEP 427) and project-name normalisation (PEP 503): everything mkvenv can learn about a wheel
 * without opening it, so choosing among local wheels loads no zip code.
 *
 * @module
 */
import {
  compareVersions,
  isPreRelease,
  parseSpecifierSet,
  parseVersion,
  type Pep440Version,
  specifierSetContains,
} from "../discovery/pep440.ts";

/** The parts of a wheel's file name. */
export interface WheelFileName {
  /** The file name itself. */
  readonly fileName: string;
  /** The project as PEP 503 normalises it (`setuptools`, `typing-extensions`). */
  readonly project: string;
  /** The version string as written. */
  readonly version: string;
  /** Parsed version. */
  readonly parsedVersion: Pep440Version;
  /** Python tags, e.g. `["py2", "py3"]`. */
  readonly pythonTags: readonly string[];
  /** ABI tags, e.g. `["none"]`. */
  readonly abiTags: readonly string[];
  /** Platform tags, e.g. `["any"]`. */
  readonly platformTags: readonly string[];
}

/** PEP 503 normalisation: lower case, runs of `-`, `_`, `.` become one `-`. */
export function normalizeProject(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

/** Parses `{dist}-{version}(-{build})?-{python}-{abi}-{platform}.whl`; undefined for anything else. */
export function parseWheelFileName(fileName: string): WheelFileName | undefined {
  if (!fileName.endsWith(".whl")) return undefined;
  const parts = fileName.slice(0, -4).split("-");
  if (parts.length !== 5 && parts.length !== 6) return undefined;
  const [dist, version] = parts as [string, string];
  const [python, abi, platform] = parts.slice(-3) as [string, string, string];
  let parsedVersion: Pep440Version;
  try {
    parsedVersion = parseVersion(version);
  } catch {
    return undefined;
  }
  return {
    fileName,
    project: normalizeProject(dist),
    version,
    parsedVersion,
    pythonTags: python.split("."),
    abiTags: abi.split("."),
    platformTags: platform.split("."),
  };
}

/** Whether the wheel installs on any Python 3 on any platform (`py3-none-any`, `py2.py3-none-any`). */
export function isUniversalPy3(wheel: WheelFileName): boolean {
  return wheel.pythonTags.includes("py3") && wheel.abiTags.includes("none") && wheel.platformTags.includes("any");
}

/** Newest first; final releases before pre-releases of the same ordering only as PEP 440 says. */
export function newestFirst(a: WheelFileName, b: WheelFileName): number {
  return compareVersions(b.parsedVersion, a.parsedVersion);
}

/** Whether a version is a pre-release (skipped unless asked for by exact version). */
export function isPreReleaseWheel(wheel: WheelFileName): boolean {
  return isPreRelease(wheel.parsedVersion);
}

/**
 * Whether a `Requires-Python` value admits an interpreter version, with plain PEP 440 semantics (as pip applies it).
 *
 * @param requiresPython The specifier set, e.g. `>=3.7`; undefined or blank admits every version.
 * @param version The interpreter's version.
 * @returns Whether the version satisfies every clause; false when the value is not a valid specifier set.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { requiresPythonAllows } from "./wheel_name.ts";
 * assert(requiresPythonAllows(">=3.7", { major: 3, minor: 12, micro: 1 }));
 * assert(!requiresPythonAllows(">=3.7", { major: 3, minor: 6, micro: 15 }));
 * ```
 */
export function requiresPythonAllows(
  requiresPython: string | undefined,
  version: { readonly major: number; readonly minor: number; readonly micro: number },
): boolean {
  if (requiresPython === undefined || requiresPython.trim() === "") return true;
  try {
    const set = parseSpecifierSet(requiresPython);
    return specifierSetContains(set, `${version.major}.${version.minor}.${version.micro}`, { precision: "full" });
  } catch {
    // An unreadable constraint cannot be shown to admit the interpreter; choosing another wheel is the safe side.
    return false;
  }
}
