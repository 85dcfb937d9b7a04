/**
 * The command line's option table: one entry per option (names, kind, help, default), from which both the parser
 * configuration and `--help` are derived, so they cannot disagree.
 *
 * @module
 */
import { usageError } from "./errors.ts";

/** How an option takes its value. */
export type OptionKind = "flag" | "count" | "string" | "list";

/** One command-line option. */
export interface OptionDef {
  /** Long name without dashes; also the key in {@linkcode ParsedArgs.values}. */
  readonly name: string;
  /** Other long names meaning the same (virtualenv's `--always-copy` for `--copies`). */
  readonly aliases?: readonly string[] | undefined;
  /** One-letter form. */
  readonly short?: string | undefined;
  /** Flag (boolean), count (repeatable flag), string, or list (repeatable string). */
  readonly kind: OptionKind;
  /** Value name shown in help. */
  readonly metavar?: string | undefined;
  /** Help group heading. */
  readonly group: string;
  /** One-line help. */
  readonly help: string;
  /** The default as help shows it. */
  readonly defaultText?: string | undefined;
  /** Accepted but left out of `--help` (virtualenv's deprecated `--wheel`/`--no-wheel`). */
  readonly hidden?: boolean | undefined;
  /**
   * Whether `VIRTUALENV_<NAME>` variables and `virtualenv.ini` may set it. False for what only makes sense typed
   * on the command line: mkvenv's own modes (`--list-pythons`, `--dry-run`, `--json`), `--force`, `--help`,
   * `--version`. @default {true}
   */
  readonly configurable?: boolean | undefined;
  /** For a flag: the flag a false value from the environment or the config file means (`symlinks` → `copies`). */
  readonly negation?: string | undefined;
  /** For a list: one occurrence takes every following argument up to the next option, as argparse's `nargs="+"`. */
  readonly greedy?: boolean | undefined;
  /** For a string: an empty value in the config file is a value (`activators =` for none), not an absence. */
  readonly emptyInFile?: boolean | undefined;
}

/** Every option mkvenv accepts. */
export const OPTIONS: readonly OptionDef[] = [
  { name: "version", kind: "flag", group: "general", help: "print mkvenv's version and exit", configurable: false },
  { name: "help", short: "h", kind: "flag", group: "general", help: "show this help and exit", configurable: false },
  {
    name: "with-traceback",
    kind: "flag",
    group: "general",
    help: "on failure, print the error's stack trace (and its causes') instead of one line",
  },
  {
    name: "verbose",
    short: "v",
    kind: "count",
    group: "general",
    help: "print more: -v debug lines (why interpreters were skipped, where options came from), -vv also the plan " +
      "and timings",
  },
  {
    name: "quiet",
    short: "q",
    kind: "count",
    group: "general",
    help: "print less: -q no success report, -qq no warnings either (errors always show)",
  },
  {
    name: "list-pythons",
    kind: "flag",
    group: "general",
    help: "list every interpreter found (for -p, if given) and mark the one that would be used",
    configurable: false,
  },
  {
    name: "json",
    kind: "flag",
    group: "general",
    help: "print the report (or --list-pythons) as JSON",
    configurable: false,
  },
  {
    name: "dry-run",
    kind: "flag",
    group: "general",
    help: "print every path that would be created, linked or written; touch nothing",
    configurable: false,
  },
  {
    name: "read-only-app-data",
    kind: "flag",
    group: "general",
    help: "use the app-data folder without writing to it: nothing new is cached, no periodic update runs, and " +
      "seeding needs install images an earlier run built",
  },
  {
    name: "app-data",
    kind: "string",
    metavar: "DIR",
    group: "general",
    help: "folder for mkvenv's caches (kept in its mkvenv-v1 subfolder)",
    defaultText: "$VIRTUALENV_OVERRIDE_APP_DATA, else the platform cache folder, e.g. ~/.cache/mkvenv",
  },
  {
    name: "reset-app-data",
    kind: "flag",
    group: "general",
    help: "delete mkvenv's data in the app-data folder (its mkvenv-v1 subfolder, nothing else) first; " +
      "without DEST, only that",
  },
  {
    name: "discovery",
    kind: "string",
    metavar: "NAME",
    group: "discovery",
    help: "how to look for interpreters: builtin (PATH, pyenv/mise/asdf, uv installs) is the only one",
    defaultText: "builtin",
  },
  {
    name: "python",
    short: "p",
    kind: "list",
    metavar: "SPEC",
    group: "discovery",
    help: "interpreter to use: a path, 3.12, cpython3.12-64, 3.13t, >=3.11, pypy3 (repeatable; first found wins)",
    defaultText: "the nearest .python-version, else python3, else python on PATH",
  },
  {
    name: "try-first-with",
    kind: "list",
    metavar: "EXE",
    group: "discovery",
    help: "interpreter to try before searching (repeatable)",
  },
  {
    name: "creator",
    kind: "string",
    metavar: "NAME",
    group: "creator",
    help: "how to lay out the environment: builtin (the first creator that fits the interpreter), " +
      "cpython3-posix, cpython3-win, cpython3-mac-framework, cpython3-mac-brew, pypy3-posix, pypy3-win, " +
      "graalpy-posix, graalpy-win, or venv (the interpreter's own venv module)",
    defaultText: "builtin",
  },
  {
    name: "clear",
    kind: "flag",
    group: "creator",
    help: "empty the destination first (only an empty folder or a virtual environment, unless --force)",
  },
  {
    name: "force",
    kind: "flag",
    group: "creator",
    help: "with --clear, empty a folder that is no environment; without, replace files in one",
    configurable: false,
  },
  { name: "no-vcs-ignore", kind: "flag", group: "creator", help: "do not write .gitignore and CACHEDIR.TAG" },
  {
    name: "system-site-packages",
    kind: "flag",
    group: "creator",
    help: "give the environment access to the base interpreter's site-packages",
  },
  {
    name: "symlinks",
    kind: "flag",
    group: "creator",
    help: "link the interpreter into the environment (an error where the file system cannot link)",
    defaultText: "on POSIX, falling back to copies where links are impossible",
    negation: "copies",
  },
  {
    name: "copies",
    aliases: ["always-copy"],
    kind: "flag",
    group: "creator",
    help: "copy the interpreter instead",
    defaultText: "on Windows",
  },
  {
    name: "venv-redirect",
    kind: "flag",
    group: "creator",
    help: "write a PEP 832 .venv file beside DEST naming it (never over a folder, link or foreign file)",
    defaultText: "only in a folder with pyproject.toml and no .venv",
    negation: "no-venv-redirect",
  },
  { name: "no-venv-redirect", kind: "flag", group: "creator", help: "never write the .venv redirect file" },
  {
    name: "prompt",
    kind: "string",
    metavar: "PROMPT",
    group: "creator",
    help: "prompt prefix of the activated environment ('.' = the current folder's name)",
    defaultText: "the environment's folder name",
  },
  {
    name: "seeder",
    kind: "string",
    metavar: "NAME",
    group: "seeder",
    help: "how to install the seed packages: app-data (link an unpacked wheel image) or pip (run pip from the wheel)",
    defaultText: "app-data",
  },
  {
    name: "no-seed",
    aliases: ["without-pip"],
    kind: "flag",
    group: "seeder",
    help: "install no packages",
  },
  {
    name: "pip",
    kind: "string",
    metavar: "VERSION",
    group: "seeder",
    help: "pip to install: bundle (the newest local wheel or adopted update), embed (the same, without periodic " +
      "update checks), latest (ask the index), none, or X.Y[.Z]",
    defaultText: "bundle",
  },
  {
    name: "setuptools",
    kind: "string",
    metavar: "VERSION",
    group: "seeder",
    help: "setuptools to install, as --pip",
    defaultText: "bundle below Python 3.12, else none",
  },
  { name: "no-pip", kind: "flag", group: "seeder", help: "do not install pip" },
  { name: "no-setuptools", kind: "flag", group: "seeder", help: "do not install setuptools" },
  {
    name: "wheel",
    kind: "string",
    metavar: "VERSION",
    group: "seeder",
    help: "does nothing (deprecated in virtualenv, which no longer seeds wheel); warns",
    hidden: true,
  },
  { name: "no-wheel", kind: "flag", group: "seeder", help: "does nothing (as --wheel); warns", hidden: true },
  {
    name: "extra-search-dir",
    kind: "list",
    metavar: "DIR",
    group: "seeder",
    help: "folders of wheels to seed from (one or more after the flag, and repeatable; the newest compatible " +
      "wheel wins)",
    greedy: true,
  },
  {
    name: "download",
    kind: "flag",
    group: "seeder",
    help: "ask the package index (pip's configuration) for the newest seed wheels",
  },
  {
    name: "no-download",
    aliases: ["never-download"],
    kind: "flag",
    group: "seeder",
    help: "never use the package index, even for a pinned version not found locally",
  },
  {
    name: "no-periodic-update",
    kind: "flag",
    group: "seeder",
    help: "do not check the package index for newer seed wheels in the background (implied by --no-download)",
    defaultText: "a check at most every 14 days; a release is used once 28 days old",
  },
  {
    name: "upgrade-embed-wheels",
    kind: "flag",
    group: "seeder",
    help: "fetch the newest pip and setuptools for every Python 3.6-3.16 now, use them from then on, and exit",
  },
  {
    name: "symlink-app-data",
    kind: "flag",
    group: "seeder",
    help: "link the seed packages' top-level folders to the app-data image instead of hard-linking their files",
  },
  {
    name: "activators",
    kind: "string",
    metavar: "LIST",
    group: "activators",
    help: "activation scripts to write, comma separated, from bash, batch, cshell, fish, nushell, powershell, " +
      "python, xonsh ('' for none)",
    emptyInFile: true,
    defaultText: "every one the OS has: all but batch on POSIX, all but cshell on Windows",
  },
];

/** Values of a parsed command line, keyed by each option's long name. */
export interface ParsedArgs {
  /** Flags are booleans, counts numbers, strings strings, lists string arrays; absent options are missing. */
  readonly values: Readonly<Record<string, boolean | number | string | string[]>>;
  /** Positional arguments. */
  readonly positionals: readonly string[];
}

/**
 * Parses argv against {@linkcode OPTIONS}: `--name value`, `--name=value`, `-p value`, `-pvalue`, grouped short flags
 * (`-vv`), a long name's unambiguous abbreviation (`--no-down`, as argparse takes it), and `--` ending the options. Aliases fold into their option's name. Throws a usage error (exit 2) for
 * unknown options, missing values, values given to flags, and conflicting flags.
 *
 * Hand-written rather than `node:util`'s `parseArgs`: any `node:` import costs 5 ms of start-up on every run.
 */
export function parseCommandLine(argv: readonly string[]): ParsedArgs {
  const byName = new Map<string, OptionDef>();
  const byShort = new Map<string, OptionDef>();
  for (const def of OPTIONS) {
    for (const name of [def.name, ...(def.aliases ?? [])]) byName.set(name, def);
    if (def.short) byShort.set(def.short, def);
  }
  const values: Record<string, boolean | number | string | string[]> = {};
  const positionals: string[] = [];
  /** The last option that took several arguments: its final one is DEST if nothing else is. */
  let lastGreedy: { name: string; index: number } | undefined;
  const set = (def: OptionDef, typed: string, value: string | undefined): void => {
    const takesValue = def.kind === "string" || def.kind === "list";
    if (takesValue && value === undefined) throw usageError(`Option "${typed}" needs a value`);
    if (!takesValue && value !== undefined) throw usageError(`Option "${typed}" takes no value`);
    if (def.kind === "count") values[def.name] = ((values[def.name] as number | undefined) ?? 0) + 1;
    else if (def.kind === "list") values[def.name] = [...((values[def.name] as string[] | undefined) ?? []), value!];
    else values[def.name] = value ?? true;
  };
  // Like argparse: a value in the next argument may not look like an option (`--prompt=-x` passes one that does).
  const nextValue = (i: number): string | undefined => {
    const next = argv[i + 1];
    return next !== undefined && (next === "-" || !next.startsWith("-")) ? next : undefined;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      const def = byName.get(name) ?? byPrefix(byName, name);
      const inline = eq < 0 ? undefined : arg.slice(eq + 1);
      const wants = def.kind === "string" || def.kind === "list";
      const value = inline ?? (wants ? nextValue(i) : undefined);
      if (inline === undefined && value !== undefined) i++;
      set(def, `--${name}`, value);
      if (def.greedy && inline === undefined && value !== undefined) {
        let taken = 1;
        for (let next = nextValue(i); next !== undefined && next !== "-"; i++, taken++, next = nextValue(i)) {
          set(def, `--${name}`, next);
        }
        if (taken > 1) lastGreedy = { name: def.name, index: (values[def.name] as string[]).length - 1 };
      }
    } else if (arg.startsWith("-") && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const def = byShort.get(arg[j]!);
        if (!def) throw usageError(`Unrecognized option "-${arg[j]}"`);
        if (def.kind === "string" || def.kind === "list") {
          const rest = arg.slice(j + 1);
          const value = rest !== "" ? rest : nextValue(i);
          if (rest === "" && value !== undefined) i++;
          set(def, `-${arg[j]}`, value);
          break;
        }
        set(def, `-${arg[j]}`, undefined);
      }
    } else positionals.push(arg);
  }
  // `--extra-search-dir a b DEST` would leave argparse without a DEST; here the last argument taken is DEST then.
  if (!positionals.length && lastGreedy) {
    positionals.push(...(values[lastGreedy.name] as string[]).splice(lastGreedy.index, 1));
  }
  if (values["symlinks"] && values["copies"]) throw usageError("--symlinks and --copies cannot be used together");
  if (values["verbose"] && values["quiet"]) throw usageError("--verbose and --quiet cannot be used together");
  if (values["download"] && values["no-download"]) {
    throw usageError("--download and --no-download cannot be used together");
  }
  if (values["venv-redirect"] && values["no-venv-redirect"]) {
    throw usageError("--venv-redirect and --no-venv-redirect cannot be used together");
  }
  return { values, positionals };
}

/**
 * The option a long name abbreviates, as argparse allows (`--no-down` for `--no-download`): the one option whose name
 * or alias starts with it. Throws a usage error when none or several do.
 */
function byPrefix(byName: ReadonlyMap<string, OptionDef>, prefix: string): OptionDef {
  const matches = new Map<OptionDef, string>();
  if (prefix !== "") {
    for (const [name, def] of byName) if (name.startsWith(prefix) && !matches.has(def)) matches.set(def, name);
  }
  if (matches.size === 1) return [...matches.keys()][0]!;
  if (!matches.size) throw usageError(`Unrecognized option "--${prefix}"`);
  const names = [...matches.values()].map((name) => `--${name}`).join(", ");
  throw usageError(`Ambiguous option "--${prefix}": it could be ${names}`);
}

/** The usage line. */
export const USAGE = "usage: mkvenv [options] DEST\n       mkvenv --list-pythons [-p SPEC] [--json]";

/** A value the environment or the config file gave an option, as `--help` shows it. */
export interface ConfiguredDefault {
  /** The value. */
  readonly value: boolean | number | string | string[];
  /** `env var` or `file`. */
  readonly source: string;
  /** The variable or key that set it. */
  readonly key?: string | undefined;
}

/** What `--help` adds to the option table. */
export interface HelpOptions {
  /** Notes appended to the default of the named options (which creator `builtin` means for the interpreter). */
  readonly notes?: Readonly<Record<string, string>> | undefined;
  /** Defaults the environment or the config file changed, by option name: shown with where they came from. */
  readonly fromConfig?: Readonly<Record<string, ConfiguredDefault>> | undefined;
  /** A closing line (the config file's state). */
  readonly epilog?: string | undefined;
}

/**
 * The `--help` text, generated from {@linkcode OPTIONS} (hidden ones left out). A default the environment or the
 * config file changed shows as virtualenv shows it: `(default: 3.12 -> from env var VIRTUALENV_PYTHON)`.
 */
export function helpText(options: HelpOptions = {}): string {
  const { notes = {}, fromConfig = {} } = options;
  const groups = new Map<string, OptionDef[]>();
  for (const def of OPTIONS) if (!def.hidden) groups.set(def.group, [...(groups.get(def.group) ?? []), def]);
  const lines = [USAGE, "", "Create a Python virtual environment in DEST (virtualenv-compatible).", ""];
  for (const [group, defs] of groups) {
    lines.push(`${group} options:`);
    for (const def of defs) {
      const names = [
        ...(def.short ? [`-${def.short}`] : []),
        ...[def.name, ...(def.aliases ?? [])].map((n) => `--${n}`),
      ].join(", ");
      const left = `  ${names}${def.metavar ? ` ${def.metavar}` : ""}`;
      const configured = fromConfig[def.name];
      let help = def.help;
      if (configured) {
        const value = Array.isArray(configured.value) ? configured.value.join(", ") : String(configured.value);
        const from = configured.source === "env var" ? `env var ${configured.key}` : configured.source;
        help += ` (default: ${value} -> from ${from})`;
      } else if (def.defaultText) {
        help += ` (default: ${def.defaultText}${notes[def.name] ? `; ${notes[def.name]}` : ""})`;
      }
      lines.push(left.length < 30 ? `${left.padEnd(30)}${help}` : `${left}\n${"".padEnd(30)}${help}`);
    }
    lines.push("");
  }
  if (options.epilog) lines.push(options.epilog, "");
  return lines.join("\n");
}
