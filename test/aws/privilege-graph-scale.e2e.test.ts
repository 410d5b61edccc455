import test from 'ava';
import { accountBundle } from '../../src/providers/aws/bundle.js';
import { awsProvider } from '../../src/providers/aws/index.js';
import { normalizeAccount } from '../../src/providers/aws/normalize.js';
import { PrivilegeGraph } from '../../src/providers/aws/privilege-graph.js';
import type { Principal } from '../../src/snapshot/model.js';

const ACCOUNT = '210987654321';
const COLLECTED_AT = '2026-11-01T09:00:00Z';
const arn = (kind: string, name: string) => `arn:aws:iam::${ACCOUNT}:${kind}/${name}`;
const statement = (
  Action: string | string[],
  Resource: string | string[] = '*',
  Condition?: Record<string, unknown>,
) => ({ Effect: 'Allow', Action, Resource, ...(Condition ? { Condition } : {}) });
const inline = (name: string, ...Statement: Array<Record<string, unknown>>) => [
  { PolicyName: name, PolicyDocument: { Version: '2012-10-17', Statement } },
];
const user = (name: string, policies: unknown[] = [], groups: string[] = []) => ({
  UserName: name,
  Arn: arn('user', name),
  GroupList: groups,
  AttachedManagedPolicies: [],
  UserPolicyList: policies,
});
const role = (name: string, trust: Array<Record<string, unknown>>, policies: unknown[] = []) => ({
  RoleName: name,
  Arn: arn('role', name),
  AssumeRolePolicyDocument: { Statement: trust },
  AttachedManagedPolicies: [],
  RolePolicyList: policies,
  InstanceProfileList: [],
});
const group = (name: string) => ({
  GroupName: name,
  Arn: arn('group', name),
  GroupPolicyList: [],
  AttachedManagedPolicies: [],
});
const ADMIN = inline('all', statement('*'));
const TRUST_ACCOUNT = [
  { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' },
];

interface Details {
  UserDetailList: unknown[];
  GroupDetailList: unknown[];
  RoleDetailList: unknown[];
  Policies: unknown[];
}

function bundleOf(details: Details) {
  return accountBundle(ACCOUNT, 'import', COLLECTED_AT, [
    { kind: 'aws.iam.GetAccountAuthorizationDetails', origin: 'test', body: details },
  ]);
}

function graphOf(details: Details) {
  const account = normalizeAccount(bundleOf(details));
  return new PrivilegeGraph(account.graph, account.managed);
}

function pathOf(details: Details, uid: string): { text: string; conditions: string[]; mfa: boolean } | undefined {
  const principal = awsProvider
    .normalize([bundleOf(details)])
    .principals.find((p: Principal) => p.uid === `aws:${ACCOUNT}:${uid}`);
  return principal?.details?.escalationPath as { text: string; conditions: string[]; mfa: boolean } | undefined;
}

test('iam:* on * adds a few edges per holder, not one per role and group of the account', (t) => {
  const details: Details = {
    UserDetailList: Array.from({ length: 600 }, (_, i) =>
      user(`u${i}`, i % 6 === 0 ? inline('iam', statement('iam:*')) : [], [`g${i % 50}`]),
    ),
    GroupDetailList: Array.from({ length: 50 }, (_, i) => group(`g${i}`)),
    RoleDetailList: Array.from({ length: 200 }, (_, i) => role(`r${i}`, TRUST_ACCOUNT)),
    Policies: [],
  };
  const graph = graphOf(details);
  graph.paths();
  // 100 holders, each of which could add itself to 50 groups and rewrite the trust of 200 roles: 25,000 edges one by
  // one. Through hubs: each user, group and role once per hub it is in (five hubs), plus a few edges per holder.
  t.true(graph.size.edges < 3000, `${graph.size.edges} edges`);
  t.is(pathOf(details, 'user/u6')?.text, 'u6 -> iam:AttachUserPolicy on itself -> admin');
});

test('a grant naming every user beside a narrower one: one hub edge, plus a direct edge only where the narrow one grants more', (t) => {
  const others = Array.from({ length: 300 }, (_, i) => user(`u${i}`));
  const sourceIp = { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } };
  const details: Details = {
    UserDetailList: [
      ...others,
      user('boss', ADMIN),
      // Keys for anyone from the office network, for itself and for boss from anywhere.
      user(
        'legacy',
        inline(
          'keys',
          statement('iam:CreateAccessKey', arn('user', '*'), sourceIp),
          statement('iam:CreateAccessKey', [arn('user', '${aws:username}'), arn('user', 'boss')]),
        ),
      ),
      user(
        'office',
        inline(
          'keys',
          statement('iam:CreateAccessKey', arn('user', '*'), sourceIp),
          statement('iam:CreateAccessKey', arn('user', '${aws:username}')),
        ),
      ),
    ],
    GroupDetailList: [],
    RoleDetailList: [],
    Policies: [],
  };
  const graph = graphOf(details);
  graph.paths();
  t.true(graph.size.edges < 400, `${graph.size.edges} edges`);
  const legacy = pathOf(details, 'user/legacy')!;
  t.is(legacy.text, 'legacy -> iam:CreateAccessKey boss -> admin');
  t.deepEqual(legacy.conditions, [], "the narrow unconditional grant, not the hub's conditional one");
  const office = pathOf(details, 'user/office')!;
  t.is(office.text, 'office -> iam:CreateAccessKey boss -> admin');
  t.deepEqual(office.conditions, ['IpAddress aws:SourceIp']);
});

test('among equally short paths, the one resting on fewer conditions and no MFA is the evidence', (t) => {
  const mfaTrust = [{ ...TRUST_ACCOUNT[0], Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }];
  const details: Details = {
    UserDetailList: [user('dev', inline('hop', statement('sts:AssumeRole')))],
    GroupDetailList: [],
    // The MFA-gated admin role comes first, so the first path found would be the one needing MFA.
    RoleDetailList: [role('break-glass', mfaTrust, ADMIN), role('ops', TRUST_ACCOUNT, ADMIN)],
    Policies: [],
  };
  const path = pathOf(details, 'user/dev')!;
  t.is(path.text, 'dev -> sts:AssumeRole ops -> admin');
  t.false(path.mfa);
  // Without the unconditional role the MFA-gated one is still found.
  details.RoleDetailList = [role('break-glass', mfaTrust, ADMIN)];
  t.like(pathOf(details, 'user/dev'), { text: 'dev -> sts:AssumeRole break-glass -> admin', mfa: true });
});

test('an editor is judged on what it can edit: a named role it can reach through a hub counts, a read-only attach on * does not', (t) => {
  const roles = Array.from({ length: 300 }, (_, i) => role(`r${i}`, TRUST_ACCOUNT));
  const details: Details = {
    UserDetailList: [
      user(
        'deployer',
        inline('deploy', statement('sts:AssumeRole'), statement('iam:AttachRolePolicy', arn('role', 'r250'))),
      ),
      user(
        'delegate',
        inline(
          'delegate',
          statement('sts:AssumeRole'),
          statement(['iam:AttachRolePolicy', 'iam:AttachUserPolicy'], '*', {
            ArnEquals: { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
          }),
        ),
      ),
    ],
    GroupDetailList: [],
    RoleDetailList: roles,
    Policies: [],
  };
  t.is(
    pathOf(details, 'user/deployer')?.text,
    'deployer -> iam:AttachRolePolicy on r250 -> sts:AssumeRole r250 -> admin',
  );
  t.is(pathOf(details, 'user/delegate'), undefined);
});

test('a pattern that names only some users (`user/c*`, `user/*-ops`) is not taken for one naming every user', (t) => {
  const details: Details = {
    UserDetailList: [
      user('boss', ADMIN),
      user(
        'ci',
        inline(
          'keys',
          statement('iam:CreateAccessKey', [arn('user', 'c*'), arn('user', '*-ops'), arn('user', '${aws:username}')]),
        ),
      ),
      user('cd', inline('keys', statement('iam:CreateAccessKey', [arn('user', 'c*'), arn('user', '*-ops')]))),
    ],
    GroupDetailList: [],
    RoleDetailList: [],
    Policies: [],
  };
  t.is(pathOf(details, 'user/ci'), undefined);
  t.is(pathOf(details, 'user/cd'), undefined);
  details.UserDetailList.push(user('night-ops', ADMIN));
  t.is(pathOf(details, 'user/ci')?.text, 'ci -> iam:CreateAccessKey night-ops -> admin');
  t.is(pathOf(details, 'user/cd')?.text, 'cd -> iam:CreateAccessKey night-ops -> admin');
});

test('editors held by a boundary find the one principal they can make admin and then take over', (t) => {
  const boundaryArn = `arn:aws:iam::${ACCOUNT}:policy/no-admin`;
  const capped = (name: string) => ({
    ...user(name, inline('iam', statement('iam:*'))),
    PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: boundaryArn },
  });
  const details: Details = {
    UserDetailList: [...Array.from({ length: 300 }, (_, i) => capped(`dev${i}`)), user('tester')],
    GroupDetailList: [],
    RoleDetailList: Array.from({ length: 100 }, (_, i) => ({
      ...role(`app${i}`, TRUST_ACCOUNT),
      PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: boundaryArn },
    })),
    Policies: [
      {
        PolicyName: 'no-admin',
        Arn: boundaryArn,
        DefaultVersionId: 'v1',
        AttachmentCount: 400,
        PolicyVersionList: [
          { VersionId: 'v1', IsDefaultVersion: true, Document: { Statement: [statement(['iam:*', 's3:*'])] } },
        ],
      },
    ],
  };
  // Only `tester` has no boundary: a capped developer sets itself keys for tester, then makes tester admin.
  t.is(
    pathOf(details, 'user/dev7')?.text,
    'dev7 -> iam:AttachUserPolicy on tester -> iam:CreateAccessKey tester -> admin',
  );
  t.is(pathOf(details, 'user/tester'), undefined);
});

test('a grant of grant power is judged once per recipient policy set, not once per editor and recipient', (t) => {
  const provisioner = `arn:aws:iam::${ACCOUNT}:policy/Provisioner`;
  const fence = `arn:aws:iam::${ACCOUNT}:policy/Fence`;
  const managed = (name: string, arnOf: string, st: Record<string, unknown>) => ({
    PolicyName: name,
    Arn: arnOf,
    DefaultVersionId: 'v1',
    PolicyVersionList: [{ VersionId: 'v1', IsDefaultVersion: true, Document: { Statement: [st] } }],
  });
  const details: Details = {
    // 400 editors that may attach only Provisioner (which allows iam:AttachUserPolicy), 400 users fenced to S3.
    RoleDetailList: Array.from({ length: 400 }, (_, i) =>
      role(
        `e${i}`,
        [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        inline('attach', statement('iam:AttachUserPolicy', '*', { ArnEquals: { 'iam:PolicyARN': provisioner } })),
      ),
    ),
    UserDetailList: Array.from({ length: 400 }, (_, i) => ({
      ...user(`u${i}`),
      PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: fence },
    })),
    GroupDetailList: [],
    Policies: [
      managed('Provisioner', provisioner, statement('iam:AttachUserPolicy')),
      managed('Fence', fence, statement('s3:*')),
    ],
  };
  const graph = graphOf(details);
  const grants = graph.grantPowers(graph.paths());
  t.is(grants.size, 0, 'the fence keeps every recipient from using the policy');
  t.is(graph.recipientsJudged, 1);
});
