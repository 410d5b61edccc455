import test from 'ava';
import { runCheckCases } from '../../src/engine/cases.js';
import { loadChecks } from '../../src/engine/load-checks.js';

// Every shipped check runs its own cases, like ESLint's RuleTester: one ava test per check.
const checks = await loadChecks();

test('the built-in policy folder has checks for every resource kind', (t) => {
  const kinds = new Set(checks.map((c) => c.resource));
  for (const kind of ['principals', 'roles', 'controls', 'scopes'] as const) t.true(kinds.has(kind), `no check on ${kind}`);
});

for (const check of checks) {
  test(`check ${check.id}: every test case gets its expected status`, (t) => {
    const outcomes = runCheckCases(check);
    t.true(outcomes.some((o) => o.expected === 'pass') && outcomes.some((o) => o.expected === 'fail'), 'needs a passing and a failing case');
    for (const o of outcomes) t.true(o.ok, `${o.name}: expected ${o.expected}, got ${o.actual} — ${o.detail}`);
  });
}

test('docs/checks.md lists every check (run `npm run docs` after adding one)', async (t) => {
  const { readFile } = await import('node:fs/promises');
  const doc = await readFile(new URL('../../docs/checks.md', import.meta.url), 'utf8');
  const missing = checks.filter((c) => !doc.includes(`<a id="${c.id}"></a>`)).map((c) => c.id);
  t.deepEqual(missing, []);
});
