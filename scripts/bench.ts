/**
 * Times whole-process environment creation: mkvenv against `python -m venv` and virtualenv, in one run, tools
 * alternated run by run, destination on tmpfs, and prints medians, minimums and ratios.
 *
 * Usage: `deno task bench [--mode no-seed|seed] [--runs N] [--python EXE] [--dir DIR] [--json]`
 *
 * `no-seed` (default) times creating the environment alone; `seed` times the everyday call that also installs pip
 * (mkvenv from its app-data image, `python -m venv` through ensurepip, virtualenv from its app data).
 *
 * mkvenv runs twice: from source (`deno run -A cli.ts`) and bundled (`deno bundle --code-splitting`: the modules only a
 * cold run needs, such as the wheel reader and zip.js, stay in chunks loaded on demand, as in a compiled binary), the
 * closest stand-in
 * here for the compiled binary (`deno compile` cannot fetch its runtime on these machines). virtualenv is installed
 * from pip's configured index into a temporary environment; when that fails its row is left out, with the reason.
 *
 * @module
 */
import path from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    runs: { type: "string", default: "30" },
    python: { type: "string" },
    dir: { type: "string" },
    json: { type: "boolean", default: false },
    mode: { type: "string", default: "no-seed" },
  },
});
const seed = values.mode === "seed";
if (!seed && values.mode !== "no-seed") throw new Error(`--mode must be seed or no-seed, not ${values.mode}`);
/** mkvenv's and virtualenv's seeding flag for this mode. */
const seedFlag: string[] = seed ? [] : ["--no-seed"];
const label = seed ? "" : " --no-seed";
const runs = Number(values.runs);
const root = path.resolve(import.meta.dirname!, "..");
const home = Deno.env.get("HOME") ?? "/root";

function findPython(): string {
  if (values.python) return values.python;
  const pyenv = path.join(Deno.env.get("PYENV_ROOT") ?? path.join(home, ".pyenv"), "versions");
  try {
    const v = [...Deno.readDirSync(pyenv)].map((e) => e.name).filter((n) => /^3\.12\.\d+$/.test(n)).sort().pop();
    if (v) return path.join(pyenv, v, "bin", "python3.12");
  } catch { /* no pyenv */ }
  return "/usr/bin/python3";
}
const python = findPython();

/** tmpfs keeps disk write-back out of the numbers. */
function benchDir(): string {
  if (values.dir) return values.dir;
  try {
    if (Deno.statSync("/dev/shm").isDirectory) {
      return Deno.makeTempDirSync({ dir: "/dev/shm", prefix: "mkvenv_bench_" });
    }
  } catch { /* no tmpfs */ }
  return Deno.makeTempDirSync({ prefix: "mkvenv_bench_" });
}
const work = benchDir();

/** The environment every timed process gets: what a user's shell has, none of the PYTHON... and PIP_... extras this machine exports. */
const cleanEnv: Record<string, string> = {
  PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
  HOME: home,
  LANG: "C.UTF-8",
  DENO_DIR: Deno.env.get("DENO_DIR") ?? path.join(home, ".cache", "deno"),
};

async function output(cmd: string, args: string[], env: Record<string, string> = cleanEnv) {
  const out = await new Deno.Command(cmd, { args, env, clearEnv: true, stdout: "piped", stderr: "piped" }).output();
  return { code: out.code, text: new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr) };
}

interface Tool {
  readonly name: string;
  readonly argv: (dest: string) => string[];
}

const deno = Deno.execPath();
const appData = path.join(work, "app-data");
const bundleDir = path.join(work, "bundle");
const bundle = path.join(bundleDir, "cli.js");
const bundled = await output(deno, [
  "bundle",
  "--quiet",
  "--code-splitting",
  "--outdir",
  bundleDir,
  path.join(root, "cli.ts"),
], {
  ...cleanEnv,
  DENO_DIR: Deno.env.get("DENO_DIR") ?? path.join(home, ".cache", "deno"),
});
const tools: Tool[] = [];
const notes: string[] = [];
if (bundled.code === 0) {
  tools.push(
    {
      name: `mkvenv${label} (bundled)`,
      argv: (
        d,
      ) => [deno, "run", "-A", "--no-config", bundle, d, ...seedFlag, "-q", "-p", python, "--app-data", appData],
    },
    {
      // The everyday call: no -p, so discovery walks PATH and resolves version-manager shims (from the cache).
      name: `mkvenv${label}, no -p (bundled)`,
      argv: (d) => [deno, "run", "-A", "--no-config", bundle, d, ...seedFlag, "-q", "--app-data", appData],
    },
  );
} else notes.push(`bundle failed, its row is left out: ${bundled.text.trim().split("\n")[0]}`);
tools.push(
  {
    name: `mkvenv${label} (deno run cli.ts)`,
    argv: (d) => [
      deno,
      "run",
      "-A",
      "--config",
      path.join(root, "deno.json"),
      path.join(root, "cli.ts"),
      d,
      ...seedFlag,
      "-q",
      "-p",
      python,
      "--app-data",
      appData,
    ],
  },
  seed
    ? { name: "python -m venv (pip via ensurepip)", argv: (d) => [python, "-m", "venv", d] }
    : { name: "python -m venv --without-pip", argv: (d) => [python, "-m", "venv", "--without-pip", d] },
);

// virtualenv from pip's configured index (this run's own environment carries pip's configuration).
const veHome = path.join(work, "virtualenv-tool");
const made = await output(python, ["-m", "venv", veHome]);
const installed = made.code === 0
  ? await new Deno.Command(path.join(veHome, "bin", "python"), {
    args: ["-m", "pip", "install", "-q", "virtualenv"],
    stdout: "piped",
    stderr: "piped",
  }).output()
  : undefined;
if (installed?.code === 0) {
  const ve = path.join(veHome, "bin", "virtualenv");
  const veVersion = (await output(ve, ["--version"])).text.split(" ")[1] ?? "?";
  tools.push({
    name: `virtualenv ${veVersion}${label}`,
    argv: (d) => [ve, ...seedFlag, "-q", "-p", python, "--app-data", path.join(work, "ve-app-data"), d],
  });
} else {
  notes.push(
    `virtualenv could not be installed from pip's index, its row is left out: ${
      installed ? new TextDecoder().decode(installed.stderr).trim().split("\n").pop() : made.text.trim()
    }`,
  );
}

const times = new Map<string, number[]>(tools.map((t) => [t.name, []]));
const dest = path.join(work, "env");
for (let i = -1; i < runs; i++) { // run -1 warms every tool's caches and is not counted
  for (const tool of tools) {
    await Deno.remove(dest, { recursive: true }).catch(() => {});
    const [cmd, ...args] = tool.argv(dest);
    const start = performance.now();
    const r = await new Deno.Command(cmd!, { args, env: cleanEnv, clearEnv: true, stdout: "null", stderr: "piped" })
      .output();
    const elapsed = performance.now() - start;
    if (r.code !== 0) throw new Error(`${tool.name} failed: ${new TextDecoder().decode(r.stderr)}`);
    if (i >= 0) times.get(tool.name)!.push(elapsed);
  }
}
await Deno.remove(work, { recursive: true }).catch(() => {});

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const rows = tools.map((t) => ({
  tool: t.name,
  median: median(times.get(t.name)!),
  min: Math.min(...times.get(t.name)!),
}));
const base = rows[0]!.median;
if (values.json) {
  console.log(JSON.stringify({ python, runs, dir: work, rows, notes }, null, 2));
} else {
  const version = (await output(python, ["-c", "import platform; print(platform.python_version())"])).text.trim();
  console.log(
    `create ${seed ? "with pip seeded" : "without seeding"}, warm; Python ${version} (${python}); ${runs} runs per ` +
      `tool, alternated; ` +
      `destination on ${path.dirname(work)}`,
  );
  console.log(`| tool | median | min | median vs ${rows[0]!.tool} |\n| --- | --- | --- | --- |`);
  for (const r of rows) {
    console.log(
      `| ${r.tool} | ${r.median.toFixed(1)} ms | ${r.min.toFixed(1)} ms | ${(r.median / base).toFixed(2)}x |`,
    );
  }
  for (const n of notes) console.log(`note: ${n}`);
}
