/**
 * The catalogue of Entra and Azure escalation edges: which grant makes which edge, named after the BloodHound CE edge
 * each one follows (SpecterOps/BloodHound, `packages/javascript/bh-shared-ui/src/components/HelpTexts/AZ*`), and the
 * Azure actions that let a role holder run code as a compute resource's managed identity or read Key Vault secrets.
 * docs/providers/azure.md lists each edge with its limits.
 */
import type { Role } from '../../snapshot/model.js';
import type { ComputeClass } from './escalation-facts.js';
import { actionCovers } from './privilege.js';

/** Edge kinds, named after the BloodHound CE edge each one follows. */
export const AZURE_EDGE_KINDS = {
  globalAdmin: 'AZGlobalAdmin',
  privilegedRoleAdmin: 'AZPrivilegedRoleAdmin',
  resetPassword: 'AZResetPassword',
  addSecret: 'AZAddSecret',
  addMembers: 'AZAddMembers',
  roleAssignmentWrite: 'AZUserAccessAdministrator',
  owns: 'AZOwns',
  grantRole: 'AZMGGrantRole',
  grantAppRoles: 'AZMGGrantAppRoles',
  graphAddSecret: 'AZMGAddSecret',
  graphAddMember: 'AZMGAddMember',
  executeCommand: 'AZExecuteCommand',
  automation: 'AZAutomationContributor',
  website: 'AZWebsiteContributor',
  logicApp: 'AZLogicAppContributor',
  aks: 'AZAKSContributor',
  getSecrets: 'AZGetSecrets',
} as const;

export const PRIVILEGED_ROLE_ADMINISTRATOR = 'e8611ab8-c189-46e8-94e1-60213ab1f814';
export const PRIVILEGED_AUTHENTICATION_ADMINISTRATOR = '7be44c8a-adaf-4e2a-84d6-ab2649e08a13';

/** Directory roles that reset the credentials of users who hold no directory role (Microsoft's protected targets). */
export const RESETS_NON_ADMINS: Record<string, string> = {
  'c4e39bd9-1100-46d3-8c65-fb160da0071f': 'Authentication Administrator',
  '729827e3-9c14-49f7-bb1b-9608f156bbb8': 'Helpdesk Administrator',
  '966707d0-3269-4727-9be2-8c3a10f19b9d': 'Password Administrator',
  'fe930be7-5e62-47db-91af-98c3a49a38b1': 'User Administrator',
};

/** Directory roles that add credentials to any application and its service principal. */
export const ADDS_SECRETS: Record<string, string> = {
  '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3': 'Application Administrator',
  '158c047a-c907-4556-b7ef-446551a6b5f7': 'Cloud Application Administrator',
};

/**
 * Directory roles that change the membership of groups that are not role-assignable (a role-assignable group's
 * membership is only for Privileged Role Administrators, Global Administrators and the group's owners).
 */
export const ADDS_MEMBERS: Record<string, string> = {
  'fdd7a751-b60b-444a-984c-02652fe8fa1c': 'Groups Administrator',
  'fe930be7-5e62-47db-91af-98c3a49a38b1': 'User Administrator',
  '9360feb5-f418-4baa-8175-e2a00bac4301': 'Directory Writers',
};

/** What running code on each class of compute takes: any one of the actions, not taken back by notActions. */
export const COMPUTE_EXECUTION: Record<ComputeClass, { actions: string[]; kind: string; does: string }> = {
  vm: {
    actions: [
      'Microsoft.Compute/virtualMachines/runCommand/action',
      'Microsoft.Compute/virtualMachines/runCommands/write',
      'Microsoft.Compute/virtualMachines/extensions/write',
    ],
    kind: AZURE_EDGE_KINDS.executeCommand,
    does: 'run a command on a virtual machine (run command, extension)',
  },
  automation: {
    actions: [
      'Microsoft.Automation/automationAccounts/runbooks/write',
      'Microsoft.Automation/automationAccounts/jobs/write',
    ],
    kind: AZURE_EDGE_KINDS.automation,
    does: 'run a runbook in an Automation account',
  },
  functionapp: {
    actions: ['Microsoft.Web/sites/write', 'Microsoft.Web/sites/config/write', 'Microsoft.Web/sites/publish/action'],
    kind: AZURE_EDGE_KINDS.website,
    does: 'deploy code to a function app',
  },
  webapp: {
    actions: ['Microsoft.Web/sites/write', 'Microsoft.Web/sites/config/write', 'Microsoft.Web/sites/publish/action'],
    kind: AZURE_EDGE_KINDS.website,
    does: 'deploy code to a web app',
  },
  logicapp: {
    actions: ['Microsoft.Logic/workflows/write'],
    kind: AZURE_EDGE_KINDS.logicApp,
    does: 'edit a Logic App workflow',
  },
  aks: {
    actions: [
      'Microsoft.ContainerService/managedClusters/runCommand/action',
      'Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action',
    ],
    kind: AZURE_EDGE_KINDS.aks,
    does: 'run a pod on an AKS cluster',
  },
};

/** The data action that reads a Key Vault secret's value. */
const GET_SECRET = 'Microsoft.KeyVault/vaults/secrets/getSecret/action';

const allows = (allow: readonly string[], deny: readonly string[], action: string) =>
  allow.some((a) => actionCovers(a, action)) && !deny.some((n) => actionCovers(n, action));

/** The classes of compute an Azure role runs code on. */
export function executionClasses(role: Role | undefined): ComputeClass[] {
  if (!role) return [];
  const { allow, deny } = role.permissions;
  return (Object.keys(COMPUTE_EXECUTION) as ComputeClass[]).filter((c) =>
    COMPUTE_EXECUTION[c].actions.some((action) => allows(allow, deny, action)),
  );
}

/** Whether an Azure role reads Key Vault secret values (its data actions). */
export function readsSecrets(role: Role | undefined): boolean {
  const data = role?.details?.dataActions;
  if (!Array.isArray(data)) return false;
  const deny = Array.isArray(role?.details?.notDataActions) ? (role.details.notDataActions as string[]) : [];
  return allows(data as string[], deny, GET_SECRET);
}

/** Graph application permissions, each with what its holder can do with it. */
export const GRAPH_PERMISSION_EDGES: Record<
  string,
  { kind: string; does: string; reaches: 'admin' | 'add-secret' | 'add-member' }
> = {
  'RoleManagement.ReadWrite.Directory': {
    kind: AZURE_EDGE_KINDS.grantRole,
    does: 'assign itself Global Administrator',
    reaches: 'admin',
  },
  'AppRoleAssignment.ReadWrite.All': {
    kind: AZURE_EDGE_KINDS.grantAppRoles,
    does: 'grant itself RoleManagement.ReadWrite.Directory, then assign itself Global Administrator',
    reaches: 'admin',
  },
  'Application.ReadWrite.All': {
    kind: AZURE_EDGE_KINDS.graphAddSecret,
    does: 'add a secret to',
    reaches: 'add-secret',
  },
  'Directory.ReadWrite.All': {
    kind: AZURE_EDGE_KINDS.graphAddMember,
    does: 'add itself as a member of',
    reaches: 'add-member',
  },
  'GroupMember.ReadWrite.All': {
    kind: AZURE_EDGE_KINDS.graphAddMember,
    does: 'add itself as a member of',
    reaches: 'add-member',
  },
};

/** A management group scope, whose subscriptions the snapshot does not list. */
export const managementGroupOf = (scope: string) =>
  /^\/providers\/microsoft\.management\/managementgroups\/([^/]+)$/i.exec(scope)?.[1];
