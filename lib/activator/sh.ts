/**
 * `activate` for POSIX shells (sh, dash, bash, zsh, ksh, mksh), virtualenv's `bash` activator.
 *
 * @module
 */
import { type Activator, commonValues, renderTemplate, scriptOp } from "./activator.ts";
import { ACTIVATE_SH } from "./templates.gen.ts";

/**
 * Quotes a string for POSIX shells: single quotes, inside which nothing is special, with each `'` written as
 * `'\''`. Newlines and non-ASCII text stay as they are.
 */
export function quoteSh(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The POSIX shells' activator (`source bin/activate`). */
export const bashActivator: Activator = {
  name: "bash",
  files: ["activate"],
  supports: () => true,
  plan: (input) => [scriptOp(input, "activate", renderTemplate(ACTIVATE_SH, commonValues(input), quoteSh))],
};
