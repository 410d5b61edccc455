import { readFileSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import { UserError } from '../errors.js';
import type { SourceNetwork } from '../events/event.js';
import { packagePath } from '../util/paths.js';
import { logReaders } from './log-readers.js';

/** A provider whose published address ranges are read (its adapter's `auditLogs.ipRanges`), by its name. */
export type RangeProvider = string;
/** Where a source address is: a private or special-use network, a provider's published range, or elsewhere. */
export type { SourceNetwork };

/** One provider's published ranges, merged: IPv4 as [first, last] integers, IPv6 as [first, last] hex strings. */
export interface ProviderRanges {
  /** The file the provider publishes, and the date or serial it carries. */
  source: string;
  published: string;
  prefixes: number;
  v4: Array<[number, number]>;
  v6: Array<[string, string]>;
}

/** The dated ranges file shipped in `data/` and written by `cloudward ranges refresh`. */
export interface RangesFile {
  version: 1;
  providers: Record<RangeProvider, ProviderRanges | undefined>;
}

export const SHIPPED_RANGES = packagePath('data', 'cloud-ip-ranges.json');

const v4ToInt = (ip: string): number => ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);

function v6ToBig(ip: string): bigint {
  let text = ip;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two groups.
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const n = v4ToInt(tail[1]!);
    text = `${text.slice(0, -tail[1]!.length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = rest ? rest.split(':') : [];
  const groups =
    rest === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g || '0', 16)), 0n);
}

const hex = (n: bigint): string => n.toString(16).padStart(32, '0');

function merge<T extends number | bigint>(list: Array<[T, T]>, next: (n: T) => T): Array<[T, T]> {
  list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: Array<[T, T]> = [];
  for (const [a, b] of list) {
    const last = out[out.length - 1];
    if (last && a <= next(last[1])) {
      if (b > last[1]) last[1] = b;
    } else out.push([a, b]);
  }
  return out;
}

/** Turns a list of CIDR prefixes into merged ranges. */
export function rangesOf(prefixes: string[], source: string, published: string): ProviderRanges {
  const v4: Array<[number, number]> = [];
  const v6: Array<[bigint, bigint]> = [];
  for (const prefix of prefixes) {
    const [ip, lenText] = prefix.split('/') as [string, string | undefined];
    if (isIPv4(ip)) {
      const len = lenText === undefined ? 32 : Number(lenText);
      const size = 2 ** (32 - len);
      const first = Math.floor(v4ToInt(ip) / size) * size;
      v4.push([first, first + size - 1]);
    } else if (isIPv6(ip)) {
      const len = BigInt(lenText === undefined ? 128 : Number(lenText));
      const host = (1n << (128n - len)) - 1n;
      const first = v6ToBig(ip) & ~host & ((1n << 128n) - 1n);
      v6.push([first, first | host]);
    }
  }
  return {
    source,
    published,
    prefixes: prefixes.length,
    v4: merge(v4, (n) => n + 1),
    v6: merge(v6, (n) => n + 1n).map(([a, b]) => [hex(a), hex(b)]),
  };
}

/**
 * Reads a provider's published ranges file, recognised by its shape by the providers' audit-log parts (AWS
 * `ip-ranges.json`, Google `cloud.json`, Azure service tags, ...).
 */
export function parsePublishedRanges(text: string, file: string): { provider: RangeProvider; ranges: ProviderRanges } {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new UserError(`not JSON (${(error as Error).message.split(' in JSON')[0]})`, {
      where: file,
      hint: 'pass the file as the provider publishes it',
    });
  }
  const published = logReaders().flatMap(({ cloud, logs }) =>
    logs.ipRanges ? [{ cloud, ipRanges: logs.ipRanges }] : [],
  );
  for (const { cloud, ipRanges } of published) {
    const read = ipRanges.read(doc);
    if (read) return { provider: cloud, ranges: rangesOf(read.prefixes, ipRanges.source, read.published) };
  }
  const names = published.map((p) => p.ipRanges.file);
  throw new UserError('not a published cloud ranges file', {
    where: file,
    hint: `pass ${names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}` : (names[0] ?? "a provider's published ranges file")}`,
  });
}

/** Private, loopback, link-local, carrier-grade NAT and unique-local addresses: never "outside the cloud". */
const PRIVATE_V4: Array<[number, number]> = [
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['100.64.0.0', 10],
  ['0.0.0.0', 8],
].map(([ip, len]) => {
  const size = 2 ** (32 - (len as number));
  const first = v4ToInt(ip as string);
  return [first, first + size - 1];
});

/** Binary search over sorted, merged ranges (numbers for IPv4, fixed-width hex strings for IPv6). */
function within<T extends number | string>(list: Array<[T, T]>, n: T): boolean {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = list[mid]!;
    if (n < a) hi = mid - 1;
    else if (n > b) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Answers where an address is; loaded once per run, lookups cached per address. */
export class RangeTable {
  private readonly cache = new Map<string, SourceNetwork>();
  constructor(readonly file: RangesFile) {}

  networkOf(ip: string): SourceNetwork {
    let found = this.cache.get(ip);
    if (found) return found;
    found = this.look(ip);
    if (this.cache.size > 50_000) this.cache.clear();
    this.cache.set(ip, found);
    return found;
  }

  private look(ip: string): SourceNetwork {
    if (isIPv4(ip)) {
      const n = v4ToInt(ip);
      if (PRIVATE_V4.some(([a, b]) => n >= a && n <= b)) return 'private';
      for (const [provider, r] of Object.entries(this.file.providers) as Array<[RangeProvider, ProviderRanges]>)
        if (within(r.v4, n)) return provider;
      return 'public';
    }
    if (isIPv6(ip)) {
      const lower = ip.toLowerCase();
      if (lower === '::1' || /^f[cd]|^fe[89ab]/.test(lower)) return 'private';
      const n = hex(v6ToBig(lower));
      for (const [provider, r] of Object.entries(this.file.providers) as Array<[RangeProvider, ProviderRanges]>)
        if (within(r.v6, n)) return provider;
      return 'public';
    }
    return 'public';
  }
}

/** Loads a ranges file (the shipped one by default); a file that is not one stops the run with where and how. */
export function loadRangeTable(path: string = SHIPPED_RANGES): RangeTable {
  let parsed: RangesFile;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as RangesFile;
    if (parsed.version !== 1 || typeof parsed.providers !== 'object') throw new Error('not a cloudward ranges file');
  } catch (error) {
    throw new UserError(`cannot read cloud address ranges (${(error as Error).message})`, {
      where: path,
      hint: 'write it with `cloudward ranges refresh`',
    });
  }
  return new RangeTable(parsed);
}

/**
 * Ranges older than this (at the report time) are warned about: AWS and Google add prefixes every few days, and an
 * address from a range published since is placed outside the cloud, which is what `instance-credentials-outside-
 * cloud` alerts on. Three months keeps a quarterly refresh quiet and catches a forgotten one.
 */
export const RANGES_MAX_AGE_DAYS = 90;

const DAY_MS = 86_400_000;

/**
 * When a provider published its ranges, from the date its file carries: AWS `createDate` (2025-07-24-20-23-14) and
 * Google `creationTime` (2025-07-24T19:16:28.780563), both UTC. Null for Azure's service tags, which carry only a
 * change number.
 */
export function publishedTime(published: string): number | null {
  const m = /^(\d{4})-(\d\d)-(\d\d)[T-](\d\d)[:-](\d\d)[:-](\d\d)/.exec(published);
  if (!m) return null;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return Number.isNaN(t) ? null : t;
}

/**
 * The warning a run gives when its ranges are older than RANGES_MAX_AGE_DAYS at `now` (judged by the oldest dated
 * provider; undated ones are not judged), else undefined. `file`: the --ip-ranges file, undefined for the shipped one.
 */
export function rangesAgeWarning(table: RangeTable, now: number, file?: string): string | undefined {
  let oldest: { provider: string; time: number } | undefined;
  for (const [provider, r] of Object.entries(table.file.providers)) {
    const time = r ? publishedTime(r.published) : null;
    if (time !== null && (!oldest || time < oldest.time)) oldest = { provider, time };
  }
  if (!oldest) return undefined;
  const days = Math.floor((now - oldest.time) / DAY_MS);
  if (days <= RANGES_MAX_AGE_DAYS) return undefined;
  const which = file === undefined ? 'the cloud IP ranges shipped with cloudward' : `the cloud IP ranges in ${file}`;
  return `${which} are ${days} days old (${oldest.provider} published ${new Date(oldest.time).toISOString().slice(0, 10)}; over ${RANGES_MAX_AGE_DAYS}): addresses added since are taken for outside ones; write current ones with \`cloudward ranges refresh\` and pass them with --ip-ranges`;
}
