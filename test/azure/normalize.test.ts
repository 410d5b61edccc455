import test from 'ava';
import { join } from 'node:path';
import { azureProvider } from '../../src/providers/azure/index.js';
import { azureRolePrivilege } from '../../src/providers/azure/privilege.js';
import { assembleSnapshot } from '../../src/snapshot/load.js';
import type { Principal, Snapshot } from '../../src/snapshot/model.js';
import { ACME_AZURE, AZURE_FIXTURES, importFolder } from '../support/azure-fixtures.js';

let contoso: Snapshot;
let acme: Snapshot;
const snapshotOf = async (dir: string) => {
  const bundles = await importFolder(dir);
  return assembleSnapshot([azureProvider.normalize(bundles)], bundles[0]!.collectedAt);
};
test.before(async () => {
  contoso = await snapshotOf(join(AZURE_FIXTURES, 'contoso'));
  acme = await snapshotOf(ACME_AZURE);
});
const principal = (s: Snapshot, name: string): Principal => s.principals.find((p) => p.name === name)!;

test('an assignment whose schedule instance is Activated is PIM-activated with its end time, not standing', (t) => {
  const ann = principal(contoso, 'ann@contoso.example');
  t.deepEqual(
    ann.assignments!.map((a) => [a.role.split(':').at(-1), a.mode, a.expiresAt]),
    [
      ['directoryRole/62e90394-69f5-4237-9190-012177145e10', 'active-jit', '2026-11-01T16:00:00Z'],
      ['roleDefinition/8e3af657-a8ff-443c-a75c-2fe8c4bcb635', 'active-jit', '2026-11-01T10:00:00Z'],
    ],
  );
  const bob = principal(acme, 'bob.ops@acme.com');
  t.true(
    bob.assignments!.every((a) => a.mode === 'standing'),
    'an Assigned schedule instance stays standing',
  );
});

test('eligibility schedules (ARM and Graph) become eligible assignments; noExpiration has no end', (t) => {
  const cleo = principal(contoso, 'cleo@contoso.example');
  t.deepEqual(
    cleo.assignments!.map((a) => [a.mode, a.expiresAt]),
    [
      ['eligible', null],
      ['eligible', null],
    ],
  );
  t.deepEqual(cleo.privilege!.reasons, [
    'eligible for Global Administrator on the directory',
    'eligible for Owner on subscription contoso-prod',
  ]);
});

test('a group that holds a role passes it to its transitive members, users and service principals, via the group', (t) => {
  const group = principal(contoso, 'owners');
  t.is(group.kind, 'group');
  for (const name of ['p_partner.example#EXT#@contoso.onmicrosoft.com', 'deployer']) {
    const member = principal(contoso, name);
    t.true(
      member.assignments!.some(
        (a) => a.via === group.uid && a.role.endsWith(':roleDefinition/8e3af657-a8ff-443c-a75c-2fe8c4bcb635'),
      ),
      name,
    );
  }
  t.regex(
    principal(contoso, 'deployer').privilege!.reasons.join('\n'),
    /Owner on subscription contoso-prod \(standing\) via group owners/,
  );
});

test('an ABAC condition constrains Role Based Access Control Administrator; without one it can grant any access', (t) => {
  const mi = principal(contoso, 'mi-remediation');
  t.is(mi.kind, 'managedIdentity');
  t.is(mi.assignments![0]!.rolePrivilege, 'privileged');
  t.regex(mi.privilege!.reasons[0]!, /constrained by an ABAC condition/);
  const deployer = principal(contoso, 'deployer');
  t.true(
    deployer.assignments!.some(
      (a) => a.role.endsWith('f58310d9-a9f6-439a-9e8d-f62e7b41a168') && a.rolePrivilege === 'admin',
    ),
  );
});

test('Azure roles are judged by their actions, with a readable reason', (t) => {
  const role = (actions: string[], notActions: string[] = [], roleType = 'CustomRole') =>
    azureRolePrivilege({ roleType, permissions: [{ actions, notActions }] });
  t.is(role(['*']).level, 'admin');
  t.is(role(['Microsoft.Authorization/*/write']).level, 'admin');
  t.regex(
    role(['Microsoft.Authorization/roleAssignments/write']).reasons[0]!,
    /can write role assignments \(Microsoft\.Authorization\/roleAssignments\/write\)/,
  );
  t.is(role(['*'], ['Microsoft.Authorization/*/Write'], 'BuiltInRole').level, 'privileged', 'Contributor');
  t.is(role(['*/read']).level, 'none', 'Reader');
  t.is(role(['Microsoft.Compute/virtualMachines/runCommand/action']).level, 'privileged');
  t.false(role(['*'], ['Microsoft.Authorization/*']).grantsAccess);
});

test('MFA comes from isMfaRegistered: email and security questions alone are not MFA; a user missing from the report is unknown', (t) => {
  t.deepEqual(principal(contoso, 'ben@contoso.example').mfa, {
    state: 'disabled',
    methods: ['email', 'securityQuestion'],
    phishingResistant: false,
    hardware: false,
  });
  t.deepEqual(principal(contoso, 'ann@contoso.example').mfa, {
    state: 'enabled',
    methods: ['fido2'],
    phishingResistant: true,
    hardware: true,
  });
  t.deepEqual(principal(contoso, 'cleo@contoso.example').mfa, { state: 'unknown' });
  t.deepEqual(principal(acme, 'carol.it@acme.com').mfa?.state, 'disabled');
});

test('guests by userType, or by #EXT# when `az ad user list` leaves userType out', (t) => {
  t.true(principal(acme, 'vendor_x_contoso.com#EXT#@acme.onmicrosoft.com').guest);
  t.false(principal(acme, 'bob.ops@acme.com').guest);
  t.true(principal(contoso, 'p_partner.example#EXT#@contoso.onmicrosoft.com').guest);
  t.regex(contoso.sources[0]!.gaps.map((g) => g.reason).join('\n'), /no accountEnabled/);
});

test('Conditional Access: only enabled policies enforce; coverage of users, admin roles, all apps and Azure management', (t) => {
  const ca = (name: string) => acme.controls.find((c) => c.name === name)!;
  t.is(ca('CA01 Require MFA for admin roles').state, 'enabled');
  t.like(ca('CA01 Require MFA for admin roles').settings, {
    requiresMfa: true,
    coversAdminRoles: true,
    coversAllUsers: false,
    coversAllApps: true,
  });
  t.is(ca('CA02 Require MFA for Azure management').state, 'report-only');
  t.like(ca('CA02 Require MFA for Azure management').settings, {
    coversAzureManagement: true,
    coversAllApps: false,
    excludeUsers: ['0b6e3c1a-0004-4d1e-9f00-0000000b6001', '0b6e3c1a-0005-4d1e-9f00-0000000b6002'],
  });
  t.like(ca('CA03 Block legacy authentication').settings, { requiresMfa: false });
});

test('security defaults on: an unlicensed Conditional Access read opens no gap (the two cannot be on together)', (t) => {
  t.is(contoso.controls.find((c) => c.type === 'security-defaults')!.state, 'enabled');
  t.false(contoso.sources.some((s) => s.gaps.some((g) => g.what === 'azure.conditional-access')));
});

test('diagnostic settings: allLogs stands for every category; REST items are flattened; the subscription keeps its gaps', (t) => {
  const setting = contoso.controls.find((c) => c.type === 'audit-logging')!;
  t.is(setting.scope.id, '99999999-0000-4000-8000-000000000001');
  t.deepEqual((setting.settings.categories as string[]).length, 8);
  const dev = acme.sources.find((s) => s.scope.name === 'acme-dev')!;
  t.deepEqual(
    dev.gaps.map((g) => g.what),
    ['azure.diagnostic-settings'],
  );
  t.regex(dev.gaps[0]!.reason, /needs Azure RBAC action Microsoft\.Insights\/DiagnosticSettings\/Read/);
});

test('scopes: management group assignments are inherited once, resource group scope is named, roles are tenant-wide', (t) => {
  const mi = principal(acme, 'mi-policy-remediation');
  t.is(mi.assignments!.length, 1, 'listed in both subscriptions, counted once');
  t.is(mi.assignments![0]!.scope, '/providers/Microsoft.Management/managementGroups/acme-root');
  t.regex(
    principal(acme, 'dan.dev@acme.com').privilege!.reasons[0]!,
    /resource group rg-web \(subscription acme-prod\)/,
  );
  t.is(acme.roles.filter((r) => r.name === 'Owner').length, 1);
});

test('a principal a role assignment names but the directory does not list is kept, marked unresolved', (t) => {
  const ghost = contoso.principals.find((p) => p.nativeId === 'ffffffff-0000-4000-8000-00000000dead')!;
  t.like(ghost.details, { unresolved: true, principalType: 'User' });
});

test('normalizing is pure and stable: the same bundles give the same snapshot digest', async (t) => {
  const again = await snapshotOf(ACME_AZURE);
  t.is(again.digest, acme.digest);
});

test('MFA enforcement per user: enabled policies that include and do not exclude them, or security defaults', (t) => {
  const enforcement = (s: Snapshot, name: string) => principal(s, name).details!.mfaEnforcement;
  t.deepEqual(
    enforcement(acme, 'carol.it@acme.com'),
    { allApps: 'yes', azureManagement: 'yes', by: ['CA01 Require MFA for admin roles'] },
    'through her Global Administrator role',
  );
  t.deepEqual(
    enforcement(acme, 'breakglass-01@acme.onmicrosoft.com'),
    { allApps: 'no', azureManagement: 'no', by: [] },
    'excluded by id',
  );
  t.deepEqual(
    enforcement(acme, 'grace.reader@acme.com'),
    { allApps: 'no', azureManagement: 'no', by: [] },
    'the Azure management policy is report-only',
  );
  t.deepEqual(enforcement(contoso, 'ben@contoso.example'), {
    allApps: 'yes',
    azureManagement: 'yes',
    by: ['security defaults'],
  });
});
