/**
 * Configuration from `VIRTUALENV_*` environment variables and `virtualenv.ini`: the ini reader, value conversion,
 * the config file's place and state, and the precedence CLI > env var > file > default with its fixed quirks.
 */
import assert from "node:assert/strict";
import { IniParseError, parseIni } from "../../lib/config/ini.ts";
import { convertText, envVarNames, iniKeys, parseBool, splitList } from "../../lib/config/convert.ts";
import {
  configFileEpilog,
  defaultConfigFile,
  loadConfigFile,
  type ResolvedOptions,
  resolveOptions,
} from "../../lib/config/resolve.ts";
import { OPTIONS, parseCommandLine } from "../../lib/options.ts";

const def = (name: string) => OPTIONS.find((d) => d.name === name)!;

function section(text: string, name = "virtualenv"): Record<string, string> {
  return Object.fromEntries(parseIni(text).sections.get(name) ?? []);
}

Deno.test("parseIni() reads sections, both delimiters, comments and case-insensitive keys as configparser does", () => {
  const text = "\uFEFF# leading comment\n; another\n[virtualenv]\nPython = 3.12\nno_seed: true\n" +
    "  ; indented comment\nprompt = a = b: c ; not a comment\nempty =\n\n[other]\nx=1\n";
  assert.deepEqual(section(text), { python: "3.12", no_seed: "true", prompt: "a = b: c ; not a comment", empty: "" });
  assert.deepEqual(section(text, "other"), { x: "1" });
  assert.equal(parseIni(text).sections.get("Virtualenv"), undefined, "section names are case-sensitive");
});

Deno.test("parseIni() joins indented continuation lines, keeps inner blank lines and drops trailing ones", () => {
  const text = "[virtualenv]\nextra_search_dir =\n    /a\n    /b\n\n    /c\n\n\n  # comment inside\n    /d\n" +
    "python = 3.12\n  3.11\nclear = true\n";
  assert.deepEqual(section(text), {
    extra_search_dir: "\n/a\n/b\n\n/c\n\n\n/d",
    python: "3.12\n3.11",
    clear: "true",
  });
  // A line indented no deeper than its key starts a new key; a blank line at the end is dropped.
  assert.deepEqual(section("[virtualenv]\n  a = 1\n  b = 2\n    more\n\n"), { a: "1", b: "2\nmore" });
});

Deno.test("parseIni() gives [DEFAULT] values to every section, the section's own winning", () => {
  assert.deepEqual(section("[DEFAULT]\nclear = 1\nprompt = p\n[virtualenv]\nprompt = q\n"), {
    clear: "1",
    prompt: "q",
  });
});

Deno.test("parseIni() rejects what configparser rejects, naming the line", () => {
  const fails = (text: string, message: string) =>
    assert.throws(() => parseIni(text), (e: unknown) => e instanceof IniParseError && e.message === message);
  fails("python = 3\n", 'line 1: "python = 3" comes before any [section] header');
  fails("[virtualenv]\njust words\n", 'line 2: "just words" is neither a [section] header nor a key = value line');
  fails("[virtualenv]\n= value\n", 'line 2: "= value" is neither a [section] header nor a key = value line');
  fails("[virtualenv]\na = 1\n[virtualenv]\n", "line 3: section [virtualenv] appears twice");
  fails("[virtualenv]\nclear = 1\nCLEAR = 0\n", 'line 3: key "clear" appears twice in its section');
});

Deno.test("parseBool() takes 1/yes/true/on and 0/no/false/off in any case", () => {
  for (const yes of ["1", "yes", "TRUE", "On", " true "]) assert.equal(parseBool(yes), true, yes);
  for (const no of ["0", "no", "False", "OFF"]) assert.equal(parseBool(no), false, no);
  for (const bad of ["", "maybe", "2", "y"]) assert.equal(parseBool(bad), undefined, bad);
});

Deno.test("splitList() splits lines, else commas, then path separators; strips, drops empties and repeats", () => {
  assert.deepEqual(splitList("python3\npython2,python27", ":"), ["python3", "python2,python27"]);
  assert.deepEqual(splitList("3.12, 3.11,,3.12", ":"), ["3.12", "3.11"]);
  assert.deepEqual(splitList("/a:/b, /c", ":"), ["/a", "/b", "/c"]);
  assert.deepEqual(splitList("C:\\w;D:\\x", ";"), ["C:\\w", "D:\\x"]);
  assert.deepEqual(splitList("\n/a\n\n/b\n", ":"), ["/a", "/b"]);
  assert.deepEqual(splitList(" , ", ":"), []);
  // A specifier set keeps its commas (virtualenv would split it into two specs).
  assert.deepEqual(splitList(">=3.9,!=3.11.*,pypy3", ":"), [">=3.9,!=3.11.*", "pypy3"]);
  assert.deepEqual(splitList("cpython>=3.9,<3.13", ":"), ["cpython>=3.9,<3.13"]);
  assert.deepEqual(splitList("3.12,>=3.11", ":"), ["3.12", ">=3.11"]);
});

Deno.test("convertText() converts by the option's kind; empty texts are absent", () => {
  assert.deepEqual(convertText(def("clear"), "Yes", ":", false), { value: true });
  assert.deepEqual(convertText(def("clear"), "maybe", ":", false), {
    invalid: "not a boolean (1, yes, true, on or 0, no, false, off)",
  });
  assert.deepEqual(convertText(def("clear"), "", ":", false), { empty: true });
  assert.deepEqual(convertText(def("verbose"), "3", ":", false), { value: 3 });
  assert.deepEqual(convertText(def("verbose"), "-1", ":", false), { invalid: "not a whole number" });
  assert.deepEqual(convertText(def("python"), "3.12,3.11", ":", false), { value: ["3.12", "3.11"] });
  assert.deepEqual(convertText(def("python"), ",", ":", false), { empty: true });
  assert.deepEqual(convertText(def("prompt"), " x ", ":", false), { value: " x " }, "env values are not stripped");
  assert.deepEqual(convertText(def("prompt"), "", ":", true), { empty: true });
  assert.deepEqual(convertText(def("activators"), "", ":", true), { value: "" }, "activators = means none");
  assert.deepEqual(convertText(def("activators"), "", ":", false), { empty: true });
});

Deno.test("envVarNames() and iniKeys() cover every option string, the short one first", () => {
  assert.deepEqual(envVarNames(def("python")), ["VIRTUALENV_P", "VIRTUALENV_PYTHON"]);
  assert.deepEqual(envVarNames(def("copies")), ["VIRTUALENV_COPIES", "VIRTUALENV_ALWAYS_COPY"]);
  assert.deepEqual(envVarNames(def("no-download")), ["VIRTUALENV_NO_DOWNLOAD", "VIRTUALENV_NEVER_DOWNLOAD"]);
  assert.deepEqual(iniKeys(def("no-seed")), ["no_seed", "without_pip"]);
});

Deno.test("defaultConfigFile() is platformdirs' user_config_dir('virtualenv', 'pypa')/virtualenv.ini", () => {
  const env = (vars: Record<string, string>) => (name: string) => vars[name];
  assert.equal(defaultConfigFile("linux", env({ HOME: "/h" })), "/h/.config/virtualenv/virtualenv.ini");
  assert.equal(
    defaultConfigFile("linux", env({ HOME: "/h", XDG_CONFIG_HOME: "/x" })),
    "/x/virtualenv/virtualenv.ini",
  );
  assert.equal(
    defaultConfigFile("linux", env({ HOME: "/h", XDG_CONFIG_HOME: " " })),
    "/h/.config/virtualenv/virtualenv.ini",
  );
  assert.equal(
    defaultConfigFile("darwin", env({ HOME: "/Users/u" })),
    "/Users/u/Library/Application Support/virtualenv/virtualenv.ini",
  );
  assert.equal(
    defaultConfigFile("windows", env({ LOCALAPPDATA: "C:\\Users\\u\\AppData\\Local" })),
    "C:\\Users\\u\\AppData\\Local\\pypa\\virtualenv\\virtualenv.ini",
  );
  assert.equal(
    defaultConfigFile("windows", env({ USERPROFILE: "C:\\Users\\u" })),
    "C:\\Users\\u\\AppData\\Local\\pypa\\virtualenv\\virtualenv.ini",
  );
});

Deno.test("loadConfigFile() reports missing, active and failed files, and whether the env var chose it", () => {
  const env = (vars: Record<string, string>) => (name: string) => vars[name];
  const files: Record<string, string> = { "/h/.config/virtualenv/virtualenv.ini": "[virtualenv]\nNo-Seed = 1\n" };
  const read = (path: string) => {
    if (path === "/dir") throw new Error("Is a directory (os error 21)");
    return files[path];
  };
  let state = loadConfigFile("linux", env({ HOME: "/h" }), "/cwd", read);
  assert.deepEqual({ ...state, values: Object.fromEntries(state.values!) }, {
    path: "/h/.config/virtualenv/virtualenv.ini",
    viaEnv: false,
    state: "active",
    values: { no_seed: "1" },
  });
  assert.equal(configFileEpilog(state), `config file ${state.path} active (change via env var VIRTUALENV_CONFIG_FILE)`);
  state = loadConfigFile("linux", env({ HOME: "/h", VIRTUALENV_CONFIG_FILE: "rel.ini" }), "/cwd", read);
  assert.deepEqual(state, { path: "/cwd/rel.ini", viaEnv: true, state: "missing" });
  assert.equal(
    configFileEpilog(state),
    "config file /cwd/rel.ini missing (changed via env var VIRTUALENV_CONFIG_FILE)",
  );
  state = loadConfigFile("linux", env({ VIRTUALENV_CONFIG_FILE: "/dir" }), "/cwd", read);
  assert.deepEqual(state, {
    path: "/dir",
    viaEnv: true,
    state: "failed to parse",
    error: "Is a directory (os error 21)",
  });
  files["/bad.ini"] = "no section = here\n";
  state = loadConfigFile("linux", env({ VIRTUALENV_CONFIG_FILE: "/bad.ini" }), "/cwd", read);
  assert.equal(state.state, "failed to parse");
  assert.equal(state.error, 'line 1: "no section = here" comes before any [section] header');
  state = loadConfigFile("linux", env({ HOME: "/h", VIRTUALENV_CONFIG_FILE: "" }), "/cwd", read);
  assert.equal(state.viaEnv, false, "an empty VIRTUALENV_CONFIG_FILE is ignored");
});

/** Resolves `argv` with environment variables `env` and, when given, `ini` as the config file. */
function resolve(argv: string[], env: Record<string, string> = {}, ini?: string): ResolvedOptions {
  return resolveOptions(parseCommandLine(argv), {
    env: (name) => ({ HOME: "/h", ...env })[name],
    os: "linux",
    cwd: "/cwd",
    readTextFile: (path) => path === "/h/.config/virtualenv/virtualenv.ini" ? ini : undefined,
  });
}

Deno.test("resolveOptions(): CLI beats env var beats file beats default, and each value says where it came from", () => {
  const ini = "[virtualenv]\npython = 3.10\nprompt = from-file\nclear = true\nno_vcs_ignore = yes\n";
  const r = resolve(["env", "--prompt", "cli"], { VIRTUALENV_PYTHON: "3.11", VIRTUALENV_CLEAR: "off" }, ini);
  assert.deepEqual(r.values, {
    prompt: "cli",
    python: ["3.11"],
    clear: false,
    "no-vcs-ignore": true,
  });
  assert.deepEqual(r.sources, {
    prompt: { value: "cli", source: "cli" },
    python: { value: ["3.11"], source: "env var", key: "VIRTUALENV_PYTHON" },
    clear: { value: false, source: "env var", key: "VIRTUALENV_CLEAR" },
    "no-vcs-ignore": { value: true, source: "file", key: "no_vcs_ignore" },
  });
  assert.deepEqual(r.positionals, ["env"]);
  assert.equal(r.configFile.state, "active");
  assert.deepEqual(r.warnings, []);
});

Deno.test("resolveOptions(): -p on the command line replaces the file's and the env var's python", () => {
  // virtualenv appends -p to the file's list, so the file's interpreter wins; here the command line does.
  const r = resolve(
    ["env", "-p", "/abs/python3.12", "-p", "/abs/python3.12"],
    { VIRTUALENV_P: "3.9" },
    "[virtualenv]\npython = 3.11\n",
  );
  assert.deepEqual(r.values["python"], ["/abs/python3.12"], "and without repeats");
  assert.deepEqual(resolve(["env"], {}, "[virtualenv]\npython = 3.11\n  3.10\n").values["python"], ["3.11", "3.10"]);
});

Deno.test("resolveOptions(): every alias and the short name work as env vars and keys, the first named winning", () => {
  assert.deepEqual(resolve(["e"], { VIRTUALENV_P: "3.12", VIRTUALENV_PYTHON: "3.11" }).sources["python"], {
    value: ["3.12"],
    source: "env var",
    key: "VIRTUALENV_P",
  });
  assert.equal(resolve(["e"], { VIRTUALENV_ALWAYS_COPY: "1" }).values["copies"], true);
  assert.equal(resolve(["e"], { VIRTUALENV_WITHOUT_PIP: "1" }).values["no-seed"], true);
  assert.equal(resolve(["e"], { VIRTUALENV_NEVER_DOWNLOAD: "1" }).values["no-download"], true);
  assert.equal(resolve(["e"], { VIRTUALENV_NO_DOWNLOAD: "true" }).values["no-download"], true);
  assert.equal(resolve(["e"], {}, "[virtualenv]\nalways-copy = 1\n").values["copies"], true);
  assert.equal(resolve(["e"], {}, "[virtualenv]\np = 3.8\n").sources["python"]?.key, "p");
});

Deno.test("resolveOptions(): empty env vars are ignored, bad values warn and fall through", () => {
  let r = resolve(
    ["e"],
    { VIRTUALENV_PROMPT: "", VIRTUALENV_NO_SEED: "maybe", VIRTUALENV_VERBOSE: "x" },
    "[virtualenv]\nprompt = p\nno_seed = 1\n",
  );
  assert.equal(r.values["prompt"], "p");
  assert.equal(r.values["no-seed"], true);
  assert.equal(r.values["verbose"], undefined);
  assert.deepEqual(r.warnings, [
    'ignored env var VIRTUALENV_VERBOSE: "x" is not a whole number',
    'ignored env var VIRTUALENV_NO_SEED: "maybe" is not a boolean (1, yes, true, on or 0, no, false, off)',
  ]);
  r = resolve(["e"], {}, "[virtualenv]\nclear = sure\n");
  assert.deepEqual(r.warnings, [
    'ignored clear in config file /h/.config/virtualenv/virtualenv.ini: "sure" is not a boolean (1, yes, true, on or ' +
    "0, no, false, off)",
  ]);
  r = resolve(["e"], {}, "[virtualenv\n");
  assert.equal(r.configFile.state, "failed to parse");
  assert.deepEqual(r.warnings, [
    'failed to read config file /h/.config/virtualenv/virtualenv.ini because line 1: "[virtualenv" comes before any ' +
    "[section] header",
  ]);
});

Deno.test("resolveOptions(): the tri-state .venv redirect and symlinks/copies follow virtualenv's rules", () => {
  const redirect = (env: Record<string, string>) => {
    const v = resolve(["e"], env).values;
    return v["venv-redirect"] === true ? true : v["no-venv-redirect"] === true ? false : undefined;
  };
  assert.equal(redirect({ VIRTUALENV_VENV_REDIRECT: "true" }), true);
  assert.equal(redirect({ VIRTUALENV_VENV_REDIRECT: "false" }), false);
  assert.equal(redirect({ VIRTUALENV_NO_VENV_REDIRECT: "true" }), false);
  assert.equal(redirect({ VIRTUALENV_NO_VENV_REDIRECT: "false" }), undefined);
  assert.equal(resolve(["e"], { VIRTUALENV_SYMLINKS: "0" }).values["copies"], true);
  assert.equal(resolve(["e"], { VIRTUALENV_COPIES: "0" }).values["symlinks"], undefined);
  // The highest source naming either decides; within one source copies wins, as in virtualenv.
  let v = resolve(["e", "--symlinks"], { VIRTUALENV_COPIES: "1" }).values;
  assert.deepEqual([v["symlinks"], v["copies"]], [true, undefined]);
  v = resolve(["e"], { VIRTUALENV_SYMLINKS: "1" }, "[virtualenv]\ncopies = 1\n").values;
  assert.deepEqual([v["symlinks"], v["copies"]], [true, undefined]);
  v = resolve(["e"], { VIRTUALENV_SYMLINKS: "1", VIRTUALENV_COPIES: "1" }).values;
  assert.deepEqual([v["symlinks"], v["copies"]], [undefined, true]);
  v = resolve(["e", "--no-download"], { VIRTUALENV_DOWNLOAD: "1" }).values;
  assert.deepEqual([v["download"], v["no-download"]], [undefined, true]);
  v = resolve(["e", "-q"], { VIRTUALENV_VERBOSE: "4" }).values;
  assert.deepEqual([v["verbose"], v["quiet"]], [undefined, 1]);
  v = resolve(["e"], { VIRTUALENV_VERBOSE: "4", VIRTUALENV_QUIET: "1" }).values;
  assert.deepEqual([v["verbose"], v["quiet"]], [4, 1], "verbose and quiet from one source add up");
});

Deno.test("resolveOptions(): mkvenv's own modes and --force are taken from the command line only", () => {
  const r = resolve(["e"], {
    VIRTUALENV_FORCE: "1",
    VIRTUALENV_DRY_RUN: "1",
    VIRTUALENV_JSON: "1",
    VIRTUALENV_LIST_PYTHONS: "1",
    VIRTUALENV_HELP: "1",
    VIRTUALENV_H: "1",
    VIRTUALENV_VERSION: "1",
  });
  assert.deepEqual(r.values, {});
});

Deno.test("resolveOptions(): an empty activators key in the file means none; lists from env split as virtualenv's", () => {
  assert.equal(resolve(["e"], {}, "[virtualenv]\nactivators =\n").values["activators"], "");
  assert.deepEqual(resolve(["e"], { VIRTUALENV_EXTRA_SEARCH_DIR: "/a:/b,/c" }).values["extra-search-dir"], [
    "/a",
    "/b",
    "/c",
  ]);
  assert.deepEqual(resolve(["e"], { VIRTUALENV_TRY_FIRST_WITH: "/x/python\n/y/python" }).values["try-first-with"], [
    "/x/python",
    "/y/python",
  ]);
});
