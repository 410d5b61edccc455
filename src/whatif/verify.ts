/**
 * The check that `--raw` documents are the ones the snapshot was made from: normalized unchanged, they must give the
 * snapshot's principals, roles and controls of every scope they normalize to (an Azure tenant and its subscriptions)
 * exactly. Normalizing a large account costs about as much as evaluating it, so the check runs on a worker thread
 * while this one projects and evaluates; where no worker can start it runs here. On a difference it names the first
 * resource that differs.
 */
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { UserError } from '../errors.js';
import type { RawBundle } from '../providers/types.js';
import { scopeKey, type Snapshot, type SnapshotPart, type Source } from '../snapshot/model.js';
import { IMPORT_MODULE_SOURCE, workerModule } from '../snapshot/worker-module.js';
import { projectorOf } from './registry.js';

type Kind = 'principals' | 'roles' | 'controls';
const KINDS: Kind[] = ['principals', 'roles', 'controls'];

/** This module, for the worker to import (from the build, or from source when the tests run it). */
export const VERIFY_MODULE = workerModule(import.meta.url);

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
${IMPORT_MODULE_SOURCE}
importModule(workerData.module)
  .then((m) => m.rawDigests(workerData.provider, workerData.files, workerData.sources))
  .then((digests) => parentPort.postMessage({ digests }), (error) => parentPort.postMessage({ error: String((error && error.message) || error) }));
`;

type Resource = { uid: string; provider: string; scope: { kind: string; id: string } };

/** A digest of one scope's resources: each kind sorted by uid, each resource as JSON. */
export function scopeDigest(resources: Record<Kind, Resource[]>, key: string): string {
  const hash = createHash('sha256');
  for (const kind of KINDS) {
    const list = resources[kind]
      .filter((r) => scopeKey(r.provider, r.scope as never) === key)
      .sort((a, b) => (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0));
    hash.update(`${kind}\n`);
    for (const r of list) hash.update(`${JSON.stringify(r)}\n`);
  }
  return hash.digest('hex');
}

/** The scope keys a normalized part covers (a bundle may give several: a GCP organization and its projects). */
function partScopes(part: SnapshotPart): string[] {
  return part.sources.map((s) => scopeKey(s.provider, s.scope));
}

/** The digests of several scopes at once: the resources are grouped by scope in one pass. */
export function scopeDigests(resources: Record<Kind, Resource[]>, keys: string[]): Record<string, string> {
  const wanted = new Set(keys);
  const grouped = new Map<string, Record<Kind, Resource[]>>(
    keys.map((key) => [key, { principals: [], roles: [], controls: [] }]),
  );
  for (const kind of KINDS) {
    for (const r of resources[kind]) {
      const key = scopeKey(r.provider, r.scope as never);
      if (wanted.has(key)) grouped.get(key)![kind].push(r);
    }
  }
  return Object.fromEntries([...grouped].map(([key, list]) => [key, scopeDigest(list, key)]));
}

/**
 * In the worker: reads the raw files with the provider's importer, normalizes them, and digests each scope. The
 * provider's projector comes from the registry, so this module does not import the projection that starts it.
 */
export async function rawDigests(
  provider: string,
  files: string[],
  sources: Source[] = [],
): Promise<Record<string, string>> {
  const own = await projectorOf(provider);
  if (!own?.projector.readRaw)
    throw new Error(`provider ${provider} has no what-if projector that reads raw documents`);
  const bundles = await own.projector.readRaw(files, sources);
  const part = own.normalize(bundles);
  const keys = new Set([...bundles.map((b) => scopeKey(b.provider, b.scope)), ...partScopes(part)]);
  return scopeDigests(part as unknown as Record<Kind, Resource[]>, [...keys]);
}

/** The first difference between the snapshot and a part normalized from the raw documents, in one scope. */
export function firstDifference(snapshot: Snapshot, part: SnapshotPart, key: string): string | undefined {
  for (const kind of KINDS) {
    const have = new Map<string, string>();
    for (const r of snapshot[kind] as unknown as Resource[])
      if (scopeKey(r.provider, r.scope as never) === key) have.set(r.uid, JSON.stringify(r));
    for (const r of part[kind] as unknown as Resource[]) {
      if (scopeKey(r.provider, r.scope as never) !== key) continue;
      const text = have.get(r.uid);
      if (text === undefined) return `${kind.slice(0, -1)} ${r.uid} is not in the snapshot`;
      if (text !== JSON.stringify(r)) return `${kind.slice(0, -1)} ${r.uid} differs from the snapshot`;
      have.delete(r.uid);
    }
    const extra = have.keys().next();
    if (!extra.done) return `${kind.slice(0, -1)} ${extra.value} of the snapshot is not in the raw documents`;
  }
  return undefined;
}

function mismatch(key: string, why: string): UserError {
  return new UserError(`the raw documents of ${key} do not reproduce the snapshot: ${why}`, {
    where: '--raw',
    hint: 'pass the raw documents this snapshot was made from (collect --raw-out of the same run, or the files import read), or collect both again',
  });
}

function digestsOnWorker(
  provider: string,
  files: string[],
  sources: Source[],
  started: (worker: Worker) => void,
): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { eval: true, workerData: { module: VERIFY_MODULE, provider, files, sources } });
    started(worker);
    let settled = false;
    worker.once('message', (message: { digests?: Record<string, string>; error?: string }) => {
      settled = true;
      void worker.terminate();
      if (message.digests) resolve(message.digests);
      else reject(new Error(message.error));
    });
    worker.once('error', (error) => {
      if (!settled) reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the checking thread stopped (exit code ${code})`));
    });
  });
}

/**
 * Starts checking that the raw documents reproduce the snapshot in the scopes given; the promise rejects with a
 * UserError naming the first difference. `read` and `normalize` serve the check on this thread, when no worker runs.
 */
export function verifyRaw(
  snapshot: Snapshot,
  provider: string,
  files: string[],
  bundles: RawBundle[],
  read: (files: string[]) => Promise<RawBundle[]>,
  normalize: (bundles: RawBundle[]) => SnapshotPart,
): { done: Promise<void>; cancel(): void } {
  let worker: Worker | undefined;
  let cancelled = false;
  const keys = bundles.map((b) => scopeKey(b.provider, b.scope));
  // The files are read again if the check has to run here: holding the bundles meanwhile would double the memory.
  const here = async (): Promise<void> => {
    const part = normalize(await read(files));
    for (const key of new Set([...keys, ...partScopes(part)])) {
      const why = firstDifference(snapshot, part, key);
      if (why) throw mismatch(key, why);
    }
  };
  const sources = snapshot.sources.filter((s) => s.provider === provider);
  const done = digestsOnWorker(provider, files, sources, (w) => (worker = w)).then(
    (digests) => {
      const all = [...new Set([...keys, ...Object.keys(digests)])];
      const own = scopeDigests(snapshot as unknown as Record<Kind, Resource[]>, all);
      if (all.some((key) => digests[key] !== own[key])) return here();
      return undefined;
    },
    // No worker (no build to load, or threads unavailable): the same check, on this thread.
    () => (cancelled ? undefined : here()),
  );
  // A run that fails meanwhile does not wait for the check to finish.
  const cancel = (): void => {
    cancelled = true;
    void worker?.terminate();
  };
  return { done, cancel };
}
