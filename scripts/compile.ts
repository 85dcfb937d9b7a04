/**
 * Builds the single-file `mkvenv` executables with `deno compile`: one per target into `dist/`, named
 * `mkvenv-<target>` (`.exe` for Windows), plus `dist/SHA256SUMS` for the ones built.
 *
 * Usage: `deno task compile [--target TARGET ...] [--out-dir DIR] [--verbose]`
 *
 * - `--target` (repeatable): a target triple below, `host` (the one this Deno runs on) or `all` (the default).
 * - `--out-dir`: where the binaries go (default `dist/` in the repository).
 * - `--verbose`: show `deno compile`'s own output.
 *
 * Every binary is `cli.ts` with all permissions (`-A`), the V8 flags of scripts/v8_flags.ts, and everything it
 * needs inside it: the interrogation script, `_virtualenv.py` and the activation templates are TypeScript modules
 * (`*.gen.ts`, `deno task gen`), and the modules imported with `import("./literal.ts")` are found by `deno compile`
 * itself. Nothing is read from the source tree at run time, so no `--include` is needed.
 *
 * The runtime: `deno compile` downloads `denort` (Deno's runtime without its tooling) of its own version, for each
 * target, from dl.deno.land, and caches it in `DENO_DIR`. Where that host cannot be reached, a local denort is used
 * instead: `DENORT_BIN` names the one for the host target, `DENORT_BIN_<TARGET>` (upper case, `-` as `_`, e.g.
 * `DENORT_BIN_AARCH64_APPLE_DARWIN`) the one for any target. It must be the denort of this very Deno release
 * (`denort-<target>.zip` from the release's downloads). A target whose runtime cannot be had fails with one line
 * saying which and what to do; the other targets are still built. A binary built for the host target is run once
 * (`--version`) before it counts as built, which also catches a `DENORT_BIN` naming `deno` instead of `denort`.
 *
 * Exit status: 0 when every requested target was built, 1 when one failed, 2 for a usage mistake.
 *
 * @module
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { MKVENV_VERSION } from "../lib/version.ts";
import { V8_FLAGS } from "./v8_flags.ts";

/** The targets a release ships, in `deno compile --target` spelling. */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
] as const;

const ROOT = path.resolve(import.meta.dirname!, "..");
const ENTRY = path.join(ROOT, "cli.ts");
const DENO_VERSION = Deno.version.deno;
const HOST = Deno.build.target;
/** The folder relative paths are meant from: the caller's, which `deno task` (running in the root) keeps in INIT_CWD. */
const CALLER_CWD = Deno.env.get("INIT_CWD") ?? Deno.cwd();

/** The environment variable naming a local denort for `target`, e.g. `DENORT_BIN_AARCH64_APPLE_DARWIN`. */
export function targetVar(target: string): string {
  return `DENORT_BIN_${target.toUpperCase().replaceAll("-", "_")}`;
}

/** The local runtime for `target` and the variable it came from, when one is given. */
function localRuntime(target: string): { file: string; from: string } | undefined {
  const own = Deno.env.get(targetVar(target));
  if (own) return { file: own, from: targetVar(target) };
  const host = Deno.env.get("DENORT_BIN");
  if (host && target === HOST) return { file: host, from: "DENORT_BIN" };
  return undefined;
}

/** What to do when the runtime for `target` cannot be had: one sentence. */
function remedy(target: string): string {
  const names = target === HOST ? `DENORT_BIN (or ${targetVar(target)})` : targetVar(target);
  return `set ${names} to denort ${DENO_VERSION} for this target (denort-${target}.zip from the Deno release), ` +
    `or build where dl.deno.land is reachable, as the release workflow does`;
}

function isFile(file: string): boolean {
  try {
    return Deno.statSync(file).isFile;
  } catch {
    return false;
  }
}

function removeIfThere(file: string): void {
  try {
    Deno.removeSync(file);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}

/** The last cause of a Rust error chain (`    4: Connection refused (os error 111)`), else the `error:` line. */
function rootCause(output: string): string {
  output = output.split(/^Stack backtrace:/m)[0]!;
  const causes = [...output.matchAll(/^\s*\d+: (.+)$/gm)].map((m) => m[1]!.trim());
  const error = /^error: (.+)$/m.exec(output)?.[1]?.trim();
  return causes.at(-1) ?? error ?? (output.trim().split("\n")[0] || "no output");
}

/** Runs a freshly built host binary's `--version`; returns what is wrong with it, or undefined. */
async function smokeTest(binary: string): Promise<string | undefined> {
  const env: Record<string, string> = { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" };
  for (const name of ["HOME", "SYSTEMROOT", "TMPDIR", "TEMP", "TMP"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  const name = path.basename(binary);
  try {
    const out = await new Deno.Command(binary, {
      args: ["--version"],
      env,
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(60_000),
    }).output();
    const text = new TextDecoder().decode(out.stdout).trim();
    if (out.code === 0 && text === `mkvenv ${MKVENV_VERSION}`) return undefined;
    const shown = (text || new TextDecoder().decode(out.stderr).trim()).split("\n")[0];
    return `\`${name} --version\` printed "${shown}" (exit ${out.code}), not "mkvenv ${MKVENV_VERSION}"`;
  } catch (e) {
    return `\`${name} --version\` did not run: ${(e as Error).message}`;
  }
}

/**
 * Builds one target into `outDir`; returns the output file, or throws an Error whose message is the one line to
 * print.
 */
async function build(target: string, outDir: string, verbose: boolean): Promise<string> {
  const output = path.join(outDir, `mkvenv-${target}${target.includes("windows") ? ".exe" : ""}`);
  removeIfThere(output); // a failed build must not leave an older binary looking like this one
  const env = Deno.env.toObject();
  delete env["DENORT_BIN"]; // deno compile would embed it whatever the target
  delete env["RUST_BACKTRACE"];
  const local = localRuntime(target);
  if (local) {
    const file = path.resolve(CALLER_CWD, local.file);
    if (!isFile(file)) {
      throw new Error(`${target}: ${local.from} names ${local.file}, which is not a file; ${remedy(target)}`);
    }
    env["DENORT_BIN"] = file;
  }
  const args = [
    "compile",
    "-A",
    `--v8-flags=${V8_FLAGS}`,
    "--config",
    path.join(ROOT, "deno.json"),
    "--target",
    target,
    "-o",
    output,
    ENTRY,
  ];
  if (verbose) console.error(`$ ${[Deno.execPath(), ...args].join(" ")}${local ? ` (${local.from})` : ""}`);
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: { ...env, NO_COLOR: "1" },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (verbose) console.error(text.trimEnd());
  if (out.code !== 0) {
    removeIfThere(output);
    if (local && /denort at/i.test(text)) {
      throw new Error(
        `${target}: the runtime ${local.from} names cannot be read (${rootCause(text)}); ${remedy(target)}`,
      );
    }
    const url = /https?:\/\/\S*denort-[\w-]+\.zip/.exec(text)?.[0];
    if (url || /base binary/i.test(text)) {
      throw new Error(
        `${target}: deno compile could not download its runtime (${url ?? "denort"}: ${rootCause(text)}); ` +
          remedy(target),
      );
    }
    throw new Error(`${target}: deno compile failed: ${rootCause(text)} (run with --verbose for its output)`);
  }
  if (target === HOST) {
    const wrong = await smokeTest(output);
    if (wrong) {
      removeIfThere(output);
      const cause = local ? `${local.from}=${local.file} is not denort` : "the downloaded runtime does not run it";
      throw new Error(`${target}: the binary does not work: ${wrong}; ${cause}; ${remedy(target)}`);
    }
  }
  return output;
}

async function sha256(file: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(file));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function usage(message: string): never {
  console.error(`usage: deno task compile [--target TARGET|host|all ...] [--out-dir DIR] [--verbose]`);
  console.error(`error: ${message}`);
  Deno.exit(2);
}

/** The command: builds the targets `args` ask for and returns the exit status. */
export async function main(args: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: {
        target: { type: "string", multiple: true },
        "out-dir": { type: "string" },
        verbose: { type: "boolean", default: false },
      },
    });
  } catch (e) {
    usage((e as Error).message);
  }
  const { values } = parsed;
  const targets: string[] = [];
  for (const t of values.target ?? ["all"]) {
    for (const w of t === "all" ? [...TARGETS] : t === "host" ? [HOST] : [t]) {
      if (!(TARGETS as readonly string[]).includes(w)) {
        usage(`unknown target ${w}; the targets are host, all, ${TARGETS.join(", ")}`);
      }
      if (!targets.includes(w)) targets.push(w);
    }
  }
  const outDir = values["out-dir"] === undefined
    ? path.join(ROOT, "dist")
    : path.resolve(CALLER_CWD, values["out-dir"]);
  Deno.mkdirSync(outDir, { recursive: true });

  const built: string[] = [];
  let failed = 0;
  for (const target of targets) {
    try {
      const file = await build(target, outDir, values.verbose);
      built.push(file);
      const size = (Deno.statSync(file).size / 1024 / 1024).toFixed(1);
      console.log(`built ${path.relative(CALLER_CWD, file)} (${size} MiB)`);
    } catch (e) {
      failed++;
      console.error(`error: ${(e as Error).message}`);
    }
  }
  const sums = path.join(outDir, "SHA256SUMS");
  if (built.length > 0) {
    const lines = await Promise.all(built.map(async (f) => `${await sha256(f)}  ${path.basename(f)}\n`));
    Deno.writeTextFileSync(sums, lines.join(""));
  } else {
    removeIfThere(sums);
  }
  return failed > 0 ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
