import test from 'ava';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsProvider } from '../../src/providers/aws/index.js';
import type { RawBundle } from '../../src/providers/types.js';
import { assembleSnapshot } from '../../src/snapshot/load.js';
import type { Snapshot } from '../../src/snapshot/model.js';
import {
  FIXTURES,
  fakeAccountFrom,
  fakeOrganizationFrom,
  filesIn,
  importFolder,
  quietProgress,
} from '../support/aws-fixtures.js';
import { startFakeAws, type FakeAwsOptions } from '../support/fake-aws.js';
import { comparableSnapshot } from '../support/snapshots.js';

const ACCOUNT = '123456789012';

async function fixtureOptions(overrides: Partial<FakeAwsOptions> = {}): Promise<FakeAwsOptions> {
  const [bundle] = await importFolder(join(FIXTURES, ACCOUNT));
  const organization = fakeOrganizationFrom(bundle!, [{ Id: ACCOUNT, Name: 'acme-test' }]);
  return {
    callerAccount: ACCOUNT,
    accounts: { [ACCOUNT]: fakeAccountFrom(bundle!) },
    ...(organization ? { organization } : {}),
    maxItems: 3,
    ...overrides,
  };
}

function collectFrom(endpoint: string, options: Record<string, unknown> = {}, rawOut?: string): Promise<RawBundle[]> {
  return awsProvider.collect!({
    options: {
      endpointUrl: endpoint,
      maxAttempts: 3,
      ...options,
    },
    hooks: {
      credentials: { accessKeyId: 'AKIDCALLER', secretAccessKey: 'caller-secret' },
      // A generous give-up time: the poll itself is fast, but a loaded CI machine can take seconds per call.
      polling: { initialDelayMs: 5, maxDelayMs: 20, timeoutMs: 60_000 },
    },
    progress: quietProgress,
    ...(rawOut ? { rawOut } : {}),
  });
}

function snapshotOf(bundles: RawBundle[]): Snapshot {
  return assembleSnapshot([awsProvider.normalize(bundles)], bundles[0]!.collectedAt);
}

test('collects an account through the real SDK clients in a handful of paged calls', async (t) => {
  const fake = await startFakeAws(await fixtureOptions());
  t.teardown(() => fake.close());
  const bundles = await collectFrom(fake.endpoint);
  t.is(bundles.length, 1);
  t.deepEqual(bundles[0]!.gaps, []);
  const snapshot = snapshotOf(bundles);
  const names = snapshot.principals
    .filter((p) => p.kind === 'user')
    .map((p) => p.name)
    .sort();
  t.deepEqual(names, ['alice', 'bob', 'carol', 'ci-deploy', 'dave']);
  // 5 users + 2 groups + 4 roles + 6 policies = 17 entities at 3 per page.
  t.is(fake.count('GetAccountAuthorizationDetails'), 6);
  t.true(fake.count('GenerateCredentialReport') >= 2, 'the report is polled until COMPLETE');
  t.is(fake.count('GetCredentialReport'), 1);
  t.is(fake.count('DescribePolicy'), 2);
  t.is(fake.count('GetTrailStatus'), 2);
  t.false(
    fake.calls.some((c) =>
      /^(ListMFADevices|ListAccessKeys|GetUser|ListUserPolicies|ListAttachedUserPolicies)$/.test(c.action),
    ),
    'no per-user calls',
  );
});

test('--raw-out files imported again give the same snapshot as the live run', async (t) => {
  const fake = await startFakeAws(await fixtureOptions());
  t.teardown(() => fake.close());
  const dir = await mkdtemp(join(tmpdir(), 'cloudward-aws-raw-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const live = snapshotOf(await collectFrom(fake.endpoint, {}, dir));
  const files = (await readdir(join(dir, ACCOUNT))).sort();
  t.true(files.includes('iam-get-account-authorization-details.json'));
  t.true(files.includes('cloudtrail-get-trail-status.org-audit.json'));
  t.is((await stat(join(dir, ACCOUNT, files[0]!))).mode & 0o777, 0o600);
  const gaad = JSON.parse(await readFile(join(dir, ACCOUNT, 'iam-get-account-authorization-details.json'), 'utf8')) as {
    RoleDetailList: Array<{ AssumeRolePolicyDocument: unknown }>;
  };
  t.is(
    typeof gaad.RoleDetailList[0]!.AssumeRolePolicyDocument,
    'object',
    'documents are decoded as the AWS CLI prints them',
  );
  const imported = snapshotOf(await importFolder(join(dir, ACCOUNT)));
  t.deepEqual(comparableSnapshot(imported), comparableSnapshot(live));
  t.is(
    imported.sources[0]!.collectedAt,
    live.sources[0]!.collectedAt,
    'the raw-out note carries the live collection time',
  );
  t.is(imported.sources[0]!.method, 'import');
  t.is(live.sources[0]!.method, 'live');
});

test('the live snapshot equals the import of the fixture exports it was served from', async (t) => {
  const fake = await startFakeAws(await fixtureOptions());
  t.teardown(() => fake.close());
  const live = snapshotOf(await collectFrom(fake.endpoint));
  const imported = snapshotOf(
    await awsProvider.importFiles(filesIn(join(FIXTURES, ACCOUNT)), { options: {}, progress: quietProgress }),
  );
  t.deepEqual(comparableSnapshot(imported), comparableSnapshot(live));
});

test('throttling and a 5xx are retried, then the call succeeds', async (t) => {
  const fake = await startFakeAws(
    await fixtureOptions({
      faults: [
        {
          action: 'GetAccountAuthorizationDetails',
          code: 'Throttling',
          status: 400,
          message: 'Rate exceeded',
          times: 1,
        },
        { action: 'DescribeTrails', code: 'ThrottlingException', status: 400, message: 'Rate exceeded', times: 1 },
        { action: 'GetAccountSummary', code: 'ServiceUnavailable', status: 503, times: 1 },
      ],
    }),
  );
  t.teardown(() => fake.close());
  const bundles = await collectFrom(fake.endpoint);
  t.deepEqual(bundles[0]!.gaps, []);
  t.is(fake.count('GetAccountAuthorizationDetails'), 7, 'one retried page');
  t.is(fake.count('DescribeTrails'), 2);
  t.is(fake.count('GetAccountSummary'), 2);
});

test('throttling that outlasts the attempts is a gap, not an abort and never a pass', async (t) => {
  const fake = await startFakeAws(
    await fixtureOptions({
      faults: [{ action: 'GetAccountSummary', code: 'Throttling', status: 400, message: 'Rate exceeded' }],
    }),
  );
  t.teardown(() => fake.close());
  const bundles = await collectFrom(fake.endpoint, { maxAttempts: 2 });
  t.is(fake.count('GetAccountSummary'), 2);
  const gap = bundles[0]!.gaps.find((g) => g.what === 'aws.account-summary');
  t.truthy(gap);
  t.is(gap!.call, 'iam:GetAccountSummary');
  const root = snapshotOf(bundles).principals.find((p) => p.kind === 'root')!;
  t.is(root.details?.accessKeysPresent, undefined, 'no summary, no root key fact');
});

test('AccessDenied on the credential report is the aws.credential-report gap; users stay, without MFA facts', async (t) => {
  const fake = await startFakeAws(
    await fixtureOptions({
      faults: [
        {
          action: 'GenerateCredentialReport',
          code: 'AccessDenied',
          status: 403,
          message:
            'User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: iam:GenerateCredentialReport',
        },
      ],
    }),
  );
  t.teardown(() => fake.close());
  const dir = await mkdtemp(join(tmpdir(), 'cloudward-aws-raw-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const bundles = await collectFrom(fake.endpoint, {}, dir);
  t.deepEqual(
    bundles[0]!.gaps.map((g) => [g.what, g.call]),
    [['aws.credential-report', 'iam:GenerateCredentialReport']],
  );
  const [reimported] = await importFolder(join(dir, ACCOUNT));
  t.deepEqual(
    reimported!.gaps,
    bundles[0]!.gaps,
    'the error file carries the gap; the note dates the import without a credential report',
  );
  t.regex(bundles[0]!.gaps[0]!.reason, /^AccessDenied: User: .* not authorized/);
  const bob = snapshotOf(bundles).principals.find((p) => p.name === 'bob')!;
  t.is(bob.mfa, undefined);
  t.is(bob.credentials, undefined);
  t.is(bob.privilege?.level, 'admin', 'privilege still comes from the authorization details');
  t.is(fake.count('GetCredentialReport'), 0);
});

test('a report that is not ready yet is polled until it is', async (t) => {
  const fake = await startFakeAws(await fixtureOptions({ reportReadyAfter: 3 }));
  t.teardown(() => fake.close());
  const bundles = await collectFrom(fake.endpoint);
  t.deepEqual(bundles[0]!.gaps, []);
  t.is(fake.count('GenerateCredentialReport'), 4);
});

test('GetCredentialReport answering ReportInProgress is polled again, not a gap', async (t) => {
  const fake = await startFakeAws(
    await fixtureOptions({
      faults: [
        {
          action: 'GetCredentialReport',
          code: 'ReportInProgress',
          status: 404,
          message: 'Report generation is in progress',
          times: 2,
        },
      ],
    }),
  );
  t.teardown(() => fake.close());
  const bundles = await collectFrom(fake.endpoint);
  t.deepEqual(bundles[0]!.gaps, []);
  t.is(fake.count('GetCredentialReport'), 3);
});

test('no password policy (NoSuchEntity) is a disabled control, not a gap', async (t) => {
  const options = await fixtureOptions();
  options.accounts[ACCOUNT]!.passwordPolicy = null;
  const fake = await startFakeAws(options);
  t.teardown(() => fake.close());
  const dir = await mkdtemp(join(tmpdir(), 'cloudward-aws-raw-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const bundles = await collectFrom(fake.endpoint, {}, dir);
  t.deepEqual(bundles[0]!.gaps, []);
  const control = snapshotOf(bundles).controls.find((c) => c.type === 'password-policy')!;
  t.is(control.state, 'disabled');
  const text = await readFile(join(dir, ACCOUNT, 'iam-get-account-password-policy.error.txt'), 'utf8');
  t.regex(text, /^An error occurred \(NoSuchEntity\) when calling the GetAccountPasswordPolicy operation: /);
  const reimported = snapshotOf(await importFolder(join(dir, ACCOUNT)));
  t.is(reimported.controls.find((c) => c.type === 'password-policy')!.state, 'disabled');
});

test('an account in no organization has no SCPs and no gap', async (t) => {
  const options = await fixtureOptions();
  delete options.organization;
  const fake = await startFakeAws(options);
  t.teardown(() => fake.close());
  const bundles = await collectFrom(fake.endpoint);
  t.deepEqual(bundles[0]!.gaps, []);
  t.is(snapshotOf(bundles).controls.filter((c) => c.type === 'service-control-policy').length, 0);
});

test('a member account that may not read SCPs records the aws.scp gap', async (t) => {
  const fake = await startFakeAws(
    await fixtureOptions({
      faults: [
        {
          action: 'ListPolicies',
          code: 'AccessDeniedException',
          message: "You don't have permissions to access this resource.",
        },
      ],
    }),
  );
  t.teardown(() => fake.close());
  const bundles = await collectFrom(fake.endpoint);
  t.deepEqual(
    bundles[0]!.gaps.map((g) => g.what),
    ['aws.scp'],
  );
  t.is(fake.count('DescribePolicy'), 0);
});

test('a trail whose status cannot be read leaves isLogging unknown and records aws.cloudtrail-status', async (t) => {
  const fake = await startFakeAws(
    await fixtureOptions({ faults: [{ action: 'GetTrailStatus', code: 'AccessDeniedException', message: 'denied' }] }),
  );
  t.teardown(() => fake.close());
  const bundles = await collectFrom(fake.endpoint);
  t.deepEqual([...new Set(bundles[0]!.gaps.map((g) => g.what))], ['aws.cloudtrail-status']);
  const trail = snapshotOf(bundles).controls.find((c) => c.name === 'org-audit')!;
  t.is(trail.state, 'unknown');
  t.false('isLogging' in trail.settings);
});

test('--org-role reads every active account through the role; one failing account is a gap, not an abort', async (t) => {
  const base = await fixtureOptions();
  const data = base.accounts[ACCOUNT]!;
  const member = '210987654321';
  const denied = '333333333333';
  const fake = await startFakeAws({
    ...base,
    accounts: {
      [ACCOUNT]: data,
      [member]: JSON.parse(JSON.stringify(data).replaceAll(ACCOUNT, member)) as typeof data,
      [denied]: data,
    },
    organization: {
      ...base.organization!,
      accounts: [
        { Id: ACCOUNT, Name: 'management' },
        { Id: member, Name: 'workloads' },
        { Id: denied, Name: 'sandbox' },
        { Id: '444444444444', Name: 'closed', State: 'SUSPENDED' },
      ],
    },
    denyAssumeRole: [denied],
  });
  t.teardown(() => fake.close());
  const bundles = await collectFrom(fake.endpoint, { orgRole: 'CloudwardAudit', concurrency: 2 });
  t.deepEqual(
    bundles.map((b) => b.scope.id),
    [ACCOUNT, member, denied],
  );
  t.deepEqual(bundles[0]!.gaps, []);
  t.deepEqual(bundles[1]!.gaps, []);
  t.true(bundles[2]!.gaps.length >= 8);
  t.true(bundles[2]!.gaps.every((g) => g.call === 'sts:AssumeRole'));
  t.is(fake.count('AssumeRole'), 2, "the caller's own account is read with its own credentials");
  t.is(fake.count('ListPolicies'), 1, 'SCPs are read once for the organization');
  t.is(fake.count('GetAccountAuthorizationDetails', member), 6);
  const snapshot = snapshotOf(bundles);
  const memberBob = snapshot.principals.find((p) => p.uid === `aws:${member}:user/bob`)!;
  t.is(memberBob.privilege?.level, 'admin');
  // In the member account the root-attached DenyCloudShell SCP narrows what AdministratorAccess allows.
  t.regex(memberBob.privilege!.reasons[0]!, /not narrowed by SCPs attached to the organization root/);
});

test('no usable caller identity stops the run with a one-line UserError', async (t) => {
  const fake = await startFakeAws(
    await fixtureOptions({
      faults: [
        {
          action: 'GetCallerIdentity',
          code: 'ExpiredToken',
          status: 403,
          message: 'The security token included in the request is expired',
        },
      ],
    }),
  );
  t.teardown(() => fake.close());
  const error = await t.throwsAsync(collectFrom(fake.endpoint));
  t.is(error?.name, 'UserError');
  t.regex(error!.message, /ExpiredToken/);
  t.false(error!.message.includes('caller-secret'));
});

test('bad collect options are UserErrors naming the flag', async (t) => {
  await t.throwsAsync(collectFrom('http://127.0.0.1:1', { concurrency: '0' }), {
    name: 'UserError',
    message: /--concurrency/,
  });
  await t.throwsAsync(collectFrom('not a url'), { name: 'UserError', message: /--endpoint-url/ });
  await t.throwsAsync(collectFrom('http://127.0.0.1:1', { orgRole: 'bad role name!' }), {
    name: 'UserError',
    message: /--org-role/,
  });
});

test('a --raw-out that cannot be written is a UserError naming the path', async (t) => {
  const fake = await startFakeAws(await fixtureOptions());
  t.teardown(() => fake.close());
  const dir = await mkdtemp(join(tmpdir(), 'cloudward-aws-raw-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const blocker = join(dir, 'not-a-folder');
  await writeFile(blocker, 'x');
  const error = await t.throwsAsync(collectFrom(fake.endpoint, {}, blocker));
  t.is(error?.name, 'UserError');
  t.regex(error!.message, /cannot write the raw documents/);
});
