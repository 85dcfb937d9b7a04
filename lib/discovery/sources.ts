/**
 * Discovery sources a program registers: places to look for interpreters beyond mkvenv's own (PATH, pyenv, mise,
 * asdf, uv). A source only proposes executables; each goes through the same interrogation, cache and spec matching
 * as any other candidate.
 *
 * @module
 */
import type { EnvLookup } from "../app_data.ts";
import type { Platform } from "../platform.ts";
import { type Registration, Registry } from "../registry.ts";
import type { PythonSpec } from "./spec.ts";

/** What a discovery source may read to propose candidates. */
export interface DiscoverySourceContext {
  /** An environment variable of the run (the `env` option, else the process's). */
  env(name: string): string | undefined;
  /** The folder relative paths start from. */
  readonly cwd: string;
  /** The OS rules (path functions, executable suffix). */
  readonly platform: Platform;
}

/** A place to look for interpreters. */
export interface DiscoverySource {
  /** The source's name, shown as where an interpreter was found (`--list-pythons`, the JSON report). */
  readonly name: string;
  /**
   * When its candidates are tried: `first`, right after `--try-first-with` and before the Windows registry and PATH;
   * `last`, after every source of mkvenv's. @default {"last"}
   */
  readonly position?: "first" | "last" | undefined;
  /**
   * Executables that may satisfy `spec` (absolute, or relative to `context.cwd`), best first. Proposing one that
   * does not match costs an interrogation (cached afterwards), so filter by `spec` where it is cheap. Not asked for a
   * path spec (`-p /usr/bin/python3`), which names its interpreter.
   */
  candidates(spec: PythonSpec, context: DiscoverySourceContext): Iterable<string>;
}

/** Names of mkvenv's own sources, which a registered one cannot take. */
const BUILTIN_SOURCES = ["try-first-with", "path-spec", "PATH", "pyenv", "mise", "asdf", "uv", "registry", "ms-store"];

const registry = new Registry<DiscoverySource>("discovery source", [], BUILTIN_SOURCES);

/**
 * Adds a discovery source: `findPython`, `listPythons`, `createVenv` and the CLI then also try the executables it
 * proposes. The name must be new (not `builtin`, nor one of mkvenv's sources such as `PATH` or `uv`).
 *
 * @example An interpreter kept in an unusual place
 * ```ts
 * import assert from "node:assert/strict";
 * import { findPython, registerDiscoverySource } from "@mkvenv/mkvenv";
 * const python3 = (await findPython("python3")).info.systemExecutable; // any interpreter, for the example
 * using _ = registerDiscoverySource({ name: "vendored", position: "first", candidates: () => [python3] });
 * const found = await findPython("python3");
 * assert.equal(found.source, "vendored");
 * assert.equal(found.path, python3);
 * ```
 */
export function registerDiscoverySource(source: DiscoverySource): Registration {
  return registry.register(source);
}

/** The registered sources tried at `position`, in registration order. */
export function registeredSources(position: "first" | "last"): readonly DiscoverySource[] {
  return registry.added().filter((s) => (s.position ?? "last") === position);
}

/**
 * Names of the registered discovery sources, in registration order.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { discoverySourceNames, registerDiscoverySource } from "@mkvenv/mkvenv";
 * using _ = registerDiscoverySource({ name: "nothing-here", candidates: () => [] });
 * assert.ok(discoverySourceNames().includes("nothing-here"));
 * ```
 */
export function discoverySourceNames(): string[] {
  return registry.added().map((s) => s.name);
}

/** The context a source is given. */
export function sourceContext(ctx: { env: EnvLookup; cwd: string; platform: Platform }): DiscoverySourceContext {
  return { env: ctx.env, cwd: ctx.cwd, platform: ctx.platform };
}
