import assert from "node:assert/strict";
import { MkvenvError } from "../../lib/errors.ts";
import { platformFor } from "../../lib/platform.ts";
import type { PythonInfo, VersionInfo } from "../../lib/discovery/py_info.ts";
import { formatSpecifierSet } from "../../lib/discovery/pep440.ts";
import {
  exactNames,
  matchExecutableName,
  normalizeMachine,
  parseSpec,
  type PythonSpec,
  satisfies,
  versionFromName,
} from "../../lib/discovery/spec.ts";

const linux = platformFor("linux");
const windows = platformFor("windows");

/** The fields of a spec that a test cares about, with the specifier set as text. */
function summary(spec: PythonSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(spec)) {
    if (key === "raw" || value === undefined) continue;
    out[key] = key === "specifiers" ? formatSpecifierSet(spec.specifiers!) : value;
  }
  return out;
}

function assertSpec(text: string, expected: Record<string, unknown>, platform = linux): void {
  const spec = parseSpec(text, platform);
  assert.equal(spec.raw, text);
  assert.deepEqual(summary(spec), expected, text);
}

Deno.test("parseSpec() parses versions", () => {
  assertSpec("3", { major: 3, freeThreaded: false });
  assertSpec("3.12", { major: 3, minor: 12, freeThreaded: false });
  assertSpec("3.12.1", { major: 3, minor: 12, micro: 1, freeThreaded: false });
  assertSpec("312", { major: 3, minor: 12, freeThreaded: false });
  assertSpec("37", { major: 3, minor: 7, freeThreaded: false });
  assertSpec("3100", { major: 3, minor: 100, freeThreaded: false });
  assertSpec(" 3.12 ", { major: 3, minor: 12, freeThreaded: false });
});

Deno.test("parseSpec() parses implementations, case-insensitively", () => {
  assertSpec("python", { name: "python" });
  assertSpec("py", {});
  assertSpec("cpython", { implementation: "cpython" });
  assertSpec("CPython3.12", { implementation: "cpython", major: 3, minor: 12, freeThreaded: false });
  assertSpec("cp312", { implementation: "cpython", major: 3, minor: 12, freeThreaded: false });
  assertSpec("pypy", { implementation: "pypy" });
  assertSpec("PyPy3.10", { implementation: "pypy", major: 3, minor: 10, freeThreaded: false });
  assertSpec("pp310", { implementation: "pypy", major: 3, minor: 10, freeThreaded: false });
  assertSpec("graalpy", { implementation: "graalpy" });
  assertSpec("gp", { implementation: "graalpy" });
  assertSpec("GraalVM", { implementation: "graalpy" });
  assertSpec("py37", { major: 3, minor: 7, freeThreaded: false });
});

Deno.test("parseSpec() keeps python and unknown words as literal executable names", () => {
  assertSpec("python3.12", { name: "python3.12", major: 3, minor: 12, freeThreaded: false });
  assertSpec("Python3", { name: "Python3", major: 3, freeThreaded: false });
  assertSpec("mypython", { name: "mypython", implementation: "mypython" });
  assertSpec("MyPython3", { name: "MyPython3", implementation: "mypython", major: 3, freeThreaded: false });
  assertSpec("python3.12-dbg", { name: "python3.12-dbg", major: 3, minor: 12, freeThreaded: false, debug: true });
  assertSpec("python3.13t", { name: "python3.13t", major: 3, minor: 13, freeThreaded: true });
  // Forms no file name has are not literal names.
  assertSpec("python3.12-64", { major: 3, minor: 12, freeThreaded: false, bits: 64 });
  assertSpec("python@3.12", { major: 3, minor: 12, freeThreaded: false });
  assertSpec("mypython-64", { implementation: "mypython", bits: 64 });
  assertSpec("pypy3.10", { implementation: "pypy", major: 3, minor: 10, freeThreaded: false });
});

Deno.test("parseSpec() parses uv's impl@version form", () => {
  assertSpec("cpython@3.12", { implementation: "cpython", major: 3, minor: 12, freeThreaded: false });
  assertSpec("PyPy@3.10", { implementation: "pypy", major: 3, minor: 10, freeThreaded: false });
  assertSpec("cpython@>=3.12", { implementation: "cpython", specifiers: ">=3.12" });
});

Deno.test("parseSpec() parses free-threaded, debug and uv variants", () => {
  assertSpec("3.13t", { major: 3, minor: 13, freeThreaded: true });
  assertSpec("3.12d", { major: 3, minor: 12, freeThreaded: false, debug: true });
  assertSpec("3.13td", { major: 3, minor: 13, freeThreaded: true, debug: true });
  assertSpec("3.12-debug", { major: 3, minor: 12, freeThreaded: false, debug: true });
  assertSpec("3.13T", { major: 3, minor: 13, freeThreaded: true });
  assertSpec("3.13+freethreaded", { major: 3, minor: 13, freeThreaded: true });
  assertSpec("3.12+debug", { major: 3, minor: 12, freeThreaded: false, debug: true });
  assertSpec("3.13+freethreaded+debug", { major: 3, minor: 13, freeThreaded: true, debug: true });
  assertSpec("3.14+gil", { major: 3, minor: 14, freeThreaded: false });
});

Deno.test("parseSpec() parses pointer size and machine", () => {
  assertSpec("cpython3.12-64", { implementation: "cpython", major: 3, minor: 12, freeThreaded: false, bits: 64 });
  assertSpec("3.11-32", { major: 3, minor: 11, freeThreaded: false, bits: 32 });
  assertSpec("3.11-64-x86_64", { major: 3, minor: 11, freeThreaded: false, bits: 64, machine: "x86_64" });
  assertSpec("3.11-arm64", { major: 3, minor: 11, freeThreaded: false, machine: "arm64" });
  assertSpec("pypy3-64-aarch64", { implementation: "pypy", major: 3, freeThreaded: false, bits: 64, machine: "arm64" });
  assertSpec("3.12d-64-AMD64", { major: 3, minor: 12, freeThreaded: false, debug: true, bits: 64, machine: "x86_64" });
});

Deno.test("parseSpec() turns a pre-release version into a specifier", () => {
  assertSpec("3.13rc1", { major: 3, minor: 13, freeThreaded: false, specifiers: "==3.13rc1" });
  assertSpec("3.13.0b2", { major: 3, minor: 13, micro: 0, freeThreaded: false, specifiers: "==3.13.0b2" });
});

Deno.test("parseSpec() parses PEP 440 specifier sets", () => {
  assertSpec(">=3.11", { specifiers: ">=3.11" });
  assertSpec("cpython~=3.12.0", { implementation: "cpython", specifiers: "~=3.12.0" });
  assertSpec("==3.10.*", { specifiers: "==3.10.*" });
  assertSpec(">=3.9,!=3.11.*", { specifiers: ">=3.9,!=3.11.*" });
  assertSpec("pypy>=3.9", { implementation: "pypy", specifiers: ">=3.9" });
  assertSpec("PyPy >= 3.9 , < 3.11", { implementation: "pypy", specifiers: ">=3.9,<3.11" });
  assertSpec("python<3.13", { specifiers: "<3.13" });
  assertSpec("mypython>=3", { implementation: "mypython", specifiers: ">=3" });
  assertSpec("===3.12.1", { specifiers: "===3.12.1" });
});

Deno.test("parseSpec() parses POSIX paths", () => {
  assertSpec("/usr/bin/python3", { path: "/usr/bin/python3" });
  assertSpec("./venv/bin/python", { path: "./venv/bin/python" });
  assertSpec("venv/bin/python", { path: "venv/bin/python" });
  assertSpec("../python3", { path: "../python3" });
  assertSpec("~/bin/python", { path: "~/bin/python" });
  assertSpec("bin/3.12", { path: "bin/3.12" });
});

Deno.test("parseSpec() parses Windows paths", () => {
  assertSpec("C:\\Python312\\python.exe", { path: "C:\\Python312\\python.exe" }, windows);
  assertSpec(".\\venv\\Scripts\\python.exe", { path: ".\\venv\\Scripts\\python.exe" }, windows);
  assertSpec("venv/Scripts/python.exe", { path: "venv/Scripts/python.exe" }, windows);
  assertSpec("\\\\server\\share\\python.exe", { path: "\\\\server\\share\\python.exe" }, windows);
  assertSpec("D:python.exe", { path: "D:python.exe" }, windows);
  // A backslash is no separator on POSIX.
  assert.throws(() => parseSpec("venv\\python", linux), MkvenvError);
});

Deno.test("parseSpec() ignores a .exe suffix on Windows only", () => {
  assertSpec("python3.12.exe", { name: "python3.12", major: 3, minor: 12, freeThreaded: false }, windows);
  assertSpec("mypython.EXE", { name: "mypython", implementation: "mypython" }, windows);
  assert.throws(() => parseSpec("python3.12.exe", linux), MkvenvError);
});

Deno.test("parseSpec() rejects anything else with a usage error naming the spec", () => {
  const bad = [
    "3.x",
    ">=abc",
    "3.12-128",
    "!!",
    "",
    "   ",
    "3.1.2.3",
    "~=3",
    ">=3.*",
    ">=3.11,",
    "@3.12",
    "cpython@",
    "python@3.not",
    "3.12+gil+freethreaded",
    "3.13t+gil",
    "3.12 3.13",
    "-64",
    "3.12-",
    "python 3.12",
  ];
  for (const text of bad) {
    assert.throws(
      () => parseSpec(text, linux),
      (e: unknown) => {
        assert.ok(e instanceof MkvenvError, text);
        assert.equal(e.exitCode, 2, text);
        assert.ok(e.message.includes(`"${text}"`), `${text}: ${e.message}`);
        assert.match(e.message, /expected a path, a version such as 3\.12 or cpython3\.12-64, or a specifier/);
        assert.match(e.hint ?? "", /Accepted forms/);
        return true;
      },
      text,
    );
  }
});

Deno.test("parseSpec() explains why a specifier is invalid", () => {
  assert.throws(() => parseSpec("~=3", linux), /Cannot parse Python spec "~=3": .*at least two release numbers/);
  assert.throws(() => parseSpec(">=3.*", linux), /wildcard/);
  assert.equal(
    (() => {
      try {
        parseSpec("3.x", linux);
      } catch (e) {
        return (e as Error).message;
      }
    })(),
    'Cannot parse Python spec "3.x": expected a path, a version such as 3.12 or cpython3.12-64, or a specifier such ' +
      "as >=3.11",
  );
});

Deno.test("normalizeMachine() normalises like virtualenv's normalize_isa", () => {
  const cases: [string, string][] = [
    ["amd64", "x86_64"],
    ["AMD64", "x86_64"],
    ["aarch64", "arm64"],
    ["i386", "x86"],
    ["i486", "x86"],
    ["i586", "x86"],
    ["i686", "x86"],
    ["powerpc", "ppc"],
    ["powerpc64", "ppc64"],
    ["powerpc64le", "ppc64le"],
    ["sparcv9", "sparc64"],
    ["RISCV64", "riscv64"],
    ["x86_64", "x86_64"],
  ];
  for (const [input, out] of cases) assert.equal(normalizeMachine(input), out, input);
  assert.equal(parseSpec("3.12-i686", linux).machine, "x86");
  assert.equal(parseSpec("3.12-PowerPC64LE", linux).machine, "ppc64le");
});

function versionInfo(text: string): VersionInfo {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:(a|b|rc)(\d+))?$/.exec(text);
  if (!m) throw new Error(`bad fixture version ${text}`);
  const level = { a: "alpha", b: "beta", rc: "candidate" }[m[4] as "a" | "b" | "rc"] ?? "final";
  return {
    major: Number(m[1]),
    minor: Number(m[2]),
    micro: Number(m[3]),
    releaselevel: level,
    serial: Number(m[5] ?? 0),
  };
}

/** A complete PythonInfo for a CPython 3.12.1 64-bit x86_64 Linux build, with overrides. */
function info(overrides: Partial<Omit<PythonInfo, "versionInfo">> & { version?: string } = {}): PythonInfo {
  const { version = "3.12.1", ...rest } = overrides;
  const v = versionInfo(version);
  return {
    implementation: "CPython",
    versionInfo: v,
    version: `${version} (main, Jan 1 2024, 00:00:00) [GCC 12.2.0]`,
    bits: 64,
    machine: "x86_64",
    platform: "linux",
    osName: "posix",
    freeThreaded: false,
    debug: false,
    executable: `/usr/bin/python${v.major}.${v.minor}`,
    systemExecutable: `/usr/bin/python${v.major}.${v.minor}`,
    prefix: "/usr",
    basePrefix: "/usr",
    execPrefix: "/usr",
    baseExecPrefix: "/usr",
    inVenv: false,
    hasVenv: true,
    venvPaths: {
      purelib: `lib/python${v.major}.${v.minor}/site-packages`,
      platlib: `lib/python${v.major}.${v.minor}/site-packages`,
      scripts: "bin",
      include: `include/python${v.major}.${v.minor}`,
      data: "",
    },
    stdlib: `/usr/lib/python${v.major}.${v.minor}`,
    platstdlib: `/usr/lib/python${v.major}.${v.minor}`,
    configVars: { Py_ENABLE_SHARED: 1, LDLIBRARY: `libpython${v.major}.${v.minor}.so`, LIBDIR: "/usr/lib" },
    ensurepipWheels: [],
    fileSystemEncoding: "utf-8",
    sysPath: [],
    ...rest,
  };
}

function sat(spec: string, i: PythonInfo, implMustMatch = true, platform = linux): boolean {
  return satisfies(i, parseSpec(spec, platform), { implMustMatch });
}

Deno.test("satisfies() matches versions part by part", () => {
  const cases: [string, boolean][] = [
    ["3", true],
    ["3.12", true],
    ["312", true],
    ["3.12.1", true],
    ["3.12.0", false],
    ["3.11", false],
    ["2", false],
    ["python", true],
    ["python3.12", true],
    ["python3.11", false],
  ];
  for (const [spec, expected] of cases) assert.equal(sat(spec, info()), expected, spec);
});

Deno.test("satisfies() checks the implementation only when it must match", () => {
  const pypy = info({ implementation: "PyPy", version: "3.10.14" });
  assert.equal(sat("cpython", info()), true);
  assert.equal(sat("CPython3.12", info()), true);
  assert.equal(sat("pypy", info()), false);
  assert.equal(sat("pypy", info(), false), true);
  assert.equal(sat("pypy3.10", pypy), true);
  assert.equal(sat("pp310", pypy), true);
  assert.equal(sat("cpython3.10", pypy), false);
  assert.equal(sat("3.10", pypy), true);
  assert.equal(sat("graalpy", info({ implementation: "GraalPy" })), true);
  assert.equal(sat("mypython", info()), false);
  assert.equal(sat("mypython", info(), false), true);
});

Deno.test("satisfies() checks pointer size and machine", () => {
  const arm = info({ machine: "arm64" });
  const x86 = info({ machine: "x86", bits: 32 });
  assert.equal(sat("3.12-64", info()), true);
  assert.equal(sat("3.12-32", info()), false);
  assert.equal(sat("3.12-64-amd64", info()), true);
  assert.equal(sat("3.12-arm64", info()), false);
  assert.equal(sat("3.12-aarch64", arm), true);
  assert.equal(sat("3.12-32-i686", x86), true);
  assert.equal(sat("3.12-64", x86), false);
  assert.equal(sat("3.12-x86_64", info({ machine: "AMD64" })), true);
});

Deno.test("satisfies() treats free-threading exactly when a version is given", () => {
  const ft = info({ version: "3.13.1", freeThreaded: true });
  const gil = info({ version: "3.13.1" });
  assert.equal(sat("3.13", ft), false);
  assert.equal(sat("3.13t", ft), true);
  assert.equal(sat("3.13t", gil), false);
  assert.equal(sat("3.13", gil), true);
  assert.equal(sat("3", ft), false);
  assert.equal(sat("3.13+freethreaded", ft), true);
  assert.equal(sat("3.13+gil", ft), false);
  // Without a version free-threading is unconstrained.
  assert.equal(sat("python", ft), true);
  assert.equal(sat(">=3.13", ft), true);
});

Deno.test("satisfies() requires a debug build only when asked", () => {
  const dbg = info({ debug: true });
  assert.equal(sat("3.12d", dbg), true);
  assert.equal(sat("3.12d", info()), false);
  assert.equal(sat("python3.12-dbg", dbg), true);
  assert.equal(sat("3.12", dbg), true);
});

Deno.test("satisfies() evaluates specifiers at each clause's precision", () => {
  const rc = info({ version: "3.12.0rc1" });
  const cases: [string, PythonInfo, boolean][] = [
    [">=3.12", rc, true],
    [">=3.12.0", rc, false],
    [">=3.12.0rc1", rc, true],
    [">=3.12rc2", rc, false],
    ["<3.12", info({ version: "3.12.1" }), false],
    ["<3.12", info({ version: "3.11.9" }), true],
    ["<3.12", rc, false],
    ["==3.10.*", info({ version: "3.10.13" }), true],
    ["==3.10.*", info({ version: "3.1.0" }), false],
    ["~=3.9.0", info({ version: "3.9.18" }), true],
    ["~=3.9.0", info({ version: "3.10.0" }), false],
    [">=3.9,!=3.11.*", info({ version: "3.11.2" }), false],
    [">=3.9,!=3.11.*", info({ version: "3.12.1" }), true],
    [">=3.9,!=3.11.*", info({ version: "3.8.18" }), false],
    ["cpython>=3.10,<3.12", info({ version: "3.11.2" }), true],
    ["pypy>=3.9", info({ version: "3.11.2" }), false],
    ["===3.12.1", info(), true],
    ["3.13rc1", info({ version: "3.13.0rc1" }), true],
    ["3.13rc1", info({ version: "3.13.0rc2" }), false],
    ["3.13rc1", info({ version: "3.13.1" }), false],
  ];
  for (const [spec, i, expected] of cases) {
    assert.equal(
      sat(spec, i),
      expected,
      `${spec} vs ${i.versionInfo.major}.${i.versionInfo.minor}.${i.versionInfo.micro}`,
    );
  }
});

Deno.test("satisfies() accepts any interpreter for a path spec", () => {
  assert.equal(sat("/opt/python2.7/bin/python", info({ version: "2.7.18", implementation: "PyPy" })), true);
  assert.equal(sat("C:\\Python312\\python.exe", info(), true, windows), true);
});

Deno.test("exactNames() lists the most specific names first", () => {
  const cases: [string, string[]][] = [
    ["3.12", ["python3.12"]],
    ["cpython3.12", ["python3.12"]],
    ["cpython@3.12", ["python3.12"]],
    ["pypy3.10", ["pypy3.10"]],
    ["graalpy3.11", ["graalpy3.11"]],
    ["3.13t", ["python3.13t"]],
    ["3.12d", ["python3.12d"]],
    ["3.12.1", ["python3.12.1"]],
    ["3", ["python3"]],
    ["python", ["python3", "python"]],
    ["py", ["python3", "python"]],
    ["cpython", ["python3", "python"]],
    ["pypy", ["pypy3", "pypy"]],
    ["mypython", ["mypython"]],
    ["mypython3.1", ["mypython3.1"]],
    ["python3.12-dbg", ["python3.12-dbg", "python3.12d"]],
    ["3.11-64-x86_64", ["python3.11"]],
    [">=3.11", []],
    ["pypy>=3.9", []],
    ["3.13rc1", ["python3.13"]],
    ["/usr/bin/python3", []],
  ];
  for (const [spec, names] of cases) assert.deepEqual(exactNames(parseSpec(spec, linux), linux), names, spec);
});

Deno.test("exactNames() appends .exe on Windows", () => {
  assert.deepEqual(exactNames(parseSpec("3.12", windows), windows), ["python3.12.exe"]);
  assert.deepEqual(exactNames(parseSpec("python", windows), windows), ["python3.exe", "python.exe"]);
  assert.deepEqual(exactNames(parseSpec("mypython.exe", windows), windows), ["mypython.exe"]);
});

/** [spec, file name, expected: undefined for rejected, else implMustMatch] */
const NAMES: [string, string, boolean | undefined][] = [
  ["3.12", "python3.12", false],
  ["3.12", "python3", false],
  ["3.12", "python", false],
  ["3.12", "Python3.12", false],
  ["3.12", "python3.11", undefined],
  ["3.12", "python2", undefined],
  ["3.12", "python3.12-config", undefined],
  ["3.12", "idle3.12", undefined],
  ["3.12", "pydoc3.12", undefined],
  ["3.12", "python3.12.exe", undefined],
  ["3.12", "pythonw", undefined],
  ["3.12", "python3.12.1", false],
  ["3.12", "pypy3.12", undefined],
  ["3.12", "python3.12t", undefined],
  ["3.12", "python3.12d", undefined],
  ["3.12", "python3.12-dbg", undefined],
  ["3.12.1", "python3.12.2", undefined],
  ["3.12.1", "python3.12", false],
  ["3.6", "python3.6m", false],
  ["3.7d", "python3.7dm", false],
  ["3.12", "python3m", false],
  ["3.12", "pythonm", undefined],
  ["3.12", "pythont", undefined],
  // Free-threading.
  ["3.13", "python3.13t", undefined],
  ["3.13t", "python3.13t", false],
  ["3.13t", "python3.13", undefined],
  ["3.13t", "python3", false],
  ["3.13t", "python", false],
  ["python", "python3.13t", false],
  [">=3.13", "python3.13t", false],
  // Debug.
  ["3.12d", "python3.12d", false],
  ["3.12d", "python3.12-dbg", false],
  ["3.12d", "python3.12-debug", false],
  ["3.12d", "python3.12", false],
  ["3.12d", "python3.11d", undefined],
  // Implementations.
  ["pypy", "pypy3.10", true],
  ["pypy", "python3", true],
  ["pypy", "PyPy3", true],
  ["pypy3.10", "pypy3.9", undefined],
  ["pypy3.10", "pypy3.10", true],
  ["cpython3.12", "python3.12", true],
  ["cpython3.12", "pypy3.12", undefined],
  ["graalpy", "graalpy", true],
  ["graalpy", "graalpy-config", undefined],
  ["python", "python3.9", false],
  ["python", "pypy3", undefined],
  // Literal names.
  ["mypython", "mypython", false],
  ["mypython", "mypython3", true],
  ["mypython", "python3", true],
  ["mypython", "MyPython", true],
  ["python3.12-dbg", "python3.12-dbg", false],
  ["python3.12-dbg", "python3.12", false],
  // Specifiers are evaluated at the name's precision, only when the name decides them.
  [">=3.11", "python3.13", false],
  [">=3.11", "python3.9", undefined],
  [">=3.11", "python3", false],
  [">=3.11", "python", false],
  [">=3.11", "python2", undefined],
  [">=3.11", "python4", false],
  ["<3.12", "python4", undefined],
  [">=3.11.2", "python3.9", undefined],
  [">=3.11.2", "python3.11", false],
  ["==3.12.1", "python3.11", undefined],
  ["==3.12.1", "python3.12.1", false],
  ["==3.12.1", "python3.12.2", undefined],
  [">=1!1.0", "python3", undefined],
  [">=3", "python2", undefined],
  [">=3.11", "python3.11.0", false],
  ["<3.12.1", "python3.12", false],
  ["<3.12", "python3.12", undefined],
  ["==3.10.*", "python3.10", false],
  ["==3.10.*", "python3.11", undefined],
  ["!=3.11.*", "python3.11", undefined],
  ["~=3.9.0", "python3.9", false],
  ["~=3.9.0", "python3.10", undefined],
  ["~=3.9.0", "python3.9.5", false],
  ["~=3.9.0", "python4", undefined],
  ["~=3.9", "python3", false],
  ["~=3.9", "python3.12", false],
  ["~=3.9", "python3.8", undefined],
  [">=3.13rc1", "python3.12", undefined],
  [">=3.13rc1", "python3.13", false],
  ["<3.13rc1", "python3.13", false],
  ["<3.13rc1", "python3.14", undefined],
  ["===3.12.1", "python3.9", false],
  ["pypy>=3.9", "pypy3.8", undefined],
  ["pypy>=3.9", "pypy3.10", true],
  // Each implementation's name pattern is made once and kept: one made for pypy must not serve CPython, nor the reverse.
  ["3.10", "pypy3.10", undefined],
  ["pypy3.10", "python3.10", true],
  ["pypy3.10", "pypy3.10", true],
  // Path specs never scan PATH.
  ["/usr/bin/python3", "python3", undefined],
];

Deno.test("matchExecutableName() pre-filters PATH entries", () => {
  for (const [spec, file, expected] of NAMES) {
    const got = matchExecutableName(parseSpec(spec, linux), file, linux);
    assert.deepEqual(got, expected === undefined ? undefined : { implMustMatch: expected }, `${spec} / ${file}`);
  }
});

Deno.test("matchExecutableName() accepts .exe names on Windows only", () => {
  const spec312 = parseSpec("3.12", windows);
  assert.deepEqual(matchExecutableName(spec312, "python.exe", windows), { implMustMatch: false });
  assert.deepEqual(matchExecutableName(spec312, "python3.12.exe", windows), { implMustMatch: false });
  assert.deepEqual(matchExecutableName(spec312, "PYTHON.EXE", windows), { implMustMatch: false });
  assert.deepEqual(matchExecutableName(spec312, "python3.11.exe", windows), undefined);
  assert.deepEqual(matchExecutableName(spec312, "pythonw.exe", windows), undefined);
  assert.deepEqual(matchExecutableName(parseSpec("3.12d", windows), "python_d.exe", windows), { implMustMatch: false });
  assert.deepEqual(matchExecutableName(parseSpec("mypython", windows), "MyPython.exe", windows), {
    implMustMatch: false,
  });
  assert.deepEqual(matchExecutableName(parseSpec("3.12", linux), "python.exe", linux), undefined);
});

Deno.test("versionFromName() reads the version of a matched name", () => {
  const cases: [string, number[] | undefined][] = [
    ["python3.12", [3, 12]],
    ["python3", [3]],
    ["python3.12.1", [3, 12, 1]],
    ["pypy3.10.exe", [3, 10]],
    ["python3.13t", [3, 13]],
    ["python3.12-dbg", [3, 12]],
    ["python3.7m", [3, 7]],
    ["python3.7dm", [3, 7]],
    ["python", undefined],
    ["python.exe", undefined],
    ["python3.12-config", undefined],
  ];
  for (const [name, version] of cases) assert.deepEqual(versionFromName(name), version, name);
});
