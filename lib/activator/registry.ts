/**
 * The activators mkvenv knows, the ones a program registered, which ones an environment gets by default, and the
 * `--activators` selection rule.
 *
 * @module
 */
import { usageError } from "../errors.ts";
import { type Registration, Registry } from "../registry.ts";
import type { WriteOp } from "../plan/ops.ts";
import type { Platform } from "../platform.ts";
import type { Activator, ActivatorInput } from "./activator.ts";
import { batchActivator } from "./batch.ts";
import { cshellActivator } from "./csh.ts";
import { fishActivator } from "./fish.ts";
import { nushellActivator } from "./nushell.ts";
import { powershellActivator } from "./powershell.ts";
import { pythonActivator, xonshActivator } from "./python.ts";
import { bashActivator } from "./sh.ts";

export type { Activator, ActivatorInput };

/** Every activator, in the order their scripts are written (virtualenv's names and order). */
export const ACTIVATORS: readonly Activator[] = [
  bashActivator,
  batchActivator,
  cshellActivator,
  fishActivator,
  nushellActivator,
  powershellActivator,
  pythonActivator,
  xonshActivator,
];

const registry = new Registry<Activator>("activator", ACTIVATORS);

/**
 * Adds an activator. Like virtualenv's activator plugins, it is written by default into every environment whose
 * platform it {@linkcode Activator.supports}, after mkvenv's own; `--activators` (the `activators` option) can name
 * it. The name must be new: neither `builtin` nor one already known.
 *
 * @example An activator for a made-up shell, seen in a plan
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Activator, describeVenv, registerActivator } from "@mkvenv/mkvenv";
 * const hello: Activator = {
 *   name: "hello",
 *   files: ["activate.hello"],
 *   supports: () => true,
 *   plan: (input) => [{
 *     op: "write",
 *     path: input.platform.path.join(input.layout.binDir, "activate.hello"),
 *     content: `echo hello from ${input.layout.dest}\n`,
 *   }],
 * };
 * using _ = registerActivator(hello);
 * const dir = await Deno.makeTempDir();
 * const planned = await describeVenv({ dest: `${dir}/env`, noSeed: true, activators: ["bash,hello"] });
 * assert.deepEqual(planned.activators, ["bash", "hello"]);
 * assert.ok(planned.plan.ops.some((op) => op.path === `${planned.layout.binDir}/activate.hello`));
 * await Deno.remove(dir);
 * ```
 */
export function registerActivator(activator: Activator): Registration {
  return registry.register(activator);
}

/**
 * The names `--activators` accepts: with a platform, those available there (what an environment gets unless
 * `--activators` says otherwise); without one, every activator known, mkvenv's first, then the registered ones.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { activatorNames, hostPlatform } from "@mkvenv/mkvenv";
 * assert.ok(activatorNames().includes("batch")); // cmd.exe's, written on Windows only
 * assert.equal(activatorNames(hostPlatform()).includes("batch"), hostPlatform().isWindows);
 * ```
 */
export function activatorNames(platform?: Platform): string[] {
  return registry.all().filter((a) => !platform || a.supports(platform)).map((a) => a.name);
}

/**
 * The activators to write: all that `platform` supports when `names` is undefined, else the named ones, in
 * {@linkcode ACTIVATORS} order (registered ones after them). Names are given as a list or, like virtualenv's `--activators`, separated by
 * commas; an empty list means none. An unknown name, or one not available on `platform`, is a usage error that
 * lists the names there are.
 */
export function selectActivators(names: string | readonly string[] | undefined, platform: Platform): Activator[] {
  const available = registry.all().filter((a) => a.supports(platform));
  if (names === undefined) return available;
  const wanted = (typeof names === "string" ? [names] : names)
    .flatMap((name) => name.split(","))
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of wanted) {
    if (available.some((a) => a.name === name)) continue;
    const known = registry.get(name);
    throw usageError(
      known ? `Activator "${name}" is not available on ${platform.os}` : `Unknown activator "${name}"`,
      `choose from: ${available.map((a) => a.name).join(", ")} (comma separated)`,
    );
  }
  return available.filter((a) => wanted.includes(a.name));
}

/** The write operations of the given activators' scripts, in order. */
export function activatorOps(activators: readonly Activator[], input: ActivatorInput): WriteOp[] {
  return activators.flatMap((activator) => activator.plan(input));
}
