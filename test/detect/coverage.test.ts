import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { buildDetectReport, renderJson, renderSarif, renderText, renderOcsf } from '../../src/detect/report.js';
import { loadRules } from '../../src/detect/rules.js';
import { runDetection } from '../../src/detect/run.js';
import { fixture, runCli, tempDir, messageLines } from '../helpers/cli.js';
import { loadOcsfClouds } from '../../src/report/ocsf.js';
import { parseYamlText } from '../../src/util/yaml.js';

// OCSF renders read the adapters' cloud names, which the CLI loads before writing (a formatter's prepare).
test.before(loadOcsfClouds);

const OPTIONS = { lateness: 15 * 60_000, maxDocumentBytes: 1 << 30 };

/** CloudTrail records of an export that kept neither the caller's address nor its user agent. */
function strippedRecord(i: number): Record<string, unknown> {
  return {
    eventTime: new Date(Date.parse('2026-01-01T00:00:00Z') + i * 60_000).toISOString(),
    eventSource: 'iam.amazonaws.com',
    eventName: 'ListUsers',
    userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/a', accessKeyId: 'AKIAEXAMPLE' },
    recipientAccountId: '111122223333',
  };
}

async function writeLines(name: string, records: unknown[], extra = ''): Promise<string> {
  const file = join(await tempDir('cloudward-coverage-'), name);
  await writeFile(file, `${records.map((r) => JSON.stringify(r)).join('\n')}\n${extra}`);
  return file;
}

test('a file without addresses or user agents says which rules could not fire on it, in every format', async (t) => {
  const stripped = await writeLines('stripped.jsonl', [0, 1, 2].map(strippedRecord));
  const full = await writeLines(
    'full.jsonl',
    [0, 1, 2].map((i) => ({
      ...strippedRecord(i),
      sourceIPAddress: '198.51.100.7',
      userAgent: 'aws-cli/2.15.0 md/awscrt#0.19 ua/2.0',
    })),
  );
  const rules = await loadRules();
  const result = await runDetection([stripped, full], rules, OPTIONS);
  const forStripped = result.coverage.filter((c) => c.files.includes(stripped));
  const ip = forStripped.find((c) => c.field === 'src.ip');
  const client = forStripped.find((c) => c.field === 'client');
  t.truthy(ip);
  t.truthy(client);
  for (const id of ['compute-credentials-outside', 'long-term-key-new-source', 'access-denied-recon-burst'])
    t.true(ip!.rules.includes(id), id);
  for (const id of ['cloudshell-iam-change-aws', 'offensive-tool-user-agent']) t.true(client!.rules.includes(id), id);
  t.false(client!.rules.includes('cloudshell-iam-change-gcp'), 'a GCP-only rule is not said to miss an AWS file');
  t.false(
    result.coverage.some((c) => c.field !== 'actor.mfa' && c.files.includes(full)),
    'the file that has them is not named',
  );

  const report = buildDetectReport({ rules, ...result });
  t.regex(renderText(report), /could not fire/);
  t.regex(renderText(report), /stripped\.jsonl/);
  const json = JSON.parse(renderJson(report)) as { coverage: Array<{ field: string; rules: string[] }> };
  t.true(json.coverage.some((c) => c.field === 'src.ip' && c.rules.includes('compute-credentials-outside')));
  const sarif = JSON.parse(renderSarif(report)) as {
    runs: Array<{ invocations: Array<{ toolExecutionNotifications?: Array<{ message: { text: string } }> }> }>;
  };
  t.true(sarif.runs[0]!.invocations[0]!.toolExecutionNotifications!.some((n) => /could not fire/.test(n.message.text)));
  // OCSF holds findings only: each carries the run's blind spots.
  const finding = {
    id: 'f1',
    ruleId: 'offensive-tool-user-agent',
    title: 't',
    severity: 'high' as const,
    firstTime: 0,
    lastTime: 0,
    group: 'g',
    actor: 'a',
    cloud: 'aws',
    account: null,
    client: { kind: 'cli', tool: null, evidence: '' },
    srcIp: null,
    message: 'm',
    events: [],
    eventCount: 1,
    duplicates: 0,
  };
  t.regex(renderOcsf({ ...report, findings: [finding] }), /could not fire/);
});

test('each file accounts for records read, used and dropped with the reason', async (t) => {
  const file = await writeLines(
    'mixed.jsonl',
    [strippedRecord(0), strippedRecord(1), { ...strippedRecord(2), eventTime: 'yesterday' }, strippedRecord(600)],
    '{not json\n',
  );
  const result = await runDetection([file], await loadRules(), {
    ...OPTIONS,
    until: Date.parse('2026-01-01T01:00:00Z'),
  });
  const stats = result.files[0]!;
  t.is(stats.used, 2);
  t.deepEqual(stats.dropped, { unreadable: 2, 'outside --since/--until': 1 });
  const report = buildDetectReport({ rules: await loadRules(), ...result });
  t.like(report.inputs[0], { read: 5, used: 2, dropped: { unreadable: 2, 'outside --since/--until': 1 } });
});

test.serial('no event in range is exit 2 with one line, unless --allow-empty', async (t) => {
  const file = await writeLines('old.jsonl', [strippedRecord(0)]);
  const run = await runCli(['detect', file, '--since', '2026-02-01']);
  t.is(run.code, 2, run.stderr);
  t.is(messageLines(run.stderr).length, 1, run.stderr);
  t.regex(run.stderr, /no events .*--since/);
  const out = join(await tempDir(), 'r.json');
  const allowed = await runCli([
    'detect',
    file,
    '--since',
    '2026-02-01',
    '--allow-empty',
    '--format',
    'json',
    '--output',
    out,
  ]);
  t.is(allowed.code, 0, allowed.stderr);
  t.is((JSON.parse(await readFile(out, 'utf8')) as { summary: { events: number } }).summary.events, 0);
});

test.serial('each file read is accounted for on stderr', async (t) => {
  const file = await writeLines('acct.jsonl', [strippedRecord(0), strippedRecord(1)], '{not json\n');
  const run = await runCli([
    'detect',
    file,
    '--skip-bad-records',
    '--format',
    'json',
    '--output',
    join(await tempDir(), 'r.json'),
  ]);
  t.is(run.code, 0, run.stderr);
  t.regex(run.stderr, /acct\.jsonl: 3 records read, 2 used, 1 dropped \(1 unreadable\)/);
  void fixture;
});

test('a Graph v1.0 sign-in export says the device-code rules could not fire on it', async (t) => {
  // Microsoft's own v1.0 example, as a v1.0 export holds it (the fixture's README says why it is read as YAML).
  const page = parseYamlText(
    await readFile(fixture('vendor', 'detect', 'microsoft-graph-docs', 'signins-v1.0-graph-explorer.json'), 'utf8'),
    'signins-v1.0-graph-explorer.json',
  ).value as { value: unknown[] };
  const v1 = await writeLines('signins-v1.0.json', [{ value: page.value }]);
  const beta = fixture('vendor', 'detect', 'microsoft-graph-docs', 'signins-beta-azure-portal.json');
  const activity = await writeLines('activity.jsonl', [
    {
      time: '2026-01-01T00:00:00Z',
      resourceId: '/SUBSCRIPTIONS/ABC/PROVIDERS/MICROSOFT.STORAGE/STORAGEACCOUNTS/S',
      operationName: 'MICROSOFT.STORAGE/STORAGEACCOUNTS/LISTKEYS/ACTION',
      resultType: 'Success',
      callerIpAddress: '198.51.100.3',
      identity: { claims: { appid: '04b07795-8ddb-461a-bbee-02f9e1bf7b46' } },
    },
  ]);
  const rules = await loadRules();
  const result = await runDetection([v1, beta, activity], rules, OPTIONS);
  const gap = result.coverage.find((c) => c.field === 'signInMethod');
  t.truthy(gap);
  t.deepEqual(gap!.files, [v1], 'the beta export says how each sign-in was made; an Activity Log holds no sign-ins');
  t.deepEqual(gap!.rules, ['azure-device-code-signin-key-listing', 'entra-device-code-signin']);
  const report = buildDetectReport({ rules, ...result });
  t.true(
    report.gaps.some((g) =>
      /no event has a sign-in method .*signins-v1\.0\.json.*could not fire on them: azure-device-code-signin-key-listing, entra-device-code-signin/.test(
        g,
      ),
    ),
    report.gaps.join('\n'),
  );
});
