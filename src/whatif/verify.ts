/**
 * The check that `--raw` documents are the ones the snapshot was made from: normalized unchanged, they must give the
 * snapshot's principals, roles and controls of every scope they normalize to (an Azure tenant and its subscriptions)
 * exactly. Normalizing a large account costs about as much as evaluating it, so the check runs on a worker thread
 * while this one projects and evaluates; where no worker can start it runs here. On a difference it names the first
 * resource that differs.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
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

/**
 * A checking thread answers requests one after another, so that a process that projects several plans (a service, or
 * the test suite) pays the thread's start (loading this package, and its TypeScript loader when run from source) once.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
${IMPORT_MODULE_SOURCE}
parentPort.on('message', ({ provider, files, sources }) => {
  importModule(workerData.module)
    .then((m) => m.rawDigests(provider, files, sources))
    .then((digests) => parentPort.postMessage({ digests }), (error) => parentPort.postMessage({ error: String((error && error.message) || error) }));
});
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

interface Request {
  provider: string;
  files: string[];
  sources: Source[];
  resolve(digests: Record<string, string>): void;
  reject(error: Error): void;
}

/** A thread that checks raw documents, and the request it is working on (its next message answers it). */
interface Checker {
  worker: Worker;
  busy?: Request;
}

/**
 * The checking threads: as many as the machine has cores at most, each kept (not holding the process open) for the
 * next request once it has answered; requests beyond that wait for a free thread.
 */
const checkers: Checker[] = [];
const waiting: Request[] = [];

function startChecker(): Checker {
  const checker: Checker = { worker: new Worker(WORKER, { eval: true, workerData: { module: VERIFY_MODULE } }) };
  const stopped = (error: Error): void => {
    const at = checkers.indexOf(checker);
    if (at === -1) return;
    checkers.splice(at, 1);
    const request = checker.busy;
    checker.busy = undefined;
    request?.reject(error);
    dispatch();
  };
  checker.worker.on('message', (message: { digests?: Record<string, string>; error?: string }) => {
    const request = checker.busy;
    if (!request) return;
    checker.busy = undefined;
    checker.worker.unref();
    if (message.digests) request.resolve(message.digests);
    else request.reject(new Error(message.error));
    dispatch();
  });
  checker.worker.once('error', stopped);
  checker.worker.once('exit', (code) => stopped(new Error(`the checking thread stopped (exit code ${code})`)));
  checkers.push(checker);
  return checker;
}

/** How many checking threads this process holds (started and not stopped), busy or idle. */
export const checkingThreads = (): number => checkers.length;

/** Hands waiting requests to idle threads, starting threads up to the number of cores. */
function dispatch(): void {
  while (waiting.length > 0) {
    const checker =
      checkers.find((c) => c.busy === undefined) ??
      (checkers.length < availableParallelism() ? startChecker() : undefined);
    if (!checker) return;
    const request = waiting.shift()!;
    checker.busy = request;
    checker.worker.ref();
    const { provider, files, sources } = request;
    checker.worker.postMessage({ provider, files, sources });
  }
}

/**
 * The raw documents' digests, from a checking thread. `cancel` withdraws the request: a thread already working on it
 * no longer holds the process open, and is kept for the next request once it is done (starting another costs more
 * than the check it would save).
 */
function digestsOnWorker(
  provider: string,
  files: string[],
  sources: Source[],
): { digests: Promise<Record<string, string>>; cancel(): void } {
  let request!: Request;
  const digests = new Promise<Record<string, string>>((resolve, reject) => {
    request = { provider, files, sources, resolve, reject };
  });
  waiting.push(request);
  try {
    dispatch();
  } catch (error) {
    // No thread could start: the request fails, and the caller checks on its own thread.
    waiting.splice(waiting.indexOf(request), 1);
    request.reject(error as Error);
  }
  const cancel = (): void => {
    const queued = waiting.indexOf(request);
    if (queued !== -1) waiting.splice(queued, 1);
    checkers.find((c) => c.busy === request)?.worker.unref();
    request.reject(new Error('cancelled'));
  };
  return { digests, cancel };
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
  const check = digestsOnWorker(provider, files, sources);
  const done = check.digests.then(
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
    check.cancel();
  };
  return { done, cancel };
}
