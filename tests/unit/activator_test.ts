/**
 * Activator tests without shells: each language's quoting function against a decoder written from that language's
 * rules, every template fully rendered on every OS, the default sets, `--activators` selection, and golden files of
 * the PowerShell and cmd scripts for a hostile Windows destination and prompt (neither shell runs here; the other
 * shells' scripts run for real in tests/e2e/activators_test.ts). `MKVENV_UPDATE_GOLDEN=1` rewrites the golden files.
 */
import assert from "node:assert/strict";
import { type ActivatorInput, renderTemplate, templatePlaceholders } from "../../lib/activator/activator.ts";
import { batchPromptText, quoteBatch } from "../../lib/activator/batch.ts";
import { cshPromptText, quoteCsh, tcshPromptText } from "../../lib/activator/csh.ts";
import { quoteFish } from "../../lib/activator/fish.ts";
import { quoteNu } from "../../lib/activator/nushell.ts";
import { quotePowerShell } from "../../lib/activator/powershell.ts";
import { quotePython } from "../../lib/activator/python.ts";
import { activatorNames, activatorOps, ACTIVATORS, selectActivators } from "../../lib/activator/registry.ts";
import { quoteSh } from "../../lib/activator/sh.ts";
import * as TEMPLATES from "../../lib/activator/templates.gen.ts";
import type { VenvLayout } from "../../lib/creator/creator.ts";
import { MkvenvError } from "../../lib/errors.ts";
import type { WriteOp } from "../../lib/plan/ops.ts";
import { type Platform, platformFor } from "../../lib/platform.ts";

const LINUX = platformFor("linux");
const WINDOWS = platformFor("windows");

/** Strings that break naive quoting in some shell. */
const HOSTILE: readonly string[] = [
  "",
  "plain",
  "with space",
  "it's",
  "''",
  '"double" quotes',
  "$HOME ${HOME} $(touch pwned) `touch pwned`",
  "semi;colon & amp | pipe < > ^ caret",
  "100% %PATH% %% !bang! !!",
  "back\\slash \\' \\\\ trailing\\",
  "new\nline\r\n and\ttab",
  "\\\n",
  "hash # ## '# '## #'",
  "curly ‘single’ ‚low‛ “double”",
  "èрт🚒♞中片",
  "__BIN_NAME__ __VIRTUAL_ENV__",
  "\u0001control\u007f\u0085 \u2028",
];

/** Reads a POSIX shell word made of '...' parts and \-escaped characters, as sh does; it must take the whole text. */
function decodeSh(word: string): string {
  let out = "";
  for (let i = 0; i < word.length;) {
    if (word[i] === "'") {
      const end = word.indexOf("'", i + 1);
      assert.ok(end > 0, `unterminated quote in ${word}`);
      out += word.slice(i + 1, end);
      i = end + 1;
    } else if (word[i] === "\\") {
      out += word[i + 1];
      i += 2;
    } else {
      assert.fail(`unquoted ${JSON.stringify(word[i])} in ${word}`);
    }
  }
  return out;
}

/** fish: inside '...', only \\ and \' are escapes. */
function decodeFish(word: string): string {
  assert.ok(word.startsWith("'") && word.endsWith("'") && word.length >= 2);
  let out = "";
  for (let i = 1; i < word.length - 1; i++) {
    if (word[i] === "\\" && (word[i + 1] === "\\" || word[i + 1] === "'")) out += word[++i];
    else if (word[i] === "'") assert.fail(`quote ends early in ${word}`);
    else out += word[i];
  }
  return out;
}

/**
 * csh (tcsh, as measured): inside '...' a backslash before `!` or a newline is dropped and other backslashes stay;
 * a bare `!` would be a history reference and a bare newline an error. Outside quotes, \' is a quote.
 */
function decodeCsh(word: string): string {
  let out = "";
  for (let i = 0; i < word.length;) {
    if (word[i] === "'") {
      let j = i + 1;
      for (; j < word.length && word[j] !== "'"; j++) {
        const c = word[j]!;
        if (c === "\\" && (word[j + 1] === "!" || word[j + 1] === "\n")) out += word[++j];
        else if (c === "!" || c === "\n") assert.fail(`bare ${JSON.stringify(c)} in ${word}`);
        else out += c;
      }
      assert.ok(j < word.length, `unterminated quote in ${word}`);
      i = j + 1;
    } else if (word[i] === "\\" && word[i + 1] === "'") {
      out += "'";
      i += 2;
    } else {
      assert.fail(`unquoted ${JSON.stringify(word[i])} in ${word}`);
    }
  }
  return out;
}

/** nushell: r#'...'# closes at the first ' followed by as many # as opened. */
function decodeNu(word: string): string {
  const m = /^r(#+)'/.exec(word);
  assert.ok(m, `not a raw string: ${word}`);
  const close = `'${m[1]}`;
  const end = word.indexOf(close, m[0].length);
  assert.equal(end + close.length, word.length, `raw string ends early in ${word}`);
  return word.slice(m[0].length, end);
}

/** PowerShell: '...' where any of ' ‘ ’ ‚ ‛ is a quote, and two quotes in a row stand for one. */
function decodePowerShell(word: string): string {
  const quote = /['\u2018-\u201B]/;
  assert.ok(quote.test(word[0] ?? ""), `not quoted: ${word}`);
  let out = "";
  for (let i = 1; i < word.length; i++) {
    if (quote.test(word[i]!)) {
      if (i + 1 < word.length && quote.test(word[i + 1]!)) out += word[++i];
      else {
        assert.equal(i, word.length - 1, `quote ends early in ${word}`);
        return out;
      }
    } else out += word[i];
  }
  assert.fail(`unterminated: ${word}`);
}

/** Python: '...' with the escapes quotePython writes; a bare quote, backslash or line break is an error. */
function decodePython(word: string): string {
  assert.ok(word.startsWith("'") && word.endsWith("'") && word.length >= 2);
  const body = word.slice(1, -1);
  assert.doesNotMatch(body, /[\n\r]/);
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === "'") assert.fail(`quote ends early in ${word}`);
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = body[++i]!;
    if (e === "x") out += String.fromCharCode(parseInt(body.slice(i + 1, (i += 2) + 1), 16));
    else if (e === "u") out += String.fromCharCode(parseInt(body.slice(i + 1, (i += 4) + 1), 16));
    else out += ({ n: "\n", r: "\r", t: "\t", "\\": "\\", "'": "'" } as Record<string, string>)[e] ?? assert.fail(e);
  }
  return out;
}

Deno.test("quoting: every language's quoted form reads back as the value itself", () => {
  for (const value of HOSTILE) {
    assert.equal(decodeSh(quoteSh(value)), value, `sh ${JSON.stringify(value)}`);
    assert.equal(decodeFish(quoteFish(value)), value, `fish ${JSON.stringify(value)}`);
    assert.equal(decodeCsh(quoteCsh(value)), value, `csh ${JSON.stringify(value)}`);
    assert.equal(decodeNu(quoteNu(value)), value, `nu ${JSON.stringify(value)}`);
    assert.equal(decodePowerShell(quotePowerShell(value)), value, `powershell ${JSON.stringify(value)}`);
    assert.equal(decodePython(quotePython(value)), value, `python ${JSON.stringify(value)}`);
  }
});

Deno.test("quoting: sh, fish and nushell forms use the shortest safe shape", () => {
  assert.equal(quoteSh("it's"), `'it'\\''s'`);
  assert.equal(quoteFish("a\\'b"), `'a\\\\\\'b'`);
  assert.equal(quoteCsh("a!b\nc"), "'a\\!b\\\nc'");
  assert.equal(quoteNu("x"), "r#'x'#");
  assert.equal(quoteNu("a '## b"), "r###'a '## b'###");
  assert.equal(quotePowerShell("it’s"), "'it’’s'");
  assert.equal(quotePython("a'\\\n"), "'a\\'\\\\\\n'");
});

Deno.test("quoting: cmd values never end the double quotes around them, and % is doubled", () => {
  for (const value of HOSTILE) {
    const escaped = quoteBatch(value);
    assert.doesNotMatch(escaped, /["\r\n]/, JSON.stringify(value));
    // Undoing %% gives the value back, with the two things cmd cannot hold in quotes changed.
    assert.equal(
      escaped.replace(/%%/g, "%"),
      value.replace(/\r\n|[\r\n]/g, " ").replaceAll('"', "'"),
      JSON.stringify(value),
    );
    assert.doesNotMatch(escaped.replace(/%%/g, ""), /%/, "a single % left");
  }
  assert.equal(batchPromptText("a$b"), "(a$$b) ");
});

Deno.test("prompt text: csh and tcsh prompts show the name literally", () => {
  assert.equal(tcshPromptText("a%b!c\\d"), "(a%%b\\!c\\\\d) ");
  assert.equal(cshPromptText("a%b!c"), "(a%b\\!c) ");
});

Deno.test("renderTemplate: one pass, so a value that looks like a placeholder stays as it is", () => {
  const out = renderTemplate("A=__A__ B=__B__", { __A__: "__B__", __B__: "b" }, (v) => `[${v}]`);
  assert.equal(out, "A=[__B__] B=[b]");
  assert.throws(() => renderTemplate("__MISSING__", {}, (v) => v), /__MISSING__ has no value/);
  assert.deepEqual(templatePlaceholders("x __A__ __B__ __A__ __file__"), ["__A__", "__B__"]);
});

function layoutFor(platform: Platform, dest: string): VenvLayout {
  const p = platform.path;
  const bin = p.join(dest, platform.isWindows ? "Scripts" : "bin");
  const lib = platform.isWindows
    ? p.join(dest, "Lib", "site-packages")
    : p.join(dest, "lib", "python3.12", "site-packages");
  return {
    dest,
    binDir: bin,
    python: p.join(bin, `python${platform.exeSuffix}`),
    purelib: lib,
    platlib: lib,
    include: p.join(dest, "include"),
    pyvenvCfg: p.join(dest, "pyvenv.cfg"),
  };
}

function inputFor(platform: Platform, dest: string, extra: Partial<ActivatorInput> = {}): ActivatorInput {
  return {
    layout: layoutFor(platform, dest),
    platform,
    prompt: undefined,
    tclLibrary: undefined,
    tkLibrary: undefined,
    ...extra,
  };
}

function text(op: WriteOp): string {
  return typeof op.content === "string" ? op.content : new TextDecoder().decode(op.content);
}

Deno.test("activators: every template is fully rendered, on POSIX and on Windows", () => {
  for (const platform of [LINUX, WINDOWS]) {
    const dest = platform.isWindows ? "C:\\envs\\env" : "/envs/env";
    for (const activator of ACTIVATORS) {
      for (const extra of [{}, { prompt: "p", tclLibrary: "/tcl", tkLibrary: "/tk" }]) {
        const ops = activator.plan(inputFor(platform, dest, extra));
        assert.deepEqual(ops.map((op) => platform.path.basename(op.path)), [...activator.files]);
        for (const op of ops) {
          assert.equal(platform.path.dirname(op.path), layoutFor(platform, dest).binDir);
          assert.doesNotMatch(text(op), /__[A-Z][A-Z0-9_]*__/, `${op.path} keeps a placeholder`);
        }
      }
    }
  }
  // Every template is used: one script per template, over both OSes.
  const written = new Set(
    ACTIVATORS.flatMap((a) => [...a.plan(inputFor(LINUX, "/e")), ...a.plan(inputFor(WINDOWS, "C:\\e"))])
      .map((op) => op.path.split(/[\\/]/).pop()),
  );
  assert.equal(written.size, Object.keys(TEMPLATES).length);
});

Deno.test("activators: the default set per OS is virtualenv's (no cmd on POSIX, no csh on Windows)", () => {
  assert.deepEqual(activatorNames(LINUX), ["bash", "cshell", "fish", "nushell", "powershell", "python", "xonsh"]);
  assert.deepEqual(activatorNames(platformFor("darwin")), activatorNames(LINUX));
  assert.deepEqual(activatorNames(WINDOWS), ["bash", "batch", "fish", "nushell", "powershell", "python", "xonsh"]);
  const files = activatorOps(selectActivators(undefined, LINUX), inputFor(LINUX, "/e")).map((op) => op.path);
  assert.deepEqual(files, [
    "/e/bin/activate",
    "/e/bin/activate.csh",
    "/e/bin/deactivate.csh",
    "/e/bin/activate.fish",
    "/e/bin/activate.nu",
    "/e/bin/activate.ps1",
    "/e/bin/activate_this.py",
    "/e/bin/activate.xsh",
  ]);
});

Deno.test("activators: --activators takes comma-separated names; unknown or foreign names are usage errors", () => {
  assert.deepEqual(selectActivators(["fish,bash"], LINUX).map((a) => a.name), ["bash", "fish"]);
  assert.deepEqual(selectActivators(["fish", " python "], LINUX).map((a) => a.name), ["fish", "python"]);
  assert.deepEqual(selectActivators([""], LINUX), []);
  assert.deepEqual(selectActivators([], LINUX), []);
  const usage = (names: string[], platform: Platform, message: string): void => {
    assert.throws(() => selectActivators(names, platform), (e: unknown) => {
      assert.ok(e instanceof MkvenvError);
      assert.equal(e.exitCode, 2);
      assert.equal(e.message, message);
      assert.equal(e.hint, `choose from: ${activatorNames(platform).join(", ")} (comma separated)`);
      return true;
    });
  };
  usage(["bash,zsh"], LINUX, 'Unknown activator "zsh"');
  usage(["batch"], LINUX, 'Activator "batch" is not available on linux');
  usage(["cshell"], WINDOWS, 'Activator "cshell" is not available on windows');
});

Deno.test("activators: values reach the scripts quoted: VIRTUAL_ENV, prompt, bin folder, Tcl/Tk, site-packages", () => {
  const dest = "/tmp/it's $(x)";
  const input = inputFor(LINUX, dest, { prompt: "my 'p'", tclLibrary: "/opt/py/lib/tcl8.6", tkLibrary: "/tk'" });
  const scripts = new Map(activatorOps(selectActivators(undefined, LINUX), input).map((op) => [op.path, text(op)]));
  const sh = scripts.get(`${dest}/bin/activate`)!;
  assert.ok(sh.includes(`VIRTUAL_ENV=${quoteSh(dest)}\n`));
  assert.ok(sh.includes(`VIRTUAL_ENV_PROMPT=${quoteSh("my 'p'")}\n`));
  assert.ok(sh.includes(`PATH="$VIRTUAL_ENV/"'bin'"\${PATH:+:$PATH}"`));
  assert.ok(sh.includes(`TCL_LIBRARY='/opt/py/lib/tcl8.6'\n`));
  assert.ok(sh.includes(`TK_LIBRARY=${quoteSh("/tk'")}\n`));
  const csh = scripts.get(`${dest}/bin/activate.csh`)!;
  assert.ok(csh.includes(`source ${quoteCsh(`${dest}/bin/deactivate.csh`)}\n`));
  assert.ok(csh.includes(`set prompt = ${quoteCsh(tcshPromptText("my 'p'"))}$prompt:q`));
  const py = scripts.get(`${dest}/bin/activate_this.py`)!;
  assert.ok(py.includes(`for _lib in '../lib/python3.12/site-packages'.split(os.pathsep):`));
  assert.ok(py.includes(`("TCL_LIBRARY", '/opt/py/lib/tcl8.6')`));
  // No prompt chosen: the scripts that can work it out at activation time get an empty one.
  const plain = activatorOps(selectActivators(["bash", "cshell"], LINUX), inputFor(LINUX, "/e/env"));
  assert.ok(text(plain[0]!).includes("VIRTUAL_ENV_PROMPT=''\n"));
  assert.ok(text(plain[1]!).includes("setenv VIRTUAL_ENV_PROMPT 'env'\n"), "csh fixes the folder's name");
});

/** A Windows destination holding every character Windows allows that some shell treats specially. */
const WINDOWS_DEST = "C:\\Users\\me\\e 'q $(touch pwned) `x`;&%PATH%!^()[]{}=,@#~ ‘’‚‛ èрт🚒♞中片";
const WINDOWS_PROMPT = "p \"q' $(touch pwned) %PATH% %% !x! ^& | < > $P$G ‘’\r\n èрт";

Deno.test("activators: PowerShell and cmd scripts for a hostile Windows destination match their golden files", async () => {
  const input = inputFor(WINDOWS, WINDOWS_DEST, {
    prompt: WINDOWS_PROMPT,
    tclLibrary: `${WINDOWS_DEST}\\..\\tcl\\tcl8.6`,
    tkLibrary: "C:\\Python312\\tcl\\tk8.6",
  });
  const ops = activatorOps(selectActivators(["powershell", "batch"], WINDOWS), input);
  const golden = new URL("../golden/activators/windows/", import.meta.url);
  const update = Deno.env.get("MKVENV_UPDATE_GOLDEN") === "1";
  for (const op of ops) {
    const name = WINDOWS.path.basename(op.path);
    const bytes = typeof op.content === "string" ? new TextEncoder().encode(op.content) : op.content;
    if (update) await Deno.writeFile(new URL(name, golden), bytes);
    assert.deepEqual(bytes, await Deno.readFile(new URL(name, golden)), `${name} differs from its golden file`);
  }
  const files = new Map(ops.map((op) => [WINDOWS.path.basename(op.path), text(op)]));

  const ps1 = files.get("activate.ps1")!;
  assert.ok(ps1.startsWith("\uFEFF"), "activate.ps1 starts with a byte-order mark");
  // Every placeholder became a PowerShell literal that reads back as the value.
  const psValues: Record<string, string> = {
    __VIRTUAL_PROMPT__: WINDOWS_PROMPT,
    __BIN_NAME__: "Scripts",
    __PATH_SEP__: ";",
    __TCL_LIBRARY__: input.tclLibrary!,
    __TK_LIBRARY__: input.tkLibrary!,
  };
  assert.deepEqual(templatePlaceholders(TEMPLATES.ACTIVATE_PS1).sort(), Object.keys(psValues).sort());
  assert.equal(ps1, `\uFEFF${renderTemplate(TEMPLATES.ACTIVATE_PS1, psValues, quotePowerShell)}`);
  for (const value of Object.values(psValues)) assert.equal(decodePowerShell(quotePowerShell(value)), value);
  assert.ok(ps1.includes(`$Prompt = ${quotePowerShell(WINDOWS_PROMPT)}\n`));

  for (const name of ["activate.bat", "deactivate.bat", "pydoc.bat"]) {
    const bat = files.get(name)!;
    assert.doesNotMatch(bat.replaceAll("\r\n", ""), /[\r\n]/, `${name}: every line ends with CRLF`);
    assert.ok(bat.endsWith("\r\n"));
  }
  const bat = files.get("activate.bat")!;
  const batLines = bat.split("\r\n");
  // Each value sits alone inside the double quotes of a set command, escaped for them.
  const setLine = (name: string): string => batLines.find((l) => l.startsWith(`@set "${name}=`))!;
  assert.equal(setLine("VIRTUAL_ENV"), `@set "VIRTUAL_ENV=${quoteBatch(WINDOWS_DEST)}"`);
  assert.equal(setLine("VIRTUAL_ENV_PROMPT"), `@set "VIRTUAL_ENV_PROMPT=${quoteBatch(WINDOWS_PROMPT)}"`);
  assert.equal(setLine("PROMPT"), `@set "PROMPT=${quoteBatch(batchPromptText(WINDOWS_PROMPT))}%PROMPT%"`);
  assert.ok(batLines.includes(`@set "_MKVENV_LIBRARY=${quoteBatch(input.tclLibrary!)}"`));
  assert.ok(batLines.includes('@set "PATH=%VIRTUAL_ENV%\\Scripts;%PATH%"'));
  // Outside the quoted values, only ASCII comes before the switch to UTF-8.
  const firstValue = bat.indexOf('@set "VIRTUAL_ENV=');
  assert.ok(bat.indexOf('chcp.com" 65001') < firstValue);
  assert.ok([...bat.slice(0, firstValue)].every((c) => c.charCodeAt(0) < 0x80), "non-ASCII before chcp");
  // Every quote in a line pairs up: no value ends the quotes it sits in.
  for (const line of batLines) assert.equal((line.match(/"/g) ?? []).length % 2, 0, line);
  assert.equal(
    files.get("pydoc.bat"),
    '@REM Runs pydoc with this environment\'s interpreter, the one beside this file.\r\n@"%~dp0python.exe" -m pydoc %*\r\n',
  );
});

Deno.test("activators: the sh script for a Windows environment (Git Bash) converts the path with cygpath", () => {
  const [op] = activatorOps(selectActivators(["bash"], WINDOWS), inputFor(WINDOWS, "C:\\envs\\e 'x"));
  const sh = text(op!);
  assert.ok(sh.includes(`VIRTUAL_ENV='C:\\envs\\e '\\''x'\n`));
  assert.ok(sh.includes(`PATH="$VIRTUAL_ENV/"'Scripts'"\${PATH:+:$PATH}"`));
  assert.ok(sh.includes("cygpath -u"));
  const [py] = activatorOps(selectActivators(["python"], WINDOWS), inputFor(WINDOWS, "C:\\envs\\e"));
  assert.ok(text(py!).includes(`for _lib in '..\\\\Lib\\\\site-packages'.split(os.pathsep):`));
});
