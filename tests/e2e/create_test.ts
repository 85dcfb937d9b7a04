/**
 * End to end: for every real CPython on this machine, create an environment with the CLI and check it with the
 * environment's own interpreter.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { cleanEnv, mkvenv, pythonJson, realPythons, run, skipIf, tempDir } from "../_helpers.ts";
import { parsePyvenvCfg } from "../../lib/creator/pyvenv_cfg.ts";

const PYTHONS = realPythons();
const PROBE = "import json, sys, site, sysconfig; print(json.dumps({'prefix': sys.prefix, " +
  "'base_prefix': sys.base_prefix, 'path': sys.path, 'purelib': sysconfig.get_paths()['purelib'], " +
  "'version': '%d.%d' % sys.version_info[:2]}))";

interface Probe {
  prefix: string;
  base_prefix: string;
  path: string[];
  purelib: string;
  version: string;
}

for (const python of PYTHONS) {
  for (const mode of ["symlinks", "copies"] as const) {
    Deno.test(`e2e: mkvenv -p ${python.label} --${mode} creates an environment its python recognises`, async () => {
      await using tmp = await tempDir();
      const dest = path.join(tmp.path, `env ${python.minor}`); // a space, as users' paths have
      const appData = path.join(tmp.path, "app-data");
      const r = await mkvenv([dest, "-p", python.exe, "--app-data", appData, `--${mode}`]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^created virtual environment CPython3\.\d+\.\d+\.final\.0-64-\w+ in \d+ms\n/);
      assert.match(r.stdout, new RegExp(`\\n  creator CPython3Posix\\(dest=${RegExp.escape(dest)}, clear=False`));

      const envPython = path.join(dest, "bin", "python");
      const base = await pythonJson(python.exe, PROBE) as Probe;
      const inside = await pythonJson(envPython, PROBE) as Probe;
      assert.equal(inside.prefix, dest);
      assert.equal(inside.base_prefix, base.base_prefix);
      assert.equal(inside.version, python.minor);
      const sitePackages = path.join(dest, "lib", `python${python.minor}`, "site-packages");
      assert.ok(inside.path.includes(sitePackages), `${sitePackages} not on sys.path: ${inside.path}`);
      assert.equal(inside.purelib, sitePackages);
      // Without --system-site-packages the base's packages stay out (Debian's dist-packages included).
      assert.ok(
        !inside.path.some((p) => /[/\\](site|dist)-packages$/.test(p) && !p.startsWith(dest)),
        inside.path.join(),
      );

      for (const alias of ["python3", `python${python.minor}`]) {
        const aliasPath = path.join(dest, "bin", alias);
        const info = await Deno.lstat(aliasPath);
        if (mode === "symlinks") {
          assert.ok(info.isSymlink);
          assert.equal(await Deno.readLink(aliasPath), "python");
        } else {
          assert.ok(info.isFile && ((info.mode ?? 0) & 0o111) !== 0);
        }
        const prefix = await run(aliasPath, ["-c", "import sys; print(sys.prefix)"]);
        assert.equal(prefix.stdout.trim(), dest);
      }
      const cfg = parsePyvenvCfg(await Deno.readTextFile(path.join(dest, "pyvenv.cfg")));
      assert.deepEqual([...cfg.keys()], [
        "home",
        "implementation",
        "python-version",
        "version_info",
        "version",
        "executable",
        "mkvenv",
        "include-system-site-packages",
        "base-prefix",
        "base-exec-prefix",
        "base-executable",
      ]);
      assert.equal(cfg.get("implementation"), "CPython");
      assert.equal(cfg.get("python-version"), python.minor);
      assert.equal(cfg.get("include-system-site-packages"), "false");
      assert.equal(cfg.get("base-prefix"), base.base_prefix);
      assert.equal(cfg.get("home"), path.dirname(cfg.get("base-executable")!));
      assert.equal(await Deno.readTextFile(path.join(dest, ".gitignore")), "# created by mkvenv automatically\n*\n");
      assert.match(
        await Deno.readTextFile(path.join(dest, "CACHEDIR.TAG")),
        /^Signature: 8a477f597d28d172789f06886806bc55\n/,
      );
      assert.ok((await Deno.stat(path.join(dest, "include"))).isDirectory);
      assert.equal(await Deno.readLink(path.join(dest, "lib64")), "lib");
    });
  }
}

const PY = PYTHONS.find((p) => p.label.startsWith("pyenv")) ?? PYTHONS[0];

Deno.test({
  name: "e2e: --system-site-packages puts the base's site-packages on sys.path",
  ignore: skipIf(!PY, "no CPython found"),
  async fn() {
    await using tmp = await tempDir();
    const dest = path.join(tmp.path, "env");
    const r = await mkvenv([dest, "-p", PY!.exe, "--app-data", path.join(tmp.path, "ad"), "--system-site-packages"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /global=True\)/);
    const cfg = parsePyvenvCfg(await Deno.readTextFile(path.join(dest, "pyvenv.cfg")));
    assert.equal(cfg.get("include-system-site-packages"), "true");
    const base = await pythonJson(PY!.exe, PROBE) as Probe;
    const inside = await pythonJson(path.join(dest, "bin", "python"), PROBE) as Probe;
    assert.ok(inside.path.includes(base.purelib), `${base.purelib} not in ${inside.path}`);
  },
});

Deno.test({
  name: "e2e: --prompt is recorded in pyvenv.cfg, and '.' means the current folder's name",
  ignore: skipIf(!PY, "no CPython found"),
  async fn() {
    await using tmp = await tempDir();
    const work = path.join(tmp.path, "my project");
    await Deno.mkdir(work);
    const ad = path.join(tmp.path, "ad");
    let r = await mkvenv(["a", "-p", PY!.exe, "--app-data", ad, "--prompt", `it's "$HOME"`], { cwd: work });
    assert.equal(r.code, 0, r.stderr);
    assert.match(await Deno.readTextFile(path.join(work, "a", "pyvenv.cfg")), /\nprompt = "it's "\$HOME""\n/);
    r = await mkvenv(["b", "-p", PY!.exe, "--app-data", ad, "--prompt", "."], { cwd: work });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      parsePyvenvCfg(await Deno.readTextFile(path.join(work, "b", "pyvenv.cfg"))).get("prompt"),
      "my project",
    );
  },
});

Deno.test({
  name: "e2e: --no-vcs-ignore writes neither .gitignore nor CACHEDIR.TAG; existing ones are never overwritten",
  ignore: skipIf(!PY, "no CPython found"),
  async fn() {
    await using tmp = await tempDir();
    const ad = path.join(tmp.path, "ad");
    const bare = path.join(tmp.path, "bare");
    assert.equal((await mkvenv([bare, "-p", PY!.exe, "--app-data", ad, "--no-vcs-ignore"])).code, 0);
    await assert.rejects(Deno.lstat(path.join(bare, ".gitignore")), Deno.errors.NotFound);
    await assert.rejects(Deno.lstat(path.join(bare, "CACHEDIR.TAG")), Deno.errors.NotFound);
    const kept = path.join(tmp.path, "kept");
    await Deno.mkdir(kept);
    await Deno.writeTextFile(path.join(kept, ".gitignore"), "mine\n");
    assert.equal((await mkvenv([kept, "-p", PY!.exe, "--app-data", ad])).code, 0);
    assert.equal(await Deno.readTextFile(path.join(kept, ".gitignore")), "mine\n");
  },
});

Deno.test({
  name: "e2e: re-running on an environment updates it in place and keeps foreign files",
  ignore: skipIf(!PY, "no CPython found"),
  async fn() {
    await using tmp = await tempDir();
    const ad = path.join(tmp.path, "ad");
    const dest = path.join(tmp.path, "env");
    assert.equal((await mkvenv([dest, "-p", PY!.exe, "--app-data", ad])).code, 0);
    await Deno.writeTextFile(path.join(dest, "notes.txt"), "keep me");
    const r = await mkvenv([dest, "-p", PY!.exe, "--app-data", ad, "--copies"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await Deno.readTextFile(path.join(dest, "notes.txt")), "keep me");
    assert.ok((await Deno.lstat(path.join(dest, "bin", "python"))).isFile, "a copy replaced the link");
    const prefix = await run(path.join(dest, "bin", "python"), ["-c", "import sys; print(sys.prefix)"]);
    assert.equal(prefix.stdout.trim(), dest);
  },
});

Deno.test({
  name: "e2e: --clear empties a virtual environment or an empty folder, refuses other folders without --force",
  ignore: skipIf(!PY, "no CPython found"),
  async fn() {
    await using tmp = await tempDir();
    const ad = path.join(tmp.path, "ad");
    const env = path.join(tmp.path, "env");
    assert.equal((await mkvenv([env, "-p", PY!.exe, "--app-data", ad])).code, 0);
    await Deno.writeTextFile(path.join(env, "stale.txt"), "x");
    let r = await mkvenv([env, "-p", PY!.exe, "--app-data", ad, "--clear"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /clear=True/);
    await assert.rejects(Deno.lstat(path.join(env, "stale.txt")), Deno.errors.NotFound);

    const project = path.join(tmp.path, "project");
    await Deno.mkdir(project);
    await Deno.writeTextFile(path.join(project, "main.py"), "print('precious')\n");
    r = await mkvenv([project, "-p", PY!.exe, "--app-data", ad, "--clear"]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `error: Refusing to clear "${project}": it is not empty and is not a virtual environment (no pyvenv.cfg)\n` +
        "hint: pass --force as well to empty it anyway, or choose another destination\n",
    );
    assert.equal(await Deno.readTextFile(path.join(project, "main.py")), "print('precious')\n");
    r = await mkvenv([project, "-p", PY!.exe, "--app-data", ad, "--clear", "--force"]);
    assert.equal(r.code, 0, r.stderr);
    await assert.rejects(Deno.lstat(path.join(project, "main.py")), Deno.errors.NotFound);
    assert.ok((await Deno.lstat(path.join(project, "pyvenv.cfg"))).isFile);
  },
});

Deno.test({
  name: "e2e: a folder that is no environment gets one merged in, but replacing its files needs --force",
  ignore: skipIf(!PY, "no CPython found"),
  async fn() {
    await using tmp = await tempDir();
    const ad = path.join(tmp.path, "ad");
    const project = path.join(tmp.path, "project");
    await Deno.mkdir(path.join(project, "bin"), { recursive: true });
    await Deno.writeTextFile(path.join(project, "main.py"), "print('precious')\n");
    await Deno.writeTextFile(path.join(project, "bin", "activate"), "# the project's own script\n");
    await Deno.writeTextFile(path.join(project, "bin", "tool"), "#!/bin/sh\n");
    let r = await mkvenv([project, "-p", PY!.exe, "--app-data", ad]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `error: Refusing to create an environment in "${project}": it is not a virtual environment (no pyvenv.cfg), ` +
        `and creating one would replace ${path.join(project, "bin", "activate")}\n` +
        "hint: choose another destination, or pass --force to replace those files\n",
    );
    assert.deepEqual((await Array.fromAsync(Deno.readDir(project))).map((e) => e.name).sort(), ["bin", "main.py"]);
    assert.equal(await Deno.readTextFile(path.join(project, "bin", "activate")), "# the project's own script\n");
    r = await mkvenv([project, "-p", PY!.exe, "--app-data", ad, "--force"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(await Deno.readTextFile(path.join(project, "bin", "activate")), /deactivate/);
    assert.equal(await Deno.readTextFile(path.join(project, "main.py")), "print('precious')\n");
    assert.equal(await Deno.readTextFile(path.join(project, "bin", "tool")), "#!/bin/sh\n");

    // What a program the plan runs writes counts too: venv's interpreter links, pip's own scripts.
    const tools = path.join(tmp.path, "tools");
    await Deno.mkdir(path.join(tools, "bin"), { recursive: true });
    for (const name of ["python3", "pip"]) await Deno.writeTextFile(path.join(tools, "bin", name), "# mine\n");
    r = await mkvenv([tools, "-p", PY!.exe, "--app-data", ad, "--creator", "venv"]);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, new RegExp(`would replace ${RegExp.escape(path.join(tools, "bin", "python3"))}\n`));
    await Deno.remove(path.join(tools, "bin", "python3"));
    r = await mkvenv([tools, "-p", PY!.exe, "--app-data", ad, "--seeder", "pip", "--no-setuptools"], { seed: true });
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, new RegExp(`would replace ${RegExp.escape(path.join(tools, "bin", "pip"))}\n`));
    await Deno.writeTextFile(path.join(tools, "bin", "python3"), "# mine\n");
    for (const name of ["python3", "pip"]) {
      assert.equal(await Deno.readTextFile(path.join(tools, "bin", name)), "# mine\n");
    }

    // Nothing replaced: merged without --force, as virtualenv does (`mkvenv .` in a project).
    const other = path.join(tmp.path, "other");
    await Deno.mkdir(path.join(other, "lib"), { recursive: true });
    await Deno.writeTextFile(path.join(other, "lib", "util.py"), "X = 1\n");
    r = await mkvenv([other, "-p", PY!.exe, "--app-data", ad]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await Deno.readTextFile(path.join(other, "lib", "util.py")), "X = 1\n");
  },
});

Deno.test({
  name: "e2e: a destination holding the interpreter or the app data is never emptied; the interpreter is not replaced",
  ignore: skipIf(!PY, "no CPython found"),
  async fn() {
    await using tmp = await tempDir();
    const ad = path.join(tmp.path, "ad");
    // An interpreter whose executable lies inside the destination, as when DEST is its prefix or the root folder:
    // a hard link (or copy) of a real one, which finds its standard library at its build-time prefix.
    const prefix = path.join(tmp.path, "prefix");
    await Deno.mkdir(path.join(prefix, "bin"), { recursive: true });
    const exe = path.join(prefix, "bin", "python3");
    const real = await Deno.realPath(PY!.exe);
    await Deno.link(real, exe).catch(() => Deno.copyFile(real, exe));
    const probe = await run(exe, ["-c", "import sys; print(sys.executable)"]);
    if (probe.code !== 0) {
      console.log(`skipped: ${real} does not run from another folder (${probe.stderr.trim()})`);
      return;
    }
    let r = await mkvenv([prefix, "-p", exe, "--app-data", ad, "--clear", "--force"]);
    assert.equal(r.code, 1, r.stdout);
    assert.equal(
      r.stderr,
      `error: Refusing to clear "${prefix}": it holds the interpreter ${exe}\nhint: choose another destination\n`,
    );
    // Not even with --force, or where a pyvenv.cfg makes it look like an environment.
    const held = `error: Refusing to create an environment in "${prefix}": it holds the interpreter ${exe}\n` +
      "hint: choose another destination\n";
    for (const extra of [[], ["--force"], ["--creator", "venv"]]) {
      r = await mkvenv([prefix, "-p", exe, "--app-data", ad, ...extra]);
      assert.equal(r.code, 1, r.stdout);
      assert.equal(r.stderr, held, extra.join(" "));
    }
    await Deno.writeTextFile(path.join(prefix, "pyvenv.cfg"), "home = /usr/bin\n");
    r = await mkvenv([prefix, "-p", exe, "--app-data", ad]);
    assert.equal(r.stderr, held);
    await Deno.remove(path.join(prefix, "pyvenv.cfg"));
    assert.deepEqual((await Array.fromAsync(Deno.readDir(prefix))).map((e) => e.name), ["bin"]);
    assert.deepEqual((await Array.fromAsync(Deno.readDir(path.join(prefix, "bin")))).map((e) => e.name), ["python3"]);
    assert.equal((await run(exe, ["-c", "print(1)"])).stdout.trim(), "1");

    // The app data inside DEST: an environment there is fine, emptying it (and the cache in use) is not.
    const holder = path.join(tmp.path, "holder");
    const cache = path.join(holder, "cache");
    assert.equal((await mkvenv([holder, "-p", PY!.exe, "--app-data", cache])).code, 0);
    r = await mkvenv([holder, "-p", PY!.exe, "--app-data", cache, "--clear"]);
    assert.equal(r.code, 1, r.stdout);
    assert.equal(
      r.stderr,
      `error: Refusing to clear "${holder}": it holds mkvenv's app-data folder ${path.join(cache, "mkvenv-v1")}\n` +
        "hint: choose another destination\n",
    );
    assert.ok((await Deno.lstat(path.join(holder, "pyvenv.cfg"))).isFile);
    // The same app data named through a symbolic link (as /tmp is one on macOS) is recognised.
    const alias = path.join(tmp.path, "alias");
    await Deno.symlink(holder, alias);
    r = await mkvenv([holder, "-p", PY!.exe, "--app-data", path.join(alias, "cache"), "--clear", "--force"]);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /^error: Refusing to clear ".*": it holds mkvenv's app-data folder /);
    assert.ok((await Deno.lstat(path.join(holder, "pyvenv.cfg"))).isFile);
  },
});

Deno.test({
  name: "e2e: --dry-run prints the plan and touches nothing; --json reports the created paths",
  ignore: skipIf(!PY, "no CPython found"),
  async fn() {
    await using tmp = await tempDir();
    const ad = path.join(tmp.path, "ad");
    const dest = path.join(tmp.path, "env");
    let r = await mkvenv([dest, "-p", PY!.exe, "--app-data", ad, "--dry-run"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^mkdir   ${RegExp.escape(dest)}\n`));
    assert.match(r.stdout, new RegExp(`\nsymlink ${RegExp.escape(path.join(dest, "bin", "python"))} -> /`));
    assert.match(r.stdout, /\nwrite {3}.*pyvenv\.cfg \(\d+ bytes\)\n/);
    await assert.rejects(Deno.lstat(dest), Deno.errors.NotFound);
    r = await mkvenv([dest, "-p", PY!.exe, "--app-data", ad, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.dest, dest);
    assert.equal(report.paths.python, path.join(dest, "bin", "python"));
    assert.equal(report.paths.pyvenvCfg, path.join(dest, "pyvenv.cfg"));
    assert.equal(report.python.implementation, "CPython");
    assert.equal(report.creator, "cpython3-posix");
    assert.equal(report.symlinks, true);
    assert.deepEqual(report.warnings, []);
    assert.ok((await Deno.lstat(report.paths.python)).isSymlink);
  },
});

Deno.test({
  name: "e2e: -q silences the report; -v adds debug lines on stderr",
  ignore: skipIf(!PY, "no CPython found"),
  async fn() {
    await using tmp = await tempDir();
    const ad = path.join(tmp.path, "ad");
    let r = await mkvenv([path.join(tmp.path, "a"), "-p", PY!.exe, "--app-data", ad, "-q"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "");
    r = await mkvenv([path.join(tmp.path, "b"), "-p", "3.99", "--app-data", ad, "-v"], {
      env: cleanEnv({ PATH: path.dirname(PY!.exe) }),
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^debug: .* does not satisfy "3\.99"$/m);
  },
});
