/**
 * The escalation playground: each entry of Rhino Security Labs' GCP privilege-escalation catalogue as a path to admin,
 * beside look-alikes that must not be one (actAs without a way to run code, a key for an account with no roles, a
 * disabled account, key creation under iam.disableServiceAccountKeyCreation, an ended binding, a deny policy, HMAC keys).
 */
import test from 'ava';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { importGcpFiles } from '../../src/providers/gcp/import.js';
import { normalizeGcpBundles } from '../../src/providers/gcp/normalize.js';
import type { SnapshotPart } from '../../src/snapshot/model.js';
import { fixture } from '../helpers/cli.js';

const quiet = { status: () => {}, warn: () => {}, done: () => {} };
const DIR = fixture('gcp', 'escalation-playground');

async function playground(): Promise<SnapshotPart> {
  const files = (await readdir(DIR)).filter((f) => f.endsWith('.json')).map((f) => join(DIR, f));
  return normalizeGcpBundles(await importGcpFiles(files, { options: {}, progress: quiet, collectedAt: '2026-11-01T09:00:00Z' }));
}

interface Path {
  text: string;
  conditions: string[];
}
const pathOf = (part: SnapshotPart, name: string): Path | undefined => part.principals.find((p) => p.name === name)!.details?.escalationPath as Path | undefined;
const kindsOf = (part: SnapshotPart, name: string): unknown => part.principals.find((p) => p.name === name)!.details?.escalation;

const ADMIN_SA = 'admin-sa@play-1234.iam.gserviceaccount.com';
const AGENT = '555000000001@cloudservices.gserviceaccount.com';
const user = (n: string) => `${n}@play.example`;
const runner = (permission: string) => `iam.serviceAccounts.actAs + ${permission} on projects/play-1234 (as ${ADMIN_SA})`;

const EXPECTED: Record<string, [string, string[]]> = {
  [user('key-user')]: [`iam.serviceAccountKeys.create on ${ADMIN_SA}`, ['create-key']],
  [user('token-user')]: [`iam.serviceAccounts.getAccessToken on projects/play-1234 (as ${ADMIN_SA})`, ['get-access-token']],
  [user('blob-user')]: [`iam.serviceAccounts.signBlob on ${ADMIN_SA}`, ['sign-blob']],
  [user('jwt-user')]: [`iam.serviceAccounts.signJwt on ${ADMIN_SA}`, ['sign-jwt']],
  [user('delegate-user')]: [`iam.serviceAccounts.implicitDelegation on middle-sa@play-1234.iam.gserviceaccount.com, then its iam.serviceAccounts.getAccessToken on ${ADMIN_SA}`, ['implicit-delegation']],
  [user('compute-user')]: [runner('compute.instances.create'), ['actas-compute']],
  [user('functions-user')]: [runner('cloudfunctions.functions.create'), ['actas-cloudfunctions']],
  [user('run-user')]: [runner('run.services.create'), ['actas-run']],
  [user('build-user')]: [runner('cloudbuild.builds.create'), ['actas-cloudbuild']],
  [user('scheduler-user')]: [runner('cloudscheduler.jobs.create'), ['actas-cloudscheduler']],
  [user('composer-user')]: [runner('composer.environments.create'), ['actas-composer']],
  [user('dataproc-user')]: [runner('dataproc.clusters.create'), ['actas-dataproc']],
  [user('dm-user')]: [`deploymentmanager.deployments.create on projects/play-1234 (runs as the Google APIs service agent) (as ${AGENT}) -> ${runner('compute.instances.create')}`, ['deployment-manager', 'actas-compute']],
  [AGENT]: [runner('compute.instances.create'), ['actas-compute']],
  [user('role-updater')]: ['iam.roles.update on projects/play-1234/roles/roleEditor, which it holds (adding setIamPolicy)', ['update-held-role']],
  [user('sa-policy-user')]: [`iam.serviceAccounts.setIamPolicy on ${ADMIN_SA}`, ['set-sa-iam-policy']],
  [user('lift-user')]: ['orgpolicy.policy.set on projects/locked-5678 (lifting iam.disableServiceAccountKeyCreation) + iam.serviceAccountKeys.create on projects/locked-5678 (as locked-admin@locked-5678.iam.gserviceaccount.com)', ['lift-org-policy-create-key']],
  ['middle-sa@play-1234.iam.gserviceaccount.com']: [`iam.serviceAccounts.getAccessToken on ${ADMIN_SA}`, ['get-access-token']],
  [user('cond-user')]: [`iam.serviceAccounts.getAccessToken on ${ADMIN_SA}`, ['get-access-token']],
  // Key Admin on the organization reaches play-1234's accounts, not locked-5678's (key creation is blocked there).
  [user('org-key-user')]: [`iam.serviceAccountKeys.create on organizations/900000000001 (as ${ADMIN_SA})`, ['create-key']],
  // Token Creator on the organization reaches every account below it; the delegation it also grants adds nothing there.
  [user('org-token-user')]: [`iam.serviceAccounts.getAccessToken on organizations/900000000001 (as ${ADMIN_SA})`, ['get-access-token']],
};

test('every catalogue entry is a path to admin, with the grant of each step', async (t) => {
  const part = await playground();
  for (const [name, [steps, kinds]] of Object.entries(EXPECTED)) {
    t.is(pathOf(part, name)?.text, `${name} -> ${steps} -> admin`, name);
    t.deepEqual(kindsOf(part, name), kinds, name);
    const principal = part.principals.find((p) => p.name === name)!;
    t.is(principal.privilege?.level, 'privileged', name);
    t.true(principal.privilege!.reasons[0]!.startsWith(`can become an administrator: ${name} -> `), name);
  }
});

test('look-alikes are no path: actAs alone, a key for an account with no roles, a disabled account, a blocked key, an ended binding, a deny, HMAC keys', async (t) => {
  const part = await playground();
  for (const name of ['actas-only', 'keyless-user', 'disabled-user', 'blocked-user', 'expired-user', 'deny-user', 'hmac-user'].map(user)) t.is(pathOf(part, name), undefined, name);
  // Searched and found no path: an empty list of edge kinds, which checks read as "no path" rather than "not searched".
  for (const name of ['actas-only', 'keyless-user', 'hmac-user'].map(user)) t.deepEqual(kindsOf(part, name), [], name);
  // Every principal with a path is one the catalogue expects, and administrators need none.
  const withPath = part.principals.filter((p) => p.details?.escalationPath !== undefined).map((p) => p.name).sort();
  t.deepEqual(withPath, Object.keys(EXPECTED).sort());
  for (const name of [ADMIN_SA, user('iam-admin'), 'locked-admin@locked-5678.iam.gserviceaccount.com']) t.is(part.principals.find((p) => p.name === name)!.privilege?.level, 'admin', name);
});

test('an IAM condition the snapshot cannot judge stays on the path, named; an ended one cuts it', async (t) => {
  const part = await playground();
  t.deepEqual(pathOf(part, user('cond-user'))?.conditions, ['IAM condition request.time.getDayOfWeek("Europe/Berlin") < 5']);
  t.deepEqual(pathOf(part, user('token-user'))?.conditions, []);
  t.is(part.principals.find((p) => p.name === user('expired-user'))!.details?.expiredBindings, 1);
});

test('editing a custom role another principal holds on the hierarchy is grant power, not a path', async (t) => {
  const part = await playground();
  const admin = part.principals.find((p) => p.name === user('role-admin-user'))!;
  t.is(admin.details?.escalationPath, undefined);
  t.like(admin.details?.grantPower, { kind: 'update-others-role', text: `iam.roles.update on projects/play-1234/roles/roleEditor, which ${user('role-updater')} holds on projects/play-1234 (adding setIamPolicy)` });
  t.is(admin.privilege?.level, 'privileged');
  t.true(admin.privilege!.reasons[0]!.startsWith('can make another principal an administrator: iam.roles.update on '));
});
