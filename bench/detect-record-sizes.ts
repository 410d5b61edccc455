/**
 * The average size of each kind of generated record (JSON text of one record, as delivered): real CloudTrail records
 * average about 1.2 KB, and the throughput bench is only fair if the generated ones do too.
 *
 *   node --import tsx bench/detect-record-sizes.ts
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { generateDetectLogs } from './detect-logs.js';
import { readFileSync, readdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
const dir = join(tmpdir(), `cw-detect-sizes-${process.pid}`);
await generateDetectLogs({ dir, actors: 3, meanGapSeconds: 120, days: 1, attacks: false });
const walk = (d: string): string[] =>
  readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
const sizes: Record<string, [number, number]> = {};
for (const f of walk(dir)) {
  let text = readFileSync(f);
  if (text[0] === 0x1f) text = gunzipSync(text);
  const s = text.toString();
  let recs: unknown[];
  try {
    const v = JSON.parse(s);
    recs = Array.isArray(v) ? v : (v.Records ?? v.value);
  } catch {
    recs = s
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
  }
  const kind = f.includes('CloudTrail')
    ? 'cloudtrail'
    : f.includes('activity')
      ? 'activity'
      : f.includes('signins')
        ? 'signins'
        : 'gcp';
  const a = (sizes[kind] ??= [0, 0]);
  for (const r of recs) {
    a[0]++;
    a[1] += JSON.stringify(r).length;
  }
}
for (const [k, [n, b]] of Object.entries(sizes)) console.log(k, n, Math.round(b / n));
rmSync(dir, { recursive: true, force: true });
