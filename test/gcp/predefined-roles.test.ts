/**
 * The predefined roles' edge permissions come from Google's own role definitions (a dated dump of
 * `gcloud iam roles describe`), not from a hand-written list.
 */
import test from 'ava';
import { PREDEFINED_ROLES_SOURCE } from '../../src/providers/gcp/predefined-roles.js';
import { edgePermissions } from '../../src/providers/gcp/privilege-graph.js';

test('Editor creates service-account keys, as Google defines the role', (t) => {
  t.true(edgePermissions('roles/editor', undefined).includes('iam.serviceAccountKeys.create'));
});

test('Cloud Functions Admin and Developer create Cloud Run services (2nd gen functions run on Cloud Run)', (t) => {
  for (const role of ['roles/cloudfunctions.admin', 'roles/cloudfunctions.developer'])
    t.true(edgePermissions(role, undefined).includes('run.services.create'), role);
});

test('roles the hand-written list left out are read from the dump: Service Account Token Creator and its peers', (t) => {
  t.deepEqual(edgePermissions('roles/iam.serviceAccountTokenCreator', undefined), [
    'iam.serviceAccounts.getAccessToken',
    'iam.serviceAccounts.implicitDelegation',
    'iam.serviceAccounts.signBlob',
    'iam.serviceAccounts.signJwt',
  ]);
  t.true(edgePermissions('roles/iam.serviceAccountUser', undefined).includes('iam.serviceAccounts.actAs'));
  t.deepEqual(edgePermissions('roles/viewer', undefined), []);
});

test('a described role keeps its own permissions over the table, and the table says where and when it comes from', (t) => {
  t.deepEqual(edgePermissions('roles/editor', ['iam.serviceAccounts.actAs', 'storage.buckets.get']), [
    'iam.serviceAccounts.actAs',
  ]);
  t.regex(PREDEFINED_ROLES_SOURCE.source, /^darkbitio\/gcp-iam-role-permissions@[0-9a-f]{40}:roles\/$/);
  t.regex(PREDEFINED_ROLES_SOURCE.date, /^\d{4}-\d{2}-\d{2}$/);
  t.true(PREDEFINED_ROLES_SOURCE.rolesRead > 1000);
});
