/**
 * App-data images: removing a damaged one (only an image's own folder in the images root, and only while still
 * damaged), and the lock of a background compile.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { compiledFiles, compileImageInBackground, discardDamagedImage } from "../../lib/seeder/image.ts";
import type { ImageManifest } from "../../lib/seeder/image.ts";
import { lstatOrUndefined } from "../../lib/app_data.ts";
import { tempDir } from "../_helpers.ts";

Deno.test("discardDamagedImage() removes an image still missing the file, and nothing else", async () => {
  await using tmp = await tempDir();
  const root = path.join(tmp.path, "images");
  const image = path.join(root, "3.12", "pip-26.2.1-py3-none-any");
  const site = path.join(image, "site");
  const sibling = path.join(root, "3.12", "setuptools-84.0.0-py3-none-any", "site");
  for (const dir of [path.join(site, "pip"), sibling]) await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(path.join(site, "pip", "__init__.py"), "");
  const wheels = path.join(tmp.path, "wheels", "site");
  await Deno.mkdir(wheels, { recursive: true });

  // Not an image's site folder in the root: kept, whatever the spelling.
  for (const other of [wheels, path.join(root, "..", "wheels", "site"), path.join(root, "3.12", "site")]) {
    assert.equal(discardDamagedImage(other, "x.py", root), "kept", other);
  }
  assert.equal(
    discardDamagedImage(`${root}/3.12/../3.12/pip-26.2.1-py3-none-any/../../../wheels/site`, "x", root),
    "kept",
  );
  // The file is there (another run built the image again meanwhile): kept, and reported as replaced.
  assert.equal(discardDamagedImage(site, "pip/__init__.py", root), "replaced");
  assert.ok((await Deno.stat(site)).isDirectory);
  // Still missing: the image goes, its sibling and the rest of the cache stay.
  assert.equal(discardDamagedImage(site, "pip/__main__.py", root), "discarded");
  assert.deepEqual([...Deno.readDirSync(path.join(root, "3.12"))].map((e) => e.name), [
    "setuptools-84.0.0-py3-none-any",
  ]);
  assert.ok((await Deno.stat(wheels)).isDirectory);
  // Gone (another run is building it again): nothing to do.
  assert.equal(discardDamagedImage(site, "pip/__main__.py", root), "replaced");
});

Deno.test({
  name: "compileImageInBackground() takes over a lock whose compile is gone, and waits for one still running",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    await using tmp = await tempDir();
    const site = path.join(tmp.path, "image", "site");
    await Deno.mkdir(site, { recursive: true });
    await Deno.writeTextFile(path.join(site, "m.py"), "X = 1\n");
    const image = { site, manifest: {} as ImageManifest };
    const tag = "cpython-test";
    const lock = path.join(tmp.path, "image", `compiling.${tag}`);
    // A stand-in interpreter that waits a little, then compiles with the machine's python3.
    const python = path.join(tmp.path, "python");
    await Deno.writeTextFile(python, '#!/bin/sh\nsleep 1\nexec python3 "$@"\n');
    await Deno.chmod(python, 0o755);

    // An empty lock is a compile starting, and a lock naming a running process a compile at work: both wait.
    await Deno.writeTextFile(lock, "");
    assert.equal(compileImageInBackground(image, python, tag), false);
    const sleeper = new Deno.Command("sleep", { args: ["30"] }).spawn();
    try {
      await Deno.writeTextFile(lock, String(sleeper.pid));
      assert.equal(compileImageInBackground(image, python, tag), false);
    } finally {
      sleeper.kill();
      await sleeper.status;
    }
    // The same lock, fresh, once its process is gone: taken over, and the new lock names the compile.
    assert.equal(compileImageInBackground(image, python, tag), true);
    const holder = Number(await Deno.readTextFile(lock));
    assert.notEqual(holder, sleeper.pid);
    assert.ok(Deno.statSync(`/proc/${holder}`).isDirectory);
    const deadline = Date.now() + 30_000;
    while (compiledFiles(image, tag) === undefined) {
      assert.ok(Date.now() < deadline, "the compile did not finish");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(compiledFiles(image, tag)!.some((f) => /^__pycache__\/m\..+\.pyc$/.test(f)));
    assert.equal(lstatOrUndefined(lock), undefined);
  },
});
