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
  /** The file name itself, without any folder. */
  readonly fileName: string;
  /** The distribution as the file name spells it, e.g. `typing_extensions`. */
  readonly distribution: string;
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
  /** The build tag (`1`, `2b`) as its number and the rest, compared in that order; absent when the name has none. */
  readonly build?: readonly [number, string];
}

/** PEP 503 normalisation: lower case, runs of `-`, `_`, `.` become one `-`. */
export function normalizeProject(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

// pip's wheel_file_re: no part may hold "-" or whitespace, and a build tag starts with a digit.
const WHEEL_NAME = /^([^\s-]+?)-([^\s-]+?)(?:-(\d+)([^\s-]*))?-([^\s-]+?)-([^\s-]+?)-([^\s-]+?)\.whl$/;

/**
 * Splits a wheel file name into its PEP 427 parts:
 * `{distribution}-{version}(-{build tag})?-{python tag}-{abi tag}-{platform tag}.whl`.
 *
 * @param fileName The file name; anything up to the last `/` or `\` is ignored.
 * @returns The parts; undefined when the name is no wheel name pip would take, or its version is no PEP 440 version.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseWheelFileName } from "./wheel_name.ts";
 * const w = parseWheelFileName("pip-23.2.1-py3-none-any.whl");
 * assert(w?.project === "pip" && w.version === "23.2.1" && w.platformTags[0] === "any" && !w.build);
 * ```
 */
export function parseWheelFileName(fileName: string): WheelFileName | undefined {
  const base = fileName.slice(Math.max(fileName.lastIndexOf("/"), fileName.lastIndexOf("\\")) + 1);
  const m = WHEEL_NAME.exec(base);
  if (!m) return undefined;
  const [, dist, version, buildNumber, buildRest, python, abi, platform] = m as unknown as string[];
  const pythonTags = python!.split("."), abiTags = abi!.split("."), platformTags = platform!.split(".");
  // "py2..py3" or "py3." would split into an empty tag: not a tag set any tool writes.
  if ([...pythonTags, ...abiTags, ...platformTags].includes("")) return undefined;
  let parsedVersion: Pep440Version;
  try {
    parsedVersion = parseVersion(version!);
  } catch {
    return undefined;
  }
  return {
    fileName: base,
    distribution: dist!,
    project: normalizeProject(dist!),
    version: version!,
    parsedVersion,
    pythonTags,
    abiTags,
    platformTags,
    ...(buildNumber === undefined ? {} : { build: [Number(buildNumber), buildRest ?? ""] as const }),
  };
}

/** Whether the wheel installs on any Python 3 on any platform (`py3-none-any`, `py2.py3-none-any`). */
export function isUniversalPy3(wheel: WheelFileName): boolean {
  return wheel.pythonTags.includes("py3") && wheel.abiTags.includes("none") && wheel.platformTags.includes("any");
}

/**
 * Newest first, by PEP 440; of one version, the highest build tag first and a name without one last, as pip ranks
 * them.
 */
export function newestFirst(a: WheelFileName, b: WheelFileName): number {
  return compareVersions(b.parsedVersion, a.parsedVersion) || compareBuilds(b.build, a.build);
}

function compareBuilds(a: readonly [number, string] | undefined, b: readonly [number, string] | undefined): number {
  if (!a || !b) return Number(a !== undefined) - Number(b !== undefined);
  return a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
}

/**
 * Whether the wheel is of the version `wanted` names, as pip's `==` decides: equal by PEP 440 (`24.2.0` is `24.2`,
 * and `24.2` takes `24.2+local` too), or by spelling for a name that is no PEP 440 version, as `===` compares.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { isVersion, parseWheelFileName } from "./wheel_name.ts";
 * const wheel = parseWheelFileName("pip-24.2-py3-none-any.whl")!;
 * assert(isVersion(wheel, "24.2.0") && !isVersion(wheel, "24.2.1"));
 * ```
 */
export function isVersion(wheel: WheelFileName, wanted: string): boolean {
  let version: Pep440Version;
  try {
    version = parseVersion(wanted);
  } catch {
    return wheel.version.toLowerCase() === wanted.trim().toLowerCase();
  }
  // As `==` does (PEP 440): a version without a local label matches the wheel's whatever its local label.
  const candidate = version.local ? wheel.parsedVersion : { ...wheel.parsedVersion, local: undefined };
  return compareVersions(candidate, version) === 0;
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
 * @returns Whether the version satisfies every clause; true when the value is no valid specifier set, as pip ignores
 *   one.
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
  // Empty clauses (`>=3.7,`) are dropped, as packaging's SpecifierSet drops them.
  const clauses = (requiresPython ?? "").split(",").filter((clause) => clause.trim() !== "");
  if (!clauses.length) return true;
  try {
    const set = parseSpecifierSet(clauses.join(","));
    return specifierSetContains(set, `${version.major}.${version.minor}.${version.micro}`, { precision: "full" });
  } catch {
    // pip warns of an invalid Requires-Python and installs the package all the same.
    return true;
  }
}
