/**
 * lib/seeder/console_scripts.ts must write what pip writes: its rules are compared with pip's own functions (pip
 * 23.2.1 installed in pyenv's 3.12 and pip 26.2.1 run from its wheel), and its scripts and RECORD lines byte for byte
 * with the files the real pip wrote into fresh environments (a plain path, a path with a space and one too long for a
 * shebang line).
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
  recordHash,
  recordLinesForScripts,
  recordPath,
  renderConsoleScript,
  type ScriptTemplate,
} from "../../lib/seeder/console_scripts.ts";
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
  assert.throws(() => consoleScriptShebang("/env/bin/python", { windows: true }), MkvenvError);
  assert.throws(
    () => renderConsoleScript("C:\\env\\Scripts\\python.exe", "m", "f", { os: "windows" }),
    /console script launchers for Windows are not implemented/,
  );
  assert.throws(() => renderConsoleScript("/env/bin/python", "pip", ""), MkvenvError);
  assert.throws(() => renderConsoleScript("/env/bin/python", "a b", "main"), MkvenvError);
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

Deno.test("recordPath(), recordHash() and consoleScriptMode() follow pip and distlib", async () => {
  assert.equal(recordPath("/env/lib/python3.12/site-packages", "/env/bin/pip"), "../../../bin/pip");
  assert.equal(recordPath("/env/lib64/python3.12/site-packages/", "/env//bin/./pip3.12"), "../../../bin/pip3.12");
  assert.equal(recordPath("/env/lib/pypy3.10/site-packages", "/env/lib/pypy3.10/site-packages/x/y"), "x/y");
  assert.throws(() => recordPath("lib/site-packages", "/env/bin/pip"), /absolute/);
  assert.equal(await recordHash(""), "sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU");
  assert.equal(await recordHash(new Uint8Array([0xfb, 0xff])), "sha256=24_tVBWa_kCs5bSdcCJZ_YjJxACTBxgYJEh7qrXGveo");
  assert.deepEqual(
    await recordLinesForScripts("/e/lib/python3.12/site-packages", "/e/bin", [{ name: 'a,"b', content: "" }]),
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
        assert.deepEqual(theirs, await recordLinesForScripts(sitePackages, bin, files));

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
