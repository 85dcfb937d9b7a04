/**
 * lib/seeder/zip_store.ts must write the bytes Python's zipfile writes (distlib's Windows launchers carry such a zip):
 * archives are compared with `ZipFile.writestr` output from the pyenv Pythons here, with Windows' and Unix's creating
 * system, and CRC-32 with zlib's.
 */
import assert from "node:assert/strict";
import { crc32, storedZip, type ZipDateTime } from "../../lib/seeder/zip_store.ts";
import { realPythons, run, skipIf, tempDir } from "../_helpers.ts";

const PYTHONS = realPythons().filter((p) => p.label.startsWith("pyenv"));
const NO_PY = PYTHONS.length === 0;

/** Python writes each case's entries with `writestr`, `sys.platform` set to the case's, and prints the hex bytes. */
const WRITESTR = `import io, json, sys, zipfile
out = []
real = sys.platform
for case in json.loads(sys.argv[1]):
    sys.platform = case["platform"]  # ZipInfo reads it for the creating system
    try:
        stream = io.BytesIO()
        with zipfile.ZipFile(stream, "w") as zf:
            for name, data, dt in case["entries"]:
                zf.writestr(zipfile.ZipInfo(name, date_time=tuple(dt)), data.encode("utf-8"))
    finally:
        sys.platform = real
    out.append(stream.getvalue().hex())
print(json.dumps(out))
`;

function at(year: number, month: number, day: number, hour: number, minute: number, second: number): ZipDateTime {
  return { year, month, day, hour, minute, second };
}

Deno.test("crc32() is zlib's CRC-32", () => {
  const bytes = (text: string) => new TextEncoder().encode(text);
  assert.equal(crc32(new Uint8Array()), 0);
  assert.equal(crc32(bytes("123456789")), 0xcbf43926);
  assert.equal(crc32(bytes("The quick brown fox jumps over the lazy dog")), 0x414fa339);
  // Every byte value, each position: the table and the reflected update (value from Python's zlib.crc32).
  assert.equal(crc32(new Uint8Array(256).map((_, i) => 255 - i)), 0xda3ba10a);
});

Deno.test("storedZip() refuses dates a zip cannot hold", () => {
  const data = new Uint8Array();
  assert.throws(() => storedZip([{ name: "a", data, dateTime: at(1979, 12, 31, 0, 0, 0) }]), RangeError);
  assert.throws(() => storedZip([{ name: "a", data, dateTime: at(2108, 1, 1, 0, 0, 0) }]), RangeError);
});

Deno.test({
  name: "storedZip() writes what Python's zipfile writestr writes",
  ignore: skipIf(NO_PY, "no pyenv Python is installed"),
  async fn(t) {
    await using tmp = await tempDir();
    type Entry = [name: string, data: string, dateTime: [number, number, number, number, number, number]];
    const cases: { platform: string; entries: Entry[] }[] = [
      { platform: "win32", entries: [["__main__.py", "import sys\n", [2024, 5, 6, 7, 8, 9]]] },
      { platform: "linux", entries: [["__main__.py", "import sys\n", [1980, 1, 1, 0, 0, 0]]] },
      {
        platform: "win32",
        entries: [
          ["a/b.txt", "", [2107, 12, 31, 23, 59, 58]],
          ["café/ü.py", "print('é')\n", [2000, 2, 29, 12, 30, 31]],
          ["z", "x".repeat(70_000), [2026, 8, 4, 22, 28, 0]],
        ],
      },
    ];
    for (const python of PYTHONS) {
      await t.step(python.label, async () => {
        const r = await run(python.exe, ["-c", WRITESTR, JSON.stringify(cases)], {
          env: { PATH: "/usr/bin:/bin", HOME: tmp.path, LC_ALL: "C.UTF-8" }, // 3.6 decodes argv by locale
        });
        assert.equal(r.code, 0, r.stderr);
        const theirs = JSON.parse(r.stdout) as string[];
        cases.forEach((c, i) => {
          const ours = storedZip(
            c.entries.map(([name, data, dt]) => ({
              name,
              data: new TextEncoder().encode(data),
              dateTime: at(...dt),
            })),
            { createSystem: c.platform === "win32" ? 0 : 3 },
          );
          const hex = Array.from(ours, (b) => b.toString(16).padStart(2, "0")).join("");
          assert.equal(hex, theirs[i], `case ${i}`);
        });
      });
    }
  },
});
