import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsProvider } from '../../src/providers/aws/index.js';
import type { ItemAccount, SnapshotPart } from '../../src/snapshot/model.js';
import { quietProgress } from '../support/aws-fixtures.js';

const ACCOUNT = '123456789012';

async function imported(
  t: { teardown: (fn: () => Promise<void>) => void },
  documents: Record<string, unknown>,
): Promise<SnapshotPart> {
  const dir = await mkdtemp(join(tmpdir(), 'cloudward-aws-items-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const paths: string[] = [];
  for (const [name, body] of Object.entries(documents)) {
    paths.push(join(dir, name));
    await writeFile(join(dir, name), JSON.stringify(body));
  }
  return awsProvider.normalize(
    await awsProvider.importFiles(paths, { options: {}, progress: quietProgress, collectedAt: '2026-11-01T09:00:00Z' }),
  );
}

const item = (part: SnapshotPart, file: string): ItemAccount =>
  part.sources[0]!.items!.find((i) => i.origin.endsWith(file))!;

/** Authorization details exported with `--filter User Role Group`: the attachments name policies the file does not hold. */
const FILTERED = {
  UserDetailList: [
    {
      UserName: 'deploy',
      Arn: `arn:aws:iam::${ACCOUNT}:user/deploy`,
      GroupList: [],
      UserPolicyList: [],
      AttachedManagedPolicies: [
        { PolicyName: 'AdministratorAccess', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
      ],
    },
  ],
  GroupDetailList: [],
  RoleDetailList: [],
};

test('a policy attachment whose policy is not in the export is dropped with a gap, not taken as granting nothing', async (t) => {
  const part = await imported(t, { 'gaad.json': FILTERED });
  t.like(item(part, 'gaad.json'), { read: 2, used: 1, dropped: [{ count: 1, gap: 'aws.authorization-details' }] });
  t.true(
    part.sources[0]!.gaps.some(
      (g) => g.what === 'aws.authorization-details' && /AdministratorAccess attached to user deploy/.test(g.reason),
    ),
  );
});

test('unused AWS-managed policies and unassigned MFA devices are skipped with their reason; a status of an unknown trail is dropped', async (t) => {
  const part = await imported(t, {
    'gaad.json': {
      ...FILTERED,
      UserDetailList: [{ ...FILTERED.UserDetailList[0], AttachedManagedPolicies: [] }],
      Policies: [
        {
          PolicyName: 'ReadOnlyAccess',
          Arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
          AttachmentCount: 0,
          DefaultVersionId: 'v1',
          PolicyVersionList: [
            {
              VersionId: 'v1',
              IsDefaultVersion: true,
              Document: {
                Version: '2012-10-17',
                Statement: [{ Effect: 'Allow', Action: '*:Describe*', Resource: '*' }],
              },
            },
          ],
        },
      ],
    },
    'mfa.json': {
      VirtualMFADevices: [
        { SerialNumber: `arn:aws:iam::${ACCOUNT}:mfa/spare` },
        { SerialNumber: `arn:aws:iam::${ACCOUNT}:mfa/deploy`, User: { Arn: `arn:aws:iam::${ACCOUNT}:user/deploy` } },
      ],
    },
    'status.json': { Name: 'gone-trail', IsLogging: true },
  });
  t.like(item(part, 'gaad.json'), {
    read: 2,
    used: 1,
    skipped: [{ reason: 'AWS-managed policy attached to nothing here', count: 1 }],
  });
  t.like(item(part, 'mfa.json'), {
    read: 2,
    used: 1,
    skipped: [{ reason: 'virtual MFA device assigned to no one', count: 1 }],
  });
  t.like(item(part, 'status.json'), { read: 1, used: 0, dropped: [{ count: 1 }] });
  t.is(item(part, 'status.json').dropped![0]!.gap, undefined);
});
