/**
 * End to end: errors of the command line that need more than a golden file. The errors a plain run reports, with
 * their exact text and exit code, are spec scenarios (`tests/specs/error_*`, run by `specs_test.ts`); here are the
 * ones that need another user (permission bits) or several runs. Usage errors (exit 2) print the usage line first;
 * failures (exit 1) do not.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { cleanEnv, mkvenv, realPythons, run, skipIf, tempDir } from "../_helpers.ts";

const USAGE = "usage: mkvenv [options] DEST\n       mkvenv --list-pythons [-p SPEC] [--json]\n";
const PY = realPythons()[0];
/** Debian's interpreter: readable by `nobody`, unlike pyenv's under /root. */
const SYSTEM_PY = realPythons().find((p) => p.label.startsWith("debian"));

Deno.test("cli: --version and --help print to stdout and exit 0", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  let r = await mkvenv(["--version"]);
  assert.deepEqual([r.code, r.stdout, r.stderr], [0, `mkvenv ${config.version}\n`, ""]);
  r = await mkvenv(["--help"]);
  assert.equal(r.code, 0);
  assert.ok(r.stdout.startsWith(USAGE));
  assert.match(r.stdout, /\n {2}--list-pythons +list every interpreter found/);
});

Deno.test({
  name: "cli: --help names the creator builtin means for the interpreter -p (or the default) finds",
  ignore: skipIf(!PY, "no CPython found"),
  async fn() {
    await using tmp = await tempDir();
    const ad = path.join(tmp.path, "ad");
    let r = await mkvenv(["--help", "-p", PY!.exe, "--app-data", ad]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\(default: builtin; builtin is cpython3-posix for CPython3\.\d+\.\d+\.final\.0-64-\w+ \(/);
    const pypy = await run("/usr/bin/pypy3", ["-c", ""]).then((x) => x.code === 0, () => false);
    if (pypy) {
      r = await mkvenv(["--help", "-p", "/usr/bin/pypy3", "--app-data", ad]);
      assert.match(r.stdout, /builtin is pypy3-posix for PyPy3\.\d+/);
    }
    r = await mkvenv(["--help", "-p", "3.99", "--app-data", ad], { env: cleanEnv({ PATH: path.dirname(PY!.exe) }) });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\(default: builtin; no interpreter found for builtin to choose for: /);
  },
});

const canDropPrivileges = (() => {
  try {
    return Deno.uid() === 0 && Deno.statSync("/usr/bin/setpriv").isFile;
  } catch {
    return false;
  }
})();

Deno.test({
  name: "cli error: a destination with no writable ancestor exits 2 naming the folder",
  ignore: skipIf(!canDropPrivileges && Deno.uid() === 0, "running as root without setpriv to run as another user"),
  async fn() {
    await using tmp = await tempDir();
    await Deno.chmod(tmp.path, 0o755);
    const locked = path.join(tmp.path, "locked");
    await Deno.mkdir(locked, { mode: 0o555 });
    await Deno.chmod(locked, 0o555);
    const denoDir = path.join(tmp.path, "deno-dir");
    await Deno.mkdir(denoDir, { mode: 0o777 });
    await Deno.chmod(denoDir, 0o777);
    const cli = path.resolve(import.meta.dirname!, "..", "..", "cli.ts");
    const argv = [Deno.execPath(), "run", "-A", "--no-config", cli, path.join(locked, "sub", "env")];
    // As root, permission bits do not apply: run as nobody instead.
    const [cmd, ...args] = Deno.uid() === 0
      ? ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", ...argv]
      : argv;
    const r = await run(cmd!, args, { env: cleanEnv({ HOME: tmp.path, DENO_DIR: denoDir }), cwd: tmp.path });
    assert.equal(
      r.stderr.replaceAll(tmp.path, "$TMP"),
      `${USAGE}error: The destination "$TMP/locked/sub/env" cannot be created: "$TMP/locked" is not writable\n` +
        "hint: choose a destination in a folder you can write to\n",
    );
    assert.equal(r.code, 2);
  },
});

/** Runs the CLI as `nobody` (root ignores permission bits), with a Deno cache that user can write. */
async function runAsNobody(tmp: string, args: string[], extraSetpriv: string[] = []) {
  const denoDir = path.join(tmp, "deno-dir");
  await Deno.mkdir(denoDir, { recursive: true, mode: 0o777 });
  await Deno.chmod(denoDir, 0o777);
  const cli = path.resolve(import.meta.dirname!, "..", "..", "cli.ts");
  // No seeding: these check the destination, and nobody has no Deno cache with the npm dependency in it.
  const argv = [Deno.execPath(), "run", "-A", "--no-config", cli, ...args, "--no-seed"];
  const [cmd, ...rest] = Deno.uid() === 0
    ? [
      "/usr/bin/setpriv",
      "--reuid=65534",
      "--regid=65534",
      ...(extraSetpriv.length ? extraSetpriv : ["--clear-groups"]),
      ...argv,
    ]
    : argv;
  return await run(cmd!, rest, { env: cleanEnv({ HOME: tmp, DENO_DIR: denoDir }), cwd: tmp });
}

Deno.test({
  name: "cli error: a destination that cannot be listed exits 2 without a stack trace",
  ignore: skipIf(!canDropPrivileges, "needs root and setpriv to run as another user"),
  async fn() {
    await using tmp = await tempDir();
    await Deno.chmod(tmp.path, 0o755);
    const dest = path.join(tmp.path, "unlistable");
    await Deno.mkdir(dest);
    await Deno.chmod(dest, 0o333);
    const r = await runAsNobody(tmp.path, [dest]);
    assert.equal(
      r.stderr.replaceAll(tmp.path, "$TMP"),
      `${USAGE}error: The destination "$TMP/unlistable" cannot be read: permission denied\nhint: fix its permissions\n`,
    );
    assert.equal(r.code, 2);
  },
});

Deno.test({
  name: "cli: a folder writable through a supplementary group is not refused up front",
  ignore: skipIf(!canDropPrivileges || !SYSTEM_PY, "needs root, setpriv and /usr/bin/python3"),
  async fn() {
    await using tmp = await tempDir();
    await Deno.chmod(tmp.path, 0o755);
    const shared = path.join(tmp.path, "shared");
    await Deno.mkdir(shared);
    await Deno.chown(shared, 0, 100);
    await Deno.chmod(shared, 0o775);
    const ad = path.join(tmp.path, "ad");
    await Deno.mkdir(ad, { mode: 0o777 });
    await Deno.chmod(ad, 0o777);
    const r = await runAsNobody(tmp.path, [path.join(shared, "env"), "-p", SYSTEM_PY!.exe, "--app-data", ad], [
      "--groups=100",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok((await Deno.lstat(path.join(shared, "env", "pyvenv.cfg"))).isFile);
  },
});
