import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import type { ReportDiff } from '../../src/report/compare.js';
import { CHECKS_FLAG, cloudward, gcpSnapshot, tempDir, writeJson, writeText } from './helpers.js';

async function twoReports(): Promise<{ dir: string; older: string; newer: string }> {
  const dir = await tempDir();
  const waivers = writeText(
    dir,
    'waivers.yaml',
    'waivers:\n  - check: gcp-users-2sv-enrolled\n    resource: "gcp:acme-prod:user/carl"\n    owner: o@acme.com\n    reason: leaving this month\n    expires: 2027-01-01\n',
  );
  const older = join(dir, 'older.json');
  const newer = join(dir, 'newer.json');
  const a = gcpSnapshot({
    users: [
      { name: 'alice', mfa: 'enabled' },
      { name: 'bob', mfa: 'disabled' },
      { name: 'carl', mfa: 'disabled' },
      { name: 'dora', mfa: 'enabled' },
    ],
  });
  const b = gcpSnapshot({
    users: [
      { name: 'alice', mfa: 'disabled' },
      { name: 'bob', mfa: 'enabled' },
      { name: 'carl', mfa: 'disabled' },
      { name: 'eve', mfa: 'enabled' },
    ],
    adminServiceAccount: true,
  });
  for (const [snapshot, out, extra] of [
    [a, older, []],
    [b, newer, ['--waivers', waivers]],
  ] as const) {
    const run = await cloudward([
      'audit',
      writeJson(dir, `${out}.snapshot.json`.replace(/.*\//, ''), snapshot),
      ...CHECKS_FLAG,
      '--format',
      'json',
      '--output',
      out,
      '--fail-on',
      'none',
      ...extra,
    ]);
    if (run.code !== 0) throw new Error(run.stderr);
  }
  return { dir, older, newer };
}

test('diff --format json lists new, fixed and changed findings and score deltas per mitigation and measure', async (t) => {
  const { older, newer } = await twoReports();
  const run = await cloudward(['diff', older, newer, '--format', 'json']);
  t.is(run.code, 0, run.stderr);
  const diff = JSON.parse(run.stdout) as ReportDiff;
  t.deepEqual(
    diff.new.map((e) => [e.checkId, e.uid, e.status]),
    [
      ['gcp-service-accounts-not-admin', 'gcp:acme-prod:serviceAccount/deployer', 'fail'],
      ['gcp-users-2sv-enrolled', 'gcp:acme-prod:user/alice', 'fail'],
    ],
  );
  t.deepEqual(
    diff.fixed.map((e) => e.uid),
    ['gcp:acme-prod:user/bob'],
  );
  t.deepEqual(
    diff.changed.map((e) => [e.uid, e.previous, e.status]),
    [['gcp:acme-prod:user/carl', 'fail', 'waived']],
  );
  const m1026 = diff.scores.mitigations.find((m) => m.id === 'M1026')!;
  const roles = m1026.measures.find((m) => m.id === 'account-permissions-and-roles')!;
  t.deepEqual([roles.from, roles.to, roles.delta], [100, 0, -100]);
  t.is(
    diff.scores.overall.delta,
    Math.round(((diff.scores.overall.to ?? 0) - (diff.scores.overall.from ?? 0)) * 10) / 10,
  );
  t.true(diff.scores.overall.delta! < 0);
});

test('diff prints text by default and markdown on request, exit 0 whatever changed', async (t) => {
  const { dir, older, newer } = await twoReports();
  const text = await cloudward(['diff', older, newer]);
  t.is(text.code, 0);
  t.regex(text.stdout, /New findings \(2\)\n {2}\+ high {5}gcp-service-accounts-not-admin/);
  t.regex(text.stdout, /Fixed \(1\)\n {2}- high {5}gcp-users-2sv-enrolled gcp:acme-prod:user\/bob \(was fail\)/);
  t.regex(
    text.stdout,
    /Status changes \(1\)\n {2}~ high {5}gcp-users-2sv-enrolled gcp:acme-prod:user\/carl: fail -> waived/,
  );
  t.regex(text.stdout, /account-permissions-and-roles\s+100\.0 -> 0\.0 \(-100\.0\)/);
  const out = join(dir, 'diff.md');
  const markdown = await cloudward(['diff', older, newer, '--format', 'markdown', '--output', out]);
  t.is(markdown.code, 0);
  t.is(markdown.stdout, '');
  const md = await readFile(out, 'utf8');
  t.regex(md, /^## cloudward: what changed/);
  t.regex(md, /\| account-permissions-and-roles \| 100\.0 \| 0\.0 \| -100\.0 \|/);
  t.regex(md, /### New findings \(2\)/);
  const same = await cloudward(['diff', older, older]);
  t.is(same.code, 0);
  t.regex(same.stdout, /New findings \(0\)[\s\S]*Fixed \(0\)[\s\S]*Status changes \(0\)/);
});

test('diff of anything but two cloudward JSON reports is exit 2 with a one-line reason', async (t) => {
  const { dir, older } = await twoReports();
  const sarif = writeText(dir, 'x.sarif', JSON.stringify({ version: '2.1.0', runs: [] }));
  const run = await cloudward(['diff', older, sarif]);
  t.is(run.code, 2);
  t.regex(run.stderr, /^cloudward: .*x\.sarif: not a cloudward JSON report: this is a SARIF log/);
  t.is(run.stderr.trim().split('\n').length, 1);
});

test('diff lists findings of a scope the newer report did not read as not evaluated, not fixed, and warns when no scope is shared', async (t) => {
  const dir = await tempDir();
  const prod = gcpSnapshot({ users: [{ name: 'bob', mfa: 'disabled' }] });
  const dev = JSON.parse(JSON.stringify(prod).replaceAll('acme-prod', 'acme-dev')) as typeof prod;
  const report = async (name: string, snapshot: typeof prod) => {
    const out = join(dir, `${name}.json`);
    const run = await cloudward([
      'audit',
      writeJson(dir, `${name}-snapshot.json`, snapshot),
      ...CHECKS_FLAG,
      '--format',
      'json',
      '--output',
      out,
      '--fail-on',
      'none',
    ]);
    if (run.code !== 0) throw new Error(run.stderr);
    return out;
  };
  const both = await report('both', {
    ...prod,
    sources: [...prod.sources, ...dev.sources],
    principals: [...prod.principals, ...dev.principals],
  });
  const prodOnly = await report('prod', prod);
  const devOnly = await report('dev', dev);

  const run = await cloudward(['diff', both, prodOnly, '--format', 'json']);
  t.is(run.code, 0, run.stderr);
  const diff = JSON.parse(run.stdout) as ReportDiff;
  t.deepEqual(diff.fixed, [], 'an account that failed to collect is not remediated');
  t.true(
    diff.notEvaluated.length > 0 &&
      diff.notEvaluated.every((e) => e.uid.includes('acme-dev') || e.uid === 'gcp:project/acme-dev'),
  );
  t.deepEqual(diff.notEvaluatedScopes, ['gcp:project/acme-dev']);
  t.falsy(diff.noCommonScope);

  const text = await cloudward(['diff', prodOnly, devOnly]);
  t.regex(
    text.stdout,
    /warning: .*prod\.json and .*dev\.json share no scope \(reports of different tenants\?\): nothing in them can be compared/,
  );
  t.regex(text.stdout, /Fixed \(0\)/);
});
