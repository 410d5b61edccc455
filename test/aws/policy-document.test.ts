import test from 'ava';
import {
  parsePolicyDocument,
  permissionPatterns,
  statementCoversAction,
  statementCoversAnyResource,
  statementCoversOthers,
  wildcardMatch,
} from '../../src/providers/aws/policy-document.js';

const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:Get*', Resource: '*' }] };

test('parses objects, JSON text and RFC 3986 URL-encoded text alike', (t) => {
  for (const input of [doc, JSON.stringify(doc), encodeURIComponent(JSON.stringify(doc))]) {
    const parsed = parsePolicyDocument(input);
    t.is(parsed.statements.length, 1);
    t.deepEqual(parsed.statements[0]!.actions, ['iam:Get*']);
  }
});

test('a single statement object and string fields become lists', (t) => {
  const parsed = parsePolicyDocument({
    Statement: {
      Effect: 'Deny',
      NotAction: 'iam:*',
      NotResource: 'arn:aws:s3:::logs/*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
  });
  const s = parsed.statements[0]!;
  t.is(s.effect, 'Deny');
  t.is(s.actions, null);
  t.deepEqual(s.notActions, ['iam:*']);
  t.deepEqual(s.notResources, ['arn:aws:s3:::logs/*']);
  t.truthy(s.condition);
});

test('an empty Condition block counts as unconditional', (t) => {
  t.is(
    parsePolicyDocument({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: {} }] }).statements[0]!
      .condition,
    null,
  );
});

test('rejects what is not a policy', (t) => {
  t.throws(() => parsePolicyDocument('{"Version":"2012-10-17"}'), { message: /no "Statement"/ });
  t.throws(() => parsePolicyDocument({ Statement: [{ Effect: 'Maybe', Action: '*' }] }), { message: /Effect/ });
  t.throws(() => parsePolicyDocument({ Statement: [{ Effect: 'Allow', Action: 7 }] }), { message: /"Action"/ });
  t.throws(() => parsePolicyDocument('%7Bnot json'), { message: /not valid JSON/ });
});

test('wildcards: * spans characters, ? one, actions ignore case, regex characters are literal', (t) => {
  t.true(wildcardMatch('iam:*', 'iam:CreateUser'));
  t.true(wildcardMatch('IAM:create*', 'iam:CreateUser'));
  t.true(wildcardMatch('*', 'cloudshell:CreateSession'));
  t.true(wildcardMatch('s3:Get?bject', 's3:GetObject'));
  t.false(wildcardMatch('iam:Get*', 'iam:PutUserPolicy'));
  t.false(wildcardMatch('iam:List.', 'iam:ListX'));
});

test('Action and NotAction coverage', (t) => {
  const [allow, notAction] = parsePolicyDocument({
    Statement: [
      { Effect: 'Allow', Action: ['ec2:*', 'iam:PassRole'], Resource: '*' },
      { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*'], Resource: '*' },
    ],
  }).statements;
  t.true(statementCoversAction(allow!, 'ec2:RunInstances'));
  t.false(statementCoversAction(allow!, 'iam:CreateUser'));
  t.true(statementCoversAction(notAction!, 'lambda:CreateFunction'));
  t.false(statementCoversAction(notAction!, 'iam:CreateUser'));
});

test('resource reach: "*", NotResource, others vs self', (t) => {
  const [any, named, others, self, not] = parsePolicyDocument({
    Statement: [
      { Effect: 'Allow', Action: 'iam:CreateAccessKey', Resource: '*' },
      { Effect: 'Allow', Action: 'iam:CreateAccessKey', Resource: 'arn:aws:iam::123456789012:user/alice' },
      { Effect: 'Allow', Action: 'iam:CreateAccessKey', Resource: 'arn:aws:iam::123456789012:user/*' },
      { Effect: 'Allow', Action: 'iam:CreateAccessKey', Resource: 'arn:aws:iam::*:user/${aws:username}' },
      { Effect: 'Allow', Action: 'iam:CreateAccessKey', NotResource: 'arn:aws:iam::123456789012:user/root-like' },
    ],
  }).statements;
  t.true(statementCoversAnyResource(any!));
  t.false(statementCoversAnyResource(named!));
  t.false(statementCoversAnyResource(others!));
  t.true(statementCoversOthers(others!));
  t.false(statementCoversOthers(self!));
  t.false(statementCoversOthers(named!));
  t.true(statementCoversAnyResource(not!));
});

test('permission patterns keep NotAction visible', (t) => {
  const patterns = permissionPatterns(
    parsePolicyDocument({
      Statement: [
        { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' },
        { Effect: 'Deny', Action: 'cloudshell:*', Resource: '*' },
      ],
    }),
  );
  t.deepEqual(patterns, { allow: ['NOT iam:*'], deny: ['cloudshell:*'] });
});
