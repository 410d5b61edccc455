/**
 * What-if projection: a Terraform/OpenTofu plan applied to the raw documents the snapshot was made from, and the
 * projected raw documents normalized by the provider's own normalizer into a projected snapshot. Projection only:
 * evaluation, comparison and the gate happen where they always do.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import type { RawBundle } from '../providers/types.js';
import { scopeKey, type ProviderName, type Snapshot, type SnapshotPart } from '../snapshot/model.js';
import { awsProjector, AWS_PROJECTED_TYPES } from './aws/index.js';
import type { Plan } from './plan.js';
import type { ChangeEffect, ChangeNote, ProjectionGap, Projector } from './types.js';

export type { Plan } from './plan.js';
export type { ChangeEffect, ChangeNote, ProjectionGap } from './types.js';
export { loadPlan } from './plan.js';

/** A provider whose projector is not built yet: its IAM changes are listed and make its results unknown. */
function pendingProjector(provider: ProviderName, owns: RegExp, posture: RegExp): Projector {
  return {
    provider,
    owns: (type) => owns.test(type),
    touchesPosture: (type) => posture.test(type),
    supports: () => false,
    project(_plan, changes) {
      const notes: ChangeNote[] = [];
      const gaps: ProjectionGap[] = [];
      for (const change of changes) {
        const inert = change.action === 'no-op' || change.action === 'read' || change.mode === 'data';
        const touches = posture.test(change.type) && !inert;
        const reason = touches ? `projection for ${change.type} not supported` : inert ? undefined : `${change.type} does not change M1026/M1038 posture`;
        notes.push({ address: change.address, type: change.type, action: change.action, outcome: inert ? 'no-op' : touches ? 'unknown' : 'not-projected', ...(reason ? { reason } : {}) });
        if (touches) gaps.push({ address: change.address, reason: reason!, scopes: [provider] });
      }
      return { bundles: [], notes, gaps, effects: () => [] };
    },
  };
}

/** Every provider's projector. A provider adds its own here, beside its adapter in providers/index.ts. */
export const projectors: Projector[] = [
  awsProjector,
  pendingProjector('azure', /^(azurerm|azuread|azapi)_/, /^(azurerm_(role_assignment|role_definition|pim_|user_assigned_identity|monitor_diagnostic_setting|monitor_aad_diagnostic_setting|management_group_policy|subscription_policy|resource_group_policy|policy_)|azuread_)/),
  pendingProjector('gcp', /^google(_beta)?_/, /^google_(.*_iam_(member|binding|policy|custom_role|audit_config)|service_account(_key|_iam_.*)?|org_policy_|organization_policy|project_organization_policy|folder_organization_policy|logging_(organization|folder|project)_sink|iam_)/),
];

/** The resource types each provider projects (for docs and `--help`). */
export const PROJECTED_TYPES: Record<string, string[]> = { aws: AWS_PROJECTED_TYPES, azure: [], gcp: [] };

/** Files under the `--raw` paths (folders are read recursively, in a stable order). */
export async function rawFiles(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  const walk = async (path: string): Promise<void> => {
    let info;
    try {
      info = await stat(path);
    } catch {
      throw new UserError('raw documents not found', { where: path, hint: 'pass the folder `cloudward collect aws --raw-out` wrote, or the AWS CLI exports `import aws` read' });
    }
    if (info.isDirectory()) {
      for (const entry of (await readdir(path)).sort()) await walk(join(path, entry));
    } else if (info.isFile()) out.push(path);
  };
  for (const path of paths) await walk(path);
  return out;
}

/** The outcome of projecting a plan onto a snapshot. */
export interface WhatIfProjection {
  snapshot: Snapshot;
  notes: ChangeNote[];
  gaps: ProjectionGap[];
  effects: ChangeEffect[];
  /** Scope keys whose resources were replaced by the projection. */
  projectedScopes: string[];
}

function sameResources(snapshot: Snapshot, part: SnapshotPart, key: string): string | undefined {
  for (const kind of ['principals', 'roles', 'controls'] as const) {
    const have = new Map<string, string>();
    for (const r of snapshot[kind] as Array<{ uid: string; provider: string; scope: { kind: string; id: string } }>) {
      if (scopeKey(r.provider, r.scope as never) === key) have.set(r.uid, JSON.stringify(r));
    }
    const made = part[kind] as Array<{ uid: string }>;
    for (const r of made) {
      const text = have.get(r.uid);
      if (text === undefined) return `${kind.slice(0, -1)} ${r.uid} is not in the snapshot`;
      if (text !== JSON.stringify(r)) return `${kind.slice(0, -1)} ${r.uid} differs from the snapshot`;
      have.delete(r.uid);
    }
    const extra = have.keys().next();
    if (!extra.done) return `${kind.slice(0, -1)} ${extra.value} of the snapshot is not in the raw documents`;
  }
  return undefined;
}

/**
 * Applies the plan: each change goes to the projector of its provider, the projected raw bundles are normalized by
 * that provider's normalizer, and their resources replace those of the same scopes in a copy of the snapshot. The raw
 * documents must be the ones the snapshot was made from: normalized unchanged, they must give the snapshot's
 * resources of that scope exactly, or this is a UserError.
 */
export async function projectPlan(plan: Plan, snapshot: Snapshot, rawPaths: string[]): Promise<WhatIfProjection> {
  const notes: ChangeNote[] = [];
  const gaps: ProjectionGap[] = [];
  const effects: ChangeEffect[] = [];
  const replaced = new Map<string, SnapshotPart>();
  const files = rawPaths.length > 0 ? await rawFiles(rawPaths) : [];
  const claimed = new Set<string>();
  for (const projector of projectors) {
    const changes = plan.changes.filter((c) => projector.owns(c.type));
    changes.forEach((c) => claimed.add(c.address));
    if (changes.length === 0) continue;
    const needsRaw = projector.supports !== undefined && changes.some((c) => projector.supports(c.type) && c.action !== 'no-op' && c.action !== 'read');
    let bundles: RawBundle[] = [];
    if (needsRaw && projector.readRaw) {
      if (files.length === 0) {
        throw new UserError(`the plan changes ${projector.provider} resources, and projecting them needs the raw documents the snapshot was made from`, {
          where: '--plan',
          hint: 'add --raw DIR: the folder `cloudward collect aws --raw-out DIR` wrote, or the AWS CLI exports `cloudward import aws` read',
        });
      }
      bundles = await projector.readRaw(files);
    }
    const scopes = new Set(snapshot.sources.filter((s) => s.provider === projector.provider).map((s) => s.scope.id));
    for (const bundle of bundles) {
      const source = snapshot.sources.find((s) => s.provider === bundle.provider && s.scope.id === bundle.scope.id);
      if (!source) {
        throw new UserError(`the raw documents are of ${bundle.provider} ${bundle.scope.kind} ${bundle.scope.id}, which the snapshot does not cover`, { where: '--raw', hint: 'pass the raw documents the snapshot was made from' });
      }
    }
    const projection = projector.project(plan, changes, bundles, scopes);
    notes.push(...projection.notes);
    gaps.push(...projection.gaps);
    if (projection.bundles.length === 0 || !projector.normalize) continue;
    for (const projected of projection.bundles) {
      const original = bundles.find((b) => b.scope.id === projected.scope.id)!;
      const key = scopeKey(projected.provider, projected.scope);
      const why = sameResources(snapshot, projector.normalize([original]), key);
      if (why) {
        throw new UserError(`the raw documents of ${key} do not reproduce the snapshot: ${why}`, {
          where: '--raw',
          hint: 'pass the raw documents this snapshot was made from (collect --raw-out of the same run, or the files import read), or collect both again',
        });
      }
    }
    const part = projector.normalize(projection.bundles);
    for (const bundle of projection.bundles) {
      const key = scopeKey(bundle.provider, bundle.scope);
      const filter = <T extends { provider: string; scope: { kind: string; id: string } }>(list: T[]) => list.filter((r) => scopeKey(r.provider, r.scope as never) === key);
      replaced.set(key, { sources: [], principals: filter(part.principals), roles: filter(part.roles), controls: filter(part.controls), hosts: [] });
    }
    effects.push(...projection.effects(part));
  }
  for (const change of plan.changes) {
    if (claimed.has(change.address)) continue;
    const inert = change.action === 'no-op' || change.action === 'read' || change.mode === 'data';
    notes.push({ address: change.address, type: change.type, action: change.action, outcome: inert ? 'no-op' : 'not-projected', ...(inert ? {} : { reason: `no projector for ${change.type}` }) });
  }
  return { snapshot: replaceScopes(snapshot, replaced), notes, gaps, effects, projectedScopes: [...replaced.keys()] };
}

/** A copy of the snapshot whose resources in the given scopes are the projected ones. */
function replaceScopes(snapshot: Snapshot, replaced: Map<string, SnapshotPart>): Snapshot {
  if (replaced.size === 0) return snapshot;
  const keep = <T extends { provider: string; scope: { kind: string; id: string } }>(list: T[]) => list.filter((r) => !replaced.has(scopeKey(r.provider, r.scope as never)));
  const parts = [...replaced.values()];
  const { digest: _digest, ...rest } = snapshot;
  return {
    ...rest,
    principals: [...keep(snapshot.principals), ...parts.flatMap((p) => p.principals)],
    roles: [...keep(snapshot.roles), ...parts.flatMap((p) => p.roles)],
    controls: [...keep(snapshot.controls), ...parts.flatMap((p) => p.controls)],
  };
}
