/**
 * One tenant's raw documents opened for editing: each list (a kind, per subscription for ARM lists, per group for
 * member lists) gathered into one list of items, copied on first use, so the bundle the snapshot was made from is never
 * modified. `toBundle` writes each edited list back as one document in the shape `az` prints (ARM: a list of flattened
 * items; Graph: a page), under the origin of the documents it replaces, so the Azure normalizer reads it as it reads
 * an import.
 */
import { DocumentKind } from '../documents.js';
import { listItems, subscriptionOfOrigin, subscriptionOrigin } from '../items.js';
import { subscriptionsOf } from '../normalize.js';
import type { RawBundle, RawDocument } from '../../types.js';

export type Item = Record<string, unknown>;

const ARM_KINDS = new Set<string>([
  DocumentKind.roleAssignments,
  DocumentKind.roleDefinitions,
  DocumentKind.roleEligibilitySchedules,
  DocumentKind.roleAssignmentScheduleInstances,
  DocumentKind.diagnosticSettings,
]);
const PROJECTED = 'cloudward:projected';

const lower = (s: unknown) => (typeof s === 'string' ? s.toLowerCase() : '');

interface EditList {
  kind: string;
  subscription?: string;
  groupId?: string;
  origin: string;
  context?: string;
  items: Item[];
}

export class TenantDocs {
  readonly tenantId: string;
  /** The subscriptions read, id -> name. */
  readonly subscriptions: Map<string, string>;
  touched = false;
  private readonly lists = new Map<string, EditList>();

  constructor(readonly bundle: RawBundle) {
    this.tenantId = bundle.scope.id.toLowerCase();
    this.subscriptions = subscriptionsOf(bundle);
  }

  private matching(kind: string, subscription?: string, groupId?: string): RawDocument[] {
    return this.bundle.documents.filter(
      (d) =>
        d.kind === kind &&
        (subscription === undefined || lower(subscriptionOfOrigin(d.origin)) === subscription) &&
        (groupId === undefined || lower((d.body as { groupId?: unknown }).groupId) === groupId),
    );
  }

  /** Whether the bundle the snapshot was made from holds a document of the kind (for the subscription or group). */
  read(kind: string, subscription?: string, groupId?: string): boolean {
    return this.matching(kind, subscription, groupId).length > 0;
  }

  private open(key: string, kind: string, subscription?: string, groupId?: string): Item[] {
    const open = this.lists.get(key);
    if (open) return open.items;
    const documents = this.matching(kind, subscription, groupId);
    const items = documents.flatMap((d) => listItems<Item>(d.body)).map((i) => structuredClone(i));
    const first = documents[0];
    const context =
      first && !Array.isArray(first.body)
        ? (first.body as { '@odata.context'?: unknown })['@odata.context']
        : undefined;
    this.lists.set(key, {
      kind,
      ...(subscription !== undefined ? { subscription } : {}),
      ...(groupId !== undefined ? { groupId } : {}),
      origin: first?.origin ?? (subscription ? subscriptionOrigin(subscription, PROJECTED) : PROJECTED),
      ...(typeof context === 'string' ? { context } : {}),
      items,
    });
    return items;
  }

  /** The items of a tenant-wide (Graph) list, or of one subscription's ARM list, for editing. */
  list(kind: string, subscription?: string): Item[] {
    this.touched = true;
    return this.open(`${kind}|${subscription ?? ''}`, kind, ARM_KINDS.has(kind) ? subscription : undefined);
  }

  /** The transitive members of a group, for editing. */
  members(groupId: string): Item[] {
    this.touched = true;
    return this.open(`members|${groupId}`, DocumentKind.groupMembers, undefined, groupId);
  }

  private readonly indexes = new Map<string, Map<string, Item>>();

  /** A Graph list's items by lowercased id (built once, kept current by `put` and `remove`). */
  private index(kind: string): Map<string, Item> {
    let index = this.indexes.get(kind);
    if (!index) {
      index = new Map();
      for (const item of this.list(kind)) if (typeof item.id === 'string') index.set(item.id.toLowerCase(), item);
      this.indexes.set(kind, index);
    }
    return index;
  }

  /** The item of a Graph list with this (lowercase) id. */
  get(kind: string, id: string): Item | undefined {
    return this.index(kind).get(id);
  }

  /** Puts an item in a Graph list, merged into the one with the same id. */
  put(kind: string, item: Item): void {
    const index = this.index(kind);
    const id = String(item.id).toLowerCase();
    const existing = index.get(id);
    if (existing) Object.assign(existing, item);
    else {
      this.list(kind).push(item);
      index.set(id, item);
    }
  }

  /** Removes the items of a list (a Graph list, or a subscription's ARM list) that match. */
  remove(kind: string, test: (item: Item) => boolean, subscription?: string): void {
    const list = this.list(kind, subscription);
    for (let i = list.length - 1; i >= 0; i--) if (test(list[i]!)) list.splice(i, 1);
    this.indexes.delete(kind);
  }

  /** Every open member list, by group id. */
  memberLists(): Array<[string, Item[]]> {
    return [...this.lists.values()].filter((l) => l.groupId !== undefined).map((l) => [l.groupId!, l.items]);
  }

  /** Every group id with a member list, read or opened. */
  groupsWithMembers(): Set<string> {
    const ids = new Set(
      this.bundle.documents
        .filter((d) => d.kind === DocumentKind.groupMembers)
        .map((d) => lower((d.body as { groupId?: unknown }).groupId)),
    );
    for (const l of this.lists.values()) if (l.groupId !== undefined) ids.add(l.groupId);
    return ids;
  }

  /** Items of a kind over every subscription (ARM) as they stand now: edited lists, else the documents. */
  everywhere(kind: string): Item[] {
    if (!ARM_KINDS.has(kind)) return this.list(kind);
    return [...this.subscriptions.keys()].flatMap((sub) => this.list(kind, sub));
  }

  /** The bundle with each edited list in place of the documents it was gathered from. */
  toBundle(): RawBundle {
    if (!this.touched) return this.bundle;
    const replaced = new Set<RawDocument>();
    const documents: RawDocument[] = [];
    for (const l of this.lists.values()) {
      for (const d of this.matching(l.kind, l.subscription, l.groupId)) replaced.add(d);
      const page = { ...(l.context ? { '@odata.context': l.context } : {}), value: l.items };
      const body = l.groupId !== undefined ? { groupId: l.groupId, ...page } : ARM_KINDS.has(l.kind) ? l.items : page;
      documents.push({ kind: l.kind, origin: l.origin, body });
    }
    return { ...this.bundle, documents: [...this.bundle.documents.filter((d) => !replaced.has(d)), ...documents] };
  }
}
