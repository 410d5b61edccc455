/**
 * Loads `az` / Graph export folders (test/fixtures/azure/<tenant>/, examples/acme/raw/azure/) through the real import,
 * and turns them into fake-server data, so a live collection against the fake can be compared with the import.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importAzureFiles } from '../../src/providers/azure/import.js';
import { DocumentKind } from '../../src/providers/azure/documents.js';
import { itemsOfKind, listItems, subscriptionOfOrigin } from '../../src/providers/azure/items.js';
import type { Progress, RawBundle } from '../../src/providers/types.js';
import type { FakeTenant } from './fake-azure.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const ACME_AZURE = join(ROOT, 'examples', 'acme', 'raw', 'azure');
export const AZURE_FIXTURES = join(ROOT, 'test', 'fixtures', 'azure');

export const quietProgress: Progress = { status: () => {}, warn: () => {} };

/** Every file under a folder, sorted. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? filesUnder(path) : [path];
    });
}

/** Imports a folder; `collectedAt` undefined leaves the time to the raw-out note. */
export async function importFolder(
  dir: string,
  collectedAt: string | undefined = '2026-11-01T09:00:00Z',
): Promise<RawBundle[]> {
  return importAzureFiles(filesUnder(dir), {
    options: {},
    progress: quietProgress,
    ...(collectedAt ? { collectedAt } : {}),
  });
}

type Item = Record<string, unknown>;

/** The fake server's data for an imported tenant bundle (the subscription names from its sources). */
export function fakeTenantFrom(bundle: RawBundle, names: Record<string, string>): FakeTenant {
  const docs = bundle.documents;
  const of = (kind: string) => itemsOfKind<Item>(docs, kind);
  const subscriptionIds = [
    ...new Set(docs.map((d) => subscriptionOfOrigin(d.origin)).filter((id): id is string => Boolean(id))),
  ].sort();
  const inSub = (kind: string, id: string) =>
    itemsOfKind<Item>(
      docs.filter((d) => subscriptionOfOrigin(d.origin) === id),
      kind,
    );
  const members: Record<string, Item[]> = {};
  for (const d of docs.filter((doc) => doc.kind === DocumentKind.groupMembers)) {
    const groupId = (d.body as { groupId: string }).groupId;
    members[groupId] = [...(members[groupId] ?? []), ...listItems<Item>(d.body)];
  }
  const defaults = docs.find((d) => d.kind === DocumentKind.securityDefaults)?.body as Item | undefined;
  const { '@odata.context': _context, ...securityDefaults } = defaults ?? { isEnabled: false };
  return {
    tenantId: bundle.scope.id,
    subscriptions: subscriptionIds.map((id) => ({
      id,
      name: names[id] ?? id,
      roleAssignments: inSub(DocumentKind.roleAssignments, id),
      roleDefinitions: inSub(DocumentKind.roleDefinitions, id),
      roleEligibilitySchedules: inSub(DocumentKind.roleEligibilitySchedules, id),
      roleAssignmentScheduleInstances: inSub(DocumentKind.roleAssignmentScheduleInstances, id),
      diagnosticSettings: inSub(DocumentKind.diagnosticSettings, id),
      // Compute exports name their subscription in their items' ids, not in their origin.
      compute: Object.fromEntries(
        COMPUTE.map(([list, kind]) => [
          list,
          of(kind).filter((r) => String(r.id).toLowerCase().startsWith(`/subscriptions/${id}/`)),
        ]),
      ),
    })),
    organization: of(DocumentKind.organization),
    users: of(DocumentKind.users),
    groups: of(DocumentKind.groups),
    members,
    servicePrincipals: of(DocumentKind.servicePrincipals),
    registrationDetails: of(DocumentKind.registrationDetails),
    directoryRoleAssignments: of(DocumentKind.directoryRoleAssignments),
    directoryRoleDefinitions: of(DocumentKind.directoryRoleDefinitions),
    directoryRoleEligibilitySchedules: of(DocumentKind.directoryRoleEligibilitySchedules),
    directoryRoleAssignmentScheduleInstances: of(DocumentKind.directoryRoleAssignmentScheduleInstances),
    conditionalAccessPolicies: of(DocumentKind.conditionalAccessPolicies),
    securityDefaults,
    applications: of(DocumentKind.applications),
    appRoleAssignedTo: of(DocumentKind.appRoleAssignments).reduce<Record<string, Item[]>>((by, a) => {
      const list = by[String(a.resourceId)] ?? [];
      list.push(a);
      by[String(a.resourceId)] = list;
      return by;
    }, {}),
    administrativeUnits: of(DocumentKind.administrativeUnits),
  };
}

/** The fake's compute lists (the provider path's last segment) and the document kind each answers. */
const COMPUTE: Array<[string, string]> = [
  ['virtualMachines', DocumentKind.virtualMachines],
  ['automationAccounts', DocumentKind.automationAccounts],
  ['sites', DocumentKind.sites],
  ['workflows', DocumentKind.logicWorkflows],
  ['managedClusters', DocumentKind.managedClusters],
];
