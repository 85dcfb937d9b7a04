/** lib/fnv1a.ts must give FNV-1a 64 exactly: checked against a BigInt rendering of the definition. */
import assert from "node:assert/strict";
import { fnv1a64 } from "../../lib/fnv1a.ts";

function reference(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, "0");
}

Deno.test("fnv1a64() agrees with the 64-bit definition", () => {
  const texts = ["", "a", "foobar", "/usr/bin/python3", "C:\\Python312\\python.exe", "/with space/èрт🚒/env"];
  // Every byte value after every prefix length up to 9: each carry path of the 32-bit halves is taken.
  for (let length = 0; length < 10; length++) {
    for (let code = 0; code < 256; code++) texts.push("x".repeat(length) + String.fromCharCode(code));
  }
  for (const text of texts) assert.equal(fnv1a64(text), reference(text), JSON.stringify(text));
  assert.equal(fnv1a64("a"), "af63dc4c8601ec8c"); // the published FNV-1a 64 test vector
});
