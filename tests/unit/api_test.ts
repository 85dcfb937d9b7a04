/**
 * The library API: the registries behind the extension points (names, duplicates, reserved names, removal) and
 * cancellation with an AbortSignal at each phase (before the start, during discovery, during a seed download, while
 * the plan is applied), leaving nothing half made.
 */
import assert from "node:assert/strict";
import path from "node:path";
import {
  type Activator,
  activatorNames,
  createVenv,
  type Creator,
  creatorNames,
  describeVenv,
  discoverySourceNames,
  findPython,
  hostPlatform,
  MkvenvError,
  registerActivator,
  registerCreator,
  registerDiscoverySource,
  registerSeeder,
  type Seeder,
  seederNames,
} from "../../mod.ts";
import { applyPlan } from "../../lib/plan/apply.ts";
import { cleanEnv, imagesSettled, pyenvPython, skipIf, tempDir } from "../_helpers.ts";

/** A creator for registry tests (never planned). */
function fakeCreator(name: string): Creator {
  return {
    name,
    displayName: name,
    cannotCreate: () => undefined,
    layout: () => {
      throw new Error("not planned");
    },
    plan: () => [],
  };
}

function fakeSeeder(name: string): Seeder {
  return { name, displayName: name, plan: () => ({ ops: [], seeds: [] }) };
}

function fakeActivator(name: string): Activator {
  return { name, files: [], supports: () => true, plan: () => [] };
}

async function exists(file: string): Promise<boolean> {
  try {
    await Deno.lstat(file);
    return true;
  } catch {
    return false;
  }
}

/** Resolves once `file` exists (polling), or rejects after `ms`. */
async function waitFor(file: string, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await exists(file))) {
    if (Date.now() > until) throw new Error(`${file} did not appear within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Whether the process `pid` is gone (or a zombie waiting to be reaped). */
function processGone(pid: number): boolean {
  try {
    return /^State:\s+Z/m.test(Deno.readTextFileSync(`/proc/${pid}/status`));
  } catch {
    return true;
  }
}

Deno.test("registries list built-in names first, then registered ones, and forget them on dispose", () => {
  const before = { creators: creatorNames(), seeders: seederNames(), activators: activatorNames() };
  assert.equal(before.creators[0], "builtin");
  assert.ok(before.creators.includes("cpython3-posix") && before.creators.includes("venv"));
  assert.deepEqual(before.seeders, ["app-data", "pip"]);
  assert.deepEqual(before.activators, ["bash", "batch", "cshell", "fish", "nushell", "powershell", "python", "xonsh"]);
  assert.deepEqual(discoverySourceNames(), []);
  {
    using creator = registerCreator(fakeCreator("test-creator"));
    using _seeder = registerSeeder(fakeSeeder("test-seeder"));
    using _activator = registerActivator(fakeActivator("test-activator"));
    using _source = registerDiscoverySource({ name: "test-source", candidates: () => [] });
    assert.equal(creator.name, "test-creator");
    assert.deepEqual(creatorNames(), [...before.creators, "test-creator"]);
    assert.deepEqual(seederNames(), [...before.seeders, "test-seeder"]);
    assert.deepEqual(activatorNames(), [...before.activators, "test-activator"]);
    assert.deepEqual(activatorNames(hostPlatform()).at(-1), "test-activator");
    assert.deepEqual(discoverySourceNames(), ["test-source"]);
    creator.unregister();
    creator.unregister(); // a second call does nothing
    assert.deepEqual(creatorNames(), before.creators);
  }
  assert.deepEqual(creatorNames(), before.creators);
  assert.deepEqual(seederNames(), before.seeders);
  assert.deepEqual(activatorNames(), before.activators);
  assert.deepEqual(discoverySourceNames(), []);
});

Deno.test("registries refuse taken, reserved and malformed names", () => {
  const refused = (register: () => unknown, pattern: RegExp) =>
    assert.throws(register, (e: unknown) => e instanceof TypeError && pattern.test(e.message));
  refused(() => registerCreator(fakeCreator("cpython3-posix")), /creator "cpython3-posix": that name is already taken/);
  refused(() => registerCreator(fakeCreator("builtin")), /creator "builtin": reserved name/);
  refused(() => registerSeeder(fakeSeeder("pip")), /seeder "pip": that name is already taken/);
  refused(() => registerSeeder(fakeSeeder("builtin")), /reserved name/);
  refused(() => registerActivator(fakeActivator("bash")), /activator "bash": that name is already taken/);
  refused(() => registerActivator(fakeActivator("bash,fish")), /a name is letters, digits/);
  refused(() => registerActivator(fakeActivator("")), /a name is letters, digits/);
  refused(() => registerDiscoverySource({ name: "PATH", candidates: () => [] }), /"PATH": reserved name/);
  refused(() => registerDiscoverySource({ name: "uv", candidates: () => [] }), /"uv": reserved name/);
  using _ = registerSeeder(fakeSeeder("mine"));
  refused(() => registerSeeder(fakeSeeder("mine")), /seeder "mine": that name is already taken/);
});

Deno.test("unknown creator, seeder and activator names are usage errors listing the registered ones too", async () => {
  using _c = registerCreator(fakeCreator("test-creator"));
  using _s = registerSeeder(fakeSeeder("test-seeder"));
  using _a = registerActivator(fakeActivator("test-activator"));
  const cases: [Parameters<typeof describeVenv>[0], RegExp, RegExp][] = [
    [{ dest: "/tmp/x", creator: "nope" }, /^Unknown creator "nope"$/, /, venv, test-creator$/],
    [{ dest: "/tmp/x", seeder: "nope" }, /^Unknown seeder "nope"$/, /^choose one of: app-data, pip, test-seeder$/],
    [{ dest: "/tmp/x", activators: ["nope"] }, /^Unknown activator "nope"$/, /, xonsh, test-activator \(comma/],
  ];
  for (const [options, message, hint] of cases) {
    await assert.rejects(describeVenv({ ...options, python: ["/nonexistent/python"] }), (e: unknown) => {
      assert.ok(e instanceof MkvenvError);
      assert.equal(e.exitCode, 2);
      assert.match(e.message, message);
      assert.match(e.hint ?? "", hint);
      return true;
    });
  }
});

Deno.test("an aborted signal stops createVenv before anything is searched or written", async () => {
  await using tmp = await tempDir();
  const dest = path.join(tmp.path, "env");
  const debug: string[] = [];
  const reason = new Error("changed my mind");
  const options = {
    dest,
    python: ["/nonexistent/python"], // searched, it would fail with a MkvenvError instead
    appData: path.join(tmp.path, "app-data"),
    debug: (m: string) => void debug.push(m),
  };
  await assert.rejects(createVenv({ ...options, signal: AbortSignal.abort() }), { name: "AbortError" });
  await assert.rejects(createVenv({ ...options, signal: AbortSignal.abort(reason) }), (e) => e === reason);
  await assert.rejects(describeVenv({ ...options, signal: AbortSignal.abort() }), { name: "AbortError" });
  await assert.rejects(findPython("3", { signal: AbortSignal.abort() }), { name: "AbortError" });
  assert.deepEqual(debug, []);
  assert.deepEqual([...Deno.readDirSync(tmp.path)], []);
});

Deno.test("aborting while an interpreter is interrogated kills it and rejects at once", async () => {
  await using tmp = await tempDir();
  const slow = path.join(tmp.path, "slowpython");
  const pidFile = path.join(tmp.path, "pid");
  await Deno.writeTextFile(slow, `#!/bin/sh\necho $$ > '${pidFile}'\nexec sleep 60\n`, { mode: 0o755 });
  const controller = new AbortController();
  const started = performance.now();
  const creating = createVenv({
    dest: path.join(tmp.path, "env"),
    python: [slow],
    appData: path.join(tmp.path, "app-data"),
    noSeed: true,
    signal: controller.signal,
  });
  await waitFor(pidFile);
  const pid = Number((await Deno.readTextFile(pidFile)).trim());
  controller.abort();
  await assert.rejects(creating, { name: "AbortError" });
  assert.ok(performance.now() - started < 10_000, "did not wait for the interrogation timeout");
  assert.ok(!(await exists(path.join(tmp.path, "env"))));
  for (let i = 0; i < 100 && !processGone(pid); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(processGone(pid), `interrogated process ${pid} still runs`);
  // A cancelled interrogation is not cached as a broken interpreter.
  const cache = path.join(tmp.path, "app-data", "mkvenv-v1", "py_info");
  assert.deepEqual((await exists(cache)) ? [...Deno.readDirSync(cache)] : [], []);
});

/** A simple index listing one pip wheel whose download sends a few bytes, then stalls until released. */
function stallingIndex(): AsyncDisposable & { url: string; downloading: Promise<void> } {
  const filename = "pip-99.0-py3-none-any.whl";
  let downloading!: () => void;
  const started = new Promise<void>((resolve) => downloading = resolve);
  const streams: ReadableStreamDefaultController<Uint8Array>[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (req) => {
    const url = new URL(req.url);
    if (url.pathname === "/simple/pip/") {
      const html = `<!DOCTYPE html>\n<html><body><a href="../../files/${filename}">${filename}</a></body></html>\n`;
      return new Response(html, { headers: { "content-type": "text/html" } });
    }
    if (url.pathname === `/files/${filename}`) {
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          streams.push(c);
          c.enqueue(new Uint8Array(1000));
          downloading();
        },
      });
      return new Response(body, { headers: { "content-length": "1000000" } });
    }
    return new Response("not found", { status: 404 });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/simple/`,
    downloading: started,
    async [Symbol.asyncDispose]() {
      for (const c of streams) {
        try {
          c.close();
        } catch { /* cancelled by the client */ }
      }
      await server.shutdown();
    },
  };
}

Deno.test("aborting a stalled seed download rejects, leaves no partial wheel and no environment", async () => {
  await using tmp = await tempDir();
  await using index = stallingIndex();
  const appData = path.join(tmp.path, "app-data");
  const dest = path.join(tmp.path, "env");
  const controller = new AbortController();
  const creating = createVenv({
    dest,
    python: ["python3"],
    appData,
    download: true,
    noSetuptools: true,
    noPeriodicUpdate: true,
    env: cleanEnv({ PIP_CONFIG_FILE: "/dev/null", PIP_INDEX_URL: index.url, MKVENV_HTTP_TIMEOUT_MS: "30000" }),
    signal: controller.signal,
  });
  await index.downloading;
  controller.abort();
  await assert.rejects(creating, { name: "AbortError" });
  assert.ok(!(await exists(dest)));
  const store = path.join(appData, "mkvenv-v1", "wheels");
  assert.deepEqual((await exists(store)) ? [...Deno.readDirSync(store)].map((e) => e.name) : [], []);
});

/** A seeder whose plan runs a program that records its pid in `pidFile`, then sleeps. */
function sleepingSeeder(pidFile: string): Seeder {
  return {
    name: "test-sleeper",
    displayName: "Sleeper",
    plan: ({ layout }) => ({
      ops: [{ op: "run", path: layout.dest, argv: ["/bin/sh", "-c", `echo $$ > "$0"; exec sleep 60`, pidFile] }],
      seeds: [],
    }),
  };
}

Deno.test("aborting while the plan is applied kills the program it runs and removes the new destination", async () => {
  await using tmp = await tempDir();
  const pidFile = path.join(tmp.path, "pid");
  using _ = registerSeeder(sleepingSeeder(pidFile));
  const dest = path.join(tmp.path, "new", "env");
  const controller = new AbortController();
  const creating = createVenv({
    dest,
    python: ["python3"],
    appData: path.join(tmp.path, "app-data"),
    seeder: "test-sleeper",
    signal: controller.signal,
  });
  await waitFor(pidFile);
  assert.ok(await exists(path.join(dest, "pyvenv.cfg")), "the creator's part was applied");
  const pid = Number((await Deno.readTextFile(pidFile)).trim());
  const aborted = performance.now();
  controller.abort();
  await assert.rejects(creating, { name: "AbortError" });
  assert.ok(performance.now() - aborted < 5_000);
  // Everything this run created goes, its parent folder included.
  assert.ok(!(await exists(path.join(tmp.path, "new"))));
  for (let i = 0; i < 100 && !processGone(pid); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(processGone(pid), `the plan's program ${pid} still runs`);
});

Deno.test("aborting into a destination that existed before leaves the folder (not ours to delete)", async () => {
  await using tmp = await tempDir();
  const pidFile = path.join(tmp.path, "pid");
  using _ = registerSeeder(sleepingSeeder(pidFile));
  const dest = path.join(tmp.path, "env");
  await Deno.mkdir(dest);
  await Deno.writeTextFile(path.join(dest, "keep.txt"), "mine");
  const controller = new AbortController();
  const creating = createVenv({
    dest,
    python: ["python3"],
    appData: path.join(tmp.path, "app-data"),
    seeder: "test-sleeper",
    signal: controller.signal,
  });
  await waitFor(pidFile);
  controller.abort();
  await assert.rejects(creating, { name: "AbortError" });
  assert.equal(await Deno.readTextFile(path.join(dest, "keep.txt")), "mine");
});

const PY312 = pyenvPython("3.12");

Deno.test({
  name: "a timer's abort lands while an install image is built and while a warm environment is linked",
  ignore: skipIf(!PY312, "pyenv CPython 3.12 not installed"),
  async fn() {
    await using tmp = await tempDir();
    const appData = path.join(tmp.path, "app-data");
    const env = cleanEnv({ HOME: tmp.path, PIP_CONFIG_FILE: "/dev/null" });
    const base = { python: [PY312!], appData, env, download: false, noPeriodicUpdate: true };
    // The interpreter's answer is cached first, so the abort has to land in the seeding's own work, which is
    // synchronous: only the turns the call gives the event loop let the timer fire before it ends.
    await createVenv({ ...base, dest: path.join(tmp.path, "plain"), noSeed: true });
    const cold = path.join(tmp.path, "cold");
    await assert.rejects(createVenv({ ...base, dest: cold, signal: AbortSignal.timeout(1) }), { name: "TimeoutError" });
    assert.ok(!(await exists(cold)));
    const images = path.join(appData, "mkvenv-v1", "images", "3.12");
    assert.deepEqual((await exists(images)) ? [...Deno.readDirSync(images)].map((e) => e.name) : [], []);
    await createVenv({ ...base, dest: path.join(tmp.path, "first") });
    await imagesSettled(appData);
    const warm = path.join(tmp.path, "warm");
    await assert.rejects(createVenv({ ...base, dest: warm, signal: AbortSignal.timeout(1) }), { name: "TimeoutError" });
    assert.ok(!(await exists(warm)));
    // Not cancelled, the same call completes.
    const done = await createVenv({ ...base, dest: warm, signal: AbortSignal.timeout(60_000) });
    assert.deepEqual(done.seeds.map((seed) => seed.name), ["pip"]);
  },
});

Deno.test("a read-only app-data folder that does not exist is refused, as by the command line", async () => {
  await using tmp = await tempDir();
  const appData = path.join(tmp.path, "none");
  await assert.rejects(
    describeVenv({ dest: path.join(tmp.path, "env"), python: ["/nonexistent/python"], appData, readOnlyAppData: true }),
    (e: unknown) =>
      e instanceof MkvenvError && e.message === `The read-only app-data folder "${appData}" does not exist`,
  );
  assert.deepEqual([...Deno.readDirSync(tmp.path)], []);
});

Deno.test("applyPlan() stops between operations once the signal aborts", async () => {
  await using tmp = await tempDir();
  const root = path.join(tmp.path, "env");
  const controller = new AbortController();
  const marker = path.join(tmp.path, "ran");
  const applying = applyPlan({
    root,
    ops: [
      { op: "mkdir", path: root },
      { op: "run", path: root, argv: ["/bin/sh", "-c", `touch "$0"; exec sleep 60`, marker] },
      { op: "write", path: path.join(root, "after"), content: "never" },
    ],
  }, { signal: controller.signal });
  await waitFor(marker);
  controller.abort(new Error("stop"));
  await assert.rejects(applying, /^Error: stop$/);
  assert.ok(await exists(root));
  assert.ok(!(await exists(path.join(root, "after"))));
  await assert.rejects(
    applyPlan({ root, ops: [{ op: "write", path: path.join(root, "x"), content: "" }] }, {
      signal: AbortSignal.abort(),
    }),
    { name: "AbortError" },
  );
  assert.ok(!(await exists(path.join(root, "x"))));
});
