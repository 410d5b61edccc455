/**
 * Detection throughput and memory. Generates seeded audit logs across the three clouds (bench/detect-logs.ts, with
 * planted attacks), then times, each in its own process with peak RSS measured:
 *   - the baseline: a bare streaming JSON.parse of the same files (bench/detect-baseline.mjs);
 *   - `cloudward detect` with the built-in rules, checking that it finds exactly the planted attacks.
 * It does so at two sizes with the same actors (the second has twice the events per actor), so that the rule state
 * is the same and only the log volume grows: time should double, RSS should not.
 *
 *   node --import tsx bench/detect.ts [--actors 12] [--gap 30] [--keep]
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDetectLogs, PLANTED } from './detect-logs.js';
import { measure } from './measure-child.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const actors = arg('actors', 12);
const gap = arg('gap', 30);
const keep = process.argv.includes('--keep');

// The fixed cost of a run (starting Node, loading and compiling the rules), measured on a one-record file and
// subtracted for the throughput figures, which are about the reading and the rules.
const tiny = join(await mkdtemp(join(tmpdir(), 'cw-detect-tiny-')), 'one.jsonl');
await writeFile(
  tiny,
  `${JSON.stringify({ eventTime: '2026-01-01T00:00:00Z', eventSource: 's3.amazonaws.com', eventName: 'ListBuckets', userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::1:user/a' } })}\n`,
);
const startups = [];
for (let i = 0; i < 3; i++)
  startups.push(
    await measure([join(ROOT, 'bin', 'cloudward.js'), 'detect', tiny, '--format', 'json', '--output', `${tiny}.out`]),
  );
const startupCpu = Math.min(...startups.map((m) => m.cpuSeconds));
const baseStartup = Math.min(
  ...(await Promise.all([0, 1, 2].map(() => measure(['-e', '0'])))).map((m) => m.cpuSeconds),
);

const rows: string[] = [];
for (const [label, meanGap] of [
  ['1x', gap],
  ['2x', gap / 2],
] as const) {
  const dir = await mkdtemp(join(tmpdir(), `cw-detect-bench-${label}-`));
  const t0 = Date.now();
  const gen = await generateDetectLogs({ dir, actors, meanGapSeconds: meanGap });
  const genSeconds = (Date.now() - t0) / 1000;
  const baseline = await measure([join(ROOT, 'bench', 'detect-baseline.mjs'), dir]);
  const base = JSON.parse(baseline.stdout) as { records: number; bytes: number };
  const report = join(dir, '..', `cw-detect-bench-${label}.json`);
  const detect = await measure([
    join(ROOT, 'bin', 'cloudward.js'),
    'detect',
    dir,
    '--format',
    'json',
    '--output',
    report,
    '--fail-on',
    'none',
  ]);
  // The same run with V8's heap capped: it finishes, so what it keeps alive is small; the default RSS above is
  // mostly garbage V8 has not bothered to collect yet.
  const capped = await measure([
    '--max-old-space-size=48',
    '--max-semi-space-size=1',
    join(ROOT, 'bin', 'cloudward.js'),
    'detect',
    dir,
    '--format',
    'json',
    '--output',
    `${report}.capped`,
    '--fail-on',
    'none',
  ]);
  await rm(`${report}.capped`, { force: true });
  const result = JSON.parse(await readFile(report, 'utf8')) as {
    summary: { events: number; peakRuleState: number; late: number };
    findings: Array<{ ruleId: string }>;
  };
  const counts: Record<string, number> = {};
  for (const f of result.findings) counts[f.ruleId] = (counts[f.ruleId] ?? 0) + 1;
  const exact = JSON.stringify(Object.entries(counts).sort()) === JSON.stringify(Object.entries(PLANTED).sort());
  const mib = base.bytes / 1024 / 1024;
  rows.push(
    [
      label,
      gen.events.toLocaleString('en-US'),
      `${mib.toFixed(0)} MiB`,
      `${(gen.bytes / 1024 / 1024).toFixed(0)} MiB`,
      `${baseline.seconds.toFixed(2)} s wall, ${baseline.cpuSeconds.toFixed(2)} s CPU (${(base.records / baseline.cpuSeconds / 1000).toFixed(0)}k ev/CPU-s), ${baseline.maxRssMiB.toFixed(0)} MiB RSS`,
      `${detect.seconds.toFixed(2)} s wall, ${detect.cpuSeconds.toFixed(2)} s CPU (${(result.summary.events / detect.cpuSeconds / 1000).toFixed(0)}k ev/CPU-s, ${(mib / detect.cpuSeconds).toFixed(0)} MiB/CPU-s), ${detect.maxRssMiB.toFixed(0)} MiB RSS`,
      `${(baseline.seconds / detect.seconds).toFixed(2)} wall, ${(baseline.cpuSeconds / detect.cpuSeconds).toFixed(2)} CPU, ${((baseline.cpuSeconds - baseStartup) / (detect.cpuSeconds - startupCpu)).toFixed(2)} CPU net of start-up`,
      `${capped.cpuSeconds.toFixed(2)} s CPU, ${capped.maxRssMiB.toFixed(0)} MiB RSS`,
      `${result.summary.peakRuleState}`,
      exact ? 'exact' : `MISMATCH ${JSON.stringify(counts)}`,
    ].join(' | '),
  );
  process.stderr.write(
    `${label}: generated ${gen.events} events in ${genSeconds.toFixed(1)} s; ${rows[rows.length - 1]}\n`,
  );
  if (!keep) await rm(dir, { recursive: true, force: true });
  await rm(report, { force: true });
}
process.stdout.write(
  `actors ${actors} per kind and cloud, mean gap ${gap} s (1x) and ${gap / 2} s (2x), 2 days, seed fixed\n`,
);
process.stdout.write(
  `start-up (Node, rules loaded and compiled): ${startupCpu.toFixed(2)} s CPU for cloudward detect, ${baseStartup.toFixed(2)} s for a bare node\n`,
);
process.stdout.write(`load average at start ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs\n`);
process.stdout.write(
  'size | events | JSON text | on disk | bare JSON.parse | cloudward detect (13 rules) | detect speed / baseline | detect with a 48 MiB heap cap | peak rule state | planted attacks\n',
);
process.stdout.write(`${rows.join('\n')}\n`);
