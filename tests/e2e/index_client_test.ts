/**
 * The package index client against a real HTTP server on 127.0.0.1, serving real wheels from this machine as PEP 691
 * JSON and PEP 503 HTML indexes, plus misbehaving variants (500, dropped connections, stalls, wrong hashes), and
 * against `file://` indexes and find-links folders. Each test closes its server; Deno's sanitizers check that no
 * request, timer or file outlives a test.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { MkvenvError } from "../../lib/errors.ts";
import {
  chooseWheel,
  downloadFile,
  findDistributionFiles,
  type IndexFile,
  parseSimpleHtml,
  parseSimpleJson,
  rankWheels,
  SIMPLE_ACCEPT,
} from "../../lib/seeder/index_client.ts";
import type { PipIndexConfig } from "../../lib/seeder/pip_config.ts";
import { progressLines, progressPrinter } from "../../lib/seeder/progress.ts";
import { PYENV_ROOT, skipIf, tempDir } from "../_helpers.ts";

const WHEEL_FILES = [
  "/opt/pypi/files/pip-26.2.1-py3-none-any.whl",
  "/opt/pypi/files/setuptools-84.0.0-py3-none-any.whl",
  path.join(
    PYENV_ROOT,
    "versions",
    "3.12.1",
    "lib",
    "python3.12",
    "ensurepip",
    "_bundled",
    "pip-23.2.1-py3-none-any.whl",
  ),
];
function isFile(file: string): boolean {
  try {
    return Deno.statSync(file).isFile;
  } catch {
    return false;
  }
}
const MISSING = WHEEL_FILES.filter((f) => !isFile(f));
const SKIP = skipIf(MISSING.length > 0, `wheels missing on this machine: ${MISSING.join(", ")}`);

const PY38 = { major: 3, minor: 8, micro: 18 };
const PY39 = { major: 3, minor: 9, micro: 18 };
const PY312 = { major: 3, minor: 12, micro: 1 };

// --- real wheels ----------------------------------------------------------------------------------------------------

/** A wheel as the test indexes serve it. */
interface Wheel {
  readonly filename: string;
  readonly project: string;
  readonly version: string;
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly sha256: string;
  /** `Requires-Python` from the wheel's own METADATA. */
  readonly requiresPython: string;
}

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** One member of a zip file, found through the central directory (enough for METADATA; no zip64). */
async function readZipMember(zip: Uint8Array<ArrayBuffer>, name: string): Promise<Uint8Array> {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = zip.length - 22;
  while (eocd >= 0 && view.getUint32(eocd, true) !== 0x06054b50) eocd--;
  assert.ok(eocd >= 0, "no end of central directory");
  const count = view.getUint16(eocd + 10, true);
  let at = view.getUint32(eocd + 16, true);
  const decoder = new TextDecoder();
  for (let i = 0; i < count; i++) {
    assert.equal(view.getUint32(at, true), 0x02014b50);
    const method = view.getUint16(at + 10, true);
    const size = view.getUint32(at + 20, true);
    const nameLength = view.getUint16(at + 28, true);
    const entryName = decoder.decode(zip.subarray(at + 46, at + 46 + nameLength));
    if (entryName === name) {
      const local = view.getUint32(at + 42, true);
      const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
      const data = zip.subarray(start, start + size);
      if (method === 0) return data;
      assert.equal(method, 8, `${name}: compression method ${method}`);
      const stream = new Blob([data]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
      return new Uint8Array(await new Response(stream).arrayBuffer());
    }
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  throw new Error(`${name} not in the zip`);
}

let wheelsPromise: Promise<Wheel[]> | undefined;

/** The three real wheels with their hashes and METADATA requirements (read once). */
function realWheels(): Promise<Wheel[]> {
  wheelsPromise ??= Promise.all(WHEEL_FILES.map(async (file) => {
    const bytes = await Deno.readFile(file);
    const filename = path.basename(file);
    const [project, version] = filename.split("-") as [string, string];
    const metadata = new TextDecoder().decode(await readZipMember(bytes, `${project}-${version}.dist-info/METADATA`));
    const requiresPython = /^Requires-Python: *(.+)$/m.exec(metadata)?.[1]?.trim();
    assert.ok(requiresPython, `${filename} has no Requires-Python`);
    return { filename, project, version, bytes, sha256: await sha256Hex(bytes), requiresPython };
  }));
  return wheelsPromise;
}

function wheelNamed(wheels: Wheel[], filename: string): Wheel {
  const wheel = wheels.find((w) => w.filename === filename);
  assert.ok(wheel, filename);
  return wheel;
}

// --- the test server ------------------------------------------------------------------------------------------------

function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

/** A running index server. `mode` is the first path segment and picks the behaviour; see `serveIndex`. */
interface IndexServer extends AsyncDisposable {
  readonly base: string;
  /** Every request's path, Accept and Authorization headers. */
  readonly requests: { path: string; accept: string | null; authorization?: string }[];
}

/**
 * Serves `/<mode>/simple/<project>/` and `/<mode>/files/<file>`. Modes: `json` (PEP 691), `html` (PEP 503, hrefs
 * relative to the page), `badhash` (JSON with another file's sha256), `error` (500 for everything), `drop-close` and
 * `drop-error` (file bodies end after half their bytes, closing cleanly or with an error), `stall` (file bodies stall
 * after a few bytes), `stall-headers` (no answer at all until the server is disposed).
 */
function serveIndex(wheels: Wheel[]): IndexServer {
  const requests: IndexServer["requests"] = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => release = resolve);
  const server = Deno.serve({
    port: 0,
    hostname: "127.0.0.1",
    onListen() {},
    onError: () => new Response(null, { status: 500 }),
  }, async (req) => {
    const url = new URL(req.url);
    const authorization = req.headers.get("authorization");
    requests.push({ path: url.pathname, accept: req.headers.get("accept"), ...authorization ? { authorization } : {} });
    const [, mode, kind, name] = url.pathname.split("/");
    if (mode === "error") return new Response("internal trouble", { status: 500 });
    if (mode === "stall-headers") {
      await released;
      return new Response("too late");
    }
    if (kind === "simple") {
      const files = wheels.filter((w) => w.project === name);
      if (!files.length) return new Response("not found", { status: 404 });
      if (mode === "html") {
        const links = files.map((w) =>
          `<a href="../../files/${w.filename}#sha256=${w.sha256}" data-requires-python="${
            escapeHtml(w.requiresPython)
          }">${w.filename}</a><br/>`
        );
        const html = `<!DOCTYPE html>\n<html><body><h1>Links for ${name}</h1>\n${links.join("\n")}\n</body></html>\n`;
        return new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } });
      }
      const page = {
        meta: { "api-version": "1.1" },
        name,
        files: files.map((w) => ({
          filename: w.filename,
          url: `/${mode}/files/${w.filename}`,
          hashes: { sha256: mode === "badhash" ? wheels.find((o) => o !== w)!.sha256 : w.sha256 },
          "requires-python": w.requiresPython,
        })),
      };
      return Response.json(page, { headers: { "content-type": "application/vnd.pypi.simple.v1+json" } });
    }
    const wheel = wheels.find((w) => kind === "files" && w.filename === name);
    if (!wheel) return new Response("not found", { status: 404 });
    const headers = { "content-type": "application/octet-stream", "content-length": String(wheel.bytes.length) };
    if (mode?.startsWith("drop")) {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(wheel.bytes.slice(0, wheel.bytes.length >> 1));
          if (mode === "drop-close") controller.close();
          else controller.error(new Error("simulated connection reset"));
        },
      });
      return new Response(body, { headers });
    }
    if (mode === "stall") {
      // Headers and 100 bytes, then nothing: the stream stays open until the client gives up.
      const body = new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(wheel.bytes.slice(0, 100)) });
      return new Response(body, { headers });
    }
    return new Response(wheel.bytes, { headers });
  });
  return {
    base: `http://127.0.0.1:${server.addr.port}`,
    requests,
    async [Symbol.asyncDispose]() {
      release();
      await server.shutdown();
    },
  };
}

function indexConfig(indexUrl: string, more: Partial<PipIndexConfig> = {}): PipIndexConfig {
  return {
    indexUrl,
    extraIndexUrls: [],
    findLinks: [],
    timeoutSeconds: undefined,
    noIndex: false,
    trustedHosts: [],
    cert: undefined,
    sources: [],
    ...more,
  };
}

async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) names.push(e.name);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return names.sort();
}

/** Asserts that `promise` rejects with a MkvenvError whose message matches, and returns the error. */
async function rejectsWith(promise: Promise<unknown>, pattern: RegExp): Promise<MkvenvError> {
  let error: unknown;
  await promise.then(() => assert.fail(`expected an error matching ${pattern}`), (e) => error = e);
  assert.ok(error instanceof MkvenvError, `not a MkvenvError: ${error}`);
  assert.match(error.message, pattern);
  return error;
}

// --- tests ----------------------------------------------------------------------------------------------------------

Deno.test({
  name: "the wheels' METADATA says pip 26 needs Python >=3.10, pip 23.2.1 >=3.7",
  ignore: SKIP,
  async fn() {
    const wheels = await realWheels();
    // The tests below pick pip 23.2.1 for Python 3.8 and 3.9 because of these real requirements.
    assert.equal(wheelNamed(wheels, "pip-26.2.1-py3-none-any.whl").requiresPython, ">=3.10");
    assert.equal(wheelNamed(wheels, "pip-23.2.1-py3-none-any.whl").requiresPython, ">=3.7");
  },
});

Deno.test({
  name: "JSON index (PEP 691): find, choose and download pip with its sha256 verified",
  ignore: SKIP,
  async fn() {
    const wheels = await realWheels();
    await using server = serveIndex(wheels);
    await using target = await tempDir();
    const files = await findDistributionFiles("PIP", indexConfig(`${server.base}/json/simple`), { timeoutMs: 5000 });
    assert.deepEqual(server.requests[0], { path: "/json/simple/pip/", accept: SIMPLE_ACCEPT });
    assert.deepEqual(
      files.map((f) => [f.filename, f.url, f.requiresPython, f.yanked, f.index]),
      wheels.filter((w) => w.project === "pip").map((w) => [
        w.filename,
        `${server.base}/json/files/${w.filename}`,
        w.requiresPython,
        false,
        `${server.base}/json/simple`,
      ]),
    );
    const chosen = chooseWheel(files, "pip", { pythonVersion: PY312 });
    assert.equal(chosen?.filename, "pip-26.2.1-py3-none-any.whl");
    assert.equal(chosen.sha256, wheelNamed(wheels, chosen.filename).sha256);
    const progress: [number, number | undefined][] = [];
    const file = await downloadFile(chosen, target.path, {
      timeoutMs: 5000,
      onProgress: (received, total) => progress.push([received, total]),
    });
    assert.equal(file, path.join(target.path, chosen.filename));
    assert.deepEqual(await Deno.readFile(file), wheelNamed(wheels, chosen.filename).bytes);
    assert.deepEqual(await listDir(target.path), [chosen.filename]);
    const size = wheelNamed(wheels, chosen.filename).bytes.length;
    assert.deepEqual(progress.at(-1), [size, size]);
  },
});

Deno.test({
  name: "HTML index (PEP 503): relative links, unescaped data-requires-python, and pip 23.2.1 for Python 3.8/3.9",
  ignore: SKIP,
  async fn() {
    const wheels = await realWheels();
    await using server = serveIndex(wheels);
    await using target = await tempDir();
    const config = indexConfig(`${server.base}/html/simple/`);
    const files = await findDistributionFiles("pip", config, { timeoutMs: 5000 });
    assert.equal(server.requests[0]?.path, "/html/simple/pip/");
    assert.deepEqual(
      files.map((f) => [f.url, f.sha256, f.requiresPython]),
      wheels.filter((w) => w.project === "pip").map((w) => [
        `${server.base}/html/files/${w.filename}`,
        w.sha256,
        w.requiresPython,
      ]),
    );
    assert.equal(chooseWheel(files, "pip", { pythonVersion: PY38 })?.filename, "pip-23.2.1-py3-none-any.whl");
    assert.equal(chooseWheel(files, "pip", { pythonVersion: PY39 })?.filename, "pip-23.2.1-py3-none-any.whl");
    assert.equal(chooseWheel(files, "pip", { pythonVersion: PY312 })?.filename, "pip-26.2.1-py3-none-any.whl");
    // A pinned version that the Python cannot run is not chosen either.
    assert.equal(chooseWheel(files, "pip", { version: "26.2.1", pythonVersion: PY38 }), undefined);
    const chosen = chooseWheel(files, "pip", { pythonVersion: PY38 })!;
    const file = await downloadFile(chosen, target.path, { timeoutMs: 5000 });
    assert.deepEqual(await Deno.readFile(file), wheelNamed(wheels, "pip-23.2.1-py3-none-any.whl").bytes);

    const setuptools = await findDistributionFiles("setuptools", config, { timeoutMs: 5000 });
    assert.equal(
      chooseWheel(setuptools, "setuptools", { pythonVersion: PY312 })?.filename,
      "setuptools-84.0.0-py3-none-any.whl",
    );
    assert.equal(chooseWheel(setuptools, "setuptools", { pythonVersion: PY39 }), undefined);
  },
});

Deno.test({
  name: "findDistributionFiles() merges the index and extra indexes, dropping repeated URLs",
  ignore: SKIP,
  async fn() {
    const wheels = await realWheels();
    await using server = serveIndex(wheels);
    // The first and last index are one index spelled twice: their files appear once.
    const config = indexConfig(`${server.base}/html/simple`, {
      extraIndexUrls: [`${server.base}/json/simple`, `${server.base}/html/simple/`],
    });
    const files = await findDistributionFiles("pip", config, { timeoutMs: 5000 });
    assert.deepEqual(files.map((f) => [f.url, f.index]), [
      [`${server.base}/html/files/pip-26.2.1-py3-none-any.whl`, `${server.base}/html/simple`],
      [`${server.base}/html/files/pip-23.2.1-py3-none-any.whl`, `${server.base}/html/simple`],
      [`${server.base}/json/files/pip-26.2.1-py3-none-any.whl`, `${server.base}/json/simple`],
      [`${server.base}/json/files/pip-23.2.1-py3-none-any.whl`, `${server.base}/json/simple`],
    ]);
    assert.equal(server.requests.length, 3);
    // With no-index only find-links count: none here, so nothing is asked at all.
    assert.deepEqual(await findDistributionFiles("pip", { ...config, noIndex: true }, { timeoutMs: 5000 }), []);
    assert.equal(server.requests.length, 3);
  },
});

Deno.test({
  name: "findDistributionFiles() treats 404 as not there, skips a failing index while another answers, else fails",
  ignore: SKIP,
  async fn() {
    const wheels = await realWheels();
    await using server = serveIndex(wheels);
    for (const mode of ["json", "html"]) {
      const config = indexConfig(`${server.base}/${mode}/simple`);
      assert.deepEqual(await findDistributionFiles("no-such-project", config, { timeoutMs: 5000 }), []);
    }
    // Like pip: an index that fails is skipped (and reported) while another answers...
    const skipped: string[] = [];
    const files = await findDistributionFiles(
      "pip",
      indexConfig(`${server.base}/json/simple`, { extraIndexUrls: [`${server.base}/error/simple`] }),
      { timeoutMs: 5000, onSkipped: (reason) => skipped.push(reason) },
    );
    assert.ok(files.length > 0);
    assert.equal(skipped.length, 1);
    assert.match(skipped[0]!, new RegExp(`^Cannot fetch ${server.base}/error/simple/pip/: HTTP 500`));
    // ...and only when none answers is it an error.
    const error = await rejectsWith(
      findDistributionFiles("pip", indexConfig(`${server.base}/error/simple`), { timeoutMs: 5000 }),
      new RegExp(`^Cannot fetch ${server.base}/error/simple/pip/: HTTP 500`),
    );
    assert.match(error.hint ?? "", /--no-download/);
    assert.match(error.hint ?? "", /--extra-search-dir/);
  },
});

Deno.test({
  name: "credentials in an index URL are sent, reused for that host's files, and masked in messages",
  ignore: SKIP,
  async fn() {
    const wheels = await realWheels();
    await using server = serveIndex(wheels);
    await using target = await tempDir();
    const withUser = (url: string) => url.replace("http://", "http://me:s3cret@");
    const files = await findDistributionFiles("pip", indexConfig(withUser(`${server.base}/json/simple`)), {
      timeoutMs: 5000,
    });
    assert.equal(files[0]?.index, withUser(`${server.base}/json/simple`).replace("s3cret", "****"));
    await downloadFile(files[0]!, target.path, { timeoutMs: 5000 });
    const basic = `Basic ${btoa("me:s3cret")}`;
    assert.deepEqual(server.requests.map((r) => r.authorization), [basic, basic]);
    const error = await rejectsWith(
      findDistributionFiles("pip", indexConfig(withUser(`${server.base}/error/simple`)), { timeoutMs: 5000 }),
      /HTTP 500/,
    );
    assert.ok(!error.message.includes("s3cret"), error.message);
    assert.ok(error.message.includes("me:****@"), error.message);
  },
});

Deno.test({
  name: "downloadFile() refuses a wrong sha256 and leaves no file",
  ignore: SKIP,
  async fn() {
    const wheels = await realWheels();
    await using server = serveIndex(wheels);
    await using target = await tempDir();
    const files = await findDistributionFiles("pip", indexConfig(`${server.base}/badhash/simple`), { timeoutMs: 5000 });
    const chosen = chooseWheel(files, "pip", { pythonVersion: PY312 })!;
    const real = wheelNamed(wheels, chosen.filename).sha256;
    assert.notEqual(chosen.sha256, real);
    await rejectsWith(
      downloadFile(chosen, target.path, { timeoutMs: 5000 }),
      new RegExp(`^sha256 mismatch for ${chosen.filename}: expected ${chosen.sha256}, got ${real}$`),
    );
    assert.deepEqual(await listDir(target.path), []);
  },
});

Deno.test({
  name: "downloadFile() reports a connection dropped mid-body and leaves no file",
  ignore: SKIP,
  async fn() {
    const wheels = await realWheels();
    await using server = serveIndex(wheels);
    await using target = await tempDir();
    const wheel = wheelNamed(wheels, "setuptools-84.0.0-py3-none-any.whl");
    for (const mode of ["drop-close", "drop-error"]) {
      const url = `${server.base}/${mode}/files/${wheel.filename}`;
      const file: IndexFile = {
        filename: wheel.filename,
        url,
        sha256: wheel.sha256,
        yanked: false,
        index: server.base,
      };
      await rejectsWith(
        downloadFile(file, target.path, { timeoutMs: 5000 }),
        new RegExp(`^Connection dropped while (reading|downloading) ${url}`),
      );
      assert.deepEqual(await listDir(target.path), []);
    }
    // A body that ends cleanly short of its Content-Length (as a proxy might deliver it) is refused too.
    const half = wheel.bytes.slice(0, 1000);
    const shortFetch: typeof fetch = () =>
      Promise.resolve(new Response(half, { headers: { "content-length": String(wheel.bytes.length) } }));
    const file: IndexFile = {
      filename: wheel.filename,
      url: "https://example.invalid/x.whl",
      yanked: false,
      index: "",
    };
    await rejectsWith(
      downloadFile(file, target.path, { timeoutMs: 5000, fetch: shortFetch }),
      new RegExp(`received 1000 of ${wheel.bytes.length} bytes`),
    );
    assert.deepEqual(await listDir(target.path), []);
  },
});

Deno.test({
  name: "a server that stalls times out within about a second, for pages and for downloads",
  ignore: SKIP,
  async fn() {
    const wheels = await realWheels();
    await using server = serveIndex(wheels);
    await using target = await tempDir();
    let start = performance.now();
    await rejectsWith(
      findDistributionFiles("pip", indexConfig(`${server.base}/stall-headers/simple`), { timeoutMs: 300 }),
      new RegExp(`^Timed out after 0\\.3 s waiting for a response from ${server.base}/stall-headers/simple/pip/$`),
    );
    assert.ok(performance.now() - start < 1000, `took ${performance.now() - start} ms`);

    const wheel = wheelNamed(wheels, "pip-26.2.1-py3-none-any.whl");
    const url = `${server.base}/stall/files/${wheel.filename}`;
    const file: IndexFile = { filename: wheel.filename, url, sha256: wheel.sha256, yanked: false, index: server.base };
    let received = 0;
    start = performance.now();
    const error = await rejectsWith(
      downloadFile(file, target.path, { timeoutMs: 300, onProgress: (n) => received = n }),
      new RegExp(`^Timed out after 0\\.3 s reading ${url}$`),
    );
    assert.ok(performance.now() - start < 1000, `took ${performance.now() - start} ms`);
    assert.equal(received, 100);
    assert.match(error.hint ?? "", /PIP_TIMEOUT/);
    assert.deepEqual(await listDir(target.path), []);
  },
});

Deno.test({
  name: "an AbortSignal cancels a search and a download with its own reason",
  ignore: SKIP,
  async fn() {
    const wheels = await realWheels();
    await using server = serveIndex(wheels);
    await using target = await tempDir();
    const reason = new Error("user pressed Ctrl-C");
    const search = new AbortController();
    setTimeout(() => search.abort(reason), 50);
    await assert.rejects(
      findDistributionFiles("pip", indexConfig(`${server.base}/stall-headers/simple`), {
        timeoutMs: 10_000,
        signal: search.signal,
      }),
      (e) => e === reason,
    );
    const wheel = wheelNamed(wheels, "pip-26.2.1-py3-none-any.whl");
    const file: IndexFile = {
      filename: wheel.filename,
      url: `${server.base}/stall/files/${wheel.filename}`,
      yanked: false,
      index: server.base,
    };
    const download = new AbortController();
    await assert.rejects(
      downloadFile(file, target.path, {
        timeoutMs: 10_000,
        signal: download.signal,
        onProgress: () => download.abort(reason),
      }),
      (e) => e === reason,
    );
    assert.deepEqual(await listDir(target.path), []);
  },
});

Deno.test({
  name: "file:// index: index.html like /opt/pypi's, a folder listing without one, and copies verified by sha256",
  ignore: SKIP,
  async fn() {
    const wheels = await realWheels();
    await using tmp = await tempDir();
    const root = path.join(tmp.path, "pypi");
    await Deno.mkdir(path.join(root, "files"), { recursive: true });
    await Deno.mkdir(path.join(root, "simple", "pip"), { recursive: true });
    await Deno.mkdir(path.join(root, "simple", "setuptools"), { recursive: true });
    for (const w of wheels) {
      const dir = w.project === "setuptools" ? path.join(root, "simple", "setuptools") : path.join(root, "files");
      await Deno.writeFile(path.join(dir, w.filename), w.bytes);
    }
    const pip = wheels.filter((w) => w.project === "pip");
    await Deno.writeTextFile(
      path.join(root, "simple", "pip", "index.html"),
      "<!DOCTYPE html><html><body>\n" +
        pip.map((w) => `<a href="../../files/${w.filename}#sha256=${w.sha256}">${w.filename}</a>\n`).join("") +
        "</body></html>\n",
    );
    const config = indexConfig(`file://${root}/simple`);
    const files = await findDistributionFiles("pip", config, { timeoutMs: 1000 });
    assert.deepEqual(
      files.map((f) => [f.filename, f.url, f.sha256]),
      pip.map((w) => [w.filename, `file://${root}/files/${w.filename}`, w.sha256]),
    );
    // Such a page has no data-requires-python, so the file carries none (see the find-links test for the fallback).
    const chosen = chooseWheel(files, "pip", { pythonVersion: PY312 })!;
    const out = path.join(tmp.path, "out");
    const copied = await downloadFile(chosen, out, { timeoutMs: 1000 });
    assert.deepEqual(await Deno.readFile(copied), wheelNamed(wheels, chosen.filename).bytes);
    // A wrong hash is caught for copies too.
    await rejectsWith(
      downloadFile({ ...chosen, sha256: "0".repeat(64) }, out, { timeoutMs: 1000 }),
      /^sha256 mismatch/,
    );
    assert.deepEqual(await listDir(out), [chosen.filename]);

    const setuptools = await findDistributionFiles("setuptools", config, { timeoutMs: 1000 });
    assert.deepEqual(setuptools.map((f) => [f.filename, f.sha256]), [[
      "setuptools-84.0.0-py3-none-any.whl",
      undefined,
    ]]);
    assert.deepEqual(await findDistributionFiles("wheel", config, { timeoutMs: 1000 }), []);
  },
});

Deno.test({
  name: "find-links: a folder of wheels is filtered by project, and no-index leaves only find-links",
  ignore: SKIP,
  async fn() {
    const wheels = await realWheels();
    await using tmp = await tempDir();
    for (const w of wheels) await Deno.writeFile(path.join(tmp.path, w.filename), w.bytes);
    await Deno.writeTextFile(path.join(tmp.path, "README.txt"), "not a distribution");
    const config = indexConfig("https://example.invalid/simple", { noIndex: true, findLinks: [tmp.path] });
    const files = await findDistributionFiles("setuptools", config, { timeoutMs: 1000 });
    assert.deepEqual(files.map((f) => [f.filename, f.index]), [["setuptools-84.0.0-py3-none-any.whl", tmp.path]]);
    const pip = await findDistributionFiles("pip", config, { timeoutMs: 1000 });
    // A folder says nothing about Requires-Python: like pip before it reads METADATA, the newest is tried first, and
    // the ranking gives the caller the next one to try when the wheel's METADATA refuses the Python.
    assert.ok(pip.every((f) => f.requiresPython === undefined));
    assert.deepEqual(rankWheels(pip, "pip", { pythonVersion: PY38 }).map((f) => f.filename), [
      "pip-26.2.1-py3-none-any.whl",
      "pip-23.2.1-py3-none-any.whl",
    ]);
    const missing = { ...config, findLinks: [path.join(tmp.path, "missing")] };
    assert.deepEqual(await findDistributionFiles("pip", missing, { timeoutMs: 1000 }), []);
  },
});

Deno.test({
  name: "this machine's file:///opt/pypi/simple index lists pip with the real file's sha256",
  ignore: SKIP || skipIf(!isFile("/opt/pypi/simple/pip/index.html"), "no /opt/pypi/simple/pip/index.html"),
  async fn() {
    const wheels = await realWheels();
    const files = await findDistributionFiles("pip", indexConfig("file:///opt/pypi/simple"), { timeoutMs: 1000 });
    const pip26 = files.find((f) => f.filename === "pip-26.2.1-py3-none-any.whl");
    assert.equal(pip26?.url, "file:///opt/pypi/files/pip-26.2.1-py3-none-any.whl");
    assert.equal(pip26.sha256, wheelNamed(wheels, pip26.filename).sha256);
  },
});

/** A certificate authority of the test's own, and a certificate it signed for localhost, made with openssl. */
async function privateCa(dir: string): Promise<{ ca: string; cert: string; key: string }> {
  const file = (name: string) => path.join(dir, name);
  await Deno.writeTextFile(file("san.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  const steps = [
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", file("ca.key"), "-out", file("ca.pem"), "-days", "2"],
    ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", file("server.key"), "-out", file("server.csr")],
    ["x509", "-req", "-in", file("server.csr"), "-CA", file("ca.pem"), "-CAkey", file("ca.key"), "-CAcreateserial"],
  ];
  const subjects = ["/CN=mkvenv test CA", "/CN=localhost"];
  for (const [i, args] of steps.entries()) {
    const extra = i < 2
      ? ["-subj", subjects[i]!]
      : ["-out", file("server.pem"), "-days", "2", "-extfile", file("san.ext")];
    const r = await new Deno.Command("openssl", { args: [...args, ...extra], stdout: "null", stderr: "piped" })
      .output();
    assert.ok(r.success, new TextDecoder().decode(r.stderr));
  }
  return {
    ca: file("ca.pem"),
    cert: await Deno.readTextFile(file("server.pem")),
    key: await Deno.readTextFile(file("server.key")),
  };
}

const HAVE_OPENSSL = (() => {
  try {
    return new Deno.Command("openssl", { args: ["version"], stdout: "null", stderr: "null" }).outputSync().success;
  } catch {
    return false;
  }
})();

Deno.test({
  name: "an https index signed by a private authority is read, and its wheel downloaded, once pip's cert names it",
  ignore: skipIf(!HAVE_OPENSSL, "openssl missing: it makes the test's certificate authority"),
  async fn() {
    await using tmp = await tempDir();
    const { ca, cert, key } = await privateCa(tmp.path);
    const wheel = new Uint8Array([1, 2, 3]);
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, cert, key, onListen() {} }, (req) => {
      const url = new URL(req.url);
      if (url.pathname === "/simple/pip/") {
        return new Response('<a href="/files/pip-26.2.1-py3-none-any.whl">pip</a>', {
          headers: { "content-type": "text/html" },
        });
      }
      return new Response(wheel);
    });
    try {
      const index = `https://localhost:${server.addr.port}/simple`;
      await assert.rejects(
        () => findDistributionFiles("pip", indexConfig(index), { timeoutMs: 5000 }),
        /Cannot fetch https:\/\/localhost:\d+\/simple\/pip\/: .*(certificate|UnknownIssuer)/i,
      );
      const [file] = await findDistributionFiles("pip", indexConfig(index, { cert: ca }), { timeoutMs: 5000 });
      assert.equal(file?.filename, "pip-26.2.1-py3-none-any.whl");
      await assert.rejects(
        () => downloadFile(file!, path.join(tmp.path, "a"), { timeoutMs: 5000 }),
        /certificate|Issuer/i,
      );
      const stored = await downloadFile(file!, path.join(tmp.path, "b"), { timeoutMs: 5000, cert: ca });
      assert.deepEqual(await Deno.readFile(stored), wheel);
      await assert.rejects(
        () =>
          findDistributionFiles("pip", indexConfig(index, { cert: path.join(tmp.path, "none.pem") }), {
            timeoutMs: 5000,
          }),
        (e: unknown) => e instanceof MkvenvError && /^Cannot read pip's cert file ".*none\.pem"/.test(e.message),
      );
    } finally {
      await server.shutdown();
    }
  },
});

/** This machine's first IPv4 address other than loopback, for a server pip would call insecure over http. */
const OUTWARD_IPV4 = Deno.networkInterfaces().find((i) => i.family === "IPv4" && !i.address.startsWith("127."))
  ?.address;

Deno.test({
  name: "findDistributionFiles() reads a plain-http page from another host only when trusted-host names it, as pip",
  ignore: skipIf(OUTWARD_IPV4 === undefined, "no IPv4 address besides loopback"),
  async fn() {
    const requests: string[] = [];
    const html = '<a href="pip-26.2.1-py3-none-any.whl">pip</a>';
    const host = OUTWARD_IPV4!;
    const server = Deno.serve({ hostname: host, port: 0, onListen() {} }, (req) => {
      requests.push(new URL(req.url).pathname);
      return new Response(html, { headers: { "content-type": "text/html" } });
    });
    try {
      const index = `http://${OUTWARD_IPV4}:${server.addr.port}/simple`;
      await assert.rejects(
        () => findDistributionFiles("pip", indexConfig(index), { timeoutMs: 5000 }),
        (e: unknown) =>
          e instanceof MkvenvError &&
          e.message ===
            `The repository located at ${OUTWARD_IPV4} is not a trusted or secure host and is being ignored` &&
          e.hint === `use https for it, or allow it as pip does: trusted-host = ${OUTWARD_IPV4} in pip.conf ` +
              "(PIP_TRUSTED_HOST)",
      );
      assert.deepEqual(requests, [], "the page was asked for");
      for (const trusted of [OUTWARD_IPV4!, `${OUTWARD_IPV4}:${server.addr.port}`]) {
        const files = await findDistributionFiles("pip", indexConfig(index, { trustedHosts: [trusted] }), {
          timeoutMs: 5000,
        });
        assert.deepEqual(files.map((f) => f.filename), ["pip-26.2.1-py3-none-any.whl"], trusted);
      }
      // Another port of a trusted host:port is not trusted.
      const otherPort = indexConfig(index, { trustedHosts: [`${OUTWARD_IPV4}:1`] });
      await assert.rejects(() => findDistributionFiles("pip", otherPort, { timeoutMs: 5000 }), /not a trusted/);
      assert.equal(requests.length, 2);
    } finally {
      await server.shutdown();
    }
  },
});

Deno.test("chooseWheel() skips yanked, pre-release and non-universal files unless pinned", () => {
  const f = (filename: string, more: Partial<IndexFile> = {}): IndexFile => ({
    filename,
    url: `https://example.org/${filename}`,
    yanked: false,
    index: "https://example.org/simple",
    ...more,
  });
  const files = [
    f("pip-25.0-py3-none-any.whl", { yanked: true }),
    f("pip-24.1-py3-none-any.whl"),
    f("pip-25.1rc1-py3-none-any.whl"),
    f("pip-26.0-cp312-cp312-manylinux_2_17_x86_64.whl"),
    f("pip-26.0-py2-none-any.whl"),
    f("pip-26.0.tar.gz"),
    f("pipx-30.0-py3-none-any.whl"),
    f("pip-24.0-py2.py3-none-any.whl"),
    f("pip-24.1-py2.py3-none-any.whl", { requiresPython: "not a specifier" }),
  ];
  const pythonVersion = PY312;
  assert.equal(chooseWheel(files, "pip", { pythonVersion }), files[1]);
  assert.equal(chooseWheel(files, "pip", { version: "25.0", pythonVersion }), files[0]);
  assert.equal(chooseWheel(files, "pip", { version: "25.1rc1", pythonVersion }), files[2]);
  assert.equal(chooseWheel(files, "pip", { version: "24.0.0", pythonVersion }), files[7]);
  assert.equal(chooseWheel(files, "pip", { version: "26.0", pythonVersion }), undefined);
  assert.equal(chooseWheel(files.slice(7), "pip", { pythonVersion }), files[8]);
  // A yanked file loses to a good one of the same version, even from an earlier source.
  const twice = [f("pip-24.1-py3-none-any.whl", { yanked: true }), f("pip-24.1-py2.py3-none-any.whl")];
  assert.equal(chooseWheel(twice, "pip", { version: "24.1", pythonVersion }), twice[1]);
  assert.equal(chooseWheel([], "pip", { pythonVersion }), undefined);
  // Of one version the highest build tag wins, wherever the page lists it; a pin names the version by PEP 440.
  const builds = ["1", "10", "2"].map((b) => f(`pip-24.2-${b}-py3-none-any.whl`));
  assert.equal(chooseWheel(builds, "pip", { pythonVersion }), builds[1]);
  assert.equal(chooseWheel(builds, "pip", { version: "24.2.0", pythonVersion }), builds[1]);
  // Empty clauses in Requires-Python are dropped, as packaging drops them.
  const clauses = [f("pip-25.0-py3-none-any.whl", { requiresPython: ">=3.13," }), f("pip-24.0-py3-none-any.whl")];
  assert.equal(chooseWheel(clauses, "pip", { pythonVersion }), clauses[1]);
  assert.equal(chooseWheel(clauses, "pip", { pythonVersion: { major: 3, minor: 13, micro: 0 } }), clauses[0]);
});

Deno.test("parseSimpleJson() takes true or a reason as yanked, and an empty reason as not, as pip does", () => {
  const file = (name: string, yanked: unknown) => ({
    filename: `${name}-1.0-py3-none-any.whl`,
    url: `/f/${name}`,
    yanked,
  });
  const page = {
    meta: { "api-version": "1.0" },
    name: "x",
    files: [file("a", true), file("b", "broken"), file("c", ""), file("d", false), file("e", undefined)],
  };
  const files = parseSimpleJson(
    JSON.stringify(page),
    "https://index.example/simple/x/",
    "https://index.example/simple",
  );
  assert.deepEqual(files.map((f) => [f.filename[0], f.yanked]), [
    ["a", true],
    ["b", true],
    ["c", false],
    ["d", false],
    ["e", false],
  ]);
});

Deno.test("parseSimpleHtml() reads attributes whose quoted value holds an unescaped '>'", () => {
  const files = parseSimpleHtml(
    `<a data-requires-python=">=3.9" href="pip-26.0-py3-none-any.whl">pip</a>
     <a href="pip-25.0-py3-none-any.whl" data-requires-python='>=3.8,<4'>pip</a>`,
    "https://index.example/simple/pip/",
    "https://index.example/simple",
  );
  assert.deepEqual(files.map((f) => [f.filename, f.requiresPython]), [
    ["pip-26.0-py3-none-any.whl", ">=3.9"],
    ["pip-25.0-py3-none-any.whl", ">=3.8,<4"],
  ]);
});

Deno.test("parseSimpleHtml() honours <base>, skips comments and unusable links", () => {
  const files = parseSimpleHtml(
    `<html><head><base href="https://cdn.example/packages/"></head><body>
      <!-- <a href="commented-1.0-py3-none-any.whl">x</a> -->
      <A HREF='a-1.0-py3-none-any.whl#sha256=${"AB".repeat(32)}' data-yanked="">a</A>
      <a href="https://other.example/b-1.0-py3-none-any.whl#md5=123" data-requires-python="&gt;=3.8,&lt;4">b</a>
      <a href="mailto:someone@example.org">mail</a>
      <a href="https://other.example/dir/">folder</a>
      <a name="anchor">no href</a>
    </body></html>`,
    "https://index.example/simple/a/",
    "https://index.example/simple",
  );
  assert.deepEqual(files, [
    {
      filename: "a-1.0-py3-none-any.whl",
      url: "https://cdn.example/packages/a-1.0-py3-none-any.whl",
      sha256: "ab".repeat(32),
      requiresPython: undefined,
      yanked: true,
      index: "https://index.example/simple",
    },
    {
      filename: "b-1.0-py3-none-any.whl",
      url: "https://other.example/b-1.0-py3-none-any.whl",
      sha256: undefined,
      requiresPython: ">=3.8,<4",
      yanked: false,
      index: "https://index.example/simple",
    },
  ]);
});

Deno.test("progressPrinter() redraws at most ten times a second and ends its line", () => {
  let out = "";
  let clock = 0;
  const progress = progressPrinter("pip-26.2.1-py3-none-any.whl", (text) => out += text, () => clock);
  progress.update(100_000, 2_100_000);
  clock = 50;
  progress.update(1_200_000, 2_100_000); // within 100 ms: skipped
  clock = 120;
  progress.update(1_250_000, 2_100_000);
  clock = 130;
  progress.update(2_100_000, 2_100_000); // the final state always shows
  progress.done();
  const line = (text: string) => `\rdownloading pip-26.2.1-py3-none-any.whl: ${text}\x1b[K`;
  assert.equal(out, line("0.1/2.1 MB") + line("1.3/2.1 MB") + line("2.1/2.1 MB") + "\n");
  out = "";
  const small = progressPrinter("x.whl", (text) => out += text, () => 0);
  small.done(); // nothing printed, nothing to end
  small.update(51_200, undefined);
  small.done();
  assert.equal(out, "\rdownloading x.whl: 51 kB\x1b[K\n");
});

Deno.test("progressLines() gives each download its line, ended by the next file, its end, or end()", () => {
  let out = "";
  let clock = 0;
  const lines = progressLines((text) => out += text, () => clock);
  const line = (name: string, text: string) => `\rdownloading ${name}: ${text}\x1b[K`;
  lines.report("a.whl", 1_000_000, 2_000_000);
  lines.report("a.whl", 2_000_000, 2_000_000); // complete: the line ends
  lines.report("b.whl", 100_000, undefined);
  clock = 10;
  lines.report("b.whl", 300_000, undefined); // throttled, yet drawn when the line ends
  lines.report("c.whl", 5_000, undefined); // another file: b's line ends first
  lines.end(); // what prints next (a warning, the report) ends c's
  lines.end();
  assert.equal(
    out,
    line("a.whl", "1.0/2.0 MB") + line("a.whl", "2.0/2.0 MB") + "\n" + line("b.whl", "100 kB") +
      line("b.whl", "300 kB") + "\n" + line("c.whl", "5 kB") + "\n",
  );
});
