import { constants } from 'node:buffer';
import { readFile, stat } from 'node:fs/promises';
import { getHeapStatistics } from 'node:v8';
import { UserError } from '../errors.js';
import { DEFAULT_MAX_INPUT_BYTES, readInputBytes, decodeText, formatBytes, writeFileAtomic } from '../util/files.js';
import { parseJsonText } from '../util/json.js';
import { TOOL_NAME, toolVersion } from '../util/paths.js';
import { snapshotDigest } from './digest.js';
import { scanSnapshotBytes } from './file-hash.js';
import { buildLineIndex, type LineIndex } from './line-index.js';
import { SNAPSHOT_SCHEMA_VERSION, scopeKey, type Scope, type Snapshot, type SnapshotPart } from './model.js';
import { assertSnapshot, type DeclaredScopeKinds } from './validate.js';

/** One input file as the report records it: path, byte hash, and the digest the snapshot claims. */
export interface SnapshotFile {
  path: string;
  sha256: string;
  digest?: string;
  collectedAt: string;
  /**
   * Set when nothing vouches for the content and the audit went on anyway (`--allow-modified`): it no longer matches
   * the recorded digest (`actualDigest` is the digest it has now), it records none, or `merge` made it from such files.
   */
  modified?: { actualDigest?: string; reason: string };
}

/** Why a file's content is not verified, as `modified.reason` records it. */
const UNVERIFIED_REASONS = {
  mismatch: 'modified: the content no longer matches the recorded digest',
  noDigest: 'unverified: no digest',
  mergedInputs: 'unverified: merged from unverified inputs',
} as const;

/**
 * What verifying one file needs: the digest it records (if any) and the digest of the content as read (computed on
 * another thread for a large file), and the unverified inputs a `merge --allow-modified` recorded in it.
 */
interface DigestCheck {
  path: string;
  recorded?: string;
  actual?: Promise<string>;
  unverifiedInputs?: Array<{ file: string; reason: string }>;
}

export interface LoadedSnapshot {
  snapshot: Snapshot;
  files: SnapshotFile[];
  /** For each resource uid, the file it came from (for report locations). */
  origin: Map<string, string>;
  /** Each file's line index, when loading was asked for one (SARIF locations); made on another thread meanwhile. */
  lineIndexes?: Array<{ path: string; index: Promise<LineIndex> }>;
  /** The digests to verify, when loading was asked to (files that record one); see verifyDigests. */
  digests?: DigestCheck[];
}

interface LoadOptions {
  /** Index the lines of every uid and id, for SARIF locations. */
  lineIndex?: boolean;
  /** Digest the content of every file that records a digest, to compare (see verifyDigests). */
  verifyDigest?: boolean;
  /** The scope kinds the registered providers declare: each scope's kind is judged by them (see assertSnapshot). */
  scopeKinds?: DeclaredScopeKinds;
}

/** The most UTF-16 code units one JavaScript string (so one JSON text) can hold in this Node.js. */
const MAX_SNAPSHOT_TEXT = constants.MAX_STRING_LENGTH;

function decodeSnapshot(bytes: Buffer, path: string): string {
  try {
    return decodeText(bytes);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_STRING_TOO_LONG') throw error;
    throw new UserError(
      `snapshot is ${formatBytes(bytes.length)}, more text than one JSON document can hold here (${formatBytes(MAX_SNAPSHOT_TEXT)} of characters)`,
      {
        where: path,
        hint: 'split it by scope (one file per account, subscription, project or host group) and audit the parts, in separate runs when together they would not fit in memory',
      },
    );
  }
}

const DIGEST_KEY = Buffer.from('"digest"');
const PROTO = Buffer.from('__proto__');
const UNDERSCORE = 0x5f;

/**
 * Whether UTF-8 bytes hold `__proto__` (so the text decoded from them does: ASCII bytes are never part of a longer
 * UTF-8 sequence). Looks for its `_` bytes, which are rare in snapshots, and compares there: searching for the whole
 * word scanned a 128 MiB snapshot at about a third of the speed. Falls back to that search when `_` is common.
 */
function utf8IncludesProto(bytes: Buffer): boolean {
  let hits = 0;
  for (let i = bytes.indexOf(UNDERSCORE); i !== -1; i = bytes.indexOf(UNDERSCORE, i + 1)) {
    if (bytes.compare(PROTO, 0, PROTO.length, i, Math.min(i + PROTO.length, bytes.length)) === 0) return true;
    if (++hits > 100_000) return bytes.includes(PROTO, i);
  }
  return false;
}

/** Whether decodeText reads these bytes as UTF-8 (no UTF-16 byte order mark). */
const decodedAsUtf8 = (bytes: Buffer): boolean =>
  !(bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)));

/** The file's text, and its hash under way on another thread (which takes the bytes, so this one can parse). */
async function readSnapshotText(path: string, maxBytes: number | undefined): Promise<{ text: string; bytes: Buffer }> {
  const bytes = await readInputBytes(path, 'snapshot', maxBytes);
  const text = decodeSnapshot(bytes, path);
  return { text, bytes };
}

/**
 * Reads, parses and validates one snapshot file. A large file's sha256 (and line index, when asked for) is computed
 * on a worker thread while this thread validates and evaluates, so it costs no wall time when a second core is free.
 * The hash starts after parsing, so that it does not compete with the parser's garbage collection for that core.
 */
export async function readSnapshotFile(
  path: string,
  maxBytes?: number,
  options: LoadOptions = {},
): Promise<{ snapshot: Snapshot; file: SnapshotFile; lineIndex?: Promise<LineIndex>; digest?: DigestCheck }> {
  const { text, bytes } = await readSnapshotText(path, maxBytes);
  // A digest to verify is made from the bytes on the hashing thread, which then starts before parsing, so that the two
  // run side by side (it takes that thread about as long as parsing and evaluating take this one). Otherwise the hash
  // starts after parsing, so that it does not compete with the parser's garbage collection for a core.
  // Looked for before the bytes go to the hashing thread (which takes them over).
  const protoFree = decodedAsUtf8(bytes) && !utf8IncludesProto(bytes);
  // (Searched from the end: cloudward writes the digest as a snapshot's last member.)
  const early =
    options.verifyDigest && bytes.lastIndexOf(DIGEST_KEY) !== -1
      ? scanSnapshotBytes(bytes, { ...options, digest: true })
      : undefined;
  const value = parseJsonText(text, path, 'snapshot JSON', { protoFree });
  const { sha256, lineIndex, digest } = early ?? scanSnapshotBytes(bytes, options);
  // Settled below, or by whoever reads the index (which falls back to reading the file); these only keep a failure
  // in the meantime from counting as unhandled.
  sha256.catch(() => undefined);
  lineIndex?.catch(() => undefined);
  const snapshot = assertSnapshot(value, path, options.scopeKinds);
  let check: DigestCheck | undefined;
  if (options.verifyDigest) {
    // A large file is digested from its bytes on the hashing thread while this one evaluates; a small one (or one
    // that thread could not follow) here, from the parsed content.
    const actual = !snapshot.digest
      ? undefined
      : digest
        ? digest.then((d) => d ?? snapshotDigest(snapshot))
        : Promise.resolve(snapshotDigest(snapshot));
    check = {
      path,
      ...(snapshot.digest ? { recorded: snapshot.digest } : {}),
      ...(actual ? { actual } : {}),
      ...(snapshot.unverifiedInputs ? { unverifiedInputs: snapshot.unverifiedInputs } : {}),
    };
  }
  return {
    snapshot,
    file: { path, sha256: await sha256, digest: snapshot.digest, collectedAt: snapshot.collectedAt },
    ...(lineIndex ? { lineIndex } : {}),
    ...(check ? { digest: check } : {}),
  };
}

/**
 * Verifies each file: its content must match the digest it records, it must record one, and it must not be a merge of
 * unverified inputs. Any of these is an input error, unless `allowModified`: then the file is marked (`modified`,
 * with the reason; the reports say so) and the run goes on. Returns the files, marked.
 */
export async function verifyDigests(loaded: LoadedSnapshot, allowModified: boolean): Promise<SnapshotFile[]> {
  const files = [...loaded.files];
  for (const check of loaded.digests ?? []) {
    const modified = await unverified(check, allowModified);
    if (!modified) continue;
    const index = files.findIndex((f) => f.path === check.path);
    if (index !== -1) files[index] = { ...files[index]!, modified };
  }
  return files;
}

/** Why nothing vouches for one file's content (undefined when its digest does); an error unless `allowModified`. */
async function unverified(check: DigestCheck, allowModified: boolean): Promise<SnapshotFile['modified']> {
  const refuse = (message: string, pointer: string, fix: string): never => {
    throw new UserError(message, {
      where: pointer ? `${check.path}#${pointer}` : check.path,
      hint: `${fix}, or pass --allow-modified to go on with it reported as unverified`,
    });
  };
  if (check.recorded === undefined || check.actual === undefined) {
    if (!allowModified)
      refuse(
        'snapshot has no digest, so nothing shows its content is as collected',
        '',
        'use the file `cloudward collect`, `import` or `merge` wrote (they record a digest)',
      );
    return { reason: UNVERIFIED_REASONS.noDigest };
  }
  const actual = await check.actual;
  if (actual !== check.recorded) {
    if (!allowModified) {
      refuse(
        `digest mismatch: the snapshot changed after it was collected (recorded ${check.recorded.slice(0, 19)}..., content ${actual.slice(0, 19)}...)`,
        '/digest',
        'audit the original file or collect it again',
      );
    }
    return { actualDigest: actual, reason: UNVERIFIED_REASONS.mismatch };
  }
  if (check.unverifiedInputs) {
    const inputs = check.unverifiedInputs.map((i) => `${i.file}: ${i.reason}`).join('; ');
    if (!allowModified)
      refuse(
        `snapshot was merged from inputs no digest vouched for (${inputs})`,
        '/unverifiedInputs',
        'merge the original snapshots as collected',
      );
    return { reason: `${UNVERIFIED_REASONS.mergedInputs} (${inputs})` };
  }
  return undefined;
}

/**
 * Every file's line index (for formats that point into the snapshot): the ones made on the hashing thread while the
 * audit ran, or, should that thread have failed, made here from the files read again.
 */
export async function snapshotLineIndexes(loaded: LoadedSnapshot): Promise<Array<{ path: string; index: LineIndex }>> {
  const made = loaded.lineIndexes
    ? await Promise.all(loaded.lineIndexes.map(async ({ path, index }) => ({ path, index: await index }))).catch(
        () => undefined,
      )
    : undefined;
  if (made && made.length === loaded.files.length) return made;
  const out = [];
  for (const { path } of loaded.files) out.push({ path, index: buildLineIndex(await readFile(path)) });
  return out;
}

/**
 * JavaScript heap an audit needs per byte of snapshot. Measured at 100k principals (128.5 MiB): with a heap limit of
 * 2.2x the file Node.js runs out of memory while parsing (the text and the objects it becomes are both live); with
 * 2.4x every format completes, slowly. 3x leaves room for snapshots of another shape and for the garbage collector.
 */
const HEAP_PER_SNAPSHOT_BYTE = 3;
const YOUNG_GENERATION_BYTES = 48 * 1024 * 1024;

/**
 * Refuses, before reading anything, snapshots too large in total for this process's heap: past it Node.js does not
 * throw, it aborts with a fatal out-of-memory error. (A file over the size cap, or over what one string can hold, is
 * left for reading to report: those limits hold whatever the heap.)
 */
async function assertFitsInHeap(paths: string[], maxBytes = DEFAULT_MAX_INPUT_BYTES): Promise<void> {
  let total = 0;
  for (const path of paths) {
    const size = await stat(path).then(
      (info) => (info.isFile() ? info.size : 0),
      () => 0,
    );
    if (size > maxBytes || size > MAX_SNAPSHOT_TEXT) return;
    total += size;
  }
  // The heap limit includes the young generation (3 x 16 MiB semi-spaces by default), which holds no lasting data.
  const limit = getHeapStatistics().heap_size_limit - YOUNG_GENERATION_BYTES;
  const needed = total * HEAP_PER_SNAPSHOT_BYTE;
  if (needed <= limit) return;
  const suggested = Math.ceil((needed * 1.25) / 2 ** 30) * 1024;
  throw new UserError(
    `${paths.length === 1 ? 'snapshot is' : `${paths.length} snapshots total`} ${formatBytes(total)}: auditing that in one run needs about ${formatBytes(needed)} of memory, over this Node.js heap limit of ${formatBytes(limit)}`,
    {
      where: paths.length === 1 ? paths[0]! : 'snapshot files',
      hint: `audit scope groups in separate runs, or raise the limit on a machine with the memory: NODE_OPTIONS=--max-old-space-size=${suggested}`,
    },
  );
}

/** Loads and validates one or more snapshot files and merges them; a uid or source present in two files is an error. */
export async function loadSnapshots(
  paths: string[],
  maxBytes?: number,
  options: LoadOptions = {},
): Promise<LoadedSnapshot> {
  if (paths.length === 0)
    throw new UserError('no snapshot given', { hint: 'pass a snapshot file, e.g. `cloudward audit snapshot.json`' });
  await assertFitsInHeap(paths, maxBytes);
  const loaded = [];
  for (const path of paths) loaded.push(await readSnapshotFile(path, maxBytes, options));
  const origin = new Map<string, string>();
  const lineIndexes = options.lineIndex
    ? loaded.flatMap((l) => (l.lineIndex ? [{ path: l.file.path, index: l.lineIndex }] : []))
    : undefined;
  const digests = options.verifyDigest ? loaded.flatMap((l) => (l.digest ? [l.digest] : [])) : undefined;
  const extra = { ...(lineIndexes ? { lineIndexes } : {}), ...(digests ? { digests } : {}) };
  if (loaded.length === 1) {
    const only = loaded[0]!;
    return { snapshot: only.snapshot, files: [only.file], origin, ...extra };
  }
  return {
    ...mergeSnapshots(
      loaded.map((l) => ({ snapshot: l.snapshot, path: l.file.path })),
      origin,
    ),
    files: loaded.map((l) => l.file),
    origin,
    ...extra,
  };
}

/** Merges snapshots; every resource uid and every source scope must be unique across them. */
function mergeSnapshots(
  inputs: Array<{ snapshot: Snapshot; path: string }>,
  origin = new Map<string, string>(),
): { snapshot: Snapshot } {
  const merged: Snapshot = {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    generator: { name: TOOL_NAME, version: toolVersion() },
    collectedAt: inputs
      .map((i) => i.snapshot.collectedAt)
      .sort()
      .at(-1)!,
    sources: [],
    principals: [],
    roles: [],
    controls: [],
    hosts: [],
  };
  const sourceOrigin = new Map<string, string>();
  for (const { snapshot, path } of inputs) {
    snapshot.sources.forEach((source, index) => {
      const key = scopeKey(source.provider, source.scope);
      const earlier = sourceOrigin.get(key);
      if (earlier !== undefined) {
        throw new UserError(`source ${key} is in two snapshots (also in ${earlier})`, {
          where: `${path}#/sources/${index}`,
          hint: 'merge snapshots of different scopes only, or drop one of the files',
        });
      }
      sourceOrigin.set(key, path);
      merged.sources.push(source);
    });
    for (const kind of ['principals', 'roles', 'controls', 'hosts'] as const) {
      const list = snapshot[kind] as Array<{ uid: string }>;
      list.forEach((resource, index) => {
        const earlier = origin.get(resource.uid);
        if (earlier !== undefined) {
          throw new UserError(`${resource.uid} is in two snapshots (also in ${earlier})`, {
            where: `${path}#/${kind}/${index}`,
            hint: 'merge snapshots of different scopes only',
          });
        }
        origin.set(resource.uid, path);
        (merged[kind] as Array<{ uid: string }>).push(resource);
      });
    }
  }
  orderScopeGroups(merged, sourceOrigin);
  return { snapshot: merged };
}

/**
 * Scopes of one provider and kind that come from several files (the shards of one collection) are put in scope-id
 * order, with their resources after them in that order, after the provider's other scopes and resources (the
 * tenant or organization shard 1 holds), so merging shards in any order gives the snapshot (and digest) of one
 * unsharded run. A file's own order is kept for everything else.
 */
function orderScopeGroups(merged: Snapshot, sourceOrigin: Map<string, string>): void {
  const groupOf = (provider: string, scope: { kind: string }) => `${provider}:${scope.kind}`;
  const files = new Map<string, Set<string>>();
  for (const source of merged.sources) {
    const group = groupOf(source.provider, source.scope);
    (files.get(group) ?? files.set(group, new Set()).get(group)!).add(
      sourceOrigin.get(scopeKey(source.provider, source.scope)) ?? '',
    );
  }
  const reordered = new Set([...files].filter(([, from]) => from.size > 1).map(([group]) => group));
  if (reordered.size === 0) return;
  const rank = new Map<string, number>();
  // A sharded group goes right after the last item of its provider outside it (the organization-wide part one shard
  // holds, which an unsharded run writes first), else where its first member is.
  const providerOf = (group: string) => group.slice(0, group.indexOf(':'));
  const regroup = <T>(items: T[], groupKey: (item: T) => string, sortKey: (item: T) => number | string): T[] => {
    const anchor = new Map<string, number>();
    items.forEach((item, i) => {
      const group = groupKey(item);
      if (reordered.has(group) && !anchor.has(group)) anchor.set(group, i);
    });
    for (const group of anchor.keys()) {
      const last = items.findLastIndex(
        (item) => !reordered.has(groupKey(item)) && providerOf(groupKey(item)) === providerOf(group),
      );
      if (last >= 0) anchor.set(group, last + 0.5);
    }
    const out: T[] = [];
    const place = (at: number) => {
      for (const [group, index] of anchor) {
        if (index !== at) continue;
        const members = items.map((m, i) => ({ m, i })).filter(({ m }) => groupKey(m) === group);
        members.sort((a, b) => {
          const ka = sortKey(a.m);
          const kb = sortKey(b.m);
          return ka < kb ? -1 : ka > kb ? 1 : a.i - b.i;
        });
        out.push(...members.map(({ m }) => m));
      }
    };
    items.forEach((item, i) => {
      place(i);
      if (!reordered.has(groupKey(item))) out.push(item);
      place(i + 0.5);
    });
    return out;
  };
  merged.sources = regroup(
    merged.sources,
    (s) => groupOf(s.provider, s.scope),
    (s) => s.scope.id,
  );
  merged.sources.forEach((s, i) => rank.set(scopeKey(s.provider, s.scope), i));
  for (const kind of ['principals', 'roles', 'controls', 'hosts'] as const) {
    const list = merged[kind] as Array<{ provider: string; scope: { kind: string; id: string } }>;
    (merged as unknown as Record<string, unknown>)[kind] = regroup(
      list,
      (r) => groupOf(r.provider, r.scope),
      (r) => rank.get(scopeKey(r.provider, r.scope as Scope)) ?? Number.MAX_SAFE_INTEGER,
    );
  }
}

/** Wraps provider parts into a validated snapshot with its digest (its scope kinds judged by `scopeKinds`, when given). */
export function assembleSnapshot(
  parts: SnapshotPart[],
  collectedAt: string,
  scopeKinds?: DeclaredScopeKinds,
): Snapshot {
  const snapshot: Snapshot = {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    generator: { name: TOOL_NAME, version: toolVersion() },
    collectedAt,
    sources: parts.flatMap((p) => p.sources),
    principals: parts.flatMap((p) => p.principals),
    roles: parts.flatMap((p) => p.roles),
    controls: parts.flatMap((p) => p.controls),
    hosts: parts.flatMap((p) => p.hosts),
  };
  const uids = new Set<string>();
  for (const kind of ['principals', 'roles', 'controls', 'hosts'] as const) {
    for (const r of snapshot[kind] as Array<{ uid: string }>) {
      if (uids.has(r.uid))
        throw new UserError(`duplicate resource uid ${r.uid}`, {
          hint: 'each input must describe a different resource; remove the duplicate export',
        });
      uids.add(r.uid);
    }
  }
  snapshot.digest = snapshotDigest(snapshot);
  return assertSnapshot(snapshot, '<assembled snapshot>', scopeKinds);
}

/** Writes a snapshot with mode 0600 (it describes a tenant's identities), atomically. */
export async function writeSnapshot(path: string, snapshot: Snapshot): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(snapshot, null, 2)}\n`, 0o600, {
    flag: '--output',
    createParent: false,
  });
}
