/**
 * End to end for the creators beyond CPython's builtin one: Debian's PyPy 3 through the builtin `pypy3-posix`
 * creator, the `venv` creator (the interpreter's own `python -m venv`), and stdlib venv's layout compared file by file
 * with mkvenv's for every real interpreter on this machine.
 *
 * `run()` and `mkvenv()` use `cleanEnv()` by default: this machine's shell exports PYTHONDONTWRITEBYTECODE and PIP_*
 * that users' shells lack.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { mkvenv, pyenvPython, realPythons, run, skipIf, tempDir } from "../_helpers.ts";
import { parsePyvenvCfg } from "../../lib/creator/pyvenv_cfg.ts";

/** Debian's PyPy 3 (Python 3.9); by default it puts /usr/lib/python3/dist-packages on sys.path. */
const PYPY = "/usr/bin/pypy3";
const HAVE_PYPY = isExecutable(PYPY);
const PYTHONS = realPythons();
const DEBIAN = PYTHONS.find((p) => p.label.startsWith("debian"));
const PY312 = pyenvPython("3.12");
const GITIGNORE = "# created by mkvenv automatically\n*\n";

function isExecutable(file: string): boolean {
  try {
    const s = Deno.statSync(file);
    return s.isFile && ((s.mode ?? 0) & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** What an interpreter says about itself. */
interface Probe {
  impl: string;
  prefix: string;
  base_prefix: string;
  path: string[];
  purelib: string;
  /** `major.minor`. */
  minor: string;
  /** `major.minor.micro`. */
  full: string;
}

const PROBE_CODE = "import json, sys, site, sysconfig; print(json.dumps({'impl': sys.implementation.name, " +
  "'prefix': sys.prefix, 'base_prefix': sys.base_prefix, 'path': sys.path, " +
  "'purelib': sysconfig.get_paths()['purelib'], 'minor': '%d.%d' % sys.version_info[:2], " +
  "'full': '%d.%d.%d' % sys.version_info[:3]}))";

/** Runs the probe with `exe` from `/` (so the test's cwd cannot shadow a module) and keeps stderr to check it. */
async function probe(exe: string): Promise<{ info: Probe; stderr: string }> {
  const r = await run(exe, ["-c", PROBE_CODE], { cwd: "/" });
  assert.equal(r.code, 0, `${exe} failed (${r.code}): ${r.stderr}`);
  return { info: JSON.parse(r.stdout) as Probe, stderr: r.stderr };
}

function minorNumber(minor: string): number {
  return Number(minor.split(".")[1]);
}

/** Entries of sys.path that are a site-packages or dist-packages folder outside `dest`. */
function foreignSitePackages(sysPath: readonly string[], dest: string): string[] {
  return sysPath.filter((p) => /[/\\](site|dist)-packages$/.test(p) && !p.startsWith(dest + "/"));
}

async function readCfg(dest: string): Promise<Map<string, string>> {
  return parsePyvenvCfg(await Deno.readTextFile(path.join(dest, "pyvenv.cfg")));
}

async function assertExecutableFile(file: string): Promise<void> {
  const info = await Deno.lstat(file);
  assert.ok(info.isFile && ((info.mode ?? 0) & 0o111) !== 0, `${file} is not an executable regular file`);
}

// ---------------------------------------------------------------------------------------------------------------
// 1. PyPy 3 through the builtin creator.

for (const mode of ["symlinks", "copies"] as const) {
  Deno.test({
    name: `e2e: mkvenv -p ${PYPY} --${mode} creates a PyPy environment each of its interpreter names recognises`,
    ignore: skipIf(!HAVE_PYPY, `${PYPY} is not installed`),
    async fn() {
      await using tmp = await tempDir();
      const dest = path.join(tmp.path, "pypy env"); // a space, as users' paths have
      const r = await mkvenv([dest, "-p", PYPY, "--app-data", path.join(tmp.path, "ad"), `--${mode}`]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^created virtual environment PyPy3\.\d+\.\d+\.final\.0-64-\w+ in \d+ms\n/);
      assert.match(r.stdout, new RegExp(`\\n  creator PyPy3Posix\\(dest=${RegExp.escape(dest)}, clear=False`));

      const base = (await probe(PYPY)).info;
      const sitePackages = path.join(dest, "lib", `pypy${base.minor}`, "site-packages");
      // Below 3.10 (Debian's PyPy is 3.9) distutils still reads config files that could redirect installs.
      const pth = path.join(sitePackages, "_virtualenv.pth");
      if (minorNumber(base.minor) < 10) {
        assert.equal(await Deno.readTextFile(pth), "import _virtualenv");
        assert.ok((await Deno.lstat(path.join(sitePackages, "_virtualenv.py"))).isFile);
      } else {
        await assert.rejects(Deno.lstat(pth), Deno.errors.NotFound);
      }

      for (const name of ["pypy3", "pypy", "python", "python3", `python${base.minor}`]) {
        const exe = path.join(dest, "bin", name);
        if (mode === "symlinks") {
          // The main name links to the interpreter as given; the others link to it relatively (movable as a whole).
          assert.equal(await Deno.readLink(exe), name === "pypy3" ? PYPY : "pypy3", name);
        } else {
          await assertExecutableFile(exe);
        }
        const { info, stderr } = await probe(exe);
        // Starting the environment's python (the distutils patch's .pth included) must stay silent.
        assert.equal(stderr, "", `${name} wrote on stderr`);
        assert.equal(info.prefix, dest, name);
        assert.equal(info.base_prefix, base.base_prefix, name);
        assert.equal(info.purelib, sitePackages, name);
        assert.ok(info.path.includes(sitePackages), `${sitePackages} not on ${name}'s sys.path: ${info.path}`);
        // The base's dist-packages (Debian's /usr/lib/python3/dist-packages included) stay out, as they do in a
        // `pypy3 -m venv` environment on this machine (the layout test below compares the two sys.paths).
        assert.deepEqual(foreignSitePackages(info.path, dest), [], `${name}: ${info.path}`);
      }
    },
  });
}

// ---------------------------------------------------------------------------------------------------------------
// 2. The `venv` creator.

/** Interpreters for the `venv` creator; 3.13 is the one whose venv would write its own .gitignore. */
const VENV_TARGETS: { label: string; exe: string | undefined }[] = [
  { label: "pyenv 3.12", exe: PY312 },
  { label: "pyenv 3.13", exe: pyenvPython("3.13") },
  { label: "pyenv 3.8", exe: pyenvPython("3.8") },
  { label: "debian python3", exe: DEBIAN?.exe },
  { label: "pypy3", exe: HAVE_PYPY ? PYPY : undefined },
];

/** mkvenv's arguments for the `venv` creator, with an app-data folder inside the test's temporary folder. */
function venvCreatorArgs(tmp: string, dest: string, exe: string): string[] {
  return [dest, "-p", exe, "--app-data", path.join(tmp, "ad"), "--creator", "venv"];
}

for (const target of VENV_TARGETS) {
  Deno.test({
    name: `e2e: --creator venv -p ${target.label} lets venv lay out the environment and adds mkvenv's parts`,
    ignore: skipIf(target.exe === undefined, `${target.label} is not installed`),
    async fn() {
      const exe = target.exe!;
      await using tmp = await tempDir();
      const dest = path.join(tmp.path, "venv env");
      const r = await mkvenv(venvCreatorArgs(tmp.path, dest, exe));
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`\\n  creator Venv\\(dest=${RegExp.escape(dest)}, clear=False`));

      const base = (await probe(exe)).info;
      const modern = base.impl === "cpython" && minorNumber(base.minor) >= 11;
      const cfg = await readCfg(dest);
      // mkvenv's keys in its order, venv's values for the keys venv owns, venv's extra `command` after them; no
      // virtualenv base-* keys (venv records the base itself).
      assert.deepEqual([...cfg.keys()], [
        "home",
        "implementation",
        "python-version",
        "version_info",
        "version",
        "executable",
        "mkvenv",
        "include-system-site-packages",
        ...(modern ? ["command"] : []),
      ]);
      assert.equal(cfg.get("home"), path.dirname(exe));
      assert.equal(cfg.get("version"), base.full);
      // venv 3.11+ writes the resolved executable itself; below that it is mkvenv's key, also resolved.
      assert.equal(cfg.get("executable"), await Deno.realPath(exe));
      if (modern) assert.match(cfg.get("command")!, new RegExp(`^${RegExp.escape(exe)} -m venv .*--without-pip`));
      assert.equal(cfg.get("implementation"), base.impl === "pypy" ? "PyPy" : "CPython");
      assert.equal(cfg.get("python-version"), base.minor);
      assert.equal(cfg.get("version_info"), `${base.full}.final.0`);
      assert.match(cfg.get("mkvenv")!, /^\d+\.\d+\.\d+/);
      assert.equal(cfg.get("include-system-site-packages"), "false");

      const { info, stderr } = await probe(path.join(dest, "bin", "python"));
      assert.equal(stderr, "");
      assert.equal(info.prefix, dest);
      assert.equal(info.base_prefix, base.base_prefix);
      assert.ok(info.path.includes(info.purelib) && info.purelib.startsWith(dest + "/"), info.path.join());
      assert.deepEqual(foreignSitePackages(info.path, dest), []);
      // mkvenv's ignore file, not venv's (3.13's venv would write "# Created by venv; ..." without the flag).
      assert.equal(await Deno.readTextFile(path.join(dest, ".gitignore")), GITIGNORE);
      const pth = path.join(info.purelib, "_virtualenv.pth");
      if (minorNumber(base.minor) < 10) assert.equal(await Deno.readTextFile(pth), "import _virtualenv");
      else await assert.rejects(Deno.lstat(pth), Deno.errors.NotFound);
    },
  });
}

Deno.test({
  name: "e2e: --creator venv --copies copies the interpreter and the shared libpython",
  ignore: skipIf(PY312 === undefined, "pyenv 3.12 is not installed"),
  async fn() {
    await using tmp = await tempDir();
    const dest = path.join(tmp.path, "env");
    const r = await mkvenv([...venvCreatorArgs(tmp.path, dest, PY312!), "--copies"]);
    assert.equal(r.code, 0, r.stderr);
    for (const name of ["python", "python3", "python3.12"]) await assertExecutableFile(path.join(dest, "bin", name));
    assert.ok((await Deno.lstat(path.join(dest, "lib", "libpython3.12.so.1.0"))).isFile);
    assert.match(await Deno.readTextFile(path.join(dest, "pyvenv.cfg")), /\ncommand = .* -m venv --copies /);
    assert.equal((await probe(path.join(dest, "bin", "python"))).info.prefix, dest);
  },
});

Deno.test({
  name: "e2e: --creator venv --system-site-packages records it and puts the base's site-packages on sys.path",
  ignore: skipIf(PY312 === undefined, "pyenv 3.12 is not installed"),
  async fn() {
    await using tmp = await tempDir();
    const dest = path.join(tmp.path, "env");
    const r = await mkvenv([...venvCreatorArgs(tmp.path, dest, PY312!), "--system-site-packages"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /global=True\)/);
    assert.equal((await readCfg(dest)).get("include-system-site-packages"), "true");
    const base = (await probe(PY312!)).info;
    const inside = (await probe(path.join(dest, "bin", "python"))).info;
    assert.ok(inside.path.includes(base.purelib), `${base.purelib} not in ${inside.path}`);
  },
});

Deno.test({
  name: "e2e: --creator venv --dry-run prints the venv command it would run and touches nothing",
  ignore: skipIf(PY312 === undefined, "pyenv 3.12 is not installed"),
  async fn() {
    await using tmp = await tempDir();
    const dest = path.join(tmp.path, "env");
    const r = await mkvenv([...venvCreatorArgs(tmp.path, dest, PY312!), "--dry-run"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(`^run {5}${RegExp.escape(PY312!)} -I -m venv --without-pip .*${RegExp.escape(dest)}$`, "m"),
    );
    // Nothing but mkvenv's interpreter cache next to where the environment would be.
    const entries: string[] = [];
    for await (const entry of Deno.readDir(tmp.path)) entries.push(entry.name);
    assert.deepEqual(entries.filter((name) => name !== "ad"), []);
  },
});

Deno.test({
  name: "e2e: --creator venv --copies refuses Debian's PyPy (its venv would copy all of /usr/lib) and leaves nothing",
  ignore: skipIf(!HAVE_PYPY, `${PYPY} is not installed`),
  async fn() {
    await using tmp = await tempDir();
    const dest = path.join(tmp.path, "env");
    const r = await mkvenv([...venvCreatorArgs(tmp.path, dest, PYPY), "--copies"]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      "error: Cannot copy the interpreter with creator venv: PyPy's venv module would copy all of /usr/lib into the " +
        "environment\nhint: drop --copies\n",
    );
    await assert.rejects(Deno.lstat(dest), Deno.errors.NotFound);
  },
});

// ---------------------------------------------------------------------------------------------------------------
// 3. stdlib venv's layout against mkvenv's builtin creators.

/** The interpreter both environments are made from, as the layout differences need it. */
interface LayoutTarget {
  /** The executable, as given to both tools. */
  readonly exe: string;
  readonly impl: string;
  /** `major.minor`. */
  readonly minor: string;
  /** site-packages relative to the environment root, as stdlib venv lays it out. */
  readonly sitePackages: string;
}

/** A documented difference between `python -m venv --without-pip A` and `mkvenv B --no-vcs-ignore`. */
interface LayoutDifference {
  readonly what: string;
  readonly why: string;
  applies(t: LayoutTarget): boolean;
  /** Tree lines (`relative/path kind [target]`) venv's environment has. */
  venv(t: LayoutTarget): string[];
  /** Tree lines mkvenv's environment has instead. */
  mkvenv(t: LayoutTarget): string[];
}

/** Files neither tree is compared on: mkvenv writes its activators in a later step than the layout. */
const IGNORED_IN_BIN = /^bin\/(activate[^/]*|Activate\.ps1|[^/]*\.(fish|csh))$/;

/** CPython's interpreter names in bin (both tools offer the same names). */
function cpythonNames(t: LayoutTarget): string[] {
  return [...new Set(["python", "python3", `python${t.minor}`, path.basename(t.exe)])];
}

/**
 * Every difference there is; anything else in one tree and not the other fails the test. Both have, and so are not
 * listed: bin/, include/, lib/<impl>X.Y/site-packages, lib64 -> lib and pyvenv.cfg.
 */
const LAYOUT_DIFFERENCES: readonly LayoutDifference[] = [
  {
    what: "interpreter links",
    why: "venv links the name it was started as (python3.X for pyenv, python3 for Debian) to the base and the other " +
      "names to that; mkvenv links python to the base and the others to python, virtualenv's layout (for PyPy both " +
      "link pypy3 to the base and the other names to pypy3)",
    applies: (t) => t.impl === "cpython",
    venv: (t) => {
      const started = path.basename(t.exe);
      return cpythonNames(t).map((n) => `bin/${n} l ${n === started ? t.exe : started}`);
    },
    mkvenv: (t) => cpythonNames(t).map((n) => `bin/${n} l ${n === "python" ? t.exe : "python"}`),
  },
  {
    what: "include/pythonX.Y",
    why: "venv 3.11+ creates its scheme's include folder; mkvenv, like virtualenv, only an empty include/",
    applies: (t) => t.impl === "cpython" && minorNumber(t.minor) >= 11,
    venv: (t) => [`include/python${t.minor} d`],
    mkvenv: () => [],
  },
  {
    what: "distutils patch",
    why: "below 3.10 mkvenv adds virtualenv's _virtualenv.py/.pth so distutils config files cannot redirect installs",
    applies: (t) => minorNumber(t.minor) < 10,
    venv: () => [],
    mkvenv: (t) => [`${t.sitePackages}/_virtualenv.pth f`, `${t.sitePackages}/_virtualenv.py f`],
  },
];

/**
 * pyvenv.cfg keys venv writes that mkvenv's builtin creators do not write with venv's value, with the reason. Every
 * other key venv writes must be in mkvenv's file with the same value; `executable` is equal (both resolve symlinks).
 */
const CFG_DIFFERENCES: Readonly<Record<string, string>> = {
  command: "venv 3.11+ records the command that made the environment; builtin creators run none (nor does virtualenv)",
};

/** The keys venv writes into pyvenv.cfg. */
function venvCfgKeys(t: LayoutTarget): string[] {
  const modern = t.impl === "cpython" && minorNumber(t.minor) >= 11;
  return ["home", "include-system-site-packages", "version", ...(modern ? ["executable", "command"] : [])].sort();
}

/** Sorted `relative/path kind [link-target]` lines (kind d/f/l), with `root` in link targets shown as `<ROOT>`. */
async function treeLines(root: string): Promise<string[]> {
  const lines: string[] = [];
  async function walk(dir: string): Promise<void> {
    for await (const entry of Deno.readDir(dir)) {
      const full = path.join(dir, entry.name);
      const rel = path.relative(root, full);
      if (entry.isSymlink) {
        lines.push(`${rel} l ${(await Deno.readLink(full)).replaceAll(root, "<ROOT>")}`);
      } else if (entry.isDirectory) {
        lines.push(`${rel} d`);
        await walk(full);
      } else {
        lines.push(`${rel} f`);
      }
    }
  }
  await walk(root);
  return lines.filter((line) => !IGNORED_IN_BIN.test(line.split(" ")[0]!)).sort();
}

function without(lines: readonly string[], others: readonly string[]): string[] {
  const drop = new Set(others);
  return lines.filter((line) => !drop.has(line)).sort();
}

/** sys.path with the environment's own root written as `<DEST>`. */
function relativeSysPath(sysPath: readonly string[], root: string): string[] {
  return sysPath.map((p) => (p === root || p.startsWith(root + "/") ? "<DEST>" + p.slice(root.length) : p));
}

/**
 * Only the default (symlink) mode is compared: Debian PyPy's `venv --copies` copies everything in /usr/lib next to the
 * stdlib (about 850 MB here) and then fails on a dangling link, so there is no stdlib layout to compare with.
 */
const LAYOUT_TARGETS: { label: string; exe: string | undefined }[] = [
  ...PYTHONS.map((p) => ({ label: p.label, exe: p.exe })),
  { label: "pypy3", exe: HAVE_PYPY ? PYPY : undefined },
];

for (const target of LAYOUT_TARGETS) {
  Deno.test({
    name: `e2e: ${target.label}: mkvenv's layout and pyvenv.cfg differ from stdlib venv's only as documented`,
    ignore: skipIf(target.exe === undefined, `${target.label} is not installed`),
    async fn() {
      const exe = target.exe!;
      await using tmp = await tempDir();
      const a = path.join(tmp.path, "A");
      const b = path.join(tmp.path, "B");
      const base = (await probe(exe)).info;
      // 3.13's venv writes a .gitignore unless told not to; mkvenv's --no-vcs-ignore is its counterpart.
      const noScm = minorNumber(base.minor) >= 13 ? ["--without-scm-ignore-files"] : [];
      const [venvRun, ours] = await Promise.all([
        run(exe, ["-m", "venv", "--without-pip", ...noScm, a], { cwd: tmp.path }),
        mkvenv([b, "-p", exe, "--no-vcs-ignore", "--app-data", path.join(tmp.path, "ad")], { cwd: tmp.path }),
      ]);
      assert.equal(venvRun.code, 0, venvRun.stderr);
      assert.equal(ours.code, 0, ours.stderr);
      // The trees first: starting an environment's python imports _virtualenv and leaves a __pycache__ behind.
      const [linesA, linesB] = await Promise.all([treeLines(a), treeLines(b)]);
      const [probeA, probeB] = await Promise.all([
        probe(path.join(a, "bin", "python")),
        probe(path.join(b, "bin", "python")),
      ]);
      const t: LayoutTarget = {
        exe,
        impl: base.impl,
        minor: base.minor,
        sitePackages: path.relative(a, probeA.info.purelib),
      };

      const applicable = LAYOUT_DIFFERENCES.filter((d) => d.applies(t));
      const venvSide = applicable.flatMap((d) => d.venv(t));
      const mkvenvSide = applicable.flatMap((d) => d.mkvenv(t));
      const documented = applicable.map((d) => `${d.what}: ${d.why}`).join("\n");
      assert.deepEqual(
        without(linesA, linesB),
        without(venvSide, mkvenvSide),
        `only in venv's; documented:\n${documented}`,
      );
      assert.deepEqual(
        without(linesB, linesA),
        without(mkvenvSide, venvSide),
        `only in mkvenv's; documented:\n${documented}`,
      );

      const [cfgA, cfgB] = await Promise.all([readCfg(a), readCfg(b)]);
      assert.deepEqual([...cfgA.keys()].sort(), venvCfgKeys(t));
      for (const [key, value] of cfgA) {
        if (key in CFG_DIFFERENCES) assert.equal(cfgB.has(key), false, `${key}: ${CFG_DIFFERENCES[key]}`);
        else assert.equal(cfgB.get(key), value, `pyvenv.cfg ${key}`);
      }

      assert.equal(probeA.stderr, "");
      assert.equal(probeB.stderr, "");
      assert.deepEqual(relativeSysPath(probeB.info.path, b), relativeSysPath(probeA.info.path, a));
    },
  });
}
