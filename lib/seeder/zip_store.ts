/**
 * A minimal zip writer for stored (uncompressed) entries, producing the bytes Python's `zipfile.ZipFile.writestr`
 * writes into a seekable stream: distlib appends such an archive (one `__main__.py`) to its Windows `.exe`
 * launchers. Apart from the wheel reader (./zip_read.ts) on purpose: a warm run writes these scripts, and only a cold
 * run (a new install image) loads the reader.
 *
 * The layout, checked against CPython 3.6 to 3.13's `zipfile` (their bytes agree):
 *
 * - per entry a local file header: version needed 20, flags 0 (`0x800` for a non-ASCII name, stored as UTF-8),
 *   method 0 (stored), DOS time and date, CRC-32, both sizes, the name and no extra field; then the data, with no
 *   data descriptor (the stream is seekable, so the header is rewritten with the real CRC and sizes);
 * - the central directory: "version made by" 20 with the creating system in the high byte (0 for MS-DOS/Windows,
 *   3 for Unix, from `sys.platform` of the Python writing it), the same fields as the local header, no comment,
 *   disk 0, internal attributes 0, external attributes (`0o600 << 16`, what `writestr` gives a file), and the
 *   local header's offset;
 * - the end of central directory record, without a comment.
 *
 * Zip64 is not written: an entry Python would store as zip64 (over 2 GiB) is refused.
 *
 * @module
 */

/** A date and time as a zip entry stores it (MS-DOS format: years 1980 to 2107, even seconds). */
export interface ZipDateTime {
  /** The year, 1980 to 2107. */
  readonly year: number;
  /** The month, 1 to 12. */
  readonly month: number;
  /** The day of the month, 1 to 31. */
  readonly day: number;
  /** The hour, 0 to 23. */
  readonly hour: number;
  /** The minute, 0 to 59. */
  readonly minute: number;
  /** The second, 0 to 59 (stored halved, so an odd second reads back one less). */
  readonly second: number;
}

/** One file to store in the archive. */
export interface StoredZipEntry {
  /** The name in the archive, `/`-separated. */
  readonly name: string;
  /** The content, stored as is. */
  readonly data: Uint8Array;
  /** The modification date and time. */
  readonly dateTime: ZipDateTime;
  /** The external attributes: a Unix mode in the high 16 bits. @default {0o600 << 16} (Python's `writestr`) */
  readonly externalAttributes?: number | undefined;
}

/** Options for {@linkcode storedZip}. */
export interface StoredZipOptions {
  /**
   * The creating system in the central directory's "version made by": 0 (MS-DOS, what Python on Windows writes) or 3
   * (Unix, what Python elsewhere writes).
   * @default {0}
   */
  readonly createSystem?: number | undefined;
}

/** Python's `ZIP64_LIMIT`: `zipfile` switches to zip64 for an entry over `ZIP64_LIMIT / 1.05` bytes. */
const ZIP64_LIMIT = 2 ** 31 - 1;
/** What `zipfile` writes as "version needed to extract" and "version made by" for a stored entry. */
const ZIP_VERSION = 20;
/** General purpose flag bit 11: the name is UTF-8. */
const UTF8_NAME_FLAG = 0x800;

let crcTable: Uint32Array | undefined;

/**
 * The CRC-32 of `bytes` (the zip and zlib polynomial, `0xEDB88320` reflected), as an unsigned 32-bit number.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { crc32 } from "./zip_store.ts";
 * assert(crc32(new TextEncoder().encode("123456789")) === 0xcbf43926);
 * ```
 */
export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const b of bytes) crc = crcTable[(crc ^ b) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** The DOS time and date words of `dt`, as `zipfile` computes them. */
function dosTimeDate(dt: ZipDateTime): [time: number, date: number] {
  if (dt.year < 1980 || dt.year > 2107) {
    throw new RangeError(`A zip entry's year must lie in 1980..2107, got ${dt.year}`);
  }
  const date = ((dt.year - 1980) << 9) | (dt.month << 5) | dt.day;
  const time = (dt.hour << 11) | (dt.minute << 5) | Math.floor(dt.second / 2);
  return [time, date];
}

/** A name's bytes and flags: ASCII as is, anything else as UTF-8 with flag bit 11 (`_encodeFilenameFlags`). */
function encodeName(name: string): [bytes: Uint8Array, flags: number] {
  const bytes = new TextEncoder().encode(name);
  // UTF-8 encodes exactly the ASCII names in one byte per character.
  return [bytes, bytes.length === name.length ? 0 : UTF8_NAME_FLAG];
}

/**
 * A zip archive of stored entries, byte for byte what Python's `zipfile.ZipFile(stream, "w")` writes for the same
 * `writestr` calls into a seekable stream (see the module documentation for the fields).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { storedZip } from "./zip_store.ts";
 * const dateTime = { year: 2024, month: 5, day: 6, hour: 7, minute: 8, second: 9 };
 * const zip = storedZip([{ name: "__main__.py", data: new TextEncoder().encode("import sys\n"), dateTime }]);
 * assert(zip.length === 22 + 30 + 11 + 11 + 46 + 11);
 * ```
 *
 * @throws {RangeError} For a date outside 1980..2107 or an entry too large for a zip without zip64.
 */
export function storedZip(entries: readonly StoredZipEntry[], options: StoredZipOptions = {}): Uint8Array {
  const createSystem = options.createSystem ?? 0;
  if (entries.length > 0xffff) throw new RangeError("A zip without zip64 holds at most 65535 entries");
  const prepared = entries.map((entry) => {
    if (entry.data.length * 1.05 > ZIP64_LIMIT) {
      throw new RangeError(`The zip entry "${entry.name}" is too large to store without zip64`);
    }
    const [name, flags] = encodeName(entry.name);
    const [time, date] = dosTimeDate(entry.dateTime);
    return { entry, name, flags, time, date, crc: crc32(entry.data) };
  });
  const localSize = prepared.reduce((n, p) => n + 30 + p.name.length + p.entry.data.length, 0);
  const centralSize = prepared.reduce((n, p) => n + 46 + p.name.length, 0);
  const out = new Uint8Array(localSize + centralSize + 22);
  const view = new DataView(out.buffer);
  let at = 0;
  const u16 = (value: number): void => {
    view.setUint16(at, value, true);
    at += 2;
  };
  const u32 = (value: number): void => {
    view.setUint32(at, value >>> 0, true);
    at += 4;
  };
  const bytes = (value: Uint8Array): void => {
    out.set(value, at);
    at += value.length;
  };
  // The fields a local header and its central directory record share, from "version needed" to the extra field's
  // length.
  const sharedFields = (p: typeof prepared[number]): void => {
    u16(ZIP_VERSION);
    u16(p.flags);
    u16(0); // stored
    u16(p.time);
    u16(p.date);
    u32(p.crc);
    u32(p.entry.data.length);
    u32(p.entry.data.length);
    u16(p.name.length);
    u16(0); // extra field length
  };
  const offsets: number[] = [];
  for (const p of prepared) {
    offsets.push(at);
    u32(0x04034b50);
    sharedFields(p);
    bytes(p.name);
    bytes(p.entry.data);
  }
  const centralStart = at;
  prepared.forEach((p, i) => {
    u32(0x02014b50);
    u16((createSystem << 8) | ZIP_VERSION);
    sharedFields(p);
    u16(0); // comment length
    u16(0); // disk number
    u16(0); // internal attributes
    u32(p.entry.externalAttributes ?? 0o600 << 16);
    u32(offsets[i]!);
    bytes(p.name);
  });
  const centralLength = at - centralStart;
  u32(0x06054b50);
  u16(0); // this disk
  u16(0); // disk with the central directory
  u16(prepared.length);
  u16(prepared.length);
  u32(centralLength);
  u32(centralStart);
  u16(0); // comment length
  return out;
}
