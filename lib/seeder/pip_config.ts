/**
 * Where pip would look for packages: the index URL, extra indexes, find-links locations, `--no-index` and the network
 * timeout, read from pip's own configuration files and `PIP_*` environment variables the way pip does, with no Python
 * involved.
 *
 * What pip does, and so what this does:
 *
 * - Files load in pip's order, later ones overriding earlier ones key by key: the global files (`$XDG_CONFIG_DIRS`
 *   entries or `/etc/xdg` + `/pip/pip.conf`, then `/etc/pip.conf`; `/Library/Application Support/pip/pip.conf` on
 *   macOS; `C:\ProgramData\pip\pip.ini` on Windows), then the user files (the legacy `~/.pip/pip.conf`, then
 *   `$XDG_CONFIG_HOME/pip/pip.conf` or `~/.config/pip/pip.conf`; on macOS `~/Library/Application Support/pip/pip.conf`
 *   when that folder exists, else `~/.config/pip/pip.conf`; on Windows `~\pip\pip.ini`, then `%APPDATA%\pip\pip.ini`),
 *   then the file `PIP_CONFIG_FILE` names. When that file exists the user files are skipped, and when it is
 *   `os.devnull` no file is read at all. The site file (`<sys.prefix>/pip.conf`) belongs to the Python running pip;
 *   mkvenv runs none, so it has none.
 * - The section decides before the file does: a key in the command's section of any file beats the same key in
 *   `[global]` of any file, and a `PIP_*` variable beats both. mkvenv's fetch is what `pip download` does (virtualenv
 *   runs exactly that), so the command section is `[download]`.
 * - Empty values are ignored; list options (`extra-index-url`, `find-links`) are whitespace-separated and replace, not
 *   extend, what a weaker source said.
 *
 * @module
 */
import { type EnvLookup, isDirectory } from "../app_data.ts";
import { MkvenvError } from "../errors.ts";
import type { PathModule, Platform } from "../platform.ts";

export type { EnvLookup, PathModule, Platform };

/** pip's default index, used when nothing configures another. */
export const DEFAULT_INDEX_URL = "https://pypi.org/simple";

/** The pip section whose settings override `[global]`: mkvenv fetches wheels as `pip download` would. */
export const PIP_COMMAND_SECTION = "download";

/** Where to look for distributions, as pip's configuration says. */
export interface PipIndexConfig {
  /** The main index (`index-url`); {@linkcode DEFAULT_INDEX_URL} unless configured. */
  readonly indexUrl: string;
  /** Further indexes searched as well (`extra-index-url`), in the order given. */
  readonly extraIndexUrls: readonly string[];
  /** Folders, files or pages of links searched besides the indexes (`find-links`); a leading `~` is expanded. */
  readonly findLinks: readonly string[];
  /** The network timeout in seconds (`timeout`, alias `default-timeout`); undefined leaves pip's default of 15 s. */
  readonly timeoutSeconds: number | undefined;
  /** Whether the indexes are to be ignored (`no-index`), leaving only find-links. */
  readonly noIndex: boolean;
  /** Hosts whose plain-http pages are read all the same (`trusted-host`; `host` or `host:port`). */
  readonly trustedHosts: readonly string[];
  /** A PEM file of certificate authorities trusted besides the usual ones (`cert`; a leading `~` is expanded). */
  readonly cert: string | undefined;
  /**
   * Which files and environment variables the index settings above came from (`cert` aside), files first in load
   * order, then variables (e.g. `/root/.config/pip/pip.conf`, `PIP_FIND_LINKS`). A source whose values were all
   * overridden is not listed.
   */
  readonly sources: readonly string[];
}

/** A parsed INI file: section name (case kept) → key (lower case) → value (continuation lines joined by `\n`). */
export type IniSections = Map<string, Map<string, string>>;

/**
 * Parses INI text with the semantics of Python's `configparser.RawConfigParser`, which pip uses: `[section]` headers
 * (names case-sensitive), `key = value` or `key: value` split at the first `=` or `:`, keys lower-cased, full-line `#`
 * and `;` comments (no inline comments: `#` inside a value is kept), values continued on lines indented deeper than
 * their key, no interpolation, and `[DEFAULT]` values inherited by every other section.
 *
 * @param text The file's content.
 * @param fileName The file's name, for error messages.
 * @returns The sections, without `DEFAULT`.
 * @throws {MkvenvError} On a line outside any section, a line that is neither a header nor `key = value`, or a section
 * or key given twice (configparser's strict mode), as pip refuses such a file too.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseIni } from "./pip_config.ts";
 * const ini = parseIni("[global]\nindex-url = https://example.org/simple\nfind-links = /a\n  /b\n", "pip.conf");
 * assert(ini.get("global")?.get("find-links") === "/a\n/b");
 * ```
 */
export function parseIni(text: string, fileName: string): IniSections {
  const raw = new Map<string, Map<string, string[]>>();
  function fail(lineNo: number, why: string): never {
    throw new MkvenvError(`Cannot parse pip configuration file ${fileName}, line ${lineNo}: ${why}`, {
      hint: "fix or remove the file: pip itself refuses to run with it",
    });
  }
  let section: Map<string, string[]> | undefined;
  let value: string[] | undefined;
  let indent = 0;
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
  for (const [i, line] of lines.entries()) {
    const stripped = line.trim();
    if (stripped === "") {
      // configparser keeps empty lines inside a value (trimmed off its end later).
      value?.push("");
      continue;
    }
    // A comment never ends a value: configparser skips it and a deeper-indented line after it still continues.
    if (stripped.startsWith("#") || stripped.startsWith(";")) continue;
    const lineIndent = line.length - line.trimStart().length;
    if (value && lineIndent > indent) {
      value.push(stripped);
      continue;
    }
    indent = lineIndent;
    // Like configparser's SECTCRE, anything after the closing bracket is ignored.
    const header = /^\[(.+)\]/.exec(stripped);
    if (header) {
      const name = header[1]!;
      if (raw.has(name)) fail(i + 1, `section [${name}] appears twice`);
      section = new Map();
      raw.set(name, section);
      value = undefined;
      continue;
    }
    if (!section) fail(i + 1, "a setting before the first [section] header");
    const option = /^(.*?)\s*[=:]\s*(.*)$/.exec(stripped);
    if (!option || option[1] === "") fail(i + 1, `expected "key = value", got "${stripped}"`);
    const key = option[1]!.toLowerCase();
    if (section.has(key)) fail(i + 1, `"${key}" is set twice in one section`);
    value = [option[2]!];
    section.set(key, value);
  }
  const defaults = raw.get("DEFAULT") ?? new Map<string, string[]>();
  const sections: IniSections = new Map();
  for (const [name, entries] of raw) {
    if (name === "DEFAULT") continue;
    const merged = new Map<string, string>();
    for (const [key, lines] of [...defaults, ...entries]) merged.set(key, lines.join("\n").trimEnd());
    sections.set(name, merged);
  }
  return sections;
}

/** A configuration file pip reads, with the role that decides whether it is read. */
export interface PipConfigFile {
  /** Absolute path of the file (which need not exist). */
  readonly path: string;
  /** `global` (system-wide), `user`, or `env` (named by `PIP_CONFIG_FILE`). */
  readonly kind: "global" | "user" | "env";
}

function homeOf(env: EnvLookup, platform: Platform): string | undefined {
  const home = platform.isWindows ? env("USERPROFILE") ?? env("HOME") : env("HOME");
  return home === "" ? undefined : home;
}

/**
 * The configuration files pip reads on `platform`, in load order (later files override earlier ones), before
 * `PIP_CONFIG_FILE` is taken into account. Without a home folder the user files are left out.
 *
 * @param env Looks up environment variables (`XDG_CONFIG_DIRS`, `XDG_CONFIG_HOME`, `APPDATA`, `ProgramData`, ...).
 * @param platform The OS whose conventions apply.
 * @param home The user's home folder; by default `$HOME` (`%USERPROFILE%` on Windows).
 * @returns The global files, then the user files.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { pipConfigFiles } from "./pip_config.ts";
 * import { platformFor } from "../platform.ts";
 * const files = pipConfigFiles(() => undefined, platformFor("linux"), "/home/me");
 * assert(files.at(-1)?.path === "/home/me/.config/pip/pip.conf");
 * ```
 */
export function pipConfigFiles(env: EnvLookup, platform: Platform, home?: string): PipConfigFile[] {
  const path = platform.path;
  const userHome = home ?? homeOf(env, platform);
  const files: PipConfigFile[] = [];
  const add = (kind: PipConfigFile["kind"], ...segments: string[]) =>
    files.push({ kind, path: path.join(...segments) });
  if (platform.isWindows) {
    add("global", env("ProgramData") || env("ALLUSERSPROFILE") || "C:\\ProgramData", "pip", "pip.ini");
    if (userHome !== undefined) {
      add("user", userHome, "pip", "pip.ini");
      add("user", env("APPDATA") || path.join(userHome, "AppData", "Roaming"), "pip", "pip.ini");
    }
    return files;
  }
  if (platform.os === "darwin") {
    add("global", "/Library/Application Support/pip/pip.conf");
  } else {
    // platformdirs' site_config_dir: each XDG_CONFIG_DIRS entry (or /etc/xdg); pip adds /etc after them.
    const xdgDirs = env("XDG_CONFIG_DIRS")?.trim() ? env("XDG_CONFIG_DIRS")! : "/etc/xdg";
    for (const dir of xdgDirs.split(":")) if (dir !== "") add("global", dir, "pip", "pip.conf");
    add("global", "/etc/pip.conf");
  }
  if (userHome === undefined) return files;
  add("user", userHome, ".pip", "pip.conf");
  if (platform.os === "darwin") {
    // pip prefers the macOS folder only when it exists, and otherwise uses ~/.config/pip (ignoring XDG_CONFIG_HOME).
    const appSupport = path.join(userHome, "Library", "Application Support", "pip");
    add("user", isDirectory(appSupport) ? appSupport : path.join(userHome, ".config", "pip"), "pip.conf");
  } else {
    const xdgHome = env("XDG_CONFIG_HOME");
    add("user", xdgHome?.trim() ? xdgHome : path.join(userHome, ".config"), "pip", "pip.conf");
  }
  return files;
}

/** Reads a file's text, or undefined when pip would skip it (missing, a folder, unreadable) as configparser does. */
function readIfPresent(file: string): string | undefined {
  try {
    return Deno.readTextFileSync(file);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.PermissionDenied) return undefined;
    if (e instanceof Deno.errors.IsADirectory || e instanceof Deno.errors.NotADirectory) return undefined;
    // Reading a folder fails with a plain EISDIR error on some systems.
    if (isDirectory(file)) return undefined;
    throw e;
  }
}

function exists(file: string): boolean {
  try {
    Deno.statSync(file);
    return true;
  } catch {
    return false;
  }
}

/** pip's option names for the settings mkvenv uses, in the spelling pip normalises keys to. */
const KEYS = [
  "index-url",
  "extra-index-url",
  "find-links",
  "no-index",
  "timeout",
  "default-timeout",
  "trusted-host",
  "cert",
] as const;
type Key = typeof KEYS[number];

/** A setting's value and where it came from. */
interface Setting {
  readonly value: string;
  readonly source: string;
}

/** pip's key normalisation: lower case, `_` as `-`, a leading `--` dropped. */
function normaliseKey(key: string): string {
  const name = key.toLowerCase().replaceAll("_", "-");
  return name.startsWith("--") ? name.slice(2) : name;
}

/** pip's `strtobool`. */
function parseBool(setting: Setting, key: string): boolean {
  const v = setting.value.trim().toLowerCase();
  if (["y", "yes", "t", "true", "on", "1"].includes(v)) return true;
  if (["n", "no", "f", "false", "off", "0"].includes(v)) return false;
  throw new MkvenvError(`Invalid ${key} value "${setting.value}" in ${setting.source}: expected true or false`, {
    hint: "pip refuses it too; fix or unset it",
  });
}

function parseSeconds(setting: Setting, key: string): number {
  const n = Number(setting.value.trim());
  if (setting.value.trim() === "" || !Number.isFinite(n) || n < 0) {
    throw new MkvenvError(`Invalid ${key} value "${setting.value}" in ${setting.source}: expected seconds`, {
      hint: "pip refuses it too; fix or unset it",
    });
  }
  return n;
}

/** Expands a leading `~` as pip does for find-links (`~user` forms are left alone). */
function expandHome(location: string, home: string | undefined, platform: Platform): string {
  if (home === undefined || !/^~(?:$|[\\/])/.test(location)) return location;
  return platform.path.join(home, location.slice(1));
}

/**
 * Resolves the package index settings pip would use for `pip download`: configuration files in pip's order (see the
 * module documentation), `[global]` overridden by `[download]`, both overridden by `PIP_INDEX_URL`,
 * `PIP_EXTRA_INDEX_URL`, `PIP_FIND_LINKS`, `PIP_NO_INDEX`, `PIP_TIMEOUT` and `PIP_DEFAULT_TIMEOUT`. When two aliases
 * (`timeout`, `default-timeout`) are set at the same level, `timeout` wins.
 *
 * Reads files (synchronously) but never the process environment: all variables come from `env`.
 *
 * @param env Looks up environment variables: `PIP_*`, `HOME`, `XDG_CONFIG_DIRS`, `XDG_CONFIG_HOME`, `APPDATA`, ...
 * @param platform The OS whose file locations apply.
 * @param home The user's home folder; by default `$HOME` (`%USERPROFILE%` on Windows) from `env`.
 * @returns The effective settings and their sources.
 * @throws {MkvenvError} When a configuration file cannot be parsed, or `no-index`/`timeout` has an invalid value.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolvePipIndexes } from "./pip_config.ts";
 * import { hostPlatform } from "../platform.ts";
 * const vars: Record<string, string> = { PIP_CONFIG_FILE: "/dev/null", PIP_INDEX_URL: "https://example.org/simple" };
 * const config = resolvePipIndexes((name) => vars[name], hostPlatform());
 * assert(config.indexUrl === "https://example.org/simple");
 * ```
 */
export function resolvePipIndexes(env: EnvLookup, platform: Platform, home?: string): PipIndexConfig {
  const userHome = home ?? homeOf(env, platform);
  const envFile = env("PIP_CONFIG_FILE") || undefined;
  const devNull = platform.isWindows ? envFile?.toLowerCase() === "nul" : envFile === "/dev/null";
  const files: PipConfigFile[] = [];
  if (!devNull) {
    const skipUser = envFile !== undefined && exists(envFile);
    files.push(...pipConfigFiles(env, platform, userHome).filter((f) => !(skipUser && f.kind === "user")));
    if (envFile !== undefined) files.push({ kind: "env", path: envFile });
  }
  // Per section, later files override earlier ones; the section ranks above the file (see the module documentation).
  const global = new Map<Key, Setting>();
  const command = new Map<Key, Setting>();
  for (const file of files) {
    const text = readIfPresent(file.path);
    if (text === undefined) continue;
    const ini = parseIni(text, file.path);
    for (const [name, target] of [["global", global], [PIP_COMMAND_SECTION, command]] as const) {
      for (const [rawKey, value] of ini.get(name) ?? []) {
        const key = normaliseKey(rawKey) as Key;
        // Kept when empty: a later file's `index-url =` unsets an earlier file's value, as in pip.
        if (KEYS.includes(key)) target.set(key, { value, source: file.path });
      }
    }
  }
  const fromEnv = new Map<Key, Setting>();
  for (const key of KEYS) {
    const name = `PIP_${key.toUpperCase().replaceAll("-", "_")}`;
    const value = env(name);
    if (value) fromEnv.set(key, { value, source: name });
  }
  const pick = (...keys: Key[]): { key: Key; setting: Setting } | undefined => {
    for (const level of [fromEnv, command, global]) {
      for (const key of keys) {
        const setting = level.get(key);
        // pip ignores an empty value once the files are merged: the next level, or the default, applies.
        if (setting?.value) return { key, setting };
      }
    }
    return undefined;
  };
  const used: Setting[] = [];
  const take = (...keys: Key[]) => {
    const found = pick(...keys);
    if (found) used.push(found.setting);
    return found;
  };
  const list = (setting: Setting | undefined) => setting?.value.split(/\s+/).filter(Boolean) ?? [];
  const index = take("index-url");
  const extra = take("extra-index-url");
  const findLinks = take("find-links");
  const noIndex = take("no-index");
  const trusted = take("trusted-host");
  // Not counted in `sources`: a certificate file says whom to trust, not where to look.
  const cert = pick("cert");
  const timeout = take("timeout", "default-timeout");
  const order = [...files.map((f) => f.path), ...KEYS.map((k) => `PIP_${k.toUpperCase().replaceAll("-", "_")}`)];
  const sources = [...new Set(used.map((s) => s.source))].sort((a, b) => order.indexOf(a) - order.indexOf(b));
  return {
    indexUrl: index?.setting.value.trim() || DEFAULT_INDEX_URL,
    extraIndexUrls: list(extra?.setting),
    findLinks: list(findLinks?.setting).map((l) => expandHome(l, userHome, platform)),
    timeoutSeconds: timeout ? parseSeconds(timeout.setting, timeout.key) : undefined,
    noIndex: noIndex ? parseBool(noIndex.setting, "no-index") : false,
    trustedHosts: list(trusted?.setting),
    cert: cert ? expandHome(cert.setting.value.trim(), userHome, platform) : undefined,
    sources,
  };
}
