import test from 'ava';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { FIXTURES, fakeAccountFrom, fakeOrganizationFrom, importFolder } from '../support/aws-fixtures.js';
import { startFakeAws } from '../support/fake-aws.js';

const ACCOUNT = '123456789012';

test('`cloudward collect aws --endpoint-url` takes a snapshot with the standard credential chain, and --raw-out keeps the evidence', async (t) => {
  const [bundle] = await importFolder(join(FIXTURES, ACCOUNT));
  const fake = await startFakeAws({
    callerAccount: ACCOUNT,
    accounts: { [ACCOUNT]: fakeAccountFrom(bundle!) },
    organization: fakeOrganizationFrom(bundle!, [])!,
    reportReadyAfter: 0,
  });
  t.teardown(() => fake.close());
  const dir = await mkdtemp(join(tmpdir(), 'cloudward-aws-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const env = {
    AWS_ACCESS_KEY_ID: 'AKIDCALLER',
    AWS_SECRET_ACCESS_KEY: 'cli-secret-value',
    AWS_CONFIG_FILE: join(dir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
    AWS_PROFILE: undefined,
  };
  const run = await runCli(
    [
      'collect',
      'aws',
      '--endpoint-url',
      fake.endpoint,
      '--region',
      'eu-west-1',
      '--raw-out',
      join(dir, 'raw'),
      '--output',
      join(dir, 'aws.json'),
      '--quiet',
    ],
    { env },
  );
  t.is(run.code, 0, run.stderr);
  t.is(run.stdout, '');
  const snapshot = JSON.parse(await readFile(join(dir, 'aws.json'), 'utf8')) as {
    sources: Array<{ method: string; gaps: unknown[] }>;
    principals: unknown[];
  };
  t.is(snapshot.sources[0]!.method, 'live');
  t.deepEqual(snapshot.sources[0]!.gaps, []);
  t.is((await stat(join(dir, 'aws.json'))).mode & 0o777, 0o600);
  t.false((await readFile(join(dir, 'aws.json'), 'utf8')).includes('cli-secret-value'));
  const raw = await readdir(join(dir, 'raw', ACCOUNT));
  t.true(raw.length >= 16);

  const imported = await runCli(
    [
      'import',
      'aws',
      ...raw.map((f) => join(dir, 'raw', ACCOUNT, f)),
      '--output',
      join(dir, 'imported.json'),
      '--quiet',
    ],
    { env },
  );
  t.is(imported.code, 0, imported.stderr);
  const again = JSON.parse(await readFile(join(dir, 'imported.json'), 'utf8')) as typeof snapshot;
  t.deepEqual(again.principals, snapshot.principals);
});

test('`cloudward import aws` on an unrecognised file exits 2 with one line naming the file', async (t) => {
  const run = await runCli(['import', 'aws', join(FIXTURES, '..', '..', '..', 'package.json')]);
  t.is(run.code, 2);
  t.regex(run.stderr, /package\.json: unrecognised AWS document/);
  t.is(
    run.stderr
      .trim()
      .split('\n')
      .filter((l) => l.includes('unrecognised')).length,
    1,
  );
});

test('`cloudward permissions aws` prints the read-only policy', async (t) => {
  const run = await runCli(['permissions', 'aws']);
  t.is(run.code, 0);
  const policy = JSON.parse(run.stdout) as { Statement: Array<{ Action: string[] }> };
  t.true(policy.Statement.flatMap((s) => s.Action).includes('iam:GetAccountAuthorizationDetails'));
});

test('`--profile` picks the named profile from the shared credentials file', async (t) => {
  const [bundle] = await importFolder(join(FIXTURES, ACCOUNT));
  const fake = await startFakeAws({
    callerAccount: ACCOUNT,
    accounts: { [ACCOUNT]: fakeAccountFrom(bundle!) },
    reportReadyAfter: 0,
  });
  t.teardown(() => fake.close());
  const dir = await mkdtemp(join(tmpdir(), 'cloudward-aws-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(
    join(dir, 'credentials'),
    '[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = wrong\n\n[audit]\naws_access_key_id = AKIDAUDITPROFILE\naws_secret_access_key = audit-secret\n',
  );
  const env = {
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_CONFIG_FILE: join(dir, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
  };
  const run = await runCli(
    [
      'collect',
      'aws',
      '--profile',
      'audit',
      '--endpoint-url',
      fake.endpoint,
      '--output',
      join(dir, 'aws.json'),
      '--quiet',
    ],
    { env },
  );
  t.is(run.code, 0, run.stderr);
  t.true(fake.calls.length > 5);
  t.true(
    fake.calls.every((c) => c.accessKeyId === 'AKIDAUDITPROFILE'),
    "every call is signed with the audit profile's key",
  );
  const missing = await runCli(['collect', 'aws', '--profile', 'nope', '--endpoint-url', fake.endpoint, '--quiet'], {
    env,
  });
  t.is(missing.code, 2);
  t.regex(missing.stderr, /sts:GetCallerIdentity/);
  t.is(missing.stderr.trim().split('\n').length, 1, missing.stderr);
});
