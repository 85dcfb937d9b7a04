/**
 * `activate.nu` for nushell, an overlay module (`overlay use bin/activate.nu`).
 *
 * @module
 */
import { type Activator, commonValues, renderTemplate, scriptOp } from "./activator.ts";
import { ACTIVATE_NU } from "./templates.gen.ts";

/**
 * Quotes a string for nushell as a raw string, `r#'...'#`, inside which nothing is special. It closes at `'`
 * followed by as many `#` as it opened with, so it opens with one more `#` than the longest run of `#` in the
 * value.
 */
export function quoteNu(value: string): string {
  const longest = Math.max(0, ...(value.match(/#+/g) ?? []).map((run) => run.length));
  const hashes = "#".repeat(longest + 1);
  return `r${hashes}'${value}'${hashes}`;
}

/** The nushell activator (`overlay use bin/activate.nu`). */
export const nushellActivator: Activator = {
  name: "nushell",
  files: ["activate.nu"],
  supports: () => true,
  plan: (input) => [scriptOp(input, "activate.nu", renderTemplate(ACTIVATE_NU, commonValues(input), quoteNu))],
};
