/**
 * Exports saved the way users and the vendors' documentation produce them: single-object reads, `$expand=principal`,
 * ARM ids without a leading slash, folders named after subscriptions, the v1.0 docs' Conditional Access context,
 * expired PIM schedules and eligibility schedule instances. Each lands as what it says, or is accounted for.
 */
import test from 'ava';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { evaluate } from '../../src/engine/evaluate.js';
import { loadChecks } from '../../src/engine/load-checks.js';
import type { Check } from '../../src/engine/types.js';
import { screenBundle, warnDrops } from '../../src/providers/azure/drops.js';
import { importAzureFiles } from '../../src/providers/azure/import.js';
import { azureProvider } from '../../src/providers/azure/index.js';
import type { Progress, RawBundle } from '../../src/providers/types.js';
import { assembleSnapshot } from '../../src/snapshot/load.js';
import type { Snapshot } from '../../src/snapshot/model.js';
import { tempDir } from '../helpers/cli.js';
import { ACME_AZURE, filesUnder } from '../support/azure-fixtures.js';

const TENANT = '7c3a9d2e-5b1f-4e8a-9c6d-2f4b8a1e3d5c';
const SUB1 = 'a1b2c3d4-1111-4aaa-8bbb-000000000001';
const OTHER_SUB = 'fb9f25f9-5785-4510-a38f-a62f188eb9f8';
const GRAPH = 'https://graph.microsoft.com/v1.0/$metadata#';

let checks: Check[];
test.before(async () => {
  checks = await loadChecks({ builtIn: false, paths: [new URL('../../policies/azure', import.meta.url).pathname] });
});

/** The Acme exports copied to a new folder, without `omit` (paths relative to the Acme folder) and with `add`. */
async function acmeWith(omit: string[], add: Record<string, unknown>): Promise<string> {
  const dir = await tempDir();
  for (const file of filesUnder(ACME_AZURE)) {
    const rel = relative(ACME_AZURE, file);
    if (omit.includes(rel)) continue;
    await mkdir(dirname(join(dir, rel)), { recursive: true });
    await copyFile(file, join(dir, rel));
  }
  await writeFiles(dir, add);
  return dir;
}

async function writeFiles(dir: string, files: Record<string, unknown>): Promise<void> {
  for (const [rel, body] of Object.entries(files)) {
    await mkdir(dirname(join(dir, rel)), { recursive: true });
    await writeFile(join(dir, rel), JSON.stringify(body, null, 2));
  }
}

const acmeJson = async (rel: string) =>
  JSON.parse(await readFile(join(ACME_AZURE, rel), 'utf8')) as { value: Array<Record<string, unknown>> };

interface Imported {
  bundle: RawBundle;
  snapshot: Snapshot;
  warnings: string[];
}

async function importDir(
  dir: string,
  options: Record<string, unknown> = {},
  collectedAt = '2026-11-01T09:00:00Z',
): Promise<Imported> {
  const warnings: string[] = [];
  const progress: Progress = { status: () => {}, warn: (line) => warnings.push(line) };
  const bundles = await importAzureFiles(filesUnder(dir), { options, progress, collectedAt });
  // Import counts drops per file (the ledger); the line per dropped item is what a live collection prints.
  warnDrops(bundles[0]!, progress);
  return { bundle: bundles[0]!, snapshot: assembleSnapshot([azureProvider.normalize(bundles)], collectedAt), warnings };
}

const statusOf = (snapshot: Snapshot, checkId: string, uid: string) =>
  evaluate(snapshot, checks).find((r) => r.checkId === checkId && r.resource.uid === uid)?.status;
const tenantScope = `azure:tenant/${TENANT}`;

test('a single Conditional Access policy ($entity) is read as one policy, and the unread list keeps the checks unknown, not failing', async (t) => {
  const { value } = await acmeJson('graph/conditional-access-policies.json');
  const dir = await acmeWith(['graph/conditional-access-policies.json'], {
    'graph/ca-policy.json': { '@odata.context': `${GRAPH}identity/conditionalAccess/policies/$entity`, ...value[2] },
  });
  const { snapshot } = await importDir(dir);
  const ca = snapshot.controls.filter((c) => c.type === 'conditional-access');
  t.deepEqual(
    ca.map((c) => c.name),
    [value[2]!.displayName],
  );
  const gaps = snapshot.sources[0]!.gaps.filter((g) => g.what === 'azure.conditional-access');
  t.is(gaps.length, 1);
  t.regex(
    gaps[0]!.reason,
    /only single items were read.*az rest --url https:\/\/graph\.microsoft\.com\/v1\.0\/identity\/conditionalAccess\/policies/,
  );
  for (const id of ['azure-ca-mfa-all-users', 'azure-ca-mfa-admin-roles', 'azure-ca-mfa-azure-management'])
    t.is(statusOf(snapshot, id, tenantScope), 'unknown', id);
});

test('single-object reads of every list kind are read as one item: a user ($entity), an ARM role assignment, `az account show`', async (t) => {
  const users = await acmeJson('graph/users.json');
  const assignments = await acmeJson(`${SUB1}/role-assignment-list.json`);
  const accounts = JSON.parse(await readFile(join(ACME_AZURE, 'account-list.json'), 'utf8')) as Array<
    Record<string, unknown>
  >;
  const dir = await tempDir();
  await writeFiles(dir, {
    'user.json': { '@odata.context': `${GRAPH}users/$entity`, ...users.value[0] },
    'account-show.json': accounts[0],
    [`${SUB1}/role-assignment-show.json`]: { ...(Array.isArray(assignments) ? assignments[0] : assignments.value[0]) },
  });
  const { snapshot, bundle } = await importDir(dir);
  t.true(snapshot.principals.some((p) => p.nativeId === String(users.value[0]!.id).toLowerCase() && p.kind === 'user'));
  t.true(
    snapshot.principals.some((p) => (p.assignments ?? []).length > 0),
    'the one role assignment lands',
  );
  const reasons = bundle.gaps
    .filter((g) => g.what === 'azure.directory' || g.what === 'azure.role-assignments')
    .map((g) => g.reason)
    .join('\n');
  t.regex(reasons, /only single items were read/);
});

test('a single directory object is no group member list: refused with one line', async (t) => {
  const dir = await tempDir();
  await writeFiles(dir, {
    'group-members.5e0c7a2d-0001-4b6f-9d3e-00000000ed01.json': {
      '@odata.context': `${GRAPH}directoryObjects/$entity`,
      '@odata.type': '#microsoft.graph.user',
      id: '0b6e3c1a-0002-4d1e-9f00-00000000b0b0',
    },
  });
  const error = await t.throwsAsync(importDir(dir, { tenant: TENANT }));
  t.regex(error!.message, /a single directory object is not a group member list/);
});

test('$expand=principal: a Guest Global Administrator the users list does not hold becomes a guest user, and fails the guest check', async (t) => {
  const assignments = await acmeJson('graph/directory-role-assignments.json');
  const guest = {
    '@odata.type': '#microsoft.graph.user',
    id: '6f87972e-2e7e-4b49-9980-eb3888bdcfe1',
    displayName: 'Kalyan Krishna',
    userPrincipalName: 'kalyan_fabrikam.example#EXT#@acme.onmicrosoft.com',
    userType: 'Guest',
    accountEnabled: true,
  };
  const sp = {
    '@odata.type': '#microsoft.graph.servicePrincipal',
    id: '4f1d2c3b-0099-4c7e-8a11-0000000000aa',
    displayName: 'legacy-sync',
    appId: '11111111-2222-3333-4444-555555555555',
    servicePrincipalType: 'Application',
  };
  const dir = await acmeWith(['graph/directory-role-assignments.json'], {
    'graph/directory-role-assignments.json': {
      '@odata.context': `${GRAPH}roleManagement/directory/roleAssignments(principal())`,
      value: [
        ...assignments.value,
        {
          id: 'lAPpYvVpN0KRkAEhdxReEC6Xh29-guest',
          principalId: guest.id,
          directoryScopeId: '/',
          roleDefinitionId: '62e90394-69f5-4237-9190-012177145e10',
          principal: guest,
        },
        {
          id: 'lAPpYvVpN0KRkAEhdxReEC6Xh29-sp',
          principalId: sp.id,
          directoryScopeId: '/',
          roleDefinitionId: '62e90394-69f5-4237-9190-012177145e10',
          principal: sp,
        },
      ],
    },
  });
  const { snapshot } = await importDir(dir);
  const kalyan = snapshot.principals.find((p) => p.nativeId === guest.id)!;
  t.like(kalyan, { kind: 'user', name: guest.userPrincipalName, guest: true, enabled: true });
  t.is(kalyan.mfa?.state, 'unknown');
  t.is(statusOf(snapshot, 'azure-no-guest-privileged-roles', kalyan.uid), 'fail');
  const legacy = snapshot.principals.find((p) => p.nativeId === sp.id)!;
  t.like(legacy, { kind: 'servicePrincipal', name: 'legacy-sync' });
});

test('ARM ids without a leading slash name their subscription: no refusal, and never credited to another subscription', async (t) => {
  const setting = (name: string) => ({
    id: `subscriptions/${OTHER_SUB}/providers/microsoft.insights/diagnosticSettings/${name}`,
    type: null,
    name,
    properties: {
      workspaceId: `/subscriptions/${OTHER_SUB}/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/w`,
      logs: [{ categoryGroup: 'allLogs', enabled: true }],
    },
  });
  const alone = await tempDir();
  await writeFiles(alone, { 'exports/diagnostic-settings.json': { value: [setting('ds4')] } });
  const one = await importDir(alone, { tenant: TENANT });
  t.deepEqual(
    one.snapshot.controls.filter((c) => c.type === 'audit-logging').map((c) => c.scope.id),
    [OTHER_SUB],
  );

  const withOther = await tempDir();
  await mkdir(join(withOther, SUB1));
  await copyFile(
    join(ACME_AZURE, SUB1, 'role-assignment-list.json'),
    join(withOther, SUB1, 'role-assignment-list.json'),
  );
  await writeFiles(withOther, { 'exports/diagnostic-settings.json': { value: [setting('ds4')] } });
  const two = await importDir(withOther, { tenant: TENANT });
  t.deepEqual(
    two.snapshot.controls.filter((c) => c.type === 'audit-logging').map((c) => c.scope.id),
    [OTHER_SUB],
  );
  t.is(
    statusOf(two.snapshot, 'azure-activity-log-diagnostic-setting', `azure:subscription/${SUB1}`),
    'unknown',
    'no setting of its own was read',
  );
  t.is(statusOf(two.snapshot, 'azure-activity-log-diagnostic-setting', `azure:subscription/${OTHER_SUB}`), 'pass');
});

test('a folder named after a subscription id names it, even when no other file mentions that subscription', async (t) => {
  const dir = await tempDir();
  await copyFile(join(ACME_AZURE, 'account-list.json'), join(dir, 'account-list.json'));
  await writeFiles(dir, { [`${OTHER_SUB}/diagnostic-settings.json`]: [] });
  const { snapshot } = await importDir(dir);
  t.true(snapshot.sources.some((s) => s.scope.kind === 'subscription' && s.scope.id === OTHER_SUB));
  const alone = await tempDir();
  await writeFiles(alone, {
    [`${OTHER_SUB}/diagnostic-settings.json`]: [],
    'account.json': (JSON.parse(await readFile(join(ACME_AZURE, 'account-list.json'), 'utf8')) as unknown[]).slice(
      0,
      1,
    ),
  });
  const one = await importDir(alone);
  t.deepEqual(
    one.snapshot.sources
      .filter((s) => s.scope.kind === 'subscription' && s.gaps.every((g) => g.what !== 'azure.diagnostic-settings'))
      .map((s) => s.scope.id),
    [OTHER_SUB],
    'not the only subscription the account list names',
  );
});

test("the v1.0 docs' Conditional Access context ($metadata#conditionalAccess/policies) is a policy list", async (t) => {
  const body = await acmeJson('graph/conditional-access-policies.json');
  const dir = await acmeWith(['graph/conditional-access-policies.json'], {
    'graph/ca.json': { ...body, '@odata.context': `${GRAPH}conditionalAccess/policies` },
  });
  const { snapshot } = await importDir(dir);
  t.is(snapshot.controls.filter((c) => c.type === 'conditional-access').length, body.value.length);
  t.is(statusOf(snapshot, 'azure-ca-mfa-admin-roles', tenantScope), 'pass');
});

test('PIM schedules that ended before the export grant nothing: ARM and Entra eligibility, and activations', async (t) => {
  const armEligible = await acmeJson(`${SUB1}/role-eligibility-schedules.json`);
  const dirEligible = await acmeJson('graph/directory-role-eligibility-schedules.json');
  const ended = '2026-10-01T00:00:00Z';
  const armItem = armEligible.value[0] as { properties: Record<string, unknown> };
  const dirItem = dirEligible.value[0] as {
    principalId: string;
    scheduleInfo: { expiration: Record<string, unknown> };
  };
  const dir = await acmeWith(
    [`${SUB1}/role-eligibility-schedules.json`, 'graph/directory-role-eligibility-schedules.json'],
    {
      [`${SUB1}/role-eligibility-schedules.json`]: {
        value: [
          { ...armItem, properties: { ...armItem.properties, endDateTime: ended } },
          ...armEligible.value.slice(1),
        ],
      },
      'graph/directory-role-eligibility-schedules.json': {
        ...dirEligible,
        value: [
          {
            ...dirItem,
            scheduleInfo: { ...dirItem.scheduleInfo, expiration: { type: 'afterDateTime', endDateTime: ended } },
          },
          ...dirEligible.value.slice(1),
        ],
      },
    },
  );
  const before = await importDir(ACME_AZURE);
  const after = await importDir(dir);
  const eligible = (s: Snapshot, id: string) =>
    s.principals.find((p) => p.nativeId === id)!.assignments!.filter((a) => a.mode === 'eligible').length;
  const armPrincipal = String(armItem.properties.principalId);
  t.is(
    eligible(after.snapshot, armPrincipal),
    eligible(before.snapshot, armPrincipal) - (armPrincipal === dirItem.principalId ? 2 : 1),
  );
  t.regex(
    after.warnings.join('\n'),
    /ended 2026-10-01T00:00:00Z, before the export \(2026-11-01T09:00:00Z\): grants nothing/,
  );
  // The same files read as of a time before the end: the schedules grant again.
  const earlier = await importDir(dir, {}, '2026-09-01T00:00:00Z');
  t.is(eligible(earlier.snapshot, armPrincipal), eligible(before.snapshot, armPrincipal));
});

test('an activation whose schedule instance ended before the export grants nothing', async (t) => {
  const instances = await acmeJson(`${SUB1}/role-assignment-schedule-instances.json`);
  const activated = instances.value
    .map((i) => i as { properties?: Record<string, unknown> } & Record<string, unknown>)
    .find((i) => (i.properties ?? i).assignmentType === 'Activated');
  t.truthy(activated, 'the Acme example has an activation');
  const props = (activated!.properties ?? activated!) as Record<string, unknown>;
  const origin = String(props.originRoleAssignmentId).toLowerCase();
  const changed = instances.value.map((i) =>
    i === activated
      ? activated!.properties
        ? { ...activated, properties: { ...props, endDateTime: '2026-10-31T00:00:00Z' } }
        : { ...activated, endDateTime: '2026-10-31T00:00:00Z' }
      : i,
  );
  const dir = await acmeWith([`${SUB1}/role-assignment-schedule-instances.json`], {
    [`${SUB1}/role-assignment-schedule-instances.json`]: { ...instances, value: changed },
  });
  const { snapshot, warnings } = await importDir(dir);
  const holder = String(props.principalId).toLowerCase();
  t.false(
    snapshot.principals
      .find((p) => p.nativeId === holder)!
      .assignments!.some((a) => a.mode === 'active-jit' && a.scope === String(props.scope)),
    'the ended activation is gone',
  );
  t.regex(warnings.join('\n'), new RegExp(`${origin.split('/').at(-1)}.*ended 2026-10-31T00:00:00Z`, 'i'));
});

test('ARM role eligibility schedule instances are read as eligible assignments, counted once beside their schedule', async (t) => {
  const schedules = await acmeJson(`${SUB1}/role-eligibility-schedules.json`);
  const toInstance = (item: Record<string, unknown>) => {
    const { properties, id, name } = item as { properties: Record<string, unknown>; id: string; name: string };
    return {
      properties: { ...properties, roleEligibilityScheduleId: id },
      id: id.replace(/roleEligibilitySchedules/i, 'roleEligibilityScheduleInstances'),
      name,
      type: 'Microsoft.Authorization/roleEligibilityScheduleInstances',
    };
  };
  const instances = { value: schedules.value.map(toInstance) };
  const onlyInstances = await acmeWith([`${SUB1}/role-eligibility-schedules.json`], {
    [`${SUB1}/role-eligibility-schedule-instances.json`]: instances,
  });
  const both = await acmeWith([], { [`${SUB1}/role-eligibility-schedule-instances.json`]: instances });
  const reference = await importDir(ACME_AZURE);
  const count = (s: Snapshot) =>
    s.principals.flatMap((p) => (p.assignments ?? []).filter((a) => a.mode === 'eligible' && a.via === 'direct'))
      .length;
  const fromInstances = await importDir(onlyInstances);
  t.is(count(fromInstances.snapshot), count(reference.snapshot));
  t.false(
    fromInstances.bundle.gaps.some((g) => g.what === 'azure.pim' && g.call?.includes(SUB1)),
    'the instances cover the eligibility read',
  );
  t.is(count((await importDir(both)).snapshot), count(reference.snapshot));
});

test('every item dropped is accounted for: an assignment without its principal is a gap, an error for a read cloudward does not make is a warning', async (t) => {
  const assignments = await acmeJson('graph/directory-role-assignments.json');
  const dir = await acmeWith(['graph/directory-role-assignments.json'], {
    'graph/directory-role-assignments.json': {
      ...assignments,
      value: [
        ...assignments.value,
        { id: 'no-principal', directoryScopeId: '/', roleDefinitionId: '62e90394-69f5-4237-9190-012177145e10' },
      ],
    },
    'graph/devices.error.json': {
      error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges' },
      request: 'GET https://graph.microsoft.com/v1.0/devices',
    },
  });
  const { snapshot, warnings, bundle } = await importDir(dir);
  t.regex(
    snapshot.sources[0]!.gaps.filter((g) => g.what === 'azure.directory-roles')
      .map((g) => g.reason)
      .join('\n'),
    /no-principal.*no principalId/,
  );
  t.regex(warnings.join('\n'), /devices\.error\.json.*a read cloudward does not make \(GET .*\/devices\)/);
  const account = screenBundle(bundle).files.find((f) => f.origin.endsWith('directory-role-assignments.json'))!;
  t.deepEqual(
    [account.read, account.used, account.dropped?.length],
    [assignments.value.length + 1, assignments.value.length, 1],
  );
});

test('a registration report missing its last page still says what its first page says; the users it leaves out are unknown', async (t) => {
  const dir = await acmeWith(['graph/user-registration-details.page2.json'], {});
  const { snapshot } = await importDir(dir);
  t.regex(
    snapshot.sources[0]!.gaps.filter((g) => g.what === 'azure.mfa-registration')
      .map((g) => g.reason)
      .join(),
    /truncated/,
  );
  const page1 = await acmeJson('graph/user-registration-details.json');
  const page2 = await acmeJson('graph/user-registration-details.page2.json');
  const mfa = (id: unknown) => snapshot.principals.find((p) => p.nativeId === String(id).toLowerCase())?.mfa?.state;
  for (const detail of page1.value)
    t.is(mfa(detail.id), detail.isMfaRegistered ? 'enabled' : 'disabled', String(detail.userPrincipalName));
  for (const detail of page2.value) t.is(mfa(detail.id), 'unknown', String(detail.userPrincipalName));
});

test('$expand=principal that leaves userType out: the user is kept, and whether it is a guest is a gap, not a silent pass', async (t) => {
  const assignments = await acmeJson('graph/directory-role-assignments.json');
  const bare = {
    '@odata.type': '#microsoft.graph.user',
    id: '6f87972e-2e7e-4b49-9980-eb3888bdcfe2',
    displayName: 'Selected Fields Only',
  };
  const dir = await acmeWith(['graph/directory-role-assignments.json'], {
    'graph/directory-role-assignments.json': {
      '@odata.context': `${GRAPH}roleManagement/directory/roleAssignments(principal(id,displayName))`,
      value: [
        ...assignments.value,
        {
          id: 'bare',
          principalId: bare.id,
          directoryScopeId: '/',
          roleDefinitionId: '62e90394-69f5-4237-9190-012177145e10',
          principal: bare,
        },
      ],
    },
  });
  const { snapshot } = await importDir(dir);
  const user = snapshot.principals.find((p) => p.nativeId === bare.id)!;
  t.like(user, { kind: 'user', name: 'Selected Fields Only' });
  t.false('guest' in user);
  t.regex(
    snapshot.sources[0]!.gaps.filter((g) => g.what === 'azure.directory')
      .map((g) => g.reason)
      .join('\n'),
    new RegExp(`${bare.id}.*no userType.*guest is unknown`),
  );
});

test("a folder named after a GUID no file knows yields to the subscription the export's own ids name", async (t) => {
  const dir = await tempDir();
  const ticket = '3f2a0000-0000-4000-8000-0000000000aa';
  await writeFiles(dir, {
    [`${ticket}/diagnostic-settings.json`]: {
      value: [
        {
          id: `subscriptions/${OTHER_SUB}/providers/microsoft.insights/diagnosticSettings/ds4`,
          name: 'ds4',
          properties: {
            workspaceId: '/subscriptions/x/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/w',
            logs: [{ categoryGroup: 'allLogs', enabled: true }],
          },
        },
      ],
    },
  });
  const { snapshot } = await importDir(dir, { tenant: TENANT });
  t.deepEqual(
    snapshot.controls.filter((c) => c.type === 'audit-logging').map((c) => c.scope.id),
    [OTHER_SUB],
  );
});
