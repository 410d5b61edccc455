/**
 * The Azure normalizer (pure): one tenant bundle — Graph documents plus every subscription's ARM documents — becomes
 * the tenant's sources (the tenant and each subscription, each with its own gaps), principals, roles and controls.
 */
import type { Control, Gap, ItemAccount, Principal, Role, Scope, Source, SnapshotPart } from '../../snapshot/model.js';
import type { ItemLedger } from '../cloud/ledger.js';
import { sortGaps } from '../cloud/order.js';
import type { RawBundle, RawDocument } from '../types.js';
import { DocumentKind, type DirectoryRoleDefinition, type RoleDefinition, type Subscription } from './documents.js';
import { ACCESS_TOPICS, screenBundle } from './drops.js';
import { itemsOfKind, subscriptionOfCall, subscriptionOfOrigin } from './items.js';
import { mfaEnforcement } from './mfa-enforcement.js';
import { diagnosticSettingControls, tenantControls } from './normalize-controls.js';
import { attachEscalationFacts } from './escalation-facts.js';
import { applyAzurePaths } from './privilege-graph.js';
import { azureGrants, buildPrincipals, directoryGrants, type Grant } from './normalize-principals.js';
import { azureRolePrivilege, definitionActions, DIRECTORY_ROLES, directoryRolePrivilege } from './privilege.js';

// Not every edited export holds text where the API writes it: anything else reads as no value.
const lower = (s: unknown) => (typeof s === 'string' ? s.toLowerCase() : '');

/**
 * The subscriptions read (those with documents or gaps), with their names from the subscriptions list. A listed
 * subscription that was not read (another shard's, or left out by --subscription) is not a source.
 */
export function subscriptionsOf(bundle: RawBundle): Map<string, string> {
  const listed = new Map<string, string>();
  for (const s of itemsOfKind<Subscription>(bundle.documents, DocumentKind.subscriptions)) {
    const full = typeof s.id === 'string' ? s.id : undefined;
    const id = lower(s.subscriptionId ?? (full && !full.startsWith('/') ? full : full?.split('/').at(-1)));
    if (id) listed.set(id, String(s.displayName ?? s.name ?? id));
  }
  const read = new Set<string>();
  for (const d of bundle.documents) {
    const id = subscriptionOfOrigin(d.origin);
    if (id) read.add(lower(id));
  }
  for (const g of bundle.gaps) {
    const id = subscriptionOfCall(g.call);
    if (id) read.add(id);
  }
  return new Map([...read].sort().map((id) => [id, listed.get(id) ?? id]));
}

function buildRoles(
  tenantId: string,
  scope: Scope,
  documents: readonly RawDocument[],
  grants: readonly Grant[],
): Map<string, Role> {
  const roles = new Map<string, Role>();
  const referenced = new Set(grants.map((g) => g.role));
  const directoryDefinitions = new Map(
    itemsOfKind<DirectoryRoleDefinition>(documents, DocumentKind.directoryRoleDefinitions).map((d) => [
      lower(d.templateId ?? d.id),
      d,
    ]),
  );
  for (const uid of referenced) {
    const id = uid.split('/').at(-1)!;
    if (!uid.includes(':directoryRole/')) continue;
    const definition = directoryDefinitions.get(id);
    roles.set(uid, {
      uid,
      provider: 'azure',
      scope,
      nativeId: id,
      name: definition?.displayName ?? DIRECTORY_ROLES[id]?.name ?? id,
      builtIn: definition?.isBuiltIn ?? DIRECTORY_ROLES[id] !== undefined,
      permissions: {
        allow: (Array.isArray(definition?.rolePermissions) ? definition.rolePermissions : []).flatMap((p) =>
          Array.isArray(p?.allowedResourceActions) ? p.allowedResourceActions.filter((a) => typeof a === 'string') : [],
        ),
        deny: [],
      },
      privilege: directoryRolePrivilege(id),
      details: { kind: 'entra' },
    });
  }
  for (const definition of itemsOfKind<RoleDefinition>(documents, DocumentKind.roleDefinitions)) {
    const id = lower(
      definition.name ?? (typeof definition.id === 'string' ? definition.id.split('/').at(-1) : undefined),
    );
    const uid = `azure:${tenantId}:roleDefinition/${id}`;
    const custom = definition.roleType === 'CustomRole';
    if (!id || roles.has(uid) || (!custom && !referenced.has(uid))) continue;
    const { actions, notActions, dataActions, notDataActions } = definitionActions(definition);
    const privilege = azureRolePrivilege(definition);
    // Data actions (reading Key Vault secrets) are only kept where a role has some: the escalation graph reads them.
    const data = dataActions.length > 0 ? { dataActions, notDataActions } : {};
    roles.set(uid, {
      uid,
      provider: 'azure',
      scope,
      nativeId: id,
      name: definition.roleName ?? id,
      builtIn: !custom,
      permissions: { allow: actions, deny: notActions },
      privilege: { level: privilege.level, reasons: privilege.reasons },
      details: {
        kind: 'azure',
        assignableScopes: definition.assignableScopes ?? [],
        grantsAccess: privilege.grantsAccess,
        ...data,
      },
    });
  }
  // A role an assignment names but no definition list covers (the list was not read): unknown privilege.
  for (const uid of referenced) {
    if (roles.has(uid)) continue;
    const id = uid.split('/').at(-1)!;
    roles.set(uid, {
      uid,
      provider: 'azure',
      scope,
      nativeId: id,
      name: id,
      builtIn: false,
      permissions: { allow: [], deny: [] },
      privilege: { level: 'none', reasons: ['definition not read'] },
      details: { kind: 'azure', unresolved: true },
    });
  }
  return roles;
}

/**
 * A gap for each Azure role definition an assignment names that no document held (no list returned it and a read by
 * id answered another or was not made): the privilege of its assignments is unknown, not none. A definition whose read
 * by id failed already has its gap, naming the id in the call.
 */
function unreadDefinitionGaps(roles: readonly Role[], grants: readonly Grant[], gaps: readonly Gap[]): Gap[] {
  return roles
    .filter((r) => r.details?.kind === 'azure' && r.details.unresolved === true)
    .filter((r) => !gaps.some((g) => lower(g.call).endsWith(`/roledefinitions/${r.nativeId}`)))
    .map((r) => {
      const count = grants.filter((g) => g.role === r.uid).length;
      return {
        what: 'azure.role-assignments',
        reason: `role definition ${r.nativeId} was not read (no list returned it, nor its read by id): the privilege of its ${count} assignment(s) is unknown`,
      };
    });
}

/**
 * Gaps for the tenant source and for each subscription source (by the subscription their call names). A
 * subscription's access gaps (role assignments, definitions, PIM) leave the tenant-wide principals and roles
 * incomplete, so they are the tenant's; a subscription keeps the gaps about its own controls.
 */
function splitGaps(
  gaps: readonly Gap[],
  subscriptions: ReadonlyMap<string, string>,
): { tenant: Gap[]; bySubscription: Map<string, Gap[]> } {
  const tenant: Gap[] = [];
  const bySubscription = new Map<string, Gap[]>();
  for (const gap of gaps) {
    const id = subscriptionOfCall(gap.call);
    if (id && subscriptions.has(id) && !ACCESS_TOPICS.has(gap.what))
      bySubscription.set(id, [...(bySubscription.get(id) ?? []), gap]);
    else tenant.push(gap);
  }
  return { tenant, bySubscription };
}

const sortByUid = <T extends { uid: string }>(items: T[]) =>
  items.sort((a, b) => (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0));

/**
 * A tenant bundle's sources and resources: the tenant (its directory, principals, roles and tenant controls) then
 * each subscription with its controls, in subscription id order. A `--shard` bundle holds the tenant only on shard
 * 1 and only its own subscriptions, so the shards' snapshots merge to the unsharded one.
 */
function normalizeTenant(bundle: RawBundle): SnapshotPart {
  const tenantId = lower(bundle.scope.id);
  const scope: Scope = { ...bundle.scope };
  // What grants nothing or cannot be read is left out here, once; a drop that could change a verdict is a gap.
  const screened = screenBundle(bundle);
  const { documents } = screened;
  const read = subscriptionsOf(bundle);
  const own = bundle.shard ? new Set(bundle.shard.scopes.map(lower)) : undefined;
  const subscriptions = own ? new Map([...read].filter(([id]) => own.has(id))) : read;
  const { tenant: tenantGaps, bySubscription } = splitGaps(
    screened.gaps.length > 0 ? sortGaps([...bundle.gaps, ...screened.gaps]) : bundle.gaps,
    subscriptions,
  );
  const sources: Source[] = [];
  const controls: Control[] = [];
  let principals: Principal[] = [];
  let roles: Role[] = [];
  if (!bundle.shard || bundle.shard.organization) {
    sources.push({
      provider: 'azure',
      scope,
      method: bundle.method,
      collectedAt: bundle.collectedAt,
      gaps: tenantGaps,
    });
    controls.push(...sortByUid(tenantControls(tenantId, scope, documents)));
    const grants = [...directoryGrants(tenantId, documents), ...azureGrants(tenantId, documents)];
    const roleMap = buildRoles(tenantId, scope, documents, grants);
    principals = buildPrincipals({ tenantId, scope, documents, roles: roleMap, subscriptionNames: read }, grants);
    attachEscalationFacts(principals, documents);
    applyAzurePaths(principals, roleMap, bundle.collectedAt);
    const caRead =
      documents.some((d) => d.kind === DocumentKind.conditionalAccessPolicies) &&
      !tenantGaps.some((g) => g.what === 'azure.conditional-access');
    const byUid = new Map(principals.map((p) => [p.uid, p]));
    for (const [uid, enforcement] of mfaEnforcement(principals, controls, caRead)) {
      const user = byUid.get(uid)!;
      user.details = { ...user.details, mfaEnforcement: enforcement };
    }
    roles = sortByUid([...roleMap.values()]);
    tenantGaps.push(...unreadDefinitionGaps(roles, grants, tenantGaps));
  }
  for (const [id, name] of subscriptions) {
    const subScope: Scope = { kind: 'subscription', id, name };
    sources.push({
      provider: 'azure',
      scope: subScope,
      method: bundle.method,
      collectedAt: bundle.collectedAt,
      gaps: bySubscription.get(id) ?? [],
    });
    controls.push(
      ...sortByUid(
        diagnosticSettingControls(
          subScope,
          documents.filter(
            (d) => d.kind === DocumentKind.diagnosticSettings && lower(subscriptionOfOrigin(d.origin)) === id,
          ),
        ),
      ),
    );
  }
  recordItems(sources, screened.ledgers, tenantId);
  return { sources, principals, roles, controls, hosts: [] };
}

/**
 * Puts each ledger's accounts on its source: a subscription's controls on the subscription, the directory and who
 * holds what on the tenant. A shard other than 1 has no tenant source: what it reads besides its own subscriptions'
 * controls (the subscription list, which every shard reads to pick its share) is shard 1's to count, so the merged
 * shards count each input once, as one unsharded run does.
 */
function recordItems(sources: Source[], ledgers: ReadonlyMap<string, ItemLedger>, tenantId: string): void {
  const tenant = sources.find((s) => s.scope.kind === 'tenant' && s.scope.id === tenantId);
  const bySource = new Map<Source, ItemAccount[]>();
  for (const [key, ledger] of ledgers) {
    const source =
      (key ? sources.find((s) => s.scope.kind === 'subscription' && s.scope.id === key) : undefined) ?? tenant;
    if (source) bySource.set(source, [...(bySource.get(source) ?? []), ...ledger.accounts()]);
  }
  for (const [source, items] of bySource)
    if (items.length > 0) source.items = items.sort((a, b) => (a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : 0));
}

/** Normalizes Azure bundles, one per tenant. */
export function normalizeAzureBundles(bundles: RawBundle[]): SnapshotPart {
  const parts = bundles.map(normalizeTenant);
  return {
    sources: parts.flatMap((p) => p.sources),
    principals: parts.flatMap((p) => p.principals),
    roles: parts.flatMap((p) => p.roles),
    controls: parts.flatMap((p) => p.controls),
    hosts: [],
  };
}
