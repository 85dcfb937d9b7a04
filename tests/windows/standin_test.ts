/**
 * The stand-in interpreters themselves, and mkvenv's interrogation of them on Windows: the answer comes back with
 * Windows paths, mkvenv runs `python.exe -E -s -B -c <script>` from %SystemRoot% with PYTHONIOENCODING=utf-8, and
 * the venv launcher stand-in reports the environment it belongs to. The stand-ins answer with the CPython 3.12
 * fixture; they are not Python (see tests/fixtures/windows/).
 */
import assert from "node:assert/strict";
import { interrogate } from "../../lib/discovery/interrogate.ts";
import { win32 } from "../../lib/path.ts";
import { makeInstall } from "./_standin.ts";
import { run, skipFor, standinSkipReason, suiteEnv, tempDir } from "./_setup.ts";

const SKIP = skipFor(standinSkipReason());

interface LogLine {
  exe: string;
  argv: string[];
  cwd: string;
  launcher: string | null;
  pythonioencoding: string | null;
}

function readLog(file: string): LogLine[] {
  try {
    return Deno.readTextFileSync(file).split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
  } catch {
    return [];
  }
}

Deno.test({
  name: "windows: interrogate() reads a stand-in install's answer, with its Windows paths, as mkvenv runs it",
  ignore: SKIP,
  async fn() {
    await using tmp = await tempDir("Pythön 3.12 ß");
    const install = await makeInstall(win32.join(tmp.path, "Python312"), { version: [3, 12, 7] });
    const log = win32.join(tmp.path, "standin.log");
    Deno.env.set("MKVENV_STANDIN_LOG", log);
    try {
      const result = await interrogate(install.python, { timeoutMs: 30_000 });
      assert.ok(result.ok, result.ok ? "" : result.reason);
      assert.deepEqual(result.info, install.info);
      assert.equal(result.info.systemExecutable, install.python);
      assert.equal(result.info.stdlib, win32.join(install.dir, "Lib"));
      assert.match(result.info.basePrefix, /^[A-Z]:\\.*\\Pythön 3\.12 ß\\Python312$/);
      const [call] = readLog(log);
      assert.ok(call, "the stand-in logged its run");
      assert.deepEqual(call.argv.slice(0, 4), ["-E", "-s", "-B", "-c"]);
      assert.match(call.argv[4]!, /mkvenv interrogation script/);
      assert.equal(call.cwd.replace(/\\$/, "").toLowerCase(), Deno.env.get("SystemRoot")!.toLowerCase());
      assert.equal(call.pythonioencoding, "utf-8");
      assert.equal(call.launcher, null);
    } finally {
      Deno.env.delete("MKVENV_STANDIN_LOG");
    }
  },
});

Deno.test({
  name: "windows: the stand-in answers -V, refuses Python code, and its venv launcher needs a pyvenv.cfg",
  ignore: SKIP,
  async fn() {
    await using tmp = await tempDir();
    const install = await makeInstall(win32.join(tmp.path, "Python312"), { version: [3, 12, 7] });
    const version = await run(install.python, ["-V"]);
    assert.equal(version.code, 0, version.stderr);
    assert.equal(version.stdout, "Python 3.12.7\r\n");
    const code = await run(install.python, ["-c", "print(1)"]);
    assert.equal(code.code, 9);
    assert.match(code.stderr, /cannot run Python code/);
    const lonely = await run(install.launchers[0], ["-V"]);
    assert.equal(lonely.code, 106);
    assert.match(lonely.stderr, /no pyvenv\.cfg/);
  },
});

Deno.test({
  name: "windows: a venv launcher stand-in runs pyvenv.cfg's home\\python.exe and reports the environment",
  ignore: SKIP,
  async fn() {
    await using tmp = await tempDir("env with spaces");
    const install = await makeInstall(win32.join(tmp.path, "Python312"), { version: [3, 12, 7] });
    const venv = win32.join(tmp.path, "venv");
    await Deno.mkdir(win32.join(venv, "Scripts"), { recursive: true });
    await Deno.writeTextFile(win32.join(venv, "pyvenv.cfg"), `home = ${install.dir}\r\n`);
    const launcher = win32.join(venv, "Scripts", "python.exe");
    await Deno.copyFile(install.launchers[0], launcher);
    const result = await interrogate(launcher, { timeoutMs: 30_000 });
    assert.ok(result.ok, result.ok ? "" : result.reason);
    assert.equal(result.info.inVenv, true);
    assert.equal(result.info.prefix, venv);
    assert.equal(result.info.executable, launcher);
    assert.equal(result.info.basePrefix, install.dir);
    assert.equal(result.info.systemExecutable, install.python);
    // The exit code of the interpreter comes back through the launcher.
    const refused = await run(launcher, ["-c", "print(1)"], { env: suiteEnv() });
    assert.equal(refused.code, 9);
  },
});
