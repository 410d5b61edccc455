/**
 * Azure RBAC changes applied to each subscription's ARM lists: role assignments, PIM eligible and active
 * assignments, custom role definitions, and the subscription activity log's diagnostic settings. Each handler reads
 * the attributes the azurerm provider documents for its resource type.
 */
import { DocumentKind } from '../documents.js';
import type { PlanChange } from '../../whatif/plan.js';
import {
  lower,
  parseScope,
  plannedId,
  subscriptionScope,
  tenantScope,
  type AzureContext,
  type ScopeRef,
} from './context.js';
import type { Item } from './tenant-docs.js';

const ROLE_DEFINITIONS = '/providers/Microsoft.Authorization/roleDefinitions/';
const lastSegment = (id: unknown) => lower(id).split('/').at(-1) ?? '';

/** Takes out what the plan removes or replaces (all but create), then puts in what it leaves (all but delete). */
export function applySides(change: PlanChange, apply: (side: 'before' | 'after') => void): void {
  if (change.action !== 'create') apply('before');
  if (change.action !== 'delete') apply('after');
}

/** One assignment as the plan states it, its ids resolved; undefined when something needed is unknown (a gap stands). */
interface Grant {
  tenant: string;
  ref: ScopeRef;
  scope: string;
  role: string;
  principal: string;
  principalType?: string;
  condition?: string | null;
  id?: string;
}

/** The role definition GUID that `role_definition_id` (or `role_definition_name`) names, checked against the documents. */
function roleOf(
  ctx: AzureContext,
  change: PlanChange,
  side: 'before' | 'after',
  tenant: string,
  scopes: string[],
): string | undefined {
  const values = side === 'before' ? change.before : change.after;
  const byId =
    side === 'before'
      ? { known: true as const, value: values?.role_definition_id }
      : ctx.value(change, 'role_definition_id');
  let guid = byId.known && typeof byId.value === 'string' && byId.value !== '' ? lastSegment(byId.value) : undefined;
  const definitions = ctx.docs(tenant).everywhere(DocumentKind.roleDefinitions);
  if (!guid) {
    const byName =
      side === 'before'
        ? { known: true as const, value: values?.role_definition_name }
        : ctx.value(change, 'role_definition_name');
    const name = byName.known && typeof byName.value === 'string' && byName.value !== '' ? byName.value : undefined;
    if (name) {
      const found = definitions.find((d) => lower(d.roleName) === lower(name));
      if (!found) {
        if (side === 'after')
          ctx.gap(
            change,
            `role "${name}" is not among the raw documents' role definitions`,
            'role_definition_name',
            scopes,
          );
        return undefined;
      }
      guid = lastSegment(found.name ?? found.id);
    } else {
      if (side === 'after')
        ctx.gap(
          change,
          !byId.known
            ? byId.reason
            : !byName.known
              ? byName.reason
              : 'neither role_definition_id nor role_definition_name is set',
          'role_definition_id',
          scopes,
        );
      return undefined;
    }
  } else if (side === 'after' && !definitions.some((d) => lastSegment(d.name ?? d.id) === guid)) {
    ctx.gap(
      change,
      `the definition of role ${guid} is not among the raw documents (neither read nor created by this plan)`,
      'role_definition_id',
      scopes,
    );
  }
  return guid;
}

/** The grant a side of an assignment change states, or undefined (a gap recorded) when it cannot be known. */
function grantOf(
  ctx: AzureContext,
  change: PlanChange,
  side: 'before' | 'after',
  principalAttribute = 'principal_id',
): Grant | undefined {
  const values = side === 'before' ? change.before : change.after;
  if (!values) return undefined;
  const scopeValue = side === 'before' ? (typeof values.scope === 'string' ? values.scope : undefined) : undefined;
  let scope = scopeValue;
  if (side === 'after') {
    const v = ctx.value(change, 'scope');
    if (!v.known || typeof v.value !== 'string' || v.value === '') {
      ctx.gap(change, v.known ? 'scope is empty' : v.reason, 'scope', [tenantScope(ctx.tenantOf(change))]);
      return undefined;
    }
    scope = v.value;
  }
  if (!scope) return undefined;
  const { tenant, ref } = ctx.tenantOfScope(change, scope);
  const whole = [tenantScope(tenant)];
  const principalValue =
    side === 'before'
      ? { known: true as const, value: values[principalAttribute] }
      : ctx.value(change, principalAttribute);
  if (!principalValue.known || typeof principalValue.value !== 'string' || principalValue.value === '') {
    if (side === 'after')
      ctx.gap(
        change,
        principalValue.known ? `${principalAttribute} is empty` : principalValue.reason,
        principalAttribute,
        whole,
      );
    return undefined;
  }
  const principal = lower(principalValue.value);
  ctx.touch(change, { kind: 'principal', tenant, id: principal });
  const role = roleOf(ctx, change, side, tenant, []);
  if (!role) return undefined;
  const typeValue =
    side === 'before' ? { known: true as const, value: values.principal_type } : ctx.value(change, 'principal_type');
  const principalType =
    (typeValue.known && typeof typeValue.value === 'string' && typeValue.value !== '' ? typeValue.value : undefined) ??
    ctx.principalKind(tenant, principal);
  if (side === 'after' && !principalType) {
    ctx.gap(
      change,
      `principal ${principal} is neither in the raw documents nor created by this plan, and principal_type does not say what it is`,
      principalAttribute,
      [],
    );
  }
  if (side === 'after' && principalType === 'Group' && !ctx.membersKnown(tenant, principal)) {
    ctx.gap(
      change,
      `the members of group ${principal} were not read (it held no role when the snapshot was taken): whoever they are gains this role`,
      principalAttribute,
      whole,
    );
  }
  let condition: string | null | undefined = null;
  if (side === 'after') {
    const c = ctx.value(change, 'condition');
    if (!c.known) {
      ctx.gap(change, c.reason, 'condition', []);
      condition = undefined;
    } else condition = typeof c.value === 'string' && c.value !== '' ? c.value : null;
  } else condition = typeof values.condition === 'string' && values.condition !== '' ? values.condition : null;
  // An assignment's ARM id (a PIM resource's id is `scope|role|principal`, which names no item).
  const id =
    typeof values.id === 'string' && /\/providers\/Microsoft\.Authorization\/roleAssignments\/[^/|]+$/i.test(values.id)
      ? values.id
      : undefined;
  return {
    tenant,
    ref,
    scope,
    role,
    principal,
    ...(principalType ? { principalType } : {}),
    condition: condition ?? null,
    ...(id ? { id } : {}),
  };
}

const sameGrant = (item: Item, g: Grant) =>
  lower(item.principalId) === g.principal &&
  lastSegment(item.roleDefinitionId) === g.role &&
  lower(item.scope) === lower(g.scope);

function definitionId(grant: Grant, subscription: string): string {
  return `/subscriptions/${subscription}${ROLE_DEFINITIONS}${grant.role}`;
}

/** Removes the items of a kind a grant names (by id, else by principal, role and scope) from every subscription's list. */
function removeGrant(ctx: AzureContext, grant: Grant, kind: string): Item[] {
  const removed: Item[] = [];
  const docs = ctx.docs(grant.tenant);
  for (const sub of docs.subscriptions.keys()) {
    const list = docs.list(kind, sub);
    for (let i = list.length - 1; i >= 0; i--) {
      const item = list[i]!;
      if ((grant.id && lower(item.id) === lower(grant.id)) || sameGrant(item, grant))
        removed.push(...list.splice(i, 1));
    }
  }
  return removed;
}

function assignmentItem(grant: Grant, subscription: string, name: string): Item {
  return {
    id: `${grant.scope.replace(/\/$/, '')}/providers/Microsoft.Authorization/roleAssignments/${name}`,
    name,
    scope: grant.scope,
    roleDefinitionId: definitionId(grant, subscription),
    principalId: grant.principal,
    ...(grant.principalType ? { principalType: grant.principalType } : {}),
    condition: grant.condition ?? null,
    conditionVersion: grant.condition ? '2.0' : null,
    type: 'Microsoft.Authorization/roleAssignments',
  };
}

/** Writes an active assignment into the subscriptions that list its scope; returns its id. */
function addAssignment(
  ctx: AzureContext,
  change: PlanChange,
  grant: Grant,
  name: string,
  instance?: { start?: string | null; end?: string | null },
): string {
  const docs = ctx.docs(grant.tenant);
  let id = '';
  for (const sub of ctx.subscriptionsFor(grant.tenant, grant.ref, DocumentKind.roleAssignments, grant.scope)) {
    const item = assignmentItem(grant, sub, name);
    id = item.id as string;
    docs.list(DocumentKind.roleAssignments, sub).push(item);
    if (instance) {
      docs.list(DocumentKind.roleAssignmentScheduleInstances, sub).push({
        id: `${grant.scope.replace(/\/$/, '')}/providers/Microsoft.Authorization/roleAssignmentScheduleInstances/${name}`,
        name,
        scope: grant.scope,
        roleDefinitionId: item.roleDefinitionId,
        principalId: grant.principal,
        ...(grant.principalType ? { principalType: grant.principalType } : {}),
        originRoleAssignmentId: id,
        status: 'Provisioned',
        assignmentType: 'Assigned',
        memberType: 'Direct',
        startDateTime: instance.start ?? null,
        endDateTime: instance.end ?? null,
      });
    }
  }
  ctx.planned.set(change.address, { id, name });
  return id;
}

/** azurerm_role_assignment: an active (standing) Azure role assignment. */
export function projectRoleAssignment(ctx: AzureContext, change: PlanChange): void {
  applySides(change, (side) => {
    const grant = grantOf(ctx, change, side);
    if (!grant) return;
    ctx.docs(grant.tenant).touched = true;
    if (side === 'before') {
      removeGrant(ctx, grant, DocumentKind.roleAssignments);
      return;
    }
    const name = ctx.value(change, 'name');
    addAssignment(
      ctx,
      change,
      grant,
      name.known && typeof name.value === 'string' && name.value !== '' ? name.value : plannedId(change),
    );
  });
}

/** The end of a PIM schedule: `expiration.end_date_time`, or start plus a duration; null when it never expires. */
function scheduleEnd(
  ctx: AzureContext,
  change: PlanChange,
  scopes: string[],
): { start: string | null; end: string | null } | undefined {
  if (change.sensitive.has('schedule')) {
    ctx.gap(change, 'schedule is sensitive; cloudward does not read sensitive plan values', 'schedule', scopes);
    return undefined;
  }
  if (change.afterUnknown.has('schedule') && ctx.nested(change.after, 'schedule.0') === undefined) {
    ctx.gap(change, 'schedule is known only after apply', 'schedule', scopes);
    return undefined;
  }
  const start = ctx.nested(change.after, 'schedule.0.start_date_time');
  const expiration = ctx.nested(change.after, 'schedule.0.expiration.0') as Record<string, unknown> | undefined;
  const startText = typeof start === 'string' && start !== '' ? start : null;
  if (typeof expiration?.end_date_time === 'string' && expiration.end_date_time !== '')
    return { start: startText, end: expiration.end_date_time };
  const hours =
    (typeof expiration?.duration_days === 'number' ? expiration.duration_days * 24 : 0) +
    (typeof expiration?.duration_hours === 'number' ? expiration.duration_hours : 0);
  if (hours > 0) {
    if (!startText) {
      ctx.gap(
        change,
        'the schedule expires a duration after its start, and the start is known only after apply',
        'schedule',
        scopes,
      );
      return undefined;
    }
    return {
      start: startText,
      end: new Date(Date.parse(startText) + hours * 3600_000).toISOString().replace('.000Z', 'Z'),
    };
  }
  return { start: startText, end: null };
}

/** azurerm_pim_eligible_role_assignment: a PIM eligibility (an eligibility schedule). */
export function projectEligibleAssignment(ctx: AzureContext, change: PlanChange): void {
  applySides(change, (side) => {
    const grant = grantOf(ctx, change, side);
    if (!grant) return;
    const docs = ctx.docs(grant.tenant);
    docs.touched = true;
    if (side === 'before') {
      removeGrant(ctx, grant, DocumentKind.roleEligibilitySchedules);
      return;
    }
    const schedule = scheduleEnd(ctx, change, []);
    const name = plannedId(change);
    for (const sub of ctx.subscriptionsFor(
      grant.tenant,
      grant.ref,
      DocumentKind.roleEligibilitySchedules,
      grant.scope,
    )) {
      docs.list(DocumentKind.roleEligibilitySchedules, sub).push({
        id: `${grant.scope.replace(/\/$/, '')}/providers/Microsoft.Authorization/roleEligibilitySchedules/${name}`,
        name,
        scope: grant.scope,
        roleDefinitionId: definitionId(grant, sub),
        principalId: grant.principal,
        ...(grant.principalType ? { principalType: grant.principalType } : {}),
        memberType: 'Direct',
        status: 'Provisioned',
        startDateTime: schedule?.start ?? null,
        endDateTime: schedule?.end ?? null,
        condition: grant.condition ?? null,
      });
    }
    ctx.planned.set(change.address, {
      id: `${grant.scope}|${definitionId(grant, [...docs.subscriptions.keys()][0] ?? '')}|${grant.principal}`,
    });
  });
}

/** azurerm_pim_active_role_assignment: an active assignment made through PIM, time-bound when its schedule expires. */
export function projectActiveAssignment(ctx: AzureContext, change: PlanChange): void {
  applySides(change, (side) => {
    const grant = grantOf(ctx, change, side);
    if (!grant) return;
    ctx.docs(grant.tenant).touched = true;
    if (side === 'before') {
      for (const removed of removeGrant(ctx, grant, DocumentKind.roleAssignments)) {
        removeGrant(ctx, { ...grant, id: removed.id as string }, DocumentKind.roleAssignmentScheduleInstances);
      }
      return;
    }
    const schedule = scheduleEnd(ctx, change, []);
    addAssignment(ctx, change, grant, plannedId(change), schedule ?? {});
  });
}

/** azurerm_role_definition: a custom role, listed in every subscription it is assignable in. */
export function projectRoleDefinition(ctx: AzureContext, change: PlanChange): void {
  const guidOf = (values: Record<string, unknown> | null) =>
    lower(values?.role_definition_id) || lastSegment(String(values?.role_definition_resource_id ?? '').split('|')[0]);
  const beforeGuid = guidOf(change.before);
  let tenant: string | undefined;
  if (change.before && beforeGuid) {
    tenant = ctx.tenantOfScope(change, String(change.before.scope ?? '/')).tenant;
    ctx.touch(change, { kind: 'roleDefinition', tenant, id: beforeGuid });
  }
  const remove = (guid: string) => {
    const docs = ctx.docs(tenant!);
    for (const sub of docs.subscriptions.keys()) {
      const list = docs.list(DocumentKind.roleDefinitions, sub);
      for (let i = list.length - 1; i >= 0; i--)
        if (lastSegment(list[i]!.name ?? list[i]!.id) === guid) list.splice(i, 1);
    }
  };
  if (change.action === 'delete') {
    if (tenant && beforeGuid) remove(beforeGuid);
    return;
  }
  const scopeValue = ctx.text(change, 'scope', []);
  if (!scopeValue) return;
  const target = ctx.tenantOfScope(change, scopeValue);
  tenant = target.tenant;
  const whole = [tenantScope(tenant)];
  const idValue = ctx.value(change, 'role_definition_id');
  const guid =
    (idValue.known && typeof idValue.value === 'string' && idValue.value !== '' ? lower(idValue.value) : undefined) ??
    (change.action === 'update' ? beforeGuid : undefined) ??
    plannedId(change);
  ctx.touch(change, { kind: 'roleDefinition', tenant, id: guid });
  const docs = ctx.docs(tenant);
  const subscriptions = [...docs.subscriptions.keys()];
  ctx.planned.set(change.address, {
    role_definition_id: guid,
    role_definition_resource_id: `/subscriptions/${subscriptions[0] ?? ''}${ROLE_DEFINITIONS}${guid}`,
    id: `/subscriptions/${subscriptions[0] ?? ''}${ROLE_DEFINITIONS}${guid}|${scopeValue}`,
  });
  if (beforeGuid) remove(beforeGuid);
  const name = ctx.text(change, 'name', whole) ?? guid;
  const permissions = ctx.value(change, 'permissions');
  const assignable = ctx.value(change, 'assignable_scopes');
  let blocks: Array<Record<string, unknown>> = [];
  if (!permissions.known) ctx.gap(change, permissions.reason, 'permissions', []);
  else if (Array.isArray(permissions.value)) blocks = permissions.value as Array<Record<string, unknown>>;
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);
  const scopes =
    assignable.known && Array.isArray(assignable.value) && assignable.value.length > 0
      ? strings(assignable.value)
      : [scopeValue];
  // Listed in the subscriptions it is assignable in; a management-group or root role in every subscription read.
  const refs = scopes.map(parseScope);
  const listedIn = refs.some((r) => r.kind !== 'subscription')
    ? subscriptions
    : subscriptions.filter((s) => refs.some((r) => r.kind === 'subscription' && r.subscription === s));
  for (const sub of listedIn) {
    docs.list(DocumentKind.roleDefinitions, sub).push({
      id: `/subscriptions/${sub}${ROLE_DEFINITIONS}${guid}`,
      name: guid,
      roleName: name,
      roleType: 'CustomRole',
      type: 'Microsoft.Authorization/roleDefinitions',
      permissions: blocks.map((b) => ({
        actions: strings(b.actions),
        notActions: strings(b.not_actions),
        dataActions: strings(b.data_actions),
        notDataActions: strings(b.not_data_actions),
      })),
      assignableScopes: scopes,
    });
  }
}

/** azurerm_monitor_diagnostic_setting on a subscription: the activity log's export. Other targets are not posture. */
export function projectDiagnosticSetting(ctx: AzureContext, change: PlanChange): boolean {
  const targetOf = (values: Record<string, unknown> | null) =>
    typeof values?.target_resource_id === 'string' ? parseScope(values.target_resource_id) : undefined;
  const isSubscription = (values: Record<string, unknown> | null) =>
    /^\/subscriptions\/[^/]+\/?$/i.test(String(values?.target_resource_id ?? ''));
  const before =
    change.before && isSubscription(change.before)
      ? (targetOf(change.before) as { kind: 'subscription'; subscription: string })
      : undefined;
  const target = ctx.value(change, 'target_resource_id', 'after');
  if (change.action !== 'delete' && !target.known) {
    const tenant = ctx.tenantOf(change);
    ctx.gap(
      change,
      target.reason,
      'target_resource_id',
      [...ctx.docs(tenant).subscriptions.keys()].map(subscriptionScope),
    );
    return true;
  }
  const after =
    change.action !== 'delete' && isSubscription(change.after)
      ? (targetOf(change.after) as { kind: 'subscription'; subscription: string })
      : undefined;
  if (!before && !after) return false;
  const apply = (side: 'before' | 'after') => {
    const values = side === 'before' ? change.before! : change.after!;
    const sub = (side === 'before' ? before : after)?.subscription;
    if (!sub) return;
    const tenant = ctx.tenantOfCoveredSubscription(sub, change);
    const docs = ctx.docs(tenant);
    const name = side === 'before' ? String(values.name ?? '') : ctx.text(change, 'name', [subscriptionScope(sub)]);
    if (!name) return;
    ctx.touch(change, { kind: 'diagnosticSetting', subscription: sub, name });
    const list = docs.list(DocumentKind.diagnosticSettings, sub);
    const at = list.findIndex((i) => lower(i.name) === lower(name));
    if (at >= 0) list.splice(at, 1);
    if (side === 'before') return;
    const destination = (attribute: string) => {
      const v = ctx.value(change, attribute);
      // An id known only after apply (a workspace created in this plan) still names a destination.
      if (!v.known)
        return change.sensitive.has(attribute) ? null : `${attribute} of ${change.address} (known after apply)`;
      return typeof v.value === 'string' && v.value !== '' ? v.value : null;
    };
    const logs: Array<{ category: string | null; categoryGroup: string | null; enabled: boolean }> = [];
    for (const attribute of ['enabled_log', 'log']) {
      const v = ctx.value(change, attribute);
      if (!v.known) {
        ctx.gap(change, v.reason, attribute, [subscriptionScope(sub)]);
        continue;
      }
      for (const block of Array.isArray(v.value) ? (v.value as Array<Record<string, unknown>>) : []) {
        const category = typeof block.category === 'string' && block.category !== '' ? block.category : null;
        const categoryGroup =
          typeof block.category_group === 'string' && block.category_group !== '' ? block.category_group : null;
        logs.push({ category, categoryGroup, enabled: attribute === 'enabled_log' ? true : block.enabled !== false });
      }
    }
    list.push({
      id: `/subscriptions/${sub}/providers/microsoft.insights/diagnosticSettings/${name}`,
      name,
      type: 'Microsoft.Insights/diagnosticSettings',
      workspaceId: destination('log_analytics_workspace_id'),
      storageAccountId: destination('storage_account_id'),
      eventHubAuthorizationRuleId: destination('eventhub_authorization_rule_id'),
      eventHubName: destination('eventhub_name'),
      logs,
    });
  };
  applySides(change, apply);
  return true;
}
