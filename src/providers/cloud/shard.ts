/**
 * `--shard K/N`: a deterministic subset of the scopes (accounts, subscriptions, projects) chosen by a hash of each
 * scope's stable id, so every machine of a matrix agrees on the split without talking to the others, and a scope
 * added to the organization between two shard runs lands in exactly one shard.
 */
import { createHash } from 'node:crypto';
import { UserError } from '../../errors.js';

export interface Shard {
  /** 1-based index. */
  index: number;
  count: number;
}

/** Parses `K/N` (1 <= K <= N <= 1000); anything else is a UserError naming the flag. */
export function parseShard(value: string | undefined): Shard | undefined {
  if (value === undefined) return undefined;
  const match = /^\s*(\d{1,4})\s*\/\s*(\d{1,4})\s*$/.exec(value);
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || count < 1 || count > 1000 || index < 1 || index > count) {
    throw new UserError(`--shard must be K/N with 1 <= K <= N <= 1000, not "${value}"`, {
      where: '--shard',
      hint: 'e.g. --shard 2/8 (in a Kubernetes Indexed Job: --shard $((JOB_COMPLETION_INDEX + 1))/N)',
    });
  }
  return { index, count };
}

/** The 0-based shard a stable id belongs to among `count`. */
export function shardOf(id: string, count: number): number {
  const digest = createHash('sha256').update(id, 'utf8').digest();
  return digest.readUInt32BE(0) % count;
}

/** Whether a scope id is in the shard (always, without one). */
export function inShard(id: string, shard: Shard | undefined): boolean {
  return shard === undefined || shardOf(id, shard.count) === shard.index - 1;
}

/** The ids of one shard, in their given order. */
export function selectShard<T>(items: readonly T[], idOf: (item: T) => string, shard: Shard | undefined): T[] {
  return shard === undefined ? [...items] : items.filter((item) => inShard(idOf(item), shard));
}
