/**
 * Everything a warm run never calls, behind one dynamic import: reading wheels, the package index and pip's
 * configuration, interrogating an interpreter, the Windows registry. Bundled, this is one chunk loaded on demand,
 * and the modules it shares with the warm path form one start-up chunk instead of one per combination of users;
 * every module a process loads costs it a fixed part of a millisecond.
 *
 * Import it with `await import("../on_demand.ts")` where the work is; the modules themselves stay where they are.
 * The `node:` modules the wheel reader uses are imported later still, by the first wheel read (`node_codecs.ts`).
 *
 * @module
 */
export { interrogate } from "./discovery/interrogate.ts";
export { prepareWindowsPythons, windowsPythonMayMatch } from "./discovery/registry/mod.ts";
export { downloadFile, findDistributionFiles, hasDownloaded, rankWheels, redactUrl } from "./seeder/index_client.ts";
export { resolvePipIndexes } from "./seeder/pip_config.ts";
export { extractWheel, readWheelMetadata } from "./seeder/wheel.ts";
export { loadNodeCodecs } from "./seeder/node_codecs.ts";
