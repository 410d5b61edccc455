/**
 * Azure plans in the shape `terraform show -json PLANFILE` writes (format 1.2), for the Acme tenant of
 * examples/acme: resource_changes for the azurerm and azuread providers, their provider blocks and resource
 * expressions in `configuration`, and a prior_state holding what the plan updates or deletes.
 */
import { resourceChange, type ChangeSpec } from './plan-shape.js';

export const TENANT = '7c3a9d2e-5b1f-4e8a-9c6d-2f4b8a1e3d5c';
export const PROD = 'a1b2c3d4-1111-4aaa-8bbb-000000000001';
export const DEV = 'a1b2c3d4-2222-4aaa-8bbb-000000000002';
export const SUB = `/subscriptions/${PROD}`;
export const ROLE = {
  owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
  custom: '3f2e1d0c-9b8a-4766-8554-4433221100aa',
  globalAdmin: '62e90394-69f5-4237-9190-012177145e10',
  privilegedRoleAdmin: 'e8611ab8-c189-46e8-94e1-60213ab1f814',
};
export const USER = {
  alice: '0b6e3c1a-0001-4d1e-9f00-00000000a11c',
  bob: '0b6e3c1a-0002-4d1e-9f00-00000000b0b0',
  carol: '0b6e3c1a-0003-4d1e-9f00-0000000ca201',
  dan: '0b6e3c1a-0006-4d1e-9f00-00000000da11',
  grace: '0b6e3c1a-0009-4d1e-9f00-0000000a6ace',
  henry: '0b6e3c1a-0010-4d1e-9f00-00000000e111',
  ines: '0b6e3c1a-0011-4d1e-9f00-0000000015e5',
};
export const GROUP = {
  webDeployers: '5e0c7a2d-0001-4b6f-9d3e-00000000ed01',
  allEmployees: '5e0c7a2d-0002-4b6f-9d3e-00000000a11e',
};
export const CA = {
  admins: '1a2b0001-6c3d-4e8f-9a0b-1c2d3e4f5a01',
  management: '1a2b0002-6c3d-4e8f-9a0b-1c2d3e4f5a02',
};
export const MANAGEMENT_API = '797f4846-ba00-4fd7-ba43-dac1f8f63013';

export const definitionId = (guid: string, sub = PROD) =>
  `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
export const assignmentId = (n: string, sub = PROD) =>
  `/subscriptions/${sub}/providers/Microsoft.Authorization/roleAssignments/c4a1e7d2-000${n}-4f3a-8b2c-00000000000${n}`;

/** The attributes the azurerm provider plans for a role assignment (the computed ones unknown on create). */
export function roleAssignment(values: Record<string, unknown>): Record<string, unknown> {
  return {
    condition: null,
    condition_version: null,
    delegated_managed_identity_resource_id: null,
    description: null,
    skip_service_principal_aad_check: null,
    ...values,
  };
}

/** A conditional access policy's nested blocks, as the azuread provider plans them. */
export function conditionalAccess(
  name: string,
  state: string,
  users: Record<string, unknown>,
  applications: string[],
  controls: string[],
): Record<string, unknown> {
  return {
    display_name: name,
    state,
    conditions: [
      {
        client_app_types: ['all'],
        applications: [{ included_applications: applications, excluded_applications: [], included_user_actions: [] }],
        users: [
          {
            included_users: [],
            excluded_users: [],
            included_groups: [],
            excluded_groups: [],
            included_roles: [],
            excluded_roles: [],
            ...users,
          },
        ],
        locations: [],
        platforms: [],
        devices: [],
        sign_in_risk_levels: [],
        user_risk_levels: [],
      },
    ],
    grant_controls: [
      {
        operator: 'OR',
        built_in_controls: controls,
        authentication_strength_policy_id: '',
        custom_authentication_factors: [],
        terms_of_use: [],
      },
    ],
    session_controls: [],
  };
}

/** A whole plan for the azurerm and azuread providers, each resource with its expressions in the configuration. */
export function azurePlan(
  specs: ChangeSpec[],
  providers: Record<string, Record<string, unknown>> = {},
): Record<string, unknown> {
  const provider = (name: string) => ({
    name,
    full_name: `registry.terraform.io/hashicorp/${name}`,
    expressions: providers[name] ?? {},
  });
  return {
    format_version: '1.2',
    terraform_version: '1.9.8',
    planned_values: { root_module: {} },
    resource_changes: specs.map(resourceChange),
    prior_state: {
      format_version: '1.0',
      terraform_version: '1.9.8',
      values: {
        root_module: {
          resources: specs
            .filter((s) => s.before)
            .map((s) => ({
              address: s.address,
              mode: 'managed',
              type: s.address.split('.').at(-2),
              name: s.address.split('.').at(-1),
              values: s.before,
            })),
        },
      },
    },
    configuration: {
      provider_config: {
        azurerm: { ...provider('azurerm'), expressions: { features: [{}], ...(providers.azurerm ?? {}) } },
        azuread: provider('azuread'),
      },
      root_module: {
        resources: specs.map((s) => {
          const [type, name] = s.address.replace(/\[.*\]$/, '').split('.') as [string, string];
          return {
            address: `${type}.${name}`,
            mode: 'managed',
            type,
            name,
            provider_config_key: type.split('_')[0],
            expressions: s.expressions ?? {},
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
