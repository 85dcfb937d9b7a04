/**
 * Seeders: what installs packages into a new environment. A seeder is a value, like a creator or an activator: a
 * name and a `plan` function returning the operations that install its packages and the list of what they are.
 * mkvenv's own are `app-data` (link an unpacked wheel image, the default) and `pip` (run pip from its wheel); a
 * program can register more, which `--seeder NAME` then offers.
 *
 * @module
 */
import type { CreateVenvOptions } from "../create.ts";
import type { CreatorInput, VenvLayout } from "../creator/creator.ts";
import { usageError } from "../errors.ts";
import type { PlanOp } from "../plan/ops.ts";
import { type Registration, Registry } from "../registry.ts";
import type { AcquiredWheel } from "./acquire.ts";
import {
  builtImage,
  bytecodeTag,
  compiledFiles,
  compileImage,
  compileImageInBackground,
  ensureImage,
  imageDir,
  keepPreparedTree,
  readPreparedTree,
  requireImage,
  treeToInstall,
} from "./image.ts";
import { imageInstallOps, type LauncherPip, pipSeederOp, type SeedLink } from "./seeder.ts";

/** A package seeded into the environment. */
export interface SeededPackage {
  /** Project name, e.g. `pip`. */
  readonly name: string;
  /** Its version. */
  readonly version: string;
  /** The wheel (or other file) it came from. */
  readonly wheel: string;
  /** Where the wheel was found: `store`, `update`, `extra-search-dir`, `ensurepip`, `os` or `index` (or a plugin's word). */
  readonly source: string;
  /** How it was installed: `hardlink`, `copy`, `symlink` (app-data seeder) or `pip` (or a plugin's word). */
  readonly via: string;
}

/** What a seeder is given to plan its part of an environment. */
export interface SeederInput {
  /** What the creator planned from: the destination, the interpreter, the platform, links or copies, ... */
  readonly target: CreatorInput;
  /** Where things are in the environment (site-packages, the bin folder, the interpreter). */
  readonly layout: VenvLayout;
  /** The options of the whole run, seeding ones included (`pip`, `setuptools`, `symlinkAppData`, `copies`, ...). */
  readonly options: CreateVenvOptions;
  /** mkvenv's app-data folder (absolute, versioned: `.../mkvenv-v1`), where caches such as wheel images live. */
  readonly appData: string;
  /** An environment variable of the run (the `env` option, else the process's). */
  env(name: string): string | undefined;
  /**
   * The seed packages the options ask for (pip, and setuptools below Python 3.12, unless turned off), each as the
   * wheel chosen for it: found locally or downloaded on the first call, the same answer on later calls. Empty when
   * nothing is asked for.
   */
  wheels(): Promise<readonly AcquiredWheel[]>;
  /**
   * A wheel of `project` found as the seed packages' are (the wheel store, `--extra-search-dir`, the interpreter's and
   * the OS's wheels, the index where the options allow it), for a package the seeder needs without seeding it: the
   * pip that `--seeder pip` runs when `--no-pip` leaves pip out. `version` takes what `--pip` takes; default `bundle`.
   */
  acquire(project: string, version?: string): Promise<AcquiredWheel>;
  /** Reports a problem that does not stop creation; it ends up in the result's warnings. */
  warn(message: string): void;
  /** The run's cancellation signal: long work (a download, a build) should stop when it aborts. */
  readonly signal: AbortSignal | undefined;
}

/** A seeder's part of the plan. */
export interface SeedPlan {
  /** Operations installing the packages (all inside the environment), applied after the creator's. */
  readonly ops: readonly PlanOp[];
  /** What they install, for the report; may be empty. */
  readonly seeds: readonly SeededPackage[];
}

/** One way of installing packages into a new environment. */
export interface Seeder {
  /** The name `--seeder` takes, e.g. `app-data`. */
  readonly name: string;
  /** The name virtualenv's report uses for the same seeder, e.g. `FromAppData`. */
  readonly displayName: string;
  /** The operations that seed the environment and what they install. Runs before anything is written. */
  plan(input: SeederInput): SeedPlan | Promise<SeedPlan>;
}

/** `app-data`: each seed wheel unpacked once into an image in the app-data folder, then linked or copied in. */
const appDataSeeder: Seeder = {
  name: "app-data",
  displayName: "FromAppData",
  async plan(input) {
    const wheels = await input.wheels();
    if (!wheels.length) return { ops: [], seeds: [] };
    const { target, layout, options } = input;
    const info = target.python.info;
    const p = target.platform.path;
    const link: SeedLink = options.symlinkAppData ? "symlink" : options.copies ? "copy" : "hardlink";
    const ops: PlanOp[] = [];
    // On Windows every seed's .exe scripts get the launchers of the seeded pip's distlib (pip is seeded first).
    let launcherPip: LauncherPip | undefined;
    const tag = bytecodeTag(info);
    for (const wheel of wheels) {
      input.signal?.throwIfAborted();
      const dir = imageDir(p.join(input.appData, "images"), info.versionInfo, wheel.path, wheel.info.sha256);
      // The everyday run: an earlier one worked out what to link, and that file exists only in a built image.
      const prepared = link !== "symlink" ? readPreparedTree(dir, tag) : undefined;
      const image = prepared
        ? builtImage(dir)
        : options.readOnlyAppData
        ? requireImage(dir, wheel.path)
        : await ensureImage(dir, wheel.path, input.signal);
      if (wheel.info.name.toLowerCase() === "pip") launcherPip = { image, version: wheel.info.version };
      let tree = prepared;
      if (!prepared) {
        const compiled = compiledFiles(image, tag);
        if (compiled && link !== "symlink") {
          // Copies carry the bytecode too: the executor gives each copied module the image's mtime, which it records.
          tree = treeToInstall(image.manifest, compiled);
          if (!options.readOnlyAppData) keepPreparedTree(dir, tag, tree);
        } else if (!compiled && !options.readOnlyAppData) {
          // Linked folders need their bytecode before an environment can write some into the image; hard links and
          // copies get it from then on, without this run waiting.
          if (link === "symlink") await compileImage(image, info.systemExecutable, tag, input.signal);
          else compileImageInBackground(image, info.systemExecutable, tag);
        }
      }
      // Before the image is compiled, hard links and copies carry no bytecode.
      if (!tree && link !== "symlink") tree = treeToInstall(image.manifest, []);
      ops.push(
        ...imageInstallOps(target, layout, wheel, image, link, {
          warn: input.warn,
          launcherPip,
          sourceDateEpoch: input.env("SOURCE_DATE_EPOCH"),
          tree,
        }),
      );
    }
    return { ops, seeds: wheels.map((w) => seeded(w, link)) };
  },
};

/** `pip`: pip, run from its own wheel by the environment's python, installs the seeds offline. */
const pipSeeder: Seeder = {
  name: "pip",
  displayName: "PipInvoke",
  async plan(input) {
    const wheels = await input.wheels();
    if (!wheels.length) return { ops: [], seeds: [] };
    const processEnv = input.options.env ?? Deno.env.toObject();
    // With --no-pip, pip still installs the others (from its wheel, as virtualenv runs it), without seeding itself.
    const pip = wheels.find((w) => w.info.name.toLowerCase() === "pip") ?? await input.acquire("pip");
    return {
      ops: [pipSeederOp(input.layout, wheels, pip, processEnv, input.target)],
      seeds: wheels.map((w) => seeded(w, "pip")),
    };
  },
};

function seeded(wheel: AcquiredWheel, via: string): SeededPackage {
  return { name: wheel.info.name, version: wheel.info.version, wheel: wheel.path, source: wheel.source, via };
}

/** mkvenv's own seeders; the first is the default. */
export const SEEDERS: readonly Seeder[] = [appDataSeeder, pipSeeder];

const registry = new Registry<Seeder>("seeder", SEEDERS);

/**
 * Adds a seeder that `--seeder NAME` (the `seeder` option) can then choose. The name must be new: neither
 * `builtin` nor one already known.
 *
 * @example A seeder that adds a `.pth` file instead of packages
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeVenv, registerSeeder, type Seeder } from "@mkvenv/mkvenv";
 * const pth: Seeder = {
 *   name: "pth",
 *   displayName: "PthSeeder",
 *   plan: ({ layout, target }) => ({
 *     ops: [{ op: "write", path: target.platform.path.join(layout.purelib, "extra.pth"), content: "/opt/lib\n" }],
 *     seeds: [],
 *   }),
 * };
 * using _ = registerSeeder(pth);
 * const dir = await Deno.makeTempDir();
 * const planned = await describeVenv({ dest: `${dir}/env`, seeder: "pth" });
 * assert.equal(planned.seeder, "pth");
 * assert.ok(planned.plan.ops.some((op) => op.path === `${planned.layout.purelib}/extra.pth`));
 * await Deno.remove(dir);
 * ```
 */
export function registerSeeder(seeder: Seeder): Registration {
  return registry.register(seeder);
}

/**
 * The names `--seeder` accepts: mkvenv's seeders (`app-data`, the default, and `pip`), then the registered ones.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { seederNames } from "@mkvenv/mkvenv";
 * assert.deepEqual(seederNames().slice(0, 2), ["app-data", "pip"]);
 * ```
 */
export function seederNames(): string[] {
  return registry.all().map((s) => s.name);
}

/** The seeder named `name` (`app-data` when undefined); an unknown name is a usage error. */
export function selectSeeder(name: string | undefined): Seeder {
  const seeder = registry.get(name ?? SEEDERS[0]!.name);
  if (!seeder) throw usageError(`Unknown seeder "${name}"`, `choose one of: ${seederNames().join(", ")}`);
  return seeder;
}
