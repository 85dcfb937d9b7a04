/**
 * `activate.ps1` for PowerShell (Windows PowerShell and PowerShell 7 on any OS).
 *
 * @module
 */
import { type Activator, commonValues, renderTemplate, scriptOp } from "./activator.ts";
import { ACTIVATE_PS1 } from "./templates.gen.ts";

/**
 * Quotes a string for PowerShell: single quotes, inside which nothing is expanded. PowerShell takes the curly
 * single quotes U+2018 to U+201B for `'` too, so each of those, like `'`, is doubled.
 */
export function quotePowerShell(value: string): string {
  return `'${value.replace(/['\u2018-\u201B]/g, "$&$&")}'`;
}

/** The PowerShell activator (`. bin/activate.ps1`), written with a byte-order mark. */
export const powershellActivator: Activator = {
  name: "powershell",
  files: ["activate.ps1"],
  supports: () => true,
  plan: (input) => [
    scriptOp(input, "activate.ps1", renderTemplate(ACTIVATE_PS1, commonValues(input), quotePowerShell), {
      bom: true,
    }),
  ],
};
