/**
 * Prints `N passed, N failed, N skipped` from a JUnit XML file written by `deno test --junit-path`: the closing
 * line CI reads. Exits 1 when the file is missing or reports no tests at all.
 *
 * Usage: `deno run -R scripts/junit_summary.ts .out/junit.xml`
 *
 * @module
 */
const [file] = Deno.args;
if (!file) throw new TypeError("Cannot summarize: no JUnit file given");
let xml: string;
try {
  xml = await Deno.readTextFile(file);
} catch {
  console.log("0 passed, 1 failed, 0 skipped");
  console.error(`junit_summary: cannot read ${file}: the test run wrote no report`);
  Deno.exit(1);
}
// Count test cases rather than trusting the totals: steps are testcases too, and ignored tests carry <skipped/>.
const cases = [...xml.matchAll(/<testcase\b[^>]*?(?:\/>|>([\s\S]*?)<\/testcase>)/g)];
let failed = 0, skipped = 0;
for (const [, body] of cases) {
  if (body && /<(failure|error)\b/.test(body)) failed++;
  else if (body && /<skipped\b/.test(body)) skipped++;
}
const passed = cases.length - failed - skipped;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
if (cases.length === 0) Deno.exit(1);
