/**
 * CPython on Windows: `Scripts\`, `Lib\site-packages`, `Include\`. `python.exe` and `pythonw.exe` are copies of the
 * venv launcher the base ships (`venvlauncher.exe`/`venvwlauncher.exe` from 3.13, `Lib\venv\scripts\nt\python.exe`
 * before), which read `home` from `pyvenv.cfg` and start the base interpreter. Without a launcher the interpreter
 * itself is copied with its DLLs. Executables are always copies: a linked `python.exe` breaks (bpo-42013).
 *
 * @module
 */
import type { PythonInfo } from "../discovery/py_info.ts";
import { builtinCreator, type ExecutableRef, type FileRef } from "./builtin.ts";
import type { Creator, CreatorInput, VenvLayout } from "./creator.ts";
import { notCPython3 } from "./cpython_posix.ts";

/** Whether `info` is the Microsoft Store's Python, which only its own `venv` module can set up (copies only). */
export function isStorePython(info: PythonInfo): boolean {
  return info.osName === "nt" &&
    /[\\/]Microsoft[\\/]WindowsApps[\\/]PythonSoftwareFoundation\.Python\.3\.[^\\/]*[\\/]python[^\\/]*$/i.test(
      info.systemExecutable,
    );
}

/** The venv launchers of the base install (`python.exe`/`pythonw.exe` sources), or undefined without them. */
export function venvLaunchers(input: CreatorInput): { console: string; windowed: string } | undefined {
  const info = input.python.info;
  const p = input.platform.path;
  const dir = p.join(info.stdlib, "venv", "scripts", "nt");
  const d = info.debug ? "_d" : "";
  const modern = info.versionInfo.major > 3 || info.versionInfo.minor >= 13;
  const t = modern && info.freeThreaded ? "t" : "";
  const console = p.join(dir, modern ? `venvlauncher${t}${d}.exe` : `python${d}.exe`);
  const windowed = p.join(dir, modern ? `venvwlauncher${t}${d}.exe` : `pythonw${d}.exe`);
  return input.host.isFile(console) ? { console, windowed } : undefined;
}

function executables(input: CreatorInput): ExecutableRef[] {
  const info = input.python.info;
  const p = input.platform.path;
  const v = info.versionInfo;
  const ft = info.freeThreaded ? [`python${v.major}.${v.minor}t.exe`] : [];
  const ftw = info.freeThreaded ? [`pythonw${v.major}.${v.minor}t.exe`] : [];
  const launchers = venvLaunchers(input);
  if (launchers) {
    return [
      { source: launchers.console, names: ["python.exe", `python${v.major}.exe`, ...ft], mustCopy: true },
      { source: launchers.windowed, names: ["pythonw.exe", ...ftw], mustCopy: true, optional: true },
    ];
  }
  const host = info.systemExecutable;
  const names = [...new Set(["python.exe", `python${v.major}.exe`, ...ft, p.basename(host)])];
  return [
    { source: host, names, mustCopy: true },
    { source: p.join(p.dirname(host), "pythonw.exe"), names: ["pythonw.exe", ...ftw], mustCopy: true, optional: true },
  ];
}

/** pywin32's DLLs are placed by its own post-install; copying them into Scripts breaks it (virtualenv #2662). */
function isPywin32Dll(name: string): boolean {
  return /^(pywintypes|pythoncom)/i.test(name);
}

/** Without a launcher, a copied python.exe needs the DLLs, extension modules and zipped stdlib beside it. */
function runtimeFiles(input: CreatorInput, layout: VenvLayout): FileRef[] {
  if (venvLaunchers(input)) return [];
  const info = input.python.info;
  const p = input.platform.path;
  const binDir = layout.binDir;
  const refs: FileRef[] = [];
  const folders = [p.dirname(info.systemExecutable), p.join(info.basePrefix, "DLLs")];
  for (const folder of [...new Set(folders)]) {
    for (const name of input.host.list(folder)) {
      if (!/\.(dll|pyd)$/i.test(name) || isPywin32Dll(name)) continue;
      refs.push({ source: p.join(folder, name), path: p.join(binDir, name), must: "copy" });
    }
  }
  const zipName = `python${info.versionInfo.major}${info.versionInfo.minor}.zip`.toLowerCase();
  const zip = info.sysPath.find((entry) => p.basename(entry).toLowerCase() === zipName && input.host.isFile(entry));
  if (zip) refs.push({ source: zip, path: p.join(binDir, p.basename(zip)), must: "copy" });
  return refs;
}

/** The `cpython3-win` creator. */
export const cpython3Win: Creator = builtinCreator({
  name: "cpython3-win",
  displayName: "CPython3Windows",
  exeStem: "python",
  os: "windows",
  cannotCreate(info) {
    return notCPython3(info) ??
      (isStorePython(info)
        ? "the Microsoft Store's Python is set up by its own venv module (--creator venv)"
        : undefined);
  },

  executables,
  refs: runtimeFiles,
});
