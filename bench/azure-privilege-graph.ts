/**
 * Privilege-graph benchmark for Entra ID and Azure: the Azure normalizer (which builds the escalation graph) on one
 * synthetic tenant of N principals: 75% users, 15% service principals with their app registrations and owners, 10%
 * managed identities that VMs, function apps and Automation accounts run as, spread over N/500 resource groups of
 * N/5000 subscriptions; Helpdesk, Application, Groups and (eligible) Privileged Role Administrators, Graph application
 * permissions, groups that hold Owner (role-assignable or not) with owners, run-command operators per resource group,
 * Key Vault secret readers and administrative units. Times the whole normalize (CPU time, median of runs) and counts
 * the principals with a path to admin.
 *
 *   node --import tsx bench/azure-privilege-graph.ts                          # 10k and 100k principals
 *   node --import tsx bench/azure-privilege-graph.ts --sizes 1000,10000 --runs 3
 *
 * Prints one JSON line per size and writes bench/out/azure-privilege-graph.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { tenantBundle } from '../src/providers/azure/bundle.js';
import { DocumentKind } from '../src/providers/azure/documents.js';
import { normalizeAzureBundles } from '../src/providers/azure/normalize.js';
import { AzurePrivilegeGraph } from '../src/providers/azure/privilege-graph.js';
import type { RawBundle, RawDocument } from '../src/providers/types.js';
import { cpuMs, median } from './cpu-time.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TENANT = '11111111-2222-4333-8444-000000000000';
const META = 'https://graph.microsoft.com/v1.0/$metadata#';
const OWNER = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';
const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
const VM_OPERATOR = 'dddddddd-0000-4000-8000-000000000002';
const SECRET_READER = 'dddddddd-0000-4000-8000-000000000007';
const GRAPH_SP = 'ffffffff-0000-4000-8000-0000000000ff';
/** Entra roles by template id: Helpdesk, Application, Groups and Privileged Role Administrator. */
const HELPDESK = '729827e3-9c14-49f7-bb1b-9608f156bbb8';
const APP_ADMIN = '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3';
const GROUPS_ADMIN = 'fdd7a751-b60b-444a-984c-02652fe8fa1c';
const PRA = 'e8611ab8-c189-46e8-94e1-60213ab1f814';
const GRAPH_ROLES = [
  '9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8',
  '1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9',
  'dbaae8cf-10b5-4b86-a4a1-f871c94c6695',
  '7ab1d382-f21e-4acd-a863-ba3e13f7da61',
];

const guid = (prefix: string, n: number) => `${prefix}-0000-4000-8000-${String(n).padStart(12, '0')}`;

export function syntheticTenant(principals: number): RawBundle {
  const subscriptions = Math.max(1, Math.round(principals / 5000));
  const groupsOfResources = Math.max(3, Math.round(principals / 500));
  const sps = Math.round(principals * 0.15);
  const identities = Math.round(principals * 0.1);
  const users = principals - sps - identities;
  const sub = (k: number) => guid('99999999', k % subscriptions);
  const rg = (k: number) => `/subscriptions/${sub(k)}/resourceGroups/rg-${k % groupsOfResources}`;
  const user = (i: number) => guid('aaaaaaaa', i);
  const sp = (j: number) => guid('bbbbbbbb', j);
  const mi = (m: number) => guid('cccccccc', m);
  const group = (g: number) => guid('eeeeeeee', g);
  const groups = Math.max(2, Math.round(principals / 1000));
  const armDocs: RawDocument[] = [];
  const assignments = Array.from({ length: subscriptions }, () => [] as Array<Record<string, unknown>>);
  let n = 0;
  const assign = (principalId: string, role: string, scope: string, principalType: string) => {
    const k = Number(/subscriptions\/[0-9a-f-]*-(\d+)/.exec(scope)?.[1] ?? 0);
    assignments[k % subscriptions]!.push({
      id: `/subscriptions/${sub(k)}/providers/Microsoft.Authorization/roleAssignments/${guid('a55a55a5', n++)}`,
      principalId,
      principalType,
      scope,
      roleDefinitionId: `/subscriptions/${sub(k)}/providers/Microsoft.Authorization/roleDefinitions/${role}`,
    });
  };
  const directory: Array<Record<string, unknown>> = [];
  const eligible: Array<Record<string, unknown>> = [];
  for (let i = 0; i < users; i++) {
    if (i % 200 === 1)
      directory.push({ id: `h${i}`, principalId: user(i), roleDefinitionId: HELPDESK, directoryScopeId: '/' });
    if (i % 500 === 2)
      directory.push({ id: `a${i}`, principalId: user(i), roleDefinitionId: APP_ADMIN, directoryScopeId: '/' });
    if (i % 700 === 3)
      directory.push({ id: `g${i}`, principalId: user(i), roleDefinitionId: GROUPS_ADMIN, directoryScopeId: '/' });
    if (i % 1000 === 4)
      eligible.push({
        id: `e${i}`,
        principalId: user(i),
        roleDefinitionId: PRA,
        directoryScopeId: '/',
        status: 'Provisioned',
        scheduleInfo: {
          startDateTime: '2026-01-01T00:00:00Z',
          expiration: {
            type: i % 2000 === 4 ? 'afterDateTime' : 'noExpiration',
            endDateTime: i % 2000 === 4 ? '2026-06-01T00:00:00Z' : null,
          },
        },
      });
    if (i % 50 === 5) assign(user(i), VM_OPERATOR, rg(Math.floor(i / 50)), 'User');
    if (i % 300 === 6) assign(user(i), SECRET_READER, `/subscriptions/${sub(i)}`, 'User');
    if (i % 10 === 7) assign(user(i), READER, rg(i), 'User');
    if (i % 5000 === 8) assign(user(i), OWNER, `/subscriptions/${sub(i)}`, 'User');
  }
  for (let j = 0; j < sps; j++) if (j % 100 === 0) assign(sp(j), OWNER, rg(j), 'ServicePrincipal');
  for (let m = 0; m < identities; m++)
    if (m % 7 === 0) assign(mi(m), OWNER, `/subscriptions/${sub(m)}`, 'ServicePrincipal');
  for (let g = 0; g < groups; g++) assign(group(g), g % 2 === 0 ? OWNER : READER, `/subscriptions/${sub(g)}`, 'Group');
  const definitions = (k: number) => [
    {
      id: `/subscriptions/${sub(k)}/providers/Microsoft.Authorization/roleDefinitions/${OWNER}`,
      name: OWNER,
      roleName: 'Owner',
      roleType: 'BuiltInRole',
      permissions: [{ actions: ['*'], notActions: [] }],
    },
    {
      id: `/subscriptions/${sub(k)}/providers/Microsoft.Authorization/roleDefinitions/${READER}`,
      name: READER,
      roleName: 'Reader',
      roleType: 'BuiltInRole',
      permissions: [{ actions: ['*/read'], notActions: [] }],
    },
    {
      id: `/subscriptions/${sub(k)}/providers/Microsoft.Authorization/roleDefinitions/${VM_OPERATOR}`,
      name: VM_OPERATOR,
      roleName: 'VM Operator',
      roleType: 'CustomRole',
      permissions: [{ actions: ['Microsoft.Compute/virtualMachines/runCommand/action'], notActions: [] }],
    },
    {
      id: `/subscriptions/${sub(k)}/providers/Microsoft.Authorization/roleDefinitions/${SECRET_READER}`,
      name: SECRET_READER,
      roleName: 'Secret Reader',
      roleType: 'CustomRole',
      permissions: [
        {
          actions: [],
          notActions: [],
          dataActions: ['Microsoft.KeyVault/vaults/secrets/getSecret/action'],
          notDataActions: [],
        },
      ],
    },
  ];
  for (let k = 0; k < subscriptions; k++) {
    const origin = (what: string) => `subscriptions/${sub(k)}: bench ${what}`;
    armDocs.push({ kind: DocumentKind.roleAssignments, origin: origin('role assignments'), body: assignments[k]! });
    armDocs.push({ kind: DocumentKind.roleDefinitions, origin: origin('role definitions'), body: definitions(k) });
  }
  // Every managed identity runs a VM, function app or Automation account in a resource group; every tenth VM has none.
  const vms: Array<Record<string, unknown>> = [];
  const sites: Array<Record<string, unknown>> = [];
  const automation: Array<Record<string, unknown>> = [];
  for (let m = 0; m < identities; m++) {
    const identity = { type: 'SystemAssigned', principalId: mi(m), tenantId: TENANT, userAssignedIdentities: null };
    if (m % 3 === 0)
      vms.push({ id: `${rg(m)}/providers/Microsoft.Compute/virtualMachines/vm-${m}`, name: `vm-${m}`, identity });
    else if (m % 3 === 1)
      sites.push({
        id: `${rg(m)}/providers/Microsoft.Web/sites/func-${m}`,
        name: `func-${m}`,
        kind: 'functionapp',
        identity,
      });
    else
      automation.push({
        id: `${rg(m)}/providers/Microsoft.Automation/automationAccounts/aa-${m}`,
        name: `aa-${m}`,
        identity,
      });
    if (m % 10 === 0)
      vms.push({
        id: `${rg(m)}/providers/Microsoft.Compute/virtualMachines/vm-noid-${m}`,
        name: `vm-noid-${m}`,
        identity: null,
      });
  }
  const graph = (kind: string, context: string, value: unknown[]): RawDocument => ({
    kind,
    origin: `bench ${context}`,
    body: { '@odata.context': `${META}${context}`, value },
  });
  const documents: RawDocument[] = [
    {
      kind: DocumentKind.subscriptions,
      origin: 'bench',
      body: Array.from({ length: subscriptions }, (_, k) => ({
        id: `/subscriptions/${sub(k)}`,
        subscriptionId: sub(k),
        displayName: `sub-${k}`,
        tenantId: TENANT,
        state: 'Enabled',
      })),
    },
    graph(
      DocumentKind.users,
      'users',
      Array.from({ length: users }, (_, i) => ({
        id: user(i),
        userPrincipalName: `u${i}@bench.example`,
        userType: 'Member',
        accountEnabled: true,
      })),
    ),
    graph(DocumentKind.servicePrincipals, 'servicePrincipals(owners())', [
      ...Array.from({ length: sps }, (_, j) => ({
        id: sp(j),
        appId: `app-${j}`,
        displayName: `sp-${j}`,
        servicePrincipalType: 'Application',
        accountEnabled: true,
        owners: j % 25 === 0 ? [{ '@odata.type': '#microsoft.graph.user', id: user((j * 7) % users) }] : [],
      })),
      ...Array.from({ length: identities }, (_, m) => ({
        id: mi(m),
        appId: `mi-${m}`,
        displayName: `mi-${m}`,
        servicePrincipalType: 'ManagedIdentity',
        accountEnabled: true,
        owners: [],
      })),
      {
        id: GRAPH_SP,
        appId: '00000003-0000-0000-c000-000000000000',
        displayName: 'Microsoft Graph',
        servicePrincipalType: 'Application',
        owners: [],
      },
    ]),
    graph(
      DocumentKind.applications,
      'applications(owners())',
      Array.from({ length: sps }, (_, j) => ({
        id: guid('dddddddd', j),
        appId: `app-${j}`,
        displayName: `app-${j}`,
        owners: j % 30 === 1 ? [{ '@odata.type': '#microsoft.graph.user', id: user((j * 11) % users) }] : [],
      })),
    ),
    graph(
      DocumentKind.groups,
      'groups(owners())',
      Array.from({ length: groups }, (_, g) => ({
        id: group(g),
        displayName: `group-${g}`,
        securityEnabled: true,
        isAssignableToRole: g % 4 === 0,
        owners: [{ '@odata.type': '#microsoft.graph.user', id: user((g * 13) % users) }],
      })),
    ),
    ...Array.from({ length: groups }, (_, g) => ({
      kind: DocumentKind.groupMembers,
      origin: `bench members ${g}`,
      body: {
        groupId: group(g),
        value: Array.from({ length: 10 }, (_, k) => ({
          '@odata.type': '#microsoft.graph.user',
          id: user((g * 10 + k) % users),
        })),
      },
    })),
    graph(
      DocumentKind.appRoleAssignments,
      `servicePrincipals('${GRAPH_SP}')/appRoleAssignedTo`,
      Array.from({ length: Math.round(sps / 50) }, (_, k) => ({
        id: `ara-${k}`,
        appRoleId: GRAPH_ROLES[k % GRAPH_ROLES.length],
        principalId: sp(k * 50 + 3),
        principalType: 'ServicePrincipal',
        resourceId: GRAPH_SP,
        resourceDisplayName: 'Microsoft Graph',
      })),
    ),
    graph(
      DocumentKind.administrativeUnits,
      'directory/administrativeUnits(members())',
      Array.from({ length: groups }, (_, g) => ({
        id: guid('abababab', g),
        displayName: `au-${g}`,
        members: Array.from({ length: 20 }, (_, k) => ({
          '@odata.type': '#microsoft.graph.user',
          id: user((g * 20 + k) % users),
        })),
      })),
    ),
    graph(DocumentKind.directoryRoleAssignments, 'roleManagement/directory/roleAssignments', [
      {
        id: 'ga',
        principalId: user(0),
        roleDefinitionId: '62e90394-69f5-4237-9190-012177145e10',
        directoryScopeId: '/',
      },
      ...directory,
    ]),
    graph(
      DocumentKind.directoryRoleEligibilitySchedules,
      'roleManagement/directory/roleEligibilitySchedules',
      eligible,
    ),
    { kind: DocumentKind.virtualMachines, origin: 'bench vm list', body: vms },
    { kind: DocumentKind.sites, origin: 'bench functionapp list', body: sites },
    { kind: DocumentKind.automationAccounts, origin: 'bench automation account list', body: automation },
    ...armDocs,
  ];
  return tenantBundle(TENANT, 'import', '2026-11-01T09:00:00Z', documents);
}

if (process.argv[1]?.endsWith('azure-privilege-graph.ts')) await main();
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { sizes: { type: 'string', default: '10000,100000' }, runs: { type: 'string', default: '1' } },
  });
  const results: Array<Record<string, number>> = [];
  for (const size of values.sizes!.split(',').map(Number)) {
    const bundle = syntheticTenant(size);
    const cpu: number[] = [];
    let withPath = 0;
    let admins = 0;
    let principals = 0;
    const graphCpu: number[] = [];
    let graphSize = { nodes: 0, edges: 0, hubs: 0 };
    for (let run = 0; run < Number(values.runs); run++) {
      const started = process.cpuUsage();
      const part = normalizeAzureBundles([bundle]);
      cpu.push(cpuMs(process.cpuUsage(started)));
      // The graph alone (build and search), on the snapshot the normalizer made.
      const graphStarted = process.cpuUsage();
      const graph = new AzurePrivilegeGraph(
        part.principals,
        new Map(part.roles.map((r) => [r.uid, r])),
        bundle.collectedAt,
      );
      graph.paths();
      graphCpu.push(cpuMs(process.cpuUsage(graphStarted)));
      graphSize = graph.size;
      principals = part.principals.length;
      withPath = part.principals.filter((p) => p.details?.escalationPath !== undefined).length;
      admins = part.principals.filter((p) => p.privilege?.level === 'admin').length;
    }
    const row = {
      principals: size,
      snapshotPrincipals: principals,
      admins,
      withPath,
      edges: graphSize.edges,
      hubs: graphSize.hubs,
      normalizeCpuMs: Math.round(median(cpu)),
      graphCpuMs: Math.round(median(graphCpu)),
      cpuUsPerPrincipal: Math.round((median(cpu) * 1000) / size),
      rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
    };
    results.push(row);
    console.log(JSON.stringify(row));
  }
  if (results.length > 1) {
    const [first, last] = [results[0]!, results.at(-1)!];
    console.log(
      `normalize CPU x${(last.normalizeCpuMs! / first.normalizeCpuMs!).toFixed(1)}, graph CPU x${(last.graphCpuMs! / first.graphCpuMs!).toFixed(1)}, edges x${(last.edges! / first.edges!).toFixed(1)} for x${(last.principals! / first.principals!).toFixed(0)} principals`,
    );
  }
  await mkdir(join(ROOT, 'bench', 'out'), { recursive: true });
  await writeFile(join(ROOT, 'bench', 'out', 'azure-privilege-graph.json'), `${JSON.stringify(results, null, 2)}\n`);
}
