/**
 * End to end: interpreter discovery through the CLI, with real interpreters arranged in PATH folders, pyenv / mise /
 * asdf roots and uv-managed install folders made by each test.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { cleanEnv, mkvenv, PYENV_ROOT, pyenvPython, run, skipIf, tempDir } from "../_helpers.ts";

const PY312 = pyenvPython("3.12");
const PY311 = pyenvPython("3.11");
const PY38 = pyenvPython("3.8");
const PY27 = (() => {
  const exe = path.join(PYENV_ROOT, "versions", "2.7.18", "bin", "python2.7");
  try {
    return Deno.statSync(exe).isFile ? exe : undefined;
  } catch {
    return undefined;
  }
})();
const missing = !PY312 || !PY311 || !PY38;
const WHY = "needs pyenv CPython 3.8, 3.11 and 3.12";

/** Makes `dir/name` a symlink to `target` (creating `dir`). */
async function link(dir: string, name: string, target: string): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  const file = path.join(dir, name);
  await Deno.symlink(target, file);
  return file;
}

/** Writes an executable shell script. */
async function script(file: string, body: string): Promise<string> {
  await Deno.mkdir(path.dirname(file), { recursive: true });
  await Deno.writeTextFile(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

/**
 * Lays out a fake pyenv root: a `python3` shim that records in `marker` if it is ever run and exits 127 (as pyenv's
 * do for unselected versions), one `versions/<name>/bin/python3` link per entry, and the global `version` file.
 */
async function fakePyenv(root: string, versions: Record<string, string>, selected: string, marker?: string) {
  await script(path.join(root, "shims", "python3"), `${marker ? `touch '${marker}'; ` : ""}exit 127`);
  for (const [name, target] of Object.entries(versions)) {
    await link(path.join(root, "versions", name, "bin"), "python3", target);
  }
  await Deno.writeTextFile(path.join(root, "version"), `${selected}\n`);
}

/** The interpreter `mkvenv --json` chose. */
async function chosen(
  args: string[],
  env: Record<string, string>,
  cwd?: string,
): Promise<{ path: string; source: string; version: string }> {
  const r = await mkvenv([...args, "--json"], { env, ...(cwd ? { cwd } : {}) });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout).python;
}

/** A PATH of only the given folders plus /bin for sh (which holds no python on Debian's merged /usr). */
function pathOf(...dirs: string[]): string {
  return [...dirs, "/nonexistent-path-entry", ""].join(":");
}

Deno.test({
  name: "discovery: default is python3 on PATH, then python; empty and missing PATH entries are skipped",
  ignore: skipIf(missing, WHY),
  async fn() {
    await using tmp = await tempDir();
    const a = path.join(tmp.path, "a"), b = path.join(tmp.path, "b");
    await link(a, "python", PY311!);
    await link(b, "python3", PY312!);
    const env = cleanEnv({ PATH: pathOf(a, b), HOME: tmp.path });
    const first = await chosen([path.join(tmp.path, "e1"), "--app-data", path.join(tmp.path, "ad")], env, tmp.path);
    assert.equal(first.path, path.join(b, "python3"));
    assert.equal(first.source, "PATH");
    await Deno.remove(path.join(b, "python3"));
    const second = await chosen([path.join(tmp.path, "e2"), "--app-data", path.join(tmp.path, "ad")], env, tmp.path);
    assert.equal(second.path, path.join(a, "python"));
  },
});

Deno.test({
  name: "discovery: the nearest .python-version chooses the default interpreter",
  ignore: skipIf(missing, WHY),
  async fn() {
    await using tmp = await tempDir();
    const bin = path.join(tmp.path, "bin");
    await link(bin, "python3", PY312!);
    await link(bin, "python3.11", PY311!);
    const project = path.join(tmp.path, "project", "sub");
    await Deno.mkdir(project, { recursive: true });
    await Deno.writeTextFile(path.join(tmp.path, "project", ".python-version"), "# pinned\n3.11\n");
    const env = cleanEnv({ PATH: pathOf(bin), HOME: tmp.path });
    const picked = await chosen(["env", "--app-data", path.join(tmp.path, "ad")], env, project);
    assert.equal(picked.path, path.join(bin, "python3.11"));
    await Deno.writeTextFile(path.join(tmp.path, "project", ".python-version"), "3.x\n");
    const r = await mkvenv(["env2", "--app-data", path.join(tmp.path, "ad")], { env, cwd: project });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /error: Cannot parse Python spec "3\.x".*\(read from .*\.python-version\)/);
  },
});

Deno.test({
  name: "discovery: -p is repeatable and the first spec that finds an interpreter wins",
  ignore: skipIf(missing, WHY),
  async fn() {
    await using tmp = await tempDir();
    const bin = path.join(tmp.path, "bin");
    await link(bin, "python3.12", PY312!);
    await link(bin, "python3.11", PY311!);
    const env = cleanEnv({ PATH: pathOf(bin), HOME: tmp.path });
    const ad = path.join(tmp.path, "ad");
    const first = await chosen(["e1", "-p", "3.99", "-p", "3.11", "-p", "3.12", "--app-data", ad], env, tmp.path);
    assert.equal(first.version, await version(PY311!));
    assert.match((await chosen(["e2", "-p", ">=3.12", "--app-data", ad], env, tmp.path)).version, /^3\.12\./);
    assert.match((await chosen(["e3", "-p", "cpython3.11-64", "--app-data", ad], env, tmp.path)).version, /^3\.11\./);
    assert.match(
      (await chosen(["e4", "-p", "cpython>=3.9,!=3.12.*", "--app-data", ad], env, tmp.path)).version,
      /^3\.11\./,
    );
    const r = await mkvenv(["e5", "-p", "3.13t", "--app-data", ad], { env, cwd: tmp.path });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: Cannot find a Python interpreter for "3\.13t" on PATH/);
    assert.match(r.stderr, /\nhint: /);
  },
});

async function version(exe: string): Promise<string> {
  const r = await run(exe, ["-c", "import platform; print(platform.python_version())"]);
  return r.stdout.trim();
}

Deno.test({
  name: "discovery: --try-first-with is tried before PATH",
  ignore: skipIf(missing, WHY),
  async fn() {
    await using tmp = await tempDir();
    const bin = path.join(tmp.path, "bin");
    await link(bin, "python3", PY312!);
    const env = cleanEnv({ PATH: pathOf(bin), HOME: tmp.path });
    const picked = await chosen(
      ["e", "--try-first-with", PY311!, "--app-data", path.join(tmp.path, "ad")],
      env,
      tmp.path,
    );
    assert.equal(picked.path, PY311);
    assert.equal(picked.source, "try-first-with");
    // An interpreter given by path is used as given: --try-first-with does not override it (as in virtualenv).
    const byPath = await chosen(
      ["e2", "-p", PY312!, "--try-first-with", PY311!, "--app-data", path.join(tmp.path, "ad")],
      env,
      tmp.path,
    );
    assert.equal(byPath.path, PY312);
    assert.equal(byPath.source, "path-spec");
  },
});

for (const manager of ["pyenv", "mise", "asdf"] as const) {
  Deno.test({
    name: `discovery: ${manager} shims resolve to the selected install without running the shim`,
    ignore: skipIf(missing, WHY),
    async fn() {
      await using tmp = await tempDir();
      const root = path.join(tmp.path, manager);
      const versions = manager === "pyenv" ? path.join(root, "versions") : path.join(root, "installs", "python");
      const marker = path.join(tmp.path, "shim-ran");
      for (const name of ["python3", "python3.8", "python3.12"]) {
        await script(path.join(root, "shims", name), `touch '${marker}'; exit 127`);
      }
      await link(path.join(versions, "3.12.1", "bin"), "python3", PY312!);
      await link(path.join(versions, "3.12.1", "bin"), "python3.12", PY312!);
      await link(path.join(versions, "3.8.18", "bin"), "python3", PY38!);
      await link(path.join(versions, "3.8.18", "bin"), "python3.8", PY38!);
      const extra: Record<string, string> = { PATH: pathOf(path.join(root, "shims")), HOME: tmp.path };
      if (manager === "pyenv") {
        extra.PYENV_ROOT = root;
        await Deno.writeTextFile(path.join(root, "version"), "3.12.1\n");
      } else {
        extra[manager === "mise" ? "MISE_DATA_DIR" : "ASDF_DATA_DIR"] = root;
        await Deno.writeTextFile(path.join(tmp.path, ".tool-versions"), "nodejs 20\npython 3.12.1\n");
      }
      const env = cleanEnv(extra);
      const ad = path.join(tmp.path, "ad");
      const selected = await chosen(["e1", "--app-data", ad], env, tmp.path);
      assert.equal(selected.path, path.join(versions, "3.12.1", "bin", "python3"));
      assert.equal(selected.source, manager);
      // 3.8 is installed but not selected: still found, as it would be once selected.
      const unselected = await chosen(["e2", "-p", "3.8", "--app-data", ad], env, tmp.path);
      assert.equal(unselected.path, path.join(versions, "3.8.18", "bin", "python3.8"));
      await assert.rejects(Deno.lstat(marker), Deno.errors.NotFound, "a shim was executed");
    },
  });
}

Deno.test({
  name: "discovery: pyenv's `system` selection means the next python3 on PATH, not pyenv's newest",
  ignore: skipIf(missing, WHY),
  async fn() {
    await using tmp = await tempDir();
    const root = path.join(tmp.path, "pyenv");
    await fakePyenv(root, { "3.12.1": PY312! }, "system");
    const system = path.join(tmp.path, "usr-bin");
    await link(system, "python3", PY311!);
    const env = cleanEnv({ PATH: pathOf(path.join(root, "shims"), system), PYENV_ROOT: root, HOME: tmp.path });
    const picked = await chosen(["e", "--app-data", path.join(tmp.path, "ad")], env, tmp.path);
    assert.equal(picked.path, path.join(system, "python3"));
  },
});

Deno.test({
  name: "discovery: uv-managed installs are found after PATH, newest matching first",
  ignore: skipIf(missing, WHY),
  async fn() {
    await using tmp = await tempDir();
    const uv = path.join(tmp.path, "uv-python");
    await link(path.join(uv, "cpython-3.12.1-linux-x86_64-gnu", "bin"), "python3", PY312!);
    await link(path.join(uv, "cpython-3.11.7-linux-x86_64-gnu", "bin"), "python3", PY311!);
    await Deno.mkdir(path.join(uv, ".lock"), { recursive: true });
    const env = cleanEnv({ PATH: pathOf(path.join(tmp.path, "empty")), UV_PYTHON_INSTALL_DIR: uv, HOME: tmp.path });
    const ad = path.join(tmp.path, "ad");
    const newest = await chosen(["e1", "-p", "3", "--app-data", ad], env, tmp.path);
    assert.equal(newest.path, path.join(uv, "cpython-3.12.1-linux-x86_64-gnu", "bin", "python3"));
    assert.equal(newest.source, "uv");
    const older = await chosen(["e2", "-p", "3.11", "--app-data", ad], env, tmp.path);
    assert.equal(older.path, path.join(uv, "cpython-3.11.7-linux-x86_64-gnu", "bin", "python3"));
  },
});

Deno.test({
  name: "discovery: an interpreter inside a virtual environment resolves to its base",
  ignore: skipIf(missing, WHY),
  async fn() {
    await using tmp = await tempDir();
    const venv = path.join(tmp.path, "stdlib-venv");
    const made = await run(PY312!, ["-m", "venv", "--without-pip", venv]);
    assert.equal(made.code, 0, made.stderr);
    const dest = path.join(tmp.path, "ours");
    const r = await mkvenv([dest, "-p", path.join(venv, "bin", "python"), "--app-data", path.join(tmp.path, "ad")]);
    assert.equal(r.code, 0, r.stderr);
    const cfg = await Deno.readTextFile(path.join(dest, "pyvenv.cfg"));
    const base = path.dirname(path.dirname(PY312!));
    assert.match(cfg, new RegExp(`^home = ${RegExp.escape(path.join(base, "bin"))}$`, "m"));
    assert.match(cfg, new RegExp(`^base-prefix = ${RegExp.escape(base)}$`, "m"));
    assert.ok(!(await Deno.readLink(path.join(dest, "bin", "python"))).startsWith(venv));
  },
});

Deno.test({
  name: "discovery: Python 2 is refused with the version and the minimum",
  ignore: skipIf(!PY27, "needs pyenv CPython 2.7.18"),
  async fn() {
    await using tmp = await tempDir();
    const r = await mkvenv([path.join(tmp.path, "e"), "-p", PY27!, "--app-data", path.join(tmp.path, "ad")]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: .*python2\.7 is Python 2\.7\.18, older than the minimum 3\.6/);
  },
});

Deno.test({
  name: "discovery: broken interpreters are skipped and the next candidate is used",
  ignore: skipIf(missing, WHY),
  async fn() {
    await using tmp = await tempDir();
    const broken = path.join(tmp.path, "broken");
    await script(path.join(broken, "python3"), "echo 'not json'");
    await script(path.join(broken, "python3.12"), "exit 3");
    const good = path.join(tmp.path, "good");
    await link(good, "python3", PY312!);
    const env = cleanEnv({ PATH: pathOf(broken, good), HOME: tmp.path });
    const r = await mkvenv([path.join(tmp.path, "e"), "--json", "-v", "--app-data", path.join(tmp.path, "ad")], {
      env,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).python.path, path.join(good, "python3"));
    assert.match(r.stderr, /debug: .*broken\/python3 \(PATH\) skipped: /);
  },
});

Deno.test({
  name: "discovery: a warm run starts no Python (the interpreter answer comes from the cache)",
  ignore: skipIf(missing, WHY),
  async fn() {
    await using tmp = await tempDir();
    const log = path.join(tmp.path, "runs.log");
    const bin = path.join(tmp.path, "bin");
    // A wrapper that records each start, then runs the real interpreter. Its venv link must point at the real one.
    await script(path.join(bin, "python3"), `echo run >> '${log}'; exec '${PY312}' "$@"`);
    const env = cleanEnv({ PATH: pathOf(bin), HOME: tmp.path });
    const ad = path.join(tmp.path, "ad");
    assert.equal((await mkvenv([path.join(tmp.path, "e1"), "--app-data", ad], { env })).code, 0);
    const cold = (await Deno.readTextFile(log)).split("\n").filter(Boolean).length;
    assert.equal(cold, 1, "the cold run interrogates once");
    for (const name of ["e2", "e3"]) {
      assert.equal((await mkvenv([path.join(tmp.path, name), "--app-data", ad], { env })).code, 0);
    }
    assert.equal((await Deno.readTextFile(log)).split("\n").filter(Boolean).length, 1, "warm runs started Python");
    // Touching the interpreter invalidates its entry.
    await Deno.utime(path.join(bin, "python3"), new Date(), new Date(Date.now() + 5000));
    assert.equal((await mkvenv([path.join(tmp.path, "e4"), "--app-data", ad], { env })).code, 0);
    assert.equal((await Deno.readTextFile(log)).split("\n").filter(Boolean).length, 2);
  },
});

Deno.test({
  name: "discovery: concurrent cold runs sharing one app-data folder all succeed",
  ignore: skipIf(missing, WHY),
  async fn() {
    await using tmp = await tempDir();
    const bin = path.join(tmp.path, "bin");
    await link(bin, "python3", PY312!);
    const env = cleanEnv({ PATH: pathOf(bin), HOME: tmp.path });
    const ad = path.join(tmp.path, "ad");
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => mkvenv([path.join(tmp.path, `e${i}`), "--app-data", ad], { env })),
    );
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const cacheDir = path.join(ad, "mkvenv-v1", "py_info");
    const files = [...Deno.readDirSync(cacheDir)].map((e) => e.name);
    assert.deepEqual(files.filter((f) => !f.endsWith(".json")), [], "temp files left behind");
    for (const f of files) JSON.parse(await Deno.readTextFile(path.join(cacheDir, f)));
  },
});

Deno.test({
  name: "discovery: --list-pythons lists every interpreter and marks the one that would be used",
  ignore: skipIf(missing, WHY),
  async fn() {
    await using tmp = await tempDir();
    const bin = path.join(tmp.path, "bin");
    await link(bin, "python3", PY311!);
    await link(bin, "python3.12", PY312!);
    await link(bin, "python3.8", PY38!);
    // Other names for interpreters already listed: a link and a hard link add no rows.
    await link(bin, "python", PY311!);
    try {
      await Deno.link(await Deno.realPath(PY38!), path.join(tmp.path, "hard-python3.8"));
      await link(bin, "python3.8m", path.join(tmp.path, "hard-python3.8"));
    } catch (e) {
      console.log(`hard-link case not covered: ${e instanceof Error ? e.message : e}`); // another file system
    }
    const env = cleanEnv({ PATH: pathOf(bin), HOME: tmp.path });
    const ad = path.join(tmp.path, "ad");
    let r = await mkvenv(["--list-pythons", "--json", "--app-data", ad], { env, cwd: tmp.path });
    assert.equal(r.code, 0, r.stderr);
    const listed = JSON.parse(r.stdout).pythons as { path: string; selected: boolean; source: string }[];
    assert.deepEqual(listed.map((p) => path.basename(p.path)), ["python3", "python3.12", "python3.8"]);
    assert.deepEqual(listed.map((p) => p.selected), [true, false, false]);
    r = await mkvenv(["--list-pythons", "-p", ">=3.12", "--app-data", ad], { env, cwd: tmp.path });
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^\* CPython {2}3\.12\.\d+ {2}CPython3\.12\.\d+\.final\.0-64-\w+ {2}.*python3\.12 {2}\(PATH\)\n$/,
    );
  },
});

Deno.test({
  name: "discovery: a pyenv shims folder is recognised by its layout even when PYENV_ROOT and HOME point elsewhere",
  ignore: skipIf(missing, WHY),
  async fn() {
    await using tmp = await tempDir();
    const root = path.join(tmp.path, "somewhere", "pyenv");
    const marker = path.join(tmp.path, "shim-ran");
    await fakePyenv(root, { "3.12.1": PY312! }, "3.12.1", marker);
    const env = cleanEnv({
      PATH: pathOf(path.join(root, "shims")),
      HOME: tmp.path,
      PYENV_ROOT: path.join(tmp.path, "x"),
    });
    const picked = await chosen(["e", "--app-data", path.join(tmp.path, "ad")], env, tmp.path);
    assert.equal(picked.path, path.join(root, "versions", "3.12.1", "bin", "python3"));
    await assert.rejects(Deno.lstat(marker), Deno.errors.NotFound, "the shim was executed");
  },
});

Deno.test({
  name: "discovery: a hanging interpreter is killed after the timeout and skipped",
  ignore: skipIf(missing, WHY),
  async fn() {
    await using tmp = await tempDir();
    const hanging = path.join(tmp.path, "hanging");
    await script(path.join(hanging, "python3"), "exec /bin/sleep 30");
    const good = path.join(tmp.path, "good");
    await link(good, "python3", PY312!);
    const env = cleanEnv({ PATH: pathOf(hanging, good), HOME: tmp.path, MKVENV_PY_TIMEOUT_MS: "400" });
    const start = performance.now();
    const r = await mkvenv([path.join(tmp.path, "e"), "--json", "-v", "--app-data", path.join(tmp.path, "ad")], {
      env,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).python.path, path.join(good, "python3"));
    assert.match(r.stderr, /debug: .*hanging\/python3 \(PATH\) skipped: .*timed out/);
    assert.ok(performance.now() - start < 10_000, "waited for the hanging interpreter");
  },
});

Deno.test({
  name: "discovery: .python-version may hold pyenv's words: system, installed version names, version prefixes",
  ignore: skipIf(missing, WHY),
  async fn() {
    await using tmp = await tempDir();
    const root = path.join(tmp.path, "pyenv");
    await fakePyenv(root, { "3.12.1": PY312!, "3.12-dev": PY312!, "3.8.18": PY38! }, "system");
    const system = path.join(tmp.path, "usr-bin");
    await link(system, "python3", PY311!);
    const project = path.join(tmp.path, "project");
    await Deno.mkdir(project);
    const env = cleanEnv({ PATH: pathOf(path.join(root, "shims"), system), PYENV_ROOT: root, HOME: tmp.path });
    const ad = path.join(tmp.path, "ad");
    const pick = async (pin: string, extra: Record<string, string> = {}) => {
      await Deno.writeTextFile(path.join(project, ".python-version"), `${pin}\n`);
      return (await chosen([path.join(tmp.path, "e"), "--clear", "--app-data", ad], { ...env, ...extra }, project))
        .path;
    };
    assert.equal(await pick("system"), path.join(system, "python3"));
    assert.equal(await pick("3.12-dev"), path.join(root, "versions", "3.12-dev", "bin", "python3"));
    // A prefix selects the newest matching install, as pyenv does; through the shim and as the default spec.
    assert.equal(await pick("3.12"), path.join(root, "versions", "3.12.1", "bin", "python3"));
    // `system` means the python3 the user would run: with PYENV_VERSION set, pyenv's shim runs that version.
    assert.equal(
      await pick("system", { PYENV_VERSION: "3.8" }),
      path.join(root, "versions", "3.8.18", "bin", "python3"),
    );
    await Deno.remove(path.join(project, ".python-version"));
    const viaShim = await chosen([path.join(tmp.path, "e"), "--clear", "--app-data", ad], {
      ...env,
      PYENV_VERSION: "3.8",
    }, project);
    assert.equal(viaShim.path, path.join(root, "versions", "3.8.18", "bin", "python3"));
    assert.equal(viaShim.source, "pyenv");
  },
});
