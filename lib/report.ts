/**
 * What mkvenv prints after creating an environment: virtualenv's report lines, or a JSON document.
 *
 * @module
 */
import type { CreateVenvOptions, CreateVenvResult } from "./create.ts";
import type { ListedPython } from "./discovery/find.ts";
import { pep440Version, specString } from "./discovery/py_info.ts";
import { seedRequests } from "./seeder/seeder.ts";

function pyBool(value: boolean | undefined): string {
  return value ? "True" : "False";
}

/** An activator's name as virtualenv's report prints it: `bash` → `BashActivator`, `cshell` → `CShellActivator`. */
function activatorDisplayName(name: string): string {
  const special: Readonly<Record<string, string>> = { cshell: "CShell", powershell: "PowerShell" };
  return `${special[name] ?? name[0]!.toUpperCase() + name.slice(1)}Activator`;
}

/**
 * What the report says of the request, beyond the result: the options virtualenv's report lines show, and the
 * app-data folder (absolute).
 */
export type ReportFlags =
  & Pick<
    CreateVenvOptions,
    | "clear"
    | "noVcsIgnore"
    | "systemSitePackages"
    | "venvRedirect"
    | "download"
    | "pip"
    | "setuptools"
    | "noPip"
    | "noSetuptools"
    | "extraSearchDir"
  >
  & { readonly appDataDir: string };

/** How the seeds arrived: `hardlink`, `copy`, `symlink`, or several of them. */
function viaOf(result: CreateVenvResult): string {
  return [...new Set(result.seeds.map((s) => s.via))].join(",");
}

/**
 * The seeder's line as virtualenv's `BaseEmbed.__repr__` writes it: the extra search folders, the download flag and
 * each project's version request (`bundle`, `latest`, a version; left out when not seeded), then for the app-data
 * seeder how files arrive and from where. `via` says `hardlink` where mkvenv links (virtualenv only copies).
 */
function seederLine(result: CreateVenvResult, flags: ReportFlags): string {
  const parts = [`download=${pyBool(flags.download)}`];
  for (const { project, version } of seedRequests(flags, result.python.info)) parts.push(`${project}=${version}`);
  if (result.seeder === "app-data") parts.push(`via=${viaOf(result)}`, `app_data_dir=${flags.appDataDir}`);
  // virtualenv's own spacing: the folders are joined with ", " but followed by a bare ",".
  const folders = flags.extraSearchDir?.length ? `extra_search_dir=${flags.extraSearchDir.join(", ")},` : "";
  return `  seeder ${result.seederDisplayName ?? result.seeder}(${folders}${parts.join(", ")})\n`;
}

/** The success report, as virtualenv prints it. */
export function renderReport(result: CreateVenvResult, flags: ReportFlags): string {
  const redirect = flags.venvRedirect === undefined ? "None" : pyBool(flags.venvRedirect);
  let text = `created virtual environment ${specString(result.python.info)} in ${Math.round(result.durationMs)}ms\n` +
    `  creator ${result.creatorDisplayName}(dest=${result.layout.dest}, clear=${pyBool(flags.clear)}, ` +
    `no_vcs_ignore=${pyBool(flags.noVcsIgnore)}, venv_redirect=${redirect}, ` +
    `global=${pyBool(flags.systemSitePackages)})\n`;
  if (result.seeder !== undefined) {
    text += result.seeder === "app-data" || result.seeder === "pip"
      ? seederLine(result, flags)
      : `  seeder ${result.seederDisplayName ?? result.seeder}(via=${viaOf(result)})\n`;
    const packages = result.seeds.map((s) => `${s.name}==${s.version}`).join(", ");
    if (result.seeds.length) text += `    added seed packages: ${packages}\n`;
  }
  if (result.activators.length) text += `  activators ${result.activators.map(activatorDisplayName).join(",")}\n`;
  return text;
}

const tenths = (ms: number): number => Math.round(ms * 10) / 10;

/**
 * The report as a JSON-serialisable object (`--json`): the interpreter (`python`), the creator, the paths, what was
 * seeded and how, the activators, the warnings, and the time each phase took in milliseconds.
 */
export function reportJson(result: CreateVenvResult): Record<string, unknown> {
  const info = result.python.info;
  const timings: Record<string, number> = { totalMs: tenths(result.durationMs) };
  for (const [phase, ms] of Object.entries(result.timings ?? {})) timings[`${phase}Ms`] = tenths(ms);
  return {
    dest: result.layout.dest,
    python: {
      spec: specString(info),
      implementation: info.implementation,
      version: pep440Version(info.versionInfo),
      path: result.python.path,
      systemExecutable: info.systemExecutable,
      source: result.python.source,
    },
    creator: result.creator,
    symlinks: result.symlinks,
    paths: {
      dest: result.layout.dest,
      bin: result.layout.binDir,
      python: result.layout.python,
      sitePackages: result.layout.purelib,
      purelib: result.layout.purelib,
      platlib: result.layout.platlib,
      pyvenvCfg: result.layout.pyvenvCfg,
    },
    seeder: result.seeder ?? null,
    seeded: result.seeds,
    activators: result.activators,
    warnings: result.warnings,
    timings,
  };
}

/** SGR codes of the labels mkvenv colours. */
const LABEL_COLORS: Readonly<Record<string, string>> = {
  error: "1;31", // bold red
  warning: "33", // yellow
  hint: "36", // cyan
  debug: "2", // dim
};

/**
 * One line of diagnostics: `label: message` and a newline, the label coloured when `color` (raw ANSI; the caller
 * decides, see {@linkcode colorAllowed}).
 */
export function labelled(label: keyof typeof LABEL_COLORS, message: string, color: boolean): string {
  const code = LABEL_COLORS[label];
  return `${color && code ? `\x1b[${code}m${label}:\x1b[0m` : `${label}:`} ${message}\n`;
}

/**
 * Whether output to a stream may be coloured: it is a terminal and `NO_COLOR` is unset or empty
 * (https://no-color.org).
 */
export function colorAllowed(isTerminal: boolean, env: (name: string) => string | undefined): boolean {
  const noColor = env("NO_COLOR");
  return isTerminal && (noColor === undefined || noColor === "");
}

/** One interpreter of `--list-pythons --json`. */
export function listedJson(p: ListedPython): Record<string, unknown> {
  return {
    selected: p.selected,
    spec: specString(p.info),
    implementation: p.info.implementation,
    version: pep440Version(p.info.versionInfo),
    path: p.path,
    systemExecutable: p.info.systemExecutable,
    source: p.source,
  };
}

/** `--list-pythons` as aligned text, `*` marking the interpreter that would be used. */
export function renderList(pythons: readonly ListedPython[]): string {
  const rows = pythons.map((p) => [
    p.info.implementation,
    pep440Version(p.info.versionInfo),
    specString(p.info),
    p.path,
    `(${p.source})`,
  ]);
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => r[i]!.length))) ?? [];
  return pythons.map((p, n) =>
    `${p.selected ? "*" : " "} ${rows[n]!.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd()}\n`
  ).join("");
}
