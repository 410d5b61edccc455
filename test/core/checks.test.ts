import { readdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import test from 'ava';
import { assertsWhatUsersRead, describeCaseFailure, runCheckCases } from '../../src/engine/cases.js';
import type { Check } from '../../src/engine/types.js';
import { BUILTIN_POLICY_DIR, displayPath, loadChecks } from '../../src/engine/load-checks.js';

/**
 * The shipped check files, listed as the tests are declared: a check's id is its file name, so each check gets its
 * test before the checks are loaded (a file that loaded them at its top level would need a process of its own).
 */
const FILES = readdirSync(BUILTIN_POLICY_DIR, { recursive: true, encoding: 'utf8' })
  .filter((name) => ['.yaml', '.yml'].includes(extname(name)))
  .map((name) => join(BUILTIN_POLICY_DIR, name))
  .sort();
let checks: Check[];

test.before(async () => {
  checks = await loadChecks();
});

test('a test below for each shipped check', (t) => {
  t.deepEqual(
    checks.map((c) => c.file),
    FILES,
  );
});

test('the built-in policy folder has checks for every resource kind', (t) => {
  const kinds = new Set(checks.map((c) => c.resource));
  for (const kind of ['principals', 'roles', 'controls', 'scopes'] as const)
    t.true(kinds.has(kind), `no check on ${kind}`);
});

// Every shipped check runs its own cases, like ESLint's RuleTester: one ava test per check.
for (const file of FILES) {
  test(`check ${basename(file, extname(file))}: every test case gets its expected status`, (t) => {
    const check = checks.find((c) => c.file === file)!;
    const outcomes = runCheckCases(check);
    t.true(
      outcomes.some((o) => o.expected === 'pass') && outcomes.some((o) => o.expected === 'fail'),
      'needs a passing and a failing case',
    );
    for (const o of outcomes) t.true(o.ok, describeCaseFailure(o, displayPath(o.file)).join('\n') || o.detail);
  });
}

/** The placeholder values a rendered message took, or undefined when the message is not of the template's form. */
function placeholderValues(template: string, message: string): string[] | undefined {
  const literal = template.split(/\{[^{}]*\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${literal.join('(.*)')}$`, 's').exec(message)?.slice(1);
}

// Like ESLint's messageId assertions and Prowler's status_extended ones: a check's tests pin what a user reads.
test('every shipped check has a failing case that asserts its message and its failing pointers', (t) => {
  const lacking = checks.filter((c) => !assertsWhatUsersRead(c)).map((c) => displayPath(c.file));
  t.deepEqual(
    lacking,
    [],
    'add `failed: [/json/pointer]` and `message: "..."` to a case that expects fail (docs/checks.md, "Test cases")',
  );
});

test('an asserted failure message fills every placeholder from the case\'s resource (no "?")', (t) => {
  for (const check of checks) {
    for (const testCase of check.tests) {
      if (testCase.expect !== 'fail' || testCase.message === undefined) continue;
      const values = placeholderValues(check.message, testCase.message);
      t.truthy(
        values,
        `${displayPath(check.file)}: case ${JSON.stringify(testCase.name)}: the asserted message is not of the form ${JSON.stringify(check.message)}`,
      );
      t.false(
        values?.includes('?'),
        `${displayPath(check.file)}: case ${JSON.stringify(testCase.name)}: the message ${JSON.stringify(testCase.message)} leaves a placeholder of ${JSON.stringify(check.message)} unfilled; give the case's resource that field`,
      );
    }
  }
});

test('docs/checks.md lists every check (run `npm run docs` after adding one)', async (t) => {
  const { readFile } = await import('node:fs/promises');
  const doc = await readFile(new URL('../../docs/checks.md', import.meta.url), 'utf8');
  const missing = checks.filter((c) => !doc.includes(`<a id="${c.id}"></a>`)).map((c) => c.id);
  t.deepEqual(missing, []);
});
