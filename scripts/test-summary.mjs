// Prints the closing line of the test command from jest's and Playwright's JSON results:
// "tests: <passed> passed, <failed> failed, <skipped> skipped". A missing results file counts as
// one failure (that runner did not finish). Exit code 1 when anything failed.
import { existsSync, readFileSync } from 'node:fs';

const [jestFile, uiFile] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;

if (jestFile && existsSync(jestFile)) {
  const r = JSON.parse(readFileSync(jestFile, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0);
  skipped += r.numPendingTests + r.numTodoTests;
} else {
  console.error(`no jest results at ${jestFile}`);
  failed += 1;
}

function walkSuites(suites) {
  for (const suite of suites ?? []) {
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests ?? []) {
        const status = test.status ?? test.results?.at(-1)?.status;
        if (status === 'expected' || status === 'flaky') passed += 1;
        else if (status === 'skipped') skipped += 1;
        else failed += 1;
      }
    }
    walkSuites(suite.suites);
  }
}
if (uiFile && existsSync(uiFile)) {
  const r = JSON.parse(readFileSync(uiFile, 'utf8'));
  walkSuites(r.suites);
  failed += (r.errors ?? []).length;
} else {
  console.error(`no UI test results at ${uiFile}`);
  failed += 1;
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
