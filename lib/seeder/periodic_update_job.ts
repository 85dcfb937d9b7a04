/**
 * The background process of the periodic seed-wheel update: runs the job passed in `MKVENV_UPDATE_JOB` and exits.
 * Started detached by `startPeriodicUpdate` (./periodic_update.ts), with no output.
 *
 * @module
 */
import { hostPlatform } from "../platform.ts";
import { runUpdateJobFromEnv } from "./periodic_update.ts";

if (import.meta.main) Deno.exit(await runUpdateJobFromEnv(hostPlatform()));
