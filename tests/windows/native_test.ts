/**
 * What only a real Windows with real CPython can show (`.github/workflows/windows.yml` runs this with the Pythons
 * `actions/setup-python` installed, named in `MKVENV_WINDOWS_PYTHONS`, `;`-separated): the environment mkvenv makes
 * works. Its `python.exe` (the real venv launcher) starts the base interpreter, whose own site initialisation finds
 * pyvenv.cfg; pip runs from its `.exe` launcher; activate.bat and activate.ps1 put the environment first; and the
 * PEP 514 registrations the real installer wrote are found. Skipped under Wine and elsewhere.
 */
import assert from "node:assert/strict";
import { win32 } from "../../lib/path.ts";
import { cliProcess, IS_WINDOWS, isFile, run, skipFor, suiteEnv, tempDir, underWine } from "./_setup.ts";

const PYTHONS = (Deno.env.get("MKVENV_WINDOWS_PYTHONS") ?? "").split(";").map((p) => p.trim()).filter(Boolean);

function skipReason(): string | undefined {
  if (!IS_WINDOWS) return "needs Windows";
  if (underWine()) return "needs a real Windows with real CPython (Wine has only the stand-ins)";
  if (!PYTHONS.length) return "set MKVENV_WINDOWS_PYTHONS to real python.exe paths (;-separated)";
  const missing = PYTHONS.filter((p) => !isFile(p));
  return missing.length ? `no such interpreter: ${missing.join(", ")}` : undefined;
}

const SKIP = skipFor(skipReason());

/** Runs Python code with `exe` and parses the JSON it prints. */
async function pythonJson(exe: string, code: string, env: Record<string, string> = {}): Promise<unknown> {
  const r = await run(exe, ["-c", code], { env: suiteEnv(env) });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

const SYS = "import json, os, sys; print(json.dumps({'prefix': sys.prefix, 'base': sys.base_prefix, " +
  "'exe': sys.executable, 'path0': sys.path[-1], 'venv': os.environ.get('VIRTUAL_ENV')}))";

for (const python of PYTHONS.length ? PYTHONS : ["(none)"]) {
  Deno.test({
    name: `windows native: an environment of ${python} works, with spaces and non-ASCII in its path`,
    ignore: SKIP,
    async fn(t) {
      await using tmp = await tempDir("real env é 中");
      const dest = win32.join(tmp.path, "venv");
      const base = (await pythonJson(python, SYS)) as { prefix: string };

      await t.step("cli.ts creates it", async () => {
        const r = await cliProcess([dest, "-p", python, "--no-periodic-update"]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^created virtual environment CPython3\.\d+/);
      });

      await t.step("Scripts\\python.exe runs in the environment (site found pyvenv.cfg)", async () => {
        const info = (await pythonJson(win32.join(dest, "Scripts", "python.exe"), SYS)) as Record<string, string>;
        assert.equal(info.prefix, dest);
        assert.equal(info.base, base.prefix);
        assert.equal(info.exe, win32.join(dest, "Scripts", "python.exe"));
        assert.equal(info.path0, win32.join(dest, "Lib", "site-packages"));
      });

      await t.step("Scripts\\pip.exe runs the environment's pip", async () => {
        const r = await run(win32.join(dest, "Scripts", "pip.exe"), ["--version"]);
        assert.equal(r.code, 0, r.stderr);
        assert.ok(r.stdout.includes(`from ${win32.join(dest, "Lib", "site-packages", "pip")} (python 3.`), r.stdout);
      });

      const check = "import os, sys; print(sys.prefix == os.environ['CHECK_DEST'] == os.environ['VIRTUAL_ENV'])";

      await t.step("activate.bat puts the environment first for cmd", async () => {
        const script = win32.join(tmp.path, "check.cmd");
        await Deno.writeTextFile(script, `@call "%CHECK_DEST%\\Scripts\\activate.bat"\r\n@python -c "${check}"\r\n`);
        const r = await run("cmd.exe", ["/d", "/c", script], { env: suiteEnv({ CHECK_DEST: dest }) });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout.trim(), "True");
      });

      await t.step("activate.ps1 puts the environment first for PowerShell", async () => {
        const script = win32.join(tmp.path, "check.ps1");
        await Deno.writeTextFile(
          script,
          `. (Join-Path $env:CHECK_DEST 'Scripts\\activate.ps1')\r\npython -c "${check.replaceAll("'", "''")}"\r\n` +
            "deactivate\r\nif ($env:VIRTUAL_ENV) { exit 3 }\r\n",
        );
        const shell = isFile("C:\\Program Files\\PowerShell\\7\\pwsh.exe") ? "pwsh" : "powershell";
        const r = await run(shell, ["-NoProfile", "-ExecutionPolicy", "Bypass", "-File", script], {
          env: suiteEnv({ CHECK_DEST: dest }),
        });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout.trim(), "True");
      });
    },
  });
}

Deno.test({
  name: "windows native: every PEP 514 registration reg.exe shows with an existing python.exe is listed",
  ignore: skipFor(IS_WINDOWS && !underWine() ? undefined : "needs a real Windows registry"),
  async fn() {
    const registered = new Set<string>();
    for (const root of ["HKCU\\Software\\Python", "HKLM\\Software\\Python", "HKLM\\Software\\WOW6432Node\\Python"]) {
      const r = await run("reg", ["query", root, "/s", "/v", "ExecutablePath"]);
      for (const m of r.stdout.matchAll(/ExecutablePath\s+REG_(?:EXPAND_)?SZ\s+(.+?)\s*$/gm)) {
        if (isFile(m[1]!)) registered.add(m[1]!.toLowerCase());
      }
    }
    await using tmp = await tempDir();
    const r = await cliProcess(["--list-pythons", "--json", "--app-data", tmp.path]);
    assert.equal(r.code, 0, r.stderr);
    const listed = (JSON.parse(r.stdout) as { pythons: { path: string; source: string }[] }).pythons;
    const paths = new Set(listed.map((p) => p.path.toLowerCase()));
    for (const exe of registered) assert.ok(paths.has(exe), `${exe} is listed: ${r.stdout}`);
    console.log(`${registered.size} registered, ${listed.length} listed`);
  },
});
