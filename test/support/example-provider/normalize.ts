/** The example normalizer: pure, one bundle at a time. */
import type { Gap, Principal, Role, SnapshotPart } from '../../../src/snapshot/model.js';
import type { RawBundle } from '../../../src/providers/types.js';
import { applyDemoPrivilege, roleLevel } from './privilege.js';

/** A user as `demo:ListUsers` returns it. */
export interface DemoUser {
  id: string;
  name: string;
  mfa: boolean;
  /** Role ids of the project. */
  roles?: string[];
}

/** A role as `demo:ListRoles` returns it. */
export interface DemoRoleDocument {
  id: string;
  title: string;
  permissions: string[];
}

export const roleUid = (project: string, role: string): string => `demo:${project}:role/${role}`;
export const userUid = (project: string, user: string): string => `demo:${project}:user/${user}`;
export const auditControlUid = (project: string): string => `demo:${project}:audit-logging`;

export function normalizeDemo(bundles: RawBundle[]): SnapshotPart {
  const part: SnapshotPart = { sources: [], principals: [], roles: [], controls: [], hosts: [] };
  for (const bundle of bundles) {
    const scope = bundle.scope;
    part.sources.push({
      provider: 'demo',
      scope,
      method: bundle.method,
      collectedAt: bundle.collectedAt,
      gaps: bundle.gaps,
    });
    const body = (kind: string) =>
      bundle.documents.find((d) => d.kind === kind)?.body as Record<string, unknown> | undefined;
    const roleDocuments = body('demo.roles')?.roles as DemoRoleDocument[] | undefined;
    const roles: Role[] = (roleDocuments ?? []).map((r) => ({
      uid: roleUid(scope.id, r.id),
      provider: 'demo',
      scope,
      nativeId: r.id,
      name: r.title,
      builtIn: true,
      permissions: { allow: [...r.permissions].sort(), deny: [] },
      privilege: roleLevel(r.permissions),
    }));
    const levelOf = new Map(roles.map((r) => [r.nativeId, r.privilege.level]));
    const users: Principal[] = ((body('demo.users')?.users as DemoUser[] | undefined) ?? []).map((user) => ({
      uid: userUid(scope.id, user.id),
      provider: 'demo',
      scope,
      nativeId: user.id,
      kind: 'user',
      name: user.name,
      interactive: true,
      mfa: { state: user.mfa ? 'enabled' : 'disabled' },
      assignments: (user.roles ?? []).map((id) => {
        const level = levelOf.get(id);
        return {
          role: roleUid(scope.id, id),
          scope: scope.id,
          mode: 'standing' as const,
          via: 'direct',
          ...(level ? { rolePrivilege: level } : {}),
        };
      }),
    }));
    // Without the roles, what a user may do is not known: no privilege is claimed, and the checks that need
    // demo.roles come out unknown through the gap.
    if (roleDocuments) applyDemoPrivilege(users, roles, bundle.collectedAt);
    part.roles.push(...roles);
    part.principals.push(...users);
    const audit = body('demo.audit-config') as { enabled?: boolean } | undefined;
    part.controls.push({
      uid: auditControlUid(scope.id),
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
