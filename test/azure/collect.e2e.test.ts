import test from 'ava';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { undeclaredCalls } from '../../src/providers/cloud/permissions.js';
import { azureProvider } from '../../src/providers/azure/index.js';
import type { CallStats } from '../../src/providers/azure/clients.js';
import type { RawBundle } from '../../src/providers/types.js';
import { assembleSnapshot } from '../../src/snapshot/load.js';
import type { Snapshot } from '../../src/snapshot/model.js';
import { ACME_AZURE, fakeTenantFrom, filesUnder, importFolder, quietProgress } from '../support/azure-fixtures.js';
import { fakeCredential, startFakeAzure, type FakeAzure, type FakeFault } from '../support/fake-azure.js';
import { ARM, GRAPH, isRefusal, matchArm, matchGraph } from '../support/spec-routes.js';
import { itemTotals } from '../support/snapshots.js';

const PROD = 'a1b2c3d4-1111-4aaa-8bbb-000000000001';
const DEV = 'a1b2c3d4-2222-4aaa-8bbb-000000000002';
const DEV_DIAGNOSTICS_DENIED: FakeFault = {
  operation: new RegExp(`^GET /subscriptions/${DEV}/providers/Microsoft.Insights/diagnosticSettings$`),
  status: 403,
  code: 'AuthorizationFailed',
  message: 'does not have authorization to perform action microsoft.insights/diagnosticSettings/read',
};

async function acmeFake(
  options: { pageSize?: number; faults?: FakeFault[] } = {},
): Promise<{ fake: FakeAzure; imported: RawBundle[] }> {
  const imported = await importFolder(ACME_AZURE);
  const fake = await startFakeAzure(fakeTenantFrom(imported[0]!, { [PROD]: 'acme-prod', [DEV]: 'acme-dev' }), options);
  return { fake, imported };
}

function collect(
  fake: FakeAzure,
  options: Record<string, unknown> = {},
  rawOut?: string,
  stats?: CallStats,
): Promise<RawBundle[]> {
  return azureProvider.collect!({
    options: {
      armEndpoint: fake.armEndpoint,
      graphEndpoint: fake.graphEndpoint,
      maxAttempts: 4,
      concurrency: 4,
      ...options,
    },
    hooks: { credential: fakeCredential, retryDelayMs: 5, ...(stats ? { stats } : {}) },
    progress: quietProgress,
    collectedAt: '2026-11-01T09:00:00Z',
    ...(rawOut ? { rawOut } : {}),
  });
}

const snapshotOf = (bundles: RawBundle[]): Snapshot =>
  assembleSnapshot([azureProvider.normalize(bundles)], '2026-11-01T09:00:00Z');

/** Without what legitimately differs between a live run and an import: how it was read (and so what items are named). */
function comparable(snapshot: Snapshot): unknown {
  return {
    ...snapshot,
    digest: undefined,
    sources: snapshot.sources.map((s) => ({
      ...s,
      method: undefined,
      items: undefined,
      gaps: s.gaps.map((g) => g.what),
    })),
  };
}

/** Items read and used per source, added up over its inputs (API calls live, files on import). */
const sourceTotals = (snapshot: Snapshot) =>
  snapshot.sources.map((s) => ({ scope: s.scope.id, inputs: (s.items ?? []).length, ...itemTotals(s.items ?? []) }));

/** The fake's certificate in a file of its own, as --ca-file takes it. */
async function trust(fake: FakeAzure): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cloudward-azure-ca-'));
  const file = join(dir, 'ca.pem');
  await writeFile(file, fake.caPem);
  return file;
}

test('collects the tenant through the real SDK clients over HTTPS and equals the import of the same exports', async (t) => {
  const { fake, imported } = await acmeFake({ faults: [DEV_DIAGNOSTICS_DENIED] });
  t.teardown(() => fake.close());
  const caFile = await trust(fake);
  const live = await collect(fake, { caFile, subscription: [DEV, PROD] });
  // The example's exports hold none of the escalation graph's lists, which the fake answers with empty ones: the
  // import alone says so, with a gap per topic and subscription; all else is equal.
  const escalationGaps = (s: Snapshot) =>
    s.sources.flatMap((source) => source.gaps.filter((g) => /^azure\.(escalation|compute-identities)$/.test(g.what)));
  t.deepEqual(escalationGaps(snapshotOf(live)), []);
  t.deepEqual(
    escalationGaps(snapshotOf(imported)).map((g) => g.what),
    ['azure.compute-identities', 'azure.compute-identities', 'azure.escalation'],
  );
  const withoutEscalationGaps = (s: Snapshot): Snapshot => ({
    ...s,
    sources: s.sources.map((source) => ({
      ...source,
      gaps: source.gaps.filter((g) => !escalationGaps(s).includes(g)),
    })),
  });
  t.deepEqual(comparable(snapshotOf(live)), comparable(withoutEscalationGaps(snapshotOf(imported))));
  t.true(
    fake.calls.every((c) =>
      c.path.startsWith('/v1.0/')
        ? c.audience === `${fake.graphEndpoint}/.default`
        : c.audience === `${fake.armEndpoint}/.default`,
    ),
    'each API gets a token for its own audience',
  );
  t.deepEqual(
    undeclaredCalls(
      azureProvider.operations,
      fake.calls.map((c) => c.operation),
    ),
    [],
    'every call is declared (and so in `permissions azure`)',
  );
});

test('role definitions below the subscription resolve: listed with atScopeAndBelow(), else read by id, else a gap naming the id', async (t) => {
  const imported = await importFolder(ACME_AZURE);
  const tenant = fakeTenantFrom(imported[0]!, { [PROD]: 'acme-prod', [DEV]: 'acme-dev' });
  const prod = tenant.subscriptions.find((s) => s.id === PROD)!;
  const rg = `/subscriptions/${PROD}/resourceGroups/rg-app`;
  const definition = (guid: string, roleName: string, assignableScopes: string[]) => ({
    assignableScopes,
    description: '',
    id: `/subscriptions/${PROD}/providers/Microsoft.Authorization/roleDefinitions/${guid}`,
    name: guid,
    permissions: [{ actions: ['*'], notActions: [], dataActions: [], notDataActions: [] }],
    roleName,
    roleType: 'CustomRole',
    type: 'Microsoft.Authorization/roleDefinitions',
  });
  const assignment = (n: string, guid: string) => ({
    ...prod.roleAssignments[0]!,
    id: `${rg}/providers/Microsoft.Authorization/roleAssignments/${n}`,
    name: n,
    scope: rg,
    roleDefinitionId: `/subscriptions/${PROD}/providers/Microsoft.Authorization/roleDefinitions/${guid}`,
  });
  const [below, unlisted, missing] = [
    '7d0f0a51-0001-4c1e-9a00-0000000000a1',
    '7d0f0a51-0002-4c1e-9a00-0000000000a2',
    '7d0f0a51-0003-4c1e-9a00-0000000000a3',
  ];
  prod.roleDefinitions = [...prod.roleDefinitions, definition(below, 'App Deployer', [rg])];
  prod.unlistedRoleDefinitions = [definition(unlisted, 'Old Operator', [`/subscriptions/${DEV}`])];
  prod.roleAssignments = [
    ...prod.roleAssignments,
    assignment('e0e0e0e0-0001-4000-8000-000000000001', below),
    assignment('e0e0e0e0-0002-4000-8000-000000000002', unlisted),
    assignment('e0e0e0e0-0003-4000-8000-000000000003', missing),
  ];
  const fake = await startFakeAzure(tenant);
  t.teardown(() => fake.close());
  const dir = await mkdtemp(join(tmpdir(), 'cloudward-azure-raw-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const live = await collect(fake, { caFile: await trust(fake) }, dir);
  const roles = snapshotOf(live).roles;
  // The definitions read by id, and the one that failed, survive --raw-out and import.
  t.deepEqual(
    comparable(snapshotOf(await importFolder(join(dir, live[0]!.scope.id), undefined))),
    comparable(snapshotOf(live)),
  );
  const roleOf = (guid: string) => roles.find((r) => r.nativeId === guid)!;
  t.like(roleOf(below), { name: 'App Deployer', privilege: { level: 'admin' } });
  t.like(roleOf(unlisted), { name: 'Old Operator', privilege: { level: 'admin' } });
  t.is(
    fake.count(/^GET \/subscriptions\/\{id\}\/providers\/Microsoft.Authorization\/roleDefinitions\/\{id\}$/),
    2,
    'only the two definitions no list returned are read by id',
  );
  const gap = live[0]!.gaps.find((g) => g.call?.endsWith(missing));
  t.truthy(gap, JSON.stringify(live[0]!.gaps));
  t.regex(gap!.reason, /RoleDefinitionDoesNotExist/);
  t.deepEqual(
    undeclaredCalls(
      azureProvider.operations,
      fake.calls.map((c) => c.operation),
    ),
    [],
  );
});

test('every call a full collect makes is an operation of the specifications, with its api-version and documented query options only', async (t) => {
  const { fake } = await acmeFake({ pageSize: 1 });
  t.teardown(() => fake.close());
  await collect(fake, { caFile: await trust(fake) });
  t.deepEqual(fake.unmatched, [], 'no request outside the ARM swagger and the Graph API pages');
  t.is(fake.specOperations.length, fake.calls.length);
  t.true(new Set(fake.specOperations).size >= 12);
});

test('every operation `permissions azure` declares is a route generated from the specifications', (t) => {
  const guid = 'a1b2c3d4-1111-4aaa-8bbb-000000000001';
  for (const op of azureProvider.operations) {
    const path = op.id.replace(/^GET /, '').replace(/\{id\}/g, guid);
    if (op.id.startsWith('GET /subscriptions') || op.id.startsWith('GET /providers')) {
      const route = ARM.find(
        (r) => !isRefusal(matchArm('GET', new URL(`https://x${path}?api-version=${r.apiVersion}`))),
      );
      t.truthy(route, `${op.id} has no route in test/fixtures/specs/azure-arm.json`);
    } else {
      t.false(
        isRefusal(matchGraph('GET', new URL(`https://x/v1.0${path}`))),
        `${op.id} has no route in test/fixtures/specs/graph-v1.0.json`,
      );
    }
  }
  t.true(
    GRAPH.every((r) => /^microsoftgraph\/microsoft-graph-docs-contrib@/.test(r.spec)) &&
      ARM.every((r) => /^Azure\/azure-rest-api-specs@[0-9a-f]{40}:/.test(r.spec)),
  );
});

test('follows nextLink and @odata.nextLink; calls grow with pages and subscriptions, not users', async (t) => {
  const { fake } = await acmeFake({ pageSize: 1 });
  t.teardown(() => fake.close());
  const stats: CallStats = { calls: 0, throttled: 0, byOperation: {} };
  const caFile = await trust(fake);
  const live = await collect(fake, { caFile }, undefined, stats);
  const users = snapshotOf(live).principals.filter((p) => p.kind === 'user');
  t.is(users.length, 11, 'every page of users was read');
  t.is(fake.count(/^GET \/users$/), 11, 'one call per page of one user');
  t.false(
    fake.calls.some((c) => /^GET \/users\/\{?[^/]+\}?\//.test(c.operation) || /authentication\/methods/.test(c.path)),
    'no per-user calls',
  );
  t.is(
    fake.count(/^GET \/groups\/\{id\}\/transitiveMembers$/),
    1,
    'members are read only for the group that holds a role',
  );
});

test("the Graph API pages' own example bodies go through the collector as served", async (t) => {
  const example = (id: string) =>
    (GRAPH.find((r) => r.id === id) as unknown as { example: { value: Array<Record<string, unknown>> } }).example.value;
  const imported = await importFolder(ACME_AZURE);
  const tenant = fakeTenantFrom(imported[0]!, { [PROD]: 'acme-prod', [DEV]: 'acme-dev' });
  const [, mod] = example('GET /users');
  tenant.users = [...tenant.users, ...example('GET /users')];
  tenant.directoryRoleDefinitions = example('GET /roleManagement/directory/roleDefinitions');
  // The role-assignment page's example principal is not among the user page's examples: give its assignments to one.
  tenant.directoryRoleAssignments = [
    ...tenant.directoryRoleAssignments,
    ...example('GET /roleManagement/directory/roleAssignments').map((a) => ({ ...a, principalId: mod!.id })),
  ];
  const fake = await startFakeAzure(tenant);
  t.teardown(() => fake.close());
  const snapshot = snapshotOf(await collect(fake, { caFile: await trust(fake) }));
  t.deepEqual(fake.unmatched, []);
  const admin = snapshot.principals.find((p) => p.nativeId === mod!.id);
  t.like(admin, { name: 'admin@contoso.com', privilege: { level: 'admin' } });
  t.truthy(snapshot.principals.find((p) => p.name === 'Adams@contoso.com'));
});

test('an ARM 429 with retry-after-ms is waited out as asked', async (t) => {
  const { fake } = await acmeFake({
    faults: [
      {
        operation: /roleEligibilitySchedules$/,
        status: 429,
        code: 'TooManyRequests',
        message: 'The request is being throttled.',
        retryAfterMs: 1500,
        times: 1,
      },
    ],
  });
  t.teardown(() => fake.close());
  const live = await collect(fake, { caFile: await trust(fake) });
  const tries = fake.calls.filter((c) => /roleEligibilitySchedules$/.test(c.path));
  const first = tries[0]!;
  const retry = tries.find((c) => c !== first && c.path === first.path)!;
  t.true(retry.at - first.at >= 1500, `retried after ${retry.at - first.at} ms`);
  t.false(live[0]!.gaps.some((g) => g.what === 'azure.pim'));
});

test('403, licence errors, 429 with Retry-After and 5xx: gaps naming what is missing, never a crash or a pass', async (t) => {
  const faults: FakeFault[] = [
    {
      operation: /^GET \/identity\/conditionalAccess\/policies$/,
      status: 403,
      code: 'Authentication_RequestFromNonPremiumTenantOrB2CTenant',
      message: "Neither tenant is B2C or tenant doesn't have premium license",
    },
    {
      operation: /^GET \/roleManagement\/directory\/roleEligibilitySchedules$/,
      status: 400,
      code: 'AadPremiumLicenseRequired',
      message: 'The tenant needs to have Microsoft Entra ID P2 or Microsoft Entra ID Governance license.',
    },
    {
      operation: /^GET \/reports\/authenticationMethods\/userRegistrationDetails$/,
      status: 403,
      code: 'Authorization_RequestDenied',
      message: 'Insufficient privileges to complete the operation.',
    },
    { operation: /^GET \/users$/, status: 429, code: 'TooManyRequests', retryAfter: 1, times: 1 },
    { operation: /roleAssignments$/, status: 503, code: 'ServiceUnavailable', times: 1 },
  ];
  const { fake } = await acmeFake({ faults });
  t.teardown(() => fake.close());
  const caFile = await trust(fake);
  const stats: CallStats = { calls: 0, throttled: 0, byOperation: {} };
  const live = await collect(fake, { caFile }, undefined, stats);
  const tenantGaps = live[0]!.gaps;
  const reason = (what: string) =>
    tenantGaps
      .filter((g) => g.what === what)
      .map((g) => g.reason)
      .join(' | ');
  t.regex(reason('azure.conditional-access'), /needs licence Microsoft Entra ID P1/);
  t.regex(reason('azure.pim'), /needs licence Microsoft Entra ID P2/);
  t.regex(reason('azure.mfa-registration'), /needs Graph application permission AuditLog\.Read\.All/);
  t.false(
    tenantGaps.some((g) => g.what === 'azure.directory' || g.what === 'azure.role-assignments'),
    'throttling and a 503 were retried, not gaps',
  );
  t.true(stats.throttled >= 1);
  const snapshot = snapshotOf(live);
  t.true(
    snapshot.principals.filter((p) => p.kind === 'user').every((p) => p.mfa?.state === 'unknown'),
    'no report: MFA unknown, never disabled',
  );
  const { loadChecks } = await import('../../src/engine/load-checks.js');
  const { evaluate } = await import('../../src/engine/evaluate.js');
  const results = evaluate(
    snapshot,
    await loadChecks({ builtIn: false, paths: [join(ACME_AZURE, '..', '..', '..', '..', 'policies', 'azure')] }),
  );
  for (const id of [
    'azure-ca-mfa-azure-management',
    'azure-ca-mfa-all-users',
    'azure-ca-mfa-admin-roles',
    'azure-privileged-users-mfa-registered',
    'azure-all-users-mfa-registered',
  ]) {
    const statuses = new Set(results.filter((r) => r.checkId === id).map((r) => r.status));
    t.deepEqual([...statuses], ['unknown'], id);
  }
});

test('--raw-out files, imported again, give the same snapshot as the live run', async (t) => {
  const { fake } = await acmeFake();
  t.teardown(() => fake.close());
  const caFile = await trust(fake);
  const dir = await mkdtemp(join(tmpdir(), 'cloudward-azure-raw-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const live = await collect(fake, { caFile }, dir);
  const tenantDir = join(dir, live[0]!.scope.id);
  const files = filesUnder(tenantDir);
  t.true((await readdir(join(tenantDir, PROD))).includes('arm-role-assignments.json'));
  t.is((await stat(files[0]!)).mode & 0o777, 0o600);
  const users = JSON.parse(await readFile(join(tenantDir, 'graph-users.json'), 'utf8')) as Record<string, unknown>;
  t.is(typeof users['@odata.context'], 'string', 'pages are written as Graph printed them');
  const imported = await importFolder(tenantDir, undefined);
  t.is(imported[0]!.collectedAt, live[0]!.collectedAt, 'the raw-out note carries the collection time');
  t.deepEqual(
    JSON.parse(JSON.stringify(snapshotOf(imported).principals)),
    JSON.parse(JSON.stringify(snapshotOf(live).principals)),
  );
  t.deepEqual(comparable(snapshotOf(imported)), comparable(snapshotOf(live)));
  // Items are accounted per input: what was read, and what became of it, is the same live and imported.
  const totals = sourceTotals(snapshotOf(live));
  t.true(
    totals.every((s) => s.inputs > 0),
    JSON.stringify(totals),
  );
  t.deepEqual(
    sourceTotals(snapshotOf(imported)).map(({ inputs: _, ...rest }) => rest),
    totals.map(({ inputs: _, ...rest }) => rest),
  );
});

test('an untrusted certificate stops the run with one clear error (exit 2), not a crash', async (t) => {
  const { fake } = await acmeFake();
  t.teardown(() => fake.close());
  const error = await t.throwsAsync(collect(fake, { maxAttempts: 1 }));
  t.regex(error!.message, /cannot list subscriptions: .*certificate/i);
});

test('--shard K/N emits a disjoint share of the subscriptions, and the directory in shard 1 only', async (t) => {
  const { fake } = await acmeFake();
  t.teardown(() => fake.close());
  const caFile = await trust(fake);
  const shards = await Promise.all(
    [1, 2].map((index) =>
      azureProvider.collect!({
        options: { armEndpoint: fake.armEndpoint, graphEndpoint: fake.graphEndpoint, caFile },
        hooks: { credential: fakeCredential, retryDelayMs: 5 },
        progress: quietProgress,
        collectedAt: '2026-11-01T09:00:00Z',
        shard: { index, count: 2 },
      }),
    ),
  );
  const subscriptionsOf = (bundles: RawBundle[]) =>
    snapshotOf(bundles)
      .sources.filter((s) => s.scope.kind === 'subscription')
      .map((s) => s.scope.id);
  const [one, two] = shards.map(subscriptionsOf);
  t.deepEqual([...one!, ...two!].sort(), [PROD, DEV], 'together the shards read every subscription once');
  t.true(
    snapshotOf(shards[0]!).principals.some((p) => p.name === 'alice.admin@acme.com'),
    'shard 1 emits the directory',
  );
  t.deepEqual(snapshotOf(shards[1]!).principals, [], 'the other shards do not');
});
