import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { notLogByName } from '../../src/detect/read.js';
import { loadRules } from '../../src/detect/rules.js';
import { runDetection } from '../../src/detect/run.js';
import { fixture, messageLines, runCli, tempDir } from '../helpers/cli.js';

/** Stratus Red Team's recorded detonations (real CloudTrail, anonymised): each file is one attack technique. */
const stratus = (technique: string) => fixture('vendor', 'detect', 'stratus-red-team', `${technique}.json`);
const OPTIONS = { lateness: 15 * 60_000, maxDocumentBytes: 1 << 30 };

async function findings(technique: string): Promise<{ rules: string[]; coverage: string[] }> {
  const result = await runDetection([stratus(technique)], await loadRules(), OPTIONS);
  return {
    rules: [...new Set(result.findings.map((f) => f.ruleId))].sort(),
    coverage: result.coverage.map((c) => c.field),
  };
}

test('Stratus "Retrieve a High Number of Secrets Manager secrets" is found as a bulk secret read', async (t) => {
  t.deepEqual((await findings('aws.credential-access.secretsmanager-retrieve-secrets')).rules, ['bulk-secret-read']);
});

test('Stratus "Create an administrative IAM User" (three calls in one second, listed out of order) is found as a persistence chain', async (t) => {
  t.deepEqual((await findings('aws.persistence.iam-create-admin-user')).rules, ['new-user-admin-key-chain']);
});

test('Stratus "Steal EC2 Instance Credentials" is found: the credentials are used from the address that ran SendCommand on the instance', async (t) => {
  const { rules, coverage } = await findings('aws.credential-access.ec2-steal-instance-credentials');
  t.true(rules.includes('ssm-then-instance-credentials'), rules.join(', '));
  t.false(coverage.includes('client'), 'the tool sets its own user agent: the client is known, not missing');
});

test('Stratus "Retrieve And Decrypt SSM Parameters" (ten names per GetParameters call) is found as a bulk secret read', async (t) => {
  t.deepEqual((await findings('aws.credential-access.ssm-retrieve-securestring-parameters')).rules, [
    'bulk-secret-read',
  ]);
});

test('a call naming ten parameters is one event of evidence, not ten', async (t) => {
  const result = await runDetection(
    [stratus('aws.credential-access.ssm-retrieve-securestring-parameters')],
    await loadRules(),
    OPTIONS,
  );
  const finding = result.findings[0]!;
  t.is(new Set(finding.events.map((e) => `${e.line}:${e.index}`)).size, finding.events.length);
  t.true(finding.eventCount <= 5);
});

test('a dataset folder is read as it is published: its README is left out and named in the gaps, every log in it read', async (t) => {
  const folder = fixture('vendor', 'detect', 'stratus-red-team');
  const result = await runDetection([folder], await loadRules(), OPTIONS);
  t.deepEqual(result.files.map((f) => f.file.slice(folder.length + 1)).sort(), [
    'aws.credential-access.ec2-steal-instance-credentials.json',
    'aws.credential-access.secretsmanager-retrieve-secrets.json',
    'aws.credential-access.ssm-retrieve-securestring-parameters.json',
    'aws.persistence.iam-create-admin-user.json',
  ]);
  t.true(
    result.gaps.includes(
      `1 file(s) in the folders named were not read, their names saying they are not logs (documentation, licences, metadata): ${folder}/README.md; name a file to read it`,
    ),
    result.gaps.join('\n'),
  );
  t.true(result.findings.some((f) => f.ruleId === 'new-user-admin-key-chain'));
  // The command says it beside each file's count, and its reports carry the gap.
  const run = await runCli(['detect', folder, '--format', 'json']);
  t.true(
    messageLines(run.stderr).includes(
      `cloudward: ${folder}/README.md: not read, its name says it is not a log (name it to read it)`,
    ),
    run.stderr,
  );
  t.true((JSON.parse(run.stdout) as { gaps: string[] }).gaps.some((g) => g.includes(`${folder}/README.md`)));
});

test('files named on their own are read whatever their names; a folder of only documentation is refused, naming it', async (t) => {
  const dir = await tempDir('cloudward-notlogs-');
  await writeFile(join(dir, 'README.md'), '# Logs\n');
  await writeFile(join(dir, 'LICENSE'), 'MIT\n');
  await writeFile(join(dir, 'metadata.yaml'), 'title: x\n');
  const folder = await runCli(['detect', dir]);
  t.is(folder.code, 2);
  t.deepEqual(messageLines(folder.stderr), [
    `cloudward: ${dir}: folder holds no log files (only 3 file(s) whose names say they are not logs, such as LICENSE) — name a folder with CloudTrail, Activity Log, sign-in or GCP audit exports, or name a file to read it`,
  ]);
  const named = await runCli(['detect', join(dir, 'README.md')]);
  t.is(named.code, 2);
  t.regex(messageLines(named.stderr)[0]!, /README\.md:1: unknown log format/);
});

test('names that say "not a log" are documentation, licences, metadata, pictures and scripts; log exports are not among them', (t) => {
  for (const name of [
    'README.md',
    'readme',
    'LICENSE',
    'Licence.txt',
    'NOTICE',
    'metadata.yaml',
    'x.yml',
    'shot.PNG',
    'run.py',
    'sums.sha256',
  ])
    t.true(notLogByName(name), name);
  for (const name of [
    '111111111111_CloudTrail_us-east-1_20260101T1205Z_abc.json.gz',
    'PT1H.json',
    '00:00:00_00:59:59_S0.json',
    'signins.jsonl',
    'export.ndjson',
    'cloudaudit.googleapis.com%2Factivity.log',
    'events',
    'notes.txt',
    'export.csv',
  ])
    t.false(notLogByName(name), name);
});
