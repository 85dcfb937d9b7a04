/**
 * End to end: a program registers one of each extension (a discovery source finding an interpreter kept where no
 * built-in source looks, a creator, a seeder and an activator) through mod.ts, and creates environments with them
 * through `createVenv` and, in-process, `runCli`; the environment's python then runs the seeded package.
 */
import assert from "node:assert/strict";
import path from "node:path";
import {
  type Activator,
  createVenv,
  type Creator,
  type DiscoverySource,
  registerActivator,
  registerCreator,
  registerDiscoverySource,
  registerSeeder,
  type Registration,
  runCli,
  type Seeder,
  selectCreator,
} from "../../mod.ts";
import { pyenvPython, run, skipIf, tempDir } from "../_helpers.ts";

const PY312 = pyenvPython("3.12");
const SKIP = skipIf(!PY312, "pyenv 3.12 missing");

/** An interpreter hidden in a folder no built-in source searches: a link named `snake` to pyenv's 3.12. */
function hiddenPython(dir: string): DiscoverySource & { exe: string } {
  const exe = path.join(dir, "snake");
  Deno.symlinkSync(PY312!, exe);
  return { name: "test-hidden", exe, candidates: () => [exe] };
}

/** `cpython3-posix` plus a marker file naming the creator. */
const markedCreator: Creator = {
  name: "test-marked",
  displayName: "MarkedPosix",
  cannotCreate: (info, platform) => {
    try {
      selectCreator("cpython3-posix", info, platform);
      return undefined;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  },
  layout: (input) => selectCreator("cpython3-posix", input.python.info, input.platform).layout(input),
  plan: (input, layout) => [
    ...selectCreator("cpython3-posix", input.python.info, input.platform).plan(input, layout),
    { op: "write", path: path.join(layout.dest, "MARKED"), content: `made by test-marked for ${input.python.path}\n` },
  ],
};

/** Seeds a tiny package, `hello_plugin`, with a .dist-info so pip sees it. */
const helloSeeder: Seeder = {
  name: "test-hello",
  displayName: "HelloSeeder",
  plan: ({ layout }) => ({
    ops: [
      { op: "mkdir", path: path.join(layout.purelib, "hello_plugin") },
      {
        op: "write",
        path: path.join(layout.purelib, "hello_plugin", "__init__.py"),
        content: "GREETING = 'hello from a seeder plugin'\n",
      },
      { op: "mkdir", path: path.join(layout.purelib, "hello_plugin-1.0.dist-info") },
      {
        op: "write",
        path: path.join(layout.purelib, "hello_plugin-1.0.dist-info", "METADATA"),
        content: "Metadata-Version: 2.1\nName: hello-plugin\nVersion: 1.0\n",
      },
    ],
    seeds: [{ name: "hello-plugin", version: "1.0", wheel: "(generated)", source: "plugin", via: "write" }],
  }),
};

/** A script for a made-up shell, naming the environment. */
const testActivator: Activator = {
  name: "test-shell",
  files: ["activate.test"],
  supports: () => true,
  plan: (input) => [{
    op: "write",
    path: path.join(input.layout.binDir, "activate.test"),
    content: `VIRTUAL_ENV=${input.layout.dest}\n`,
  }],
};

/** Registers one of each; disposing the result removes them all. */
function registerAll(dir: string): { exe: string } & Disposable {
  const source = hiddenPython(dir);
  const registrations: Registration[] = [
    registerDiscoverySource(source),
    registerCreator(markedCreator),
    registerSeeder(helloSeeder),
    registerActivator(testActivator),
  ];
  return {
    exe: source.exe,
    [Symbol.dispose]: () => registrations.forEach((r) => r.unregister()),
  };
}

/**
 * The run's environment: PATH without pyenv and a HOME without pyenv or uv installs, so only the registered source
 * can find a 3.12.
 */
function bareEnv(home: string): Record<string, string> {
  return { PATH: "/usr/bin:/bin", HOME: home, LANG: "C.UTF-8" };
}

async function checkEnvironment(dest: string, exe: string): Promise<void> {
  assert.equal(await Deno.readTextFile(path.join(dest, "MARKED")), `made by test-marked for ${exe}\n`);
  assert.equal(await Deno.readTextFile(path.join(dest, "bin", "activate.test")), `VIRTUAL_ENV=${dest}\n`);
  const r = await run(path.join(dest, "bin", "python"), [
    "-c",
    "import sys, hello_plugin; from importlib.metadata import version; " +
    "print(sys.prefix, sys.version_info[:2] == (3, 12), hello_plugin.GREETING, version('hello-plugin'), sep='|')",
  ], { cwd: "/" });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), `${dest}|True|hello from a seeder plugin|1.0`);
}

Deno.test({
  name: "e2e plugins: createVenv with a registered discovery source, creator, seeder and activator",
  ignore: SKIP,
  async fn() {
    await using tmp = await tempDir();
    using plugins = registerAll(tmp.path);
    const dest = path.join(tmp.path, "env");
    const result = await createVenv({
      dest,
      python: ["3.12"],
      creator: "test-marked",
      seeder: "test-hello",
      appData: path.join(tmp.path, "app-data"),
      env: bareEnv(tmp.path),
      cwd: tmp.path,
    });
    assert.equal(result.python.source, "test-hidden");
    assert.equal(result.python.path, plugins.exe);
    assert.equal(result.creator, "test-marked");
    assert.equal(result.creatorDisplayName, "MarkedPosix");
    assert.equal(result.seeder, "test-hello");
    assert.equal(result.seederDisplayName, "HelloSeeder");
    assert.deepEqual(result.seeds.map((s) => `${s.name}==${s.version} via ${s.via}`), ["hello-plugin==1.0 via write"]);
    // A registered activator is written by default, after mkvenv's own.
    assert.equal(result.activators.at(-1), "test-shell");
    assert.ok(result.activators.includes("bash"));
    await checkEnvironment(dest, plugins.exe);
  },
});

Deno.test({
  name: "e2e plugins: runCli offers registered names to --creator, --seeder and --activators",
  ignore: SKIP,
  async fn() {
    await using tmp = await tempDir();
    using plugins = registerAll(tmp.path);
    const dest = path.join(tmp.path, "env");
    let stdout = "", stderr = "";
    const io = { stdout: (t: string) => void (stdout += t), stderr: (t: string) => void (stderr += t) };
    const args = ["-p", "3.12", "--app-data", path.join(tmp.path, "app-data"), "--no-periodic-update"];
    const code = await runCli([
      dest,
      ...args,
      "--creator",
      "test-marked",
      "--seeder",
      "test-hello",
      "--activators",
      "bash,test-shell",
      "--json",
    ], { io, env: bareEnv(tmp.path), cwd: tmp.path });
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout);
    assert.equal(report.python.source, "test-hidden");
    assert.equal(report.python.path, plugins.exe);
    assert.equal(report.creator, "test-marked");
    assert.equal(report.seeder, "test-hello");
    assert.deepEqual(report.activators, ["bash", "test-shell"]);
    await checkEnvironment(dest, plugins.exe);
    assert.ok(await Deno.stat(path.join(dest, "bin", "activate")));

    // The text report names the plugins as virtualenv's would.
    stdout = "";
    assert.equal(
      await runCli([path.join(tmp.path, "env2"), ...args, "--creator", "test-marked", "--seeder", "test-hello"], {
        io,
        env: bareEnv(tmp.path),
        cwd: tmp.path,
      }),
      0,
      stderr,
    );
    assert.match(stdout, /\n {2}creator MarkedPosix\(dest=/);
    assert.match(stdout, /\n {2}seeder HelloSeeder\(via=write\)\n {4}added seed packages: hello-plugin==1\.0\n/);
    assert.match(stdout, /\n {2}activators \S*test-shell\S*\n$/i);

    // Unregistered, the names are unknown again.
    plugins[Symbol.dispose]();
    stdout = stderr = "";
    const again = await runCli([path.join(tmp.path, "env3"), ...args, "--creator", "test-marked"], {
      io,
      env: bareEnv(tmp.path),
      cwd: tmp.path,
    });
    assert.equal(again, 2);
    assert.match(stderr, /^error: Unknown creator "test-marked"$/m);
  },
});

Deno.test({
  name: "e2e plugins: a discovery source placed first wins over PATH; --list-pythons shows its interpreters",
  ignore: SKIP,
  async fn() {
    await using tmp = await tempDir();
    const exe = path.join(tmp.path, "python3.12-vendored");
    await Deno.symlink(PY312!, exe);
    using _ = registerDiscoverySource({
      name: "test-first",
      position: "first",
      candidates: (spec) => spec.minor === undefined || spec.minor === 12 ? [exe] : [],
    });
    // The process's PATH and pyenv: without position "first", pyenv's own 3.12 would be found.
    let stdout = "";
    const io = { stdout: (t: string) => void (stdout += t), stderr: () => {} };
    const appData = path.join(tmp.path, "app-data");
    assert.equal(await runCli(["--list-pythons", "-p", "3.12", "--app-data", appData, "--json"], { io }), 0);
    const listed = JSON.parse(stdout).pythons as { path: string; source: string; selected: boolean }[];
    assert.deepEqual(listed[0], { ...listed[0], path: exe, source: "test-first", selected: true });
    // The same interpreter reached through pyenv is not listed twice.
    assert.ok(!listed.slice(1).some((p) => p.path === PY312), JSON.stringify(listed));
  },
});
