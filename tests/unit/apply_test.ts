import assert from "node:assert/strict";
import path from "node:path";
import { applyPlan, isInside } from "../../lib/plan/apply.ts";
import { FROM, python64, python64Rewritten, TO } from "../fixtures/macho.ts";
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
  await assert.rejects(
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
  await applyPlan({
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
  await applyPlan({ root, ops: [{ op: "clear", path: root }] });
  assert.deepEqual([...Deno.readDirSync(root)], []);
  assert.equal(await Deno.readTextFile(path.join(precious, "keep.txt")), "keep");
});

Deno.test("applyPlan() names the path it cannot write and says what to do", async () => {
  if (Deno.uid() === 0) {
    // Root ignores permission bits; use a path under a file instead, which fails for everyone.
    await using tmp = await tempDir();
    const file = path.join(tmp.path, "file");
    await Deno.writeTextFile(file, "");
    await assert.rejects(
      () => applyPlan({ root: file, ops: [{ op: "mkdir", path: path.join(file, "bin") }] }),
      (e: unknown) => e instanceof MkvenvError && e.message.startsWith(`Cannot create folder "${file}/bin": `),
    );
    return;
  }
  await using tmp = await tempDir();
  await Deno.chmod(tmp.path, 0o500);
  try {
    await assert.rejects(
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
    await assert.rejects(
      () => applyPlan({ root, ops: [op] }),
      (e: unknown) =>
        e instanceof MkvenvError &&
        /^Refusing to write below ".*\/env\/(bin|lib)": it is a symbolic link/.test(e.message),
    );
  }
  assert.deepEqual([...Deno.readDirSync(outside)], [], "something was written through a link");
});

Deno.test("applyPlan() writes below a link that stays inside the destination (stdlib venv's lib64 -> lib)", async () => {
  await using tmp = await tempDir();
  const root = path.join(tmp.path, "env");
  await Deno.mkdir(path.join(root, "lib"), { recursive: true });
  await Deno.symlink("lib", path.join(root, "lib64"));
  await Deno.symlink(path.join(tmp.path, "gone"), path.join(root, "dangling"));
  const site = path.join(root, "lib64", "python3.12", "site-packages");
  await applyPlan({
    root,
    ops: [{ op: "mkdir", path: site }, { op: "write", path: path.join(site, "x.pth"), content: "" }],
  });
  assert.ok((await Deno.stat(path.join(root, "lib", "python3.12", "site-packages", "x.pth"))).isFile);
  await assert.rejects(
    () => applyPlan({ root, ops: [{ op: "mkdir", path: path.join(root, "dangling", "x") }] }),
    /Refusing to write below ".*dangling": it is a symbolic link leading out of the destination/,
  );
});

Deno.test("applyPlan() merges a tree copy into a folder already there, never deleting what it holds", async () => {
  await using tmp = await tempDir();
  const source = path.join(tmp.path, "modules");
  await Deno.mkdir(source);
  await Deno.writeTextFile(path.join(source, "a.jmod"), "new");
  const root = path.join(tmp.path, "project");
  await Deno.mkdir(path.join(root, "modules"), { recursive: true });
  await Deno.writeTextFile(path.join(root, "modules", "mine.txt"), "the user's");
  await Deno.writeTextFile(path.join(root, "modules", "a.jmod"), "old");
  await applyPlan({ root, ops: [{ op: "copy", path: path.join(root, "modules"), source, tree: true }] });
  assert.equal(await Deno.readTextFile(path.join(root, "modules", "mine.txt")), "the user's");
  assert.equal(await Deno.readTextFile(path.join(root, "modules", "a.jmod")), "new");
});

Deno.test("applyPlan() installs a tree by hard links over stale files, and leaves the working directory as it was", async () => {
  await using tmp = await tempDir();
  const image = path.join(tmp.path, "image", "site");
  await Deno.mkdir(path.join(image, "pkg", "__pycache__"), { recursive: true });
  const files = ["pkg/__init__.py", "pkg/__pycache__/__init__.cpython-312.pyc", "top.py"];
  for (const file of files) await Deno.writeTextFile(path.join(image, file), file);
  const cwd = Deno.cwd();
  for (const ownsProcess of [false, true]) {
    const root = path.join(tmp.path, `env-${ownsProcess}`);
    const site = path.join(root, "lib", "site-packages");
    const op = {
      op: "installTree",
      path: site,
      source: image,
      dirs: ["pkg", "pkg/__pycache__"],
      files,
      link: "hardlink",
    } as const;
    // A file already there (an earlier run's) is replaced, not written through.
    await Deno.mkdir(path.join(site, "pkg"), { recursive: true });
    await Deno.writeTextFile(path.join(site, "top.py"), "stale");
    const outcome = await applyPlan({ root, ops: [op] }, { ownsProcess });
    assert.deepEqual([...outcome.installedVia], [[site, "hardlink"]]);
    for (const file of files) {
      assert.equal((await Deno.stat(path.join(site, file))).ino, (await Deno.stat(path.join(image, file))).ino);
    }
    assert.equal(Deno.cwd(), cwd);
    // A file missing from the image fails the install, naming the folder, and the working directory is back.
    const broken = { ...op, files: [...files, "gone.py"] };
    await assert.rejects(
      () => applyPlan({ root, ops: [broken] }, { ownsProcess }),
      /Cannot install into ".*site-packages"/,
    );
    assert.equal(Deno.cwd(), cwd);
  }
});

Deno.test("applyPlan() installing a tree again leaves no temporary, and clears those a killed run left", async () => {
  await using tmp = await tempDir();
  const image = path.join(tmp.path, "image");
  await Deno.mkdir(path.join(image, "pkg"), { recursive: true });
  const files = ["pkg/__init__.py", "top.py"];
  for (const file of files) await Deno.writeTextFile(path.join(image, file), file);
  for (const link of ["hardlink", "copy"] as const) {
    const root = path.join(tmp.path, `env-${link}`);
    const site = path.join(root, "site-packages");
    const op = { op: "installTree", path: site, source: image, dirs: ["pkg"], files, link } as const;
    await applyPlan({ root, ops: [op] });
    // A killed run's temporaries (a replace cut short; no process has that pid), a live process's (this one's: a run
    // at work on the same folder), and a file of the user's that only looks alike.
    const gone = 99_999_999;
    const leftovers = [path.join(site, "pkg", `.__init__.py.${gone}.7.tmp`), path.join(site, `.top.py.${gone}.8.tmp`)];
    const live = path.join(site, "pkg", `.__init__.py.${Deno.pid}.9.tmp`);
    for (const file of [...leftovers, live]) await Deno.writeTextFile(file, "partial");
    const old = new Date(Date.now() - 60_000);
    for (const file of [...leftovers, live]) await Deno.utime(file, old, old);
    await Deno.writeTextFile(path.join(site, "pkg", "notes.tmp"), "the user's");
    // Run again (the files are there: for hard links, already links to these very files).
    await applyPlan({ root, ops: [op] });
    assert.deepEqual([...Deno.readDirSync(path.join(site, "pkg"))].map((e) => e.name).sort(), [
      path.basename(live),
      "__init__.py",
      "notes.tmp",
    ]);
    assert.deepEqual([...Deno.readDirSync(site)].map((e) => e.name).sort(), ["pkg", "top.py"]);
  }
});

Deno.test("applyPlan() refuses to install a tree through a linked folder below site-packages or site-packages itself", async () => {
  await using tmp = await tempDir();
  const image = path.join(tmp.path, "image");
  await Deno.mkdir(path.join(image, "pkg", "sub"), { recursive: true });
  const files = ["pkg/__init__.py", "pkg/sub/mod.py", "top.py"];
  for (const file of files) await Deno.writeTextFile(path.join(image, file), "new");
  const outside = path.join(tmp.path, "checkout");
  await Deno.mkdir(path.join(outside, "sub"), { recursive: true });
  await Deno.writeTextFile(path.join(outside, "__init__.py"), "the user's");
  const root = path.join(tmp.path, "env");
  const site = path.join(root, "lib", "site-packages");
  await Deno.mkdir(site, { recursive: true });
  const op = {
    op: "installTree",
    path: site,
    source: image,
    dirs: ["pkg", "pkg/sub"],
    files,
    link: "hardlink",
  } as const;
  // The linked folder once as a listed folder, once only as the folder of a file (a plan from a plugin seeder).
  for (const dirs of [op.dirs, []]) {
    await Deno.symlink(outside, path.join(site, "pkg"));
    await assert.rejects(
      () => applyPlan({ root, ops: [{ ...op, dirs }] }, { ownsProcess: true }),
      /^MkvenvError: Refusing to write below ".*site-packages\/pkg": it is a symbolic link leading out/,
    );
    await Deno.remove(path.join(site, "pkg"));
  }
  await Deno.remove(site, { recursive: true });
  await Deno.symlink(outside, site);
  await assert.rejects(
    () => applyPlan({ root, ops: [op] }),
    /Refusing to write below ".*site-packages": it is a symbolic link leading out/,
  );
  assert.deepEqual([...Deno.readDirSync(outside)].map((e) => e.name).sort(), ["__init__.py", "sub"]);
  assert.equal(await Deno.readTextFile(path.join(outside, "__init__.py")), "the user's");
  assert.deepEqual([...Deno.readDirSync(path.join(outside, "sub"))], []);
});

Deno.test("applyPlan() turns a failed best-effort write into a warning", async () => {
  await using tmp = await tempDir();
  const root = path.join(tmp.path, "env");
  const redirect = path.join(tmp.path, "missing-folder", ".venv");
  const outcome = await applyPlan({
    root,
    ops: [{ op: "write", path: redirect, content: "env\n", bestEffort: true }, { op: "mkdir", path: root }],
    outside: [redirect],
  });
  assert.equal(outcome.warnings.length, 1);
  assert.match(outcome.warnings[0]!, /^Cannot write ".*\.venv": .*; continuing without it$/);
  assert.ok((await Deno.stat(root)).isDirectory, "the run went on");
});

Deno.test("applyPlan() leaves no temporary file behind when a replace fails", async () => {
  await using tmp = await tempDir();
  const root = path.join(tmp.path, "env");
  await Deno.mkdir(path.join(root, "bin", "python"), { recursive: true }); // a folder where a link must go
  await assert.rejects(() =>
    applyPlan({ root, ops: [{ op: "symlink", path: path.join(root, "bin", "python"), target: "/usr/bin/python3" }] })
  );
  assert.deepEqual([...Deno.readDirSync(path.join(root, "bin"))].map((e) => e.name), ["python"]);
});

Deno.test("applyPlan() copies a Mach-O interpreter with its library reference rewritten, and warns when it cannot sign", async () => {
  await using tmp = await tempDir();
  const root = path.join(tmp.path, "env");
  const source = path.join(tmp.path, "Python");
  await Deno.writeFile(source, python64());
  const target = path.join(root, "bin", "python");
  const outcome = await applyPlan({
    root,
    ops: [
      { op: "mkdir", path: path.join(root, "bin") },
      { op: "copy", path: target, source, mode: 0o755, rewriteDylib: { from: FROM, to: TO }, adhocSign: true },
    ],
  });
  assert.deepEqual(await Deno.readFile(target), python64Rewritten());
  assert.deepEqual(await Deno.readFile(source), python64(), "the source is only read");
  assert.equal((await Deno.stat(target)).mode! & 0o777, 0o755);
  if (Deno.build.os !== "darwin") {
    // No codesign here: the copy stays, unsigned, and the run says so instead of failing.
    assert.equal(outcome.warnings.length, 1);
    assert.match(outcome.warnings[0]!, /^Could not ad-hoc re-sign .*bin\/python: /);
  }
});

Deno.test("applyPlan() copies folders as trees, keeping links as links", async () => {
  await using tmp = await tempDir();
  const source = path.join(tmp.path, "jvm");
  await Deno.mkdir(path.join(source, "lib"), { recursive: true });
  await Deno.writeTextFile(path.join(source, "lib", "a.so"), "A");
  await Deno.symlink("lib/a.so", path.join(source, "current"));
  const root = path.join(tmp.path, "env");
  const ops = [{ op: "mkdir", path: root }, { op: "copy", path: path.join(root, "jvm"), source, tree: true }] as const;
  await applyPlan({ root, ops });
  await applyPlan({ root, ops }); // a rerun replaces the copy
  assert.equal(await Deno.readTextFile(path.join(root, "jvm", "lib", "a.so")), "A");
  assert.equal(await Deno.readLink(path.join(root, "jvm", "current")), "lib/a.so");
});

Deno.test("applyPlan() removes stale files and links, never folders", async () => {
  await using tmp = await tempDir();
  const root = path.join(tmp.path, "env");
  await Deno.mkdir(path.join(root, "bin"), { recursive: true });
  await Deno.symlink("python", path.join(root, "bin", "python3.12"));
  await Deno.writeTextFile(path.join(root, "bin", "old"), "x");
  await applyPlan({
    root,
    ops: [
      { op: "remove", path: path.join(root, "bin", "python3.12") },
      { op: "remove", path: path.join(root, "bin", "old") },
      { op: "remove", path: path.join(root, "bin", "never-there") },
    ],
  });
  assert.deepEqual([...Deno.readDirSync(path.join(root, "bin"))], []);
  await assert.rejects(() => applyPlan({ root, ops: [{ op: "remove", path: path.join(root, "bin") }] }), /is a folder/);
});

Deno.test("applyPlan() runs a program and reports its failure with the last line of its error output", async () => {
  await using tmp = await tempDir();
  const root = path.join(tmp.path, "env");
  const sh = "/bin/sh";
  await applyPlan({
    root,
    ops: [{ op: "run", path: root, argv: [sh, "-c", `mkdir -p "$0" && echo made > "$0/f"`, root] }],
  });
  assert.equal(await Deno.readTextFile(path.join(root, "f")), "made\n");
  await assert.rejects(
    () => applyPlan({ root, ops: [{ op: "run", path: root, argv: [sh, "-c", "echo one >&2; echo two >&2; exit 3"] }] }),
    (e: unknown) => {
      assert.ok(e instanceof MkvenvError);
      assert.equal(e.message, `${sh} -c echo one >&2; echo two >&2; exit 3 failed with exit code 3: two`);
      return true;
    },
  );
});

Deno.test("applyPlan() merges pyvenv.cfg: listed keys keep the file's value, the file's extra keys follow ours", async () => {
  await using tmp = await tempDir();
  const root = path.join(tmp.path, "env");
  await Deno.mkdir(root);
  const cfg = path.join(root, "pyvenv.cfg");
  await Deno.writeTextFile(cfg, "home = /venv/home\nversion = 3.12.1\ncommand = python -m venv env\n");
  await applyPlan({
    root,
    ops: [{
      op: "mergeCfg",
      path: cfg,
      entries: [["home", "/ours"], ["implementation", "CPython"], ["version", "9"], ["mkvenv", "0.1.0"]],
      keepExisting: ["home", "version", "command"],
    }],
  });
  assert.equal(
    await Deno.readTextFile(cfg),
    "home = /venv/home\nimplementation = CPython\nversion = 3.12.1\nmkvenv = 0.1.0\ncommand = python -m venv env\n",
  );
});

Deno.test("applyPlan() writes outside the root only the files the plan lists as such", async () => {
  await using tmp = await tempDir();
  const root = path.join(tmp.path, "env");
  const redirect = path.join(tmp.path, ".venv");
  await applyPlan({
    root,
    ops: [{ op: "write", path: redirect, content: "env\n", ifAbsent: true }],
    outside: [redirect],
  });
  assert.equal(await Deno.readTextFile(redirect), "env\n");
  await assert.rejects(
    () => applyPlan({ root, ops: [{ op: "mkdir", path: redirect + "2" }], outside: [redirect + "2"] }),
    /Refusing to mkdir/,
  );
});
