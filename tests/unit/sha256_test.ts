import assert from "node:assert/strict";
import { sha256 } from "../../lib/seeder/sha256.ts";

async function reference(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
}

Deno.test("sha256: matches WebCrypto at every length around the block and padding edges, and for large inputs", async () => {
  const lengths = [...Array.from({ length: 200 }, (_, i) => i), 1000, 4095, 4096, 65_537, 1_000_003];
  for (const length of lengths) {
    const bytes = crypto.getRandomValues(new Uint8Array(Math.min(length, 65_536)));
    const data = length > 65_536 ? new Uint8Array(length).map((_, i) => bytes[i % bytes.length]!) : bytes;
    assert.deepEqual(sha256(data), await reference(data), `length ${length}`);
  }
});

Deno.test("sha256: a string is hashed as UTF-8", async () => {
  const text = "#!/bin/sh\n'''exec' \"/tmp/èрт🚒/bin/python\" \"$0\" \"$@\"\n' '''\n";
  assert.deepEqual(sha256(text), await reference(new TextEncoder().encode(text)));
});
