import { readFileSync } from 'node:fs';
import { keyUnder, readStampedCache, sha256 } from '../util/build-cache.js';
import { packagePath, toolVersion } from '../util/paths.js';
import type { CheckDefinition } from './types.js';

/**
 * The built-in checks, parsed and validated once at build time (`npm run build` writes this file). Reading a check
 * then costs a hash of its text instead of a YAML parse and a policy-schema validation: ~0.3 s of every run, most of
 * it the YAML parser warming up. An entry is used only when the file's text, the policy schema and the cloudward
 * version all match what it was made from; anything else (an edited check, a user's own folder, a missing or damaged
 * cache) is parsed as usual, so the cache can change how fast checks load, never what they say.
 */
export const POLICY_CACHE_FILE = packagePath('dist', 'policies.cache.json');

/** Bumped when what an entry holds, or how a check file is parsed, changes. */
const CACHE_FORMAT = 2;

interface PolicyCacheEntry {
  sha256: string;
  /** 1-based line of `id`. */
  line: number;
  definition: CheckDefinition;
  /** The check's validators as code (see precompiled.ts): `where`, `require`, then each aggregate's `where`. */
  code?: string[];
}

export interface PolicyCache {
  format: number;
  tool: string;
  /** sha256 of schemas/policy.schema.json. */
  schema: string;
  /** By path relative to the built-in policies/ folder, with `/` separators. */
  files: Record<string, PolicyCacheEntry>;
}

/** The key a cache entry has under policies/, or undefined for a file outside it. */
export function cacheKey(file: string): string | undefined {
  return keyUnder(packagePath('policies'), file);
}

/** What a cache made now must be stamped with: this format, this version, this policy schema. */
export function cacheStamp(): Pick<PolicyCache, 'format' | 'tool' | 'schema'> {
  return {
    format: CACHE_FORMAT,
    tool: toolVersion(),
    schema: sha256(readFileSync(packagePath('schemas', 'policy.schema.json'), 'utf8')),
  };
}

/** A cache file's entries when it exists, is well formed and was made for this version and schema; else null. */
export function readPolicyCache(path: string): Map<string, PolicyCacheEntry> | null {
  return readStampedCache<PolicyCacheEntry>(path, cacheStamp);
}

/** The parsed form of a built-in check whose text is exactly what the cache entry was made from; else undefined. */
export function lookupCheck(
  cache: Map<string, PolicyCacheEntry> | null,
  file: string,
  text: string,
): { line: number; definition: CheckDefinition; code?: string[] } | undefined {
  const key = cacheKey(file);
  if (key === undefined || !cache) return undefined;
  const entry = cache.get(key);
  if (!entry || typeof entry !== 'object' || entry.sha256 !== sha256(text) || typeof entry.line !== 'number')
    return undefined;
  if (!entry.definition || typeof entry.definition !== 'object') return undefined;
  // A copy: callers own what they get, and the cache must not change under them.
  const code = Array.isArray(entry.code) && entry.code.every((c) => typeof c === 'string') ? entry.code : undefined;
  return { line: entry.line, definition: structuredClone(entry.definition), ...(code ? { code } : {}) };
}

let shipped: Map<string, PolicyCacheEntry> | null | undefined;

/** `lookupCheck` in the cache this build ships (read once). */
export function cachedCheck(file: string, text: string): ReturnType<typeof lookupCheck> {
  if (cacheKey(file) === undefined) return undefined;
  shipped ??= readPolicyCache(POLICY_CACHE_FILE);
  return lookupCheck(shipped, file, text);
}

/** Builds the cache entry of one check file from its text and parsed form. */
export function cacheEntry(text: string, line: number, definition: CheckDefinition, code?: string[]): PolicyCacheEntry {
  return { sha256: sha256(text), line, definition, ...(code ? { code } : {}) };
}
