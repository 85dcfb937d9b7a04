/**
 * Option values written as text, in `VIRTUALENV_<NAME>` environment variables or `virtualenv.ini`: the names an
 * option answers to there, and the conversion of the text to the option's kind, as virtualenv's
 * `config/convert.py` does it.
 *
 * @module
 */
import type { OptionDef } from "../options.ts";

/** An option's value: flags are booleans, counts numbers, strings strings, lists string arrays. */
export type OptionValue = boolean | number | string | string[];

const TRUE = new Set(["1", "yes", "true", "on"]);
const FALSE = new Set(["0", "no", "false", "off"]);

/** `1`/`yes`/`true`/`on` and `0`/`no`/`false`/`off`, any case and surrounding blanks; anything else undefined. */
export function parseBool(text: string): boolean | undefined {
  const word = text.trim().toLowerCase();
  return TRUE.has(word) ? true : FALSE.has(word) ? false : undefined;
}

/** Whether a list item is (the start of) a PEP 440 specifier set such as `>=3.9` or `cpython~=3.12`. */
const SPECIFIER = /^[a-z]*\s*(===|==|!=|<=|>=|~=|<|>)/i;

/**
 * Splits a list value as virtualenv does: at line breaks when there are several lines, else at commas; then each
 * item at the path-list separator (`:` or `;`); items stripped, empty ones dropped, repeats dropped. Unlike
 * virtualenv, a comma inside a specifier set (`>=3.9,!=3.11.*`) does not split it.
 */
export function splitList(text: string, pathListSeparator: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  let items: string[];
  if (lines.length > 1) items = lines;
  else {
    items = [];
    for (const part of text.split(",")) {
      const previous = items.at(-1);
      if (previous !== undefined && SPECIFIER.test(previous.trim()) && SPECIFIER.test(part.trim())) {
        items[items.length - 1] = `${previous},${part}`;
      } else items.push(part);
    }
  }
  const out = items.flatMap((item) => item.split(pathListSeparator)).map((item) => item.trim()).filter((i) => i);
  return [...new Set(out)];
}

/** What converting a text gave: the value, nothing (an empty text), or why the text is no value of that kind. */
export type Converted = { readonly value: OptionValue } | { readonly empty: true } | { readonly invalid: string };

/**
 * Converts a text from an environment variable (`fromFile` false) or the config file (true) to the option's kind.
 * Empty texts are absent, except for a string option with {@linkcode OptionDef.emptyInFile} in the file.
 */
export function convertText(def: OptionDef, text: string, pathListSeparator: string, fromFile: boolean): Converted {
  if (def.kind === "list") {
    const list = splitList(text, pathListSeparator);
    return list.length ? { value: list } : { empty: true };
  }
  const trimmed = text.trim();
  if (def.kind === "string") {
    const value = fromFile ? trimmed : text;
    if (value === "" && !(fromFile && def.emptyInFile)) return { empty: true };
    return { value };
  }
  if (trimmed === "") return { empty: true };
  if (def.kind === "count") {
    return /^\d+$/.test(trimmed) ? { value: Number(trimmed) } : { invalid: "not a whole number" };
  }
  const bool = parseBool(trimmed);
  return bool === undefined ? { invalid: "not a boolean (1, yes, true, on or 0, no, false, off)" } : { value: bool };
}

/** Every name of an option as virtualenv's option strings list them: the short one first, then the long ones. */
function optionNames(def: OptionDef): string[] {
  return [...(def.short ? [def.short] : []), def.name, ...(def.aliases ?? [])];
}

/** The environment variables that set an option, in the order they are looked at: `VIRTUALENV_P`, `VIRTUALENV_PYTHON`. */
export function envVarNames(def: OptionDef): string[] {
  return optionNames(def).map((name) => `VIRTUALENV_${name.replaceAll("-", "_").toUpperCase()}`);
}

/** The config-file keys that set an option, in the order they are looked at: `p`, `python` (`-` is read as `_`). */
export function iniKeys(def: OptionDef): string[] {
  return optionNames(def).map((name) => name.replaceAll("-", "_").toLowerCase());
}
