import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import fc from 'fast-check';
import { EXAMPLE, fixture, messageLines, runCli, tempDir } from '../helpers/cli.js';
import { fuzzParameters, hostileText, mutate, mutation, RAW_CONTROL } from './support.js';

/** The CloudShell CreateAccessKey of the cloudshell-iam-change-aws rule's own test, with attacker-chosen text. */
const ctRecord = (userAgent: string, session: string) => ({
  eventTime: '2026-01-01T10:00:00Z',
  eventSource: 'iam.amazonaws.com',
  eventName: 'CreateAccessKey',
  awsRegion: 'us-east-1',
  sourceIPAddress: '3.5.140.2',
  userAgent: `aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython exec-env/CloudShell exe/x86_64.amzn.2023 prompt/off command/iam.create-access-key ${userAgent}`,
  userIdentity: {
    type: 'AssumedRole',
    arn: `arn:aws:sts::111122223333:assumed-role/Admin/alice${session}`,
    accessKeyId: 'ASIAEXAMPLE000000001',
    sessionContext: {
      attributes: { mfaAuthenticated: 'true' },
      sessionIssuer: { type: 'Role', arn: 'arn:aws:iam::111122223333:role/Admin' },
    },
  },
  recipientAccountId: '111122223333',
});

// The user agent and session name are the attacker's to choose.
test('detect: control characters in user agents and session names never reach the text report raw', async (t) => {
  const dir = await tempDir('cloudward-fuzz-detect-cli-');
  await fc.assert(
    fc.asyncProperty(hostileText, hostileText, async (agent, session) => {
      const file = join(dir, 'events.jsonl');
      writeFileSync(file, `${JSON.stringify(ctRecord(agent, session))}\n`);
      const run = await runCli(['detect', file, '--format', 'text', '--fail-on', 'none', '-v']);
      const raw = RAW_CONTROL.exec(run.stdout + run.stderr);
      if (raw) t.log(`raw U+${raw[0].charCodeAt(0).toString(16).padStart(4, '0')}`);
      return run.stdout.includes('cloudshell-iam-change-aws') && raw === null;
    }),
    fuzzParameters(3, 30),
  );
  t.pass();
});

test('import aws of a fuzzed export exits 0 or 2 with one line, and writes nothing but the asked file', async (t) => {
  const root = await tempDir('cloudward-fuzz-import-cli-');
  const original = JSON.parse(
    readFileSync(fixture('aws', '123456789012', 'iam-get-account-authorization-details.json'), 'utf8'),
  ) as unknown;
  let n = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (m) => {
      const run = join(root, String(n++));
      const cwd = join(run, 'cwd');
      mkdirSync(cwd, { recursive: true });
      const input = join(run, 'iam-get-account-authorization-details.json');
      writeFileSync(input, JSON.stringify(mutate(original, m)));
      const out = join(run, 'out', 'snapshot.json');
      mkdirSync(join(run, 'out'));
      const result = await runCli(
        ['import', 'aws', input, '--collected-at', '2026-11-01T09:00:00Z', '--output', out, '--quiet'],
        { cwd },
      );
      const written = readdirSync(join(run, 'out'));
      const ok =
        result.code === 0
          ? written.length === 1 && written[0] === 'snapshot.json'
          : result.code === 2 && messageLines(result.stderr).length === 1 && written.length === 0;
      if (!ok) t.log(result.code, result.stderr, written);
      return (
        ok &&
        readdirSync(cwd).length === 0 &&
        readdirSync(run).sort().join(',') === 'cwd,iam-get-account-authorization-details.json,out'
      );
    }),
    fuzzParameters(5, 100),
  );
  t.pass();
});

test('audit writes only the asked reports into --output-dir, whatever the snapshot names hold', async (t) => {
  const root = await tempDir('cloudward-fuzz-audit-cli-');
  const cwd = join(root, 'cwd');
  mkdirSync(cwd);
  const out = join(root, 'reports');
  const run = await runCli(
    [
      'audit',
      EXAMPLE,
      '--output-dir',
      out,
      '--format',
      'text,json,sarif,markdown,junit,csv,html,ocsf',
      '--fail-on',
      'none',
    ],
    { cwd },
  );
  t.is(run.code, 0, run.stderr);
  t.deepEqual(readdirSync(cwd), []);
  t.deepEqual(
    readdirSync(out).sort(),
    [
      'cloudward.csv',
      'cloudward.html',
      'cloudward.json',
      'cloudward.junit.xml',
      'cloudward.md',
      'cloudward.ocsf.json',
      'cloudward.sarif',
      'cloudward.txt',
    ].sort(),
  );
});
