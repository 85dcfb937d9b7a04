/**
 * Where each option's value comes from: the command line, else a `VIRTUALENV_<NAME>` environment variable, else
 * `virtualenv.ini`, else the default, as virtualenv resolves them, without its quirks: a list on the command line
 * replaces the one from the environment or the file (virtualenv appends `-p` after the file's `python`, so the file
 * wins), values are never repeated, and `VIRTUALENV_NO_DOWNLOAD` works.
 *
 * Pure: the environment and the file system come in as functions, so every rule is unit-tested.
 *
 * @module
 */
import type { EnvLookup } from "../app_data.ts";
import { type OptionDef, OPTIONS, type ParsedArgs } from "../options.ts";
import { posix, win32 } from "../path.ts";
import { convertText, envVarNames, iniKeys, type OptionValue } from "./convert.ts";
import { parseIni } from "./ini.ts";

/** Where a value came from, in virtualenv's words. */
export type OptionSource = "cli" | "env var" | "file" | "default";

/** A value with its origin. */
export interface SourcedValue {
  /** The value. */
  readonly value: OptionValue;
  /** Where it came from. */
  readonly source: Exclude<OptionSource, "default">;
  /** The environment variable (`VIRTUALENV_P`) or config-file key (`python`) that set it. */
  readonly key?: string | undefined;
}

/** The environment variable naming the config file. */
export const CONFIG_FILE_ENV_VAR = "VIRTUALENV_CONFIG_FILE";
/** The section of the config file that holds the options. */
export const CONFIG_SECTION = "virtualenv";

/** The config file and what became of reading it. */
export interface ConfigFileState {
  /** Its path. */
  readonly path: string;
  /** Whether the path came from `VIRTUALENV_CONFIG_FILE`. */
  readonly viaEnv: boolean;
  /** Read and parsed; absent; or present but unreadable or not a valid ini file. */
  readonly state: "active" | "missing" | "failed to parse";
  /** The `[virtualenv]` section's keys (lower case, `-` read as `_`) and values (`active` only). */
  readonly values?: ReadonlyMap<string, string> | undefined;
  /** Why it failed (`failed to parse` only). */
  readonly error?: string | undefined;
}

/** The platform's place for the file: virtualenv's `platformdirs.user_config_dir("virtualenv", "pypa")`. */
export function defaultConfigFile(os: string, env: EnvLookup): string {
  if (os === "windows") {
    const local = env("LOCALAPPDATA") || win32.join(env("USERPROFILE") ?? "C:\\", "AppData", "Local");
    return win32.join(local, "pypa", "virtualenv", "virtualenv.ini");
  }
  const home = env("HOME") ?? "/";
  if (os === "darwin") return posix.join(home, "Library", "Application Support", "virtualenv", "virtualenv.ini");
  const xdg = env("XDG_CONFIG_HOME")?.trim();
  return posix.join(xdg ? xdg : posix.join(home, ".config"), "virtualenv", "virtualenv.ini");
}

/**
 * Reads a text file: its content, or undefined when there is no such file. Any other failure (a folder, no
 * permission, bytes that are not UTF-8) throws.
 */
export type TextFileReader = (path: string) => string | undefined;

/** Finds, reads and parses the config file. */
export function loadConfigFile(os: string, env: EnvLookup, cwd: string, readTextFile: TextFileReader): ConfigFileState {
  const named = env(CONFIG_FILE_ENV_VAR);
  const viaEnv = named !== undefined && named !== "";
  const path = viaEnv ? (os === "windows" ? win32 : posix).resolve(cwd, named) : defaultConfigFile(os, env);
  let text: string | undefined;
  try {
    text = readTextFile(path);
    if (text === undefined) return { path, viaEnv, state: "missing" };
    const values = new Map<string, string>();
    // Keys as option names with `-` or `_` (virtualenv reads only `_`); the first spelling wins.
    for (const [key, value] of parseIni(text).sections.get(CONFIG_SECTION) ?? []) {
      const normalized = key.replaceAll("-", "_");
      if (!values.has(normalized)) values.set(normalized, value);
    }
    return { path, viaEnv, state: "active", values };
  } catch (e) {
    return { path, viaEnv, state: "failed to parse", error: e instanceof Error ? e.message : String(e) };
  }
}

/** The options after every source is applied. */
export interface ResolvedOptions {
  /** Each option that has a value, by long name; absent options take their default. */
  readonly values: Readonly<Record<string, OptionValue>>;
  /** Where each value in {@linkcode ResolvedOptions.values} came from. */
  readonly sources: Readonly<Record<string, SourcedValue>>;
  /** Positional arguments (from the command line only). */
  readonly positionals: readonly string[];
  /** The config file. */
  readonly configFile: ConfigFileState;
  /** Values that were ignored, and a config file that could not be read. */
  readonly warnings: readonly string[];
}

/** What {@linkcode resolveOptions} reads besides the command line. */
export interface ConfigInputs {
  /** Environment lookup. */
  readonly env: EnvLookup;
  /** The OS (`Deno.build.os`): where the config file is, and the path-list separator splitting lists. */
  readonly os: string;
  /** Folder a relative `VIRTUALENV_CONFIG_FILE` starts from. */
  readonly cwd: string;
  /** Reads the config file. */
  readonly readTextFile: TextFileReader;
}

/**
 * Options that name one setting between them: the highest source giving any of them a true (or counted) value
 * decides, and lower sources' values for the others are dropped (`--copies` on the command line beats
 * `VIRTUALENV_SYMLINKS=1`). Within one source the last of the group wins (copies over symlinks, as in virtualenv),
 * except verbose and quiet, which add up.
 */
export const OPTION_GROUPS: readonly (readonly string[])[] = [
  ["symlinks", "copies"],
  ["download", "no-download"],
  ["venv-redirect", "no-venv-redirect"],
  ["verbose", "quiet"],
];

const RANK: Readonly<Record<SourcedValue["source"], number>> = { cli: 3, "env var": 2, file: 1 };

/** Applies the environment and the config file under the command line. */
export function resolveOptions(cli: ParsedArgs, inputs: ConfigInputs): ResolvedOptions {
  const warnings: string[] = [];
  const configFile = loadConfigFile(inputs.os, inputs.env, inputs.cwd, inputs.readTextFile);
  if (configFile.state === "failed to parse") {
    warnings.push(`failed to read config file ${configFile.path} because ${configFile.error}`);
  }
  const separator = inputs.os === "windows" ? ";" : ":";
  const sources: Record<string, SourcedValue> = {};
  const set = (name: string, sourced: SourcedValue): void => {
    const held = sources[name];
    if (!held || RANK[held.source] < RANK[sourced.source]) sources[name] = sourced;
  };
  const fromText = (def: OptionDef, text: string, source: "env var" | "file", key: string): boolean => {
    const converted = convertText(def, text, separator, source === "file");
    if ("empty" in converted) return false;
    if ("invalid" in converted) {
      const where = source === "file" ? `${key} in config file ${configFile.path}` : `env var ${key}`;
      warnings.push(`ignored ${where}: ${JSON.stringify(text)} is ${converted.invalid}`);
      return false;
    }
    if (def.kind === "flag" && converted.value === false && def.negation) {
      // `VIRTUALENV_SYMLINKS=false` means copies, `VIRTUALENV_VENV_REDIRECT=false` means --no-venv-redirect.
      set(def.negation, { value: true, source, key });
    }
    set(def.name, { value: converted.value, source, key });
    return true;
  };
  for (const def of OPTIONS) {
    const value = cli.values[def.name];
    if (value !== undefined) {
      set(def.name, { value: Array.isArray(value) ? [...new Set(value)] : value, source: "cli" });
    }
    if (def.configurable === false) continue;
    envVarNames(def).some((name) => {
      const text = inputs.env(name);
      return text !== undefined && fromText(def, text, "env var", name);
    });
    if (configFile.values) {
      iniKeys(def).some((key) => {
        const text = configFile.values!.get(key);
        return text !== undefined && fromText(def, text, "file", key);
      });
    }
  }
  for (const group of OPTION_GROUPS) {
    const active = group.filter((name) => isOn(sources[name]?.value));
    if (active.length < 2) continue;
    const top = Math.max(...active.map((name) => RANK[sources[name]!.source]));
    const winners = active.filter((name) => RANK[sources[name]!.source] === top);
    const keep = group.includes("verbose") ? winners : winners.slice(-1);
    for (const name of active) if (!keep.includes(name)) delete sources[name];
  }
  const values: Record<string, OptionValue> = {};
  for (const [name, sourced] of Object.entries(sources)) values[name] = sourced.value;
  return { values, sources, positionals: cli.positionals, configFile, warnings };
}

function isOn(value: OptionValue | undefined): boolean {
  return value === true || (typeof value === "number" && value > 0);
}

/** Where a value came from, as `--help` and messages say it: `env var VIRTUALENV_P`, `file`, `cli`. */
export function describeSource(sourced: SourcedValue): string {
  return sourced.source === "env var" ? `env var ${sourced.key}` : sourced.source;
}

/** A value as `--help` shows it: lists joined with commas, flags as true/false. */
export function formatValue(value: OptionValue): string {
  return Array.isArray(value) ? value.join(", ") : String(value);
}

/** The line closing `--help`: the config file, its state, and how to choose another one. */
export function configFileEpilog(file: ConfigFileState): string {
  return `config file ${file.path} ${file.state} (change${file.viaEnv ? "d" : ""} via env var ${CONFIG_FILE_ENV_VAR})`;
}

/** For messages about a bad value: ` (from env var VIRTUALENV_X)` or ` (from key in the config file)`; empty for the command line. */
export function configOrigin(name: string, sources: Readonly<Record<string, SourcedValue>>): string {
  const sourced = sources[name];
  if (!sourced || sourced.source === "cli") return "";
  return sourced.source === "env var" ? ` (from env var ${sourced.key})` : ` (from ${sourced.key} in the config file)`;
}
