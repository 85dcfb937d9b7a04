/**
 * Renders a {@linkcode Plan} as text, one line per operation, for `--dry-run` and debug output.
 *
 * @module
 */
import type { Plan, PlanOp } from "./ops.ts";

function mode(m: number | undefined): string {
  return m === undefined ? "" : ` (mode ${m.toString(8).padStart(4, "0")})`;
}

/** One line describing an operation. */
export function renderOp(op: PlanOp): string {
  switch (op.op) {
    case "mkdir":
      return `mkdir   ${op.path}`;
    case "symlink":
      return `symlink ${op.path} -> ${op.target}${op.ifAbsent ? " (if absent)" : ""}` +
        `${op.optional ? " (where links work)" : ""}`;
    case "copy":
      return `copy    ${op.path} <- ${op.source}${op.tree ? " (folder)" : ""}${mode(op.mode)}` +
        `${op.optional ? " (if present)" : ""}${op.rewriteDylib ? ` (library ${op.rewriteDylib.to})` : ""}` +
        `${op.adhocSign ? " (re-signed)" : ""}`;
    case "write": {
      const size = typeof op.content === "string" ? new TextEncoder().encode(op.content).length : op.content.length;
      const executable = op.mode === undefined && op.executable ? " (executable)" : "";
      return `write   ${op.path} (${size} bytes)${mode(op.mode)}${executable}${op.ifAbsent ? " (if absent)" : ""}`;
    }
    case "clear":
      return `clear   ${op.path}`;
    case "remove":
      return `remove  ${op.path}${op.recursive ? " (folder)" : ""}`;
    case "run":
      return `run     ${op.argv.join(" ")}`;
    case "installTree":
      return `install ${op.path} <- ${op.source} (${op.files.length} files, ${
        op.link === "hardlink" ? "hard links" : "copies"
      })`;
    case "mergeCfg":
      return `write   ${op.path} (merged: ${op.entries.map(([key]) => key).join(", ")})`;
  }
}

/** The whole plan, one line per operation. */
export function renderPlan(plan: Plan): string {
  return plan.ops.map(renderOp).join("\n");
}
