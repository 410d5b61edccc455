import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';

/** What a cache made at build time is stamped with; an entry is used only by a run with the same stamp. */
export interface CacheStamp {
  format: number;
  tool: string;
  /** sha256 of what the entries were validated against (a schema, and whatever else decides what they mean). */
  schema: string;
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The key a cache entry has under `root`: the path relative to it with `/` separators; undefined outside it. */
export function keyUnder(root: string, file: string): string | undefined {
  const rel = relative(root, file);
  if (rel === '' || rel.startsWith('..') || rel.startsWith(sep)) return undefined;
  return rel.split(sep).join('/');
}

/** A cache file's entries when it exists, is well formed and carries `stamp`; else null (then files are parsed). */
export function readStampedCache<E>(path: string, stamp: () => CacheStamp): Map<string, E> | null {
  try {
    const cache = JSON.parse(readFileSync(path, 'utf8')) as
      | (Partial<CacheStamp> & { files?: Record<string, E> })
      | null;
    const want = stamp();
    if (!cache || cache.format !== want.format || cache.tool !== want.tool || cache.schema !== want.schema) return null;
    if (!cache.files || typeof cache.files !== 'object') return null;
    return new Map(Object.entries(cache.files));
  } catch {
    // No cache (a build without it, or running from source before a build).
    return null;
  }
}
