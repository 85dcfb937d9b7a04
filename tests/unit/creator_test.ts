/**
 * Plan tests (no I/O) for every creator on every OS, from interpreter info recorded here (Linux) or written from the
 * installers' documented layouts (Windows, macOS, GraalPy; see tests/fixtures/hosts.ts).
 */
import assert from "node:assert/strict";
import { cpython3Posix, interpreterNames } from "../../lib/creator/cpython_posix.ts";
import { BREW_COPY_ERROR, cpython3MacBrew, cpython3MacFramework } from "../../lib/creator/cpython_mac.ts";
import { cpython3Win, isStorePython } from "../../lib/creator/cpython_win.ts";
import type { Creator, CreatorInput, HostView } from "../../lib/creator/creator.ts";
import { graalpyPosix, graalpyWin } from "../../lib/creator/graalpy.ts";
import { pypy3Posix, pypy3Win } from "../../lib/creator/pypy.ts";
import { parsePyvenvCfg, renderPyvenvCfg } from "../../lib/creator/pyvenv_cfg.ts";
import { CREATORS, selectCreator } from "../../lib/creator/registry.ts";
import { venvArgv, venvCreator } from "../../lib/creator/venv.ts";
import type { PythonInfo } from "../../lib/discovery/py_info.ts";
import { MkvenvError } from "../../lib/errors.ts";
import { isInside } from "../../lib/plan/apply.ts";
import type { PlanOp } from "../../lib/plan/ops.ts";
import { renderPlan } from "../../lib/plan/render.ts";
import { type Platform, platformFor } from "../../lib/platform.ts";
import { posix, win32 } from "../../lib/path.ts";
import { MKVENV_VERSION } from "../../lib/version.ts";
import {
  DEBIAN_311,
  DEBIAN_PYPY39,
  found,
  LINUX_GRAALPY310_JVM,
  LINUX_GRAALPY311,
  linuxHost,
  MAC_BREW_312,
  MAC_PYTHON_ORG_312,
  MAC_XCODE_39,
  memoryHost,
  PYENV_312,
  PYENV_38,
  recordedFixtures,
  WIN_310_EMBED,
  WIN_312,
  WIN_313,
  WIN_313T,
  WIN_GRAALPY311,
  WIN_PYPY310,
  WIN_STORE_312,
  WINDOWS_FILES,
} from "../fixtures/hosts.ts";

const linux = platformFor("linux");
const darwin = platformFor("darwin");
const windows = platformFor("windows");

function input(info: PythonInfo, platform: Platform, host: HostView, overrides: Partial<CreatorInput> = {}) {
  return {
    dest: platform.isWindows ? "C:\\work\\env" : "/work/env",
    python: found(info),
    systemExecutableRealPath: info.systemExecutable,
    platform,
    symlinks: !platform.isWindows,
    systemSitePackages: false,
    prompt: undefined,
    host,
    ...overrides,
  } satisfies CreatorInput;
}

function planOf(creator: Creator, i: CreatorInput): PlanOp[] {
  const ops = creator.plan(i, creator.layout(i));
  for (const op of ops) assert.ok(isInside(i.dest, op.path, i.platform.path), `${op.path} outside ${i.dest}`);
  return ops;
}

function rendered(creator: Creator, i: CreatorInput): string[] {
  return renderPlan({ root: i.dest, ops: planOf(creator, i) }).split("\n");
}

function cfgOf(ops: PlanOp[]): Map<string, string> {
  const write = ops.find((o) => o.op === "write" && o.path.endsWith("pyvenv.cfg"));
  assert.ok(write?.op === "write" && typeof write.content === "string");
  return parsePyvenvCfg(write.content);
}

// --- Linux, recorded interpreters ------------------------------------------------------------------------------

Deno.test("cpython3-posix links python to the base and the aliases to python (pyenv 3.12)", () => {
  assert.deepEqual(rendered(cpython3Posix, input(PYENV_312, linux, linuxHost(PYENV_312))), [
    "mkdir   /work/env",
    "mkdir   /work/env/bin",
    "mkdir   /work/env/lib/python3.12/site-packages",
    "mkdir   /work/env/include",
    "write   /work/env/pyvenv.cfg (396 bytes)",
    "symlink /work/env/bin/python -> /root/.pyenv/versions/3.12.1/bin/python3.12",
    "symlink /work/env/bin/python3 -> python",
    "symlink /work/env/bin/python3.12 -> python",
    "symlink /work/env/lib64 -> lib (if absent) (where links work)",
  ]);
});

Deno.test("cpython3-posix copies the interpreter and the shared libpython with --copies", () => {
  const ops = planOf(cpython3Posix, input(PYENV_312, linux, linuxHost(PYENV_312), { symlinks: false }));
  assert.deepEqual(ops.filter((o) => o.op === "copy").map((o) => [o.path, o.source, o.mode ?? null]), [
    ["/work/env/bin/python", "/root/.pyenv/versions/3.12.1/bin/python3.12", 0o755],
    ["/work/env/bin/python3", "/root/.pyenv/versions/3.12.1/bin/python3.12", 0o755],
    ["/work/env/bin/python3.12", "/root/.pyenv/versions/3.12.1/bin/python3.12", 0o755],
    ["/work/env/lib/libpython3.12.so.1.0", "/root/.pyenv/versions/3.12.1/lib/libpython3.12.so.1.0", null],
  ]);
  assert.ok(!ops.some((o) => o.op === "symlink" && o.path.startsWith("/work/env/bin")));
  // libpython is planned only when the base install really has it.
  const noLib = planOf(cpython3Posix, input(PYENV_312, linux, memoryHost(posix, []), { symlinks: false }));
  assert.ok(!noLib.some((o) => o.path.includes("libpython")));
});

Deno.test("Debian's python3 keeps its own name once and gets its multiarch libpython when copied", () => {
  const i = input(DEBIAN_311, linux, linuxHost(DEBIAN_311), { symlinks: false });
  assert.deepEqual(interpreterNames(i), ["python", "python3", "python3.11"]);
  const lib = planOf(cpython3Posix, i).find((o) => o.path.endsWith(".so.1.0"));
  assert.equal(lib?.op === "copy" && lib.source, "/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0");
  assert.equal(cfgOf(planOf(cpython3Posix, i)).get("home"), "/usr/bin");
});

Deno.test("Pythons before 3.10 get the distutils patch in site-packages; 3.10+ do not", () => {
  for (const [name, info] of recordedFixtures()) {
    const creator = selectCreator("builtin", info, linux);
    const ops = planOf(creator, input(info, linux, linuxHost(info)));
    const patch = ops.filter((o) => o.path.includes("_virtualenv"));
    const site = creator.layout(input(info, linux, linuxHost(info))).purelib;
    if (info.versionInfo.minor < 10) {
      assert.deepEqual(patch.map((o) => o.path), [`${site}/_virtualenv.py`, `${site}/_virtualenv.pth`], name);
      const pth = patch[1]!;
      assert.equal(pth.op === "write" && pth.content, "import _virtualenv");
    } else {
      assert.deepEqual(patch, [], name);
    }
  }
});

Deno.test("builtin picks the right creator for every recorded and hand-written interpreter", () => {
  const cases: [PythonInfo, Platform, string][] = [
    ...[...recordedFixtures()].map(([name, info]): [PythonInfo, Platform, string] => [
      info,
      linux,
      name.includes("pypy") ? "pypy3-posix" : "cpython3-posix",
    ]),
    [WIN_312, windows, "cpython3-win"],
    [WIN_313T, windows, "cpython3-win"],
    [WIN_310_EMBED, windows, "cpython3-win"],
    [WIN_STORE_312, windows, "venv"],
    [WIN_PYPY310, windows, "pypy3-win"],
    [WIN_GRAALPY311, windows, "graalpy-win"],
    [LINUX_GRAALPY311, linux, "graalpy-posix"],
    [MAC_XCODE_39, darwin, "cpython3-mac-framework"],
    [MAC_PYTHON_ORG_312, darwin, "cpython3-posix"],
    [MAC_BREW_312, darwin, "cpython3-mac-brew"],
  ];
  for (const [info, platform, expected] of cases) {
    assert.equal(selectCreator("builtin", info, platform).name, expected, info.systemExecutable);
  }
});

Deno.test("selectCreator() rejects unknown names (exit 2) and says why a creator cannot fit", () => {
  assert.throws(() => selectCreator("nope", PYENV_312, linux), (e: unknown) => {
    assert.ok(e instanceof MkvenvError);
    assert.equal(e.exitCode, 2);
    assert.equal(e.message, 'Unknown creator "nope"');
    assert.equal(e.hint, `choose one of: builtin, ${CREATORS.map((c) => c.name).join(", ")}`);
    return true;
  });
  assert.throws(
    () => selectCreator("cpython3-posix", DEBIAN_PYPY39, linux),
    /^MkvenvError: Creator "cpython3-posix" cannot make an environment for PyPy3\.9\.16\.final\.0-64-x86_64: it creates CPython environments, not PyPy$/,
  );
  assert.throws(() => selectCreator("cpython3-win", PYENV_312, linux), /it creates Windows environments/);
  assert.throws(() => selectCreator("cpython3-mac-brew", PYENV_312, linux), /it creates Homebrew Python/);
  const python2 = { ...PYENV_312, versionInfo: { ...PYENV_312.versionInfo, major: 2, minor: 7 }, hasVenv: false };
  assert.throws(() => selectCreator("builtin", python2, linux), /No creator can make an environment for CPython2\.7/);
  const noVenv = { ...PYENV_312, hasVenv: false, systemExecutable: "/usr/bin/python3" };
  assert.throws(() => selectCreator("venv", noVenv, linux), /no venv module \(on Debian and Ubuntu: apt install/);
});

Deno.test("pypy3-posix offers pypy3 and its aliases (Debian's pypy3)", () => {
  assert.deepEqual(rendered(pypy3Posix, input(DEBIAN_PYPY39, linux, linuxHost(DEBIAN_PYPY39))), [
    "mkdir   /work/env",
    "mkdir   /work/env/bin",
    "mkdir   /work/env/lib/pypy3.9/site-packages",
    "mkdir   /work/env/include",
    `write   /work/env/pyvenv.cfg (${cfgBytes(pypy3Posix, DEBIAN_PYPY39)} bytes)`,
    "symlink /work/env/bin/pypy3 -> /usr/bin/pypy3",
    "symlink /work/env/bin/pypy -> pypy3",
    "symlink /work/env/bin/python -> pypy3",
    "symlink /work/env/bin/python3 -> pypy3",
    "symlink /work/env/bin/python3.9 -> pypy3",
    "write   /work/env/lib/pypy3.9/site-packages/_virtualenv.py " +
    `(${new TextEncoder().encode(patchText()).length} bytes)`,
    "write   /work/env/lib/pypy3.9/site-packages/_virtualenv.pth (18 bytes)",
    "symlink /work/env/lib64 -> lib (if absent) (where links work)",
  ]);
});

function cfgBytes(creator: Creator, info: PythonInfo): number {
  const ops = planOf(creator, input(info, linux, linuxHost(info)));
  const cfg = ops.find((o) => o.path.endsWith("pyvenv.cfg"));
  return cfg?.op === "write" ? new TextEncoder().encode(cfg.content as string).length : -1;
}

function patchText(): string {
  const ops = planOf(cpython3Posix, input(PYENV_38, linux, linuxHost(PYENV_38)));
  const op = ops.find((o) => o.path.endsWith("_virtualenv.py"));
  return op?.op === "write" ? op.content as string : "";
}

Deno.test("pypy3-posix brings a portable build's libpypy and lib/ entries (but not the stdlib)", () => {
  const prefix = "/opt/pypy3.10-v7.3.17-linux64";
  const info = {
    ...DEBIAN_PYPY39,
    systemExecutable: `${prefix}/bin/pypy3`,
    basePrefix: prefix,
    stdlib: `${prefix}/lib/pypy3.10`,
  };
  const host = memoryHost(posix, [
    `${prefix}/bin/pypy3.10`,
    `${prefix}/bin/libpypy3.10-c.so`,
    `${prefix}/lib/pypy3.10/os.py`,
    `${prefix}/lib/libtcl8.6.so`,
    `${prefix}/lib/tcl8.6/init.tcl`,
  ], { links: { [`${prefix}/bin/pypy3`]: `${prefix}/bin/pypy3.10` } });
  const copies = planOf(pypy3Posix, input(info, linux, host, { symlinks: false })).filter((o) => o.op === "copy");
  assert.deepEqual(copies.slice(5).map((o) => [o.path, o.source, (o.op === "copy" && o.tree) ?? false]), [
    ["/work/env/bin/libpypy3.10-c.so", `${prefix}/bin/libpypy3.10-c.so`, false],
    ["/work/env/lib/libtcl8.6.so", `${prefix}/lib/libtcl8.6.so`, false],
    ["/work/env/lib/tcl8.6", `${prefix}/lib/tcl8.6`, true],
  ]);
  // PYPY_PORTABLE_DEPS.txt, when present, is the list.
  const listed = memoryHost(posix, [`${prefix}/bin/pypy3.10`, `${prefix}/lib/libtcl8.6.so`, `${prefix}/lib/x.so`], {
    texts: { [`${prefix}/lib/PYPY_PORTABLE_DEPS.txt`]: "x.so\nmissing.so\n" },
  });
  const linked = planOf(pypy3Posix, input(info, linux, listed)).filter((o) => o.path.startsWith("/work/env/lib/"));
  assert.deepEqual(linked.map((o) => o.op === "symlink" && [o.path, o.target]).filter(Boolean), [
    ["/work/env/lib/x.so", `${prefix}/lib/x.so`],
  ]);
});

// --- GraalPy (hand-written fixtures) ---------------------------------------------------------------------------

Deno.test("graalpy-posix links graalpy and its aliases and brings libpythonvm into DEST/lib", () => {
  const root = "/opt/graalpy-24.1.1-linux-amd64";
  const host = memoryHost(posix, [`${root}/bin/graalpy`, `${root}/lib/libpythonvm.so`]);
  const lines = rendered(graalpyPosix, input(LINUX_GRAALPY311, linux, host));
  assert.deepEqual(lines.filter((l) => l.startsWith("symlink")), [
    `symlink /work/env/bin/graalpy -> ${root}/bin/graalpy`,
    "symlink /work/env/bin/python -> graalpy",
    "symlink /work/env/bin/python3 -> graalpy",
    "symlink /work/env/bin/python3.11 -> graalpy",
    `symlink /work/env/lib/libpythonvm.so -> ${root}/lib/libpythonvm.so`,
    "symlink /work/env/lib64 -> lib (if absent) (where links work)",
  ]);
  assert.equal(graalpyPosix.layout(input(LINUX_GRAALPY311, linux, host)).python, "/work/env/bin/graalpy");
  assert.equal(cfgOf(planOf(graalpyPosix, input(LINUX_GRAALPY311, linux, host))).get("home"), `${root}/bin`);
});

Deno.test("graalpy-posix copies a JVM build's folders and writes home without bin for Python 3.10", () => {
  const root = "/opt/graalpy-jvm-24.0.2-linux-amd64";
  const host = memoryHost(posix, [`${root}/bin/graalpy`, `${root}/jvm/lib/server/libjvm.so`, `${root}/modules/a.jar`]);
  const ops = planOf(graalpyPosix, input(LINUX_GRAALPY310_JVM, linux, host, { symlinks: false }));
  assert.deepEqual(ops.filter((o) => o.op === "copy" && o.tree).map((o) => o.path), [
    "/work/env/jvm",
    "/work/env/modules",
  ]);
  assert.equal(cfgOf(ops).get("home"), root);
});

Deno.test("graalpy-win copies into Scripts and records venvlauncher_command", () => {
  const i = input(WIN_GRAALPY311, windows, memoryHost(win32, WINDOWS_FILES.WIN_GRAALPY311!));
  const ops = planOf(graalpyWin, i);
  assert.deepEqual(ops.filter((o) => o.op === "copy").map((o) => o.path), [
    "C:\\work\\env\\Scripts\\graalpy.exe",
    "C:\\work\\env\\Scripts\\python.exe",
    "C:\\work\\env\\Scripts\\python3.exe",
    "C:\\work\\env\\Scripts\\python3.11.exe",
    "C:\\work\\env\\lib\\pythonvm.dll",
    "C:\\work\\env\\modules",
  ]);
  assert.equal(cfgOf(ops).get("venvlauncher_command"), WIN_GRAALPY311.systemExecutable);
});

// --- Windows (hand-written fixtures) ---------------------------------------------------------------------------

Deno.test("cpython3-win copies the venv launcher as python.exe/pythonw.exe (3.12) with Windows paths", () => {
  const prefix = WIN_312.basePrefix;
  for (const symlinks of [false, true]) {
    const i = input(WIN_312, windows, memoryHost(win32, WINDOWS_FILES.WIN_312!), { symlinks });
    assert.deepEqual(rendered(cpython3Win, i), [
      "mkdir   C:\\work\\env",
      "mkdir   C:\\work\\env\\Scripts",
      "mkdir   C:\\work\\env\\Lib\\site-packages",
      "mkdir   C:\\work\\env\\Include",
      `write   C:\\work\\env\\pyvenv.cfg (${new TextEncoder().encode(cfgText(i)).length} bytes)`,
      `copy    C:\\work\\env\\Scripts\\python.exe <- ${prefix}\\Lib\\venv\\scripts\\nt\\python.exe (mode 0755)`,
      `copy    C:\\work\\env\\Scripts\\python3.exe <- ${prefix}\\Lib\\venv\\scripts\\nt\\python.exe (mode 0755)`,
      `copy    C:\\work\\env\\Scripts\\pythonw.exe <- ${prefix}\\Lib\\venv\\scripts\\nt\\pythonw.exe (mode 0755)`,
    ], `symlinks=${symlinks}`);
  }
  const cfg = cfgOf(planOf(cpython3Win, input(WIN_312, windows, memoryHost(win32, WINDOWS_FILES.WIN_312!))));
  assert.equal(cfg.get("home"), prefix);
  assert.equal(cfg.get("executable"), `${prefix}\\python.exe`);
  assert.equal(
    cpython3Win.layout(input(WIN_312, windows, memoryHost(win32, []))).python,
    "C:\\work\\env\\Scripts\\python.exe",
  );
});

function cfgText(i: CreatorInput): string {
  const op = planOf(cpython3Win, i).find((o) => o.path.endsWith("pyvenv.cfg"));
  return op?.op === "write" ? op.content as string : "";
}

Deno.test("cpython3-win uses venvlauncher.exe from 3.13 and the t launchers for free-threaded builds", () => {
  const host = memoryHost(win32, WINDOWS_FILES.WIN_313!);
  const copies = (info: PythonInfo): string[][] =>
    planOf(cpython3Win, input(info, windows, host)).filter((o) => o.op === "copy").map((o) => [
      win32.basename(o.path),
      win32.basename(o.op === "copy" ? o.source : ""),
    ]);
  assert.deepEqual(copies(WIN_313), [
    ["python.exe", "venvlauncher.exe"],
    ["python3.exe", "venvlauncher.exe"],
    ["pythonw.exe", "venvwlauncher.exe"],
  ]);
  assert.deepEqual(copies(WIN_313T), [
    ["python.exe", "venvlaunchert.exe"],
    ["python3.exe", "venvlaunchert.exe"],
    ["python3.13t.exe", "venvlaunchert.exe"],
    ["pythonw.exe", "venvwlaunchert.exe"],
    ["pythonw3.13t.exe", "venvwlaunchert.exe"],
  ]);
});

Deno.test("cpython3-win without a launcher copies the interpreter, its DLLs (not pywin32's) and the stdlib zip", () => {
  const prefix = WIN_310_EMBED.basePrefix;
  const ops = planOf(cpython3Win, input(WIN_310_EMBED, windows, memoryHost(win32, WINDOWS_FILES.WIN_310_EMBED!)));
  assert.deepEqual(
    ops.filter((o) => o.op === "copy").map((o) => [win32.basename(o.path), o.op === "copy" && o.source]),
    [
      ["python.exe", `${prefix}\\python.exe`],
      ["python3.exe", `${prefix}\\python.exe`],
      ["pythonw.exe", `${prefix}\\pythonw.exe`],
      ["_ssl.pyd", `${prefix}\\_ssl.pyd`],
      ["libcrypto-1_1.dll", `${prefix}\\libcrypto-1_1.dll`],
      ["python3.dll", `${prefix}\\python3.dll`],
      ["python310.dll", `${prefix}\\python310.dll`],
      ["vcruntime140.dll", `${prefix}\\vcruntime140.dll`],
      ["python310.zip", `${prefix}\\python310.zip`],
    ],
  );
  assert.ok(ops.every((o) => o.op !== "symlink"));
});

Deno.test("The Microsoft Store's Python goes to the venv creator, which copies", () => {
  assert.ok(isStorePython(WIN_STORE_312));
  assert.ok(!isStorePython(WIN_312));
  assert.match(cpython3Win.cannotCreate(WIN_STORE_312, windows) ?? "", /Microsoft Store/);
  assert.equal(
    venvCreator.cannotLink?.(WIN_STORE_312),
    "Windows Store Python does not support virtual environments via symlink",
  );
  const i = input(WIN_STORE_312, windows, memoryHost(win32, []), { symlinks: false });
  assert.deepEqual(venvArgv(i).slice(1), ["-I", "-m", "venv", "--without-pip", "--copies", "C:\\work\\env"]);
});

Deno.test("pypy3-win copies pypy3.exe under every name plus the DLLs beside it", () => {
  const i = input(WIN_PYPY310, windows, memoryHost(win32, WINDOWS_FILES.WIN_PYPY310!));
  const ops = planOf(pypy3Win, i);
  assert.deepEqual(ops.filter((o) => o.op === "copy").map((o) => win32.basename(o.path)), [
    "pypy3.exe",
    "pypy.exe",
    "python.exe",
    "python3.exe",
    "python3.10.exe",
    "libffi-8.dll",
    "libpypy3.10-c.dll",
    "tcl86t.dll",
  ]);
  assert.equal(pypy3Win.layout(i).python, "C:\\work\\env\\Scripts\\pypy3.exe");
});

// --- macOS (hand-written fixtures) -----------------------------------------------------------------------------

Deno.test("cpython3-mac-framework links Python.app's interpreter and .Python, and patches copies", () => {
  const prefix = MAC_XCODE_39.basePrefix;
  const host = memoryHost(posix, []);
  const linked = rendered(cpython3MacFramework, input(MAC_XCODE_39, darwin, host));
  assert.deepEqual(linked.filter((l) => l.startsWith("symlink")), [
    `symlink /work/env/bin/python -> ${prefix}/Resources/Python.app/Contents/MacOS/Python`,
    "symlink /work/env/bin/python3 -> python",
    "symlink /work/env/bin/python3.9 -> python",
    `symlink /work/env/.Python -> ${prefix}/Python3`,
  ]);
  const copied = planOf(cpython3MacFramework, input(MAC_XCODE_39, darwin, host, { symlinks: false }));
  const exes = copied.filter((o) => o.op === "copy");
  assert.equal(exes.length, 3);
  for (const op of exes) {
    assert.ok(op.op === "copy");
    assert.equal(op.source, `${prefix}/Resources/Python.app/Contents/MacOS/Python`);
    assert.deepEqual(op.rewriteDylib, {
      from: "@executable_path/../../../../Python3",
      to: "@executable_path/../.Python",
    });
    assert.equal(op.adhocSign, true);
  }
  // .Python must be a link even when copying; no lib64 on macOS; the 3.9 patch is there.
  assert.ok(copied.some((o) => o.op === "symlink" && o.path === "/work/env/.Python"));
  assert.ok(!copied.some((o) => o.path.endsWith("lib64")));
  assert.ok(copied.some((o) => o.path.endsWith("_virtualenv.pth")));
});

Deno.test("cpython3-mac-brew links like POSIX and refuses copies; python.org builds are plain POSIX", () => {
  assert.equal(cpython3MacBrew.cannotCopy?.(MAC_BREW_312), BREW_COPY_ERROR);
  const lines = rendered(cpython3MacBrew, input(MAC_BREW_312, darwin, memoryHost(posix, [])));
  assert.equal(
    lines.find((l) => l.startsWith("symlink /work/env/bin/python ")),
    `symlink /work/env/bin/python -> ${MAC_BREW_312.systemExecutable}`,
  );
  assert.equal(cpython3Posix.cannotCreate(MAC_BREW_312, darwin), "Homebrew's Python needs cpython3-mac-brew");
  const org = rendered(cpython3Posix, input(MAC_PYTHON_ORG_312, darwin, memoryHost(posix, [])));
  assert.ok(org.includes(`symlink /work/env/bin/python -> ${MAC_PYTHON_ORG_312.systemExecutable}`));
  assert.ok(!org.some((l) => l.includes("lib64")));
});

// --- venv delegate ---------------------------------------------------------------------------------------------

Deno.test("venv runs python -m venv --without-pip, then merges mkvenv's keys into venv's pyvenv.cfg", () => {
  const i = input(PYENV_312, linux, linuxHost(PYENV_312), { systemSitePackages: true });
  const ops = planOf(venvCreator, i);
  assert.deepEqual(ops[0], {
    op: "run",
    path: "/work/env",
    argv: [
      PYENV_312.systemExecutable,
      "-I",
      "-m",
      "venv",
      "--without-pip",
      "--system-site-packages",
      "--symlinks",
      "/work/env",
    ],
    // What venv writes, for the check against replacing a folder's own files.
    writes: ["/work/env/bin/python", "/work/env/bin/python3", "/work/env/bin/python3.12"],
  });
  const merge = ops.at(-1)!;
  assert.ok(merge.op === "mergeCfg");
  assert.deepEqual(merge.entries.map(([k]) => k), [
    "home",
    "implementation",
    "python-version",
    "version_info",
    "version",
    "executable",
    "mkvenv",
    "include-system-site-packages",
  ]);
  assert.deepEqual(merge.keepExisting, ["home", "version", "executable", "command", "include-system-site-packages"]);
  // venv's own activation scripts get the prompt too.
  assert.deepEqual(venvArgv(input(PYENV_312, linux, linuxHost(PYENV_312), { prompt: "my env" })).slice(5, 7), [
    "--prompt",
    "my env",
  ]);
  assert.match(venvCreator.cannotCopy?.(MAC_XCODE_39) ?? "", /cannot copy Apple's framework Python/);
  assert.match(venvCreator.cannotCopy?.(DEBIAN_PYPY39) ?? "", /would copy all of \/usr\/lib/);
  assert.equal(venvCreator.cannotCopy?.(PYENV_312), undefined);
  const v313 = { ...PYENV_312, versionInfo: { ...PYENV_312.versionInfo, minor: 13 } };
  assert.ok(venvArgv(input(v313, linux, linuxHost(v313))).includes("--without-scm-ignore-files"));
  // Copies bring libpython along, and 3.8 gets the distutils patch.
  const copies = planOf(venvCreator, input(PYENV_38, linux, linuxHost(PYENV_38), { symlinks: false }));
  assert.ok(copies.some((o) => o.op === "copy" && o.path === "/work/env/lib/libpython3.8.so.1.0"));
  assert.ok(copies.some((o) => o.path.endsWith("/_virtualenv.pth")));
});

Deno.test("renderPyvenvCfg() keeps every value on one line; parsePyvenvCfg() reads it back", () => {
  const text = renderPyvenvCfg([["home", "/a"], ["prompt", "two\nlines\u2028here"], ["x", "a=b"]]);
  assert.equal(text, 'home = /a\nprompt = "two lines here"\nx = a=b\n');
  assert.deepEqual(
    [...parsePyvenvCfg(text + "# comment = no\nbad line\nq = 'single'\n")],
    [["home", "/a"], ["prompt", "two lines here"], ["x", "a=b"], ["q", "single"]],
  );
});

Deno.test("pyvenv.cfg has virtualenv's keys in virtualenv's order", () => {
  const ops = planOf(
    cpython3Posix,
    input(PYENV_312, linux, linuxHost(PYENV_312), { prompt: "my env", systemSitePackages: true }),
  );
  const write = ops.find((o) => o.op === "write");
  assert.ok(write?.op === "write");
  assert.equal(
    write.content,
    [
      "home = /root/.pyenv/versions/3.12.1/bin",
      "implementation = CPython",
      "python-version = 3.12",
      "version_info = 3.12.1.final.0",
      "version = 3.12.1",
      "executable = /root/.pyenv/versions/3.12.1/bin/python3.12",
      `mkvenv = ${MKVENV_VERSION}`,
      'prompt = "my env"',
      "include-system-site-packages = true",
      "base-prefix = /root/.pyenv/versions/3.12.1",
      "base-exec-prefix = /root/.pyenv/versions/3.12.1",
      "base-executable = /root/.pyenv/versions/3.12.1/bin/python3.12",
      "",
    ].join("\n"),
  );
});

Deno.test("interpreterNames() adds the free-threaded alias and the base executable's own name", () => {
  const ft = { ...PYENV_312, freeThreaded: true, systemExecutable: "/opt/py/bin/python3.12t" };
  assert.deepEqual(interpreterNames(input(ft, linux, linuxHost(ft))), [
    "python",
    "python3",
    "python3.12",
    "python3.12t",
  ]);
  const odd = { ...PYENV_312, systemExecutable: "/opt/py/bin/python3.12-dbg" };
  assert.deepEqual(interpreterNames(input(odd, linux, linuxHost(odd))), [
    "python",
    "python3",
    "python3.12",
    "python3.12-dbg",
  ]);
});
