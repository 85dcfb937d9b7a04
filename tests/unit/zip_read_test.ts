/**
 * The strict zip reader, cross-checked against archives written by two independent writers (zip.js's ZipWriter and
 * CPython's zipfile), and fed archives patched to be hostile or broken.
 *
 * @module
 */
import assert from "node:assert/strict";
import { deflateRawSync } from "node:zlib";
import { Uint8ArrayReader, Uint8ArrayWriter, ZipWriter, type ZipWriterConstructorOptions } from "@zip.js/zip.js";
import { MkvenvError } from "../../lib/errors.ts";
import { readZipEntries, readZipEntry, type ZipEntry, zipEntryRawData } from "../../lib/seeder/zip_read.ts";
import { loadNodeCodecs, nodeCodecs } from "../../lib/seeder/node_codecs.ts";
import { storedZip } from "../../lib/seeder/zip_store.ts";
import { cleanEnv, skipIf } from "../_helpers.ts";

// readZipEntry inflates with what this loads; the wheel reader's entry points load it themselves.
await loadNodeCodecs();

const LABEL = "demo-1.0-py3-none-any.whl";
const enc = new TextEncoder();
const dec = new TextDecoder();

/** A python3 on PATH, or undefined (the tests needing it are then skipped). */
const PYTHON: string | undefined = (() => {
  try {
    const out = new Deno.Command("python3", { args: ["-c", "import zipfile"], stdout: "null", stderr: "null" })
      .outputSync();
    return out.success ? "python3" : undefined;
  } catch {
    return undefined;
  }
})();

/** Runs Python code that writes a zip archive to stdout, and returns the archive. */
async function pythonZip(code: string): Promise<Uint8Array> {
  const out = await new Deno.Command(PYTHON!, {
    args: ["-c", `import sys, zipfile\n${code}`],
    env: cleanEnv(),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, dec.decode(out.stderr));
  return out.stdout;
}

interface Item {
  readonly name: string;
  readonly data?: string | Uint8Array;
  readonly level?: number;
  readonly unixMode?: number;
  readonly directory?: boolean;
}

function bytesOf(data: string | Uint8Array | undefined): Uint8Array {
  return typeof data === "string" ? enc.encode(data) : data ?? new Uint8Array();
}

/** An archive written by zip.js. */
async function zipJs(items: readonly Item[], options: ZipWriterConstructorOptions = {}): Promise<Uint8Array> {
  const writer = new ZipWriter(new Uint8ArrayWriter(), { useWebWorkers: false, ...options });
  for (const item of items) {
    await writer.add(item.name, item.directory ? undefined : new Uint8ArrayReader(bytesOf(item.data)), {
      ...(item.level === undefined ? {} : { level: item.level }),
      ...(item.unixMode === undefined ? {} : { unixMode: item.unixMode }),
      ...(item.directory ? { directory: true } : {}),
    });
  }
  return await writer.close();
}

const ITEMS: readonly Item[] = [
  { name: "pkg/", directory: true },
  { name: "pkg/__init__.py", data: "from .mod import *\n".repeat(50) },
  { name: "pkg/stored.txt", data: "kept as is\n", level: 0 },
  { name: "pkg/run.sh", data: "#!/bin/sh\necho hi\n", unixMode: 0o100755 },
  { name: "pkg/empty.txt", data: "" },
  { name: "pkg/caf\u00e9 \u2603.txt", data: "non-ASCII name\n" },
];

/** Asserts that `entries` and their contents are exactly `items`. */
function assertHolds(bytes: Uint8Array, entries: readonly ZipEntry[], items: readonly Item[]): void {
  assert.deepEqual(entries.map((e) => e.name), items.map((i) => i.name));
  for (const [i, item] of items.entries()) {
    const entry = entries[i]!;
    assert.deepEqual(readZipEntry(bytes, entry, LABEL), bytesOf(item.data), item.name);
    assert.equal(entry.uncompressedSize, bytesOf(item.data).length, item.name);
    assert.equal(entry.encrypted, false);
  }
}

/** Where the header with signature `signature` whose name (at `nameAt`) is `name` starts, searching from `from`. */
function headerOf(bytes: Uint8Array, signature: number, nameAt: number, name: string, from = 0): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const raw = enc.encode(name);
  for (let at = from; at + nameAt + raw.length <= bytes.length; at++) {
    if (view.getUint32(at, true) !== signature) continue;
    if (raw.every((b, j) => bytes[at + nameAt + j] === b)) return at;
  }
  throw new Error(`no header for ${name}`);
}

const centralOf = (bytes: Uint8Array, name: string): number => headerOf(bytes, 0x02014b50, 46, name);
const localOf = (bytes: Uint8Array, name: string): number => headerOf(bytes, 0x04034b50, 30, name);
const eocdOf = (bytes: Uint8Array): number => bytes.length - 22;

/** A copy of `bytes` with `patch` applied through a DataView. */
function patched(bytes: Uint8Array, patch: (view: DataView, bytes: Uint8Array) => void): Uint8Array {
  const copy = bytes.slice();
  patch(new DataView(copy.buffer), copy);
  return copy;
}

/** Asserts that `fn` throws a MkvenvError whose message starts with the label and matches `pattern`. */
function assertZipError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof MkvenvError, `expected a MkvenvError, got ${e}`);
    assert.ok(e.message.startsWith(`${LABEL}: `), e.message);
    assert.match(e.message, pattern);
    return true;
  });
}

// --- well-formed archives -----------------------------------------------------------------------------------------

Deno.test("readZipEntries() reads what zip.js writes (data descriptors, modes, UTF-8 names)", async () => {
  const bytes = await zipJs(ITEMS);
  const entries = readZipEntries(bytes, LABEL);
  assertHolds(bytes, entries, ITEMS);
  const byName = new Map(entries.map((e) => [e.name, e]));
  // zip.js streams its entries: flag bit 3 (a data descriptor follows the data) on every file.
  assert.ok((byName.get("pkg/__init__.py")!.flags & 0x8) !== 0);
  assert.equal(byName.get("pkg/__init__.py")!.method, 8);
  assert.ok(byName.get("pkg/__init__.py")!.compressedSize < byName.get("pkg/__init__.py")!.uncompressedSize);
  assert.equal(byName.get("pkg/stored.txt")!.method, 0);
  assert.equal(byName.get("pkg/run.sh")!.unixMode, 0o100755);
  assert.equal(byName.get("pkg/")!.unixMode & 0o170000, 0o040000);
  assert.ok((byName.get("pkg/caf\u00e9 \u2603.txt")!.flags & 0x800) !== 0);
  assert.deepEqual(byName.get("pkg/caf\u00e9 \u2603.txt")!.rawName, enc.encode("pkg/caf\u00e9 \u2603.txt"));
  // Raw data is the stored bytes: the deflate stream, or the content itself.
  assert.deepEqual(zipEntryRawData(bytes, byName.get("pkg/stored.txt")!, LABEL), enc.encode("kept as is\n"));
  assert.equal(zipEntryRawData(bytes, byName.get("pkg/__init__.py")!, LABEL).length, entries[1]!.compressedSize);
});

Deno.test("readZipEntries() reads zip.js's ZIP64 archives and entries without data descriptors", async () => {
  const zip64 = await zipJs(ITEMS, { zip64: true });
  // The archive really is ZIP64: the ZIP64 end record and locator are there, and the end record defers to them.
  const view = new DataView(zip64.buffer);
  assert.equal(view.getUint32(eocdOf(zip64) - 20, true), 0x07064b50);
  assert.equal(view.getUint16(eocdOf(zip64) + 10, true), 0xffff);
  assert.equal(view.getUint32(centralOf(zip64, "pkg/__init__.py") + 20, true), 0xffffffff);
  assertHolds(zip64, readZipEntries(zip64, LABEL), ITEMS);

  const plain = await zipJs(ITEMS, { dataDescriptor: false });
  const entries = readZipEntries(plain, LABEL);
  assert.ok(entries.every((e) => (e.flags & 0x8) === 0));
  assertHolds(plain, entries, ITEMS);
});

Deno.test("readZipEntries() reads an empty archive and storedZip()'s archives", () => {
  assert.deepEqual(readZipEntries(storedZip([]), LABEL), []);
  const dateTime = { year: 2020, month: 2, day: 29, hour: 23, minute: 59, second: 58 };
  const bytes = storedZip([
    { name: "a.txt", data: enc.encode("a"), dateTime },
    { name: "\u00e9.txt", data: enc.encode("e"), dateTime, externalAttributes: 0o100644 << 16 },
  ], { createSystem: 3 });
  const entries = readZipEntries(bytes, LABEL);
  assert.deepEqual(entries.map((e) => [e.name, e.versionMadeBy >> 8, e.unixMode]), [
    ["a.txt", 3, 0o600],
    ["\u00e9.txt", 3, 0o100644],
  ]);
  assert.equal(dec.decode(readZipEntry(bytes, entries[1]!, LABEL)), "e");
});

Deno.test("readZipEntries() decodes names without the UTF-8 flag as code page 437", () => {
  const dateTime = { year: 2020, month: 1, day: 1, hour: 0, minute: 0, second: 0 };
  const bytes = storedZip([{ name: "caf\u00e9", data: new Uint8Array(), dateTime }]);
  // Clear flag bit 11 in both headers: the UTF-8 bytes C3 A9 now mean "├⌐", as in Python's zipfile.
  const cp437 = patched(bytes, (v) => {
    for (const at of [localOf(bytes, "caf"), centralOf(bytes, "caf")]) {
      const flagAt = at + (v.getUint32(at, true) === 0x04034b50 ? 6 : 8);
      v.setUint16(flagAt, v.getUint16(flagAt, true) & ~0x800, true);
    }
  });
  assert.equal(readZipEntries(cp437, LABEL)[0]?.name, "caf\u251c\u2310");
  // With the flag, the name must be valid UTF-8.
  const invalid = patched(bytes, (_, b) => {
    b[centralOf(bytes, "caf") + 46 + 4] = 0xff;
    b[localOf(bytes, "caf") + 30 + 4] = 0xff;
  });
  assertZipError(() => readZipEntries(invalid, LABEL), /refusing entry 1 \("caf\.\.\."\): .* not valid UTF-8/);
});

Deno.test({
  name: "readZipEntries() reads what Python's zipfile writes: comments, directories, ZIP64 and data descriptors",
  ignore: skipIf(PYTHON === undefined, "python3 is not on PATH"),
  fn: async () => {
    const script = (out: string) =>
      `z = zipfile.ZipFile(${out}, "w")\n` +
      `z.writestr("pkg/", b"")\n` +
      `z.writestr("pkg/stored.txt", b"kept as is\\n")\n` +
      `z.writestr("pkg/__init__.py", b"from .mod import *\\n" * 50, compress_type=zipfile.ZIP_DEFLATED)\n` +
      `i = zipfile.ZipInfo("pkg/run.sh"); i.external_attr = 0o100755 << 16\n` +
      `z.writestr(i, b"#!/bin/sh\\necho hi\\n", compress_type=zipfile.ZIP_DEFLATED)\n` +
      `z.writestr("pkg/caf\\u00e9 \\u2603.txt", b"non-ASCII name\\n", compress_type=zipfile.ZIP_DEFLATED)\n` +
      // force_zip64: a ZIP64 extra field in the local header, which the central directory does not need.
      `with z.open("pkg/zip64.txt", "w", force_zip64=True) as f: f.write(b"forced\\n")\n` +
      // A comment holding an end record signature of its own: the search from the end must not stop at it.
      `z.comment = b"PK\\x05\\x06 a trailing comment, longer than an end record"\n` +
      `z.close()\n`;
    const want: Item[] = [
      { name: "pkg/" },
      { name: "pkg/stored.txt", data: "kept as is\n" },
      { name: "pkg/__init__.py", data: "from .mod import *\n".repeat(50) },
      { name: "pkg/run.sh", data: "#!/bin/sh\necho hi\n" },
      { name: "pkg/caf\u00e9 \u2603.txt", data: "non-ASCII name\n" },
      { name: "pkg/zip64.txt", data: "forced\n" },
    ];
    // A seekable file: sizes in the local headers. Standard output (a pipe): data descriptors after the data.
    const tmp = await Deno.makeTempFile({ suffix: ".zip" });
    try {
      await pythonZip(script(JSON.stringify(tmp)));
      const seekable = await Deno.readFile(tmp);
      const entries = readZipEntries(seekable, LABEL);
      assertHolds(seekable, entries, want);
      assert.ok(entries.every((e) => (e.flags & 0x8) === 0));
      assert.equal(entries.find((e) => e.name === "pkg/run.sh")?.unixMode, 0o100755);
      assert.ok((entries.find((e) => e.name.startsWith("pkg/caf"))!.flags & 0x800) !== 0);
    } finally {
      await Deno.remove(tmp);
    }
    const streamed = await pythonZip(script("sys.stdout.buffer"));
    const entries = readZipEntries(streamed, LABEL);
    assertHolds(streamed, entries, want);
    assert.ok(entries.filter((e) => e.name !== "pkg/").every((e) => (e.flags & 0x8) !== 0));
  },
});

// --- broken and hostile archives ------------------------------------------------------------------------------------

Deno.test("readZipEntries() refuses what is not a zip, or is truncated", async () => {
  const bytes = await zipJs(ITEMS);
  for (const broken of [new Uint8Array(), enc.encode("not a zip at all, just some text"), bytes.subarray(0, -1)]) {
    assertZipError(() => readZipEntries(broken, LABEL), /not a readable zip archive: no end of central directory/);
  }
  // The end record survives but the start is cut off (or something is prepended): offsets no longer add up.
  assertZipError(() => readZipEntries(bytes.subarray(100), LABEL), /not a readable zip archive: the central directory/);
  const prepended = new Uint8Array(bytes.length + 10);
  prepended.set(bytes, 10);
  assertZipError(() => readZipEntries(prepended, LABEL), /does not end where the end record starts/);
  // A trailing byte after the end record (a comment its length field does not announce).
  const trailing = new Uint8Array(bytes.length + 1);
  trailing.set(bytes);
  assertZipError(() => readZipEntries(trailing, LABEL), /no end of central directory/);
});

Deno.test("readZipEntries() refuses entry counts and central directory sizes that do not add up", async () => {
  const bytes = await zipJs(ITEMS);
  const eocd = eocdOf(bytes);
  const fewer = patched(bytes, (v) => {
    v.setUint16(eocd + 8, ITEMS.length - 1, true);
    v.setUint16(eocd + 10, ITEMS.length - 1, true);
  });
  assertZipError(() => readZipEntries(fewer, LABEL), /holds more than the 5 entries its end record announces/);
  const more = patched(bytes, (v) => {
    v.setUint16(eocd + 8, ITEMS.length + 1, true);
    v.setUint16(eocd + 10, ITEMS.length + 1, true);
  });
  assertZipError(() => readZipEntries(more, LABEL), /central directory entry 7 of 7 is missing or garbled/);
  const garbled = patched(bytes, (v) => v.setUint32(centralOf(bytes, "pkg/stored.txt"), 0x12345678, true));
  assertZipError(() => readZipEntries(garbled, LABEL), /central directory entry 3 of 6 is missing or garbled/);
  const longName = patched(bytes, (v) => {
    const at = centralOf(bytes, "pkg/caf");
    v.setUint16(at + 28, v.getUint16(at + 28, true) + 200, true);
  });
  assertZipError(() => readZipEntries(longName, LABEL), /entry 6 runs past the central directory/);
  const extra = patched(bytes, (v) => {
    // An extra field block claiming more bytes than the extra field holds.
    const at = centralOf(bytes, "pkg/stored.txt");
    const extraAt = at + 46 + v.getUint16(at + 28, true);
    assert.ok(v.getUint16(at + 30, true) >= 4);
    v.setUint16(extraAt + 2, 0xfff0, true);
  });
  assertZipError(() => readZipEntries(extra, LABEL), /the extra field of "pkg\/stored\.txt" is garbled/);
});

Deno.test("readZipEntries() refuses multi-disk archives", async () => {
  const bytes = await zipJs(ITEMS);
  const eocd = eocdOf(bytes);
  for (const [field, value] of [[4, 1], [6, 1], [8, 1]] as const) {
    const multi = patched(bytes, (v) => v.setUint16(eocd + field, value, true));
    assertZipError(() => readZipEntries(multi, LABEL), /archives spanning several disks are not supported/);
  }
  const entryDisk = patched(bytes, (v) => v.setUint16(centralOf(bytes, "pkg/run.sh") + 34, 1, true));
  assertZipError(() => readZipEntries(entryDisk, LABEL), /several disks/);
});

Deno.test("readZipEntries() refuses ZIP64 records that are garbled or disagree with the end record", async () => {
  const bytes = await zipJs(ITEMS, { zip64: true });
  const locator = eocdOf(bytes) - 20;
  const view = new DataView(bytes.buffer);
  const record = Number(view.getBigUint64(locator + 8, true));
  assertZipError(
    () => readZipEntries(patched(bytes, (v) => v.setUint32(record, 0, true)), LABEL),
    /ZIP64 end of central directory record is missing or garbled/,
  );
  assertZipError(
    () => readZipEntries(patched(bytes, (v) => v.setUint32(locator + 16, 2, true)), LABEL),
    /several disks/,
  );
  // The 32-bit count says 5, the ZIP64 record 6: two readers would see two archives.
  assertZipError(
    () => readZipEntries(patched(bytes, (v) => v.setUint16(eocdOf(bytes) + 10, 5, true)), LABEL),
    /end of central directory record and its ZIP64 record disagree/,
  );
  // A central directory entry deferring to a ZIP64 extra field it does not have.
  const plain = await zipJs(ITEMS);
  const missing = patched(plain, (v) => v.setUint32(centralOf(plain, "pkg/stored.txt") + 42, 0xffffffff, true));
  assertZipError(() => readZipEntries(missing, LABEL), /"pkg\/stored\.txt" has no ZIP64 extra field/);
});

Deno.test("readZipEntries() refuses a local header that is missing, names another file or another method", async () => {
  const bytes = await zipJs(ITEMS);
  const local = localOf(bytes, "pkg/run.sh");
  // The local header comes first in the file: patch the name there only.
  const renamed = patched(bytes, (_, b) => b.set(enc.encode("pkg/RUN.sh"), local + 30));
  assertZipError(() => readZipEntries(renamed, LABEL), /refusing entry "pkg\/run\.sh": its local header names another/);
  const method = patched(bytes, (v) => v.setUint16(local + 8, 0, true));
  assertZipError(() => readZipEntries(method, LABEL), /"pkg\/run\.sh": its local header gives another compression/);
  const signature = patched(bytes, (v) => v.setUint32(local, 0, true));
  assertZipError(() => readZipEntries(signature, LABEL), /"pkg\/run\.sh" has no local header at offset \d+/);
  const outside = patched(bytes, (v) => v.setUint32(centralOf(bytes, "pkg/run.sh") + 42, bytes.length - 10, true));
  assertZipError(() => readZipEntries(outside, LABEL), /"pkg\/run\.sh" has no local header/);
});

Deno.test("readZipEntries() refuses data outside the entries and overlapping entries", async () => {
  const bytes = await zipJs(ITEMS, { dataDescriptor: false });
  const central = centralOf(bytes, "pkg/caf");
  const past = patched(bytes, (v) => v.setUint32(central + 20, 100_000, true));
  assertZipError(() => readZipEntries(past, LABEL), /the data of "pkg\/caf.*" runs past the end of the entries/);
  // Two central entries sharing one local header and its data, as zip bombs do: the names tell them apart.
  const shared = patched(bytes, (v) => {
    v.setUint32(centralOf(bytes, "pkg/run.sh") + 42, v.getUint32(centralOf(bytes, "pkg/stored.txt") + 42, true), true);
  });
  assertZipError(() => readZipEntries(shared, LABEL), /refusing entry "pkg\/run\.sh": its local header names another/);
  // A compressed size reaching into the next entry's local header.
  const overlap = patched(bytes, (v) => {
    const at = centralOf(bytes, "pkg/stored.txt");
    v.setUint32(at + 20, v.getUint32(at + 20, true) + 5, true);
  });
  assertZipError(() => readZipEntries(overlap, LABEL), /the data of "pkg\/stored\.txt" overlaps "pkg\/run\.sh"/);
});

Deno.test("readZipEntry() refuses encrypted entries and unsupported methods", async () => {
  const bytes = await zipJs(ITEMS);
  const encrypted = patched(bytes, (v) => {
    for (const at of [localOf(bytes, "pkg/run.sh"), centralOf(bytes, "pkg/run.sh")]) {
      const flagAt = at + (v.getUint32(at, true) === 0x04034b50 ? 6 : 8);
      v.setUint16(flagAt, v.getUint16(flagAt, true) | 1, true);
    }
  });
  const entry = readZipEntries(encrypted, LABEL).find((e) => e.name === "pkg/run.sh")!;
  assert.equal(entry.encrypted, true);
  assertZipError(() => readZipEntry(encrypted, entry, LABEL), /refusing entry "pkg\/run\.sh": it is encrypted/);
  assertZipError(() => zipEntryRawData(encrypted, entry, LABEL), /it is encrypted/);

  // A real encrypted archive (zip.js, AES): flagged, and method 99.
  const aes = await zipJs([{ name: "secret.txt", data: "secret" }], { password: "pw" });
  const [secret] = readZipEntries(aes, LABEL);
  assert.equal(secret?.encrypted, true);
  assertZipError(() => readZipEntry(aes, secret!, LABEL), /refusing entry "secret\.txt": it is encrypted/);

  for (const [method, name] of [[12, "bzip2"], [14, "LZMA"], [93, "Zstandard"], [9, "Deflate64"], [77, ""]] as const) {
    const other = patched(bytes, (v) => {
      v.setUint16(localOf(bytes, "pkg/run.sh") + 8, method, true);
      v.setUint16(centralOf(bytes, "pkg/run.sh") + 10, method, true);
    });
    const e = readZipEntries(other, LABEL).find((e) => e.name === "pkg/run.sh")!;
    assert.equal(e.method, method);
    const named = name === "" ? "" : ` \\(${name}\\)`;
    assertZipError(
      () => readZipEntry(other, e, LABEL),
      new RegExp(`refusing entry "pkg/run\\.sh": compression method ${method}${named} is not supported`),
    );
  }
});

Deno.test("readZipEntry() refuses corrupt data: bad deflate, stray bytes, wrong sizes, wrong CRC", async () => {
  const content = enc.encode("import this\n".repeat(500));
  const bytes = await zipJs([{ name: "a.py", data: content }, { name: "b.txt", data: "stored", level: 0 }], {
    dataDescriptor: false,
  });
  const central = centralOf(bytes, "a.py");
  const local = localOf(bytes, "a.py");
  const read = (archive: Uint8Array, name = "a.py") =>
    readZipEntry(archive, readZipEntries(archive, LABEL).find((e) => e.name === name)!, LABEL);
  assert.deepEqual(read(bytes), content);

  // Understated size: inflating stops there (a zip bomb's trick), in both headers or the central one only.
  const smaller = patched(bytes, (v) => {
    v.setUint32(central + 24, 100, true);
    v.setUint32(local + 22, 100, true);
  });
  assertZipError(() => read(smaller), /"a\.py" is corrupt: it inflates to more than the 100 bytes the zip directory/);
  const zero = patched(bytes, (v) => v.setUint32(central + 24, 0, true));
  assertZipError(() => read(zero), /it inflates to more than the 0 bytes/);
  // Overstated size.
  const larger = patched(bytes, (v) => v.setUint32(central + 24, content.length + 1, true));
  assertZipError(() => read(larger), /"a\.py" is corrupt: its size differs from the zip directory's/);
  const storedLarger = patched(bytes, (v) => v.setUint32(centralOf(bytes, "b.txt") + 24, 7, true));
  assertZipError(() => read(storedLarger, "b.txt"), /"b\.txt" is corrupt: its size differs/);
  // Wrong CRC-32.
  const crc = patched(bytes, (v) => v.setUint32(central + 16, v.getUint32(central + 16, true) ^ 1, true));
  assertZipError(() => read(crc), /"a\.py" is corrupt: its CRC-32 differs/);
  // Garbage instead of deflate data.
  const dataAt = local + 30 + 4 + new DataView(bytes.buffer).getUint16(local + 28, true);
  const garbage = patched(bytes, (_, b) => b.fill(0xff, dataAt, dataAt + 8));
  assertZipError(() => read(garbage), /"a\.py" is corrupt: /);
});

Deno.test("readZipEntry() refuses stray bytes after the deflate data and truncated deflate data", () => {
  const content = enc.encode("hello, hello, hello\n");
  const deflated = deflateRawSync(content);
  const dateTime = { year: 2020, month: 1, day: 1, hour: 0, minute: 0, second: 0 };
  // storedZip writes what it is given; the method is then switched to deflate in both headers.
  const build = (data: Uint8Array) => {
    const zip = storedZip([{ name: "a.txt", data, dateTime }]);
    return patched(zip, (v) => {
      v.setUint16(localOf(zip, "a.txt") + 8, 8, true);
      const central = centralOf(zip, "a.txt");
      v.setUint16(central + 10, 8, true);
      v.setUint32(central + 24, content.length, true);
    });
  };
  const withCrc = (zip: Uint8Array) =>
    patched(zip, (v) => {
      // The CRC-32 of the content, not of the deflate stream storedZip hashed.
      const good = readZipEntries(storedZip([{ name: "x", data: content, dateTime }]), LABEL)[0]!.crc32;
      v.setUint32(centralOf(zip, "a.txt") + 16, good, true);
    });
  const ok = withCrc(build(deflated));
  assert.deepEqual(readZipEntry(ok, readZipEntries(ok, LABEL)[0]!, LABEL), content);
  const stray = withCrc(build(new Uint8Array([...deflated, 1, 2, 3])));
  assertZipError(() => readZipEntry(stray, readZipEntries(stray, LABEL)[0]!, LABEL), /3 stray bytes follow/);
  const cut = withCrc(build(deflated.subarray(0, deflated.length - 2)));
  assertZipError(() => readZipEntry(cut, readZipEntries(cut, LABEL)[0]!, LABEL), /"a\.txt" is corrupt: /);
});

Deno.test("the zip reader's node: modules load on first need, once: a warm run's modules import none", async () => {
  assert.equal(await loadNodeCodecs(), await loadNodeCodecs());
  assert.equal(typeof nodeCodecs().zlib.inflateRawSync, "function");
  // Only node_codecs.ts may import a `node:` module among what a run loads (tests and scripts aside): importing one
  // boots Deno's Node compatibility, about 20 ms.
  const lib = new URL("../../lib/", import.meta.url);
  const importers: string[] = [];
  for (const file of walk(lib.pathname)) {
    const text = Deno.readTextFileSync(file);
    if (/^import (?!type )[^;]*from "node:/m.test(text) || /import\("node:/.test(text)) importers.push(file);
  }
  assert.deepEqual(importers.map((f) => f.slice(lib.pathname.length)), ["seeder/node_codecs.ts"]);
});

function* walk(dir: string): Generator<string> {
  for (const e of Deno.readDirSync(dir)) {
    const full = `${dir}${dir.endsWith("/") ? "" : "/"}${e.name}`;
    if (e.isDirectory) yield* walk(full);
    else if (e.name.endsWith(".ts")) yield full;
  }
}
