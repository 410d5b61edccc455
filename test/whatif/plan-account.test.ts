/**
 * Which account, subscription or project a plan is for when its provider block does not say: the data sources the
 * plan read while planning (`data.aws_caller_identity`, `data.azurerm_client_config`, `data.google_project`, ...) and
 * the ARNs among its known values decide; only when nothing does is it one line and exit 2, naming what to add.
 */
import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadPlan, parsePlan } from '../../src/whatif/plan.js';
import { AwsContext } from '../../src/whatif/aws/context.js';
import { EXAMPLE, fixture, messageLines, ROOT, runCli, tempDir } from '../helpers/cli.js';

const RAW = join(ROOT, 'examples', 'acme', 'raw', 'aws');
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The data source entry of the vendor plan's prior_state, the shape `terraform show -json` prints. */
async function vendorCallerIdentity(): Promise<Json> {
  const vendor = JSON.parse(await readFile(fixture('whatif', 'vendor', 'regula-issue355.plan.json'), 'utf8')) as Json;
  return (vendor.prior_state.values.root_module.resources as Json[]).find((r) => r.address === 'data.aws_caller_identity.current')!;
}

/**
 * The Acme admin-attachment plan with nothing in it naming the account: no allowed_account_ids, and no change or
 * prior resource whose ARN names it. `edit` adds back what a test wants to decide with.
 */
async function accountlessPlan(edit: (plan: Json) => void | Promise<void> = () => {}): Promise<string> {
  const plan = JSON.parse(await readFile(fixture('whatif', 'acme-tf', 'admin-no-mfa.plan.json'), 'utf8')) as Json;
  delete plan.configuration.provider_config.aws.expressions.allowed_account_ids;
  plan.resource_changes = (plan.resource_changes as Json[]).filter((c) => c.address !== 'aws_iam_user.priya');
  plan.prior_state.values.root_module.resources = [];
  await edit(plan);
  const file = join(await tempDir(), 'plan.json');
  await writeFile(file, JSON.stringify(plan));
  return file;
}

const audit = (planFile: string) => runCli(['audit', EXAMPLE, '--plan', planFile, '--raw', RAW, '--fail-on-new-only']);

test('the vendor plan\'s data.aws_caller_identity is read from prior_state with its provider block', async (t) => {
  const plan = await loadPlan(fixture('whatif', 'vendor', 'regula-issue355.plan.json'));
  const identity = plan.dataSources.find((d) => d.address === 'data.aws_caller_identity.current');
  t.is(identity?.providerConfigKey, 'aws');
  t.is(identity?.values.account_id, '622401240280');
  t.true(plan.priorResources.some((r) => r.address === 'aws_s3_bucket_logging.cloudtrail'));
  const context = new AwsContext(plan, [], new Set(['111111111111', '222222222222']));
  const logging = plan.changes.find((c) => c.address === 'aws_s3_bucket_logging.cloudtrail')!;
  t.is(context.declaredAccount(logging), '622401240280');
});

test('with nothing to decide by, a plan for a snapshot of several accounts is one line, exit 2, saying what to add', async (t) => {
  const run = await audit(await accountlessPlan());
  t.is(run.code, 2, run.stderr);
  const lines = messageLines(run.stderr);
  t.is(lines.length, 1, run.stderr);
  t.regex(lines[0]!, /cannot tell which AWS account aws_iam_user_policy_attachment\.ops_admin is for .*allowed_account_ids .*data "aws_caller_identity" "current"/);
});

test('data.aws_caller_identity in prior_state decides the account', async (t) => {
  const identity = await vendorCallerIdentity();
  const file = await accountlessPlan((plan) => {
    plan.prior_state.values.root_module.resources.push({ ...identity, values: { ...identity.values, account_id: '222222222222', id: '222222222222', arn: 'arn:aws:iam::222222222222:user/terraform' } });
    plan.configuration.root_module.resources.push({ address: 'data.aws_caller_identity.current', mode: 'data', type: 'aws_caller_identity', name: 'current', provider_config_key: 'aws', schema_version: 0 });
  });
  const run = await audit(file);
  t.is(run.code, 1, run.stderr);
  t.regex(run.stdout, /dev-priya .*has no MFA device \[new\]/);
});

test('a caller identity read through another provider block does not decide this one', async (t) => {
  const identity = await vendorCallerIdentity();
  const file = await accountlessPlan((plan) => {
    plan.configuration.provider_config['aws.audit'] = { name: 'aws', alias: 'audit', expressions: {} };
    plan.prior_state.values.root_module.resources.push({ ...identity, values: { ...identity.values, account_id: '111111111111' } });
    plan.configuration.root_module.resources.push({ address: 'data.aws_caller_identity.current', mode: 'data', type: 'aws_caller_identity', name: 'current', provider_config_key: 'aws.audit', schema_version: 0 });
  });
  t.is((await audit(file)).code, 2);
});

test('an ARN among the prior state\'s known values decides the account', async (t) => {
  const original = JSON.parse(await readFile(fixture('whatif', 'acme-tf', 'admin-no-mfa.plan.json'), 'utf8')) as Json;
  const file = await accountlessPlan((plan) => {
    plan.prior_state.values.root_module.resources = original.prior_state.values.root_module.resources;
  });
  const run = await audit(file);
  t.is(run.code, 1, run.stderr);
  t.regex(run.stdout, /dev-priya .*has no MFA device \[new\]/);
});

test('a data source planned for reading with unknown values decides nothing', (t) => {
  const plan = parsePlan({
    format_version: '1.2',
    resource_changes: [{ address: 'data.aws_caller_identity.current', mode: 'data', type: 'aws_caller_identity', name: 'current', change: { actions: ['read'], before: null, after: {}, after_unknown: { account_id: true, arn: true, id: true, user_id: true } } }],
    configuration: { root_module: { resources: [{ address: 'data.aws_caller_identity.current', mode: 'data', type: 'aws_caller_identity', name: 'current', provider_config_key: 'aws' }] } },
  }, 'plan.json');
  t.deepEqual(plan.dataSources.map((d) => d.values), [{}]);
});
