/**
 * The raw Azure and Entra ID documents cloudward reads, in the shapes `az` and Microsoft Graph print them: ARM lists
 * as `az` prints them (flattened items, or `{"value": [...], "nextLink"}` pages from `az rest`), Graph pages with
 * their `@odata.context` and `@odata.nextLink`. Live collection writes the same shapes, so collection and import
 * feed one normalizer.
 *
 * Subscription-level documents carry their subscription in `origin`, as `subscriptions/<id>: <call or file>`:
 * the bodies stay exactly as printed (an empty list does not name its subscription).
 */

import type { Shape } from '../cloud/shape.js';

/** RawDocument kinds of the Azure provider. */
export const DocumentKind = {
  subscriptions: 'azure.arm.subscriptions',
  managementGroupDescendants: 'azure.arm.managementGroupDescendants',
  roleAssignments: 'azure.arm.roleAssignments',
  roleDefinitions: 'azure.arm.roleDefinitions',
  roleEligibilitySchedules: 'azure.arm.roleEligibilitySchedules',
  roleAssignmentScheduleInstances: 'azure.arm.roleAssignmentScheduleInstances',
  /** PIM eligibility as its instances (`az rest` on `.../roleEligibilityScheduleInstances`): read like the schedules. */
  roleEligibilityScheduleInstances: 'azure.arm.roleEligibilityScheduleInstances',
  diagnosticSettings: 'azure.arm.diagnosticSettings',
  organization: 'azure.graph.organization',
  users: 'azure.graph.users',
  groups: 'azure.graph.groups',
  groupMembers: 'azure.graph.groupMembers',
  servicePrincipals: 'azure.graph.servicePrincipals',
  registrationDetails: 'azure.graph.userRegistrationDetails',
  directoryRoleAssignments: 'azure.graph.directoryRoleAssignments',
  directoryRoleEligibilitySchedules: 'azure.graph.directoryRoleEligibilitySchedules',
  directoryRoleAssignmentScheduleInstances: 'azure.graph.directoryRoleAssignmentScheduleInstances',
  directoryRoleEligibilityScheduleInstances: 'azure.graph.directoryRoleEligibilityScheduleInstances',
  directoryRoleDefinitions: 'azure.graph.directoryRoleDefinitions',
  conditionalAccessPolicies: 'azure.graph.conditionalAccessPolicies',
  securityDefaults: 'azure.graph.securityDefaults',
  /** `/applications?$expand=owners`: app registrations and their owners (who can add a secret to the app's service principal). */
  applications: 'azure.graph.applications',
  /** `/servicePrincipals/{id}/appRoleAssignments` or Microsoft Graph's `/servicePrincipals/{id}/appRoleAssignedTo`: application permissions held. */
  appRoleAssignments: 'azure.graph.appRoleAssignments',
  /** `/directory/administrativeUnits?$expand=members`: which principals a role scoped to a unit reaches. */
  administrativeUnits: 'azure.graph.administrativeUnits',
  /** Compute that runs code as a managed identity, as `az vm list`, `az automation account list`, `az functionapp list` / `az webapp list`, `az logic workflow list` and `az aks list` print it. */
  virtualMachines: 'azure.arm.virtualMachines',
  automationAccounts: 'azure.arm.automationAccounts',
  sites: 'azure.arm.sites',
  logicWorkflows: 'azure.arm.logicWorkflows',
  managedClusters: 'azure.arm.managedClusters',
  /** An error body (`{"error": {"code", "message"}}`) with the request it answered (`"request": "GET <url>"`). */
  error: 'azure.error',
  /** cloudward's own note beside `--raw-out` files: which tenant, and when it was read. */
  collection: 'azure.cloudward.Collection',
} as const;

export type DocumentKindValue = (typeof DocumentKind)[keyof typeof DocumentKind];

/** Gap topics (the `what` of a Gap), with what each covers; checks list the ones they need. */
export const GAP_TOPICS = {
  'azure.subscriptions': 'the subscriptions and management groups the credential can read',
  'azure.role-assignments': 'Azure RBAC role assignments and role definitions of a subscription',
  'azure.pim': 'PIM eligibility and activation, for Azure roles (per subscription) and Entra roles (tenant)',
  'azure.diagnostic-settings': "a subscription's activity-log diagnostic settings",
  'azure.directory': 'Entra ID users, groups, group members and service principals',
  'azure.mfa-registration': 'the authentication methods registration report (userRegistrationDetails)',
  'azure.directory-roles': 'Entra directory role assignments and definitions',
  'azure.conditional-access': 'Conditional Access policies',
  'azure.security-defaults': 'the security defaults enforcement policy',
  'azure.escalation':
    'owners of applications and groups, Microsoft Graph application permissions and administrative unit members, for the escalation graph',
  'azure.compute-identities':
    'the managed identities VMs, Automation accounts, function and web apps, Logic Apps and AKS clusters run as',
} as const;

type GapTopicValue = keyof typeof GAP_TOPICS;

/** One read the collector makes (or an export import accepts), the permission it needs and the topic it opens. */
interface AzureOperation {
  /** How gaps name it: `GET <path>` without host or api-version. */
  id: string;
  kind: DocumentKindValue;
  topic: GapTopicValue;
  api: 'arm' | 'graph';
  /** An Azure RBAC action (ARM) or a Graph application permission. */
  permission: string;
  licence?: string;
  level: 'organization' | 'scope';
  /** The `az` command that exports the same document, for import hints. */
  export: string;
  purpose: string;
}

const P2 = 'Microsoft Entra ID P2 (or Entra ID Governance)';
const P1 = 'Microsoft Entra ID P1';

/** Path patterns (subscription ids replaced by `{id}`) -> the operation. */
export const OPERATIONS: AzureOperation[] = [
  {
    id: 'GET /subscriptions',
    kind: DocumentKind.subscriptions,
    topic: 'azure.subscriptions',
    api: 'arm',
    permission: 'Microsoft.Resources/subscriptions/read',
    level: 'organization',
    export: 'az account list -o json',
    purpose: 'which subscriptions to read',
  },
  {
    id: 'GET /providers/Microsoft.Management/managementGroups/{id}/descendants',
    kind: DocumentKind.managementGroupDescendants,
    topic: 'azure.subscriptions',
    api: 'arm',
    permission: 'Microsoft.Management/managementGroups/descendants/read',
    level: 'organization',
    export: 'az rest --url /providers/Microsoft.Management/managementGroups/<id>/descendants?api-version=2020-05-01',
    purpose: 'the subscriptions under --management-group',
  },
  {
    id: 'GET /subscriptions/{id}/providers/Microsoft.Authorization/roleAssignments',
    kind: DocumentKind.roleAssignments,
    topic: 'azure.role-assignments',
    api: 'arm',
    permission: 'Microsoft.Authorization/roleAssignments/read',
    level: 'scope',
    export: 'az role assignment list --all --include-inherited -o json',
    purpose: 'who holds which Azure role where (management-group assignments included)',
  },
  {
    id: 'GET /subscriptions/{id}/providers/Microsoft.Authorization/roleDefinitions',
    kind: DocumentKind.roleDefinitions,
    topic: 'azure.role-assignments',
    api: 'arm',
    permission: 'Microsoft.Authorization/roleDefinitions/read',
    level: 'scope',
    export: 'az role definition list -o json',
    purpose: 'what each Azure role allows (custom roles by their actions)',
  },
  {
    id: 'GET /subscriptions/{id}/providers/Microsoft.Authorization/roleDefinitions/{id}',
    kind: DocumentKind.roleDefinitions,
    topic: 'azure.role-assignments',
    api: 'arm',
    permission: 'Microsoft.Authorization/roleDefinitions/read',
    level: 'scope',
    export: 'az role definition list --name <role-definition-id> -o json',
    purpose: 'a definition an assignment names that no list returned, read by its id',
  },
  {
    id: 'GET /subscriptions/{id}/providers/Microsoft.Authorization/roleEligibilitySchedules',
    kind: DocumentKind.roleEligibilitySchedules,
    topic: 'azure.pim',
    api: 'arm',
    permission: 'Microsoft.Authorization/roleEligibilitySchedules/read',
    licence: P2,
    level: 'scope',
    export:
      'az rest --url /subscriptions/<id>/providers/Microsoft.Authorization/roleEligibilitySchedules?api-version=2020-10-01',
    purpose: 'PIM-eligible Azure role assignments',
  },
  {
    id: 'GET /subscriptions/{id}/providers/Microsoft.Authorization/roleAssignmentScheduleInstances',
    kind: DocumentKind.roleAssignmentScheduleInstances,
    topic: 'azure.pim',
    api: 'arm',
    permission: 'Microsoft.Authorization/roleAssignmentScheduleInstances/read',
    licence: P2,
    level: 'scope',
    export:
      'az rest --url /subscriptions/<id>/providers/Microsoft.Authorization/roleAssignmentScheduleInstances?api-version=2020-10-01',
    purpose: 'which active Azure role assignments are PIM activations (time-bound)',
  },
  {
    id: 'GET /subscriptions/{id}/providers/Microsoft.Insights/diagnosticSettings',
    kind: DocumentKind.diagnosticSettings,
    topic: 'azure.diagnostic-settings',
    api: 'arm',
    permission: 'Microsoft.Insights/DiagnosticSettings/Read',
    level: 'scope',
    export: 'az monitor diagnostic-settings subscription list -o json',
    purpose: 'whether the activity log is exported, and which categories',
  },
  {
    id: 'GET /subscriptions/{id}/providers/Microsoft.Compute/virtualMachines',
    kind: DocumentKind.virtualMachines,
    topic: 'azure.compute-identities',
    api: 'arm',
    permission: 'Microsoft.Compute/virtualMachines/read',
    level: 'scope',
    export: 'az vm list -o json',
    purpose: 'the managed identities each VM runs as',
  },
  {
    id: 'GET /subscriptions/{id}/providers/Microsoft.Automation/automationAccounts',
    kind: DocumentKind.automationAccounts,
    topic: 'azure.compute-identities',
    api: 'arm',
    permission: 'Microsoft.Automation/automationAccounts/read',
    level: 'scope',
    export: 'az automation account list -o json',
    purpose: 'the managed identities runbooks run as',
  },
  {
    id: 'GET /subscriptions/{id}/providers/Microsoft.Web/sites',
    kind: DocumentKind.sites,
    topic: 'azure.compute-identities',
    api: 'arm',
    permission: 'Microsoft.Web/sites/Read',
    level: 'scope',
    export: 'az webapp list -o json, az functionapp list -o json',
    purpose: 'the managed identities function and web apps run as',
  },
  {
    id: 'GET /subscriptions/{id}/providers/Microsoft.Logic/workflows',
    kind: DocumentKind.logicWorkflows,
    topic: 'azure.compute-identities',
    api: 'arm',
    permission: 'Microsoft.Logic/workflows/read',
    level: 'scope',
    export: 'az logic workflow list -o json',
    purpose: 'the managed identities Logic Apps run as',
  },
  {
    id: 'GET /subscriptions/{id}/providers/Microsoft.ContainerService/managedClusters',
    kind: DocumentKind.managedClusters,
    topic: 'azure.compute-identities',
    api: 'arm',
    permission: 'Microsoft.ContainerService/managedClusters/read',
    level: 'scope',
    export: 'az aks list -o json',
    purpose: "the managed identities an AKS cluster's nodes run as",
  },
  {
    id: 'GET /organization',
    kind: DocumentKind.organization,
    topic: 'azure.directory',
    api: 'graph',
    permission: 'Organization.Read.All',
    level: 'organization',
    export: 'az rest --url https://graph.microsoft.com/v1.0/organization',
    purpose: "the tenant's name",
  },
  {
    id: 'GET /users',
    kind: DocumentKind.users,
    topic: 'azure.directory',
    api: 'graph',
    permission: 'User.Read.All',
    level: 'organization',
    export:
      'az rest --url "https://graph.microsoft.com/v1.0/users?$select=id,displayName,userPrincipalName,userType,accountEnabled,createdDateTime"',
    purpose: 'users, guests and whether they can sign in',
  },
  {
    id: 'GET /groups',
    kind: DocumentKind.groups,
    topic: 'azure.directory',
    api: 'graph',
    permission: 'GroupMember.Read.All',
    level: 'organization',
    export:
      'az rest --url "https://graph.microsoft.com/v1.0/groups?$select=id,displayName,securityEnabled,isAssignableToRole&$expand=owners"',
    purpose: 'groups that hold roles, whether they are role-assignable, and their owners',
  },
  {
    id: 'GET /groups/{id}/transitiveMembers',
    kind: DocumentKind.groupMembers,
    topic: 'azure.directory',
    api: 'graph',
    permission: 'GroupMember.Read.All',
    level: 'organization',
    export: 'az rest --url https://graph.microsoft.com/v1.0/groups/<id>/transitiveMembers > group-members.<id>.json',
    purpose: 'who holds a role through a group (only groups that hold one)',
  },
  {
    id: 'GET /servicePrincipals',
    kind: DocumentKind.servicePrincipals,
    topic: 'azure.directory',
    api: 'graph',
    permission: 'Application.Read.All',
    level: 'organization',
    export:
      'az rest --url "https://graph.microsoft.com/v1.0/servicePrincipals?$select=id,appId,displayName,servicePrincipalType,accountEnabled&$expand=owners"',
    purpose: 'service principals and managed identities, and their owners',
  },
  {
    id: 'GET /applications',
    kind: DocumentKind.applications,
    topic: 'azure.escalation',
    api: 'graph',
    permission: 'Application.Read.All',
    level: 'organization',
    export: 'az rest --url "https://graph.microsoft.com/v1.0/applications?$select=id,appId,displayName&$expand=owners"',
    purpose: "owners of app registrations, who can add a secret to the app's service principal",
  },
  {
    id: 'GET /servicePrincipals/{id}/appRoleAssignedTo',
    kind: DocumentKind.appRoleAssignments,
    topic: 'azure.escalation',
    api: 'graph',
    permission: 'Application.Read.All',
    level: 'organization',
    export:
      'az rest --url https://graph.microsoft.com/v1.0/servicePrincipals/<Microsoft Graph service principal id>/appRoleAssignedTo',
    purpose: 'which service principals hold Microsoft Graph application permissions',
  },
  {
    id: 'GET /directory/administrativeUnits',
    kind: DocumentKind.administrativeUnits,
    topic: 'azure.escalation',
    api: 'graph',
    permission: 'AdministrativeUnit.Read.All',
    level: 'organization',
    export: 'az rest --url "https://graph.microsoft.com/v1.0/directory/administrativeUnits?$expand=members"',
    purpose: 'who a role scoped to an administrative unit reaches',
  },
  {
    id: 'GET /reports/authenticationMethods/userRegistrationDetails',
    kind: DocumentKind.registrationDetails,
    topic: 'azure.mfa-registration',
    api: 'graph',
    permission: 'AuditLog.Read.All',
    licence: P1,
    level: 'organization',
    export: 'az rest --url https://graph.microsoft.com/v1.0/reports/authenticationMethods/userRegistrationDetails',
    purpose: 'MFA registration of every user, in one paged report',
  },
  {
    id: 'GET /roleManagement/directory/roleAssignments',
    kind: DocumentKind.directoryRoleAssignments,
    topic: 'azure.directory-roles',
    api: 'graph',
    permission: 'RoleManagement.Read.Directory',
    level: 'organization',
    export: 'az rest --url https://graph.microsoft.com/v1.0/roleManagement/directory/roleAssignments',
    purpose: 'active Entra role assignments',
  },
  {
    id: 'GET /roleManagement/directory/roleDefinitions',
    kind: DocumentKind.directoryRoleDefinitions,
    topic: 'azure.directory-roles',
    api: 'graph',
    permission: 'RoleManagement.Read.Directory',
    level: 'organization',
    export: 'az rest --url https://graph.microsoft.com/v1.0/roleManagement/directory/roleDefinitions',
    purpose: 'Entra role names and template ids',
  },
  {
    id: 'GET /roleManagement/directory/roleEligibilitySchedules',
    kind: DocumentKind.directoryRoleEligibilitySchedules,
    topic: 'azure.pim',
    api: 'graph',
    permission: 'RoleEligibilitySchedule.Read.Directory',
    licence: P2,
    level: 'organization',
    export: 'az rest --url https://graph.microsoft.com/v1.0/roleManagement/directory/roleEligibilitySchedules',
    purpose: 'PIM-eligible Entra role assignments',
  },
  {
    id: 'GET /roleManagement/directory/roleAssignmentScheduleInstances',
    kind: DocumentKind.directoryRoleAssignmentScheduleInstances,
    topic: 'azure.pim',
    api: 'graph',
    permission: 'RoleAssignmentSchedule.Read.Directory',
    licence: P2,
    level: 'organization',
    export: 'az rest --url https://graph.microsoft.com/v1.0/roleManagement/directory/roleAssignmentScheduleInstances',
    purpose: 'which active Entra role assignments are PIM activations',
  },
  {
    id: 'GET /identity/conditionalAccess/policies',
    kind: DocumentKind.conditionalAccessPolicies,
    topic: 'azure.conditional-access',
    api: 'graph',
    permission: 'Policy.Read.All',
    licence: P1,
    level: 'organization',
    export: 'az rest --url https://graph.microsoft.com/v1.0/identity/conditionalAccess/policies',
    purpose: 'which Conditional Access policies require MFA, for whom and for which apps',
  },
  {
    id: 'GET /policies/identitySecurityDefaultsEnforcementPolicy',
    kind: DocumentKind.securityDefaults,
    topic: 'azure.security-defaults',
    api: 'graph',
    permission: 'Policy.Read.All',
    level: 'organization',
    export: 'az rest --url https://graph.microsoft.com/v1.0/policies/identitySecurityDefaultsEnforcementPolicy',
    purpose: 'whether security defaults enforce MFA',
  },
];

/** The documents only the escalation graph reads. */
export const ESCALATION_KINDS: readonly DocumentKindValue[] = [
  DocumentKind.applications,
  DocumentKind.appRoleAssignments,
  DocumentKind.administrativeUnits,
  DocumentKind.virtualMachines,
  DocumentKind.automationAccounts,
  DocumentKind.sites,
  DocumentKind.logicWorkflows,
  DocumentKind.managedClusters,
];

/** Kinds an import accepts in place of an operation's own: eligibility schedule instances say what the schedules say. */
export const STANDS_FOR: Partial<Record<DocumentKindValue, DocumentKindValue>> = {
  [DocumentKind.roleEligibilityScheduleInstances]: DocumentKind.roleEligibilitySchedules,
  [DocumentKind.directoryRoleEligibilityScheduleInstances]: DocumentKind.directoryRoleEligibilitySchedules,
};

export function operationOfKind(kind: string): AzureOperation | undefined {
  const own = STANDS_FOR[kind as DocumentKindValue] ?? kind;
  return OPERATIONS.find((o) => o.kind === own);
}

const GUID = '[0-9A-Za-z._-]+';

/** The operation a request (an absolute URL or a path, with or without `GET `) answers. */
export function operationOfRequest(request: string): AzureOperation | undefined {
  const path = request
    .replace(/^GET\s+/i, '')
    .replace(/^https?:\/\/[^/]+/i, '')
    .replace(/^\/(v1\.0|beta)(?=\/)/, '')
    .replace(/[?#].*$/, '');
  return OPERATIONS.find((o) => new RegExp(`^${o.id.replace(/^GET /, '').replace(/\{id\}/g, GUID)}$`, 'i').test(path));
}

/** Well-known ids. */
export const WINDOWS_AZURE_SERVICE_MANAGEMENT_API = '797f4846-ba00-4fd7-ba43-dac1f8f63013';

// Shapes of the documents (the fields cloudward reads). Every field is optional: exports differ by version.

export interface ErrorBody {
  error: { code?: string; message?: string };
  /** `GET <url>`: the request the error answered (cloudward adds it; `az rest` prints the URL in its log). */
  request?: string;
  /** The HTTP status, when known. */
  status?: number;
}

export interface CollectionBody {
  Cloudward: { Provider: 'azure'; TenantId: string; CollectedAt: string; Subscriptions?: string[] };
}

export interface Subscription {
  id?: string;
  subscriptionId?: string;
  displayName?: string;
  name?: string;
  tenantId?: string;
  homeTenantId?: string;
  state?: string;
  tenantDefaultDomain?: string;
  tenantDisplayName?: string;
}

/** ARM role assignment, flattened as `az` and the SDK print it. */
export interface RoleAssignment {
  id?: string;
  name?: string;
  type?: string;
  scope?: string;
  roleDefinitionId?: string;
  principalId?: string;
  principalType?: string;
  principalName?: string;
  roleDefinitionName?: string;
  condition?: string | null;
  conditionVersion?: string | null;
  description?: string | null;
  createdOn?: string;
}

export interface RoleDefinition {
  id?: string;
  name?: string;
  type?: string;
  roleName?: string;
  roleType?: string;
  description?: string;
  permissions?: Array<{ actions?: string[]; notActions?: string[]; dataActions?: string[]; notDataActions?: string[] }>;
  assignableScopes?: string[];
}

/** What ARM PIM responses say of the principal, role and scope beside their ids. */
interface ExpandedProperties {
  principal?: { id?: string; displayName?: string; email?: string; type?: string };
  roleDefinition?: { id?: string; displayName?: string; type?: string };
  scope?: { id?: string; displayName?: string; type?: string };
}

export interface RoleSchedule {
  id?: string;
  name?: string;
  type?: string;
  scope?: string;
  roleDefinitionId?: string;
  principalId?: string;
  principalType?: string;
  memberType?: string;
  status?: string;
  startDateTime?: string | null;
  endDateTime?: string | null;
  assignmentType?: string;
  originRoleAssignmentId?: string;
  condition?: string | null;
  /** An eligibility schedule instance's schedule. */
  roleEligibilityScheduleId?: string;
  expandedProperties?: ExpandedProperties;
}

export interface DiagnosticSetting {
  id?: string;
  name?: string;
  workspaceId?: string | null;
  storageAccountId?: string | null;
  eventHubAuthorizationRuleId?: string | null;
  eventHubName?: string | null;
  logs?: Array<{ category?: string; categoryGroup?: string | null; enabled?: boolean }>;
}

export interface GraphUser {
  id?: string;
  displayName?: string;
  userPrincipalName?: string;
  userType?: string | null;
  accountEnabled?: boolean;
  createdDateTime?: string | null;
  '@odata.type'?: string;
}

export interface GraphServicePrincipal {
  id?: string;
  appId?: string;
  displayName?: string;
  servicePrincipalType?: string;
  accountEnabled?: boolean;
  '@odata.type'?: string;
  /** With `$expand=owners`. */
  owners?: ExpandedPrincipal[] | null;
}

export interface GraphGroup {
  id?: string;
  displayName?: string;
  '@odata.type'?: string;
  isAssignableToRole?: boolean | null;
  owners?: ExpandedPrincipal[] | null;
}

/** An app registration with `$expand=owners`. */
export interface GraphApplication {
  id?: string;
  appId?: string;
  displayName?: string;
  owners?: ExpandedPrincipal[] | null;
}

/** An app role (application permission) assignment: `principalId` holds `appRoleId` of the resource `resourceId`. */
export interface AppRoleAssignment {
  id?: string;
  appRoleId?: string;
  principalId?: string;
  principalType?: string;
  principalDisplayName?: string;
  resourceId?: string;
  resourceDisplayName?: string;
  createdDateTime?: string;
  deletedDateTime?: string | null;
}

/** An administrative unit with `$expand=members`. */
export interface AdministrativeUnit {
  id?: string;
  displayName?: string;
  members?: ExpandedPrincipal[] | null;
}

/** An ARM resource's managed identities (system-assigned `principalId`, user-assigned by resource id). */
export interface ResourceIdentity {
  type?: string;
  principalId?: string | null;
  tenantId?: string | null;
  userAssignedIdentities?: Record<string, { principalId?: string | null; clientId?: string | null } | null> | null;
}

/** A compute resource as `az` prints it: its id, kind (`functionapp`, `app`, ...) and identity; AKS adds its kubelet identity. */
export interface ComputeResource {
  id?: string;
  name?: string;
  type?: string;
  kind?: string;
  identity?: ResourceIdentity | null;
  identityProfile?: { kubeletidentity?: { objectId?: string | null; resourceId?: string | null } | null } | null;
}

export interface RegistrationDetail {
  id?: string;
  userPrincipalName?: string;
  userType?: string;
  isAdmin?: boolean;
  isMfaRegistered?: boolean;
  isMfaCapable?: boolean;
  methodsRegistered?: string[];
}

/** The principal `$expand=principal` puts in a directory role assignment: a user, group or service principal. */
export interface ExpandedPrincipal {
  '@odata.type'?: string;
  id?: string;
  displayName?: string | null;
  userPrincipalName?: string | null;
  userType?: string | null;
  accountEnabled?: boolean | null;
  appId?: string | null;
  servicePrincipalType?: string | null;
}

export interface DirectoryRoleAssignment {
  id?: string;
  principalId?: string;
  roleDefinitionId?: string;
  directoryScopeId?: string;
  principal?: ExpandedPrincipal | null;
}

export interface DirectoryRoleSchedule {
  id?: string;
  principalId?: string;
  roleDefinitionId?: string;
  directoryScopeId?: string;
  memberType?: string;
  status?: string;
  assignmentType?: string;
  roleAssignmentOriginId?: string;
  startDateTime?: string | null;
  endDateTime?: string | null;
  roleEligibilityScheduleId?: string;
  principal?: ExpandedPrincipal | null;
  scheduleInfo?: { startDateTime?: string | null; expiration?: { type?: string; endDateTime?: string | null } };
}

export interface DirectoryRoleDefinition {
  id?: string;
  displayName?: string;
  templateId?: string;
  isBuiltIn?: boolean;
  rolePermissions?: Array<{ allowedResourceActions?: string[] }>;
}

export interface ConditionalAccessPolicy {
  id?: string;
  displayName?: string;
  state?: string;
  conditions?: {
    users?: {
      includeUsers?: string[];
      excludeUsers?: string[];
      includeGroups?: string[];
      excludeGroups?: string[];
      includeRoles?: string[];
      excludeRoles?: string[];
      includeGuestsOrExternalUsers?: unknown;
      excludeGuestsOrExternalUsers?: unknown;
    };
    applications?: { includeApplications?: string[]; excludeApplications?: string[]; includeUserActions?: string[] };
    clientAppTypes?: string[];
  };
  grantControls?: {
    operator?: string;
    builtInControls?: string[];
    authenticationStrength?: { id?: string; displayName?: string } | null;
  } | null;
}

export interface Organization {
  id?: string;
  displayName?: string;
  verifiedDomains?: Array<{ name?: string; isDefault?: boolean; isInitial?: boolean }>;
}

export interface SecurityDefaultsBody {
  id?: string;
  displayName?: string;
  isEnabled?: boolean;
}

// The shape of each kind's items (the interfaces above), checked when a document is recognised. An ARM item may nest
// its fields under `properties`, as `az rest` prints it; a field the collector adds (groupId) is declared too.
const arm = (fields: Record<string, Shape>): Shape => ({ ...fields, properties: fields });
const principal: Shape = {
  '@odata.type': 'string',
  id: 'string',
  displayName: 'string',
  userPrincipalName: 'string',
  userType: 'string',
  accountEnabled: 'boolean',
  appId: 'string',
  servicePrincipalType: 'string',
};
const expanded: Shape = {
  principal: { id: 'string', displayName: 'string', email: 'string', type: 'string' },
  roleDefinition: { id: 'string', displayName: 'string', type: 'string' },
  scope: { id: 'string', displayName: 'string', type: 'string' },
};
const armSchedule = arm({
  id: 'string',
  name: 'string',
  type: 'string',
  scope: 'string',
  roleDefinitionId: 'string',
  principalId: 'string',
  principalType: 'string',
  memberType: 'string',
  status: 'string',
  startDateTime: 'string',
  endDateTime: 'string',
  assignmentType: 'string',
  originRoleAssignmentId: 'string',
  condition: 'string',
  roleEligibilityScheduleId: 'string',
  expandedProperties: expanded,
});
const directorySchedule: Shape = {
  id: 'string',
  principalId: 'string',
  roleDefinitionId: 'string',
  directoryScopeId: 'string',
  memberType: 'string',
  status: 'string',
  assignmentType: 'string',
  roleAssignmentOriginId: 'string',
  startDateTime: 'string',
  endDateTime: 'string',
  roleEligibilityScheduleId: 'string',
  principal,
  scheduleInfo: { startDateTime: 'string', expiration: { type: 'string', endDateTime: 'string' } },
};
const graphObject: Shape = { id: 'string', displayName: 'string', '@odata.type': 'string' };
const computeResource: Shape = arm({
  id: 'string',
  name: 'string',
  type: 'string',
  kind: 'string',
  identity: { type: 'string', principalId: 'string', tenantId: 'string', userAssignedIdentities: 'object' },
  identityProfile: { kubeletidentity: { objectId: 'string', resourceId: 'string' } },
});

const ITEM_SHAPES: Partial<Record<DocumentKindValue, Shape>> = {
  [DocumentKind.subscriptions]: arm({
    id: 'string',
    subscriptionId: 'string',
    displayName: 'string',
    name: 'string',
    tenantId: 'string',
    homeTenantId: 'string',
    state: 'string',
    tenantDefaultDomain: 'string',
    tenantDisplayName: 'string',
  }),
  [DocumentKind.managementGroupDescendants]: arm({
    id: 'string',
    name: 'string',
    type: 'string',
    displayName: 'string',
  }),
  [DocumentKind.roleAssignments]: arm({
    id: 'string',
    name: 'string',
    type: 'string',
    scope: 'string',
    roleDefinitionId: 'string',
    principalId: 'string',
    principalType: 'string',
    principalName: 'string',
    roleDefinitionName: 'string',
    condition: 'string',
    conditionVersion: 'string',
    description: 'string',
    createdOn: 'string',
  }),
  [DocumentKind.roleDefinitions]: arm({
    id: 'string',
    name: 'string',
    type: 'string',
    roleName: 'string',
    roleType: 'string',
    description: 'string',
    permissions: [{ actions: ['string'], notActions: ['string'], dataActions: ['string'], notDataActions: ['string'] }],
    assignableScopes: ['string'],
  }),
  [DocumentKind.roleEligibilitySchedules]: armSchedule,
  [DocumentKind.roleAssignmentScheduleInstances]: armSchedule,
  [DocumentKind.roleEligibilityScheduleInstances]: armSchedule,
  [DocumentKind.diagnosticSettings]: arm({
    id: 'string',
    name: 'string',
    workspaceId: 'string',
    storageAccountId: 'string',
    eventHubAuthorizationRuleId: 'string',
    eventHubName: 'string',
    logs: [{ category: 'string', categoryGroup: 'string', enabled: 'boolean' }],
  }),
  [DocumentKind.organization]: {
    id: 'string',
    displayName: 'string',
    verifiedDomains: [{ name: 'string', isDefault: 'boolean', isInitial: 'boolean' }],
  },
  [DocumentKind.users]: {
    ...graphObject,
    userPrincipalName: 'string',
    userType: 'string',
    accountEnabled: 'boolean',
    createdDateTime: 'string',
  },
  [DocumentKind.groups]: {
    ...graphObject,
    securityEnabled: 'boolean',
    isAssignableToRole: 'boolean',
    owners: [principal],
  },
  [DocumentKind.groupMembers]: { ...principal },
  [DocumentKind.servicePrincipals]: {
    ...graphObject,
    appId: 'string',
    servicePrincipalType: 'string',
    accountEnabled: 'boolean',
    owners: [principal],
  },
  [DocumentKind.applications]: { ...graphObject, appId: 'string', owners: [principal] },
  [DocumentKind.appRoleAssignments]: {
    id: 'string',
    appRoleId: 'string',
    principalId: 'string',
    principalType: 'string',
    principalDisplayName: 'string',
    resourceId: 'string',
    resourceDisplayName: 'string',
    createdDateTime: 'string',
    deletedDateTime: 'string',
  },
  [DocumentKind.administrativeUnits]: { ...graphObject, members: [principal] },
  [DocumentKind.virtualMachines]: computeResource,
  [DocumentKind.automationAccounts]: computeResource,
  [DocumentKind.sites]: computeResource,
  [DocumentKind.logicWorkflows]: computeResource,
  [DocumentKind.managedClusters]: computeResource,
  [DocumentKind.registrationDetails]: {
    id: 'string',
    userPrincipalName: 'string',
    userType: 'string',
    isAdmin: 'boolean',
    isMfaRegistered: 'boolean',
    isMfaCapable: 'boolean',
    methodsRegistered: ['string'],
  },
  [DocumentKind.directoryRoleAssignments]: {
    id: 'string',
    principalId: 'string',
    roleDefinitionId: 'string',
    directoryScopeId: 'string',
    principal,
  },
  [DocumentKind.directoryRoleEligibilitySchedules]: directorySchedule,
  [DocumentKind.directoryRoleAssignmentScheduleInstances]: directorySchedule,
  [DocumentKind.directoryRoleEligibilityScheduleInstances]: directorySchedule,
  [DocumentKind.directoryRoleDefinitions]: {
    id: 'string',
    displayName: 'string',
    templateId: 'string',
    isBuiltIn: 'boolean',
    rolePermissions: [{ allowedResourceActions: ['string'] }],
  },
  [DocumentKind.conditionalAccessPolicies]: {
    id: 'string',
    displayName: 'string',
    state: 'string',
    conditions: {
      users: {
        includeUsers: ['string'],
        excludeUsers: ['string'],
        includeGroups: ['string'],
        excludeGroups: ['string'],
        includeRoles: ['string'],
        excludeRoles: ['string'],
      },
      applications: {
        includeApplications: ['string'],
        excludeApplications: ['string'],
        includeUserActions: ['string'],
      },
      clientAppTypes: ['string'],
    },
    grantControls: {
      operator: 'string',
      builtInControls: ['string'],
      authenticationStrength: { id: 'string', displayName: 'string' },
    },
  },
  [DocumentKind.securityDefaults]: { id: 'string', displayName: 'string', isEnabled: 'boolean' },
};

/** The shape of a whole document of a kind: its error or note, or its items as a list, a page or one object. */
export function documentShape(kind: DocumentKindValue, body: unknown): { key: string; shape: Shape } | undefined {
  if (kind === DocumentKind.error)
    return { key: kind, shape: { error: { code: 'string', message: 'string' }, request: 'string', status: 'number' } };
  if (kind === DocumentKind.collection)
    return {
      key: kind,
      shape: {
        Cloudward: { Provider: 'string', TenantId: 'string', CollectedAt: 'string', Subscriptions: ['string'] },
      },
    };
  const item = ITEM_SHAPES[kind];
  if (!item) return undefined;
  if (Array.isArray(body)) return { key: `${kind} list`, shape: [item] };
  if (body !== null && typeof body === 'object' && 'value' in body)
    return {
      key: `${kind} page`,
      shape: { '@odata.context': 'string', '@odata.nextLink': 'string', nextLink: 'string', value: [item] },
    };
  return { key: kind, shape: item };
}
