/**
 * Seeding: which packages go into a new environment (pip, and setuptools below Python 3.12), from which wheels, and
 * the plan that installs them, either from app-data install images (`app-data`, the default) or by running pip from
 * the wheel inside the target interpreter (`pip`).
 *
 * @module
 */
import type { CreatorInput, VenvLayout } from "../creator/creator.ts";
import type { PythonInfo } from "../discovery/py_info.ts";
import { parseVersion } from "../discovery/pep440.ts";
import { usageError } from "../errors.ts";
import type { PlanOp } from "../plan/ops.ts";
import { hostPath } from "../path.ts";
import type { AcquiredWheel, SeedVersion } from "./acquire.ts";
import {
  type ConsoleScript,
  consoleScriptsToWrite,
  csvField,
  firstCsvField,
  launcherZipDateTime,
  recordHash,
  renderConsoleScript,
  renderWindowsConsoleScript,
  type ScriptTemplate,
  scriptTemplateFor,
  windowsLauncherName,
  windowsScriptFileName,
  writesRequested,
} from "./console_scripts.ts";
import { bytecodeTag, compiledFiles, type Image, type TreeToInstall, treeToInstall } from "./image.ts";

/** Seeding options, as the command line gives them. */
export interface SeedOptions {
  /** Seed nothing. */
  readonly noSeed?: boolean | undefined;
  /** `app-data`, `pip` or a registered seeder's name. @default {"app-data"} */
  readonly seeder?: string | undefined;
  /** pip's version request. @default {"bundle"} */
  readonly pip?: string | undefined;
  /** setuptools' version request. @default {"bundle" below Python 3.12, else "none"} */
  readonly setuptools?: string | undefined;
  /** Skip pip. */
  readonly noPip?: boolean | undefined;
  /** Skip setuptools. */
  readonly noSetuptools?: boolean | undefined;
  /** Link top-level folders to the image instead of hard-linking files. */
  readonly symlinkAppData?: boolean | undefined;
}

/** One package to seed and the version asked for. */
export interface SeedRequest {
  /** Project name. */
  readonly project: string;
  /** Version request. */
  readonly version: SeedVersion;
}

/**
 * Checks the seeding options (usage errors, before anything is searched): a version is a PEP 440 one, and
 * `--symlink-app-data` goes with the app-data seeder only. The seeder's name is checked against the registry by
 * `selectSeeder` in ./registry.ts. `origin` says where an option's value came from (` (from env var ...)`).
 */
export function checkSeedOptions(options: SeedOptions, origin: (name: string) => string = () => ""): void {
  for (const [name, value] of [["pip", options.pip], ["setuptools", options.setuptools]] as const) {
    if (value === undefined || /^(bundle|embed|latest|none)$/.test(value)) continue;
    try {
      parseVersion(value);
    } catch {
      throw usageError(
        `Invalid --${name} value "${value}"${origin(name)}`,
        "use bundle, embed, latest, none or a version like 26.0",
      );
    }
  }
  if (options.symlinkAppData && options.seeder !== undefined && options.seeder !== "app-data") {
    throw usageError(
      `--symlink-app-data${origin("symlink-app-data")} only applies to the app-data seeder, not to ` +
        `--seeder ${options.seeder}${origin("seeder")}`,
    );
  }
}

/** The packages to seed into an environment for `info`, in install order. */
export function seedRequests(options: SeedOptions, info: PythonInfo): SeedRequest[] {
  if (options.noSeed) return [];
  const out: SeedRequest[] = [];
  const pip = options.noPip ? "none" : options.pip ?? "bundle";
  if (pip !== "none") out.push({ project: "pip", version: pip });
  const modern = info.versionInfo.major > 3 || info.versionInfo.minor >= 12;
  const setuptools = options.noSetuptools ? "none" : options.setuptools ?? (modern ? "none" : "bundle");
  if (setuptools !== "none") out.push({ project: "setuptools", version: setuptools });
  return out;
}

/** `to` relative to `from`, with `/` (RECORD paths are POSIX-style relative paths from site-packages). */
function relativePosix(input: CreatorInput, from: string, to: string): string {
  return input.platform.path.relative(from, to).split(/[\\/]/).join("/");
}

/** How an image's files reach site-packages. */
export type SeedLink = "hardlink" | "copy" | "symlink";

/** The seeded pip whose vendored distlib provides the Windows launchers of console scripts. */
export interface LauncherPip {
  /** pip's install image (its `site` folder holds `pip/_vendor/distlib/`). */
  readonly image: Image;
  /** pip's version, for messages. */
  readonly version: string;
}

/** Options for {@linkcode imageInstallOps}. */
export interface ImageInstallOptions {
  /** Receives problems that do not stop seeding (a pip without Windows launchers). */
  readonly warn?: ((message: string) => void) | undefined;
  /**
   * On Windows, the pip whose distlib launchers the `.exe` scripts get, as pip's own install would use its own.
   * @default {the image itself when it is pip; else none, and the scripts are left out with a warning}
   */
  readonly launcherPip?: LauncherPip | undefined;
  /** `SOURCE_DATE_EPOCH`, which distlib (0.3.6+) uses for the time inside Windows scripts' zips. */
  readonly sourceDateEpoch?: string | undefined;
  /**
   * The tree to install (hard links and copies), when the caller has it.
   * @default {worked out from the image: with its bytecode for this interpreter when hard-linking}
   */
  readonly tree?: TreeToInstall | undefined;
}

/**
 * The operations installing one image into an environment: the previous install of the same project removed,
 * the files linked or copied, the console scripts written for this environment's python, and a RECORD listing it all.
 */
export function imageInstallOps(
  input: CreatorInput,
  layout: VenvLayout,
  wheel: AcquiredWheel,
  image: Image,
  link: SeedLink,
  options: ImageInstallOptions = {},
): PlanOp[] {
  const p = input.platform.path;
  const ops: PlanOp[] = [...previousInstallRemoval(input, layout, wheel.info.name)];
  let record: string, distInfo: string;
  if (link === "symlink") {
    // The .dist-info folder is real and per environment (its RECORD lists this environment's scripts); the rest
    // links into the image. pip must then remove the links, never walk into the image: RECORD names the links.
    const m = image.manifest;
    distInfo = m.distInfo;
    for (const entry of m.topLevel) {
      if (entry === m.distInfo) continue;
      ops.push({ op: "symlink", path: p.join(layout.purelib, entry), target: p.join(image.site, entry) });
    }
    ops.push({ op: "mkdir", path: p.join(layout.purelib, m.distInfo) });
    for (const file of m.files) {
      if (!file.startsWith(`${m.distInfo}/`) || file.slice(m.distInfo.length + 1).includes("/")) continue;
      ops.push({
        op: "symlink",
        path: p.join(layout.purelib, ...file.split("/")),
        target: p.join(image.site, ...file.split("/")),
      });
    }
    record = [
      ...m.topLevel.filter((entry) => entry !== m.distInfo).map((entry) => `${csvField(entry)},,`),
      ...m.files.filter((f) => f.startsWith(`${m.distInfo}/`)).map((f) => `${csvField(f)},,`),
    ].map((line) => line + "\n").join("");
  } else {
    // Hard-linked bytecode stays valid (same inode, same modification time as its source); copies would not.
    const tree = options.tree ?? treeToInstall(
      image.manifest,
      link === "hardlink" ? compiledFiles(image, bytecodeTag(input.python.info)) ?? [] : [],
    );
    distInfo = tree.distInfo;
    ops.push({ op: "installTree", path: layout.purelib, source: image.site, dirs: tree.dirs, files: tree.files, link });
    record = tree.record;
  }
  const v = input.python.info.versionInfo;
  // The scripts are what the seeded pip would write.
  const installer = wheel.info.name.toLowerCase() === "pip" ? wheel.info.version : options.launcherPip?.version;
  if (writesRequested(installer)) {
    // pip 20.2 and later mark what was asked for by name, as each seed is (ensurepip, virtualenv's pip seeder).
    ops.push({ op: "write", path: p.join(layout.purelib, distInfo, "REQUESTED"), content: "" });
    record += `${csvField(`${distInfo}/REQUESTED`)},${recordHash(new Uint8Array())},0\n`;
  }
  const template = scriptTemplateFor(installer);
  const scripts = consoleScriptsToWrite(wheel.info.consoleScripts, v);
  if (!input.platform.isWindows) {
    const binFromSite = relativePosix(input, layout.purelib, layout.binDir);
    const encoder = new TextEncoder();
    // pip, pip3 and pip3.X are one text: rendered and hashed once.
    const rendered = new Map<string, { text: string; hash: string }>();
    for (const entry of scripts) {
      const target = `${entry.module}:${entry.attr}`;
      let script = rendered.get(target);
      if (!script) {
        const text = renderConsoleScript(layout.python, entry.module, entry.attr, { template, os: input.platform.os });
        const bytes = encoder.encode(text);
        rendered.set(target, script = { text, hash: `${recordHash(bytes)},${bytes.length}` });
      }
      ops.push({ op: "write", path: p.join(layout.binDir, entry.name), content: script.text, executable: true });
      record += `${csvField(`${binFromSite}/${entry.name}`)},${script.hash}\n`;
    }
  } else if (scripts.length) {
    const launcherPip = wheel.info.name.toLowerCase() === "pip"
      ? { image, version: wheel.info.version }
      : options.launcherPip;
    const exes = windowsScripts(input, layout, wheel, scripts, launcherPip, { ...options, template });
    for (const exe of exes) {
      ops.push({ op: "write", path: exe.path, content: exe.content });
      const hash = recordHash(exe.content);
      record += `${csvField(relativePosix(input, layout.purelib, exe.path))},${hash},${exe.content.length}\n`;
    }
  }
  record += `${csvField(`${distInfo}/RECORD`)},,\n`;
  ops.push({ op: "write", path: p.join(layout.purelib, distInfo, "RECORD"), content: record });
  return ops;
}

/** Where pip keeps its vendored distlib, relative to site-packages. */
const PIP_DISTLIB = ["pip", "_vendor", "distlib"] as const;

/** The `__version__` of the distlib vendored in an image of pip, or undefined without one. */
function vendoredDistlibVersion(site: string): string | undefined {
  try {
    const text = Deno.readTextFileSync(hostPath.join(site, ...PIP_DISTLIB, "__init__.py"));
    return /^__version__\s*=\s*['"]([^'"]+)['"]/m.exec(text)?.[1];
  } catch {
    return undefined;
  }
}

/**
 * The `.exe` console scripts pip would write on Windows, built with the launcher of `launcherPip`'s distlib (read
 * from its image now, so the plan stays data). Without a launcher (no pip seeded, or a pip whose wheel had them
 * stripped, as Debian's are) there are none, and a warning says so.
 */
function windowsScripts(
  input: CreatorInput,
  layout: VenvLayout,
  wheel: AcquiredWheel,
  scripts: readonly ConsoleScript[],
  launcherPip: LauncherPip | undefined,
  options: ImageInstallOptions & { readonly template: ScriptTemplate },
): { path: string; content: Uint8Array }[] {
  const info = input.python.info;
  const warn = options.warn ?? (() => {});
  const names = scripts.map((s) => windowsScriptFileName(s.name)).join(", ");
  if (!launcherPip) {
    warn(
      `no pip is seeded to provide Windows launchers: ${wheel.info.name} ${wheel.info.version}'s ${names} not written`,
    );
    return [];
  }
  const site = launcherPip.image.site;
  const distlib = vendoredDistlibVersion(site);
  const launcherName = windowsLauncherName(info, distlib);
  let launcher: Uint8Array | undefined;
  try {
    if (distlib !== undefined) launcher = Deno.readFileSync(hostPath.join(site, ...PIP_DISTLIB, launcherName));
  } catch { /* stripped: warned below */ }
  if (!launcher) {
    const where = [...PIP_DISTLIB, launcherName].join("/");
    const pipName = `pip ${launcherPip.version}`;
    warn(
      wheel.info.name.toLowerCase() === "pip"
        ? `${pipName} has no Windows launchers (${where}); use "python -m pip"`
        : `${pipName} has no Windows launchers (${where}): ${wheel.info.name} ${wheel.info.version}'s ${names} not written`,
    );
    return [];
  }
  const dateTime = launcherZipDateTime({ sourceDateEpoch: options.sourceDateEpoch, distlib });
  const p = input.platform.path;
  return scripts.map((entry) => ({
    path: p.join(layout.binDir, windowsScriptFileName(entry.name)),
    content: renderWindowsConsoleScript(layout.python, entry.module, entry.attr, {
      launcher,
      dateTime,
      template: options.template,
      distlib,
    }),
  }));
}

/**
 * Removes what an earlier run (or pip) installed of `project` in site-packages: its `.dist-info` folder, the
 * top-level entries its RECORD names, and its scripts in the bin folder. Read now, removed when the plan runs.
 */
function previousInstallRemoval(input: CreatorInput, layout: VenvLayout, project: string): PlanOp[] {
  const p = input.platform.path;
  let entries: string[];
  try {
    entries = [...Deno.readDirSync(layout.purelib)].map((e) => e.name);
  } catch {
    return [];
  }
  const prefix = project.toLowerCase().replace(/[-_.]+/g, "_");
  const ops: PlanOp[] = [];
  const seen = new Set<string>();
  for (const distInfo of entries) {
    const m = /^(.+)-[^-]+\.dist-info$/.exec(distInfo);
    if (!m || m[1]!.toLowerCase().replace(/[-_.]+/g, "_") !== prefix) continue;
    let record = "";
    try {
      record = Deno.readTextFileSync(p.join(layout.purelib, distInfo, "RECORD"));
    } catch { /* no RECORD: the folder alone goes */ }
    for (const line of record.split(/\r?\n/)) {
      const file = firstCsvField(line);
      if (!file) continue;
      const absolute = p.resolve(layout.purelib, file);
      // Only what lies in site-packages (as a top-level entry) or in the bin folder is ours to remove.
      const top = p.relative(layout.purelib, absolute).split(/[\\/]/)[0]!;
      const target = top && top !== ".."
        ? p.join(layout.purelib, top)
        : p.dirname(absolute) === layout.binDir
        ? absolute
        : undefined;
      if (target && !seen.has(target)) {
        seen.add(target);
        ops.push({ op: "remove", path: target, recursive: true });
      }
    }
    const folder = p.join(layout.purelib, distInfo);
    if (!seen.has(folder)) ops.push({ op: "remove", path: folder, recursive: true });
  }
  return ops;
}

/** What pip installing the seeds writes that may already exist: each project's package folder, and pip's scripts. */
function pipSeederWrites(layout: VenvLayout, wheels: readonly AcquiredWheel[], target: CreatorInput): string[] {
  const p = target.platform.path;
  const writes = wheels.map((w) => p.join(layout.purelib, w.info.name.toLowerCase()));
  if (wheels.some((w) => w.info.name.toLowerCase() === "pip")) {
    const { major, minor } = target.python.info.versionInfo;
    for (const name of ["pip", `pip${major}`, `pip${major}.${minor}`]) {
      writes.push(p.join(layout.binDir, name + (target.platform.isWindows ? ".exe" : "")));
    }
  }
  return writes;
}

/**
 * The `--seeder pip` operation: pip, run from `pipWheel` by the environment's python, installs the seeds (`wheels`,
 * which need not include pip) offline.
 */
export function pipSeederOp(
  layout: VenvLayout,
  wheels: readonly AcquiredWheel[],
  pipWheel: AcquiredWheel,
  env: Readonly<Record<string, string>>,
  target: CreatorInput,
): PlanOp {
  const p = target.platform.path;
  const findLinks = [...new Set(wheels.map((w) => p.dirname(w.path)))].flatMap((d) => ["--find-links", d]);
  // The user's PIP_* and PYTHON* variables could point pip elsewhere (an index, a constraints file, a user site).
  const clean: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (!/^(PIP_|PYTHON)/i.test(key)) clean[key] = value;
  return {
    op: "run",
    path: layout.dest,
    argv: [
      layout.python,
      p.join(pipWheel.path, "pip"),
      "install",
      "--quiet",
      "--no-index",
      "--no-cache-dir",
      "--disable-pip-version-check",
      "--no-warn-script-location",
      "--only-binary",
      ":all:",
      ...findLinks,
      ...wheels.map((w) => `${w.info.name}==${w.info.version}`),
    ],
    env: { ...clean, PIP_USER: "0", PIP_NO_INPUT: "1" },
    writes: pipSeederWrites(layout, wheels, target),
  };
}
