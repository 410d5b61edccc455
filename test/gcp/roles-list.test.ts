import test from 'ava';
import { join } from 'node:path';
import { importGcpFiles } from '../../src/providers/gcp/import.js';
import { normalizeGcpBundles } from '../../src/providers/gcp/normalize.js';
import { fixture } from '../helpers/cli.js';

const quiet = { status: () => {}, warn: () => {}, done: () => {} };
const DIR = fixture('gcp', 'roles-list');
const LIST = join(DIR, 'roles.list.solo-app.json');
const DESCRIBED = ['roles.describe.keyMinter.json', 'roles.describe.bucketReader.json'].map((f) => join(DIR, f));

async function rolesOf(files: string[]) {
  const bundles = await importGcpFiles(files, {
    options: { project: 'solo-app' },
    progress: quiet,
    collectedAt: '2026-11-01T09:00:00Z',
  });
  const part = normalizeGcpBundles(bundles);
  return new Map(part.roles.map((r) => [r.nativeId, r]));
}

// `gcloud iam roles list` prints roles without includedPermissions (the API's BASIC view); describe prints them.
for (const [order, files] of [
  ['list first', [LIST, ...DESCRIBED]],
  ['describe first', [...DESCRIBED, LIST]],
] as const) {
  test(`described permissions of custom roles survive their roles list, ${order}`, async (t) => {
    const roles = await rolesOf([...files]);
    const minter = roles.get('projects/solo-app/roles/keyMinter')!;
    t.deepEqual(minter.permissions.allow, [
      'iam.serviceAccountKeys.create',
      'resourcemanager.projects.setIamPolicy',
      'storage.buckets.get',
    ]);
    t.is(minter.privilege?.level, 'admin');
    t.like(minter.details, { permissionsListed: true });
    const reader = roles.get('projects/solo-app/roles/bucketReader')!;
    t.deepEqual(reader.permissions.allow, ['storage.buckets.get', 'storage.buckets.list']);
    t.is(reader.privilege?.level, 'none');
    t.notDeepEqual(reader.privilege?.reasons, ['permissions not read']);
  });
}

test('a role only listed, never described, stays unread', async (t) => {
  const roles = await rolesOf([LIST]);
  t.like(roles.get('projects/solo-app/roles/keyMinter')!.details, { permissionsListed: false });
  t.deepEqual(roles.get('projects/solo-app/roles/keyMinter')!.privilege?.reasons, ['permissions not read']);
});
