/**
 * Periodic update of the seed wheels, with virtualenv's rules: at most one check every 14 days per package and target
 * `X.Y`, run in a detached background process so creating an environment never waits for the network; a release is
 * adopted once it is 28 days old (sooner when an older release of the same `X.Y` series is already adoptable, so bug
 * fix releases follow quickly), and never within an hour of being fetched. `--upgrade-embed-wheels` fetches the newest
 * wheels now and adopts them at once.
 *
 * State lives in the app-data folder: `update/<X.Y>/<project>.json` is the update log (virtualenv's format:
 * `completed`, `periodic`, `started`, and `versions` newest first, each with `filename`, `found_date`, `release_date`
 * and `source`), and the fetched wheels sit in `updates/`, apart from the wheel store, so a wheel is only seeded
 * through a log that allows it. Every write is atomic (temporary name, then rename).
 *
 * The functions take the current time as an argument, so the rules are tested with a fake clock.
 *
 * @module
 */
import { type EnvLookup, isWriteTemporary, removeStaleEntries, writeFileAtomicSync } from "../app_data.ts";
import { MkvenvError } from "../errors.ts";
import { compareVersions, parseVersion, type Pep440Version } from "../discovery/pep440.ts";
import { fromFileUrl, hostPath as path } from "../path.ts";
import type { Platform } from "../platform.ts";
import type { IndexFile } from "./index_client.ts";
import { WheelInfoCache } from "./wheel_info.ts";
import { parseWheelFileName, requiresPythonAllows } from "./wheel_name.ts";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** How long after a completed check the next one is due. */
export const UPDATE_PERIOD_MS: number = 14 * DAY_MS;
/** How old a release must be before it is adopted (unless its `X.Y` series is exempt). */
export const GRACE_PERIOD_MINOR_MS: number = 28 * DAY_MS;
/** How long a fetched wheel waits before it is used, so a bad release pulled within the hour is never seeded. */
export const GRACE_PERIOD_FETCH_MS: number = HOUR_MS;
/** How long a started check that never completed (offline, killed) blocks the next attempt. */
export const UPDATE_ABORTED_DELAY_MS: number = HOUR_MS;

/** The environment variable that carries an {@linkcode UpdateJob} to the background process. */
export const UPDATE_JOB_ENV = "MKVENV_UPDATE_JOB";

/** How a wheel got into the update log: by the periodic check, or by `--upgrade-embed-wheels` (adopted at once). */
export type UpdateSource = "periodic" | "manual";

/** One fetched release in the update log. */
export interface UpdateEntry {
  /** The wheel's file name in the updates folder. */
  readonly filename: string;
  /** When mkvenv fetched it (ISO 8601, UTC). */
  readonly foundDate: string;
  /** When the index says it was uploaded (PEP 700), or null when the index did not say. */
  readonly releaseDate: string | null;
  /** How it was fetched. */
  readonly source: UpdateSource;
}

/** The update log of one package for one target `X.Y`. */
export interface UpdateLog {
  /** When the last check finished, or null. */
  readonly completed: string | null;
  /** Whether the last check was a periodic one, or null before any. */
  readonly periodic: boolean | null;
  /** When the last check started, or null. */
  readonly started: string | null;
  /** Fetched releases, newest first. */
  readonly versions: readonly UpdateEntry[];
  /** Why the last check failed, when it did. */
  readonly error?: string | undefined;
}

/** The target interpreter's version, as far as wheel selection goes. */
export interface TargetPython {
  /** Major version. */
  readonly major: number;
  /** Minor version. */
  readonly minor: number;
  /** Micro version (for `Requires-Python`). */
  readonly micro: number;
}

/** One check, as the background process receives it (plain JSON). */
export interface UpdateJob {
  /** mkvenv's app-data root (`<app-data>/mkvenv-v1`). */
  readonly root: string;
  /** The package, normalized (`pip`, `setuptools`). */
  readonly project: string;
  /** The target interpreter's version. */
  readonly python: TargetPython;
  /** Periodic (background) or manual (`--upgrade-embed-wheels`). */
  readonly source: UpdateSource;
  /** The version seeded from local wheels when the check was triggered: only newer releases are fetched. */
  readonly newestLocal?: string | undefined;
}

const EMPTY_LOG: UpdateLog = { completed: null, periodic: null, started: null, versions: [] };

/** The update log file of `project` for Python `X.Y`. */
export function updateLogFile(root: string, python: TargetPython, project: string): string {
  return path.join(root, "update", `${python.major}.${python.minor}`, `${project}.json`);
}

/** The folder fetched update wheels are kept in. */
export function updatesDir(root: string): string {
  return path.join(root, "updates");
}

function isoOrNull(value: unknown): string | null {
  return typeof value === "string" && !Number.isNaN(Date.parse(value)) ? value : null;
}

/** Reads an update log; a missing or unreadable one is an empty log (the next check rewrites it). */
export function readUpdateLog(file: string): UpdateLog {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(Deno.readTextFileSync(file));
  } catch {
    return EMPTY_LOG;
  }
  if (raw === null || typeof raw !== "object") return EMPTY_LOG;
  const versions: UpdateEntry[] = [];
  for (const item of Array.isArray(raw.versions) ? raw.versions : []) {
    const v = item as Record<string, unknown> | null;
    const foundDate = isoOrNull(v?.found_date);
    if (typeof v?.filename !== "string" || !parseWheelFileName(v.filename) || foundDate === null) continue;
    if (v.source !== "periodic" && v.source !== "manual") continue;
    versions.push({ filename: v.filename, foundDate, releaseDate: isoOrNull(v.release_date), source: v.source });
  }
  return {
    completed: isoOrNull(raw.completed),
    periodic: typeof raw.periodic === "boolean" ? raw.periodic : null,
    started: isoOrNull(raw.started),
    versions,
    ...(typeof raw.error === "string" ? { error: raw.error } : {}),
  };
}

/** Writes an update log atomically, in virtualenv's key spelling. */
export function writeUpdateLog(file: string, log: UpdateLog): void {
  const json = {
    completed: log.completed,
    periodic: log.periodic,
    started: log.started,
    versions: log.versions.map((v) => ({
      filename: v.filename,
      found_date: v.foundDate,
      release_date: v.releaseDate,
      source: v.source,
    })),
    ...(log.error !== undefined ? { error: log.error } : {}),
  };
  writeFileAtomicSync(file, JSON.stringify(json, null, 2) + "\n");
}

const ago = (now: Date, iso: string): number => now.getTime() - Date.parse(iso);

/**
 * Whether a check is due: none completed in the last 14 days, and none started in the last hour (a check that
 * started and never completed, offline or killed, is retried an hour later).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { needsUpdate } from "./periodic_update.ts";
 * const now = new Date("2026-11-21T12:00:00Z");
 * const log = { completed: "2026-11-01T12:00:00Z", periodic: true, started: "2026-11-01T11:59:00Z", versions: [] };
 * assert(needsUpdate(log, now));
 * assert(!needsUpdate({ ...log, started: "2026-11-21T11:30:00Z" }, now));
 * ```
 */
export function needsUpdate(log: UpdateLog, now: Date): boolean {
  const stale = log.completed === null || ago(now, log.completed) > UPDATE_PERIOD_MS;
  const notRunning = log.started === null || ago(now, log.started) > UPDATE_ABORTED_DELAY_MS;
  return stale && notRunning;
}

/**
 * Whether an entry may be seeded now: a manual one always; a periodic one once it was fetched over an hour ago and its
 * release (or, when the index gave no date, its fetch) is at least 28 days old, the age rule being waived when
 * `ignoreGraceMinor` is set (its `X.Y` series already has an adoptable release).
 */
export function isUsable(entry: UpdateEntry, now: Date, ignoreGraceMinor = false): boolean {
  if (entry.source === "manual") return true;
  if (ago(now, entry.foundDate) < GRACE_PERIOD_FETCH_MS) return false;
  return ignoreGraceMinor || ago(now, entry.releaseDate ?? entry.foundDate) >= GRACE_PERIOD_MINOR_MS;
}

function series(filename: string): string {
  const release = parseWheelFileName(filename)?.parsedVersion.release ?? [];
  return `${release[0] ?? 0}.${release[1] ?? 0}`;
}

/**
 * The file names of the logged wheels that may be seeded now (see {@linkcode isUsable}), newest first. A series
 * (`26.2`) with one adoptable release is exempt from the 28-day rule, so its later bug fix releases are adopted an
 * hour after they are fetched.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { adoptableUpdates } from "./periodic_update.ts";
 * const now = new Date("2026-11-21T12:00:00Z");
 * const entry = (filename: string, releaseDate: string) =>
 *   ({ filename, foundDate: "2026-11-20T00:00:00Z", releaseDate, source: "periodic" as const });
 * const versions = [
 *   entry("pip-26.3.1-py3-none-any.whl", "2026-11-15T00:00:00Z"),
 *   entry("pip-26.3-py3-none-any.whl", "2026-10-01T00:00:00Z"),
 * ];
 * const log = { completed: null, periodic: true, started: null, versions };
 * assert(adoptableUpdates(log, now).join() === "pip-26.3.1-py3-none-any.whl,pip-26.3-py3-none-any.whl");
 * ```
 */
export function adoptableUpdates(log: UpdateLog, now: Date): string[] {
  const exempt = new Set(log.versions.filter((v) => isUsable(v, now)).map((v) => series(v.filename)));
  return log.versions.filter((v) => isUsable(v, now, exempt.has(series(v.filename)))).map((v) => v.filename);
}

/** What {@linkcode runUpdateJob} needs from its surroundings. */
export interface UpdateDeps {
  /** The clock. */
  readonly now: () => Date;
  /** Environment variables (pip's configuration). */
  readonly env: EnvLookup;
  /** The host platform (pip's configuration files). */
  readonly platform: Platform;
  /** Network timeout in milliseconds. @default {pip's configured timeout, else 15 s} */
  readonly timeoutMs?: number | undefined;
  /** The index's files for the project, when the caller already has them (`--upgrade-embed-wheels`). */
  readonly files?: readonly IndexFile[] | undefined;
  /**
   * Told of each index that could not be read while another answered, which then does not stop the check (as in
   * pip). Without it such a check fails: the periodic one retries later rather than miss a newer release.
   */
  readonly warn?: ((message: string) => void) | undefined;
}

function versionOf(filename: string): Pep440Version | undefined {
  return parseWheelFileName(filename)?.parsedVersion;
}

function newer(a: Pep440Version | undefined, b: Pep440Version | undefined): Pep440Version | undefined {
  if (!a) return b;
  if (!b) return a;
  return compareVersions(a, b) >= 0 ? a : b;
}

/** Fetches the index's file list for `project`, reading pip's configuration as the seeder does. */
export async function indexFilesFor(
  project: string,
  deps: Pick<UpdateDeps, "env" | "platform" | "timeoutMs" | "warn">,
): Promise<readonly IndexFile[]> {
  const { findDistributionFiles, resolvePipIndexes } = await import("../on_demand.ts");
  const config = resolvePipIndexes(deps.env, deps.platform);
  const skipped: string[] = [];
  const files = await findDistributionFiles(project, config, {
    timeoutMs: deps.timeoutMs ?? (config.timeoutSeconds ?? 15) * 1000,
    onSkipped: (reason) => skipped.push(reason),
  });
  if (deps.warn) {
    for (const reason of skipped) deps.warn(`${reason}; skipped that index`);
  } else if (skipped.length) {
    // An index that did not answer may list newer releases: that is a failed check, retried, not "nothing new".
    throw new MkvenvError(skipped.join("; "), {
      hint: "check the network and pip's index settings (index-url, extra-index-url)",
    });
  }
  return files;
}

/**
 * Runs one check: asks the index for releases newer than what is seeded (periodic) or for the newest one (manual),
 * fetches them into the updates folder newest first, stopping at the first release old enough to be adopted (or of
 * unknown age: older ones would be adopted no sooner), and records them in the log with `completed` set. A failure
 * records its message in the log and is rethrown; `started` stays, so a periodic retry waits an hour.
 *
 * @returns The entries added (empty: nothing newer).
 */
export async function runUpdateJob(job: UpdateJob, deps: UpdateDeps): Promise<UpdateEntry[]> {
  const file = updateLogFile(job.root, job.python, job.project);
  const started = deps.now().toISOString();
  if (job.source === "manual") writeUpdateLog(file, { ...readUpdateLog(file), started, periodic: false });
  const added: UpdateEntry[] = [];
  try {
    const { downloadFile, hasDownloaded, rankWheels, resolvePipIndexes } = await import("../on_demand.ts");
    const files = deps.files ?? await indexFilesFor(job.project, deps);
    // pip's timeout and cert, as for the index pages: a download waits as long as pip would, trusting what it trusts.
    const config = resolvePipIndexes(deps.env, deps.platform);
    const timeoutMs = deps.timeoutMs ?? (config.timeoutSeconds ?? 15) * 1000;
    const known = readUpdateLog(file);
    // Periodic checks fetch only what is newer than both the seeded wheel and the last fetch; a manual one always
    // records the newest release as manual, so it is adopted at once.
    const floor = job.source === "periodic"
      ? newer(job.newestLocal ? parsedOrUndefined(job.newestLocal) : undefined, newestLogged(known))
      : undefined;
    const dir = updatesDir(job.root);
    // Download temporaries (`.<file>.<pid>.<n>.tmp`) a killed check left behind.
    removeStaleEntries(dir, isWriteTemporary, HOUR_MS, deps.now().getTime());
    for (const candidate of rankWheels(files, job.project, { pythonVersion: job.python })) {
      const version = versionOf(candidate.filename);
      if (floor && version && compareVersions(version, floor) <= 0) break;
      const previous = known.versions.find((v) => v.filename === candidate.filename);
      if (previous && (job.source === "periodic" || previous.source === "manual")) break;
      const target = path.join(dir, candidate.filename);
      if (!await hasDownloaded(candidate, dir)) await downloadFile(candidate, dir, { timeoutMs, cert: config.cert });
      if (candidate.requiresPython === undefined) {
        // The index did not say: the wheel's own METADATA decides.
        const info = await new WheelInfoCache(path.join(job.root, "wheel_info")).get(target);
        if (!requiresPythonAllows(info.requiresPython, job.python)) continue;
      }
      const entry: UpdateEntry = {
        filename: candidate.filename,
        foundDate: deps.now().toISOString(),
        releaseDate: candidate.uploadTime ?? null,
        source: job.source,
      };
      added.push(entry);
      // Older releases would be adopted no sooner than this one: it is old enough already, or its age is unknown.
      const oldEnough = entry.releaseDate !== null && ago(deps.now(), entry.releaseDate) >= GRACE_PERIOD_MINOR_MS;
      if (job.source === "manual" || entry.releaseDate === null || oldEnough) break;
    }
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    writeUpdateLog(file, { ...readUpdateLog(file), error: message });
    throw e;
  }
  // Re-read: another process may have recorded entries meanwhile; keep them, newest first, one per file.
  const latest = readUpdateLog(file);
  const names = new Set(added.map((v) => v.filename));
  const versions = [...added, ...latest.versions.filter((v) => !names.has(v.filename))].sort((a, b) => {
    const va = versionOf(a.filename), vb = versionOf(b.filename);
    return va && vb ? compareVersions(vb, va) : 0;
  });
  writeUpdateLog(file, {
    completed: deps.now().toISOString(),
    periodic: job.source === "periodic",
    started: latest.started ?? started,
    versions,
  });
  return added;
}

function parsedOrUndefined(version: string): Pep440Version | undefined {
  try {
    return parseVersion(version);
  } catch {
    return undefined;
  }
}

function newestLogged(log: UpdateLog): Pep440Version | undefined {
  let best: Pep440Version | undefined;
  for (const v of log.versions) best = newer(best, versionOf(v.filename));
  return best;
}

/** How to start the background process, or undefined when this program cannot start one (a plain bundle). */
export interface BackgroundCommand {
  /** The executable. */
  readonly command: string;
  /** Its arguments. */
  readonly args: readonly string[];
}

function exists(file: string): boolean {
  try {
    Deno.statSync(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * The command that runs an update job in a new process: a compiled mkvenv runs itself (its entry point sees
 * {@linkcode UPDATE_JOB_ENV}); otherwise Deno runs the job module beside this one, from a checkout or a registry.
 */
export function backgroundCommand(): BackgroundCommand | undefined {
  if (Deno.build.standalone) {
    // Only mkvenv's own entry point knows to run the job; another compiled program would just start itself again.
    const ownCli = new URL("../../cli.ts", import.meta.url).href;
    return Deno.mainModule === ownCli ? { command: Deno.execPath(), args: [] } : undefined;
  }
  const entry = new URL("./periodic_update_job.ts", import.meta.url);
  const permissions = ["--allow-read", "--allow-write", "--allow-net", "--allow-env"];
  if (entry.protocol !== "file:") return { command: Deno.execPath(), args: ["run", ...permissions, entry.href] };
  const file = fromFileUrl(entry);
  if (!exists(file)) return undefined;
  // The checkout's own deno.json, never one Deno would find from the caller's folder.
  const config = fromFileUrl(new URL("../../deno.json", import.meta.url));
  const configArgs = exists(config) ? ["--config", config] : ["--no-config"];
  return { command: Deno.execPath(), args: ["run", "--quiet", ...permissions, ...configArgs, entry.href] };
}

/** What {@linkcode startPeriodicUpdate} needs. */
export interface StartOptions {
  /** The clock. */
  readonly now: Date;
  /** The environment the background process gets (undefined: this process's). */
  readonly env?: Readonly<Record<string, string>> | undefined;
  /** Receives what happened, for `-v`. */
  readonly debug?: ((message: string) => void) | undefined;
}

/**
 * Starts a periodic check of `job` in a detached background process when one is due ({@linkcode needsUpdate}),
 * first recording `started` so concurrent runs do not start another. Never throws: a failure to start only means no
 * update this time.
 *
 * @returns The background process's id, or undefined when none was started.
 */
export function startPeriodicUpdate(job: UpdateJob, options: StartOptions): number | undefined {
  const file = updateLogFile(job.root, job.python, job.project);
  const log = readUpdateLog(file);
  if (!needsUpdate(log, options.now)) return undefined;
  const command = backgroundCommand();
  if (!command) {
    options.debug?.("no periodic update: this program cannot start mkvenv in the background");
    return undefined;
  }
  // Never prompt: a program that was not granted this run permission simply gets no background check.
  if (Deno.permissions.querySync({ name: "run", command: command.command }).state !== "granted") {
    options.debug?.("no periodic update: no permission to run " + command.command);
    return undefined;
  }
  let marked = false;
  try {
    writeUpdateLog(file, { ...log, started: options.now.toISOString(), periodic: true });
    marked = true;
    const env = { ...(options.env ?? Deno.env.toObject()), [UPDATE_JOB_ENV]: JSON.stringify(job) };
    const child = new Deno.Command(command.command, {
      args: [...command.args],
      env,
      clearEnv: true,
      stdin: "null",
      stdout: "null",
      stderr: "null",
      detached: true,
    }).spawn();
    child.unref();
    options.debug?.(
      `started the periodic update of ${job.project} (for Python ${job.python.major}.${job.python.minor}) ` +
        `in background process ${child.pid}`,
    );
    return child.pid;
  } catch (e) {
    options.debug?.(`no periodic update: ${e instanceof Error ? e.message : e}`);
    // Not started after all: leave the log as it was, so the next run tries again.
    if (marked) {
      try {
        writeUpdateLog(file, log);
      } catch { /* the next run retries after the hour */ }
    }
    return undefined;
  }
}

/**
 * Runs the job in {@linkcode UPDATE_JOB_ENV}: the background process's whole work. Returns its exit code.
 */
export async function runUpdateJobFromEnv(platform: Platform): Promise<number> {
  let job: UpdateJob;
  try {
    job = JSON.parse(Deno.env.get(UPDATE_JOB_ENV) ?? "");
  } catch {
    return 2;
  }
  try {
    const env: EnvLookup = (name) => Deno.env.get(name);
    await runUpdateJob(job, { now: () => new Date(), env, platform, timeoutMs: timeoutFrom(env) });
    return 0;
  } catch {
    return 1;
  }
}

/** `MKVENV_HTTP_TIMEOUT_MS`, when set to a positive number. */
export function timeoutFrom(env: EnvLookup): number | undefined {
  return Number(env("MKVENV_HTTP_TIMEOUT_MS")) || undefined;
}

/** The target versions `--upgrade-embed-wheels` fetches for: every CPython 3 minor mkvenv seeds, 3.6 to 3.16. */
export const UPGRADE_PYTHONS: readonly TargetPython[] = Array.from(
  { length: 11 },
  (_, i) => ({ major: 3, minor: 6 + i, micro: 0 }),
);

/** One line of `--upgrade-embed-wheels` output. */
export interface UpgradeOutcome {
  /** The package. */
  readonly project: string;
  /** The target Python. */
  readonly python: TargetPython;
  /** The wheel now adopted for it, when the check found one. */
  readonly added: string | undefined;
}

/**
 * `--upgrade-embed-wheels`: for every target in {@linkcode UPGRADE_PYTHONS} and each package, records the newest
 * compatible release as a manual update (adopted at once), downloading each distinct wheel once.
 *
 * @throws {MkvenvError} When the index cannot be read (a project it does not list just has no newer release); an
 * index that fails while another answers only goes to `deps.warn` when that is given.
 */
export async function upgradeEmbedWheels(
  root: string,
  projects: readonly string[],
  deps: UpdateDeps,
): Promise<UpgradeOutcome[]> {
  const outcomes: UpgradeOutcome[] = [];
  for (const project of projects) {
    const files = await indexFilesFor(project, deps);
    for (const python of UPGRADE_PYTHONS) {
      const added = await runUpdateJob({ root, project, python, source: "manual" }, { ...deps, files });
      outcomes.push({ project, python, added: added[0]?.filename });
    }
  }
  return outcomes;
}
