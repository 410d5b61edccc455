import test from 'ava';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { relativeItemOrigins } from '../../src/providers/cloud/ledger.js';
import { importGcpFiles } from '../../src/providers/gcp/import.js';
import { denyForms, isServiceAgent, parseMember } from '../../src/providers/gcp/members.js';
import { conditionExpiry, normalizeGcpBundles } from '../../src/providers/gcp/normalize.js';
import { judgeRole, v1Permission } from '../../src/providers/gcp/privilege.js';
import type { Principal, SnapshotPart } from '../../src/snapshot/model.js';
import { fixture, ROOT, runCli } from '../helpers/cli.js';

const quiet = { status: () => {}, warn: () => {}, done: () => {} };
const FIXTURES = fixture('gcp');

async function importFixtures(options: Record<string, unknown> = {}): Promise<SnapshotPart> {
  const files = (await readdir(FIXTURES)).filter((f) => f.endsWith('.json')).map((f) => join(FIXTURES, f));
  const bundles = await importGcpFiles(files, { options, progress: quiet, collectedAt: '2026-11-01T09:00:00Z' });
  return normalizeGcpBundles(bundles);
}

const byName = (part: SnapshotPart, name: string): Principal => {
  const found = part.principals.find((p) => p.name === name);
  if (!found) throw new Error(`no principal ${name}`);
  return found;
};

test('members of every form become principals of the right kind', (t) => {
  t.like(parseMember('user:Ana@Acme.com'), { kind: 'user', name: 'ana@acme.com', memberType: 'user' });
  t.like(parseMember('group:devs@acme.com'), { kind: 'group', memberType: 'group' });
  t.like(parseMember('serviceAccount:x@p-1234.iam.gserviceaccount.com'), { kind: 'serviceAccount' });
  t.like(parseMember('domain:acme.com'), { kind: 'group', name: 'domain:acme.com' });
  t.like(parseMember('principal://iam.googleapis.com/locations/global/workforcePools/p/subject/kim'), {
    kind: 'user',
    memberType: 'workforce-identity',
  });
  t.like(parseMember('principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/gh/*'), {
    kind: 'group',
    memberType: 'principal-set',
  });
  t.like(parseMember('allUsers'), { kind: 'group', public: true });
  t.like(parseMember('allAuthenticatedUsers'), { public: true });
  t.like(parseMember('deleted:serviceAccount:old@p-1234.iam.gserviceaccount.com?uid=123'), {
    kind: 'serviceAccount',
    deleted: true,
    name: 'old@p-1234.iam.gserviceaccount.com',
  });
  t.is(parseMember('nonsense'), undefined);
  t.true(denyForms(parseMember('group:c@acme.com')!).includes('principalSet://goog/group/c@acme.com'));
});

test('Google-managed service agents are told apart from user-managed and default service accounts', (t) => {
  t.true(isServiceAgent('service-123@gcp-sa-pubsub.iam.gserviceaccount.com'));
  t.true(isServiceAgent('123@cloudservices.gserviceaccount.com'));
  t.true(isServiceAgent('123@cloudbuild.gserviceaccount.com'));
  t.false(isServiceAgent('etl@acme-data-2203.iam.gserviceaccount.com'));
  t.false(isServiceAgent('123-compute@developer.gserviceaccount.com'));
  t.false(isServiceAgent('acme@appspot.gserviceaccount.com'));
});

test('time-bound conditions are read with either quote; other conditions are not time-bound', (t) => {
  t.is(conditionExpiry('request.time < timestamp("2026-12-01T00:00:00Z")'), '2026-12-01T00:00:00Z');
  t.is(
    conditionExpiry("request.time < timestamp('2026-12-01T00:00:00.000Z') && resource.type == 'x'"),
    '2026-12-01T00:00:00Z',
  );
  t.is(conditionExpiry('request.time < timestamp("2026-12-01T00:00:00Z") || true'), undefined);
  t.is(conditionExpiry('resource.name.startsWith("projects/x")'), undefined);
});

test('roles are judged by name, and custom roles by their permissions, with reasons', (t) => {
  t.is(judgeRole('roles/owner', undefined).privilege.level, 'admin');
  t.is(judgeRole('roles/iam.serviceAccountUser', undefined).privilege.level, 'privileged');
  t.is(judgeRole('roles/viewer', undefined).privilege.level, 'none');
  const custom = judgeRole('projects/p/roles/x', ['iam.serviceAccounts.actAs', 'storage.objects.get']);
  t.is(custom.privilege.level, 'privileged');
  t.regex(custom.privilege.reasons[0]!, /impersonate service accounts \(iam\.serviceAccounts\.actAs\)/);
  t.is(judgeRole('organizations/1/roles/x', ['resourcemanager.organizations.setIamPolicy']).privilege.level, 'admin');
  t.false(judgeRole('projects/p/roles/unread', undefined).known);
  t.is(
    v1Permission('cloudresourcemanager.googleapis.com/projects.setIamPolicy'),
    'resourcemanager.projects.setIamPolicy',
  );
});

test('bindings keep their scope, conditions and mode; an expired binding grants nothing', async (t) => {
  const part = await importFixtures();
  const oncall = byName(part, 'oncall@solo.dev');
  t.like(oncall.assignments![0], {
    scope: 'projects/solo-app',
    mode: 'active-jit',
    expiresAt: '2026-12-01T00:00:00Z',
    rolePrivilege: 'admin',
  });
  const former = byName(part, 'former@solo.dev');
  t.deepEqual(former.assignments, []);
  t.is(former.details?.expiredBindings, 1);
  t.is(former.privilege?.level, 'none');
  const runner = byName(part, 'runner@solo-app.iam.gserviceaccount.com');
  t.like(runner.assignments![0], {
    mode: 'standing',
    condition: 'resource.name.startsWith("projects/solo-app/buckets/tmp")',
  });
  t.like(byName(part, 'root@solo.dev').assignments![0], {
    scope: 'organizations/111111111111',
    rolePrivilege: 'admin',
  });
  t.like(byName(part, 'allUsers'), { details: { public: true } });
  t.is(byName(part, 'allUsers').assignments![0]!.scope, '//storage.googleapis.com/solo-logs');
  t.like(byName(part, 'gone@solo.dev'), { enabled: false, details: { deleted: true } });
});

test('a deny policy that covers what makes a role privileged narrows the grant, and says so', async (t) => {
  const minter = byName(await importFixtures(), 'minter@solo-app.iam.gserviceaccount.com');
  t.is(minter.assignments![0]!.rolePrivilege, 'none');
  t.is(minter.privilege?.level, 'none');
  t.regex(minter.privilege!.reasons[0]!, /narrowed by deny policy no key minting/);
});

test("a custom role whose permissions were not read leaves its holder's privilege unknown, not none", async (t) => {
  const part = await importFixtures();
  const mystery = byName(part, 'mystery@solo-app.iam.gserviceaccount.com');
  t.is(mystery.privilege, undefined);
  t.is(mystery.assignments![0]!.rolePrivilege, undefined);
  t.like(byName(part, 'service-123@gcp-sa-pubsub.iam.gserviceaccount.com'), { details: { serviceAgent: true } });
});

test('what the files do not cover becomes gaps, not passes', async (t) => {
  const part = await importFixtures();
  const gaps = part.sources.flatMap((s) => s.gaps.map((g) => g.what));
  for (const topic of [
    'gcp.directory-users',
    'gcp.service-accounts',
    'gcp.service-account-keys',
    'gcp.org-policy',
    'gcp.roles',
  ].filter((x) => x !== 'gcp.roles'))
    t.true(gaps.includes(topic), topic);
  t.is(part.sources[0]!.scope.id, '111111111111');
  t.like(
    part.controls.find((c) => c.type === 'audit-logging' && c.scope.id === 'solo-app'),
    { settings: { logTypes: ['ADMIN_READ', 'DATA_READ', 'DATA_WRITE'], setOn: ['organizations/111111111111'] } },
  );
});

test("the example organization's exports decide every GCP check on real data", async (t) => {
  const dir = join(ROOT, 'examples', 'acme', 'raw', 'gcp');
  const files = (await readdir(dir)).map((f) => join(dir, f));
  const run = await runCli(['import', 'gcp', ...files, '--collected-at', '2026-11-01T09:00:00Z', '-q']);
  t.is(run.code, 0, run.stderr);
  const { mkdtemp, writeFile, readFile } = await import('node:fs/promises');
  const tmp = await mkdtemp(join((await import('node:os')).tmpdir(), 'gcp-'));
  await writeFile(join(tmp, 's.json'), run.stdout);
  const audit = await runCli([
    'audit',
    join(tmp, 's.json'),
    '--format',
    'json',
    '--output',
    join(tmp, 'r.json'),
    '--fail-on',
    'none',
  ]);
  t.is(audit.code, 0, audit.stderr);
  const results = (
    JSON.parse(await readFile(join(tmp, 'r.json'), 'utf8')) as {
      results: Array<{ checkId: string; status: string; resource: { name?: string; uid: string } }>;
    }
  ).results;
  const status = (id: string, name: string) =>
    results.find((r) => r.checkId === id && (r.resource.name === name || r.resource.uid === name))?.status;
  t.is(status('gcp-users-2sv-enrolled', 'ben@acme.com'), 'fail');
  t.is(status('gcp-admins-2sv-enforced', 'ana@acme.com'), 'pass');
  t.is(status('gcp-service-accounts-not-admin', 'etl@acme-data-2203.iam.gserviceaccount.com'), 'fail');
  t.is(status('gcp-service-accounts-not-admin', '771182340011@cloudservices.gserviceaccount.com'), undefined);
  t.is(status('gcp-service-account-keys-rotated', 'etl@acme-data-2203.iam.gserviceaccount.com'), 'fail');
  t.is(
    status('gcp-service-accounts-no-user-managed-keys', 'legacy-sync@acme-data-2203.iam.gserviceaccount.com'),
    'pass',
  );
  t.is(status('gcp-org-policy-disable-sa-key-creation', 'gcp:organization/408813245716'), 'fail');
  t.is(status('gcp-domain-restricted-sharing', 'gcp:project/acme-data-2203'), 'fail');
  t.is(status('gcp-domain-restricted-sharing', 'gcp:project/acme-prod-7781'), 'pass');
  t.is(status('gcp-no-public-principals', 'allUsers'), 'fail');
  t.is(status('gcp-privileged-bindings-time-bound', 'dee@acme.com'), 'pass');
  t.is(status('gcp-privileged-bindings-time-bound', 'ana@acme.com'), 'fail');
  t.is(status('gcp-no-sa-user-or-token-creator-on-hierarchy', 'dee@acme.com'), 'fail');
  t.is(status('gcp-audit-logging-all-services', 'gcp:project/acme-prod-7781'), 'pass');
  t.is(status('gcp-audit-logging-all-services', 'gcp:project/acme-data-2203'), 'fail');
  t.is(status('gcp-cloud-shell-restricted', 'gcp:408813245716:cloudShell'), 'unknown');
  t.is(status('gcp-no-basic-roles-for-users', 'ben@acme.com'), 'fail');
  t.is(status('gcp-sa-admin-separation-of-duties', 'ben@acme.com'), 'pass');
});

const BAD = (name: string) => fixture('gcp', 'bad', name);

for (const [name, pattern] of [
  ['malformed.json', /malformed\.json:4:\d+: malformed GCP export JSON/],
  ['unknown-shape.json', /unrecognised GCP document/],
  ['iam-policy.json', /does not say which resource.*projects\.<project-id>\.get-iam-policy\.json/],
  ['gcloud-error.txt', /holds a gcloud error/],
  ['projects.solo-app.get-iam-policy.json', /members.*must be a list of strings/],
] as const) {
  test(`import of bad input ${name} is one line and exit 2`, async (t) => {
    const run = await runCli(['import', 'gcp', BAD(name), '--collected-at', '2026-11-01T09:00:00Z']);
    t.is(run.code, 2);
    t.regex(run.stderr, pattern);
    t.is(run.stderr.trim().split('\n').length, 1, run.stderr);
    t.is(run.stdout, '');
  });
}

test('import without a date or an organization says how to give them', async (t) => {
  const noDate = await runCli(['import', 'gcp', join(FIXTURES, 'organizations.111111111111.get-iam-policy.json')]);
  t.is(noDate.code, 2);
  t.regex(noDate.stderr, /--collected-at/);
  const noOrg = await runCli([
    'import',
    'gcp',
    join(FIXTURES, 'projects.solo-app.get-iam-policy.json'),
    '--collected-at',
    '2026-11-01T09:00:00Z',
  ]);
  t.is(noOrg.code, 2);
  t.regex(noOrg.stderr, /--organization/);
  const project = await runCli([
    'import',
    'gcp',
    join(FIXTURES, 'projects.solo-app.get-iam-policy.json'),
    '--project',
    'solo-app',
    '--collected-at',
    '2026-11-01T09:00:00Z',
    '-q',
  ]);
  t.is(project.code, 0, project.stderr);
});

test('the Acme example exports reproduce examples/acme/parts/gcp.json', async (t) => {
  const { readFile } = await import('node:fs/promises');
  const dir = join(ROOT, 'examples', 'acme', 'raw', 'gcp');
  const files = (await readdir(dir)).map((f) => join(dir, f));
  const part = normalizeGcpBundles(
    await importGcpFiles(files, { options: {}, progress: quiet, collectedAt: '2026-11-01T09:00:00Z' }),
  );
  relativeItemOrigins(part.sources, files);
  const committed = JSON.parse(
    await readFile(join(ROOT, 'examples', 'acme', 'parts', 'gcp.json'), 'utf8'),
  ) as SnapshotPart;
  const hint =
    'regenerate with `cloudward import gcp examples/acme/raw/gcp/*.json --collected-at 2026-11-01T09:00:00Z -o examples/acme/parts/gcp.json` and `npm run example:build`';
  for (const kind of ['sources', 'principals', 'roles', 'controls'] as const)
    t.deepEqual(JSON.parse(JSON.stringify(part[kind])), committed[kind], `${kind}: ${hint}`);
});
