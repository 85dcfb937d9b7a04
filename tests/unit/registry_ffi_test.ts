/**
 * The advapi32 FFI layer (`lib/discovery/registry/advapi32.ts`) against a fake `advapi32` built from
 * `tests/fixtures/fake_advapi32.c` with gcc: UTF-16 marshalling (non-ASCII and non-BMP names), buffers grown on
 * ERROR_MORE_DATA, REG_SZ / REG_EXPAND_SZ / REG_DWORD / other types, missing keys and values, the WOW64 views, and
 * every handle closed. The fake uses Linux's calling convention (Deno.dlopen uses the platform's); the Windows one is
 * exercised by the Wine suite.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { Advapi32Registry, fromWide, toWide } from "../../lib/discovery/registry/advapi32.ts";
import { findWindowsPythons, readRegisteredPythons } from "../../lib/discovery/registry/mod.ts";
import { platformFor } from "../../lib/platform.ts";
import { CONFIG, ROOT, skipIf, tempDir } from "../_helpers.ts";

const SOURCE = path.join(ROOT, "tests", "fixtures", "fake_advapi32.c");

const GCC = await new Deno.Command("gcc", { args: ["--version"], stdout: "null", stderr: "null" }).output()
  .then((o) => o.success, () => false);
const WHY = "gcc is not installed: the fake advapi32 cannot be built";

const CONTROL = {
  FakeReg_Load: { parameters: ["buffer"], result: "i32" },
  FakeReg_OpenHandles: { parameters: [], result: "i64" },
  FakeReg_MoreData: { parameters: [], result: "i64" },
} as const satisfies Deno.ForeignLibraryInterface;

/** The fake library built into `dir`, loaded with `tree` (lines of tab-separated fields, see the C file). */
async function fakeAdvapi32(dir: string, tree: string[][]) {
  const library = path.join(dir, "libfake_advapi32.so");
  const gcc = await new Deno.Command("gcc", { args: ["-shared", "-fPIC", "-o", library, SOURCE], stderr: "piped" })
    .output();
  assert.ok(gcc.success, new TextDecoder().decode(gcc.stderr));
  const treeFile = path.join(dir, "tree.txt");
  await Deno.writeTextFile(treeFile, tree.map((fields) => fields.join("\t")).join("\n") + "\n");
  const control = Deno.dlopen(library, CONTROL);
  assert.equal(control.symbols.FakeReg_Load(new TextEncoder().encode(treeFile + "\0")), 0);
  return {
    library,
    openHandles: () => Number(control.symbols.FakeReg_OpenHandles()),
    moreData: () => Number(control.symbols.FakeReg_MoreData()),
    [Symbol.dispose]: () => control.close(),
  };
}

const CORE = "Software\\Python\\PythonCore";

Deno.test("toWide/fromWide keep UTF-16 code units exactly, NUL-terminated", () => {
  const text = "Ünïcode 中 😀";
  const wide = toWide(text);
  assert.equal(wide.length, text.length + 1);
  assert.equal(wide[wide.length - 1], 0);
  assert.equal(fromWide(wide), text);
  assert.equal(fromWide(wide, 3), "Ünï");
  assert.equal(fromWide(new Uint16Array([0x61, 0, 0x62])), "a");
  assert.equal(fromWide(new Uint16Array([0xd800, 0x61]), 2), "\ud800a"); // a lone surrogate survives
});

Deno.test({
  name: "advapi32 FFI: keys, value types, missing keys and values, WOW64 views; every handle closed",
  ignore: skipIf(!GCC, WHY),
  async fn() {
    await using tmp = await tempDir();
    using fake = await fakeAdvapi32(tmp.path, [
      ["S", `HKCU\\${CORE}\\3.12`, "SysVersion", "3.12"],
      ["D", `HKCU\\${CORE}\\3.12`, "Count", "4000000000"],
      ["B", `HKCU\\${CORE}\\3.12`, "Blob", "0102ff"],
      ["E", `HKCU\\${CORE}\\3.12`, "Home", "%LOCALAPPDATA%\\Programs\\%UNSET%"],
      ["N", `HKCU\\${CORE}\\3.12`, "NoNul", "abc"],
      ["S", `HKCU\\${CORE}\\3.12\\InstallPath`, "@", "C:\\Python312\\"],
      ["S", `HKCU\\${CORE}\\3.12\\InstallPath`, "ExecutablePath", "C:\\Python312\\python.exe"],
      ["K", `HKCU\\${CORE}\\3.11`],
      ["K", `HKLM\\${CORE}\\3.13`],
      ["K", `HKLM32\\${CORE}\\3.13-32`],
    ]);
    {
      using registry = Advapi32Registry.open(fake.library, {
        env: (name) => (name === "LOCALAPPDATA" ? "C:\\Users\\me\\AppData\\Local" : undefined),
      });
      assert.equal(registry.openKey("HKCU", "Software\\Nope", "default"), undefined);
      assert.equal(registry.openKey("HKLM", `${CORE}\\3.12`, "64"), undefined);
      const core = registry.openKey("HKCU", "software\\python\\pythoncore", "default")!; // case-insensitive
      assert.deepEqual(registry.subkeys(core), ["3.12", "3.11"]);
      registry.close(core);
      registry.close(core); // a second close does nothing
      assert.throws(() => registry.subkeys(core), /used after close/);

      const key = registry.openKey("HKCU", `${CORE}\\3.12`, "default")!;
      assert.equal(registry.value(key, "SysVersion"), "3.12");
      assert.equal(registry.value(key, "sysversion"), "3.12");
      assert.equal(registry.value(key, "Count"), 4000000000);
      assert.equal(registry.value(key, "Blob"), undefined);
      assert.equal(registry.value(key, "Home"), "C:\\Users\\me\\AppData\\Local\\Programs\\%UNSET%");
      assert.equal(registry.value(key, "NoNul"), "abc");
      assert.equal(registry.value(key, "Missing"), undefined);
      assert.equal(registry.value(key, ""), undefined); // no default value
      assert.deepEqual(registry.subkeys(key), ["InstallPath"]);
      registry.close(key);
      const install = registry.openKey("HKCU", `${CORE}\\3.12\\InstallPath`, "default")!;
      assert.equal(registry.value(install, ""), "C:\\Python312\\");
      assert.equal(registry.value(install, "ExecutablePath"), "C:\\Python312\\python.exe");
      registry.close(install);

      for (const [view, tags] of [["64", ["3.13"]], ["default", ["3.13"]], ["32", ["3.13-32"]]] as const) {
        const machine = registry.openKey("HKLM", CORE, view)!;
        assert.deepEqual(registry.subkeys(machine), tags, `view ${view}`);
        registry.close(machine);
      }
      assert.equal(fake.openHandles(), 0);
    }
  },
});

Deno.test({
  name: "advapi32 FFI: non-ASCII names and long values (ERROR_MORE_DATA) through PEP 514 discovery",
  ignore: skipIf(!GCC, WHY),
  async fn() {
    await using tmp = await tempDir();
    const longDir = `C:\\${"长".repeat(300)}\\${"d".repeat(700)}`; // 1,000+ code units: past the first buffer
    const longTag = `3.12-${"x".repeat(300)}`; // longer than a real key name may be: the name buffer grows too
    using fake = await fakeAdvapi32(tmp.path, [
      ["S", "HKCU\\Software\\Python\\Ünïcode\\中3.12", "SysVersion", "3.12"],
      ["S", "HKCU\\Software\\Python\\Ünïcode\\中3.12", "DisplayName", "Pythön 3.12 😀"],
      ["S", "HKCU\\Software\\Python\\Ünïcode\\中3.12\\InstallPath", "@", "C:\\Пайтон"],
      ["S", `HKLM\\${CORE}\\3.11`, "SysVersion", "3.11"],
      ["S", `HKLM\\${CORE}\\3.11\\InstallPath`, "@", longDir],
      ["D", `HKLM\\${CORE}\\3.10`, "SysVersion", "310"],
      ["S", `HKLM\\${CORE}\\3.10\\InstallPath`, "@", "C:\\Python310"],
      ["K", `HKLM\\${CORE}\\3.9`], // no InstallPath
      ["S", `HKLM32\\${CORE}\\${longTag}\\InstallPath`, "@", "C:\\Python312-32"],
      ["S", "HKLM32\\Software\\Python\\PyLauncher\\3.12\\InstallPath", "@", "C:\\nope"],
    ]);
    const debug: string[] = [];
    {
      using registry = Advapi32Registry.open(fake.library);
      const found = readRegisteredPythons(registry, { exists: () => true, debug: (m) => debug.push(m) });
      assert.deepEqual(found.map((p) => [p.company, p.tag, p.executable, p.bits]), [
        ["Ünïcode", "中3.12", "C:\\Пайтон\\python.exe", undefined],
        ["PythonCore", "3.11", `${longDir}\\python.exe`, 64],
        ["PythonCore", "3.10", "C:\\Python310\\python.exe", 64],
        ["PythonCore", longTag, "C:\\Python312-32\\python.exe", 32], // a tag of no known form: version unknown
      ]);
      assert.equal(found[0]!.displayName, "Pythön 3.12 😀");
      assert.deepEqual(found[2]!.version, [3, 10]); // the REG_DWORD SysVersion is ignored: the tag tells
    }
    assert.ok(fake.moreData() >= 2, `ERROR_MORE_DATA replies: ${fake.moreData()}`);
    assert.deepEqual(debug, [
      `PEP 514 violation in the Windows registry at HKLM\\${CORE}\\3.10 (64-bit view): SysVersion is not a string value`,
      `PEP 514 violation in the Windows registry at HKLM\\${CORE}\\3.9 (64-bit view): no InstallPath key`,
    ]);
    assert.equal(fake.openHandles(), 0, "every key opened was closed");
  },
});

Deno.test({
  name: "advapi32 FFI: findWindowsPythons loads a given library; without --allow-ffi it skips the registry",
  ignore: skipIf(!GCC, WHY),
  async fn() {
    await using tmp = await tempDir();
    using fake = await fakeAdvapi32(tmp.path, [
      ["S", `HKCU\\${CORE}\\3.12\\InstallPath`, "ExecutablePath", "/opt/python3.12/bin/python3"],
    ]);
    const found = await findWindowsPythons({
      libraryPath: fake.library,
      platform: platformFor("linux"),
      exists: () => true,
    });
    assert.deepEqual(found.map((p) => p.executable), ["/opt/python3.12/bin/python3"]);
    assert.equal(fake.openHandles(), 0);

    const script = path.join(tmp.path, "no_ffi.ts");
    const mod = path.join(ROOT, "lib", "discovery", "registry", "mod.ts");
    await Deno.writeTextFile(
      script,
      `import { findWindowsPythons } from ${JSON.stringify(new URL(`file://${mod}`).href)};\n` +
        `const found = await findWindowsPythons({ libraryPath: ${
          JSON.stringify(fake.library)
        }, debug: console.log });\n` +
        `console.log(JSON.stringify(found));\n`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", "--allow-read", "--config", CONFIG, script],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.equal(
      stdout,
      `Windows registry (PEP 514) not read: no FFI permission for ${fake.library} (run with --allow-ffi)\n[]\n`,
    );
  },
});
