import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

/** Below this, starting a worker costs more than hashing on this thread. */
const OFF_THREAD_MIN_BYTES = 8 * 1024 * 1024;

const HASH_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
parentPort.postMessage(createHash('sha256').update(new Uint8Array(workerData)).digest('hex'));
`;

/**
 * The sha256 (hex) of a file's bytes. A large file is hashed on a worker thread, so the caller can parse the text
 * meanwhile: the bytes are *moved* to the worker (no copy), so call this only once they are no longer needed here.
 * Hashing 128 MiB takes ~0.5 s of one core; moved, the bytes are freed as soon as the hash is done.
 */
export function sha256Hex(bytes: Buffer): Promise<string> {
  const ownsWholeBuffer = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
  if (bytes.length < OFF_THREAD_MIN_BYTES || !ownsWholeBuffer) return Promise.resolve(createHash('sha256').update(bytes).digest('hex'));
  const buffer = bytes.buffer as ArrayBuffer;
  return new Promise((resolve, reject) => {
    const worker = new Worker(HASH_WORKER, { eval: true, workerData: buffer, transferList: [buffer] });
    let settled = false;
    worker.once('message', (hex: string) => {
      settled = true;
      resolve(hex);
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the hashing thread stopped (exit code ${code}) before it finished`));
    });
  });
}
