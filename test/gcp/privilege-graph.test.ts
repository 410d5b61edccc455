/**
 * The escalation playground: each entry of Rhino Security Labs' GCP privilege-escalation catalogue as a path to admin,
 * beside look-alikes that must not be one (actAs without a way to run code, a key for an account with no roles, a
 * disabled account, key creation under iam.disableServiceAccountKeyCreation, an ended binding, a deny policy, HMAC keys).
 */
import test from 'ava';
import type { SnapshotPart } from '../../src/snapshot/model.js';
import { ADMIN_SA, EXPECTED, LOOK_ALIKES, playground, user } from '../fixtures/gcp/escalation-playground/expected.js';

interface Path {
  text: string;
  conditions: string[];
}
const pathOf = (part: SnapshotPart, name: string): Path | undefined =>
  part.principals.find((p) => p.name === name)!.details?.escalationPath as Path | undefined;
const kindsOf = (part: SnapshotPart, name: string): unknown =>
  part.principals.find((p) => p.name === name)!.details?.escalation;

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

test('look-alikes are no path: actAs alone, a key for an account with no roles, a disabled account, a blocked key, an ended binding, a deny, HMAC keys, delegation through an account that can only set policies', async (t) => {
  const part = await playground();
  // delegate-policy-user holds implicitDelegation on policy-sa, which can set admin-sa's policy but mint no token:
  // setIamPolicy is no call a delegate makes for its caller.
  for (const name of LOOK_ALIKES) t.is(pathOf(part, name), undefined, name);
  // Searched and found no path: an empty list of edge kinds, which checks read as "no path" rather than "not searched".
  for (const name of ['actas-only', 'keyless-user', 'hmac-user'].map(user)) t.deepEqual(kindsOf(part, name), [], name);
  // Every principal with a path is one the catalogue expects, and administrators need none.
  const withPath = part.principals
    .filter((p) => p.details?.escalationPath !== undefined)
    .map((p) => p.name)
    .sort();
  t.deepEqual(withPath, Object.keys(EXPECTED).sort());
  for (const name of [ADMIN_SA, user('iam-admin'), 'locked-admin@locked-5678.iam.gserviceaccount.com'])
    t.is(part.principals.find((p) => p.name === name)!.privilege?.level, 'admin', name);
});

test('an IAM condition the snapshot cannot judge stays on the path, named; an ended one cuts it', async (t) => {
  const part = await playground();
  t.deepEqual(pathOf(part, user('cond-user'))?.conditions, [
    'IAM condition request.time.getDayOfWeek("Europe/Berlin") < 5',
  ]);
  t.deepEqual(pathOf(part, user('token-user'))?.conditions, []);
  t.is(part.principals.find((p) => p.name === user('expired-user'))!.details?.expiredBindings, 1);
});

test('editing a custom role another principal holds on the hierarchy is grant power, not a path', async (t) => {
  const part = await playground();
  const admin = part.principals.find((p) => p.name === user('role-admin-user'))!;
  t.is(admin.details?.escalationPath, undefined);
  t.like(admin.details?.grantPower, {
    kind: 'update-others-role',
    text: `iam.roles.update on projects/play-1234/roles/roleEditor, which ${user('role-updater')} holds on projects/play-1234 (adding setIamPolicy)`,
  });
  t.is(admin.privilege?.level, 'privileged');
  t.true(admin.privilege!.reasons[0]!.startsWith('can make another principal an administrator: iam.roles.update on '));
});
