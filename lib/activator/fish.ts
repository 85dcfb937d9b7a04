/**
 * `activate.fish` for fish.
 *
 * @module
 */
import { type Activator, commonValues, renderTemplate, scriptOp } from "./activator.ts";
import { ACTIVATE_FISH } from "./templates.gen.ts";

/**
 * Quotes a string for fish: single quotes, inside which only `\` and `'` are special, each escaped with a
 * backslash. Newlines and non-ASCII text stay as they are.
 */
export function quoteFish(value: string): string {
  return `'${value.replace(/[\\']/g, "\\$&")}'`;
}

/** The fish activator (`source bin/activate.fish`). */
export const fishActivator: Activator = {
  name: "fish",
  files: ["activate.fish"],
  supports: () => true,
  plan: (input) => [
    scriptOp(input, "activate.fish", renderTemplate(ACTIVATE_FISH, commonValues(input), quoteFish)),
  ],
};
