import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { EXAMPLE, fixture, ROOT, runCli, tempDir } from '../helpers/cli.js';

// Thirty stars before a letter no action ends with: a backtracking regex tries every split of the action among
// the stars (minutes per action); the glob matcher reads the action once.
const HOSTILE_ACTION = `iam:${'*'.repeat(30)}Z`;
const HOSTILE_ARN = `arn:aws:iam::*:${'*'.repeat(30)}Z`;
const hostilePolicy = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: [HOSTILE_ACTION, `${'*'.repeat(30)}Z`], Resource: [HOSTILE_ARN] }],
};

test('`import aws` of a policy with a run of stars in its Action finishes and reads its user', async (t) => {
  const dir = await tempDir();
  const details = JSON.parse(
    await readFile(fixture('aws', '123456789012', 'iam-get-account-authorization-details.json'), 'utf8'),
  ) as {
    UserDetailList: Array<{ UserName: string; UserPolicyList?: unknown[] }>;
  };
  details.UserDetailList[0]!.UserPolicyList = [{ PolicyName: 'hostile', PolicyDocument: hostilePolicy }];
  const file = join(dir, 'iam-get-account-authorization-details.json');
  await writeFile(file, JSON.stringify(details));
  const run = await runCli([
    'import',
    'aws',
    file,
    '--collected-at',
    '2026-11-01T09:00:00Z',
    '--output',
    join(dir, 'snapshot.json'),
    '--quiet',
  ]);
  t.is(run.code, 0, run.stderr);
  const snapshot = JSON.parse(await readFile(join(dir, 'snapshot.json'), 'utf8')) as {
    principals: Array<{ name: string; privilege: { level: string } }>;
  };
  t.truthy(snapshot.principals.find((p) => p.name === details.UserDetailList[0]!.UserName));
});

test('`audit --plan` with a plan adding such an inline policy finishes, and the policy grants nothing', async (t) => {
  const dir = await tempDir();
  const plan = JSON.parse(await readFile(fixture('whatif', 'acme-tf', 'admin-no-mfa.plan.json'), 'utf8')) as {
    resource_changes: Array<Record<string, unknown>>;
  };
  plan.resource_changes = [
    plan.resource_changes[0]!,
    {
      address: 'aws_iam_user_policy.hostile',
      mode: 'managed',
      type: 'aws_iam_user_policy',
      name: 'hostile',
      provider_name: 'registry.terraform.io/hashicorp/aws',
      change: {
        actions: ['create'],
        before: null,
        after: { name: 'hostile', user: 'dev-priya', policy: JSON.stringify(hostilePolicy) },
        after_unknown: { id: true },
        before_sensitive: false,
        after_sensitive: {},
      },
    },
  ];
  const file = join(dir, 'hostile.plan.json');
  await writeFile(file, JSON.stringify(plan));
  const run = await runCli([
    'audit',
    EXAMPLE,
    '--plan',
    file,
    '--raw',
    join(ROOT, 'examples', 'acme', 'raw', 'aws'),
    '--fail-on-new-only',
    '--format',
    'json',
  ]);
  t.is(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as {
    whatif: { changes: Array<{ address: string; outcome: string }> };
    baseline: { new: number };
  };
  t.deepEqual(report.whatif.changes.find((c) => c.address === 'aws_iam_user_policy.hostile')?.outcome, 'projected');
  t.is(report.baseline.new, 0);
});
