import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { parse } from 'csv-parse/sync';
import { csvField } from '../../src/report/csv.js';
import { EXAMPLE, runCli, tempDir } from '../helpers/cli.js';

test('--severity and --status trim the listed results, never the score or the gate', async (t) => {
  const all = await runCli(['audit', EXAMPLE, '-f', 'csv']);
  const some = await runCli(['audit', EXAMPLE, '-f', 'csv', '--severity', 'CRITICAL', '--status', 'fail']);
  t.is(some.code, all.code, 'the gate decides on every result either way');
  t.is(some.stderr, all.stderr, 'the same gate summary');
  const rows = parse(some.stdout, { columns: true }) as Array<Record<string, string>>;
  t.true(rows.length > 0);
  t.true(rows.every((r) => r.severity === 'critical' && r.status === 'fail'));
  t.true((parse(all.stdout, { columns: true }) as unknown[]).length > rows.length);
  const text = await runCli(['audit', EXAMPLE, '--severity', 'low', '--fail-on', 'none']);
  t.regex(text.stdout, /listing only severity low; the scores and the gate count every result/);
  t.notRegex(text.stdout, /^CRITICAL \(/m);
  // Machine formats keep every result: a filtered JSON would be a wrong baseline.
  const json = JSON.parse(
    (await runCli(['audit', EXAMPLE, '-f', 'json', '--severity', 'low', '--fail-on', 'none'])).stdout,
  );
  t.is(json.results.length, json.summary.total);
  const bad = await runCli(['audit', EXAMPLE, '--status', 'failed']);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--status: unknown status "failed" — use one or more of: fail, unknown, waived, pass/);
});

test('csv: one row per result, RFC 4180 quoting, cells a spreadsheet would run as formulas defused', async (t) => {
  t.is(csvField('plain'), 'plain');
  t.is(csvField('a,b'), '"a,b"');
  t.is(csvField('say "hi"\nbye'), '"say ""hi""\nbye"');
  t.is(csvField('=HYPERLINK("http://x")'), `"'=HYPERLINK(""http://x"")"`);
  for (const lead of ['+', '-', '@', '\t'])
    t.is(csvField(`${lead}1`)[0] === '"' ? csvField(`${lead}1`)[1] : csvField(`${lead}1`)[0], "'");
  const run = await runCli(['audit', EXAMPLE, '-f', 'csv', '--fail-on', 'none']);
  const rows = parse(run.stdout, { columns: true }) as Array<Record<string, string>>;
  const json = JSON.parse((await runCli(['audit', EXAMPLE, '-f', 'json', '--fail-on', 'none'])).stdout);
  t.is(rows.length, json.results.length);
  t.deepEqual(Object.keys(rows[0]!), [
    'status',
    'severity',
    'check_id',
    'check_title',
    'mitigation',
    'measure',
    'resource_uid',
    'provider',
    'resource_kind',
    'resource_name',
    'message',
    'baseline',
    'waiver',
    'fingerprint',
  ]);
  t.is(rows[0]!.fingerprint, json.results[0].fingerprint);
});

test('CLOUDWARD_* variables mirror the flags; the command line wins; bad values are errors', async (t) => {
  const critical = await runCli(['audit', EXAMPLE], { env: { CLOUDWARD_FAIL_ON: 'critical' } });
  t.regex(critical.stderr, /at or above critical severity/);
  const cli = await runCli(['audit', EXAMPLE, '--fail-on', 'none'], { env: { CLOUDWARD_FAIL_ON: 'critical' } });
  t.is(cli.code, 0);
  const dir = await tempDir();
  const formats = await runCli(['audit', EXAMPLE], {
    env: {
      CLOUDWARD_FORMAT: 'json,sarif',
      CLOUDWARD_OUTPUT_DIR: dir,
      CLOUDWARD_FAIL_ON: 'none',
      CLOUDWARD_QUIET: 'true',
    },
  });
  t.is(formats.code, 0, formats.stderr);
  t.is(formats.stdout, '');
  t.truthy(JSON.parse(await readFile(join(dir, 'cloudward.json'), 'utf8')).reportVersion);
  const off = await runCli(['audit', EXAMPLE, '--fail-on', 'none'], { env: { CLOUDWARD_QUIET: 'false' } });
  t.regex(off.stdout, /Not assessed \(/);
  for (const [name, value, pattern] of [
    ['CLOUDWARD_QUIET', 'maybe', /CLOUDWARD_QUIET: "maybe" is neither on nor off/],
    ['CLOUDWARD_MIN_SCORE', '0x32', /CLOUDWARD_MIN_SCORE: "0x32" is not valid/],
    ['CLOUDWARD_FAIL_ON', 'urgent', /CLOUDWARD_FAIL_ON: "urgent" is not valid: use one of/],
  ] as const) {
    const run = await runCli(['audit', EXAMPLE], { env: { [name]: value } });
    t.is(run.code, 2, name);
    t.regex(run.stderr, pattern);
  }
});

test('cloudward.yaml takes keys named like the flags; the same setting twice is an error', async (t) => {
  const dir = await tempDir();
  await writeFile(
    join(dir, 'cloudward.yaml'),
    `snapshots: [${JSON.stringify(EXAMPLE)}]\nfail-on: critical\nformat: [json]\nskip-checks: [aws-root-mfa-enabled]\n`,
  );
  const run = await runCli(['audit'], { cwd: dir });
  t.regex(run.stderr, /at or above critical severity/);
  t.false(JSON.parse(run.stdout).checks.some((c: { id: string }) => c.id === 'aws-root-mfa-enabled'));
  await writeFile(
    join(dir, 'cloudward.yaml'),
    `snapshots: [${JSON.stringify(EXAMPLE)}]\nfail-on: critical\nfailOn: high\n`,
  );
  const twice = await runCli(['audit'], { cwd: dir });
  t.is(twice.code, 2);
  t.regex(twice.stderr, /cloudward\.yaml:\d+: "fail-on" and "failOn" set the same thing — keep one of them/);
});

test('- reads a snapshot from stdin, with the same checks as a file', async (t) => {
  const bytes = await readFile(EXAMPLE);
  // A real pipe once; the refusals below read a stream in the test's process.
  const run = await runCli(['audit', '-', '-f', 'json', '--fail-on', 'none'], { process: true, stdin: bytes });
  t.is(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  t.is(report.snapshot.files[0].path, '-');
  const fromFile = JSON.parse((await runCli(['audit', EXAMPLE, '-f', 'json', '--fail-on', 'none'])).stdout);
  t.is(report.snapshot.files[0].sha256, fromFile.snapshot.files[0].sha256);
  t.is(report.summary.total, fromFile.summary.total);
  const empty = await runCli(['audit', '-'], { stdin: '' });
  t.is(empty.code, 2);
  t.regex(empty.stderr, /^cloudward: - \(stdin\): snapshot on stdin is empty/);
  const big = await runCli(['audit', '-', '--max-input-size', '0.01'], { stdin: bytes });
  t.regex(big.stderr, /snapshot on stdin is over the 10\.2 KiB limit/);
  const twice = await runCli(['audit', '-', '-'], { stdin: bytes });
  t.regex(twice.stderr, /stdin \(-\) can be read only once/);
});

test('--debug prints timed steps on stderr, for any command, and keeps stdout clean', async (t) => {
  const run = await runCli(['audit', EXAMPLE, '--debug', '-f', 'json', '--fail-on', 'none']);
  t.is(run.code, 0);
  t.regex(run.stderr, /^cloudward: debug: \+\d+ms cloudward \d/m);
  t.regex(run.stderr, /cloudward: debug: \+\d+ms evaluated: \d+ results/);
  t.truthy(JSON.parse(run.stdout).reportVersion);
  const env = await runCli(['checks', 'show', 'nope'], { env: { CLOUDWARD_DEBUG: '1' } });
  t.is(env.code, 2);
  t.regex(env.stderr, /\n\s+at /, 'a stack trace with --debug');
});
