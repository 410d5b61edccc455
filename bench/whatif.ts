/**
 * What-if cost: `audit --plan` (read the plan and the raw documents, check they reproduce the snapshot, project,
 * normalize, audit before and after, compare) against a plain `audit` of the same tenant. The tenant is the generated
 * one (default 60,000 principals) merged with one AWS account of 40,000 users imported from AWS CLI exports, so
 * 100,000 principals in all; the plan holds 5,000 resource changes on that account.
 *
 *   node --import tsx bench/whatif.ts [--users 40000] [--principals 60000] [--changes 5000] [--runs 3] [--reuse]
 *     [--against DIR]
 *
 * `--reuse` keeps the inputs of the previous run (bench/out/whatif/). Wall clock and CPU time are both reported:
 * on a shared machine the CPU ratio is the steadier one. `--against DIR` also times the what-if run of another
 * built checkout (its bin/cloudward.js), interleaved with the others, to compare two builds under the same load.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { syntheticAccount } from './aws-synthetic.js';
import { writeSnapshotFile } from './generate.js';
import { compareWhatIf, option, ROOT } from './whatif-runs.js';

const BIN = join(ROOT, 'bin', 'cloudward.js');
const ACCOUNT = '777777777777';
const COLLECTED_AT = '2026-11-01T00:00:00Z';

const users = option('users', 40_000);
const principals = option('principals', 60_000);
const changeCount = option('changes', 5_000);
const runs = option('runs', 1);

const out = join(ROOT, 'bench', 'out', 'whatif');
const raw = join(out, 'raw', ACCOUNT);
await mkdir(raw, { recursive: true });

/** The account as the AWS CLI would have exported it, plus the note `collect --raw-out` leaves beside it. */
async function writeRawAccount(): Promise<void> {
  const data = syntheticAccount(ACCOUNT, users);
  const json = (name: string, body: unknown) => writeFile(join(raw, name), `${JSON.stringify(body)}\n`);
  await json('iam-get-account-authorization-details.json', { ...data.authorizationDetails, IsTruncated: false });
  await json('iam-get-credential-report.json', {
    Content: Buffer.from(data.credentialReport).toString('base64'),
    ReportFormat: 'text/csv',
    GeneratedTime: COLLECTED_AT,
  });
  await json('iam-get-account-summary.json', { SummaryMap: data.summaryMap });
  await json('iam-list-virtual-mfa-devices.json', { VirtualMFADevices: data.virtualMfaDevices });
  await json('iam-get-account-password-policy.json', { PasswordPolicy: data.passwordPolicy });
  await json('cloudtrail-describe-trails.json', { trailList: data.trails });
  for (const [arn, status] of Object.entries(data.trailStatus))
    await json(`cloudtrail-get-trail-status.${arn.split('/').at(-1)}.json`, status);
  for (const [arn, selectors] of Object.entries(data.eventSelectors))
    await json(`cloudtrail-get-event-selectors.${arn.split('/').at(-1)}.json`, { TrailARN: arn, ...selectors });
  await json('cloudward-collection.json', {
    Cloudward: { Provider: 'aws', AccountId: ACCOUNT, CollectedAt: COLLECTED_AT },
  });
}

/** 5,000 changes in the proportions a large IAM pull request has: new users with consoles and keys, grants, groups. */
function planDocument(): Record<string, unknown> {
  const changes: unknown[] = [];
  const config: unknown[] = [];
  const aws = 'registry.terraform.io/hashicorp/aws';
  const add = (
    type: string,
    name: string,
    actions: string[],
    before: unknown,
    after: unknown,
    unknown: Record<string, unknown> = {},
  ) => {
    changes.push({
      address: `${type}.${name}`,
      mode: 'managed',
      type,
      name,
      provider_name: aws,
      change: {
        actions,
        before,
        after,
        after_unknown: unknown,
        before_sensitive: before ? {} : false,
        after_sensitive: after ? {} : false,
      },
    });
    config.push({
      address: `${type}.${name}`,
      mode: 'managed',
      type,
      name,
      provider_config_key: 'aws',
      expressions: {},
      schema_version: 0,
    });
  };
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: '*' }],
  });
  for (let i = 0; changes.length < changeCount; i++) {
    const existing = `user${String(i % users).padStart(5, '0')}`;
    switch (i % 6) {
      case 0:
        add(
          'aws_iam_user',
          `new_${i}`,
          ['create'],
          null,
          { name: `new-${i}`, path: '/', permissions_boundary: null },
          { arn: true, id: true, unique_id: true },
        );
        break;
      case 1:
        add(
          'aws_iam_user_login_profile',
          `new_${i - 1}`,
          ['create'],
          null,
          { user: `new-${i - 1}`, password_reset_required: true },
          { password: true },
        );
        break;
      case 2:
        add(
          'aws_iam_user_policy_attachment',
          `grant_${i}`,
          ['create'],
          null,
          {
            user: existing,
            policy_arn:
              i % 60 === 2
                ? 'arn:aws:iam::aws:policy/AdministratorAccess'
                : `arn:aws:iam::${ACCOUNT}:policy/team-${i % 50}-access`,
          },
          { id: true },
        );
        break;
      case 3:
        add(
          'aws_iam_user_group_membership',
          `member_${i}`,
          ['create'],
          null,
          { user: existing, groups: [`team-${i % 50}`] },
          { id: true },
        );
        break;
      case 4:
        add(
          'aws_iam_user_policy',
          `inline_${i}`,
          ['create'],
          null,
          { user: existing, name: `inline-${i}`, policy },
          { id: true },
        );
        break;
      default:
        add(
          'aws_iam_access_key',
          `key_${i}`,
          ['create'],
          null,
          { user: `new-${i - 5}`, status: 'Active' },
          { id: true, secret: true },
        );
        break;
    }
  }
  return {
    format_version: '1.2',
    terraform_version: '1.9.8',
    planned_values: { root_module: {} },
    resource_changes: changes,
    configuration: {
      provider_config: {
        aws: { name: 'aws', full_name: aws, expressions: { allowed_account_ids: { constant_value: [ACCOUNT] } } },
      },
      root_module: { resources: config },
    },
    applyable: true,
    complete: true,
    errored: false,
  };
}

const againstAt = process.argv.indexOf('--against');
const against = againstAt >= 0 ? process.argv[againstAt + 1] : undefined;

const reuse = process.argv.includes('--reuse');
process.stderr.write(
  `${reuse ? 'reusing' : 'writing'} ${principals} generated principals and an AWS account of ${users} users...\n`,
);
if (!reuse) await prepare();

async function prepare(): Promise<void> {
  await writeSnapshotFile(join(out, 'generated.json'), { principals, collectedAt: '2026-11-01T00:00:00.000Z' });
  await writeRawAccount();
  const imported = spawnSync(
    process.execPath,
    [
      BIN,
      'import',
      'aws',
      ...[
        'iam-get-account-authorization-details.json',
        'iam-get-credential-report.json',
        'iam-get-account-summary.json',
        'iam-list-virtual-mfa-devices.json',
        'iam-get-account-password-policy.json',
        'cloudtrail-describe-trails.json',
        'cloudtrail-get-trail-status.main.json',
        'cloudtrail-get-event-selectors.main.json',
        'cloudward-collection.json',
      ].map((f) => join(raw, f)),
      '--output',
      join(out, 'aws.json'),
      '--quiet',
    ],
    { encoding: 'utf8' },
  );
  if (imported.status !== 0) throw new Error(imported.stderr);
  const merged = spawnSync(
    process.execPath,
    [BIN, 'merge', join(out, 'generated.json'), join(out, 'aws.json'), '--output', join(out, 'tenant.json')],
    { encoding: 'utf8' },
  );
  if (merged.status !== 0) throw new Error(merged.stderr);
  await writeFile(join(out, 'plan.json'), JSON.stringify(planDocument()));
}

await compareWhatIf({
  tenant: join(out, 'tenant.json'),
  plan: join(out, 'plan.json'),
  raw,
  out,
  runs,
  result: join(ROOT, 'bench', 'out', 'whatif.json'),
  facts: { users, principals: principals + users, changes: changeCount },
  ...(against ? { against } : {}),
});
