/**
 * A reader for `virtualenv.ini`: the subset of Python's `configparser` (default settings) that configuration files
 * use, hand-written so reading one costs no `node:` import.
 *
 * What it follows from `configparser`: `[section]` headers (names case-sensitive, `[DEFAULT]` values visible in every
 * section); `key = value` or `key: value` (the first `=` or `:` splits; keys are lower-cased, keys and values
 * stripped); full-line comments starting with `#` or `;` (also indented ones; no inline comments); continuation lines
 * indented deeper than their key, joined with newlines, blank lines inside kept and trailing ones dropped; a duplicate
 * section or key, a key before any section, or a line that is neither is an error. What it leaves out: `%`
 * interpolation (values are taken literally) and keys without a value.
 *
 * @module
 */

/** A parsed file: its sections, each mapping lower-cased keys to values, `[DEFAULT]` folded in. */
export interface IniFile {
  /** Sections by name (as written), each with its keys (lower-cased) and values. */
  readonly sections: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

/** A line `configparser` would refuse, with its 1-based number. */
export class IniParseError extends Error {
  /** The 1-based number of the offending line. */
  readonly line: number;

  /** An error at `line`. */
  constructor(message: string, line: number) {
    super(`line ${line}: ${message}`);
    this.name = "IniParseError";
    this.line = line;
  }
}

/** As `configparser`: anchored at the start only, the name running to the last `]`. */
const SECTION = /^\[(.+)\]/;
const OPTION = /^(.*?)\s*[=:]\s*(.*)$/;

/** Parses the text of an ini file (a leading byte-order mark is ignored). Throws {@linkcode IniParseError}. */
export function parseIni(text: string): IniFile {
  const sections = new Map<string, Map<string, string[]>>();
  const defaults = new Map<string, string[]>();
  let current: Map<string, string[]> | undefined;
  let key: string | undefined;
  let indent = Infinity;
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
  lines.forEach((raw, index) => {
    const number = index + 1;
    const value = raw.trim();
    const comment = value.startsWith("#") || value.startsWith(";");
    if (value === "" || comment) {
      // A blank line inside a value is kept (trailing ones are dropped at the end); a comment line is skipped.
      if (!comment && current && key !== undefined) current.get(key)!.push("");
      return;
    }
    const lineIndent = raw.length - raw.trimStart().length;
    if (current && key !== undefined && lineIndent > indent) {
      current.get(key)!.push(value);
      return;
    }
    indent = lineIndent;
    const header = SECTION.exec(value);
    if (header) {
      const name = header[1]!;
      if (name === "DEFAULT") current = defaults;
      else {
        if (sections.has(name)) throw new IniParseError(`section [${name}] appears twice`, number);
        current = new Map();
        sections.set(name, current);
      }
      key = undefined;
      return;
    }
    if (!current) throw new IniParseError(`"${value}" comes before any [section] header`, number);
    const option = OPTION.exec(value);
    if (!option || option[1] === "") {
      throw new IniParseError(`"${value}" is neither a [section] header nor a key = value line`, number);
    }
    key = option[1]!.toLowerCase();
    if (current.has(key)) throw new IniParseError(`key "${key}" appears twice in its section`, number);
    current.set(key, [option[2]!]);
  });
  const join = (parts: string[]): string => parts.join("\n").trimEnd();
  const result = new Map<string, ReadonlyMap<string, string>>();
  for (const [name, entries] of sections) {
    const merged = new Map<string, string>();
    for (const [k, parts] of defaults) merged.set(k, join(parts));
    for (const [k, parts] of entries) merged.set(k, join(parts));
    result.set(name, merged);
  }
  return { sections: result };
}
