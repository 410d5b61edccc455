/**
 * What every Azure change handler shares: the tenants' editable documents, the tenant (and subscription) each change
 * lands in, the checks that a scope is one the snapshot covers, the kind of each principal a change names, and the
 * record of what each change touched and what could not be known.
 */
import { UserError } from '../../../errors.js';
import { DocumentKind } from '../documents.js';
import type { RawBundle } from '../../types.js';
import { constantOf, dataSourceValues, type Plan, type PlanChange } from '../../whatif/plan.js';
import { PlanValues } from '../../whatif/plan-values.js';
import { TenantDocs, type Item } from './tenant-docs.js';

/** Something a change reaches, resolved to snapshot uids once the projected part is normalized. */
export type Touch =
  | { kind: 'principal'; tenant: string; id: string }
  | { kind: 'roleDefinition'; tenant: string; id: string }
  | { kind: 'conditionalAccess'; tenant: string; id: string }
  | { kind: 'diagnosticSetting'; subscription: string; name: string }
  | { kind: 'tenant'; tenant: string };

/** What an Azure scope string names. */
export type ScopeRef =
  | { kind: 'subscription'; subscription: string }
  | { kind: 'managementGroup'; id: string }
  | { kind: 'root' }
  | { kind: 'other' };

export const lower = (s: unknown): string => (typeof s === 'string' ? s.toLowerCase() : '');
export const tenantScope = (tenant: string): string => `azure:tenant/${tenant}`;
export const subscriptionScope = (subscription: string): string => `azure:subscription/${subscription}`;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseScope(scope: string): ScopeRef {
  const parts = scope.split('/').filter(Boolean);
  if (parts.length === 0) return { kind: 'root' };
  if (/^subscriptions$/i.test(parts[0]!) && parts[1])
    return { kind: 'subscription', subscription: parts[1].toLowerCase() };
  if (
    /^providers$/i.test(parts[0]!) &&
    /^Microsoft\.Management$/i.test(parts[1] ?? '') &&
    /^managementGroups$/i.test(parts[2] ?? '') &&
    parts[3]
  )
    return { kind: 'managementGroup', id: parts[3] };
  return { kind: 'other' };
}

/** An id for an object the plan creates whose id Azure assigns on apply. */
export function plannedId(change: PlanChange): string {
  return `planned-${change.address
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')}`;
}

/** A GUID-like id lowercased (ids in the documents are compared lowercase); other values (`All`, `None`) unchanged. */
export function idValue(value: string): string {
  return GUID.test(value) ? value.toLowerCase() : value;
}

export class AzureContext extends PlanValues<Touch> {
  readonly tenants = new Map<string, TenantDocs>();
  /** Principal kinds (`User`, `Group`, `ServicePrincipal`) of objects the plan creates, by object id. */
  readonly plannedKinds = new Map<string, string>();
  /** Groups the plan creates: their members are what the plan says. */
  readonly plannedGroups = new Set<string>();

  constructor(
    plan: Plan,
    bundles: RawBundle[],
    readonly snapshotScopes: Set<string>,
  ) {
    super(plan);
    for (const bundle of bundles) this.tenants.set(bundle.scope.id.toLowerCase(), new TenantDocs(bundle));
  }

  docs(tenant: string): TenantDocs {
    return this.tenants.get(tenant)!;
  }

  private tenantOfSubscription(subscription: string): string | undefined {
    for (const [id, docs] of this.tenants) if (docs.subscriptions.has(subscription)) return id;
    return undefined;
  }

  private providerConstant(change: PlanChange, name: string): string | undefined {
    const key = change.providerConfigKey ?? change.type.split('_')[0]!;
    const config = this.plan.providerConfigs.get(key);
    const value = config ? constantOf(config.expressions, name) : undefined;
    return typeof value === 'string' && value !== '' ? value.toLowerCase() : undefined;
  }

  private requireRaw(tenant: string, change: PlanChange): string {
    if (!this.tenants.has(tenant)) {
      throw new UserError(`no raw documents of Azure tenant ${tenant}, which ${change.address} changes`, {
        where: '--raw',
        hint: "pass the tenant's raw documents: the folder `cloudward collect azure --raw-out` wrote, or the `az` and Graph exports `cloudward import azure` read",
      });
    }
    return tenant;
  }

  private notCovered(what: string, change: PlanChange, scopeKey: string): UserError {
    return new UserError(`the plan changes ${what} (${change.address}), which the snapshot does not cover`, {
      where: this.plan.file,
      hint: `audit a snapshot that includes ${scopeKey}, or plan against a tenant and subscriptions the snapshot covers`,
    });
  }

  /** The tenant a subscription belongs to, after checking that the snapshot covers it. */
  tenantOfCoveredSubscription(subscription: string, change: PlanChange): string {
    if (!this.snapshotScopes.has(subscription))
      throw this.notCovered(`Azure subscription ${subscription}`, change, subscriptionScope(subscription));
    const tenant = this.tenantOfSubscription(subscription);
    if (!tenant) {
      throw new UserError(`no raw documents of Azure subscription ${subscription}, which ${change.address} changes`, {
        where: '--raw',
        hint: 'pass the raw documents of the tenant the subscription belongs to (`cloudward collect azure --raw-out`, or the exports `cloudward import azure` read)',
      });
    }
    return tenant;
  }

  /**
   * The tenant a change lands in: the subscription its scope names, else the provider block's `tenant_id` (or
   * `subscription_id`), else the snapshot's only tenant.
   */
  tenantOf(change: PlanChange, scope?: ScopeRef): string {
    if (scope?.kind === 'subscription') return this.tenantOfCoveredSubscription(scope.subscription, change);
    const declared = this.providerConstant(change, 'tenant_id');
    if (declared) {
      if (!this.snapshotScopes.has(declared))
        throw this.notCovered(`Azure tenant ${declared}`, change, tenantScope(declared));
      return this.requireRaw(declared, change);
    }
    const subscription = this.providerConstant(change, 'subscription_id');
    if (subscription) return this.tenantOfCoveredSubscription(subscription, change);
    const read = this.providerScopeRead(change);
    if (read.subscription) return this.tenantOfCoveredSubscription(read.subscription, change);
    if (read.tenant) {
      if (!this.snapshotScopes.has(read.tenant))
        throw this.notCovered(`Azure tenant ${read.tenant}`, change, tenantScope(read.tenant));
      return this.requireRaw(read.tenant, change);
    }
    const named = this.tenantOfKnownIds(change);
    if (named) return named;
    if (this.tenants.size === 1) return [...this.tenants.keys()][0]!;
    if (this.snapshotScopes.size === 0) {
      throw new UserError(
        `the plan changes Azure resources (${change.address}), but the snapshot covers no Azure tenant`,
        { where: this.plan.file, hint: 'audit a snapshot that includes the Azure tenant the plan is for' },
      );
    }
    if (this.tenants.size === 0) return this.requireRaw([...this.snapshotScopes].sort()[0]!, change);
    throw new UserError(`cannot tell which Azure tenant ${change.address} is for`, {
      where: this.plan.file,
      hint: `the raw documents hold several tenants (${[...this.tenants.keys()].join(', ')}); set tenant_id in the provider "${change.providerConfigKey ?? change.type.split('_')[0]}" block, or read \`data "${change.type.split('_')[0]}_client_config" "current" {}\` through it`,
    });
  }

  /**
   * The tenant the ARM ids among the known values of the provider block's resources name (the plan's changes and the
   * prior state's resources: `/subscriptions/<id>/...`), when the raw documents put every one of them in one tenant.
   */
  private tenantOfKnownIds(change: PlanChange): string | undefined {
    const key = change.providerConfigKey ?? change.type.split('_')[0]!;
    const provider = change.type.split('_')[0]!;
    const tenants = new Set<string | undefined>();
    const visit = (value: unknown, depth = 0): void => {
      if (depth > 8) return;
      if (typeof value === 'string') {
        const id = /^\/subscriptions\/([0-9a-f-]{36})(\/|$)/i.exec(value)?.[1]?.toLowerCase();
        if (id) tenants.add(this.tenantOfSubscription(id));
      } else if (value !== null && typeof value === 'object') {
        for (const v of Object.values(value)) visit(v, depth + 1);
      }
    };
    for (const other of this.plan.changes) {
      if ((other.providerConfigKey ?? other.type.split('_')[0]) !== key || !other.type.startsWith(`${provider}_`))
        continue;
      visit(other.before);
      visit(other.after);
    }
    for (const resource of this.plan.priorResources) {
      if (
        (resource.providerConfigKey ?? resource.type.split('_')[0]) === key &&
        resource.type.startsWith(`${provider}_`)
      )
        visit(resource.values);
    }
    return tenants.size === 1 ? [...tenants][0] : undefined;
  }

  /**
   * The subscription and tenant the provider block signed in to, as the data sources read through it while planning
   * say: azurerm_client_config and azuread_client_config, and an azurerm_subscription that names no subscription
   * itself (it then reads the provider's). Each only when they name exactly one.
   */
  private providerScopeRead(change: PlanChange): { subscription?: string; tenant?: string } {
    const key = change.providerConfigKey ?? change.type.split('_')[0]!;
    const one = (values: string[]) => {
      const found = new Set(values.map((v) => v.toLowerCase()));
      return found.size === 1 ? [...found][0] : undefined;
    };
    const subscription = one([
      ...dataSourceValues(this.plan, 'azurerm_client_config', key, 'subscription_id'),
      ...dataSourceValues(this.plan, 'azurerm_subscription', key, 'subscription_id', ['subscription_id']),
    ]);
    const tenant = one(
      ['azurerm_client_config', 'azuread_client_config', 'azurerm_subscription'].flatMap((type) =>
        dataSourceValues(this.plan, type, key, 'tenant_id', type === 'azurerm_subscription' ? ['subscription_id'] : []),
      ),
    );
    return { ...(subscription ? { subscription } : {}), ...(tenant ? { tenant } : {}) };
  }

  /**
   * The tenant an RBAC scope lands in, after checking that the snapshot covers it: a subscription (or a resource
   * group or resource in it), a management group the raw documents know (the tenant root group, or one an assignment
   * or the management group listing names), or the root scope.
   */
  tenantOfScope(change: PlanChange, scope: string): { tenant: string; ref: ScopeRef } {
    const ref = parseScope(scope);
    const tenant = this.tenantOf(change, ref);
    if (ref.kind === 'managementGroup' && !this.knowsManagementGroup(tenant, ref.id)) {
      throw this.notCovered(
        `Azure management group ${ref.id}`,
        change,
        `the subscriptions under management group ${ref.id}`,
      );
    }
    return { tenant, ref };
  }

  private knowsManagementGroup(tenant: string, id: string): boolean {
    if (lower(id) === tenant) return true;
    const docs = this.docs(tenant);
    const named = (item: Item) =>
      [item.scope, item.id, item.name].some(
        (v) => lower(v) === lower(id) || lower(v).endsWith(`/managementgroups/${lower(id)}`),
      );
    return (
      docs.everywhere(DocumentKind.roleAssignments).some(named) ||
      docs.list(DocumentKind.managementGroupDescendants).some(named)
    );
  }

  /** The subscriptions whose ARM lists carry an item at this scope: its own, or (management group, root) any listing it. */
  subscriptionsFor(tenant: string, ref: ScopeRef, kind: string, scope: string): string[] {
    const docs = this.docs(tenant);
    if (ref.kind === 'subscription') return [ref.subscription];
    const listing = [...docs.subscriptions.keys()].filter((sub) =>
      docs.list(kind, sub).some((i) => lower(i.scope) === lower(scope)),
    );
    if (listing.length > 0) return listing;
    const first = [...docs.subscriptions.keys()][0];
    return first ? [first] : [];
  }

  /** The principal type (`User`, `Group`, `ServicePrincipal`) of an object id, from the documents or the plan. */
  principalKind(tenant: string, id: string): string | undefined {
    const planned = this.plannedKinds.get(id);
    if (planned) return planned;
    const docs = this.docs(tenant);
    const has = (kind: string) => docs.get(kind, id) !== undefined;
    if (has(DocumentKind.users)) return 'User';
    if (has(DocumentKind.groups)) return 'Group';
    if (has(DocumentKind.servicePrincipals)) return 'ServicePrincipal';
    return undefined;
  }

  /** Whether a group's members are known: the snapshot read them (it held a role), or the plan creates the group. */
  membersKnown(tenant: string, groupId: string): boolean {
    return this.plannedGroups.has(groupId) || this.docs(tenant).read(DocumentKind.groupMembers, undefined, groupId);
  }

  /** A known list of strings at a nested path of `after` (`conditions.0.users.0.included_users`), or undefined. */
  nested(values: Record<string, unknown> | null, path: string): unknown {
    let value: unknown = values;
    for (const part of path.split('.')) {
      if (value === null || value === undefined) return undefined;
      value = Array.isArray(value) ? value[Number(part)] : (value as Record<string, unknown>)[part];
    }
    return value;
  }
}

/** A list of strings (ids lowercased), from a plan value. */
export function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string').map(idValue) : [];
}
