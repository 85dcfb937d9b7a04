/**
 * Windows paths as DEST: spaces, non-ASCII characters and cmd's special characters all the way into pyvenv.cfg, the
 * activators and pip's `.exe` launchers (which then run); `/` separators; a DEST on another drive than the
 * interpreter; and the messages for paths that cannot be used: a drive that does not exist, a UNC share that does
 * not exist, the `;` of PATH, an existing file. The interpreter is a stand-in install given with `-p` (no registry).
 */
import assert from "node:assert/strict";
import { win32 } from "../../lib/path.ts";
import { makeInstall, pipWheelSkipReason, type StandinInstall } from "./_standin.ts";
import { checkActivateBat, checkPipExeChain, checkWindowsVenv } from "./_venv.ts";
import { cli, type CliResult, isDir, skipFor, standinSkipReason, tempDir, underWine } from "./_setup.ts";

const SKIP = skipFor(standinSkipReason() ?? pipWheelSkipReason());

/** A one-line `error:` (an optional `hint:` after it), no stack trace, nothing on stdout. */
function assertCleanError(r: CliResult, code: number, ...mentions: string[]): void {
  assert.equal(r.code, code, r.stderr);
  assert.equal(r.stdout, "");
  const lines = r.stderr.split("\n").filter((l) => l && !l.startsWith("usage:") && !l.startsWith("       mkvenv"));
  assert.match(lines[0] ?? "", /^error: /, r.stderr);
  assert.ok(lines.slice(1).every((l) => l.startsWith("hint: ")), r.stderr);
  assert.doesNotMatch(r.stderr, /^\s+at /m, "no stack trace");
  for (const text of mentions) assert.ok(lines[0]!.includes(text), `the error names ${text}: ${r.stderr}`);
}

Deno.test({
  name: "windows: DEST paths",
  ignore: SKIP,
  async fn(t) {
    await using tmp = await tempDir();
    const install: StandinInstall = await makeInstall(win32.join(tmp.path, "Python312"), {
      version: [3, 12, 7],
      bundlePip: true,
    });
    const common = ["-p", install.python, "--app-data", win32.join(tmp.path, "app-data"), "--no-periodic-update"];

    await t.step(
      "spaces, non-ASCII and cmd's special characters reach pyvenv.cfg, activate.bat and pip.exe",
      async () => {
        const dest = win32.join(tmp.path, "my env & 100% ^ (x) é ß 中文 🐍");
        const r = await cli([dest, ...common]);
        assert.equal(r.code, 0, r.stderr);
        assert.ok(r.stdout.includes(`dest=${dest},`), r.stdout);
        checkWindowsVenv(dest, install, { seeded: true }); // the pip.exe shebang is quoted: the path has spaces
        await checkPipExeChain(dest, install, tmp.path); // distlib's launcher reads that shebang as UTF-8
        if (!underWine()) await checkActivateBat(dest, tmp.path);
      },
    );

    await t.step("cmd.exe runs activate.bat and deactivate.bat in such a folder", async () => {
      // Two things Wine's cmd does unlike Windows': it expands a % inside a variable's value again, and it reads a
      // batch file in the ANSI code page whatever `chcp 65001` said. Under Wine the folder holds neither, then.
      const dest = win32.join(tmp.path, `cmd env & ^ (x)${underWine() ? "" : " 100% é ß 中文 🐍"}`);
      const r = await cli([dest, ...common, "--no-seed"]);
      assert.equal(r.code, 0, r.stderr);
      await checkActivateBat(dest, tmp.path);
    });

    await t.step("a relative DEST with / separators is made below the working folder, written with \\", async () => {
      const cwd = win32.join(tmp.path, "project dir");
      await Deno.mkdir(cwd);
      const r = await cli(["sub/dir/.venv", ...common, "--no-seed"], { cwd });
      assert.equal(r.code, 0, r.stderr);
      const dest = win32.join(cwd, "sub", "dir", ".venv");
      assert.ok(r.stdout.includes(`dest=${dest},`), r.stdout);
      checkWindowsVenv(dest, install, { seeded: false });
    });

    await t.step("a DEST on another drive than the interpreter and the app data", async () => {
      // Under Wine the Linux root is drive Z: and the temporary folder is on C:; a Windows runner has C: and D:.
      const here = tmp.path.slice(0, 2).toUpperCase();
      const drive = ["Z:", "D:", "C:"].find((d) => d !== here && isDir(`${d}\\`));
      if (!drive) return void console.log(`skipped: no drive besides ${here}`);
      await using away = await tempDirOn(drive);
      const dest = win32.join(away.path, "env");
      const r = await cli([dest, ...common]);
      assert.equal(r.code, 0, r.stderr);
      checkWindowsVenv(dest, install, { seeded: true });
    });

    await t.step("a drive that does not exist: an error naming the path", async () => {
      const drive = firstMissingDrive();
      const r = await cli([`${drive}\\mkvenv\\env`, ...common]);
      assertCleanError(r, r.code === 2 ? 2 : 1, `${drive}\\mkvenv\\env`);
    });

    await t.step("a UNC share that does not exist: an error naming the path", async () => {
      const unc = "\\\\localhost\\mkvenv-no-such-share\\env";
      const r = await cli([unc, ...common]);
      assertCleanError(r, r.code === 2 ? 2 : 1, unc);
    });

    await t.step("PATH's separator ; in DEST is refused up front (exit 2)", async () => {
      const dest = win32.join(tmp.path, "a;b");
      const r = await cli([dest, ...common]);
      assertCleanError(r, 2, `"${dest}"`, "(;)");
      assert.ok(!isDir(dest));
    });

    await t.step("an existing file, or a path below one, is refused (exit 2)", async () => {
      const file = win32.join(tmp.path, "notes.txt");
      await Deno.writeTextFile(file, "x");
      assertCleanError(await cli([file, ...common]), 2, `"${file}" already exists and is a file`);
      const below = win32.join(file, "env");
      assertCleanError(await cli([below, ...common]), 2, `"${below}" cannot be created: "${file}" is a file`);
    });
  },
});

Deno.test({
  name: "windows: a drive-relative DEST (C:env) is resolved on that drive, never made a folder named C:env",
  // Found by this suite: win32.resolve() used to join `C:env` to the working folder (`Z:\work\C:env`), and Wine,
  // whose Linux file system allows ':' in names, then created that folder. Windows refuses such a name.
  ignore: skipFor(standinSkipReason()),
  async fn() {
    await using tmp = await tempDir();
    const install = await makeInstall(win32.join(tmp.path, "Python312"), { version: [3, 12, 7] });
    const cwd = win32.join(tmp.path, "cwd");
    await Deno.mkdir(cwd);
    const name = `mkvenv-drive-relative-${crypto.randomUUID().slice(0, 8)}`;
    const drive = cwd.slice(0, 2).toUpperCase() === "C:" ? "Z:" : "C:";
    const r = await cli([`${drive}${name}`, "-p", install.python, "--no-seed", "--app-data", tmp.path], { cwd });
    try {
      assert.ok(!isDir(win32.join(cwd, `${drive}${name}`)), "no folder named after the drive-relative path");
      // As Windows (and node:path) resolve it: against the drive's working folder, which is this process's when it
      // is on that drive, else the drive's root.
      const process = Deno.cwd();
      const expected = process.slice(0, 2).toUpperCase() === drive ? win32.join(process, name) : `${drive}\\${name}`;
      if (r.code === 0) assert.ok(isDir(expected), `${expected}: ${r.stdout}`);
      else assertCleanError(r, 2, `${drive}${name}`);
    } finally {
      await Deno.remove(win32.join(Deno.cwd(), name), { recursive: true }).catch(() => {});
      await Deno.remove(`${drive}\\${name}`, { recursive: true }).catch(() => {});
      await Deno.remove(win32.join(cwd, `${drive}${name}`), { recursive: true }).catch(() => {});
    }
  },
});

/** The first drive letter from Q: on that has no root folder. */
function firstMissingDrive(): string {
  for (const letter of "QRSTUVWXY") {
    if (!isDir(`${letter}:\\`)) return `${letter}:`;
  }
  throw new Error("every drive letter from Q: to Y: exists");
}

/** A temporary folder on `drive`, removed by the disposer. */
async function tempDirOn(drive: string): Promise<{ path: string } & AsyncDisposable> {
  const root = drive === "Z:" ? "Z:\\tmp" : `${drive}\\`;
  const dir = await Deno.makeTempDir({ dir: root, prefix: "mkvenv_win_" });
  return {
    path: dir,
    async [Symbol.asyncDispose]() {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
