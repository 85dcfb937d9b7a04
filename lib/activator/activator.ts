/**
 * Activators write the scripts that activate an environment in one shell each. An activator is a value: a name, a
 * predicate saying whether it exists on a platform, and a pure function returning the write operations. Each shell
 * language's module holds its quoting function: every value placed in a template is quoted for that language, so a
 * destination or prompt holding `$(...)`, quotes or newlines shows up as itself and runs nothing.
 *
 * @module
 */
import type { VenvLayout } from "../creator/creator.ts";
import type { WriteOp } from "../plan/ops.ts";
import type { Platform } from "../platform.ts";

/** What activators need to know about the environment being made. */
export interface ActivatorInput {
  /** Where things are in the environment (absolute paths). */
  readonly layout: VenvLayout;
  /** The OS the environment is for. */
  readonly platform: Platform;
  /** The prompt the user chose (`.` already replaced by the folder's name), or undefined for the default. */
  readonly prompt: string | undefined;
  /** The base interpreter's own Tcl script library, to point `TCL_LIBRARY` at, if it has one. */
  readonly tclLibrary: string | undefined;
  /** The base interpreter's own Tk script library, to point `TK_LIBRARY` at, if it has one. */
  readonly tkLibrary: string | undefined;
}

/** One shell's activation scripts. */
export interface Activator {
  /** The name `--activators` takes (virtualenv's names: `bash`, `cshell`, `fish`, ...). */
  readonly name: string;
  /** The files it writes into the environment's bin folder. */
  readonly files: readonly string[];
  /** Whether it belongs in environments for `platform` (cmd only on Windows, csh nowhere else). */
  supports(platform: Platform): boolean;
  /** The operations that write its scripts. */
  plan(input: ActivatorInput): WriteOp[];
}

/** The values templates place, before quoting: placeholder → text. */
export type TemplateValues = Readonly<Record<string, string>>;

/** A placeholder: two underscores, capitals, digits and underscores, two underscores. */
const PLACEHOLDER = /__[A-Z][A-Z0-9_]*?__/g;

/**
 * Fills a template's placeholders with their values, each passed through `quote`. One pass over the template: a
 * value that itself looks like a placeholder (a folder named `__BIN_NAME__`) is never replaced again. A placeholder
 * without a value is an error in mkvenv, not the user's, so it throws.
 */
export function renderTemplate(
  template: string,
  values: TemplateValues,
  quote: (value: string) => string,
): string {
  return template.replace(PLACEHOLDER, (name) => {
    const value = values[name];
    if (value === undefined) throw new Error(`template placeholder ${name} has no value`);
    return quote(value);
  });
}

/** The placeholders a template uses, in order of first use. */
export function templatePlaceholders(template: string): string[] {
  return [...new Set(template.match(PLACEHOLDER) ?? [])];
}

/**
 * The values every shell's template may use: the environment's path, the prompt (empty for the default, the
 * folder's name at activation time), the bin folder's name, the PATH list separator and the Tcl/Tk libraries
 * (empty when the base interpreter has none of its own).
 */
export function commonValues(input: ActivatorInput): Record<string, string> {
  const p = input.platform.path;
  return {
    __VIRTUAL_ENV__: input.layout.dest,
    __VIRTUAL_PROMPT__: input.prompt ?? "",
    __BIN_NAME__: p.relative(input.layout.dest, input.layout.binDir),
    __PATH_SEP__: input.platform.pathListSeparator,
    __TCL_LIBRARY__: input.tclLibrary ?? "",
    __TK_LIBRARY__: input.tkLibrary ?? "",
  };
}

/** The prompt a script shows when it cannot work it out at activation time: the user's, else the folder's name. */
export function fixedPrompt(input: ActivatorInput): string {
  return input.prompt ?? input.platform.path.basename(input.layout.dest);
}

/** Options for {@linkcode scriptOp}. */
export interface ScriptOptions {
  /** Line ends: cmd wants CRLF. @default {"\n"} */
  readonly lineEnd?: "\n" | "\r\n" | undefined;
  /** Start with a UTF-8 byte-order mark (PowerShell 5 reads BOM-less scripts in the ANSI code page). */
  readonly bom?: boolean | undefined;
}

/** The write operation for one rendered script in the bin folder. */
export function scriptOp(input: ActivatorInput, file: string, text: string, options: ScriptOptions = {}): WriteOp {
  let content = options.lineEnd === "\r\n" ? text.replace(/\r?\n/g, "\r\n") : text;
  if (options.bom) content = `\uFEFF${content}`;
  return { op: "write", path: input.platform.path.join(input.layout.binDir, file), content };
}
