import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import type { Report } from '../../src/report/model.js';
import { CHECKS_FLAG, cloudward, gcpSnapshot, tempDir, writeJson, writeText } from './helpers.js';

/** Last week: alice enrolled, bob and the break-glass user not; the service account is not admin. */
const BEFORE = gcpSnapshot({
  users: [
    { name: 'alice', mfa: 'enabled' },
    { name: 'bob', mfa: 'disabled' },
    { name: 'break-glass-1', mfa: 'disabled' },
  ],
});
/** Today: alice lost 2SV (new), bob enrolled (fixed), break-glass unchanged, the service account became owner (new). */
const AFTER = gcpSnapshot({
  users: [
    { name: 'alice', mfa: 'disabled' },
    { name: 'bob', mfa: 'enabled' },
    { name: 'break-glass-1', mfa: 'disabled' },
  ],
  adminServiceAccount: true,
});

async function reportOf(dir: string, name: string, snapshot: unknown, extra: string[] = []): Promise<string> {
  const out = join(dir, `${name}-report.json`);
  const run = await cloudward([
    'audit',
    writeJson(dir, `${name}.json`, snapshot),
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
  return out;
}

async function readReport(path: string): Promise<Report> {
  return JSON.parse(await readFile(path, 'utf8')) as Report;
}

test('each finding is new or unchanged against the baseline, and the baseline findings that went away are fixed', async (t) => {
  const dir = await tempDir();
  const baseline = await reportOf(dir, 'before', BEFORE);
  const report = await readReport(await reportOf(dir, 'after', AFTER, ['--baseline', baseline]));
  const state = (uid: string) =>
    report.results.find((r) => r.resource.uid === uid && r.status !== 'pass')?.baselineState;
  t.is(state('gcp:acme-prod:user/alice'), 'new');
  t.is(state('gcp:acme-prod:serviceAccount/deployer'), 'new');
  t.is(state('gcp:acme-prod:user/break-glass-1'), 'unchanged');
  t.is(state('gcp:project/acme-prod'), 'unchanged');
  t.true(report.results.filter((r) => r.status === 'pass').every((r) => r.baselineState === undefined));
  t.like(report.baseline, { file: baseline, new: 2, unchanged: 2, fixed: 1 });
  t.deepEqual(
    report.baseline?.fixedResults.map((f) => [f.checkId, f.uid]),
    [['gcp-users-2sv-enrolled', 'gcp:acme-prod:user/bob']],
  );
});

test('--fail-on-new-only fails only on new results at or above --fail-on', async (t) => {
  const dir = await tempDir();
  const baseline = await reportOf(dir, 'before', BEFORE);
  const before = writeJson(dir, 'before-again.json', BEFORE);
  const after = writeJson(dir, 'after.json', AFTER);

  const full = await cloudward(['audit', before, ...CHECKS_FLAG, '--baseline', baseline]);
  t.is(full.code, 1, 'without --fail-on-new-only the old failures still fail the gate');
  const same = await cloudward(['audit', before, ...CHECKS_FLAG, '--baseline', baseline, '--fail-on-new-only']);
  t.is(same.code, 0, same.stderr);
  t.regex(same.stderr, /gate passed — nothing new at or above high .*against baseline .*0 new, 3 unchanged, 0 fixed/);

  const worse = await cloudward(['audit', after, ...CHECKS_FLAG, '--baseline', baseline, '--fail-on-new-only']);
  t.is(worse.code, 1);
  t.regex(worse.stderr, /gate failed — 2 new failing results at or above high severity \(2 high\)/);
  t.regex(worse.stdout, /alice@acme\.com is not enrolled in 2-Step Verification \[new\]/);
  t.regex(worse.stdout, /fixed: gcp-users-2sv-enrolled gcp:acme-prod:user\/bob/);

  const critical = await cloudward([
    'audit',
    after,
    ...CHECKS_FLAG,
    '--baseline',
    baseline,
    '--fail-on-new-only',
    '--fail-on',
    'critical',
  ]);
  t.is(critical.code, 0, 'the new findings are high, under a critical threshold');
});

test('a finding whose waiver expired since the baseline is new again', async (t) => {
  const dir = await tempDir();
  const waivers = writeText(
    dir,
    'waivers.yaml',
    'waivers:\n  - check: gcp-users-2sv-enrolled\n    resource: "gcp:acme-prod:user/break-glass-*"\n    owner: secops@acme.com\n    reason: emergency access\n    expires: 2026-11-30\n',
  );
  // The baseline was written while the waiver held (2026-11-18); the audit runs after it expired (2026-12-05).
  const baseline = await reportOf(dir, 'before', BEFORE, ['--waivers', waivers]);
  const run = await cloudward(
    [
      'audit',
      writeJson(dir, 'now.json', BEFORE),
      ...CHECKS_FLAG,
      '--baseline',
      baseline,
      '--fail-on-new-only',
      '--waivers',
      waivers,
      '--format',
      'json',
    ],
    {
      env: { SOURCE_DATE_EPOCH: String(Date.UTC(2026, 11, 5) / 1000) },
    },
  );
  t.is(run.code, 1, run.stderr);
  const report = JSON.parse(run.stdout) as Report;
  const breakGlass = report.results.find((r) => r.resource.uid === 'gcp:acme-prod:user/break-glass-1')!;
  t.is(breakGlass.status, 'fail');
  t.is(breakGlass.baselineState, 'new');
  t.regex(run.stderr, /1 expired and no longer waiving \(waiver-1\)/);
});

test('--fail-on-new-only without a baseline is a usage error, never a silent pass', async (t) => {
  const dir = await tempDir();
  const run = await cloudward(['audit', writeJson(dir, 's.json', AFTER), ...CHECKS_FLAG, '--fail-on-new-only']);
  t.is(run.code, 2);
  t.regex(run.stderr, /--fail-on-new-only needs a baseline/);
});

test('a baseline that is not a cloudward JSON report of this version is a one-line exit-2 error', async (t) => {
  const dir = await tempDir();
  const snapshot = writeJson(dir, 's.json', AFTER);
  const baseline = await readReport(await reportOf(dir, 'before', BEFORE));
  const cases: Array<[string, string, RegExp]> = [
    ['sarif.json', JSON.stringify({ version: '2.1.0', runs: [] }), /not a cloudward JSON report: this is a SARIF log/],
    ['snapshot.json', JSON.stringify(BEFORE), /not a cloudward JSON report: this is a snapshot/],
    [
      'other.json',
      JSON.stringify({ reportVersion: '1.0', tool: { name: 'prowler' }, results: [] }),
      /not a cloudward JSON report/,
    ],
    [
      'old.json',
      JSON.stringify({ ...baseline, reportVersion: '0.9' }),
      /old\.json#\/reportVersion: report version 0\.9 is not the version this cloudward reads \(1\.0\)/,
    ],
    ['broken.json', '{"reportVersion": "1.0", ', /broken\.json:1:\d+: malformed baseline report JSON/],
    ['list.json', '[]', /not a cloudward JSON report: the file does not hold a JSON object/],
    [
      'bad-result.json',
      JSON.stringify({ ...baseline, results: [{ checkId: 'x' }] }),
      /bad-result\.json#\/results\/0: not a cloudward JSON report/,
    ],
  ];
  for (const [name, text, expected] of cases) {
    const run = await cloudward(['audit', snapshot, ...CHECKS_FLAG, '--baseline', writeText(dir, name, text)]);
    t.is(run.code, 2, name);
    const lines = run.stderr
      .trim()
      .split('\n')
      .filter((l) => !/^(loading|evaluating)/.test(l));
    t.is(lines.length, 1, `${name}: ${run.stderr}`);
    t.regex(lines[0]!, expected, name);
  }
  const missing = await cloudward(['audit', snapshot, ...CHECKS_FLAG, '--baseline', join(dir, 'nope.json')]);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /nope\.json: baseline report not found/);
});

test('baseline and fail-on-new-only can come from cloudward.yaml', async (t) => {
  const dir = await tempDir();
  await reportOf(dir, 'before', BEFORE);
  writeJson(dir, 'after.json', AFTER);
  writeText(
    dir,
    'cloudward.yaml',
    'snapshots: [after.json]\nbaseline: before-report.json\nfailOnNewOnly: true\nfailOn: critical\n',
  );
  const run = await cloudward(['audit', ...CHECKS_FLAG, '--format', 'json'], { cwd: dir });
  t.is(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as Report;
  t.like(report.gate, { failOnNewOnly: true, failOn: 'critical', passed: true });
  t.like(report.baseline, { new: 2, fixed: 1 });
});

test('a report with a baseline block, waiver states and baseline states validates against schemas/report.schema.json', async (t) => {
  const { createAjv, loadSchema } = await import('../../src/util/ajv.js');
  const dir = await tempDir();
  const baseline = await reportOf(dir, 'before', BEFORE);
  const waivers = writeText(
    dir,
    'w.yaml',
    'waivers:\n  - check: gcp-users-2sv-enrolled\n    resource: "gcp:acme-prod:user/break-glass-*"\n    owner: o@acme.com\n    reason: emergency access\n    ticket: SEC-1\n    expires: 2027-01-01\n',
  );
  const report = await readReport(await reportOf(dir, 'after', AFTER, ['--baseline', baseline, '--waivers', waivers]));
  t.truthy(report.baseline && report.waivers && report.results.some((r) => r.waiver));
  const validate = createAjv({ allErrors: true, strictTypes: false }).compile(loadSchema('report.schema.json'));
  t.true(validate(report), JSON.stringify(validate.errors?.slice(0, 3)));
});
