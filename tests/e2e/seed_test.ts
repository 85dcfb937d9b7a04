/**
 * End to end seeding, with real interpreters and the CLI as a real process: every interpreter on this machine gets a
 * working pip (and setuptools below Python 3.12) that installs a local wheel offline; app-data images are shared by
 * hard links and never changed by an environment's pip; `--copies`, `--symlink-app-data`, `--seeder pip`, the version
 * options, `--extra-search-dir`, downloads from a real HTTP index on 127.0.0.1 (good, wrong sha256, 404, stalled), and
 * concurrent runs building the same image.
 *
 * pip is run the way a user runs it: `DEST/bin/pip` with only PATH and HOME set (this shell's PIP_* and PYTHON*
 * variables stay out); offline behaviour comes from explicit flags (`--no-index`), never from the environment.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { Uint8ArrayReader, Uint8ArrayWriter, ZipReader, ZipWriter } from "@zip.js/zip.js";
import { sha256 as sha256Sync } from "../../lib/seeder/sha256.ts";
import {
  cleanEnv,
  CLI,
  CONFIG,
  imagesSettled,
  mkvenv,
  pyenvPython,
  realPythons,
  run,
  skipIf,
  tempDir,
  type TestPython,
} from "../_helpers.ts";

const PIP_26 = "/opt/pypi/files/pip-26.2.1-py3-none-any.whl";
const OS_WHEEL_DIR = "/usr/share/python-wheels";
const OS_PIP = path.join(OS_WHEEL_DIR, "pip-23.0.1-py3-none-any.whl");
/** The report's last line, after the seed lines: the activation scripts written (every one Linux has). */
const ACTIVATORS_LINE =
  "  activators BashActivator,CShellActivator,FishActivator,NushellActivator,PowerShellActivator," +
  "PythonActivator,XonshActivator\n";
const PYPY = "/usr/bin/pypy3";
const PY312 = pyenvPython("3.12");
const PY311 = pyenvPython("3.11");
const PY38 = pyenvPython("3.8");

function existsSync(file: string): boolean {
  try {
    Deno.statSync(file);
    return true;
  } catch {
    return false;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await Deno.lstat(file);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** Resolves after `ms` milliseconds. */
function sleepMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The environment a user's shell would give pip: no PIP_*, no PYTHON*. */
function userEnv(home: string): Record<string, string> {
  return { PATH: "/usr/bin:/bin", HOME: home };
}

/** Every interpreter the seeding matrix covers: realPythons() plus Debian's PyPy. */
const TARGETS: TestPython[] = [...realPythons()];
if (existsSync(PYPY)) {
  const r = await run(PYPY, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], { cwd: "/" });
  if (r.code === 0) TARGETS.push({ label: `pypy ${r.stdout.trim()}`, exe: PYPY, minor: r.stdout.trim() });
}

/** An app-data folder shared by this file's tests (images built once); removed when the module unloads. */
const SHARED_APP_DATA = Deno.realPathSync(Deno.makeTempDirSync({ prefix: "mkvenv_seed_appdata_" }));
globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(SHARED_APP_DATA, { recursive: true });
  } catch { /* already gone */ }
});

// --- an independent oracle for the seed versions ---------------------------------------------------------------------

interface TargetInfo {
  readonly stdlib: string;
  readonly version: readonly number[];
}

async function targetInfo(exe: string): Promise<TargetInfo> {
  const r = await run(exe, [
    "-c",
    "import json, sys, sysconfig; print(json.dumps({'stdlib': sysconfig.get_paths()['stdlib'], " +
    "'version': list(sys.version_info[:3])}))",
  ], { cwd: "/", env: userEnv("/") });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as TargetInfo;
}

function compareNumbers(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/** `Requires-Python` of the seed wheels here (`>=3.7`, `>=2.7,!=3.0.*`, ...); anything else fails the test. */
function requiresPythonAllows(spec: string | undefined, version: readonly number[]): boolean {
  if (!spec) return true;
  return spec.split(",").map((s) => s.trim()).filter(Boolean).every((clause) => {
    const m = /^(>=|<=|>|<|==|!=)\s*(\d+(?:\.\d+)*)(\.\*)?$/.exec(clause);
    if (!m) throw new Error(`test oracle cannot read Requires-Python clause "${clause}"`);
    const want = m[2]!.split(".").map(Number);
    if (m[3]) {
      const same = compareNumbers(version.slice(0, want.length), want) === 0;
      return m[1] === "==" ? same : m[1] === "!=" ? !same : (() => {
        throw new Error(`test oracle cannot read "${clause}"`);
      })();
    }
    const c = compareNumbers(version, want);
    return { ">=": c >= 0, "<=": c <= 0, ">": c > 0, "<": c < 0, "==": c === 0, "!=": c !== 0 }[m[1]!]!;
  });
}

async function wheelRequiresPython(file: string): Promise<string | undefined> {
  const reader = new ZipReader(new Uint8ArrayReader(await Deno.readFile(file)), { useWebWorkers: false });
  try {
    for (const entry of await reader.getEntries()) {
      if (entry.directory || !/^[^/]+\.dist-info\/METADATA$/.test(entry.filename)) continue;
      const text = new TextDecoder().decode(await entry.getData!(new Uint8ArrayWriter()));
      const headers = text.split(/\r?\n\r?\n/)[0]!;
      return /^Requires-Python:\s*(.*)$/im.exec(headers)?.[1]?.trim();
    }
  } finally {
    await reader.close();
  }
  throw new Error(`no METADATA in ${file}`);
}

/**
 * The version mkvenv should seed by default: the newest wheel of `project` among the interpreter's ensurepip wheels
 * and the OS wheel folder whose Requires-Python admits the interpreter (the store of the shared app-data stays empty).
 */
async function expectedSeed(project: string, info: TargetInfo): Promise<string> {
  const candidates: { version: number[]; text: string }[] = [];
  for (const dir of [path.join(info.stdlib, "ensurepip", "_bundled"), OS_WHEEL_DIR]) {
    let names: string[] = [];
    try {
      names = [...Deno.readDirSync(dir)].map((e) => e.name);
    } catch { /* none there */ }
    for (const name of names) {
      const m = new RegExp(`^${project}-(\\d+(?:\\.\\d+)*)-(?:py3|py2\\.py3)-none-any\\.whl$`).exec(name);
      if (!m) continue;
      if (!requiresPythonAllows(await wheelRequiresPython(path.join(dir, name)), info.version)) continue;
      candidates.push({ version: m[1]!.split(".").map(Number), text: m[1]! });
    }
  }
  candidates.sort((a, b) => compareNumbers(b.version, a.version));
  assert.ok(candidates[0], `no ${project} wheel for ${info.version.join(".")}`);
  return candidates[0].text;
}

/** `pip==X[, setuptools==Y]` as the report prints it for a default run. */
async function expectedSeeds(info: TargetInfo): Promise<{ pip: string; setuptools?: string; line: string }> {
  const pip = await expectedSeed("pip", info);
  if (compareNumbers(info.version.slice(0, 2), [3, 12]) >= 0) return { pip, line: `pip==${pip}` };
  const setuptools = await expectedSeed("setuptools", info);
  return { pip, setuptools, line: `pip==${pip}, setuptools==${setuptools}` };
}

// --- a small local wheel ---------------------------------------------------------------------------------------------

async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function urlsafeB64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/**
 * Writes `{name}-{version}-py3-none-any.whl` (default `demo-1.0`: a `demo` package with `VALUE = 42`) into `dir`, with
 * RECORD hashes correct unless `badHash` makes the package's one wrong; `dataScript` adds a `.data/scripts/tool`.
 */
async function demoWheel(
  dir: string,
  options: { name?: string; version?: string; badHash?: boolean; dataScript?: boolean } = {},
) {
  const { name = "demo", version = "1.0", badHash = false, dataScript = false } = options;
  const enc = new TextEncoder();
  const info = `${name}-${version}.dist-info`;
  const members: [string, Uint8Array][] = [
    [`${name}/__init__.py`, enc.encode("VALUE = 42\n")],
    [`${info}/METADATA`, enc.encode(`Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`)],
    [
      `${info}/WHEEL`,
      enc.encode("Wheel-Version: 1.0\nGenerator: mkvenv-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
    ],
  ];
  if (dataScript) members.push([`${name}-${version}.data/scripts/tool`, enc.encode("#!python\nprint(42)\n")]);
  const record: string[] = [];
  for (const [file, data] of members) {
    const hashed = badHash && file.endsWith("__init__.py") ? enc.encode("something else\n") : data;
    record.push(`${file},sha256=${urlsafeB64(await sha256(hashed))},${data.length}`);
  }
  record.push(`${info}/RECORD,,`);
  members.push([`${info}/RECORD`, enc.encode(record.join("\n") + "\n")]);
  const writer = new ZipWriter(new Uint8ArrayWriter(), { useWebWorkers: false });
  for (const [file, data] of members) await writer.add(file, new Uint8ArrayReader(data));
  const file = path.join(dir, `${name}-${version}-py3-none-any.whl`);
  await Deno.writeFile(file, await writer.close());
  return file;
}

// --- environments and images -----------------------------------------------------------------------------------------

/** `DEST/lib/<python3.X|pypy3.X>/site-packages`. */
async function sitePackages(dest: string): Promise<string> {
  const libs: string[] = [];
  // `--copies` puts the runtime library (libpython3.X.so) beside the version folder.
  for await (const e of Deno.readDir(path.join(dest, "lib"))) if (e.isDirectory) libs.push(e.name);
  assert.equal(libs.length, 1, `${dest}/lib holds ${libs}`);
  return path.join(dest, "lib", libs[0]!, "site-packages");
}

/** Runs `DEST/bin/pip --version` from DEST as a user would and checks what it says. */
async function assertPipVersion(dest: string, version: string, minor: string, home: string): Promise<void> {
  const r = await run(path.join(dest, "bin", "pip"), ["--version"], { cwd: dest, env: userEnv(home) });
  assert.equal(r.code, 0, `pip --version in ${dest}: ${r.stderr}`);
  assert.equal(r.stdout, `pip ${version} from ${path.join(await sitePackages(dest), "pip")} (python ${minor})\n`);
}

interface Seeded {
  readonly name: string;
  readonly version: string;
  readonly wheel: string;
  readonly source: string;
  readonly via: string;
}

interface JsonReport {
  readonly seeder: string | null;
  readonly seeded: Seeded[];
  readonly warnings: string[];
  readonly paths: { readonly purelib: string };
}

/** Runs mkvenv with `--json` (seeding on) and returns the report. */
async function mkvenvJson(args: readonly string[], env?: Record<string, string>): Promise<JsonReport> {
  const r = await mkvenv([...args, "--json"], { seed: true, ...(env ? { env } : {}) });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as JsonReport;
}

/** The image folder of a wheel for a target Python, under an app-data folder (named by the wheel and its digest). */
function imageOf(appData: string, minor: string, wheel: string): string {
  const digest = Array.from(sha256Sync(Deno.readFileSync(wheel)), (b) => b.toString(16).padStart(2, "0")).join("");
  const name = `${path.basename(wheel).replace(/\.whl$/, "")}@${digest.slice(0, 16)}`;
  return path.join(appData, "mkvenv-v1", "images", minor, name);
}

interface ImageManifest {
  readonly distInfo: string;
  readonly files: readonly string[];
  readonly topLevel: readonly string[];
}

function readManifest(image: string): ImageManifest {
  return JSON.parse(Deno.readTextFileSync(path.join(image, "manifest.json"))) as ImageManifest;
}

/**
 * Waits until the image's background byte-compile (started by the run that built it) has finished, so a snapshot
 * sees the image as later runs do.
 */
async function settled(image: string): Promise<string> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const names = [...Deno.readDirSync(image)].map((e) => e.name);
    if (!names.some((n) => n.startsWith("compiling."))) return image;
    if (Date.now() > deadline) throw new Error(`${image} is still being compiled`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every file under `dir` (relative, '/'-separated) with its sha256 and inode; links by target. */
async function snapshot(dir: string): Promise<Map<string, { sha256: string; ino: number | null }>> {
  const out = new Map<string, { sha256: string; ino: number | null }>();
  async function walk(rel: string): Promise<void> {
    for await (const e of Deno.readDir(path.join(dir, rel))) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      const full = path.join(dir, child);
      if (e.isSymlink) out.set(child, { sha256: `link:${await Deno.readLink(full)}`, ino: null });
      else if (e.isDirectory) await walk(child);
      else out.set(child, { sha256: hex(await sha256(await Deno.readFile(full))), ino: (await Deno.lstat(full)).ino });
    }
  }
  await walk("");
  return out;
}

/** The snapshot restricted to what the manifest lists (plus manifest.json itself). */
function manifestPart(
  snap: Map<string, { sha256: string; ino: number | null }>,
  manifest: ImageManifest,
): Map<string, { sha256: string; ino: number | null }> {
  const keep = new Set(["manifest.json", ...manifest.files.map((f) => `site/${f}`)]);
  return new Map([...snap].filter(([k]) => keep.has(k)));
}

async function sameInodes(image: string, site: string, manifest: ImageManifest): Promise<number> {
  let same = 0;
  for (const f of manifest.files) {
    const a = await Deno.stat(path.join(image, "site", f)), b = await Deno.stat(path.join(site, f));
    if (a.ino === b.ino && a.dev === b.dev) same++;
  }
  return same;
}

// --- 1. every interpreter: a working pip that installs a local wheel offline ---------------------------------------

for (const python of TARGETS) {
  Deno.test(`e2e seed: ${python.label} gets a working pip that installs a local wheel offline`, async () => {
    await using tmp = await tempDir();
    const info = await targetInfo(python.exe);
    const expected = await expectedSeeds(info);
    const dest = path.join(tmp.path, `env ${python.minor}`); // a space, as users' paths have
    const r = await mkvenv([dest, "-p", python.exe, "--app-data", SHARED_APP_DATA], { seed: true });
    assert.equal(r.code, 0, r.stderr);
    const requests = expected.line.includes("setuptools") ? "pip=bundle, setuptools=bundle" : "pip=bundle";
    assert.ok(
      r.stdout.includes(
        `\n  seeder FromAppData(download=False, ${requests}, via=hardlink, app_data_dir=${SHARED_APP_DATA})\n`,
      ),
      r.stdout,
    );
    assert.ok(r.stdout.endsWith(`\n    added seed packages: ${expected.line}\n${ACTIVATORS_LINE}`), r.stdout);

    for (const script of ["pip", "pip3", `pip${python.minor}`]) {
      const s = await Deno.stat(path.join(dest, "bin", script));
      assert.ok(s.isFile && ((s.mode ?? 0) & 0o111) !== 0, `${script} is not executable`);
    }
    await assertPipVersion(dest, expected.pip, python.minor, tmp.path);

    const wheel = await demoWheel(tmp.path);
    const envPython = path.join(dest, "bin", "python");
    const env = userEnv(tmp.path);
    const install = await run(
      envPython,
      ["-m", "pip", "install", "--no-index", "--no-cache-dir", "--disable-pip-version-check", wheel],
      { cwd: dest, env },
    );
    assert.equal(install.code, 0, `${install.stdout}\n${install.stderr}`);
    const imported = await run(envPython, ["-c", "import demo; print(demo.VALUE, demo.__file__)"], { cwd: "/", env });
    assert.equal(imported.code, 0, imported.stderr);
    assert.equal(imported.stdout, `42 ${path.join(await sitePackages(dest), "demo", "__init__.py")}\n`);

    const list = await run(
      path.join(dest, "bin", "pip"),
      ["list", "--format=json", "--disable-pip-version-check"],
      { cwd: dest, env },
    );
    assert.equal(list.code, 0, list.stderr);
    const listed = new Map((JSON.parse(list.stdout) as { name: string; version: string }[]).map((p) => [p.name, p]));
    const want: [string, string][] = [["demo", "1.0"], ["pip", expected.pip]];
    if (expected.setuptools) want.push(["setuptools", expected.setuptools]);
    for (const [name, version] of want) assert.equal(listed.get(name)?.version, version, `${name} in ${list.stdout}`);
    // CPython's environment holds only what was seeded and installed; PyPy's stdlib lists cffi, greenlet and more.
    if (!python.label.startsWith("pypy")) assert.deepEqual([...listed.keys()].sort(), want.map(([n]) => n).sort());
  });
}

// --- 2. the image is shared and never touched by an environment's pip -----------------------------------------------

Deno.test({
  name: "e2e seed: the app-data image is hard-linked, shared, and untouched by uninstalls and upgrades in envs",
  ignore: skipIf(!PY312, "pyenv 3.12 not installed"),
  async fn() {
    await using tmp = await tempDir(); // app-data and environments on one file system
    const ad = path.join(tmp.path, "app-data");
    const [a, b, c] = ["A", "B", "C"].map((n) => path.join(tmp.path, n)) as [string, string, string];
    const expected = await expectedSeed("pip", await targetInfo(PY312!));
    const reportA = await mkvenvJson([a, "-p", PY312!, "--app-data", ad]);
    const reportB = await mkvenvJson([b, "-p", PY312!, "--app-data", ad]);
    for (const report of [reportA, reportB]) {
      assert.deepEqual(report.seeded.map((s) => [s.name, s.version, s.via]), [["pip", expected, "hardlink"]]);
    }
    const image = await settled(imageOf(ad, "3.12", reportA.seeded[0]!.wheel));
    const manifest = readManifest(image);
    const before = await snapshot(image);
    assert.ok(before.has("manifest.json") && manifest.files.every((f) => before.has(`site/${f}`)));

    const siteA = await sitePackages(a);
    assert.equal((await Deno.stat(ad)).dev, (await Deno.stat(a)).dev, "app-data and A on one file system");
    assert.equal(await sameInodes(image, siteA, manifest), manifest.files.length, "A's files are the image's inodes");

    const env = userEnv(tmp.path);
    const uninstall = await run(path.join(a, "bin", "pip"), ["uninstall", "-y", "pip"], { cwd: a, env });
    assert.equal(uninstall.code, 0, uninstall.stderr);
    assert.ok(!(await exists(path.join(siteA, "pip"))), "A's pip package is gone");
    assert.ok(!(await exists(path.join(a, "bin", "pip"))), "A's pip script is gone");
    const noPip = await run(path.join(a, "bin", "python"), ["-m", "pip", "--version"], { cwd: a, env });
    assert.notEqual(noPip.code, 0);
    assert.match(noPip.stderr, /No module named pip/);

    if (existsSync(PIP_26)) {
      const upgrade = await run(path.join(b, "bin", "python"), [
        "-m",
        "pip",
        "install",
        "--upgrade",
        "--no-index",
        "--no-cache-dir",
        "--disable-pip-version-check",
        PIP_26,
      ], { cwd: b, env });
      assert.equal(upgrade.code, 0, `${upgrade.stdout}\n${upgrade.stderr}`);
      await assertPipVersion(b, "26.2.1", "3.12", tmp.path);
    } else {
      console.log(`skipped the upgrade part: ${PIP_26} missing`);
    }

    // Byte-identical and the same inodes: nothing was rewritten or replaced in the image.
    assert.deepEqual(await snapshot(image), before);

    const reportC = await mkvenvJson([c, "-p", PY312!, "--app-data", ad]);
    assert.deepEqual(reportC.seeded.map((s) => [s.name, s.version, s.via]), [["pip", expected, "hardlink"]]);
    await assertPipVersion(c, expected, "3.12", tmp.path);
    assert.equal(await sameInodes(image, await sitePackages(c), manifest), manifest.files.length);
    for (const f of manifest.files) {
      assert.ok(((await Deno.stat(path.join(image, "site", f))).nlink ?? 0) >= 2, `${f} is no longer linked`);
    }
  },
});

// --- 3. --copies and --symlink-app-data ------------------------------------------------------------------------------

/** The report's last lines: the app-data seeder with its link mode, pip at `version`, then the activators. */
function assertSeedReport(stdout: string, via: string, version: string): void {
  assert.match(
    stdout,
    new RegExp(
      `\n  seeder FromAppData\\(download=False, pip=\\S+, via=${via}, app_data_dir=[^\n]+\\)\n` +
        `    added seed packages: pip==${version}\n${RegExp.escape(ACTIVATORS_LINE)}$`,
    ),
  );
}

/**
 * How many of pip's modules in `site` have bytecode Python takes as valid (its header holds the module's mtime and
 * size; flags 0, not hash-based) and how many have stale bytecode; modules without any are not counted.
 */
async function bytecodeOf(site: string, home: string): Promise<[number, number]> {
  const check = [
    "import glob, importlib.util, os, struct, sys",
    "stale = valid = 0",
    "for py in glob.glob(sys.argv[1] + '/pip/**/*.py', recursive=True):",
    "    pyc = importlib.util.cache_from_source(py)",
    "    if not os.path.exists(pyc): continue",
    "    flags, mtime, size = struct.unpack('<III', open(pyc, 'rb').read(16)[4:16])",
    "    st = os.stat(py)",
    "    ok = flags == 0 and mtime == int(st.st_mtime) & 0xFFFFFFFF and size == st.st_size & 0xFFFFFFFF",
    "    valid += ok; stale += not ok",
    "print(valid, stale)",
  ].join("\n");
  const r = await run(PY312!, ["-c", check, site], { cwd: home, env: userEnv(home) });
  assert.equal(r.code, 0, r.stderr);
  const [valid, stale] = r.stdout.trim().split(" ").map(Number);
  return [valid!, stale!];
}

/** The single image folder of pip for `minor` in an app-data folder. */
async function pipImage(appData: string, minor: string): Promise<string> {
  const dir = path.join(appData, "mkvenv-v1", "images", minor);
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) if (e.name.startsWith("pip-")) names.push(e.name);
  assert.equal(names.length, 1, `pip images in ${dir}: ${names}`);
  return path.join(dir, names[0]!);
}

Deno.test({
  name: "e2e seed: --copies copies the image's files (other inodes, same bytes) and pip works",
  ignore: skipIf(!PY312, "pyenv 3.12 not installed"),
  async fn() {
    await using tmp = await tempDir();
    const ad = path.join(tmp.path, "app-data");
    const dest = path.join(tmp.path, "env");
    const expected = await expectedSeed("pip", await targetInfo(PY312!));
    const r = await mkvenv([dest, "-p", PY312!, "--app-data", ad, "--copies"], { seed: true });
    assert.equal(r.code, 0, r.stderr);
    assertSeedReport(r.stdout, "copy", expected);
    const image = await settled(await pipImage(ad, "3.12"));
    const manifest = readManifest(image);
    const site = await sitePackages(dest);
    assert.equal(await sameInodes(image, site, manifest), 0, "no file is shared with the image");
    for (const f of manifest.files) {
      const [ours, theirs] = [
        await Deno.readFile(path.join(site, f)),
        await Deno.readFile(path.join(image, "site", f)),
      ];
      assert.deepEqual(ours, theirs, f);
    }
    // The image was not compiled yet: no bytecode came with the copy (pip below writes its own).
    assert.deepEqual(await bytecodeOf(site, tmp.path), [0, 0]);
    await assertPipVersion(dest, expected, "3.12", tmp.path);
    // Once the image is compiled, copies carry its bytecode, kept valid.
    const again = path.join(tmp.path, "env2");
    const r2 = await mkvenv([again, "-p", PY312!, "--app-data", ad, "--copies"], { seed: true });
    assert.equal(r2.code, 0, r2.stderr);
    const [valid, stale] = await bytecodeOf(await sitePackages(again), tmp.path);
    assert.ok(valid > 400 && stale === 0, `${valid} valid, ${stale} stale`);
    assert.equal(await sameInodes(image, await sitePackages(again), readManifest(image)), 0);
    await assertPipVersion(again, expected, "3.12", tmp.path);
    // That run kept the install tree, which hard links and copies share: the next copy goes by it.
    assert.ok(existsSync(path.join(image, "linked.cpython-312.json")));
    const third = path.join(tmp.path, "env3");
    const r3 = await mkvenv([third, "-p", PY312!, "--app-data", ad, "--copies"], { seed: true });
    assert.equal(r3.code, 0, r3.stderr);
    const [valid3, stale3] = await bytecodeOf(await sitePackages(third), tmp.path);
    assert.ok(valid3 === valid && stale3 === 0, `${valid3} valid, ${stale3} stale`);
  },
});

Deno.test({
  name: "e2e seed: hard links across file systems fall back to copies, and the copied bytecode stays valid",
  ignore: skipIf(!PY312, "pyenv 3.12 not installed") || skipIf(!existsSync("/dev/shm"), "no /dev/shm"),
  async fn() {
    await using tmp = await tempDir();
    const shm = await Deno.makeTempDir({ dir: "/dev/shm", prefix: "mkvenv_test_" });
    try {
      if ((await Deno.stat(shm)).dev === (await Deno.stat(tmp.path)).dev) {
        console.log("skipped: /dev/shm and the temporary folder are one file system");
        return;
      }
      const ad = path.join(shm, "app-data");
      const args = ["-p", PY312!, "--app-data", ad];
      await mkvenvJson([path.join(shm, "env1"), ...args]);
      await settled(await pipImage(ad, "3.12"));
      await mkvenvJson([path.join(shm, "env2"), ...args]); // writes the prepared tree, .pyc files included
      const dest = path.join(tmp.path, "env");
      const report = await mkvenvJson([dest, ...args]);
      assert.equal(report.seeded[0]!.via, "copy");
      const [valid, stale] = await bytecodeOf(await sitePackages(dest), tmp.path);
      assert.ok(valid > 400 && stale === 0, `${valid} valid, ${stale} stale`);
      await assertPipVersion(dest, report.seeded[0]!.version, "3.12", tmp.path);
    } finally {
      await Deno.remove(shm, { recursive: true });
    }
  },
});

Deno.test({
  name: "e2e seed: --symlink-app-data links top-level entries to the image; pip works and its uninstall drops the link",
  ignore: skipIf(!PY312, "pyenv 3.12 not installed"),
  async fn() {
    await using tmp = await tempDir();
    const ad = path.join(tmp.path, "app-data");
    const dest = path.join(tmp.path, "env");
    const expected = await expectedSeed("pip", await targetInfo(PY312!));
    const r = await mkvenv([dest, "-p", PY312!, "--app-data", ad, "--symlink-app-data"], { seed: true });
    assert.equal(r.code, 0, r.stderr);
    assertSeedReport(r.stdout, "symlink", expected);
    const image = await settled(await pipImage(ad, "3.12"));
    const manifest = readManifest(image);
    const before = manifestPart(await snapshot(image), manifest);
    const site = await sitePackages(dest);
    assert.ok((await Deno.lstat(path.join(site, "pip"))).isSymlink);
    assert.equal(await Deno.readLink(path.join(site, "pip")), path.join(image, "site", "pip"));

    await assertPipVersion(dest, expected, "3.12", tmp.path);
    const env = userEnv(tmp.path);
    const uninstall = await run(path.join(dest, "bin", "pip"), ["uninstall", "-y", "pip"], { cwd: dest, env });
    assert.equal(uninstall.code, 0, uninstall.stderr);
    assert.ok(!(await exists(path.join(site, "pip"))), "the link is gone");
    assert.ok(!(await exists(path.join(dest, "bin", "pip"))), "the script is gone");
    assert.ok((await Deno.stat(path.join(image, "site", "pip"))).isDirectory, "the image's folder stays");
    assert.deepEqual(manifestPart(await snapshot(image), manifest), before, "the image's files are intact");
  },
});

/** What changed between two snapshots, as `added X` / `removed X` / `changed X` lines (sorted). */
function snapshotDiff(
  before: Map<string, { sha256: string; ino: number | null }>,
  after: Map<string, { sha256: string; ino: number | null }>,
): string[] {
  const out: string[] = [];
  for (const [k, v] of after) {
    const old = before.get(k);
    if (!old) out.push(`added ${k}`);
    else if (old.sha256 !== v.sha256 || old.ino !== v.ino) out.push(`changed ${k}`);
  }
  for (const k of before.keys()) if (!after.has(k)) out.push(`removed ${k}`);
  return out.sort();
}

Deno.test({
  name: "e2e seed: creating a --symlink-app-data environment leaves the image's own RECORD untouched",
  async fn() {
    await using tmp = await tempDir();
    const ad = path.join(tmp.path, "app-data");
    // A hard-linked environment builds the image first; then the symlinked one must not change it.
    await mkvenvJson([path.join(tmp.path, "hard"), "-p", PY312!, "--app-data", ad]);
    const image = await settled(await pipImage(ad, "3.12"));
    const before = await snapshot(image);
    await mkvenvJson([path.join(tmp.path, "linked"), "-p", PY312!, "--app-data", ad, "--symlink-app-data"]);
    // The hard-linked run compiled the image in the background (so environments never write .pyc files into it);
    // the symlinked one finds it compiled and changes nothing.
    assert.ok(before.has("compiled.cpython-312.json"), [...before.keys()].filter((k) => !k.startsWith("site/")).join());
    assert.ok([...before.keys()].some((k) => /^site\/pip\/__pycache__\/__init__\.cpython-312\.pyc$/.test(k)));
    assert.deepEqual(snapshotDiff(before, await snapshot(image)), []);
  },
});

Deno.test({
  name: "e2e seed: running pip in a --symlink-app-data environment writes no __pycache__ into the image",
  async fn() {
    await using tmp = await tempDir();
    const ad = path.join(tmp.path, "app-data");
    const dest = path.join(tmp.path, "linked");
    await mkvenvJson([dest, "-p", PY312!, "--app-data", ad, "--symlink-app-data"]);
    const image = await settled(await pipImage(ad, "3.12"));
    const before = await snapshot(image);
    await assertPipVersion(dest, await expectedSeed("pip", await targetInfo(PY312!)), "3.12", tmp.path);
    assert.deepEqual(snapshotDiff(before, await snapshot(image)).filter((d) => d.includes("__pycache__")), []);
  },
});

// --- 4. --seeder pip --------------------------------------------------------------------------------------------------

for (const [minor, exe] of [["3.12", PY312], ["3.8", PY38]] as const) {
  Deno.test({
    name: `e2e seed: --seeder pip on pyenv ${minor} installs the seeds offline (an unreachable index set)`,
    ignore: skipIf(!exe, `pyenv ${minor} not installed`),
    async fn() {
      await using tmp = await tempDir();
      const expected = await expectedSeeds(await targetInfo(exe!));
      const dest = path.join(tmp.path, "env");
      const unreachable = "http://127.0.0.1:9";
      const env = cleanEnv({
        PIP_INDEX_URL: `${unreachable}/simple`,
        PIP_EXTRA_INDEX_URL: `${unreachable}/extra`,
        http_proxy: unreachable,
        https_proxy: unreachable,
      });
      const r = await mkvenv([dest, "-p", exe!, "--app-data", SHARED_APP_DATA, "--seeder", "pip"], { seed: true, env });
      assert.equal(r.code, 0, r.stderr);
      assert.ok(
        r.stdout.endsWith(
          `\n  seeder PipInvoke(download=False, pip=bundle${
            expected.line.includes("setuptools") ? ", setuptools=bundle" : ""
          })\n    added seed packages: ${expected.line}\n` +
            ACTIVATORS_LINE,
        ),
        r.stdout,
      );
      await assertPipVersion(dest, expected.pip, minor, tmp.path);
      const installer = await Deno.readTextFile(
        path.join(await sitePackages(dest), `pip-${expected.pip}.dist-info`, "INSTALLER"),
      );
      assert.equal(installer, "pip\n");
    },
  });
}

Deno.test({
  name: "e2e seed: --seeder pip --no-pip has pip install setuptools without seeding pip itself (pyenv 3.11)",
  ignore: skipIf(!PY311, "pyenv 3.11 not installed"),
  async fn() {
    await using tmp = await tempDir();
    const setuptools = await expectedSeed("setuptools", await targetInfo(PY311!));
    const dest = path.join(tmp.path, "env");
    const args = ["-p", PY311!, "--app-data", SHARED_APP_DATA, "--seeder", "pip", "--no-pip"];
    const r = await mkvenv([dest, ...args], { seed: true });
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(`\\n    added seed packages: setuptools==${setuptools.replaceAll(".", "\\.")}\\n`),
    );
    const site = await sitePackages(dest);
    const dists = [...Deno.readDirSync(site)].map((e) => e.name).filter((n) => n.endsWith(".dist-info"));
    assert.deepEqual(dists, [`setuptools-${setuptools}.dist-info`]);
    const imported = await run(path.join(dest, "bin", "python"), [
      "-c",
      "import setuptools; print(setuptools.__version__)",
    ], {
      cwd: tmp.path,
      env: userEnv(tmp.path),
    });
    assert.equal(imported.stdout, `${setuptools}\n`, imported.stderr);
  },
});

// --- 5. version options -----------------------------------------------------------------------------------------------

Deno.test({
  name: "e2e seed: --no-seed, --no-pip and --pip none leave pip out",
  ignore: skipIf(!PY312 || !PY311, "pyenv 3.12 or 3.11 not installed"),
  async fn() {
    await using tmp = await tempDir();
    const setuptools311 = await expectedSeed("setuptools", await targetInfo(PY311!));
    const cases: [string, string, string[], string | undefined][] = [
      ["no-seed", PY312!, ["--no-seed"], undefined],
      ["no-pip", PY312!, ["--no-pip"], undefined],
      ["pip-none", PY312!, ["--pip", "none"], undefined],
      ["no-pip-311", PY311!, ["--no-pip"], `setuptools==${setuptools311}`],
      ["pip-none-311", PY311!, ["--pip", "none"], `setuptools==${setuptools311}`],
    ];
    for (const [name, exe, flags, seeds] of cases) {
      const dest = path.join(tmp.path, name);
      const r = await mkvenv([dest, "-p", exe, "--app-data", SHARED_APP_DATA, ...flags], { seed: true });
      assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      if (seeds === undefined) assert.doesNotMatch(r.stdout, /seeder|added seed packages/, name);
      else {assert.ok(
          r.stdout.endsWith(`\n    added seed packages: ${seeds}\n${ACTIVATORS_LINE}`),
          `${name}: ${r.stdout}`,
        );}
      const site = await sitePackages(dest);
      assert.ok(!(await exists(path.join(site, "pip"))), `${name}: pip installed`);
      assert.ok(!(await exists(path.join(dest, "bin", "pip"))), `${name}: bin/pip written`);
      assert.equal(await exists(path.join(site, "setuptools")), seeds !== undefined, name);
    }
    const json = await mkvenvJson([
      path.join(tmp.path, "json"),
      "-p",
      PY312!,
      "--app-data",
      SHARED_APP_DATA,
      "--no-pip",
    ]);
    assert.equal(json.seeder, null);
    assert.deepEqual(json.seeded, []);
  },
});

Deno.test({
  name: "e2e seed: --setuptools bundle on Python 3.12 seeds setuptools as well",
  ignore: skipIf(!PY312, "pyenv 3.12 not installed"),
  async fn() {
    await using tmp = await tempDir();
    const info = await targetInfo(PY312!);
    const [pip, setuptools] = [await expectedSeed("pip", info), await expectedSeed("setuptools", info)];
    const dest = path.join(tmp.path, "env");
    const r = await mkvenv([dest, "-p", PY312!, "--app-data", SHARED_APP_DATA, "--setuptools", "bundle"], {
      seed: true,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(
      r.stdout.endsWith(`\n    added seed packages: pip==${pip}, setuptools==${setuptools}\n${ACTIVATORS_LINE}`),
      r.stdout,
    );
    const imported = await run(
      path.join(dest, "bin", "python"),
      ["-c", "import setuptools; print(setuptools.__version__)"],
      { cwd: "/", env: userEnv(tmp.path) },
    );
    assert.equal(imported.code, 0, imported.stderr);
    assert.equal(imported.stdout, `${setuptools}\n`);
  },
});

Deno.test({
  name: "e2e seed: --pip 23.0.1 --no-download on 3.12 finds the OS wheel in /usr/share/python-wheels",
  ignore: skipIf(!PY312 || !existsSync(OS_PIP), `pyenv 3.12 or ${OS_PIP} missing`),
  async fn() {
    await using tmp = await tempDir();
    const json = await mkvenvJson([
      path.join(tmp.path, "env"),
      "-p",
      PY312!,
      "--app-data",
      SHARED_APP_DATA,
      "--pip",
      "23.0.1",
      "--no-download",
    ]);
    assert.equal(json.seeder, "app-data");
    assert.deepEqual(json.seeded, [{ name: "pip", version: "23.0.1", wheel: OS_PIP, source: "os", via: "hardlink" }]);
    assert.ok(await exists(path.join(json.paths.purelib, "pip-23.0.1.dist-info", "RECORD")));
  },
});

Deno.test({
  name: "e2e seed: --pip 99.0 --no-download fails naming where it looked; --pip bogus! is a usage error",
  ignore: skipIf(!PY312, "pyenv 3.12 not installed"),
  async fn() {
    await using tmp = await tempDir();
    const dest = path.join(tmp.path, "env");
    let r = await mkvenv([dest, "-p", PY312!, "--app-data", SHARED_APP_DATA, "--pip", "99.0", "--no-download"], {
      seed: true,
    });
    assert.equal(r.code, 1, r.stdout);
    const store = path.join(SHARED_APP_DATA, "mkvenv-v1", "wheels");
    const lines = r.stderr.split("\n");
    assert.equal(lines.length, 3, r.stderr);
    assert.ok(lines[0]!.startsWith(`error: No pip==99.0 wheel for Python 3.12 found in: ${store}, `), r.stderr);
    assert.ok(lines[0]!.endsWith(`, ${OS_WHEEL_DIR}`), r.stderr);
    assert.match(lines[0]!, /\/ensurepip\/_bundled, /);
    assert.equal(
      lines[1],
      "hint: drop --no-download to fetch it from the package index, or add its folder with --extra-search-dir",
    );
    assert.equal(r.stdout, "");
    assert.ok(!(await exists(dest)), "nothing created");

    // A wheel of that version that cannot be read is named, not only skipped; a newer broken one warns.
    const broken = path.join(tmp.path, "broken");
    await Deno.mkdir(broken);
    await Deno.writeTextFile(path.join(broken, "pip-99.0-py3-none-any.whl"), "not a zip");
    const extra = ["--extra-search-dir", broken];
    r = await mkvenv([dest, "-p", PY312!, "--app-data", SHARED_APP_DATA, "--pip", "99.0", "--no-download", ...extra], {
      seed: true,
    });
    assert.equal(r.code, 1, r.stdout);
    assert.match(
      r.stderr,
      new RegExp(
        `^error: No pip==99\\.0 wheel for Python 3\\.12 found in: .*; skipped as unreadable: ` +
          `${broken}/pip-99\\.0-py3-none-any\\.whl \\(pip-99\\.0-py3-none-any\\.whl: not a readable zip archive: `,
      ),
    );
    assert.ok(!(await exists(dest)), "nothing created");
    // A wheel given where a folder goes is named too (a missing folder is skipped quietly, as virtualenv does).
    const file = path.join(broken, "pip-99.0-py3-none-any.whl");
    const missing = path.join(tmp.path, "missing");
    r = await mkvenv([
      dest,
      "-p",
      PY312!,
      "--app-data",
      SHARED_APP_DATA,
      "--no-download",
      "-q",
      ...extra,
      file,
      missing,
    ], {
      seed: true,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^warning: skipped the unreadable wheel .*pip-99\.0-py3-none-any\.whl \(/m);
    assert.match(r.stderr, new RegExp(`^warning: --extra-search-dir ${file} is not a folder: ignored it$`, "m"));
    assert.doesNotMatch(r.stderr, /missing/);
    await Deno.remove(dest, { recursive: true });

    r = await mkvenv([dest, "-p", PY312!, "--app-data", SHARED_APP_DATA, "--pip", "bogus!"], { seed: true });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^error: Invalid --pip value "bogus!"\nhint: use bundle, embed, latest, none or a version/m);
    assert.ok(!(await exists(dest)), "nothing created");
  },
});

// --- what pip itself would have installed ---------------------------------------------------------------------------

/** The bundled wheels of an interpreter's ensurepip (pip and setuptools), by project. */
function bundledWheels(python: string): Map<string, string> {
  const lib = path.join(path.dirname(path.dirname(python)), "lib");
  const out = new Map<string, string>();
  for (const version of Deno.readDirSync(lib)) {
    const bundled = path.join(lib, version.name, "ensurepip", "_bundled");
    if (!version.name.startsWith("python") || !existsSync(bundled)) continue;
    for (const e of Deno.readDirSync(bundled)) {
      const project = e.name.split("-")[0]!;
      if (e.name.endsWith(".whl") && (project === "pip" || project === "setuptools")) {
        out.set(project, path.join(bundled, e.name));
      }
    }
  }
  return out;
}

/** The scripts (name to text) and the RECORD rows other than bytecode, of every seed in an environment. */
async function installedByPip(dest: string): Promise<{ scripts: Map<string, string>; rows: string[] }> {
  const site = await sitePackages(dest);
  const scripts = new Map<string, string>();
  for (const e of Deno.readDirSync(path.join(dest, "bin"))) {
    if (/^(pip|easy_install)/.test(e.name)) scripts.set(e.name, Deno.readTextFileSync(path.join(dest, "bin", e.name)));
  }
  const rows: string[] = [];
  for (const e of Deno.readDirSync(site)) {
    if (!e.name.endsWith(".dist-info")) continue;
    const record = Deno.readTextFileSync(path.join(site, e.name, "RECORD"));
    rows.push(...record.split(/\r?\n/).filter((row) => row && !row.includes("__pycache__/")));
  }
  return { scripts, rows: rows.sort() };
}

Deno.test({
  name: "e2e seed: scripts, RECORD and REQUESTED are what each ensurepip's own pip writes (pip 18.1 to 24.2)",
  ignore: skipIf(!realPythons().some((p) => p.label.startsWith("pyenv")), "no pyenv interpreters"),
  async fn(t) {
    await using tmp = await tempDir();
    const env = userEnv(tmp.path);
    for (const minor of ["3.6", "3.7", "3.12", "3.13"]) {
      const python = pyenvPython(minor);
      const wheels = python ? bundledWheels(python) : new Map<string, string>();
      if (!python || !wheels.has("pip")) {
        console.log(`skipped ${minor}: no pyenv CPython ${minor} with ensurepip wheels`);
        continue;
      }
      await t.step(`${minor}: ${[...wheels.values()].map((w) => path.basename(w)).join(", ")}`, async () => {
        // A simple shebang for the older pips, the /bin/sh trampoline (a space in the path) for the newer.
        const dest = path.join(tmp.path, minor === "3.6" || minor === "3.7" ? `env-${minor}` : `env ${minor}`);
        const pins = [...wheels].flatMap(([project, file]) => [`--${project}`, path.basename(file).split("-")[1]!]);
        const appData = path.join(tmp.path, `ad-${minor}`);
        const r = await mkvenv([dest, "-p", python, "--app-data", appData, "--no-download", ...pins], {
          seed: true,
          env: cleanEnv({ HOME: tmp.path, PIP_CONFIG_FILE: "/dev/null" }),
        });
        assert.equal(r.code, 0, r.stderr);
        const ours = await installedByPip(dest);
        await Deno.remove(dest, { recursive: true });
        // The same wheels installed by name by their own pip, into a bare environment at the same path.
        assert.equal((await run(python, ["-m", "venv", "--without-pip", dest], { env })).code, 0);
        const links = path.join(tmp.path, `wheels-${minor}`);
        await Deno.mkdir(links);
        for (const file of wheels.values()) await Deno.symlink(file, path.join(links, path.basename(file)));
        const pip = [path.join(wheels.get("pip")!, "pip"), "install", "-q", "--isolated", "--no-index", "--no-deps"];
        const installed = await run(
          path.join(dest, "bin", "python"),
          [...pip, "--find-links", links, ...wheels.keys()],
          {
            env,
          },
        );
        assert.equal(installed.code, 0, installed.stderr);
        const theirs = await installedByPip(dest);
        assert.deepEqual([...ours.scripts.keys()].sort(), [...theirs.scripts.keys()].sort());
        for (const [name, text] of theirs.scripts) assert.equal(ours.scripts.get(name), text, name);
        assert.deepEqual(ours.rows, theirs.rows);
        await Deno.remove(dest, { recursive: true });
      });
    }
  },
});

Deno.test({
  name: "e2e seed: files follow the umask as pip's and virtualenv's do (umask 002: scripts 0775, other files 0664)",
  ignore: skipIf(!PY312, "pyenv 3.12 not installed"),
  async fn() {
    await using tmp = await tempDir();
    const dest = path.join(tmp.path, "env");
    const args = [dest, "-p", PY312!, "--app-data", SHARED_APP_DATA, "--no-periodic-update"];
    const r = await run("/bin/sh", [
      "-c",
      'umask 002 && exec "$@"',
      "sh",
      Deno.execPath(),
      "run",
      "-A",
      "--config",
      CONFIG,
      CLI,
      ...args,
    ], { env: cleanEnv() });
    assert.equal(r.code, 0, r.stderr);
    const modeOf = async (file: string) => (await Deno.stat(file)).mode! & 0o7777;
    for (const script of ["pip", "pip3", "pip3.12"]) assert.equal(await modeOf(path.join(dest, "bin", script)), 0o775);
    const distInfo = (await listDir(await sitePackages(dest))).find((n) => n.endsWith(".dist-info"))!;
    for (const file of ["RECORD", "REQUESTED"]) {
      assert.equal(await modeOf(path.join(await sitePackages(dest), distInfo, file)), 0o664, file);
    }
    for (const file of ["bin/activate", "bin/activate.fish", "pyvenv.cfg"]) {
      assert.equal(await modeOf(path.join(dest, file)), 0o664, file);
    }
  },
});

Deno.test({
  name: "e2e seed: VIRTUALENV_SYMLINK_APP_DATA only concerns the app-data seeder; --seeder pip goes on without it",
  ignore: skipIf(!PY312, "pyenv 3.12 not installed"),
  async fn() {
    await using tmp = await tempDir();
    const env = cleanEnv({ HOME: tmp.path, VIRTUALENV_SYMLINK_APP_DATA: "1" });
    const args = [path.join(tmp.path, "env"), "-p", PY312!, "--app-data", SHARED_APP_DATA, "--dry-run"];
    const r = await mkvenv([...args, "--seeder", "pip"], { seed: true, env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^run /m); // pip runs from its wheel
    const linked = await mkvenv(args, { seed: true, env });
    assert.equal(linked.code, 0, linked.stderr);
    assert.match(linked.stdout, /^symlink .*site-packages\/pip -> /m); // the app-data seeder takes it
  },
});

Deno.test({
  name: "e2e seed: Ctrl-C (SIGINT) while pip installs the seeds stops pip and removes the new environment (exit 130)",
  ignore: skipIf(!PY312, "pyenv 3.12 not installed"),
  async fn() {
    await using tmp = await tempDir();
    const dest = path.join(tmp.path, "env");
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", CONFIG, CLI, dest, "-p", PY312!, "--app-data", SHARED_APP_DATA, "--seeder", "pip"]
        .concat(["--no-periodic-update"]),
      env: cleanEnv({ HOME: tmp.path }),
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    // pip runs for seconds once the environment's folders are there.
    for (let i = 0; i < 400 && !(await exists(path.join(dest, "pyvenv.cfg"))); i++) await sleepMs(25);
    await sleepMs(800);
    child.kill("SIGINT");
    const out = await child.output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 130, stderr);
    assert.match(stderr, /^error: Interrupted by SIGINT\nhint: a destination this run created was removed again/);
    assert.equal(await exists(dest), false, "the half-made environment is still there");
  },
});

Deno.test({
  name: "e2e seed: two wheels of one name with other contents get an image each (Debian's pip 23.0.1 and PyPI's)",
  ignore: skipIf(
    !PY312 || !existsSync(OS_PIP) || !pyenvPython("3.9") || !bundledWheels(pyenvPython("3.9")!).has("pip"),
    `pyenv 3.12, pyenv 3.9's ensurepip or ${OS_PIP} missing`,
  ),
  async fn() {
    await using tmp = await tempDir();
    const upstream = bundledWheels(pyenvPython("3.9")!).get("pip")!;
    assert.equal(path.basename(upstream), path.basename(OS_PIP));
    const extra = path.join(tmp.path, "upstream");
    await Deno.mkdir(extra);
    await Deno.copyFile(upstream, path.join(extra, path.basename(upstream)));
    const appData = path.join(tmp.path, "ad");
    const common = ["-p", PY312!, "--app-data", appData, "--pip", "23.0.1", "--no-download"];
    const debian = await mkvenvJson([path.join(tmp.path, "debian"), ...common]);
    const pypi = await mkvenvJson([path.join(tmp.path, "pypi"), ...common, "--extra-search-dir", extra]);
    assert.equal(debian.seeded[0]!.wheel, OS_PIP);
    assert.equal(pypi.seeded[0]!.wheel, path.join(extra, path.basename(upstream)));
    // Debian's pip reads the system's certificates; PyPI's has no such patch.
    const core = async (env: string) =>
      await Deno.readTextFile(path.join(await sitePackages(env), "pip", "_vendor", "certifi", "core.py"));
    assert.match(await core(path.join(tmp.path, "debian")), /DEBIAN/);
    assert.doesNotMatch(await core(path.join(tmp.path, "pypi")), /DEBIAN/);
    await imagesSettled(appData);
  },
});

// --- 6. --extra-search-dir --------------------------------------------------------------------------------------------

Deno.test({
  name: "e2e seed: --extra-search-dir with pip 26 seeds it on 3.12 but not on 3.8 (Requires-Python >=3.10)",
  ignore: skipIf(!PY312 || !PY38 || !existsSync(PIP_26), `pyenv 3.12, 3.8 or ${PIP_26} missing`),
  async fn() {
    await using tmp = await tempDir();
    const wheels = path.join(tmp.path, "wheels");
    await Deno.mkdir(wheels);
    const copied = path.join(wheels, path.basename(PIP_26));
    await Deno.copyFile(PIP_26, copied);
    const args = ["--app-data", SHARED_APP_DATA, "--extra-search-dir", wheels];

    const dest312 = path.join(tmp.path, "env312");
    const j312 = await mkvenvJson([dest312, "-p", PY312!, ...args]);
    assert.deepEqual(j312.seeded, [{
      name: "pip",
      version: "26.2.1",
      wheel: copied,
      source: "extra-search-dir",
      via: "hardlink",
    }]);
    await assertPipVersion(dest312, "26.2.1", "3.12", tmp.path);

    const expected38 = await expectedSeeds(await targetInfo(PY38!));
    const dest38 = path.join(tmp.path, "env38");
    const j38 = await mkvenvJson([dest38, "-p", PY38!, ...args]);
    assert.match(expected38.pip, /^23\./);
    assert.deepEqual(j38.seeded.map((s) => `${s.name}==${s.version}`).join(", "), expected38.line);
    assert.notEqual(j38.seeded[0]!.source, "extra-search-dir");
    await assertPipVersion(dest38, expected38.pip, "3.8", tmp.path);
  },
});

Deno.test({
  name: "e2e seed: of one version, the highest build tag wins, and a pin matches by PEP 440 (26.2.1.0 is 26.2.1)",
  ignore: skipIf(!PY312 || !existsSync(PIP_26), `pyenv 3.12 or ${PIP_26} missing`),
  async fn() {
    await using tmp = await tempDir();
    const wheels = path.join(tmp.path, "wheels");
    await Deno.mkdir(wheels);
    // Listed in this order on purpose: neither the folder's order nor the tags' spelling may decide.
    for (const build of ["2", "10", "1", "x9"]) {
      await Deno.copyFile(PIP_26, path.join(wheels, `pip-26.2.1-${build}-py3-none-any.whl`));
    }
    const chosen = path.join(wheels, "pip-26.2.1-10-py3-none-any.whl");
    const args = ["-p", PY312!, "--app-data", SHARED_APP_DATA, "--extra-search-dir", wheels, "--no-download"];
    for (const pin of [[], ["--pip", "26.2.1.0"]]) {
      const dest = path.join(tmp.path, `env${pin.length}`);
      const j = await mkvenvJson([dest, ...args, ...pin]);
      assert.deepEqual(j.seeded.map((s) => [s.version, s.wheel, s.source]), [["26.2.1", chosen, "extra-search-dir"]]);
    }
    await assertPipVersion(path.join(tmp.path, "env2"), "26.2.1", "3.12", tmp.path);
  },
});

Deno.test({
  name: "e2e seed: an image folder gets the umask's mode, and a build folder a killed run left is removed later",
  ignore: skipIf(!PY312 || !existsSync(PIP_26), `pyenv 3.12 or ${PIP_26} missing`),
  async fn() {
    await using tmp = await tempDir();
    const appData = path.join(tmp.path, "app-data");
    const images = path.join(appData, "mkvenv-v1", "images", "3.12");
    await Deno.mkdir(images, { recursive: true });
    const image = imageOf(appData, "3.12", PIP_26);
    const stale = path.join(images, `.${path.basename(image)}.0badc0de.tmp`);
    const fresh = path.join(images, `.${path.basename(image)}.12345678.tmp`);
    for (const folder of [stale, fresh]) await Deno.mkdir(path.join(folder, "site"), { recursive: true });
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    await Deno.utime(stale, twoHoursAgo, twoHoursAgo);
    const wheels = path.join(tmp.path, "wheels");
    await Deno.mkdir(wheels);
    await Deno.copyFile(PIP_26, path.join(wheels, path.basename(PIP_26)));
    const args = ["-p", PY312!, "--app-data", appData, "--extra-search-dir", wheels, "--symlink-app-data"];
    await mkvenvJson([path.join(tmp.path, "env"), ...args]);
    // Images are shared: another user links them, or imports from them with --symlink-app-data.
    assert.equal((await Deno.stat(image)).mode! & 0o777, 0o777 & ~Deno.umask());
    assert.equal(await exists(stale), false, "the stale build folder is still there");
    assert.equal(await exists(fresh), true, "a build folder that may still be in use was removed");
  },
});

Deno.test({
  name: "e2e seed: an image that lost a file is built again, once; read-only app data names the file instead",
  ignore: skipIf(!PY312, "pyenv 3.12 missing"),
  async fn() {
    await using tmp = await tempDir();
    const appData = path.join(tmp.path, "app-data");
    const args = ["-p", PY312!, "--app-data", appData];
    const first = await mkvenvJson([path.join(tmp.path, "env1"), ...args]);
    const image = imageOf(appData, "3.12", first.seeded[0]!.wheel);
    await settled(image);
    // The second run writes the prepared tree, which the everyday run links from; the third links from it.
    await mkvenvJson([path.join(tmp.path, "env2"), ...args]);
    await mkvenvJson([path.join(tmp.path, "env2b"), ...args]);
    assert.ok(existsSync(path.join(image, "linked.cpython-312.json")));
    const lost = path.join(image, "site", "pip", "__main__.py");
    await Deno.remove(lost);

    const readOnly = await mkvenv([path.join(tmp.path, "env-ro"), ...args, "--read-only-app-data"], { seed: true });
    assert.equal(readOnly.code, 1, readOnly.stderr);
    assert.match(
      readOnly.stderr,
      /^error: Cannot install into ".*env-ro\/lib\/python3\.12\/site-packages": "pip\/__main__\.py" is missing from ".*\/site"\nhint: run mkvenv once without --read-only-app-data to build the install image .*pip-[^/]*-py3-none-any@[0-9a-f]{16} again\n$/,
    );
    assert.equal(await exists(path.join(tmp.path, "env-ro")), false, "a failed run left its destination behind");

    const dest = path.join(tmp.path, "env3");
    const repaired = await mkvenvJson([dest, ...args]);
    assert.deepEqual(repaired.warnings, [
      `the install image ${image} had lost pip/__main__.py: built it again`,
    ]);
    assert.ok(existsSync(lost), "the image was not built again");
    await assertPipVersion(dest, first.seeded[0]!.version, "3.12", tmp.path);
    await settled(image);
    assert.deepEqual((await mkvenvJson([path.join(tmp.path, "env4"), ...args])).warnings, []);
  },
});

Deno.test({
  name: "e2e seed: a folder without a manifest where an image goes (a late compile's bytecode) is replaced",
  ignore: skipIf(!PY312 || !existsSync(PIP_26), `pyenv 3.12 or ${PIP_26} missing`),
  async fn() {
    await using tmp = await tempDir();
    const appData = path.join(tmp.path, "app-data");
    const image = imageOf(appData, "3.12", PIP_26);
    const pycache = path.join(image, "site", "pip", "__pycache__");
    await Deno.mkdir(pycache, { recursive: true });
    await Deno.writeTextFile(path.join(pycache, "__init__.cpython-312.pyc"), "stale");
    const wheels = path.join(tmp.path, "wheels");
    await Deno.mkdir(wheels);
    await Deno.copyFile(PIP_26, path.join(wheels, path.basename(PIP_26)));
    const dest = path.join(tmp.path, "env");
    await mkvenvJson([dest, "-p", PY312!, "--app-data", appData, "--extra-search-dir", wheels]);
    assert.ok(existsSync(path.join(image, "manifest.json")));
    await assertPipVersion(dest, "26.2.1", "3.12", tmp.path);
  },
});

Deno.test({
  name: "e2e seed: a wheel with a .data folder is refused by the image seeder, naming it, and --seeder pip installs it",
  ignore: skipIf(!PY312, "pyenv 3.12 missing"),
  async fn() {
    await using tmp = await tempDir();
    const wheels = path.join(tmp.path, "wheels");
    await Deno.mkdir(wheels);
    await demoWheel(wheels, { name: "setuptools", version: "99.0", dataScript: true });
    const appData = path.join(tmp.path, "app-data");
    const args = ["-p", PY312!, "--app-data", appData, "--extra-search-dir", wheels, "--no-download", "--no-pip"];
    const r = await mkvenv([path.join(tmp.path, "env"), ...args, "--setuptools", "99.0"], { seed: true });
    assert.equal(r.code, 1, r.stderr);
    assert.equal(
      r.stderr,
      'error: setuptools-99.0-py3-none-any.whl: "setuptools-99.0.data" is not installable from an image\n' +
        "hint: use --seeder pip, which installs it as pip does, or seed another version\n",
    );
    assert.deepEqual([...Deno.readDirSync(path.join(appData, "mkvenv-v1", "images", "3.12"))], []);
    const dest = path.join(tmp.path, "env-pip");
    const viaPip = await mkvenv([dest, ...args, "--setuptools", "99.0", "--seeder", "pip"], { seed: true });
    assert.equal(viaPip.code, 0, viaPip.stderr);
    // pip put the script in bin and pointed it at the environment's python.
    const tool = path.join(dest, "bin", "tool");
    assert.equal((await Deno.readTextFile(tool)).split("\n")[0], `#!${path.join(dest, "bin", "python")}`);
    const ran = await run(path.join(dest, "bin", "python"), [tool], { cwd: tmp.path, env: userEnv(tmp.path) });
    assert.equal(ran.stdout, "42\n", ran.stderr);
  },
});

Deno.test({
  name: "e2e seed: a wheel that fails its RECORD check is named in the error, and leaves no image behind",
  ignore: skipIf(!PY312, "pyenv 3.12 missing"),
  async fn() {
    await using tmp = await tempDir();
    const wheels = path.join(tmp.path, "wheels");
    await Deno.mkdir(wheels);
    await demoWheel(wheels, { name: "pip", version: "99.0", badHash: true });
    const appData = path.join(tmp.path, "app-data");
    const args = ["-p", PY312!, "--app-data", appData, "--extra-search-dir", wheels, "--pip", "99.0", "--no-download"];
    const r = await mkvenv([path.join(tmp.path, "env"), ...args], { seed: true });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^error: pip-99\.0-py3-none-any\.whl: "pip\/__init__\.py" does not match its RECORD hash\n/);
    assert.deepEqual([...Deno.readDirSync(path.join(appData, "mkvenv-v1", "images", "3.12"))], []);
  },
});

// --- 7. downloads from a real HTTP index -----------------------------------------------------------------------------

interface IndexServer extends AsyncDisposable {
  readonly base: string;
  readonly requests: string[];
}

/**
 * A PEP 503 HTML index on 127.0.0.1 serving one wheel under `/<mode>/simple/<project>/` and `/<mode>/files/<file>`.
 * Modes: `good`; `unsized` (the file is sent without its length); `badhash` (the page gives a wrong sha256); `missing`
 * (404 for every project); `stall` (no answer until the server is disposed).
 */
async function serveIndex(wheelFile: string): Promise<IndexServer> {
  const bytes = await Deno.readFile(wheelFile);
  const filename = path.basename(wheelFile);
  const project = filename.split("-")[0]!;
  const digest = hex(await sha256(bytes));
  const requests: string[] = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => release = resolve);
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    const url = new URL(req.url);
    requests.push(url.pathname);
    const [, mode, kind, name] = url.pathname.split("/");
    if (mode === "stall") {
      await released;
      return new Response("too late", { status: 503 });
    }
    if (kind === "simple" && name === project && mode !== "missing") {
      const hash = mode === "badhash" ? "0".repeat(64) : digest;
      const html = `<!DOCTYPE html>\n<html><body><h1>Links for ${project}</h1>\n` +
        `<a href="../../files/${filename}#sha256=${hash}" data-requires-python="&gt;=3.10">${filename}</a><br/>\n` +
        "</body></html>\n";
      return new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } });
    }
    if (kind === "files" && name === filename && mode === "unsized") {
      return new Response(ReadableStream.from([bytes.subarray(0, 1 << 20), bytes.subarray(1 << 20)])); // no length
    }
    if (kind === "files" && name === filename) {
      return new Response(bytes, { headers: { "content-type": "application/octet-stream" } });
    }
    return new Response("not found", { status: 404 });
  });
  return {
    base: `http://127.0.0.1:${server.addr.port}`,
    requests,
    async [Symbol.asyncDispose]() {
      release();
      await server.shutdown();
    },
  };
}

function indexEnv(indexUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return cleanEnv({ PIP_CONFIG_FILE: "/dev/null", PIP_INDEX_URL: indexUrl, ...extra });
}

async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) names.push(e.name);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return names.sort();
}

const DOWNLOAD_SKIP = skipIf(!PY312 || !existsSync(PIP_26), `pyenv 3.12 or ${PIP_26} missing`);

Deno.test({
  name: "e2e seed: --download fetches pip 26 from the index into the wheel store (sha256 checked)",
  ignore: DOWNLOAD_SKIP,
  async fn() {
    await using tmp = await tempDir();
    await using server = await serveIndex(PIP_26);
    const ad = path.join(tmp.path, "app-data");
    const dest = path.join(tmp.path, "env");
    const json = await mkvenvJson(
      [dest, "-p", PY312!, "--app-data", ad, "--download"],
      indexEnv(`${server.base}/good/simple/`),
    );
    const stored = path.join(ad, "mkvenv-v1", "wheels", path.basename(PIP_26));
    assert.deepEqual(json.seeded, [{
      name: "pip",
      version: "26.2.1",
      wheel: stored,
      source: "index",
      via: "hardlink",
    }]);
    assert.deepEqual(json.warnings, []);
    assert.deepEqual(await listDir(path.dirname(stored)), [path.basename(PIP_26)]);
    assert.deepEqual(await Deno.readFile(stored), await Deno.readFile(PIP_26));
    assert.deepEqual(server.requests, ["/good/simple/pip/", `/good/files/${path.basename(PIP_26)}`]);
    await assertPipVersion(dest, "26.2.1", "3.12", tmp.path);
  },
});

Deno.test({
  name: "e2e seed: --download with a wrong sha256 on the index falls back to the local pip, storing nothing",
  ignore: DOWNLOAD_SKIP,
  async fn() {
    await using tmp = await tempDir();
    await using server = await serveIndex(PIP_26);
    const ad = path.join(tmp.path, "app-data");
    const expected = await expectedSeed("pip", await targetInfo(PY312!));
    const json = await mkvenvJson(
      [path.join(tmp.path, "env"), "-p", PY312!, "--app-data", ad, "--download"],
      indexEnv(`${server.base}/badhash/simple/`),
    );
    assert.deepEqual(json.seeded.map((s) => [s.name, s.version, s.source]), [["pip", expected, "ensurepip"]]);
    assert.ok(server.requests.includes(`/badhash/files/${path.basename(PIP_26)}`), "the wheel was fetched");
    assert.deepEqual(await listDir(path.join(ad, "mkvenv-v1", "wheels")), [], "no wheel or temporary file is left");
  },
});

Deno.test({
  name: "e2e seed: --download says so (a warning) when the index fails and it falls back to a local wheel",
  async fn() {
    await using tmp = await tempDir();
    await using server = await serveIndex(PIP_26);
    const r = await mkvenv(
      [path.join(tmp.path, "env"), "-p", PY312!, "--app-data", path.join(tmp.path, "ad"), "--download"],
      { seed: true, env: indexEnv(`${server.base}/badhash/simple/`) },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^warning: .*sha256 mismatch for pip-26\.2\.1-py3-none-any\.whl/m);
  },
});

Deno.test({
  name: "e2e seed: --pip latest with a wrong sha256 on the index fails and stores nothing",
  ignore: DOWNLOAD_SKIP,
  async fn() {
    await using tmp = await tempDir();
    await using server = await serveIndex(PIP_26);
    const ad = path.join(tmp.path, "app-data");
    const dest = path.join(tmp.path, "env");
    const r = await mkvenv([dest, "-p", PY312!, "--app-data", ad, "--pip", "latest"], {
      seed: true,
      env: indexEnv(`${server.base}/badhash/simple/`),
    });
    assert.equal(r.code, 1, r.stdout);
    assert.match(
      r.stderr,
      new RegExp(`^error: sha256 mismatch for pip-26\\.2\\.1-py3-none-any\\.whl: expected 0{64}, got [0-9a-f]{64}\\n`),
    );
    assert.match(r.stderr, /\nhint: .*--no-download/);
    assert.deepEqual(await listDir(path.join(ad, "mkvenv-v1", "wheels")), []);
    assert.ok(!(await exists(dest)), "nothing created");
  },
});

Deno.test({
  name: "e2e seed: --pip latest with the project missing on the index (404) is a clear error",
  ignore: DOWNLOAD_SKIP,
  async fn() {
    await using tmp = await tempDir();
    await using server = await serveIndex(PIP_26);
    const r = await mkvenv(
      [path.join(tmp.path, "env"), "-p", PY312!, "--app-data", path.join(tmp.path, "ad"), "--pip", "latest"],
      { seed: true, env: indexEnv(`${server.base}/missing/simple/`) },
    );
    assert.equal(r.code, 1, r.stdout);
    assert.equal(
      r.stderr.split("\n")[0],
      `error: No pip wheel for Python 3.12 on the package index (${server.base}/missing/simple/)`,
    );
    assert.match(
      r.stderr,
      /\nhint: choose another --pip version, or give a folder of wheels with --extra-search-dir\n$/,
    );
    assert.deepEqual(server.requests, ["/missing/simple/pip/"]);
  },
});

Deno.test({
  name: "e2e seed: a pinned --pip that no index has names the index that could not be read, and why",
  ignore: DOWNLOAD_SKIP,
  async fn() {
    await using tmp = await tempDir();
    await using server = await serveIndex(PIP_26);
    // A port nothing listens on: the connection is refused at once.
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const down = `http://127.0.0.1:${listener.addr.port}/simple/`;
    listener.close();
    const r = await mkvenv(
      [path.join(tmp.path, "env"), "-p", PY312!, "--app-data", path.join(tmp.path, "ad"), "--pip", "25.0"],
      { seed: true, env: indexEnv(`${server.base}/good/simple/`, { PIP_EXTRA_INDEX_URL: down }) },
    );
    assert.equal(r.code, 1, r.stdout);
    const [error, hint] = r.stderr.split("\n");
    assert.equal(
      error!.split(", and part of it could not be read: ")[0],
      `error: No pip==25.0 wheel for Python 3.12 on the package index (${server.base}/good/simple/, ${down})`,
    );
    assert.match(error!, new RegExp(`could not be read: Cannot fetch ${down}pip/: .*[Cc]onnection refused`));
    assert.match(
      hint!,
      /^hint: check the network and pip's index settings \(index-url, extra-index-url\), choose another --pip/,
    );
    assert.deepEqual(server.requests, ["/good/simple/pip/"]);
  },
});

Deno.test({
  name: "e2e seed: a damaged wheel in the store is fetched again, and a killed download's temporary is cleared",
  ignore: DOWNLOAD_SKIP,
  async fn() {
    await using tmp = await tempDir();
    await using server = await serveIndex(PIP_26);
    const ad = path.join(tmp.path, "ad");
    const env = indexEnv(`${server.base}/good/simple/`);
    const args = (name: string) => [path.join(tmp.path, name), "-p", PY312!, "--app-data", ad, "--pip", "26.2.1"];
    assert.equal((await mkvenv(args("env1"), { seed: true, env })).code, 0);
    const store = path.join(ad, "mkvenv-v1", "wheels");
    const stored = path.join(store, path.basename(PIP_26));
    await Deno.truncate(stored, 1000);
    const leftover = path.join(store, `.${path.basename(PIP_26)}.4242.1.tmp`);
    await Deno.writeTextFile(leftover, "partial");
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    await Deno.utime(leftover, twoHoursAgo, twoHoursAgo);
    // No image: one made from the good file would serve without reading the store.
    await imagesSettled(ad);
    await Deno.remove(path.join(ad, "mkvenv-v1", "images"), { recursive: true });
    const r = await mkvenv(args("env2"), { seed: true, env });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await Deno.readFile(stored), await Deno.readFile(PIP_26));
    assert.deepEqual(await listDir(store), [path.basename(PIP_26)]);
    const fetched = server.requests.filter((p) => p.endsWith(".whl"));
    assert.equal(fetched.length, 2, server.requests.join(" "));
  },
});

Deno.test({
  name: "e2e seed: on a terminal, a download's progress line is ended before the report, its size known or not",
  ignore: DOWNLOAD_SKIP || skipIf(!existsSync("/usr/bin/script"), "no script(1) to give mkvenv a terminal"),
  async fn() {
    await using tmp = await tempDir();
    await using server = await serveIndex(PIP_26);
    for (const mode of ["good", "unsized"]) {
      const dest = path.join(tmp.path, mode);
      const argv = [Deno.execPath(), "run", "-A", "--config", CONFIG, CLI, dest, "-p", PY312!, "--pip", "26.2.1"];
      argv.push("--app-data", path.join(tmp.path, `ad-${mode}`), "--no-periodic-update");
      const quoted = argv.map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ");
      const r = await run("/usr/bin/script", ["-qec", quoted, "/dev/null"], {
        env: indexEnv(`${server.base}/${mode}/simple/`),
      });
      assert.equal(r.code, 0, r.stdout);
      const size = mode === "good" ? "1.8/1.8 MB" : "1.8 MB";
      // The last redraw of the line, erased to its end, then a line break before the report.
      assert.match(
        r.stdout,
        new RegExp(
          `\\rdownloading pip-26\\.2\\.1-py3-none-any\\.whl: ${
            RegExp.escape(size)
          }\\x1b\\[K\\r?\\ncreated virtual environment`,
        ),
        JSON.stringify(r.stdout),
      );
    }
  },
});

Deno.test({
  name: "e2e seed: index credentials never show in an error (a password or a lone token), and no-index is named",
  ignore: DOWNLOAD_SKIP,
  async fn() {
    await using tmp = await tempDir();
    await using server = await serveIndex(PIP_26);
    const base = new URL(server.base);
    const args = (name: string) => [path.join(tmp.path, name), "-p", PY312!, "--app-data", path.join(tmp.path, "ad")];
    const cases: [string, string, string][] = [["user:s3cr3tpw", "user:****", "pw"], [
      "tok_ABCDEF123456",
      "****",
      "tok",
    ]];
    for (const [auth, shown, name] of cases) {
      const index = `${base.protocol}//${auth}@${base.host}/good/simple/`;
      const r = await mkvenv([...args(name), "--pip", "25.0"], { seed: true, env: indexEnv(index) });
      assert.equal(r.code, 1, r.stdout);
      assert.ok(!r.stderr.includes(auth), r.stderr);
      assert.equal(
        r.stderr.split("\n")[0],
        `error: No pip==25.0 wheel for Python 3.12 on the package index (${base.protocol}//${shown}@${base.host}/good/simple/)`,
      );
    }
    const noIndex = indexEnv(`${server.base}/good/simple/`, { PIP_NO_INDEX: "1", PIP_FIND_LINKS: tmp.path });
    const r = await mkvenv([...args("no-index"), "--pip", "26.2.1"], { seed: true, env: noIndex });
    assert.equal(r.code, 1, r.stdout);
    assert.equal(
      r.stderr.split("\n")[0],
      `error: No pip==26.2.1 wheel for Python 3.12 on the package index (no-index is set, find-links ${tmp.path})`,
    );
    assert.deepEqual(server.requests, ["/good/simple/pip/", "/good/simple/pip/"]);
  },
});

Deno.test({
  name: "e2e seed: a stalled index with MKVENV_HTTP_TIMEOUT_MS=500 fails within seconds with a timeout message",
  ignore: DOWNLOAD_SKIP,
  async fn() {
    await using tmp = await tempDir();
    await using server = await serveIndex(PIP_26);
    const ad = path.join(tmp.path, "ad");
    // Warm the interpreter cache first, so the timing below is about the index.
    assert.equal((await mkvenv([path.join(tmp.path, "warm"), "-p", PY312!, "--app-data", ad])).code, 0);
    const started = performance.now();
    const r = await mkvenv([path.join(tmp.path, "env"), "-p", PY312!, "--app-data", ad, "--pip", "latest"], {
      seed: true,
      env: indexEnv(`${server.base}/stall/simple/`, { MKVENV_HTTP_TIMEOUT_MS: "500" }),
    });
    const elapsed = performance.now() - started;
    assert.equal(r.code, 1, r.stdout);
    assert.equal(
      r.stderr.split("\n")[0],
      `error: Timed out after 0.5 s waiting for a response from ${server.base}/stall/simple/pip/`,
    );
    assert.match(r.stderr, /\nhint: raise pip's timeout/);
    assert.ok(elapsed < 5000, `took ${Math.round(elapsed)} ms`);
  },
});

// --- 8. concurrent runs building the same image ----------------------------------------------------------------------

const CONCURRENT_PY = PY311 ?? PY312;

Deno.test({
  name: "e2e seed: four concurrent runs on a cold app-data all succeed and share one complete image",
  ignore: skipIf(!CONCURRENT_PY, "pyenv 3.11 and 3.12 not installed"),
  async fn() {
    await using tmp = await tempDir();
    const ad = path.join(tmp.path, "app-data");
    const info = await targetInfo(CONCURRENT_PY!);
    const minor = info.version.slice(0, 2).join(".");
    const expected = await expectedSeeds(info);
    const dests = [1, 2, 3, 4].map((n) => path.join(tmp.path, `env${n}`));
    const results = await Promise.all(
      dests.map((d) => mkvenv([d, "-p", CONCURRENT_PY!, "--app-data", ad], { seed: true })),
    );
    for (const [i, r] of results.entries()) {
      assert.equal(r.code, 0, `run ${i + 1}: ${r.stderr}`);
      assert.ok(r.stdout.endsWith(`\n    added seed packages: ${expected.line}\n${ACTIVATORS_LINE}`), r.stdout);
    }
    const imagesDir = path.join(ad, "mkvenv-v1", "images", minor);
    const images = await listDir(imagesDir);
    const wantImages = [`pip-${expected.pip}`, ...expected.setuptools ? [`setuptools-${expected.setuptools}`] : []];
    assert.deepEqual(
      images.map((n) => n.replace(/-py[23.]+-none-any@[0-9a-f]{16}$/, "")).sort(),
      wantImages.sort(),
      `${images}`,
    );
    for (const name of images) {
      const image = await settled(path.join(imagesDir, name));
      // The run that built the image compiled it in the background, for the interpreter kind of this Python.
      const compiled = (await listDir(image)).filter((n) => n.startsWith("compiled."));
      assert.deepEqual((await listDir(image)).filter((n) => !compiled.includes(n)), ["manifest.json", "site"], name);
      assert.ok(compiled.length === 1 && compiled[0]!.endsWith(".json"), `${name}: ${compiled}`);
      const manifest = readManifest(image);
      for (const f of manifest.files) assert.ok(existsSync(path.join(image, "site", f)), `${name}: ${f} missing`);
      // Every environment links the one image that stayed, not a temporary build that was thrown away.
      for (const d of dests) {
        assert.equal(await sameInodes(image, await sitePackages(d), manifest), manifest.files.length, `${d} ${name}`);
      }
    }
    const leftovers = (await snapshotNames(path.join(ad, "mkvenv-v1"))).filter((n) => /\.tmp$|\/\.[^/]+\.tmp/.test(n));
    assert.deepEqual(leftovers, []);
    await Promise.all(dests.map((d) => assertPipVersion(d, expected.pip, minor, tmp.path)));
  },
});

/** Every path under `dir`, folders included (relative). */
async function snapshotNames(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(rel: string): Promise<void> {
    for await (const e of Deno.readDir(path.join(dir, rel))) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      out.push(child);
      if (e.isDirectory) await walk(child);
    }
  }
  await walk("");
  return out;
}

Deno.test({
  name:
    "e2e seed: once the image is compiled, environments hard-link its bytecode and the first pip call compiles nothing",
  ignore: !PY312,
  async fn() {
    await using tmp = await tempDir();
    const ad = path.join(tmp.path, "app-data");
    // The first run builds the image and compiles it in the background; the second links the compiled files.
    await mkvenvJson([path.join(tmp.path, "first"), "-p", PY312!, "--app-data", ad]);
    const image = await settled(await pipImage(ad, "3.12"));
    const dest = path.join(tmp.path, "second");
    await mkvenvJson([dest, "-p", PY312!, "--app-data", ad]);
    const site = await sitePackages(dest);
    const pyc = path.join(site, "pip", "__pycache__", "__init__.cpython-312.pyc");
    assert.equal(
      (await Deno.stat(pyc)).ino,
      (await Deno.stat(path.join(image, "site", "pip", "__pycache__", "__init__.cpython-312.pyc"))).ino,
    );
    const distInfo = (await listDir(site)).find((n) => /^pip-.*\.dist-info$/.test(n))!;
    const record = await Deno.readTextFile(path.join(site, distInfo, "RECORD"));
    assert.match(record, /^pip\/__pycache__\/__init__\.cpython-312\.pyc,,$/m, "pip's uninstall removes the links");
    const before = await snapshot(site);
    await assertPipVersion(dest, await expectedSeed("pip", await targetInfo(PY312!)), "3.12", tmp.path);
    const written = snapshotDiff(before, await snapshot(site)).filter((c) => c.endsWith(".pyc"));
    assert.deepEqual(written, [], "pip --version found every module compiled");
    // That run kept what it worked out to link; the next one installs from that file alone, to the same result.
    const prepared = path.join(image, "linked.cpython-312.json");
    assert.deepEqual((await listDir(image)).sort(), [
      "compiled.cpython-312.json",
      "linked.cpython-312.json",
      "manifest.json",
      "site",
    ]);
    const third = path.join(tmp.path, "third");
    await mkvenvJson([third, "-p", PY312!, "--app-data", ad]);
    const thirdSite = await sitePackages(third);
    // The scripts' hashes differ (their shebangs name each environment's python); every other line is the same.
    const withoutScriptHashes = (text: string): string =>
      text.split("\n").map((line) => line.startsWith("../") ? line.split(",")[0] : line).join("\n");
    const thirdRecord = await Deno.readTextFile(path.join(thirdSite, distInfo, "RECORD"));
    assert.equal(withoutScriptHashes(thirdRecord), withoutScriptHashes(record));
    assert.deepEqual(
      [...(await snapshot(thirdSite)).keys()].sort(),
      [...before.keys()].sort(),
    );
    assert.equal(
      (await Deno.stat(path.join(thirdSite, "pip", "__pycache__", "__init__.cpython-312.pyc"))).ino,
      (await Deno.stat(pyc)).ino,
    );
    // It is what the run goes by: a file left out of it is not linked.
    const kept = JSON.parse(await Deno.readTextFile(prepared));
    const left = kept.files.find((f: string) => f.endsWith("/py.typed"));
    await Deno.writeTextFile(
      prepared,
      JSON.stringify({ ...kept, files: kept.files.filter((f: string) => f !== left) }),
    );
    const fifth = path.join(tmp.path, "fifth");
    await mkvenvJson([fifth, "-p", PY312!, "--app-data", ad]);
    await assert.rejects(Deno.lstat(path.join(await sitePackages(fifth), left)), Deno.errors.NotFound);
    // A prepared file that is not one (damaged) is worked out again and replaced, never trusted.
    await Deno.writeTextFile(prepared, "{");
    const fourth = path.join(tmp.path, "fourth");
    await mkvenvJson([fourth, "-p", PY312!, "--app-data", ad]);
    const fourthRecord = await Deno.readTextFile(path.join(await sitePackages(fourth), distInfo, "RECORD"));
    assert.equal(withoutScriptHashes(fourthRecord), withoutScriptHashes(record));
    assert.deepEqual(JSON.parse(await Deno.readTextFile(prepared)).distInfo, distInfo);
  },
});
