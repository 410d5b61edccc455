/**
 * What the Azure importer and normalizer leave out, and why. Every item a document holds is either used or dropped
 * here, through `drop`: a drop that could change a verdict (an assignment whose holder or role is unreadable, a user
 * without an id) is a gap on its topic; one that cannot (a PIM schedule that ended before the export, a revoked
 * eligibility, an error for a read cloudward does not make) is a warning. The normalizer reads the kept documents,
 * so what is counted here is exactly what it uses. The counts are kept in the shared item ledger, one per source (the
 * tenant, and each subscription for its own documents), as every importer keeps them.
 */
import { ItemLedger } from '../cloud/ledger.js';
import type { Gap, ItemAccount } from '../../snapshot/model.js';
import type { Progress, RawBundle, RawDocument } from '../types.js';
import {
  DocumentKind,
  operationOfKind,
  operationOfRequest,
  type DirectoryRoleAssignment,
  type DirectoryRoleSchedule,
  type ErrorBody,
  type ExpandedPrincipal,
  type RoleAssignment,
  type RoleSchedule,
} from './documents.js';
import { gapForError, isSingleObject, listItems, subscriptionOfOrigin } from './items.js';
import { armInstanceOf, directoryInstanceOf, isoTime } from './normalize-principals.js';

/** One item left out of the snapshot: where, which, why, and the gap it opens when it could change a verdict. */
export interface ItemDrop {
  origin: string;
  /** A JSON pointer into the file, with the item's id when it has one. */
  item: string;
  reason: string;
  gap?: Gap;
}

interface ScreenedBundle {
  /** The bundle's documents with dropped items taken out (documents without drops are the same objects). */
  documents: RawDocument[];
  drops: ItemDrop[];
  /** The gaps the drops open, and those of facts the kept items leave unknown. */
  gaps: Gap[];
  /** The item ledgers: the tenant's documents (the directory and who holds what) under `''`, each subscription's controls under its id. */
  ledgers: Map<string, ItemLedger>;
  /** Per document (pages of one read added up): items read, used and dropped with their reasons, for every source. */
  files: ItemAccount[];
}

type Item = Record<string, unknown>;

/** Topics about who holds which role: tenant-wide, since principals and roles are, whichever subscription was read. */
export const ACCESS_TOPICS = new Set<string>(['azure.role-assignments', 'azure.pim', 'azure.compute-identities']);
/** Why an item is left out, and whether that could change a verdict (then it opens a gap on the kind's topic). */
type Verdict = { reason: string; verdictChanging: boolean } | undefined;

const lower = (s: string | undefined) => (s ?? '').toLowerCase();

const ended = (end: string | null | undefined, collectedAt: string) =>
  Boolean(end) && Date.parse(end!) < Date.parse(collectedAt);
const endedReason = (what: string, end: string | null | undefined, collectedAt: string) =>
  `${what} ended ${isoTime(end)}, before the export (${collectedAt}): grants nothing`;

function missing(item: Item, fields: string[]): Verdict {
  const absent = fields.find((f) => typeof item[f] !== 'string' || item[f] === '');
  return absent
    ? { reason: `no ${absent}, so what it grants (or who it is) is unknown`, verdictChanging: true }
    : undefined;
}

function eligibility(item: Item, end: string | null | undefined, collectedAt: string): Verdict {
  const status = typeof item.status === 'string' ? item.status : undefined;
  if (status && status !== 'Provisioned') return { reason: `status ${status}: grants nothing`, verdictChanging: false };
  if (ended(end, collectedAt))
    return { reason: endedReason('its eligibility', end, collectedAt), verdictChanging: false };
  return undefined;
}

/** The rules, per kind; kinds without rules use every item. */
function rulesFor(bundle: RawBundle): Partial<Record<string, (item: Item) => Verdict>> {
  const { collectedAt } = bundle;
  const armInstances = bundle.documents
    .filter((d) => d.kind === DocumentKind.roleAssignmentScheduleInstances)
    .flatMap((d) => listItems<RoleSchedule>(d.body));
  const directoryInstances = bundle.documents
    .filter((d) => d.kind === DocumentKind.directoryRoleAssignmentScheduleInstances)
    .flatMap((d) => listItems<DirectoryRoleSchedule>(d.body));
  const activation = (end: string | null | undefined): Verdict =>
    ended(end, collectedAt)
      ? { reason: endedReason('its PIM schedule instance', end, collectedAt), verdictChanging: false }
      : undefined;
  const id = ['id'];
  return {
    [DocumentKind.directoryRoleAssignments]: (a) =>
      missing(a, ['principalId', 'roleDefinitionId']) ??
      activation(directoryInstanceOf(directoryInstances, a as DirectoryRoleAssignment)?.endDateTime),
    [DocumentKind.roleAssignments]: (a) =>
      missing(a, ['principalId', 'roleDefinitionId']) ??
      activation(armInstanceOf(armInstances, a as RoleAssignment)?.endDateTime),
    [DocumentKind.directoryRoleEligibilitySchedules]: (e) =>
      missing(e, ['principalId', 'roleDefinitionId']) ??
      eligibility(e, (e as DirectoryRoleSchedule).scheduleInfo?.expiration?.endDateTime, collectedAt),
    [DocumentKind.directoryRoleEligibilityScheduleInstances]: (e) =>
      missing(e, ['principalId', 'roleDefinitionId']) ??
      eligibility(e, (e as DirectoryRoleSchedule).endDateTime, collectedAt),
    [DocumentKind.roleEligibilitySchedules]: (e) =>
      missing(e, ['principalId', 'roleDefinitionId']) ?? eligibility(e, (e as RoleSchedule).endDateTime, collectedAt),
    [DocumentKind.roleEligibilityScheduleInstances]: (e) =>
      missing(e, ['principalId', 'roleDefinitionId']) ?? eligibility(e, (e as RoleSchedule).endDateTime, collectedAt),
    [DocumentKind.roleDefinitions]: (d) =>
      typeof d.name === 'string' || typeof d.id === 'string'
        ? undefined
        : { reason: 'no id or name, so no assignment can name it', verdictChanging: true },
    [DocumentKind.users]: (u) => missing(u, id),
    [DocumentKind.servicePrincipals]: (s) => missing(s, id),
    [DocumentKind.groupMembers]: (m) => missing(m, id),
    [DocumentKind.registrationDetails]: (r) => missing(r, id),
  };
}

/** Where an item sits in its file: `#/value/3 (id ...)`, `#/3`, or `#` for a single-object read. */
function pointer(body: unknown, index: number, item: Item): string {
  const at = isSingleObject(body) ? '#' : Array.isArray(body) ? `#/${index}` : `#/value/${index}`;
  const id = typeof item.id === 'string' ? item.id : typeof item.name === 'string' ? item.name : undefined;
  return id ? `${at} (${id.split('/').at(-1)})` : at;
}

/** Where a document's items are counted: the file (or call) it came from, without its subscription prefix. */
const whereOf = (document: RawDocument) => document.origin.replace(/^subscriptions\/[^:]+:\s/, '');

/**
 * Records one dropped item: a gap when it could change a verdict, else a warning; counted in the ledger under its
 * reason. The one place items are left out.
 */
function drop(
  into: ItemDrop[],
  ledger: ItemLedger,
  document: RawDocument,
  item: string,
  reason: string,
  verdictChanging: boolean,
): void {
  const operation = operationOfKind(document.kind);
  const sub = subscriptionOfOrigin(document.origin);
  const where = whereOf(document);
  const gap: Gap | undefined =
    verdictChanging && operation
      ? {
          what: operation.topic,
          reason: `${where} ${item}: ${reason}`,
          call: sub ? operation.id.replace('{id}', sub) : operation.id,
        }
      : undefined;
  into.push({ origin: where, item, reason, ...(gap ? { gap } : {}) });
  ledger.dropped(where, reason, gap?.what);
}

const DIRECTORY_GRANT_KINDS = new Set<string>([
  DocumentKind.directoryRoleAssignments,
  DocumentKind.directoryRoleEligibilitySchedules,
  DocumentKind.directoryRoleEligibilityScheduleInstances,
]);

/**
 * Facts a used item leaves unknown and nothing else supplies: a user known only through `$expand=principal` whose
 * expansion says neither its userType nor its UPN may be a guest.
 */
function unknownFacts(documents: readonly RawDocument[]): Gap[] {
  const users = new Set(
    documents
      .filter((d) => d.kind === DocumentKind.users)
      .flatMap((d) => listItems<{ id?: string }>(d.body))
      .map((u) => lower(u.id)),
  );
  const gaps: Gap[] = [];
  for (const document of documents.filter((d) => DIRECTORY_GRANT_KINDS.has(d.kind))) {
    for (const item of listItems<{ principal?: ExpandedPrincipal | null }>(document.body)) {
      const p = item.principal;
      if (
        !p ||
        typeof p !== 'object' ||
        !/user$/i.test(p['@odata.type'] ?? '') ||
        typeof p.userType === 'string' ||
        p.userPrincipalName ||
        users.has(lower(p.id))
      )
        continue;
      gaps.push({
        what: 'azure.directory',
        reason: `${document.origin}: user ${p.id ?? '?'} is known only through $expand=principal, which says no userType (nor its UPN), and the users list does not hold it: whether it is a guest is unknown`,
        call: 'GET /users',
      });
    }
  }
  return gaps;
}

/** Screens a bundle: which items each document's readers use, which they leave out and why. Pure. */
export function screenBundle(bundle: RawBundle): ScreenedBundle {
  const rules = rulesFor(bundle);
  const drops: ItemDrop[] = [];
  const ledgers = new Map<string, ItemLedger>();
  const ledgerOf = (document: RawDocument): ItemLedger => {
    const operation =
      document.kind === DocumentKind.error
        ? operationOfRequest((document.body as ErrorBody).request ?? '')
        : operationOfKind(document.kind);
    // As with the gaps: who holds what is tenant-wide (and read by shard 1 for every subscription), so a
    // subscription's access documents are counted on the tenant; the subscription keeps those of its own controls.
    const key = operation && ACCESS_TOPICS.has(operation.topic) ? '' : lower(subscriptionOfOrigin(document.origin));
    let ledger = ledgers.get(key);
    if (!ledger) ledgers.set(key, (ledger = new ItemLedger()));
    return ledger;
  };
  const documents = bundle.documents.map((document) => {
    const ledger = ledgerOf(document);
    const where = whereOf(document);
    if (document.kind === DocumentKind.error) {
      const body = document.body as ErrorBody;
      ledger.read(where);
      if (gapForError(body)) ledger.used(where);
      else
        drop(
          drops,
          ledger,
          document,
          '#/error',
          `an error for a read cloudward does not make (${body.request ?? 'no request'}): nothing to record`,
          false,
        );
      return document;
    }
    if (document.kind === DocumentKind.collection || document.kind === DocumentKind.securityDefaults) {
      ledger.read(where).used(where);
      return document;
    }
    const items = listItems<Item>(document.body);
    const rule = rules[document.kind];
    const dropped: ItemDrop[] = [];
    const kept = rule
      ? items.filter((item, index) => {
          const verdict = rule(item);
          if (verdict)
            drop(
              dropped,
              ledger,
              document,
              pointer(document.body, index, item),
              verdict.reason,
              verdict.verdictChanging,
            );
          return !verdict;
        })
      : items;
    // An empty page is still a file read: it gets its line (0 read) rather than none.
    ledger.read(where, items.length).used(where, kept.length);
    drops.push(...dropped);
    if (dropped.length === 0) return document;
    const { groupId } = document.body as { groupId?: string };
    return { ...document, body: { ...(groupId ? { groupId } : {}), value: kept } };
  });
  const files = [...ledgers.values()]
    .flatMap((l) => l.accounts())
    .sort((a, b) => (a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : 0));
  return { documents, drops, gaps: [...drops.flatMap((d) => d.gap ?? []), ...unknownFacts(documents)], ledgers, files };
}

/** Says each item a bundle's documents leave out, one line each (import and live collection alike). */
export function warnDrops(bundle: RawBundle, progress: Progress): void {
  for (const drop of screenBundle(bundle).drops)
    progress.warn(`${drop.origin}: ${drop.item}: left out: ${drop.reason}${drop.gap ? ` (gap ${drop.gap.what})` : ''}`);
}
