/**
 * Prints `N passed, N failed, N skipped` from the JUnit XML files written by `deno test --junit-path`, summed over
 * all of them: the closing line CI reads (`.out/junit.xml` from the Linux run, `.out/junit-windows.xml` from the
 * Windows suite under Wine). A missing file counts as one failure. Exits 1 when a file is missing or no file reports
 * a test at all.
 *
 * Usage: `deno run -R scripts/junit_summary.ts .out/junit.xml [.out/junit-windows.xml ...]`
 *
 * @module
 */
const files = Deno.args;
if (!files.length) throw new TypeError("Cannot summarize: no JUnit file given");
let total = 0, failed = 0, skipped = 0, missing = 0;
for (const file of files) {
  let xml: string;
  try {
    xml = await Deno.readTextFile(file);
  } catch {
    console.error(`junit_summary: cannot read ${file}: the test run wrote no report`);
    missing++;
    continue;
  }
  // Count test cases rather than trusting the totals: steps are testcases too, and ignored tests carry <skipped/>.
  const cases = [...xml.matchAll(/<testcase\b[^>]*?(?:\/>|>([\s\S]*?)<\/testcase>)/g)];
  total += cases.length;
  for (const [, body] of cases) {
    if (body && /<(failure|error)\b/.test(body)) failed++;
    else if (body && /<skipped\b/.test(body)) skipped++;
  }
}
const passed = total - failed - skipped;
console.log(`${passed} passed, ${failed + missing} failed, ${skipped} skipped`);
if (missing > 0 || total === 0) Deno.exit(1);
