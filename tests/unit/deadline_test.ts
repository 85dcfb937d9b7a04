/** Timers on `AbortSignal.timeout`: they fire, cancel, clamp odd delays, and a cancelled one lets a process end. */
import assert from "node:assert/strict";
import path from "node:path";
import { sleep, startDeadline } from "../../lib/deadline.ts";
import { ROOT } from "../_helpers.ts";

Deno.test("startDeadline() calls back once after the delay, and not at all once cancelled", async () => {
  const started = performance.now();
  let fired = 0;
  let firedAfter = 0;
  const cancelFired = startDeadline(30, () => {
    fired++;
    firedAfter = performance.now() - started;
  });
  let cancelledFired = 0;
  const cancel = startDeadline(10, () => cancelledFired++);
  cancel();
  await sleep(80);
  cancelFired(); // after expiry: nothing left to do
  cancel();
  assert.equal(fired, 1);
  assert.ok(firedAfter >= 25, `fired after ${firedAfter} ms`);
  assert.equal(cancelledFired, 0);
});

Deno.test("startDeadline() takes NaN and negative delays as 0, and caps huge ones like setTimeout", async () => {
  const order: string[] = [];
  startDeadline(Number.NaN, () => order.push("nan"));
  startDeadline(-5, () => order.push("negative"));
  const cancelHuge = startDeadline(Number.MAX_SAFE_INTEGER, () => order.push("huge"));
  await sleep(20);
  cancelHuge();
  assert.deepEqual(order.sort(), ["nan", "negative"]);
});

Deno.test("a cancelled deadline does not keep the process alive", async () => {
  const script = `import { startDeadline } from ${JSON.stringify(path.join(ROOT, "lib", "deadline.ts"))};\n` +
    `startDeadline(20_000, () => console.log("fired"))();\n`;
  const started = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-config", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const elapsed = performance.now() - started;
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.equal(new TextDecoder().decode(out.stdout), "");
  assert.ok(elapsed < 10_000, `the process took ${Math.round(elapsed)} ms to end`);
});
