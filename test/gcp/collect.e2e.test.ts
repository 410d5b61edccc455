import test from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gcpProvider } from '../../src/providers/gcp/index.js';
import type { Snapshot } from '../../src/snapshot/model.js';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';
import { fakeEnv, startFakeGcp, tenantFromExports, type Faults, type FakeGcp } from '../support/fake-gcp.js';
import { GOOGLE } from '../support/spec-routes.js';
import { itemTotals } from '../support/snapshots.js';

const EXPORTS = join(ROOT, 'examples', 'acme', 'raw', 'gcp');
const ORG = '408813245716';
const AT = '2026-11-01T09:00:00Z';

async function collect(
  fake: FakeGcp,
  extra: string[] = [],
): Promise<{ code: number; stderr: string; snapshot: Snapshot; dir: string }> {
  const dir = await tempDir('cloudward-gcp-');
  const out = join(dir, 'live.json');
  const run = await runCli(
    [
      'collect',
      'gcp',
      '--organization',
      ORG,
      '--endpoint',
      fake.url,
      '--collected-at',
      AT,
      '--max-attempts',
      '3',
      '--output',
      out,
      ...extra,
    ],
    { env: fakeEnv(fake) },
  );
  const snapshot =
    run.code === 0 ? (JSON.parse(await readFile(out, 'utf8')) as Snapshot) : (undefined as unknown as Snapshot);
  return { code: run.code, stderr: run.stderr, snapshot, dir };
}

async function withFake(t: { teardown(fn: () => Promise<void>): void }, faults: Faults = {}): Promise<FakeGcp> {
  const fake = await startFakeGcp(tenantFromExports(EXPORTS), faults);
  t.teardown(() => fake.close());
  return fake;
}

const gapsOf = (s: Snapshot) => s.sources.flatMap((x) => x.gaps.map((g) => ({ scope: x.scope.id, ...g })));
const count = (fake: FakeGcp, id: string) => fake.calls.filter((c) => c.id === id).length;

test('collect reads the organization through the client libraries with ADC, and its raw-out imports to the same snapshot', async (t) => {
  const fake = await withFake(t);
  const raw = await tempDir('cloudward-gcp-raw-');
  const live = await collect(fake, ['--raw-out', raw]);
  t.is(live.code, 0, live.stderr);
  t.deepEqual(
    gapsOf(live.snapshot).map((g) => g.what),
    ['gcp.cloud-shell'],
  );
  const ana = live.snapshot.principals.find((p) => p.name === 'ana@acme.com')!;
  t.is(ana.privilege?.level, 'admin');
  t.is(ana.mfa?.state, 'enabled');
  // Bindings on a bucket come only from Cloud Asset: the public member is there.
  t.truthy(live.snapshot.principals.find((p) => p.nativeId === 'allUsers'));
  const files = await readdir(join(raw, ORG));
  t.true(files.includes('asset.search-all-iam-policies.json'));
  t.true(files.includes('cloudward-collection.json'));
  const out = join(raw, 'import.json');
  const imported = await runCli(['import', 'gcp', ...files.map((f) => join(raw, ORG, f)), '--output', out]);
  t.is(imported.code, 0, imported.stderr);
  const again = JSON.parse(await readFile(out, 'utf8')) as Snapshot;
  for (const kind of ['principals', 'roles', 'controls', 'hosts'] as const)
    t.deepEqual(again[kind], live.snapshot[kind], kind);
  // Items are accounted per input: API calls live, files on import; what was read and what became of it is the same.
  const totals = (sources: Snapshot['sources']) => itemTotals(sources.flatMap((s) => s.items ?? []));
  t.deepEqual(totals(again.sources), totals(live.snapshot.sources));
  t.deepEqual(
    again.sources.map((s) => ({ ...s, method: 'live', items: undefined })),
    live.snapshot.sources.map((s) => ({ ...s, items: undefined })),
  );
  t.true(again.sources.every((s) => s.method === 'import'));
});

test('the live snapshot has the same principals and roles as the import of the gcloud exports it serves', async (t) => {
  const fake = await withFake(t);
  const live = await collect(fake);
  const dir = await tempDir();
  const out = join(dir, 'import.json');
  const files = (await readdir(EXPORTS)).map((f) => join(EXPORTS, f));
  const run = await runCli(['import', 'gcp', ...files, '--collected-at', AT, '--output', out]);
  t.is(run.code, 0, run.stderr);
  const imported = JSON.parse(await readFile(out, 'utf8')) as Snapshot;
  t.deepEqual(live.snapshot.principals, imported.principals);
  t.deepEqual(live.snapshot.roles, imported.roles);
});

test('Cloud Asset search is paged: calls grow with pages of results, not with projects', async (t) => {
  const fake = await withFake(t, { pageSize: 2 });
  const live = await collect(fake);
  t.is(live.code, 0, live.stderr);
  const results = tenantFromExports(EXPORTS).asset.length;
  t.is(count(fake, 'cloudasset.searchAllIamPolicies'), Math.ceil(results / 2));
  t.is(count(fake, 'cloudresourcemanager.projects.getIamPolicy'), 0);
});

test('a disabled Asset API falls back to getIamPolicy per organization, folder and project, and says what it misses', async (t) => {
  const fake = await withFake(t, { assetDisabled: true });
  const live = await collect(fake);
  t.is(live.code, 0, live.stderr);
  t.is(count(fake, 'cloudresourcemanager.organizations.getIamPolicy'), 1);
  t.is(count(fake, 'cloudresourcemanager.folders.getIamPolicy'), 1);
  t.is(count(fake, 'cloudresourcemanager.projects.getIamPolicy'), 2);
  const gap = gapsOf(live.snapshot).find((g) => g.what === 'gcp.resource-policies');
  t.truthy(gap);
  t.regex(gap!.reason, /cloudasset\.googleapis\.com/);
  t.regex(gap!.reason, /getIamPolicy instead/);
  t.falsy(live.snapshot.principals.find((p) => p.nativeId === 'allUsers'));
  t.is(live.snapshot.principals.find((p) => p.name === 'ben@acme.com')?.privilege?.level, 'privileged');
  t.regex(live.stderr, /Cloud Asset search unavailable/);
});

test('403 on key listing becomes a gap naming the permission; the key checks are unknown, never pass', async (t) => {
  const fake = await withFake(t, { denied: new Set(['iam.serviceAccountKeys.list']) });
  const live = await collect(fake);
  t.is(live.code, 0, live.stderr);
  const gaps = gapsOf(live.snapshot).filter((g) => g.what === 'gcp.service-account-keys');
  t.is(gaps.length, 3);
  t.true(gaps.every((g) => /iam\.serviceAccountKeys\.list/.test(g.reason) && /PERMISSION_DENIED/.test(g.reason)));
  const etl = live.snapshot.principals.find((p) => p.name === 'etl@acme-data-2203.iam.gserviceaccount.com')!;
  t.is(etl.credentials, undefined);
  const dir = await tempDir();
  await runCli(['validate', join(live.dir, 'live.json')]);
  const report = join(dir, 'r.json');
  await runCli(['audit', join(live.dir, 'live.json'), '--format', 'json', '--output', report, '--fail-on', 'none']);
  const results = (
    JSON.parse(await readFile(report, 'utf8')) as {
      results: Array<{ checkId: string; status: string; resource: { name?: string } }>;
    }
  ).results;
  const keyResults = results.filter(
    (r) =>
      r.checkId === 'gcp-service-accounts-no-user-managed-keys' &&
      r.resource.name?.endsWith('iam.gserviceaccount.com') &&
      !r.resource.name.includes('@gcp-sa-'),
  );
  t.true(keyResults.length > 0);
  t.true(
    keyResults.every((r) => r.status === 'unknown'),
    JSON.stringify(keyResults),
  );
});

test('429 is retried (Retry-After honoured); throttling past the attempts becomes a gap and 2SV is unknown', async (t) => {
  const fake = await withFake(t, {
    throttle: new Map([
      ['cloudasset.searchAllIamPolicies', 2],
      ['admin.directory.users.list', Number.POSITIVE_INFINITY],
    ]),
  });
  const live = await collect(fake);
  t.is(live.code, 0, live.stderr);
  const gaps = gapsOf(live.snapshot);
  t.falsy(gaps.find((g) => g.what === 'gcp.iam-policy' || g.what === 'gcp.resource-policies'));
  const directory = gaps.find((g) => g.what === 'gcp.directory-users');
  t.truthy(directory);
  t.regex(directory!.reason, /RESOURCE_EXHAUSTED|429/);
  t.regex(directory!.reason, /after retries/);
  t.is(count(fake, 'admin.directory.users.list'), 3);
  t.true(live.snapshot.principals.filter((p) => p.kind === 'user').every((p) => p.mfa === undefined));
});

test('a 429 with Retry-After is waited out as asked on every Google client path, not retried at once', async (t) => {
  const ids = [
    'cloudasset.searchAllIamPolicies',
    'admin.directory.users.list',
    'iam.serviceAccounts.list',
    'iam.policies.list',
    'cloudresourcemanager.projects.search',
  ];
  const fake = await withFake(t, { throttle: new Map(ids.map((id) => [id, 1])), retryAfter: 1 });
  const live = await collect(fake);
  t.is(live.code, 0, live.stderr);
  for (const id of ids) {
    // The first throttled request and the retry of the same path: the server saw them at least Retry-After apart.
    const first = fake.calls.find((c) => c.id === id)!;
    const retry = fake.calls.find((c) => c !== first && c.id === id && c.path === first.path)!;
    t.truthy(retry, `${id} was retried`);
    t.true(
      retry.at - first.at >= 1000,
      `${id} retried after ${retry.at - first.at} ms, not the 1000 ms Retry-After asked`,
    );
  }
});

test('every call of a full collect (Cloud Asset or its fallback, and --project) matches a route generated from the specifications', async (t) => {
  const fakes = [await withFake(t), await withFake(t, { assetDisabled: true })];
  await collect(fakes[0]!);
  await collect(fakes[1]!);
  const project = await withFake(t);
  const dir = await tempDir('cloudward-gcp-');
  await runCli(
    [
      'collect',
      'gcp',
      '--project',
      'acme-prod-7781',
      '--endpoint',
      project.url,
      '--collected-at',
      AT,
      '--output',
      join(dir, 'p.json'),
    ],
    { env: fakeEnv(project) },
  );
  for (const fake of [...fakes, project])
    t.deepEqual(fake.unmatched, [], 'no request outside the protos and the discovery document');
  const ids = new Set([...fakes, project].flatMap((f) => f.calls.map((c) => c.id)));
  t.true(ids.size >= 13, [...ids].join(' '));
  const specIds = new Set(GOOGLE.map((r) => r.id));
  for (const op of gcpProvider.operations)
    t.true(specIds.has(op.id), `${op.id} (in \`permissions gcp\`) has no route in test/fixtures/specs/google.json`);
});

test("deny-policy parents are taken as google/api/http.proto decodes them: once-encoded or the client libraries' %252F reach the documented attachment point, a raw slash or a third encoding does not", async (t) => {
  const fake = await withFake(t);
  const get = async (attachment: string) =>
    (
      await fetch(`${fake.url}/v2/policies/${attachment}/denypolicies`, {
        headers: { authorization: 'Bearer fake-access-token' },
      })
    ).status;
  t.is(await get(`cloudresourcemanager.googleapis.com%252Forganizations%252F${ORG}`), 200, 'google-gax form');
  t.is(await get(`cloudresourcemanager.googleapis.com%2Forganizations%2F${ORG}`), 200, 'REST reference form');
  t.is(await get(`cloudresourcemanager.googleapis.com/organizations/${ORG}`), 404);
  t.is(await get(`cloudresourcemanager.googleapis.com%25252Forganizations%25252F${ORG}`), 404);
  t.is(fake.unmatched.length, 1, 'the raw slash matches no template');
});

test('every call the collector makes is declared, and `permissions gcp` lists each permission and the Workspace scope', async (t) => {
  const fake = await withFake(t, { assetDisabled: true });
  await collect(fake);
  const first = await withFake(t);
  await collect(first);
  const ids = [...fake.calls, ...first.calls].map((c) => c.id);
  const declared = new Set(gcpProvider.operations.map((o) => o.id));
  t.deepEqual(
    [...new Set(ids)].filter((id) => !declared.has(id)),
    [],
  );
  const run = await runCli(['permissions', 'gcp']);
  t.is(run.code, 0);
  for (const op of gcpProvider.operations) t.true(run.stdout.includes(op.permission!), op.permission);
  t.regex(run.stdout, /^includedPermissions:$/m);
  t.regex(run.stdout, /admin\.directory\.user\.readonly/);
});

test('without credentials, collect fails with one line and exit 2', async (t) => {
  const run = await runCli(['collect', 'gcp', '--organization', ORG, '--endpoint', 'http://127.0.0.1:9'], {
    env: {
      GOOGLE_APPLICATION_CREDENTIALS: join(ROOT, 'test', 'no-such-file.json'),
      METADATA_SERVER_DETECTION: 'none',
      HOME: '/nonexistent',
    },
  });
  t.is(run.code, 2);
  t.regex(run.stderr, /credentials/);
  t.is(run.stderr.trim().split('\n').length, 1, run.stderr);
});

test('collect without --organization or --project is a usage error', async (t) => {
  const run = await runCli(['collect', 'gcp', '--endpoint', 'http://127.0.0.1:9']);
  t.is(run.code, 2);
  t.regex(run.stderr, /--organization/);
});

test('--project without --organization reads that project alone, its allow policy by getIamPolicy', async (t) => {
  const fake = await withFake(t);
  const dir = await tempDir('cloudward-gcp-');
  const out = join(dir, 'p.json');
  const run = await runCli(
    ['collect', 'gcp', '--project', 'acme-prod-7781', '--endpoint', fake.url, '--collected-at', AT, '--output', out],
    { env: fakeEnv(fake) },
  );
  t.is(run.code, 0, run.stderr);
  const snapshot = JSON.parse(await readFile(out, 'utf8')) as Snapshot;
  t.deepEqual(
    snapshot.sources.map((s) => `${s.scope.kind}/${s.scope.id}`),
    ['project/acme-prod-7781'],
  );
  t.is(count(fake, 'cloudasset.searchAllIamPolicies'), 0);
  t.is(count(fake, 'cloudresourcemanager.projects.getIamPolicy'), 1);
  t.like(
    snapshot.principals.find((p) => p.name === 'ben@acme.com'),
    { scope: { kind: 'project', id: 'acme-prod-7781' }, privilege: { level: 'privileged' } },
  );
  t.truthy(snapshot.principals.find((p) => p.name === 'build@acme-prod-7781.iam.gserviceaccount.com')?.credentials);
});

test('--no-workspace skips the directory and records the gap; --shard is refused with a reason', async (t) => {
  const fake = await withFake(t);
  const live = await collect(fake, ['--no-workspace']);
  t.is(live.code, 0, live.stderr);
  t.is(count(fake, 'admin.directory.users.list'), 0);
  t.truthy(gapsOf(live.snapshot).find((g) => g.what === 'gcp.directory-users' && /--no-workspace/.test(g.reason)));
  const sharded = await runCli(['collect', 'gcp', '--organization', ORG, '--endpoint', fake.url, '--shard', '1/2'], {
    env: fakeEnv(fake),
  });
  t.is(sharded.code, 2);
  t.regex(sharded.stderr, /--shard is not supported by the GCP collector/);
});
