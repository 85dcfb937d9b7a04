/**
 * The `mkvenv` command: `deno run -A cli.ts DEST [options]`. Parses argv via {@linkcode runCli} and exits with its
 * code; everything else lives in `lib/`.
 *
 * @module
 */
import { endProcess, runCli } from "./lib/run_cli.ts";
import { runUpdateJobFromEnv } from "./lib/seeder/periodic_update.ts";
import { hostPlatform } from "./lib/platform.ts";

async function main(): Promise<void> {
  // A compiled mkvenv is also its own periodic-update background process (lib/seeder/periodic_update.ts).
  if (Deno.build.standalone && Deno.env.get("MKVENV_UPDATE_JOB") !== undefined) {
    Deno.exit(await runUpdateJobFromEnv(hostPlatform()));
  }
  endProcess(await runCli(Deno.args, { ownsProcess: true }));
}

// Outside the module's top-level code: V8 then records the first exception thrown without re-parsing the module.
if (import.meta.main) queueMicrotask(main);
