import test from 'ava';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers/cli.js';
import { FIXTURES, fakeAccountFrom, fakeOrganizationFrom, importFolder } from '../support/aws-fixtures.js';
import { startFakeAws, type FakeAws } from '../support/fake-aws.js';
import { shardOf } from '../../src/providers/cloud/shard.js';

const CALLER = '123456789012';
const MEMBERS = ['210987654321', '333333333333', '444444444444', '555555555555', '666666666666'];
const AT = '2026-11-01T09:00:00Z';

async function organizationFake(): Promise<FakeAws> {
  const [bundle] = await importFolder(join(FIXTURES, CALLER));
  const data = fakeAccountFrom(bundle!);
  const accounts = Object.fromEntries(
    [CALLER, ...MEMBERS].map((id) => [id, JSON.parse(JSON.stringify(data).replaceAll(CALLER, id)) as typeof data]),
  );
  const organization = fakeOrganizationFrom(
    bundle!,
    [CALLER, ...MEMBERS].map((Id, i) => ({ Id, Name: `account-${i}` })),
  )!;
  return startFakeAws({ callerAccount: CALLER, accounts, organization, reportReadyAfter: 0 });
}

const env = (dir: string) => ({
  AWS_ACCESS_KEY_ID: 'AKIDCALLER',
  AWS_SECRET_ACCESS_KEY: 'shard-secret',
  AWS_CONFIG_FILE: join(dir, 'no-config'),
  AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
  AWS_PROFILE: undefined,
});

test('merging every --shard K/N snapshot (in any order) equals the unsharded snapshot, digest included', async (t) => {
  const fake = await organizationFake();
  t.teardown(() => fake.close());
  const dir = await tempDir('cloudward-shard-');
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const collect = (...extra: string[]) =>
    runCli(
      [
        'collect',
        'aws',
        '--endpoint-url',
        fake.endpoint,
        '--org-role',
        'CloudwardAudit',
        '--collected-at',
        AT,
        '--concurrency',
        '3',
        '--quiet',
        ...extra,
      ],
      { env: env(dir) },
    );

  const whole = await collect('--output', join(dir, 'whole.json'));
  t.is(whole.code, 0, whole.stderr);
  const callsUnsharded = fake.calls.length;
  for (const k of [1, 2, 3]) {
    const run = await collect('--shard', `${k}/3`, '--output', join(dir, `shard-${k}.json`));
    t.is(run.code, 0, run.stderr);
  }
  const shardCalls = fake.calls.length - callsUnsharded;
  const read = async (name: string) =>
    JSON.parse(await readFile(join(dir, name), 'utf8')) as {
      digest: string;
      sources: Array<{ scope: { id: string } }>;
    };
  const shards = await Promise.all([1, 2, 3].map((k) => read(`shard-${k}.json`)));
  // Each shard holds exactly the accounts its hash picks, and together they hold each account once.
  for (const [i, shard] of shards.entries()) {
    t.true(shard.sources.length > 0, `shard ${i + 1} is not empty with these ids`);
    t.true(shard.sources.every((s) => shardOf(s.scope.id, 3) === i));
  }
  t.deepEqual(shards.flatMap((s) => s.sources.map((x) => x.scope.id)).sort(), [CALLER, ...MEMBERS].sort());
  t.is(
    fake.count('GetAccountAuthorizationDetails') / 2,
    MEMBERS.length + 1,
    'each account is read once by the unsharded run and once by its shard',
  );
  t.true(shardCalls < callsUnsharded * 2);

  const merged = await runCli([
    'merge',
    join(dir, 'shard-3.json'),
    join(dir, 'shard-1.json'),
    join(dir, 'shard-2.json'),
    '--output',
    join(dir, 'merged.json'),
  ]);
  t.is(merged.code, 0, merged.stderr);
  const [a, b] = await Promise.all([
    readFile(join(dir, 'whole.json'), 'utf8'),
    readFile(join(dir, 'merged.json'), 'utf8'),
  ]);
  t.deepEqual(JSON.parse(b), JSON.parse(a));
  t.is(b, a, 'byte for byte');

  const audit = await runCli(['audit', join(dir, 'merged.json'), '--format', 'json', '--fail-on', 'none', '--quiet']);
  t.is(audit.code, 0, audit.stderr);
});

test('a bad --shard is exit 2 naming the flag, before any call', async (t) => {
  const fake = await organizationFake();
  t.teardown(() => fake.close());
  const dir = await tempDir('cloudward-shard-');
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  for (const value of ['0/3', '4/3', '1/0', 'two/3', '1-3']) {
    const run = await runCli(
      ['collect', 'aws', '--endpoint-url', fake.endpoint, '--org-role', 'CloudwardAudit', '--shard', value, '--quiet'],
      { env: env(dir) },
    );
    t.is(run.code, 2, value);
    t.regex(run.stderr, /--shard/);
    t.is(run.stderr.trim().split('\n').length, 1);
  }
  t.is(fake.calls.length, 0);
});
