/**
 * The executor: applies a {@linkcode Plan} to the file system. It is the only code that writes into a destination,
 * and it refuses any operation outside the plan's root.
 *
 * @module
 */
import { hostPath as path, type PathModule } from "../path.ts";
import { isAbandonedTemporary, lstatOrUndefined, removeStaleEntries, replaceAtomicallySync } from "../app_data.ts";
import { rewriteDylibReference } from "../creator/macho.ts";
import { parsePyvenvCfg, renderPyvenvCfg } from "../creator/pyvenv_cfg.ts";
import { checkpoint, slowWorkAhead } from "../deadline.ts";
import { MkvenvError } from "../errors.ts";
import type { CopyOp, InstallTreeOp, MergeCfgOp, Plan, PlanOp, RunOp } from "./ops.ts";

/**
 * The file system cannot hold symbolic links (FAT, some network shares, Windows without the privilege). The caller
 * may plan again with copies.
 */
export class SymlinkUnsupportedError extends MkvenvError {
  /** Creates the error for the link that could not be made. */
  constructor(linkPath: string, cause: unknown) {
    super(`Cannot create link "${linkPath}": the file system does not support symbolic links`, {
      hint: "use --copies",
      cause,
    });
    this.name = "SymlinkUnsupportedError";
  }
}

/**
 * A file an `installTree` operation names is missing from the folder it installs from: an app-data image damaged
 * after it was built (a partial clean-up or restore of the cache). The caller may build the image again.
 */
export class InstallSourceMissingError extends MkvenvError {
  /** The folder the operation installs from. */
  readonly source: string;
  /** The missing file, relative to {@linkcode source} (`/`-separated). */
  readonly file: string;

  /** Creates the error for `file`, missing from `source` while installing into `target`. */
  constructor(target: string, source: string, file: string, cause: unknown) {
    super(`Cannot install into "${target}": "${file}" is missing from "${source}"`, {
      hint: "the folder changed after the plan was made from it; make it again, then run mkvenv again",
      cause,
    });
    this.name = "InstallSourceMissingError";
    this.source = source;
    this.file = file;
  }
}

/** Whether a failed symlink() means "this file system cannot do links" rather than "not allowed here". */
function linksUnsupported(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  // EPERM from symlink(2) means the file system has no links (EACCES is the permission case); 1314 is Windows'
  // "a required privilege is not held by the client".
  return code === "EPERM" || code === "ENOTSUP" || code === "EOPNOTSUPP" || code === "ENOSYS" ||
    (error instanceof Error && error.message.includes("(os error 1314)"));
}

/** What applying a plan reported besides success. */
export interface ApplyOutcome {
  /** Problems that did not stop the run (an ad-hoc signature that failed, ...). */
  readonly warnings: readonly string[];
  /** For each `installTree` operation (by path): whether it hard-linked or copied. */
  readonly installedVia: ReadonlyMap<string, "hardlink" | "copy">;
}

/** Whether `child` is `root` or lies inside it (both absolute). `..` segments are folded before comparing. */
export function isInside(root: string, child: string, p: PathModule = path): boolean {
  const r = p.normalize(root), c = p.normalize(child);
  const base = r.endsWith(p.sep) ? r : r + p.sep;
  return c === r || c.startsWith(base) || (p.sep === "\\" && (c.toLowerCase() === r.toLowerCase() ||
    c.toLowerCase().startsWith(base.toLowerCase())));
}

/**
 * Copies a folder's content into `to` (made if missing, merged into if present); links are recreated as links and
 * files replaced through a temporary name, so nothing is written through a link already there.
 */
function copyTree(from: string, to: string): void {
  const existing = lstatOrUndefined(to);
  if (!existing) Deno.mkdirSync(to);
  else if (!existing.isDirectory) throw new Error(`"${to}" is not a folder`);
  for (const entry of Deno.readDirSync(from)) {
    const source = path.join(from, entry.name), target = path.join(to, entry.name);
    if (entry.isDirectory) copyTree(source, target);
    else if (entry.isSymlink) {
      replaceAtomicallySync(target, (temp) => Deno.symlinkSync(Deno.readLinkSync(source), temp));
    } else replaceAtomicallySync(target, (temp) => Deno.copyFileSync(source, temp));
  }
}

function applyCopy(op: CopyOp, warnings: string[]): void {
  if (op.tree) {
    // A folder already there may hold files that are not ours: copy into it, never delete it.
    const existing = lstatOrUndefined(op.path);
    if (existing && !existing.isDirectory) Deno.removeSync(op.path);
    try {
      copyTree(op.source, op.path);
    } catch (e) {
      if (op.optional && e instanceof Deno.errors.NotFound && !lstatOrUndefined(op.source)) return;
      throw e;
    }
    return;
  }
  try {
    // Through a temporary name: copying over a link would write into the link's target, outside the root.
    replaceAtomicallySync(op.path, (temp) => {
      Deno.copyFileSync(op.source, temp);
      if (op.rewriteDylib) {
        const image = Deno.readFileSync(temp);
        if (rewriteDylibReference(image, op.rewriteDylib.from, op.rewriteDylib.to) > 0) Deno.writeFileSync(temp, image);
      }
    });
  } catch (e) {
    if (op.optional && e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  if (op.mode !== undefined && Deno.build.os !== "windows") Deno.chmodSync(op.path, op.mode);
  if (op.adhocSign) {
    // Only macOS can sign; a plan made elsewhere for macOS keeps the copy unsigned, and says so.
    try {
      const out = new Deno.Command("codesign", { args: ["--force", "--sign", "-", op.path], stdout: "null" })
        .outputSync();
      if (!out.success) warnings.push(`Could not ad-hoc re-sign ${op.path}: ${new TextDecoder().decode(out.stderr)}`);
    } catch (e) {
      warnings.push(`Could not ad-hoc re-sign ${op.path}: ${e instanceof Error ? e.message : e}`);
    }
  }
}

/** Error codes of link(2) meaning "not here" (another file system, no hard links, too many links), not a fault. */
const NO_HARDLINK = new Set(["EXDEV", "EPERM", "ENOTSUP", "EOPNOTSUPP", "EMLINK", "ENOSYS"]);

function applyInstallTree(op: InstallTreeOp, ownsProcess: boolean, existing: boolean): "hardlink" | "copy" {
  let link = op.link === "hardlink";
  // Hundreds of files per seed: plain concatenation, since image manifests hold only checked relative "/" paths.
  const sep = path.sep, targetRoot = op.path + sep;
  const native = sep === "/" ? (rel: string): string => rel : (rel: string): string => rel.replaceAll("/", sep);
  // Folders made from inside the target and files linked from inside the image: the kernel then resolves each name
  // from there instead of walking its whole path again, about a millisecond on pip's 900 files.
  const cwd = ownsProcess && path.isAbsolute(op.path) ? currentDirectory() : undefined;
  // Only folders that were there before (a rerun's; a previous install is removed first) can hold a killed run's
  // temporaries: site-packages itself and the tree's top-level folders found in it.
  const leftoverRoots = existing
    ? [...new Set(op.dirs.map((d) => d.split("/")[0]!))].filter((d) => lstatOrUndefined(targetRoot + native(d)))
    : [];
  try {
    const dirRoot = cwd !== undefined && changeDirectory(op.path) ? "" : targetRoot;
    for (const dir of op.dirs) Deno.mkdirSync(dirRoot + native(dir), { recursive: true });
    const sourceRoot = cwd !== undefined && changeDirectory(op.source) ? "" : op.source + sep;
    let withBytecode: boolean | undefined;
    for (const file of op.files) {
      const rel = native(file), source = sourceRoot + rel, target = targetRoot + rel;
      try {
        if (link) {
          try {
            try {
              Deno.linkSync(source, target);
            } catch (e) {
              if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
              // Already this file (a rerun): rename(2) between two links of one file does nothing, temporary left.
              if (sameFile(source, target)) continue;
              replaceAtomicallySync(target, (temp) => Deno.linkSync(source, temp));
            }
            continue;
          } catch (e) {
            if (!NO_HARDLINK.has(String((e as { code?: unknown }).code))) throw e;
            link = false;
          }
        }
        withBytecode ??= op.files.some((f) => f.endsWith(".pyc"));
        replaceAtomicallySync(target, (temp) => {
          Deno.copyFileSync(source, temp);
          // The image's bytecode records its module's mtime: a copy keeps it, or Python finds every .pyc stale.
          if (withBytecode && rel.endsWith(".py")) {
            const { mtime } = Deno.statSync(source);
            if (mtime) Deno.utimeSync(temp, mtime, mtime);
          }
        });
      } catch (e) {
        if (e instanceof Deno.errors.NotFound && !lstatOrUndefined(source)) {
          throw new InstallSourceMissingError(op.path, op.source, file, e);
        }
        throw e;
      }
    }
  } finally {
    // The folder the process started in may be gone: then there is nothing to go back to.
    if (cwd !== undefined) changeDirectory(cwd);
  }
  // What a run killed while replacing these files left beside them.
  if (existing) {
    removeStaleEntries(op.path, isAbandonedTemporary, 0);
    for (const folder of treeFolders(op)) {
      const top = path.relative(op.path, folder).split(sep)[0]!;
      if (leftoverRoots.includes(top)) removeStaleEntries(folder, isAbandonedTemporary, 0);
    }
  }
  return link ? "hardlink" : "copy";
}

/** Whether `target` (not followed) is the very file `source` is: a hard link to it. */
function sameFile(source: string, target: string): boolean {
  const a = lstatOrUndefined(target), b = a && Deno.statSync(source);
  return a !== undefined && b !== undefined && a.ino !== null && a.ino === b.ino && a.dev === b.dev;
}

function currentDirectory(): string | undefined {
  try {
    return Deno.cwd();
  } catch {
    return undefined;
  }
}

/** Makes `dir` the working directory; false when it cannot be (missing, or not a folder). */
function changeDirectory(dir: string): boolean {
  try {
    Deno.chdir(dir);
    return true;
  } catch {
    return false;
  }
}

function applyMergeCfg(op: MergeCfgOp): void {
  let existing = new Map<string, string>();
  try {
    existing = parsePyvenvCfg(Deno.readTextFileSync(op.path));
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  const ours = new Set(op.entries.map(([key]) => key));
  const entries: [string, string][] = op.entries.map((
    [key, value],
  ) => [key, op.keepExisting.includes(key) ? existing.get(key) ?? value : value]);
  for (const [key, value] of existing) if (!ours.has(key)) entries.push([key, value]);
  const data = new TextEncoder().encode(renderPyvenvCfg(entries));
  replaceAtomicallySync(op.path, (temp) => Deno.writeFileSync(temp, data));
}

/** What operations report while a plan is applied. */
interface Outcome {
  readonly warnings: string[];
  readonly installedVia: Map<string, "hardlink" | "copy">;
  /** The mode the first `executable` write came to (the umask's, plus 0o555): the next ones are written with it. */
  executableMode?: number;
}

function applyOp(op: PlanOp, outcome: Outcome, ownsProcess: boolean, existing: boolean): void {
  const warnings = outcome.warnings;
  switch (op.op) {
    case "mkdir":
      Deno.mkdirSync(op.path, { recursive: true });
      return;
    case "symlink": {
      const link = (at: string): void => {
        try {
          Deno.symlinkSync(op.target, at);
        } catch (e) {
          throw linksUnsupported(e) ? new SymlinkUnsupportedError(op.path, e) : e;
        }
      };
      try {
        try {
          link(op.path);
        } catch (e) {
          if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
          if (!op.ifAbsent) replaceAtomicallySync(op.path, link);
        }
      } catch (e) {
        // lib64 is a convenience: where links are impossible it is simply not there.
        if (e instanceof SymlinkUnsupportedError && op.optional) return;
        throw e;
      }
      return;
    }
    case "copy":
      applyCopy(op, warnings);
      return;
    case "remove": {
      const info = lstatOrUndefined(op.path);
      if (!info) return;
      if (info.isDirectory && !op.recursive) {
        throw new Error(`"${op.path}" is a folder; only files and links are removed`);
      }
      Deno.removeSync(op.path, { recursive: info.isDirectory });
      return;
    }
    case "run":
      throw new Error("run operations are applied by applyRun");
    case "mergeCfg":
      applyMergeCfg(op);
      return;
    case "installTree":
      outcome.installedVia.set(op.path, applyInstallTree(op, ownsProcess, existing));
      return;
    case "write": {
      if (op.bestEffort) {
        try {
          applyOp({ ...op, bestEffort: false }, outcome, ownsProcess, existing);
        } catch (e) {
          warnings.push(`${explain(op, e).message}; continuing without it`);
        }
        return;
      }
      const data = typeof op.content === "string" ? new TextEncoder().encode(op.content) : op.content;
      // No mode: the umask decides, as for a file Python writes (Deno applies an explicit mode as it is).
      const known = op.mode ?? (op.executable ? outcome.executableMode : undefined);
      const mode = known === undefined ? {} : { mode: known };
      // distlib's set_executable_mode: what the umask gave, plus read and execute for everyone; worked out once.
      const executable = (file: string): void => {
        if (known === undefined && op.executable && Deno.build.os !== "windows") {
          outcome.executableMode = ((Deno.statSync(file).mode ?? 0o644) | 0o555) & 0o7777;
          Deno.chmodSync(file, outcome.executableMode);
        }
      };
      if (op.ifAbsent) {
        try {
          Deno.writeFileSync(op.path, data, { createNew: true, ...mode });
          executable(op.path);
        } catch (e) {
          if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
        }
        return;
      }
      try {
        Deno.writeFileSync(op.path, data, { createNew: true, ...mode });
        executable(op.path);
      } catch (e) {
        if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
        // Never write through a link a previous run or the user left there.
        replaceAtomicallySync(op.path, (temp) => {
          Deno.writeFileSync(temp, data, mode);
          executable(temp);
        });
      }
      return;
    }
    case "clear": {
      // pyvenv.cfg goes last: a clear cut short still leaves a folder that --clear recognises as an environment.
      const entries = [...Deno.readDirSync(op.path)].sort((a, b) =>
        Number(a.name === "pyvenv.cfg") - Number(b.name === "pyvenv.cfg")
      );
      for (const entry of entries) Deno.removeSync(path.join(op.path, entry.name), { recursive: entry.isDirectory });
      return;
    }
  }
}

/** Runs a program of the plan; an abort of `signal` kills it, and the run rejects with the signal's reason. */
async function applyRun(op: RunOp, signal: AbortSignal | undefined): Promise<void> {
  const [program, ...args] = op.argv;
  const out = await new Deno.Command(program!, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    ...(op.env ? { env: { ...op.env }, clearEnv: true } : {}),
    ...(signal ? { signal } : {}),
  }).output();
  signal?.throwIfAborted();
  if (!out.success) {
    const detail = new TextDecoder().decode(out.stderr).trim().split("\n").at(-1) ?? "";
    throw new MkvenvError(`${op.argv.join(" ")} failed with exit code ${out.code}${detail ? `: ${detail}` : ""}`, {
      hint: "run that command yourself to see the whole output, or use --creator builtin",
    });
  }
}

/**
 * Refuses to work below a symbolic link inside the root: `mkdir -p`, link creation and copies would follow it and
 * write wherever it points. Each folder is checked once per plan.
 */
class LinkCheck {
  readonly #root: string;
  readonly #checked = new Set<string>();

  constructor(root: string) {
    this.#root = root;
  }

  #leadsInside(link: string): boolean {
    try {
      return isInside(Deno.realPathSync(this.#root), Deno.realPathSync(link));
    } catch {
      return false; // dangling: whatever it names is not ours
    }
  }

  /** Throws if `dir`, or any folder between the root and it, is a symbolic link. */
  assertNoLinkedFolder(dir: string): void {
    const parts = path.relative(this.#root, dir).split(path.sep).filter(Boolean);
    let current = this.#root;
    for (const part of parts) {
      current = path.join(current, part);
      if (this.#checked.has(current)) continue;
      const info = lstatOrUndefined(current);
      if (!info) return; // missing: our own mkdir makes it a real folder
      // A link that stays inside the root (stdlib venv's lib64 -> lib) leads nowhere else; any other one might.
      if (info.isSymlink && !this.#leadsInside(current)) {
        throw new MkvenvError(
          `Refusing to write below "${current}": it is a symbolic link leading out of the destination`,
          { hint: "remove the link so mkvenv does not write where it points" },
        );
      }
      this.#checked.add(current);
    }
  }
}

/**
 * Every folder an `installTree` writes in: `mkdir -p` and link(2) follow a folder below site-packages that is a link
 * (a package's checkout linked into the environment) as readily as one above it.
 */
function treeFolders(op: InstallTreeOp): Set<string> {
  const folders = new Set([op.path]);
  for (const dir of op.dirs) folders.add(path.join(op.path, dir));
  for (const file of op.files) {
    const end = file.lastIndexOf("/");
    if (end > 0) folders.add(path.join(op.path, file.slice(0, end)));
  }
  return folders;
}

/** Turns a file-system error into a message that names the path and says what to do. */
function explain(op: PlanOp, error: unknown): MkvenvError {
  const reason = error instanceof Deno.errors.PermissionDenied
    ? "permission denied"
    : error instanceof Error
    ? error.message.replace(/:.*$/s, "")
    : String(error);
  const verb = {
    mkdir: "create folder",
    symlink: "create link",
    copy: "copy to",
    write: "write",
    clear: "empty",
    remove: "remove",
    run: "run a program in",
    mergeCfg: "write",
    installTree: "install into",
  }[op.op];
  return new MkvenvError(`Cannot ${verb} "${op.path}": ${reason}`, {
    hint: error instanceof Deno.errors.PermissionDenied
      ? "choose a destination in a folder you can write to, or fix its permissions"
      : error instanceof Deno.errors.NotCapable
      // Deno makes symbolic links only with unscoped grants, and environments hold some (lib64, the interpreter).
      ? "grant the program Deno's --allow-read and --allow-write, without a list of paths where links are made"
      : undefined,
    cause: error,
  });
}

/** Options for {@linkcode applyPlan}. */
export interface ApplyOptions {
  /**
   * Stops between operations, and kills a program the plan runs, when it aborts; the promise then rejects with its
   * reason. What was applied so far stays (the caller removes a destination it created). With a signal the executor
   * gives the event loop a turn every few milliseconds, so that a timer can abort it.
   */
  readonly signal?: AbortSignal | undefined;
  /**
   * The caller is the whole process (mkvenv's own executable): the executor may change the working directory while
   * it links an image's files, which makes each link cheaper, and changes it back before it goes on. Off for a
   * library call: another thread's relative path would meanwhile resolve from the wrong folder. @default {false}
   */
  readonly ownsProcess?: boolean | undefined;
}

/**
 * Applies every operation of `plan` in order. Rejects with a {@linkcode MkvenvError} naming the failing path (a
 * {@linkcode SymlinkUnsupportedError} when the file system cannot hold links); refuses (with a plain Error, as that
 * is a planner bug) any operation outside `plan.root` other than a `write` of a file listed in `plan.outside`.
 */
export async function applyPlan(plan: Plan, options: ApplyOptions = {}): Promise<ApplyOutcome> {
  const { signal } = options, ownsProcess = options.ownsProcess === true;
  // In a destination that existed before, a folder may be a link leading out of it; a new one holds only our folders.
  const linkCheck = lstatOrUndefined(plan.root) ? new LinkCheck(plan.root) : undefined;
  const outcome: Outcome = { warnings: [], installedVia: new Map() };
  const check = checkpoint(signal);
  for (const op of plan.ops) {
    const inside = isInside(plan.root, op.path);
    if (!inside && !(op.op === "write" && plan.outside?.includes(op.path))) {
      throw new Error(`Refusing to ${op.op} "${op.path}": outside "${plan.root}"`);
    }
    if (inside && linkCheck) {
      if (op.op === "installTree") { for (const folder of treeFolders(op)) linkCheck.assertNoLinkedFolder(folder); }
      else linkCheck.assertNoLinkedFolder(op.op === "mkdir" || op.op === "run" ? op.path : path.dirname(op.path));
    }
    await check();
    // A program (pip), or a tree copied file by file: long enough to be interrupted in.
    if (op.op === "run" || (op.op === "installTree" && op.link === "copy")) slowWorkAhead();
    try {
      if (op.op === "run") await applyRun(op, signal);
      else applyOp(op, outcome, ownsProcess, linkCheck !== undefined);
    } catch (e) {
      if (signal?.aborted) throw signal.reason;
      if (e instanceof MkvenvError) throw e;
      throw explain(op, e);
    }
  }
  return outcome;
}

/**
 * Removes a destination this run created, after a failure: the folder did not exist before, so everything in it is
 * ours. Best effort; the original error is what the user needs to see.
 */
export function discardCreated(root: string): void {
  try {
    Deno.removeSync(root, { recursive: true });
  } catch { /* nothing more to do */ }
}
