import test from 'ava';
import { join } from 'node:path';
import type { Principal, Role } from '../../src/snapshot/model.js';
import { azureProvider } from '../../src/providers/azure/index.js';
import { AzurePrivilegeGraph, PIM_ACTIVATION } from '../../src/providers/azure/privilege-graph.js';
import { AZURE_FIXTURES, filesUnder, quietProgress } from '../support/azure-fixtures.js';
import { importAzureFiles } from '../../src/providers/azure/import.js';

// The playground holds each Entra and Azure escalation edge once, and the look-alikes that must not be one; it was
// written for this test (see its README.md). Collected at 2026-11-01T09:00:00Z.
const PLAYGROUND = join(AZURE_FIXTURES, 'escalation-playground');
// The exports, without the README that describes them.
const exports = () => filesUnder(PLAYGROUND).filter((f) => f.endsWith('.json'));
const load = async (keep: (file: string) => boolean = () => true) => azureProvider.normalize(await importAzureFiles(exports().filter(keep), { options: {}, progress: quietProgress, collectedAt: '2026-11-01T09:00:00Z' }));
const named = (principals: readonly Principal[], name: string) => principals.find((p) => p.name === name || p.name === `${name}@playground.example`)!;
const pathOf = (p: Principal) => (p.details?.escalationPath as { text: string; conditions: string[] } | undefined);

const AU = 'target is within directory scope /administrativeUnits/dddddddd-0000-4000-8000-0000000000a1 (its members are not in the snapshot)';

test('each edge is a path to admin, shortest, naming the grant of each step', async (t) => {
  const { principals } = await load();
  const expected: Array<[string, string, string[], string]> = [
    ['pra', 'pra@playground.example -> Privileged Role Administrator: assign Global Administrator -> admin', [], 'admin'],
    ['paa', 'paa@playground.example -> Privileged Authentication Administrator: reset the credentials of ga@playground.example -> admin', [], 'admin'],
    // A non-admin user who is an Azure Owner is not protected from the Helpdesk Administrator.
    ['helpdesk', 'helpdesk@playground.example -> Helpdesk Administrator: reset the password of owner@playground.example -> admin', [], 'admin'],
    ['appadmin', 'appadmin@playground.example -> Application Administrator: add a secret to sp-owner -> admin', [], 'admin'],
    ['eligible-pra', 'eligible-pra@playground.example -> eligible Privileged Role Administrator: assign Global Administrator -> admin', [PIM_ACTIVATION], 'admin'],
    ['authadmin-eligible', 'authadmin-eligible@playground.example -> eligible Authentication Administrator: reset the password of owner@playground.example -> admin', [PIM_ACTIVATION], 'admin'],
  ];
  for (const [name, text, conditions, level] of expected) {
    const p = named(principals, name);
    t.is(pathOf(p)?.text, text, name);
    t.deepEqual(pathOf(p)?.conditions, conditions, name);
    t.is(p.privilege!.level, level, name);
    // A path that raises the level is a reason; an administrator by its own role keeps its role's reasons.
    if (!['pra', 'paa', 'eligible-pra'].includes(name)) t.true(p.privilege!.reasons.some((r) => r.startsWith(`path to admin: ${text}`)), name);
  }
});

test('an ABAC condition is a condition of the path, never a tenant-wide admin', async (t) => {
  const { principals } = await load();
  const rbac = named(principals, 'rbac-cond');
  t.regex(pathOf(rbac)!.text, /^rbac-cond@playground\.example -> Role Based Access Control Administrator: write role assignments on \/subscriptions\/99999999-0000-4000-8000-000000000001 -> admin$/);
  t.regex(pathOf(rbac)!.conditions[0]!, /^ABAC condition: /);
  t.is(rbac.privilege!.level, 'privileged');
});

test('a role scoped to an administrative unit reaches its members when the units were read, and rests on the unit when they were not', async (t) => {
  const { principals } = await load();
  const au = named(principals, 'au-helpdesk');
  t.is(pathOf(au)!.text, 'au-helpdesk@playground.example -> Helpdesk Administrator: reset the password of au-target@playground.example -> admin');
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
  for (const name of ['ga', 'owner', 'sp-owner', 'mi-owner', 'custom']) t.is(pathOf(named(principals, name)), undefined, name);
});

test('the Helpdesk Administrator cannot reset a Global Administrator: without the non-admin Azure administrators it has no path', async (t) => {
  const { principals, roles } = await load();
  const roleMap = new Map<string, Role>(roles.map((r) => [r.uid, r]));
  // Only the Global Administrator, the resetters, the Application Administrator, the two service principals that are
  // Azure Owners and a user with no role: every user a Helpdesk Administrator may reset is one with no path.
  const kept = ['ga', 'helpdesk', 'authadmin-eligible', 'paa', 'appadmin', 'sp-owner', 'mi-owner', 'plain'].map((n) => named(principals, n));
  const paths = new AzurePrivilegeGraph(kept, roleMap, '2026-11-01T09:00:00Z').paths();
  t.is(paths.get(named(principals, 'helpdesk').uid), undefined);
  t.is(paths.get(named(principals, 'authadmin-eligible').uid), undefined);
  // The Privileged Authentication Administrator still reaches the Global Administrator.
  t.regex(paths.get(named(principals, 'paa').uid)!.text, /reset the credentials of ga@playground\.example -> admin$/);
  // An Application Administrator cannot add a secret to a managed identity: without sp-owner, no path.
  const noApp = kept.map((p) => (p.name === 'sp-owner' ? { ...p, assignments: [] } : p));
  t.is(new AzurePrivilegeGraph(noApp, roleMap, '2026-11-01T09:00:00Z').paths().get(named(principals, 'appadmin').uid), undefined);
});

test('the graph grows linearly: one hub per class of targets, one edge per assignment', async (t) => {
  const { principals, roles } = await load();
  const roleMap = new Map<string, Role>(roles.map((r) => [r.uid, r]));
  const many: Principal[] = [...principals];
  const template = named(principals, 'helpdesk');
  for (let i = 0; i < 2000; i++) many.push({ ...template, uid: `${template.uid}-${i}`, nativeId: `x${i}`, name: `h${i}` });
  for (let i = 0; i < 2000; i++) many.push({ ...named(principals, 'plain'), uid: `plain-${i}`, nativeId: `p${i}`, name: `p${i}` });
  const size = new AzurePrivilegeGraph(many, roleMap, '2026-11-01T09:00:00Z').size;
  // 2000 more resetters and 2000 more users: an edge per resetter and one per user in each of two hubs (every user, the
  // non-admin users), not one per resetter and user (4 million).
  t.true(size.edges < 3 * many.length, String(size.edges));
  t.is(size.hubs, new AzurePrivilegeGraph(principals, roleMap, '2026-11-01T09:00:00Z').size.hubs);
});

const SUB = '/subscriptions/99999999-0000-4000-8000-000000000001';

test('owners, Microsoft Graph application permissions, group membership editors and compute identities are paths, each naming its grant', async (t) => {
  const { principals } = await load();
  const expected: Array<[string, string, string[]]> = [
    // AZOwns: an application's owner adds a secret to its service principal, which holds Privileged Role Administrator.
    ['app-owner', 'app-owner@playground.example -> owner of the application of sp-pra: add a secret to sp-pra -> Privileged Role Administrator: assign Global Administrator -> admin', ['AZOwns', 'AZPrivilegedRoleAdmin']],
    ['sp-owner-user', 'sp-owner-user@playground.example -> owner of service principal sp-owner: add a secret to sp-owner -> admin', ['AZOwns']],
    // A role-assignable group's owner may add members; the group holds Global Administrator.
    ['group-owner', 'group-owner@playground.example -> owner of group ga-group: add itself as a member of ga-group -> admin', ['AZOwns']],
    ['groups-admin', 'groups-admin@playground.example -> Groups Administrator: add itself as a member of owners-group -> admin', ['AZAddMembers']],
    ['sp-rolemgmt', 'sp-rolemgmt -> Microsoft Graph RoleManagement.ReadWrite.Directory: assign itself Global Administrator -> admin', ['AZMGGrantRole']],
    ['sp-approle', 'sp-approle -> Microsoft Graph AppRoleAssignment.ReadWrite.All: grant itself RoleManagement.ReadWrite.Directory, then assign itself Global Administrator -> admin', ['AZMGGrantAppRoles']],
    ['sp-appwrite', 'sp-appwrite -> Microsoft Graph Application.ReadWrite.All: add a secret to sp-owner -> admin', ['AZMGAddSecret']],
    ['sp-groupwrite', 'sp-groupwrite -> Microsoft Graph GroupMember.ReadWrite.All: add itself as a member of owners-group -> admin', ['AZMGAddMember']],
    ['sp-dirwrite', 'sp-dirwrite -> Microsoft Graph Directory.ReadWrite.All: add itself as a member of owners-group -> admin', ['AZMGAddMember']],
    ['vm-operator', `vm-operator@playground.example -> VM Operator: run a command on a virtual machine (run command, extension) within ${SUB}/resourceGroups/rg-vm and act as its managed identity vm-web -> admin`, ['AZExecuteCommand']],
    ['automation-contrib', `automation-contrib@playground.example -> Runbook Operator: run a runbook in an Automation account within ${SUB}/resourceGroups/rg-auto and act as its managed identity uami-ops -> admin`, ['AZAutomationContributor']],
    ['web-contrib', `web-contrib@playground.example -> Site Deployer: deploy code to a function app within ${SUB}/resourceGroups/rg-web and act as its managed identity func-ops -> admin`, ['AZWebsiteContributor']],
    ['logic-contrib', `logic-contrib@playground.example -> Workflow Editor: edit a Logic App workflow within ${SUB}/resourceGroups/rg-logic and act as its managed identity wf-ops -> admin`, ['AZLogicAppContributor']],
    // The cluster's kubelet identity (identityProfile), which its pods reach.
    ['aks-contrib', `aks-contrib@playground.example -> Cluster Operator: run a pod on an AKS cluster within ${SUB}/resourceGroups/rg-aks and act as its managed identity aks-ops-agentpool -> admin`, ['AZAKSContributor']],
  ];
  for (const [name, text, kinds] of expected) {
    const p = named(principals, name);
    t.is(pathOf(p)?.text, text, name);
    t.deepEqual(pathOf(p)?.conditions, [], name);
    t.deepEqual(p.details?.escalation, kinds, name);
    t.is(p.privilege!.level, 'admin', name);
  }
});

test('a Key Vault secret reader reaches a service principal only resting on a vault holding its credential', async (t) => {
  const { principals } = await load();
  const reader = named(principals, 'kv-reader');
  t.is(pathOf(reader)!.text, `kv-reader@playground.example -> Secret Reader: read Key Vault secrets within ${SUB}, among them a credential of sp-owner -> admin`);
  t.deepEqual(pathOf(reader)!.conditions, [`a Key Vault within ${SUB} holds a credential of the service principal reached (vault contents are not read)`]);
  t.is(reader.privilege!.level, 'privileged');
});

test('look-alikes of the new edges are no path: a VM without identity, a Graph read permission, the owner of a group that grants nothing', async (t) => {
  const { principals } = await load();
  for (const name of ['vm-operator-noid', 'sp-readall', 'reader-group-owner', 'Microsoft Graph']) t.is(pathOf(named(principals, name)), undefined, name);
  t.is(named(principals, 'sp-readall').privilege!.level, 'none');
  t.is(named(principals, 'reader-group-owner').privilege!.level, 'none');
  // The facts the edges rest on are in the snapshot, so the graph can be rebuilt from it alone.
  t.deepEqual(named(principals, 'sp-rolemgmt').details?.graphAppRoles, ['RoleManagement.ReadWrite.Directory']);
  t.deepEqual(named(principals, 'sp-readall').details?.graphAppRoles, undefined);
  t.deepEqual(named(principals, 'vm-web').details?.runsOn, [{ id: `${SUB}/resourceGroups/rg-vm/providers/Microsoft.Compute/virtualMachines/vm-web`, name: 'vm-web', class: 'vm' }]);
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
  const unknown = principals.map((p) => (p.name === 'owners-group' ? { ...p, details: { ...p.details, roleAssignable: null } } : p));
  t.deepEqual(new AzurePrivilegeGraph(unknown, roleMap, at).paths().get(named(principals, 'groups-admin').uid)!.conditions, ['group owners-group is not role-assignable (isAssignableToRole was not read)']);
});

test('compute edges grow with hosts plus assignments: one hub per class and scope', async (t) => {
  const { principals, roles } = await load();
  const roleMap = new Map<string, Role>(roles.map((r) => [r.uid, r]));
  const many: Principal[] = [...principals];
  const operator = named(principals, 'vm-operator');
  const identity = named(principals, 'vm-web');
  const host = (identity.details!.runsOn as Array<Record<string, string>>)[0]!;
  for (let i = 0; i < 2000; i++) many.push({ ...identity, uid: `${identity.uid}-${i}`, nativeId: `vm${i}`, name: `vm${i}`, details: { ...identity.details, runsOn: [{ ...host, id: `${host.id}-${i}` }] } });
  for (let i = 0; i < 2000; i++) many.push({ ...operator, uid: `${operator.uid}-${i}`, nativeId: `op${i}`, name: `op${i}` });
  const graph = new AzurePrivilegeGraph(many, roleMap, '2026-11-01T09:00:00Z');
  // 2000 operators on one resource group of 2001 VMs: an edge per operator and one per VM in the group's hub, not 4 million.
  t.true(graph.size.edges < 3 * many.length, String(graph.size.edges));
  t.regex(graph.paths().get(`${operator.uid}-7`)!.text, /act as its managed identity vm-web/);
});
