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
 * Windows is out of scope: there distlib writes `.exe` launchers (a stub binary with a zip of `__main__.py`
 * appended), which needs the launcher binaries.
 *
 * @module
 */
import { MkvenvError } from "../errors.ts";
import { posix } from "../path.ts";

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
 * - `pip23`: distlib 0.3.6's template, written by pip 23.x (for example Python 3.12.1's ensurepip, pip 23.2.1).
 *
 * pip 25.x used a third template (pip pull request 13166) and pip 24.x distlib 0.3.8's; neither is reproduced.
 */
export type ScriptTemplate = "pip26" | "pip23";

/** Options for {@linkcode renderConsoleScript} and {@linkcode consoleScriptShebang}. */
export interface ConsoleScriptOptions {
  /** Target Windows: not implemented (distlib writes `.exe` launchers there), so this throws. */
  readonly windows?: boolean;
  /**
   * The target OS as `Deno.build.os` spells it. Only `darwin` changes the result: distlib allows a 512-byte shebang
   * line there and 127 bytes (Linux's limit) everywhere else. `windows` throws, as `windows: true` does.
   * @default {"linux"}
   */
  readonly os?: string;
  /** The template of the pip being seeded. @default {"pip26"} */
  readonly template?: ScriptTemplate;
}

/** A script file pip would write, as {@linkcode recordLinesForScripts} takes it. */
export interface ScriptFile {
  /** The file name in the scripts folder, e.g. `pip3.12`. */
  readonly name: string;
  /** The file's content (a string is encoded as UTF-8, as distlib does). */
  readonly content: string | Uint8Array;
}

/** The unversioned pip and easy_install entry points pip replaces with versioned ones, with the versions it drops. */
const PIP_VERSIONED = /^pip(\p{Nd}+(\.\p{Nd}+)?)?$/u;
const EASY_INSTALL_VERSIONED = /^easy_install(-\p{Nd}+\.\p{Nd}+)?$/u;
/** distlib's entry point grammar (`\w+([:.]\w+)*`); Python's `\w` is Unicode letters, numbers and `_`. */
const DOTTED_NAME = /^[\p{L}\p{N}_]+(\.[\p{L}\p{N}_]+)*$/u;

/**
 * Rejects names that would not become one file in the scripts folder. pip 26 refuses names escaping the folder; this
 * also refuses sub-folders and whitespace, which distlib's entry point parser would split on.
 */
function checkScriptName(name: string): void {
  if (name === "" || name === "." || name === ".." || /[\s/\\\0]/u.test(name) || name.startsWith("[")) {
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
 * import { consoleScriptsToWrite } from "./console_scripts.ts";
 * const main = { module: "pip._internal.cli.main", attr: "main" };
 * const scripts = consoleScriptsToWrite(
 *   [{ name: "pip", ...main }, { name: "pip3", ...main }, { name: "pip3.11", ...main }],
 *   { major: 3, minor: 12 },
 * );
 * console.assert(scripts.map((s) => s.name).join() === "pip,pip3,pip3.12");
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
 * import { consoleScriptNames } from "./console_scripts.ts";
 * console.assert(consoleScriptNames("pip", { major: 3, minor: 12 }).join() === "pip,pip3,pip3.12");
 * console.assert(consoleScriptNames("pip3", { major: 3, minor: 12 }).join() === "pip3");
 * ```
 */
export function consoleScriptNames(
  entryName: string,
  python: PythonVersion,
  options: ConsoleScriptNameOptions = {},
): string[] {
  return consoleScriptsToWrite([{ name: entryName, module: "m", attr: "f" }], python, options).map((s) => s.name);
}

function rejectWindows(options: ConsoleScriptOptions): void {
  if (options.windows || options.os === "windows") {
    throw new MkvenvError("console script launchers for Windows are not implemented");
  }
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
 * The first line(s) pip writes for an interpreter path on POSIX, newline included: `#!<exe>\n`, or, when the path
 * holds a space or the line would pass the kernel's limit (127 bytes, 512 on macOS), distlib's trampoline, which
 * `/bin/sh` runs as `exec <exe> "$0" "$@"` and Python reads as a string literal:
 *
 * ```text
 * #!/bin/sh
 * '''exec' "/path with space/bin/python" "$0" "$@"
 * ' '''
 * ```
 *
 * @example Usage
 * ```ts
 * import { consoleScriptShebang } from "./console_scripts.ts";
 * console.assert(consoleScriptShebang("/env/bin/python") === "#!/env/bin/python\n");
 * ```
 */
export function consoleScriptShebang(pythonExe: string, options: ConsoleScriptOptions = {}): string {
  rejectWindows(options);
  // pip leaves sys.executable to distlib, which quotes it; the length is counted in UTF-8 bytes with "#!" and "\n".
  const executable = enquoteExecutable(pythonExe);
  const max = options.os === "darwin" ? 512 : 127;
  const simple = !executable.includes(" ") && new TextEncoder().encode(executable).length + 3 <= max;
  return simple ? `#!${executable}\n` : `#!/bin/sh\n'''exec' ${executable} "$0" "$@"\n' '''\n`;
}

/**
 * The text of the console script pip writes for `module:attr` run by `pythonExe` (the interpreter path as pip saw
 * it in `sys.executable`: for `python -m venv`'s ensurepip that is `<env>/bin/python3.X`, for `<env>/bin/python -m
 * pip` it is `<env>/bin/python`). Encode it as UTF-8 and write it with {@linkcode consoleScriptMode}.
 *
 * @example Usage
 * ```ts
 * import { renderConsoleScript } from "./console_scripts.ts";
 * const text = renderConsoleScript("/env/bin/python", "pip._internal.cli.main", "main");
 * console.assert(text.startsWith("#!/env/bin/python\nimport sys\nfrom pip._internal.cli.main import main\n"));
 * ```
 *
 * @throws {MkvenvError} For Windows, and for a module or callable distlib would not accept.
 */
export function renderConsoleScript(
  pythonExe: string,
  module: string,
  attr: string,
  options: ConsoleScriptOptions = {},
): string {
  const shebang = consoleScriptShebang(pythonExe, options);
  if (!DOTTED_NAME.test(module) || !DOTTED_NAME.test(attr)) {
    throw new MkvenvError(`Invalid console script entry point "${module}:${attr}": expected "module:callable"`);
  }
  // distlib imports the first component of a dotted callable and calls the whole path.
  const importName = attr.split(".")[0]!;
  if ((options.template ?? "pip26") === "pip23") {
    return `${shebang}# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom ${module} import ${importName}\n` +
      `if __name__ == '__main__':\n` +
      `    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n` +
      `    sys.exit(${attr}())\n`;
  }
  return `${shebang}import sys\nfrom ${module} import ${importName}\nif __name__ == '__main__':\n` +
    `    sys.argv[0] = sys.argv[0].removesuffix('.exe')\n` +
    `    sys.exit(${attr}())\n`;
}

/**
 * The mode distlib gives a script: the file is created under the umask (`0o666 & ~umask`), then made executable for
 * everyone (`| 0o555`). With the usual umask 022 that is `0o755`.
 *
 * @example Usage
 * ```ts
 * import { consoleScriptMode } from "./console_scripts.ts";
 * console.assert(consoleScriptMode(0o022) === 0o755);
 * console.assert(consoleScriptMode(0o002) === 0o775);
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
 * import { recordPath } from "./console_scripts.ts";
 * console.assert(recordPath("/env/lib/python3.12/site-packages", "/env/bin/pip") === "../../../bin/pip");
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
 * import { recordHash } from "./console_scripts.ts";
 * console.assert(await recordHash("") === "sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU");
 * ```
 */
export async function recordHash(content: string | Uint8Array): Promise<string> {
  // A copy, as crypto.subtle takes no views of shared memory.
  const bytes = typeof content === "string" ? new TextEncoder().encode(content) : new Uint8Array(content);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  let binary = "";
  for (const b of digest) binary += String.fromCharCode(b);
  return `sha256=${btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "")}`;
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
 * import { recordLinesForScripts } from "./console_scripts.ts";
 * const lines = await recordLinesForScripts("/env/lib/python3.12/site-packages", "/env/bin", [
 *   { name: "pip", content: "" },
 * ]);
 * console.assert(lines[0] === "../../../bin/pip,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0");
 * ```
 */
export async function recordLinesForScripts(
  sitePackages: string,
  binDir: string,
  scripts: readonly ScriptFile[],
): Promise<string[]> {
  return await Promise.all(scripts.map(async (s) => {
    const bytes = typeof s.content === "string" ? new TextEncoder().encode(s.content) : s.content;
    const path = recordPath(sitePackages, posix.join(binDir, s.name));
    return `${csvField(path)},${await recordHash(bytes)},${bytes.length}`;
  }));
}
