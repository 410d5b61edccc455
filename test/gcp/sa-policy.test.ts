import test from 'ava';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { importGcpFiles } from '../../src/providers/gcp/import.js';
import { normalizeGcpBundles } from '../../src/providers/gcp/normalize.js';
import { policyFileResource, rawFile } from '../../src/providers/gcp/raw-files.js';
import { DocumentKind } from '../../src/providers/gcp/documents.js';
import { fixture } from '../helpers/cli.js';

const quiet = { status: () => {}, warn: () => {}, done: () => {} };
const DIR = fixture('gcp', 'sa-policy');
const SA = 'deployer@solo-app.iam.gserviceaccount.com';
const RESOURCE = `//iam.googleapis.com/projects/solo-app/serviceAccounts/${SA}`;

test("a service account's get-iam-policy, named after its email, is that account's allow policy, and its grants make edges", async (t) => {
  const files = (await readdir(DIR)).filter((f) => f.endsWith('.json')).map((f) => join(DIR, f));
  const part = normalizeGcpBundles(
    await importGcpFiles(files, {
      options: { project: 'solo-app' },
      progress: quiet,
      collectedAt: '2026-11-01T09:00:00Z',
    }),
  );
  const ana = part.principals.find((p) => p.name === 'ana@solo.example')!;
  t.true(ana.assignments!.some((a) => a.scope === RESOURCE && a.role.endsWith('roles/iam.serviceAccountTokenCreator')));
  t.is(
    (ana.details?.escalationPath as { text: string } | undefined)?.text,
    `ana@solo.example -> iam.serviceAccounts.getAccessToken on ${SA} -> admin`,
  );
});

test("the file name of a service account's allow policy and its resource are each other's inverse", (t) => {
  t.is(policyFileResource(`evidence/serviceAccounts.${SA}.get-iam-policy.json`), RESOURCE);
  t.is(
    rawFile({ kind: DocumentKind.iamPolicy, origin: 'x', body: { resource: RESOURCE, policy: {} } }).name,
    `serviceAccounts.${SA}.get-iam-policy.json`,
  );
});
