import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import type { Principal, Snapshot } from '../../src/snapshot/model.js';
import { readSnapshotFile } from '../../src/snapshot/load.js';
import { projectPlan, type WhatIfProjection } from '../../src/whatif/index.js';
import { parsePlan } from '../../src/providers/whatif/plan.js';
import { EXAMPLE, fixture, ROOT } from '../helpers/cli.js';
import { ACCOUNT, ADMIN_POLICY, planDocument, READ_POLICY, type ChangeSpec } from './plan-shape.js';

const RAW = join(ROOT, 'examples', 'acme', 'raw', 'aws');
let example: Snapshot;

test.before(async () => {
  example = (await readSnapshotFile(EXAMPLE)).snapshot;
});

async function project(specs: ChangeSpec[]): Promise<WhatIfProjection> {
  const projection = await projectPlan(parsePlan(planDocument(specs), 'plan.json'), example, [RAW]);
  await projection.verified;
  return projection;
}

const principal = (p: WhatIfProjection, name: string): Principal | undefined =>
  p.snapshot.principals.find((x) => x.uid === `aws:${ACCOUNT}:${name}`);
const userArn = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;
const effectOf = (p: WhatIfProjection, address: string) => p.effects.find((e) => e.address === address)?.uids ?? [];

test('aws_iam_user: create gives a principal without password, MFA or keys; update renames; delete removes', async (t) => {
  const p = await project([
    {
      address: 'aws_iam_user.new',
      actions: ['create'],
      after: { name: 'contractor', path: '/ext/', permissions_boundary: null },
      unknown: { arn: true, id: true, unique_id: true },
    },
    {
      address: 'aws_iam_user.priya',
      actions: ['update'],
      before: { name: 'dev-priya', path: '/', arn: userArn('dev-priya') },
      after: { name: 'priya.dev', path: '/', arn: userArn('dev-priya') },
      unknown: { arn: true },
    },
    {
      address: 'aws_iam_user.kim',
      actions: ['delete'],
      before: { name: 'kim.nguyen', path: '/', arn: userArn('kim.nguyen') },
    },
  ]);
  const created = principal(p, 'user/contractor')!;
  t.is(created.nativeId, `arn:aws:iam::${ACCOUNT}:user/ext/contractor`);
  t.deepEqual([created.interactive, created.mfa?.state, created.credentials], [false, 'disabled', []]);
  t.is(principal(p, 'user/dev-priya'), undefined);
  const renamed = principal(p, 'user/priya.dev')!;
  t.deepEqual((renamed.details as { groups: string[] }).groups, ['Developers']);
  t.is(renamed.interactive, true, 'the credential report row follows the rename');
  t.is(principal(p, 'user/kim.nguyen'), undefined);
  t.true(effectOf(p, 'aws_iam_user.new').includes(`aws:${ACCOUNT}:user/contractor`));
  t.deepEqual(
    p.notes.map((n) => n.outcome),
    ['projected', 'projected', 'projected'],
  );
});

test('aws_iam_group and aws_iam_group_policy_attachment: members inherit; deleting the group drops it from its users', async (t) => {
  const p = await project([
    {
      address: 'aws_iam_group.admins',
      actions: ['create'],
      after: { name: 'Admins', path: '/' },
      unknown: { arn: true, id: true },
    },
    {
      address: 'aws_iam_group_policy_attachment.admins',
      actions: ['create'],
      after: { group: 'Admins', policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
      unknown: { id: true },
    },
    {
      address: 'aws_iam_user_group_membership.kim',
      actions: ['create'],
      after: { user: 'kim.nguyen', groups: ['Admins'] },
      unknown: { id: true },
    },
    {
      address: 'aws_iam_group.developers',
      actions: ['delete'],
      before: { name: 'Developers', path: '/', arn: `arn:aws:iam::${ACCOUNT}:group/Developers` },
    },
  ]);
  t.is(principal(p, 'group/Admins')!.privilege?.level, 'admin');
  const kim = principal(p, 'user/kim.nguyen')!;
  t.deepEqual((kim.details as { groups: string[] }).groups, ['Admins']);
  t.is(kim.privilege?.level, 'admin');
  t.is(principal(p, 'group/Developers'), undefined);
  t.true(
    effectOf(p, 'aws_iam_group_policy_attachment.admins').includes(`aws:${ACCOUNT}:user/kim.nguyen`),
    'a group change reaches its members',
  );
});

test('aws_iam_role and aws_iam_role_policy_attachment: trust, session length and held policies; delete removes', async (t) => {
  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }],
  });
  const p = await project([
    {
      address: 'aws_iam_role.ops',
      actions: ['create'],
      after: {
        name: 'Ops',
        path: '/',
        assume_role_policy: trust,
        max_session_duration: 43200,
        permissions_boundary: null,
      },
      unknown: { arn: true, id: true, inline_policy: true, managed_policy_arns: true },
    },
    {
      address: 'aws_iam_role_policy_attachment.ops',
      actions: ['create'],
      after: { role: 'Ops', policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
      unknown: { id: true },
    },
    {
      address: 'aws_iam_role.power',
      actions: ['update'],
      before: { name: 'PowerAdmin', path: '/', max_session_duration: 43200, assume_role_policy: trust },
      after: { name: 'PowerAdmin', path: '/', max_session_duration: 3600, assume_role_policy: trust },
    },
    { address: 'aws_iam_role.deploy', actions: ['delete'], before: { name: 'TerraformDeploy', path: '/' } },
  ]);
  const ops = principal(p, 'role/Ops')!;
  t.is(ops.privilege?.level, 'admin');
  t.is((ops.details as { maxSessionDurationSeconds: number }).maxSessionDurationSeconds, 43200);
  t.false((ops.details as { trustRequiresMfa: boolean }).trustRequiresMfa);
  t.is(
    (principal(p, 'role/PowerAdmin')!.details as { maxSessionDurationSeconds: number }).maxSessionDurationSeconds,
    3600,
  );
  t.is(principal(p, 'role/TerraformDeploy'), undefined);
});

test('aws_iam_policy: a new document reaches every holder; the ARN of a policy created in the plan resolves through references', async (t) => {
  const p = await project([
    {
      address: 'aws_iam_policy.self',
      actions: ['update'],
      before: {
        name: 'DeveloperSelfService',
        path: '/',
        arn: `arn:aws:iam::${ACCOUNT}:policy/DeveloperSelfService`,
        policy: READ_POLICY,
      },
      after: {
        name: 'DeveloperSelfService',
        path: '/',
        arn: `arn:aws:iam::${ACCOUNT}:policy/DeveloperSelfService`,
        policy: ADMIN_POLICY,
      },
    },
    {
      address: 'aws_iam_policy.fresh',
      actions: ['create'],
      after: { name: 'Fresh', path: '/', policy: ADMIN_POLICY },
      unknown: { arn: true, id: true, policy_id: true },
    },
    {
      address: 'aws_iam_user_policy_attachment.jenkins',
      actions: ['create'],
      after: { user: 'jenkins' },
      unknown: { id: true, policy_arn: true },
      expressions: {
        user: { constant_value: 'jenkins' },
        policy_arn: { references: ['aws_iam_policy.fresh.arn', 'aws_iam_policy.fresh'] },
      },
    },
  ]);
  t.is(principal(p, 'user/kim.nguyen')!.privilege?.level, 'admin', 'kim holds DeveloperSelfService through Developers');
  t.true(effectOf(p, 'aws_iam_policy.self').includes(`aws:${ACCOUNT}:user/kim.nguyen`));
  const jenkins = principal(p, 'user/jenkins')!;
  t.true(jenkins.assignments!.some((a) => a.role === `aws:${ACCOUNT}:policy/Fresh`));
  t.deepEqual(p.gaps, []);
  const deleted = await project([
    {
      address: 'aws_iam_policy.self',
      actions: ['delete'],
      before: { name: 'DeveloperSelfService', arn: `arn:aws:iam::${ACCOUNT}:policy/DeveloperSelfService` },
    },
  ]);
  t.false(deleted.snapshot.roles.some((r) => r.uid === `aws:${ACCOUNT}:policy/DeveloperSelfService`));
});

test('inline policies of users, groups and roles: create, update and delete', async (t) => {
  const p = await project([
    {
      address: 'aws_iam_user_policy.kim',
      actions: ['create'],
      after: { user: 'kim.nguyen', name: 'all', policy: ADMIN_POLICY },
      unknown: { id: true },
    },
    {
      address: 'aws_iam_group_policy.devs',
      actions: ['create'],
      after: { group: 'Developers', name: 'read', policy: READ_POLICY },
      unknown: { id: true },
    },
    {
      address: 'aws_iam_role_policy.lambda',
      actions: ['create'],
      after: { role: 'orders-api-lambda', name: 'all', policy: ADMIN_POLICY },
      unknown: { id: true },
    },
    {
      address: 'aws_iam_user_policy.jenkins',
      actions: ['delete'],
      before: { user: 'jenkins', name: 'jenkins-iam', policy: ADMIN_POLICY },
    },
    {
      address: 'aws_iam_user_policy.etl',
      actions: ['update'],
      before: { user: 'legacy-etl', name: 'etl-runner', policy: ADMIN_POLICY },
      after: { user: 'legacy-etl', name: 'etl-runner', policy: READ_POLICY },
    },
  ]);
  t.is(principal(p, 'user/kim.nguyen')!.privilege?.level, 'admin');
  t.true(p.snapshot.roles.some((r) => r.uid === `aws:${ACCOUNT}:inline/group/Developers/read`));
  t.is(principal(p, 'role/orders-api-lambda')!.privilege?.level, 'admin');
  t.false(p.snapshot.roles.some((r) => r.uid === `aws:${ACCOUNT}:inline/user/jenkins/jenkins-iam`));
  t.is(principal(p, 'user/legacy-etl')!.privilege?.level, 'none');
});

test("attachments and memberships: delete detaches; aws_iam_group_membership sets the group's users", async (t) => {
  const p = await project([
    {
      address: 'aws_iam_user_policy_attachment.shell',
      actions: ['delete'],
      before: { user: 'dev-priya', policy_arn: 'arn:aws:iam::aws:policy/AWSCloudShellFullAccess' },
    },
    {
      address: 'aws_iam_role_policy_attachment.power',
      actions: ['delete'],
      before: { role: 'PowerAdmin', policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
    },
    {
      address: 'aws_iam_group_membership.devs',
      actions: ['update'],
      before: { name: 'devs', group: 'Developers', users: ['dev-priya', 'kim.nguyen'] },
      after: { name: 'devs', group: 'Developers', users: ['dev-priya', 'jenkins'] },
    },
    {
      address: 'aws_iam_user_group_membership.etl',
      actions: ['delete'],
      before: { user: 'legacy-etl', groups: ['Developers'] },
    },
  ]);
  t.deepEqual(
    principal(p, 'user/dev-priya')!.assignments!.filter((a) => a.via === 'direct'),
    [],
  );
  t.is(principal(p, 'role/PowerAdmin')!.privilege?.level, 'none');
  t.deepEqual((principal(p, 'user/kim.nguyen')!.details as { groups: string[] }).groups, []);
  t.deepEqual((principal(p, 'user/jenkins')!.details as { groups: string[] }).groups, ['Developers']);
});

test('credentials: access keys fill a free slot, deactivate and delete by creation date; login profiles and MFA devices', async (t) => {
  const p = await project([
    {
      address: 'aws_iam_access_key.kim',
      actions: ['create'],
      after: { user: 'kim.nguyen', status: 'Active' },
      unknown: { id: true, secret: true, create_date: true },
      sensitive: { secret: true },
    },
    {
      address: 'aws_iam_access_key.priya',
      actions: ['update'],
      before: { user: 'dev-priya', status: 'Active', create_date: '2026-10-02T09:00:00Z', id: 'AKIAEXAMPLEPRIYA' },
      after: { user: 'dev-priya', status: 'Inactive', create_date: '2026-10-02T09:00:00Z', id: 'AKIAEXAMPLEPRIYA' },
    },
    {
      address: 'aws_iam_access_key.etl_old',
      actions: ['delete'],
      before: { user: 'legacy-etl', status: 'Active', create_date: '2018-05-20T07:10:00Z', id: 'AKIAEXAMPLEETL1' },
    },
    {
      address: 'aws_iam_user_login_profile.jenkins',
      actions: ['delete'],
      before: { user: 'jenkins', password_reset_required: false },
    },
    {
      address: 'aws_iam_user_login_profile.etl',
      actions: ['create'],
      after: { user: 'legacy-etl', password_reset_required: true },
      unknown: { password: true, encrypted_password: true },
      sensitive: { password: true },
    },
    {
      address: 'aws_iam_virtual_mfa_device.kim',
      actions: ['delete'],
      before: { virtual_mfa_device_name: 'kim', arn: `arn:aws:iam::${ACCOUNT}:mfa/kim`, user_name: 'kim.nguyen' },
    },
  ]);
  const keys = (name: string) =>
    principal(p, name)!
      .credentials!.filter((c) => c.kind === 'accessKey')
      .map((c) => [c.id, c.active]);
  t.deepEqual(keys('user/kim.nguyen'), [['access_key_1', true]]);
  t.deepEqual(keys('user/dev-priya'), [['access_key_1', false]]);
  t.deepEqual(keys('user/legacy-etl'), [['access_key_2', true]]);
  t.is(principal(p, 'user/jenkins')!.interactive, false);
  t.is(principal(p, 'user/legacy-etl')!.interactive, true);
  t.is(principal(p, 'user/kim.nguyen')!.mfa?.state, 'disabled');
  t.deepEqual(p.gaps, [], 'a sensitive secret or password is never read, and not needed');
});

test('Organizations: an SCP and its attachment to the root reach every account; deleting the CloudShell SCP shows', async (t) => {
  const deny = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Deny', Action: 'iam:*', Resource: '*' }],
  });
  const p = await project([
    {
      address: 'aws_organizations_policy.no_iam',
      actions: ['create'],
      after: { name: 'NoIam', type: 'SERVICE_CONTROL_POLICY', content: deny },
      unknown: { id: true, arn: true },
    },
    {
      address: 'aws_organizations_policy_attachment.no_iam',
      actions: ['create'],
      after: { target_id: 'r-k3zq' },
      unknown: { id: true, policy_id: true },
      expressions: {
        policy_id: { references: ['aws_organizations_policy.no_iam.id', 'aws_organizations_policy.no_iam'] },
        target_id: { constant_value: 'r-k3zq' },
      },
    },
    {
      address: 'aws_organizations_policy.shell',
      actions: ['delete'],
      before: { id: 'p-0cldshl1', name: 'DenyCloudShell', type: 'SERVICE_CONTROL_POLICY' },
    },
  ]);
  for (const account of ['111111111111', '222222222222']) {
    const scp = p.snapshot.controls.find(
      (c) => c.uid === `aws:${account}:scp/p-planned-aws-organizations-policy-no-iam`,
    );
    t.is(scp?.state, 'enabled', account);
    t.false(p.snapshot.controls.some((c) => c.uid === `aws:${account}:scp/p-0cldshl1`));
  }
  t.deepEqual(p.gaps, []);
  const tags = await project([
    {
      address: 'aws_organizations_policy.tags',
      actions: ['create'],
      after: { name: 'Tags', type: 'TAG_POLICY', content: '{}' },
      unknown: { id: true },
    },
  ]);
  t.is(tags.notes[0]!.outcome, 'not-projected');
});

test('Organizations: an SCP attached to an OU narrows the accounts below it, not the management account nor other OUs', async (t) => {
  const deny = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Deny', Action: 'iam:*', Resource: '*' }],
  });
  const attach = (target: string) =>
    project([
      {
        address: 'aws_organizations_policy.no_iam',
        actions: ['create'],
        after: { name: 'NoIam', type: 'SERVICE_CONTROL_POLICY', content: deny },
        unknown: { id: true, arn: true },
      },
      {
        address: 'aws_organizations_policy_attachment.no_iam',
        actions: ['create'],
        after: { target_id: target },
        unknown: { id: true, policy_id: true },
        expressions: {
          policy_id: { references: ['aws_organizations_policy.no_iam.id', 'aws_organizations_policy.no_iam'] },
          target_id: { constant_value: target },
        },
      },
    ]);
  const level = (p: WhatIfProjection, uid: string) =>
    p.snapshot.principals.find((x) => x.uid === uid)?.privilege?.level;
  t.is(level({ snapshot: example } as WhatIfProjection, `aws:${ACCOUNT}:role/PowerAdmin`), 'admin');
  // 222222222222 sits in the Workloads OU (its list-parents exports say so).
  const workloads = await attach('ou-k3zq-workload1');
  t.is(level(workloads, `aws:${ACCOUNT}:role/PowerAdmin`), 'privileged');
  t.is(level(workloads, `aws:${ACCOUNT}:user/jenkins`), 'none', 'its path to admin runs through IAM, now denied');
  t.is(level(workloads, 'aws:111111111111:user/ops-bob'), 'admin', 'the management account is not narrowed by SCPs');
  t.like(
    workloads.snapshot.controls.find((c) => c.uid === `aws:${ACCOUNT}:scp/p-planned-aws-organizations-policy-no-iam`)!
      .settings,
    { attachedToAccountOu: true, appliesToAccount: true },
  );
  t.deepEqual(workloads.gaps, []);
  const elsewhere = await attach('ou-k3zq-sandbox01');
  t.is(
    level(elsewhere, `aws:${ACCOUNT}:role/PowerAdmin`),
    'admin',
    'an OU the account is not under does not narrow it',
  );
});

test('aws_cloudtrail: create, update (start logging) and delete, with status and event selectors', async (t) => {
  const p = await project([
    {
      address: 'aws_cloudtrail.new',
      actions: ['create'],
      after: {
        name: 'security',
        s3_bucket_name: 'b',
        is_multi_region_trail: true,
        is_organization_trail: false,
        enable_logging: true,
        enable_log_file_validation: true,
        include_global_service_events: true,
        event_selector: [],
        advanced_event_selector: [],
      },
      unknown: { arn: true, home_region: true, id: true },
    },
    {
      address: 'aws_cloudtrail.workloads',
      actions: ['update'],
      before: {
        name: 'workloads-us-east-1',
        arn: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/workloads-us-east-1`,
        home_region: 'us-east-1',
        enable_logging: false,
        is_organization_trail: false,
      },
      after: {
        name: 'workloads-us-east-1',
        arn: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/workloads-us-east-1`,
        home_region: 'us-east-1',
        enable_logging: true,
        is_multi_region_trail: false,
        is_organization_trail: false,
        enable_log_file_validation: true,
        event_selector: [{ read_write_type: 'WriteOnly', include_management_events: true }],
        advanced_event_selector: [],
      },
    },
  ]);
  const trail = (name: string) => p.snapshot.controls.find((c) => c.uid === `aws:${ACCOUNT}:trail/us-east-1/${name}`);
  t.like(trail('security')!.settings, {
    isLogging: true,
    multiRegion: true,
    logFileValidation: true,
    managementEvents: { read: true, write: true },
  });
  t.like(trail('workloads-us-east-1')!.settings, {
    isLogging: true,
    logFileValidation: true,
    managementEvents: { read: false, write: true },
  });
  const gone = await project([
    {
      address: 'aws_cloudtrail.workloads',
      actions: ['delete'],
      before: {
        name: 'workloads-us-east-1',
        arn: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/workloads-us-east-1`,
        is_organization_trail: false,
      },
    },
  ]);
  t.false(gone.snapshot.controls.some((c) => c.uid === `aws:${ACCOUNT}:trail/us-east-1/workloads-us-east-1`));
});

test('AWS values known only after apply and sensitive values become gaps naming the address and attribute', async (t) => {
  const p = await project([
    {
      address: 'aws_iam_user_policy.kim',
      actions: ['create'],
      after: { user: 'kim.nguyen', name: 'x' },
      unknown: { id: true, policy: true },
    },
    {
      address: 'aws_iam_group_policy.devs',
      actions: ['create'],
      after: { group: 'Developers', name: 'y', policy: ADMIN_POLICY },
      unknown: { id: true },
      sensitive: { policy: true },
    },
    {
      address: 'aws_iam_user_policy_attachment.who',
      actions: ['create'],
      after: { policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
      unknown: { id: true, user: true },
      expressions: { user: { references: ['var.user'] } },
    },
  ]);
  t.deepEqual(
    p.gaps.map((g) => [g.address, g.attribute, g.reason]),
    [
      ['aws_iam_user_policy.kim', 'policy', 'policy is known only after apply'],
      ['aws_iam_group_policy.devs', 'policy', 'policy is sensitive; cloudward does not read sensitive plan values'],
      ['aws_iam_user_policy_attachment.who', 'user', 'user is known only after apply'],
    ],
  );
  t.deepEqual(p.gaps[2]!.scopes, [`aws:account/${ACCOUNT}`], 'an unknown target leaves the whole account open');
  t.deepEqual(
    p.notes.map((n) => n.outcome),
    ['unknown', 'unknown', 'unknown'],
  );
});

test('a plan holding every supported AWS type round-trips through projection with the expected findings', async (t) => {
  const plan = parsePlan(
    JSON.parse(await readFile(fixture('whatif', 'every-aws-type.plan.json'), 'utf8')),
    'every-aws-type.plan.json',
  );
  const p = await projectPlan(plan, example, [RAW]);
  await p.verified;
  const types = new Set(plan.changes.map((c) => c.type));
  const { AWS_PROJECTED_TYPES } = await import('../../src/providers/aws/whatif/index.js');
  for (const type of AWS_PROJECTED_TYPES) t.true(types.has(type), `the fixture lacks ${type}`);
  t.deepEqual(
    p.notes.filter((n) => n.outcome !== 'projected').map((n) => [n.address, n.outcome]),
    [
      ['aws_iam_group_policy.devs_inline', 'unknown'],
      ['aws_iam_role_policy.deployer_inline', 'unknown'],
      ['aws_iam_instance_profile.ci', 'not-projected'],
      ['aws_s3_bucket.assets', 'not-projected'],
    ],
  );
  const contractor = principal(p, 'user/contractor')!;
  t.like(contractor, { interactive: true, mfa: { state: 'disabled' }, privilege: { level: 'admin' } });
  t.deepEqual(
    contractor.credentials!.map((c) => [c.kind, c.active]),
    [
      ['password', true],
      ['accessKey', true],
    ],
  );
  t.like(principal(p, 'role/Deployer'), {
    privilege: { level: 'admin' },
    details: { maxSessionDurationSeconds: 43200 },
  });
  t.like(
    p.snapshot.controls.find((c) => c.uid === `aws:${ACCOUNT}:trail/us-east-1/workloads-us-east-1`),
    { state: 'enabled', settings: { logFileValidation: true } },
  );
  t.true(
    p.snapshot.controls.some((c) => c.uid === `aws:111111111111:scp/p-planned-aws-organizations-policy-deny-shell`),
  );
  t.deepEqual(p.projectedScopes.sort(), ['aws:account/111111111111', 'aws:account/222222222222']);
});

test('an attached policy whose document the raw documents lack is a gap; a plan for another organization is refused', async (t) => {
  const p = await project([
    {
      address: 'aws_iam_user_policy_attachment.iam',
      actions: ['create'],
      after: { user: 'kim.nguyen', policy_arn: 'arn:aws:iam::aws:policy/IAMFullAccess' },
      unknown: { id: true },
    },
  ]);
  t.deepEqual(
    p.gaps.map((g) => [g.address, g.attribute]),
    [['aws_iam_user_policy_attachment.iam', 'policy_arn']],
  );
  t.regex(
    p.gaps[0]!.reason,
    /document of arn:aws:iam::aws:policy\/IAMFullAccess is not among the account's raw documents/,
  );
  const elsewhere = parsePlan(
    planDocument(
      [
        {
          address: 'aws_organizations_policy.x',
          actions: ['create'],
          after: { name: 'X', type: 'SERVICE_CONTROL_POLICY', content: ADMIN_POLICY },
          unknown: { id: true },
        },
      ],
      '999999999999',
    ),
    'plan.json',
  );
  const error = await t.throwsAsync(projectPlan(elsewhere, example, [RAW]));
  t.is(error?.name, 'UserError');
  t.regex(
    error!.message,
    /organization of AWS account 999999999999 \(aws_organizations_policy\.x\), which the snapshot does not cover/,
  );
});

test('a principal the plan refers to but neither the snapshot nor the plan creates is projected as a new one', async (t) => {
  const p = await project([
    {
      address: 'aws_iam_user_policy_attachment.ghost',
      actions: ['create'],
      after: { user: 'ghost', policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
      unknown: { id: true },
    },
    {
      address: 'aws_iam_user_group_membership.ghost',
      actions: ['create'],
      after: { user: 'ghost', groups: ['Phantoms'] },
      unknown: { id: true },
    },
  ]);
  const ghost = principal(p, 'user/ghost')!;
  t.is(ghost.privilege?.level, 'admin');
  t.is(ghost.mfa, undefined, 'without a credential-report row its MFA stays unknown');
  t.true((ghost.details as { notInCredentialReport?: boolean }).notInCredentialReport);
  t.truthy(principal(p, 'group/Phantoms'));
});
