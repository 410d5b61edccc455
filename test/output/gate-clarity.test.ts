import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { EXAMPLE, fixture, messageLines, runCli, tempDir } from '../helpers/cli.js';

const BASELINE = 'examples/acme/baseline.json';
const SKIPPED = ['aws-root-mfa-enabled', 'azure-privileged-users-mfa-registered'];

test('baseline findings of checks not run this time are "not evaluated", never "fixed"', async (t) => {
  const run = await runCli([
    'audit',
    EXAMPLE,
    '--baseline',
    BASELINE,
    '--skip-checks',
    SKIPPED.join(','),
    '--fail-on',
    'none',
    '-f',
    'json',
  ]);
  t.is(run.code, 0, run.stderr);
  const { baseline } = JSON.parse(run.stdout);
  t.is(baseline.fixed, 0);
  t.is(baseline.fixedResults.length, 0);
  t.true(baseline.notEvaluated > 0);
  t.deepEqual(baseline.notEvaluatedChecks, SKIPPED);
  t.regex(
    run.stderr,
    /\d+ not evaluated \(checks aws-root-mfa-enabled, azure-privileged-users-mfa-registered not run\)/,
  );
  const text = await runCli([
    'audit',
    EXAMPLE,
    '--baseline',
    BASELINE,
    '--skip-checks',
    SKIPPED.join(','),
    '--fail-on',
    'none',
  ]);
  t.regex(text.stdout, /0 fixed, \d+ not evaluated/);
  t.notRegex(text.stdout, /✓ fixed: aws-root-mfa-enabled/);
});

test('diff lists findings of checks the newer report did not run apart from the fixed ones', async (t) => {
  const dir = await tempDir();
  const newer = join(dir, 'newer.json');
  t.is(
    (
      await runCli([
        'audit',
        EXAMPLE,
        '--skip-checks',
        SKIPPED.join(','),
        '--fail-on',
        'none',
        '-f',
        'json',
        '-o',
        newer,
      ])
    ).code,
    0,
  );
  const run = await runCli(['diff', BASELINE, newer, '--format', 'json']);
  const diff = JSON.parse(run.stdout);
  t.true(diff.notEvaluated.length > 0);
  t.false(diff.fixed.some((e: { checkId: string }) => SKIPPED.includes(e.checkId)));
  const text = await runCli(['diff', BASELINE, newer]);
  t.regex(text.stdout, /Not evaluated in the newer report/);
});

test('a gate with no check to evaluate is an error (exit 2), not a pass; with the gate off it only reports', async (t) => {
  const dir = await tempDir();
  const none = await runCli(['audit', EXAMPLE, '--no-builtin-policies', '--output-dir', dir]);
  t.is(none.code, 2, none.stderr);
  t.is(messageLines(none.stderr).length, 1);
  t.regex(none.stderr, /no check was evaluated, so the gate has nothing to decide on/);
  t.deepEqual(await readdir(dir), []);
  // The small snapshot is Azure only: an AWS check applies to nothing there.
  const nothing = await runCli(['audit', fixture('good', 'small-snapshot.json'), '--checks', 'aws-root-mfa-enabled']);
  t.is(nothing.code, 2, nothing.stderr);
  t.regex(nothing.stderr, /none of the 1 selected check applies to anything in the snapshot/);
  const off = await runCli([
    'audit',
    fixture('good', 'small-snapshot.json'),
    '--checks',
    'aws-root-mfa-enabled',
    '--fail-on',
    'none',
  ]);
  t.is(off.code, 0, off.stderr);
  t.regex(off.stderr, /gate not applied/);
});

test('with --fail-on none every format says the gate was not applied, not "passed"', async (t) => {
  const dir = await tempDir();
  const run = await runCli(['audit', EXAMPLE, '--fail-on', 'none', '--output-dir', dir, '-f', 'text,markdown,html']);
  t.is(run.code, 0);
  t.regex(await readFile(join(dir, 'cloudward.txt'), 'utf8'), /Gate: not applied/);
  t.regex(await readFile(join(dir, 'cloudward.md'), 'utf8'), /^## cloudward: gate not applied/);
  const html = await readFile(join(dir, 'cloudward.html'), 'utf8');
  t.true(html.includes('Gate not applied'));
  t.false(html.includes('Gate passed'));
});

test('-q trims the terminal only: files written with -q equal those written without it', async (t) => {
  const [a, b] = [await tempDir(), await tempDir()];
  const env = { SOURCE_DATE_EPOCH: '1700000000' };
  const quiet = await runCli(
    ['audit', EXAMPLE, '--fail-on', 'none', '-q', '--output-dir', a, '-f', 'text,markdown,html'],
    { env },
  );
  const loud = await runCli(['audit', EXAMPLE, '--fail-on', 'none', '--output-dir', b, '-f', 'text,markdown,html'], {
    env,
  });
  for (const f of ['cloudward.txt', 'cloudward.md', 'cloudward.html'])
    t.is(await readFile(join(a, f), 'utf8'), await readFile(join(b, f), 'utf8'), f);
  t.regex(await readFile(join(a, 'cloudward.txt'), 'utf8'), /Not assessed \(/);
  t.is(quiet.stdout, '', 'with --output-dir, -q prints no scorecard');
  t.regex(loud.stdout, /Overall score/);
  const terminal = await runCli(['audit', EXAMPLE, '--fail-on', 'none', '-q']);
  t.regex(terminal.stdout, /Failing results/);
  t.notRegex(terminal.stdout, /Not assessed \(|Collection gaps \(/);
});
