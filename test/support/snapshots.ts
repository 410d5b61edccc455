import type { Snapshot } from '../../src/snapshot/model.js';

/**
 * A snapshot without what says how it was taken: the method, the time, and the inputs its items came from (API calls
 * live, files on import); what was read and what became of it is kept, as totals. A live run and an import of its
 * raw-out must agree on the rest.
 */
export function comparableSnapshot(snapshot: Snapshot): unknown {
  const totals = (items: NonNullable<Snapshot['sources'][number]['items']>) => items.reduce((n, i) => ({ read: n.read + i.read, used: n.used + i.used }), { read: 0, used: 0 });
  return {
    ...snapshot,
    digest: undefined,
    collectedAt: undefined,
    sources: snapshot.sources.map((s) => ({ ...s, method: undefined, collectedAt: undefined, items: totals(s.items ?? []) })),
  };
}
