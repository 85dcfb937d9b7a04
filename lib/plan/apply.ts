/**
 * The executor: applies a {@linkcode Plan} to the file system. It is the only code that writes into a destination,
 * and it refuses any operation outside the plan's root.
 *
 * @module
 */
import { hostPath as path, type PathModule } from "../path.ts";
import { replaceAtomicallySync } from "../app_data.ts";
import { MkvenvError } from "../errors.ts";
import type { Plan, PlanOp } from "./ops.ts";

/** Whether `child` is `root` or lies inside it (both absolute). `..` segments are folded before comparing. */
export function isInside(root: string, child: string, p: PathModule = path): boolean {
  const r = p.normalize(root), c = p.normalize(child);
  const base = r.endsWith(p.sep) ? r : r + p.sep;
  return c === r || c.startsWith(base) || (p.sep === "\\" && (c.toLowerCase() === r.toLowerCase() ||
    c.toLowerCase().startsWith(base.toLowerCase())));
}

function applyOp(op: PlanOp): void {
  switch (op.op) {
    case "mkdir":
      Deno.mkdirSync(op.path, { recursive: true });
      return;
    case "symlink":
      try {
        Deno.symlinkSync(op.target, op.path);
      } catch (e) {
        if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
        if (!op.ifAbsent) replaceAtomicallySync(op.path, (temp) => Deno.symlinkSync(op.target, temp));
      }
      return;
    case "copy":
      try {
        // Through a temporary name: copying over a link would write into the link's target, outside the root.
        replaceAtomicallySync(op.path, (temp) => Deno.copyFileSync(op.source, temp));
      } catch (e) {
        if (op.optional && e instanceof Deno.errors.NotFound) return;
        throw e;
      }
      if (op.mode !== undefined && Deno.build.os !== "windows") Deno.chmodSync(op.path, op.mode);
      return;
    case "write": {
      const data = typeof op.content === "string" ? new TextEncoder().encode(op.content) : op.content;
      const mode = op.mode ?? 0o644;
      if (op.ifAbsent) {
        try {
          Deno.writeFileSync(op.path, data, { createNew: true, mode });
        } catch (e) {
          if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
        }
        return;
      }
      try {
        Deno.writeFileSync(op.path, data, { createNew: true, mode });
      } catch (e) {
        if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
        // Never write through a link a previous run or the user left there.
        replaceAtomicallySync(op.path, (temp) => Deno.writeFileSync(temp, data, { mode }));
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

function lstatOrUndefined(file: string): Deno.FileInfo | undefined {
  try {
    return Deno.lstatSync(file);
  } catch {
    return undefined;
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

  /** Throws if `dir`, or any folder between the root and it, is a symbolic link. */
  assertNoLinkedFolder(dir: string): void {
    const parts = path.relative(this.#root, dir).split(path.sep).filter(Boolean);
    let current = this.#root;
    for (const part of parts) {
      current = path.join(current, part);
      if (this.#checked.has(current)) continue;
      const info = lstatOrUndefined(current);
      if (!info) return; // missing: our own mkdir makes it a real folder
      if (info.isSymlink) {
        throw new MkvenvError(`Refusing to write below "${current}": it is a symbolic link inside the destination`, {
          hint: "remove the link (or use --clear) so mkvenv does not write where it points",
        });
      }
      this.#checked.add(current);
    }
  }
}

/** Turns a file-system error into a message that names the path and says what to do. */
function explain(op: PlanOp, error: unknown): MkvenvError {
  const reason = error instanceof Deno.errors.PermissionDenied
    ? "permission denied"
    : error instanceof Error
    ? error.message.replace(/:.*$/s, "")
    : String(error);
  const verb =
    { mkdir: "create folder", symlink: "create link", copy: "copy to", write: "write", clear: "empty" }[op.op];
  return new MkvenvError(`Cannot ${verb} "${op.path}": ${reason}`, {
    hint: error instanceof Deno.errors.PermissionDenied
      ? "choose a destination in a folder you can write to, or fix its permissions"
      : undefined,
    cause: error,
  });
}

/**
 * Applies every operation of `plan` in order. Throws a {@linkcode MkvenvError} naming the failing path; refuses
 * (with a plain Error, as that is a planner bug) any operation outside `plan.root`.
 */
export function applyPlan(plan: Plan): void {
  // In a destination that existed before, a folder may be a link leading out of it; a new one holds only our folders.
  const linkCheck = lstatOrUndefined(plan.root) ? new LinkCheck(plan.root) : undefined;
  for (const op of plan.ops) {
    if (!isInside(plan.root, op.path)) throw new Error(`Refusing to ${op.op} "${op.path}": outside "${plan.root}"`);
    linkCheck?.assertNoLinkedFolder(op.op === "mkdir" ? op.path : path.dirname(op.path));
    try {
      applyOp(op);
    } catch (e) {
      throw explain(op, e);
    }
  }
}
