/**
 * `--raw-out` for Azure: the tenant's Graph responses under `DIR/<tenant id>/`, each subscription's ARM responses
 * under `DIR/<tenant id>/<subscription id>/`, each page as the API printed it, with a note of the tenant and the
 * collection time, so `cloudward import azure DIR/<tenant id>/**` rebuilds the same snapshot.
 */
import { join } from 'node:path';
import { UserError } from '../../errors.js';
import { writeFileAtomic } from '../../util/files.js';
import type { RawBundle, RawDocument } from '../types.js';
import { DocumentKind, operationOfRequest, type CollectionBody, type ErrorBody } from './documents.js';
import { subscriptionOfOrigin } from './items.js';

const STEMS: Record<string, string> = {
  [DocumentKind.subscriptions]: 'arm-subscriptions',
  [DocumentKind.managementGroupDescendants]: 'arm-management-group-descendants',
  [DocumentKind.roleAssignments]: 'arm-role-assignments',
  [DocumentKind.roleDefinitions]: 'arm-role-definitions',
  [DocumentKind.roleEligibilitySchedules]: 'arm-role-eligibility-schedules',
  [DocumentKind.roleAssignmentScheduleInstances]: 'arm-role-assignment-schedule-instances',
  [DocumentKind.roleEligibilityScheduleInstances]: 'arm-role-eligibility-schedule-instances',
  [DocumentKind.diagnosticSettings]: 'arm-diagnostic-settings',
  [DocumentKind.organization]: 'graph-organization',
  [DocumentKind.users]: 'graph-users',
  [DocumentKind.groups]: 'graph-groups',
  [DocumentKind.groupMembers]: 'graph-group-members',
  [DocumentKind.servicePrincipals]: 'graph-service-principals',
  [DocumentKind.registrationDetails]: 'graph-user-registration-details',
  [DocumentKind.directoryRoleAssignments]: 'graph-directory-role-assignments',
  [DocumentKind.directoryRoleEligibilitySchedules]: 'graph-directory-role-eligibility-schedules',
  [DocumentKind.directoryRoleAssignmentScheduleInstances]: 'graph-directory-role-assignment-schedule-instances',
  [DocumentKind.directoryRoleEligibilityScheduleInstances]: 'graph-directory-role-eligibility-schedule-instances',
  [DocumentKind.directoryRoleDefinitions]: 'graph-directory-role-definitions',
  [DocumentKind.conditionalAccessPolicies]: 'graph-conditional-access-policies',
  [DocumentKind.securityDefaults]: 'graph-security-defaults',
  [DocumentKind.applications]: 'graph-applications',
  [DocumentKind.appRoleAssignments]: 'graph-microsoft-graph-app-role-assigned-to',
  [DocumentKind.administrativeUnits]: 'graph-administrative-units',
  // An empty ARM list is known by its command: these stems name `az vm list`, `az automation account list`, ...
  [DocumentKind.virtualMachines]: 'arm-vm-list',
  [DocumentKind.automationAccounts]: 'arm-automation-account-list',
  [DocumentKind.sites]: 'arm-webapp-list',
  [DocumentKind.logicWorkflows]: 'arm-logic-workflow-list',
  [DocumentKind.managedClusters]: 'arm-aks-list',
};

export const COLLECTION_FILE = 'cloudward-collection.json';

/** The file (relative to the tenant folder) and text of each document; pages of one list are numbered. */
function rawFiles(documents: readonly RawDocument[]): Array<{ path: string; text: string }> {
  const seen = new Map<string, number>();
  return documents.map((document) => {
    const subscription = subscriptionOfOrigin(document.origin);
    let body = document.body as Record<string, unknown>;
    let stem: string;
    if (document.kind === DocumentKind.error) {
      const operation = operationOfRequest((body as unknown as ErrorBody).request ?? '');
      stem = `${STEMS[operation?.kind ?? ''] ?? 'azure'}.error`;
    } else stem = STEMS[document.kind] ?? document.kind;
    if (document.kind === DocumentKind.groupMembers && typeof body.groupId === 'string') {
      const { groupId, ...rest } = body;
      stem = `${stem}.${groupId as string}`;
      body = rest;
    }
    const key = `${subscription ?? ''}/${stem}`;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    const name = `${stem}${n > 1 ? `.page${n}` : ''}.json`;
    return { path: subscription ? join(subscription, name) : name, text: `${JSON.stringify(body, null, 2)}\n` };
  });
}

/** Writes a tenant bundle under `dir/<tenant id>/`, each file atomically with mode 0600. */
export async function writeRawBundle(dir: string, bundle: RawBundle): Promise<string[]> {
  const note: CollectionBody = {
    Cloudward: { Provider: 'azure', TenantId: bundle.scope.id, CollectedAt: bundle.collectedAt },
  };
  const files = [...rawFiles(bundle.documents), { path: COLLECTION_FILE, text: `${JSON.stringify(note, null, 2)}\n` }];
  const written: string[] = [];
  for (const file of files) {
    const path = join(dir, bundle.scope.id, file.path);
    try {
      await writeFileAtomic(path, file.text);
    } catch (error) {
      throw new UserError(`cannot write the raw documents: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
        where: path,
        hint: '--raw-out must name a folder you can write to',
      });
    }
    written.push(path);
  }
  return written;
}
