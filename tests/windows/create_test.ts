/**
 * A full `mkvenv DEST -p 3.12` through `cli.ts` on Windows, the interpreter found through the PEP 514 registry: the
 * Windows layout, pyvenv.cfg with Windows paths, `Scripts\` with the venv launcher copies, the cmd and PowerShell
 * activators, and pip seeded from the install's ensurepip wheel with its console scripts as distlib's `.exe`
 * launchers; then the launchers run (Wine's cmd.exe, distlib's t64.exe, the stand-in venv launcher).
 */
import assert from "node:assert/strict";
import { interrogate } from "../../lib/discovery/interrogate.ts";
import { win32 } from "../../lib/path.ts";
import { pipWheelSkipReason } from "./_standin.ts";
import { registeredWorld, worldSkipReason } from "./_world.ts";
import { checkActivateBat, checkPipExeChain, checkWindowsVenv, PIP_VERSION, readPyvenvCfg } from "./_venv.ts";
import { cli, cliProcess, skipFor, tempDir } from "./_setup.ts";

const SKIP = skipFor(worldSkipReason() ?? pipWheelSkipReason());

Deno.test({
  name: "windows: mkvenv DEST -p 3.12 through cli.ts, with the registered 3.12",
  ignore: SKIP,
  async fn(t) {
    await using tmp = await tempDir();
    await using world = await registeredWorld(win32.join(tmp.path, "pythons"));
    const appData = win32.join(tmp.path, "app-data");
    const dest = win32.join(tmp.path, "work", "env");
    await Deno.mkdir(win32.dirname(dest));

    await t.step("cli.ts creates it and reports the registered interpreter", async () => {
      const r = await cliProcess(["env", "-p", "3.12", "--app-data", appData, "--no-periodic-update"], {
        cwd: win32.dirname(dest),
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, "");
      assert.match(r.stdout, /^created virtual environment CPython3\.12\.7\.final\.0-64-x86_64 in \d+ms\r?\n/);
      assert.ok(r.stdout.includes(`creator CPython3Windows(dest=${dest},`), r.stdout);
      assert.ok(r.stdout.includes(`added seed packages: pip==${PIP_VERSION}`), r.stdout);
      assert.ok(r.stdout.includes("BatchActivator") && r.stdout.includes("PowerShellActivator"), r.stdout);
    });

    await t.step("the files are where a Windows venv has them", () => {
      checkWindowsVenv(dest, world.py312, { seeded: true });
    });

    await t.step("Scripts\\pip.exe runs Scripts\\python.exe, which runs home\\python.exe with pip.exe", async () => {
      await checkPipExeChain(dest, world.py312, tmp.path);
    });

    await t.step("cmd.exe: activate.bat sets VIRTUAL_ENV and PATH, deactivate.bat restores them", async () => {
      await checkActivateBat(dest, tmp.path);
    });

    await t.step(
      "Scripts\\python.exe reports the environment, and -p with it makes a sibling of the base",
      async () => {
        const launcher = win32.join(dest, "Scripts", "python.exe");
        const probed = await interrogate(launcher, { timeoutMs: 30_000 });
        assert.ok(probed.ok, probed.ok ? "" : probed.reason);
        assert.equal(probed.info.inVenv, true);
        assert.equal(probed.info.prefix, dest);
        assert.equal(probed.info.systemExecutable, world.py312.python);
        const sibling = win32.join(tmp.path, "work", "sibling");
        const r = await cli([sibling, "-p", launcher, "--no-seed", "--app-data", appData]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(readPyvenvCfg(sibling).get("home"), world.py312.dir);
      },
    );

    await t.step("-p 3.13 takes the 3.13 venvlauncher.exe, -p 3.11-32 the 32-bit install", async () => {
      const e313 = win32.join(tmp.path, "work", "e313");
      const r313 = await cli([e313, "-p", "3.13", "--no-seed", "--app-data", appData]);
      assert.equal(r313.code, 0, r313.stderr);
      checkWindowsVenv(e313, world.py313, { seeded: false });
      const e311 = win32.join(tmp.path, "work", "e311");
      const r311 = await cli([e311, "-p", "3.11-32", "--no-seed", "--app-data", appData]);
      assert.equal(r311.code, 0, r311.stderr);
      checkWindowsVenv(e311, world.py311x86, { seeded: false });
    });
  },
});
