import { createHash } from 'node:crypto';
import type { Snapshot } from './model.js';

/** JSON with object keys sorted at every level, so equal content always serializes to the same bytes. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
  const entries = Object.keys(value as Record<string, unknown>)
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(',')}}`;
}

/** `sha256:<hex>` over the canonical snapshot content, without its own `digest` and `$schema` fields. */
export function snapshotDigest(snapshot: Snapshot): string {
  const { digest: _digest, ...content } = snapshot as Snapshot & { $schema?: string };
  delete (content as { $schema?: string }).$schema;
  return `sha256:${createHash('sha256').update(canonicalJson(content)).digest('hex')}`;
}
