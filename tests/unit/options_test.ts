import assert from "node:assert/strict";
import { MkvenvError } from "../../lib/errors.ts";
import { helpText, OPTIONS, parseCommandLine } from "../../lib/options.ts";
import { MKVENV_VERSION } from "../../lib/version.ts";
import { colorAllowed, labelled } from "../../lib/report.ts";
import { runCli } from "../../lib/run_cli.ts";

function usage(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => e instanceof MkvenvError && e.exitCode === 2 && e.message === message);
}

Deno.test("parseCommandLine() folds aliases, repeats lists and counts flags", () => {
  const { values, positionals } = parseCommandLine([
    "env",
    "-p",
    "3.12",
    "--python=pypy3",
    "-p3.11",
    "--always-copy",
    "--without-pip",
    "-vv",
    "--prompt",
    "x y",
  ]);
  assert.deepEqual(positionals, ["env"]);
  assert.deepEqual(values["python"], ["3.12", "pypy3", "3.11"]);
  assert.equal(values["copies"], true);
  assert.equal(values["no-seed"], true);
  assert.equal(values["verbose"], 2);
  assert.equal(values["prompt"], "x y");
});

Deno.test("parseCommandLine() treats everything after -- and a lone - as positional", () => {
  const { values, positionals } = parseCommandLine(["-qp", "3.12", "--", "--clear", "-"]);
  assert.deepEqual(positionals, ["--clear", "-"]);
  assert.deepEqual(values, { quiet: 1, python: ["3.12"] });
});

Deno.test("parseCommandLine() reports unknown options, missing values and conflicts as usage errors", () => {
  usage(() => parseCommandLine(["--bogus", "env"]), 'Unrecognized option "--bogus"');
  usage(() => parseCommandLine(["env", "-p"]), 'Option "-p" needs a value');
  usage(() => parseCommandLine(["env", "--python"]), 'Option "--python" needs a value');
  usage(() => parseCommandLine(["env", "--clear=yes"]), 'Option "--clear" takes no value');
  usage(() => parseCommandLine(["-x", "env"]), 'Unrecognized option "-x"');
  usage(() => parseCommandLine(["env", "--symlinks", "--copies"]), "--symlinks and --copies cannot be used together");
  usage(() => parseCommandLine(["env", "-v", "-q"]), "--verbose and --quiet cannot be used together");
});

Deno.test("parseCommandLine() takes a long option's unambiguous abbreviation, as argparse does", () => {
  const { values, positionals } = parseCommandLine(["--no-down", "--seed=pip", "--symlink-app", "--without", "env"]);
  assert.deepEqual(positionals, ["env"]);
  assert.deepEqual(values, { "no-download": true, seeder: "pip", "symlink-app-data": true, "no-seed": true });
  assert.deepEqual(parseCommandLine(["--never", "--extra-search", "w", "e"]).values, {
    "no-download": true, // an alias (--never-download)
    "extra-search-dir": ["w"],
  });
  usage(
    () => parseCommandLine(["--no-se", "env"]),
    'Ambiguous option "--no-se": it could be --no-seed, --no-setuptools',
  );
});

Deno.test("parseCommandLine() takes several values after --extra-search-dir, as argparse's nargs='+'", () => {
  let r = parseCommandLine(["--extra-search-dir", "a", "b", "--no-seed", "env"]);
  assert.deepEqual([r.values["extra-search-dir"], r.positionals], [["a", "b"], ["env"]]);
  // With no other positional, the last value taken is DEST (argparse would report DEST missing).
  r = parseCommandLine(["--extra-search-dir", "a", "b", "env", "-p", "3.12"]);
  assert.deepEqual([r.values["extra-search-dir"], r.positionals], [["a", "b"], ["env"]]);
  r = parseCommandLine(["--extra-search-dir", "a", "env", "--extra-search-dir=c"]);
  assert.deepEqual([r.values["extra-search-dir"], r.positionals], [["a", "c"], ["env"]]);
  r = parseCommandLine(["env", "--extra-search-dir", "a"]);
  assert.deepEqual([r.values["extra-search-dir"], r.positionals], [["a"], ["env"]]);
  // Other lists take one value per occurrence.
  r = parseCommandLine(["-p", "3.12", "env"]);
  assert.deepEqual([r.values["python"], r.positionals], [["3.12"], ["env"]]);
});

Deno.test("parseCommandLine() accepts every virtualenv 21.14 flag", () => {
  const { values } = parseCommandLine([
    "env",
    "--with-traceback",
    "--read-only-app-data",
    "--reset-app-data",
    "--discovery",
    "builtin",
    "--wheel",
    "bundle",
    "--no-wheel",
    "--never-download",
    "--always-copy",
    "--without-pip",
  ]);
  assert.deepEqual(values, {
    "with-traceback": true,
    "read-only-app-data": true,
    "reset-app-data": true,
    discovery: "builtin",
    wheel: "bundle",
    "no-wheel": true,
    "no-download": true,
    copies: true,
    "no-seed": true,
  });
});

Deno.test("helpText() lists every option but the hidden ones, with aliases and defaults", () => {
  const help = helpText();
  for (const def of OPTIONS) {
    for (const name of [def.name, ...(def.aliases ?? [])]) {
      if (def.hidden) assert.doesNotMatch(help, new RegExp(`--${name}\\b`));
      else assert.match(help, new RegExp(`--${name}\\b`));
    }
  }
  assert.match(help, /-p, --python SPEC/);
  assert.match(help, /\(default: builtin\)/);
});

Deno.test("helpText() shows defaults from the environment and the config file with their source, and an epilog", () => {
  const help = helpText({
    notes: { creator: "builtin is x" },
    fromConfig: {
      python: { value: ["3.12", "3.11"], source: "env var", key: "VIRTUALENV_P" },
      "no-seed": { value: true, source: "file", key: "no_seed" },
      creator: { value: "venv", source: "file", key: "creator" },
    },
    epilog: "config file /x.ini active (change via env var VIRTUALENV_CONFIG_FILE)",
  });
  assert.match(help, /\n {2}-p, --python SPEC .*\(default: 3\.12, 3\.11 -> from env var VIRTUALENV_P\)\n/);
  assert.match(help, /\n {2}--no-seed, --without-pip +install no packages \(default: true -> from file\)\n/);
  assert.match(help, /\(default: venv -> from file\)\n/);
  assert.doesNotMatch(help, /builtin is x/);
  assert.ok(help.endsWith("\n\nconfig file /x.ini active (change via env var VIRTUALENV_CONFIG_FILE)\n"));
});

Deno.test("MKVENV_VERSION matches deno.json's version", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  assert.equal(MKVENV_VERSION, config.version);
});

Deno.test("labelled() colours the label with raw ANSI only when asked; colorAllowed() follows the terminal and NO_COLOR", () => {
  assert.equal(labelled("error", "boom", false), "error: boom\n");
  assert.equal(labelled("error", "boom", true), "\x1b[1;31merror:\x1b[0m boom\n");
  assert.equal(labelled("warning", "hmm", true), "\x1b[33mwarning:\x1b[0m hmm\n");
  const env = (vars: Record<string, string>) => (name: string) => vars[name];
  assert.equal(colorAllowed(true, env({})), true);
  assert.equal(colorAllowed(true, env({ NO_COLOR: "" })), true, "an empty NO_COLOR does not count (no-color.org)");
  assert.equal(colorAllowed(true, env({ NO_COLOR: "1" })), false);
  assert.equal(colorAllowed(false, env({})), false);
});

Deno.test("runCli() returns 2 with the usage line for a usage mistake, coloured only when asked", async () => {
  let err = "";
  const io = { stdout: () => {}, stderr: (t: string) => void (err += t) };
  assert.equal(await runCli(["--bogus"], { io, env: { HOME: "/nonexistent" } }), 2);
  assert.equal(
    err,
    'usage: mkvenv [options] DEST\n       mkvenv --list-pythons [-p SPEC] [--json]\nerror: Unrecognized option "--bogus"\n',
  );
  err = "";
  assert.equal(await runCli(["--bogus"], { io, env: { HOME: "/nonexistent" }, color: true }), 2);
  assert.ok(err.endsWith('\n\x1b[1;31merror:\x1b[0m Unrecognized option "--bogus"\n'), JSON.stringify(err));
});

Deno.test("runCli() reads VIRTUALENV_* from the env option and warns about values it ignores", async () => {
  let out = "";
  let err = "";
  const io = { stdout: (t: string) => void (out += t), stderr: (t: string) => void (err += t) };
  const env = { HOME: "/nonexistent", VIRTUALENV_VERSION: "1", VIRTUALENV_CLEAR: "perhaps" };
  assert.equal(await runCli(["--version"], { io, env }), 0);
  assert.equal(out, `mkvenv ${MKVENV_VERSION}\n`);
  assert.equal(
    err,
    'warning: ignored env var VIRTUALENV_CLEAR: "perhaps" is not a boolean (1, yes, true, on or 0, no, false, off)\n',
  );
  out = err = "";
  // -qq hides warnings.
  assert.equal(await runCli(["--version", "-qq"], { io, env }), 0);
  assert.equal(err, "");
});
