import test from 'ava';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importGcpFiles } from '../../src/providers/gcp/import.js';
import { isServiceAgent } from '../../src/providers/gcp/members.js';
import { normalizeGcpBundles } from '../../src/providers/gcp/normalize.js';
import type { Principal, SnapshotPart } from '../../src/snapshot/model.js';
import { runCli } from '../helpers/cli.js';

const quiet = { status: () => {}, warn: () => {}, done: () => {} };
const AT = '2026-11-01T09:00:00Z';

/** Writes the named documents to a fresh folder and returns their paths. */
async function files(documents: Record<string, unknown>): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'gcp-acct-'));
  const paths: string[] = [];
  for (const [name, body] of Object.entries(documents)) {
    const path = join(dir, name);
    await writeFile(path, JSON.stringify(body, null, 2));
    paths.push(path);
  }
  return paths;
}

async function imported(
  documents: Record<string, unknown>,
  options: Record<string, unknown> = { organization: '555000555000' },
): Promise<SnapshotPart> {
  return normalizeGcpBundles(
    await importGcpFiles(await files(documents), { options, progress: quiet, collectedAt: AT }),
  );
}

const principal = (part: SnapshotPart, name: string): Principal => {
  const found = part.principals.find((p) => p.name === name);
  if (!found) throw new Error(`no principal ${name}`);
  return found;
};

/** A project known by id only (its get-iam-policy file), whose policy holds the Google APIs Service Agent of its number. */
const PROJECT_BY_ID = {
  bindings: [
    { role: 'roles/editor', members: ['serviceAccount:987654321098@cloudservices.gserviceaccount.com'] },
    { role: 'roles/viewer', members: ['user:ops@solo.dev'] },
  ],
  etag: 'BwX1',
  version: 1,
};
const ORG_POLICY_BY_NUMBER = {
  name: 'projects/987654321098/policies/iam.disableServiceAccountKeyCreation',
  spec: { rules: [{ enforce: true }] },
};

test('an effective org policy named by project number lands on the project known by id (number from its service agent)', async (t) => {
  const part = await imported({
    'projects.solo-app.get-iam-policy.json': PROJECT_BY_ID,
    'org-policy.json': ORG_POLICY_BY_NUMBER,
  });
  const control = part.controls.find((c) => c.type === 'org-policy');
  t.like(control, {
    scope: { kind: 'project', id: 'solo-app' },
    settings: { resource: 'projects/solo-app', enforce: true },
  });
  const project = part.sources.find((s) => s.scope.id === 'solo-app')!;
  t.false(
    project.gaps.some((g) => g.what === 'gcp.org-policy'),
    JSON.stringify(project.gaps),
  );
});

test('project numbers are also read from `gcloud projects list`, v3 project names and Cloud Asset resource names', async (t) => {
  const v1 = await imported({
    'projects.json': [{ projectId: 'solo-app', projectNumber: '987654321098', lifecycleState: 'ACTIVE' }],
    'org-policy.json': ORG_POLICY_BY_NUMBER,
  });
  t.is(v1.controls.find((c) => c.type === 'org-policy')?.scope.id, 'solo-app');
  const v3 = await imported({
    'projects.json': {
      projects: [
        { name: 'projects/987654321098', projectId: 'solo-app', parent: 'organizations/555000555000', state: 'ACTIVE' },
      ],
    },
    'org-policy.json': ORG_POLICY_BY_NUMBER,
  });
  t.is(v3.controls.find((c) => c.type === 'org-policy')?.scope.id, 'solo-app');
  const asset = await imported({
    'asset.json': [
      {
        resource: '//iam.googleapis.com/projects/solo-app/serviceAccounts/110011',
        project: 'projects/987654321098',
        organization: 'organizations/555000555000',
        policy: { bindings: [] },
      },
      {
        resource: '//cloudresourcemanager.googleapis.com/projects/987654321098',
        project: 'projects/987654321098',
        organization: 'organizations/555000555000',
        policy: { bindings: [{ role: 'roles/viewer', members: ['user:ops@solo.dev'] }] },
      },
    ],
    'org-policy.json': ORG_POLICY_BY_NUMBER,
  });
  t.deepEqual(
    asset.sources.map((s) => s.scope.id),
    ['555000555000', 'solo-app'],
  );
  t.is(asset.controls.find((c) => c.type === 'org-policy')?.scope.id, 'solo-app');
});

test('an org policy naming a project number nothing ties to an id is dropped with a gap, not credited elsewhere', async (t) => {
  const part = await imported({
    'org-policy.json': {
      ...ORG_POLICY_BY_NUMBER,
      name: 'projects/111222333444/policies/iam.disableServiceAccountKeyCreation',
    },
  });
  t.is(part.controls.filter((c) => c.type === 'org-policy').length, 0);
  const org = part.sources[0]!;
  t.like(
    org.items?.find((i) => i.origin.endsWith('org-policy.json')),
    { read: 1, used: 0, dropped: [{ count: 1, gap: 'gcp.org-policy' }] },
  );
  t.true(org.gaps.some((g) => g.what === 'gcp.org-policy' && /111222333444/.test(g.reason)));
});

test('service-account keys whose account list was not imported land on the account their name gives', async (t) => {
  const part = await imported({
    'projects.solo-app.get-iam-policy.json': PROJECT_BY_ID,
    'keys.json': [
      {
        name: 'projects/solo-app/serviceAccounts/ci@solo-app.iam.gserviceaccount.com/keys/abc123',
        keyType: 'USER_MANAGED',
        validAfterTime: '2024-01-01T00:00:00Z',
        validBeforeTime: '9999-12-31T23:59:59Z',
      },
      {
        name: 'projects/solo-app/serviceAccounts/ci@solo-app.iam.gserviceaccount.com/keys/sys999',
        keyType: 'SYSTEM_MANAGED',
        validAfterTime: '2026-10-01T00:00:00Z',
        validBeforeTime: '2026-10-17T00:00:00Z',
      },
    ],
  });
  const ci = principal(part, 'ci@solo-app.iam.gserviceaccount.com');
  t.like(ci, { scope: { kind: 'project', id: 'solo-app' } });
  t.deepEqual(
    ci.credentials?.map((c) => [c.id, c.active, c.createdAt]),
    [['abc123', true, '2024-01-01T00:00:00Z']],
  );
  t.like(
    part.sources[0]!.items?.find((i) => i.origin.endsWith('keys.json')),
    { read: 2, used: 1, skipped: [{ count: 1 }] },
  );
});

test('every Google-managed service agent domain is an agent, not a user-managed account of a made-up project', (t) => {
  for (const email of [
    'service-123@containerregistry.iam.gserviceaccount.com',
    'service-123@container-analysis.iam.gserviceaccount.com',
    'service-123@serverless-robot-prod.iam.gserviceaccount.com',
    'service-123@service-networking.iam.gserviceaccount.com',
    'service-123@cloud-redis.iam.gserviceaccount.com',
    'service-123@gcp-gae-service.iam.gserviceaccount.com',
    'service-123@artifact-analysis.iam.gserviceaccount.com',
    'service-org-123@gcp-sa-ktd-hpsa.iam.gserviceaccount.com',
    'service-123@some-new-agent.iam.gserviceaccount.com',
  ])
    t.true(isServiceAgent(email), email);
  t.false(isServiceAgent('etl@acme-data-2203.iam.gserviceaccount.com'));
  t.false(isServiceAgent('service-runner@acme-data-2203.iam.gserviceaccount.com'));
});

test('service agents of unlisted domains hold no keys anyone could leak (no unknown key results)', async (t) => {
  const part = await imported({
    'projects.solo-app.get-iam-policy.json': {
      bindings: [
        {
          role: 'roles/containerregistry.ServiceAgent',
          members: ['serviceAccount:service-987654321098@containerregistry.iam.gserviceaccount.com'],
        },
      ],
    },
  });
  const agent = principal(part, 'service-987654321098@containerregistry.iam.gserviceaccount.com');
  t.like(agent, { details: { serviceAgent: true }, credentials: [] });
  t.is(agent.scope.id, '555000555000');
});

test('REST list responses are read like gcloud lists: accounts, roles, keys and policies envelopes', async (t) => {
  const part = await imported({
    'accounts.json': {
      accounts: [
        {
          name: 'projects/solo-app/serviceAccounts/ci@solo-app.iam.gserviceaccount.com',
          projectId: 'solo-app',
          uniqueId: '1',
          email: 'ci@solo-app.iam.gserviceaccount.com',
          disabled: true,
        },
      ],
    },
    'roles.json': {
      roles: [
        {
          name: 'organizations/555000555000/roles/keyAdmin',
          title: 'Key admin',
          includedPermissions: ['iam.serviceAccountKeys.create'],
        },
      ],
    },
    'keys.json': {
      keys: [
        {
          name: 'projects/solo-app/serviceAccounts/ci@solo-app.iam.gserviceaccount.com/keys/k1',
          keyType: 'USER_MANAGED',
          validAfterTime: '2026-01-01T00:00:00Z',
        },
      ],
    },
    'policies.json': {
      policies: [
        {
          name: 'organizations/555000555000/policies/iam.disableServiceAccountKeyUpload',
          spec: { rules: [{ enforce: true }] },
        },
      ],
    },
    'keys.other@solo-app.iam.gserviceaccount.com.json': {},
  });
  t.like(principal(part, 'ci@solo-app.iam.gserviceaccount.com'), { enabled: false, credentials: [{ id: 'k1' }] });
  t.true(
    part.roles.some(
      (r) => r.nativeId === 'organizations/555000555000/roles/keyAdmin' && r.permissions.allow.length === 1,
    ),
  );
  t.true(part.controls.some((c) => c.name === 'iam.disableServiceAccountKeyUpload'));
  t.deepEqual(principal(part, 'other@solo-app.iam.gserviceaccount.com').credentials, []);
});

test('a REST page whose nextPageToken has no following page imported is a gap on its topic', async (t) => {
  const page = {
    accounts: [
      {
        name: 'projects/solo-app/serviceAccounts/ci@solo-app.iam.gserviceaccount.com',
        projectId: 'solo-app',
        email: 'ci@solo-app.iam.gserviceaccount.com',
      },
    ],
    nextPageToken: 'next',
  };
  const part = await imported({ 'accounts.json': page });
  t.true(part.sources[0]!.gaps.some((g) => g.what === 'gcp.service-accounts' && /nextPageToken/.test(g.reason)));
  const both = await imported({
    'accounts-1.json': page,
    'accounts-2.json': {
      accounts: [
        {
          ...page.accounts[0],
          email: 'b@solo-app.iam.gserviceaccount.com',
          name: 'projects/solo-app/serviceAccounts/b@solo-app.iam.gserviceaccount.com',
        },
      ],
    },
  });
  t.false(both.sources[0]!.gaps.some((g) => /nextPageToken/.test(g.reason)));
});

test('an allow-policy member of no known form is dropped with a gap; every item is read = used + skipped + dropped', async (t) => {
  const part = await imported({
    'projects.solo-app.get-iam-policy.json': {
      bindings: [{ role: 'roles/owner', members: ['user:a@solo.dev', 'robot:r2d2'] }],
    },
    'deny.json': [
      {
        name: 'policies/cloudresourcemanager.googleapis.com%2Fprojects%2Fsolo-app/denypolicies/d',
        rules: [
          {
            denyRule: {
              deniedPrincipals: ['principalSet://goog/public:all'],
              deniedPermissions: ['iam.googleapis.com/serviceAccountKeys.create'],
              denialCondition: { expression: 'resource.matchTag("x", "y")' },
            },
          },
        ],
      },
    ],
  });
  const items = part.sources[0]!.items!;
  const policy = items.find((i) => i.origin.endsWith('get-iam-policy.json'))!;
  t.like(policy, { read: 2, used: 1, dropped: [{ count: 1, gap: 'gcp.iam-policy' }] });
  t.like(
    items.find((i) => i.origin.endsWith('deny.json')),
    { read: 1, used: 0, skipped: [{ count: 1 }] },
  );
  for (const i of items)
    t.is(
      i.read,
      i.used + (i.skipped ?? []).reduce((n, r) => n + r.count, 0) + (i.dropped ?? []).reduce((n, r) => n + r.count, 0),
      i.origin,
    );
  t.true(part.sources[0]!.gaps.some((g) => g.what === 'gcp.iam-policy' && /robot:r2d2/.test(g.reason)));
});

test('import prints one line per file and --strict turns any drop into exit 2 with nothing written', async (t) => {
  const paths = await files({
    'projects.solo-app.get-iam-policy.json': {
      bindings: [{ role: 'roles/owner', members: ['user:a@solo.dev', 'robot:r2d2'] }],
    },
  });
  const run = await runCli(['import', 'gcp', ...paths, '--organization', '555000555000', '--collected-at', AT]);
  t.is(run.code, 0, run.stderr);
  t.regex(
    run.stderr,
    /get-iam-policy\.json: 2 read, 1 used, 1 dropped \(1 member "robot:r2d2".*\[gap gcp\.iam-policy\]\)/,
  );
  const snapshot = JSON.parse(run.stdout) as { sources: Array<{ items?: Array<{ origin: string }> }> };
  t.is(snapshot.sources[0]!.items![0]!.origin, 'projects.solo-app.get-iam-policy.json');
  const strict = await runCli([
    'import',
    'gcp',
    ...paths,
    '--organization',
    '555000555000',
    '--collected-at',
    AT,
    '--strict',
    '-q',
  ]);
  t.is(strict.code, 2);
  t.is(strict.stdout, '');
  t.is(strict.stderr.trim().split('\n').length, 1, strict.stderr);
  t.regex(strict.stderr, /--strict: 1 drop .*robot:r2d2/);
});

test("a project number two projects' policies both name is tied to neither: the org policy is dropped, not guessed", async (t) => {
  const shared = {
    bindings: [
      {
        role: 'roles/storage.objectViewer',
        members: ['serviceAccount:service-987654321098@gcp-sa-pubsub.iam.gserviceaccount.com'],
      },
    ],
  };
  const part = await imported({
    'projects.solo-app.get-iam-policy.json': shared,
    'projects.solo-web.get-iam-policy.json': shared,
    'org-policy.json': ORG_POLICY_BY_NUMBER,
  });
  t.is(part.controls.filter((c) => c.type === 'org-policy').length, 0);
  t.like(
    part.sources[0]!.items?.find((i) => i.origin.endsWith('org-policy.json')),
    { dropped: [{ gap: 'gcp.org-policy' }] },
  );
  // The Google APIs Service Agent of a project's own number outranks another project's agent granted there.
  const owned = await imported({
    'projects.solo-app.get-iam-policy.json': { bindings: [...PROJECT_BY_ID.bindings, ...shared.bindings] },
    'projects.solo-web.get-iam-policy.json': {
      bindings: [
        { role: 'roles/editor', members: ['serviceAccount:111000111000@cloudservices.gserviceaccount.com'] },
        ...shared.bindings,
      ],
    },
    'org-policy.json': ORG_POLICY_BY_NUMBER,
  });
  t.is(owned.controls.find((c) => c.type === 'org-policy')?.scope.id, 'solo-app');
});
