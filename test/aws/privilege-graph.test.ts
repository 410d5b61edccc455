import test from 'ava';
import { evaluateCondition } from '../../src/providers/aws/conditions.js';
import { accountBundle } from '../../src/providers/aws/bundle.js';
import { awsProvider } from '../../src/providers/aws/index.js';
import { DocumentIds } from '../../src/providers/aws/privilege-authority.js';
import { parsePolicyDocument } from '../../src/providers/aws/policy-document.js';
import type { Principal, SnapshotPart } from '../../src/snapshot/model.js';
import { Prng } from '../../bench/prng.js';
import {
  ACCOUNT,
  authorizationDetails,
  COLLECTED_AT,
  GRANT_LOOK_ALIKES,
  GRANTS,
  LOOK_ALIKES,
  PATHS,
  type PlaygroundRow,
} from '../fixtures/aws-escalation/playground.js';

function normalizeDetails(details: Record<string, unknown>, account = ACCOUNT): SnapshotPart {
  const bundle = accountBundle(account, 'import', COLLECTED_AT, [
    { kind: 'aws.iam.GetAccountAuthorizationDetails', origin: 'test', body: details },
  ]);
  return awsProvider.normalize([bundle]);
}

function subjectOf(part: SnapshotPart, row: PlaygroundRow): Principal {
  return part.principals.find((p) => p.uid === `aws:${ACCOUNT}:${row.subject}`)!;
}

const RANK = { none: 0, privileged: 1, admin: 2 } as const;

test('conditions: dates are evaluated at the snapshot time, MFA is recorded, unknown keys are named', (t) => {
  const now = { 'aws:currenttime': ['2026-11-01T09:00:00Z'] };
  t.is(evaluateCondition({ DateLessThan: { 'aws:CurrentTime': '2027-01-01T00:00:00Z' } }, now).holds, true);
  t.is(evaluateCondition({ DateGreaterThan: { 'aws:CurrentTime': '2027-01-01T00:00:00Z' } }, now).holds, false);
  t.is(
    evaluateCondition({ DateLessThanEquals: { 'aws:CurrentTime': '1700000000' } }, now).holds,
    false,
    'epoch seconds',
  );
  t.deepEqual(evaluateCondition({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } }, now), {
    holds: true,
    undecided: [],
    mfa: 'present',
  });
  t.deepEqual(evaluateCondition({ StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } }, now), {
    holds: 'unknown',
    undecided: ['StringEquals aws:PrincipalOrgID'],
  });
  t.is(
    evaluateCondition(
      { StringLike: { 'aws:PrincipalArn': 'arn:aws:iam::1:user/ci-*' } },
      { 'aws:principalarn': ['arn:aws:iam::1:user/ci-runner'] },
    ).holds,
    true,
  );
  t.is(
    evaluateCondition(
      { StringNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::1:user/ci-*' } },
      { 'aws:principalarn': ['arn:aws:iam::1:user/ci-runner'] },
    ).holds,
    false,
  );
  t.is(
    evaluateCondition(
      { StringEqualsIfExists: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
      { 'iam:passedtoservice': [] },
    ).holds,
    true,
    'IfExists on an absent key holds',
  );
});

test("property: adding a Deny never raises anyone's privilege (400 random Deny statements over the playground, grant-only rows included)", (t) => {
  const rows = [...PATHS, ...LOOK_ALIKES, ...GRANTS, ...GRANT_LOOK_ALIKES];
  const actions = [
    '*',
    'iam:*',
    'sts:AssumeRole',
    'iam:PassRole',
    'iam:Attach*',
    'iam:Put*Policy',
    'iam:CreateAccessKey',
    'iam:CreatePolicyVersion',
    'lambda:*',
    'ec2:RunInstances',
    'ssm:SendCommand',
    'iam:Detach*',
    'iam:Delete*PermissionsBoundary',
    'iam:AddUserToGroup',
    's3:*',
  ];
  const random = new Prng(13);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random.next() * list.length)]!;
  let raised = 0;
  let lowered = 0;
  for (let trial = 0; trial < 400; trial++) {
    const row = pick(rows);
    const before = normalizeDetails(authorizationDetails(row));
    const details = structuredClone(authorizationDetails(row)) as {
      UserDetailList: Array<{ UserPolicyList: unknown[]; Arn: string }>;
      RoleDetailList: Array<{ RolePolicyList: unknown[]; Arn: string }>;
      GroupDetailList: Array<{ GroupPolicyList: unknown[]; Arn: string }>;
    };
    const holders = [
      ...details.UserDetailList.map((u) => ({ list: u.UserPolicyList, arn: u.Arn })),
      ...details.RoleDetailList.map((r) => ({ list: r.RolePolicyList, arn: r.Arn })),
      ...details.GroupDetailList.map((g) => ({ list: g.GroupPolicyList, arn: g.Arn })),
    ];
    const holder = pick(holders);
    const resource = pick(['*', pick(holders).arn]);
    holder.list.push({
      PolicyName: `deny-${trial}`,
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Deny', Action: pick(actions), Resource: resource }],
      },
    });
    const after = normalizeDetails(details);
    for (const p of before.principals) {
      const q = after.principals.find((x) => x.uid === p.uid)!;
      const was = RANK[p.privilege?.level ?? 'none'];
      const now = RANK[q.privilege?.level ?? 'none'];
      if (now > was) {
        raised++;
        t.fail(
          `${row.id}: ${p.uid} went from ${p.privilege?.level} to ${q.privilege?.level} after a Deny on ${holder.arn}`,
        );
      }
      if (now < was) lowered++;
    }
  }
  t.is(raised, 0);
  t.true(lowered > 0, 'some Deny statements do remove a path');
});

test('cross-account: a role in another account of the snapshot that trusts this account is an edge, with the account named', (t) => {
  const other = '109876543210';
  const mine = {
    UserDetailList: [
      {
        UserName: 'ci',
        Arn: `arn:aws:iam::${ACCOUNT}:user/ci`,
        GroupList: [],
        AttachedManagedPolicies: [],
        UserPolicyList: [
          {
            PolicyName: 'hop',
            PolicyDocument: {
              Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${other}:role/*` }],
            },
          },
        ],
      },
    ],
    GroupDetailList: [],
    RoleDetailList: [],
    Policies: [],
  };
  const theirs = {
    UserDetailList: [],
    GroupDetailList: [],
    Policies: [
      {
        PolicyName: 'AdministratorAccess',
        Arn: 'arn:aws:iam::aws:policy/AdministratorAccess',
        DefaultVersionId: 'v1',
        PolicyVersionList: [
          {
            VersionId: 'v1',
            IsDefaultVersion: true,
            Document: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
          },
        ],
      },
    ],
    RoleDetailList: [
      {
        RoleName: 'deploy',
        Arn: `arn:aws:iam::${other}:role/deploy`,
        AssumeRolePolicyDocument: {
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: ACCOUNT },
              Action: 'sts:AssumeRole',
              Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-example' } },
            },
          ],
        },
        AttachedManagedPolicies: [
          { PolicyName: 'AdministratorAccess', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
        ],
        RolePolicyList: [],
      },
    ],
  };
  const bundles = [
    accountBundle(ACCOUNT, 'import', COLLECTED_AT, [
      { kind: 'aws.iam.GetAccountAuthorizationDetails', origin: 'a', body: mine },
    ]),
    accountBundle(other, 'import', COLLECTED_AT, [
      { kind: 'aws.iam.GetAccountAuthorizationDetails', origin: 'b', body: theirs },
    ]),
  ];
  const ci = awsProvider.normalize(bundles).principals.find((p) => p.uid === `aws:${ACCOUNT}:user/ci`)!;
  const path = ci.details?.escalationPath as { text: string; conditions: string[] };
  t.is(path.text, `ci -> sts:AssumeRole deploy (account ${other}) -> admin`);
  t.deepEqual(path.conditions, ['StringEquals aws:PrincipalOrgID']);
  // Without the caller's own permission, account-root trust admits nobody.
  mine.UserDetailList[0]!.UserPolicyList = [];
  const alone = awsProvider
    .normalize([
      accountBundle(ACCOUNT, 'import', COLLECTED_AT, [
        { kind: 'aws.iam.GetAccountAuthorizationDetails', origin: 'a', body: mine },
      ]),
      bundles[1]!,
    ])
    .principals.find((p) => p.uid === `aws:${ACCOUNT}:user/ci`)!;
  t.is(alone.details?.escalationPath, undefined);
});

test("cross-account: IAM edits act only on the caller's own account, so editing another account's role it can assume is no path", (t) => {
  const other = '109876543210';
  const mine = {
    UserDetailList: [
      {
        UserName: 'ci',
        Arn: `arn:aws:iam::${ACCOUNT}:user/ci`,
        GroupList: [],
        AttachedManagedPolicies: [],
        UserPolicyList: [
          {
            PolicyName: 'wide',
            PolicyDocument: {
              Statement: [
                {
                  Effect: 'Allow',
                  Action: ['sts:AssumeRole', 'iam:AttachRolePolicy', 'iam:PutRolePolicy'],
                  Resource: `arn:aws:iam::${other}:role/*`,
                },
              ],
            },
          },
        ],
      },
    ],
    GroupDetailList: [],
    RoleDetailList: [],
    Policies: [],
  };
  const theirs = {
    UserDetailList: [],
    GroupDetailList: [],
    Policies: [],
    RoleDetailList: [
      {
        RoleName: 'reader',
        Arn: `arn:aws:iam::${other}:role/reader`,
        AssumeRolePolicyDocument: {
          Statement: [
            { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' },
          ],
        },
        AttachedManagedPolicies: [],
        RolePolicyList: [
          {
            PolicyName: 'read',
            PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] },
          },
        ],
      },
    ],
  };
  const ci = awsProvider
    .normalize([
      accountBundle(ACCOUNT, 'import', COLLECTED_AT, [
        { kind: 'aws.iam.GetAccountAuthorizationDetails', origin: 'a', body: mine },
      ]),
      accountBundle(other, 'import', COLLECTED_AT, [
        { kind: 'aws.iam.GetAccountAuthorizationDetails', origin: 'b', body: theirs },
      ]),
    ])
    .principals.find((p) => p.uid === `aws:${ACCOUNT}:user/ci`)!;
  t.is((ci.details?.escalationPath as { text: string } | undefined)?.text, undefined);
  t.is(ci.details?.grantPower, undefined);
  t.is(ci.privilege?.level, 'none');
});

test('a role that can become admin is privileged, with its path; one only services assume is privileged too', (t) => {
  const row = PATHS.find((r) => r.id === 'delete-role-permissions-boundary')!;
  const role = subjectOf(normalizeDetails(authorizationDetails(row)), row);
  t.is(role.kind, 'role');
  t.is(role.privilege?.level, 'privileged');
  t.deepEqual(role.details?.escalation, ['delete-permissions-boundary']);
  t.is(role.details?.assumableByIamPrincipals, true);
});

test('hubs keep wildcard grants linear: 2,000 callers with sts:AssumeRole on * and 500 roles trusting the account', (t) => {
  const users = Array.from({ length: 2000 }, (_, i) => ({
    UserName: `u${i}`,
    Arn: `arn:aws:iam::${ACCOUNT}:user/u${i}`,
    GroupList: [],
    AttachedManagedPolicies: [],
    UserPolicyList: [
      {
        PolicyName: 'assume',
        PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] },
      },
    ],
  }));
  const roles = Array.from({ length: 500 }, (_, i) => ({
    RoleName: `r${i}`,
    Arn: `arn:aws:iam::${ACCOUNT}:role/r${i}`,
    AssumeRolePolicyDocument: {
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }],
    },
    AttachedManagedPolicies: [],
    RolePolicyList:
      i === 499
        ? [{ PolicyName: 'all', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }]
        : [],
  }));
  const started = process.hrtime.bigint();
  const part = normalizeDetails({ UserDetailList: users, GroupDetailList: [], RoleDetailList: roles, Policies: [] });
  t.log(`${Number(process.hrtime.bigint() - started) / 1e6} ms`);
  const u7 = part.principals.find((p) => p.uid === `aws:${ACCOUNT}:user/u7`)!;
  t.is((u7.details?.escalationPath as { text: string } | undefined)?.text, 'u7 -> sts:AssumeRole r499 -> admin');
});

test('grant of grant power: attaching a policy that itself grants power names the chain, the recipient and the final target', (t) => {
  const row = GRANTS.find((r) => r.id === 'grant-of-grant-power-policy')!;
  const role = subjectOf(normalizeDetails(authorizationDetails(row)), row);
  t.is(role.privilege?.level, 'privileged');
  t.deepEqual(role.details?.escalation, []);
  t.deepEqual(role.details?.grantPower, {
    text: 'iam:AttachUserPolicy on operator (policy Provisioner) -> operator: iam:AttachUserPolicy on itself',
    target: `aws:${ACCOUNT}:user/operator`,
    via: `aws:${ACCOUNT}:user/operator`,
    kind: 'attach-user-policy',
    conditions: [],
    mfa: false,
  });
  // The same policy attached to a user whose boundary admits only S3 hands over nothing.
  const fenced = GRANT_LOOK_ALIKES.find((r) => r.id === 'grant-of-grant-power-fenced')!;
  t.is(subjectOf(normalizeDetails(authorizationDetails(fenced)), fenced).privilege?.level, 'none');
});

/** Organizations exports as one account's collection reads them: every SCP with its targets, and the account's OU path. */
function organization(
  account: string,
  ou: string,
  scps: Array<{ id: string; statements: unknown[]; targets: Array<{ id: string; type: string }> }>,
): Array<{ kind: string; origin: string; body: unknown }> {
  const management = '111122223333';
  const org = 'o-crossaccount';
  const target = (t: { id: string; type: string }) => ({
    TargetId: t.id,
    Arn: `arn:aws:organizations::${management}:${t.type.toLowerCase()}/${org}/${t.id}`,
    Name: t.id,
    Type: t.type,
  });
  const summary = (id: string) =>
    id === 'p-FullAWSAccess'
      ? {
          Id: id,
          Arn: 'arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess',
          Name: 'FullAWSAccess',
          Type: 'SERVICE_CONTROL_POLICY',
          AwsManaged: true,
        }
      : {
          Id: id,
          Arn: `arn:aws:organizations::${management}:policy/${org}/service_control_policy/${id}`,
          Name: id,
          Type: 'SERVICE_CONTROL_POLICY',
          AwsManaged: false,
        };
  return [
    {
      kind: 'aws.organizations.ListPolicies',
      origin: 'list-policies',
      body: { Policies: scps.map((p) => summary(p.id)) },
    },
    {
      kind: 'aws.organizations.ListParents',
      origin: `parents.${account}`,
      body: { ChildId: account, Parents: [{ Id: ou, Type: 'ORGANIZATIONAL_UNIT' }] },
    },
    {
      kind: 'aws.organizations.ListParents',
      origin: `parents.${ou}`,
      body: { ChildId: ou, Parents: [{ Id: 'r-cross', Type: 'ROOT' }] },
    },
    ...scps.flatMap((p) => [
      {
        kind: 'aws.organizations.DescribePolicy',
        origin: `describe.${p.id}`,
        body: {
          Policy: {
            PolicySummary: summary(p.id),
            Content: JSON.stringify({ Version: '2012-10-17', Statement: p.statements }),
          },
        },
      },
      {
        kind: 'aws.organizations.ListTargetsForPolicy',
        origin: `targets.${p.id}`,
        body: { PolicyId: p.id, Targets: p.targets.map(target) },
      },
    ]),
  ];
}

test('cross-account: a role of an account whose OU denies iam:* cannot be administered through, and grants no power there', (t) => {
  const other = '109876543210';
  const scps = [
    {
      id: 'p-FullAWSAccess',
      statements: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
      targets: [
        { id: 'r-cross', type: 'ROOT' },
        { id: 'ou-apps', type: 'ORGANIZATIONAL_UNIT' },
        { id: 'ou-locked', type: 'ORGANIZATIONAL_UNIT' },
        { id: ACCOUNT, type: 'ACCOUNT' },
        { id: other, type: 'ACCOUNT' },
      ],
    },
    {
      id: 'p-noiam',
      statements: [{ Effect: 'Deny', Action: 'iam:*', Resource: '*' }],
      targets: [{ id: 'ou-locked', type: 'ORGANIZATIONAL_UNIT' }],
    },
  ];
  const mine = {
    UserDetailList: [
      {
        UserName: 'ci',
        Arn: `arn:aws:iam::${ACCOUNT}:user/ci`,
        GroupList: [],
        AttachedManagedPolicies: [],
        UserPolicyList: [
          {
            PolicyName: 'hop',
            PolicyDocument: {
              Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${other}:role/*` }],
            },
          },
        ],
      },
    ],
    GroupDetailList: [],
    RoleDetailList: [],
    Policies: [],
  };
  const theirs = {
    UserDetailList: [
      {
        UserName: 'operator',
        Arn: `arn:aws:iam::${other}:user/operator`,
        GroupList: [],
        AttachedManagedPolicies: [],
        UserPolicyList: [],
      },
    ],
    GroupDetailList: [],
    Policies: [
      {
        PolicyName: 'IAMFullAccess',
        Arn: 'arn:aws:iam::aws:policy/IAMFullAccess',
        DefaultVersionId: 'v1',
        PolicyVersionList: [
          {
            VersionId: 'v1',
            IsDefaultVersion: true,
            Document: { Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] },
          },
        ],
      },
    ],
    RoleDetailList: [
      {
        RoleName: 'iam-admin',
        Arn: `arn:aws:iam::${other}:role/iam-admin`,
        AssumeRolePolicyDocument: {
          Statement: [
            { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' },
          ],
        },
        AttachedManagedPolicies: [{ PolicyName: 'IAMFullAccess', PolicyArn: 'arn:aws:iam::aws:policy/IAMFullAccess' }],
        RolePolicyList: [],
      },
    ],
  };
  const ci = (theirOrganization: Array<{ kind: string; origin: string; body: unknown }>) =>
    awsProvider
      .normalize([
        accountBundle(ACCOUNT, 'import', COLLECTED_AT, [
          { kind: 'aws.iam.GetAccountAuthorizationDetails', origin: 'a', body: mine },
          ...organization(ACCOUNT, 'ou-apps', scps),
        ]),
        accountBundle(other, 'import', COLLECTED_AT, [
          { kind: 'aws.iam.GetAccountAuthorizationDetails', origin: 'b', body: theirs },
          ...theirOrganization,
        ]),
      ])
      .principals.find((p) => p.uid === `aws:${ACCOUNT}:user/ci`)!;
  // Under an OU without the Deny the role can attach AdministratorAccess to itself: a path through it.
  t.is(
    (ci(organization(other, 'ou-apps', scps)).details?.escalationPath as { text: string } | undefined)?.text,
    `ci -> sts:AssumeRole iam-admin (account ${other}) -> iam:AttachRolePolicy on itself -> admin`,
  );
  // Under the locked OU, iam:* is denied to every principal of that account: no path and no grant power.
  const locked = ci(organization(other, 'ou-locked', scps));
  t.is((locked.details?.escalationPath as { text: string } | undefined)?.text, undefined);
  t.is(locked.privilege?.level, 'none');
  // A member account cannot read Organizations itself: the SCPs and its OU path another collection read judge it.
  const memberAccount = organization(other, 'ou-locked', scps).filter(
    (d) => d.kind === 'aws.organizations.ListParents',
  );
  const read = awsProvider
    .normalize([
      accountBundle(ACCOUNT, 'import', COLLECTED_AT, [
        { kind: 'aws.iam.GetAccountAuthorizationDetails', origin: 'a', body: mine },
        ...organization(ACCOUNT, 'ou-apps', scps),
        ...memberAccount,
      ]),
      accountBundle(other, 'import', COLLECTED_AT, [
        { kind: 'aws.iam.GetAccountAuthorizationDetails', origin: 'b', body: theirs },
      ]),
    ])
    .principals.find((p) => p.uid === `aws:${ACCOUNT}:user/ci`)!;
  t.is(
    (read.details?.escalationPath as { text: string } | undefined)?.text,
    undefined,
    'judged with the SCPs read from the other account',
  );
  t.is(read.privilege?.level, 'none');
});

test('cross-account: the management account is never narrowed by SCPs, also when another account read them', (t) => {
  const management = '111122223333';
  const scps = [
    {
      id: 'p-FullAWSAccess',
      statements: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
      targets: [
        { id: 'r-cross', type: 'ROOT' },
        { id: 'ou-apps', type: 'ORGANIZATIONAL_UNIT' },
        { id: ACCOUNT, type: 'ACCOUNT' },
        { id: management, type: 'ACCOUNT' },
      ],
    },
    {
      id: 'p-noiam',
      statements: [{ Effect: 'Deny', Action: 'iam:*', Resource: '*' }],
      targets: [{ id: 'r-cross', type: 'ROOT' }],
    },
  ];
  const mine = {
    UserDetailList: [
      {
        UserName: 'ci',
        Arn: `arn:aws:iam::${ACCOUNT}:user/ci`,
        GroupList: [],
        AttachedManagedPolicies: [],
        UserPolicyList: [
          {
            PolicyName: 'hop',
            PolicyDocument: {
              Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${management}:role/*` }],
            },
          },
        ],
      },
    ],
    GroupDetailList: [],
    RoleDetailList: [],
    Policies: [],
  };
  const theirs = {
    UserDetailList: [],
    GroupDetailList: [],
    Policies: [
      {
        PolicyName: 'IAMFullAccess',
        Arn: 'arn:aws:iam::aws:policy/IAMFullAccess',
        DefaultVersionId: 'v1',
        PolicyVersionList: [
          {
            VersionId: 'v1',
            IsDefaultVersion: true,
            Document: { Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] },
          },
        ],
      },
    ],
    RoleDetailList: [
      {
        RoleName: 'iam-admin',
        Arn: `arn:aws:iam::${management}:role/iam-admin`,
        AssumeRolePolicyDocument: {
          Statement: [
            { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' },
          ],
        },
        AttachedManagedPolicies: [{ PolicyName: 'IAMFullAccess', PolicyArn: 'arn:aws:iam::aws:policy/IAMFullAccess' }],
        RolePolicyList: [],
      },
    ],
  };
  const parents = [
    {
      kind: 'aws.organizations.ListParents',
      origin: `parents.${management}`,
      body: { ChildId: management, Parents: [{ Id: 'r-cross', Type: 'ROOT' }] },
    },
  ];
  // The caller's own account sits under the root Deny too, but sts:AssumeRole is not IAM: its hop stays open.
  const ci = awsProvider
    .normalize([
      accountBundle(ACCOUNT, 'import', COLLECTED_AT, [
        { kind: 'aws.iam.GetAccountAuthorizationDetails', origin: 'a', body: mine },
        ...organization(ACCOUNT, 'ou-apps', scps),
        ...parents,
      ]),
      accountBundle(management, 'import', COLLECTED_AT, [
        { kind: 'aws.iam.GetAccountAuthorizationDetails', origin: 'b', body: theirs },
      ]),
    ])
    .principals.find((p) => p.uid === `aws:${ACCOUNT}:user/ci`)!;
  t.is(
    (ci.details?.escalationPath as { text: string } | undefined)?.text,
    `ci -> sts:AssumeRole iam-admin (account ${management}) -> iam:AttachRolePolicy on itself -> admin`,
  );
});

test('policy documents get a small id per content within one graph, and a new graph keeps nothing of the last', (t) => {
  const doc = (action: string) =>
    parsePolicyDocument({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: action, Resource: '*' } });
  const ids = new DocumentIds();
  const [a, sameAsA, b] = [doc('s3:GetObject'), doc('s3:GetObject'), doc('iam:PassRole')];
  t.is(ids.of(a), 1);
  t.is(ids.of(sameAsA), 1, 'equal content, one id: the principals share one statement set');
  t.is(ids.of(b), 2);
  t.is(new DocumentIds().of(b), 1, 'a new graph numbers from 1: no policy text is kept between graphs');
});
