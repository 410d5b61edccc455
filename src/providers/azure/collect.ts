/**
 * Live collection of one Entra tenant and its subscriptions, read-only: Graph once for the tenant (directory, MFA
 * registration report, directory roles and PIM, Conditional Access, security defaults), then each subscription's
 * RBAC, PIM and diagnostic settings with bounded concurrency. API calls grow with subscriptions and pages, never with
 * users. A read that fails (forbidden, no licence, throttled out) becomes an error document and so a gap naming what
 * was missing; only "no credential at all" or "cannot list subscriptions" stop the run (exit 2).
 */
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import pLimit from 'p-limit';
import { UserError } from '../../errors.js';
import { wholeNumber } from '../cloud/options.js';
import { readInputText } from '../../util/files.js';
import { collectionTime } from '../cloud/scopes.js';
import { selectShard } from '../cloud/shard.js';
import type { CollectContext, RawBundle, RawDocument } from '../types.js';
import { tenantBundle } from './bundle.js';
import { warnDrops } from './drops.js';
import { createClients, errorFacts, type AzureClients, type CallStats } from './clients.js';
import {
  DocumentKind,
  type DocumentKindValue,
  type ErrorBody,
  type RoleAssignment,
  type RoleSchedule,
  type Subscription,
} from './documents.js';
import { MICROSOFT_GRAPH_APP_ID } from './escalation-facts.js';
import { itemsOfKind, listItems, subscriptionOfOrigin, subscriptionOrigin } from './items.js';
import { writeRawBundle } from './raw-files.js';
import type { AzureCollectOptions, AzureTestHooks } from './index.js';

interface AzureCollectSettings {
  tenant?: string;
  subscriptions: string[];
  managementGroup?: string;
  concurrency: number;
  /** Attempts per call; the Azure pipeline counts the retries after the first. */
  maxAttempts: number;
  armEndpoint: string;
  graphEndpoint: string;
  caFile?: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function endpoint(value: unknown, flag: string, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^https:\/\/[^\s/]+(\/[^\s]*)?$/i.test(value)) {
    throw new UserError(`${flag} must be an https URL, not "${String(value)}"`, {
      where: flag,
      hint: 'Azure SDKs send bearer tokens only over https, e.g. https://management.usgovcloudapi.net',
    });
  }
  return value.replace(/\/+$/, '');
}

/** Reads the adapter's options; an invalid value is a UserError naming the flag. */
function collectSettings(options: AzureCollectOptions): AzureCollectSettings {
  const subscriptions = options.subscription ?? [];
  const bad = subscriptions.find((s) => !GUID.test(s));
  if (bad)
    throw new UserError(`--subscription must be a subscription id (a GUID), not "${bad}"`, { where: '--subscription' });
  const tenant = options.tenant;
  if (tenant !== undefined && !GUID.test(tenant) && !/^[a-z0-9.-]+\.[a-z]{2,}$/i.test(tenant))
    throw new UserError(`--tenant must be a tenant id or domain, not "${tenant}"`, { where: '--tenant' });
  const managementGroup = options.managementGroup;
  if (managementGroup !== undefined && !/^[\w().-]{1,90}$/.test(managementGroup))
    throw new UserError(`--management-group must be a management group id, not "${managementGroup}"`, {
      where: '--management-group',
    });
  return {
    ...(tenant ? { tenant } : {}),
    subscriptions: subscriptions.map((s) => s.toLowerCase()),
    ...(managementGroup ? { managementGroup } : {}),
    concurrency: wholeNumber(options.concurrency, '--concurrency', 8, 1, 64),
    maxAttempts: wholeNumber(options.maxAttempts, '--max-attempts', 7, 1, 21),
    armEndpoint: endpoint(options.armEndpoint, '--arm-endpoint', 'https://management.azure.com'),
    graphEndpoint: endpoint(options.graphEndpoint, '--graph-endpoint', 'https://graph.microsoft.com'),
    ...(typeof options.caFile === 'string' ? { caFile: options.caFile } : {}),
  };
}

async function readCaFile(path: string): Promise<string> {
  const text = await readInputText(path, 'CA certificate file');
  if (!/-----BEGIN CERTIFICATE-----/.test(text))
    throw new UserError('not a PEM certificate file (no BEGIN CERTIFICATE line)', {
      where: path,
      hint: "--ca-file takes PEM certificates, e.g. your proxy's or Azure Stack Hub's root CA",
    });
  return text;
}

/** Runs a read; a failure becomes an error document naming the request (and so a gap). */
async function attempt(
  documents: RawDocument[],
  kind: DocumentKindValue,
  origin: string,
  request: string,
  read: () => Promise<unknown[]>,
): Promise<unknown[] | undefined> {
  try {
    const bodies = await read();
    for (const body of bodies) documents.push({ kind, origin, body });
    return bodies;
  } catch (error) {
    const facts = errorFacts(error);
    if (facts.status === undefined && facts.code === 'CredentialUnavailableError') throw error;
    const body: ErrorBody = { error: { code: facts.code, message: facts.message }, request: `GET ${request}` };
    documents.push({
      kind: DocumentKind.error,
      origin,
      body: { ...body, ...(facts.status ? { status: facts.status } : {}) },
    });
    return undefined;
  }
}

/** An SDK list as `az` prints it: one JSON array of flattened items, dates as ISO strings. */
async function sdkList(iterator: AsyncIterable<unknown>): Promise<unknown[]> {
  const items: unknown[] = [];
  for await (const item of iterator) items.push(JSON.parse(JSON.stringify(item)));
  return [items];
}

const select = {
  users: '$select=id,displayName,userPrincipalName,userType,accountEnabled,createdDateTime&$top=999',
  groups: '$select=id,displayName,securityEnabled,isAssignableToRole&$expand=owners&$top=999',
  servicePrincipals: '$select=id,appId,displayName,servicePrincipalType,accountEnabled&$expand=owners&$top=999',
  applications: '$select=id,appId,displayName&$expand=owners&$top=999',
  members: '$select=id,displayName,userPrincipalName&$top=999',
};

/** Who holds Microsoft Graph's application permissions: the app role assignments of its service principal, when listed. */
async function readGraphPermissions(clients: AzureClients, documents: RawDocument[]): Promise<void> {
  const graphId = itemsOfKind<{ id?: string; appId?: string }>(documents, DocumentKind.servicePrincipals).find(
    (sp) => sp.appId === MICROSOFT_GRAPH_APP_ID,
  )?.id;
  if (!graphId) return;
  const path = `/servicePrincipals/${graphId}/appRoleAssignedTo`;
  await attempt(documents, DocumentKind.appRoleAssignments, `graph: GET ${path}`, path, () =>
    clients.pages('graph', `/v1.0${path}`),
  );
}

async function readTenant(clients: AzureClients, documents: RawDocument[]): Promise<void> {
  const graph = (kind: DocumentKindValue, path: string, query = '') =>
    attempt(documents, kind, `graph: GET ${path}`, path, () =>
      clients.pages('graph', `/v1.0${path}${query ? `?${query}` : ''}`),
    );
  await Promise.all([
    graph(DocumentKind.organization, '/organization', '$select=id,displayName,verifiedDomains'),
    graph(DocumentKind.users, '/users', select.users),
    graph(DocumentKind.groups, '/groups', select.groups),
    graph(DocumentKind.servicePrincipals, '/servicePrincipals', select.servicePrincipals),
    graph(DocumentKind.registrationDetails, '/reports/authenticationMethods/userRegistrationDetails'),
    graph(DocumentKind.directoryRoleAssignments, '/roleManagement/directory/roleAssignments'),
    // The list documents $filter and $expand only (no $select): read whole definitions.
    graph(DocumentKind.directoryRoleDefinitions, '/roleManagement/directory/roleDefinitions'),
    graph(DocumentKind.directoryRoleEligibilitySchedules, '/roleManagement/directory/roleEligibilitySchedules'),
    graph(
      DocumentKind.directoryRoleAssignmentScheduleInstances,
      '/roleManagement/directory/roleAssignmentScheduleInstances',
    ),
    graph(DocumentKind.conditionalAccessPolicies, '/identity/conditionalAccess/policies'),
    graph(DocumentKind.applications, '/applications', select.applications),
    graph(DocumentKind.administrativeUnits, '/directory/administrativeUnits', '$expand=members'),
    attempt(
      documents,
      DocumentKind.securityDefaults,
      'graph: GET /policies/identitySecurityDefaultsEnforcementPolicy',
      '/policies/identitySecurityDefaultsEnforcementPolicy',
      async () => [await clients.get('graph', '/v1.0/policies/identitySecurityDefaultsEnforcementPolicy')],
    ),
  ]);
}

/** The compute lists per subscription: kind, provider path, api-version (the swagger's, test/fixtures/specs/azure-arm.json). */
const COMPUTE_LISTS: Array<[DocumentKindValue, string, string]> = [
  [DocumentKind.virtualMachines, 'Microsoft.Compute/virtualMachines', '2024-07-01'],
  [DocumentKind.automationAccounts, 'Microsoft.Automation/automationAccounts', '2023-11-01'],
  [DocumentKind.sites, 'Microsoft.Web/sites', '2023-12-01'],
  [DocumentKind.logicWorkflows, 'Microsoft.Logic/workflows', '2019-05-01'],
  [DocumentKind.managedClusters, 'Microsoft.ContainerService/managedClusters', '2024-09-01'],
];

/**
 * A subscription's documents: its role assignments, definitions and PIM schedules (`access`, which make the
 * tenant-wide principals and roles) and its diagnostic settings (`diagnostics`, its own controls).
 */
async function readSubscription(
  clients: AzureClients,
  subscriptionId: string,
  documents: RawDocument[],
  parts: { access: boolean; diagnostics: boolean },
): Promise<void> {
  const auth = clients.authorization(subscriptionId);
  const scope = `subscriptions/${subscriptionId}`;
  const base = `/subscriptions/${subscriptionId}/providers`;
  const read = (kind: DocumentKindValue, path: string, list: () => Promise<unknown[]>) =>
    attempt(documents, kind, subscriptionOrigin(subscriptionId, `arm: GET ${path}`), path, list);
  await Promise.all([
    ...(parts.access
      ? [
          read(DocumentKind.roleAssignments, `${base}/Microsoft.Authorization/roleAssignments`, () =>
            sdkList(auth.roleAssignments.listForSubscription()),
          ),
          // Without the filter the list holds definitions assignable at the subscription and above only: a custom role
          // whose assignable scopes are resource groups would be missing (RoleDefinitions_List, 2022-04-01).
          read(DocumentKind.roleDefinitions, `${base}/Microsoft.Authorization/roleDefinitions`, () =>
            sdkList(auth.roleDefinitions.list(scope, { filter: 'atScopeAndBelow()' })),
          ),
          read(DocumentKind.roleEligibilitySchedules, `${base}/Microsoft.Authorization/roleEligibilitySchedules`, () =>
            sdkList(auth.roleEligibilitySchedules.listForScope(scope)),
          ),
          read(
            DocumentKind.roleAssignmentScheduleInstances,
            `${base}/Microsoft.Authorization/roleAssignmentScheduleInstances`,
            () => sdkList(auth.roleAssignmentScheduleInstances.listForScope(scope)),
          ),
        ]
      : []),
    // Compute that runs as a managed identity: whoever can run code there acts as the identity (escalation graph).
    ...(parts.access
      ? COMPUTE_LISTS.map(([kind, path, version]) =>
          read(kind, `${base}/${path}`, () => clients.pages('arm', `${base}/${path}?api-version=${version}`)),
        )
      : []),
    ...(parts.diagnostics
      ? [
          read(DocumentKind.diagnosticSettings, `${base}/Microsoft.Insights/diagnosticSettings`, () =>
            clients.pages('arm', `${base}/Microsoft.Insights/diagnosticSettings?api-version=2021-05-01-preview`),
          ),
        ]
      : []),
  ]);
}

/**
 * Reads by id every role definition an Azure assignment or eligibility names that no subscription's list returned (a
 * definition made in a subscription not read, say); one that still cannot be read is an error document, and so a gap
 * naming its id. Subscriptions whose list failed are skipped: their gap already says the definitions are missing.
 */
async function resolveRoleDefinitions(
  clients: AzureClients,
  documents: RawDocument[],
  limit: <T>(fn: () => Promise<T>) => Promise<T>,
): Promise<void> {
  const lastSegment = (id: string | undefined) => (id ?? '').toLowerCase().split('/').at(-1) ?? '';
  const known = new Set(
    itemsOfKind<{ name?: string; id?: string }>(documents, DocumentKind.roleDefinitions).map((d) =>
      lastSegment(d.name ?? d.id),
    ),
  );
  const listed = new Set(
    documents.filter((d) => d.kind === DocumentKind.roleDefinitions).map((d) => subscriptionOfOrigin(d.origin)),
  );
  const wanted = new Map<string, { id: string; subscription: string }>();
  for (const kind of [DocumentKind.roleAssignments, DocumentKind.roleEligibilitySchedules]) {
    for (const document of documents.filter((d) => d.kind === kind)) {
      const subscription = subscriptionOfOrigin(document.origin);
      if (!subscription || !listed.has(subscription)) continue;
      for (const item of listItems<{ roleDefinitionId?: string }>(document.body)) {
        const guid = lastSegment(item.roleDefinitionId);
        if (item.roleDefinitionId && guid && !known.has(guid) && !wanted.has(guid))
          wanted.set(guid, { id: item.roleDefinitionId, subscription });
      }
    }
  }
  await Promise.all(
    [...wanted.values()].map(({ id, subscription }) =>
      limit(() => {
        // RoleDefinitions_Get at the subscription the assignment was listed in (built-in and tenant-level ids too).
        const guid = lastSegment(id);
        const path = `/subscriptions/${subscription}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
        return attempt(
          documents,
          DocumentKind.roleDefinitions,
          subscriptionOrigin(subscription, `arm: GET ${path}`),
          path,
          async () => [
            [
              JSON.parse(
                JSON.stringify(
                  await clients.authorization(subscription).roleDefinitions.get(`subscriptions/${subscription}`, guid),
                ),
              ),
            ],
          ],
        );
      }),
    ),
  );
}

/** Groups that hold a role (directly, or eligible), whose members must be read to know who holds it. */
function roleHoldingGroups(documents: readonly RawDocument[]): string[] {
  const groups = new Set(
    itemsOfKind<{ id?: string }>(documents, DocumentKind.groups).map((g) => (g.id ?? '').toLowerCase()),
  );
  const holders = new Set<string>();
  for (const kind of [DocumentKind.directoryRoleAssignments, DocumentKind.directoryRoleEligibilitySchedules]) {
    for (const a of itemsOfKind<{ principalId?: string }>(documents, kind))
      if (a.principalId && groups.has(a.principalId.toLowerCase())) holders.add(a.principalId.toLowerCase());
  }
  for (const kind of [DocumentKind.roleAssignments, DocumentKind.roleEligibilitySchedules]) {
    for (const a of itemsOfKind<RoleAssignment & RoleSchedule>(documents, kind))
      if (a.principalId && (a.principalType === 'Group' || groups.has(a.principalId.toLowerCase())))
        holders.add(a.principalId.toLowerCase());
  }
  return [...holders].sort();
}

async function listSubscriptions(
  clients: AzureClients,
  settings: AzureCollectSettings,
  documents: RawDocument[],
): Promise<{ ids: string[]; tenantId?: string }> {
  let pages: unknown[];
  try {
    pages = await clients.pages('arm', '/subscriptions?api-version=2022-12-01');
  } catch (error) {
    const facts = errorFacts(error);
    if (
      /CredentialUnavailable|AuthenticationRequired|AuthenticationError|authentication failed/i.test(
        `${facts.code} ${(error as Error).name} ${facts.message}`,
      )
    ) {
      throw new UserError(`no usable Azure credential: ${facts.message.split('.')[0]}`, {
        where: 'DefaultAzureCredential',
        hint: 'run `az login`, or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or a workload/managed identity)',
      });
    }
    throw new UserError(`cannot list subscriptions: ${facts.code}: ${facts.message}`, {
      where: 'GET /subscriptions',
      hint: 'check the credential and --arm-endpoint; the identity needs Reader (or the cloudward reader role) on the subscriptions',
    });
  }
  for (const body of pages)
    documents.push({ kind: DocumentKind.subscriptions, origin: 'arm: GET /subscriptions', body });
  const all = pages.flatMap((p) => listItems<Subscription>(p));
  const readable = all
    .filter((s) => !/^(Disabled|Deleted)$/i.test(s.state ?? ''))
    .map((s) => (s.subscriptionId ?? '').toLowerCase())
    .filter(Boolean);
  let ids = readable;
  if (settings.managementGroup) {
    const path = `/providers/Microsoft.Management/managementGroups/${settings.managementGroup}/descendants`;
    const under = await attempt(documents, DocumentKind.managementGroupDescendants, `arm: GET ${path}`, path, () =>
      clients.pages('arm', `${path}?api-version=2020-05-01`),
    );
    if (!under)
      throw new UserError(`cannot list management group ${settings.managementGroup}`, {
        where: `GET ${path}`,
        hint: 'check the id and that the identity can read the management group',
      });
    const subs = new Set(
      under
        .flatMap((p) => listItems<{ type?: string; name?: string }>(p))
        .filter((d) => /subscriptions$/i.test(d.type ?? ''))
        .map((d) => (d.name ?? '').toLowerCase()),
    );
    ids = ids.filter((id) => subs.has(id));
  }
  if (settings.subscriptions.length > 0) {
    const missing = settings.subscriptions.find((s) => !readable.includes(s));
    if (missing)
      throw new UserError(`subscription ${missing} is not among those the credential can read`, {
        where: '--subscription',
        hint: `readable: ${readable.join(', ') || 'none'}`,
      });
    ids = ids.filter((id) => settings.subscriptions.includes(id));
  }
  const tenantId = all.find((s) => s.tenantId)?.tenantId;
  return { ids: ids.sort(), ...(tenantId ? { tenantId } : {}) };
}

/** Collects the tenant and its subscriptions into one bundle. */
export async function collectAzure(context: CollectContext<AzureCollectOptions, AzureTestHooks>): Promise<RawBundle[]> {
  const settings = collectSettings(context.options);
  const hooks = context.hooks ?? {};
  const credential: TokenCredential =
    hooks.credential ?? new DefaultAzureCredential(settings.tenant ? { tenantId: settings.tenant } : {});
  const stats: CallStats = hooks.stats ?? { calls: 0, throttled: 0, byOperation: {} };
  const ca = settings.caFile ? await readCaFile(settings.caFile) : undefined;
  const clients = createClients(
    {
      ...(ca ? { ca } : {}),
      credential,
      armEndpoint: settings.armEndpoint,
      graphEndpoint: settings.graphEndpoint,
      maxRetries: settings.maxAttempts - 1,
      ...(hooks.retryDelayMs !== undefined ? { retryDelayMs: hooks.retryDelayMs } : {}),
    },
    stats,
  );
  const collectedAt = collectionTime(context);
  const documents: RawDocument[] = [];
  const { ids: all, tenantId: listedTenant } = await listSubscriptions(clients, settings, documents);
  // Principals and roles are tenant-wide and each one's privilege is the sum of its assignments in every
  // subscription, so shard 1 alone reads the directory and every subscription's access documents and emits the
  // tenant; each shard reads the diagnostic settings of its own subscriptions and emits them as sources.
  const ids = selectShard(all, (id) => id, context.shard);
  const own = new Set(ids);
  const organization = !context.shard || context.shard.index === 1;
  const tenantId = (settings.tenant && GUID.test(settings.tenant) ? settings.tenant : undefined) ?? listedTenant;
  context.progress.status(
    organization
      ? `azure: reading the directory and ${ids.length} subscription(s)`
      : `azure: reading ${ids.length} subscription(s)`,
  );
  if (organization) await readTenant(clients, documents);
  else if (!tenantId)
    await attempt(documents, DocumentKind.organization, 'graph: GET /organization', '/organization', () =>
      clients.pages('graph', '/v1.0/organization?$select=id,displayName,verifiedDomains'),
    );
  const organizationId = itemsOfKind<{ id?: string }>(documents, DocumentKind.organization)[0]?.id;
  const tenant = tenantId ?? organizationId;
  if (!tenant)
    throw new UserError('cannot tell which tenant the credential belongs to', { hint: 'pass --tenant <tenant id>' });
  const read = organization ? all : ids;
  const limit = pLimit(settings.concurrency);
  let done = 0;
  await Promise.all(
    read.map((id) =>
      limit(async () => {
        await readSubscription(clients, id, documents, { access: organization, diagnostics: own.has(id) });
        done++;
        context.progress.status(
          `azure: subscription ${id} read (${done}/${read.length}), ${stats.calls} calls, ${stats.throttled} throttled`,
        );
      }),
    ),
  );
  if (organization)
    await Promise.all([resolveRoleDefinitions(clients, documents, limit), readGraphPermissions(clients, documents)]);
  await Promise.all(
    roleHoldingGroups(documents).map((group) =>
      limit(() => {
        const path = `/groups/${group}/transitiveMembers`;
        return attempt(documents, DocumentKind.groupMembers, `graph: GET ${path}`, path, async () => {
          const pages = await clients.pages('graph', `/v1.0${path}?${select.members}`);
          return pages.map((page) => ({ groupId: group, ...(page as Record<string, unknown>) }));
        });
      }),
    ),
  );
  const bundle = {
    ...tenantBundle(tenant, 'live', collectedAt, documents),
    ...(context.shard ? { shard: { organization, scopes: ids } } : {}),
  };
  if (context.rawOut) await writeRawBundle(context.rawOut, bundle);
  for (const gap of bundle.gaps)
    context.progress.warn(`azure: ${gap.what} not read (${gap.call ?? ''}): ${gap.reason}`);
  warnDrops(bundle, context.progress);
  return [bundle];
}
