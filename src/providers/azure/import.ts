/**
 * Import of `az` and Graph exports: recognise each file by content, tie subscription-level exports to their
 * subscription (by the ids they hold, else by the subscription id in their path), tie group member lists to their
 * group (by the group id in the file name), and note as gaps what the files do not cover.
 */
import { basename, dirname } from 'node:path';
import { UserError } from '../../errors.js';
import { isoSeconds } from '../../snapshot/date-time.js';
import type { Gap } from '../../snapshot/model.js';
import { readInputText } from '../../util/files.js';
import type { ImportContext, RawBundle, RawDocument } from '../types.js';
import type { AzureImportOptions } from './index.js';
import { tenantBundle } from './bundle.js';
import {
  DocumentKind,
  ESCALATION_KINDS,
  OPERATIONS,
  operationOfRequest,
  STANDS_FOR,
  type CollectionBody,
  type DocumentKindValue,
  type ErrorBody,
  type Subscription,
} from './documents.js';
import {
  isSingleObject,
  itemsOfKind,
  listItems,
  nextLinkOf,
  subscriptionOfCall,
  subscriptionOfOrigin,
  subscriptionOrigin,
} from './items.js';
import { MICROSOFT_GRAPH_APP_ID } from './escalation-facts.js';
import { recognizeDocument } from './recognize.js';

/** Kinds read once per subscription. */
const SUBSCRIPTION_KINDS = new Set<string>([
  DocumentKind.roleAssignments,
  DocumentKind.roleDefinitions,
  DocumentKind.roleEligibilitySchedules,
  DocumentKind.roleAssignmentScheduleInstances,
  DocumentKind.roleEligibilityScheduleInstances,
  DocumentKind.diagnosticSettings,
]);

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const WHOLE_GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Not every edited export holds text where the API writes it: anything else reads as no value.
const lower = (s: unknown) => (typeof s === 'string' ? s.toLowerCase() : '');

/** Subscription ids a subscription-level document's items name (`/subscriptions/<id>/...` in id or scope). */
function subscriptionsInContent(document: RawDocument): string[] {
  if (document.kind === DocumentKind.error) {
    const id = subscriptionOfCall((document.body as ErrorBody).request);
    return id ? [id] : [];
  }
  const counts = new Map<string, number>();
  for (const item of listItems<{ id?: string; scope?: string }>(document.body)) {
    for (const text of [item.id, item.scope]) {
      const id = subscriptionOfCall(text);
      if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  return [...counts].sort((a, b) => b[1] - a[1]).map(([id]) => id);
}

function knownSubscriptions(documents: readonly RawDocument[]): Set<string> {
  const known = new Set<string>();
  for (const s of itemsOfKind<Subscription>(documents, DocumentKind.subscriptions)) {
    const id = lower(s.subscriptionId ?? (typeof s.id === 'string' ? s.id.split('/').at(-1) : undefined));
    if (id) known.add(id);
  }
  for (const d of documents)
    if (SUBSCRIPTION_KINDS.has(d.kind) || d.kind === DocumentKind.error)
      for (const id of subscriptionsInContent(d)) known.add(id);
  return known;
}

/** The one known subscription id a file's path holds (the tenant's id, which `--raw-out` folders hold, is none). */
function knownSubscriptionInPath(origin: string, known: ReadonlySet<string>, tenant: string): string | undefined {
  const named = [...new Set((origin.match(GUID) ?? []).map(lower))].filter((id) => id !== tenant && known.has(id));
  return named.length === 1 ? named[0] : undefined;
}

/** The subscription id the file's own folder is named after, known or not. */
function folderSubscription(origin: string, tenant: string): string | undefined {
  const folder = lower(basename(dirname(origin)));
  return WHOLE_GUID.test(folder) && folder !== tenant ? folder : undefined;
}

/**
 * Ties each subscription-level document to its subscription (rewriting its origin): the known subscription its path
 * names, else the one its ids name, else the one its folder is named after (even one no other file mentions), else
 * `--subscription`, else the only subscription known. The last two only for a file that names no subscription
 * itself, so an export is never credited to another subscription. Throws when nothing decides.
 */
function tieSubscriptions(documents: RawDocument[], option: string[], tenant: string): void {
  const known = knownSubscriptions(documents);
  for (const id of option) known.add(id);
  for (const document of documents) {
    const isSubscriptionError =
      document.kind === DocumentKind.error &&
      operationOfRequest((document.body as ErrorBody).request ?? '')?.level === 'scope';
    if (!SUBSCRIPTION_KINDS.has(document.kind) && !isSubscriptionError) continue;
    const fallback =
      option.length === 1 ? option[0] : option.length === 0 && known.size === 1 ? [...known][0] : undefined;
    const id =
      knownSubscriptionInPath(document.origin, known, tenant) ??
      subscriptionsInContent(document)[0] ??
      folderSubscription(document.origin, tenant) ??
      fallback;
    if (!id) {
      throw new UserError('cannot tell which subscription this export belongs to', {
        where: document.origin,
        hint:
          known.size > 1
            ? "put each subscription's exports in a folder named after its subscription id, or pass --subscription <id>"
            : 'pass --subscription <id>, or include `az account list -o json`',
      });
    }
    document.origin = subscriptionOrigin(id, document.origin);
  }
}

/** Ties each group member list to its group, by the group id its file name holds. */
function tieGroupMembers(documents: RawDocument[]): void {
  for (const document of documents.filter((d) => d.kind === DocumentKind.groupMembers)) {
    const body = document.body as Record<string, unknown>;
    if (typeof body.groupId === 'string') continue;
    const ids = [...new Set((basename(document.origin).match(GUID) ?? []).map(lower))];
    if (ids.length !== 1) {
      throw new UserError('a group member list does not say which group it lists', {
        where: document.origin,
        hint: 'name the file after the group id, e.g. group-members.<group-object-id>.json',
      });
    }
    document.body = { groupId: ids[0], ...body };
  }
}

function tenantOf(documents: readonly RawDocument[], option: string | undefined): string {
  const tenants = new Set<string>();
  for (const d of documents) {
    if (d.kind === DocumentKind.collection) tenants.add(lower((d.body as CollectionBody).Cloudward.TenantId));
    if (d.kind === DocumentKind.subscriptions)
      for (const s of listItems<Subscription>(d.body))
        if (s.tenantId ?? s.homeTenantId) tenants.add(lower(s.tenantId ?? s.homeTenantId));
    if (d.kind === DocumentKind.organization)
      for (const o of listItems<{ id?: string }>(d.body)) if (o.id) tenants.add(lower(o.id));
  }
  if (option !== undefined) {
    const other = [...tenants].find((t) => t !== lower(option));
    if (other)
      throw new UserError(`--tenant ${option} was given but the files belong to tenant ${other}`, {
        where: '--tenant',
        hint: "drop --tenant, or import only that tenant's files",
      });
    return lower(option);
  }
  if (tenants.size > 1)
    throw new UserError(`the files belong to several tenants (${[...tenants].join(', ')})`, {
      hint: 'import each tenant separately',
    });
  const [tenant] = tenants;
  if (!tenant)
    throw new UserError('cannot tell which tenant the files belong to', {
      hint: 'pass --tenant <tenant id>, or include `az account list -o json` or the Graph /organization response',
    });
  return tenant;
}

/** Gaps for what the files do not cover: a topic with neither a document nor an error, and truncated paging. */
function missingGaps(documents: readonly RawDocument[], subscriptions: readonly string[]): Gap[] {
  const gaps: Gap[] = [];
  const errors = documents
    .filter((d) => d.kind === DocumentKind.error)
    .map((d) => ({ request: (d.body as ErrorBody).request ?? '', sub: subscriptionOfOrigin(d.origin) }));
  // A list read covers its operation; a single-object read covers its one item (security defaults are one object).
  const ofKind = (d: RawDocument, kind: string, sub?: string) =>
    (d.kind === kind || STANDS_FOR[d.kind as DocumentKindValue] === kind) &&
    (sub === undefined || subscriptionOfOrigin(d.origin) === sub);
  const isList = (d: RawDocument) => d.kind === DocumentKind.securityDefaults || !isSingleObject(d.body);
  const covered = (kind: string, sub?: string) =>
    documents.some((d) => ofKind(d, kind, sub) && isList(d)) ||
    errors.some((e) => operationOfRequest(e.request)?.kind === kind && (sub === undefined || e.sub === sub));
  const optional = new Set<string>([
    DocumentKind.subscriptions,
    DocumentKind.managementGroupDescendants,
    DocumentKind.organization,
    DocumentKind.groups,
    DocumentKind.groupMembers,
    ...ESCALATION_KINDS,
  ]);
  // A list exported outside a subscription's folder (`az vm list` run once per subscription, files side by side)
  // covers the subscriptions its items are in; an empty one there cannot say which subscription it was.
  const listsUnder = (kind: string, sub: string) =>
    documents.some(
      (d) =>
        ofKind(d, kind) &&
        isList(d) &&
        (folderSubscription(d.origin, '') === lower(sub) || subscriptionsInContent(d).includes(lower(sub))),
    );
  // Microsoft Graph's app role assignments are read from its service principal: a tenant whose read list of service
  // principals has none has no one holding a Graph application permission.
  const graphAbsent =
    covered(DocumentKind.servicePrincipals) &&
    !itemsOfKind<{ appId?: unknown }>(documents, DocumentKind.servicePrincipals).some(
      (sp) => sp.appId === MICROSOFT_GRAPH_APP_ID,
    );
  // The escalation graph's own exports: without one its edges are not drawn, so a principal it finds no path from
  // has not been shown to have none. One gap per topic and scope names every export missing there.
  const escalation = new Map<string, { what: string; call: string; sub: string | undefined; exports: string[] }>();
  for (const operation of OPERATIONS.filter((o) => (ESCALATION_KINDS as readonly string[]).includes(o.kind))) {
    for (const sub of operation.level === 'scope' ? subscriptions : [undefined]) {
      if (covered(operation.kind, sub) || (sub !== undefined && listsUnder(operation.kind, sub))) continue;
      if (operation.kind === DocumentKind.appRoleAssignments && graphAbsent) continue;
      const key = `${operation.topic} ${sub ?? ''}`;
      const entry = escalation.get(key) ?? {
        what: operation.topic,
        call: sub ? operation.id.replace('{id}', sub) : operation.id,
        sub,
        exports: [],
      };
      entry.exports.push(`\`${operation.export}\``);
      escalation.set(key, entry);
    }
  }
  for (const { what, call, sub, exports } of escalation.values()) {
    const where = sub ? `subscription ${sub}'s lists are` : 'these lists are';
    gaps.push({
      what,
      reason: `${where} not among the imported files, so the escalation graph draws none of their edges (export ${exports.join(', ')})`,
      call,
    });
  }
  for (const operation of OPERATIONS.filter((o) => !optional.has(o.kind))) {
    const scopes = operation.level === 'scope' ? subscriptions : [undefined];
    for (const sub of scopes) {
      if (covered(operation.kind, sub)) continue;
      const call = sub ? operation.id.replace('{id}', sub) : operation.id;
      const singles = documents.some((d) => ofKind(d, operation.kind, sub));
      const missing = singles
        ? 'only single items were read (`az rest` on one id); the list is not among the imported files'
        : 'not among the imported files';
      gaps.push({ what: operation.topic, reason: `${missing} (export it with \`${operation.export}\`)`, call });
    }
  }
  // `az ad user list` leaves out accountEnabled and userType: who is enabled (and so in scope) is not known.
  const users = itemsOfKind<{ accountEnabled?: unknown }>(documents, DocumentKind.users);
  if (users.length > 0 && users.some((u) => typeof u.accountEnabled !== 'boolean')) {
    gaps.push({
      what: 'azure.directory',
      reason:
        'the users export has no accountEnabled (as `az ad user list` prints it); export with `az rest --url "https://graph.microsoft.com/v1.0/users?$select=id,displayName,userPrincipalName,userType,accountEnabled"`',
      call: 'GET /users',
    });
  }
  // A paged export whose every page points at a next one is missing its last page.
  const pages = new Map<string, { pages: number; open: number }>();
  for (const d of documents) {
    const key = `${d.kind} ${subscriptionOfOrigin(d.origin) ?? ''}`;
    const entry = pages.get(key) ?? { pages: 0, open: 0 };
    entry.pages++;
    if (nextLinkOf(d.body)) entry.open++;
    pages.set(key, entry);
  }
  for (const [key, entry] of pages) {
    if (entry.open === 0 || entry.open < entry.pages) continue;
    const [kind, sub] = key.split(' ');
    const operation = OPERATIONS.find((o) => o.kind === kind);
    if (!operation) continue;
    gaps.push({
      what: operation.topic,
      reason:
        'the export is truncated: its last page points at a next page (@odata.nextLink / nextLink) that is not among the files; follow the link or export with `az rest` (which follows it)',
      call: sub ? operation.id.replace('{id}', sub) : operation.id,
    });
  }
  return gaps;
}

function collectedAtOf(documents: readonly RawDocument[], option: string | undefined): string {
  if (typeof option === 'string') return isoSeconds(option);
  const note = documents.find((d) => d.kind === DocumentKind.collection);
  if (note) return isoSeconds((note.body as CollectionBody).Cloudward.CollectedAt);
  throw new UserError('cannot tell when the files were exported', {
    hint: 'pass --collected-at 2026-11-01T09:00:00Z (the time of the export)',
  });
}

function subscriptionOption(value: unknown): string[] {
  const values = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return values.map((v) => {
    if (typeof v !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v)) {
      throw new UserError(`--subscription must be a subscription id (a GUID), not "${String(v)}"`, {
        where: '--subscription',
      });
    }
    return v.toLowerCase();
  });
}

/** Reads `az` and Graph exports into one bundle for the tenant. */
export async function importAzureFiles(
  paths: string[],
  context: ImportContext<AzureImportOptions>,
): Promise<RawBundle[]> {
  if (paths.length === 0)
    throw new UserError('no Azure export files given', {
      hint: 'pass the files, e.g. `cloudward import azure exports/*.json`',
    });
  const tenantOption = context.options.tenant;
  if (
    tenantOption !== undefined &&
    !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(tenantOption)
  ) {
    throw new UserError(`--tenant must be a tenant id (a GUID), not "${tenantOption}"`, { where: '--tenant' });
  }
  const documents: RawDocument[] = [];
  for (const file of paths) documents.push(recognizeDocument(await readInputText(file, 'Azure export'), file));
  return importAzureDocuments(documents, context);
}

/** Builds the tenant bundle from recognised documents (what `importAzureFiles` read, or a caller's own selection). */
export function importAzureDocuments(
  documents: RawDocument[],
  context: ImportContext<AzureImportOptions>,
): RawBundle[] {
  const tenantOption = context.options.tenant;
  const subscriptions = subscriptionOption(context.options.subscription);
  const tenant = tenantOf(documents, tenantOption);
  const collectedAt = collectedAtOf(documents, context.collectedAt);
  tieSubscriptions(documents, subscriptions, tenant);
  tieGroupMembers(documents);
  const kept = documents.filter((d) => d.kind !== DocumentKind.collection);
  const subs = [
    ...new Set([
      ...knownSubscriptions(kept),
      ...kept.map((d) => lower(subscriptionOfOrigin(d.origin))).filter(Boolean),
    ]),
  ].sort();
  const bundle = tenantBundle(tenant, 'import', collectedAt, kept, missingGaps(kept, subs));
  context.progress.status(
    `azure: tenant ${tenant}: ${documents.length} file(s) imported, ${subs.length} subscription(s)`,
  );
  return [bundle];
}
