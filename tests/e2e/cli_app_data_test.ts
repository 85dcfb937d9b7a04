/**
 * End to end: `--read-only-app-data` and `--reset-app-data` over runs that need an app-data folder an earlier run
 * filled (the single-run cases are spec scenarios in `tests/specs/read_only_app_data_*` and `reset_app_data`).
 */
import assert from "node:assert/strict";
import path from "node:path";
import { cleanEnv, CLI, CONFIG, imagesSettled, mkvenv, pyenvPython, run, skipIf, tempDir } from "../_helpers.ts";

const PY312 = pyenvPython("3.12");

/** Every entry below `dir` with its modification time, to see that nothing changed. */
async function snapshot(dir: string): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  const walk = async (folder: string): Promise<void> => {
    for await (const entry of Deno.readDir(folder)) {
      const full = path.join(folder, entry.name);
      const stat = await Deno.lstat(full);
      seen.set(path.relative(dir, full), stat.mtime?.getTime() ?? 0);
      if (entry.isDirectory) await walk(full);
    }
  };
  await walk(dir);
  return seen;
}

Deno.test({
  name: "cli: --read-only-app-data seeds from the images an earlier run built and writes nothing into the folder",
  ignore: skipIf(!PY312, "pyenv CPython 3.12 not installed"),
  async fn() {
    await using tmp = await tempDir();
    const ad = path.join(tmp.path, "ad");
    const env = cleanEnv({ HOME: tmp.path });
    let r = await mkvenv([path.join(tmp.path, "a"), "-p", PY312!, "--app-data", ad], { env, seed: true });
    assert.equal(r.code, 0, r.stderr);
    await imagesSettled(ad);
    const before = await snapshot(ad);
    r = await mkvenv([path.join(tmp.path, "b"), "-p", PY312!, "--app-data", ad, "--read-only-app-data", "--json"], {
      env,
      seed: true,
      periodicUpdate: true,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).seeded.map((s: { name: string }) => s.name), ["pip"]);
    assert.deepEqual(await snapshot(ad), before);
    // Another interpreter's answer is not cached either: it is asked, and forgotten.
    const py311 = pyenvPython("3.11");
    if (py311) {
      r = await mkvenv([path.join(tmp.path, "c"), "-p", py311, "--app-data", ad, "--read-only-app-data"], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(await snapshot(ad), before);
    }
    // A version the folder lacks names the flag that keeps the index out.
    const args = [path.join(tmp.path, "d"), "-p", PY312!, "--app-data", ad, "--read-only-app-data", "--pip", "9.9"];
    r = await mkvenv(args, { env, seed: true });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /\nhint: drop --read-only-app-data to fetch it from the package index, or add its folder /);
  },
});

Deno.test({
  name: "cli: --reset-app-data with DEST empties mkvenv's subfolder first, then creates (and refills it)",
  ignore: skipIf(!PY312, "pyenv CPython 3.12 not installed"),
  async fn() {
    await using tmp = await tempDir();
    const ad = path.join(tmp.path, "ad");
    const stale = path.join(ad, "mkvenv-v1", "py_info", "stale.json");
    const foreign = path.join(ad, "virtualenv", "keep.txt");
    for (const file of [stale, foreign]) {
      await Deno.mkdir(path.dirname(file), { recursive: true });
      await Deno.writeTextFile(file, "{}");
    }
    const r = await mkvenv([path.join(tmp.path, "e"), "-p", PY312!, "--app-data", ad, "--reset-app-data"], {
      env: cleanEnv({ HOME: tmp.path }),
    });
    assert.equal(r.code, 0, r.stderr);
    await assert.rejects(Deno.lstat(stale), Deno.errors.NotFound);
    assert.equal(await Deno.readTextFile(foreign), "{}");
    assert.ok((await Deno.readDir(path.join(ad, "mkvenv-v1", "py_info"))[Symbol.asyncIterator]().next()).value);
  },
});

Deno.test({
  name: "cli: VIRTUALENV_OVERRIDE_APP_DATA moves the default app-data folder; --app-data still wins; empty is unset",
  ignore: skipIf(!PY312, "pyenv CPython 3.12 not installed"),
  async fn() {
    await using tmp = await tempDir();
    const override = path.join(tmp.path, "override");
    const exists = (p: string): boolean => {
      try {
        Deno.statSync(p);
        return true;
      } catch {
        return false;
      }
    };
    // Relative, as virtualenv allows: taken from the working folder.
    let r = await mkvenv(["a", "-p", PY312!], {
      cwd: tmp.path,
      env: cleanEnv({ HOME: tmp.path, VIRTUALENV_OVERRIDE_APP_DATA: "override" }),
    });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(exists(path.join(override, "mkvenv-v1", "py_info")));
    assert.ok(!exists(path.join(tmp.path, ".cache", "mkvenv")));
    const chosen = path.join(tmp.path, "chosen");
    r = await mkvenv([path.join(tmp.path, "b"), "-p", PY312!, "--app-data", chosen], {
      env: cleanEnv({ HOME: tmp.path, VIRTUALENV_OVERRIDE_APP_DATA: override }),
    });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(exists(path.join(chosen, "mkvenv-v1", "py_info")));
    r = await mkvenv([path.join(tmp.path, "c"), "-p", PY312!], {
      cwd: tmp.path,
      env: cleanEnv({ HOME: tmp.path, VIRTUALENV_OVERRIDE_APP_DATA: "" }),
    });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(exists(path.join(tmp.path, ".cache", "mkvenv", "mkvenv-v1", "py_info")));
    assert.ok(!exists(path.join(tmp.path, "mkvenv-v1")));
  },
});

Deno.test({
  name:
    "cli: an app-data folder on a read-only file system is a clear error, for a create and for --upgrade-embed-wheels",
  ignore: skipIf(!PY312, "pyenv CPython 3.12 not installed"),
  async fn() {
    await using tmp = await tempDir();
    const ad = path.join(tmp.path, "ro");
    await Deno.mkdir(ad);
    const mount = await run("mount", ["-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", ad]);
    if (mount.code !== 0) {
      console.log(`skipped: cannot mount a read-only tmpfs here (${mount.stderr.trim()})`);
      return;
    }
    try {
      const env = cleanEnv({
        HOME: tmp.path,
        PIP_CONFIG_FILE: "/dev/null",
        PIP_INDEX_URL: "http://127.0.0.1:9/simple",
      });
      const dest = path.join(tmp.path, "env");
      const r = await mkvenv([dest, "-p", PY312!, "--app-data", ad], { env, seed: true });
      assert.equal(r.code, 1, r.stderr);
      assert.equal(
        r.stderr,
        `error: Cannot write to the app-data folder ${ad}/mkvenv-v1: read-only file system\n` +
          "hint: pass --app-data DIR with a folder you can write to, or --read-only-app-data to use this one as it is " +
          "(it must already hold what this run needs)\n",
      );
      await assert.rejects(Deno.lstat(dest), Deno.errors.NotFound);
      // A dry run fills the app data as a run would, so it fails the same way.
      const dry = await mkvenv([dest, "-p", PY312!, "--app-data", ad, "--dry-run"], { env, seed: true });
      assert.equal(dry.code, 1, dry.stderr);
      assert.equal(dry.stderr, r.stderr);
      // This machine's own file:// index answers, so the failure is the write.
      const index = "/opt/pypi/simple/pip/index.html";
      if (await Deno.lstat(index).then(() => true, () => false)) {
        const indexEnv = { ...env, PIP_INDEX_URL: "file:///opt/pypi/simple" };
        const up = await mkvenv(["--upgrade-embed-wheels", "--app-data", ad], { env: indexEnv });
        assert.equal(up.code, 1, up.stderr);
        assert.match(up.stderr, /^error: Cannot write to the app-data folder .*: read-only file system\n/);
      } else console.log(`--upgrade-embed-wheels part skipped: no ${index}`);
    } finally {
      await run("umount", [ad]);
    }
  },
});

Deno.test({
  name: "cli: Deno permissions that leave the app-data folder out are a clear error; so are scoped grants for links",
  ignore: skipIf(!PY312, "pyenv CPython 3.12 not installed"),
  async fn() {
    await using tmp = await tempDir();
    const ad = path.join(tmp.path, "ad"), dest = path.join(tmp.path, "env");
    const env = cleanEnv({ HOME: tmp.path });
    // A host program granted writes to the destination only (and no --allow-sys).
    const scoped = (...args: string[]) =>
      run(Deno.execPath(), [
        "run",
        "--allow-read",
        "--allow-env",
        "--allow-run",
        `--allow-write=${dest}`,
        "--config",
        CONFIG,
        CLI,
        dest,
        "-p",
        PY312!,
        "--app-data",
        ad,
        "--no-periodic-update",
        ...args,
      ], { env });
    for (const args of [[], ["--dry-run"]]) {
      const r = await scoped(...args);
      assert.equal(r.code, 1, r.stderr);
      assert.equal(
        r.stderr,
        `error: Deno's permissions do not let this program use the app-data folder ${ad}/mkvenv-v1\n` +
          `hint: grant it --allow-read and --allow-write for ${ad}/mkvenv-v1, or give an app-data folder it may ` +
          "write to (--app-data DIR), or --read-only-app-data to use this one as it is\n",
      );
    }
    // Without seeding nothing is written to the app data, but Deno makes symbolic links only with unscoped grants.
    const r = await scoped("--no-seed");
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^error: Cannot create link "[^"]+": Deno\.symlinkSync\(\) requires unscoped /);
    assert.match(r.stderr, /\nhint: grant the program Deno's --allow-read and --allow-write, without a list of paths /);
    await assert.rejects(Deno.lstat(dest), Deno.errors.NotFound);
  },
});
