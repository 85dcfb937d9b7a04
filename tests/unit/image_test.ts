/** Removing a damaged app-data image: only an image's own folder in the images root, and only while still damaged. */
import assert from "node:assert/strict";
import path from "node:path";
import { discardDamagedImage } from "../../lib/seeder/image.ts";
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
