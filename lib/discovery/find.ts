/**
 * Interpreter discovery: turns `-p` specs into one {@linkcode FoundPython}, or lists every interpreter found.
 * Candidates are probed through the cache; uncached ones are interrogated a few at a time in parallel, each with a
 * timeout, and a broken or hanging interpreter is skipped (and reported at debug level).
 *
 * @module
 */
import type { EnvLookup } from "../app_data.ts";
import { MkvenvError } from "../errors.ts";
import type { Platform } from "../platform.ts";
import { type FileFingerprint, fingerprintOf, type ProbeResult, type PyInfoCache } from "./cache.ts";
import type { FolderNames } from "./folder_names.ts";
import { type Candidate, type ProposalContext, proposeCandidates } from "./candidates.ts";
import { type FoundPython, pep440Version } from "./py_info.ts";
import { findUpward, isExecutableFile, VERSION_MANAGERS } from "./shims.ts";
import { parseSpec, type PythonSpec, satisfies } from "./spec.ts";
import type { RegistryReader } from "./registry/reader.ts";

/** How many uncached interpreters are interrogated at once. */
const PROBE_CONCURRENCY = 4;

/** Everything discovery needs from its caller. */
export interface DiscoveryContext {
  /** Environment variables (PATH, PYENV_ROOT, UV_PYTHON_INSTALL_DIR, ...). */
  readonly env: EnvLookup;
  /** The folder relative paths and `.python-version` lookups start from. */
  readonly cwd: string;
  /** The OS rules. */
  readonly platform: Platform;
  /** Executables to try before anything else (`--try-first-with`). */
  readonly tryFirstWith: readonly string[];
  /** Interpreter answers cached across runs. */
  readonly cache: PyInfoCache;
  /** Per-interpreter interrogation timeout in milliseconds. @default {15000} */
  readonly timeoutMs?: number | undefined;
  /** Receives debug messages (skipped candidates and why). */
  readonly debug?: ((message: string) => void) | undefined;
  /** Cancels the search: running interrogations are killed and the search rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
  /**
   * The registry PEP 514 registrations are read from. By default the real one, when running on Windows (with FFI
   * permission); a reader (tests give an in-memory one) is read on any OS; `null` reads none.
   */
  readonly windowsRegistry?: RegistryReader | null | undefined;
  /**
   * Called when an interpreter is about to be interrogated (its answer is not cached), with the child process's tens
   * of milliseconds ahead, in which the caller can load what its own cold path needs. Called once per interrogation.
   */
  readonly onInterrogate?: (() => void) | undefined;
  /** Where PATH folders' interpreter-like names are kept across runs. @default {none: every folder is listed} */
  readonly folderNames?: FolderNames | undefined;
}

/** A discovery context with its Windows sources ready (or known to be absent). */
// Spelled out, not `Required<Pick<…>>`: that drops `undefined` unless exactOptionalPropertyTypes is on, and importers
// of these sources may check them without it.
type Prepared = DiscoveryContext & { readonly windows: ProposalContext["windows"] };

/**
 * Readies the Windows sources (PEP 514 registry, Store packages) of a search: on Windows, or with an injected registry.
 * Loaded lazily, so other systems never load the registry modules.
 */
async function prepare(ctx: DiscoveryContext): Promise<Prepared> {
  if ("windows" in ctx) return ctx as Prepared;
  if (!ctx.platform.isWindows && !ctx.windowsRegistry) return { ...ctx, windows: undefined };
  const { prepareWindowsPythons, windowsPythonMayMatch } = await import("../on_demand.ts");
  const read = await prepareWindowsPythons({
    env: ctx.env,
    debug: ctx.debug,
    platform: ctx.platform,
    registry: ctx.windowsRegistry,
  });
  if (!read) return { ...ctx, windows: undefined };
  return {
    ...ctx,
    windows: (spec) =>
      read().filter((w) => windowsPythonMayMatch(w, spec)).map((w) => ({
        path: w.executable,
        source: w.source,
        implMustMatch: true,
      })),
  };
}

/**
 * The specs to search for: the user's, else the nearest `.python-version`, else `python3` then `python`. A
 * `.python-version` line may also be what pyenv writes there: `system` (the first interpreter on PATH) or the name of
 * an installed version (`3.12-dev`, `pypy3.10-7.3.12`, `miniconda3-latest`), taken as that install's interpreter.
 */
export function resolveSpecs(
  rawSpecs: readonly string[],
  ctx: Pick<DiscoveryContext, "cwd" | "platform" | "env">,
): { specs: PythonSpec[]; origin: string } {
  if (rawSpecs.length) return { specs: rawSpecs.map((s) => parseSpec(s, ctx.platform)), origin: "-p" };
  const found = findUpward(ctx.cwd, ".python-version", ctx.platform);
  const lines = found?.text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith("#")) ?? [];
  if (!found || !lines.length) return { specs: [parseSpec("python", ctx.platform)], origin: "default" };
  const specs = lines.map((line) => {
    if (line === "system") return parseSpec("python", ctx.platform);
    const installed = installedVersionExecutable(line, ctx);
    if (installed) return parseSpec(installed, ctx.platform);
    try {
      return parseSpec(line, ctx.platform);
    } catch (e) {
      if (!(e instanceof MkvenvError)) throw e;
      throw new MkvenvError(`${e.message} (read from ${found.file})`, {
        exitCode: e.exitCode,
        hint: `fix or remove ${found.file}, or pass -p`,
      });
    }
  });
  return { specs, origin: found.file };
}

/** The interpreter of a version-manager install named exactly `name`, if there is one. */
function installedVersionExecutable(name: string, ctx: Pick<DiscoveryContext, "env" | "platform">): string | undefined {
  if (/[\\/]|^\.\.?$/.test(name)) return undefined;
  const p = ctx.platform.path;
  for (const manager of VERSION_MANAGERS) {
    const root = manager.root(ctx.env, ctx.platform);
    if (!root) continue;
    const bin = p.join(root, ...manager.versionsDir.split("/"), name, ctx.platform.isWindows ? "" : "bin");
    for (const exe of ["python3", "python", "pypy3", "pypy"]) {
      const file = p.join(bin, exe + ctx.platform.exeSuffix);
      if (isExecutableFile(file, ctx.platform)) return file;
    }
  }
  return undefined;
}

/**
 * The cached answer for `exe` or, when it must be interrogated, its fingerprint; plus the identity of the file (links
 * and hard links to one interpreter share it).
 */
function cachedProbe(exe: string, ctx: DiscoveryContext): { identity: string; result: ProbeResult | FileFingerprint } {
  const fingerprint = fingerprintOf(exe);
  if (!fingerprint) return { identity: exe, result: { ok: false, reason: "no such file" } };
  const { ino, size, mtimeMs, realPath } = fingerprint;
  return {
    identity: ino ? `${ino}/${size}/${mtimeMs}` : realPath,
    result: ctx.cache.get(exe, fingerprint) ?? fingerprint,
  };
}

/** Interrogates `exe` and caches the answer (unless the probe was cancelled). */
async function freshProbe(
  exe: string,
  fingerprint: FileFingerprint,
  ctx: DiscoveryContext,
  signal: AbortSignal,
): Promise<ProbeResult> {
  // Loaded only on a cache miss: a warm run never parses the interrogation script.
  const { interrogate } = await import("../on_demand.ts");
  ctx.onInterrogate?.();
  const result = await interrogate(exe, { timeoutMs: ctx.timeoutMs, signal });
  if (!signal.aborted) ctx.cache.set(exe, fingerprint, result);
  return result;
}

/** A candidate with its answer known, or its probe under way. */
interface Probing {
  readonly candidate: Candidate;
  result: ProbeResult | Promise<ProbeResult> | FileFingerprint;
}

/**
 * The signal that stops a search's probes, made when the first probe starts: a warm run answers from the cache, and
 * creating and aborting a controller costs it a third of a millisecond.
 */
class ProbeStop {
  #controller: AbortController | undefined;
  #signal: AbortSignal | undefined;
  readonly #outer: AbortSignal | undefined;

  constructor(outer: AbortSignal | undefined) {
    this.#outer = outer;
  }

  /** The signal for probes: aborted by {@linkcode ProbeStop.abort} or by the caller's signal. */
  get signal(): AbortSignal {
    if (!this.#signal) {
      this.#controller = new AbortController();
      this.#signal = this.#outer ? AbortSignal.any([this.#controller.signal, this.#outer]) : this.#controller.signal;
    }
    return this.#signal;
  }

  /** Stops the probes still running. */
  abort(): void {
    this.#controller?.abort();
  }
}

/**
 * Yields each candidate's answer in candidate order. Cached answers cost no lookahead, so a warm run touches only the
 * candidates up to the one that wins. When the head needs interrogating, the next uncached candidates are
 * interrogated alongside it, up to {@linkcode PROBE_CONCURRENCY} at once. A file already in `seen` (reached through
 * another link or name) is skipped.
 */
async function* probeInOrder(
  candidates: Iterable<Candidate>,
  ctx: DiscoveryContext,
  stop: ProbeStop,
  seen: Set<string> = new Set(),
): AsyncGenerator<{ candidate: Candidate; result: ProbeResult }> {
  const iterator = candidates[Symbol.iterator]();
  const queue: Probing[] = [];
  const pull = (): boolean => {
    for (;;) {
      const next = iterator.next();
      if (next.done) return false;
      const { identity, result } = cachedProbe(next.value.path, ctx);
      if (seen.has(identity)) continue;
      seen.add(identity);
      queue.push({ candidate: next.value, result });
      return true;
    }
  };
  const start = (item: Probing) => {
    if ("realPath" in item.result) item.result = freshProbe(item.candidate.path, item.result, ctx, stop.signal);
  };
  while (queue.length || pull()) {
    const head = queue[0]!;
    if ("realPath" in head.result) {
      start(head);
      while (queue.length < PROBE_CONCURRENCY && pull()) { /* fill the window */ }
      for (const item of queue) start(item);
    }
    queue.shift();
    yield { candidate: head.candidate, result: await (head.result as ProbeResult | Promise<ProbeResult>) };
  }
}

function describeSkip(candidate: Candidate, result: ProbeResult, spec: PythonSpec): string {
  return result.ok
    ? `${candidate.path} (${candidate.source}) is ${result.info.implementation} ${
      pep440Version(result.info.versionInfo)
    }${result.info.freeThreaded ? "t" : ""}, ` +
      `which does not satisfy "${spec.raw}"`
    : `${candidate.path} (${candidate.source}) skipped: ${result.reason}`;
}

/**
 * Finds the interpreter for the given specs: the first spec that finds one wins. Throws a {@linkcode MkvenvError}
 * naming the specs, where mkvenv looked and what it skipped, when nothing matches.
 */
export async function findPython(rawSpecs: readonly string[], context: DiscoveryContext): Promise<FoundPython> {
  context.signal?.throwIfAborted();
  const ctx = await prepare(context);
  const { specs, origin } = resolveSpecs(rawSpecs, ctx);
  const notes: string[] = [];
  for (const spec of specs) {
    const stop = new ProbeStop(ctx.signal);
    try {
      for await (const { candidate, result } of probeInOrder(proposeCandidates(spec, ctx), ctx, stop)) {
        ctx.signal?.throwIfAborted(); // a cancelled probe is no answer: stop rather than try the next candidate
        if (result.ok && satisfies(result.info, spec, { implMustMatch: candidate.implMustMatch })) {
          return { path: candidate.path, source: candidate.source, info: result.info };
        }
        const note = describeSkip(candidate, result, spec);
        ctx.debug?.(note);
        if (!result.ok) notes.push(note);
        if (spec.path !== undefined && !result.ok && result.unsupported) {
          throw new MkvenvError(result.reason, { hint: "pass -p with a Python 3.6 or newer interpreter" });
        }
      }
    } finally {
      stop.abort(); // stops probes still running for candidates after the one that won
    }
  }
  const asked = specs.map((s) => `"${s.raw}"`).join(", ");
  const from = origin === "-p" || origin === "default" ? "" : ` (from ${origin})`;
  const where = specs.some((s) => s.path !== undefined)
    ? "at that path"
    : `${ctx.windows ? "in the Windows registry, " : ""}on PATH, in pyenv/mise/asdf installs or uv-managed installs`;
  const shown = notes.slice(0, 3).map((n) => `\n  ${n}`).join("") +
    (notes.length > 3 ? `\n  (${notes.length - 3} more)` : "");
  throw new MkvenvError(`Cannot find a Python interpreter for ${asked}${from} ${where}${shown}`, {
    hint: "install it (for example `pyenv install 3.12` or `uv python install 3.12`), pass -p with the path of an " +
      "interpreter, or run `mkvenv --list-pythons` to see what was found",
  });
}

/** One interpreter in {@linkcode listPythons}' answer. */
export interface ListedPython extends FoundPython {
  /** Whether this is the interpreter {@linkcode findPython} would use for the same specs. */
  readonly selected: boolean;
}

/**
 * Lists every interpreter discovery can find for the given specs (all Python implementations when none are given),
 * marking the one {@linkcode findPython} would use. Interpreters that fail to answer are left out.
 */
export async function listPythons(rawSpecs: readonly string[], context: DiscoveryContext): Promise<ListedPython[]> {
  context.signal?.throwIfAborted();
  const ctx = await prepare(context);
  let selectedPath: string | undefined;
  try {
    selectedPath = (await findPython(rawSpecs, ctx)).path;
  } catch (e) {
    if (!(e instanceof MkvenvError) || e.exitCode !== 1) throw e;
  }
  const specs = rawSpecs.length
    ? resolveSpecs(rawSpecs, ctx).specs
    : ["python", "pypy", "graalpy"].map((s) => parseSpec(s, ctx.platform));
  const listed: ListedPython[] = [];
  const seen = new Set<string>(); // shared across specs: each interpreter is listed once
  const stop = new ProbeStop(ctx.signal);
  for (const spec of specs) {
    for await (const { candidate, result } of probeInOrder(proposeCandidates(spec, ctx), ctx, stop, seen)) {
      ctx.signal?.throwIfAborted();
      if (!result.ok) {
        ctx.debug?.(describeSkip(candidate, result, spec));
        continue;
      }
      if (!satisfies(result.info, spec, { implMustMatch: candidate.implMustMatch && rawSpecs.length > 0 })) continue;
      listed.push({ ...candidate, info: result.info, selected: candidate.path === selectedPath });
    }
  }
  return listed;
}
