/**
 * A snapshot assembled on disk, part by part, so collecting a thousand accounts holds one account in memory at a
 * time: each normalized part is validated and appended to per-kind spool files as soon as it arrives, and the final
 * snapshot is streamed out in scope order with its digest computed over the spooled text. The output is byte for
 * byte what `assembleSnapshot` + `writeSnapshot` would write for the same parts.
 */
import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../util/files.js';
import { trackTemporary } from '../util/temporary.js';
import { TOOL_NAME, toolVersion } from '../util/paths.js';
import { canonicalJson } from './digest.js';
import { SNAPSHOT_SCHEMA_VERSION, scopeKey, type SnapshotPart } from './model.js';
import { assertSnapshot, type DeclaredScopeKinds } from './validate.js';

const KINDS = ['sources', 'principals', 'roles', 'controls', 'hosts'] as const;
type Kind = (typeof KINDS)[number];
/** The order of the digest's canonical JSON (keys sorted). */
const CANONICAL_ORDER = [
  'collectedAt',
  'controls',
  'generator',
  'hosts',
  'principals',
  'roles',
  'schemaVersion',
  'sources',
] as const;

interface Segment {
  offset: number;
  length: number;
}
interface Entry {
  key: string;
  canonical: Record<Kind, Segment>;
  pretty: Record<Kind, Segment>;
}

export interface SpoolCounts {
  sources: number;
  principals: number;
  roles: number;
  controls: number;
  hosts: number;
  gaps: number;
}

class SpoolFile {
  private readonly fd: number;
  private size = 0;
  constructor(readonly path: string) {
    this.fd = openSync(path, 'w+', 0o600);
  }
  append(text: string): Segment {
    const buffer = Buffer.from(text, 'utf8');
    writeSync(this.fd, buffer, 0, buffer.length, this.size);
    const segment = { offset: this.size, length: buffer.length };
    this.size += buffer.length;
    return segment;
  }
  read(segment: Segment): string {
    const buffer = Buffer.allocUnsafe(segment.length);
    let done = 0;
    while (done < segment.length) done += readSync(this.fd, buffer, done, segment.length - done, segment.offset + done);
    return buffer.toString('utf8');
  }
  close(): void {
    closeSync(this.fd);
  }
}

export class SnapshotSpool {
  private readonly dir: string;
  private readonly forget: () => void;
  private readonly canonical: Record<Kind, SpoolFile>;
  private readonly pretty: Record<Kind, SpoolFile>;
  private readonly entries: Entry[] = [];
  private readonly uids = new Set<string>();
  private readonly scopes = new Set<string>();
  readonly counts: SpoolCounts = { sources: 0, principals: 0, roles: 0, controls: 0, hosts: 0, gaps: 0 };

  /** `scopeKinds`: the registered providers' scope kinds, each part's scopes are judged by (see assertSnapshot). */
  constructor(private readonly scopeKinds?: DeclaredScopeKinds) {
    this.dir = mkdtempSync(join(tmpdir(), 'cloudward-spool-'));
    this.forget = trackTemporary(this.dir);
    const files = (suffix: string) =>
      Object.fromEntries(KINDS.map((k) => [k, new SpoolFile(join(this.dir, `${k}.${suffix}`))])) as Record<
        Kind,
        SpoolFile
      >;
    this.canonical = files('canonical');
    this.pretty = files('pretty');
  }

  /** Validates a part (alone, and its uids and scopes against the parts before it) and spools it under `key`. */
  add(key: string, part: SnapshotPart): void {
    assertSnapshot(
      {
        schemaVersion: SNAPSHOT_SCHEMA_VERSION,
        generator: { name: TOOL_NAME, version: toolVersion() },
        collectedAt: '1970-01-01T00:00:00Z',
        ...part,
      },
      `<scope ${key}>`,
      this.scopeKinds,
    );
    for (const source of part.sources) {
      const scope = scopeKey(source.provider, source.scope);
      if (this.scopes.has(scope))
        throw new UserError(`source ${scope} was collected twice`, { hint: 'each scope must be read once' });
      this.scopes.add(scope);
    }
    for (const kind of ['principals', 'roles', 'controls', 'hosts'] as const) {
      for (const r of part[kind] as Array<{ uid: string }>) {
        if (this.uids.has(r.uid))
          throw new UserError(`duplicate resource uid ${r.uid}`, {
            hint: 'each input must describe a different resource; remove the duplicate export',
          });
        this.uids.add(r.uid);
      }
    }
    const canonical = {} as Record<Kind, Segment>;
    const pretty = {} as Record<Kind, Segment>;
    for (const kind of KINDS) {
      const items = part[kind] as unknown[];
      canonical[kind] = this.canonical[kind].append(items.map((item) => canonicalJson(item)).join(','));
      pretty[kind] = this.pretty[kind].append(
        items.map((item) => `    ${JSON.stringify(item, null, 2).replace(/\n/g, '\n    ')}`).join(',\n'),
      );
      this.counts[kind] += items.length;
    }
    this.counts.gaps += part.sources.reduce((n, s) => n + s.gaps.length, 0);
    this.entries.push({ key, canonical, pretty });
  }

  private ordered(): Entry[] {
    return [...this.entries].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** The digest `snapshotDigest` would compute for the assembled snapshot. */
  digest(collectedAt: string): string {
    const hash = createHash('sha256');
    const entries = this.ordered();
    const header = {
      collectedAt,
      generator: { name: TOOL_NAME, version: toolVersion() },
      schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    };
    hash.update('{');
    CANONICAL_ORDER.forEach((key, i) => {
      hash.update(`${i > 0 ? ',' : ''}${JSON.stringify(key)}:`);
      if (key in header) {
        hash.update(canonicalJson(header[key as keyof typeof header]));
        return;
      }
      hash.update('[');
      let first = true;
      for (const entry of entries) {
        const segment = entry.canonical[key as Kind];
        if (segment.length === 0) continue;
        hash.update(`${first ? '' : ','}${this.canonical[key as Kind].read(segment)}`);
        first = false;
      }
      hash.update(']');
    });
    hash.update('}');
    return `sha256:${hash.digest('hex')}`;
  }

  /** The snapshot text, piece by piece, as `JSON.stringify(snapshot, null, 2)` plus a newline. */
  *pieces(collectedAt: string, digest = this.digest(collectedAt)): Generator<string> {
    const head = JSON.stringify(
      { schemaVersion: SNAPSHOT_SCHEMA_VERSION, generator: { name: TOOL_NAME, version: toolVersion() }, collectedAt },
      null,
      2,
    );
    yield head.slice(0, -2);
    const entries = this.ordered();
    for (const kind of KINDS) {
      const present = entries.filter((e) => e.pretty[kind].length > 0);
      if (present.length === 0) {
        yield `,\n  ${JSON.stringify(kind)}: []`;
        continue;
      }
      yield `,\n  ${JSON.stringify(kind)}: [\n`;
      for (const [i, entry] of present.entries())
        yield `${i > 0 ? ',\n' : ''}${this.pretty[kind].read(entry.pretty[kind])}`;
      yield '\n  ]';
    }
    yield `,\n  "digest": ${JSON.stringify(digest)}\n}\n`;
  }

  /** Writes the snapshot to `path` (atomically, mode 0600) or to stdout. */
  async write(path: string | undefined, collectedAt: string): Promise<void> {
    if (path) await writeFileAtomic(path, this.pieces(collectedAt));
    else
      for (const piece of this.pieces(collectedAt))
        if (!process.stdout.write(piece)) await new Promise((resolve) => process.stdout.once('drain', resolve));
  }

  /** Removes the spool files. */
  dispose(): void {
    for (const kind of KINDS) {
      this.canonical[kind].close();
      this.pretty[kind].close();
    }
    rmSync(this.dir, { recursive: true, force: true });
    this.forget();
  }
}
