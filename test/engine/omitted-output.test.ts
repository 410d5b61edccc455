import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { evaluate, EvaluationContext } from '../../src/engine/evaluate.js';
import { loadChecks } from '../../src/engine/load-checks.js';
import type { Snapshot } from '../../src/snapshot/model.js';
import { EXAMPLE, runCli, tempDir } from '../helpers/cli.js';

test('without pass evidence, evaluation decides exactly the same and only passes lose their observed values', async (t) => {
  const snapshot = JSON.parse(await readFile(EXAMPLE, 'utf8')) as Snapshot;
  const checks = await loadChecks();
  const full = evaluate(snapshot, checks);
  const lean = evaluate(snapshot, checks, new EvaluationContext(snapshot), { passEvidence: false });
  t.is(lean.length, full.length);
  t.true(full.some((r) => r.status === 'pass' && Object.keys(r.evidence.observed).length > 0));
  t.true(full.some((r) => r.status === 'fail') && full.some((r) => r.status === 'unknown'));
  for (let i = 0; i < full.length; i++) {
    const [a, b] = [full[i]!, lean[i]!];
    t.deepEqual([b.checkId, b.resource, b.status, b.message], [a.checkId, a.resource, a.status, a.message]);
    // Scope checks keep their members, so their passes keep all evidence too.
    if (a.status === 'pass' && a.evidence.members === undefined) t.deepEqual(b.evidence, { observed: {} });
    else t.deepEqual(b.evidence, a.evidence);
  }
});

test('a report written alone is the same as one written beside the formats that need evidence and fingerprints', async (t) => {
  const env = { SOURCE_DATE_EPOCH: '1700000000' };
  const all = await tempDir();
  const run = await runCli(
    ['audit', EXAMPLE, '--output-dir', all, '--format', 'text,json,html,markdown,csv', '--fail-on', 'none'],
    { env },
  );
  t.is(run.code, 0, run.stderr);
  for (const [format, extension] of [
    ['text', 'txt'],
    ['markdown', 'md'],
    ['html', 'html'],
    ['csv', 'csv'],
  ] as const) {
    const alone = join(await tempDir(), `alone.${extension}`);
    const single = await runCli(['audit', EXAMPLE, '--output', alone, '--format', format, '--fail-on', 'none'], {
      env,
    });
    t.is(single.code, 0, single.stderr);
    t.is(await readFile(alone, 'utf8'), await readFile(join(all, `cloudward.${extension}`), 'utf8'), format);
  }
});

test('without any evidence, evaluation decides exactly the same; unknown results still name their missing data', async (t) => {
  const snapshot = JSON.parse(await readFile(EXAMPLE, 'utf8')) as Snapshot;
  const checks = await loadChecks();
  const full = evaluate(snapshot, checks);
  const bare = evaluate(snapshot, checks, new EvaluationContext(snapshot), { evidence: false });
  t.is(bare.length, full.length);
  t.true(full.some((r) => r.status === 'fail' && (r.evidence.failed?.length ?? 0) > 0));
  for (let i = 0; i < full.length; i++) {
    const [a, b] = [full[i]!, bare[i]!];
    t.deepEqual([b.checkId, b.resource, b.status, b.message], [a.checkId, a.resource, a.status, a.message]);
    if (a.evidence.members !== undefined) t.deepEqual(b.evidence, a.evidence);
    else
      t.deepEqual(b.evidence, {
        observed: {},
        ...(a.evidence.missing ? { missing: a.evidence.missing } : {}),
        ...(a.evidence.gaps ? { gaps: a.evidence.gaps } : {}),
      });
  }
});

test('text with --verbose, which shows failed assertions, is the same alone as beside the json report', async (t) => {
  const env = { SOURCE_DATE_EPOCH: '1700000000' };
  const all = await tempDir();
  const run = await runCli(
    ['audit', EXAMPLE, '--output-dir', all, '--format', 'text,json', '--fail-on', 'none', '--verbose'],
    { env },
  );
  t.is(run.code, 0, run.stderr);
  const alone = join(await tempDir(), 'alone.txt');
  const single = await runCli(
    ['audit', EXAMPLE, '--output', alone, '--format', 'text', '--fail-on', 'none', '--verbose'],
    { env },
  );
  t.is(single.code, 0, single.stderr);
  const text = await readFile(alone, 'utf8');
  t.regex(text, /\(saw /);
  t.is(text, await readFile(join(all, 'cloudward.txt'), 'utf8'));
});
