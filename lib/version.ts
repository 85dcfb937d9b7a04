/**
 * mkvenv's own version, written to `pyvenv.cfg` and printed by `--version`. A test keeps it equal to deno.json's.
 *
 * @module
 */

/** The mkvenv release this code is. */
export const MKVENV_VERSION = "0.1.0";
