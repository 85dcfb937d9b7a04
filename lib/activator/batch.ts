/**
 * `activate.bat`, `deactivate.bat` and `pydoc.bat` for cmd (Windows only), with CRLF line ends.
 *
 * @module
 */
import { type Activator, commonValues, fixedPrompt, renderTemplate, scriptOp } from "./activator.ts";
import { ACTIVATE_BAT, DEACTIVATE_BAT, PYDOC_BAT } from "./templates.gen.ts";

/**
 * Escapes a string for the inside of a double-quoted `set "NAME=value"` in a batch file, where `& | < > ^ ( )` are
 * plain characters: `%` becomes `%%` (cmd expands it even there), a `"` (which would end the quotes and let the
 * rest run as commands) becomes `'`, and line breaks become spaces. No Windows path holds `"` or a line break, so
 * only a prompt changes. The template supplies the quotes. A `!` stays: cmd's delayed expansion, which would eat
 * it, is off unless the user turned it on.
 */
export function quoteBatch(value: string): string {
  return value.replace(/\r\n|[\r\n]/g, " ").replaceAll('"', "'").replaceAll("%", "%%");
}

/** A prompt prefix `(name) ` for cmd's PROMPT, where `$` starts a code and `$$` is a dollar sign. */
export function batchPromptText(name: string): string {
  return `(${name.replaceAll("$", "$$$$")}) `;
}

/** The cmd activator (`Scripts\activate.bat`). */
export const batchActivator: Activator = {
  name: "batch",
  files: ["activate.bat", "deactivate.bat", "pydoc.bat"],
  supports: (platform) => platform.isWindows,
  plan: (input) => {
    const prompt = fixedPrompt(input);
    // The environment's path is fixed in the script, so the prompt is settled now too.
    const values = { ...commonValues(input), __VIRTUAL_PROMPT__: prompt, __PROMPT_BATCH__: batchPromptText(prompt) };
    const crlf = { lineEnd: "\r\n" } as const;
    return [
      scriptOp(input, "activate.bat", renderTemplate(ACTIVATE_BAT, values, quoteBatch), crlf),
      scriptOp(input, "deactivate.bat", renderTemplate(DEACTIVATE_BAT, values, quoteBatch), crlf),
      scriptOp(input, "pydoc.bat", renderTemplate(PYDOC_BAT, values, quoteBatch), crlf),
    ];
  },
};
