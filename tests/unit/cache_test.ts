import assert from "node:assert/strict";
import path from "node:path";
import { FAILURE_TTL_MS, fingerprintOf, PyInfoCache } from "../../lib/discovery/cache.ts";
import { PYENV_312 as CPYTHON_312_LINUX } from "../fixtures/hosts.ts";
import { tempDir } from "../_helpers.ts";

async function setup(dir: string) {
  const exe = path.join(dir, "python3");
  await Deno.writeTextFile(exe, "#!/bin/sh\n", { mode: 0o755 });
  const base = path.join(dir, "base-python");
  await Deno.writeTextFile(base, "#!/bin/sh\n", { mode: 0o755 });
  const info = { ...CPYTHON_312_LINUX, systemExecutable: base };
  return { exe, base, info };
}

Deno.test("PyInfoCache.get() returns what set() stored while the file is unchanged", async () => {
  await using tmp = await tempDir();
  const { exe, info } = await setup(tmp.path);
  const cache = new PyInfoCache(path.join(tmp.path, "cache"), { scriptSha256: "s1" });
  const fp = fingerprintOf(exe)!;
  assert.equal(cache.get(exe, fp), undefined);
  cache.set(exe, fp, { ok: true, info });
  assert.deepEqual(cache.get(exe, fingerprintOf(exe)!), { ok: true, info });
  // Another process (a new cache object) reads the same entry.
  assert.deepEqual(new PyInfoCache(path.join(tmp.path, "cache"), { scriptSha256: "s1" }).get(exe, fp), {
    ok: true,
    info,
  });
});

Deno.test("PyInfoCache.get() misses after the file's mtime, size or inode changes", async () => {
  await using tmp = await tempDir();
  const { exe, info } = await setup(tmp.path);
  const cache = new PyInfoCache(path.join(tmp.path, "cache"), { scriptSha256: "s1" });
  cache.set(exe, fingerprintOf(exe)!, { ok: true, info });
  await Deno.utime(exe, new Date(), new Date(Date.now() + 60_000));
  assert.equal(cache.get(exe, fingerprintOf(exe)!), undefined, "mtime");
  cache.set(exe, fingerprintOf(exe)!, { ok: true, info });
  const mtime = (await Deno.stat(exe)).mtime!;
  await Deno.writeTextFile(exe, "#!/bin/sh\n# upgraded\n");
  await Deno.utime(exe, mtime, mtime);
  assert.equal(cache.get(exe, fingerprintOf(exe)!), undefined, "size");
  cache.set(exe, fingerprintOf(exe)!, { ok: true, info });
  // Same bytes, same mtime, new inode: a reinstall by rename, which keeps size and mtime.
  const replacement = `${exe}.new`;
  await Deno.writeFile(replacement, await Deno.readFile(exe), { mode: 0o755 });
  await Deno.utime(replacement, mtime, mtime);
  await Deno.rename(replacement, exe);
  assert.notEqual(fingerprintOf(exe)!.ino, JSON.parse(await Deno.readTextFile(cache.fileFor(exe)!)).fingerprint.ino);
  assert.equal(cache.get(exe, fingerprintOf(exe)!), undefined, "inode");
});

Deno.test("PyInfoCache.get() misses when the file behind a link changes or the script changes", async () => {
  await using tmp = await tempDir();
  const { exe, base, info } = await setup(tmp.path);
  const link = path.join(tmp.path, "python");
  await Deno.symlink(exe, link);
  const cache = new PyInfoCache(path.join(tmp.path, "cache"), { scriptSha256: "s1" });
  cache.set(link, fingerprintOf(link)!, { ok: true, info });
  assert.ok(cache.get(link, fingerprintOf(link)!));
  await Deno.remove(link);
  await Deno.symlink(base, link); // re-pointed: virtualenv's cache would still hit (it keys on the link's mtime)
  assert.equal(cache.get(link, fingerprintOf(link)!), undefined);
  cache.set(link, fingerprintOf(link)!, { ok: true, info });
  const newScript = new PyInfoCache(path.join(tmp.path, "cache"), { scriptSha256: "s2" });
  assert.equal(newScript.get(link, fingerprintOf(link)!), undefined);
});

Deno.test("PyInfoCache.get() drops an answer whose base interpreter is gone", async () => {
  await using tmp = await tempDir();
  const { exe, base, info } = await setup(tmp.path);
  const cache = new PyInfoCache(path.join(tmp.path, "cache"), { scriptSha256: "s1" });
  cache.set(exe, fingerprintOf(exe)!, { ok: true, info });
  await Deno.remove(base);
  assert.equal(cache.get(exe, fingerprintOf(exe)!), undefined);
});

Deno.test("PyInfoCache keeps failures briefly and 'too old' verdicts while the file is unchanged", async () => {
  await using tmp = await tempDir();
  const { exe } = await setup(tmp.path);
  let now = 1_000_000;
  const cache = new PyInfoCache(path.join(tmp.path, "cache"), { scriptSha256: "s1", now: () => now });
  const fp = fingerprintOf(exe)!;
  cache.set(exe, fp, { ok: false, reason: "timed out" });
  now += FAILURE_TTL_MS - 1;
  assert.deepEqual(cache.get(exe, fp), { ok: false, reason: "timed out" });
  now += 2;
  assert.equal(cache.get(exe, fp), undefined);
  cache.set(exe, fp, { ok: false, reason: "Python 2.7.18", unsupported: true });
  now += 100 * FAILURE_TTL_MS;
  assert.deepEqual(cache.get(exe, fp), { ok: false, reason: "Python 2.7.18", unsupported: true });
});

Deno.test("PyInfoCache ignores torn files and unwritable folders", async () => {
  await using tmp = await tempDir();
  const { exe, info } = await setup(tmp.path);
  const cache = new PyInfoCache(path.join(tmp.path, "cache"), { scriptSha256: "s1" });
  await Deno.mkdir(path.join(tmp.path, "cache"));
  await Deno.writeTextFile(cache.fileFor(exe)!, '{"path": "trunc');
  assert.equal(cache.get(exe, fingerprintOf(exe)!), undefined);
  const blocked = new PyInfoCache(path.join(exe, "not-a-dir"), { scriptSha256: "s1" });
  blocked.set(exe, fingerprintOf(exe)!, { ok: true, info }); // must not throw
  assert.equal(new PyInfoCache(undefined, { scriptSha256: "s1" }).get(exe, fingerprintOf(exe)!), undefined);
});
