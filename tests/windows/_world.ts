/**
 * The registered world of the Windows suite under Wine: stand-in installs (`_standin.ts`) registered under PEP 514
 * with `reg import`, as installers register them, plus the registrations a real machine collects over time that
 * discovery must skip. Wine only: it rewrites every `Software\Python` key of the registry, which the suite's own
 * Wine prefix (tests/windows/run.sh) can afford and a real Windows machine cannot.
 *
 * @module
 */
import { win32 } from "../../lib/path.ts";
import { clearRegistry, importRegistry, makeInstall, type RegKeys, type StandinInstall } from "./_standin.ts";
import { isFile, ROOT, standinSkipReason, underWine } from "./_setup.ts";

/** The environment variable a `REG_EXPAND_SZ` registration refers to (set in this process while the world lives). */
export const ROOT_VARIABLE = "MKVENV_WINDOWS_SUITE_ROOT";

/** The non-ASCII company and tag, and the install folder they point at. */
export const UNICODE_COMPANY = "Pythön Ünïcode Ltd";
export const UNICODE_TAG = "3.12-ß";

/** Stand-in installs and the registry keys that name them. */
export interface RegisteredWorld extends AsyncDisposable {
  /** The folder everything lives in. */
  readonly root: string;
  /** HKCU PythonCore\3.12: python.org 3.12.7, 64-bit, bundling pip (the one `-p 3.12` must pick). */
  readonly py312: StandinInstall;
  /** HKLM (64-bit view) PythonCore\3.12, shadowed by HKCU's 3.12 of the same size: never proposed. */
  readonly py312Machine: StandinInstall;
  /** HKLM (64-bit view) PythonCore\3.13, 3.13.1 with the 3.13 venvlauncher.exe. */
  readonly py313: StandinInstall;
  /** HKLM (32-bit view, WOW6432Node) PythonCore\3.11-32: a 32-bit 3.11.9. */
  readonly py311x86: StandinInstall;
  /** HKCU, company and tag with non-ASCII names (SysVersion 3.12), in a non-ASCII folder. */
  readonly unicode: StandinInstall;
  /** HKCU PythonCore\3.10 whose ExecutablePath is a REG_EXPAND_SZ naming %MKVENV_WINDOWS_SUITE_ROOT%. */
  readonly py310: StandinInstall;
  /** HKCU BrokenCorp\3.14: its python.exe is no Python (exits 106): interrogated, then skipped. */
  readonly notPython: StandinInstall;
  /** Registered under the `PyLauncher` key, which is the py launcher's and no company: never proposed. */
  readonly launcherDecoy: StandinInstall;
  /** Executables of the registrations that must be skipped before any interrogation (broken keys). */
  readonly bogus: readonly string[];
}

/** Why the registry world cannot be built here, or undefined. */
export function worldSkipReason(): string | undefined {
  const standin = standinSkipReason();
  if (standin) return standin;
  if (!underWine()) {
    return "rewrites every PEP 514 registration of the machine: runs only in the suite's own Wine prefix";
  }
  if (!isFile(win32.join(ROOT, "lib", "discovery", "registry", "mod.ts"))) {
    return "PEP 514 registry discovery (lib/discovery/registry/) has not landed";
  }
  return undefined;
}

const HKCU = "HKEY_CURRENT_USER\\Software\\Python";
const HKLM = "HKEY_LOCAL_MACHINE\\Software\\Python";
const HKLM32 = "HKEY_LOCAL_MACHINE\\Software\\WOW6432Node\\Python";

/** A python.org-style registration of `install` under `base\company\tag` (the keys the installer writes). */
function registration(
  base: string,
  company: string,
  tag: string,
  install: StandinInstall,
  extra: { arch?: string; executable?: RegKeys[string][string] } = {},
): RegKeys {
  const v = install.info.versionInfo;
  const bits = extra.arch ?? `${install.info.bits}bit`;
  return {
    [`${base}\\${company}`]: { DisplayName: `${company} (a stand-in)`, SupportUrl: "https://www.python.org/" },
    [`${base}\\${company}\\${tag}`]: {
      DisplayName: `Python ${v.major}.${v.minor} (${bits.replace("bit", "-bit")})`,
      SupportUrl: "https://www.python.org/",
      SysArchitecture: bits,
      SysVersion: `${v.major}.${v.minor}`,
      Version: `${v.major}.${v.minor}.${v.micro}`,
    },
    // The installer writes the folder with a trailing backslash.
    [`${base}\\${company}\\${tag}\\InstallPath`]: {
      "": `${install.dir}\\`,
      ExecutablePath: extra.executable ?? install.python,
      WindowedExecutablePath: install.pythonw,
    },
  };
}

/** Builds the installs under `root` and registers them (replacing every earlier `Software\Python` key). */
export async function registeredWorld(root: string): Promise<RegisteredWorld> {
  const at = (name: string) => win32.join(root, name);
  const py312 = await makeInstall(at("Python312"), { version: [3, 12, 7], bundlePip: true });
  const py312Machine = await makeInstall(at("Python312 machine-wide"), { version: [3, 12, 6] });
  const py313 = await makeInstall(at("Python313"), { version: [3, 13, 1] });
  const py311x86 = await makeInstall(at("Python311-32"), { version: [3, 11, 9], bits: 32 });
  const unicode = await makeInstall(at("Pythön Ünïcode 3.12 ß"), { version: [3, 12, 7] });
  const py310 = await makeInstall(at("Python310"), { version: [3, 10, 11] });
  const notPython = await makeInstall(at("BrokenCorp314"), { version: [3, 14, 0], broken: true });
  const launcherDecoy = await makeInstall(at("PyLauncher decoy"), { version: [3, 12, 5] });
  const missing = at("Python37-removed");
  Deno.env.set(ROOT_VARIABLE, root);
  const keys: RegKeys = {
    ...registration(HKCU, "PythonCore", "3.12", py312),
    ...registration(HKLM, "PythonCore", "3.12", py312Machine),
    ...registration(HKLM, "PythonCore", "3.13", py313),
    ...registration(HKLM32, "PythonCore", "3.11-32", py311x86),
    ...registration(HKCU, UNICODE_COMPANY, UNICODE_TAG, unicode),
    ...registration(HKCU, "PythonCore", "3.10", py310, {
      executable: { expand: `%${ROOT_VARIABLE}%\\Python310\\python.exe` },
    }),
    ...registration(HKCU, "BrokenCorp", "3.14", notPython),
    // Broken registrations, each to be skipped without a word beyond a debug line:
    // a tag without InstallPath (an uninstaller that stopped half-way);
    [`${HKCU}\\PythonCore\\3.9`]: { SysVersion: "3.9", SysArchitecture: "64bit" },
    // InstallPath values of the wrong types (a DWORD folder, a binary executable path);
    [`${HKCU}\\PythonCore\\3.8`]: { SysVersion: "3.8" },
    [`${HKCU}\\PythonCore\\3.8\\InstallPath`]: { "": { dword: 1 }, ExecutablePath: { binary: [0x43, 0x3a, 0x5c] } },
    // an install that was deleted but is still registered;
    [`${HKLM}\\PythonCore\\3.7`]: { SysVersion: "3.7", SysArchitecture: "64bit" },
    [`${HKLM}\\PythonCore\\3.7\\InstallPath`]: { "": `${missing}\\`, ExecutablePath: `${missing}\\python.exe` },
    // the py launcher's own key, which is no company.
    [`${HKCU}\\PyLauncher`]: { InstallDir: "C:\\Windows\\" },
    [`${HKCU}\\PyLauncher\\3.12`]: { SysVersion: "3.12" },
    [`${HKCU}\\PyLauncher\\3.12\\InstallPath`]: { "": `${launcherDecoy.dir}\\`, ExecutablePath: launcherDecoy.python },
  };
  await importRegistry(keys, root);
  return {
    root,
    py312,
    py312Machine,
    py313,
    py311x86,
    unicode,
    py310,
    notPython,
    launcherDecoy,
    bogus: [win32.join(missing, "python.exe")],
    async [Symbol.asyncDispose]() {
      await clearRegistry();
      Deno.env.delete(ROOT_VARIABLE);
    },
  };
}
