/**
 * lib/seeder/console_scripts.ts must write what pip writes: its rules are compared with pip's own functions (pip
 * 23.2.1 installed in pyenv's 3.12 and pip 26.2.1 run from its wheel), and its scripts and RECORD lines byte for byte
 * with the files the real pip wrote into fresh environments (a plain path, a path with a space and one too long for a
 * shebang line). Windows `.exe` scripts are compared byte for byte with what the same pips' distlib `ScriptMaker`
 * writes when made to believe it runs on Windows, read back with Python's zipfile and unzip, and run by Python.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import {
  type ConsoleScript,
  consoleScriptMode,
  consoleScriptNames,
  consoleScriptShebang,
  consoleScriptsToWrite,
  csvField,
  firstCsvField,
  launcherZipDateTime,
  recordHash,
  recordLinesForScripts,
  recordPath,
  renderConsoleScript,
  renderWindowsConsoleScript,
  type ScriptTemplate,
  scriptTemplateFor,
  windowsLauncherName,
  windowsScriptFileName,
} from "../../lib/seeder/console_scripts.ts";
import type { ZipDateTime } from "../../lib/seeder/zip_store.ts";
import { MkvenvError } from "../../lib/errors.ts";
import { pyenvPython, run, skipIf, tempDir } from "../_helpers.ts";

const PY = pyenvPython("3.12");
const WHEEL26 = "/opt/pypi/files/pip-26.2.1-py3-none-any.whl";
const HAS_WHEEL26 = existsSync(WHEEL26);
const V312 = { major: 3, minor: 12 };
const PIP_MAIN = { module: "pip._internal.cli.main", attr: "main" };
const NO_PY = PY === undefined;
const NO_PY_WHY = "pyenv's Python 3.12 is not installed";

/** The pips compared with: 23.2.1 is in pyenv 3.12's site-packages, 26.2.1 runs from its wheel (first on sys.path). */
const PIPS: readonly { version: string; template: ScriptTemplate; wheel?: string }[] = [
  { version: "23.2.1", template: "pip23" },
  ...(HAS_WHEEL26 ? [{ version: "26.2.1", template: "pip26" as const, wheel: WHEEL26 }] : []),
];
if (!HAS_WHEEL26) console.log(`skipped: pip 26 comparisons (${WHEEL26} is missing)`);

/** A clean environment: this machine's shell exports PIP_* settings that would change what pip does. */
function pythonEnv(home: string): Record<string, string> {
  return { PATH: "/usr/bin:/bin", HOME: home };
}

/** Runs Python code with one pip importable; the code reads JSON input from `argv[1]` and prints JSON. */
async function withPip(pip: (typeof PIPS)[number], code: string, input: unknown): Promise<unknown> {
  await using tmp = await tempDir();
  const prelude = `import json, sys\n${pip.wheel ? `sys.path.insert(0, ${JSON.stringify(pip.wheel)})\n` : ""}` +
    `import pip\nassert pip.__version__ == ${JSON.stringify(pip.version)}, pip.__version__\n` +
    `data = json.loads(sys.argv[1])\n`;
  const r = await run(PY!, ["-c", prelude + code, JSON.stringify(input)], { cwd: tmp.path, env: pythonEnv(tmp.path) });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

function entry(name: string, target: string): ConsoleScript {
  const [module, attr] = target.split(":") as [string, string];
  return { name, module, attr };
}

Deno.test("consoleScriptNames() applies pip's special cases for pip and easy_install", () => {
  assert.deepEqual(consoleScriptNames("pip", V312), ["pip", "pip3", "pip3.12"]);
  assert.deepEqual(consoleScriptNames("pip", { major: 3, minor: 9 }), ["pip", "pip3", "pip3.9"]);
  assert.deepEqual(consoleScriptNames("pip", V312, { ensurepipOptions: "install" }), ["pip3", "pip3.12"]);
  assert.deepEqual(consoleScriptNames("pip", V312, { ensurepipOptions: "altinstall" }), ["pip3.12"]);
  assert.deepEqual(consoleScriptNames("pip3", V312), ["pip3"]);
  assert.deepEqual(consoleScriptNames("pip3.11", V312), ["pip3.11"]);
  assert.deepEqual(consoleScriptNames("easy_install", V312), ["easy_install", "easy_install-3.12"]);
  assert.deepEqual(consoleScriptNames("easy_install", V312, { ensurepipOptions: "altinstall" }), [
    "easy_install-3.12",
  ]);
  assert.deepEqual(consoleScriptNames("wheel", V312), ["wheel"]);
  // pip's wheel carries pip3 and pip3.X entries for the Python it was built with: they give way to the target's.
  const pipWheel = [entry("pip", "pip._internal.cli.main:main"), entry("pip3", "pip._internal.cli.main:main")];
  assert.deepEqual(consoleScriptsToWrite([...pipWheel, entry("pip3.11", "x:y")], V312), [
    { name: "pip", ...PIP_MAIN },
    { name: "pip3", ...PIP_MAIN },
    { name: "pip3.12", ...PIP_MAIN },
  ]);
});

Deno.test("consoleScriptsToWrite() refuses names that are not one file in the scripts folder", () => {
  for (const name of ["", ".", "..", "a/b", "../evil", "a b", "a\\b"]) {
    assert.throws(() => consoleScriptNames(name, V312), MkvenvError, JSON.stringify(name));
  }
});

Deno.test({
  name: "consoleScriptsToWrite() agrees with pip's get_console_script_specs",
  ignore: skipIf(NO_PY, NO_PY_WHY),
  async fn() {
    const main = "pip._internal.cli.main:main";
    const lists: [string, string][][] = [
      [["pip", main], ["pip3", main], ["pip3.11", main]],
      [["pip3", main]],
      [["pip", "a:b"], ["pip2", "a:c"], ["pip3.x", "a:d"], ["pipx", "a:e"], ["pip٣", "a:f"], ["tool", "t:main"]],
      [["easy_install", "setuptools.command.easy_install:main"], ["easy_install-3.6", "s:m"], ["x", "y:z"]],
      [["a", "m:f"], ["b", "m:g"], ["a", "m:h"]],
      [["black", "black:patched_main"], ["blackd", "blackd:patched_main"]],
    ];
    const cases = lists.flatMap((entries) =>
      [undefined, "install", "altinstall"].map((ensurepip) => ({ entries, ensurepip }))
    );
    const code = `import os
from pip._internal.operations.install.wheel import get_console_script_specs
out = []
for case in data:
    os.environ.pop("ENSUREPIP_OPTIONS", None)
    if case.get("ensurepip") is not None:
        os.environ["ENSUREPIP_OPTIONS"] = case["ensurepip"]
    out.append([spec.split(" = ", 1) for spec in get_console_script_specs(dict(case["entries"]))])
print(json.dumps(out))
`;
    for (const pip of PIPS) {
      const theirs = await withPip(pip, code, cases) as [string, string][][];
      cases.forEach((c, i) => {
        const ours = consoleScriptsToWrite(c.entries.map(([n, t]) => entry(n, t)), V312, {
          ensurepipOptions: c.ensurepip,
        });
        assert.deepEqual(
          ours.map((s) => [s.name, `${s.module}:${s.attr}`]),
          theirs[i],
          `pip ${pip.version} ${JSON.stringify(c)}`,
        );
      });
    }
  },
});

Deno.test("consoleScriptShebang() switches to the /bin/sh trampoline for spaces and long lines", () => {
  assert.equal(consoleScriptShebang("/env/bin/python"), "#!/env/bin/python\n");
  assert.equal(
    consoleScriptShebang("/with space/bin/python"),
    `#!/bin/sh\n'''exec' "/with space/bin/python" "$0" "$@"\n' '''\n`,
  );
  // 124 bytes of path + "#!" + "\n" is Linux's 127-byte limit; macOS allows 512.
  const at = "/" + "a".repeat(123);
  assert.equal(consoleScriptShebang(at), `#!${at}\n`);
  assert.equal(consoleScriptShebang(at + "b"), `#!/bin/sh\n'''exec' ${at}b "$0" "$@"\n' '''\n`);
  assert.equal(consoleScriptShebang(at + "b", { os: "darwin" }), `#!${at}b\n`);
  // Windows never takes the trampoline: the launcher, not a kernel, reads the line.
  assert.equal(consoleScriptShebang(at + "b", { windows: true }), `#!${at}b\n`);
  assert.throws(
    () => renderConsoleScript("C:\\env\\Scripts\\python.exe", "m", "f", { os: "windows" }),
    /renderWindowsConsoleScript/,
  );
  assert.throws(() => renderConsoleScript("/env/bin/python", "pip", ""), MkvenvError);
  assert.throws(() => renderConsoleScript("/env/bin/python", "a b", "main"), MkvenvError);
  // ASCII names take a shortcut past the Unicode pattern; both refuse what distlib refuses.
  for (const [module, attr] of [["a-b", "main"], ["a..b", "main"], ["café-x", "main"], ["m", "f.ü-"]]) {
    assert.throws(() => renderConsoleScript("/env/bin/python", module!, attr!), MkvenvError, `${module}:${attr}`);
  }
});

Deno.test({
  name: "consoleScriptShebang() agrees with distlib's ScriptMaker._get_shebang",
  ignore: skipIf(NO_PY, NO_PY_WHY),
  async fn() {
    const exes = [
      "/env/bin/python",
      "/with space/bin/python3.12",
      "/usr/bin/env /a b/python",
      '"/already quoted/python"',
      "/tab\there/python",
      "/" + "a".repeat(123),
      "/" + "a".repeat(124),
      "/" + "é".repeat(61) + "a",
      "/" + "é".repeat(62),
      "/" + "a".repeat(508),
      "/" + "a".repeat(509),
    ];
    const cases = exes.flatMap((exe) => ["linux", "darwin"].map((platform) => ({ exe, platform })));
    // pip leaves the executable to distlib (sys.executable, quoted); distlib 0.3.6's trampoline lacks the final line
    // end, which its _write_script adds.
    const code = `import os
from pip._vendor.distlib.scripts import ScriptMaker
maker = ScriptMaker(None, None)
out = []
real_platform = sys.platform
for case in data:
    sys.executable = case["exe"]
    sys.platform = case["platform"]
    try:
        shebang = maker._get_shebang("utf-8")
    finally:
        sys.platform = real_platform
    if not shebang.endswith(os.linesep.encode()):
        shebang += os.linesep.encode()
    out.append(shebang.decode("utf-8"))
print(json.dumps(out))
`;
    for (const pip of PIPS) {
      const theirs = await withPip(pip, code, cases) as string[];
      cases.forEach((c, i) => {
        assert.equal(consoleScriptShebang(c.exe, { os: c.platform }), theirs[i], `pip ${pip.version} ${c.exe}`);
      });
    }
  },
});

Deno.test({
  name: "renderConsoleScript() agrees with pip's ScriptMaker._get_script_text",
  ignore: skipIf(NO_PY, NO_PY_WHY),
  async fn() {
    const cases = [["pip._internal.cli.main", "main"], ["pkg", "Cls.method"], ["café.sub_2", "run_2"]];
    const code = `from pip._internal.operations.install.wheel import PipScriptMaker
from pip._vendor.distlib.util import get_export_entry
maker = PipScriptMaker(None, "/nonexistent")
print(json.dumps([maker._get_script_text(get_export_entry(f"x = {m}:{a}")) for m, a in data]))
`;
    for (const pip of PIPS) {
      const theirs = await withPip(pip, code, cases) as string[];
      cases.forEach(([module, attr], i) => {
        const ours = renderConsoleScript("/env/bin/python", module!, attr!, { template: pip.template });
        assert.equal(ours, "#!/env/bin/python\n" + theirs[i], `pip ${pip.version} ${module}:${attr}`);
      });
    }
  },
});

Deno.test("recordPath(), recordHash() and consoleScriptMode() follow pip and distlib", () => {
  assert.equal(recordPath("/env/lib/python3.12/site-packages", "/env/bin/pip"), "../../../bin/pip");
  assert.equal(recordPath("/env/lib64/python3.12/site-packages/", "/env//bin/./pip3.12"), "../../../bin/pip3.12");
  assert.equal(recordPath("/env/lib/pypy3.10/site-packages", "/env/lib/pypy3.10/site-packages/x/y"), "x/y");
  assert.throws(() => recordPath("lib/site-packages", "/env/bin/pip"), /absolute/);
  assert.equal(recordHash(""), "sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU");
  assert.equal(recordHash(new Uint8Array([0xfb, 0xff])), "sha256=24_tVBWa_kCs5bSdcCJZ_YjJxACTBxgYJEh7qrXGveo");
  assert.deepEqual(
    recordLinesForScripts("/e/lib/python3.12/site-packages", "/e/bin", [{ name: 'a,"b', content: "" }]),
    [
      `"../../../bin/a,""b",sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0`,
    ],
  );
  assert.equal(consoleScriptMode(0o022), 0o755);
  assert.equal(consoleScriptMode(0o077), 0o755);
  assert.equal(consoleScriptMode(0o002), 0o775);
});

/** The `console_scripts` section of an entry_points.txt (pip's wheels use plain `name = module:attr` lines). */
function readConsoleScripts(file: string): ConsoleScript[] {
  const out: ConsoleScript[] = [];
  let section = "";
  for (const line of Deno.readTextFileSync(file).split("\n").map((l) => l.trim())) {
    if (line.startsWith("[")) section = line;
    else if (section === "[console_scripts]" && line) {
      const [name, target] = line.split("=").map((p) => p.trim()) as [string, string];
      out.push(entry(name, target));
    }
  }
  return out;
}

/** One environment the real pip installed itself into. */
interface PipEnv {
  readonly label: string;
  readonly pip: (typeof PIPS)[number];
  readonly env: string;
  /** The interpreter path pip ran as (its sys.executable), which it puts in the scripts. */
  readonly exe: string;
  readonly umask: number;
}

/** Creates an environment with pip in it: pip 23 by venv's ensurepip, pip 26 by running its wheel on itself. */
async function createPipEnv(e: PipEnv, home: string): Promise<void> {
  const env = pythonEnv(home);
  const umask = e.umask.toString(8).padStart(3, "0");
  // umask is a shell setting: run through sh so the scripts' modes show distlib's rule under a non-default umask.
  const sh = (args: string[]) => run("/bin/sh", ["-c", `umask ${umask} && exec "$@"`, "sh", ...args], { env });
  if (!e.pip.wheel) {
    const r = await sh([PY!, "-m", "venv", e.env]);
    assert.equal(r.code, 0, `${e.label}: ${r.stderr}`);
    return;
  }
  const made = await sh([PY!, "-m", "venv", "--without-pip", e.env]);
  assert.equal(made.code, 0, `${e.label}: ${made.stderr}`);
  const wheelPip = path.join(e.pip.wheel, "pip");
  const args = ["install", "-q", "--no-index", "--disable-pip-version-check", e.pip.wheel];
  const r = await sh([path.join(e.env, "bin", "python"), wheelPip, ...args]);
  assert.equal(r.code, 0, `${e.label}: ${r.stderr}`);
}

Deno.test({
  name: "rendered scripts and RECORD lines equal what the real pip wrote, and the trampolines run",
  ignore: skipIf(NO_PY, NO_PY_WHY),
  async fn(t) {
    await using tmp = await tempDir();
    const long = "l".repeat(120);
    const envs: PipEnv[] = PIPS.flatMap((pip) =>
      [
        { label: "plain", dir: "plain", umask: 0o002 },
        { label: "space", dir: "with space é", umask: 0o022 },
        { label: "long", dir: long, umask: 0o022 },
      ].map(({ label, dir, umask }) => {
        const env = path.join(tmp.path, `pip${pip.version}`, dir, "env");
        // venv runs ensurepip as <env>/bin/python3.X; pip 26 here runs as <env>/bin/python.
        const exe = path.join(env, "bin", pip.wheel ? "python" : "python3.12");
        return { label: `pip ${pip.version} ${label}`, pip, env, exe, umask };
      })
    );
    assert.ok(envs.every((e) => !e.label.endsWith("long") || new TextEncoder().encode(e.exe).length + 3 > 127));
    // ensurepip as `python -m ensurepip` (not venv's --default-pip) sets ENSUREPIP_OPTIONS=install: no plain `pip`.
    const ensurepipEnv = path.join(tmp.path, "ensurepip", "env");
    const ensurepip = (async () => {
      const env = pythonEnv(tmp.path);
      assert.equal((await run(PY!, ["-m", "venv", "--without-pip", ensurepipEnv], { env })).code, 0);
      const r = await run(path.join(ensurepipEnv, "bin", "python"), ["-m", "ensurepip"], { env });
      assert.equal(r.code, 0, r.stderr);
    })();
    await Promise.all([...envs.map((e) => createPipEnv(e, tmp.path)), ensurepip]);

    for (const e of envs) {
      await t.step(e.label, async () => {
        const bin = path.join(e.env, "bin");
        const sitePackages = path.join(e.env, "lib", "python3.12", "site-packages");
        const distInfo = path.join(sitePackages, `pip-${e.pip.version}.dist-info`);
        const scripts = consoleScriptsToWrite(readConsoleScripts(path.join(distInfo, "entry_points.txt")), V312);
        const written = [...Deno.readDirSync(bin)].map((d) => d.name).filter((n) => n.startsWith("pip")).sort();
        assert.deepEqual(written, scripts.map((s) => s.name).sort());

        const files = scripts.map((s) => ({
          name: s.name,
          content: renderConsoleScript(e.exe, s.module, s.attr, { template: e.pip.template }),
        }));
        for (const f of files) {
          const file = path.join(bin, f.name);
          assert.equal(Deno.readTextFileSync(file), f.content, file);
          assert.equal(Deno.statSync(file).mode! & 0o7777, consoleScriptMode(e.umask), file);
        }
        const trampoline = e.label.endsWith("plain") ? "#!/" : "#!/bin/sh\n'''exec' ";
        assert.ok(files[0]!.content.startsWith(trampoline), files[0]!.content);

        const record = Deno.readTextFileSync(path.join(distInfo, "RECORD"));
        assert.ok(record.endsWith("\r\n") && !/[^\r]\n/.test(record), "RECORD lines end in CRLF");
        const theirs = record.split("\r\n").filter((line) => line.startsWith("../../../bin/"));
        assert.deepEqual(theirs, recordLinesForScripts(sitePackages, bin, files));

        // Our text must run as the script pip wrote does, trampoline included.
        const ours = path.join(bin, "pip-ours");
        Deno.writeTextFileSync(ours, files[0]!.content);
        Deno.chmodSync(ours, 0o755);
        const r = await run(ours, ["--version"], { env: pythonEnv(tmp.path) });
        assert.equal(r.code, 0, r.stderr);
        assert.ok(r.stdout.startsWith(`pip ${e.pip.version} from ${sitePackages}/pip `), r.stdout);
      });
    }

    await t.step("ENSUREPIP_OPTIONS=install", () => {
      const bin = path.join(ensurepipEnv, "bin");
      const written = [...Deno.readDirSync(bin)].map((d) => d.name).filter((n) => n.startsWith("pip")).sort();
      assert.deepEqual(written, consoleScriptNames("pip", V312, { ensurepipOptions: "install" }).sort());
    });
  },
});

// --- Windows: .exe launchers --------------------------------------------------------------------------------------

/** pip 23.2.1's distlib (0.3.6), as installed in pyenv's 3.12: its launchers are plain files. */
const PIP23_DISTLIB = PY === undefined
  ? ""
  : path.join(path.dirname(path.dirname(PY)), "lib", "python3.12", "site-packages", "pip", "_vendor", "distlib");
const DISTLIB_OF: Readonly<Record<string, string>> = { "23.2.1": "0.3.6", "26.2.1": "0.4.2" };

/**
 * Runs the real pip's `PipScriptMaker` as pip does on Windows, here on Linux: distlib's `scripts.py` is imported
 * with `os.name` set to `nt` (so its Windows-only launcher code is defined, as on Windows), `_is_nt` is set, and
 * while `make_multiple` runs `os.name`, `os.linesep`, `sys.platform` (`zipfile`'s creating system), `sys.executable`
 * (the shebang) and `sys.version` (how distlib tells ARM64) are Windows'; a 32-bit interpreter is imitated by
 * `struct.calcsize('P')` returning 4. Each case gives the files written (name and hex content).
 */
const DISTLIB_WINDOWS = `import os, struct, tempfile
import pip._vendor.distlib.compat, pip._vendor.distlib.resources, pip._vendor.distlib.util
real_name = os.name
os.name = "nt"
try:
    from pip._vendor.distlib import scripts
finally:
    os.name = real_name
from pip._internal.operations.install.wheel import PipScriptMaker

class Struct32:
    @staticmethod
    def calcsize(fmt):
        return 4 if fmt == "P" else struct.calcsize(fmt)

out = []
for case in data:
    target = tempfile.mkdtemp()
    maker = PipScriptMaker(None, target)
    maker.clobber = True
    maker.variants = {""}
    maker.set_mode = True
    assert maker._is_nt is False and maker.add_launchers is True
    maker._is_nt = True
    real = (os.name, os.linesep, sys.platform, sys.executable, sys.version)
    os.name, os.linesep, sys.platform = "nt", "\\r\\n", "win32"
    sys.executable, sys.version = case["exe"], case["sysVersion"]
    if case["bits"] == 32:
        scripts.struct = Struct32
    os.environ.pop("SOURCE_DATE_EPOCH", None)
    if case["sourceDateEpoch"] is not None:
        os.environ["SOURCE_DATE_EPOCH"] = case["sourceDateEpoch"]
    try:
        written = maker.make_multiple(case["specs"])
    finally:
        os.name, os.linesep, sys.platform, sys.executable, sys.version = real
        scripts.struct = struct
    out.append([[os.path.basename(f), open(f, "rb").read().hex()] for f in written])
print(json.dumps(out))
`;

function hex(text: string): Uint8Array {
  return Uint8Array.from(text.match(/../g) ?? [], (h) => parseInt(h, 16));
}

/** The launchers of one pip's distlib, as plain files: pip 26's unpacked from its wheel by Python's zipfile. */
async function launchersOf(pip: (typeof PIPS)[number], dir: string): Promise<string> {
  if (!pip.wheel) return PIP23_DISTLIB;
  const code = `import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for name in ("t32.exe", "t64.exe", "t64-arm.exe"):
        z.extract("pip/_vendor/distlib/" + name, sys.argv[2])
`;
  const r = await run(PY!, ["-c", code, pip.wheel, dir], { env: pythonEnv(dir) });
  assert.equal(r.code, 0, r.stderr);
  return path.join(dir, "pip", "_vendor", "distlib");
}

/** The zip entry date and time in a distlib-written file (its local header follows launcher and shebang). */
function zipDateTimeAt(file: Uint8Array, zipStart: number): ZipDateTime {
  const view = new DataView(file.buffer, file.byteOffset + zipStart);
  assert.equal(view.getUint32(0, true), 0x04034b50, "a local file header follows the shebang");
  const time = view.getUint16(10, true);
  const date = view.getUint16(12, true);
  return {
    year: (date >> 9) + 1980,
    month: (date >> 5) & 15,
    day: date & 31,
    hour: time >> 11,
    minute: (time >> 5) & 63,
    second: (time & 31) * 2,
  };
}

Deno.test("Windows shebangs, launcher names, .exe names and zip times follow distlib's rules", () => {
  const spaced = "C:\\Program Files\\env\\Scripts\\python.exe";
  assert.equal(consoleScriptShebang(spaced, { os: "windows" }), `#!"${spaced}"\n`);
  assert.equal(consoleScriptShebang(spaced, { os: "windows", distlib: "0.3.9" }), `#!"${spaced}"\n`);
  // distlib issue 220: before 0.3.9 os.linesep was appended to the "\n" already there.
  for (const old of ["0.3.8", "0.3.6", "0.2.9.post0", "0.2.7"]) {
    assert.equal(
      consoleScriptShebang("C:\\e\\python.exe", { windows: true, distlib: old }),
      "#!C:\\e\\python.exe\n\r\n",
    );
  }
  assert.equal(windowsLauncherName({ bits: 64, machine: "x86_64" }), "t64.exe");
  assert.equal(windowsLauncherName({ bits: 32, machine: "x86" }), "t32.exe");
  assert.equal(windowsLauncherName({ bits: 64, machine: "arm64" }), "t64-arm.exe");
  assert.equal(windowsLauncherName({ bits: 64, machine: "arm64" }, "0.3.3"), "t64-arm.exe");
  assert.equal(windowsLauncherName({ bits: 64, machine: "arm64" }, "0.2.9.post0"), "t64.exe");
  assert.equal(windowsLauncherName({ bits: 32, machine: "arm32" }), "t32.exe");
  assert.deepEqual(
    ["pip", "pip3.12", "tool.py", "tool.pyw", "a.pyx", ".py", "..py", "x.txt"].map(windowsScriptFileName),
    ["pip.exe", "pip3.12.exe", "tool.exe", "tool.exe", "a.exe", ".py.exe", "..py.exe", "x.txt.exe"],
  );
  // SOURCE_DATE_EPOCH is UTC and only read from distlib 0.3.6 on; zip times are clamped to 1980..2107.
  const now = new Date(2024, 2, 3, 4, 5, 7);
  const local = { year: 2024, month: 3, day: 3, hour: 4, minute: 5, second: 7 };
  assert.deepEqual(launcherZipDateTime({ now }), local);
  assert.deepEqual(launcherZipDateTime({ now, sourceDateEpoch: "" }), local);
  assert.deepEqual(launcherZipDateTime({ now, sourceDateEpoch: "1.5" }), local);
  assert.deepEqual(launcherZipDateTime({ now, sourceDateEpoch: "1700000000", distlib: "0.3.5" }), local);
  assert.deepEqual(launcherZipDateTime({ now, sourceDateEpoch: "1700000000" }), {
    year: 2023,
    month: 11,
    day: 14,
    hour: 22,
    minute: 13,
    second: 20,
  });
  assert.deepEqual(launcherZipDateTime({ sourceDateEpoch: "0" }), {
    year: 1980,
    month: 1,
    day: 1,
    hour: 0,
    minute: 0,
    second: 0,
  });
  assert.equal(launcherZipDateTime({ sourceDateEpoch: "99999999999" }).year, 2107);
});

Deno.test({
  name: "renderWindowsConsoleScript() writes the bytes of the real pip's distlib ScriptMaker on Windows",
  ignore: skipIf(NO_PY, NO_PY_WHY),
  async fn(t) {
    await using tmp = await tempDir();
    const specs = ["pip = pip._internal.cli.main:main", "pip3.12 = pip._internal.cli.main:main", "t = a.b:C.run"];
    const cases = [
      { label: "x64, a path with a space", exe: "C:\\Program Files\\My env\\Scripts\\python.exe", bits: 64 },
      { label: "ARM64", exe: "C:\\env\\Scripts\\python.exe", bits: 64, arm: true },
      { label: "32-bit", exe: "D:\\x86 env\\Scripts\\python.exe", bits: 32 },
      { label: "x64, no SOURCE_DATE_EPOCH", exe: "C:\\é\\Scripts\\python.exe", bits: 64, now: true },
    ].map((c) => ({
      ...c,
      machine: c.arm ? "arm64" : c.bits === 64 ? "x86_64" : "x86",
      sysVersion: `3.12.7 (tags/v3.12.7:0b05ead, Oct  1 2024, 03:06:41) [MSC v.1941 ${c.bits} bit (${
        c.arm ? "ARM64" : c.bits === 64 ? "AMD64" : "Intel"
      })]`,
      sourceDateEpoch: c.now ? null : "1712345678",
      specs,
    }));
    for (const pip of PIPS) {
      const distlib = DISTLIB_OF[pip.version]!;
      const launchers = await launchersOf(pip, path.join(tmp.path, pip.version));
      const started = Date.now();
      const theirs = await withPip(pip, DISTLIB_WINDOWS, cases) as [string, string][][];
      for (const [i, c] of cases.entries()) {
        await t.step(`pip ${pip.version} (distlib ${distlib}) ${c.label}`, () => {
          const launcherName = windowsLauncherName(c, distlib);
          const launcher = Deno.readFileSync(path.join(launchers, launcherName));
          const shebang = new TextEncoder().encode(consoleScriptShebang(c.exe, { os: "windows", distlib }));
          const written = theirs[i]!;
          assert.deepEqual(written.map(([name]) => name), ["pip.exe", "pip3.12.exe", "t.exe"]);
          for (const [name, content] of written) {
            const file = hex(content);
            assert.deepEqual(file.subarray(0, launcher.length), launcher, `${name} starts with ${launcherName}`);
            const dateTime = c.sourceDateEpoch === null
              ? zipDateTimeAt(file, launcher.length + shebang.length)
              : launcherZipDateTime({ sourceDateEpoch: c.sourceDateEpoch, distlib });
            if (c.sourceDateEpoch === null) {
              // Unset, distlib stamps the local time of writing.
              const stamped = new Date(dateTime.year, dateTime.month - 1, dateTime.day, dateTime.hour, dateTime.minute);
              assert.ok(Math.abs(stamped.getTime() - started) < 5 * 60_000, JSON.stringify(dateTime));
            }
            const spec = specs.find((s) => windowsScriptFileName(s.split(" ")[0]!) === name)!;
            const [module, attr] = spec.split(" = ")[1]!.split(":") as [string, string];
            const ours = renderWindowsConsoleScript(c.exe, module, attr, {
              launcher,
              dateTime,
              template: pip.template,
              distlib,
            });
            assert.deepEqual(ours, file, name);
          }
        });
      }
    }
  },
});

Deno.test({
  name: "a rendered Windows script reads back with zipfile and unzip, and Python runs pip from it",
  ignore: skipIf(NO_PY || !HAS_WHEEL26, NO_PY ? NO_PY_WHY : `${WHEEL26} is missing`),
  async fn() {
    await using tmp = await tempDir();
    const pip = PIPS.find((p) => p.wheel)!;
    const launcher = Deno.readFileSync(path.join(await launchersOf(pip, tmp.path), "t64.exe"));
    const exePath = "C:\\Users\\Ann\\My env\\Scripts\\python.exe";
    const dateTime = { year: 2025, month: 12, day: 31, hour: 23, minute: 58, second: 59 };
    const exe = renderWindowsConsoleScript(exePath, PIP_MAIN.module, PIP_MAIN.attr, { launcher, dateTime });
    const file = path.join(tmp.path, "pip.exe");
    Deno.writeFileSync(file, exe);

    assert.deepEqual(exe.subarray(0, launcher.length), launcher);
    const shebang = `#!"${exePath}"\n`;
    const afterLauncher = exe.subarray(launcher.length);
    assert.equal(new TextDecoder().decode(afterLauncher.subarray(0, shebang.length + 4)), `${shebang}PK\x03\x04`);
    const body = renderConsoleScript("/x", PIP_MAIN.module, PIP_MAIN.attr).slice("#!/x\n".length);

    // Python's zipfile finds the archive behind the launcher, checks the CRC and reports the fields distlib's had.
    const code = `import json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    info = z.infolist()
    print(json.dumps({
        "bad": z.testzip(),
        "entries": [[i.filename, i.compress_type, list(i.date_time), i.create_system, i.external_attr, i.flag_bits]
                    for i in info],
        "body": z.read("__main__.py").decode("utf-8"),
    }))
`;
    const read = await run(PY!, ["-c", code, file], { env: pythonEnv(tmp.path) });
    assert.equal(read.code, 0, read.stderr);
    assert.deepEqual(JSON.parse(read.stdout), {
      bad: null,
      entries: [["__main__.py", 0, [2025, 12, 31, 23, 58, 58], 0, 0o600 << 16, 0]],
      body,
    });

    // Info-ZIP's unzip too (it warns about the launcher's bytes before the archive: exit code 1).
    if (existsSync("/usr/bin/unzip")) {
      const unzip = await run("/usr/bin/unzip", ["-p", file, "__main__.py"], { env: pythonEnv(tmp.path) });
      assert.ok(unzip.code <= 1, unzip.stderr);
      assert.equal(unzip.stdout, body);
    } else console.log("skipped: unzip checks (/usr/bin/unzip is missing)");

    // What the launcher does on Windows, minus the stub: the interpreter runs the file as a zip application.
    const ran = await run(PY!, [file, "--version"], { env: { ...pythonEnv(tmp.path), PYTHONPATH: pip.wheel! } });
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(ran.stdout, /^pip 26\.2\.1 from /);
  },
});

Deno.test("scriptTemplateFor() follows the pip that writes the scripts: distlib's template from 19.3 to 25.0.x", () => {
  for (const v of ["17.1", "18.0", "18.1"]) assert.equal(scriptTemplateFor(v), "pip18", v);
  for (const v of ["19.0", "19.1.1", "19.2.3"]) assert.equal(scriptTemplateFor(v), "pip19", v);
  for (const v of ["19.3", "20.0.2", "23.2.1", "24.0", "25.0", "25.0.1"]) {
    assert.equal(scriptTemplateFor(v), "pip23", v);
  }
  for (const v of ["25.1", "25.3", "26.2.1", "27.0", undefined]) assert.equal(scriptTemplateFor(v), "pip26", String(v));
});

Deno.test("pip before 19.0 (distlib 0.2.7) leaves an empty line after a simple shebang, not after the trampoline", () => {
  const simple = renderConsoleScript("/env/bin/python", "pip._internal", "main", { template: "pip18" });
  assert.ok(simple.startsWith("#!/env/bin/python\n\n# -*- coding: utf-8 -*-\nimport re\nimport sys\n\nfrom pip."));
  const trampoline = renderConsoleScript("/a b/bin/python", "pip._internal", "main", { template: "pip18" });
  assert.ok(trampoline.startsWith(`#!/bin/sh\n'''exec' "/a b/bin/python" "$0" "$@"\n' '''\n# -*- coding`));
  const pip19 = renderConsoleScript("/env/bin/python", "pip._internal", "main", { template: "pip19" });
  assert.equal(pip19, simple.replace("\n\n# -*-", "\n# -*-"));
});

Deno.test("firstCsvField() reads back the path csvField() writes, quotes and commas included", () => {
  for (const name of ["pip/__init__.py", 'say "hi".txt', "odd,name.py", '"', '""', 'a","b', 'trailing"']) {
    assert.equal(firstCsvField(`${csvField(name)},sha256=abc,12`), name, name);
    assert.equal(firstCsvField(csvField(name)), name, name);
  }
});
