/**
 * End to end, with real interpreters and the CLI as a real process: `--system-site-packages` checked by importing a
 * package of the base, re-runs on an existing environment (another Python, the same Python), the fallback to copies
 * where the file system cannot hold links (imitated with an LD_PRELOAD shim), and the PEP 832 `.venv` redirect.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { cleanEnv, mkvenv, pyenvPython, pythonJson, ROOT, run, skipIf, tempDir } from "../_helpers.ts";
import { parsePyvenvCfg } from "../../lib/creator/pyvenv_cfg.ts";

const PY312 = pyenvPython("3.12");
const PY311 = pyenvPython("3.11");
const DEBIAN = "/usr/bin/python3";
/** A pure-Python package Debian ships in /usr/lib/python3/dist-packages (python3-distro, an apt dependency). */
const DEBIAN_PACKAGE = "distro";
const DEBIAN_DIST_PACKAGES = "/usr/lib/python3/dist-packages";

async function exists(file: string): Promise<boolean> {
  try {
    await Deno.lstat(file);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

function existsSync(file: string): boolean {
  try {
    Deno.lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

const HAS_DEBIAN_PACKAGE = existsSync(DEBIAN) && existsSync(path.join(DEBIAN_DIST_PACKAGES, DEBIAN_PACKAGE));

/** Imports `module` with `python` (cwd `/`, clean environment): its `__file__`, or the error's type name. */
async function importFrom(python: string, module: string): Promise<{ file?: string; error?: string; path: string[] }> {
  const code = "import json, sys\ntry:\n" +
    `    import ${module}\n    r = {'file': ${module}.__file__}\n` +
    "except ImportError as e:\n    r = {'error': type(e).__name__}\n" +
    "r['path'] = sys.path\nprint(json.dumps(r))";
  return await pythonJson(python, code) as { file?: string; error?: string; path: string[] };
}

async function basePurelib(python: string): Promise<string> {
  return await pythonJson(
    python,
    "import json, sysconfig; print(json.dumps(sysconfig.get_paths()['purelib']))",
  ) as string;
}

for (
  const { label, exe, module, ignore } of [
    {
      label: "pyenv 3.12 (pip)",
      exe: PY312,
      module: "pip",
      ignore: skipIf(!PY312, "pyenv CPython 3.12 not installed"),
    },
    {
      label: `debian python3 (${DEBIAN_PACKAGE})`,
      exe: DEBIAN,
      module: DEBIAN_PACKAGE,
      ignore: skipIf(!HAS_DEBIAN_PACKAGE, `${DEBIAN} or ${DEBIAN_DIST_PACKAGES}/${DEBIAN_PACKAGE} missing`),
    },
  ]
) {
  Deno.test({
    name: `e2e: --system-site-packages makes the base's packages importable, ${label}; without it they are not`,
    ignore,
    async fn() {
      await using tmp = await tempDir();
      const ad = path.join(tmp.path, "ad");
      const base = await importFrom(exe!, module);
      assert.ok(base.file, `${module} does not import in the base ${exe}`);
      const purelib = exe === DEBIAN ? DEBIAN_DIST_PACKAGES : await basePurelib(exe!);
      assert.ok(base.file!.startsWith(purelib + path.sep), `${base.file} not under ${purelib}`);

      const global = path.join(tmp.path, "global");
      let r = await mkvenv([global, "-p", exe!, "--app-data", ad, "--system-site-packages"]);
      assert.equal(r.code, 0, r.stderr);
      const inside = await importFrom(path.join(global, "bin", "python"), module);
      assert.equal(inside.error, undefined, inside.path.join());
      assert.ok(inside.file!.startsWith(purelib + path.sep), `${inside.file} not under ${purelib}`);
      assert.equal(inside.file, base.file);

      const isolated = path.join(tmp.path, "isolated");
      r = await mkvenv([isolated, "-p", exe!, "--app-data", ad]);
      assert.equal(r.code, 0, r.stderr);
      const without = await importFrom(path.join(isolated, "bin", "python"), module);
      assert.equal(without.error, "ModuleNotFoundError", `imported ${without.file}`);
      assert.ok(!without.path.includes(purelib), without.path.join());
      // Debian's site module adds dist-packages folders (/usr/lib/python3/..., /usr/local/lib/...) to a base prefix.
      assert.ok(!without.path.some((p) => p.includes("dist-packages")), without.path.join());
    },
  });
}

/** Runs the environment's python and returns `[major, minor]` and `sys.prefix`. */
async function versionAndPrefix(dest: string): Promise<{ version: number[]; prefix: string }> {
  return await pythonJson(
    path.join(dest, "bin", "python"),
    "import json, sys; print(json.dumps({'version': sys.version_info[:2], 'prefix': sys.prefix}))",
  ) as { version: number[]; prefix: string };
}

async function isSharedBuild(python: string): Promise<boolean> {
  const code = "import json, sysconfig; print(json.dumps(sysconfig.get_config_var('Py_ENABLE_SHARED')))";
  return await pythonJson(python, code) === 1;
}

for (const mode of ["symlinks", "copies"] as const) {
  Deno.test({
    name: `e2e: re-running with another Python (--${mode}) swaps the interpreter and keeps the user's files`,
    ignore: skipIf(!PY312 || !PY311, "pyenv CPython 3.12 and 3.11 are both needed"),
    async fn() {
      await using tmp = await tempDir();
      const ad = path.join(tmp.path, "ad");
      const dest = path.join(tmp.path, "env");
      const bin = path.join(dest, "bin");
      let r = await mkvenv([dest, "-p", PY312!, "--app-data", ad, `--${mode}`]);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(await exists(path.join(bin, "python3.12")));
      const shared = mode === "copies" && await isSharedBuild(PY312!) && await isSharedBuild(PY311!);
      if (mode === "copies" && !shared) console.log("note: pyenv 3.12/3.11 are not shared builds, libpython unchecked");
      if (shared) assert.ok((await Deno.lstat(path.join(dest, "lib", "libpython3.12.so.1.0"))).isFile);
      await Deno.writeTextFile(path.join(dest, "notes.txt"), "mine\n");
      await Deno.writeTextFile(path.join(bin, "mytool"), "#!/bin/sh\necho mine\n", { mode: 0o755 });

      r = await mkvenv([dest, "-p", PY311!, "--app-data", ad, `--${mode}`]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await exists(path.join(bin, "python3.12")), false, "bin/python3.12 survived the rerun");
      for (const name of ["python", "python3", "python3.11"]) {
        const info = await Deno.lstat(path.join(bin, name));
        assert.ok(mode === "symlinks" ? info.isSymlink : info.isFile, `${name}: ${JSON.stringify(info)}`);
      }
      assert.deepEqual(await versionAndPrefix(dest), { version: [3, 11], prefix: dest });
      const cfg = parsePyvenvCfg(await Deno.readTextFile(path.join(dest, "pyvenv.cfg")));
      assert.match(cfg.get("version")!, /^3\.11\.\d+$/);
      assert.equal(cfg.get("python-version"), "3.11");
      if (shared) {
        assert.equal(await exists(path.join(dest, "lib", "libpython3.12.so.1.0")), false);
        assert.ok((await Deno.lstat(path.join(dest, "lib", "libpython3.11.so.1.0"))).isFile);
      }
      assert.equal(await Deno.readTextFile(path.join(dest, "notes.txt")), "mine\n");
      assert.equal(await Deno.readTextFile(path.join(bin, "mytool")), "#!/bin/sh\necho mine\n");
      assert.equal(((await Deno.stat(path.join(bin, "mytool"))).mode ?? 0) & 0o777, 0o755);
    },
  });
}

/** Every entry below `root`: relative path → kind, link target or content hash, and permission bits. */
async function snapshot(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  async function walk(dir: string): Promise<void> {
    for await (const entry of Deno.readDir(dir)) {
      const full = path.join(dir, entry.name);
      const rel = path.relative(root, full);
      const info = await Deno.lstat(full);
      const mode = ((info.mode ?? 0) & 0o7777).toString(8);
      if (info.isSymlink) out.set(rel, `link -> ${await Deno.readLink(full)}`);
      else if (info.isDirectory) {
        out.set(rel, `dir ${mode}`);
        await walk(full);
      } else {
        const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", await Deno.readFile(full)));
        out.set(rel, `file ${mode} ${Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("")}`);
      }
    }
  }
  await walk(root);
  return new Map([...out].sort(([a], [b]) => a < b ? -1 : 1));
}

for (const mode of ["symlinks", "copies"] as const) {
  Deno.test({
    name: `e2e: re-running with the same Python (--${mode}) leaves the environment exactly as it was`,
    ignore: skipIf(!PY312, "pyenv CPython 3.12 not installed"),
    async fn() {
      await using tmp = await tempDir();
      const ad = path.join(tmp.path, "ad");
      const dest = path.join(tmp.path, "env");
      const args = [dest, "-p", PY312!, "--app-data", ad, `--${mode}`, "--prompt", "p"];
      let r = await mkvenv(args);
      assert.equal(r.code, 0, r.stderr);
      const before = await snapshot(dest);
      assert.ok(before.has(path.join("bin", "python")) && before.has("pyvenv.cfg"), [...before.keys()].join());
      r = await mkvenv(args);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, "");
      assert.deepEqual(await snapshot(dest), before);
    },
  });
}

// --- A file system without symbolic links, imitated by tests/fixtures/nolink.c (links whose path has "nolinks"). ---

const NOLINK_SOURCE = path.join(ROOT, "tests", "fixtures", "nolink.c");

async function haveGcc(): Promise<boolean> {
  try {
    return (await run("gcc", ["--version"])).code === 0;
  } catch {
    return false;
  }
}

const HAVE_GCC = await haveGcc();
const SHIM_SKIP = !HAVE_GCC || !PY312 || Deno.build.os !== "linux";
const SHIM_WHY = "needs Linux, gcc and pyenv CPython 3.12";

/** Builds the shim into `dir` and returns the environment that preloads it. */
async function shimEnv(dir: string): Promise<Record<string, string>> {
  const so = path.join(dir, "nolink.so");
  const r = await run("gcc", ["-shared", "-fPIC", "-Wall", "-Wextra", "-Werror", "-o", so, NOLINK_SOURCE, "-ldl"]);
  assert.equal(r.code, 0, r.stderr);
  return cleanEnv({ LD_PRELOAD: so });
}

Deno.test({
  name: "e2e: the nolink shim refuses links in deno only below a 'nolinks' folder (sanity check of the fixture)",
  ignore: skipIf(SHIM_SKIP, SHIM_WHY),
  async fn() {
    await using tmp = await tempDir();
    const env = await shimEnv(tmp.path);
    for (const folder of ["nolinks", "links"]) await Deno.mkdir(path.join(tmp.path, folder));
    const code = "const [dir] = Deno.args; for (const name of ['a', 'b']) { try { " +
      "Deno.symlinkSync('target', dir + '/' + name); console.log('linked'); } catch (e) { console.log(e.code); } }";
    // The real deno binary (as mkvenv() runs it), with the shim preloaded.
    let r = await run(Deno.execPath(), ["eval", code, path.join(tmp.path, "nolinks")], { env });
    assert.equal(r.stdout, "EPERM\nEPERM\n", r.stderr);
    r = await run(Deno.execPath(), ["eval", code, path.join(tmp.path, "links")], { env });
    assert.equal(r.stdout, "linked\nlinked\n", r.stderr);
    assert.equal(await Deno.readLink(path.join(tmp.path, "links", "a")), "target");

    // mkvenv under the shim still links where links are possible.
    const dest = path.join(tmp.path, "links", "env");
    r = await mkvenv([dest, "-p", PY312!, "--app-data", path.join(tmp.path, "ad")], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    assert.ok((await Deno.lstat(path.join(dest, "bin", "python"))).isSymlink);
    assert.equal(await Deno.readLink(path.join(dest, "lib64")), "lib");
  },
});

Deno.test({
  name: "e2e: where the file system cannot link, mkvenv copies the interpreter instead and warns",
  ignore: skipIf(SHIM_SKIP, SHIM_WHY),
  async fn() {
    await using tmp = await tempDir();
    const env = await shimEnv(tmp.path);
    const ad = path.join(tmp.path, "ad");
    for (const extra of [[], ["--copies"]]) {
      const dest = path.join(tmp.path, "nolinks", `env${extra.join("")}`);
      const r = await mkvenv([dest, "-p", PY312!, "--app-data", ad, ...extra], { env });
      assert.equal(r.code, 0, r.stderr);
      if (extra.length === 0) {
        assert.match(r.stderr, /^warning: Cannot create link "/m);
        assert.match(r.stderr, /copied the interpreter instead/);
      } else {
        assert.equal(r.stderr, "");
      }
      for (const name of ["python", "python3", "python3.12"]) {
        assert.ok((await Deno.lstat(path.join(dest, "bin", name))).isFile, name);
      }
      assert.deepEqual(await versionAndPrefix(dest), { version: [3, 12], prefix: dest });
      // lib64 is only ever a link: without links there is none (the interpreter finds everything under lib).
      assert.equal(await exists(path.join(dest, "lib64")), false);
      assert.ok((await Deno.lstat(path.join(dest, ".gitignore"))).isFile);
    }
    // A project folder there (`mkvenv .`): the second plan, made after the links failed, is not taken for replacing
    // the user's files (the first plan's pyvenv.cfg is this run's own).
    const project = path.join(tmp.path, "nolinks", "project");
    await Deno.mkdir(project);
    await Deno.writeTextFile(path.join(project, "main.py"), "print('precious')\n");
    const r = await mkvenv([".", "-p", PY312!, "--app-data", ad], { env, cwd: project });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await versionAndPrefix(project), { version: [3, 12], prefix: project });
    assert.equal(await Deno.readTextFile(path.join(project, "main.py")), "print('precious')\n");
  },
});

Deno.test({
  name: "e2e: with --symlinks asked for, a file system that cannot link is an error naming the link",
  ignore: skipIf(SHIM_SKIP, SHIM_WHY),
  async fn() {
    await using tmp = await tempDir();
    const env = await shimEnv(tmp.path);
    // Two folders deep below what exists: a failure removes both, not only DEST, and nothing that was there.
    await Deno.mkdir(path.join(tmp.path, "nolinks"));
    const dest = path.join(tmp.path, "nolinks", "env");
    const nested = path.join(tmp.path, "nolinks", "a", "b", "env");
    const deep = await mkvenv([nested, "-p", PY312!, "--app-data", path.join(tmp.path, "ad"), "--symlinks"], { env });
    assert.equal(deep.code, 1);
    assert.equal(await exists(path.join(tmp.path, "nolinks", "a")), false);
    assert.equal(await exists(path.join(tmp.path, "nolinks")), true);
    const r = await mkvenv([dest, "-p", PY312!, "--app-data", path.join(tmp.path, "ad"), "--symlinks"], { env });
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `error: Cannot create link "${path.join(dest, "bin", "python")}": the file system does not support symbolic ` +
        "links\nhint: use --copies\n",
    );
    assert.equal(r.stdout, "");
    // The run created DEST, so its failure removes it again: nothing half made is left for a rerun to trip over.
    assert.equal(await exists(dest), false);
    // An environment that existed before is left as it was (here: made with copies, then a failing --symlinks).
    assert.equal(
      (await mkvenv([dest, "-p", PY312!, "--app-data", path.join(tmp.path, "ad"), "--copies"], { env })).code,
      0,
    );
    const again = await mkvenv([dest, "-p", PY312!, "--app-data", path.join(tmp.path, "ad"), "--symlinks"], { env });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^error: Cannot create link ".*": the file system does not support symbolic links\n/);
    assert.ok((await Deno.lstat(path.join(dest, "pyvenv.cfg"))).isFile);
    assert.ok((await Deno.lstat(path.join(dest, "bin", "python"))).isFile);
  },
});

// --- PEP 832 `.venv` redirect ---

/** Everything at `file` as bytes, or its link target, or a folder's listing with contents. */
async function capture(file: string): Promise<string> {
  const info = await Deno.lstat(file);
  if (info.isSymlink) return `link -> ${await Deno.readLink(file)}`;
  if (info.isFile) return `file ${JSON.stringify(await Deno.readTextFile(file))}`;
  return `dir ${JSON.stringify([...(await snapshot(file))])}`;
}

async function project(root: string, name: string, pyproject = true): Promise<string> {
  const dir = path.join(root, name);
  await Deno.mkdir(dir);
  if (pyproject) await Deno.writeTextFile(path.join(dir, "pyproject.toml"), "[project]\nname = 'x'\n");
  return dir;
}

Deno.test({
  name: "e2e: the .venv redirect is written in a project, replaced only when ours and asked, never over foreign things",
  ignore: skipIf(!PY312, "pyenv CPython 3.12 not installed"),
  async fn() {
    await using tmp = await tempDir();
    const ad = path.join(tmp.path, "ad");
    const make = async (dest: string, ...extra: string[]) => {
      const r = await mkvenv([dest, "-p", PY312!, "--app-data", ad, ...extra], { cwd: tmp.path });
      assert.equal(r.code, 0, r.stderr);
      return r;
    };

    const proj = await project(tmp.path, "proj");
    const redirect = path.join(proj, ".venv");
    await make("proj/myenv");
    assert.equal(await Deno.readTextFile(redirect), "myenv\n");
    assert.equal(((await Deno.stat(redirect)).mode ?? 0) & 0o777, 0o644);
    await make("proj/other");
    assert.equal(await Deno.readTextFile(redirect), "myenv\n", "an existing redirect is kept without --venv-redirect");
    await make("proj/other2", "--venv-redirect");
    assert.equal(await Deno.readTextFile(redirect), "other2\n", "our redirect is replaced with --venv-redirect");

    const off = await project(tmp.path, "off");
    await make("off/env", "--no-venv-redirect");
    assert.equal(await exists(path.join(off, ".venv")), false);

    // Foreign things named .venv: a folder (with content), a link, a file that is no redirect of ours.
    const folder = await project(tmp.path, "folder");
    await Deno.mkdir(path.join(folder, ".venv"));
    await Deno.writeTextFile(path.join(folder, ".venv", "inside.txt"), "keep\n");
    const link = await project(tmp.path, "link");
    await Deno.symlink("myenv", path.join(link, ".venv"));
    const foreign = await project(tmp.path, "foreign");
    await Deno.writeTextFile(path.join(foreign, ".venv"), "hello\n");
    for (const dir of [folder, link, foreign]) {
      const before = await capture(path.join(dir, ".venv"));
      await make(path.join(dir, "myenv"));
      await make(path.join(dir, "myenv2"), "--venv-redirect");
      assert.equal(await capture(path.join(dir, ".venv")), before, dir);
    }
    assert.deepEqual([...Deno.readDirSync(path.join(folder, ".venv"))].map((e) => e.name), ["inside.txt"]);
    assert.equal(await Deno.readTextFile(path.join(folder, ".venv", "inside.txt")), "keep\n");
  },
});

Deno.test({
  name: "e2e: outside a project the .venv redirect needs --venv-redirect; an environment named .venv gets none",
  ignore: skipIf(!PY312, "pyenv CPython 3.12 not installed"),
  async fn() {
    await using tmp = await tempDir();
    const ad = path.join(tmp.path, "ad");
    const make = async (dest: string, ...extra: string[]) => {
      const r = await mkvenv([dest, "-p", PY312!, "--app-data", ad, ...extra], { cwd: tmp.path });
      assert.equal(r.code, 0, r.stderr);
    };
    const plain = await project(tmp.path, "plain", false);
    await make("plain/env");
    assert.equal(await exists(path.join(plain, ".venv")), false);
    await make("plain/env", "--venv-redirect");
    assert.equal(await Deno.readTextFile(path.join(plain, ".venv")), "env\n");

    const proj = await project(tmp.path, "proj");
    await make("proj/.venv", "--venv-redirect");
    assert.ok((await Deno.lstat(path.join(proj, ".venv", "pyvenv.cfg"))).isFile, "the environment itself");
    assert.deepEqual([...Deno.readDirSync(proj)].map((e) => e.name).sort(), [".venv", "pyproject.toml"]);
    assert.equal(await exists(path.join(proj, ".venv", ".venv")), false);
  },
});

Deno.test({
  name: "e2e: --dry-run lists the .venv redirect write and creates nothing",
  ignore: skipIf(!PY312, "pyenv CPython 3.12 not installed"),
  async fn() {
    await using tmp = await tempDir();
    const proj = await project(tmp.path, "proj");
    const r = await mkvenv(["proj/env", "-p", PY312!, "--app-data", path.join(tmp.path, "ad"), "--dry-run"], {
      cwd: tmp.path,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`\\nwrite   ${RegExp.escape(path.join(proj, ".venv"))} \\(4 bytes\\)`));
    assert.deepEqual([...Deno.readDirSync(proj)].map((e) => e.name), ["pyproject.toml"]);
  },
});
