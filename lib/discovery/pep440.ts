/**
 * PEP 440 versions and version specifier sets, as far as choosing a Python interpreter needs them. Python versions are
 * not semver: `3.12.0rc1` sorts before `3.12.0`, `3.12` equals `3.12.0`, and `3.12.post1` and `1!1.0` exist.
 *
 * {@linkcode specifierSetContains} evaluates clauses the way virtualenv does for interpreters: each clause at its own
 * precision (see there); pass `{ precision: "full" }` for plain PEP 440 semantics.
 *
 * @module
 */

/** A pre-release kind in its normalised spelling. */
export type PreReleaseKind = "a" | "b" | "rc";

/** The pre-release segment of a version, e.g. `rc1`. */
export interface PreRelease {
  /** `a` (alpha), `b` (beta) or `rc` (release candidate; also spelled `c`, `pre`, `preview`). */
  readonly kind: PreReleaseKind;
  /** The pre-release number; 0 when the version omits it (`3.13rc` is `3.13rc0`). */
  readonly number: number;
}

/** A parsed PEP 440 version. Alternative spellings are normalised, so equal versions have equal fields. */
export interface Pep440Version {
  /** The epoch (`1!2.0` has epoch 1); 0 when absent. */
  readonly epoch: number;
  /** The release segment, e.g. `[3, 12, 1]`; never empty. Trailing zeros are kept as written. */
  readonly release: readonly number[];
  /** The pre-release segment, if any. */
  readonly pre?: PreRelease | undefined;
  /** The post-release number, if any (`1.0.post2`, `1.0-2`, `1.0rev2`). */
  readonly post?: number | undefined;
  /** The development release number, if any (`1.0.dev3`). */
  readonly dev?: number | undefined;
  /** The local version label split at `.`, `-` and `_`; numeric parts as numbers, others lower-cased. */
  readonly local?: readonly (number | string)[] | undefined;
}

/** A comparison operator of a version specifier. */
export type SpecifierOperator = "===" | "==" | "!=" | "<=" | ">=" | "<" | ">" | "~=";

/** One clause of a specifier set, e.g. `>=3.11` or `!=3.11.*`. */
export interface Specifier {
  /** The operator. */
  readonly operator: SpecifierOperator;
  /** The version as written after the operator, whitespace trimmed, including a `.*` wildcard. */
  readonly text: string;
  /** The parsed version (without the wildcard); undefined for `===`, which compares strings. */
  readonly version?: Pep440Version | undefined;
  /** Whether the clause ends in `.*` (only with `==` and `!=`). */
  readonly wildcard: boolean;
}

/** A comma-separated list of specifiers, all of which must hold. */
export interface SpecifierSet {
  /** The clauses in the order written; never empty. */
  readonly specifiers: readonly Specifier[];
}

/** Options for {@linkcode specifierSetContains}. */
export interface ContainsOptions {
  /**
   * `"clause"` (the default) evaluates each clause at its own precision, as virtualenv does for interpreters;
   * `"full"` compares the whole version as PEP 440 does.
   */
  readonly precision?: "clause" | "full" | undefined;
  /**
   * Whether a pre-release or development version may match at all. `true` (the default) suits interpreters, which
   * are already installed; `false` applies PEP 440's package rule: pre-releases match only when a clause names one.
   */
  readonly prereleases?: boolean | undefined;
}

const VERSION_RE = new RegExp(
  "^v?" +
    "(?:(\\d+)!)?" + // epoch
    "(\\d+(?:\\.\\d+)*)" + // release
    "(?:[-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?(\\d+)?)?" + // pre-release
    "(?:-(\\d+)|[-_.]?(post|rev|r)[-_.]?(\\d+)?)?" + // post-release
    "(?:[-_.]?(dev)[-_.]?(\\d+)?)?" + // development release
    "(?:\\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?$", // local version
  "i",
);

const PRE_KIND: Readonly<Record<string, PreReleaseKind>> = {
  a: "a",
  alpha: "a",
  b: "b",
  beta: "b",
  c: "rc",
  rc: "rc",
  pre: "rc",
  preview: "rc",
};
const PRE_RANK: Readonly<Record<PreReleaseKind, number>> = { a: 0, b: 1, rc: 2 };

function toInt(digits: string, text: string): number {
  const n = Number(digits);
  if (!Number.isSafeInteger(n)) throw new SyntaxError(`Invalid version "${text}": number ${digits} is too large`);
  return n;
}

/**
 * The release numbers of a version that is nothing else (`26.2.1`), or undefined. Most versions are like that, and
 * this spares V8 compiling `VERSION_RE` (half a millisecond on every run).
 */
function plainRelease(text: string): number[] | undefined {
  const release: number[] = [];
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46;
    if (c === 46) {
      // Up to 15 digits always make a safe integer.
      if (i === start || i - start > 15) return undefined;
      release.push(Number(text.slice(start, i)));
      start = i + 1;
    } else if (c < 48 || c > 57) return undefined;
  }
  return release;
}

/**
 * Parses a PEP 440 version, normalising alternative spellings (`1.0alpha1` → `1.0a1`, `1.0c1` → `1.0rc1`,
 * `1.0-1` → `1.0.post1`, `1.0_dev` → `1.0.dev0`, a leading `v`, surrounding whitespace, any letter case).
 *
 * @param text The version, e.g. `3.12.1`, `3.13.0rc2`, `1!2.0.post1.dev3+local.7`.
 * @returns The parsed version.
 * @throws {SyntaxError} When `text` is not a PEP 440 version.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseVersion } from "./pep440.ts";
 * const v = parseVersion("3.13.0-RC.2");
 * assert(v.pre?.kind === "rc" && v.pre.number === 2);
 * ```
 */
export function parseVersion(text: string): Pep440Version {
  const plain = plainRelease(text);
  if (plain) return { epoch: 0, release: plain };
  const trimmed = text.trim();
  const m = VERSION_RE.exec(trimmed);
  if (!m) throw new SyntaxError(`Invalid version "${text}": not a PEP 440 version`);
  const [, epoch, release, preLabel, preNumber, postImplicit, postLabel, postNumber, devLabel, devNumber, local] = m;
  const version: {
    epoch: number;
    release: number[];
    pre?: PreRelease;
    post?: number;
    dev?: number;
    local?: (number | string)[];
  } = {
    epoch: epoch === undefined ? 0 : toInt(epoch, text),
    release: (release ?? "").split(".").map((part) => toInt(part, text)),
  };
  if (preLabel !== undefined) {
    version.pre = {
      kind: PRE_KIND[preLabel.toLowerCase()] ?? "rc",
      number: preNumber === undefined ? 0 : toInt(preNumber, text),
    };
  }
  if (postImplicit !== undefined) version.post = toInt(postImplicit, text);
  else if (postLabel !== undefined) version.post = postNumber === undefined ? 0 : toInt(postNumber, text);
  if (devLabel !== undefined) version.dev = devNumber === undefined ? 0 : toInt(devNumber, text);
  if (local !== undefined) {
    version.local = local.split(/[-_.]/).map((part) => /^\d+$/.test(part) ? toInt(part, text) : part.toLowerCase());
  }
  return version;
}

/**
 * Formats a version in its normalised PEP 440 spelling, e.g. `1!3.13.0rc2.post1.dev0+ubuntu.1`.
 *
 * @param version The version to format.
 * @returns The normalised string.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatVersion, parseVersion } from "./pep440.ts";
 * assert(formatVersion(parseVersion("3.13.0-preview-1")) === "3.13.0rc1");
 * ```
 */
export function formatVersion(version: Pep440Version): string {
  let out = version.epoch ? `${version.epoch}!` : "";
  out += version.release.join(".");
  if (version.pre) out += `${version.pre.kind}${version.pre.number}`;
  if (version.post !== undefined) out += `.post${version.post}`;
  if (version.dev !== undefined) out += `.dev${version.dev}`;
  if (version.local) out += `+${version.local.join(".")}`;
  return out;
}

/** Whether a version is a pre-release or a development release (`3.13.0rc1`, `3.13.0.dev2`). */
export function isPreRelease(version: Pep440Version): boolean {
  return version.pre !== undefined || version.dev !== undefined;
}

function sign(n: number): -1 | 0 | 1 {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

function compareRelease(a: readonly number[], b: readonly number[]): -1 | 0 | 1 {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = sign((a[i] ?? 0) - (b[i] ?? 0));
    if (d) return d;
  }
  return 0;
}

/** Sort key of the pre-release segment: dev-only releases first, then a < b < rc, then no pre-release. */
function preKey(v: Pep440Version): [number, number] {
  if (v.pre) return [PRE_RANK[v.pre.kind], v.pre.number];
  if (v.post === undefined && v.dev !== undefined) return [-1, 0];
  return [3, 0];
}

function compareLocal(a: Pep440Version["local"], b: Pep440Version["local"]): -1 | 0 | 1 {
  if (!a || !b) return a ? 1 : b ? -1 : 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i], y = b[i];
    if (typeof x === "number" && typeof y === "number") {
      if (x !== y) return sign(x - y);
    } else if (typeof x === "number") {
      return 1;
    } else if (typeof y === "number") {
      return -1;
    } else if (x !== y) {
      return (x ?? "") < (y ?? "") ? -1 : 1;
    }
  }
  return sign(a.length - b.length);
}

/**
 * Compares two versions in PEP 440 order: epoch, release (zero-padded), then `.devN` < `aN` < `bN` < `rcN` < final <
 * `.postN`, then local labels.
 *
 * @param a The first version.
 * @param b The second version.
 * @returns -1 when `a` sorts before `b`, 1 when after, 0 when they are equal.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareVersions, parseVersion } from "./pep440.ts";
 * assert(compareVersions(parseVersion("3.12.0rc1"), parseVersion("3.12")) === -1);
 * assert(compareVersions(parseVersion("3.12"), parseVersion("3.12.0")) === 0);
 * ```
 */
export function compareVersions(a: Pep440Version, b: Pep440Version): -1 | 0 | 1 {
  const [aPre, aPreN] = preKey(a);
  const [bPre, bPreN] = preKey(b);
  return sign(a.epoch - b.epoch) ||
    compareRelease(a.release, b.release) ||
    sign(aPre - bPre) || sign(aPreN - bPreN) ||
    sign((a.post ?? -1) - (b.post ?? -1)) ||
    sign((a.dev ?? Infinity) - (b.dev ?? Infinity)) ||
    compareLocal(a.local, b.local);
}

const OPERATOR_RE = /^(===|==|!=|<=|>=|~=|<|>)\s*(.*)$/s;

function parseSpecifier(clause: string): Specifier {
  const m = OPERATOR_RE.exec(clause);
  if (!m) throw new SyntaxError(`Invalid specifier "${clause}": expected an operator (==, !=, <=, >=, <, >, ~=, ===)`);
  const operator = m[1] as SpecifierOperator;
  const text = (m[2] ?? "").trim();
  if (text === "") throw new SyntaxError(`Invalid specifier "${clause}": no version after ${operator}`);
  if (/\s/.test(text)) throw new SyntaxError(`Invalid specifier "${clause}": whitespace inside the version`);
  if (operator === "===") return { operator, text, wildcard: false };
  const wildcard = text.endsWith(".*");
  let version: Pep440Version;
  try {
    version = parseVersion(wildcard ? text.slice(0, -2) : text);
  } catch {
    throw new SyntaxError(`Invalid specifier "${clause}": "${text}" is not a PEP 440 version`);
  }
  if (wildcard) {
    if (operator !== "==" && operator !== "!=") {
      throw new SyntaxError(`Invalid specifier "${clause}": a .* wildcard is only allowed with == and !=`);
    }
    if (version.pre || version.post !== undefined || version.dev !== undefined || version.local) {
      throw new SyntaxError(`Invalid specifier "${clause}": a .* wildcard may only follow release numbers`);
    }
  }
  if (version.local && operator !== "==" && operator !== "!=") {
    throw new SyntaxError(`Invalid specifier "${clause}": a local version (+...) is only allowed with == and !=`);
  }
  if (operator === "~=" && version.release.length < 2) {
    throw new SyntaxError(`Invalid specifier "${clause}": ~= needs at least two release numbers, such as ~=3.12`);
  }
  return { operator, text, version, wildcard };
}

/**
 * Parses a comma-separated PEP 440 specifier set such as `>=3.9, !=3.11.*`. Whitespace around operators, versions and
 * commas is ignored.
 *
 * @param text The specifier set.
 * @returns The parsed set with at least one clause.
 * @throws {SyntaxError} On an empty clause (including empty input or a trailing comma), an unknown operator, an invalid
 * version, a `.*` wildcard with an operator other than `==`/`!=` or after a pre/post/dev segment, a local version with
 * an operator other than `==`/`!=`, or `~=` with a single release number.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSpecifierSet } from "./pep440.ts";
 * const set = parseSpecifierSet(">=3.9, !=3.11.*");
 * assert(set.specifiers.length === 2 && set.specifiers[1]?.wildcard === true);
 * ```
 */
export function parseSpecifierSet(text: string): SpecifierSet {
  const specifiers = text.split(",").map((clause, i) => {
    const trimmed = clause.trim();
    if (trimmed === "") throw new SyntaxError(`Invalid specifier set "${text}": clause ${i + 1} is empty`);
    return parseSpecifier(trimmed);
  });
  return { specifiers };
}

/** Formats a specifier set in a canonical spelling, e.g. `>=3.9,!=3.11.*`. */
export function formatSpecifierSet(set: SpecifierSet): string {
  return set.specifiers.map((s) => `${s.operator}${s.text}`).join(",");
}

/**
 * The precision of a clause: how many release numbers it names (`>=3.12` → 2, `==3.10.*` → 2, `~=3.9.0` → 3). For an
 * `===` clause that is not a version, Infinity (never truncate).
 */
export function specifierPrecision(specifier: Specifier): number {
  if (specifier.version) return specifier.version.release.length;
  try {
    return parseVersion(specifier.text).release.length;
  } catch {
    return Infinity;
  }
}

/** Whether the clause names a pre-release or development version. */
function namesPreRelease(specifier: Specifier): boolean {
  const v = specifier.version;
  return v !== undefined && isPreRelease(v);
}

/** The version without its local label. */
function publicVersion(v: Pep440Version): Pep440Version {
  return v.local ? { ...v, local: undefined } : v;
}

function sameBase(a: Pep440Version, b: Pep440Version): boolean {
  return a.epoch === b.epoch && compareRelease(a.release, b.release) === 0;
}

/** Whether `v`'s zero-padded release starts with `prefix` (and the epochs agree). */
function prefixMatch(v: Pep440Version, epoch: number, prefix: readonly number[]): boolean {
  return v.epoch === epoch && prefix.every((part, i) => (v.release[i] ?? 0) === part);
}

/** Plain PEP 440 evaluation of one clause. `text` is the candidate as a string, for `===`. */
function clauseContains(s: Specifier, v: Pep440Version, text: string): boolean {
  if (s.operator === "===") return text.trim().toLowerCase() === s.text.toLowerCase();
  const c = s.version as Pep440Version;
  switch (s.operator) {
    case "==":
    case "!=": {
      const equal = s.wildcard
        ? prefixMatch(v, c.epoch, c.release)
        : compareVersions(c.local ? v : publicVersion(v), c) === 0;
      return s.operator === "==" ? equal : !equal;
    }
    case "~=":
      return compareVersions(publicVersion(v), c) >= 0 && prefixMatch(v, c.epoch, c.release.slice(0, -1));
    case "<=":
      return compareVersions(publicVersion(v), c) <= 0;
    case ">=":
      return compareVersions(publicVersion(v), c) >= 0;
    case "<":
      // `<3.12` must not admit 3.12.0rc1, unless the clause itself names a pre-release.
      return compareVersions(v, c) < 0 && !(isPreRelease(v) && !isPreRelease(c) && sameBase(v, c));
    case ">":
      // `>3.12` must not admit 3.12.post1 (unless the clause names a post-release) nor 3.12+local.
      return compareVersions(v, c) > 0 &&
        !(v.post !== undefined && c.post === undefined && sameBase(v, c)) &&
        !(v.local !== undefined && sameBase(v, c));
  }
}

/**
 * `v` as a clause of the given precision sees it: release truncated to `precision` numbers. When numbers were cut
 * off, the post, dev and local segments go too, and the pre-release stays only if the clause names a pre-release.
 */
function atPrecision(v: Pep440Version, precision: number, keepPre: boolean): Pep440Version {
  if (precision >= v.release.length) return v;
  return { epoch: v.epoch, release: v.release.slice(0, precision), pre: keepPre ? v.pre : undefined };
}

/**
 * Whether `version` satisfies every clause of `set`.
 *
 * By default (`precision: "clause"`) each clause is evaluated **at its own precision**, as virtualenv does for
 * interpreters: the version is truncated to as many release numbers as the clause names, so `>=3.12` compares `3.12`
 * for interpreter 3.12.0rc1 (satisfied) and `<3.12` compares `3.12` for 3.12.1 (not satisfied); `>3.11` is not
 * satisfied by 3.11.5. The version's pre-release segment counts only when nothing was truncated (a clause with three
 * release numbers against `X.Y.Z`) or the clause itself names a pre-release (`>=3.13rc1`). Within that, clauses follow
 * PEP 440: `~=3.9.0` means `>=3.9.0, ==3.9.*`; `==`/`!=` with `.*` compare a zero-padded release prefix; `==3.12`
 * equals `3.12.0`; `<V` excludes pre-releases of V and `>V` post-releases of V unless V names one; `===` compares
 * strings case-insensitively.
 *
 * With `precision: "full"` the whole version is compared as PEP 440 specifies.
 *
 * @param set The specifier set.
 * @param version The candidate version, parsed or as a string (parsed with {@linkcode parseVersion}).
 * @param options Precision and pre-release handling.
 * @returns Whether every clause holds.
 * @throws {SyntaxError} When `version` is a string that is not a PEP 440 version.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSpecifierSet, specifierSetContains } from "./pep440.ts";
 * assert(specifierSetContains(parseSpecifierSet(">=3.12"), "3.12.0rc1"));
 * assert(!specifierSetContains(parseSpecifierSet(">=3.12"), "3.12.0rc1", { precision: "full" }));
 * assert(!specifierSetContains(parseSpecifierSet("<3.12"), "3.12.1"));
 * ```
 */
export function specifierSetContains(
  set: SpecifierSet,
  version: Pep440Version | string,
  options: ContainsOptions = {},
): boolean {
  const parsed = typeof version === "string" ? parseVersion(version) : version;
  const text = typeof version === "string" ? version : formatVersion(version);
  if (options.prereleases === false && isPreRelease(parsed)) {
    const named = set.specifiers.some((s) => s.operator !== "!=" && namesPreRelease(s));
    if (!named) return false;
  }
  const byClause = (options.precision ?? "clause") === "clause";
  return set.specifiers.every((s) => {
    if (!byClause) return clauseContains(s, parsed, text);
    const precision = specifierPrecision(s);
    const seen = atPrecision(parsed, precision, namesPreRelease(s));
    return clauseContains(s, seen, seen === parsed ? text : formatVersion(seen));
  });
}
