import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { UserError } from '../errors.js';
import { formatBytes } from '../util/files.js';
import type { DetectEvent, EventRef } from './event.js';
import { normalizeRecord, recordKind, RecordError } from './normalize.js';

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
  onEvent(event: DetectEvent): void;
  onBad(bad: BadRecord): void;
}

export interface FileStats {
  file: string;
  format: string;
  compressed: boolean;
  records: number;
  bytes: number;
}

/** Keys under which exports wrap their records: CloudTrail files, diagnostic settings, lookup-events, Graph. */
const WRAPPERS = ['Records', 'records', 'Events', 'value'] as const;

/** CloudTrail's delivered file names carry the time they cover (`..._20260101T1205Z_...`); other logs sort by path. */
function sortKey(path: string): string {
  const stamp = /_(\d{8}T\d{4}Z)_/.exec(basename(path))?.[1];
  return stamp ? `${stamp}\u0000${path}` : `~${path}`;
}

/** Expands the named files and folders (recursively; hidden entries skipped) into log files in time order. */
export async function listLogFiles(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch {
      throw new UserError('log file or folder not found', { where: path, hint: 'check the path' });
    }
    if (info.isDirectory()) {
      const entries = await readdir(path, { recursive: true, withFileTypes: true });
      const found = entries.filter((e) => e.isFile() && !e.name.startsWith('.') && !join(e.parentPath, e.name).slice(path.length).split('/').some((p) => p.startsWith('.'))).map((e) => join(e.parentPath, e.name));
      if (found.length === 0) throw new UserError('folder holds no log files', { where: path, hint: 'name a folder with CloudTrail, Activity Log, sign-in or GCP audit exports' });
      files.push(...found.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1)));
    } else if (info.isFile()) {
      if (info.size === 0) throw new UserError('log file is empty (0 bytes)', { where: path, hint: 'an interrupted export leaves an empty file; export it again' });
      files.push(path);
    } else {
      throw new UserError('not a regular file', { where: path });
    }
  }
  return files;
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

/** Reads one log file (gzip or plain, JSON lines or one JSON document), calling back for each event and bad record. */
export async function readLogFile(file: string, options: ReadOptions): Promise<FileStats> {
  const { gzip } = await sniff(file);
  const stats: FileStats = { file, format: 'unknown', compressed: gzip, records: 0, bytes: 0 };
  const raw = createReadStream(file);
  const stream: Readable = gzip ? raw.pipe(createGunzip()) : raw;
  raw.on('error', (error) => stream.destroy(error));

  let lineNo = 0;
  let pending = '';
  let documentMode = false;
  let documentParts: string[] = [];
  let documentBytes = 0;
  let firstRecordSeen = false;
  let encodingSet = false;

  const recognise = (record: Record<string, unknown>, where: string): void => {
    if (firstRecordSeen) return;
    firstRecordSeen = true;
    const kind = recordKind(record);
    if (!kind) {
      throw new UserError('unknown log format: the first record is not a CloudTrail, Azure Activity Log, Entra sign-in or GCP audit log record', {
        where,
        hint: 'see docs/detect.md for the exports cloudward reads',
      });
    }
    stats.format = kind === 'lookup-event' ? 'cloudtrail-lookup-events' : kind;
  };

  const emit = (record: unknown, ref: EventRef): void => {
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      options.onBad({ ...ref, message: 'record is not a JSON object' });
      return;
    }
    recognise(record as Record<string, unknown>, `${file}:${ref.line}`);
    stats.records++;
    try {
      options.onEvent(normalizeRecord(record as Record<string, unknown>, ref));
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
    if (list.length === 0 && !firstRecordSeen && !Array.isArray(value)) stats.format = 'empty';
    // A document's records are put in time order here (gcloud prints newest first; CloudTrail files are unsorted).
    const refs = list.map((_, index) => ({ file, line: lines?.[index] ?? line, index }));
    const order = list.map((_, i) => i);
    const times = list.map(recordTime);
    order.sort((a, b) => times[a]! - times[b]!);
    for (const i of order) emit(list[i], refs[i]!);
  };

  const onLine = (text: string): void => {
    lineNo++;
    if (documentMode) {
      documentParts.push(text, '\n');
      documentBytes += text.length + 1;
      if (documentBytes > options.maxDocumentBytes) {
        throw new UserError(`one JSON document over ${formatBytes(options.maxDocumentBytes)}`, { where: file, hint: 'export as JSON lines (one record per line), which is streamed, or raise --max-document-size' });
      }
      return;
    }
    const trimmed = lineNo === 1 ? text.replace(/^\uFEFF/, '').trim() : text.trim();
    if (trimmed === '') return;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      if (lineNo === 1 || (!firstRecordSeen && stats.records === 0)) {
        if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
          documentMode = true;
          documentParts = [trimmed, '\n'];
          documentBytes = trimmed.length + 1;
          return;
        }
        throw new UserError('unknown log format: not JSON, JSON lines or gzip', { where: `${file}:${lineNo}`, hint: 'cloudward reads JSON exports of CloudTrail, the Azure Activity Log, Entra sign-ins and GCP audit logs (see docs/detect.md)' });
      }
      options.onBad({ file, line: lineNo, message: `malformed JSON (${(error as Error).message.replace(/^JSON\.parse: /, '').split(' in JSON')[0]})` });
      return;
    }
    expand(value, lineNo);
  };

  try {
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (chunk: Buffer | string) => {
        try {
          if (!encodingSet) {
            encodingSet = true;
            const b = chunk as Buffer;
            // PowerShell redirection writes UTF-16LE with a BOM.
            if (b[0] === 0xff && b[1] === 0xfe) {
              stream.setEncoding('utf16le');
              chunk = b.subarray(2).toString('utf16le');
            } else {
              stream.setEncoding('utf8');
              chunk = b.toString('utf8');
            }
          }
          stats.bytes += (chunk as string).length;
          const text = pending + (chunk as string);
          let start = 0;
          for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
            onLine(text.slice(start, nl));
            start = nl + 1;
          }
          pending = text.slice(start);
        } catch (error) {
          stream.destroy(error as Error);
        }
      });
      stream.on('error', reject);
      stream.on('end', () => {
        try {
          if (pending !== '') onLine(pending);
          pending = '';
          resolve();
        } catch (error) {
          reject(error);
        }
      });
    });
  } catch (error) {
    if (error instanceof UserError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (gzip && (code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR' || /unexpected end of file/i.test((error as Error).message))) {
      throw new UserError(`truncated or corrupt gzip (${(error as Error).message})`, { where: file, hint: 'download or export the file again' });
    }
    if (code === 'EACCES') throw new UserError('log file is not readable (permission denied)', { where: file, hint: 'fix its permissions' });
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
      throw new UserError(`malformed JSON document (${message.split(' in JSON')[0]})`, { where: `${file}:${line}`, hint: 'export the log again; a truncated download ends mid-document' });
    }
    const depth = Array.isArray(value) ? 1 : 2;
    expand(value, 1, elementLines(text, depth));
  }
  if (!firstRecordSeen && stats.format !== 'empty') {
    throw new UserError('no log records found', { where: file, hint: 'the file is JSON but holds no records' });
  }
  return stats;
}

function recordTime(record: unknown): number {
  if (record === null || typeof record !== 'object') return 0;
  const r = record as Record<string, unknown>;
  const t = r.eventTime ?? r.eventtime ?? r.EventTime ?? r.timestamp ?? r.eventTimestamp ?? r.time ?? r.createdDateTime;
  const ms = typeof t === 'string' ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? 0 : ms;
}
