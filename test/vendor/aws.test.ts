import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsProvider } from '../../src/providers/aws/index.js';
import type { ItemAccount, SnapshotPart } from '../../src/snapshot/model.js';
import { quietProgress } from '../support/aws-fixtures.js';
import { awsCliExamples, flagValue, vendorFile } from './extract.js';

/**
 * The AWS CLI's own example outputs (test/fixtures/vendor/aws/aws-cli, unchanged; provenance in the README there),
 * saved as a user would save them (`aws ... > file.json`, the file named after the subject the command names), then
 * imported. Each test states what the example's content implies.
 */
const page = (path: string) => vendorFile('aws', 'aws-cli', `${path}.rst`);

/** The first example of each page, written as `<name>.json`; the name follows the command's subject flag when it has one. */
async function importExamples(
  t: { teardown: (fn: () => Promise<void>) => void },
  pages: string[],
  options: Record<string, unknown> = {},
): Promise<SnapshotPart> {
  const dir = await mkdtemp(join(tmpdir(), 'cloudward-vendor-aws-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const paths: string[] = [];
  for (const name of pages) {
    const [example] = awsCliExamples(page(name));
    const subject =
      flagValue(example!.command, '--policy-id') ??
      flagValue(example!.command, '--name') ??
      flagValue(example!.command, '--child-id');
    const path = join(dir, `${name.replace('/', '-')}${subject ? `.${subject}` : ''}.json`);
    await writeFile(path, JSON.stringify(example!.output, null, 2));
    paths.push(path);
  }
  return awsProvider.normalize(
    await awsProvider.importFiles(paths, { options, progress: quietProgress, collectedAt: '2026-11-01T09:00:00Z' }),
  );
}

const account = (part: SnapshotPart, name: string): ItemAccount =>
  part.sources[0]!.items!.find(
    (i) => i.origin.endsWith(`${name.replace('/', '-')}.json`) || i.origin.includes(`${name.replace('/', '-')}.`),
  )!;

test('get-account-authorization-details: one page (IsTruncated) whose AWS-managed attachments are not in it: every entity lands, each unresolved attachment is a gap', async (t) => {
  const part = await importExamples(t, ['iam/get-account-authorization-details']);
  // 3 users, 3 groups, 1 role, 3 customer-managed policies, 4 attachments of AWS-managed policies the page does not hold.
  t.like(account(part, 'iam/get-account-authorization-details'), { read: 14, used: 10 });
  t.deepEqual(
    account(part, 'iam/get-account-authorization-details').dropped!.map((d) => [d.count, d.gap]),
    Array(4).fill([1, 'aws.authorization-details']),
  );
  t.deepEqual(
    part.principals
      .filter((p) => p.kind !== 'root')
      .map((p) => `${p.kind}/${p.name}`)
      .sort(),
    ['group/Admins', 'group/Dev', 'group/Finance', 'role/EC2role', 'user/Alice', 'user/Bob', 'user/Charlie'],
  );
  // Alice is in Admins (AdministratorAccess, not in this page): her privilege must not read as proven none without a gap.
  const gaps = part.sources[0]!.gaps;
  t.true(
    gaps.some(
      (g) => g.what === 'aws.authorization-details' && /AdministratorAccess attached to group Admins/.test(g.reason),
    ),
  );
  t.true(gaps.some((g) => g.what === 'aws.authorization-details' && /truncated/.test(g.reason)));
  t.true(part.roles.some((r) => r.name === 'Bob/DenyBillingAndIAMPolicy'));
  t.true(part.roles.some((r) => r.name === 'Finance/policygen-201310141157'));
});

test('account summary, password policy, virtual MFA devices and list-roles examples are each accounted', async (t) => {
  const part = await importExamples(
    t,
    ['iam/get-account-summary', 'iam/get-account-password-policy', 'iam/list-virtual-mfa-devices', 'iam/list-roles'],
    { account: '123456789012' },
  );
  t.like(account(part, 'iam/get-account-summary'), { read: 1, used: 1 });
  t.like(account(part, 'iam/get-account-password-policy'), { read: 1, used: 1 });
  // Neither example device names its user: unassigned devices are no one's MFA.
  t.like(account(part, 'iam/list-virtual-mfa-devices'), {
    read: 2,
    used: 0,
    skipped: [{ count: 2, reason: 'virtual MFA device assigned to no one' }],
  });
  // Two roles' session settings with no authorization details to attach them to: dropped as warnings.
  t.like(account(part, 'iam/list-roles'), { read: 2, used: 0 });
  t.deepEqual(
    account(part, 'iam/list-roles').dropped!.map((d) => d.gap),
    [undefined, undefined],
  );
  const root = part.principals.find((p) => p.kind === 'root')!;
  t.like(root, { mfa: { state: 'enabled' }, details: { accessKeysPresent: false } });
  t.like(
    part.controls.find((c) => c.type === 'password-policy'),
    { settings: { configured: true, minimumLength: 8, requireSymbols: true, requireNumbers: true } },
  );
});

test('the Organizations examples: the SCP list, one SCP, its targets and a parent are read and used', async (t) => {
  const part = await importExamples(
    t,
    [
      'organizations/list-policies',
      'organizations/describe-policy',
      'organizations/list-targets-for-policy',
      'organizations/list-parents',
    ],
    { account: '444444444444' },
  );
  const list = account(part, 'organizations/list-policies');
  t.is(list.read, list.used);
  t.like(account(part, 'organizations/describe-policy'), { read: 1, used: 1 });
  t.like(account(part, 'organizations/list-targets-for-policy'), { read: 3, used: 3 });
  t.like(account(part, 'organizations/list-parents'), { read: 1, used: 1 });
  t.true(part.controls.some((c) => c.type === 'service-control-policy'));
});

test("the CloudTrail examples: two trails, Trail1's status and event selectors are used", async (t) => {
  const part = await importExamples(
    t,
    ['cloudtrail/describe-trails', 'cloudtrail/get-trail-status', 'cloudtrail/get-event-selectors'],
    { account: '123456789012' },
  );
  const trails = account(part, 'cloudtrail/describe-trails');
  t.is(trails.read, trails.used);
  t.like(account(part, 'cloudtrail/get-trail-status'), { read: 1, used: 1 });
  t.like(account(part, 'cloudtrail/get-event-selectors'), { read: 1, used: 1 });
  t.true(part.controls.some((c) => c.type === 'audit-logging' && c.name === 'Trail1'));
});
