/**
 * A small client for Python package indexes, enough to fetch seed wheels (pip, setuptools, wheel) without Python:
 * list a project's files on the indexes and find-links locations pip's configuration names
 * ({@linkcode findDistributionFiles}), pick the wheel pip would install ({@linkcode chooseWheel}), and download it
 * with its sha256 checked ({@linkcode downloadFile}).
 *
 * Indexes speak the simple repository API: PEP 691 JSON when the server offers it, else PEP 503 HTML. `file://`
 * indexes are read from disk (`<index>/<project>/index.html`, or the folder's files when there is no page), as are
 * find-links folders. Every network wait is bounded: the connection and each pause between received bytes must end
 * within `timeoutMs`.
 *
 * @module
 */
import { startDeadline } from "../deadline.ts";
import { MkvenvError } from "../errors.ts";
import { fromFileUrl, hostPath as path } from "../path.ts";
import { MKVENV_VERSION } from "../version.ts";
import type { PipIndexConfig } from "./pip_config.ts";
import {
  isPreReleaseWheel,
  isUniversalPy3,
  isVersion,
  newestFirst,
  normalizeProject,
  parseWheelFileName,
  requiresPythonAllows,
  type WheelFileName,
} from "./wheel_name.ts";

/** One distribution file a package index (or find-links location) lists. */
export interface IndexFile {
  /** The file's name, e.g. `pip-26.2.1-py3-none-any.whl`; never contains a path separator. */
  readonly filename: string;
  /** Absolute URL to download it from (`https:`, `http:` or `file:`), without the hash fragment. */
  readonly url: string;
  /** The file's sha256 in lower-case hex, when the index gave one. */
  readonly sha256?: string | undefined;
  /** The `Requires-Python` specifier set the index gave, when it gave one. */
  readonly requiresPython?: string | undefined;
  /** Whether the file is yanked (PEP 592): installed only when its version is pinned exactly. */
  readonly yanked: boolean;
  /** The index URL or find-links location that listed the file, with any password masked. */
  readonly index: string;
  /** When the file was uploaded (PEP 700 `upload-time`, ISO 8601), when the index said; HTML pages never do. */
  readonly uploadTime?: string | undefined;
}

/** The `Accept` header for index pages: PEP 691 JSON preferred, PEP 503 HTML accepted, as pip asks. */
export const SIMPLE_ACCEPT =
  "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01";

/** Options for {@linkcode findDistributionFiles}. */
export interface FindOptions {
  /** The fetch implementation; the global `fetch` by default. */
  readonly fetch?: typeof fetch | undefined;
  /** How long to wait for a connection, and for more bytes after each received chunk, in milliseconds. */
  readonly timeoutMs: number;
  /** Cancels every request; the promise then rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
  /** Told about each source that could not be read while another could (pip skips those with a warning). */
  readonly onSkipped?: ((reason: string) => void) | undefined;
}

/** Options for {@linkcode downloadFile}. */
export interface DownloadOptions {
  /** pip's `cert`: a PEM file of certificate authorities trusted besides the usual ones (a private index's). */
  readonly cert?: string | undefined;
  /** The fetch implementation; the global `fetch` by default. */
  readonly fetch?: typeof fetch | undefined;
  /** How long to wait for a connection, and for more bytes after each received chunk, in milliseconds. */
  readonly timeoutMs: number;
  /** Called after each received chunk with the bytes so far and the expected size (undefined when unknown). */
  readonly onProgress?: ((received: number, total: number | undefined) => void) | undefined;
  /** Cancels the download (no file is left); the promise then rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
}

const HINT = "check pip's index settings (index-url, extra-index-url), or seed without the index: --no-download uses " +
  "the wheels mkvenv has, --extra-search-dir DIR adds a folder of wheels";
const TIMEOUT_HINT = "raise pip's timeout (PIP_TIMEOUT, or timeout in pip.conf) if the index is just slow; " + HINT;

/**
 * The URL as pip's `redact_auth_from_url` shows it in messages: a password becomes `****`, and so does a user name
 * given alone (a token). Also for text that is no valid URL, since an error may quote one.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { redactUrl } from "./index_client.ts";
 * assert(redactUrl("https://user:secret@example.org/simple") === "https://user:****@example.org/simple");
 * assert(redactUrl("https://tok_123@example.org/simple") === "https://****@example.org/simple");
 * assert(redactUrl("http://user:secret@host:88a/simple") === "http://user:****@host:88a/simple");
 * ```
 */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)@/i, (_, scheme: string, auth: string) => {
    const colon = auth.indexOf(":");
    return `${scheme}${colon < 0 ? "****" : `${auth.slice(0, colon)}:****`}@`;
  });
}

// --- file: URLs -------------------------------------------------------------------------------------------------

const IS_WINDOWS = Deno.build.os === "windows";

/** The host path of a `file:` URL (`file:///C:/x` → `C:\x` and `file://server/share` → `\\server\share` on Windows). */
function fileUrlToPath(url: URL): string {
  try {
    return fromFileUrl(url);
  } catch {
    throw new MkvenvError(`Cannot read ${url.href}: file URLs with a host are not supported here`, { hint: HINT });
  }
}

/** The `file:` URL of an absolute host path. */
function pathToFileUrl(file: string): string {
  const slashed = IS_WINDOWS ? file.replaceAll("\\", "/") : file;
  const encoded = slashed.split("/").map((s) => /^[a-zA-Z]:$/.test(s) ? s : encodeURIComponent(s)).join("/");
  if (encoded.startsWith("//")) return `file:${encoded}`; // a UNC path: the server becomes the host
  return `file://${encoded.startsWith("/") ? "" : "/"}${encoded}`;
}

// --- parsing index pages ----------------------------------------------------------------------------------------

/** Whether a name is usable as a file name in a folder: no separators, no `..`, nothing a path would reinterpret. */
function isSafeFilename(name: string): boolean {
  return name !== "" && name !== "." && name !== ".." && !/[\\/\0]/.test(name);
}

const ENTITIES: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

/** Decodes HTML character references: the common named ones and every numeric one. */
function htmlUnescape(text: string): string {
  return text.replace(/&(#[xX][0-9a-fA-F]+|#\d+|[a-zA-Z]+);?/g, (whole, ref: string) => {
    if (ref[0] === "#") {
      const code = ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : "\ufffd";
    }
    return ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

/** The attributes of an HTML start tag's inside (`href="..." data-yanked`), names lower-cased, values unescaped. */
function parseAttributes(inside: string): Map<string, string> {
  const attrs = new Map<string, string>();
  for (const m of inside.matchAll(/([^\s"'<>\/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)) {
    const name = m[1]!.toLowerCase();
    if (!attrs.has(name)) attrs.set(name, htmlUnescape(m[2] ?? m[3] ?? m[4] ?? ""));
  }
  return attrs;
}

/** Builds an {@linkcode IndexFile} from a link, or undefined when the link is unusable (no file name, bad URL). */
function fileFromLink(
  href: string,
  base: string,
  index: string,
  extra: {
    filename?: string;
    sha256?: string | undefined;
    requiresPython?: string | undefined;
    yanked: boolean;
    uploadTime?: string | undefined;
  },
): IndexFile | undefined {
  let url: URL;
  try {
    url = new URL(href, base);
  } catch {
    return undefined;
  }
  if (!/^(?:https?|file):$/.test(url.protocol)) return undefined;
  const fragment = /^#sha256=([0-9a-fA-F]{64})$/.exec(url.hash);
  url.hash = "";
  let filename = extra.filename;
  if (filename === undefined) {
    try {
      filename = decodeURIComponent(url.pathname.slice(url.pathname.lastIndexOf("/") + 1));
    } catch {
      return undefined;
    }
  }
  if (!isSafeFilename(filename)) return undefined;
  const sha256 = (extra.sha256 ?? fragment?.[1])?.toLowerCase();
  const requiresPython = extra.requiresPython?.trim() || undefined;
  const uploaded = extra.uploadTime !== undefined && !Number.isNaN(Date.parse(extra.uploadTime))
    ? { uploadTime: extra.uploadTime }
    : {};
  return { filename, url: url.href, sha256, requiresPython, yanked: extra.yanked, index, ...uploaded };
}

/**
 * A tag's attributes up to its closing `>`: a quoted value may hold a `>` (`data-requires-python=">=3.9"` from a
 * server that does not escape it), as Python's html.parser, which pip reads these pages with, allows.
 */
const TAG_ATTRIBUTES = `(?:[^>"']|"[^"]*"|'[^']*')*`;

/**
 * Parses a PEP 503 simple HTML page: every `<a href>` is a file; a `#sha256=` fragment gives its hash,
 * `data-requires-python` (HTML-unescaped) its Python requirement and `data-yanked` marks it yanked. Relative links
 * resolve against `<base href>` when present, else against `pageUrl`.
 *
 * @param html The page.
 * @param pageUrl The URL the page was read from (after redirects).
 * @param index What to record as each file's {@linkcode IndexFile.index}.
 * @returns The files in page order.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSimpleHtml } from "./index_client.ts";
 * const [file] = parseSimpleHtml(
 *   '<a href="../../files/pip-26.2.1-py3-none-any.whl" data-requires-python="&gt;=3.10">pip</a>',
 *   "https://example.org/simple/pip/",
 *   "https://example.org/simple",
 * );
 * assert(file?.url === "https://example.org/files/pip-26.2.1-py3-none-any.whl");
 * assert(file?.requiresPython === ">=3.10");
 * ```
 */
export function parseSimpleHtml(html: string, pageUrl: string, index: string): IndexFile[] {
  const text = html.replace(/<!--[\s\S]*?-->/g, "");
  let base = pageUrl;
  const baseTag = new RegExp(`<base\\b(${TAG_ATTRIBUTES})>`, "i").exec(text);
  const baseHref = baseTag ? parseAttributes(baseTag[1]!).get("href") : undefined;
  if (baseHref) {
    try {
      base = new URL(baseHref, pageUrl).href;
    } catch { /* an unusable <base> is ignored, as browsers do */ }
  }
  const files: IndexFile[] = [];
  for (const m of text.matchAll(new RegExp(`<a\\b(${TAG_ATTRIBUTES})>`, "gi"))) {
    const attrs = parseAttributes(m[1]!);
    const href = attrs.get("href");
    if (!href) continue;
    const file = fileFromLink(href, base, index, {
      requiresPython: attrs.get("data-requires-python"),
      yanked: attrs.has("data-yanked"),
    });
    if (file) files.push(file);
  }
  return files;
}

/**
 * Parses a PEP 691 simple JSON page (`application/vnd.pypi.simple.v1+json`). File URLs resolve against `pageUrl`.
 *
 * @param text The page.
 * @param pageUrl The URL the page was read from (after redirects).
 * @param index What to record as each file's {@linkcode IndexFile.index}.
 * @returns The files in page order.
 * @throws {MkvenvError} When the page is not JSON of API version 1.x.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSimpleJson } from "./index_client.ts";
 * const page = {
 *   meta: { "api-version": "1.1" },
 *   name: "pip",
 *   files: [{ filename: "pip-26.2.1-py3-none-any.whl", url: "/f/pip-26.2.1-py3-none-any.whl", yanked: "bug" }],
 * };
 * const pageUrl = "https://example.org/simple/pip/";
 * const [file] = parseSimpleJson(JSON.stringify(page), pageUrl, "https://example.org/simple");
 * assert(file?.yanked === true && file.url === "https://example.org/f/pip-26.2.1-py3-none-any.whl");
 * ```
 */
export function parseSimpleJson(text: string, pageUrl: string, index: string): IndexFile[] {
  const bad = (why: string) =>
    new MkvenvError(`Index page ${redactUrl(pageUrl)} is not a valid PEP 691 JSON page: ${why}`, { hint: HINT });
  let page: unknown;
  try {
    page = JSON.parse(text);
  } catch (e) {
    throw bad(e instanceof Error ? e.message : String(e));
  }
  const root = page as { meta?: { "api-version"?: unknown }; files?: unknown } | null;
  const version = root?.meta?.["api-version"];
  // PEP 691: a client must refuse a major version it does not know; minor versions only add.
  if (typeof version !== "string" || !/^1(?:\.\d+)?$/.test(version)) {
    throw bad(`api-version ${JSON.stringify(version)} is not 1.x`);
  }
  if (!Array.isArray(root?.files)) throw bad("no files list");
  const files: IndexFile[] = [];
  for (const entry of root.files as unknown[]) {
    const f = entry as Record<string, unknown> | null;
    if (typeof f?.filename !== "string" || typeof f.url !== "string") continue;
    const hashes = f.hashes as Record<string, unknown> | undefined;
    const sha256 = typeof hashes?.sha256 === "string" && /^[0-9a-fA-F]{64}$/.test(hashes.sha256)
      ? hashes.sha256
      : undefined;
    const file = fileFromLink(f.url, pageUrl, index, {
      filename: f.filename,
      sha256,
      requiresPython: typeof f["requires-python"] === "string" ? f["requires-python"] : undefined,
      // PEP 691 allows true or a (non-empty) reason for a yanked file; pip takes an empty one as not yanked.
      yanked: f.yanked === true || (typeof f.yanked === "string" && f.yanked !== ""),
      uploadTime: typeof f["upload-time"] === "string" ? f["upload-time"] : undefined,
    });
    if (file) files.push(file);
  }
  return files;
}

// --- HTTP with timeouts -----------------------------------------------------------------------------------------

interface RequestOptions {
  readonly fetch?: typeof fetch | undefined;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
  /** pip's `cert` (see {@linkcode DownloadOptions.cert}). */
  readonly cert?: string | undefined;
  /** Hosts whose plain-http pages are read all the same (pip's `trusted-host`). */
  readonly trustedHosts?: readonly string[] | undefined;
}

/** Reads the next body chunk, or undefined at the end; each read must produce bytes within the timeout. */
type NextChunk = () => Promise<Uint8Array | undefined>;

/** Why a request was aborted by us: the wait exceeded the timeout. */
const TIMED_OUT = Symbol("timed out");

/** A body read that failed for a reason other than our own abort: the connection broke. */
class BodyError extends Error {}

/** An HTTP client per `cert` file, made on the first request that needs one and kept for the process. */
const clients = new Map<string, Deno.HttpClient>();

/** The client trusting `cert`'s authorities besides the usual ones; undefined for none. */
function clientFor(cert: string | undefined): Deno.HttpClient | undefined {
  if (!cert) return undefined;
  let client = clients.get(cert);
  if (!client) {
    let pem: string;
    try {
      pem = Deno.readTextFileSync(cert);
    } catch (e) {
      throw new MkvenvError(`Cannot read pip's cert file "${cert}": ${e instanceof Error ? e.message : e}`, {
        hint: "fix or unset cert in pip.conf (PIP_CERT): it names the certificate authorities of your index",
        cause: e,
      });
    }
    client = Deno.createHttpClient({ caCerts: [pem] });
    clients.set(cert, client);
  }
  return client;
}

/**
 * GETs `url` and hands the response and a chunk reader to `use`. The connection and every wait for body bytes must
 * finish within `timeoutMs`; time `use` spends between reads (writing to disk) does not count. Whatever happens, the
 * timer is cleared and the body released, so nothing outlives the call.
 */
async function withHttp<T>(
  url: string,
  headers: Record<string, string>,
  options: RequestOptions,
  use: (response: Response, next: NextChunk) => Promise<T>,
): Promise<T> {
  const { signal, timeoutMs } = options;
  signal?.throwIfAborted();
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  let disarm = (): void => {};
  const arm = (): void => {
    disarm = startDeadline(timeoutMs, () => controller.abort(TIMED_OUT));
  };
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let phase = "waiting for a response from";
  try {
    // Before the clock starts: reading the certificate file is no wait for the network.
    const client = clientFor(options.cert);
    arm();
    const response = await (options.fetch ?? fetch)(url, {
      headers: { "User-Agent": `mkvenv/${MKVENV_VERSION}`, ...headers },
      signal: controller.signal,
      ...(client ? { client } : {}),
    }).finally(disarm);
    reader = response.body?.getReader();
    phase = "reading";
    const next: NextChunk = async () => {
      if (!reader) return undefined;
      arm();
      try {
        const { done, value } = await reader.read();
        return done ? undefined : value;
      } catch (e) {
        if (controller.signal.aborted) throw e;
        throw new BodyError(e instanceof Error ? e.message : String(e), { cause: e });
      } finally {
        disarm();
      }
    };
    return await use(response, next);
  } catch (e) {
    if (signal?.aborted) throw signal.reason;
    if (controller.signal.reason === TIMED_OUT) {
      throw new MkvenvError(`Timed out after ${timeoutMs / 1000} s ${phase} ${redactUrl(url)}`, {
        hint: TIMEOUT_HINT,
        cause: e,
      });
    }
    if (e instanceof BodyError) {
      throw new MkvenvError(`Connection dropped while reading ${redactUrl(url)}: ${e.message}`, {
        hint: HINT,
        cause: e,
      });
    }
    if (e instanceof MkvenvError) throw e;
    throw new MkvenvError(`Cannot fetch ${redactUrl(url)}: ${fetchFailure(e)}`, {
      hint: HINT,
      cause: e,
    });
  } finally {
    disarm();
    signal?.removeEventListener("abort", onAbort);
    // Releases the connection when `use` stopped early; a no-op after the body was read to its end.
    await reader?.cancel().catch(() => {});
  }
}

/** Reads the whole body within the timeouts. */
async function readAll(next: NextChunk): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let chunk = await next(); chunk; chunk = await next()) {
    chunks.push(chunk);
    size += chunk.length;
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

function statusError(url: string, response: Response): MkvenvError {
  const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
  return new MkvenvError(`Cannot fetch ${redactUrl(url)}: ${status}`, { hint: HINT });
}

/** The media type of a response, without parameters, lower case. */
function mediaType(response: Response): string {
  return (response.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
}

const JSON_TYPES = ["application/vnd.pypi.simple.v1+json", "application/vnd.pypi.simple.latest+json"];
const HTML_TYPES = ["application/vnd.pypi.simple.v1+html", "application/vnd.pypi.simple.latest+html", "text/html"];

/**
 * Whether pip would read a page from `url`: https and file URLs, plain http only from this machine (localhost,
 * 127.0.0.0/8, ::1) or from a host `trusted-host` names (`host`, or `host:port` for that port alone).
 */
function isSecureOrigin(url: URL, trustedHosts: readonly string[]): boolean {
  if (url.protocol !== "http:") return true;
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  if (host === "localhost" || /^127\.\d+\.\d+\.\d+$/.test(host) || host === "::1") return true;
  return trustedHosts.some((trusted) => {
    const t = trusted.toLowerCase();
    return t === host || t === url.host.toLowerCase() || t === `${host}:80`;
  });
}

/** GETs a page of links (index page or find-links page); undefined on 404. */
function fetchLinkPage(url: string, index: string, options: RequestOptions): Promise<IndexFile[] | undefined> {
  const parsed = new URL(url);
  if (!isSecureOrigin(parsed, options.trustedHosts ?? [])) {
    // pip's own words: the page is never asked for.
    return Promise.reject(
      new MkvenvError(
        `The repository located at ${parsed.hostname} is not a trusted or secure host and is being ignored`,
        {
          hint: `use https for it, or allow it as pip does: trusted-host = ${parsed.hostname} in pip.conf ` +
            `(PIP_TRUSTED_HOST)`,
        },
      ),
    );
  }
  // pip asks caches to revalidate index pages, so a proxy never hides a release.
  const headers = { Accept: SIMPLE_ACCEPT, "Cache-Control": "max-age=0" };
  return withHttp(url, headers, options, async (response, next) => {
    if (response.status === 404) return undefined;
    if (!response.ok) throw statusError(url, response);
    const type = mediaType(response);
    const isJson = JSON_TYPES.includes(type);
    if (!isJson && !HTML_TYPES.includes(type)) {
      throw new MkvenvError(
        `Index page ${redactUrl(url)} has Content-Type "${type || "(none)"}", neither PEP 691 JSON nor HTML`,
        { hint: HINT },
      );
    }
    const text = new TextDecoder().decode(await readAll(next));
    const pageUrl = response.url || url;
    return isJson ? parseSimpleJson(text, pageUrl, index) : parseSimpleHtml(text, pageUrl, index);
  });
}

// --- sources ----------------------------------------------------------------------------------------------------

async function statOrUndefined(file: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.stat(file);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return undefined;
    throw e;
  }
}

/** The files of a folder as links (a flat find-links folder, or a `file:` index folder without a page). */
async function folderFiles(dir: string, index: string): Promise<IndexFile[]> {
  const files: IndexFile[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile && !entry.isSymlink) continue;
    files.push({ filename: entry.name, url: pathToFileUrl(path.join(dir, entry.name)), yanked: false, index });
  }
  return files.sort((a, b) => a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0);
}

/** Reads a local page of links. */
async function localPage(file: string, index: string): Promise<IndexFile[]> {
  const html = await Deno.readTextFile(file);
  return parseSimpleHtml(html, pathToFileUrl(file), index);
}

/** The files one index lists for a project; empty when the index does not have it. */
async function indexFiles(indexUrl: string, project: string, options: RequestOptions): Promise<IndexFile[]> {
  const index = redactUrl(indexUrl);
  // As pip: `<index>/<normalised name>/`, the trailing slash avoiding a redirect on PyPI.
  const pageUrl = `${indexUrl.replace(/\/+$/, "")}/${encodeURIComponent(normalizeProject(project))}/`;
  let url: URL;
  try {
    url = new URL(pageUrl);
  } catch {
    throw new MkvenvError(`Invalid package index URL "${index}"`, { hint: HINT });
  }
  if (url.protocol === "file:") {
    const dir = fileUrlToPath(url);
    if (!(await statOrUndefined(dir))?.isDirectory) return [];
    const page = path.join(dir, "index.html");
    return (await statOrUndefined(page))?.isFile ? await localPage(page, index) : await folderFiles(dir, index);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new MkvenvError(`Unsupported package index URL "${index}": expected https:, http: or file:`, { hint: HINT });
  }
  const files = await fetchLinkPage(pageUrl, index, options) ?? [];
  return withCredentials(files, url);
}

/**
 * Gives files on the index's own host the index's credentials, as pip does: a private index's file links rarely
 * repeat the user name and password.
 */
function withCredentials(files: IndexFile[], indexUrl: URL): IndexFile[] {
  if (indexUrl.username === "" && indexUrl.password === "") return files;
  return files.map((f) => {
    const u = new URL(f.url);
    if (u.origin !== indexUrl.origin || u.username !== "" || u.password !== "") return f;
    u.username = indexUrl.username;
    u.password = indexUrl.password;
    return { ...f, url: u.href };
  });
}

const ARCHIVE_RE = /\.(?:whl|tar\.gz|tgz|tar\.bz2|tbz|tar\.xz|txz|tar|zip)$/i;

/** Whether a file name from a find-links location is a distribution of `project` (find-links mix projects). */
function isDistributionOf(filename: string, project: string): boolean {
  const m = ARCHIVE_RE.exec(filename);
  if (!m) return false;
  const want = normalizeProject(project);
  if (m[0].toLowerCase() === ".whl") return normalizeProject(filename.split("-")[0]!) === want;
  // An sdist is `<name>-<version>`, and the name may itself contain dashes.
  const stem = normalizeProject(filename.slice(0, -m[0].length));
  return stem.startsWith(`${want}-`) && /^\d/.test(stem.slice(want.length + 1));
}

/** The files of `project` in one find-links location: a folder, a page of links (local or remote) or a file. */
async function findLinksFiles(location: string, project: string, options: RequestOptions): Promise<IndexFile[]> {
  const index = redactUrl(location);
  let files: IndexFile[];
  if (/^https?:/i.test(location)) {
    files = await fetchLinkPage(location, index, options) ?? [];
  } else {
    const file = /^file:/i.test(location) ? fileUrlToPath(new URL(location)) : path.resolve(location);
    const stat = await statOrUndefined(file);
    if (!stat) files = [];
    else if (stat.isDirectory) files = await folderFiles(file, index);
    else if (/\.html?$/i.test(file)) files = await localPage(file, index);
    else files = [{ filename: path.basename(file), url: pathToFileUrl(file), yanked: false, index }];
  }
  return files.filter((f) => isDistributionOf(f.filename, project));
}

/**
 * Lists the distribution files of `project` on every source pip's configuration names: the index and each extra
 * index (unless `noIndex`), then each find-links location. Sources are queried in parallel; the result keeps their
 * order and drops repeated URLs.
 *
 * An index answering 404, a `file:` index without the project's folder and a missing find-links location mean "not
 * there". A source that fails otherwise (another HTTP error, a timeout, a dropped connection, an unreadable page) is
 * skipped and reported through `onSkipped` while another source answers, as pip skips it; when every source fails,
 * the search fails with the first one's error.
 *
 * @param project The project name, in any spelling (`setuptools`, `Flask_RESTful`).
 * @param config Where to look, from `resolvePipIndexes` (./pip_config.ts).
 * @param options Timeout, cancellation and an optional fetch implementation.
 * @returns The files found, possibly none.
 * @throws {MkvenvError} When no source could be read: naming the URL and the HTTP status, the timeout or the network
 * error.
 *
 * @example Usage
 * ```ts ignore
 * import { findDistributionFiles } from "./index_client.ts";
 * import { resolvePipIndexes } from "./pip_config.ts";
 * import { hostPlatform } from "../platform.ts";
 * const config = resolvePipIndexes((name) => Deno.env.get(name), hostPlatform());
 * const files = await findDistributionFiles("pip", config, { timeoutMs: 15_000 });
 * ```
 */
export async function findDistributionFiles(
  project: string,
  config: PipIndexConfig,
  options: FindOptions,
): Promise<IndexFile[]> {
  const { signal } = options;
  signal?.throwIfAborted();
  const inner = new AbortController();
  const onAbort = () => inner.abort(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  const request: RequestOptions = {
    fetch: options.fetch,
    timeoutMs: options.timeoutMs,
    signal: inner.signal,
    trustedHosts: config.trustedHosts,
    cert: config.cert,
  };
  const indexes = config.noIndex ? [] : [config.indexUrl, ...config.extraIndexUrls];
  const sources = [
    ...indexes.map((url) => () => indexFiles(url, project, request)),
    ...config.findLinks.map((location) => () => findLinksFiles(location, project, request)),
  ];
  try {
    // Like pip: a source that cannot be read is skipped (and reported) while another answers; only when none
    // does is it an error.
    const results = await Promise.allSettled(sources.map((source) => source()));
    signal?.throwIfAborted();
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failures.length && failures.length === results.length) throw failures[0]!.reason;
    for (const f of failures) options.onSkipped?.(f.reason instanceof Error ? f.reason.message : String(f.reason));
    const seen = new Set<string>();
    const files: IndexFile[] = [];
    for (const r of results) {
      for (const f of r.status === "fulfilled" ? r.value : []) {
        if (seen.has(f.url)) continue;
        seen.add(f.url);
        files.push(f);
      }
    }
    return files;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}

/**
 * What a failed `fetch` says, with the reason Deno keeps in its `cause` ("fetch failed" alone names no DNS error or
 * refused connection). The cause's own copy of the URL is left out: it would show a password the URL carries.
 */
function fetchFailure(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = e.cause instanceof Error
    ? e.cause.message.replace(/^error sending request for url \([^)]*\): /, "")
    : "";
  return cause && !cause.includes("://") ? `${e.message} (${cause})` : e.message;
}

// --- downloading ------------------------------------------------------------------------------------------------

let tempCounter = 0;

function toHex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Whether `targetDir` already holds `file` as {@linkcode downloadFile} would write it: present, and with the sha256
 * the index gives, when it gives one. A copy damaged since is then fetched again.
 *
 * @param file The file as the index lists it.
 * @param targetDir The folder a download of it goes to.
 * @returns Whether the file there can be used as it is.
 */
export async function hasDownloaded(file: IndexFile, targetDir: string): Promise<boolean> {
  const target = path.join(targetDir, file.filename);
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    if (file.sha256 === undefined) return Deno.statSync(target).isFile;
    bytes = Deno.readFileSync(target);
  } catch {
    return false;
  }
  return toHex(await crypto.subtle.digest("SHA-256", bytes)) === file.sha256;
}

async function writeAll(file: Deno.FsFile, data: Uint8Array): Promise<void> {
  for (let offset = 0; offset < data.length;) offset += await file.write(data.subarray(offset));
}

/**
 * Downloads `file` into `targetDir` (created when missing) under its own name and returns the path. The bytes go to a
 * temporary name in `targetDir` first and are renamed into place once complete and, when the index gave a sha256,
 * verified: a reader never sees a partial or wrong file, and a failure or cancellation leaves nothing behind. An
 * existing file of the same name is replaced. `file:` URLs are copied.
 *
 * @param file The file to fetch, from {@linkcode findDistributionFiles}.
 * @param targetDir The folder to put it in.
 * @param options Timeout (for the connection and for every pause between received bytes), progress and cancellation.
 * @returns The downloaded file's path.
 * @throws {MkvenvError} On an HTTP error, a timeout, a dropped connection (including fewer bytes than the announced
 * Content-Length), a sha256 mismatch or an unsafe file name.
 *
 * @example Usage
 * ```ts ignore
 * import { downloadFile, progressPrinter } from "./index_client.ts";
 * const filename = "pip-26.2.1-py3-none-any.whl";
 * const file = { filename, url: `https://example.org/${filename}`, yanked: false, index: "https://example.org" };
 * const progress = progressPrinter(file.filename, (text) => Deno.stderr.writeSync(new TextEncoder().encode(text)));
 * try {
 *   await downloadFile(file, "/tmp/wheels", { timeoutMs: 15_000, onProgress: progress.update });
 * } finally {
 *   progress.done();
 * }
 * ```
 */
export async function downloadFile(file: IndexFile, targetDir: string, options: DownloadOptions): Promise<string> {
  if (!isSafeFilename(file.filename)) {
    throw new MkvenvError(
      `Refusing to download "${file.filename}" from ${redactUrl(file.url)}: not a plain file name`,
      {
        hint: HINT,
      },
    );
  }
  options.signal?.throwIfAborted();
  await Deno.mkdir(targetDir, { recursive: true });
  const target = path.join(targetDir, file.filename);
  const temp = path.join(targetDir, `.${file.filename}.${Deno.pid}.${++tempCounter}.tmp`);
  try {
    const url = new URL(file.url);
    if (url.protocol === "file:") {
      const source = fileUrlToPath(url);
      try {
        await Deno.copyFile(source, temp);
      } catch (e) {
        throw new MkvenvError(`Cannot copy ${source}: ${e instanceof Error ? e.message : String(e)}`, {
          hint: HINT,
          cause: e,
        });
      }
      const size = (await Deno.stat(temp)).size;
      options.onProgress?.(size, size);
    } else {
      // Identity encoding, as pip asks: the sha256 and Content-Length then describe the bytes we store.
      await withHttp(file.url, { "Accept-Encoding": "identity" }, options, async (response, next) => {
        if (!response.ok) throw statusError(file.url, response);
        const length = response.headers.get("content-length");
        const encoded = (response.headers.get("content-encoding") ?? "identity").toLowerCase() !== "identity";
        const total = length !== null && /^\d+$/.test(length) && !encoded ? Number(length) : undefined;
        let received = 0;
        using out = await Deno.open(temp, { write: true, createNew: true });
        for (let chunk = await next(); chunk; chunk = await next()) {
          await writeAll(out, chunk);
          received += chunk.length;
          options.onProgress?.(received, total);
        }
        if (total !== undefined && received !== total) {
          throw new MkvenvError(
            `Connection dropped while downloading ${redactUrl(file.url)}: received ${received} of ${total} bytes`,
            { hint: HINT },
          );
        }
      });
    }
    if (file.sha256) {
      // Read back rather than hashed on the fly: Web Crypto has no streaming digest, and this checks what is on disk.
      const actual = toHex(await crypto.subtle.digest("SHA-256", await Deno.readFile(temp)));
      if (actual !== file.sha256.toLowerCase()) {
        throw new MkvenvError(`sha256 mismatch for ${file.filename}: expected ${file.sha256}, got ${actual}`, {
          hint: `the file at ${redactUrl(file.url)} is not the one ${file.index} lists (a broken mirror or proxy?); ` +
            "retry later, or use --no-download / --extra-search-dir",
        });
      }
    }
    options.signal?.throwIfAborted();
    await Deno.rename(temp, target);
    return target;
  } catch (e) {
    await Deno.remove(temp).catch(() => {});
    throw e;
  }
}

// --- choosing ---------------------------------------------------------------------------------------------------

/** Options for {@linkcode chooseWheel}. */
export interface ChooseOptions {
  /** The exact version wanted (`26.2.1`); the newest final release when absent. */
  readonly version?: string | undefined;
  /** The Python the wheel is for, checked against each file's `Requires-Python`. */
  readonly pythonVersion: { readonly major: number; readonly minor: number; readonly micro: number };
}

/**
 * Picks the wheel pip would install for `project` among `files`: a pure-Python wheel for Python 3 (`py3-none-any`,
 * or a tag set containing `py3` such as `py2.py3`), of this project, whose `Requires-Python` admits the Python. With
 * `version`, only that version (PEP 440 equality) qualifies and yanked or pre-release files may be chosen; otherwise
 * the newest final release that is not yanked wins. Among files of the same version, a non-yanked one, then the one
 * from the earlier source wins.
 *
 * A file without a `Requires-Python` (find-links folders, pages without `data-requires-python`) is assumed to admit
 * every Python, as pip assumes until it has the wheel's METADATA; use {@linkcode rankWheels} to fall back to the next
 * candidate when the downloaded wheel turns out not to.
 *
 * @param files Files from {@linkcode findDistributionFiles}.
 * @param project The project name, in any spelling.
 * @param options The wanted version and the target Python.
 * @returns The chosen file, or undefined when none qualifies.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { chooseWheel, type IndexFile } from "./index_client.ts";
 * const file = (filename: string, requiresPython?: string): IndexFile =>
 *   ({ filename, url: `https://example.org/${filename}`, requiresPython, yanked: false, index: "" });
 * const files = [file("pip-23.2.1-py3-none-any.whl", ">=3.7"), file("pip-26.2.1-py3-none-any.whl", ">=3.10")];
 * const pythonVersion = { major: 3, minor: 8, micro: 18 };
 * assert(chooseWheel(files, "pip", { pythonVersion })?.filename === "pip-23.2.1-py3-none-any.whl");
 * ```
 */
export function chooseWheel(
  files: readonly IndexFile[],
  project: string,
  options: ChooseOptions,
): IndexFile | undefined {
  return rankWheels(files, project, options)[0];
}

/**
 * Every file {@linkcode chooseWheel} would accept, best first (its choice is the first). For callers that check the
 * downloaded wheel's own `Requires-Python` and move on to the next candidate when the index did not say.
 *
 * @param files Files from {@linkcode findDistributionFiles}.
 * @param project The project name, in any spelling.
 * @param options The wanted version and the target Python.
 * @returns The acceptable files, best first; empty when none qualifies.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { type IndexFile, rankWheels } from "./index_client.ts";
 * const file = (filename: string): IndexFile =>
 *   ({ filename, url: `file:///wheels/${filename}`, yanked: false, index: "/wheels" });
 * const files = [file("pip-23.2.1-py3-none-any.whl"), file("pip-26.2.1-py3-none-any.whl")];
 * const ranked = rankWheels(files, "pip", { pythonVersion: { major: 3, minor: 8, micro: 18 } });
 * assert(ranked.map((f) => f.filename).join() === "pip-26.2.1-py3-none-any.whl,pip-23.2.1-py3-none-any.whl");
 * ```
 */
export function rankWheels(files: readonly IndexFile[], project: string, options: ChooseOptions): IndexFile[] {
  const want = normalizeProject(project);
  const candidates: { file: IndexFile; wheel: WheelFileName; order: number }[] = [];
  for (const [order, file] of files.entries()) {
    // Unparseable names and versions are skipped, as pip skips them.
    const wheel = parseWheelFileName(file.filename);
    if (!wheel || wheel.project !== want || !isUniversalPy3(wheel)) continue;
    if (options.version !== undefined) {
      if (!isVersion(wheel, options.version)) continue;
    } else if (file.yanked || isPreReleaseWheel(wheel)) {
      continue;
    }
    if (!requiresPythonAllows(file.requiresPython, options.pythonVersion)) continue;
    candidates.push({ file, wheel, order });
  }
  // pip's order: a yanked file last, then the newest version, then the highest build tag.
  candidates.sort((a, b) =>
    Number(a.file.yanked) - Number(b.file.yanked) || newestFirst(a.wheel, b.wheel) || a.order - b.order
  );
  return candidates.map((c) => c.file);
}
