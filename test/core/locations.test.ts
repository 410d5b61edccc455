import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { writeSnapshotFile } from '../../bench/generate.js';
import { formatters } from '../../src/report/index.js';
import { snapshotLocations } from '../../src/report/locations.js';
import type { Report } from '../../src/report/model.js';
import { buildSarif, sarifFormatter } from '../../src/report/sarif.js';
import { snapshotDigest } from '../../src/snapshot/digest.js';
import { scanSnapshotBytes } from '../../src/snapshot/file-hash.js';
import { buildLineIndex } from '../../src/snapshot/line-index.js';
import type { Snapshot } from '../../src/snapshot/model.js';
import { EXAMPLE, runCli, tempDir } from '../helpers/cli.js';

const context = { color: false, verbose: false, quiet: false };

test('the line index finds every "uid" and "id" member, and nothing else', (t) => {
  const text = [
    '{',
    '  "principals": [',
    '    {',
    '      "uid": "aws:1:user/a",',
    '      "scope": { "kind": "account", "id": "1" },',
    '      "principalId": "not-a-match", "kind": "id",',
    '      "note": "a value that says \\"uid\\": \\"nope\\"",',
    '      "uid"  :  "escaped \\"quote\\" \\u00e9",',
    '      "name": "Zoë"',
    '    },',
    '    {"uid":"compact","id":"7"}',
    '  ]',
    '}',
  ].join('\n');
  const index = buildLineIndex(Buffer.from(text));
  t.deepEqual(index.uids, ['aws:1:user/a', 'escaped "quote" é', 'compact']);
  t.deepEqual([...index.uidLines], [4, 8, 11]);
  t.deepEqual(index.ids, ['1', '7']);
  t.deepEqual([...index.idLines], [5, 11]);
});

test('a truncated value ends the index without an error', (t) => {
  const index = buildLineIndex(Buffer.from('{\n "uid": "a",\n "uid": "unterminated'));
  t.deepEqual(index.uids, ['a']);
});

test('locations come from the line index handed in; without one a finding points at the file, which is not read', async (t) => {
  const report = JSON.parse(
    (await runCli(['audit', EXAMPLE, '--format', 'json', '--fail-on', 'none'])).stdout,
  ) as Report;
  const index = buildLineIndex(await readFile(EXAMPLE));
  const unindexed = snapshotLocations(report);
  const fromIndex = snapshotLocations(report, process.cwd(), undefined, [
    { path: report.snapshot.files[0]!.path, index },
  ]);
  const lines = (await readFile(EXAMPLE, 'utf8')).split('\n');
  for (const r of report.results) {
    t.is(unindexed(r.resource.uid, r.resource.scope.id).line, 1, r.resource.uid);
    const at = fromIndex(r.resource.uid, r.resource.scope.id);
    t.is(at.uri, unindexed(r.resource.uid, r.resource.scope.id).uri);
    if (r.resource.kind !== 'scopes')
      t.true(lines[at.line - 1]!.includes(JSON.stringify(r.resource.uid)), r.resource.uid);
  }
});

test('SARIF written a result at a time is exactly the whole log serialized at once', async (t) => {
  t.true(
    formatters
      .filter((f) => f.needs?.snapshotLines)
      .map((f) => f.name)
      .includes('sarif'),
  );
  const report = JSON.parse(
    (await runCli(['audit', EXAMPLE, '--format', 'json', '--fail-on', 'none'])).stdout,
  ) as Report;
  const whole = `${JSON.stringify(buildSarif(report, context), null, 2)}\n`;
  t.is([...(sarifFormatter.render(report, context) as Iterable<string>)].join(''), whole);
  // No results at all (only passes), and enough results to span several chunks.
  const passing = { ...report, results: report.results.filter((r) => r.status === 'pass') };
  t.is(
    [...(sarifFormatter.render(passing, context) as Iterable<string>)].join(''),
    `${JSON.stringify(buildSarif(passing, context), null, 2)}\n`,
  );
  const failing = report.results.filter((r) => r.status === 'fail');
  const many = { ...report, results: Array.from({ length: 800 }, (_, i) => failing[i % failing.length]!) };
  const chunks = [...(sarifFormatter.render(many, context) as Iterable<string>)];
  t.true(chunks.length > 1);
  t.is(chunks.join(''), `${JSON.stringify(buildSarif(many, context), null, 2)}\n`);
});

test('a large snapshot is hashed and indexed off the main thread, with the same answers', async (t) => {
  const dir = await tempDir();
  const file = join(dir, 'tenant.json');
  await writeSnapshotFile(file, { principals: 7000, seed: 11 });
  const bytes = await readFile(file);
  t.true(bytes.length > 8 * 1024 * 1024, 'large enough for the worker path');
  const expected = buildLineIndex(bytes);
  const sha = createHash('sha256').update(bytes).digest('hex');
  const digest = snapshotDigest(JSON.parse(bytes.toString('utf8')) as Snapshot);
  const scanned = scanSnapshotBytes(bytes, { lineIndex: true, digest: true });
  t.is(bytes.length, 0, 'the bytes were moved to the worker');
  t.is(await scanned.sha256, sha);
  t.is(await scanned.digest, digest, 'the snapshot digest made from the bytes is the one made from the parsed content');
  const index = (await scanned.lineIndex)!;
  t.deepEqual(index.uids, expected.uids);
  t.deepEqual([...index.uidLines], [...expected.uidLines]);
  t.deepEqual(index.ids, expected.ids);

  // Through the CLI: the SARIF from the worker's index equals the one from an index made here (the library path).
  const out = join(dir, 'report.sarif');
  const run = await runCli(['audit', file, '--format', 'sarif', '--output', out, '--fail-on', 'none'], {
    env: { SOURCE_DATE_EPOCH: '1790000000' },
  });
  t.is(run.code, 0, run.stderr);
  const json = await runCli(['audit', file, '--format', 'json', '--fail-on', 'none'], {
    env: { SOURCE_DATE_EPOCH: '1790000000' },
  });
  const report = JSON.parse(json.stdout) as Report;
  const lineIndexes = [{ path: report.snapshot.files[0]!.path, index: expected }];
  const reread = [
    ...(sarifFormatter.render(report, { ...context, lineIndexes, warn: () => undefined }) as Iterable<string>),
  ].join('');
  t.is(await readFile(out, 'utf8'), reread);
});
