import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import type { Report } from '../../src/report/model.js';
import type { Snapshot } from '../../src/snapshot/model.js';
import { CHECKS_FLAG, cloudward, gcpSnapshot, tempDir, writeJson, type UserSpec } from './helpers.js';

/** The helper's project, moved to another project id (another scope of the same organization, or another tenant). */
function inProject(snapshot: Snapshot, id: string): Snapshot {
  return JSON.parse(JSON.stringify(snapshot).replaceAll('acme-prod', id)) as Snapshot;
}

/** Two projects in one snapshot, as a collection of the organization gives. */
function twoProjects(prod: UserSpec[], dev: UserSpec[]): Snapshot {
  const a = gcpSnapshot({ users: prod });
  const b = inProject(gcpSnapshot({ users: dev }), 'acme-dev');
  return { ...a, sources: [...a.sources, ...b.sources], principals: [...a.principals, ...b.principals] };
}

const FAILING: UserSpec[] = [{ name: 'bob', mfa: 'disabled' }];

async function jsonReport(
  dir: string,
  name: string,
  snapshot: Snapshot,
  extra: string[] = [],
): Promise<{ file: string; report: Report; stderr: string }> {
  const file = join(dir, `${name}-report.json`);
  const run = await cloudward([
    'audit',
    writeJson(dir, `${name}.json`, snapshot),
    ...CHECKS_FLAG,
    '--format',
    'json',
    '--output',
    file,
    '--fail-on',
    'none',
    ...extra,
  ]);
  if (run.code !== 0) throw new Error(run.stderr);
  return { file, report: JSON.parse(await readFile(file, 'utf8')) as Report, stderr: run.stderr };
}

test('findings of a scope the snapshot no longer covers are not evaluated against the baseline, never fixed', async (t) => {
  const dir = await tempDir();
  const baseline = await jsonReport(dir, 'before', twoProjects(FAILING, FAILING));
  // acme-dev failed to collect this time: its findings must not look remediated.
  const { report, stderr } = await jsonReport(dir, 'after', gcpSnapshot({ users: FAILING }), [
    '--baseline',
    baseline.file,
  ]);
  const devFindings = baseline.report.results.filter(
    (r) => r.resource.scope.id === 'acme-dev' && r.status !== 'pass',
  ).length;
  t.true(devFindings > 0);
  t.like(report.baseline, {
    fixed: 0,
    notEvaluated: devFindings,
    notEvaluatedChecks: [],
    notEvaluatedScopes: ['gcp:project/acme-dev'],
  });
  t.deepEqual(report.baseline?.fixedResults, []);
  t.regex(
    stderr,
    new RegExp(`0 fixed, ${devFindings} not evaluated \\(scope gcp:project/acme-dev not in this snapshot\\)`),
  );
  t.false(
    report.warnings?.some((w) => w.code === 'baseline-other-tenant'),
    'the scopes in common keep it the same tenant',
  );

  const text = await cloudward([
    'audit',
    writeJson(dir, 'after-again.json', gcpSnapshot({ users: FAILING })),
    ...CHECKS_FLAG,
    '--baseline',
    baseline.file,
    '--fail-on',
    'none',
  ]);
  t.regex(
    text.stdout,
    /not evaluated: \d+ baseline findings of scopes gcp:project\/acme-dev, not in this snapshot; not counted as fixed/,
  );
  t.notRegex(text.stdout, /fixed: /);
});

test('a baseline that shares no scope with the snapshot is a warning in the gate summary and in every format', async (t) => {
  const dir = await tempDir();
  const baseline = await jsonReport(dir, 'other-tenant', inProject(gcpSnapshot({ users: FAILING }), 'globex-prod'));
  const snapshot = writeJson(dir, 'snapshot.json', gcpSnapshot({ users: FAILING }));
  const out = join(dir, 'reports');
  const run = await cloudward([
    'audit',
    snapshot,
    ...CHECKS_FLAG,
    '--baseline',
    baseline.file,
    '--output-dir',
    out,
    '--format',
    'text,json,sarif,html,markdown,junit,ocsf',
    '--fail-on',
    'none',
  ]);
  t.is(run.code, 0, run.stderr);
  const warning =
    /baseline .*other-tenant-report\.json shares no scope with this snapshot \(a report of another tenant\?\)/;
  t.regex(run.stderr, new RegExp(`; warning: ${warning.source}`), 'in the gate summary');
  const read = (ext: string) => readFile(join(out, `cloudward.${ext}`), 'utf8');
  const report = JSON.parse(await read('json')) as Report;
  t.like(report.baseline, { noCommonScope: true, fixed: 0 });
  t.true(report.warnings?.some((w) => w.code === 'baseline-other-tenant'));
  for (const ext of ['txt', 'md', 'html', 'sarif', 'junit.xml', 'ocsf.json']) t.regex(await read(ext), warning, ext);
});

test('a scope whose results are all unknown is "not assessed", not a red 0.0, and every scope shows its coverage', async (t) => {
  const dir = await tempDir();
  // acme-dev's directory could not be read: every user's 2-Step Verification is unknown.
  const snapshot = twoProjects(
    [
      { name: 'alice', mfa: 'enabled' },
      { name: 'bob', mfa: 'disabled' },
    ],
    [
      { name: 'carol', mfa: 'unknown' },
      { name: 'dave', mfa: 'unknown' },
    ],
  );
  const file = writeJson(dir, 'snapshot.json', snapshot);
  const out = join(dir, 'reports');
  const run = await cloudward([
    'audit',
    file,
    '--checks',
    'gcp-users-2sv-enrolled',
    '--output-dir',
    out,
    '--format',
    'text,json,html,markdown',
    '--fail-on',
    'none',
  ]);
  t.is(run.code, 0, run.stderr);
  const read = (ext: string) => readFile(join(out, `cloudward.${ext}`), 'utf8');
  const report = JSON.parse(await read('json')) as Report;
  const scope = (id: string) => report.scorecard.scopes.find((s) => s.id === id)!;
  t.like(scope('acme-dev'), {
    score: null,
    status: 'not-assessed',
    coverage: { decided: 0, results: 2 },
    counts: { unknown: 2 },
  });
  t.like(scope('acme-prod'), { score: 50, status: 'assessed', coverage: { decided: 2, results: 2 } });
  const text = await read('txt');
  t.regex(text, /gcp project acme-dev\s+—\s+not assessed: no result could be decided \(2 unknown\) · 0\/2 decided/);
  t.regex(text, /gcp project acme-prod\s+50\.0 .* · 2\/2 decided/);
  t.notRegex(text, /acme-dev\s+0\.0/);
  t.regex(await read('md'), /\| gcp project acme-dev \| not assessed \(2 unknown\) \| 0 \/ 2 \|/);
  t.regex(await read('md'), /\| gcp project acme-prod \| 50\.0 \| 2 \/ 2 \|/);
  const html = await read('html');
  t.regex(
    html,
    /acme-dev<\/td><td class="num">—<\/td><td colspan="2" class="na">not assessed: no result could be decided \(2 unknown\)<\/td><td class="num">0 \/ 2<\/td>/,
  );
  t.regex(html, /acme-prod<\/td><td class="num"[^>]*>50\.0<\/td>.*?<td class="num">2 \/ 2<\/td>/);
});
