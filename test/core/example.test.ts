import { join } from 'node:path';
import test from 'ava';
import { snapshotDigest } from '../../src/snapshot/digest.js';
import { readSnapshotFile } from '../../src/snapshot/load.js';
import { EXAMPLE, ROOT, runCli, tempDir } from '../helpers/cli.js';

const parts = ['aws', 'azure', 'gcp', 'hosts'].map((p) => join(ROOT, 'examples', 'acme', 'parts', `${p}.json`));

test('examples/acme/snapshot.json is the merge of its parts (npm run example:build)', async (t) => {
  const out = join(await tempDir(), 'merged.json');
  const run = await runCli(['merge', ...parts, '--output', out]);
  t.is(run.code, 0, run.stderr);
  const rebuilt = (await readSnapshotFile(out)).snapshot;
  const shipped = (await readSnapshotFile(EXAMPLE)).snapshot;
  t.is(shipped.digest, rebuilt.digest, 'run `npm run example:build` after changing a part');
  t.is<string | undefined, string | undefined>(snapshotDigest(shipped), shipped.digest);
});

test('the example covers every provider, both mitigations and every measure', async (t) => {
  const run = await runCli(['audit', EXAMPLE, '--format', 'json', '--fail-on', 'none']);
  const report = JSON.parse(run.stdout) as {
    snapshot: { sources: Array<{ provider: string; gaps: unknown[] }> };
    scorecard: {
      mitigations: Array<{ id: string; score: number | null; measures: Array<{ id: string; score: number | null }> }>;
    };
    summary: { byStatus: Record<string, number> };
  };
  t.deepEqual([...new Set(report.snapshot.sources.map((s) => s.provider))].sort(), [
    'aws',
    'azure',
    'gcp',
    'linux',
    'windows',
  ]);
  for (const m of report.scorecard.mitigations) {
    for (const measure of m.measures) t.not(measure.score, null, `${m.id}/${measure.id} is not scored`);
  }
  t.true(
    report.snapshot.sources.some((s) => s.gaps.length > 0),
    'the example shows a collection gap',
  );
  t.true(
    report.summary.byStatus.pass! > 0 && report.summary.byStatus.fail! > 0 && report.summary.byStatus.unknown! > 0,
  );
});
