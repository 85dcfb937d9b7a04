/**
 * The `mkvenv` command: `deno run -A cli.ts DEST [options]`. Parses argv via {@linkcode runCli} and exits with its
 * code; everything else lives in `lib/`.
 *
 * @module
 */
import { runCli } from "./lib/run_cli.ts";

if (import.meta.main) Deno.exit(await runCli(Deno.args));
