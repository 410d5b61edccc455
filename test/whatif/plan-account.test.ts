/**
 * Which account, subscription or project a plan is for when its provider block does not say: the data sources the
 * plan read while planning (`data.aws_caller_identity`, `data.azurerm_client_config`, `data.google_project`, ...) and
 * the ARNs among its known values decide; only when nothing does is it one line and exit 2, naming what to add.
 */
import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../../src/errors.js';
import { loadPlan, parsePlan } from '../../src/providers/whatif/plan.js';
import { AwsContext } from '../../src/providers/aws/whatif/context.js';
import { EXAMPLE, fixture, messageLines, ROOT, runCli, tempDir } from '../helpers/cli.js';

const RAW = join(ROOT, 'examples', 'acme', 'raw', 'aws');
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The data source entry of the vendor plan's prior_state, the shape `terraform show -json` prints. */
async function vendorCallerIdentity(): Promise<Json> {
  const vendor = JSON.parse(await readFile(fixture('whatif', 'vendor', 'regula-issue355.plan.json'), 'utf8')) as Json;
  return (vendor.prior_state.values.root_module.resources as Json[]).find(
    (r) => r.address === 'data.aws_caller_identity.current',
  )!;
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

test("the vendor plan's data.aws_caller_identity is read from prior_state with its provider block", async (t) => {
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
  t.regex(
    lines[0]!,
    /cannot tell which AWS account aws_iam_user_policy_attachment\.ops_admin is for .*allowed_account_ids .*data "aws_caller_identity" "current"/,
  );
});

test('data.aws_caller_identity in prior_state decides the account', async (t) => {
  const identity = await vendorCallerIdentity();
  const file = await accountlessPlan((plan) => {
    plan.prior_state.values.root_module.resources.push({
      ...identity,
      values: {
        ...identity.values,
        account_id: '222222222222',
        id: '222222222222',
        arn: 'arn:aws:iam::222222222222:user/terraform',
      },
    });
    plan.configuration.root_module.resources.push({
      address: 'data.aws_caller_identity.current',
      mode: 'data',
      type: 'aws_caller_identity',
      name: 'current',
      provider_config_key: 'aws',
      schema_version: 0,
    });
  });
  const run = await audit(file);
  t.is(run.code, 1, run.stderr);
  t.regex(run.stdout, /dev-priya .*has no MFA device \[new\]/);
});

test('a caller identity read through another provider block does not decide this one', async (t) => {
  const identity = await vendorCallerIdentity();
  const file = await accountlessPlan((plan) => {
    plan.configuration.provider_config['aws.audit'] = { name: 'aws', alias: 'audit', expressions: {} };
    plan.prior_state.values.root_module.resources.push({
      ...identity,
      values: { ...identity.values, account_id: '111111111111' },
    });
    plan.configuration.root_module.resources.push({
      address: 'data.aws_caller_identity.current',
      mode: 'data',
      type: 'aws_caller_identity',
      name: 'current',
      provider_config_key: 'aws.audit',
      schema_version: 0,
    });
  });
  t.is((await audit(file)).code, 2);
});

test("an ARN among the prior state's known values decides the account", async (t) => {
  const original = JSON.parse(await readFile(fixture('whatif', 'acme-tf', 'admin-no-mfa.plan.json'), 'utf8')) as Json;
  const file = await accountlessPlan((plan) => {
    plan.prior_state.values.root_module.resources = original.prior_state.values.root_module.resources;
  });
  const run = await audit(file);
  t.is(run.code, 1, run.stderr);
  t.regex(run.stdout, /dev-priya .*has no MFA device \[new\]/);
});

test('a data source planned for reading with unknown values decides nothing', (t) => {
  const plan = parsePlan(
    {
      format_version: '1.2',
      resource_changes: [
        {
          address: 'data.aws_caller_identity.current',
          mode: 'data',
          type: 'aws_caller_identity',
          name: 'current',
          change: {
            actions: ['read'],
            before: null,
            after: {},
            after_unknown: { account_id: true, arn: true, id: true, user_id: true },
          },
        },
      ],
      configuration: {
        root_module: {
          resources: [
            {
              address: 'data.aws_caller_identity.current',
              mode: 'data',
              type: 'aws_caller_identity',
              name: 'current',
              provider_config_key: 'aws',
            },
          ],
        },
      },
    },
    'plan.json',
  );
  t.deepEqual(
    plan.dataSources.map((d) => d.values),
    [{}],
  );
});

/** A minimal plan: one change of `type` through the default provider block, and `data` in prior_state. */
function planWith(type: string, data: Json[], providerConfig: Json = {}): ReturnType<typeof parsePlan> {
  const provider = type.split('_')[0]!;
  return parsePlan(
    {
      format_version: '1.2',
      terraform_version: '1.9.8',
      resource_changes: [
        {
          address: `${type}.this`,
          mode: 'managed',
          type,
          name: 'this',
          provider_name: `registry.terraform.io/hashicorp/${provider}`,
          change: { actions: ['create'], before: null, after: {}, after_unknown: { id: true } },
        },
      ],
      prior_state: { format_version: '1.0', terraform_version: '1.9.8', values: { root_module: { resources: data } } },
      configuration: {
        provider_config: {
          [provider]: {
            name: provider,
            full_name: `registry.terraform.io/hashicorp/${provider}`,
            expressions: providerConfig,
          },
        },
        root_module: {
          resources: [
            { address: `${type}.this`, mode: 'managed', type, name: 'this', provider_config_key: provider },
            ...data.map((d) => ({
              address: d.address,
              mode: 'data',
              type: d.type,
              name: d.name,
              provider_config_key: d.type.split('_')[0],
              ...(d.expressions ? { expressions: d.expressions } : {}),
            })),
          ],
        },
      },
    },
    'plan.json',
  );
}

/** A data source entry of prior_state as `terraform show -json` prints it (the vendor plan's shape). */
function dataEntry(type: string, values: Json, name = 'current'): Json {
  return {
    address: `data.${type}.${name}`,
    mode: 'data',
    type,
    name,
    provider_name: `registry.terraform.io/hashicorp/${type.split('_')[0]}`,
    schema_version: 0,
    sensitive_values: {},
    values,
  };
}

test('Azure: the client config and subscription data sources decide the tenant among several', async (t) => {
  const { AzureContext } = await import('../../src/providers/azure/whatif/context.js');
  const { ACME_AZURE, AZURE_FIXTURES, importFolder } = await import('../support/azure-fixtures.js');
  const bundles = [...(await importFolder(ACME_AZURE)), ...(await importFolder(join(AZURE_FIXTURES, 'contoso')))];
  const tenants = bundles.map((b) => b.scope.id.toLowerCase());
  t.is(new Set(tenants).size, 2);
  const acme = '7c3a9d2e-5b1f-4e8a-9c6d-2f4b8a1e3d5c';
  const scopes = new Set([...tenants, 'a1b2c3d4-1111-4aaa-8bbb-000000000001']);
  const contextOf = (plan: ReturnType<typeof parsePlan>) => new AzureContext(plan, bundles, scopes);
  const none = planWith('azuread_directory_role_assignment', []);
  const error = t.throws(() => contextOf(none).tenantOf(none.changes[0]!), { instanceOf: UserError })!;
  t.regex(error.oneLine(), /cannot tell which Azure tenant .*data "azuread_client_config" "current"/);
  const client = planWith('azuread_directory_role_assignment', [
    dataEntry('azuread_client_config', {
      client_id: '04b07795-8ddb-461a-bbee-02f9e1bf7b46',
      id: 'x',
      object_id: '62e5370a-2bf4-4734-8511-cc798825f062',
      tenant_id: acme.toUpperCase(),
    }),
  ]);
  t.is(contextOf(client).tenantOf(client.changes[0]!), acme);
  const rm = planWith('azurerm_role_assignment', [
    dataEntry('azurerm_client_config', {
      client_id: '04b07795-8ddb-461a-bbee-02f9e1bf7b46',
      id: 'x',
      object_id: '62e5370a-2bf4-4734-8511-cc798825f062',
      subscription_id: 'a1b2c3d4-1111-4aaa-8bbb-000000000001',
      tenant_id: acme,
      timeouts: null,
    }),
  ]);
  t.is(contextOf(rm).tenantOf(rm.changes[0]!), acme);
  const subscription = planWith('azurerm_role_assignment', [
    dataEntry('azurerm_subscription', {
      display_name: 'acme-prod',
      id: '/subscriptions/a1b2c3d4-1111-4aaa-8bbb-000000000001',
      subscription_id: 'a1b2c3d4-1111-4aaa-8bbb-000000000001',
      tenant_id: acme,
      state: 'Enabled',
    }),
  ]);
  t.is(contextOf(subscription).tenantOf(subscription.changes[0]!), acme);
  // An ARM id among the prior state's known values of the block's resources names a subscription, hence its tenant.
  const known = planWith('azurerm_role_assignment', []);
  known.priorResources.push({
    address: 'azurerm_resource_group.app',
    type: 'azurerm_resource_group',
    providerConfigKey: 'azurerm',
    values: {
      id: '/subscriptions/a1b2c3d4-1111-4aaa-8bbb-000000000001/resourceGroups/app',
      name: 'app',
      location: 'westeurope',
    },
  });
  t.is(contextOf(known).tenantOf(known.changes[0]!), acme);
  // A subscription data source that names its subscription reads another one than the provider's: it decides nothing.
  const other = planWith('azurerm_role_assignment', [
    {
      ...dataEntry('azurerm_subscription', {
        subscription_id: 'a1b2c3d4-1111-4aaa-8bbb-000000000001',
        tenant_id: acme,
      }),
      expressions: { subscription_id: { constant_value: 'a1b2c3d4-1111-4aaa-8bbb-000000000001' } },
    },
  ]);
  t.throws(() => contextOf(other).tenantOf(other.changes[0]!), { message: /cannot tell which Azure tenant/ });
});

test("Google: google_client_config or a google_project naming no project decide the provider's project when the block names none", async (t) => {
  const { projectPlan } = await import('../../src/whatif/index.js');
  const { readSnapshotFile } = await import('../../src/snapshot/load.js');
  const { googlePlanDocument } = await import('./plan-shape.js');
  const example = (await readSnapshotFile(EXAMPLE)).snapshot;
  const PROD = 'acme-prod-7781';
  const created = {
    address: 'google_service_account.deployer',
    actions: ['create'],
    after: { account_id: 'deployer', project: null, display_name: 'Deployer', disabled: false, description: '' },
    unknown: { email: true, id: true, member: true, name: true, unique_id: true },
  };
  const run = async (data: Json[]) => {
    const document = googlePlanDocument([created]) as Json;
    delete document.configuration.provider_config.google.expressions.project;
    document.prior_state.values.root_module.resources = data;
    for (const d of data)
      document.configuration.root_module.resources.push({
        address: d.address,
        mode: 'data',
        type: d.type,
        name: d.name,
        provider_config_key: 'google',
        ...(d.expressions ? { expressions: d.expressions } : {}),
      });
    const projection = await projectPlan(parsePlan(document, 'plan.json'), example, [
      join(ROOT, 'examples', 'acme', 'raw'),
    ]);
    await projection.verified;
    return projection;
  };
  const deployer = (p: Awaited<ReturnType<typeof run>>) =>
    p.snapshot.principals.some((x) => x.uid === `gcp:${PROD}:serviceAccount/deployer@${PROD}.iam.gserviceaccount.com`);
  const nothing = await run([]);
  t.regex(
    nothing.gaps.map((g) => g.reason).join(),
    /neither the provider block nor a data source it reads \(google_client_config, google_project\) names a project/,
  );
  const client = await run([
    dataEntry('google_client_config', {
      id: `projects/${PROD}/regions/europe-west1/zones/`,
      project: PROD,
      region: 'europe-west1',
      zone: '',
    }),
  ]);
  t.deepEqual(client.gaps, []);
  t.true(deployer(client));
  const project = await run([
    dataEntry('google_project', {
      project_id: PROD,
      number: '771100223344',
      name: 'acme-prod',
      org_id: '408813245716',
    }),
  ]);
  t.true(deployer(project));
  const other = await run([
    {
      ...dataEntry('google_project', { project_id: PROD, number: '771100223344' }),
      expressions: { project_id: { constant_value: PROD } },
    },
  ]);
  t.false(deployer(other), "a google_project that names its project is not the provider's");
});
