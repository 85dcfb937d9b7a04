/**
 * `pyvenv.cfg`: the file that makes a folder a virtual environment. Written with virtualenv's keys in virtualenv's
 * order, so tools that read it (pre-commit, tox, IDEs, uv) find what they expect.
 *
 * @module
 */

/** Characters Python's `str.splitlines` treats as line breaks; each becomes a space so one value stays one line. */
// deno-lint-ignore no-control-regex -- these control characters are exactly what must not reach the file
const LINE_BREAKS = /[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/g;

/** Renders `key = value` lines. `prompt` is wrapped in double quotes, as virtualenv writes it. */
export function renderPyvenvCfg(entries: readonly (readonly [string, string])[]): string {
  return entries.map(([key, value]) => {
    const clean = value.replace(LINE_BREAKS, " ");
    return `${key.replace(LINE_BREAKS, " ")} = ${key === "prompt" ? `"${clean}"` : clean}\n`;
  }).join("");
}

/**
 * Parses `pyvenv.cfg` text the way virtualenv and CPython read it: split on the first `=`, strip, skip comments, and
 * unquote values wrapped in matching quotes.
 */
export function parsePyvenvCfg(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const eq = line.indexOf("=");
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim();
    if (!key || key.startsWith("#")) continue;
    let value = line.slice(eq + 1).trim();
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0]) {
      value = value.slice(1, -1);
    }
    out.set(key, value);
  }
  return out;
}
