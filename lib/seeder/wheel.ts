/**
 * Reading and unpacking wheels (PEP 427): the metadata a seeder needs (`Requires-Python`, console
 * scripts, the `.dist-info` folder), and a checked extraction that refuses entries escaping the target and verifies
 * every file against `RECORD`.
 *
 * The archive is read by the small, strict reader in `zip_read.ts` (central directory, ZIP64, local headers) and
 * everything after is synchronous: entries are inflated with `node:zlib`'s `inflateRawSync` (never past their
 * declared size), hashed with `node:crypto` and written with `Deno.writeFileSync`. For pip's ~500 files that is
 * several times faster than a zip library with one decompression stream and one promise chain per entry.
 *
 * Those `node:` modules are imported by the first wheel read (`node_codecs.ts`), not with this module: booting Deno's
 * Node compatibility costs about 20 ms, which only a run that reads a wheel pays.
 *
 * @module
 */
import { loadNodeCodecs, nodeCodecs } from "./node_codecs.ts";
import { readZipEntries, readZipEntry, type ZipEntry } from "./zip_read.ts";
import { formatVersion, parseVersion } from "../discovery/pep440.ts";
import { checkpoint } from "../deadline.ts";
import { MkvenvError } from "../errors.ts";
import { hostPath } from "../path.ts";
import { normalizeProject, parseWheelFileName, type WheelFileName } from "./wheel_name.ts";

/** A `console_scripts` entry point of a wheel. */
export interface ConsoleScript {
  /** The script name, e.g. `pip3`. */
  readonly name: string;
  /** The module to import, e.g. `pip._internal.cli.main`. */
  readonly module: string;
  /** The callable in that module, possibly dotted, e.g. `main` or `Cli.run`. */
  readonly attr: string;
}

/** What a wheel says about itself in its `.dist-info` folder. */
export interface WheelMetadata {
  /** `Name` from METADATA, as written. */
  readonly name: string;
  /** `Version` from METADATA, as written. */
  readonly version: string;
  /** `Requires-Python` from METADATA, if present. */
  readonly requiresPython: string | undefined;
  /** The `[console_scripts]` entry points from `entry_points.txt`, in file order (empty without that file). */
  readonly consoleScripts: readonly ConsoleScript[];
  /** The `.dist-info` folder name, e.g. `pip-23.2.1.dist-info`. */
  readonly distInfo: string;
}

/** One row of a `RECORD` file. */
export interface RecordEntry {
  /** The path relative to site-packages, `/`-separated. */
  readonly path: string;
  /** The hash as written, e.g. `sha256=…` (urlsafe base64 without padding); undefined when the field is empty. */
  readonly hash: string | undefined;
  /** The size in bytes; undefined when the field is empty. */
  readonly size: number | undefined;
}

/** The result of {@linkcode extractWheel}. */
export interface ExtractedWheel {
  /** The `.dist-info` folder name, e.g. `pip-23.2.1.dist-info`. */
  readonly distInfo: string;
  /** Every file written, relative to the target, `/`-separated, sorted. Folders are not listed. */
  readonly files: readonly string[];
  /** The wheel's `RECORD` rows, in file order (its own row included). */
  readonly record: readonly RecordEntry[];
}

/** A Python version, as `sys.version_info` gives its first three fields. */
export interface PythonVersionTriple {
  /** Major version, e.g. 3. */
  readonly major: number;
  /** Minor version, e.g. 12. */
  readonly minor: number;
  /** Micro version, e.g. 1. */
  readonly micro: number;
}

/**
 * Parses a `RECORD` file: CSV as Python's `csv` module writes it (fields holding `,`, `"` or line breaks are quoted,
 * with `""` for a quote). Blank lines are skipped.
 *
 * @param text The content of `RECORD`.
 * @returns The rows in file order.
 * @throws {SyntaxError} When a row does not have three fields, the size is not a number, or a quote is unclosed.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRecord } from "./wheel.ts";
 * const rows = parseRecord('"a,b.py",sha256=AAAA,3\npip-1.0.dist-info/RECORD,,\n');
 * assert(rows[0]?.path === "a,b.py" && rows[0].size === 3 && rows[1]?.hash === undefined);
 * ```
 */
export function parseRecord(text: string): RecordEntry[] {
  return parseCsv(text).map((row, i) => {
    // csv.writer writes exactly three fields; tolerating more would guess at what a foreign tool meant.
    if (row.length !== 3) throw new SyntaxError(`RECORD row ${i + 1} has ${row.length} fields instead of 3`);
    const [path, hash, size] = row as [string, string, string];
    if (path === "") throw new SyntaxError(`RECORD row ${i + 1} has an empty path`);
    if (size !== "" && !/^\d+$/.test(size)) throw new SyntaxError(`RECORD row ${i + 1} has an invalid size "${size}"`);
    return { path, hash: hash === "" ? undefined : hash, size: size === "" ? undefined : Number(size) };
  });
}

/** Splits CSV text into rows of fields, following Python's csv reader (excel dialect). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false; // inside a quoted section
  let fieldStarted = false; // the current row has content (so a line end emits it)
  for (let i = 0; i < text.length; i++) {
    if (!quoted && !fieldStarted && field === "" && row.length === 0) {
      // Fast path for the usual row: a line without quotes holds its fields, split at commas.
      let end = i;
      for (let c = text.charCodeAt(end); end < text.length && c !== 10 && c !== 13 && c !== 34;) {
        c = text.charCodeAt(++end);
      }
      if (end === text.length || text.charCodeAt(end) !== 34) {
        if (end > i) rows.push(text.slice(i, end).split(","));
        i = text[end] === "\r" && text[end + 1] === "\n" ? end + 1 : end;
        continue;
      }
    }
    const c = text[i]!;
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') field += text[++i];
      else quoted = false;
      continue;
    }
    if (c === '"' && field === "") {
      quoted = true;
      fieldStarted = true;
    } else if (c === ",") {
      row.push(field);
      field = "";
      fieldStarted = true;
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      if (fieldStarted || field !== "") rows.push([...row, field]);
      row = [];
      field = "";
      fieldStarted = false;
    } else {
      // Like Python's lenient reader, a quote inside an unquoted field is an ordinary character.
      field += c;
      fieldStarted = true;
    }
  }
  if (quoted) throw new SyntaxError("RECORD ends inside a quoted field");
  if (fieldStarted || field !== "") rows.push([...row, field]);
  return rows;
}

/** The RECORD hash algorithms accepted, named as RECORD and `node:crypto` name them. PEP 427 forbids md5 and sha1. */
const DIGESTS: ReadonlySet<string> = new Set(["sha256", "sha384", "sha512"]);

/** The digest of `bytes`, urlsafe base64 without padding (which is what node's "base64url" encoding writes). */
function digestUrlsafeNoPad(algorithm: string, bytes: Uint8Array): string {
  return nodeCodecs().crypto.createHash(algorithm).update(bytes).digest("base64url");
}

/**
 * Reads what a seeder needs from a wheel's `.dist-info` folder: METADATA's `Name`, `Version` and `Requires-Python`,
 * and the `[console_scripts]` of `entry_points.txt`. Only those two entries are inflated.
 *
 * The folder is the one holding `METADATA`; with several, the one named `{distribution}-{version}.dist-info` after
 * the wheel's file name.
 *
 * @param bytes The wheel file's content.
 * @param fileName The wheel's file name, used to pick the `.dist-info` folder and in error messages.
 * @returns The metadata.
 * @throws {MkvenvError} When the wheel is not a readable zip, has unsafe entry names, lacks METADATA (or its `Name`
 * or `Version`), or has an invalid console script entry point.
 *
 * @example Usage
 * ```ts ignore
 * import { readWheelMetadata } from "./wheel.ts";
 * const meta = await readWheelMetadata(await Deno.readFile("pip-23.2.1-py3-none-any.whl"), "pip-23.2.1-py3-none-any.whl");
 * console.assert(meta.requiresPython === ">=3.7" && meta.consoleScripts[0]?.name === "pip");
 * ```
 */
export async function readWheelMetadata(bytes: Uint8Array, fileName: string): Promise<WheelMetadata> {
  await loadNodeCodecs();
  const label = labelOf(fileName);
  const entries = readEntries(bytes, label);
  const byName = new Map(entries.map((e) => [e.name, e]));
  const candidates = entries.flatMap((e) => /^([^/]+\.dist-info)\/METADATA$/.exec(e.name)?.[1] ?? []);
  const distInfo = chooseDistInfo(candidates, fileName, label, "METADATA");
  const metadataText = decodeUtf8(readZipEntry(bytes, byName.get(`${distInfo}/METADATA`)!, label), label, "METADATA");
  const headers = parseHeaders(metadataText);
  const name = headers.get("name");
  const version = headers.get("version");
  if (name === undefined || version === undefined) {
    throw new MkvenvError(`${label}: ${distInfo}/METADATA has no ${name === undefined ? "Name" : "Version"} field`);
  }
  const entryPoints = byName.get(`${distInfo}/entry_points.txt`);
  const consoleScripts = entryPoints === undefined
    ? []
    : parseConsoleScripts(decodeUtf8(readZipEntry(bytes, entryPoints, label), label, "entry_points.txt"), label);
  return { name, version, requiresPython: headers.get("requires-python"), consoleScripts, distInfo };
}

/** Unix file type bits, the symbolic link and folder types, as stored in the high 16 bits of the external attributes. */
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;
/** The MS-DOS "directory" attribute, in the low byte of the external attributes. */
const DOS_DIRECTORY = 0x10;

/** A file entry that passed the checks, with where it goes. */
interface PlannedFile {
  readonly entry: ZipEntry;
  /** The entry name (`/`-separated, relative). */
  readonly name: string;
  /** The absolute destination. */
  readonly dest: string;
  readonly executable: boolean;
  /** The RECORD row to verify against; undefined for RECORD and its signatures. */
  readonly record: RecordEntry | undefined;
}

/**
 * Writes every entry of a wheel under `target` and verifies the result against the wheel's `RECORD`.
 *
 * Before anything is written, every entry is checked: names must be relative, `/`-separated paths without `.`, `..`
 * or empty segments, backslashes, drive letters or NUL, that stay under `target`; no name may repeat or be both a
 * file and a folder; no entry may be a symbolic link, encrypted, marked as a folder without a name ending in `/`, or
 * compressed otherwise than stored or deflated; and every file except `RECORD` (and its
 * `RECORD.jws`/`RECORD.p7s` signatures) must have a RECORD row with a sha256/sha384/sha512 hash and a matching
 * size, while every RECORD row but its own must name a file of the wheel. Each file's hash is then checked before it
 * is written. Files are written `0o755` when the zip's Unix mode has an execute bit, `0o644` otherwise.
 *
 * On failure `target` may hold part of the wheel: it is meant to be a private temporary folder that the caller
 * discards. Nothing is ever written outside it.
 *
 * @param bytes The wheel file's content.
 * @param target An existing, empty folder.
 * @param fileName The wheel's file name, used in error messages and to pick the `.dist-info` folder when the
 * wheel holds several; `wheel` when omitted.
 * @param signal Stops the extraction between files when aborted (the promise rejects with its reason); the work
 * gives the event loop a turn every few milliseconds while there is a signal, so that a timer can abort it.
 * @returns The `.dist-info` folder, the files written and the RECORD rows.
 * @throws {MkvenvError} When the wheel is not a readable zip, an entry is refused, RECORD is missing or does not
 * match, or writing fails; the message names the wheel and the entry.
 *
 * @example Usage
 * ```ts ignore
 * import { extractWheel } from "./wheel.ts";
 * const target = await Deno.makeTempDir();
 * const { distInfo, files } = await extractWheel(await Deno.readFile("pip-23.2.1-py3-none-any.whl"), target);
 * console.assert(distInfo === "pip-23.2.1.dist-info" && files.includes("pip/__init__.py"));
 * ```
 */
export async function extractWheel(
  bytes: Uint8Array,
  target: string,
  fileName?: string,
  signal?: AbortSignal,
): Promise<ExtractedWheel> {
  await loadNodeCodecs();
  const label = labelOf(fileName);
  const root = hostPath.resolve(target);
  const entries = readEntries(bytes, label);
  const { files, dirs } = planEntries(entries, root, label);

  const recordCandidates = files.flatMap((f) => /^([^/]+\.dist-info)\/RECORD$/.exec(f.name)?.[1] ?? []);
  const distInfo = chooseDistInfo(recordCandidates, fileName ?? "", label, "RECORD");
  const recordName = `${distInfo}/RECORD`;
  const recordFile = files.find((f) => f.name === recordName)!;
  const recordBytes = readZipEntry(bytes, recordFile.entry, label);
  let record: RecordEntry[];
  try {
    record = parseRecord(decodeUtf8(recordBytes, label, recordName));
  } catch (e) {
    if (e instanceof MkvenvError) throw e;
    throw new MkvenvError(`${label}: ${recordName} is malformed: ${(e as Error).message}`, { cause: e });
  }
  const planned = matchRecord(files, record, distInfo, label);

  for (const dir of dirs) {
    try {
      // Not recursive, and an existing folder is an error: every folder on a written path is then one made here,
      // never a link someone left in the target.
      Deno.mkdirSync(hostPath.join(root, ...dir.split("/")));
    } catch (e) {
      throw new MkvenvError(`${label}: cannot create folder "${dir}": ${(e as Error).message}`, { cause: e });
    }
  }
  // One file at a time, synchronously: with the data in memory, promises and concurrency only add overhead.
  const check = checkpoint(signal);
  for (const file of planned) {
    await check();
    const data = file === recordFile ? recordBytes : readZipEntry(bytes, file.entry, label);
    if (file.record !== undefined) verifyHash(file, data, label);
    try {
      // createNew: the target is empty, so an existing name means something else wrote there; never follow it.
      Deno.writeFileSync(file.dest, data, { mode: file.executable ? 0o755 : 0o644, createNew: true });
    } catch (e) {
      throw new MkvenvError(`${label}: cannot write "${file.name}": ${(e as Error).message}`, { cause: e });
    }
  }
  return { distInfo, files: files.map((f) => f.name).sort(), record };
}

function labelOf(fileName: string | undefined): string {
  if (fileName === undefined || fileName === "") return "wheel";
  return fileName.slice(Math.max(fileName.lastIndexOf("/"), fileName.lastIndexOf("\\")) + 1);
}

/** A `..` segment (`/` or `\` separated), or an absolute name: `/`, `\` or a drive letter first. */
const UNSAFE_NAME_RE = /(?:^|[\\/])\.\.(?:[\\/]|$)|^[\\/]|^[A-Za-z]:/;

/**
 * The archive's entries, refusing any whose name {@linkcode UNSAFE_NAME_RE} matches before anything else is looked
 * at, as the zip library mkvenv used to read wheels with did (and with its message).
 */
function readEntries(bytes: Uint8Array, label: string): ZipEntry[] {
  const entries = readZipEntries(bytes, label);
  for (const { name } of entries) {
    if (UNSAFE_NAME_RE.test(name)) {
      throw new MkvenvError(`${label}: refusing entry "${name}": unsafe name (absolute or with ".." segments)`);
    }
  }
  return entries;
}

/**
 * Matches every name {@linkcode nameProblem} refuses, once a folder's trailing `/` is dropped: an empty, `.` or `..`
 * segment (which covers an empty name and a leading `/`), a backslash, NUL, or a drive letter.
 */
const NAME_PROBLEM_RE = /(?:^|\/)\.{0,2}(?:\/|$)|[\\\0]|^[A-Za-z]:/;

/** Why an entry name is refused, or undefined when it is a plain relative path. */
function nameProblem(name: string): string | undefined {
  // The usual case takes one regular expression; the checks below only tell which problem a name has.
  if (!NAME_PROBLEM_RE.test(name.endsWith("/") ? name.slice(0, -1) : name)) return undefined;
  if (name === "") return "empty name";
  if (name.includes("\0")) return "NUL character in the name";
  if (name.includes("\\")) return "backslash in the name";
  if (name.startsWith("/")) return "absolute name";
  if (/^[A-Za-z]:/.test(name)) return "drive letter in the name";
  const segments = (name.endsWith("/") ? name.slice(0, -1) : name).split("/");
  if (segments.includes("..")) return '".." segment in the name';
  if (segments.includes(".") || segments.includes("")) return 'empty or "." segment in the name';
  return undefined;
}

/** Checks every entry and decides where files go and which folders to create (sorted, so parents come first). */
function planEntries(
  entries: readonly ZipEntry[],
  root: string,
  label: string,
): { files: PlannedFile[]; dirs: string[] } {
  const refuse = (name: string, why: string): never => {
    throw new MkvenvError(`${label}: refusing entry "${name}": ${why}`);
  };
  const files: PlannedFile[] = [];
  const dirs = new Set<string>();
  const seen = new Set<string>();
  const prefix = root.endsWith(hostPath.sep) ? root : root + hostPath.sep;
  for (const entry of entries) {
    const name = entry.name;
    const problem = nameProblem(name);
    if (problem !== undefined) refuse(name, problem);
    const unixMode = entry.unixMode;
    if ((unixMode & S_IFMT) === S_IFLNK) refuse(name, "symbolic links are not allowed in wheels");
    if (entry.encrypted) refuse(name, "encrypted entries are not allowed in wheels");
    const isDir = name.endsWith("/");
    // zip tools disagree on such an entry (a folder for some, a file for Python's zipfile and thus pip).
    const dosDir = entry.versionMadeBy >> 8 === 0 && (entry.externalAttributes & DOS_DIRECTORY) !== 0;
    if (!isDir && ((unixMode & S_IFMT) === S_IFDIR || dosDir)) {
      refuse(name, "it is marked as a folder but its name does not end with /");
    }
    if (!isDir && entry.method !== 0 && entry.method !== 8) {
      refuse(name, `compression method ${entry.method} is not supported (only stored and deflate)`);
    }
    const path = isDir ? name.slice(0, -1) : name;
    if (seen.has(path)) refuse(name, "the name occurs twice");
    seen.add(path);
    const segments = path.split("/");
    // Belt and braces after the name checks: with every segment a plain name under the host's path rules too, the
    // joined path stays under root (what `hostPath.relative` would confirm, at ten times the cost for pip's wheel).
    if (segments.some((s) => s === "" || s === "." || s === ".." || s.includes("/") || s.includes(hostPath.sep))) {
      refuse(name, "it would be written outside the target folder");
    }
    // What `hostPath.join(root, ...segments)` gives for such segments, without its normalising.
    const dest = prefix + (hostPath.sep === "/" ? path : segments.join(hostPath.sep));
    for (let slash = path.indexOf("/"); slash >= 0; slash = path.indexOf("/", slash + 1)) {
      dirs.add(path.slice(0, slash));
    }
    if (isDir) {
      if (entry.uncompressedSize !== 0) refuse(name, "a folder entry with content");
      dirs.add(path);
      continue;
    }
    files.push({ entry, name, dest, executable: (unixMode & 0o111) !== 0, record: undefined });
  }
  for (const file of files) {
    if (dirs.has(file.name)) refuse(file.name, "the name is both a file and a folder");
  }
  return { files, dirs: [...dirs].sort() };
}

/** Pairs files with their RECORD rows, refusing unlisted files, unhashed files, size mismatches and missing files. */
function matchRecord(
  files: readonly PlannedFile[],
  record: readonly RecordEntry[],
  distInfo: string,
  label: string,
): PlannedFile[] {
  const recordName = `${distInfo}/RECORD`;
  const rows = new Map<string, RecordEntry>();
  for (const row of record) {
    const earlier = rows.get(row.path);
    if (earlier !== undefined && (earlier.hash !== row.hash || earlier.size !== row.size)) {
      throw new MkvenvError(`${label}: ${recordName} lists "${row.path}" twice with different values`);
    }
    rows.set(row.path, row);
  }
  const unsigned = new Set([recordName, `${recordName}.jws`, `${recordName}.p7s`]);
  const planned = files.map((file): PlannedFile => {
    if (unsigned.has(file.name)) return file;
    const row = rows.get(file.name);
    if (row === undefined) throw new MkvenvError(`${label}: "${file.name}" is not listed in its RECORD`);
    if (row.hash === undefined) throw new MkvenvError(`${label}: "${file.name}" has no hash in its RECORD`);
    if (row.size !== undefined && row.size !== file.entry.uncompressedSize) {
      throw new MkvenvError(
        `${label}: "${file.name}" does not match its RECORD size (${file.entry.uncompressedSize} bytes, RECORD says ${row.size})`,
      );
    }
    return { ...file, record: row };
  });
  const present = new Set(files.map((f) => f.name));
  for (const row of record) {
    if (row.path !== recordName && !present.has(row.path)) {
      throw new MkvenvError(`${label}: "${row.path}" is listed in its RECORD but missing from the wheel`);
    }
  }
  return planned;
}

function verifyHash(file: PlannedFile, data: Uint8Array, label: string): void {
  const hash = file.record!.hash!;
  const eq = hash.indexOf("=");
  const algorithm = hash.slice(0, Math.max(eq, 0)).toLowerCase();
  if (!DIGESTS.has(algorithm)) {
    throw new MkvenvError(`${label}: "${file.name}" has an unsupported RECORD hash "${hash}" (use sha256 or better)`);
  }
  const expected = hash.slice(eq + 1).replace(/=+$/, "");
  if (digestUrlsafeNoPad(algorithm, data) !== expected) {
    throw new MkvenvError(`${label}: "${file.name}" does not match its RECORD hash`);
  }
}

function decodeUtf8(bytes: Uint8Array, label: string, what: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (e) {
    throw new MkvenvError(`${label}: ${what} is not valid UTF-8`, { cause: e });
  }
}

/** Whether `folder` (`X.dist-info`) is the one PEP 427 names for the wheel: `{distribution}-{version}.dist-info`. */
function distInfoMatches(folder: string, wheel: WheelFileName): boolean {
  const stem = folder.slice(0, -".dist-info".length);
  const dash = stem.lastIndexOf("-");
  if (dash <= 0 || normalizeProject(stem.slice(0, dash)) !== wheel.project) return false;
  const version = stem.slice(dash + 1);
  if (version.toLowerCase() === wheel.version.toLowerCase()) return true;
  try {
    return formatVersion(parseVersion(version)) === formatVersion(parseVersion(wheel.version));
  } catch {
    return false;
  }
}

/** Picks the `.dist-info` folder among those holding `what`: the one the file name names, else the only one. */
function chooseDistInfo(candidates: readonly string[], fileName: string, label: string, what: string): string {
  const wheel = parseWheelFileName(fileName);
  const named = wheel === undefined ? undefined : candidates.find((c) => distInfoMatches(c, wheel));
  if (named !== undefined) return named;
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length === 0) throw new MkvenvError(`${label}: no *.dist-info/${what} in the wheel`);
  throw new MkvenvError(
    `${label}: several .dist-info folders hold ${what} (${candidates.join(", ")}) and none matches the wheel's name`,
  );
}

/** Parses RFC 822 style headers (up to the first blank line) into lower-cased names and their first values. */
function parseHeaders(text: string): Map<string, string> {
  const headers = new Map<string, string>();
  let last: string | undefined;
  for (const line of text.split(/\r\n|\n|\r/)) {
    if (line === "") break;
    if ((line.startsWith(" ") || line.startsWith("\t")) && last !== undefined) {
      // A folded continuation line: unfold it into the previous header (unless a later duplicate was ignored).
      const value = headers.get(last);
      if (value !== undefined) headers.set(last, `${value} ${line.trim()}`.trim());
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) {
      last = undefined;
      continue;
    }
    const name = line.slice(0, colon).trim().toLowerCase();
    last = headers.has(name) ? undefined : name;
    if (last !== undefined) headers.set(name, line.slice(colon + 1).trim());
  }
  return headers;
}

// importlib.metadata's entry point value pattern: `module:attr [extras]`, with Unicode word characters.
const ENTRY_POINT_RE = /^(?<module>[\p{L}\p{N}_.]+)\s*:\s*(?<attr>[\p{L}\p{N}_.]+)\s*(?:\[.*\])?\s*$/u;

/** The `[console_scripts]` entries of an `entry_points.txt`. */
function parseConsoleScripts(text: string, label: string): ConsoleScript[] {
  const scripts: ConsoleScript[] = [];
  let section: string | undefined;
  for (const raw of text.split(/\r\n|\n|\r/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    if (line.startsWith("[")) {
      section = line.endsWith("]") ? line.slice(1, -1).trim() : undefined;
      continue;
    }
    if (section !== "console_scripts") continue;
    const eq = line.indexOf("=");
    const name = eq < 0 ? "" : line.slice(0, eq).trim();
    const m = ENTRY_POINT_RE.exec(eq < 0 ? "" : line.slice(eq + 1).trim());
    if (name === "" || !m) {
      throw new MkvenvError(`${label}: invalid console script entry point "${line}" in entry_points.txt`, {
        hint: "expected `name = module:attr`",
      });
    }
    scripts.push({ name, module: m.groups!.module!, attr: m.groups!.attr! });
  }
  return scripts;
}
