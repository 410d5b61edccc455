import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat, readFile } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { UserError } from '../errors.js';

/** Inputs larger than this are refused unless the caller raises the cap. */
export const DEFAULT_MAX_INPUT_BYTES = 1024 * 1024 * 1024;

/**
 * Reads a user-named file as text with the checks every input gets: exists, is a regular file, is not empty,
 * is under the size cap. UTF-8 and UTF-16 (with BOM) are decoded; a UTF-8 BOM is dropped.
 */
export async function readInputText(path: string, what: string, maxBytes = DEFAULT_MAX_INPUT_BYTES): Promise<string> {
  const buffer = await readInputBytes(path, what, maxBytes);
  return decodeText(buffer);
}

export async function readInputBytes(path: string, what: string, maxBytes = DEFAULT_MAX_INPUT_BYTES): Promise<Buffer> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${what} not found`, { where: path, hint: 'check the path' });
    if (code === 'EACCES') throw new UserError(`${what} is not readable (permission denied)`, { where: path, hint: 'fix its permissions or run as a user who can read it' });
    throw new UserError(`cannot read ${what}: ${code ?? String(error)}`, { where: path });
  }
  if (info.isDirectory()) {
    throw new UserError(`${what} is a directory, not a file`, { where: path, hint: 'name a file inside it' });
  }
  if (!info.isFile()) throw new UserError(`${what} is not a regular file`, { where: path });
  if (info.size === 0) throw new UserError(`${what} is empty (0 bytes)`, { where: path, hint: 'regenerate it; an interrupted export leaves an empty file' });
  if (info.size > maxBytes) {
    throw new UserError(`${what} is ${formatBytes(info.size)}, over the ${formatBytes(maxBytes)} limit`, { where: path, hint: 'split it, or raise the limit with --max-input-size' });
  }
  try {
    return await readFile(path);
  } catch (error) {
    throw new UserError(`cannot read ${what}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { where: path });
  }
}

/** Decodes UTF-8 or BOM-marked UTF-16 (as Windows PowerShell writes exports). */
export function decodeText(buffer: Buffer): string {
  if (buffer.length >= 2 && buffer[0] === 0xff && buffer[1] === 0xfe) return buffer.subarray(2).toString('utf16le');
  if (buffer.length >= 2 && buffer[0] === 0xfe && buffer[1] === 0xff) {
    const swapped = Buffer.from(buffer.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  if (buffer.length >= 3 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) return buffer.subarray(3).toString('utf8');
  return buffer.toString('utf8');
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}

/**
 * Writes a file atomically (temp file in the same folder, then rename), so a crash or error never leaves a
 * half-written output behind. `mode` 0o600 for snapshots and anything else that describes a tenant.
 */
export async function writeFileAtomic(path: string, data: string | Buffer | Iterable<string>, mode = 0o600): Promise<void> {
  await writeOutputs([{ path, data: Buffer.isBuffer(data) ? data.toString('utf8') : data, mode }]);
}

/** One output file to write: a string, or a stream of pieces (a formatter's results one by one). */
export interface OutputFile {
  path: string;
  data: string | Iterable<string>;
  mode?: number;
}

/** About this many characters go to a file or stdout at a time. */
const CHUNK_CHARS = 1 << 20;

/**
 * Joins a stream of pieces into ~1 MiB chunks, so that whoever writes them does one write (and one await) per
 * megabyte rather than one per piece: a 100k-principal report is made of ~166k pieces.
 */
export function* inChunks(pieces: Iterable<string>): Generator<string> {
  let chunk = '';
  for (const piece of pieces) {
    chunk += piece;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}

/**
 * Writes several outputs all-or-nothing: each goes to a temp file first, and only when every one is complete are
 * they renamed into place. A failure removes the temp files and leaves earlier outputs untouched.
 */
export async function writeOutputs(outputs: OutputFile[]): Promise<void> {
  const staged: Array<{ temp: string; path: string }> = [];
  try {
    for (const output of outputs) {
      const dir = dirname(output.path);
      await mkdir(dir, { recursive: true });
      const temp = join(dir, `.${basename(output.path)}.${randomBytes(6).toString('hex')}.tmp`);
      staged.push({ temp, path: output.path });
      await writeStaged(temp, output.data, output.mode ?? 0o600);
    }
    for (const { temp, path } of staged) await rename(temp, path);
  } catch (error) {
    await Promise.all(staged.map(({ temp }) => rm(temp, { force: true })));
    throw error;
  }
}

async function writeStaged(temp: string, data: OutputFile['data'], mode: number): Promise<void> {
  const handle = await open(temp, 'w', mode);
  try {
    if (typeof data === 'string') {
      await handle.writeFile(data);
    } else {
      // One write in flight while the next ~1 MiB is rendered, so rendering does not wait for the disk.
      let writing: Promise<unknown> | undefined;
      for (const text of inChunks(data)) {
        await writing;
        writing = handle.write(text);
        // Awaited on the next chunk or below; this keeps a failed write from counting as unhandled meanwhile.
        writing.catch(() => undefined);
      }
      await writing;
    }
    await handle.chmod(mode);
  } finally {
    await handle.close();
  }
}
