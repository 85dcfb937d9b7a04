/**
 * The Windows layout without a venv launcher (an embeddable-style install with no `Lib\venv\scripts\nt`): mkvenv
 * copies the interpreter itself into `Scripts\` under each of its names, with the DLLs and extension modules beside it
 * and the zipped standard library, but not pywin32's DLLs (virtualenv #2662). Real files on a Windows file system,
 * compared byte for byte with the install's.
 */
import assert from "node:assert/strict";
import { win32 } from "../../lib/path.ts";
import { makeInstall } from "./_standin.ts";
import { readPyvenvCfg } from "./_venv.ts";
import { cli, isFile, skipFor, standinSkipReason, tempDir } from "./_setup.ts";

Deno.test({
  name: "windows: without a venv launcher, python.exe is copied with its DLLs, .pyd files and python312.zip",
  ignore: skipFor(standinSkipReason()),
  async fn() {
    await using tmp = await tempDir();
    const install = await makeInstall(win32.join(tmp.path, "python-3.12.7-embed"), {
      version: [3, 12, 7],
      noLauncher: true,
    });
    const dest = win32.join(tmp.path, "env");
    const r = await cli([dest, "-p", install.python, "--no-seed", "--app-data", win32.join(tmp.path, "app-data")]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readPyvenvCfg(dest).get("home"), install.dir);
    const scripts = win32.join(dest, "Scripts");
    const same = (a: string, b: string) => assert.deepEqual(Deno.readFileSync(a), Deno.readFileSync(b), `${a} = ${b}`);
    for (const name of ["python.exe", "python3.exe"]) same(win32.join(scripts, name), install.python);
    same(win32.join(scripts, "pythonw.exe"), install.pythonw);
    const copied = ["python3.dll", "python312.dll", "vcruntime140.dll", "vcruntime140_1.dll", "python312.zip"];
    for (const name of copied) same(win32.join(scripts, name), win32.join(install.dir, name));
    for (const name of ["_ssl.pyd", "libssl-3.dll", "pyexpat.pyd"]) {
      same(win32.join(scripts, name), win32.join(install.dir, "DLLs", name));
    }
    assert.ok(!isFile(win32.join(scripts, "pywintypes312.dll")), "pywin32's DLL stays behind");
    assert.ok(!Deno.lstatSync(win32.join(scripts, "python.exe")).isSymlink, "a copy, never a link (bpo-42013)");
  },
});
