import assert from "node:assert/strict";
import path from "node:path";
import { applyPlan, isInside } from "../../lib/plan/apply.ts";
import { MkvenvError } from "../../lib/errors.ts";
import { tempDir } from "../_helpers.ts";

Deno.test("isInside() accepts the root and its descendants only", () => {
  assert.ok(isInside("/a/env", "/a/env"));
  assert.ok(isInside("/a/env", "/a/env/bin/python"));
  assert.ok(!isInside("/a/env", "/a/env2"));
  assert.ok(!isInside("/a/env", "/a"));
  assert.ok(!isInside("/a/env", "/a/env/../x"));
  assert.ok(isInside("C:\\env", "C:\\env\\Scripts", path.win32));
  assert.ok(!isInside("C:\\env", "D:\\env\\Scripts", path.win32));
});

Deno.test("applyPlan() refuses operations outside the root before touching anything", async () => {
  await using tmp = await tempDir();
  const root = path.join(tmp.path, "env");
  const outside = path.join(tmp.path, "outside.txt");
  assert.throws(
    () => applyPlan({ root, ops: [{ op: "write", path: outside, content: "x" }] }),
    /Refusing to write ".*outside\.txt": outside/,
  );
  await assert.rejects(Deno.lstat(outside), Deno.errors.NotFound);
});

Deno.test("applyPlan() replaces files and links without writing through links", async () => {
  await using tmp = await tempDir();
  const root = path.join(tmp.path, "env");
  const victim = path.join(tmp.path, "victim.txt");
  await Deno.writeTextFile(victim, "original");
  await Deno.mkdir(root);
  // A link left in the environment that points outside it: a write must replace the link, not the target.
  await Deno.symlink(victim, path.join(root, "pyvenv.cfg"));
  await Deno.symlink(victim, path.join(root, "python"));
  applyPlan({
    root,
    ops: [
      { op: "write", path: path.join(root, "pyvenv.cfg"), content: "home = /x\n" },
      { op: "copy", path: path.join(root, "python"), source: victim, mode: 0o755 },
      { op: "symlink", path: path.join(root, "lib64"), target: "lib" },
      { op: "symlink", path: path.join(root, "lib64"), target: "other", ifAbsent: true },
      { op: "write", path: path.join(root, ".gitignore"), content: "*\n", ifAbsent: true },
      { op: "write", path: path.join(root, ".gitignore"), content: "changed\n", ifAbsent: true },
    ],
  });
  assert.equal(await Deno.readTextFile(victim), "original");
  assert.equal(await Deno.readTextFile(path.join(root, "pyvenv.cfg")), "home = /x\n");
  assert.ok((await Deno.lstat(path.join(root, "python"))).isFile);
  assert.equal((await Deno.stat(path.join(root, "python"))).mode! & 0o777, 0o755);
  assert.equal(await Deno.readLink(path.join(root, "lib64")), "lib");
  assert.equal(await Deno.readTextFile(path.join(root, ".gitignore")), "*\n");
});

Deno.test("applyPlan() clear empties a folder without following links out of it", async () => {
  await using tmp = await tempDir();
  const root = path.join(tmp.path, "env");
  const precious = path.join(tmp.path, "precious");
  await Deno.mkdir(precious);
  await Deno.writeTextFile(path.join(precious, "keep.txt"), "keep");
  await Deno.mkdir(path.join(root, "lib", "deep"), { recursive: true });
  await Deno.writeTextFile(path.join(root, "lib", "deep", "f"), "x");
  await Deno.symlink(precious, path.join(root, "link-out"));
  applyPlan({ root, ops: [{ op: "clear", path: root }] });
  assert.deepEqual([...Deno.readDirSync(root)], []);
  assert.equal(await Deno.readTextFile(path.join(precious, "keep.txt")), "keep");
});

Deno.test("applyPlan() names the path it cannot write and says what to do", async () => {
  if (Deno.uid() === 0) {
    // Root ignores permission bits; use a path under a file instead, which fails for everyone.
    await using tmp = await tempDir();
    const file = path.join(tmp.path, "file");
    await Deno.writeTextFile(file, "");
    assert.throws(
      () => applyPlan({ root: file, ops: [{ op: "mkdir", path: path.join(file, "bin") }] }),
      (e: unknown) => e instanceof MkvenvError && e.message.startsWith(`Cannot create folder "${file}/bin": `),
    );
    return;
  }
  await using tmp = await tempDir();
  await Deno.chmod(tmp.path, 0o500);
  try {
    assert.throws(
      () => applyPlan({ root: tmp.path, ops: [{ op: "mkdir", path: path.join(tmp.path, "x") }] }),
      (e: unknown) =>
        e instanceof MkvenvError && /permission denied/.test(e.message) && /choose a destination/.test(e.hint ?? ""),
    );
  } finally {
    await Deno.chmod(tmp.path, 0o700);
  }
});

Deno.test("applyPlan() refuses to write below a symbolic link inside an existing destination", async () => {
  await using tmp = await tempDir();
  const root = path.join(tmp.path, "env");
  const outside = path.join(tmp.path, "outside");
  await Deno.mkdir(outside);
  await Deno.mkdir(root);
  await Deno.writeTextFile(path.join(root, "pyvenv.cfg"), "home = /x\n");
  await Deno.symlink(outside, path.join(root, "bin"));
  await Deno.symlink(outside, path.join(root, "lib"));
  for (
    const op of [
      { op: "mkdir", path: path.join(root, "lib", "python3.12", "site-packages") },
      { op: "symlink", path: path.join(root, "bin", "python"), target: "/usr/bin/python3" },
      { op: "write", path: path.join(root, "bin", "activate"), content: "x" },
    ] as const
  ) {
    assert.throws(
      () => applyPlan({ root, ops: [op] }),
      (e: unknown) =>
        e instanceof MkvenvError &&
        /^Refusing to write below ".*\/env\/(bin|lib)": it is a symbolic link/.test(e.message),
    );
  }
  assert.deepEqual([...Deno.readDirSync(outside)], [], "something was written through a link");
});

Deno.test("applyPlan() leaves no temporary file behind when a replace fails", async () => {
  await using tmp = await tempDir();
  const root = path.join(tmp.path, "env");
  await Deno.mkdir(path.join(root, "bin", "python"), { recursive: true }); // a folder where a link must go
  assert.throws(() =>
    applyPlan({ root, ops: [{ op: "symlink", path: path.join(root, "bin", "python"), target: "/usr/bin/python3" }] })
  );
  assert.deepEqual([...Deno.readDirSync(path.join(root, "bin"))].map((e) => e.name), ["python"]);
});
