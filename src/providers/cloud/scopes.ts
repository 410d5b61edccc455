/**
 * Bounded concurrency across scopes (accounts, subscriptions, projects): the shard's scopes are read `concurrency`
 * at a time (p-limit), each read turned into one bundle whatever fails inside it, with a progress line per scope
 * and a warning per gap. Bundles come back sorted by scope id, or, when the command streams (`context.sink`),
 * are handed over one by one as they finish and not kept.
 */
import pLimit from 'p-limit';
import { isoSeconds } from '../../snapshot/date-time.js';
import type { CollectContext, RawBundle } from '../types.js';
import { sortById } from './order.js';
import { selectShard } from './shard.js';
import { describeStats, type CallStats } from './stats.js';

export interface ScopePlan<S> {
  /** Every scope the caller can see (the whole organization); the shard is picked here. */
  scopes: readonly S[];
  /** The stable id sharding and ordering use (account id, subscription id, project id). */
  idOf(scope: S): string;
  /** Scopes read at once. */
  concurrency: number;
  /** Progress prefix, e.g. `aws: account`. */
  label: string;
  stats?: CallStats;
}

/**
 * Reads every scope of the context's shard with `read`, which must not throw for a failure inside the scope (use
 * `attempt`; a scope that cannot be entered is a bundle of gaps). A thrown error aborts the run (exit 2): keep that
 * for the user's own mistakes (a --raw-out that cannot be written).
 */
export async function collectScopes<S>(
  context: CollectContext,
  plan: ScopePlan<S>,
  read: (scope: S) => Promise<RawBundle>,
): Promise<RawBundle[]> {
  const mine = sortById(selectShard(plan.scopes, plan.idOf, context.shard), plan.idOf);
  const limit = pLimit(Math.max(1, plan.concurrency));
  const kept = new Map<string, RawBundle>();
  let done = 0;
  const shardNote = context.shard
    ? ` (shard ${context.shard.index}/${context.shard.count}: ${mine.length} of ${plan.scopes.length})`
    : '';
  if (context.shard) context.progress.status(`${plan.label}s${shardNote}`);
  await Promise.all(
    mine.map((scope) =>
      limit(async () => {
        const id = plan.idOf(scope);
        const bundle = await read(scope);
        done++;
        const gapNote = bundle.gaps.length > 0 ? `, ${bundle.gaps.length} gap(s)` : '';
        const stats = plan.stats ? `, ${describeStats(plan.stats)}` : '';
        context.progress.status(`${plan.label} ${id} read (${done}/${mine.length})${stats}${gapNote}`);
        for (const gap of bundle.gaps)
          context.progress.warn(
            `${plan.label} ${id}: ${gap.what} not read${gap.call ? ` (${gap.call})` : ''}: ${gap.reason}`,
          );
        if (context.sink) await context.sink(bundle);
        else kept.set(id, bundle);
      }),
    ),
  );
  return mine.flatMap((scope) => kept.get(plan.idOf(scope)) ?? []);
}

/** The time to stamp a bundle with: `--collected-at` when given, else now (whole seconds, UTC). */
export function collectionTime(context: Pick<CollectContext, 'collectedAt'>, now = Date.now()): string {
  return isoSeconds(context.collectedAt ?? now);
}

/**
 * Whether this run reads organization- or tenant-wide data that belongs to no single scope (e.g. an Entra tenant
 * bundle next to its subscriptions): without a shard always, with one only in shard 1, so merged shards hold it
 * exactly once. (Data every scope needs to be normalized is instead read once and copied into each scope's bundle,
 * as AWS does with SCPs.)
 */
export function ownsOrganizationScope(context: Pick<CollectContext, 'shard'>): boolean {
  return context.shard === undefined || context.shard.index === 1;
}
