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
const load = async () => azureProvider.normalize(await importAzureFiles(exports(), { options: {}, progress: quietProgress, collectedAt: '2026-11-01T09:00:00Z' }));
const named = (principals: readonly Principal[], name: string) => principals.find((p) => p.name === name || p.name === `${name}@playground.example`)!;
const pathOf = (p: Principal) => (p.details?.escalationPath as { text: string; conditions: string[] } | undefined);

const AU = 'target is within directory scope /administrativeUnits/dddddddd-0000-4000-8000-0000000000a1 (its members are not in the snapshot)';

test('each edge is a path to admin, shortest, naming the grant of each step', async (t) => {
  const { principals } = await load();
  const expected: Array<[string, string, string[], string]> = [
    ['pra', 'pra@playground.example -> Privileged Role Administrator: assign Global Administrator -> admin', [], 'admin'],
    ['paa', 'paa@playground.example -> Privileged Authentication Administrator: reset the credentials of ga@playground.example -> admin', [], 'admin'],
    // A non-admin user who is an Azure Owner is not protected from the Helpdesk Administrator.
    // Admin is what a principal holds: one that can become an administrator is privileged, as on AWS and Google Cloud.
    ['helpdesk', 'helpdesk@playground.example -> Helpdesk Administrator: reset the password of owner@playground.example -> admin', [], 'privileged'],
    ['appadmin', 'appadmin@playground.example -> Application Administrator: add a secret to sp-owner -> admin', [], 'privileged'],
    ['eligible-pra', 'eligible-pra@playground.example -> eligible Privileged Role Administrator: assign Global Administrator -> admin', [PIM_ACTIVATION], 'admin'],
    ['authadmin-eligible', 'authadmin-eligible@playground.example -> eligible Authentication Administrator: reset the password of owner@playground.example -> admin', [PIM_ACTIVATION], 'privileged'],
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

test('an ABAC condition and an administrative unit are conditions of the path, never a tenant-wide admin', async (t) => {
  const { principals } = await load();
  const rbac = named(principals, 'rbac-cond');
  t.regex(pathOf(rbac)!.text, /^rbac-cond@playground\.example -> Role Based Access Control Administrator: write role assignments on \/subscriptions\/99999999-0000-4000-8000-000000000001 -> admin$/);
  t.regex(pathOf(rbac)!.conditions[0]!, /^ABAC condition: /);
  t.is(rbac.privilege!.level, 'privileged');
  const au = named(principals, 'au-helpdesk');
  t.deepEqual(pathOf(au)!.conditions, [AU]);
  t.is(au.privilege!.level, 'privileged');
});

test('look-alikes are no path: an expired eligibility, a role-less member of a group that is not role-assignable, a user with no role', async (t) => {
  const { principals } = await load();
  for (const name of ['expired-pra', 'reader', 'plain']) t.is(pathOf(named(principals, name)), undefined, name);
  t.is(named(principals, 'plain').privilege!.level, 'none');
  t.is(named(principals, 'reader').privilege!.level, 'none');
  // Holders of admin have no path of their own: Global Administrator, Azure Owner, a custom role writing role assignments.
  for (const name of ['ga', 'owner', 'sp-owner', 'mi-owner', 'custom']) t.is(pathOf(named(principals, name)), undefined, name);
  // Searched and found no path: an empty list of edge kinds, which checks read as "no path" rather than "not searched".
  for (const name of ['expired-pra', 'reader', 'plain', 'ga', 'owner']) t.deepEqual(named(principals, name).details?.escalation, [], name);
  t.deepEqual(named(principals, 'helpdesk').details?.escalation, ['AZResetPassword']);
});

test('the Helpdesk Administrator cannot reset a Global Administrator: without the non-admin Azure administrators it has no path', async (t) => {
  const { principals, roles } = await load();
  const roleMap = new Map<string, Role>(roles.map((r) => [r.uid, r]));
  // owner holds Owner on the subscription, custom a custom role writing role assignments on a resource group, rbac-cond
  // Role Based Access Control Administrator: all are
  // Azure administrators with no Entra role, so a Helpdesk Administrator reaches them; eligible-pra holds no active role
  // (only an eligibility), so it is not protected either.
  const unprotected = ['owner@playground.example', 'custom@playground.example', 'rbac-cond@playground.example', 'eligible-pra@playground.example'];
  const withoutOwner = principals.map((p) => (unprotected.includes(p.name) ? { ...p, assignments: [] } : p));
  const paths = new AzurePrivilegeGraph(withoutOwner, roleMap, '2026-11-01T09:00:00Z').paths();
  t.is(paths.get(named(principals, 'helpdesk').uid), undefined);
  t.is(paths.get(named(principals, 'authadmin-eligible').uid), undefined);
  // The Privileged Authentication Administrator still reaches the Global Administrator.
  t.regex(paths.get(named(principals, 'paa').uid)!.text, /reset the credentials of ga@playground\.example -> admin$/);
  // An Application Administrator cannot add a secret to a managed identity: without sp-owner, no path.
  const noApp = withoutOwner.map((p) => (p.name === 'sp-owner' ? { ...p, assignments: [] } : p));
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
  t.true(size.hubs <= 3);
});
