/**
 * PEP 514 discovery over an in-memory registry (any OS): hives and views, companies and tags mapped to what a spec
 * can check, the order candidates are tried in, HKCU shadowing HKLM, broken entries skipped, non-ASCII names, every
 * key closed; Microsoft Store packages; and the registry joining the discovery pipeline (cache, `--list-pythons`,
 * order before PATH) through an injected registry.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { PyInfoCache } from "../../lib/discovery/cache.ts";
import { fingerprintOf } from "../../lib/discovery/cache.ts";
import { type DiscoveryContext, findPython, listPythons } from "../../lib/discovery/find.ts";
import {
  findWindowsPythons,
  MemoryRegistry,
  orderWindowsPythons,
  readRegisteredPythons,
  type RegistryReader,
  storePythons,
  type WindowsPython,
  windowsPythonMayMatch,
} from "../../lib/discovery/registry/mod.ts";
import type { MemoryKey, MemoryValue } from "../../lib/discovery/registry/reader.ts";
import { parseSpec } from "../../lib/discovery/spec.ts";
import { MkvenvError } from "../../lib/errors.ts";
import { platformFor } from "../../lib/platform.ts";
import type { PythonInfo } from "../../lib/discovery/py_info.ts";
import { DEBIAN_311, PYENV_312 } from "../fixtures/hosts.ts";
import { tempDir } from "../_helpers.ts";

const WIN = platformFor("windows");
const LINUX = platformFor("linux");

/** A tag key: its values, and `InstallPath`'s (`""` is the default value). */
function tag(values: Record<string, MemoryValue>, install?: Record<string, MemoryValue>): MemoryKey {
  return { values, ...(install ? { keys: { InstallPath: { values: install } } } : {}) };
}

/** `Software\Python` holding the given companies. */
function python(companies: Record<string, Record<string, MemoryKey>>): MemoryKey {
  const keys = Object.fromEntries(Object.entries(companies).map(([c, tags]) => [c, { keys: tags }]));
  return { keys: { Software: { keys: { Python: { keys } } } } };
}

/** Reads with every executable existing, collecting debug lines. */
function read(registry: RegistryReader, exists: (file: string) => boolean = () => true) {
  const debug: string[] = [];
  const found = readRegisteredPythons(registry, { exists, debug: (m) => debug.push(m) });
  return { found, debug };
}

function summary(p: WindowsPython): string {
  return `${p.company}/${p.tag} ${p.version?.join(".") ?? "?"} ${p.bits ?? "?"}${p.freeThreaded ? "t" : ""} ` +
    `${p.implementation ?? "?"} ${p.executable}`;
}

Deno.test("PEP 514: companies and tags become versions, pointer sizes and implementations, in discovery order", () => {
  const registry = new MemoryRegistry({
    HKCU: python({
      PythonCore: {
        "3.12": tag({ SysVersion: "3.12", SysArchitecture: "64bit", DisplayName: "Python 3.12 (64-bit)" }, {
          "": "C:\\Users\\me\\AppData\\Local\\Programs\\Python\\Python312\\",
          ExecutablePath: "C:\\Users\\me\\AppData\\Local\\Programs\\Python\\Python312\\python.exe",
          WindowedExecutablePath: "C:\\Users\\me\\AppData\\Local\\Programs\\Python\\Python312\\pythonw.exe",
        }),
        "3.13t": tag({ SysVersion: "3.13", SysArchitecture: "64bit" }, {
          "": "C:\\Python313",
          ExecutablePath: "C:\\Python313\\python3.13t.exe",
        }),
      },
      Astral: {
        "CPython3.14.0": tag({ SysVersion: "3.14", SysArchitecture: "64bit", Version: "3.14.0" }, {
          "": "C:\\uv\\cpython-3.14.0-windows-x86_64-none",
          ExecutablePath: "C:\\uv\\cpython-3.14.0-windows-x86_64-none\\python.exe",
        }),
      },
      ExampleCorp: { examplepy: tag({ DisplayName: "Example Py" }, { "": "C:\\Example" }) },
      PyLauncher: { "3.12": tag({}, { "": "C:\\NotAPython" }) },
    }),
    HKLM64: python({
      PythonCore: {
        "3.13": tag({ SysVersion: "3.13", SysArchitecture: "64bit" }, { "": "C:\\Python313" }),
        "3.11-arm64": tag({ SysVersion: "3.11" }, { "": "C:\\Python311-arm64" }),
      },
      ContinuumAnalytics: {
        "Anaconda311-64": tag({ SysVersion: "3.11", SysArchitecture: "64bit" }, {
          "": "C:\\ProgramData\\Anaconda3",
          ExecutablePath: "C:\\ProgramData\\Anaconda3\\python.exe",
        }),
      },
      PyPy: {
        "3.10": tag({ SysVersion: "3.10", Version: "7.3.17" }, {
          "": "C:\\pypy",
          ExecutablePath: "C:\\pypy\\pypy3.exe",
        }),
      },
    }),
    HKLM32: python({
      PythonCore: { "3.12-32": tag({ SysVersion: "3.12", SysArchitecture: "32bit" }, { "": "C:\\Python312-32" }) },
    }),
  });
  const { found, debug } = read(registry);
  assert.deepEqual(found.map(summary), [
    "Astral/CPython3.14.0 3.14 64 cpython C:\\uv\\cpython-3.14.0-windows-x86_64-none\\python.exe",
    "PythonCore/3.13 3.13 64 cpython C:\\Python313\\python.exe",
    "PythonCore/3.13t 3.13 64t cpython C:\\Python313\\python3.13t.exe",
    "PythonCore/3.12 3.12 64 cpython C:\\Users\\me\\AppData\\Local\\Programs\\Python\\Python312\\python.exe",
    "PythonCore/3.12-32 3.12 32 cpython C:\\Python312-32\\python.exe",
    "PythonCore/3.11-arm64 3.11 64 cpython C:\\Python311-arm64\\python.exe",
    "ContinuumAnalytics/Anaconda311-64 3.11 64 cpython C:\\ProgramData\\Anaconda3\\python.exe",
    "PyPy/3.10 3.10 64 pypy C:\\pypy\\pypy3.exe",
    "ExampleCorp/examplepy ? ? ? C:\\Example\\python.exe",
  ]);
  assert.deepEqual(debug, []);
  const core312 = found.find((p) => p.tag === "3.12")!;
  assert.equal(core312.location, "HKCU\\Software\\Python\\PythonCore\\3.12");
  assert.equal(core312.windowedExecutable, "C:\\Users\\me\\AppData\\Local\\Programs\\Python\\Python312\\pythonw.exe");
  assert.equal(core312.displayName, "Python 3.12 (64-bit)");
  assert.equal(
    found.find((p) => p.tag === "3.12-32")!.location,
    "HKLM\\Software\\Python\\PythonCore\\3.12-32 (32-bit view)",
  );
  assert.equal(found.find((p) => p.tag === "3.11-arm64")!.machine, "arm64");
  assert.equal(found.find((p) => p.company === "PyPy")!.packageVersion, "7.3.17");
  assert.equal(registry.openHandles, 0, "every key is closed");
});

Deno.test("PEP 514: tags alone give PythonCore's version, bits and free-threading; DisplayName can say free-threaded", () => {
  const registry = new MemoryRegistry({
    HKCU: python({
      PythonCore: {
        "3.13t-32": tag({}, { "": "C:\\a" }),
        "3.9": tag({}, { "": "C:\\b" }),
        "2.7": tag({}, { "": "C:\\c" }),
      },
      SomeDistro: {
        "3.14": tag({ DisplayName: "Some Python 3.14 (64-bit, freethreaded)" }, { "": "C:\\d" }),
        "py-three": tag({}, { "": "C:\\e" }),
      },
    }),
  });
  const byTag = new Map(read(registry).found.map((p) => [p.tag, p]));
  assert.deepEqual(
    [...byTag.values()].map((p) => [p.tag, p.version, p.bits, p.freeThreaded, p.implementation]),
    [
      ["3.14", [3, 14], undefined, true, undefined],
      ["3.13t-32", [3, 13], 32, true, "cpython"],
      ["3.9", [3, 9], 64, false, "cpython"],
      ["2.7", [2, 7], undefined, false, "cpython"], // before 3.5 the tag does not tell the pointer size
      ["py-three", undefined, undefined, undefined, undefined], // other companies' tags are opaque
    ],
  );
});

Deno.test("PEP 514: HKCU shadows the same HKLM company and tag; the HKLM views never shadow each other", () => {
  const hklm = python({
    PythonCore: {
      "3.12": tag({ SysVersion: "3.12", SysArchitecture: "64bit" }, { "": "C:\\Program Files\\Python312" }),
      "3.4": tag({}, { "": "C:\\Python34" }),
    },
  });
  const registry = new MemoryRegistry({
    HKCU: python({
      pythoncore: { "3.12": tag({ SysVersion: "3.12", SysArchitecture: "64bit" }, { "": "C:\\Users\\me\\Py312" }) },
    }),
    HKLM64: hklm,
    HKLM32: python({ PythonCore: { "3.4": tag({}, { "": "C:\\Python34-32" }) } }),
  });
  assert.deepEqual(read(registry).found.map((p) => `${p.location} ${p.executable}`), [
    "HKCU\\Software\\Python\\pythoncore\\3.12 C:\\Users\\me\\Py312\\python.exe",
    "HKLM\\Software\\Python\\PythonCore\\3.4 (64-bit view) C:\\Python34\\python.exe",
    "HKLM\\Software\\Python\\PythonCore\\3.4 (32-bit view) C:\\Python34-32\\python.exe",
  ]);
  // A per-user registration whose interpreter is gone hides nothing.
  const { found, debug } = read(registry, (file) => !file.startsWith("C:\\Users"));
  assert.equal(found[0]!.executable, "C:\\Program Files\\Python312\\python.exe");
  assert.deepEqual(debug, [
    "HKCU\\Software\\Python\\pythoncore\\3.12: C:\\Users\\me\\Py312\\python.exe does not exist",
  ]);
});

Deno.test("PEP 514: one executable registered in several places is proposed once, where it ranks best", () => {
  const same = tag({ SysVersion: "3.12", SysArchitecture: "64bit" }, { "": "C:\\Python312" });
  const registry = new MemoryRegistry({
    HKLM64: python({ PythonCore: { "3.12": same } }),
    // 32-bit Windows has one view: both flags open the same key.
    HKLM32: python({ PythonCore: { "3.12": same }, Mirror: { "3.12": same } }),
  });
  const { found } = read(registry);
  assert.deepEqual(found.map((p) => p.location), ["HKLM\\Software\\Python\\PythonCore\\3.12 (64-bit view)"]);
});

Deno.test("PEP 514: missing, partial and wrongly typed entries are skipped with a debug line, never fatal", () => {
  const registry = new MemoryRegistry({
    HKCU: python({
      PythonCore: {
        "3.10": tag({ SysVersion: "3.10" }), // no InstallPath key
        "3.9": tag({}, { ExecutableArguments: "-E" }), // InstallPath without a path
        "3.8": tag({}, { "": 38, ExecutablePath: { binary: new Uint8Array([1, 2]) } }), // REG_DWORD, REG_BINARY
        "3.7": tag({ SysVersion: 307, SysArchitecture: "sixty-four" }, { "": "C:\\Python37" }), // falls back
        "3.6": tag({ SysVersion: "three" }, { "": "C:\\Python36", ExecutablePath: "bin\\python.exe" }),
        "3.5": tag({}, { "": "relative\\dir" }),
        "3.14": tag({}, { "": "C:\\Missing" }),
      },
      Empty: {},
    }),
    HKLM64: { keys: { Software: {} } }, // no Python key at all
  });
  const { found, debug } = read(registry, (file) => !file.startsWith("C:\\Missing"));
  assert.deepEqual(found.map((p) => [p.tag, p.version, p.bits, p.executable]), [
    ["3.7", [3, 7], 64, "C:\\Python37\\python.exe"],
    ["3.6", [3, 6], 64, "C:\\Python36\\bin\\python.exe"],
  ]);
  const where = "PEP 514 violation in the Windows registry at HKCU\\Software\\Python\\PythonCore";
  assert.deepEqual(debug.sort(), [
    "HKCU\\Software\\Python\\PythonCore\\3.14: C:\\Missing\\python.exe does not exist",
    `${where}\\3.10: no InstallPath key`,
    `${where}\\3.5: InstallPath "relative\\dir" is not an absolute path`,
    `${where}\\3.6: SysVersion "three" is not x.y or x.y.z`,
    `${where}\\3.7: SysArchitecture "sixty-four" is not 32bit or 64bit`,
    `${where}\\3.7: SysVersion is not a string value`,
    `${where}\\3.8: (Default) is not a string value`,
    `${where}\\3.8: InstallPath has no default value nor ExecutablePath`,
    `${where}\\3.9: InstallPath has no default value nor ExecutablePath`,
  ]);
  assert.equal(registry.openHandles, 0);
});

Deno.test("PEP 514: a registry that fails mid-way loses only what it could not read, and closes every key", () => {
  const memory = new MemoryRegistry({
    HKCU: python({
      Broken: { "1.0": tag({}, { "": "C:\\Broken" }) },
      PythonCore: { "3.12": tag({}, { "": "C:\\Python312" }) },
    }),
    HKLM64: python({ PythonCore: { "3.11": tag({}, { "": "C:\\Python311" }) } }),
  });
  const failing: RegistryReader<unknown> = {
    openKey(hive, keyPath, view) {
      if (hive === "HKLM" && view === "32") throw new Error("access denied");
      return memory.openKey(hive, keyPath, view);
    },
    subkeys: (key) => memory.subkeys(key as never),
    value(key, name) {
      if (name === "ExecutablePath") throw new Error("the value went away");
      return memory.value(key as never, name);
    },
    close: (key) => memory.close(key as never),
  };
  const debug: string[] = [];
  const found = readRegisteredPythons(failing, { debug: (m) => debug.push(m) });
  assert.deepEqual(found, []);
  assert.deepEqual(debug, [
    "cannot read HKCU\\Software\\Python\\Broken\\1.0: the value went away",
    "cannot read HKCU\\Software\\Python\\PythonCore\\3.12: the value went away",
    "cannot read HKLM\\Software\\Python\\PythonCore\\3.11 (64-bit view): the value went away",
    "cannot read HKLM\\Software\\Python (32-bit view): access denied",
  ]);
  assert.equal(memory.openHandles, 0);
});

Deno.test("PEP 514: non-ASCII companies, tags and paths; REG_EXPAND_SZ values are expanded", () => {
  const registry = new MemoryRegistry({
    HKCU: python({
      "Ünïcode": {
        "中3.12": tag({ SysVersion: "3.12", DisplayName: "Pythön 3.12 😀" }, {
          "": { expand: "%LOCALAPPDATA%\\Пайтон" },
        }),
      },
    }),
  }, (name) => (name === "LOCALAPPDATA" ? "C:\\Users\\Zoë\\AppData\\Local" : undefined));
  const [found] = read(registry).found;
  assert.equal(found?.company, "Ünïcode");
  assert.equal(found?.tag, "中3.12");
  assert.equal(found?.displayName, "Pythön 3.12 😀");
  assert.equal(found?.executable, "C:\\Users\\Zoë\\AppData\\Local\\Пайтон\\python.exe");
  assert.equal(found?.location, "HKCU\\Software\\Python\\Ünïcode\\中3.12");
});

Deno.test("PEP 514: what a registration states rules candidates out before any interrogation", () => {
  const entry = (over: Partial<WindowsPython>): WindowsPython => ({
    source: "registry",
    company: "PythonCore",
    tag: "3.12",
    location: "HKCU\\x",
    executable: "C:\\x\\python.exe",
    implementation: "cpython",
    version: [3, 12],
    bits: 64,
    freeThreaded: false,
    ...over,
  });
  const may = (spec: string, over: Partial<WindowsPython> = {}) =>
    windowsPythonMayMatch(entry(over), parseSpec(spec, WIN));
  assert.equal(may("3.12"), true);
  assert.equal(may("3.12.4"), true); // the registry gives no micro: interrogate
  assert.equal(may("3.11"), false);
  assert.equal(may("3"), true);
  assert.equal(may("python"), true);
  assert.equal(may(">=3.11"), true);
  assert.equal(may(">=3.13"), false);
  assert.equal(may("cpython3.12-64"), true);
  assert.equal(may("3.12-32"), false);
  assert.equal(may("3.12-32", { bits: 32 }), true);
  assert.equal(may("3.13t", { version: [3, 13] }), false);
  assert.equal(may("3.13t", { version: [3, 13], freeThreaded: true }), true);
  assert.equal(may("3.13", { version: [3, 13], freeThreaded: true }), false);
  assert.equal(may("pypy3.12"), false);
  assert.equal(may("pypy3.12", { implementation: undefined }), true); // an unknown company is interrogated
  assert.equal(may("3.12", { version: undefined }), true);
  assert.equal(may("3.11-arm64", { version: [3, 11], machine: "arm64" }), true);
  assert.equal(may("3.11-x86_64", { version: [3, 11], machine: "arm64" }), false);
});

Deno.test("Store: PythonSoftwareFoundation packages with a python.exe alias, newest first, Store before side-loaded", async () => {
  await using tmp = await tempDir();
  const apps = path.join(tmp.path, "Microsoft", "WindowsApps");
  for (
    const family of [
      "PythonSoftwareFoundation.Python.3.11_hd69rhyc2wevp",
      "PythonSoftwareFoundation.Python.3.11_qbz5n2kfra8p0",
      "PythonSoftwareFoundation.Python.3.13_qbz5n2kfra8p0",
      "PythonSoftwareFoundation.Python.3.12_qbz5n2kfra8p0",
      "Microsoft.DesktopAppInstaller_8wekyb3d8bbwe",
    ]
  ) {
    await Deno.mkdir(path.join(apps, family), { recursive: true });
    if (!family.includes("3.12")) await Deno.writeTextFile(path.join(apps, family, "python.exe"), "");
  }
  await Deno.writeTextFile(path.join(apps, "python3.13.exe"), ""); // the global alias: not what is listed
  const found = storePythons(tmp.path, LINUX.path, "x86_64");
  assert.deepEqual(found.map((p) => [p.tag, p.executable.slice(apps.length + 1), p.source, p.machine]), [
    ["3.13", "PythonSoftwareFoundation.Python.3.13_qbz5n2kfra8p0/python.exe", "ms-store", "x86_64"],
    ["3.11", "PythonSoftwareFoundation.Python.3.11_qbz5n2kfra8p0/python.exe", "ms-store", "x86_64"],
    ["3.11", "PythonSoftwareFoundation.Python.3.11_hd69rhyc2wevp/python.exe", "ms-store", "x86_64"],
  ]);
  assert.equal(storePythons(tmp.path, LINUX.path, "aarch64")[0]!.tag, "3.13-arm64");
  assert.deepEqual(storePythons(path.join(tmp.path, "nowhere"), LINUX.path, "x86_64"), []);
  // A Store 3.13 ranks after a registered 3.13 of the same pointer size, and before an older registration.
  const registered = (version: number[]): WindowsPython => ({
    source: "registry",
    company: "PythonCore",
    tag: version.join("."),
    location: "HKCU",
    hive: "HKCU",
    executable: `C:\\Python${version.join("")}\\python.exe`,
    version,
    bits: 64,
  });
  assert.deepEqual(
    orderWindowsPythons([registered([3, 12]), ...found, registered([3, 13])]).map((p) => `${p.source} ${p.tag}`),
    ["registry 3.13", "ms-store 3.13", "registry 3.12", "ms-store 3.11", "ms-store 3.11"],
  );
});

Deno.test("findWindowsPythons: nothing to read on this OS unless a registry is given", async () => {
  assert.deepEqual(await findWindowsPythons({ platform: LINUX }), []);
  const registry = new MemoryRegistry({
    HKCU: python({ PythonCore: { "3.12": tag({}, { "": "/opt/py312", ExecutablePath: "/opt/py312/bin/python3" }) } }),
  });
  const found = await findWindowsPythons({ platform: LINUX, registry, exists: () => true });
  assert.deepEqual(found.map((p) => p.executable), ["/opt/py312/bin/python3"]);
  assert.deepEqual(await findWindowsPythons({ platform: WIN, registry: null, env: () => undefined }), []);
});

/** Fake interpreters: files whose interrogation answers are already in the cache. */
async function cachedPythons(dir: string, files: Record<string, PythonInfo>): Promise<PyInfoCache> {
  const cache = new PyInfoCache(path.join(dir, "cache"), { scriptSha256: "test" });
  for (const [file, info] of Object.entries(files)) {
    await Deno.mkdir(path.dirname(file), { recursive: true });
    await Deno.writeTextFile(file, "#!/bin/sh\nexit 1\n", { mode: 0o755 });
    cache.set(file, fingerprintOf(file)!, { ok: true, info: { ...info, systemExecutable: file, executable: file } });
  }
  return cache;
}

Deno.test("discovery: registry entries join the pipeline before PATH, with the cache and --list-pythons", async () => {
  await using tmp = await tempDir();
  const bin = path.join(tmp.path, "bin");
  const onPath311 = path.join(bin, "python3.11");
  const onPath312 = path.join(bin, "python3.12");
  const reg312 = path.join(tmp.path, "Python312", "python3");
  const reg311 = path.join(tmp.path, "Python311", "python3");
  const cache = await cachedPythons(tmp.path, {
    [onPath311]: DEBIAN_311,
    [onPath312]: PYENV_312,
    [reg312]: PYENV_312,
    [reg311]: DEBIAN_311,
  });
  const registry = new MemoryRegistry({
    HKCU: python({
      PythonCore: {
        "3.12": tag({ SysVersion: "3.12", SysArchitecture: "64bit" }, {
          "": path.dirname(reg312),
          ExecutablePath: reg312,
        }),
        "3.10": tag({ SysVersion: "3.10" }, { "": path.join(tmp.path, "gone"), ExecutablePath: "/gone/python" }),
      },
      Other: { "x": tag({}, { "": path.dirname(reg311), ExecutablePath: reg311 }) },
    }),
  });
  const debug: string[] = [];
  const ctx: DiscoveryContext = {
    env: (name) => (name === "PATH" ? bin : undefined),
    cwd: tmp.path,
    platform: LINUX,
    tryFirstWith: [],
    cache,
    windowsRegistry: registry,
    debug: (m) => debug.push(m),
  };
  const found = await findPython(["3.12"], ctx);
  assert.deepEqual([found.path, found.source], [reg312, "registry"]);
  // An unknown company's entry is interrogated (here: answered from the cache) for any implementation.
  const cp311 = await findPython(["cpython3.11"], ctx);
  assert.deepEqual([cp311.path, cp311.source], [reg311, "registry"]);
  const listed = await listPythons(["3"], ctx);
  assert.deepEqual(listed.map((p) => [p.path, p.source, p.selected]), [
    [reg312, "registry", true],
    [reg311, "registry", false],
    [onPath312, "PATH", false],
    [onPath311, "PATH", false],
  ]);
  assert.ok(debug.some((m) => m.includes("/gone/python does not exist")), debug.join("\n"));
  assert.equal(registry.openHandles, 0);
  await assert.rejects(findPython(["3.9"], ctx), (e: unknown) => {
    assert.ok(e instanceof MkvenvError);
    assert.match(e.message, /in the Windows registry, on PATH/);
    return true;
  });
  // Without a registry the same search finds PATH's.
  const plain = await findPython(["3.12"], { ...ctx, windowsRegistry: undefined });
  assert.deepEqual([plain.path, plain.source], [onPath312, "PATH"]);
});
