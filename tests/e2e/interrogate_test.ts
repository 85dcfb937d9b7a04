/**
 * End-to-end tests of the interrogation script and its runner against real interpreters (pyenv CPythons, Debian's
 * python3, PyPy) and fake ones (shell scripts). Interpreters that are missing are skipped with a message.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { interrogate, type PythonInfo, validatePythonInfo } from "../../lib/discovery/interrogate.ts";

const IS_WINDOWS = Deno.build.os === "windows";

/** The fake interpreters below are `#!/bin/sh` scripts; Windows cannot run them. Says so when skipping. */
function skipOnWindows(): boolean {
  if (IS_WINDOWS) console.log("skipped: fake interpreters are /bin/sh scripts, which Windows cannot run");
  return IS_WINDOWS;
}
const HOME = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE") ?? "";
const PYENV_VERSIONS = path.join(Deno.env.get("PYENV_ROOT") ?? path.join(HOME, ".pyenv"), "versions");

/** Environment for the Python processes the tests start themselves: ours without what redirects Python. */
function pythonEnv(): Record<string, string> {
  const env = Deno.env.toObject();
  for (const name of Object.keys(env)) {
    if (name.startsWith("PYTHON") || name === "__PYVENV_LAUNCHER__") delete env[name];
  }
  return env;
}

function isFile(file: string): boolean {
  try {
    return Deno.statSync(file).isFile;
  } catch {
    return false;
  }
}

function isExecutable(file: string): boolean {
  try {
    const stat = Deno.statSync(file);
    return stat.isFile && (IS_WINDOWS || ((stat.mode ?? 0) & 0o111) !== 0);
  } catch {
    return false;
  }
}

/** pyenv's installed versions as [version dir name, X.Y], for `3.*` and `2.*`. */
function pyenvVersions(): { name: string; major: number; minor: number }[] {
  const found: { name: string; major: number; minor: number }[] = [];
  try {
    for (const entry of Deno.readDirSync(PYENV_VERSIONS)) {
      const match = /^(\d+)\.(\d+)\.\d+$/.exec(entry.name);
      if (match && entry.isDirectory) {
        found.push({ name: entry.name, major: Number(match[1]), minor: Number(match[2]) });
      }
    }
  } catch {
    // No pyenv here.
  }
  return found.sort((a, b) => a.major - b.major || a.minor - b.minor);
}

/** The pyenv interpreter `bin/pythonX.Y` for a `X.Y`, if installed. */
function pyenvPython(majorMinor: string): string | undefined {
  const version = pyenvVersions().find((v) => `${v.major}.${v.minor}` === majorMinor);
  if (!version) return undefined;
  const exe = path.join(PYENV_VERSIONS, version.name, "bin", `python${majorMinor}`);
  return isExecutable(exe) ? exe : undefined;
}

function whichSync(name: string): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(IS_WINDOWS ? ";" : ":")) {
    if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

/** A Python interpreter under test, or why it is not available. */
interface Subject {
  readonly label: string;
  readonly exe: string | undefined;
  readonly missing: string;
}

const SUBJECTS: Subject[] = [
  ...pyenvVersions().filter((v) => v.major === 3 && v.minor >= 6).map((v) => ({
    label: `pyenv CPython ${v.name}`,
    exe: path.join(PYENV_VERSIONS, v.name, "bin", "python"),
    missing: "",
  })),
  {
    label: "Debian /usr/bin/python3",
    exe: !IS_WINDOWS && isExecutable("/usr/bin/python3") ? "/usr/bin/python3" : undefined,
    missing: "/usr/bin/python3 does not exist",
  },
  { label: "PyPy pypy3", exe: whichSync("pypy3"), missing: "pypy3 is not on PATH (apt-get install pypy3)" },
];

/** Registers a test that skips, with a console message, when its interpreter is missing. */
function pythonTest(name: string, exe: string | undefined, missing: string, fn: (exe: string) => Promise<void>): void {
  if (exe === undefined) console.log(`skipping "${name}": ${missing}`);
  Deno.test({ name, ignore: exe === undefined, fn: () => fn(exe!) });
}

/** What an interpreter says about itself, printed with its own json module. */
interface Truth {
  implementation: string;
  versionInfo: [number, number, number, string, number];
  version: string;
  executable: string;
  prefix: string;
  basePrefix: string;
  execPrefix: string;
  baseExecPrefix: string;
  platform: string;
  osName: string;
  fileSystemEncoding: string;
  sysPath: string[];
  maxsize: number;
  configVars: Record<string, string | number | null>;
  gilDisabled: number | null;
}

const TRUTH_SCRIPT = `
import json, os, sys, sysconfig
names = ("Py_ENABLE_SHARED", "INSTSONAME", "LDLIBRARY", "LIBDIR", "PYTHONFRAMEWORK", "MULTIARCH")
print(json.dumps({
    "implementation": sys.implementation.name,
    "versionInfo": list(sys.version_info),
    "version": sys.version,
    "executable": sys.executable,
    "prefix": sys.prefix,
    "basePrefix": getattr(sys, "base_prefix", sys.prefix),
    "execPrefix": sys.exec_prefix,
    "baseExecPrefix": getattr(sys, "base_exec_prefix", sys.exec_prefix),
    "platform": sys.platform,
    "osName": os.name,
    "fileSystemEncoding": sys.getfilesystemencoding(),
    "sysPath": [os.path.abspath(p) for p in sys.path if p not in ("", ".")],
    "maxsize": sys.maxsize,
    "configVars": dict((n, sysconfig.get_config_var(n)) for n in names),
    "gilDisabled": sysconfig.get_config_var("Py_GIL_DISABLED"),
}))
`;

async function run(exe: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(exe, { args, env: pythonEnv(), clearEnv: true, stdin: "null", cwd: "/" })
    .output();
  const decoder = new TextDecoder();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}

async function truthOf(exe: string): Promise<Truth> {
  const result = await run(exe, ["-E", "-s", "-B", "-c", TRUTH_SCRIPT]);
  assert.equal(result.code, 0, `${exe} failed to describe itself: ${result.stderr}`);
  return JSON.parse(result.stdout) as Truth;
}

async function interrogateOk(exe: string): Promise<PythonInfo> {
  const result = await interrogate(exe);
  assert.ok(result.ok, `interrogating ${exe} failed: ${result.ok ? "" : result.reason}`);
  assert.equal(validatePythonInfo(result.info), undefined);
  return result.info;
}

function realPath(file: string): string {
  return Deno.realPathSync(file);
}

/** `lib/python3.12/site-packages`, `lib/pypy3.9/site-packages`, `Lib\site-packages`. */
function expectedPurelib(info: PythonInfo): string {
  if (info.osName === "nt") return "Lib\\site-packages";
  const v = info.versionInfo;
  return `lib/${info.implementation === "PyPy" ? "pypy" : "python"}${v.major}.${v.minor}/site-packages`;
}

/** Creates a venv with the interpreter's own `venv` module and returns its root (realpath) and python. */
async function makeVenv(base: string, dir: string): Promise<{ root: string; python: string }> {
  const root = path.join(dir, "venv");
  const result = await run(base, ["-m", "venv", "--without-pip", root]);
  assert.equal(result.code, 0, `${base} -m venv failed: ${result.stderr}`);
  return { root: realPath(root), python: path.join(root, IS_WINDOWS ? "Scripts\\python.exe" : "bin/python") };
}

function assertMatchesTruth(info: PythonInfo, truth: Truth, exe: string): void {
  const [major, minor, micro, releaselevel, serial] = truth.versionInfo;
  assert.deepEqual(info.versionInfo, { major, minor, micro, releaselevel, serial });
  assert.equal(info.version, truth.version);
  assert.equal(info.implementation.toLowerCase(), truth.implementation);
  assert.equal(info.executable, truth.executable);
  assert.equal(info.prefix, truth.prefix);
  assert.equal(info.basePrefix, truth.basePrefix);
  assert.equal(info.execPrefix, truth.execPrefix);
  assert.equal(info.baseExecPrefix, truth.baseExecPrefix);
  assert.equal(info.platform, truth.platform);
  assert.equal(info.osName, truth.osName);
  assert.equal(info.fileSystemEncoding, truth.fileSystemEncoding);
  assert.deepEqual(info.sysPath, truth.sysPath);
  assert.equal(info.bits, truth.maxsize > 2 ** 32 ? 64 : 32);
  assert.equal(info.freeThreaded, truth.gilDisabled === 1);
  for (const [name, value] of Object.entries(truth.configVars)) {
    assert.equal(info.configVars[name as keyof PythonInfo["configVars"]], value, `configVars.${name} of ${exe}`);
  }
  if (Deno.build.arch === "x86_64") assert.equal(info.machine, "x86_64");
  if (Deno.build.arch === "aarch64") assert.equal(info.machine, "arm64");
}

for (const subject of SUBJECTS) {
  pythonTest(
    `interrogate() ${subject.label}: fields match what the interpreter says`,
    subject.exe,
    subject.missing,
    async (exe) => {
      const [info, truth] = await Promise.all([interrogateOk(exe), truthOf(exe)]);
      assertMatchesTruth(info, truth, exe);
      assert.equal(info.inVenv, false);
      assert.equal(info.hasVenv, true);

      const paths = info.venvPaths;
      assert.equal(paths.purelib, expectedPurelib(info));
      assert.equal(paths.platlib, paths.purelib);
      assert.equal(paths.scripts, info.osName === "nt" ? "Scripts" : "bin");
      assert.match(paths.include, /^include[\\/]/i);
      assert.equal(paths.data, "");

      assert.ok(path.isAbsolute(info.stdlib) && isFile(path.join(info.stdlib, "os.py")), `stdlib ${info.stdlib}`);
      assert.ok(path.isAbsolute(info.platstdlib), `platstdlib ${info.platstdlib}`);
      for (const wheel of info.ensurepipWheels) {
        assert.ok(path.isAbsolute(wheel) && wheel.endsWith(".whl") && isFile(wheel), wheel);
      }

      // Not in a venv: the executable itself, only executable-only symlinks resolved.
      assert.ok(isExecutable(info.systemExecutable), `${info.systemExecutable} is not an executable file`);
      assert.equal(realPath(info.systemExecutable), realPath(truth.executable));
      assert.equal(path.dirname(info.systemExecutable), path.dirname(exe), "a same-install link is kept in its folder");
    },
  );

  pythonTest(
    `interrogate() ${subject.label}: a venv pointing at systemExecutable works`,
    subject.exe,
    subject.missing,
    async (exe) => {
      if (!IS_WINDOWS) await assertMinimalVenvWorks(await interrogateOk(exe));
    },
  );
}

/**
 * Builds the minimal venv mkvenv writes (`bin/python` linked to systemExecutable, `home` = its folder) and checks
 * that it starts with the venv as prefix and the install's stdlib.
 */
async function assertMinimalVenvWorks(info: PythonInfo): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "mkvenv-interrogate-" });
  try {
    const root = realPath(dir);
    await Deno.mkdir(path.join(root, "bin"));
    await Deno.symlink(info.systemExecutable, path.join(root, "bin", "python"));
    await Deno.writeTextFile(
      path.join(root, "pyvenv.cfg"),
      `home = ${path.dirname(info.systemExecutable)}\ninclude-system-site-packages = false\n`,
    );
    const result = await run(path.join(root, "bin", "python"), [
      "-c",
      "import sys, os; print(sys.prefix); print(sys.base_prefix); print(os.__file__)",
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, "", "no 'Could not find platform libraries' warnings");
    const [prefix, basePrefix, osFile] = result.stdout.trim().split("\n");
    assert.equal(prefix, root);
    assert.equal(basePrefix, info.basePrefix);
    assert.equal(path.dirname(osFile ?? ""), info.stdlib);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

pythonTest(
  "interrogate() resolves links from outside an install up to a folder of the install",
  pyenvPython("3.12"),
  "pyenv has no 3.12",
  async (python312) => {
    const bin = path.dirname(python312);
    const dir = await Deno.makeTempDir({ prefix: "mkvenv-interrogate-" });
    try {
      const root = realPath(dir);
      await Deno.mkdir(path.join(root, "a"));
      await Deno.mkdir(path.join(root, "b"));
      // ~/bin/py -> <install>/bin/python3: stops at python3, whose folder has ../lib/python3.12/os.py.
      await Deno.symlink(path.join(bin, "python3"), path.join(root, "a", "direct"));
      // a/chain -> ../b/hop -> <install>/bin/python3.12: a relative hop, then the real file.
      await Deno.symlink("../b/hop", path.join(root, "a", "chain"));
      await Deno.symlink(python312, path.join(root, "b", "hop"));
      // linked-bin -> <install>/bin: the folder is a link, so its lexical parent has no stdlib: fully resolved.
      await Deno.symlink(bin, path.join(root, "linked-bin"));
      const cases: [string, string][] = [
        [path.join(root, "a", "direct"), path.join(bin, "python3")],
        [path.join(root, "a", "chain"), python312],
        [path.join(root, "linked-bin", "python"), realPath(python312)],
      ];
      for (const [exe, expected] of cases) {
        const info = await interrogateOk(exe);
        assert.equal(info.executable, exe);
        assert.equal(info.systemExecutable, expected, `systemExecutable of ${exe}`);
        await assertMinimalVenvWorks(info);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

if (pyenvVersions().length === 0) {
  console.log(`skipping pyenv interpreters: ${PYENV_VERSIONS} does not exist`);
  Deno.test({ name: "interrogate() pyenv interpreters", ignore: true, fn: () => {} });
}

/** Interpreters to build a real venv from with `-m venv --without-pip`. */
const VENV_BASES: Subject[] = [
  { label: "pyenv CPython 3.12", exe: pyenvPython("3.12"), missing: "pyenv has no 3.12" },
  { label: "pyenv CPython 3.8", exe: pyenvPython("3.8"), missing: "pyenv has no 3.8" },
  { label: "pyenv CPython 3.6", exe: pyenvPython("3.6"), missing: "pyenv has no 3.6" },
  {
    label: "Debian /usr/bin/python3",
    exe: !IS_WINDOWS && isExecutable("/usr/bin/python3") ? "/usr/bin/python3" : undefined,
    missing: "/usr/bin/python3 does not exist",
  },
  { label: "PyPy pypy3", exe: whichSync("pypy3"), missing: "pypy3 is not on PATH" },
];

for (const base of VENV_BASES) {
  pythonTest(`interrogate() a venv of ${base.label} reports its base install`, base.exe, base.missing, async (exe) => {
    const baseInfo = await interrogateOk(exe);
    const dir = await Deno.makeTempDir({ prefix: "mkvenv-interrogate-" });
    try {
      const venv = await makeVenv(exe, dir);
      const info = await interrogateOk(venv.python);
      const truth = await truthOf(venv.python);
      assertMatchesTruth(info, truth, venv.python);

      assert.equal(info.inVenv, true);
      assert.equal(info.prefix, venv.root);
      assert.equal(info.basePrefix, baseInfo.basePrefix);
      assert.equal(info.baseExecPrefix, baseInfo.baseExecPrefix);
      assert.equal(info.stdlib, baseInfo.stdlib);
      assert.equal(info.platstdlib, baseInfo.platstdlib);
      assert.deepEqual(info.venvPaths, baseInfo.venvPaths);
      assert.deepEqual(info.ensurepipWheels, baseInfo.ensurepipWheels);

      // The base interpreter, never a file inside the venv.
      const system = info.systemExecutable;
      assert.ok(isExecutable(system), `${system} is not an executable file`);
      assert.ok(!realPath(system).startsWith(venv.root + path.sep), `${system} is inside the venv`);
      assert.ok(system.startsWith(baseInfo.basePrefix + path.sep), `${system} is outside ${baseInfo.basePrefix}`);
      assert.equal(realPath(system), realPath(baseInfo.systemExecutable));

      // The venv's own site-packages is where venvPaths.purelib says.
      const site = await run(venv.python, ["-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]);
      assert.equal(site.code, 0, site.stderr);
      assert.equal(path.relative(venv.root, realPath(site.stdout.trim())), info.venvPaths.purelib);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

pythonTest(
  "interrogate() refuses Python 2.7 as unsupported",
  pyenvPython("2.7"),
  "pyenv has no 2.7",
  async (exe) => {
    const result = await interrogate(exe);
    assert.equal(result.ok, false);
    assert.ok(!result.ok);
    assert.equal(result.unsupported, true);
    assert.match(result.reason, /is Python 2\.7\.18, older than the minimum 3\.6 mkvenv supports$/);
    assert.ok(result.reason.startsWith(exe), result.reason);
  },
);

// ---------------------------------------------------------------------------------------------------------------
// Fake interpreters.

/** Writes an executable shell script into a fresh temp dir and passes its path to `fn`. */
async function withScript(body: string, fn: (exe: string) => Promise<void>, mode = 0o755): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "mkvenv-fake-python-" });
  try {
    const exe = path.join(dir, "python");
    await Deno.writeTextFile(exe, `#!/bin/sh\n${body}\n`);
    await Deno.chmod(exe, mode);
    await fn(exe);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function failure(result: Awaited<ReturnType<typeof interrogate>>): { reason: string; unsupported?: boolean } {
  assert.ok(!result.ok, "expected a failure");
  return result;
}

/** A script line that starts `sleep 10` in the background, holding our pipes, and records its pid. */
const BACKGROUND_SLEEP = 'sleep 10 &\necho $! > "$(dirname "$0")/sleep.pid"';

/** Ends the background `sleep` a script started, by its recorded pid. */
async function killBackgroundSleep(exe: string): Promise<void> {
  const pid = Number(await Deno.readTextFile(path.join(path.dirname(exe), "sleep.pid")).catch(() => ""));
  if (pid > 0) {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

Deno.test({
  name: "interrogate() kills an interpreter that does not answer in time",
  ignore: skipOnWindows(),
  fn: () =>
    withScript(`${BACKGROUND_SLEEP}\nwait`, async (exe) => {
      try {
        const start = performance.now();
        const { reason, unsupported } = failure(await interrogate(exe, { timeoutMs: 300 }));
        const elapsed = performance.now() - start;
        assert.ok(elapsed < 5000, `took ${elapsed} ms`);
        assert.equal(reason, `${exe} timed out: no answer within 300 ms, killed it`);
        assert.equal(unsupported, undefined);
      } finally {
        await killBackgroundSleep(exe);
      }
    }),
});

Deno.test({
  name: "interrogate() does not wait for a grandchild that keeps the pipes open",
  ignore: skipOnWindows(),
  fn: () =>
    withScript(`echo 'not json'\n${BACKGROUND_SLEEP}\nexit 0`, async (exe) => {
      try {
        const start = performance.now();
        const { reason } = failure(await interrogate(exe, { timeoutMs: 8000 }));
        const elapsed = performance.now() - start;
        assert.ok(elapsed < 4000, `took ${elapsed} ms`);
        assert.match(reason, /printed "not json"/);
      } finally {
        await killBackgroundSleep(exe);
      }
    }),
});

Deno.test({
  name: "interrogate() stops when the caller aborts",
  ignore: skipOnWindows(),
  fn: () =>
    withScript("exec sleep 10", async (exe) => {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 100);
      try {
        const start = performance.now();
        const { reason } = failure(await interrogate(exe, { signal: controller.signal }));
        assert.ok(performance.now() - start < 5000);
        assert.match(reason, /cancelled/);
      } finally {
        clearTimeout(timer);
      }
      const { reason } = failure(await interrogate(exe, { signal: AbortSignal.abort() }));
      assert.match(reason, /cancelled/);
    }),
});

Deno.test({
  name: "interrogate() reports an interpreter that prints garbage",
  ignore: skipOnWindows(),
  fn: () =>
    withScript("echo 'Hello, I am not Python'", async (exe) => {
      const { reason } = failure(await interrogate(exe));
      assert.match(reason, /is not a working Python interpreter: it printed "Hello, I am not Python"/);
    }),
});

Deno.test({
  name: "interrogate() reports an interpreter that prints nothing",
  ignore: skipOnWindows(),
  fn: () =>
    withScript("true", async (exe) => {
      const { reason } = failure(await interrogate(exe));
      assert.match(reason, /printed nothing/);
    }),
});

Deno.test({
  name: "interrogate() reports an incomplete answer",
  ignore: skipOnWindows(),
  fn: () =>
    withScript(`echo '{"implementation": "CPython", "bits": "64"}'`, async (exe) => {
      const { reason } = failure(await interrogate(exe));
      assert.match(reason, /invalid interrogation answer: field "version" is missing/);
    }),
});

Deno.test({
  name: "interrogate() reports the exit code and the first stderr line",
  ignore: skipOnWindows(),
  fn: () =>
    withScript("echo 'fatal: libpython3.99.so: cannot open' >&2\necho 'second line' >&2\nexit 3", async (exe) => {
      const { reason } = failure(await interrogate(exe));
      assert.equal(reason, `${exe} exited with code 3: fatal: libpython3.99.so: cannot open`);
    }),
});

Deno.test({
  name: "interrogate() reports the exception of a traceback",
  ignore: skipOnWindows(),
  fn: () =>
    withScript(
      "printf 'Traceback (most recent call last):\\n  File \"x\", line 1\\nValueError: broken\\n' >&2\nexit 1",
      async (exe) => {
        const { reason } = failure(await interrogate(exe));
        assert.equal(reason, `${exe} exited with code 1: ValueError: broken`);
      },
    ),
});

Deno.test({
  name: "interrogate() reports a file that is not executable",
  ignore: skipOnWindows(),
  fn: () =>
    withScript("echo never", async (exe) => {
      const { reason } = failure(await interrogate(exe));
      assert.equal(reason, `cannot run ${exe}: permission denied (not an executable file?)`);
    }, 0o644),
});

Deno.test("interrogate() reports a missing file and a missing command", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mkvenv-fake-python-" });
  try {
    const exe = path.join(dir, "python3");
    assert.equal(failure(await interrogate(exe)).reason, `cannot run ${exe}: no such file`);
    const bare = "mkvenv-no-such-python-3.99";
    assert.equal(failure(await interrogate(bare)).reason, `cannot run ${bare}: no such file`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("interrogate() resolves a relative path against the caller's cwd", {
  ignore: skipOnWindows(),
}, async () => {
  await withScript("exit 3", async (exe) => {
    const relative = path.relative(Deno.cwd(), exe);
    const { reason } = failure(await interrogate(relative));
    assert.equal(reason, `${exe} exited with code 3`);
  });
});

Deno.test("validatePythonInfo() names the first problem", () => {
  assert.equal(validatePythonInfo(null), "expected a JSON object, got null");
  assert.equal(validatePythonInfo([]), "expected a JSON object, got array");
  assert.equal(validatePythonInfo({}), 'field "implementation" is missing');
  const info: Record<string, unknown> = {
    implementation: "CPython",
    versionInfo: { major: 3, minor: 12, micro: 1, releaselevel: "final", serial: 0 },
    version: "3.12.1",
    bits: 64,
    machine: "x86_64",
    platform: "linux",
    osName: "posix",
    freeThreaded: false,
    debug: false,
    executable: "/usr/bin/python3",
    systemExecutable: "/usr/bin/python3",
    prefix: "/usr",
    basePrefix: "/usr",
    execPrefix: "/usr",
    baseExecPrefix: "/usr",
    inVenv: false,
    hasVenv: true,
    venvPaths: { purelib: "lib/python3.12/site-packages", platlib: "p", scripts: "bin", include: "include", data: "" },
    stdlib: "/usr/lib/python3.12",
    platstdlib: "/usr/lib/python3.12",
    configVars: { Py_ENABLE_SHARED: 1, INSTSONAME: null, LDLIBRARY: "libpython3.12.so" },
    ensurepipWheels: [],
    fileSystemEncoding: "utf-8",
    sysPath: [],
  };
  assert.equal(validatePythonInfo(info), undefined);
  assert.equal(validatePythonInfo({ ...info, bits: "64" }), 'field "bits" should be a number, got string');
  assert.equal(validatePythonInfo({ ...info, bits: 16 }), 'field "bits" should be 32 or 64, got 16');
  assert.equal(
    validatePythonInfo({ ...info, versionInfo: { ...info.versionInfo as object, minor: "12" } }),
    'field "versionInfo.minor" should be a number, got string',
  );
  assert.equal(
    validatePythonInfo({ ...info, venvPaths: { purelib: "x" } }),
    'field "venvPaths.platlib" is missing',
  );
  assert.equal(
    validatePythonInfo({ ...info, configVars: { Py_ENABLE_SHARED: "1" } }),
    'field "configVars.Py_ENABLE_SHARED" should be a number or null, got string',
  );
  assert.equal(
    validatePythonInfo({ ...info, ensurepipWheels: ["a.whl", 3] }),
    'field "ensurepipWheels[1]" should be a string, got number',
  );
});
