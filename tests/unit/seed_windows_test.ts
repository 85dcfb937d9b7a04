/**
 * Seeding plans for Windows environments (planned here on Linux, with `path.win32`): the app-data seeder writes pip's
 * console scripts as `Scripts\*.exe` built from the seeded pip's own distlib launcher, lists them in RECORD as pip
 * does, and warns instead where that pip has no launchers (Debian strips them from its wheels). The images are real,
 * built from the wheels on this machine; the interpreters are the hand-written Windows fixtures.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { cpython3Win } from "../../lib/creator/cpython_win.ts";
import type { CreatorInput } from "../../lib/creator/creator.ts";
import type { PythonInfo } from "../../lib/discovery/py_info.ts";
import { win32 } from "../../lib/path.ts";
import type { PlanOp, WriteOp } from "../../lib/plan/ops.ts";
import { platformFor } from "../../lib/platform.ts";
import type { AcquiredWheel } from "../../lib/seeder/acquire.ts";
import { ensureImage, type Image, imageDir } from "../../lib/seeder/image.ts";
import { imageInstallOps, type ImageInstallOptions } from "../../lib/seeder/seeder.ts";
import { WheelInfoCache } from "../../lib/seeder/wheel_info.ts";
import { found, memoryHost, WIN_312, WINDOWS_FILES } from "../fixtures/hosts.ts";
import { PYENV_ROOT, skipIf, tempDir } from "../_helpers.ts";

const PIP26 = "/opt/pypi/files/pip-26.2.1-py3-none-any.whl";
/** Debian's pip wheel: distlib's .exe launchers removed. */
const DEBIAN_PIP = "/usr/share/python-wheels/pip-23.0.1-py3-none-any.whl";
/** The upstream pip 23.0.1 (distlib 0.3.6, launchers included) that pyenv's 3.9 bundles. */
const PIP23 = `${PYENV_ROOT}/versions/3.9.18/lib/python3.9/ensurepip/_bundled/pip-23.0.1-py3-none-any.whl`;
/** setuptools with console scripts (easy_install), from pyenv's 3.7. */
const SETUPTOOLS47 =
  `${PYENV_ROOT}/versions/3.7.16/lib/python3.7/ensurepip/_bundled/setuptools-47.1.0-py3-none-any.whl`;
const MISSING = [PIP26, DEBIAN_PIP, PIP23, SETUPTOOLS47].filter((f) => !existsSync(f));
const SKIP = skipIf(MISSING.length > 0, `missing wheels: ${MISSING.join(", ")}`);

const windows = platformFor("windows");
const WIN_312_ARM64: PythonInfo = {
  ...WIN_312,
  machine: "arm64",
  version: "3.12.7 (tags/v3.12.7:0b05ead, Oct  1 2024, 03:06:41) [MSC v.1941 64 bit (ARM64)]",
};
const WIN_312_32: PythonInfo = {
  ...WIN_312,
  bits: 32,
  machine: "x86",
  version: "3.12.7 (tags/v3.12.7:0b05ead, Oct  1 2024, 03:06:41) [MSC v.1941 32 bit (Intel)]",
};
/** 2024-04-05T19:34:38Z. */
const EPOCH = "1712345678";

function inputFor(info: PythonInfo, dest = "C:\\work\\env"): CreatorInput {
  return {
    dest,
    python: found(info),
    systemExecutableRealPath: info.systemExecutable,
    platform: windows,
    symlinks: false,
    systemSitePackages: false,
    prompt: undefined,
    host: memoryHost(win32, WINDOWS_FILES.WIN_312!),
  };
}

/** A wheel as acquisition hands it over, and its install image, built in `root`. */
async function prepared(root: string, file: string): Promise<{ wheel: AcquiredWheel; image: Image }> {
  const info = await new WheelInfoCache(`${root}/wheel_info`).get(file);
  const image = await ensureImage(imageDir(`${root}/images`, WIN_312.versionInfo, file, info.sha256), file);
  return { wheel: { path: file, source: "ensurepip", info }, image };
}

function plan(
  input: CreatorInput,
  seed: { wheel: AcquiredWheel; image: Image },
  options: ImageInstallOptions = {},
): { ops: PlanOp[]; warnings: string[] } {
  const warnings: string[] = [];
  const ops = imageInstallOps(input, cpython3Win.layout(input), seed.wheel, seed.image, "copy", {
    warn: (message) => warnings.push(message),
    ...options,
  });
  return { ops, warnings };
}

function exeWrites(ops: readonly PlanOp[]): WriteOp[] {
  return ops.filter((o): o is WriteOp => o.op === "write" && o.path.endsWith(".exe"));
}

function recordOf(ops: readonly PlanOp[]): string[] {
  const record = ops.find((o): o is WriteOp => o.op === "write" && o.path.endsWith("\\RECORD"));
  assert.ok(record && typeof record.content === "string");
  return record.content.split("\n");
}

function launcherOf(image: Image, name: string): Uint8Array {
  return Deno.readFileSync(`${image.site}/pip/_vendor/distlib/${name}`);
}

/** The zip entry's DOS time and date words, after launcher and shebang. */
function zipTimeDate(content: Uint8Array, zipStart: number): [number, number] {
  const view = new DataView(content.buffer, content.byteOffset + zipStart);
  assert.equal(view.getUint32(0, true), 0x04034b50);
  return [view.getUint16(10, true), view.getUint16(12, true)];
}

Deno.test({
  name: "a Windows plan writes pip's Scripts\\*.exe from the seeded pip's t64.exe, with pip's RECORD lines",
  ignore: SKIP,
  async fn() {
    await using tmp = await tempDir();
    const pip = await prepared(tmp.path, PIP26);
    const input = inputFor(WIN_312);
    const { ops, warnings } = plan(input, pip, { sourceDateEpoch: EPOCH });
    assert.deepEqual(warnings, []);
    const exes = exeWrites(ops);
    assert.deepEqual(exes.map((o) => o.path), [
      "C:\\work\\env\\Scripts\\pip.exe",
      "C:\\work\\env\\Scripts\\pip3.exe",
      "C:\\work\\env\\Scripts\\pip3.12.exe",
    ]);
    const launcher = launcherOf(pip.image, "t64.exe");
    const shebang = new TextEncoder().encode("#!C:\\work\\env\\Scripts\\python.exe\n");
    for (const op of exes) {
      assert.ok(op.content instanceof Uint8Array, "bytes, not text");
      assert.equal(op.mode, undefined, "pip sets no mode on Windows");
      assert.deepEqual(op.content.subarray(0, launcher.length), launcher);
      assert.deepEqual(op.content.subarray(launcher.length, launcher.length + shebang.length), shebang);
      // SOURCE_DATE_EPOCH (UTC 2024-04-05 19:34:38) as DOS time and date.
      assert.deepEqual(zipTimeDate(op.content, launcher.length + shebang.length), [
        (19 << 11) | (34 << 5) | 19,
        ((2024 - 1980) << 9) | (4 << 5) | 5,
      ]);
    }
    // The same three files: one entry point, one launcher, one time.
    assert.deepEqual(exes[1]!.content, exes[0]!.content);

    const lines = recordOf(ops);
    for (const op of exes) {
      const bytes = op.content as Uint8Array;
      const digest = createHash("sha256").update(bytes).digest("base64url");
      const line = `../../Scripts/${win32.basename(op.path)},sha256=${digest},${bytes.length}`;
      assert.ok(lines.includes(line), `RECORD lists ${line}`);
    }
    assert.equal(lines.filter((l) => l.startsWith("../../Scripts/")).length, 3);
  },
});

Deno.test({
  name: "the launcher follows the interpreter: t64-arm.exe for ARM64, t32.exe for 32-bit",
  ignore: SKIP,
  async fn() {
    await using tmp = await tempDir();
    const pip = await prepared(tmp.path, PIP26);
    for (const [info, name] of [[WIN_312_ARM64, "t64-arm.exe"], [WIN_312_32, "t32.exe"]] as const) {
      const { ops } = plan(inputFor(info), pip, { sourceDateEpoch: EPOCH });
      const launcher = launcherOf(pip.image, name);
      const exes = exeWrites(ops);
      assert.equal(exes.length, 3);
      for (const op of exes) assert.deepEqual((op.content as Uint8Array).subarray(0, launcher.length), launcher, name);
    }
  },
});

Deno.test({
  name: "an older pip's distlib gives its own shebang line end (\\n\\r\\n before distlib 0.3.9)",
  ignore: SKIP,
  async fn() {
    await using tmp = await tempDir();
    const pip = await prepared(tmp.path, PIP23);
    const { ops, warnings } = plan(inputFor(WIN_312, "C:\\My envs\\env"), pip, { sourceDateEpoch: EPOCH });
    assert.deepEqual(warnings, []);
    const launcher = launcherOf(pip.image, "t64.exe");
    const shebang = '#!"C:\\My envs\\env\\Scripts\\python.exe"\n\r\nPK';
    for (const op of exeWrites(ops)) {
      const content = op.content as Uint8Array;
      assert.equal(
        new TextDecoder().decode(content.subarray(launcher.length, launcher.length + shebang.length)),
        shebang,
      );
    }
  },
});

Deno.test({
  name: "a pip without launchers (Debian's) writes no .exe and warns",
  ignore: SKIP,
  async fn() {
    await using tmp = await tempDir();
    const pip = await prepared(tmp.path, DEBIAN_PIP);
    const { ops, warnings } = plan(inputFor(WIN_312), pip);
    assert.deepEqual(exeWrites(ops), []);
    assert.deepEqual(warnings, [
      'pip 23.0.1 has no Windows launchers (pip/_vendor/distlib/t64.exe); use "python -m pip"',
    ]);
    assert.deepEqual(recordOf(ops).filter((l) => l.startsWith("../../Scripts/")), []);
  },
});

Deno.test({
  name: "another seed's console scripts take the seeded pip's launchers, and are left out without one",
  ignore: SKIP,
  async fn() {
    await using tmp = await tempDir();
    const pip = await prepared(tmp.path, PIP26);
    const setuptools = await prepared(tmp.path, SETUPTOOLS47);
    const input = inputFor(WIN_312);
    const launcherPip = { image: pip.image, version: "26.2.1" };
    const withPip = plan(input, setuptools, { launcherPip, sourceDateEpoch: EPOCH });
    assert.deepEqual(withPip.warnings, []);
    const exes = exeWrites(withPip.ops);
    assert.deepEqual(exes.map((o) => win32.basename(o.path)), ["easy_install.exe", "easy_install-3.12.exe"]);
    const launcher = launcherOf(pip.image, "t64.exe");
    for (const op of exes) assert.deepEqual((op.content as Uint8Array).subarray(0, launcher.length), launcher);

    const withoutPip = plan(input, setuptools);
    assert.deepEqual(exeWrites(withoutPip.ops), []);
    assert.deepEqual(withoutPip.warnings, [
      "no pip is seeded to provide Windows launchers: setuptools 47.1.0's easy_install.exe, easy_install-3.12.exe " +
      "not written",
    ]);

    const debian = await prepared(tmp.path, DEBIAN_PIP);
    const strippedPip = plan(input, setuptools, { launcherPip: { image: debian.image, version: "23.0.1" } });
    assert.deepEqual(exeWrites(strippedPip.ops), []);
    assert.deepEqual(strippedPip.warnings, [
      "pip 23.0.1 has no Windows launchers (pip/_vendor/distlib/t64.exe): setuptools 47.1.0's easy_install.exe, " +
      "easy_install-3.12.exe not written",
    ]);
  },
});
