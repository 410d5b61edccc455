/** The example normalizer: pure, one bundle at a time. */
import type { Gap, SnapshotPart } from '../../../src/snapshot/model.js';
import type { RawBundle } from '../../../src/providers/types.js';

export function normalizeDemo(bundles: RawBundle[]): SnapshotPart {
  const part: SnapshotPart = { sources: [], principals: [], roles: [], controls: [], hosts: [] };
  for (const bundle of bundles) {
    const scope = bundle.scope;
    part.sources.push({ provider: 'demo', scope, method: bundle.method, collectedAt: bundle.collectedAt, gaps: bundle.gaps });
    const users = (bundle.documents.find((d) => d.kind === 'demo.users')?.body as { users?: Array<{ id: string; name: string; mfa: boolean }> } | undefined)?.users ?? [];
    for (const user of users) {
      part.principals.push({ uid: `demo:${scope.id}:user/${user.id}`, provider: 'demo', scope, nativeId: user.id, kind: 'user', name: user.name, interactive: true, mfa: { state: user.mfa ? 'enabled' : 'disabled' } });
    }
    const audit = bundle.documents.find((d) => d.kind === 'demo.audit-config')?.body as { enabled?: boolean } | undefined;
    part.controls.push({
      uid: `demo:${scope.id}:audit-logging`,
      provider: 'demo',
      scope,
      type: 'audit-logging',
      name: `${scope.name ?? scope.id} audit log`,
      state: audit ? (audit.enabled ? 'enabled' : 'disabled') : 'unknown',
      settings: audit ? { enabled: audit.enabled === true } : {},
    });
  }
  return part;
}

/** Gaps kept as `demo.error` documents (import reads them back). */
export function gapsOf(bundle: Pick<RawBundle, 'documents'>): Gap[] {
  return bundle.documents.filter((d) => d.kind === 'demo.error').map((d) => d.body as Gap);
}
