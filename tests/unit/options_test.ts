import assert from "node:assert/strict";
import { MkvenvError } from "../../lib/errors.ts";
import { helpText, OPTIONS, parseCommandLine } from "../../lib/options.ts";
import { MKVENV_VERSION } from "../../lib/version.ts";

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

Deno.test("helpText() lists every option with its aliases and defaults", () => {
  const help = helpText();
  for (const def of OPTIONS) {
    for (const name of [def.name, ...(def.aliases ?? [])]) assert.match(help, new RegExp(`--${name}\\b`));
  }
  assert.match(help, /-p, --python SPEC/);
  assert.match(help, /\(default: builtin\)/);
});

Deno.test("MKVENV_VERSION matches deno.json's version", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  assert.equal(MKVENV_VERSION, config.version);
});
