import { readFile } from 'node:fs/promises';
import type { Snapshot } from '../../src/snapshot/model.js';
import { EXAMPLE } from '../helpers/cli.js';

type ItemAccount = NonNullable<Snapshot['sources'][number]['items']>[number];

/** Items read and used over some inputs' accounts: what a live run and an import of its raw-out must agree on. */
export function itemTotals(items: readonly ItemAccount[]): { read: number; used: number } {
  return items.reduce((n, i) => ({ read: n.read + i.read, used: n.used + i.used }), { read: 0, used: 0 });
}

/**
 * A snapshot without what says how it was taken: the method, the time, and the inputs its items came from (API calls
 * live, files on import); what was read and what became of it is kept, as totals. A live run and an import of its
 * raw-out must agree on the rest.
 */
export function comparableSnapshot(snapshot: Snapshot): unknown {
  return {
    ...snapshot,
    digest: undefined,
    collectedAt: undefined,
    sources: snapshot.sources.map((s) => ({
      ...s,
      method: undefined,
      collectedAt: undefined,
      items: itemTotals(s.items ?? []),
    })),
  };
}

/** The example snapshot, padded with trailing blanks past the size that is hashed, digested and indexed on a worker. */
export async function largeExample(): Promise<Buffer> {
  return Buffer.concat([await readFile(EXAMPLE), Buffer.alloc(9 * 1024 * 1024, 0x20)]);
}
