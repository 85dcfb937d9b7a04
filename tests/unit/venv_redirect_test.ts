import assert from "node:assert/strict";
import { isVenvMadeByUs, planVenvRedirect, type VenvRedirectDecision } from "../../lib/creator/venv_redirect.ts";
import { platformFor } from "../../lib/platform.ts";

const host = platformFor(Deno.build.os);
const p = host.path;

/** A real temporary project folder (symlinks resolved, as `planVenvRedirect` expects), removed on dispose. */
async function project(): Promise<{ path: string; [Symbol.asyncDispose](): Promise<void> }> {
  const path = await Deno.realPath(await Deno.makeTempDir({ prefix: "mkvenv_redirect_" }));
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

/** Makes a sibling environment folder with the given `pyvenv.cfg` text (or none). */
async function env(parent: string, name: string, cfg: string | undefined): Promise<string> {
  const folder = p.join(parent, name);
  await Deno.mkdir(folder);
  if (cfg !== undefined) await Deno.writeTextFile(p.join(folder, "pyvenv.cfg"), cfg);
  return folder;
}

const MKVENV_CFG = "home = /usr/bin\nversion_info = 3.12.1\nmkvenv = 0.1.0\n";
const VIRTUALENV_CFG = "home = /usr/bin\nimplementation = CPython\nvirtualenv = 21.14.1\n";
const STDLIB_CFG = "home = /usr/bin\nversion = 3.12.1\n";

function assertNone(d: VenvRedirectDecision, parent: string, reason: RegExp): void {
  assert.equal(d.path, p.join(parent, ".venv"));
  assert.equal(d.op, undefined);
  assert.match(d.reason, reason);
}

function assertWrite(d: VenvRedirectDecision, parent: string, content: string, ifAbsent: boolean): void {
  assert.equal(d.path, p.join(parent, ".venv"));
  assert.deepEqual(
    d.op,
    ifAbsent
      ? { op: "write", path: p.join(parent, ".venv"), content, mode: 0o644, ifAbsent: true }
      : { op: "write", path: p.join(parent, ".venv"), content, mode: 0o644 },
  );
  assert.match(d.reason, /^written/);
}

Deno.test("planVenvRedirect() unset writes nothing without a pyproject.toml", async () => {
  await using tmp = await project();
  assertNone(planVenvRedirect(p.join(tmp.path, "myenv"), undefined, host), tmp.path, /^not written: no pyproject/);
});

Deno.test("planVenvRedirect() unset ignores a pyproject.toml that is a folder", async () => {
  await using tmp = await project();
  await Deno.mkdir(p.join(tmp.path, "pyproject.toml"));
  assertNone(planVenvRedirect(p.join(tmp.path, "myenv"), undefined, host), tmp.path, /^not written: no pyproject/);
});

Deno.test("planVenvRedirect() unset writes an ifAbsent redirect next to a pyproject.toml", async () => {
  await using tmp = await project();
  await Deno.writeTextFile(p.join(tmp.path, "pyproject.toml"), "[project]\n");
  assertWrite(planVenvRedirect(p.join(tmp.path, "myenv"), undefined, host), tmp.path, "myenv\n", true);
});

Deno.test("planVenvRedirect() true writes an ifAbsent redirect even without a pyproject.toml", async () => {
  await using tmp = await project();
  assertWrite(planVenvRedirect(p.join(tmp.path, "myenv"), true, host), tmp.path, "myenv\n", true);
});

Deno.test("planVenvRedirect() false writes nothing", async () => {
  await using tmp = await project();
  await Deno.writeTextFile(p.join(tmp.path, "pyproject.toml"), "[project]\n");
  assertNone(planVenvRedirect(p.join(tmp.path, "myenv"), false, host), tmp.path, /^not written/);
});

Deno.test("planVenvRedirect() writes nothing for an environment named .venv", async () => {
  await using tmp = await project();
  await Deno.writeTextFile(p.join(tmp.path, "pyproject.toml"), "[project]\n");
  for (const setting of [undefined, true]) {
    assertNone(planVenvRedirect(p.join(tmp.path, ".venv"), setting, host), tmp.path, /^not written/);
  }
});

Deno.test("planVenvRedirect() keeps a .venv directory", async () => {
  await using tmp = await project();
  await Deno.writeTextFile(p.join(tmp.path, "pyproject.toml"), "[project]\n");
  await Deno.mkdir(p.join(tmp.path, ".venv"));
  for (const setting of [undefined, true]) {
    assertNone(planVenvRedirect(p.join(tmp.path, "myenv"), setting, host), tmp.path, /^kept: .* is a directory$/);
  }
});

Deno.test({
  name: "planVenvRedirect() keeps a .venv symlink, even a dangling one",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    await using tmp = await project();
    await Deno.writeTextFile(p.join(tmp.path, "pyproject.toml"), "[project]\n");
    const other = await env(tmp.path, "other", MKVENV_CFG);
    const link = p.join(tmp.path, ".venv");
    for (const target of [other, p.join(tmp.path, "missing")]) {
      await Deno.symlink(target, link);
      for (const setting of [undefined, true]) {
        assertNone(
          planVenvRedirect(p.join(tmp.path, "myenv"), setting, host),
          tmp.path,
          /^kept: .* is a symbolic link$/,
        );
      }
      await Deno.remove(link);
    }
  },
});

Deno.test("planVenvRedirect() keeps a .venv file that is not a redirect to our environment", async () => {
  await using tmp = await project();
  await Deno.writeTextFile(p.join(tmp.path, "pyproject.toml"), "[project]\n");
  await env(tmp.path, "bare", undefined);
  await env(tmp.path, "stdlib", STDLIB_CFG);
  const redirect = p.join(tmp.path, ".venv");
  for (const text of ["hello\n", "", "\n", "bare\n", "stdlib\n", `${p.join(tmp.path, "stdlib")}\n`, "missing\n"]) {
    await Deno.writeTextFile(redirect, text);
    for (const setting of [undefined, true]) {
      assertNone(
        planVenvRedirect(p.join(tmp.path, "myenv"), setting, host),
        tmp.path,
        /^kept: .* is not a redirect mkvenv or virtualenv wrote$/,
      );
    }
  }
});

Deno.test("planVenvRedirect() replaces our own redirect with true and keeps it when unset", async () => {
  await using tmp = await project();
  await Deno.writeTextFile(p.join(tmp.path, "pyproject.toml"), "[project]\n");
  const first = await env(tmp.path, "first", MKVENV_CFG);
  await env(tmp.path, "second", VIRTUALENV_CFG);
  const redirect = p.join(tmp.path, ".venv");
  // Relative and absolute names, CRLF and surrounding blanks, for each tool's cfg.
  for (const text of ["first\n", "second\n", `${first}\n`, "  second  \r\nignored\n", "first"]) {
    await Deno.writeTextFile(redirect, text);
    assertWrite(planVenvRedirect(p.join(tmp.path, "myenv"), true, host), tmp.path, "myenv\n", false);
    assertNone(planVenvRedirect(p.join(tmp.path, "myenv"), undefined, host), tmp.path, /^kept: .* already exists/);
  }
});

Deno.test("planVenvRedirect() needs no operation when the redirect already points at the environment", async () => {
  await using tmp = await project();
  await Deno.writeTextFile(p.join(tmp.path, "pyproject.toml"), "[project]\n");
  await Deno.writeTextFile(p.join(tmp.path, ".venv"), "myenv\n");
  // The environment does not exist yet (a first creation): the same content is still nothing to do.
  for (const setting of [undefined, true]) {
    assertNone(planVenvRedirect(p.join(tmp.path, "myenv"), setting, host), tmp.path, /^up to date/);
  }
});

Deno.test("isVenvMadeByUs() looks for a mkvenv or virtualenv key in pyvenv.cfg", async () => {
  await using tmp = await project();
  assert.ok(isVenvMadeByUs(await env(tmp.path, "a", MKVENV_CFG), host));
  assert.ok(isVenvMadeByUs(await env(tmp.path, "b", VIRTUALENV_CFG), host));
  assert.ok(isVenvMadeByUs(await env(tmp.path, "c", "virtualenv=20.0.0"), host));
  assert.ok(!isVenvMadeByUs(await env(tmp.path, "d", STDLIB_CFG), host));
  assert.ok(!isVenvMadeByUs(await env(tmp.path, "e", "# mkvenv = 0.1.0\nhome = /usr/bin\n"), host));
  assert.ok(!isVenvMadeByUs(await env(tmp.path, "f", undefined), host));
  assert.ok(!isVenvMadeByUs(p.join(tmp.path, "missing"), host));
});

const SETPRIV = "/usr/bin/setpriv";
const asRoot = Deno.uid() === 0;
const canDropPrivileges = asRoot && (() => {
  try {
    return Deno.statSync(SETPRIV).isFile;
  } catch {
    return false;
  }
})();

Deno.test({
  name: "planVenvRedirect() keeps a .venv file it cannot read",
  // Windows has no mode bits to take away; root reads any file, so as root the check runs as nobody.
  ignore: Deno.build.os === "windows" || (asRoot && !canDropPrivileges),
  fn: async () => {
    await using tmp = await project();
    await Deno.chmod(tmp.path, 0o755);
    await env(tmp.path, "first", MKVENV_CFG);
    const redirect = p.join(tmp.path, ".venv");
    await Deno.writeTextFile(redirect, "first\n", { mode: 0o000 });
    await Deno.chmod(redirect, 0o000);
    const dest = p.join(tmp.path, "myenv");
    if (!asRoot) {
      assertNone(planVenvRedirect(dest, true, host), tmp.path, /^kept: .* is not a redirect/);
      return;
    }
    const denoDir = p.join(tmp.path, "deno-dir");
    await Deno.mkdir(denoDir, { mode: 0o777 });
    await Deno.chmod(denoDir, 0o777);
    const lib = new URL("../../lib/", import.meta.url).href;
    const code = `import { planVenvRedirect } from "${lib}creator/venv_redirect.ts";
      import { platformFor } from "${lib}platform.ts";
      console.log(JSON.stringify(planVenvRedirect(${JSON.stringify(dest)}, true, platformFor("linux"))));`;
    const out = await new Deno.Command(SETPRIV, {
      args: ["--reuid=65534", "--regid=65534", "--clear-groups", Deno.execPath(), "eval", "--no-config", code],
      env: { DENO_DIR: denoDir, HOME: tmp.path, PATH: "/usr/bin:/bin" },
      clearEnv: true,
      cwd: tmp.path,
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, stderr);
    const decision = JSON.parse(new TextDecoder().decode(out.stdout)) as VenvRedirectDecision;
    assertNone(decision, tmp.path, /^kept: .* is not a redirect/);
  },
});

Deno.test("planVenvRedirect() keeps a .venv file too big to be a redirect without reading it", async () => {
  await using tmp = await project();
  await env(tmp.path, "first", MKVENV_CFG);
  await Deno.writeTextFile(p.join(tmp.path, ".venv"), "first\n" + "x".repeat(64 * 1024));
  assertNone(planVenvRedirect(p.join(tmp.path, "myenv"), true, host), tmp.path, /^kept: .* is not a redirect/);
});
