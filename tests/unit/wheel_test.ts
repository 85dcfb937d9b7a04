import assert from "node:assert/strict";
import path from "node:path";
import { Uint8ArrayReader, Uint8ArrayWriter, ZipWriter } from "@zip.js/zip.js";
import { MkvenvError } from "../../lib/errors.ts";
import { extractWheel, parseRecord, readWheelMetadata } from "../../lib/seeder/wheel.ts";
import {
  isUniversalPy3,
  isVersion,
  newestFirst,
  normalizeProject,
  parseWheelFileName,
  requiresPythonAllows,
} from "../../lib/seeder/wheel_name.ts";
import { csvField, recordHash } from "../../lib/seeder/console_scripts.ts";
import { run, skipIf, tempDir } from "../_helpers.ts";

const PIP_23 = "/root/.pyenv/versions/3.12.1/lib/python3.12/ensurepip/_bundled/pip-23.2.1-py3-none-any.whl";
const SETUPTOOLS_66 = "/usr/share/python-wheels/setuptools-66.1.1-py3-none-any.whl";
const PIP_26 = "/opt/pypi/files/pip-26.2.1-py3-none-any.whl";
const PIP_18 = "/root/.pyenv/versions/3.6.15/lib/python3.6/ensurepip/_bundled/pip-18.1-py2.py3-none-any.whl";

function exists(file: string): boolean {
  try {
    Deno.statSync(file);
    return true;
  } catch {
    return false;
  }
}

const HAS_UNZIP = exists("/usr/bin/unzip");

/** Every file under `root` (relative, '/'-separated) with its sha256 (hex) and whether an execute bit is set. */
async function snapshot(root: string): Promise<Map<string, { sha: string; exec: boolean }>> {
  const out = new Map<string, { sha: string; exec: boolean }>();
  const walk = async (dir: string, rel: string): Promise<void> => {
    for await (const e of Deno.readDir(dir)) {
      const full = path.join(dir, e.name);
      const name = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory) await walk(full, name);
      else {
        const bytes = await Deno.readFile(full);
        const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
        const sha = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
        out.set(name, { sha, exec: ((Deno.statSync(full).mode ?? 0) & 0o111) !== 0 });
      }
    }
  };
  await walk(root, "");
  return out;
}

/** Every path under `root`, absolute. */
function allPaths(root: string): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(root)) {
    const full = path.join(root, e.name);
    out.push(full);
    if (e.isDirectory && !e.isSymlink) out.push(...allPaths(full));
  }
  return out;
}

// --- file names ---------------------------------------------------------------------------------------------------

Deno.test("parseWheelFileName() splits PEP 427 names", () => {
  const { parsedVersion, ...parts } = parseWheelFileName("pip-23.2.1-py3-none-any.whl")!;
  assert.deepEqual(parts, {
    distribution: "pip",
    project: "pip",
    version: "23.2.1",
    pythonTags: ["py3"],
    abiTags: ["none"],
    platformTags: ["any"],
    fileName: "pip-23.2.1-py3-none-any.whl",
  });
  assert.deepEqual(parsedVersion.release, [23, 2, 1]);
  const old = parseWheelFileName("/some/dir/pip-18.1-py2.py3-none-any.whl");
  assert.deepEqual(old?.pythonTags, ["py2", "py3"]);
  assert.equal(old?.fileName, "pip-18.1-py2.py3-none-any.whl");
  const built = parseWheelFileName("Typing_Extensions-4.0.0-12abc-py3-none-any.whl");
  assert.equal(built?.distribution, "Typing_Extensions");
  assert.equal(built?.project, "typing-extensions");
  assert.deepEqual(built?.build, [12, "abc"]);
  const native = parseWheelFileName("numpy-2.0.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl");
  assert.deepEqual(native?.platformTags, ["manylinux_2_17_x86_64", "manylinux2014_x86_64"]);
});

Deno.test("parseWheelFileName() rejects names that are not wheels", () => {
  for (
    const name of [
      "pip-23.2.1-py3-none-any.zip",
      "pip-23.2.1-py3-none.whl",
      "pip-23.2.1-x1-py3-none-any.whl", // a build tag must start with a digit
      "pip-23.2.1-1-2-py3-none-any.whl",
      "pip 1-23.2.1-py3-none-any.whl",
      "pip-23.2.1-py3..py2-none-any.whl",
      "-23.2.1-py3-none-any.whl",
      "pip-not.a.version!-py3-none-any.whl",
      "",
    ]
  ) {
    assert.equal(parseWheelFileName(name), undefined, name);
  }
});

Deno.test("isUniversalPy3() wants py3, none and any", () => {
  const yes = ["pip-23.2.1-py3-none-any.whl", "pip-18.1-py2.py3-none-any.whl", "x-1-py3.py2-none-any.whl"];
  const no = [
    "x-1-py2-none-any.whl",
    "x-1-py312-none-any.whl",
    "x-1-cp312-cp312-any.whl",
    "x-1-py3-none-win_amd64.whl",
  ];
  for (const n of yes) assert.ok(isUniversalPy3(parseWheelFileName(n)!), n);
  for (const n of no) assert.ok(!isUniversalPy3(parseWheelFileName(n)!), n);
});

Deno.test("normalizeProject() follows PEP 503", () => {
  assert.equal(normalizeProject("Zope.Interface"), "zope-interface");
  assert.equal(normalizeProject("a__b-._c"), "a-b-c");
  assert.equal(normalizeProject("PIP"), "pip");
});

Deno.test("newestFirst() orders by PEP 440, then the highest build tag, a name without one last", () => {
  const names = [
    "pip-24.2-py3-none-any.whl",
    "pip-24.2-2-py3-none-any.whl",
    "pip-24.2-10-py3-none-any.whl",
    "pip-24.2-10b-py3-none-any.whl",
    "pip-24.10-py3-none-any.whl",
    "pip-24.2-1-py3-none-any.whl",
    "pip-24.3rc1-py3-none-any.whl",
  ];
  const sorted = names.map((n) => parseWheelFileName(n)!).sort(newestFirst).map((w) => w.fileName);
  assert.deepEqual(sorted, [
    "pip-24.10-py3-none-any.whl",
    "pip-24.3rc1-py3-none-any.whl",
    "pip-24.2-10b-py3-none-any.whl",
    "pip-24.2-10-py3-none-any.whl",
    "pip-24.2-2-py3-none-any.whl",
    "pip-24.2-1-py3-none-any.whl",
    "pip-24.2-py3-none-any.whl",
  ]);
});

Deno.test("isVersion() compares by PEP 440, and by spelling what is no version", () => {
  const wheel = parseWheelFileName("pip-24.2-py3-none-any.whl")!;
  for (const same of ["24.2", "24.2.0", "24.2.0.0", "v24.2", " 24.2 "]) assert.ok(isVersion(wheel, same), same);
  for (const other of ["24.2.1", "24.2rc1", "24.2.post1", "24", "24.2+local", "not a version"]) {
    assert.ok(!isVersion(wheel, other), other);
  }
  const local = parseWheelFileName("pip-24.2+deb1-py3-none-any.whl")!;
  for (const same of ["24.2", "24.2+deb1", "24.2.0+DEB1"]) assert.ok(isVersion(local, same), same);
  assert.ok(!isVersion(local, "24.2+deb2"));
});

// --- RECORD, hashes, Requires-Python --------------------------------------------------------------------------------

Deno.test("parseRecord() reads Python csv output, quoting included", () => {
  const text = 'pip/__init__.py,sha256=abc,357\r\n"odd,name.py",sha256=def,1\n\n"say ""hi"".txt",,\n' +
    '"multi\nline",sha256=x,0\npip-1.dist-info/RECORD,,';
  assert.deepEqual(parseRecord(text), [
    { path: "pip/__init__.py", hash: "sha256=abc", size: 357 },
    { path: "odd,name.py", hash: "sha256=def", size: 1 },
    { path: 'say "hi".txt', hash: undefined, size: undefined },
    { path: "multi\nline", hash: "sha256=x", size: 0 },
    { path: "pip-1.dist-info/RECORD", hash: undefined, size: undefined },
  ]);
  assert.deepEqual(parseRecord(""), []);
  assert.throws(() => parseRecord("a,b\n"), /2 fields/);
  assert.throws(() => parseRecord("a,sha256=x,12x\n"), /invalid size/);
  assert.throws(() => parseRecord('"a,sha256=x,1\n'), /quoted/);
});

Deno.test("recordHash() matches RECORD's encoding", () => {
  assert.equal(recordHash(new Uint8Array()), "sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU");
  // Bytes whose digest holds both characters urlsafe base64 substitutes.
  const digest = recordHash(new TextEncoder().encode("pip\n"));
  assert.match(digest, /^sha256=[A-Za-z0-9_-]{43}$/);
});

Deno.test("requiresPythonAllows() applies PEP 440 to the interpreter version", () => {
  const py36 = { major: 3, minor: 6, micro: 15 };
  const py312 = { major: 3, minor: 12, micro: 1 };
  assert.equal(requiresPythonAllows(">=3.7", py36), false);
  assert.equal(requiresPythonAllows(">=3.7", py312), true);
  assert.equal(requiresPythonAllows(undefined, py36), true);
  assert.equal(requiresPythonAllows("  ", py36), true);
  assert.equal(requiresPythonAllows(">=2.7,!=3.0.*,!=3.1.*,!=3.2.*,!=3.3.*", py36), true);
  assert.equal(requiresPythonAllows(">=2.7,!=3.0.*,!=3.1.*,!=3.2.*,!=3.3.*", { major: 3, minor: 3, micro: 7 }), false);
  assert.equal(requiresPythonAllows("<3.12", py312), false);
  assert.equal(requiresPythonAllows("~=3.12.0", py312), true);
  // Empty clauses are dropped, as packaging's SpecifierSet drops them.
  assert.equal(requiresPythonAllows(">=3.7,", py312), true);
  assert.equal(requiresPythonAllows(">=3.8,,<4", py312), true);
  assert.equal(requiresPythonAllows(">=3.8, ,<3.12", py312), false);
  assert.equal(requiresPythonAllows(",", py36), true);
  // pip warns of an invalid one and installs the package all the same.
  assert.equal(requiresPythonAllows(">=3.7 garbage", py312), true);
  assert.equal(requiresPythonAllows(">=", py36), true);
});

// --- real wheels ----------------------------------------------------------------------------------------------------

interface RealWheel {
  readonly file: string;
  readonly name: string;
  readonly version: string;
  readonly requiresPython: string;
  readonly scripts: readonly [string, string, string][];
  readonly count: number;
}

const REAL: readonly RealWheel[] = [
  {
    file: PIP_23,
    name: "pip",
    version: "23.2.1",
    requiresPython: ">=3.7",
    scripts: [
      ["pip", "pip._internal.cli.main", "main"],
      ["pip3", "pip._internal.cli.main", "main"],
      ["pip3.11", "pip._internal.cli.main", "main"],
    ],
    count: 507,
  },
  { file: SETUPTOOLS_66, name: "setuptools", version: "66.1.1", requiresPython: ">=3.7", scripts: [], count: 250 },
  {
    file: PIP_26,
    name: "pip",
    version: "26.2.1",
    requiresPython: ">=3.10",
    scripts: [["pip", "pip._internal.cli.main", "main"], ["pip3", "pip._internal.cli.main", "main"]],
    count: 476,
  },
  {
    file: PIP_18,
    name: "pip",
    version: "18.1",
    requiresPython: ">=2.7,!=3.0.*,!=3.1.*,!=3.2.*,!=3.3.*",
    scripts: [["pip", "pip._internal", "main"], ["pip3", "pip._internal", "main"], ["pip3.7", "pip._internal", "main"]],
    count: 311,
  },
];

for (const wheel of REAL) {
  const base = path.basename(wheel.file);

  Deno.test({
    name: `readWheelMetadata() reads ${base}`,
    ignore: skipIf(!exists(wheel.file), `${wheel.file} is missing`),
    fn: async () => {
      const parsed = parseWheelFileName(base);
      assert.equal(parsed?.version, wheel.version);
      assert.ok(parsed && isUniversalPy3(parsed));
      const meta = await readWheelMetadata(await Deno.readFile(wheel.file), base);
      assert.deepEqual(meta, {
        name: wheel.name,
        version: wheel.version,
        requiresPython: wheel.requiresPython,
        consoleScripts: wheel.scripts.map(([name, module, attr]) => ({ name, module, attr })),
        distInfo: `${wheel.name}-${wheel.version}.dist-info`,
      });
    },
  });

  Deno.test({
    name: `extractWheel() unpacks ${base} exactly as unzip does`,
    ignore: skipIf(!exists(wheel.file), `${wheel.file} is missing`) ||
      skipIf(!HAS_UNZIP, "unzip is not installed"),
    fn: async () => {
      await using ours = await tempDir();
      await using theirs = await tempDir();
      const bytes = await Deno.readFile(wheel.file);
      const started = performance.now();
      const result = await extractWheel(bytes, ours.path, base);
      const elapsed = performance.now() - started;
      if (wheel.file === PIP_23) console.log(`extractWheel(${base}), first in this process: ${elapsed.toFixed(1)} ms`);

      const unzip = await run("unzip", ["-q", wheel.file, "-d", theirs.path]);
      assert.equal(unzip.code, 0, unzip.stderr);
      const [got, want] = await Promise.all([snapshot(ours.path), snapshot(theirs.path)]);
      assert.equal(got.size, wheel.count);
      assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
      for (const [name, { sha, exec }] of want) {
        assert.equal(got.get(name)?.sha, sha, name);
        if (Deno.build.os !== "windows") assert.equal(got.get(name)?.exec, exec, `execute bit of ${name}`);
      }

      const distInfo = `${wheel.name}-${wheel.version}.dist-info`;
      assert.equal(result.distInfo, distInfo);
      assert.deepEqual(result.files, [...want.keys()].sort());
      // Every file is in RECORD once, RECORD's own row has no hash, and every other row was verified.
      assert.deepEqual(result.record.map((r) => r.path).sort(), [...result.files].sort());
      const own = result.record.find((r) => r.path === `${distInfo}/RECORD`);
      assert.deepEqual(own, { path: `${distInfo}/RECORD`, hash: undefined, size: undefined });
      assert.ok(result.record.every((r) => r === own || r.hash?.startsWith("sha256=")));
    },
  });
}

Deno.test({
  name: "extractWheel() timing for pip 23.2.1 (in-process, warm)",
  ignore: skipIf(!exists(PIP_23), `${PIP_23} is missing`),
  fn: async () => {
    const bytes = await Deno.readFile(PIP_23);
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      await using out = await tempDir();
      const started = performance.now();
      await extractWheel(bytes, out.path, path.basename(PIP_23));
      times.push(performance.now() - started);
    }
    const metaStarted = performance.now();
    await readWheelMetadata(bytes, path.basename(PIP_23));
    const meta = performance.now() - metaStarted;
    times.sort((a, b) => a - b);
    console.log(
      `extractWheel(pip-23.2.1) warm: min ${times[0]!.toFixed(1)} ms, median ${times[3]!.toFixed(1)} ms, ` +
        `max ${times[6]!.toFixed(1)} ms; readWheelMetadata: ${meta.toFixed(1)} ms`,
    );
  },
});

// --- hostile wheels -------------------------------------------------------------------------------------------------

const WHEEL = "demo-1.0-py3-none-any.whl";
const DIST = "demo-1.0.dist-info";

interface Item {
  readonly name: string;
  readonly data: string | Uint8Array;
  /** The Unix mode zip.js stores in the external attributes. */
  readonly unixMode?: number;
  /** 0 stores the entry uncompressed. */
  readonly level?: number;
}

function bytesOf(data: string | Uint8Array): Uint8Array {
  return typeof data === "string" ? new TextEncoder().encode(data) : data;
}

function baseItems(): Item[] {
  return [
    { name: "demo/__init__.py", data: "print('hello')\n" },
    { name: "demo/cli.py", data: "def main():\n    return 0\n", unixMode: 0o100755 },
    { name: "demo/stored.txt", data: "stored, not deflated\n", level: 0 },
    { name: "demo/odd,name.py", data: "x = 1\n" },
    {
      name: `${DIST}/METADATA`,
      data: "Metadata-Version: 2.1\r\nName: demo\r\nVersion: 1.0\r\nSummary: a folded\r\n  summary\r\n" +
        "Requires-Python: >=3.8\r\n\r\nRequires-Python: <2 (in the body, not a header)\r\n",
    },
    { name: `${DIST}/WHEEL`, data: "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n" },
    {
      name: `${DIST}/entry_points.txt`,
      data: "# comment\n[console_scripts]\ndemo = demo.cli:main [extra]\ndemo-x=demo:App.run\n\n" +
        "[gui_scripts]\ndemo-gui = demo:gui\n",
    },
  ];
}

/** RECORD rows for `items` as a wheel builder writes them, plus RECORD's own row. */
function recordOf(items: readonly Item[]): string {
  const rows = items.map((item) => {
    const bytes = bytesOf(item.data);
    return `${csvField(item.name)},${recordHash(bytes)},${bytes.length}`;
  });
  return [...rows, `${DIST}/RECORD,,`, ""].join("\n");
}

async function zipOf(items: readonly Item[]): Promise<Uint8Array> {
  const writer = new ZipWriter(new Uint8ArrayWriter(), { useWebWorkers: false });
  for (const item of items) {
    await writer.add(item.name, new Uint8ArrayReader(bytesOf(item.data)), {
      ...(item.unixMode === undefined ? {} : { unixMode: item.unixMode }),
      ...(item.level === undefined ? {} : { level: item.level }),
    });
  }
  return await writer.close();
}

/** A wheel holding `items` and a RECORD (by default, the correct one for `items`). */
async function wheelOf(items: readonly Item[], record?: string): Promise<Uint8Array> {
  return await zipOf([...items, { name: `${DIST}/RECORD`, data: record ?? recordOf(items) }]);
}

/** Where `text` first occurs in `bytes` at or after `from`, or -1. */
function indexOfText(bytes: Uint8Array, text: string, from = 0): number {
  const needle = new TextEncoder().encode(text);
  for (let i = from; i + needle.length <= bytes.length; i++) {
    if (needle.every((c, j) => bytes[i + j] === c)) return i;
  }
  return -1;
}

/** Replaces occurrences of `from` by `to` (same length) in a copy of `bytes`: all of them, or the first `limit`. */
function patchName(bytes: Uint8Array, from: string, to: string, limit = Infinity): Uint8Array {
  assert.equal(from.length, to.length);
  const out = bytes.slice();
  let done = 0;
  for (let i = indexOfText(out, from); i >= 0 && done < limit; i = indexOfText(out, from, i + 1)) {
    out.set(new TextEncoder().encode(to), i);
    done++;
  }
  assert.ok(done > 0, `${from} not found`);
  return out;
}

/** Extracts into `parent/target` and asserts the refusal: a MkvenvError naming the wheel, nothing outside target. */
async function assertRefused(bytes: Uint8Array, pattern: RegExp): Promise<MkvenvError> {
  await using parent = await tempDir();
  const target = path.join(parent.path, "target");
  Deno.mkdirSync(target);
  let caught: unknown;
  try {
    await extractWheel(bytes, target, WHEEL);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof MkvenvError, `expected a MkvenvError, got ${caught}`);
  assert.match(caught.message, pattern);
  assert.ok(caught.message.startsWith(`${WHEEL}: `), caught.message);
  for (const p of allPaths(parent.path)) {
    assert.ok(p === target || p.startsWith(target + path.sep), `${p} was written outside the target`);
  }
  return caught;
}

Deno.test("extractWheel() and readWheelMetadata() handle a well-formed built wheel", async () => {
  const items = baseItems();
  const bytes = await wheelOf(items);
  await using out = await tempDir();
  const result = await extractWheel(bytes, out.path, WHEEL);
  assert.equal(result.distInfo, DIST);
  assert.deepEqual(result.files, [...items.map((i) => i.name), `${DIST}/RECORD`].sort());
  for (const item of items) {
    assert.deepEqual(await Deno.readFile(path.join(out.path, ...item.name.split("/"))), bytesOf(item.data));
  }
  if (Deno.build.os !== "windows") {
    assert.equal(Deno.statSync(path.join(out.path, "demo", "cli.py")).mode! & 0o777, 0o755);
    assert.equal(Deno.statSync(path.join(out.path, "demo", "__init__.py")).mode! & 0o777, 0o644);
  }
  assert.deepEqual(await readWheelMetadata(bytes, WHEEL), {
    name: "demo",
    version: "1.0",
    requiresPython: ">=3.8",
    consoleScripts: [{ name: "demo", module: "demo.cli", attr: "main" }, {
      name: "demo-x",
      module: "demo",
      attr: "App.run",
    }],
    distInfo: DIST,
  });
  // Without a file name the messages say "wheel", and the only .dist-info folder is used.
  await using again = await tempDir();
  assert.equal((await extractWheel(bytes, again.path)).distInfo, DIST);
});

Deno.test("extractWheel() refuses a name with a .. segment", async () => {
  const items = [...baseItems(), { name: "../evil.py", data: "evil\n" }];
  const err = await assertRefused(await wheelOf(items), /refusing entry "\.\.\/evil\.py": unsafe name/);
  assert.ok(!err.message.includes("undefined"));
  // Also hidden deeper in the name.
  const deeper = [...baseItems(), { name: "demo/../../evil.py", data: "evil\n" }];
  await assertRefused(await wheelOf(deeper), /refusing entry "demo\/\.\.\/\.\.\/evil\.py"/);
});

Deno.test("extractWheel() refuses absolute names, drive letters and backslashes", async () => {
  await assertRefused(await wheelOf([...baseItems(), { name: "/abs.py", data: "x" }]), /refusing entry "\/abs\.py"/);
  assert.ok(!exists("/abs.py"));
  await assertRefused(await wheelOf([...baseItems(), { name: "C:/x.py", data: "x" }]), /refusing entry "C:\/x\.py"/);
  await assertRefused(
    await wheelOf([...baseItems(), { name: "demo\\x.py", data: "x" }]),
    /refusing entry "demo\\x\.py": backslash in the name/,
  );
  await assertRefused(
    await wheelOf([...baseItems(), { name: "demo/./x.py", data: "x" }]),
    /refusing entry "demo\/\.\/x\.py": empty or "\." segment/,
  );
});

Deno.test("extractWheel() refuses symbolic links", async () => {
  const items = [...baseItems(), { name: "demo/link.py", data: "/etc/passwd", unixMode: 0o120777 }];
  await assertRefused(await wheelOf(items), /refusing entry "demo\/link\.py": symbolic links are not allowed/);
});

Deno.test("extractWheel() refuses duplicate entries and file/folder clashes", async () => {
  const items = [...baseItems(), { name: "demo/dup_a.py", data: "a = 1\n" }, {
    name: "demo/dup_b.py",
    data: "b = 2\n",
  }];
  await assertRefused(
    patchName(await wheelOf(items), "dup_b.py", "dup_a.py"),
    /"demo\/dup_a\.py": the name occurs twice/,
  );
  const clash = [...baseItems(), { name: "demo/pkg", data: "a file\n" }, { name: "demo/pkg/mod.py", data: "x\n" }];
  await assertRefused(await wheelOf(clash), /"demo\/pkg": the name is both a file and a folder/);
});

Deno.test("extractWheel() refuses an entry whose local header names another file", async () => {
  const items = [...baseItems(), { name: "demo/zzz_a.py", data: "a = 1\n" }];
  // The local header comes first in the file, so patching the first occurrence changes only it.
  const bytes = patchName(await wheelOf(items), "zzz_a.py", "zzz_b.py", 1);
  await assertRefused(bytes, /"demo\/zzz_a\.py": its local header names another file/);
});

Deno.test("extractWheel() refuses a file whose content does not match RECORD", async () => {
  const items = baseItems();
  const record = recordOf(items);
  const tampered = items.map((i) => i.name === "demo/__init__.py" ? { ...i, data: "print('HELLO')\n" } : i);
  await assertRefused(await wheelOf(tampered, record), /"demo\/__init__\.py" does not match its RECORD hash/);
  const longer = items.map((i) => i.name === "demo/stored.txt" ? { ...i, data: "stored, not deflated!\n" } : i);
  await assertRefused(await wheelOf(longer, record), /"demo\/stored\.txt" does not match its RECORD size/);
});

Deno.test("extractWheel() refuses files missing from RECORD and RECORD rows missing from the wheel", async () => {
  const items = baseItems();
  const extra = [...items, { name: "demo/sneaky.py", data: "import os\n" }];
  await assertRefused(await wheelOf(extra, recordOf(items)), /"demo\/sneaky\.py" is not listed in its RECORD/);
  const fewer = items.filter((i) => i.name !== "demo/cli.py");
  await assertRefused(
    await wheelOf(fewer, recordOf(items)),
    /"demo\/cli\.py" is listed in its RECORD but missing from the wheel/,
  );
  const unhashed = (recordOf(items)).replace(/^demo\/__init__\.py,[^,]*,/m, "demo/__init__.py,,");
  await assertRefused(await wheelOf(items, unhashed), /"demo\/__init__\.py" has no hash in its RECORD/);
  const md5 = (recordOf(items)).replace(/^demo\/__init__\.py,sha256=/m, "demo/__init__.py,md5=");
  await assertRefused(await wheelOf(items, md5), /unsupported RECORD hash "md5=/);
  await assertRefused(await zipOf(items), /no \*\.dist-info\/RECORD in the wheel/);
  await assertRefused(await wheelOf(items, 'demo/__init__.py,"sha256=x\n'), /RECORD is malformed/);
});

Deno.test("extractWheel() refuses corrupt deflate data; readWheelMetadata() never inflates it", async () => {
  const big = "import this\n".repeat(2000);
  const items = [...baseItems(), { name: "demo/big.py", data: big }];
  const bytes = await wheelOf(items);
  // Corrupt the deflated data of demo/big.py, which follows its local header (the name's first occurrence).
  const at = indexOfText(bytes, "demo/big.py");
  assert.ok(at > 0);
  const corrupt = bytes.slice();
  for (let i = at + 60; i < at + 80; i++) corrupt[i] = corrupt[i]! ^ 0x5a;
  await assertRefused(corrupt, /"demo\/big\.py" (is corrupt|does not match its RECORD)/);
  const meta = await readWheelMetadata(corrupt, WHEEL);
  assert.equal(meta.requiresPython, ">=3.8");

  // A central directory that understates a size (a zip bomb's trick) stops inflation at that size.
  const central = indexOfText(bytes, `${DIST}/METADATA`, indexOfText(bytes, `${DIST}/METADATA`) + 1) - 46;
  const lying = bytes.slice();
  const view = new DataView(lying.buffer);
  assert.equal(view.getUint32(central, true), 0x02014b50);
  view.setUint32(central + 24, 10, true);
  await assert.rejects(
    readWheelMetadata(lying, WHEEL),
    (e) => e instanceof MkvenvError && /METADATA" is corrupt: it inflates to more than the 10 bytes/.test(e.message),
  );
});

Deno.test("readWheelMetadata() picks the .dist-info folder the file name names", async () => {
  const other = "other-2.0.dist-info";
  const items = [
    ...baseItems(),
    { name: `${other}/METADATA`, data: "Name: other\nVersion: 2.0\n" },
    { name: `${other}/RECORD`, data: "" },
  ];
  const bytes = await wheelOf(items);
  assert.equal((await readWheelMetadata(bytes, WHEEL)).distInfo, DIST);
  assert.equal((await readWheelMetadata(bytes, "other-2.0-py3-none-any.whl")).name, "other");
  await assert.rejects(
    readWheelMetadata(bytes, "third-1.0-py3-none-any.whl"),
    (e) => e instanceof MkvenvError && /several \.dist-info folders/.test(e.message),
  );
});

Deno.test("readWheelMetadata() reports broken metadata clearly", async () => {
  const noVersion = await zipOf([{ name: `${DIST}/METADATA`, data: "Name: demo\n" }]);
  await assert.rejects(
    readWheelMetadata(noVersion, WHEEL),
    (e) => e instanceof MkvenvError && e.message === `${WHEEL}: ${DIST}/METADATA has no Version field`,
  );
  const badScript = await zipOf([
    { name: `${DIST}/METADATA`, data: "Name: demo\nVersion: 1.0\n" },
    { name: `${DIST}/entry_points.txt`, data: "[console_scripts]\ndemo = demo.cli\n" },
  ]);
  await assert.rejects(
    readWheelMetadata(badScript, WHEEL),
    (e) => e instanceof MkvenvError && /invalid console script entry point "demo = demo\.cli"/.test(e.message),
  );
  await assert.rejects(
    readWheelMetadata(new TextEncoder().encode("not a zip"), WHEEL),
    (e) => e instanceof MkvenvError && e.message.startsWith(`${WHEEL}: not a readable zip archive`),
  );
  await assert.rejects(
    readWheelMetadata(await wheelOf([...baseItems(), { name: "../evil.py", data: "x" }]), WHEEL),
    (e) => e instanceof MkvenvError && /refusing entry "\.\.\/evil\.py"/.test(e.message),
  );
});

/** Where the local and central headers of `name` start (the local header comes first in the file). */
function headersOf(bytes: Uint8Array, name: string): { local: number; central: number } {
  const local = indexOfText(bytes, name) - 30;
  const central = indexOfText(bytes, name, local + 31) - 46;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  assert.equal(view.getUint32(local, true), 0x04034b50);
  assert.equal(view.getUint32(central, true), 0x02014b50);
  return { local, central };
}

Deno.test("extractWheel() stops an entry that inflates to more than its declared size", async () => {
  const big = "import this\n".repeat(2000);
  const items = [...baseItems(), { name: "demo/big.py", data: big }];
  const lie = 1000;
  // RECORD agrees with the lie (its hash is the true content's), so only the inflation itself can notice.
  const record = (recordOf(items)).replace(`,${big.length}\n`, `,${lie}\n`);
  const bytes = await wheelOf(items, record);
  const { local, central } = headersOf(bytes, "demo/big.py");
  const lying = bytes.slice();
  const view = new DataView(lying.buffer);
  assert.equal(view.getUint16(central + 10, true), 8, "demo/big.py is deflated");
  assert.equal(view.getUint32(central + 24, true), big.length);
  view.setUint32(central + 24, lie, true);
  view.setUint32(local + 22, lie, true);
  await assertRefused(lying, /"demo\/big\.py" is corrupt: it inflates to more than the 1000 bytes the zip directory/);
  // Unpatched, the same wheel fails only on its (deliberately wrong) RECORD size.
  await assertRefused(bytes, /"demo\/big\.py" does not match its RECORD size \(24000 bytes, RECORD says 1000\)/);
});

Deno.test("extractWheel() refuses unsupported compression methods and encrypted entries before writing", async () => {
  const bytes = await wheelOf(baseItems());
  const { local, central } = headersOf(bytes, "demo/cli.py");
  const bzip2 = bytes.slice();
  const view = new DataView(bzip2.buffer);
  view.setUint16(local + 8, 12, true);
  view.setUint16(central + 10, 12, true);
  await using parent = await tempDir();
  await assert.rejects(
    extractWheel(bzip2, parent.path, WHEEL),
    (e) =>
      e instanceof MkvenvError &&
      e.message ===
        `${WHEEL}: refusing entry "demo/cli.py": compression method 12 is not supported (only stored and deflate)`,
  );
  assert.deepEqual(allPaths(parent.path), [], "nothing is written before every entry is checked");
  // readWheelMetadata() inflates only METADATA and entry_points.txt, so the entry does not stop it.
  assert.equal((await readWheelMetadata(bzip2, WHEEL)).name, "demo");

  const encrypted = bytes.slice();
  const ev = new DataView(encrypted.buffer);
  ev.setUint16(local + 6, ev.getUint16(local + 6, true) | 1, true);
  ev.setUint16(central + 8, ev.getUint16(central + 8, true) | 1, true);
  await assertRefused(encrypted, /refusing entry "demo\/cli\.py": encrypted entries are not allowed in wheels/);
});

Deno.test("extractWheel() refuses a file entry marked as a folder", async () => {
  const items = [...baseItems(), { name: "demo/data", data: "", unixMode: 0o040755 }];
  await assertRefused(
    await wheelOf(items),
    /refusing entry "demo\/data": it is marked as a folder but its name does not end with \//,
  );
});

Deno.test("readWheelMetadata() refuses unsafe names and broken archives like extractWheel()", async () => {
  for (const name of ["/abs.py", "demo/../../x.py", "..\\x.py", "\\x.py", "C:x.py"]) {
    await assert.rejects(
      readWheelMetadata(await wheelOf([...baseItems(), { name, data: "x" }]), WHEEL),
      (e) =>
        e instanceof MkvenvError &&
        e.message === `${WHEEL}: refusing entry "${name}": unsafe name (absolute or with ".." segments)`,
    );
  }
  const bytes = await wheelOf(baseItems());
  await assert.rejects(
    readWheelMetadata(bytes.subarray(0, bytes.length - 5), WHEEL),
    (e) => e instanceof MkvenvError && e.message.startsWith(`${WHEEL}: not a readable zip archive: no end of central`),
  );
});
