/**
 * Microsoft Store Pythons, found as the `py` launcher finds them: the app execution alias
 * `%LOCALAPPDATA%\Microsoft\WindowsApps\PythonSoftwareFoundation.Python.3.X_<publisher>\python.exe` of each installed
 * package. (A Store install's own PEP 514 keys live in the package's private registry, which other programs do not
 * see.) The aliases are reparse points that only `CreateProcess` follows, so presence is read from the folder listing.
 *
 * @module
 */
import type { PathModule } from "../../path.ts";
import type { WindowsPython } from "./pep514.ts";

const FAMILY = /^PythonSoftwareFoundation\.Python\.(\d+)\.(\d+)_([a-z0-9]+)$/i;
/** Publisher ids, best first: the Store's, then the side-loaded packages' newer and older signing certificates. */
const PUBLISHERS = ["qbz5n2kfra8p0", "3847v3x7pw1km", "hd69rhyc2wevp"];

function names(dir: string): string[] {
  try {
    return [...Deno.readDirSync(dir)].map((e) => e.name);
  } catch {
    return [];
  }
}

/**
 * The Store Pythons installed for the user whose local app-data folder is `localAppData`, newest first.
 *
 * @param localAppData `%LOCALAPPDATA%`.
 * @param path Windows path rules (POSIX ones in tests).
 * @param hostArch `Deno.build.arch` of the machine: packages are native, so `aarch64` means arm64 builds.
 * @returns One entry per package with a `python.exe` alias.
 */
export function storePythons(localAppData: string, path: PathModule, hostArch: string): WindowsPython[] {
  const apps = path.join(localAppData, "Microsoft", "WindowsApps");
  const found = names(apps).flatMap((name) => {
    const m = FAMILY.exec(name);
    if (!m) return [];
    const dir = path.join(apps, name);
    const exe = names(dir).find((n) => n.toLowerCase() === "python.exe");
    if (!exe) return [];
    const publisher = PUBLISHERS.indexOf(m[3]!.toLowerCase());
    return [{
      name,
      dir,
      exe,
      version: [Number(m[1]), Number(m[2])],
      rank: publisher < 0 ? PUBLISHERS.length : publisher,
    }];
  });
  found.sort((a, b) => b.version[0]! - a.version[0]! || b.version[1]! - a.version[1]! || a.rank - b.rank);
  const arm = hostArch === "aarch64";
  return found.map((f) => ({
    source: "ms-store",
    company: "PythonCore",
    tag: `${f.version.join(".")}${arm ? "-arm64" : ""}`,
    location: f.dir,
    executable: path.join(f.dir, f.exe),
    implementation: "cpython",
    version: f.version,
    bits: 64,
    machine: arm ? "arm64" : "x86_64",
    freeThreaded: false,
    displayName: `Python ${f.version.join(".")} (Store)`,
  }));
}
