/**
 * `gcloud asset search-all-iam-policies --asset-types=iam.googleapis.com/ServiceAccount` names each account by its
 * unique id: the service-account list ties the id to the email, so the graph's edges reach the account, and without
 * the list the account's policy is a gap, never silently nobody's.
 */
import test from 'ava';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importGcpFiles } from '../../src/providers/gcp/import.js';
import { normalizeGcpBundles } from '../../src/providers/gcp/normalize.js';
import type { SnapshotPart } from '../../src/snapshot/model.js';
import { fixture } from '../helpers/cli.js';

const quiet = { status: () => {}, warn: () => {}, done: () => {} };
const POLICIES = fixture('gcp', 'asset-service-accounts', 'asset.search-all-iam-policies.json');
const ACCOUNT = 'myserviceaccount@test-project.iam.gserviceaccount.com';

/** Google's Cloud Asset export of the accounts, listed as `gcloud iam service-accounts list` prints them. */
async function accountList(): Promise<string> {
  const assets = JSON.parse(
    await readFile(fixture('vendor', 'gcp', 'policy-library', 'service-accounts.cai.json'), 'utf8'),
  ) as Array<{ resource: { data: unknown } }>;
  const dir = await mkdtemp(join(tmpdir(), 'cloudward-sa-'));
  const file = join(dir, 'iam.service-accounts.test-project.json');
  await writeFile(file, JSON.stringify(assets.map((a) => a.resource.data)));
  return file;
}

async function normalize(files: string[]): Promise<SnapshotPart> {
  return normalizeGcpBundles(
    await importGcpFiles(files, {
      options: { project: 'test-project' },
      progress: quiet,
      collectedAt: '2026-11-01T09:00:00Z',
    }),
  );
}

const principal = (part: SnapshotPart, name: string) => part.principals.find((p) => p.name === name)!;

test('a grant on an account named by unique id reaches the account the service-account list names', async (t) => {
  const part = await normalize([POLICIES, await accountList()]);
  const alice = principal(part, 'alice@example.com');
  t.is(
    (alice.details?.escalationPath as { text: string } | undefined)?.text,
    `alice@example.com -> iam.serviceAccounts.getAccessToken on ${ACCOUNT} -> admin`,
  );
  // The assignment keeps the resource as Cloud Asset printed it.
  t.is(
    alice.assignments?.[0]?.scope,
    '//iam.googleapis.com/projects/test-project/serviceAccounts/102628377948083709745',
  );
  // Key Admin on an account that holds no role is no path.
  t.is(principal(part, 'bob@example.com').details?.escalationPath, undefined);
  t.false(part.sources.some((s) => s.gaps.some((g) => g.what === 'gcp.service-accounts')));
});

test('without the service-account list, an account named by unique id is a gap naming the id and the command', async (t) => {
  const part = await normalize([POLICIES]);
  t.is(principal(part, 'alice@example.com').details?.escalationPath, undefined);
  // Beside the topic's "not among the imported files", each account's policy says which id could not be placed.
  const gaps = part.sources
    .flatMap((s) => s.gaps)
    .filter((g) => g.what === 'gcp.service-accounts' && g.reason.includes('unique id'));
  t.deepEqual(
    gaps.map((g) => g.reason),
    ['102628377948083709745', '117792594799353095848'].map(
      (id) =>
        `the allow policy of service account ${id} names it by unique id, which no service-account list ties to an email: who can act as it is unknown (gcloud iam service-accounts list --project=test-project --format=json)`,
    ),
  );
});
