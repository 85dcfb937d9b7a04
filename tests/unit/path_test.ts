/** lib/path.ts must agree with node:path for the inputs mkvenv produces: checked case by case against node:path. */
import assert from "node:assert/strict";
import nodePath from "node:path";
import { posix, win32 } from "../../lib/path.ts";

const POSIX_PATHS = [
  "/",
  "//",
  "/a",
  "/a/",
  "/a//b",
  "/a/./b/../c",
  "/a/b/c/..",
  "/../a",
  "a",
  "a/b",
  "a/../..",
  "./a",
  "../a/b/",
  ".",
  "..",
  "/usr/bin/python3",
  "/with space/èрт🚒/env",
  "lib/python3.12/site-packages",
];

const WIN_PATHS = [
  "C:rel",
  "D:x\\y",
  "C:\\",
  "C:/",
  "c:\\Users\\me\\env",
  "C:\\a\\.\\b\\..\\c\\",
  "C:/a/b",
  "C:\\..\\a",
  "\\\\server\\share\\dir\\file",
  "//server/share/dir",
  "\\\\server\\share",
  "\\rooted\\path",
  "a\\b",
  "a/b/../..",
  "..\\x",
  "Lib\\site-packages",
  "C:\\with space\\èрт🚒\\env",
];

Deno.test("posix agrees with node:path.posix", () => {
  for (const p of POSIX_PATHS) {
    for (const fn of ["normalize", "dirname", "basename", "isAbsolute"] as const) {
      assert.equal(posix[fn](p), nodePath.posix[fn](p), `${fn}(${JSON.stringify(p)})`);
    }
    assert.equal(posix.join(p, "x", "../y"), nodePath.posix.join(p, "x", "../y"), `join(${p})`);
    assert.equal(posix.join("", p), nodePath.posix.join("", p));
    if (p.startsWith("/")) {
      assert.equal(posix.resolve(p, "q/./r"), nodePath.posix.resolve(p, "q/./r"), `resolve(${p})`);
      assert.equal(posix.resolve("/base", p), nodePath.posix.resolve("/base", p));
      for (const q of POSIX_PATHS.filter((x) => x.startsWith("/"))) {
        assert.equal(posix.relative(p, q), nodePath.posix.relative(p, q), `relative(${p}, ${q})`);
      }
    }
  }
  assert.equal(posix.join(), ".");
  assert.equal(posix.resolve("rel"), nodePath.posix.resolve("rel"));
});

Deno.test("win32 agrees with node:path.win32", () => {
  for (const p of WIN_PATHS) {
    for (const fn of ["normalize", "dirname", "basename", "isAbsolute"] as const) {
      assert.equal(win32[fn](p), nodePath.win32[fn](p), `${fn}(${JSON.stringify(p)})`);
    }
    // Drive-relative and rooted segments after a path on another drive, as node:path resolves them.
    for (const base of ["C:\\work", "D:\\base", "\\\\srv\\share\\x"]) {
      assert.equal(win32.resolve(base, p), nodePath.win32.resolve(base, p), `resolve(${base}, ${p})`);
    }
    assert.equal(win32.join(p, "x", "../y"), nodePath.win32.join(p, "x", "../y"), `join(${p})`);
    if (/^([a-zA-Z]:[\\/]|[\\/]{2}\w)/.test(p)) {
      assert.equal(win32.resolve(p, "q/./r"), nodePath.win32.resolve(p, "q/./r"), `resolve(${p})`);
      assert.equal(win32.resolve("D:\\base", p), nodePath.win32.resolve("D:\\base", p));
      for (const q of WIN_PATHS.filter((x) => /^([a-zA-Z]:[\\/]|[\\/]{2}\w)/.test(x))) {
        assert.equal(win32.relative(p, q), nodePath.win32.relative(p, q), `relative(${p}, ${q})`);
      }
    }
  }
});

Deno.test("posix agrees with node:path.posix on every path of up to four parts", () => {
  // Paths that are already normal take a shortcut: every mix of separators, dots and names checks where it applies.
  const parts = ["", "/", "//", ".", "..", "a", "b.", ".c", "..d"];
  const paths = new Set<string>();
  const grow = (prefix: string, depth: number): void => {
    paths.add(prefix);
    if (depth === 4) return;
    for (const part of parts) grow(prefix + part, depth + 1);
  };
  grow("", 0);
  for (const p of paths) {
    assert.equal(posix.normalize(p), nodePath.posix.normalize(p), `normalize(${JSON.stringify(p)})`);
    assert.equal(posix.join("/x", p), nodePath.posix.join("/x", p), `join("/x", ${JSON.stringify(p)})`);
    assert.equal(posix.resolve("/x", p), nodePath.posix.resolve("/x", p), `resolve("/x", ${JSON.stringify(p)})`);
    assert.equal(posix.isAbsolute(p), nodePath.posix.isAbsolute(p), `isAbsolute(${JSON.stringify(p)})`);
  }
});
