/**
 * Audit benchmark: for each tenant size and output format, the wall time and peak RSS of the built CLI's
 * `cloudward audit` beside a bare JSON.parse of the same file (each in its own child process), and whether the JSON
 * report's counts per check match what the generator planted.
 *
 *   npm run bench                                   # 1k, 10k, 100k principals; text (the default output) and json
 *   npm run bench -- --sizes 1000,1000000           # add the 1M case (several GiB of disk and RAM)
 *   npm run bench -- --sizes 1000000 --split        # the tenant as one snapshot per provider, audited together
 *   npm run bench -- --runs 3 --format all          # median of 3 runs; every output format
 *   npm run bench -- --cli ../other/bin/cloudward.js # measure another build (e.g. main) on the same inputs
 *
 * Prints a table and writes bench/out/audit.json. Inputs are cached in bench/out/ (regenerated when the generator
 * changes).
 */
import { spawn } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, freemem, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  DEFAULT_SEED,
  expectationsPath,
  GENERATOR_VERSION,
  TARGETED_CHECKS,
  writeSnapshotFile,
  writeSplitSnapshotFiles,
  type TenantExpectations,
} from './generate.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'bench', 'out');
const CLI = join(ROOT, 'bin', 'cloudward.js');
const PROBE = join(ROOT, 'bench', 'rss-probe.mjs');
const PARSE_CHILD = join(ROOT, 'bench', 'parse-child.mjs');

/** The targets from the design: audit time within 3x a bare parse at 100k, RSS within 5x the file, linear cost. */
const TARGET_TIME_RATIO = 3;
const TARGET_RSS_RATIO = 5;
const TARGET_SCALING = 12;

interface Run {
  wallMs: number;
  /** User + system CPU time: steadier than wall time on a shared machine. */
  cpuMs: number;
  maxRssBytes: number;
  exitCode: number;
  stderr: string;
}

interface CountCheck {
  matched: boolean;
  mismatches: string[];
  untargeted: Record<string, Record<string, number>>;
}

interface Row {
  principals: number;
  format: string;
  fileBytes: number;
  generateMs?: number;
  parse: Run;
  audit: Run;
  timeRatio: number;
  rssRatio: number;
  results: number;
  resultsPerSecond: number;
  scalingVsPrevious?: number;
  counts: CountCheck;
  error?: string;
  /** JSON.parse itself could not take the file (e.g. more text than one string can hold). */
  parseError?: string;
}

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const probeFile = join(OUT, `.probe-${process.pid}-${Date.now()}.json`);
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--import', PROBE, ...args], {
      env: { ...process.env, ...env, BENCH_PROBE_OUT: probeFile, NO_COLOR: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      readFile(probeFile, 'utf8')
        .then((text) => JSON.parse(text) as { maxRssBytes: number; userMs: number; systemMs: number })
        .catch(() => ({ maxRssBytes: Number.NaN, userMs: Number.NaN, systemMs: Number.NaN }))
        .then(async (probe) => {
          await rm(probeFile, { force: true });
          resolve({
            wallMs,
            cpuMs: probe.userMs + probe.systemMs,
            maxRssBytes: probe.maxRssBytes,
            exitCode: code ?? -1,
            stderr,
          });
        }, reject);
    });
  });
}

/** The run with the median wall time (its RSS goes with it). */
function median(runs: Run[]): Run {
  return [...runs].sort((a, b) => a.wallMs - b.wallMs)[Math.floor(runs.length / 2)]!;
}

/** Counts results per check and status from a JSON report, one line at a time (a 1M report is larger than a string). */
async function countReport(path: string): Promise<{ total: number; byCheck: Record<string, Record<string, number>> }> {
  const byCheck: Record<string, Record<string, number>> = {};
  let total = 0;
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let inResults = false;
  for await (const line of lines) {
    if (line.startsWith('  "results": [')) inResults = true;
    if (!inResults || !line.startsWith('    {')) continue;
    const result = JSON.parse(line.replace(/,$/, '')) as { checkId: string; status: string };
    const counts = (byCheck[result.checkId] ??= { pass: 0, fail: 0, unknown: 0, waived: 0 });
    counts[result.status] = (counts[result.status] ?? 0) + 1;
    total++;
  }
  return { total, byCheck };
}

function compareCounts(expected: TenantExpectations, byCheck: Record<string, Record<string, number>>): CountCheck {
  const mismatches: string[] = [];
  for (const id of TARGETED_CHECKS) {
    const want = expected.expected[id]!;
    const got = byCheck[id];
    if (!got) {
      mismatches.push(`${id}: no results (check not loaded?)`);
      continue;
    }
    for (const status of ['pass', 'fail', 'unknown'] as const) {
      if ((got[status] ?? 0) !== want[status])
        mismatches.push(`${id}: ${status} ${got[status] ?? 0}, expected ${want[status]}`);
    }
  }
  const untargeted = Object.fromEntries(
    Object.entries(byCheck).filter(([id]) => !(TARGETED_CHECKS as readonly string[]).includes(id)),
  );
  // Every result must be accounted for: a check without planted counts should select nothing in the tenant.
  for (const [id, counts] of Object.entries(untargeted))
    mismatches.push(`${id}: ${Object.values(counts).reduce((a, b) => a + b, 0)} results, none planted`);
  return { matched: mismatches.length === 0, mismatches, untargeted };
}

async function ensureTenant(
  principals: number,
  seed: number,
  compact: boolean,
  split: boolean,
): Promise<{ paths: string[]; expectations: TenantExpectations; generateMs?: number }> {
  const base = join(OUT, `tenant-${principals}-${seed}${compact ? '-compact' : ''}${split ? '-split' : ''}.json`);
  const expectedFile = expectationsPath(base);
  if (existsSync(expectedFile)) {
    const expectations = JSON.parse(await readFile(expectedFile, 'utf8')) as TenantExpectations & { paths?: string[] };
    const paths = expectations.paths ?? [base];
    if (expectations.generatorVersion === GENERATOR_VERSION && paths.every((p) => existsSync(p)))
      return { paths, expectations };
  }
  process.stderr.write(`generating ${principals} principals${split ? ', one file per provider' : ''}...\n`);
  const started = Date.now();
  const written = split
    ? await writeSplitSnapshotFiles(base, { principals, seed, compact })
    : { ...(await writeSnapshotFile(base, { principals, seed, compact })), paths: [base] };
  const { bytes: _bytes, ...expectations } = written;
  await writeFile(expectedFile, `${JSON.stringify(expectations, null, 2)}\n`);
  return { paths: written.paths, expectations, generateMs: Date.now() - started };
}

const mib = (bytes: number) => (bytes / 1048576).toFixed(1);
const secs = (ms: number) => (ms / 1000).toFixed(2);

function table(rows: Row[]): string {
  const head = [
    'principals',
    'format',
    'file MiB',
    'parse s',
    'audit s',
    'audit/parse',
    'CPU audit/parse',
    'parse RSS MiB',
    'audit RSS MiB',
    'RSS/file',
    'results',
    'results/s',
    'time x prev',
    'counts',
  ];
  const body = rows.map((r) => [
    r.principals.toLocaleString('en-US'),
    r.format,
    mib(r.fileBytes),
    r.parseError ? 'fails' : secs(r.parse.wallMs),
    r.error ? 'error' : secs(r.audit.wallMs),
    r.error ? '-' : `${r.timeRatio.toFixed(2)}x`,
    r.error ? '-' : `${(r.audit.cpuMs / r.parse.cpuMs).toFixed(2)}x`,
    mib(r.parse.maxRssBytes),
    mib(r.audit.maxRssBytes),
    r.error ? '-' : `${r.rssRatio.toFixed(2)}x`,
    r.format !== 'json' ? '-' : r.results.toLocaleString('en-US'),
    r.error || r.format !== 'json' ? '-' : Math.round(r.resultsPerSecond).toLocaleString('en-US'),
    r.scalingVsPrevious === undefined ? '-' : `${r.scalingVsPrevious.toFixed(1)}x`,
    r.error
      ? 'n/a'
      : r.format !== 'json'
        ? '-'
        : r.counts.matched
          ? 'match'
          : `MISMATCH (${r.counts.mismatches.length})`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const left = (i: number) => i <= 1 || i === head.length - 1;
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (left(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [
    line(head),
    `|${widths.map((w, i) => (left(i) ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...body.map(line),
  ].join('\n');
}

async function machine(): Promise<Record<string, string | number>> {
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  return {
    cpuModel: /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown',
    cpus: cpus().length,
    totalMemoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
    freeMemoryGiB: Number((freemem() / 2 ** 30).toFixed(1)),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

/** Every output format `cloudward audit` has, for `--format all`. */
const ALL_FORMATS = ['text', 'json', 'sarif', 'junit', 'markdown', 'html', 'ocsf', 'csv'];
const EXTENSION: Record<string, string> = { text: 'txt', ocsf: 'ocsf.json', junit: 'junit.xml', markdown: 'md' };

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '1000,10000,100000' },
      seed: { type: 'string', default: String(DEFAULT_SEED) },
      runs: { type: 'string', default: '1' },
      format: { type: 'string', default: 'text,json' },
      compact: { type: 'boolean', default: false },
      split: { type: 'boolean', default: false },
      cli: { type: 'string', default: CLI },
    },
  });
  const cli = values.cli;
  const sizes = values.sizes.split(',').map((s) => Number(s.trim().replace(/k$/i, '000').replace(/m$/i, '000000')));
  if (sizes.some((n) => !Number.isInteger(n) || n < 10))
    throw new Error('--sizes takes whole numbers of principals, e.g. 1000,10000,100000');
  const formats = values.format === 'all' ? ALL_FORMATS : values.format.split(',').map((f) => f.trim());
  const unknown = formats.filter((f) => !ALL_FORMATS.includes(f));
  if (unknown.length > 0)
    throw new Error(
      `--format: unknown format ${unknown.join(', ')}; use a comma list of ${ALL_FORMATS.join(', ')}, or all`,
    );
  const runs = Math.max(1, Number(values.runs));
  const seed = Number(values.seed);
  if (!existsSync(join(dirname(cli), '..', 'dist', 'cli', 'main.js')))
    throw new Error(`${cli}: its dist/ is missing; run \`npm run build\` first (npm run bench does)`);
  await mkdir(OUT, { recursive: true });

  const rows: Row[] = [];
  for (const principals of sizes) {
    const { paths, expectations, generateMs } = await ensureTenant(principals, seed, values.compact, values.split);
    let fileBytes = 0;
    for (const path of paths) fileBytes += (await stat(path)).size;
    const parseRuns: Run[] = [];
    const auditRuns = new Map<string, Run[]>(formats.map((f) => [f, []]));
    // Interleaved (parse, then each format, run after run) so that a noisy spell on a shared machine hits all alike.
    for (let i = 0; i < runs; i++) {
      process.stderr.write(`${principals}: parse run ${i + 1}/${runs}\n`);
      parseRuns.push(await run([PARSE_CHILD, ...paths]));
      for (const format of formats) {
        process.stderr.write(`${principals}: audit --format ${format} run ${i + 1}/${runs}\n`);
        const report = join(OUT, `report-${principals}.${EXTENSION[format] ?? format}`);
        auditRuns
          .get(format)!
          .push(await run([cli, 'audit', ...paths, '--format', format, '--output', report, '--no-config', '--quiet']));
        // The last run's JSON report is kept until counted below.
        if (format !== 'json' || i < runs - 1) await rm(report, { force: true });
      }
    }
    const parse = median(parseRuns);
    for (const format of formats) {
      const audit = median(auditRuns.get(format)!);
      const row: Row = {
        principals,
        format,
        fileBytes,
        ...(generateMs === undefined ? {} : { generateMs }),
        parse,
        audit,
        timeRatio: audit.wallMs / parse.wallMs,
        rssRatio: audit.maxRssBytes / fileBytes,
        results: 0,
        resultsPerSecond: 0,
        counts: { matched: false, mismatches: [], untargeted: {} },
      };
      if (parse.exitCode !== 0) {
        row.parseError =
          parse.stderr
            .trim()
            .split('\n')
            .filter((l) => /Error/.test(l))
            .pop() ?? `exit ${parse.exitCode}`;
      }
      const report = join(OUT, `report-${principals}.json`);
      if (audit.exitCode > 1) {
        row.error =
          audit.stderr
            .trim()
            .split('\n')
            .filter((l) => l.startsWith('cloudward:'))
            .pop() ?? audit.stderr.trim().slice(-300);
      } else if (format === 'json') {
        const counted = await countReport(report);
        row.results = counted.total;
        row.resultsPerSecond = counted.total / (audit.wallMs / 1000);
        row.counts = compareCounts(expectations, counted.byCheck);
      }
      if (format === 'json') await rm(report, { force: true });
      const previous = rows.filter((r) => r.format === format).at(-1);
      if (previous && !previous.error && !row.error) row.scalingVsPrevious = audit.wallMs / previous.audit.wallMs;
      rows.push(row);
    }
  }

  const info = await machine();
  process.stdout.write(`\n${table(rows)}\n\n`);
  process.stdout.write(
    `machine: ${info.cpuModel}, ${info.cpus} CPUs, ${info.totalMemoryGiB} GiB RAM, node ${info.node}; median of ${runs} run(s); times are whole-process wall clock\n`,
  );
  const verdicts: string[] = [];
  for (const r of rows) {
    const label = `${r.principals} ${r.format}`;
    if (r.parseError && r.format === formats[0])
      verdicts.push(`${r.principals}: a bare JSON.parse cannot read the file either: ${r.parseError}`);
    if (r.error) {
      verdicts.push(`${label}: audit refused the input (exit ${r.audit.exitCode}): ${r.error}`);
      continue;
    }
    if (r.principals === 100_000)
      verdicts.push(
        `${label}: audit/parse ${r.timeRatio.toFixed(2)}x (target <= ${TARGET_TIME_RATIO}x) ${r.timeRatio <= TARGET_TIME_RATIO ? 'OK' : 'MISSED'}`,
      );
    // Below ~100 MiB the ~60 MiB a Node process needs anyway dominates, so the memory target applies from 100k up.
    if (r.principals >= 100_000)
      verdicts.push(
        `${label}: peak RSS ${r.rssRatio.toFixed(2)}x the file (target <= ${TARGET_RSS_RATIO}x) ${r.rssRatio <= TARGET_RSS_RATIO ? 'OK' : 'MISSED'}`,
      );
    if (r.scalingVsPrevious !== undefined) {
      const sameFormat = rows.filter((x) => x.format === r.format);
      const factor = r.principals / sameFormat[sameFormat.indexOf(r) - 1]!.principals;
      const limit = (TARGET_SCALING / 10) * factor;
      verdicts.push(
        `${label}: ${factor}x principals took ${r.scalingVsPrevious.toFixed(1)}x the time (target <= ${limit.toFixed(0)}x) ${r.scalingVsPrevious <= limit ? 'OK' : 'MISSED'}`,
      );
    }
    if (r.format === 'json')
      verdicts.push(
        `${label}: counts per targeted check ${r.counts.matched ? 'match the generator' : `DIFFER: ${r.counts.mismatches.join('; ')}`}`,
      );
  }
  process.stdout.write(`${verdicts.map((v) => `  ${v}`).join('\n')}\n`);
  const name = cli === CLI ? 'audit.json' : 'audit-other-cli.json';
  await writeFile(
    join(OUT, name),
    `${JSON.stringify({ machine: info, cli, runs, formats, seed, generatorVersion: GENERATOR_VERSION, rows }, null, 2)}\n`,
  );
  process.stdout.write(`wrote ${join('bench', 'out', name)}\n`);
  if (rows.some((r) => !r.error && r.format === 'json' && !r.counts.matched)) process.exitCode = 1;
}

await main();
