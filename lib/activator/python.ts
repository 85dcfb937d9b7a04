/**
 * `activate_this.py` (run inside Python with `runpy.run_path`) and `activate.xsh` for xonsh, whose scripts are
 * Python: both quote values as Python string literals.
 *
 * @module
 */
import { type Activator, type ActivatorInput, commonValues, renderTemplate, scriptOp } from "./activator.ts";
import { ACTIVATE_THIS_PY, ACTIVATE_XSH } from "./templates.gen.ts";

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  "\\": "\\\\",
  "'": "\\'",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

/**
 * Quotes a string as a Python string literal in single quotes: backslashes, quotes, line breaks and other control
 * characters are escaped, lone surrogates written as `\uXXXX`; other text, non-ASCII included, stays as it is.
 */
export function quotePython(value: string): string {
  let literal = "'";
  for (const char of value) {
    const code = char.codePointAt(0)!;
    const simple = SIMPLE_ESCAPES[char];
    if (simple !== undefined) literal += simple;
    else if (code < 0x20 || (code >= 0x7f && code < 0xa0)) literal += `\\x${code.toString(16).padStart(2, "0")}`;
    else if ((code >= 0xd800 && code <= 0xdfff) || code === 0x2028 || code === 0x2029) {
      literal += `\\u${code.toString(16).padStart(4, "0")}`;
    } else literal += char;
  }
  return `${literal}'`;
}

/** The site-packages folders relative to the bin folder, joined with the PATH separator (`activate_this.py`). */
function libFolders(input: ActivatorInput): string {
  const p = input.platform.path;
  const { binDir, purelib, platlib } = input.layout;
  return [...new Set([purelib, platlib])].map((lib) => p.relative(binDir, lib)).join(input.platform.pathListSeparator);
}

/** The activator for Python itself (`runpy.run_path("bin/activate_this.py")`). */
export const pythonActivator: Activator = {
  name: "python",
  files: ["activate_this.py"],
  supports: () => true,
  plan: (input) => [
    scriptOp(
      input,
      "activate_this.py",
      renderTemplate(ACTIVATE_THIS_PY, { ...commonValues(input), __LIB_FOLDERS__: libFolders(input) }, quotePython),
    ),
  ],
};

/** The xonsh activator (`source bin/activate.xsh`). */
export const xonshActivator: Activator = {
  name: "xonsh",
  files: ["activate.xsh"],
  supports: () => true,
  plan: (input) => [scriptOp(input, "activate.xsh", renderTemplate(ACTIVATE_XSH, commonValues(input), quotePython))],
};
