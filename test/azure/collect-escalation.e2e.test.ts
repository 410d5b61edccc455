import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { undeclaredCalls } from '../../src/providers/cloud/permissions.js';
import { azureProvider } from '../../src/providers/azure/index.js';
import type { RawBundle } from '../../src/providers/types.js';
import type { Principal } from '../../src/snapshot/model.js';
import { importAzureFiles } from '../../src/providers/azure/import.js';
import { AZURE_FIXTURES, fakeTenantFrom, filesUnder, importFolder, quietProgress } from '../support/azure-fixtures.js';
import { fakeCredential, startFakeAzure } from '../support/fake-azure.js';
import { PLAYGROUND_LOOK_ALIKES, PLAYGROUND_PATHS } from '../fixtures/azure/escalation-playground/catalogue.js';

// The escalation playground served by the fake ARM and Graph servers, collected through the real SDK and Graph
// clients: owners, Microsoft Graph's app role assignments, administrative units and compute identities are read live,
// and the paths are those the import of the same exports gives.
const PLAYGROUND = join(AZURE_FIXTURES, 'escalation-playground');
const SUB = '99999999-0000-4000-8000-000000000001';
const pathOf = (p: Principal | undefined) => (p?.details?.escalationPath as { text: string } | undefined)?.text;

test('the playground collected live has every catalogue path and no look-alike, as its import has, and --raw-out imports back to it', async (t) => {
  // The exports, without the README and the catalogue that describe them.
  const imported = await importAzureFiles(
    filesUnder(PLAYGROUND).filter((f) => f.endsWith('.json')),
    { options: {}, progress: quietProgress, collectedAt: '2026-11-01T09:00:00Z' },
  );
  const fake = await startFakeAzure(fakeTenantFrom(imported[0]!, { [SUB]: 'playground' }), { pageSize: 3 });
  t.teardown(() => fake.close());
  const rawOut = await mkdtemp(join(tmpdir(), 'cloudward-azure-escalation-'));
  t.teardown(() => rm(rawOut, { recursive: true, force: true }));
  const caFile = join(rawOut, 'ca.pem');
  await writeFile(caFile, fake.caPem);
  const live: RawBundle[] = await azureProvider.collect!({
    options: { armEndpoint: fake.armEndpoint, graphEndpoint: fake.graphEndpoint, maxAttempts: 1, caFile },
    hooks: { credential: fakeCredential },
    progress: quietProgress,
    collectedAt: '2026-11-01T09:00:00Z',
    rawOut,
  });
  t.deepEqual(fake.unmatched, [], 'no request outside the ARM swagger and the Graph API pages');
  t.deepEqual(
    undeclaredCalls(
      azureProvider.operations,
      fake.calls.map((c) => c.operation),
    ),
    [],
    'every call is declared (and so in `permissions azure`)',
  );
  for (const operation of [
    /^GET \/v1\.0\/applications$/,
    /appRoleAssignedTo$/,
    /^GET \/v1\.0\/directory\/administrativeUnits$/,
    /Microsoft\.Compute\/virtualMachines$/,
    /Microsoft\.ContainerService\/managedClusters$/,
  ]) {
    t.true(
      fake.calls.some((c) => operation.test(`GET ${c.path}`)),
      String(operation),
    );
  }
  t.regex(fake.calls.find((c) => c.path === '/v1.0/servicePrincipals')!.query, /\$expand=owners/);
  const byName = (principals: Principal[], name: string) =>
    principals.find((p) => p.name === name || p.name === `${name}@playground.example`);
  const fromLive = (await azureProvider.normalize(live)).principals;
  const fromImport = (await azureProvider.normalize(imported)).principals;
  const fromRaw = (await azureProvider.normalize(await importFolder(join(rawOut, live[0]!.scope.id), undefined)))
    .principals;
  for (const { name, text } of PLAYGROUND_PATHS) {
    t.is(pathOf(byName(fromLive, name)), text, `live: ${name}`);
    t.is(pathOf(byName(fromRaw, name)), text, `raw-out: ${name}`);
  }
  for (const { name } of PLAYGROUND_LOOK_ALIKES) t.is(pathOf(byName(fromLive, name)), undefined, name);
  t.deepEqual(
    fromLive.map((p) => [p.uid, p.details?.escalation ?? null]),
    fromImport.map((p) => [p.uid, p.details?.escalation ?? null]),
  );
});
