// Proposes `failed:` and `message:` lines for check cases that expect fail but do not pin what users read, from what
// the check puts out today: node --import tsx scripts/case-assertions.ts [POLICY-PATH...] (default: the built-in
// checks). Review each before pasting it under its case: the message must be what a user should read for that input.
import { caseSnapshot } from '../src/engine/cases.js';
import { evaluate } from '../src/engine/evaluate.js';
import { displayPath, loadChecks } from '../src/engine/load-checks.js';

const paths = process.argv.slice(2);
const checks = await loadChecks(paths.length > 0 ? { paths, builtIn: false } : {});
for (const check of checks) {
  check.tests.forEach((testCase, index) => {
    if (testCase.expect !== 'fail' || (testCase.message !== undefined && testCase.failed !== undefined)) return;
    const { snapshot, uid } = caseSnapshot(check, testCase, index);
    const result = evaluate(snapshot, [check]).find((r) => r.resource.uid === uid);
    process.stdout.write(`${displayPath(check.file)}: case ${JSON.stringify(testCase.name)}\n`);
    if (result?.status !== 'fail') {
      process.stdout.write(
        `  # the case does not fail today (${result?.status ?? 'not selected'}): fix the case first\n`,
      );
      return;
    }
    const pointers = [...new Set((result.evidence.failed ?? []).map((f) => f.path))];
    for (const f of result.evidence.failed ?? [])
      process.stdout.write(
        `  # ${f.path} ${f.message}${f.actual === undefined ? '' : `, saw ${JSON.stringify(f.actual)}`}\n`,
      );
    if (result.message.includes('?'))
      process.stdout.write(
        `  # "?" may stand for a field of ${JSON.stringify(check.message)} that the case's resource lacks\n`,
      );
    if (testCase.failed === undefined)
      process.stdout.write(`    failed: [${pointers.map((p) => JSON.stringify(p)).join(', ')}]\n`);
    if (testCase.message === undefined) process.stdout.write(`    message: ${JSON.stringify(result.message)}\n`);
  });
}
