/**
 * What `cloudward collect azure` needs (`cloudward permissions azure`), generated from the declared operations: a
 * custom Azure role of read-only actions to assign at the root management group (or each subscription), and the
 * Microsoft Graph application permissions to grant the app, with the licences some reads need.
 */
import { OPERATIONS } from './documents.js';

/** The custom role definition (as `az role definition create --role-definition` takes it). */
function azureCustomRole(): Record<string, unknown> {
  const actions = [...new Set(OPERATIONS.filter((o) => o.api === 'arm').map((o) => o.permission))].sort();
  return {
    Name: 'cloudward reader',
    IsCustom: true,
    Description:
      'Read-only: role assignments, role definitions, PIM schedules, subscriptions, management groups and activity-log diagnostic settings.',
    Actions: actions,
    NotActions: [],
    DataActions: [],
    NotDataActions: [],
    AssignableScopes: ['/providers/Microsoft.Management/managementGroups/<tenant-root-group-id>'],
  };
}

/**
 * The Graph application permissions, each with what it is read for and, per read, the licence that read needs (one
 * permission can serve reads with and without one: Policy.Read.All reads Conditional Access, which needs Entra ID
 * P1, and security defaults, which need none).
 */
function graphPermissions(): Array<{ permission: string; for: string[]; licences?: Record<string, string> }> {
  const by = new Map<string, { for: string[]; licences?: Record<string, string> }>();
  for (const o of OPERATIONS.filter((op) => op.api === 'graph')) {
    const entry = by.get(o.permission) ?? { for: [] };
    entry.for.push(o.id);
    if (o.licence) entry.licences = { ...entry.licences, [o.id]: o.licence };
    by.set(o.permission, entry);
  }
  return [...by].sort(([a], [b]) => a.localeCompare(b)).map(([permission, e]) => ({ permission, ...e }));
}

/** The printed policy: one JSON document with the custom role and the Graph permissions. */
export function azurePermissionsText(): string {
  const document = {
    azureCustomRole: azureCustomRole(),
    graphApplicationPermissions: graphPermissions(),
    note: 'Assign the custom role (or the built-in Reader) at the tenant root management group; grant the Graph application permissions with admin consent. Reads that need a licence the tenant lacks are recorded as gaps (unknown results), never failures.',
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
