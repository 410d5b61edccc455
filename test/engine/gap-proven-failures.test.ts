/**
 * A gap on a topic a check needs must not hide a failure the data present already prove. Both cases are the Acme
 * tenant's own exports with one file left out, as a user who forgot one export would import them.
 */
import test from 'ava';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { evaluate } from '../../src/engine/evaluate.js';
import { loadChecks } from '../../src/engine/load-checks.js';
import { azureProvider } from '../../src/providers/azure/index.js';
import { assembleSnapshot } from '../../src/snapshot/load.js';
import { tempDir } from '../helpers/cli.js';
import { ACME_AZURE, filesUnder, importFolder } from '../support/azure-fixtures.js';

const TENANT = 'azure:7c3a9d2e-5b1f-4e8a-9c6d-2f4b8a1e3d5c';

/** Results of the Azure checks on the Acme exports without the files `leaveOut` names (paths under raw/azure). */
async function auditWithout(leaveOut: string) {
  const dir = await tempDir();
  for (const file of filesUnder(ACME_AZURE)) {
    const rel = relative(ACME_AZURE, file);
    if (rel === leaveOut) continue;
    await mkdir(dirname(join(dir, rel)), { recursive: true });
    await copyFile(file, join(dir, rel));
  }
  const bundles = await importFolder(dir);
  const snapshot = assembleSnapshot([azureProvider.normalize(bundles)], bundles[0]!.collectedAt);
  const checks = await loadChecks({
    builtIn: false,
    paths: [new URL('../../policies/azure', import.meta.url).pathname],
  });
  return { snapshot, results: evaluate(snapshot, checks) };
}

test('a Global Administrator the registration report shows unregistered fails though the service principals were not exported', async (t) => {
  const { snapshot, results } = await auditWithout(join('graph', 'service-principals.json'));
  t.true(
    snapshot.sources.some((s) => s.gaps.some((g) => g.what === 'azure.directory')),
    'the missing export is a gap',
  );
  const carol = results.find(
    (r) =>
      r.checkId === 'azure-privileged-users-mfa-registered' &&
      r.resource.uid === `${TENANT}:user/0b6e3c1a-0003-4d1e-9f00-0000000ca201`,
  );
  t.is(carol?.status, 'fail');
  t.deepEqual(
    carol?.evidence.failed?.map((f) => f.path),
    ['/mfa/state'],
  );
  t.true(
    (carol?.evidence.gaps ?? []).some((g) => g.what === 'azure.directory'),
    'the gap is still shown beside the failure',
  );
  // A user the report shows registered could still be an unseen admin's peer: passes stay honest.
  const alice = results.find(
    (r) =>
      r.checkId === 'azure-privileged-users-mfa-registered' &&
      r.resource.uid === `${TENANT}:user/0b6e3c1a-0001-4d1e-9f00-00000000a11c`,
  );
  t.not(alice?.status, 'fail');
});

test('a custom role granting "*" fails though another subscription\'s role definitions were not exported', async (t) => {
  const { snapshot, results } = await auditWithout(
    join('a1b2c3d4-2222-4aaa-8bbb-000000000002', 'role-definition-list.json'),
  );
  t.true(
    snapshot.sources.some((s) => s.gaps.some((g) => g.what === 'azure.role-assignments')),
    'the missing export is a gap',
  );
  const role = `${TENANT}:roleDefinition/3f2e1d0c-9b8a-4766-8554-4433221100aa`;
  for (const checkId of ['azure-no-custom-owner-roles', 'azure-no-custom-wildcard-role-at-subscription']) {
    const result = results.find((r) => r.checkId === checkId && r.resource.uid === role);
    t.is(result?.status, 'fail', checkId);
  }
  // The roles whose definitions were not read are never passed.
  const unresolved = results.filter((r) => r.checkId === 'azure-no-custom-owner-roles' && r.status === 'pass');
  t.deepEqual(
    unresolved.map((r) => r.resource.uid),
    [],
  );
});
