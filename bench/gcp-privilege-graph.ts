/**
 * Privilege-graph benchmark for Google Cloud: the GCP normalizer (which builds the escalation graph) on one synthetic
 * organization of N principals: 80% users, 20% service accounts, spread over N/500 projects, with token creators,
 * Service Account Users with and without a way to run code, Deployment Manager editors, key admins on single
 * accounts, disabled accounts and projects that block key creation. Times the whole normalize (CPU time, median of
 * runs) and counts the principals with a path to admin.
 *
 *   node --import tsx bench/gcp-privilege-graph.ts                          # 10k and 100k principals
 *   node --import tsx bench/gcp-privilege-graph.ts --sizes 1000,10000 --runs 3
 *
 * Prints one JSON line per size and writes bench/out/gcp-privilege-graph.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DocumentKind } from '../src/providers/gcp/documents.js';
import { normalizeGcpBundles } from '../src/providers/gcp/normalize.js';
import type { RawBundle } from '../src/providers/types.js';
import { cpuMs, median } from './cpu-time.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const ORG = '900000000009';

export function syntheticOrganization(principals: number): RawBundle {
  const projects = Math.max(3, Math.round(principals / 500));
  const accounts = Math.round(principals * 0.2);
  const users = principals - accounts;
  const projectId = (p: number) => `bench-p${String(p).padStart(5, '0')}`;
  const number = (p: number) => String(700000000000 + p);
  const saEmail = (j: number) => `sa${j}@${projectId(j % projects)}.iam.gserviceaccount.com`;
  const bindings = Array.from({ length: projects }, () => new Map<string, string[]>());
  const bind = (p: number, role: string, member: string) => {
    const map = bindings[p]!;
    map.set(role, [...(map.get(role) ?? []), member]);
  };
  const saPolicies = new Map<number, Map<string, string[]>>();
  const accountDocs: Array<Record<string, unknown>> = [];
  for (let j = 0; j < accounts; j++) {
    const p = j % projects;
    accountDocs.push({
      email: saEmail(j),
      name: `projects/${projectId(p)}/serviceAccounts/${saEmail(j)}`,
      projectId: projectId(p),
      uniqueId: String(1e20 + j),
      ...(j % 11 === 5 ? { disabled: true } : {}),
    });
    bind(p, j < projects ? 'roles/owner' : 'roles/viewer', `serviceAccount:${saEmail(j)}`);
    if (j % 7 === 1)
      saPolicies.set(j, new Map([['roles/iam.serviceAccountKeyAdmin', [`user:u${(j * 13) % users}@bench.example`]]]));
  }
  for (let p = 0; p < projects; p++)
    bind(p, 'roles/editor', `serviceAccount:${number(p)}@cloudservices.gserviceaccount.com`);
  const ROLES = [
    'roles/viewer',
    'roles/iam.serviceAccountTokenCreator',
    'roles/iam.serviceAccountUser',
    'roles/iam.serviceAccountUser',
    'roles/deploymentmanager.editor',
    'roles/storage.objectViewer',
    'roles/viewer',
    'roles/logging.viewer',
    'roles/viewer',
    'roles/browser',
  ];
  for (let i = 0; i < users; i++) {
    const p = i % projects;
    const member = `user:u${i}@bench.example`;
    bind(p, ROLES[i % 10]!, member);
    if (i % 10 === 3) bind(p, 'roles/compute.instanceAdmin.v1', member);
    if (i % 1000 === 0) bind(p, 'roles/resourcemanager.projectIamAdmin', member);
  }
  const results = bindings.map((map, p) => ({
    resource: `//cloudresourcemanager.googleapis.com/projects/${number(p)}`,
    project: `projects/${number(p)}`,
    organization: `organizations/${ORG}`,
    policy: { bindings: [...map].map(([role, members]) => ({ role, members })) },
  }));
  for (const [j, map] of saPolicies)
    results.push({
      resource: `//iam.googleapis.com/projects/${projectId(j % projects)}/serviceAccounts/${1e20 + j}`,
      project: `projects/${number(j % projects)}`,
      organization: `organizations/${ORG}`,
      policy: { bindings: [...map].map(([role, members]) => ({ role, members })) },
    });
  const orgPolicies = Array.from({ length: projects }, (_, p) => p)
    .filter((p) => p % 4 === 0)
    .map((p) => ({
      kind: DocumentKind.orgPolicy,
      origin: 'bench',
      body: {
        name: `projects/${number(p)}/policies/iam.disableServiceAccountKeyCreation`,
        spec: { rules: [{ enforce: true }] },
      },
    }));
  return {
    provider: 'gcp',
    scope: { kind: 'organization', id: ORG },
    method: 'import',
    collectedAt: '2026-11-01T09:00:00Z',
    gaps: [],
    documents: [
      {
        kind: DocumentKind.organizations,
        origin: 'bench',
        body: [{ name: `organizations/${ORG}`, displayName: 'bench.example' }],
      },
      {
        kind: DocumentKind.projects,
        origin: 'bench',
        body: Array.from({ length: projects }, (_, p) => ({
          projectId: projectId(p),
          projectNumber: number(p),
          parent: { type: 'organization', id: ORG },
        })),
      },
      { kind: DocumentKind.assetIamPolicies, origin: 'bench', body: results },
      ...Array.from({ length: projects }, (_, p) => ({
        kind: DocumentKind.serviceAccounts,
        origin: 'bench',
        body: { project: projectId(p), accounts: accountDocs.filter((_, j) => j % projects === p) },
      })),
      ...orgPolicies,
    ],
  };
}

if (process.argv[1]?.endsWith('gcp-privilege-graph.ts')) await main();
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { sizes: { type: 'string', default: '10000,100000' }, runs: { type: 'string', default: '1' } },
  });
  const results: Array<Record<string, number>> = [];
  for (const size of values.sizes!.split(',').map(Number)) {
    const bundle = syntheticOrganization(size);
    const cpu: number[] = [];
    let withPath = 0;
    let admins = 0;
    for (let run = 0; run < Number(values.runs); run++) {
      const started = process.cpuUsage();
      const part = normalizeGcpBundles([bundle]);
      cpu.push(cpuMs(process.cpuUsage(started)));
      withPath = part.principals.filter((p) => p.details?.escalationPath !== undefined).length;
      admins = part.principals.filter((p) => p.privilege?.level === 'admin').length;
    }
    const row = {
      principals: size,
      admins,
      withPath,
      normalizeCpuMs: Math.round(median(cpu)),
      cpuUsPerPrincipal: Math.round((median(cpu) * 1000) / size),
      rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
    };
    results.push(row);
    console.log(JSON.stringify(row));
  }
  if (results.length > 1) {
    const [first, last] = [results[0]!, results.at(-1)!];
    console.log(
      `normalize CPU x${(last.normalizeCpuMs! / first.normalizeCpuMs!).toFixed(1)} for x${(last.principals! / first.principals!).toFixed(0)} principals`,
    );
  }
  await mkdir(join(ROOT, 'bench', 'out'), { recursive: true });
  await writeFile(join(ROOT, 'bench', 'out', 'gcp-privilege-graph.json'), `${JSON.stringify(results, null, 2)}\n`);
}
