/**
 * Stable order: parallel reads finish in any order and exported files are named in any order, but the same
 * tenant must always give the same bundle, raw files and snapshot (and so the same digest).
 */
import type { Gap } from '../../snapshot/model.js';
import type { RawDocument } from '../types.js';

const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/**
 * Documents sorted by kind, then by content. Content is serialized only for kinds that occur more than once: the
 * kind alone orders the others, and an account's authorization details can be tens of megabytes of JSON.
 */
export function sortDocuments(documents: readonly RawDocument[]): RawDocument[] {
  const count = new Map<string, number>();
  for (const d of documents) count.set(d.kind, (count.get(d.kind) ?? 0) + 1);
  return documents
    .map((d) => ({ d, key: d.kind, content: count.get(d.kind)! > 1 ? JSON.stringify(d.body) : '' }))
    .sort((a, b) => byKey(a, b) || (a.content < b.content ? -1 : a.content > b.content ? 1 : 0))
    .map((k) => k.d);
}

/** Gaps without repeats (same topic and call: the first reason stands), sorted by topic, then call. */
export function sortGaps(gaps: readonly Gap[]): Gap[] {
  const unique: Gap[] = [];
  for (const gap of gaps) if (!unique.some((g) => g.what === gap.what && g.call === gap.call)) unique.push(gap);
  return unique
    .map((g) => ({ g, key: `${g.what}\u0000${g.call ?? ''}` }))
    .sort(byKey)
    .map((k) => k.g);
}

/** Items sorted by a string key (scope ids, resource ids), without locale surprises. */
export function sortById<T>(items: readonly T[], idOf: (item: T) => string): T[] {
  return items
    .map((item) => ({ item, key: idOf(item) }))
    .sort(byKey)
    .map((k) => k.item);
}
