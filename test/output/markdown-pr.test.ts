import test from 'ava';
import { auditSnapshot } from '../../src/audit.js';
import { loadChecks, selectChecks } from '../../src/engine/load-checks.js';
import { MARKDOWN_MAX_BYTES, renderMarkdown } from '../../src/report/markdown.js';
import type { Snapshot } from '../../src/snapshot/model.js';
import { EXAMPLE, runCli } from '../helpers/cli.js';
import { FIXTURE_CHECKS, gcpSnapshot } from '../gate/helpers.js';

const CONTEXT = { color: false, verbose: false, quiet: false };

test('with a baseline, the PR comment opens with the new findings; the rest follows collapsed', async (t) => {
  const run = await runCli([
    'audit',
    EXAMPLE,
    '-f',
    'markdown',
    '--baseline',
    'examples/acme/baseline.json',
    '--fail-on',
    'none',
  ]);
  t.is(run.code, 0, run.stderr);
  const md = run.stdout;
  const fresh = md.indexOf('### New findings (');
  const rest = md.indexOf('### All failing (');
  t.true(fresh > 0 && rest > fresh, 'new findings come first');
  const newPart = md.slice(fresh, rest);
  t.regex(newPart, /<details open>/);
  t.notRegex(md.slice(rest), /<details open>/, 'everything after the new findings is collapsed');
  // Without a baseline, failing results lead and are open, as before.
  const plain = await runCli(['audit', EXAMPLE, '-f', 'markdown', '--fail-on', 'none']);
  t.regex(plain.stdout, /### Failing \(\d+\)\n\n<details open>/);
  t.notRegex(plain.stdout, /New findings/);
});

function users(n: number, from = 0): Snapshot {
  return gcpSnapshot({
    users: Array.from({ length: n }, (_, i) => ({
      name: `user-${String(from + i).padStart(6, '0')}-${'x'.repeat(200)}`,
      mfa: 'disabled' as const,
    })),
  });
}

test('with a baseline the comment still stays under the size limit, new findings included', async (t) => {
  const checks = selectChecks(await loadChecks({}), FIXTURE_CHECKS);
  const loaded = (snapshot: Snapshot) => ({
    snapshot,
    files: [{ path: 'big.json', sha256: '0', collectedAt: snapshot.collectedAt }],
    origin: new Map(),
  });
  const before = auditSnapshot({
    loaded: loaded(users(10_000)),
    checks,
    gate: { failOn: 'high' },
    generatedAt: '2026-11-18T00:00:00.000Z',
  });
  const baseline = {
    file: 'before.json',
    report: before,
    byFingerprint: new Map(before.results.map((r) => [r.fingerprint, r])),
  };
  const after = auditSnapshot({
    loaded: loaded(users(10_000, 5_000)),
    checks,
    gate: { failOn: 'high' },
    baseline,
    generatedAt: '2026-11-18T00:00:00.000Z',
  });
  const md = renderMarkdown(after, CONTEXT);
  t.true(Buffer.byteLength(md) < MARKDOWN_MAX_BYTES);
  t.regex(md, /### New findings \(5000\)/);
  t.true(md.indexOf('### New findings') < md.indexOf('### All failing'));
});
