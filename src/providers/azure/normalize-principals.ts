/**
 * Who holds which role, where and how: Entra directory roles (active, PIM-eligible, PIM-activated) and Azure RBAC
 * roles at management group, subscription, resource group and resource scope, directly or through a group, joined
 * with the directory (users, guests, groups, service principals, managed identities) and MFA registration.
 */
import type {
  Assignment,
  AssignmentMode,
  Mfa,
  Principal,
  PrincipalKind,
  PrivilegeLevel,
  Role,
  Scope,
} from '../../snapshot/model.js';
import type { RawDocument } from '../types.js';
import {
  DocumentKind,
  type DirectoryRoleAssignment,
  type ExpandedPrincipal,
  type DirectoryRoleSchedule,
  type GraphGroup,
  type GraphServicePrincipal,
  type GraphUser,
  type RegistrationDetail,
  type RoleAssignment,
  type RoleSchedule,
} from './documents.js';
import { itemsOfKind } from './items.js';

/** One grant before group expansion: a principal, a role uid, a scope and a mode. */
export interface Grant {
  principalId: string;
  principalType?: string;
  principalName?: string;
  role: string;
  scope: string;
  mode: AssignmentMode;
  expiresAt?: string | null;
  condition?: string | null;
  /** The principal as `$expand=principal` printed it beside the assignment. */
  expanded?: ExpandedPrincipal;
}

// Not every edited export holds text where the API writes it: anything else reads as no value.
const lower = (s: unknown) => (typeof s === 'string' ? s.toLowerCase() : '');

/** A timestamp in one form whatever printed it (`az`: `...00Z`, the SDK: `.000Z`, PIM: `.33Z`); null stays null. */
export function isoTime(value: string | null | undefined): string | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : new Date(ms).toISOString().replace('.000Z', 'Z');
}
const lastSegment = (id: string | undefined) => lower(id).split('/').at(-1) ?? '';

/** The schedule instance of an Entra role assignment: by its origin id, else by principal, role and scope. */
export function directoryInstanceOf(
  instances: readonly DirectoryRoleSchedule[],
  a: DirectoryRoleAssignment,
): DirectoryRoleSchedule | undefined {
  return instances.find(
    (i) =>
      (i.roleAssignmentOriginId && i.roleAssignmentOriginId === a.id) ||
      (lower(i.principalId) === lower(a.principalId) &&
        lower(i.roleDefinitionId) === lower(a.roleDefinitionId) &&
        (i.directoryScopeId ?? '/') === (a.directoryScopeId ?? '/')),
  );
}

/** The schedule instance of an Azure role assignment (`originRoleAssignmentId`). */
export function armInstanceOf(instances: readonly RoleSchedule[], a: RoleAssignment): RoleSchedule | undefined {
  return instances.find((i) => lower(i.originRoleAssignmentId) === lower(a.id));
}

/** An eligibility read as its schedule or as its instances counts once: by its schedule's id. */
const eligibilityKey = (
  e: { id?: string; roleEligibilityScheduleId?: string; principalId?: string; roleDefinitionId?: string },
  scope: string | undefined,
) =>
  `eligible ${lower(e.roleEligibilityScheduleId ?? e.id) || `${lower(e.principalId)} ${lower(e.roleDefinitionId)} ${lower(scope)}`}`;

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Entra grants: active assignments (PIM activations told apart by their schedule instance) and eligibilities, read
 * as schedules or as their instances. Expects screened documents (see drops.ts): what grants nothing is gone.
 */
export function directoryGrants(tenantId: string, documents: readonly RawDocument[]): Grant[] {
  const role = (id: string | undefined) => `azure:${tenantId}:directoryRole/${lower(id)}`;
  const instances = itemsOfKind<DirectoryRoleSchedule>(
    documents,
    DocumentKind.directoryRoleAssignmentScheduleInstances,
  );
  const grants: Grant[] = [];
  for (const a of itemsOfKind<DirectoryRoleAssignment>(documents, DocumentKind.directoryRoleAssignments)) {
    if (!a.principalId || !a.roleDefinitionId) continue;
    const instance = directoryInstanceOf(instances, a);
    const activated = instance?.assignmentType === 'Activated';
    grants.push({
      principalId: lower(a.principalId),
      role: role(a.roleDefinitionId),
      scope: a.directoryScopeId ?? '/',
      mode: activated ? 'active-jit' : 'standing',
      ...(instance?.endDateTime ? { expiresAt: isoTime(instance.endDateTime) } : {}),
      ...(isObject(a.principal) ? { expanded: a.principal } : {}),
    });
  }
  const seen = new Set<string>();
  const eligible = [
    ...itemsOfKind<DirectoryRoleSchedule>(documents, DocumentKind.directoryRoleEligibilitySchedules).map((e) => ({
      e,
      end: e.scheduleInfo?.expiration?.endDateTime,
    })),
    ...itemsOfKind<DirectoryRoleSchedule>(documents, DocumentKind.directoryRoleEligibilityScheduleInstances).map(
      (e) => ({ e, end: e.endDateTime }),
    ),
  ];
  for (const { e, end } of eligible) {
    const key = eligibilityKey(e, e.directoryScopeId);
    if (!e.principalId || !e.roleDefinitionId || seen.has(key)) continue;
    seen.add(key);
    grants.push({
      principalId: lower(e.principalId),
      role: role(e.roleDefinitionId),
      scope: e.directoryScopeId ?? '/',
      mode: 'eligible',
      expiresAt: isoTime(end),
      ...(isObject(e.principal) ? { expanded: e.principal } : {}),
    });
  }
  return grants;
}

/**
 * Azure RBAC grants over every subscription (an inherited assignment is listed in each; it counts once), with the
 * principal's name and type from PIM's `expandedProperties` when the assignment leaves them out.
 */
export function azureGrants(tenantId: string, documents: readonly RawDocument[]): Grant[] {
  const role = (id: string | undefined) => `azure:${tenantId}:roleDefinition/${lastSegment(id)}`;
  const instances = itemsOfKind<RoleSchedule>(documents, DocumentKind.roleAssignmentScheduleInstances);
  const seen = new Set<string>();
  const grants: Grant[] = [];
  const named = (a: RoleAssignment & Pick<RoleSchedule, 'expandedProperties'>) => {
    const type = a.principalType ?? a.expandedProperties?.principal?.type;
    const name = a.principalName ?? a.expandedProperties?.principal?.displayName;
    return { ...(type ? { principalType: type } : {}), ...(name ? { principalName: name } : {}) };
  };
  for (const a of itemsOfKind<RoleAssignment & Pick<RoleSchedule, 'expandedProperties'>>(
    documents,
    DocumentKind.roleAssignments,
  )) {
    const key = lower(a.id) || `${lower(a.principalId)} ${lower(a.roleDefinitionId)} ${lower(a.scope)}`;
    if (!a.principalId || !a.roleDefinitionId || seen.has(key)) continue;
    seen.add(key);
    const instance = armInstanceOf(instances, a);
    const activated = instance?.assignmentType === 'Activated';
    grants.push({
      principalId: lower(a.principalId),
      ...named(a),
      role: role(a.roleDefinitionId),
      scope: a.scope ?? '/',
      mode: activated ? 'active-jit' : 'standing',
      ...(instance?.endDateTime ? { expiresAt: isoTime(instance.endDateTime) } : {}),
      condition: a.condition ?? null,
    });
  }
  for (const kind of [DocumentKind.roleEligibilitySchedules, DocumentKind.roleEligibilityScheduleInstances]) {
    for (const e of itemsOfKind<RoleSchedule>(documents, kind)) {
      const key = eligibilityKey(e, e.scope);
      if (!e.principalId || !e.roleDefinitionId || seen.has(key)) continue;
      seen.add(key);
      grants.push({
        principalId: lower(e.principalId),
        ...named(e),
        role: role(e.roleDefinitionId),
        scope: e.scope ?? '/',
        mode: 'eligible',
        expiresAt: isoTime(e.endDateTime),
        condition: e.condition ?? null,
      });
    }
  }
  return grants;
}

/** Where an assignment applies, in words: `subscription acme-prod`, `resource group rg-web`, `management group mg-root`. */
function describeScope(scope: string, subscriptionNames: ReadonlyMap<string, string>, directory: boolean): string {
  if (typeof scope !== 'string') return `scope ${JSON.stringify(scope)}`;
  if (directory) return scope === '/' ? 'the directory' : `directory scope ${scope}`;
  const parts = scope.split('/').filter(Boolean);
  if (parts.length === 0) return 'the root scope "/"';
  if (/^providers$/i.test(parts[0]!) && /^Microsoft\.Management$/i.test(parts[1] ?? ''))
    return `management group ${parts[3] ?? ''}`;
  if (/^subscriptions$/i.test(parts[0]!)) {
    const sub = subscriptionNames.get(lower(parts[1])) ?? parts[1]!;
    if (parts.length === 2) return `subscription ${sub}`;
    if (parts.length === 4 && /^resourceGroups$/i.test(parts[2]!))
      return `resource group ${parts[3]} (subscription ${sub})`;
    return `resource ${parts.at(-1)} (subscription ${sub})`;
  }
  return scope;
}

const PHISHING_RESISTANT = new Set([
  'fido2',
  'windowsHelloForBusiness',
  'passKeyDeviceBound',
  'passKeyDeviceBoundAuthenticator',
  'passKeyDeviceBoundWindowsHello',
  'x509Certificate',
  'x509CertificateMultiFactor',
]);

/** MFA from the registration report: `isMfaRegistered` decides (an email or security question alone is not MFA). */
function mfaOf(detail: RegistrationDetail | undefined): Mfa {
  if (!detail || typeof detail.isMfaRegistered !== 'boolean') return { state: 'unknown' };
  const methods = Array.isArray(detail.methodsRegistered) ? detail.methodsRegistered : [];
  return {
    state: detail.isMfaRegistered ? 'enabled' : 'disabled',
    methods,
    phishingResistant: methods.some((m) => PHISHING_RESISTANT.has(m)),
    hardware: methods.includes('fido2'),
  };
}

const KIND_OF_TYPE: Record<string, PrincipalKind> = {
  user: 'user',
  group: 'group',
  foreigngroup: 'group',
  serviceprincipal: 'servicePrincipal',
};
const LEVELS: PrivilegeLevel[] = ['none', 'privileged', 'admin'];

interface DirectoryView {
  tenantId: string;
  scope: Scope;
  documents: readonly RawDocument[];
  roles: ReadonlyMap<string, Role>;
  subscriptionNames: ReadonlyMap<string, string>;
}

/**
 * Principals with their assignments: every user and service principal of the directory, and each group that holds
 * a role; a principal a role assignment names but the directory does not list (deleted, or the directory was not
 * read) is kept with what the assignment says, marked `unresolved`.
 */
export function buildPrincipals(view: DirectoryView, grants: readonly Grant[]): Principal[] {
  const { tenantId, scope, documents } = view;
  const byId = new Map<string, Principal>();
  const registration = new Map(
    itemsOfKind<RegistrationDetail>(documents, DocumentKind.registrationDetails).map((r) => [lower(r.id), r]),
  );
  // What the report says of a user is a fact even when the report is incomplete (a missing page, a single read): a
  // user it does not list is unknown either way.
  const mfaOfUser = (id: string): Mfa => mfaOf(registration.get(id));
  const add = (id: string, kind: PrincipalKind, name: string, extra: Partial<Principal>) => {
    const principal: Principal = {
      uid: `azure:${tenantId}:${kind}/${id}`,
      provider: 'azure',
      scope,
      nativeId: id,
      kind,
      name,
      ...extra,
    };
    byId.set(id, principal);
    return principal;
  };
  for (const user of itemsOfKind<GraphUser>(documents, DocumentKind.users)) {
    if (!user.id) continue;
    const id = lower(user.id);
    add(id, 'user', user.userPrincipalName ?? user.displayName ?? id, {
      // `az ad user list` prints no userType: an invited guest's UPN still carries #EXT#.
      guest: user.userType ? lower(user.userType) === 'guest' : (user.userPrincipalName ?? '').includes('#EXT#'),
      interactive: true,
      ...(typeof user.accountEnabled === 'boolean' ? { enabled: user.accountEnabled } : {}),
      mfa: mfaOfUser(id),
      ...(user.createdDateTime ? { createdAt: isoTime(user.createdDateTime) } : {}),
      details: { displayName: user.displayName ?? null },
    });
  }
  for (const sp of itemsOfKind<GraphServicePrincipal>(documents, DocumentKind.servicePrincipals)) {
    if (!sp.id) continue;
    const managed = sp.servicePrincipalType === 'ManagedIdentity';
    add(lower(sp.id), managed ? 'managedIdentity' : 'servicePrincipal', sp.displayName ?? sp.appId ?? sp.id, {
      interactive: false,
      ...(typeof sp.accountEnabled === 'boolean' ? { enabled: sp.accountEnabled } : {}),
      details: { appId: sp.appId ?? null, servicePrincipalType: sp.servicePrincipalType ?? null },
    });
  }
  const groupNames = new Map(
    itemsOfKind<GraphGroup>(documents, DocumentKind.groups).map((g) => [lower(g.id), g.displayName ?? '']),
  );
  const members = new Map<string, string[]>();
  for (const d of documents.filter((doc) => doc.kind === DocumentKind.groupMembers)) {
    const groupId = lower((d.body as { groupId?: string }).groupId);
    const ids = itemsOfKind<{ id?: string }>([d], DocumentKind.groupMembers)
      .map((m) => lower(m.id))
      .filter(Boolean);
    members.set(groupId, [...(members.get(groupId) ?? []), ...ids]);
  }
  const principalOf = (grant: Grant): Principal => {
    const existing = byId.get(grant.principalId);
    if (existing) return existing;
    const groupName = groupNames.get(grant.principalId);
    if (groupName === undefined && grant.expanded)
      return add(grant.principalId, ...expandedPrincipal(grant.expanded, grant.principalId, mfaOfUser));
    const kind =
      groupName !== undefined
        ? 'group'
        : (KIND_OF_TYPE[lower(grant.principalType)] ??
          (grant.role.includes(':directoryRole/') ? 'user' : 'servicePrincipal'));
    return add(grant.principalId, kind, groupName || grant.principalName || grant.principalId, {
      ...(kind === 'user' ? { mfa: mfaOfUser(grant.principalId) } : {}),
      details: groupName !== undefined ? {} : { unresolved: true, principalType: grant.principalType ?? null },
    });
  };
  for (const grant of grants) {
    const holder = principalOf(grant);
    const role = view.roles.get(grant.role);
    const assignment: Assignment = {
      role: grant.role,
      scope: grant.scope,
      mode: grant.mode,
      via: 'direct',
      ...(grant.expiresAt !== undefined ? { expiresAt: grant.expiresAt } : {}),
      ...(grant.condition ? { condition: grant.condition } : {}),
      rolePrivilege: assignmentLevel(role, grant),
    };
    const targets: Array<{ principal: Principal; via: string }> = [{ principal: holder, via: 'direct' }];
    if (holder.kind === 'group')
      for (const member of members.get(grant.principalId) ?? [])
        targets.push({
          principal:
            byId.get(member) ??
            principalOf({ ...grant, principalId: member, principalType: undefined, principalName: undefined }),
          via: holder.uid,
        });
    for (const { principal, via } of targets) {
      (principal.assignments ??= []).push({ ...assignment, via });
      notePrivilege(
        principal,
        role,
        assignment,
        describeScope(grant.scope, view.subscriptionNames, grant.role.includes(':directoryRole/')),
        via === 'direct' ? undefined : holder.name,
      );
    }
  }
  // A user the registration report lists but nothing else names (the users list was not read, or is older): what the
  // report says of them, whether they are enabled unknown.
  for (const [id, detail] of registration) {
    if (!id || byId.has(id)) continue;
    add(id, 'user', detail.userPrincipalName ?? id, {
      ...(typeof detail.userType === 'string' ? { guest: lower(detail.userType) === 'guest' } : {}),
      interactive: true,
      mfa: mfaOf(detail),
      details: { knownFrom: 'userRegistrationDetails', isAdmin: detail.isAdmin ?? null },
    });
  }
  for (const principal of byId.values()) {
    principal.assignments ??= [];
    principal.privilege ??= { level: 'none', reasons: [] };
  }
  return [...byId.values()].sort((a, b) => (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0));
}

/**
 * A principal known only through `$expand=principal`: what the expansion says (its type, name, userType, whether it
 * is enabled); what it leaves out stays unset (unknown), and MFA comes from the registration report as for any user.
 */
function expandedPrincipal(
  expanded: ExpandedPrincipal,
  id: string,
  mfaOfUser: (id: string) => Mfa,
): [PrincipalKind, string, Partial<Principal>] {
  const type = lower(expanded['@odata.type']).replace(/^#?microsoft\.graph\./, '');
  const kind: PrincipalKind =
    type === 'serviceprincipal'
      ? expanded.servicePrincipalType === 'ManagedIdentity'
        ? 'managedIdentity'
        : 'servicePrincipal'
      : (KIND_OF_TYPE[type] ?? 'user');
  const name = expanded.userPrincipalName ?? expanded.displayName ?? expanded.appId ?? id;
  const enabled = typeof expanded.accountEnabled === 'boolean' ? { enabled: expanded.accountEnabled } : {};
  const details = {
    expandedFrom: 'roleAssignments?$expand=principal',
    displayName: expanded.displayName ?? null,
    ...(kind === 'user'
      ? {}
      : { appId: expanded.appId ?? null, servicePrincipalType: expanded.servicePrincipalType ?? null }),
  };
  if (kind !== 'user')
    return [kind, name, { ...(kind === 'group' ? {} : { interactive: false }), ...enabled, details }];
  const guest =
    typeof expanded.userType === 'string'
      ? { guest: lower(expanded.userType) === 'guest' }
      : expanded.userPrincipalName
        ? { guest: expanded.userPrincipalName.includes('#EXT#') }
        : {};
  return [kind, name, { ...guest, interactive: true, ...enabled, mfa: mfaOfUser(id), details }];
}

/** The privilege an assignment confers: an ABAC condition on a role that can only write role assignments constrains it. */
function assignmentLevel(role: Role | undefined, grant: Grant): PrivilegeLevel {
  const level = role?.privilege.level ?? 'none';
  const allActions = role?.permissions.allow.includes('*') ?? false;
  if (level === 'admin' && grant.condition && role?.details?.grantsAccess === true && !allActions) return 'privileged';
  return level;
}

function notePrivilege(
  principal: Principal,
  role: Role | undefined,
  assignment: Assignment,
  where: string,
  group: string | undefined,
): void {
  const level = assignment.rolePrivilege ?? 'none';
  const current = principal.privilege ?? { level: 'none', reasons: [] };
  if (level !== 'none') {
    const mode =
      assignment.mode === 'eligible' ? 'eligible for ' : assignment.mode === 'active-jit' ? 'activated (PIM) ' : '';
    const standing = assignment.mode === 'standing' ? ' (standing)' : '';
    const constrained =
      assignment.condition && level === 'privileged' && role?.privilege.level === 'admin'
        ? ', constrained by an ABAC condition'
        : '';
    current.reasons.push(
      `${mode}${role?.name ?? assignment.role} on ${where}${standing}${group ? ` via group ${group}` : ''}${constrained}`,
    );
    if (LEVELS.indexOf(level) > LEVELS.indexOf(current.level)) current.level = level;
  }
  principal.privilege = current;
}
