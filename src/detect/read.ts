import { createReadStream } from 'node:fs';
import { type FileHandle, open, readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { promisify } from 'node:util';
import { createGunzip, gunzip } from 'node:zlib';
import { UserError } from '../errors.js';
import { formatBytes } from '../util/files.js';
import type { DetectEvent, EventRef } from './event.js';
import { logPathTimes, logTitles } from './log-readers.js';
import type { RangeTable } from './ip-ranges.js';
import { recordNormalizer, recordFormat, RecordError } from './normalize.js';

/** A line or record that could not be read, with where it is. */
export interface BadRecord {
  file: string;
  line: number;
  index?: number;
  message: string;
}

export interface ReadOptions {
  /** A file that is one JSON document (not JSON lines) is parsed whole; larger ones are refused. */
  maxDocumentBytes: number;
  onBad(bad: BadRecord): void;
  /** The published cloud ranges to place source addresses in (the shipped ones unless given). */
  ranges?: RangeTable;
}

export interface FileStats {
  file: string;
  format: string;
  compressed: boolean;
  /** JSON objects found in the file (unparseable lines are not counted here but under dropped.unreadable). */
  records: number;
  bytes: number;
  /** Events handed to the rules. */
  used: number;
  /** Records not used, by reason (`unreadable`, `outside --since/--until`). */
  dropped: Record<string, number>;
  /** The cloud of the file's events (null until one is read). */
  cloud: string | null;
  /** The log source of the file's events (`cloudtrail`, `entra-signin`, ...; null until one is read). */
  source: string | null;
  /** How many used events carry a source address, a user agent or client app id, an MFA state, a sign-in method. */
  present: { 'src.ip': number; client: number; 'actor.mfa': number; signInMethod: number };
}

export function newFileStats(file: string): FileStats {
  return {
    file,
    format: 'unknown',
    compressed: false,
    records: 0,
    bytes: 0,
    used: 0,
    dropped: {},
    cloud: null,
    source: null,
    present: { 'src.ip': 0, client: 0, 'actor.mfa': 0, signInMethod: 0 },
  };
}

/** Keys under which exports wrap their records: CloudTrail files, diagnostic settings, lookup-events, Graph. */
const WRAPPERS = ['Records', 'records', 'Events', 'value'] as const;

/** CloudTrail's delivered file names carry the time they cover (`..._20260101T1205Z_...`); other logs sort by path. */
function sortKey(path: string): string {
  const stamp = /_(\d{8}T\d{4}Z)_/.exec(basename(path))?.[1];
  return stamp ? `${stamp}\u0000${path}` : `~${path}`;
}

/**
 * What public datasets and export folders keep beside their logs: documentation, licences, metadata, pictures and
 * scripts. A file so named inside a named folder is left out (the run's gaps name it); named on its own, it is read.
 */
const NOT_LOG_EXTENSIONS = new Set([
  '.md',
  '.markdown',
  '.rst',
  '.html',
  '.htm',
  '.pdf',
  '.png',
  '.jpg',
  '.jpeg',
  '.gif',
  '.svg',
  '.yml',
  '.yaml',
  '.toml',
  '.py',
  '.sh',
  '.ps1',
  '.ipynb',
  '.sha256',
  '.md5',
  '.sig',
  '.asc',
]);
const NOT_LOG_NAMES = /^(readme|licen[cs]e|notice|changelog|authors|copying)(\.|$)/i;

/** Whether a file's name says it is not a log (see NOT_LOG_EXTENSIONS). */
export const notLogByName = (name: string): boolean =>
  NOT_LOG_NAMES.test(name) || NOT_LOG_EXTENSIONS.has(extname(name).toLowerCase());

/** The log files to read, in time order, and the files of named folders left out by their names. */
export interface LogFiles {
  files: string[];
  notLogs: string[];
}

/**
 * Expands the named files and folders (recursively; hidden entries skipped, and in folders the files whose names
 * say they are not logs) into log files in time order.
 */
export async function listLogFiles(paths: string[]): Promise<LogFiles> {
  const files: string[] = [];
  const notLogs: string[] = [];
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch {
      throw new UserError('log file or folder not found', { where: path, hint: 'check the path' });
    }
    if (info.isDirectory()) {
      const entries = await readdir(path, { recursive: true, withFileTypes: true });
      const found = entries
        .filter(
          (e) =>
            e.isFile() &&
            !e.name.startsWith('.') &&
            !join(e.parentPath, e.name)
              .slice(path.length)
              .split('/')
              .some((p) => p.startsWith('.')),
        )
        .map((e) => join(e.parentPath, e.name));
      const logs: string[] = [];
      const named: string[] = [];
      for (const file of found) (notLogByName(basename(file)) ? named : logs).push(file);
      notLogs.push(...named.sort());
      if (logs.length === 0)
        throw new UserError(
          `folder holds no log files${named.length > 0 ? ` (only ${named.length} file(s) whose names say they are not logs, such as ${basename(named[0]!)})` : ''}`,
          {
            where: path,
            hint: 'name a folder with CloudTrail, Activity Log, sign-in or GCP audit exports, or name a file to read it',
          },
        );
      files.push(...logs.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1)));
    } else if (info.isFile()) {
      if (info.size === 0)
        throw new UserError('log file is empty (0 bytes)', {
          where: path,
          hint: 'an interrupted export leaves an empty file; export it again',
        });
      files.push(path);
    } else {
      throw new UserError('not a regular file', { where: path });
    }
  }
  return { files, notLogs };
}

/** How the file starts: gzip (by its magic bytes) and the text encoding (by its BOM). */
async function sniff(file: string): Promise<{ gzip: boolean }> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return { gzip: bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b };
  } finally {
    await handle.close();
  }
}

/** The 1-based line on which each element of the document's record array starts (the array is at `depth`). */
function elementLines(text: string, depth: number): number[] {
  const lines: number[] = [];
  let line = 1;
  let level = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++;
      else if (ch === 0x22) inString = false;
      else if (ch === 0x0a) line++;
      continue;
    }
    if (ch === 0x22) inString = true;
    else if (ch === 0x0a) line++;
    else if (ch === 0x7b || ch === 0x5b) {
      if (ch === 0x7b && level === depth) lines.push(line);
      level++;
    } else if (ch === 0x7d || ch === 0x5d) level--;
  }
  return lines;
}

/**
 * Read and inflate step sizes of a streamed file. Each step is decoded into a string, and a string over V8's regular
 * object size (128 KiB) is allocated on pages of its own: decoding 256 KiB steps cost about 1.7 times as much.
 */
const MAX_CHUNK = 64 * 1024;
const MIN_CHUNK = 16 * 1024;

/** A file up to this size is read in one step (and inflated in one), not streamed. */
const WHOLE_FILE_BYTES = 1024 * 1024;
/** What a file read in one step may inflate to; one that inflates to more is streamed instead. */
const WHOLE_TEXT_BYTES = 32 * 1024 * 1024;
const gunzipAsync = promisify(gunzip);

/**
 * The file's bytes, inflated when it is gzip. A small file (a delivered CloudTrail file is a few KiB of gzip) comes
 * in one step: a stream's machinery and its step-by-step decoding cost such a file more than the reading itself.
 * A large one is streamed, so that JSON lines of any size are read in bounded memory.
 */
async function* fileBytes(handle: FileHandle, size: number, gzip: boolean): AsyncGenerator<Buffer> {
  if (size > 0 && size <= WHOLE_FILE_BYTES) {
    // One byte more than the size said: a file that grew since is streamed, to its end.
    const data = Buffer.allocUnsafe(size + 1);
    let got = 0;
    for (let n = -1; got <= size && n !== 0; got += n)
      n = (await handle.read(data, got, size + 1 - got, got)).bytesRead;
    const bytes = data.subarray(0, got);
    let whole: Buffer | undefined = got <= size ? bytes : undefined;
    if (whole && gzip) {
      try {
        whole = await gunzipAsync(bytes, { chunkSize: MAX_CHUNK, maxOutputLength: WHOLE_TEXT_BYTES });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') throw error;
        whole = undefined;
      }
    }
    if (whole) {
      if (whole.length > 0) yield whole;
      return;
    }
  }
  const raw = handle.createReadStream({
    start: 0,
    highWaterMark: Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, size)),
    autoClose: false,
  });
  const stream: Readable = gzip ? raw.pipe(createGunzip({ chunkSize: MAX_CHUNK })) : raw;
  raw.on('error', (error) => stream.destroy(error));
  try {
    yield* stream as AsyncIterable<Buffer>;
  } finally {
    stream.destroy();
    raw.destroy();
  }
}

/** Events handed over this many at a time: one await per batch, not per event. */
const BATCH = 4096;

/**
 * Reads one log file (gzip or plain, JSON lines or one JSON document) as batches of events in roughly time order;
 * bad records go to `onBad`. The file's statistics are filled in as it is read.
 */
export async function* readLogFile(
  file: string,
  options: ReadOptions,
  stats: FileStats = newFileStats(file),
): AsyncGenerator<DetectEvent[]> {
  const handle = await open(file, 'r');
  const head = Buffer.alloc(2);
  const { bytesRead } = await handle.read(head, 0, 2, 0);
  const gzip = bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  stats.compressed = gzip;
  const { size } = await handle.stat();

  const normalize = recordNormalizer(options.ranges);
  let batch: DetectEvent[] = [];
  let lineNo = 0;
  /** The text after the last newline; kept as parts while a long line (a CloudTrail file is one) spans chunks. */
  let pending: string[] = [];
  let documentMode = false;
  let documentParts: string[] = [];
  let documentBytes = 0;
  let firstRecordSeen = false;
  /** Decodes across chunk boundaries (a multi-byte character may be split between two reads). */
  let decoder: StringDecoder | undefined;

  const recognise = (record: Record<string, unknown>, where: string): void => {
    if (firstRecordSeen) return;
    firstRecordSeen = true;
    const format = recordFormat(record);
    if (!format) {
      throw new UserError(`unknown log format: the first record is not a ${logTitles()} record`, {
        where,
        hint: 'see docs/detect.md for the exports cloudward reads',
      });
    }
    stats.format = format;
  };

  const emit = (record: unknown, ref: EventRef): void => {
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      options.onBad({ ...ref, message: 'record is not a JSON object' });
      return;
    }
    recognise(record as Record<string, unknown>, `${file}:${ref.line}`);
    stats.records++;
    try {
      batch.push(normalize(record as Record<string, unknown>, ref));
    } catch (error) {
      if (error instanceof RecordError) options.onBad({ ...ref, message: error.message });
      else throw error;
    }
  };

  /** A parsed line or document: a wrapper or array is expanded into its records. */
  const expand = (value: unknown, line: number, lines?: number[]): void => {
    let list: unknown[] | undefined;
    if (Array.isArray(value)) list = value;
    else if (value !== null && typeof value === 'object') {
      for (const key of WRAPPERS) {
        const inner = (value as Record<string, unknown>)[key];
        if (Array.isArray(inner)) {
          list = inner;
          break;
        }
      }
    }
    if (!list) {
      emit(value, { file, line });
      return;
    }
    if (list.length === 0 && !firstRecordSeen) stats.format = 'empty';
    // A document's records are put in time order here (gcloud prints newest first; CloudTrail files are unsorted).
    const from = batch.length;
    for (let i = 0; i < list.length; i++) emit(list[i], { file, line: lines?.[i] ?? line, index: i });
    if (batch.length - from > 1) {
      const mine = batch.splice(from).sort((a, b) => a.time - b.time);
      for (const e of mine) batch.push(e);
    }
  };

  const onLine = (text: string): void => {
    lineNo++;
    if (documentMode) {
      documentParts.push(text, '\n');
      documentBytes += text.length + 1;
      if (documentBytes > options.maxDocumentBytes) {
        throw new UserError(`one JSON document over ${formatBytes(options.maxDocumentBytes)}`, {
          where: file,
          hint: 'export as JSON lines (one record per line), which is streamed, or raise --max-document-size',
        });
      }
      return;
    }
    const trimmed = lineNo === 1 ? text.replace(/^\uFEFF/, '').trim() : text.trim();
    if (trimmed === '') return;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      if (!firstRecordSeen && stats.records === 0 && stats.format !== 'empty') {
        if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
          documentMode = true;
          documentParts = [trimmed, '\n'];
          documentBytes = trimmed.length + 1;
          return;
        }
        throw new UserError('unknown log format: not JSON, JSON lines or gzip', {
          where: `${file}:${lineNo}`,
          hint: 'cloudward reads JSON exports of CloudTrail, the Azure Activity Log, Entra sign-ins and GCP audit logs (see docs/detect.md)',
        });
      }
      options.onBad({
        file,
        line: lineNo,
        message: `malformed JSON (${(error as Error).message.replace(/^JSON\.parse: /, '').split(' in JSON')[0]})`,
      });
      return;
    }
    expand(value, lineNo);
  };

  try {
    for await (const data of fileBytes(handle, size, gzip)) {
      let chunk: string;
      if (!decoder) {
        const b = data as Buffer;
        // PowerShell redirection writes UTF-16LE with a BOM.
        const utf16 = b[0] === 0xff && b[1] === 0xfe;
        decoder = new StringDecoder(utf16 ? 'utf16le' : 'utf8');
        chunk = decoder.write(utf16 ? b.subarray(2) : b);
      } else chunk = decoder.write(data as Buffer);
      stats.bytes += (data as Buffer).length;
      let nl = chunk.indexOf('\n');
      if (nl === -1) {
        pending.push(chunk);
      } else {
        pending.push(chunk.slice(0, nl));
        onLine(pending.length === 1 ? pending[0]! : pending.join(''));
        let start = nl + 1;
        for (nl = chunk.indexOf('\n', start); nl !== -1; nl = chunk.indexOf('\n', start)) {
          onLine(chunk.slice(start, nl));
          start = nl + 1;
        }
        pending = start < chunk.length ? [chunk.slice(start)] : [];
      }
      if (batch.length >= BATCH) {
        yield batch;
        batch = [];
      }
    }
    const rest = decoder?.end() ?? '';
    if (rest !== '') pending.push(rest);
    if (pending.length > 0) onLine(pending.join(''));
    pending = [];
    await handle.close();
  } catch (error) {
    await handle.close().catch(() => undefined);
    if (error instanceof UserError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (
      gzip &&
      (code === 'Z_BUF_ERROR' ||
        code === 'Z_DATA_ERROR' ||
        /unexpected end of file|incorrect header check|invalid/i.test((error as Error).message))
    ) {
      throw new UserError(`truncated or corrupt gzip (${(error as Error).message})`, {
        where: file,
        hint: 'download or export the file again',
      });
    }
    if (code === 'EACCES')
      throw new UserError('log file is not readable (permission denied)', { where: file, hint: 'fix its permissions' });
    throw error;
  }

  if (documentMode) {
    const text = documentParts.join('');
    documentParts = [];
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      const message = (error as Error).message;
      const position = /position (\d+)/.exec(message)?.[1];
      const line = position ? text.slice(0, Number(position)).split('\n').length : 1;
      throw new UserError(`malformed JSON document (${message.split(' in JSON')[0]})`, {
        where: `${file}:${line}`,
        hint: 'export the log again; a truncated download ends mid-document',
      });
    }
    expand(value, 1, elementLines(text, Array.isArray(value) ? 1 : 2));
  }
  if (!firstRecordSeen && stats.format !== 'empty') {
    throw new UserError('no log records found', { where: file, hint: 'the file is JSON but holds no records' });
  }
  for (let i = 0; i < batch.length; i += BATCH) yield batch.slice(i, i + BATCH);
}

/** Timestamps as the supported logs write them, for a quick look at where a file starts in time. */
const TIME_MEMBER =
  /"(?:eventTime|eventtime|EventTime|TimeGenerated|timestamp|@timestamp|eventTimestamp|time|createdDateTime|activityDateTime)"\s*:\s*"(\d{4}-\d\d-\d\dT[^"]{2,40})"/g;
const SCAN_BYTES = 64 * 1024;

/**
 * Where a file starts in time when its path says so, by the providers' path patterns (`pathTimes` of their audit-log
 * parts): Azure's diagnostic blobs (`y=/m=/d=/h=`) and GCS sinks name the hour they hold; CloudTrail the delivery time.
 */
export function pathStartTime(file: string): number | undefined {
  for (const { pattern, leadMs = 0 } of logPathTimes()) {
    const m = pattern.exec(file);
    if (m) return Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:00Z`) - leadMs;
  }
  return undefined;
}

/**
 * The earliest event time in the first and (for plain files) last 64 KiB: where the file starts in time, so that
 * files can be merged in time order without reading them whole first. Undefined when none is found.
 */
export async function fileStartTime(file: string): Promise<number | undefined> {
  const { gzip } = await sniff(file);
  const parts: string[] = [];
  if (gzip) {
    const stream = createReadStream(file).pipe(createGunzip());
    let size = 0;
    try {
      for await (const data of stream) {
        parts.push((data as Buffer).toString('utf8'));
        size += (data as Buffer).length;
        if (size >= SCAN_BYTES) break;
      }
    } catch {
      // A corrupt file is reported when it is read.
    } finally {
      stream.destroy();
    }
  } else {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      const head = Buffer.alloc(Math.min(size, SCAN_BYTES));
      await handle.read(head, 0, head.length, 0);
      parts.push(head.toString(head[0] === 0xff && head[1] === 0xfe ? 'utf16le' : 'utf8'));
      if (size > SCAN_BYTES) {
        const tail = Buffer.alloc(Math.min(size - SCAN_BYTES, SCAN_BYTES));
        await handle.read(tail, 0, tail.length, size - tail.length);
        parts.push(tail.toString('utf8'));
      }
    } finally {
      await handle.close();
    }
  }
  // A path that says its time bounds it (CloudTrail names a delivered file by its delivery time, about 5 minutes after
  // the calls in it, 15 at worst): the first timestamps of a gzip file whose records are not in order would place it
  // too late on their own.
  let min: number | undefined = pathStartTime(file);
  for (const text of parts) {
    for (const m of text.matchAll(TIME_MEMBER)) {
      const t = Date.parse(m[1]!);
      if (!Number.isNaN(t) && (min === undefined || t < min)) min = t;
    }
  }
  return min;
}
