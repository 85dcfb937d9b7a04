/**
 * One wheel extraction with mkvenv's own extractor, for `scripts/bench.ts --mode unzip`:
 * `deno run -A scripts/bench_extract.ts WHEEL DIR` unpacks WHEEL into the existing, empty DIR (every file checked
 * against RECORD, as an install image is built) and prints `{"ms": N}`: the milliseconds spent in-process, from reading
 * the wheel to the last file written. The process as a whole is timed by the caller, start-up included, as `unzip` is.
 *
 * @module
 */
import { loadNodeCodecs } from "../lib/seeder/node_codecs.ts";
import { extractWheel } from "../lib/seeder/wheel.ts";

const [wheel, target] = Deno.args;
if (!wheel || !target) throw new Error("usage: bench_extract.ts WHEEL DIR");
// Deno's Node compatibility, which the reader's inflate and hashes need, loads outside the timed part (about 20 ms).
await loadNodeCodecs();
const start = performance.now();
await extractWheel(Deno.readFileSync(wheel), target, wheel);
console.log(JSON.stringify({ ms: performance.now() - start }));
