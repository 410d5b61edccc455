import test from 'ava';
import { runCheckCases } from '../../src/engine/cases.js';
import { loadChecks } from '../../src/engine/load-checks.js';
import type { Check } from '../../src/engine/types.js';

let checks: Check[];

test.before(async () => {
  checks = await loadChecks({ builtIn: false, paths: [new URL('../../policies/azure', import.meta.url).pathname] });
});

test('every Azure check has passing, failing and unknown cases, and they hold', (t) => {
  t.true(checks.length >= 13);
  for (const check of checks) {
    for (const outcome of runCheckCases(check)) t.true(outcome.ok, `${check.id}: ${outcome.name}: expected ${outcome.expected}, got ${outcome.actual} (${outcome.detail})`);
    for (const expect of ['pass', 'fail', 'unknown'] as const) t.true(check.tests.some((c) => c.expect === expect), `${check.id} has no ${expect} case`);
  }
});
