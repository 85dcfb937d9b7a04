/**
 * The facts about an operating system that planning needs. Planning code never reads `Deno.build`; it is handed a
 * {@linkcode Platform}, so Windows and macOS layouts can be planned and tested on Linux.
 *
 * @module
 */
import { type PathModule, posix, win32 } from "./path.ts";

export type { PathModule };

/** An operating system as far as planning a virtual environment is concerned. */
export interface Platform {
  /** The OS: `linux`, `darwin`, `windows`, ... (as `Deno.build.os`). */
  readonly os: string;
  /** Path functions for this OS. */
  readonly path: PathModule;
  /** Separator of PATH-like lists: `:` on POSIX, `;` on Windows. */
  readonly pathListSeparator: string;
  /** Suffix of executables: `""` on POSIX, `.exe` on Windows. */
  readonly exeSuffix: string;
  /** Whether the OS is Windows. */
  readonly isWindows: boolean;
}

/** Builds the {@linkcode Platform} for an OS name as `Deno.build.os` spells it. */
export function platformFor(os: string): Platform {
  const isWindows = os === "windows";
  return {
    os,
    path: isWindows ? win32 : posix,
    pathListSeparator: isWindows ? ";" : ":",
    exeSuffix: isWindows ? ".exe" : "",
    isWindows,
  };
}

/**
 * The platform this process runs on.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { hostPlatform } from "@mkvenv/mkvenv";
 * const platform = hostPlatform();
 * assert.equal(platform.isWindows, Deno.build.os === "windows");
 * assert.equal(platform.path.join("env", "bin"), platform.isWindows ? "env\\bin" : "env/bin");
 * ```
 */
export function hostPlatform(): Platform {
  return platformFor(Deno.build.os);
}
