/**
 * The console scripts pip writes when it installs a wheel (`bin/pip`, `bin/pip3`, `bin/pip3.12`, ...), reproduced
 * byte for byte so an environment seeded by mkvenv is indistinguishable from one pip installed into: same file names,
 * same text, same mode and the same RECORD lines (pip's uninstall and `pip check` read RECORD).
 *
 * pip builds these with distlib's `ScriptMaker`; the rules mirrored here are pip's `get_console_script_specs`
 * (names), distlib's `enquote_executable` and `ScriptMaker._build_shebang` (first line), pip's or distlib's script
 * template (body), `FileOperator.set_executable_mode` (mode) and pip's `get_csv_rows_for_installed` (RECORD). They
 * were checked against what pip 23.2.1 (Python 3.12's ensurepip, vendoring distlib 0.3.6) and pip 26.2.1 (vendoring
 * distlib 0.4.2) wrote on Linux; `tests/unit/console_scripts_test.ts` compares against the real pip.
 *
 * On Windows distlib writes `<name>.exe` instead (`ScriptMaker._write_script` with `add_launchers` and `_is_nt`):
 * a launcher stub, then the shebang line, then a zip archive whose one entry `__main__.py` holds the script body
 * (the POSIX body without its shebang). The stub reads the shebang near the end of its own file to find the
 * interpreter and runs it on the file, which Python executes as a zip. What is reproduced here, read in the distlib
 * of pip 18.1 (0.2.7), 19.2.3 (0.2.9.post0), 22.0.4 (0.3.3), 23.x (0.3.6), 24.2 (0.3.8) and 26.2.1 (0.4.2):
 *
 * - The stub is the console (`t`) launcher in distlib's package folder (`pip/_vendor/distlib/` in pip): `t64.exe`
 *   for a 64-bit interpreter (`struct.calcsize('P') == 8`), else `t32.exe`, and `t64-arm.exe` for ARM64
 *   (`get_platform() == 'win-arm64'`, from distlib 0.3.3, which added the ARM64 launchers); see
 *   {@linkcode windowsLauncherName}. pip reads it from the pip doing the install, so seeding takes it from the
 *   seeded pip; Debian's pip wheels have the launchers stripped.
 * - The shebang is never the `/bin/sh` trampoline (`_build_shebang` takes the simple form whenever `os.name` is not
 *   `posix`): `#!`, the interpreter path quoted by `enquote_executable` when it holds a space, and `\n`. distlib
 *   before 0.3.9 (pip 24.2 vendors 0.3.8) then appended `os.linesep` in `_write_script`, as the line did not end in
 *   `\r\n`, giving `#!<exe>\n\r\n` (distlib issue 220); see {@linkcode consoleScriptShebang}.
 * - The zip is `ZipFile(BytesIO(), "w")` with one `writestr("__main__.py", body)`: stored (no compression), made on
 *   Windows, permissions `0o600`, and dated `time.localtime()` of the moment or, from distlib 0.3.6, the UTC time of
 *   `SOURCE_DATE_EPOCH` when that is set (see {@linkcode launcherZipDateTime}); `zip_store.ts` writes those bytes.
 * - pip names the file `<name>.exe` (a `.py*` extension of the name is dropped first), sets no mode, and records it in
 *   RECORD like any script.
 *
 * The test compares the bytes with what pip 23.2.1's and 26.2.1's own `ScriptMaker` write when run on Linux with its
 * Windows code paths switched on (x64, ARM64 and 32-bit, with and without `SOURCE_DATE_EPOCH`).
 *
 * @module
 */
import { MkvenvError } from "../errors.ts";
import { posix } from "../path.ts";
import { sha256 } from "./sha256.ts";
import { storedZip, type ZipDateTime } from "./zip_store.ts";

/** A Python version as far as script names go. */
export interface PythonVersion {
  /** Major version, e.g. `3`. */
  readonly major: number;
  /** Minor version, e.g. `12`. */
  readonly minor: number;
}

/** A `console_scripts` entry point: `name = module:attr`. */
export interface ConsoleScript {
  /** The script name, e.g. `pip`; also the file name in the scripts folder. */
  readonly name: string;
  /** The module, e.g. `pip._internal.cli.main`. */
  readonly module: string;
  /** The callable, e.g. `main`; may be dotted (`Class.method`). */
  readonly attr: string;
}

/** Options for {@linkcode consoleScriptsToWrite} and {@linkcode consoleScriptNames}. */
export interface ConsoleScriptNameOptions {
  /**
   * The value of `ENSUREPIP_OPTIONS` pip would see (undefined: unset, the case for every install but ensurepip's).
   * ensurepip sets `install` (no unversioned `pip`/`easy_install`) or `altinstall` (only `pipX.Y`).
   */
  readonly ensurepipOptions?: string | undefined;
}

/**
 * Which template pip renders the script body with; the two differ, so it must match the pip being seeded.
 *
 * - `pip26`: pip 26's own template (`sys.argv[0].removesuffix('.exe')`, needs Python 3.9+, as pip 26 does).
 * - `pip23`: distlib's template from 0.3.0 on, written by pip 19.3 to 25.0 (for example Python 3.12.1's ensurepip,
 *   pip 23.2.1).
 * - `pip19`: pip's own template before 19.3 (blank lines around the import, `-script.pyw?`), which pip set on
 *   distlib's script maker until it switched to distlib's (pip 19.3, "Switch to new distlib wheel script template").
 * - `pip18`: the same, written by distlib 0.2.7 and older (pip before 19.0), which put a newline after the shebang
 *   line that already ended with one (distlib 0.2.8: "Avoided unnecessary newlines in script preambles"), so the
 *   script has an empty second line.
 *
 * pip 25.x used a third template (pip pull request 13166) and pip 24.x distlib 0.3.8's; neither is reproduced.
 */
export type ScriptTemplate = "pip26" | "pip23" | "pip19" | "pip18";

/**
 * The template the pip of version `pipVersion` writes scripts with: pip 25.1 and later (Python 3.9+ only) use their
 * own, with `str.removesuffix`; pip 19.3 to 25.0.1 (the last for Python 3.8) distlib's; older pips their own, as
 * {@linkcode ScriptTemplate} tells. Unknown: the newest.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { scriptTemplateFor } from "./console_scripts.ts";
 * assert(scriptTemplateFor("25.0.1") === "pip23" && scriptTemplateFor("26.2.1") === "pip26");
 * assert(scriptTemplateFor("19.2.3") === "pip19" && scriptTemplateFor("18.1") === "pip18");
 * ```
 */
export function scriptTemplateFor(pipVersion: string | undefined): ScriptTemplate {
  const release = pipRelease(pipVersion);
  return release < 19_000 ? "pip18" : release < 19_003 ? "pip19" : release < 25_001 ? "pip23" : "pip26";
}

/**
 * Whether the pip of version `pipVersion` writes an empty `REQUESTED` into what it installs by name (pip 20.2 and
 * later; unknown: the newest).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { writesRequested } from "./console_scripts.ts";
 * assert(writesRequested("20.2") && !writesRequested("20.1.1") && writesRequested(undefined));
 * ```
 */
export function writesRequested(pipVersion: string | undefined): boolean {
  return pipRelease(pipVersion) >= 20_002;
}

/** `major * 1000 + minor` of a pip version (`20` is 20.0); unknown or unreadable: the newest. */
function pipRelease(pipVersion: string | undefined): number {
  const m = /^(\d+)(?:\.(\d+))?/.exec(pipVersion ?? "");
  return m ? Number(m[1]) * 1000 + Number(m[2] ?? 0) : Infinity;
}

/** Options for {@linkcode renderConsoleScript} and {@linkcode consoleScriptShebang}. */
export interface ConsoleScriptOptions {
  /** Target Windows, as `os: "windows"` does. */
  readonly windows?: boolean;
  /**
   * The target OS as `Deno.build.os` spells it. distlib allows a 512-byte shebang line on `darwin` and 127 bytes
   * (Linux's limit) on other POSIX systems; on `windows` the shebang is always the simple line, and
   * {@linkcode renderConsoleScript} refuses it (a Windows script is an `.exe`: {@linkcode renderWindowsConsoleScript}).
   * @default {"linux"}
   */
  readonly os?: string;
  /** The template of the pip being seeded. @default {"pip26"} */
  readonly template?: ScriptTemplate;
  /**
   * The version of the distlib writing the script (`__version__` in `pip/_vendor/distlib/__init__.py`). Only
   * Windows results depend on it: the shebang's line end, the ARM64 launcher and `SOURCE_DATE_EPOCH`.
   * @default {"0.4.2"} (pip 26.2.1's)
   */
  readonly distlib?: string | undefined;
}

/** A script file pip would write, as {@linkcode recordLinesForScripts} takes it. */
export interface ScriptFile {
  /** The file name in the scripts folder, e.g. `pip3.12`. */
  readonly name: string;
  /** The file's content (a string is encoded as UTF-8, as distlib does). */
  readonly content: string | Uint8Array;
}

/**
 * A pattern with Unicode classes, and its ASCII equivalent for ASCII text. V8 expands a `\p{L}` class into thousands
 * of ranges whenever such a regex is made or first run (half a millisecond a run), and names are nearly always
 * ASCII: the Unicode one is made only for text that needs it.
 */
class NamePattern {
  readonly #ascii: RegExp;
  readonly #unicodeSource: string;
  #unicode: RegExp | undefined;

  constructor(ascii: RegExp, unicodeSource: string) {
    this.#ascii = ascii;
    this.#unicodeSource = unicodeSource;
  }

  test(text: string): boolean {
    // deno-lint-ignore no-control-regex
    if (/^[\x00-\x7f]*$/.test(text)) return this.#ascii.test(text);
    this.#unicode ??= new RegExp(this.#unicodeSource, "u");
    return this.#unicode.test(text);
  }
}

/** The unversioned pip and easy_install entry points pip replaces with versioned ones, with the versions it drops. */
const PIP_VERSIONED = new NamePattern(/^pip(\d+(\.\d+)?)?$/, String.raw`^pip(\p{Nd}+(\.\p{Nd}+)?)?$`);
const EASY_INSTALL_VERSIONED = new NamePattern(
  /^easy_install(-\d+\.\d+)?$/,
  String.raw`^easy_install(-\p{Nd}+\.\p{Nd}+)?$`,
);
/** distlib's entry point grammar (`\w+([:.]\w+)*`); Python's `\w` is Unicode letters, numbers and `_`. */
const DOTTED_NAME = new NamePattern(/^\w+(\.\w+)*$/, String.raw`^[\p{L}\p{N}_]+(\.[\p{L}\p{N}_]+)*$`);

/**
 * Rejects names that would not become one file in the scripts folder. pip 26 refuses names escaping the folder; this
 * also refuses sub-folders and whitespace, which distlib's entry point parser would split on.
 */
function checkScriptName(name: string): void {
  if (name === "" || name === "." || name === ".." || /[\s/\\\0]/.test(name) || name.startsWith("[")) {
    throw new MkvenvError(`Invalid console script name ${JSON.stringify(name)}: it must be a plain file name`);
  }
}

/**
 * The console scripts pip writes for a wheel's `console_scripts` entry points, in pip's order: `pip` becomes `pip`,
 * `pipX` and `pipX.Y` for the target Python (the wheel's own `pip3`, `pip3.11`, ... are dropped, as they name the
 * Python the wheel was built with); `easy_install` becomes `easy_install` and `easy_install-X.Y` (dropping the
 * wheel's `easy_install-X.Y`); everything else keeps its name. A repeated name keeps its first position and last
 * target, as pip's dict does.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { consoleScriptsToWrite } from "./console_scripts.ts";
 * const main = { module: "pip._internal.cli.main", attr: "main" };
 * const scripts = consoleScriptsToWrite(
 *   [{ name: "pip", ...main }, { name: "pip3", ...main }, { name: "pip3.11", ...main }],
 *   { major: 3, minor: 12 },
 * );
 * assert(scripts.map((s) => s.name).join() === "pip,pip3,pip3.12");
 * ```
 */
export function consoleScriptsToWrite(
  entries: readonly ConsoleScript[],
  python: PythonVersion,
  options: ConsoleScriptNameOptions = {},
): ConsoleScript[] {
  const byName = new Map<string, ConsoleScript>();
  for (const e of entries) byName.set(e.name, e);
  const { ensurepipOptions } = options;
  const out: ConsoleScript[] = [];
  const as = (name: string, e: ConsoleScript): ConsoleScript => ({ name, module: e.module, attr: e.attr });
  const minor = `${python.major}.${python.minor}`;
  const pip = byName.get("pip");
  byName.delete("pip");
  if (pip) {
    if (ensurepipOptions === undefined) out.push(as("pip", pip));
    if (ensurepipOptions !== "altinstall") out.push(as(`pip${python.major}`, pip));
    out.push(as(`pip${minor}`, pip));
    for (const name of [...byName.keys()]) if (PIP_VERSIONED.test(name)) byName.delete(name);
  }
  const easyInstall = byName.get("easy_install");
  byName.delete("easy_install");
  if (easyInstall) {
    if (ensurepipOptions === undefined) out.push(as("easy_install", easyInstall));
    out.push(as(`easy_install-${minor}`, easyInstall));
    for (const name of [...byName.keys()]) if (EASY_INSTALL_VERSIONED.test(name)) byName.delete(name);
  }
  out.push(...byName.values());
  for (const s of out) checkScriptName(s.name);
  return out;
}

/**
 * The script file names pip writes for one `console_scripts` entry point of a wheel that has no other pip or
 * easy_install entries (see {@linkcode consoleScriptsToWrite} for a wheel's whole list).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { consoleScriptNames } from "./console_scripts.ts";
 * assert(consoleScriptNames("pip", { major: 3, minor: 12 }).join() === "pip,pip3,pip3.12");
 * assert(consoleScriptNames("pip3", { major: 3, minor: 12 }).join() === "pip3");
 * ```
 */
export function consoleScriptNames(
  entryName: string,
  python: PythonVersion,
  options: ConsoleScriptNameOptions = {},
): string[] {
  return consoleScriptsToWrite([{ name: entryName, module: "m", attr: "f" }], python, options).map((s) => s.name);
}

function isWindows(options: ConsoleScriptOptions): boolean {
  return options.windows === true || options.os === "windows";
}

/** pip 26.2.1's distlib, the default of {@linkcode ConsoleScriptOptions.distlib}. */
const DEFAULT_DISTLIB = "0.4.2";

/** Whether a distlib version (`0.3.6`, `0.2.9.post0`) is at least `wanted` (major, minor, micro). */
function distlibAtLeast(version: string, wanted: readonly [number, number, number]): boolean {
  const parts = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(version);
  if (!parts) throw new MkvenvError(`Unreadable distlib version "${version}"`);
  const have = [Number(parts[1]), Number(parts[2] ?? 0), Number(parts[3] ?? 0)];
  for (let i = 0; i < 3; i++) if (have[i] !== wanted[i]) return have[i]! > wanted[i]!;
  return true;
}

/** distlib's `enquote_executable`: quotes a path with spaces (only the program after `/usr/bin/env `). */
function enquoteExecutable(executable: string): string {
  if (!executable.includes(" ")) return executable;
  if (executable.startsWith("/usr/bin/env ")) {
    const program = executable.slice("/usr/bin/env ".length);
    return program.includes(" ") && !program.startsWith('"') ? `/usr/bin/env "${program}"` : executable;
  }
  return executable.startsWith('"') ? executable : `"${executable}"`;
}

/**
 * The first line(s) pip writes for an interpreter path, newline included. On POSIX: `#!<exe>\n`, or, when the path
 * holds a space or the line would pass the kernel's limit (127 bytes, 512 on macOS), distlib's trampoline, which
 * `/bin/sh` runs as `exec <exe> "$0" "$@"` and Python reads as a string literal:
 *
 * ```text
 * #!/bin/sh
 * '''exec' "/path with space/bin/python" "$0" "$@"
 * ' '''
 * ```
 *
 * On Windows (the line between an `.exe` launcher and its zip): `#!<exe>\n` whatever the length, the path quoted when
 * it holds a space; distlib before 0.3.9 wrote `#!<exe>\n\r\n`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { consoleScriptShebang } from "./console_scripts.ts";
 * assert(consoleScriptShebang("/env/bin/python") === "#!/env/bin/python\n");
 * const exe = "C:\\My env\\Scripts\\python.exe";
 * assert(consoleScriptShebang(exe, { os: "windows" }) === `#!"${exe}"\n`);
 * assert(consoleScriptShebang(exe, { os: "windows", distlib: "0.3.6" }) === `#!"${exe}"\n\r\n`);
 * ```
 */
export function consoleScriptShebang(pythonExe: string, options: ConsoleScriptOptions = {}): string {
  // pip leaves sys.executable to distlib, which quotes it; the length is counted in UTF-8 bytes with "#!" and "\n".
  const executable = enquoteExecutable(pythonExe);
  if (isWindows(options)) {
    const lineEnd = distlibAtLeast(options.distlib ?? DEFAULT_DISTLIB, [0, 3, 9]) ? "\n" : "\n\r\n";
    return `#!${executable}${lineEnd}`;
  }
  const max = options.os === "darwin" ? 512 : 127;
  const simple = !executable.includes(" ") && new TextEncoder().encode(executable).length + 3 <= max;
  return simple ? `#!${executable}\n` : `#!/bin/sh\n'''exec' ${executable} "$0" "$@"\n' '''\n`;
}

/** The script body after the shebang: pip's or distlib's template for `module:attr`. */
function scriptBody(module: string, attr: string, template: ScriptTemplate): string {
  if (!DOTTED_NAME.test(module) || !DOTTED_NAME.test(attr)) {
    throw new MkvenvError(`Invalid console script entry point "${module}:${attr}": expected "module:callable"`);
  }
  // distlib imports the first component of a dotted callable and calls the whole path.
  const importName = attr.split(".")[0]!;
  if (template === "pip19" || template === "pip18") {
    return `# -*- coding: utf-8 -*-\nimport re\nimport sys\n\nfrom ${module} import ${importName}\n\n` +
      `if __name__ == '__main__':\n` +
      `    sys.argv[0] = re.sub(r'(-script\\.pyw?|\\.exe)?$', '', sys.argv[0])\n` +
      `    sys.exit(${attr}())\n`;
  }
  if (template === "pip23") {
    return `# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom ${module} import ${importName}\n` +
      `if __name__ == '__main__':\n` +
      `    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n` +
      `    sys.exit(${attr}())\n`;
  }
  return `import sys\nfrom ${module} import ${importName}\nif __name__ == '__main__':\n` +
    `    sys.argv[0] = sys.argv[0].removesuffix('.exe')\n` +
    `    sys.exit(${attr}())\n`;
}

/**
 * The text of the console script pip writes on POSIX for `module:attr` run by `pythonExe` (the interpreter path as
 * pip saw it in `sys.executable`: for `python -m venv`'s ensurepip that is `<env>/bin/python3.X`, for `<env>/bin/python
 * -m pip` it is `<env>/bin/python`). Encode it as UTF-8 and write it with {@linkcode consoleScriptMode}.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderConsoleScript } from "./console_scripts.ts";
 * const text = renderConsoleScript("/env/bin/python", "pip._internal.cli.main", "main");
 * assert(text.startsWith("#!/env/bin/python\nimport sys\nfrom pip._internal.cli.main import main\n"));
 * ```
 *
 * @throws {MkvenvError} For Windows (use {@linkcode renderWindowsConsoleScript}), and for a module or callable
 * distlib would not accept.
 */
export function renderConsoleScript(
  pythonExe: string,
  module: string,
  attr: string,
  options: ConsoleScriptOptions = {},
): string {
  if (isWindows(options)) {
    throw new MkvenvError("Windows console scripts are .exe files: render them with renderWindowsConsoleScript()");
  }
  const template = options.template ?? "pip26";
  const shebang = consoleScriptShebang(pythonExe, options);
  // distlib 0.2.7 added a line end after any shebang; the trampoline's last line has none of its own.
  const preamble = template === "pip18" && !shebang.endsWith("' '''\n") ? `${shebang}\n` : shebang;
  return preamble + scriptBody(module, attr, template);
}

/** The interpreter a Windows launcher is chosen for (as {@linkcode PythonInfo} reports it). */
export interface LauncherTarget {
  /** Pointer size in bits: 32 or 64. */
  readonly bits: number;
  /** Normalised machine: `x86_64`, `x86`, `arm64`, ... */
  readonly machine: string;
}

/**
 * The console launcher distlib's `ScriptMaker._get_launcher('t')` picks for the interpreter running pip:
 * `t64.exe` (64-bit), `t32.exe` (32-bit, ARM32 included) or `t64-arm.exe` (ARM64, from distlib 0.3.3; older
 * distlib used `t64.exe` there). distlib tells ARM64 by `get_platform() == 'win-arm64'`, which comes from
 * `sys.version` as the interpreter's machine does.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { windowsLauncherName } from "./console_scripts.ts";
 * assert(windowsLauncherName({ bits: 64, machine: "x86_64" }) === "t64.exe");
 * assert(windowsLauncherName({ bits: 64, machine: "arm64" }) === "t64-arm.exe");
 * assert(windowsLauncherName({ bits: 32, machine: "x86" }) === "t32.exe");
 * ```
 */
export function windowsLauncherName(target: LauncherTarget, distlib: string = DEFAULT_DISTLIB): string {
  const bits = target.bits === 64 ? "64" : "32";
  const arm = target.bits === 64 && target.machine === "arm64" && distlibAtLeast(distlib, [0, 3, 3]);
  return `t${bits}${arm ? "-arm" : ""}.exe`;
}

/**
 * The file name distlib gives a script on Windows: `<name>.exe`, after dropping an extension starting with `.py`
 * (`os.path.splitext`, so `pip3.12` keeps its `.12`).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { windowsScriptFileName } from "./console_scripts.ts";
 * assert(windowsScriptFileName("pip3.12") === "pip3.12.exe");
 * assert(windowsScriptFileName("tool.py") === "tool.exe");
 * ```
 */
export function windowsScriptFileName(name: string): string {
  // splitext: the last dot, unless only dots precede it (a leading-dot name has no extension).
  const dot = name.lastIndexOf(".");
  const hasExtension = dot > 0 && /[^.]/.test(name.slice(0, dot));
  return `${hasExtension && name.slice(dot).startsWith(".py") ? name.slice(0, dot) : name}.exe`;
}

/** Options for {@linkcode launcherZipDateTime}. */
export interface LauncherZipDateTimeOptions {
  /** The value of `SOURCE_DATE_EPOCH` (undefined or empty: unset). */
  readonly sourceDateEpoch?: string | undefined;
  /** The distlib writing the script (it honours `SOURCE_DATE_EPOCH` from 0.3.6). @default {"0.4.2"} */
  readonly distlib?: string | undefined;
  /** The moment of writing. @default {new Date()} */
  readonly now?: Date | undefined;
}

/**
 * The date and time distlib gives the `__main__.py` entry of a Windows script: `time.gmtime(int(SOURCE_DATE_EPOCH))`
 * when that variable is set (distlib 0.3.6 and later), else `zipfile`'s default, the local time of writing.
 *
 * Where distlib would fail, this does not: a value `int()` refuses is taken as unset, and a time outside what a zip
 * can hold (1980 to 2107) is clamped to its bounds, as `zipfile` does with `strict_timestamps=False`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { launcherZipDateTime } from "./console_scripts.ts";
 * const dt = launcherZipDateTime({ sourceDateEpoch: "1700000000" });
 * assert(dt.year === 2023 && dt.month === 11 && dt.day === 14 && dt.hour === 22);
 * ```
 */
export function launcherZipDateTime(options: LauncherZipDateTimeOptions = {}): ZipDateTime {
  const epoch = options.sourceDateEpoch?.trim();
  if (epoch && /^[+-]?\d+$/.test(epoch) && distlibAtLeast(options.distlib ?? DEFAULT_DISTLIB, [0, 3, 6])) {
    const seconds = Number(epoch);
    if (seconds < Date.UTC(1980, 0, 1) / 1000) return { year: 1980, month: 1, day: 1, hour: 0, minute: 0, second: 0 };
    if (seconds >= Date.UTC(2108, 0, 1) / 1000) {
      return { year: 2107, month: 12, day: 31, hour: 23, minute: 59, second: 59 };
    }
    const t = new Date(seconds * 1000);
    return {
      year: t.getUTCFullYear(),
      month: t.getUTCMonth() + 1,
      day: t.getUTCDate(),
      hour: t.getUTCHours(),
      minute: t.getUTCMinutes(),
      second: t.getUTCSeconds(),
    };
  }
  const t = options.now ?? new Date();
  const year = Math.min(Math.max(t.getFullYear(), 1980), 2107);
  if (year !== t.getFullYear()) {
    return year === 1980
      ? { year, month: 1, day: 1, hour: 0, minute: 0, second: 0 }
      : { year, month: 12, day: 31, hour: 23, minute: 59, second: 59 };
  }
  return {
    year,
    month: t.getMonth() + 1,
    day: t.getDate(),
    hour: t.getHours(),
    minute: t.getMinutes(),
    second: t.getSeconds(),
  };
}

/** Options for {@linkcode renderWindowsConsoleScript}. */
export interface WindowsConsoleScriptOptions {
  /** The launcher stub's bytes (the file {@linkcode windowsLauncherName} names, from the pip doing the install). */
  readonly launcher: Uint8Array;
  /** The date and time of the zip entry (see {@linkcode launcherZipDateTime}). */
  readonly dateTime: ZipDateTime;
  /** The template of the pip being seeded. @default {"pip26"} */
  readonly template?: ScriptTemplate | undefined;
  /** The distlib writing the script (the shebang's line end depends on it). @default {"0.4.2"} */
  readonly distlib?: string | undefined;
}

/**
 * The `.exe` pip writes on Windows for `module:attr` run by `pythonExe` (the environment's `Scripts\python.exe`):
 * the launcher, the shebang line and a stored zip holding `__main__.py`, byte for byte as distlib's `_write_script`.
 * Write it as `Scripts\<name>.exe` ({@linkcode windowsScriptFileName}).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderWindowsConsoleScript } from "./console_scripts.ts";
 * const launcher = new Uint8Array([0x4d, 0x5a]); // the real t64.exe in practice
 * const dateTime = { year: 2024, month: 1, day: 2, hour: 3, minute: 4, second: 6 };
 * const exe = renderWindowsConsoleScript("C:\\env\\Scripts\\python.exe", "pip._internal.cli.main", "main", {
 *   launcher,
 *   dateTime,
 * });
 * const afterLauncher = new TextDecoder().decode(exe.subarray(launcher.length, launcher.length + 30));
 * assert(afterLauncher === "#!C:\\env\\Scripts\\python.exe\nPK");
 * ```
 *
 * @throws {MkvenvError} For a module or callable distlib would not accept.
 */
export function renderWindowsConsoleScript(
  pythonExe: string,
  module: string,
  attr: string,
  options: WindowsConsoleScriptOptions,
): Uint8Array {
  const encoder = new TextEncoder();
  const body = encoder.encode(scriptBody(module, attr, options.template ?? "pip26"));
  const shebang = encoder.encode(consoleScriptShebang(pythonExe, { os: "windows", distlib: options.distlib }));
  const zip = storedZip([{ name: "__main__.py", data: body, dateTime: options.dateTime }], { createSystem: 0 });
  const out = new Uint8Array(options.launcher.length + shebang.length + zip.length);
  out.set(options.launcher, 0);
  out.set(shebang, options.launcher.length);
  out.set(zip, options.launcher.length + shebang.length);
  return out;
}

/**
 * The mode distlib gives a script: the file is created under the umask (`0o666 & ~umask`), then made executable for
 * everyone (`| 0o555`). With the usual umask 022 that is `0o755`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { consoleScriptMode } from "./console_scripts.ts";
 * assert(consoleScriptMode(0o022) === 0o755);
 * assert(consoleScriptMode(0o002) === 0o775);
 * ```
 */
export function consoleScriptMode(umask: number): number {
  return ((0o666 & ~umask) | 0o555) & 0o7777;
}

/**
 * A file's path as RECORD holds it: relative to site-packages with `/` separators (pip's `_fs_to_record_path`), so
 * `<env>/bin/pip` is `../../../bin/pip` from `<env>/lib/python3.12/site-packages`. Both paths must be absolute POSIX
 * paths; `..` and repeated separators are folded lexically, as Python's `os.path.relpath` does.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { recordPath } from "./console_scripts.ts";
 * assert(recordPath("/env/lib/python3.12/site-packages", "/env/bin/pip") === "../../../bin/pip");
 * ```
 */
export function recordPath(sitePackages: string, file: string): string {
  if (!sitePackages.startsWith("/") || !file.startsWith("/")) {
    throw new Error(`recordPath() needs absolute POSIX paths, got "${sitePackages}" and "${file}"`);
  }
  return posix.relative(sitePackages, file);
}

/**
 * A RECORD hash: `sha256=` and the digest in URL-safe base64 without padding (pip's `rehash`).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { recordHash } from "./console_scripts.ts";
 * assert(recordHash("") === "sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU");
 * ```
 */
export function recordHash(content: string | Uint8Array): string {
  return `sha256=${base64Url(sha256(content))}`;
}

const BASE64_URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/**
 * Unpadded URL-safe base64, as RECORD hashes are written. Not `btoa`: on a warm run it would be the only user of
 * Deno's base64 module, which costs a millisecond to load.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { base64Url } from "./console_scripts.ts";
 * assert.equal(base64Url(new Uint8Array([0xfb, 0xff, 0x01])), "-_8B");
 * ```
 */
export function base64Url(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += BASE64_URL[n >> 18]! + BASE64_URL[(n >> 12) & 63]! + BASE64_URL[(n >> 6) & 63]! + BASE64_URL[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += BASE64_URL[n >> 18]! + BASE64_URL[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += BASE64_URL[n >> 18]! + BASE64_URL[(n >> 12) & 63]! + BASE64_URL[(n >> 6) & 63]!;
  }
  return out;
}

/**
 * The first field of a CSV line as Python's `csv` module reads it: a quoted one up to its closing quote, with `""`
 * for a quote; else up to the first comma. Enough for a RECORD row's path.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { firstCsvField } from "./console_scripts.ts";
 * assert(firstCsvField('"say ""hi"",.txt",sha256=x,1') === 'say "hi",.txt');
 * assert(firstCsvField("pip/__init__.py,sha256=x,1") === "pip/__init__.py");
 * ```
 */
export function firstCsvField(line: string): string {
  if (!line.startsWith('"')) return line.split(",", 1)[0]!;
  let field = "";
  for (let from = 1;;) {
    const quote = line.indexOf('"', from);
    if (quote < 0) return field + line.slice(from);
    field += line.slice(from, quote);
    if (line[quote + 1] !== '"') return field;
    field += '"';
    from = quote + 2;
  }
}

/** One CSV field as Python's `csv.writer` (QUOTE_MINIMAL) writes it (RECORD paths). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * The RECORD lines pip writes for scripts it generated in `binDir`: `<path from site-packages>,sha256=<hash>,<size>`,
 * in the order given and without line terminators. pip writes RECORD with `csv.writer`, so the lines end in `\r\n`,
 * and it sorts all of RECORD's rows by path (as Python compares strings) before writing.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { recordLinesForScripts } from "./console_scripts.ts";
 * const lines = recordLinesForScripts("/env/lib/python3.12/site-packages", "/env/bin", [
 *   { name: "pip", content: "" },
 * ]);
 * assert(lines[0] === "../../../bin/pip,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0");
 * ```
 */
export function recordLinesForScripts(
  sitePackages: string,
  binDir: string,
  scripts: readonly ScriptFile[],
): string[] {
  return scripts.map((s) => {
    const bytes = typeof s.content === "string" ? new TextEncoder().encode(s.content) : s.content;
    const path = recordPath(sitePackages, posix.join(binDir, s.name));
    return `${csvField(path)},${recordHash(bytes)},${bytes.length}`;
  });
}
