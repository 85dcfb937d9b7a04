import assert from "node:assert/strict";
import { rewriteDylibReference } from "../../lib/creator/macho.ts";

import {
  CPU_ARM64,
  CPU_PPC,
  CPU_X86_64,
  type Dylib,
  fat,
  FROM,
  FROM_ROOM_64,
  HEADER_64,
  LC_ID_DYLIB,
  LC_LOAD_WEAK_DYLIB,
  LC_REEXPORT_DYLIB,
  LIBSYSTEM,
  python64,
  python64Rewritten,
  SEGMENT_64,
  thin,
  TO,
  utf8,
} from "../fixtures/macho.ts";

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
