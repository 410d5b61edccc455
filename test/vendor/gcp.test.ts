import test from 'ava';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importGcpFiles } from '../../src/providers/gcp/import.js';
import { normalizeGcpBundles } from '../../src/providers/gcp/normalize.js';
import type { SnapshotPart } from '../../src/snapshot/model.js';
import { runCli } from '../helpers/cli.js';
import { protoComments, protoJsonExample, vendorFile } from './extract.js';

/**
 * Google's API protos (test/fixtures/vendor/gcp/googleapis, unchanged; provenance in the README there): the JSON
 * examples and documented name forms in their comments, saved as a user would save an API response.
 */
const proto = (path: string) => vendorFile('gcp', 'googleapis', path);
const quiet = { status: () => {}, warn: () => {} };
const AT = '2026-11-01T09:00:00Z';

async function imported(
  t: { teardown: (fn: () => Promise<void>) => void },
  documents: Record<string, unknown>,
  options: Record<string, unknown>,
): Promise<{ part: SnapshotPart; paths: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'cloudward-vendor-gcp-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const paths: string[] = [];
  for (const [name, body] of Object.entries(documents)) {
    paths.push(join(dir, name));
    await writeFile(join(dir, name), JSON.stringify(body, null, 2));
  }
  return {
    part: normalizeGcpBundles(await importGcpFiles(paths, { options, progress: quiet, collectedAt: AT })),
    paths,
  };
}

test("policy.proto's JSON example of an allow policy: five grants read and used; the expired condition grants nothing", async (t) => {
  const policy = protoJsonExample(proto('google/iam/v1/policy.proto'), '**JSON example:**');
  const { part } = await imported(t, { 'organizations.123456789012.get-iam-policy.json': policy }, {});
  t.like(part.sources[0]!.items![0], { read: 5, used: 5 });
  t.is(part.sources[0]!.items![0]!.dropped, undefined);
  const byName = new Map(part.principals.map((p) => [p.name, p]));
  t.deepEqual([...byName.keys()].sort(), [
    'admins@example.com',
    'domain:google.com',
    'eve@example.com',
    'mike@example.com',
    'my-project-id@appspot.gserviceaccount.com',
  ]);
  t.like(byName.get('mike@example.com')!.assignments![0], {
    role: 'gcp:123456789012:roles/resourcemanager.organizationAdmin',
    scope: 'organizations/123456789012',
    mode: 'standing',
  });
  // "Does not grant access after Sep 2020": judged against the snapshot time, it grants nothing.
  t.like(byName.get('eve@example.com'), { assignments: [], details: { expiredBindings: 1 } });
  t.like(byName.get('my-project-id@appspot.gserviceaccount.com'), {
    kind: 'serviceAccount',
    details: { defaultServiceAccount: true, serviceAgent: false },
  });
});

test("policy.proto's AuditConfig example is in proto field names (audit_configs), which no API returns: refused in one line", async (t) => {
  const example = protoJsonExample(proto('google/iam/v1/policy.proto'), 'Example Policy with multiple AuditConfigs:');
  const dir = await mkdtemp(join(tmpdir(), 'cloudward-vendor-gcp-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'audit.json'), JSON.stringify(example));
  const run = await runCli([
    'import',
    'gcp',
    join(dir, 'audit.json'),
    '--organization',
    '123456789012',
    '--collected-at',
    AT,
  ]);
  t.is(run.code, 2);
  t.regex(run.stderr, /unrecognised GCP document \(top-level fields: audit_configs\)/);
  t.is(run.stderr.trim().split('\n').length, 1);
});

test('orgpolicy.proto: every documented policy name form is placed; the project-number form lands on the project known by id', async (t) => {
  const forms = protoComments(proto('google/cloud/orgpolicy/v2/orgpolicy.proto'))
    .map(
      (l) =>
        /^\* `((?:projects|folders|organizations)\/\{[a-z_]+\}\/policies\/\{constraint_name\})`/.exec(l.trim())?.[1],
    )
    .filter((f): f is string => f !== undefined);
  t.deepEqual(forms, [
    'projects/{project_number}/policies/{constraint_name}',
    'folders/{folder_id}/policies/{constraint_name}',
    'organizations/{organization_id}/policies/{constraint_name}',
  ]);
  const ids: Record<string, string> = { '{project_number}': '123', '{folder_id}': '456', '{organization_id}': '789' };
  const documents: Record<string, unknown> = {
    'projects.json': [
      {
        projectId: 'tokyo-rain-123',
        projectNumber: '123',
        lifecycleState: 'ACTIVE',
        parent: { type: 'folder', id: '456' },
      },
    ],
  };
  forms.forEach((form, i) => {
    documents[`policy-${i}.json`] = {
      name: form
        .replace(/\{[a-z_]+\}/, (m) => ids[m]!)
        .replace('{constraint_name}', 'iam.disableServiceAccountKeyCreation'),
      spec: { rules: [{ enforce: true }] },
    };
  });
  const { part } = await imported(t, documents, { organization: '789' });
  const controls = part.controls.filter((c) => c.type === 'org-policy');
  t.deepEqual(controls.map((c) => [c.scope.id, c.settings.resource]).sort(), [
    ['789', 'folders/456'],
    ['789', 'organizations/789'],
    ['tokyo-rain-123', 'projects/tokyo-rain-123'],
  ]);
  for (const account of part.sources[0]!.items!.filter((i) => i.origin.includes('policy-')))
    t.like(account, { read: 1, used: 1 });
  // The proto's own example names a constraint no check reads: skipped, with its name.
  const example = /For example, `(projects\/123\/policies\/[^`]+)`/.exec(
    protoComments(proto('google/cloud/orgpolicy/v2/orgpolicy.proto')).join('\n'),
  )![1]!;
  const other = await imported(
    t,
    {
      'projects.json': documents['projects.json'],
      'example.json': { name: example, spec: { rules: [{ enforce: true }] } },
    },
    { organization: '789' },
  );
  t.like(
    other.part.sources[0]!.items!.find((i) => i.origin.endsWith('example.json')),
    {
      read: 1,
      used: 0,
      skipped: [{ reason: 'constraint compute.disableSerialPortAccess (no check reads it)', count: 1 }],
    },
  );
});

test('iam.proto: a key named with the `-` project wildcard still names its account, which gets the key', async (t) => {
  const form = protoComments(proto('google/iam/admin/v1/iam.proto'))
    .map((l) => /`(projects\/\{PROJECT_ID\}\/serviceAccounts\/\{ACCOUNT\}\/keys\/\{key\})`/.exec(l)?.[1])
    .find((f) => f !== undefined)!;
  t.truthy(form);
  t.true(
    protoComments(proto('google/iam/admin/v1/iam.proto')).some((l) =>
      /Using `-` as a wildcard for the `PROJECT_ID`/.test(l),
    ),
  );
  const name = form
    .replace('{PROJECT_ID}', '-')
    .replace('{ACCOUNT}', 'ci@tokyo-rain-123.iam.gserviceaccount.com')
    .replace('{key}', 'k1');
  const { part } = await imported(
    t,
    {
      'projects.json': [{ projectId: 'tokyo-rain-123', projectNumber: '123', lifecycleState: 'ACTIVE' }],
      'keys.json': { keys: [{ name, keyType: 'USER_MANAGED', validAfterTime: '2026-01-01T00:00:00Z' }] },
    },
    { organization: '789' },
  );
  const ci = part.principals.find((p) => p.name === 'ci@tokyo-rain-123.iam.gserviceaccount.com')!;
  t.like(ci, { scope: { id: 'tokyo-rain-123' }, credentials: [{ id: 'k1', active: true }] });
});

/** The repeated field of a proto list response message (`message ListRolesResponse { repeated Role roles = 1; ...}`). */
function listField(path: string, message: string): string {
  const text = readFileSync(path, 'utf8');
  const body = new RegExp(`message ${message} \\{([^}]*)\\}`).exec(text)?.[1] ?? '';
  const field = /repeated \w+ (\w+) = 1;/.exec(body)?.[1];
  if (!field) throw new Error(`no repeated field in ${message}`);
  return field.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

test('the REST list responses the protos define (accounts, keys, roles, policies) are read as the lists they hold, pages and all', async (t) => {
  const iam = proto('google/iam/admin/v1/iam.proto');
  const fields = {
    accounts: listField(iam, 'ListServiceAccountsResponse'),
    keys: listField(iam, 'ListServiceAccountKeysResponse'),
    roles: listField(iam, 'ListRolesResponse'),
    policies: listField(proto('google/cloud/orgpolicy/v2/orgpolicy.proto'), 'ListPoliciesResponse'),
  };
  t.deepEqual(fields, { accounts: 'accounts', keys: 'keys', roles: 'roles', policies: 'policies' });
  const { part } = await imported(
    t,
    {
      'accounts.json': {
        [fields.accounts]: [
          {
            name: 'projects/tokyo-rain-123/serviceAccounts/ci@tokyo-rain-123.iam.gserviceaccount.com',
            projectId: 'tokyo-rain-123',
            email: 'ci@tokyo-rain-123.iam.gserviceaccount.com',
          },
        ],
        nextPageToken: '',
      },
      'keys.json': {
        [fields.keys]: [
          {
            name: 'projects/tokyo-rain-123/serviceAccounts/ci@tokyo-rain-123.iam.gserviceaccount.com/keys/k1',
            keyType: 'USER_MANAGED',
            validAfterTime: '2026-01-01T00:00:00Z',
          },
        ],
      },
      'roles.json': {
        [fields.roles]: [
          { name: 'projects/tokyo-rain-123/roles/minter', includedPermissions: ['iam.serviceAccountKeys.create'] },
        ],
        nextPageToken: '',
      },
      'policies.json': {
        [fields.policies]: [
          {
            name: 'organizations/789/policies/iam.disableServiceAccountKeyCreation',
            spec: { rules: [{ enforce: true }] },
          },
        ],
      },
    },
    { organization: '789' },
  );
  for (const account of part.sources[0]!.items!) t.like(account, { read: 1, used: 1 }, account.origin);
});
