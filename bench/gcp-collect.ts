/**
 * API calls of `cloudward collect gcp` against the fake Google REST server, for organizations of 3 and 300 projects
 * with 50 and 5,000 members, through Cloud Asset Inventory and through the resource-manager fallback. Allow
 * policies through Cloud Asset cost one call per page of results (500 per page), whatever the number of projects;
 * the fallback costs one getIamPolicy per organization, folder and project. The per-project reads (service
 * accounts, keys, custom roles, deny policies, effective org policies) are listed apart.
 *
 *   node --import tsx bench/gcp-collect.ts
 */
import { collectGcp } from '../src/providers/gcp/collect.js';
import { fakeEnv, startFakeGcp, type GcpTenant } from '../test/support/fake-gcp.js';

type Json = Record<string, unknown>;

/** A synthetic organization: `projects` projects in one folder, `members` users bound round-robin on projects. */
function syntheticTenant(projects: number, members: number): GcpTenant {
  const org = '100000000001';
  const ids = Array.from({ length: projects }, (_, i) => ({
    projectId: `proj-${String(i).padStart(4, '0')}`,
    projectNumber: String(200000000000 + i),
  }));
  const users = Array.from({ length: members }, (_, i) => `user${i}@example.com`);
  const byProject = new Map<string, string[]>(ids.map((p) => [p.projectId, []]));
  users.forEach((u, i) => byProject.get(ids[i % projects]!.projectId)!.push(`user:${u}`));
  const tenant: GcpTenant = {
    org: { id: org, displayName: 'example.com', customerId: 'C0bench' },
    folders: [{ name: 'folders/300000000001', displayName: 'all', parent: `organizations/${org}` }],
    projects: ids.map((p) => ({ ...p, name: p.projectId, parent: 'folders/300000000001' })),
    asset: [
      {
        resource: `//cloudresourcemanager.googleapis.com/organizations/${org}`,
        organization: `organizations/${org}`,
        policy: { bindings: [{ role: 'roles/owner', members: ['user:admin@example.com'] }] },
      },
      ...ids.map((p) => ({
        resource: `//cloudresourcemanager.googleapis.com/projects/${p.projectNumber}`,
        project: `projects/${p.projectNumber}`,
        organization: `organizations/${org}`,
        folders: ['folders/300000000001'],
        policy: {
          bindings: [
            { role: 'roles/viewer', members: byProject.get(p.projectId)! },
            { role: 'roles/editor', members: [`serviceAccount:app@${p.projectId}.iam.gserviceaccount.com`] },
          ],
        },
      })),
    ],
    policies: new Map(),
    deny: new Map(),
    roles: new Map(),
    serviceAccounts: new Map(),
    keys: new Map(),
    orgPolicies: new Map(),
    users: users.map((primaryEmail, i) => ({
      primaryEmail,
      isAdmin: i === 0,
      isEnrolledIn2Sv: i % 2 === 0,
      isEnforcedIn2Sv: false,
      suspended: false,
    })),
  };
  tenant.policies.set(`organizations/${org}`, tenant.asset[0]!.policy as Json);
  tenant.policies.set('folders/300000000001', { bindings: [] });
  for (const p of ids) {
    tenant.policies.set(
      `projects/${p.projectId}`,
      tenant.asset.find((a) => a.project === `projects/${p.projectNumber}`)!.policy as Json,
    );
    const sa = (name: string) => ({
      email: `${name}@${p.projectId}.iam.gserviceaccount.com`,
      name: `projects/${p.projectId}/serviceAccounts/${name}@${p.projectId}.iam.gserviceaccount.com`,
      projectId: p.projectId,
      uniqueId: '1',
    });
    tenant.serviceAccounts.set(p.projectId, [sa('app'), sa('ci')]);
  }
  return tenant;
}

const quiet = { status: () => {}, warn: () => {}, done: () => {} };

async function measure(
  projects: number,
  members: number,
  assetDisabled: boolean,
): Promise<Record<string, number | string>> {
  const fake = await startFakeGcp(syntheticTenant(projects, members), { pageSize: 500, assetDisabled });
  Object.assign(process.env, fakeEnv(fake));
  const started = performance.now();
  const [bundle] = await collectGcp({
    options: { organization: '100000000001', endpoint: fake.url, concurrency: 16, maxAttempts: 3 },
    progress: quiet,
    collectedAt: '2026-11-01T00:00:00Z',
  });
  const ms = Math.round(performance.now() - started);
  await fake.close();
  const by = (test: (id: string) => boolean) => fake.calls.filter((c) => test(c.id)).length;
  return {
    path: assetDisabled ? 'resource-manager' : 'cloud-asset',
    projects,
    members,
    'allow-policy calls': by((id) => id === 'cloudasset.searchAllIamPolicies' || id.endsWith('.getIamPolicy')),
    'directory calls': by((id) => id === 'admin.directory.users.list'),
    'hierarchy calls': by((id) => id.startsWith('cloudresourcemanager.') && !id.endsWith('getIamPolicy')),
    'per-project calls': by((id) => /^(iam|orgpolicy)\./.test(id)),
    'total calls': fake.calls.length,
    documents: bundle!.documents.length,
    'wall ms': ms,
  };
}

const rows: Array<Record<string, number | string>> = [];
for (const assetDisabled of [false, true]) {
  for (const projects of [3, 300])
    for (const members of [50, 5000]) rows.push(await measure(projects, members, assetDisabled));
}
console.table(rows);
