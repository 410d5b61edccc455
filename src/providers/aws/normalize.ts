/**
 * The AWS normalizer: raw account bundles (live or imported, same shapes) to a snapshot part. Pure: no I/O, no clock.
 */
import type { Control, Principal, Role, Source, SnapshotPart } from '../../snapshot/model.js';
import type { RawBundle } from '../types.js';
import { accountView } from './account-view.js';
import { normalizePasswordPolicy, normalizeScps, normalizeTrails } from './normalize-controls.js';
import { buildPolicyCatalog } from './normalize-policies.js';
import { normalizePrincipals } from './normalize-principals.js';

/** Normalizes one account bundle. */
export function normalizeAccount(bundle: RawBundle): SnapshotPart {
  const view = accountView(bundle);
  const scope = bundle.scope;
  const source: Source = { provider: 'aws', scope, method: bundle.method, collectedAt: bundle.collectedAt, gaps: bundle.gaps };
  const catalog = buildPolicyCatalog(view, scope);
  const scps = normalizeScps(view, scope);
  const principals: Principal[] = normalizePrincipals(view, scope, catalog, scps.layers);
  const roles: Role[] = catalog.roles;
  const controls: Control[] = [normalizePasswordPolicy(view, scope), ...scps.controls, ...normalizeTrails(view, scope)];
  return { sources: [source], principals, roles, controls, hosts: [] };
}

/** Normalizes every bundle and concatenates the parts. */
export function normalizeAwsBundles(bundles: RawBundle[]): SnapshotPart {
  const part: SnapshotPart = { sources: [], principals: [], roles: [], controls: [], hosts: [] };
  for (const bundle of bundles) {
    const one = normalizeAccount(bundle);
    part.sources.push(...one.sources);
    part.principals.push(...one.principals);
    part.roles.push(...one.roles);
    part.controls.push(...one.controls);
  }
  return part;
}
