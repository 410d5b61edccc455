/**
 * The Azure part of the vendor corpus (test/fixtures/vendor/azure/, provenance in its README.md): response bodies
 * Microsoft wrote, read the way a user would get them. The REST API specs' examples hold `{parameters, responses:
 * {"200": {body}}}`: the body is what `az rest` prints. The Graph docs' blocks are the response body as printed on
 * the page; the az CLI's recorded responses are the body a recorded call returned. Each file must produce what its content says, and every item it holds is used or accounted for.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { evaluate } from '../../src/engine/evaluate.js';
import { loadChecks } from '../../src/engine/load-checks.js';
import type { Check } from '../../src/engine/types.js';
import { accountsByOrigin } from '../../src/providers/cloud/ledger.js';
import { screenBundle, warnDrops, type ItemDrop } from '../../src/providers/azure/drops.js';
import { importAzureFiles } from '../../src/providers/azure/import.js';
import { azureProvider } from '../../src/providers/azure/index.js';
import { listItems } from '../../src/providers/azure/items.js';
import type { Progress, RawBundle } from '../../src/providers/types.js';
import { assembleSnapshot } from '../../src/snapshot/load.js';
import type { ItemAccount, Snapshot } from '../../src/snapshot/model.js';
import { fixture, tempDir } from '../helpers/cli.js';

const VENDOR = fixture('vendor', 'azure');
const TENANT = '00000000-0000-4000-8000-00000000c0de';
const GLOBAL_ADMINISTRATOR = '62e90394-69f5-4237-9190-012177145e10';

/** A REST API spec example's 200 body, as `az rest` prints it. */
const specBody = (name: string): unknown =>
  (
    JSON.parse(readFileSync(join(VENDOR, 'azure-rest-api-specs', name), 'utf8')) as {
      responses: { '200': { body: unknown } };
    }
  ).responses['200'].body;
/** A Graph docs response block. */
const graphBody = (name: string): unknown =>
  JSON.parse(readFileSync(join(VENDOR, 'microsoft-graph-docs', name), 'utf8'));

let checks: Check[];
test.before(async () => {
  checks = await loadChecks({ builtIn: false, paths: [new URL('../../policies/azure', import.meta.url).pathname] });
});

interface Imported {
  bundle: RawBundle;
  snapshot: Snapshot;
  warnings: string[];
  files: ItemAccount[];
  drops: ItemDrop[];
}

/** Writes the bodies as `az rest` would have printed them (file name -> body) and imports them. */
async function importBodies(
  bodies: Record<string, unknown>,
  collectedAt: string,
  options: Record<string, unknown> = { tenant: TENANT },
): Promise<Imported> {
  const dir = await tempDir();
  const paths: string[] = [];
  for (const [name, body] of Object.entries(bodies)) {
    const path = join(dir, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, `${JSON.stringify(body, null, 2)}\n`);
    paths.push(path);
  }
  const warnings: string[] = [];
  const progress: Progress = { status: () => {}, warn: (line) => warnings.push(line) };
  const bundles = await importAzureFiles(paths, { options, progress, collectedAt });
  // The line per dropped item, as a live collection prints it; import's own account is the snapshot's items.
  warnDrops(bundles[0]!, progress);
  const snapshot = assembleSnapshot([azureProvider.normalize(bundles)], collectedAt);
  return {
    bundle: bundles[0]!,
    snapshot,
    warnings,
    files: [...accountsByOrigin(snapshot.sources).values()],
    drops: screenBundle(bundles[0]!).drops,
  };
}

/** Nothing is lost silently: each file's items are all read, and each is used or dropped with a reason. */
function accountsForEverything(
  t: { is: (a: unknown, b: unknown, m?: string) => void; true: (v: boolean, m?: string) => void },
  imported: Imported,
  bodies: Record<string, unknown>,
): void {
  for (const [name, body] of Object.entries(bodies)) {
    const account = imported.files.find((f) => f.origin.endsWith(name));
    t.true(account !== undefined, `${name} is accounted for`);
    t.is(account!.read, listItems(body).length, `${name}: every item is read`);
    const dropped = (account!.dropped ?? []).reduce((n, r) => n + r.count, 0);
    t.is(account!.used + dropped, account!.read, `${name}: every item is used or dropped`);
    for (const drop of imported.drops.filter((d) => d.origin.endsWith(name)))
      t.true(
        drop.reason.length > 0 && imported.warnings.some((w) => w.includes(drop.item)),
        `${name} ${drop.item}: a drop is said`,
      );
  }
}

const statusOf = (s: Snapshot, checkId: string, uid: string) =>
  evaluate(s, checks).find((r) => r.checkId === checkId && r.resource.uid === uid)?.status;
const principal = (s: Snapshot, id: string) => s.principals.find((p) => p.nativeId === id);

test('RoleAssignments_ListForSubscription: the assignment lands on its principal, in the subscription its id names', async (t) => {
  const bodies = { 'role-assignments.json': specBody('RoleAssignments_ListForSubscription.json') };
  const imported = await importBodies(bodies, '2026-11-01T09:00:00Z');
  accountsForEverything(t, imported, bodies);
  const user = principal(imported.snapshot, 'ce2ce14e-85d7-4629-bdbc-454d0519d987')!;
  t.like(user, { kind: 'user', details: { unresolved: true, principalType: 'User' } });
  t.deepEqual(
    user.assignments!.map((a) => [a.role.split('/').at(-1), a.scope, a.mode]),
    [['0b5fe924-9a61-425c-96af-cfe6e287ca2d', '/subscriptions/a925f2f7-5c63-4b7b-8799-25a5f97bc3b2', 'standing']],
  );
  t.true(imported.snapshot.sources.some((s) => s.scope.id === 'a925f2f7-5c63-4b7b-8799-25a5f97bc3b2'));
  t.true(
    imported.snapshot.roles.some(
      (r) => r.nativeId === '0b5fe924-9a61-425c-96af-cfe6e287ca2d' && r.details?.unresolved === true,
    ),
    'its definition was not read: unknown privilege',
  );
});

test('RoleAssignments_Get: a single assignment is read as one, and the list it belongs to stays a gap', async (t) => {
  const bodies = { 'role-assignment.json': specBody('RoleAssignments_Get.json') };
  const imported = await importBodies(bodies, '2026-11-01T09:00:00Z');
  accountsForEverything(t, imported, bodies);
  t.is(principal(imported.snapshot, 'ce2ce14e-85d7-4629-bdbc-454d0519d987')!.assignments!.length, 1);
  t.regex(
    imported.bundle.gaps
      .filter((g) => g.what === 'azure.role-assignments')
      .map((g) => g.reason)
      .join('\n'),
    /only single items were read/,
  );
});

const pim = () => ({
  'a/role-eligibility-schedules.json': specBody('GetRoleEligibilitySchedulesByScope.json'),
  'a/role-eligibility-schedule-instances.json': specBody('GetRoleEligibilityScheduleInstancesByScope.json'),
  'a/role-assignment-schedule-instances.json': specBody('GetRoleAssignmentScheduleInstancesByScope.json'),
});

test('PIM examples, read while the eligibility runs: one eligible Contributor-like grant (schedule and instance count once), named from expandedProperties', async (t) => {
  const bodies = pim();
  const imported = await importBodies(bodies, '2021-01-01T00:00:00Z');
  accountsForEverything(t, imported, bodies);
  const user = principal(imported.snapshot, 'a3bb8764-cb92-4276-9d2a-ca1e895e55ea')!;
  t.like(user, { kind: 'user', name: 'User Account' });
  t.deepEqual(
    user.assignments!.map((a) => [a.role.split('/').at(-1), a.scope, a.mode, a.expiresAt, a.condition !== undefined]),
    [
      [
        'b24988ac-6180-42a0-ab88-20f7382dd24c',
        '/subscriptions/dfa2a084-766f-4003-8ae1-c4aeb893a99f',
        'eligible',
        '2021-09-09T21:32:28.490Z',
        true,
      ],
    ],
  );
  t.deepEqual(imported.warnings, []);
});

test('PIM examples, read after they ended (2021): they grant nothing, and each is said to have been left out', async (t) => {
  const bodies = pim();
  const imported = await importBodies(bodies, '2026-11-01T09:00:00Z');
  accountsForEverything(t, imported, bodies);
  t.deepEqual(principal(imported.snapshot, 'a3bb8764-cb92-4276-9d2a-ca1e895e55ea')?.assignments ?? [], []);
  t.is(imported.warnings.filter((w) => /ended 2021-09-\d\dT[\d:.]+Z, before the export/.test(w)).length, 2);
});

test('listSubscriptionDiagnosticSettings: an id without its leading slash names the subscription; allLogs to three destinations passes', async (t) => {
  const bodies = { 'diagnostic-settings.json': specBody('listSubscriptionDiagnosticSettings.json') };
  const imported = await importBodies(bodies, '2026-11-01T09:00:00Z');
  accountsForEverything(t, imported, bodies);
  const [setting] = imported.snapshot.controls.filter((c) => c.type === 'audit-logging');
  t.like(setting, {
    name: 'ds4',
    state: 'enabled',
    scope: { kind: 'subscription', id: 'fb9f25f9-5785-4510-a38f-a62f188eb9f8' },
  });
  t.is((setting!.settings.categories as string[]).length, 8);
  t.is((setting!.settings.destinations as string[]).length, 3);
  t.is(
    statusOf(
      imported.snapshot,
      'azure-activity-log-diagnostic-setting',
      'azure:subscription/fb9f25f9-5785-4510-a38f-a62f188eb9f8',
    ),
    'pass',
  );
});

test('getSubscriptionDiagnosticSetting: one setting read by name is a setting, not the whole list, yet it proves the subscription exports its activity log', async (t) => {
  const bodies = { 'diagnostic-setting.json': specBody('getSubscriptionDiagnosticSetting.json') };
  const imported = await importBodies(bodies, '2026-11-01T09:00:00Z');
  accountsForEverything(t, imported, bodies);
  t.deepEqual(
    imported.snapshot.controls.filter((c) => c.type === 'audit-logging').map((c) => [c.name, c.scope.id]),
    [['ds4', 'fb9f25f9-5785-4510-a38f-a62f188eb9f8']],
  );
  // The settings not read can only add exports: the one read already meets the minimum, so the pass is proven.
  t.true(imported.snapshot.sources.some((s) => s.gaps.some((g) => g.what === 'azure.diagnostic-settings')));
  t.is(
    statusOf(
      imported.snapshot,
      'azure-activity-log-diagnostic-setting',
      'azure:subscription/fb9f25f9-5785-4510-a38f-a62f188eb9f8',
    ),
    'pass',
  );
});

test('az CLI recording of `az monitor diagnostic-settings subscription list`: the ids (no leading slash) name the subscription the settings belong to', async (t) => {
  const bodies = {
    'diagnostic-settings.json': JSON.parse(
      readFileSync(join(VENDOR, 'azure-cli', 'test_monitor_diagnostic_settings_subscription.list.json'), 'utf8'),
    ) as unknown,
  };
  const imported = await importBodies(bodies, '2026-11-01T09:00:00Z');
  accountsForEverything(t, imported, bodies);
  const settings = imported.snapshot.controls.filter((c) => c.type === 'audit-logging');
  t.deepEqual(
    settings.map((c) => [c.name, c.scope.id, c.state, (c.settings.categories as string[]).length]),
    [
      ['clitest000003', '0b1f6471-1bf0-4dda-aec3-cb9272f09590', 'enabled', 8],
      ['clitestwskpzlmj36lk6', '0b1f6471-1bf0-4dda-aec3-cb9272f09590', 'enabled', 8],
    ],
  );
  t.is(
    statusOf(
      imported.snapshot,
      'azure-activity-log-diagnostic-setting',
      'azure:subscription/0b1f6471-1bf0-4dda-aec3-cb9272f09590',
    ),
    'pass',
  );
});

test('GetSubscriptions: a list of subscriptions of two tenants is refused, with one line', async (t) => {
  const error = await t.throwsAsync(
    importBodies({ 'subscriptions.json': specBody('GetSubscriptions.json') }, '2026-11-01T09:00:00Z', {}),
  );
  t.regex(
    error!.message,
    /belong to several tenants \(31c75423-32d6-4322-88b7-c478bdde4858, 2a0ff0de-96b2-4859-bb7c-a430d07a3e0c\)/,
  );
});

test("Graph: List conditionalAccess policies (the v1.0 docs' context): two disabled policies, neither enforcing", async (t) => {
  const bodies = { 'ca.json': graphBody('conditionalaccessroot-list-policies.json') };
  const imported = await importBodies(bodies, '2026-11-01T09:00:00Z');
  accountsForEverything(t, imported, bodies);
  const ca = imported.snapshot.controls.filter((c) => c.type === 'conditional-access');
  t.deepEqual(
    ca.map((c) => [c.name, c.state, c.settings.requiresMfa, c.settings.coversAllUsers]),
    [
      ['SimplePolicy1', 'disabled', false, false],
      ['SimplePolicy2', 'disabled', true, false],
    ],
  );
  t.false(imported.bundle.gaps.some((g) => g.what === 'azure.conditional-access'));
});

test('Graph: Get conditionalAccessPolicy ($entity): one policy, MFA offered as one OR alternative, Azure management excluded; the list stays a gap', async (t) => {
  const bodies = { 'ca-policy.json': graphBody('conditionalaccesspolicy-get.json') };
  const imported = await importBodies(bodies, '2026-11-01T09:00:00Z');
  accountsForEverything(t, imported, bodies);
  const [policy] = imported.snapshot.controls.filter((c) => c.type === 'conditional-access');
  t.like(policy, {
    name: 'Demo app for documentation',
    state: 'disabled',
    settings: { requiresMfa: false, coversAllApps: false, coversAzureManagement: false },
  });
  t.regex(
    imported.bundle.gaps
      .filter((g) => g.what === 'azure.conditional-access')
      .map((g) => g.reason)
      .join(),
    /only single items were read/,
  );
  t.is(statusOf(imported.snapshot, 'azure-ca-mfa-admin-roles', `azure:tenant/${TENANT}`), 'unknown');
});

test('Graph: List unifiedRoleAssignments with $expand=principal: three Global Administrators, two of them guests', async (t) => {
  // The docs print this block with trailing commas, which no server sends: read it as the YAML superset of JSON
  // does, and import what `az rest` would have printed.
  const text = readFileSync(
    join(VENDOR, 'microsoft-graph-docs', 'rbacapplication-list-roleassignments.example1.json'),
    'utf8',
  );
  t.throws(() => JSON.parse(text));
  const bodies = { 'directory-role-assignments.json': parseYaml(text) as unknown };
  const imported = await importBodies(bodies, '2026-11-01T09:00:00Z');
  accountsForEverything(t, imported, bodies);
  const users = [
    'ace08ec9-aa11-4ada-9145-addf0398233e',
    '6f87972e-2e7e-4b49-9980-eb3888bdcfe1',
    '10fc1cc8-ac36-4186-b99b-0cf814aa2dd5',
  ].map((id) => principal(imported.snapshot, id)!);
  t.deepEqual(
    users.map((u) => [u.kind, u.name, u.guest, u.enabled, u.privilege?.level]),
    [
      ['user', 'Joey Cruz', false, true, 'admin'],
      ['user', 'Kalyan Krishna', true, true, 'admin'],
      ['user', 'Markie Downing', true, true, 'admin'],
    ],
  );
  for (const guest of users.slice(1))
    t.not(
      statusOf(imported.snapshot, 'azure-no-guest-privileged-roles', guest.uid),
      undefined,
      `${guest.name} is judged`,
    );
  t.is(
    statusOf(imported.snapshot, 'azure-no-guest-privileged-roles', users[0]!.uid),
    undefined,
    'a member is out of scope',
  );
});

test('Graph: List unifiedRoleAssignments filtered on a principal: a principal the directory does not list keeps both roles', async (t) => {
  const bodies = { 'directory-role-assignments.json': graphBody('rbacapplication-list-roleassignments.example2.json') };
  const imported = await importBodies(bodies, '2026-11-01T09:00:00Z');
  accountsForEverything(t, imported, bodies);
  const holder = principal(imported.snapshot, 'f1847572-48aa-47aa-96a3-2ec61904f41f')!;
  t.like(holder, { kind: 'user', details: { unresolved: true }, privilege: { level: 'admin' } });
  t.deepEqual(holder.assignments!.map((a) => a.role.split('/').at(-1)).sort(), [
    GLOBAL_ADMINISTRATOR,
    'f2ef992c-3afb-46b9-b7cf-a126ee74c451',
  ]);
});

test('Graph: List userRegistrationDetails: each user the report lists says its MFA, also without a users list', async (t) => {
  const bodies = { 'registration.json': graphBody('authenticationmethodsroot-list-userregistrationdetails.json') };
  const imported = await importBodies(bodies, '2026-11-01T09:00:00Z');
  accountsForEverything(t, imported, bodies);
  const mfa = (id: string) => {
    const p = principal(imported.snapshot, id)!;
    return [p.name, p.guest, p.mfa?.state, p.mfa?.methods?.length];
  };
  t.deepEqual(mfa('86462606-fde0-4fc4-9e0c-a20eb73e54c6'), ['AlexW@Contoso.com', false, 'enabled', 2]);
  t.deepEqual(mfa('c6ad1942-4afa-47f8-8d48-afb5d8d69d2f'), ['AllanD@Contoso.com', true, 'disabled', 0]);
  t.deepEqual(mfa('c8096958-797c-44fa-8fde-a6fb62567cf0'), ['BiancaP@Contoso.com', false, 'enabled', 3]);
});

test('Graph: Get identitySecurityDefaultsEnforcementPolicy: security defaults on, so an unread Conditional Access list hides nothing', async (t) => {
  const bodies = { 'security-defaults.json': graphBody('identitysecuritydefaultsenforcementpolicy-get.json') };
  const imported = await importBodies(bodies, '2026-11-01T09:00:00Z');
  t.like(
    imported.snapshot.controls.find((c) => c.type === 'security-defaults'),
    { state: 'enabled' },
  );
  t.false(
    imported.bundle.gaps.some((g) => g.what === 'azure.conditional-access' || g.what === 'azure.security-defaults'),
  );
  t.is(imported.files[0]!.used, 1);
});

test('Graph: roleEligibilitySchedules and their instances: one eligibility, counted once while it runs, nothing after it ended (2024)', async (t) => {
  const bodies = {
    'directory-role-eligibility-schedules.json': graphBody('rbacapplication-list-roleeligibilityschedules.json'),
    'directory-role-eligibility-instances.json': graphBody(
      'rbacapplication-list-roleeligibilityscheduleinstances.json',
    ),
  };
  const during = await importBodies(bodies, '2023-01-01T00:00:00Z');
  accountsForEverything(t, during, bodies);
  t.deepEqual(
    principal(during.snapshot, '071cc716-8147-4397-a5ba-b2105951cc0b')!.assignments!.map((a) => [
      a.role.split('/').at(-1),
      a.mode,
      a.expiresAt,
    ]),
    [['8424c6f0-a189-499e-bbd0-26c1753c96d4', 'eligible', '2024-04-10T00:00:00Z']],
  );
  const after = await importBodies(bodies, '2026-11-01T09:00:00Z');
  accountsForEverything(t, after, bodies);
  t.deepEqual(principal(after.snapshot, '071cc716-8147-4397-a5ba-b2105951cc0b')?.assignments ?? [], []);
  t.is(after.warnings.filter((w) => /ended 2024-04-10T00:00:00Z/.test(w)).length, 2);
});

test('Workflows_ListBySubscription: a Logic App without a managed identity is read, and nobody acts as it', async (t) => {
  const bodies = { 'logic-workflow-list.json': specBody('Workflows_ListBySubscription.json') };
  const imported = await importBodies(bodies, '2026-11-01T09:00:00Z');
  accountsForEverything(t, imported, bodies);
  t.true(imported.bundle.documents.some((d) => d.kind === 'azure.arm.logicWorkflows'));
  t.false(imported.snapshot.principals.some((p) => p.details?.runsOn !== undefined));
});

test("Graph: List appRoleAssignedTo: a user holding an app's default role is read, and no Graph permission is taken from it", async (t) => {
  const bodies = { 'app-role-assigned-to.json': graphBody('serviceprincipal-list-approleassignedto.json') };
  const imported = await importBodies(bodies, '2026-11-01T09:00:00Z');
  accountsForEverything(t, imported, bodies);
  t.true(imported.bundle.documents.some((d) => d.kind === 'azure.graph.appRoleAssignments'));
  t.false(imported.snapshot.principals.some((p) => p.details?.graphAppRoles !== undefined));
});

test('Graph: List administrativeUnits without $expand=members says nothing of who is in a unit: a unit-scoped role keeps its condition', async (t) => {
  const users = {
    '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users',
    value: [
      {
        id: '00000000-0000-4000-8000-0000000000a1',
        userPrincipalName: 'a@contoso.example',
        userType: 'Member',
        accountEnabled: true,
      },
      {
        id: '00000000-0000-4000-8000-0000000000b2',
        userPrincipalName: 'b@contoso.example',
        userType: 'Member',
        accountEnabled: true,
      },
    ],
  };
  const helpdesk = {
    '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#roleManagement/directory/roleAssignments',
    value: [
      {
        id: 'h',
        principalId: '00000000-0000-4000-8000-0000000000a1',
        roleDefinitionId: '729827e3-9c14-49f7-bb1b-9608f156bbb8',
        directoryScopeId: '/administrativeUnits/4d7ea995-bc0f-45c0-8c3e-132e93bf95f8',
      },
    ],
  };
  const bodies = { 'administrative-units.json': graphBody('directory-list-administrativeunits.json') };
  const imported = await importBodies(
    { ...bodies, 'users.json': users, 'dir-assignments.json': helpdesk },
    '2026-11-01T09:00:00Z',
  );
  accountsForEverything(t, imported, bodies);
  // Read without members, the unit is not taken for an empty one: nobody is said to be outside it.
  t.false(imported.snapshot.principals.some((p) => p.details?.administrativeUnits !== undefined));
});
