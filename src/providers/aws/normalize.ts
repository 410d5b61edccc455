/**
 * The AWS normalizer: raw account bundles (live or imported, same shapes) to a snapshot part. Pure: no I/O, no clock.
 * Privilege is settled last, over every account at once: the graph of who can become whom crosses accounts where
 * trust policies allow.
 */
import type { Control, Principal, Role, Source, SnapshotPart } from '../../snapshot/model.js';
import type { RawBundle } from '../types.js';
import { accountView, parentChain, type AccountView } from './account-view.js';
import { DocumentKind, type ParentsBody } from './documents.js';
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

type Organization = NonNullable<AccountView['organization']>;

/**
 * Normalizes one account bundle; principals carry their own-policy privilege until the graph settles it. An account
 * whose collection read nothing of Organizations takes what `borrow` gives for it (another account's reading).
 */
export function normalizeAccount(
  bundle: RawBundle,
  borrow?: (accountId: string) => Organization | undefined,
): AccountPart {
  const view = accountView(bundle);
  if (view.organization === undefined) {
    const organization = borrow?.(view.accountId);
    if (organization) view.organization = organization;
  }
  const scope = bundle.scope;
  const source: Source = {
    provider: 'aws',
    scope,
    method: bundle.method,
    collectedAt: bundle.collectedAt,
    gaps: [...bundle.gaps],
  };
  const catalog = buildPolicyCatalog(view, scope);
  awsItemLedger(bundle, view, catalog).settle(source);
  const scps = normalizeScps(view, scope);
  const { principals, graph, analyses } = normalizePrincipals(view, scope, catalog, scps.layers, bundle.collectedAt);
  const roles: Role[] = catalog.roles;
  const controls: Control[] = [normalizePasswordPolicy(view, scope), ...scps.controls, ...normalizeTrails(view, scope)];
  return {
    part: { sources: [source], principals, roles, controls, hosts: [] },
    graph,
    analyses,
    managed: catalog.facts,
  };
}

/** Normalizes every bundle, concatenates the parts, and derives privilege from the graph over all of them. */
export function normalizeAwsBundles(bundles: RawBundle[]): SnapshotPart {
  const part: SnapshotPart = { sources: [], principals: [], roles: [], controls: [], hosts: [] };
  const graph: GraphPrincipal[] = [];
  const analyses = new Map<string, PrivilegeAnalysis>();
  const managed = new Map<string, ManagedPolicyFacts>();
  const borrow = organizationReader(bundles);
  for (const bundle of bundles) {
    const one = normalizeAccount(bundle, borrow);
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

/**
 * The organization as another account of the snapshot read it, for an account that could not read Organizations
 * itself (a member account usually cannot: only the management account or a delegated administrator can), so a
 * cross-account edge into it is judged with the SCPs on its own OU path. Taken from the first account that read every
 * SCP's targets, with the account's OU path from the ListParents answers any bundle holds; none when its parent is not
 * among them (the account may not be in that organization, and its SCPs stay unknown as before).
 */
function organizationReader(bundles: RawBundle[]): (accountId: string) => Organization | undefined {
  let donor: Organization | null | undefined;
  let parents: ParentsBody[] | undefined;
  return (accountId) => {
    parents ??= bundles.flatMap((b) =>
      b.documents.filter((d) => d.kind === DocumentKind.parents).map((d) => d.body as ParentsBody),
    );
    if (!parents.some((p) => p.ChildId === accountId)) return undefined;
    if (donor === undefined) {
      donor = null;
      for (const bundle of bundles) {
        if (!bundle.documents.some((d) => d.kind === DocumentKind.scpList)) continue;
        const organization = accountView(bundle).organization;
        if (organization?.inOrganization === true && organization.scps.every((scp) => scp.targets !== undefined)) {
          donor = organization;
          break;
        }
      }
    }
    if (donor?.inOrganization !== true) return undefined;
    return { inOrganization: true, scps: donor.scps, path: parentChain(parents, accountId) };
  };
}
