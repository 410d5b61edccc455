/**
 * The directory and resource facts the escalation graph needs beyond who holds which role, put on the principals they
 * concern (so the graph can be rebuilt from the snapshot alone): owners of each service principal (its own, and its
 * app registration's) and of each group, whether a group is role-assignable (`true`; `null` when the export does not
 * say; nothing when it is not), the Microsoft Graph application
 * permissions a service principal holds, the administrative units a user is a member of, and the compute that runs
 * code as each managed identity. Pure.
 */
import type { Principal } from '../../snapshot/model.js';
import type { RawDocument } from '../types.js';
import {
  DocumentKind,
  type AdministrativeUnit,
  type AppRoleAssignment,
  type ComputeResource,
  type ExpandedPrincipal,
  type GraphApplication,
  type GraphGroup,
  type GraphServicePrincipal,
} from './documents.js';
import { itemsOfKind } from './items.js';

/** Microsoft Graph's application id, the same in every tenant. */
export const MICROSOFT_GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

/**
 * Microsoft Graph application permissions (app role ids, the same in every tenant) that let their holder make itself
 * or others more: learn.microsoft.com/graph/permissions-reference.
 */
export const GRAPH_APP_ROLES: Record<string, string> = {
  '9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8': 'RoleManagement.ReadWrite.Directory',
  '06b708a9-e830-4db3-a914-8e69da51d44f': 'AppRoleAssignment.ReadWrite.All',
  '1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9': 'Application.ReadWrite.All',
  '19dbc75e-c2e2-444c-a770-ec69d8559fc7': 'Directory.ReadWrite.All',
  'dbaae8cf-10b5-4b86-a4a1-f871c94c6695': 'GroupMember.ReadWrite.All',
};

/** What kind of compute a resource is, by the export that lists it (and, for App Service, its `kind`). */
export type ComputeClass = 'vm' | 'automation' | 'functionapp' | 'webapp' | 'logicapp' | 'aks';

/** An owner as `$expand=owners` names it, and what it owns the principal through. */
export interface OwnerFact {
  id: string;
  of: 'application' | 'servicePrincipal' | 'group';
}

/** A compute resource that runs code as a managed identity. */
export interface HostFact {
  id: string;
  name: string;
  class: ComputeClass;
}

const lower = (s: unknown) => (typeof s === 'string' ? s.toLowerCase() : '');

const COMPUTE_KINDS: Array<[string, (r: ComputeResource) => ComputeClass]> = [
  [DocumentKind.virtualMachines, () => 'vm'],
  [DocumentKind.automationAccounts, () => 'automation'],
  [DocumentKind.sites, (r) => (/functionapp/i.test(r.kind ?? '') ? 'functionapp' : 'webapp')],
  [DocumentKind.logicWorkflows, () => 'logicapp'],
  [DocumentKind.managedClusters, () => 'aks'],
];

/** The managed identities a resource runs as: system-assigned, user-assigned, and an AKS cluster's kubelet identity. */
function identitiesOf(resource: ComputeResource): string[] {
  const identity = resource.identity && typeof resource.identity === 'object' ? resource.identity : undefined;
  const ids = [lower(identity?.principalId)];
  const assigned = identity?.userAssignedIdentities;
  if (assigned && typeof assigned === 'object')
    for (const value of Object.values(assigned)) ids.push(lower(value?.principalId));
  ids.push(lower(resource.identityProfile?.kubeletidentity?.objectId));
  return [...new Set(ids.filter(Boolean))];
}

const ownersOf = (owners: ExpandedPrincipal[] | null | undefined, of: OwnerFact['of']): OwnerFact[] =>
  (Array.isArray(owners) ? owners : [])
    .filter((o) => o && typeof o.id === 'string' && o.id !== '')
    .map((o) => ({ id: lower(o.id), of }));

/** Adds each fact the documents hold to the principal it concerns (in `details`); a fact about no known principal is left. */
export function attachEscalationFacts(principals: readonly Principal[], documents: readonly RawDocument[]): void {
  const byId = new Map(principals.map((p) => [lower(p.nativeId), p]));
  const note = (p: Principal, key: string, value: unknown) => (p.details = { ...p.details, [key]: value });
  const push = <T>(p: Principal, key: string, value: T) =>
    note(p, key, [...((p.details?.[key] as T[] | undefined) ?? []), value]);

  const applications = new Map(
    itemsOfKind<GraphApplication>(documents, DocumentKind.applications)
      .filter((a) => a.appId)
      .map((a) => [lower(a.appId), a]),
  );
  const graphIds = new Set<string>();
  for (const sp of itemsOfKind<GraphServicePrincipal>(documents, DocumentKind.servicePrincipals)) {
    if (lower(sp.appId) === MICROSOFT_GRAPH_APP_ID) graphIds.add(lower(sp.id));
    const principal = byId.get(lower(sp.id));
    if (!principal) continue;
    const owners = [
      ...ownersOf(applications.get(lower(sp.appId))?.owners, 'application'),
      ...ownersOf(sp.owners, 'servicePrincipal'),
    ];
    if (owners.length > 0) note(principal, 'owners', owners);
  }
  for (const group of itemsOfKind<GraphGroup>(documents, DocumentKind.groups)) {
    const principal = byId.get(lower(group.id));
    if (!principal) continue;
    // Most groups are not role-assignable: only the exception is recorded, and null where the export does not say.
    if (group.isAssignableToRole === true) note(principal, 'roleAssignable', true);
    else if (typeof group.isAssignableToRole !== 'boolean') note(principal, 'roleAssignable', null);
    const owners = ownersOf(group.owners, 'group');
    if (owners.length > 0) note(principal, 'owners', owners);
  }
  for (const a of itemsOfKind<AppRoleAssignment>(documents, DocumentKind.appRoleAssignments)) {
    const permission = GRAPH_APP_ROLES[lower(a.appRoleId)];
    const toGraph =
      graphIds.has(lower(a.resourceId)) || (graphIds.size === 0 && a.resourceDisplayName === 'Microsoft Graph');
    const holder = byId.get(lower(a.principalId));
    if (!permission || !toGraph || !holder || a.deletedDateTime) continue;
    const held = (holder.details?.graphAppRoles as string[] | undefined) ?? [];
    if (!held.includes(permission)) note(holder, 'graphAppRoles', [...held, permission].sort());
  }
  const units = itemsOfKind<AdministrativeUnit>(documents, DocumentKind.administrativeUnits);
  // Read with their members (`$expand=members`): every user is a member of the units listed and of no other. A unit
  // listed without `members` (the list read without the expansion) says nothing of who is in it.
  // Only a role scoped to a unit needs to know who is outside it: without one, memberships alone are recorded.
  const withMembers = units.every((unit) => Array.isArray(unit.members));
  const unitScoped = principals.some((p) =>
    (p.assignments ?? []).some((a) => /^\/administrativeUnits\//i.test(a.scope)),
  );
  if (withMembers && documents.some((d) => d.kind === DocumentKind.administrativeUnits)) {
    if (unitScoped) for (const p of principals) if (p.kind === 'user') note(p, 'administrativeUnits', []);
    for (const unit of units) {
      for (const member of Array.isArray(unit.members) ? unit.members : []) {
        const principal = byId.get(lower(member?.id));
        if (principal && unit.id) push(principal, 'administrativeUnits', lower(unit.id));
      }
    }
  }
  for (const [kind, classOf] of COMPUTE_KINDS) {
    for (const resource of itemsOfKind<ComputeResource>(documents, kind)) {
      if (typeof resource.id !== 'string') continue;
      for (const id of identitiesOf(resource)) {
        const identity = byId.get(id);
        if (identity)
          push<HostFact>(identity, 'runsOn', {
            id: resource.id,
            name: resource.name ?? resource.id.split('/').at(-1)!,
            class: classOf(resource),
          });
      }
    }
  }
}
