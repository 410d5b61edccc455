import type { Snapshot } from '../snapshot/model.js';

/** Default `--max-age`: data older than a week no longer describes the tenant well enough to stay silent about it. */
export const DEFAULT_MAX_AGE_DAYS = 7;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A sentence saying the snapshot's data is older than `maxAgeDays` at the report time `now`, or undefined when it is
 * not. Each source's own collection time counts (a merged snapshot's `collectedAt` is its newest part's, which would
 * hide a stale account); a snapshot without sources is judged by its `collectedAt`. It warns only: a stale snapshot
 * does not change the gate.
 */
export function staleSnapshotText(
  snapshot: Pick<Snapshot, 'collectedAt' | 'sources'>,
  now: string,
  maxAgeDays: number,
): string | undefined {
  const at = Date.parse(now);
  const times = snapshot.sources.length > 0 ? snapshot.sources.map((s) => s.collectedAt) : [snapshot.collectedAt];
  const limit = maxAgeDays * DAY_MS;
  const stale = times.filter((t) => at - Date.parse(t) > limit);
  if (stale.length === 0) return undefined;
  const oldest = stale.reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b));
  const days = Math.floor((at - Date.parse(oldest)) / DAY_MS);
  const which = times.length === 1 ? 'the snapshot was' : `${stale.length} of ${times.length} sources were`;
  return `stale data: ${which} collected more than ${maxAgeDays} days before the report time (--max-age ${maxAgeDays}); the oldest, collected ${oldest}, is ${days} days old: collect it again, or raise --max-age`;
}
