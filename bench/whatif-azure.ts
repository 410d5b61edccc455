/**
 * What-if cost for Azure: `audit --plan` against a plain `audit` of a generated Azure tenant (default 20,000 users,
 * 3 subscriptions) imported from raw documents in the layout `collect azure --raw-out` writes, with a plan of 2,000
 * Azure changes (new users, role assignments, group memberships, directory role assignments).
 *
 *   node --import tsx bench/whatif-azure.ts [--users 20000] [--changes 2000] [--runs 3] [--reuse]
 */
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compareWhatIf, option, ROOT } from './whatif-runs.js';

const BIN = join(ROOT, 'bin', 'cloudward.js');
const COLLECTED_AT = '2026-11-01T00:00:00Z';
const TENANT = '0f0e0d0c-0b0a-4909-8807-060504030201';
const OWNER = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';
const CONTRIBUTOR = 'b24988ac-6180-42a0-ab88-20f7382dd24c';
const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
const GA = '62e90394-69f5-4237-9190-012177145e10';
const HELPDESK = '729827e3-9c14-49f7-bb1b-9608f156bbb8';
const hex = (n: number, width = 12) => n.toString(16).padStart(width, '0');
const guid = (kind: number, n: number) => `${hex(kind, 8)}-0000-4000-8000-${hex(n)}`;
const userId = (n: number) => guid(0x05e, n);
const groupId = (n: number) => guid(0x6a0, n);
const subscriptionId = (n: number) => guid(0x5ab, n);

const users = option('users', 20_000);
const changeCount = option('changes', 2_000);
const runs = option('runs', 1);
const SUBSCRIPTIONS = 3;
const GROUPS = 50;

const out = join(ROOT, 'bench', 'out', 'whatif-azure');
const raw = join(out, 'raw');
const tenantDir = join(raw, 'azure', TENANT);

const graph = (entity: string, value: unknown[]) => ({
  '@odata.context': `https://graph.microsoft.com/v1.0/$metadata#${entity}`,
  value,
});

/** The tenant as `collect azure --raw-out` writes it: Graph pages, each subscription's ARM lists, the note. */
async function writeRawTenant(): Promise<string[]> {
  const files: string[] = [];
  const json = async (path: string, body: unknown) => {
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, `${JSON.stringify(body)}\n`);
    files.push(path);
  };
  const all = Array.from({ length: users }, (_, n) => n);
  await json(
    join(tenantDir, 'graph-organization.json'),
    graph('organization', [
      {
        id: TENANT,
        displayName: 'Bench',
        verifiedDomains: [{ name: 'bench.onmicrosoft.com', isDefault: true, isInitial: true }],
      },
    ]),
  );
  await json(
    join(tenantDir, 'graph-users.json'),
    graph(
      'users',
      all.map((n) => ({
        id: userId(n),
        displayName: `User ${n}`,
        userPrincipalName: `user${n}@bench.example`,
        userType: 'Member',
        accountEnabled: true,
        createdDateTime: '2024-01-01T00:00:00Z',
      })),
    ),
  );
  await json(
    join(tenantDir, 'graph-groups.json'),
    graph(
      'groups',
      Array.from({ length: GROUPS }, (_, g) => ({
        id: groupId(g),
        displayName: `team-${g}`,
        securityEnabled: true,
        isAssignableToRole: false,
      })),
    ),
  );
  for (let g = 0; g < GROUPS; g++)
    await json(
      join(tenantDir, `graph-group-members.${groupId(g)}.json`),
      graph(
        'directoryObjects',
        all.filter((n) => n % 200 === g).map((n) => ({ '@odata.type': '#microsoft.graph.user', id: userId(n) })),
      ),
    );
  await json(join(tenantDir, 'graph-service-principals.json'), graph('servicePrincipals', []));
  await json(
    join(tenantDir, 'graph-user-registration-details.json'),
    graph(
      'reports/authenticationMethods/userRegistrationDetails',
      all.map((n) => ({
        id: userId(n),
        userPrincipalName: `user${n}@bench.example`,
        userType: 'member',
        isAdmin: false,
        isMfaRegistered: n % 10 !== 0,
        isMfaCapable: n % 10 !== 0,
        methodsRegistered: n % 10 !== 0 ? ['microsoftAuthenticatorPush'] : [],
      })),
    ),
  );
  await json(
    join(tenantDir, 'graph-directory-role-assignments.json'),
    graph(
      'roleManagement/directory/roleAssignments',
      [0, 1, 2].map((n) => ({ id: `ga-${n}`, principalId: userId(n), roleDefinitionId: GA, directoryScopeId: '/' })),
    ),
  );
  await json(
    join(tenantDir, 'graph-directory-role-eligibility-schedules.json'),
    graph('roleManagement/directory/roleEligibilitySchedules', []),
  );
  await json(
    join(tenantDir, 'graph-directory-role-assignment-schedule-instances.json'),
    graph('roleManagement/directory/roleAssignmentScheduleInstances', []),
  );
  await json(
    join(tenantDir, 'graph-directory-role-definitions.json'),
    graph('roleManagement/directory/roleDefinitions', [
      { id: GA, templateId: GA, displayName: 'Global Administrator', isBuiltIn: true, rolePermissions: [] },
    ]),
  );
  await json(
    join(tenantDir, 'graph-conditional-access-policies.json'),
    graph('identity/conditionalAccess/policies', [
      {
        id: guid(0xca0, 1),
        displayName: 'MFA for admins',
        state: 'enabled',
        conditions: { users: { includeRoles: [GA] }, applications: { includeApplications: ['All'] } },
        grantControls: { operator: 'OR', builtInControls: ['mfa'] },
      },
    ]),
  );
  await json(join(tenantDir, 'graph-security-defaults.json'), {
    '@odata.context':
      'https://graph.microsoft.com/v1.0/$metadata#policies/identitySecurityDefaultsEnforcementPolicy/$entity',
    id: '00000000-0000-0000-0000-000000000005',
    displayName: 'Security Defaults',
    isEnabled: false,
  });
  await json(
    join(tenantDir, 'arm-subscriptions.json'),
    Array.from({ length: SUBSCRIPTIONS }, (_, s) => ({
      id: `/subscriptions/${subscriptionId(s)}`,
      subscriptionId: subscriptionId(s),
      displayName: `sub-${s}`,
      tenantId: TENANT,
      state: 'Enabled',
    })),
  );
  for (let s = 0; s < SUBSCRIPTIONS; s++) {
    const id = subscriptionId(s);
    const scope = `/subscriptions/${id}`;
    const definition = (role: string, name: string, actions: string[], notActions: string[] = []) => ({
      id: `${scope}/providers/Microsoft.Authorization/roleDefinitions/${role}`,
      name: role,
      type: 'Microsoft.Authorization/roleDefinitions',
      roleName: name,
      roleType: 'BuiltInRole',
      permissions: [{ actions, notActions }],
      assignableScopes: ['/'],
    });
    const assignments = all
      .filter((n) => n % 20 === s)
      .map((n) => ({
        id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${guid(0xa55, n)}`,
        name: guid(0xa55, n),
        type: 'Microsoft.Authorization/roleAssignments',
        scope,
        roleDefinitionId: `${scope}/providers/Microsoft.Authorization/roleDefinitions/${n % 100 === s ? OWNER : READER}`,
        principalId: userId(n),
        principalType: 'User',
        condition: null,
      }));
    const groups = Array.from({ length: GROUPS }, (_, g) => ({
      id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${guid(0xa56, s * GROUPS + g)}`,
      name: guid(0xa56, s * GROUPS + g),
      type: 'Microsoft.Authorization/roleAssignments',
      scope: `${scope}/resourceGroups/rg-${g}`,
      roleDefinitionId: `${scope}/providers/Microsoft.Authorization/roleDefinitions/${CONTRIBUTOR}`,
      principalId: groupId(g),
      principalType: 'Group',
      condition: null,
    }));
    await json(join(tenantDir, id, 'arm-role-assignments.json'), [...assignments, ...groups]);
    await json(join(tenantDir, id, 'arm-role-definitions.json'), [
      definition(OWNER, 'Owner', ['*']),
      definition(CONTRIBUTOR, 'Contributor', ['*'], ['Microsoft.Authorization/*/Write']),
      definition(READER, 'Reader', ['*/read']),
    ]);
    await json(join(tenantDir, id, 'arm-role-eligibility-schedules.json'), { value: [] });
    await json(join(tenantDir, id, 'arm-role-assignment-schedule-instances.json'), { value: [] });
    await json(join(tenantDir, id, 'arm-diagnostic-settings.json'), {
      value: [
        {
          id: `${scope}/providers/microsoft.insights/diagnosticSettings/activity`,
          name: 'activity',
          workspaceId: `${scope}/resourcegroups/rg-sec/providers/microsoft.operationalinsights/workspaces/law`,
          logs: [
            { category: 'Administrative', enabled: true },
            { category: 'Security', enabled: true },
          ],
        },
      ],
    });
  }
  await json(join(tenantDir, 'cloudward-collection.json'), {
    Cloudward: { Provider: 'azure', TenantId: TENANT, CollectedAt: COLLECTED_AT },
  });
  return files;
}

/** The changes of a large identity pull request: new users, role assignments, memberships and directory roles. */
function planDocument(): Record<string, unknown> {
  const changes: unknown[] = [];
  const config: unknown[] = [];
  const add = (
    type: string,
    name: string,
    after: Record<string, unknown>,
    unknown: Record<string, unknown>,
    expressions: Record<string, unknown> = {},
  ) => {
    const provider = type.split('_')[0]!;
    changes.push({
      address: `${type}.${name}`,
      mode: 'managed',
      type,
      name,
      provider_name: `registry.terraform.io/hashicorp/${provider}`,
      change: {
        actions: ['create'],
        before: null,
        after,
        after_unknown: unknown,
        before_sensitive: false,
        after_sensitive: {},
      },
    });
    config.push({
      address: `${type}.${name}`,
      mode: 'managed',
      type,
      name,
      provider_config_key: provider,
      expressions,
      schema_version: 0,
    });
  };
  for (let i = 0; changes.length < changeCount; i++) {
    const existing = userId((i * 7) % users);
    const scope = `/subscriptions/${subscriptionId(i % SUBSCRIPTIONS)}`;
    switch (i % 4) {
      case 0:
        add(
          'azuread_user',
          `new_${i}`,
          { user_principal_name: `new${i}@bench.example`, display_name: `New ${i}`, account_enabled: true },
          { id: true, object_id: true },
        );
        break;
      case 1:
        add(
          'azurerm_role_assignment',
          `new_${i - 1}`,
          { scope, role_definition_name: i % 40 === 1 ? 'Owner' : 'Reader', condition: null },
          { id: true, name: true, principal_id: true, principal_type: true, role_definition_id: true },
          { principal_id: { references: [`azuread_user.new_${i - 1}.object_id`, `azuread_user.new_${i - 1}`] } },
        );
        break;
      case 2:
        add(
          'azuread_group_member',
          `member_${i}`,
          { group_object_id: groupId(i % GROUPS), member_object_id: existing },
          { id: true },
        );
        break;
      default:
        add(
          'azuread_directory_role_assignment',
          `role_${i}`,
          { role_id: i % 100 === 3 ? GA : HELPDESK, principal_object_id: existing, directory_scope_id: '/' },
          { id: true },
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
        azurerm: { name: 'azurerm', expressions: {} },
        azuread: { name: 'azuread', expressions: { tenant_id: { constant_value: TENANT } } },
      },
      root_module: { resources: config },
    },
    applyable: true,
    complete: true,
    errored: false,
  };
}

const tenant = join(out, 'tenant.json');
if (!process.argv.includes('--reuse')) {
  process.stderr.write(`writing an Azure tenant of ${users} users and a plan of ${changeCount} changes...\n`);
  const files = await writeRawTenant();
  const imported = spawnSync(process.execPath, [BIN, 'import', 'azure', ...files, '--output', tenant, '--quiet'], {
    encoding: 'utf8',
  });
  if (imported.status !== 0) throw new Error(imported.stderr);
  await writeFile(join(out, 'plan.json'), JSON.stringify(planDocument()));
}

await compareWhatIf({
  tenant,
  plan: join(out, 'plan.json'),
  raw,
  out,
  runs,
  result: join(ROOT, 'bench', 'out', 'whatif-azure.json'),
  facts: { users, changes: changeCount },
});
