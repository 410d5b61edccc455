/**
 * A test adapter whose sources are of a scope kind no shipped adapter has: Kubernetes clusters (`cluster`). Registered
 * through CLOUDWARD_PROVIDER_MODULES by test/providers/scope-kinds.e2e.test.ts to show that a new provider's scope kinds
 * and OCSF cloud come from its adapter. Import only: a file `{ "cluster": "...", "users": [{ "name", "admin" }] }`.
 */
import { basename } from 'node:path';
import type { ProviderAdapter, RawBundle } from '../../../src/providers/types.js';
import type { SnapshotPart } from '../../../src/snapshot/model.js';
import { readInputText } from '../../../src/util/files.js';

interface ClusterExport {
  cluster: string;
  users: Array<{ name: string; admin: boolean }>;
}

function normalizeClusters(bundles: RawBundle[]): SnapshotPart {
  const part: SnapshotPart = { sources: [], principals: [], roles: [], controls: [], hosts: [] };
  for (const bundle of bundles) {
    const { scope } = bundle;
    part.sources.push({
      provider: 'kube',
      scope,
      method: bundle.method,
      collectedAt: bundle.collectedAt,
      gaps: bundle.gaps,
    });
    const body = bundle.documents[0]!.body as ClusterExport;
    for (const user of body.users) {
      part.principals.push({
        uid: `kube:${scope.id}:user/${user.name}`,
        provider: 'kube',
        scope,
        nativeId: user.name,
        kind: 'user',
        name: user.name,
        privilege: { level: user.admin ? 'admin' : 'none', reasons: user.admin ? ['bound to cluster-admin'] : [] },
      });
    }
  }
  return part;
}

export const clusterAdapter: ProviderAdapter = {
  name: 'kube',
  title: 'Kubernetes clusters (test adapter)',
  scopeKinds: ['cluster'],
  gapTopics: { 'kube.bindings': 'the cluster role bindings' },
  operations: [],
  ocsfCloudProvider: 'Kubernetes',
  collectOptions: [],
  importFiles: async (paths, context) =>
    Promise.all(
      paths.map(async (path) => {
        const body = JSON.parse(await readInputText(path, 'cluster export')) as ClusterExport;
        return {
          provider: 'kube',
          scope: { kind: 'cluster', id: body.cluster },
          method: 'import',
          collectedAt: context.collectedAt ?? '2026-11-01T09:00:00Z',
          documents: [{ kind: 'kube.export', origin: basename(path), body }],
          gaps: [],
        } satisfies RawBundle;
      }),
    ),
  normalize: normalizeClusters,
  permissions: () => ({ format: 'text', text: 'none: import only\n' }),
};

export default clusterAdapter;
