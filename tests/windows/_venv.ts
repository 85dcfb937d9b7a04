/**
 * Checks of a Windows virtual environment made from a stand-in install: the files a real Windows venv has, where it
 * has them, byte for byte where mkvenv copies or builds them, and the launchers and activators run as Windows runs
 * them (Wine's cmd.exe, distlib's real t64.exe launcher, the stand-in venv launcher).
 *
 * @module
 */
import assert from "node:assert/strict";
import { win32 } from "../../lib/path.ts";
import { PIP_WHEEL, type StandinInstall } from "./_standin.ts";
import { isDir, isFile, run, suiteEnv } from "./_setup.ts";

/** The version of the pip the stand-ins bundle ({@linkcode PIP_WHEEL}). */
export const PIP_VERSION: string = /^pip-([^-]+)-/.exec(win32.basename(PIP_WHEEL))?.[1] ?? "unknown";
/** pip's console scripts in a 3.12 environment. */
const PIP_EXES = ["pip.exe", "pip3.exe", "pip3.12.exe"];

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** `pyvenv.cfg` as key → value. */
export function readPyvenvCfg(dest: string): Map<string, string> {
  const text = Deno.readTextFileSync(win32.join(dest, "pyvenv.cfg"));
  return new Map(
    text.split(/\r?\n/).filter((l) => l.includes("=")).map((l) => {
      const at = l.indexOf("=");
      return [l.slice(0, at).trim(), l.slice(at + 1).trim()];
    }),
  );
}

/**
 * The layout, pyvenv.cfg, interpreter launchers and activators of an environment `install` made at `dest`, and with
 * `seeded` its pip: `Lib\site-packages\pip`, the dist-info, and `Scripts\pip*.exe` as distlib builds them.
 */
export function checkWindowsVenv(dest: string, install: StandinInstall, options: { seeded: boolean }): void {
  const at = (...parts: string[]) => win32.join(dest, ...parts);
  for (const dir of ["Scripts", "Lib\\site-packages", "Include"]) assert.ok(isDir(at(dir)), `${dir}\\ exists`);
  assert.ok(!isDir(at("bin")) && !isDir(at("lib", "python3.12")), "no POSIX layout");

  const cfg = readPyvenvCfg(dest);
  const v = install.info.versionInfo;
  assert.equal(cfg.get("home"), install.dir);
  assert.equal(cfg.get("implementation"), "CPython");
  assert.equal(cfg.get("version_info"), `${v.major}.${v.minor}.${v.micro}.final.0`);
  assert.equal(cfg.get("executable"), install.python);
  assert.equal(cfg.get("base-prefix"), install.dir);
  assert.equal(cfg.get("base-exec-prefix"), install.dir);
  assert.equal(cfg.get("base-executable"), install.python);
  assert.equal(cfg.get("include-system-site-packages"), "false");
  assert.match(cfg.get("home")!, /^[A-Za-z]:\\/, "a drive-letter path");

  // Scripts\python.exe and friends: copies of the base's venv launchers (never links, never the interpreter).
  const [consoleLauncher, windowedLauncher] = install.launchers.map((f) => Deno.readFileSync(f));
  for (const name of ["python.exe", `python${v.major}.exe`]) {
    assert.ok(bytesEqual(Deno.readFileSync(at("Scripts", name)), consoleLauncher!), `Scripts\\${name} = venv launcher`);
    assert.ok(!Deno.lstatSync(at("Scripts", name)).isSymlink);
  }
  assert.ok(bytesEqual(Deno.readFileSync(at("Scripts", "pythonw.exe")), windowedLauncher!), "pythonw.exe");
  const scripts = [...Deno.readDirSync(at("Scripts"))].map((e) => e.name);
  assert.deepEqual(scripts.filter((n) => /\.(dll|pyd|zip)$/i.test(n)), [], "with a launcher, no DLLs are copied");

  // The cmd activators: CRLF, the environment's path and Scripts folder, Tcl/Tk from the base install.
  const bat = Deno.readTextFileSync(at("Scripts", "activate.bat"));
  assert.ok(!/[^\r]\n/.test(bat), "activate.bat has CRLF line ends");
  assert.ok(bat.includes(`@set "VIRTUAL_ENV=${dest.replaceAll("%", "%%")}"`), "activate.bat sets VIRTUAL_ENV");
  assert.ok(bat.includes(`@set "PATH=%VIRTUAL_ENV%\\Scripts;%PATH%"`));
  assert.ok(bat.includes(`@set "_MKVENV_LIBRARY=${win32.join(install.dir, "tcl", "tcl8.6")}"`), "TCL_LIBRARY");
  for (const name of ["deactivate.bat", "pydoc.bat"]) assert.ok(isFile(at("Scripts", name)), name);
  // PowerShell: a byte-order mark (Windows PowerShell reads BOM-less scripts in the ANSI code page), Scripts.
  const ps1 = Deno.readFileSync(at("Scripts", "activate.ps1"));
  assert.deepEqual([...ps1.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const ps1Text = new TextDecoder().decode(ps1);
  assert.ok(ps1Text.includes(`-ChildPath 'Scripts'`), "activate.ps1 prepends Scripts");
  assert.ok(ps1Text.includes(`$tclLibrary = '${win32.join(install.dir, "tcl", "tcl8.6")}'`), "activate.ps1 TCL");

  if (!options.seeded) {
    assert.deepEqual(scripts.filter((n) => n.startsWith("pip")), []);
    return;
  }
  const site = at("Lib", "site-packages");
  assert.ok(isFile(win32.join(site, "pip", "__init__.py")));
  const distInfo = win32.join(site, `pip-${PIP_VERSION}.dist-info`);
  assert.equal(Deno.readTextFileSync(win32.join(distInfo, "INSTALLER")), "pip\n");
  const record = Deno.readTextFileSync(win32.join(distInfo, "RECORD"));
  const launcher = Deno.readFileSync(win32.join(site, "pip", "_vendor", "distlib", "t64.exe"));
  const shebang = new TextEncoder().encode(`#!${quoted(at("Scripts", "python.exe"))}\n`);
  for (const name of PIP_EXES) {
    const exe = Deno.readFileSync(at("Scripts", name));
    assert.ok(bytesEqual(exe.subarray(0, launcher.length), launcher), `${name} starts with distlib's t64.exe`);
    const line = exe.subarray(launcher.length, launcher.length + shebang.length);
    assert.equal(new TextDecoder().decode(line), new TextDecoder().decode(shebang), `${name} shebang`);
    const main = zipEntry(exe.subarray(launcher.length + shebang.length), "__main__.py");
    assert.match(main, /^from pip\._internal\.cli\.main import main$/m);
    assert.ok(record.includes(`../../Scripts/${name},sha256=`), `RECORD lists ${name}`);
  }
  assert.deepEqual(scripts.filter((n) => n.startsWith("pip")).sort(), [...PIP_EXES].sort());
}

/** distlib's `enquote_executable`: quoted when the path holds a space. */
function quoted(exe: string): string {
  return exe.includes(" ") ? `"${exe}"` : exe;
}

/** The text of a stored (uncompressed) entry of the zip that starts at `zip[0]`. */
function zipEntry(zip: Uint8Array, name: string): string {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  assert.equal(view.getUint32(0, true), 0x04034b50, "a zip local header follows the shebang");
  const method = view.getUint16(8, true);
  const size = view.getUint32(18, true);
  const nameLength = view.getUint16(26, true);
  const extraLength = view.getUint16(28, true);
  assert.equal(new TextDecoder().decode(zip.subarray(30, 30 + nameLength)), name);
  assert.equal(method, 0, "stored");
  const start = 30 + nameLength + extraLength;
  return new TextDecoder().decode(zip.subarray(start, start + size));
}

/** One run the stand-in python.exe logged. */
export interface StandinCall {
  readonly exe: string;
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly launcher: string | null;
  readonly pythonioencoding: string | null;
}

/** Runs `exe args` with the stand-in's log on and returns its exit code and the stand-in's runs. */
export async function runLogged(
  exe: string,
  args: readonly string[],
  scratch: string,
): Promise<{ code: number; stderr: string; calls: StandinCall[] }> {
  const log = win32.join(scratch, `standin-${crypto.randomUUID()}.log`);
  const r = await run(exe, args, { env: suiteEnv({ MKVENV_STANDIN_LOG: log }) });
  let calls: StandinCall[] = [];
  try {
    calls = Deno.readTextFileSync(log).split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
  } catch { /* nothing ran */ }
  return { code: r.code, stderr: r.stderr, calls };
}

/**
 * `Scripts\pip.exe --version` as Windows runs it: distlib's t64.exe reads the shebang and starts `Scripts\python.exe`
 * (the venv launcher stand-in), which starts the base `python.exe` named by pyvenv.cfg's `home`, with pip.exe (the
 * zip) as the script. The stand-in cannot run pip: it logs how it was called and exits 9, which must come back.
 */
export async function checkPipExeChain(dest: string, install: StandinInstall, scratch: string): Promise<void> {
  const pip = win32.join(dest, "Scripts", "pip.exe");
  const { code, stderr, calls } = await runLogged(pip, ["--version"], scratch);
  assert.equal(code, 9, `the stand-in's exit code comes back through both launchers (stderr: ${stderr})`);
  assert.equal(calls.length, 1, JSON.stringify(calls));
  const [call] = calls;
  assert.equal(call!.exe, install.python);
  assert.equal(call!.launcher, win32.join(dest, "Scripts", "python.exe"));
  assert.deepEqual(call!.argv, [pip, "--version"]);
}

/**
 * `Scripts\activate.bat` run by cmd.exe from the environment's folder, then `deactivate.bat`. The environment's path
 * travels in a variable (cmd's command line and a batch file's text are code-page bound; variables are UTF-16), and
 * cmd compares it itself.
 */
export async function checkActivateBat(dest: string, scratch: string): Promise<void> {
  const script = win32.join(scratch, `activate-check-${crypto.randomUUID().slice(0, 8)}.cmd`);
  await Deno.writeTextFile(
    script,
    [
      "@echo off",
      'set "PATH_BEFORE=%PATH%"',
      // `call` expands % a second time, so it is given a path without any: the one relative to the environment.
      'pushd "%CHECK_DEST%"',
      "call Scripts\\activate.bat",
      'if "%VIRTUAL_ENV%"=="%CHECK_DEST%" (echo venv-ok) else (echo venv-wrong)',
      'if "%PATH%"=="%CHECK_DEST%\\Scripts;%PATH_BEFORE%" (echo path-ok) else (echo path-wrong)',
      "if defined TCL_LIBRARY (echo tcl-set) else (echo tcl-unset)",
      "call Scripts\\deactivate.bat",
      "popd",
      "if defined VIRTUAL_ENV (echo still-active) else (echo deactivated)",
      'if "%PATH%"=="%PATH_BEFORE%" (echo path-restored) else (echo path-not-restored)',
      "",
    ].join("\r\n"),
  );
  const r = await run("cmd.exe", ["/d", "/c", script], { env: suiteEnv({ CHECK_DEST: dest }), cwd: scratch });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.split(/\r?\n/).filter((l) => l.trim()), [
    "venv-ok",
    "path-ok",
    "tcl-set",
    "deactivated",
    "path-restored",
  ], r.stderr);
}
