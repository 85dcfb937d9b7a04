/**
 * A strict, synchronous reader for zip archives held in memory, small enough that reading a wheel loads no zip
 * library: the end of central directory record (found from the end, behind any archive comment), ZIP64 end records
 * and extra fields, the central directory, and each entry's local header.
 *
 * Strict means that anything two zip tools could read differently is refused rather than guessed at: a truncated or
 * garbled structure, an entry count or central directory size that does not add up, end records that disagree,
 * several disks, data outside the archive or overlapping another entry's, and a local header naming another file than
 * the central directory does. Entries are inflated (stored and deflate only) with `node:zlib`, never to more than
 * their declared size, and checked against their size and CRC-32; `loadNodeCodecs` must have finished
 * (`node_codecs.ts`) before {@linkcode readZipEntry} is called.
 *
 * Every error is a {@linkcode MkvenvError} whose message starts with the label the caller gave (a wheel's file name).
 *
 * @module
 */
import { MkvenvError } from "../errors.ts";
import { nodeCodecs } from "./node_codecs.ts";

/** One entry of a zip archive, as its central directory (and local header) describe it. */
export interface ZipEntry {
  /** The name, decoded as UTF-8 when general purpose flag bit 11 is set, else as code page 437. */
  readonly name: string;
  /** The name's bytes as stored. */
  readonly rawName: Uint8Array;
  /** The "version made by" field: the creating system in the high byte (0 MS-DOS, 3 Unix, ...). */
  readonly versionMadeBy: number;
  /** The general purpose bit flags. */
  readonly flags: number;
  /** Whether flag bit 0 (encrypted) is set; such an entry's data cannot be read. */
  readonly encrypted: boolean;
  /** The compression method: 0 stored, 8 deflate (the only two {@linkcode readZipEntry} inflates). */
  readonly method: number;
  /** The CRC-32 of the uncompressed data. */
  readonly crc32: number;
  /** The size of the stored (compressed) data in bytes. */
  readonly compressedSize: number;
  /** The size of the uncompressed data in bytes. */
  readonly uncompressedSize: number;
  /** Where the entry's local header starts. */
  readonly localHeaderOffset: number;
  /** Where the entry's stored data starts, after its local header. */
  readonly dataOffset: number;
  /** The external file attributes; a Unix mode (type and permission bits) in the high 16 bits. */
  readonly externalAttributes: number;
  /** The Unix mode: the high 16 bits of {@linkcode ZipEntry.externalAttributes}. */
  readonly unixMode: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const EOCD_LENGTH = 22;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_LOCATOR_LENGTH = 20;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const ZIP64_EOCD_LENGTH = 56;
const CENTRAL_SIGNATURE = 0x02014b50;
const CENTRAL_LENGTH = 46;
const LOCAL_SIGNATURE = 0x04034b50;
const LOCAL_LENGTH = 30;
const ZIP64_EXTRA_ID = 0x0001;
const MAX16 = 0xffff;
const MAX32 = 0xffffffff;
/** General purpose flag bit 0: the entry is encrypted. */
const FLAG_ENCRYPTED = 0x1;
/** General purpose flag bit 11: the name (and comment) are UTF-8. */
const FLAG_UTF8 = 0x800;

/** Code page 437's characters for bytes 0x80 to 0xFF (bytes below 0x80 are ASCII). */
const CP437_HIGH = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌" +
  "█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0";

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Names of compression methods that are refused, for the error message. */
const METHOD_NAMES: Readonly<Record<number, string>> = {
  1: "shrink",
  6: "implode",
  9: "Deflate64",
  12: "bzip2",
  14: "LZMA",
  93: "Zstandard",
  95: "xz",
  98: "PPMd",
  99: "AES encryption",
};

/**
 * Reads the central directory of a zip archive, checking every entry's local header on the way.
 *
 * @param bytes The whole archive.
 * @param label What to call the archive in error messages (e.g. a wheel's file name).
 * @returns The entries in central directory order.
 * @throws {MkvenvError} When the archive is not a zip, is truncated or garbled, spans several disks, its entry
 * count or central directory size do not add up, an entry's data lies outside the archive or overlaps another's, a
 * local header is missing or names another file, or a name flagged as UTF-8 is not.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { readZipEntries } from "./zip_read.ts";
 * import { storedZip } from "./zip_store.ts";
 * const dateTime = { year: 2024, month: 1, day: 2, hour: 3, minute: 4, second: 6 };
 * const zip = storedZip([{ name: "a/b.txt", data: new TextEncoder().encode("hi\n"), dateTime }]);
 * const [entry] = readZipEntries(zip, "demo.zip");
 * assert.equal(entry?.name, "a/b.txt");
 * assert.equal(entry?.uncompressedSize, 3);
 * assert.equal(entry?.unixMode, 0o600);
 * ```
 */
export function readZipEntries(bytes: Uint8Array, label: string): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (why: string): never => {
    throw new MkvenvError(`${label}: not a readable zip archive: ${why}`);
  };
  const u16 = (at: number): number => view.getUint16(at, true);
  const u32 = (at: number): number => view.getUint32(at, true);
  const u64 = (at: number, what: string): number => {
    const value = view.getBigUint64(at, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) bad(`${what} is too large (${value})`);
    return Number(value);
  };

  // The end record is 22 bytes plus a comment of up to 65535 bytes, which must reach exactly to the end.
  let eocd = -1;
  for (let at = bytes.length - EOCD_LENGTH; at >= 0 && at >= bytes.length - EOCD_LENGTH - MAX16; at--) {
    if (u32(at) === EOCD_SIGNATURE && u16(at + 20) === bytes.length - at - EOCD_LENGTH) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) bad("no end of central directory record (not a zip file, or truncated)");
  let disk = u16(eocd + 4);
  let cdDisk = u16(eocd + 6);
  let onDisk = u16(eocd + 8);
  let count = u16(eocd + 10);
  let cdSize = u32(eocd + 12);
  let cdOffset = u32(eocd + 16);
  // Where the central directory must end: at the ZIP64 end record when there is one, else at the end record.
  let cdEnd = eocd;

  const locator = eocd - ZIP64_LOCATOR_LENGTH;
  if (locator >= 0 && u32(locator) === ZIP64_LOCATOR_SIGNATURE) {
    if (u32(locator + 4) !== 0 || u32(locator + 16) > 1) bad("archives spanning several disks are not supported");
    const record = u64(locator + 8, "the ZIP64 end record's offset");
    if (record + ZIP64_EOCD_LENGTH > locator || u32(record) !== ZIP64_EOCD_SIGNATURE) {
      bad("the ZIP64 end of central directory record is missing or garbled");
    }
    if (record + 12 + u64(record + 4, "the ZIP64 end record's size") !== locator) {
      bad("the ZIP64 end of central directory record's size is wrong");
    }
    const disk64 = u32(record + 16);
    const cdDisk64 = u32(record + 20);
    const onDisk64 = u64(record + 24, "the ZIP64 entry count");
    const count64 = u64(record + 32, "the ZIP64 entry count");
    const size64 = u64(record + 40, "the ZIP64 central directory size");
    const offset64 = u64(record + 48, "the ZIP64 central directory offset");
    // Each field of the end record either defers to the ZIP64 record (all ones) or says the same: two readers must
    // not see two different archives.
    const agree = (value: number, max: number, value64: number): boolean => value === max || value === value64;
    if (
      !agree(disk, MAX16, disk64) || !agree(cdDisk, MAX16, cdDisk64) || !agree(onDisk, MAX16, onDisk64) ||
      !agree(count, MAX16, count64) || !agree(cdSize, MAX32, size64) || !agree(cdOffset, MAX32, offset64)
    ) {
      bad("the end of central directory record and its ZIP64 record disagree");
    }
    disk = disk64;
    cdDisk = cdDisk64;
    onDisk = onDisk64;
    count = count64;
    cdSize = size64;
    cdOffset = offset64;
    cdEnd = record;
  }
  if (disk !== 0 || cdDisk !== 0 || onDisk !== count) bad("archives spanning several disks are not supported");
  if (cdOffset + cdSize !== cdEnd) {
    bad(
      `the central directory (${cdSize} bytes at offset ${cdOffset}) does not end where the end record starts (${cdEnd})`,
    );
  }

  const entries: ZipEntry[] = [];
  let at = cdOffset;
  for (let i = 0; i < count; i++) {
    if (at + CENTRAL_LENGTH > cdEnd || u32(at) !== CENTRAL_SIGNATURE) {
      bad(`central directory entry ${i + 1} of ${count} is missing or garbled`);
    }
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    const next = at + CENTRAL_LENGTH + nameLength + extraLength + u16(at + 32);
    if (next > cdEnd) bad(`central directory entry ${i + 1} runs past the central directory`);
    const flags = u16(at + 8);
    const rawName = bytes.subarray(at + CENTRAL_LENGTH, at + CENTRAL_LENGTH + nameLength);
    const name = decodeName(rawName, (flags & FLAG_UTF8) !== 0, label, i);
    let compressedSize = u32(at + 20);
    let uncompressedSize = u32(at + 24);
    let localHeaderOffset = u32(at + 42);
    let entryDisk = u16(at + 34);
    if (uncompressedSize === MAX32 || compressedSize === MAX32 || localHeaderOffset === MAX32 || entryDisk === MAX16) {
      // The ZIP64 extra field holds, in this order, only the values whose 32-bit (or 16-bit) field is all ones.
      const zip64 = findZip64Extra(view, at + CENTRAL_LENGTH + nameLength, extraLength, name, bad);
      let field = zip64.start;
      const take = (what: string): number => {
        if (field + 8 > zip64.end) bad(`the ZIP64 extra field of "${name}" lacks its ${what}`);
        const value = u64(field, `the ${what} of "${name}"`);
        field += 8;
        return value;
      };
      if (uncompressedSize === MAX32) uncompressedSize = take("uncompressed size");
      if (compressedSize === MAX32) compressedSize = take("compressed size");
      if (localHeaderOffset === MAX32) localHeaderOffset = take("local header offset");
      if (entryDisk === MAX16) {
        if (field + 4 > zip64.end) bad(`the ZIP64 extra field of "${name}" lacks its disk number`);
        entryDisk = u32(field);
      }
    } else {
      checkExtraFields(view, at + CENTRAL_LENGTH + nameLength, extraLength, name, bad);
    }
    if (entryDisk !== 0) bad("archives spanning several disks are not supported");
    const method = u16(at + 10);

    // The local header: it must be there, before the central directory, name the same file and use the same method.
    const local = localHeaderOffset;
    if (local + LOCAL_LENGTH > cdOffset || u32(local) !== LOCAL_SIGNATURE) {
      bad(`"${name}" has no local header at offset ${local}`);
    }
    const localNameLength = u16(local + 26);
    const dataOffset = local + LOCAL_LENGTH + localNameLength + u16(local + 28);
    if (!sameBytes(bytes, local + LOCAL_LENGTH, localNameLength, rawName)) {
      // A local name differing from the central one is how archives show different files to different tools.
      throw new MkvenvError(`${label}: refusing entry "${name}": its local header names another file`);
    }
    if (u16(local + 8) !== method) {
      throw new MkvenvError(`${label}: refusing entry "${name}": its local header gives another compression method`);
    }
    if (dataOffset + compressedSize > cdOffset) bad(`the data of "${name}" runs past the end of the entries`);
    const externalAttributes = u32(at + 38);
    entries.push({
      name,
      rawName,
      versionMadeBy: u16(at + 4),
      flags,
      encrypted: (flags & FLAG_ENCRYPTED) !== 0,
      method,
      crc32: u32(at + 16),
      compressedSize,
      uncompressedSize,
      localHeaderOffset,
      dataOffset,
      externalAttributes,
      unixMode: externalAttributes >>> 16,
    });
    at = next;
  }
  if (at !== cdEnd) bad(`the central directory holds more than the ${count} entries its end record announces`);

  // No two entries may share bytes: overlapping entries are how zip bombs multiply their data.
  const byOffset = entries.length < 2 || isSortedByOffset(entries)
    ? entries
    : [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  for (let i = 1; i < byOffset.length; i++) {
    const before = byOffset[i - 1]!, after = byOffset[i]!;
    if (before.dataOffset + before.compressedSize > after.localHeaderOffset) {
      bad(`the data of "${before.name}" overlaps "${after.name}"`);
    }
  }
  return entries;
}

/**
 * The stored (possibly compressed) data of an entry, as a view into `bytes`.
 *
 * @param bytes The whole archive, as given to {@linkcode readZipEntries}.
 * @param entry One of the entries {@linkcode readZipEntries} returned for `bytes`.
 * @param label What to call the archive in error messages.
 * @returns The entry's {@linkcode ZipEntry.compressedSize} bytes, starting after its local header.
 * @throws {MkvenvError} When the entry is encrypted, or its local header or data are not where `entry` says.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { readZipEntries, zipEntryRawData } from "./zip_read.ts";
 * import { storedZip } from "./zip_store.ts";
 * const dateTime = { year: 2024, month: 1, day: 2, hour: 3, minute: 4, second: 6 };
 * const zip = storedZip([{ name: "a.txt", data: new TextEncoder().encode("stored"), dateTime }]);
 * const [entry] = readZipEntries(zip, "demo.zip");
 * assert.equal(new TextDecoder().decode(zipEntryRawData(zip, entry!, "demo.zip")), "stored");
 * ```
 */
export function zipEntryRawData(bytes: Uint8Array, entry: ZipEntry, label: string): Uint8Array {
  if (entry.encrypted) throw new MkvenvError(`${label}: refusing entry "${entry.name}": it is encrypted`);
  const local = entry.localHeaderOffset;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (
    local < 0 || local + LOCAL_LENGTH > bytes.length || view.getUint32(local, true) !== LOCAL_SIGNATURE ||
    !sameBytes(bytes, local + LOCAL_LENGTH, view.getUint16(local + 26, true), entry.rawName) ||
    local + LOCAL_LENGTH + entry.rawName.length + view.getUint16(local + 28, true) !== entry.dataOffset ||
    entry.dataOffset + entry.compressedSize > bytes.length
  ) {
    throw new MkvenvError(`${label}: not a readable zip archive: the local header of "${entry.name}" is not as listed`);
  }
  return bytes.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize);
}

/**
 * The uncompressed content of a stored or deflated entry. Inflating stops as soon as the output would pass the
 * entry's declared size (a zip's sizes are not to be trusted: a small entry could otherwise inflate to gigabytes),
 * and the content must have exactly that size and the entry's CRC-32. Call it once `loadNodeCodecs()` (in
 * `node_codecs.ts`) has finished.
 *
 * @param bytes The whole archive, as given to {@linkcode readZipEntries}.
 * @param entry One of the entries {@linkcode readZipEntries} returned for `bytes`.
 * @param label What to call the archive in error messages.
 * @returns The content; for a stored entry, a view into `bytes`.
 * @throws {MkvenvError} When the entry is encrypted, uses another compression method than stored (0) or deflate
 * (8), or its data is corrupt: not valid deflate data, followed by stray bytes, larger or smaller than declared, or
 * with another CRC-32.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { readZipEntries, readZipEntry } from "./zip_read.ts";
 * import { loadNodeCodecs } from "./node_codecs.ts";
 * import { storedZip } from "./zip_store.ts";
 * await loadNodeCodecs();
 * const dateTime = { year: 2024, month: 1, day: 2, hour: 3, minute: 4, second: 6 };
 * const zip = storedZip([{ name: "a.txt", data: new TextEncoder().encode("content"), dateTime }]);
 * const [entry] = readZipEntries(zip, "demo.zip");
 * assert.equal(new TextDecoder().decode(readZipEntry(zip, entry!, "demo.zip")), "content");
 * ```
 */
export function readZipEntry(bytes: Uint8Array, entry: ZipEntry, label: string): Uint8Array {
  const raw = zipEntryRawData(bytes, entry, label);
  if (entry.method !== 0 && entry.method !== 8) {
    const known = METHOD_NAMES[entry.method];
    throw new MkvenvError(
      `${label}: refusing entry "${entry.name}": compression method ${entry.method}${
        known === undefined ? "" : ` (${known})`
      } is not supported (only stored and deflate)`,
    );
  }
  const corrupt = (why: string, cause?: unknown): MkvenvError =>
    new MkvenvError(`${label}: "${entry.name}" is corrupt: ${why}`, cause === undefined ? {} : { cause });
  let data: Uint8Array;
  if (entry.method === 0) {
    data = raw;
  } else {
    const limit = entry.uncompressedSize;
    let result: { buffer: Uint8Array; engine: { bytesWritten: number } };
    try {
      // maxOutputLength makes zlib stop (and throw) at the limit; it must be at least 1. A chunk of the expected
      // size spares the growing and copying of 16 KiB chunks; big entries still grow in 1 MiB steps, so a lying
      // size cannot make us allocate much ahead of the data.
      result = nodeCodecs().zlib.inflateRawSync(raw, {
        maxOutputLength: Math.max(limit, 1),
        chunkSize: Math.min(Math.max(limit + 1, 64), 1 << 20),
        info: true,
      }) as unknown as typeof result;
    } catch (e) {
      if ((e as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE") {
        throw corrupt(`it inflates to more than the ${limit} bytes the zip directory says`, e);
      }
      throw corrupt((e as Error).message, e);
    }
    // A plain view, not node's Buffer subclass (whose `slice` shares memory, unlike Uint8Array's).
    data = new Uint8Array(result.buffer.buffer, result.buffer.byteOffset, result.buffer.byteLength);
    if (data.length > limit) throw corrupt(`it inflates to more than the ${limit} bytes the zip directory says`);
    if (result.engine.bytesWritten !== raw.length) {
      throw corrupt(`${raw.length - result.engine.bytesWritten} stray bytes follow its deflate data`);
    }
  }
  if (data.length !== entry.uncompressedSize) throw corrupt("its size differs from the zip directory's");
  if (nodeCodecs().zlib.crc32(data) !== entry.crc32) throw corrupt("its CRC-32 differs from the zip directory's");
  return data;
}

/** Decodes an entry name: UTF-8 when flagged (and then it must be valid), else code page 437. */
function decodeName(raw: Uint8Array, utf8: boolean, label: string, index: number): string {
  let ascii = 0;
  while (ascii < raw.length && raw[ascii]! < 0x80) ascii++;
  if (!utf8 && ascii < raw.length) {
    let name = UTF8.decode(raw.subarray(0, ascii));
    for (let i = ascii; i < raw.length; i++) {
      const b = raw[i]!;
      name += b < 0x80 ? String.fromCharCode(b) : CP437_HIGH[b - 0x80]!;
    }
    return name;
  }
  try {
    // ASCII is valid UTF-8 and means the same in code page 437.
    return UTF8.decode(raw);
  } catch (e) {
    const start = UTF8.decode(raw.subarray(0, ascii));
    throw new MkvenvError(
      `${label}: refusing entry ${index + 1} ("${start}..."): its name is flagged as UTF-8 but is not valid UTF-8`,
      { cause: e },
    );
  }
}

/** Checks that an extra field area is a well-formed list of (id, size, data) blocks. */
function checkExtraFields(view: DataView, start: number, length: number, name: string, bad: (why: string) => never) {
  let at = start;
  const end = start + length;
  // Python's zipfile tolerates up to 3 trailing bytes (padding); so does this reader.
  while (at + 4 <= end) {
    const size = view.getUint16(at + 2, true);
    if (at + 4 + size > end) bad(`the extra field of "${name}" is garbled`);
    at += 4 + size;
  }
}

/** Finds the one ZIP64 block in an extra field area, checking the area on the way. */
function findZip64Extra(
  view: DataView,
  start: number,
  length: number,
  name: string,
  bad: (why: string) => never,
): { start: number; end: number } {
  let found: { start: number; end: number } | undefined;
  let at = start;
  const end = start + length;
  while (at + 4 <= end) {
    const id = view.getUint16(at, true);
    const size = view.getUint16(at + 2, true);
    if (at + 4 + size > end) bad(`the extra field of "${name}" is garbled`);
    if (id === ZIP64_EXTRA_ID) {
      if (found !== undefined) bad(`"${name}" has two ZIP64 extra fields`);
      found = { start: at + 4, end: at + 4 + size };
    }
    at += 4 + size;
  }
  return found ?? bad(`"${name}" has no ZIP64 extra field for the sizes or offset it defers to one`);
}

/** Whether `bytes[at, at + length)` equals `expected`. */
function sameBytes(bytes: Uint8Array, at: number, length: number, expected: Uint8Array): boolean {
  if (length !== expected.length || at + length > bytes.length) return false;
  for (let i = 0; i < length; i++) if (bytes[at + i] !== expected[i]) return false;
  return true;
}

function isSortedByOffset(entries: readonly ZipEntry[]): boolean {
  for (let i = 1; i < entries.length; i++) {
    if (entries[i - 1]!.localHeaderOffset > entries[i]!.localHeaderOffset) return false;
  }
  return true;
}
