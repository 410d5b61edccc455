import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { RawDocument } from '../types.js';

/** A file read: its text, or that it does not exist, or why it could not be read. */
type ReadResult = { text: string } | { missing: true } | { error: string };
type ListResult = { names: string[] } | { missing: true } | { error: string };

/**
 * The host's configuration files as parsers see them. Collection reads them under a root directory and records
 * every answer as a raw document; normalization replays those documents. One walker serves both, so an imported
 * bundle is judged exactly as the live host was.
 */
export interface HostFiles {
  read(path: string): ReadResult;
  list(dir: string): ListResult;
}

/** Files larger than this are not configuration files. */
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/** A read error in words for a gap reason: "permission denied", "is a directory, not a file", ... */
export function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory, not a file';
  if (code === 'ENOTDIR') return 'is not a directory';
  if (code === 'ELOOP') return 'symbolic link loop';
  return code ?? (error as Error).message;
}

const MAX_SYMLINK_HOPS = 40;

/**
 * The real path of a host path under `root`, following symbolic links as the host would: an absolute link target
 * is resolved under `root`, never on the machine running the collector (an image's `/etc/sudoers -> /etc/shadow`
 * must not read the auditor's own shadow file). For root `/` the kernel does this already.
 */
export function realPathUnder(root: string, path: string): string {
  if (root === '/' || root === '') return path;
  const pending = path.split('/').filter(Boolean);
  const done: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      done.pop();
      continue;
    }
    const real = join(root, ...done, part);
    let link: string | undefined;
    try {
      link = lstatSync(real).isSymbolicLink() ? readlinkSync(real) : undefined;
    } catch {
      // Missing or unreadable: the read that follows reports it.
      return join(root, ...done, part, ...pending);
    }
    if (link === undefined) {
      done.push(part);
      continue;
    }
    if (++hops > MAX_SYMLINK_HOPS) throw Object.assign(new Error('symbolic link loop'), { code: 'ELOOP' });
    if (link.startsWith('/')) done.length = 0;
    pending.unshift(...link.split('/').filter(Boolean));
  }
  return join(root, ...done);
}

/** Reads under `root` and keeps every answer as `linux.file`, `linux.dir` or `linux.unreadable` documents. */
export class LiveHostFiles implements HostFiles {
  readonly documents: RawDocument[] = [];
  private readonly seen = new Map<string, ReadResult | ListResult>();

  constructor(readonly root: string) {}

  /** The real path of a host path: the host's `/etc/x` is `<root>/etc/x`, links followed inside the root. */
  resolve(path: string): string {
    return realPathUnder(this.root, path);
  }

  read(path: string): ReadResult {
    const known = this.seen.get(`f:${path}`);
    if (known) return known as ReadResult;
    let result: ReadResult;
    try {
      const buffer = readFileSync(this.resolve(path));
      result =
        buffer.length > MAX_CONFIG_BYTES
          ? { error: `larger than ${MAX_CONFIG_BYTES} bytes` }
          : { text: buffer.toString('utf8') };
    } catch (error) {
      result =
        (error as NodeJS.ErrnoException).code === 'ENOENT' ? { missing: true } : { error: describeReadError(error) };
    }
    this.seen.set(`f:${path}`, result);
    if ('text' in result) this.documents.push({ kind: 'linux.file', origin: path, body: result.text });
    if ('error' in result) this.documents.push({ kind: 'linux.unreadable', origin: path, body: result.error });
    return result;
  }

  list(dir: string): ListResult {
    const known = this.seen.get(`d:${dir}`);
    if (known) return known as ListResult;
    let result: ListResult;
    try {
      result = { names: readdirSync(this.resolve(dir)).sort() };
    } catch (error) {
      result =
        (error as NodeJS.ErrnoException).code === 'ENOENT' ? { missing: true } : { error: describeReadError(error) };
    }
    this.seen.set(`d:${dir}`, result);
    if ('names' in result) this.documents.push({ kind: 'linux.dir', origin: dir, body: result.names });
    if ('error' in result) this.documents.push({ kind: 'linux.unreadable', origin: dir, body: result.error });
    return result;
  }
}

/** Replays the documents of a bundle; a path the collector never saw does not exist. */
export class BundleHostFiles implements HostFiles {
  private readonly files = new Map<string, string>();
  private readonly dirs = new Map<string, string[]>();
  private readonly errors = new Map<string, string>();
  /** Every path a parser asked for: the files, folders and errors of the bundle that were used. */
  readonly asked = new Set<string>();

  constructor(documents: RawDocument[]) {
    for (const doc of documents) {
      if (doc.kind === 'linux.file' && typeof doc.body === 'string') this.files.set(doc.origin, doc.body);
      if (doc.kind === 'linux.dir' && Array.isArray(doc.body))
        this.dirs.set(
          doc.origin,
          doc.body.filter((n): n is string => typeof n === 'string'),
        );
      if (doc.kind === 'linux.unreadable')
        this.errors.set(doc.origin, typeof doc.body === 'string' ? doc.body : 'unreadable');
    }
  }

  read(path: string): ReadResult {
    this.asked.add(path);
    const text = this.files.get(path);
    if (text !== undefined) return { text };
    const error = this.errors.get(path);
    return error !== undefined ? { error } : { missing: true };
  }

  list(dir: string): ListResult {
    this.asked.add(dir);
    const names = this.dirs.get(dir);
    if (names !== undefined) return { names };
    const error = this.errors.get(dir);
    return error !== undefined ? { error } : { missing: true };
  }
}

/** A host path joined and normalised (`/etc/sudoers.d` + `ci` = `/etc/sudoers.d/ci`; relative paths resolve against base). */
export function hostPath(base: string, path: string): string {
  const joined = path.startsWith('/') ? path : `${base.replace(/\/+$/, '')}/${path}`;
  const parts: string[] = [];
  for (const part of joined.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/** The parent folder of a host path. */
export function hostDir(path: string): string {
  return hostPath(path, '..');
}
