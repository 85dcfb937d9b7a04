/**
 * PEP 514 discovery for real: the registry is read through Deno FFI to Wine's advapi32.dll, from keys `reg import`
 * wrote (HKCU, HKLM's 64-bit view and its 32-bit WOW6432Node view; several companies, a non-ASCII company and tag;
 * broken keys), and every interpreter found is interrogated (the stand-ins of `_standin.ts`).
 */
import assert from "node:assert/strict";
import { win32 } from "../../lib/path.ts";
import { registeredWorld, UNICODE_COMPANY, UNICODE_TAG, worldSkipReason } from "./_world.ts";
import { cli, skipFor, tempDir } from "./_setup.ts";

const SKIP = skipFor(worldSkipReason());

interface Listed {
  selected: boolean;
  spec: string;
  implementation: string;
  version: string;
  path: string;
  systemExecutable: string;
  source: string;
}

Deno.test({
  name: "windows: PEP 514 registrations",
  ignore: SKIP,
  async fn(t) {
    await using tmp = await tempDir();
    await using world = await registeredWorld(win32.join(tmp.path, "pythons"));
    const appData = ["--app-data", win32.join(tmp.path, "app data")];
    const list = async (...args: string[]): Promise<Listed[]> => {
      const r = await cli(["--list-pythons", "--json", ...appData, ...args]);
      assert.equal(r.code, 0, r.stderr);
      return (JSON.parse(r.stdout) as { pythons: Listed[] }).pythons;
    };

    await t.step(
      "--list-pythons --json: newest first, 64-bit before 32-bit, PythonCore first; broken ones skipped",
      async () => {
        const pythons = await list();
        const { py313, py312, unicode, py311x86, py310 } = world;
        assert.deepEqual(pythons.map((p) => p.path), [py313, py312, unicode, py311x86, py310].map((i) => i.python));
        assert.deepEqual(pythons.map((p) => p.spec), [
          "CPython3.13.1.final.0-64-x86_64",
          "CPython3.12.7.final.0-64-x86_64",
          "CPython3.12.7.final.0-64-x86_64",
          "CPython3.11.9.final.0-32-x86",
          "CPython3.10.11.final.0-64-x86_64",
        ]);
        assert.ok(pythons.every((p) => p.source === "registry"), JSON.stringify(pythons));
        assert.ok(pythons.every((p) => p.systemExecutable === p.path));
        // What is never listed: HKLM's 3.12 (HKCU's same-size 3.12 shadows it), the py launcher's key, the python.exe
        // that is no Python, and the registrations of a deleted install.
        const paths = new Set(pythons.map((p) => p.path.toLowerCase()));
        for (
          const hidden of [
            world.py312Machine.python,
            world.launcherDecoy.python,
            world.notPython.python,
            ...world.bogus,
          ]
        ) {
          assert.ok(!paths.has(hidden.toLowerCase()), `${hidden} is not listed`);
        }
      },
    );

    await t.step("the non-ASCII company, tag and folder come through FFI intact", async () => {
      const pythons = await list("-p", "3.12");
      assert.deepEqual(pythons.map((p) => [p.path, p.selected]), [
        [world.py312.python, true],
        [world.unicode.python, false],
      ]);
      assert.match(world.unicode.python, /Pythön Ünïcode 3\.12 ß/);
    });

    await t.step("-p chooses among them by version, pointer size and REG_EXPAND_SZ paths", async () => {
      const selected = async (spec: string) => (await list("-p", spec)).find((p) => p.selected)?.path;
      assert.equal(await selected("3.12"), world.py312.python);
      assert.equal(await selected("3.13"), world.py313.python);
      assert.equal(await selected("3.11-32"), world.py311x86.python);
      assert.equal(await selected("cpython3.11"), world.py311x86.python);
      assert.equal(await selected("3.10"), world.py310.python, "ExecutablePath %VAR% expanded");
      assert.equal(await selected("3.11-64"), undefined);
    });

    await t.step("-vv says why each broken registration was skipped; none of them is fatal", async () => {
      const r = await cli(["--list-pythons", "-vv", ...appData]);
      assert.equal(r.code, 0, r.stderr);
      for (const key of ["PythonCore\\3.9", "PythonCore\\3.8", "PythonCore\\3.7"]) {
        assert.ok(r.stderr.includes(key), `debug output names ${key}:\n${r.stderr}`);
      }
      assert.ok(!r.stderr.includes(UNICODE_COMPANY), `${UNICODE_COMPANY}\\${UNICODE_TAG} is not reported as broken`);
      assert.doesNotMatch(r.stderr, /^error:/m);
    });

    await t.step("with no python.exe on PATH, the default spec finds the newest registered interpreter", async () => {
      const r = await cli(["--list-pythons", ...appData]);
      assert.equal(r.code, 0, r.stderr);
      const selected = r.stdout.split("\n").find((l) => l.startsWith("*"));
      assert.ok(selected?.includes(world.py313.python), r.stdout);
      assert.ok(selected?.endsWith("(registry)"), r.stdout);
    });
  },
});
