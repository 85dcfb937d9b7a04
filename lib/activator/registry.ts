/**
 * The activators mkvenv knows, which ones an environment gets by default, and the `--activators` selection rule.
 *
 * @module
 */
import { usageError } from "../errors.ts";
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

/** The names of the activators for `platform`: what an environment gets unless `--activators` says otherwise. */
export function activatorNames(platform: Platform): string[] {
  return ACTIVATORS.filter((a) => a.supports(platform)).map((a) => a.name);
}

/**
 * The activators to write: all that `platform` supports when `names` is undefined, else the named ones, in
 * {@linkcode ACTIVATORS} order. Names are given as a list or, like virtualenv's `--activators`, separated by
 * commas; an empty list means none. An unknown name, or one not available on `platform`, is a usage error that
 * lists the names there are.
 */
export function selectActivators(names: string | readonly string[] | undefined, platform: Platform): Activator[] {
  const available = ACTIVATORS.filter((a) => a.supports(platform));
  if (names === undefined) return available;
  const wanted = (typeof names === "string" ? [names] : names)
    .flatMap((name) => name.split(","))
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of wanted) {
    if (available.some((a) => a.name === name)) continue;
    const known = ACTIVATORS.find((a) => a.name === name);
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
