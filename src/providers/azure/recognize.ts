/**
 * Recognises an `az` or Graph export by its content, never its name: Graph pages by their `@odata.context`, ARM
 * lists by their items' resource ids and fields, errors by their `error` object. Only an empty ARM list says nothing
 * about itself; then (and only then) the file name must say which export it is. Bad content is a UserError naming
 * the file.
 */
import { basename } from 'node:path';
import { UserError } from '../../errors.js';
import { parseJsonText } from '../../util/json.js';
import type { RawDocument } from '../types.js';
import { checkDocumentShape } from '../cloud/shape.js';
import { DocumentKind, documentShape, type DocumentKindValue } from './documents.js';
import { flattenArm } from './items.js';

const EXPORT_HINT =
  'pass what `az` printed (`az role assignment list --all --include-inherited -o json`, `az rest --url https://graph.microsoft.com/v1.0/...`, ...) or the folder `cloudward collect azure --raw-out` wrote; see docs/providers/azure.md';

/** Graph `@odata.context` entity sets (after `$metadata#`, without `(select)` or `/$entity`). */
const CONTEXTS: Array<[RegExp, DocumentKindValue]> = [
  [/^users$/i, DocumentKind.users],
  [/^groups$/i, DocumentKind.groups],
  [/^directoryObjects$/i, DocumentKind.groupMembers],
  [/^servicePrincipals$/i, DocumentKind.servicePrincipals],
  [/^organization$/i, DocumentKind.organization],
  [/^reports\/authenticationMethods\/userRegistrationDetails$/i, DocumentKind.registrationDetails],
  [/^roleManagement\/directory\/roleAssignments$/i, DocumentKind.directoryRoleAssignments],
  [/^roleManagement\/directory\/roleEligibilitySchedules$/i, DocumentKind.directoryRoleEligibilitySchedules],
  [
    /^roleManagement\/directory\/roleAssignmentScheduleInstances$/i,
    DocumentKind.directoryRoleAssignmentScheduleInstances,
  ],
  [
    /^roleManagement\/directory\/roleEligibilityScheduleInstances$/i,
    DocumentKind.directoryRoleEligibilityScheduleInstances,
  ],
  [/^roleManagement\/directory\/roleDefinitions$/i, DocumentKind.directoryRoleDefinitions],
  // `identity/conditionalAccess/policies` is what Graph answers; the v1.0 docs print `conditionalAccess/policies`.
  [/^(identity\/)?conditionalAccess\/policies$/i, DocumentKind.conditionalAccessPolicies],
  [/^policies\/identitySecurityDefaultsEnforcementPolicy$/i, DocumentKind.securityDefaults],
  [/^applications$/i, DocumentKind.applications],
  // What a service principal holds (appRoleAssignments), or who holds Microsoft Graph's permissions (appRoleAssignedTo).
  [/^servicePrincipals\/(appRoleAssignments|appRoleAssignedTo)$/i, DocumentKind.appRoleAssignments],
  [/^(directory\/)?administrativeUnits$/i, DocumentKind.administrativeUnits],
];

/** An ARM item by the resource type in its id (`.../providers/Microsoft.Authorization/roleAssignments/<name>`). */
const ARM_TYPES: Array<[RegExp, DocumentKindValue]> = [
  [/\/providers\/Microsoft\.Authorization\/roleAssignments\/[^/]+$/i, DocumentKind.roleAssignments],
  [/\/providers\/Microsoft\.Authorization\/roleDefinitions\/[^/]+$/i, DocumentKind.roleDefinitions],
  [/\/providers\/Microsoft\.Authorization\/roleEligibilitySchedules\/[^/]+$/i, DocumentKind.roleEligibilitySchedules],
  [
    /\/providers\/Microsoft\.Authorization\/roleAssignmentScheduleInstances\/[^/]+$/i,
    DocumentKind.roleAssignmentScheduleInstances,
  ],
  [
    /\/providers\/Microsoft\.Authorization\/roleEligibilityScheduleInstances\/[^/]+$/i,
    DocumentKind.roleEligibilityScheduleInstances,
  ],
  // The Monitor API's own examples name the subscription activity log's provider `AzureResourceManager`.
  [
    /\/providers\/(Microsoft\.Insights|AzureResourceManager)\/diagnosticSettings\/[^/]+$/i,
    DocumentKind.diagnosticSettings,
  ],
  [/^\/providers\/Microsoft\.Management\/managementGroups\/[^/]+$/i, DocumentKind.managementGroupDescendants],
  [/^\/subscriptions\/[^/]+$/i, DocumentKind.subscriptions],
  [/\/providers\/Microsoft\.Compute\/virtualMachines\/[^/]+$/i, DocumentKind.virtualMachines],
  [/\/providers\/Microsoft\.Automation\/automationAccounts\/[^/]+$/i, DocumentKind.automationAccounts],
  [/\/providers\/Microsoft\.Web\/sites\/[^/]+$/i, DocumentKind.sites],
  [/\/providers\/Microsoft\.Logic\/workflows\/[^/]+$/i, DocumentKind.logicWorkflows],
  [/\/providers\/Microsoft\.ContainerService\/managedClusters\/[^/]+$/i, DocumentKind.managedClusters],
];

/**
 * The commands whose names say which export an empty ARM list is (`--raw-out` writes `arm-<command>.json`), as words.
 * A file name names one when its words (split on `-`, `_`, `.`) begin with the command's, after at most an `az` or
 * `arm` prefix: `az-account-list.json` is `az account list`, `automation-account-list.json` is not. Longer commands
 * come first (`role-assignment-schedule-instances` begins with `role assignment` too).
 */
const EMPTY_LIST_COMMANDS: Array<[string[], DocumentKindValue]> = [
  [['diagnostic', 'settings'], DocumentKind.diagnosticSettings],
  [['monitor', 'diagnostic', 'settings'], DocumentKind.diagnosticSettings],
  [['role', 'eligibility', 'schedules'], DocumentKind.roleEligibilitySchedules],
  [['role', 'eligibility', 'schedule', 'instances'], DocumentKind.roleEligibilityScheduleInstances],
  [['role', 'assignment', 'schedule', 'instances'], DocumentKind.roleAssignmentScheduleInstances],
  [['role', 'assignments'], DocumentKind.roleAssignments],
  [['role', 'assignment'], DocumentKind.roleAssignments],
  [['role', 'definitions'], DocumentKind.roleDefinitions],
  [['role', 'definition'], DocumentKind.roleDefinitions],
  [['subscriptions'], DocumentKind.subscriptions],
  [['account', 'list'], DocumentKind.subscriptions],
  [['vm', 'list'], DocumentKind.virtualMachines],
  [['automation', 'account', 'list'], DocumentKind.automationAccounts],
  [['functionapp', 'list'], DocumentKind.sites],
  [['webapp', 'list'], DocumentKind.sites],
  [['logic', 'workflow', 'list'], DocumentKind.logicWorkflows],
  [['aks', 'list'], DocumentKind.managedClusters],
];

/** The export an empty list's file name names by its command, or undefined. */
export function emptyListKind(file: string): DocumentKindValue | undefined {
  const words = basename(file)
    .toLowerCase()
    .split(/[-_.]+/)
    .filter((w) => w !== '');
  const start = words[0] === 'az' || words[0] === 'arm' ? 1 : 0;
  const named = (command: string[]) => command.every((word, k) => words[start + k] === word);
  return EMPTY_LIST_COMMANDS.find(([command]) => named(command))?.[1];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A Graph item without `@odata.context` (`az ad user list`, `az ad sp list`), by its fields. */
function graphKindOfItem(item: Record<string, unknown>): DocumentKindValue | undefined {
  if ('isMfaRegistered' in item || 'methodsRegistered' in item) return DocumentKind.registrationDetails;
  if ('grantControls' in item && 'conditions' in item) return DocumentKind.conditionalAccessPolicies;
  if ('directoryScopeId' in item && 'roleEligibilityScheduleId' in item)
    return DocumentKind.directoryRoleEligibilityScheduleInstances;
  if ('directoryScopeId' in item && 'assignmentType' in item)
    return DocumentKind.directoryRoleAssignmentScheduleInstances;
  if ('directoryScopeId' in item && 'scheduleInfo' in item) return DocumentKind.directoryRoleEligibilitySchedules;
  if ('directoryScopeId' in item) return DocumentKind.directoryRoleAssignments;
  if ('templateId' in item && 'rolePermissions' in item) return DocumentKind.directoryRoleDefinitions;
  if ('appRoleId' in item && 'resourceId' in item) return DocumentKind.appRoleAssignments;
  // `az ad app list`: an app registration has no servicePrincipalType, and has its sign-in audience or API permissions.
  if (!('servicePrincipalType' in item) && ('signInAudience' in item || 'requiredResourceAccess' in item))
    return DocumentKind.applications;
  if ('servicePrincipalType' in item || ('appId' in item && 'displayName' in item))
    return DocumentKind.servicePrincipals;
  if ('userPrincipalName' in item) return DocumentKind.users;
  if ('securityEnabled' in item || 'mailEnabled' in item) return DocumentKind.groups;
  if ('homeTenantId' in item || 'isDefault' in item || 'subscriptionId' in item) return DocumentKind.subscriptions;
  return undefined;
}

function armKindOfItem(item: Record<string, unknown>): DocumentKindValue | undefined {
  const id = typeof item.id === 'string' ? item.id : '';
  if (typeof item.type === 'string' && /^Microsoft\.Management\/managementGroups/i.test(item.type))
    return DocumentKind.managementGroupDescendants;
  for (const [pattern, kind] of ARM_TYPES) if (pattern.test(id)) return kind;
  if ('roleName' in item && 'permissions' in item) return DocumentKind.roleDefinitions;
  if ('logs' in item && ('workspaceId' in item || 'storageAccountId' in item || 'eventHubAuthorizationRuleId' in item))
    return DocumentKind.diagnosticSettings;
  return undefined;
}

function contextKind(context: string, file: string): DocumentKindValue {
  const entity = /\/\$entity$/.test(context);
  // Key and option groups, nested ones too (`servicePrincipals('id')/appRoleAssignedTo`, `applications(owners())`).
  let set = context.replace(/^.*\$metadata#/, '').replace(/\/\$entity$/, '');
  while (/\([^()]*\)/.test(set)) set = set.replace(/\([^()]*\)/g, '');
  const hit = CONTEXTS.find(([pattern]) => pattern.test(set));
  if (!hit)
    throw new UserError(`unrecognised Graph response (@odata.context ${set})`, { where: file, hint: EXPORT_HINT });
  // One directory object says nothing of the group it is a member of.
  if (entity && hit[1] === DocumentKind.groupMembers)
    throw new UserError('a single directory object is not a group member list', {
      where: file,
      hint: 'export the list: az rest --url https://graph.microsoft.com/v1.0/groups/<id>/transitiveMembers > group-members.<id>.json',
    });
  return hit[1];
}

/** Recognises one file's text; throws a UserError naming the file when it is not an Azure export. */
export function recognizeDocument(text: string, file: string): RawDocument {
  const value = parseJsonText(text, file, 'Azure export JSON');
  const document = (kind: DocumentKindValue): RawDocument => {
    const expected = documentShape(kind, value);
    if (expected) checkDocumentShape(`azure ${expected.key}`, expected.shape, value, file, EXPORT_HINT);
    return { kind, origin: file, body: value };
  };
  if (isObject(value) && 'Cloudward' in value) {
    const note = value.Cloudward as Record<string, unknown> | undefined;
    if (
      !isObject(note) ||
      note.Provider !== 'azure' ||
      typeof note.TenantId !== 'string' ||
      typeof note.CollectedAt !== 'string' ||
      Number.isNaN(Date.parse(note.CollectedAt))
    ) {
      throw new UserError(
        '"Cloudward" must be an object with Provider "azure", a TenantId and a CollectedAt date-time',
        { where: `${file}#/Cloudward`, hint: EXPORT_HINT },
      );
    }
    return document(DocumentKind.collection);
  }
  if (isObject(value) && isObject(value.error)) {
    if (typeof value.request !== 'string') {
      throw new UserError('an error response that does not say which request it answers', {
        where: file,
        hint: 'add "request": "GET <the URL az rest was given>" beside "error", so the gap names the right data',
      });
    }
    return document(DocumentKind.error);
  }
  if (isObject(value) && typeof value['@odata.context'] === 'string') {
    const kind = contextKind(value['@odata.context'], file);
    if (kind !== DocumentKind.securityDefaults) checkList(value.value, file);
    return document(kind);
  }
  if (
    isObject(value) &&
    typeof value.isEnabled === 'boolean' &&
    /securityDefaults|Security Defaults/i.test(
      `${String(value.id)} ${String(value.displayName)} ${String(value['@odata.type'] ?? '')}`,
    )
  ) {
    return document(DocumentKind.securityDefaults);
  }
  if (isObject(value) && !('value' in value)) {
    // A single-object read (`az rest` on `.../{id}`, `az account show`): one item of the kind it is.
    const kind = armKindOfItem(flattenArm(value)) ?? graphKindOfItem(flattenArm(value));
    if (kind) return document(kind);
  }
  const items = Array.isArray(value) ? value : isObject(value) && 'value' in value ? value.value : undefined;
  if (items === undefined) {
    const keys = isObject(value)
      ? Object.keys(value).slice(0, 5).join(', ') || 'none'
      : Array.isArray(value)
        ? 'a list'
        : typeof value;
    throw new UserError(`unrecognised Azure document (top-level: ${keys})`, { where: file, hint: EXPORT_HINT });
  }
  checkList(items, file);
  const list = items as Array<Record<string, unknown>>;
  if (list.length === 0) {
    const named = emptyListKind(file);
    if (!named)
      throw new UserError('an empty list does not say which export it is', {
        where: file,
        hint: 'name the file after its command (diagnostic-settings.json, role-assignments.json, role-eligibility-schedules.json, ...) or leave it out',
      });
    return document(named);
  }
  const first = flattenArm(list[0]!);
  const kind = armKindOfItem(first) ?? graphKindOfItem(first);
  if (!kind)
    throw new UserError(`unrecognised Azure list (first item's keys: ${Object.keys(first).slice(0, 6).join(', ')})`, {
      where: file,
      hint: EXPORT_HINT,
    });
  const other = list.findIndex(
    (item) => (armKindOfItem(flattenArm(item)) ?? graphKindOfItem(flattenArm(item))) !== kind,
  );
  if (other !== -1)
    throw new UserError(`the list mixes two kinds of item (item ${other} is not like item 0)`, {
      where: `${file}#/${Array.isArray(value) ? '' : 'value/'}${other}`,
      hint: 'export each command to its own file',
    });
  return document(kind);
}

function checkList(items: unknown, file: string): void {
  if (items === undefined) return;
  if (!Array.isArray(items))
    throw new UserError('"value" must be a list', { where: `${file}#/value`, hint: EXPORT_HINT });
  const bad = items.findIndex((item) => !isObject(item));
  if (bad !== -1) throw new UserError(`item ${bad} is not an object`, { where: `${file}#/${bad}`, hint: EXPORT_HINT });
}
