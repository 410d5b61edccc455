/**
 * What-if cost for Google Cloud: `audit --plan` against a plain `audit` of an organization imported from gcloud
 * exports. The organization has `--projects` projects (default 300) with 5 service accounts and a user-managed key
 * each, a custom role each, effective org policies at the organization and every project, and `--users` directory
 * users (default 20,000, half without 2-Step Verification) bound on the projects round-robin; the plan holds
 * `--changes` resource changes (default 2,000): project members, role bindings, new service accounts with keys,
 * custom-role updates and org policies.
 *
 *   node --import tsx bench/whatif-gcp.ts [--projects 300] [--users 20000] [--changes 2000] [--runs 3]
 *
 * Wall clock and CPU time are both reported: on a shared machine the CPU ratio is the steadier one.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compareWhatIf, option, probedCli, ROOT } from './whatif-runs.js';

const ORG = '100000000001';
const FOLDER = 'folders/300000000001';
const COLLECTED_AT = '2026-11-01T00:00:00Z';

const projectCount = option('projects', 300);
const userCount = option('users', 20_000);
const changeCount = option('changes', 2_000);
const runs = option('runs', 1);

const out = join(ROOT, 'bench', 'out', 'whatif-gcp');
const raw = join(out, 'raw');
const projects = Array.from({ length: projectCount }, (_, i) => ({
  id: `proj-${String(i).padStart(4, '0')}`,
  number: String(200000000000 + i),
}));
const users = Array.from({ length: userCount }, (_, i) => `user${i}@example.com`);
const accounts = (p: string) => Array.from({ length: 5 }, (_, i) => `app${i}@${p}.iam.gserviceaccount.com`);

/** The organization as gcloud and the Admin SDK print it. */
async function writeRaw(): Promise<string[]> {
  await rm(raw, { recursive: true, force: true });
  await mkdir(raw, { recursive: true });
  const files: string[] = [];
  const json = async (name: string, body: unknown) => {
    files.push(join(raw, name));
    await writeFile(join(raw, name), JSON.stringify(body));
  };
  await json('organizations.json', [
    {
      name: `organizations/${ORG}`,
      displayName: 'example.com',
      lifecycleState: 'ACTIVE',
      owner: { directoryCustomerId: 'C0bench' },
    },
  ]);
  await json('resource-manager.folders.json', [
    { name: FOLDER, displayName: 'all', parent: `organizations/${ORG}`, lifecycleState: 'ACTIVE' },
  ]);
  await json(
    'projects.json',
    projects.map((p) => ({
      projectId: p.id,
      projectNumber: p.number,
      name: p.id,
      parent: { type: 'folder', id: FOLDER.split('/')[1] },
      lifecycleState: 'ACTIVE',
    })),
  );
  const members = new Map<string, string[]>(projects.map((p) => [p.id, []]));
  users.forEach((u, i) => members.get(projects[i % projectCount]!.id)!.push(`user:${u}`));
  await json('asset.search-all-iam-policies.json', [
    {
      resource: `//cloudresourcemanager.googleapis.com/organizations/${ORG}`,
      assetType: 'cloudresourcemanager.googleapis.com/Organization',
      organization: `organizations/${ORG}`,
      policy: {
        bindings: [{ role: 'roles/owner', members: ['user:user0@example.com'] }],
        auditConfigs: [{ service: 'allServices', auditLogConfigs: [{ logType: 'ADMIN_READ' }] }],
      },
    },
    ...projects.map((p) => ({
      resource: `//cloudresourcemanager.googleapis.com/projects/${p.number}`,
      assetType: 'cloudresourcemanager.googleapis.com/Project',
      project: `projects/${p.number}`,
      folders: [FOLDER],
      organization: `organizations/${ORG}`,
      policy: {
        bindings: [
          { role: 'roles/viewer', members: members.get(p.id)! },
          { role: `projects/${p.id}/roles/runner`, members: accounts(p.id).map((a) => `serviceAccount:${a}`) },
          { role: 'roles/editor', members: [`serviceAccount:${accounts(p.id)[0]}`] },
        ],
      },
    })),
  ]);
  await json('admin.directory.users.json', {
    kind: 'admin#directory#users',
    users: users.map((u, i) => ({
      primaryEmail: u,
      id: String(1e14 + i),
      isAdmin: i === 0,
      isEnrolledIn2Sv: i % 2 === 0,
      isEnforcedIn2Sv: i % 4 === 0,
      suspended: false,
      lastLoginTime: '2026-10-20T00:00:00.000Z',
      creationTime: '2024-01-01T00:00:00.000Z',
    })),
  });
  for (const p of projects) {
    await json(
      `iam.service-accounts.${p.id}.json`,
      accounts(p.id).map((email, i) => ({
        email,
        name: `projects/${p.id}/serviceAccounts/${email}`,
        projectId: p.id,
        uniqueId: `1${p.number}${i}`,
        displayName: `app ${i}`,
      })),
    );
    await json(`iam.roles.describe.${p.id}.runner.json`, {
      name: `projects/${p.id}/roles/runner`,
      title: 'Runner',
      includedPermissions: ['run.services.get', 'storage.objects.get'],
      stage: 'GA',
    });
    for (const email of accounts(p.id)) {
      await json(`iam.service-accounts.keys.${email}.json`, [
        {
          name: `projects/${p.id}/serviceAccounts/${email}/keys/k${p.number}`,
          keyType: 'USER_MANAGED',
          keyOrigin: 'GOOGLE_PROVIDED',
          keyAlgorithm: 'KEY_ALG_RSA_2048',
          validAfterTime: '2026-06-01T00:00:00Z',
          validBeforeTime: '9999-12-31T23:59:59Z',
        },
      ]);
    }
    await json(`org-policies.projects.${p.id}.iam.allowedPolicyMemberDomains.json`, {
      name: `projects/${p.number}/policies/iam.allowedPolicyMemberDomains`,
      spec: { rules: [{ values: { allowedValues: ['C0bench'] } }] },
    });
  }
  await json(`org-policies.organizations.${ORG}.iam.allowedPolicyMemberDomains.json`, {
    name: `organizations/${ORG}/policies/iam.allowedPolicyMemberDomains`,
    spec: { rules: [{ values: { allowedValues: ['C0bench'] } }] },
  });
  await json(`org-policies.organizations.${ORG}.iam.disableServiceAccountKeyCreation.json`, {
    name: `organizations/${ORG}/policies/iam.disableServiceAccountKeyCreation`,
    spec: { rules: [{ enforce: true }] },
  });
  return files;
}

/** Changes in the proportions of a large IAM pull request. */
function planDocument(): Record<string, unknown> {
  const changes: unknown[] = [];
  const config: unknown[] = [];
  const google = 'registry.terraform.io/hashicorp/google';
  const add = (
    type: string,
    name: string,
    actions: string[],
    before: unknown,
    after: unknown,
    unknown: Record<string, unknown> = {},
    expressions: Record<string, unknown> = {},
  ) => {
    changes.push({
      address: `${type}.${name}`,
      mode: 'managed',
      type,
      name,
      provider_name: google,
      change: {
        actions,
        before,
        after,
        after_unknown: unknown,
        before_sensitive: before ? {} : false,
        after_sensitive: after ? {} : false,
      },
    });
    config.push({
      address: `${type}.${name}`,
      mode: 'managed',
      type,
      name,
      provider_config_key: 'google',
      expressions,
      schema_version: 0,
    });
  };
  for (let i = 0; changes.length < changeCount; i++) {
    const p = projects[i % projectCount]!.id;
    const user = `user:${users[(i * 7) % userCount]}`;
    switch (i % 8) {
      case 0:
      case 1:
      case 2:
        add(
          'google_project_iam_member',
          `m${i}`,
          ['create'],
          null,
          { project: p, role: i % 40 === 0 ? 'roles/owner' : 'roles/browser', member: user, condition: [] },
          { etag: true, id: true },
        );
        break;
      case 3:
        add(
          'google_project_iam_binding',
          `b${i}`,
          ['create'],
          null,
          { project: p, role: 'roles/logging.viewer', members: [user], condition: [] },
          { etag: true, id: true },
        );
        break;
      case 4:
        add(
          'google_service_account',
          `sa${i}`,
          ['create'],
          null,
          { account_id: `new-${i}`, project: p, display_name: `new ${i}`, disabled: false },
          { email: true, id: true, member: true, name: true, unique_id: true },
        );
        break;
      case 5:
        add(
          'google_service_account_key',
          `key${i}`,
          ['create'],
          null,
          { key_algorithm: 'KEY_ALG_RSA_2048' },
          { service_account_id: true, id: true, name: true, private_key: true, valid_after: true, valid_before: true },
          {
            service_account_id: {
              references: [`google_service_account.sa${i - 1}.name`, `google_service_account.sa${i - 1}`],
            },
          },
        );
        break;
      case 6:
        add(
          'google_project_iam_custom_role',
          `role${i}`,
          ['update'],
          { project: p, role_id: 'runner', permissions: ['run.services.get', 'storage.objects.get'] },
          {
            project: p,
            role_id: 'runner',
            title: 'Runner',
            permissions: ['run.services.get', 'storage.objects.get', 'storage.objects.list'],
            stage: 'GA',
          },
        );
        break;
      default:
        add(
          'google_org_policy_policy',
          `op${i}`,
          ['create'],
          null,
          {
            name: `projects/${p}/policies/iam.disableServiceAccountKeyCreation`,
            parent: `projects/${p}`,
            spec: [{ rules: [{ enforce: 'TRUE' }] }],
          },
          { etag: true, id: true },
        );
        break;
    }
  }
  return {
    format_version: '1.2',
    terraform_version: '1.9.8',
    planned_values: { root_module: {} },
    resource_changes: changes,
    configuration: {
      provider_config: {
        google: { name: 'google', full_name: google, expressions: { project: { constant_value: projects[0]!.id } } },
      },
      root_module: { resources: config },
    },
    applyable: true,
    complete: true,
    errored: false,
  };
}

await mkdir(out, { recursive: true });
process.stderr.write(`writing an organization of ${projectCount} projects and ${userCount} users...\n`);
const files = await writeRaw();
const snapshot = join(out, 'gcp.json');
const imported = probedCli(
  ['import', 'gcp', ...files, '--collected-at', COLLECTED_AT, '--output', snapshot, '--quiet'],
  out,
);
if (imported.code !== 0) throw new Error(imported.stderr);
await writeFile(join(out, 'plan.json'), JSON.stringify(planDocument()));

await compareWhatIf({
  tenant: snapshot,
  plan: join(out, 'plan.json'),
  raw,
  out,
  runs,
  result: join(ROOT, 'bench', 'out', 'whatif-gcp.json'),
  facts: { projects: projectCount, users: userCount, changes: changeCount },
});
