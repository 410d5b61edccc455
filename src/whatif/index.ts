/**
 * What-if projection: a Terraform/OpenTofu plan applied to the raw documents the snapshot was made from, and the
 * projected raw documents normalized by the provider's own normalizer into a projected snapshot. Projection only:
 * evaluation, comparison and the gate happen where they always do.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import type { RawBundle } from '../providers/types.js';
import { scopeKey, type Snapshot, type SnapshotPart } from '../snapshot/model.js';
import type { Plan } from '../providers/whatif/plan.js';
import { registeredProjectors } from './registry.js';
import type { ChangeEffect, ChangeNote, ProjectionGap } from '../providers/whatif/types.js';
import { verifyRaw } from './verify.js';

export type { Plan } from '../providers/whatif/plan.js';
export type { ChangeEffect, ChangeNote, ProjectionGap } from '../providers/whatif/types.js';
export { loadPlan } from '../providers/whatif/plan.js';

/** Files under the `--raw` paths (folders are read recursively, in a stable order). */
export async function rawFiles(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  const walk = async (path: string): Promise<void> => {
    let info;
    try {
      info = await stat(path);
    } catch {
      throw new UserError('raw documents not found', {
        where: path,
        hint: 'pass the folder `cloudward collect PROVIDER --raw-out` wrote, or the exports `cloudward import PROVIDER` read',
      });
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
  /** Settles when the raw documents are known to reproduce the snapshot; rejects with a UserError otherwise. */
  verified: Promise<void>;
  /** Stops the check (when the run fails before awaiting it). */
  cancel(): void;
}

/**
 * Applies the plan: each change goes to the projector of its provider (the `projector` part of a registered adapter),
 * the projected raw bundles are normalized by that provider's normalizer, and their resources replace those of the
 * same scopes in a copy of the snapshot. The raw documents must be the ones the snapshot was made from: `verified`
 * (checked on another thread meanwhile) rejects with a UserError when, normalized unchanged, they do not give the
 * snapshot's resources of their scope exactly.
 */
export async function projectPlan(plan: Plan, snapshot: Snapshot, rawPaths: string[]): Promise<WhatIfProjection> {
  const notes: ChangeNote[] = [];
  const gaps: ProjectionGap[] = [];
  const effects: ChangeEffect[] = [];
  const replaced = new Map<string, SnapshotPart>();
  const files = rawPaths.length > 0 ? await rawFiles(rawPaths) : [];
  const claimed = new Set<string>();
  const checks: Array<ReturnType<typeof verifyRaw>> = [];
  for (const { provider, projector, normalize } of await registeredProjectors()) {
    const changes = plan.changes.filter((c) => projector.owns(c.type));
    changes.forEach((c) => claimed.add(c.address));
    if (changes.length === 0) continue;
    const needsRaw = changes.some((c) => projector.supports(c.type) && c.action !== 'no-op' && c.action !== 'read');
    let bundles: RawBundle[] = [];
    if (needsRaw && projector.readRaw) {
      if (files.length === 0) {
        throw new UserError(
          `the plan changes ${provider} resources, and projecting them needs the raw documents the snapshot was made from`,
          {
            where: '--plan',
            hint: `add --raw DIR: the folder \`cloudward collect ${provider} --raw-out DIR\` wrote, or the exports \`cloudward import ${provider}\` read`,
          },
        );
      }
      bundles = await projector.readRaw(files, snapshot.sources);
    }
    const scopes = new Set(snapshot.sources.filter((s) => s.provider === provider).map((s) => s.scope.id));
    for (const bundle of bundles) {
      const source = snapshot.sources.find((s) => s.provider === bundle.provider && s.scope.id === bundle.scope.id);
      if (!source) {
        throw new UserError(
          `the raw documents are of ${bundle.provider} ${bundle.scope.kind} ${bundle.scope.id}, which the snapshot does not cover`,
          { where: '--raw', hint: 'pass the raw documents the snapshot was made from' },
        );
      }
    }
    if (bundles.length > 0)
      checks.push(
        verifyRaw(snapshot, provider, files, bundles, (f) => projector.readRaw!(f, snapshot.sources), normalize),
      );
    try {
      const projection = projector.project(plan, changes, bundles, scopes);
      notes.push(...projection.notes);
      gaps.push(...projection.gaps);
      if (projection.bundles.length === 0) continue;
      const part = normalize(projection.bundles);
      // A bundle may normalize into several scopes (a GCP organization and its projects): each is replaced.
      for (const source of part.sources)
        replaced.set(scopeKey(source.provider, source.scope), {
          sources: [],
          principals: [],
          roles: [],
          controls: [],
          hosts: [],
        });
      for (const kind of ['principals', 'roles', 'controls'] as const) {
        for (const r of part[kind])
          (replaced.get(scopeKey(r.provider, r.scope)) as Record<typeof kind, unknown[]> | undefined)?.[kind].push(r);
      }
      effects.push(...projection.effects(part));
    } catch (error) {
      for (const check of checks) check.cancel();
      throw error;
    }
  }
  for (const change of plan.changes) {
    if (claimed.has(change.address)) continue;
    const inert = change.action === 'no-op' || change.action === 'read' || change.mode === 'data';
    notes.push({
      address: change.address,
      type: change.type,
      action: change.action,
      outcome: inert ? 'no-op' : 'not-projected',
      ...(inert ? {} : { reason: `no projector for ${change.type}` }),
    });
  }
  const verified = Promise.all(checks.map((c) => c.done)).then(() => undefined);
  // Awaited by the caller once it has evaluated; marked handled now, so a mismatch found meanwhile waits for it.
  verified.catch(() => undefined);
  return {
    snapshot: replaceScopes(snapshot, replaced),
    notes,
    gaps,
    effects,
    projectedScopes: [...replaced.keys()],
    verified,
    cancel: () => checks.forEach((c) => c.cancel()),
  };
}

/** A copy of the snapshot whose resources in the given scopes are the projected ones. */
function replaceScopes(snapshot: Snapshot, replaced: Map<string, SnapshotPart>): Snapshot {
  if (replaced.size === 0) return snapshot;
  const keep = <T extends { provider: string; scope: { kind: string; id: string } }>(list: T[]) =>
    list.filter((r) => !replaced.has(scopeKey(r.provider, r.scope as never)));
  const parts = [...replaced.values()];
  const { digest: _digest, ...rest } = snapshot;
  return {
    ...rest,
    principals: [...keep(snapshot.principals), ...parts.flatMap((p) => p.principals)],
    roles: [...keep(snapshot.roles), ...parts.flatMap((p) => p.roles)],
    controls: [...keep(snapshot.controls), ...parts.flatMap((p) => p.controls)],
  };
}
