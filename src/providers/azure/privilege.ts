/**
 * Which Entra and Azure roles are privileged, and why, in words an auditor reads in the report. Entra roles are known
 * by template id (stable across tenants); Azure roles by what their actions allow, so a custom role is judged the
 * same way as a built-in one.
 */
import type { Privilege } from '../../snapshot/model.js';
import { globMatch } from '../../util/glob.js';
import type { RoleDefinition } from './documents.js';

export const GLOBAL_ADMINISTRATOR = '62e90394-69f5-4237-9190-012177145e10';

/** Entra built-in roles by template id: name, level and reason. */
export const DIRECTORY_ROLES: Record<string, { name: string; level: 'admin' | 'privileged'; reason: string }> = {
  [GLOBAL_ADMINISTRATOR]: {
    name: 'Global Administrator',
    level: 'admin',
    reason: 'full control of Entra ID, and can elevate to User Access Administrator on every subscription',
  },
  'e8611ab8-c189-46e8-94e1-60213ab1f814': {
    name: 'Privileged Role Administrator',
    level: 'admin',
    reason: 'can assign any directory role, Global Administrator included',
  },
  '7be44c8a-adaf-4e2a-84d6-ab2649e08a13': {
    name: 'Privileged Authentication Administrator',
    level: 'admin',
    reason: "can reset any user's password and MFA methods, Global Administrators included",
  },
  '194ae4cb-b126-40b2-bd5b-6091b380977d': {
    name: 'Security Administrator',
    level: 'privileged',
    reason: 'can change security policies (Conditional Access excluded) and read every security report',
  },
  '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3': {
    name: 'Application Administrator',
    level: 'privileged',
    reason: "can add credentials to any application's service principal and act as it",
  },
  '158c047a-c907-4556-b7ef-446551a6b5f7': {
    name: 'Cloud Application Administrator',
    level: 'privileged',
    reason: "can add credentials to any application's service principal and act as it",
  },
  'fe930be7-5e62-47db-91af-98c3a49a38b1': {
    name: 'User Administrator',
    level: 'privileged',
    reason: 'can reset passwords of non-admin users and manage groups',
  },
  'c4e39bd9-1100-46d3-8c65-fb160da0071f': {
    name: 'Authentication Administrator',
    level: 'privileged',
    reason: 'can reset the MFA methods of non-admin users',
  },
  'b1be1c3e-b65d-4f19-8427-f6fa0d97feb9': {
    name: 'Conditional Access Administrator',
    level: 'privileged',
    reason: 'can switch off the Conditional Access policies that require MFA',
  },
  '8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2': {
    name: 'Hybrid Identity Administrator',
    level: 'privileged',
    reason: 'can change federation and sync settings (forged sign-ins)',
  },
  '29232cdf-9323-42fd-ade2-1d097af3e4de': {
    name: 'Exchange Administrator',
    level: 'privileged',
    reason: 'full control of Exchange Online',
  },
  'f28a1f50-f6e7-4571-818b-6a12f2af6b6c': {
    name: 'SharePoint Administrator',
    level: 'privileged',
    reason: 'full control of SharePoint Online',
  },
  '3a2c62db-5318-420d-8d74-23affee5d9d5': {
    name: 'Intune Administrator',
    level: 'privileged',
    reason: 'can run scripts on every managed device',
  },
  '729827e3-9c14-49f7-bb1b-9608f156bbb8': {
    name: 'Helpdesk Administrator',
    level: 'privileged',
    reason: 'can reset passwords of non-admin users',
  },
  '966707d0-3269-4727-9be2-8c3a10f19b9d': {
    name: 'Password Administrator',
    level: 'privileged',
    reason: 'can reset passwords of non-admin users',
  },
  'fdd7a751-b60b-444a-984c-02652fe8fa1c': {
    name: 'Groups Administrator',
    level: 'privileged',
    reason: 'can change the membership of groups that grant access',
  },
  '9360feb5-f418-4baa-8175-e2a00bac4301': {
    name: 'Directory Writers',
    level: 'privileged',
    reason: 'can write users and groups',
  },
};

export function directoryRolePrivilege(templateId: string): Privilege {
  const known = DIRECTORY_ROLES[templateId.toLowerCase()];
  return known ? { level: known.level, reasons: [`${known.name}: ${known.reason}`] } : { level: 'none', reasons: [] };
}

const ROLE_ASSIGNMENTS_WRITE = 'Microsoft.Authorization/roleAssignments/write';

/** Whether an RBAC action pattern (a star matches any text, case-insensitively) covers an action, in linear time. */
export function actionCovers(pattern: string, action: string): boolean {
  return globMatch(pattern, action, { ignoreCase: true });
}

/** The actions and notActions of a definition, over all its permission blocks. */
export function definitionActions(definition: RoleDefinition): {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
} {
  const blocks = Array.isArray(definition.permissions)
    ? definition.permissions.filter((b) => b !== null && typeof b === 'object')
    : [];
  // An action that is not text (an edited export) grants nothing a pattern could name.
  const text = (list: unknown): string[] =>
    Array.isArray(list) ? list.filter((a): a is string => typeof a === 'string') : [];
  return {
    actions: blocks.flatMap((b) => text(b.actions)),
    notActions: blocks.flatMap((b) => text(b.notActions)),
    dataActions: blocks.flatMap((b) => text(b.dataActions)),
    notDataActions: blocks.flatMap((b) => text(b.notDataActions)),
  };
}

/** Actions a holder can run commands or reach secrets with, short of granting access. */
const POWERFUL = [
  'Microsoft.Compute/virtualMachines/runCommand/action',
  'Microsoft.Compute/virtualMachines/extensions/write',
  'Microsoft.KeyVault/vaults/write',
  'Microsoft.Resources/deployments/write',
];

interface AzureRolePrivilege extends Privilege {
  /** The role can write role assignments: whoever holds it can grant any access within its scope. */
  grantsAccess: boolean;
}

/**
 * An Azure role's privilege from its actions: granting access (all actions, Microsoft.Authorization wildcards or
 * `.../roleAssignments/write`, not taken back by notActions) is admin; every action but that (Contributor), or
 * running commands on machines, is privileged.
 */
export function azureRolePrivilege(definition: RoleDefinition): AzureRolePrivilege {
  const { actions, notActions } = definitionActions(definition);
  const allows = (action: string) =>
    actions.some((a) => actionCovers(a, action)) && !notActions.some((n) => actionCovers(n, action));
  const custom = definition.roleType === 'CustomRole';
  const kind = custom ? 'custom role' : 'role';
  if (allows(ROLE_ASSIGNMENTS_WRITE)) {
    const via = actions.filter((a) => actionCovers(a, ROLE_ASSIGNMENTS_WRITE));
    const reason = via.includes('*')
      ? `${kind} granting all actions ("*"), Microsoft.Authorization/roleAssignments/write included: can grant any access`
      : `${kind} that can write role assignments (${via.join(', ')}): can grant any access`;
    return { level: 'admin', reasons: [reason], grantsAccess: true };
  }
  if (actions.includes('*')) {
    return {
      level: 'privileged',
      reasons: [
        `${kind} granting all actions except ${notActions.filter((n) => /^Microsoft\.Authorization\//i.test(n)).join(', ') || 'some'} (runs commands on machines, reads keys)`,
      ],
      grantsAccess: false,
    };
  }
  const powerful = POWERFUL.filter((p) => allows(p));
  if (powerful.length > 0 || actions.some((a) => a === '*/write')) {
    return {
      level: 'privileged',
      reasons: [
        `${kind} that can ${powerful.length > 0 ? powerful.join(', ') : 'write every resource type (*/write)'}`,
      ],
      grantsAccess: false,
    };
  }
  return { level: 'none', reasons: [], grantsAccess: false };
}
