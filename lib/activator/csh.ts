/**
 * `activate.csh` and `deactivate.csh` for csh and tcsh, virtualenv's `cshell` activator (not on Windows).
 *
 * @module
 */
import { type Activator, commonValues, fixedPrompt, renderTemplate, scriptOp } from "./activator.ts";
import { ACTIVATE_CSH, DEACTIVATE_CSH } from "./templates.gen.ts";

/**
 * Quotes a string for csh: single quotes, with each `'` written as `'\''`. Inside them csh still substitutes
 * history on `!` and ends the word at a newline, so those get a backslash (`\!`, backslash-newline); every other
 * character, backslashes included, stays as it is. The value must then be used as `$name:q` outside double quotes.
 */
export function quoteCsh(value: string): string {
  return `'${value.replaceAll("'", `'\\''`).replaceAll("!", "\\!").replaceAll("\n", "\\\n")}'`;
}

/** A prompt prefix `(name) ` as tcsh's prompt shows it literally: `%`, `!` and `\` are its own sequences there. */
export function tcshPromptText(name: string): string {
  return `(${name.replace(/[\\%!]/g, (c) => (c === "%" ? "%%" : `\\${c}`))}) `;
}

/** A prompt prefix `(name) ` as csh's prompt shows it literally: `!` is the history number there. */
export function cshPromptText(name: string): string {
  return `(${name.replaceAll("!", "\\!")}) `;
}

/** The csh activator (`source bin/activate.csh`). */
export const cshellActivator: Activator = {
  name: "cshell",
  files: ["activate.csh", "deactivate.csh"],
  supports: (platform) => !platform.isWindows,
  plan: (input) => {
    const prompt = fixedPrompt(input);
    const values = {
      ...commonValues(input),
      // No relocation in csh (a sourced file cannot find itself), so the prompt is settled now.
      __VIRTUAL_PROMPT__: prompt,
      __PROMPT_TCSH__: tcshPromptText(prompt),
      __PROMPT_CSH__: cshPromptText(prompt),
      __DEACTIVATE_CSH__: input.platform.path.join(input.layout.binDir, "deactivate.csh"),
    };
    return [
      scriptOp(input, "activate.csh", renderTemplate(ACTIVATE_CSH, values, quoteCsh)),
      scriptOp(input, "deactivate.csh", renderTemplate(DEACTIVATE_CSH, values, quoteCsh)),
    ];
  },
};
