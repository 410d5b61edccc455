import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import type { Principal, Snapshot } from '../../src/snapshot/model.js';
import { readSnapshotFile } from '../../src/snapshot/load.js';
import { projectPlan, type WhatIfProjection } from '../../src/whatif/index.js';
import { parsePlan } from '../../src/providers/whatif/plan.js';
import { EXAMPLE, fixture, ROOT } from '../helpers/cli.js';
import {
  assignmentId,
  azurePlan,
  CA,
  conditionalAccess,
  definitionId,
  DEV,
  GROUP,
  MANAGEMENT_API,
  PROD,
  ROLE,
  roleAssignment,
  SUB,
  TENANT,
  USER,
} from './azure-plan.js';
import type { ChangeSpec } from './plan-shape.js';

// The whole raw folder: AWS, Azure, GCP and host documents side by side; the Azure projector takes its own.
const RAW = join(ROOT, 'examples', 'acme', 'raw');
let example: Snapshot;

test.before(async () => {
  example = (await readSnapshotFile(EXAMPLE)).snapshot;
});

async function project(
  specs: ChangeSpec[],
  providers?: Record<string, Record<string, unknown>>,
): Promise<WhatIfProjection> {
  const projection = await projectPlan(parsePlan(azurePlan(specs, providers), 'plan.json'), example, [RAW]);
  await projection.verified;
  return projection;
}

const uidOf = (kind: string, id: string) => `azure:${TENANT}:${kind}/${id}`;
const principal = (p: WhatIfProjection, kind: string, id: string): Principal | undefined =>
  p.snapshot.principals.find((x) => x.uid === uidOf(kind, id));
const user = (p: WhatIfProjection, id: string) => principal(p, 'user', id);
const effectOf = (p: WhatIfProjection, address: string) => p.effects.find((e) => e.address === address)?.uids ?? [];
const roles = (x: Principal | undefined) =>
  (x?.assignments ?? [])
    .map((a) => `${a.role.split('/').at(-1)} ${a.scope} ${a.mode}${a.via === 'direct' ? '' : ' via group'}`)
    .sort();

test('azurerm_role_assignment: create by role name, update to another role, delete by id', async (t) => {
  const p = await project([
    {
      address: 'azurerm_role_assignment.henry',
      actions: ['create'],
      after: roleAssignment({ scope: SUB, role_definition_name: 'Owner', principal_id: USER.henry }),
      unknown: { id: true, name: true, principal_type: true, role_definition_id: true },
    },
    {
      address: 'azurerm_role_assignment.dan',
      actions: ['delete', 'create'],
      before: roleAssignment({
        id: assignmentId('7', DEV),
        name: 'c4a1e7d2-0007-4f3a-8b2c-000000000007',
        scope: `/subscriptions/${DEV}`,
        role_definition_id: definitionId(ROLE.contributor, DEV),
        role_definition_name: 'Contributor',
        principal_id: USER.dan,
        principal_type: 'User',
      }),
      after: roleAssignment({
        scope: `/subscriptions/${DEV}`,
        role_definition_id: definitionId(ROLE.reader, DEV),
        principal_id: USER.dan,
      }),
      unknown: { id: true, name: true, principal_type: true, role_definition_name: true },
    },
    {
      address: 'azurerm_role_assignment.bob',
      actions: ['delete'],
      before: roleAssignment({
        id: assignmentId('1'),
        name: 'c4a1e7d2-0001-4f3a-8b2c-000000000001',
        scope: SUB,
        role_definition_id: definitionId(ROLE.owner),
        role_definition_name: 'Owner',
        principal_id: USER.bob,
        principal_type: 'User',
      }),
    },
  ]);
  t.deepEqual(p.gaps, []);
  const henry = user(p, USER.henry)!;
  t.like(henry, { mfa: { state: 'disabled' }, privilege: { level: 'admin' } });
  t.deepEqual(roles(henry), [`${ROLE.owner} ${SUB} standing`]);
  t.true(roles(user(p, USER.dan)).includes(`${ROLE.reader} /subscriptions/${DEV} standing`));
  t.false(roles(user(p, USER.dan)).some((r) => r.startsWith(ROLE.contributor) && r.includes(DEV)));
  t.deepEqual(roles(user(p, USER.bob)), [`${ROLE.globalAdmin} / standing`], 'bob keeps only Global Administrator');
  t.true(effectOf(p, 'azurerm_role_assignment.henry').includes(uidOf('user', USER.henry)));
  t.deepEqual(
    p.notes.map((n) => [n.outcome, n.scope]),
    [
      ['projected', `azure:tenant/${TENANT}`],
      ['projected', `azure:tenant/${TENANT}`],
      ['projected', `azure:tenant/${TENANT}`],
    ],
  );
});

test('azurerm_role_definition: a custom role created and assigned in one plan resolves through references; update and delete', async (t) => {
  const p = await project([
    {
      address: 'azurerm_role_definition.ops',
      actions: ['create'],
      after: {
        name: 'Ops Everything',
        scope: SUB,
        description: null,
        permissions: [{ actions: ['*'], not_actions: [], data_actions: [], not_data_actions: [] }],
        assignable_scopes: [SUB],
      },
      unknown: { id: true, role_definition_id: true, role_definition_resource_id: true },
    },
    {
      address: 'azurerm_role_assignment.grace_ops',
      actions: ['create'],
      after: roleAssignment({ scope: SUB, principal_id: USER.grace, principal_type: 'User' }),
      unknown: { id: true, name: true, role_definition_id: true, role_definition_name: true },
      expressions: {
        scope: { constant_value: SUB },
        principal_id: { constant_value: USER.grace },
        role_definition_id: {
          references: ['azurerm_role_definition.ops.role_definition_resource_id', 'azurerm_role_definition.ops'],
        },
      },
    },
    {
      address: 'azurerm_role_definition.operator',
      actions: ['update'],
      before: {
        role_definition_id: ROLE.custom,
        name: 'Acme Subscription Operator',
        scope: SUB,
        permissions: [{ actions: ['*'], not_actions: [], data_actions: [], not_data_actions: [] }],
        assignable_scopes: [SUB],
      },
      after: {
        role_definition_id: ROLE.custom,
        name: 'Acme Subscription Operator',
        scope: SUB,
        permissions: [
          {
            actions: ['Microsoft.Resources/subscriptions/resourceGroups/read'],
            not_actions: [],
            data_actions: [],
            not_data_actions: [],
          },
        ],
        assignable_scopes: [SUB],
      },
    },
  ]);
  t.deepEqual(p.gaps, []);
  const created = p.snapshot.roles.find((r) => r.name === 'Ops Everything')!;
  t.like(created, { builtIn: false, privilege: { level: 'admin' }, permissions: { allow: ['*'] } });
  t.is(user(p, USER.grace)!.privilege?.level, 'admin');
  t.true(user(p, USER.grace)!.assignments!.some((a) => a.role === created.uid));
  t.deepEqual(p.snapshot.roles.find((r) => r.uid === uidOf('roleDefinition', ROLE.custom))!.permissions.allow, [
    'Microsoft.Resources/subscriptions/resourceGroups/read',
  ]);
  const gone = await project([
    {
      address: 'azurerm_role_definition.operator',
      actions: ['delete'],
      before: { role_definition_id: ROLE.custom, name: 'Acme Subscription Operator', scope: SUB },
    },
  ]);
  t.false(gone.snapshot.roles.some((r) => r.uid === uidOf('roleDefinition', ROLE.custom)));
});

test('PIM: an eligible assignment with an end, an active one that expires; deleting an eligibility removes it', async (t) => {
  const schedule = (end: string) => [
    {
      start_date_time: '2026-11-03T00:00:00Z',
      expiration: [{ duration_days: 0, duration_hours: 0, end_date_time: end }],
    },
  ];
  const p = await project([
    {
      address: 'azurerm_pim_eligible_role_assignment.grace',
      actions: ['create'],
      after: {
        scope: SUB,
        role_definition_id: definitionId(ROLE.owner),
        principal_id: USER.grace,
        justification: 'on call',
        schedule: schedule('2027-02-01T00:00:00Z'),
        ticket: [],
      },
      unknown: { id: true, principal_type: true },
    },
    {
      address: 'azurerm_pim_active_role_assignment.henry',
      actions: ['create'],
      after: {
        scope: SUB,
        role_definition_id: definitionId(ROLE.contributor),
        principal_id: USER.henry,
        justification: 'migration',
        schedule: [
          {
            start_date_time: '2026-11-03T00:00:00Z',
            expiration: [{ duration_days: 0, duration_hours: 8, end_date_time: null }],
          },
        ],
        ticket: [],
      },
      unknown: { id: true, principal_type: true },
    },
    {
      address: 'azurerm_pim_eligible_role_assignment.alice',
      actions: ['delete'],
      before: {
        id: `${SUB}|${definitionId(ROLE.owner)}|${USER.alice}`,
        scope: SUB,
        role_definition_id: definitionId(ROLE.owner),
        principal_id: USER.alice,
        principal_type: 'User',
      },
    },
  ]);
  t.deepEqual(p.gaps, []);
  t.like(
    user(p, USER.grace)!.assignments!.find((a) => a.mode === 'eligible'),
    { role: uidOf('roleDefinition', ROLE.owner), scope: SUB, expiresAt: '2027-02-01T00:00:00Z' },
  );
  t.like(
    user(p, USER.henry)!.assignments!.find((a) => a.role === uidOf('roleDefinition', ROLE.contributor)),
    { mode: 'standing', expiresAt: '2026-11-03T08:00:00Z' },
  );
  t.false(user(p, USER.alice)!.assignments!.some((a) => a.mode === 'eligible' && a.scope === SUB));
});

test('azuread_directory_role_assignment and azuread_user: a new user made Global Administrator has no MFA; deleting a user removes its roles', async (t) => {
  const p = await project([
    {
      address: 'azuread_user.ops',
      actions: ['create'],
      after: { user_principal_name: 'ops@acme.com', display_name: 'Ops', account_enabled: true, mail_nickname: 'ops' },
      unknown: { id: true, object_id: true, password: true },
      sensitive: { password: true },
    },
    {
      address: 'azuread_directory_role_assignment.ops',
      actions: ['create'],
      after: { role_id: ROLE.globalAdmin, directory_scope_id: '/', app_scope_id: null },
      unknown: { id: true, principal_object_id: true },
      expressions: {
        role_id: { constant_value: ROLE.globalAdmin },
        principal_object_id: { references: ['azuread_user.ops.object_id', 'azuread_user.ops'] },
      },
    },
    {
      address: 'azuread_directory_role_assignment.carol',
      actions: ['delete'],
      before: {
        id: 'lAPpYvVpN0KRkAEhdxReEJPz-carol',
        role_id: ROLE.globalAdmin,
        principal_object_id: USER.carol,
        directory_scope_id: '/',
      },
    },
    {
      address: 'azuread_user.ines',
      actions: ['delete'],
      before: {
        object_id: USER.ines,
        id: USER.ines,
        user_principal_name: 'ines.former@acme.com',
        account_enabled: true,
      },
    },
    {
      address: 'azuread_user.grace',
      actions: ['update'],
      before: {
        object_id: USER.grace,
        id: USER.grace,
        user_principal_name: 'grace.reader@acme.com',
        display_name: 'Grace Liu',
        account_enabled: true,
      },
      after: {
        object_id: USER.grace,
        id: USER.grace,
        user_principal_name: 'grace.reader@acme.com',
        display_name: 'Grace Liu',
        account_enabled: false,
      },
    },
  ]);
  t.deepEqual(p.gaps, [], 'a sensitive password is never read, and not needed');
  const ops = user(p, 'planned-azuread-user-ops')!;
  t.like(ops, { name: 'ops@acme.com', enabled: true, mfa: { state: 'disabled' }, privilege: { level: 'admin' } });
  t.deepEqual(roles(ops), [`${ROLE.globalAdmin} / standing`]);
  t.is(user(p, USER.carol)!.privilege?.level, 'none');
  t.is(user(p, USER.ines), undefined);
  t.is(user(p, USER.grace)!.enabled, false);
  t.true(effectOf(p, 'azuread_directory_role_assignment.ops').includes(ops.uid));
});

test("azuread_group_member and azuread_group: members inherit the group's roles; a new role-assignable group with members", async (t) => {
  const p = await project([
    {
      address: 'azuread_group_member.henry_web',
      actions: ['create'],
      after: { group_object_id: GROUP.webDeployers, member_object_id: USER.henry },
      unknown: { id: true },
    },
    {
      address: 'azuread_group_member.dan_web',
      actions: ['delete'],
      before: {
        id: `${GROUP.webDeployers}/member/${USER.dan}`,
        group_object_id: GROUP.webDeployers,
        member_object_id: USER.dan,
      },
    },
    {
      address: 'azuread_group.tier0',
      actions: ['create'],
      after: {
        display_name: 'tier0-admins',
        security_enabled: true,
        assignable_to_role: true,
        members: [USER.grace],
        mail_enabled: false,
      },
      unknown: { id: true, object_id: true },
    },
    {
      address: 'azuread_directory_role_assignment.tier0',
      actions: ['create'],
      after: { role_id: ROLE.globalAdmin, directory_scope_id: '/' },
      unknown: { id: true, principal_object_id: true },
      expressions: { principal_object_id: { references: ['azuread_group.tier0.object_id', 'azuread_group.tier0'] } },
    },
  ]);
  t.deepEqual(p.gaps, []);
  t.deepEqual(roles(user(p, USER.henry)), [`${ROLE.contributor} ${SUB}/resourceGroups/rg-web standing via group`]);
  t.false(roles(user(p, USER.dan)).some((r) => r.includes('via group')));
  t.true(roles(user(p, USER.grace)).includes(`${ROLE.globalAdmin} / standing via group`));
  t.is(user(p, USER.grace)!.privilege?.level, 'admin');
  t.true(
    effectOf(p, 'azuread_directory_role_assignment.tier0').includes(uidOf('user', USER.grace)),
    "a group's change reaches its members",
  );
});

test('azuread_conditional_access_policy: enabling, creating and deleting policies changes who must use MFA', async (t) => {
  const p = await project([
    {
      address: 'azuread_conditional_access_policy.management',
      actions: ['update'],
      before: {
        id: CA.management,
        ...conditionalAccess(
          'CA02 Require MFA for Azure management',
          'enabledForReportingButNotEnforced',
          { included_users: ['All'] },
          [MANAGEMENT_API],
          ['mfa'],
        ),
      },
      after: {
        id: CA.management,
        ...conditionalAccess(
          'CA02 Require MFA for Azure management',
          'enabled',
          { included_users: ['All'] },
          [MANAGEMENT_API],
          ['mfa'],
        ),
      },
    },
    {
      address: 'azuread_conditional_access_policy.admins',
      actions: ['delete'],
      before: {
        id: CA.admins,
        ...conditionalAccess(
          'CA01 Require MFA for admin roles',
          'enabled',
          { included_roles: [ROLE.globalAdmin] },
          ['All'],
          ['mfa'],
        ),
      },
    },
    {
      address: 'azuread_conditional_access_policy.everyone',
      actions: ['create'],
      after: conditionalAccess(
        'CA04 MFA for everyone',
        'enabled',
        { included_users: ['All'], excluded_users: [USER.henry] },
        ['All'],
        ['mfa'],
      ),
      unknown: { id: true },
    },
  ]);
  t.deepEqual(p.gaps, []);
  const enforcement = (id: string) =>
    (user(p, id)!.details as { mfaEnforcement: { allApps: string; azureManagement: string; by: string[] } })
      .mfaEnforcement;
  t.deepEqual(enforcement(USER.grace), {
    allApps: 'yes',
    azureManagement: 'yes',
    by: ['CA02 Require MFA for Azure management', 'CA04 MFA for everyone'],
  });
  t.deepEqual(enforcement(USER.henry).allApps, 'no', 'henry is excluded from CA04');
  t.false(p.snapshot.controls.some((c) => c.uid === uidOf('conditionalAccess', CA.admins)));
  t.is(p.snapshot.controls.find((c) => c.uid === uidOf('conditionalAccess', CA.management))!.state, 'enabled');
  t.true(
    effectOf(p, 'azuread_conditional_access_policy.everyone').includes(uidOf('user', USER.henry)),
    'a policy change reaches every user',
  );
});

test("azurerm_monitor_diagnostic_setting: the activity log export of a subscription; a resource's setting is not posture", async (t) => {
  const p = await project([
    {
      address: 'azurerm_monitor_diagnostic_setting.activity',
      actions: ['delete'],
      before: {
        name: 'activity-to-sentinel',
        target_resource_id: SUB,
        log_analytics_workspace_id:
          '/subscriptions/x/resourcegroups/rg-sec/providers/microsoft.operationalinsights/workspaces/law-sec-prod',
        enabled_log: [{ category: 'Administrative', category_group: '' }],
      },
    },
    {
      address: 'azurerm_monitor_diagnostic_setting.audit',
      actions: ['create'],
      after: {
        name: 'audit-to-storage',
        target_resource_id: SUB,
        storage_account_id: null,
        eventhub_name: null,
        eventhub_authorization_rule_id: null,
        log_analytics_destination_type: null,
        partner_solution_id: null,
        enabled_log: [
          { category: 'Administrative', category_group: '' },
          { category: 'Security', category_group: '' },
        ],
        log: [],
        metric: [],
      },
      unknown: { id: true, log_analytics_workspace_id: true },
    },
    {
      address: 'azurerm_monitor_diagnostic_setting.vault',
      actions: ['create'],
      after: {
        name: 'kv',
        target_resource_id: `${SUB}/resourceGroups/rg-sec/providers/Microsoft.KeyVault/vaults/kv-sec`,
        enabled_log: [{ category: 'AuditEvent', category_group: '' }],
      },
      unknown: { id: true },
    },
  ]);
  t.deepEqual(p.gaps, []);
  t.false(p.snapshot.controls.some((c) => c.uid === `azure:${PROD}:diagnosticSetting/activity-to-sentinel`));
  t.like(
    p.snapshot.controls.find((c) => c.uid === `azure:${PROD}:diagnosticSetting/audit-to-storage`),
    { state: 'enabled', settings: { categories: ['Administrative', 'Security'] } },
  );
  t.deepEqual(
    p.notes.map((n) => [n.address, n.outcome, n.scope]),
    [
      ['azurerm_monitor_diagnostic_setting.audit', 'projected', `azure:subscription/${PROD}`],
      ['azurerm_monitor_diagnostic_setting.vault', 'not-projected', undefined],
      ['azurerm_monitor_diagnostic_setting.activity', 'projected', `azure:subscription/${PROD}`],
    ],
  );
  t.true(
    p.projectedScopes.includes(`azure:subscription/${PROD}`),
    "the subscription's scope is replaced and evaluated again",
  );
});

test('values known only after apply and sensitive values become gaps naming the address and attribute', async (t) => {
  const p = await project([
    {
      address: 'azurerm_role_assignment.who',
      actions: ['create'],
      after: roleAssignment({ scope: SUB, role_definition_name: 'Owner' }),
      unknown: { id: true, name: true, principal_id: true, principal_type: true, role_definition_id: true },
      expressions: { principal_id: { references: ['var.principal'] } },
    },
    {
      address: 'azurerm_role_assignment.cond',
      actions: ['create'],
      after: roleAssignment({
        scope: SUB,
        role_definition_name: 'Owner',
        principal_id: USER.grace,
        principal_type: 'User',
        condition: 'x',
      }),
      unknown: { id: true, name: true, role_definition_id: true },
      sensitive: { condition: true },
    },
    {
      address: 'azuread_conditional_access_policy.later',
      actions: ['create'],
      after: {
        display_name: 'later',
        state: 'enabled',
        grant_controls: [{ operator: 'OR', built_in_controls: ['mfa'] }],
      },
      unknown: { id: true, conditions: [{ users: [{ included_users: true }] }] },
    },
  ]);
  t.deepEqual(
    p.gaps.map((g) => [g.address, g.attribute, g.reason, g.scopes]),
    [
      [
        'azuread_conditional_access_policy.later',
        'conditions',
        'conditions is known only after apply',
        [`azure:tenant/${TENANT}`],
      ],
      [
        'azurerm_role_assignment.who',
        'principal_id',
        'principal_id is known only after apply',
        [`azure:tenant/${TENANT}`],
      ],
      [
        'azurerm_role_assignment.cond',
        'condition',
        'condition is sensitive; cloudward does not read sensitive plan values',
        [],
      ],
    ],
  );
  t.deepEqual(
    p.notes.map((n) => n.outcome),
    ['unknown', 'unknown', 'unknown'],
  );
});

test('a principal neither in the snapshot nor in the plan is a new principal of the tenant; with no type it is a gap', async (t) => {
  const stranger = '0b6e3c1a-0099-4d1e-9f00-00000000ffff';
  const p = await project([
    {
      address: 'azurerm_role_assignment.typed',
      actions: ['create'],
      after: roleAssignment({
        scope: SUB,
        role_definition_name: 'Owner',
        principal_id: stranger,
        principal_type: 'User',
      }),
      unknown: { id: true, name: true, role_definition_id: true },
    },
    {
      address: 'azurerm_role_assignment.untyped',
      actions: ['create'],
      after: roleAssignment({
        scope: SUB,
        role_definition_name: 'Reader',
        principal_id: '0b6e3c1a-0099-4d1e-9f00-00000000eeee',
      }),
      unknown: { id: true, name: true, principal_type: true, role_definition_id: true },
    },
    {
      address: 'azurerm_role_assignment.everyone',
      actions: ['create'],
      after: roleAssignment({
        scope: SUB,
        role_definition_name: 'Owner',
        principal_id: GROUP.allEmployees,
        principal_type: 'Group',
      }),
      unknown: { id: true, name: true, role_definition_id: true },
    },
  ]);
  t.like(user(p, stranger), {
    mfa: { state: 'unknown' },
    privilege: { level: 'admin' },
    details: { unresolved: true },
  });
  t.deepEqual(
    p.gaps.map((g) => [g.address, g.attribute, g.scopes]),
    [
      ['azurerm_role_assignment.untyped', 'principal_id', []],
      ['azurerm_role_assignment.everyone', 'principal_id', [`azure:tenant/${TENANT}`]],
    ],
  );
  t.regex(p.gaps[1]!.reason, /members of group 5e0c7a2d-0002-4b6f-9d3e-00000000a11e were not read/);
});

test('a scope the snapshot does not cover is refused, naming it; a known management group is accepted', async (t) => {
  const other = 'ffffffff-1111-4aaa-8bbb-000000000009';
  const error = await t.throwsAsync(
    project([
      {
        address: 'azurerm_role_assignment.x',
        actions: ['create'],
        after: roleAssignment({
          scope: `/subscriptions/${other}`,
          role_definition_name: 'Owner',
          principal_id: USER.henry,
        }),
        unknown: { id: true },
      },
    ]),
  );
  t.is(error?.name, 'UserError');
  t.regex(
    error!.message,
    new RegExp(`Azure subscription ${other} \\(azurerm_role_assignment\\.x\\), which the snapshot does not cover`),
  );
  const mg = await t.throwsAsync(
    project([
      {
        address: 'azurerm_role_assignment.mg',
        actions: ['create'],
        after: roleAssignment({
          scope: '/providers/Microsoft.Management/managementGroups/contoso-root',
          role_definition_name: 'Owner',
          principal_id: USER.henry,
        }),
        unknown: { id: true },
      },
    ]),
  );
  t.regex(
    mg!.message,
    /Azure management group contoso-root \(azurerm_role_assignment\.mg\), which the snapshot does not cover/,
  );
  const tenant = await t.throwsAsync(
    project(
      [
        {
          address: 'azuread_user.x',
          actions: ['create'],
          after: { user_principal_name: 'x@contoso.com' },
          unknown: { object_id: true },
        },
      ],
      { azuread: { tenant_id: { constant_value: 'ffffffff-0000-4000-8000-000000000000' } } },
    ),
  );
  t.regex(
    tenant!.message,
    /Azure tenant ffffffff-0000-4000-8000-000000000000 \(azuread_user\.x\), which the snapshot does not cover/,
  );
  const known = await project([
    {
      address: 'azurerm_role_assignment.root',
      actions: ['create'],
      after: roleAssignment({
        scope: '/providers/Microsoft.Management/managementGroups/acme-root',
        role_definition_name: 'Owner',
        principal_id: USER.henry,
      }),
      unknown: { id: true, name: true, principal_type: true, role_definition_id: true },
    },
  ]);
  t.deepEqual(roles(user(known, USER.henry)), [
    `${ROLE.owner} /providers/Microsoft.Management/managementGroups/acme-root standing`,
  ]);
});

test('Azure types not projected: posture types leave the tenant unknown, others are listed as not projected', async (t) => {
  const p = await project([
    {
      address: 'azuread_application_password.ci',
      actions: ['create'],
      after: { display_name: 'ci' },
      unknown: { id: true, value: true, application_id: true },
      sensitive: { value: true },
    },
    {
      address: 'azurerm_storage_account.logs',
      actions: ['create'],
      after: { name: 'acmelogs' },
      unknown: { id: true },
    },
    {
      address: 'azapi_resource.owner',
      actions: ['create'],
      after: { type: 'Microsoft.Authorization/roleAssignments@2022-04-01', name: 'x' },
      unknown: { id: true, parent_id: true },
    },
    {
      address: 'azapi_resource.vnet',
      actions: ['create'],
      after: { type: 'Microsoft.Network/virtualNetworks@2024-01-01', name: 'vnet' },
      unknown: { id: true },
    },
  ]);
  t.deepEqual(
    p.notes.map((n) => [n.address, n.outcome, n.reason]),
    [
      ['azuread_application_password.ci', 'unknown', 'projection for azuread_application_password not supported'],
      ['azurerm_storage_account.logs', 'not-projected', 'azurerm_storage_account does not change M1026/M1038 posture'],
      ['azapi_resource.owner', 'unknown', 'projection for azapi_resource not supported'],
      ['azapi_resource.vnet', 'not-projected', 'azapi_resource does not change M1026/M1038 posture'],
    ],
  );
  // Nothing projected: the raw documents are not read, and every Azure result is left open.
  t.deepEqual(
    p.gaps.map((g) => g.scopes),
    [['azure'], ['azure']],
  );
  const withRaw = await project([
    {
      address: 'azuread_application_password.ci',
      actions: ['create'],
      after: { display_name: 'ci' },
      unknown: { id: true, value: true },
      sensitive: { value: true },
    },
    {
      address: 'azuread_user.grace',
      actions: ['update'],
      before: { object_id: USER.grace, user_principal_name: 'grace.reader@acme.com', account_enabled: true },
      after: { object_id: USER.grace, user_principal_name: 'grace.reader@acme.com', account_enabled: true },
    },
  ]);
  t.deepEqual(
    withRaw.gaps.map((g) => [g.address, g.scopes]),
    [['azuread_application_password.ci', [`azure:tenant/${TENANT}`]]],
  );
});

test('a plan holding every supported Azure type round-trips through projection with the expected findings', async (t) => {
  const plan = parsePlan(
    JSON.parse(await readFile(fixture('whatif', 'every-azure-type.plan.json'), 'utf8')),
    'every-azure-type.plan.json',
  );
  const p = await projectPlan(plan, example, [RAW]);
  await p.verified;
  const types = new Set(plan.changes.map((c) => c.type));
  const { AZURE_PROJECTED_TYPES } = await import('../../src/providers/azure/whatif/index.js');
  for (const type of AZURE_PROJECTED_TYPES) t.true(types.has(type), `the fixture lacks ${type}`);
  t.deepEqual(
    p.notes.filter((n) => n.outcome !== 'projected').map((n) => [n.address, n.outcome]),
    [
      ['azuread_directory_role.global_admin', 'not-projected'],
      // An app registration that sets no owners changes no one's access.
      ['azuread_application.ci', 'not-projected'],
      // The example's raw documents list no app registrations: an owner of one is unknown, never a silent pass.
      ['azuread_application_owner.ci_dan', 'unknown'],
      ['azurerm_resource_group.ops', 'not-projected'],
    ],
  );
  const ops = user(p, 'planned-azuread-user-ops')!;
  t.like(ops, { mfa: { state: 'disabled' }, privilege: { level: 'admin' } });
  t.deepEqual(
    roles(ops),
    [
      `${ROLE.globalAdmin} / standing via group`,
      `${ROLE.privilegedRoleAdmin} / eligible`,
      `${ROLE.owner} ${SUB} eligible`,
      'planned-azurerm-role-definition-ops /subscriptions/a1b2c3d4-1111-4aaa-8bbb-000000000001 standing',
    ].sort(),
  );
  t.true(
    roles(principal(p, 'servicePrincipal', 'planned-azuread-service-principal-ci')).includes(
      `${ROLE.globalAdmin} / standing`,
    ),
    'azuread_directory_role_member resolves the activated role to its template',
  );
  t.like(principal(p, 'managedIdentity', 'planned-azurerm-user-assigned-identity-deployer'), {
    privilege: { level: 'privileged' },
  });
  t.like(principal(p, 'servicePrincipal', 'planned-azuread-service-principal-ci'), { privilege: { level: 'admin' } });
  t.is(p.snapshot.controls.find((c) => c.uid === uidOf('conditionalAccess', CA.management))!.state, 'enabled');
  t.like(
    p.snapshot.controls.find((c) => c.uid === `azure:${DEV}:diagnosticSetting/activity`),
    { state: 'enabled' },
  );
  t.deepEqual(
    p.projectedScopes.sort(),
    [`azure:subscription/${PROD}`, `azure:subscription/${DEV}`, `azure:tenant/${TENANT}`].sort(),
  );
});

test('deleting and replacing directory objects takes their roles with them; an in-place update keeps the assignment', async (t) => {
  const mi = '4f1d2c3b-0002-4c7e-8a11-0000000000f1';
  const sp = '4f1d2c3b-0001-4c7e-8a11-00000000d3b1';
  const bobOwner = roleAssignment({
    id: assignmentId('1'),
    name: 'c4a1e7d2-0001-4f3a-8b2c-000000000001',
    scope: SUB,
    role_definition_id: definitionId(ROLE.owner),
    role_definition_name: 'Owner',
    principal_id: USER.bob,
    principal_type: 'User',
  });
  const p = await project([
    {
      address: 'azuread_group.web',
      actions: ['delete'],
      before: {
        object_id: GROUP.webDeployers,
        display_name: 'web-deployers',
        security_enabled: true,
        members: [USER.dan],
      },
    },
    {
      address: 'azurerm_user_assigned_identity.remediation',
      actions: ['delete'],
      before: { name: 'mi-policy-remediation', principal_id: mi, client_id: 'c2d3e4f5-a6b7-4c8d-9e0f-1a2b3c4d5e6f' },
    },
    {
      address: 'azuread_service_principal.github',
      actions: ['delete'],
      before: { object_id: sp, client_id: '9a8b7c6d-5e4f-4a3b-9c2d-1e0f2a3b4c5d' },
    },
    {
      address: 'azuread_user.grace',
      actions: ['delete', 'create'],
      before: { object_id: USER.grace, user_principal_name: 'grace.reader@acme.com', account_enabled: true },
      after: { user_principal_name: 'grace.reader@acme.com', account_enabled: true },
      unknown: { object_id: true, id: true },
    },
    {
      address: 'azurerm_role_assignment.bob',
      actions: ['update'],
      before: bobOwner,
      after: { ...bobOwner, description: 'break-glass owner' },
    },
  ]);
  t.deepEqual(p.gaps, []);
  t.is(principal(p, 'group', GROUP.webDeployers), undefined);
  t.false(roles(user(p, USER.dan)).some((r) => r.includes('via group')));
  t.is(principal(p, 'managedIdentity', mi), undefined, "a deleted identity's role assignments go with it");
  t.is(principal(p, 'servicePrincipal', sp), undefined);
  t.is(user(p, USER.grace), undefined);
  t.like(user(p, 'planned-azuread-user-grace'), {
    name: 'grace.reader@acme.com',
    privilege: { level: 'none' },
    mfa: { state: 'disabled' },
  });
  t.deepEqual(roles(user(p, USER.bob)), [`${ROLE.globalAdmin} / standing`, `${ROLE.owner} ${SUB} standing`]);
});

test("azuread_service_principal owners: the projected service principal lists them as Graph's $expand=owners does, and each owner is touched; owners known only after apply are a gap", async (t) => {
  const { azureProjector } = await import('../../src/providers/azure/whatif/index.js');
  const { rawFiles } = await import('../../src/whatif/index.js');
  const { DocumentKind } = await import('../../src/providers/azure/documents.js');
  const GITHUB_DEPLOY = { id: '4f1d2c3b-0001-4c7e-8a11-00000000d3b1', appId: '9a8b7c6d-5e4f-4a3b-9c2d-1e0f2a3b4c5d' };
  const sp = {
    object_id: GITHUB_DEPLOY.id,
    client_id: GITHUB_DEPLOY.appId,
    account_enabled: true,
    app_role_assignment_required: false,
  };
  const run = async (spec: ChangeSpec) => {
    const plan = parsePlan(azurePlan([spec]), 'plan.json');
    const bundles = await azureProjector.readRaw!(await rawFiles([RAW]));
    const projection = azureProjector.project(plan, plan.changes, bundles, new Set([TENANT, PROD, DEV]));
    const item = projection.bundles
      .flatMap((b) => b.documents)
      .filter((d) => d.kind === DocumentKind.servicePrincipals)
      .flatMap((d) => (d.body as { value: Array<Record<string, unknown>> }).value)
      .find((i) => i.id === GITHUB_DEPLOY.id);
    return { projection, item };
  };
  const owned = await run({
    address: 'azuread_service_principal.github_deploy',
    actions: ['update'],
    before: { ...sp, owners: [] },
    after: { ...sp, owners: [USER.dan] },
  });
  t.deepEqual(owned.projection.gaps, []);
  t.deepEqual(owned.item?.owners, [{ '@odata.type': '#microsoft.graph.user', id: USER.dan }]);
  const part = (await import('../../src/providers/azure/index.js')).azureProvider.normalize(owned.projection.bundles);
  t.true(
    owned.projection
      .effects(part)
      .find((e) => e.address === 'azuread_service_principal.github_deploy')!
      .uids.includes(uidOf('user', USER.dan)),
    'the new owner is what the change touches',
  );
  const later = await run({
    address: 'azuread_service_principal.github_deploy',
    actions: ['update'],
    before: { ...sp, owners: [] },
    after: { ...sp },
    unknown: { owners: true },
  });
  t.deepEqual(
    later.projection.gaps.map((g) => [g.address, g.attribute, g.reason]),
    [['azuread_service_principal.github_deploy', 'owners', 'owners is known only after apply']],
  );
  // A plan that leaves owners alone leaves the documents' own.
  const untouched = await run({
    address: 'azuread_service_principal.github_deploy',
    actions: ['update'],
    before: { ...sp, account_enabled: true },
    after: { ...sp, account_enabled: false },
  });
  t.is(untouched.item?.owners, undefined);
});

/** github-deploy's app registration, as `az rest` prints Graph's /applications?$expand=owners, and its service principal. */
const APP = { id: 'ffffffff-0000-4000-8000-0000000000d3', appId: '9a8b7c6d-5e4f-4a3b-9c2d-1e0f2a3b4c5d' };
const GITHUB_DEPLOY = '4f1d2c3b-0001-4c7e-8a11-00000000d3b1';

/** Projects a plan on the example's documents, with github-deploy's app registration among them when `listed`. */
async function projectWithApps(specs: ChangeSpec[], listed: boolean) {
  const { azureProjector } = await import('../../src/providers/azure/whatif/index.js');
  const { rawFiles } = await import('../../src/whatif/index.js');
  const listing = {
    kind: 'azure.graph.applications',
    origin: 'applications.json',
    body: {
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#applications(owners())',
      value: [{ id: APP.id, appId: APP.appId, displayName: 'github-deploy', owners: [] }],
    },
  };
  const plan = parsePlan(azurePlan(specs), 'plan.json');
  const bundles = (await azureProjector.readRaw!(await rawFiles([RAW]))).map((b) =>
    listed && b.scope.kind === 'tenant' ? { ...b, documents: [...b.documents, listing] } : b,
  );
  const projection = azureProjector.project(plan, plan.changes, bundles, new Set([TENANT, PROD, DEV]));
  const apps = projection.bundles
    .flatMap((b) => b.documents)
    .filter((d) => d.kind === 'azure.graph.applications')
    .flatMap((d) => (d.body as { value: Array<Record<string, unknown>> }).value);
  const part = (await import('../../src/providers/azure/index.js')).azureProvider.normalize(projection.bundles);
  return { projection, apps, part };
}

test("azuread_application_owner: a new owner of a listed app registration is projected into its owners, touching the owner and the app's service principal; an app not listed is a gap", async (t) => {
  const run = (spec: ChangeSpec, listed: boolean) => projectWithApps([spec], listed);
  const owner = { application_id: `/applications/${APP.id}`, owner_object_id: USER.dan };
  const added = await run(
    { address: 'azuread_application_owner.dan', actions: ['create'], after: owner, unknown: { id: true } },
    true,
  );
  t.deepEqual(added.projection.gaps, []);
  t.deepEqual(
    added.apps.map((a) => a.owners),
    [[{ '@odata.type': '#microsoft.graph.user', id: USER.dan }]],
  );
  const touched = added.projection.effects(added.part).find((e) => e.address === 'azuread_application_owner.dan')!.uids;
  t.true(
    touched.includes(uidOf('user', USER.dan)) && touched.includes(uidOf('servicePrincipal', GITHUB_DEPLOY)),
    touched.join(', '),
  );
  const unlisted = await run(
    { address: 'azuread_application_owner.dan', actions: ['create'], after: owner, unknown: { id: true } },
    false,
  );
  t.deepEqual(
    unlisted.projection.gaps.map((g) => [g.attribute, g.scopes]),
    [['application_id', [`azure:tenant/${TENANT}`]]],
  );
  t.deepEqual(unlisted.apps, [], 'app registrations that were not read are not written as an empty list');
});

test('azuread_application owners: projected into a listed app registration (a new app and its service principal linked through client_id); owners where app registrations were not read are a gap; no owners there is declined', async (t) => {
  const run = projectWithApps;
  const app = { object_id: APP.id, client_id: APP.appId, display_name: 'github-deploy' };
  const owned = await run(
    [
      {
        address: 'azuread_application.github_deploy',
        actions: ['update'],
        before: { ...app, owners: [] },
        after: { ...app, owners: [USER.dan] },
      },
    ],
    true,
  );
  t.deepEqual(owned.projection.gaps, []);
  t.deepEqual(owned.apps.find((a) => a.id === APP.id)?.owners, [
    { '@odata.type': '#microsoft.graph.user', id: USER.dan },
  ]);
  const touched = owned.projection
    .effects(owned.part)
    .find((e) => e.address === 'azuread_application.github_deploy')!.uids;
  t.true(
    touched.includes(uidOf('user', USER.dan)) && touched.includes(uidOf('servicePrincipal', GITHUB_DEPLOY)),
    touched.join(', '),
  );
  // A new app and its service principal: the principal's client_id refers to the app's, known only after apply.
  const created = await run(
    [
      {
        address: 'azuread_application.ci',
        actions: ['create'],
        after: { display_name: 'ci', owners: [USER.dan] },
        unknown: { id: true, object_id: true, client_id: true },
      },
      {
        address: 'azuread_service_principal.ci',
        actions: ['create'],
        after: { account_enabled: true },
        unknown: { id: true, object_id: true, client_id: true },
        expressions: { client_id: { references: ['azuread_application.ci.client_id', 'azuread_application.ci'] } },
      },
    ],
    true,
  );
  t.deepEqual(created.projection.gaps, []);
  const ci = created.part.principals.find(
    (p) => p.uid === uidOf('servicePrincipal', 'planned-azuread-service-principal-ci'),
  );
  t.deepEqual(
    (ci?.details?.owners as Array<{ id: string }> | undefined)?.map((o) => o.id),
    [USER.dan],
    "the new app's owner owns its service principal",
  );
  // Not read: owners are a gap leaving the tenant unknown; an app that sets none changes no one's access.
  const unlisted = await run(
    [
      {
        address: 'azuread_application.github_deploy',
        actions: ['update'],
        before: { ...app, owners: [] },
        after: { ...app, owners: [USER.dan] },
      },
    ],
    false,
  );
  t.deepEqual(
    unlisted.projection.gaps.map((g) => [g.attribute, g.scopes]),
    [['owners', [`azure:tenant/${TENANT}`]]],
  );
  t.deepEqual(unlisted.apps, [], 'app registrations that were not read are not written as an empty list');
  const bare = await run(
    [
      {
        address: 'azuread_application.ci',
        actions: ['create'],
        after: { display_name: 'ci' },
        unknown: { id: true, object_id: true, client_id: true },
      },
    ],
    false,
  );
  t.deepEqual([bare.projection.gaps, bare.projection.notes.map((n) => n.outcome)], [[], ['not-projected']]);
});
