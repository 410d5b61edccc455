/**
 * Organization context through the real SDK clients against the fake AWS server: SCPs on the root and on every OU
 * above a member account narrow it (its OU path read with ListParents, each OU once), the management account is never
 * narrowed, a path that cannot be read is a gap; CloudTrail is read in every enabled region.
 */
import test from 'ava';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluate } from '../../src/engine/evaluate.js';
import { loadChecks } from '../../src/engine/load-checks.js';
import type { Check } from '../../src/engine/types.js';
import { awsProvider } from '../../src/providers/aws/index.js';
import type { RawBundle } from '../../src/providers/types.js';
import { assembleSnapshot } from '../../src/snapshot/load.js';
import type { Principal, Snapshot } from '../../src/snapshot/model.js';
import {
  FIXTURES,
  fakeAccountFrom,
  fakeOrganizationFrom,
  filesIn,
  importFolder,
  quietProgress,
} from '../support/aws-fixtures.js';
import { startFakeAws, type FakeAccountData, type FakeAwsOptions, type FakeOrganization } from '../support/fake-aws.js';
import { comparableSnapshot } from '../support/snapshots.js';

const MANAGEMENT = '123456789012';
/** Under OU Restricted, inside OU Workloads, whose SCP denies iam:*. */
const RESTRICTED = '210987654321';
/** Under OU Sandbox, directly below the root: nothing but FullAWSAccess. */
const SANDBOX = '310987654321';
const ROOT_ID = 'r-ab12';
const WORKLOADS = 'ou-ab12-workloads';
const RESTRICTED_OU = 'ou-ab12-restricted';
const SANDBOX_OU = 'ou-ab12-sandbox0';

let fixture: RawBundle;
let checks: Check[];

test.before(async () => {
  [fixture] = (await importFolder(join(FIXTURES, MANAGEMENT))) as [RawBundle];
  checks = await loadChecks({ builtIn: false, paths: [new URL('../../policies/aws', import.meta.url).pathname] });
});

/** The fixture account's data as another account's (its ARNs rewritten), plus a user whose only path to admin is IAM. */
function accountData(account: string, extra: Partial<FakeAccountData> = {}): FakeAccountData {
  const data = JSON.parse(JSON.stringify(fakeAccountFrom(fixture)).replaceAll(MANAGEMENT, account)) as FakeAccountData;
  const eve = {
    Path: '/',
    UserName: 'eve',
    UserId: `AIDA${account}EVE`,
    Arn: `arn:aws:iam::${account}:user/eve`,
    CreateDate: '2024-01-01T00:00:00Z',
    GroupList: [],
    AttachedManagedPolicies: [],
    UserPolicyList: [
      {
        PolicyName: 'self-service',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 'iam:AttachUserPolicy', Resource: `arn:aws:iam::${account}:user/eve` },
          ],
        },
      },
    ],
  };
  data.authorizationDetails.UserDetailList = [...(data.authorizationDetails.UserDetailList ?? []), eve];
  return { ...data, ...extra };
}

const ou = (id: string, name: string) => ({
  TargetId: id,
  Arn: `arn:aws:organizations::${MANAGEMENT}:ou/o-a1b2c3d4e5/${id}`,
  Name: name,
  Type: 'ORGANIZATIONAL_UNIT',
});
const accountTarget = (id: string) => ({
  TargetId: id,
  Arn: `arn:aws:organizations::${MANAGEMENT}:account/o-a1b2c3d4e5/${id}`,
  Name: id,
  Type: 'ACCOUNT',
});

/** The fixture's organization, with FullAWSAccess on every OU and account (as AWS attaches it) and one SCP more. */
function organization(
  extra: { id: string; content: unknown; targets: Array<Record<string, unknown>> },
  rootAllowList = false,
): FakeOrganization {
  const base = fakeOrganizationFrom(
    fixture,
    [MANAGEMENT, RESTRICTED, SANDBOX].map((Id) => ({ Id, Name: Id })),
  )!;
  const everywhere = [
    ou(WORKLOADS, 'Workloads'),
    ou(RESTRICTED_OU, 'Restricted'),
    ou(SANDBOX_OU, 'Sandbox'),
    ...[MANAGEMENT, RESTRICTED, SANDBOX].map(accountTarget),
  ];
  const scps = base.scps.map((scp) => {
    if (scp.summary.Id !== 'p-FullAWSAccess') return scp;
    // An allow-list organization: FullAWSAccess is taken off the root (the extra SCP allows there instead).
    const targets = rootAllowList ? everywhere : [...scp.targets, ...everywhere];
    return { ...scp, targets };
  });
  const summary = {
    Id: extra.id,
    Arn: `arn:aws:organizations::${MANAGEMENT}:policy/o-a1b2c3d4e5/service_control_policy/${extra.id}`,
    Name: extra.id,
    Type: 'SERVICE_CONTROL_POLICY',
    AwsManaged: false,
  };
  scps.push({ summary, content: JSON.stringify(extra.content), targets: extra.targets });
  return {
    ...base,
    scps,
    parents: {
      [RESTRICTED]: { Id: RESTRICTED_OU, Type: 'ORGANIZATIONAL_UNIT' },
      [RESTRICTED_OU]: { Id: WORKLOADS, Type: 'ORGANIZATIONAL_UNIT' },
      [WORKLOADS]: { Id: ROOT_ID, Type: 'ROOT' },
      [SANDBOX]: { Id: SANDBOX_OU, Type: 'ORGANIZATIONAL_UNIT' },
      [SANDBOX_OU]: { Id: ROOT_ID, Type: 'ROOT' },
      [MANAGEMENT]: { Id: ROOT_ID, Type: 'ROOT' },
    },
  };
}

const DENY_IAM = {
  id: 'p-denyiam001',
  content: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iam:*', Resource: '*' }] },
  targets: [ou(WORKLOADS, 'Workloads')],
};

function orgOptions(org: FakeOrganization, overrides: Partial<FakeAwsOptions> = {}): FakeAwsOptions {
  return {
    callerAccount: MANAGEMENT,
    accounts: {
      [MANAGEMENT]: accountData(MANAGEMENT),
      [RESTRICTED]: accountData(RESTRICTED),
      [SANDBOX]: accountData(SANDBOX),
    },
    organization: org,
    ...overrides,
  };
}

function collectFrom(endpoint: string, options: Record<string, unknown> = {}, rawOut?: string): Promise<RawBundle[]> {
  return awsProvider.collect!({
    options: {
      endpointUrl: endpoint,
      orgRole: 'CloudwardAudit',
      maxAttempts: 2,
      ...options,
    },
    hooks: {
      credentials: { accessKeyId: 'AKIDCALLER', secretAccessKey: 'caller-secret' },
      polling: { initialDelayMs: 5, maxDelayMs: 20, timeoutMs: 60_000 },
    },
    progress: quietProgress,
    ...(rawOut ? { rawOut } : {}),
  });
}

const snapshotOf = (bundles: RawBundle[]): Snapshot =>
  assembleSnapshot([awsProvider.normalize(bundles)], bundles[0]!.collectedAt);
const who = (snapshot: Snapshot, account: string, name: string): Principal =>
  snapshot.principals.find((p) => p.uid === `aws:${account}:${name}`)!;

test('a Deny on an OU above the account narrows it: its admins and its escalation paths are gone; elsewhere they stay', async (t) => {
  const fake = await startFakeAws(orgOptions(organization(DENY_IAM)));
  t.teardown(() => fake.close());
  const bundles = await collectFrom(fake.endpoint);
  t.deepEqual(
    bundles.map((b) => [b.scope.id, b.gaps]),
    [
      [MANAGEMENT, []],
      [RESTRICTED, []],
      [SANDBOX, []],
    ],
  );
  const snapshot = snapshotOf(bundles);
  // Two levels up: Restricted (no SCP of its own beyond FullAWSAccess) sits in Workloads, which denies iam:*.
  t.not(who(snapshot, RESTRICTED, 'user/bob').privilege?.level, 'admin');
  t.regex(who(snapshot, RESTRICTED, 'user/bob').privilege!.reasons.join('; '), /except some denied ones/);
  t.is(
    who(snapshot, RESTRICTED, 'user/eve').privilege?.level,
    'none',
    'iam:AttachUserPolicy on itself is denied above the account',
  );
  t.is(who(snapshot, SANDBOX, 'user/bob').privilege?.level, 'admin');
  t.is(who(snapshot, SANDBOX, 'user/eve').privilege?.level, 'privileged');
  t.regex(who(snapshot, SANDBOX, 'user/eve').privilege!.reasons[0]!, /eve -> iam:AttachUserPolicy on itself -> admin/);
  t.is(who(snapshot, MANAGEMENT, 'user/bob').privilege?.level, 'admin', 'the management account is never narrowed');
  const scp = snapshot.controls.find((c) => c.uid === `aws:${RESTRICTED}:scp/p-denyiam001`)!;
  t.like(scp.settings, { attachedToAccountOu: true, appliesToAccount: true });
  t.like(snapshot.controls.find((c) => c.uid === `aws:${SANDBOX}:scp/p-denyiam001`)!.settings, {
    attachedToAccountOu: false,
    appliesToAccount: false,
  });
  const results = evaluate(snapshot, checks);
  const status = (checkId: string, uid: string) =>
    results.find((r) => r.checkId === checkId && r.resource.uid === uid)?.status;
  t.is(status('aws-no-privilege-escalation-users', `aws:${RESTRICTED}:user/eve`), 'pass');
  t.is(status('aws-no-privilege-escalation-users', `aws:${SANDBOX}:user/eve`), 'fail');
  t.is(status('aws-no-standing-admin-users', `aws:${RESTRICTED}:user/bob`), 'pass');
  t.is(status('aws-no-standing-admin-users', `aws:${SANDBOX}:user/bob`), 'fail');
});

test('a root allow-list SCP narrows every member account, never the management account', async (t) => {
  const allowList = {
    id: 'p-allowlist01',
    content: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['s3:*', 'ec2:*', 'cloudwatch:*'], Resource: '*' }],
    },
    targets: [
      {
        TargetId: ROOT_ID,
        Arn: `arn:aws:organizations::${MANAGEMENT}:root/o-a1b2c3d4e5/${ROOT_ID}`,
        Name: 'Root',
        Type: 'ROOT',
      },
    ],
  };
  const fake = await startFakeAws(orgOptions(organization(allowList, true)));
  t.teardown(() => fake.close());
  const snapshot = snapshotOf(await collectFrom(fake.endpoint));
  for (const member of [RESTRICTED, SANDBOX]) {
    t.is(
      who(snapshot, member, 'user/bob').privilege?.level,
      'none',
      `${member}: only s3, ec2 and cloudwatch pass the root`,
    );
    t.is(who(snapshot, member, 'user/eve').privilege?.level, 'none');
  }
  t.is(who(snapshot, MANAGEMENT, 'user/bob').privilege?.level, 'admin');
});

test("each OU's parent is read once however many accounts sit below it", async (t) => {
  const members = Array.from({ length: 12 }, (_, i) => String(400000000000 + i));
  const org = organization(DENY_IAM);
  org.accounts = [MANAGEMENT, ...members].map((Id) => ({ Id, Name: Id }));
  // Six accounts in Restricted (two levels below the root), six in Sandbox (one level).
  members.forEach((id, i) => {
    org.parents![id] =
      i < 6 ? { Id: RESTRICTED_OU, Type: 'ORGANIZATIONAL_UNIT' } : { Id: SANDBOX_OU, Type: 'ORGANIZATIONAL_UNIT' };
  });
  const fake = await startFakeAws({
    callerAccount: MANAGEMENT,
    accounts: Object.fromEntries([MANAGEMENT, ...members].map((id) => [id, accountData(id)])),
    organization: org,
  });
  t.teardown(() => fake.close());
  const bundles = await collectFrom(fake.endpoint, { concurrency: 6 });
  t.is(bundles.length, 13);
  // One call per member account, one per OU (Restricted, Workloads, Sandbox); none for the management account.
  t.is(fake.count('ListParents'), 12 + 3);
  t.is(
    new Set(fake.calls.filter((c) => c.action === 'ListParents').map((c) => c.account)).size,
    1,
    "read with the caller's own credentials",
  );
  const snapshot = snapshotOf(bundles);
  t.not(who(snapshot, members[0]!, 'user/bob').privilege?.level, 'admin');
  t.is(who(snapshot, members[11]!, 'user/bob').privilege?.level, 'admin');
});

test('ListParents denied is an aws.scp gap naming organizations:ListParents: a root SCP still proves the CloudShell check, with the gap in its evidence', async (t) => {
  const fake = await startFakeAws(
    orgOptions(organization(DENY_IAM), {
      faults: [
        {
          action: 'ListParents',
          code: 'AccessDeniedException',
          message: "You don't have permissions to access this resource.",
        },
      ],
    }),
  );
  t.teardown(() => fake.close());
  const bundles = await collectFrom(fake.endpoint);
  const restricted = bundles.find((b) => b.scope.id === RESTRICTED)!;
  t.deepEqual(
    restricted.gaps.map((g) => [g.what, g.call]),
    [['aws.scp', 'organizations:ListParents']],
  );
  t.regex(restricted.gaps[0]!.reason, /AccessDenied/);
  t.deepEqual(bundles.find((b) => b.scope.id === MANAGEMENT)!.gaps, [], 'the management account needs no OU path');
  const snapshot = snapshotOf(bundles);
  // Not narrowed by what could not be read: the root's SCPs still apply, Workloads' Deny is not assumed.
  t.is(who(snapshot, RESTRICTED, 'user/bob').privilege?.level, 'admin');
  t.false(
    'appliesToAccount' in
      (snapshot.controls.find((c) => c.uid === `aws:${RESTRICTED}:scp/p-denyiam001`)!.settings as object),
  );
  const results = evaluate(snapshot, checks);
  const shell = results.filter((r) => r.checkId === 'aws-scp-denies-cloudshell');
  // DenyCloudShell is attached to the root, which applies whatever the OU path: no missing level can undo it.
  const restrictedShell = shell.find((r) => r.resource.uid.includes(RESTRICTED))!;
  t.is(restrictedShell.status, 'pass');
  t.regex(JSON.stringify(restrictedShell), /ListParents|AccessDenied/);
});

test('trails are read in every enabled region: single-region trails elsewhere and a multi-region trail homed elsewhere', async (t) => {
  const account = MANAGEMENT;
  const trail = (name: string, region: string, multi: boolean) => ({
    Name: name,
    TrailARN: `arn:aws:cloudtrail:${region}:${account}:trail/${name}`,
    HomeRegion: region,
    IsMultiRegionTrail: multi,
    IsOrganizationTrail: false,
    S3BucketName: 'logs',
    LogFileValidationEnabled: true,
  });
  const trails = [
    trail('org-wide', 'eu-west-1', true),
    trail('eu-only', 'eu-west-1', false),
    trail('us-only', 'us-east-1', false),
    trail('sydney', 'ap-southeast-2', false),
  ];
  const status = Object.fromEntries(trails.map((x) => [x.TrailARN, { IsLogging: x.Name !== 'eu-only' }]));
  const selectors = Object.fromEntries(
    trails.map((x) => [x.TrailARN, { EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] }]),
  );
  const data = accountData(account, {
    trails,
    trailStatus: status,
    eventSelectors: selectors,
    regions: ['eu-west-1', 'us-east-1', 'us-west-2'],
  });
  const fake = await startFakeAws({ callerAccount: account, accounts: { [account]: data } });
  t.teardown(() => fake.close());
  const dir = await mkdtemp(join(tmpdir(), 'cloudward-aws-regions-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const bundles = await collectFrom(fake.endpoint, { orgRole: undefined, region: 'us-east-1' }, dir);
  t.deepEqual(bundles[0]!.gaps, []);
  const snapshot = snapshotOf(bundles);
  const seen = snapshot.controls
    .filter((c) => c.type === 'audit-logging')
    .map((c) => c.uid.replace(`aws:${account}:trail/`, ''))
    .sort();
  t.deepEqual(
    seen,
    ['eu-west-1/eu-only', 'eu-west-1/org-wide', 'us-east-1/us-only'],
    'ap-southeast-2 is not enabled: not read',
  );
  t.is(fake.count('DescribeTrails'), 3, 'one DescribeTrails per enabled region');
  t.deepEqual(
    fake.calls
      .filter((c) => c.action === 'DescribeTrails')
      .map((c) => c.region)
      .sort(),
    ['eu-west-1', 'us-east-1', 'us-west-2'],
  );
  t.is(fake.count('GetTrailStatus'), 3, 'each trail once, not once per region it shows in');
  t.deepEqual(
    fake.calls
      .filter((c) => c.action === 'GetTrailStatus')
      .map((c) => c.region)
      .sort(),
    ['eu-west-1', 'eu-west-1', 'us-east-1'],
    'in its home region',
  );
  const results = evaluate(snapshot, checks);
  t.is(
    results.find((r) => r.checkId === 'aws-cloudtrail-trails-logging' && r.resource.uid.endsWith('eu-west-1/eu-only'))
      ?.status,
    'fail',
    'a stopped trail in another region is caught',
  );
  t.is(results.find((r) => r.checkId === 'aws-cloudtrail-multi-region-logging')?.status, 'pass');
  // The per-region exports import back to the same snapshot.
  const files = (await readdir(join(dir, account))).filter(
    (f) => f.startsWith('cloudtrail-describe-trails') || f.startsWith('account-'),
  );
  t.deepEqual(files.sort(), [
    'account-list-regions.json',
    'cloudtrail-describe-trails.eu-west-1.json',
    'cloudtrail-describe-trails.us-east-1.json',
    'cloudtrail-describe-trails.us-west-2.json',
  ]);
  const imported = snapshotOf(await importFolder(join(dir, account)));
  t.deepEqual(imported.controls, snapshot.controls);
  t.deepEqual(
    imported.sources.map((s) => s.gaps),
    snapshot.sources.map((s) => s.gaps),
  );
});

test("ListRegions denied: trails are read in the collector's region only, and the aws.cloudtrail-regions gap says so", async (t) => {
  const fake = await startFakeAws({
    callerAccount: MANAGEMENT,
    accounts: { [MANAGEMENT]: accountData(MANAGEMENT, { regions: ['us-east-1', 'eu-west-1'] }) },
    faults: [
      {
        action: 'ListRegions',
        code: 'AccessDeniedException',
        status: 403,
        message: 'User is not authorized to perform: account:ListRegions',
      },
    ],
  });
  t.teardown(() => fake.close());
  const [bundle] = await collectFrom(fake.endpoint, { orgRole: undefined });
  t.deepEqual(
    bundle!.gaps.map((g) => [g.what, g.call]),
    [['aws.cloudtrail-regions', 'account:ListRegions']],
  );
  t.deepEqual(
    fake.calls.filter((c) => c.action === 'DescribeTrails').map((c) => c.region),
    ['us-east-1'],
  );
});

test('an organization collected live and imported from its --raw-out folders gives the same snapshot', async (t) => {
  const fake = await startFakeAws(orgOptions(organization(DENY_IAM)));
  t.teardown(() => fake.close());
  const dir = await mkdtemp(join(tmpdir(), 'cloudward-aws-org-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const live = snapshotOf(await collectFrom(fake.endpoint, {}, dir));
  const restricted = await readdir(join(dir, RESTRICTED));
  t.true(restricted.includes(`organizations-list-parents.${RESTRICTED}.json`));
  t.true(restricted.includes(`organizations-list-parents.${RESTRICTED_OU}.json`));
  t.true(restricted.includes(`organizations-list-parents.${WORKLOADS}.json`));
  t.false((await readdir(join(dir, MANAGEMENT))).some((f) => f.startsWith('organizations-list-parents')));
  const files = [MANAGEMENT, RESTRICTED, SANDBOX].flatMap((account) => filesIn(join(dir, account)));
  const imported = snapshotOf(await awsProvider.importFiles(files, { options: {}, progress: quietProgress }));
  t.deepEqual(comparableSnapshot(imported), comparableSnapshot(live));
});

test('import: a member account without its OU path is an aws.scp gap naming the export; an unnamed list-parents is refused', async (t) => {
  const fake = await startFakeAws(orgOptions(organization(DENY_IAM)));
  t.teardown(() => fake.close());
  const dir = await mkdtemp(join(tmpdir(), 'cloudward-aws-org-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await collectFrom(fake.endpoint, {}, dir);
  const all = filesIn(join(dir, RESTRICTED));
  const withoutOu = all.filter((f) => !f.endsWith(`organizations-list-parents.${RESTRICTED_OU}.json`));
  const [partial] = await awsProvider.importFiles(withoutOu, { options: {}, progress: quietProgress });
  t.deepEqual(
    partial!.gaps.map((g) => g.what),
    ['aws.scp'],
  );
  t.regex(partial!.gaps[0]!.reason, new RegExp(`aws organizations list-parents --child-id ${RESTRICTED_OU}`));
  // Two list-parents exports whose names say nothing: which is the account's cannot be told.
  const scratch = await mkdtemp(join(tmpdir(), 'cloudward-aws-org-'));
  t.teardown(() => rm(scratch, { recursive: true, force: true }));
  await writeFile(
    join(scratch, 'parents-a.json'),
    JSON.stringify({ Parents: [{ Id: RESTRICTED_OU, Type: 'ORGANIZATIONAL_UNIT' }] }),
  );
  await writeFile(join(scratch, 'parents-b.json'), JSON.stringify({ Parents: [{ Id: ROOT_ID, Type: 'ROOT' }] }));
  const others = all.filter((f) => !/organizations-list-parents/.test(f));
  await t.throwsAsync(
    awsProvider.importFiles([...others, join(scratch, 'parents-a.json'), join(scratch, 'parents-b.json')], {
      options: {},
      progress: quietProgress,
    }),
    { name: 'UserError', message: /list-parents export does not say/ },
  );
});

test('import: every enabled region needs its describe-trails export, named after the region, or the error printed there', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cloudward-aws-regions-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const base = filesIn(join(FIXTURES, MANAGEMENT)).filter((f) => !f.endsWith('account-list-regions.json'));
  const regions = join(dir, 'account-list-regions.json');
  await writeFile(
    regions,
    JSON.stringify({
      Regions: [
        { RegionName: 'us-east-1', RegionOptStatus: 'ENABLED_BY_DEFAULT' },
        { RegionName: 'eu-west-1', RegionOptStatus: 'ENABLED_BY_DEFAULT' },
      ],
    }),
  );
  const gapsOf = async (files: string[]) =>
    (await awsProvider.importFiles(files, { options: { account: MANAGEMENT }, progress: quietProgress }))[0]!.gaps;
  const missing = await gapsOf([...base, regions]);
  t.deepEqual(
    missing.map((g) => g.what),
    ['aws.cloudtrail-regions'],
  );
  t.regex(missing[0]!.reason, /eu-west-1 not among the imported files \(aws cloudtrail describe-trails --region R/);
  const eu = join(dir, 'cloudtrail-describe-trails.eu-west-1.json');
  await writeFile(eu, JSON.stringify({ trailList: [] }));
  t.deepEqual(await gapsOf([...base, regions, eu]), []);
  const denied = join(dir, 'cloudtrail-describe-trails.eu-west-1.error.txt');
  await writeFile(
    denied,
    'An error occurred (AccessDeniedException) when calling the DescribeTrails operation: User is not authorized to perform: cloudtrail:DescribeTrails\n',
  );
  const failed = await gapsOf([...base, regions, denied]);
  t.deepEqual(
    failed.map((g) => [g.what, g.call]),
    [['aws.cloudtrail', 'cloudtrail:DescribeTrails']],
  );
  t.regex(failed[0]!.reason, /eu-west-1/);
  // No region list at all: the gap asks for it.
  const unlisted = await gapsOf(base);
  t.deepEqual(
    unlisted.map((g) => g.what),
    ['aws.cloudtrail-regions'],
  );
  t.regex(unlisted[0]!.reason, /aws account list-regions/);
});
