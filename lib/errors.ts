/**
 * The one error family mkvenv raises for anything a user can cause: each carries the exit code the CLI uses and a
 * message that says what went wrong and what to do about it.
 *
 * @module
 */

/** Exit code for a failure (interpreter not found, file system refused, ...). */
export const EXIT_FAILURE = 1;
/** Exit code for a usage mistake (unknown flag, unparseable spec, bad destination). */
export const EXIT_USAGE = 2;

/** Options for {@linkcode MkvenvError}. */
export interface MkvenvErrorOptions {
  /** Process exit code the CLI should use. @default {1} */
  exitCode?: number;
  /** A hint telling the user what to do next, printed on its own line. */
  hint?: string | undefined;
  /** The underlying error, if any. */
  cause?: unknown;
}

/**
 * An error the user can act on. The CLI prints `error: <message>` (and the hint) without a stack trace and exits
 * with {@linkcode MkvenvError.exitCode}.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { MkvenvError } from "@mkvenv/mkvenv";
 * const err = new MkvenvError("Cannot find Python interpreter \"3.99\"", { hint: "install it" });
 * assert(err.exitCode === 1);
 * ```
 */
export class MkvenvError extends Error {
  /** Process exit code for this error: 1 for failures, 2 for usage mistakes. */
  readonly exitCode: number;
  /** What the user can do about it, if there is something to say. */
  readonly hint: string | undefined;

  /** Creates an error with a message, an exit code (default 1) and an optional hint. */
  constructor(message: string, options: MkvenvErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "MkvenvError";
    this.exitCode = options.exitCode ?? EXIT_FAILURE;
    this.hint = options.hint;
  }
}

/** Creates a usage error (exit code 2). */
export function usageError(message: string, hint?: string): MkvenvError {
  return new MkvenvError(message, { exitCode: EXIT_USAGE, hint });
}
