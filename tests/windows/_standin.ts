/**
 * Stand-in CPython installs for the Windows suite, and their PEP 514 registrations.
 *
 * A stand-in install is laid out like python.org's Windows installer lays one out (python.exe, pythonw.exe,
 * python3.dll and pythonXY.dll, DLLs\, Lib\ with os.py and the venv launchers, Lib\site-packages, Include\, tcl\,
 * Scripts\), but its programs are the small mingw builds of `tests/fixtures/windows/`: `python.exe` answers mkvenv's
 * interrogation with the CPython 3.12 fixture (`tests/fixtures/windows/cpython3.12_windows.json`) moved to where the
 * install lives, and the venv launcher starts the `python.exe` that `pyvenv.cfg`'s `home` names. The DLLs are a few
 * bytes of text: nothing loads them. Other versions (3.13, a 32-bit 3.11, 3.10) are the 3.12 answer with the version
 * fields changed, as marked.
 *
 * @module
 */
import type { PythonInfo } from "../../lib/discovery/py_info.ts";
import { win32 } from "../../lib/path.ts";
import { isFile, run, standinBuild } from "./_setup.ts";

/** The CPython 3.12 fixture the stand-ins answer with (see the file's provenance in `tests/fixtures/windows/`). */
export const CPYTHON_312: PythonInfo = JSON.parse(
  Deno.readTextFileSync(new URL("../fixtures/windows/cpython3.12_windows.json", import.meta.url)),
);

/** The pip wheel the main stand-in bundles for `ensurepip` (this machine's copy, seen from Wine as `Z:\...`). */
export const PIP_WHEEL: string = Deno.env.get("MKVENV_WINDOWS_PIP_WHEEL") ??
  "Z:\\opt\\pypi\\files\\pip-26.2.1-py3-none-any.whl";

/** What differs between a stand-in install and the 3.12 fixture. */
export interface Variant {
  /** `major.minor.micro`. */
  readonly version: readonly [number, number, number];
  /** Pointer size. @default {64} */
  readonly bits?: 32 | 64;
  /** Bundle {@linkcode PIP_WHEEL} in `Lib\ensurepip\_bundled`. @default {false} */
  readonly bundlePip?: boolean;
  /** Give it a `python.exe` that is no Python at all (a venv launcher stand-in without pyvenv.cfg: exit 106). */
  readonly broken?: boolean;
  /** Leave out `Lib\venv\scripts\nt` (as embeddable builds do), and add pywin32's DLL beside python.exe. */
  readonly noLauncher?: boolean;
}

/** A stand-in install on disk. */
export interface StandinInstall {
  /** Its folder. */
  readonly dir: string;
  /** `<dir>\python.exe`. */
  readonly python: string;
  /** `<dir>\pythonw.exe`. */
  readonly pythonw: string;
  /** What `python.exe` answers (the interrogation's result), outside a virtual environment. */
  readonly info: PythonInfo;
  /** The venv launchers mkvenv copies into `Scripts\` (console, windowed); missing with `noLauncher`. */
  readonly launchers: readonly [string, string];
}

/** The fixture's answer for `variant`, moved to `dir`. */
export function infoFor(dir: string, variant: Variant): PythonInfo {
  const [major, minor, micro] = variant.version;
  const bits = variant.bits ?? 64;
  const from = CPYTHON_312.basePrefix;
  const move = (value: unknown): unknown => {
    if (typeof value === "string") {
      return value.toLowerCase().startsWith(from.toLowerCase()) ? dir + value.slice(from.length) : value;
    }
    if (Array.isArray(value)) return value.map(move);
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, move(v)]));
    }
    return value;
  };
  const moved = move(CPYTHON_312) as PythonInfo;
  const tag = bits === 64 ? "64 bit (AMD64)" : "32 bit (Intel)";
  return {
    ...moved,
    versionInfo: { ...moved.versionInfo, major, minor, micro },
    version: `${major}.${minor}.${micro} (tags/v${major}.${minor}.${micro}, Oct  1 2024, 03:06:41) [MSC v.1941 ${tag}]`,
    bits,
    machine: bits === 64 ? "x86_64" : "x86",
    ensurepipWheels: variant.bundlePip
      ? [win32.join(dir, "Lib", "ensurepip", "_bundled", win32.basename(PIP_WHEEL))]
      : [],
    sysPath: moved.sysPath.map((p) => p.replace(/python312\.zip$/, `python${major}${minor}.zip`)),
  };
}

/**
 * The answer file the stand-in `python.exe` reads: `info` with the install folder, sys.prefix, sys.executable and
 * the in-venv flag as tokens it fills in at run time (so a venv launcher's run reports the environment).
 */
function answerTemplate(info: PythonInfo): string {
  const dir = info.basePrefix;
  const tokenize = (value: unknown): unknown => {
    if (typeof value === "string") {
      return value.toLowerCase().startsWith(dir.toLowerCase()) ? "@PREFIX@" + value.slice(dir.length) : value;
    }
    if (Array.isArray(value)) return value.map(tokenize);
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, tokenize(v)]));
    }
    return value;
  };
  const answer = tokenize(info) as Record<string, unknown>;
  answer.prefix = "@SYSPREFIX@";
  answer.execPrefix = "@SYSPREFIX@";
  answer.executable = "@EXECUTABLE@";
  answer.inVenv = "@INVENV@";
  // Pure ASCII like py_info.py's output; the stand-in escapes what it fills in the same way.
  return JSON.stringify(answer).replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

const STUB = new TextEncoder().encode("stand-in: a placeholder file of mkvenv's Windows suite, never loaded\r\n");

/** Builds a stand-in install of `variant` in `dir` (created; any characters allowed). */
export async function makeInstall(dir: string, variant: Variant): Promise<StandinInstall> {
  const build = standinBuild();
  if (!build) throw new Error("stand-in executables are not built (MKVENV_WINDOWS_STANDINS)");
  const [major, minor] = variant.version;
  const info = infoFor(dir, variant);
  const modern = minor >= 13;
  const nt = win32.join(dir, "Lib", "venv", "scripts", "nt");
  const launchers: [string, string] = modern
    ? [win32.join(nt, "venvlauncher.exe"), win32.join(nt, "venvwlauncher.exe")]
    : [win32.join(nt, "python.exe"), win32.join(nt, "pythonw.exe")];
  for (const sub of ["DLLs", "Lib\\site-packages", "Include", "Scripts", "tcl\\tcl8.6", "tcl\\tk8.6"]) {
    await Deno.mkdir(win32.join(dir, sub), { recursive: true });
  }
  const copies: [string, string][] = [
    [variant.broken ? "venvlauncher.exe" : "python.exe", "python.exe"],
    [variant.broken ? "venvwlauncher.exe" : "pythonw.exe", "pythonw.exe"],
  ];
  if (!variant.noLauncher) {
    await Deno.mkdir(nt, { recursive: true });
    copies.push(["venvlauncher.exe", launchers[0]], ["venvwlauncher.exe", launchers[1]]);
  }
  for (const [from, to] of copies) await Deno.copyFile(win32.join(build, from), win32.resolve(dir, to));
  const stubs = [
    "python3.dll",
    `python${major}${minor}.dll`,
    "vcruntime140.dll",
    "vcruntime140_1.dll",
    "DLLs\\_ssl.pyd",
    "DLLs\\libssl-3.dll",
    "DLLs\\pyexpat.pyd",
    "Lib\\os.py",
    "Lib\\site.py",
    "Include\\Python.h",
    "tcl\\tcl8.6\\init.tcl",
    "tcl\\tk8.6\\tk.tcl",
    `python${major}${minor}.zip`,
    ...variant.noLauncher ? [`pywintypes${major}${minor}.dll`] : [],
  ];
  for (const stub of stubs) await Deno.writeFile(win32.join(dir, stub), STUB);
  if (variant.bundlePip) {
    const bundled = win32.join(dir, "Lib", "ensurepip", "_bundled");
    await Deno.mkdir(bundled, { recursive: true });
    await Deno.copyFile(PIP_WHEEL, win32.join(bundled, win32.basename(PIP_WHEEL)));
  }
  await Deno.writeTextFile(win32.join(dir, "mkvenv_standin.json"), answerTemplate(info) + "\r\n");
  return {
    dir,
    python: win32.join(dir, "python.exe"),
    pythonw: win32.join(dir, "pythonw.exe"),
    info,
    launchers,
  };
}

/** Whether the pip wheel the seeding tests need is reachable. */
export function pipWheelSkipReason(): string | undefined {
  return isFile(PIP_WHEEL) ? undefined : `no pip wheel at ${PIP_WHEEL} (set MKVENV_WINDOWS_PIP_WHEEL)`;
}

/** A registry value as a `.reg` file writes it. */
export type RegValue = string | { dword: number } | { expand: string } | { binary: readonly number[] };

/** Keys to import: full key path (`HKEY_CURRENT_USER\Software\...`) → values (`""` is the default value). */
export type RegKeys = Readonly<Record<string, Readonly<Record<string, RegValue>>>>;

function regString(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

function regHex(bytes: readonly number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, "0")).join(",");
}

/** The text of a `.reg` file (regedit's version 5 format) that creates `keys`. */
export function regFile(keys: RegKeys): string {
  const lines = ["Windows Registry Editor Version 5.00", ""];
  for (const [key, values] of Object.entries(keys)) {
    lines.push(`[${key}]`);
    for (const [name, value] of Object.entries(values)) {
      const left = name === "" ? "@" : regString(name);
      let right: string;
      if (typeof value === "string") right = regString(value);
      else if ("dword" in value) right = `dword:${value.dword.toString(16).padStart(8, "0")}`;
      else if ("expand" in value) {
        const utf16 = [...value.expand].flatMap((c) => {
          const code = c.charCodeAt(0);
          return [code & 0xff, code >> 8];
        });
        right = `hex(2):${regHex([...utf16, 0, 0])}`;
      } else right = `hex:${regHex(value.binary)}`;
      lines.push(`${left}=${right}`);
    }
    lines.push("");
  }
  return lines.join("\r\n") + "\r\n";
}

/** The Python keys the suite owns: `Software\Python` in HKCU and both HKLM views. */
const PYTHON_ROOTS = [
  "HKCU\\Software\\Python",
  "HKLM\\Software\\Python",
  "HKLM\\Software\\WOW6432Node\\Python",
];

/** Removes every PEP 514 registration (Wine only: the suite owns its Wine prefix's registry). */
export async function clearRegistry(): Promise<void> {
  for (const key of PYTHON_ROOTS) {
    await run("reg", ["delete", key, "/f"]); // fails harmlessly when absent
  }
}

/** Imports `keys` with `reg import` (one process for all of them), after removing earlier registrations. */
export async function importRegistry(keys: RegKeys, scratch: string): Promise<void> {
  await clearRegistry();
  const file = win32.join(scratch, "pep514.reg");
  // UTF-16LE with a byte-order mark: how regedit writes version 5 files, and what carries non-ASCII names.
  const text = regFile(keys);
  const bytes = new Uint8Array(2 + text.length * 2);
  bytes[0] = 0xff;
  bytes[1] = 0xfe;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    bytes[2 + 2 * i] = code & 0xff;
    bytes[3 + 2 * i] = code >> 8;
  }
  await Deno.writeFile(file, bytes);
  const r = await run("reg", ["import", file]);
  if (r.code !== 0) throw new Error(`reg import ${file} failed (${r.code}): ${r.stderr}${r.stdout}`);
}

/** Reads one value back with `reg query` (to check an import), or undefined when missing. */
export async function queryRegistry(key: string, name: string): Promise<string | undefined> {
  const r = await run("reg", ["query", key, ...(name === "" ? ["/ve"] : ["/v", name])]);
  if (r.code !== 0) return undefined;
  const line = r.stdout.split(/\r?\n/).find((l) => /\sREG_\w+\s/.test(l));
  return line?.replace(/^\s*\S*\s+REG_\w+\s+/, "").trimEnd();
}
