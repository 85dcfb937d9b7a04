/**
 * What mkvenv knows about a Python interpreter: the answer of the embedded interrogation script
 * (`lib/discovery/py_info.py`), plus where the interpreter was found.
 *
 * @module
 */

/** `sys.version_info` of an interpreter. */
export interface VersionInfo {
  /** Major version, e.g. 3. */
  readonly major: number;
  /** Minor version, e.g. 12. */
  readonly minor: number;
  /** Micro version, e.g. 1. */
  readonly micro: number;
  /** `alpha`, `beta`, `candidate` or `final`. */
  readonly releaselevel: string;
  /** Pre-release serial, 0 for final releases. */
  readonly serial: number;
}

/**
 * Paths of the install scheme a virtual environment uses, relative to the environment's root, with `/` or `\` as
 * the interpreter's OS writes them (for example `lib/python3.12/site-packages` or `Lib\site-packages`).
 */
export interface VenvPaths {
  /** Pure-Python packages (`site-packages`). */
  readonly purelib: string;
  /** Platform-specific packages; often the same as purelib. */
  readonly platlib: string;
  /** Executables and scripts (`bin` or `Scripts`). */
  readonly scripts: string;
  /** C headers (`include` or `Include`). */
  readonly include: string;
  /** Data files root (usually the environment root, `""` or `.`). */
  readonly data: string;
}

/** Build configuration variables needed to lay out and copy an interpreter (from `sysconfig.get_config_vars`). */
export interface PythonConfigVars {
  /** `Py_ENABLE_SHARED`: 1 when the interpreter links a shared libpython. */
  readonly Py_ENABLE_SHARED?: number | null | undefined;
  /** `INSTSONAME`: the installed shared library's file name, e.g. `libpython3.12.so.1.0`. */
  readonly INSTSONAME?: string | null | undefined;
  /** `LDLIBRARY`: the library the interpreter links, e.g. `libpython3.12.so`. */
  readonly LDLIBRARY?: string | null | undefined;
  /** `LIBDIR`: where the shared library is installed. */
  readonly LIBDIR?: string | null | undefined;
  /** `PYTHONFRAMEWORK`: the macOS framework name, empty elsewhere. */
  readonly PYTHONFRAMEWORK?: string | null | undefined;
  /** `MULTIARCH`: Debian-style multiarch triplet, if any. */
  readonly MULTIARCH?: string | null | undefined;
}

/** What the interrogation script reports about one interpreter. Serialisable as JSON; the cache stores it. */
export interface PythonInfo {
  /** `platform.python_implementation()`: `CPython`, `PyPy` or `GraalPy`. */
  readonly implementation: string;
  /** `sys.version_info`. */
  readonly versionInfo: VersionInfo;
  /** `sys.version`, the full version banner. */
  readonly version: string;
  /** Pointer size in bits: 32 or 64. */
  readonly bits: number;
  /** Normalised machine: `x86_64`, `arm64`, `x86`, `ppc64le`, ... */
  readonly machine: string;
  /** `sys.platform`: `linux`, `darwin`, `win32`, ... */
  readonly platform: string;
  /** `os.name`: `posix` or `nt`. */
  readonly osName: string;
  /** Whether this is a free-threaded build (`Py_GIL_DISABLED`). */
  readonly freeThreaded: boolean;
  /** Whether this is a debug build (`Py_DEBUG`). */
  readonly debug: boolean;
  /** `sys.executable` as the interpreter reports it. */
  readonly executable: string;
  /**
   * The real interpreter a virtual environment must point at: the base install's executable when the interrogated
   * interpreter lives in a virtual environment, otherwise the executable with only executable-only symlinks
   * resolved (Debian's `/usr/bin/python3` is kept, a pyenv shim never appears here).
   */
  readonly systemExecutable: string;
  /** `sys.prefix`. */
  readonly prefix: string;
  /** `sys.base_prefix` (the install behind a virtual environment). */
  readonly basePrefix: string;
  /** `sys.exec_prefix`. */
  readonly execPrefix: string;
  /** `sys.base_exec_prefix`. */
  readonly baseExecPrefix: string;
  /** Whether the interrogated interpreter runs inside a virtual environment. */
  readonly inVenv: boolean;
  /** Whether the `venv` module is available (`python -m venv` works). */
  readonly hasVenv: boolean;
  /** The install scheme of a virtual environment, relative to its root. */
  readonly venvPaths: VenvPaths;
  /** The standard library directory of the base install (absolute). */
  readonly stdlib: string;
  /** The platform-specific standard library directory of the base install (absolute). */
  readonly platstdlib: string;
  /** Build configuration variables needed to copy the interpreter. */
  readonly configVars: PythonConfigVars;
  /** Absolute paths of the wheels bundled with `ensurepip` (empty when there is none). */
  readonly ensurepipWheels: readonly string[];
  /** `sys.getfilesystemencoding()`. */
  readonly fileSystemEncoding: string;
  /** `sys.path` at start-up (absolute), e.g. to find the `pythonXY.zip` of an embeddable Windows build. */
  readonly sysPath: readonly string[];
  /**
   * The Tcl script library the install ships inside itself, which activation points `TCL_LIBRARY` at (null when it
   * uses the system's Tcl, or has none; missing in caches written before mkvenv looked).
   */
  readonly tclLibrary?: string | null | undefined;
  /** The Tk script library shipped beside {@linkcode PythonInfo.tclLibrary}, for `TK_LIBRARY`. */
  readonly tkLibrary?: string | null | undefined;
}

/**
 * Where a candidate interpreter was found: one of mkvenv's sources, or a registered discovery source's name.
 * `registry` is a PEP 514 registration in the Windows registry, `ms-store` a Microsoft Store package.
 */
export type PythonSource =
  | "try-first-with"
  | "path-spec"
  | "PATH"
  | "pyenv"
  | "mise"
  | "asdf"
  | "uv"
  | "registry"
  | "ms-store"
  | (string & Record<never, never>);

/** An interpreter found by discovery: where it was found and what it reported. */
export interface FoundPython {
  /** The executable that was interrogated (absolute; shims already resolved). */
  readonly path: string;
  /** Which source proposed it. */
  readonly source: PythonSource;
  /** What it reported. */
  readonly info: PythonInfo;
}

/** Maps `releaselevel` to the PEP 440 pre-release letter. */
const RELEASE_LETTER: Readonly<Record<string, string>> = { alpha: "a", beta: "b", candidate: "rc" };

/** The PEP 440 version string of an interpreter, e.g. `3.12.1` or `3.13.0rc2`. */
export function pep440Version(v: VersionInfo): string {
  const letter = RELEASE_LETTER[v.releaselevel];
  return `${v.major}.${v.minor}.${v.micro}${letter ? `${letter}${v.serial}` : ""}`;
}

/**
 * The spec string virtualenv prints for an interpreter:
 * `{implementation}{major.minor.micro.releaselevel.serial}{t}{d}-{bits}-{machine}`, e.g.
 * `CPython3.12.1.final.0-64-x86_64`.
 */
export function specString(info: PythonInfo): string {
  const v = info.versionInfo;
  return `${info.implementation}${v.major}.${v.minor}.${v.micro}.${v.releaselevel}.${v.serial}` +
    `${info.freeThreaded ? "t" : ""}${info.debug ? "d" : ""}-${info.bits}-${info.machine}`;
}
