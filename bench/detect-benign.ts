/**
 * Benign noise: a month of ordinary activity across AWS, Azure and GCP with no attack in it (people at the console,
 * CLI and Cloud Shell users, Terraform pipelines that plan and apply, SSM-managed fleets and their operators,
 * scheduled jobs on instances, Lambda and VMs, service principals and service-account keys: bench/detect-logs.ts with
 * `automation`), then `cloudward detect` over it with the built-in rules. Prints, per rule, the alerts per 10,000
 * events; every rule must stay under 1. Not part of `npm test`: it takes a minute or two.
 *
 *   npm run build && node --import tsx bench/detect-benign.ts [--days 30] [--actors 4] [--gap 600] [--keep]
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDetectLogs } from './detect-logs.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const days = arg('days', 30);
const dir = await mkdtemp(join(tmpdir(), 'cw-detect-benign-'));
const gen = await generateDetectLogs({
  dir,
  days,
  actors: arg('actors', 4),
  meanGapSeconds: arg('gap', 600),
  attacks: false,
  automation: true,
});
const report = join(dir, '..', `${dir.split('/').pop()}.json`);
execFileSync(
  process.execPath,
  [join(ROOT, 'bin', 'cloudward.js'), 'detect', dir, '--format', 'json', '--output', report, '--fail-on', 'none'],
  { stdio: ['ignore', 'ignore', 'ignore'] },
);
const result = JSON.parse(await readFile(report, 'utf8')) as {
  summary: { events: number };
  findings: Array<{ ruleId: string; title?: string; summary?: string }>;
};
const rules = (await readdir(join(ROOT, 'detections')))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.replace(/\.yaml$/, ''))
  .sort();
const counts = new Map<string, number>(rules.map((r) => [r, 0]));
for (const f of result.findings) counts.set(f.ruleId, (counts.get(f.ruleId) ?? 0) + 1);
const events = result.summary.events;
process.stdout.write(
  `${days} days, ${events.toLocaleString('en-US')} events (${gen.events.toLocaleString('en-US')} generated), ${(gen.bytes / 1024 / 1024).toFixed(0)} MiB on disk, no attack\n`,
);
process.stdout.write('rule | alerts | per 10,000 events\n');
let over = 0;
for (const [rule, n] of counts) {
  const rate = (n / events) * 10_000;
  if (rate >= 1) over++;
  process.stdout.write(`${rule} | ${n} | ${rate.toFixed(3)}${rate >= 1 ? '  OVER' : ''}\n`);
}
if (process.argv.includes('--show'))
  for (const f of result.findings.slice(0, 40)) process.stdout.write(`${JSON.stringify(f).slice(0, 600)}\n`);
if (!process.argv.includes('--keep')) await rm(dir, { recursive: true, force: true });
await rm(report, { force: true });
if (over > 0) process.exitCode = 1;
