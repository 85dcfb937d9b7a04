import assert from "node:assert/strict";
import { cpython3Posix, interpreterNames } from "../../lib/creator/cpython_posix.ts";
import type { CreatorInput } from "../../lib/creator/creator.ts";
import { parsePyvenvCfg, renderPyvenvCfg } from "../../lib/creator/pyvenv_cfg.ts";
import { selectCreator } from "../../lib/creator/registry.ts";
import { MkvenvError } from "../../lib/errors.ts";
import type { PlanOp } from "../../lib/plan/ops.ts";
import { renderPlan } from "../../lib/plan/render.ts";
import { platformFor } from "../../lib/platform.ts";
import { MKVENV_VERSION } from "../../lib/version.ts";
import { CPYTHON_312_LINUX, found } from "../fixtures/py_info.ts";

const linux = platformFor("linux");

function input(overrides: Partial<CreatorInput> = {}): CreatorInput {
  return {
    dest: "/work/env",
    python: found(CPYTHON_312_LINUX),
    systemExecutableRealPath: "/root/.pyenv/versions/3.12.1/bin/python3.12",
    platform: linux,
    symlinks: true,
    systemSitePackages: false,
    prompt: undefined,
    ...overrides,
  };
}

function plan(i: CreatorInput): PlanOp[] {
  return cpython3Posix.plan(i, cpython3Posix.layout(i));
}

Deno.test("cpython3Posix.plan() links python to the base and aliases to python", () => {
  assert.equal(
    renderPlan({ root: "/work/env", ops: plan(input()) }),
    [
      "mkdir   /work/env",
      "mkdir   /work/env/bin",
      "mkdir   /work/env/lib/python3.12/site-packages",
      "mkdir   /work/env/include",
      "write   /work/env/pyvenv.cfg (396 bytes)",
      "symlink /work/env/bin/python -> /root/.pyenv/versions/3.12.1/bin/python3.12",
      "symlink /work/env/bin/python3 -> python",
      "symlink /work/env/bin/python3.12 -> python",
      "symlink /work/env/lib64 -> lib (if absent)",
    ].join("\n"),
  );
});

Deno.test("cpython3Posix.plan() copies the interpreter and the shared libpython with --copies", () => {
  const ops = plan(input({ symlinks: false }));
  const copies = ops.filter((o) => o.op === "copy");
  assert.deepEqual(copies.map((o) => [o.path, o.source, o.mode ?? null, o.optional ?? false]), [
    ["/work/env/bin/python", "/root/.pyenv/versions/3.12.1/bin/python3.12", 0o755, false],
    ["/work/env/bin/python3", "/root/.pyenv/versions/3.12.1/bin/python3.12", 0o755, false],
    ["/work/env/bin/python3.12", "/root/.pyenv/versions/3.12.1/bin/python3.12", 0o755, false],
    ["/work/env/lib/libpython3.12.so.1.0", "/root/.pyenv/versions/3.12.1/lib/libpython3.12.so.1.0", null, true],
  ]);
  assert.ok(!ops.some((o) => o.op === "symlink" && o.path.endsWith("/python")));
});

Deno.test("cpython3Posix.plan() skips libpython for static builds and lib64 on 32-bit or macOS", () => {
  const staticInfo = { ...CPYTHON_312_LINUX, configVars: { ...CPYTHON_312_LINUX.configVars, Py_ENABLE_SHARED: 0 } };
  assert.ok(!plan(input({ symlinks: false, python: found(staticInfo) })).some((o) => o.path.includes("libpython")));
  for (const info of [{ ...CPYTHON_312_LINUX, bits: 32 }, { ...CPYTHON_312_LINUX, platform: "darwin" }]) {
    assert.ok(!plan(input({ python: found(info) })).some((o) => o.path.endsWith("lib64")));
  }
});

Deno.test("interpreterNames() adds the free-threaded alias and the base executable's own name", () => {
  const ft = { ...CPYTHON_312_LINUX, freeThreaded: true, systemExecutable: "/opt/py/bin/python3.12t" };
  assert.deepEqual(interpreterNames(input({ python: found(ft) })), ["python", "python3", "python3.12", "python3.12t"]);
  const debian = { ...CPYTHON_312_LINUX, systemExecutable: "/usr/bin/python3" };
  assert.deepEqual(interpreterNames(input({ python: found(debian) })), ["python", "python3", "python3.12"]);
});

Deno.test("cpython3Posix pyvenv.cfg has virtualenv's keys in virtualenv's order", () => {
  const write = plan(input({ prompt: "my env", systemSitePackages: true })).find((o) => o.op === "write");
  assert.ok(write?.op === "write" && typeof write.content === "string");
  assert.equal(
    write.content,
    [
      "home = /root/.pyenv/versions/3.12.1/bin",
      "implementation = CPython",
      "python-version = 3.12",
      "version_info = 3.12.1.final.0",
      "version = 3.12.1",
      "executable = /root/.pyenv/versions/3.12.1/bin/python3.12",
      `mkvenv = ${MKVENV_VERSION}`,
      'prompt = "my env"',
      "include-system-site-packages = true",
      "base-prefix = /root/.pyenv/versions/3.12.1",
      "base-exec-prefix = /root/.pyenv/versions/3.12.1",
      "base-executable = /root/.pyenv/versions/3.12.1/bin/python3.12",
      "",
    ].join("\n"),
  );
});

Deno.test("renderPyvenvCfg() keeps every value on one line; parsePyvenvCfg() reads it back", () => {
  const text = renderPyvenvCfg([["home", "/a"], ["prompt", "two\nlines\u2028here"], ["x", "a=b"]]);
  assert.equal(text, 'home = /a\nprompt = "two lines here"\nx = a=b\n');
  assert.deepEqual(
    [...parsePyvenvCfg(text + "# comment = no\nbad line\nq = 'single'\n")],
    [["home", "/a"], ["prompt", "two lines here"], ["x", "a=b"], ["q", "single"]],
  );
});

Deno.test("selectCreator() picks builtin, rejects unknown names (exit 2) and says why a creator cannot fit", () => {
  assert.equal(selectCreator("builtin", CPYTHON_312_LINUX, linux).name, "cpython3-posix");
  assert.throws(() => selectCreator("nope", CPYTHON_312_LINUX, linux), (e: unknown) => {
    assert.ok(e instanceof MkvenvError);
    assert.equal(e.exitCode, 2);
    assert.equal(e.message, 'Unknown creator "nope"');
    assert.match(e.hint ?? "", /builtin, cpython3-posix/);
    return true;
  });
  const pypy = { ...CPYTHON_312_LINUX, implementation: "PyPy" };
  assert.throws(
    () => selectCreator("cpython3-posix", pypy, linux),
    /Creator "cpython3-posix" cannot make an environment for PyPy3\.12\.1\.final\.0-64-x86_64: it creates CPython/,
  );
  assert.throws(() => selectCreator("builtin", pypy, linux), /No creator can make an environment for PyPy/);
  assert.throws(() => selectCreator("builtin", CPYTHON_312_LINUX, platformFor("windows")), /POSIX environments/);
});
