/**
 * A download's progress on one terminal line, shared by the CLI's seeding and `--upgrade-embed-wheels`.
 *
 * @module
 */

/** A throttled progress line for a download; see {@linkcode progressPrinter}. */
export interface ProgressPrinter {
  /** Reports progress: the bytes received so far and the expected size (undefined when unknown). */
  readonly update: (received: number, total: number | undefined) => void;
  /** Ends the line (if anything was printed), so later output starts on a fresh line. Call it in `finally`. */
  readonly done: () => void;
}

function formatSize(received: number, total: number | undefined): string {
  const mega = (total ?? received) >= 1e6;
  const fmt = (n: number) => mega ? (n / 1e6).toFixed(1) : String(Math.round(n / 1e3));
  return `${fmt(received)}${total === undefined ? "" : `/${fmt(total)}`} ${mega ? "MB" : "kB"}`;
}

/**
 * A progress line such as `downloading pip-26.2.1-py3-none-any.whl: 1.2/2.1 MB`, redrawn in place (`\r`, then erase
 * to the end of the line) at most 10 times a second, plus the final state. Meant for a terminal: the caller passes a
 * `write` only when stderr is one, since redrawn lines are noise in a log.
 *
 * @param name What is being downloaded.
 * @param write Writes text to the terminal.
 * @param now The clock in milliseconds; `Date.now` by default (tests pass their own).
 * @returns The update and finish functions.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { progressPrinter } from "./progress.ts";
 * let out = "";
 * const progress = progressPrinter("pip-26.2.1-py3-none-any.whl", (text) => out += text);
 * progress.update(2_100_000, 2_100_000);
 * progress.done();
 * assert(out === "\rdownloading pip-26.2.1-py3-none-any.whl: 2.1/2.1 MB\x1b[K\n");
 * ```
 */
export function progressPrinter(
  name: string,
  write: (text: string) => void,
  now: () => number = Date.now,
): ProgressPrinter {
  let last: number | undefined;
  let printed = false;
  /** The state a throttled update did not draw: `done` draws it, so the line ends on what was received. */
  let skipped: string | undefined;
  return {
    update(received, total) {
      const t = now();
      const final = total !== undefined && received >= total;
      const text = `\rdownloading ${name}: ${formatSize(received, total)}\x1b[K`;
      if (!final && last !== undefined && t - last < 100) {
        skipped = text;
        return;
      }
      last = t;
      printed = true;
      skipped = undefined;
      write(text);
    },
    done() {
      if (skipped !== undefined) write(skipped);
      if (printed) write("\n");
      printed = false;
      skipped = undefined;
    },
  };
}

/**
 * Progress lines for downloads one after another on one terminal: each file gets its line, ended when the file is
 * complete, when the next one starts, or by {@linkcode ProgressLines.end}, which whatever prints next calls first,
 * so that a size never known, a failed download or a warning cannot glue two lines together.
 */
export interface ProgressLines {
  /** Reports progress of the file `name`. */
  readonly report: (name: string, received: number, total: number | undefined) => void;
  /** Ends the line being drawn, if any. */
  readonly end: () => void;
}

/**
 * Makes {@linkcode ProgressLines} writing with `write`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { progressLines } from "./progress.ts";
 * let out = "";
 * const lines = progressLines((text) => out += text, () => 0);
 * lines.report("a.whl", 500, undefined);
 * lines.end();
 * lines.end();
 * assert(out === "\rdownloading a.whl: 1 kB\x1b[K\n");
 * ```
 */
export function progressLines(write: (text: string) => void, now: () => number = Date.now): ProgressLines {
  let current: { readonly name: string; readonly printer: ProgressPrinter } | undefined;
  const end = (): void => {
    current?.printer.done();
    current = undefined;
  };
  return {
    report(name, received, total) {
      if (current?.name !== name) {
        end();
        current = { name, printer: progressPrinter(name, write, now) };
      }
      current.printer.update(received, total);
      if (total !== undefined && received >= total) end();
    },
    end,
  };
}
