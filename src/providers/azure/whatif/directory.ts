/**
 * Entra ID changes applied to the tenant's Graph documents: users (with the registration report row a new user would
 * have: no MFA), groups and their members, service principals and user-assigned managed identities, directory role
 * assignments, and Conditional Access policies. Each handler reads the attributes the azuread (or azurerm) provider
 * documents for its resource type.
 */
import { DocumentKind } from '../documents.js';
import { DIRECTORY_ROLES } from '../privilege.js';
import type { PlanChange } from '../../whatif/plan.js';
import { lower, plannedId, stringList, tenantScope, type AzureContext } from './context.js';
import { applySides } from './rbac.js';
import type { Item } from './tenant-docs.js';

const ODATA_TYPES: Record<string, string> = {
  User: '#microsoft.graph.user',
  Group: '#microsoft.graph.group',
  ServicePrincipal: '#microsoft.graph.servicePrincipal',
};
const RBAC_KINDS = [
  DocumentKind.roleAssignments,
  DocumentKind.roleEligibilitySchedules,
  DocumentKind.roleAssignmentScheduleInstances,
];

/** The object id a change had, and the one it will have (Azure assigns a new one on create). */
function objectIds(ctx: AzureContext, change: PlanChange, attribute: string): { before?: string; after: string } {
  const before = lower(change.before?.[attribute] ?? change.before?.id) || undefined;
  if (change.action === 'update' && before) return { before, after: before };
  const value = ctx.value(change, attribute);
  const after =
    value.known && typeof value.value === 'string' && value.value !== '' ? lower(value.value) : plannedId(change);
  return { ...(before ? { before } : {}), after };
}

function removeWhere(list: Item[], test: (item: Item) => boolean): void {
  for (let i = list.length - 1; i >= 0; i--) if (test(list[i]!)) list.splice(i, 1);
}

/** Removes a deleted directory object and everything that names it: memberships and role assignments go with it. */
function removeObject(ctx: AzureContext, tenant: string, id: string): void {
  const docs = ctx.docs(tenant);
  for (const kind of [
    DocumentKind.users,
    DocumentKind.groups,
    DocumentKind.servicePrincipals,
    DocumentKind.registrationDetails,
  ])
    docs.remove(kind, (i) => lower(i.id) === id);
  for (const kind of [
    DocumentKind.directoryRoleAssignments,
    DocumentKind.directoryRoleEligibilitySchedules,
    DocumentKind.directoryRoleAssignmentScheduleInstances,
  ])
    docs.remove(kind, (i) => lower(i.principalId) === id);
  for (const kind of RBAC_KINDS)
    for (const sub of docs.subscriptions.keys()) docs.remove(kind, (i) => lower(i.principalId) === id, sub);
  for (const group of docs.groupsWithMembers()) removeWhere(docs.members(group), (i) => lower(i.id) === id);
}

/** Puts a member in a group's member list in place of the one with the same id. */
function putMember(list: Item[], item: Item): void {
  const at = list.findIndex((i) => lower(i.id) === lower(item.id));
  if (at >= 0) list[at] = { ...list[at], ...item };
  else list.push(item);
}

function flag(ctx: AzureContext, change: PlanChange, attribute: string, fallback: boolean): boolean {
  const v = ctx.value(change, attribute);
  if (!v.known) {
    ctx.gap(change, v.reason, attribute, []);
    return fallback;
  }
  return typeof v.value === 'boolean' ? v.value : fallback;
}

/** The shared steps of a directory object change: tenant, ids, touches, removal on delete or replace. */
function objectChange(
  ctx: AzureContext,
  change: PlanChange,
  attribute: string,
  kind: string,
): { tenant: string; id: string } | undefined {
  const tenant = ctx.tenantOf(change);
  ctx.docs(tenant).touched = true;
  const { before, after } = objectIds(ctx, change, attribute);
  if (before) ctx.touch(change, { kind: 'principal', tenant, id: before });
  if (before && (change.action === 'delete' || (change.action === 'replace' && before !== after)))
    removeObject(ctx, tenant, before);
  if (change.action === 'delete') return undefined;
  ctx.touch(change, { kind: 'principal', tenant, id: after });
  ctx.plannedKinds.set(after, kind);
  ctx.planned.set(change.address, { [attribute]: after, id: after });
  return { tenant, id: after };
}

/** azuread_user: a user; a new one has no MFA method registered (what the next registration report would say). */
export function projectUser(ctx: AzureContext, change: PlanChange): void {
  const target = objectChange(ctx, change, 'object_id', 'User');
  if (!target) return;
  const docs = ctx.docs(target.tenant);
  const upn = ctx.value(change, 'user_principal_name');
  const name = upn.known && typeof upn.value === 'string' && upn.value !== '' ? upn.value : change.address;
  const display = ctx.value(change, 'display_name');
  const userType =
    typeof change.after?.user_type === 'string' && change.after.user_type !== ''
      ? change.after.user_type
      : name.includes('#EXT#')
        ? 'Guest'
        : 'Member';
  const existed = docs.get(DocumentKind.users, target.id) !== undefined;
  docs.put(DocumentKind.users, {
    id: target.id,
    displayName: display.known && typeof display.value === 'string' ? display.value : name,
    userPrincipalName: name,
    userType,
    accountEnabled: flag(ctx, change, 'account_enabled', true),
  });
  if (!existed && docs.read(DocumentKind.registrationDetails)) {
    docs.put(DocumentKind.registrationDetails, {
      id: target.id,
      userPrincipalName: name,
      userType: lower(userType),
      isAdmin: false,
      isMfaRegistered: false,
      isMfaCapable: false,
      methodsRegistered: [],
    });
  }
}

/** The transitive members a new member brings: itself, and a group's own members when known. */
function withNested(ctx: AzureContext, tenant: string, member: string): Item[] {
  const kind = ctx.principalKind(tenant, member);
  const own: Item = { '@odata.type': ODATA_TYPES[kind ?? 'User'] ?? '#microsoft.graph.directoryObject', id: member };
  if (kind !== 'Group' || !ctx.docs(tenant).groupsWithMembers().has(member)) return [own];
  return [
    own,
    ...ctx
      .docs(tenant)
      .members(member)
      .map((m) => ({ ...m })),
  ];
}

/** azuread_group: a group; `members`, when the plan sets it, is the group's whole membership. */
export function projectGroup(ctx: AzureContext, change: PlanChange): void {
  const target = objectChange(ctx, change, 'object_id', 'Group');
  if (!target) return;
  const docs = ctx.docs(target.tenant);
  const display = ctx.value(change, 'display_name');
  docs.put(DocumentKind.groups, {
    id: target.id,
    displayName: display.known && typeof display.value === 'string' ? display.value : change.address,
    securityEnabled: flag(ctx, change, 'security_enabled', true),
    isAssignableToRole: flag(ctx, change, 'assignable_to_role', false),
  });
  const created = change.action !== 'update';
  if (created) ctx.plannedGroups.add(target.id);
  const members = ctx.value(change, 'members');
  if (!members.known) {
    ctx.gap(change, members.reason, 'members', [tenantScope(target.tenant)]);
    return;
  }
  if (members.value !== null && !Array.isArray(members.value)) {
    // One reference resolved, but a list may hold others: its members are known only after apply.
    ctx.gap(change, 'members is known only after apply', 'members', [tenantScope(target.tenant)]);
    return;
  }
  const changed =
    created || JSON.stringify(change.before?.members ?? null) !== JSON.stringify(change.after?.members ?? null);
  if (!changed) return;
  const list = docs.members(target.id);
  list.splice(0, list.length);
  for (const member of stringList(members.value)) {
    ctx.touch(change, { kind: 'principal', tenant: target.tenant, id: member });
    for (const item of withNested(ctx, target.tenant, member)) putMember(list, item);
  }
}

/**
 * Reads one side of a membership or ownership change: an object id, lower-cased, from the prior state (before) or as
 * planned (after: a value known only after apply is a gap the context records); an empty value is none.
 */
function idReader(
  ctx: AzureContext,
  change: PlanChange,
  side: 'before' | 'after',
  tenant: string,
): (attribute: string) => string | undefined {
  return (attribute) =>
    side === 'before'
      ? lower(change.before?.[attribute]) || undefined
      : ctx.text(change, attribute, [tenantScope(tenant)])?.toLowerCase();
}

/** azuread_group_member: one member of a group. */
export function projectGroupMember(ctx: AzureContext, change: PlanChange): void {
  applySides(change, (side) => {
    const tenant = ctx.tenantOf(change);
    const read = idReader(ctx, change, side, tenant);
    const group = read('group_object_id');
    const member = read('member_object_id');
    if (!group || !member) return;
    ctx.touch(change, { kind: 'principal', tenant, id: group });
    ctx.touch(change, { kind: 'principal', tenant, id: member });
    const list = ctx.docs(tenant).members(group);
    if (side === 'before') removeWhere(list, (i) => lower(i.id) === member);
    else for (const item of withNested(ctx, tenant, member)) putMember(list, item);
  });
}

/** azuread_service_principal: an application's service principal, with its owners when the plan sets them. */
export function projectServicePrincipal(ctx: AzureContext, change: PlanChange): void {
  const target = objectChange(ctx, change, 'object_id', 'ServicePrincipal');
  if (!target) return;
  const client = ctx.value(
    change,
    change.after && ('client_id' in change.after || change.afterUnknown.has('client_id'))
      ? 'client_id'
      : 'application_id',
  );
  const appId = client.known && typeof client.value === 'string' ? client.value : target.id;
  const owners = plannedOwners(ctx, change, target.tenant);
  ctx.docs(target.tenant).put(DocumentKind.servicePrincipals, {
    id: target.id,
    appId,
    displayName: appId,
    servicePrincipalType: 'Application',
    accountEnabled: flag(ctx, change, 'account_enabled', true),
    ...(owners ? { owners } : {}),
  });
}

/** An owner as Graph's `$expand=owners` lists it: its type and object id. */
function ownerItem(ctx: AzureContext, tenant: string, id: string): Item {
  return {
    '@odata.type': ODATA_TYPES[ctx.principalKind(tenant, id) ?? 'User'] ?? '#microsoft.graph.directoryObject',
    id,
  };
}

/**
 * The whole owner list a plan sets (`owners` of azuread_service_principal), as Graph's `$expand=owners` lists it, each
 * owner touched (an owner can add a credential to the service principal and act as it: BloodHound's AZOwns);
 * undefined when the plan leaves owners alone (the documents' own stay), or when it is known only after apply (a gap:
 * whoever it names may gain the object's access).
 */
function plannedOwners(ctx: AzureContext, change: PlanChange, tenant: string): Item[] | undefined {
  if (!change.after || (!('owners' in change.after) && !change.afterUnknown.has('owners'))) return undefined;
  const owners = ctx.value(change, 'owners');
  if (!owners.known || (owners.value !== null && !Array.isArray(owners.value))) {
    ctx.gap(change, owners.known ? 'owners is known only after apply' : owners.reason, 'owners', [tenantScope(tenant)]);
    return undefined;
  }
  const unchanged =
    change.action === 'update' &&
    JSON.stringify(change.before?.owners ?? null) === JSON.stringify(change.after.owners ?? null);
  if (unchanged) return undefined;
  return stringList(owners.value).map((id) => {
    ctx.touch(change, { kind: 'principal', tenant, id });
    return ownerItem(ctx, tenant, id);
  });
}

/**
 * The kind `import azure` gives an `az rest` export of Graph's `/applications?$expand=owners`: app registrations with
 * their owners, who can add a credential to the app and sign in as its service principal (BloodHound's AZOwns).
 */
const APPLICATIONS = 'azure.graph.applications';

/**
 * azuread_application_owner: one owner of an app registration (`application_id` is `/applications/{object id}`). An
 * app the raw documents do not list (app registrations not exported, or one this plan creates) is a gap: who can act
 * as its service principal is then unknown, never a silent pass.
 */
export function projectApplicationOwner(ctx: AzureContext, change: PlanChange): void {
  applySides(change, (side) => {
    const tenant = ctx.tenantOf(change);
    const read = idReader(ctx, change, side, tenant);
    const application = read('application_id')?.replace(/^\/applications\//, '');
    const owner = read('owner_object_id');
    if (!application || !owner) return;
    const docs = ctx.docs(tenant);
    // Not opened unless read: an edited list is written back, and an empty one would say the tenant has no apps.
    const app = docs.read(APPLICATIONS) ? docs.list(APPLICATIONS).find((i) => lower(i.id) === application) : undefined;
    if (!app) {
      ctx.gap(
        change,
        `application ${application} is not in the raw documents (export az rest --url "https://graph.microsoft.com/v1.0/applications?$expand=owners")`,
        'application_id',
        [tenantScope(tenant)],
      );
      return;
    }
    ctx.touch(change, { kind: 'principal', tenant, id: owner });
    const list = Array.isArray(app.owners) ? (app.owners as Item[]) : (app.owners = []);
    if (side === 'before') removeWhere(list, (i) => lower(i.id) === owner);
    else putMember(list, ownerItem(ctx, tenant, owner));
    // The app's service principal is what its owner can act as.
    const sp = docs.list(DocumentKind.servicePrincipals).find((i) => lower(i.appId) === lower(app.appId));
    if (sp) ctx.touch(change, { kind: 'principal', tenant, id: lower(sp.id) });
  });
}

/**
 * azuread_application: an app registration. It reaches who can do what only through its owners (`owners`, object
 * ids), who can add a credential and act as its service principal; the app and its owners are projected into the app
 * registrations the raw documents list. Where they list none, owners the plan sets are a gap (the tenant is then
 * unknown), and a change that sets no owners is declined: the graph knows no owner of it either way.
 */
export function projectApplication(ctx: AzureContext, change: PlanChange): boolean | void {
  const tenant = ctx.tenantOf(change);
  const docs = ctx.docs(tenant);
  const before = lower(change.before?.object_id) || undefined;
  const objectId = change.after ? objectIds(ctx, change, 'object_id').after : undefined;
  const client = change.after ? ctx.value(change, 'client_id') : undefined;
  const appId =
    client?.known && typeof client.value === 'string'
      ? client.value.toLowerCase()
      : before
        ? lower(change.before?.client_id)
        : `${plannedId(change)}-client`;
  if (objectId)
    ctx.planned.set(change.address, {
      object_id: objectId,
      id: `/applications/${objectId}`,
      client_id: appId,
      application_id: appId,
    });
  const gaps = ctx.gaps.length;
  const owners = plannedOwners(ctx, change, tenant);
  if (ctx.gaps.length > gaps) return;
  if (!docs.read(APPLICATIONS)) {
    if (!owners || owners.length === 0) return false;
    ctx.gap(
      change,
      `the raw documents list no app registrations (export az rest --url "https://graph.microsoft.com/v1.0/applications?$expand=owners")`,
      'owners',
      [tenantScope(tenant)],
    );
    return;
  }
  docs.touched = true;
  const list = docs.list(APPLICATIONS);
  const previous = before ? list.find((i) => lower(i.id) === before) : undefined;
  const touchApp = (app: Item | undefined) => {
    for (const owner of Array.isArray(app?.owners) ? (app.owners as Item[]) : [])
      ctx.touch(change, { kind: 'principal', tenant, id: lower(owner.id) });
    const sp = app && docs.list(DocumentKind.servicePrincipals).find((i) => lower(i.appId) === lower(app.appId));
    if (sp) ctx.touch(change, { kind: 'principal', tenant, id: lower(sp.id) });
  };
  if (change.action === 'update' && previous && !owners) return false;
  touchApp(previous);
  if (change.action === 'update' && previous) {
    previous.owners = owners;
  } else {
    if (previous) removeWhere(list, (i) => i === previous);
    if (!objectId) return;
    const name = ctx.value(change, 'display_name');
    list.push({
      id: objectId,
      appId,
      displayName: name.known && typeof name.value === 'string' ? name.value : change.address,
      owners: owners ?? [],
    });
  }
  touchApp(list.find((i) => lower(i.id) === objectId));
}

/** azurerm_user_assigned_identity: a managed identity (its service principal). */
export function projectManagedIdentity(ctx: AzureContext, change: PlanChange): void {
  const target = objectChange(ctx, change, 'principal_id', 'ServicePrincipal');
  if (!target) return;
  const name = ctx.value(change, 'name');
  const client = ctx.value(change, 'client_id');
  const display = name.known && typeof name.value === 'string' ? name.value : change.address;
  ctx.planned.set(change.address, {
    principal_id: target.id,
    client_id: client.known && typeof client.value === 'string' ? client.value : `${target.id}-client`,
    tenant_id: target.tenant,
  });
  ctx.docs(target.tenant).put(DocumentKind.servicePrincipals, {
    id: target.id,
    appId: client.known && typeof client.value === 'string' ? client.value : target.id,
    displayName: display,
    servicePrincipalType: 'ManagedIdentity',
    accountEnabled: true,
  });
}

/** The template id of a directory role (by template id, role object id or display name), if the tenant knows it. */
function directoryRole(ctx: AzureContext, tenant: string, value: string): string | undefined {
  const id = lower(value);
  if (DIRECTORY_ROLES[id]) return id;
  const definitions = ctx.docs(tenant).list(DocumentKind.directoryRoleDefinitions);
  const found = definitions.find(
    (d) => lower(d.id) === id || lower(d.templateId) === id || lower(d.displayName) === id,
  );
  if (found) return lower(found.templateId ?? found.id);
  const byName = Object.entries(DIRECTORY_ROLES).find(([, r]) => lower(r.name) === id);
  return byName?.[0];
}

/** azuread_directory_role: activates a role in the tenant; it grants nothing by itself, but assignments refer to it. */
export function projectDirectoryRole(ctx: AzureContext, change: PlanChange): boolean {
  if (change.action === 'delete') return false;
  const tenant = ctx.tenantOf(change);
  const template = ctx.value(change, 'template_id');
  const display = ctx.value(change, 'display_name');
  const given = [template, display]
    .map((v) => (v.known && typeof v.value === 'string' && v.value !== '' ? v.value : undefined))
    .find(Boolean);
  const id = given ? directoryRole(ctx, tenant, given) : undefined;
  if (id)
    ctx.planned.set(change.address, {
      template_id: id,
      object_id: id,
      id,
      display_name: DIRECTORY_ROLES[id]?.name ?? given,
    });
  return false;
}

/** Where a resource type keeps an Entra role grant: its attributes, and the list and item shape it writes. */
interface DirectoryGrantShape {
  kind: string;
  principal: string;
  role: string;
  /** The attribute naming the directory scope; absent: the whole directory. */
  scope?: string;
  item(id: string, principal: string, role: string, scope: string): Item;
}

/** An Entra role grant (active or eligible) of one principal. */
function projectDirectoryGrant(ctx: AzureContext, change: PlanChange, shape: DirectoryGrantShape): void {
  const tenant = ctx.tenantOf(change);
  const docs = ctx.docs(tenant);
  docs.touched = true;
  const whole = [tenantScope(tenant)];
  applySides(change, (side) => {
    const values = side === 'before' ? change.before : change.after;
    if (!values) return;
    const read = (attribute: string) =>
      side === 'before'
        ? typeof values[attribute] === 'string'
          ? (values[attribute] as string)
          : undefined
        : ctx.text(change, attribute, whole);
    const principal = read(shape.principal)?.toLowerCase();
    const roleValue = read(shape.role);
    if (!principal || !roleValue) return;
    ctx.touch(change, { kind: 'principal', tenant, id: principal });
    const role = directoryRole(ctx, tenant, roleValue) ?? lower(roleValue);
    // Optional and computed: not set, it is the whole directory (the widest scope) after apply.
    const scopeValue =
      shape.scope && (side === 'before' || ctx.value(change, shape.scope).known) ? values[shape.scope] : undefined;
    const scope = typeof scopeValue === 'string' && scopeValue !== '' ? scopeValue : '/';
    if (side === 'before') {
      docs.remove(
        shape.kind,
        (i) =>
          (typeof values.id === 'string' && i.id === values.id) ||
          (lower(i.principalId) === principal &&
            lower(i.roleDefinitionId) === role &&
            (i.directoryScopeId ?? '/') === scope),
      );
      return;
    }
    if (
      !DIRECTORY_ROLES[role] &&
      !docs.list(DocumentKind.directoryRoleDefinitions).some((d) => lower(d.templateId ?? d.id) === role)
    ) {
      ctx.gap(
        change,
        `directory role ${role} is neither among the raw documents' role definitions nor a built-in role cloudward knows`,
        shape.role,
        whole,
      );
    }
    if (ctx.principalKind(tenant, principal) === 'Group' && !ctx.membersKnown(tenant, principal)) {
      ctx.gap(
        change,
        `the members of group ${principal} were not read (it held no role when the snapshot was taken): whoever they are gains this role`,
        shape.principal,
        whole,
      );
    }
    const id = plannedId(change);
    ctx.planned.set(change.address, { id });
    docs.list(shape.kind).push(shape.item(id, principal, role, scope));
  });
}

const activeGrant = (id: string, principal: string, role: string, scope: string): Item => ({
  id,
  principalId: principal,
  roleDefinitionId: role,
  directoryScopeId: scope,
});

/** azuread_directory_role_assignment: an active (standing) Entra role assignment. */
export function projectDirectoryRoleAssignment(ctx: AzureContext, change: PlanChange): void {
  projectDirectoryGrant(ctx, change, {
    kind: DocumentKind.directoryRoleAssignments,
    principal: 'principal_object_id',
    role: 'role_id',
    scope: 'directory_scope_id',
    item: activeGrant,
  });
}

/** azuread_directory_role_member: the older resource for an active Entra role assignment (of an activated role). */
export function projectDirectoryRoleMember(ctx: AzureContext, change: PlanChange): void {
  projectDirectoryGrant(ctx, change, {
    kind: DocumentKind.directoryRoleAssignments,
    principal: 'member_object_id',
    role: 'role_object_id',
    item: activeGrant,
  });
}

/** azuread_directory_role_eligibility_schedule_request: a PIM eligibility for an Entra role (no expiry is set). */
export function projectDirectoryRoleEligibility(ctx: AzureContext, change: PlanChange): void {
  projectDirectoryGrant(ctx, change, {
    kind: DocumentKind.directoryRoleEligibilitySchedules,
    principal: 'principal_id',
    role: 'role_definition_id',
    scope: 'directory_scope_id',
    item: (id, principal, role, scope) => ({
      id,
      principalId: principal,
      roleDefinitionId: role,
      directoryScopeId: scope,
      memberType: 'Direct',
      status: 'Provisioned',
      scheduleInfo: { startDateTime: null, expiration: { type: 'noExpiration', endDateTime: null } },
    }),
  });
}

/** The Graph users/applications/grant blocks of a Conditional Access policy from the provider's nested blocks. */
function policyItem(ctx: AzureContext, change: PlanChange, id: string, whole: string[]): Item {
  const after = change.after ?? {};
  const text = (attribute: string, fallback: string) => {
    const v = ctx.value(change, attribute);
    if (!v.known) ctx.gap(change, v.reason, attribute, whole);
    return v.known && typeof v.value === 'string' && v.value !== '' ? v.value : fallback;
  };
  // What cannot be known is taken at its most protective (all users, all apps, MFA required) with a gap on the
  // tenant: no result fails on a guess, and none passes on one.
  const block = (attribute: string): boolean => {
    const v = ctx.value(change, attribute);
    if (!v.known) ctx.gap(change, v.reason, attribute, whole);
    return v.known;
  };
  const conditionsKnown = block('conditions');
  const grantKnown = block('grant_controls');
  const at = (path: string) => stringList(ctx.nested(after, path));
  const users = conditionsKnown
    ? {
        includeUsers: at('conditions.0.users.0.included_users'),
        excludeUsers: at('conditions.0.users.0.excluded_users'),
        includeGroups: at('conditions.0.users.0.included_groups'),
        excludeGroups: at('conditions.0.users.0.excluded_groups'),
        includeRoles: at('conditions.0.users.0.included_roles'),
        excludeRoles: at('conditions.0.users.0.excluded_roles'),
      }
    : {
        includeUsers: ['All'],
        excludeUsers: [],
        includeGroups: [],
        excludeGroups: [],
        includeRoles: [],
        excludeRoles: [],
      };
  const applications = conditionsKnown
    ? {
        includeApplications: at('conditions.0.applications.0.included_applications'),
        excludeApplications: at('conditions.0.applications.0.excluded_applications'),
        includeUserActions: at('conditions.0.applications.0.included_user_actions'),
      }
    : { includeApplications: ['All'], excludeApplications: [], includeUserActions: [] };
  const strength = ctx.nested(after, 'grant_controls.0.authentication_strength_policy_id');
  const operator = ctx.nested(after, 'grant_controls.0.operator');
  return {
    id,
    displayName: text('display_name', change.address),
    state: text('state', 'enabled'),
    conditions: {
      users,
      applications,
      clientAppTypes: conditionsKnown ? at('conditions.0.client_app_types') : ['all'],
    },
    grantControls: grantKnown
      ? {
          operator: typeof operator === 'string' ? operator : 'OR',
          builtInControls: stringList(ctx.nested(after, 'grant_controls.0.built_in_controls')),
          authenticationStrength:
            typeof strength === 'string' && strength !== ''
              ? { id: strength, displayName: strength.split('/').at(-1) ?? strength }
              : null,
        }
      : { operator: 'OR', builtInControls: ['mfa'], authenticationStrength: null },
  };
}

/** azuread_conditional_access_policy: a Conditional Access policy (which users must use MFA, on which apps). */
export function projectConditionalAccessPolicy(ctx: AzureContext, change: PlanChange): void {
  const tenant = ctx.tenantOf(change);
  const docs = ctx.docs(tenant);
  docs.touched = true;
  const whole = [tenantScope(tenant)];
  const beforeId = typeof change.before?.id === 'string' ? change.before.id : undefined;
  if (beforeId) {
    ctx.touch(change, { kind: 'conditionalAccess', tenant, id: beforeId });
    docs.remove(DocumentKind.conditionalAccessPolicies, (i) => i.id === beforeId);
  }
  if (change.action === 'delete') return;
  const planned = ctx.value(change, 'id');
  const id =
    (change.action === 'update' ? beforeId : undefined) ??
    (planned.known && typeof planned.value === 'string' && planned.value !== '' ? planned.value : plannedId(change));
  ctx.touch(change, { kind: 'conditionalAccess', tenant, id });
  ctx.planned.set(change.address, { id, object_id: id });
  docs.list(DocumentKind.conditionalAccessPolicies).push(policyItem(ctx, change, id, whole));
}
