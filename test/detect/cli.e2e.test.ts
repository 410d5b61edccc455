import { readFile, stat, writeFile, readdir, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import test from 'ava';
import { generateDetectLogs, PLANTED } from '../../bench/detect-logs.js';
import { messageLines, runCli, tempDir } from '../helpers/cli.js';

interface JsonReport {
  summary: { events: number; findings: number; badRecords: number; late: number; outOfRange: number };
  findings: Array<{
    ruleId: string;
    actor: string;
    events: Array<{ file: string; line: number; index?: number }>;
    client: { kind: string; evidence: string };
  }>;
  badRecords: Array<{ file: string; line: number; message: string }>;
  gaps: string[];
}

const DAY2 = '2026-03-03T00:00:00Z';
let attackDir = '';
let benignDir = '';

test.before(async () => {
  const root = await tempDir('cloudward-detect-');
  attackDir = join(root, 'attack');
  benignDir = join(root, 'benign');
  await generateDetectLogs({ dir: attackDir });
  await generateDetectLogs({ dir: benignDir, attacks: false });
});

const countByRule = (report: JsonReport): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const f of report.findings) counts[f.ruleId] = (counts[f.ruleId] ?? 0) + 1;
  return counts;
};

async function detectJson(args: string[]): Promise<{ code: number; report: JsonReport; stderr: string }> {
  const out = join(await tempDir(), 'report.json');
  const run = await runCli(['detect', ...args, '--format', 'json', '--output', out]);
  const report = run.code === 2 ? ({} as JsonReport) : (JSON.parse(await readFile(out, 'utf8')) as JsonReport);
  return { code: run.code, report, stderr: run.stderr };
}

test.serial('the planted attacks are found exactly, rule by rule, across the three clouds', async (t) => {
  const { code, report } = await detectJson([attackDir, '--fail-on', 'none']);
  t.is(code, 0);
  t.deepEqual(countByRule(report), PLANTED);
  t.is(report.summary.badRecords, 0);
  t.is(report.summary.late, 0, 'files are merged in time order');
  const clouds = new Set(report.findings.map((f) => (f.actor.includes('@') ? 'azure-or-gcp' : 'aws')));
  t.is(clouds.size, 2);
});

test.serial('two days of benign activity across the three clouds raise no finding', async (t) => {
  const { code, report } = await detectJson([benignDir]);
  t.is(code, 0);
  t.is(report.summary.findings, 0, JSON.stringify(report.findings.slice(0, 3)));
  t.true(report.summary.events > 20_000);
});

test.serial('findings at or above --fail-on exit 1; the default threshold is high', async (t) => {
  t.is((await runCli(['detect', attackDir, '--quiet', '--output-dir', await tempDir()])).code, 1);
  t.is(
    (
      await runCli([
        'detect',
        attackDir,
        '--rule',
        'enumeration-burst-cli',
        '--format',
        'json',
        '--output',
        join(await tempDir(), 'r.json'),
      ])
    ).code,
    0,
    'medium findings only',
  );
  t.is(
    (
      await runCli([
        'detect',
        attackDir,
        '--rule',
        'enumeration-burst-cli',
        '--fail-on',
        'medium',
        '--format',
        'json',
        '--output',
        join(await tempDir(), 'r.json'),
      ])
    ).code,
    1,
  );
});

test.serial('every finding carries its events as file and line, the actor and the client evidence', async (t) => {
  const { report } = await detectJson([attackDir, '--fail-on', 'none']);
  for (const f of report.findings) {
    t.true(f.events.length > 0, f.ruleId);
    t.truthy(f.actor);
    for (const ref of f.events) {
      const text = await readFile(join(process.cwd(), ref.file)).catch(() => readFile(ref.file));
      t.true(ref.line >= 1, ref.file);
      if (ref.file.endsWith('PT1H.json')) {
        // JSON lines: the named line is the record.
        const line = text.toString('utf8').split('\n')[ref.line - 1]!;
        t.true(line.toLowerCase().includes(f.actor), `${ref.file}:${ref.line}`);
      }
      if (ref.file.includes('signins-')) {
        // A pretty-printed Graph page: the named line opens the record.
        const lines = text.toString('utf8').split('\n');
        t.is(lines[ref.line - 1]!.trim(), '{');
        t.true(
          lines
            .slice(ref.line - 1, ref.line + 25)
            .join('\n')
            .toLowerCase()
            .includes(f.actor),
        );
      }
    }
  }
  const hound = report.findings.find((f) => f.client.evidence.includes('azurehound'));
  t.truthy(hound, 'the user agent is the evidence');
  const shell = report.findings.find((f) => f.ruleId === 'cloudshell-iam-change-aws')!;
  t.is(shell.client.kind, 'cloud-shell');
  t.regex(shell.client.evidence, /exec-env\/CloudShell/);
});

test.serial('text, JSON, SARIF and OCSF Detection Finding reports are written together', async (t) => {
  const dir = await tempDir();
  const run = await runCli([
    'detect',
    attackDir,
    '--output-dir',
    dir,
    '--format',
    'text,json,sarif,ocsf',
    '--fail-on',
    'none',
  ]);
  t.is(run.code, 0, run.stderr);
  t.deepEqual((await readdir(dir)).sort(), [
    'cloudward-detect.json',
    'cloudward-detect.ocsf.json',
    'cloudward-detect.sarif',
    'cloudward-detect.txt',
  ]);
  const total = Object.values(PLANTED).reduce((a, b) => a + b, 0);
  const sarif = JSON.parse(await readFile(join(dir, 'cloudward-detect.sarif'), 'utf8'));
  t.is(sarif.version, '2.1.0');
  t.is(sarif.runs[0].results.length, total);
  t.true(
    sarif.runs[0].results.every(
      (r: { locations: Array<{ physicalLocation: { region: { startLine: number } } }> }) =>
        r.locations.length > 0 && r.locations[0]!.physicalLocation.region.startLine >= 1,
    ),
  );
  const ocsf = JSON.parse(await readFile(join(dir, 'cloudward-detect.ocsf.json'), 'utf8'));
  t.is(ocsf.length, total);
  for (const f of ocsf) {
    t.like(f, { class_uid: 2004, category_uid: 2, type_uid: 200401 });
    t.is(f.finding_info.attacks[0].sub_technique.uid, 'T1059.009');
    t.true(f.evidences[0].data.events.length > 0);
  }
  const text = await readFile(join(dir, 'cloudward-detect.txt'), 'utf8');
  t.regex(text, /\[HIGH\] cloudshell-iam-change-aws/);
  t.regex(text, /events: {2}aws\/|events: {2}.*\.json\.gz:1 \(record \d+\)/);
});

test.serial('--state keeps first-seen history: day one then day two equals one run over both days', async (t) => {
  const state = await tempDir('cloudward-state-');
  const first = await detectJson([attackDir, '--until', DAY2, '--state', state]);
  t.is(first.code, 0);
  t.is(first.report.summary.findings, 0);
  t.is(((await stat(join(state, 'detect-state.json'))).mode & 0o777).toString(8), '600');
  const second = await detectJson([attackDir, '--since', DAY2, '--state', state, '--fail-on', 'none']);
  t.deepEqual(countByRule(second.report), PLANTED);
  t.true(second.report.summary.outOfRange > 10_000);
  // Without the history the first-seen rules are honest about having learnt too little.
  const alone = await detectJson([attackDir, '--since', DAY2, '--fail-on', 'none']);
  t.is(countByRule(alone.report)['long-term-key-new-source'], undefined);
  t.true(
    alone.report.gaps.some((g) => /long-term-key-new-source: still learning .*--state/.test(g)),
    alone.report.gaps.join('\n'),
  );
});

// ---------------------------------------------------------------- bad input

const CT_LINE = JSON.stringify({
  eventTime: '2026-01-01T00:00:00Z',
  eventSource: 'sts.amazonaws.com',
  eventName: 'GetCallerIdentity',
  userAgent: 'TruffleHog',
  sourceIPAddress: '198.51.100.1',
  userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::1:user/x', accessKeyId: 'AKIAX' },
});

async function badCase(name: string, data: string | Buffer): Promise<{ dir: string; file: string }> {
  const dir = await tempDir('cloudward-bad-');
  const file = join(dir, name);
  await writeFile(file, data);
  return { dir, file };
}

async function expectRefused(
  t: import('ava').ExecutionContext,
  file: string,
  pattern: RegExp,
  extra: string[] = [],
): Promise<void> {
  const outDir = join(await tempDir(), 'out');
  const state = join(await tempDir(), 'state');
  await mkdir(state);
  const run = await runCli([
    'detect',
    file,
    ...extra,
    '--output-dir',
    outDir,
    '--format',
    'json,sarif',
    '--state',
    state,
  ]);
  t.is(run.code, 2, run.stdout + run.stderr);
  const lines = messageLines(run.stderr);
  t.is(lines.length, 1, run.stderr);
  t.regex(lines[0]!, pattern);
  await t.throwsAsync(stat(outDir), undefined, 'no report is written');
  t.deepEqual(await readdir(state), [], 'no state is written');
}

test.serial('a malformed JSON line is refused with its file:line and the count; nothing is written', async (t) => {
  const { file } = await badCase(
    'trail.jsonl',
    `${CT_LINE}\n${CT_LINE}\n{"eventTime": "2026-01-01T00:00:01Z", "eventSource":\n${CT_LINE}\nnot json either\n`,
  );
  await expectRefused(t, file, /trail\.jsonl:3: malformed JSON .*; 2 unreadable records in all — .*--skip-bad-records/);
});

test.serial(
  'with --skip-bad-records, bad lines are counted and listed with file:line, and the rest is read',
  async (t) => {
    const { dir } = await badCase(
      'trail.jsonl',
      `${CT_LINE}\n{"eventTime": oops\n${JSON.stringify({ eventSource: 's', eventName: 'n', eventTime: 'never' })}\n`,
    );
    await writeFile(join(dir, 'more.json.gz'), gzipSync(JSON.stringify({ Records: [JSON.parse(CT_LINE)] })));
    const { code, report } = await detectJson([dir, '--skip-bad-records', '--fail-on', 'none']);
    t.is(code, 0);
    t.is(report.summary.badRecords, 2);
    t.is(report.summary.events, 2);
    t.like(report.badRecords[0], { line: 2 });
    t.regex(report.badRecords[0]!.message, /malformed JSON/);
    t.like(report.badRecords[1], { line: 3, message: 'eventTime is missing or not a date-time' });
  },
);

test.serial('a file in no known format is refused', async (t) => {
  await expectRefused(
    t,
    (await badCase('users.csv', 'name,arn\nalice,arn:aws:iam::1:user/alice\n')).file,
    /users\.csv:1: unknown log format: not JSON/,
  );
  await expectRefused(
    t,
    (await badCase('other.jsonl', '{"kind":"something","n":1}\n')).file,
    /other\.jsonl:1: unknown log format: the first record is not/,
  );
});

test.serial('a truncated gzip is refused', async (t) => {
  const gz = gzipSync(`${CT_LINE}\n`.repeat(2000));
  await expectRefused(
    t,
    (await badCase('trail.json.gz', gz.subarray(0, gz.length - 200))).file,
    /trail\.json\.gz: truncated or corrupt gzip/,
  );
});

test.serial('an empty file, a missing path and a truncated JSON document are refused', async (t) => {
  await expectRefused(t, (await badCase('empty.json', '')).file, /empty\.json: log file is empty/);
  await expectRefused(t, '/nonexistent/logs', /\/nonexistent\/logs: log file or folder not found/);
  const doc = JSON.stringify([JSON.parse(CT_LINE), JSON.parse(CT_LINE)], null, 2);
  await expectRefused(
    t,
    (await badCase('gcloud.json', doc.slice(0, doc.length - 40))).file,
    /gcloud\.json:\d+: malformed JSON document/,
  );
});

test.serial('usage errors are one line with exit 2', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['detect', benignDir, '--since', DAY2, '--until', '2026-03-01T00:00:00Z'], /--since is not before --until/],
    [['detect', benignDir, '--since', 'last tuesday'], /--since/],
    [['detect', benignDir, '--format', 'xml'], /unknown format "xml"/],
    [['detect', benignDir, '--format', 'json,sarif'], /2 formats need --output-dir/],
    [['detect'], /no log file or folder to read/],
    [['detect', benignDir, '--rule', 'no-such-rule'], /unknown rule id "no-such-rule"/],
  ];
  for (const [args, pattern] of cases) {
    const run = await runCli(args);
    t.is(run.code, 2, args.join(' '));
    t.is(messageLines(run.stderr).length, 1, run.stderr);
    t.regex(run.stderr, pattern);
  }
});
