import test from 'ava';
import { parsePolicyDocument } from '../../src/providers/aws/policy-document.js';
import {
  analyzePrivilege,
  grantsFullAdmin,
  type Guardrail,
  type NamedPolicy,
} from '../../src/providers/aws/privilege.js';

function policy(name: string, ...statements: Array<Record<string, unknown>>): NamedPolicy {
  return { name, document: parsePolicyDocument({ Version: '2012-10-17', Statement: statements }) };
}

const ADMIN = policy('AdministratorAccess', { Effect: 'Allow', Action: '*', Resource: '*' });

test('"*" on "*" is admin, with the policy named in the reason', (t) => {
  const analysis = analyzePrivilege([ADMIN]);
  t.is(analysis.level, 'admin');
  t.regex(analysis.reasons[0]!, /every action on every resource through AdministratorAccess/);
});

test('NotAction with a short exclusion list is as good as "*" for an attacker', (t) => {
  const analysis = analyzePrivilege([
    policy('AlmostAll', { Effect: 'Allow', NotAction: ['aws-portal:*'], Resource: '*' }),
  ]);
  t.is(analysis.level, 'admin');
});

test('NotAction excluding iam:* is privileged, not admin', (t) => {
  const analysis = analyzePrivilege([
    policy('PowerUserAccess', { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' }),
  ]);
  t.is(analysis.level, 'privileged');
  t.true(analysis.reasons.some((r) => r.startsWith('allows every action except some denied ones')));
});

test('an unconditional Deny narrows admin to privileged', (t) => {
  const analysis = analyzePrivilege([ADMIN, policy('NoIam', { Effect: 'Deny', Action: 'iam:*', Resource: '*' })]);
  t.not(analysis.level, 'admin');
});

test('a conditional Deny does not narrow (it may not apply)', (t) => {
  const analysis = analyzePrivilege([
    ADMIN,
    policy('NoIamOffHours', {
      Effect: 'Deny',
      Action: 'iam:*',
      Resource: '*',
      Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } },
    }),
  ]);
  t.is(analysis.level, 'admin');
});

test('a permissions boundary narrows what the identity policies allow', (t) => {
  const boundary: Guardrail = {
    name: 'permissions boundary DevBoundary',
    documents: [parsePolicyDocument({ Statement: [{ Effect: 'Allow', Action: ['ec2:*', 's3:*'], Resource: '*' }] })],
  };
  const analysis = analyzePrivilege([ADMIN], [boundary]);
  t.is(analysis.level, 'none', 'ec2 and s3 alone are no escalation path');
});

test('SCP layers: each level must allow, and a deny at any level wins', (t) => {
  const root: Guardrail = {
    name: 'SCPs attached to the organization root',
    documents: [parsePolicyDocument({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] })],
  };
  const account: Guardrail = {
    name: 'SCPs attached to the account',
    documents: [
      parsePolicyDocument({ Statement: [{ Effect: 'Allow', Action: ['s3:*', 'ec2:Describe*'], Resource: '*' }] }),
    ],
  };
  t.is(analyzePrivilege([ADMIN], [root]).level, 'admin');
  t.is(analyzePrivilege([ADMIN], [root, account]).level, 'none');
  const denyIam: Guardrail = {
    name: 'SCPs attached to the organization root',
    documents: [
      parsePolicyDocument({
        Statement: [
          { Effect: 'Allow', Action: '*', Resource: '*' },
          { Effect: 'Deny', Action: 'iam:*', Resource: '*' },
        ],
      }),
    ],
  };
  t.not(analyzePrivilege([ADMIN], [denyIam]).level, 'admin');
});

test('iam:PassRole with a compute action is an escalation path; either alone is not', (t) => {
  const passRole = policy('Pass', {
    Effect: 'Allow',
    Action: 'iam:PassRole',
    Resource: 'arn:aws:iam::123456789012:role/*',
  });
  const runInstances = policy('Run', { Effect: 'Allow', Action: 'ec2:RunInstances', Resource: '*' });
  t.is(analyzePrivilege([passRole]).level, 'none');
  t.is(analyzePrivilege([runInstances]).level, 'none');
  const both = analyzePrivilege([passRole, runInstances]);
  t.is(both.level, 'privileged');
  t.deepEqual(both.escalation, ['pass-role-ec2']);
  t.regex(both.reasons[0]!, /iam:PassRole \+ ec2:RunInstances\) through Pass, Run/);
  t.deepEqual(
    analyzePrivilege([passRole, policy('Fn', { Effect: 'Allow', Action: 'lambda:Create*', Resource: '*' })]).escalation,
    ['pass-role-lambda'],
  );
});

test('policy-rewriting actions are escalation paths', (t) => {
  for (const [action, id] of [
    ['iam:CreatePolicyVersion', 'create-policy-version'],
    ['iam:AttachUserPolicy', 'attach-user-policy'],
    ['iam:PutRolePolicy', 'put-role-policy'],
    ['iam:UpdateAssumeRolePolicy', 'update-assume-role-policy'],
    ['iam:AddUserToGroup', 'add-user-to-group'],
  ] as const) {
    const analysis = analyzePrivilege([
      policy('P', { Effect: 'Allow', Action: action, Resource: 'arn:aws:iam::123456789012:*' }),
    ]);
    t.deepEqual(analysis.escalation, [id], action);
  }
});

test('iam:CreateAccessKey on oneself is self-service; on other users it is escalation', (t) => {
  const self = policy('Self', {
    Effect: 'Allow',
    Action: 'iam:CreateAccessKey',
    Resource: 'arn:aws:iam::*:user/${aws:username}',
  });
  const others = policy('Others', {
    Effect: 'Allow',
    Action: 'iam:CreateAccessKey',
    Resource: 'arn:aws:iam::123456789012:user/*',
  });
  t.is(analyzePrivilege([self]).level, 'none');
  t.deepEqual(analyzePrivilege([others]).escalation, ['create-access-key']);
});

test('sts:AssumeRole counts only on "*"', (t) => {
  t.is(
    analyzePrivilege([
      policy('One', { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::123456789012:role/ReadOnly' }),
    ]).level,
    'none',
  );
  t.deepEqual(
    analyzePrivilege([policy('Any', { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' })]).escalation,
    ['assume-any-role'],
  );
});

test('a conditional grant still counts, and says so', (t) => {
  const analysis = analyzePrivilege([
    policy('MfaAttach', {
      Effect: 'Allow',
      Action: 'iam:AttachRolePolicy',
      Resource: '*',
      Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
    }),
  ]);
  t.is(analysis.level, 'privileged');
  t.regex(analysis.reasons[0]!, /under a condition/);
});

test('grantsFullAdmin follows the CIS test: unconditional Allow of * or *:* on *', (t) => {
  t.true(grantsFullAdmin(ADMIN.document));
  t.true(grantsFullAdmin(parsePolicyDocument({ Statement: [{ Effect: 'Allow', Action: ['*:*'], Resource: ['*'] }] })));
  t.false(
    grantsFullAdmin(
      parsePolicyDocument({ Statement: [{ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::bucket/*' }] }),
    ),
  );
  t.false(
    grantsFullAdmin(
      parsePolicyDocument({
        Statement: [
          { Effect: 'Allow', Action: '*', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } },
        ],
      }),
    ),
  );
});

test('no policies, no privilege', (t) => {
  t.deepEqual(analyzePrivilege([]), { level: 'none', reasons: [], escalation: [] });
});
