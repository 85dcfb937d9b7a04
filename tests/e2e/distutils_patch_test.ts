/**
 * End to end: the `_virtualenv` module mkvenv writes for Pythons below 3.10 (lib/creator/distutils_patch.py) keeps
 * distutils/setuptools config files from redirecting installs out of the environment, on every CPython 3.6-3.9 here.
 * The environments come from the interpreter's own `python -m venv --without-pip`, so only the module is under test.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { cleanEnv, pyenvPython, run, type RunResult, skipIf, tempDir } from "../_helpers.ts";
import { DISTUTILS_PATCH_SCRIPT } from "../../lib/creator/distutils_patch_script.gen.ts";

const MARK = "_mkvenv_pins_install_paths";

/** Imports `argv[1]`, parses the config files with its Distribution and reports what came out, as JSON. */
const PROBE = `import importlib, json, sys
dist = importlib.import_module(sys.argv[1])
d = dist.Distribution()
d.parse_config_files()
f = dist.Distribution.parse_config_files
print(json.dumps({
    "prefix": sys.prefix,
    "install": dict(d.get_option_dict("install")),
    "patched": bool(getattr(f, "${MARK}", False)),
    "wrappedOnce": not getattr(getattr(f, "__wrapped__", None), "${MARK}", False),
    "loader": type(dist.__loader__).__name__,
    "specLoader": type(dist.__spec__.loader).__name__,
    "execModule": hasattr(dist.__loader__, "exec_module"),
}))
`;

interface Probe {
  prefix: string;
  install: Record<string, [string, string]>;
  patched: boolean;
  wrappedOnce: boolean;
  loader: string;
  specLoader: string;
  execModule: boolean;
}

/**
 * A stand-in for setuptools: its own parser, like the real one's, lacks distutils' filter of install options inside
 * a venv, so `prefix` gets through and the patch's pinning of it shows.
 */
const FAKE_SETUPTOOLS_DIST = `from distutils.dist import Distribution as _Distribution


class Distribution(_Distribution):
    def parse_config_files(self, filenames=None):
        _Distribution.parse_config_files(self, filenames)
        install = self.get_option_dict("install")
        install["prefix"] = ("fake", "/somewhere/else")
        install["install_platlib"] = ("fake", "/elsewhere/platlib")
        install["install_headers"] = ("fake", "/elsewhere/include")
        install["optimize"] = ("fake", "1")
`;

/** Both modules imported at once from two threads: each class ends up wrapped exactly once. */
const CONCURRENT = `import importlib, json, threading
barrier = threading.Barrier(2)
def load(name):
    barrier.wait()
    importlib.import_module(name)
threads = [threading.Thread(target=load, args=(n,)) for n in ("distutils.dist", "setuptools.dist")]
for t in threads: t.start()
for t in threads: t.join()
import distutils.dist, setuptools.dist
out = {}
for m in (distutils.dist, setuptools.dist):
    f = m.Distribution.parse_config_files
    out[m.__name__] = [bool(getattr(f, "${MARK}", False)), bool(getattr(f.__wrapped__, "${MARK}", False))]
print(json.dumps(out))
`;

/** A reloaded module's new class gets wrapped; a subclass inheriting the wrapper and a second pass are left alone. */
const ONCE = `import importlib, json, types
import _virtualenv, distutils.dist
old = distutils.dist.Distribution
importlib.reload(distutils.dist)
new = distutils.dist.Distribution
class Sub(new): pass
holder = types.ModuleType("holder")
holder.Distribution = Sub
_virtualenv._pin_install_paths(holder)
_virtualenv._pin_install_paths(distutils.dist)
f = new.parse_config_files
print(json.dumps({
    "reloadedIsNew": old is not new,
    "oldPatched": bool(getattr(old.parse_config_files, "${MARK}", False)),
    "newPatched": bool(getattr(f, "${MARK}", False)),
    "newWrappedOnce": not getattr(f.__wrapped__, "${MARK}", False),
    "subclassUntouched": "parse_config_files" not in Sub.__dict__,
    "finders": sum(type(x).__name__ == "_Finder" for x in __import__("sys").meta_path),
}))
`;

/** What setup.cfg and ~/.pydistutils.cfg try to redirect. */
const REDIRECTED = {
  install_data: "/elsewhere/data",
  install_purelib: "/elsewhere/lib",
  install_scripts: "/elsewhere/bin",
};

function values(install: Record<string, [string, string]>): Record<string, string> {
  return Object.fromEntries(Object.entries(install).map(([k, v]) => [k, v[1]]));
}

function parse<T>(r: RunResult): T {
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
}

for (const minor of ["3.6", "3.7", "3.8", "3.9"]) {
  const exe = pyenvPython(minor);
  Deno.test({
    name: `e2e: _virtualenv on CPython ${minor} keeps config files from redirecting installs out of the venv`,
    ignore: skipIf(!exe, `no pyenv CPython ${minor}`),
    async fn(t) {
      await using tmp = await tempDir();
      const home = path.join(tmp.path, "home");
      const project = path.join(tmp.path, "project");
      await Deno.mkdir(home);
      await Deno.mkdir(project);
      await Deno.writeTextFile(
        path.join(project, "setup.cfg"),
        "[install]\nprefix = /somewhere/else\ninstall_purelib = /elsewhere/lib\ninstall_scripts = /elsewhere/bin\n",
      );
      await Deno.writeTextFile(path.join(home, ".pydistutils.cfg"), "[install]\ninstall_data = /elsewhere/data\n");
      const probe = path.join(tmp.path, "probe.py");
      await Deno.writeTextFile(probe, PROBE);

      // A stand-in setuptools, as a folder (SourceFileLoader: exec_module) and as a zip (zipimporter, which has
      // only load_module before 3.10).
      const fake = path.join(tmp.path, "fake");
      await Deno.mkdir(path.join(fake, "setuptools"), { recursive: true });
      await Deno.writeTextFile(path.join(fake, "setuptools", "__init__.py"), "");
      await Deno.writeTextFile(path.join(fake, "setuptools", "dist.py"), FAKE_SETUPTOOLS_DIST);
      const fakeZip = path.join(tmp.path, "fake.zip");
      const zipped = await run(exe!, ["-m", "zipfile", "-c", fakeZip, "setuptools"], { cwd: fake });
      assert.equal(zipped.code, 0, zipped.stderr);

      const makeVenv = async (name: string): Promise<string> => {
        const dir = path.join(tmp.path, name);
        const r = await run(exe!, ["-m", "venv", "--without-pip", dir]);
        assert.equal(r.code, 0, r.stderr);
        return dir;
      };
      const patched = await makeVenv("patched");
      const plain = await makeVenv("plain");
      const sitePackages = path.join(patched, "lib", `python${minor}`, "site-packages");
      const patchFile = path.join(sitePackages, "_virtualenv.py");
      await Deno.writeTextFile(patchFile, DISTUTILS_PATCH_SCRIPT);
      await Deno.writeTextFile(path.join(sitePackages, "_virtualenv.pth"), "import _virtualenv");

      const python = (venv: string, args: string[], extra: Record<string, string> = {}) =>
        run(path.join(venv, "bin", "python"), args, { cwd: project, env: cleanEnv({ HOME: home, ...extra }) });

      await t.step("starts clean: the .pth loads the module without errors and without threading", async () => {
        const r = await python(patched, [
          "-c",
          "import sys; print('threading' in sys.modules, '_virtualenv' in sys.modules)",
        ]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stderr, "");
        assert.equal(r.stdout, "False True\n");
      });

      await t.step("distutils: install_* from setup.cfg and ~/.pydistutils.cfg are dropped", async () => {
        const r = await python(patched, [probe, "distutils.dist"]);
        assert.equal(r.stderr, "");
        const out = parse<Probe>(r);
        assert.equal(out.prefix, patched);
        assert.ok(out.patched && out.wrappedOnce);
        assert.equal(out.loader, "SourceFileLoader");
        assert.equal(out.specLoader, "SourceFileLoader");
        // distutils itself ignores `prefix` in a venv, so it is absent; were it there, it would be pinned.
        const install = values(out.install);
        assert.ok(!("prefix" in install) || install.prefix === patched, JSON.stringify(install));
        for (const key of Object.keys(REDIRECTED)) {
          assert.ok(!(key in install), `${key} kept: ${JSON.stringify(install)}`);
        }
      });

      await t.step("control: without the patch the same config does redirect", async () => {
        const out = parse<Probe>(await python(plain, [probe, "distutils.dist"]));
        assert.equal(out.prefix, plain);
        assert.ok(!out.patched);
        assert.deepEqual(values(out.install), REDIRECTED);
      });

      for (
        const [kind, where, loader, execModule] of [
          ["a loader with exec_module", fake, "SourceFileLoader", true],
          ["a load_module-only loader (zipimport)", fakeZip, "zipimporter", false],
        ] as const
      ) {
        await t.step(`setuptools.dist via ${kind}: prefix pinned to sys.prefix, install_* dropped`, async () => {
          const r = await python(patched, [probe, "setuptools.dist"], { PYTHONPATH: where });
          assert.equal(r.stderr, "");
          const out = parse<Probe>(r);
          assert.equal(out.loader, loader);
          assert.equal(out.specLoader, loader);
          assert.equal(out.execModule, execModule);
          assert.ok(out.patched && out.wrappedOnce);
          assert.deepEqual(out.install, { prefix: [patchFile, patched], optimize: ["fake", "1"] });

          const control = parse<Probe>(await python(plain, [probe, "setuptools.dist"], { PYTHONPATH: where }));
          assert.equal(control.loader, loader);
          assert.deepEqual(values(control.install), {
            ...REDIRECTED,
            prefix: "/somewhere/else",
            install_platlib: "/elsewhere/platlib",
            install_headers: "/elsewhere/include",
            optimize: "1",
          });
        });
      }

      await t.step("concurrent imports from two threads patch each class once", async () => {
        const r = await python(patched, ["-c", CONCURRENT], { PYTHONPATH: fake });
        assert.equal(r.stderr, "");
        assert.deepEqual(parse(r), { "distutils.dist": [true, false], "setuptools.dist": [true, false] });
      });

      await t.step("reload patches the new class; subclasses and second passes are not wrapped again", async () => {
        const r = await python(patched, ["-c", ONCE]);
        assert.equal(r.stderr, "");
        assert.deepEqual(parse(r), {
          reloadedIsNew: true,
          oldPatched: true,
          newPatched: true,
          newWrappedOnce: true,
          subclassUntouched: true,
          finders: 1,
        });
      });

      // The real setuptools of the base interpreter, put on PYTHONPATH (no .pth of the base runs that way).
      const found = await run(exe!, [
        "-c",
        "import os, setuptools; print(os.path.dirname(os.path.dirname(setuptools.__file__)))",
      ]);
      const baseSite = found.code === 0 ? found.stdout.trim() : undefined;
      await t.step({
        name: "real setuptools.dist of the base interpreter: install_* dropped",
        ignore: skipIf(baseSite === undefined, `no setuptools in the base CPython ${minor}`),
        async fn() {
          const r = await python(patched, [probe, "setuptools.dist"], { PYTHONPATH: baseSite! });
          assert.equal(r.stderr, "");
          const out = parse<Probe>(r);
          assert.ok(out.patched && out.wrappedOnce);
          const install = values(out.install);
          assert.ok(!("prefix" in install) || install.prefix === patched, JSON.stringify(install));
          for (const key of Object.keys(REDIRECTED)) {
            assert.ok(!(key in install), `${key} kept: ${JSON.stringify(install)}`);
          }
          const control = parse<Probe>(await python(plain, [probe, "setuptools.dist"], { PYTHONPATH: baseSite! }));
          assert.deepEqual(values(control.install), REDIRECTED);
        },
      });
    },
  });
}
