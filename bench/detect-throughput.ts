/**
 * Throughput on real-shaped CloudTrail (records of about 1.3 KB, bench/detect-logs.ts): `cloudward detect` with the
 * built-in rules against a bare streaming JSON.parse of the same files (bench/detect-baseline.mjs), by CPU time (user +
 * system) and wall time of the whole process, start-up included, at two sizes. Each is run several times, alternating,
 * so that the spread shows what the shared machine's load does; the ratio is baseline / detect (1 = as fast as the
 * bare parse; the target is at least 0.5 on both).
 *
 *   npm run build && node --import tsx bench/detect-throughput.ts [--runs 3] [--small 3] [--large 12]
 *   (--small/--large: benign actors per kind; 3 and 12 give about 50 and 200 MB of CloudTrail JSON)
 *   --logs DIR: generate the logs into DIR/<actors>/ once and reuse them on later runs (the generator is seeded, so
 *   they are the same logs; generating the larger size costs the shared machine about a minute)
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDetectLogs } from './detect-logs.js';
import { type Measured, measure } from './measure-child.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const runs = arg('runs', 3);
const keep = process.argv.includes('--logs') ? process.argv[process.argv.indexOf('--logs') + 1] : undefined;
const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );
const spread = (xs: number[], digits = 2): string => {
  const s = [...xs].sort((a, b) => a - b);
  return `${s[Math.floor(s.length / 2)]!.toFixed(digits)} (${s[0]!.toFixed(digits)}–${s[s.length - 1]!.toFixed(digits)})`;
};

process.stdout.write(
  `load average at start ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs; median (min–max) of ${runs} runs\n`,
);
process.stdout.write(
  'CloudTrail JSON | records | bare parse CPU s | bare parse wall s | detect CPU s | detect wall s | detect RSS MiB | ratio CPU | ratio wall\n',
);
for (const actors of [arg('small', 3), arg('large', 12)]) {
  const dir = keep ? join(keep, String(actors)) : await mkdtemp(join(tmpdir(), `cw-detect-tput-${actors}-`));
  // The mark sits beside the logs, not among them: detect reads every file in the folder.
  const done = `${dir}.done`;
  if (!keep || !(await exists(done))) {
    await rm(dir, { recursive: true, force: true });
    await generateDetectLogs({ dir, actors, meanGapSeconds: 60, clouds: ['aws'] });
    if (keep) await writeFile(done, '');
  }
  const base: Measured[] = [];
  const det: Measured[] = [];
  let records = 0;
  let bytes = 0;
  for (let r = 0; r < runs; r++) {
    const b = await measure([join(ROOT, 'bench', 'detect-baseline.mjs'), dir]);
    ({ records, bytes } = JSON.parse(b.stdout) as { records: number; bytes: number });
    base.push(b);
    det.push(
      await measure([
        join(ROOT, 'bin', 'cloudward.js'),
        'detect',
        dir,
        '--format',
        'json',
        '--output',
        join(dir, '..', `${actors}.report.json`),
        '--fail-on',
        'none',
      ]),
    );
  }
  await rm(join(dir, '..', `${actors}.report.json`), { force: true });
  const ratioCpu = base.map((b, i) => b.cpuSeconds / det[i]!.cpuSeconds);
  const ratioWall = base.map((b, i) => b.seconds / det[i]!.seconds);
  process.stdout.write(
    `${(bytes / 1e6).toFixed(0)} MB | ${records.toLocaleString('en-US')} (${(bytes / records).toFixed(0)} B each) | ${spread(base.map((m) => m.cpuSeconds))} | ${spread(base.map((m) => m.seconds))} | ${spread(det.map((m) => m.cpuSeconds))} | ${spread(det.map((m) => m.seconds))} | ${spread(
      det.map((m) => m.maxRssMiB),
      0,
    )} | ${spread(ratioCpu)} | ${spread(ratioWall)}\n`,
  );
  if (!keep) await rm(dir, { recursive: true, force: true });
}
