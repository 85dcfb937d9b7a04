/**
 * End to end: the activation scripts in the real shells. For each shell, environments made by the CLI with a plain
 * name, a hostile name (quotes, `$(...)`, backticks, `;&|%!\`, a newline, non-ASCII) and a hostile `--prompt` are
 * activated, checked (VIRTUAL_ENV, VIRTUAL_ENV_PROMPT, `python` is the environment's, PYTHONHOME gone,
 * PKG_CONFIG_PATH, the prompt as the shell shows it), activated twice, replaced by another environment, deactivated
 * with `nondestructive` and for good; the whole environment must come back byte for byte, and no `touch` hidden in
 * a name may have run. Shells run in parallel within each test. A shell that is not installed skips its test and
 * says why; `.ci/run` installs them all.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { cleanEnv, mkvenv, pyenvPython, ROOT, run, type RunResult, skipIf, tempDir } from "../_helpers.ts";
import { quoteNu } from "../../lib/activator/nushell.ts";
import { activatorOps, selectActivators } from "../../lib/activator/registry.ts";
import { platformFor } from "../../lib/platform.ts";
import type { VenvLayout } from "../../lib/creator/creator.ts";

const PYTHON = pyenvPython("3.12") ?? "/usr/bin/python3";

/** A name that runs `touch` if any shell evaluates it, and holds every character shells treat specially. */
const HOSTILE_NAME = "e 'q\"$(touch pwned)`touch pwned2`;&|%!\\\n x ${IFS} %m !! '# ## ’ èрт🚒♞中片";
/** A prompt as hostile, with prompt escapes of bash (`\w`), zsh (`%~`) and tcsh (`%/`). */
const HOSTILE_PROMPT = "p 'q\"$(touch pwned3)`touch pwned4`;&|!\\\n \\w %~ %/ !! '# èрт🚒";

/** Finds an executable on this machine's PATH, or (nushell) where `.ci/run` installs it with npm. */
function findShell(name: string): string | undefined {
  const dirs = [...(Deno.env.get("PATH") ?? "").split(":"), "/usr/bin", "/bin"];
  if (name === "nu") {
    try {
      for (const entry of Deno.readDirSync(path.join(ROOT, ".tools/shells/node_modules/@nushell"))) {
        dirs.push(path.join(ROOT, ".tools/shells/node_modules/@nushell", entry.name, "bin"));
      }
    } catch { /* not installed there */ }
  }
  for (const dir of dirs) {
    const file = path.join(dir, name);
    try {
      if (Deno.statSync(file).isFile) return file;
    } catch { /* not here */ }
  }
  return undefined;
}

/** The environments every test uses, made once by the CLI. */
interface Envs {
  readonly root: string;
  /** An empty folder the shells run in: any `touch` that runs by mistake leaves its file here. */
  readonly work: string;
  /** A helper that writes `sys.prefix` and `sys.executable` of the `python` found on PATH into a file. */
  readonly probe: string;
  readonly plain: string;
  readonly hostile: string;
  /** An environment made with `--prompt HOSTILE_PROMPT`. */
  readonly prompted: string;
  /** Another environment, activated while the first is active. */
  readonly other: string;
}

let envsPromise: Promise<Envs> | undefined;

function envs(): Promise<Envs> {
  envsPromise ??= (async () => {
    const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "mkvenv_activators_" }));
    const work = path.join(root, "work");
    await Deno.mkdir(work);
    const probe = path.join(root, "probe.py");
    await Deno.writeTextFile(
      probe,
      "import os, sys\nwith open(sys.argv[1], 'wb') as f:\n" +
        "    f.write(os.fsencode(sys.prefix) + b'\\0' + os.fsencode(sys.executable))\n",
    );
    const appData = path.join(root, "app-data");
    const made: Record<string, string> = {};
    const specs: [string, string, string[]][] = [
      ["plain", "env", []],
      ["hostile", HOSTILE_NAME, []],
      ["prompted", "penv", ["--prompt", HOSTILE_PROMPT]],
      ["other", "other env", []],
    ];
    // One at a time: the first fills the interpreter cache the others use.
    for (const [key, name, extra] of specs) {
      const dest = path.join(root, name);
      const r = await mkvenv([dest, "-p", PYTHON, "--app-data", appData, ...extra], { cwd: root });
      if (r.code !== 0) throw new Error(`mkvenv ${name} failed: ${r.stderr}`);
      made[key] = dest;
    }
    globalThis.addEventListener("unload", () => {
      try {
        Deno.removeSync(root, { recursive: true });
      } catch { /* already gone */ }
    });
    return { root, work, probe, ...made } as unknown as Envs;
  })();
  return envsPromise;
}

/** The prompt name an environment shows: its `--prompt`, else its folder's name. */
function promptOf(e: Envs, dest: string): string {
  return dest === e.prompted ? HOSTILE_PROMPT : path.basename(dest);
}

/** Files named pwned* anywhere under the test root: proof that some shell ran part of a name. */
async function canaries(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for await (const entry of Deno.readDir(dir)) {
      const full = path.join(dir, entry.name);
      if (entry.name.startsWith("pwned")) found.push(full);
      if (entry.isDirectory && !entry.isSymlink) await walk(full);
    }
  };
  await walk(root);
  return found;
}

/**
 * The environment a shell starts with: nothing of this machine's but PATH, with PYTHONHOME set to be undone (a
 * variable undefined in `extra` is left out).
 */
function shellEnv(e: Envs, out: string, extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string | undefined> = {
    PATH: "/usr/local/bin:/usr/bin:/bin",
    HOME: e.root,
    LANG: "C.UTF-8",
    TERM: "dumb",
    PYTHONHOME: "/bogus/python/home",
    OUT: out,
    PROBE: e.probe,
    XONTRIBS_AUTOLOAD_DISABLED: "1",
    ...extra,
  };
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/** Parses `env -0` output into a map. */
function parseEnv(bytes: Uint8Array): Map<string, string> {
  const env = new Map<string, string>();
  for (const entry of new TextDecoder().decode(bytes).split("\0")) {
    if (!entry) continue;
    const eq = entry.indexOf("=");
    env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return env;
}

async function readEnv(out: string, name: string): Promise<Map<string, string>> {
  return parseEnv(await Deno.readFile(path.join(out, name)));
}

async function readText(out: string, name: string): Promise<string> {
  return await Deno.readTextFile(path.join(out, name));
}

/** Asserts two environment dumps are equal, naming the variables that differ. */
function assertSameEnv(actual: Map<string, string>, expected: Map<string, string>, what: string): void {
  const names = new Set([...actual.keys(), ...expected.keys()]);
  const differ = [...names].filter((n) => actual.get(n) !== expected.get(n)).map((n) =>
    `${n}: ${JSON.stringify(expected.get(n))} -> ${JSON.stringify(actual.get(n))}`
  );
  assert.deepEqual(differ, [], `${what}: the environment differs`);
}

/** One shell's way to run the common scenario (see {@linkcode checkScenario}). */
interface ScenarioShell {
  /** Label and executable name. */
  readonly name: string;
  readonly exe: string;
  /** The driver script for the shell: activate, record, twice, the other env, nondestructive, deactivate. */
  driver(e: Envs, act: string, other: string): string;
  /** Driver file suffix. */
  readonly suffix: string;
  /** argv to run the driver file. */
  argv(exe: string, file: string): string[];
  /** Extra variables the shell needs (undefined: leave the variable out). */
  readonly env?: Record<string, string | undefined>;
}

/**
 * The scenario every shell runs, leaving files in OUT: env_before, ve, vep, python (prefix NUL executable),
 * pythonhome, pkg, prompt (as shown, where the shell can render it without a terminal), env_active, env_twice,
 * ve_other, path_other, env_nondestructive, kept, env_after, deactivate_after.
 */
async function checkScenario(
  shell: ScenarioShell,
  e: Envs,
  dest: string,
  options: { pkgConfig?: string } = {},
): Promise<void> {
  const out = await Deno.makeTempDir({ dir: e.root, prefix: `out_${shell.name}_` });
  const file = path.join(out, `driver${shell.suffix}`);
  const bin = path.join(dest, "bin");
  await Deno.writeTextFile(file, shell.driver(e, bin, path.join(e.other, "bin")));
  const extra: Record<string, string | undefined> = { ...shell.env };
  if (options.pkgConfig !== undefined) extra["PKG_CONFIG_PATH"] = options.pkgConfig;
  const r = await run(shell.exe, shell.argv(shell.exe, file), {
    cwd: e.work,
    env: shellEnv(e, out, { ACT_DIR: bin, OTHER_DIR: path.join(e.other, "bin"), ...extra }),
  });
  const label = `${shell.name} ${JSON.stringify(path.basename(dest))}`;
  assert.equal(r.code, 0, `${label} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  assert.equal(r.stderr, "", `${label}: nothing on stderr`);
  const before = await readEnv(out, "env_before");
  assert.equal(await readText(out, "ve"), dest, `${label}: VIRTUAL_ENV`);
  assert.equal(await readText(out, "vep"), promptOf(e, dest), `${label}: VIRTUAL_ENV_PROMPT`);
  const [prefix, executable] = (await readText(out, "python")).split("\0");
  assert.equal(prefix, dest, `${label}: sys.prefix of python`);
  assert.equal(executable, path.join(dest, "bin", "python"), `${label}: python found on PATH`);
  assert.equal(await readText(out, "pythonhome"), "<unset>", `${label}: PYTHONHOME during activation`);
  const pkg = path.join(dest, "lib", "pkgconfig");
  assert.equal(await readText(out, "pkg"), options.pkgConfig ? `${pkg}:${options.pkgConfig}` : pkg, `${label}: pkg`);
  const active = await readEnv(out, "env_active");
  assert.equal(active.get("PATH"), `${bin}:${before.get("PATH")}`, `${label}: PATH during activation`);
  assert.equal(active.get("PS1"), undefined, `${label}: PS1 must not be exported`);
  // Shells that can show their prompt without a terminal leave it in `prompt` (the POSIX shells' prompts are checked
  // in an interactive run); PS1 itself is no environment variable, so the POSIX driver records it on its own.
  const optional = async (name: string): Promise<string | undefined> =>
    await readText(out, name).catch((err) => (err instanceof Deno.errors.NotFound ? undefined : Promise.reject(err)));
  const shown = await optional("prompt");
  if (shown !== undefined) assert.equal(shown, `(${promptOf(e, dest)}) <old>`, `${label}: prompt shown`);
  assertSameEnv(await readEnv(out, "env_twice"), active, `${label}: activated twice`);
  assert.equal(await readText(out, "ve_other"), e.other, `${label}: another environment`);
  const otherPath = await readText(out, "path_other");
  assert.equal(otherPath, `${path.join(e.other, "bin")}:${before.get("PATH")}`, `${label}: PATH of the other env`);
  assertSameEnv(await readEnv(out, "env_nondestructive"), before, `${label}: deactivate nondestructive`);
  assert.equal((await readText(out, "kept")).trim(), "kept", `${label}: nondestructive keeps deactivate`);
  assertSameEnv(await readEnv(out, "env_after"), before, `${label}: after deactivate`);
  assert.equal((await readText(out, "deactivate_after")).trim(), "gone", `${label}: deactivate removes itself`);
  const ps1After = await optional("ps1_after");
  if (ps1After !== undefined) assert.equal(ps1After, await readText(out, "ps1_before"), `${label}: PS1 after`);
  const promptAfter = await optional("prompt_after");
  if (promptAfter !== undefined) assert.equal(promptAfter, "<old>", `${label}: prompt after deactivate`);
}

const SH_DRIVER = (preamble: string): string =>
  `set -eu
${preamble}
env -0 > "$OUT/env_before"
printf '%s' "\${PS1-<unset>}" > "$OUT/ps1_before"
. "$ACT_DIR/activate"
printf '%s' "$VIRTUAL_ENV" > "$OUT/ve"
printf '%s' "$VIRTUAL_ENV_PROMPT" > "$OUT/vep"
printf '%s' "\${PS1-<unset>}" > "$OUT/ps1"
python "$PROBE" "$OUT/python"
printf '%s' "\${PYTHONHOME-<unset>}" > "$OUT/pythonhome"
printf '%s' "$PKG_CONFIG_PATH" > "$OUT/pkg"
env -0 > "$OUT/env_active"
. "$ACT_DIR/activate"
env -0 > "$OUT/env_twice"
. "$OTHER_DIR/activate"
printf '%s' "$VIRTUAL_ENV" > "$OUT/ve_other"
printf '%s' "$PATH" > "$OUT/path_other"
deactivate nondestructive
env -0 > "$OUT/env_nondestructive"
if command -v deactivate >/dev/null 2>&1; then printf kept; else printf gone; fi > "$OUT/kept"
. "$ACT_DIR/activate"
deactivate
env -0 > "$OUT/env_after"
printf '%s' "\${PS1-<unset>}" > "$OUT/ps1_after"
if command -v deactivate >/dev/null 2>&1; then printf kept; else printf gone; fi > "$OUT/deactivate_after"
`;

/** The POSIX shells, with the flags that keep their start-up files out. */
const SH_SHELLS: readonly { name: string; argv: string[]; interactive: string[] }[] = [
  { name: "dash", argv: [], interactive: ["-i"] },
  // Without readline (--noediting), bash does not echo the commands it reads.
  { name: "bash", argv: ["--norc", "--noprofile"], interactive: ["--norc", "--noprofile", "--noediting", "-i"] },
  { name: "zsh", argv: ["-f"], interactive: ["-f", "-i"] },
  { name: "ksh", argv: [], interactive: ["-i"] },
  { name: "mksh", argv: [], interactive: ["-i"] },
];

function shScenario(name: string, exe: string, argv: string[], preamble = ""): ScenarioShell {
  return {
    name,
    exe,
    suffix: ".sh",
    driver: () => SH_DRIVER(preamble),
    argv: (_exe, file) => [...argv, file],
  };
}

/**
 * Runs an interactive shell reading commands from a pipe (`script` gives tcsh the terminal it wants) and returns
 * the prompts it showed: while active (between markers S and E) and after deactivate (between D and F).
 */
async function shownPrompts(
  argv: string[],
  commands: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<{ active: string; after: string; output: string }> {
  const child = new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    env,
    clearEnv: true,
    cwd,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(commands.join("\n") + "\n"));
  await writer.close();
  const result = await child.output();
  const output = new TextDecoder().decode(result.stderr) + new TextDecoder().decode(result.stdout);
  const clean = output.replaceAll("\r", "");
  const between = (a: string, b: string): string => {
    const start = clean.indexOf(a);
    const end = clean.indexOf(b, start + a.length);
    return start < 0 || end < 0 ? `<markers missing>` : clean.slice(start + a.length, end);
  };
  return { active: between("@@S", "@@E"), after: between("@@D", "@@F"), output };
}

/**
 * Commands around the prompts to check: `mark` prints `@@` and a letter, written so that a terminal's echo of the
 * command does not hold the marker itself.
 */
const MARKER_COMMANDS = (activate: string, mark: (letter: string) => string): string[] => [
  activate,
  mark("S"),
  mark("E"),
  "deactivate",
  mark("D"),
  mark("F"),
  "exit",
];

for (const sh of SH_SHELLS) {
  const exe = findShell(sh.name);
  Deno.test({
    name: `activators: ${sh.name} activates and deactivates plain, hostile and prompted environments exactly`,
    ignore: skipIf(!exe, `${sh.name} is not installed (apt-get install ${sh.name}; .ci/run does)`),
    async fn() {
      const e = await envs();
      const scenario = shScenario(sh.name, exe!, sh.argv);
      const prompt = async (dest: string, options: string, expected: string): Promise<void> => {
        const shown = await shownPrompts(
          [exe!, ...sh.interactive],
          [
            ...(sh.name === "zsh" ? ["unsetopt prompt_sp prompt_cr"] : []),
            options,
            "PS1='<old>'",
            ...MARKER_COMMANDS(`. "$ACT_DIR/activate"`, (m) => `printf '@@%s' ${m} >&2`),
          ],
          shellEnv(e, e.work, { ACT_DIR: path.join(dest, "bin") }),
          e.work,
        );
        assert.equal(shown.active, expected, `${sh.name} ${options}: prompt shown\n${shown.output}`);
        assert.equal(shown.after, "<old>", `${sh.name} ${options}: prompt after deactivate\n${shown.output}`);
      };
      const promptOptions = sh.name === "zsh"
        ? ["", "setopt prompt_subst prompt_bang", "unsetopt prompt_percent"]
        : sh.name === "bash"
        ? ["", "shopt -u promptvars", "set -o posix"]
        : [""];
      await Promise.all([
        checkScenario(scenario, e, e.plain),
        checkScenario(scenario, e, e.hostile, { pkgConfig: "/x/pc:/y/pc" }),
        checkScenario(scenario, e, e.prompted, { pkgConfig: "" }),
        ...[e.plain, e.hostile, e.prompted].flatMap((dest) =>
          promptOptions.map((o) => prompt(dest, o, `(${promptOf(e, dest)}) <old>`))
        ),
      ]);
      assert.deepEqual(await canaries(e.root), []);
    },
  });

  Deno.test({
    name: `activators: ${sh.name} keeps an empty or disabled prompt, works with set -eu and refuses to be run`,
    ignore: skipIf(!exe, `${sh.name} is not installed (apt-get install ${sh.name}; .ci/run does)`),
    async fn() {
      const e = await envs();
      const out = await Deno.makeTempDir({ dir: e.root, prefix: `out_${sh.name}_prompt_` });
      const act = path.join(e.hostile, "bin", "activate");
      const script = (preamble: string): string =>
        `set -eu\n${preamble}\nprintf '%s' "\${PS1-<unset>}" > "$OUT/before"\n. "$ACT"\n` +
        `printf '%s' "\${PS1-<unset>}" > "$OUT/active"\ndeactivate\nprintf '%s' "\${PS1-<unset>}" > "$OUT/after"\n`;
      const runScript = async (tag: string, preamble: string, extra: Record<string, string> = {}) => {
        const dir = path.join(out, tag);
        await Deno.mkdir(dir);
        const file = path.join(dir, "driver.sh");
        await Deno.writeTextFile(file, script(preamble));
        const r = await run(exe!, [...sh.argv, file], { cwd: e.work, env: shellEnv(e, dir, { ACT: act, ...extra }) });
        assert.equal(r.code, 0, `${sh.name} ${tag}: ${r.stderr}`);
        return {
          before: await readText(dir, "before"),
          active: await readText(dir, "active"),
          after: await readText(dir, "after"),
        };
      };
      const [empty, disabled, hashOff, executed] = await Promise.all([
        runScript("empty", "PS1="),
        runScript("disabled", "PS1='<old> '", { VIRTUAL_ENV_DISABLE_PROMPT: "1" }),
        // virtualenv #2717: activate must succeed with hashing turned off (bash's set +h).
        runScript("hash", sh.name === "bash" ? "set +h" : ""),
        run(exe!, [...sh.argv, act], { cwd: e.work, env: shellEnv(e, out) }),
      ]);
      assert.equal(empty.before, "");
      assert.notEqual(empty.active, "", "the prompt shows the environment");
      assert.equal(empty.after, "", "an empty PS1 stays empty (and set)");
      assert.equal(disabled.active, "<old> ", "VIRTUAL_ENV_DISABLE_PROMPT leaves PS1 alone");
      assert.equal(disabled.after, "<old> ");
      assert.equal(hashOff.after, hashOff.before);
      assert.equal(executed.code, 33, `${sh.name} running activate: ${executed.stderr}`);
      assert.match(executed.stderr, /^You must source this script: \$ source /);
      assert.deepEqual(await canaries(e.root), []);
    },
  });
}

Deno.test({
  name: "activators: bash finds a moved environment from the script's own place",
  ignore: skipIf(!findShell("bash"), "bash is not installed"),
  async fn() {
    await using tmp = await tempDir();
    const dest = path.join(tmp.path, "made here");
    const r = await mkvenv([dest, "-p", PYTHON, "--app-data", path.join(tmp.path, "ad")]);
    assert.equal(r.code, 0, r.stderr);
    const moved = path.join(tmp.path, "moved\nthere");
    await Deno.rename(dest, moved);
    const s = await run("bash", [
      "--norc",
      "-c",
      `set -eu; . "$ACT"; printf '%s' "$VIRTUAL_ENV" > "$OUT"`,
    ], { env: cleanEnv({ ACT: path.join(moved, "bin", "activate"), OUT: path.join(tmp.path, "ve") }) });
    assert.equal(s.code, 0, s.stderr);
    assert.equal(s.stderr, `Virtual environment directory '${dest}' does not exist!\n`);
    assert.equal(await Deno.readTextFile(path.join(tmp.path, "ve")), moved);
  },
});

const FISH_DRIVER = `function fish_prompt; printf '<old>'; end
env -0 > $OUT/env_before
source $ACT_DIR/activate.fish
printf '%s' $VIRTUAL_ENV > $OUT/ve
printf '%s' $VIRTUAL_ENV_PROMPT > $OUT/vep
fish_prompt > $OUT/prompt
python $PROBE $OUT/python
if set -q PYTHONHOME; printf '%s' $PYTHONHOME; else; printf '<unset>'; end > $OUT/pythonhome
printf '%s' "$PKG_CONFIG_PATH" > $OUT/pkg
env -0 > $OUT/env_active
source $ACT_DIR/activate.fish
env -0 > $OUT/env_twice
source $OTHER_DIR/activate.fish
printf '%s' $VIRTUAL_ENV > $OUT/ve_other
printf '%s' "$PATH" > $OUT/path_other
deactivate nondestructive
env -0 > $OUT/env_nondestructive
if functions -q deactivate; echo kept; else; echo gone; end > $OUT/kept
source $ACT_DIR/activate.fish
deactivate
env -0 > $OUT/env_after
if functions -q deactivate; echo kept; else; echo gone; end > $OUT/deactivate_after
fish_prompt > $OUT/prompt_after
`;

/**
 * Shells with their own languages: fish, tcsh, nushell and xonsh. tcsh shows its prompt only on a terminal, so it
 * is checked through `script`.
 */
const OTHER_SHELLS: readonly (Omit<ScenarioShell, "exe"> & { readonly program: string })[] = [
  {
    name: "fish",
    program: "fish",
    suffix: ".fish",
    driver: () => FISH_DRIVER,
    argv: (_exe, file) => ["--no-config", file],
  },
  {
    name: "tcsh",
    program: "tcsh",
    suffix: ".csh",
    driver: () =>
      `env -0 > $OUT:q/env_before
source $ACT_DIR:q/activate.csh
printf '%s' $VIRTUAL_ENV:q > $OUT:q/ve
printf '%s' $VIRTUAL_ENV_PROMPT:q > $OUT:q/vep
python $PROBE:q $OUT:q/python
if ( $?PYTHONHOME ) then
  printf '%s' $PYTHONHOME:q > $OUT:q/pythonhome
else
  printf '<unset>' > $OUT:q/pythonhome
endif
printf '%s' $PKG_CONFIG_PATH:q > $OUT:q/pkg
env -0 > $OUT:q/env_active
source $ACT_DIR:q/activate.csh
env -0 > $OUT:q/env_twice
source $OTHER_DIR:q/activate.csh
printf '%s' $VIRTUAL_ENV:q > $OUT:q/ve_other
printf '%s' $PATH:q > $OUT:q/path_other
deactivate nondestructive
env -0 > $OUT:q/env_nondestructive
alias deactivate > $OUT:q/alias
if ( -z $OUT:q/alias ) then
  echo gone > $OUT:q/kept
else
  echo kept > $OUT:q/kept
endif
source $ACT_DIR:q/activate.csh
deactivate
env -0 > $OUT:q/env_after
alias deactivate > $OUT:q/alias
if ( -z $OUT:q/alias ) then
  echo gone > $OUT:q/deactivate_after
else
  echo kept > $OUT:q/deactivate_after
endif
`,
    argv: (_exe, file) => ["-f", file],
  },
  {
    name: "nushell",
    program: "nu",
    suffix: ".nu",
    // `overlay use` takes its file when the script is parsed, so the paths are written into the driver.
    driver: (_e, act, other) =>
      `def dump [name: string] { ^env -0 | save -f ($env.OUT | path join $name) }
def write [name: string, text: string] { $text | save -f ($env.OUT | path join $name) }
dump env_before
$env.PROMPT_COMMAND = {|| '<old>' }
overlay use ${quoteNu(path.join(act, "activate.nu"))}
write ve $env.VIRTUAL_ENV
write vep $env.VIRTUAL_ENV_PROMPT
write prompt (do $env.PROMPT_COMMAND)
^python $env.PROBE ($env.OUT | path join python)
write pythonhome ($env.PYTHONHOME? | default '<unset>')
write pkg $env.PKG_CONFIG_PATH
dump env_active
overlay use ${quoteNu(path.join(act, "activate.nu"))}
dump env_twice
overlay use ${quoteNu(path.join(other, "activate.nu"))}
write ve_other $env.VIRTUAL_ENV
write path_other ($env.PATH | str join (char esep))
deactivate
dump env_nondestructive
write kept 'kept'
overlay use ${quoteNu(path.join(act, "activate.nu"))}
deactivate
dump env_after
write deactivate_after (if (overlay list | where {|o| $o.name == 'activate' and $o.active } | is-empty) {
    'gone'
} else {
    'kept'
})
write prompt_after (do $env.PROMPT_COMMAND)
`,
    argv: (_exe, file) => ["-n", "--no-std-lib", file],
  },
  {
    name: "xonsh",
    program: "xonsh",
    suffix: ".xsh",
    driver: () =>
      `import os, subprocess
from xonsh.prompt.env import env_name
$PYTHONHOME = "/bogus/python/home"
def dump(name):
    # A command of xonsh's own, so that it sees xonsh's environment (os.environ may lag behind).
    env -0 > @(os.path.join($OUT, name))
def write(name, text):
    with open(os.path.join($OUT, name), "w", encoding="utf-8") as f:
        f.write(text)
dump("env_before")
source @(os.path.join($ACT_DIR, "activate.xsh"))
write("ve", $VIRTUAL_ENV)
write("vep", $VIRTUAL_ENV_PROMPT)
write("prompt", "(" + env_name() + ") <old>")
python $PROBE @(os.path.join($OUT, "python"))
write("pythonhome", \${...}.get("PYTHONHOME", "<unset>"))
write("pkg", \${...}.detype()["PKG_CONFIG_PATH"])
dump("env_active")
source @(os.path.join($ACT_DIR, "activate.xsh"))
dump("env_twice")
source @(os.path.join($OTHER_DIR, "activate.xsh"))
write("ve_other", $VIRTUAL_ENV)
write("path_other", \${...}.detype()["PATH"])
deactivate nondestructive
dump("env_nondestructive")
write("kept", "kept" if "deactivate" in aliases else "gone")
source @(os.path.join($ACT_DIR, "activate.xsh"))
deactivate
dump("env_after")
write("deactivate_after", "kept" if "deactivate" in aliases else "gone")
`,
    argv: (_exe, file) => ["--no-rc", file],
    // xonsh is itself Python: started with PYTHONHOME set it could not start, so the driver sets it.
    env: { PYTHONHOME: undefined },
  },
];

for (const shell of OTHER_SHELLS) {
  const exe = findShell(shell.program);
  const install = shell.program === "nu"
    ? "npm's nushell package; .ci/run installs it"
    : `apt-get install ${shell.program}; .ci/run does`;
  Deno.test({
    name: `activators: ${shell.name} activates and deactivates plain, hostile and prompted environments exactly`,
    ignore: skipIf(!exe, `${shell.program} is not installed (${install})`),
    async fn() {
      const e = await envs();
      const scenario: ScenarioShell = { ...shell, exe: exe! };
      const checks = [
        checkScenario(scenario, e, e.plain),
        checkScenario(scenario, e, e.hostile, { pkgConfig: "/x/pc:/y/pc" }),
        // Set but empty: it stays set and empty, and no empty entry joins it while active.
        checkScenario(scenario, e, e.prompted, { pkgConfig: "" }),
      ];
      if (shell.name === "tcsh") {
        for (const dest of [e.plain, e.hostile, e.prompted]) {
          checks.push((async () => {
            const shown = await shownPrompts(
              ["script", "-qec", `${exe} -f -i`, "/dev/null"],
              [
                "set prompt = '<old>'",
                ...MARKER_COMMANDS("source $ACT_DIR:q/activate.csh", (m) => `printf '@@%s' ${m}`),
              ],
              shellEnv(e, e.work, { ACT_DIR: path.join(dest, "bin") }),
              e.work,
            );
            // The terminal echoes the commands: the prompts are the last text before each marker pair's end.
            assert.ok(shown.active.endsWith(`(${promptOf(e, dest)}) <old>`), `tcsh prompt shown: ${shown.output}`);
            assert.ok(shown.after.endsWith("<old>"), `tcsh prompt after deactivate: ${shown.output}`);
          })());
        }
      }
      await Promise.all(checks);
      assert.deepEqual(await canaries(e.root), []);
    },
  });
}

Deno.test({
  name: "activators: fish keeps the last status for the old prompt and ignores user functions named like builtins",
  ignore: skipIf(!findShell("fish"), "fish is not installed (apt-get install fish; .ci/run does)"),
  async fn() {
    const e = await envs();
    const out = await Deno.makeTempDir({ dir: e.root, prefix: "out_fish_status_" });
    // virtualenv #3185: user functions shadowing printf, echo, source or . must not break the prompt.
    const driver = `function fish_prompt; builtin printf '<old %s>' $status; end
source $ACT_DIR/activate.fish
for f in printf echo source . string
    function $f; builtin echo shadowed; end
end
false
fish_prompt > $OUT/prompt
`;
    const file = path.join(out, "driver.fish");
    await Deno.writeTextFile(file, driver);
    const r = await run(findShell("fish")!, ["--no-config", file], {
      cwd: e.work,
      env: shellEnv(e, out, { ACT_DIR: path.join(e.plain, "bin") }),
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await readText(out, "prompt"), "(env) <old 1>");
  },
});

Deno.test({
  name: "activators: nushell refuses `source` and says to use `overlay use`",
  ignore: skipIf(!findShell("nu"), "nu is not installed (npm's nushell package; .ci/run installs it)"),
  async fn() {
    const e = await envs();
    const r = await run(findShell("nu")!, ["-n", "-c", `source ${quoteNu(path.join(e.plain, "bin", "activate.nu"))}`], {
      cwd: e.work,
      env: shellEnv(e, e.work),
    });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /`activate\.nu` is meant to be used with `overlay use`, not `source`/);
  },
});

Deno.test("activators: activate_this.py activates the environment inside the base interpreter and its own", async () => {
  const e = await envs();
  const code = `import json, os, runpy, sys
before = list(sys.path)
runpy.run_path(sys.argv[1])
json.dump({"ve": os.environ["VIRTUAL_ENV"], "vep": os.environ["VIRTUAL_ENV_PROMPT"], "prefix": sys.prefix,
  "path0": os.environ["PATH"].split(os.pathsep)[0], "pkg": os.environ["PKG_CONFIG_PATH"],
  "home": os.environ.get("PYTHONHOME"), "new": sys.path[:len(sys.path) - len(before)], "rest": sys.path[len(sys.path) - len(before):] == before},
  open(sys.argv[2], "w"))
`;
  const cases = [e.plain, e.hostile, e.prompted].flatMap((dest) => [
    { dest, python: PYTHON },
    { dest, python: path.join(dest, "bin", "python") },
  ]);
  await Promise.all(cases.map(async ({ dest, python }) => {
    const out = await Deno.makeTempFile({ dir: e.root, prefix: "out_python_" });
    const r = await run(python, ["-c", code, path.join(dest, "bin", "activate_this.py"), out], {
      cwd: e.work,
      env: shellEnv(e, e.work, { PYTHONHOME: undefined }),
    });
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(await Deno.readTextFile(out));
    const sitePackages = path.join(dest, "lib", "python3.12", "site-packages");
    assert.deepEqual(result, {
      ve: dest,
      vep: promptOf(e, dest),
      prefix: dest,
      path0: path.join(dest, "bin"),
      pkg: path.join(dest, "lib", "pkgconfig"),
      home: null,
      new: python === PYTHON ? [sitePackages] : [],
      rest: true,
    });
  }));
  // Read as a string and run with exec, it has no __file__ and says how to use it.
  const r = await run(PYTHON, [
    "-c",
    "import sys; exec(open(sys.argv[1]).read())",
    path.join(e.plain, "bin", "activate_this.py"),
  ]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /AssertionError: You must use import runpy; runpy\.run_path\(this_file\)/);
});

Deno.test({
  name: "activators: TCL_LIBRARY and TK_LIBRARY are set while active and restored (or unset) after, in every shell",
  async fn() {
    const e = await envs();
    const tcl = path.join(e.root, "tcl 8.6 '$(touch pwned5)");
    const tk = path.join(e.root, "tk 8.6");
    // The base interpreters here use the system's Tcl, so the scripts are written again with libraries to point at.
    const layout: VenvLayout = {
      dest: e.plain,
      binDir: path.join(e.plain, "bin"),
      python: path.join(e.plain, "bin", "python"),
      purelib: path.join(e.plain, "lib", "python3.12", "site-packages"),
      platlib: path.join(e.plain, "lib", "python3.12", "site-packages"),
      include: path.join(e.plain, "include"),
      pyvenvCfg: path.join(e.plain, "pyvenv.cfg"),
    };
    const tclDest = path.join(e.root, "tcl env");
    const platform = platformFor("linux");
    const moved = { ...layout, dest: tclDest, binDir: path.join(tclDest, "bin") };
    await Deno.mkdir(moved.binDir, { recursive: true });
    await Deno.symlink(path.join(e.plain, "bin", "python"), path.join(moved.binDir, "python"));
    for (
      const op of activatorOps(selectActivators(undefined, platform), {
        layout: moved,
        platform,
        prompt: undefined,
        tclLibrary: tcl,
        tkLibrary: tk,
      })
    ) {
      await Deno.writeFile(op.path, typeof op.content === "string" ? new TextEncoder().encode(op.content) : op.content);
    }
    const probes: { shell: string; argv: (file: string) => string[]; suffix: string; script: string }[] = [
      ...SH_SHELLS.map((sh) => ({
        shell: sh.name,
        argv: (file: string) => [...sh.argv, file],
        suffix: ".sh",
        script: `set -eu
printf '%s\\0%s' "\${TCL_LIBRARY-<unset>}" "\${TK_LIBRARY-<unset>}" > "$OUT/before"
. "$ACT_DIR/activate"
printf '%s\\0%s' "\${TCL_LIBRARY-<unset>}" "\${TK_LIBRARY-<unset>}" > "$OUT/active"
deactivate
printf '%s\\0%s' "\${TCL_LIBRARY-<unset>}" "\${TK_LIBRARY-<unset>}" > "$OUT/after"
`,
      })),
      {
        shell: "fish",
        argv: (file) => ["--no-config", file],
        suffix: ".fish",
        script: `function show
    for v in TCL_LIBRARY TK_LIBRARY
        if set -q $v; printf '%s' $$v; else; printf '<unset>'; end
        test $v = TCL_LIBRARY; and printf '\\0'
    end
    return 0
end
show > $OUT/before
source $ACT_DIR/activate.fish
show > $OUT/active
deactivate
show > $OUT/after
`,
      },
      {
        shell: "tcsh",
        argv: (file) => ["-f", file],
        suffix: ".csh",
        script: `python3 $TCL_PROBE:q $OUT:q/before
source $ACT_DIR:q/activate.csh
python3 $TCL_PROBE:q $OUT:q/active
deactivate
python3 $TCL_PROBE:q $OUT:q/after
`,
      },
      {
        shell: "nu",
        argv: (file) => ["-n", "--no-std-lib", file],
        suffix: ".nu",
        script: `def show [name: string] {
    [($env.TCL_LIBRARY? | default '<unset>') ($env.TK_LIBRARY? | default '<unset>')] | str join (char nul) | save -f ($env.OUT | path join $name)
}
show before
overlay use ${quoteNu(path.join(moved.binDir, "activate.nu"))}
show active
deactivate
show after
`,
      },
      {
        shell: "xonsh",
        argv: (file) => ["--no-rc", file],
        suffix: ".xsh",
        script: `import os
def show(name):
    with open(os.path.join($OUT, name), "w", encoding="utf-8") as f:
        f.write(\${...}.get("TCL_LIBRARY", "<unset>") + "\\0" + \${...}.get("TK_LIBRARY", "<unset>"))
show("before")
source @(os.path.join($ACT_DIR, "activate.xsh"))
show("active")
deactivate
show("after")
`,
      },
    ];
    const tclProbe = path.join(e.root, "tcl_probe.py");
    await Deno.writeTextFile(
      tclProbe,
      "import os, sys\nopen(sys.argv[1], 'w', encoding='utf-8').write(\n" +
        "    os.environ.get('TCL_LIBRARY', '<unset>') + '\\0' + os.environ.get('TK_LIBRARY', '<unset>'))\n",
    );
    const installed = probes.filter((p) => findShell(p.shell));
    for (const p of probes) if (!findShell(p.shell)) console.log(`skipped ${p.shell}: not installed`);
    await Promise.all(installed.flatMap((p) =>
      [{ TK_LIBRARY: "/old/tk" }, {}].map(async (start) => {
        const out = await Deno.makeTempDir({ dir: e.root, prefix: `out_tcl_${p.shell}_` });
        const file = path.join(out, `driver${p.suffix}`);
        await Deno.writeTextFile(file, p.script);
        const r = await run(findShell(p.shell)!, p.argv(file), {
          cwd: e.work,
          env: shellEnv(e, out, { ACT_DIR: moved.binDir, TCL_PROBE: tclProbe, PYTHONHOME: undefined, ...start }),
        });
        assert.equal(r.code, 0, `${p.shell}: ${r.stderr}`);
        assert.equal(r.stderr, "", `${p.shell}: nothing on stderr`);
        const oldTk = "TK_LIBRARY" in start ? "/old/tk" : "<unset>";
        assert.equal(await readText(out, "before"), `<unset>\0${oldTk}`, p.shell);
        assert.equal(await readText(out, "active"), `${tcl}\0${tk}`, `${p.shell} while active`);
        assert.equal(await readText(out, "after"), `<unset>\0${oldTk}`, `${p.shell} after deactivate`);
      })
    ));
    assert.deepEqual(await canaries(e.root), []);
  },
});

Deno.test("activators: --prompt . names the prompt after the current folder, in pyvenv.cfg and the scripts", async () => {
  await using tmp = await tempDir();
  const cwd = path.join(tmp.path, "proj $(touch pwned) 'x'");
  await Deno.mkdir(cwd);
  const r = await mkvenv(["env", "-p", PYTHON, "--prompt", ".", "--app-data", path.join(tmp.path, "ad")], { cwd });
  assert.equal(r.code, 0, r.stderr);
  const cfg = await Deno.readTextFile(path.join(cwd, "env", "pyvenv.cfg"));
  assert.match(cfg, new RegExp(`^prompt = "${RegExp.escape(path.basename(cwd))}"$`, "m"));
  const s = await run("sh", ["-c", `. "$ACT"; printf '%s' "$VIRTUAL_ENV_PROMPT"`], {
    cwd: tmp.path,
    env: cleanEnv({ ACT: path.join(cwd, "env", "bin", "activate") }),
  });
  assert.equal(s.stdout, path.basename(cwd));
  assert.deepEqual(await canaries(tmp.path), []);
});

Deno.test("activators: --activators picks the scripts; an unknown or foreign name is a usage error", async () => {
  await using tmp = await tempDir();
  const ad = path.join(tmp.path, "ad");
  let r: RunResult = await mkvenv([
    path.join(tmp.path, "a"),
    "-p",
    PYTHON,
    "--app-data",
    ad,
    "--activators",
    "fish,python",
    "--json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).activators, ["fish", "python"]);
  const bin = [...Deno.readDirSync(path.join(tmp.path, "a", "bin"))].map((f) => f.name).filter((n) =>
    !n.startsWith("python")
  ).sort();
  assert.deepEqual(bin, ["activate.fish", "activate_this.py"]);
  r = await mkvenv([path.join(tmp.path, "b"), "-p", PYTHON, "--app-data", ad, "--activators", ""]);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /activators/);
  r = await mkvenv([path.join(tmp.path, "c"), "-p", PYTHON, "--app-data", ad]);
  assert.match(
    r.stdout,
    /\n {2}activators BashActivator,CShellActivator,FishActivator,NushellActivator,PowerShellActivator,PythonActivator,XonshActivator\n$/,
  );
  for (
    const [value, message] of [["bash,tcsh", 'Unknown activator "tcsh"'], [
      "batch",
      'Activator "batch" is not available on linux',
    ]]
  ) {
    r = await mkvenv([path.join(tmp.path, "d"), "--activators", value!]);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      new RegExp(
        `error: ${RegExp.escape(message!)}\\nhint: choose from: bash, cshell, fish, nushell, powershell, python, xonsh`,
      ),
    );
  }
  assert.equal([...Deno.readDirSync(tmp.path)].some((f) => f.name === "d"), false, "nothing made on a usage error");
});

Deno.test("activators: an interactive ksh or mksh may source the script from a function named activate", async (t) => {
  await using tmp = await tempDir();
  const r = await mkvenv([path.join(tmp.path, "env"), "-p", PYTHON, "--app-data", path.join(tmp.path, "ad")]);
  assert.equal(r.code, 0, r.stderr);
  const activate = path.join(tmp.path, "env", "bin", "activate");
  for (const name of ["ksh", "mksh"]) {
    const exe = findShell(name);
    await t.step({
      name,
      ignore: skipIf(!exe, `${name} is not installed`),
      async fn() {
        // In a ksh-style function $0 is the function's name, which looks like running the script itself.
        const script = 'function activate { . "$1"; }; activate "$1"; printf "%s" "$VIRTUAL_ENV"';
        const s = await run(exe!, ["-i", "-c", script, name, activate], { cwd: tmp.path, env: cleanEnv() });
        assert.equal(s.code, 0, s.stderr);
        assert.equal(s.stdout, path.join(tmp.path, "env"));
        const executed = await run(exe!, [activate], { cwd: tmp.path, env: cleanEnv() });
        assert.equal(executed.code, 33, "running it is still refused");
      },
    });
  }
});
