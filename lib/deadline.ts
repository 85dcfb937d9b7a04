/**
 * Timers built on `AbortSignal.timeout`. Deno's `setTimeout` loads its Node.js timers module on first use, 5 to 7 ms
 * measured here, which a run that interrogates an interpreter or talks to an index would pay once more; an
 * `AbortSignal.timeout` costs a few tenths of a millisecond.
 *
 * @module
 */

/** The longest delay a timer takes (2^31 - 1 ms, about 24.8 days), as for `setTimeout`. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * Calls `onExpire` once, `ms` milliseconds from now, unless the returned function is called first. A deadline that was
 * cancelled does not keep the process alive.
 *
 * @example Usage
 * ```ts
 * import { startDeadline } from "./deadline.ts";
 * const cancel = startDeadline(10_000, () => console.error("too slow"));
 * // ... the work finished in time:
 * cancel();
 * ```
 *
 * @param ms The delay in milliseconds; `NaN` or less than 0 counts as 0, more than 2^31 - 1 as 2^31 - 1.
 * @param onExpire Called when the deadline passes.
 * @returns A function that cancels the deadline; calling it again, or after it expired, does nothing.
 */
export function startDeadline(ms: number, onExpire: () => void): () => void {
  const signal = AbortSignal.timeout(Math.min(Math.max(Math.trunc(ms) || 0, 0), MAX_DELAY_MS));
  signal.addEventListener("abort", onExpire, { once: true });
  // The timer keeps the event loop alive only while the signal has a listener.
  return () => signal.removeEventListener("abort", onExpire);
}

/**
 * Resolves after `ms` milliseconds.
 *
 * @example Usage
 * ```ts
 * import { sleep } from "./deadline.ts";
 * await sleep(1);
 * ```
 *
 * @param ms The delay in milliseconds, as for {@linkcode startDeadline}.
 * @returns A promise that resolves with nothing once the delay has passed.
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => void startDeadline(ms, resolve));
}

/**
 * A checkpoint for long stretches of synchronous work done for a caller that can cancel. Each call throws `signal`'s
 * reason once it is aborted, and, when over `sliceMs` of work has passed since the last turn (and the process has run
 * for 60 ms), gives the event loop a turn first: otherwise an abort by a timer (`AbortSignal.timeout`), by a signal
 * handler, or by another request a host program serves could only land after the work ended. Without a signal it does
 * nothing.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkpoint } from "./deadline.ts";
 * const signal = AbortSignal.timeout(1);
 * const check = checkpoint(signal, 0);
 * await assert.rejects(async () => {
 *   for (;;) await check(); // busy work; the timeout lands at a turn
 * }, { name: "TimeoutError" });
 * ```
 *
 * @param signal The caller's signal, if any.
 * @param sliceMs The work between turns, in milliseconds.
 * @returns A function to await between steps of the work; it resolves at once while no turn is due.
 */
export function checkpoint(signal: AbortSignal | undefined, sliceMs = 5): () => Promise<void> | undefined {
  if (!signal) return () => undefined;
  let last = performance.now();
  return () => {
    signal.throwIfAborted();
    // Nothing a process set up in its first moments can be due yet: a run that ends by then (mkvenv's own warm
    // run) takes no turn at all, each of which costs it a little.
    const now = performance.now();
    if (now - last < sliceMs || now < SLOW_RUN_MS) return undefined;
    slowWorkAhead();
    return eventLoopTurn().then(() => {
      last = performance.now();
      signal.throwIfAborted();
    });
  };
}

/** How long into the process a run counts as slow at its next checkpoint turn (a warm run is done well before). */
const SLOW_RUN_MS = 60;

let slowWorkHook: (() => void) | undefined;

/**
 * Sets what to do once, the first time slow work is ahead: a checkpoint turn after the process's first 60 ms, or
 * {@linkcode slowWorkAhead} (an interpreter interrogated, an image built, a download, a program run). mkvenv's own
 * executable sets up its Ctrl-C handling there, which would cost a warm run, done in a few milliseconds, a
 * millisecond more. Undefined unsets it.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { onSlowWork, slowWorkAhead } from "./deadline.ts";
 * let armed = 0;
 * onSlowWork(() => armed++);
 * slowWorkAhead();
 * slowWorkAhead();
 * assert.equal(armed, 1);
 * ```
 */
export function onSlowWork(hook: (() => void) | undefined): void {
  slowWorkHook = hook;
}

/** Says that slow work is about to start: calls the {@linkcode onSlowWork} hook, if one is still set. */
export function slowWorkAhead(): void {
  const hook = slowWorkHook;
  slowWorkHook = undefined;
  hook?.();
}

/**
 * Resolves after one turn of the event loop, in which expired timers fire: a message to itself, about 0.02 ms here,
 * where a zero-delay timer waits for the timers' millisecond tick (1 to 2 ms).
 */
function eventLoopTurn(): Promise<void> {
  const channel = new MessageChannel();
  return new Promise<void>((resolve) => {
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(undefined);
  });
}
