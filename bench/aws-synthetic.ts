/**
 * A synthetic AWS account of N users for benchmarks: groups, roles and policies in realistic proportions, a credential
 * report row and (for half the users) a virtual MFA device per user, a trail. Deterministic for a given N.
 */
import { CREDENTIAL_REPORT_COLUMNS } from '../src/providers/aws/credential-report.js';
import type { FakeAccountData } from '../test/support/fake-aws.js';

const ADMIN = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

function day(offset: number): string {
  return new Date(Date.UTC(2026, 10, 1) - offset * 86_400_000).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

export function syntheticAccount(accountId: string, users: number): FakeAccountData {
  const arn = (kind: string, name: string) => `arn:aws:iam::${accountId}:${kind}/${name}`;
  const groups = Array.from({ length: Math.max(3, Math.ceil(users / 100)) }, (_, i) => `team-${i}`);
  const policies = [
    {
      PolicyName: 'AdministratorAccess',
      Arn: 'arn:aws:iam::aws:policy/AdministratorAccess',
      AttachmentCount: 2,
      DefaultVersionId: 'v1',
      PolicyVersionList: [{ VersionId: 'v1', IsDefaultVersion: true, Document: ADMIN }],
    },
    ...groups.map((g, i) => ({
      PolicyName: `${g}-access`,
      PolicyId: `ANPA${String(i).padStart(16, '0')}`,
      Arn: arn('policy', `${g}-access`),
      AttachmentCount: 1,
      DefaultVersionId: 'v1',
      PolicyVersionList: [
        {
          VersionId: 'v1',
          IsDefaultVersion: true,
          Document: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: [`s3:Get*`, `s3:List*`, `dynamodb:Query`], Resource: `arn:aws:s3:::${g}-*` },
              ...(i % 7 === 0
                ? [{ Effect: 'Allow', Action: ['iam:PassRole', 'ec2:RunInstances'], Resource: '*' }]
                : []),
            ],
          },
        },
      ],
    })),
  ];
  const userList = Array.from({ length: users }, (_, i) => {
    const name = `user${String(i).padStart(5, '0')}`;
    return {
      Path: '/',
      UserName: name,
      UserId: `AIDA${String(i).padStart(16, '0')}`,
      Arn: arn('user', name),
      CreateDate: day(400 + (i % 300)),
      GroupList: [groups[i % groups.length]!],
      AttachedManagedPolicies:
        i % 1000 === 0
          ? [{ PolicyName: 'AdministratorAccess', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }]
          : [],
      UserPolicyList:
        i % 250 === 0
          ? [
              {
                PolicyName: 'self-keys',
                PolicyDocument: {
                  Version: '2012-10-17',
                  Statement: [
                    { Effect: 'Allow', Action: 'iam:CreateAccessKey', Resource: arn('user', '${aws:username}') },
                  ],
                },
              },
            ]
          : [],
    };
  });
  const roles = Array.from({ length: Math.max(5, Math.ceil(users / 50)) }, (_, i) => ({
    Path: '/',
    RoleName: `role-${i}`,
    RoleId: `AROA${String(i).padStart(16, '0')}`,
    Arn: arn('role', `role-${i}`),
    CreateDate: day(500),
    AssumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: i % 3 === 0 ? { AWS: `arn:aws:iam::${accountId}:root` } : { Service: 'lambda.amazonaws.com' },
          Action: 'sts:AssumeRole',
          ...(i % 2 === 0 ? { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } } : {}),
        },
      ],
    },
    AttachedManagedPolicies:
      i === 0
        ? [{ PolicyName: 'AdministratorAccess', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }]
        : [
            {
              PolicyName: `${groups[i % groups.length]!}-access`,
              PolicyArn: arn('policy', `${groups[i % groups.length]!}-access`),
            },
          ],
    RolePolicyList: [],
    RoleLastUsed: {},
  }));
  const rows = [
    CREDENTIAL_REPORT_COLUMNS.join(','),
    `<root_account>,arn:aws:iam::${accountId}:root,${day(2000)},not_supported,${day(90)},not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`,
    ...userList.map((u, i) => {
      const console = i % 3 !== 0;
      const key = i % 2 === 0 ? `true,${day(i % 200)},${day(i % 60)},us-east-1,s3` : 'false,N/A,N/A,N/A,N/A';
      return `${u.UserName},${u.Arn},${u.CreateDate},${console},${console ? day(i % 30) : 'N/A'},${console ? day(100) : 'N/A'},N/A,${i % 2 === 0},${key},false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`;
    }),
  ];
  const trailArn = `arn:aws:cloudtrail:us-east-1:${accountId}:trail/main`;
  return {
    authorizationDetails: {
      UserDetailList: userList,
      GroupDetailList: groups.map((g) => ({
        Path: '/',
        GroupName: g,
        Arn: arn('group', g),
        GroupPolicyList: [],
        AttachedManagedPolicies: [{ PolicyName: `${g}-access`, PolicyArn: arn('policy', `${g}-access`) }],
      })),
      RoleDetailList: roles,
      Policies: policies,
    },
    credentialReport: `${rows.join('\n')}\n`,
    summaryMap: {
      AccountMFAEnabled: 1,
      AccountAccessKeysPresent: 0,
      AccountPasswordPresent: 1,
      AccountSigningCertificatesPresent: 0,
      Users: users,
    },
    virtualMfaDevices: userList
      .filter((_, i) => i % 2 === 0)
      .map((u) => ({
        SerialNumber: arn('mfa', u.UserName),
        User: { UserName: u.UserName, Arn: u.Arn },
        EnableDate: day(50),
      })),
    passwordPolicy: {
      MinimumPasswordLength: 14,
      PasswordReusePrevention: 24,
      RequireSymbols: true,
      RequireNumbers: true,
    },
    trails: [
      {
        Name: 'main',
        TrailARN: trailArn,
        HomeRegion: 'us-east-1',
        IsMultiRegionTrail: true,
        LogFileValidationEnabled: true,
      },
    ],
    trailStatus: { [trailArn]: { IsLogging: true } },
    eventSelectors: { [trailArn]: { EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] } },
  };
}
