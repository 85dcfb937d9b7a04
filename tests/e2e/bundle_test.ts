/**
 * End to end: the distributable forms of the CLI. `cli.ts` bundled into one JavaScript file (`deno bundle`, the wheel
 * reader and every dynamically imported module inside it) creates a working environment with pip seeded from a cold app-data
 * folder, run with `--no-config` from another folder; and `scripts/compile.ts` (`deno task compile`) reports a runtime
 * it cannot have in one line naming the target and what to do, never embeds `DENORT_BIN` into another target's
 * binary, and refuses a binary that does not run mkvenv. When a `deno compile` runtime for this machine is at hand
 * (`DENORT_BIN`, or one cached in `DENO_DIR` by an earlier download), the compiled binary creates an environment too.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { pathToFileURL } from "node:url";
import { cleanEnv, CONFIG, DENO_DIR, pyenvPython, realPythons, ROOT, run, skipIf, tempDir } from "../_helpers.ts";
import { MKVENV_VERSION } from "../../lib/version.ts";
import { TARGETS, targetVar } from "../../scripts/compile.ts";
import { V8_FLAGS } from "../../scripts/v8_flags.ts";

const DENO = Deno.execPath();
const COMPILE = path.join(ROOT, "scripts", "compile.ts");
const HOST = Deno.build.target;
/** An interpreter with a pip wheel on this machine: pyenv's 3.12 (ensurepip's), Debian's (python3-pip-whl), else any. */
const PY = pyenvPython("3.12") ?? realPythons().find((p) => p.label.startsWith("debian"))?.exe ?? realPythons()[0]?.exe;
/** Linux's venv layout is what the checks below read. */
const POSIX = Deno.build.os !== "windows";

function exists(file: string): boolean {
  try {
    Deno.statSync(file);
    return true;
  } catch {
    return false;
  }
}

/** Checks DEST is a working environment for `python`: pip runs from DEST, the activation script activates it. */
async function assertWorkingVenv(dest: string, home: string): Promise<void> {
  assert.ok(exists(path.join(dest, "pyvenv.cfg")), "pyvenv.cfg written");
  assert.ok(exists(path.join(dest, "bin", "activate")), "activation script written");
  // pip the way a user runs it: only PATH and HOME, none of this shell's PIP_* and PYTHON* variables.
  const user = { PATH: "/usr/bin:/bin", HOME: home };
  const pip = await run(path.join(dest, "bin", "pip"), ["--version"], { cwd: home, env: user });
  assert.equal(pip.code, 0, pip.stderr);
  assert.match(pip.stdout, /^pip \S+ from (\S+) \(python 3\.\d+\)\n$/);
  const from = /from (\S+) /.exec(pip.stdout)![1]!;
  assert.ok(from.startsWith(path.join(dest, "lib") + path.sep), `pip runs from the environment: ${pip.stdout}`);
  const activated = await run("/bin/sh", [
    "-c",
    '. "$1/bin/activate" && python -c "import sys; print(sys.prefix)"',
    "sh",
    dest,
  ], { cwd: home, env: user });
  assert.equal(activated.code, 0, activated.stderr);
  assert.equal(activated.stdout, `${dest}\n`);
}

/** The modules whose V8 code cache `denoDir` holds. */
function codeCached(denoDir: string): string[] {
  const file = path.join(denoDir, "v8_code_cache_v2");
  if (!exists(file)) return [];
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return db.prepare("SELECT specifier FROM codecache").all().map((row) => String(row.specifier)).sort();
  } finally {
    db.close();
  }
}

Deno.test({
  name: "e2e bundle: Deno's code cache is written on a build's first run, and again by a run that finds it deleted",
  ignore: skipIf(!PY || !POSIX, "no Python interpreter on this machine, or not POSIX"),
  async fn() {
    await using tmp = await tempDir("mkvenv_code_cache_");
    const out = path.join(tmp.path, "dist");
    // As the benchmark and the compiled binary run it: split into chunks, with the binary's V8 flags.
    const built = await run(DENO, [
      "bundle",
      "--quiet",
      "--code-splitting",
      "--config",
      CONFIG,
      "--outdir",
      out,
      "cli.ts",
    ], {
      cwd: ROOT,
    });
    assert.equal(built.code, 0, built.stderr);
    const denoDir = path.join(tmp.path, "deno-dir");
    const appData = path.join(tmp.path, "app-data");
    const create = async (name: string): Promise<void> => {
      const args = ["run", "-A", "--no-config", `--v8-flags=${V8_FLAGS}`, path.join(out, "cli.js")];
      const r = await run(DENO, [...args, path.join(tmp.path, name), "--no-seed", "-p", PY!, "--app-data", appData], {
        cwd: tmp.path,
        env: { PATH: "/usr/bin:/bin", HOME: tmp.path, DENO_DIR: denoDir, DENO_NO_UPDATE_CHECK: "1" },
      });
      assert.equal(r.code, 0, r.stderr);
    };
    // The modules a run loads: cli.js and the chunks it imports statically (the others load on demand).
    const imported = [
      ...Deno.readTextFileSync(path.join(out, "cli.js")).matchAll(/^(?:import .*|\}) from "\.\/([^"]+)";$/gm),
    ];
    assert.ok(imported.length > 0, "cli.js imports a shared chunk");
    const startup = ["cli.js", ...imported.map((m) => m[1]!)].map((name) => pathToFileURL(path.join(out, name)).href)
      .sort();

    const record = path.join(appData, "mkvenv-v1", "builds", `${MKVENV_VERSION}+deno${Deno.version.deno}-bundle`);
    await create("first");
    assert.equal(Deno.readTextFileSync(record), "", "the build's first run is recorded");
    assert.deepEqual(codeCached(denoDir).filter((url) => startup.includes(url)), startup);

    // The next runs read the cache: how long their modules took to load becomes the measure (the shortest counts).
    await create("second");
    await create("second-again");
    const measure = Number.parseFloat(Deno.readTextFileSync(record));
    assert.ok(measure > 0, `a load time is recorded: ${Deno.readTextFileSync(record)}`);

    // Deno's cache emptied (deno clean, a cleared temporary folder): the next run compiles, and writes it again.
    for (const name of Deno.readDirSync(denoDir)) {
      if (name.name.startsWith("v8_code_cache")) Deno.removeSync(path.join(denoDir, name.name));
    }
    assert.deepEqual(codeCached(denoDir), []);
    await create("third");
    assert.deepEqual(codeCached(denoDir).filter((url) => startup.includes(url)), startup);
  },
});

/** Runs `scripts/compile.ts` as `deno task compile` does, into `outDir`. */
function compile(args: string[], env: Record<string, string>, outDir: string) {
  return run(DENO, ["run", "-A", "--config", CONFIG, COMPILE, "--out-dir", outDir, ...args], {
    cwd: ROOT,
    env: cleanEnv(env),
  });
}

/** Asserts the build failed with exactly one `error: ...` line on stderr, and returns that line. */
function oneErrorLine(r: { code: number; stdout: string; stderr: string }): string {
  assert.equal(r.code, 1, `exit 1 expected:\n${r.stdout}${r.stderr}`);
  const lines = r.stderr.split("\n").filter((l) => l !== "");
  assert.equal(lines.length, 1, `one line expected on stderr:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /Stack backtrace|^\s+at /m);
  assert.match(lines[0]!, /^error: /);
  return lines[0]!;
}

Deno.test({
  name:
    "e2e bundle: cli.ts as one bundled file (wheel reader inside) creates a venv with a working pip, from elsewhere",
  ignore: skipIf(!PY || !POSIX, "no Python interpreter on this machine, or not POSIX"),
  async fn() {
    await using tmp = await tempDir("mkvenv_bundle_");
    const bundle = path.join(tmp.path, "dist", "mkvenv.js");
    const built = await run(DENO, ["bundle", "--quiet", "--config", CONFIG, "-o", bundle, path.join(ROOT, "cli.ts")], {
      cwd: ROOT,
    });
    assert.equal(built.code, 0, built.stderr);
    // One self-contained file: no import left for the npm dependency or for another module of the checkout.
    const text = await Deno.readTextFile(bundle);
    assert.doesNotMatch(
      text,
      /\bfrom\s*["'](?:npm:|@zip\.js|\.{1,2}\/)|\bimport\s*\(\s*["'](?:npm:|@zip\.js|\.{1,2}\/)/,
    );
    assert.deepEqual([...Deno.readDirSync(path.dirname(bundle))].map((e) => e.name), ["mkvenv.js"]);

    // Run from a folder with no deno.json above it, without any configuration.
    const work = path.join(tmp.path, "work");
    await Deno.mkdir(work);
    const cmd = ["run", "-A", "--no-config", bundle];
    const version = await run(DENO, [...cmd, "--version"], { cwd: work });
    assert.equal(version.code, 0, version.stderr);
    assert.equal(version.stdout, `mkvenv ${MKVENV_VERSION}\n`);

    // A cold app-data folder: the install image is built, so the wheel reader runs from the bundle.
    const dest = path.join(work, "env");
    const appData = path.join(tmp.path, "app-data");
    const r = await run(DENO, [...cmd, "env", "-p", PY!, "--app-data", appData, "--no-periodic-update", "--json"], {
      cwd: work,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(JSON.stringify(JSON.parse(r.stdout)), /"name":"pip"/, "the report names the seeded pip");
    assert.ok(exists(path.join(appData, "mkvenv-v1", "images")), "an install image was built");
    await assertWorkingVenv(dest, tmp.path);
  },
});

Deno.test({
  name: "e2e compile: a DENORT_BIN that is not a file fails in one line naming the target and what to do",
  async fn() {
    await using tmp = await tempDir("mkvenv_compile_");
    const missing = path.join(tmp.path, "nowhere", "denort");
    const r = await compile(["--target", "host"], { DENORT_BIN: missing }, path.join(tmp.path, "dist"));
    const line = oneErrorLine(r);
    assert.equal(
      line,
      `error: ${HOST}: DENORT_BIN names ${missing}, which is not a file; set DENORT_BIN (or ` +
        `${targetVar(HOST)}) to denort ${Deno.version.deno} for this target ` +
        `(denort-${HOST}.zip from the Deno release), or build where dl.deno.land is reachable, as the release ` +
        `workflow does`,
    );
    assert.equal(r.stdout, "");
  },
});

/** Where `deno compile` caches the runtime it downloads for `target`. */
function cachedRuntime(target: string): string {
  return path.join(DENO_DIR, "dl", "release", `v${Deno.version.deno}`, `denort-${target}.zip`);
}
/** A target other than this machine's whose runtime is not cached here. */
const UNCACHED = TARGETS.find((t) => t !== HOST && !exists(cachedRuntime(t)));

Deno.test({
  name: "e2e compile: a runtime that cannot be downloaded fails in one line; DENORT_BIN is not used for other targets",
  ignore: skipIf(!UNCACHED, "every other target's runtime is cached in DENO_DIR"),
  async fn() {
    await using tmp = await tempDir("mkvenv_compile_");
    const other = UNCACHED!;
    const outDir = path.join(tmp.path, "dist");
    // A proxy that refuses every connection: the download fails the same way wherever the test runs, networked or
    // not (the npm dependency comes from Deno's cache).
    const proxy = "http://127.0.0.1:9";
    const r = await compile(["--target", other], {
      HTTPS_PROXY: proxy,
      HTTP_PROXY: proxy,
      DENORT_BIN: DENO, // the host's: must not end up in another target's binary
    }, outDir);
    const line = oneErrorLine(r);
    const url = `https://dl.deno.land/release/v${Deno.version.deno}/denort-${other}.zip`;
    assert.ok(line.startsWith(`error: ${other}: deno compile could not download its runtime (${url}: `), line);
    assert.ok(
      line.endsWith(
        `); set ${targetVar(other)} to denort ${Deno.version.deno} for this ` +
          `target (denort-${other}.zip from the Deno release), or build where dl.deno.land is reachable, as the ` +
          `release workflow does`,
      ),
      line,
    );
    assert.deepEqual([...Deno.readDirSync(outDir)], [], "nothing left in the output folder");
  },
});

Deno.test({
  name: "e2e compile: a host binary that does not run mkvenv (DENORT_BIN is deno, not denort) is refused and removed",
  async fn() {
    await using tmp = await tempDir("mkvenv_compile_");
    const outDir = path.join(tmp.path, "dist");
    const r = await compile(["--target", "host"], { DENORT_BIN: DENO }, outDir);
    const line = oneErrorLine(r);
    assert.ok(line.startsWith(`error: ${HOST}: the binary does not work: \``), line);
    assert.match(line, /--version` printed "deno \d/);
    assert.ok(line.includes(`DENORT_BIN=${DENO} is not denort; set DENORT_BIN`), line);
    assert.deepEqual([...Deno.readDirSync(outDir)], [], "the broken binary was removed");
  },
});

/** A runtime `deno compile` can use for this machine without the network: DENORT_BIN, or a cached download. */
function hostRuntime(): string | undefined {
  const given = Deno.env.get("DENORT_BIN");
  if (given && exists(given)) return given;
  return exists(cachedRuntime(HOST)) ? cachedRuntime(HOST) : undefined;
}
const RUNTIME = hostRuntime();

Deno.test({
  name: "e2e compile: the compiled host binary creates a venv with a working pip",
  ignore: skipIf(
    !RUNTIME || !PY || !POSIX,
    `no denort ${Deno.version.deno} for ${HOST} here (set DENORT_BIN, or run \`deno task compile --target host\` ` +
      "where dl.deno.land is reachable, which caches it), or no Python",
  ),
  async fn() {
    await using tmp = await tempDir("mkvenv_compile_");
    const outDir = path.join(tmp.path, "dist");
    const given = Deno.env.get("DENORT_BIN");
    const r = await compile(["--target", "host"], given ? { DENORT_BIN: given } : {}, outDir);
    assert.equal(r.code, 0, r.stderr);
    const binary = path.join(outDir, `mkvenv-${HOST}`);
    const sums = await Deno.readTextFile(path.join(outDir, "SHA256SUMS"));
    assert.match(sums, new RegExp(`^[0-9a-f]{64}  mkvenv-${HOST}\n$`));

    const work = path.join(tmp.path, "work");
    await Deno.mkdir(work);
    const dest = path.join(work, "env");
    const appData = path.join(tmp.path, "app-data");
    const created = await run(binary, [dest, "-p", PY!, "--app-data", appData, "--no-periodic-update"], {
      cwd: work,
      env: { PATH: "/usr/bin:/bin", HOME: tmp.path },
    });
    assert.equal(created.code, 0, created.stderr);
    await assertWorkingVenv(dest, tmp.path);
  },
});
