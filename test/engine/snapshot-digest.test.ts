import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { canonicalJson, snapshotDigest } from '../../src/snapshot/digest.js';
import { digestSnapshotBytes } from '../../src/snapshot/digest-bytes.js';
import type { Snapshot } from '../../src/snapshot/model.js';
import { EXAMPLE, fixture, messageLines, runCli, tempDir } from '../helpers/cli.js';
import { createHash } from 'node:crypto';

const MISMATCH = fixture('bad', 'snapshots', 'digest-mismatch.json');

/** The example tenant with one edit after collection (its recorded digest left as it was). */
async function editedExample(dir: string): Promise<string> {
  const snapshot = JSON.parse(await readFile(EXAMPLE, 'utf8')) as Snapshot;
  snapshot.principals[0]!.name = 'renamed-after-collection';
  const file = join(dir, 'edited.json');
  await writeFile(file, JSON.stringify(snapshot, null, 2));
  return file;
}

test('bad input — audit of a snapshot changed after collection: one line naming the digest, exit 2, nothing written', async (t) => {
  const dir = await tempDir();
  for (const file of [MISMATCH, await editedExample(dir)]) {
    const out = join(dir, 'out');
    const run = await runCli(['audit', file, '--output-dir', out, '--format', 'text,json']);
    t.is(run.code, 2, run.stderr);
    const lines = messageLines(run.stderr);
    t.is(lines.length, 1, run.stderr);
    t.regex(lines[0]!, /^cloudward: .*\.json#\/digest: digest mismatch: .*--allow-modified/);
    t.deepEqual(
      (await readdir(dir)).filter((f) => f === 'out'),
      [],
      'nothing written',
    );
  }
});

test('with --allow-modified every report says the snapshot was modified after collection', async (t) => {
  const dir = await tempDir();
  const file = await editedExample(dir);
  const out = join(dir, 'reports');
  const run = await runCli(
    [
      'audit',
      file,
      '--allow-modified',
      '--output-dir',
      out,
      '--format',
      'text,json,sarif,html,markdown',
      '--fail-on',
      'none',
    ],
    { env: { SOURCE_DATE_EPOCH: '1790000000' } },
  );
  t.is(run.code, 0, run.stderr);
  const read = (ext: string) => readFile(join(out, `cloudward.${ext}`), 'utf8');
  const recorded = (JSON.parse(await readFile(EXAMPLE, 'utf8')) as Snapshot).digest!;
  const actual = snapshotDigest(JSON.parse(await readFile(file, 'utf8')) as Snapshot);
  const report = JSON.parse(await read('json')) as {
    snapshot: { files: Array<{ digest: string; modified?: { actualDigest: string; reason: string } }> };
  };
  t.deepEqual(report.snapshot.files[0]!.modified, {
    actualDigest: actual,
    reason: 'modified: the content no longer matches the recorded digest',
  });
  t.is(report.snapshot.files[0]!.digest, recorded);
  for (const ext of ['txt', 'html', 'md']) t.regex(await read(ext), /edited\.json was modified after collection/, ext);
  const sarif = JSON.parse(await read('sarif')) as {
    runs: Array<{
      properties: { snapshotModified?: string[] };
      invocations: Array<{ toolExecutionNotifications?: Array<{ message: { text: string } }> }>;
    }>;
  };
  t.regex(sarif.runs[0]!.properties.snapshotModified?.[0] ?? '', /was modified after collection/);
  t.true(
    sarif.runs[0]!.invocations[0]!.toolExecutionNotifications!.some((n) =>
      /modified after collection/.test(n.message.text),
    ),
  );
  t.regex(run.stdout, /was modified after collection/, 'the scorecard on the terminal says so too');
});

test('an untouched snapshot audits as before: no modified mark anywhere', async (t) => {
  const run = await runCli(['audit', EXAMPLE, '--format', 'json', '--fail-on', 'none']);
  t.is(run.code, 0, run.stderr);
  t.notRegex(run.stdout, /modified/);
});

test('the digest made from the bytes equals the canonical digest of the parsed snapshot, whatever the layout', (t) => {
  const snapshot = {
    schemaVersion: '1.0',
    generator: { name: 'cloudward', version: '0' },
    collectedAt: '2026-06-01T00:00:00Z',
    digest: 'sha256:0',
    sources: [],
    principals: [
      {
        uid: 'a "quoted" \\ uid é 😀',
        z: [1, 2.5, -0.001, 1e21, true, null, { b: {}, a: [] }],
        a: { '10': 1, '9': 2, '-x': 3 },
      },
    ],
    roles: [],
    controls: [],
    hosts: [],
  };
  const canonical = (value: unknown) => `sha256:${createHash('sha256').update(canonicalJson(value)).digest('hex')}`;
  const { digest: _d, ...content } = snapshot;
  const expected = canonical(content);
  t.is(snapshotDigest(snapshot as unknown as Snapshot), expected);
  for (const text of [
    JSON.stringify(snapshot),
    JSON.stringify(snapshot, null, 2),
    `\ufeff ${JSON.stringify(snapshot, null, '\t')}\n`,
    JSON.stringify(Object.assign({ ...snapshot, $schema: 'x', hosts: ['ignored'] }, { hosts: [] })),
  ]) {
    t.is(digestSnapshotBytes(Buffer.from(text)), expected);
  }
  t.is(digestSnapshotBytes(Buffer.from('[1,2]')), undefined);
  t.is(digestSnapshotBytes(Buffer.from('{"a": [1, 2')), undefined);
});
