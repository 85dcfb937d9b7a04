/** The success report's creator and seeder lines, field by field as virtualenv's `__repr__`s write them. */
import assert from "node:assert/strict";
import type { CreateVenvResult } from "../../lib/create.ts";
import { renderReport, type ReportFlags } from "../../lib/report.ts";
import { found, PYENV_312, PYENV_38 } from "../fixtures/hosts.ts";

type Seeds = CreateVenvResult["seeds"];

function result(
  info: typeof PYENV_312,
  seeder: string | undefined,
  seeds: Seeds,
  creator = "CPython3Posix",
): CreateVenvResult {
  const displayNames: Record<string, string> = { "app-data": "FromAppData", pip: "PipInvoke" };
  return {
    python: found(info),
    creatorDisplayName: creator,
    layout: { dest: "/p/env" },
    seeder,
    seederDisplayName: seeder === undefined ? undefined : displayNames[seeder] ?? "Stamped",
    seeds,
    activators: ["bash", "cshell", "powershell"],
    durationMs: 12.4,
  } as unknown as CreateVenvResult;
}

const FLAGS: ReportFlags = { clear: false, noVcsIgnore: false, systemSitePackages: false, appDataDir: "/ad" };
const pip = (via: string): Seeds[number] => ({ name: "pip", version: "26.2.1", via } as Seeds[number]);
const setuptools = (via: string): Seeds[number] => ({ name: "setuptools", version: "75.3.2", via } as Seeds[number]);
/** The seeder's line of a report. */
const seederLine = (text: string): string | undefined => text.split("\n").find((l) => l.startsWith("  seeder "));

Deno.test("renderReport() writes virtualenv's lines: creator with venv_redirect, seeder with its request", () => {
  assert.equal(
    renderReport(result(PYENV_312, "app-data", [pip("hardlink")]), FLAGS),
    "created virtual environment CPython3.12.1.final.0-64-x86_64 in 12ms\n" +
      "  creator CPython3Posix(dest=/p/env, clear=False, no_vcs_ignore=False, venv_redirect=None, global=False)\n" +
      "  seeder FromAppData(download=False, pip=bundle, via=hardlink, app_data_dir=/ad)\n" +
      "    added seed packages: pip==26.2.1\n" +
      "  activators BashActivator,CShellActivator,PowerShellActivator\n",
  );
  const flagged = renderReport(result(PYENV_312, undefined, []), {
    ...FLAGS,
    clear: true,
    noVcsIgnore: true,
    systemSitePackages: true,
    venvRedirect: false,
  });
  assert.match(
    flagged,
    /\n {2}creator CPython3Posix\(dest=\/p\/env, clear=True, no_vcs_ignore=True, venv_redirect=False, global=True\)\n/,
  );
  assert.equal(seederLine(flagged), undefined);
});

Deno.test("renderReport() names setuptools below 3.12 only, and leaves out what is not seeded", () => {
  const below = result(PYENV_38, "app-data", [pip("copy"), setuptools("copy")]);
  assert.equal(
    seederLine(renderReport(below, FLAGS)),
    "  seeder FromAppData(download=False, pip=bundle, setuptools=bundle, via=copy, app_data_dir=/ad)",
  );
  assert.equal(
    seederLine(renderReport(below, { ...FLAGS, noPip: true, download: true, extraSearchDir: ["/w1", "/w2"] })),
    "  seeder FromAppData(extra_search_dir=/w1, /w2,download=True, setuptools=bundle, via=copy, app_data_dir=/ad)",
  );
  assert.equal(
    seederLine(renderReport(below, { ...FLAGS, pip: "latest", setuptools: "none" })),
    "  seeder FromAppData(download=False, pip=latest, via=copy, app_data_dir=/ad)",
  );
  // On 3.12 setuptools is named only when asked for.
  const asked = result(PYENV_312, "app-data", [pip("symlink"), setuptools("symlink")]);
  assert.equal(
    seederLine(renderReport(asked, { ...FLAGS, pip: "26.2.1", setuptools: "bundle" })),
    "  seeder FromAppData(download=False, pip=26.2.1, setuptools=bundle, via=symlink, app_data_dir=/ad)",
  );
});

Deno.test("renderReport() gives the pip seeder no link mode or app data, and a plugin seeder its link mode", () => {
  assert.equal(
    seederLine(renderReport(result(PYENV_38, "pip", [pip("pip"), setuptools("pip")]), FLAGS)),
    "  seeder PipInvoke(download=False, pip=bundle, setuptools=bundle)",
  );
  assert.equal(
    seederLine(renderReport(result(PYENV_312, "stamped", [pip("copy")]), FLAGS)),
    "  seeder Stamped(via=copy)",
  );
});
