/**
 * Deterministic synthetic tenants for benchmarks and tests: N principals across AWS accounts, one Azure tenant with
 * its subscriptions, one GCP organization with its projects, and Windows/Linux hosts, with a known number of
 * violations per targeted check.
 *
 *   node --import tsx bench/generate.ts --principals 100000 [--seed 1] [--compact] [--split] --output tenant.json
 *
 * writes the snapshot (streamed, so a million principals fit) and tenant.expected.json beside it.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Snapshot, Source } from '../src/snapshot/model.js';
import { digestSnapshotBytes } from '../src/snapshot/digest-bytes.js';
import { snapshotDigest } from '../src/snapshot/digest.js';
import { Prng } from './prng.js';
import {
  awsControls,
  awsPrincipals,
  awsRoles,
  azureControls,
  azurePrincipals,
  azureRoles,
  finishAzure,
  gcpControls,
  gcpPrincipals,
  gcpRoles,
} from './tenant-cloud.js';
import { ExpectationTally, TARGETED_CHECKS, type ExpectedCounts } from './tenant-expectations.js';
import { hostResources } from './tenant-hosts.js';
import { planLayout, type TenantLayout } from './tenant-layout.js';

export { TARGETED_CHECKS, type ExpectedCounts };

/** Bumped whenever the generated content changes, so cached benchmark inputs are regenerated. */
export const GENERATOR_VERSION = '4';
export const DEFAULT_SEED = 20_261_101;
export const DEFAULT_COLLECTED_AT = '2026-11-01T00:00:00.000Z';

export interface GenerateOptions {
  principals: number;
  seed?: number;
  collectedAt?: string;
}

export interface TenantStats {
  sources: number;
  principals: number;
  roles: number;
  controls: number;
  hosts: number;
}

/** What the generator planted: statuses per targeted check id, and resource counts. */
export interface TenantExpectations {
  generatorVersion: string;
  principals: number;
  seed: number;
  expected: Record<string, ExpectedCounts>;
  stats: TenantStats;
}

type Section = 'sources' | 'principals' | 'roles' | 'controls' | 'hosts';
const SECTIONS: Section[] = ['sources', 'principals', 'roles', 'controls', 'hosts'];

function* sources(layout: TenantLayout): Generator<Source> {
  const at = layout.collectedAt;
  const source = (provider: Source['provider'], scope: Source['scope'], gaps: Source['gaps'] = []): Source => ({
    provider,
    scope,
    method: 'import',
    collectedAt: at,
    gaps,
  });
  for (const account of layout.aws.accounts)
    yield source('aws', { kind: 'account', id: account.id, name: `acct-${account.id.slice(-4)}` });
  yield source('azure', { kind: 'tenant', id: layout.azure.tenantId, name: 'contoso.example' });
  for (const s of layout.azure.subscriptions) {
    const gaps =
      s.diagnostics === 'gap'
        ? [
            {
              what: 'azure.diagnostic-settings',
              reason: 'AuthorizationFailed: no Microsoft.Insights/diagnosticSettings/read on the subscription',
              call: 'GET /subscriptions/{id}/providers/Microsoft.Insights/diagnosticSettings',
            },
          ]
        : [];
    yield source('azure', { kind: 'subscription', id: s.id, name: s.name }, gaps);
  }
  yield source('gcp', { kind: 'organization', id: layout.gcp.orgId, name: 'example.com' });
  for (const p of layout.gcp.projects) {
    const gaps =
      p.audit === 'gap'
        ? [
            {
              what: 'gcp.iam-policy',
              reason: 'PERMISSION_DENIED: resourcemanager.projects.getIamPolicy',
              call: 'projects.getIamPolicy',
            },
          ]
        : [];
    yield source('gcp', { kind: 'project', id: p.id, name: p.id }, gaps);
  }
  for (const h of layout.hosts) yield source(h.os, { kind: 'host', id: h.name, name: h.name });
}

/**
 * Every resource of the tenant, section by section in snapshot order. The tally is complete once the generator is
 * exhausted (some checks count across sections, e.g. Global Administrators).
 */
function* resources(layout: TenantLayout, tally: ExpectationTally): Generator<[Section, object]> {
  const seed = layout.seed;
  for (const s of sources(layout)) yield ['sources', s];
  const counters = { globalAdmins: 0 };
  for (const p of awsPrincipals(layout, new Prng(seed, 10), tally)) yield ['principals', p];
  // The escalation graphs run in normalize over raw documents, which the generator skips: its Azure and Google
  // principals carry no search result, so the escalation checks can only say unknown (never pass) for each.
  for (const p of azurePrincipals(layout, new Prng(seed, 20), tally, counters)) {
    tally.add('azure-no-escalation-to-admin', 'unknown');
    yield ['principals', p];
  }
  for (const p of gcpPrincipals(layout, new Prng(seed, 30), tally)) {
    if ((p.details as { serviceAgent?: boolean } | undefined)?.serviceAgent !== true)
      tally.add('gcp-no-escalation-to-admin', 'unknown');
    yield ['principals', p];
  }
  finishAzure(tally, counters);
  for (const r of awsRoles(layout)) yield ['roles', r];
  for (const r of azureRoles(layout, new Prng(seed, 21), tally)) yield ['roles', r];
  for (const r of gcpRoles(layout)) yield ['roles', r];
  for (const c of awsControls(layout, new Prng(seed, 12), tally)) yield ['controls', c];
  for (const c of azureControls(layout, new Prng(seed, 22), tally)) yield ['controls', c];
  for (const c of gcpControls(layout, tally)) yield ['controls', c];
  for (const h of hostResources(layout, new Prng(seed, 40), tally)) yield ['hosts', h];
}

function header(layout: TenantLayout): Pick<Snapshot, 'schemaVersion' | 'generator' | 'collectedAt'> {
  return {
    schemaVersion: '1.0',
    generator: { name: 'cloudward-bench', version: GENERATOR_VERSION },
    collectedAt: layout.collectedAt,
  };
}

function layoutOf(options: GenerateOptions): TenantLayout {
  return planLayout(options.principals, options.seed ?? DEFAULT_SEED, options.collectedAt ?? DEFAULT_COLLECTED_AT);
}

function expectationsOf(layout: TenantLayout, tally: ExpectationTally, stats: TenantStats): TenantExpectations {
  return {
    generatorVersion: GENERATOR_VERSION,
    principals: layout.principals,
    seed: layout.seed,
    expected: { ...tally.counts },
    stats,
  };
}

/** Builds the tenant in memory (for tests and small N). */
export function generateSnapshot(options: GenerateOptions): { snapshot: Snapshot; expectations: TenantExpectations } {
  const layout = layoutOf(options);
  const tally = new ExpectationTally();
  const snapshot = {
    ...header(layout),
    sources: [],
    principals: [],
    roles: [],
    controls: [],
    hosts: [],
  } as unknown as Snapshot;
  for (const [section, resource] of resources(layout, tally)) (snapshot[section] as object[]).push(resource);
  snapshot.digest = snapshotDigest(snapshot);
  const stats = Object.fromEntries(SECTIONS.map((s) => [s, snapshot[s].length])) as unknown as TenantStats;
  return { snapshot, expectations: expectationsOf(layout, tally, stats) };
}

/**
 * One snapshot file written a resource at a time, flushed in ~1 MiB writes, never held whole. Indented like
 * `cloudward collect` writes snapshots, unless `compact`. Atomic (temp file, renamed by `finish`), mode 0600.
 */
class SnapshotFileWriter {
  readonly stats: TenantStats = { sources: 0, principals: 0, roles: 0, controls: 0, hosts: 0 };
  bytes = 0;
  private readonly temp: string;
  private handle: FileHandle | undefined;
  private pending: string[] = [];
  private pendingLength = 0;
  private current: Section | undefined;
  private readonly indent: string;
  private readonly stringify: (v: object) => string;

  constructor(
    private readonly path: string,
    private readonly layout: TenantLayout,
    private readonly compact: boolean,
  ) {
    this.temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
    this.indent = compact ? '' : '    ';
    this.stringify = compact
      ? (v: object) => JSON.stringify(v)
      : (v: object) => JSON.stringify(v, null, 2).replace(/\n/g, '\n    ');
  }

  private async emit(text: string): Promise<void> {
    this.pending.push(text);
    this.pendingLength += text.length;
    if (this.pendingLength >= 1 << 20) await this.flush();
  }

  private async flush(): Promise<void> {
    const chunk = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingLength = 0;
    this.bytes += chunk.length;
    await this.handle!.write(chunk);
  }

  private openSection(section: Section): string {
    return `,${this.compact ? '' : '\n  '}${JSON.stringify(section)}:${this.compact ? '' : ' '}[`;
  }

  private close(had: boolean): string {
    return had && !this.compact ? '\n  ]' : ']';
  }

  async open(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    this.handle = await open(this.temp, 'w', 0o600);
    const head = this.compact ? JSON.stringify(header(this.layout)) : JSON.stringify(header(this.layout), null, 2);
    await this.emit(head.slice(0, this.compact ? -1 : -2));
  }

  /** Adds a resource; sections must come in snapshot order. */
  async add(section: Section, resource: object): Promise<void> {
    while (this.current !== section) {
      if (this.current !== undefined) await this.emit(this.close(this.stats[this.current] > 0));
      this.current = SECTIONS[this.current === undefined ? 0 : SECTIONS.indexOf(this.current) + 1]!;
      await this.emit(this.openSection(this.current));
    }
    await this.emit(
      `${this.stats[section] > 0 ? ',' : ''}${this.compact ? '' : '\n'}${this.indent}${this.stringify(resource)}`,
    );
    this.stats[section]++;
  }

  async finish(): Promise<void> {
    for (let i = this.current === undefined ? 0 : SECTIONS.indexOf(this.current); i < SECTIONS.length; i++) {
      const section = SECTIONS[i]!;
      if (section !== this.current) await this.emit(this.openSection(section));
      await this.emit(this.close(this.stats[section] > 0));
    }
    await this.flush();
    // The digest goes last, as `collect` writes it: made from the bytes written, one resource at a time (audits
    // refuse a snapshot without one).
    const written = await readFile(this.temp);
    const digest = digestSnapshotBytes(Buffer.concat([written, Buffer.from('}')]));
    if (digest === undefined) throw new Error(`could not digest the generated snapshot ${this.path}`);
    await this.emit(
      this.compact ? `,"digest":${JSON.stringify(digest)}}\n` : `,\n  "digest": ${JSON.stringify(digest)}\n}\n`,
    );
    await this.flush();
    await this.handle!.close();
    await rename(this.temp, this.path);
  }

  async abandon(): Promise<void> {
    await this.handle?.close().catch(() => undefined);
    await rm(this.temp, { force: true });
  }
}

/** Writes the tenant as one snapshot file. Returns the expectations and the file size. */
export async function writeSnapshotFile(
  path: string,
  options: GenerateOptions & { compact?: boolean },
): Promise<TenantExpectations & { bytes: number }> {
  const layout = layoutOf(options);
  const tally = new ExpectationTally();
  const writer = new SnapshotFileWriter(path, layout, Boolean(options.compact));
  try {
    await writer.open();
    for (const [section, resource] of resources(layout, tally)) await writer.add(section, resource);
    await writer.finish();
  } catch (error) {
    await writer.abandon();
    throw error;
  }
  return { ...expectationsOf(layout, tally, writer.stats), bytes: writer.bytes };
}

/** AWS accounts are dealt round-robin over this many files; every other provider gets one file, hosts one. */
const AWS_PARTS = 4;

/**
 * Writes the tenant as one snapshot per provider (AWS accounts dealt over four files, hosts in one), as a tenant too
 * large for one JSON document is collected: `cloudward audit` merges them back into the same tenant, with the same
 * expected counts. Each resource goes to its scope's file, so scope aggregates see all they count.
 */
export async function writeSplitSnapshotFiles(
  base: string,
  options: GenerateOptions & { compact?: boolean },
): Promise<TenantExpectations & { bytes: number; paths: string[] }> {
  const layout = layoutOf(options);
  const tally = new ExpectationTally();
  const writers = new Map<string, SnapshotFileWriter>();
  const awsPart = new Map<string, number>();
  const partOf = (resource: { provider: string; scope: { id: string } }): string => {
    if (resource.provider === 'windows' || resource.provider === 'linux') return 'hosts';
    if (resource.provider !== 'aws') return resource.provider;
    let part = awsPart.get(resource.scope.id);
    if (part === undefined) awsPart.set(resource.scope.id, (part = awsPart.size % AWS_PARTS));
    return `aws-${part}`;
  };
  try {
    for (const [section, resource] of resources(layout, tally)) {
      const part = partOf(resource as { provider: string; scope: { id: string } });
      let writer = writers.get(part);
      if (!writer) {
        writers.set(
          part,
          (writer = new SnapshotFileWriter(base.replace(/\.json$/, `-${part}.json`), layout, Boolean(options.compact))),
        );
        await writer.open();
      }
      await writer.add(section, resource);
    }
    for (const writer of writers.values()) await writer.finish();
  } catch (error) {
    for (const writer of writers.values()) await writer.abandon();
    throw error;
  }
  const stats: TenantStats = { sources: 0, principals: 0, roles: 0, controls: 0, hosts: 0 };
  let bytes = 0;
  for (const writer of writers.values()) {
    bytes += writer.bytes;
    for (const section of SECTIONS) stats[section] += writer.stats[section];
  }
  const paths = [...writers.keys()].sort().map((part) => base.replace(/\.json$/, `-${part}.json`));
  return { ...expectationsOf(layout, tally, stats), bytes, paths };
}

/** Where the expectations of a generated snapshot file are kept. */
export function expectationsPath(snapshotPath: string): string {
  return `${snapshotPath.replace(/\.json$/, '')}.expected.json`;
}

async function cli(): Promise<void> {
  const { values } = parseArgs({
    options: {
      principals: { type: 'string', short: 'n' },
      seed: { type: 'string' },
      output: { type: 'string', short: 'o' },
      compact: { type: 'boolean', default: false },
      split: { type: 'boolean', default: false },
    },
  });
  const principals = Number(values.principals);
  if (!Number.isInteger(principals) || principals < 10 || !values.output) {
    process.stderr.write(
      'usage: node --import tsx bench/generate.ts --principals N (>= 10) [--seed S] [--compact] [--split] --output FILE.json\n',
    );
    process.exitCode = 2;
    return;
  }
  const seed = values.seed === undefined ? DEFAULT_SEED : Number(values.seed);
  const options = { principals, seed, compact: values.compact };
  const result = values.split
    ? await writeSplitSnapshotFiles(values.output, options)
    : { ...(await writeSnapshotFile(values.output, options)), paths: [values.output] };
  const { bytes, paths, ...expectations } = result;
  await writeFile(expectationsPath(values.output), `${JSON.stringify(expectations, null, 2)}\n`);
  process.stderr.write(
    `wrote ${paths.join(', ')} (${(bytes / 1048576).toFixed(1)} MiB; ${Object.entries(result.stats)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ')})\n`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await cli();
