/**
 * The PATH folder listings kept across runs: kept while a folder's modification time stands, listed again when it
 * moves, never kept when the folder changed within two seconds of the listing, and kept apart per filter.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { FolderNames } from "../../lib/discovery/folder_names.ts";
import { tempDir } from "../_helpers.ts";

const keepPy = (name: string): boolean => name.startsWith("py");

/** Sets `dir`'s modification time to `ms`, as if nothing had changed in it since then. */
function setMtime(dir: string, ms: number): void {
  Deno.utimeSync(dir, new Date(ms), new Date(ms));
}

Deno.test("FolderNames keeps a listing while the folder's time stands, and lists again once it moves", async () => {
  await using tmp = await tempDir();
  const bin = path.join(tmp.path, "bin");
  Deno.mkdirSync(bin);
  for (const name of ["python3", "perl", "pypy3"]) Deno.writeTextFileSync(path.join(bin, name), "");
  const then = Date.now() - 60_000;
  setMtime(bin, then);
  const file = path.join(tmp.path, "cache", "path_folders.json");

  assert.deepEqual([...new FolderNames(file).list(bin, "py", keepPy)!].sort(), ["pypy3", "python3"]);
  assert.ok(Deno.statSync(file).isFile, "the listing is kept");

  // A name added behind the folder's time (which a real change would move): the kept listing answers.
  Deno.writeTextFileSync(path.join(bin, "python3.13"), "");
  setMtime(bin, then);
  assert.deepEqual([...new FolderNames(file).list(bin, "py", keepPy)!].sort(), ["pypy3", "python3"]);
  // Another filter has its own listing.
  assert.deepEqual([...new FolderNames(file).list(bin, "pe", (n) => n.startsWith("pe"))!], ["perl"]);

  // The folder's time moves: it is listed again.
  setMtime(bin, then + 1000);
  assert.deepEqual([...new FolderNames(file).list(bin, "py", keepPy)!].sort(), ["pypy3", "python3", "python3.13"]);

  assert.equal(new FolderNames(file).list(path.join(tmp.path, "missing"), "py", keepPy), undefined);
  assert.equal(new FolderNames(file).list(path.join(bin, "perl"), "py", keepPy), undefined, "a file, not a folder");
});

Deno.test("FolderNames does not keep a folder changed within two seconds, nor write when read-only", async () => {
  await using tmp = await tempDir();
  const bin = path.join(tmp.path, "bin");
  Deno.mkdirSync(bin);
  Deno.writeTextFileSync(path.join(bin, "python3"), "");
  const changed = Date.now() - 60_000;
  setMtime(bin, changed);
  const file = path.join(tmp.path, "path_folders.json");

  // Listed 1.5 s after the change: another change in the same clock tick could still come.
  new FolderNames(file, { now: () => changed + 1500 }).list(bin, "py", keepPy);
  Deno.writeTextFileSync(path.join(bin, "python3.12"), "");
  setMtime(bin, changed);
  assert.deepEqual([...new FolderNames(file).list(bin, "py", keepPy)!].sort(), ["python3", "python3.12"]);

  const readOnly = path.join(tmp.path, "read-only.json");
  new FolderNames(readOnly, { readOnly: true }).list(bin, "py", keepPy);
  assert.throws(() => Deno.statSync(readOnly), Deno.errors.NotFound);
});

Deno.test("FolderNames ignores a damaged file and replaces it", async () => {
  await using tmp = await tempDir();
  const bin = path.join(tmp.path, "bin");
  Deno.mkdirSync(bin);
  Deno.writeTextFileSync(path.join(bin, "python3"), "");
  setMtime(bin, Date.now() - 60_000);
  const file = path.join(tmp.path, "path_folders.json");
  for (const damaged of ['{"version": 1, "folders": {', '{"version": 2, "folders": {}}', "null"]) {
    Deno.writeTextFileSync(file, damaged);
    assert.deepEqual(new FolderNames(file).list(bin, "py", keepPy), ["python3"], damaged);
    assert.equal(JSON.parse(Deno.readTextFileSync(file)).version, 1, damaged);
  }
});

Deno.test("FolderNames drops the listings of folders that are gone when it writes", async () => {
  await using tmp = await tempDir();
  const file = path.join(tmp.path, "path_folders.json");
  const then = Date.now() - 60_000;
  const folder = (name: string): string => {
    const dir = path.join(tmp.path, name);
    Deno.mkdirSync(dir);
    Deno.writeTextFileSync(path.join(dir, "python3"), "");
    setMtime(dir, then);
    return dir;
  };
  const kept = folder("kept");
  const gone = folder("gone");
  new FolderNames(file).list(kept, "py", keepPy);
  new FolderNames(file).list(gone, "py", keepPy);
  const keys = () =>
    Object.keys(JSON.parse(Deno.readTextFileSync(file)).folders).map((k) => k.split("\u0000")[1]).sort();
  assert.deepEqual(keys(), [gone, kept].sort());
  Deno.removeSync(gone, { recursive: true });
  new FolderNames(file).list(kept, "py", keepPy); // a kept listing: nothing written
  assert.deepEqual(keys(), [gone, kept].sort());
  new FolderNames(file).list(folder("new"), "py", keepPy);
  assert.deepEqual(keys(), [kept, path.join(tmp.path, "new")].sort());
});
