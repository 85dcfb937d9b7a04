/**
 * The V8 flags mkvenv's executables run with: `deno compile` bakes them into each binary (scripts/compile.ts), and
 * the benchmark passes them to the bundle it runs in the binary's place (scripts/bench.ts).
 *
 * - `--no-lazy`: compile every function of a loaded module at once. Deno writes a module's code cache right after
 *   compiling it, before it runs, so lazily compiled functions never reach the cache and a warm run would compile
 *   each function it calls again, every time; eagerly compiled ones come back from the cache.
 * - `--no-enable-lazy-source-positions`: keep source positions in that cache, so the first exception a run throws
 *   (a missing config file is one) does not make V8 re-parse the functions on the stack.
 * - `--min-semi-space-size=16`: a young generation big enough that a create never stops for a scavenge.
 *
 * Measured on the warm seeded create (scripts/bench.ts --mode seed): 48 ms without them, 35 ms with them.
 *
 * @module
 */

/** The flags, as `--v8-flags=` takes them. */
export const V8_FLAGS = "--no-lazy,--no-enable-lazy-source-positions,--min-semi-space-size=16";
