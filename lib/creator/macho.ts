/**
 * Rewrites the library names a Mach-O file loads. A macOS framework Python links its framework library through a
 * path relative to the executable, which breaks once the executable is copied into an environment; virtualenv
 * points it at the environment's `.Python` instead, and so does mkvenv.
 *
 * @module
 */

const FAT_MAGIC = 0xcafebabe;
const FAT_MAGIC_64 = 0xcafebabf;

/** Thin magics as read big-endian: the swapped ones mean the image is little-endian. */
const THIN_MAGICS: ReadonlyMap<number, { is64: boolean; littleEndian: boolean }> = new Map([
  [0xfeedface, { is64: false, littleEndian: false }],
  [0xcefaedfe, { is64: false, littleEndian: true }],
  [0xfeedfacf, { is64: true, littleEndian: false }],
  [0xcffaedfe, { is64: true, littleEndian: true }],
]);

/** LC_LOAD_DYLIB, LC_LOAD_WEAK_DYLIB and LC_REEXPORT_DYLIB: all share `struct dylib_command`. */
const DYLIB_COMMANDS: ReadonlySet<number> = new Set([0xc, 0x80000018, 0x8000001f]);
/** `sizeof(struct dylib_command)`: a name starting earlier would overlap the command's own fields. */
const DYLIB_COMMAND_SIZE = 24;

/** The bytes a dylib command reserves for its name, `[start, end)` in the whole file. */
interface NameSlot {
  start: number;
  end: number;
}

/**
 * Rewrites, in place, the library name of every `LC_LOAD_DYLIB`, `LC_LOAD_WEAK_DYLIB` and `LC_REEXPORT_DYLIB` load
 * command naming exactly `from`, in a thin Mach-O file (32- or 64-bit, either byte order) or in every architecture of
 * a universal (fat) file. The rest of the name's space is zeroed so no stale bytes of the old name remain.
 *
 * Every match is checked before anything is written, so an error leaves `image` untouched.
 *
 * @param image The whole file, edited in place.
 * @param from The library name to replace, matched exactly.
 * @param to Its replacement; it and its NUL terminator must fit in the space the load command has for the name.
 * @returns How many names were rewritten.
 * @throws {Error} If `image` is not Mach-O, is truncated or corrupt, or `to` does not fit.
 */
export function rewriteDylibReference(image: Uint8Array, from: string, to: string): number {
  const encoder = new TextEncoder();
  const fromBytes = encoder.encode(from);
  const toBytes = encoder.encode(to);
  // A NUL would silently cut the new name short.
  if (toBytes.includes(0)) throw new Error(`Cannot rewrite "${from}": the replacement contains a NUL byte`);
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const slots = archRanges(view).flatMap((arch) => nameSlots(image, view, arch, fromBytes));
  for (const slot of slots) {
    const room = slot.end - slot.start;
    if (toBytes.length + 1 > room) {
      throw new Error(
        `Cannot rewrite "${from}" to "${to}": the new name needs ${toBytes.length + 1} bytes with its NUL ` +
          `but its slot at offset ${slot.start} has room for ${room}`,
      );
    }
  }
  for (const slot of slots) {
    image.fill(0, slot.start, slot.end);
    image.set(toBytes, slot.start);
  }
  return slots.length;
}

/** Where one thin Mach-O image lies, `[start, end)`, and how errors name it. */
interface Arch {
  start: number;
  end: number;
  label: string;
}

/** Each Mach-O image in the file: every architecture of a fat file, or the whole thin file. */
function archRanges(view: DataView): Arch[] {
  const magic = view.byteLength >= 4 ? view.getUint32(0) : 0;
  if (magic !== FAT_MAGIC && magic !== FAT_MAGIC_64) return [{ start: 0, end: view.byteLength, label: "the file" }];
  const is64 = magic === FAT_MAGIC_64;
  // fat_arch is cputype, cpusubtype, offset, size, align; fat_arch_64 widens offset and size and adds a reserved word.
  const entrySize = is64 ? 32 : 20;
  ensureInside(view, 4, 4, "fat header");
  const count = view.getUint32(4);
  const archs: Arch[] = [];
  for (let i = 0; i < count; i++) {
    const entry = 8 + i * entrySize;
    ensureInside(view, entry, entrySize, `fat arch entry ${i}`);
    // Fat headers are always big-endian; 64-bit fields are compared as bigints so huge values cannot round.
    const offset = is64 ? view.getBigUint64(entry + 8) : BigInt(view.getUint32(entry + 8));
    const size = is64 ? view.getBigUint64(entry + 16) : BigInt(view.getUint32(entry + 12));
    if (offset + size > BigInt(view.byteLength)) {
      throw new Error(
        `Truncated or corrupt Mach-O file: architecture ${i} (offset ${offset}, size ${size}) ` +
          `runs past the end of the ${view.byteLength}-byte file`,
      );
    }
    archs.push({ start: Number(offset), end: Number(offset + size), label: `architecture ${i} of the fat file` });
  }
  return archs;
}

/** The name slots in one thin image whose dylib commands name exactly `from`. */
function nameSlots(image: Uint8Array, view: DataView, { start, end, label }: Arch, from: Uint8Array): NameSlot[] {
  const magic = end - start >= 4 ? view.getUint32(start) : undefined;
  const kind = magic === undefined ? undefined : THIN_MAGICS.get(magic);
  if (kind === undefined) {
    const shown = magic === undefined
      ? "too short for a magic number"
      : `magic 0x${magic.toString(16).padStart(8, "0")}`;
    throw new Error(`Not a Mach-O file: ${label} is ${shown}`);
  }
  const le = kind.littleEndian;
  const headerSize = kind.is64 ? 32 : 28;
  ensureInside(view, start, headerSize, "Mach-O header", end);
  const ncmds = view.getUint32(start + 16, le);
  const slots: NameSlot[] = [];
  let offset = start + headerSize;
  for (let i = 0; i < ncmds; i++) {
    ensureInside(view, offset, 8, `load command ${i}`, end);
    const cmd = view.getUint32(offset, le);
    const cmdsize = view.getUint32(offset + 4, le);
    // A size below the command's own header would never advance, or would step back into it.
    if (cmdsize < 8) throw new Error(`Corrupt Mach-O file: load command ${i} at offset ${offset} has size ${cmdsize}`);
    ensureInside(view, offset, cmdsize, `load command ${i}`, end);
    if (DYLIB_COMMANDS.has(cmd)) {
      const nameOffset = cmdsize >= DYLIB_COMMAND_SIZE ? view.getUint32(offset + 8, le) : 0;
      if (nameOffset < DYLIB_COMMAND_SIZE || nameOffset > cmdsize) {
        throw new Error(
          `Corrupt Mach-O file: dylib load command ${i} at offset ${offset} (size ${cmdsize}) ` +
            `has its name at ${nameOffset}, outside the command`,
        );
      }
      const slot = { start: offset + nameOffset, end: offset + cmdsize };
      const nul = image.subarray(slot.start, slot.end).indexOf(0);
      const name = image.subarray(slot.start, nul < 0 ? slot.end : slot.start + nul);
      if (sameBytes(name, from)) slots.push(slot);
    }
    offset += cmdsize;
  }
  return slots;
}

function ensureInside(view: DataView, offset: number, length: number, what: string, end = view.byteLength): void {
  if (offset + length > end) {
    throw new Error(
      `Truncated or corrupt Mach-O file: ${what} at offset ${offset} (${length} bytes) runs past the end at ${end}`,
    );
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
