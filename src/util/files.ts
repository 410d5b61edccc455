import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, lstat, mkdir, open, readdir, realpath, rename, rm, stat, readFile } from 'node:fs/promises';
import { dirname, basename, extname, join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { trackTemporary } from './temporary.js';

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
  if (path === '-') return readStdin(what, maxBytes);
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${what} not found`, { where: path, hint: 'check the path' });
    if (code === 'EACCES') throw await unreadable(path, what);
    throw new UserError(`cannot read ${what}: ${code ?? String(error)}`, { where: path });
  }
  if (info.isDirectory()) {
    throw new UserError(`${what} is a directory, not a file`, { where: path, hint: 'name a file inside it' });
  }
  if (!info.isFile()) throw new UserError(`${what} is not a regular file`, { where: path });
  if (info.size === 0)
    throw new UserError(`${what} is empty (0 bytes)`, {
      where: path,
      hint: 'regenerate it; an interrupted export leaves an empty file',
    });
  if (info.size > maxBytes) {
    throw new UserError(`${what} is ${formatBytes(info.size)}, over the ${formatBytes(maxBytes)} limit`, {
      where: path,
      hint: 'split it, or raise the limit with --max-input-size',
    });
  }
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') throw await unreadable(path, what);
    throw new UserError(`cannot read ${what}: ${code ?? String(error)}`, { where: path });
  }
}

/**
 * A file this process may not read: who owns it and its mode, when they can be seen. Snapshots are written 0600, so
 * the usual cause is a container running as another uid than the one that wrote them.
 */
async function unreadable(path: string, what: string): Promise<UserError> {
  const info = await stat(path).catch(() => undefined);
  const uid = process.getuid?.();
  const who = uid === undefined ? 'this user' : `this user (uid ${uid})`;
  const owner = info
    ? `: it belongs to uid ${info.uid} and has mode ${(info.mode & 0o777).toString(8).padStart(4, '0')}`
    : ': permission denied on it or a folder above it';
  return new UserError(`${what} is not readable by ${who}${owner}`, {
    where: path,
    hint: 'run as the user that wrote it (in a container: docker run --user "$(id -u):$(id -g)"), or make it readable',
  });
}

/** `-` as an input: all of stdin, with the same refusals as a file (empty, over the size cap); never a terminal. */
async function readStdin(what: string, maxBytes: number): Promise<Buffer> {
  const where = '- (stdin)';
  if (process.stdin.isTTY)
    throw new UserError(`no ${what} on stdin: it is a terminal`, {
      where,
      hint: 'pipe one in (`cloudward collect aws | cloudward audit -`), or name a file',
    });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      process.stdin.destroy();
      throw new UserError(`${what} on stdin is over the ${formatBytes(maxBytes)} limit`, {
        where,
        hint: 'write it to a file and split it, or raise the limit with --max-input-size',
      });
    }
    chunks.push(chunk as Buffer);
  }
  if (size === 0)
    throw new UserError(`${what} on stdin is empty (0 bytes)`, { where, hint: 'check the command that pipes it in' });
  return Buffer.concat(chunks);
}

/** Decodes UTF-8 or BOM-marked UTF-16 (as Windows PowerShell writes exports). */
export function decodeText(buffer: Buffer): string {
  if (buffer.length >= 2 && buffer[0] === 0xff && buffer[1] === 0xfe) return buffer.subarray(2).toString('utf16le');
  if (buffer.length >= 2 && buffer[0] === 0xfe && buffer[1] === 0xff) {
    const swapped = Buffer.from(buffer.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  if (buffer.length >= 3 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf)
    return buffer.subarray(3).toString('utf8');
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
 * half-written output behind. `mode` 0o600 for snapshots and anything else that describes a tenant. See
 * writeOutputs for what happens with devices, FIFOs, symlinks and `-`.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Buffer | Iterable<string>,
  mode = 0o600,
  options: { flag?: string; createParent?: boolean } = {},
): Promise<void> {
  await writeOutputs([{ path, data: Buffer.isBuffer(data) ? data.toString('utf8') : data, mode, ...options }]);
}

/** One output file to write: a string, or a stream of pieces (a formatter's results one by one). */
export interface OutputFile {
  /** A file path, or `-` for stdout. */
  path: string;
  data: string | Iterable<string>;
  mode?: number;
  /** The option that named the path (`--output`), for error messages. */
  flag?: string;
  /** Create missing parent folders (default true); `false` makes a missing folder an error (a mistyped `-o`). */
  createParent?: boolean;
}

/** How an output reaches its target, decided before anything is rendered. */
type Target =
  | { kind: 'stream'; stream: NodeJS.WritableStream }
  /** Not a regular file (character device, FIFO, socket): opened and written in place, never replaced. */
  | { kind: 'through'; path: string }
  /** A regular file, or none yet: temp file beside it, then renamed over it. `path` has its symlinks resolved. */
  | { kind: 'atomic'; path: string };

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

const WRITE_FIXES: Record<string, string> = {
  EACCES: 'permission denied — choose a folder you can write to, or fix its permissions',
  EPERM: 'permission denied — choose a folder you can write to, or fix its permissions',
  EROFS: 'the file system is read-only — write somewhere else (e.g. under /tmp or a mounted volume)',
  ENOSPC: 'no space left on the device — free some space or write elsewhere',
  EDQUOT: 'disk quota exceeded — free some space or write elsewhere',
  EISDIR: 'it is a folder — name a file inside it, or use --output-dir for a folder',
  ENOTDIR: 'part of the path is a file, not a folder — fix the path',
  ENAMETOOLONG: 'the path is too long — use a shorter one',
  ELOOP: 'too many symbolic links — fix the link',
};

/** A write failure as the one-line error the CLI prints: the path the user gave, what went wrong, the fix. */
function outputError(output: Pick<OutputFile, 'path' | 'flag'>, error: unknown): UserError {
  if (error instanceof UserError) return error;
  const code = (error as NodeJS.ErrnoException)?.code ?? '';
  const where = output.flag ? `${output.flag} ${output.path}` : output.path;
  const fix = WRITE_FIXES[code];
  return new UserError(
    fix
      ? `cannot write: ${fix.split(' — ')[0]}`
      : `cannot write: ${code || String((error as Error)?.message ?? error)}`,
    {
      where,
      ...(fix?.includes(' — ') ? { hint: fix.split(' — ')[1] } : {}),
      cause: error,
    },
  );
}

/**
 * Paths that name this process's own stdout or stderr are written to the stream: reopening them would lose an
 * append redirection (`>>`) and, for a file behind them, renaming over it would detach the shell's redirection.
 */
const STANDARD_STREAMS: Record<string, () => NodeJS.WritableStream> = {
  '-': () => process.stdout,
  '/dev/stdout': () => process.stdout,
  '/dev/fd/1': () => process.stdout,
  '/proc/self/fd/1': () => process.stdout,
  '/dev/stderr': () => process.stderr,
  '/dev/fd/2': () => process.stderr,
  '/proc/self/fd/2': () => process.stderr,
};

/**
 * Decides how to write one output, refusing what cannot work before anything is rendered: a folder, a missing or
 * read-only folder, a dangling symlink. Symlinks are followed on purpose: a link to a file has that file replaced
 * (the link stays a link); a link to a device or FIFO (`/dev/stdout`) is written through.
 */
async function resolveTarget(output: Omit<OutputFile, 'data'>, dryRun = false): Promise<Target> {
  const stream = STANDARD_STREAMS[output.path];
  if (stream) return { kind: 'stream', stream: stream() };
  const fail = (message: string, hint: string) =>
    new UserError(message, { where: output.flag ? `${output.flag} ${output.path}` : output.path, hint });
  let info;
  try {
    info = await stat(output.path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw outputError(output, error);
  }
  if (info?.isDirectory())
    throw fail(
      'is a folder, not a file',
      output.flag === '--output' ? 'name a file inside it, or use --output-dir DIR' : 'name a file inside it',
    );
  // Not a regular file (a device, FIFO or socket), or a file the kernel makes up (/dev, /proc): write in place.
  if (info && (!info.isFile() || /^\/(dev|proc)\//.test(resolve(output.path))))
    return { kind: 'through', path: output.path };
  if (!info) {
    // Missing: a dangling symlink is refused rather than silently creating whatever it points at.
    const link = await lstat(output.path).catch(() => undefined);
    if (link?.isSymbolicLink())
      throw fail(
        'is a symbolic link to a missing file',
        'point it at an existing file, or remove it and write to the path itself',
      );
  }
  const path = info ? await realpath(output.path) : resolve(output.path);
  const dir = dirname(path);
  const dirInfo = await stat(dir).catch((error: NodeJS.ErrnoException) =>
    error.code === 'ENOENT' ? undefined : Promise.reject(outputError(output, error)),
  );
  if (!dirInfo) {
    if (output.createParent === false) throw fail(`folder ${dir} does not exist`, 'create it first, or fix the path');
    if (dryRun) return assertCreatable(output, dir);
    try {
      await mkdir(dir, { recursive: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' || code === 'ENOTDIR')
        throw fail(
          `cannot create folder ${dir}: part of it is a file`,
          'fix the path, or remove the file that is in the way',
        );
      throw outputError(output, error);
    }
  } else if (!dirInfo.isDirectory()) {
    throw fail(`${dir} is a file, not a folder`, 'fix the path, or remove the file that is in the way');
  }
  try {
    await access(dir, constants.W_OK);
  } catch (error) {
    throw outputError(output, error);
  }
  return { kind: 'atomic', path };
}

/** A folder to be made: its nearest existing ancestor must be a writable folder. */
async function assertCreatable(output: Omit<OutputFile, 'data'>, dir: string): Promise<Target> {
  let ancestor = dirname(dir);
  for (;;) {
    const info = await stat(ancestor).catch(() => undefined);
    if (info) {
      if (!info.isDirectory()) {
        throw new UserError(`cannot create folder ${dir}: ${ancestor} is a file`, {
          where: output.flag ? `${output.flag} ${output.path}` : output.path,
          hint: 'fix the path, or remove the file that is in the way',
        });
      }
      try {
        await access(ancestor, constants.W_OK);
      } catch (error) {
        throw outputError(output, error);
      }
      return { kind: 'atomic', path: resolve(output.path) };
    }
    if (dirname(ancestor) === ancestor) return { kind: 'atomic', path: resolve(output.path) };
    ancestor = dirname(ancestor);
  }
}

/**
 * Checks, before any work is done, that every output can be written: the same refusals as writeOutputs (a folder,
 * a missing or read-only folder, a dangling symlink), without creating anything.
 */
export async function checkOutputs(outputs: Array<Omit<OutputFile, 'data'>>): Promise<void> {
  for (const output of outputs) await resolveTarget(output, true);
}

/** `--output-dir DIR`: a folder, or nothing yet (it is created); never a file. Checked before any work is done. */
export async function checkOutputDir(dir: string, flag = '--output-dir'): Promise<void> {
  const info = await stat(dir).catch((error: NodeJS.ErrnoException) =>
    error.code === 'ENOENT' ? undefined : Promise.reject(outputError({ path: dir, flag }, error)),
  );
  if (info && !info.isDirectory())
    throw new UserError('is a file, not a folder', {
      where: `${flag} ${dir}`,
      hint: 'name a folder (it is created when missing), or use --output FILE for one format',
    });
  if (info) {
    try {
      await access(dir, constants.W_OK);
    } catch (error) {
      throw outputError({ path: dir, flag }, error);
    }
  }
}

/**
 * Writes several outputs all-or-nothing. Regular files (new or existing) go to a temp file in their folder first,
 * and are renamed into place only when every output is complete; a failure removes the temp files and leaves earlier
 * outputs untouched. Targets that are not regular files (`-` for stdout, `/dev/stdout`, a FIFO, a device) are
 * written through, never replaced; they are written after the files are staged and before any is put in place.
 * Errors name the path the user gave and how to fix it, never a temp name.
 */
export async function writeOutputs(outputs: OutputFile[]): Promise<void> {
  const targets: Target[] = [];
  for (const output of outputs) targets.push(await resolveTarget(output));
  const staged: Array<{ temp: string; path: string; output: OutputFile }> = [];
  // Forgotten once renamed into place or removed; a signal meanwhile removes them (see temporary.ts).
  const forget: Array<() => void> = [];
  try {
    for (const [i, output] of outputs.entries()) {
      const target = targets[i]!;
      if (target.kind !== 'atomic') continue;
      const temp = join(dirname(target.path), `.${basename(target.path)}.${randomBytes(6).toString('hex')}.tmp`);
      staged.push({ temp, path: target.path, output });
      forget.push(trackTemporary(temp));
      try {
        await writeStaged(temp, output.data, output.mode ?? 0o600);
      } catch (error) {
        throw (error as NodeJS.ErrnoException).code ? outputError(output, error) : error;
      }
    }
    for (const [i, output] of outputs.entries()) {
      const target = targets[i]!;
      try {
        if (target.kind === 'stream') await writeStream(target.stream, output.data);
        else if (target.kind === 'through') await writeThrough(target.path, output.data);
      } catch (error) {
        throw (error as NodeJS.ErrnoException).code ? outputError(output, error) : error;
      }
    }
    for (const { temp, path, output } of staged) {
      try {
        await rename(temp, path);
      } catch (error) {
        throw outputError(output, error);
      }
    }
  } catch (error) {
    await Promise.all(staged.map(({ temp }) => rm(temp, { force: true })));
    throw error;
  } finally {
    for (const done of forget) done();
  }
}

async function writeStaged(temp: string, data: OutputFile['data'], mode: number): Promise<void> {
  const handle = await open(temp, 'wx', mode);
  try {
    await writeHandle(handle, data);
    await handle.chmod(mode);
  } finally {
    await handle.close();
  }
}

/** A device or FIFO: opened for writing as it is (no truncation of what is not a file, no temp file beside it). */
async function writeThrough(path: string, data: OutputFile['data']): Promise<void> {
  const handle = await open(path, constants.O_WRONLY);
  try {
    await writeHandle(handle, data);
  } finally {
    await handle.close();
  }
}

async function writeHandle(handle: import('node:fs/promises').FileHandle, data: OutputFile['data']): Promise<void> {
  if (typeof data === 'string') {
    await handle.writeFile(data);
    return;
  }
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

/** stdout, with back-pressure: waits for each chunk to drain, and reports a closed pipe as an error. */
async function writeStream(stream: NodeJS.WritableStream, data: OutputFile['data']): Promise<void> {
  for (const text of typeof data === 'string' ? [data] : inChunks(data)) {
    await new Promise<void>((done, failed) => {
      stream.write(text, (error) => (error ? failed(error) : done()));
    });
  }
}

/**
 * Every `*.yaml` / `*.yml` file under a folder, at any depth (or the file itself), sorted for a stable order. A path
 * that does not exist is `missing`, a one-line error naming it.
 */
export async function listYamlFiles(path: string, missing: { message: string; hint: string }): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new UserError(missing.message, { where: path, hint: missing.hint });
  }
  if (info.isFile()) return [path];
  const entries = await readdir(path, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && ['.yaml', '.yml'].includes(extname(e.name)))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}
