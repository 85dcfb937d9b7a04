/**
 * Runs the embedded interrogation script (`lib/discovery/py_info.py`) inside a candidate interpreter and turns its
 * answer into a {@linkcode PythonInfo}. A broken, hanging or foreign executable never throws: every failure comes
 * back as `{ ok: false, reason }` with a short reason a user can read.
 *
 * The interpreter runs as `<exe> -E -s -B -c <script>`:
 * - `-E` ignores every `PYTHON*` variable (`PYTHONHOME`, `PYTHONPATH`, `PYTHONSTARTUP`, ...), so the caller's
 *   environment cannot redirect the answer;
 * - `-s` keeps the user site-packages (and its `.pth` files) out;
 * - `-B` writes no `__pycache__` into the interrogated install;
 * - `-c` needs no temporary file. `-I` would bundle `-E -s` but Python 2.7 rejects it, and the script must run
 *   there far enough to say "too old"; `-S` would be faster but skips `site`, which is what detects a virtual
 *   environment on Python < 3.11.
 *
 * Protocol: the script prints one JSON line and exits 0. Python older than 3.6 prints `{"unsupported": "X.Y.Z"}`
 * instead, reported as `{ ok: false, unsupported: true }`. A crash of the script exits 1 with a one-line summary
 * first on stderr.
 *
 * The child runs in a neutral directory (`/`, or `%SystemRoot%` on Windows) with our environment minus
 * `__PYVENV_LAUNCHER__`, `PYTHONHOME`, `PYTHONPATH`, `PYTHONSTARTUP` and `PYTHONEXECUTABLE`, plus
 * `PYTHONIOENCODING=utf-8`. The timeout is a plain timer cleared when the probe ends (rather than
 * `AbortSignal.timeout`), so no timer outlives a probe and a timeout is told apart from the caller's cancel; either
 * one kills the process with SIGKILL and stops reading its pipes.
 *
 * @module
 */
import { startDeadline } from "../deadline.ts";
import { hostPath as path } from "../path.ts";
import type { PythonInfo } from "./py_info.ts";
import { PY_INFO_SCRIPT } from "./py_info_script.gen.ts";

export type { PythonConfigVars, PythonInfo, VenvPaths, VersionInfo } from "./py_info.ts";

/** Default time an interpreter gets to answer before it is killed, in milliseconds. */
export const DEFAULT_INTERROGATE_TIMEOUT_MS = 15_000;

/** The oldest Python version mkvenv supports. */
export const MINIMUM_PYTHON_VERSION = "3.6";

/** Environment variable that overrides the default timeout (milliseconds) when no `timeoutMs` option is given. */
export const TIMEOUT_ENV_VAR = "MKVENV_PY_TIMEOUT_MS";

/** Flags the interpreter runs with, before `-c <script>`; see the module documentation for why. */
export const INTERROGATE_FLAGS: readonly string[] = ["-E", "-s", "-B"];

/** Options for {@linkcode interrogate}. */
export interface InterrogateOptions {
  /**
   * Kill the interpreter after this long, in milliseconds. Without it, the environment variable
   * `MKVENV_PY_TIMEOUT_MS` (a positive number) applies, else 15 seconds.
   * @default {15000}
   */
  readonly timeoutMs?: number | undefined;
  /** Cancels the probe: the interpreter is killed and the result is a failure saying so. */
  readonly signal?: AbortSignal | undefined;
}

/** The outcome of {@linkcode interrogate}. */
export type InterrogationResult =
  | {
    /** The interpreter answered. */
    readonly ok: true;
    /** What it reported. */
    readonly info: PythonInfo;
  }
  | {
    /** The interpreter could not be used. */
    readonly ok: false;
    /** Why, in a short sentence naming the executable. */
    readonly reason: string;
    /** Set when the interpreter works but is older than {@linkcode MINIMUM_PYTHON_VERSION}. */
    readonly unsupported?: boolean;
  };

/** Variables removed from the child's environment. `-E` already ignores them; wrapper scripts might not. */
const REMOVED_ENV = ["__PYVENV_LAUNCHER__", "PYTHONHOME", "PYTHONPATH", "PYTHONSTARTUP", "PYTHONEXECUTABLE"];

/** Bytes of stdout kept (the answer is a few KiB); the rest is drained and dropped. */
const STDOUT_LIMIT = 1 << 20;
/** Bytes of stderr kept for the failure reason. */
const STDERR_LIMIT = 64 << 10;
/** How long the pipes may stay open after the process exited, in milliseconds. */
const PIPE_GRACE_MS = 500;
/** Longest stderr or stdout excerpt quoted in a reason. */
const EXCERPT_LENGTH = 200;

/**
 * Interrogates the Python interpreter at `executable` (an absolute or relative path, or a bare command name looked
 * up on PATH). Resolves to `{ ok: true, info }` or to `{ ok: false, reason }`; it never rejects.
 *
 * @example Usage
 * ```ts ignore
 * import { interrogate } from "./interrogate.ts";
 * const result = await interrogate("/usr/bin/python3", { timeoutMs: 5000 });
 * if (result.ok) console.log(result.info.systemExecutable);
 * else console.error(result.reason);
 * ```
 */
export async function interrogate(executable: string, options: InterrogateOptions = {}): Promise<InterrogationResult> {
  const exe = absoluteIfPath(executable);
  const timeoutMs = resolveTimeout(options.timeoutMs);
  if (options.signal?.aborted) return { ok: false, reason: `interrogating ${exe} was cancelled` };

  const controller = new AbortController();
  let timedOut = false;
  const cancelDeadline = startDeadline(timeoutMs, () => {
    timedOut = true;
    controller.abort();
  });
  const cancel = (): void => controller.abort();
  let cancelGrace: (() => void) | undefined;
  options.signal?.addEventListener("abort", cancel, { once: true });
  try {
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(exe, {
        args: [...INTERROGATE_FLAGS, "-c", PY_INFO_SCRIPT],
        cwd: neutralDirectory(),
        ...childEnv(),
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
    } catch (error) {
      return { ok: false, reason: `cannot run ${exe}: ${spawnErrorText(exe, error)}` };
    }
    const kill = (): void => {
      try {
        child.kill("SIGKILL");
      } catch {
        // Already exited.
      }
    };
    // Reading stops on timeout/cancel, or shortly after the process exits: a grandchild that inherited the pipes
    // (a wrapper script's background job) must not keep us waiting for the timeout.
    const reading = new AbortController();
    const stopReading = (): void => reading.abort();
    const onAbort = (): void => {
      kill();
      stopReading();
    };
    controller.signal.addEventListener("abort", onAbort, { once: true });
    const exited = child.status.then((status) => {
      cancelGrace = startDeadline(PIPE_GRACE_MS, stopReading);
      return status;
    });
    const [stdout, stderr, status] = await Promise.all([
      drain(child.stdout, STDOUT_LIMIT, reading.signal),
      drain(child.stderr, STDERR_LIMIT, reading.signal),
      exited,
    ]);
    controller.signal.removeEventListener("abort", onAbort);

    if (timedOut) return { ok: false, reason: `${exe} timed out: no answer within ${timeoutMs} ms, killed it` };
    if (controller.signal.aborted) return { ok: false, reason: `interrogating ${exe} was cancelled` };
    if (!status.success) {
      const how = status.signal ? `was killed by ${status.signal}` : `exited with code ${status.code}`;
      const line = stderrSummary(stderr);
      return { ok: false, reason: line ? `${exe} ${how}: ${line}` : `${exe} ${how}` };
    }
    return interpret(exe, stdout, stderr);
  } finally {
    cancelDeadline();
    cancelGrace?.();
    options.signal?.removeEventListener("abort", cancel);
  }
}

/** Turns the script's successful output into a result. */
function interpret(exe: string, stdout: string, stderr: string): InterrogationResult {
  // The script prints one line; a sitecustomize or .pth file may have printed before it, so take the last object.
  const line = stdout.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.startsWith("{")).pop();
  let parsed: unknown;
  try {
    parsed = line === undefined ? undefined : JSON.parse(line);
  } catch {
    parsed = undefined;
  }
  if (!isRecord(parsed)) {
    const shown = excerpt(stdout.trim()) || "nothing";
    const err = stderrSummary(stderr);
    return {
      ok: false,
      reason: `${exe} is not a working Python interpreter: it printed ${shown === "nothing" ? shown : `"${shown}"`}` +
        (err ? ` (stderr: ${err})` : ""),
    };
  }
  if ("unsupported" in parsed) {
    const version = typeof parsed.unsupported === "string" ? parsed.unsupported : String(parsed.unsupported);
    return {
      ok: false,
      unsupported: true,
      reason: `${exe} is Python ${version}, older than the minimum ${MINIMUM_PYTHON_VERSION} mkvenv supports`,
    };
  }
  const problem = validatePythonInfo(parsed);
  if (problem !== undefined) return { ok: false, reason: `${exe} gave an invalid interrogation answer: ${problem}` };
  const info = parsed as unknown as PythonInfo;
  if (info.systemExecutable === "") {
    return {
      ok: false,
      reason: info.inVenv
        ? `${exe} runs in a virtual environment whose base interpreter was not found under ${info.basePrefix}`
        : `${exe} did not report its own executable path`,
    };
  }
  return { ok: true, info };
}

/** Expected primitive type of each scalar field of {@linkcode PythonInfo}. */
const SCALAR_FIELDS: readonly (readonly [string, "string" | "number" | "boolean"])[] = [
  ["implementation", "string"],
  ["version", "string"],
  ["bits", "number"],
  ["machine", "string"],
  ["platform", "string"],
  ["osName", "string"],
  ["freeThreaded", "boolean"],
  ["debug", "boolean"],
  ["executable", "string"],
  ["systemExecutable", "string"],
  ["prefix", "string"],
  ["basePrefix", "string"],
  ["execPrefix", "string"],
  ["baseExecPrefix", "string"],
  ["inVenv", "boolean"],
  ["hasVenv", "boolean"],
  ["stdlib", "string"],
  ["platstdlib", "string"],
  ["fileSystemEncoding", "string"],
];

const VERSION_FIELDS: readonly (readonly [string, "string" | "number"])[] = [
  ["major", "number"],
  ["minor", "number"],
  ["micro", "number"],
  ["releaselevel", "string"],
  ["serial", "number"],
];

const VENV_PATH_FIELDS: readonly string[] = ["purelib", "platlib", "scripts", "include", "data"];

const CONFIG_VAR_FIELDS: readonly (readonly [string, "string" | "number"])[] = [
  ["Py_ENABLE_SHARED", "number"],
  ["INSTSONAME", "string"],
  ["LDLIBRARY", "string"],
  ["LIBDIR", "string"],
  ["PYTHONFRAMEWORK", "string"],
  ["MULTIARCH", "string"],
];

/**
 * Checks that a parsed JSON value has every field of {@linkcode PythonInfo} with the right primitive type (for
 * example before trusting a cached copy). Returns `undefined` when it does, else a description of the first problem,
 * such as `field "bits" should be a number, got string`.
 */
export function validatePythonInfo(value: unknown): string | undefined {
  if (!isRecord(value)) return `expected a JSON object, got ${typeName(value)}`;
  for (const [name, type] of SCALAR_FIELDS) {
    const problem = checkType(value, name, type, name);
    if (problem) return problem;
  }
  if (value.bits !== 32 && value.bits !== 64) return `field "bits" should be 32 or 64, got ${String(value.bits)}`;

  const versionInfo = value.versionInfo;
  if (!isRecord(versionInfo)) return `field "versionInfo" should be an object, got ${typeName(versionInfo)}`;
  for (const [name, type] of VERSION_FIELDS) {
    const problem = checkType(versionInfo, name, type, `versionInfo.${name}`);
    if (problem) return problem;
  }

  const venvPaths = value.venvPaths;
  if (!isRecord(venvPaths)) return `field "venvPaths" should be an object, got ${typeName(venvPaths)}`;
  for (const name of VENV_PATH_FIELDS) {
    const problem = checkType(venvPaths, name, "string", `venvPaths.${name}`);
    if (problem) return problem;
  }

  const configVars = value.configVars;
  if (!isRecord(configVars)) return `field "configVars" should be an object, got ${typeName(configVars)}`;
  for (const [name, type] of CONFIG_VAR_FIELDS) {
    const field = configVars[name];
    if (field !== undefined && field !== null && typeName(field) !== type) {
      return `field "configVars.${name}" should be a ${type} or null, got ${typeName(field)}`;
    }
  }

  for (const field of ["tclLibrary", "tkLibrary"] as const) {
    const library = value[field];
    if (library !== undefined && library !== null && typeof library !== "string") {
      return `field "${field}" should be a string or null, got ${typeName(library)}`;
    }
  }

  for (const field of ["ensurepipWheels", "sysPath"] as const) {
    const list = value[field];
    if (!Array.isArray(list)) return `field "${field}" should be an array, got ${typeName(list)}`;
    const bad = list.findIndex((w) => typeof w !== "string");
    if (bad >= 0) return `field "${field}[${bad}]" should be a string, got ${typeName(list[bad])}`;
  }
  return undefined;
}

function checkType(record: Record<string, unknown>, name: string, type: string, label: string): string | undefined {
  if (!(name in record)) return `field "${label}" is missing`;
  const field = record[name];
  if (typeName(field) !== type) return `field "${label}" should be a ${type}, got ${typeName(field)}`;
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** The timeout to use: the option, else `MKVENV_PY_TIMEOUT_MS`, else the default. */
function resolveTimeout(option: number | undefined): number {
  if (option !== undefined && Number.isFinite(option) && option > 0) return option;
  let fromEnv: string | undefined;
  try {
    fromEnv = Deno.env.get(TIMEOUT_ENV_VAR);
  } catch {
    fromEnv = undefined; // no env permission: the default applies
  }
  const parsed = fromEnv === undefined ? NaN : Number(fromEnv);
  return Number.isFinite(parsed) && parsed > 0 ? parsed : DEFAULT_INTERROGATE_TIMEOUT_MS;
}

/** A relative path is made absolute against our cwd, because the child runs elsewhere; bare names stay PATH lookups. */
function absoluteIfPath(executable: string): string {
  const hasSeparator = executable.includes("/") || (Deno.build.os === "windows" && executable.includes("\\"));
  if (!hasSeparator || path.isAbsolute(executable)) return executable;
  try {
    return path.resolve(executable);
  } catch {
    return executable; // no read permission for the cwd: let the spawn report what it finds
  }
}

/**
 * A directory that exists everywhere and holds nothing importable, so nothing in the caller's cwd can shadow a
 * module the interpreter imports at startup.
 */
function neutralDirectory(): string {
  if (Deno.build.os !== "windows") return "/";
  let root: string | undefined;
  try {
    root = Deno.env.get("SystemRoot");
  } catch {
    root = undefined;
  }
  return root ?? "C:\\";
}

/**
 * The child's environment: ours minus the variables that redirect Python, plus `PYTHONIOENCODING=utf-8`. `-E`
 * already ignores the `PYTHON*` ones and the script writes pure ASCII; both are belt and braces for wrapper scripts.
 * Without permission to read the environment, the child inherits it unchanged apart from the additions.
 */
function childEnv(): { env: Record<string, string>; clearEnv?: boolean } {
  let current: Record<string, string>;
  try {
    current = Deno.env.toObject();
  } catch {
    return { env: { PYTHONIOENCODING: "utf-8" } };
  }
  const caseInsensitive = Deno.build.os === "windows";
  const removed = new Set(REMOVED_ENV.map((name) => caseInsensitive ? name.toUpperCase() : name));
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(current)) {
    if (!removed.has(caseInsensitive ? name.toUpperCase() : name)) env[name] = value;
  }
  env.PYTHONIOENCODING = "utf-8";
  return { env, clearEnv: true };
}

function spawnErrorText(exe: string, error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "no such file";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied (not an executable file?)";
  if (error instanceof Deno.errors.NotCapable) return "mkvenv lacks permission to run subprocesses (--allow-run)";
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(`Failed to spawn '${exe}': `, "");
}

/** Reads a stream to its end (keeping at most `limit` bytes) or until `signal` aborts; decodes it as UTF-8. */
async function drain(stream: ReadableStream<Uint8Array>, limit: number, signal: AbortSignal): Promise<string> {
  const reader = stream.getReader();
  const stop = (): void => {
    reader.cancel().catch(() => {});
  };
  if (signal.aborted) stop();
  else signal.addEventListener("abort", stop, { once: true });
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (size < limit) {
        const kept = value.subarray(0, limit - size);
        chunks.push(kept);
        size += kept.length;
      }
    }
  } catch {
    // The stream broke (cancelled or the pipe failed): keep what arrived.
  } finally {
    signal.removeEventListener("abort", stop);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return new TextDecoder().decode(bytes);
}

/** The informative line of stderr: the first non-empty one, or a traceback's last line (the exception). */
function stderrSummary(stderr: string): string {
  const lines = stderr.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "");
  const first = lines[0];
  if (first === undefined) return "";
  const line = first.startsWith("Traceback (most recent call last)") ? lines[lines.length - 1] ?? first : first;
  return excerpt(line);
}

function excerpt(text: string): string {
  const oneLine = text.replace(/\s+/g, " ");
  return oneLine.length > EXCERPT_LENGTH ? `${oneLine.slice(0, EXCERPT_LENGTH)}...` : oneLine;
}
