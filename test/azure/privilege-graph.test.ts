import test from 'ava';
import { join } from 'node:path';
import type { Principal, Role } from '../../src/snapshot/model.js';
import { azureProvider } from '../../src/providers/azure/index.js';
import { AzurePrivilegeGraph } from '../../src/providers/azure/privilege-graph.js';
import { PLAYGROUND_LOOK_ALIKES, PLAYGROUND_PATHS } from '../fixtures/azure/escalation-playground/catalogue.js';
import { AZURE_FIXTURES, filesUnder, quietProgress } from '../support/azure-fixtures.js';
import { importAzureFiles } from '../../src/providers/azure/import.js';

// The playground holds each Entra and Azure escalation edge once, and the look-alikes that must not be one; it was
// written for this test (see its README.md). Collected at 2026-11-01T09:00:00Z.
const PLAYGROUND = join(AZURE_FIXTURES, 'escalation-playground');
// The exports, without the README that describes them.
const exports = () => filesUnder(PLAYGROUND).filter((f) => f.endsWith('.json'));
const load = async (keep: (file: string) => boolean = () => true) =>
  azureProvider.normalize(
    await importAzureFiles(exports().filter(keep), {
      options: {},
      progress: quietProgress,
      collectedAt: '2026-11-01T09:00:00Z',
    }),
  );
const named = (principals: readonly Principal[], name: string) =>
  principals.find((p) => p.name === name || p.name === `${name}@playground.example`)!;
const pathOf = (p: Principal) => p.details?.escalationPath as { text: string; conditions: string[] } | undefined;

const AU =
  'target is within directory scope /administrativeUnits/dddddddd-0000-4000-8000-0000000000a1 (its members are not in the snapshot)';

test('each catalogue path of the playground is found exactly: the shortest path, naming the grant of each step, its conditions and edge kinds', async (t) => {
  const { principals } = await load();
  for (const expected of PLAYGROUND_PATHS) {
    const p = named(principals, expected.name);
    t.is(pathOf(p)?.text, expected.text, expected.name);
    t.deepEqual(pathOf(p)?.conditions, expected.conditions, expected.name);
    t.deepEqual(p.details?.escalation, expected.kinds, expected.name);
    t.is(p.privilege!.level, expected.level, expected.name);
    // A path that raises the level is a reason; an administrator by its own role keeps its role's reasons.
    if (!['pra', 'paa', 'eligible-pra'].includes(expected.name))
      t.true(
        p.privilege!.reasons.some((r) => r.startsWith(`path to admin: ${expected.text}`)),
        expected.name,
      );
  }
});

test('no look-alike of the playground has a path', async (t) => {
  const { principals } = await load();
  for (const { name, why } of PLAYGROUND_LOOK_ALIKES)
    t.is(pathOf(named(principals, name)), undefined, `${name}: ${why}`);
});

test('an ABAC condition is a condition of the path, never a tenant-wide admin', async (t) => {
  const { principals } = await load();
  const rbac = named(principals, 'rbac-cond');
  t.regex(
    pathOf(rbac)!.text,
    /^rbac-cond@playground\.example -> Role Based Access Control Administrator: write role assignments on \/subscriptions\/99999999-0000-4000-8000-000000000001 -> admin$/,
  );
  t.regex(pathOf(rbac)!.conditions[0]!, /^ABAC condition: /);
  t.is(rbac.privilege!.level, 'privileged');
});

test('a role scoped to an administrative unit reaches its members when the units were read, and rests on the unit when they were not', async (t) => {
  const { principals } = await load();
  const au = named(principals, 'au-helpdesk');
  t.is(
    pathOf(au)!.text,
    'au-helpdesk@playground.example -> Helpdesk Administrator: reset the password of au-target@playground.example -> admin',
  );
  t.deepEqual(pathOf(au)!.conditions, []);
  // The unit whose only member is a Global Administrator gives its Helpdesk Administrator nobody to reset.
  t.is(pathOf(named(principals, 'au-helpdesk-admins')), undefined);
  const unread = (await load((f) => !f.endsWith('administrative-units.json'))).principals;
  t.deepEqual(pathOf(named(unread, 'au-helpdesk'))!.conditions, [AU]);
  t.is(named(unread, 'au-helpdesk').privilege!.level, 'privileged');
});

test('look-alikes are no path: an expired eligibility, a role-less member of a group that is not role-assignable, a user with no role', async (t) => {
  const { principals } = await load();
  for (const name of ['expired-pra', 'reader', 'plain']) t.is(pathOf(named(principals, name)), undefined, name);
  t.is(named(principals, 'plain').privilege!.level, 'none');
  t.is(named(principals, 'reader').privilege!.level, 'none');
  // Holders of admin have no path of their own: Global Administrator, Azure Owner, a custom role writing role assignments.
  for (const name of ['ga', 'owner', 'sp-owner', 'mi-owner', 'custom'])
    t.is(pathOf(named(principals, name)), undefined, name);
  // Searched and found no path: an empty list of edge kinds, which checks read as "no path" rather than "not searched".
  for (const name of ['expired-pra', 'reader', 'plain', 'ga', 'owner'])
    t.deepEqual(named(principals, name).details?.escalation, [], name);
  t.deepEqual(named(principals, 'helpdesk').details?.escalation, ['AZResetPassword']);
});

test('the Helpdesk Administrator cannot reset a Global Administrator: without the non-admin Azure administrators it has no path', async (t) => {
  const { principals, roles } = await load();
  const roleMap = new Map<string, Role>(roles.map((r) => [r.uid, r]));
  // Only the Global Administrator, the resetters, the Application Administrator, the two service principals that are
  // Azure Owners and a user with no role: every user a Helpdesk Administrator may reset is one with no path.
  const kept = ['ga', 'helpdesk', 'authadmin-eligible', 'paa', 'appadmin', 'sp-owner', 'mi-owner', 'plain'].map((n) =>
    named(principals, n),
  );
  const paths = new AzurePrivilegeGraph(kept, roleMap, '2026-11-01T09:00:00Z').paths();
  t.is(paths.get(named(principals, 'helpdesk').uid), undefined);
  t.is(paths.get(named(principals, 'authadmin-eligible').uid), undefined);
  // The Privileged Authentication Administrator still reaches the Global Administrator.
  t.regex(paths.get(named(principals, 'paa').uid)!.text, /reset the credentials of ga@playground\.example -> admin$/);
  // An Application Administrator cannot add a secret to a managed identity: without sp-owner, no path.
  const noApp = kept.map((p) => (p.name === 'sp-owner' ? { ...p, assignments: [] } : p));
  t.is(
    new AzurePrivilegeGraph(noApp, roleMap, '2026-11-01T09:00:00Z').paths().get(named(principals, 'appadmin').uid),
    undefined,
  );
});

test('the graph grows linearly: one hub per class of targets, one edge per assignment', async (t) => {
  const { principals, roles } = await load();
  const roleMap = new Map<string, Role>(roles.map((r) => [r.uid, r]));
  const many: Principal[] = [...principals];
  const template = named(principals, 'helpdesk');
  for (let i = 0; i < 2000; i++)
    many.push({ ...template, uid: `${template.uid}-${i}`, nativeId: `x${i}`, name: `h${i}` });
  for (let i = 0; i < 2000; i++)
    many.push({ ...named(principals, 'plain'), uid: `plain-${i}`, nativeId: `p${i}`, name: `p${i}` });
  const size = new AzurePrivilegeGraph(many, roleMap, '2026-11-01T09:00:00Z').size;
  // 2000 more resetters and 2000 more users: an edge per resetter and one per user in each of two hubs (every user, the
  // non-admin users), not one per resetter and user (4 million).
  t.true(size.edges < 3 * many.length, String(size.edges));
  t.is(size.hubs, new AzurePrivilegeGraph(principals, roleMap, '2026-11-01T09:00:00Z').size.hubs);
});

const SUB = '/subscriptions/99999999-0000-4000-8000-000000000001';

test('a Key Vault secret reader reaches a service principal only resting on a vault holding its credential', async (t) => {
  const { principals } = await load();
  const reader = named(principals, 'kv-reader');
  t.is(
    pathOf(reader)!.text,
    `kv-reader@playground.example -> Secret Reader: read Key Vault secrets within ${SUB}, among them a credential of sp-owner -> admin`,
  );
  t.deepEqual(pathOf(reader)!.conditions, [
    `a Key Vault within ${SUB} holds a credential of the service principal reached (vault contents are not read)`,
  ]);
  t.is(reader.privilege!.level, 'privileged');
});

test('look-alikes of the new edges are no path: a VM without identity, a Graph read permission, the owner of a group that grants nothing', async (t) => {
  const { principals } = await load();
  for (const name of ['vm-operator-noid', 'sp-readall', 'reader-group-owner', 'Microsoft Graph'])
    t.is(pathOf(named(principals, name)), undefined, name);
  t.is(named(principals, 'sp-readall').privilege!.level, 'none');
  t.is(named(principals, 'reader-group-owner').privilege!.level, 'none');
  // The facts the edges rest on are in the snapshot, so the graph can be rebuilt from it alone.
  t.deepEqual(named(principals, 'sp-rolemgmt').details?.graphAppRoles, ['RoleManagement.ReadWrite.Directory']);
  t.deepEqual(named(principals, 'sp-readall').details?.graphAppRoles, undefined);
  t.deepEqual(named(principals, 'vm-web').details?.runsOn, [
    {
      id: `${SUB}/resourceGroups/rg-vm/providers/Microsoft.Compute/virtualMachines/vm-web`,
      name: 'vm-web',
      class: 'vm',
    },
  ]);
  t.is(named(principals, 'ga-group').details?.roleAssignable, true);
});

test('membership editors reach groups that are not role-assignable only; an unread isAssignableToRole is a condition', async (t) => {
  const { principals, roles } = await load();
  const roleMap = new Map<string, Role>(roles.map((r) => [r.uid, r]));
  const at = '2026-11-01T09:00:00Z';
  // Without the non-role-assignable group that holds Owner, the only admin group is role-assignable: no path.
  const noOwnersGroup = principals.map((p) => (p.name === 'owners-group' ? { ...p, assignments: [] } : p));
  const paths = new AzurePrivilegeGraph(noOwnersGroup, roleMap, at).paths();
  t.is(paths.get(named(principals, 'groups-admin').uid), undefined);
  t.is(paths.get(named(principals, 'sp-groupwrite').uid), undefined);
  // Its owner still may: owners manage a role-assignable group's members.
  t.regex(paths.get(named(principals, 'group-owner').uid)!.text, /add itself as a member of ga-group -> admin$/);
  const unknown = principals.map((p) =>
    p.name === 'owners-group' ? { ...p, details: { ...p.details, roleAssignable: null } } : p,
  );
  t.deepEqual(
    new AzurePrivilegeGraph(unknown, roleMap, at).paths().get(named(principals, 'groups-admin').uid)!.conditions,
    ['group owners-group is not role-assignable (isAssignableToRole was not read)'],
  );
});

test('compute edges grow with hosts plus assignments: one hub per class and scope', async (t) => {
  const { principals, roles } = await load();
  const roleMap = new Map<string, Role>(roles.map((r) => [r.uid, r]));
  const many: Principal[] = [...principals];
  const operator = named(principals, 'vm-operator');
  const identity = named(principals, 'vm-web');
  const host = (identity.details!.runsOn as Array<Record<string, string>>)[0]!;
  for (let i = 0; i < 2000; i++)
    many.push({
      ...identity,
      uid: `${identity.uid}-${i}`,
      nativeId: `vm${i}`,
      name: `vm${i}`,
      details: { ...identity.details, runsOn: [{ ...host, id: `${host.id}-${i}` }] },
    });
  for (let i = 0; i < 2000; i++)
    many.push({ ...operator, uid: `${operator.uid}-${i}`, nativeId: `op${i}`, name: `op${i}` });
  const graph = new AzurePrivilegeGraph(many, roleMap, '2026-11-01T09:00:00Z');
  // 2000 operators on one resource group of 2001 VMs: an edge per operator and one per VM in the group's hub, not 4 million.
  t.true(graph.size.edges < 3 * many.length, String(graph.size.edges));
  t.regex(graph.paths().get(`${operator.uid}-7`)!.text, /act as its managed identity vm-web/);
});

test('every item of the playground exports is accounted: the new exports are used whole', async (t) => {
  const { sources } = await load();
  const accounts = sources.flatMap((s) => s.items ?? []);
  for (const a of accounts) t.is(a.used + (a.dropped ?? []).reduce((n, d) => n + d.count, 0), a.read, a.origin);
  for (const file of [
    'applications.json',
    'graph-app-role-assigned-to.json',
    'administrative-units.json',
    'vm-list.json',
    'automation-account-list.json',
    'functionapp-list.json',
    'logic-workflow-list.json',
    'aks-list.json',
  ]) {
    const account = accounts.find((a) => a.origin.endsWith(file));
    t.truthy(account, file);
    t.true(account!.read > 0 && account!.used === account!.read, file);
  }
});

test('a Privileged Role Administrator scoped to a unit that was read is no tenant-wide admin', async (t) => {
  const { principals, roles } = await load();
  const roleMap = new Map<string, Role>(roles.map((r) => [r.uid, r]));
  const unit = '/administrativeUnits/dddddddd-0000-4000-8000-0000000000a1';
  const scoped = principals.map((p) =>
    p.name === 'pra@playground.example' ? { ...p, assignments: p.assignments!.map((a) => ({ ...a, scope: unit })) } : p,
  );
  const path = new AzurePrivilegeGraph(scoped, roleMap, '2026-11-01T09:00:00Z')
    .paths()
    .get(named(principals, 'pra').uid)!;
  t.deepEqual(path.conditions, [`target is within directory scope ${unit} (its members are not in the snapshot)`]);
});

test('an import without the escalation exports records a gap per missing topic, so no path found is not read as none', async (t) => {
  const gapsOf = async (keep: (file: string) => boolean) =>
    (await load(keep)).sources.flatMap((s) => (s.gaps ?? []).map((g) => `${g.what}: ${g.reason}`));
  const whole = await gapsOf(() => true);
  t.deepEqual(
    whole.filter((g) => /^azure\.(escalation|compute-identities):/.test(g)),
    [],
    'the playground holds every export',
  );
  const withoutApps = await gapsOf((f) => !f.endsWith('applications.json') && !f.endsWith('vm-list.json'));
  const escalation = withoutApps.filter((g) => /^azure\.(escalation|compute-identities):/.test(g));
  t.is(escalation.length, 2, escalation.join('\n'));
  t.true(
    escalation.some(
      (g) =>
        g.startsWith('azure.escalation: these lists are not among the imported files') && g.includes('/applications?'),
    ),
    escalation.join('\n'),
  );
  t.true(
    escalation.some((g) => g.startsWith('azure.compute-identities: subscription ') && g.includes('az vm list -o json')),
    escalation.join('\n'),
  );
});
