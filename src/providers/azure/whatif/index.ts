/**
 * The Azure projector: applies a plan's Azure RBAC, PIM, Entra ID and activity-log changes to each tenant's raw
 * documents (the same documents `collect azure --raw-out` writes and `import azure` reads), so the Azure normalizer
 * can run on them.
 */
import { COLLECTION_FILE } from '../raw-files.js';
import { DocumentKind } from '../documents.js';
import { importAzureDocuments } from '../import.js';
import { recognizeDocument } from '../recognize.js';
import type { RawBundle } from '../../types.js';
import type { SnapshotPart } from '../../../snapshot/model.js';
import type { Plan, PlanChange } from '../../whatif/plan.js';
import { ownDocuments } from '../../whatif/raw.js';
import { listChanges } from '../../whatif/changes.js';
import type { ChangeEffect, Projection, Projector } from '../../whatif/types.js';
import { AzureContext, subscriptionScope, tenantScope, type Touch } from './context.js';
import {
  projectApplication,
  projectApplicationOwner,
  projectConditionalAccessPolicy,
  projectDirectoryRole,
  projectDirectoryRoleAssignment,
  projectDirectoryRoleEligibility,
  projectDirectoryRoleMember,
  projectGroup,
  projectGroupMember,
  projectManagedIdentity,
  projectServicePrincipal,
  projectUser,
} from './directory.js';
import {
  projectActiveAssignment,
  projectDiagnosticSetting,
  projectEligibleAssignment,
  projectRoleAssignment,
  projectRoleDefinition,
} from './rbac.js';

/** A handler returns false when the change, as planned, does not change posture (it is then listed as not projected). */
type Handler = (ctx: AzureContext, change: PlanChange) => boolean | void;

/**
 * The supported types, in the order a final state is reached: principals, roles, policies and settings (phase 1)
 * before the assignments and memberships that refer to them (phase 2); deletes of references before deletes of what
 * they refer to. `inert` says why a change the handler declines does not change posture.
 */
const HANDLERS: Record<string, { phase: 1 | 2; handle: Handler; inert?: string }> = {
  azuread_user: { phase: 1, handle: projectUser },
  azuread_group: { phase: 1, handle: projectGroup },
  azuread_application: {
    phase: 1,
    handle: projectApplication,
    inert: 'an app registration reaches who can do what only through its owners, which this change does not set',
  },
  azuread_service_principal: { phase: 1, handle: projectServicePrincipal },
  azurerm_user_assigned_identity: { phase: 1, handle: projectManagedIdentity },
  azurerm_role_definition: { phase: 1, handle: projectRoleDefinition },
  azuread_directory_role: {
    phase: 1,
    handle: projectDirectoryRole,
    inert: 'activating a directory role grants nothing by itself (its assignments are projected)',
  },
  azuread_conditional_access_policy: { phase: 1, handle: projectConditionalAccessPolicy },
  azurerm_monitor_diagnostic_setting: {
    phase: 1,
    handle: projectDiagnosticSetting,
    inert:
      "a diagnostic setting of a resource, not of a subscription's activity log, does not change M1026/M1038 posture",
  },
  azurerm_role_assignment: { phase: 2, handle: projectRoleAssignment },
  azurerm_pim_eligible_role_assignment: { phase: 2, handle: projectEligibleAssignment },
  azurerm_pim_active_role_assignment: { phase: 2, handle: projectActiveAssignment },
  azuread_directory_role_assignment: { phase: 2, handle: projectDirectoryRoleAssignment },
  azuread_directory_role_member: { phase: 2, handle: projectDirectoryRoleMember },
  azuread_directory_role_eligibility_schedule_request: { phase: 2, handle: projectDirectoryRoleEligibility },
  azuread_group_member: { phase: 2, handle: projectGroupMember },
  azuread_application_owner: { phase: 2, handle: projectApplicationOwner },
};

/** Types that are not projected but can change who can do what, or what is logged: their tenant cannot pass. */
const POSTURE_TYPES =
  /^(azurerm_(role_|pim_|user_assigned_identity|federated_identity_credential|monitor_diagnostic_setting|monitor_aad_diagnostic_setting|management_group_policy|subscription_policy|resource_group_policy|policy_|management_lock)|azuread_)/;

/** azapi resources of an RBAC, PIM, policy or diagnostic-settings type (`Microsoft.Authorization/roleAssignments@...`). */
const AZAPI_POSTURE = /^Microsoft\.(Authorization|Insights\/diagnosticSettings|Management\/managementGroups)/i;

function touchesPosture(change: PlanChange): boolean {
  if (POSTURE_TYPES.test(change.type)) return true;
  const type = change.after?.type ?? change.before?.type;
  return change.type.startsWith('azapi_') && (typeof type !== 'string' || AZAPI_POSTURE.test(type));
}

export const AZURE_PROJECTED_TYPES = Object.keys(HANDLERS).sort();

/** Apply order: phase 1 creates/updates, phase 2, then phase 2 deletes before phase 1 deletes. */
function orderOf(change: PlanChange): number {
  const phase = HANDLERS[change.type]!.phase;
  if (change.action === 'delete') return phase === 2 ? 2 : 3;
  return phase === 1 ? 0 : 1;
}

function scopeOfTouch(touch: Touch): string {
  return touch.kind === 'diagnosticSetting' ? subscriptionScope(touch.subscription) : tenantScope(touch.tenant);
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function effectsOf(touches: Map<string, Touch[]>, part: SnapshotPart): ChangeEffect[] {
  const byNative = new Map<string, string>();
  const members = new Map<string, string[]>();
  const holders = new Map<string, string[]>();
  const users = new Map<string, string[]>();
  for (const p of part.principals) {
    byNative.set(`${p.scope.id}/${p.nativeId}`, p.uid);
    if (p.kind === 'user') push(users, p.scope.id, p.uid);
    for (const a of p.assignments ?? []) {
      push(holders, a.role, p.uid);
      if (a.via !== 'direct') push(members, a.via, p.uid);
    }
  }
  const out: ChangeEffect[] = [];
  for (const [address, list] of touches) {
    const uids = new Set<string>();
    for (const t of list) {
      uids.add(scopeOfTouch(t));
      if (t.kind === 'principal') {
        const uid = byNative.get(`${t.tenant}/${t.id}`);
        if (uid) uids.add(uid);
        for (const m of (uid && members.get(uid)) || []) uids.add(m);
      } else if (t.kind === 'roleDefinition') {
        const uid = `azure:${t.tenant}:roleDefinition/${t.id}`;
        uids.add(uid);
        for (const h of holders.get(uid) ?? []) uids.add(h);
      } else if (t.kind === 'conditionalAccess') {
        uids.add(`azure:${t.tenant}:conditionalAccess/${t.id}`);
        for (const u of users.get(t.tenant) ?? []) uids.add(u);
      } else if (t.kind === 'diagnosticSetting') {
        uids.add(`azure:${t.subscription}:diagnosticSetting/${t.name}`);
      }
    }
    out.push({ address, uids: [...uids] });
  }
  return out;
}

export const azureProjector: Projector = {
  owns: (type) => /^(azurerm|azuread|azapi)_/.test(type),
  touchesPosture: (type) => POSTURE_TYPES.test(type) || type.startsWith('azapi_'),
  supports: (type) => type in HANDLERS,
  project(plan: Plan, changes: PlanChange[], bundles: RawBundle[], snapshotScopes: Set<string>): Projection {
    const ctx = new AzureContext(plan, bundles, snapshotScopes);
    const notes = listChanges(changes, ctx, {
      provider: 'azure',
      applies: (change) => change.type in HANDLERS && change.mode === 'managed',
      order: orderOf,
      apply(change, note) {
        const handler = HANDLERS[change.type]!;
        if (handler.handle(ctx, change) === false) {
          note.outcome = 'not-projected';
          note.reason = handler.inert!;
        }
        const first = ctx.touches.get(change.address)?.[0];
        if (first) note.scope = scopeOfTouch(first);
      },
      // Unsupported Azure types that can change posture leave their tenant's results unknown.
      touchesPosture,
      openScopes(change) {
        try {
          return [tenantScope(ctx.tenantOf(change))];
        } catch {
          // No tenant can be told (or no raw documents): every Azure result is left open.
          return ['azure'];
        }
      },
    });
    const touched = [...ctx.tenants.values()].filter((d) => d.touched).map((d) => d.toBundle());
    return { bundles: touched, notes, gaps: ctx.gaps, effects: (part) => effectsOf(ctx.touches, part) };
  },
  async readRaw(paths) {
    const own = await ownDocuments(paths, 'Azure export', recognizeDocument);
    if (own.length === 0) return [];
    // Exports without the raw-out note do not say when they were made; the time only dates the sources, which a
    // projection does not replace, so any fixed time gives the same principals, roles and controls.
    const noted = own.some((o) => o.document.kind === DocumentKind.collection || o.file.endsWith(COLLECTION_FILE));
    return importAzureDocuments(
      own.map((o) => o.document),
      {
        options: {},
        progress: { status: () => {}, warn: () => {} },
        ...(noted ? {} : { collectedAt: '1970-01-01T00:00:00Z' }),
      },
    );
  },
};
