/**
 * Times whole-process environment creation: mkvenv against `python -m venv` and virtualenv, tools alternated run by
 * run, destination (and app data) on tmpfs, and prints median, p10, p90 and each tool's median over mkvenv's as a
 * markdown table per mode.
 *
 * Usage: `deno task bench [--mode MODE[,MODE...]|all] [--runs N] [--slow-runs N] [--python EXE] [--virtualenv EXE]
 * [--dir DIR] [--json]`
 *
 * Modes (`--mode all` runs each in turn; the default is `no-seed`):
 * - `no-seed`: creating the environment alone.
 * - `seed`: the everyday call, pip seeded from warm app data (mkvenv hard-links its install image; virtualenv copies
 *   from its app data; `python -m venv` runs ensurepip).
 * - `seed-copy`: `--copies` for every tool (mkvenv then copies the interpreter and the seed files).
 * - `seed-symlink`: `--symlink-app-data` (mkvenv and virtualenv link the seed packages into their app-data images).
 * - `first-pip`: create with pip seeded, then `DEST/bin/pip --version`, timed together: the first pip call pays for
 *   any bytecode the seeded files lack.
 * - `cold`: a fresh, empty app-data folder for every run (mkvenv `--app-data`, virtualenv `--app-data`), the pip
 *   wheel already on disk: interpreter interrogation, wheel metadata and the install image all happen in the run.
 * - `seeder-pip`: `--seeder pip` (pip installs itself from its wheel inside the target interpreter).
 * - `unzip`: unpacking the pip wheel into an empty folder, one process each: mkvenv's extractor
 *   (`scripts/bench_extract.ts`, bundled; its in-process time is a row of its own) against `unzip -q` and
 *   `python -m zipfile -e`.
 *
 * `--runs` (default 30) applies to every mode but `cold` and `seeder-pip`, whose runs take seconds; `--slow-runs`
 * (default: `--runs`) applies to those. Each mode starts with one uncounted run per tool, which warms the app data,
 * Deno's code cache and the page cache; its result also fills the table's "seeded" column (what the environment got).
 *
 * After every run the bench waits, untimed, until no process a run left behind is still running (virtualenv's
 * periodic update, mkvenv's background byte-compile of a new image): they would steal the CPU from the next timed run.
 * The notes under the tables say who left what; each table's header gives the load average before and after.
 *
 * Every timed process gets the environment a user's shell would give it: PATH, HOME, LANG and DENO_DIR only, none of
 * the `PYTHON...` and `PIP_...` variables this machine exports (PYTHONDONTWRITEBYTECODE would hide the first pip
 * call's bytecode compilation). DENO_NO_UPDATE_CHECK=1 keeps Deno's own version check out, as in a compiled binary.
 *
 * mkvenv runs bundled (`deno bundle --code-splitting`: the modules only a cold run needs, such as the wheel reader,
 * stay in chunks loaded on demand, as in a compiled binary) with the binary's V8 flags (scripts/v8_flags.ts), the
 * closest stand-in here for the compiled binary (`deno compile` cannot fetch its runtime on these machines); `no-seed`
 * and `seed` add rows from source (`deno run cli.ts`), without `-p`, and for the same `deno run` of an empty script
 * (the floor under mkvenv's rows: the machine's speed of the moment, in the same run). `seed` and `first-pip` add
 * lower bounds timed in the same run: a `deno run` script that only makes the pip image's folders and hard links
 * (the least any tool linking that image does), and in `first-pip` also `pip --version` alone in an environment made
 * before; each target line then says how far the bound is from the limit and what mkvenv adds. virtualenv is
 * installed from pip's configured index into a temporary environment (or taken from `--virtualenv`); mkvenv gets
 * `--extra-search-dir` with virtualenv's embedded wheels, so both seed the same pip (`python -m venv` can only seed
 * the pip its ensurepip bundles). When virtualenv cannot be installed its rows are left out, with the reason.
 *
 * @module
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { V8_FLAGS } from "./v8_flags.ts";

const MODES = {
  "no-seed": "create without seeding",
  seed: "create with pip seeded from warm app data (mkvenv: hard links)",
  "seed-copy": "create with pip seeded from warm app data, --copies (mkvenv copies the interpreter and the seed files)",
  "seed-symlink": "create with pip seeded from warm app data, --symlink-app-data (seed packages linked to the image)",
  "first-pip": "create with pip seeded (warm), then the first `DEST/bin/pip --version`, timed together",
  cold: "create with pip seeded, first run: a fresh, empty app-data folder every run, the pip wheel already local",
  "seeder-pip": "create with pip installed by pip from its wheel (--seeder pip)",
  unzip: "unpack the pip wheel into an empty folder on tmpfs, one whole process each",
} as const;
type Mode = keyof typeof MODES;
const SLOW_MODES: readonly Mode[] = ["cold", "seeder-pip"];

const { values } = parseArgs({
  args: Deno.args,
  options: {
    runs: { type: "string", default: "30" },
    "slow-runs": { type: "string" },
    python: { type: "string" },
    virtualenv: { type: "string" },
    dir: { type: "string" },
    json: { type: "boolean", default: false },
    mode: { type: "string", default: "no-seed" },
  },
});
const allModes = Object.keys(MODES) as Mode[];
const modes: Mode[] = values.mode === "all" ? allModes : values.mode.split(",").map((m) => {
  if (!(m in MODES)) {
    throw new Error(`--mode must be all or a comma-separated list of ${allModes.join(", ")}; not ${m}`);
  }
  return m as Mode;
});
const runs = Number(values.runs);
const slowRuns = Number(values["slow-runs"] ?? values.runs);
if (!(runs >= 1 && slowRuns >= 1)) throw new Error("--runs and --slow-runs must be at least 1");
const root = path.resolve(import.meta.dirname!, "..");
const home = Deno.env.get("HOME") ?? "/root";
const decode = (b: Uint8Array) => new TextDecoder().decode(b);

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

/** A fresh folder for this run, on tmpfs when there is one: disk write-back stays out of the numbers. */
function benchDir(): string {
  const parent = values.dir ?? (isDir("/dev/shm") ? "/dev/shm" : undefined);
  return Deno.makeTempDirSync({ ...(parent ? { dir: parent } : {}), prefix: "mkvenv_bench_" });
}
function exists(p: string): boolean {
  try {
    Deno.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}
function isDir(p: string): boolean {
  try {
    return Deno.statSync(p).isDirectory;
  } catch {
    return false;
  }
}
const work = benchDir();

/** The environment every timed process gets: what a user's shell has, none of the PYTHON... and PIP_... extras. */
const cleanEnv: Record<string, string> = {
  PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
  HOME: home,
  LANG: "C.UTF-8",
  DENO_DIR: Deno.env.get("DENO_DIR") ?? path.join(home, ".cache", "deno"),
  DENO_NO_UPDATE_CHECK: "1",
};

async function output(cmd: string, args: string[], env: Record<string, string> | undefined = cleanEnv) {
  const out = await new Deno.Command(cmd, {
    args,
    ...(env ? { env, clearEnv: true } : {}),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, text: decode(out.stdout) + decode(out.stderr), stdout: decode(out.stdout) };
}

// --- the tools ---------------------------------------------------------------------------------------------------

const deno = Deno.execPath();
const appData = path.join(work, "app-data");
const veAppData = path.join(work, "ve-app-data");
const notes: string[] = [];

/**
 * mkvenv's command line up to its own arguments: the bundle when it builds, else the source.
 *
 * A compiled binary loads a chunk when the code imports it; `deno run` reads and analyses, before starting, every
 * module an `import("./literal.js")` names. The bundle's dynamic imports are therefore rewritten to
 * `import(String("./literal.js"))`, which `deno run` leaves for run time, so that the warm path does not pay for the
 * cold path's chunks (the wheel reader, the index client, the interrogation script), as it does not in the binary.
 */
async function bundleEntry(entry: string, outdir: string): Promise<string[] | undefined> {
  const r = await output(deno, ["bundle", "--quiet", "--code-splitting", "--outdir", outdir, entry]);
  if (r.code !== 0) {
    notes.push(`bundling ${path.basename(entry)} failed, running it from source: ${r.text.trim().split("\n")[0]}`);
    return undefined;
  }
  for (const chunk of Deno.readDirSync(outdir)) {
    const file = path.join(outdir, chunk.name);
    const text = Deno.readTextFileSync(file);
    Deno.writeTextFileSync(file, text.replace(/\bimport\("(\.\/[^"]+\.js)"\)/g, 'import(String("$1"))'));
  }
  const main = path.join(outdir, path.basename(entry).replace(/\.ts$/, ".js"));
  return [deno, "run", "-A", "--no-config", `--v8-flags=${V8_FLAGS}`, main];
}

/**
 * A snapshot of the sources, taken once: every row runs the same code even while the checkout is being edited (the
 * source rows read their modules at each start).
 */
function snapshot(): string {
  const src = path.join(work, "src");
  const copy = (from: string, to: string) => {
    if (Deno.statSync(from).isDirectory) {
      Deno.mkdirSync(to, { recursive: true });
      for (const e of Deno.readDirSync(from)) copy(path.join(from, e.name), path.join(to, e.name));
    } else Deno.copyFileSync(from, to);
  };
  for (const entry of ["cli.ts", "mod.ts", "deno.json", "deno.lock", "lib", "scripts/bench_extract.ts"]) {
    if (!exists(path.join(root, entry))) continue;
    Deno.mkdirSync(path.dirname(path.join(src, entry)), { recursive: true });
    copy(path.join(root, entry), path.join(src, entry));
  }
  return src;
}
const src = snapshot();
const mkvenvSource = [deno, "run", "-A", "--config", path.join(src, "deno.json"), path.join(src, "cli.ts")];
const mkvenvBundle = await bundleEntry(path.join(src, "cli.ts"), path.join(work, "bundle"));
const mkvenvCmd = mkvenvBundle ?? mkvenvSource;
const how = mkvenvBundle ? "bundled" : "deno run cli.ts";

interface Virtualenv {
  readonly exe: string;
  readonly version: string;
  /** Its embedded seed wheels, when found. */
  readonly embed: string | undefined;
}

async function findVirtualenv(): Promise<Virtualenv | undefined> {
  let exe = values.virtualenv;
  let interpreter: string | undefined;
  if (!exe) {
    // From pip's configured index: this install (alone) keeps the machine's PIP_... configuration.
    const veHome = path.join(work, "virtualenv-tool");
    const made = await output(python, ["-m", "venv", veHome]);
    interpreter = path.join(veHome, "bin", "python");
    const installed = made.code === 0
      ? await output(interpreter, ["-m", "pip", "install", "-q", "virtualenv"], undefined)
      : made;
    if (installed.code !== 0) {
      notes.push(
        `virtualenv could not be installed, its rows are left out: ${installed.text.trim().split("\n").pop()}`,
      );
      return undefined;
    }
    exe = path.join(veHome, "bin", "virtualenv");
  } else {
    interpreter = /^#!\s*(\S+)/.exec(Deno.readTextFileSync(exe).split("\n", 1)[0] ?? "")?.[1];
  }
  const version = (await output(exe, ["--version"])).text.split(" ")[1] ?? "?";
  const embed = interpreter
    ? (await output(interpreter, ["-c", "import virtualenv.seed.wheels.embed as e; print(e.BUNDLE_FOLDER)"])).stdout
      .trim()
    : "";
  return { exe, version, embed: embed && isDir(embed) ? embed : undefined };
}
const ve = await findVirtualenv();
/** mkvenv seeds from the same wheels as virtualenv. */
const extra: string[] = ve?.embed ? ["--extra-search-dir", ve.embed] : [];

/** The pip wheel the `unzip` mode unpacks: virtualenv's embedded one (mkvenv seeds it too), else ensurepip's. */
function pipWheel(): string | undefined {
  const dirs = [
    ...(ve?.embed ? [ve.embed] : []),
    ...[...new Set([path.dirname(python), path.dirname(path.dirname(python))])].map((d) =>
      path.join(d, "lib", path.basename(python).replace(/^python(3\.\d+).*$/, "python$1"), "ensurepip", "_bundled")
    ),
  ];
  const key = (n: string) => (/^pip-([\d.]+)-/.exec(n)?.[1] ?? "0").split(".").map((x) => x.padStart(6, "0")).join(".");
  for (const dir of dirs) {
    let names: string[];
    try {
      names = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => /^pip-.*\.whl$/.test(n));
    } catch {
      continue;
    }
    const newest = names.sort((a, b) => key(a) < key(b) ? -1 : 1).pop();
    if (newest) return path.join(dir, newest);
  }
  return undefined;
}

/** What one run is given: where to create, and an empty folder made for it before the clock starts. */
interface RunPaths {
  readonly dest: string;
  readonly fresh: string;
}

/** What a row measures. */
type Role = "mkvenv" | "venv" | "virtualenv" | "virtualenv-symlink" | "unzip" | "links" | "pip" | "other";

interface Tool {
  readonly name: string;
  readonly role: Role;
  /** Processes run one after the other inside the timed span. */
  readonly steps: (p: RunPaths) => string[][];
  /** The last step prints `{"ms": N}`, the in-process time, shown as a row of its own. */
  readonly inner?: string;
}

const mk = (flags: string[], name = "", role: Role = "mkvenv") => ({
  name: `mkvenv${name ? ` ${name}` : ""} (${how})`,
  role,
  steps: (p: RunPaths) => [[...mkvenvCmd, p.dest, "-q", "-p", python, "--app-data", appData, ...extra, ...flags]],
});
const venv = (flags: string[], name: string): Tool => ({
  name,
  role: "venv",
  steps: (p) => [[python, "-m", "venv", ...flags, p.dest]],
});
const virtualenv = (flags: string[], name = "", role: Role = "virtualenv", data = veAppData): Tool[] =>
  ve
    ? [{
      name: `virtualenv ${ve.version}${name ? ` ${name}` : ""}`,
      role,
      steps: (p) => [[ve.exe, "-q", "-p", python, "--app-data", data || p.fresh, ...flags, p.dest]],
    }]
    : [];
/**
 * Deno itself: the same `deno run` command line on a script that does nothing. The floor under every mkvenv row of
 * the same run, so that a slower machine state shows as such rather than as a slower mkvenv.
 */
const denoFloor = (): Tool[] => {
  if (!mkvenvBundle) return [];
  const script = path.join(work, "empty.js");
  Deno.writeTextFileSync(script, "");
  return [{
    name: "deno run of an empty script (the floor)",
    role: "other",
    steps: () => [[...mkvenvBundle.slice(0, -1), script]],
  }];
};
/**
 * The newest pip install image in mkvenv's app data (made by the mode's first warm-up run): its `site` folder, the
 * Python X.Y it is for, and its folders and files relative to `site`, parents first.
 */
function imageListing(): { site: string; xy: string; dirs: string[]; files: string[] } {
  const images = path.join(appData, "mkvenv-v1", "images");
  let newest: { site: string; xy: string; mtime: number } | undefined;
  for (const xy of Deno.readDirSync(images)) {
    for (const image of Deno.readDirSync(path.join(images, xy.name))) {
      const site = path.join(images, xy.name, image.name, "site");
      if (!image.name.startsWith("pip-") || !exists(site)) continue;
      const mtime = Deno.statSync(site).mtime?.getTime() ?? 0;
      if (!newest || mtime > newest.mtime) newest = { site, xy: xy.name, mtime };
    }
  }
  if (!newest) throw new Error(`no pip image in ${images}`);
  const dirs: string[] = [];
  const files: string[] = [];
  const walk = (rel: string) => {
    for (const e of Deno.readDirSync(path.join(newest.site, rel))) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory) {
        dirs.push(child);
        walk(child);
      } else files.push(child);
    }
  };
  walk("");
  return { site: newest.site, xy: newest.xy, dirs, files };
}

/**
 * A lower bound under mkvenv's warm row: a Deno script that does only what any tool hard-linking pip's image must
 * do, the same `deno run` command line making the image's folders under DEST's site-packages and linking its files,
 * from a listing read from one JSON file (as mkvenv reads its own). mkvenv's row minus this one is everything mkvenv
 * adds: discovery, options, the interpreter's links, `pyvenv.cfg`, scripts, RECORD, activators, the report.
 */
const linksAlone = (): Tool[] => {
  if (!mkvenvBundle) return [];
  const script = path.join(work, "links_alone.js");
  const listing = path.join(work, "links_alone.json");
  Deno.writeTextFileSync(
    script,
    `const [listing, dest] = Deno.args;
const { site, xy, dirs, files } = JSON.parse(Deno.readTextFileSync(listing));
const target = dest + "/lib/python" + xy + "/site-packages";
Deno.mkdirSync(target, { recursive: true });
for (const d of dirs) Deno.mkdirSync(target + "/" + d);
Deno.chdir(site);
for (const f of files) Deno.linkSync(f, target + "/" + f);
`,
  );
  let listed = false;
  return [{
    name: "deno run, the pip image's hard links alone (a lower bound)",
    role: "links",
    steps: (p) => {
      if (!listed) Deno.writeTextFileSync(listing, JSON.stringify(imageListing()));
      listed = true;
      return [[...mkvenvBundle.slice(0, -1), script, listing, p.dest]];
    },
  }];
};

/**
 * A lower bound under the first-pip rows: `pip --version` in an environment mkvenv made before the run, so every
 * run times pip's own start alone (bytecode in place, nothing compiled).
 */
const pipAlone = (): Tool[] => {
  const made = path.join(work, "pip-alone");
  let ready = false;
  return [{
    name: "pip --version alone, in an environment made earlier (a lower bound)",
    role: "pip",
    steps: () => {
      if (!ready) {
        const r = new Deno.Command(mkvenvCmd[0]!, {
          args: [...mkvenvCmd.slice(1), made, "-q", "-p", python, "--app-data", appData, ...extra],
          env: cleanEnv,
          clearEnv: true,
        }).outputSync();
        if (r.code !== 0) throw new Error(`making ${made} failed: ${decode(r.stderr)}`);
        ready = true;
      }
      return [[path.join(made, "bin", "pip"), "--version"]];
    },
  }];
};

/** Adds the first `pip --version` to a tool's steps. */
const thenPip = (t: Tool): Tool => ({
  ...t,
  name: `${t.name} + pip --version`,
  steps: (p) => [...t.steps(p), [path.join(p.dest, "bin", "pip"), "--version"]],
});

function toolsFor(mode: Mode): Tool[] {
  switch (mode) {
    case "no-seed":
      return [
        mk(["--no-seed"], "--no-seed"),
        {
          // The everyday call: no -p, so discovery walks PATH and resolves version-manager shims (from the cache).
          name: `mkvenv --no-seed, no -p (${how})`,
          role: "other",
          steps: (p) => [[...mkvenvCmd, p.dest, "--no-seed", "-q", "--app-data", appData]],
        },
        ...(mkvenvBundle
          ? [{
            name: "mkvenv --no-seed (deno run cli.ts)",
            role: "other" as const,
            steps: (p: RunPaths) => [[...mkvenvSource, p.dest, "--no-seed", "-q", "-p", python, "--app-data", appData]],
          }]
          : []),
        ...denoFloor(),
        venv(["--without-pip"], "python -m venv --without-pip"),
        ...virtualenv(["--no-seed"], "--no-seed"),
      ];
    case "seed":
      return [
        mk([]),
        {
          name: `mkvenv, no -p (${how})`,
          role: "other",
          steps: (p) => [[...mkvenvCmd, p.dest, "-q", "--app-data", appData, ...extra]],
        },
        ...(mkvenvBundle
          ? [{
            name: "mkvenv (deno run cli.ts)",
            role: "other" as const,
            steps: (p: RunPaths) => [[...mkvenvSource, p.dest, "-q", "-p", python, "--app-data", appData, ...extra]],
          }]
          : []),
        ...denoFloor(),
        ...linksAlone(),
        venv([], "python -m venv (ensurepip)"),
        ...virtualenv([]),
        ...virtualenv(["--symlink-app-data"], "--symlink-app-data", "virtualenv-symlink"),
      ];
    case "seed-copy":
      return [
        mk(["--copies"], "--copies"),
        venv(["--copies"], "python -m venv --copies (ensurepip)"),
        ...virtualenv(["--copies"], "--copies"),
      ];
    case "seed-symlink":
      return [
        mk(["--symlink-app-data"], "--symlink-app-data"),
        ...virtualenv(["--symlink-app-data"], "--symlink-app-data", "virtualenv-symlink"),
        ...virtualenv([], "(default)"),
      ];
    case "first-pip":
      return [
        thenPip(mk([])),
        thenPip(mk(["--symlink-app-data"], "--symlink-app-data", "other")),
        ...linksAlone(),
        ...pipAlone(),
        thenPip(venv([], "python -m venv (ensurepip)")),
        ...virtualenv([]).map(thenPip),
        ...virtualenv(["--symlink-app-data"], "--symlink-app-data", "virtualenv-symlink").map(thenPip),
      ];
    case "cold":
      return [
        {
          name: `mkvenv, empty --app-data (${how})`,
          role: "mkvenv",
          steps: (p) => [[...mkvenvCmd, p.dest, "-q", "-p", python, "--app-data", p.fresh, ...extra]],
        },
        ...virtualenv([], "empty --app-data", "virtualenv", ""),
        venv([], "python -m venv (ensurepip; no app data)"),
      ];
    case "seeder-pip":
      return [
        mk(["--seeder", "pip"], "--seeder pip"),
        ...virtualenv(["--seeder", "pip"], "--seeder pip"),
        venv([], "python -m venv (ensurepip)"),
      ];
    case "unzip": {
      const wheel = pipWheel();
      if (!wheel) {
        notes.push("unzip: no pip wheel found, mode skipped");
        return [];
      }
      return [
        {
          name: `mkvenv extractWheel (${extractHow}) ${path.basename(wheel)}`,
          role: "mkvenv",
          steps: (p) => [[...extractCmd!, wheel, p.fresh]],
          inner: "mkvenv extractWheel, in-process part",
        },
        { name: "unzip -q", role: "unzip", steps: (p) => [["unzip", "-q", wheel, "-d", p.fresh]] },
        {
          name: "python -m zipfile -e",
          role: "other",
          steps: (p) => [[python, "-m", "zipfile", "-e", wheel, p.fresh]],
        },
      ];
    }
  }
}

const extractBundle = modes.includes("unzip")
  ? await bundleEntry(path.join(src, "scripts", "bench_extract.ts"), path.join(work, "bundle-extract"))
  : undefined;
const extractCmd = extractBundle ??
  [deno, "run", "-A", "--config", path.join(src, "deno.json"), path.join(src, "scripts", "bench_extract.ts")];
const extractHow = extractBundle ? "bundled" : "deno run";

// --- running -----------------------------------------------------------------------------------------------------

/** What the environment got: pip's version and how its files arrived. */
function seededIn(dest: string): string {
  const lib = path.join(dest, "lib");
  let site: string | undefined;
  try {
    const py = [...Deno.readDirSync(lib)].find((e) => /^(python|pypy)/.test(e.name));
    if (py) site = path.join(lib, py.name, "site-packages");
  } catch {
    return "";
  }
  if (!site) return "";
  let names: string[];
  try {
    names = [...Deno.readDirSync(site)].map((e) => e.name);
  } catch {
    return "";
  }
  const dists = names.flatMap((n) => /^(pip|setuptools)-(.+)\.dist-info$/.exec(n)?.slice(1, 3).join(" ") ?? []).sort();
  if (!dists.length) return "nothing";
  let mode = "files";
  try {
    if (Deno.lstatSync(path.join(site, "pip")).isSymlink) mode = "symlink";
    else if ((Deno.statSync(path.join(site, "pip", "__init__.py")).nlink ?? 1) > 1) mode = "hardlink";
  } catch { /* no pip package folder */ }
  // Bytecode already there spares the first pip call compiling it (the first-pip mode).
  if (exists(path.join(site, "pip", "__pycache__"))) mode += ", with .pyc";
  return `${dists.join(", ")} (${mode})`;
}

interface Row {
  readonly tool: string;
  readonly role: Role;
  readonly seeded: string;
  readonly times: number[];
  readonly median: number;
  readonly p10: number;
  readonly p90: number;
  readonly min: number;
}

/** Linear-interpolated quantile of sorted numbers. */
function quantile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}
function row(tool: string, role: Role, seeded: string, times: number[]): Row {
  const s = [...times].sort((a, b) => a - b);
  return {
    tool,
    role,
    seeded,
    times,
    median: quantile(s, 0.5),
    p10: quantile(s, 0.1),
    p90: quantile(s, 0.9),
    min: s[0]!,
  };
}

async function timeSteps(tool: Tool, p: RunPaths): Promise<{ ms: number; inner?: number }> {
  let inner: number | undefined;
  const start = performance.now();
  for (const [cmd, ...args] of tool.steps(p)) {
    const r = await new Deno.Command(cmd!, {
      args,
      env: cleanEnv,
      clearEnv: true,
      stdin: "null",
      stdout: tool.inner ? "piped" : "null",
      stderr: "piped",
    }).output();
    if (r.code !== 0) throw new Error(`${tool.name} failed (exit ${r.code}) running ${cmd}: ${decode(r.stderr)}`);
    if (tool.inner) inner = (JSON.parse(decode(r.stdout)) as { ms: number }).ms;
  }
  const ms = performance.now() - start;
  return inner === undefined ? { ms } : { ms, inner };
}

/** Processes other than this one whose command line or environment names the bench folder: what a run left running. */
function lingering(): string[] {
  const out: string[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync("/proc")];
  } catch {
    return out; // no procfs: nothing to wait for that we could see
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e.name) || Number(e.name) === Deno.pid) continue;
    try {
      // mkvenv hands its background job the app-data folder in the environment, virtualenv on the command line.
      const cmdline = Deno.readTextFileSync(`/proc/${e.name}/cmdline`);
      if (cmdline.includes(work) || Deno.readTextFileSync(`/proc/${e.name}/environ`).includes(work)) {
        out.push(cmdline.split("\0").slice(0, 4).join(" "));
      }
    } catch { /* gone */ }
  }
  return out;
}

/**
 * Waits (untimed) until nothing a run started is still running: virtualenv starts its periodic update in the
 * background on an app-data folder that has none (`pip download`, seconds), which would otherwise steal the CPU from
 * the next tool's timed run. Returns the milliseconds waited.
 */
async function settle(): Promise<number> {
  const start = performance.now();
  while (lingering().length && performance.now() - start < 300_000) await new Promise((r) => setTimeout(r, 50));
  return performance.now() - start;
}

async function bench(mode: Mode): Promise<Row[]> {
  const tools = toolsFor(mode);
  const n = SLOW_MODES.includes(mode) ? slowRuns : runs;
  const times = tools.map(() => [] as number[]);
  const inner = tools.map(() => [] as number[]);
  const seeded = tools.map(() => "");
  const dest = path.join(work, "env");
  const fresh = path.join(work, "fresh");
  const settled = new Map<string, [number, number]>();
  await settle();
  for (let i = -1; i < n; i++) { // run -1 warms every tool's caches and is not counted
    for (const [k, tool] of tools.entries()) {
      await Deno.remove(dest, { recursive: true }).catch(() => {});
      await Deno.remove(fresh, { recursive: true }).catch(() => {});
      Deno.mkdirSync(fresh);
      const t = await timeSteps(tool, { dest, fresh });
      const waited = await settle();
      if (waited > 250) {
        settled.set(tool.name, [(settled.get(tool.name)?.[0] ?? 0) + 1, (settled.get(tool.name)?.[1] ?? 0) + waited]);
      }
      if (i < 0) seeded[k] = mode === "unzip" ? "" : seededIn(dest);
      else {
        times[k]!.push(t.ms);
        if (t.inner !== undefined) inner[k]!.push(t.inner);
      }
    }
  }
  await Deno.remove(dest, { recursive: true }).catch(() => {});
  await Deno.remove(fresh, { recursive: true }).catch(() => {});
  for (const [name, [count, ms]] of settled) {
    notes.push(
      `${mode}: ${name} left processes running in the background after ${count} of ${n + 1} runs (a periodic ` +
        `update); the next run waited for them, ${(ms / count / 1000).toFixed(1)} s on average, untimed`,
    );
  }
  return tools.flatMap((t, k) => [
    row(t.name, t.role, seeded[k]!, times[k]!),
    ...(t.inner ? [row(t.inner, "other", "", inner[k]!)] : []),
  ]);
}

/** The issue's targets for a mode, checked against its rows. */
function targets(mode: Mode, rows: readonly Row[]): string[] {
  const m = rows.find((r) => r.role === "mkvenv");
  if (!m) return [];
  const by = (role: Role) => rows.find((r) => r.role === role);
  const verdict = (ok: boolean) => ok ? "met" : "MISSED";
  const ratio = (role: Role, want: number, what: string) => {
    const r = by(role);
    return r
      ? [`${what} ≥ ${want}x: ${(r.median / m.median).toFixed(1)}x, ${verdict(r.median / m.median >= want)}`]
      : [];
  };
  const ms = (limit: number) => `median ≤ ${limit} ms: ${m.median.toFixed(1)} ms, ${verdict(m.median <= limit)}`;
  // What the machine allows at the moment: the lower-bound rows, and the limit against them.
  const label: Partial<Record<Role, string>> = { links: "the image's hard links alone", pip: "pip --version alone" };
  const bound = (limit: number, parts: Role[]) => {
    const found = parts.map(by);
    if (found.some((r) => !r)) return [];
    const floor = found.reduce((sum, r) => sum + r!.median, 0);
    return [
      `lower bound (${parts.map((p) => label[p]).join(" + ")}): ${floor.toFixed(1)} ms, ` +
      `${floor <= limit ? "under" : "over"} the ${limit} ms limit; mkvenv adds ${(m.median - floor).toFixed(1)} ms`,
    ];
  };
  switch (mode) {
    case "seed":
      return [
        ms(30),
        ...bound(30, ["links"]),
        ...ratio("virtualenv", 7, "vs virtualenv default"),
        ...ratio("venv", 75, "vs python -m venv"),
      ];
    case "cold":
      return [ms(250), ...ratio("virtualenv", 1, "vs virtualenv cold")];
    case "first-pip":
      return [ms(200), ...bound(200, ["links", "pip"])];
    case "unzip": {
      const u = by("unzip");
      return u
        ? [`within 2x of unzip: ${(m.median / u.median).toFixed(2)}x, ${verdict(m.median <= 2 * u.median)}`]
        : [];
    }
    default:
      return [];
  }
}

const results: { mode: Mode; load: string; title: string; runs: number; rows: Row[]; targets: string[] }[] = [];
/** The one-minute load average, from before the mode ran to after: other work on the machine shows here. */
function loadAverage(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ")[0]!;
  } catch {
    return "?";
  }
}
const version = (await output(python, ["-c", "import platform; print(platform.python_version())"])).text.trim();
const fmt = (x: number) => `${x.toFixed(1)} ms`;
try {
  for (const mode of modes) {
    const started = performance.now();
    const loadBefore = loadAverage();
    const rows = await bench(mode);
    const load = `${loadBefore} → ${loadAverage()}`;
    const result = {
      mode,
      load,
      title: MODES[mode],
      runs: SLOW_MODES.includes(mode) ? slowRuns : runs,
      rows,
      targets: targets(mode, rows),
    };
    results.push(result);
    if (values.json || !rows.length) continue;
    const base = rows[0]!.median;
    console.log(`\n### ${mode}: ${result.title}\n`);
    console.log(
      `Python ${version} (${python}); ${result.runs} runs per tool, alternated run by run; destination and app data ` +
        `on ${path.dirname(work)}; ${((performance.now() - started) / 1000).toFixed(0)} s in all; load average ` +
        `${load} on ${navigator.hardwareConcurrency} CPUs (anything else running skews the numbers).\n`,
    );
    const showSeeded = rows.some((r) => r.seeded);
    console.log(
      `| tool |${showSeeded ? " seeded |" : ""} median | p10 | p90 | median / mkvenv's |\n` +
        `| --- |${showSeeded ? " --- |" : ""} --- | --- | --- | --- |`,
    );
    for (const r of rows) {
      console.log(
        `| ${r.tool} |${showSeeded ? ` ${r.seeded} |` : ""} ${fmt(r.median)} | ${fmt(r.p10)} | ${fmt(r.p90)} | ` +
          `${(r.median / base).toFixed(2)}x |`,
      );
    }
    for (const t of result.targets) console.log(`\ntarget: ${t}`);
  }
} finally {
  await Deno.remove(work, { recursive: true }).catch(() => {});
}
if (values.json) console.log(JSON.stringify({ python, version, dir: path.dirname(work), results, notes }, null, 2));
else for (const n of notes) console.log(`\nnote: ${n}`);
