import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { buildDetectReport, detectFormatters } from '../../src/detect/report.js';
import { loadRules, selectRules } from '../../src/detect/rules.js';
import { runDetection } from '../../src/detect/run.js';
import { loadRangeTable, SHIPPED_RANGES } from '../../src/detect/ip-ranges.js';
import { formatters } from '../../src/report/index.js';
import { fixture, messageLines, runCli, tempDir } from '../helpers/cli.js';
import { loadOcsfClouds } from '../../src/report/ocsf.js';

// OCSF renders read the adapters' cloud names, which the CLI loads before writing (a formatter's prepare).
test.before(loadOcsfClouds);

const TRAIL = fixture('detect-report', 'trail.jsonl');
const FIXED = { SOURCE_DATE_EPOCH: '1767312000' }; // 2026-01-02T00:00:00Z

test('detect renders through the report formatters with the same bytes as its own renderers wrote', async (t) => {
  const rules = selectRules(await loadRules({ builtIn: true, paths: [] }), [
    'offensive-tool-user-agent',
    'cloudshell-iam-change-aws',
    'privileged-write-without-mfa',
  ]);
  const result = await runDetection(['test/fixtures/detect-report/trail.jsonl'], rules, {
    lateness: 900_000,
    maxDocumentBytes: 1 << 30,
    ranges: loadRangeTable(SHIPPED_RANGES),
  });
  const built = buildDetectReport({ rules, ...result, now: new Date('2026-01-02T00:00:00Z') });
  const report = { ...built, tool: { ...built.tool, version: '0.0.0-golden' } };
  for (const formatter of detectFormatters) {
    const out = formatter.render(report, { color: false, quiet: false, verbose: false });
    const text = typeof out === 'string' ? out : [...out].join('');
    t.is(text, await readFile(fixture('detect-report', `expected.${formatter.extension}`), 'utf8'), formatter.name);
  }
});

test('every audit formatter says what it shows, so a run makes only what its outputs use', (t) => {
  const needs = Object.fromEntries(formatters.map((f) => [f.name, f.needs]));
  t.true(formatters.every((f) => f.needs !== undefined));
  t.deepEqual(
    formatters.filter((f) => f.needs!.filters).map((f) => f.name),
    ['text', 'markdown', 'html', 'csv'],
  );
  t.deepEqual(needs.sarif, { passEvidence: true, fingerprints: true, filters: false, snapshotLines: true });
  t.false(needs.text!.passEvidence || needs.text!.fingerprints);
});

test('SOURCE_DATE_EPOCH pins the report time of detect, and --since counts back from it', async (t) => {
  const run = await runCli(
    ['detect', TRAIL, '--skip-bad-records', '--fail-on', 'none', '--since', '2d', '-f', 'json'],
    { env: FIXED },
  );
  t.is(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as { generatedAt: string; window: { since: string } };
  t.is(report.generatedAt, '2026-01-02T00:00:00.000Z');
  t.is(report.window.since, '2025-12-31T00:00:00.000Z');
  const again = await runCli(
    ['detect', TRAIL, '--skip-bad-records', '--fail-on', 'none', '--since', '2d', '-f', 'sarif'],
    { env: FIXED },
  );
  t.regex(again.stdout, /"id": "cloudward-detect\/2026-01-02T00:00:00.000Z"/);
  const bad = await runCli(['detect', TRAIL, '--skip-bad-records'], { env: { SOURCE_DATE_EPOCH: 'yesterday' } });
  t.is(bad.code, 2);
  t.regex(bad.stderr, /^cloudward: SOURCE_DATE_EPOCH: "yesterday" is not a number of seconds/);
});

test('the detect section of cloudward.yaml sets detect defaults; a flag or a CLOUDWARD_DETECT_ variable wins', async (t) => {
  const dir = await tempDir();
  await writeFile(
    join(dir, 'cloudward.yaml'),
    'fail-on: critical\nformat: [html]\ndetect:\n  fail-on: none\n  skip-bad-records: true\n  format: [json, sarif]\n  output-dir: reports\n  sarif-category: detect/prod\n',
  );
  const run = await runCli(['detect', TRAIL, '--quiet'], { cwd: dir, env: FIXED });
  t.is(run.code, 0, run.stderr);
  t.deepEqual(
    (await readdir(join(dir, 'reports'))).sort(),
    ['cloudward-detect.json', 'cloudward-detect.sarif'],
    'output-dir is relative to the file',
  );
  t.regex(
    await readFile(join(dir, 'reports', 'cloudward-detect.sarif'), 'utf8'),
    /"id": "detect\/prod\/2026-01-02T00:00:00.000Z"/,
  );
  t.is((await runCli(['detect', TRAIL, '--quiet', '--fail-on', 'high'], { cwd: dir })).code, 1, 'the flag wins');
  t.is(
    (await runCli(['detect', TRAIL, '--quiet'], { cwd: dir, env: { CLOUDWARD_DETECT_FAIL_ON: 'high' } })).code,
    1,
    'the variable wins',
  );
  const ignored = await runCli(['detect', TRAIL, '--no-config', '-f', 'json'], { cwd: dir });
  t.is(ignored.code, 2, 'without the file, the broken record stops the run');
});

test('a bad detect section is one line naming the file and line, exit 2', async (t) => {
  const dir = await tempDir();
  await writeFile(join(dir, 'cloudward.yaml'), 'detect:\n  fail-on: high\n  format: [html]\n');
  const run = await runCli(['detect', TRAIL], { cwd: dir });
  t.is(run.code, 2);
  t.deepEqual(messageLines(run.stderr).length, 1, run.stderr);
  t.regex(run.stderr, /cloudward\.yaml:3/);
  await writeFile(join(dir, 'cloudward.yaml'), 'detect:\n  fail-on: high\n  failOn: none\n');
  const both = await runCli(['detect', TRAIL], { cwd: dir });
  t.is(both.code, 2);
  t.regex(both.stderr, /"fail-on" and "failOn" set the same thing/);
});

test("detect's outputs are planned as an audit's: -o into a missing folder is refused before the logs are read, nothing written", async (t) => {
  const dir = await tempDir();
  const missing = await runCli([
    'detect',
    TRAIL,
    '--skip-bad-records',
    '-f',
    'json',
    '-o',
    join(dir, 'nope', 'r.json'),
  ]);
  t.is(missing.code, 2);
  t.notRegex(missing.stderr, /records read/, 'refused before reading');
  const both = await runCli(['detect', TRAIL, '-o', join(dir, 'a'), '--output-dir', dir]);
  t.is(both.code, 2);
  t.regex(both.stderr, /--output and --output-dir cannot be used together/);
  const unknown = await runCli(['detect', TRAIL, '-f', 'html']);
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /unknown format "html".*use one of: text, json, sarif, ocsf/);
  t.deepEqual(await readdir(dir), [], 'no folder made, no file left');
});
