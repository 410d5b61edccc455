import test from 'ava';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers/cli.js';
import { azureProvider } from '../../src/providers/azure/index.js';
import { shardOf } from '../../src/providers/cloud/shard.js';
import type { RawBundle } from '../../src/providers/types.js';
import { assembleSnapshot, writeSnapshot } from '../../src/snapshot/load.js';
import type { Snapshot } from '../../src/snapshot/model.js';
import { ACME_AZURE, fakeTenantFrom, importFolder, quietProgress } from '../support/azure-fixtures.js';
import { fakeCredential, startFakeAzure, type FakeAzure, type FakeFault } from '../support/fake-azure.js';

const PROD = 'a1b2c3d4-1111-4aaa-8bbb-000000000001';
const DEV = 'a1b2c3d4-2222-4aaa-8bbb-000000000002';
/** Copies of acme-prod and acme-dev under other ids: the same principals hold roles in subscriptions of every shard. */
const COPIES: Record<string, string> = {
  'a1b2c3d4-3333-4aaa-8bbb-000000000003': PROD,
  'a1b2c3d4-4444-4aaa-8bbb-000000000004': DEV,
  'a1b2c3d4-5555-4aaa-8bbb-000000000005': PROD,
  'a1b2c3d4-6666-4aaa-8bbb-000000000006': DEV,
};
const ALL = [PROD, DEV, ...Object.keys(COPIES)].sort();
const AT = '2026-11-01T09:00:00Z';
const ASSIGNMENTS_DENIED: FakeFault = {
  operation:
    /^GET \/subscriptions\/a1b2c3d4-6666-4aaa-8bbb-000000000006\/providers\/Microsoft\.Authorization\/roleAssignments$/,
  status: 403,
  code: 'AuthorizationFailed',
  message: 'does not have authorization to perform action Microsoft.Authorization/roleAssignments/read',
};
const DIAGNOSTICS_DENIED: FakeFault = {
  operation:
    /^GET \/subscriptions\/a1b2c3d4-3333-4aaa-8bbb-000000000003\/providers\/Microsoft\.Insights\/diagnosticSettings$/,
  status: 403,
  code: 'AuthorizationFailed',
  message: 'does not have authorization to perform action microsoft.insights/diagnosticSettings/read',
};

async function sixSubscriptions(): Promise<FakeAzure> {
  const [bundle] = await importFolder(ACME_AZURE);
  const tenant = fakeTenantFrom(bundle!, { [PROD]: 'acme-prod', [DEV]: 'acme-dev' });
  for (const [id, from] of Object.entries(COPIES)) {
    const source = tenant.subscriptions.find((s) => s.id === from)!;
    tenant.subscriptions.push({
      ...(JSON.parse(JSON.stringify(source).replaceAll(from, id)) as typeof source),
      name: `copy-${id.slice(9, 13)}`,
    });
  }
  return startFakeAzure(tenant, { faults: [ASSIGNMENTS_DENIED, DIAGNOSTICS_DENIED] });
}

function collect(fake: FakeAzure, caFile: string, shard?: { index: number; count: number }): Promise<RawBundle[]> {
  return azureProvider.collect!({
    options: {
      caFile,
      armEndpoint: fake.armEndpoint,
      graphEndpoint: fake.graphEndpoint,
      maxAttempts: 1,
      concurrency: 4,
    },
    hooks: { credential: fakeCredential, retryDelayMs: 5 },
    progress: quietProgress,
    collectedAt: AT,
    ...(shard ? { shard } : {}),
  });
}

const snapshotOf = (bundles: RawBundle[]): Snapshot => assembleSnapshot([azureProvider.normalize(bundles)], AT);

test('merging the --shard K/N snapshots of a tenant (in any order) equals the unsharded snapshot, digest included', async (t) => {
  const fake = await sixSubscriptions();
  t.teardown(() => fake.close());
  const dir = await tempDir('cloudward-azure-shard-');
  t.teardown(() => rm(dir, { recursive: true, force: true }));

  const caFile = join(dir, 'ca.pem');
  await writeFile(caFile, fake.caPem);
  const whole = snapshotOf(await collect(fake, caFile));
  await writeSnapshot(join(dir, 'whole.json'), whole);
  const callsUnsharded = fake.calls.length;
  const shards: Snapshot[] = [];
  for (const index of [1, 2, 3]) {
    const snapshot = snapshotOf(await collect(fake, caFile, { index, count: 3 }));
    await writeSnapshot(join(dir, `shard-${index}.json`), snapshot);
    shards.push(snapshot);
  }
  const shardCalls = fake.calls.slice(callsUnsharded);

  // Shard 1 alone holds the tenant, its principals, roles and tenant controls; each shard holds its own subscriptions.
  t.deepEqual(
    whole.sources.map((s) => s.scope.id),
    [whole.sources[0]!.scope.id, ...ALL],
  );
  for (const [i, shard] of shards.entries()) {
    const subscriptions = shard.sources.filter((s) => s.scope.kind === 'subscription');
    t.true(subscriptions.length > 0, `shard ${i + 1} is not empty with these ids`);
    t.true(subscriptions.every((s) => shardOf(s.scope.id, 3) === i));
    t.is(
      shard.sources.some((s) => s.scope.kind === 'tenant'),
      i === 0,
    );
    if (i > 0)
      t.deepEqual(
        [shard.principals.length, shard.roles.length, shard.controls.every((c) => c.scope.kind === 'subscription')],
        [0, 0, true],
      );
  }
  t.true(shards[0]!.principals.length > 0);
  t.deepEqual(
    shards.flatMap((s) => s.sources.filter((x) => x.scope.kind === 'subscription').map((x) => x.scope.id)).sort(),
    ALL,
  );
  // The directory is read once, by shard 1; each subscription's diagnostic settings once, by its shard.
  const count = (calls: typeof shardCalls, pattern: RegExp) => calls.filter((c) => pattern.test(c.operation)).length;
  t.is(count(shardCalls, /^GET \/users$/), count(fake.calls.slice(0, callsUnsharded), /^GET \/users$/));
  t.is(count(shardCalls, /diagnosticSettings$/), ALL.length);
  t.is(
    count(shardCalls, /^GET \/subscriptions\/\{id\}\/.*roleAssignments$/),
    count(fake.calls.slice(0, callsUnsharded), /^GET \/subscriptions\/\{id\}\/.*roleAssignments$/),
  );
  // Every other read is made exactly as often as by the unsharded run: only the subscription list is read by each shard.
  const tally = (calls: typeof shardCalls) => {
    const counts: Record<string, number> = {};
    for (const c of calls) counts[c.operation] = (counts[c.operation] ?? 0) + 1;
    return counts;
  };
  const before = tally(fake.calls.slice(0, callsUnsharded));
  t.deepEqual(tally(shardCalls), { ...before, 'GET /subscriptions': before['GET /subscriptions']! * 3 });

  // An access gap of a subscription another shard emits is the tenant's; a diagnostic-settings gap stays with its subscription.
  const tenantGaps = whole.sources[0]!.gaps.map((g) => `${g.what} ${g.call}`);
  t.true(tenantGaps.some((g) => g.startsWith('azure.role-assignments') && g.includes('6666')));
  t.deepEqual(whole.sources.find((s) => s.scope.id.includes('6666'))!.gaps, []);
  t.deepEqual(
    whole.sources.find((s) => s.scope.id.includes('3333'))!.gaps.map((g) => g.what),
    ['azure.diagnostic-settings'],
  );

  for (const order of [
    [3, 1, 2],
    [2, 3, 1],
  ]) {
    const out = join(dir, `merged-${order.join('')}.json`);
    const merged = await runCli(['merge', ...order.map((k) => join(dir, `shard-${k}.json`)), '--output', out]);
    t.is(merged.code, 0, merged.stderr);
    const [a, b] = await Promise.all([readFile(join(dir, 'whole.json'), 'utf8'), readFile(out, 'utf8')]);
    t.deepEqual(JSON.parse(b), JSON.parse(a));
    t.is(b, a, 'byte for byte');
  }

  // Shard 2 merged with itself, or two shard 1s, are still refused.
  const twice = await runCli([
    'merge',
    join(dir, 'shard-1.json'),
    join(dir, 'shard-1.json'),
    '--output',
    join(dir, 'twice.json'),
  ]);
  t.is(twice.code, 2);
  t.regex(twice.stderr, /in two snapshots/);
});
