import { createHash, type Hash } from 'node:crypto';
import type { Snapshot } from './model.js';

/** Pieces of canonical text are gathered up to this many characters before they are hashed. */
const CHUNK = 64 * 1024;

/**
 * Canonical JSON (object keys sorted at every level, undefined members left out), hashed as it is written rather than
 * built as one string: a 128 MiB snapshot's canonical text would be a second copy of it in memory.
 */
export class CanonicalHash {
  private readonly hash: Hash = createHash('sha256');
  private pending = '';
  /** Keys repeat across resources; their JSON spelling is looked up rather than made again. */
  private readonly keys = new Map<string, string>();

  /** Appends literal text (punctuation between values). */
  text(text: string): this {
    this.pending += text;
    if (this.pending.length > CHUNK) this.flush();
    return this;
  }

  /** Appends the canonical JSON of a value. */
  value(value: unknown): this {
    this.write(value);
    if (this.pending.length > CHUNK) this.flush();
    return this;
  }

  /** `sha256:<hex>` of everything appended. */
  digest(): string {
    this.flush();
    return `sha256:${this.hash.digest('hex')}`;
  }

  private flush(): void {
    this.hash.update(this.pending);
    this.pending = '';
  }

  private key(key: string): string {
    let quoted = this.keys.get(key);
    if (quoted === undefined) {
      quoted = JSON.stringify(key);
      if (this.keys.size < 10_000) this.keys.set(key, quoted);
    }
    return quoted;
  }

  private write(value: unknown): void {
    if (value === null || typeof value !== 'object') {
      this.pending += JSON.stringify(value) ?? 'null';
      return;
    }
    if (Array.isArray(value)) {
      this.pending += '[';
      for (let i = 0; i < value.length; i++) {
        if (i > 0) this.pending += ',';
        const item: unknown = value[i];
        this.write(item === undefined ? null : item);
      }
      this.pending += ']';
    } else {
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      this.pending += '{';
      let first = true;
      for (const key of keys) {
        const item = record[key];
        if (item === undefined) continue;
        if (!first) this.pending += ',';
        first = false;
        this.pending += this.key(key);
        this.pending += ':';
        this.write(item);
      }
      this.pending += '}';
    }
    if (this.pending.length > CHUNK) this.flush();
  }
}

/** JSON with object keys sorted at every level, so equal content always serializes to the same bytes. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value))
    return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
  const entries = Object.keys(value as Record<string, unknown>)
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(',')}}`;
}

/** Members of a snapshot that its digest does not cover: the digest itself, and the editor hint `$schema`. */
export const UNDIGESTED_MEMBERS: ReadonlySet<string> = new Set(['digest', '$schema']);

/** `sha256:<hex>` over the canonical snapshot content, without its own `digest` and `$schema` fields. */
export function snapshotDigest(snapshot: Snapshot): string {
  const content: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(snapshot)) if (!UNDIGESTED_MEMBERS.has(key)) content[key] = value;
  return new CanonicalHash().value(content).digest();
}
