/**
 * Azure collection cost: API calls and wall time for a tenant of 50 and 5,000 users with 3 and 300 subscriptions,
 * collected through the real Azure SDK clients from the local fake ARM and Graph server over HTTPS. The design's
 * claim: calls grow with subscriptions and pages, never with users (no per-user call; MFA comes from one paged
 * report).
 *
 *   node --import tsx bench/azure-collect.ts
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { azureProvider } from '../src/providers/azure/index.js';
import type { CallStats } from '../src/providers/azure/clients.js';
import { assembleSnapshot } from '../src/snapshot/load.js';
import { fakeCredential, startFakeAzure, type FakeSubscription, type FakeTenant } from '../test/support/fake-azure.js';

const TENANT = '0f0e0d0c-0b0a-4909-8807-060504030201';
const PAGE_SIZE = 999;
const hex = (n: number, width = 12) => n.toString(16).padStart(width, '0');
const guid = (kind: number, n: number) => `${hex(kind, 8)}-0000-4000-8000-${hex(n)}`;
const OWNER = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';
const CONTRIBUTOR = 'b24988ac-6180-42a0-ab88-20f7382dd24c';
const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
const GA = '62e90394-69f5-4237-9190-012177145e10';

function subscription(s: number, users: number): FakeSubscription {
  const id = guid(0x5ab, s);
  const scope = `/subscriptions/${id}`;
  const assignment = (n: number, principal: string, type: string, role: string) => ({
    id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${guid(0xa55, s * 100 + n)}`,
    name: guid(0xa55, s * 100 + n),
    type: 'Microsoft.Authorization/roleAssignments',
    scope,
    roleDefinitionId: `${scope}/providers/Microsoft.Authorization/roleDefinitions/${role}`,
    principalId: principal,
    principalType: type,
    condition: null,
  });
  const definition = (role: string, name: string, actions: string[], notActions: string[] = []) => ({
    id: `${scope}/providers/Microsoft.Authorization/roleDefinitions/${role}`,
    name: role,
    type: 'Microsoft.Authorization/roleDefinitions',
    roleName: name,
    roleType: 'BuiltInRole',
    permissions: [{ actions, notActions, dataActions: [], notDataActions: [] }],
    assignableScopes: ['/'],
  });
  // Ten assignments per subscription, to users spread over the tenant, a group and a service principal.
  const roleAssignments = [
    ...Array.from({ length: 8 }, (_, n) =>
      assignment(n, guid(0x05e, (s * 8 + n) % users), 'User', n === 0 ? OWNER : n < 4 ? CONTRIBUTOR : READER),
    ),
    assignment(8, guid(0x6e0, s % 5), 'Group', CONTRIBUTOR),
    assignment(9, guid(0x5e0, s % 20), 'ServicePrincipal', OWNER),
  ];
  return {
    id,
    name: `sub-${s}`,
    roleAssignments,
    roleDefinitions: [
      definition(OWNER, 'Owner', ['*']),
      definition(CONTRIBUTOR, 'Contributor', ['*'], ['Microsoft.Authorization/*/Write']),
      definition(READER, 'Reader', ['*/read']),
    ],
    roleEligibilitySchedules: [
      {
        id: `${scope}/providers/Microsoft.Authorization/roleEligibilitySchedules/${guid(0xe1, s)}`,
        name: guid(0xe1, s),
        type: 'Microsoft.Authorization/roleEligibilitySchedules',
        scope,
        roleDefinitionId: `${scope}/providers/Microsoft.Authorization/roleDefinitions/${OWNER}`,
        principalId: guid(0x05e, s % users),
        principalType: 'User',
        memberType: 'Direct',
        status: 'Provisioned',
        endDateTime: '2027-06-30T00:00:00Z',
      },
    ],
    roleAssignmentScheduleInstances: [],
    diagnosticSettings: [
      {
        id: `${scope}/providers/microsoft.insights/diagnosticSettings/activity`,
        name: 'activity',
        type: 'Microsoft.Insights/diagnosticSettings',
        workspaceId: `${scope}/resourceGroups/rg-logs/providers/Microsoft.OperationalInsights/workspaces/law`,
        logs: ['Administrative', 'Security', 'Alert', 'Policy'].map((category) => ({ category, enabled: true })),
      },
    ],
  };
}

function tenant(users: number, subscriptions: number): FakeTenant {
  const userRows = Array.from({ length: users }, (_, n) => ({
    id: guid(0x05e, n),
    displayName: `User ${n}`,
    userPrincipalName: `user${n}@contoso.example`,
    userType: n % 25 === 0 ? 'Guest' : 'Member',
    accountEnabled: n % 40 !== 0,
    createdDateTime: '2024-01-01T00:00:00Z',
  }));
  const groups = Array.from({ length: 5 }, (_, n) => ({
    id: guid(0x6e0, n),
    displayName: `group-${n}`,
    securityEnabled: true,
    isAssignableToRole: false,
  }));
  return {
    tenantId: TENANT,
    subscriptions: Array.from({ length: subscriptions }, (_, s) => subscription(s, users)),
    organization: [
      {
        id: TENANT,
        displayName: 'Contoso',
        verifiedDomains: [{ name: 'contoso.example', isDefault: true, isInitial: true }],
      },
    ],
    users: userRows,
    groups,
    members: Object.fromEntries(
      groups.map((g, n) => [
        g.id,
        userRows
          .filter((_, u) => u % 50 === n)
          .map((u) => ({
            '@odata.type': '#microsoft.graph.user',
            id: u.id,
            displayName: u.displayName,
            userPrincipalName: u.userPrincipalName,
          })),
      ]),
    ),
    servicePrincipals: Array.from({ length: 20 }, (_, n) => ({
      id: guid(0x5e0, n),
      appId: guid(0xa99, n),
      displayName: `app-${n}`,
      servicePrincipalType: n % 4 === 0 ? 'ManagedIdentity' : 'Application',
      accountEnabled: true,
    })),
    registrationDetails: userRows.map((u, n) => ({
      id: u.id,
      userPrincipalName: u.userPrincipalName,
      userType: u.userType.toLowerCase(),
      isAdmin: n < 4,
      isMfaRegistered: n % 10 !== 0,
      isMfaCapable: n % 10 !== 0,
      methodsRegistered: n % 10 !== 0 ? ['microsoftAuthenticatorPush'] : [],
    })),
    directoryRoleAssignments: [0, 1, 2].map((n) => ({
      id: `ga-${n}`,
      principalId: guid(0x05e, n),
      roleDefinitionId: GA,
      directoryScopeId: '/',
    })),
    directoryRoleDefinitions: [
      {
        id: GA,
        templateId: GA,
        displayName: 'Global Administrator',
        isBuiltIn: true,
        rolePermissions: [{ allowedResourceActions: ['microsoft.directory/allEntities/allProperties/allTasks'] }],
      },
    ],
    directoryRoleEligibilitySchedules: [
      {
        id: 'e-3',
        principalId: guid(0x05e, 3),
        roleDefinitionId: GA,
        directoryScopeId: '/',
        status: 'Provisioned',
        memberType: 'Direct',
        scheduleInfo: { expiration: { type: 'noExpiration', endDateTime: null } },
      },
    ],
    directoryRoleAssignmentScheduleInstances: [],
    conditionalAccessPolicies: [
      {
        id: 'ca-1',
        displayName: 'MFA for all',
        state: 'enabled',
        conditions: { users: { includeUsers: ['All'] }, applications: { includeApplications: ['All'] } },
        grantControls: { operator: 'OR', builtInControls: ['mfa'] },
      },
    ],
    securityDefaults: {
      id: '00000000-0000-0000-0000-000000000005',
      displayName: 'Security Defaults',
      isEnabled: false,
    },
  };
}

interface Row {
  users: number;
  subscriptions: number;
  apiCalls: number;
  graphCalls: number;
  armCalls: number;
  callsByOperation: Record<string, number>;
  collectMs: number;
  normalizeMs: number;
  principals: number;
}

async function measure(users: number, subscriptions: number): Promise<Row> {
  const fake = await startFakeAzure(tenant(users, subscriptions), { pageSize: PAGE_SIZE });
  const dir = await mkdtemp(join(tmpdir(), 'cloudward-bench-ca-'));
  try {
    const caFile = join(dir, 'ca.pem');
    await writeFile(caFile, fake.caPem);
    const stats: CallStats = { calls: 0, throttled: 0, byOperation: {} };
    const started = performance.now();
    const bundles = await azureProvider.collect!({
      options: {
        armEndpoint: fake.armEndpoint,
        graphEndpoint: fake.graphEndpoint,
        caFile,
        concurrency: 8,
        maxAttempts: 4,
      },
      hooks: { credential: fakeCredential, stats },
      progress: { status: () => undefined, warn: (line) => process.stderr.write(`${line}\n`) },
      collectedAt: '2026-11-01T09:00:00Z',
    });
    const collectMs = performance.now() - started;
    const normalizeStarted = performance.now();
    const part = azureProvider.normalize(bundles);
    const normalizeMs = performance.now() - normalizeStarted;
    const snapshot = assembleSnapshot([part], bundles[0]!.collectedAt);
    const graphCalls = fake.calls.filter((c) => c.path.startsWith('/v1.0/')).length;
    const callsByOperation: Record<string, number> = {};
    for (const call of fake.calls) callsByOperation[call.operation] = (callsByOperation[call.operation] ?? 0) + 1;
    return {
      users,
      subscriptions,
      apiCalls: fake.calls.length,
      graphCalls,
      armCalls: fake.calls.length - graphCalls,
      callsByOperation,
      collectMs: Math.round(collectMs),
      normalizeMs: Math.round(normalizeMs),
      principals: snapshot.principals.length,
    };
  } finally {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const rows: Row[] = [];
for (const users of [50, 5000]) for (const subscriptions of [3, 300]) rows.push(await measure(users, subscriptions));

const line = (cells: Array<string | number>) => cells.map((c, i) => String(c).padStart(i === 0 ? 7 : 12)).join(' ');
process.stdout.write(
  `${line(['users', 'subs', 'API calls', 'Graph', 'ARM', 'collect ms', 'normalize ms', 'principals'])}\n`,
);
for (const r of rows)
  process.stdout.write(
    `${line([r.users, r.subscriptions, r.apiCalls, r.graphCalls, r.armCalls, r.collectMs, r.normalizeMs, r.principals])}\n`,
  );
process.stdout.write(`\n(page size ${PAGE_SIZE}; concurrency 8; HTTPS on loopback)\ncalls by operation:\n`);
for (const r of rows)
  process.stdout.write(
    `  ${r.users} users, ${r.subscriptions} subscriptions: ${Object.entries(r.callsByOperation)
      .map(([a, n]) => `${a.replace(/^GET /, '')} ${n}`)
      .join(', ')}\n`,
  );

const out = new URL('./out/', import.meta.url);
await mkdir(out, { recursive: true });
await writeFile(
  new URL('azure-collect.json', out),
  `${JSON.stringify({ node: process.version, date: new Date().toISOString(), pageSize: PAGE_SIZE, rows }, null, 2)}\n`,
);
process.stdout.write(`\nwritten to bench/out/azure-collect.json\n`);
