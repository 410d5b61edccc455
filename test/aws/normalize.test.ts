import test from 'ava';
import { join } from 'node:path';
import { awsProvider } from '../../src/providers/aws/index.js';
import type { RawBundle } from '../../src/providers/types.js';
import type { Principal, SnapshotPart } from '../../src/snapshot/model.js';
import { FIXTURES, importFolder } from '../support/aws-fixtures.js';

const ACCOUNT = '123456789012';
let fixture: RawBundle;

test.before(async () => {
  [fixture] = (await importFolder(join(FIXTURES, ACCOUNT))) as [RawBundle];
});

function normalized(mutate?: (bundle: RawBundle) => void): SnapshotPart {
  const bundle = structuredClone(fixture);
  mutate?.(bundle);
  return awsProvider.normalize([bundle]);
}

function principal(part: SnapshotPart, uid: string): Principal {
  const found = part.principals.find((p) => p.uid === uid);
  if (!found) throw new Error(`no ${uid}`);
  return found;
}

function without(kind: string) {
  return (bundle: RawBundle) => {
    bundle.documents = bundle.documents.filter((d) => d.kind !== kind);
  };
}

test('uids are globally unique and name the account', (t) => {
  const part = normalized();
  const uids = [...part.principals, ...part.roles, ...part.controls].map((r) => r.uid);
  t.is(new Set(uids).size, uids.length);
  t.true(uids.every((u) => u.startsWith(`aws:${ACCOUNT}:`)));
  t.truthy(part.principals.find((p) => p.uid === `aws:${ACCOUNT}:root`));
  t.truthy(part.roles.find((r) => r.uid === `aws:${ACCOUNT}:policy/DevFullAccess`));
  t.truthy(part.roles.find((r) => r.uid === `aws:${ACCOUNT}:policy/aws/AdministratorAccess`));
});

test('root MFA is virtual when a virtual device belongs to the root ARN (provider-apis 1.5)', (t) => {
  const root = principal(normalized(), `aws:${ACCOUNT}:root`);
  t.deepEqual(root.mfa, { state: 'enabled', methods: ['virtual'], hardware: false });
  t.is(root.details?.accessKeysPresent, false);
});

test("root MFA is hardware when MFA is on and no virtual device is the root's", (t) => {
  const part = normalized((bundle) => {
    const doc = bundle.documents.find((d) => d.kind === 'aws.iam.ListVirtualMFADevices')!;
    const body = doc.body as { VirtualMFADevices: Array<{ User?: { Arn?: string } }> };
    body.VirtualMFADevices = body.VirtualMFADevices.filter((d) => !d.User?.Arn?.endsWith(':root'));
  });
  t.deepEqual(principal(part, `aws:${ACCOUNT}:root`).mfa, { state: 'enabled', methods: ['hardware'], hardware: true });
});

test('root without AccountMFAEnabled has MFA disabled; without the device list, hardware is left unknown', (t) => {
  const noMfa = normalized((bundle) => {
    (
      bundle.documents.find((d) => d.kind === 'aws.iam.GetAccountSummary')!.body as {
        SummaryMap: Record<string, number>;
      }
    ).SummaryMap.AccountMFAEnabled = 0;
  });
  t.is(principal(noMfa, `aws:${ACCOUNT}:root`).mfa?.state, 'disabled');
  const noList = normalized(without('aws.iam.ListVirtualMFADevices'));
  const mfa = principal(noList, `aws:${ACCOUNT}:root`).mfa!;
  t.is(mfa.state, 'enabled');
  t.false('hardware' in mfa);
});

test('credentials are slots with dates, never key ids or secrets', (t) => {
  const bob = principal(normalized(), `aws:${ACCOUNT}:user/bob`);
  t.deepEqual(bob.credentials, [
    {
      kind: 'password',
      id: 'password',
      active: true,
      createdAt: '2025-01-10T08:00:00Z',
      lastUsedAt: '2026-10-20T09:41:00Z',
      lastRotatedAt: '2025-01-10T08:00:00Z',
    },
    {
      kind: 'accessKey',
      id: 'access_key_1',
      active: true,
      createdAt: '2025-01-10T08:00:00Z',
      lastUsedAt: '2025-02-01T12:00:00Z',
      lastRotatedAt: '2025-01-10T08:00:00Z',
    },
    {
      kind: 'accessKey',
      id: 'access_key_2',
      active: true,
      createdAt: '2026-10-01T00:00:00Z',
      lastUsedAt: '2026-10-29T11:00:00Z',
      lastRotatedAt: '2026-10-01T00:00:00Z',
    },
  ]);
  t.true(bob.interactive);
  t.is(bob.lastActivityAt, '2026-10-29T11:00:00Z');
  t.false(JSON.stringify(normalized()).includes('AKIA'));
});

test('group policies are assignments via the group; direct ones via direct', (t) => {
  const part = normalized();
  const alice = principal(part, `aws:${ACCOUNT}:user/alice`);
  t.deepEqual(alice.assignments, [
    {
      role: `aws:${ACCOUNT}:policy/aws/AdministratorAccess`,
      scope: `aws:account/${ACCOUNT}`,
      mode: 'standing',
      via: `aws:${ACCOUNT}:group/Admins`,
    },
  ]);
  t.is(alice.privilege?.level, 'admin');
  const bob = principal(part, `aws:${ACCOUNT}:user/bob`);
  t.true(bob.assignments!.every((a) => a.via === 'direct'));
  const carol = principal(part, `aws:${ACCOUNT}:user/carol`);
  t.deepEqual(carol.assignments!.map((a) => a.role).sort(), [
    `aws:${ACCOUNT}:inline/group/Auditors/deny-credential-changes`,
    `aws:${ACCOUNT}:policy/aws/ReadOnlyAccess`,
  ]);
});

test('a permissions boundary keeps a "*" policy from making its user an admin', (t) => {
  const dave = principal(normalized(), `aws:${ACCOUNT}:user/dave`);
  t.is(dave.privilege?.level, 'none');
  t.is(dave.details?.permissionsBoundary, `arn:aws:iam::${ACCOUNT}:policy/DevBoundary`);
});

test('inline policies become roles with the escalation they enable', (t) => {
  const part = normalized();
  const inline = part.roles.find((r) => r.uid === `aws:${ACCOUNT}:inline/user/ci-deploy/deploy-lambda`)!;
  t.is(inline.privilege.level, 'privileged');
  t.deepEqual(inline.details?.escalation, ['pass-role-lambda']);
  t.true(inline.permissions.allow.includes('iam:PassRole'));
  const ci = principal(part, `aws:${ACCOUNT}:user/ci-deploy`);
  t.is(ci.interactive, false);
  // The only role Lambda may run as holds basic execution rights: no path to admin, so the user is not privileged.
  t.is(ci.privilege!.level, 'none');
  t.deepEqual(ci.details?.escalation, []);
});

test('a user becomes privileged when a role its Lambda rights reach is an administrator, with the path as the reason', (t) => {
  const part = normalized((bundle) => {
    const doc = bundle.documents.find((d) => d.kind === 'aws.iam.GetAccountAuthorizationDetails')!;
    const role = (
      doc.body as { RoleDetailList: Array<{ RoleName: string; AttachedManagedPolicies: unknown[] }> }
    ).RoleDetailList.find((r) => r.RoleName === 'orders-lambda-exec')!;
    role.AttachedManagedPolicies = [
      { PolicyName: 'AdministratorAccess', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
    ];
  });
  const ci = principal(part, `aws:${ACCOUNT}:user/ci-deploy`);
  t.is(ci.privilege!.level, 'privileged');
  const path = ci.details?.escalationPath as { text: string; steps: Array<{ kind: string }> };
  t.is(
    path.text,
    'ci-deploy -> lambda:UpdateFunctionConfiguration on a Lambda function running as orders-lambda-exec -> admin',
  );
  t.deepEqual(ci.details?.escalation, ['lambda-update-configuration']);
  t.regex(
    ci.privilege!.reasons[0]!,
    /^can become an administrator: ci-deploy -> .*any role lambda\.amazonaws\.com may hold/,
  );
});

test("roles carry the JIT facts: session length and the trust policy's MFA condition", (t) => {
  const part = normalized();
  const breakGlass = principal(part, `aws:${ACCOUNT}:role/BreakGlassAdmin`);
  t.is(breakGlass.details?.maxSessionDurationSeconds, 3600);
  t.is(breakGlass.details?.trustRequiresMfa, true);
  t.is(breakGlass.assignments![0]!.condition, 'aws:MultiFactorAuthPresent');
  const ops = principal(part, `aws:${ACCOUNT}:role/OpsAdmin`);
  t.is(ops.details?.maxSessionDurationSeconds, 43200);
  t.is(ops.details?.trustRequiresMfa, false);
  t.is(principal(part, `aws:${ACCOUNT}:role/orders-lambda-exec`).details?.assumableByIamPrincipals, false);
  const noRoles = normalized(without('aws.iam.ListRoles'));
  t.false('maxSessionDurationSeconds' in principal(noRoles, `aws:${ACCOUNT}:role/OpsAdmin`).details!);
});

test('AWS-managed policies nobody uses are left out; attached ones are kept', (t) => {
  const part = normalized((bundle) => {
    const gaad = bundle.documents.find((d) => d.kind === 'aws.iam.GetAccountAuthorizationDetails')!.body as {
      Policies: unknown[];
    };
    gaad.Policies.push({
      PolicyName: 'AmazonS3ReadOnlyAccess',
      Arn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
      AttachmentCount: 0,
      DefaultVersionId: 'v1',
      PolicyVersionList: [
        {
          VersionId: 'v1',
          IsDefaultVersion: true,
          Document: { Statement: [{ Effect: 'Allow', Action: 's3:Get*', Resource: '*' }] },
        },
      ],
    });
  });
  t.false(part.roles.some((r) => r.name === 'AmazonS3ReadOnlyAccess'));
  t.true(part.roles.some((r) => r.name === 'AWSCloudShellFullAccess' && r.details?.attachmentCount === 1));
});

test('controls: password policy, SCPs with the CloudShell denial, trails with status and events', (t) => {
  const part = normalized();
  const password = part.controls.find((c) => c.type === 'password-policy')!;
  t.is(password.state, 'enabled');
  t.is(password.settings.minimumLength, 8);
  const deny = part.controls.find((c) => c.name === 'DenyCloudShell')!;
  t.is(deny.settings.deniesCloudShell, true);
  t.is(deny.settings.attachedToRoot, true);
  t.is(deny.settings.appliesToAccount, false, 'SCPs never apply to the management account');
  const trail = part.controls.find((c) => c.name === 'org-audit')!;
  t.like(trail.settings, {
    multiRegion: true,
    isLogging: true,
    logFileValidation: true,
    managementEvents: { read: true, write: true },
  });
  const legacy = part.controls.find((c) => c.name === 'legacy-eu')!;
  t.is(legacy.state, 'disabled');
  t.deepEqual(legacy.settings.managementEvents, { read: false, write: true });
});

test('advanced event selectors on management events count as read and write unless filtered by readOnly', (t) => {
  const part = normalized((bundle) => {
    const doc = bundle.documents.find(
      (d) =>
        d.kind === 'aws.cloudtrail.GetEventSelectors' &&
        (d.body as { TrailARN: string }).TrailARN.endsWith('org-audit'),
    )!;
    doc.body = {
      TrailARN: (doc.body as { TrailARN: string }).TrailARN,
      AdvancedEventSelectors: [
        {
          Name: 'Management events selector',
          FieldSelectors: [
            { Field: 'eventCategory', Equals: ['Management'] },
            { Field: 'readOnly', Equals: ['false'] },
          ],
        },
      ],
    };
  });
  t.deepEqual(part.controls.find((c) => c.name === 'org-audit')!.settings.managementEvents, {
    read: false,
    write: true,
  });
});

test('no password policy is a disabled control; an unread one is unknown', (t) => {
  const none = normalized((bundle) => {
    bundle.documents = bundle.documents.filter((d) => d.kind !== 'aws.iam.GetAccountPasswordPolicy');
    bundle.documents.push({
      kind: 'aws.error',
      origin: 'test',
      body: {
        Operation: 'GetAccountPasswordPolicy',
        Code: 'NoSuchEntity',
        Message: 'The Password Policy with domain name 123456789012 cannot be found.',
      },
    });
  });
  t.is(none.controls.find((c) => c.type === 'password-policy')!.state, 'disabled');
  t.is(
    normalized(without('aws.iam.GetAccountPasswordPolicy')).controls.find((c) => c.type === 'password-policy')!.state,
    'unknown',
  );
});

test('in a member account, root-attached SCPs narrow privilege: a deny on iam:* demotes an admin', (t) => {
  const member = '210987654321';
  const part = normalized((bundle) => {
    bundle.scope = { kind: 'account', id: member };
    const content = bundle.documents.find(
      (d) =>
        d.kind === 'aws.organizations.DescribePolicy' &&
        (d.body as { Policy: { PolicySummary: { Id: string } } }).Policy.PolicySummary.Id === 'p-x7ycl0ud5h',
    )!;
    (content.body as { Policy: { Content: string } }).Policy.Content = JSON.stringify({
      Statement: [{ Effect: 'Deny', Action: ['cloudshell:*', 'iam:*'], Resource: '*' }],
    });
  });
  const bob = part.principals.find((p) => p.uid === `aws:${member}:user/bob`)!;
  t.not(bob.privilege?.level, 'admin');
  t.is(part.controls.find((c) => c.name === 'DenyCloudShell')!.settings.appliesToAccount, true);
});

test('without the authorization details, users come from the credential report, with no privilege facts', (t) => {
  const part = normalized(without('aws.iam.GetAccountAuthorizationDetails'));
  const bob = principal(part, `aws:${ACCOUNT}:user/bob`);
  t.is(bob.privilege, undefined);
  t.is(bob.assignments, undefined);
  t.is(bob.mfa?.state, 'disabled');
  t.is(part.principals.filter((p) => p.kind === 'role').length, 0);
});

test('a malformed policy document in the authorization details is a UserError naming the policy', (t) => {
  t.throws(
    () =>
      normalized((bundle) => {
        const gaad = bundle.documents.find((d) => d.kind === 'aws.iam.GetAccountAuthorizationDetails')!.body as {
          UserDetailList: Array<{ UserPolicyList?: unknown[] }>;
        };
        gaad.UserDetailList[2]!.UserPolicyList = [{ PolicyName: 'broken', PolicyDocument: '%7B%22Version' }];
      }),
    { name: 'UserError', message: /inline policy broken of user ci-deploy/ },
  );
});

/** A member account under OU Workloads, whose SCP p-x7ycl0ud5h (Deny iam:*) is attached to that OU only. */
function underWorkloadsOu(bundle: RawBundle, member: string, withPath: boolean): void {
  bundle.scope = { kind: 'account', id: member };
  const content = bundle.documents.find(
    (d) =>
      d.kind === 'aws.organizations.DescribePolicy' &&
      (d.body as { Policy: { PolicySummary: { Id: string } } }).Policy.PolicySummary.Id === 'p-x7ycl0ud5h',
  )!;
  (content.body as { Policy: { Content: string } }).Policy.Content = JSON.stringify({
    Statement: [{ Effect: 'Deny', Action: 'iam:*', Resource: '*' }],
  });
  const ou = {
    TargetId: 'ou-ab12-workload',
    Arn: `arn:aws:organizations::${ACCOUNT}:ou/o-a1b2c3d4e5/ou-ab12-workload`,
    Name: 'Workloads',
    Type: 'ORGANIZATIONAL_UNIT',
  };
  for (const d of bundle.documents.filter((d) => d.kind === 'aws.organizations.ListTargetsForPolicy')) {
    const body = d.body as { PolicyId: string; Targets: unknown[] };
    // As AWS attaches it by default: FullAWSAccess on the root and on every OU.
    body.Targets = body.PolicyId === 'p-x7ycl0ud5h' ? [ou] : [...body.Targets, ou];
  }
  if (withPath) {
    bundle.documents.push(
      {
        kind: 'aws.organizations.ListParents',
        origin: 'test',
        body: { ChildId: member, Parents: [{ Id: 'ou-ab12-workload', Type: 'ORGANIZATIONAL_UNIT' }] },
      },
      {
        kind: 'aws.organizations.ListParents',
        origin: 'test',
        body: { ChildId: 'ou-ab12-workload', Parents: [{ Id: 'r-ab12', Type: 'ROOT' }] },
      },
    );
  }
}

test("an SCP attached to an OU on the account's path narrows it: admin by AdministratorAccess is no longer admin", (t) => {
  const member = '210987654321';
  const part = normalized((bundle) => underWorkloadsOu(bundle, member, true));
  const scp = part.controls.find((c) => c.name === 'DenyCloudShell')!;
  t.like(scp.settings, {
    attached: true,
    attachedToRoot: false,
    attachedToAccount: false,
    attachedToAccountOu: true,
    appliesToAccount: true,
  });
  const bob = part.principals.find((p) => p.uid === `aws:${member}:user/bob`)!;
  t.not(bob.privilege?.level, 'admin');
  t.true(
    bob.privilege!.reasons.some((r) => /except some denied ones/.test(r)),
    bob.privilege!.reasons.join('; '),
  );
});

test('an SCP on an OU whose place in the path was not read is listed but does not narrow, and does not claim to apply', (t) => {
  const member = '210987654321';
  const part = normalized((bundle) => underWorkloadsOu(bundle, member, false));
  const scp = part.controls.find((c) => c.name === 'DenyCloudShell')!;
  t.like(scp.settings, { attached: true, attachedToRoot: false, attachedToAccount: false, attachedToAccountOu: false });
  t.false('appliesToAccount' in (scp.settings as object), 'whether it applies is not known');
  t.is(part.principals.find((p) => p.uid === `aws:${member}:user/bob`)!.privilege?.level, 'admin');
});

test('aws:MultiFactorAuthAge in the trust policy counts as an MFA condition; one statement without it does not', (t) => {
  const part = normalized((bundle) => {
    const gaad = bundle.documents.find((d) => d.kind === 'aws.iam.GetAccountAuthorizationDetails')!.body as {
      RoleDetailList: Array<{ RoleName: string; AssumeRolePolicyDocument: unknown }>;
    };
    const ops = gaad.RoleDetailList.find((r) => r.RoleName === 'OpsAdmin')!;
    ops.AssumeRolePolicyDocument = {
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: 'sts:AssumeRole',
          Condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } },
        },
      ],
    };
    const glass = gaad.RoleDetailList.find((r) => r.RoleName === 'BreakGlassAdmin')!;
    (glass.AssumeRolePolicyDocument as { Statement: unknown[] }).Statement.push({
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::999999999999:root' },
      Action: 'sts:AssumeRole',
    });
  });
  t.is(principal(part, `aws:${ACCOUNT}:role/OpsAdmin`).details?.trustRequiresMfa, true);
  t.is(principal(part, `aws:${ACCOUNT}:role/BreakGlassAdmin`).details?.trustRequiresMfa, false);
});
