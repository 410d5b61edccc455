/**
 * Tenant and subscription controls: Conditional Access policies (only `enabled` enforces; report-only and disabled do
 * not), security defaults, and each subscription's activity-log diagnostic settings.
 */
import type { Control, ControlState, Scope } from '../../snapshot/model.js';
import type { RawDocument } from '../types.js';
import {
  DocumentKind,
  WINDOWS_AZURE_SERVICE_MANAGEMENT_API,
  type ConditionalAccessPolicy,
  type DiagnosticSetting,
  type SecurityDefaultsBody,
} from './documents.js';
import { itemsOfKind } from './items.js';
import { DIRECTORY_ROLES } from './privilege.js';

/** The categories of the subscription activity log (what `allLogs` stands for). */
const ACTIVITY_LOG_CATEGORIES = [
  'Administrative',
  'Security',
  'ServiceHealth',
  'Alert',
  'Recommendation',
  'Policy',
  'Autoscale',
  'ResourceHealth',
];

const CA_STATES: Record<string, ControlState> = {
  enabled: 'enabled',
  disabled: 'disabled',
  enabledForReportingButNotEnforced: 'report-only',
};

/** Admin roles a policy "for administrators" must include (the ones that can take over the tenant). */
const ADMIN_ROLE_IDS = Object.entries(DIRECTORY_ROLES)
  .filter(([, r]) => r.level === 'admin')
  .map(([id]) => id);

function list(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Whether the grant controls demand MFA whatever else is offered (OR with a device control does not). */
function requiresMfa(policy: ConditionalAccessPolicy): boolean {
  const grant = policy.grantControls;
  if (!grant) return false;
  const controls = list(grant.builtInControls);
  const strength = Boolean(grant.authenticationStrength);
  if (!controls.includes('mfa') && !strength) return false;
  const others = controls.filter((c) => c !== 'mfa');
  return (grant.operator ?? 'OR').toUpperCase() === 'AND' || others.length === 0;
}

function conditionalAccessControl(tenantId: string, scope: Scope, policy: ConditionalAccessPolicy): Control {
  const users = policy.conditions?.users ?? {};
  const apps = policy.conditions?.applications ?? {};
  const includeUsers = list(users.includeUsers);
  const includeRoles = list(users.includeRoles).map((r) => r.toLowerCase());
  const includeApplications = list(apps.includeApplications);
  const excludeApplications = list(apps.excludeApplications);
  const allApps = includeApplications.includes('All');
  const settings: Record<string, unknown> = {
    includeUsers,
    excludeUsers: list(users.excludeUsers),
    includeGroups: list(users.includeGroups),
    excludeGroups: list(users.excludeGroups),
    includeRoles,
    excludeRoles: list(users.excludeRoles).map((r) => r.toLowerCase()),
    includeApplications,
    excludeApplications,
    builtInControls: list(policy.grantControls?.builtInControls),
    operator: policy.grantControls?.operator ?? null,
    authenticationStrength: policy.grantControls?.authenticationStrength?.displayName ?? null,
    requiresMfa: requiresMfa(policy),
    coversAllUsers: includeUsers.includes('All'),
    coversAdminRoles: includeUsers.includes('All') || ADMIN_ROLE_IDS.every((id) => includeRoles.includes(id)),
    coversAllApps: allApps && excludeApplications.length === 0,
    coversAzureManagement:
      (allApps || includeApplications.includes(WINDOWS_AZURE_SERVICE_MANAGEMENT_API)) &&
      !excludeApplications.includes(WINDOWS_AZURE_SERVICE_MANAGEMENT_API),
  };
  return {
    uid: `azure:${tenantId}:conditionalAccess/${policy.id ?? policy.displayName ?? 'unnamed'}`,
    provider: 'azure',
    scope,
    type: 'conditional-access',
    name: policy.displayName ?? policy.id ?? 'unnamed policy',
    state: CA_STATES[policy.state ?? ''] ?? 'unknown',
    settings,
  };
}

export function tenantControls(tenantId: string, scope: Scope, documents: readonly RawDocument[]): Control[] {
  const controls: Control[] = [];
  const defaults = documents.find((d) => d.kind === DocumentKind.securityDefaults)?.body as
    | SecurityDefaultsBody
    | undefined;
  if (defaults && typeof defaults.isEnabled === 'boolean') {
    controls.push({
      uid: `azure:${tenantId}:security-defaults`,
      provider: 'azure',
      scope,
      type: 'security-defaults',
      name: defaults.displayName ?? 'Security Defaults',
      state: defaults.isEnabled ? 'enabled' : 'disabled',
      settings: { isEnabled: defaults.isEnabled },
    });
  }
  for (const policy of itemsOfKind<ConditionalAccessPolicy>(documents, DocumentKind.conditionalAccessPolicies)) {
    controls.push(conditionalAccessControl(tenantId, scope, policy));
  }
  return controls;
}

function destinationOf(setting: DiagnosticSetting): string[] {
  const out: string[] = [];
  // Resource ids as text; an edited export may hold anything there, which still counts as a destination.
  const part = (id: unknown, at: number) => (typeof id === 'string' ? id.split('/').at(at) : JSON.stringify(id));
  if (setting.workspaceId) out.push(`Log Analytics workspace ${part(setting.workspaceId, -1)}`);
  if (setting.storageAccountId) out.push(`storage account ${part(setting.storageAccountId, -1)}`);
  if (setting.eventHubAuthorizationRuleId)
    out.push(`event hub ${setting.eventHubName ?? part(setting.eventHubAuthorizationRuleId, -3) ?? ''}`.trim());
  return out;
}

/** One audit-logging control per diagnostic setting of a subscription's activity log. */
export function diagnosticSettingControls(scope: Scope, documents: readonly RawDocument[]): Control[] {
  return itemsOfKind<DiagnosticSetting>(documents, DocumentKind.diagnosticSettings).map((setting) => {
    const enabled = (Array.isArray(setting.logs) ? setting.logs : []).filter((l) => l?.enabled === true);
    const categories = new Set<string>();
    for (const log of enabled) {
      if (log.category) categories.add(log.category);
      else if (log.categoryGroup && /^allLogs$/i.test(log.categoryGroup))
        ACTIVITY_LOG_CATEGORIES.forEach((c) => categories.add(c));
    }
    const destinations = destinationOf(setting);
    const name = setting.name ?? setting.id?.split('/').at(-1) ?? 'unnamed';
    return {
      uid: `azure:${scope.id}:diagnosticSetting/${name}`,
      provider: 'azure',
      scope,
      type: 'audit-logging',
      name,
      state: categories.size > 0 && destinations.length > 0 ? 'enabled' : 'disabled',
      settings: { categories: ACTIVITY_LOG_CATEGORIES.filter((c) => categories.has(c)), destinations },
    } satisfies Control;
  });
}
