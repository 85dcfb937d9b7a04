/**
 * The periodic seed-wheel update with a fake clock against a real PEP 691 index on 127.0.0.1: when a check is due,
 * which releases are fetched, when each is adopted, and how `bundle`, `embed` and pinned versions see them.
 */
import assert from "node:assert/strict";
import path from "node:path";
import {
  adoptableUpdates,
  isUsable,
  needsUpdate,
  readUpdateLog,
  runUpdateJob,
  type UpdateDeps,
  type UpdateEntry,
  type UpdateJob,
  updateLogFile,
  updatesDir,
  upgradeEmbedWheels,
} from "../../lib/seeder/periodic_update.ts";
import { type AcquireContext, acquireWheel } from "../../lib/seeder/acquire.ts";
import { WheelInfoCache } from "../../lib/seeder/wheel_info.ts";
import { hostPlatform } from "../../lib/platform.ts";
import { MkvenvError } from "../../lib/errors.ts";
import { tempDir } from "../_helpers.ts";
import { buildWheel } from "../fixtures/wheels.ts";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = new Date("2026-11-21T12:00:00.000Z");
const at = (ms: number): Date => new Date(T0.getTime() + ms);
const iso = (ms: number): string => at(ms).toISOString();
const PY312 = { major: 3, minor: 12, micro: 1 };

Deno.test("a check is due when none completed in 14 days and none started in the last hour", () => {
  const empty = { completed: null, periodic: null, started: null, versions: [] };
  assert.equal(needsUpdate(empty, T0), true);
  const done = { ...empty, completed: iso(-13 * DAY), started: iso(-13 * DAY) };
  assert.equal(needsUpdate(done, T0), false, "completed 13 days ago");
  assert.equal(needsUpdate({ ...done, completed: iso(-15 * DAY) }, T0), true, "completed 15 days ago");
  assert.equal(needsUpdate({ ...done, completed: iso(-15 * DAY), started: iso(-30 * 60_000) }, T0), false);
  assert.equal(needsUpdate({ ...empty, started: iso(-30 * 60_000) }, T0), false, "started 30 min ago, running");
  assert.equal(needsUpdate({ ...empty, started: iso(-2 * HOUR) }, T0), true, "started 2 h ago, never completed");
});

Deno.test("adoption: manual at once; periodic an hour after the fetch and 28 days after the release", () => {
  const entry = (version: string, found: number, released: number | null, source = "periodic"): UpdateEntry => ({
    filename: `pip-${version}-py3-none-any.whl`,
    foundDate: iso(found),
    releaseDate: released === null ? null : iso(released),
    source: source as UpdateEntry["source"],
  });
  assert.equal(isUsable(entry("26.0", -30 * 60_000, -60 * DAY, "manual"), T0), true);
  assert.equal(isUsable(entry("26.0", -30 * 60_000, -60 * DAY), T0), false, "fetched 30 min ago");
  assert.equal(isUsable(entry("26.0", -2 * HOUR, -60 * DAY), T0), true);
  assert.equal(isUsable(entry("26.0", -2 * HOUR, -3 * DAY), T0), false, "released 3 days ago");
  assert.equal(isUsable(entry("26.0", -2 * HOUR, null), T0), false, "no release date: the fetch date counts");
  assert.equal(isUsable(entry("26.0", -29 * DAY, null), T0), true);
  // 26.1 (40 days old) makes the 26.1 series exempt: 26.1.1 (2 days old) is adopted; 26.2 (2 days old) is not.
  const log = {
    completed: iso(-2 * HOUR),
    periodic: true,
    started: iso(-2 * HOUR),
    versions: [
      entry("26.2", -2 * HOUR, -2 * DAY),
      entry("26.1.1", -2 * HOUR, -2 * DAY),
      entry("26.1", -2 * HOUR, -40 * DAY),
    ],
  };
  assert.deepEqual(adoptableUpdates(log, T0), ["pip-26.1.1-py3-none-any.whl", "pip-26.1-py3-none-any.whl"]);
});

/** A PEP 691 JSON index on 127.0.0.1 whose releases a test can add to; `down` makes every request fail. */
function serveJsonIndex(dir: string) {
  const releases: { file: string; uploaded: Date; requiresPython?: string }[] = [];
  const requests: string[] = [];
  let down = false;
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    const url = new URL(req.url);
    requests.push(url.pathname);
    if (down) return new Response("down", { status: 503 });
    const [, kind, name] = url.pathname.split("/");
    if (kind === "simple") {
      const files = [];
      for (const r of releases.filter((r) => path.basename(r.file).startsWith(`${name}-`))) {
        const bytes = await Deno.readFile(r.file);
        const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
        files.push({
          filename: path.basename(r.file),
          url: `/files/${path.basename(r.file)}`,
          hashes: { sha256: Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("") },
          "upload-time": r.uploaded.toISOString(),
          ...(r.requiresPython ? { "requires-python": r.requiresPython } : {}),
        });
      }
      return Response.json({ meta: { "api-version": "1.1" }, name, files }, {
        headers: { "content-type": "application/vnd.pypi.simple.v1+json" },
      });
    }
    if (kind === "files") return new Response(await Deno.readFile(path.join(dir, name!)));
    return new Response("not found", { status: 404 });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/simple/`,
    requests,
    async add(name: string, version: string, uploaded: Date, requiresPython?: string): Promise<void> {
      const file = await buildWheel(dir, name, version, requiresPython ? { requiresPython } : {});
      releases.push({ file, uploaded, ...(requiresPython ? { requiresPython } : {}) });
    },
    setDown(value: boolean): void {
      down = value;
    },
    async [Symbol.asyncDispose](): Promise<void> {
      await server.shutdown();
    },
  };
}

function depsFor(indexUrl: string, clock: { now: Date }): UpdateDeps {
  const env: Record<string, string> = { PIP_CONFIG_FILE: "/dev/null", PIP_INDEX_URL: indexUrl };
  return { now: () => clock.now, env: (name) => env[name], platform: hostPlatform(), timeoutMs: 5_000 };
}

const names = (entries: readonly UpdateEntry[]): string[] => entries.map((e) => e.filename);

Deno.test("periodic checks fetch newer releases down to the first old enough one, and adopt them on schedule", async () => {
  await using tmp = await tempDir();
  const wheels = path.join(tmp.path, "index");
  await Deno.mkdir(wheels);
  await using index = serveJsonIndex(wheels);
  await index.add("pip", "23.2.1", at(-400 * DAY));
  await index.add("pip", "24.0", at(-300 * DAY));
  await index.add("pip", "25.0", at(-200 * DAY));
  await index.add("pip", "26.0", at(-60 * DAY));
  await index.add("pip", "26.1", at(-20 * DAY));
  await index.add("pip", "26.1.1", at(-2 * DAY));
  await index.add("pip", "27.0", at(-1 * DAY), ">=3.13"); // not for 3.12
  const root = path.join(tmp.path, "appdata");
  const clock = { now: T0 };
  const job: UpdateJob = { root, project: "pip", python: PY312, source: "periodic", newestLocal: "23.2.1" };

  const added = await runUpdateJob(job, depsFor(index.url, clock));
  // 26.0 is old enough to adopt: 25.0 and 24.0, older still, are not fetched.
  assert.deepEqual(names(added), [
    "pip-26.1.1-py3-none-any.whl",
    "pip-26.1-py3-none-any.whl",
    "pip-26.0-py3-none-any.whl",
  ]);
  assert.equal(added[0]!.releaseDate, at(-2 * DAY).toISOString(), "the PEP 700 upload time is the release date");
  const logFile = updateLogFile(root, PY312, "pip");
  let log = readUpdateLog(logFile);
  assert.equal(log.completed, T0.toISOString());
  assert.equal(log.periodic, true);
  assert.deepEqual(names(log.versions), names(added));
  for (const entry of added) await Deno.stat(path.join(updatesDir(root), entry.filename));
  // The raw file uses virtualenv's spelling.
  const raw = JSON.parse(await Deno.readTextFile(logFile));
  assert.deepEqual(Object.keys(raw.versions[0]), ["filename", "found_date", "release_date", "source"]);

  assert.deepEqual(adoptableUpdates(log, at(30 * 60_000)), [], "nothing within the hour");
  assert.deepEqual(adoptableUpdates(log, at(2 * HOUR)), ["pip-26.0-py3-none-any.whl"]);
  assert.deepEqual(adoptableUpdates(log, at(9 * DAY)), [
    "pip-26.1.1-py3-none-any.whl",
    "pip-26.1-py3-none-any.whl",
    "pip-26.0-py3-none-any.whl",
  ], "26.1 turns 28 days old on day 8, and 26.1.1 follows as a bug fix of an adopted series");

  // Fifteen days later a new release is out: only it is fetched.
  assert.equal(needsUpdate(log, at(DAY)), false);
  assert.equal(needsUpdate(log, at(15 * DAY)), true);
  await index.add("pip", "26.2", at(14 * DAY));
  clock.now = at(15 * DAY);
  const later = await runUpdateJob(job, depsFor(index.url, clock));
  assert.deepEqual(names(later), ["pip-26.2-py3-none-any.whl"]);
  log = readUpdateLog(logFile);
  assert.deepEqual(names(log.versions).slice(0, 2), ["pip-26.2-py3-none-any.whl", "pip-26.1.1-py3-none-any.whl"]);
  assert.equal(log.versions.length, 4);

  // Nothing new: nothing fetched, the check still completes.
  clock.now = at(31 * DAY);
  assert.deepEqual(await runUpdateJob(job, depsFor(index.url, clock)), []);
  assert.equal(readUpdateLog(logFile).completed, at(31 * DAY).toISOString());
});

Deno.test("a failed check records why, keeps `started`, and is retried only after an hour", async () => {
  await using tmp = await tempDir();
  await using index = serveJsonIndex(tmp.path);
  await index.add("pip", "26.0", at(-60 * DAY));
  index.setDown(true);
  const root = path.join(tmp.path, "appdata");
  const logFile = updateLogFile(root, PY312, "pip");
  const { writeUpdateLog } = await import("../../lib/seeder/periodic_update.ts");
  writeUpdateLog(logFile, { completed: null, periodic: true, started: T0.toISOString(), versions: [] });
  const job: UpdateJob = { root, project: "pip", python: PY312, source: "periodic", newestLocal: "23.2.1" };
  await assert.rejects(runUpdateJob(job, depsFor(index.url, { now: T0 })), /503/);
  const log = readUpdateLog(logFile);
  assert.equal(log.completed, null);
  assert.equal(log.started, T0.toISOString());
  assert.match(log.error ?? "", /503/);
  assert.equal(needsUpdate(log, at(30 * 60_000)), false);
  assert.equal(needsUpdate(log, at(61 * 60_000)), true);
});

Deno.test("--upgrade-embed-wheels records the newest release per Python as manual, adopted at once", async () => {
  await using tmp = await tempDir();
  await using index = serveJsonIndex(tmp.path);
  await index.add("pip", "24.0", at(-300 * DAY), ">=3.7");
  await index.add("pip", "26.2", at(-2 * DAY), ">=3.9");
  const root = path.join(tmp.path, "appdata");
  const outcomes = await upgradeEmbedWheels(root, ["pip"], depsFor(index.url, { now: T0 }));
  const byMinor = new Map(outcomes.map((o) => [o.python.minor, o.added]));
  assert.equal(byMinor.get(6), undefined, "nothing for 3.6");
  assert.equal(byMinor.get(8), "pip-24.0-py3-none-any.whl");
  assert.equal(byMinor.get(12), "pip-26.2-py3-none-any.whl");
  assert.equal(index.requests.filter((r) => r.startsWith("/files/pip-26.2")).length, 1, "each wheel fetched once");
  const log = readUpdateLog(updateLogFile(root, PY312, "pip"));
  assert.equal(log.periodic, false);
  assert.deepEqual(adoptableUpdates(log, T0), ["pip-26.2-py3-none-any.whl"], "manual entries need no waiting");
  // Run again: already recorded, nothing new.
  const again = await upgradeEmbedWheels(root, ["pip"], depsFor(index.url, { now: at(HOUR) }));
  assert.equal(again.find((o) => o.python.minor === 12)?.added, undefined);
});

Deno.test("bundle and embed seed an adopted update; a pinned version may use any fetched wheel", async () => {
  await using tmp = await tempDir();
  const local = path.join(tmp.path, "local");
  const updates = path.join(tmp.path, "updates");
  await Deno.mkdir(local);
  await Deno.mkdir(updates);
  const shipped = await buildWheel(local, "pip", "23.2.1");
  await buildWheel(updates, "pip", "26.0");
  await buildWheel(updates, "pip", "26.1");
  let adoptable: string[] = [];
  const ctx: AcquireContext = {
    storeDir: path.join(tmp.path, "store"),
    extraSearchDirs: [],
    ensurepipWheels: [shipped],
    osWheelDirs: [],
    updates: { dir: updates, adoptable: () => adoptable },
    python: { ...PY312, releaselevel: "final", serial: 0 },
    download: false,
    env: () => undefined,
    platform: hostPlatform(),
    infoCache: new WheelInfoCache(path.join(tmp.path, "info")),
  };
  const version = async (v: string): Promise<string> => (await acquireWheel("pip", v, ctx)).info.version;
  assert.equal(await version("bundle"), "23.2.1", "nothing adopted yet");
  adoptable = ["pip-26.0-py3-none-any.whl"];
  assert.equal(await version("bundle"), "26.0");
  assert.equal((await acquireWheel("pip", "bundle", ctx)).source, "update");
  assert.equal(await version("embed"), "26.0");
  assert.equal(await version("26.1"), "26.1", "pinned: any fetched wheel");
});

Deno.test("an index that does not answer fails a periodic check; --upgrade-embed-wheels warns and uses the others", async () => {
  await using tmp = await tempDir();
  await using index = serveJsonIndex(tmp.path);
  await index.add("pip", "26.0", at(-60 * DAY));
  const root = path.join(tmp.path, "appdata");
  const env: Record<string, string> = {
    PIP_CONFIG_FILE: "/dev/null",
    PIP_INDEX_URL: index.url,
    PIP_EXTRA_INDEX_URL: "http://127.0.0.1:9/simple/",
  };
  const deps: UpdateDeps = { now: () => T0, env: (n) => env[n], platform: hostPlatform(), timeoutMs: 5_000 };
  // Periodic: the silent index may list a newer release, so the check fails and is retried later.
  const job: UpdateJob = { root, project: "pip", python: PY312, source: "periodic", newestLocal: "23.2.1" };
  await assert.rejects(runUpdateJob(job, deps), (e) => e instanceof MkvenvError && /127\.0\.0\.1:9/.test(e.message));
  assert.equal(readUpdateLog(updateLogFile(root, PY312, "pip")).completed, null);

  // Asked for by the user: as pip does, a warning, and the index that answered is used.
  const warnings: string[] = [];
  const outcomes = await upgradeEmbedWheels(root, ["pip"], { ...deps, warn: (message) => warnings.push(message) });
  assert.equal(outcomes.find((o) => o.python.minor === 12)?.added, "pip-26.0-py3-none-any.whl");
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /^Cannot fetch http:\/\/127\.0\.0\.1:9\/simple\/pip\/: .*; skipped that index$/);
  // When no index answers there is nothing to go on: an error the CLI prints as such.
  env.PIP_INDEX_URL = "http://127.0.0.1:9/other/";
  await assert.rejects(
    upgradeEmbedWheels(root, ["pip"], { ...deps, warn: () => {} }),
    (e) => e instanceof MkvenvError && /^Cannot fetch http:\/\/127\.0\.0\.1:9\//.test(e.message),
  );
});
