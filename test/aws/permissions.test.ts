import test from 'ava';
import { join } from 'node:path';
import { awsProvider } from '../../src/providers/aws/index.js';
import { undeclaredCalls } from '../../src/providers/cloud/permissions.js';
import {
  FIXTURES,
  fakeAccountFrom,
  fakeOrganizationFrom,
  importFolder,
  quietProgress,
} from '../support/aws-fixtures.js';
import { startFakeAws } from '../support/fake-aws.js';

interface PolicyJson {
  Version: string;
  Statement: Array<{ Sid: string; Effect: string; Action: string[]; Resource: string }>;
}

function policy(): PolicyJson {
  const output = awsProvider.permissions();
  if (output.format !== 'json') throw new Error(`expected json, got ${output.format}`);
  return JSON.parse(output.text) as PolicyJson;
}

test('the permissions are a valid IAM policy of read-only actions', (t) => {
  const document = policy();
  t.is(document.Version, '2012-10-17');
  const actions = document.Statement.flatMap((s) => s.Action);
  t.true(document.Statement.every((s) => s.Effect === 'Allow'));
  t.true(
    actions.every((a) =>
      /^(iam|organizations|cloudtrail|sts|account):(Get|List|Describe|Generate|AssumeRole$)/.test(a),
    ),
    actions.join(', '),
  );
  t.true(actions.includes('organizations:ListAccounts'));
  t.true(actions.includes('iam:ListRoles'));
});

test('every call a live collection makes (org mode included) is in the permissions', async (t) => {
  const [bundle] = await importFolder(join(FIXTURES, '123456789012'));
  const organization = fakeOrganizationFrom(bundle!, [
    { Id: '123456789012', Name: 'management' },
    { Id: '210987654321', Name: 'member' },
  ])!;
  const data = fakeAccountFrom(bundle!);
  const fake = await startFakeAws({
    callerAccount: '123456789012',
    accounts: { '123456789012': data, '210987654321': data },
    organization,
  });
  t.teardown(() => fake.close());
  await awsProvider.collect!({
    options: { endpointUrl: fake.endpoint, orgRole: 'CloudwardAudit' },
    hooks: {
      credentials: { accessKeyId: 'AKIDCALLER', secretAccessKey: 'x' },
      polling: { initialDelayMs: 5, maxDelayMs: 10, timeoutMs: 2000 },
    },
    progress: quietProgress,
  });
  const used = fake.calls.map((c) => `${c.service}:${c.action}`);
  t.deepEqual(undeclaredCalls(awsProvider.operations, used), [], 'every call made is a declared operation');
  const allowed = new Set(policy().Statement.flatMap((s) => s.Action));
  for (const op of awsProvider.operations.filter((o) => used.includes(o.id))) {
    if (op.permission) t.true(allowed.has(op.permission), `${op.permission} is missing from the policy`);
    else t.is(op.id, 'sts:GetCallerIdentity', 'only GetCallerIdentity needs no permission');
  }
  t.true(used.includes('sts:AssumeRole'));
});

test('the policy is generated from the declared operations: nothing more, nothing less', (t) => {
  const actions = policy()
    .Statement.flatMap((s) => s.Action)
    .sort();
  const declared = [...new Set(awsProvider.operations.flatMap((o) => (o.permission ? [o.permission] : [])))].sort();
  t.deepEqual(actions, declared);
});

test('an undeclared call is reported by name', (t) => {
  t.deepEqual(undeclaredCalls(awsProvider.operations, ['iam:ListRoles', 'iam:ListUsers', 'iam:ListUsers']), [
    'iam:ListUsers',
  ]);
});
