/**
 * The periodic seed-wheel update through the CLI, for real: a detached background process fetches from a PEP 691
 * index on 127.0.0.1 while `mkvenv` returns at once, the fetched pip is seeded only once its log allows it, and
 * `--upgrade-embed-wheels` adopts the newest release at once. The rules themselves are tested with a fake clock in
 * tests/unit/periodic_update_test.ts; here time is moved by editing the log, as a later day would find it.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { cleanEnv, mkvenv, pyenvPython, skipIf, tempDir } from "../_helpers.ts";

const PY312 = pyenvPython("3.12");
const PIP_26 = "/opt/pypi/files/pip-26.2.1-py3-none-any.whl";
const haveWheel = (() => {
  try {
    return Deno.statSync(PIP_26).isFile;
  } catch {
    return false;
  }
})();
const ignore = skipIf(!PY312 || !haveWheel, `needs pyenv's Python 3.12 and ${PIP_26}`);

/**
 * A PEP 691 index serving pip 26.2.1 (uploaded 60 days ago); each listing is answered after `delayMs`. With
 * `stallDownload`, the wheel's download sends half of it and then nothing more until the server is disposed.
 */
async function serveIndex(delayMs: number, { stallDownload = false } = {}) {
  const bytes = await Deno.readFile(PIP_26);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const sha256 = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  const filename = path.basename(PIP_26);
  const requests: string[] = [];
  const stalled: ReadableStreamDefaultController<Uint8Array>[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    const url = new URL(req.url);
    requests.push(url.pathname);
    if (url.pathname === "/simple/pip/") {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      const files = [{
        filename,
        url: `/files/${filename}`,
        hashes: { sha256 },
        "requires-python": ">=3.10",
        "upload-time": new Date(Date.now() - 60 * 86_400_000).toISOString(),
      }];
      return Response.json({ meta: { "api-version": "1.1" }, name: "pip", files }, {
        headers: { "content-type": "application/vnd.pypi.simple.v1+json" },
      });
    }
    if (url.pathname === "/simple/setuptools/") {
      return Response.json({ meta: { "api-version": "1.1" }, name: "setuptools", files: [] }, {
        headers: { "content-type": "application/vnd.pypi.simple.v1+json" },
      });
    }
    if (url.pathname === `/files/${filename}` && stallDownload) {
      const half = bytes.subarray(0, bytes.length >> 1);
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(half);
          stalled.push(controller);
        },
      });
      return new Response(body, { headers: { "content-length": String(bytes.length) } });
    }
    if (url.pathname === `/files/${filename}`) return new Response(bytes);
    return new Response("not found", { status: 404 });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/simple/`,
    requests,
    async [Symbol.asyncDispose](): Promise<void> {
      for (const controller of stalled) {
        try {
          controller.close();
        } catch { /* the client went away first */ }
      }
      await server.shutdown();
    },
  };
}

function envFor(indexUrl: string): Record<string, string> {
  return cleanEnv({ PIP_CONFIG_FILE: "/dev/null", PIP_INDEX_URL: indexUrl });
}

async function waitFor(file: string, done: (json: Record<string, unknown>) => boolean, ms: number) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const json = JSON.parse(await Deno.readTextFile(file));
      if (done(json)) return json;
    } catch { /* not written yet */ }
    if (Date.now() > deadline) throw new Error(`${file} did not reach the expected state in ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const seededPip = (stdout: string): string | undefined => /added seed packages: pip==(\S+)/.exec(stdout)?.[1];

Deno.test({
  name: "the periodic update runs in the background, and its wheel is seeded an hour after the fetch",
  ignore,
  async fn() {
    await using tmp = await tempDir();
    const delayMs = 4_000;
    await using index = await serveIndex(delayMs);
    const appData = path.join(tmp.path, "appdata");
    const args = (
      dest: string,
      ...more: string[]
    ) => [path.join(tmp.path, dest), "-p", PY312!, "--app-data", appData, ...more];
    const env = envFor(index.url);

    const started = performance.now();
    const first = await mkvenv(args("e1", "-v"), { env, seed: true, periodicUpdate: true });
    const elapsed = performance.now() - started;
    assert.equal(first.code, 0, first.stderr);
    assert.equal(seededPip(first.stdout), "23.2.1", "the interpreter's own pip: nothing fetched yet");
    const pid = /started the periodic update of pip \(for Python 3\.12\) in background process (\d+)/.exec(
      first.stderr,
    );
    assert.ok(pid, first.stderr);
    assert.ok(elapsed < delayMs, `mkvenv waited for the index: ${elapsed.toFixed(0)} ms`);

    const logFile = path.join(appData, "mkvenv-v1", "update", "3.12", "pip.json");
    const log = await waitFor(logFile, (j) => j.completed !== null, 60_000);
    assert.equal((log.versions as { filename: string }[])[0]?.filename, "pip-26.2.1-py3-none-any.whl");
    await Deno.stat(path.join(appData, "mkvenv-v1", "updates", "pip-26.2.1-py3-none-any.whl"));

    // Within the hour: still the local pip, and no second check.
    const second = await mkvenv(args("e2"), { env, seed: true, periodicUpdate: true });
    assert.equal(seededPip(second.stdout), "23.2.1");
    assert.equal(index.requests.filter((r) => r === "/simple/pip/").length, 1);

    // Two hours later (the fetch moved back in the log): the update is seeded, and pip runs.
    log.versions = (log.versions as { found_date: string }[]).map((v) => ({
      ...v,
      found_date: new Date(Date.parse(v.found_date) - 2 * 3_600_000).toISOString(),
    }));
    await Deno.writeTextFile(logFile, JSON.stringify(log));
    const third = await mkvenv(args("e3"), { env, seed: true, periodicUpdate: true });
    assert.equal(third.code, 0, third.stderr);
    assert.equal(seededPip(third.stdout), "26.2.1");
    const pip = await new Deno.Command(path.join(tmp.path, "e3", "bin", "pip"), {
      args: ["--version"],
      env: cleanEnv(),
      clearEnv: true,
    }).output();
    assert.match(new TextDecoder().decode(pip.stdout), /^pip 26\.2\.1 /);
  },
});

Deno.test({
  name: "--no-periodic-update and --no-download start no check",
  ignore,
  async fn() {
    await using tmp = await tempDir();
    await using index = await serveIndex(0);
    for (const flag of ["--no-periodic-update", "--no-download"]) {
      const appData = path.join(tmp.path, flag);
      const r = await mkvenv([path.join(tmp.path, `env${flag}`), "-p", PY312!, "--app-data", appData, "-v", flag], {
        env: envFor(index.url),
        seed: true,
        periodicUpdate: true,
      });
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /periodic update/);
      await assert.rejects(Deno.stat(path.join(appData, "mkvenv-v1", "update")), Deno.errors.NotFound);
    }
    assert.deepEqual(index.requests, []);
  },
});

Deno.test({
  name: "--upgrade-embed-wheels fetches the newest pip for each Python and it is seeded at once",
  ignore,
  async fn() {
    await using tmp = await tempDir();
    await using index = await serveIndex(0);
    const appData = path.join(tmp.path, "appdata");
    const env = envFor(index.url);
    const up = await mkvenv(["--upgrade-embed-wheels", "--app-data", appData], { env });
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, /^upgraded pip for Python 3\.12: pip-26\.2\.1-py3-none-any\.whl$/m);
    assert.match(up.stdout, /^pip for Python 3\.9: no newer release$/m, "pip 26.2.1 needs Python 3.10");
    assert.match(up.stdout, /^setuptools for Python 3\.12: no newer release$/m, "this index lists no setuptools");
    const r = await mkvenv([path.join(tmp.path, "env"), "-p", PY312!, "--app-data", appData], { env, seed: true });
    assert.equal(seededPip(r.stdout), "26.2.1");

    const usage = await mkvenv(["--upgrade-embed-wheels", path.join(tmp.path, "x")], { env });
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--upgrade-embed-wheels takes no destination/);
  },
});

Deno.test({
  name: "--upgrade-embed-wheels waits for a stalled download as long as pip's timeout says, not a fixed 15 s",
  ignore,
  async fn() {
    await using tmp = await tempDir();
    await using index = await serveIndex(0, { stallDownload: true });
    const env = { ...envFor(index.url), PIP_TIMEOUT: "1" };
    const start = Date.now();
    const r = await mkvenv(["--upgrade-embed-wheels", "--app-data", path.join(tmp.path, "appdata")], { env });
    const seconds = (Date.now() - start) / 1000;
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /^error: Timed out after 1 s reading .*pip-26\.2\.1-py3-none-any\.whl/);
    assert.ok(seconds < 10, `took ${seconds} s`);
  },
});

Deno.test(
  { name: "--upgrade-embed-wheels with --no-download is a usage error, and asks no index", ignore },
  async () => {
    await using tmp = await tempDir();
    await using index = await serveIndex(0);
    const r = await mkvenv(["--upgrade-embed-wheels", "--no-download", "--app-data", tmp.path], {
      env: envFor(index.url),
    });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--upgrade-embed-wheels asks the package index, which --no-download forbids/);
    assert.deepEqual(index.requests, []);
  },
);
