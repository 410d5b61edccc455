import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { DIGEST_BYTES_MODULE } from './digest-bytes.js';
import { buildLineIndex, LINE_INDEX_MODULE, type LineIndex } from './line-index.js';
import { IMPORT_MODULE_SOURCE } from './worker-module.js';

/** Below this, starting a worker costs more than hashing on this thread. */
const OFF_THREAD_MIN_BYTES = 8 * 1024 * 1024;

/**
 * Posts the hash as soon as it is known, then (when asked) the snapshot digest (null when it could not be made from
 * the bytes), then the line index, which takes longer and is needed last.
 */
const SCAN_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
${IMPORT_MODULE_SOURCE}
const bytes = new Uint8Array(workerData.buffer);
parentPort.postMessage({ sha256: createHash('sha256').update(bytes).digest('hex') });
(async () => {
  if (workerData.digest) {
    const m = await importModule(workerData.digestModule);
    parentPort.postMessage({ digest: m.digestSnapshotBytes(bytes) ?? null });
  }
  if (workerData.lineIndex) {
    const m = await importModule(workerData.module);
    const index = m.buildLineIndex(bytes);
    parentPort.postMessage({ index }, [index.uidLines.buffer, index.idLines.buffer]);
  }
})();
`;

/** What is learnt from a snapshot file's bytes besides its text. */
interface ScannedBytes {
  /** sha256 (hex) of the bytes. */
  sha256: Promise<string>;
  /** Where each uid and id sits, when asked for (SARIF locations). */
  lineIndex?: Promise<LineIndex>;
  /**
   * The snapshot digest of the content, when asked for and the file is large enough to be scanned on another
   * thread; undefined (resolved) when the bytes could not be digested there.
   */
  digest?: Promise<string | undefined>;
}

interface ScanOptions {
  lineIndex?: boolean;
  /** Digest the snapshot content on the scanning thread (large files only; small ones are digested parsed). */
  digest?: boolean;
}

/**
 * Hashes a file's bytes (and indexes its lines when asked). A large file is handled on a worker thread, so the caller
 * can parse and evaluate meanwhile: the bytes are *moved* to the worker (no copy), so call this only once they are no
 * longer needed here. Hashing 128 MiB takes ~0.4 s of one core and indexing it about as long; the bytes are freed
 * when the worker is done.
 */
export function scanSnapshotBytes(bytes: Buffer, options: ScanOptions = {}): ScannedBytes {
  const ownsWholeBuffer =
    bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
  if (bytes.length < OFF_THREAD_MIN_BYTES || !ownsWholeBuffer) {
    const sha256 = Promise.resolve(createHash('sha256').update(bytes).digest('hex'));
    return options.lineIndex ? { sha256, lineIndex: Promise.resolve(buildLineIndex(bytes)) } : { sha256 };
  }
  const buffer = bytes.buffer as ArrayBuffer;
  const workerData = {
    buffer,
    lineIndex: Boolean(options.lineIndex),
    module: LINE_INDEX_MODULE,
    digest: Boolean(options.digest),
    digestModule: DIGEST_BYTES_MODULE,
  };
  // Its garbage is short-lived (one resource at a time while digesting): a small young generation keeps its memory low.
  const worker = new Worker(SCAN_WORKER, {
    eval: true,
    workerData,
    transferList: [buffer],
    resourceLimits: { maxYoungGenerationSizeMb: 8 },
  });
  const hash = deferred<string>();
  const index = options.lineIndex ? deferred<LineIndex>() : undefined;
  const digest = options.digest ? deferred<string | undefined>() : undefined;
  worker.on('message', (message: { sha256?: string; index?: LineIndex; digest?: string | null }) => {
    if (message.sha256 !== undefined) hash.resolve(message.sha256);
    if (message.digest !== undefined) digest?.resolve(message.digest ?? undefined);
    if (message.index !== undefined) index?.resolve(message.index);
  });
  const fail = (error: Error) => {
    hash.reject(error);
    index?.reject(error);
    // A digest the thread could not make is made from the parsed snapshot instead.
    digest?.resolve(undefined);
  };
  worker.once('error', fail);
  // Rejecting what already resolved changes nothing, so this only fails what the thread did not deliver.
  worker.once('exit', (code) => fail(new Error(`the hashing thread stopped (exit code ${code}) before it finished`)));
  return {
    sha256: hash.promise,
    ...(index ? { lineIndex: index.promise } : {}),
    ...(digest ? { digest: digest.promise } : {}),
  };
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: Error) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
