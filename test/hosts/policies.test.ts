import test from 'ava';
import { loadChecks } from '../../src/engine/load-checks.js';
import { packagePath } from '../../src/util/paths.js';

// test/core/checks.test.ts runs every check's cases; these tests hold the host checks to more.
// Loaded before the tests run rather than at the top level, so that this file can share a process (test/suites/).
let hostChecks: Awaited<ReturnType<typeof loadChecks>>;
test.before(async () => {
  hostChecks = await loadChecks({
    builtIn: false,
    paths: [packagePath('policies', 'windows'), packagePath('policies', 'linux')],
  });
});

test('every host check has a failing case, and an unknown case when its data can be missing', (t) => {
  for (const check of hostChecks) {
    t.true(
      check.tests.some((c) => c.expect === 'fail'),
      check.id,
    );
    t.true(
      check.tests.some((c) => c.expect === 'unknown'),
      check.id,
    );
    t.true((check.needs ?? []).length > 0, check.id);
  }
});

test('all four M1038 measures are scored by host checks', (t) => {
  const measures = new Set(hostChecks.filter((c) => c.mitigation === 'M1038').map((c) => c.measure));
  t.deepEqual([...measures].sort(), [
    'application-control',
    'dynamic-analysis-prevention',
    'executable-blocking',
    'script-blocking',
  ]);
});

test('host checks only need gap topics the host adapters record', (t) => {
  const topics = new Set([
    'windows.applocker',
    'windows.execution-policy',
    'windows.language-mode',
    'windows.wdac',
    'windows.defender',
    'windows.local-admins',
    'windows.cloud-tools',
    'windows.cloud-credentials',
    'linux.mounts',
    'linux.sudoers',
    'linux.mac',
    'linux.sshd',
    'linux.groups',
    'linux.cloud-tools',
    'linux.cloud-credentials',
  ]);
  for (const check of hostChecks)
    for (const need of check.needs ?? []) t.true(topics.has(need), `${check.id} needs ${need}`);
});
