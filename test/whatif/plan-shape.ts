/**
 * Plans in the shape `terraform show -json PLANFILE` writes (format 1.x): resource_changes with change.actions,
 * before, after, after_unknown and the sensitive maps, and configuration.provider_config / root_module.resources.
 */
export const ACCOUNT = '222222222222';
const AWS = 'registry.terraform.io/hashicorp/aws';

export interface ChangeSpec {
  address: string;
  actions: string[];
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  unknown?: Record<string, unknown>;
  sensitive?: Record<string, unknown>;
  expressions?: Record<string, unknown>;
}

/** One resource change; type and name come from the address (`aws_iam_user.bob`). */
export function resourceChange(spec: ChangeSpec): Record<string, unknown> {
  const [type, name] = spec.address
    .replace(/\[.*\]$/, '')
    .split('.')
    .slice(-2) as [string, string];
  const before = spec.before ?? null;
  const after = spec.after ?? null;
  return {
    address: spec.address,
    mode: 'managed',
    type,
    name,
    provider_name: type.startsWith('aws_') ? AWS : `registry.terraform.io/hashicorp/${type.split('_')[0]}`,
    change: {
      actions: spec.actions,
      before,
      after,
      after_unknown: spec.unknown ?? {},
      before_sensitive: before === null ? false : {},
      after_sensitive: after === null ? false : (spec.sensitive ?? {}),
    },
  };
}

/** A whole plan document for the AWS provider pinned to one account and region. */
export function planDocument(specs: ChangeSpec[], account = ACCOUNT): Record<string, unknown> {
  return {
    format_version: '1.2',
    terraform_version: '1.9.8',
    planned_values: { root_module: {} },
    resource_changes: specs.map(resourceChange),
    prior_state: { format_version: '1.0', terraform_version: '1.9.8', values: { root_module: {} } },
    configuration: {
      provider_config: {
        aws: {
          name: 'aws',
          full_name: AWS,
          expressions: { region: { constant_value: 'us-east-1' }, allowed_account_ids: { constant_value: [account] } },
        },
      },
      root_module: {
        resources: specs
          .filter((s) => s.expressions)
          .map((s) => {
            const [type, name] = s.address.split('.') as [string, string];
            return {
              address: s.address,
              mode: 'managed',
              type,
              name,
              provider_config_key: 'aws',
              expressions: s.expressions,
              schema_version: 0,
            };
          }),
      },
    },
    timestamp: '2026-11-02T10:00:00Z',
    applyable: true,
    complete: true,
    errored: false,
  };
}

export const ADMIN_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
});
export const READ_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: '*' }],
});

const GOOGLE = 'registry.terraform.io/hashicorp/google';

/** A whole plan document for the google provider whose default project is `project`. */
export function googlePlanDocument(specs: ChangeSpec[], project = 'acme-prod-7781'): Record<string, unknown> {
  const document = planDocument(specs);
  const configuration = document.configuration as {
    provider_config: Record<string, unknown>;
    root_module: { resources: Array<Record<string, unknown>> };
  };
  configuration.provider_config = {
    google: {
      name: 'google',
      full_name: GOOGLE,
      expressions: { project: { constant_value: project }, region: { constant_value: 'europe-west1' } },
    },
  };
  for (const resource of configuration.root_module.resources) resource.provider_config_key = 'google';
  return document;
}
