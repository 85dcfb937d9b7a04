import assert from "node:assert/strict";
import { rewriteDylibReference } from "../../lib/creator/macho.ts";

const FROM = "@executable_path/../../../../Python3";
const TO = "@executable_path/../.Python";
const LIBSYSTEM = "/usr/lib/libSystem.B.dylib";

const LC_LOAD_DYLIB = 0xc;
const LC_ID_DYLIB = 0xd;
const LC_LOAD_WEAK_DYLIB = 0x80000018;
const LC_REEXPORT_DYLIB = 0x8000001f;
const CPU_X86_64 = 0x01000007;
const CPU_ARM64 = 0x0100000c;
const CPU_PPC = 18;

const HEADER_64 = 32;
const SEGMENT_64 = 72;
/** 24 + 37 bytes of FROM and its NUL, rounded up to 8: the name has 40 bytes of room in a 64-bit image. */
const FROM_ROOM_64 = 40;

interface Dylib {
  name: string;
  /** Size the command for this name instead, to build the expected image after a rewrite. */
  room?: string;
  /** Fills the name's space after its NUL, standing in for stale bytes. */
  slack?: number;
  cmd?: number;
}

interface Thin {
  is64: boolean;
  littleEndian: boolean;
  cputype: number;
  dylibs: Dylib[];
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const roundUp = (n: number, to: number): number => Math.ceil(n / to) * to;

function thin({ is64, littleEndian: le, cputype, dylibs }: Thin): Uint8Array {
  const align = is64 ? 8 : 4;
  const commands: Uint8Array[] = [];
  for (const [i, segname] of ["__TEXT", "__DATA"].entries()) {
    const cmd = new Uint8Array(is64 ? SEGMENT_64 : 56);
    // Non-zero filler so a stray write into these commands shows up in the comparison.
    cmd.forEach((_, j) => cmd[j] = (j * 7 + i + 1) & 0xff);
    const view = new DataView(cmd.buffer);
    view.setUint32(0, is64 ? 0x19 : 0x1, le);
    view.setUint32(4, cmd.length, le);
    cmd.fill(0, 8, 24).set(utf8(segname), 8);
    commands.push(cmd);
  }
  for (const { name, room = name, slack = 0, cmd = LC_LOAD_DYLIB } of dylibs) {
    const bytes = new Uint8Array(roundUp(24 + utf8(room).length + 1, align)).fill(slack);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, cmd, le);
    view.setUint32(4, bytes.length, le);
    view.setUint32(8, 24, le);
    view.setUint32(12, 2, le);
    view.setUint32(16, 0x10000, le);
    view.setUint32(20, 0x10000, le);
    const encoded = utf8(name);
    bytes.set(encoded, 24);
    bytes[24 + encoded.length] = 0;
    commands.push(bytes);
  }
  const headerSize = is64 ? HEADER_64 : 28;
  const sizeofcmds = commands.reduce((sum, c) => sum + c.length, 0);
  const padding = 32;
  const code = 16;
  const image = new Uint8Array(headerSize + sizeofcmds + padding + code);
  const view = new DataView(image.buffer);
  view.setUint32(0, is64 ? 0xfeedfacf : 0xfeedface, le);
  view.setUint32(4, cputype, le);
  view.setUint32(8, 3, le);
  view.setUint32(12, 2, le); // MH_EXECUTE
  view.setUint32(16, commands.length, le);
  view.setUint32(20, sizeofcmds, le);
  view.setUint32(24, 0x00200085, le);
  let offset = headerSize;
  for (const c of commands) {
    image.set(c, offset);
    offset += c.length;
  }
  image.fill(0xc3, image.length - code);
  return image;
}

function fat(archs: { cputype: number; image: Uint8Array }[], is64 = false): Uint8Array {
  const alignLog2 = 12;
  const entrySize = is64 ? 32 : 20;
  const offsets: number[] = [];
  let end = 8 + archs.length * entrySize;
  for (const { image } of archs) {
    const offset = roundUp(end, 1 << alignLog2);
    offsets.push(offset);
    end = offset + image.length;
  }
  const file = new Uint8Array(end);
  const view = new DataView(file.buffer);
  view.setUint32(0, is64 ? 0xcafebabf : 0xcafebabe);
  view.setUint32(4, archs.length);
  archs.forEach(({ cputype, image }, i) => {
    const entry = 8 + i * entrySize;
    const offset = offsets[i]!;
    view.setUint32(entry, cputype);
    if (is64) {
      view.setBigUint64(entry + 8, BigInt(offset));
      view.setBigUint64(entry + 16, BigInt(image.length));
      view.setUint32(entry + 24, alignLog2);
    } else {
      view.setUint32(entry + 8, offset);
      view.setUint32(entry + 12, image.length);
      view.setUint32(entry + 16, alignLog2);
    }
    file.set(image, offset);
  });
  return file;
}

/** A 64-bit little-endian image linking FROM (with stale bytes after its NUL) and libSystem. */
function python64(cputype = CPU_X86_64, extra: Dylib[] = []): Uint8Array {
  return thin({
    is64: true,
    littleEndian: true,
    cputype,
    dylibs: [{ name: FROM, slack: 0xee }, { name: LIBSYSTEM, slack: 0xee }, ...extra],
  });
}

/** What python64() must look like after rewriting FROM to TO. */
function python64Rewritten(cputype = CPU_X86_64, extra: Dylib[] = []): Uint8Array {
  return thin({
    is64: true,
    littleEndian: true,
    cputype,
    dylibs: [{ name: TO, room: FROM }, { name: LIBSYSTEM, slack: 0xee }, ...extra],
  });
}

Deno.test("rewriteDylibReference() rewrites a thin 64-bit little-endian image and zeroes the old name", () => {
  const image = python64();
  const expected = python64Rewritten();
  assert.notDeepEqual(image, expected);
  assert.equal(rewriteDylibReference(image, FROM, TO), 1);
  assert.deepEqual(image, expected);
});

Deno.test("rewriteDylibReference() rewrites a thin 32-bit big-endian image", () => {
  const build = (first: Dylib): Uint8Array =>
    thin({ is64: false, littleEndian: false, cputype: CPU_PPC, dylibs: [first, { name: LIBSYSTEM }] });
  const image = build({ name: FROM });
  assert.equal(rewriteDylibReference(image, FROM, TO), 1);
  assert.deepEqual(image, build({ name: TO, room: FROM }));
});

Deno.test("rewriteDylibReference() rewrites weak and re-exported references but not the image's own id", () => {
  const others = (name: string, room = name): Dylib[] => [
    { name, room, cmd: LC_LOAD_WEAK_DYLIB },
    { name, room, cmd: LC_REEXPORT_DYLIB },
    { name: FROM, cmd: LC_ID_DYLIB },
  ];
  const image = python64(CPU_X86_64, others(FROM));
  assert.equal(rewriteDylibReference(image, FROM, TO), 3);
  assert.deepEqual(image, python64Rewritten(CPU_X86_64, others(TO, FROM)));
});

Deno.test("rewriteDylibReference() rewrites every architecture of a fat file", () => {
  const image = fat([{ cputype: CPU_X86_64, image: python64() }, { cputype: CPU_ARM64, image: python64(CPU_ARM64) }]);
  const expected = fat([
    { cputype: CPU_X86_64, image: python64Rewritten() },
    { cputype: CPU_ARM64, image: python64Rewritten(CPU_ARM64) },
  ]);
  assert.equal(new DataView(image.buffer).getUint32(8 + 20 + 8) % 4096, 0);
  assert.equal(rewriteDylibReference(image, FROM, TO), 2);
  assert.deepEqual(image, expected);
});

Deno.test("rewriteDylibReference() reads 64-bit fat arch entries", () => {
  const image = fat([{ cputype: CPU_ARM64, image: python64(CPU_ARM64) }], true);
  assert.equal(rewriteDylibReference(image, FROM, TO), 1);
  assert.deepEqual(image, fat([{ cputype: CPU_ARM64, image: python64Rewritten(CPU_ARM64) }], true));
});

Deno.test("rewriteDylibReference() honours the view's byte offset into its buffer", () => {
  const original = python64();
  const backing = new Uint8Array(original.length + 6).fill(0x55);
  backing.set(original, 3);
  assert.equal(rewriteDylibReference(backing.subarray(3, 3 + original.length), FROM, TO), 1);
  const expected = new Uint8Array(backing.length).fill(0x55);
  expected.set(python64Rewritten(), 3);
  assert.deepEqual(backing, expected);
});

Deno.test("rewriteDylibReference() returns 0 and changes nothing when the name does not occur exactly", () => {
  for (const from of ["/nonexistent/Python3", FROM.slice(0, -1), `${FROM}x`]) {
    const image = python64();
    assert.equal(rewriteDylibReference(image, from, TO), 0);
    assert.deepEqual(image, python64());
  }
});

Deno.test("rewriteDylibReference() rejects files that are not Mach-O", () => {
  for (const bytes of [utf8("#!/bin/sh\nexit 0\n"), new Uint8Array(0), new Uint8Array([0xfe, 0xed])]) {
    assert.throws(() => rewriteDylibReference(bytes, FROM, TO), /^Error: Not a Mach-O file: the file is/);
  }
  const notMachOArch = fat([{ cputype: CPU_X86_64, image: utf8("not an image") }]);
  assert.throws(() => rewriteDylibReference(notMachOArch, FROM, TO), /Not a Mach-O file: architecture 0/);
});

Deno.test("rewriteDylibReference() rejects a replacement that does not fit, leaving every architecture untouched", () => {
  const fits = `@executable_path/${"x".repeat(FROM_ROOM_64 - 1 - "@executable_path/".length)}`;
  const image = python64();
  assert.equal(rewriteDylibReference(image, FROM, fits), 1);

  const tooLong = `${fits}x`;
  const roomy = thin({ is64: true, littleEndian: true, cputype: CPU_X86_64, dylibs: [{ name: FROM, room: tooLong }] });
  const file = fat([{ cputype: CPU_X86_64, image: roomy }, { cputype: CPU_ARM64, image: python64(CPU_ARM64) }]);
  const before = file.slice();
  assert.throws(
    () => rewriteDylibReference(file, FROM, tooLong),
    new RegExp(`needs ${FROM_ROOM_64 + 1} bytes with its NUL but .* has room for ${FROM_ROOM_64}$`),
  );
  assert.deepEqual(file, before);
  assert.throws(() => rewriteDylibReference(python64(), FROM, "a\0b"), /contains a NUL byte/);
});

Deno.test("rewriteDylibReference() rejects truncated and corrupt files without reading past the end", () => {
  const dylibAt = HEADER_64 + 2 * SEGMENT_64;
  const cases: [Uint8Array, RegExp][] = [
    [python64().slice(0, dylibAt + 30), /^Error: Truncated or corrupt Mach-O file: load command 2 at offset 176/],
    [python64().slice(0, dylibAt + 4), /load command 2 at offset 176 \(8 bytes\)/],
    [python64().slice(0, 20), /Mach-O header/],
    [fat([{ cputype: CPU_X86_64, image: python64() }]).slice(0, 4200), /architecture 0 \(offset 4096, size \d+\)/],
    [fat([{ cputype: CPU_X86_64, image: python64() }]).slice(0, 12), /fat arch entry 0/],
  ];
  const zeroSize = python64();
  new DataView(zeroSize.buffer).setUint32(HEADER_64 + 4, 0, true);
  cases.push([zeroSize, /^Error: Corrupt Mach-O file: load command 0 at offset 32 has size 0/]);
  const badNameOffset = python64();
  new DataView(badNameOffset.buffer).setUint32(dylibAt + 8, 1000, true);
  cases.push([badNameOffset, /dylib load command 2 .* has its name at 1000, outside the command/]);
  for (const [bytes, message] of cases) {
    const before = bytes.slice();
    assert.throws(() => rewriteDylibReference(bytes, FROM, TO), message);
    assert.deepEqual(bytes, before);
  }
});
