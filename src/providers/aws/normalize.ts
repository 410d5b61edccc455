/**
 * The AWS normalizer: raw account bundles (live or imported, same shapes) to a snapshot part. Pure: no I/O, no clock.
 * Privilege is settled last, over every account at once: the graph of who can become whom crosses accounts where
 * trust policies allow.
 */
import type { Control, Principal, Role, Source, SnapshotPart } from '../../snapshot/model.js';
import type { RawBundle } from '../types.js';
import { accountView } from './account-view.js';
import { awsItemLedger } from './items.js';
import { normalizePasswordPolicy, normalizeScps, normalizeTrails } from './normalize-controls.js';
import { buildPolicyCatalog } from './normalize-policies.js';
import { applyEscalationPaths, normalizePrincipals } from './normalize-principals.js';
import type { PrivilegeAnalysis } from './privilege.js';
import { privilegeReach, type GraphPrincipal, type ManagedPolicyFacts } from './privilege-graph.js';

interface AccountPart {
  part: SnapshotPart;
  graph: GraphPrincipal[];
  analyses: Map<string, PrivilegeAnalysis>;
  managed: Map<string, ManagedPolicyFacts>;
}

/** Normalizes one account bundle; principals carry their own-policy privilege until the graph settles it. */
export function normalizeAccount(bundle: RawBundle): AccountPart {
  const view = accountView(bundle);
  const scope = bundle.scope;
  const source: Source = { provider: 'aws', scope, method: bundle.method, collectedAt: bundle.collectedAt, gaps: [...bundle.gaps] };
  const catalog = buildPolicyCatalog(view, scope);
  awsItemLedger(bundle, view, catalog).settle(source);
  const scps = normalizeScps(view, scope);
  const { principals, graph, analyses } = normalizePrincipals(view, scope, catalog, scps.layers, bundle.collectedAt);
  const roles: Role[] = catalog.roles;
  const controls: Control[] = [normalizePasswordPolicy(view, scope), ...scps.controls, ...normalizeTrails(view, scope)];
  return { part: { sources: [source], principals, roles, controls, hosts: [] }, graph, analyses, managed: catalog.facts };
}

/** Normalizes every bundle, concatenates the parts, and derives privilege from the graph over all of them. */
export function normalizeAwsBundles(bundles: RawBundle[]): SnapshotPart {
  const part: SnapshotPart = { sources: [], principals: [], roles: [], controls: [], hosts: [] };
  const graph: GraphPrincipal[] = [];
  const analyses = new Map<string, PrivilegeAnalysis>();
  const managed = new Map<string, ManagedPolicyFacts>();
  for (const bundle of bundles) {
    const one = normalizeAccount(bundle);
    part.sources.push(...one.part.sources);
    part.principals.push(...(one.part.principals as Principal[]));
    part.roles.push(...one.part.roles);
    part.controls.push(...one.part.controls);
    graph.push(...one.graph);
    for (const [uid, analysis] of one.analyses) analyses.set(uid, analysis);
    for (const [arn, facts] of one.managed) if (!managed.has(arn)) managed.set(arn, facts);
  }
  const reach = privilegeReach(graph, managed);
  applyEscalationPaths(part.principals, analyses, reach.paths, reach.grants);
  return part;
}
