/**
 * What mkvenv prints after creating an environment: virtualenv's report lines, or a JSON document.
 *
 * @module
 */
import type { CreateVenvResult } from "./create.ts";
import type { ListedPython } from "./discovery/find.ts";
import { pep440Version, specString } from "./discovery/py_info.ts";

function pyBool(value: boolean | undefined): string {
  return value ? "True" : "False";
}

/** An activator's name as virtualenv's report prints it: `bash` → `BashActivator`, `cshell` → `CShellActivator`. */
function activatorDisplayName(name: string): string {
  const special: Readonly<Record<string, string>> = { cshell: "CShell", powershell: "PowerShell" };
  return `${special[name] ?? name[0]!.toUpperCase() + name.slice(1)}Activator`;
}

/** The success report, as virtualenv prints it. */
export function renderReport(
  result: CreateVenvResult,
  flags: { clear: boolean; noVcsIgnore: boolean; systemSitePackages: boolean },
): string {
  let text = `created virtual environment ${specString(result.python.info)} in ${Math.round(result.durationMs)}ms\n` +
    `  creator ${result.creatorDisplayName}(dest=${result.layout.dest}, clear=${pyBool(flags.clear)}, ` +
    `no_vcs_ignore=${pyBool(flags.noVcsIgnore)}, global=${pyBool(flags.systemSitePackages)})\n`;
  if (result.seeds.length) {
    const via = [...new Set(result.seeds.map((s) => s.via))].join(",");
    text += result.seeder === "pip"
      ? `  seeder PipInvoke(pip=${result.seeds.map((s) => `${s.name}==${s.version}`).join(", ")})\n`
      : `  seeder FromAppData(via=${via})\n`;
    text += `    added seed packages: ${result.seeds.map((s) => `${s.name}==${s.version}`).join(", ")}\n`;
  }
  if (result.activators.length) text += `  activators ${result.activators.map(activatorDisplayName).join(",")}\n`;
  return text;
}

/** The report as a JSON-serialisable object (`--json`). */
export function reportJson(result: CreateVenvResult): Record<string, unknown> {
  const info = result.python.info;
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
      bin: result.layout.binDir,
      python: result.layout.python,
      purelib: result.layout.purelib,
      platlib: result.layout.platlib,
      pyvenvCfg: result.layout.pyvenvCfg,
    },
    seeder: result.seeder ?? null,
    seeded: result.seeds,
    activators: result.activators,
    warnings: result.warnings,
    durationMs: Math.round(result.durationMs * 10) / 10,
  };
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
