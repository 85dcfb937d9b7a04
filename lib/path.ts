/**
 * Path functions for POSIX and Windows paths, usable on any OS (so Linux can plan Windows layouts).
 *
 * Why not `node:path`: importing any `node:` module boots Deno's Node compatibility layer, 5 ms of every run's 20 ms
 * budget. These functions give `node:path`'s results for absolute inputs (the tests compare them case by case); relative
 * inputs to `resolve` are taken against `Deno.cwd()`.
 *
 * @module
 */

/** The path functions of one OS family; the same names and results as `node:path`'s `posix`/`win32`. */
export interface PathModule {
  /** Segment separator: `/` or `\`. */
  readonly sep: string;
  /** Joins segments and normalises the result (`.` for nothing). */
  join(...segments: string[]): string;
  /** Resolves segments right to left into an absolute, normalised path without a trailing separator. */
  resolve(...segments: string[]): string;
  /** Removes `.`/`..` segments and repeated separators; keeps a trailing separator. */
  normalize(path: string): string;
  /** The folder part of a path. */
  dirname(path: string): string;
  /** The last segment of a path (trailing separators ignored). */
  basename(path: string): string;
  /** The relative path from `from` to `to` (both resolved first). */
  relative(from: string, to: string): string;
  /** Whether the path is absolute. */
  isAbsolute(path: string): boolean;
}

/** A path split into its root (`/`, `C:\`, `\\server\share\`, `C:` or empty, normalised) and the rest. */
interface Parsed {
  readonly root: string;
  /** How many characters of the original path the root covers. */
  readonly rootLength: number;
  readonly absolute: boolean;
  readonly rest: string;
}

interface Flavour {
  readonly sep: string;
  readonly isSep: (c: string | undefined) => boolean;
  readonly parse: (path: string) => Parsed;
  readonly caseInsensitive: boolean;
  /** Characters at the start that `basename` skips (a drive letter on Windows, as node:path does). */
  readonly basenameSkip: (path: string) => number;
  /**
   * Whether `normalize` would return the path unchanged, told by a few scans: most paths are built from normal parts,
   * and splitting and folding hundreds of them is a measurable part of a warm run.
   */
  readonly isNormal?: (path: string) => boolean;
}

/** Drops `.` and empty segments and folds `..` (kept at the front of relative paths). */
function foldSegments(segments: readonly string[], absolute: boolean): string[] {
  const out: string[] = [];
  for (const s of segments) {
    if (s === "" || s === ".") continue;
    if (s === "..") {
      if (out.length && out[out.length - 1] !== "..") out.pop();
      else if (!absolute) out.push("..");
    } else out.push(s);
  }
  return out;
}

function split(rest: string, flavour: Flavour): string[] {
  return flavour.sep === "/" ? rest.split("/") : rest.split(/[\\/]/);
}

function makePathModule(flavour: Flavour): PathModule {
  const { sep, isSep, parse } = flavour;
  const isNormal = flavour.isNormal ?? (() => false);
  const normalize = (path: string): string => {
    if (isNormal(path)) return path;
    if (path === "") return ".";
    const { root, absolute, rest } = parse(path);
    const body = foldSegments(split(rest, flavour), absolute).join(sep);
    const trailing = body !== "" && isSep(path[path.length - 1]);
    if (body === "") {
      if (root === "") return isSep(path[path.length - 1]) ? `.${sep}` : ".";
      return absolute || root.length !== 2 ? root : `${root}.`;
    }
    return root + body + (trailing ? sep : "");
  };
  const isAbsolute = (path: string): boolean => parse(path).absolute;
  // Windows, as node:path does: a drive-relative segment (`C:rel`) resolves against that drive's own working folder,
  // which is the current one when it is on that drive, else the drive's root (the `=C:` variables of cmd.exe are not
  // consulted).
  const resolveWindows = (...segments: string[]): string => {
    let device = "", tail = "", absolute = false;
    const deviceOf = (root: string): string => root === "\\" ? "" : root.replace(/[\\/]+$/, "");
    for (let i = segments.length - 1; i >= -1; i--) {
      let segment: string;
      if (i >= 0) segment = segments[i]!;
      else if (!device) segment = Deno.cwd();
      else {
        // As node:path: the drive's root when the working folder is a path on another drive.
        const cwd = Deno.cwd();
        const elsewhere = cwd.slice(0, 2).toLowerCase() !== device.toLowerCase() && cwd[2] === "\\";
        segment = elsewhere ? `${device}\\` : cwd;
      }
      if (segment === "") continue;
      const parsed = parse(segment);
      const own = deviceOf(parsed.root);
      if (own && device && own.toLowerCase() !== device.toLowerCase()) continue;
      if (!device) device = own;
      if (!absolute) {
        tail = tail ? `${parsed.rest}\\${tail}` : parsed.rest;
        absolute = parsed.absolute;
      }
      if (absolute && device) break;
    }
    return device + (absolute ? sep : "") + foldSegments(split(tail, flavour), absolute).join(sep);
  };
  const resolve = sep === "\\" ? resolveWindows : (...segments: string[]): string => {
    let joined = "";
    for (let i = segments.length - 1; i >= 0; i--) {
      const s = segments[i]!;
      if (s === "") continue;
      joined = joined ? `${s}${sep}${joined}` : s;
      if (isAbsolute(s)) break;
    }
    if (!isAbsolute(joined)) joined = joined ? `${Deno.cwd()}${sep}${joined}` : Deno.cwd();
    if (isNormal(joined) && (joined.length === 1 || !joined.endsWith(sep))) return joined;
    const { root, rest } = parse(joined);
    return root + foldSegments(split(rest, flavour), true).join(sep);
  };
  // dirname and basename work on the path as written, like node:path: only the last segment and one separator go.
  const dirname = (path: string): string => {
    const { rootLength } = parse(path);
    let end = path.length;
    while (end > rootLength && isSep(path[end - 1])) end--;
    while (end > rootLength && !isSep(path[end - 1])) end--;
    if (end <= rootLength) return rootLength ? path.slice(0, rootLength) : ".";
    return path.slice(0, end - 1);
  };
  const basename = (path: string): string => {
    const skip = flavour.basenameSkip(path);
    let end = path.length;
    while (end > skip && isSep(path[end - 1])) end--;
    let start = end;
    while (start > skip && !isSep(path[start - 1])) start--;
    return path.slice(start, end);
  };
  const relative = (from: string, to: string): string => {
    const a = resolve(from), b = resolve(to);
    const fold = (s: string) => flavour.caseInsensitive ? s.toLowerCase() : s;
    if (fold(a) === fold(b)) return "";
    const pa = parse(a), pb = parse(b);
    if (fold(pa.root) !== fold(pb.root)) return b;
    const sa = split(pa.rest, flavour).filter(Boolean), sb = split(pb.rest, flavour).filter(Boolean);
    let common = 0;
    while (common < sa.length && common < sb.length && fold(sa[common]!) === fold(sb[common]!)) common++;
    return [...sa.slice(common).map(() => ".."), ...sb.slice(common)].join(sep);
  };
  const join = (...segments: string[]): string => {
    const parts = segments.filter((s) => s !== "");
    return parts.length ? normalize(parts.join(sep)) : ".";
  };
  return { sep, join, resolve, normalize, dirname, basename, relative, isAbsolute };
}

/** POSIX paths. */
export const posix: PathModule = makePathModule({
  sep: "/",
  isSep: (c) => c === "/",
  caseInsensitive: false,
  basenameSkip: () => 0,
  parse: (path) => {
    if (!path.startsWith("/")) return { root: "", rootLength: 0, absolute: false, rest: path };
    let start = 1;
    while (path[start] === "/") start++;
    return { root: "/", rootLength: 1, absolute: true, rest: path.slice(start) };
  },
  isNormal: (path) =>
    path !== "" && !path.includes("//") && !path.includes("/./") && !path.includes("/../") &&
    !path.startsWith("./") && !path.startsWith("../") && !path.endsWith("/.") && !path.endsWith("/..") &&
    path !== "." && path !== "..",
});

const isWinSep = (c: string | undefined): boolean => c === "\\" || c === "/";

/** Windows paths: drive letters, UNC roots (`\\server\share\`), both separators accepted, `\` written. */
export const win32: PathModule = makePathModule({
  sep: "\\",
  isSep: isWinSep,
  caseInsensitive: true,
  basenameSkip: (path) => /^[a-zA-Z]:/.test(path) ? 2 : 0,
  parse(path) {
    const unc = /^[\\/]{2}([^\\/]+)[\\/]+([^\\/]+)(?:[\\/]+|$)/.exec(path);
    if (unc) {
      const rootLength = unc[0].length;
      return { root: `\\\\${unc[1]}\\${unc[2]}\\`, rootLength, absolute: true, rest: path.slice(rootLength) };
    }
    const drive = /^([a-zA-Z]:)([\\/]?)/.exec(path);
    if (drive) {
      const absolute = drive[2] !== "";
      const rootLength = drive[0].length;
      return { root: absolute ? `${drive[1]}\\` : drive[1]!, rootLength, absolute, rest: path.slice(rootLength) };
    }
    if (isWinSep(path[0])) return { root: "\\", rootLength: 1, absolute: true, rest: path.slice(1) };
    return { root: "", rootLength: 0, absolute: false, rest: path };
  },
});

/** The host's path functions. */
export const hostPath: PathModule = Deno.build.os === "windows" ? win32 : posix;

/**
 * The host path a `file:` URL names (`file:///C:/x` is `C:\x` on Windows; a host there makes a UNC path). A URL
 * with a host other than `localhost` elsewhere has no local path: that throws a `TypeError`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { fromFileUrl } from "./path.ts";
 * if (Deno.build.os !== "windows") assert(fromFileUrl(new URL("file:///tmp/a%20b")) === "/tmp/a b");
 * ```
 */
export function fromFileUrl(url: URL): string {
  const pathname = decodeURIComponent(url.pathname);
  const remote = url.hostname !== "" && url.hostname !== "localhost";
  if (Deno.build.os !== "windows") {
    if (remote) throw new TypeError(`${url.href} names a file on another host`);
    return pathname;
  }
  const local = pathname.replace(/^\/([a-zA-Z]:)/, "$1").replaceAll("/", "\\");
  return remote ? `\\\\${url.hostname}${local}` : local;
}
