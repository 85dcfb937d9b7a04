/**
 * The `node:` built-ins the wheel reader uses, imported on first need: inflating and CRC-32 from `node:zlib`, hashes
 * from `node:crypto`, each several times faster than anything in JavaScript or web streams here. Importing a `node:`
 * module boots Deno's Node compatibility layer, about 20 ms, which a run that reads no wheel should not pay: one that
 * only interrogates an interpreter, for instance. A first run starts loading them while the interpreter answers.
 *
 * @module
 */
import type * as Crypto from "node:crypto";
import type * as Zlib from "node:zlib";

/** The loaded built-ins. */
export interface NodeCodecs {
  /** `node:zlib`. */
  readonly zlib: typeof Zlib;
  /** `node:crypto`. */
  readonly crypto: typeof Crypto;
}

let loading: Promise<NodeCodecs> | undefined;
let loaded: NodeCodecs | undefined;

/**
 * Imports the built-ins, once: later calls return the same promise.
 *
 * @example Usage
 * ```ts
 * import { loadNodeCodecs } from "./node_codecs.ts";
 * const { zlib } = await loadNodeCodecs();
 * console.assert(zlib.crc32(new TextEncoder().encode("123456789")) === 0xcbf43926);
 * ```
 *
 * @returns The built-ins, once imported.
 */
export function loadNodeCodecs(): Promise<NodeCodecs> {
  loading ??= Promise.all([import("node:zlib"), import("node:crypto")]).then(([zlib, crypto]) => {
    loaded = { zlib, crypto };
    return loaded;
  });
  return loading;
}

/**
 * The built-ins, for synchronous code that runs after {@linkcode loadNodeCodecs} resolved.
 *
 * @example Usage
 * ```ts
 * import { loadNodeCodecs, nodeCodecs } from "./node_codecs.ts";
 * await loadNodeCodecs();
 * console.assert(typeof nodeCodecs().zlib.inflateRawSync === "function");
 * ```
 *
 * @returns The built-ins.
 * @throws {Error} When they have not been loaded yet: a mistake in mkvenv, not the user's.
 */
export function nodeCodecs(): NodeCodecs {
  if (!loaded) throw new Error("the wheel reader's node: modules are used before loadNodeCodecs() finished");
  return loaded;
}
