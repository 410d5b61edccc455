/**
 * setIamPolicy on the organization, a folder or a project makes an administrator (the end of paths), whether a
 * predefined role or a custom one grants it; on a service account it is an edge to that account.
 */
import test from 'ava';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importGcpFiles } from '../../src/providers/gcp/import.js';
import { normalizeGcpBundles } from '../../src/providers/gcp/normalize.js';

const quiet = { status: () => {}, warn: () => {}, done: () => {} };
const ORG = 'organizations/700000000001';
const sa = (name: string) => `${name}@app-1.iam.gserviceaccount.com`;
const result = (
  resource: string,
  assetType: string,
  bindings: Array<{ role: string; members: string[] }>,
  extra: Record<string, unknown> = {},
) => ({ resource, assetType, organization: ORG, policy: { bindings }, ...extra });

async function snapshot() {
  const dir = await mkdtemp(join(tmpdir(), 'cloudward-setiam-'));
  const files = {
    'asset.search-all-iam-policies.json': [
      result(`//cloudresourcemanager.googleapis.com/${ORG}`, 'cloudresourcemanager.googleapis.com/Organization', [
        { role: 'organizations/700000000001/roles/orgPolicySetter', members: [`serviceAccount:${sa('org-setter')}`] },
      ]),
      result(
        '//cloudresourcemanager.googleapis.com/folders/300',
        'cloudresourcemanager.googleapis.com/Folder',
        [{ role: 'roles/resourcemanager.folderIamAdmin', members: [`serviceAccount:${sa('folder-admin')}`] }],
        { folders: ['folders/300'] },
      ),
      result(
        '//cloudresourcemanager.googleapis.com/projects/800000000001',
        'cloudresourcemanager.googleapis.com/Project',
        [
          { role: 'projects/app-1/roles/x', members: [`serviceAccount:${sa('project-setter')}`] },
          { role: 'roles/iam.serviceAccountTokenCreator', members: ['user:ana@x.example'] },
        ],
        { project: 'projects/800000000001', folders: ['folders/300'] },
      ),
      result(
        `//iam.googleapis.com/projects/app-1/serviceAccounts/${sa('folder-admin')}`,
        'iam.googleapis.com/ServiceAccount',
        [{ role: 'projects/app-1/roles/saSetter', members: ['user:sam@x.example'] }],
        { project: 'projects/800000000001', folders: ['folders/300'] },
      ),
    ],
    'iam.roles.describe.json': {
      roles: [
        {
          name: 'organizations/700000000001/roles/orgPolicySetter',
          includedPermissions: ['resourcemanager.organizations.setIamPolicy'],
        },
        { name: 'projects/app-1/roles/x', includedPermissions: ['resourcemanager.projects.setIamPolicy'] },
        { name: 'projects/app-1/roles/saSetter', includedPermissions: ['iam.serviceAccounts.setIamPolicy'] },
      ],
    },
    'iam.service-accounts.app-1.json': ['org-setter', 'folder-admin', 'project-setter'].map((n, i) => ({
      email: sa(n),
      name: `projects/app-1/serviceAccounts/${sa(n)}`,
      projectId: 'app-1',
      uniqueId: String(900 + i),
    })),
  };
  for (const [name, body] of Object.entries(files)) await writeFile(join(dir, name), JSON.stringify(body));
  return normalizeGcpBundles(
    await importGcpFiles(
      Object.keys(files).map((f) => join(dir, f)),
      { options: {}, progress: quiet, collectedAt: '2026-11-01T09:00:00Z' },
    ),
  );
}

test('setIamPolicy on the organization, a folder or a project is admin; on a service account it is an edge to it', async (t) => {
  const part = await snapshot();
  const of = (name: string) => part.principals.find((p) => p.name === name)!;
  const pathText = (name: string) => (of(name).details?.escalationPath as { text: string } | undefined)?.text;
  for (const name of ['org-setter', 'folder-admin', 'project-setter'].map(sa)) {
    t.is(of(name).privilege?.level, 'admin', name);
    t.is(of(name).details?.escalationPath, undefined, name);
  }
  t.is(
    pathText('sam@x.example'),
    `sam@x.example -> iam.serviceAccounts.setIamPolicy on ${sa('folder-admin')} -> admin`,
  );
  // Token Creator on the project reaches each administrator account in it; the first by name is the evidence.
  t.regex(
    pathText('ana@x.example') ?? '',
    /^ana@x\.example -> iam\.serviceAccounts\.getAccessToken on projects\/app-1 \(as [a-z-]+@app-1\.iam\.gserviceaccount\.com\) -> admin$/,
  );
});
